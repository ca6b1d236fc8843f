/* Unit tests of the DNS probe (query/probe_dns.c): the query it builds and
 * what it makes of well-formed, negative and hostile replies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "query/probe.h"

extern const struct probe probe_dns;

/* A reply to id 0xbeef built from the header flags and the sections. */
static size_t
reply(uint8_t *out, uint16_t flags, uint16_t qd, uint16_t an,
    const void *body, size_t blen)
{
	uint8_t h[12] = { 0xbe, 0xef, (uint8_t)(flags >> 8), (uint8_t)flags,
	    0, (uint8_t)qd, 0, (uint8_t)an, 0, 0, 0, 0 };

	memcpy(out, h, 12);
	memcpy(out + 12, body, blen);
	return 12 + blen;
}

static enum probe_status
parse(const uint8_t *p, size_t n, struct probe_report *r)
{
	struct probe_ctx ctx;

	memset(&ctx, 0, sizeof(ctx));
	ctx.xid = 0xbeef;
	probe_report_init(r);
	return probe_dns.parse(&ctx, p, n, r);
}

static void
test_build(void **state)
{
	static const uint8_t want[] = {
		0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
		7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0,
		0x00, 0x10, 0x00, 0x03,
	};
	struct probe_ctx ctx;
	struct buf b;

	(void)state;
	memset(&ctx, 0, sizeof(ctx));
	ctx.xid = 0xab1234;	/* only the low 16 bits are the DNS id */
	buf_init(&b);
	assert_int_equal(probe_dns.build(&ctx, &b), 0);
	assert_int_equal(b.len, sizeof(want));
	assert_memory_equal(b.data, want, sizeof(want));
	buf_release(&b);
	assert_int_equal(probe_dns.port, 53);
	assert_int_equal(probe_dns.proto, IPPROTO_UDP);
}

/* The question of the probe, as servers echo it. */
static const uint8_t question[] = {
	7, 'v', 'e', 'r', 's', 'i', 'o', 'n', 4, 'b', 'i', 'n', 'd', 0,
	0x00, 0x10, 0x00, 0x03,
};

static void
test_txt_answer(void **state)
{
	uint8_t body[128], msg[160];
	struct probe_report r;
	size_t n = 0;

	(void)state;
	memcpy(body, question, sizeof(question));
	n = sizeof(question);
	/* answer: pointer to the question name, TXT CH, ttl 0, "v1" "x\001" */
	memcpy(body + n, "\xc0\x0c\x00\x10\x00\x03\x00\x00\x00\x00\x00\x06"
	    "\x02v1\x02x\x01", 18);
	n += 18;
	n = reply(msg, 0x8400, 1, 1, body, n);
	assert_int_equal(parse(msg, n, &r), PROBE_DONE);
	assert_string_equal(r.reason, "dns reply");
	assert_string_equal(buf_str(&r.text),
	    "  DNS reply: NOERROR, 1 answer, authoritative\n"
	    "    version.bind TXT \"v1 x\\x01\"\n");
	assert_string_equal(buf_str(&r.json),
	    "\"rcode\":\"NOERROR\",\"authoritative\":true,\"truncated\":false,"
	    "\"answer_count\":1,\"answers\":[{\"name\":\"version.bind\","
	    "\"type\":\"TXT\",\"data\":\"v1 x\\u0001\"}]");
	probe_report_release(&r);
}

static void
test_negative_is_listening(void **state)
{
	struct probe_report r;
	uint8_t msg[64];
	size_t n;

	(void)state;
	n = reply(msg, 0x8005, 1, 0, question, sizeof(question));	/* REFUSED */
	assert_int_equal(parse(msg, n, &r), PROBE_DONE);
	assert_string_equal(buf_str(&r.text), "  DNS reply: REFUSED, 0 answers\n");
	probe_report_release(&r);
	n = reply(msg, 0x800e, 0, 0, "", 0);	/* unassigned rcode 14 */
	assert_int_equal(parse(msg, n, &r), PROBE_DONE);
	assert_string_equal(buf_str(&r.text), "  DNS reply: RCODE14, 0 answers\n");
	probe_report_release(&r);
}

static void
test_a_and_aaaa(void **state)
{
	uint8_t body[128], msg[160];
	struct probe_report r;
	size_t n;

	(void)state;
	memcpy(body, "\x00\x00\x01\x00\x01\x00\x00\x00\x05\x00\x04\x0a\x00\x00\x09"
	    "\x00\x00\x1c\x00\x01\x00\x00\x00\x05\x00\x10"
	    "\xfd\x31\x02\x31\0\0\0\0\0\0\0\0\0\0\0\x09", 42);
	n = reply(msg, 0x8180, 0, 2, body, 42);
	assert_int_equal(parse(msg, n, &r), PROBE_DONE);
	assert_string_equal(buf_str(&r.text),
	    "  DNS reply: NOERROR, 2 answers\n"
	    "    . A 10.0.0.9\n"
	    "    . AAAA fd31:231::9\n");
	probe_report_release(&r);
}

static void
test_malformed(void **state)
{
	uint8_t msg[600];
	struct probe_report r;
	size_t n;

	(void)state;
	/* too short, wrong id, a query rather than a response */
	assert_int_equal(parse((const uint8_t *)"\xbe\xef\x84", 3, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	n = reply(msg, 0x8400, 0, 0, "", 0);
	msg[1] = 0xee;
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	n = reply(msg, 0x0000, 0, 0, "", 0);
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	/* a name pointing at itself, and forward */
	n = reply(msg, 0x8400, 1, 0, "\xc0\x0c\x00\x10\x00\x03", 6);
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	n = reply(msg, 0x8400, 1, 0, "\xc0\x20\x00\x10\x00\x03", 6);
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	/* rdata longer than the message, TXT string past its rdata */
	n = reply(msg, 0x8400, 0, 1, "\x00\x00\x10\x00\x03\0\0\0\0\x01\xf4\x03" "abc", 15);
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	n = reply(msg, 0x8400, 0, 1, "\x00\x00\x10\x00\x03\0\0\0\0\x00\x03\x09" "ab", 14);
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	/* an A record of 3 bytes */
	n = reply(msg, 0x8400, 0, 1, "\x00\x00\x01\x00\x01\0\0\0\0\x00\x03\x01\x02\x03", 14);
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
	/* a name over 255 bytes */
	memset(msg + 12, 0, sizeof(msg) - 12);
	n = reply(msg, 0x8400, 1, 0, "", 0);
	for (int i = 0; i < 5; i++) {
		msg[n] = 63;
		memset(msg + n + 1, 'a', 63);
		n += 64;
	}
	n += 5;
	assert_int_equal(parse(msg, n, &r), PROBE_MALFORMED);
	probe_report_release(&r);
}

static void
test_truncated_answers_ok(void **state)
{
	struct probe_report r;
	uint8_t msg[64];
	size_t n;

	(void)state;
	/* TC set: answers cut short are expected, the header counts */
	n = reply(msg, 0x8600, 0, 3, "\x00\x00\x01\x00\x01\0\0\0\0\x00\x04\x0a\0\0\x01\x00", 16);
	assert_int_equal(parse(msg, n, &r), PROBE_DONE);
	assert_string_equal(buf_str(&r.text),
	    "  DNS reply: NOERROR, 3 answers, authoritative, truncated\n"
	    "    . A 10.0.0.1\n");
	probe_report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_txt_answer),
		cmocka_unit_test(test_negative_is_listening),
		cmocka_unit_test(test_a_and_aaaa),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_truncated_answers_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
