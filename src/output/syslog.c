#include <errno.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "host/sock.h"
#include "output/portevent.h"
#include "output/syslog.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define PRI_INFO	(3 * 8 + 6)	/* daemon.info */
#define PRI_WARNING	(3 * 8 + 4)	/* daemon.warning */

/* Append s with what RFC 5424 forbids or escapes in a PARAM-VALUE dealt
 * with: '"', '\' and ']' escaped, bytes outside printable ASCII as '?'. */
static void
sd_value(struct buf *b, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\' || c == ']')
			buf_putc(b, '\\');
		buf_putc(b, c >= 0x20 && c < 0x7f ? (char)c : '?');
	}
}

static void
sd_str(struct buf *b, const char *name, const char *v)
{
	if (v == NULL)
		return;
	buf_printf(b, " %s=\"", name);
	sd_value(b, v, SIZE_MAX);
	buf_putc(b, '"');
}

static void
sd_u64(struct buf *b, const char *name, uint64_t v)
{
	buf_printf(b, " %s=\"%llu\"", name, (unsigned long long)v);
}

static void
sd_addr(struct buf *b, const char *name, int family, const uint8_t *a)
{
	buf_printf(b, " %s=\"", name);
	sock_addr(b, family, a);
	buf_putc(b, '"');
}

void
syslog_format(struct buf *b, const struct port_event *e, const struct proc_info *p,
    const char *host, pid_t procid)
{
	struct sock_row r = { .proto = e->proto, .state = e->state };
	const char *type = ev_type_name(e->type);
	const char *proto = e->proto == IPPROTO_UDP ? "udp" : "tcp";
	char ts[40];

	portevent_ts(ts, sizeof(ts), e->ts_ns);
	buf_printf(b, "<%d>1 %s %s portscope %d %s [" SYSLOG_SDID " event=\"%s\"",
	    e->type == EV_LOST ? PRI_WARNING : PRI_INFO, ts, host[0] ? host : "-",
	    (int)procid, type, type);
	if (e->type == EV_LOST) {
		sd_u64(b, "count", e->count);
		buf_printf(b, "] lost %llu events", (unsigned long long)e->count);
		return;
	}
	sd_str(b, "proto", proto);
	sd_addr(b, "local_addr", e->family, e->laddr);
	sd_u64(b, "local_port", e->lport);
	sd_addr(b, "remote_addr", e->family, e->raddr);
	sd_u64(b, "remote_port", e->rport);
	sd_str(b, "state", e->type == EV_CLOSE ? "CLOSED" : sock_state_name(&r));
	if (e->pid && !(e->flags & EVF_NO_OWNER)) {
		sd_u64(b, "pid", e->pid);
		sd_u64(b, "uid", e->uid);
		buf_puts(b, " comm=\"");
		sd_value(b, e->comm, sizeof(e->comm));
		buf_putc(b, '"');
	}
	if (p) {
		sd_str(b, "user", p->user);
		sd_str(b, "exe", p->exe);
		sd_str(b, "unit", p->unit);
		sd_str(b, "container", p->container);
	}
	sd_u64(b, "cookie", e->cookie);
	if (e->type == EV_CLOSE) {
		sd_u64(b, "lifetime_ns", e->lifetime_ns);
		if (e->proto == IPPROTO_TCP) {
			sd_u64(b, "bytes_sent", e->bytes_sent);
			sd_u64(b, "bytes_received", e->bytes_received);
		}
	}
	if (e->type == EV_UDP_FLOW)
		sd_u64(b, "count", e->count);
	buf_printf(b, "] %s %s ", type, proto);
	sock_endpoint(b, e->family, e->laddr, e->lport);
	if (e->rport) {
		buf_puts(b, " -> ");
		sock_endpoint(b, e->family, e->raddr, e->rport);
	}
	if (e->pid && !(e->flags & EVF_NO_OWNER)) {
		buf_printf(b, " pid %u (", e->pid);
		sd_value(b, e->comm, sizeof(e->comm));
		buf_printf(b, ") uid %u", e->uid);
	} else
		buf_puts(b, " no owner known");
}

static int
reconnect(struct syslog_out *o)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int saved;

	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	o->retry_ns = clock_mono_ns() + NSEC_PER_SEC;
	if (strlen(o->path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(sun.sun_path, o->path);
	if ((o->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	if (connect(o->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		saved = errno;
		close(o->fd);
		o->fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

int
syslog_open(struct syslog_out *o, const char *path, char *err, size_t errlen)
{
	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->path = xstrdup(path ? path : SYSLOG_SOCKET);
	buf_init(&o->msg);
	if (gethostname(o->host, sizeof(o->host) - 1) == -1)
		o->host[0] = '\0';
	if (reconnect(o) == -1) {
		snprintf(err, errlen, "cannot connect to the syslog socket '%s': %s",
		    o->path, strerror(errno));
		syslog_close(o);
		return -1;
	}
	return 0;
}

int
syslog_send(struct syslog_out *o, const struct port_event *e, const struct proc_info *p)
{
	int tries;

	buf_reset(&o->msg);
	syslog_format(&o->msg, e, p, o->host, getpid());
	for (tries = 0; tries < 2; tries++) {
		if (o->fd < 0 && clock_mono_ns() < o->retry_ns) {
			errno = ENOTCONN;
			break;
		}
		if (o->fd < 0 && reconnect(o) == -1)
			break;
		if (send(o->fd, o->msg.data, o->msg.len, MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
			o->sent++;
			o->last_errno = 0;
			return 0;
		}
		if (errno == EAGAIN || errno == ENOBUFS)
			break;
		/* the daemon restarted (ECONNREFUSED, ENOTCONN): once more */
		close(o->fd);
		o->fd = -1;
		o->retry_ns = 0;
	}
	o->last_errno = errno ? errno : EAGAIN;
	o->dropped++;
	errno = o->last_errno;
	return -1;
}

void
syslog_close(struct syslog_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
	free(o->path);
	o->path = NULL;
	buf_release(&o->msg);
}
