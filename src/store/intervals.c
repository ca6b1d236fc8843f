/*
 * The interval table, kept in memory from the events: one interval per
 * use of a socket (listen, bound, connect, accept, udp_flow), the
 * per-minute aggregation of repeated connections and flows, and sockets
 * closed a moment ago (for events the engine delivers after a close).
 * The writer (writer.c) writes the intervals marked dirty.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "store/store_impl.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define NS_PER_MINUTE	60000000000ULL

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
uint64_t
intervals_track(struct store *s, const struct port_event *ev, uint64_t process_id, int *skip)
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

static void
sock_free_cb(void *val, void *arg)
{
	(void)arg;
	sock_free(val);
}

struct stop_arg {
	struct store	*s;
	uint64_t	 now;
};

static void
sock_stop(void *val, void *arg)
{
	struct sockst *ss = val;
	struct stop_arg *a = arg;
	size_t i;

	if (ss->closed)
		return;
	if (ss->main)
		ival_end(a->s, ss->main, a->now, "stop");
	for (i = 0; i < ss->nflows; i++)
		ival_end(a->s, ss->flows[i], a->now, "stop");
}

void
intervals_stop(struct store *s, uint64_t now_ns)
{
	struct stop_arg a = { s, now_ns };

	hmap_each(&s->socks, sock_stop, &a);
}

void
intervals_committed(struct store *s)
{
	size_t i;

	for (i = 0; i < s->dirty.n; i++) {
		struct ival *iv = s->dirty.v[i];

		iv->dirty = 0;
		iv->written = 1;
		if (iv->refs == 0)
			free(iv);
	}
	s->dirty.n = 0;
	graveyard_sweep(s);
}

void
intervals_release(struct store *s)
{
	size_t i;

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
}
