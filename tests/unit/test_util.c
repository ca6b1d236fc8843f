/* Unit tests: strtonum, seconds parsing, buf, JSON and text escaping, u64map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "output/json.h"
#include "output/text.h"
#include "util/buf.h"
#include "util/cli.h"
#include "util/strtonum.h"
#include "util/u64map.h"

static void
test_strtonum(void **state)
{
	const char *e;

	(void)state;
	assert_int_equal(strtonum("80", 1, 65535, &e), 80);
	assert_null(e);
	assert_int_equal(strtonum("65535", 1, 65535, &e), 65535);
	assert_null(e);
	strtonum("0", 1, 65535, &e);
	assert_string_equal(e, "too small");
	strtonum("65536", 1, 65535, &e);
	assert_string_equal(e, "too large");
	strtonum("99999999999999999999999", 1, 65535, &e);
	assert_string_equal(e, "too large");
	strtonum("8o", 1, 65535, &e);
	assert_string_equal(e, "invalid");
	strtonum("", 1, 65535, &e);
	assert_string_equal(e, "invalid");
	strtonum(" 80", 1, 65535, &e);
	assert_string_equal(e, "invalid");
	strtonum("-5", 1, 65535, &e);
	assert_string_equal(e, "too small");
	strtonum("+80", 1, 65535, &e);		/* strtoll takes it; a port is digits */
	assert_string_equal(e, "invalid");
	strtonum("80 ", 1, 65535, &e);
	assert_string_equal(e, "invalid");
	strtonum("\t80", 1, 65535, &e);
	assert_string_equal(e, "invalid");
}

static void
test_cli(void **state)
{
	char err[256];
	uint16_t port = 0;
	pid_t pid = 0;
	long long v = 0;

	(void)state;
	assert_int_equal(cli_parse_port("443", &port, err, sizeof(err)), 0);
	assert_int_equal(port, 443);
	assert_int_equal(cli_parse_port("+80", &port, err, sizeof(err)), -1);
	assert_string_equal(err, "bad port '+80': not a number, give 1-65535");
	assert_int_equal(cli_parse_port(" 80", &port, err, sizeof(err)), -1);
	assert_string_equal(err, "bad port ' 80': not a number, give 1-65535");
	assert_int_equal(cli_parse_port("0", &port, err, sizeof(err)), -1);
	assert_string_equal(err, "bad port '0': too small, give 1-65535");
	assert_int_equal(cli_parse_port("65536", &port, err, sizeof(err)), -1);
	assert_string_equal(err, "bad port '65536': too large, give 1-65535");
	assert_int_equal(port, 443);		/* untouched on failure */
	assert_int_equal(cli_parse_pid("4194304", &pid, err, sizeof(err)), 0);
	assert_int_equal(pid, 4194304);
	assert_int_equal(cli_parse_pid("4194305", &pid, err, sizeof(err)), -1);
	assert_string_equal(err, "bad pid '4194305': too large, give 1-4194304");
	assert_int_equal(cli_parse_num("-wt", "seconds", "0x10", 1, 1200, &v, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "bad -wt '0x10': not a number, give 1-1200 seconds");
	assert_int_equal(cli_parse_num("-wt", "seconds", "1200", 1, 1200, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 1200);
	/* seconds: the range as a person writes it, never 8.64e+06 */
	assert_int_equal(cli_parse_seconds("duration", "0", 10, 8640000000LL, &v, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "bad duration '0': too small, give 0.01-8640000 seconds");
	assert_int_equal(cli_parse_seconds("interval", "x", 50, 1200000, &v, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "bad interval 'x': not a number, give 0.05-1200 seconds");
	assert_int_equal(cli_parse_seconds("linger", "-1", 0, 1500, &v, err,
	    sizeof(err)), -1);
	assert_string_equal(err, "bad linger '-1': not a number, give 0-1.5 seconds");
	assert_int_equal(cli_parse_seconds("linger", "1.5", 0, 1500, &v, err,
	    sizeof(err)), 0);
	assert_int_equal(v, 1500);
}

static void
test_seconds(void **state)
{
	long long ms;
	const char *e;

	(void)state;
	assert_int_equal(parse_seconds_ms("60", 1, 1200000, &ms, &e), 0);
	assert_int_equal(ms, 60000);
	assert_int_equal(parse_seconds_ms("0.2", 1, 1200000, &ms, &e), 0);
	assert_int_equal(ms, 200);
	assert_int_equal(parse_seconds_ms("1.2345", 1, 1200000, &ms, &e), 0);
	assert_int_equal(ms, 1234);
	assert_int_equal(parse_seconds_ms(".5", 1, 1200000, &ms, &e), 0);
	assert_int_equal(ms, 500);
	assert_int_equal(parse_seconds_ms("1201", 1, 1200000, &ms, &e), -1);
	assert_string_equal(e, "too large");
	assert_int_equal(parse_seconds_ms("0", 1, 1200000, &ms, &e), -1);
	assert_string_equal(e, "too small");
	assert_int_equal(parse_seconds_ms("1s", 1, 1200000, &ms, &e), -1);
	assert_string_equal(e, "invalid");
	assert_int_equal(parse_seconds_ms(".", 1, 1200000, &ms, &e), -1);
	assert_int_equal(parse_seconds_ms("", 1, 1200000, &ms, &e), -1);
	assert_int_equal(parse_seconds_ms("99999999999999999999", 1, 1200000, &ms, &e), -1);
	assert_string_equal(e, "too large");
}

static void
test_buf(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b);
	buf_add(&b, NULL, 0);		/* nothing to add: NULL is allowed */
	assert_int_equal(b.len, 0);
	buf_puts(&b, "a");
	buf_u64(&b, 0);
	buf_u64(&b, 18446744073709551615ULL);
	buf_i64(&b, -42);
	buf_printf(&b, "[%05d]", 7);
	buf_pad(&b, 3, '.');
	assert_string_equal(buf_str(&b), "a018446744073709551615-42[00007]...");
	s = buf_detach(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
	free(s);
	/* growth across many appends */
	for (int i = 0; i < 100000; i++)
		buf_putc(&b, 'x');
	assert_int_equal(b.len, 100000);
	buf_release(&b);
}

static void
test_json_escape(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	json_strn(&b, "a\"b\\c\n\x01\x7f", 8);
	assert_string_equal(buf_str(&b), "\"a\\\"b\\\\c\\n\\u0001\\u007f\"");
	buf_reset(&b);
	/* C1 controls (CSI U+009B), bidi overrides and isolates (U+202E,
	 * U+2066), marks (U+200F, U+061C) and U+2028 are escaped; other
	 * non-ASCII text (U+00E9, U+20AC) is kept */
	json_str(&b, "\xc2\x9b" "2J \xe2\x80\xae \xe2\x81\xa6 \xe2\x80\x8f \xd8\x9c \xe2\x80\xa8 "
	    "\xc3\xa9\xe2\x82\xac\xc2\xa0");
	assert_string_equal(buf_str(&b), "\"\\u009b2J \\u202e \\u2066 \\u200f \\u061c \\u2028 "
	    "\xc3\xa9\xe2\x82\xac\xc2\xa0\"");
	buf_reset(&b);
	/* valid UTF-8 passes, invalid bytes become U+FFFD */
	json_str(&b, "h\xc3\xa9 \xff\xc3");
	assert_string_equal(buf_str(&b), "\"h\xc3\xa9 \\ufffd\\ufffd\"");
	buf_reset(&b);
	/* an encoded surrogate is not valid UTF-8 */
	json_str(&b, "\xed\xa0\x80");
	assert_string_equal(buf_str(&b), "\"\\ufffd\\ufffd\\ufffd\"");
	buf_reset(&b);
	buf_putc(&b, '{');
	json_kstr(&b, "a", "x");
	json_ku64(&b, "n", 5);
	json_kstr(&b, "z", NULL);
	json_kbool(&b, "t", 1);
	buf_putc(&b, '}');
	assert_string_equal(buf_str(&b), "{\"a\":\"x\",\"n\":5,\"z\":null,\"t\":true}");
	buf_release(&b);
}

static void
test_text(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	text_sanitize(&b, "ok\x1b[31m\r\n\x80", 10, 0);
	assert_string_equal(buf_str(&b), "ok\\x1b[31m\\x0d\\x0a\\x80");
	buf_reset(&b);
	text_sanitize(&b, "a\nb", 3, 1);
	assert_string_equal(buf_str(&b), "a\nb");
	buf_reset(&b);
	csv_field(&b, "plain");
	buf_putc(&b, '|');
	csv_field(&b, "a,\"b\"");
	assert_string_equal(buf_str(&b), "plain|\"a,\"\"b\"\"\"");
	buf_reset(&b);
	csv_field(&b, "x;y");		/* a separator to some spreadsheets */
	assert_string_equal(buf_str(&b), "\"x;y\"");
	buf_reset(&b);
	/* text a spreadsheet would run as a formula: quoted, ' in front */
	csv_field(&b, "=1+1");
	buf_putc(&b, '|');
	csv_field(&b, "+x");
	buf_putc(&b, '|');
	csv_field(&b, "-2+3");
	buf_putc(&b, '|');
	csv_field(&b, "@SUM(A1)");
	buf_putc(&b, '|');
	csv_field(&b, "\tx");
	buf_putc(&b, '|');
	csv_field(&b, "\rx");
	buf_putc(&b, '|');
	csv_field(&b, "=\"a\",b");
	buf_putc(&b, '|');
	csv_field(&b, "a=b");
	buf_putc(&b, '|');
	csv_field(&b, "");
	assert_string_equal(buf_str(&b), "\"'=1+1\"|\"'+x\"|\"'-2+3\"|\"'@SUM(A1)\"|"
	    "\"'\tx\"|\"'\rx\"|\"'=\"\"a\"\",b\"|a=b|");
	buf_reset(&b);
	/* the hostile process name of issue 8: ESC, BEL, ';' and a formula */
	csv_text(&b, "\x1b[2J\x1b]0;x\a;=1+1", ";");
	assert_string_equal(buf_str(&b), "\\x1b[2J\\x1b]0\\x3bx\\x07\\x3b=1+1");
	buf_reset(&b);
	csv_text(&b, "a\\b\x7f\xe2\x80\xae\n", "");
	assert_string_equal(buf_str(&b), "a\\x5cb\\x7f\\xe2\\x80\\xae\\x0a");
	buf_reset(&b);
	text_col(&b, "ab", 5);
	text_col(&b, "toolong", 3);
	assert_string_equal(buf_str(&b), "ab   toolong ");
	buf_release(&b);
}

static void
test_u64map(void **state)
{
	struct u64map m;
	uint64_t k;

	(void)state;
	u64map_init(&m, 50000);
	for (k = 1; k <= 50000; k++)
		assert_int_equal(u64map_put(&m, k * 7919, (uint32_t)k), k);
	assert_int_equal(u64map_put(&m, 7919, 99), 1);	/* present: old value */
	assert_int_equal(m.count, 50000);
	for (k = 1; k <= 50000; k++)
		assert_int_equal(u64map_get(&m, k * 7919), k);
	assert_int_equal(u64map_get(&m, 5), U64MAP_MISSING);
	assert_true(m.mask + 1 >= 100000);
	u64map_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strtonum),
		cmocka_unit_test(test_cli),
		cmocka_unit_test(test_seconds),
		cmocka_unit_test(test_buf),
		cmocka_unit_test(test_json_escape),
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_u64map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
