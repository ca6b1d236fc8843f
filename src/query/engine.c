/*
 * The query engine: the run loop, launching attempts, the timers, and the
 * results in job order.  The TCP and UDP state machines are in
 * engine_tcp.c and engine_udp.c; the system (clock, sockets, epoll) is
 * behind struct netio (netio.h).
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>

#include "query/engine_int.h"
#include "util/clock.h"
#include "util/xmalloc.h"

void
query_opts_init(struct query_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->parallel = 1024;
	o->tcp_tries = 3;
	o->udp_tries = 3;
	o->community = "public";
	o->init_timeout_ms = 1000;
	o->min_timeout_ms = 100;
	o->max_timeout_ms = 3000;
	o->read_timeout_ms = 1000;
	o->greet_timeout_ms = QUERY_GREET_TIMEOUT_MS;
	o->icmp_gap_ms = 1000;
	o->probe_deadline_ms = QUERY_PROBE_DEADLINE_MS;
}

uint64_t
engine_now(const struct engine *e)
{
	return e->net->now(e->net->arg);
}

void
engine_fail(struct engine *e, const char *fmt, ...)
{
	va_list ap;

	if (e->failed)
		return;		/* the first failure is the one to tell */
	va_start(ap, fmt);
	vsnprintf(e->errmsg, sizeof(e->errmsg), fmt, ap);
	va_end(ap);
	e->failed = 1;
}

/* --- timing ----------------------------------------------------------- */

/* An answer came to the slot's attempt: when it can only be the answer
 * to the first request (not to a resend, not to a later step), record
 * the round trip for its job and learn from it. */
void
answered(struct engine *e, struct slot *s)
{
	int64_t r = (int64_t)((engine_now(e) - s->sent_ns) / 1000);

	if (s->step_sends > 1 || s->ctx.step > 0)
		return;
	e->jobs[s->job].res.rtt_us = r;
	rtt_sample(&e->rtt, r);
}

/* The timeout of class c in nanoseconds, from what was learned so far. */
static uint64_t
class_timeout_ns(const struct engine *e, enum tclass c)
{
	switch (c) {
	case TQ_GREET:
		return (uint64_t)e->o->greet_timeout_ms * NSEC_PER_MSEC;
	case TQ_READ:
		return (uint64_t)e->o->read_timeout_ms * NSEC_PER_MSEC;
	case TQ_MORE:
		return (uint64_t)e->o->read_timeout_ms / 4 * NSEC_PER_MSEC;
	case TQ_DEADLINE:
		return (uint64_t)e->o->probe_deadline_ms * NSEC_PER_MSEC;
	case TQ_CONNECT:
	case TQ_UDP:
	case TQ_N:
		break;
	}
	return rtt_timeout_ns(&e->rtt, e->o, c == TQ_UDP);
}

void
slot_arm(struct engine *e, struct slot *s, enum tclass c)
{
	s->gen++;
	tq_push(&e->tq[c], (uint32_t)(s - e->slots), s->gen, engine_now(e));
}

/* Start the deadline of the slot's probe conversation (once). */
void
slot_arm_deadline(struct engine *e, struct slot *s)
{
	if (s->dl_armed)
		return;
	s->dl_armed = 1;
	s->dl_gen++;
	tq_push(&e->tq[TQ_DEADLINE], (uint32_t)(s - e->slots), s->dl_gen,
	    engine_now(e));
}

/* --- results ---------------------------------------------------------- */

static void
emit_ready(struct engine *e)
{
	struct job_state *j;

	while (e->emitted < e->njobs && e->jobs[e->emitted].done) {
		j = &e->jobs[e->emitted++];
		e->emit(&j->res, e->arg);
		probe_report_release(&j->res.report);
	}
}

void
job_finish(struct engine *e, size_t job, enum verdict v, const char *reason)
{
	struct job_state *j = &e->jobs[job];
	size_t l = strnlen(reason, sizeof(j->res.reason) - 1);

	j->res.verdict = v;
	memcpy(j->res.reason, reason, l);
	j->res.reason[l] = '\0';
	j->done = 1;
	e->prog.done++;
	e->prog.count[v]++;
}

/* Tell the progress callback, at most every o->progress_ms; returns the
 * milliseconds until the next call is due (-1: no callback). */
static int
progress_tick(struct engine *e)
{
	uint64_t now = engine_now(e), every;

	if (e->o->progress == NULL)
		return -1;
	every = (uint64_t)(e->o->progress_ms ? e->o->progress_ms : 250) *
	    NSEC_PER_MSEC;
	if (now >= e->next_progress_ns) {
		e->prog.elapsed_ns = now - e->start_ns;
		e->o->progress(&e->prog, e->o->progress_arg);
		e->next_progress_ns = now + every;
	}
	return (int)((e->next_progress_ns - now + NSEC_PER_MSEC - 1) /
	    NSEC_PER_MSEC);
}

/* Close the slot's socket, end its probe conversation, free the slot. */
void
slot_close(struct engine *e, struct slot *s)
{
	const struct query_result *r = &e->jobs[s->job].res;

	if (s->probe != NULL && s->probe->release != NULL)
		s->probe->release(&s->ctx);
	s->probe = NULL;
	if (e->local)
		collide_unaim(&e->collide, r->proto == IPPROTO_UDP, r->port,
		    (uint32_t)(s - e->slots));
	if (s->fd >= 0)
		e->net->close(e->net->arg, s->fd);
	s->fd = -1;
	s->state = SLOT_FREE;
	s->gen++;
	s->dl_gen++;
	s->dl_armed = 0;
	buf_reset(&s->rx);
	e->freelist[e->nfree++] = (unsigned)(s - e->slots);
}

/* Finish the slot's job with a report from the slot's probe. */
void
slot_finish_report(struct engine *e, struct slot *s, const char *reason)
{
	struct job_state *j = &e->jobs[s->job];

	j->res.probe = s->probe;
	j->res.report = s->rep;
	probe_report_init(&s->rep);
	job_finish(e, s->job, VERDICT_LISTENING,
	    j->res.report.reason[0] ? j->res.report.reason : reason);
}

void
slot_deadline(struct engine *e, struct slot *s)
{
	struct job_state *j = &e->jobs[s->job];

	if (s->state == SLOT_READ && s->rx.len > 0 &&
	    s->probe->parse(&s->ctx, (const uint8_t *)s->rx.data, s->rx.len,
	    &s->rep) == PROBE_DONE) {
		slot_finish_report(e, s, "syn-ack");
		slot_close(e, s);
		return;
	}
	/* what the conversation gave so far (the probe's silence() says
	 * it, when it can), under a reason that says why it is incomplete */
	if ((s->probe->silence != NULL &&
	    s->probe->silence(&s->ctx, &s->rep) == PROBE_DONE) ||
	    s->rep.text.len > 0 || s->rep.json.len > 0) {
		j->res.probe = s->probe;
		j->res.report = s->rep;
		probe_report_init(&s->rep);
	}
	job_finish(e, s->job, VERDICT_LISTENING, "probe deadline reached");
	slot_close(e, s);
}

/* --- collisions with our own sockets ---------------------------------- */

/*
 * Did the slot's connection (or datagram) come from one of our own
 * sockets?  Asked only when something answered, which is rare in a scan,
 * so the source ports are looked up here rather than noted for every
 * attempt.  Marks the other socket of a crossed pair, whose answer came
 * from us too.
 */
int
own_collision(struct engine *e, struct slot *s, int udp)
{
	uint16_t target = e->jobs[s->job].res.port, mine, theirs;
	struct slot *o;
	uint32_t peer;

	if (!e->local)
		return 0;
	if (s->crossed)
		return 1;
	if (e->net->local_port(e->net->arg, s->fd, &mine) == -1)
		return 0;
	switch (collide_check(&e->collide, udp, (uint32_t)(s - e->slots),
	    target, mine, &peer)) {
	case COLLIDE_SELF:
		return 1;
	case COLLIDE_NONE:
		return 0;
	case COLLIDE_PEER:
		break;
	}
	o = &e->slots[peer];
	if (o->state == SLOT_FREE ||
	    e->net->local_port(e->net->arg, o->fd, &theirs) == -1 ||
	    theirs != target)
		return 0;
	o->crossed = 1;
	return 1;
}

/*
 * The attempt met one of our own sockets: that says nothing about the
 * port.  Try again without counting the try, MAX_COLLISIONS times; after
 * that the port has met only ourselves, so no one else listens there:
 * NOT LISTENING.
 */
void
own_collision_retry(struct engine *e, size_t job)
{
	struct job_state *j = &e->jobs[job];

	if (j->collisions++ < MAX_COLLISIONS) {
		j->res.tries--;
		ring_push(&e->retry, job);
	} else
		job_finish(e, job, VERDICT_NOT_LISTENING,
		    "only connected to itself");
}

/* --- probes ----------------------------------------------------------- */

void
probe_begin(struct engine *e, struct slot *s, const struct probe *p)
{
	memset(&s->ctx, 0, sizeof(s->ctx));
	s->ctx.community = e->o->community;
	s->ctx.host = e->o->host;
	s->ctx.family = e->family;
	e->rng ^= e->rng << 13;
	e->rng ^= e->rng >> 7;
	e->rng ^= e->rng << 17;
	s->ctx.xid = (uint32_t)e->rng;
	s->probe = p;
	buf_reset(&s->rep.text);
	buf_reset(&s->rep.json);
	s->rep.reason[0] = '\0';
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* Send the probe's request of the current step.  Returns 0 when sent,
 * 1 when the step sends nothing, -1 on failure (errno set; EMSGSIZE when
 * the probe could not build its request). */
int
probe_send(struct engine *e, struct slot *s)
{
	struct sockaddr_storage dst;
	struct buf out;
	ssize_t n;
	int rc;

	buf_init(&out);
	rc = s->probe->build(&s->ctx, &out);
	if (rc == -1)
		errno = EMSGSIZE;
	if (rc == 0) {
		if (s->unconnected) {
			dst = e->addr;
			set_port(&dst, e->jobs[s->job].res.port);
			n = e->net->send(e->net->arg, s->fd,
			    out.data ? out.data : "", out.len,
			    (struct sockaddr *)&dst, e->addrlen);
		} else
			n = e->net->send(e->net->arg, s->fd,
			    out.data ? out.data : "", out.len, NULL, 0);
		if (n != (ssize_t)out.len) {
			if (n >= 0)
				errno = EMSGSIZE;
			rc = -1;
		}
	}
	s->step_sends = 1;
	buf_release(&out);
	return rc;
}

/*
 * The current step got no reply after every try: ask the probe what that
 * means (probe->silence).  PROBE_NEXT: the next step's request was sent;
 * PROBE_DONE: the report says what the silence means; anything else: the
 * silence decides as usual.
 */
enum probe_status
probe_silence(struct engine *e, struct slot *s)
{
	enum probe_status st;

	if (s->probe == NULL || s->probe->silence == NULL)
		return PROBE_MALFORMED;
	st = s->probe->silence(&s->ctx, &s->rep);
	if (st == PROBE_NEXT) {
		s->ctx.step++;
		buf_reset(&s->rx);
		if (probe_send(e, s) != 0)
			return PROBE_MALFORMED;
		e->jobs[s->job].res.tries++;
	}
	return st;
}

/* An ICMP error came from the target: it does send them, and it spent one
 * of its ICMP tokens on us. */
void
icmp_arrived(struct engine *e)
{
	pacer_icmp(&e->pacer, engine_now(e));
}

void
slot_queued_error(struct engine *e, struct slot *s, const struct qerr *qe,
    const char *what)
{
	char reason[64];
	enum verdict v;

	if (qerr_verdict(qe, &v, reason, sizeof(reason)) == -1) {
		local_failure(e, s, what, qe->errnum, 1);
		return;
	}
	icmp_arrived(e);
	answered(e, s);
	job_finish(e, s->job, v, reason);
	slot_close(e, s);
}

/* --- local failures --------------------------------------------------- */

static int
resource_short(int errnum)
{
	return errnum == EMFILE || errnum == ENFILE || errnum == ENOBUFS ||
	    errnum == ENOMEM;
}

void
local_failure(struct engine *e, struct slot *s, const char *what, int errnum,
    int uncount)
{
	size_t job = s->job;
	unsigned in_flight;

	if (uncount)
		e->jobs[job].res.tries--;
	slot_close(e, s);
	if (!resource_short(errnum)) {
		engine_fail(e, "%s: %s", what, strerror(errnum));
		return;
	}
	ring_push(&e->retry, job);
	in_flight = e->nslots - e->nfree;
	if (in_flight > 0) {
		/* fewer at once: what was in flight, less a quarter */
		e->limit = in_flight - in_flight / 4;
		return;
	}
	e->limit = 1;
	if (++e->local_fails > LOCAL_FAIL_MAX) {
		engine_fail(e, "%s: %s, even with one socket in flight", what,
		    strerror(errnum));
		return;
	}
	/* nothing of ours to wait for: pause, 2, 4, ... 1024 ms */
	e->hold_until_ns = engine_now(e) +
	    (NSEC_PER_MSEC << e->local_fails);
}

/* --- launching -------------------------------------------------------- */

static void
launch(struct engine *e, size_t job)
{
	struct job_state *j = &e->jobs[job];
	struct sockaddr_storage dst = e->addr;
	int udp = j->res.proto == IPPROTO_UDP, rc, cerr;
	const struct probe *p;
	const char *what;
	struct slot *s;
	uint32_t key;

	s = &e->slots[e->freelist[--e->nfree]];
	key = (uint32_t)(s - e->slots);
	s->job = job;
	s->crossed = 0;
	s->paced = j->paced == 1;
	s->unconnected = 0;
	s->step_sends = 0;
	s->dl_armed = 0;
	s->watched = 0;
	memset(&s->ctx, 0, sizeof(s->ctx));
	/* The generic datagram first; when it is silent, the port's probe. */
	p = NULL;
	if (udp && j->probe_phase && !s->paced)
		p = job_probe(j, IPPROTO_UDP);
	if (udp && p == NULL)
		p = &probe_generic;
	if (p != NULL && (p->flags & PROBE_F_ANY_SRCPORT))
		s->unconnected = 1;
	j->res.tries++;
	s->state = udp ? SLOT_UDP : SLOT_CONNECT;
	if ((s->fd = e->net->open(e->net->arg, e->family,
	    udp ? SOCK_DGRAM : SOCK_STREAM, e->o->src_port, &what)) == -1) {
		local_failure(e, s, what, errno, 1);
		return;
	}
	set_port(&dst, j->res.port);
	s->sent_ns = engine_now(e);
	if (s->unconnected) {
		/* bind now so that the source port is known and fixed */
		struct sockaddr_storage any;

		memset(&any, 0, sizeof(any));
		any.ss_family = (sa_family_t)e->family;
		what = "bind";
		rc = e->o->src_port ? 0 : e->net->bind(e->net->arg, s->fd,
		    (struct sockaddr *)&any, e->addrlen);
	} else {
		what = "connect";
		rc = e->net->connect(e->net->arg, s->fd,
		    (struct sockaddr *)&dst, e->addrlen);
	}
	cerr = rc == -1 ? errno : 0;
	if (cerr == EAGAIN) {
		/* no source port left: wait for a slot to close */
		e->ports_exhausted = 1;
		j->res.tries--;
		ring_push(&e->retry, job);
		slot_close(e, s);
		return;
	}
	/* Anything but a refusal that connect() says at once comes from
	 * this host (no route, no such scope, no buffers, a local
	 * firewall): never a verdict about the target. */
	if (cerr != 0 && cerr != EINPROGRESS && cerr != ECONNREFUSED) {
		local_failure(e, s, what, cerr, 1);
		return;
	}
	if (e->local)
		collide_aim(&e->collide, udp, j->res.port, key);
	if (!udp) {
		if (rc == 0) {
			tcp_connected(e, s);
			return;
		}
		if (cerr == ECONNREFUSED) {
			tcp_refused(e, s, cerr);
			return;
		}
		if (e->net->watch(e->net->arg, s->fd, key, EPOLLOUT, 0) == -1) {
			engine_fail(e, "epoll_ctl: %s", strerror(errno));
			slot_close(e, s);
			return;
		}
		s->watched = 1;
		slot_arm(e, s, TQ_CONNECT);
		e->local_fails = 0;
		return;
	}
	probe_begin(e, s, p);
	if (probe_send(e, s) != 0) {
		local_failure(e, s, "send", errno, 1);
		return;
	}
	if (e->net->watch(e->net->arg, s->fd, key, EPOLLIN, 0) == -1) {
		engine_fail(e, "epoll_ctl: %s", strerror(errno));
		slot_close(e, s);
		return;
	}
	s->watched = 1;
	slot_arm(e, s, TQ_UDP);
	e->local_fails = 0;
}

/* May another attempt go out now?  Honours --max-rate. */
static int
rate_ok(struct engine *e, uint64_t now)
{
	uint64_t gap;

	if (e->o->max_rate == 0)
		return 1;
	if (now < e->next_send_ns)
		return 0;
	gap = NSEC_PER_SEC / e->o->max_rate;
	e->next_send_ns = (e->next_send_ns + gap > now ? e->next_send_ns : now) + gap;
	return 1;
}

static int
may_launch(const struct engine *e)
{
	return e->nfree > 0 && e->nslots - e->nfree < e->limit && !e->failed;
}

static void
launch_more(struct engine *e)
{
	uint64_t now = engine_now(e);
	unsigned burst = 0;
	size_t job;

	if (now < e->hold_until_ns)
		return;
	/* at most LAUNCH_BURST per turn, so that answers are read soon after
	 * they come and round trips are measured without our own delay */
	while (may_launch(e) && burst++ < LAUNCH_BURST &&
	    (e->retry.len > 0 || e->next_job < e->njobs)) {
		if (e->ports_exhausted && e->nfree < e->nslots)
			return;
		e->ports_exhausted = 0;
		if (!rate_ok(e, now))
			return;
		job = e->retry.len > 0 ? ring_pop(&e->retry) : e->next_job++;
		launch(e, job);
		if (e->hold_until_ns > now)
			return;
	}
	/* Paced UDP retries go out in batches the target's ICMP budget
	 * covers, alone on the wire, once everything else is done. */
	if (e->retry.len > 0 || e->next_job < e->njobs || e->nfree < e->nslots)
		return;
	for (burst = pacer_budget(&e->pacer, now);
	    burst > 0 && e->deferred.len > 0 && may_launch(e); burst--) {
		job = ring_pop(&e->deferred);
		e->jobs[job].paced = 1;
		launch(e, job);
	}
}

/* Handle what the system reported for a slot's socket. */
static void
slot_event(struct engine *e, struct slot *s, uint32_t events)
{
	int er;

	switch (s->state) {
	case SLOT_CONNECT:
		er = e->net->sock_error(e->net->arg, s->fd);
		if (er == 0)
			tcp_connected(e, s);
		else
			tcp_refused(e, s, er);
		break;
	case SLOT_READ:
		tcp_read(e, s);
		break;
	case SLOT_UDP:
		udp_event(e, s, events);
		break;
	case SLOT_FREE:
		break;
	}
}

/* The events pending on a slot's socket right now (0: none).  A timer
 * that expires while its answer waits unread (the loop was busy) must
 * not be taken for silence. */
static uint32_t
slot_pending(const struct engine *e, const struct slot *s)
{
	return e->net->pending(e->net->arg, s->fd, s->state == SLOT_CONNECT ?
	    EPOLLIN | EPOLLOUT : EPOLLIN);
}

/* --- timeouts --------------------------------------------------------- */

static void
slot_timeout(struct engine *e, struct slot *s)
{
	switch (s->state) {
	case SLOT_CONNECT:
	case SLOT_READ:
		tcp_timeout(e, s);
		break;
	case SLOT_UDP:
		udp_timeout(e, s);
		break;
	case SLOT_FREE:
		break;
	}
}

/* Expire due timers; returns the milliseconds until the next one is due
 * (-1: none pending). */
static int
expire(struct engine *e)
{
	uint64_t now = engine_now(e), to, due, next = UINT64_MAX;
	struct tq_ent *t;
	uint32_t ev, gen;
	struct slot *s;
	int c;

	for (c = 0; c < TQ_N && !e->failed; c++) {
		struct tq *q = &e->tq[c];

		to = class_timeout_ns(e, (enum tclass)c);
		while ((t = tq_head(q)) != NULL && !e->failed) {
			s = &e->slots[t->slot];
			if (s->state == SLOT_FREE || t->gen !=
			    (c == TQ_DEADLINE ? s->dl_gen : s->gen)) {
				tq_drop(q);
				continue;
			}
			due = t->t_ns + to;
			if (due > now) {
				if (due < next)
					next = due;
				break;
			}
			tq_drop(q);
			if (c == TQ_DEADLINE) {
				slot_deadline(e, s);
				continue;
			}
			if ((ev = slot_pending(e, s)) != 0) {
				gen = s->gen;
				slot_event(e, s, ev);
				if (s->state == SLOT_FREE || s->gen != gen)
					continue;	/* answered, or re-armed */
			}
			slot_timeout(e, s);
		}
	}
	if (e->nfree == e->nslots && e->deferred.len > 0 &&
	    e->retry.len == 0 && e->next_job == e->njobs) {
		/* the next paced batch: now, or when an ICMP token is due */
		due = pacer_next_ns(&e->pacer, now);
		if (due < next)
			next = due;
	}
	if (e->hold_until_ns > now && e->hold_until_ns < next)
		next = e->hold_until_ns;
	if (e->o->max_rate && (e->retry.len > 0 || e->next_job < e->njobs) &&
	    e->next_send_ns < next)
		next = e->next_send_ns;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)((next - now + NSEC_PER_MSEC - 1) /
	    NSEC_PER_MSEC);
}

/* --- the run ---------------------------------------------------------- */

/* Fail early and plainly when -sp names a port something else holds. */
static int
src_port_free(struct netio *net, const struct sockaddr *addr, uint16_t port,
    const struct query_job *jobs, size_t njobs, char *err, size_t errlen)
{
	int need[2] = { 0, 0 }, types[2] = { SOCK_STREAM, SOCK_DGRAM };
	const char *what;
	size_t i;
	int k, fd;

	for (i = 0; i < njobs; i++)
		need[jobs[i].proto == IPPROTO_UDP] = 1;
	for (k = 0; k < 2; k++) {
		if (!need[k])
			continue;
		fd = net->open(net->arg, addr->sa_family, types[k], port, &what);
		if (fd == -1 && errno == EADDRINUSE) {
			snprintf(err, errlen, "source port %u (%s) is already in "
			    "use: %s", port, k ? "udp" : "tcp", strerror(errno));
			errno = EADDRINUSE;	/* the caller tells the user */
			return -1;
		}
		if (fd == -1) {
			snprintf(err, errlen, "%s: %s", what, strerror(errno));
			return -1;
		}
		net->close(net->arg, fd);
	}
	return 0;
}

static void
engine_free(struct engine *e)
{
	size_t k;
	int i;

	for (k = 0; k < e->nslots; k++) {
		struct slot *s = &e->slots[k];

		if (s->state != SLOT_FREE)
			slot_close(e, s);
		buf_release(&s->rx);
		probe_report_release(&s->rep);
	}
	for (k = e->emitted; k < e->njobs; k++)
		probe_report_release(&e->jobs[k].res.report);
	for (i = 0; i < TQ_N; i++)
		tq_release(&e->tq[i]);
	ring_release(&e->retry);
	ring_release(&e->deferred);
	if (e->local)
		collide_release(&e->collide);
	free(e->jobs);
	free(e->freelist);
	free(e->slots);
	free(e);
}

int
query_run_net(struct netio *net, const struct sockaddr *addr, socklen_t addrlen,
    const struct query_opts *o, const struct query_job *jobs, size_t njobs,
    query_emit_fn emit, void *arg, char *err, size_t errlen)
{
	struct netio_ev evs[256];
	struct engine *e;
	struct slot *s;
	int i, n, wait, tick, rc = -1;
	size_t k;

	if (addrlen > sizeof(struct sockaddr_storage)) {
		snprintf(err, errlen, "address too long");
		return -1;
	}
	if (o->src_port != 0 && src_port_free(net, addr, o->src_port, jobs,
	    njobs, err, errlen) == -1)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->o = o;
	e->net = net;
	memcpy(&e->addr, addr, addrlen);
	e->addrlen = addrlen;
	e->family = addr->sa_family;
	e->local = net->is_local(net->arg, addr, addrlen);
	e->emit = emit;
	e->arg = arg;
	e->njobs = njobs;
	e->prog.total = njobs;
	e->start_ns = engine_now(e);
	e->next_progress_ns = e->start_ns;
	e->pacer.gap_ns = (uint64_t)o->icmp_gap_ms * NSEC_PER_MSEC;
	if (getrandom(&e->rng, sizeof(e->rng), 0) != sizeof(e->rng) || e->rng == 0)
		e->rng = engine_now(e) | 1;
	e->nslots = o->parallel ? o->parallel : 1;
	e->limit = e->nslots;
	e->slots = xcalloc(e->nslots, sizeof(*e->slots));
	e->freelist = xreallocarray(NULL, e->nslots, sizeof(*e->freelist));
	for (k = 0; k < e->nslots; k++) {
		s = &e->slots[k];
		s->fd = -1;
		buf_init(&s->rx);
		probe_report_init(&s->rep);
		e->freelist[e->nslots - 1 - k] = (unsigned)k;
	}
	e->nfree = e->nslots;
	e->jobs = xcalloc(njobs ? njobs : 1, sizeof(*e->jobs));
	for (k = 0; k < njobs; k++) {
		e->jobs[k].res.proto = jobs[k].proto;
		e->jobs[k].res.port = jobs[k].port;
		e->jobs[k].no_probe = (jobs[k].flags & QUERY_JOB_NO_PROBE) != 0;
		e->jobs[k].res.rtt_us = -1;
		probe_report_init(&e->jobs[k].res.report);
	}
	ring_init(&e->retry, njobs);
	ring_init(&e->deferred, njobs);
	if (e->local)
		collide_init(&e->collide);

	for (;;) {
		launch_more(e);
		emit_ready(e);
		if (e->emitted == e->njobs || e->failed)
			break;
		wait = expire(e);
		emit_ready(e);
		if (e->emitted == e->njobs || e->failed)
			break;
		if (may_launch(e) && (e->retry.len > 0 || e->next_job < e->njobs) &&
		    (e->o->max_rate == 0 || engine_now(e) >= e->next_send_ns) &&
		    engine_now(e) >= e->hold_until_ns)
			wait = 0;	/* more to launch: only look for answers */
		if ((tick = progress_tick(e)) >= 0 && (wait < 0 || tick < wait))
			wait = tick;
		if (e->nfree < e->nslots || wait >= 0) {
			n = net->wait(net->arg, evs, 256, wait);
			if (n == -1 && errno != EINTR) {
				engine_fail(e, "epoll_wait: %s", strerror(errno));
				break;
			}
		} else
			n = 0;
		for (i = 0; i < n && !e->failed; i++)
			slot_event(e, &e->slots[evs[i].key], evs[i].events);
	}
	if (e->failed)
		snprintf(err, errlen, "%s", e->errmsg);
	else
		rc = 0;
	engine_free(e);
	return rc;
}

int
query_run(const struct sockaddr *addr, socklen_t addrlen,
    const struct query_opts *o, const struct query_job *jobs, size_t njobs,
    query_emit_fn emit, void *arg, char *err, size_t errlen)
{
	struct netio net;
	int rc;

	if (netio_sys_init(&net, err, errlen) == -1)
		return -1;
	rc = query_run_net(&net, addr, addrlen, o, jobs, njobs, emit, arg, err,
	    errlen);
	netio_sys_release(&net);
	return rc;
}
