/*
 * The port profile (see profile.h): joining events with stack snapshots,
 * attribution, and the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "bpf/profile.h"
#include "profile/profile.h"
#include "util/clock.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define PENDING_MAX	65536		/* snapshots (unwound) kept waiting for their events */
#define PRUNE_EVERY_NS	(NSEC_PER_SEC)
#define IDLE_NS		(5 * NSEC_PER_SEC)

/* One snapshot, unwound as it arrives (the stack copy is not kept), until
 * its events came. */
struct psnap {
	uint64_t		 ts;
	uint32_t		 nr, pid, tid;
	unsigned		 gen;		/* profile_join round it arrived in */
	uint8_t			 addr[PFK_ADDR_MAX];
	unsigned		 addrlen;
	unsigned		 served;	/* 1 << ev_type of the events it explained */
	struct unwind_frames	 frames;
	const char		*why;		/* not unwound: why (the unwinder's string) */
	size_t			 attributed;
};

struct snap_queue {
	uint32_t		 tid;
	struct { struct psnap **v; size_t n, cap; } s;	/* oldest first */
};

/* A TCP bind, waiting to see whether its socket listens. */
struct tcp_bind {
	struct port_event	 e;
	struct prof_func	 fn;
	struct prof_stack	 st;
	int			 has_stack;
};

static const char *const dir_words[PD_NDIRS] = {
	"listen", "bind", "connect", "send", "accept"
};
static const char *const dir_labels[PD_NDIRS] = {
	"listen", "bind", "connect to", "UDP to", "accepted from"
};

const char *
prof_dir_word(enum prof_dir d)
{
	return d < PD_NDIRS ? dir_words[d] : "?";
}

const char *
prof_dir_label(enum prof_dir d)
{
	return d < PD_NDIRS ? dir_labels[d] : "?";
}

void
profile_init(struct profile *p, uint64_t start_ns)
{
	memset(p, 0, sizeof(*p));
	p->start_ns = start_ns;
	p->uw = unwinder_new();
	p->pruned_ns = start_ns;
}

static void
psnap_free(struct psnap *s)
{
	VEC_FREE(&s->frames);
	free(s);
}

static void
queue_free(struct snap_queue *q)
{
	size_t i;

	for (i = 0; i < q->s.n; i++)
		psnap_free(q->s.v[i]);
	VEC_FREE(&q->s);
	free(q);
}

void
profile_release(struct profile *p)
{
	size_t i, j;

	for (i = 0; i < p->qlist.n; i++)
		queue_free(p->qlist.v[i]);
	VEC_FREE(&p->qlist);
	hmap_release(&p->queues);
	for (i = 0; i < p->ports.n; i++) {
		struct prof_port *r = &p->ports.v[i];

		for (j = 0; j < r->stacks.n; j++)
			free(r->stacks.v[j].frames);
		VEC_FREE(&r->stacks);
		VEC_FREE(&r->peers);
		VEC_FREE(&r->locals);
		VEC_FREE(&r->procs);
		VEC_FREE(&r->funcs);
	}
	VEC_FREE(&p->ports);
	for (i = 0; i < p->tcp_binds.n; i++)
		free(p->tcp_binds.v[i].st.frames);
	VEC_FREE(&p->tcp_binds);
	VEC_FREE(&p->waiting);
	hmap_release(&p->rows);
	hmap_release(&p->listened);
	VEC_FREE(&p->scratch);
	unwinder_free(p->uw);
	memset(p, 0, sizeof(*p));
}

/* ---- snapshots ---- */

/* The path of m (components from the file up) into out; 0 or -1. */
static int
map_path(const struct pfk_map *m, char *out, size_t outlen)
{
	const char *comp[PFK_DEPTH_MAX];
	size_t len = m->path_len <= PFK_PATH_BUF ? m->path_len : PFK_PATH_BUF, off = 0, o = 0;
	unsigned n = 0, i;

	while (off < len && n < PFK_DEPTH_MAX && n < m->depth) {
		comp[n++] = m->path + off;
		off += strnlen(m->path + off, len - off) + 1;
	}
	if (n == 0)
		return -1;
	out[0] = '\0';
	for (i = n; i > 0; i--) {
		int w = snprintf(out + o, outlen - o, "/%.*s", PFK_NAME_MAX, comp[i - 1]);

		if (w < 0 || (size_t)w >= outlen - o)
			return -1;
		o += (size_t)w;
	}
	return 0;
}

void
profile_maps(struct profile *p, const struct pfk_maps *k)
{
	struct unwind_map maps[PFK_MAPS_MAX];
	char paths[PFK_MAPS_MAX][512];
	size_t i, n = 0;

	for (i = 0; i < k->n && i < PFK_MAPS_MAX; i++) {
		if (map_path(&k->m[i], paths[n], sizeof(paths[n])) == -1)
			continue;
		maps[n].start = k->m[i].start;
		maps[n].end = k->m[i].end;
		maps[n].offset = k->m[i].pgoff * 4096;
		maps[n].ino = k->m[i].ino;
		maps[n].path = paths[n];
		n++;
	}
	unwind_note_maps(p->uw, k->pid, k->start_ns, k->exec_id, maps, n);
}

static size_t
pending_count(const struct profile *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->qlist.n; i++)
		n += p->qlist.v[i]->s.n;
	return n;
}

/* The frame to credit: the first outside the C library and the language
 * runtime; else the first outside the C library; else the first. */
static size_t
attributed_frame(const struct unwind_frames *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (f->v[i].module && f->v[i].kind == UNWIND_APP)
			return i;
	for (i = 0; i < f->n; i++)
		if (f->v[i].module && f->v[i].kind == UNWIND_RUNTIME)
			return i;
	return 0;
}

void
profile_snapshot(struct profile *p, const struct pfk_snap *k)
{
	struct unwind_input in;
	struct snap_queue *q;
	struct psnap *s;
	char err[160];
	int i;

	p->counts.snapshots++;
	if ((q = hmap_get(&p->queues, k->tid ? k->tid : 0x100000000ULL)) == NULL) {
		q = xcalloc(1, sizeof(*q));
		q->tid = k->tid;
		hmap_put(&p->queues, k->tid ? k->tid : 0x100000000ULL, q);
		*VEC_PUSH(&p->qlist) = q;
	}
	s = xcalloc(1, sizeof(*s));
	s->ts = k->ts_ns;
	s->nr = k->nr;
	s->pid = k->pid;
	s->tid = k->tid;
	s->gen = p->gen;
	s->addrlen = k->addrlen <= PFK_ADDR_MAX ? k->addrlen : PFK_ADDR_MAX;
	memcpy(s->addr, k->addr, sizeof(s->addr));
	/* Unwound now, straight from the ring buffer: the process may be
	 * gone soon, and frames take less room than the stack. */
	memset(&in, 0, sizeof(in));
	in.pid = k->pid;
	in.tid = k->tid;
	in.start_ns = k->start_ns;
	in.exec_id = k->exec_id;
	for (i = 0; i < UNWIND_NREGS; i++)
		in.regs[i] = k->regs[i];
	in.stack = k->stack;
	in.stack_len = k->stack_len <= PFK_STACK_MAX ? k->stack_len : PFK_STACK_MAX;
	if (unwind_stack(p->uw, &in, &s->frames, err, sizeof(err)) < 0) {
		s->why = unwind_intern(p->uw, err);
		VEC_FREE(&s->frames);
	} else
		s->attributed = attributed_frame(&s->frames);
	*VEC_PUSH(&q->s) = s;
	/* Bounded memory: a thread's snapshots that no event claimed go
	 * first (sends to destinations already seen), oldest first. */
	if (q->s.n > PENDING_MAX) {
		psnap_free(q->s.v[0]);
		memmove(q->s.v, q->s.v + 1, (q->s.n - 1) * sizeof(*q->s.v));
		q->s.n--;
	}
}

/* ---- attribution ---- */

/* Port of a copied sockaddr (host order), or 0. */
static unsigned
snap_port(const struct psnap *s)
{
	uint16_t fam, port;

	if (s->addrlen < 4)
		return 0;
	memcpy(&fam, s->addr, 2);
	if (fam != AF_INET && fam != AF_INET6)
		return 0;
	memcpy(&port, s->addr + 2, 2);
	return ntohs(port);
}

/* Could snapshot s be the system call that caused event e? */
static int
snap_fits(const struct psnap *s, const struct port_event *e)
{
	if (s->pid != e->pid)
		return 0;
	switch (e->type) {
	case EV_CONNECT:
		return s->nr == PFK_NR_CONNECT && snap_port(s) == e->rport;
	case EV_BIND:
		return s->nr == PFK_NR_BIND && (snap_port(s) == 0 || snap_port(s) == e->lport);
	case EV_LISTEN:
		return s->nr == PFK_NR_LISTEN;
	case EV_ACCEPT:
		return s->nr == PFK_NR_ACCEPT || s->nr == PFK_NR_ACCEPT4;
	case EV_UDP_FLOW:
		return (s->nr == PFK_NR_SENDTO || s->nr == PFK_NR_SENDMSG) ?
		    snap_port(s) == e->rport : s->nr == PFK_NR_SENDMMSG;
	default:
		return 0;
	}
}

/* The snapshot of the system call behind e: the latest of its thread
 * taken before e; older ones of the thread are done with. */
static struct psnap *
find_snap(struct profile *p, const struct port_event *e)
{
	struct snap_queue *q = hmap_get(&p->queues, e->tid ? e->tid : 0x100000000ULL);
	struct psnap *s;
	size_t i, k;

	if (q == NULL || q->s.n == 0)
		return NULL;
	for (i = q->s.n; i > 0; i--)
		if (q->s.v[i - 1]->ts <= e->mono_ns)
			break;
	if (i == 0)
		return NULL;
	i--;
	for (k = 0; k < i; k++)
		psnap_free(q->s.v[k]);
	if (i) {
		memmove(q->s.v, q->s.v + i, (q->s.n - i) * sizeof(*q->s.v));
		q->s.n -= i;
	}
	s = q->s.v[0];
	/* One system call, one event of a kind (a batch of datagrams aside):
	 * a second one means the snapshot of its own call was lost. */
	if (!snap_fits(s, e) || ((s->served & 1u << e->type) && s->nr != PFK_NR_SENDMMSG))
		return NULL;
	s->served |= 1u << e->type;
	return s;
}

/* ---- rows ---- */

static uint64_t
row_key(uint8_t proto, enum prof_dir d, uint16_t port)
{
	return 1ULL << 40 | (uint64_t)proto << 24 | (uint64_t)d << 16 | port;
}

static struct prof_port *
row_get(struct profile *p, uint8_t proto, enum prof_dir d, uint16_t port)
{
	uint64_t k = row_key(proto, d, port);
	uintptr_t i = (uintptr_t)hmap_get(&p->rows, k);
	struct prof_port *r;

	if (i)
		return &p->ports.v[i - 1];
	r = VEC_PUSH(&p->ports);
	r->proto = proto;
	r->dir = d;
	r->port = port;
	hmap_put(&p->rows, k, (void *)(uintptr_t)p->ports.n);
	return r;
}

static void
add_addr(struct prof_addr **v, size_t *n, size_t *cap, size_t *more, uint8_t family,
    const uint8_t *addr)
{
	struct { struct prof_addr *v; size_t n, cap; } vec = { *v, *n, *cap };
	struct prof_addr a;
	size_t i;

	memset(&a, 0, sizeof(a));
	a.family = family;
	memcpy(a.addr, addr, family == AF_INET6 ? 16 : 4);
	for (i = 0; i < vec.n; i++)
		if (memcmp(&vec.v[i], &a, sizeof(a)) == 0)
			return;
	if (vec.n >= PROF_LIST_MAX) {
		if (more)
			(*more)++;
		return;
	}
	*VEC_PUSH(&vec) = a;
	*v = vec.v;
	*n = vec.n;
	*cap = vec.cap;
}

static void
add_proc(struct prof_port *r, const struct port_event *e)
{
	size_t i;
	struct prof_proc *pp;

	for (i = 0; i < r->procs.n; i++)
		if (r->procs.v[i].pid == e->pid)
			return;
	if (r->procs.n >= PROF_LIST_MAX) {
		r->nprocs_more++;
		return;
	}
	pp = VEC_PUSH(&r->procs);
	pp->pid = e->pid;
	memcpy(pp->comm, e->comm, sizeof(pp->comm));
}

static int
same_func(const struct prof_func *a, const struct prof_func *b)
{
	if (a->module != b->module)
		return 0;
	if (a->module == NULL)
		return a->why == b->why || (a->why && b->why && strcmp(a->why, b->why) == 0);
	if (a->func || b->func)
		return a->func == b->func;
	return a->addr == b->addr;
}

static void
add_func(struct prof_port *r, const struct prof_func *f)
{
	size_t i;

	for (i = 0; i < r->funcs.n; i++)
		if (same_func(&r->funcs.v[i], f)) {
			r->funcs.v[i].count++;
			return;
		}
	*VEC_PUSH(&r->funcs) = *f;
	r->funcs.v[r->funcs.n - 1].count = 1;
}

static int
same_stack(const struct prof_stack *a, const struct unwind_frames *f)
{
	size_t i;

	if (a->nframes != f->n)
		return 0;
	for (i = 0; i < f->n; i++)
		if (a->frames[i].module != f->v[i].module ||
		    a->frames[i].elf_addr != f->v[i].elf_addr)
			return 0;
	return 1;
}

static void
add_stack(struct prof_port *r, const struct unwind_frames *f, size_t attributed)
{
	struct prof_stack *st;
	size_t i;

	if (f->n == 0)
		return;
	for (i = 0; i < r->stacks.n; i++)
		if (same_stack(&r->stacks.v[i], f)) {
			r->stacks.v[i].count++;
			return;
		}
	if (r->stacks.n >= PROF_STACKS_MAX)
		return;
	st = VEC_PUSH(&r->stacks);
	st->count = 1;
	st->nframes = f->n;
	st->frames = xreallocarray(NULL, f->n, sizeof(*st->frames));
	memcpy(st->frames, f->v, f->n * sizeof(*st->frames));
	st->attributed = attributed;
}

/* The function credited with a use: from the snapshot, or why none. */
static void
func_of(const struct psnap *s, const char *why, struct prof_func *fn)
{
	const struct unwind_frame *fr;

	memset(fn, 0, sizeof(*fn));
	if (s == NULL || s->frames.n == 0) {
		fn->why = why ? why : s->why ? s->why : "no stack";
		return;
	}
	fr = &s->frames.v[s->attributed];
	fn->module = fr->module;
	fn->func = fr->func;
	fn->addr = fr->elf_addr;
	fn->near = fr->near;
	fn->near_off = fr->near_off;
	fn->file = fr->file;
	fn->line = fr->line;
}

/* Count one use of row (proto, d, port) by e, done by function fn. */
static struct prof_port *
add_use(struct profile *p, const struct port_event *e, enum prof_dir d, uint16_t port,
    const struct prof_func *fn, const struct unwind_frames *frames, size_t attributed)
{
	struct prof_port *r = row_get(p, e->proto, d, port);
	uint64_t t = e->mono_ns > p->start_ns ? e->mono_ns - p->start_ns : 0;

	if (r->count == 0 || t < r->first_ns)
		r->first_ns = t;
	if (t > r->last_ns)
		r->last_ns = t;
	r->count++;
	if (e->type == EV_CONNECT && e->error && e->error != 115 /* EINPROGRESS */)
		r->failed++;
	if (d == PD_LISTEN || d == PD_BIND)
		add_addr(&r->locals.v, &r->locals.n, &r->locals.cap, NULL, e->family, e->laddr);
	else
		add_addr(&r->peers.v, &r->peers.n, &r->peers.cap, &r->npeers_more, e->family,
		    e->raddr);
	if (e->pid)
		add_proc(r, e);
	add_func(r, fn);
	if (frames)
		add_stack(r, frames, attributed);
	p->counts.uses++;
	if (fn->module)
		p->counts.attributed++;
	else
		p->counts.unattributed++;
	return r;
}

static void
tcp_bind_flush(struct profile *p, struct tcp_bind *b)
{
	struct unwind_frames f = { b->st.frames, b->st.nframes, b->st.nframes };

	add_use(p, &b->e, PD_BIND, b->e.lport, &b->fn, b->has_stack ? &f : NULL,
	    b->st.attributed);
}

static void
handle_event(struct profile *p, const struct port_event *e)
{
	struct psnap *s = NULL;
	struct prof_func fn;
	struct tcp_bind *b;
	size_t i;

	if (e->type == EV_LOST) {
		p->counts.events_lost += e->count;
		return;
	}
	p->counts.events++;
	switch (e->type) {
	case EV_EXISTING:
		func_of(NULL, "open before profiling began", &fn);
		if (e->proto == IPPROTO_TCP && e->state == 10 /* TCP_LISTEN */)
			add_use(p, e, PD_LISTEN, e->lport, &fn, NULL, 0)->existing = 1;
		else if (e->proto == IPPROTO_TCP && e->rport)
			add_use(p, e, PD_CONNECT, e->rport, &fn, NULL, 0)->existing = 1;
		else if (e->proto == IPPROTO_UDP && e->rport)
			add_use(p, e, PD_UDP_TO, e->rport, &fn, NULL, 0)->existing = 1;
		else if (e->proto == IPPROTO_UDP && e->lport)
			add_use(p, e, PD_BIND, e->lport, &fn, NULL, 0)->existing = 1;
		return;
	case EV_BIND:
		if (e->flags & EVF_IMPLICIT)
			return;		/* an ephemeral port: its connect or send is the use */
		break;
	case EV_LISTEN:
	case EV_CONNECT:
	case EV_ACCEPT:
	case EV_UDP_FLOW:
		break;
	default:
		return;
	}
	s = find_snap(p, e);
	func_of(s, s ? NULL : "no stack snapshot of the system call (lost?)", &fn);
	switch (e->type) {
	case EV_BIND:
		if (e->proto != IPPROTO_TCP) {
			add_use(p, e, PD_BIND, e->lport, &fn, s ? &s->frames : NULL,
			    s ? s->attributed : 0);
			return;
		}
		b = VEC_PUSH(&p->tcp_binds);
		b->e = *e;
		b->fn = fn;
		if (s && s->frames.n) {
			b->has_stack = 1;
			b->st.nframes = s->frames.n;
			b->st.frames = xreallocarray(NULL, s->frames.n, sizeof(*s->frames.v));
			memcpy(b->st.frames, s->frames.v, s->frames.n * sizeof(*s->frames.v));
			b->st.attributed = s->attributed;
		}
		return;
	case EV_LISTEN:
		if (e->cookie)
			hmap_put(&p->listened, e->cookie, (void *)1);
		for (i = 0; i < p->tcp_binds.n; i++)
			if (p->tcp_binds.v[i].e.cookie == e->cookie) {
				free(p->tcp_binds.v[i].st.frames);
				p->tcp_binds.v[i] = p->tcp_binds.v[--p->tcp_binds.n];
				break;
			}
		add_use(p, e, PD_LISTEN, e->lport, &fn, s ? &s->frames : NULL,
		    s ? s->attributed : 0);
		return;
	case EV_CONNECT:
		add_use(p, e, e->proto == IPPROTO_TCP ? PD_CONNECT : PD_UDP_TO, e->rport, &fn,
		    s ? &s->frames : NULL, s ? s->attributed : 0);
		return;
	case EV_ACCEPT:
		add_use(p, e, PD_ACCEPTED, e->lport, &fn, s ? &s->frames : NULL,
		    s ? s->attributed : 0);
		return;
	case EV_UDP_FLOW:
		add_use(p, e, PD_UDP_TO, e->rport, &fn, s ? &s->frames : NULL,
		    s ? s->attributed : 0);
		return;
	default:
		return;
	}
}

void
profile_event(struct profile *p, const struct port_event *e)
{
	*VEC_PUSH(&p->waiting) = *e;
}

/* Drop snapshots that can have no event left to come. */
static void
prune(struct profile *p, int final)
{
	uint64_t now = clock_mono_ns();
	char path[64];
	size_t i, k;

	for (i = 0; i < p->qlist.n; i++) {
		struct snap_queue *q = p->qlist.v[i];

		/* a snapshot whose successor arrived in an earlier round:
		 * its events, all sent before that, have been read */
		for (k = 0; k + 1 < q->s.n && q->s.v[k + 1]->gen < p->gen; k++)
			psnap_free(q->s.v[k]);
		if (k) {
			memmove(q->s.v, q->s.v + k, (q->s.n - k) * sizeof(*q->s.v));
			q->s.n -= k;
		}
	}
	if (!final && now - p->pruned_ns < PRUNE_EVERY_NS && pending_count(p) < PENDING_MAX)
		return;
	p->pruned_ns = now;
	for (i = 0; i < p->qlist.n; i++) {
		struct snap_queue *q = p->qlist.v[i];

		if (q->s.n && !final && now - q->s.v[q->s.n - 1]->ts < IDLE_NS)
			continue;
		snprintf(path, sizeof(path), "/proc/%u/task/%u",
		    q->s.n ? q->s.v[0]->pid : 0, q->tid);
		if (!final && q->s.n && access(path, F_OK) == 0)
			continue;	/* alive: may be blocked in accept() */
		hmap_del(&p->queues, q->tid ? q->tid : 0x100000000ULL);
		queue_free(q);
		p->qlist.v[i--] = p->qlist.v[--p->qlist.n];
	}
}

void
profile_join(struct profile *p)
{
	size_t i;

	for (i = 0; i < p->waiting.n; i++)
		handle_event(p, &p->waiting.v[i]);
	p->waiting.n = 0;
	prune(p, 0);
	p->gen++;
}

static int
cmp_func(const void *a, const void *b)
{
	const struct prof_func *x = a, *y = b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return 0;
}

static int
cmp_row(const void *a, const void *b)
{
	const struct prof_port *x = a, *y = b;

	if (x->dir != y->dir)
		return x->dir < y->dir ? -1 : 1;
	if (x->port != y->port)
		return x->port < y->port ? -1 : 1;
	return x->proto < y->proto ? -1 : x->proto > y->proto;
}

static int
cmp_stack(const void *a, const void *b)
{
	const struct prof_stack *x = a, *y = b;

	return x->count > y->count ? -1 : x->count < y->count;
}

void
profile_finish(struct profile *p)
{
	size_t i;

	profile_join(p);
	for (i = 0; i < p->tcp_binds.n; i++) {
		tcp_bind_flush(p, &p->tcp_binds.v[i]);
		free(p->tcp_binds.v[i].st.frames);
	}
	p->tcp_binds.n = 0;
	prune(p, 1);
	for (i = 0; i < p->ports.n; i++) {
		struct prof_port *r = &p->ports.v[i];

		if (r->funcs.n > 1)
			qsort(r->funcs.v, r->funcs.n, sizeof(*r->funcs.v), cmp_func);
		if (r->stacks.n > 1)
			qsort(r->stacks.v, r->stacks.n, sizeof(*r->stacks.v), cmp_stack);
	}
	if (p->ports.n > 1)	/* (qsort wants an array, even of nothing) */
		qsort(p->ports.v, p->ports.n, sizeof(*p->ports.v), cmp_row);
	hmap_release(&p->rows);		/* indexes changed */
}

void
profile_unwind_stats(const struct profile *p, struct unwind_stats *st)
{
	unwind_get_stats(p->uw, st);
}

/* ---- scope ---- */

int
prof_addr_any(const struct prof_addr *a)
{
	static const uint8_t zero[16];

	return memcmp(a->addr, zero, a->family == AF_INET6 ? 16 : 4) == 0;
}

enum prof_scope
prof_addr_scope(const struct prof_addr *a)
{
	const uint8_t *b = a->addr;
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	static const uint8_t loop6[16] = { [15] = 1 };

	if (a->family == AF_INET6 && memcmp(b, v4mapped, 12) == 0) {
		struct prof_addr v4 = { .family = AF_INET };

		memcpy(v4.addr, b + 12, 4);
		return prof_addr_scope(&v4);
	}
	if (a->family == AF_INET6) {
		if (memcmp(b, loop6, 16) == 0)
			return PS_LOOPBACK;
		if ((b[0] & 0xfe) == 0xfc || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80))
			return PS_LOCAL;
		return PS_BEYOND;
	}
	if (b[0] == 127)
		return PS_LOOPBACK;
	if (b[0] == 10 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
	    (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
	    (b[0] == 100 && (b[1] & 0xc0) == 64))
		return PS_LOCAL;
	return PS_BEYOND;
}

enum prof_scope
profile_scope(const struct profile *p)
{
	enum prof_scope s = PS_NONE, t;
	size_t i, j;

	for (i = 0; i < p->ports.n; i++) {
		const struct prof_port *r = &p->ports.v[i];

		for (j = 0; j < r->peers.n; j++) {
			t = prof_addr_any(&r->peers.v[j]) ? PS_LOOPBACK :
			    prof_addr_scope(&r->peers.v[j]);
			if (t > s)
				s = t;
		}
		if (r->npeers_more && s < PS_LOOPBACK)
			s = PS_LOOPBACK;
	}
	return s;
}

const char *
prof_scope_name(enum prof_scope s)
{
	switch (s) {
	case PS_LOOPBACK:	return "loopback only";
	case PS_LOCAL:		return "local network";
	case PS_BEYOND:		return "beyond the local network";
	default:		return "no remote end";
	}
}
