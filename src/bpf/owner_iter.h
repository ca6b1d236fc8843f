/* Shared by owner_iter.bpf.c and its loader (host/owner_bpf.c): one record
 * per socket file descriptor, written by the task_file iterator. */
#ifndef BPF_OWNER_ITER_H
#define BPF_OWNER_ITER_H

#define OWNER_ITER_MAX_WANT	4096	/* inodes in the filter map; more are filtered by the reader */
#define OWNER_ITER_MAX_LEVEL	8	/* PID namespace nesting searched */

struct owner_rec {
	unsigned long long	ino;	/* socket inode */
	unsigned int		pid;	/* process id in the reader's PID namespace */
	int			fd;
	unsigned long long	start_ns; /* the process's start, ns after boot
					     (what /proc/PID/stat field 22 counts in ticks) */
};

#endif
