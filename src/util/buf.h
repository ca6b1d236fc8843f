/* A growable byte buffer, the one way strings and output are assembled.
 *
 * A buf owns its memory; buf_detach() hands the bytes (NUL-terminated) to
 * the caller and leaves the buf empty.  When a buf has an fd (buf_init_fd),
 * it writes itself out once it holds BUF_FLUSH_AT bytes, so that a listing
 * of 100k rows costs a few large write(2)s and no stdio. */
#ifndef UTIL_BUF_H
#define UTIL_BUF_H

#include <stddef.h>
#include <stdint.h>

#define BUF_FLUSH_AT	(64 * 1024)

struct buf {
	char	*data;
	size_t	 len;
	size_t	 cap;
	int	 fd;		/* -1: memory only */
	int	 error;		/* errno of the first failed write, 0 if none */
};

void	 buf_init(struct buf *);
void	 buf_init_fd(struct buf *, int);
void	 buf_release(struct buf *);
char	*buf_detach(struct buf *);
void	 buf_reset(struct buf *);
void	 buf_grow(struct buf *, size_t);
void	 buf_add(struct buf *, const void *, size_t);
void	 buf_puts(struct buf *, const char *);
void	 buf_putc(struct buf *, char);
void	 buf_printf(struct buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 buf_u64(struct buf *, uint64_t);
void	 buf_i64(struct buf *, int64_t);
void	 buf_pad(struct buf *, size_t, char);
/* Write everything held to the fd.  Returns 0, or -1 with errno (and
 * buf->error) set; the buf is emptied either way. */
int	 buf_flush(struct buf *);
/* The NUL-terminated contents (valid until the next change). */
const char *buf_str(struct buf *);

static inline void
buf_maybe_flush(struct buf *b)
{
	if (b->fd >= 0 && b->len >= BUF_FLUSH_AT)
		buf_flush(b);
}

#endif
