/*
 * Socket rows as JSON Lines fields and CSV records: one spelling of a
 * socket for every command that lists sockets (local, watch, …).
 */
#ifndef OUTPUT_SOCKROW_H
#define OUTPUT_SOCKROW_H

#include "host/snapshot.h"
#include "util/buf.h"

/* Append the JSON members of row r (no braces): proto, family, local_addr,
 * local_port, remote_addr, remote_port, state, recv_q, send_q, inode, uid,
 * owners [{pid, fd, comm, exe, …}] and owner_missing when it has none.
 * With full set, owners also carry user, cmdline, start_time, unit and
 * container. */
void	sockrow_json(struct buf *, const struct snapshot *, const struct sock_row *,
	    int full);
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
