/*
 * The stack-snapshot source (see stacksrc.h): profile.bpf.c's loader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind/stacksrc.h"

#ifdef HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/profile.h"
#include "profile.skel.h"
#include "util/xmalloc.h"

struct stacksrc {
	struct profile		*skel;
	struct ring_buffer	*rb;
	const struct stacksrc_handler *h;
	int			 handed;
	int			 bad_version;
	int			 ncpus;
	uint64_t		*lost_percpu;
};

static int
on_snap(void *ctx, void *data, size_t size)
{
	struct stacksrc *s = ctx;
	const struct pfk_snap *k = data;
	const struct pfk_maps *m = data;

	if (size < 2 || k->version != PFK_VERSION) {
		s->bad_version++;
		return 0;
	}
	if (k->kind == PFK_KIND_SNAP && size >= sizeof(*k))
		s->h->snap(k, s->h->arg);
	else if (k->kind == PFK_KIND_MAPS && size >= sizeof(*m))
		s->h->maps(m, s->h->arg);
	else {
		s->bad_version++;
		return 0;
	}
	s->handed++;
	/* enough for one read: libbpf stops here (this record is taken) */
	return s->handed >= STACKSRC_BATCH ? -E2BIG : 0;
}

struct stacksrc *
stacksrc_open(uint64_t cgroup_id, unsigned level, pid_t pid, char *err, size_t errlen)
{
	struct stacksrc *s = xcalloc(1, sizeof(*s));
	int e;

	if (geteuid() != 0) {
		snprintf(err, errlen, "stack snapshots need root");
		goto fail;
	}
	if ((s->skel = profile__open()) == NULL) {
		snprintf(err, errlen, "cannot open the BPF program: %s", strerror(errno));
		goto fail;
	}
	s->skel->rodata->target_cgroup = cgroup_id;
	s->skel->rodata->target_level = level;
	s->skel->rodata->filt_pid = pid > 0 ? (uint32_t)pid : 0;
	if (pid <= 0)
		bpf_program__set_autoload(s->skel->progs.pf_fork, false);
	if ((e = profile__load(s->skel)) != 0) {
		snprintf(err, errlen, "cannot load the stack snapshot program: %s",
		    strerror(-e));
		goto fail;
	}
	if ((s->skel->links.pf_sys_enter = bpf_program__attach(s->skel->progs.pf_sys_enter)) == NULL) {
		snprintf(err, errlen, "cannot attach the stack snapshot program: %s",
		    strerror(errno));
		goto fail;
	}
	if (pid > 0) {
		if ((s->skel->links.pf_fork = bpf_program__attach(s->skel->progs.pf_fork)) == NULL) {
			snprintf(err, errlen, "cannot attach the fork program: %s",
			    strerror(errno));
			goto fail;
		}
	}
	if ((s->ncpus = libbpf_num_possible_cpus()) <= 0) {
		snprintf(err, errlen, "cannot count the CPUs");
		goto fail;
	}
	s->lost_percpu = xcalloc((size_t)s->ncpus, sizeof(*s->lost_percpu));
	s->rb = ring_buffer__new(bpf_map__fd(s->skel->maps.snaps), on_snap, s, NULL);
	if (s->rb == NULL) {
		snprintf(err, errlen, "cannot map the ring buffer: %s", strerror(errno));
		goto fail;
	}
	return s;
fail:
	stacksrc_close(s);
	return NULL;
}

int
stacksrc_fd(const struct stacksrc *s)
{
	return ring_buffer__epoll_fd(s->rb);
}

int
stacksrc_read(struct stacksrc *s, const struct stacksrc_handler *h, char *err,
    size_t errlen)
{
	int n;

	s->h = h;
	s->handed = 0;
	if ((n = ring_buffer__consume(s->rb)) < 0 && n != -EINTR && n != -E2BIG) {
		snprintf(err, errlen, "cannot read the ring buffer: %s", strerror(-n));
		return -1;
	}
	if (s->bad_version) {
		snprintf(err, errlen, "the kernel program writes snapshots of another "
		    "version (%d dropped)", s->bad_version);
		return -1;
	}
	return s->handed;
}

uint64_t
stacksrc_lost(const struct stacksrc *s)
{
	uint32_t zero = 0;
	uint64_t sum = 0;
	int i;

	if (bpf_map__lookup_elem(s->skel->maps.lost, &zero, sizeof(zero), s->lost_percpu,
	    sizeof(*s->lost_percpu) * (size_t)s->ncpus, 0) != 0)
		return 0;
	for (i = 0; i < s->ncpus; i++)
		sum += s->lost_percpu[i];
	return sum;
}

void
stacksrc_close(struct stacksrc *s)
{
	if (s == NULL)
		return;
	ring_buffer__free(s->rb);
	profile__destroy(s->skel);
	free(s->lost_percpu);
	free(s);
}

#else	/* !HAVE_BPF */

struct stacksrc { int unused; };

struct stacksrc *
stacksrc_open(uint64_t cgroup_id, unsigned level, pid_t pid, char *err, size_t errlen)
{
	(void)cgroup_id;
	(void)level;
	(void)pid;
	snprintf(err, errlen, "this portscope was built without BPF support");
	return NULL;
}

int stacksrc_fd(const struct stacksrc *s) { (void)s; return -1; }

int
stacksrc_read(struct stacksrc *s, const struct stacksrc_handler *h, char *err,
    size_t errlen)
{
	(void)s; (void)h;
	snprintf(err, errlen, "this portscope was built without BPF support");
	return -1;
}

uint64_t stacksrc_lost(const struct stacksrc *s) { (void)s; return 0; }
void stacksrc_close(struct stacksrc *s) { (void)s; }

#endif
