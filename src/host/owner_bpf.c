/*
 * Owner lookup from a BPF iterator (iter/task_file): the kernel walks every
 * process's file table and hands back only socket descriptors, optionally
 * only wanted inodes — no per-descriptor system call.  The program is
 * loaded once per process and reused by every later scan (watch ticks).
 * Built only when clang, bpftool and libbpf were found (HAVE_BPF).
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host/owner.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#ifdef HAVE_BPF
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/owner_iter.h"
#include "owner_iter.skel.h"

#define READ_CHUNK	(256 * 1024)

static struct owner_iter *skel;
static int load_state;			/* 0 untried, 1 loaded, -1 failed */
static char load_error[256];
static uint64_t *want_keys;		/* what the want map holds now */
static size_t nwant_keys;

struct bpf_scan {
	struct owner_scan	*scan;
	pthread_t		 tid;
	struct { struct fd_ref *v; size_t n, cap; } refs;
	int			 error;		/* errno of a failed read, or 0 */
};

static int
quiet(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
	return 0;
}

/* libbpf can turn running out of descriptors into another error: when a
 * load fails, see whether the few it needs could have been had. */
static int
fds_short(int e)
{
	int fds[16], i, n;

	for (n = 0; n < 16; n++)
		if ((fds[n] = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1)
			break;
	if (n < 16 && (errno == EMFILE || errno == ENFILE))
		e = errno;
	for (i = 0; i < n; i++)
		close(fds[i]);
	return e;
}

static pthread_t preload_tid;
static int preloading;

/* Load and attach the iterator unless that was tried already; on failure
 * the reason stays in load_error.  Runs on one thread at a time. */
static void
bpf_load_once(void)
{
	struct stat st;

	if (load_state == 0) {
		load_state = -1;
		libbpf_set_print(quiet);
		if (stat("/proc/self/ns/pid", &st) == -1) {
			snprintf(load_error, sizeof(load_error),
			    "cannot read our PID namespace: %s", strerror(errno));
		} else if ((skel = owner_iter__open_and_load()) == NULL) {
			snprintf(load_error, sizeof(load_error),
			    "cannot load the BPF iterator: %s", strerror(fds_short(errno)));
		} else if ((skel->links.socket_owners =
		    bpf_program__attach_iter(skel->progs.socket_owners, NULL)) == NULL) {
			snprintf(load_error, sizeof(load_error),
			    "cannot attach the BPF iterator: %s", strerror(errno));
			owner_iter__destroy(skel);
			skel = NULL;
		} else {
			skel->bss->pidns_ino = st.st_ino;
			load_state = 1;
		}
	}
}

/* Wait for a load started by bpf_prepare(), or load now.  Returns 0, or -1
 * with the reason in err. */
static int
bpf_load(char *err, size_t errlen)
{
	if (preloading) {
		pthread_join(preload_tid, NULL);
		preloading = 0;
	}
	bpf_load_once();
	if (load_state == -1) {
		snprintf(err, errlen, "%s", load_error);
		return -1;
	}
	return 0;
}

static void *
bpf_preload_run(void *arg)
{
	(void)arg;
	bpf_load_once();
	return NULL;
}

/* Load the program on another thread while the caller dumps sockets. */
static void
bpf_prepare(void)
{
	if (load_state == 0 && !preloading &&
	    pthread_create(&preload_tid, NULL, bpf_preload_run, NULL) == 0)
		preloading = 1;
}

/* Make the kernel's want map hold exactly the inodes of m (or switch the
 * filter off when m is NULL or too large to hold). */
static void
set_want(const struct u64map *m)
{
	int fd = bpf_map__fd(skel->maps.want);
	uint8_t one = 1;
	size_t i;

	for (i = 0; i < nwant_keys; i++)
		bpf_map_delete_elem(fd, &want_keys[i]);
	nwant_keys = 0;
	skel->bss->use_want = 0;
	if (m == NULL || m->count > OWNER_ITER_MAX_WANT)
		return;
	want_keys = xreallocarray(want_keys, m->count + 1, sizeof(*want_keys));
	for (i = 0; i <= m->mask; i++) {
		if (m->keys[i] == 0)
			continue;
		if (bpf_map_update_elem(fd, &m->keys[i], &one, BPF_ANY) != 0)
			return;		/* filter stays off: userspace filters */
		want_keys[nwant_keys++] = m->keys[i];
	}
	skel->bss->use_want = 1;
}

static void *
iter_read(void *arg)
{
	struct bpf_scan *bs = arg;
	const struct u64map *want = bs->scan->want;
	struct owner_rec *rec;
	struct fd_ref *ref;
	char *chunk;
	ssize_t n, off;
	int fd;

	if ((fd = bpf_iter_create(bpf_link__fd(skel->links.socket_owners))) < 0) {
		bs->error = errno;
		return NULL;
	}
	chunk = xmalloc(READ_CHUNK);
	for (;;) {
		n = read(fd, chunk, READ_CHUNK);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			bs->error = errno;
			break;
		}
		if (n == 0)
			break;
		for (off = 0; off + (ssize_t)sizeof(*rec) <= n; off += sizeof(*rec)) {
			rec = (struct owner_rec *)(chunk + off);
			if (want && u64map_get(want, rec->ino) == U64MAP_MISSING)
				continue;
			ref = VEC_PUSH(&bs->refs);
			ref->inode = rec->ino;
			ref->pid = rec->pid;
			ref->fd = rec->fd;
			ref->start_ticks = proc_boot_ns_to_ticks(rec->start_ns);
		}
	}
	free(chunk);
	close(fd);
	return NULL;
}

static int
bpf_start(struct owner_scan *scan, char *err, size_t errlen)
{
	struct bpf_scan *bs;

	if (bpf_load(err, errlen) == -1)
		return -1;
	skel->bss->only_pid = scan->only_pid > 0 ? (uint32_t)scan->only_pid : 0;
	skel->bss->last_task = 0;
	skel->bss->last_kpid = 0;
	skel->bss->last_pid = 0;
	set_want(scan->want);
	bs = xcalloc(1, sizeof(*bs));
	bs->scan = scan;
	if (pthread_create(&bs->tid, NULL, iter_read, bs) != 0) {
		snprintf(err, errlen, "cannot start a thread: %s", strerror(errno));
		free(bs);
		return -1;
	}
	scan->priv = bs;
	return 0;
}

static void
bpf_finish(struct owner_scan *scan)
{
	struct bpf_scan *bs = scan->priv;
	struct { struct proc_info *v; size_t n, cap; } procs = { NULL, 0, 0 };
	size_t i, j, keep = 0;
	struct proc_info p;

	pthread_join(bs->tid, NULL);
	scan->error = bs->error;
	owner_test_pause("bpf", bs->refs.n ? (pid_t)bs->refs.v[0].pid : 0);
	/* Group by process, then read each owning process's details once. */
	if (bs->refs.n > 0)
		qsort(bs->refs.v, bs->refs.n, sizeof(*bs->refs.v), fd_ref_cmp);
	for (i = 0; i < bs->refs.n; i = j) {
		for (j = i; j < bs->refs.n && bs->refs.v[j].pid == bs->refs.v[i].pid; j++)
			;
		scan->scanned++;
		/* Read by pid number after the iteration: the start time and
		 * one descriptor make sure it is still the process the kernel
		 * showed us, not another that was given its pid since. */
		if (proc_read_owner((pid_t)bs->refs.v[i].pid, bs->refs.v[i].start_ticks,
		    bs->refs.v[i].fd, bs->refs.v[i].inode, scan->details, &p) == -1) {
			if (p.error && !scan->error)
				scan->error = p.error;
			scan->exited++;
			owner_scan_lose(scan, bs->refs.v + i, j - i);
			continue;
		}
		*VEC_PUSH(&procs) = p;
		memmove(bs->refs.v + keep, bs->refs.v + i, (j - i) * sizeof(*bs->refs.v));
		keep += j - i;
	}
	scan->procs = procs.v;
	scan->nprocs = procs.n;
	scan->refs = bs->refs.v;
	scan->nrefs = keep;
	free(bs);
	scan->priv = NULL;
}

const struct owner_backend owner_bpf = {
	.name = "bpf",
	.prepare = bpf_prepare,
	.start = bpf_start,
	.finish = bpf_finish,
};

#else	/* !HAVE_BPF */

static int
bpf_start(struct owner_scan *scan, char *err, size_t errlen)
{
	(void)scan;
	snprintf(err, errlen, "this portscope was built without BPF support "
	    "(clang, bpftool or libbpf were missing)");
	return -1;
}

static void
bpf_finish(struct owner_scan *scan)
{
	(void)scan;
}

const struct owner_backend owner_bpf = {
	.name = "bpf",
	.prepare = NULL,
	.start = bpf_start,
	.finish = bpf_finish,
};

#endif
