/*
 * The cgroup a profiled command runs in: a child of the cgroup v2 root
 * (portscope-profile-PID), created before the command starts, emptied
 * and removed at the end; and the depth of an existing cgroup (the stack
 * snapshot program matches a task's ancestor at that depth).
 */
#ifndef PROFILE_CGRUN_H
#define PROFILE_CGRUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct cgrun {
	char		path[4096];	/* the cgroup's directory */
	uint64_t	id;		/* its cgroup v2 id (the directory's inode) */
	unsigned	level;		/* its depth below the root */
};

/* Create the command's cgroup.  Returns 0, or -1 with the reason in err. */
int	cgrun_create(struct cgrun *, char *err, size_t errlen);
/* Move process pid (0: the caller) into it.  Returns 0 or -1 (errno). */
int	cgrun_enter(const struct cgrun *, pid_t pid);
/* The number of processes in it, or -1 when it cannot be read. */
int	cgrun_count(const struct cgrun *);
/* Send sig to every process in it; returns how many were signalled. */
int	cgrun_signal(const struct cgrun *, int sig);
/* Stop what is left (SIGTERM, then SIGKILL after wait_ms) and remove the
 * cgroup.  Returns the number of processes that had to be stopped, or -1
 * with the reason in err when the cgroup could not be removed. */
int	cgrun_remove(struct cgrun *, int wait_ms, char *err, size_t errlen);

/* The depth below the cgroup v2 root of the cgroup with id.  Returns 0,
 * or -1 when no such cgroup is found. */
int	cgroup_level(uint64_t id, unsigned *level);

#endif
