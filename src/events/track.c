/*
 * Sockets known from events but not from snapshots (see track.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>

#include "events/track.h"
#include "util/u64map.h"
#include "util/vec.h"
#include "util/xmalloc.h"

struct tsock {
	uint64_t	cookie;
	struct sock_row	first;		/* as first seen */
	struct sock_row	row;		/* as now (the last state before a close) */
	struct sock_row	shown;		/* as last printed */
	uint32_t	pid;		/* owner as the events named it; 0: none */
	uint32_t	uid;
	char		comm[EV_COMM_LEN];
	int		shown_valid;
	int		closed;
	int		touched;
	int		covered;	/* a snapshot shows it now: drop */
	size_t		adopt;		/* 1 + its row in cur, which has no owner */
};

/* The rows, owners and processes of the snapshot a flush makes. */
struct xs_build {
	struct { struct sock_row *v; size_t n, cap; }	rows;
	struct { struct sock_owner *v; size_t n, cap; }	owners;
	struct { struct proc_info *v; size_t n, cap; }	procs;
};

struct ev_track {
	struct { struct tsock *v; size_t n, cap; } socks;
	struct { struct port_event *v; size_t n, cap; } pending;
};

struct ev_track *
track_new(void)
{
	return xcalloc(1, sizeof(struct ev_track));
}

void
track_free(struct ev_track *t)
{
	if (t == NULL)
		return;
	VEC_FREE(&t->socks);
	VEC_FREE(&t->pending);
	free(t);
}

void
track_add(struct ev_track *t, const struct port_event *e)
{
	if (e->type == EV_EXISTING || e->type == EV_LOST || e->cookie == 0)
		return;
	*VEC_PUSH(&t->pending) = *e;
}

size_t
track_pending(const struct ev_track *t)
{
	return t->pending.n;
}

/* The cookies of s's rows. */
static void
cookie_set(const struct snapshot *s, struct u64map *m)
{
	uint64_t c;
	size_t i;

	u64map_init(m, s->nsocks + 1);
	for (i = 0; i < s->nsocks; i++) {
		c = (uint64_t)s->socks[i].cookie[0] | (uint64_t)s->socks[i].cookie[1] << 32;
		if (c)
			u64map_put(m, c, (uint32_t)i);
	}
}

/* Change ts as event e says. */
static void
apply(struct tsock *ts, const struct port_event *e)
{
	struct sock_row *r = &ts->row;

	r->proto = e->proto;
	r->family = e->family;
	if (e->lport) {
		r->lport = e->lport;
		memcpy(r->laddr, e->laddr, sizeof(r->laddr));
	}
	if (e->type != EV_UDP_FLOW) {	/* a flow's destination is not the socket's peer */
		r->rport = e->rport;
		memcpy(r->raddr, e->raddr, sizeof(r->raddr));
	}
	r->cookie[0] = (uint32_t)e->cookie;
	r->cookie[1] = (uint32_t)(e->cookie >> 32);
	if (e->type == EV_CLOSE) {
		r->state = e->old_state;
		ts->closed = 1;
	} else if (e->type != EV_UDP_FLOW || r->state == 0)
		r->state = e->state ? e->state : TCP_CLOSE;
	if (e->pid && !(e->flags & EVF_NO_OWNER)) {
		ts->pid = e->pid;
		ts->uid = e->uid;
		memcpy(ts->comm, e->comm, sizeof(ts->comm));
	}
	r->uid = ts->uid;
	ts->touched = 1;
}

/* Add row r of ts to the snapshot being built, with its owner; returns
 * its index. */
static size_t
xs_add(struct xs_build *xb, const struct tsock *ts, const struct sock_row *r)
{
	struct sock_row *nr = VEC_PUSH(&xb->rows);
	struct sock_owner *ow;
	struct proc_info *p, now;

	*nr = *r;
	nr->owner = OWNER_NONE;
	if (ts->pid == 0) {
		nr->missing = OWNER_NOT_FOUND;
		return xb->rows.n - 1;
	}
	ow = VEC_PUSH(&xb->owners);
	ow->pid = ts->pid;
	ow->fd = -1;
	ow->proc = (uint32_t)xb->procs.n;
	ow->next = OWNER_NONE;
	nr = &xb->rows.v[xb->rows.n - 1];
	nr->owner = (uint32_t)(xb->owners.n - 1);
	p = VEC_PUSH(&xb->procs);
	/* the process's details while it lives (and still has that name) */
	memset(&now, 0, sizeof(now));
	if (proc_read_pid((pid_t)ts->pid, 0, PROC_BASIC, &now) == 0 &&
	    strncmp(now.comm, ts->comm, EV_COMM_LEN - 1) == 0) {
		*p = now;
		return xb->rows.n - 1;
	}
	proc_info_release(&now);
	p->pid = (pid_t)ts->pid;
	p->uid = ts->uid;
	memcpy(p->comm, ts->comm, EV_COMM_LEN);
	p->comm[EV_COMM_LEN - 1] = '\0';
	p->exe_err = ESRCH;
	return xb->rows.n - 1;
}

/* Take out of sd the NEW event for row r. */
static void
drop_new(struct diff *sd, const struct sock_row *r)
{
	size_t i;

	for (i = 0; i < sd->nevents; i++)
		if (sd->events[i].kind == DIFF_NEW && sd->events[i].after == r) {
			memmove(sd->events + i, sd->events + i + 1,
			    (sd->nevents - i - 1) * sizeof(*sd->events));
			sd->nevents--;
			return;
		}
}

void
track_flush(struct ev_track *t, const struct snapshot *prev, const struct snapshot *cur,
    struct diff *sd, struct snapshot *xs, struct diff *d)
{
	struct xs_build xb;
	struct { struct { enum diff_kind k; size_t b, a; int a_cur; } *v; size_t n, cap; }
	    out = { NULL, 0, 0 };
	struct u64map pset, cset, idx;
	const struct port_event *e;
	struct tsock *ts;
	size_t i, keep;
	uint32_t k, j;

	memset(xs, 0, sizeof(*xs));
	memset(&xb, 0, sizeof(xb));
	d->events = NULL;
	d->nevents = 0;
	cookie_set(prev, &pset);
	cookie_set(cur, &cset);
	u64map_init(&idx, t->socks.n + t->pending.n + 1);
	for (i = 0; i < t->socks.n; i++)
		u64map_put(&idx, t->socks.v[i].cookie, (uint32_t)i);
	for (i = 0; i < t->pending.n; i++) {
		e = &t->pending.v[i];
		k = u64map_get(&idx, e->cookie);
		j = u64map_get(&cset, e->cookie);
		/* A socket new in cur with no owner there (a short connection's
		 * TIME_WAIT): the events know who it was; others are the
		 * snapshot diff's. */
		if (u64map_get(&pset, e->cookie) != U64MAP_MISSING ||
		    (j != U64MAP_MISSING && (cur->socks[j].owner != OWNER_NONE ||
		    (k != U64MAP_MISSING && t->socks.v[k].shown_valid)))) {
			if (k != U64MAP_MISSING)
				t->socks.v[k].covered = 1;
			continue;
		}
		if (k == U64MAP_MISSING) {
			k = u64map_put(&idx, e->cookie, (uint32_t)t->socks.n);
			ts = VEC_PUSH(&t->socks);
			ts->cookie = e->cookie;
			apply(ts, e);
			ts->first = ts->row;
			if (j != U64MAP_MISSING)
				ts->adopt = (size_t)j + 1;
			continue;
		}
		ts = &t->socks.v[k];
		if (!ts->closed)
			apply(ts, e);
	}
	/* what changed since the last flush, as a snapshot diff would say it */
	for (i = 0; i < t->socks.n; i++) {
		ts = &t->socks.v[i];
		if (!ts->touched || ts->covered)
			continue;
		if (ts->adopt) {
			const struct sock_row *cr = &cur->socks[ts->adopt - 1];

			VEC_RESERVE(&out, out.n + 2);
			out.v[out.n].k = DIFF_NEW;
			out.v[out.n].a_cur = 0;
			if (cr->missing == OWNER_ORPHAN && cr->state != ts->first.state) {
				/* nobody holds it any more (TIME_WAIT): NEW as the
				 * events saw it, then the change to what cur shows */
				out.v[out.n++].a = xs_add(&xb, ts, &ts->first);
				out.v[out.n].k = DIFF_STATE;
				out.v[out.n].b = out.v[out.n - 1].a;
				out.v[out.n].a_cur = 1;
				out.v[out.n++].a = ts->adopt - 1;
			} else	/* its owner was not found in time: the events name it */
				out.v[out.n++].a = xs_add(&xb, ts, cr);
			drop_new(sd, cr);
			ts->covered = 1;
			continue;
		}
		if (!ts->shown_valid) {
			VEC_RESERVE(&out, out.n + 1);
			out.v[out.n].k = DIFF_NEW;
			out.v[out.n].a_cur = 0;
			out.v[out.n++].a = xs_add(&xb, ts, ts->closed ? &ts->first : &ts->row);
			ts->shown = ts->row;
			ts->shown_valid = 1;
		} else if (!ts->closed && (ts->row.state != ts->shown.state ||
		    ts->row.rport != ts->shown.rport || ts->row.lport != ts->shown.lport ||
		    memcmp(ts->row.raddr, ts->shown.raddr, 16) != 0)) {
			VEC_RESERVE(&out, out.n + 1);
			out.v[out.n].k = DIFF_STATE;
			out.v[out.n].a_cur = 0;
			out.v[out.n].b = xs_add(&xb, ts, &ts->shown);
			out.v[out.n++].a = xs_add(&xb, ts, &ts->row);
			ts->shown = ts->row;
		}
		if (ts->closed) {
			VEC_RESERVE(&out, out.n + 1);
			out.v[out.n].k = DIFF_GONE;
			out.v[out.n++].b = xs_add(&xb, ts, &ts->row);
		}
		ts->touched = 0;
	}
	/* keep only the sockets still open and not shown by a snapshot */
	for (i = keep = 0; i < t->socks.n; i++)
		if (!t->socks.v[i].closed && !t->socks.v[i].covered)
			t->socks.v[keep++] = t->socks.v[i];
	t->socks.n = keep;
	t->pending.n = 0;
	u64map_release(&pset);
	u64map_release(&cset);
	u64map_release(&idx);

	xs->socks = xb.rows.v;
	xs->nsocks = xb.rows.n;
	xs->owners = xb.owners.v;
	xs->nowners = xb.owners.n;
	xs->scan.procs = xb.procs.v;
	xs->scan.nprocs = xb.procs.n;
	if (out.n == 0) {
		VEC_FREE(&out);
		return;
	}
	d->events = xcalloc(out.n, sizeof(*d->events));
	for (i = 0; i < out.n; i++) {
		d->events[i].kind = out.v[i].k;
		d->events[i].before = out.v[i].k == DIFF_NEW ? NULL : &xs->socks[out.v[i].b];
		if (out.v[i].k == DIFF_GONE)
			d->events[i].after = NULL;
		else if (out.v[i].a_cur)
			d->events[i].after = &cur->socks[out.v[i].a];
		else
			d->events[i].after = &xs->socks[out.v[i].a];
	}
	d->nevents = out.n;
	VEC_FREE(&out);
}
