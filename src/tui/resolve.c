#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tui/resolve.h"
#include "util/xmalloc.h"

#define SLOTS	(RESOLVE_MAX * 2)	/* open addressing, at most half full */

enum { E_EMPTY, E_QUEUED, E_DONE };

struct entry {
	uint8_t		 addr[16];
	uint8_t		 family;
	uint8_t		 state;		/* E_*; written under the lock */
	char		*name;		/* set before state becomes E_DONE; NULL: no name */
};

struct resolver {
	struct entry	*slots;
	size_t		 count;
	uint32_t	*queue;		/* ring of slot indexes */
	size_t		 qhead, qlen;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	pthread_t	 thr;
	int		 stop;
	int		 busy;		/* the worker is in getnameinfo */
	int		 pipe[2];	/* worker → main: answers arrived */
};

static size_t
slot_of(int family, const uint8_t *addr)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i, n = family == AF_INET ? 4 : 16;

	for (i = 0; i < n; i++)
		h = (h ^ addr[i]) * 0x100000001b3ULL;
	return (size_t)(h % SLOTS);
}

static void *
worker(void *arg)
{
	struct resolver *rs = arg;
	struct sockaddr_storage ss;
	struct entry *e;
	char host[NI_MAXHOST];
	socklen_t len;
	uint32_t k;

	pthread_mutex_lock(&rs->mu);
	for (;;) {
		while (rs->qlen == 0 && !rs->stop)
			pthread_cond_wait(&rs->cv, &rs->mu);
		if (rs->stop)
			break;
		k = rs->queue[rs->qhead];
		rs->qhead = (rs->qhead + 1) % RESOLVE_MAX;
		rs->qlen--;
		e = &rs->slots[k];
		rs->busy = 1;
		pthread_mutex_unlock(&rs->mu);

		memset(&ss, 0, sizeof(ss));
		if (e->family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
			sin->sin_family = AF_INET;
			memcpy(&sin->sin_addr, e->addr, 4);
			len = sizeof(*sin);
		} else {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
			sin6->sin6_family = AF_INET6;
			memcpy(&sin6->sin6_addr, e->addr, 16);
			len = sizeof(*sin6);
		}
		if (getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL, 0,
		    NI_NAMEREQD) == 0)
			e->name = xstrdup(host);

		pthread_mutex_lock(&rs->mu);
		rs->busy = 0;
		e->state = E_DONE;
		(void)!write(rs->pipe[1], "", 1);
	}
	pthread_mutex_unlock(&rs->mu);
	return NULL;
}

struct resolver *
resolver_new(char *err, size_t errlen)
{
	struct resolver *rs = xcalloc(1, sizeof(*rs));

	rs->slots = xcalloc(SLOTS, sizeof(*rs->slots));
	rs->queue = xcalloc(RESOLVE_MAX, sizeof(*rs->queue));
	pthread_mutex_init(&rs->mu, NULL);
	pthread_cond_init(&rs->cv, NULL);
	if (pipe2(rs->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		goto fail;
	}
	if ((errno = pthread_create(&rs->thr, NULL, worker, rs)) != 0) {
		snprintf(err, errlen, "cannot start the name lookup thread: %s",
		    strerror(errno));
		close(rs->pipe[0]);
		close(rs->pipe[1]);
		goto fail;
	}
	return rs;
fail:
	free(rs->queue);
	free(rs->slots);
	free(rs);
	return NULL;
}

void
resolver_free(struct resolver *rs)
{
	size_t i;
	int busy;

	if (rs == NULL)
		return;
	pthread_mutex_lock(&rs->mu);
	rs->stop = 1;
	busy = rs->busy;
	pthread_cond_signal(&rs->cv);
	pthread_mutex_unlock(&rs->mu);
	/* A lookup in progress may take the resolver's timeout (seconds) to
	 * return: quitting does not wait for it.  The worker then owns rs and
	 * the process ends with it. */
	if (busy) {
		pthread_detach(rs->thr);
		return;
	}
	pthread_join(rs->thr, NULL);
	for (i = 0; i < SLOTS; i++)
		free(rs->slots[i].name);
	close(rs->pipe[0]);
	close(rs->pipe[1]);
	pthread_mutex_destroy(&rs->mu);
	pthread_cond_destroy(&rs->cv);
	free(rs->queue);
	free(rs->slots);
	free(rs);
}

const char *
resolver_name(struct resolver *rs, int family, const uint8_t *addr, int queue)
{
	size_t n = family == AF_INET ? 4 : 16, k;
	struct entry *e;
	const char *name = NULL;

	pthread_mutex_lock(&rs->mu);
	for (k = slot_of(family, addr);; k = (k + 1) % SLOTS) {
		e = &rs->slots[k];
		if (e->state == E_EMPTY)
			break;
		if (e->family == family && memcmp(e->addr, addr, n) == 0) {
			if (e->state == E_DONE)
				name = e->name;
			goto out;
		}
	}
	if (!queue || rs->count >= RESOLVE_MAX)
		goto out;
	memcpy(e->addr, addr, n);
	e->family = (uint8_t)family;
	e->state = E_QUEUED;
	rs->count++;
	rs->queue[(rs->qhead + rs->qlen) % RESOLVE_MAX] = (uint32_t)k;
	rs->qlen++;
	pthread_cond_signal(&rs->cv);
out:
	pthread_mutex_unlock(&rs->mu);
	return name;
}

int
resolver_fd(const struct resolver *rs)
{
	return rs->pipe[0];
}

void
resolver_drain(struct resolver *rs)
{
	char buf[256];

	while (read(rs->pipe[0], buf, sizeof(buf)) > 0)
		;
}
