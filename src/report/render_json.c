/*
 * The report as one JSON document (schema "portscope-report/1", documented
 * in portscope(1) under REPORT JSON): the window, the hosts, the filters,
 * and each section as an array of objects keyed by its columns.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "output/json.h"
#include "report/report.h"

/* A time as ISO 8601 in the report's zone, with its offset ("Z" when the
 * offset is 0: UTC, --utc). */
static void
json_ktime(struct buf *b, const char *key, int64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;
	char s[48];
	long off;
	size_t n;

	localtime_r(&sec, &tm);
	n = strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	off = tm.tm_gmtoff;
	if (off == 0)
		snprintf(s + n, sizeof(s) - n, "Z");
	else
		snprintf(s + n, sizeof(s) - n, "%c%02ld:%02ld", off < 0 ? '-' : '+',
		    labs(off) / 3600, labs(off) / 60 % 60);
	json_kstr(b, key, s);
}

/* Write the sections' objects into b (shared with the HTML page's data). */
static void
json_sections(const struct report *rep, struct buf *b)
{
	const struct rep_table *t;
	const struct rep_cell *c;
	size_t r;
	int s, i;

	json_key(b, "sections");
	buf_putc(b, '{');
	for (s = 0; s < SEC_COUNT; s++) {
		if (!rep->want[s])
			continue;
		t = &rep->tables[s];
		json_key(b, t->name);
		buf_putc(b, '[');
		for (r = 0; r < t->nrows; r++) {
			/* Not json_sep(): it looks at the buffer, which
			 * buf_maybe_flush() below may have emptied. */
			if (r > 0)
				buf_putc(b, ',');
			buf_putc(b, '{');
			for (i = 0; i < t->ncols; i++) {
				c = rep_cell(t, r, i);
				if (c->null) {
					json_knull(b, t->cols[i].key);
					continue;
				}
				switch (t->cols[i].type) {
				case REP_TEXT:
				case REP_HOST:
					json_kstr(b, t->cols[i].key, c->s);
					break;
				case REP_INT:
					json_ki64(b, t->cols[i].key, c->i);
					break;
				case REP_TIME:
					json_ktime(b, t->cols[i].key, c->i);
					break;
				case REP_PCT:
					json_key(b, t->cols[i].key);
					buf_printf(b, "%.3f", c->d);
					break;
				}
			}
			buf_putc(b, '}');
			buf_maybe_flush(b);
		}
		buf_putc(b, ']');
	}
	buf_putc(b, '}');
}

void
render_json(const struct report *rep, const struct report_opts *o, struct buf *b)
{
	size_t i;

	buf_putc(b, '{');
	json_kstr(b, "schema", "portscope-report/1");
	json_ktime(b, "generated", rep->generated);
	json_key(b, "hosts");
	buf_putc(b, '[');
	for (i = 0; i < rep->nhosts; i++) {
		json_sep(b);
		json_str(b, rep->hosts[i]);
	}
	buf_putc(b, ']');
	json_ktime(b, "since", rep->since);
	json_ktime(b, "until", rep->until);
	json_kstr(b, "time_zone", rep->tz);
	json_key(b, "recorded_seconds");
	buf_printf(b, "%.3f", (double)rep->recorded_ns / 1e9);
	json_key(b, "filters");
	buf_putc(b, '{');
	if (o->port >= 0)
		json_ki64(b, "port", o->port);
	else
		json_knull(b, "port");
	json_kstr(b, "process", o->process);
	json_kstr(b, "user", o->user);
	json_kstr(b, "unit", o->unit);
	buf_putc(b, '}');
	json_key(b, "names");
	if (rep->names.asked) {
		buf_putc(b, '{');
		json_ki64(b, "addresses", (int64_t)rep->names.addresses);
		json_ki64(b, "named", (int64_t)rep->names.named);
		json_ki64(b, "no_name", (int64_t)rep->names.no_name);
		json_ki64(b, "rejected", (int64_t)rep->names.rejected);
		json_ki64(b, "not_resolved", (int64_t)rep->names.unresolved);
		json_key(b, "timeout_seconds");
		buf_printf(b, "%g", (double)rep->names.timeout_ms / 1000);
		buf_putc(b, '}');
	} else {
		buf_puts(b, "null");
	}
	json_sections(rep, b);
	buf_puts(b, "}\n");
}
