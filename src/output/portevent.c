#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "host/sock.h"
#include "output/json.h"
#include "output/portevent.h"
#include "output/text.h"
#include "util/clock.h"

void
portevent_ts(char *out, size_t len, uint64_t ts_ns)
{
	time_t sec = (time_t)(ts_ns / 1000000000ULL);
	struct tm tm;
	char s[32];

	gmtime_r(&sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%.20s.%06uZ", s, (unsigned)(ts_ns % 1000000000ULL / 1000));
}

static void
endpoint(struct buf *b, const char *addr_key, const char *port_key, int family,
    const uint8_t *addr, uint16_t port)
{
	json_key(b, addr_key);
	buf_putc(b, '"');
	sock_addr(b, family, addr);
	buf_putc(b, '"');
	json_ku64(b, port_key, port);
}

void
portevent_json(struct buf *b, const struct port_event *e, const struct proc_info *p)
{
	struct sock_row r = { .proto = e->proto, .state = e->state };
	char ts[40];

	portevent_ts(ts, sizeof(ts), e->ts_ns);
	buf_putc(b, '{');
	json_kstr(b, "ts", ts);
	json_ku64(b, "ts_ns", e->ts_ns);
	json_kstr(b, "event", ev_type_name(e->type));
	if (e->type == EV_LOST) {
		json_ku64(b, "count", e->count);
		buf_putc(b, '}');
		return;
	}
	json_kstr(b, "proto", sock_proto_name(&r));
	json_ku64(b, "family", e->family == AF_INET6 ? 6 : 4);
	endpoint(b, "local_addr", "local_port", e->family, e->laddr, e->lport);
	endpoint(b, "remote_addr", "remote_port", e->family, e->raddr, e->rport);
	json_kstr(b, "state", sock_state_name(&r));
	if (e->type == EV_STATE || e->type == EV_CLOSE) {
		r.state = e->old_state;
		json_kstr(b, "old_state", sock_state_name(&r));
	}
	json_ku64(b, "cookie", e->cookie);
	json_ku64(b, "netns", e->netns);
	json_ku64(b, "pid", e->pid);
	if (e->pid == 0 || (e->flags & EVF_NO_OWNER)) {
		json_kstr(b, "owner_missing", e->owner_missing ?
		    owner_missing_reason(e->owner_missing) : "unknown");
	} else {
		json_ku64(b, "tid", e->tid);
		json_key(b, "comm");
		json_strn(b, e->comm, strnlen(e->comm, sizeof(e->comm)));
		json_ku64(b, "uid", e->uid);
		json_ku64(b, "cgroup_id", e->cgroup_id);
	}
	if (e->flags & EVF_IMPLICIT)
		json_kbool(b, "implicit", 1);
	if (e->flags & EVF_PASSIVE)
		json_kbool(b, "passive", 1);
	if (e->flags & EVF_OWNER_SNAP)
		json_kbool(b, "owner_from_snapshot", 1);
	if (e->type == EV_CONNECT && e->error) {
		json_ku64(b, "errno", (uint64_t)e->error);
		json_kstr(b, "error", strerror(e->error));
	}
	if (e->type == EV_CLOSE) {
		json_ku64(b, "lifetime_ns", e->lifetime_ns);
		if (e->flags & EVF_NO_START)
			json_kbool(b, "lifetime_from_first_sight", 1);
		if (e->proto == IPPROTO_TCP) {
			json_ku64(b, "bytes_sent", e->bytes_sent);
			json_ku64(b, "bytes_received", e->bytes_received);
		}
	}
	if (e->type == EV_UDP_FLOW)
		json_ku64(b, "count", e->count);
	if (p) {
		json_kstr(b, "user", p->user);
		json_kstr(b, "exe", p->exe);
		json_kstr(b, "cmdline", p->cmdline);
		json_ki64(b, "start_time", p->start_time);
		json_kstr(b, "unit", p->unit);
		json_kstr(b, "container", p->container);
	}
	buf_putc(b, '}');
}

static const char *const labels[] = {
	[EV_EXISTING] = "NOW", [EV_BIND] = "BIND", [EV_LISTEN] = "LISTEN",
	[EV_CONNECT] = "CONNECT", [EV_ACCEPT] = "ACCEPT", [EV_STATE] = "STATE",
	[EV_CLOSE] = "CLOSE", [EV_UDP_FLOW] = "FLOW", [EV_LOST] = "LOST",
};

/* Local "23:01:02.345" */
static void
text_time(struct buf *b, uint64_t ns)
{
	struct timespec ts = clock_ns_to_timespec(ns);
	struct tm tm;
	char s[32];

	localtime_r(&ts.tv_sec, &tm);
	strftime(s, sizeof(s), "%H:%M:%S", &tm);
	buf_printf(b, "%.20s.%03d", s, (int)(ts.tv_nsec / 1000000));
}

/* "1.234 ms", "2.500 s" */
static void
text_duration(struct buf *b, uint64_t ns)
{
	if (ns < NSEC_PER_SEC)
		buf_printf(b, "%.3f ms", (double)ns / 1e6);
	else
		buf_printf(b, "%.3f s", (double)ns / 1e9);
}

void
portevent_text(struct buf *b, const struct port_event *e)
{
	struct sock_row r = { .proto = e->proto, .state = e->old_state };
	struct buf col;

	text_time(b, e->ts_ns);
	buf_puts(b, "  ");
	text_col(b, (size_t)e->type < sizeof(labels) / sizeof(labels[0]) &&
	    labels[e->type] ? labels[e->type] : "?", 8);
	if (e->type == EV_LOST) {
		buf_printf(b, "%llu event%s lost (the ring buffer was full)\n",
		    (unsigned long long)e->count, e->count == 1 ? "" : "s");
		return;
	}
	buf_init(&col);
	text_col(b, e->proto == IPPROTO_UDP ? "UDP" : "TCP", 5);
	sock_endpoint(&col, e->family, e->laddr, e->lport);
	text_col(b, buf_str(&col), 24);
	buf_reset(&col);
	if (e->rport == 0)
		buf_puts(&col, "*:*");
	else
		sock_endpoint(&col, e->family, e->raddr, e->rport);
	text_col(b, buf_str(&col), 24);
	buf_reset(&col);
	if (e->type == EV_CLOSE) {
		buf_puts(&col, "was ");
		buf_puts(&col, sock_state_name(&r));
	} else {
		if (e->type == EV_STATE) {
			buf_puts(&col, sock_state_name(&r));
			buf_puts(&col, " -> ");
		}
		r.state = e->state;
		buf_puts(&col, sock_state_name(&r));
	}
	text_col(b, buf_str(&col), 13);
	buf_release(&col);
	if (e->pid == 0 || (e->flags & EVF_NO_OWNER))
		buf_printf(b, "owner unknown: %s", e->owner_missing ?
		    owner_missing_reason(e->owner_missing) : "no process seen");
	else {
		buf_printf(b, "pid %u ", e->pid);
		text_sanitize(b, e->comm, strnlen(e->comm, sizeof(e->comm)), 0);
	}
	if (e->type == EV_BIND && (e->flags & EVF_IMPLICIT))
		buf_puts(b, " (port chosen by the kernel)");
	if (e->type == EV_CONNECT && e->error)
		buf_printf(b, " (%s)", strerror(e->error));
	if (e->type == EV_CLOSE) {
		buf_puts(b, e->flags & EVF_NO_START ? " (seen for " : " (lived ");
		text_duration(b, e->lifetime_ns);
		if (e->proto == IPPROTO_TCP)
			buf_printf(b, ", sent %llu B, received %llu B",
			    (unsigned long long)e->bytes_sent,
			    (unsigned long long)e->bytes_received);
		buf_putc(b, ')');
	}
	buf_putc(b, '\n');
}
