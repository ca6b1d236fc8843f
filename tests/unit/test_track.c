/* Unit tests of events/track.c: what a watch prints for sockets that only
 * events saw (lived between two checks, or still open), and for a socket a
 * snapshot shows without an owner that the events name. */
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

#include "events/track.h"
#include "util/xmalloc.h"

#define NO_PID	4194303		/* no such process: details come from the event */

static struct port_event
ev(enum ev_type type, uint64_t cookie, uint16_t lport, uint8_t old, uint8_t state,
    uint32_t pid)
{
	struct port_event e;

	memset(&e, 0, sizeof(e));
	e.type = type;
	e.cookie = cookie;
	e.proto = IPPROTO_TCP;
	e.family = AF_INET;
	e.lport = lport;
	e.rport = 80;
	e.old_state = old;
	e.state = state;
	e.pid = pid;
	snprintf(e.comm, sizeof(e.comm), "client");
	return e;
}

/* A snapshot of n rows (cookies and states given), none with an owner. */
static void
snap(struct snapshot *s, const uint64_t *cookies, const uint8_t *states,
    const uint8_t *missing, size_t n)
{
	size_t i;

	memset(s, 0, sizeof(*s));
	s->socks = xcalloc(n + 1, sizeof(*s->socks));
	s->nsocks = n;
	for (i = 0; i < n; i++) {
		s->socks[i].proto = IPPROTO_TCP;
		s->socks[i].family = AF_INET;
		s->socks[i].lport = (uint16_t)(1000 + i);
		s->socks[i].rport = 80;
		s->socks[i].state = states[i];
		s->socks[i].cookie[0] = (uint32_t)cookies[i];
		s->socks[i].owner = OWNER_NONE;
		s->socks[i].missing = missing[i];
	}
}

static uint32_t
owner_pid(const struct snapshot *s, const struct sock_row *r)
{
	return r->owner == OWNER_NONE ? 0 : s->owners[r->owner].pid;
}

/* A connection that opened and closed between two checks: NEW as first
 * seen, GONE as last seen, both with the owner the events named; then
 * nothing more. */
static void
test_between_checks(void **state)
{
	struct ev_track *t = track_new();
	struct snapshot empty, xs;
	struct diff sd = { NULL, 0 }, d;
	struct port_event e;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	e = ev(EV_STATE, 7, 5000, TCP_SYN_SENT, TCP_ESTABLISHED, NO_PID);
	track_add(t, &e);
	e = ev(EV_STATE, 7, 5000, TCP_ESTABLISHED, TCP_FIN_WAIT1, NO_PID);
	track_add(t, &e);
	e = ev(EV_CLOSE, 7, 5000, TCP_FIN_WAIT2, TCP_CLOSE, NO_PID);
	track_add(t, &e);
	assert_int_equal(track_pending(t), 3);
	track_flush(t, &empty, &empty, &sd, &xs, &d);
	assert_int_equal(d.nevents, 2);
	assert_int_equal(d.events[0].kind, DIFF_NEW);
	assert_int_equal(d.events[0].after->state, TCP_ESTABLISHED);
	assert_int_equal(d.events[0].after->lport, 5000);
	assert_int_equal(owner_pid(&xs, d.events[0].after), NO_PID);
	assert_string_equal(snapshot_proc(&xs, &xs.owners[d.events[0].after->owner])->comm,
	    "client");
	assert_int_equal(d.events[1].kind, DIFF_GONE);
	assert_int_equal(d.events[1].before->state, TCP_FIN_WAIT2);
	assert_int_equal(owner_pid(&xs, d.events[1].before), NO_PID);
	diff_release(&d);
	snapshot_release(&xs);
	assert_int_equal(track_pending(t), 0);
	track_flush(t, &empty, &empty, &sd, &xs, &d);
	assert_int_equal(d.nevents, 0);
	snapshot_release(&xs);
	track_free(t);
}

/* A socket still open that no snapshot shows: NEW once, STATE when it
 * changes at a later flush, GONE when it closes. */
static void
test_open_across_checks(void **state)
{
	struct ev_track *t = track_new();
	struct snapshot empty, xs;
	struct diff sd = { NULL, 0 }, d;
	struct port_event e;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	e = ev(EV_CONNECT, 9, 6000, 0, TCP_ESTABLISHED, NO_PID);
	track_add(t, &e);
	track_flush(t, &empty, &empty, &sd, &xs, &d);
	assert_int_equal(d.nevents, 1);
	assert_int_equal(d.events[0].kind, DIFF_NEW);
	diff_release(&d);
	snapshot_release(&xs);

	e = ev(EV_STATE, 9, 6000, TCP_ESTABLISHED, TCP_CLOSE_WAIT, NO_PID);
	track_add(t, &e);
	track_flush(t, &empty, &empty, &sd, &xs, &d);
	assert_int_equal(d.nevents, 1);
	assert_int_equal(d.events[0].kind, DIFF_STATE);
	assert_int_equal(d.events[0].before->state, TCP_ESTABLISHED);
	assert_int_equal(d.events[0].after->state, TCP_CLOSE_WAIT);
	diff_release(&d);
	snapshot_release(&xs);

	e = ev(EV_CLOSE, 9, 6000, TCP_LAST_ACK, TCP_CLOSE, NO_PID);
	track_add(t, &e);
	track_flush(t, &empty, &empty, &sd, &xs, &d);
	assert_int_equal(d.nevents, 1);
	assert_int_equal(d.events[0].kind, DIFF_GONE);
	assert_int_equal(d.events[0].before->state, TCP_LAST_ACK);
	diff_release(&d);
	snapshot_release(&xs);
	track_free(t);
}

/* A socket new in cur in TIME_WAIT, no owner: the snapshot's NEW is
 * replaced by NEW as the events saw it (owner included) and a STATE whose
 * after row is cur's.  A socket cur shows with its owner is the snapshot's
 * alone. */
static void
test_time_wait_adopted(void **state)
{
	static const uint64_t cookies[] = { 11, 12 };
	static const uint8_t states[] = { TCP_TIME_WAIT, TCP_ESTABLISHED };
	static const uint8_t missing[] = { OWNER_ORPHAN, OWNER_FOUND };
	struct ev_track *t = track_new();
	struct snapshot empty, cur, xs;
	struct diff sd, d;
	struct port_event e;

	(void)state;
	memset(&empty, 0, sizeof(empty));
	snap(&cur, cookies, states, missing, 2);
	cur.owners = xcalloc(1, sizeof(*cur.owners));
	cur.owners[0].pid = 42;
	cur.owners[0].next = OWNER_NONE;
	cur.nowners = 1;
	cur.socks[1].owner = 0;
	diff_snapshots(&empty, &cur, &sd);
	assert_int_equal(sd.nevents, 2);
	e = ev(EV_STATE, 11, 1000, TCP_SYN_SENT, TCP_ESTABLISHED, NO_PID);
	track_add(t, &e);
	e = ev(EV_CLOSE, 11, 1000, TCP_FIN_WAIT2, TCP_CLOSE, NO_PID);
	track_add(t, &e);
	e = ev(EV_STATE, 12, 1001, TCP_SYN_SENT, TCP_ESTABLISHED, 42);
	track_add(t, &e);
	track_flush(t, &empty, &cur, &sd, &xs, &d);
	assert_int_equal(sd.nevents, 1);	/* the TIME_WAIT's NEW is gone */
	assert_ptr_equal(sd.events[0].after, &cur.socks[1]);
	assert_int_equal(d.nevents, 2);
	assert_int_equal(d.events[0].kind, DIFF_NEW);
	assert_int_equal(d.events[0].after->state, TCP_ESTABLISHED);
	assert_int_equal(owner_pid(&xs, d.events[0].after), NO_PID);
	assert_int_equal(d.events[1].kind, DIFF_STATE);
	assert_ptr_equal(d.events[1].before, d.events[0].after);
	assert_ptr_equal(d.events[1].after, &cur.socks[0]);
	assert_false(is_xs_row(&xs, d.events[1].after));
	assert_true(is_xs_row(&xs, d.events[0].after));
	diff_release(&d);
	diff_release(&sd);
	snapshot_release(&xs);
	free(cur.socks);
	free(cur.owners);
	track_free(t);
}

/* EV_EXISTING, EV_LOST and events without a cookie are not kept. */
static void
test_not_kept(void **state)
{
	struct ev_track *t = track_new();
	struct port_event e;

	(void)state;
	e = ev(EV_EXISTING, 5, 1, 0, TCP_LISTEN, 1);
	track_add(t, &e);
	e = ev(EV_LOST, 0, 0, 0, 0, 0);
	track_add(t, &e);
	e = ev(EV_BIND, 0, 1, 0, TCP_CLOSE, 1);
	track_add(t, &e);
	assert_int_equal(track_pending(t), 0);
	track_free(t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_between_checks),
		cmocka_unit_test(test_open_across_checks),
		cmocka_unit_test(test_time_wait_adopted),
		cmocka_unit_test(test_not_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
