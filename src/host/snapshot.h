/*
 * The snapshot engine: every socket that a filter selects, from sock_diag,
 * joined with its owning processes from an owner backend.  `local`, `watch`
 * and the views to come are functions over this flat data.
 */
#ifndef HOST_SNAPSHOT_H
#define HOST_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "host/owner.h"
#include "host/sock.h"
#include "host/sockdiag.h"

struct snap_filter {
	unsigned	protos;		/* SD_TCP | SD_UDP */
	unsigned	families;	/* SD_V4 | SD_V6 */
	uint32_t	tcp_states;	/* 1 << TCP_* */
	uint32_t	udp_states;
	int		port;		/* local or remote port; -1 for any */
	pid_t		pid;		/* only sockets this process holds; 0 for any */
	uint64_t	pid_start_ticks; /* and only while pid is the process that
					    started then (proc_info); 0: any */
	unsigned	details;	/* PROC_* wanted for owning processes */
	int		owners;		/* look owners up at all */
	int		tcp_info;	/* TCP byte counters (sock_row.bytes_*) */
	/* where owners come from; NULL: the BPF iterator when it can be
	 * loaded (root, BPF built in), else procfs */
	const struct owner_backend *backend;
};

/* One process holding one socket (through fd); a socket's owners form a
 * list sorted by pid and fd, linked through next. */
struct sock_owner {
	uint32_t	pid;
	int32_t		fd;
	uint32_t	proc;		/* index into snapshot.scan.procs */
	uint32_t	next;		/* OWNER_NONE ends the list */
};

struct snapshot {
	struct sock_row		*socks;
	size_t			 nsocks;
	struct sock_owner	*owners;
	size_t			 nowners;
	struct owner_scan	 scan;		/* procs: details of owning processes */
	int			 not_root;	/* some owners were not readable */
	unsigned		 from_procnet;	/* SD_UDP, SD_RAW: read from /proc/net
						   (the kernel lacks udp_diag, raw_diag) */
	struct u64map		 by_inode;	/* inode → index into socks */
	const struct owner_backend *backend;	/* the one that found the owners */
};

/* Everything a filter selects with all sockets in all states. */
void	snap_filter_init(struct snap_filter *);

/* The one-line notice a command prints (once) when a snapshot's UDP
 * sockets came from /proc/net, or NULL. */
const char *snapshot_fallback_notice(const struct snapshot *);

/* Take a snapshot.  Returns 0, or -1 with the reason in err; the snapshot
 * is then empty and needs no release. */
int	snapshot_take(struct snapshot *, const struct snap_filter *,
	    char *err, size_t errlen);
void	snapshot_release(struct snapshot *);

/* The process of an owner entry. */
const struct proc_info *snapshot_proc(const struct snapshot *,
	    const struct sock_owner *);
/* The row with this inode, or NULL. */
const struct sock_row *snapshot_find(const struct snapshot *, uint64_t inode);

#endif
