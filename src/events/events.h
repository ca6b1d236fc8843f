/*
 * The event engine: every port use as it happens, behind one interface.
 *
 * A source delivers typed port events (struct port_event) from one of two
 * backends: "bpf" (kernel programs: cgroup socket hooks, tp_btf
 * inet_sock_set_state, accept's sys_exit; nothing is missed, loss is
 * counted) or "poll" (snapshot + diff every interval; what lives between
 * two polls is not seen).  `events`, `watch`, `record`, `top` and
 * `profile` consume this header only; they never see a BPF map or a
 * snapshot diff.
 *
 *	struct ev_source *src = ev_open(&filter, &opts, err, sizeof err);
 *	poll on ev_fd(src); when readable (or on its timeout):
 *	ev_read(src, handler, arg);	// calls handler once per event
 *	ev_close(src);
 *
 * Sockets that exist when the source opens are delivered first, as
 * EV_EXISTING events with their owners from the snapshot engine, so a
 * consumer knows every socket it will later see close.
 */
#ifndef EVENTS_EVENTS_H
#define EVENTS_EVENTS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum ev_type {
	EV_EXISTING = 1,	/* open when the source started (from the snapshot) */
	EV_BIND,		/* a local port was bound: explicit, or implicit (EVF_IMPLICIT) */
	EV_LISTEN,		/* a TCP socket began to listen */
	EV_CONNECT,		/* TCP connect (SYN sent) or UDP connect() */
	EV_ACCEPT,		/* a passive TCP connection, credited to the acceptor */
	EV_STATE,		/* a TCP state change (old_state -> state) */
	EV_CLOSE,		/* the socket is gone: lifetime, TCP byte counts */
	EV_UDP_FLOW,		/* first datagram from a socket to a new destination */
	EV_LOST,		/* count events were lost before this point */
};

/* flags */
#define EVF_IMPLICIT	0x01	/* EV_BIND: the kernel chose the port (connect/sendto/listen) */
#define EVF_OWNER_SNAP	0x02	/* owner from the start-up snapshot, not from the event */
#define EVF_PASSIVE	0x04	/* the socket came from accept() on a listener */
#define EVF_NO_OWNER	0x08	/* no process is known for this socket (pid 0) */
#define EVF_NO_START	0x10	/* EV_CLOSE: created before the source started;
				   lifetime_ns counts from first sight */

#define EV_COMM_LEN	16

struct port_event {
	enum ev_type	type;
	uint32_t	flags;		/* EVF_* */
	uint64_t	ts_ns;		/* wall clock (CLOCK_REALTIME), ns since the epoch */
	uint64_t	mono_ns;	/* CLOCK_MONOTONIC of the same instant */
	uint32_t	pid;		/* process (tgid) credited with the event; 0 if none */
	uint32_t	tid;
	uint32_t	uid;
	uint32_t	netns;		/* network namespace inode */
	uint64_t	cgroup_id;	/* cgroup v2 id of the process */
	uint64_t	cookie;		/* the kernel's socket cookie: one socket, one cookie */
	char		comm[EV_COMM_LEN];
	uint8_t		proto;		/* IPPROTO_TCP or IPPROTO_UDP */
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		state;		/* TCP state after the event (kernel TCP_*) */
	uint8_t		old_state;	/* EV_STATE: the state before */
	uint16_t	lport;		/* host order */
	uint16_t	rport;
	uint8_t		laddr[16];	/* network order; 4 bytes used for IPv4 */
	uint8_t		raddr[16];
	uint64_t	lifetime_ns;	/* EV_CLOSE: from creation (or first sight) to close */
	uint64_t	bytes_sent;	/* EV_CLOSE, TCP: bytes acked by the peer */
	uint64_t	bytes_received;	/* EV_CLOSE, TCP: bytes received */
	uint64_t	count;		/* EV_UDP_FLOW: datagrams so far; EV_LOST: events lost */
	uint8_t		owner_missing;	/* EVF_NO_OWNER from a snapshot: why (enum
					   owner_missing, host/sock.h); 0 otherwise */
	int32_t		error;		/* EV_CONNECT: the errno connect() returned
					   (EINPROGRESS for a non-blocking one), or 0 */
};

/* What to deliver; a zeroed filter (after ev_filter_init) takes everything. */
struct ev_filter {
	int		port;		/* local or remote port; 0 for any (filtered in the kernel) */
	pid_t		pid;		/* this process and its descendants; 0 for any */
	const char	*comm;		/* process name; NULL for any */
	uint64_t	cgroup_id;	/* this cgroup and below (a unit); 0 for any */
	unsigned	protos;		/* SD_TCP | SD_UDP (host/sockdiag.h); 0 for both */
	unsigned	families;	/* SD_V4 | SD_V6; 0 for both */
	int		all_netns;	/* every network namespace, not only ours */
	unsigned	types;		/* EV_BIT(type) of each type wanted; 0 for all.
					   EV_LOST always comes.  With BPF, the kernel
					   programs skip the work for the others */
};

#define EV_BIT(type)	(1u << (type))

enum ev_backend {
	EV_BACKEND_AUTO = 0,	/* bpf when it loads, else poll (and say why) */
	EV_BACKEND_BPF,
	EV_BACKEND_POLL,
};

struct ev_options {
	enum ev_backend	backend;
	uint64_t	poll_interval_ns;	/* poll backend: time between snapshots */
	int		no_existing;		/* do not deliver EV_EXISTING at start */
};

struct ev_stats {
	uint64_t	delivered;
	uint64_t	lost;		/* counted in the kernel (ring buffer full) */
};

struct ev_source;

typedef void (*ev_handler)(const struct port_event *, void *arg);

void		 ev_filter_init(struct ev_filter *);

/*
 * Open a source.  Returns it, or NULL with the reason in err.  With
 * EV_BACKEND_AUTO a BPF failure is not an error: the poll backend is used
 * and ev_fallback_reason() says why (one line for the user).
 */
struct ev_source *ev_open(const struct ev_filter *, const struct ev_options *,
		    char *err, size_t errlen);

/* An fd to poll for POLLIN; ev_timeout_ms() is how long a poll may wait
 * before ev_read() must be called anyway (-1: no limit). */
int		 ev_fd(const struct ev_source *);
int		 ev_timeout_ms(const struct ev_source *);

/* Deliver every waiting event to handler, in order.  Returns the number
 * delivered, or -1 with the reason in err. */
int		 ev_read(struct ev_source *, ev_handler, void *arg,
		    char *err, size_t errlen);

const char	*ev_backend_name(const struct ev_source *);	/* "bpf" or "poll" */
const char	*ev_fallback_reason(const struct ev_source *);	/* NULL if none */
void		 ev_get_stats(const struct ev_source *, struct ev_stats *);
void		 ev_close(struct ev_source *);

/* "existing", "bind", "listen", "connect", "accept", "state", "close",
 * "udp_flow", "lost". */
const char	*ev_type_name(enum ev_type);

#endif
