/* Unit tests of the RFC 5424 writer (output/syslog.c): the header, the
 * structured data, and hostile process names and paths escaped so that
 * a message always parses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "output/syslog.h"

static struct port_event
event(enum ev_type type)
{
	struct port_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.ts_ns = 1764547200123456789ULL;	/* 2025-12-01T00:00:00.123456Z */
	e.pid = 42;
	e.uid = 1000;
	memcpy(e.comm, "curl", 4);
	e.proto = IPPROTO_TCP;
	e.family = AF_INET;
	e.state = 2;	/* SYN_SENT */
	e.lport = 40000;
	e.rport = 443;
	e.laddr[0] = 127;
	e.laddr[3] = 1;
	e.raddr[0] = 10;
	e.raddr[3] = 9;
	e.cookie = 77;
	return e;
}

static void
test_connect(void **state)
{
	struct port_event e = event(EV_CONNECT);
	struct proc_info p;
	struct buf b;

	(void)state;
	memset(&p, 0, sizeof(p));
	p.user = "alice";
	p.exe = "/usr/bin/curl";
	buf_init(&b);
	syslog_format(&b, &e, &p, "host1", 1234);
	assert_string_equal(buf_str(&b),
	    "<30>1 2025-12-01T00:00:00.123456Z host1 portscope 1234 connect "
	    "[portscope@32473 event=\"connect\" proto=\"tcp\" local_addr=\"127.0.0.1\" "
	    "local_port=\"40000\" remote_addr=\"10.0.0.9\" remote_port=\"443\" "
	    "state=\"SYN_SENT\" pid=\"42\" uid=\"1000\" comm=\"curl\" user=\"alice\" "
	    "exe=\"/usr/bin/curl\" cookie=\"77\"] connect tcp 127.0.0.1:40000 -> "
	    "10.0.0.9:443 pid 42 (curl) uid 1000");
	buf_release(&b);
}

static void
test_hostile_names(void **state)
{
	struct port_event e = event(EV_CLOSE);
	struct proc_info p;
	struct buf b;
	const char *sd;

	(void)state;
	memcpy(e.comm, "a\"]\\b\n\xff", 7);
	e.bytes_sent = 5;
	memset(&p, 0, sizeof(p));
	p.exe = "/tmp/x\"] y\\z\t";
	buf_init(&b);
	syslog_format(&b, &e, &p, "h", 1);
	sd = buf_str(&b);
	assert_non_null(strstr(sd, " comm=\"a\\\"\\]\\\\b?" "?\" "));
	assert_non_null(strstr(sd, " exe=\"/tmp/x\\\"\\] y\\\\z?\" "));
	assert_non_null(strstr(sd, " state=\"CLOSED\" "));
	assert_non_null(strstr(sd, " bytes_sent=\"5\" "));
	/* the structured data ends at the first unescaped ']' */
	assert_non_null(strstr(sd, "] close tcp 127.0.0.1:40000 -> 10.0.0.9:443 pid 42 (a\\\"\\]\\\\b?" "?) uid 1000"));
	assert_null(strchr(sd, '\n'));
	buf_release(&b);
}

static void
test_lost_and_no_owner(void **state)
{
	struct port_event e = event(EV_LOST);
	struct buf b;

	(void)state;
	e.count = 12;
	buf_init(&b);
	syslog_format(&b, &e, NULL, "", 9);
	assert_string_equal(buf_str(&b), "<28>1 2025-12-01T00:00:00.123456Z - portscope 9 lost "
	    "[portscope@32473 event=\"lost\" count=\"12\"] lost 12 events");
	buf_reset(&b);
	e = event(EV_LISTEN);
	e.flags = EVF_NO_OWNER;
	e.pid = 0;
	syslog_format(&b, &e, NULL, "h", 9);
	assert_null(strstr(buf_str(&b), "pid="));
	assert_non_null(strstr(buf_str(&b), " no owner known"));
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_connect),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_lost_and_no_owner),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
