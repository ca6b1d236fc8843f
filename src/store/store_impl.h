/* What the store's files share: the open store and its queues.  Private
 * to src/store/. */
#ifndef STORE_STORE_IMPL_H
#define STORE_STORE_IMPL_H

#include <sqlite3.h>
#include <stdint.h>

#include "store/store.h"
#include "util/hmap.h"

/* One use of a socket: a row of intervals, kept in memory while it may
 * still change.  refs counts the sockets and aggregation slots that point
 * at it; it is freed when none do and it is written. */
struct ival {
	uint64_t	id;
	uint64_t	cookie;
	uint64_t	process_id;
	uint64_t	opened, closed;		/* ns; closed 0 while open */
	uint64_t	bytes_sent, bytes_received;
	uint64_t	count;
	uint64_t	minute;			/* aggregation minute, 0 if not an aggregate */
	uint64_t	agg_key;		/* its key in the aggregation map, 0 if none */
	uint32_t	pid, uid;
	uint32_t	open_socks;		/* sockets in it not yet closed */
	uint32_t	refs;
	const char	*kind;			/* static string */
	const char	*end;			/* static string or NULL */
	char		comm[EV_COMM_LEN];
	uint8_t		proto, family, state, at_start;
	uint16_t	lport, rport;
	uint8_t		laddr[16], raddr[16];
	uint8_t		written, dirty;
};

/* One socket by cookie: its own interval and those of its UDP flows. */
struct sockst {
	uint64_t	cookie;
	uint64_t	first_ts;		/* its first event: when it began */
	struct ival	*main;
	struct ival	**flows;
	size_t		 nflows, flows_cap;
	int		 folded;		/* its events are aggregated, not stored */
	int		 closed;		/* closed; kept a while for late events */
	uint64_t	 closed_gen;		/* flush_gen when it closed */
	size_t		 first_pending;		/* index + 1 of its first queued event, 0 if none */
	uint64_t	 pending_gen;		/* the flush_gen first_pending belongs to */
};

struct pend_event {
	struct port_event ev;
	uint64_t	process_id;
	uint64_t	ival_id;
	int		skip;			/* folded after being queued */
};

struct pend_proc {
	uint64_t	id;
	uint64_t	seen;
	struct proc_info p;			/* a deep copy */
};

struct seen_proc {
	uint64_t	id;
	uint64_t	ts;
};

enum stmt_id {
	ST_INS_EVENT, ST_INS_IVAL, ST_UPD_IVAL, ST_INS_PROC, ST_INS_PATH,
	ST_SEL_PATH, ST_INS_PMOD, ST_UPD_PROC_SEEN, ST_UPD_RUN, ST_BEGIN,
	ST_COMMIT, ST_ROLLBACK, ST__COUNT
};

struct store {
	sqlite3		*db;
	char		*path;
	int		 lockfd;
	sqlite3_stmt	*st[ST__COUNT];
	uint64_t	 run_id;
	uint64_t	 next_ival_id, next_proc_id;
	int		 aggregate;
	/* queues */
	struct { struct pend_event *v; size_t n, cap; } events;
	struct { struct pend_proc *v; size_t n, cap; } procs;
	struct { struct ival **v; size_t n, cap; } dirty;
	struct { struct seen_proc *v; size_t n, cap; } seen;
	struct { struct sockst **v; size_t n, cap; } graveyard;	/* closed sockets */
	struct hmap	 seen_idx;		/* process id → index + 1 in seen */
	struct hmap	 socks;			/* cookie → struct sockst */
	struct hmap	 agg;			/* aggregation key → struct ival (this minute) */
	uint64_t	 agg_minute;
	uint64_t	 last_ts;
	uint64_t	 last_commit;		/* now_ns of the last commit */
	uint64_t	 dropped_written;	/* stats.dropped as last written */
	uint64_t	 flush_gen;		/* commits so far: queue indexes of older ones are stale */
	struct store_stats stats;
	uint64_t	 lost;			/* EV_LOST counts */
};

/* intervals.c: keep the interval table current for ev; returns the
 * interval the event belongs to (0 if none) and sets *skip when the event
 * is counted in an aggregate rather than stored. */
uint64_t intervals_track(struct store *, const struct port_event *, uint64_t process_id,
	    int *skip);
/* The run ends at now_ns: every open interval ends ("stop"). */
void	intervals_stop(struct store *, uint64_t now_ns);
/* A commit wrote the dirty intervals: forget what no socket needs. */
void	intervals_committed(struct store *);
/* Free everything (the store closes or the run ended). */
void	intervals_release(struct store *);

/* sqlite3_exec of sql; -1 with the reason in err. */
int	store_exec(struct store *, const char *sql, char *err, size_t errlen);
/* Write "what: sqlite's message" into err; returns -1. */
int	store_fail(struct store *, const char *what, char *err, size_t errlen);
/* The run's single-value query of an integer (-1 on error). */
int64_t	store_int(struct store *, const char *sql);

#endif
