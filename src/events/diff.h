/*
 * Change between two snapshots of the same watch: which sockets are new,
 * which changed state (or remote end), which are gone, and which gained or
 * lost an owning process.  Pure logic over struct snapshot; `watch` prints
 * the events, `record` and `top` will read them too.
 *
 * A socket is the same socket in both snapshots when its inode is the same,
 * or, when one side has no inode (a socket its process closed, TIME_WAIT, a
 * connection not yet accepted), when protocol, family and both endpoints
 * are the same.
 */
#ifndef EVENTS_DIFF_H
#define EVENTS_DIFF_H

#include <stddef.h>
#include <stdint.h>

#include "host/snapshot.h"

enum diff_kind {
	DIFF_NEW,	/* in after only */
	DIFF_STATE,	/* in both; state or remote end differs */
	DIFF_OWNER,	/* in both; the set of owning pids differs */
	DIFF_GONE,	/* in before only */
};

struct diff_event {
	enum diff_kind		 kind;
	const struct sock_row	*before;	/* row in before; NULL for DIFF_NEW */
	const struct sock_row	*after;		/* row in after; NULL for DIFF_GONE */
};

struct diff {
	struct diff_event	*events;
	size_t			 nevents;
};

/*
 * Compare two snapshots and fill d with the changes from before to after:
 * first, in the order of after's rows, DIFF_NEW, DIFF_STATE and DIFF_OWNER
 * events (a socket whose state and owners both changed gives one of each,
 * state first), then DIFF_GONE events in the order of before's rows.  The
 * events point into both snapshots and are valid while both live.  Never
 * fails; d is released with diff_release().
 */
void	diff_snapshots(const struct snapshot *before, const struct snapshot *after,
	    struct diff *d);

#define DIFF_NO_MATCH	UINT32_MAX

/*
 * The matching under diff_snapshots, for views that keep state per socket
 * (top): fill match[i], for each row i of after, with the index of the
 * same socket in before, or DIFF_NO_MATCH when it is new.  match holds
 * after->nsocks entries.  O(rows).
 */
void	diff_match(const struct snapshot *before, const struct snapshot *after,
	    uint32_t *match);

/* What differs between row b of before and the same socket a in after:
 * DIFF_CHANGED_STATE (state or either end) and DIFF_CHANGED_OWNER (the set
 * of owning pids), or 0. */
#define DIFF_CHANGED_STATE	0x1
#define DIFF_CHANGED_OWNER	0x2
unsigned diff_compare(const struct snapshot *before, const struct sock_row *b,
	    const struct snapshot *after, const struct sock_row *a);
void	diff_release(struct diff *);

/* The lowercase name of a kind: "new", "state", "owner", "gone". */
const char *diff_kind_name(enum diff_kind);

/* Is pid among the owners of row r of snapshot s? */
int	diff_row_has_owner(const struct snapshot *s, const struct sock_row *r,
	    uint32_t pid);

#endif
