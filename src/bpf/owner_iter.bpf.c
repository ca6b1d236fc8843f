// SPDX-License-Identifier: GPL-2.0
/*
 * Socket owners from the kernel's task_file iterator: for every open file
 * of every process (threads sharing a file table are visited once), emit
 * (inode, pid, fd) when the file is a socket.  Optional filters: one
 * process, and a set of wanted inodes.  Pids are translated into the PID
 * namespace of the reader, and processes it cannot see are skipped, so the
 * answer matches what /proc shows the reader.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>

#include "owner_iter.h"

#define S_IFMT		00170000
#define S_IFSOCK	0140000

char LICENSE[] SEC("license") = "GPL";

/* Set by the loader before each iteration (they live in .bss, which stays
 * writable after load). */
__u64 pidns_ino;	/* inode of the reader's PID namespace */
__u32 only_pid;		/* 0: every process; else this pid (reader's namespace) */
__u32 use_want;		/* 1: emit only inodes present in `want` */

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, OWNER_ITER_MAX_WANT);
	__type(key, __u64);
	__type(value, __u8);
} want SEC(".maps");

/* The last task looked at (address and kernel pid, so that a task freed
 * and another allocated in its place never match) and its pid as the
 * reader sees it, and its start time: the iterator visits all files of one
 * process in a row, so these are worked out once per process.  The loader clears these
 * before each iteration. */
__u64 last_task;
__s32 last_kpid;
__u32 last_pid;
__u64 last_start;

/* The process id of task as the reader sees it, or 0 when invisible. */
static __always_inline __u32
visible_pid(struct task_struct *task)
{
	struct pid *p = BPF_CORE_READ(task, group_leader, thread_pid);
	unsigned int level = BPF_CORE_READ(p, level);
	struct upid up;
	__u32 i;

	for (i = 0; i < OWNER_ITER_MAX_LEVEL; i++) {
		if (i > level)
			break;
		if (bpf_probe_read_kernel(&up, sizeof(up), &p->numbers[i]) != 0)
			return 0;
		if (BPF_CORE_READ(up.ns, ns.inum) == pidns_ino)
			return (__u32)up.nr;
	}
	return 0;
}

SEC("iter/task_file")
int socket_owners(struct bpf_iter__task_file *ctx)
{
	struct seq_file *seq = ctx->meta->seq;
	struct task_struct *task = ctx->task;
	struct file *file = ctx->file;
	struct inode *inode;
	struct owner_rec rec;
	__u64 ino;
	__u32 pid;

	if (task == NULL || file == NULL)
		return 0;
	/* BTF-typed loads: no helper call per file */
	inode = file->f_inode;
	if (inode == NULL || (inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	ino = inode->i_ino;
	if (use_want && bpf_map_lookup_elem(&want, &ino) == NULL)
		return 0;
	if ((__u64)task != last_task || task->pid != last_kpid) {
		last_task = (__u64)task;
		last_kpid = task->pid;
		last_pid = visible_pid(task);
		last_start = BPF_CORE_READ(task, group_leader, start_boottime);
	}
	if ((pid = last_pid) == 0)
		return 0;
	if (only_pid && pid != only_pid)
		return 0;
	rec.ino = ino;
	rec.pid = pid;
	rec.fd = (int)ctx->fd;
	rec.start_ns = last_start;
	bpf_seq_write(seq, &rec, sizeof(rec));
	return 0;
}
