/*
 * What a watch learns from the event engine that its snapshots do not
 * show: sockets that opened and closed between two checks, and sockets of
 * a watched process's children.  Their changes come out as the changes a
 * snapshot diff gives (events/diff.h: NEW, STATE, GONE), over rows of a
 * small snapshot of their own, so that a watch prints them the same way.
 *
 *	track_add(t, ev);			// for each event, as it comes
 *	diff_snapshots(&prev, &cur, &sd);
 *	track_flush(t, &prev, &cur, &sd, &xs, &d);	// at each check
 *	... print d's events over xs ...
 *	diff_release(&d); snapshot_release(&xs);
 */
#ifndef EVENTS_TRACK_H
#define EVENTS_TRACK_H

#include "events/diff.h"
#include "events/events.h"
#include "host/snapshot.h"

struct ev_track;

struct ev_track	*track_new(void);
void		 track_free(struct ev_track *);

/* Keep event e until the next flush (EV_EXISTING and EV_LOST are not kept). */
void		 track_add(struct ev_track *, const struct port_event *e);
/* Events kept since the last flush. */
size_t		 track_pending(const struct ev_track *);

/*
 * Apply the kept events, given the snapshot diff sd from prev to cur.
 * Events of a socket that prev or cur holds (same cookie) are left to sd,
 * except for a socket new in cur that no process holds there (the
 * TIME_WAIT of a short connection): its NEW in sd is replaced by a NEW as
 * the events saw it (with its owner) and a STATE to what cur shows.  The
 * other events change the tracker's own sockets, and what changed since
 * the last flush is put in d: NEW for a socket not shown before (then GONE
 * in the same flush when it has already closed), STATE when its state or
 * remote end changed, GONE when it closed.  Rows are in xs, a snapshot
 * made here with each row's owner as the events named it, except the after
 * row of a replacing STATE, which is cur's (is_xs_row() tells).  Release
 * d and xs with diff_release() and snapshot_release().
 */
void		 track_flush(struct ev_track *, const struct snapshot *prev,
		    const struct snapshot *cur, struct diff *sd, struct snapshot *xs,
		    struct diff *d);

/* Is r one of the rows of xs? */
static inline int
is_xs_row(const struct snapshot *xs, const struct sock_row *r)
{
	return r >= xs->socks && r < xs->socks + xs->nsocks;
}

#endif
