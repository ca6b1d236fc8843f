/*
 * The report as text for a terminal: a header, then each section as an
 * aligned table no wider than 100 columns (long text is cut, marked '~').
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "util/xmalloc.h"

#define TEXT_WIDTH	100
#define MIN_COL		8

/* Display width of s: UTF-8 code points. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Append s cut to w display columns ('~' marks a cut), padded to w. */
static void
put_cell(struct buf *b, const char *s, size_t w, int right, int last)
{
	size_t sw = width(s), n = 0;
	const char *p;

	if (sw > w) {
		for (p = s; *p && n < w - 1; ) {
			buf_putc(b, *p++);
			while ((*p & 0xc0) == 0x80)
				buf_putc(b, *p++);
			n++;
		}
		buf_putc(b, '~');
		return;
	}
	if (right)
		buf_pad(b, w - sw, ' ');
	buf_puts(b, s);
	if (!right && !last)
		buf_pad(b, w - sw, ' ');
}

/* A host label cut to w: a machine id's " (1a2b3c4d)" at its end is kept
 * and the hostname before it cut, so that two machines of one hostname
 * stay apart in a narrow column. */
static void
put_host(struct buf *b, const char *s, size_t w, int last)
{
	const char *tail = strrchr(s, ' ');
	size_t tw = tail ? width(tail) : 0;
	char *head;

	if (width(s) <= w || !tail || tail[1] != '(' || s[strlen(s) - 1] != ')' ||
	    tw + 2 > w) {
		put_cell(b, s, w, 0, last);
		return;
	}
	head = xstrndup(s, (size_t)(tail - s));
	put_cell(b, head, w - tw, 0, 1);
	buf_puts(b, tail);
	free(head);
}

/* Things of interest as a list: what and subject on one line, the detail
 * and programs on the next (each cut at 100 columns). */
static void
render_interest(const struct report *rep, const struct rep_table *t, struct buf *b)
{
	const struct rep_cell *c;
	struct buf line;
	size_t r;

	buf_init(&line);
	for (r = 0; r < t->nrows; r++) {
		c = rep_cell(t, r, 0);
		buf_reset(&line);
		if (rep->nhosts > 1)
			buf_printf(&line, "%s: ", c[0].s ? c[0].s : "");
		buf_printf(&line, "%s: %s", c[1].s ? c[1].s : "", c[2].s ? c[2].s : "");
		buf_puts(b, "  ");
		put_cell(b, buf_str(&line), TEXT_WIDTH - 2, 0, 1);
		buf_reset(&line);
		buf_printf(&line, "%s%s%s", c[4].s ? c[4].s : "",
		    c[4].s && c[3].s ? "; programs: " : "", c[3].s ? c[3].s : "");
		buf_puts(b, "\n      ");
		put_cell(b, buf_str(&line), TEXT_WIDTH - 6, 0, 1);
		buf_putc(b, '\n');
	}
	buf_release(&line);
}

static void
render_table(const struct report *rep, const struct rep_table *t, struct buf *b)
{
	size_t w[16] = { 0 }, total, r, wide;
	const struct rep_cell *c;
	char tmp[64];
	int i, shown = 0, last = -1, widest;
	int64_t maxh = 0;

	buf_printf(b, "\n%s\n", t->title);
	if (t->nrows == 0) {
		buf_puts(b, "  (none)\n");
		return;
	}
	if (t->sec == SEC_INTEREST) {
		render_interest(rep, t, b);
		return;
	}
	for (i = 0; i < t->ncols; i++) {
		if (!rep_col_shown(rep, &t->cols[i]) || t->cols[i].maxw < 0)
			continue;
		w[i] = width(t->cols[i].head);
		for (r = 0; r < t->nrows; r++) {
			wide = width(rep_cell_str(&t->cols[i], rep_cell(t, r, i), tmp, sizeof(tmp)));
			if (wide > w[i])
				w[i] = wide;
		}
		if (t->cols[i].maxw > 0 && w[i] > (size_t)t->cols[i].maxw)
			w[i] = (size_t)t->cols[i].maxw;
		shown++;
		last = i;
	}
	/* Narrow the widest text column until the table fits. */
	for (;;) {
		total = 2;
		widest = -1;
		for (i = 0; i < t->ncols; i++) {
			if (!w[i])
				continue;
			total += w[i] + 2;
			if (t->cols[i].type == REP_TEXT && w[i] > MIN_COL &&
			    (widest < 0 || w[i] > w[widest]))
				widest = i;
		}
		total -= 2;
		if (total <= TEXT_WIDTH || widest < 0)
			break;
		w[widest]--;
	}
	buf_puts(b, "  ");
	for (i = 0; i < t->ncols; i++) {
		if (!w[i])
			continue;
		put_cell(b, t->cols[i].head, w[i], t->cols[i].type == REP_INT ||
		    t->cols[i].type == REP_PCT, i == last);
		if (i != last)
			buf_puts(b, "  ");
	}
	buf_putc(b, '\n');
	if (t->sec == SEC_HOURS)
		for (r = 0; r < t->nrows; r++)
			if (rep_cell(t, r, 1)->i > maxh)
				maxh = rep_cell(t, r, 1)->i;
	for (r = 0; r < t->nrows; r++) {
		buf_puts(b, "  ");
		for (i = 0; i < t->ncols; i++) {
			if (!w[i])
				continue;
			c = rep_cell(t, r, i);
			if (t->cols[i].type == REP_HOST)
				put_host(b, rep_cell_str(&t->cols[i], c, tmp, sizeof(tmp)),
				    w[i], i == last);
			else
				put_cell(b, rep_cell_str(&t->cols[i], c, tmp, sizeof(tmp)),
				    w[i], t->cols[i].type == REP_INT ||
				    t->cols[i].type == REP_PCT, i == last);
			if (i != last)
				buf_puts(b, "  ");
		}
		if (t->sec == SEC_HOURS && maxh > 0 && rep_cell(t, r, 1)->i > 0) {
			buf_puts(b, "  ");
			buf_pad(b, (size_t)(1 + rep_cell(t, r, 1)->i * 49 / maxh), '#');
		}
		buf_putc(b, '\n');
		buf_maybe_flush(b);
	}
	(void)shown;
}

void
render_text(const struct report *rep, struct buf *b)
{
	char s0[32], s1[32], names[160];
	int64_t rec = rep->recorded_ns / 1000000000;
	size_t i;
	int s;

	buf_puts(b, "portscope report: ");
	for (i = 0; i < rep->nhosts; i++)
		buf_printf(b, "%s%s", i ? ", " : "", rep->hosts[i]);
	rep_time_str(rep->since, s0, sizeof(s0));
	rep_time_str(rep->until, s1, sizeof(s1));
	buf_printf(b, "\nwindow: %s to %s, times in %s\nrecorded %" PRId64 "h %02" PRId64 "m %02"
	    PRId64 "s\n", s0, s1, rep->tz, rec / 3600, rec / 60 % 60, rec % 60);
	if (rep_names_str(rep, names, sizeof(names)))
		buf_printf(b, "%s\n", names);
	for (s = 0; s < SEC_COUNT; s++)
		if (rep->want[s])
			render_table(rep, &rep->tables[s], b);
}
