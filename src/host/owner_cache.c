/*
 * The remembering owner backend (see owner_cache.h).  A scan here is done
 * entirely in start(): it needs the wanted inodes, which a filtered
 * snapshot has before it starts the owner lookup, and nothing runs beside
 * it.  Full scans are delegated to the procfs or BPF backend.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "host/owner_cache.h"
#include "util/clock.h"
#include "util/vec.h"
#include "util/xmalloc.h"

struct cache {
	const struct owner_backend *full;	/* NULL: bpf when it loads, else procfs */
	int		 valid;
	struct fd_ref	*refs;		/* the last result, sorted by pid and fd */
	size_t		 nrefs;
	struct u64map	 known;		/* wanted inode → 1 owned, 0 no owner found */
	pid_t		*pids;		/* /proc at the last scan, sorted */
	size_t		 npids;
	long		 last_pid;	/* the kernel's last allocated pid then */
	long long	 last_full_ms;
	size_t		 denied;	/* processes not readable at the last full scan */
	size_t		 full_scans;
};

static struct cache cache;

void
owner_cache_init(const struct owner_backend *full)
{
	owner_cache_release();
	cache.full = full;
}

void
owner_cache_release(void)
{
	free(cache.refs);
	free(cache.pids);
	if (cache.known.keys)
		u64map_release(&cache.known);
	memset(&cache, 0, sizeof(cache));
}

size_t
owner_cache_full_scans(void)
{
	return cache.full_scans;
}

static long long
now_ms(void)
{
	return (long long)(clock_mono_ns() / NSEC_PER_MSEC);
}

static int
pid_cmp(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

static int
pid_in(const pid_t *v, size_t n, pid_t pid)
{
	return n > 0 && bsearch(&pid, v, n, sizeof(*v), pid_cmp) != NULL;
}

/* The processes in /proc, sorted; *n set.  Never NULL. */
static pid_t *
list_pids(size_t *n)
{
	struct { pid_t *v; size_t n, cap; } pids = { NULL, 0, 0 };
	struct dirent *de;
	char *end;
	long pid;
	DIR *d;

	VEC_RESERVE(&pids, 64);
	if ((d = opendir("/proc")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] < '1' || de->d_name[0] > '9')
				continue;
			pid = strtol(de->d_name, &end, 10);
			if (*end != '\0' || pid <= 0)
				continue;
			*VEC_PUSH(&pids) = (pid_t)pid;
		}
		closedir(d);
	}
	qsort(pids.v, pids.n, sizeof(*pids.v), pid_cmp);
	*n = pids.n;
	return pids.v;
}

/* The last pid the kernel allocated (the last field of /proc/loadavg),
 * or -1. */
static long
last_pid(void)
{
	char buf[128], *p;
	ssize_t n;
	int fd;

	if ((fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((p = strrchr(buf, ' ')) == NULL)
		return -1;
	return strtol(p + 1, NULL, 10);
}

/* Append to a scan's results, whose capacity the caller keeps in *cap
 * (the scan's arrays are plain, not vectors). */
static void
ref_push(struct owner_scan *s, size_t *cap, const struct fd_ref *r)
{
	vec_reserve_((void **)&s->refs, cap, s->nrefs + 1, sizeof(*s->refs));
	s->refs[s->nrefs++] = *r;
}

static void
proc_push(struct owner_scan *s, size_t *cap, const struct proc_info *p)
{
	vec_reserve_((void **)&s->procs, cap, s->nprocs + 1, sizeof(*s->procs));
	s->procs[s->nprocs++] = *p;
}

/* Remember the results of scan (taken with /proc holding pids, which the
 * cache now owns). */
static void
remember(const struct owner_scan *scan, pid_t *pids, size_t npids, long lastpid)
{
	const struct proc_info *p;
	struct u64map found;
	size_t i, nwant = 0;

	free(cache.refs);
	cache.refs = xreallocarray(NULL, scan->nrefs + 1, sizeof(*cache.refs));
	if (scan->nrefs > 0)
		memcpy(cache.refs, scan->refs, scan->nrefs * sizeof(*cache.refs));
	cache.nrefs = scan->nrefs;
	qsort(cache.refs, cache.nrefs, sizeof(*cache.refs), fd_ref_cmp);
	for (i = 0; i < cache.nrefs; i++) {	/* pid and start name a process */
		p = owner_scan_proc(scan, (pid_t)cache.refs[i].pid);
		cache.refs[i].start_ticks = p ? p->start_ticks : 0;
	}

	u64map_init(&found, scan->nrefs);
	for (i = 0; i < scan->nrefs; i++)
		u64map_put(&found, scan->refs[i].inode, 1);
	if (cache.known.keys)
		u64map_release(&cache.known);
	if (scan->want)
		nwant = scan->want->count;
	u64map_init(&cache.known, nwant);
	for (i = 0; scan->want && i <= scan->want->mask; i++)
		if (scan->want->keys[i] != 0)
			u64map_put(&cache.known, scan->want->keys[i],
			    u64map_get(&found, scan->want->keys[i]) != U64MAP_MISSING);
	u64map_release(&found);

	free(cache.pids);
	cache.pids = pids;
	cache.npids = npids;
	cache.last_pid = lastpid;
	cache.valid = 1;
}

/* A full scan with the chosen backend; its results become scan's. */
static int
full_scan(struct owner_scan *scan, char *err, size_t errlen)
{
	const struct owner_backend *be;
	struct owner_scan sub;

	memset(&sub, 0, sizeof(sub));
	sub.want = scan->want;
	sub.details = scan->details;
	sub.threads = scan->threads;
	if ((be = owner_start(cache.full, &sub, err, errlen)) == NULL)
		return -1;
	be->finish(&sub);
	scan->refs = sub.refs;
	scan->nrefs = sub.nrefs;
	scan->lost = sub.lost;
	scan->nlost = sub.nlost;
	scan->procs = sub.procs;
	scan->nprocs = sub.nprocs;
	scan->scanned = sub.scanned;
	scan->denied = sub.denied;
	scan->exited = sub.exited;
	scan->error = sub.error;
	cache.denied = sub.denied;
	cache.last_full_ms = now_ms();
	cache.full_scans++;
	return 0;
}

/* Every descriptor of process pid that refers to a wanted socket, through
 * the procfs backend limited to that process; appended to scan. */
static void
walk_pid(struct owner_scan *scan, pid_t pid, size_t *refcap, size_t *proccap)
{
	struct owner_scan sub;
	char ignored[256];
	size_t i;

	memset(&sub, 0, sizeof(sub));
	sub.only_pid = pid;
	sub.want = scan->want;
	sub.details = scan->details;
	sub.threads = 1;
	if (owner_procfs.start(&sub, ignored, sizeof(ignored)) == -1) {
		if (!scan->error)
			scan->error = errno ? errno : EIO;
		return;
	}
	owner_procfs.finish(&sub);
	if (sub.error && !scan->error)
		scan->error = sub.error;
	for (i = 0; i < sub.nrefs; i++)
		ref_push(scan, refcap, &sub.refs[i]);
	for (i = 0; i < sub.nprocs; i++)
		proc_push(scan, proccap, &sub.procs[i]);	/* moved: owns its strings */
	owner_scan_lose(scan, sub.lost, sub.nlost);
	scan->scanned += sub.scanned;
	scan->denied += sub.denied;
	scan->exited += sub.exited;
	free(sub.refs);
	free(sub.procs);
	free(sub.lost);
}

/* Confirm the remembered descriptors refs[0..n) of one process (not walked
 * this time) that refer to wanted sockets: one readlink each, through the
 * process's /proc directory, which holds on to that one process.  A pid
 * that names another process now (its start time differs) is walked as a
 * new process. */
static void
confirm_pid(struct owner_scan *scan, const struct fd_ref *refs, size_t n,
    size_t *refcap, size_t *proccap)
{
	char path[64], want[40], link[64];
	struct proc_info p;
	size_t i, first = scan->nrefs;
	ssize_t ln;
	int dir, fddir;

	snprintf(path, sizeof(path), "/proc/%u", refs[0].pid);
	owner_test_pause("cache", (pid_t)refs[0].pid);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if ((errno == EMFILE || errno == ENFILE || errno == ENOMEM) && !scan->error)
			scan->error = errno;
		return;		/* gone: it holds nothing now */
	}
	if (proc_read(dir, (pid_t)refs[0].pid, scan->details, &p) == -1) {
		if (p.error && !scan->error)
			scan->error = p.error;
		close(dir);	/* exited: those sockets are not its any more */
		return;
	}
	if (refs[0].start_ticks != 0 && p.start_ticks != refs[0].start_ticks) {
		proc_info_release(&p);
		close(dir);
		walk_pid(scan, (pid_t)refs[0].pid, refcap, proccap);
		return;
	}
	if ((fddir = openat(dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		if ((errno == EMFILE || errno == ENFILE || errno == ENOMEM) && !scan->error)
			scan->error = errno;
		proc_info_release(&p);
		close(dir);
		return;
	}
	scan->scanned++;
	for (i = 0; i < n; i++) {
		if (u64map_get(scan->want, refs[i].inode) == U64MAP_MISSING)
			continue;
		snprintf(path, sizeof(path), "%d", refs[i].fd);
		snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)refs[i].inode);
		ln = readlinkat(fddir, path, link, sizeof(link) - 1);
		if (ln < 0 || (size_t)ln != strlen(want) || memcmp(link, want, (size_t)ln) != 0)
			continue;	/* closed, or now another file */
		ref_push(scan, refcap, &refs[i]);
	}
	close(fddir);
	/* still there after the readlinks: what they said is its own */
	if (scan->nrefs > first && faccessat(dir, "stat", R_OK, 0) == -1) {
		scan->exited++;
		owner_scan_lose(scan, scan->refs + first, scan->nrefs - first);
		scan->nrefs = first;
	}
	close(dir);
	if (scan->nrefs == first) {
		proc_info_release(&p);
		return;
	}
	proc_push(scan, proccap, &p);
}

/*
 * The scan from what is remembered: new processes walked, the remembered
 * descriptors of the others confirmed, and, when unknown inodes are
 * wanted, the remembered owners walked as well.  Returns 0 when every
 * wanted inode is accounted for, else -1 (scan's results then released).
 */
static int
incremental(struct owner_scan *scan, const pid_t *pids, size_t npids)
{
	const struct u64map *want = scan->want;
	struct u64map found;
	size_t i, j, k, refcap = 0, proccap = 0, unknown = 0, nwalk = 0;
	pid_t *walk;
	int rc = 0;

	for (i = 0; i <= want->mask; i++)
		if (want->keys[i] != 0 && u64map_get(&cache.known, want->keys[i]) ==
		    U64MAP_MISSING)
			unknown++;

	/* Who to walk: new processes, and the known owners if need be. */
	walk = xreallocarray(NULL, npids + cache.nrefs + 1, sizeof(*walk));
	for (i = 0; i < npids; i++)
		if (!pid_in(cache.pids, cache.npids, pids[i]))
			walk[nwalk++] = pids[i];
	for (i = 0; unknown > 0 && i < cache.nrefs; i++)
		if ((i == 0 || cache.refs[i].pid != cache.refs[i - 1].pid) &&
		    pid_in(pids, npids, (pid_t)cache.refs[i].pid))
			walk[nwalk++] = (pid_t)cache.refs[i].pid;
	qsort(walk, nwalk, sizeof(*walk), pid_cmp);
	for (i = 0, k = 0; i < nwalk; i++)
		if (k == 0 || walk[k - 1] != walk[i])
			walk[k++] = walk[i];
	nwalk = k;
	for (i = 0; i < nwalk; i++)
		walk_pid(scan, walk[i], &refcap, &proccap);

	/* The others: confirm what they held, process by process. */
	for (i = 0; i < cache.nrefs; i = j) {
		for (j = i; j < cache.nrefs && cache.refs[j].pid == cache.refs[i].pid; j++)
			;
		if (!pid_in(walk, nwalk, (pid_t)cache.refs[i].pid))
			confirm_pid(scan, cache.refs + i, j - i, &refcap, &proccap);
	}
	free(walk);

	/* Every wanted inode is owned now, or was known to have no owner. */
	u64map_init(&found, scan->nrefs);
	for (i = 0; i < scan->nrefs; i++)
		u64map_put(&found, scan->refs[i].inode, 1);
	for (i = 0; i <= want->mask && rc == 0; i++)
		if (want->keys[i] != 0 &&
		    u64map_get(&found, want->keys[i]) == U64MAP_MISSING &&
		    u64map_get(&cache.known, want->keys[i]) != 0)
			rc = -1;
	u64map_release(&found);
	if (rc == -1) {
		owner_scan_release(scan);
		scan->scanned = scan->denied = scan->exited = 0;
		return -1;
	}
	if (scan->nprocs > 1)
		qsort(scan->procs, scan->nprocs, sizeof(*scan->procs), proc_info_cmp);
	scan->denied += cache.denied;
	return 0;
}

static int
cache_start(struct owner_scan *scan, char *err, size_t errlen)
{
	size_t npids;
	pid_t *pids;
	long lastpid;

	lastpid = last_pid();
	pids = list_pids(&npids);
	if (!cache.valid || scan->want == NULL || scan->only_pid > 0 ||
	    now_ms() - cache.last_full_ms >= OWNER_CACHE_FULL_EVERY_MS ||
	    (lastpid >= 0 && lastpid < cache.last_pid) || incremental(scan, pids, npids) == -1) {
		if (full_scan(scan, err, errlen) == -1) {
			free(pids);
			return -1;
		}
		if (scan->error != 0) {
			/* a scan that failed part-way proves no socket ownerless */
			free(pids);
			cache.valid = 0;
			return 0;
		}
	}
	if (scan->error != 0) {		/* as above */
		free(pids);
		cache.valid = 0;
		return 0;
	}
	remember(scan, pids, npids, lastpid);
	return 0;
}

/* The work was done in start. */
static void
cache_finish(struct owner_scan *scan)
{
	(void)scan;
}

const struct owner_backend owner_cache = {
	.name = "cache",
	.start = cache_start,
	.finish = cache_finish,
};
