/*
 * One section as CSV (RFC 4180): a header of the JSON keys, then its rows.
 * Text cells go through csv_field() (quoted, and a formula made harmless);
 * numbers and times are written as they are.
 */
#include <stdio.h>
#include <string.h>

#include "output/text.h"
#include "report/report.h"

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
			if (c->null)
				continue;
			switch (t->cols[i].type) {
			case REP_PCT:
				buf_printf(b, "%.3f", c->d);
				break;
			case REP_INT:
			case REP_TIME:
				buf_puts(b, rep_cell_str(&t->cols[i], c, tmp, sizeof(tmp)));
				break;
			case REP_TEXT:
			case REP_HOST:
				csv_field(b, c->s ? c->s : "");
				break;
			}
		}
		buf_puts(b, "\r\n");
		buf_maybe_flush(b);
	}
}
