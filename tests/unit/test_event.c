/* Unit tests of the change-event formats (output/event.c): the text line
 * of each kind and the JSON members, on hand-built snapshots. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "output/event.h"
#include "util/xmalloc.h"

/* One row: 127.0.0.1 (or ::1 with v6) on both ends, remote 0.0.0.0:0 when
 * rport is 0; owners are pids (0 ends), each a process named in procs. */
struct spec {
	uint64_t	inode;
	uint8_t		proto;
	int		v6;
	uint16_t	lport, rport;
	uint8_t		state;
	uint8_t		missing;
	uint32_t	pids[2];
};

static const struct {
	uint32_t	 pid;
	const char	*comm, *exe;
} procs[] = {
	{ 100, "nginx", "/usr/sbin/nginx" },
	{ 101, "nginx", "/usr/sbin/nginx" },
	{ 102, "evil\x1b[31m", "/tmp/a\nb" },
};
#define NPROCS (sizeof(procs) / sizeof(procs[0]))

static void
build(struct snapshot *s, const struct spec *sp, size_t n)
{
	struct sock_row *r;
	size_t i, j, k;

	memset(s, 0, sizeof(*s));
	s->socks = xcalloc(n + 1, sizeof(*s->socks));
	s->owners = xcalloc(2 * n + 1, sizeof(*s->owners));
	s->scan.procs = xcalloc(NPROCS, sizeof(*s->scan.procs));
	s->scan.nprocs = NPROCS;
	for (k = 0; k < NPROCS; k++) {
		s->scan.procs[k].pid = (pid_t)procs[k].pid;
		snprintf(s->scan.procs[k].comm, sizeof(s->scan.procs[k].comm), "%s",
		    procs[k].comm);
		s->scan.procs[k].exe = xstrdup(procs[k].exe);
	}
	s->nsocks = n;
	for (i = 0; i < n; i++) {
		r = &s->socks[i];
		r->inode = sp[i].inode;
		r->proto = sp[i].proto;
		r->family = sp[i].v6 ? AF_INET6 : AF_INET;
		r->lport = sp[i].lport;
		r->rport = sp[i].rport;
		r->state = sp[i].state;
		if (sp[i].v6) {
			r->laddr[15] = 1;
			if (sp[i].rport)
				r->raddr[15] = 1;
		} else {
			r->laddr[0] = 127;
			r->laddr[3] = 1;
			if (sp[i].rport) {
				r->raddr[0] = 127;
				r->raddr[3] = 1;
			}
		}
		r->owner = OWNER_NONE;
		r->missing = sp[i].missing;
		for (j = 2; j-- > 0;) {
			if (sp[i].pids[j] == 0)
				continue;
			for (k = 0; procs[k].pid != sp[i].pids[j]; k++)
				;
			s->owners[s->nowners].pid = sp[i].pids[j];
			s->owners[s->nowners].fd = 3;
			s->owners[s->nowners].proc = (uint32_t)k;
			s->owners[s->nowners].next = r->owner;
			r->owner = (uint32_t)s->nowners++;
		}
	}
	u64map_init(&s->by_inode, n);
}

/* The text of the event of kind between row 0 of before and row 0 of after
 * (a missing side given as NULL). */
static char *
text(enum diff_kind kind, const struct spec *b, const struct spec *a, int initial)
{
	struct snapshot sb, sa;
	struct diff_event e;
	struct buf out;

	build(&sb, b, b != NULL);
	build(&sa, a, a != NULL);
	e.kind = kind;
	e.before = b ? &sb.socks[0] : NULL;
	e.after = a ? &sa.socks[0] : NULL;
	buf_init(&out);
	event_text(&out, "16:30:02.123", &e, &sb, &sa, initial);
	snapshot_release(&sb);
	snapshot_release(&sa);
	return buf_detach(&out);
}

static char *
json(enum diff_kind kind, const struct spec *b, const struct spec *a)
{
	struct snapshot sb, sa;
	struct diff_event e;
	struct buf out;

	build(&sb, b, b != NULL);
	build(&sa, a, a != NULL);
	e.kind = kind;
	e.before = b ? &sb.socks[0] : NULL;
	e.after = a ? &sa.socks[0] : NULL;
	buf_init(&out);
	buf_putc(&out, '{');
	event_json(&out, "2026-11-29T16:30:02.123Z", &e, &sb, &sa, 0, 0);
	buf_putc(&out, '}');
	snapshot_release(&sb);
	snapshot_release(&sa);
	return buf_detach(&out);
}

#define EXPECT_TEXT(kind, b, a, initial, want) do {			\
	char *got_ = text(kind, b, a, initial);				\
	assert_string_equal(got_, want);				\
	free(got_);							\
} while (0)

static const struct spec listen80 = { 10, IPPROTO_TCP, 0, 80, 0, TCP_LISTEN, 0, { 100 } };

static void
test_now_and_new(void **state)
{
	static const struct spec v6 = { 11, IPPROTO_TCP, 1, 443, 5000, TCP_ESTABLISHED, 0,
	    { 100, 101 } };

	(void)state;
	EXPECT_TEXT(DIFF_NEW, NULL, &listen80, 1,
	    "16:30:02.123  NOW    TCP  127.0.0.1:80            *:*                     "
	    "LISTEN       pid 100 nginx (/usr/sbin/nginx)\n");
	EXPECT_TEXT(DIFF_NEW, NULL, &v6, 0,
	    "16:30:02.123  NEW    TCP  [::1]:443               [::1]:5000              "
	    "ESTABLISHED  pid 100 nginx (/usr/sbin/nginx), pid 101 nginx (/usr/sbin/nginx)\n");
}

static void
test_state(void **state)
{
	static const struct spec b = { 12, IPPROTO_UDP, 0, 6000, 0, TCP_CLOSE, 0, { 100 } };
	static const struct spec a = { 12, IPPROTO_UDP, 0, 6000, 53, TCP_ESTABLISHED, 0, { 100 } };
	static const struct spec syn = { 13, IPPROTO_TCP, 0, 5000, 80, TCP_SYN_SENT, 0, { 100 } };
	static const struct spec est = { 13, IPPROTO_TCP, 0, 5000, 80, TCP_ESTABLISHED, 0, { 100 } };
	char *got;

	(void)state;
	EXPECT_TEXT(DIFF_STATE, &syn, &est, 0,
	    "16:30:02.123  STATE  TCP  127.0.0.1:5000          127.0.0.1:80            "
	    "SYN_SENT -> ESTABLISHED pid 100 nginx (/usr/sbin/nginx)\n");
	/* a new remote end says what it was */
	EXPECT_TEXT(DIFF_STATE, &b, &a, 0,
	    "16:30:02.123  STATE  UDP  127.0.0.1:6000          127.0.0.1:53            "
	    "UNCONN -> ESTABLISHED (was 127.0.0.1:6000 *:*) pid 100 nginx (/usr/sbin/nginx)\n");
	got = json(DIFF_STATE, &b, &a);
	assert_non_null(strstr(got, "{\"ts\":\"2026-11-29T16:30:02.123Z\",\"event\":\"state\","
	    "\"proto\":\"udp\",\"family\":4,\"local_addr\":\"127.0.0.1\",\"local_port\":6000,"
	    "\"remote_addr\":\"127.0.0.1\",\"remote_port\":53,\"state\":\"ESTABLISHED\""));
	assert_non_null(strstr(got, ",\"old_state\":\"UNCONN\",\"old_remote_addr\":\"0.0.0.0\","
	    "\"old_remote_port\":0}"));
	free(got);
}

static void
test_owner(void **state)
{
	static const struct spec two = { 10, IPPROTO_TCP, 0, 80, 0, TCP_LISTEN, 0, { 100, 101 } };
	static const struct spec child = { 10, IPPROTO_TCP, 0, 80, 0, TCP_LISTEN, 0, { 101 } };
	static const struct spec orphan = { 0, IPPROTO_TCP, 0, 80, 0, TCP_LISTEN, OWNER_ORPHAN,
	    { 0 } };
	char *got;

	(void)state;
	EXPECT_TEXT(DIFF_OWNER, &listen80, &two, 0,
	    "16:30:02.123  OWNER  TCP  127.0.0.1:80            *:*                     "
	    "LISTEN       +pid 101 nginx (/usr/sbin/nginx)\n");
	EXPECT_TEXT(DIFF_OWNER, &listen80, &child, 0,
	    "16:30:02.123  OWNER  TCP  127.0.0.1:80            *:*                     "
	    "LISTEN       +pid 101 nginx (/usr/sbin/nginx), -pid 100 nginx (/usr/sbin/nginx)\n");
	EXPECT_TEXT(DIFF_OWNER, &two, &orphan, 0,
	    "16:30:02.123  OWNER  TCP  127.0.0.1:80            *:*                     "
	    "LISTEN       -pid 100 nginx (/usr/sbin/nginx), -pid 101 nginx (/usr/sbin/nginx) "
	    "(now no owner)\n");
	got = json(DIFF_OWNER, &listen80, &child);
	assert_non_null(strstr(got, ",\"owners_added\":[101],\"owners_gone\":[100]}"));
	free(got);
	got = json(DIFF_OWNER, &two, &orphan);
	assert_non_null(strstr(got, "\"owners\":[],\"owner_missing\":\"no owner\","
	    "\"owners_added\":[],\"owners_gone\":[100,101]}"));
	free(got);
}

static void
test_gone_and_missing_owners(void **state)
{
	static const struct spec tw = { 0, IPPROTO_TCP, 0, 80, 5000, TCP_TIME_WAIT, OWNER_ORPHAN,
	    { 0 } };
	static const struct spec denied = { 14, IPPROTO_TCP, 0, 80, 5001, TCP_ESTABLISHED,
	    OWNER_DENIED, { 0 } };
	char *got;

	(void)state;
	EXPECT_TEXT(DIFF_GONE, &listen80, NULL, 0,
	    "16:30:02.123  GONE   TCP  127.0.0.1:80            *:*                     "
	    "was LISTEN   was held by pid 100 nginx (/usr/sbin/nginx)\n");
	EXPECT_TEXT(DIFF_GONE, &tw, NULL, 0,
	    "16:30:02.123  GONE   TCP  127.0.0.1:80            127.0.0.1:5000          "
	    "was TIME_WAIT\n");
	EXPECT_TEXT(DIFF_NEW, NULL, &denied, 0,
	    "16:30:02.123  NEW    TCP  127.0.0.1:80            127.0.0.1:5001          "
	    "ESTABLISHED  owner unknown: not permitted\n");
	/* a gone event describes the socket as last seen */
	got = json(DIFF_GONE, &listen80, NULL);
	assert_non_null(strstr(got, "\"event\":\"gone\",\"proto\":\"tcp\""));
	assert_non_null(strstr(got, "\"state\":\"LISTEN\""));
	assert_non_null(strstr(got, "\"owners\":[{\"pid\":100,\"fd\":3,\"comm\":\"nginx\","
	    "\"exe\":\"/usr/sbin/nginx\"}]}"));
	free(got);
}

static void
test_hostile_names_are_escaped(void **state)
{
	static const struct spec s = { 15, IPPROTO_TCP, 0, 80, 0, TCP_LISTEN, 0, { 102 } };
	char *got;

	(void)state;
	EXPECT_TEXT(DIFF_NEW, NULL, &s, 0,
	    "16:30:02.123  NEW    TCP  127.0.0.1:80            *:*                     "
	    "LISTEN       pid 102 evil\\x1b[31m (/tmp/a\\x0ab)\n");
	got = json(DIFF_NEW, NULL, &s);
	assert_non_null(strstr(got, "\"comm\":\"evil\\u001b[31m\",\"exe\":\"/tmp/a\\nb\""));
	free(got);
}

static void
test_process_block(void **state)
{
	struct proc_info p, mods;
	struct buf b;

	(void)state;
	memset(&p, 0, sizeof(p));
	memset(&mods, 0, sizeof(mods));
	p.pid = 100;
	strcpy(p.comm, "nginx");
	p.exe = "/usr/sbin/nginx";
	p.cmdline = "nginx -g daemon off;";
	p.user = "www-data";
	p.unit = "nginx.service";
	mods.modules = (struct proc_module[]){ { 0x55d0c0a00000ULL, "/usr/sbin/nginx" },
	    { 0x7f0000001000ULL, "/usr/lib/x86_64-linux-gnu/libc.so.6" } };
	mods.nmodules = 2;
	buf_init(&b);
	event_process_text(&b, &p, &mods);
	assert_string_equal(buf_str(&b),
	    "    Process ID: 100 (nginx)\n"
	    "      Executable:   /usr/sbin/nginx\n"
	    "      Command line: nginx -g daemon off;\n"
	    "      User:         www-data\n"
	    "      Unit:         nginx.service\n"
	    "      Module Information:\n"
	    "        0x000055d0c0a00000  /usr/sbin/nginx\n"
	    "        0x00007f0000001000  /usr/lib/x86_64-linux-gnu/libc.so.6\n");
	buf_reset(&b);
	event_process_json(&b, &p, &mods);
	assert_string_equal(buf_str(&b),
	    "{\"pid\":100,\"comm\":\"nginx\",\"exe\":\"/usr/sbin/nginx\",\"user\":\"www-data\","
	    "\"cmdline\":\"nginx -g daemon off;\",\"start_time\":0,\"unit\":\"nginx.service\","
	    "\"container\":null,\"modules\":[{\"base\":\"0x55d0c0a00000\",\"path\":\"/usr/sbin/nginx\"},"
	    "{\"base\":\"0x7f0000001000\",\"path\":\"/usr/lib/x86_64-linux-gnu/libc.so.6\"}]}");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_now_and_new),
		cmocka_unit_test(test_state),
		cmocka_unit_test(test_owner),
		cmocka_unit_test(test_gone_and_missing_owners),
		cmocka_unit_test(test_hostile_names_are_escaped),
		cmocka_unit_test(test_process_block),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
