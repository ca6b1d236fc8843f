#include <netinet/in.h>
#include <pthread.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/snapshot.h"
#include "util/vec.h"
#include "util/xmalloc.h"

void
snap_filter_init(struct snap_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->protos = SD_TCP | SD_UDP | SD_RAW;
	f->families = SD_V4 | SD_V6;
	f->tcp_states = ~0u;
	f->udp_states = ~0u;
	f->port = -1;
	f->details = PROC_BASIC;
	f->owners = 1;
}

/* Does the dump select a small part of all sockets?  Then the owner scan
 * looks only for those inodes, and it starts after the dump. */
static int
narrow(const struct snap_filter *f)
{
	return f->port >= 0 || f->pid > 0 ||
	    (f->tcp_states != ~0u && (f->protos & SD_TCP)) ||
	    (f->udp_states != ~0u && (f->protos & (SD_UDP | SD_RAW)));
}

static void
index_socks(struct snapshot *s)
{
	size_t i, n = 0;

	/* A dump that runs while the tables change can return a socket twice
	 * (it moved between hash chains); keep its first row only. */
	u64map_init(&s->by_inode, s->nsocks);
	for (i = 0; i < s->nsocks; i++) {
		if (s->socks[i].inode != 0 &&
		    u64map_put(&s->by_inode, s->socks[i].inode, (uint32_t)n) != n)
			continue;
		if (n != i)
			s->socks[n] = s->socks[i];
		n++;
	}
	s->nsocks = n;
}

/* Link owner o into the sorted owner list of row r. */
static void
owner_link(struct snapshot *s, struct sock_row *r, uint32_t o)
{
	struct sock_owner *ow = &s->owners[o];
	uint32_t *pp = &r->owner;

	while (*pp != OWNER_NONE) {
		struct sock_owner *cur = &s->owners[*pp];
		if (cur->pid > ow->pid || (cur->pid == ow->pid && cur->fd > ow->fd))
			break;
		pp = &cur->next;
	}
	ow->next = *pp;
	*pp = o;
}

static void
join_owners(struct snapshot *s)
{
	struct owner_scan *sc = &s->scan;
	const struct proc_info *p = NULL;
	struct sock_row *r;
	uint32_t i;
	size_t k;
	uid_t me = geteuid();

	s->owners = xreallocarray(NULL, sc->nrefs + 1, sizeof(*s->owners));
	for (k = 0; k < sc->nrefs; k++) {
		if ((i = u64map_get(&s->by_inode, sc->refs[k].inode)) == U64MAP_MISSING)
			continue;	/* a socket born after the dump */
		if (p == NULL || p->pid != (pid_t)sc->refs[k].pid)
			p = owner_scan_proc(sc, (pid_t)sc->refs[k].pid);
		if (p == NULL)
			continue;
		r = &s->socks[i];
		s->owners[s->nowners].pid = sc->refs[k].pid;
		s->owners[s->nowners].fd = sc->refs[k].fd;
		s->owners[s->nowners].proc = (uint32_t)(p - sc->procs);
		s->owners[s->nowners].next = OWNER_NONE;
		owner_link(s, r, (uint32_t)s->nowners);
		r->missing = OWNER_FOUND;
		s->nowners++;
	}
	for (k = 0; k < sc->nlost; k++)
		if ((i = u64map_get(&s->by_inode, sc->lost[k].inode)) != U64MAP_MISSING &&
		    s->socks[i].owner == OWNER_NONE)
			s->socks[i].missing = OWNER_EXITED;
	for (k = 0; k < s->nsocks; k++) {
		r = &s->socks[k];
		if (r->owner != OWNER_NONE || r->missing == OWNER_EXITED)
			continue;
		if (r->inode == 0)
			r->missing = OWNER_ORPHAN;
		else if (sc->denied > 0 && r->uid != me)
			r->missing = OWNER_DENIED;
		else
			r->missing = OWNER_NOT_FOUND;
	}
	s->not_root = sc->denied > 0;
}

/* How many sockets without an owner are checked one by one, at most. */
#define RECHECK_MAX	4096

/* A socket that no process held may have been closed after the dump (its
 * process closed it or exited): ask the kernel about each, so that the
 * reason says so. */
static void
recheck_not_found(struct snapshot *s, struct sockdiag *sd)
{
	size_t i, n = 0;

	for (i = 0; i < s->nsocks && n < RECHECK_MAX; i++) {
		if (s->socks[i].missing != OWNER_NOT_FOUND)
			continue;
		n++;
		if (sockdiag_exists(sd, &s->socks[i]) == 0)
			s->socks[i].missing = OWNER_CLOSED;
	}
}

/* With a pid filter: keep only the rows that process holds (and, with
 * start set, only while pid names the process that started then). */
static void
keep_pid(struct snapshot *s, pid_t pid, uint64_t start)
{
	size_t i, n = 0;
	uint32_t o;

	for (i = 0; i < s->nsocks; i++) {
		for (o = s->socks[i].owner; o != OWNER_NONE; o = s->owners[o].next)
			if (s->owners[o].pid == (uint32_t)pid && (start == 0 ||
			    snapshot_proc(s, &s->owners[o])->start_ticks == start))
				break;
		if (o != OWNER_NONE)
			s->socks[n++] = s->socks[i];
	}
	s->nsocks = n;
	u64map_release(&s->by_inode);
	index_socks(s);
}

/* Start the owner scan with the chosen backend; with none chosen, the BPF
 * iterator when it loads, else procfs. */
static int
owners_start(struct snapshot *s, const struct snap_filter *f, char *err,
    size_t errlen)
{
	s->backend = owner_start(f->backend, &s->scan, err, errlen);
	return s->backend ? 0 : -1;
}

/* TCP sockets that are only bound (TCP_BOUND_INACTIVE) live in the bind
 * hash, a walk of its own: a full listing does it on another core. */

struct bound_dump {
	struct sockdiag_query	 q;
	struct sock_vec		 sv;
	pthread_t		 tid;
	int			 rc;
	char			 err[256];
};

static void *
bound_dump_run(void *arg)
{
	struct bound_dump *bd = arg;
	struct sockdiag *sd;

	bd->rc = -1;
	if ((sd = sockdiag_open(bd->err, sizeof(bd->err))) != NULL) {
		bd->rc = sockdiag_dump(sd, &bd->q, &bd->sv, bd->err, sizeof(bd->err));
		sockdiag_close(sd);
	}
	return NULL;
}

/* Move the rows of src to the end of dst. */
static void
sock_vec_append(struct sock_vec *dst, struct sock_vec *src)
{
	VEC_APPEND(dst, src->v, src->n);
	sock_vec_release(src);
}

int
snapshot_take(struct snapshot *s, const struct snap_filter *f, char *err,
    size_t errlen)
{
	struct sockdiag_query q;
	struct sock_vec sv = { NULL, 0, 0 };
	struct sockdiag *sd;
	struct bound_dump bd;
	int scanning = 0, bounding = 0, rc = -1;

	memset(s, 0, sizeof(*s));
	q.protos = f->protos;
	q.families = f->families;
	q.tcp_states = f->tcp_states;
	q.udp_states = f->udp_states;
	q.port = f->port;
	q.info = f->tcp_info;

	if ((sd = sockdiag_open(err, errlen)) == NULL)
		return -1;
	s->scan.only_pid = f->pid;
	s->scan.details = f->details | PROC_BASIC;

	/* A full listing looks owners up on another core while this one dumps. */
	if (f->owners && !narrow(f)) {
		if (owners_start(s, f, err, errlen) == -1)
			goto out;
		scanning = 1;
	}
	if (f->owners && !scanning) {
		/* the owner scan waits for the dump: let it get ready meanwhile */
		if (f->backend && f->backend->prepare)
			f->backend->prepare();
		else if (f->backend == NULL && geteuid() == 0 && owner_bpf.prepare)
			owner_bpf.prepare();
	}
	if (!narrow(f) && (q.protos & SD_TCP) && (q.tcp_states & TCPF(TCP_BOUND_INACTIVE))) {
		memset(&bd, 0, sizeof(bd));
		bd.q = q;
		bd.q.protos = SD_TCP;
		bd.q.tcp_states = TCPF(TCP_BOUND_INACTIVE);
		if (pthread_create(&bd.tid, NULL, bound_dump_run, &bd) == 0) {
			q.tcp_states &= ~TCPF(TCP_BOUND_INACTIVE);
			bounding = 1;
		}
	}
	if (sockdiag_dump(sd, &q, &sv, err, errlen) == -1)
		goto out;
	owner_test_pause("dump", 0);
	if (bounding) {
		pthread_join(bd.tid, NULL);
		bounding = 0;
		if (bd.rc == -1) {
			snprintf(err, errlen, "%s", bd.err);
			sock_vec_release(&bd.sv);
			goto out;
		}
		sock_vec_append(&sv, &bd.sv);
	}
	s->from_procnet = sockdiag_from_procnet(sd);
	s->socks = sv.v;
	s->nsocks = sv.n;
	sv.v = NULL;
	index_socks(s);
	if (f->owners && !scanning) {
		s->scan.want = &s->by_inode;
		if (owners_start(s, f, err, errlen) == -1)
			goto out;
		scanning = 1;
	}
	if (scanning) {
		s->backend->finish(&s->scan);
		scanning = 0;
		s->scan.want = NULL;
		if (s->scan.error) {
			snprintf(err, errlen, "looking up owners (%s): %s",
			    s->backend->name, strerror(s->scan.error));
			goto out;
		}
		join_owners(s);
		recheck_not_found(s, sd);
		if (f->pid > 0)
			keep_pid(s, f->pid, f->pid_start_ticks);
	}
	rc = 0;
out:
	if (bounding) {
		pthread_join(bd.tid, NULL);
		sock_vec_release(&bd.sv);
	}
	if (scanning)
		s->backend->finish(&s->scan);
	sockdiag_close(sd);
	sock_vec_release(&sv);
	if (rc == -1)
		snapshot_release(s);
	return rc;
}

void
snapshot_release(struct snapshot *s)
{
	free(s->socks);
	free(s->owners);
	owner_scan_release(&s->scan);
	if (s->by_inode.keys)
		u64map_release(&s->by_inode);
	memset(s, 0, sizeof(*s));
}

const struct proc_info *
snapshot_proc(const struct snapshot *s, const struct sock_owner *o)
{
	return &s->scan.procs[o->proc];
}

const struct sock_row *
snapshot_find(const struct snapshot *s, uint64_t inode)
{
	uint32_t i;

	if (inode == 0 || s->by_inode.keys == NULL)
		return NULL;
	i = u64map_get(&s->by_inode, inode);
	return i == U64MAP_MISSING ? NULL : &s->socks[i];
}

const char *
snapshot_fallback_notice(const struct snapshot *s)
{
	if (s->from_procnet & SD_UDP)
		return "this kernel has no udp_diag: UDP sockets are read from "
		    "/proc/net/udp and udp6 (no socket cookies; a closed one cannot "
		    "be told from one whose owner was not found)";
	return NULL;
}
