/* Unit tests of the verdict rules (query/verdict.c) and the service table
 * (query/services.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "query/services.h"
#include "query/verdict.h"

static void
test_names_and_exit_codes(void **state)
{
	(void)state;
	assert_string_equal(verdict_name(VERDICT_LISTENING), "LISTENING");
	assert_string_equal(verdict_name(VERDICT_NOT_LISTENING), "NOT LISTENING");
	assert_string_equal(verdict_name(VERDICT_FILTERED), "FILTERED");
	assert_string_equal(verdict_name(VERDICT_LISTENING_OR_FILTERED),
	    "LISTENING or FILTERED");
	assert_int_equal(verdict_exit_code(VERDICT_LISTENING), 0);
	assert_int_equal(verdict_exit_code(VERDICT_NOT_LISTENING), 1);
	assert_int_equal(verdict_exit_code(VERDICT_FILTERED), 2);
	assert_int_equal(verdict_exit_code(VERDICT_LISTENING_OR_FILTERED), 2);
}

static void
test_icmp4(void **state)
{
	char r[64];

	(void)state;
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 3, 3, r, sizeof(r)),
	    VERDICT_NOT_LISTENING);
	assert_string_equal(r, "icmp port-unreachable");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 3, 13, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp admin-prohibited");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 3, 1, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp host-unreachable");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 3, 10, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp host-prohibited");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 11, 0, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp time-exceeded");
	/* codes without a name, and code 8 (a hole in the table) */
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 3, 8, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp type 3 code 8");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 3, 200, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp type 3 code 200");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 5, 1, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp type 5 code 1");
}

static void
test_icmp6(void **state)
{
	char r[64];

	(void)state;
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V6, 1, 4, r, sizeof(r)),
	    VERDICT_NOT_LISTENING);
	assert_string_equal(r, "icmp6 port-unreachable");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V6, 1, 1, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp6 admin-prohibited");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V6, 1, 3, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp6 addr-unreachable");
	/* ICMPv4's port unreachable (type 3 code 3) is a time exceeded in
	 * v6, and v6's (type 1 code 4) an unassigned type in v4: neither is
	 * NOT LISTENING in the other family */
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V6, 3, 3, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp6 time-exceeded");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V4, 1, 4, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp type 1 code 4");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V6, 3, 0, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp6 time-exceeded");
	assert_int_equal(verdict_from_icmp(ICMP_ORIGIN_V6, 1, 9, r, sizeof(r)),
	    VERDICT_FILTERED);
	assert_string_equal(r, "icmp6 type 1 code 9");
}

static void
test_reason_truncates(void **state)
{
	char r[8];

	(void)state;
	verdict_from_icmp(ICMP_ORIGIN_V4, 3, 13, r, sizeof(r));
	assert_string_equal(r, "icmp ad");
}

static void
test_services(void **state)
{
	char path[] = "/tmp/psq-services.XXXXXX";
	struct services *s;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(f = fdopen(fd, "w"));
	fputs("# comment line\n"
	    "http\t\t80/tcp\t\twww\t# WorldWideWeb HTTP\n"
	    "domain\t\t53/tcp\n"
	    "domain\t\t53/udp\n"
	    "second\t\t80/tcp\n"		/* the first name wins */
	    "broken\t\t99999/tcp\n"	/* out of range: skipped */
	    "noproto\t\t7\n"
	    "sctponly\t9/sctp\n"
	    "\n", f);
	fclose(f);
	s = services_load(path);
	unlink(path);
	assert_string_equal(service_name(s, IPPROTO_TCP, 80), "http");
	/* listed for TCP only: the name serves UDP too, as in PortQry's
	 * table ("UDP port 135 (epmap service)") */
	assert_string_equal(service_name(s, IPPROTO_UDP, 80), "http");
	assert_string_equal(service_name(s, IPPROTO_UDP, 53), "domain");
	assert_null(service_name(s, IPPROTO_TCP, 7));
	assert_null(service_name(s, IPPROTO_TCP, 9));
	services_free(s);
	/* a missing file: an empty table, not a failure */
	s = services_load("/nonexistent/services");
	assert_null(service_name(s, IPPROTO_TCP, 80));
	services_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_and_exit_codes),
		cmocka_unit_test(test_icmp4),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_reason_truncates),
		cmocka_unit_test(test_services),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
