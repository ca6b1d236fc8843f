/*
 * The section PortQry prints for a protocol probe, around the lines the
 * probe found: what was sent ("Sending SQL Server query to UDP port
 * 1434..."), the response header ("Server's response:"), the probe's
 * lines, and the end marker ("==== End of SQL Server query response
 * ====").  Presentation only: the probes write their findings
 * (probe_report.text), this wraps them as PortQry does.  The strings and
 * their sources are in doc/portqry-compat.md §1.
 */
#ifndef QUERY_PROBE_SECTION_H
#define QUERY_PROBE_SECTION_H

#include <stdint.h>

#include "query/probe.h"

/* Append the section for p's report rep, from a query of proto/port
 * (IPPROTO_TCP or IPPROTO_UDP) with SNMP community (NULL: "public"),
 * to out.  A report without lines still gets its "sending" line. */
void	probe_section(struct buf *out, const struct probe *p, int proto,
	    uint16_t port, const char *community,
	    const struct probe_report *rep);

#endif
