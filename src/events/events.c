/*
 * The event engine's front (events.h): choose a backend, hold the filters
 * that run in user space (comm, unit, and a pid's family where the kernel
 * cannot), deliver the start-up snapshot first, then the backend's events.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "events/cgroup.h"
#include "events/source.h"
#include "util/clock.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define POLL_INTERVAL_DEFAULT_NS	NSEC_PER_SEC
#define CGROUP_RESCAN_NS		NSEC_PER_SEC

void
ev_filter_init(struct ev_filter *f)
{
	memset(f, 0, sizeof(*f));
}

const char *
ev_type_name(enum ev_type t)
{
	static const char *const names[] = {
		[EV_EXISTING] = "existing", [EV_BIND] = "bind", [EV_LISTEN] = "listen",
		[EV_CONNECT] = "connect", [EV_ACCEPT] = "accept", [EV_STATE] = "state",
		[EV_CLOSE] = "close", [EV_UDP_FLOW] = "udp_flow", [EV_LOST] = "lost",
	};

	if ((size_t)t < sizeof(names) / sizeof(names[0]) && names[t])
		return names[t];
	return "unknown";
}

/* ---- the pid filter's family: the process and its descendants ---- */

struct proc_parent {
	uint32_t	pid;
	uint32_t	ppid;
};

struct parent_vec {
	struct proc_parent	*v;
	size_t			 n, cap;
};

/* The parent of every process, from /proc/PID/stat. */
static void
read_parents(struct parent_vec *out)
{
	char path[300], buf[512], *p;
	struct proc_parent *pp;
	struct dirent *d;
	ssize_t n;
	DIR *dir;
	int fd;

	if ((dir = opendir("/proc")) == NULL)
		return;
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] < '1' || d->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", d->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* "pid (comm) S ppid ...": comm may hold anything, so from the last ')' */
		if ((p = strrchr(buf, ')')) == NULL || p[1] != ' ' || p[2] == '\0')
			continue;
		pp = VEC_PUSH(out);
		pp->pid = (uint32_t)strtoul(d->d_name, NULL, 10);
		pp->ppid = (uint32_t)strtoul(p + 4, NULL, 10);
	}
	closedir(dir);
}

void
ev_family_scan(struct ev_source *src, void (*add)(uint32_t, void *), void *arg)
{
	struct parent_vec all = { NULL, 0, 0 };
	struct { uint32_t *v; size_t n, cap; } fam = { NULL, 0, 0 };
	size_t i, j;

	if (src->filter.pid <= 0)
		return;
	read_parents(&all);
	*VEC_PUSH(&fam) = (uint32_t)src->filter.pid;
	/* breadth first: each found process's children join the list */
	for (i = 0; i < fam.n; i++)
		for (j = 0; j < all.n; j++)
			if (all.v[j].ppid == fam.v[i] && all.v[j].pid != fam.v[i])
				*VEC_PUSH(&fam) = all.v[j].pid;
	if (src->family.keys)
		u64map_release(&src->family);
	u64map_init(&src->family, fam.n);
	for (i = 0; i < fam.n; i++) {
		if (u64map_get(&src->family, fam.v[i]) != U64MAP_MISSING)
			continue;
		u64map_put(&src->family, fam.v[i], 1);
		if (add)
			add(fam.v[i], arg);
	}
	VEC_FREE(&all);
	VEC_FREE(&fam);
}

int
ev_pid_wanted(struct ev_source *src, uint32_t pid)
{
	if (src->filter.pid <= 0)
		return 1;
	return pid != 0 && src->family.keys &&
	    u64map_get(&src->family, pid) != U64MAP_MISSING;
}

/* Is cgroup id the filter's cgroup or below it?  A cgroup made since the
 * last look makes us look again (at most once a second). */
static int
cgroup_wanted(struct ev_source *src, uint64_t id)
{
	uint64_t now;

	if (id == 0)
		return 0;
	if (u64map_get(&src->cgroups, id) != U64MAP_MISSING)
		return 1;
	now = clock_mono_ns();
	if (now - src->cgroups_scanned_ns < CGROUP_RESCAN_NS)
		return 0;
	src->cgroups_scanned_ns = now;
	u64map_release(&src->cgroups);
	cgroup_subtree(src->filter.cgroup_id, &src->cgroups);
	return u64map_get(&src->cgroups, id) != U64MAP_MISSING;
}

/* ---- delivery ---- */

void
ev_deliver(struct ev_source *src, const struct port_event *e)
{
	const struct ev_filter *f = &src->filter;

	if (e->type != EV_LOST) {
		if (f->types && !(f->types & EV_BIT(e->type)))
			return;
		if (f->comm && strncmp(e->comm, f->comm, EV_COMM_LEN - 1) != 0)
			return;
		if (f->cgroup_id && !cgroup_wanted(src, e->cgroup_id))
			return;
		/* the kernel filters the pids it credits; what the snapshot
		 * or the poll backend credits is filtered here */
		if (f->pid > 0 && (src->ops == &ev_poll_ops || e->pid == 0 ||
		    (e->flags & EVF_OWNER_SNAP)) && !ev_pid_wanted(src, e->pid))
			return;
	}
	src->stats.delivered++;
	src->handler(e, src->arg);
}

void
ev_from_row(struct port_event *e, const struct snapshot *s, const struct sock_row *r)
{
	const struct sock_owner *ow;
	const struct proc_info *p;

	e->proto = r->proto;
	e->family = r->family;
	e->state = r->state;
	e->lport = r->lport;
	e->rport = r->rport;
	memcpy(e->laddr, r->laddr, sizeof(e->laddr));
	memcpy(e->raddr, r->raddr, sizeof(e->raddr));
	e->cookie = (uint64_t)r->cookie[0] | (uint64_t)r->cookie[1] << 32;
	e->uid = r->uid;
	if (r->owner == OWNER_NONE) {
		e->flags |= EVF_NO_OWNER;
		e->owner_missing = r->missing;
		return;
	}
	ow = &s->owners[r->owner];
	p = snapshot_proc(s, ow);
	e->pid = ow->pid;
	e->tid = ow->pid;
	memcpy(e->comm, p->comm, sizeof(e->comm) - 1);
	e->comm[sizeof(e->comm) - 1] = '\0';
	e->flags |= EVF_OWNER_SNAP;
}

void
ev_snap_filter(const struct ev_filter *f, struct snap_filter *sf)
{
	snap_filter_init(sf);
	if (f->protos)
		sf->protos = f->protos;
	if (f->families)
		sf->families = f->families;
	sf->port = f->port > 0 ? f->port : -1;
	sf->details = PROC_BASIC;
}

void
ev_queue_existing(struct ev_source *src, const struct snapshot *s)
{
	uint64_t mono = clock_mono_ns(), real = clock_real_ns();
	uint64_t cg = 0;
	uint32_t cg_pid = 0;
	struct port_event *e;
	size_t i;

	if (src->opts.no_existing)
		return;
	for (i = 0; i < s->nsocks; i++) {
		e = VEC_PUSH(&src->existing);
		e->type = EV_EXISTING;
		e->ts_ns = real;
		e->mono_ns = mono;
		e->netns = src->netns;
		ev_from_row(e, s, &s->socks[i]);
		if (e->pid && e->pid != cg_pid) {
			cg_pid = e->pid;
			cg = cgroup_of_pid((pid_t)e->pid);
		}
		e->cgroup_id = e->pid ? cg : 0;
		if (src->filter.pid > 0 && !ev_pid_wanted(src, e->pid))
			src->existing.n--;
	}
}

/* ---- the interface ---- */

struct ev_source *
ev_open(const struct ev_filter *f, const struct ev_options *o, char *err, size_t errlen)
{
	struct ev_source *src = xcalloc(1, sizeof(*src));
	struct stat st;
	char why[256];

	src->filter = *f;
	if (f->comm)
		src->filter.comm = xstrdup(f->comm);
	src->opts = *o;
	if (src->opts.poll_interval_ns == 0)
		src->opts.poll_interval_ns = POLL_INTERVAL_DEFAULT_NS;
	if (stat("/proc/self/ns/net", &st) == 0)
		src->netns = (uint32_t)st.st_ino;
	if (f->cgroup_id && cgroup_subtree(f->cgroup_id, &src->cgroups) == -1) {
		snprintf(err, errlen, "no cgroup with id %llu", (unsigned long long)f->cgroup_id);
		goto fail;
	}
	src->cgroups_scanned_ns = clock_mono_ns();
	switch (o->backend) {
	case EV_BACKEND_AUTO:
		src->ops = &ev_bpf_ops;
		if (src->ops->open(src, why, sizeof(why)) == 0)
			return src;
		snprintf(src->fallback, sizeof(src->fallback), "%s", why);
		/* FALLTHROUGH */
	case EV_BACKEND_POLL:
		src->ops = &ev_poll_ops;
		break;
	case EV_BACKEND_BPF:
		src->ops = &ev_bpf_ops;
		break;
	}
	if (src->ops->open(src, err, errlen) == 0)
		return src;
fail:
	if (src->cgroups.keys)
		u64map_release(&src->cgroups);
	free((char *)src->filter.comm);
	free(src);
	return NULL;
}

int
ev_fd(const struct ev_source *src)
{
	return src->ops->fd(src);
}

int
ev_timeout_ms(const struct ev_source *src)
{
	if (src->existing_next < src->existing.n)
		return 0;
	return src->ops->timeout_ms(src);
}

int
ev_read(struct ev_source *src, ev_handler h, void *arg, char *err, size_t errlen)
{
	uint64_t before = src->stats.delivered;

	src->handler = h;
	src->arg = arg;
	if (src->existing.v) {
		while (src->existing_next < src->existing.n)
			ev_deliver(src, &src->existing.v[src->existing_next++]);
		VEC_FREE(&src->existing);
		src->existing_next = 0;
	}
	if (src->ops->read(src, err, errlen) == -1)
		return -1;
	return (int)(src->stats.delivered - before);
}

const char *
ev_backend_name(const struct ev_source *src)
{
	return src->ops->name;
}

const char *
ev_fallback_reason(const struct ev_source *src)
{
	return src->fallback[0] ? src->fallback : NULL;
}

void
ev_get_stats(const struct ev_source *src, struct ev_stats *st)
{
	*st = src->stats;
}

void
ev_close(struct ev_source *src)
{
	if (src == NULL)
		return;
	src->ops->close(src);
	VEC_FREE(&src->existing);
	if (src->family.keys)
		u64map_release(&src->family);
	if (src->cgroups.keys)
		u64map_release(&src->cgroups);
	free((char *)src->filter.comm);
	free(src);
}
