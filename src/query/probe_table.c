/*
 * The probe table: every protocol probe, found by protocol and port.
 * Add a probe by exporting `const struct probe probe_<name>` from its own
 * file and listing it here.
 */
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>

#include "query/probe.h"

extern const struct probe probe_netbios, probe_snmp, probe_ldap, probe_cldap,
    probe_rpc, probe_rpc_udp, probe_mssql, probe_ntp, probe_ike, probe_tftp,
    probe_l2tp, probe_smtp, probe_pop3, probe_imap, probe_ftp;
extern const struct probe probe_dns, probe_dns_tcp;

static const struct probe *const probes[] = {
	&probe_dns,
	&probe_dns_tcp,
	&probe_netbios,
	&probe_snmp,
	&probe_ldap,
	&probe_cldap,
	&probe_rpc,
	&probe_rpc_udp,
	&probe_mssql,
	&probe_ntp,
	&probe_ike,
	&probe_tftp,
	&probe_l2tp,
	&probe_smtp,
	&probe_pop3,
	&probe_imap,
	&probe_ftp,
	NULL
};

const struct probe *
probe_find(int proto, uint16_t port)
{
	size_t i;

	for (i = 0; probes[i] != NULL; i++)
		if (probes[i]->proto == proto && probes[i]->port == port)
			return probes[i];
	return NULL;
}

const struct probe *
probe_named(const char *name)
{
	size_t i;

	for (i = 0; probes[i] != NULL; i++)
		if (strcmp(probes[i]->name, name) == 0)
			return probes[i];
	return NULL;
}

void
probe_report_init(struct probe_report *r)
{
	buf_init(&r->text);
	buf_init(&r->json);
	r->reason[0] = '\0';
}

void
probe_report_release(struct probe_report *r)
{
	buf_release(&r->text);
	buf_release(&r->json);
}
