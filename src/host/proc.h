/*
 * What we know of one process that owns sockets: read from its /proc
 * directory through a directory fd, so that a process that exits and whose
 * pid is reused can never lend its details to another.
 */
#ifndef HOST_PROC_H
#define HOST_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define PROC_BASIC	0x1	/* comm, exe */
#define PROC_FULL	0x2	/* + cmdline, uid and user, start time, unit/container */
#define PROC_MODULES	0x4	/* + mapped executables and libraries */

struct proc_module {
	uint64_t	 base;		/* lowest mapped address */
	char		*path;
};

struct proc_info {
	pid_t		 pid;
	pid_t		 ppid;
	uid_t		 uid;		/* real uid; (uid_t)-1 when unknown */
	int		 exited;	/* vanished while we read it */
	char		 comm[17];
	char		*exe;		/* NULL when unreadable: see exe_err */
	int		 exe_err;	/* errno of the exe readlink */
	char		*cmdline;	/* arguments joined by spaces; NULL if none (kernel thread) */
	char		*user;		/* name of uid, or its number */
	int64_t		 start_time;	/* seconds since the epoch; 0 when unknown */
	char		*unit;		/* systemd unit from the cgroup path, or NULL */
	char		*container;	/* container id from the cgroup path, or NULL */
	struct proc_module *modules;
	size_t		 nmodules;
	char		*json;		/* "pid":…,"comm":…,"exe":… cached for listings */
};

/*
 * Read the details asked for (PROC_* bits) of the process whose /proc
 * directory is open as dirfd.  Returns 0, or -1 when the process has exited
 * (p->exited set).  A detail that cannot be read for another reason (no
 * permission) stays NULL and the call still succeeds.
 */
int	proc_read(int dirfd, pid_t, unsigned what, struct proc_info *);
/* Same, opening /proc/PID itself. */
int	proc_read_pid(pid_t, unsigned what, struct proc_info *);
void	proc_info_release(struct proc_info *);

/* Derive the systemd unit and the container id from a cgroup v2 path such
 * as "/system.slice/docker-<id>.scope".  Each result is malloc'd or NULL. */
void	proc_cgroup_parse(const char *path, char **unit, char **container);

/* Boot time in seconds since the epoch (btime of /proc/stat), cached. */
int64_t	proc_boot_time(void);

#endif
