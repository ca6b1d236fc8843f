/*
 * What the query engine asks of the system, behind one table: the clock,
 * sockets and the readiness set.  netio_sys_init() gives the real one
 * (util/clock.h, non-blocking sockets, epoll); unit tests give a fake
 * network with a fake clock, so that the engine's decisions (timeouts,
 * retries, pacing, collisions, deadlines) are tested without waiting.
 *
 * Every call returns what the system call would (-1 with errno set on
 * failure); fds are whatever open() returned.
 */
#ifndef QUERY_NETIO_H
#define QUERY_NETIO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

struct qerr;

/* Readiness, as epoll's EPOLLIN, EPOLLOUT, EPOLLERR and EPOLLHUP. */
struct netio_ev {
	uint32_t	 key;		/* as given to watch() */
	uint32_t	 events;
};

struct netio {
	void		*arg;
	uint64_t	(*now)(void *);			/* monotonic ns */
	/* A non-blocking socket of family and type with IP_RECVERR (or
	 * IPV6_RECVERR) set, bound to src_port when non-zero.  On failure
	 * -1 with errno, and *what names the call that failed
	 * ("socket", "setsockopt(IP_RECVERR)", "bind"). */
	int		(*open)(void *, int family, int type, uint16_t src_port,
			    const char **what);
	int		(*connect)(void *, int fd, const struct sockaddr *, socklen_t);
	int		(*bind)(void *, int fd, const struct sockaddr *, socklen_t);
	/* to: NULL for a connected socket. */
	ssize_t		(*send)(void *, int fd, const void *, size_t,
			    const struct sockaddr *to, socklen_t);
	/* from: NULL when not wanted. */
	ssize_t		(*recv)(void *, int fd, void *, size_t,
			    struct sockaddr_storage *from);
	int		(*sock_error)(void *, int fd);	/* SO_ERROR (or errno) */
	int		(*err_read)(void *, int fd, struct qerr *);
	int		(*local_port)(void *, int fd, uint16_t *);
	void		(*reset_on_close)(void *, int fd);	/* SO_LINGER 0 */
	void		(*close)(void *, int fd);
	/* Watch fd for events: a new fd (added 0), or change what an fd
	 * already watched waits for (added 1). */
	int		(*watch)(void *, int fd, uint32_t key, uint32_t events,
			    int added);
	/* The events pending on fd right now, without waiting. */
	uint32_t	(*pending)(void *, int fd, uint32_t events);
	/* Wait up to timeout_ms (-1: no limit) for events of watched fds. */
	int		(*wait)(void *, struct netio_ev *, int max, int timeout_ms);
	/* Is addr one of this host's own addresses? */
	int		(*is_local)(void *, const struct sockaddr *, socklen_t);
};

/* The real system.  Returns 0, or -1 with the reason in err. */
int	netio_sys_init(struct netio *, char *err, size_t errlen);
void	netio_sys_release(struct netio *);

#endif
