/*
 * The polling backend of the event engine: a snapshot every interval,
 * compared with the last (events/diff.h), each change turned into a port
 * event.  What opens and closes between two snapshots is never seen, and
 * times are those of the snapshot that saw the change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include "events/diff.h"
#include "events/source.h"
#include "util/clock.h"
#include "util/xmalloc.h"

struct poll_priv {
	int			 tfd;
	struct snap_filter	 sf;
	struct snapshot		 prev;
};

static int
poll_open(struct ev_source *src, char *err, size_t errlen)
{
	struct poll_priv *pp = xcalloc(1, sizeof(*pp));
	uint64_t ns = src->opts.poll_interval_ns;
	struct itimerspec its;

	ev_snap_filter(&src->filter, &pp->sf);
	if ((pp->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot create a timer: %s", strerror(errno));
		free(pp);
		return -1;
	}
	its.it_interval = clock_ns_to_timespec(ns);
	its.it_value = its.it_interval;
	if (timerfd_settime(pp->tfd, 0, &its, NULL) == -1) {
		snprintf(err, errlen, "cannot set a timer: %s", strerror(errno));
		goto fail;
	}
	if (src->filter.pid > 0)
		ev_family_scan(src, NULL, NULL);
	if (snapshot_take(&pp->prev, &pp->sf, err, errlen) == -1)
		goto fail;
	src->priv = pp;
	ev_queue_existing(src, &pp->prev);
	return 0;
fail:
	close(pp->tfd);
	free(pp);
	return -1;
}

static int
poll_fd(const struct ev_source *src)
{
	const struct poll_priv *pp = src->priv;

	return pp->tfd;
}

static int
poll_timeout_ms(const struct ev_source *src)
{
	(void)src;
	return -1;
}

/* Is some socket of s listening on r's local port (r was accepted)? */
static int
from_listener(const struct snapshot *s, const struct sock_row *r)
{
	size_t i;

	for (i = 0; i < s->nsocks; i++)
		if (s->socks[i].proto == IPPROTO_TCP && s->socks[i].state == TCP_LISTEN &&
		    s->socks[i].lport == r->lport)
			return 1;
	return 0;
}

/* The event a new socket stands for. */
static enum ev_type
new_type(const struct snapshot *s, const struct sock_row *r, uint32_t *flags)
{
	if (r->proto == IPPROTO_TCP && r->state == TCP_LISTEN)
		return EV_LISTEN;
	if (r->rport == 0)
		return EV_BIND;
	if (r->proto == IPPROTO_TCP && from_listener(s, r)) {
		*flags |= EVF_PASSIVE;
		return EV_ACCEPT;
	}
	return EV_CONNECT;
}

static int
poll_read(struct ev_source *src, char *err, size_t errlen)
{
	struct poll_priv *pp = src->priv;
	const struct diff_event *d;
	struct snapshot cur;
	struct diff df = { NULL, 0 };
	struct port_event e;
	uint64_t ticks, mono, real;
	size_t i;

	if (read(pp->tfd, &ticks, sizeof(ticks)) != (ssize_t)sizeof(ticks))
		return 0;	/* not yet time */
	if (snapshot_take(&cur, &pp->sf, err, errlen) == -1)
		return -1;
	mono = clock_mono_ns();
	real = clock_real_ns();
	if (src->filter.pid > 0)
		ev_family_scan(src, NULL, NULL);
	diff_snapshots(&pp->prev, &cur, &df);
	for (i = 0; i < df.nevents; i++) {
		d = &df.events[i];
		/* an owner found only now for a socket told without one: tell
		 * it again, with the owner; other owner changes are not events */
		if (d->kind == DIFF_OWNER && (d->before->owner != OWNER_NONE ||
		    d->after->owner == OWNER_NONE))
			continue;
		memset(&e, 0, sizeof(e));
		e.ts_ns = real;
		e.mono_ns = mono;
		e.netns = src->netns;
		if (d->kind == DIFF_GONE) {
			ev_from_row(&e, &pp->prev, d->before);
			e.type = EV_CLOSE;
			e.old_state = d->before->state;
			e.state = TCP_CLOSE;
			e.flags |= EVF_NO_START;
		} else {
			ev_from_row(&e, &cur, d->after);
			if (d->kind == DIFF_STATE) {
				e.type = EV_STATE;
				e.old_state = d->before->state;
			} else	/* DIFF_NEW, DIFF_OWNER */
				e.type = new_type(&cur, d->after, &e.flags);
		}
		ev_deliver(src, &e);
	}
	diff_release(&df);
	snapshot_release(&pp->prev);
	pp->prev = cur;
	return 0;
}

static void
poll_close(struct ev_source *src)
{
	struct poll_priv *pp = src->priv;

	if (pp == NULL)
		return;
	snapshot_release(&pp->prev);
	close(pp->tfd);
	free(pp);
	src->priv = NULL;
}

const struct ev_backend_ops ev_poll_ops = {
	.name = "poll",
	.open = poll_open,
	.fd = poll_fd,
	.timeout_ms = poll_timeout_ms,
	.read = poll_read,
	.close = poll_close,
};
