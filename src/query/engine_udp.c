/*
 * The UDP state machine of one port.  The generic datagram goes first;
 * any datagram back is LISTENING, an ICMP error its verdict.  Silence
 * gives the port's protocol probe its turn (each step with o->udp_tries
 * datagrams), or, without a probe, the generic datagram again until
 * o->udp_tries were sent.  When all stay silent and the target did send
 * ICMP errors, the port is asked once more, paced by the target's ICMP
 * budget (pacing.h); then LISTENING or FILTERED.
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>

#include "query/engine_int.h"

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

void
udp_event(struct engine *e, struct slot *s, uint32_t events)
{
	struct sockaddr_storage from;
	enum probe_status st;
	struct qerr qe;
	ssize_t n;

	if ((events & EPOLLERR) &&
	    e->net->err_read(e->net->arg, s->fd, &qe) == 0) {
		slot_queued_error(e, s, &qe, "send");
		return;
	}
	n = e->net->recv(e->net->arg, s->fd, e->rxbuf, sizeof(e->rxbuf),
	    s->unconnected ? &from : NULL);
	if (n >= 0 && s->unconnected && !same_host(&from, &e->addr))
		return;		/* not from the target: ignore */
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
	if (st == PROBE_MORE) {
		slot_arm_deadline(e, s);
		return;
	}
	answered(e, s);
	if (st == PROBE_NEXT) {
		s->ctx.step++;
		if (probe_send(e, s) == 0) {
			slot_arm(e, s, TQ_UDP);
			slot_arm_deadline(e, s);
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

/* Send the current step's request once more on the same socket.  Returns
 * 0 when sent, -1 otherwise.  (The answer's round trip is then ambiguous:
 * not sampled.) */
static int
probe_resend(struct engine *e, struct slot *s)
{
	unsigned sends = s->step_sends;

	e->jobs[s->job].res.tries++;
	if (probe_send(e, s) != 0) {
		e->jobs[s->job].res.tries--;
		return -1;
	}
	s->step_sends = sends;
	return 0;
}

void
udp_timeout(struct engine *e, struct slot *s)
{
	struct job_state *j = &e->jobs[s->job];
	char reason[64];

	if (s->probe != &probe_generic) {
		/* the port's own probe: each step has its tries */
		if (s->step_sends < e->o->udp_tries - 1) {
			s->step_sends++;
			if (probe_resend(e, s) == 0) {
				slot_arm(e, s, TQ_UDP);
				return;
			}
			if (errno != EMSGSIZE) {
				local_failure(e, s, "send", errno, 0);
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
	} else if (!j->paced && job_probe(j, IPPROTO_UDP)) {
		j->probe_phase = 1;
		ring_push(&e->retry, s->job);
		slot_close(e, s);
		return;
	} else if (j->res.tries < e->o->udp_tries && !j->paced) {
		ring_push(&e->retry, s->job);
		slot_close(e, s);
		return;
	}
	if (!j->paced && e->pacer.icmp_seen > 0 && !e->local)
		/* maybe the target's ICMP budget ran out */
		ring_push(&e->deferred, s->job);
	else {
		snprintf(reason, sizeof(reason), "no response after %u tries",
		    j->res.tries);
		job_finish(e, s->job, VERDICT_LISTENING_OR_FILTERED, reason);
	}
	slot_close(e, s);
}
