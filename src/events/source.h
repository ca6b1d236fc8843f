/*
 * Inside the event engine: what a backend (ev_bpf.c, ev_poll.c) provides
 * to the front (events.c), and what the front lends the backends.  Not
 * for consumers: they see events/events.h only.
 */
#ifndef EVENTS_SOURCE_H
#define EVENTS_SOURCE_H

#include "events/events.h"
#include "host/snapshot.h"
#include "util/u64map.h"

struct ev_source;

struct ev_backend_ops {
	const char	*name;
	/* Start delivering; queue the EV_EXISTING events.  Returns 0, or -1
	 * with the reason in err (nothing left to release). */
	int		(*open)(struct ev_source *, char *err, size_t errlen);
	int		(*fd)(const struct ev_source *);
	int		(*timeout_ms)(const struct ev_source *);
	/* Hand every waiting event to ev_deliver().  Returns 0, or -1 with
	 * the reason in err. */
	int		(*read)(struct ev_source *, char *err, size_t errlen);
	void		(*close)(struct ev_source *);
};

extern const struct ev_backend_ops ev_bpf_ops;
extern const struct ev_backend_ops ev_poll_ops;

struct ev_queue {
	struct port_event	*v;
	size_t			 n, cap;
};

struct ev_source {
	const struct ev_backend_ops *ops;
	struct ev_filter	 filter;	/* comm is our own copy */
	struct ev_options	 opts;
	uint32_t		 netns;		/* our network namespace inode */
	char			 fallback[256];	/* why AUTO did not get bpf; "" if it did */
	struct ev_stats		 stats;
	struct ev_queue		 existing;	/* EV_EXISTING, delivered first */
	size_t			 existing_next;
	struct u64map		 family;	/* filter.pid and its descendants (poll) */
	struct u64map		 cgroups;	/* filter.cgroup_id and below */
	uint64_t		 cgroups_scanned_ns;
	ev_handler		 handler;	/* set during ev_read */
	void			*arg;
	void			*priv;		/* the backend's */
};

/* Filter e in user space (comm, cgroup; pid for the poll backend), count
 * it and hand it to the consumer's handler. */
void	ev_deliver(struct ev_source *, const struct port_event *);

/* Queue one EV_EXISTING event for every row of s that the filter takes,
 * with the row's first owner (EVF_OWNER_SNAP) or none (EVF_NO_OWNER). */
void	ev_queue_existing(struct ev_source *, const struct snapshot *s);

/* Fill the socket fields of e (proto, family, state, endpoints, cookie)
 * and the owner fields from owner k of row r of s, or mark it ownerless. */
void	ev_from_row(struct port_event *e, const struct snapshot *s,
	    const struct sock_row *r);

/* The snapshot filter that selects what the event filter f would. */
void	ev_snap_filter(const struct ev_filter *f, struct snap_filter *sf);

/* Is pid the filter's pid or one of its descendants (as of the last
 * refresh)?  Always 1 without a pid filter. */
int	ev_pid_wanted(struct ev_source *, uint32_t pid);
/* Re-read the process tree for the pid filter; calls add(pid, arg) for
 * the filter's pid and every descendant. */
void	ev_family_scan(struct ev_source *, void (*add)(uint32_t, void *), void *arg);

#endif
