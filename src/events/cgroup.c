/*
 * Control groups for the event engine (see cgroup.h).
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
#include "util/vec.h"
#include "util/xmalloc.h"

#define MAX_DEPTH	16
#define FILEID_KERNFS	0xfe	/* the kernel's exportfs.h: a kernfs node id */

int
cgroup2_mount(char *out, size_t outlen, char *err, size_t errlen)
{
	static char cached[4096];	/* mounts do not move under us */
	char line[4096], *sep, *f[6];
	FILE *fp;
	int i, found = 0;

	if (cached[0] && strlen(cached) < outlen) {
		snprintf(out, outlen, "%s", cached);
		return 0;
	}
	if ((fp = fopen("/proc/self/mountinfo", "re")) == NULL) {
		snprintf(err, errlen, "cannot open '/proc/self/mountinfo': %s", strerror(errno));
		return -1;
	}
	while (!found && fgets(line, sizeof(line), fp)) {
		/* id parent major:minor root mountpoint options ... - fstype */
		if ((sep = strstr(line, " - ")) == NULL || strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		f[0] = strtok(line, " ");
		for (i = 1; i < 5 && f[i - 1]; i++)
			f[i] = strtok(NULL, " ");
		if (i == 5 && f[4] && strlen(f[4]) < outlen) {
			snprintf(out, outlen, "%s", f[4]);
			found = 1;
		}
	}
	fclose(fp);
	if (!found) {
		snprintf(err, errlen, "no cgroup v2 hierarchy is mounted");
		return -1;
	}
	snprintf(cached, sizeof(cached), "%s", out);
	return 0;
}

struct walk {
	const char	*name;		/* find a directory called this, */
	uint64_t	 id;		/* or the one with this inode */
	uint64_t	 found;
	struct { uint64_t *v; size_t n, cap; } below;	/* ids under the found one */
};

/* Visit the directories under dirfd (at depth); collecting is set once
 * inside the wanted cgroup.  Stops early when a name is found. */
static void
walk_dir(int dirfd, int depth, int collecting, struct walk *w)
{
	struct dirent *d;
	struct stat st;
	DIR *dir;
	int fd, hit;

	if (depth > MAX_DEPTH || (dir = fdopendir(dirfd)) == NULL) {
		close(dirfd);
		return;
	}
	while ((d = readdir(dir)) != NULL) {
		if (d->d_type != DT_DIR || d->d_name[0] == '.')
			continue;
		if ((fd = openat(dirfd, d->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			continue;
		if (fstat(fd, &st) == -1) {
			close(fd);
			continue;
		}
		hit = w->name ? strcmp(d->d_name, w->name) == 0 : st.st_ino == w->id;
		if (collecting || hit)
			*VEC_PUSH(&w->below) = st.st_ino;
		if (hit && w->name) {
			w->found = st.st_ino;
			close(fd);
			break;
		}
		if (hit)
			w->found = st.st_ino;
		walk_dir(fd, depth + 1, collecting || hit, w);
		if (w->found && !collecting)
			break;		/* the wanted subtree is done */
	}
	closedir(dir);
}

static int
walk_root(struct walk *w)
{
	char root[4096], err[256];
	struct stat st;
	int fd;

	if (cgroup2_mount(root, sizeof(root), err, sizeof(err)) == -1 ||
	    (fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return -1;
	if (!w->name && fstat(fd, &st) == 0 && st.st_ino == w->id) {
		w->found = st.st_ino;
		*VEC_PUSH(&w->below) = st.st_ino;
		walk_dir(fd, 0, 1, w);
		return 0;
	}
	walk_dir(fd, 0, 0, w);
	return 0;
}

int
cgroup_unit_id(const char *name, uint64_t *id, char *err, size_t errlen)
{
	struct walk w;
	char full[256];

	memset(&w, 0, sizeof(w));
	if (strchr(name, '/') || name[0] == '.' || strlen(name) > 200) {
		snprintf(err, errlen, "unknown unit '%s'", name);
		return -1;
	}
	w.name = name;
	if (walk_root(&w) == -1) {
		snprintf(err, errlen, "cannot find unit '%s': no cgroup v2 hierarchy", name);
		return -1;
	}
	if (!w.found && strchr(name, '.') == NULL) {
		snprintf(full, sizeof(full), "%s.service", name);
		w.name = full;
		walk_root(&w);
	}
	VEC_FREE(&w.below);
	if (!w.found) {
		snprintf(err, errlen, "unknown unit '%s'", name);
		return -1;
	}
	*id = w.found;
	return 0;
}

int
cgroup_subtree(uint64_t id, struct u64map *set)
{
	struct walk w;
	size_t i;

	memset(&w, 0, sizeof(w));
	w.id = id;
	walk_root(&w);
	u64map_init(set, w.below.n + 1);
	for (i = 0; i < w.below.n; i++)
		u64map_put(set, w.below.v[i], 1);
	VEC_FREE(&w.below);
	return w.found ? 0 : -1;
}

uint64_t
cgroup_of_pid(pid_t pid)
{
	char path[64], line[4096], root[4096], err[256], *full;
	struct stat st;
	uint64_t id = 0;
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((fp = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		n = strlen(line);
		if (n > 0 && line[n - 1] == '\n')
			line[--n] = '\0';
		if (cgroup2_mount(root, sizeof(root), err, sizeof(err)) == 0) {
			xasprintf(&full, "%s%s", root, line + 3);
			if (stat(full, &st) == 0)
				id = st.st_ino;
			free(full);
		}
		break;
	}
	fclose(fp);
	return id;
}

int
cgroup_path(uint64_t id, char *out, size_t outlen)
{
	static int mount_fd = -1;
	static char mnt[4096];
	struct {
		struct file_handle	fh;
		uint64_t		id;
	} h;
	char err[256], link[64], path[4096];
	ssize_t n;
	size_t ml;
	int fd;

	if (id == 0)
		return -1;
	if (mount_fd < 0) {
		if (cgroup2_mount(mnt, sizeof(mnt), err, sizeof(err)) == -1 ||
		    (mount_fd = open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
			return -1;
	}
	/* a cgroup v2 directory's file handle is its kernfs id */
	h.fh.handle_bytes = sizeof(h.id);
	h.fh.handle_type = FILEID_KERNFS;
	h.id = id;
	if ((fd = open_by_handle_at(mount_fd, &h.fh, O_RDONLY | O_PATH | O_CLOEXEC)) == -1)
		return -1;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	close(fd);
	if (n < 0)
		return -1;
	path[n] = '\0';
	ml = strlen(mnt);
	if (strncmp(path, mnt, ml) != 0 || (path[ml] != '/' && path[ml] != '\0'))
		return -1;
	snprintf(out, outlen, "%s", path[ml] ? path + ml : "/");
	return 0;
}
