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
#include <time.h>
#include <cmocka.h>

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

/* The mapper stops answering after the first batch (or the deadline
 * comes): silence() reports the 20 endpoints found, marked incomplete;
 * before the bind was answered it has nothing to say. */
static void
test_rpc_cut_short(void **state)
{
	static const char *const files[] = { "samba-bind-ack.bin",
	    "samba-ept-lookup-1.bin" };
	struct probe_ctx ctx;
	struct probe_report r;
	struct buf in, out;
	unsigned s;

	(void)state;
	ctx_init(&ctx, "public");
	probe_report_init(&r);
	buf_init(&out);
	assert_int_equal(probe_rpc.build(&ctx, &out), 0);
	assert_int_not_equal(probe_rpc.silence(&ctx, &r), PROBE_DONE);
	for (s = 0; s < 2; s++) {
		ctx.step = s;
		buf_reset(&out);
		assert_int_equal(probe_rpc.build(&ctx, &out), 0);
		load(&in, "fuzz_rpc", files[s]);
		assert_int_equal(probe_rpc.parse(&ctx, (const uint8_t *)in.data,
		    in.len, &r), PROBE_NEXT);
		buf_release(&in);
	}
	ctx.step = 2;		/* the next lookup, unanswered */
	assert_int_equal(probe_rpc.silence(&ctx, &r), PROBE_DONE);
	assert_non_null(strstr(buf_str(&r.text),
	    "(list incomplete: ept_lookup not answered)\n"
	    "Total endpoints found: 20\n"));
	assert_non_null(strstr(buf_str(&r.json), "\"total\":20,\"incomplete\":true"));
	probe_rpc.release(&ctx);
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

/*
 * Every request whole, byte for byte, against the layout its
 * specification gives (conversation id XID = 0x5053434f, community
 * "s3cret").  Ids the probes derive from the conversation id (IKE SPI,
 * DCE/RPC activity) are their own choice: lcg() below recomputes them.
 */
static void
expect_request(const struct probe *p, unsigned step, const uint8_t *want,
    size_t len)
{
	struct probe_ctx ctx;
	struct buf out;

	ctx_init(&ctx, "s3cret");
	buf_init(&out);
	build_to(p, &ctx, step, &out);
	if (out.len != len)
		fail_msg("%s step %u: %zu bytes, want %zu", p->name, step,
		    out.len, len);
	assert_memory_equal(out.data, want, len);
	if (p->release != NULL)
		p->release(&ctx);
	buf_release(&out);
}

/* n bytes of the probes' id generator seeded with seed. */
static void
lcg(uint32_t seed, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		out[i] = (uint8_t)(seed >> 16);
	}
}

#define SNMP_VARBINDS \
	0x30, 0x2a,					/* VarBindList */ \
	0x30, 0x0c, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 1, 0, 0x05, 0x00, /* sysDescr.0 */ \
	0x30, 0x0c, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 3, 0, 0x05, 0x00, /* sysUpTime.0 */ \
	0x30, 0x0c, 0x06, 0x08, 0x2b, 6, 1, 2, 1, 1, 5, 0, 0x05, 0x00  /* sysName.0 */

static void
test_requests_whole(void **state)
{
	/* RFC 3416 GetRequest in an RFC 1901 (v2c) / RFC 1157 (v1) message */
	static const uint8_t snmp_v2c[] = {
		0x30, 0x45, 0x02, 0x01, 0x01,		/* version 1: v2c */
		0x04, 0x06, 's', '3', 'c', 'r', 'e', 't',
		0xa0, 0x38,				/* GetRequest-PDU */
		0x02, 0x04, 0x50, 0x53, 0x43, 0x4f,	/* request-id */
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00,	/* error status, index */
		SNMP_VARBINDS,
	};
	static const uint8_t snmp_v1[] = {
		0x30, 0x45, 0x02, 0x01, 0x00,		/* version 0: v1 */
		0x04, 0x06, 's', '3', 'c', 'r', 'e', 't',
		0xa0, 0x38, 0x02, 0x04, 0x50, 0x53, 0x43, 0x4f,
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
		SNMP_VARBINDS,
	};
	/* RFC 3412 message, RFC 3414 4 discovery: empty USM parameters,
	 * reportable, an empty GetRequest */
	static const uint8_t snmp_v3[] = {
		0x30, 0x3e, 0x02, 0x01, 0x03,		/* msgVersion 3 */
		0x30, 0x11,				/* msgGlobalData */
		0x02, 0x04, 0x50, 0x53, 0x43, 0x4f,	/* msgID */
		0x02, 0x03, 0x00, 0xff, 0xe3,		/* msgMaxSize 65507 */
		0x04, 0x01, 0x04,			/* msgFlags: reportable */
		0x02, 0x01, 0x03,			/* USM */
		0x04, 0x10, 0x30, 0x0e,			/* UsmSecurityParameters */
		0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
		0x04, 0x00, 0x04, 0x00, 0x04, 0x00,
		0x30, 0x14, 0x04, 0x00, 0x04, 0x00,	/* ScopedPDU */
		0xa0, 0x0e, 0x02, 0x04, 0x50, 0x53, 0x43, 0x4f,
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
	};
	/* RFC 1002 4.2.17 NODE STATUS REQUEST for "*" */
	static const uint8_t netbios[] = {
		0x43, 0x4f, 0x00, 0x00,			/* id, flags: query */
		0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x20, 'C', 'K', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
		'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
		'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 0x00,
		0x00, 0x21, 0x00, 0x01,			/* NBSTAT, IN */
	};
	/* RFC 1350 RRQ, octet mode */
	static const uint8_t tftp[] = "\x00\x01" "portscope-probe-5053434f.none"
	    "\0" "octet";
	/* RFC 2661 SCCRQ: header, then Message Type, Protocol Version,
	 * Host Name, Framing Capabilities, Assigned Tunnel ID AVPs */
	static const uint8_t l2tp[] = {
		0xc8, 0x02, 0x00, 0x3d, 0, 0, 0, 0, 0, 0, 0, 0,
		0x80, 0x08, 0, 0, 0, 0, 0x00, 0x01,	/* SCCRQ */
		0x80, 0x08, 0, 0, 0, 2, 0x01, 0x00,	/* version 1.0 */
		0x80, 0x0f, 0, 0, 0, 7, 'p', 'o', 'r', 't', 's', 'c', 'o', 'p', 'e',
		0x80, 0x0a, 0, 0, 0, 3, 0, 0, 0, 3,	/* sync and async */
		0x80, 0x08, 0, 0, 0, 9, 0xe3, 0xf6,	/* XID % 0xfffe + 1 */
	};
	/* MC-SQLR 2.2.2 CLNT_UCAST_EX */
	static const uint8_t mssql[] = { 0x03 };
	/* RFC 4511 SearchRequest of the root DSE, attributes * and +;
	 * message id XID % 0x7fffffff + 1 */
	static const uint8_t ldap[] = {
		0x30, 0x2e, 0x02, 0x04, 0x50, 0x53, 0x43, 0x50,
		0x63, 0x26, 0x04, 0x00,			/* base "" */
		0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00,	/* base, never deref */
		0x02, 0x01, 0x00, 0x02, 0x01, 0x00,	/* no limits */
		0x01, 0x01, 0x00,			/* typesOnly false */
		0x87, 0x0b, 'o', 'b', 'j', 'e', 'c', 't', 'C', 'l', 'a', 's', 's',
		0x30, 0x06, 0x04, 0x01, '*', 0x04, 0x01, '+',
	};
	/* RFC 1035 over TCP (RFC 7766): length, then version.bind TXT CH,
	 * no recursion */
	static const uint8_t dns_tcp[] = {
		0x00, 0x1e, 0x43, 0x4f, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
		7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0,
		0x00, 0x10, 0x00, 0x03,
	};
	/* C706 12.6.4.3 bind: the endpoint mapper e1af8308-5d1f-11c9-91a4-
	 * 08002b14a0fa v3.0 in NDR 8a885d04-1ceb-11c9-9fe8-08002b104860 v2 */
	static const uint8_t rpc_bind[] = {
		0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00,
		0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,	/* len 72, call 1 */
		0xb8, 0x10, 0xb8, 0x10, 0x00, 0x00, 0x00, 0x00,	/* 4280, group 0 */
		0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,	/* 1 context */
		0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d, 0xc9, 0x11,
		0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa, 0x03, 0x00, 0x00, 0x00,
		0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11,
		0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 0x02, 0x00, 0x00, 0x00,
	};
	/* C706 12.6.4.9 request, opnum 2 ept_lookup (C706 appendix O):
	 * all elements, no object, no interface, all versions, a null
	 * entry handle, 20 entries at most */
#define EPT_LOOKUP_STUB \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0, 0, 0, \
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, \
	0x14, 0, 0, 0
	static const uint8_t rpc_lookup[] = {
		0x05, 0x00, 0x00, 0x03, 0x10, 0x00, 0x00, 0x00,
		0x40, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,	/* len 64, call 2 */
		0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00,	/* hint 40, opnum 2 */
		EPT_LOOKUP_STUB,
	};
	/* RFC 2409 Main Mode, first message: one proposal, one transform:
	 * AES-CBC-128, SHA-1, pre-shared key, group 14, 28800 s */
	static const uint8_t ike_v1_tail[] = {
		0x01, 0x10, 0x02, 0x00, 0, 0, 0, 0, 0, 0, 0, 0x54,
		0x00, 0x00, 0x00, 0x38, 0, 0, 0, 1, 0, 0, 0, 1,	/* SA: IPsec DOI */
		0x00, 0x00, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x01,	/* proposal */
		0x00, 0x00, 0x00, 0x24, 0x01, 0x01, 0x00, 0x00,	/* transform */
		0x80, 0x01, 0x00, 0x07, 0x80, 0x0e, 0x00, 0x80,
		0x80, 0x02, 0x00, 0x02, 0x80, 0x03, 0x00, 0x01,
		0x80, 0x04, 0x00, 0x0e, 0x80, 0x0b, 0x00, 0x01, 0x80, 0x0c, 0x70, 0x80,
	};
	/* RFC 7296 IKE_SA_INIT: SA (AES-CBC-128, PRF and integrity
	 * HMAC-SHA2-256, group 14), KE of 256 bytes, a 32-byte nonce */
	static const uint8_t ike_v2_sa[] = {
		0x21, 0x20, 0x22, 0x08, 0, 0, 0, 0, 0, 0, 0x01, 0x78,
		0x22, 0x00, 0x00, 0x30,
		0x00, 0x00, 0x00, 0x2c, 0x01, 0x01, 0x00, 0x04,
		0x03, 0x00, 0x00, 0x0c, 0x01, 0x00, 0x00, 0x0c, 0x80, 0x0e, 0x00, 0x80,
		0x03, 0x00, 0x00, 0x08, 0x02, 0x00, 0x00, 0x05,
		0x03, 0x00, 0x00, 0x08, 0x03, 0x00, 0x00, 0x0c,
		0x00, 0x00, 0x00, 0x08, 0x04, 0x00, 0x00, 0x0e,
		0x28, 0x00, 0x01, 0x08, 0x00, 0x0e, 0x00, 0x00,	/* KE, group 14 */
	};
	uint8_t want[400], spi[8], act[16];
	struct probe_ctx ctx;
	struct buf out;
	uint64_t sec;
	size_t n;

	(void)state;
	expect_request(&probe_snmp, 0, snmp_v2c, sizeof(snmp_v2c));
	expect_request(&probe_snmp, 1, snmp_v1, sizeof(snmp_v1));
	expect_request(&probe_snmp, 2, snmp_v3, sizeof(snmp_v3));
	expect_request(&probe_netbios, 0, netbios, sizeof(netbios));
	expect_request(&probe_tftp, 0, tftp, sizeof(tftp));
	expect_request(&probe_l2tp, 0, l2tp, sizeof(l2tp));
	expect_request(&probe_mssql, 0, mssql, sizeof(mssql));
	expect_request(&probe_ldap, 0, ldap, sizeof(ldap));
	expect_request(&probe_cldap, 0, ldap, sizeof(ldap));
	expect_request(&probe_dns_tcp, 0, dns_tcp, sizeof(dns_tcp));
	expect_request(&probe_rpc, 0, rpc_bind, sizeof(rpc_bind));
	expect_request(&probe_rpc, 1, rpc_lookup, sizeof(rpc_lookup));

	/* C706 12.5.2 connectionless request header, then the same stub */
	lcg(XID ^ 0x9e3779b9u, act, sizeof(act));
	n = 0;
	memcpy(want + n, "\x04\x00\x20\x00\x10\x00\x00\x00", 8), n += 8;
	memset(want + n, 0, 16), n += 16;		/* object: nil */
	memcpy(want + n, rpc_bind + 32, 16), n += 16;	/* the mapper */
	memcpy(want + n, act, 16), n += 16;		/* activity */
	memcpy(want + n, "\x00\x00\x00\x00\x03\x00\x00\x00\x00\x00\x00\x00"
	    "\x02\x00\xff\xff\xff\xff\x28\x00\x00\x00\x00\x00", 24), n += 24;
	memcpy(want + n, rpc_lookup + 24, 40), n += 40;
	want[n - 4] = 4;	/* 4 entries a reply: one datagram each */
	expect_request(&probe_rpc_udp, 0, want, n);

	/* IKE: our SPI / cookie, never all zero (top bit set) */
	lcg(XID, spi, sizeof(spi));
	spi[0] |= 0x80;
	memcpy(want, spi, 8);
	memset(want + 8, 0, 8);
	memcpy(want + 16, ike_v1_tail, sizeof(ike_v1_tail));
	expect_request(&probe_ike, 1, want, 16 + sizeof(ike_v1_tail));

	ctx_init(&ctx, "s3cret");
	buf_init(&out);
	build_to(&probe_ike, &ctx, 0, &out);
	assert_int_equal(out.len, 376);
	assert_memory_equal(out.data, spi, 8);
	assert_memory_equal(out.data + 8, "\0\0\0\0\0\0\0\0", 8);
	assert_memory_equal(out.data + 16, ike_v2_sa, sizeof(ike_v2_sa));
	/* after 256 bytes of key exchange data: the nonce payload, last */
	assert_memory_equal(out.data + 16 + sizeof(ike_v2_sa) + 256,
	    "\x00\x00\x00\x24", 4);
	assert_int_equal(16 + sizeof(ike_v2_sa) + 256 + 36, 376);
	if (probe_ike.release != NULL)
		probe_ike.release(&ctx);

	/* RFC 5905 client request: version 4, mode 3, all zero but the
	 * transmit timestamp: now, its low 16 bits the conversation id */
	ctx.step = 0;
	buf_reset(&out);
	assert_int_equal(probe_ntp.build(&ctx, &out), 0);
	assert_int_equal(out.len, 48);
	memset(want, 0, 48);
	want[0] = 0x23;
	assert_memory_equal(out.data, want, 40);
	sec = (uint64_t)(uint8_t)out.data[40] << 24 |
	    (uint64_t)(uint8_t)out.data[41] << 16 |
	    (uint64_t)(uint8_t)out.data[42] << 8 | (uint8_t)out.data[43];
	assert_true(sec + 60 >= (uint64_t)time(NULL) + 2208988800u &&
	    sec <= (uint64_t)time(NULL) + 2208988800u + 60);
	assert_int_equal((uint8_t)out.data[46] << 8 | (uint8_t)out.data[47],
	    XID & 0xffff);

	/* RFC 959: nothing before the greeting, then USER and PASS, one
	 * step each, and nothing after */
	buf_reset(&out);
	ctx.step = 0;
	assert_int_equal(probe_ftp.build(&ctx, &out), 1);
	assert_int_equal(out.len, 0);
	ctx.step = 1;
	assert_int_equal(probe_ftp.build(&ctx, &out), 0);
	assert_int_equal(out.len, 16);
	assert_memory_equal(out.data, "USER anonymous\r\n", 16);
	buf_reset(&out);
	ctx.step = 2;
	assert_int_equal(probe_ftp.build(&ctx, &out), 0);
	assert_int_equal(out.len, 17);
	assert_memory_equal(out.data, "PASS portscope@\r\n", 17);
	buf_reset(&out);
	ctx.step = 3;
	assert_int_equal(probe_ftp.build(&ctx, &out), -1);
	if (probe_ftp.release != NULL)
		probe_ftp.release(&ctx);
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
		cmocka_unit_test(test_rpc_cut_short),
		cmocka_unit_test(test_rpc_datagram),
		cmocka_unit_test(test_snmp_wrong_community),
		cmocka_unit_test(test_requests_whole),
		cmocka_unit_test(test_hostile_text),
		cmocka_unit_test(test_sections),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
