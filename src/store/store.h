/*
 * The record database: one SQLite file (WAL) that `record` writes and
 * `report` and people (`sqlite3 record.db`) read.  The schema is a public
 * interface, documented in portscope(1) under RECORD DATABASE; its version
 * is PRAGMA user_version (and meta.schema_version), and store_open()
 * migrates an older file forward.
 *
 * Writing: one writer per file (an exclusive lock held while the store is
 * open).  Events and process details are queued in memory and written by
 * store_flush() in one transaction with prepared statements; the caller
 * flushes at least every flush interval.  A flush that fails (disk full,
 * read-only file) keeps everything queued and is tried again by the next
 * one; past STORE_MAX_PENDING queued events, new ones are dropped and
 * counted.
 *
 * What is written for events (see the man page for the columns):
 *  - events: one row per event, except events of a socket folded into an
 *    aggregate (below);
 *  - intervals: one row per socket use (opened, closed, bytes, count): a
 *    listener, a bound port, a connection (made or accepted), a UDP flow
 *    to one destination;
 *  - aggregation: a connection or UDP flow identical to one already begun
 *    in the same minute (same process, protocol, remote address and port;
 *    for accepted connections same local port and remote address) is
 *    folded into that minute's interval (count + 1, bytes added, closed
 *    moved on) and its own events are counted, not stored.
 */
#ifndef STORE_STORE_H
#define STORE_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "events/events.h"
#include "host/proc.h"

#define STORE_SCHEMA_VERSION	1
#define STORE_MAX_PENDING	500000
#define STORE_HEARTBEAT_NS	(60ULL * 1000000000ULL)	/* idle: last_commit at least this often */

struct store;

struct store_run_info {
	const char	*backend;	/* event backend: "bpf", "poll" */
	const char	*fallback;	/* why not bpf, or NULL */
	const char	*version;	/* portscope's version */
	int		 aggregate;	/* fold repeated flows per minute (see above) */
};

struct store_stats {
	uint64_t	events;		/* event rows committed this run */
	uint64_t	aggregated;	/* events folded into an aggregate, not stored as rows */
	uint64_t	dropped;	/* events dropped: the queue was full */
	uint64_t	pending;	/* events queued for the next commit */
	uint64_t	commits;
	uint64_t	commit_failures;
	uint64_t	intervals;	/* interval rows begun this run */
	uint64_t	processes;	/* process rows added this run */
	uint64_t	open_sockets;	/* sockets seen open now */
};

struct store_pruned {
	uint64_t	events;
	uint64_t	intervals;
	uint64_t	processes;
	uint64_t	runs;
	uint64_t	before_ns;	/* what was older than this went */
	uint64_t	bytes_before, bytes_after;
};

/*
 * Open (creating if needed) the database at path for writing: takes the
 * writer's lock, sets WAL, creates or migrates the schema.  Returns the
 * store, or NULL with the reason in err ("in use by another recorder
 * (pid N)", "schema version 7 is newer than this portscope's (1)", …).
 */
struct store	*store_open(const char *path, char *err, size_t errlen);

/*
 * Begin a run (one recorder's lifetime) at now_ns.  Runs and intervals
 * left open by a recorder that died are closed at its last commit first.
 * Returns 0, or -1 with the reason in err.
 */
int	store_run_begin(struct store *, uint64_t now_ns, const struct store_run_info *,
	    char *err, size_t errlen);

/*
 * Queue the details of a process (pid, start time, exe, cmdline, user,
 * unit, container, modules) first seen at seen_ns.  Returns its id in
 * processes, to pass with its events.  p is copied.
 */
uint64_t store_process(struct store *, const struct proc_info *p, uint64_t seen_ns);

/* Queue one event credited to process process_id (0: none known).  The
 * store keeps its interval table current from the events it is given. */
void	store_event(struct store *, const struct port_event *, uint64_t process_id);

/*
 * Write everything queued in one transaction, the run's counters and
 * last_commit = now_ns with it; with nothing queued, only every
 * STORE_HEARTBEAT_NS (an idle recorder does not write every second).
 * Returns 0, or -1 with the reason in err: then nothing was written and
 * all stays queued for the next flush.
 */
int	store_flush(struct store *, uint64_t now_ns, char *err, size_t errlen);

/* Delete events, closed intervals, processes last seen and runs ended
 * before before_ns.  Returns 0 (counts in *out), or -1 with the reason. */
int	store_prune_age(struct store *, uint64_t before_ns, struct store_pruned *,
	    char *err, size_t errlen);

/* While the file is larger than max_bytes, delete the oldest data (a tenth
 * of the events at a time, with what is older than them) and give the
 * space back.  Returns 0 (counts in *out; out->events == 0 when nothing
 * had to go), or -1 with the reason. */
int	store_prune_size(struct store *, uint64_t max_bytes, struct store_pruned *,
	    char *err, size_t errlen);

/* The database's size in bytes (pages in use and free, and the WAL). */
uint64_t store_size(struct store *);

void	store_get_stats(const struct store *, struct store_stats *);

/*
 * End the run at now_ns: intervals still open are closed at now_ns (end
 * 'stop'), then everything is flushed.  Returns 0, or -1 with the reason.
 */
int	store_run_end(struct store *, uint64_t now_ns, char *err, size_t errlen);

/* Close the database and drop the lock; what is still queued is lost
 * (call store_run_end first). */
void	store_close(struct store *);

/* The SQL text of the current schema (for the man page test). */
extern const char store_schema_sql[];

#endif
