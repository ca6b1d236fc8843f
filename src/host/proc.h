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

#define PROC_BASIC	0x1	/* comm, exe, ppid, start ticks */
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
	int		 error;		/* errno of our own failure (EMFILE, ENOMEM) */
	char		 comm[17];
	char		*exe;		/* NULL when unreadable: see exe_err */
	int		 exe_err;	/* errno of the exe readlink */
	char		*cmdline;	/* arguments joined by spaces; NULL if none (kernel thread) */
	char		*user;		/* name of uid, or its number */
	uint64_t	 start_ticks;	/* start, clock ticks after boot (stat field 22);
					   with pid, names one process for good */
	int64_t		 start_time;	/* seconds since the epoch; 0 when unknown */
	char		*unit;		/* systemd unit from the cgroup path, or NULL */
	char		*container;	/* container id from the cgroup path, or NULL */
	struct proc_module *modules;	/* executable files mapped (ELF objects) */
	size_t		 nmodules;
	int		 modules_err;	/* errno when PROC_MODULES could not read
					 * the mappings (not root), else 0 */
};

/*
 * Read the details asked for (PROC_* bits) of the process whose /proc
 * directory is open as dirfd.  Returns 0, or -1 when the process has exited
 * (p->exited set) or when we failed to read it for a reason of our own, out
 * of descriptors or memory (p->error set to the errno).  A detail that
 * cannot be read for another reason (no permission) stays NULL and the
 * call still succeeds.
 */
int	proc_read(int dirfd, pid_t, unsigned what, struct proc_info *);
/* Same, opening /proc/PID itself: only for a process that is known by
 * pid and start time (start_ticks as proc_info has it).  A pid that now
 * names another process (it exited and the pid was used again) counts as
 * exited: its details are never read.  start_ticks 0 skips the check (for
 * a pid the user gave, not one found by a scan). */
int	proc_read_pid(pid_t, uint64_t start_ticks, unsigned what, struct proc_info *);
/* Same for a process that an owner scan saw holding socket inode as fd:
 * it also counts as exited (its details not read) when fd no longer refers
 * to that socket. */
int	proc_read_owner(pid_t, uint64_t start_ticks, int fd, uint64_t inode,
	    unsigned what, struct proc_info *);

/* Clock ticks after boot, as /proc/PID/stat counts a start time, for ns
 * nanoseconds after boot as the kernel keeps it (task start_boottime):
 * corrected by our time namespace's boot-time offset. */
uint64_t proc_boot_ns_to_ticks(uint64_t ns);
void	proc_info_release(struct proc_info *);

/* May the sockets of process pid be looked up: does it exist, and are its
 * descriptors readable to us?  Returns 0, or -1 with the reason in err:
 * "no process with pid N", or "cannot read the descriptors of pid N: not
 * permitted (run as root)". */
int	proc_check_fds(pid_t, char *err, size_t errlen);

/* Derive the systemd unit and the container id from a cgroup v2 path such
 * as "/system.slice/docker-<id>.scope".  Each result is malloc'd or NULL. */
void	proc_cgroup_parse(const char *path, char **unit, char **container);

/* Boot time in seconds since the epoch (btime of /proc/stat), cached. */
int64_t	proc_boot_time(void);

#endif
