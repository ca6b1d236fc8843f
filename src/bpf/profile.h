/*
 * Shared by profile.bpf.c and its loader (unwind/stacksrc.c): one record
 * per socket system call of a profiled task, taken at the call's entry:
 * the caller's user registers (x86-64, in DWARF register order) and a copy
 * of the top of its user stack, what a DWARF unwinder needs to walk the
 * call chain later, in user space.  Before the first snapshot of each
 * process image comes a record of its executable mappings (where each
 * module is loaded), so that a process that exits before user space reads
 * /proc/PID/maps can still be unwound.  Versioned like events.h.
 */
#ifndef BPF_PROFILE_H
#define BPF_PROFILE_H

#define PFK_VERSION		1

#define PFK_NREGS		17	/* rax rdx rcx rbx rsi rdi rbp rsp r8-r15 rip */
#define PFK_REG_SP		7
#define PFK_REG_IP		16
#define PFK_STACK_MAX		8192	/* bytes of stack copied from sp (less when
					   the stack ends sooner) */
#define PFK_ADDR_MAX		28	/* sizeof(struct sockaddr_in6) */
#define PFK_MAX_PIDS		8192	/* processes in a pid filter */
#define PFK_RINGBUF_BYTES	(64u << 20)	/* ~7,800 snapshots */

/* The system calls snapshotted (x86-64 numbers). */
#define PFK_NR_CONNECT		42
#define PFK_NR_ACCEPT		43
#define PFK_NR_SENDTO		44
#define PFK_NR_SENDMSG		46
#define PFK_NR_BIND		49
#define PFK_NR_LISTEN		50
#define PFK_NR_ACCEPT4		288
#define PFK_NR_SENDMMSG		307

#define PFK_KIND_SNAP		1
#define PFK_KIND_MAPS		2

#define PFK_MAPS_MAX		64	/* executable mappings in one record */
#define PFK_NAME_MAX		64	/* bytes of one path component (with its NUL) */
#define PFK_DEPTH_MAX		16	/* path components */
#define PFK_PATH_BUF		256

/* One executable file mapping.  The path is its components from the file
 * up to the root, each NUL-terminated ("libc.so.6\0x86_64-linux-gnu\0lib\0"
 * for /lib/x86_64-linux-gnu/libc.so.6); a name of PFK_NAME_MAX - 1 bytes
 * or more may be cut. */
struct pfk_map {
	unsigned long long	start, end;
	unsigned long long	pgoff;		/* file offset, in pages */
	unsigned long long	ino;
	unsigned int		path_len;	/* bytes of path used */
	unsigned int		depth;		/* components in path */
	char			path[PFK_PATH_BUF + PFK_NAME_MAX];
};

struct pfk_maps {
	unsigned char		version;	/* PFK_VERSION */
	unsigned char		kind;		/* PFK_KIND_MAPS */
	unsigned short		n;		/* mappings in m */
	unsigned int		pid;
	unsigned long long	start_ns;
	unsigned int		exec_id;
	unsigned int		more;		/* mappings left out (over PFK_MAPS_MAX) */
	struct pfk_map		m[PFK_MAPS_MAX];
};

struct pfk_snap {
	unsigned char		version;	/* PFK_VERSION */
	unsigned char		kind;		/* PFK_KIND_SNAP */
	unsigned short		addrlen;	/* bytes of addr copied (0: none) */
	unsigned int		nr;		/* system call number */
	unsigned int		pid;		/* tgid */
	unsigned int		tid;
	unsigned long long	ts_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	unsigned long long	start_ns;	/* the process's start (boot-based ns) */
	unsigned int		exec_id;	/* changes at each execve of the process */
	int			fd;		/* the call's socket descriptor, or -1 */
	unsigned long long	regs[PFK_NREGS];
	unsigned char		addr[PFK_ADDR_MAX];	/* the call's sockaddr, if any */
	unsigned int		stack_len;	/* bytes of stack copied from regs[SP] */
	unsigned int		pad1;
	unsigned char		stack[PFK_STACK_MAX];
};

#endif
