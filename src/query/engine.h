/*
 * The query engine: many TCP connects and UDP probes in flight on one
 * epoll set, retries and timeouts learned from measured round trips,
 * ICMP-aware pacing, and results handed back in the order the ports were
 * asked for.  No printing here: the caller gets one struct query_result
 * per port through a callback.
 */
#ifndef QUERY_ENGINE_H
#define QUERY_ENGINE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "query/probe.h"
#include "query/verdict.h"

struct query_job {
	int		 proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint16_t	 port;
	unsigned	 flags;		/* QUERY_JOB_* */
};

/* No protocol probe for this job: the generic datagram or the connect
 * alone decides (PortQry's -r does not query the endpoint mapper). */
#define QUERY_JOB_NO_PROBE	0x1

/* How far a run has come, for a progress display. */
struct query_progress {
	size_t		 done, total;	/* jobs decided, jobs in all */
	size_t		 count[4];	/* decided, by enum verdict */
	uint64_t	 elapsed_ns;	/* since the run began */
};

struct query_opts {
	unsigned	 parallel;	/* sockets in flight at most */
	unsigned	 max_rate;	/* attempts per second, 0: no limit */
	unsigned	 tcp_tries;	/* connects before FILTERED (PortQry: 3) */
	unsigned	 udp_tries;	/* datagrams before LISTENING or FILTERED */
	int		 slow_link;	/* -sl: UDP waits doubled */
	uint16_t	 src_port;	/* -sp, 0: any */
	const char	*community;	/* -cn, for SNMP */
	const char	*host;		/* as typed, for probes */
	unsigned	 init_timeout_ms;	/* before any round trip is measured */
	unsigned	 min_timeout_ms;	/* floor of the learned timeout */
	unsigned	 max_timeout_ms;
	unsigned	 read_timeout_ms;	/* TCP probe: wait for a reply */
	unsigned	 greet_timeout_ms;	/* TCP probe: wait for a banner */
	unsigned	 icmp_gap_ms;	/* paced UDP retries: one per gap */
	unsigned	 probe_deadline_ms;	/* a whole probe conversation */
	/* Optional: called with progress_arg when the run starts, then about
	 * every progress_ms (default 250) while it goes on. */
	void		(*progress)(const struct query_progress *, void *);
	void		*progress_arg;
	unsigned	 progress_ms;
};

/* A probe conversation (from the TCP connection, or from the first UDP
 * reply) ends this long after it began at the latest, with what it has. */
#define QUERY_PROBE_DEADLINE_MS	5000
/* A server that speaks first (SMTP, POP3, IMAP, FTP) may hold its
 * greeting back for seconds on purpose (Postfix's postscreen, sendmail's
 * greet_pause, a tarpit): its banner is waited for this long, inside the
 * conversation's deadline; a reply to a request is waited for
 * read_timeout_ms. */
#define QUERY_GREET_TIMEOUT_MS	4500

/* Defaults: PortQry's 3 TCP tries, 3 UDP datagrams, 1024 in flight, a
 * 1 s first timeout learned down to no less than 100 ms. */
void	query_opts_init(struct query_opts *);

struct query_result {
	int		 proto;
	uint16_t	 port;
	enum verdict	 verdict;
	char		 reason[64];
	unsigned	 tries;		/* attempts sent (connects or datagrams) */
	int64_t		 rtt_us;	/* of the deciding answer, -1: none */
	const struct probe *probe;	/* whose report follows, or NULL */
	struct probe_report report;	/* filled when probe != NULL */
};

/* Called once per job, in job order.  The result is valid only during the
 * call. */
typedef void	(*query_emit_fn)(const struct query_result *, void *);

/*
 * Query every job at addr.  Results are emitted in the order of jobs, each
 * as soon as it and all before it are decided.  Returns 0 when every job
 * was emitted.  Returns -1 with a reason in err (size errlen) when a local
 * failure stopped the run (no epoll, source port busy, no route to addr,
 * sockets or buffers short even with one socket in flight): the jobs
 * after the last emitted one have no verdict, since a local failure says
 * nothing about the target.  Short of sockets or buffers (EMFILE, ENFILE,
 * ENOBUFS), the engine first backs off to fewer sockets in flight.
 * When -sp's source port is held by another socket, errno is EADDRINUSE
 * on return.
 */
int	query_run(const struct sockaddr *addr, socklen_t addrlen,
	    const struct query_opts *, const struct query_job *jobs,
	    size_t njobs, query_emit_fn emit, void *arg,
	    char *err, size_t errlen);

/* The generic UDP datagram: sent first to every UDP port; any reply means
 * LISTENING ("udp reply"). */
extern const struct probe probe_generic;

#endif
