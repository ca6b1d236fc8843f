/*
 * Unit tests of the query engine's decisions, on a fake network with a
 * fake clock (query/netio.h): TCP silence retried to FILTERED, UDP silence
 * and the protocol probe after it, connections to ourselves, ICMP pacing,
 * the probe deadline, local failures; and the engine's parts alone
 * (timer queue, RTT learning, pacer, collision table, error decoding).
 * Time passes only when the engine waits, so nothing here sleeps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/epoll.h>

#include "query/collide.h"
#include "query/engine_int.h"
#include "query/errqueue.h"
#include "query/pacing.h"
#include "query/rtt.h"
#include "query/timerq.h"
#include "util/clock.h"

/* --- the fake network ------------------------------------------------- */

enum behave {
	B_DROP,		/* nothing ever comes back */
	B_RESET,	/* TCP: reset */
	B_LISTEN,	/* TCP: SYN-ACK */
	B_SELF,		/* TCP: the kernel connects the socket to itself */
	B_DRIP,		/* TCP: SYN-ACK, then one byte every 20 ms for ever */
	B_SLOWGREET,	/* TCP: SYN-ACK, then an SMTP greeting after 3 s */
	B_UNREACH,	/* UDP: ICMP port unreachable, from a token bucket */
	B_ECHO,		/* UDP: the datagram comes back */
};

#define NSOCK	512
#define FD0	100
#define MS	NSEC_PER_MSEC

struct fsock {
	int		 used, udp;
	uint16_t	 port, lport;
	uint32_t	 key, watch;
	uint64_t	 ready_at;	/* connect answer / datagram / ICMP */
	int		 err;		/* SO_ERROR once ready */
	int		 icmp, echo;	/* pending at ready_at */
	int		 connected;
	uint64_t	 drip_next;
	uint64_t	 greet_at;	/* B_SLOWGREET: when the banner comes */
	int		 greeted;
};

struct fake {
	uint64_t	 now, t0;
	int		 local;
	enum behave	 tcp[65536], udp[65536];
	unsigned	 connects[65536], sends[65536];
	char		 kinds[65536][8];	/* UDP: 'g' generic, 'p' probe */
	uint64_t	 send_at[65536][8];
	unsigned	 self_left[65536];	/* B_SELF: self-connects, then reset */
	struct fsock	 s[NSOCK];
	unsigned	 nopen, open_limit;
	int		 connect_errno;
	int		 icmp_unlimited;		/* a local target */
	int		 watch_errno;		/* watch() fails with it */
	int		 recverr_errno;		/* open() fails at IP_RECVERR */		/* at once from connect() */
	unsigned	 udp_buf_limit;		/* ENOBUFS above this many open */
	unsigned	 enobufs;
	double		 tokens;		/* ICMP bucket of the target */
	uint64_t	 tokens_at;
	uint64_t	 icmp_stop_at;		/* no ICMP at all from then on */
	unsigned	 icmp_sent;
	unsigned	 waits;
};

static struct fake *F;

static struct fsock *
fs(int fd)
{
	assert_true(fd >= FD0 && fd < FD0 + NSOCK);
	assert_true(F->s[fd - FD0].used);
	return &F->s[fd - FD0];
}

static uint64_t f_now(void *a) { (void)a; return F->now; }

static int
f_open(void *a, int family, int type, uint16_t src, const char **what)
{
	int i;

	(void)a; (void)family; (void)src;
	*what = "socket";
	if (F->nopen >= F->open_limit) {
		errno = EMFILE;
		return -1;
	}
	if (F->recverr_errno) {
		*what = "setsockopt(IP_RECVERR)";
		errno = F->recverr_errno;
		return -1;
	}
	for (i = 0; i < NSOCK && F->s[i].used; i++)
		;
	assert_true(i < NSOCK);
	memset(&F->s[i], 0, sizeof(F->s[i]));
	F->s[i].used = 1;
	F->s[i].udp = type == SOCK_DGRAM;
	F->s[i].ready_at = UINT64_MAX;
	F->s[i].lport = (uint16_t)(40000 + i);
	F->nopen++;
	return FD0 + i;
}

static int
f_connect(void *a, int fd, const struct sockaddr *sa, socklen_t l)
{
	struct fsock *s = fs(fd);
	uint16_t port = ntohs(((const struct sockaddr_in *)sa)->sin_port);

	(void)a; (void)l;
	s->port = port;
	if (F->connect_errno) {
		errno = F->connect_errno;
		return -1;
	}
	if (s->udp)
		return 0;
	F->connects[port]++;
	switch (F->tcp[port]) {
	case B_DROP:
		break;
	case B_SELF:
		if (F->self_left[port] > 0) {
			F->self_left[port]--;
			s->lport = port;
			s->ready_at = F->now + MS;
		} else {
			s->ready_at = F->now + MS;
			s->err = ECONNREFUSED;
		}
		break;
	case B_RESET:
		s->ready_at = F->now + MS;
		s->err = ECONNREFUSED;
		break;
	default:
		s->ready_at = F->now + MS;
		break;
	}
	errno = EINPROGRESS;
	return -1;
}

static int
f_bind(void *a, int fd, const struct sockaddr *sa, socklen_t l)
{
	(void)a; (void)fd; (void)sa; (void)l;
	return 0;
}

/* The target's ICMP token bucket: 6 at most, one more a second. */
static int
take_token(void)
{
	F->tokens += (double)(F->now - F->tokens_at) / NSEC_PER_SEC;
	F->tokens_at = F->now;
	if (F->icmp_unlimited)
		return 1;
	if (F->tokens > PACER_BURST)
		F->tokens = PACER_BURST;
	if (F->icmp_stop_at && F->now >= F->icmp_stop_at)
		return 0;
	if (F->tokens < 1)
		return 0;
	F->tokens -= 1;
	return 1;
}

static ssize_t
f_send(void *a, int fd, const void *p, size_t n, const struct sockaddr *to,
    socklen_t tl)
{
	struct fsock *s = fs(fd);
	unsigned k;

	(void)a; (void)to; (void)tl;
	if (!s->udp)
		return (ssize_t)n;	/* a TCP probe's request */
	if (F->udp_buf_limit && F->nopen > F->udp_buf_limit) {
		F->enobufs++;
		errno = ENOBUFS;
		return -1;
	}
	k = F->sends[s->port]++;
	if (k < 8) {
		F->kinds[s->port][k] = n == 4 && memcmp(p, "\r\n\r\n", 4) == 0 ?
		    'g' : 'p';
		F->send_at[s->port][k] = F->now;
	}
	switch (F->udp[s->port]) {
	case B_UNREACH:
		if (take_token()) {
			F->icmp_sent++;
			s->icmp = 1;
			s->ready_at = F->now + MS;
		}
		break;
	case B_ECHO:
		s->echo = 1;
		s->ready_at = F->now + MS;
		break;
	default:
		break;
	}
	return (ssize_t)n;
}

static ssize_t
f_recv(void *a, int fd, void *p, size_t n, struct sockaddr_storage *from)
{
	struct fsock *s = fs(fd);

	(void)a; (void)from;
	if (!s->udp && F->tcp[s->port] == B_DRIP && F->now >= s->drip_next) {
		s->drip_next = F->now + 20 * MS;
		memset(p, 'x', 1);
		return 1;
	}
	if (!s->udp && F->tcp[s->port] == B_SLOWGREET && !s->greeted &&
	    F->now >= s->greet_at) {
		static const char hello[] = "220 slow.example ESMTP\r\n";

		s->greeted = 1;
		assert_true(n >= sizeof(hello) - 1);
		memcpy(p, hello, sizeof(hello) - 1);
		return (ssize_t)(sizeof(hello) - 1);
	}
	if (s->udp && s->echo && F->now >= s->ready_at) {
		s->echo = 0;
		assert_true(n >= 3);
		memcpy(p, "hi\n", 3);
		return 3;
	}
	errno = EAGAIN;
	return -1;
}

static int
f_sock_error(void *a, int fd)
{
	struct fsock *s = fs(fd);

	(void)a;
	if (s->err == 0 && !s->udp && F->now >= s->ready_at) {
		s->connected = 1;
		s->drip_next = F->now + 20 * MS;
		s->greet_at = F->now + 3000 * MS;
	}
	return s->err;
}

static int
f_err_read(void *a, int fd, struct qerr *e)
{
	struct fsock *s = fs(fd);

	(void)a;
	if (!s->icmp || F->now < s->ready_at)
		return -1;
	s->icmp = 0;
	e->origin = QERR_ICMP4;
	e->type = 3;
	e->code = 3;
	e->errnum = ECONNREFUSED;
	return 0;
}

static int
f_local_port(void *a, int fd, uint16_t *port)
{
	(void)a;
	*port = fs(fd)->lport;
	return 0;
}

static void f_reset_on_close(void *a, int fd) { (void)a; (void)fs(fd); }

static void
f_close(void *a, int fd)
{
	(void)a;
	fs(fd)->used = 0;
	F->nopen--;
}

static int
f_watch(void *a, int fd, uint32_t key, uint32_t events, int added)
{
	struct fsock *s = fs(fd);

	(void)a;
	assert_int_equal(added, s->watch != 0);	/* add once, then modify */
	if (F->watch_errno) {
		errno = F->watch_errno;
		return -1;
	}
	s->key = key;
	s->watch = events;
	return 0;
}

/* What is pending on s now. */
static uint32_t
ready(const struct fsock *s)
{
	uint32_t ev = 0;

	if (s->udp) {
		if (s->icmp && F->now >= s->ready_at)
			ev |= EPOLLERR;
		if (s->echo && F->now >= s->ready_at)
			ev |= EPOLLIN;
		return ev;
	}
	if (!s->connected && F->now >= s->ready_at)
		return EPOLLOUT | (s->err ? EPOLLERR : 0);
	if (s->connected && F->tcp[s->port] == B_DRIP && F->now >= s->drip_next)
		return EPOLLIN;
	if (s->connected && F->tcp[s->port] == B_SLOWGREET && !s->greeted &&
	    F->now >= s->greet_at)
		return EPOLLIN;
	return 0;
}

/* When something next becomes pending on s (UINT64_MAX: never). */
static uint64_t
next_ready(const struct fsock *s)
{
	if (s->connected && F->tcp[s->port] == B_SLOWGREET)
		return s->greeted ? UINT64_MAX : s->greet_at;
	if (s->connected)
		return F->tcp[s->port] == B_DRIP ? s->drip_next : UINT64_MAX;
	if (s->udp && !s->icmp && !s->echo)
		return UINT64_MAX;
	return s->ready_at;
}

static uint32_t
f_pending(void *a, int fd, uint32_t events)
{
	uint32_t ev = ready(fs(fd));

	(void)a;
	return ev & (events | EPOLLERR | EPOLLHUP);
}

static int
f_collect(struct netio_ev *out, int max)
{
	int i, n = 0;
	uint32_t ev;

	for (i = 0; i < NSOCK && n < max; i++) {
		if (!F->s[i].used || F->s[i].watch == 0)
			continue;
		ev = ready(&F->s[i]) & (F->s[i].watch | EPOLLERR | EPOLLHUP);
		if (ev) {
			out[n].key = F->s[i].key;
			out[n++].events = ev;
		}
	}
	return n;
}

static int
f_wait(void *a, struct netio_ev *out, int max, int timeout_ms)
{
	uint64_t next = UINT64_MAX, t;
	int i, n;

	(void)a;
	/* an hour of fake time means the engine would never end */
	assert_true(F->now - F->t0 < 3600 * NSEC_PER_SEC);
	assert_true(++F->waits < 10000000);
	if ((n = f_collect(out, max)) > 0)
		return n;
	for (i = 0; i < NSOCK; i++)
		if (F->s[i].used && F->s[i].watch &&
		    (t = next_ready(&F->s[i])) < next)
			next = t;
	if (timeout_ms >= 0 && F->now + (uint64_t)timeout_ms * MS < next)
		next = F->now + (uint64_t)timeout_ms * MS;
	assert_true(next != UINT64_MAX);	/* waiting for ever */
	F->now = next;
	return f_collect(out, max);
}

static int f_is_local(void *a, const struct sockaddr *sa, socklen_t l)
{
	(void)a; (void)sa; (void)l;
	return F->local;
}

static struct netio fake_net = {
	.now = f_now, .open = f_open, .connect = f_connect, .bind = f_bind,
	.send = f_send, .recv = f_recv, .sock_error = f_sock_error,
	.err_read = f_err_read, .local_port = f_local_port,
	.reset_on_close = f_reset_on_close, .close = f_close,
	.watch = f_watch, .pending = f_pending, .wait = f_wait,
	.is_local = f_is_local,
};

static int
setup(void **state)
{
	(void)state;
	F = calloc(1, sizeof(*F));
	assert_non_null(F);
	F->now = F->t0 = 1000 * NSEC_PER_SEC;
	F->tokens = PACER_BURST;
	F->tokens_at = F->now;
	F->open_limit = NSOCK;
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(F->nopen, 0);		/* every socket closed */
	free(F);
	return 0;
}

/* --- running the engine ----------------------------------------------- */

struct got {
	struct query_result r[256];
	uint64_t	 at[256];
	char		 text[256][128];	/* the probe's text report, cut */
	size_t		 n;
};

static void
collect(const struct query_result *r, void *arg)
{
	struct got *g = arg;

	assert_true(g->n < 256);
	g->r[g->n] = *r;
	if (r->probe != NULL && r->report.text.len > 0)
		snprintf(g->text[g->n], sizeof(g->text[0]), "%.*s",
		    (int)r->report.text.len, r->report.text.data);
	g->r[g->n].probe = NULL;
	memset(&g->r[g->n].report, 0, sizeof(g->r[g->n].report));
	g->at[g->n++] = F->now;
}

static int
run(struct query_opts *o, const struct query_job *jobs, size_t n,
    struct got *g, char *err, size_t errlen)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };

	sin.sin_addr.s_addr = htonl(0x0a000002);
	memset(g, 0, sizeof(*g));
	fake_net.arg = NULL;
	return query_run_net(&fake_net, (struct sockaddr *)&sin, sizeof(sin),
	    o, jobs, n, collect, g, err, errlen);
}

static struct got G;
static char err[256];

#define SECONDS(ns)	((double)(ns) / NSEC_PER_SEC)

/* TCP silence: 3 connects, each after the previous one's timeout, then
 * FILTERED. */
static void
test_tcp_timeout_filtered(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 81, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->tcp[81] = B_DROP;
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.n, 1);
	assert_int_equal(G.r[0].verdict, VERDICT_FILTERED);
	assert_string_equal(G.r[0].reason, "no response after 3 tries");
	assert_int_equal(G.r[0].tries, 3);
	assert_int_equal(F->connects[81], 3);
	/* nothing learned: 3 waits of the first timeout (1 s) */
	assert_true(G.at[0] - F->t0 >= 3 * NSEC_PER_SEC);
	assert_true(G.at[0] - F->t0 < 4 * NSEC_PER_SEC);
}

/* Answers are taken at once; a learned round trip shortens the wait for
 * the silent port; results come in job order. */
static void
test_tcp_verdicts_in_order(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 81, 0 }, { IPPROTO_TCP, 80, 0 },
	    { IPPROTO_TCP, 79, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->tcp[81] = B_DROP;
	F->tcp[80] = B_LISTEN;
	F->tcp[79] = B_RESET;
	assert_int_equal(run(&o, jobs, 3, &G, err, sizeof(err)), 0);
	assert_int_equal(G.n, 3);
	assert_int_equal(G.r[0].port, 81);
	assert_int_equal(G.r[0].verdict, VERDICT_FILTERED);
	assert_int_equal(G.r[1].verdict, VERDICT_LISTENING);
	assert_string_equal(G.r[1].reason, "syn-ack");
	assert_int_equal(G.r[1].tries, 1);
	assert_int_equal(G.r[1].rtt_us, 1000);
	assert_int_equal(G.r[2].verdict, VERDICT_NOT_LISTENING);
	assert_string_equal(G.r[2].reason, "reset");
	assert_int_equal(F->connects[81], 3);
	/* learned 1 ms round trips: the floor of 100 ms per try */
	assert_true(G.at[0] - F->t0 < 1 * NSEC_PER_SEC);
}

/* UDP silence on a port without a probe: the generic datagram 3 times,
 * then LISTENING or FILTERED. */
static void
test_udp_silence(void **state)
{
	struct query_job jobs[] = { { IPPROTO_UDP, 40000, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING_OR_FILTERED);
	assert_string_equal(G.r[0].reason, "no response after 3 tries");
	assert_int_equal(G.r[0].tries, 3);
	assert_int_equal(F->sends[40000], 3);
	assert_memory_equal(F->kinds[40000], "ggg", 3);
}

/* -sl doubles the UDP waits: with nothing learned, 3 tries of 1 s, or of
 * 2 s. */
static void
test_udp_slow_link(void **state)
{
	struct query_job jobs[] = { { IPPROTO_UDP, 40000, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].tries, 3);
	assert_true(G.at[0] - F->t0 >= 3 * NSEC_PER_SEC);
	assert_true(G.at[0] - F->t0 < 3 * NSEC_PER_SEC + 100 * MS);
	F->t0 = F->now;
	memset(F->sends, 0, sizeof(F->sends));
	o.slow_link = 1;
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING_OR_FILTERED);
	assert_int_equal(G.r[0].tries, 3);
	assert_true(G.at[0] - F->t0 >= 6 * NSEC_PER_SEC);
	assert_true(G.at[0] - F->t0 < 6 * NSEC_PER_SEC + 100 * MS);
}

/* UDP silence on 53: the generic datagram, then the DNS probe for the
 * remaining tries (3 datagrams in all), in that order; still LISTENING or
 * FILTERED. */
static void
test_udp_silence_then_probe(void **state)
{
	struct query_job jobs[] = { { IPPROTO_UDP, 53, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING_OR_FILTERED);
	assert_int_equal(G.r[0].tries, 3);
	assert_string_equal(G.r[0].reason, "no response after 3 tries");
	assert_int_equal(F->sends[53], 3);
	assert_memory_equal(F->kinds[53], "gpp", 3);
	/* each after the previous one's timeout (200 ms at least) */
	assert_true(F->send_at[53][1] >= F->send_at[53][0] + 200 * MS);
	assert_true(F->send_at[53][2] >= F->send_at[53][1] + 200 * MS);
}

/* QUERY_JOB_NO_PROBE (PortQry's -r on 135): the generic datagram alone,
 * every try of it; no probe is sent. */
static void
test_udp_no_probe(void **state)
{
	struct query_job jobs[] = { { IPPROTO_UDP, 53, QUERY_JOB_NO_PROBE } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING_OR_FILTERED);
	assert_null(G.r[0].probe);
	assert_true(F->sends[53] >= 1);
	assert_null(memchr(F->kinds[53], 'p', F->sends[53]));
}

/* A UDP reply is LISTENING; an ICMP port unreachable NOT LISTENING. */
static void
test_udp_reply_and_icmp(void **state)
{
	struct query_job jobs[] = { { IPPROTO_UDP, 7, 0 }, { IPPROTO_UDP, 9, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->udp[7] = B_ECHO;
	F->udp[9] = B_UNREACH;
	assert_int_equal(run(&o, jobs, 2, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING);
	assert_string_equal(G.r[0].reason, "udp reply");
	assert_int_equal(G.r[1].verdict, VERDICT_NOT_LISTENING);
	assert_string_equal(G.r[1].reason, "icmp port-unreachable");
	assert_int_equal(G.r[1].tries, 1);
}

/* On a local target, a connection to itself is not LISTENING: it is
 * tried again without counting, and a port that only ever meets itself
 * is NOT LISTENING. */
static void
test_self_connect(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 5000, 0 }, { IPPROTO_TCP, 5001, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->local = 1;
	F->tcp[5000] = B_SELF;
	F->self_left[5000] = 2;		/* then a reset */
	F->tcp[5001] = B_SELF;
	F->self_left[5001] = 1000;	/* always itself */
	assert_int_equal(run(&o, jobs, 2, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_NOT_LISTENING);
	assert_string_equal(G.r[0].reason, "reset");
	assert_int_equal(G.r[0].tries, 1);
	assert_int_equal(F->connects[5000], 3);
	assert_int_equal(G.r[1].verdict, VERDICT_NOT_LISTENING);
	assert_string_equal(G.r[1].reason, "only connected to itself");
	assert_int_equal(F->connects[5001], MAX_COLLISIONS + 1);
}

/* The same on a remote target would be a real answer: LISTENING. */
static void
test_self_connect_remote_is_listening(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 5000, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->local = 0;
	F->tcp[5000] = B_SELF;
	F->self_left[5000] = 1;
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING);
}

/* 30 closed UDP ports on a target that sends ICMP from a bucket of 6,
 * one more a second: the first burst is answered, the rest stay silent;
 * the paced retries then go out no faster than the bucket refills, so
 * every one is answered and every port is NOT LISTENING. */
static void
test_pacing_bucket(void **state)
{
	struct query_job jobs[30];
	struct query_opts o;
	unsigned i, paced = 0, answered_paced = 0;

	(void)state;
	query_opts_init(&o);
	for (i = 0; i < 30; i++) {
		jobs[i] = (struct query_job){ IPPROTO_UDP, (uint16_t)(41000 + i), 0 };
		F->udp[41000 + i] = B_UNREACH;
	}
	assert_int_equal(run(&o, jobs, 30, &G, err, sizeof(err)), 0);
	assert_int_equal(G.n, 30);
	for (i = 0; i < 30; i++) {
		assert_int_equal(G.r[i].verdict, VERDICT_NOT_LISTENING);
		assert_true(G.r[i].tries <= 4);
		if (G.r[i].tries == 4) {
			paced++;
			answered_paced++;
		}
	}
	/* the limit was hit: not all were answered at first */
	assert_true(paced > 0);
	assert_int_equal(answered_paced, paced);
	assert_int_equal(F->icmp_sent, 30);
}

/* When the ICMP errors stop altogether (a firewall starts dropping after
 * the first burst), each silent port gets one paced retry, in batches of
 * at most 6, the first no sooner than a token could be back (1 s after the
 * last ICMP error), and then LISTENING or FILTERED: the run ends. */
static void
test_pacing_icmp_stops(void **state)
{
	struct query_job jobs[20];
	struct query_opts o;
	unsigned i, j, k, batch;
	uint64_t t[20];
	size_t nt = 0;

	(void)state;
	query_opts_init(&o);
	for (i = 0; i < 20; i++) {
		jobs[i] = (struct query_job){ IPPROTO_UDP, (uint16_t)(42000 + i), 0 };
		F->udp[42000 + i] = B_UNREACH;
	}
	F->icmp_stop_at = F->now + 10 * MS;
	assert_int_equal(run(&o, jobs, 20, &G, err, sizeof(err)), 0);
	assert_int_equal(G.n, 20);
	for (i = 0; i < 20; i++) {
		if (G.r[i].verdict == VERDICT_NOT_LISTENING) {
			assert_int_equal(G.r[i].tries, 1);
			continue;
		}
		assert_int_equal(G.r[i].verdict, VERDICT_LISTENING_OR_FILTERED);
		assert_int_equal(G.r[i].tries, 4);	/* 3, then one paced */
		assert_int_equal(F->sends[42000 + i], 4);
		t[nt++] = F->send_at[42000 + i][3];
	}
	assert_int_equal(F->icmp_sent, 6);
	assert_int_equal(nt, 14);
	for (j = 0; j < nt; j++) {
		/* the last ICMP error came 1 ms after the first sends */
		assert_true(t[j] >= F->t0 + MS + NSEC_PER_SEC);
		for (batch = 0, k = 0; k < nt; k++)
			batch += t[k] == t[j];
		assert_true(batch <= PACER_BURST);
	}
}

/* A server that sends one byte every 20 ms for ever (a banner with no end
 * of line) holds its probe no longer than the deadline. */
static void
test_probe_deadline(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 25, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->tcp[25] = B_DRIP;
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING);
	assert_string_equal(G.r[0].reason, "probe deadline reached");
	assert_true(G.at[0] - F->t0 >= (uint64_t)o.probe_deadline_ms * MS);
	assert_true(G.at[0] - F->t0 < (uint64_t)o.probe_deadline_ms * MS +
	    100 * MS);
}

/* A server that holds its greeting back for 3 s (postscreen, a tarpit)
 * is waited for: the banner is read, not given up on after the 1 s that a
 * reply to a request gets. */
static void
test_slow_greeting(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 25, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->tcp[25] = B_SLOWGREET;
	assert_int_equal(run(&o, jobs, 1, &G, err, sizeof(err)), 0);
	assert_int_equal(G.r[0].verdict, VERDICT_LISTENING);
	assert_string_equal(G.r[0].reason, "banner");
	assert_non_null(strstr(G.text[0], "220 slow.example ESMTP"));
	assert_true(G.at[0] - F->t0 >= 3000 * MS);
	assert_true(G.at[0] - F->t0 < (uint64_t)o.greet_timeout_ms * MS);
}

/* No socket can be opened at all: an error, no verdict. */
static void
test_no_sockets_is_an_error(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 80, 0 }, { IPPROTO_TCP, 81, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->open_limit = 0;
	assert_int_equal(run(&o, jobs, 2, &G, err, sizeof(err)), -1);
	assert_int_equal(G.n, 0);
	assert_string_equal(err, "socket: Too many open files, even with one "
	    "socket in flight");
}

/* Few sockets: the engine backs off to what it can open and every port
 * still gets its true verdict. */
static void
test_few_sockets_back_off(void **state)
{
	struct query_job jobs[200];
	struct query_opts o;
	unsigned i;

	(void)state;
	query_opts_init(&o);
	o.parallel = 64;
	F->open_limit = 5;
	for (i = 0; i < 200; i++) {
		jobs[i] = (struct query_job){ IPPROTO_TCP, (uint16_t)(1 + i), 0 };
		F->tcp[1 + i] = i % 10 == 0 ? B_LISTEN : B_RESET;
	}
	assert_int_equal(run(&o, jobs, 200, &G, err, sizeof(err)), 0);
	assert_int_equal(G.n, 200);
	for (i = 0; i < 200; i++) {
		assert_int_equal(G.r[i].verdict, i % 10 == 0 ?
		    VERDICT_LISTENING : VERDICT_NOT_LISTENING);
		assert_int_equal(G.r[i].tries, 1);
	}
}

/* ENOBUFS on sending a datagram: fewer in flight, and the true verdicts. */
static void
test_enobufs_back_off(void **state)
{
	struct query_job jobs[50];
	struct query_opts o;
	unsigned i;

	(void)state;
	query_opts_init(&o);
	F->local = 1;		/* ICMP not rate limited */
	F->icmp_unlimited = 1;
	F->udp_buf_limit = 3;
	for (i = 0; i < 50; i++) {
		jobs[i] = (struct query_job){ IPPROTO_UDP, (uint16_t)(43000 + i), 0 };
		F->udp[43000 + i] = i % 5 == 0 ? B_ECHO : B_UNREACH;
	}
	assert_int_equal(run(&o, jobs, 50, &G, err, sizeof(err)), 0);
	assert_true(F->enobufs > 0);
	for (i = 0; i < 50; i++) {
		assert_int_equal(G.r[i].verdict, i % 5 == 0 ?
		    VERDICT_LISTENING : VERDICT_NOT_LISTENING);
		assert_int_equal(G.r[i].tries, 1);
	}
}

/* No route (or a link-local address without its zone): connect() fails
 * at once; that is an error about this host, not a verdict. */
static void
test_unreachable_is_an_error(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 80, 0 }, { IPPROTO_UDP, 53, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->connect_errno = ENETUNREACH;
	assert_int_equal(run(&o, jobs, 2, &G, err, sizeof(err)), -1);
	assert_int_equal(G.n, 0);
	assert_string_equal(err, "connect: Network is unreachable");
}

/* epoll_ctl or setsockopt(IP_RECVERR) failing: errors naming the call,
 * no verdicts. */
static void
test_epoll_and_recverr_are_errors(void **state)
{
	struct query_job jobs[] = { { IPPROTO_TCP, 81, 0 }, { IPPROTO_UDP, 40000, 0 } };
	struct query_opts o;

	(void)state;
	query_opts_init(&o);
	F->watch_errno = ENOSPC;	/* epoll's max_user_watches */
	assert_int_equal(run(&o, jobs, 2, &G, err, sizeof(err)), -1);
	assert_int_equal(G.n, 0);
	assert_string_equal(err, "epoll_ctl: No space left on device");
	F->watch_errno = 0;
	F->recverr_errno = ENOPROTOOPT;
	assert_int_equal(run(&o, jobs, 2, &G, err, sizeof(err)), -1);
	assert_int_equal(G.n, 0);
	assert_string_equal(err, "setsockopt(IP_RECVERR): Protocol not available");
}

/* --- the parts alone -------------------------------------------------- */

static void
test_pacer(void **state)
{
	struct pacer p = { .gap_ns = NSEC_PER_SEC };
	uint64_t t = 5 * NSEC_PER_SEC;

	(void)state;
	pacer_icmp(&p, t);
	assert_int_equal(p.icmp_seen, 1);
	assert_int_equal(pacer_budget(&p, t), 0);
	assert_int_equal(pacer_budget(&p, t + NSEC_PER_SEC - 1), 0);
	assert_int_equal(pacer_next_ns(&p, t), t + NSEC_PER_SEC);
	assert_int_equal(pacer_budget(&p, t + NSEC_PER_SEC), 1);
	assert_int_equal(pacer_budget(&p, t + 3 * NSEC_PER_SEC), 3);
	assert_int_equal(pacer_budget(&p, t + 60 * NSEC_PER_SEC), PACER_BURST);
	assert_int_equal(pacer_next_ns(&p, t + 2 * NSEC_PER_SEC),
	    t + 2 * NSEC_PER_SEC);
	p.gap_ns = 0;
	assert_int_equal(pacer_budget(&p, t), PACER_BURST);
}

static void
test_rtt(void **state)
{
	struct query_opts o;
	struct rtt r = { 0 };

	(void)state;
	query_opts_init(&o);
	assert_int_equal(rtt_timeout_ns(&r, &o, 0), 1000 * MS);	/* initial */
	rtt_sample(&r, 10000);			/* 10 ms */
	assert_int_equal(r.srtt_us, 10000);
	assert_int_equal(r.rttvar_us, 5000);
	assert_int_equal(rtt_timeout_ns(&r, &o, 0), 100 * MS);	/* floor */
	assert_int_equal(rtt_timeout_ns(&r, &o, 1), 200 * MS);	/* UDP floor */
	o.slow_link = 1;
	assert_int_equal(rtt_timeout_ns(&r, &o, 1), 400 * MS);
	rtt_sample(&r, 2000000);		/* 2 s */
	assert_int_equal(r.srtt_us, (7 * 10000 + 2000000) / 8);
	assert_int_equal(r.rttvar_us, (3 * 5000 + 1990000) / 4);
	assert_int_equal(rtt_timeout_ns(&r, &o, 0), 2263 * MS);	/* learned */
	rtt_sample(&r, 9000000);		/* 9 s */
	assert_int_equal(rtt_timeout_ns(&r, &o, 0), 3000 * MS);	/* ceiling */
}

static void
test_timerq_and_ring(void **state)
{
	struct tq q = { 0 };
	struct ring r;
	struct tq_ent *t;
	uint32_t i;

	(void)state;
	for (i = 0; i < 3000; i++)
		tq_push(&q, i, i * 2, i);
	for (i = 0; i < 2500; i++) {
		t = tq_head(&q);
		assert_non_null(t);
		assert_int_equal(t->slot, i);
		assert_int_equal(t->gen, i * 2);
		tq_drop(&q);
	}
	for (i = 3000; i < 4000; i++)
		tq_push(&q, i, 0, i);
	for (i = 2500; i < 4000; i++) {
		assert_int_equal(tq_head(&q)->slot, i);
		tq_drop(&q);
	}
	assert_null(tq_head(&q));
	tq_release(&q);

	ring_init(&r, 3);
	ring_push(&r, 7);
	ring_push(&r, 8);
	assert_int_equal(ring_pop(&r), 7);
	ring_push(&r, 9);
	ring_push(&r, 10);	/* wraps */
	assert_int_equal(ring_pop(&r), 8);
	assert_int_equal(ring_pop(&r), 9);
	assert_int_equal(ring_pop(&r), 10);
	assert_int_equal(r.len, 0);
	ring_release(&r);
}

static void
test_collide(void **state)
{
	struct collide c;
	uint32_t peer = 99;

	(void)state;
	collide_init(&c);
	assert_int_equal(collide_check(&c, 0, 1, 80, 80, &peer), COLLIDE_SELF);
	assert_int_equal(collide_check(&c, 0, 1, 80, 33000, &peer), COLLIDE_NONE);
	collide_aim(&c, 0, 33000, 7);	/* slot 7 aims at 33000 */
	assert_int_equal(collide_check(&c, 0, 1, 80, 33000, &peer), COLLIDE_PEER);
	assert_int_equal(peer, 7);
	/* UDP has its own table, and a slot is no peer of itself */
	assert_int_equal(collide_check(&c, 1, 1, 80, 33000, &peer), COLLIDE_NONE);
	assert_int_equal(collide_check(&c, 0, 7, 80, 33000, &peer), COLLIDE_NONE);
	collide_unaim(&c, 0, 33000, 6);		/* not its aim: kept */
	assert_int_equal(collide_check(&c, 0, 1, 80, 33000, &peer), COLLIDE_PEER);
	collide_unaim(&c, 0, 33000, 7);
	assert_int_equal(collide_check(&c, 0, 1, 80, 33000, &peer), COLLIDE_NONE);
	collide_release(&c);
}

static void
test_qerr(void **state)
{
	struct qerr e = { QERR_ICMP4, 3, 13, EHOSTUNREACH };
	char reason[64];
	enum verdict v;

	(void)state;
	assert_int_equal(qerr_verdict(&e, &v, reason, sizeof(reason)), 0);
	assert_int_equal(v, VERDICT_FILTERED);
	assert_string_equal(reason, "icmp admin-prohibited");
	e = (struct qerr){ QERR_ICMP6, 1, 4, ECONNREFUSED };
	assert_int_equal(qerr_verdict(&e, &v, reason, sizeof(reason)), 0);
	assert_int_equal(v, VERDICT_NOT_LISTENING);
	assert_string_equal(reason, "icmp6 port-unreachable");
	/* a local error is no verdict */
	e = (struct qerr){ QERR_LOCAL, 0, 0, ENOBUFS };
	assert_int_equal(qerr_verdict(&e, &v, reason, sizeof(reason)), -1);
	assert_string_equal(reason, "local error: No buffer space available");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_tcp_timeout_filtered),
		T(test_tcp_verdicts_in_order),
		T(test_udp_silence),
		T(test_udp_slow_link),
		T(test_udp_silence_then_probe),
		T(test_udp_no_probe),
		T(test_udp_reply_and_icmp),
		T(test_self_connect),
		T(test_self_connect_remote_is_listening),
		T(test_pacing_bucket),
		T(test_pacing_icmp_stops),
		T(test_probe_deadline),
		T(test_slow_greeting),
		T(test_no_sockets_is_an_error),
		T(test_few_sockets_back_off),
		T(test_enobufs_back_off),
		T(test_unreachable_is_an_error),
		T(test_epoll_and_recverr_are_errors),
		cmocka_unit_test(test_pacer),
		cmocka_unit_test(test_rtt),
		cmocka_unit_test(test_timerq_and_ring),
		cmocka_unit_test(test_collide),
		cmocka_unit_test(test_qerr),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
