/* Unit tests of the record database (src/store/): schema and migrations,
 * the writer's lock, events and intervals, aggregation per minute,
 * processes with modules, a failed commit that keeps its queue, the end of
 * a run that died, and pruning.  Each test makes its own file and reads it
 * back with plain SQL, as a user of `sqlite3 record.db` would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <sqlite3.h>

#include "store/store.h"
#include "store/store_impl.h"
#include "util/xmalloc.h"

#define SEC		1000000000ULL
#define T0		(1764547200ULL * SEC)	/* 2025-12-01 00:00:00 UTC */
#define TCP_LISTEN	10
#define TCP_ESTABLISHED	1
#define TCP_CLOSE	7

struct fixture {
	char		 dir[64];
	char		 path[96];
	struct store	*s;
	char		 err[256];
};

static int
setup(void **state)
{
	struct fixture *f = xcalloc(1, sizeof(*f));
	struct store_run_info ri = { .backend = "test", .version = "0", .aggregate = 1 };

	snprintf(f->dir, sizeof(f->dir), "/tmp/test_store.XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/r.db", f->dir);
	f->s = store_open(f->path, f->err, sizeof(f->err));
	if (f->s == NULL)
		fail_msg("store_open: %s", f->err);
	assert_int_equal(store_run_begin(f->s, T0, &ri, f->err, sizeof(f->err)), 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

/* An integer from a query on a separate read-only connection (what another
 * reader sees: committed data only); -1 when there is no row. */
static long long
q(const struct fixture *f, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	long long v = -1;

	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

/* The text of a one-value query ("" when NULL or no row); static buffer. */
static const char *
qs(const struct fixture *f, const char *sql)
{
	static char out[512];
	sqlite3 *db;
	sqlite3_stmt *st;

	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, sizeof(out), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out;
}

/* An IPv4 event from 127.0.0.1:lport to 127.0.0.2:rport (rport 0: none). */
static struct port_event
ev4(enum ev_type type, uint64_t ts, uint64_t cookie, uint32_t pid, uint8_t proto,
    uint16_t lport, uint16_t rport, uint8_t state)
{
	struct port_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts_ns = ts;
	e.mono_ns = ts - T0;
	e.cookie = cookie;
	e.pid = e.tid = pid;
	e.uid = 1000;
	snprintf(e.comm, sizeof(e.comm), "proc%u", pid);
	e.proto = proto;
	e.family = AF_INET;
	e.state = state;
	e.lport = lport;
	e.rport = rport;
	e.laddr[0] = 127;
	e.laddr[3] = 1;
	if (rport) {
		e.raddr[0] = 127;
		e.raddr[3] = 2;
	}
	return e;
}

static void
flush(struct fixture *f, uint64_t now)
{
	if (store_flush(f->s, now, f->err, sizeof(f->err)) != 0)
		fail_msg("store_flush: %s", f->err);
}

static void
test_schema(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(q(f, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
	assert_string_equal(qs(f, "SELECT value FROM meta WHERE key = 'schema_version'"), "1");
	assert_true(strlen(qs(f, "SELECT value FROM meta WHERE key = 'hostname'")) > 0);
	assert_string_equal(qs(f, "PRAGMA journal_mode"), "wal");
	assert_int_equal(q(f, "PRAGMA auto_vacuum"), 2);	/* incremental */
	assert_int_equal(q(f, "SELECT count(*) FROM runs WHERE stopped IS NULL"), 1);
	assert_int_equal(q(f, "SELECT pid FROM runs"), getpid());
	/* idle: no transaction each flush, a heartbeat every minute */
	flush(f, T0 + 10 * SEC);
	assert_int_equal(q(f, "SELECT last_commit FROM runs"), T0);
	flush(f, T0 + 61 * SEC);
	assert_int_equal(q(f, "SELECT last_commit FROM runs"), T0 + 61 * SEC);
}

static void
test_lock_refuses_second_writer(void **state)
{
	struct fixture *f = *state;
	char err[256];

	assert_null(store_open(f->path, err, sizeof(err)));
	assert_non_null(strstr(err, "is in use by another recorder"));
	assert_non_null(strstr(err, "(pid "));
}

static void
test_newer_schema_refused(void **state)
{
	struct fixture *f = *state;
	char path[128], err[256];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/new.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 9", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "schema version 9 is newer than this portscope's (1)"));

	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_null(store_open(path, err, sizeof(err)));
	assert_non_null(strstr(err, "not a portscope record database"));
}

static void
test_listener_interval(void **state)
{
	struct fixture *f = *state;
	struct port_event e;

	e = ev4(EV_BIND, T0 + 1 * SEC, 11, 100, IPPROTO_TCP, 8080, 0, TCP_CLOSE);
	store_event(f->s, &e, 0);
	e = ev4(EV_LISTEN, T0 + 2 * SEC, 11, 100, IPPROTO_TCP, 8080, 0, TCP_LISTEN);
	store_event(f->s, &e, 0);
	flush(f, T0 + 3 * SEC);
	assert_int_equal(q(f, "SELECT count(*) FROM intervals"), 1);
	assert_string_equal(qs(f, "SELECT kind || ' ' || proto || ' ' || local_addr || ':' || "
	    "local_port || ' ' || state || ' ' || pid || ' ' || uid FROM intervals"),
	    "listen tcp 127.0.0.1:8080 LISTEN 100 1000");
	assert_int_equal(q(f, "SELECT count(*) FROM intervals WHERE closed IS NULL "
	    "AND remote_addr IS NULL"), 1);
	assert_int_equal(q(f, "SELECT opened FROM intervals"), T0 + 1 * SEC);
	assert_int_equal(q(f, "SELECT last_commit FROM runs"), T0 + 3 * SEC);

	e = ev4(EV_CLOSE, T0 + 5 * SEC, 11, 100, IPPROTO_TCP, 8080, 0, TCP_CLOSE);
	e.lifetime_ns = 4 * SEC;
	store_event(f->s, &e, 0);
	flush(f, T0 + 6 * SEC);
	assert_int_equal(q(f, "SELECT closed - opened FROM intervals"), 4 * SEC);
	assert_string_equal(qs(f, "SELECT end FROM intervals"), "close");
	assert_string_equal(qs(f, "SELECT group_concat(type, ',') FROM (SELECT type "
	    "FROM events ORDER BY id)"), "bind,listen,close");
	assert_int_equal(q(f, "SELECT count(*) FROM events WHERE interval_id = "
	    "(SELECT id FROM intervals)"), 3);
	assert_int_equal(q(f, "SELECT lifetime_ns FROM events WHERE type = 'close'"), 4 * SEC);
	assert_int_equal(q(f, "SELECT events FROM runs"), 3);
}

/* A short TCP connection: implicit bind, connect, states, close with bytes. */
static void
connection(struct fixture *f, uint64_t ts, uint64_t cookie, uint32_t pid,
    uint64_t proc_id, uint16_t lport)
{
	struct port_event e;

	e = ev4(EV_BIND, ts, cookie, pid, IPPROTO_TCP, lport, 0, TCP_CLOSE);
	e.flags = EVF_IMPLICIT;
	store_event(f->s, &e, proc_id);
	e = ev4(EV_CONNECT, ts + 1000, cookie, pid, IPPROTO_TCP, lport, 443, 2);
	store_event(f->s, &e, proc_id);
	e = ev4(EV_STATE, ts + 2000, cookie, pid, IPPROTO_TCP, lport, 443, TCP_ESTABLISHED);
	e.old_state = 2;
	store_event(f->s, &e, proc_id);
	e = ev4(EV_CLOSE, ts + 5000, cookie, pid, IPPROTO_TCP, lport, 443, TCP_CLOSE);
	e.bytes_sent = 100;
	e.bytes_received = 1000;
	e.lifetime_ns = 5000;
	store_event(f->s, &e, proc_id);
}

static void
test_connections_aggregate_per_minute(void **state)
{
	struct fixture *f = *state;
	struct store_stats st;
	int i;

	/* 5 in the first minute from one process, 1 from another process,
	 * 2 in the next minute */
	for (i = 0; i < 5; i++)
		connection(f, T0 + (uint64_t)(i + 1) * SEC, 100 + (uint64_t)i, 200, 0, (uint16_t)(40000 + i));
	connection(f, T0 + 10 * SEC, 120, 201, 0, 41000);
	connection(f, T0 + 61 * SEC, 130, 200, 0, 42000);
	connection(f, T0 + 62 * SEC, 131, 200, 0, 42001);
	flush(f, T0 + 63 * SEC);

	assert_int_equal(q(f, "SELECT count(*) FROM intervals"), 3);
	assert_string_equal(qs(f, "SELECT group_concat(pid || ':' || count || ':' || "
	    "bytes_sent || ':' || bytes_received || ':' || kind || ':' || remote_addr || ':' "
	    "|| remote_port, ' ') FROM (SELECT * FROM intervals ORDER BY id)"),
	    "200:5:500:5000:connect:127.0.0.2:443 201:1:100:1000:connect:127.0.0.2:443 "
	    "200:2:200:2000:connect:127.0.0.2:443");
	/* an aggregate's span runs from its first socket's first event (the
	 * implicit bind) to its last close */
	assert_int_equal(q(f, "SELECT closed - opened FROM intervals ORDER BY id LIMIT 1"),
	    4 * SEC + 5000);
	assert_int_equal(q(f, "SELECT count(*) FROM intervals WHERE closed IS NULL"), 0);
	assert_int_equal(q(f, "SELECT minute FROM intervals ORDER BY id LIMIT 1"), T0 / SEC / 60);
	/* the first connection of each aggregate is stored in full */
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 3 * 4);
	assert_int_equal(q(f, "SELECT count(DISTINCT cookie) FROM events"), 3);
	store_get_stats(f->s, &st);
	assert_int_equal(st.aggregated, 5 * 4);
	assert_int_equal(st.events, 12);
	assert_int_equal(q(f, "SELECT aggregated FROM runs"), 20);
}

static void
test_aggregation_off(void **state)
{
	struct fixture *f = *state;
	int i;

	f->s->aggregate = 0;
	for (i = 0; i < 3; i++)
		connection(f, T0 + (uint64_t)(i + 1) * SEC, 100 + (uint64_t)i, 200, 0, (uint16_t)(40000 + i));
	flush(f, T0 + 5 * SEC);
	assert_int_equal(q(f, "SELECT count(*) FROM intervals WHERE count = 1"), 3);
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 12);
}

static void
test_udp_flows(void **state)
{
	struct fixture *f = *state;
	struct port_event e;
	uint16_t dport;

	/* a bound UDP socket sends to three destinations, one twice */
	e = ev4(EV_BIND, T0 + SEC, 7, 300, IPPROTO_UDP, 5353, 0, TCP_CLOSE);
	store_event(f->s, &e, 0);
	for (dport = 1; dport <= 3; dport++) {
		e = ev4(EV_UDP_FLOW, T0 + 2 * SEC + dport, 7, 300, IPPROTO_UDP, 5353, dport, TCP_CLOSE);
		e.count = 1;
		store_event(f->s, &e, 0);
	}
	e = ev4(EV_UDP_FLOW, T0 + 3 * SEC, 7, 300, IPPROTO_UDP, 5353, 2, TCP_CLOSE);
	store_event(f->s, &e, 0);
	/* a resolver: a new socket per query to the same server */
	for (dport = 0; dport < 4; dport++) {
		e = ev4(EV_BIND, T0 + 4 * SEC + dport, 50 + dport, 301, IPPROTO_UDP,
		    (uint16_t)(50000 + dport), 0, TCP_CLOSE);
		e.flags = EVF_IMPLICIT;
		store_event(f->s, &e, 0);
		e = ev4(EV_UDP_FLOW, T0 + 4 * SEC + dport + 10, 50 + dport, 301, IPPROTO_UDP,
		    (uint16_t)(50000 + dport), 53, TCP_CLOSE);
		e.count = 1;
		store_event(f->s, &e, 0);
		e = ev4(EV_CLOSE, T0 + 4 * SEC + dport + 20, 50 + dport, 301, IPPROTO_UDP,
		    (uint16_t)(50000 + dport), 53, TCP_CLOSE);
		store_event(f->s, &e, 0);
	}
	flush(f, T0 + 10 * SEC);
	assert_string_equal(qs(f, "SELECT group_concat(kind || ':' || ifnull(remote_port, '-') "
	    "|| ':' || count, ' ') FROM (SELECT * FROM intervals ORDER BY id)"),
	    "bound:-:1 udp_flow:1:1 udp_flow:2:1 udp_flow:3:1 udp_flow:53:4");
	assert_int_equal(q(f, "SELECT count(*) FROM intervals WHERE closed IS NULL"), 4);
	assert_int_equal(q(f, "SELECT closed IS NOT NULL AND bytes_sent IS NULL FROM "
	    "intervals WHERE remote_port = 53"), 1);
	/* the bound socket's 5 events, the first query's 3 */
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 8);
	assert_int_equal(q(f, "SELECT count(*) FROM events WHERE type = 'udp_flow' "
	    "AND count = 1"), 4);
}

/* A refused connect: the engine delivers the close before the connect that
 * returned after it.  One closed interval, nothing left open. */
static void
test_events_after_close(void **state)
{
	struct fixture *f = *state;
	struct store_stats st;
	struct port_event e;

	e = ev4(EV_CLOSE, T0 + SEC, 77, 900, IPPROTO_TCP, 40000, 3000, TCP_CLOSE);
	e.lifetime_ns = 1000;
	store_event(f->s, &e, 0);
	e = ev4(EV_BIND, T0 + SEC + 10, 77, 900, IPPROTO_TCP, 40000, 0, TCP_CLOSE);
	e.flags = EVF_IMPLICIT;
	store_event(f->s, &e, 0);
	e = ev4(EV_CONNECT, T0 + SEC + 20, 77, 900, IPPROTO_TCP, 40000, 3000, TCP_CLOSE);
	e.error = 111;
	store_event(f->s, &e, 0);
	flush(f, T0 + 2 * SEC);
	flush(f, T0 + 3 * SEC);
	flush(f, T0 + 4 * SEC);	/* the closed socket is forgotten now */
	e = ev4(EV_STATE, T0 + 5 * SEC, 78, 900, IPPROTO_TCP, 40001, 3001, TCP_ESTABLISHED);
	store_event(f->s, &e, 0);
	flush(f, T0 + 6 * SEC);
	assert_string_equal(qs(f, "SELECT group_concat(kind || ' ' || remote_port || ' ' || "
	    "ifnull(end, 'open') || ' ' || (closed - opened), ',') FROM intervals WHERE cookie = 77"),
	    "connect 3000 close 1000");
	assert_int_equal(q(f, "SELECT count(*) FROM events WHERE cookie = 77 AND interval_id = "
	    "(SELECT id FROM intervals WHERE cookie = 77)"), 3);
	assert_int_equal(q(f, "SELECT error FROM events WHERE type = 'connect'"), 111);
	store_get_stats(f->s, &st);
	assert_int_equal(st.open_sockets, 1);	/* cookie 78 */
}

static void
test_processes_and_modules(void **state)
{
	struct fixture *f = *state;
	struct proc_module mods[2] = { { 0x1000, "/usr/bin/app" },
	    { 0x7f0000, "/usr/lib/libc.so.6" } };
	struct proc_info p;
	struct port_event e;
	uint64_t id1, id2;

	memset(&p, 0, sizeof(p));
	p.pid = 400;
	p.ppid = 1;
	p.uid = 1000;
	p.start_time = 1764547000;
	snprintf(p.comm, sizeof(p.comm), "app");
	p.exe = "/usr/bin/app";
	p.cmdline = "app --serve";
	p.user = "alice";
	p.unit = "app.service";
	p.modules = mods;
	p.nmodules = 2;
	id1 = store_process(f->s, &p, T0 + SEC);
	p.pid = 401;
	p.unit = NULL;
	id2 = store_process(f->s, &p, T0 + SEC);
	assert_int_not_equal(id1, id2);
	e = ev4(EV_LISTEN, T0 + 2 * SEC, 9, 400, IPPROTO_TCP, 80, 0, TCP_LISTEN);
	store_event(f->s, &e, id1);
	flush(f, T0 + 3 * SEC);

	assert_string_equal(qs(f, "SELECT pid || ' ' || user || ' ' || exe || ' ' || cmdline "
	    "|| ' ' || unit || ' ' || start_time FROM processes ORDER BY id LIMIT 1"),
	    "400 alice /usr/bin/app app --serve app.service 1764547000");
	assert_int_equal(q(f, "SELECT count(*) FROM modules"), 4);
	assert_int_equal(q(f, "SELECT count(*) FROM module_paths"), 2);
	assert_string_equal(qs(f, "SELECT group_concat(path, ' ') FROM (SELECT path FROM "
	    "modules WHERE process_id = (SELECT id FROM processes WHERE pid = 401) ORDER BY base)"),
	    "/usr/bin/app /usr/lib/libc.so.6");
	/* report's join: who held port 80, as which user */
	assert_string_equal(qs(f, "SELECT p.user || ' ' || p.exe FROM intervals i "
	    "JOIN processes p ON p.id = i.process_id WHERE i.local_port = 80"),
	    "alice /usr/bin/app");
	assert_int_equal(q(f, "SELECT last_seen FROM processes WHERE pid = 400"), T0 + 2 * SEC);
}

/* A commit that fails (here: the file may not grow) keeps everything
 * queued; the next one after the cause is gone writes it all. */
static void
test_failed_commit_keeps_queue(void **state)
{
	struct fixture *f = *state;
	struct store_stats st;
	struct port_event e;
	char sql[64];
	long long pages;
	int i;

	flush(f, T0 + SEC);
	pages = store_int(f->s, "PRAGMA page_count");
	snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %lld", pages);
	assert_int_equal(store_exec(f->s, sql, f->err, sizeof(f->err)), 0);
	for (i = 0; i < 5000; i++) {
		e = ev4(EV_LISTEN, T0 + 2 * SEC + (uint64_t)i, 1000 + (uint64_t)i, 500,
		    IPPROTO_TCP, (uint16_t)(1000 + i), 0, TCP_LISTEN);
		store_event(f->s, &e, 0);
	}
	assert_int_equal(store_flush(f->s, T0 + 3 * SEC, f->err, sizeof(f->err)), -1);
	assert_non_null(strstr(f->err, "full"));
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 0);
	store_get_stats(f->s, &st);
	assert_int_equal(st.pending, 5000);
	assert_int_equal(st.commit_failures, 1);

	assert_int_equal(store_exec(f->s, "PRAGMA max_page_count = 1000000", f->err,
	    sizeof(f->err)), 0);
	flush(f, T0 + 4 * SEC);
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 5000);
	assert_int_equal(q(f, "SELECT count(*) FROM intervals"), 5000);
	assert_int_equal(q(f, "PRAGMA integrity_check"), 0);	/* "ok" as an integer */
	assert_string_equal(qs(f, "PRAGMA integrity_check"), "ok");
}

static void
test_full_queue_counts_drops(void **state)
{
	struct fixture *f = *state;
	struct store_stats st;
	struct port_event e;
	int i;

	assert_int_equal(store_exec(f->s, "PRAGMA max_page_count = 1", f->err,
	    sizeof(f->err)), 0);
	for (i = 0; i < STORE_MAX_PENDING + 7; i++) {
		e = ev4(EV_LOST, T0 + SEC + (uint64_t)i, 0, 0, 0, 0, 0, 0);
		e.count = 1;
		store_event(f->s, &e, 0);
	}
	assert_int_equal(store_flush(f->s, T0 + 2 * SEC, f->err, sizeof(f->err)), -1);
	store_get_stats(f->s, &st);
	assert_int_equal(st.dropped, 7);
	assert_int_equal(st.pending, STORE_MAX_PENDING);
	assert_int_equal(store_exec(f->s, "PRAGMA max_page_count = 10000000", f->err,
	    sizeof(f->err)), 0);
	flush(f, T0 + 3 * SEC);
	assert_int_equal(q(f, "SELECT dropped FROM runs"), 7);
	assert_int_equal(q(f, "SELECT lost FROM runs"), STORE_MAX_PENDING + 7);
	assert_int_equal(q(f, "SELECT count(*) FROM events WHERE type = 'lost'"), STORE_MAX_PENDING);
}

/* A recorder that dies: the next run closes its open intervals at its last
 * commit; one that stops closes them itself. */
static void
test_run_died_then_stopped(void **state)
{
	struct fixture *f = *state;
	struct store_run_info ri = { .backend = "test", .version = "0", .aggregate = 1 };
	struct port_event e;

	e = ev4(EV_LISTEN, T0 + SEC, 1, 600, IPPROTO_TCP, 22, 0, TCP_LISTEN);
	store_event(f->s, &e, 0);
	flush(f, T0 + 2 * SEC);
	e = ev4(EV_LISTEN, T0 + 3 * SEC, 2, 600, IPPROTO_TCP, 23, 0, TCP_LISTEN);
	store_event(f->s, &e, 0);	/* never committed */
	store_close(f->s);		/* as after kill -9: no run_end */

	f->s = store_open(f->path, f->err, sizeof(f->err));
	assert_non_null(f->s);
	assert_int_equal(store_run_begin(f->s, T0 + 10 * SEC, &ri, f->err, sizeof(f->err)), 0);
	assert_string_equal(qs(f, "SELECT group_concat(id || ':' || ifnull(end, '-'), ' ') "
	    "FROM runs"), "1:died 2:-");
	assert_int_equal(q(f, "SELECT stopped FROM runs WHERE id = 1"), T0 + 2 * SEC);
	assert_int_equal(q(f, "SELECT count(*) FROM intervals"), 1);
	assert_int_equal(q(f, "SELECT closed FROM intervals"), T0 + 2 * SEC);
	assert_string_equal(qs(f, "SELECT end FROM intervals"), "died");

	e = ev4(EV_EXISTING, T0 + 10 * SEC, 1, 600, IPPROTO_TCP, 22, 0, TCP_LISTEN);
	store_event(f->s, &e, 0);
	assert_int_equal(store_run_end(f->s, T0 + 20 * SEC, f->err, sizeof(f->err)), 0);
	assert_string_equal(qs(f, "SELECT kind || ' ' || at_start || ' ' || end || ' ' || "
	    "(closed - opened) FROM intervals WHERE run_id = 2"), "listen 1 stop 10000000000");
	assert_string_equal(qs(f, "SELECT end FROM runs WHERE id = 2"), "stop");
	assert_int_equal(q(f, "SELECT stopped FROM runs WHERE id = 2"), T0 + 20 * SEC);
}

static void
test_prune_age(void **state)
{
	struct fixture *f = *state;
	struct store_pruned pr;
	struct proc_info p;
	uint64_t day = 86400 * SEC, old, young;
	int i;

	memset(&p, 0, sizeof(p));
	p.pid = 700;
	p.uid = (uid_t)-1;
	old = store_process(f->s, &p, T0 + SEC);
	p.pid = 701;
	young = store_process(f->s, &p, T0 + 9 * day);
	for (i = 0; i < 10; i++) {
		connection(f, T0 + (uint64_t)i * day + SEC, 10 + (uint64_t)i, 700, old, 40000);
		connection(f, T0 + (uint64_t)i * day + 2 * SEC, 100 + (uint64_t)i, 701, young, 40001);
	}
	flush(f, T0 + 10 * day);
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 80);
	/* keep the last 3 days */
	assert_int_equal(store_prune_age(f->s, T0 + 7 * day, &pr, f->err, sizeof(f->err)), 0);
	assert_int_equal(pr.events, 7 * 8);
	assert_int_equal(pr.intervals, 14);
	assert_int_equal(pr.processes, 0);	/* pid 700 still has intervals */
	assert_int_equal(q(f, "SELECT min(ts) >= " "1764547200000000000 + 7 * 86400000000000 "
	    "FROM events"), 1);
	assert_int_equal(q(f, "SELECT count(*) FROM intervals"), 6);
	assert_string_equal(qs(f, "PRAGMA integrity_check"), "ok");
	/* everything older than day 12: the old process goes too */
	assert_int_equal(store_prune_age(f->s, T0 + 12 * day, &pr, f->err, sizeof(f->err)), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM events"), 0);
	assert_int_equal(q(f, "SELECT count(*) FROM processes"), 0);
	assert_int_equal(pr.processes, 2);
}

static void
test_prune_size(void **state)
{
	struct fixture *f = *state;
	struct store_pruned pr;
	struct port_event e;
	uint64_t before, after;
	int i;

	for (i = 0; i < 100000; i++) {
		e = ev4(EV_LISTEN, T0 + (uint64_t)i * SEC, 1 + (uint64_t)i, 800,
		    IPPROTO_TCP, (uint16_t)(1 + i % 60000), 0, TCP_LISTEN);
		store_event(f->s, &e, 0);
		e.type = EV_CLOSE;
		e.ts_ns += SEC / 2;
		store_event(f->s, &e, 0);
	}
	flush(f, T0 + 100000 * SEC);
	before = store_size(f->s);
	assert_true(before > 8 * 1024 * 1024);
	assert_int_equal(store_prune_size(f->s, 4 * 1024 * 1024, &pr, f->err, sizeof(f->err)), 0);
	after = store_size(f->s);
	assert_true(after <= 4 * 1024 * 1024);
	assert_true(pr.events > 0);
	assert_int_equal(pr.bytes_after, after);
	/* the oldest went, the newest stayed */
	assert_int_equal(q(f, "SELECT max(ts) FROM events"), T0 + 99999 * SEC + SEC / 2);
	assert_true(q(f, "SELECT min(ts) FROM events") > (long long)(T0 + 10 * SEC));
	assert_string_equal(qs(f, "PRAGMA integrity_check"), "ok");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_refuses_second_writer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listener_interval, setup, teardown),
		cmocka_unit_test_setup_teardown(test_connections_aggregate_per_minute, setup, teardown),
		cmocka_unit_test_setup_teardown(test_aggregation_off, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udp_flows, setup, teardown),
		cmocka_unit_test_setup_teardown(test_events_after_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_processes_and_modules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failed_commit_keeps_queue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_full_queue_counts_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_run_died_then_stopped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_age, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune_size, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
