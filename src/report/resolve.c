/*
 * report --resolve with c-ares: one asynchronous PTR lookup per distinct
 * address, a bounded number in flight, driven by poll(2) until all have
 * answered or the budget is spent; then the rest are cancelled and stay
 * addresses.  An address is looked up in the hosts file first (c-ares
 * reads it), then as a PTR query to the servers of resolv.conf, the order
 * of glibc's usual "hosts: files dns".  Why c-ares and not getnameinfo(3)
 * in threads: a blocked getnameinfo cannot be cancelled, so threads would
 * outlive the deadline; c-ares's queries are cancelled cleanly, and its
 * status tells "no name" from "no answer".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "report/resolve.h"
#include "util/buf.h"
#include "util/xmalloc.h"

int
resolve_name_ok(const char *s)
{
	size_t len = strlen(s), label = 0, i;
	char c;

	if (len > 0 && s[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return 0;
	for (i = 0; i < len; i++) {
		c = s[i];
		if (c == '.') {
			if (label == 0)
				return 0;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
		if (label == 0 && c == '-')
			return 0;
		if (++label > 63)
			return 0;
	}
	return 1;
}

#ifndef HAVE_CARES

int
report_resolve_available(void)
{
	return 0;
}

int
report_resolve(struct report *rep, int64_t timeout_ms, char *err, size_t errlen)
{
	(void)rep;
	(void)timeout_ms;
	snprintf(err, errlen, "cannot resolve names: this portscope was built without "
	    "c-ares (install libc-ares-dev and rebuild)");
	return -1;
}

#else

#include <ares.h>
#include <arpa/nameser.h>
#include <netdb.h>
#include <poll.h>

#include "util/clock.h"
#include "util/vec.h"

enum name_state { NAME_PENDING, NAME_FOUND, NAME_NONE, NAME_REJECTED, NAME_FAILED };

struct lookups {
	ares_channel	 files;		/* the hosts file only: answers at once */
	ares_channel	 dns;		/* PTR queries, driven by poll */
	struct { struct pollfd *v; size_t n, cap; } socks;	/* dns's sockets */
	size_t		 inflight;
};

struct name_entry {
	const char	*addr;		/* borrowed from the report's cells */
	char		*name;		/* owned; set when NAME_FOUND */
	enum name_state	 state;
	int		 family;
	unsigned char	 bytes[16];
	struct lookups	*lk;
};

/* c-ares tells which sockets it waits on, and for what. */
static void
sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	struct lookups *lk = data;
	size_t i;

	for (i = 0; i < lk->socks.n && lk->socks.v[i].fd != fd; i++)
		;
	if (!readable && !writable) {
		if (i < lk->socks.n)
			lk->socks.v[i] = lk->socks.v[--lk->socks.n];
		return;
	}
	if (i == lk->socks.n)
		VEC_PUSH(&lk->socks)->fd = fd;
	lk->socks.v[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
}

/* A name that came back: kept when it is a host name, else rejected. */
static void
take_name(struct name_entry *e, const char *name)
{
	size_t len;

	if (!resolve_name_ok(name)) {
		e->state = NAME_REJECTED;
		return;
	}
	len = strlen(name);
	e->name = xstrndup(name, name[len - 1] == '.' ? len - 1 : len);
	e->state = NAME_FOUND;
}

static void
dns_done(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct name_entry *e = arg;
	struct hostent *host = NULL;
	int len = e->family == AF_INET ? 4 : 16;

	(void)timeouts;
	e->lk->inflight--;
	switch (status) {
	case ARES_SUCCESS:
		status = ares_parse_ptr_reply(abuf, alen, e->bytes, len, e->family, &host);
		if (status == ARES_SUCCESS && host && host->h_name)
			take_name(e, host->h_name);
		else if (status == ARES_ENODATA)
			e->state = NAME_NONE;
		else	/* c-ares refuses an answer whose name is not a host name */
			e->state = NAME_REJECTED;
		if (host)
			ares_free_hostent(host);
		break;
	case ARES_ENOTFOUND:	/* no such name */
	case ARES_ENODATA:	/* the name, but no PTR record */
		e->state = NAME_NONE;
		break;
	case ARES_ECANCELLED:	/* the budget ran out */
	case ARES_EDESTRUCTION:
		break;
	default:		/* a timeout, a refusal, a server failure */
		e->state = NAME_FAILED;
		break;
	}
}

/* The PTR name of e's address: 4.3.2.1.in-addr.arpa, or 32 nibbles and
 * ip6.arpa. */
static void
ptr_name(const struct name_entry *e, char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;
	int i;

	if (e->family == AF_INET) {
		snprintf(out, len, "%u.%u.%u.%u.in-addr.arpa", e->bytes[3], e->bytes[2],
		    e->bytes[1], e->bytes[0]);
		return;
	}
	for (i = 15; i >= 0 && n + 4 < len; i--) {
		out[n++] = hex[e->bytes[i] & 0xf];
		out[n++] = '.';
		out[n++] = hex[e->bytes[i] >> 4];
		out[n++] = '.';
	}
	snprintf(out + n, len - n, "ip6.arpa");
}

/* The hosts file answered (at once); without a name there, ask DNS. */
static void
files_done(void *arg, int status, int timeouts, struct hostent *host)
{
	struct name_entry *e = arg;
	char q[80];

	(void)timeouts;
	if (status == ARES_SUCCESS && host && host->h_name) {
		take_name(e, host->h_name);
		e->lk->inflight--;
	} else if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION) {
		e->lk->inflight--;
	} else {
		ptr_name(e, q, sizeof(q));
		ares_query(e->lk->dns, q, ns_c_in, ns_t_ptr, dns_done, e);
	}
}

/* Start e's lookup; an address that does not parse fails at once. */
static void
lookup_start(struct lookups *lk, struct name_entry *e)
{
	char tmp[INET6_ADDRSTRLEN];
	size_t len = strcspn(e->addr, "%");	/* fe80::1%eth0: the scope is no part of it */

	e->lk = lk;
	e->state = NAME_FAILED;
	if (len >= sizeof(tmp))
		return;
	memcpy(tmp, e->addr, len);
	tmp[len] = '\0';
	if (inet_pton(AF_INET, tmp, e->bytes) == 1) {
		e->family = AF_INET;
	} else if (inet_pton(AF_INET6, tmp, e->bytes) == 1) {
		e->family = AF_INET6;
		if (IN6_IS_ADDR_V4MAPPED((struct in6_addr *)e->bytes)) {
			memmove(e->bytes, e->bytes + 12, 4);
			e->family = AF_INET;
		}
	} else {
		return;
	}
	e->state = NAME_PENDING;
	lk->inflight++;
	ares_gethostbyaddr(lk->files, e->bytes, e->family == AF_INET ? 4 : 16, e->family,
	    files_done, e);
}

/* Resolve e[0..n) within timeout_ms.  Returns 0, or -1 with the reason. */
static int
resolve_all(struct name_entry *e, size_t n, int64_t timeout_ms, char *err, size_t errlen)
{
	struct lookups lk;
	struct ares_options opts;
	struct timeval maxtv, tv, *tvp;
	struct pollfd pf[ARES_GETSOCK_MAXNUM];
	uint64_t deadline, now, left;
	size_t next = 0, i, np;
	int rc, ms, nr, ret = -1;

	memset(&lk, 0, sizeof(lk));
	if ((rc = ares_library_init(ARES_LIB_INIT_ALL)) != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s", ares_strerror(rc));
		return -1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.lookups = (char *)"f";
	if ((rc = ares_init_options(&lk.files, &opts, ARES_OPT_LOOKUPS)) != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s", ares_strerror(rc));
		ares_library_cleanup();
		return -1;
	}
	memset(&opts, 0, sizeof(opts));
	/* Two tries per server, the first a third of the budget: the second
	 * (c-ares doubles it) ends with the budget, when all is cancelled. */
	opts.timeout = (int)(timeout_ms / 3 > 100 ? timeout_ms / 3 : 100);
	opts.tries = 2;
	opts.sock_state_cb = sock_state;
	opts.sock_state_cb_data = &lk;
	if ((rc = ares_init_options(&lk.dns, &opts, ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES |
	    ARES_OPT_SOCK_STATE_CB)) != ARES_SUCCESS) {
		snprintf(err, errlen, "cannot start the resolver: %s", ares_strerror(rc));
		ares_destroy(lk.files);
		ares_library_cleanup();
		return -1;
	}
	deadline = clock_mono_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	for (;;) {
		while (next < n && lk.inflight < RESOLVE_INFLIGHT)
			lookup_start(&lk, &e[next++]);
		if (lk.inflight == 0 && next == n)
			break;
		now = clock_mono_ns();
		if (now >= deadline)
			break;
		left = deadline - now;
		maxtv.tv_sec = (time_t)(left / NSEC_PER_SEC);
		maxtv.tv_usec = (suseconds_t)(left % NSEC_PER_SEC / 1000);
		tvp = ares_timeout(lk.dns, &maxtv, &tv);
		ms = (int)(tvp->tv_sec * 1000 + (tvp->tv_usec + 999) / 1000);
		/* c-ares changes its socket list while it works: poll a copy. */
		np = lk.socks.n < ARES_GETSOCK_MAXNUM ? lk.socks.n : ARES_GETSOCK_MAXNUM;
		memcpy(pf, lk.socks.v, np * sizeof(*pf));
		nr = poll(pf, np, ms);
		if (nr == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "cannot wait for the resolver: %s", strerror(errno));
			goto out;
		}
		if (nr == 0) {
			ares_process_fd(lk.dns, ARES_SOCKET_BAD, ARES_SOCKET_BAD);	/* timeouts */
			continue;
		}
		for (i = 0; i < np; i++)
			if (pf[i].revents)
				ares_process_fd(lk.dns,
				    pf[i].revents & (POLLIN | POLLERR | POLLHUP) ? pf[i].fd :
				    ARES_SOCKET_BAD,
				    pf[i].revents & POLLOUT ? pf[i].fd : ARES_SOCKET_BAD);
	}
	ret = 0;
out:
	ares_cancel(lk.dns);	/* what is still out ends as not resolved */
	ares_destroy(lk.dns);
	ares_destroy(lk.files);
	ares_library_cleanup();
	VEC_FREE(&lk.socks);
	return ret;
}

static int
entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct name_entry *)a)->addr, ((const struct name_entry *)b)->addr);
}

static const struct name_entry *
entry_find(const struct name_entry *e, size_t n, const char *addr)
{
	struct name_entry key = { .addr = addr };

	return addr ? bsearch(&key, e, n, sizeof(*e), entry_cmp) : NULL;
}

/* A remote of interest: what is "remote of interest", the subject its address. */
static int
interest_remote(const struct rep_table *t, size_t r)
{
	const struct rep_cell *c = rep_cell(t, r, 0);

	return c[1].s && strcmp(c[1].s, "remote of interest") == 0 && c[2].s;
}

int
report_resolve_available(void)
{
	return 1;
}

int
report_resolve(struct report *rep, int64_t timeout_ms, char *err, size_t errlen)
{
	struct rep_table *rt = &rep->tables[SEC_REMOTES], *it = &rep->tables[SEC_INTEREST];
	struct { struct name_entry *v; size_t n, cap; } ents = { 0 };
	const struct name_entry *e;
	struct rep_cell *c;
	struct buf d;
	int acol = rep_col_find(rt, "address"), ncol = rep_col_find(rt, "name");
	size_t r, i, k;
	int ret = -1;

	if (acol >= 0 && ncol >= 0)
		for (r = 0; r < rt->nrows; r++)
			if (rep_cell(rt, r, acol)->s)
				VEC_PUSH(&ents)->addr = rep_cell(rt, r, acol)->s;
	for (r = 0; r < it->nrows; r++)
		if (interest_remote(it, r))
			VEC_PUSH(&ents)->addr = rep_cell(it, r, 2)->s;
	if (ents.n)
		qsort(ents.v, ents.n, sizeof(*ents.v), entry_cmp);
	for (i = k = 0; i < ents.n; i++)	/* one lookup per address */
		if (k == 0 || strcmp(ents.v[k - 1].addr, ents.v[i].addr) != 0)
			ents.v[k++] = ents.v[i];
	ents.n = k;

	if (resolve_all(ents.v, ents.n, timeout_ms, err, errlen) == -1)
		goto out;
	memset(&rep->names, 0, sizeof(rep->names));
	rep->names.asked = 1;
	rep->names.timeout_ms = timeout_ms;
	rep->names.addresses = ents.n;
	for (i = 0; i < ents.n; i++) {
		switch (ents.v[i].state) {
		case NAME_FOUND: rep->names.named++; break;
		case NAME_NONE: rep->names.no_name++; break;
		case NAME_REJECTED: rep->names.rejected++; break;
		case NAME_PENDING:
		case NAME_FAILED: rep->names.unresolved++; break;
		}
	}
	if (acol >= 0 && ncol >= 0)
		for (r = 0; r < rt->nrows; r++)
			if ((e = entry_find(ents.v, ents.n, rep_cell(rt, r, acol)->s)) && e->name)
				rep_set_text(&rt->cells.v[r * (size_t)rt->ncols + (size_t)ncol],
				    e->name);
	rt->memo_rows = 0;	/* cells changed: rep_col_shown looks again */
	buf_init(&d);
	for (r = 0; r < it->nrows; r++) {
		if (!interest_remote(it, r) ||
		    !(e = entry_find(ents.v, ents.n, rep_cell(it, r, 2)->s)) || !e->name)
			continue;
		c = &it->cells.v[r * (size_t)it->ncols];
		buf_reset(&d);
		buf_printf(&d, "name %s%s%s", e->name, c[4].s ? "; " : "", c[4].s ? c[4].s : "");
		rep_set_text(&c[4], buf_str(&d));
	}
	it->memo_rows = 0;
	buf_release(&d);
	ret = 0;
out:
	for (i = 0; i < ents.n; i++)
		free(ents.v[i].name);
	VEC_FREE(&ents);
	return ret;
}

#endif
