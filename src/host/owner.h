/*
 * Owner lookup: which processes hold which socket, by socket inode.  One
 * narrow interface with a backend per source: procfs (one pass over
 * /proc/PID/fd) now, a BPF iterator later.  A scan runs on worker threads;
 * the caller may do other work (the sock_diag dump) between start and
 * finish, and lends its own thread to the scan in finish.
 */
#ifndef HOST_OWNER_H
#define HOST_OWNER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "host/proc.h"
#include "util/u64map.h"

/* One file descriptor that refers to a socket. */
struct fd_ref {
	uint64_t	inode;
	uint32_t	pid;
	int32_t		fd;
	uint64_t	start_ticks;	/* the process's start time (proc_info), 0 if unknown */
};

struct owner_scan {
	/* inputs */
	pid_t			 only_pid;	/* > 0: look at this process only */
	const struct u64map	*want;		/* non-NULL: only these inodes */
	unsigned		 details;	/* PROC_* bits for owning processes */
	int			 threads;	/* workers besides the caller; 0 = by CPU count */
	/* results, valid after finish */
	struct fd_ref		*refs;		/* socket fds of live processes */
	size_t			 nrefs;
	struct fd_ref		*lost;		/* those of processes that exited mid-scan */
	size_t			 nlost;
	struct proc_info	*procs;		/* one per pid in refs, sorted by pid */
	size_t			 nprocs;
	size_t			 scanned;	/* processes looked at */
	size_t			 denied;	/* processes whose fds we may not read */
	size_t			 exited;	/* processes that exited mid-scan */
	int			 error;		/* errno if the scan failed part-way */
	/* private to the backend */
	void			*priv;
};

struct owner_backend {
	const char	*name;
	/* Optional: get ready in the background (load a program) while the
	 * caller does other work; start() waits for it. */
	void		(*prepare)(void);
	/* Begin a scan.  Returns 0, or -1 with the reason in err. */
	int		(*start)(struct owner_scan *, char *err, size_t errlen);
	/* Help with and wait for the scan, then fill the results. */
	void		(*finish)(struct owner_scan *);
};

extern const struct owner_backend owner_procfs;
extern const struct owner_backend owner_bpf;

/* Start scan with backend be, or with none given, with the BPF iterator
 * when running as root and it loads, else procfs.  Returns the backend
 * that started, or NULL with the reason in err. */
const struct owner_backend *owner_start(const struct owner_backend *be,
	    struct owner_scan *, char *err, size_t errlen);

/* The backend called name ("procfs", "bpf"), or NULL. */
const struct owner_backend *owner_backend_find(const char *name);

/* qsort orders: fd_refs by pid then fd, proc_infos by pid. */
int	fd_ref_cmp(const void *, const void *);
int	proc_info_cmp(const void *, const void *);

/* Add n fd_refs of a process that exited mid-scan to scan->lost (their
 * sockets then say "exited"). */
void	owner_scan_lose(struct owner_scan *, const struct fd_ref *, size_t n);

/* A test hook: when PORTSCOPE_TEST_PAUSE is "WHERE:DIR", the first call
 * for that where ("dump": after the socket dump; "bpf": after the BPF
 * iteration, before owners' details are read; "procfs": after a process's
 * socket descriptors were read, before its details; "cache": before a
 * remembered owner is confirmed) writes pid (the process concerned, or 0)
 * to DIR/paused and waits (60 s at most) for DIR/go, so that a test can
 * end that process, or give its pid to another, in between.  Does nothing
 * otherwise. */
void	owner_test_pause(const char *where, pid_t pid);

/* Free the results of a finished scan. */
void	owner_scan_release(struct owner_scan *);
/* The details of pid in a finished scan, or NULL. */
const struct proc_info *owner_scan_proc(const struct owner_scan *, pid_t);

#endif
