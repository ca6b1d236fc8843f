/*
 * The query engine's insides, shared by its parts: engine.c (the run
 * loop, launching, timers, results), engine_tcp.c and engine_udp.c (the
 * per-port state machines).  Not for use outside src/query and the unit
 * tests.
 *
 * Every attempt (one TCP connect, or one UDP datagram conversation) owns a
 * slot with a non-blocking socket.  A retry is a new attempt on a new
 * socket (a new source port), so every answer is matched to the attempt
 * that caused it and every round trip measured is exact (Karn).
 */
#ifndef QUERY_ENGINE_INT_H
#define QUERY_ENGINE_INT_H

#include <stdint.h>
#include <sys/socket.h>

#include "query/collide.h"
#include "query/errqueue.h"
#include "query/engine.h"
#include "query/netio.h"
#include "query/pacing.h"
#include "query/rtt.h"
#include "query/timerq.h"

enum slot_state { SLOT_FREE, SLOT_CONNECT, SLOT_READ, SLOT_UDP };
/* Timer classes; each class's timeout is uniform (see timerq.h).
 * TQ_GREET waits for a server that speaks first (a banner), TQ_READ for
 * the reply to a request, TQ_MORE for the rest of a reply begun.
 * TQ_DEADLINE bounds a whole probe conversation. */
enum tclass { TQ_CONNECT, TQ_UDP, TQ_GREET, TQ_READ, TQ_MORE, TQ_DEADLINE, TQ_N };

#define RX_MAX		(64 * 1024)
#define MAX_COLLISIONS	16	/* own-socket collisions before a try counts */
#define LAUNCH_BURST	256	/* attempts started per turn of the loop */
#define LOCAL_FAIL_MAX	10	/* local failures in a row with nothing in
				 * flight before the run gives up */

struct slot {
	int		 fd;
	enum slot_state	 state;
	uint32_t	 gen;		/* bumped at every arm: stale timers */
	uint32_t	 dl_gen;	/* the same for the deadline timer */
	size_t		 job;
	int		 crossed;	/* another of our sockets answered it */
	int		 paced;		/* a paced UDP retry */
	int		 unconnected;	/* UDP, PROBE_F_ANY_SRCPORT: sendto() */
	int		 dl_armed;	/* the conversation's deadline runs */
	int		 watched;	/* fd is in the readiness set */
	unsigned	 step_sends;	/* datagrams sent for ctx.step */
	uint64_t	 sent_ns;
	const struct probe *probe;	/* current conversation, or NULL */
	struct probe_ctx ctx;
	struct probe_report rep;
	struct buf	 rx;		/* TCP bytes received so far */
};

struct job_state {
	struct query_result res;
	unsigned char	 done;
	unsigned char	 paced;		/* UDP: had its paced retry */
	unsigned char	 probe_phase;	/* UDP: the generic datagram was silent */
	unsigned char	 collisions;
	unsigned char	 no_probe;	/* QUERY_JOB_NO_PROBE */
};

/* The probe for job j's port over proto, or NULL (none, or not wanted). */
static inline const struct probe *
job_probe(const struct job_state *j, int proto)
{
	return j->no_probe ? NULL : probe_find(proto, j->res.port);
}

struct engine {
	const struct query_opts *o;
	struct netio	*net;
	struct sockaddr_storage addr;
	socklen_t	 addrlen;
	int		 family;
	int		 local;		/* target is an address of this host */
	struct slot	*slots;
	unsigned	 nslots;
	unsigned	 limit;		/* in flight at most now (backs off) */
	unsigned	*freelist;
	unsigned	 nfree;
	struct job_state *jobs;
	size_t		 njobs, next_job, emitted;
	struct query_progress prog;	/* decided so far */
	uint64_t	 start_ns, next_progress_ns;
	struct ring	 retry;		/* jobs waiting for their next try */
	struct ring	 deferred;	/* UDP jobs waiting for a paced retry */
	struct tq	 tq[TQ_N];
	struct rtt	 rtt;
	struct pacer	 pacer;
	struct collide	 collide;	/* local targets only */
	uint64_t	 next_send_ns;	/* --max-rate */
	uint64_t	 hold_until_ns;	/* backing off after a local failure */
	unsigned	 local_fails;	/* in a row, with nothing in flight */
	int		 ports_exhausted;	/* EAGAIN from connect: wait */
	int		 failed;	/* a local failure ends the run */
	char		 errmsg[256];
	uint64_t	 rng;
	query_emit_fn	 emit;
	void		*arg;
	uint8_t		 rxbuf[RX_MAX];
};

/* engine.c */
uint64_t engine_now(const struct engine *);
void	job_finish(struct engine *, size_t job, enum verdict, const char *reason);
void	slot_close(struct engine *, struct slot *);
void	slot_arm(struct engine *, struct slot *, enum tclass);
void	slot_arm_deadline(struct engine *, struct slot *);
void	slot_finish_report(struct engine *, struct slot *, const char *reason);
void	answered(struct engine *, struct slot *);
void	probe_begin(struct engine *, struct slot *, const struct probe *);
int	probe_send(struct engine *, struct slot *);
enum probe_status probe_silence(struct engine *, struct slot *);
int	own_collision(struct engine *, struct slot *, int udp);
void	own_collision_retry(struct engine *, size_t job);
void	icmp_arrived(struct engine *);
/* An error was queued on the slot's socket: an ICMP error is the target's
 * answer and decides the job; a local one is a local failure of what
 * ("connect", "send").  The slot is closed either way. */
void	slot_queued_error(struct engine *, struct slot *, const struct qerr *,
	    const char *what);
/* A local resource ran short (errnum EMFILE, ENFILE, ENOBUFS, ENOMEM) on
 * what ("socket", "send"): the job goes back to be tried again with fewer
 * sockets in flight; when that cannot help, the run fails.  Any other
 * errnum fails the run at once.  The slot is closed; uncount: the attempt
 * sent nothing, so its try does not count. */
void	local_failure(struct engine *, struct slot *, const char *what, int errnum,
	    int uncount);
void	engine_fail(struct engine *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* engine_tcp.c */
void	tcp_connected(struct engine *, struct slot *);
void	tcp_refused(struct engine *, struct slot *, int er);
void	tcp_read(struct engine *, struct slot *);
void	tcp_timeout(struct engine *, struct slot *);

/* engine_udp.c */
void	udp_event(struct engine *, struct slot *, uint32_t events);
void	udp_timeout(struct engine *, struct slot *);

/* The deadline of a probe conversation passed: end it with what it has. */
void	slot_deadline(struct engine *, struct slot *);

/*
 * query_run() on a given system (the real one, or a test's fake): the
 * same contract.
 */
int	query_run_net(struct netio *, const struct sockaddr *addr,
	    socklen_t addrlen, const struct query_opts *,
	    const struct query_job *jobs, size_t njobs, query_emit_fn emit,
	    void *arg, char *err, size_t errlen);

#endif
