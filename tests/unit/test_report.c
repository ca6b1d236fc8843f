/* Unit tests of report's model and renderers (src/report/): CIDR matching
 * for --remotes-of-interest, the text table within 100 columns with long
 * text cut and marked, CSV quoting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "report/report.h"
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

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cidr),
		cmocka_unit_test(test_text_width),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_csv_formula),
		cmocka_unit_test(test_text_host_cut),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
