/*
 * One section as CSV (RFC 4180): a header of the JSON keys, then its rows.
 */
#include <stdio.h>
#include <string.h>

#include "report/report.h"

static void
csv_field(struct buf *b, const char *s)
{
	if (strpbrk(s, ",\"\r\n") == NULL) {
		buf_puts(b, s);
		return;
	}
	buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_putc(b, '"');
		buf_putc(b, *s);
	}
	buf_putc(b, '"');
}

void
render_csv(const struct report *rep, enum rep_section sec, struct buf *b)
{
	const struct rep_table *t = &rep->tables[sec];
	const struct rep_cell *c;
	char tmp[64];
	size_t r;
	int i;

	for (i = 0; i < t->ncols; i++) {
		if (i)
			buf_putc(b, ',');
		buf_puts(b, t->cols[i].key);
	}
	buf_puts(b, "\r\n");
	for (r = 0; r < t->nrows; r++) {
		for (i = 0; i < t->ncols; i++) {
			if (i)
				buf_putc(b, ',');
			c = rep_cell(t, r, i);
			if (t->cols[i].type == REP_PCT && !c->null) {
				snprintf(tmp, sizeof(tmp), "%.3f", c->d);
				buf_puts(b, tmp);
			} else {
				csv_field(b, rep_cell_str(&t->cols[i], c, tmp, sizeof(tmp)));
			}
		}
		buf_puts(b, "\r\n");
		buf_maybe_flush(b);
	}
}
