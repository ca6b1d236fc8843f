/*
 * Unit tests: the protocol probes' request builders and reply parsers,
 * on the real replies recorded from Debian's servers (the fuzz seed
 * corpus, tests/fuzz/corpus/, recorded with conversation id 0x5053434f).
 * Run from the top of the tree (tests/run.sh does).
 */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "query/ber.h"
#include "query/probe.h"
#include "query/probe_section.h"

#define XID	0x5053434fu

extern const struct probe probe_netbios, probe_snmp, probe_ldap, probe_cldap,
    probe_rpc, probe_rpc_udp, probe_mssql, probe_ntp, probe_ike, probe_tftp, probe_l2tp,
    probe_smtp, probe_pop3, probe_imap, probe_ftp, probe_dns_tcp;

/* The bytes of a corpus file, in b (caller releases). */
static void
load(struct buf *b, const char *harness, const char *name)
{
	char path[512], chunk[4096];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "tests/fuzz/corpus/%s/%s", harness, name);
	f = fopen(path, "rb");
	if (f == NULL)
		fail_msg("cannot open '%s'", path);
	buf_init(b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(b, chunk, n);
	fclose(f);
}

static void
ctx_init(struct probe_ctx *ctx, const char *community)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->community = community;
	ctx->host = "192.0.2.1";
	ctx->family = AF_INET;
	ctx->xid = XID;
}

/* Build the requests of steps 0..step (so the probe has its state) and
 * leave ctx at step; the last request is in out. */
static void
build_to(const struct probe *p, struct probe_ctx *ctx, unsigned step,
    struct buf *out)
{
	unsigned s;

	for (s = 0; s <= step; s++) {
		ctx->step = s;
		buf_reset(out);
		assert_int_not_equal(p->build(ctx, out), -1);
	}
}

struct replay {
	const struct probe *probe;
	unsigned	 step;
	const char	*harness, *file;
	enum probe_status want;
	const char	*text[4];	/* substrings the text must hold */
	const char	*json;		/* a substring of the JSON members */
};

static const struct replay replays[] = {
	{ &probe_netbios, 0, "fuzz_netbios", "nmbd-node-status.bin", PROBE_DONE,
	  { "Server's response: MAC address 000000000000\n", "PSTEST<20>", "PSGROUP<00>           GROUP" },
	  "\"name\":\"PSTEST\",\"suffix\":32,\"group\":false" },
	{ &probe_snmp, 0, "fuzz_snmp", "snmpd-v2c-public.bin", PROBE_DONE,
	  { "SNMPv2c agent answered community 'public'",
	    "sysDescr: portscope test agent", "sysName: portscope-test",
	    "sysUpTime: " }, "\"name\":\"sysName\",\"value\":\"portscope-test\"" },
	{ &probe_snmp, 1, "fuzz_snmp", "snmpd-v1-public.bin", PROBE_DONE,
	  { "SNMPv1 agent" }, "\"version\":\"v1\"" },
	{ &probe_snmp, 2, "fuzz_snmp", "snmpd-v3-discovery-report.bin",
	  PROBE_DONE, { "wrong community", "engine ID: 80001f88" },
	  "\"community_accepted\":false" },
	{ &probe_ldap, 0, "fuzz_ldap", "slapd-rootdse.bin", PROBE_DONE,
	  { "namingContexts: dc=portscope,dc=test", "supportedLDAPVersion: 3",
	    "supportedSASLMechanisms: " },
	  "\"namingContexts\":[\"dc=portscope,dc=test\"]" },
	{ &probe_cldap, 0, "fuzz_ldap", "slapd-rootdse.bin", PROBE_DONE,
	  { "namingContexts: dc=portscope,dc=test" }, "\"result\":\"success\"" },
	{ &probe_rpc, 0, "fuzz_rpc", "samba-bind-ack.bin", PROBE_NEXT,
	  { NULL }, NULL },
	{ &probe_rpc, 1, "fuzz_rpc", "samba-ept-lookup-1.bin", PROBE_NEXT,
	  { NULL }, NULL },
	{ &probe_mssql, 0, "fuzz_mssql", "mc-sqlr-two-instances.bin", PROBE_DONE,
	  { "\nInstanceName SQLEXPRESS\n", "\ntcp 49733\n",
	    "\nnp \\\\PSTEST\\pipe\\sql\\query\n", "\n\nServerName " },
	  "\"InstanceName\":\"MSSQLSERVER\"" },
	{ &probe_ntp, 0, "fuzz_ntp", "chronyd-stratum8.bin", PROBE_DONE,
	  { "NTP version 4 server, stratum 8 (synchronized)",
	    "reference id: 127.127.1.1", "server time: 20", "offset from ours: " },
	  "\"stratum\":8" },
	{ &probe_ike, 0, "fuzz_ike", "charon-ikev2-no-proposal.bin", PROBE_DONE,
	  { "IKEv2 IKE_SA_INIT response", "notify: NO_PROPOSAL_CHOSEN (14)" },
	  "\"notify\":[\"NO_PROPOSAL_CHOSEN\"]" },
	{ &probe_ike, 0, "fuzz_ike", "spec-ikev2-sa-init-accepted.bin", PROBE_DONE,
	  { "proposal chosen: AES_CBC-128 PRF_HMAC_SHA2_256 HMAC_SHA2_256_128 MODP_2048\n",
	    "key exchange: DH group 14", "notify: NAT_DETECTION_SOURCE_IP (16388)" },
	  "\"proposal\":[\"AES_CBC\",\"PRF_HMAC_SHA2_256\",\"HMAC_SHA2_256_128\",\"MODP_2048\"]" },
	{ &probe_ike, 1, "fuzz_ike", "charon-ikev1-no-proposal.bin", PROBE_DONE,
	  { "IKEv1 Informational", "NO-PROPOSAL-CHOSEN" }, "\"version\":1" },
	{ &probe_tftp, 0, "fuzz_tftp", "tftpd-hpa-file-not-found.bin", PROBE_DONE,
	  { "TFTP error 1 (file not found): File not found" },
	  "\"error_code\":1" },
	{ &probe_l2tp, 0, "fuzz_l2tp", "xl2tpd-sccrp.bin", PROBE_DONE,
	  { "SCCRP", "host name: portscope-lns", "vendor: xelerance.com",
	    "protocol version: 1.0" }, "\"host_name\":\"portscope-lns\"" },
	{ &probe_smtp, 0, "fuzz_banner", "exim4.bin", PROBE_DONE,
	  { "Data returned from port:\n220 ", "ESMTP Exim" }, "\"banner\":\"220 " },
	{ &probe_ftp, 0, "fuzz_banner", "vsftpd.bin", PROBE_DONE,
	  { "Data returned from port:\n500 OOPS" }, NULL },
	{ &probe_ftp, 0, "fuzz_ftp", "vsftpd-greeting.bin", PROBE_NEXT,
	  { "Data returned from port:\n220 portscope test FTP\n" },
	  "\"banner\":\"220 portscope test FTP\\r\\n\"" },
	{ &probe_ftp, 1, "fuzz_ftp", "vsftpd-user-331.bin", PROBE_NEXT,
	  { "Attempting anonymous logon...\nServer's response:\n331 " }, NULL },
	{ &probe_ftp, 2, "fuzz_ftp", "vsftpd-pass-230.bin", PROBE_DONE,
	  { "230 Login successful.\n" }, "\"anonymous\":true" },
	{ &probe_ftp, 2, "fuzz_ftp", "vsftpd-pass-530.bin", PROBE_DONE,
	  { "530 Login incorrect.\n" }, "\"anonymous\":false" },
	{ &probe_dns_tcp, 0, "fuzz_dns", "tcp-version-bind-txt", PROBE_DONE,
	  { "DNS reply: NOERROR, 1 answer", "version.bind TXT \"dnsmasq-" },
	  "\"rcode\":\"NOERROR\"" },
	{ &probe_imap, 0, "fuzz_banner", "dovecot-imap.bin", PROBE_DONE,
	  { "* OK [CAPABILITY IMAP4rev1" }, NULL },
	{ &probe_pop3, 0, "fuzz_banner", "dovecot-pop3.bin", PROBE_DONE,
	  { "+OK portscope test mail\n" }, "\"banner\":\"+OK portscope test mail\\r\\n\"" },
};

/* Every recorded reply parses to what the server said. */
static void
test_real_replies(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(replays) / sizeof(replays[0]); i++) {
		const struct replay *t = &replays[i];
		struct probe_ctx ctx;
		struct probe_report r;
		struct buf in, out;
		enum probe_status st;

		load(&in, t->harness, t->file);
		buf_init(&out);
		ctx_init(&ctx, "public");
		build_to(t->probe, &ctx, t->step, &out);
		probe_report_init(&r);
		st = t->probe->parse(&ctx, (const uint8_t *)in.data, in.len, &r);
		if (st != t->want)
			fail_msg("%s: status %d, want %d", t->file, st, t->want);
		for (k = 0; k < 4 && t->text[k] != NULL; k++)
			if (strstr(buf_str(&r.text), t->text[k]) == NULL)
				fail_msg("%s: no '%s' in:\n%s", t->file, t->text[k],
				    buf_str(&r.text));
		if (t->json != NULL && strstr(buf_str(&r.json), t->json) == NULL)
			fail_msg("%s: no '%s' in %s", t->file, t->json,
			    buf_str(&r.json));
		if (st == PROBE_DONE)
			assert_true(r.reason[0] != '\0');
		if (t->probe->release != NULL)
			t->probe->release(&ctx);
		probe_report_release(&r);
		buf_release(&in);
		buf_release(&out);
	}
}

/* No strict prefix of a real reply is taken for a whole one: a truncated
 * reply is malformed (datagrams) or waits for more (streams). */
static void
test_truncated_replies(void **state)
{
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(replays) / sizeof(replays[0]); i++) {
		const struct replay *t = &replays[i];
		struct buf in, out;

		load(&in, t->harness, t->file);
		buf_init(&out);
		for (n = 0; n < in.len; n++) {
			struct probe_ctx ctx;
			struct probe_report r;
			enum probe_status st;

			ctx_init(&ctx, "public");
			build_to(t->probe, &ctx, t->step, &out);
			probe_report_init(&r);
			st = t->probe->parse(&ctx, (const uint8_t *)in.data, n, &r);
			if (t->probe->proto == IPPROTO_TCP ? st != PROBE_MORE :
			    (st != PROBE_MALFORMED && st != PROBE_MORE))
				fail_msg("%s cut to %zu bytes: status %d", t->file,
				    n, st);
			if (t->probe->release != NULL)
				t->probe->release(&ctx);
			probe_report_release(&r);
		}
		buf_release(&in);
		buf_release(&out);
	}
}

/* The whole endpoint-mapper conversation with Samba: bind, then two
 * ept_lookup batches (20 and 18 entries), the last one ending it. */
static void
test_rpc_conversation(void **state)
{
	static const char *const files[] = { "samba-bind-ack.bin",
	    "samba-ept-lookup-1.bin", "samba-ept-lookup-2-last.bin" };
	static const enum probe_status want[] = { PROBE_NEXT, PROBE_NEXT,
	    PROBE_DONE };
	struct probe_ctx ctx;
	struct probe_report r;
	struct buf in, out;
	unsigned s;

	(void)state;
	ctx_init(&ctx, "public");
	probe_report_init(&r);
	buf_init(&out);
	for (s = 0; s < 3; s++) {
		ctx.step = s;
		buf_reset(&out);
		assert_int_equal(probe_rpc.build(&ctx, &out), 0);
		assert_int_equal(out.data[8] | out.data[9] << 8, (int)out.len);
		load(&in, "fuzz_rpc", files[s]);
		assert_int_equal(probe_rpc.parse(&ctx, (const uint8_t *)in.data,
		    in.len, &r), want[s]);
		buf_release(&in);
	}
	assert_non_null(strstr(buf_str(&r.text), "Total endpoints found: 38\n"));
	assert_non_null(strstr(buf_str(&r.text),
	    "UUID: 338cd001-2244-31f1-aaaa-900038001003 winreg\n"
	    "ncacn_ip_tcp:127.0.0.1[49152]\n\n"));
	assert_non_null(strstr(buf_str(&r.text), "ncacn_np:[\\pipe\\eventlog]"));
	assert_non_null(strstr(buf_str(&r.json), "\"total\":38"));
	assert_string_equal(r.reason, "rpc endpoint mapper");
	probe_rpc.release(&ctx);
	assert_null(ctx.state);
	probe_report_release(&r);
	buf_release(&out);
}

/* The same over UDP (connectionless): no bind, two lookups; the replies
 * carry Samba's stubs in C706 12.5 headers (tests/cli/responder.py). */
static void
test_rpc_datagram(void **state)
{
	static const char *const files[] = { "ncadg-samba-stub-lookup-1.bin",
	    "ncadg-samba-stub-lookup-2-last.bin" };
	static const enum probe_status want[] = { PROBE_NEXT, PROBE_DONE };
	struct probe_ctx ctx;
	struct probe_report r;
	struct buf in, out;
	unsigned s;

	(void)state;
	ctx_init(&ctx, "public");
	probe_report_init(&r);
	buf_init(&out);
	for (s = 0; s < 2; s++) {
		ctx.step = s;
		buf_reset(&out);
		assert_int_equal(probe_rpc_udp.build(&ctx, &out), 0);
		assert_int_equal(out.len, 80 + 40);
		assert_int_equal(out.data[0], 4);
		load(&in, "fuzz_rpc", files[s]);
		assert_int_equal(probe_rpc_udp.parse(&ctx, (const uint8_t *)in.data,
		    in.len, &r), want[s]);
		/* a reply to another call (sequence number) is not ours */
		if (s == 0) {
			struct probe_ctx other = ctx;

			other.step = 1;
			assert_int_equal(probe_rpc_udp.parse(&other,
			    (const uint8_t *)in.data, in.len, &r), PROBE_MALFORMED);
		}
		buf_release(&in);
	}
	assert_non_null(strstr(buf_str(&r.text), "Total endpoints found: 38\n"));
	probe_rpc_udp.release(&ctx);
	probe_report_release(&r);
	buf_release(&out);
}

/* A wrong community: v2c and v1 stay silent, silence() moves on to the
 * v3 discovery, whose Report says an agent is there. */
static void
test_snmp_wrong_community(void **state)
{
	struct probe_ctx ctx;
	struct probe_report r;
	struct buf in, out;

	(void)state;
	ctx_init(&ctx, "wrong");
	probe_report_init(&r);
	buf_init(&out);
	assert_int_equal(probe_snmp.build(&ctx, &out), 0);
	assert_int_equal(probe_snmp.silence(&ctx, &r), PROBE_NEXT);
	ctx.step = 1;
	assert_int_equal(probe_snmp.silence(&ctx, &r), PROBE_NEXT);
	ctx.step = 2;
	load(&in, "fuzz_snmp", "snmpd-v3-discovery-report.bin");
	assert_int_equal(probe_snmp.parse(&ctx, (const uint8_t *)in.data,
	    in.len, &r), PROBE_DONE);
	assert_non_null(strstr(buf_str(&r.text), "community 'wrong': wrong "
	    "community"));
	assert_string_equal(r.reason, "snmp reply, wrong community");
	/* after the discovery there is nothing left to try */
	assert_int_not_equal(probe_snmp.silence(&ctx, &r), PROBE_NEXT);
	buf_release(&in);
	buf_release(&out);
	probe_report_release(&r);
}

/* The requests, decoded back. */
static void
test_requests(void **state)
{
	struct probe_ctx ctx;
	struct buf out;
	struct ber r, m, v;
	int64_t i;

	(void)state;
	buf_init(&out);
	ctx_init(&ctx, "s3cret");

	assert_int_equal(probe_snmp.build(&ctx, &out), 0);
	r.p = (const uint8_t *)out.data;
	r.len = out.len;
	assert_int_equal(ber_expect(&r, BER_SEQUENCE, &m), 0);
	assert_int_equal(r.len, 0);
	assert_int_equal(ber_expect(&m, BER_INTEGER, &v), 0);
	assert_int_equal(ber_int(&v, &i), 0);
	assert_int_equal(i, 1);				/* v2c */
	assert_int_equal(ber_expect(&m, BER_OCTETS, &v), 0);
	assert_int_equal(v.len, 6);
	assert_memory_equal(v.p, "s3cret", 6);

	buf_reset(&out);
	assert_int_equal(probe_netbios.build(&ctx, &out), 0);
	assert_int_equal(out.len, 12 + 34 + 4);
	assert_memory_equal(out.data + 12, "\x20" "CKAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\0", 34);
	assert_memory_equal(out.data + 46, "\x00\x21\x00\x01", 4);

	buf_reset(&out);
	assert_int_equal(probe_ntp.build(&ctx, &out), 0);
	assert_int_equal(out.len, 48);
	assert_int_equal((uint8_t)out.data[0], 0x23);
	assert_int_equal((uint8_t)out.data[47] | (uint8_t)out.data[46] << 8,
	    XID & 0xffff);

	buf_reset(&out);
	assert_int_equal(probe_tftp.build(&ctx, &out), 0);
	assert_memory_equal(out.data, "\x00\x01portscope-probe-5053434f.none\0octet\0",
	    out.len);

	/* FTP: nothing before the greeting, then the anonymous logon only */
	ctx.step = 0;
	buf_reset(&out);
	assert_int_equal(probe_ftp.build(&ctx, &out), 1);
	ctx.step = 1;
	assert_int_equal(probe_ftp.build(&ctx, &out), 0);
	ctx.step = 2;
	assert_int_equal(probe_ftp.build(&ctx, &out), 0);
	ctx.step = 3;
	assert_int_equal(probe_ftp.build(&ctx, &out), -1);
	assert_memory_equal(out.data, "USER anonymous\r\nPASS portscope@\r\n",
	    out.len);
	ctx.step = 0;

	/* DNS over TCP: the UDP message behind its two-byte length */
	buf_reset(&out);
	assert_int_equal(probe_dns_tcp.build(&ctx, &out), 0);
	assert_int_equal((uint8_t)out.data[0] << 8 | (uint8_t)out.data[1],
	    (int)out.len - 2);
	assert_int_equal((uint8_t)out.data[2] << 8 | (uint8_t)out.data[3],
	    XID & 0xffff);

	buf_reset(&out);
	assert_int_equal(probe_l2tp.build(&ctx, &out), 0);
	assert_int_equal((uint8_t)out.data[2] << 8 | (uint8_t)out.data[3],
	    (int)out.len);

	buf_reset(&out);
	assert_int_equal(probe_ike.build(&ctx, &out), 0);
	assert_int_equal((uint8_t)out.data[17], 0x20);
	assert_int_equal((uint8_t)out.data[26] << 8 | (uint8_t)out.data[27],
	    (int)out.len);
	ctx.step = 1;
	buf_reset(&out);
	assert_int_equal(probe_ike.build(&ctx, &out), 0);
	assert_int_equal((uint8_t)out.data[17], 0x10);
	assert_int_equal((uint8_t)out.data[26] << 8 | (uint8_t)out.data[27],
	    (int)out.len);
	ctx.step = 0;

	buf_reset(&out);
	assert_int_equal(probe_smtp.build(&ctx, &out), 1);	/* just read */
	assert_int_equal(out.len, 0);

	buf_reset(&out);
	assert_int_equal(probe_mssql.build(&ctx, &out), 0);
	assert_int_equal(out.len, 1);
	assert_int_equal(out.data[0], 0x03);
	buf_release(&out);
}

/* Bytes a terminal would act on are shown escaped, never raw. */
static void
test_hostile_text(void **state)
{
	static const char banner[] = "220 evil\x1b[2J\x07 host\r\n";
	struct probe_ctx ctx;
	struct probe_report r;
	struct buf in;

	(void)state;
	ctx_init(&ctx, "public");
	probe_report_init(&r);
	assert_int_equal(probe_smtp.parse(&ctx, (const uint8_t *)banner,
	    sizeof(banner) - 1, &r), PROBE_DONE);
	assert_non_null(strstr(buf_str(&r.text), "220 evil\\x1b[2J\\x07 host\n"));
	probe_report_release(&r);

	/* a NetBIOS name holding an escape sequence */
	load(&in, "fuzz_netbios", "nmbd-node-status.bin");
	memcpy(in.data + 57, "\x1b]0;", 4);
	probe_report_init(&r);
	assert_int_equal(probe_netbios.parse(&ctx, (const uint8_t *)in.data,
	    in.len, &r), PROBE_DONE);
	assert_null(strchr(buf_str(&r.text), '\x1b'));
	assert_non_null(strstr(buf_str(&r.text), "\\x1b]0;"));
	probe_report_release(&r);
	buf_release(&in);
}

/* The sections around the probes' lines, as PortQry prints them. */
static void
test_sections(void **state)
{
	struct probe_report r;
	struct buf out;

	(void)state;
	probe_report_init(&r);
	buf_init(&out);
	buf_puts(&r.text, "UUID: a00c021c-2be2-11d2-b678-0000f87a8f8e PERFMON "
	    "SERVICE\nncacn_np:\\\\DC2[\\pipe\\000003b8.000]\n\n"
	    "Total endpoints found: 1\n");
	probe_section(&out, &probe_rpc_udp, IPPROTO_UDP, 135, NULL, &r);
	/* "Portqry Examples", example 2, learn.microsoft.com cc738095 */
	assert_string_equal(buf_str(&out),
	    "Querying Endpoint Mapper Database...\n"
	    "Server's response:\n"
	    "\n"
	    "UUID: a00c021c-2be2-11d2-b678-0000f87a8f8e PERFMON SERVICE\n"
	    "ncacn_np:\\\\DC2[\\pipe\\000003b8.000]\n"
	    "\n"
	    "Total endpoints found: 1\n"
	    "\n\n\n"
	    "==== End of RPC Endpoint Mapper query response ====\n");

	buf_reset(&out);
	buf_reset(&r.text);
	buf_puts(&r.text, "ServerName SQL-Server1\n");
	probe_section(&out, &probe_mssql, IPPROTO_UDP, 1434, NULL, &r);
	assert_string_equal(buf_str(&out),
	    "Sending SQL Server query to UDP port 1434...\n"
	    "Server's response:\n\nServerName SQL-Server1\n\n"
	    "==== End of SQL Server query response ====\n");

	buf_reset(&out);
	buf_reset(&r.text);
	buf_puts(&r.text, "Server's response: MAC address 00155d01c61e\n");
	probe_section(&out, &probe_netbios, IPPROTO_UDP, 137, NULL, &r);
	assert_string_equal(buf_str(&out),
	    "Attempting NETBIOS adapter status query to UDP port 137...\n"
	    "Server's response: MAC address 00155d01c61e\n");

	buf_reset(&out);
	buf_reset(&r.text);
	buf_puts(&r.text, "sysName: x\n");
	probe_section(&out, &probe_snmp, IPPROTO_UDP, 161, "my community", &r);
	assert_string_equal(buf_str(&out),
	    "community name for query:\nmy community\n\n"
	    "Sending SNMP query to UDP port 161...\n"
	    "Server's response:\n\nsysName: x\n\n"
	    "==== End of SNMP query response ====\n");

	/* no lines: only what was sent; a banner: only the probe's block */
	buf_reset(&out);
	buf_reset(&r.text);
	probe_section(&out, &probe_ldap, IPPROTO_TCP, 389, NULL, &r);
	assert_string_equal(buf_str(&out), "Sending LDAP query to TCP port 389...\n");
	buf_reset(&out);
	buf_puts(&r.text, "Data returned from port:\n220 hi\n");
	probe_section(&out, &probe_smtp, IPPROTO_TCP, 25, NULL, &r);
	assert_string_equal(buf_str(&out), "Data returned from port:\n220 hi\n");

	buf_release(&out);
	probe_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_replies),
		cmocka_unit_test(test_truncated_replies),
		cmocka_unit_test(test_rpc_conversation),
		cmocka_unit_test(test_rpc_datagram),
		cmocka_unit_test(test_snmp_wrong_community),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
