/* The named port sets of `portscope query --set`. */
#include <netinet/in.h>
#include <string.h>

#include "output/text.h"
#include "query/portsets.h"

#define T(p)	{ IPPROTO_TCP, (p) }
#define U(p)	{ IPPROTO_UDP, (p) }
#define N(a)	(sizeof(a) / sizeof((a)[0]))

static const struct portset_port dns[] = { U(53), T(53) };
/* What a domain controller answers for logons, replication and trusts. */
static const struct portset_port domain[] = {
	U(53), T(53), U(88), T(88), U(123), T(135), U(137), U(138), T(139),
	U(389), T(389), T(445), U(464), T(464), T(636), T(3268), T(3269),
};
static const struct portset_port ldap[] = {
	T(389), U(389), T(636), T(3268), T(3269),
};
static const struct portset_port rpc[] = { T(135), U(135), T(593) };
static const struct portset_port sql[] = { T(1433), U(1434) };
static const struct portset_port mail[] = {
	T(25), T(110), T(143), T(465), T(587), T(993), T(995),
};
static const struct portset_port web[] = { T(80), T(443), T(8080), T(8443) };
static const struct portset_port ipsec[] = { U(500), U(4500), U(1701) };
static const struct portset_port netbios[] = { U(137), U(138), T(139), T(445) };
static const struct portset_port ntp[] = { U(123) };
static const struct portset_port snmp[] = { U(161), U(162) };
static const struct portset_port files[] = { T(21), U(69), T(139), T(445),
	T(2049), U(2049) };

static const struct portset sets[] = {
	{ "dns", "DNS", dns, N(dns) },
	{ "domain", "domains and trusts: the ports a domain controller needs",
	    domain, N(domain) },
	{ "ldap", "LDAP, CLDAP, LDAPS and the global catalog", ldap, N(ldap) },
	{ "rpc", "RPC endpoint mapper (and RPC over HTTP)", rpc, N(rpc) },
	{ "sql", "SQL Server and its browser", sql, N(sql) },
	{ "mail", "SMTP, submission, POP3, IMAP and their TLS ports", mail,
	    N(mail) },
	{ "web", "HTTP and HTTPS", web, N(web) },
	{ "ipsec", "IKE, IKE over NAT-T, L2TP", ipsec, N(ipsec) },
	{ "netbios", "NetBIOS name, datagram and session services, SMB",
	    netbios, N(netbios) },
	{ "ntp", "NTP", ntp, N(ntp) },
	{ "snmp", "SNMP and SNMP traps", snmp, N(snmp) },
	{ "files", "FTP, TFTP, SMB and NFS", files, N(files) },
};

const struct portset *
portset_find(const char *name)
{
	size_t i;

	for (i = 0; i < N(sets); i++)
		if (strcmp(sets[i].name, name) == 0)
			return &sets[i];
	return NULL;
}

const struct portset *
portset_all(size_t *n)
{
	*n = N(sets);
	return sets;
}

void
portset_list(struct buf *out)
{
	size_t i, k;

	for (i = 0; i < N(sets); i++) {
		text_col(out, sets[i].name, 9);
		buf_puts(out, sets[i].what);
		buf_puts(out, "\n         ");
		for (k = 0; k < sets[i].nports; k++)
			buf_printf(out, " %s/%u", sets[i].ports[k].proto ==
			    IPPROTO_TCP ? "tcp" : "udp", sets[i].ports[k].port);
		buf_putc(out, '\n');
	}
}

void
portset_names(struct buf *out)
{
	size_t i;

	for (i = 0; i < N(sets); i++) {
		if (i > 0)
			buf_puts(out, ", ");
		buf_puts(out, sets[i].name);
	}
}
