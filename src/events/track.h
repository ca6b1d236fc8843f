/*
 * What a watch learns from the event engine that its snapshots do not
 * show: sockets that opened and closed between two checks, and sockets of
 * a watched process's children.  Their changes come out as the changes a
 * snapshot diff gives (events/diff.h: NEW, STATE, GONE), over rows of a
 * small snapshot of their own, so that a watch prints them the same way.
 *
 *	track_add(t, ev);			// for each event, as it comes
 *	track_flush(t, &prev, &cur, &xs, &d);	// at each check
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
 * Apply the kept events.  Those of a socket that prev or cur holds (same
 * cookie) are left to the snapshot diff; the others change the tracker's
 * own sockets, and what changed since the last flush is put in d: NEW for
 * a socket not shown before (then GONE in the same flush when it has
 * already closed), STATE when its state or remote end changed, GONE when
 * it closed.  Rows are in xs, a snapshot made here with each row's owner
 * as the events named it; release both with diff_release() and
 * snapshot_release().
 */
void		 track_flush(struct ev_track *, const struct snapshot *prev,
		    const struct snapshot *cur, struct snapshot *xs, struct diff *d);

#endif
