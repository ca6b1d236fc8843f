/*
 * Socket rows as JSON Lines fields and CSV records: one spelling of a
 * socket for every command that lists sockets (local, watch, …).
 */
#ifndef OUTPUT_SOCKROW_H
#define OUTPUT_SOCKROW_H

#include "host/snapshot.h"
#include "util/buf.h"

/* The JSON of each owning process of one snapshot, written once and
 * reused for every socket it holds (a listing of 100k sockets of a few
 * processes).  Owned by the caller; valid while the snapshot lives. */
struct sockrow_cache {
	const struct snapshot	*s;
	char			**frag;		/* per process of s->scan.procs */
	int			 full;
};

void	sockrow_cache_init(struct sockrow_cache *, const struct snapshot *, int full);
void	sockrow_cache_release(struct sockrow_cache *);

/* Append the JSON members of row r (no braces): proto, family, local_addr,
 * local_port, remote_addr, remote_port, state, recv_q, send_q, inode, uid,
 * owners [{pid, fd, comm, exe, …}] and owner_missing when it has none.
 * With full set, owners also carry user, cmdline, start_time, unit and
 * container.  cache (may be NULL) must have been made for s with the same
 * full. */
void	sockrow_json(struct buf *, const struct snapshot *, const struct sock_row *,
	    int full, struct sockrow_cache *cache);
/* CSV: a header row, then one record per socket.  Process names are one
 * field, ';' between names (a ';' within a name is written \x3b), control
 * bytes and non-ASCII as \xNN; the field is quoted as RFC 4180 says. */
void	sockrow_csv_header(struct buf *);
void	sockrow_csv(struct buf *, const struct snapshot *, const struct sock_row *);
/* Append the JSON members describing process p (pid, comm, exe, and with
 * full, user, cmdline, start_time, unit, container). */
void	proc_json(struct buf *, const struct proc_info *, int full);

/* Append the details of p, one "Label: value" line each after indent:
 * executable, command line, user, start time, unit and container (the last
 * three when known).  Untrusted text is sanitised. */
void	proc_text_details(struct buf *, const struct proc_info *, const char *indent);
/* Append "Module Information:" after indent and a line per module of p
 * (base address and path) after indent and two spaces; nothing when p has
 * no modules. */
void	proc_text_modules(struct buf *, const struct proc_info *, const char *indent);

#endif
