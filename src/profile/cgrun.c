/*
 * The profiled command's cgroup (see cgrun.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "events/cgroup.h"
#include "profile/cgrun.h"

int
cgrun_create(struct cgrun *c, char *err, size_t errlen)
{
	char root[3900], why[256];
	struct stat st;
	int i;

	memset(c, 0, sizeof(*c));
	if (cgroup2_mount(root, sizeof(root), why, sizeof(why)) == -1) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	for (i = 0; i < 100; i++) {
		snprintf(c->path, sizeof(c->path), "%s/portscope-profile-%d-%d", root,
		    (int)getpid(), i);
		if (mkdir(c->path, 0755) == 0)
			break;
		if (errno != EEXIST) {
			snprintf(err, errlen, "cannot create cgroup '%s': %s", c->path,
			    strerror(errno));
			return -1;
		}
	}
	if (i == 100 || stat(c->path, &st) == -1) {
		snprintf(err, errlen, "cannot create cgroup '%s': %s", c->path,
		    i == 100 ? "it exists" : strerror(errno));
		return -1;
	}
	c->id = st.st_ino;
	c->level = 1;		/* a child of the root */
	return 0;
}

static int
write_file(const char *dir, const char *name, const char *text)
{
	char path[4200];
	ssize_t n;
	int fd, e;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	n = write(fd, text, strlen(text));
	e = errno;
	close(fd);
	errno = e;
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

int
cgrun_enter(const struct cgrun *c, pid_t pid)
{
	char text[32];

	snprintf(text, sizeof(text), "%d\n", (int)pid);
	return write_file(c->path, "cgroup.procs", text);
}

/* Call fn(pid, arg) for each process in c; returns how many, or -1. */
static int
each_proc(const struct cgrun *c, void (*fn)(pid_t, void *), void *arg)
{
	char path[4200], line[64];
	FILE *fp;
	int n = 0;
	long pid;

	snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
	if ((fp = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), fp)) {
		pid = strtol(line, NULL, 10);
		if (pid > 0) {
			if (fn)
				fn((pid_t)pid, arg);
			n++;
		}
	}
	fclose(fp);
	return n;
}

int
cgrun_count(const struct cgrun *c)
{
	return each_proc(c, NULL, NULL);
}

static void
send_sig(pid_t pid, void *arg)
{
	kill(pid, *(int *)arg);
}

int
cgrun_signal(const struct cgrun *c, int sig)
{
	return each_proc(c, send_sig, &sig);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

int
cgrun_remove(struct cgrun *c, int wait_ms, char *err, size_t errlen)
{
	int left, i;

	if (c->path[0] == '\0')
		return 0;
	left = cgrun_count(c);
	if (left > 0) {
		cgrun_signal(c, SIGTERM);
		for (i = 0; i < wait_ms / 10 && cgrun_count(c) > 0; i++)
			sleep_ms(10);
		if (cgrun_count(c) > 0 && write_file(c->path, "cgroup.kill", "1\n") == -1)
			cgrun_signal(c, SIGKILL);
	}
	for (i = 0; i < 300; i++) {
		if (rmdir(c->path) == 0 || errno == ENOENT) {
			c->path[0] = '\0';
			return left > 0 ? left : 0;
		}
		if (errno != EBUSY)
			break;
		if (i % 50 == 49)
			cgrun_signal(c, SIGKILL);
		sleep_ms(10);
	}
	snprintf(err, errlen, "cannot remove cgroup '%s': %s", c->path, strerror(errno));
	return -1;
}

/* nftw has no argument for its callback. */
static uint64_t find_id;
static int find_level;

static int
find_cb(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)path;
	if (type == FTW_D && st->st_ino == find_id) {
		find_level = ftw->level;
		return 1;
	}
	return 0;
}

int
cgroup_level(uint64_t id, unsigned *level)
{
	char root[4096], why[256];

	if (cgroup2_mount(root, sizeof(root), why, sizeof(why)) == -1)
		return -1;
	find_id = id;
	find_level = -1;
	if (nftw(root, find_cb, 16, FTW_PHYS | FTW_MOUNT) != 1 || find_level < 0)
		return -1;
	*level = (unsigned)find_level;
	return 0;
}
