/*
 * The record database's schema, its migrations, and opening a file for
 * the one writer: lock, pragmas, schema up to date.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "host/machine.h"
#include "store/store_impl.h"
#include "util/xmalloc.h"

/*
 * Version 1.  Times are integers: nanoseconds since the epoch (UTC) unless
 * the column says seconds.  Addresses are text as ss prints them.  The
 * man page's RECORD DATABASE section documents every column; keep the two
 * in step (tests/cli/record_schema.sh compares them).
 */
const char store_schema_sql[] =
"CREATE TABLE meta (\n"
"  key TEXT PRIMARY KEY,\n"
"  value TEXT NOT NULL\n"
") WITHOUT ROWID;\n"
"CREATE TABLE runs (\n"
"  id INTEGER PRIMARY KEY,\n"
"  started INTEGER NOT NULL,\n"
"  last_commit INTEGER,\n"
"  stopped INTEGER,\n"
"  end TEXT,\n"
"  pid INTEGER NOT NULL,\n"
"  hostname TEXT,\n"
"  version TEXT,\n"
"  backend TEXT,\n"
"  fallback_reason TEXT,\n"
"  events INTEGER NOT NULL DEFAULT 0,\n"
"  aggregated INTEGER NOT NULL DEFAULT 0,\n"
"  lost INTEGER NOT NULL DEFAULT 0,\n"
"  dropped INTEGER NOT NULL DEFAULT 0\n"
");\n"
"CREATE TABLE processes (\n"
"  id INTEGER PRIMARY KEY,\n"
"  run_id INTEGER NOT NULL,\n"
"  pid INTEGER NOT NULL,\n"
"  ppid INTEGER,\n"
"  start_time INTEGER,\n"
"  first_seen INTEGER NOT NULL,\n"
"  last_seen INTEGER NOT NULL,\n"
"  uid INTEGER,\n"
"  user TEXT,\n"
"  comm TEXT,\n"
"  exe TEXT,\n"
"  cmdline TEXT,\n"
"  unit TEXT,\n"
"  container TEXT,\n"
"  missing TEXT\n"
");\n"
"CREATE INDEX processes_pid ON processes (pid, start_time);\n"
"CREATE INDEX processes_last_seen ON processes (last_seen);\n"
"CREATE TABLE module_paths (\n"
"  id INTEGER PRIMARY KEY,\n"
"  path TEXT NOT NULL UNIQUE\n"
");\n"
"CREATE TABLE process_modules (\n"
"  process_id INTEGER NOT NULL,\n"
"  path_id INTEGER NOT NULL,\n"
"  base INTEGER NOT NULL,\n"
"  PRIMARY KEY (process_id, path_id)\n"
") WITHOUT ROWID;\n"
"CREATE VIEW modules AS\n"
"  SELECT pm.process_id, pm.base, mp.path\n"
"  FROM process_modules pm JOIN module_paths mp ON mp.id = pm.path_id;\n"
"CREATE TABLE intervals (\n"
"  id INTEGER PRIMARY KEY,\n"
"  run_id INTEGER NOT NULL,\n"
"  kind TEXT NOT NULL,\n"
"  proto TEXT NOT NULL,\n"
"  family INTEGER NOT NULL,\n"
"  local_addr TEXT,\n"
"  local_port INTEGER,\n"
"  remote_addr TEXT,\n"
"  remote_port INTEGER,\n"
"  state TEXT,\n"
"  process_id INTEGER,\n"
"  pid INTEGER,\n"
"  uid INTEGER,\n"
"  comm TEXT,\n"
"  opened INTEGER NOT NULL,\n"
"  closed INTEGER,\n"
"  end TEXT,\n"
"  at_start INTEGER NOT NULL DEFAULT 0,\n"
"  minute INTEGER,\n"
"  count INTEGER NOT NULL DEFAULT 1,\n"
"  bytes_sent INTEGER,\n"
"  bytes_received INTEGER,\n"
"  cookie INTEGER\n"
");\n"
"CREATE INDEX intervals_opened ON intervals (opened);\n"
"CREATE INDEX intervals_closed ON intervals (closed);\n"
"CREATE TABLE events (\n"
"  id INTEGER PRIMARY KEY,\n"
"  ts INTEGER NOT NULL,\n"
"  run_id INTEGER NOT NULL,\n"
"  type TEXT NOT NULL,\n"
"  flags INTEGER NOT NULL,\n"
"  proto TEXT,\n"
"  family INTEGER,\n"
"  local_addr TEXT,\n"
"  local_port INTEGER,\n"
"  remote_addr TEXT,\n"
"  remote_port INTEGER,\n"
"  state TEXT,\n"
"  old_state TEXT,\n"
"  pid INTEGER,\n"
"  tid INTEGER,\n"
"  uid INTEGER,\n"
"  comm TEXT,\n"
"  process_id INTEGER,\n"
"  interval_id INTEGER,\n"
"  cookie INTEGER,\n"
"  netns INTEGER,\n"
"  cgroup_id INTEGER,\n"
"  lifetime_ns INTEGER,\n"
"  bytes_sent INTEGER,\n"
"  bytes_received INTEGER,\n"
"  count INTEGER,\n"
"  error INTEGER\n"
");\n"
"CREATE INDEX events_ts ON events (ts);\n"
"CREATE VIEW pr_ports AS\n"
"  SELECT strftime('%Y-%m-%d', e.ts / 1000000000, 'unixepoch') AS date,\n"
"    strftime('%H:%M:%S', e.ts / 1000000000, 'unixepoch') AS time,\n"
"    upper(e.proto) AS protocol, e.local_port, e.local_addr, e.remote_port,\n"
"    e.remote_addr, e.pid, coalesce(p.exe, e.comm) AS process, p.user, e.type AS event\n"
"  FROM events e LEFT JOIN processes p ON p.id = e.process_id\n"
"  WHERE e.proto IS NOT NULL;\n";

/* migrations[v] brings a database at user_version v to v + 1. */
static const char *const migrations[] = {
	store_schema_sql,
};

int
store_fail(struct store *s, const char *what, char *err, size_t errlen)
{
	snprintf(err, errlen, "%s: %s", what, s->db ? sqlite3_errmsg(s->db) : "out of memory");
	return -1;
}

int
store_exec(struct store *s, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK)
		return 0;
	snprintf(err, errlen, "%s", msg ? msg : sqlite3_errmsg(s->db));
	sqlite3_free(msg);
	return -1;
}

int64_t
store_int(struct store *s, const char *sql)
{
	sqlite3_stmt *st;
	int64_t v = -1;

	if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* The pid of the recorder that holds path, from its open run; 0 if unknown. */
static long
lock_holder(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long pid = 0;

	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT pid FROM runs WHERE stopped IS NULL "
	    "ORDER BY id DESC LIMIT 1", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			pid = (long)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return pid;
}

/* Bring the schema to STORE_SCHEMA_VERSION, one transaction per step. */
static int
migrate(struct store *s, char *err, size_t errlen)
{
	char sql[128], why[256];
	int64_t v;

	if ((v = store_int(s, "PRAGMA user_version")) < 0)
		return store_fail(s, "cannot read the schema version", err, errlen);
	if (v > STORE_SCHEMA_VERSION) {
		snprintf(err, errlen, "schema version %lld is newer than this "
		    "portscope's (%d)", (long long)v, STORE_SCHEMA_VERSION);
		return -1;
	}
	if (v == 0 && store_int(s, "SELECT count(*) FROM sqlite_master") != 0) {
		snprintf(err, errlen, "not a portscope record database (it has "
		    "other tables and no schema version)");
		return -1;
	}
	for (; v < STORE_SCHEMA_VERSION; v++) {
		snprintf(sql, sizeof(sql), "PRAGMA user_version = %lld", (long long)v + 1);
		if (store_exec(s, "BEGIN IMMEDIATE", why, sizeof(why)) == -1 ||
		    store_exec(s, migrations[v], why, sizeof(why)) == -1 ||
		    store_exec(s, sql, why, sizeof(why)) == -1 ||
		    store_exec(s, "COMMIT", why, sizeof(why)) == -1) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			snprintf(err, errlen, "cannot migrate the schema to version "
			    "%lld: %.180s", (long long)v + 1, why);
			return -1;
		}
	}
	return 0;
}

/* The meta rows of the machine that records now: its hostname and machine
 * id (reports merge files by it; none when /etc/machine-id cannot be
 * read, so a file moved to another machine never keeps the old one). */
static int
set_meta(struct store *s, char *err, size_t errlen)
{
	char host[256] = "", mid[MACHINE_ID_LEN + 1], why[128];
	char *q;
	int rc, have_mid;

	if (gethostname(host, sizeof(host) - 1) == -1)
		snprintf(host, sizeof(host), "unknown");
	have_mid = machine_id(mid, why, sizeof(why)) == 0;
	q = sqlite3_mprintf("INSERT OR REPLACE INTO meta VALUES "
	    "('schema_version', '%d'), ('hostname', %Q);"
	    "DELETE FROM meta WHERE key = 'machine_id';"
	    "INSERT INTO meta SELECT 'machine_id', %Q WHERE %d;"
	    "INSERT OR IGNORE INTO meta VALUES ('created', "
	    "strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', 'now'))",
	    STORE_SCHEMA_VERSION, host, have_mid ? mid : "", have_mid);
	if (!q) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	rc = store_exec(s, q, err, errlen);
	sqlite3_free(q);
	return rc;
}

/* Switch to write-ahead logging; a file system that cannot share memory
 * maps (some network file systems) says no. */
static int
wal_on(struct store *s, char *err, size_t errlen)
{
	sqlite3_stmt *st;
	int ok = 0;

	if (sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL) != SQLITE_OK)
		return store_fail(s, "journal_mode", err, errlen);
	if (sqlite3_step(st) == SQLITE_ROW)
		ok = sqlite3_column_text(st, 0) != NULL &&
		    sqlite3_stricmp((const char *)sqlite3_column_text(st, 0), "wal") == 0;
	sqlite3_finalize(st);
	if (!ok) {
		snprintf(err, errlen, "cannot use write-ahead logging (WAL) here: %s",
		    sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

struct store *
store_open(const char *path, char *err, size_t errlen)
{
	struct store *s = xcalloc(1, sizeof(*s));
	char why[256];
	long holder;

	s->path = xstrdup(path);
	s->lockfd = -1;
	s->aggregate = 1;
	/* The lock is the file itself (flock does not meet SQLite's POSIX
	 * locks).  The fd stays open until after sqlite3_close(): closing
	 * any fd of the file would drop SQLite's own locks. */
	if ((s->lockfd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0640)) == -1) {
		snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK && (holder = lock_holder(path)) > 0)
			snprintf(err, errlen, "'%s' is in use by another recorder "
			    "(pid %ld)", path, holder);
		else if (errno == EWOULDBLOCK)
			snprintf(err, errlen, "'%s' is in use by another recorder", path);
		else
			snprintf(err, errlen, "cannot lock '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot open '%s': %s", path,
		    s->db ? sqlite3_errmsg(s->db) : "out of memory");
		goto fail;
	}
	if (sqlite3_db_readonly(s->db, "main") == 1) {
		snprintf(err, errlen, "cannot write '%s': read-only", path);
		goto fail;
	}
	sqlite3_busy_timeout(s->db, 5000);
	/* auto_vacuum only takes effect before the first table is made. */
	if (store_exec(s, "PRAGMA auto_vacuum = INCREMENTAL", why, sizeof(why)) == -1 ||
	    wal_on(s, why, sizeof(why)) == -1 ||
	    store_exec(s, "PRAGMA synchronous = NORMAL;"
	    "PRAGMA journal_size_limit = 67108864", why, sizeof(why)) == -1) {
		snprintf(err, errlen, "cannot open '%s': %.200s", path, why);
		goto fail;
	}
	if (migrate(s, why, sizeof(why)) == -1 || set_meta(s, why, sizeof(why)) == -1) {
		snprintf(err, errlen, "'%s': %.200s", path, why);
		goto fail;
	}
	s->next_ival_id = (uint64_t)store_int(s, "SELECT ifnull(max(id), 0) FROM intervals") + 1;
	s->next_proc_id = (uint64_t)store_int(s, "SELECT ifnull(max(id), 0) FROM processes") + 1;
	return s;
fail:
	store_close(s);
	return NULL;
}
