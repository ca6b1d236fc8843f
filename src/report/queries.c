/*
 * The Parser's questions as SQL over the reader's views.  The window and
 * the filters are one view, iv, of the intervals they select, with each interval's times clipped to the window
 * (t0, t1); every section is one query over iv.  "% of the recorded time"
 * is the length of the union of a port's (or program's) intervals over the
 * time the recorders ran in the window (the runs table): the union is the
 * sum over intervals sorted by start of what each adds past the latest end
 * before it (a window function).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/json.h"
#include "report/report.h"
#include "util/buf.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define CONN_KINDS	"('connect', 'udp_flow', 'accept', 'established')"
#define SERVER_KINDS	"('listen', 'bound')"

/* The window and filters: one row, bound once; iv reads them. */
static const char sql_w[] =
"CREATE TEMP TABLE w AS SELECT ?1 AS w_since, ?2 AS w_until, ?3 AS w_port,\n"
"  ?4 AS w_process, ?5 AS w_user, ?6 AS w_unit";
/* A view, not a table: writing a copy of a million intervals costs more
 * than reading them again in each section. */
static const char sql_iv[] =
"CREATE TEMP VIEW iv AS SELECT host, kind, proto, local_addr, local_port,\n"
"  remote_addr, remote_port, process_id, pid, uid,\n"
"  coalesce(user, CAST(uid AS TEXT), '?') AS user, coalesce(exe, comm, '?') AS prog,\n"
"  coalesce(unit, container) AS unit, opened, max(opened, w_since) AS t0,\n"
"  min(coalesce(closed, run_end, opened), w_until) AS t1, count\n"
"FROM all_intervals, w\n"
"WHERE opened < w_until AND coalesce(closed, run_end, opened) >= w_since\n"
"  AND (w_port < 0 OR local_port = w_port OR remote_port = w_port)\n"
"  AND (w_process = '' OR comm = w_process OR exe = w_process\n"
"       OR substr(exe, -length(w_process) - 1) = '/' || w_process\n"
"       OR substr(exe, -length(w_process) - 11) = '/' || w_process || ' (deleted)')\n"
"  AND (w_user = '' OR user = w_user OR CAST(uid AS TEXT) = w_user)\n"
"  AND (w_unit = '' OR unit = w_unit OR container = w_unit)";

static const char sql_rec[] =
"CREATE TEMP TABLE rec AS SELECT host,\n"
"  sum(max(0, min(coalesce(stopped, last_commit, started), ?2) - max(started, ?1))) AS ns\n"
"FROM all_runs GROUP BY host";

/* One row per section table; the SELECT's columns are the table's. */
static const struct rep_col cols_ports[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "proto", "PROTO", REP_TEXT, 0 },
	{ "port", "PORT", REP_INT, 0 },
	{ "kinds", "USE", REP_TEXT, 13 },
	{ "programs", "PROGRAMS", REP_TEXT, 30 },
	{ "users", "USERS", REP_TEXT, 12 },
	{ "first_seen", "FIRST SEEN", REP_TIME, 0 },
	{ "last_seen", "LAST SEEN", REP_TIME, -1 },
	{ "pct_time", "%TIME", REP_PCT, 0 },
	{ "connections", "CONNS", REP_INT, 0 },
};
static const char sql_ports[] =
"WITH u AS (SELECT host, proto, local_port, t0, t1,\n"
"    max(t1) OVER (PARTITION BY host, proto, local_port ORDER BY t0\n"
"      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm\n"
"    FROM iv WHERE kind IN ('listen', 'bound', 'accept')),\n"
"  b AS (SELECT host, proto, local_port,\n"
"    sum(max(0, t1 - max(t0, coalesce(pm, t0)))) AS busy FROM u GROUP BY 1, 2, 3),\n"
"  a AS (SELECT host, proto, local_port, group_concat(DISTINCT kind) AS kinds,\n"
"    group_concat(DISTINCT prog) AS progs, group_concat(DISTINCT user) AS users,\n"
"    min(t0) AS first, max(t1) AS last,\n"
"    sum(CASE WHEN kind = 'accept' THEN count ELSE 0 END) AS conns\n"
"    FROM iv WHERE kind IN ('listen', 'bound', 'accept') GROUP BY 1, 2, 3)\n"
"SELECT a.host, a.proto, a.local_port, kinds, progs, users, first, last,\n"
"  CASE WHEN rec.ns > 0 THEN 100.0 * b.busy / rec.ns END, conns\n"
"FROM a JOIN b USING (host, proto, local_port) LEFT JOIN rec USING (host)\n"
"ORDER BY a.host, a.local_port, a.proto";

static const struct rep_col cols_processes[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "program", "PROGRAM", REP_TEXT, 34 },
	{ "ports", "LISTENS ON", REP_TEXT, 20 },
	{ "outgoing", "OUT", REP_INT, 0 },
	{ "incoming", "IN", REP_INT, 0 },
	{ "users", "USERS", REP_TEXT, 12 },
	{ "units", "UNITS", REP_TEXT, 16 },
	{ "pct_time", "%TIME", REP_PCT, 0 },
};
static const char sql_processes[] =
"WITH u AS (SELECT host, prog, t0, t1,\n"
"    max(t1) OVER (PARTITION BY host, prog ORDER BY t0\n"
"      ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS pm FROM iv),\n"
"  b AS (SELECT host, prog, sum(max(0, t1 - max(t0, coalesce(pm, t0)))) AS busy\n"
"    FROM u GROUP BY 1, 2),\n"
"  a AS (SELECT host, prog,\n"
"    group_concat(DISTINCT CASE WHEN kind IN " SERVER_KINDS " THEN proto || '/' || local_port END) AS ports,\n"
"    sum(CASE WHEN kind IN ('connect', 'udp_flow') THEN count ELSE 0 END) AS outgoing,\n"
"    sum(CASE WHEN kind = 'accept' THEN count ELSE 0 END) AS incoming,\n"
"    group_concat(DISTINCT user) AS users, group_concat(DISTINCT unit) AS units\n"
"    FROM iv GROUP BY 1, 2)\n"
"SELECT a.host, a.prog, ports, outgoing, incoming, users, units,\n"
"  CASE WHEN rec.ns > 0 THEN 100.0 * b.busy / rec.ns END\n"
"FROM a JOIN b USING (host, prog) LEFT JOIN rec USING (host)\n"
"ORDER BY a.host, a.prog";

static const struct rep_col cols_remotes[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "direction", "DIR", REP_TEXT, 0 },
	{ "proto", "PROTO", REP_TEXT, 0 },
	{ "address", "REMOTE ADDRESS", REP_TEXT, 39 },
	{ "port", "PORT", REP_INT, 0 },
	{ "connections", "CONNS", REP_INT, 0 },
	{ "programs", "PROGRAMS", REP_TEXT, 30 },
	{ "first_seen", "FIRST SEEN", REP_TIME, 0 },
};
static const char sql_remotes[] =
"SELECT host, CASE kind WHEN 'accept' THEN 'in' WHEN 'established' THEN '?' ELSE 'out' END AS dir,\n"
"  proto, remote_addr, CASE WHEN kind = 'accept' THEN local_port ELSE remote_port END AS port,\n"
"  sum(count) AS n, group_concat(DISTINCT prog), min(t0)\n"
"FROM iv WHERE remote_addr IS NOT NULL AND kind IN " CONN_KINDS "\n"
"GROUP BY 1, 2, 3, 4, 5 ORDER BY n DESC, host, remote_addr, port";

static const struct rep_col cols_users[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "user", "USER", REP_TEXT, 16 },
	{ "ports", "LISTENS ON", REP_TEXT, 24 },
	{ "programs", "PROGRAMS", REP_TEXT, 44 },
	{ "connections", "CONNS", REP_INT, 0 },
};
static const char sql_users[] =
"SELECT host, user,\n"
"  group_concat(DISTINCT CASE WHEN kind IN " SERVER_KINDS " THEN proto || '/' || local_port END),\n"
"  group_concat(DISTINCT prog),\n"
"  sum(CASE WHEN kind IN " CONN_KINDS " THEN count ELSE 0 END)\n"
"FROM iv GROUP BY 1, 2 ORDER BY 1, 2";

static const struct rep_col cols_hours[] = {
	{ "hour", "HOUR", REP_INT, 0 },
	{ "connections", "CONNECTIONS", REP_INT, 0 },
	{ "sockets", "SOCKETS", REP_INT, 0 },
};
static const char sql_hours[] =
"SELECT (opened / 3600000000000) % 24 AS h,\n"
"  sum(CASE WHEN kind IN " CONN_KINDS " THEN count ELSE 0 END), sum(count)\n"
"FROM iv WHERE opened >= ?1 GROUP BY h ORDER BY h";

static const struct rep_col cols_days[] = {
	{ "day", "DAY", REP_TEXT, 0 },
	{ "connections", "CONNECTIONS", REP_INT, 0 },
	{ "sockets", "SOCKETS", REP_INT, 0 },
	{ "programs", "PROGRAMS", REP_INT, 0 },
};
static const char sql_days[] =
"SELECT date(opened / 1000000000, 'unixepoch') AS d,\n"
"  sum(CASE WHEN kind IN " CONN_KINDS " THEN count ELSE 0 END), sum(count),\n"
"  count(DISTINCT prog)\n"
"FROM iv WHERE opened >= ?1 GROUP BY d ORDER BY d";

static const struct rep_col cols_interest[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "what", "WHAT", REP_TEXT, 0 },
	{ "subject", "SUBJECT", REP_TEXT, 36 },
	{ "programs", "PROGRAMS", REP_TEXT, 30 },
	{ "detail", "DETAIL", REP_TEXT, 40 },
};
static const char sql_int_ports[] =
"SELECT host, 'port of interest', proto || '/' || p, group_concat(DISTINCT prog),\n"
"  group_concat(DISTINCT what) || '; ' || sum(count) || ' socket(s)'\n"
"FROM (SELECT host, proto, local_port AS p, prog, kind AS what, count FROM iv\n"
"    WHERE local_port IN (SELECT value FROM json_each(?1))\n"
"  UNION ALL SELECT host, proto, remote_port, prog, 'to ' || remote_addr, count FROM iv\n"
"    WHERE kind IN ('connect', 'udp_flow', 'established')\n"
"      AND remote_port IN (SELECT value FROM json_each(?1)))\n"
"GROUP BY host, proto, p ORDER BY host, p, proto";
static const char sql_int_users[] =
"SELECT host, 'user of interest', user, group_concat(DISTINCT prog),\n"
"  sum(count) || ' socket(s)'\n"
"FROM iv WHERE user IN (SELECT value FROM json_each(?1))\n"
"  OR CAST(uid AS TEXT) IN (SELECT value FROM json_each(?1))\n"
"GROUP BY host, user ORDER BY host, user";
static const char sql_int_open[] =
"SELECT l.host, 'listener never connected to', l.proto || '/' || l.local_port,\n"
"  group_concat(DISTINCT l.prog), 'listening on ' || l.local_addr\n"
"FROM iv l LEFT JOIN (SELECT DISTINCT host, proto, local_port FROM iv\n"
"    WHERE kind = 'accept') a\n"
"  ON a.host = l.host AND a.proto = l.proto AND a.local_port = l.local_port\n"
"WHERE l.kind = 'listen' AND l.local_addr IN ('0.0.0.0', '::') AND a.local_port IS NULL\n"
"GROUP BY l.host, l.proto, l.local_port, l.local_addr ORDER BY 1, l.local_port";
static const char sql_base[] =
"CREATE TEMP TABLE base AS SELECT DISTINCT host, proto, local_port FROM all_intervals\n"
"WHERE kind IN " SERVER_KINDS " AND opened < ?2 AND coalesce(closed, run_end, opened) >= ?1";
static const char sql_int_new[] =
"SELECT host, 'new since baseline', proto || '/' || local_port, group_concat(DISTINCT prog),\n"
"  'first seen ' || strftime('%Y-%m-%d %H:%M:%S', min(t0) / 1000000000, 'unixepoch')\n"
"FROM iv WHERE kind IN " SERVER_KINDS " AND NOT EXISTS (SELECT 1 FROM base b\n"
"  WHERE b.host = iv.host AND b.proto = iv.proto AND b.local_port = iv.local_port)\n"
"GROUP BY host, proto, local_port ORDER BY host, local_port";
static const char sql_int_paths[] =
"SELECT DISTINCT p.host, p.exe, group_concat(DISTINCT p.user) FROM all_processes p\n"
"JOIN (SELECT DISTINCT host, process_id FROM iv) u ON u.host = p.host AND u.process_id = p.id\n"
"WHERE p.exe IS NOT NULL GROUP BY p.host, p.exe";
static const char sql_int_remotes[] =
"SELECT host, remote_addr, group_concat(DISTINCT prog), sum(count) FROM iv\n"
"WHERE remote_addr IS NOT NULL AND kind IN " CONN_KINDS " GROUP BY host, remote_addr\n"
"ORDER BY host, remote_addr";

static const struct {
	const char		*name, *title;
	const struct rep_col	*cols;
	int			 ncols;
	const char		*sql;
} sections[SEC_COUNT] = {
#define S(e, n, t, c, q) [e] = { n, t, c, (int)(sizeof(c) / sizeof(c[0])), q }
	S(SEC_INTEREST, "interest", "Things of interest", cols_interest, NULL),
	S(SEC_PORTS, "ports", "Ports (listened on, bound, accepted on)", cols_ports, sql_ports),
	S(SEC_PROCESSES, "processes", "Programs", cols_processes, sql_processes),
	S(SEC_REMOTES, "remotes", "Remote ends", cols_remotes, sql_remotes),
	S(SEC_USERS, "users", "Users", cols_users, sql_users),
	S(SEC_HOURS, "hours", "Sockets opened per hour of day (UTC)", cols_hours, sql_hours),
	S(SEC_DAYS, "days", "Sockets opened per day (UTC)", cols_days, sql_days),
#undef S
};

/* Run sql with args and append each row to t, column by column by type. */
static int
fill(struct store_reader *r, struct rep_table *t, const char *sql,
    const struct store_arg *args, size_t nargs, char *err, size_t errlen)
{
	struct store_rows *rows;
	struct rep_cell *c;
	int rc, i;

	if (!(rows = store_query(r, sql, args, nargs, err, errlen)))
		return -1;
	while ((rc = store_rows_next(rows, err, errlen)) == 1) {
		c = rep_row(t);
		for (i = 0; i < t->ncols; i++) {
			if (store_rows_isnull(rows, i))
				continue;
			switch (t->cols[i].type) {
			case REP_TEXT:
			case REP_HOST:
				rep_set_text(&c[i], store_rows_text(rows, i));
				break;
			case REP_INT:
			case REP_TIME:
				rep_set_int(&c[i], store_rows_int(rows, i));
				break;
			case REP_PCT:
				rep_set_pct(&c[i], store_rows_real(rows, i));
				break;
			}
		}
	}
	store_rows_free(rows);
	return rc;
}

/* Hours: all 24, those without sockets as zeros. */
static int
fill_hours(struct store_reader *r, struct rep_table *t, const struct store_arg *args,
    char *err, size_t errlen)
{
	struct rep_table tmp = *t;
	struct rep_cell *c;
	size_t i;
	int h;

	tmp.nrows = 0;
	memset(&tmp.cells, 0, sizeof(tmp.cells));
	if (fill(r, &tmp, sql_hours, args, 2, err, errlen) == -1) {
		VEC_FREE(&tmp.cells);
		return -1;
	}
	for (h = 0; h < 24; h++) {
		c = rep_row(t);
		rep_set_int(&c[0], h);
		rep_set_int(&c[1], 0);
		rep_set_int(&c[2], 0);
		for (i = 0; i < tmp.nrows; i++) {
			if (rep_cell(&tmp, i, 0)->i == h) {
				c[1] = *rep_cell(&tmp, i, 1);
				c[2] = *rep_cell(&tmp, i, 2);
			}
		}
	}
	VEC_FREE(&tmp.cells);
	return 0;
}

static void
interest_row(struct rep_table *t, const char *host, const char *what, const char *subject,
    const char *programs, const char *detail)
{
	struct rep_cell *c = rep_row(t);

	rep_set_text(&c[0], host);
	rep_set_text(&c[1], what);
	rep_set_text(&c[2], subject);
	rep_set_text(&c[3], programs);
	rep_set_text(&c[4], detail);
}

struct exe_row {
	char	*host, *exe, *users;
	char	*path;		/* exe without " (deleted)" */
	const char *name;	/* its last component */
	int	 deleted;
};

static int
exe_cmp(const void *a, const void *b)
{
	const struct exe_row *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c == 0)
		c = strcmp(x->name, y->name);
	if (c == 0)
		c = strcmp(x->path, y->path);
	return c;
}

/* Executables from odd places: deleted, under a temporary or home
 * directory, or one name run from two paths. */
static int
odd_paths(struct store_reader *r, struct rep_table *t, char *err, size_t errlen)
{
	static const char *const odd_dirs[] = { "/tmp/", "/var/tmp/", "/dev/shm/",
	    "/home/", "/root/", "/run/user/" };
	static const char deleted[] = " (deleted)";
	struct { struct exe_row *v; size_t n, cap; } ex = { 0 };
	struct store_rows *rows;
	struct exe_row *e;
	struct buf d;
	size_t i, j, k, len;
	const char *slash;
	int rc;

	if (!(rows = store_query(r, sql_int_paths, NULL, 0, err, errlen)))
		return -1;
	while ((rc = store_rows_next(rows, err, errlen)) == 1) {
		e = VEC_PUSH(&ex);
		e->host = xstrdup(store_rows_text(rows, 0));
		e->exe = xstrdup(store_rows_text(rows, 1));
		e->users = store_rows_isnull(rows, 2) ? NULL : xstrdup(store_rows_text(rows, 2));
		len = strlen(e->exe);
		e->deleted = len > sizeof(deleted) - 1 &&
		    strcmp(e->exe + len - (sizeof(deleted) - 1), deleted) == 0;
		e->path = xstrndup(e->exe, e->deleted ? len - (sizeof(deleted) - 1) : len);
		slash = strrchr(e->path, '/');
		e->name = slash ? slash + 1 : e->path;
	}
	store_rows_free(rows);
	if (rc == -1)
		goto out;
	qsort(ex.v, ex.n, sizeof(*ex.v), exe_cmp);
	buf_init(&d);
	for (i = 0; i < ex.n; i++) {
		e = &ex.v[i];
		buf_reset(&d);
		if (e->deleted)
			buf_puts(&d, "deleted executable");
		for (k = 0; k < sizeof(odd_dirs) / sizeof(odd_dirs[0]); k++) {
			if (strncmp(e->path, odd_dirs[k], strlen(odd_dirs[k])) == 0) {
				buf_printf(&d, "%sunder %.*s", d.len ? "; " : "",
				    (int)strlen(odd_dirs[k]) - 1, odd_dirs[k]);
				break;
			}
		}
		for (j = 0; j < ex.n; j++) {
			if (j != i && strcmp(ex.v[j].host, e->host) == 0 &&
			    strcmp(ex.v[j].name, e->name) == 0 &&
			    strcmp(ex.v[j].path, e->path) != 0)
				buf_printf(&d, "%s'%s' also runs from %s", d.len ? "; " : "",
				    e->name, ex.v[j].path);
		}
		if (d.len && e->users)
			buf_printf(&d, "; run by %s", e->users);
		if (d.len)
			interest_row(t, e->host, "odd executable path", e->exe, e->name,
			    buf_str(&d));
	}
	buf_release(&d);
out:
	for (i = 0; i < ex.n; i++) {
		free(ex.v[i].host);
		free(ex.v[i].exe);
		free(ex.v[i].users);
		free(ex.v[i].path);
	}
	VEC_FREE(&ex);
	return rc;
}

static int
remotes_of_interest(struct store_reader *r, struct rep_table *t, const struct report_opts *o,
    char *err, size_t errlen)
{
	struct store_rows *rows;
	const char *addr;
	char detail[96];
	size_t k;
	int rc;

	if (!(rows = store_query(r, sql_int_remotes, NULL, 0, err, errlen)))
		return -1;
	while ((rc = store_rows_next(rows, err, errlen)) == 1) {
		addr = store_rows_text(rows, 1);
		for (k = 0; k < o->nremotes_of_interest; k++) {
			if (rep_cidr_match(o->remotes_of_interest[k], addr) == 1) {
				snprintf(detail, sizeof(detail), "in %s; %" PRId64 " connection(s)",
				    o->remotes_of_interest[k], store_rows_int(rows, 3));
				interest_row(t, store_rows_text(rows, 0), "remote of interest",
				    addr, store_rows_text(rows, 2), detail);
				break;
			}
		}
	}
	store_rows_free(rows);
	return rc;
}

static char *
json_list_str(const char *const *s, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_putc(&b, '[');
	for (i = 0; i < n; i++) {
		json_sep(&b);
		json_str(&b, s[i]);
	}
	buf_putc(&b, ']');
	return buf_detach(&b);
}

static int
fill_interest(struct store_reader *r, struct rep_table *t, const struct report_opts *o,
    char *err, size_t errlen)
{
	struct store_arg a[2] = { { 0 } };
	struct buf b;
	char *list;
	size_t i;
	int rc = 0;

	if (o->nports_of_interest) {
		buf_init(&b);
		buf_putc(&b, '[');
		for (i = 0; i < o->nports_of_interest; i++)
			buf_printf(&b, "%s%u", i ? "," : "", o->ports_of_interest[i]);
		buf_putc(&b, ']');
		a[0].s = buf_str(&b);
		rc = fill(r, t, sql_int_ports, a, 1, err, errlen);
		buf_release(&b);
		if (rc == -1)
			return -1;
	}
	if (o->nusers_of_interest) {
		list = json_list_str(o->users_of_interest, o->nusers_of_interest);
		a[0].s = list;
		rc = fill(r, t, sql_int_users, a, 1, err, errlen);
		free(list);
		if (rc == -1)
			return -1;
	}
	if (o->nremotes_of_interest && remotes_of_interest(r, t, o, err, errlen) == -1)
		return -1;
	if (odd_paths(r, t, err, errlen) == -1)
		return -1;
	if (fill(r, t, sql_int_open, NULL, 0, err, errlen) == -1)
		return -1;
	if (o->base_until > 0) {
		a[0].s = a[1].s = NULL;
		a[0].i = o->base_since;
		a[1].i = o->base_until;
		if (store_exec_sql(r, sql_base, a, 2, err, errlen) == -1 ||
		    store_exec_sql(r, "CREATE INDEX temp.base_port ON base (local_port)",
		    NULL, 0, err, errlen) == -1 ||
		    fill(r, t, sql_int_new, NULL, 0, err, errlen) == -1)
			return -1;
	}
	return 0;
}

int
report_span(struct store_reader *r, int64_t *first, int64_t *last, char *err, size_t errlen)
{
	struct store_rows *rows;
	int rc;

	*first = *last = 0;
	rows = store_query(r, "SELECT min(started), max(coalesce(stopped, last_commit, started)) "
	    "FROM all_runs", NULL, 0, err, errlen);
	if (!rows)
		return -1;
	if ((rc = store_rows_next(rows, err, errlen)) == 1) {
		*first = store_rows_int(rows, 0);
		*last = store_rows_int(rows, 1);
	}
	store_rows_free(rows);
	return rc < 0 ? -1 : 0;
}

int
report_build(struct report *rep, struct store_reader *r, const struct report_opts *o,
    const int *want, char *err, size_t errlen)
{
	struct store_arg a[6] = { { 0 } };
	struct store_rows *rows;
	struct rep_table *t;
	size_t i;
	int s, rc;

	memset(rep, 0, sizeof(*rep));
	rep->since = o->since;
	rep->until = o->until;
	rep->nhosts = store_reader_nhosts(r);
	rep->hosts = xcalloc(rep->nhosts + 1, sizeof(*rep->hosts));
	for (i = 0; i < rep->nhosts; i++)
		rep->hosts[i] = xstrdup(store_reader_host(r, i));
	for (s = 0; s < SEC_COUNT; s++) {
		t = &rep->tables[s];
		t->sec = (enum rep_section)s;
		t->name = sections[s].name;
		t->title = sections[s].title;
		t->cols = sections[s].cols;
		t->ncols = sections[s].ncols;
		rep->want[s] = want[s];
	}
	a[0].i = o->since;
	a[1].i = o->until;
	a[2].i = o->port;
	a[3].s = o->process ? o->process : "";
	a[4].s = o->user ? o->user : "";
	a[5].s = o->unit ? o->unit : "";
	if (store_exec_sql(r, sql_w, a, 6, err, errlen) == -1 ||
	    store_exec_sql(r, sql_iv, NULL, 0, err, errlen) == -1 ||
	    store_exec_sql(r, sql_rec, a, 2, err, errlen) == -1)
		return -1;
	if (!(rows = store_query(r, "SELECT sum(ns) FROM rec", NULL, 0, err, errlen)))
		return -1;
	if ((rc = store_rows_next(rows, err, errlen)) == 1)
		rep->recorded_ns = store_rows_int(rows, 0);
	store_rows_free(rows);
	if (rc == -1)
		return -1;
	for (s = 0; s < SEC_COUNT; s++) {
		if (!want[s])
			continue;
		t = &rep->tables[s];
		if (s == SEC_INTEREST)
			rc = fill_interest(r, t, o, err, errlen);
		else if (s == SEC_HOURS)
			rc = fill_hours(r, t, a, err, errlen);
		else
			rc = fill(r, t, sections[s].sql, a, 2, err, errlen);
		if (rc == -1)
			return -1;
	}
	return 0;
}

void
report_free(struct report *rep)
{
	size_t i;
	int s;

	for (s = 0; s < SEC_COUNT; s++) {
		for (i = 0; i < rep->tables[s].cells.n; i++)
			free(rep->tables[s].cells.v[i].s);
		VEC_FREE(&rep->tables[s].cells);
	}
	for (i = 0; i < rep->nhosts; i++)
		free(rep->hosts[i]);
	free(rep->hosts);
}
