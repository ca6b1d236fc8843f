/* Unit tests: socket state names, address formatting, cgroup parsing, the
 * port bytecode, and the JSON of a socket row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/inet_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "host/proc.h"
#include "host/snapshot.h"
#include "host/sock.h"
#include "host/sockdiag.h"
#include "output/sockrow.h"

static void
test_state_names(void **state)
{
	struct sock_row r = { .proto = IPPROTO_TCP };

	(void)state;
	r.state = TCP_LISTEN;
	assert_string_equal(sock_state_name(&r), "LISTEN");
	assert_string_equal(sock_state_label(&r), "LISTENING");
	r.state = TCP_TIME_WAIT;
	assert_string_equal(sock_state_name(&r), "TIME_WAIT");
	assert_string_equal(sock_state_label(&r), "TIME WAIT");
	r.state = TCP_NEW_SYN_RECV;
	assert_int_equal(TCP_NEW_SYN_RECV, 12);		/* the kernel's numbers */
	assert_int_equal(TCP_BOUND_INACTIVE, 13);
	assert_string_equal(sock_state_name(&r), "SYN_RECV");
	assert_string_equal(sock_state_label(&r), "SYN RECEIVED");
	assert_int_equal(sock_state_canonical(TCP_NEW_SYN_RECV), TCP_SYN_RECV);
	r.state = TCP_CLOSE;
	assert_string_equal(sock_state_name(&r), "CLOSE");
	r.state = TCP_BOUND_INACTIVE;
	assert_string_equal(sock_state_name(&r), "CLOSE");
	assert_string_equal(sock_state_label(&r), "CLOSED");
	assert_int_equal(sock_state_canonical(TCP_BOUND_INACTIVE), TCP_CLOSE);
	assert_int_equal(sock_state_canonical(TCP_LISTEN), TCP_LISTEN);
	r.state = TCP_CLOSE;
	r.proto = IPPROTO_UDP;
	assert_string_equal(sock_state_name(&r), "UNCONN");
	r.state = 200;
	assert_string_equal(sock_state_name(&r), "UNKNOWN");

	assert_int_equal(sock_state_parse("listen"), TCP_LISTEN);
	assert_int_equal(sock_state_parse("LISTENING"), TCP_LISTEN);
	assert_int_equal(sock_state_parse("time-wait"), TCP_TIME_WAIT);
	assert_int_equal(sock_state_parse("TIME WAIT"), TCP_TIME_WAIT);
	assert_int_equal(sock_state_parse("Close_Wait"), TCP_CLOSE_WAIT);
	assert_int_equal(sock_state_parse("unconn"), TCP_CLOSE);
	assert_int_equal(sock_state_parse("fin-wait1"), TCP_FIN_WAIT1);
	/* a name of two states gives the one a filter means */
	assert_int_equal(sock_state_parse("SYN_RECV"), TCP_SYN_RECV);
	assert_int_equal(sock_state_parse("close"), TCP_CLOSE);
	assert_int_equal(sock_state_parse("OPEN"), -1);
	assert_int_equal(sock_state_parse("LISTENX"), -1);
	assert_int_equal(sock_state_parse(""), -1);
}

static void
test_addresses(void **state)
{
	uint8_t a[16] = { 0 };
	struct buf b;

	(void)state;
	buf_init(&b);
	inet_pton(AF_INET, "10.200.3.255", a);
	sock_endpoint(&b, AF_INET, a, 65535);
	assert_string_equal(buf_str(&b), "10.200.3.255:65535");
	buf_reset(&b);
	memset(a, 0, sizeof(a));
	sock_addr(&b, AF_INET, a);
	assert_string_equal(buf_str(&b), "0.0.0.0");
	buf_reset(&b);
	inet_pton(AF_INET6, "fe80::1", a);
	sock_endpoint(&b, AF_INET6, a, 22);
	assert_string_equal(buf_str(&b), "[fe80::1]:22");
	buf_release(&b);
}

static void
test_cgroup(void **state)
{
	char *unit, *ctr;

	(void)state;
	proc_cgroup_parse("/system.slice/ssh.service", &unit, &ctr);
	assert_string_equal(unit, "ssh.service");
	assert_null(ctr);
	free(unit);
	proc_cgroup_parse("/user.slice/user-1000.slice/session-3.scope", &unit, &ctr);
	assert_string_equal(unit, "session-3.scope");
	free(unit);
	proc_cgroup_parse("/system.slice/docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope",
	    &unit, &ctr);
	assert_string_equal(ctr, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
	assert_string_equal(unit,
	    "docker-0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef.scope");
	free(unit);
	free(ctr);
	/* podman under a user session: the deepest unit wins */
	proc_cgroup_parse("/user.slice/user-1000.slice/user@1000.service/user.slice/"
	    "libpod-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope/container",
	    &unit, &ctr);
	assert_string_equal(unit,
	    "libpod-fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210.scope");
	assert_string_equal(ctr, "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210");
	free(unit);
	free(ctr);
	proc_cgroup_parse("/kubepods/besteffort/pod1/0123456789abcdef0123456789abcdef", &unit, &ctr);
	assert_null(unit);
	assert_string_equal(ctr, "0123456789abcdef0123456789abcdef");
	free(ctr);
	proc_cgroup_parse("/", &unit, &ctr);
	assert_null(unit);
	assert_null(ctr);
	proc_cgroup_parse("/init.scopes/x.s", &unit, &ctr);	/* no such suffix */
	assert_null(unit);
	assert_null(ctr);
	proc_cgroup_parse("/system.slice/docker-0123.scope", &unit, &ctr);	/* id too short */
	assert_string_equal(unit, "docker-0123.scope");
	assert_null(ctr);
	free(unit);
}

/* The cgroup v2 mount point from /proc/self/mountinfo, or NULL. */
static char *
cgroup2_mount(void)
{
	char line[4096], mnt[1024], *dash;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (f == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f)) {
		if ((dash = strstr(line, " - cgroup2 ")) == NULL)
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %1023s", mnt) == 1) {
			fclose(f);
			return strdup(mnt);
		}
	}
	fclose(f);
	return NULL;
}

/*
 * A real process in a real cgroup: a child moved into
 * "portscope-test-PID.scope/docker-<64 hex>.scope" under the cgroup v2
 * mount is read back by proc_read_pid with that unit and container id.
 * Needs root and a writable cgroup v2 mount; skipped (and counted so)
 * without them.
 */
static void
test_cgroup_real(void **state)
{
	static const char id[] = "4d1c0ffee0ddba11c0de5eed0123456789abcdef0123456789abcdef01234567";
	char *mnt, outer[1200], inner[1400], procs[1500], num[32], comm[17];
	struct proc_info p;
	int pipefd[2], fd;
	pid_t child;

	(void)state;
	if (geteuid() != 0 || (mnt = cgroup2_mount()) == NULL)
		skip();
	snprintf(outer, sizeof(outer), "%s/portscope-test-%d.scope", mnt, (int)getpid());
	snprintf(inner, sizeof(inner), "%s/docker-%s.scope", outer, id);
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", inner);
	free(mnt);
	if (mkdir(outer, 0755) == -1) {
		skip();
	}
	assert_int_equal(mkdir(inner, 0755), 0);
	assert_int_equal(pipe(pipefd), 0);
	if ((child = fork()) == 0) {
		char c;
		close(pipefd[1]);
		(void)!read(pipefd[0], &c, 1);
		_exit(0);
	}
	assert_true(child > 0);
	fd = open(procs, O_WRONLY);
	assert_true(fd >= 0);
	snprintf(num, sizeof(num), "%d", (int)child);
	assert_int_equal(write(fd, num, strlen(num)), (ssize_t)strlen(num));
	close(fd);

	assert_int_equal(proc_read_pid(child, 0, PROC_BASIC | PROC_FULL, &p), 0);
	snprintf(comm, sizeof(comm), "%s", p.comm);
	snprintf(num, sizeof(num), "docker-%.8s", id);
	assert_non_null(p.unit);
	assert_int_equal(strncmp(p.unit, num, strlen(num)), 0);
	assert_string_equal(p.unit + strlen("docker-") + 64, ".scope");
	assert_string_equal(p.container, id);
	assert_true(p.start_ticks > 0);
	/* the same process by pid and start time; another start time is
	 * another process, whose details are not read */
	{
		struct proc_info q;
		assert_int_equal(proc_read_pid(child, p.start_ticks, PROC_BASIC, &q), 0);
		assert_string_equal(q.comm, comm);
		proc_info_release(&q);
		assert_int_equal(proc_read_pid(child, p.start_ticks + 1, PROC_BASIC, &q), -1);
		assert_true(q.exited);
		assert_string_equal(q.comm, "");
		proc_info_release(&q);
	}
	proc_info_release(&p);

	close(pipefd[1]);
	close(pipefd[0]);
	waitpid(child, NULL, 0);
	rmdir(inner);
	rmdir(outer);
}

/* Run the kernel's bytecode semantics on (sport, dport). */
static int
bc_accepts(const uint8_t *bc, int len, uint16_t sport, uint16_t dport)
{
	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)bc;
		int yes = 1;

		switch (op->code) {
		case INET_DIAG_BC_S_EQ: yes = sport == op[1].no; break;
		case INET_DIAG_BC_D_EQ: yes = dport == op[1].no; break;
		case INET_DIAG_BC_JMP: yes = 0; break;
		default: fail();
		}
		if (yes) {
			len -= op->yes;
			bc += op->yes;
		} else {
			len -= op->no;
			bc += op->no;
		}
	}
	return len == 0;
}

static void
test_port_bytecode(void **state)
{
	uint8_t bc[20];
	int len;

	(void)state;
	len = (int)sockdiag_port_bytecode(4444, bc);
	assert_int_equal(len, 20);
	assert_true(bc_accepts(bc, len, 4444, 1));
	assert_true(bc_accepts(bc, len, 1, 4444));
	assert_true(bc_accepts(bc, len, 4444, 4444));
	assert_false(bc_accepts(bc, len, 1, 2));
	assert_false(bc_accepts(bc, len, 4445, 4443));
}

static void
test_row_json(void **state)
{
	struct snapshot s;
	struct sock_row r[2];
	struct sock_owner o[2];
	struct proc_info p[1];
	struct sockrow_cache cache;
	struct buf b, c;
	char *first;

	(void)state;
	buf_init(&c);
	memset(&s, 0, sizeof(s));
	memset(r, 0, sizeof(r));
	memset(p, 0, sizeof(p));
	p[0].pid = 42;
	strcpy(p[0].comm, "nc \"x\"");
	p[0].exe = "/usr/bin/nc";
	o[0] = (struct sock_owner){ 42, 3, 0, 1 };
	o[1] = (struct sock_owner){ 42, 7, 0, OWNER_NONE };
	r[0] = (struct sock_row){ .inode = 99, .uid = 1000, .owner = 0, .lport = 4444,
	    .proto = IPPROTO_TCP, .family = AF_INET, .state = TCP_LISTEN };
	inet_pton(AF_INET, "127.0.0.1", r[0].laddr);
	r[1] = (struct sock_row){ .owner = OWNER_NONE, .missing = OWNER_ORPHAN, .lport = 1,
	    .rport = 2, .proto = IPPROTO_UDP, .family = AF_INET6, .state = TCP_CLOSE };
	s.socks = r;
	s.nsocks = 2;
	s.owners = o;
	s.nowners = 2;
	s.scan.procs = p;
	s.scan.nprocs = 1;
	buf_init(&b);
	sockrow_json(&b, &s, &r[0], 0, NULL);
	assert_string_equal(buf_str(&b),
	    "\"proto\":\"tcp\",\"family\":4,\"local_addr\":\"127.0.0.1\",\"local_port\":4444,"
	    "\"remote_addr\":\"0.0.0.0\",\"remote_port\":0,\"state\":\"LISTEN\",\"recv_q\":0,"
	    "\"send_q\":0,\"inode\":99,\"uid\":1000,\"owners\":["
	    "{\"pid\":42,\"fd\":3,\"comm\":\"nc \\\"x\\\"\",\"exe\":\"/usr/bin/nc\"},"
	    "{\"pid\":42,\"fd\":7,\"comm\":\"nc \\\"x\\\"\",\"exe\":\"/usr/bin/nc\"}]");
	first = strdup(buf_str(&b));
	buf_reset(&b);
	sockrow_cache_init(&cache, &s, 0);	/* the same through the cache, twice */
	sockrow_json(&b, &s, &r[0], 0, &cache);
	sockrow_json(&c, &s, &r[0], 0, &cache);
	assert_string_equal(buf_str(&c), first);
	assert_string_equal(buf_str(&b), first);
	sockrow_cache_release(&cache);
	buf_reset(&b);
	sockrow_json(&b, &s, &r[1], 0, NULL);
	assert_string_equal(buf_str(&b),
	    "\"proto\":\"udp\",\"family\":6,\"local_addr\":\"::\",\"local_port\":1,"
	    "\"remote_addr\":\"::\",\"remote_port\":2,\"state\":\"UNCONN\",\"recv_q\":0,"
	    "\"send_q\":0,\"inode\":0,\"uid\":0,\"owners\":[],\"owner_missing\":\"no owner\"");
	buf_reset(&b);
	sockrow_csv(&b, &s, &r[0]);
	assert_string_equal(buf_str(&b),
	    "TCP,\"nc \"\"x\"\";nc \"\"x\"\"\",\"42;42\",LISTEN,127.0.0.1,4444,0.0.0.0,0,99,1000,\n");
	buf_reset(&b);
	/* a hostile name: escapes, BEL, ';' and a formula; one field, one
	 * line, a ';' only between owners, nothing a terminal acts on */
	strcpy(p[0].comm, "\x1b[2J\x1b]0;x\a;=1+1");
	sockrow_csv(&b, &s, &r[0]);
	assert_string_equal(buf_str(&b),
	    "TCP,\"\\x1b[2J\\x1b]0\\x3bx\\x07\\x3b=1+1;\\x1b[2J\\x1b]0\\x3bx\\x07\\x3b=1+1\","
	    "\"42;42\",LISTEN,127.0.0.1,4444,0.0.0.0,0,99,1000,\n");
	buf_reset(&b);
	sockrow_json(&b, &s, &r[0], 0, NULL);
	assert_non_null(strstr(buf_str(&b),
	    "\"comm\":\"\\u001b[2J\\u001b]0;x\\u0007;=1+1\""));
	buf_release(&b);
	buf_release(&c);
	free(first);
}

/* Modules are the executable files a process maps: our own program and
 * libc, never a data file it only maps for reading. */
static void
test_modules_are_elf_objects(void **state)
{
	char path[] = "/tmp/portscope-test-map-XXXXXX", exe[4096];
	struct proc_info p;
	size_t i;
	int fd, self = 0, libc = 0, data = 0;
	ssize_t n;
	void *m;

	(void)state;
	assert_true((fd = mkstemp(path)) >= 0);
	assert_int_equal(ftruncate(fd, 4096), 0);
	assert_true((m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0)) != MAP_FAILED);
	assert_true((n = readlink("/proc/self/exe", exe, sizeof(exe) - 1)) > 0);
	exe[n] = '\0';
	memset(&p, 0, sizeof(p));
	assert_int_equal(proc_read_pid(getpid(), 0, PROC_MODULES, &p), 0);
	assert_int_equal(p.modules_err, 0);
	for (i = 0; i < p.nmodules; i++) {
		self |= strcmp(p.modules[i].path, exe) == 0;
		libc |= strstr(p.modules[i].path, "/libc.so") != NULL ||
		    strstr(p.modules[i].path, "/libc-") != NULL;
		data |= strcmp(p.modules[i].path, path) == 0;
	}
	assert_true(self);
	assert_true(libc);
	assert_false(data);
	proc_info_release(&p);
	munmap(m, 4096);
	close(fd);
	unlink(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_names),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_cgroup),
		cmocka_unit_test(test_cgroup_real),
		cmocka_unit_test(test_port_bytecode),
		cmocka_unit_test(test_row_json),
		cmocka_unit_test(test_modules_are_elf_objects),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
