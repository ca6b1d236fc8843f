/* Unit tests of top's short-lived connections (tui/flash.c): a socket the
 * event engine saw close flashes by only when no snapshot held it. */
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

#include "tui/flash.h"
#include "util/xmalloc.h"

/* A snapshot of TCP sockets with these cookies (local port = cookie). */
static void
snap(struct snapshot *s, const uint32_t *cookies, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->socks = xcalloc(n + 1, sizeof(*s->socks));
	s->nsocks = n;
	for (i = 0; i < n; i++) {
		s->socks[i].inode = 100 + cookies[i];
		s->socks[i].cookie[0] = cookies[i];
		s->socks[i].proto = IPPROTO_TCP;
		s->socks[i].family = AF_INET;
		s->socks[i].state = TCP_ESTABLISHED;
		s->socks[i].lport = (uint16_t)cookies[i];
		s->socks[i].owner = OWNER_NONE;
	}
	u64map_init(&s->by_inode, n);
	for (i = 0; i < n; i++)
		u64map_put(&s->by_inode, s->socks[i].inode, (uint32_t)i);
}

static void
closed(struct tui_flash *fl, uint32_t cookie, uint64_t close_ns)
{
	struct sock_row r = { 0 };

	r.cookie[0] = cookie;
	r.proto = IPPROTO_TCP;
	r.family = AF_INET;
	r.lport = (uint16_t)cookie;
	r.rport = 80;
	r.state = TCP_CLOSE;
	flash_closed(fl, &r, 42, "curl", close_ns);
}

/* Apply a snapshot of these cookies, taken from start_ns, to the model and
 * the flash; returns the local ports of the flashed rows, "a b". */
static const char *
apply(struct tui_model *m, struct tui_flash *fl, const uint32_t *cookies, size_t n,
    uint64_t start_ns, uint64_t now_ns)
{
	static char out[256];
	struct snapshot s;
	struct tui_ep ep;
	size_t i, len = 0;

	snap(&s, cookies, n);
	tui_model_update(m, &s, now_ns);
	flash_snapshot(fl, &m->snap, start_ns, m, now_ns);
	tui_model_view(m);
	out[0] = '\0';
	for (i = 0; i < m->nview; i++) {
		tui_model_ep(m, m->view[i], &ep);
		if (ep.flash && ep.live->mark_ns == now_ns)
			len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%u",
			    len ? " " : "", ep.r->lport);
	}
	return out;
}

static void
test_flash_only_what_no_snapshot_held(void **state)
{
	struct tui_model m;
	struct tui_flash fl;
	const uint32_t s1[] = { 1, 2 }, s2[] = { 1, 3 }, s3[] = { 1 };

	(void)state;
	tui_model_init(&m, 100);
	m.sort_col = TUI_COL_LOCAL;
	flash_init(&fl, 1000);
	assert_string_equal(apply(&m, &fl, s1, 2, 10, 20), "");
	closed(&fl, 2, 25);	/* in the last snapshot: on screen, not a flash */
	closed(&fl, 7, 26);	/* opened and closed between refreshes */
	closed(&fl, 3, 35);	/* closed while the next dump ran (it began at 30) */
	closed(&fl, 8, 36);	/* same, and that dump did not see it either */
	assert_string_equal(apply(&m, &fl, s2, 2, 30, 40), "7");
	assert_int_equal(m.counts.short_lived, 1);
	/* 3 was in that snapshot (shown new, then closed): never a flash; 8
	 * was not, and the next dump begins after its close */
	assert_string_equal(apply(&m, &fl, s3, 1, 50, 60), "8");
	assert_int_equal(m.counts.short_lived, 1);
	assert_int_equal(fl.cand.n, 0);
	assert_string_equal(apply(&m, &fl, s3, 1, 70, 80), "");
	assert_int_equal(m.counts.short_lived, 0);
	flash_release(&fl);
	tui_model_release(&m);
}

static void
test_two_snapshots_remembered(void **state)
{
	struct tui_model m;
	struct tui_flash fl;
	const uint32_t s1[] = { 5 }, s2[] = { 6 };

	(void)state;
	tui_model_init(&m, 100);
	flash_init(&fl, 1000);
	apply(&m, &fl, s1, 1, 10, 20);
	apply(&m, &fl, s2, 1, 30, 40);
	/* 5 was in the snapshot before the last: its close arrives late */
	closed(&fl, 5, 28);
	assert_int_equal(fl.cand.n, 0);
	flash_release(&fl);
	tui_model_release(&m);
}

static void
test_bounded(void **state)
{
	struct tui_model m;
	struct tui_flash fl;
	const uint32_t s1[] = { 1 };
	uint32_t i;

	(void)state;
	tui_model_init(&m, 100);
	flash_init(&fl, 3);
	apply(&m, &fl, s1, 1, 10, 20);
	for (i = 0; i < 5; i++)
		closed(&fl, 100 + i, 21);
	assert_int_equal(fl.cand.n, 3);
	assert_int_equal(fl.dropped, 2);
	assert_string_equal(apply(&m, &fl, s1, 1, 30, 40), "100 101 102");
	flash_release(&fl);
	tui_model_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flash_only_what_no_snapshot_held),
		cmocka_unit_test(test_two_snapshots_remembered),
		cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
