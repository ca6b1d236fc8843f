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

#define NS_PER_MINUTE	60000000000ULL

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

static int
run_stmt(struct store *s, enum stmt_id id)
{
	sqlite3_stmt *st = s->st[id];
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : -1;
}

/* ---- intervals ---- */

static void
mark_dirty(struct store *s, struct ival *iv)
{
	if (iv->dirty)
		return;
	iv->dirty = 1;
	*VEC_PUSH(&s->dirty) = iv;
}

static void
ival_unref(struct ival *iv)
{
	if (--iv->refs == 0 && !iv->dirty)
		free(iv);
}

static struct ival *
ival_new(struct store *s, const struct port_event *ev, const char *kind,
    uint64_t process_id)
{
	struct ival *iv = xcalloc(1, sizeof(*iv));

	iv->id = s->next_ival_id++;
	iv->cookie = ev->cookie;
	iv->process_id = process_id;
	iv->opened = ev->ts_ns;
	iv->count = 1;
	iv->pid = ev->pid;
	iv->uid = ev->uid;
	iv->open_socks = 1;
	iv->refs = 1;
	iv->kind = kind;
	memcpy(iv->comm, ev->comm, sizeof(iv->comm));
	iv->proto = ev->proto;
	iv->family = ev->family;
	iv->state = ev->state;
	iv->lport = ev->lport;
	iv->rport = ev->rport;
	memcpy(iv->laddr, ev->laddr, sizeof(iv->laddr));
	memcpy(iv->raddr, ev->raddr, sizeof(iv->raddr));
	s->stats.intervals++;
	mark_dirty(s, iv);
	return iv;
}

/* The aggregation key of an event: FNV-1a over what makes two flows
 * "the same" (never 0). */
static uint64_t
agg_key(const struct port_event *ev, const char *kind, uint64_t process_id,
    uint64_t minute)
{
	uint64_t h = 0xcbf29ce484222325ULL, who = process_id ? process_id : ev->pid;
	uint16_t lport = strcmp(kind, "accept") == 0 ? ev->lport : 0;
	const void *parts[] = { kind, &who, &ev->proto, &ev->family, ev->raddr,
	    &ev->rport, &lport, &minute };
	const size_t lens[] = { strlen(kind), sizeof(who), 1, 1, 16, 2, 2, sizeof(minute) };
	size_t i, j;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (j = 0; j < lens[i]; j++) {
			h ^= ((const uint8_t *)parts[i])[j];
			h *= 0x100000001b3ULL;
		}
	return h ? h : 1;
}

static int
agg_same(const struct ival *iv, const struct port_event *ev, const char *kind,
    uint64_t process_id)
{
	return strcmp(iv->kind, kind) == 0 && iv->proto == ev->proto &&
	    iv->family == ev->family && iv->rport == ev->rport &&
	    memcmp(iv->raddr, ev->raddr, 16) == 0 &&
	    (process_id ? iv->process_id == process_id : iv->pid == ev->pid) &&
	    (strcmp(kind, "accept") != 0 || iv->lport == ev->lport);
}

static void
agg_drop(void *val, void *arg)
{
	struct ival *iv = val;

	(void)arg;
	iv->agg_key = 0;
	ival_unref(iv);
}

/*
 * The interval for a new connection or flow: this minute's identical one
 * (then *folded is set and it counts one more socket), or a new one that
 * later identical ones will join.
 */
static struct ival *
ival_fold_or_new(struct store *s, const struct port_event *ev, const char *kind,
    uint64_t process_id, int *folded)
{
	uint64_t minute = ev->ts_ns / NS_PER_MINUTE, key;
	struct ival *iv;

	*folded = 0;
	if (!s->aggregate)
		return ival_new(s, ev, kind, process_id);
	if (minute != s->agg_minute) {
		hmap_each(&s->agg, agg_drop, NULL);
		hmap_release(&s->agg);
		s->agg_minute = minute;
	}
	key = agg_key(ev, kind, process_id, minute);
	if ((iv = hmap_get(&s->agg, key)) != NULL && agg_same(iv, ev, kind, process_id)) {
		iv->count++;
		iv->open_socks++;
		iv->refs++;
		iv->closed = 0;
		iv->end = NULL;
		mark_dirty(s, iv);
		*folded = 1;
		return iv;
	}
	iv = ival_new(s, ev, kind, process_id);
	iv->minute = minute;
	if (hmap_get(&s->agg, key) == NULL) {
		iv->agg_key = key;
		iv->refs++;
		hmap_put(&s->agg, key, iv);
	}
	return iv;
}

/* One socket of iv has ended at ts (how: "close", "stop"). */
static void
ival_end(struct store *s, struct ival *iv, uint64_t ts, const char *how)
{
	if (iv->open_socks > 0)
		iv->open_socks--;
	if (iv->open_socks == 0) {
		if (ts > iv->closed)
			iv->closed = ts;
		iv->end = how;
	}
	mark_dirty(s, iv);
}

static const char *
existing_kind(const struct port_event *ev)
{
	if (ev->proto == IPPROTO_TCP && ev->state == 10)	/* TCP_LISTEN */
		return "listen";
	if (ev->rport != 0)
		return ev->proto == IPPROTO_TCP ? "established" : "connect";
	return "bound";
}

static struct sockst *
sock_get(struct store *s, uint64_t cookie)
{
	struct sockst *ss;

	if ((ss = hmap_get(&s->socks, cookie)) == NULL) {
		ss = xcalloc(1, sizeof(*ss));
		ss->cookie = cookie;
		ss->first_ts = UINT64_MAX;
		hmap_put(&s->socks, cookie, ss);
	}
	return ss;
}

static void
sock_free(struct sockst *ss)
{
	size_t i;

	if (ss->main)
		ival_unref(ss->main);
	for (i = 0; i < ss->nflows; i++)
		ival_unref(ss->flows[i]);
	free(ss->flows);
	free(ss);
}

/* The socket has closed: it stays known for two more commits, for events
 * the engine delivers after the close, then goes. */
static void
sock_bury(struct store *s, struct sockst *ss)
{
	ss->closed = 1;
	ss->closed_gen = s->flush_gen;
	*VEC_PUSH(&s->graveyard) = ss;
}

/* Forget the sockets closed before the last commit. */
static void
graveyard_sweep(struct store *s)
{
	size_t i, n = 0;

	for (i = 0; i < s->graveyard.n; i++) {
		struct sockst *ss = s->graveyard.v[i];

		if (ss->closed_gen + 2 <= s->flush_gen) {
			hmap_del(&s->socks, ss->cookie);
			sock_free(ss);
		} else
			s->graveyard.v[n++] = ss;
	}
	s->graveyard.n = n;
}

/* The socket's events already queued are aggregated after all. */
static void
sock_fold_queued(struct store *s, struct sockst *ss)
{
	size_t i;

	if (ss->first_pending == 0 || ss->pending_gen != s->flush_gen)
		return;
	for (i = ss->first_pending - 1; i < s->events.n; i++) {
		struct pend_event *pe = &s->events.v[i];

		if (pe->ev.cookie == ss->cookie && !pe->skip) {
			pe->skip = 1;
			s->stats.aggregated++;
		}
	}
}

/* Point the socket's own interval at the event's process (an accept is
 * credited to the acceptor). */
static void
ival_credit(struct store *s, struct ival *iv, const struct port_event *ev,
    uint64_t process_id)
{
	if (ev->pid == 0)
		return;
	iv->pid = ev->pid;
	iv->uid = ev->uid;
	iv->process_id = process_id;
	memcpy(iv->comm, ev->comm, sizeof(iv->comm));
	mark_dirty(s, iv);
}

static void
ival_endpoints(struct store *s, struct ival *iv, const struct port_event *ev)
{
	iv->state = ev->state;
	if (ev->lport) {
		iv->lport = ev->lport;
		memcpy(iv->laddr, ev->laddr, 16);
	}
	if (ev->rport) {
		iv->rport = ev->rport;
		memcpy(iv->raddr, ev->raddr, 16);
	}
	mark_dirty(s, iv);
}

/*
 * Keep the interval table current for ev.  Returns the interval the event
 * belongs to (0 if none) and sets *skip when the event is aggregated
 * rather than stored.
 */
static uint64_t
track(struct store *s, const struct port_event *ev, uint64_t process_id, int *skip)
{
	struct sockst *ss;
	struct ival *iv;
	int folded = 0, had_main;
	size_t i;

	*skip = 0;
	if (ev->cookie == 0 || ev->type == EV_LOST)
		return 0;
	if (ev->type == EV_CLOSE && (ss = hmap_get(&s->socks, ev->cookie)) == NULL) {
		/* never seen open: the close says how long it lived; events
		 * of the socket that come after it (a refused connect's
		 * connect returns after the close) join this interval */
		struct port_event open = *ev;

		open.ts_ns = ev->lifetime_ns < ev->ts_ns ? ev->ts_ns - ev->lifetime_ns : ev->ts_ns;
		ss = sock_get(s, ev->cookie);
		ss->first_ts = open.ts_ns;
		if (ev->rport)
			iv = ival_fold_or_new(s, &open, "connect", process_id, &folded);
		else
			iv = ival_new(s, &open, "bound", process_id);
		ss->main = iv;
		ss->folded = folded;
		iv->bytes_sent += ev->bytes_sent;
		iv->bytes_received += ev->bytes_received;
		ival_end(s, iv, ev->ts_ns, "close");
		sock_bury(s, ss);
		*skip = folded;
		return iv->id;
	}
	ss = sock_get(s, ev->cookie);
	if (ev->ts_ns < ss->first_ts)
		ss->first_ts = ev->ts_ns;
	if (ss->first_pending == 0 || ss->pending_gen != s->flush_gen) {
		ss->first_pending = s->events.n + 1;
		ss->pending_gen = s->flush_gen;
	}
	iv = ss->main;
	had_main = iv != NULL;
	if (ss->closed) {
		/* an event the engine delivered after the close: it belongs
		 * to the closed interval, and opens nothing */
		if (iv && !ss->folded && ev->type != EV_CLOSE) {
			if (iv->rport == 0 && ev->rport)
				ival_endpoints(s, iv, ev);
			if (ev->type == EV_ACCEPT)
				ival_credit(s, iv, ev, process_id);
		}
		*skip = ss->folded;
		return iv ? iv->id : 0;
	}
	switch (ev->type) {
	case EV_EXISTING:
		if (iv == NULL) {
			iv = ss->main = ival_new(s, ev, existing_kind(ev), process_id);
			iv->at_start = 1;
		}
		break;
	case EV_BIND:
		if (iv == NULL && !(ev->flags & EVF_IMPLICIT))
			iv = ss->main = ival_new(s, ev, "bound", process_id);
		else if (iv)
			ival_endpoints(s, iv, ev);
		break;
	case EV_LISTEN:
		if (iv == NULL)
			iv = ss->main = ival_new(s, ev, "listen", process_id);
		else if (!ss->folded) {
			iv->kind = "listen";
			ival_endpoints(s, iv, ev);
		}
		break;
	case EV_CONNECT:
	case EV_ACCEPT:
		if (iv == NULL) {
			iv = ss->main = ival_fold_or_new(s, ev,
			    ev->type == EV_CONNECT ? "connect" : "accept", process_id, &folded);
			if (folded) {
				ss->folded = 1;
				sock_fold_queued(s, ss);
			}
		} else if (!ss->folded) {
			if (ev->type == EV_ACCEPT) {
				iv->kind = "accept";
				ival_credit(s, iv, ev, process_id);
			} else if (strcmp(iv->kind, "bound") == 0)
				iv->kind = "connect";
			ival_endpoints(s, iv, ev);
		}
		break;
	case EV_STATE:
		if (iv == NULL && ev->state == 10)
			iv = ss->main = ival_new(s, ev, "listen", process_id);
		else if (iv == NULL) {
			iv = ss->main = ival_fold_or_new(s, ev, (ev->flags & EVF_PASSIVE) ?
			    "accept" : "connect", process_id, &folded);
			if (folded) {
				ss->folded = 1;
				sock_fold_queued(s, ss);
			}
		} else if (!ss->folded)
			ival_endpoints(s, iv, ev);
		break;
	case EV_UDP_FLOW:
		if (iv == NULL) {
			iv = ss->main = ival_fold_or_new(s, ev, "udp_flow", process_id, &folded);
			if (folded) {
				ss->folded = 1;
				sock_fold_queued(s, ss);
			}
			break;
		}
		if (ss->folded || (iv->rport == ev->rport &&
		    memcmp(iv->raddr, ev->raddr, 16) == 0))
			break;
		for (i = 0; i < ss->nflows; i++)
			if (ss->flows[i]->rport == ev->rport &&
			    memcmp(ss->flows[i]->raddr, ev->raddr, 16) == 0)
				break;
		if (i < ss->nflows) {
			iv = ss->flows[i];
			break;
		}
		iv = ival_fold_or_new(s, ev, "udp_flow", process_id, &folded);
		if (ss->nflows == ss->flows_cap)
			vec_reserve_((void **)&ss->flows, &ss->flows_cap, ss->nflows + 1,
			    sizeof(*ss->flows));
		ss->flows[ss->nflows++] = iv;
		*skip = folded;
		return iv->id;
	case EV_CLOSE:
		if (iv) {
			iv->bytes_sent += ev->bytes_sent;
			iv->bytes_received += ev->bytes_received;
			ival_end(s, iv, ev->ts_ns, "close");
		}
		for (i = 0; i < ss->nflows; i++)
			ival_end(s, ss->flows[i], ev->ts_ns, "close");
		*skip = ss->folded;
		sock_bury(s, ss);
		return iv ? iv->id : 0;
	case EV_LOST:
		break;
	}
	/* a socket's interval begins with its first event (an implicit bind
	 * before the connect); an aggregate's with its earliest socket */
	if (!had_main && ss->main && ss->first_ts < ss->main->opened) {
		ss->main->opened = ss->first_ts;
		mark_dirty(s, ss->main);
	}
	*skip = ss->folded;
	return iv ? iv->id : 0;
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
	pp->p.json = NULL;
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
	ival_id = track(s, ev, process_id, &skip);
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
	bind_text(st, 4, proto_name(iv->proto));
	bind_u64(st, 5, iv->family == AF_INET6 ? 6 : 4);
	bind_addr(st, 6, iv->family, iv->laddr, 0, iv->lport);
	bind_u64(st, 7, iv->lport);
	bind_addr(st, 8, iv->family, iv->raddr, 1, iv->rport);
	bind_nz(st, 9, iv->rport);
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
	const char *proto = proto_name(ev->proto);

	bind_u64(st, 1, ev->ts_ns);
	bind_u64(st, 2, s->run_id);
	bind_text(st, 3, ev_type_name(ev->type));
	bind_u64(st, 4, ev->flags);
	if (proto && ev->type != EV_LOST) {
		bind_text(st, 5, proto);
		bind_u64(st, 6, ev->family == AF_INET6 ? 6 : 4);
		bind_addr(st, 7, ev->family, ev->laddr, 0, ev->lport);
		bind_u64(st, 8, ev->lport);
		bind_addr(st, 9, ev->family, ev->raddr, 1, ev->rport);
		bind_nz(st, 10, ev->rport);
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
	s->stats.events += nev;
	s->stats.commits++;
	for (i = 0; i < s->procs.n; i++)
		pend_proc_release(&s->procs.v[i]);
	s->procs.n = 0;
	for (i = 0; i < s->dirty.n; i++) {
		struct ival *iv = s->dirty.v[i];

		iv->dirty = 0;
		iv->written = 1;
		if (iv->refs == 0)
			free(iv);
	}
	s->dirty.n = 0;
	s->events.n = 0;
	s->seen.n = 0;
	hmap_release(&s->seen_idx);
	s->flush_gen++;
	graveyard_sweep(s);
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

static void
sock_stop(void *val, void *arg)
{
	struct sockst *ss = val;
	struct store *s = ((void **)arg)[0];
	uint64_t now = *(uint64_t *)((void **)arg)[1];
	size_t i;

	if (ss->closed)
		return;
	if (ss->main)
		ival_end(s, ss->main, now, "stop");
	for (i = 0; i < ss->nflows; i++)
		ival_end(s, ss->flows[i], now, "stop");
}

static void
sock_free_cb(void *val, void *arg)
{
	(void)arg;
	sock_free(val);
}

int
store_run_end(struct store *s, uint64_t now_ns, char *err, size_t errlen)
{
	void *arg[2] = { s, &now_ns };
	char sql[160];

	hmap_each(&s->socks, sock_stop, arg);
	if (store_flush(s, now_ns, err, errlen) == -1)
		return -1;
	snprintf(sql, sizeof(sql), "UPDATE runs SET stopped = %llu, end = 'stop' "
	    "WHERE id = %llu", (unsigned long long)now_ns, (unsigned long long)s->run_id);
	if (store_exec(s, sql, err, errlen) == -1)
		return -1;
	hmap_each(&s->socks, sock_free_cb, NULL);
	hmap_release(&s->socks);
	s->graveyard.n = 0;
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
	hmap_each(&s->socks, sock_free_cb, NULL);
	hmap_release(&s->socks);
	VEC_FREE(&s->graveyard);
	hmap_each(&s->agg, agg_drop, NULL);
	hmap_release(&s->agg);
	for (i = 0; i < s->dirty.n; i++) {
		s->dirty.v[i]->dirty = 0;
		if (s->dirty.v[i]->refs == 0)
			free(s->dirty.v[i]);
	}
	VEC_FREE(&s->dirty);
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
