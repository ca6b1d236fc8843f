/*
 * The store's one writer: events and process details are queued, the
 * interval table is kept current in memory, and store_flush() writes all
 * of it in one transaction with statements prepared once.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/sock.h"
#include "store/store_impl.h"
#include "util/vec.h"
#include "util/xmalloc.h"

static const char *const stmt_sql[ST__COUNT] = {
	[ST_INS_EVENT] = "INSERT INTO events (ts, run_id, type, flags, proto, family, "
	    "local_addr, local_port, remote_addr, remote_port, state, old_state, pid, "
	    "tid, uid, comm, process_id, interval_id, cookie, netns, cgroup_id, "
	    "lifetime_ns, bytes_sent, bytes_received, count, error) VALUES (?1, ?2, ?3, "
	    "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, "
	    "?20, ?21, ?22, ?23, ?24, ?25, ?26)",
	[ST_INS_IVAL] = "INSERT INTO intervals (id, run_id, kind, proto, family, "
	    "local_addr, local_port, remote_addr, remote_port, state, process_id, pid, "
	    "uid, comm, opened, closed, end, at_start, minute, count, bytes_sent, "
	    "bytes_received, cookie) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, "
	    "?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23)",
	[ST_UPD_IVAL] = "UPDATE intervals SET run_id = ?2, kind = ?3, proto = ?4, "
	    "family = ?5, local_addr = ?6, local_port = ?7, remote_addr = ?8, "
	    "remote_port = ?9, state = ?10, process_id = ?11, pid = ?12, uid = ?13, "
	    "comm = ?14, opened = ?15, closed = ?16, end = ?17, at_start = ?18, "
	    "minute = ?19, count = ?20, bytes_sent = ?21, bytes_received = ?22, "
	    "cookie = ?23 WHERE id = ?1",
	[ST_INS_PROC] = "INSERT INTO processes (id, run_id, pid, ppid, start_time, "
	    "first_seen, last_seen, uid, user, comm, exe, cmdline, unit, container, "
	    "missing) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?9, ?10, ?11, ?12, "
	    "?13, ?14)",
	[ST_INS_PATH] = "INSERT OR IGNORE INTO module_paths (path) VALUES (?1)",
	[ST_SEL_PATH] = "SELECT id FROM module_paths WHERE path = ?1",
	[ST_INS_PMOD] = "INSERT OR IGNORE INTO process_modules (process_id, path_id, "
	    "base) VALUES (?1, ?2, ?3)",
	[ST_UPD_PROC_SEEN] = "UPDATE processes SET last_seen = max(last_seen, ?2) "
	    "WHERE id = ?1",
	[ST_UPD_RUN] = "UPDATE runs SET last_commit = ?2, events = ?3, aggregated = ?4, "
	    "lost = ?5, dropped = ?6 WHERE id = ?1",
	[ST_BEGIN] = "BEGIN IMMEDIATE",
	[ST_COMMIT] = "COMMIT",
	[ST_ROLLBACK] = "ROLLBACK",
};

static const char *
proto_name(uint8_t proto)
{
	return proto == IPPROTO_TCP ? "tcp" : proto == IPPROTO_UDP ? "udp" : NULL;
}

static const char *
state_name(uint8_t proto, uint8_t state)
{
	struct sock_row r = { .proto = proto, .state = state };

	return sock_state_name(&r);
}

/* Bind an address as text; NULL for an unset remote end. */
static void
bind_addr(sqlite3_stmt *st, int i, uint8_t family, const uint8_t *a, int remote,
    uint16_t port)
{
	static const uint8_t zero[16];
	char s[INET6_ADDRSTRLEN];

	if (family != AF_INET && family != AF_INET6) {
		sqlite3_bind_null(st, i);
		return;
	}
	if (remote && port == 0 && memcmp(a, zero, family == AF_INET ? 4 : 16) == 0) {
		sqlite3_bind_null(st, i);
		return;
	}
	inet_ntop(family, a, s, sizeof(s));
	sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

static void
bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

static void
bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
	sqlite3_bind_int64(st, i, (sqlite3_int64)v);
}

/* Bind v, or NULL when it is 0. */
static void
bind_nz(sqlite3_stmt *st, int i, uint64_t v)
{
	if (v)
		sqlite3_bind_int64(st, i, (sqlite3_int64)v);
	else
		sqlite3_bind_null(st, i);
}

/* Bind proto, family, local_addr, local_port, remote_addr, remote_port to
 * the six parameters from i on. */
static void
bind_endpoints(sqlite3_stmt *st, int i, uint8_t proto, uint8_t family,
    const uint8_t *laddr, uint16_t lport, const uint8_t *raddr, uint16_t rport)
{
	bind_text(st, i, proto_name(proto));
	bind_u64(st, i + 1, family == AF_INET6 ? 6 : 4);
	bind_addr(st, i + 2, family, laddr, 0, lport);
	bind_u64(st, i + 3, lport);
	bind_addr(st, i + 4, family, raddr, 1, rport);
	bind_nz(st, i + 5, rport);
}

static int
run_stmt(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *st = s->st[id];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- queues ---- */

static void
seen(struct store *s, uint64_t process_id, uint64_t ts)
{
	uintptr_t idx;

	if (process_id == 0)
		return;
	if ((idx = (uintptr_t)hmap_get(&s->seen_idx, process_id)) != 0) {
		if (ts > s->seen.v[idx - 1].ts)
			s->seen.v[idx - 1].ts = ts;
		return;
	}
	*VEC_PUSH(&s->seen) = (struct seen_proc){ process_id, ts };
	hmap_put(&s->seen_idx, process_id, (void *)(uintptr_t)s->seen.n);
}

static char *
dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

uint64_t
store_process(struct store *s, const struct proc_info *p, uint64_t seen_ns)
{
	struct pend_proc *pp = VEC_PUSH(&s->procs);
	size_t i;

	pp->id = s->next_proc_id++;
	pp->seen = seen_ns;
	pp->p = *p;
	pp->p.exe = dup_or_null(p->exe);
	pp->p.cmdline = dup_or_null(p->cmdline);
	pp->p.user = dup_or_null(p->user);
	pp->p.unit = dup_or_null(p->unit);
	pp->p.container = dup_or_null(p->container);
	pp->p.modules = p->nmodules ? xcalloc(p->nmodules, sizeof(*p->modules)) : NULL;
	for (i = 0; i < p->nmodules; i++) {
		pp->p.modules[i].base = p->modules[i].base;
		pp->p.modules[i].path = xstrdup(p->modules[i].path);
	}
	s->stats.processes++;
	return pp->id;
}

void
store_event(struct store *s, const struct port_event *ev, uint64_t process_id)
{
	struct pend_event *pe;
	uint64_t ival_id;
	int skip;

	if (ev->ts_ns > s->last_ts)
		s->last_ts = ev->ts_ns;
	if (ev->type == EV_LOST)
		s->lost += ev->count;
	seen(s, process_id, ev->ts_ns);
	ival_id = intervals_track(s, ev, process_id, &skip);
	if (skip) {
		s->stats.aggregated++;
		return;
	}
	if (s->events.n >= STORE_MAX_PENDING) {
		s->stats.dropped++;
		return;
	}
	pe = VEC_PUSH(&s->events);
	pe->ev = *ev;
	pe->process_id = process_id;
	pe->ival_id = ival_id;
}

/* ---- writing ---- */

static int
write_proc(struct store *s, const struct pend_proc *pp)
{
	const struct proc_info *p = &pp->p;
	sqlite3_stmt *st = s->st[ST_INS_PROC];
	sqlite3_int64 path_id;
	size_t i;

	bind_u64(st, 1, pp->id);
	bind_u64(st, 2, s->run_id);
	bind_u64(st, 3, (uint64_t)p->pid);
	bind_nz(st, 4, (uint64_t)p->ppid);
	bind_nz(st, 5, (uint64_t)p->start_time);
	bind_u64(st, 6, pp->seen);
	if (p->uid != (uid_t)-1)
		bind_u64(st, 7, p->uid);
	bind_text(st, 8, p->user);
	bind_text(st, 9, p->comm[0] ? p->comm : NULL);
	bind_text(st, 10, p->exe);
	bind_text(st, 11, p->cmdline);
	bind_text(st, 12, p->unit);
	bind_text(st, 13, p->container);
	bind_text(st, 14, p->exited ? "exited" : p->exe == NULL &&
	    (p->exe_err == EACCES || p->exe_err == EPERM) ? "not permitted" : NULL);
	if (run_stmt(s, ST_INS_PROC) == -1)
		return -1;
	for (i = 0; i < p->nmodules; i++) {
		bind_text(s->st[ST_INS_PATH], 1, p->modules[i].path);
		if (run_stmt(s, ST_INS_PATH) == -1)
			return -1;
		st = s->st[ST_SEL_PATH];
		bind_text(st, 1, p->modules[i].path);
		if (sqlite3_step(st) != SQLITE_ROW) {
			sqlite3_reset(st);
			return -1;
		}
		path_id = sqlite3_column_int64(st, 0);
		sqlite3_reset(st);
		st = s->st[ST_INS_PMOD];
		bind_u64(st, 1, pp->id);
		sqlite3_bind_int64(st, 2, path_id);
		bind_u64(st, 3, p->modules[i].base);
		if (run_stmt(s, ST_INS_PMOD) == -1)
			return -1;
	}
	return 0;
}

static int
write_ival(struct store *s, const struct ival *iv)
{
	enum stmt_id id = iv->written ? ST_UPD_IVAL : ST_INS_IVAL;
	sqlite3_stmt *st = s->st[id];

	bind_u64(st, 1, iv->id);
	bind_u64(st, 2, s->run_id);
	bind_text(st, 3, iv->kind);
	bind_endpoints(st, 4, iv->proto, iv->family, iv->laddr, iv->lport, iv->raddr,
	    iv->rport);
	bind_text(st, 10, state_name(iv->proto, iv->state));
	bind_nz(st, 11, iv->process_id);
	bind_nz(st, 12, iv->pid);
	bind_u64(st, 13, iv->uid);
	bind_text(st, 14, iv->comm[0] ? iv->comm : NULL);
	bind_u64(st, 15, iv->opened);
	bind_nz(st, 16, iv->closed);
	bind_text(st, 17, iv->end);
	bind_u64(st, 18, iv->at_start);
	bind_nz(st, 19, iv->minute);
	bind_u64(st, 20, iv->count);
	if (iv->proto == IPPROTO_TCP) {
		bind_u64(st, 21, iv->bytes_sent);
		bind_u64(st, 22, iv->bytes_received);
	}
	bind_nz(st, 23, iv->cookie);
	return run_stmt(s, id);
}

static int
write_event(struct store *s, const struct pend_event *pe)
{
	const struct port_event *ev = &pe->ev;
	sqlite3_stmt *st = s->st[ST_INS_EVENT];

	bind_u64(st, 1, ev->ts_ns);
	bind_u64(st, 2, s->run_id);
	bind_text(st, 3, ev_type_name(ev->type));
	bind_u64(st, 4, ev->flags);
	if (proto_name(ev->proto) && ev->type != EV_LOST) {
		bind_endpoints(st, 5, ev->proto, ev->family, ev->laddr, ev->lport,
		    ev->raddr, ev->rport);
		bind_text(st, 11, ev->type == EV_CLOSE ? "CLOSED" :
		    state_name(ev->proto, ev->state));
		if (ev->type == EV_STATE || ev->type == EV_CLOSE)
			bind_text(st, 12, state_name(ev->proto, ev->old_state));
	}
	if (!(ev->flags & EVF_NO_OWNER) && ev->pid) {
		bind_u64(st, 13, ev->pid);
		bind_nz(st, 14, ev->tid);
		bind_u64(st, 15, ev->uid);
		bind_text(st, 16, ev->comm[0] ? ev->comm : NULL);
	}
	bind_nz(st, 17, pe->process_id);
	bind_nz(st, 18, pe->ival_id);
	bind_nz(st, 19, ev->cookie);
	bind_nz(st, 20, ev->netns);
	bind_nz(st, 21, ev->cgroup_id);
	if (ev->type == EV_CLOSE) {
		bind_u64(st, 22, ev->lifetime_ns);
		if (ev->proto == IPPROTO_TCP) {
			bind_u64(st, 23, ev->bytes_sent);
			bind_u64(st, 24, ev->bytes_received);
		}
	}
	if (ev->type == EV_UDP_FLOW || ev->type == EV_LOST)
		bind_u64(st, 25, ev->count);
	if (ev->type == EV_CONNECT && ev->error)
		sqlite3_bind_int(st, 26, ev->error);
	return run_stmt(s, ST_INS_EVENT);
}

static void
pend_proc_release(struct pend_proc *pp)
{
	proc_info_release(&pp->p);
}

int
store_flush(struct store *s, uint64_t now_ns, char *err, size_t errlen)
{
	const char *what = "cannot begin a transaction";
	uint64_t nev = 0;
	size_t i;
	sqlite3_stmt *st;

	/* nothing new: no transaction, but last_commit (when a run that
	 * dies is taken to have ended) moves at least every minute */
	if (s->events.n == 0 && s->procs.n == 0 && s->dirty.n == 0 && s->seen.n == 0 &&
	    s->stats.dropped == s->dropped_written &&
	    now_ns < s->last_commit + STORE_HEARTBEAT_NS && now_ns >= s->last_commit)
		return 0;
	if (run_stmt(s, ST_BEGIN) == -1)
		goto fail;
	what = "cannot write processes";
	for (i = 0; i < s->procs.n; i++)
		if (write_proc(s, &s->procs.v[i]) == -1)
			goto rollback;
	what = "cannot write intervals";
	for (i = 0; i < s->dirty.n; i++)
		if (write_ival(s, s->dirty.v[i]) == -1)
			goto rollback;
	what = "cannot write events";
	for (i = 0; i < s->events.n; i++) {
		if (s->events.v[i].skip)
			continue;
		if (write_event(s, &s->events.v[i]) == -1)
			goto rollback;
		nev++;
	}
	what = "cannot write processes";
	for (i = 0; i < s->seen.n; i++) {
		st = s->st[ST_UPD_PROC_SEEN];
		bind_u64(st, 1, s->seen.v[i].id);
		bind_u64(st, 2, s->seen.v[i].ts);
		if (run_stmt(s, ST_UPD_PROC_SEEN) == -1)
			goto rollback;
	}
	what = "cannot write the run";
	st = s->st[ST_UPD_RUN];
	bind_u64(st, 1, s->run_id);
	bind_u64(st, 2, now_ns);
	bind_u64(st, 3, s->stats.events + nev);
	bind_u64(st, 4, s->stats.aggregated);
	bind_u64(st, 5, s->lost);
	bind_u64(st, 6, s->stats.dropped);
	if (run_stmt(s, ST_UPD_RUN) == -1)
		goto rollback;
	what = "cannot commit";
	if (run_stmt(s, ST_COMMIT) == -1)
		goto rollback;

	/* committed: empty the queues */
	s->last_commit = now_ns;
	s->dropped_written = s->stats.dropped;
	s->stats.events += nev;
	s->stats.commits++;
	for (i = 0; i < s->procs.n; i++)
		pend_proc_release(&s->procs.v[i]);
	s->procs.n = 0;
	s->events.n = 0;
	s->seen.n = 0;
	hmap_release(&s->seen_idx);
	s->flush_gen++;
	intervals_committed(s);
	return 0;

rollback:
	snprintf(err, errlen, "%s: %s", what, sqlite3_errmsg(s->db));
	run_stmt(s, ST_ROLLBACK);
	s->stats.commit_failures++;
	return -1;
fail:
	s->stats.commit_failures++;
	return store_fail(s, what, err, errlen);
}

/* ---- runs ---- */

int
store_run_begin(struct store *s, uint64_t now_ns, const struct store_run_info *ri,
    char *err, size_t errlen)
{
	char host[256] = "", why[256];
	sqlite3_stmt *st = NULL;
	int i, rc;

	s->aggregate = ri->aggregate;
	for (i = 0; i < ST__COUNT; i++)
		if (s->st[i] == NULL &&
		    sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		    &s->st[i], NULL) != SQLITE_OK)
			return store_fail(s, "cannot prepare statements", err, errlen);
	/* a recorder that died: its open intervals end at its last commit */
	if (store_exec(s, "BEGIN IMMEDIATE;"
	    "UPDATE intervals SET end = 'died', closed = (SELECT "
	    "  coalesce(r.last_commit, r.started) FROM runs r WHERE r.id = intervals.run_id) "
	    "  WHERE closed IS NULL;"
	    "UPDATE runs SET end = 'died', stopped = coalesce(last_commit, started) "
	    "  WHERE stopped IS NULL", why, sizeof(why)) == -1)
		goto fail;
	gethostname(host, sizeof(host) - 1);
	if (sqlite3_prepare_v2(s->db, "INSERT INTO runs (started, last_commit, pid, "
	    "hostname, version, backend, fallback_reason) VALUES (?1, ?1, ?2, ?3, ?4, ?5, ?6)",
	    -1, &st, NULL) != SQLITE_OK)
		goto fail_db;
	bind_u64(st, 1, now_ns);
	bind_u64(st, 2, (uint64_t)getpid());
	bind_text(st, 3, host);
	bind_text(st, 4, ri->version);
	bind_text(st, 5, ri->backend);
	bind_text(st, 6, ri->fallback);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		goto fail_db;
	s->run_id = (uint64_t)sqlite3_last_insert_rowid(s->db);
	s->last_commit = now_ns;
	if (store_exec(s, "COMMIT", why, sizeof(why)) == -1)
		goto fail;
	return 0;
fail_db:
	snprintf(why, sizeof(why), "%s", sqlite3_errmsg(s->db));
fail:
	sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	snprintf(err, errlen, "cannot begin a run: %s", why);
	return -1;
}

int
store_run_end(struct store *s, uint64_t now_ns, char *err, size_t errlen)
{
	char sql[160];

	intervals_stop(s, now_ns);
	if (store_flush(s, now_ns, err, errlen) == -1)
		return -1;
	snprintf(sql, sizeof(sql), "UPDATE runs SET stopped = %llu, end = 'stop' "
	    "WHERE id = %llu", (unsigned long long)now_ns, (unsigned long long)s->run_id);
	if (store_exec(s, sql, err, errlen) == -1)
		return -1;
	intervals_release(s);
	return 0;
}

void
store_get_stats(const struct store *s, struct store_stats *out)
{
	*out = s->stats;
	out->pending = s->events.n;
	out->open_sockets = s->socks.count - s->graveyard.n;
}

void
store_close(struct store *s)
{
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < ST__COUNT; i++)
		sqlite3_finalize(s->st[i]);
	intervals_release(s);
	for (i = 0; i < s->procs.n; i++)
		pend_proc_release(&s->procs.v[i]);
	VEC_FREE(&s->procs);
	VEC_FREE(&s->events);
	VEC_FREE(&s->seen);
	hmap_release(&s->seen_idx);
	if (s->db)
		sqlite3_close(s->db);
	if (s->lockfd >= 0)
		close(s->lockfd);	/* after sqlite3_close: see store_open */
	free(s->path);
	free(s);
}
