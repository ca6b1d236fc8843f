/*
 * The stack-snapshot source: loads bpf/profile.bpf.c for one cgroup (and
 * the cgroups below it) and hands each snapshot it takes (struct
 * pfk_snap, bpf/profile.h: registers and a copy of the user stack at the
 * entry of a socket system call) to a handler.  Needs root and BPF; built
 * only with HAVE_BPF, otherwise stacksrc_open() says why.
 */
#ifndef UNWIND_STACKSRC_H
#define UNWIND_STACKSRC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pfk_maps;
struct pfk_snap;
struct stacksrc;

/* What to do with each record (valid only during the call). */
struct stacksrc_handler {
	void	(*maps)(const struct pfk_maps *, void *arg);
	void	(*snap)(const struct pfk_snap *, void *arg);
	void	*arg;
};

/* Start taking snapshots of the tasks in cgroup id (at depth level below
 * the cgroup v2 root) and below; with pid > 0, only of process pid and
 * its descendants.  Returns the source, or NULL with the reason in err. */
struct stacksrc	*stacksrc_open(uint64_t cgroup_id, unsigned level, pid_t pid,
		    char *err, size_t errlen);
/* An fd to poll for POLLIN. */
int		 stacksrc_fd(const struct stacksrc *);
/* Hand the waiting records to h, at most STACKSRC_BATCH (the rest stay for
 * the next call: a source that fills faster than it is read must not hold
 * its reader forever); a process's mappings come before its first
 * snapshot.  Returns the number handed, or -1 with the reason in err. */
#define STACKSRC_BATCH	8192
int		 stacksrc_read(struct stacksrc *, const struct stacksrc_handler *h,
		    char *err, size_t errlen);
/* Snapshots the kernel could not queue (ring buffer full). */
uint64_t	 stacksrc_lost(const struct stacksrc *);
void		 stacksrc_close(struct stacksrc *);

#endif
