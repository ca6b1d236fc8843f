/* The query engine's system: real sockets on one epoll set, the real
 * clock. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "query/errqueue.h"
#include "query/netio.h"
#include "util/clock.h"
#include "util/xmalloc.h"

struct sys {
	int		 ep;
};

static uint64_t
sys_now(void *arg)
{
	(void)arg;
	return clock_mono_ns();
}

static int
sys_open(void *arg, int family, int type, uint16_t src_port, const char **what)
{
	struct sockaddr_storage src;
	int fd, one = 1, er;

	(void)arg;
	*what = "socket";
	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	if (family == AF_INET6 ?
	    setsockopt(fd, SOL_IPV6, IPV6_RECVERR, &one, sizeof(one)) :
	    setsockopt(fd, SOL_IP, IP_RECVERR, &one, sizeof(one))) {
		*what = family == AF_INET6 ? "setsockopt(IPV6_RECVERR)" :
		    "setsockopt(IP_RECVERR)";
		goto fail;
	}
	if (src_port != 0) {
		memset(&src, 0, sizeof(src));
		src.ss_family = (sa_family_t)family;
		if (family == AF_INET6)
			((struct sockaddr_in6 *)&src)->sin6_port = htons(src_port);
		else
			((struct sockaddr_in *)&src)->sin_port = htons(src_port);
		*what = "setsockopt(SO_REUSEADDR)";
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
			goto fail;
		*what = "bind";
		if (bind(fd, (struct sockaddr *)&src, family == AF_INET6 ?
		    sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in)))
			goto fail;
	}
	return fd;
fail:
	er = errno;
	close(fd);
	errno = er;
	return -1;
}

static int
sys_connect(void *arg, int fd, const struct sockaddr *a, socklen_t l)
{
	(void)arg;
	return connect(fd, a, l);
}

static int
sys_bind(void *arg, int fd, const struct sockaddr *a, socklen_t l)
{
	(void)arg;
	return bind(fd, a, l);
}

static ssize_t
sys_send(void *arg, int fd, const void *p, size_t n, const struct sockaddr *to,
    socklen_t tl)
{
	(void)arg;
	if (to != NULL)
		return sendto(fd, p, n, MSG_NOSIGNAL, to, tl);
	return send(fd, p, n, MSG_NOSIGNAL);
}

static ssize_t
sys_recv(void *arg, int fd, void *p, size_t n, struct sockaddr_storage *from)
{
	socklen_t fl = sizeof(*from);

	(void)arg;
	if (from != NULL)
		return recvfrom(fd, p, n, 0, (struct sockaddr *)from, &fl);
	return recv(fd, p, n, 0);
}

static int
sys_sock_error(void *arg, int fd)
{
	socklen_t el = sizeof(int);
	int er = 0;

	(void)arg;
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &er, &el) == -1)
		return errno;
	return er;
}

static int
sys_err_read(void *arg, int fd, struct qerr *e)
{
	(void)arg;
	return qerr_read(fd, e);
}

static int
sys_local_port(void *arg, int fd, uint16_t *port)
{
	struct sockaddr_storage me;
	socklen_t len = sizeof(me);

	(void)arg;
	if (getsockname(fd, (struct sockaddr *)&me, &len) == -1)
		return -1;
	*port = me.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&me)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&me)->sin_port);
	return 0;
}

static void
sys_reset_on_close(void *arg, int fd)
{
	struct linger lg = { 1, 0 };

	(void)arg;
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
}

static void
sys_close(void *arg, int fd)
{
	(void)arg;
	close(fd);
}

static int
sys_watch(void *arg, int fd, uint32_t key, uint32_t events, int added)
{
	struct sys *s = arg;
	struct epoll_event ev;

	ev.events = events;
	ev.data.u64 = key;
	return epoll_ctl(s->ep, added ? EPOLL_CTL_MOD : EPOLL_CTL_ADD, fd, &ev);
}

static uint32_t
sys_pending(void *arg, int fd, uint32_t events)
{
	struct pollfd pfd = { .fd = fd, .events = 0 };

	(void)arg;
	if (events & EPOLLIN)
		pfd.events |= POLLIN;
	if (events & EPOLLOUT)
		pfd.events |= POLLOUT;
	if (poll(&pfd, 1, 0) != 1)
		return 0;
	return (pfd.revents & POLLIN ? EPOLLIN : 0) |
	    (pfd.revents & POLLOUT ? EPOLLOUT : 0) |
	    (pfd.revents & POLLERR ? EPOLLERR : 0) |
	    (pfd.revents & POLLHUP ? EPOLLHUP : 0);
}

static int
sys_wait(void *arg, struct netio_ev *out, int max, int timeout_ms)
{
	struct sys *s = arg;
	struct epoll_event evs[256];
	int n, i;

	if (max > 256)
		max = 256;
	if ((n = epoll_wait(s->ep, evs, max, timeout_ms)) <= 0)
		return n;
	for (i = 0; i < n; i++) {
		out[i].key = (uint32_t)evs[i].data.u64;
		out[i].events = evs[i].events;
	}
	return n;
}

static int
sys_is_local(void *arg, const struct sockaddr *addr, socklen_t len)
{
	struct sockaddr_storage a;
	int fd, ok;

	(void)arg;
	memcpy(&a, addr, len);
	if (a.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&a)->sin6_port = 0;
	else
		((struct sockaddr_in *)&a)->sin_port = 0;
	if ((fd = socket(addr->sa_family, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return 0;
	ok = bind(fd, (struct sockaddr *)&a, len) == 0;
	close(fd);
	return ok;
}

int
netio_sys_init(struct netio *n, char *err, size_t errlen)
{
	struct sys *s = xcalloc(1, sizeof(*s));

	if ((s->ep = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot create an epoll set: %s",
		    strerror(errno));
		free(s);
		return -1;
	}
	*n = (struct netio){
		.arg = s, .now = sys_now, .open = sys_open,
		.connect = sys_connect, .bind = sys_bind, .send = sys_send,
		.recv = sys_recv, .sock_error = sys_sock_error,
		.err_read = sys_err_read, .local_port = sys_local_port,
		.reset_on_close = sys_reset_on_close, .close = sys_close,
		.watch = sys_watch, .pending = sys_pending, .wait = sys_wait,
		.is_local = sys_is_local,
	};
	return 0;
}

void
netio_sys_release(struct netio *n)
{
	struct sys *s = n->arg;

	if (s != NULL) {
		close(s->ep);
		free(s);
	}
	n->arg = NULL;
}
