#include <string.h>

#include "output/text.h"

void
text_sanitize(struct buf *b, const void *v, size_t n, int keep_nl)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = v;
	size_t i;

	buf_grow(b, n);
	for (i = 0; i < n; i++) {
		if ((p[i] >= 0x20 && p[i] < 0x7f) || (keep_nl && p[i] == '\n'))
			buf_putc(b, (char)p[i]);
		else {
			char esc[4] = { '\\', 'x', hex[p[i] >> 4], hex[p[i] & 15] };
			buf_add(b, esc, 4);
		}
	}
}

void
text_col(struct buf *b, const char *s, size_t w)
{
	size_t n = strlen(s);

	buf_add(b, s, n);
	buf_pad(b, n < w ? w - n : 1, ' ');
}

void
csv_field(struct buf *b, const char *s)
{
	const char *p;

	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}
