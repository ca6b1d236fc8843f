/*
 * Events of the event engine (struct port_event) as JSON Lines and as text
 * lines: one spelling for every command that streams them (`events`,
 * `record --jsonl`, and the views to come).
 */
#ifndef OUTPUT_PORTEVENT_H
#define OUTPUT_PORTEVENT_H

#include <stddef.h>
#include <stdint.h>

#include "events/events.h"
#include "host/proc.h"
#include "util/buf.h"

/*
 * Append one JSON object (braces, no newline) for e:
 *   ts ("2026-11-29T16:30:02.123456Z"), ts_ns, event (ev_type_name),
 *   then for socket events the fields of `local --json` that apply:
 *   proto, family, local_addr, local_port, remote_addr, remote_port,
 *   state (old_state for "state" and "close"), cookie, netns;
 *   pid, tid, comm, uid, cgroup_id (pid 0 and "owner_missing": the
 *   snapshot's reason, or "unknown", when no process is known); implicit, passive and owner_from_snapshot
 *   when those flags are set;
 *   "connect": errno and error (its text) when connect() failed or is
 *   in progress;
 *   "close": lifetime_ns (lifetime_from_first_sight when the socket is
 *   older than the source), and bytes_sent, bytes_received for TCP;
 *   "udp_flow" and "lost": count.
 * p, when not NULL, is the process's details: user, exe, cmdline,
 * start_time, unit and container are added.
 */
void	portevent_json(struct buf *, const struct port_event *e, const struct proc_info *p);

/*
 * Append one text line for e, in the columns of watch's change lines:
 * "23:01:02.345  CONNECT TCP  127.0.0.1:40000  127.0.0.1:80  SYN_SENT
 *  pid 1234 curl", then what the event adds (a close's lifetime and byte
 * counts, a connect's error, "port chosen by the kernel").  STATE and
 * CLOSE show "OLD -> NEW".  EV_LOST reads "… LOST    12 events lost (the
 * ring buffer was full)".  Untrusted text (comm) is sanitised.
 */
void	portevent_text(struct buf *, const struct port_event *e);

/* ns since the epoch as UTC "YYYY-MM-DDTHH:MM:SS.uuuuuuZ". */
void	portevent_ts(char *out, size_t len, uint64_t ts_ns);

#endif
