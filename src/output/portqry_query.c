/* PortQry's -n output (portqry_query.h). */
#include <netinet/in.h>

#include "output/portqry_query.h"
#include "query/probe_section.h"

void
pq_target(struct buf *b, const char *host)
{
	/* "Querying target system called:\n\n 10.193.36.210" — "Portqry
	 * Examples", learn.microsoft.com cc738095 */
	buf_printf(b, "\nQuerying target system called:\n\n %s\n\n", host);
}

void
pq_name(struct buf *b, const char *addr)
{
	/* issue 10 quotes both lines; the failure goes to standard output
	 * "as PortQry does" */
	buf_puts(b, "Attempting to resolve name to IP address...\n\n");
	if (addr != NULL)
		buf_printf(b, "\nName resolved to %s\n\n", addr);
	else
		buf_puts(b, "Failed to resolve name to IP address\n");
}

void
pq_address(struct buf *b, const char *name)
{
	/* "Attempting to resolve IP address to a name..." / "IP address
	 * resolved to MYSERVER" — cc738095 */
	buf_puts(b, "Attempting to resolve IP address to a name...\n\n");
	if (name != NULL)
		buf_printf(b, "\nIP address resolved to %s\n\n", name);
	else
		buf_puts(b, "\nFailed to resolve IP address to name\n\n");
}

void
pq_querying(struct buf *b)
{
	buf_puts(b, "querying...\n\n");
}

void
pq_port(struct buf *b, int proto, uint16_t port, const char *svc,
    enum verdict v, const struct probe *probe,
    const struct probe_report *report, const char *community,
    uint16_t src_port)
{
	const char *pname = proto == IPPROTO_UDP ? "UDP" : "TCP";
	int steps = probe != NULL && (proto == IPPROTO_UDP ||
	    report->text.len > 0) && v != VERDICT_NOT_LISTENING &&
	    v != VERDICT_FILTERED;

	/* "UDP port 135 (epmap service): LISTENING or FILTERED" first: the
	 * generic datagram got no answer, so the probe ran — cc738095 */
	buf_printf(b, "%s port %u (%s service): %s\n", pname, port,
	    svc ? svc : "unknown", verdict_name(steps && proto == IPPROTO_UDP ?
	    VERDICT_LISTENING_OR_FILTERED : v));
	if (!steps)
		return;
	if (probe->name[0] == 'r' && probe->port == 135)
		/* before the endpoint mapper's query (issue 10) */
		buf_puts(b, src_port ? "" : "Using ephemeral source port\n");
	probe_section(b, probe, proto, port, community, report);
	/* "==== End of RPC Endpoint Mapper query response ====" / blank /
	 * "UDP port 135 is LISTENING" — cc738095 */
	if (proto == IPPROTO_UDP)
		buf_printf(b, "\n%s port %u is %s\n", pname, port,
		    verdict_name(v));
	else
		buf_putc(b, '\n');	/* chosen: the next port apart */
}

/* "Cannot use specified source port." / "Port is already in use." /
 * "Specify a port that is not in use and run the command again." —
 * issue 10 */
const char pq_sp_in_use[] =
    "Cannot use specified source port.\n"
    "Port is already in use.\n"
    "Specify a port that is not in use and run the command again.\n";

int
pq_worst(int worst, enum verdict v)
{
	int code = verdict_exit_code(v);

	return code > worst ? code : worst;
}
