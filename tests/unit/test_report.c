/* Unit tests of report's model and renderers (src/report/): CIDR matching
 * for --remotes-of-interest, the text table within 100 columns with long
 * text cut and marked, CSV quoting, a column null in every row hidden in
 * text but kept in CSV; and the engine's pieces: the union of intervals
 * (against a brute-force count), the order by start, the string table,
 * and local hours and days across daylight-saving changes; --resolve's
 * names line and which DNS names it keeps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "report/intern.h"
#include "report/report.h"
#include "report/resolve.h"
#include "report/span.h"
#include "report/tz.h"
#include "util/buf.h"

static void
test_cidr(void **state)
{
	(void)state;
	assert_int_equal(rep_cidr_match("10.0.0.0/8", "10.200.3.4"), 1);
	assert_int_equal(rep_cidr_match("10.0.0.0/8", "11.0.0.1"), 0);
	assert_int_equal(rep_cidr_match("192.168.1.0/25", "192.168.1.127"), 1);
	assert_int_equal(rep_cidr_match("192.168.1.0/25", "192.168.1.128"), 0);
	assert_int_equal(rep_cidr_match("127.0.0.1", "127.0.0.1"), 1);
	assert_int_equal(rep_cidr_match("127.0.0.1", "127.0.0.2"), 0);
	assert_int_equal(rep_cidr_match("0.0.0.0/0", "8.8.8.8"), 1);
	assert_int_equal(rep_cidr_match("2001:db8::/32", "2001:db8:1::5"), 1);
	assert_int_equal(rep_cidr_match("2001:db8::/32", "2001:db9::5"), 0);
	assert_int_equal(rep_cidr_match("2001:db8::/32", "10.0.0.1"), 0);
	assert_int_equal(rep_cidr_match("10.0.0.0/33", "10.0.0.1"), -1);
	assert_int_equal(rep_cidr_match("10.0.0.0/x", NULL), -1);
	assert_int_equal(rep_cidr_match("not-an-address", NULL), -1);
	assert_int_equal(rep_cidr_match("10.0.0.0/8", NULL), 0);
}

static const struct rep_col cols[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "name", "NAME", REP_TEXT, 0 },
	{ "other", "OTHER", REP_TEXT, 0 },
	{ "n", "N", REP_INT, 0 },
	{ "pct", "%", REP_PCT, 0 },
};

/* A report of one table (ports) with rows of the given names. */
static void
one_table(struct report *rep, const char *const *names, size_t n)
{
	struct rep_table *t = &rep->tables[SEC_PORTS];
	struct rep_cell *c;
	size_t i;

	static char host[] = "h", *hosts[] = { host };

	memset(rep, 0, sizeof(*rep));
	rep->nhosts = 1;
	rep->hosts = hosts;
	t->sec = SEC_PORTS;
	t->name = "ports";
	t->title = "Ports";
	t->cols = cols;
	t->ncols = 5;
	rep->want[SEC_PORTS] = 1;
	for (i = 0; i < n; i++) {
		c = rep_row(t);
		rep_set_text(&c[0], "h");
		rep_set_text(&c[1], names[i]);
		rep_set_text(&c[2], names[i]);
		rep_set_int(&c[3], (int64_t)i * 1000);
		rep_set_pct(&c[4], 12.345);
	}
}

static void
free_table(struct report *rep)
{
	size_t i;

	for (i = 0; i < rep->tables[SEC_PORTS].cells.n; i++)
		free(rep->tables[SEC_PORTS].cells.v[i].s);
	free(rep->tables[SEC_PORTS].cells.v);
}

static void
test_text_width(void **state)
{
	char longname[200];
	const char *names[] = { "short", longname, "ümlaut ünïcode" };
	struct report rep;
	struct buf b;
	const char *p, *nl;
	size_t w;

	(void)state;
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	one_table(&rep, names, 3);
	buf_init(&b);
	render_text(&rep, &b);
	for (p = buf_str(&b); *p; p = nl + 1) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		for (w = 0; p < nl; p++)
			w += ((unsigned char)*p & 0xc0) != 0x80;
		assert_true(w <= 100);
	}
	assert_non_null(strstr(buf_str(&b), "xxx~"));		/* cut, marked */
	assert_non_null(strstr(buf_str(&b), "ümlaut ünïcode"));	/* not cut */
	assert_non_null(strstr(buf_str(&b), " 12.3\n"));
	assert_null(strstr(buf_str(&b), "HOST"));		/* one host: no column */
	buf_release(&b);
	free_table(&rep);
}

static void
test_csv_quoting(void **state)
{
	const char *names[] = { "a,b", "say \"hi\"", "plain" };
	struct report rep;
	struct buf b;

	(void)state;
	one_table(&rep, names, 3);
	buf_init(&b);
	render_csv(&rep, SEC_PORTS, &b);
	assert_string_equal(buf_str(&b),
	    "host,name,other,n,pct\r\n"
	    "h,\"a,b\",\"a,b\",0,12.345\r\n"
	    "h,\"say \"\"hi\"\"\",\"say \"\"hi\"\"\",1000,12.345\r\n"
	    "h,plain,plain,2000,12.345\r\n");
	buf_release(&b);
	free_table(&rep);
}

/* Two machines of one long hostname stay apart in text's narrow HOST
 * column: the hostname is cut, the machine id kept. */
static void
test_text_host_cut(void **state)
{
	const char *names[] = { "a", "b" };
	static char h1[] = "webserver-prod-01 (1a1a1a1a)", h2[] = "webserver-prod-01 (2b2b2b2b)";
	static char *hosts[] = { h1, h2 };
	struct report rep;
	struct buf b;

	(void)state;
	one_table(&rep, names, 2);
	rep.nhosts = 2;
	rep.hosts = hosts;
	rep_set_text(&rep.tables[SEC_PORTS].cells.v[0], h1);
	rep_set_text(&rep.tables[SEC_PORTS].cells.v[5], h2);
	buf_init(&b);
	render_text(&rep, &b);
	assert_non_null(strstr(buf_str(&b), "\n  webs~ (1a1a1a1a)  a "));
	assert_non_null(strstr(buf_str(&b), "\n  webs~ (2b2b2b2b)  b "));
	buf_release(&b);
	free_table(&rep);
}

/* Text that a spreadsheet would run gets a ' (OWASP); numbers never do. */
static void
test_csv_formula(void **state)
{
	const char *names[] = { "=HYPERLINK(\"http://x\")", "-1", "@a", "+1" };
	struct report rep;
	struct buf b;

	(void)state;
	one_table(&rep, names, 4);
	rep_set_int(&rep.tables[SEC_PORTS].cells.v[3], -1);	/* row 0's n */
	rep_set_pct(&rep.tables[SEC_PORTS].cells.v[4], -0.5);
	buf_init(&b);
	render_csv(&rep, SEC_PORTS, &b);
	assert_string_equal(buf_str(&b),
	    "host,name,other,n,pct\r\n"
	    "h,\"'=HYPERLINK(\"\"http://x\"\")\",\"'=HYPERLINK(\"\"http://x\"\")\",-1,-0.500\r\n"
	    "h,\"'-1\",\"'-1\",1000,12.345\r\n"
	    "h,\"'@a\",\"'@a\",2000,12.345\r\n"
	    "h,\"'+1\",\"'+1\",3000,12.345\r\n");
	buf_release(&b);
	free_table(&rep);
}

/* A column with no value in any row: not in text, still in CSV; with a
 * value in one row, in text again. */
static void
test_null_column(void **state)
{
	const char *names[] = { "a", "b" };
	struct report rep;
	struct buf b;

	(void)state;
	one_table(&rep, names, 2);
	rep_set_text(&rep.tables[SEC_PORTS].cells.v[2], NULL);	/* row 0, "other" */
	rep_set_text(&rep.tables[SEC_PORTS].cells.v[5 + 2], NULL);	/* row 1 */
	buf_init(&b);
	render_text(&rep, &b);
	assert_null(strstr(buf_str(&b), "OTHER"));
	assert_non_null(strstr(buf_str(&b), "NAME"));
	buf_reset(&b);
	render_csv(&rep, SEC_PORTS, &b);
	assert_string_equal(buf_str(&b), "host,name,other,n,pct\r\n"
	    "h,a,,0,12.345\r\nh,b,,1000,12.345\r\n");
	rep_set_text(&rep.tables[SEC_PORTS].cells.v[5 + 2], "x");
	rep_row(&rep.tables[SEC_PORTS]);	/* a new row: the answer is asked again */
	buf_reset(&b);
	render_text(&rep, &b);
	assert_non_null(strstr(buf_str(&b), "OTHER"));
	buf_release(&b);
	free_table(&rep);
}

/* The union's length counted unit by unit over [0, 400). */
static int64_t
brute_union(const int64_t *t0, const int64_t *t1, size_t n)
{
	static unsigned char cover[400];
	int64_t len = 0, u;
	size_t i;

	memset(cover, 0, sizeof(cover));
	for (i = 0; i < n; i++)
		for (u = t0[i]; u < t1[i]; u++)
			cover[u] = 1;
	for (u = 0; u < 400; u++)
		len += cover[u];
	return len;
}

static void
test_span_union(void **state)
{
	/* nested, touching, equal starts, empty and reversed */
	const int64_t a0[] = { 10, 12, 20, 20, 30, 35, 50, 60 };
	const int64_t a1[] = { 20, 15, 25, 22, 30, 33, 60, 70 };
	int64_t t0[64], t1[64];
	unsigned seed = 12345;
	size_t n, i;
	int round;

	(void)state;
	assert_int_equal(span_union(a0, a1, 8), 10 + 5 + 10 + 10);
	assert_int_equal(span_union(a0, a1, 0), 0);
	/* the same intervals in reverse: the order they are given in does
	 * not matter */
	for (i = 0; i < 8; i++) {
		t0[i] = a0[7 - i];
		t1[i] = a1[7 - i];
	}
	assert_int_equal(span_union(t0, t1, 8), 35);
	for (round = 0; round < 2000; round++) {
		n = 1 + rand_r(&seed) % 64;
		for (i = 0; i < n; i++) {
			t0[i] = rand_r(&seed) % 380;
			t1[i] = t0[i] + rand_r(&seed) % 40 - 5;	/* some reversed */
			if (t1[i] > 399)
				t1[i] = 399;
		}
		assert_int_equal(span_union(t0, t1, n), brute_union(t0, t1, n));
	}
}

/* span_order: by key, ties in index order, keys far apart and negative. */
static void
test_span_order(void **state)
{
	const int64_t k[] = { 5, -3, 5, INT64_MAX / 2, -3, 0, (int64_t)1 << 40, 5 };
	const uint32_t want[] = { 1, 4, 5, 0, 2, 7, 6, 3 };
	/* keys inside records: a stride of 2 (key, other) */
	const int64_t rec[] = { 9, 100, 7, 200, 9, 300, 8, 400 };
	const uint32_t want2[] = { 1, 3, 0, 2 };
	uint32_t *o;
	size_t i;

	(void)state;
	o = span_order(k, 1, 8);
	for (i = 0; i < 8; i++)
		assert_int_equal(o[i], want[i]);
	free(o);
	o = span_order(rec, 2, 4);
	for (i = 0; i < 4; i++)
		assert_int_equal(o[i], want2[i]);
	free(o);
}

/* The string table: ids dense and stable, ranks in byte order. */
static void
test_strtab(void **state)
{
	struct strtab t;
	char s[16];
	uint32_t id[500];
	int i;

	(void)state;
	strtab_init(&t);
	for (i = 0; i < 500; i++) {
		snprintf(s, sizeof(s), "s%d", 499 - i);
		id[i] = strtab_intern(&t, s, strlen(s));
		assert_int_equal(id[i], i);
	}
	assert_int_equal(strtab_intern(&t, "s499x", 4), 0);	/* "s499" */
	assert_int_equal(strtab_find(&t, "s0"), 499);
	assert_int_equal(strtab_find(&t, "nope"), STR_NONE);
	assert_string_equal(strtab_str(&t, 10), "s489");
	strtab_rank(&t);
	/* "s0" < "s1" < "s10" < "s100" < ... < "s99" in byte order */
	assert_int_equal(t.rank[strtab_find(&t, "s0")], 0);
	assert_int_equal(t.rank[strtab_find(&t, "s1")], 1);
	assert_int_equal(t.rank[strtab_find(&t, "s10")], 2);
	assert_int_equal(t.rank[strtab_find(&t, "s99")], 499);
	assert_true(strtab_order(&t, STR_NONE) < 0);
	strtab_release(&t);
}

/* ns of a UTC date and time */
static int64_t
utc_ns(int y, int mo, int d, int h, int mi)
{
	struct tm tm = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
	    .tm_min = mi };

	return (int64_t)timegm(&tm) * 1000000000;
}

static void
expect_bucket(const struct tz_map *m, int64_t t, int hour, int32_t day)
{
	int h;
	int32_t dd;

	tz_map_find(m, t, &h, &dd);
	assert_int_equal(h, hour);
	assert_int_equal(dd, day);
}

static void
use_tz(const char *tz)
{
	setenv("TZ", tz, 1);
	tzset();
}

/* New York across both changes of 2026: 8 March 02:00 EST becomes 03:00
 * EDT (07:00 UTC), 1 November 02:00 EDT becomes 01:00 EST (06:00 UTC).
 * Bucketed in UTC, every one of these would be 4 or 5 hours off. */
static void
test_tz_new_york(void **state)
{
	struct tz_map m = { 0 };
	char label[96];
	int h, seen2 = 0;
	int32_t d;
	int64_t t;

	(void)state;
	use_tz("America/New_York");
	tz_map_build(&m, utc_ns(2026, 3, 7, 0, 0), utc_ns(2026, 3, 10, 0, 0));
	expect_bucket(&m, utc_ns(2026, 3, 8, 4, 59), 23, 20260307);	/* 23:59 EST */
	expect_bucket(&m, utc_ns(2026, 3, 8, 5, 0), 0, 20260308);	/* midnight */
	expect_bucket(&m, utc_ns(2026, 3, 8, 6, 59), 1, 20260308);	/* 01:59 EST */
	expect_bucket(&m, utc_ns(2026, 3, 8, 7, 0), 3, 20260308);	/* 03:00 EDT */
	expect_bucket(&m, utc_ns(2026, 3, 9, 3, 59), 23, 20260308);	/* 23:59 EDT */
	expect_bucket(&m, utc_ns(2026, 3, 9, 4, 0), 0, 20260309);
	/* 8 March has no 02:00 */
	for (t = utc_ns(2026, 3, 8, 5, 0); t < utc_ns(2026, 3, 9, 4, 0); t += 60000000000LL) {
		tz_map_find(&m, t, &h, &d);
		seen2 += h == 2;
	}
	assert_int_equal(seen2, 0);
	tz_map_label(&m, label, sizeof(label));
	assert_string_equal(label, "EST, -0500 / EDT, -0400");
	tz_map_release(&m);

	memset(&m, 0, sizeof(m));
	tz_map_build(&m, utc_ns(2026, 10, 31, 0, 0), utc_ns(2026, 11, 3, 0, 0));
	expect_bucket(&m, utc_ns(2026, 11, 1, 5, 30), 1, 20261101);	/* 01:30 EDT */
	expect_bucket(&m, utc_ns(2026, 11, 1, 6, 30), 1, 20261101);	/* 01:30 EST */
	expect_bucket(&m, utc_ns(2026, 11, 1, 7, 30), 2, 20261101);	/* 02:30 EST */
	expect_bucket(&m, utc_ns(2026, 11, 2, 4, 59), 23, 20261101);
	expect_bucket(&m, utc_ns(2026, 11, 2, 5, 0), 0, 20261102);
	tz_map_release(&m);
	use_tz("UTC0");
}

/* Kolkata, +05:30: local hours begin at half past UTC hours. */
static void
test_tz_kolkata(void **state)
{
	struct tz_map m = { 0 };
	char label[96];

	(void)state;
	use_tz("Asia/Kolkata");
	tz_map_name_at(&m, utc_ns(2026, 12, 1, 0, 0));
	tz_map_build(&m, utc_ns(2026, 12, 1, 0, 0), utc_ns(2026, 12, 2, 0, 0));
	expect_bucket(&m, utc_ns(2026, 12, 1, 0, 0), 5, 20261201);	/* 05:30 */
	expect_bucket(&m, utc_ns(2026, 12, 1, 0, 29), 5, 20261201);	/* 05:59 */
	expect_bucket(&m, utc_ns(2026, 12, 1, 0, 30), 6, 20261201);	/* 06:00 */
	expect_bucket(&m, utc_ns(2026, 12, 1, 18, 29), 23, 20261201);	/* 23:59 */
	expect_bucket(&m, utc_ns(2026, 12, 1, 18, 30), 0, 20261202);	/* midnight */
	expect_bucket(&m, utc_ns(2026, 12, 2, 0, 0) + 999999999, 5, 20261202);
	tz_map_label(&m, label, sizeof(label));
	assert_string_equal(label, "IST, +0530");
	tz_map_release(&m);
	/* and in UTC, the same instants */
	use_tz("UTC0");
	memset(&m, 0, sizeof(m));
	tz_map_build(&m, utc_ns(2026, 12, 1, 0, 0), utc_ns(2026, 12, 2, 0, 0));
	expect_bucket(&m, utc_ns(2026, 12, 1, 18, 30), 18, 20261201);
	tz_map_release(&m);
}

static void
test_names_line(void **state)
{
	struct report rep;
	char s[160];

	(void)state;
	memset(&rep, 0, sizeof(rep));
	assert_null(rep_names_str(&rep, s, sizeof(s)));
	rep.names = (struct rep_names){ .asked = 1, .timeout_ms = 2000, .addresses = 40,
	    .named = 28 };
	assert_string_equal(rep_names_str(&rep, s, sizeof(s)), "names: 28 of 40 addresses named");
	rep.names.no_name = 3;
	rep.names.rejected = 1;
	rep.names.unresolved = 8;
	rep.names.timeout_ms = 100;
	assert_string_equal(rep_names_str(&rep, s, sizeof(s)), "names: 28 of 40 addresses "
	    "named, 3 without a name, 1 rejected (not a host name); 8 of 40 names not "
	    "resolved within 0.1 s");
}

static void
test_name_ok(void **state)
{
	char label[80], name[300];

	(void)state;
	assert_true(resolve_name_ok("db1.example.org"));
	assert_true(resolve_name_ok("db1.example.org."));
	assert_true(resolve_name_ok("_gateway"));
	assert_true(resolve_name_ok("x-1.Y_2"));
	assert_false(resolve_name_ok(""));
	assert_false(resolve_name_ok("."));
	assert_false(resolve_name_ok("a..b"));
	assert_false(resolve_name_ok(".a"));
	assert_false(resolve_name_ok("-rf.example"));
	assert_false(resolve_name_ok("a.-b"));
	assert_false(resolve_name_ok("a b"));
	assert_false(resolve_name_ok("<script>.example"));
	assert_false(resolve_name_ok("ev\"il"));
	assert_false(resolve_name_ok("a,b"));
	assert_false(resolve_name_ok("ctl\x1b[31m"));
	assert_false(resolve_name_ok("\xc3\xbc.example"));	/* not ASCII */
	memset(label, 'a', 63);
	label[63] = '\0';
	assert_true(resolve_name_ok(label));
	label[63] = 'a';
	label[64] = '\0';
	assert_false(resolve_name_ok(label));			/* a label of 64 */
	memset(name, 'a', sizeof(name));
	for (size_t i = 60; i < sizeof(name); i += 61)
		name[i] = '.';
	name[253] = '\0';
	assert_true(resolve_name_ok(name));
	name[253] = 'a';
	name[254] = '\0';
	assert_false(resolve_name_ok(name));			/* 254 bytes */
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_formula),
		cmocka_unit_test(test_text_host_cut),
		cmocka_unit_test(test_null_column),
		cmocka_unit_test(test_span_union),
		cmocka_unit_test(test_span_order),
		cmocka_unit_test(test_strtab),
		cmocka_unit_test(test_tz_new_york),
		cmocka_unit_test(test_tz_kolkata),
		cmocka_unit_test(test_names_line),
		cmocka_unit_test(test_name_ok),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
