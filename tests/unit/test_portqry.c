/* PortQry command-line spellings (src/portqry.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>

#include "host/proc.h"
#include "host/snapshot.h"
#include "output/portqry_local.h"
#include "output/portqry_query.h"
#include "query/probe.h"
#include "portqry.h"

/* Normalise the words of s (split at single spaces) and return them
 * joined by '|' in out. */
static const char *
norm(const char *s, char *out, size_t len)
{
	char copy[512], *words[32], *p, **av, err[128];
	int n = 0, nargc, i;

	snprintf(copy, sizeof(copy), "%s", s);
	for (p = strtok(copy, " "); p != NULL; p = strtok(NULL, " "))
		words[n++] = p;
	words[n] = NULL;
	if ((av = portqry_argv(n, words, &nargc, err, sizeof(err))) == NULL) {
		snprintf(out, len, "error: %s", err);
		return out;
	}
	out[0] = '\0';
	for (i = 0; i < nargc; i++) {
		if (i > 0)
			strncat(out, "|", len - strlen(out) - 1);
		strncat(out, av[i], len - strlen(out) - 1);
	}
	assert_null(av[nargc]);
	portqry_argv_free(av, nargc);
	return out;
}

static void
test_spellings(void **state)
{
	char o[512];

	(void)state;
	/* -cn !my community name! unquoted: the words joined back */
	assert_string_equal(norm("portscope -n h -p udp -e 161 -cn !my community name! -q", o, sizeof(o)),
	    "portscope|-n|h|-p|udp|-e|161|-cn|!my community name!|-q");
	assert_string_equal(norm("p -cn !public! -n h", o, sizeof(o)),
	    "p|-cn|!public!|-n|h");
	assert_string_equal(norm("p -cn ! spaced ! -n h", o, sizeof(o)),
	    "p|-cn|! spaced !|-n|h");
	assert_string_equal(norm("p -n h -cn !open community", o, sizeof(o)),
	    "error: -cn: the community '!open community' has no closing '!'");
	/* -o with ';' */
	assert_string_equal(norm("p -n h -o 135;139;445", o, sizeof(o)),
	    "p|-n|h|-o|135,139,445");
	/* -y without -l ignored; -q -l adds -y; -y with -l kept once */
	assert_string_equal(norm("p -n h -y", o, sizeof(o)), "p|-n|h");
	assert_string_equal(norm("p -n h -q -l f", o, sizeof(o)),
	    "p|-n|h|-q|-l|f|-y");
	assert_string_equal(norm("p -n h -q -l f -y", o, sizeof(o)),
	    "p|-n|h|-q|-l|f|-y");
	assert_string_equal(norm("p -n h -l f", o, sizeof(o)), "p|-n|h|-l|f");
}

/* -local in PortQry's layout, from a made-up snapshot: sshd holds TCP 22
 * listening and one connection, dnsmasq UDP 53 and TCP 53; an orphan in
 * TIME_WAIT.  The expected text is PortQry's layout with these values. */
static void
test_local_layout(void **state)
{
	struct snapshot s;
	struct sock_row r[5];
	struct sock_owner o[4];
	struct proc_info p[2];
	struct proc_module m[2] = { { 0x55d0c0a00000ULL, "/usr/sbin/sshd" },
	    { 0x7f0000000000ULL, "/usr/lib/x86_64-linux-gnu/libc.so.6" } };
	struct buf b;

	(void)state;
	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(r));
	memset(p, 0, sizeof(p));
	p[0].pid = 100;
	strcpy(p[0].comm, "sshd");
	p[0].exe = "/usr/sbin/sshd";
	p[0].modules = m;
	p[0].nmodules = 2;
	p[1].pid = 200;
	strcpy(p[1].comm, "dnsmasq");
	p[1].modules_err = 13;
	o[0] = (struct sock_owner){ 100, 3, 0, OWNER_NONE };
	o[1] = (struct sock_owner){ 100, 4, 0, OWNER_NONE };
	o[2] = (struct sock_owner){ 200, 5, 1, OWNER_NONE };
	o[3] = (struct sock_owner){ 200, 6, 1, OWNER_NONE };
	r[0] = (struct sock_row){ .owner = 2, .lport = 53, .proto = IPPROTO_UDP,
	    .family = AF_INET, .state = TCP_CLOSE };
	r[1] = (struct sock_row){ .owner = 0, .lport = 22, .proto = IPPROTO_TCP,
	    .family = AF_INET, .state = TCP_LISTEN };
	r[2] = (struct sock_row){ .owner = 1, .lport = 22, .rport = 50000,
	    .proto = IPPROTO_TCP, .family = AF_INET, .state = TCP_ESTABLISHED };
	inet_pton(AF_INET, "10.0.0.1", r[2].laddr);
	inet_pton(AF_INET, "10.0.0.2", r[2].raddr);
	r[3] = (struct sock_row){ .owner = 3, .lport = 53, .proto = IPPROTO_TCP,
	    .family = AF_INET, .state = TCP_LISTEN };
	r[4] = (struct sock_row){ .owner = OWNER_NONE, .lport = 40000,
	    .rport = 80, .proto = IPPROTO_TCP, .family = AF_INET,
	    .state = TCP_TIME_WAIT, .missing = OWNER_ORPHAN };
	s.socks = r;
	s.nsocks = 5;
	s.owners = o;
	s.nowners = 4;
	s.scan.procs = p;
	s.scan.nprocs = 2;
	buf_init(&b);
	portqry_local(&b, &s, PQL_MODULES);
	assert_string_equal(buf_str(&b),
"TCP/UDP Port Usage\n"
"\n"
"5 active ports found\n"
"\n"
"Port       Local IP                State          Remote IP:Port\n"
"TCP 22     0.0.0.0                 LISTENING      0.0.0.0:0\n"
"TCP 22     10.0.0.1                ESTABLISHED    10.0.0.2:50000\n"
"TCP 53     0.0.0.0                 LISTENING      0.0.0.0:0\n"
"UDP 53     0.0.0.0                                *:*\n"
"TCP 40000  0.0.0.0                 TIME WAIT      0.0.0.0:80\n"
"\n"
"Port Statistics\n"
"\n"
"TCP mappings: 4\n"
"UDP mappings: 1\n"
"\n"
"TCP ports in a LISTENING state:         2 = 50.00%\n"
"TCP ports in a ESTABLISHED state:       1 = 25.00%\n"
"TCP ports in a CLOSE WAIT state:        0 = 0.00%\n"
"TCP ports in a TIME WAIT state:         1 = 25.00%\n"
"\n"
"TCP/UDP Port to Process Mappings\n"
"\n"
"4 mappings found\n"
"\n"
"==============================================\n"
"Process ID: 100 (sshd)\n"
"\n"
"PID     Port       Local IP                State          Remote IP:Port\n"
"100     TCP 22     0.0.0.0                 LISTENING      0.0.0.0:0\n"
"100     TCP 22     10.0.0.1                ESTABLISHED    10.0.0.2:50000\n"
"\n"
"Port Statistics\n"
"\n"
"TCP mappings: 2\n"
"UDP mappings: 0\n"
"\n"
"TCP ports in a LISTENING state:         1 = 50.00%\n"
"TCP ports in a ESTABLISHED state:       1 = 50.00%\n"
"\n"
"Loaded modules:\n"
"/usr/sbin/sshd (0x55d0c0a00000)\n"
"/usr/lib/x86_64-linux-gnu/libc.so.6 (0x7f0000000000)\n"
"\n"
"==============================================\n"
"Process ID: 200 (dnsmasq)\n"
"\n"
"PID     Port       Local IP                State          Remote IP:Port\n"
"200     TCP 53     0.0.0.0                 LISTENING      0.0.0.0:0\n"
"200     UDP 53     0.0.0.0                                *:*\n"
"\n"
"Port Statistics\n"
"\n"
"TCP mappings: 1\n"
"UDP mappings: 1\n"
"\n"
"TCP ports in a LISTENING state:         1 = 100.00%\n"
"\n"
"Loaded modules:\n"
"Cannot enumerate modules of this process.\n"
"\n");
	buf_release(&b);
}

extern const struct probe probe_rpc_udp, probe_mssql, probe_smtp, probe_snmp;

/* -n's steps for a port, as PortQry prints them. */
static void
test_query_layout(void **state)
{
	struct probe_report r;
	struct buf b;

	(void)state;
	probe_report_init(&r);
	buf_init(&b);

	/* "Portqry Examples", example 2 (learn.microsoft.com cc738095),
	 * with portscope's "Using ephemeral source port" (issue 10) */
	pq_target(&b, "10.193.36.210");
	pq_address(&b, "RKTLABDC2");
	buf_puts(&r.text, "UUID: d049b186-814f-11d1-9a3c-00c04fc9b232 NtFrs API\n"
	    "ncacn_np:\\\\RKTLABDC2[\\pipe\\000003b8.000]\n\n"
	    "Total endpoints found: 1\n");
	pq_port(&b, IPPROTO_UDP, 135, "epmap", VERDICT_LISTENING, &probe_rpc_udp,
	    &r, NULL, 0);
	assert_string_equal(buf_str(&b),
	    "\n"
	    "Querying target system called:\n"
	    "\n"
	    " 10.193.36.210\n"
	    "\n"
	    "Attempting to resolve IP address to a name...\n"
	    "\n"
	    "\n"
	    "IP address resolved to RKTLABDC2\n"
	    "\n"
	    "UDP port 135 (epmap service): LISTENING or FILTERED\n"
	    "Using ephemeral source port\n"
	    "Querying Endpoint Mapper Database...\n"
	    "Server's response:\n"
	    "\n"
	    "UUID: d049b186-814f-11d1-9a3c-00c04fc9b232 NtFrs API\n"
	    "ncacn_np:\\\\RKTLABDC2[\\pipe\\000003b8.000]\n"
	    "\n"
	    "Total endpoints found: 1\n"
	    "\n\n\n"
	    "==== End of RPC Endpoint Mapper query response ====\n"
	    "\n"
	    "UDP port 135 is LISTENING\n");

	/* a silent probe: what was sent, and the verdict it leaves */
	buf_reset(&b);
	buf_reset(&r.text);
	pq_port(&b, IPPROTO_UDP, 1434, "ms-sql-m", VERDICT_LISTENING_OR_FILTERED,
	    &probe_mssql, &r, NULL, 0);
	assert_string_equal(buf_str(&b),
	    "UDP port 1434 (ms-sql-m service): LISTENING or FILTERED\n"
	    "Sending SQL Server query to UDP port 1434...\n"
	    "\n"
	    "UDP port 1434 is LISTENING or FILTERED\n");

	/* closed: the verdict alone; a TCP banner: verdict then section */
	buf_reset(&b);
	pq_port(&b, IPPROTO_UDP, 161, "snmp", VERDICT_NOT_LISTENING, &probe_snmp,
	    &r, NULL, 0);
	assert_string_equal(buf_str(&b), "UDP port 161 (snmp service): NOT LISTENING\n");
	buf_reset(&b);
	buf_puts(&r.text, "Data returned from port:\n220 mail\n");
	pq_port(&b, IPPROTO_TCP, 25, "smtp", VERDICT_LISTENING, &probe_smtp, &r,
	    NULL, 0);
	assert_string_equal(buf_str(&b), "TCP port 25 (smtp service): LISTENING\n"
	    "Data returned from port:\n220 mail\n\n");
	buf_reset(&b);
	pq_port(&b, IPPROTO_TCP, 12345, NULL, VERDICT_FILTERED, NULL, &r, NULL, 0);
	assert_string_equal(buf_str(&b), "TCP port 12345 (unknown service): FILTERED\n");

	/* a name that does not resolve */
	buf_reset(&b);
	pq_name(&b, NULL);
	assert_string_equal(buf_str(&b), "Attempting to resolve name to IP address...\n\n"
	    "Failed to resolve name to IP address\n");

	/* the worst verdict decides the status */
	assert_int_equal(pq_worst(-1, VERDICT_LISTENING), 0);
	assert_int_equal(pq_worst(0, VERDICT_NOT_LISTENING), 1);
	assert_int_equal(pq_worst(1, VERDICT_LISTENING_OR_FILTERED), 2);
	assert_int_equal(pq_worst(2, VERDICT_LISTENING), 2);
	assert_int_equal(pq_worst(1, VERDICT_LISTENING), 1);

	buf_release(&b);
	probe_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spellings),
		cmocka_unit_test(test_local_layout),
		cmocka_unit_test(test_query_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
