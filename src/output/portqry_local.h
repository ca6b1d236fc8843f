/*
 * PortQry 2.0's -local report (and the table -wport/-wpid print at each
 * change), rendered from a snapshot: the port table sorted by port with
 * TCP and UDP mixed, "Port Statistics" in PortQry's order, then "TCP/UDP
 * Port to Process Mappings" with one block per process, separated by a
 * line of '=', each with its ports, its statistics (no zero lines) and
 * its "Loaded modules:" as "path (0xBASE)".  The strings and their
 * sources: doc/portqry-compat.md §2.
 */
#ifndef OUTPUT_PORTQRY_LOCAL_H
#define OUTPUT_PORTQRY_LOCAL_H

#include "host/snapshot.h"
#include "util/buf.h"

#define PQL_MODULES	0x1	/* list each process's loaded modules */
#define PQL_DETAILS	0x2	/* -v: executable, command line, user … */

/* The whole -local report of s. */
void	portqry_local(struct buf *, const struct snapshot *s, unsigned flags);

/* The process blocks only ("TCP/UDP Port to Process Mappings" and what
 * follows), for -wport/-wpid's table at each change. */
void	portqry_local_processes(struct buf *, const struct snapshot *s,
	    unsigned flags);

/* -wport/-wpid's table of the sockets in s: one line per socket and
 * owning process ("-" for none), sorted by port, with a PID column. */
void	portqry_watch_table(struct buf *, const struct snapshot *s);
/* "Process ID: N (comm)", with PQL_DETAILS p's details, with PQL_MODULES
 * "Loaded modules:" from mods (a proc_info read with PROC_MODULES; NULL
 * or unreadable: PortQry's line for that). */
void	portqry_process_info(struct buf *, const struct proc_info *p,
	    const struct proc_info *mods, unsigned flags);

/* PortQry's line for a process whose modules could not be read. */
extern const char portqry_no_modules[];

#endif
