/*
 * What `portscope -n` prints in PortQry 2.0's form: the preamble, each
 * port's verdict with its probe section, and the fixed messages.  The
 * strings and their sources: doc/portqry-compat.md §1; each is quoted
 * next to its code.  Presentation only: cmd_query decides, this writes.
 */
#ifndef OUTPUT_PORTQRY_QUERY_H
#define OUTPUT_PORTQRY_QUERY_H

#include <stdint.h>

#include "query/probe.h"
#include "query/verdict.h"
#include "util/buf.h"

/* "Querying target system called:" and the target. */
void	pq_target(struct buf *, const char *host);
/* A name: "Attempting to resolve name to IP address..." then, when addr
 * is not NULL, "Name resolved to ADDR"; NULL: PortQry's failure line
 * ("Failed to resolve name to IP address"). */
void	pq_name(struct buf *, const char *addr);
/* An address: "Attempting to resolve IP address to a name..." then
 * "IP address resolved to NAME", or the failure line when name is NULL. */
void	pq_address(struct buf *, const char *name);
/* "querying..." before the verdicts. */
void	pq_querying(struct buf *);

/* One port's lines.  A UDP port whose protocol probe ran (probe != NULL:
 * report holds what it found; or a probe exists for the port but got no
 * answer: probe given, report empty) reads as PortQry's steps: the generic
 * verdict "LISTENING or FILTERED", the probe's section, a blank line and
 * "UDP port N is VERDICT".  A TCP port: the verdict, then the section
 * when the probe found something.  svc is the service name or NULL
 * ("unknown"); src_port the -sp port or 0 ("Using ephemeral source port"
 * before the endpoint mapper's section). */
void	pq_port(struct buf *, int proto, uint16_t port, const char *svc,
	    enum verdict, const struct probe *probe,
	    const struct probe_report *report, const char *community,
	    uint16_t src_port);

/* PortQry's three lines when -sp names a port in use. */
extern const char pq_sp_in_use[];

/* The exit status for several verdicts: the worst so far (0 LISTENING <
 * 1 NOT LISTENING < 2 FILTERED or LISTENING or FILTERED).  Start with
 * worst = -1. */
int	pq_worst(int worst, enum verdict);

#endif
