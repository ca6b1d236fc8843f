/*
 * The TCP state machine of one port.  CONNECT: a SYN went out; a
 * SYN-ACK is LISTENING (then the port's probe, if any, in state READ), a
 * reset NOT LISTENING, an ICMP error its verdict, and silence a retry
 * until o->tcp_tries attempts were made: then FILTERED.  READ: the probe
 * talks until its parser is done, the peer closes, it falls silent, or
 * the conversation's deadline passes.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "query/engine_int.h"

/* Out of tries, or again: the connect to s's job got no answer. */
static void
tcp_silent(struct engine *e, struct slot *s)
{
	struct job_state *j = &e->jobs[s->job];
	char reason[64];

	if (j->res.tries < e->o->tcp_tries) {
		ring_push(&e->retry, s->job);
		return;
	}
	snprintf(reason, sizeof(reason), "no response after %u tries",
	    j->res.tries);
	job_finish(e, s->job, VERDICT_FILTERED, reason);
}

void
tcp_connected(struct engine *e, struct slot *s)
{
	struct job_state *j = &e->jobs[s->job];
	const struct probe *p;
	int rc;

	/* close with a reset: no TIME_WAIT left behind on either side */
	e->net->reset_on_close(e->net->arg, s->fd);
	if (own_collision(e, s, 0)) {
		own_collision_retry(e, s->job);
		slot_close(e, s);
		return;
	}
	answered(e, s);
	if ((p = job_probe(j, IPPROTO_TCP)) == NULL) {
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
	if (e->net->watch(e->net->arg, s->fd, (uint32_t)(s - e->slots),
	    EPOLLIN, s->watched) == -1) {
		engine_fail(e, "epoll_ctl: %s", strerror(errno));
		slot_close(e, s);
		return;
	}
	s->watched = 1;
	s->state = SLOT_READ;
	/* nothing sent (rc 1): the server speaks first */
	slot_arm(e, s, rc == 1 ? TQ_GREET : TQ_READ);
	slot_arm_deadline(e, s);
}

void
tcp_refused(struct engine *e, struct slot *s, int er)
{
	char reason[64];
	struct qerr qe;

	/* A reset queues nothing.  On a local target refusals are resets
	 * (an ICMP one would take a reject rule on lo), so a scan of 65535
	 * loopback ports saves the look; elsewhere look, and name the ICMP. */
	if ((er != ECONNREFUSED || !e->local) &&
	    e->net->err_read(e->net->arg, s->fd, &qe) == 0) {
		slot_queued_error(e, s, &qe, "connect");
		return;
	}
	if (er == ECONNREFUSED) {
		answered(e, s);
		job_finish(e, s->job, VERDICT_NOT_LISTENING, "reset");
	} else if (er == ETIMEDOUT) {
		tcp_silent(e, s);
	} else {
		/* an error the network gave later (host unreachable without
		 * an ICMP queued, …): about the path to the target */
		snprintf(reason, sizeof(reason), "connect: %s", strerror(er));
		job_finish(e, s->job, VERDICT_FILTERED, reason);
	}
	slot_close(e, s);
}

void
tcp_read(struct engine *e, struct slot *s)
{
	enum probe_status st;
	ssize_t n;
	int eof = 0;

	for (;;) {
		n = e->net->recv(e->net->arg, s->fd, e->rxbuf, sizeof(e->rxbuf),
		    NULL);
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

void
tcp_timeout(struct engine *e, struct slot *s)
{
	if (s->state == SLOT_CONNECT) {
		tcp_silent(e, s);
		slot_close(e, s);
		return;
	}
	/* READ: the probe's reply stopped, or never came */
	if (s->rx.len > 0 && s->probe->parse(&s->ctx,
	    (const uint8_t *)s->rx.data, s->rx.len, &s->rep) == PROBE_DONE) {
		slot_finish_report(e, s, "syn-ack");
		slot_close(e, s);
		return;
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
	slot_close(e, s);
}
