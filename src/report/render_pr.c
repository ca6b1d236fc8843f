/*
 * PR-PORTS lines, as Port Reporter's PR-PORTS log held them: date, time,
 * protocol, local port, local IP, remote port, remote IP, PID, process,
 * user — comma-separated, one event a line, oldest first; with several
 * hosts (not files: two files of one machine are one host) the host is
 * an eleventh field.  A run that several files of one host hold is
 * printed from one of them (records_skipped_runs).
 */
#include <string.h>

#include "report/records.h"
#include "report/report.h"

static const char sql_pr[] =
"SELECT strftime('%Y-%m-%d', ts / 1000000000, 'unixepoch', 'localtime'),\n"
"  strftime('%H:%M:%S', ts / 1000000000, 'unixepoch', 'localtime'), upper(proto), local_port,\n"
"  local_addr, remote_port, remote_addr, pid, coalesce(exe, comm), user, host, file, run_id\n"
"FROM all_events\n"
"WHERE proto IS NOT NULL AND ts >= ?1 AND ts < ?2\n"
"  AND (?3 < 0 OR local_port = ?3 OR remote_port = ?3)\n"
"  AND (?4 = '' OR comm = ?4 OR exe = ?4 OR substr(exe, -length(?4) - 1) = '/' || ?4\n"
"       OR substr(exe, -length(?4) - 11) = '/' || ?4 || ' (deleted)')\n"
"  AND (?5 = '' OR user = ?5 OR CAST(uid AS TEXT) = ?5)\n"
"  AND (?6 = '' OR unit = ?6 OR container = ?6)\n"
"ORDER BY ts";

int
report_pr(struct store_reader *r, const struct report_opts *o, struct buf *b,
    char *err, size_t errlen)
{
	struct store_arg a[6] = { { 0 } };
	struct store_rows *rows;
	struct hmap skip = { 0 };
	const char *s;
	int rc, i, nf = store_reader_nhosts(r) > 1 ? 11 : 10;

	if (records_skipped_runs(r, &skip, err, errlen) == -1) {
		hmap_release(&skip);
		return -1;
	}

	a[0].i = o->since;
	a[1].i = o->until;
	a[2].i = o->port;
	a[3].s = o->process ? o->process : "";
	a[4].s = o->user ? o->user : "";
	a[5].s = o->unit ? o->unit : "";
	if (!(rows = store_query(r, sql_pr, a, 6, err, errlen))) {
		hmap_release(&skip);
		return -1;
	}
	while ((rc = store_rows_next(rows, err, errlen)) == 1) {
		/* a run another file of the host holds as far or further */
		if (skip.count && hmap_get(&skip, SKIP_KEY(store_rows_int(rows, 11),
		    store_rows_int(rows, 12))))
			continue;
		for (i = 0; i < nf; i++) {
			if (i)
				buf_putc(b, ',');
			s = store_rows_text(rows, i);
			/* a field never holds the separator */
			for (; s && *s; s++)
				buf_putc(b, *s == ',' || *s == '\n' ? ' ' : *s);
		}
		buf_putc(b, '\n');
		buf_maybe_flush(b);
	}
	store_rows_free(rows);
	hmap_release(&skip);
	return rc;
}
