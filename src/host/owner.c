/*
 * What every owner backend shares: finding one by name, the order of
 * results, and releasing and searching a finished scan.
 */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/owner.h"
#include "util/vec.h"
#include "util/xmalloc.h"

int
fd_ref_cmp(const void *a, const void *b)
{
	const struct fd_ref *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->fd < y->fd ? -1 : x->fd > y->fd;
}

int
proc_info_cmp(const void *a, const void *b)
{
	const struct proc_info *x = a, *y = b;

	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

void
owner_scan_lose(struct owner_scan *scan, const struct fd_ref *refs, size_t n)
{
	struct { struct fd_ref *v; size_t n, cap; } lost = { scan->lost, scan->nlost,
	    scan->nlost };

	VEC_APPEND(&lost, refs, n);
	scan->lost = lost.v;
	scan->nlost = lost.n;
}

void
owner_test_pause(const char *where, pid_t pid)
{
	static atomic_int done;
	const char *env = getenv("PORTSCOPE_TEST_PAUSE"), *colon;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	char path[4096], num[16];
	size_t len = strlen(where);
	int fd, n;

	if (env == NULL || (colon = strchr(env, ':')) == NULL ||
	    (size_t)(colon - env) != len || strncmp(env, where, len) != 0 ||
	    atomic_exchange(&done, 1))
		return;
	snprintf(path, sizeof(path), "%s/paused", colon + 1);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) != -1) {
		n = snprintf(num, sizeof(num), "%d\n", (int)pid);
		(void)!write(fd, num, (size_t)n);
		close(fd);
	}
	snprintf(path, sizeof(path), "%s/go", colon + 1);
	for (n = 0; n < 6000 && access(path, F_OK) == -1; n++)
		nanosleep(&tick, NULL);
}

void
owner_scan_release(struct owner_scan *scan)
{
	size_t i;

	for (i = 0; i < scan->nprocs; i++)
		proc_info_release(&scan->procs[i]);
	free(scan->procs);
	free(scan->refs);
	free(scan->lost);
	scan->procs = NULL;
	scan->refs = scan->lost = NULL;
	scan->nprocs = scan->nrefs = scan->nlost = 0;
}

const struct owner_backend *
owner_start(const struct owner_backend *be, struct owner_scan *scan, char *err,
    size_t errlen)
{
	char ignored[256];

	if (be == NULL) {
		if (geteuid() == 0 && owner_bpf.start(scan, ignored, sizeof(ignored)) == 0)
			return &owner_bpf;
		be = &owner_procfs;
	}
	return be->start(scan, err, errlen) == 0 ? be : NULL;
}

const struct owner_backend *
owner_backend_find(const char *name)
{
	if (strcmp(name, "procfs") == 0)
		return &owner_procfs;
	if (strcmp(name, "bpf") == 0)
		return &owner_bpf;
	return NULL;
}

const struct proc_info *
owner_scan_proc(const struct owner_scan *scan, pid_t pid)
{
	size_t lo = 0, hi = scan->nprocs, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (scan->procs[mid].pid == pid)
			return &scan->procs[mid];
		if (scan->procs[mid].pid < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}
