/* Unit tests of the snapshot diff (events/diff.c): matching by inode and by
 * endpoints, the kinds of change, their order, and owner sets. */
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

#include "events/diff.h"
#include "util/xmalloc.h"

/* A row spec: inode, proto, local port, remote port, state, and up to three
 * owning pids (0 ends the list; each owner's fd is 3 + its position). */
struct spec {
	uint64_t	inode;
	uint8_t		proto;
	uint16_t	lport, rport;
	uint8_t		state;
	uint32_t	pids[3];
};

/* Build snapshot s from n specs, 127.0.0.1 on both ends (remote 0.0.0.0
 * when rport is 0), with owner lists and the inode index. */
static void
build(struct snapshot *s, const struct spec *sp, size_t n)
{
	struct sock_row *r;
	size_t i, j;

	memset(s, 0, sizeof(*s));
	s->socks = xcalloc(n + 1, sizeof(*s->socks));
	s->owners = xcalloc(3 * n + 1, sizeof(*s->owners));
	s->nsocks = n;
	for (i = 0; i < n; i++) {
		r = &s->socks[i];
		r->inode = sp[i].inode;
		r->proto = sp[i].proto;
		r->family = AF_INET;
		r->lport = sp[i].lport;
		r->rport = sp[i].rport;
		r->state = sp[i].state;
		r->laddr[0] = 127;
		r->laddr[3] = 1;
		if (sp[i].rport) {
			r->raddr[0] = 127;
			r->raddr[3] = 1;
		}
		r->owner = OWNER_NONE;
		r->missing = OWNER_ORPHAN;
		for (j = 3; j-- > 0;) {
			if (sp[i].pids[j] == 0)
				continue;
			s->owners[s->nowners].pid = sp[i].pids[j];
			s->owners[s->nowners].fd = (int32_t)(3 + j);
			s->owners[s->nowners].next = r->owner;
			r->owner = (uint32_t)s->nowners++;
			r->missing = OWNER_FOUND;
		}
	}
	u64map_init(&s->by_inode, n);
	for (i = 0; i < n; i++)
		if (s->socks[i].inode)
			u64map_put(&s->by_inode, s->socks[i].inode, (uint32_t)i);
}

/* The events of before → after as "kind:lport>rport" words joined by
 * spaces, e.g. "new:80>5000 gone:80>0". */
static char *
events(const struct spec *b, size_t nb, const struct spec *a, size_t na)
{
	struct snapshot sb, sa;
	struct diff d;
	const struct sock_row *r;
	char *out = xcalloc(1, 4096);
	size_t i, len = 0;

	build(&sb, b, nb);
	build(&sa, a, na);
	diff_snapshots(&sb, &sa, &d);
	for (i = 0; i < d.nevents; i++) {
		r = d.events[i].after ? d.events[i].after : d.events[i].before;
		len += (size_t)snprintf(out + len, 4096 - len, "%s%s:%u>%u", i ? " " : "",
		    diff_kind_name(d.events[i].kind), r->lport, r->rport);
		/* every event carries the rows its kind promises */
		assert_true((d.events[i].before == NULL) == (d.events[i].kind == DIFF_NEW));
		assert_true((d.events[i].after == NULL) == (d.events[i].kind == DIFF_GONE));
	}
	diff_release(&d);
	snapshot_release(&sb);
	snapshot_release(&sa);
	return out;
}

#define T	IPPROTO_TCP
#define U	IPPROTO_UDP

static void
expect(const struct spec *b, size_t nb, const struct spec *a, size_t na,
    const char *want)
{
	char *got = events(b, nb, a, na);

	assert_string_equal(got, want);
	free(got);
}
#define EXPECT(b, a, want) \
	expect(b, sizeof(b) / sizeof(b[0]), a, sizeof(a) / sizeof(a[0]), want)

static void
test_unchanged(void **state)
{
	static const struct spec s[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 100 } },
		{ 11, T, 80, 5000, TCP_ESTABLISHED, { 100 } },
		{ 0, T, 80, 5001, TCP_TIME_WAIT, { 0 } },
		{ 12, U, 53, 0, TCP_CLOSE, { 200, 201 } },
	};
	(void)state;
	EXPECT(s, s, "");
}

static void
test_first_tick_is_all_new(void **state)
{
	static const struct spec none[1];
	static const struct spec s[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 100 } },
		{ 12, U, 53, 0, TCP_CLOSE, { 200 } },
	};
	char *got;

	(void)state;
	got = events(none, 0, s, 2);
	assert_string_equal(got, "new:80>0 new:53>0");
	free(got);
	got = events(s, 2, none, 0);
	assert_string_equal(got, "gone:80>0 gone:53>0");
	free(got);
}

static void
test_new_state_gone_order(void **state)
{
	static const struct spec b[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 100 } },
		{ 20, T, 5000, 80, TCP_SYN_SENT, { 300 } },
		{ 21, T, 5002, 80, TCP_ESTABLISHED, { 300 } },
	};
	static const struct spec a[] = {
		{ 22, T, 5003, 80, TCP_SYN_SENT, { 300 } },
		{ 20, T, 5000, 80, TCP_ESTABLISHED, { 300 } },
		{ 10, T, 80, 0, TCP_LISTEN, { 100 } },
	};
	(void)state;
	EXPECT(b, a, "new:5003>80 state:5000>80 gone:5002>80");
}

static void
test_close_keeps_identity_without_inode(void **state)
{
	/* The process closes an established socket: the kernel now shows it
	 * in FIN_WAIT1 with no inode and no owner.  Same socket: its state
	 * changed and its owner left; then TIME_WAIT, then gone. */
	static const struct spec b[] = {
		{ 11, T, 80, 5000, TCP_ESTABLISHED, { 100 } },
	};
	static const struct spec a[] = {
		{ 0, T, 80, 5000, TCP_FIN_WAIT1, { 0 } },
	};
	static const struct spec c[] = {
		{ 0, T, 80, 5000, TCP_TIME_WAIT, { 0 } },
	};
	static const struct spec none[1];
	char *got;

	(void)state;
	EXPECT(b, a, "state:80>5000 owner:80>5000");
	EXPECT(a, c, "state:80>5000");
	got = events(c, 1, none, 0);
	assert_string_equal(got, "gone:80>5000");
	free(got);
}

static void
test_accept_gives_inode(void **state)
{
	/* A connection waiting in the accept queue has no inode; accept()
	 * gives it one and an owner, in the same state. */
	static const struct spec b[] = {
		{ 0, T, 80, 5000, TCP_ESTABLISHED, { 0 } },
	};
	static const struct spec a[] = {
		{ 31, T, 80, 5000, TCP_ESTABLISHED, { 100 } },
	};
	(void)state;
	EXPECT(b, a, "owner:80>5000");
}

static void
test_same_ends_other_inode_is_another_socket(void **state)
{
	/* A UDP socket closed and a new one bound to the same address. */
	static const struct spec b[] = {
		{ 40, U, 53, 0, TCP_CLOSE, { 200 } },
	};
	static const struct spec a[] = {
		{ 41, U, 53, 0, TCP_CLOSE, { 200 } },
	};
	static const struct spec c[] = {
		{ 40, T, 53, 0, TCP_CLOSE, { 200 } },
	};
	(void)state;
	EXPECT(b, a, "new:53>0 gone:53>0");
	/* an inode never matches a row of another protocol */
	EXPECT(b, c, "new:53>0 gone:53>0");
}

static void
test_udp_connect_is_a_state_change(void **state)
{
	static const struct spec b[] = {
		{ 50, U, 6000, 0, TCP_CLOSE, { 400 } },
	};
	static const struct spec a[] = {
		{ 50, U, 6000, 53, TCP_ESTABLISHED, { 400 } },
	};
	static const struct spec c[] = {
		{ 50, U, 6000, 54, TCP_ESTABLISHED, { 400 } },
	};
	(void)state;
	EXPECT(b, a, "state:6000>53");
	EXPECT(a, c, "state:6000>54");
}

static void
test_owner_sets(void **state)
{
	static const struct spec one[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 100 } },
	};
	static const struct spec two[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 100, 101 } },
	};
	static const struct spec dup[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 100, 100 } },
	};
	static const struct spec other[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 102 } },
	};
	static const struct spec none[] = {
		{ 10, T, 80, 0, TCP_LISTEN, { 0 } },
	};
	struct snapshot s;

	(void)state;
	EXPECT(one, two, "owner:80>0");		/* a child inherited it */
	EXPECT(two, one, "owner:80>0");		/* and exited */
	EXPECT(one, dup, "");			/* a second fd of the same process */
	EXPECT(dup, one, "");
	EXPECT(one, other, "owner:80>0");
	EXPECT(one, none, "owner:80>0");
	EXPECT(none, one, "owner:80>0");

	build(&s, two, 1);
	assert_true(diff_row_has_owner(&s, &s.socks[0], 100));
	assert_true(diff_row_has_owner(&s, &s.socks[0], 101));
	assert_false(diff_row_has_owner(&s, &s.socks[0], 102));
	snapshot_release(&s);
}

static void
test_state_and_owner_together(void **state)
{
	static const struct spec b[] = {
		{ 11, T, 80, 5000, TCP_ESTABLISHED, { 100 } },
	};
	static const struct spec a[] = {
		{ 11, T, 80, 5000, TCP_CLOSE_WAIT, { 101 } },
	};
	(void)state;
	EXPECT(b, a, "state:80>5000 owner:80>5000");
}

static void
test_many_rows_shuffled(void **state)
{
	/* 20000 rows, half without inodes, in another order: no change; then
	 * every 1000th row gone and as many new ones. */
	enum { N = 20000 };
	struct spec *b = xcalloc(N, sizeof(*b)), *a = xcalloc(N, sizeof(*a));
	char *got, *p;
	size_t i, n = 0;

	(void)state;
	for (i = 0; i < N; i++) {
		b[i].inode = i % 2 ? 1000 + i : 0;
		b[i].proto = T;
		b[i].lport = (uint16_t)(1 + i % 60000);
		b[i].rport = (uint16_t)(1 + i / 7);
		b[i].state = i % 2 ? TCP_ESTABLISHED : TCP_TIME_WAIT;
		b[i].pids[0] = i % 2 ? (uint32_t)(100 + i % 13) : 0;
	}
	for (i = 0; i < N; i++)
		a[i] = b[(i * 7919) % N];	/* 7919 is prime to N: a permutation */
	got = events(b, N, a, N);
	assert_string_equal(got, "");
	free(got);

	for (i = 0; i < N; i += 1000) {
		a[i].lport = 65000;
		a[i].inode = a[i].inode ? a[i].inode + 5000000 : 0;
	}
	got = events(b, N, a, N);
	for (p = got; (p = strstr(p, "new:65000>")) != NULL; p++)
		n++;
	assert_int_equal(n, N / 1000);
	for (n = 0, p = got; (p = strstr(p, "gone:")) != NULL; p++)
		n++;
	assert_int_equal(n, N / 1000);
	assert_null(strstr(got, "state:"));
	assert_null(strstr(got, "owner:"));
	free(got);
	free(a);
	free(b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_unchanged),
		cmocka_unit_test(test_first_tick_is_all_new),
		cmocka_unit_test(test_new_state_gone_order),
		cmocka_unit_test(test_close_keeps_identity_without_inode),
		cmocka_unit_test(test_accept_gives_inode),
		cmocka_unit_test(test_same_ends_other_inode_is_another_socket),
		cmocka_unit_test(test_udp_connect_is_a_state_change),
		cmocka_unit_test(test_owner_sets),
		cmocka_unit_test(test_state_and_owner_together),
		cmocka_unit_test(test_many_rows_shuffled),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
