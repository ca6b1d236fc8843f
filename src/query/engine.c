/*
 * The query engine.  Every attempt (one TCP connect, or one UDP datagram
 * conversation) owns a slot with a non-blocking socket on one epoll set.
 * Timeouts are per class (connect, UDP, TCP read, TCP "more bytes") and
 * uniform within a class, so each class's timers are a FIFO ordered by
 * send time: the head is always the next to expire, and changing the
 * learned timeout needs no re-sorting.  A retry is a new attempt on a new
 * socket (a new source port), so every answer is matched to the attempt
 * that caused it and every round trip measured is exact (Karn).
 */
#include <errno.h>
#include <time.h>
#include <linux/errqueue.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "query/engine.h"
#include "util/xmalloc.h"

enum slot_state { SLOT_FREE, SLOT_CONNECT, SLOT_READ, SLOT_UDP };
enum tclass { TQ_CONNECT, TQ_UDP, TQ_READ, TQ_MORE, TQ_N };

#define RX_MAX		(64 * 1024)
#define MAX_COLLISIONS	16	/* own-socket collisions before a try counts */
#define LAUNCH_BURST	256	/* attempts started per turn of the loop */
#define ICMP_BURST	6	/* ICMP errors a Linux host sends at once
				 * (XRLIM_BURST_FACTOR), then one per second */

struct slot {
	int		 fd;
	enum slot_state	 state;
	uint32_t	 gen;		/* bumped at every arm: stale timers */
	size_t		 job;
	int		 crossed;	/* another of our sockets answered it */
	int		 paced;		/* a paced UDP retry */
	int		 unconnected;	/* UDP, PROBE_F_ANY_SRCPORT: sendto() */
	unsigned	 step_sends;	/* datagrams sent for ctx.step */
	uint64_t	 sent_ns;
	const struct probe *probe;	/* current conversation, or NULL */
	struct probe_ctx ctx;
	struct probe_report rep;
	struct buf	 rx;		/* TCP bytes received so far */
};

struct tq_ent {
	uint32_t	 slot;
	uint32_t	 gen;
	uint64_t	 t_ns;
};

struct tq {
	struct tq_ent	*v;
	size_t		 head, len, cap;	/* live entries: v[head..len) */
};

struct ring {
	size_t		*v;
	size_t		 cap, head, len;
};

struct job_state {
	struct query_result res;
	unsigned char	 done;
	unsigned char	 paced;		/* UDP: had its paced retry */
	unsigned char	 probe_phase;	/* UDP: the generic datagram was silent */
	unsigned char	 collisions;
};

struct engine {
	const struct query_opts *o;
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	int		 family;
	int		 local;		/* target is an address of this host */
	int		 ep;
	struct slot	*slots;
	unsigned	 nslots;
	unsigned	*freelist;
	unsigned	 nfree;
	struct job_state *jobs;
	size_t		 njobs, next_job, emitted;
	struct ring	 retry;		/* jobs waiting for their next try */
	struct ring	 deferred;	/* UDP jobs waiting for a paced retry */
	struct tq	 tq[TQ_N];
	int64_t		 srtt_us, rttvar_us;
	int		 have_rtt;
	uint64_t	 next_send_ns;	/* --max-rate */
	uint64_t	 last_icmp_ns;	/* when the last ICMP error came */
	int		 ports_exhausted;	/* EAGAIN from connect: wait */
	unsigned	 icmp_seen;	/* ICMP errors received */
	uint32_t	*aiming[2];	/* local targets: target port -> slot+1 */
	uint64_t	 rng;
	query_emit_fn	 emit;
	void		*arg;
	uint8_t		 rxbuf[RX_MAX];
};

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

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
	o->icmp_gap_ms = 1000;
}

/* --- small containers ------------------------------------------------- */

static void
ring_init(struct ring *r, size_t cap)
{
	r->v = xreallocarray(NULL, cap ? cap : 1, sizeof(*r->v));
	r->cap = cap ? cap : 1;
	r->head = r->len = 0;
}

/* Each job is in a ring at most once, so a ring of njobs never overflows. */
static void
ring_push(struct ring *r, size_t x)
{
	r->v[(r->head + r->len) % r->cap] = x;
	r->len++;
}

static size_t
ring_pop(struct ring *r)
{
	size_t x = r->v[r->head];

	r->head = (r->head + 1) % r->cap;
	r->len--;
	return x;
}

static void
tq_push(struct tq *q, uint32_t slot, uint32_t gen, uint64_t t)
{
	if (q->head > 0 && q->head == q->len)
		q->head = q->len = 0;
	if (q->len == q->cap) {
		if (q->head > q->cap / 2) {
			memmove(q->v, q->v + q->head,
			    (q->len - q->head) * sizeof(*q->v));
			q->len -= q->head;
			q->head = 0;
		} else {
			q->cap = q->cap ? q->cap * 2 : 1024;
			q->v = xreallocarray(q->v, q->cap, sizeof(*q->v));
		}
	}
	q->v[q->len++] = (struct tq_ent){ slot, gen, t };
}

/* --- timing ----------------------------------------------------------- */

/* An answer came to the slot's attempt: when it can only be the answer
 * to the first request (not to a resend, not to a later step), record
 * the round trip for its job and learn from it (RFC 6298's smoothing). */
static void
answered(struct engine *e, struct slot *s)
{
	int64_t r = (int64_t)((now_ns() - s->sent_ns) / 1000), d;

	if (s->step_sends > 1 || s->ctx.step > 0)
		return;
	e->jobs[s->job].res.rtt_us = r;
	if (!e->have_rtt) {
		e->srtt_us = r;
		e->rttvar_us = r / 2;
		e->have_rtt = 1;
		return;
	}
	d = e->srtt_us - r;
	if (d < 0)
		d = -d;
	e->rttvar_us = (3 * e->rttvar_us + d) / 4;
	e->srtt_us = (7 * e->srtt_us + r) / 8;
}

/* The timeout of class c in nanoseconds, from what was learned so far. */
static uint64_t
class_timeout_ns(const struct engine *e, enum tclass c)
{
	const struct query_opts *o = e->o;
	uint64_t ms, lo = o->min_timeout_ms;

	if (c == TQ_READ || c == TQ_MORE) {
		ms = c == TQ_READ ? o->read_timeout_ms : o->read_timeout_ms / 4;
		return ms * 1000000u;
	}
	if (e->have_rtt)
		ms = (uint64_t)(e->srtt_us + 4 * e->rttvar_us) / 1000;
	else
		ms = o->init_timeout_ms;
	if (c == TQ_UDP)
		lo *= 2;	/* services take longer than a SYN-ACK */
	if (ms < lo)
		ms = lo;
	if (ms > o->max_timeout_ms)
		ms = o->max_timeout_ms;
	if (c == TQ_UDP && o->slow_link)
		ms *= 2;
	return ms * 1000000u;
}

static void
slot_arm(struct engine *e, struct slot *s, enum tclass c)
{
	s->gen++;
	tq_push(&e->tq[c], (uint32_t)(s - e->slots), s->gen, now_ns());
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

static void
job_finish(struct engine *e, size_t job, enum verdict v, const char *reason)
{
	struct job_state *j = &e->jobs[job];

	size_t l = strnlen(reason, sizeof(j->res.reason) - 1);

	j->res.verdict = v;
	memcpy(j->res.reason, reason, l);
	j->res.reason[l] = '\0';
	j->done = 1;
}

/* Close the slot's socket, end its probe conversation, free the slot. */
static void
slot_close(struct engine *e, struct slot *s)
{
	uint16_t port;
	int pi;

	if (s->probe != NULL && s->probe->release != NULL)
		s->probe->release(&s->ctx);
	s->probe = NULL;
	if (e->local) {
		pi = e->jobs[s->job].res.proto == IPPROTO_UDP;
		port = e->jobs[s->job].res.port;
		if (e->aiming[pi][port] == (uint32_t)(s - e->slots) + 1)
			e->aiming[pi][port] = 0;
	}
	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->state = SLOT_FREE;
	s->gen++;
	buf_reset(&s->rx);
	e->freelist[e->nfree++] = (unsigned)(s - e->slots);
}

/* Finish the slot's job with a report from the slot's probe. */
static void
slot_finish_report(struct engine *e, struct slot *s, const char *reason)
{
	struct job_state *j = &e->jobs[s->job];

	j->res.probe = s->probe;
	j->res.report = s->rep;
	probe_report_init(&s->rep);
	job_finish(e, s->job, VERDICT_LISTENING,
	    j->res.report.reason[0] ? j->res.report.reason : reason);
}

/*
 * Read one queued socket error.  Returns 0 with the verdict and reason of
 * an ICMP error (or of a local one: FILTERED), or -1 when none is queued.
 */
static int
errqueue_read(int fd, enum verdict *v, char *reason, size_t len)
{
	union {
		char	buf[512];
		struct cmsghdr align;
	} cbuf;
	struct sock_extended_err ee;
	struct cmsghdr *c;
	struct msghdr m;
	struct iovec iov;
	char data[64];

	memset(&m, 0, sizeof(m));
	iov.iov_base = data;
	iov.iov_len = sizeof(data);
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf.buf;
	m.msg_controllen = sizeof(cbuf.buf);
	if (recvmsg(fd, &m, MSG_ERRQUEUE | MSG_DONTWAIT) == -1)
		return -1;
	for (c = CMSG_FIRSTHDR(&m); c != NULL; c = CMSG_NXTHDR(&m, c)) {
		if (!((c->cmsg_level == SOL_IP && c->cmsg_type == IP_RECVERR) ||
		    (c->cmsg_level == SOL_IPV6 && c->cmsg_type == IPV6_RECVERR)))
			continue;
		memcpy(&ee, CMSG_DATA(c), sizeof(ee));
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP) {
			*v = verdict_from_icmp(ICMP_ORIGIN_V4, ee.ee_type,
			    ee.ee_code, reason, len);
			return 0;
		}
		if (ee.ee_origin == SO_EE_ORIGIN_ICMP6) {
			*v = verdict_from_icmp(ICMP_ORIGIN_V6, ee.ee_type,
			    ee.ee_code, reason, len);
			return 0;
		}
		snprintf(reason, len, "local error: %s", strerror((int)ee.ee_errno));
		*v = VERDICT_FILTERED;
		return 0;
	}
	return -1;
}

/* --- launching -------------------------------------------------------- */

static int
open_socket(struct engine *e, int type, char *err, size_t errlen)
{
	struct sockaddr_storage src;
	int fd, one = 1;

	fd = socket(e->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(err, errlen, "cannot open socket: %s", strerror(errno));
		return -1;
	}
	if (e->family == AF_INET6)
		setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one));
	else
		setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one));
	if (e->o->src_port != 0) {
		memset(&src, 0, sizeof(src));
		src.ss_family = (sa_family_t)e->family;
		if (e->family == AF_INET6)
			((struct sockaddr_in6 *)&src)->sin6_port = htons(e->o->src_port);
		else
			((struct sockaddr_in *)&src)->sin_port = htons(e->o->src_port);
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&src, e->addrlen) == -1) {
			snprintf(err, errlen, "cannot bind source port %u: %s",
			    e->o->src_port, strerror(errno));
			close(fd);
			return -1;
		}
	}
	return fd;
}

static void
set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)ss)->sin_port = htons(port);
}

/* The local port of fd in *port.  Returns 0, or -1. */
static int
local_port(int fd, uint16_t *port)
{
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);

	if (getsockname(fd, (struct sockaddr *)&me, &len) == -1)
		return -1;
	*port = me.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&me)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&me)->sin_port);
	return 0;
}

/*
 * Did the slot's connection (or datagram) come from one of our own
 * sockets?  On a local target the kernel may connect a socket to itself
 * (its source port is the target port), or two of our sockets to each
 * other (A from port P to port Y while B goes from Y to P).  Asked only
 * when something answered, which is rare in a scan, so the source ports
 * are looked up here rather than noted for every attempt.  Marks the
 * other socket of a crossed pair, whose answer came from us too.
 */
static int
own_collision(struct engine *e, struct slot *s, int pi)
{
	uint16_t target = e->jobs[s->job].res.port, mine, theirs;
	struct slot *o;
	uint32_t k;

	if (!e->local)
		return 0;
	if (s->crossed)
		return 1;
	if (local_port(s->fd, &mine) == -1)
		return 0;
	if (mine == target)
		return 1;
	if ((k = e->aiming[pi][mine]) == 0)
		return 0;
	o = &e->slots[k - 1];
	if (o == s || local_port(o->fd, &theirs) == -1 || theirs != target)
		return 0;
	o->crossed = 1;
	return 1;
}

/*
 * The attempt met one of our own sockets (a self-connect on loopback, or
 * two of our sockets whose ports cross): that says nothing about the port.
 * Try again without counting the try, MAX_COLLISIONS times; after that the
 * port has met only ourselves, so no one else listens there: NOT LISTENING.
 */
static void
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

static void
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

/* An ICMP error came from the target: it does send them, and it spent one
 * of its ICMP tokens on us. */
static void
icmp_arrived(struct engine *e)
{
	e->icmp_seen++;
	e->last_icmp_ns = now_ns();
}

/*
 * How many paced UDP retries may go out together now.  A Linux target
 * sends us ICMP errors from a token bucket: one token per icmp_ratelimit
 * (1 s; our icmp_gap_ms), at most ICMP_BURST kept.  Only an ICMP error
 * spends a token, and we see each one; so the bucket holds at least one
 * token per gap since the last error we received, and that many closed
 * ports can be asked at once and all answer.  Silent (dropped) ports spend
 * nothing, so while they stay silent the batches grow to ICMP_BURST.
 */
static unsigned
paced_budget(const struct engine *e, uint64_t now)
{
	uint64_t gap = (uint64_t)e->o->icmp_gap_ms * 1000000u, k;

	k = gap == 0 ? ICMP_BURST : (now - e->last_icmp_ns) / gap;
	return k > ICMP_BURST ? ICMP_BURST : (unsigned)k;
}

/* Send the probe's request of the current step.  Returns 0 when sent,
 * 1 when the step sends nothing, -1 on failure. */
static int
probe_send(struct engine *e, struct slot *s)
{
	struct sockaddr_storage dst;
	struct buf out;
	ssize_t n;
	int rc;

	buf_init(&out);
	rc = s->probe->build(&s->ctx, &out);
	if (rc == 0) {
		if (s->unconnected) {
			dst = e->addr;
			set_port(&dst, e->jobs[s->job].res.port);
			n = sendto(s->fd, out.data ? out.data : "", out.len,
			    MSG_NOSIGNAL, (struct sockaddr *)&dst, e->addrlen);
		} else
			n = send(s->fd, out.data ? out.data : "", out.len,
			    MSG_NOSIGNAL);
		if (n != (ssize_t)out.len)
			rc = -1;
	}
	s->step_sends = 1;
	buf_release(&out);
	return rc;
}

/* Same address (ports aside)? */
static int
same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return 0;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		    &((const struct sockaddr_in6 *)b)->sin6_addr,
		    sizeof(struct in6_addr)) == 0;
	return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
	    ((const struct sockaddr_in *)b)->sin_addr.s_addr;
}

static void tcp_connected(struct engine *, struct slot *);
static void tcp_refused(struct engine *, struct slot *, int);

static void
launch(struct engine *e, size_t job)
{
	struct job_state *j = &e->jobs[job];
	struct sockaddr_storage dst = e->addr;
	int udp = j->res.proto == IPPROTO_UDP, rc, cerr;
	const struct probe *p;
	struct epoll_event ev;
	struct slot *s;
	char err[128];

	s = &e->slots[e->freelist[--e->nfree]];
	s->job = job;
	s->crossed = 0;
	s->paced = j->paced == 1;
	s->unconnected = 0;
	s->step_sends = 0;
	memset(&s->ctx, 0, sizeof(s->ctx));
	/* The generic datagram first; when it is silent, the port's probe. */
	p = NULL;
	if (udp && j->probe_phase && !s->paced)
		p = probe_find(IPPROTO_UDP, j->res.port);
	if (udp && p == NULL)
		p = &probe_generic;
	if (p != NULL && (p->flags & PROBE_F_ANY_SRCPORT))
		s->unconnected = 1;
	j->res.tries++;
	if ((s->fd = open_socket(e, udp ? SOCK_DGRAM : SOCK_STREAM, err,
	    sizeof(err))) == -1) {
		s->state = SLOT_UDP;
		job_finish(e, job, VERDICT_FILTERED, err);
		slot_close(e, s);
		return;
	}
	set_port(&dst, j->res.port);
	s->state = udp ? SLOT_UDP : SLOT_CONNECT;
	s->sent_ns = now_ns();
	if (s->unconnected) {
		/* bind now so that the source port is known and fixed */
		struct sockaddr_storage any;

		memset(&any, 0, sizeof(any));
		any.ss_family = (sa_family_t)e->family;
		rc = e->o->src_port ? 0 :
		    bind(s->fd, (struct sockaddr *)&any, e->addrlen);
	} else
		rc = connect(s->fd, (struct sockaddr *)&dst, e->addrlen);
	cerr = rc == -1 ? errno : 0;
	if (cerr == EAGAIN) {
		/* no source port left: wait for a slot to close */
		e->ports_exhausted = 1;
		j->res.tries--;
		ring_push(&e->retry, job);
		slot_close(e, s);
		return;
	}
	if (e->local)
		e->aiming[udp][j->res.port] = (uint32_t)(s - e->slots) + 1;
	if (!udp) {
		if (rc == 0) {
			tcp_connected(e, s);
			return;
		}
		if (cerr != EINPROGRESS) {
			tcp_refused(e, s, cerr);
			return;
		}
		ev.events = EPOLLOUT;
		ev.data.u64 = (uint64_t)(s - e->slots);
		epoll_ctl(e->ep, EPOLL_CTL_ADD, s->fd, &ev);
		slot_arm(e, s, TQ_CONNECT);
		return;
	}
	if (rc == -1) {
		snprintf(err, sizeof(err), "connect: %s", strerror(cerr));
		job_finish(e, job, VERDICT_FILTERED, err);
		slot_close(e, s);
		return;
	}
	probe_begin(e, s, p);
	if (probe_send(e, s) != 0) {
		snprintf(err, sizeof(err), "%s probe could not be sent", p->name);
		job_finish(e, job, VERDICT_LISTENING_OR_FILTERED, err);
		slot_close(e, s);
		return;
	}
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)(s - e->slots);
	epoll_ctl(e->ep, EPOLL_CTL_ADD, s->fd, &ev);
	slot_arm(e, s, TQ_UDP);
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
	gap = 1000000000u / e->o->max_rate;
	e->next_send_ns = (e->next_send_ns + gap > now ? e->next_send_ns : now) + gap;
	return 1;
}

static void
launch_more(struct engine *e)
{
	uint64_t now = now_ns();
	unsigned burst = 0;
	size_t job;

	/* at most LAUNCH_BURST per turn, so that answers are read soon after
	 * they come and round trips are measured without our own delay */
	while (e->nfree > 0 && burst++ < LAUNCH_BURST &&
	    (e->retry.len > 0 || e->next_job < e->njobs)) {
		if (e->ports_exhausted && e->nfree < e->nslots)
			return;
		e->ports_exhausted = 0;
		if (!rate_ok(e, now))
			return;
		job = e->retry.len > 0 ? ring_pop(&e->retry) : e->next_job++;
		launch(e, job);
	}
	/* Paced UDP retries go out in batches the target's ICMP budget
	 * covers, alone on the wire, once everything else is done. */
	if (e->retry.len > 0 || e->next_job < e->njobs || e->nfree < e->nslots)
		return;
	for (burst = paced_budget(e, now); burst > 0 && e->deferred.len > 0;
	    burst--) {
		job = ring_pop(&e->deferred);
		e->jobs[job].paced = 1;
		launch(e, job);
	}
}

/* --- TCP -------------------------------------------------------------- */

static void
tcp_connected(struct engine *e, struct slot *s)
{
	struct job_state *j = &e->jobs[s->job];
	struct linger lg = { 1, 0 };
	const struct probe *p;
	struct epoll_event ev;
	int rc;

	/* close with a reset: no TIME_WAIT left behind on either side */
	setsockopt(s->fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (own_collision(e, s, 0)) {
		own_collision_retry(e, s->job);
		slot_close(e, s);
		return;
	}
	answered(e, s);
	if ((p = probe_find(IPPROTO_TCP, j->res.port)) == NULL) {
		job_finish(e, s->job, VERDICT_LISTENING, "syn-ack");
		slot_close(e, s);
		return;
	}
	probe_begin(e, s, p);
	if ((rc = probe_send(e, s)) == -1) {
		job_finish(e, s->job, VERDICT_LISTENING, "syn-ack");
		slot_close(e, s);
		return;
	}
	ev.events = EPOLLIN;
	ev.data.u64 = (uint64_t)(s - e->slots);
	if (epoll_ctl(e->ep, EPOLL_CTL_MOD, s->fd, &ev) == -1)
		epoll_ctl(e->ep, EPOLL_CTL_ADD, s->fd, &ev);
	s->state = SLOT_READ;
	slot_arm(e, s, TQ_READ);
}

/* A connect failed with error er (0: ask the socket). */
static void
tcp_refused(struct engine *e, struct slot *s, int er)
{
	struct job_state *j = &e->jobs[s->job];
	char reason[64];
	enum verdict v;

	/* A reset queues nothing.  On a local target refusals are resets
	 * (an ICMP one would take a reject rule on lo), so a scan of 65535
	 * loopback ports saves the look; elsewhere look, and name the ICMP. */
	if ((er != ECONNREFUSED || !e->local) &&
	    errqueue_read(s->fd, &v, reason, sizeof(reason)) == 0) {
		icmp_arrived(e);
		answered(e, s);
		job_finish(e, s->job, v, reason);
	} else if (er == ECONNREFUSED) {
		answered(e, s);
		job_finish(e, s->job, VERDICT_NOT_LISTENING, "reset");
	} else if (er == ETIMEDOUT) {
		if (j->res.tries < e->o->tcp_tries)
			ring_push(&e->retry, s->job);
		else {
			snprintf(reason, sizeof(reason),
			    "no response after %u tries", j->res.tries);
			job_finish(e, s->job, VERDICT_FILTERED, reason);
		}
	} else {
		snprintf(reason, sizeof(reason), "connect: %s", strerror(er));
		job_finish(e, s->job, VERDICT_FILTERED, reason);
	}
	slot_close(e, s);
}

static void
tcp_read(struct engine *e, struct slot *s)
{
	enum probe_status st;
	ssize_t n;
	int eof = 0;

	for (;;) {
		n = recv(s->fd, e->rxbuf, sizeof(e->rxbuf), 0);
		if (n > 0) {
			if (s->rx.len + (size_t)n > RX_MAX) {
				buf_add(&s->rx, e->rxbuf, RX_MAX - s->rx.len);
				eof = 1;
				break;
			}
			buf_add(&s->rx, e->rxbuf, (size_t)n);
			continue;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			eof = 1;
		if (n == 0 || errno != EINTR)
			break;
	}
	if (s->rx.len == 0) {
		if (eof) {
			job_finish(e, s->job, VERDICT_LISTENING, "syn-ack");
			slot_close(e, s);
		}
		return;
	}
	st = s->probe->parse(&s->ctx, (const uint8_t *)s->rx.data, s->rx.len,
	    &s->rep);
	switch (st) {
	case PROBE_DONE:
		slot_finish_report(e, s, "syn-ack");
		slot_close(e, s);
		return;
	case PROBE_NEXT:
		s->ctx.step++;
		buf_reset(&s->rx);
		if (probe_send(e, s) == -1 || eof)
			break;
		slot_arm(e, s, TQ_READ);
		return;
	case PROBE_MORE:
		if (eof)
			break;
		slot_arm(e, s, TQ_MORE);
		return;
	case PROBE_MALFORMED:
		job_finish(e, s->job, VERDICT_LISTENING, "malformed reply");
		slot_close(e, s);
		return;
	}
	job_finish(e, s->job, VERDICT_LISTENING, "syn-ack");
	slot_close(e, s);
}

/* --- UDP -------------------------------------------------------------- */

static void
udp_event(struct engine *e, struct slot *s, uint32_t events)
{
	enum probe_status st;
	char reason[64];
	enum verdict v;
	ssize_t n;

	if (events & EPOLLERR) {
		if (errqueue_read(s->fd, &v, reason, sizeof(reason)) == 0) {
			icmp_arrived(e);
			answered(e, s);
			job_finish(e, s->job, v, reason);
			slot_close(e, s);
			return;
		}
	}
	if (s->unconnected) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);

		n = recvfrom(s->fd, e->rxbuf, sizeof(e->rxbuf), 0,
		    (struct sockaddr *)&from, &fl);
		if (n >= 0 && !same_host(&from, &e->addr))
			return;		/* not from the target: ignore */
	} else
		n = recv(s->fd, e->rxbuf, sizeof(e->rxbuf), 0);
	if (n == -1) {
		if (errno == ECONNREFUSED) {
			icmp_arrived(e);
			job_finish(e, s->job, VERDICT_NOT_LISTENING,
			    "icmp port-unreachable");
			slot_close(e, s);
		}
		return;
	}
	if (own_collision(e, s, 1)) {
		own_collision_retry(e, s->job);
		slot_close(e, s);
		return;
	}
	st = s->probe->parse(&s->ctx, e->rxbuf, (size_t)n, &s->rep);
	if (st == PROBE_MORE)
		return;
	answered(e, s);
	if (st == PROBE_NEXT) {
		s->ctx.step++;
		if (probe_send(e, s) == 0) {
			slot_arm(e, s, TQ_UDP);
			return;
		}
		st = PROBE_DONE;
	}
	if (st == PROBE_DONE)
		slot_finish_report(e, s, "udp reply");
	else
		job_finish(e, s->job, VERDICT_LISTENING, "malformed reply");
	slot_close(e, s);
}

/* Handle what epoll (or poll) reported for a slot's socket. */
static void
slot_event(struct engine *e, struct slot *s, uint32_t events)
{
	socklen_t el;
	int er;

	switch (s->state) {
	case SLOT_CONNECT:
		er = 0;
		el = sizeof(er);
		if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &er, &el) == -1)
			er = errno;
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
slot_pending(const struct slot *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN | POLLOUT };

	if (s->state == SLOT_READ || s->state == SLOT_UDP)
		pfd.events = POLLIN;
	if (poll(&pfd, 1, 0) != 1)
		return 0;
	return (pfd.revents & POLLIN ? EPOLLIN : 0) |
	    (pfd.revents & POLLOUT ? EPOLLOUT : 0) |
	    (pfd.revents & POLLERR ? EPOLLERR : 0) |
	    (pfd.revents & POLLHUP ? EPOLLHUP : 0);
}

/* --- timeouts --------------------------------------------------------- */

/* Send the current step's request once more on the same socket.  Returns
 * 0 when sent, -1 otherwise.  (The answer's round trip is then ambiguous:
 * not sampled.) */
static int
probe_resend(struct engine *e, struct slot *s)
{
	unsigned sends = s->step_sends;

	e->jobs[s->job].res.tries++;
	if (probe_send(e, s) != 0)
		return -1;
	s->step_sends = sends;
	return 0;
}

/*
 * The current step got no reply after every try: ask the probe what that
 * means (probe->silence).  PROBE_NEXT: the next step's request was sent;
 * PROBE_DONE: the report says what the silence means; anything else: the
 * silence decides as usual.
 */
static enum probe_status
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

static void
slot_timeout(struct engine *e, struct slot *s)
{
	struct job_state *j = &e->jobs[s->job];
	char reason[64];

	switch (s->state) {
	case SLOT_CONNECT:
		if (j->res.tries < e->o->tcp_tries)
			ring_push(&e->retry, s->job);
		else {
			snprintf(reason, sizeof(reason),
			    "no response after %u tries", j->res.tries);
			job_finish(e, s->job, VERDICT_FILTERED, reason);
		}
		break;
	case SLOT_READ:
		if (s->rx.len > 0 && s->probe->parse(&s->ctx,
		    (const uint8_t *)s->rx.data, s->rx.len, &s->rep) == PROBE_DONE) {
			slot_finish_report(e, s, "syn-ack");
			break;
		}
		switch (probe_silence(e, s)) {
		case PROBE_NEXT:
			slot_arm(e, s, TQ_READ);
			return;
		case PROBE_DONE:
			slot_finish_report(e, s, "syn-ack");
			break;
		default:
			job_finish(e, s->job, VERDICT_LISTENING, "syn-ack");
		}
		break;
	case SLOT_UDP:
		if (s->probe != &probe_generic) {
			/* the port's own probe: each step has its tries */
			if (s->step_sends < e->o->udp_tries - 1) {
				s->step_sends++;
				if (probe_resend(e, s) == 0) {
					slot_arm(e, s, TQ_UDP);
					return;
				}
			}
			switch (probe_silence(e, s)) {
			case PROBE_NEXT:
				slot_arm(e, s, TQ_UDP);
				return;
			case PROBE_DONE:
				slot_finish_report(e, s, "udp reply");
				slot_close(e, s);
				return;
			default:
				break;
			}
		} else if (!j->paced && probe_find(IPPROTO_UDP, j->res.port)) {
			j->probe_phase = 1;
			ring_push(&e->retry, s->job);
			break;
		} else if (j->res.tries < e->o->udp_tries && !j->paced) {
			ring_push(&e->retry, s->job);
			break;
		}
		if (!j->paced && e->icmp_seen > 0 && !e->local)
			/* maybe the target's ICMP budget ran out */
			ring_push(&e->deferred, s->job);
		else {
			snprintf(reason, sizeof(reason),
			    "no response after %u tries", j->res.tries);
			job_finish(e, s->job, VERDICT_LISTENING_OR_FILTERED,
			    reason);
		}
		break;
	case SLOT_FREE:
		return;
	}
	slot_close(e, s);
}

/* Expire due timers; returns the milliseconds until the next one is due
 * (-1: none pending). */
static int
expire(struct engine *e)
{
	uint64_t now = now_ns(), to, due, next = UINT64_MAX;
	struct tq_ent *t;
	uint32_t ev, gen;
	struct slot *s;
	int c;

	for (c = 0; c < TQ_N; c++) {
		struct tq *q = &e->tq[c];

		to = class_timeout_ns(e, (enum tclass)c);
		while (q->head < q->len) {
			t = &q->v[q->head];
			s = &e->slots[t->slot];
			if (s->state == SLOT_FREE || s->gen != t->gen) {
				q->head++;
				continue;
			}
			due = t->t_ns + to;
			if (due > now) {
				if (due < next)
					next = due;
				break;
			}
			q->head++;
			if ((ev = slot_pending(s)) != 0) {
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
		due = paced_budget(e, now) > 0 ? now :
		    e->last_icmp_ns + (uint64_t)e->o->icmp_gap_ms * 1000000u;
		if (due < next)
			next = due;
	}
	if (e->o->max_rate && (e->retry.len > 0 || e->next_job < e->njobs) &&
	    e->next_send_ns < next)
		next = e->next_send_ns;
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

/* --- the run ---------------------------------------------------------- */

/* Is addr one of this host's own addresses?  (Then ICMP is not rate
 * limited and a connection may meet one of our own sockets.) */
static int
addr_is_local(const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage a;
	int fd, ok;

	memcpy(&a, addr, len);
	set_port(&a, 0);
	if ((fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = bind(fd, (struct sockaddr *)&a, len) == 0;
	close(fd);
	return ok;
}

/* Fail early and plainly when -sp names a port something else holds. */
static int
src_port_free(const struct sockaddr *addr, uint16_t port,
    const struct query_job *jobs, size_t njobs, char *err, size_t errlen)
{
	int need[2] = { 0, 0 }, types[2] = { SOCK_STREAM, SOCK_DGRAM };
	struct sockaddr_storage a;
	size_t i;
	int k, fd;

	for (i = 0; i < njobs; i++)
		need[jobs[i].proto == IPPROTO_UDP] = 1;
	memset(&a, 0, sizeof(a));
	a.ss_family = addr->sa_family;
	set_port(&a, port);
	for (k = 0; k < 2; k++) {
		if (!need[k])
			continue;
		if ((fd = socket(addr->sa_family, types[k] | SOCK_CLOEXEC, 0)) == -1)
			continue;
		if (bind(fd, (struct sockaddr *)&a, addr->sa_family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)) == -1) {
			snprintf(err, errlen, "source port %u (%s) is already in "
			    "use: %s", port, k ? "udp" : "tcp", strerror(errno));
			close(fd);
			return -1;
		}
		close(fd);
	}
	return 0;
}

int
query_run(const struct sockaddr *addr, socklen_t addrlen,
    const struct query_opts *o, const struct query_job *jobs, size_t njobs,
    query_emit_fn emit, void *arg, char *err, size_t errlen)
{
	struct epoll_event evs[256];
	struct engine *e;
	struct slot *s;
	int i, n, wait, rc = -1;
	size_t k;

	if (addrlen > sizeof(struct sockaddr_storage)) {
		snprintf(err, errlen, "address too long");
		return -1;
	}
	if (o->src_port != 0 &&
	    src_port_free(addr, o->src_port, jobs, njobs, err, errlen) == -1)
		return -1;
	e = xcalloc(1, sizeof(*e));
	e->o = o;
	memcpy(&e->addr, addr, addrlen);
	e->addrlen = addrlen;
	e->family = addr->sa_family;
	e->local = addr_is_local(addr, addrlen);
	e->emit = emit;
	e->arg = arg;
	e->njobs = njobs;
	if (getrandom(&e->rng, sizeof(e->rng), 0) != sizeof(e->rng) || e->rng == 0)
		e->rng = (uint64_t)now_ns() | 1;
	if ((e->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(err, errlen, "epoll: %s", strerror(errno));
		free(e);
		return -1;
	}
	e->nslots = o->parallel ? o->parallel : 1;
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
		e->jobs[k].res.rtt_us = -1;
		probe_report_init(&e->jobs[k].res.report);
	}
	ring_init(&e->retry, njobs);
	ring_init(&e->deferred, njobs);
	if (e->local) {
		e->aiming[0] = xcalloc(65536, sizeof(uint32_t));
		e->aiming[1] = xcalloc(65536, sizeof(uint32_t));
	}

	for (;;) {
		launch_more(e);
		emit_ready(e);
		if (e->emitted == e->njobs)
			break;
		wait = expire(e);
		emit_ready(e);
		if (e->emitted == e->njobs)
			break;
		if (e->nfree > 0 && (e->retry.len > 0 || e->next_job < e->njobs) &&
		    (e->o->max_rate == 0 || now_ns() >= e->next_send_ns))
			wait = 0;	/* more to launch: only look for answers */
		if (e->nfree < e->nslots || wait >= 0) {
			n = epoll_wait(e->ep, evs, 256, wait);
			if (n == -1 && errno != EINTR) {
				snprintf(err, errlen, "epoll_wait: %s", strerror(errno));
				goto out;
			}
		} else
			n = 0;
		for (i = 0; i < n; i++)
			slot_event(e, &e->slots[evs[i].data.u64], evs[i].events);
	}
	rc = 0;
out:
	for (k = 0; k < e->nslots; k++) {
		s = &e->slots[k];
		if (s->state != SLOT_FREE)
			slot_close(e, s);
		buf_release(&s->rx);
		probe_report_release(&s->rep);
	}
	for (k = e->emitted; k < njobs; k++)
		probe_report_release(&e->jobs[k].res.report);
	for (i = 0; i < TQ_N; i++)
		free(e->tq[i].v);
	free(e->retry.v);
	free(e->deferred.v);
	free(e->aiming[0]);
	free(e->aiming[1]);
	free(e->jobs);
	free(e->freelist);
	free(e->slots);
	close(e->ep);
	free(e);
	return rc;
}
