/*
 * Owner lookup from procfs: one pass over /proc/PID/fd of every process,
 * readlinkat() on each entry through the directory's fd, nothing else per
 * descriptor (no stat, no extended attributes).  Processes are handed out
 * to worker threads one at a time from a shared counter, so that a few
 * processes with many descriptors do not leave a core idle.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "host/owner.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define DENTS_BUF	(32 * 1024)
#define MAX_WORKERS	16

struct ref_vec {
	struct fd_ref	*v;
	size_t		 n, cap;
};

struct proc_vec {
	struct proc_info *v;
	size_t		  n, cap;
};

struct worker {
	struct procfs_scan *ps;
	pthread_t	 tid;
	struct ref_vec	 refs, lost;
	struct proc_vec	 procs;
	size_t		 scanned, denied, exited;
	int		 error;		/* errno of our own failure (EMFILE…), or 0 */
	char		*dents;
};

struct procfs_scan {
	struct owner_scan *scan;
	int		 procfd;
	pid_t		*pids;
	size_t		 npids;
	atomic_size_t	 next;
	struct worker	 workers[MAX_WORKERS + 1];	/* [0] is the caller */
	int		 nworkers;
};

static void
ref_push(struct ref_vec *rv, uint64_t inode, uint32_t pid, int32_t fd)
{
	struct fd_ref *r = VEC_PUSH(rv);

	r->inode = inode;
	r->pid = pid;
	r->fd = fd;
}

/* Out of descriptors or memory: our failure, which the scan must report
 * rather than call the process gone or its sockets ownerless. */
static int
local_failure(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS;
}

/* Parse a decimal that must fill s; -1 if it does not. */
static long
parse_dec(const char *s)
{
	long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	return v;
}

/* "socket:[12345]" → 12345; 0 when the link is not a socket. */
static uint64_t
socket_inode(const char *l, ssize_t n)
{
	uint64_t ino = 0;
	ssize_t i;

	if (n < 10 || memcmp(l, "socket:[", 8) != 0 || l[n - 1] != ']')
		return 0;
	for (i = 8; i < n - 1; i++) {
		if (l[i] < '0' || l[i] > '9')
			return 0;
		ino = ino * 10 + (uint64_t)(l[i] - '0');
	}
	return ino;
}

/* Look at one process: its socket fds, then (if it has any we want) its
 * details.  Everything it adds is undone if it turns out to have exited. */
static void
scan_pid(struct worker *w, pid_t pid)
{
	struct owner_scan *scan = w->ps->scan;
	struct linux_dirent64 {
		uint64_t	d_ino;
		int64_t		d_off;
		unsigned short	d_reclen;
		unsigned char	d_type;
		char		d_name[];
	} *d;
	struct proc_info *p;
	char name[24], link[64];
	size_t first = w->refs.n, i;
	ssize_t n, off, ln;
	uint64_t ino;
	long fd;
	int piddir, fddir, vanished = 0;

	snprintf(name, sizeof(name), "%d", (int)pid);
	if ((piddir = openat(w->ps->procfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (local_failure(errno) && !w->error)
			w->error = errno;
		return;		/* gone before we looked: it held nothing we saw */
	}
	w->scanned++;
	if ((fddir = openat(piddir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if (errno == EACCES || errno == EPERM)
			w->denied++;
		else if (local_failure(errno) && !w->error)
			w->error = errno;
		close(piddir);
		return;
	}
	for (;;) {
		n = syscall(SYS_getdents64, fddir, w->dents, DENTS_BUF);
		if (n <= 0) {
			if (n < 0 && (errno == ENOENT || errno == ESRCH))
				vanished = 1;
			break;
		}
		for (off = 0; off < n; off += d->d_reclen) {
			d = (void *)(w->dents + off);
			if ((fd = parse_dec(d->d_name)) < 0)
				continue;
			ln = readlinkat(fddir, d->d_name, link, sizeof(link));
			if (ln < 0) {
				if (local_failure(errno) && !w->error)
					w->error = errno;
				continue;	/* closed meanwhile */
			}
			if ((ino = socket_inode(link, ln)) == 0)
				continue;
			if (scan->want && u64map_get(scan->want, ino) == U64MAP_MISSING)
				continue;
			ref_push(&w->refs, ino, (uint32_t)pid, (int32_t)fd);
		}
	}
	close(fddir);

	if (w->refs.n > first && !vanished) {
		owner_test_pause("procfs", pid);
		p = VEC_PUSH(&w->procs);
		if (proc_read(piddir, pid, scan->details, p) == -1) {
			w->procs.n--;
			if (p->error && !w->error)
				w->error = p->error;
			vanished = 1;
		}
	}
	close(piddir);

	if (vanished) {
		/* Keep what it held aside: those sockets say "exited". */
		w->exited++;
		for (i = first; i < w->refs.n; i++)
			ref_push(&w->lost, w->refs.v[i].inode, w->refs.v[i].pid,
			    w->refs.v[i].fd);
		w->refs.n = first;
	}
}

static void *
worker_run(void *arg)
{
	struct worker *w = arg;
	struct procfs_scan *ps = w->ps;
	size_t i;

	w->dents = xmalloc(DENTS_BUF);
	while ((i = atomic_fetch_add(&ps->next, 1)) < ps->npids)
		scan_pid(w, ps->pids[i]);
	free(w->dents);
	w->dents = NULL;
	return NULL;
}

/* Every numeric entry of /proc.  Returns 0, or -1 with errno set. */
static int
list_pids(struct procfs_scan *ps)
{
	struct { pid_t *v; size_t n, cap; } pids = { NULL, 0, 0 };
	DIR *dir;
	struct dirent *de;
	long pid;
	int fd, e;

	if ((fd = dup(ps->procfd)) == -1 || (dir = fdopendir(fd)) == NULL) {
		e = errno;
		if (fd != -1)
			close(fd);
		errno = e;
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if ((pid = parse_dec(de->d_name)) <= 0)
			continue;
		*VEC_PUSH(&pids) = (pid_t)pid;
	}
	closedir(dir);
	ps->pids = pids.v;
	ps->npids = pids.n;
	return 0;
}

static int
procfs_start(struct owner_scan *scan, char *err, size_t errlen)
{
	struct procfs_scan *ps;
	long ncpu;
	int i;

	ps = xcalloc(1, sizeof(*ps));
	ps->scan = scan;
	if ((ps->procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open '/proc': %s", strerror(errno));
		free(ps);
		return -1;
	}
	if (scan->only_pid > 0) {
		ps->pids = xmalloc(sizeof(*ps->pids));
		ps->pids[0] = scan->only_pid;
		ps->npids = 1;
	} else if (list_pids(ps) == -1) {
		snprintf(err, errlen, "cannot list '/proc': %s", strerror(errno));
		close(ps->procfd);
		free(ps);
		return -1;
	}
	atomic_init(&ps->next, 0);

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	ps->nworkers = scan->threads > 0 ? scan->threads : (int)(ncpu > 1 ? ncpu - 1 : 1);
	if (ps->nworkers > MAX_WORKERS)
		ps->nworkers = MAX_WORKERS;
	if ((size_t)ps->nworkers > ps->npids)
		ps->nworkers = (int)ps->npids;
	for (i = 0; i <= ps->nworkers; i++)
		ps->workers[i].ps = ps;
	for (i = 1; i <= ps->nworkers; i++)
		if (pthread_create(&ps->workers[i].tid, NULL, worker_run,
		    &ps->workers[i]) != 0)
			break;
	ps->nworkers = i - 1;	/* those that started; the caller covers the rest */
	scan->priv = ps;
	return 0;
}

static void
procfs_finish(struct owner_scan *scan)
{
	struct procfs_scan *ps = scan->priv;
	struct ref_vec refs = { NULL, 0, 0 }, lost = { NULL, 0, 0 };
	struct proc_vec procs = { NULL, 0, 0 };
	struct worker *w;
	int i;

	worker_run(&ps->workers[0]);
	for (i = 1; i <= ps->nworkers; i++)
		pthread_join(ps->workers[i].tid, NULL);

	for (i = 0; i <= ps->nworkers; i++) {
		w = &ps->workers[i];
		if (i == 0 && ps->nworkers == 0) {
			/* one worker: take its arrays as they are */
			refs = w->refs;
			lost = w->lost;
			procs = w->procs;
		} else {
			VEC_APPEND(&refs, w->refs.v, w->refs.n);
			VEC_APPEND(&lost, w->lost.v, w->lost.n);
			VEC_APPEND(&procs, w->procs.v, w->procs.n);
			VEC_FREE(&w->refs);
			VEC_FREE(&w->lost);
			VEC_FREE(&w->procs);
		}
		scan->scanned += w->scanned;
		scan->denied += w->denied;
		scan->exited += w->exited;
		if (w->error && !scan->error)
			scan->error = w->error;
	}
	scan->refs = refs.v;
	scan->nrefs = refs.n;
	scan->lost = lost.v;
	scan->nlost = lost.n;
	scan->procs = procs.v;
	scan->nprocs = procs.n;
	if (scan->nprocs > 0)
		qsort(scan->procs, scan->nprocs, sizeof(*scan->procs), proc_info_cmp);
	close(ps->procfd);
	free(ps->pids);
	free(ps);
	scan->priv = NULL;
}

const struct owner_backend owner_procfs = {
	.name = "procfs",
	.start = procfs_start,
	.finish = procfs_finish,
};
