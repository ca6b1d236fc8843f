/*
 * Process details by pid for a stream of events: each process (pid and
 * start time, and executable: an exec is a new one) is read from /proc
 * once, with its modules, and then served from memory.  An entry is
 * checked again (start time, executable) when the event's comm differs
 * (at most every 100 ms) and every PROC_CACHE_RECHECK_NS, so a reused pid never lends its details to
 * another process; entries unused for PROC_CACHE_IDLE_NS are dropped.
 */
#ifndef HOST_PROC_CACHE_H
#define HOST_PROC_CACHE_H

#include <stdint.h>
#include <sys/types.h>

#include "host/proc.h"
#include "util/hmap.h"

#define PROC_CACHE_RECHECK_NS	(5ULL * 1000000000ULL)
#define PROC_CACHE_IDLE_NS	(600ULL * 1000000000ULL)

struct proc_entry {
	struct proc_info info;		/* details; modules only until the caller
					   has stored them (proc_entry_drop_modules) */
	uint64_t	tag;		/* the caller's (record: its row id) */
	uint64_t	checked_ns;	/* monotonic time of the last check */
	uint64_t	used_ns;	/* monotonic time of the last use */
};

struct proc_cache {
	struct hmap	by_pid;
	uint64_t	reads;		/* /proc reads with modules (new processes) */
	uint64_t	checks;		/* re-checks of cached ones */
	uint64_t	last_sweep_ns;
};

/*
 * The details of pid for an event now (monotonic now_ns) whose comm is
 * comm (NULL: not known).  Returns the entry; *fresh is set when it was
 * just read (a process not seen before, or whose pid was reused or which
 * exec'd): its tag is then 0 for the caller to set.  A process that has
 * exited before it could be read gets an entry with info.exited set, and
 * comm and uid from the event.  Never NULL.
 */
struct proc_entry *proc_cache_get(struct proc_cache *, pid_t pid, const char *comm,
	    uint32_t uid, uint64_t now_ns, int *fresh);

/* Free the module list of an entry (stored elsewhere; not needed again). */
void	proc_entry_drop_modules(struct proc_entry *);

/* Drop entries unused for PROC_CACHE_IDLE_NS (at most once a minute). */
void	proc_cache_sweep(struct proc_cache *, uint64_t now_ns);
void	proc_cache_release(struct proc_cache *);

#endif
