/* Unit tests of top's model (tui/model.c): marks across refreshes, linger,
 * closed and short-lived rows, rates, counts, sort, filter, toggles, the
 * column layout, cell text and CSV.  Snapshots are made by hand. */
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

#include "tui/model.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define S(n)	((uint64_t)(n) * NSEC_PER_SEC)

/* A row spec: inode, proto, family (4 or 6), local port, remote port,
 * state, owning pid (0: none; its comm is "p<pid>"), bytes acked/received. */
struct spec {
	uint64_t	inode;
	uint8_t		proto;
	int		v6;
	uint16_t	lport, rport;
	uint8_t		state;
	uint32_t	pid;
	uint64_t	sent, recv;
};

#define TCP(ino, lp, rp, st, pid)	{ ino, IPPROTO_TCP, 0, lp, rp, st, pid, 0, 0 }
#define UDP(ino, lp, rp, st, pid)	{ ino, IPPROTO_UDP, 0, lp, rp, st, pid, 0, 0 }

/* Build snapshot s from n specs: 127.0.0.1 (::1 for v6) on both ends,
 * remote unset when rport is 0; one process per distinct pid. */
static void
build(struct snapshot *s, const struct spec *sp, size_t n)
{
	struct sock_row *r;
	struct proc_info *p;
	size_t i, j;

	memset(s, 0, sizeof(*s));
	s->socks = xcalloc(n + 1, sizeof(*s->socks));
	s->owners = xcalloc(n + 1, sizeof(*s->owners));
	s->scan.procs = xcalloc(n + 1, sizeof(*s->scan.procs));
	s->nsocks = n;
	for (i = 0; i < n; i++) {
		r = &s->socks[i];
		r->inode = sp[i].inode;
		r->proto = sp[i].proto;
		r->family = sp[i].v6 ? AF_INET6 : AF_INET;
		r->lport = sp[i].lport;
		r->rport = sp[i].rport;
		r->state = sp[i].state;
		r->bytes_sent = sp[i].sent;
		r->bytes_received = sp[i].recv;
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
		r->missing = sp[i].inode ? OWNER_DENIED : OWNER_ORPHAN;
		if (sp[i].pid == 0)
			continue;
		for (j = 0; j < s->scan.nprocs; j++)
			if (s->scan.procs[j].pid == (pid_t)sp[i].pid)
				break;
		if (j == s->scan.nprocs) {
			p = &s->scan.procs[s->scan.nprocs++];
			p->pid = (pid_t)sp[i].pid;
			snprintf(p->comm, sizeof(p->comm), "p%u", sp[i].pid);
			p->user = xstrdup(sp[i].pid < 1000 ? "root" : "alice");
		}
		s->owners[s->nowners].pid = sp[i].pid;
		s->owners[s->nowners].fd = 3;
		s->owners[s->nowners].proc = (uint32_t)j;
		s->owners[s->nowners].next = OWNER_NONE;
		r->owner = (uint32_t)s->nowners++;
		r->missing = OWNER_FOUND;
	}
	u64map_init(&s->by_inode, n);
	for (i = 0; i < n; i++)
		if (s->socks[i].inode)
			u64map_put(&s->by_inode, s->socks[i].inode, (uint32_t)i);
}

static void
update(struct tui_model *m, const struct spec *sp, size_t n, uint64_t now)
{
	struct snapshot s;

	build(&s, sp, n);
	tui_model_update(m, &s, now);
	tui_model_view(m);
}

/* The view as "mark:lport>rport" words, e.g. "+:80>5000 -:81>0". */
static const char *
view(const struct tui_model *m)
{
	static char out[4096];
	struct tui_ep ep;
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < m->nview && len < sizeof(out) - 32; i++) {
		tui_model_ep(m, m->view[i], &ep);
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s%c:%u>%u",
		    i ? " " : "", tui_mark_char(tui_row_mark(m, m->view[i]), ep.flash),
		    ep.r->lport, ep.r->rport);
	}
	return out;
}

static const char *
cell(const struct tui_model *m, size_t pos, enum tui_col c)
{
	static char out[256];
	struct buf b;

	buf_init(&b);
	tui_cell(m, m->view[pos], c, &b);
	snprintf(out, sizeof(out), "%s", buf_str(&b));
	buf_release(&b);
	return out;
}

#define SORT_LPORT(m)	((m)->sort_col = TUI_COL_LOCAL)

static void
test_marks_across_refreshes(void **state)
{
	struct tui_model m;
	const struct spec a[] = {
		TCP(10, 80, 0, TCP_LISTEN, 100),
		TCP(11, 80, 5000, TCP_ESTABLISHED, 100),
		TCP(12, 81, 0, TCP_LISTEN, 200),
	};
	const struct spec b[] = {
		TCP(10, 80, 0, TCP_LISTEN, 100),
		TCP(11, 80, 5000, TCP_CLOSE_WAIT, 100),	/* changed */
		TCP(13, 82, 6000, TCP_ESTABLISHED, 300),	/* new */
	};						/* 12 closed */

	(void)state;
	tui_model_init(&m, S(3));
	SORT_LPORT(&m);
	update(&m, a, 3, S(100));
	assert_string_equal(view(&m), " :80>0  :80>5000  :81>0");
	assert_int_equal(m.counts.endpoints, 3);
	assert_int_equal(m.counts.listening, 2);
	assert_int_equal(m.counts.established, 1);
	assert_int_equal(m.counts.new_rows, 0);

	update(&m, b, 3, S(101));
	assert_string_equal(view(&m), " :80>0 *:80>5000 -:81>0 +:82>6000");
	assert_int_equal(m.counts.new_rows, 1);
	assert_int_equal(m.counts.changed, 1);
	assert_int_equal(m.counts.closed, 1);
	assert_int_equal(m.counts.endpoints, 3);
	assert_int_equal(m.counts.close_wait, 1);
	/* the closed row keeps its process */
	assert_string_equal(cell(&m, 2, TUI_COL_PROCESS), "p200");
	assert_string_equal(cell(&m, 2, TUI_COL_PID), "200");

	/* same sockets again within the linger: marks stay, closed row stays */
	update(&m, b, 3, S(103));
	assert_string_equal(view(&m), " :80>0 *:80>5000 -:81>0 +:82>6000");
	assert_int_equal(m.counts.new_rows, 0);
	assert_int_equal(m.counts.closed, 0);

	/* linger over: plain rows, the closed one gone */
	update(&m, b, 3, S(104));
	assert_string_equal(view(&m), " :80>0  :80>5000  :82>6000");
	tui_model_release(&m);
}

static void
test_linger_zero_shows_one_refresh(void **state)
{
	struct tui_model m;
	const struct spec a[] = { TCP(10, 80, 0, TCP_LISTEN, 100) };
	const struct spec b[] = { TCP(11, 81, 0, TCP_LISTEN, 100) };

	(void)state;
	tui_model_init(&m, 0);
	update(&m, a, 1, S(1));
	update(&m, b, 1, S(2));
	assert_string_equal(view(&m), "-:80>0 +:81>0");
	update(&m, b, 1, S(3));
	assert_string_equal(view(&m), " :81>0");
	tui_model_release(&m);
}

/* An owner found a refresh after the socket (born during the owner scan)
 * is not a change: the row stays green. */
static void
test_owner_found_later_is_not_a_change(void **state)
{
	struct tui_model m;
	const struct spec a[] = { TCP(10, 80, 0, TCP_LISTEN, 100) };
	const struct spec b[] = { TCP(10, 80, 0, TCP_LISTEN, 100), TCP(11, 81, 0, TCP_LISTEN, 0) };
	const struct spec c[] = { TCP(10, 80, 0, TCP_LISTEN, 100), TCP(11, 81, 0, TCP_LISTEN, 200) };
	const struct spec d[] = { TCP(10, 80, 0, TCP_LISTEN, 300), TCP(11, 81, 0, TCP_LISTEN, 200) };

	(void)state;
	tui_model_init(&m, S(3));
	SORT_LPORT(&m);
	update(&m, a, 1, S(1));
	update(&m, b, 2, S(2));
	assert_string_equal(view(&m), " :80>0 +:81>0");
	update(&m, c, 2, S(3));
	assert_string_equal(view(&m), " :80>0 +:81>0");
	assert_int_equal(m.counts.changed, 0);
	/* another process taking a socket over is a change */
	update(&m, d, 2, S(4));
	assert_string_equal(view(&m), "*:80>0 +:81>0");
	tui_model_release(&m);
}

/* ESTABLISHED → TIME_WAIT loses the inode: the same endpoint, changed. */
static void
test_time_wait_is_a_change(void **state)
{
	struct tui_model m;
	const struct spec a[] = { TCP(11, 80, 5000, TCP_ESTABLISHED, 100) };
	const struct spec b[] = { TCP(0, 80, 5000, TCP_TIME_WAIT, 0) };

	(void)state;
	tui_model_init(&m, S(3));
	update(&m, a, 1, S(1));
	update(&m, b, 1, S(2));
	assert_string_equal(view(&m), "*:80>5000");
	assert_int_equal(m.counts.closed, 0);
	assert_int_equal(m.counts.time_wait, 1);
	assert_string_equal(cell(&m, 0, TUI_COL_PROCESS), "(no owner)");
	assert_string_equal(cell(&m, 0, TUI_COL_PID), "-");
	tui_model_release(&m);
}

static void
test_rates_and_bytes(void **state)
{
	struct tui_model m;
	struct spec a[] = { TCP(11, 80, 5000, TCP_ESTABLISHED, 100) };

	(void)state;
	tui_model_init(&m, S(3));
	m.info = 1;
	a[0].sent = 1000;
	a[0].recv = 0;
	update(&m, a, 1, S(10));
	assert_string_equal(cell(&m, 0, TUI_COL_TX_RATE), "");	/* no rate yet */
	a[0].sent = 1000 + 2 * 4096;
	a[0].recv = 500;
	update(&m, a, 1, S(12));
	assert_string_equal(cell(&m, 0, TUI_COL_TX_RATE), "4.0K");
	assert_string_equal(cell(&m, 0, TUI_COL_RX_RATE), "250");
	assert_string_equal(cell(&m, 0, TUI_COL_SENT), "9.0K");
	assert_string_equal(cell(&m, 0, TUI_COL_RECV), "500");
	assert_string_equal(cell(&m, 0, TUI_COL_AGE), ">2s");	/* there at the start */
	/* byte counters are not a change */
	assert_string_equal(view(&m), " :80>5000");
	m.sort_col = TUI_COL_TX_RATE;
	tui_model_view(&m);
	tui_model_release(&m);
}

static void
test_sort_any_column_and_reverse(void **state)
{
	struct tui_model m;
	const struct spec a[] = {
		TCP(10, 300, 0, TCP_LISTEN, 30),
		TCP(11, 100, 0, TCP_LISTEN, 10),
		UDP(12, 200, 0, TCP_CLOSE, 20),
		TCP(0, 400, 9, TCP_TIME_WAIT, 0),
	};

	(void)state;
	tui_model_init(&m, S(3));
	update(&m, a, 4, S(1));
	/* by process (comm), ownerless last */
	assert_string_equal(view(&m), " :100>0  :200>0  :300>0  :400>9");
	m.sort_col = TUI_COL_LOCAL;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :100>0  :200>0  :300>0  :400>9");
	m.sort_reverse = 1;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :400>9  :300>0  :200>0  :100>0");
	m.sort_reverse = 0;
	m.sort_col = TUI_COL_PROTO;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :100>0  :300>0  :400>9  :200>0");
	m.sort_col = TUI_COL_STATE;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :100>0  :300>0  :400>9  :200>0");
	m.sort_col = TUI_COL_PID;
	m.sort_reverse = 1;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :400>9  :300>0  :200>0  :100>0");
	tui_model_release(&m);
}

static void
test_filter_and_toggles(void **state)
{
	struct tui_model m;
	const struct spec a[] = {
		TCP(10, 80, 0, TCP_LISTEN, 100),
		TCP(11, 80, 5000, TCP_ESTABLISHED, 100),
		UDP(12, 53, 0, TCP_CLOSE, 200),
		{ 13, IPPROTO_TCP, 1, 443, 7000, TCP_ESTABLISHED, 300, 0, 0 },
		TCP(0, 81, 6000, TCP_TIME_WAIT, 0),
	};

	(void)state;
	tui_model_init(&m, S(3));
	SORT_LPORT(&m);
	update(&m, a, 5, S(1));
	assert_int_equal(m.nview, 5);
	strcpy(m.filter, "P2");		/* process name, any case */
	tui_model_view(&m);
	assert_string_equal(view(&m), " :53>0");
	strcpy(m.filter, ":5000");	/* remote endpoint */
	tui_model_view(&m);
	assert_string_equal(view(&m), " :80>5000");
	strcpy(m.filter, "::1");	/* IPv6 address */
	tui_model_view(&m);
	assert_string_equal(view(&m), " :443>7000");
	strcpy(m.filter, "time_wait");
	tui_model_view(&m);
	assert_string_equal(view(&m), " :81>6000");
	strcpy(m.filter, "nothing-like-this");
	tui_model_view(&m);
	assert_int_equal(m.nview, 0);
	m.filter[0] = '\0';

	m.show = TUI_SHOW_ALL & ~TUI_SHOW_TCP;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :53>0");
	m.show = TUI_SHOW_ALL & ~TUI_SHOW_UDP;
	tui_model_view(&m);
	assert_int_equal(m.nview, 4);
	m.show = TUI_SHOW_ALL & ~TUI_SHOW_V4;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :443>7000");
	m.show = TUI_SHOW_ALL & ~TUI_SHOW_V6;
	tui_model_view(&m);
	assert_int_equal(m.nview, 4);
	m.show = TUI_SHOW_ALL & ~TUI_SHOW_LISTENING;	/* LISTEN and unconnected UDP */
	tui_model_view(&m);
	assert_string_equal(view(&m), " :80>5000  :81>6000  :443>7000");
	m.show = TUI_SHOW_ALL & ~TUI_SHOW_ESTABLISHED;
	tui_model_view(&m);
	assert_string_equal(view(&m), " :53>0  :80>0  :81>6000");
	tui_model_release(&m);
}

static void
test_flash_rows(void **state)
{
	struct tui_model m;
	const struct spec a[] = { TCP(10, 80, 0, TCP_LISTEN, 100) };
	struct sock_row r = { 0 };

	(void)state;
	tui_model_init(&m, S(2));
	SORT_LPORT(&m);
	update(&m, a, 1, S(1));
	r.proto = IPPROTO_TCP;
	r.family = AF_INET;
	r.lport = 80;
	r.rport = 7000;
	r.state = TCP_CLOSE;
	r.laddr[0] = r.raddr[0] = 127;
	r.laddr[3] = r.raddr[3] = 1;
	tui_model_flash(&m, &r, 4242, "curl", S(1) + 5);
	tui_model_view(&m);
	assert_string_equal(view(&m), " :80>0 !:80>7000");
	assert_string_equal(cell(&m, 1, TUI_COL_PROCESS), "curl");
	assert_int_equal(m.counts.short_lived, 1);
	update(&m, a, 1, S(2));
	assert_int_equal(m.counts.short_lived, 0);	/* counted until the next refresh */
	assert_string_equal(view(&m), " :80>0 !:80>7000");
	update(&m, a, 1, S(4));	/* its linger is over */
	assert_string_equal(view(&m), " :80>0");
	assert_int_equal(m.counts.short_lived, 0);
	tui_model_release(&m);
}

static void
test_selection_key_follows_row(void **state)
{
	struct tui_model m;
	const struct spec a[] = { TCP(10, 80, 0, TCP_LISTEN, 100), TCP(11, 90, 0, TCP_LISTEN, 100) };
	const struct spec b[] = { TCP(12, 70, 0, TCP_LISTEN, 100), TCP(10, 80, 0, TCP_LISTEN, 100),
	    TCP(11, 90, 0, TCP_LISTEN, 100) };
	uint64_t key;

	(void)state;
	tui_model_init(&m, S(3));
	SORT_LPORT(&m);
	update(&m, a, 2, S(1));
	key = tui_row_key(&m, m.view[1]);
	update(&m, b, 3, S(2));
	assert_int_equal(tui_view_find(&m, key), 2);
	tui_model_release(&m);
}

static void
test_layout_fits(void **state)
{
	struct tui_layout lo;
	int widths[] = { 20, 40, 80, 120, 200, 300 };
	size_t i;
	int k, end, has_process;

	(void)state;
	for (i = 0; i < sizeof(widths) / sizeof(widths[0]); i++) {
		for (k = 0; k < 2; k++) {
			tui_layout(widths[i], k, &lo);
			assert_true(lo.ncols >= 1);
			end = lo.x[lo.ncols - 1] + lo.w[lo.ncols - 1];
			assert_true(end <= widths[i]);
			assert_int_equal(lo.x[0], k ? 2 : 0);
			has_process = lo.col[0] == TUI_COL_PROCESS;
			assert_true(has_process);
		}
	}
	tui_layout(80, 0, &lo);
	/* at 80 columns: process, pid, state, local and remote at least */
	for (k = 0; k < lo.ncols; k++)
		if (lo.col[k] == TUI_COL_REMOTE)
			break;
	assert_true(k < lo.ncols);
	tui_layout(300, 0, &lo);
	assert_int_equal(lo.ncols, TUI_NCOLS);
	/* columns in display order, not overlapping */
	for (k = 1; k < lo.ncols; k++)
		assert_true(lo.x[k] >= lo.x[k - 1] + lo.w[k - 1] + 1);
}

static void
test_fit_and_names(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b);
	tui_fit(&b, "[2001:db8::1234:5678]:443", 10, TUI_COL_REMOTE);
	assert_string_equal(buf_str(&b), "~5678]:443");
	buf_reset(&b);
	tui_fit(&b, "systemd-resolved", 8, TUI_COL_PROCESS);
	assert_string_equal(buf_str(&b), "systemd~");
	buf_reset(&b);
	tui_fit(&b, "42", 5, TUI_COL_PID);
	assert_string_equal(buf_str(&b), "   42");
	buf_reset(&b);
	tui_fit(&b, "ab", 4, TUI_COL_STATE);
	assert_string_equal(buf_str(&b), "ab  ");
	buf_release(&b);
	assert_int_equal(tui_col_parse("PID"), TUI_COL_PID);
	assert_int_equal(tui_col_parse("remote"), TUI_COL_REMOTE);
	assert_int_equal(tui_col_parse("proto"), TUI_COL_PROTO);
	assert_int_equal(tui_col_parse("tx"), TUI_COL_TX_RATE);
	assert_int_equal(tui_col_parse("bogus"), -1);
	assert_int_equal(tui_mark_char(TUI_MARK_NEW, 0), '+');
	assert_int_equal(tui_mark_char(TUI_MARK_CHANGED, 0), '*');
	assert_int_equal(tui_mark_char(TUI_MARK_CLOSED, 0), '-');
	assert_int_equal(tui_mark_char(TUI_MARK_CLOSED, 1), '!');
}

static void
test_cells_and_csv(void **state)
{
	struct tui_model m;
	const struct spec a[] = {
		{ 13, IPPROTO_TCP, 1, 443, 7000, TCP_ESTABLISHED, 300, 10, 20 },
		UDP(12, 53, 0, TCP_CLOSE, 2000),
		TCP(14, 22, 0, TCP_LISTEN, 0),
	};
	struct buf b;

	(void)state;
	tui_model_init(&m, S(3));
	m.info = 1;
	SORT_LPORT(&m);
	update(&m, a, 3, S(1));
	assert_string_equal(cell(&m, 0, TUI_COL_PROCESS), "(not permitted)");
	assert_string_equal(cell(&m, 1, TUI_COL_PROTO), "UDP");
	assert_string_equal(cell(&m, 1, TUI_COL_STATE), "UNCONN");
	assert_string_equal(cell(&m, 1, TUI_COL_REMOTE), "*:*");
	assert_string_equal(cell(&m, 1, TUI_COL_USER), "alice");
	assert_string_equal(cell(&m, 1, TUI_COL_SENT), "");	/* UDP: no counters */
	assert_string_equal(cell(&m, 2, TUI_COL_PROTO), "TCPv6");
	assert_string_equal(cell(&m, 2, TUI_COL_LOCAL), "[::1]:443");
	assert_string_equal(cell(&m, 2, TUI_COL_REMOTE), "[::1]:7000");
	buf_init(&b);
	tui_csv(&m, 1, &b);
	assert_string_equal(buf_str(&b),
	    "process,pid,proto,state,local_address,local_port,remote_address,"
	    "remote_port,sent_bytes,received_bytes,age_s,user,unit,owner_missing,change\n"
	    ",,TCP,LISTEN,127.0.0.1,22,0.0.0.0,0,0,0,0,,,not permitted,\n"
	    "p2000,2000,UDP,UNCONN,127.0.0.1,53,0.0.0.0,0,,,0,alice,,,\n"
	    "p300,300,TCPv6,ESTABLISHED,::1,443,::1,7000,10,20,0,root,,,\n");
	buf_release(&b);
	tui_model_release(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marks_across_refreshes),
		cmocka_unit_test(test_linger_zero_shows_one_refresh),
		cmocka_unit_test(test_owner_found_later_is_not_a_change),
		cmocka_unit_test(test_time_wait_is_a_change),
		cmocka_unit_test(test_rates_and_bytes),
		cmocka_unit_test(test_sort_any_column_and_reverse),
		cmocka_unit_test(test_filter_and_toggles),
		cmocka_unit_test(test_flash_rows),
		cmocka_unit_test(test_selection_key_follows_row),
		cmocka_unit_test(test_layout_fits),
		cmocka_unit_test(test_fit_and_names),
		cmocka_unit_test(test_cells_and_csv),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
