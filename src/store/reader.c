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
	size_t		 n;		/* files */
	char		**hostname;	/* each file's meta.hostname */
	char		**mid;		/* each file's meta.machine_id, or NULL */
	char		**label;	/* each file's host as reports show it */
	char		**hosts;	/* the distinct labels, in order */
	size_t		 nhosts;
	char		**schemas;	/* "h0", "h1", …: each file's schema name */
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

/* The value of key in file i's meta table (a copy), or NULL. */
static char *
meta_value(sqlite3 *db, size_t i, const char *key)
{
	sqlite3_stmt *st;
	const unsigned char *v;
	char sql[64], *out = NULL;

	snprintf(sql, sizeof(sql), "SELECT value FROM h%zu.meta WHERE key = ?1", i);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return NULL;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW && (v = sqlite3_column_text(st, 0)) && *v)
		out = xstrdup((const char *)v);
	sqlite3_finalize(st);
	return out;
}

static int
attach(struct store_reader *r, const char *path, size_t i, char *err, size_t errlen)
{
	struct stat sb;
	sqlite3_stmt *st;
	char sql[160], *uri;
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
	r->hostname[i] = meta_value(r->db, i, "hostname");
	if (!r->hostname[i])
		r->hostname[i] = xstrdup("unknown");
	r->mid[i] = meta_value(r->db, i, "machine_id");
	return 0;
}

/*
 * Each file's host label.  Files with the same machine id are one host,
 * named by the hostname of the first of them given.  When machines with
 * different ids share a hostname, each is labelled "hostname (id)" with
 * the first 8 digits of its id (all 32 if 8 do not tell them apart).  A
 * file without a machine id (recorded before portscope kept it, or where
 * /etc/machine-id was unreadable) is labelled by its hostname alone, so
 * it merges with files of that hostname as before, and with the machine
 * that has it when only one does.
 */
static void
make_labels(struct store_reader *r)
{
	size_t i, j, k, nmach, first;
	int width, clash;

	for (i = 0; i < r->n; i++) {
		if (!r->mid[i]) {
			r->label[i] = xstrdup(r->hostname[i]);
			continue;
		}
		/* the machine's first file names it */
		for (first = 0; first < i; first++)
			if (r->mid[first] && strcmp(r->mid[first], r->mid[i]) == 0)
				break;
		/* machines (by their first file) named the same */
		nmach = 0;
		clash = 0;
		for (j = 0; j < r->n; j++) {
			if (!r->mid[j] || strcmp(r->hostname[j], r->hostname[first]) != 0)
				continue;
			for (k = 0; k < j; k++)
				if (r->mid[k] && strcmp(r->mid[k], r->mid[j]) == 0)
					break;
			if (k < j)
				continue;	/* not the machine's first file */
			nmach++;
			if (strcmp(r->mid[j], r->mid[first]) != 0 &&
			    strncmp(r->mid[j], r->mid[first], 8) == 0)
				clash = 1;
		}
		if (nmach < 2) {
			r->label[i] = xstrdup(r->hostname[first]);
			continue;
		}
		width = clash ? (int)strlen(r->mid[first]) : 8;
		xasprintf(&r->label[i], "%s (%.*s)", r->hostname[first], width, r->mid[first]);
	}
	for (i = 0; i < r->n; i++) {
		for (j = 0; j < r->nhosts; j++)
			if (strcmp(r->hosts[j], r->label[i]) == 0)
				break;
		if (j == r->nhosts)
			r->hosts[r->nhosts++] = xstrdup(r->label[i]);
	}
}

/* The columns of table in file i (all files are of one schema version) as
 * a SELECT list of alias.column, into b; the process id (column pid_col,
 * when given) has i * 2^40 added, so that ids from two files never meet
 * (file 0's are as stored).  Returns 0, or -1. */
static int
column_list(sqlite3 *db, size_t i, const char *table, const char *alias,
    const char *pid_col, struct buf *b)
{
	sqlite3_stmt *st;
	const char *c;
	char sql[64];
	int n = 0;

	snprintf(sql, sizeof(sql), "PRAGMA h%zu.table_info(%s)", i, table);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		c = (const char *)sqlite3_column_text(st, 1);
		buf_puts(b, n++ ? ", " : "");
		if (pid_col && strcmp(c, pid_col) == 0)
			buf_printf(b, "%s.\"%s\" + %llu AS \"%s\"", alias, c,
			    (unsigned long long)i << 40, c);
		else
			buf_printf(b, "%s.\"%s\"", alias, c);
	}
	sqlite3_finalize(st);
	return n ? 0 : -1;
}

/*
 * The views: one SELECT per file, joined with UNION ALL.  Each row carries
 * its file's host label and index (file), and process ids are made unique across files (see
 * column_list), so two files of one host never mix up their processes
 * when a query joins processes to intervals or events by host and id.
 */
static int
make_views(struct store_reader *r, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		const char *table, *alias, *pid_col;	/* for the column list */
		const char *after;	/* after the list; %1$s the schema */
	} views[] = {
		{ "all_runs", "runs", "ru", NULL, " FROM %1$s.runs ru" },
		{ "all_processes", "processes", "p", "id", " FROM %1$s.processes p" },
		{ "all_intervals", "intervals", "i", "process_id",
		  ", p.exe, p.user, p.unit, p.container, p.cmdline, "
		  "coalesce(ru.stopped, ru.last_commit, ru.started) AS run_end "
		  "FROM %1$s.intervals i LEFT JOIN %1$s.processes p ON p.id = i.process_id "
		  "LEFT JOIN %1$s.runs ru ON ru.id = i.run_id" },
		{ "all_events", "events", "e", "process_id",
		  ", p.exe, p.user, p.unit, p.container "
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
			host = sqlite3_mprintf("%Q", r->label[i]);
			buf_printf(&b, "%sSELECT %s AS host, %zu AS file, ", i ? " UNION ALL " : "",
			    host, i);
			sqlite3_free(host);
			if (column_list(r->db, i, views[v].table, views[v].alias,
			    views[v].pid_col, &b) == -1) {
				buf_release(&b);
				snprintf(err, errlen, "cannot read the databases: no table %s",
				    views[v].table);
				return -1;
			}
			buf_printf(&b, views[v].after, schema);
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
	size_t i, slots = n ? n : 1;

	r->hostname = xcalloc(slots, sizeof(*r->hostname));
	r->mid = xcalloc(slots, sizeof(*r->mid));
	r->label = xcalloc(slots, sizeof(*r->label));
	r->hosts = xcalloc(slots, sizeof(*r->hosts));
	r->schemas = xcalloc(slots, sizeof(*r->schemas));
	/* One thread uses the connection: no mutex around every call. */
	if (sqlite3_open_v2(":memory:", &r->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
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
		r->n = i + 1;	/* its hostname and id are freed with the reader */
		xasprintf(&r->schemas[i], "h%zu", i);
		if (attach(r, paths[i], i, err, errlen) == -1)
			goto fail;
	}
	make_labels(r);
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

size_t
store_rows_bytes(struct store_rows *rows, int col)
{
	return (size_t)sqlite3_column_bytes(rows->st, col);
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
	return r->nhosts;
}

const char *
store_reader_host(const struct store_reader *r, size_t i)
{
	return i < r->nhosts ? r->hosts[i] : NULL;
}

size_t
store_reader_nfiles(const struct store_reader *r)
{
	return r->n;
}

const char *
store_reader_file_host(const struct store_reader *r, size_t i)
{
	return i < r->n ? r->label[i] : NULL;
}

const char *
store_reader_schema(const struct store_reader *r, size_t i)
{
	return i < r->n ? r->schemas[i] : NULL;
}

void
store_reader_close(struct store_reader *r)
{
	size_t i;

	if (!r)
		return;
	sqlite3_close(r->db);
	for (i = 0; i < r->n; i++) {
		free(r->hostname[i]);
		free(r->mid[i]);
		free(r->label[i]);
		free(r->schemas[i]);
	}
	for (i = 0; i < r->nhosts; i++)
		free(r->hosts[i]);
	free(r->hostname);
	free(r->mid);
	free(r->label);
	free(r->hosts);
	free(r->schemas);
	free(r);
}
