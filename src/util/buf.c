#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/buf.h"
#include "util/xmalloc.h"

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->len = b->cap = 0;
	b->fd = -1;
	b->error = 0;
}

void
buf_init_fd(struct buf *b, int fd)
{
	buf_init(b);
	b->fd = fd;
	buf_grow(b, BUF_FLUSH_AT + 4096);
}

void
buf_release(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

char *
buf_detach(struct buf *b)
{
	char *p;

	buf_grow(b, 1);
	b->data[b->len] = '\0';
	p = b->data;
	buf_init(b);
	return p;
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
}

void
buf_grow(struct buf *b, size_t extra)
{
	size_t want;

	if (extra > SIZE_MAX - b->len - 1)
		xreallocarray(NULL, SIZE_MAX, 2);	/* reports the overflow */
	want = b->len + extra + 1;
	if (want <= b->cap)
		return;
	if (b->cap > SIZE_MAX / 2)
		b->cap = want;
	else
		b->cap = b->cap * 2 > want ? b->cap * 2 : want;
	if (b->cap < 64)
		b->cap = 64;
	b->data = xreallocarray(b->data, b->cap, 1);
}

void
buf_add(struct buf *b, const void *p, size_t n)
{
	if (n == 0)		/* p may be NULL then: memcpy must not see it */
		return;
	buf_grow(b, n);
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
buf_puts(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_putc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->data[b->len++] = c;
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->data ? b->data + b->len : NULL,
	    b->data ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= (b->data ? b->cap - b->len : 0)) {
		buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->data + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void
buf_u64(struct buf *b, uint64_t v)
{
	char tmp[24], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_add(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

void
buf_i64(struct buf *b, int64_t v)
{
	if (v < 0) {
		buf_putc(b, '-');
		buf_u64(b, (uint64_t)0 - (uint64_t)v);
	} else
		buf_u64(b, (uint64_t)v);
}

void
buf_pad(struct buf *b, size_t n, char c)
{
	buf_grow(b, n);
	memset(b->data + b->len, c, n);
	b->len += n;
}

int
buf_flush(struct buf *b)
{
	size_t off = 0;
	ssize_t n;

	if (b->fd < 0)
		return 0;
	while (off < b->len) {
		n = write(b->fd, b->data + off, b->len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (!b->error)
				b->error = errno;
			b->len = 0;
			return -1;
		}
		off += (size_t)n;
	}
	b->len = 0;
	return 0;
}

const char *
buf_str(struct buf *b)
{
	buf_grow(b, 1);
	b->data[b->len] = '\0';
	return b->data;
}
