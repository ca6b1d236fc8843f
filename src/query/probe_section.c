/* PortQry's probe sections: one row per probe, found by name. */
#include <netinet/in.h>
#include <string.h>

#include "query/probe_section.h"

struct section {
	const char	*probe;		/* probe->name */
	const char	*what;		/* "SQL Server" in "Sending … query to";
					 * NULL: the row's own first line */
	const char	*first;		/* when what is NULL: printf format with
					 * the port (%u), or NULL for none */
	const char	*head;		/* after the first line, or NULL */
	const char	*end;		/* after the probe's lines, or NULL */
};

static const struct section sections[] = {
	/* "Querying Endpoint Mapper Database..." / "Server's response:" /
	 * blank / entries / "Total endpoints found: 69" / three blank lines
	 * / "==== End of RPC Endpoint Mapper query response ====" —
	 * "Portqry Examples", example 2, learn.microsoft.com cc738095 */
	{ "rpc", NULL, "Querying Endpoint Mapper Database...\n",
	  "Server's response:\n\n",
	  "\n\n\n==== End of RPC Endpoint Mapper query response ====\n" },
	/* "Sending SQL Server query to UDP port 1434..." / "Server's
	 * response:" / "==== End of SQL Server query response ====" —
	 * issue 10 */
	{ "mssql", "SQL Server", NULL, "Server's response:\n\n",
	  "\n==== End of SQL Server query response ====\n" },
	/* "LDAP query response:" / "======== End of LDAP query response
	 * ========" — issue 10; the sending line: chosen, as SQL's */
	{ "ldap", "LDAP", NULL, "LDAP query response:\n\n",
	  "\n======== End of LDAP query response ========\n" },
	{ "cldap", "LDAP", NULL, "LDAP query response:\n\n",
	  "\n======== End of LDAP query response ========\n" },
	/* "Attempting NETBIOS adapter status query to UDP port 137..." —
	 * issue 10; the probe's first line is "Server's response: MAC
	 * address 00155d01c61e" */
	{ "netbios", NULL,
	  "Attempting NETBIOS adapter status query to UDP port %u...\n",
	  NULL, NULL },
	/* snmp: "community name for query:" / the name / "Sending SNMP query
	 * to UDP port 161..." — issue 10; written by probe_section() */
	{ "snmp", "SNMP", NULL, "Server's response:\n\n",
	  "\n==== End of SNMP query response ====\n" },
	/* No PortQry transcript known: chosen, in SQL's shape. */
	{ "dns", "DNS", NULL, "Server's response:\n\n",
	  "\n==== End of DNS query response ====\n" },
	{ "ntp", "NTP", NULL, "Server's response:\n\n",
	  "\n==== End of NTP query response ====\n" },
	{ "ike", "IKE", NULL, "Server's response:\n\n",
	  "\n==== End of IKE query response ====\n" },
	{ "tftp", "TFTP", NULL, "Server's response:\n\n",
	  "\n==== End of TFTP query response ====\n" },
	{ "l2tp", "L2TP", NULL, "Server's response:\n\n",
	  "\n==== End of L2TP query response ====\n" },
	/* smtp, pop3, imap, ftp: the probe's "Data returned from port:"
	 * block is the whole section. */
};

static const struct section *
section_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sections) / sizeof(sections[0]); i++)
		if (strcmp(sections[i].probe, name) == 0)
			return &sections[i];
	return NULL;
}

void
probe_section(struct buf *out, const struct probe *p, int proto,
    uint16_t port, const char *community, const struct probe_report *rep)
{
	const struct section *s = section_find(p->name);
	const char *pname = proto == IPPROTO_UDP ? "UDP" : "TCP";

	if (s == NULL) {
		buf_add(out, rep->text.data, rep->text.len);
		return;
	}
	if (strcmp(s->probe, "snmp") == 0)
		buf_printf(out, "community name for query:\n%s\n\n",
		    community ? community : "public");
	if (s->what != NULL)
		buf_printf(out, "Sending %s query to %s port %u...\n", s->what,
		    pname, port);
	else if (s->first != NULL)
		buf_printf(out, s->first, port);
	if (rep->text.len == 0)
		return;
	if (s->head != NULL)
		buf_puts(out, s->head);
	buf_add(out, rep->text.data, rep->text.len);
	if (s->end != NULL)
		buf_puts(out, s->end);
}
