/*
 * Change events (events/diff.h) as text lines and JSON Lines members: one
 * spelling of a change for every command that reports changes (watch now;
 * record and top later).
 */
#ifndef OUTPUT_EVENT_H
#define OUTPUT_EVENT_H

#include "events/diff.h"
#include "host/proc.h"
#include "host/snapshot.h"
#include "util/buf.h"

/*
 * Append one text line for event e, whose before row is in sb and after
 * row in sa: "16:30:02.123  STATE  TCP  local  remote  state  owners".
 * when is the time column; with initial the label is NOW (a socket present
 * at the first check).  NEW, STATE and NOW list the current owners (pid,
 * name, executable) or why there is none; OWNER lists +pid for owners that
 * came and -pid for owners that left; GONE gives the last state and who
 * held the socket.
 */
void	event_text(struct buf *, const char *when, const struct diff_event *e,
	    const struct snapshot *sb, const struct snapshot *sa, int initial);

/*
 * Append the JSON members (no braces) of event e: ts, event ("new",
 * "state", "owner", "gone"), then the socket's fields as sockrow_json()
 * writes them (the after row; the before row for "gone"), full as there.
 * A state event adds old_state, old_remote_addr and old_remote_port; an
 * owner event owners_added and owners_gone (pids); initial adds
 * "initial":true.
 */
void	event_json(struct buf *, const char *ts, const struct diff_event *e,
	    const struct snapshot *sb, const struct snapshot *sa, int initial, int full);

/* An indented text block about process p (details as read into p, modules
 * from mods): "    Process ID: …", executable, command line, user, unit,
 * container, "Module Information". */
void	event_process_text(struct buf *, const struct proc_info *p,
	    const struct proc_info *mods);
/* The same as one JSON object: the members of proc_json() (full) and
 * "modules":[{"base":"0x…","path":…}]. */
void	event_process_json(struct buf *, const struct proc_info *p,
	    const struct proc_info *mods);

#endif
