#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host/proc.h"
#include "util/buf.h"
#include "util/vec.h"
#include "util/xmalloc.h"

/*
 * Read a small /proc file relative to dirfd into a buf (NUL-terminated).
 * Returns its length, or -1 with errno set.
 */
static ssize_t
read_at(int dirfd, const char *name, struct buf *b, size_t limit)
{
	ssize_t n;
	int fd;

	buf_reset(b);
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	for (;;) {
		buf_grow(b, 4096);
		n = read(fd, b->data + b->len, b->cap - b->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			errno = e;
			return -1;
		}
		if (n == 0 || b->len + (size_t)n >= limit) {
			b->len += (size_t)n;
			break;
		}
		b->len += (size_t)n;
	}
	close(fd);
	b->data[b->len] = '\0';
	return (ssize_t)b->len;
}

/* Our own failure (out of descriptors or memory), not the process's:
 * the caller must hear of it rather than take it for a missing detail. */
static int
local_failure(int e)
{
	return e == EMFILE || e == ENFILE || e == ENOMEM || e == ENOBUFS;
}

/* ESRCH and ENOENT on a /proc/PID entry mean the process is gone. */
static int
gone(int e)
{
	return e == ESRCH || e == ENOENT;
}

int64_t
proc_boot_time(void)
{
	static int64_t btime = -1;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char line[256];
	FILE *f;

	pthread_mutex_lock(&lock);
	if (btime == -1) {
		btime = 0;
		if ((f = fopen("/proc/stat", "re")) != NULL) {
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "btime %lld", (long long *)&btime) == 1)
					break;
			fclose(f);
		}
	}
	pthread_mutex_unlock(&lock);
	return btime;
}

/* Is s (length n) made only of hex digits? */
static int
all_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

/* Is s (length n) the suffix of a systemd unit name that holds processes? */
static int
unit_suffix(const char *s, size_t n)
{
	static const char *const suffixes[] = { "service", "scope", "socket", "mount", "swap", NULL };
	size_t i;

	for (i = 0; suffixes[i]; i++)
		if (strlen(suffixes[i]) == n && strncmp(s, suffixes[i], n) == 0)
			return 1;
	return 0;
}

void
proc_cgroup_parse(const char *path, char **unit, char **container)
{
	static const char *const scope_prefixes[] = {
		"docker-", "libpod-", "cri-containerd-", "crio-", "containerd-", NULL
	};
	const char *comp, *end, *p, *id;
	size_t len, i, idlen;

	*unit = *container = NULL;
	/* Walk the components; the deepest unit-looking one wins. */
	for (comp = path; comp && *comp; comp = end) {
		while (*comp == '/')
			comp++;
		if (*comp == '\0')
			break;
		end = strchr(comp, '/');
		len = end ? (size_t)(end - comp) : strlen(comp);
		if (!end)
			end = comp + len;
		for (p = comp + len; p > comp && p[-1] != '.'; p--)
			;
		if (p > comp && unit_suffix(p, (size_t)(comp + len - p))) {
			free(*unit);
			*unit = xstrndup(comp, len);
		}
		/* Container ids: docker-<64 hex>.scope, /docker/<64 hex>, … */
		for (i = 0; scope_prefixes[i]; i++) {
			size_t pl = strlen(scope_prefixes[i]);
			if (len > pl && strncmp(comp, scope_prefixes[i], pl) == 0) {
				id = comp + pl;
				idlen = strcspn(id, "./");
				if (idlen >= 12 && all_hex(id, idlen)) {
					free(*container);
					*container = xstrndup(id, idlen);
				}
			}
		}
		if (len >= 32 && all_hex(comp, len)) {
			free(*container);
			*container = xstrndup(comp, len);
		}
	}
}

/* cmdline: NUL-separated arguments; join them with spaces. */
static char *
join_cmdline(struct buf *b)
{
	size_t i;

	while (b->len > 0 && b->data[b->len - 1] == '\0')
		b->len--;
	if (b->len == 0)
		return NULL;
	for (i = 0; i < b->len; i++)
		if (b->data[i] == '\0')
			b->data[i] = ' ';
	return xstrndup(b->data, b->len);
}

static char *
user_name(uid_t uid)
{
	struct passwd pw, *res = NULL;
	char tmp[1024];
	char *s;

	if (getpwuid_r(uid, &pw, tmp, sizeof(tmp), &res) == 0 && res != NULL)
		return xstrdup(res->pw_name);
	xasprintf(&s, "%u", (unsigned)uid);
	return s;
}

static int
module_cmp(const void *a, const void *b)
{
	const struct proc_module *x = a, *y = b;

	return x->base < y->base ? -1 : x->base > y->base;
}

/* The distinct executable files mapped into the process (its program and
 * shared libraries: ELF objects, each mapped with execute permission
 * somewhere), each with its lowest mapped address.  Files only read, never
 * executed (locale archives, caches, fonts, databases), are not modules. */
static void
read_modules(struct proc_info *p, struct buf *b)
{
	char *line, *next, *path, perms[8];
	unsigned long long lo;
	struct { unsigned char *v; size_t n, cap; } exec = { NULL, 0, 0 };
	struct { struct proc_module *v; size_t n, cap; } mods = { NULL, 0, 0 };
	struct proc_module *m;
	size_t i, k;

	for (line = b->data; line && *line; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		if ((path = strchr(line, '/')) == NULL)
			continue;
		if (sscanf(line, "%llx-%*x %7s", &lo, perms) != 2)
			continue;
		for (i = 0; i < mods.n; i++)
			if (strcmp(mods.v[i].path, path) == 0)
				break;
		if (i < mods.n) {
			if (lo < mods.v[i].base)
				mods.v[i].base = lo;
			exec.v[i] |= perms[2] == 'x';
			continue;
		}
		m = VEC_PUSH(&mods);
		m->base = lo;
		m->path = xstrdup(path);
		*VEC_PUSH(&exec) = perms[2] == 'x';
	}
	for (i = k = 0; i < mods.n; i++) {
		if (exec.v[i])
			mods.v[k++] = mods.v[i];
		else
			free(mods.v[i].path);
	}
	mods.n = k;
	VEC_FREE(&exec);
	free(p->modules);	/* none: this is the only place that fills it */
	p->modules = mods.v;
	p->nmodules = mods.n;
	if (p->nmodules > 0)
		qsort(p->modules, p->nmodules, sizeof(*p->modules), module_cmp);
}

int
proc_read(int dirfd, pid_t pid, unsigned what, struct proc_info *p)
{
	struct buf b;
	char link[4096], *s, *e;
	ssize_t n;
	unsigned long long start;
	unsigned ruid;

	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->uid = (uid_t)-1;
	buf_init(&b);

	/* stat: comm, ppid and start time in one read (the name is between
	 * the first '(' and the last ')', and may hold either) */
	if (read_at(dirfd, "stat", &b, 4096) < 0) {
		if (gone(errno))
			goto exited;
		if (local_failure(errno))
			goto failed;
		snprintf(p->comm, sizeof(p->comm), "?");
	} else if ((s = strchr(b.data, '(')) != NULL && (e = strrchr(s, ')')) != NULL &&
	    sscanf(e + 1, " %*c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u "
	    "%*d %*d %*d %*d %*d %*d %llu", &p->ppid, &start) == 2) {
		snprintf(p->comm, sizeof(p->comm), "%.*s", (int)(e - s - 1), s + 1);
		p->start_ticks = start;
	} else
		snprintf(p->comm, sizeof(p->comm), "?");

	if ((n = readlinkat(dirfd, "exe", link, sizeof(link) - 1)) >= 0)
		p->exe = xstrndup(link, (size_t)n);
	else {
		p->exe_err = errno;
		/* ENOENT on exe also marks kernel threads: check the process. */
		if (gone(errno) && faccessat(dirfd, "stat", R_OK, 0) == -1 && gone(errno))
			goto exited;
	}

	if (what & (PROC_FULL | PROC_MODULES)) {
		if (read_at(dirfd, "cmdline", &b, 1 << 20) >= 0)
			p->cmdline = join_cmdline(&b);
		else if (gone(errno))
			goto exited;
		else if (local_failure(errno))
			goto failed;

		if (p->start_ticks > 0)
			p->start_time = proc_boot_time() +
			    (int64_t)(p->start_ticks / (uint64_t)sysconf(_SC_CLK_TCK));

		if (read_at(dirfd, "status", &b, 1 << 16) >= 0) {
			if ((s = strstr(b.data, "\nUid:")) != NULL &&
			    sscanf(s + 5, "%u", &ruid) == 1) {
				p->uid = ruid;
				p->user = user_name(p->uid);
			}
		} else if (local_failure(errno))
			goto failed;

		if (read_at(dirfd, "cgroup", &b, 1 << 16) >= 0) {
			if ((s = strstr(b.data, "0::")) != NULL) {
				s[strcspn(s, "\n")] = '\0';
				proc_cgroup_parse(s + 3, &p->unit, &p->container);
			}
		} else if (local_failure(errno))
			goto failed;
	}

	if (what & PROC_MODULES) {
		if (read_at(dirfd, "maps", &b, SIZE_MAX) >= 0)
			read_modules(p, &b);
		else if (gone(errno))
			goto exited;
		else if (local_failure(errno))
			goto failed;
		else
			p->modules_err = errno ? errno : EIO;
	}
	buf_release(&b);
	return 0;

failed:
	n = errno;
	buf_release(&b);
	proc_info_release(p);
	p->pid = pid;
	p->error = (int)n;
	errno = (int)n;
	return -1;

exited:
	buf_release(&b);
	proc_info_release(p);
	p->pid = pid;
	p->exited = 1;
	return -1;
}

int
proc_read_owner(pid_t pid, uint64_t start_ticks, int fd, uint64_t inode,
    unsigned what, struct proc_info *p)
{
	char path[40], want[40], link[64];
	ssize_t n;
	int dir, rc;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		if (local_failure(errno))
			p->error = errno;
		else
			p->exited = 1;
		return -1;
	}
	/* The directory fd holds on to the process it was opened for: every
	 * read through it fails once that one exits, so one check of the
	 * start time (and of one descriptor) through it is enough. */
	rc = proc_read(dir, pid, what, p);
	if (rc == 0 && start_ticks != 0 && p->start_ticks != start_ticks)
		rc = -1;
	if (rc == 0 && fd >= 0) {
		snprintf(path, sizeof(path), "fd/%d", fd);
		snprintf(want, sizeof(want), "socket:[%llu]", (unsigned long long)inode);
		n = readlinkat(dir, path, link, sizeof(link));
		if (n != (ssize_t)strlen(want) || memcmp(link, want, (size_t)n) != 0)
			rc = -1;
	}
	close(dir);
	if (rc == -1 && p->error == 0) {
		proc_info_release(p);
		p->pid = pid;
		p->exited = 1;
	}
	return rc;
}

int
proc_read_pid(pid_t pid, uint64_t start_ticks, unsigned what, struct proc_info *p)
{
	return proc_read_owner(pid, start_ticks, -1, 0, what, p);
}

/* The boot-time offset of our time namespace in ns (0 outside one). */
static int64_t
timens_boot_offset(void)
{
	static int64_t off = -1;
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char line[128], name[32];
	long long sec, nsec;
	FILE *f;

	pthread_mutex_lock(&lock);
	if (off == -1) {
		off = 0;
		if ((f = fopen("/proc/self/timens_offsets", "re")) != NULL) {
			while (fgets(line, sizeof(line), f))
				if (sscanf(line, "%31s %lld %lld", name, &sec, &nsec) == 3 &&
				    (strcmp(name, "boottime") == 0 || strcmp(name, "7") == 0))
					off = sec * 1000000000LL + nsec;
			fclose(f);
		}
	}
	pthread_mutex_unlock(&lock);
	return off;
}

uint64_t
proc_boot_ns_to_ticks(uint64_t ns)
{
	uint64_t per_tick = 1000000000ULL / (uint64_t)sysconf(_SC_CLK_TCK);

	return (uint64_t)((int64_t)ns + timens_boot_offset()) / per_tick;
}

int
proc_check_fds(pid_t pid, char *err, size_t errlen)
{
	char path[32];
	int dir, fd, e;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	if ((dir = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "no process with pid %d", (int)pid);
		return -1;
	}
	fd = openat(dir, "fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	e = errno;
	close(dir);
	if (fd != -1) {
		close(fd);
		return 0;
	}
	if (e == EACCES || e == EPERM)
		snprintf(err, errlen, "cannot read the descriptors of pid %d: not "
		    "permitted (run as root)", (int)pid);
	else if (gone(e))
		snprintf(err, errlen, "no process with pid %d", (int)pid);
	else
		snprintf(err, errlen, "cannot read the descriptors of pid %d: %s",
		    (int)pid, strerror(e));
	return -1;
}

void
proc_info_release(struct proc_info *p)
{
	size_t i;

	free(p->exe);
	free(p->cmdline);
	free(p->user);
	free(p->unit);
	free(p->container);
	for (i = 0; i < p->nmodules; i++)
		free(p->modules[i].path);
	free(p->modules);
	memset(p, 0, sizeof(*p));
}
