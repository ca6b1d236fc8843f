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

/* Would a spreadsheet take s for a formula: does it start with '=', '+',
 * '-', '@', a tab or a carriage return (OWASP, "CSV Injection")? */
static int
csv_formula(const char *s)
{
	return s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL;
}

/* Does s need quotes in a CSV field: a separator (',' or the ';' that
 * some spreadsheets take for one), a quote, or a line break? */
static int
csv_needs_quotes(const char *s)
{
	return strpbrk(s, ",;\"\r\n") != NULL;
}

void
csv_field(struct buf *b, const char *s)
{
	const char *p;
	int formula = csv_formula(s);

	if (!formula && !csv_needs_quotes(s)) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	if (formula)
		buf_putc(b, '\'');
	for (p = s; *p; p++) {
		if (*p == '"')
			buf_putc(b, '"');
		buf_putc(b, *p);
	}
	buf_putc(b, '"');
}

void
csv_text(struct buf *b, const char *s, const char *reserved)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x20 && *p < 0x7f && *p != '\\' && strchr(reserved, *p) == NULL)
			buf_putc(b, (char)*p);
		else {
			char esc[4] = { '\\', 'x', hex[*p >> 4], hex[*p & 15] };
			buf_add(b, esc, 4);
		}
	}
}
