/* Unit tests: BER reading and writing (query/ber.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "query/ber.h"

static void
test_int_round_trip(void **state)
{
	static const int64_t vals[] = { 0, 1, 127, 128, 255, 256, -1, -128,
	    -129, 65507, 0x7fffffff, -0x80000000LL, INT64_MAX, INT64_MIN };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		struct buf b;
		struct ber r, v;
		int64_t got;

		buf_init(&b);
		ber_put_int(&b, BER_INTEGER, vals[i]);
		r.p = (const uint8_t *)b.data;
		r.len = b.len;
		assert_int_equal(ber_expect(&r, BER_INTEGER, &v), 0);
		assert_int_equal(r.len, 0);
		assert_int_equal(ber_int(&v, &got), 0);
		assert_true(got == vals[i]);
		buf_release(&b);
	}
}

static void
test_minimal_int_encoding(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	ber_put_int(&b, BER_INTEGER, 128);
	assert_int_equal(b.len, 4);		/* 02 02 00 80 */
	assert_memory_equal(b.data, "\x02\x02\x00\x80", 4);
	buf_reset(&b);
	ber_put_int(&b, BER_INTEGER, -1);
	assert_memory_equal(b.data, "\x02\x01\xff", 3);
	buf_release(&b);
}

/* ber_end() moves the content when its length needs the long form. */
static void
test_long_lengths(void **state)
{
	struct buf b;
	struct ber r, v, inner;
	uint8_t tag;
	size_t mark, i;
	char big[300];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b);
	mark = ber_begin(&b, BER_SEQUENCE);
	ber_put(&b, BER_OCTETS, big, sizeof(big));
	ber_end(&b, mark);
	assert_int_equal((uint8_t)b.data[1], 0x82);	/* two length bytes */
	r.p = (const uint8_t *)b.data;
	r.len = b.len;
	assert_int_equal(ber_next(&r, &tag, &v), 0);
	assert_int_equal(tag, BER_SEQUENCE);
	assert_int_equal(ber_expect(&v, BER_OCTETS, &inner), 0);
	assert_int_equal(inner.len, sizeof(big));
	for (i = 0; i < inner.len; i++)
		assert_int_equal(inner.p[i], 'x');
	buf_release(&b);
}

static void
test_rejects_bad_lengths(void **state)
{
	static const struct { const char *bytes; size_t n; } bad[] = {
		{ "\x04\x05" "abc", 5 },		/* content cut short */
		{ "\x30\x80\x00\x00", 4 },		/* indefinite length */
		{ "\x04\x85\x01\x00\x00\x00\x00", 7 },	/* 5 length bytes */
		{ "\x04\x84\xff\xff\xff\xff", 6 },	/* huge */
		{ "\x04\x82\x01", 3 },			/* length bytes cut */
		{ "\x1f\x01\x00", 3 },			/* multi-byte tag */
		{ "\x04", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct ber r = { (const uint8_t *)bad[i].bytes, bad[i].n }, v;
		uint8_t tag;

		assert_int_equal(ber_next(&r, &tag, &v), -1);
		assert_int_equal(r.len, bad[i].n);	/* untouched */
	}
}

static void
test_oid_str(void **state)
{
	static const uint8_t sysdescr[] = { 0x2b, 6, 1, 2, 1, 1, 1, 0 };
	static const uint8_t big[] = { 0x2b, 0x86, 0xf7, 0x0d, 0x01 };
	static const uint8_t open[] = { 0x2b, 0x86 };
	struct ber v;
	struct buf b;

	(void)state;
	buf_init(&b);
	v.p = sysdescr;
	v.len = sizeof(sysdescr);
	assert_int_equal(ber_oid_str(&v, &b), 0);
	assert_string_equal(buf_str(&b), "1.3.6.1.2.1.1.1.0");
	buf_reset(&b);
	v.p = big;
	v.len = sizeof(big);
	assert_int_equal(ber_oid_str(&v, &b), 0);
	assert_string_equal(buf_str(&b), "1.3.113549.1");
	buf_reset(&b);
	v.p = open;
	v.len = sizeof(open);
	assert_int_equal(ber_oid_str(&v, &b), -1);
	assert_int_equal(b.len, 0);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_int_round_trip),
		cmocka_unit_test(test_minimal_int_encoding),
		cmocka_unit_test(test_long_lengths),
		cmocka_unit_test(test_rejects_bad_lengths),
		cmocka_unit_test(test_oid_str),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
