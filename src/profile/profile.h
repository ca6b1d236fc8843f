/*
 * An application's port profile: the event engine's port events of the
 * profiled processes, each joined (by thread and time) with the stack
 * snapshot the kernel took at the entry of the system call that caused
 * it, unwound into module!function, and gathered into one row per port
 * and direction.  The renderers (text, JSON, HTML) and the --expect check
 * read the finished profile.
 *
 *	profile_init(&p, clock_mono_ns());
 *	loop: ev_read -> profile_event(); stacksrc_read -> profile_snapshot();
 *	      profile_join(&p);		// after both, in that order
 *	profile_finish(&p);
 *	... p.ports ...
 *	profile_release(&p);
 */
#ifndef PROFILE_PROFILE_H
#define PROFILE_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "events/events.h"
#include "unwind/unwind.h"
#include "util/hmap.h"

struct pfk_maps;
struct pfk_snap;

enum prof_dir {
	PD_LISTEN = 0,		/* TCP listen */
	PD_BIND,		/* an explicit bind that never listened (UDP servers) */
	PD_CONNECT,		/* TCP connect to */
	PD_UDP_TO,		/* UDP datagrams to (sendto, or connect then send) */
	PD_ACCEPTED,		/* TCP connections accepted on a port, from peers */
	PD_NDIRS
};

/* "listen", "bind", "connect", "send", "accept": the words --expect uses. */
const char	*prof_dir_word(enum prof_dir);
/* "listen", "bind", "connect to", "UDP to", "accepted from". */
const char	*prof_dir_label(enum prof_dir);

#define PROF_LIST_MAX	32	/* peers, processes, functions listed per row */
#define PROF_STACKS_MAX	8	/* distinct full stacks kept per row */

struct prof_addr {
	uint8_t		family;
	uint8_t		addr[16];
};

struct prof_proc {
	uint32_t	pid;
	char		comm[EV_COMM_LEN];
};

/* A function that used the port: module!func, or module+addr without a
 * symbol; NULL module when there is no stack (why says). */
struct prof_func {
	const char	*module;	/* path (unwinder's string) */
	const char	*func;
	uint64_t	 addr;		/* ELF address in module (no symbol) */
	const char	*near;		/* no symbol: the nearest one before, or NULL */
	uint64_t	 near_off;
	const char	*file;
	int		 line;
	const char	*why;		/* unattributed: the reason */
	uint64_t	 count;
};

struct prof_stack {
	uint64_t		 count;
	struct unwind_frame	*frames;	/* owned; strings are the unwinder's */
	size_t			 nframes;
	size_t			 attributed;	/* index of the attributed frame */
};

struct prof_port {
	uint8_t		 proto;		/* IPPROTO_TCP / IPPROTO_UDP */
	enum prof_dir	 dir;
	uint16_t	 port;
	uint64_t	 count;
	uint64_t	 failed;	/* connects that returned an error */
	uint64_t	 first_ns, last_ns;	/* since the start */
	struct { struct prof_addr *v; size_t n, cap; } peers;	/* remote ends */
	size_t		 npeers_more;	/* not listed (over PROF_LIST_MAX) */
	struct { struct prof_addr *v; size_t n, cap; } locals;	/* listen/bind addresses */
	struct { struct prof_proc *v; size_t n, cap; } procs;
	size_t		 nprocs_more;
	struct { struct prof_func *v; size_t n, cap; } funcs;	/* most frequent first after finish */
	struct { struct prof_stack *v; size_t n, cap; } stacks;
	int		 existing;	/* seen open at the start (attach mode) */
};

struct prof_counts {
	uint64_t	events;		/* port events of the profiled processes */
	uint64_t	uses;		/* ... that made a row count */
	uint64_t	attributed;	/* uses with a function */
	uint64_t	unattributed;
	uint64_t	snapshots;	/* stack snapshots received */
	uint64_t	events_lost;
};

struct profile {
	uint64_t		 start_ns;	/* CLOCK_MONOTONIC at the start */
	struct { struct prof_port *v; size_t n, cap; } ports;
	struct prof_counts	 counts;
	/* inside */
	struct hmap		 rows;		/* key -> index+1 into ports */
	struct hmap		 queues;	/* tid -> struct snap_queue */
	struct { struct snap_queue **v; size_t n, cap; } qlist;
	struct { struct port_event *v; size_t n, cap; } waiting;	/* until joined */
	struct { struct tcp_bind *v; size_t n, cap; } tcp_binds;	/* until listen or the end */
	struct hmap		 listened;	/* cookies of listening sockets */
	struct unwinder		*uw;
	struct unwind_frames	 scratch;
	unsigned		 gen;
	uint64_t		 pruned_ns;
};

void	profile_init(struct profile *, uint64_t start_ns);
void	profile_release(struct profile *);

/* A process's executable mappings from the stack source (used when its
 * /proc/PID/maps is gone by the time it is read). */
void	profile_maps(struct profile *, const struct pfk_maps *);
/* A snapshot from the stack source (copied). */
void	profile_snapshot(struct profile *, const struct pfk_snap *);
/* A port event of the profiled processes (kept until profile_join). */
void	profile_event(struct profile *, const struct port_event *);
/* Join the events received so far with their snapshots.  Call after
 * reading the snapshot source, which must be read after the events. */
void	profile_join(struct profile *);
/* Join what is left and order rows (by direction, then port) and each
 * row's functions (most frequent first). */
void	profile_finish(struct profile *);

/* The unwinder's counters. */
void	profile_unwind_stats(const struct profile *, struct unwind_stats *);

/* Where the profiled processes reached. */
enum prof_scope {
	PS_NONE = 0,		/* no remote end at all */
	PS_LOOPBACK,
	PS_LOCAL,		/* private, link-local or unique-local addresses */
	PS_BEYOND,
};
enum prof_scope	 prof_addr_scope(const struct prof_addr *);
enum prof_scope	 profile_scope(const struct profile *);
const char	*prof_scope_name(enum prof_scope);
/* Is a is the wildcard address (0.0.0.0 or ::)? */
int		 prof_addr_any(const struct prof_addr *);

/* ---- the documentation, --expect FILE ---- */

struct prof_expect_line {
	uint8_t		proto;
	enum prof_dir	dir;
	uint16_t	port;
	int		lineno;
	int		used;		/* set by profile_expect_check */
};

struct prof_expect {
	struct prof_expect_line	*v;
	size_t			 n, cap;
};

/* Read an --expect file: lines "tcp/443 connect", "udp/53 send",
 * "tcp/8080 listen" (also bind, accept); '#' comments and blank lines.
 * Returns 0, or -1 with the reason in err ("'F' line 3: ..."). */
int	prof_expect_read(const char *path, struct prof_expect *, char *err, size_t errlen);
/* Does row r match expectation line l? */
int	prof_expect_match(const struct prof_expect_line *, const struct prof_port *);
/* Mark the lines that rows use. */
void	prof_expect_check(struct prof_expect *, const struct profile *);
/* Is row r documented by some line? */
int	prof_expect_documented(const struct prof_expect *, const struct prof_port *);

#endif
