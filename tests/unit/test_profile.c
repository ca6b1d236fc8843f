/* Unit tests: profile's pure parts -- the --expect file, address scope,
 * module kinds, labels, and joining events with stack snapshots
 * (profile/profile.c, profile/expect.c, unwind/unwind.c). */
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "bpf/profile.h"
#include "profile/profile.h"
#include "profile/render.h"
#include "unwind/unwind.h"

static char *
write_tmp(const char *text)
{
	static char path[64];
	FILE *fp;
	int fd;

	snprintf(path, sizeof(path), "/tmp/test_profile.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	fputs(text, fp);
	fclose(fp);
	return path;
}

static void
test_expect_read(void **state)
{
	struct prof_expect x;
	char err[256], *path;

	(void)state;
	path = write_tmp("# vendor\n\ntcp/443 connect  # updates\n udp/53 send\ntcp/8080 listen\n");
	assert_int_equal(prof_expect_read(path, &x, err, sizeof(err)), 0);
	unlink(path);
	assert_int_equal(x.n, 3);
	assert_int_equal(x.v[0].proto, IPPROTO_TCP);
	assert_int_equal(x.v[0].port, 443);
	assert_int_equal(x.v[0].dir, PD_CONNECT);
	assert_int_equal(x.v[0].lineno, 3);
	assert_int_equal(x.v[1].proto, IPPROTO_UDP);
	assert_int_equal(x.v[1].dir, PD_UDP_TO);
	assert_int_equal(x.v[2].dir, PD_LISTEN);
	free(x.v);
}

static void
test_expect_bad(void **state)
{
	static const struct { const char *text, *why; } bad[] = {
		{ "tcp/0 listen\n", "line 1: bad port '0': too small, give 1-65535" },
		{ "tcp/+80 listen\n", "line 1: bad port '+80': invalid" },
		{ "tcp/80\n", "line 1: give PROTO/PORT DIRECTION" },
		{ "tcp/80 listen now\n", "line 1: give PROTO/PORT DIRECTION" },
		{ "\nicmp/1 send\n", "line 2: bad protocol 'icmp'" },
		{ "tcp/80 serve\n", "line 1: bad direction 'serve'" },
	};
	struct prof_expect x;
	char err[256], *path;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		path = write_tmp(bad[i].text);
		assert_int_equal(prof_expect_read(path, &x, err, sizeof(err)), -1);
		unlink(path);
		assert_non_null(strstr(err, bad[i].why));
	}
}

static void
test_expect_match(void **state)
{
	struct prof_expect_line l = { .proto = IPPROTO_TCP, .dir = PD_LISTEN, .port = 8080 };
	struct prof_port r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.proto = IPPROTO_TCP;
	r.port = 8080;
	r.dir = PD_LISTEN;
	assert_true(prof_expect_match(&l, &r));
	r.dir = PD_ACCEPTED;		/* a documented server port covers its accepts */
	assert_true(prof_expect_match(&l, &r));
	r.dir = PD_CONNECT;
	assert_false(prof_expect_match(&l, &r));
	r.port = 8081;
	r.dir = PD_LISTEN;
	assert_false(prof_expect_match(&l, &r));
	l.proto = r.proto = IPPROTO_UDP;
	l.dir = PD_CONNECT;		/* "udp/53 connect" reads as sending to it */
	l.port = r.port = 53;
	r.dir = PD_UDP_TO;
	assert_true(prof_expect_match(&l, &r));
}

static struct prof_addr
addr(const char *s)
{
	struct prof_addr a;

	memset(&a, 0, sizeof(a));
	a.family = strchr(s, ':') ? AF_INET6 : AF_INET;
	assert_int_equal(inet_pton(a.family, s, a.addr), 1);
	return a;
}

static void
test_scope(void **state)
{
	struct prof_addr a;

	(void)state;
	a = addr("127.0.0.1");
	assert_int_equal(prof_addr_scope(&a), PS_LOOPBACK);
	a = addr("::1");
	assert_int_equal(prof_addr_scope(&a), PS_LOOPBACK);
	a = addr("::ffff:127.0.0.2");
	assert_int_equal(prof_addr_scope(&a), PS_LOOPBACK);
	a = addr("10.1.2.3");
	assert_int_equal(prof_addr_scope(&a), PS_LOCAL);
	a = addr("172.31.0.1");
	assert_int_equal(prof_addr_scope(&a), PS_LOCAL);
	a = addr("172.32.0.1");
	assert_int_equal(prof_addr_scope(&a), PS_BEYOND);
	a = addr("192.168.1.1");
	assert_int_equal(prof_addr_scope(&a), PS_LOCAL);
	a = addr("fe80::1");
	assert_int_equal(prof_addr_scope(&a), PS_LOCAL);
	a = addr("fd00::1");
	assert_int_equal(prof_addr_scope(&a), PS_LOCAL);
	a = addr("8.8.8.8");
	assert_int_equal(prof_addr_scope(&a), PS_BEYOND);
	a = addr("2001:db8::1");
	assert_int_equal(prof_addr_scope(&a), PS_BEYOND);
	a = addr("0.0.0.0");
	assert_true(prof_addr_any(&a));
	a = addr("::");
	assert_true(prof_addr_any(&a));
}

static void
test_module_kind(void **state)
{
	(void)state;
	assert_int_equal(unwind_module_kind("/lib/x86_64-linux-gnu/libc.so.6"), UNWIND_LIBC);
	assert_int_equal(unwind_module_kind("/lib64/ld-linux-x86-64.so.2"), UNWIND_LIBC);
	assert_int_equal(unwind_module_kind("/usr/lib/libpython3.11.so.1.0"), UNWIND_RUNTIME);
	assert_int_equal(unwind_module_kind("/usr/bin/python3.11"), UNWIND_RUNTIME);
	assert_int_equal(unwind_module_kind("/usr/bin/perl"), UNWIND_RUNTIME);
	assert_int_equal(unwind_module_kind("/usr/bin/node"), UNWIND_RUNTIME);
	/* a name that only begins like a runtime's is the application's */
	assert_int_equal(unwind_module_kind("/opt/pythonista/app"), UNWIND_APP);
	assert_int_equal(unwind_module_kind("/usr/bin/nodemon"), UNWIND_APP);
	assert_int_equal(unwind_module_kind("/srv/app"), UNWIND_APP);
	assert_int_equal(unwind_module_kind(
	    "/x/_socket.cpython-311-x86_64-linux-gnu.so"), UNWIND_APP);
}

static void
test_labels(void **state)
{
	struct prof_func f;
	char out[128];

	(void)state;
	memset(&f, 0, sizeof(f));
	f.module = "/srv/bin/app";
	f.func = "fetch_updates";
	prof_func_label(&f, out, sizeof(out));
	assert_string_equal(out, "app!fetch_updates");
	f.func = NULL;
	f.addr = 0x1294;
	prof_func_label(&f, out, sizeof(out));
	assert_string_equal(out, "app+0x1294");
	f.near = "PyInit__socket";
	f.near_off = 0x20;
	prof_func_label(&f, out, sizeof(out));
	assert_string_equal(out, "app+0x1294 (after PyInit__socket+0x20)");
	memset(&f, 0, sizeof(f));
	f.why = "no stack snapshot";
	prof_func_label(&f, out, sizeof(out));
	assert_string_equal(out, "(no stack snapshot)");
}

/* A connect() snapshot of thread tid at ts to port (of a process that
 * does not exist: it cannot be unwound, which says it was joined). */
static void
snap(struct profile *p, uint32_t tid, uint64_t ts, unsigned nr, uint16_t port)
{
	static struct pfk_snap k;
	struct sockaddr_in a;

	memset(&k, 0, sizeof(k));
	k.version = PFK_VERSION;
	k.kind = PFK_KIND_SNAP;
	k.nr = nr;
	k.pid = 4194303;
	k.tid = tid;
	k.ts_ns = ts;
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons(port);
	memcpy(k.addr, &a, sizeof(a) < sizeof(k.addr) ? sizeof(a) : sizeof(k.addr));
	k.addrlen = sizeof(a);
	profile_snapshot(p, &k);
}

static void
event(struct profile *p, uint32_t tid, uint64_t ts, enum ev_type type, uint16_t rport)
{
	struct port_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.pid = 4194303;
	e.tid = tid;
	e.mono_ns = ts;
	e.proto = IPPROTO_TCP;
	e.family = AF_INET;
	e.lport = 40000;
	e.rport = rport;
	e.raddr[0] = 127;
	e.raddr[3] = 1;
	profile_event(p, &e);
}

/* The reason the row's functions give, most frequent first, joined. */
static void
whys(const struct prof_port *r, char *out, size_t outlen)
{
	size_t i, o = 0;

	out[0] = '\0';
	for (i = 0; i < r->funcs.n; i++)
		o += (size_t)snprintf(out + o, outlen - o, "%s%llu:%s", i ? "," : "",
		    (unsigned long long)r->funcs.v[i].count,
		    strstr(r->funcs.v[i].why, "no stack snapshot") ? "none" : "joined");
}

static void
test_join(void **state)
{
	struct profile p;
	char w[256];

	(void)state;
	profile_init(&p, 0);
	snap(&p, 7, 100, PFK_NR_CONNECT, 80);
	event(&p, 7, 150, EV_CONNECT, 80);	/* its own call's snapshot */
	event(&p, 7, 160, EV_CONNECT, 80);	/* a second connect: its snapshot was lost */
	snap(&p, 7, 200, PFK_NR_CONNECT, 81);
	event(&p, 7, 250, EV_CONNECT, 80);	/* the snapshot is of a connect to 81 */
	event(&p, 8, 250, EV_CONNECT, 81);	/* another thread: no snapshot */
	snap(&p, 9, 300, PFK_NR_BIND, 0);
	event(&p, 9, 350, EV_CONNECT, 80);	/* a bind's snapshot is no connect's */
	snap(&p, 10, 500, PFK_NR_CONNECT, 80);
	event(&p, 10, 400, EV_CONNECT, 80);	/* before the only snapshot */
	profile_join(&p);
	profile_finish(&p);
	assert_int_equal(p.ports.n, 2);
	assert_int_equal(p.ports.v[0].port, 80);
	whys(&p.ports.v[0], w, sizeof(w));
	assert_string_equal(w, "4:none,1:joined");
	whys(&p.ports.v[1], w, sizeof(w));
	assert_string_equal(w, "1:none");
	assert_int_equal(p.counts.uses, 6);
	assert_int_equal(p.counts.attributed, 0);
	profile_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_expect_read),
		cmocka_unit_test(test_expect_bad),
		cmocka_unit_test(test_expect_match),
		cmocka_unit_test(test_scope),
		cmocka_unit_test(test_module_kind),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_join),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
