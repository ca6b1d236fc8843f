/*
 * Reading record databases: an in-memory connection with each file
 * attached read-only (h0, h1, …) and temporary views over all of them.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/reader.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/xmalloc.h"

struct store_reader {
	sqlite3		*db;
	char		**hosts;
	size_t		 n;
};

struct store_rows {
	sqlite3_stmt	*st;
	sqlite3		*db;
};

static int
fail(sqlite3 *db, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, db ? sqlite3_errmsg(db) : "out of memory");
	return -1;
}

/* A file: URI for path, read-only; characters URIs reserve are escaped. */
static char *
ro_uri(const char *path)
{
	struct buf b;
	const unsigned char *p;

	buf_init(&b);
	buf_puts(&b, "file:");
	for (p = (const unsigned char *)path; *p; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20 || *p >= 0x7f)
			buf_printf(&b, "%%%02X", *p);
		else
			buf_putc(&b, (char)*p);
	}
	buf_puts(&b, "?mode=ro");
	return buf_detach(&b);
}

static int64_t
one_int(sqlite3 *db, const char *sql, int *ok)
{
	sqlite3_stmt *st;
	int64_t v = 0;

	*ok = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return 0;
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = sqlite3_column_int64(st, 0);
		*ok = 1;
	}
	sqlite3_finalize(st);
	return v;
}

static int
attach(struct store_reader *r, const char *path, size_t i, char *err, size_t errlen)
{
	struct stat sb;
	sqlite3_stmt *st;
	char sql[160], *uri;
	const unsigned char *h;
	int64_t v;
	int ok, rc;

	if (stat(path, &sb) == -1) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		snprintf(err, errlen, "cannot open '%s': not a regular file", path);
		return -1;
	}
	snprintf(sql, sizeof(sql), "ATTACH ?1 AS h%zu", i);
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK)
		return fail(r->db, "attach", err, errlen);
	uri = ro_uri(path);
	sqlite3_bind_text(st, 1, uri, -1, SQLITE_TRANSIENT);
	free(uri);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errlen, "cannot open '%s': %s", path, sqlite3_errmsg(r->db));
		return -1;
	}
	snprintf(sql, sizeof(sql), "PRAGMA h%zu.user_version", i);
	v = one_int(r->db, sql, &ok);
	if (!ok) {
		snprintf(err, errlen, "cannot read '%s': %s", path, sqlite3_errmsg(r->db));
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT count(*) FROM h%zu.sqlite_master "
	    "WHERE type = 'table' AND name IN ('runs', 'intervals', 'events', 'processes')", i);
	if (v == 0 || (v == STORE_SCHEMA_VERSION && one_int(r->db, sql, &ok) != 4)) {
		snprintf(err, errlen, "'%s': not a portscope record database", path);
		return -1;
	}
	if (v != STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "'%s': schema version %lld, this portscope reads "
		    "version %d", path, (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	snprintf(sql, sizeof(sql), "SELECT value FROM h%zu.meta WHERE key = 'hostname'", i);
	r->hosts[i] = NULL;
	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && (h = sqlite3_column_text(st, 0)))
			r->hosts[i] = xstrdup((const char *)h);
		sqlite3_finalize(st);
	}
	if (!r->hosts[i])
		r->hosts[i] = xstrdup("unknown");
	return 0;
}

/* The views: one SELECT per file, joined with UNION ALL. */
static int
make_views(struct store_reader *r, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		const char *select;	/* %1$s the schema, %2$s the quoted host */
	} views[] = {
		{ "all_runs", "SELECT %2$s AS host, * FROM %1$s.runs" },
		{ "all_processes", "SELECT %2$s AS host, * FROM %1$s.processes" },
		{ "all_intervals",
		  "SELECT %2$s AS host, i.*, p.exe, p.user, p.unit, p.container, p.cmdline, "
		  "coalesce(ru.stopped, ru.last_commit, ru.started) AS run_end "
		  "FROM %1$s.intervals i LEFT JOIN %1$s.processes p ON p.id = i.process_id "
		  "LEFT JOIN %1$s.runs ru ON ru.id = i.run_id" },
		{ "all_events",
		  "SELECT %2$s AS host, e.*, p.exe, p.user, p.unit, p.container "
		  "FROM %1$s.events e LEFT JOIN %1$s.processes p ON p.id = e.process_id" },
	};
	struct buf b;
	size_t v, i;
	char schema[32], *host, *msg = NULL;
	int rc;

	for (v = 0; v < sizeof(views) / sizeof(views[0]); v++) {
		buf_init(&b);
		buf_printf(&b, "CREATE TEMP VIEW %s AS ", views[v].name);
		for (i = 0; i < r->n; i++) {
			snprintf(schema, sizeof(schema), "h%zu", i);
			host = sqlite3_mprintf("%Q", r->hosts[i]);
			if (i > 0)
				buf_puts(&b, " UNION ALL ");
			buf_printf(&b, views[v].select, schema, host);
			sqlite3_free(host);
		}
		rc = sqlite3_exec(r->db, buf_str(&b), NULL, NULL, &msg);
		buf_release(&b);
		if (rc != SQLITE_OK) {
			snprintf(err, errlen, "cannot read the databases: %s",
			    msg ? msg : sqlite3_errmsg(r->db));
			sqlite3_free(msg);
			return -1;
		}
	}
	return 0;
}

struct store_reader *
store_reader_open(const char *const *paths, size_t n, char *err, size_t errlen)
{
	struct store_reader *r = xcalloc(1, sizeof(*r));
	size_t i;

	r->hosts = xcalloc(n ? n : 1, sizeof(*r->hosts));
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_URI, NULL) != SQLITE_OK) {
		fail(r->db, "cannot open SQLite", err, errlen);
		goto fail;
	}
	sqlite3_busy_timeout(r->db, 5000);
	sqlite3_limit(r->db, SQLITE_LIMIT_ATTACHED, 125);
	if (n > 125) {
		snprintf(err, errlen, "too many databases (%zu), at most 125", n);
		goto fail;
	}
	for (i = 0; i < n; i++) {
		if (attach(r, paths[i], i, err, errlen) == -1)
			goto fail;
		r->n = i + 1;
	}
	/* Sorting and temporary tables of a large report stay in memory
	 * within a bounded page cache; past it they spill to a file. */
	sqlite3_exec(r->db, "PRAGMA temp_store = FILE; PRAGMA cache_size = -65536",
	    NULL, NULL, NULL);
	if (make_views(r, err, errlen) == -1)
		goto fail;
	return r;
fail:
	store_reader_close(r);
	return NULL;
}

static int
bind_args(sqlite3_stmt *st, const struct store_arg *args, size_t nargs)
{
	size_t i;
	int rc = SQLITE_OK;

	/* Arguments past the statement's own parameters are not bound: the
	 * callers share one argument list among several statements. */
	for (i = 0; i < nargs && (int)i < sqlite3_bind_parameter_count(st) &&
	    rc == SQLITE_OK; i++) {
		if (args[i].s)
			rc = sqlite3_bind_text(st, (int)i + 1, args[i].s, -1, SQLITE_TRANSIENT);
		else
			rc = sqlite3_bind_int64(st, (int)i + 1, args[i].i);
	}
	return rc;
}

struct store_rows *
store_query(struct store_reader *r, const char *sql, const struct store_arg *args,
    size_t nargs, char *err, size_t errlen)
{
	struct store_rows *rows;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(r->db, sql, -1, &st, NULL) != SQLITE_OK) {
		fail(r->db, "cannot query the databases", err, errlen);
		return NULL;
	}
	if (bind_args(st, args, nargs) != SQLITE_OK) {
		fail(r->db, "cannot query the databases", err, errlen);
		sqlite3_finalize(st);
		return NULL;
	}
	rows = xcalloc(1, sizeof(*rows));
	rows->st = st;
	rows->db = r->db;
	return rows;
}

int
store_exec_sql(struct store_reader *r, const char *sql, const struct store_arg *args,
    size_t nargs, char *err, size_t errlen)
{
	struct store_rows *rows;
	int rc;

	if (!(rows = store_query(r, sql, args, nargs, err, errlen)))
		return -1;
	while ((rc = store_rows_next(rows, err, errlen)) == 1)
		;
	store_rows_free(rows);
	return rc;
}

int
store_rows_next(struct store_rows *rows, char *err, size_t errlen)
{
	int rc = sqlite3_step(rows->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	fail(rows->db, "cannot read the databases", err, errlen);
	return -1;
}

int
store_rows_isnull(struct store_rows *rows, int col)
{
	return sqlite3_column_type(rows->st, col) == SQLITE_NULL;
}

int64_t
store_rows_int(struct store_rows *rows, int col)
{
	return sqlite3_column_int64(rows->st, col);
}

double
store_rows_real(struct store_rows *rows, int col)
{
	return sqlite3_column_double(rows->st, col);
}

const char *
store_rows_text(struct store_rows *rows, int col)
{
	return (const char *)sqlite3_column_text(rows->st, col);
}

void
store_rows_free(struct store_rows *rows)
{
	if (!rows)
		return;
	sqlite3_finalize(rows->st);
	free(rows);
}

size_t
store_reader_nhosts(const struct store_reader *r)
{
	return r->n;
}

const char *
store_reader_host(const struct store_reader *r, size_t i)
{
	return i < r->n ? r->hosts[i] : NULL;
}

void
store_reader_close(struct store_reader *r)
{
	size_t i;

	if (!r)
		return;
	sqlite3_close(r->db);
	for (i = 0; i < r->n; i++)
		free(r->hosts[i]);
	free(r->hosts);
	free(r);
}
