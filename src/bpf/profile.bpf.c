// SPDX-License-Identifier: GPL-2.0
/*
 * Stack snapshots for `portscope profile`: at the entry of each socket
 * system call that can give a port a use (bind, listen, connect, accept,
 * accept4, and sendto/sendmsg/sendmmsg with a destination address) made
 * by a task of the profiled cgroup (or a cgroup below it), copy the
 * caller's user registers and the top of its user stack into the ring
 * buffer.  User space unwinds them with DWARF call-frame information and
 * joins them, by thread and time, with the event engine's port events.
 * Calls on other address families (AF_UNIX, netlink) are skipped here.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "profile.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET		2
#define AF_INET6	10
#define S_IFMT		00170000
#define S_IFSOCK	0140000

/* Set by the loader before load. */
const volatile __u64 target_cgroup;	/* cgroup v2 id of the profiled cgroup */
const volatile __u32 target_level;	/* its depth below the root (root: 0) */
const volatile __u32 filt_pid;		/* 0, or: only this process and its
					   descendants (`pids`) */

#define ANCESTORS_MAX	16

/* With filt_pid: the processes known to be filt_pid's descendants (added
 * as they fork, or when found by their ancestry). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, PFK_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

#define VM_EXEC		0x00000004

extern int bpf_iter_task_vma_new(struct bpf_iter_task_vma *it, struct task_struct *task,
    __u64 addr) __ksym;
extern struct vm_area_struct *bpf_iter_task_vma_next(struct bpf_iter_task_vma *it) __ksym;
extern void bpf_iter_task_vma_destroy(struct bpf_iter_task_vma *it) __ksym;

/* The process images whose mappings were sent: tgid -> image. */
struct image {
	__u64	start_ns;
	__u32	exec_id;
	__u32	pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct image);
} imaged SEC(".maps");

/* Snapshots that did not fit in the ring buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, PFK_RINGBUF_BYTES);
} snaps SEC(".maps");

/* The address family of the socket behind descriptor fd of the current
 * task, or 0 when fd is not a socket. */
static __always_inline int
fd_family(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt;
	struct file **fds, *f;
	struct socket *so;
	umode_t mode;

	if (fd < 0)
		return 0;
	fdt = BPF_CORE_READ(t, files, fdt);
	if ((unsigned long)fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0 || f == NULL)
		return 0;
	mode = BPF_CORE_READ(f, f_inode, i_mode);
	if ((mode & S_IFMT) != S_IFSOCK)
		return 0;
	so = BPF_CORE_READ(f, private_data);
	return BPF_CORE_READ(so, sk, __sk_common.skc_family);
}

static __always_inline int
inet(int family)
{
	return family == AF_INET || family == AF_INET6;
}

/* With filt_pid: is task t's process filt_pid or a descendant of it?
 * Forks since the start are in `pids`; older descendants are found by
 * their parents (and remembered). */
static __always_inline int
family(struct task_struct *t)
{
	__u32 tgid = BPF_CORE_READ(t, tgid), p;
	struct task_struct *a = t;
	__u8 one = 1;
	int i;

	if (tgid == filt_pid || bpf_map_lookup_elem(&pids, &tgid))
		return 1;
	for (i = 0; i < ANCESTORS_MAX; i++) {
		a = BPF_CORE_READ(a, real_parent);
		if (a == NULL)
			break;
		p = BPF_CORE_READ(a, tgid);
		if (p == filt_pid) {
			bpf_map_update_elem(&pids, &tgid, &one, BPF_ANY);
			return 1;
		}
		if (p <= 1)
			break;
	}
	return 0;
}

static __always_inline void
count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

/* Where a maps record is put together before it is sent (one per CPU:
 * too large for the BPF stack). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct pfk_maps);
} scratch SEC(".maps");

/* The path of the file at address fp into mapping idx of the scratch
 * record, component by component from the file up (see struct pfk_map),
 * crossing mount points as d_path does.  A function of its own, so that
 * the verifier checks its loop once, not once per mapping. */
__noinline int
map_path(__u64 fp, __u32 idx)
{
	struct file *f = (struct file *)fp;
	struct dentry *d, *parent, *root;
	struct mount *mnt, *mp;
	const unsigned char *name;
	struct pfk_maps *r;
	struct pfk_map *m;
	__u32 zero = 0, off = 0;
	long n;
	int i;

	r = bpf_map_lookup_elem(&scratch, &zero);
	if (r == NULL || f == NULL)
		return 0;
	m = &r->m[idx & (PFK_MAPS_MAX - 1)];
	d = BPF_CORE_READ(f, f_path.dentry);
	mnt = container_of(BPF_CORE_READ(f, f_path.mnt), struct mount, mnt);
	m->ino = BPF_CORE_READ(f, f_inode, i_ino);
	m->depth = 0;
	for (i = 0; i < PFK_DEPTH_MAX; i++) {
		root = BPF_CORE_READ(mnt, mnt.mnt_root);
		if (d == root) {
			mp = BPF_CORE_READ(mnt, mnt_parent);
			if (mp == mnt)
				break;		/* the root of everything */
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = mp;
			continue;
		}
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d)
			break;
		name = BPF_CORE_READ(d, d_name.name);
		n = bpf_probe_read_kernel_str(m->path + (off & (PFK_PATH_BUF - 1)),
		    PFK_NAME_MAX, name);
		if (n <= 0)
			break;
		off += (__u32)n;
		m->depth++;
		if (off >= PFK_PATH_BUF)
			break;
		d = parent;
	}
	m->path_len = off < PFK_PATH_BUF ? off : PFK_PATH_BUF;
	return 0;
}

/* Send where the current process's executable files are mapped, once per
 * process image. */
static __always_inline void
send_maps(struct task_struct *t, __u32 pid, __u64 start_ns, __u32 exec_id)
{
	struct image img = { .start_ns = start_ns, .exec_id = exec_id }, *seen;
	struct bpf_iter_task_vma it;
	struct vm_area_struct *vma;
	struct pfk_maps *r;
	struct pfk_map *m;
	__u32 zero = 0, n = 0, more = 0;
	__u64 fa;

	seen = bpf_map_lookup_elem(&imaged, &pid);
	if (seen && seen->start_ns == start_ns && seen->exec_id == exec_id)
		return;
	r = bpf_map_lookup_elem(&scratch, &zero);
	if (r == NULL)
		return;
	bpf_iter_task_vma_new(&it, t, 0);
	while ((vma = bpf_iter_task_vma_next(&it)) != NULL) {
		if (vma->vm_file == NULL || !(vma->vm_flags & VM_EXEC))
			continue;
		if (n >= PFK_MAPS_MAX) {
			more++;
			continue;
		}
		m = &r->m[n & (PFK_MAPS_MAX - 1)];
		m->start = vma->vm_start;
		m->end = vma->vm_end;
		m->pgoff = vma->vm_pgoff;
		/* as a number: a global function takes no kernel pointer */
		if (bpf_probe_read_kernel(&fa, sizeof(fa), &vma->vm_file) == 0)
			map_path(fa, n);
		n++;
	}
	bpf_iter_task_vma_destroy(&it);
	r->version = PFK_VERSION;
	r->kind = PFK_KIND_MAPS;
	r->n = (__u16)n;
	r->pid = pid;
	r->start_ns = start_ns;
	r->exec_id = exec_id;
	r->more = more;
	if (bpf_ringbuf_output(&snaps, r, sizeof(*r), 0) != 0) {
		count_lost();
		return;
	}
	bpf_map_update_elem(&imaged, &pid, &img, BPF_ANY);
}

struct vma_end_ctx {
	__u64	end;
};

/* bpf_find_vma's callback: where the mapping holding the address ends. */
static long
vma_end(struct task_struct *task, struct vm_area_struct *vma, void *data)
{
	struct vma_end_ctx *c = data;

	(void)task;
	c->end = vma->vm_end;
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(pf_sys_enter, struct pt_regs *regs, long id)
{
	struct task_struct *t;
	const void *uaddr = NULL;
	struct pfk_snap *s;
	struct vma_end_ctx ve;
	__u64 sp, pt, start_ns;
	__u32 first, got, len, alen = 0, exec_id;
	long fd = -1;
	__u16 fam = 0;
	void *msg_name;

	switch (id) {
	case PFK_NR_CONNECT:
	case PFK_NR_BIND:
	case PFK_NR_LISTEN:
	case PFK_NR_ACCEPT:
	case PFK_NR_ACCEPT4:
	case PFK_NR_SENDTO:
	case PFK_NR_SENDMSG:
	case PFK_NR_SENDMMSG:
		break;
	default:
		return 0;
	}
	if (bpf_get_current_ancestor_cgroup_id(target_level) != target_cgroup)
		return 0;
	if (filt_pid && !family(bpf_get_current_task_btf()))
		return 0;
	fd = (long)regs->di;
	switch (id) {
	case PFK_NR_CONNECT:
	case PFK_NR_BIND:
		uaddr = (const void *)regs->si;
		alen = (__u32)regs->dx;
		break;
	case PFK_NR_SENDTO:
		uaddr = (const void *)regs->r8;
		alen = (__u32)regs->r9;
		break;
	case PFK_NR_SENDMSG:
	case PFK_NR_SENDMMSG:
		/* struct msghdr (first of mmsghdr): msg_name, msg_namelen */
		if (bpf_probe_read_user(&msg_name, sizeof(msg_name), (void *)regs->si) != 0 ||
		    bpf_probe_read_user(&alen, sizeof(alen), (void *)(regs->si + 8)) != 0)
			return 0;
		uaddr = msg_name;
		break;
	default:	/* listen, accept: the descriptor tells the family */
		if (!inet(fd_family(fd)))
			return 0;
	}
	if (id != PFK_NR_LISTEN && id != PFK_NR_ACCEPT && id != PFK_NR_ACCEPT4) {
		/* no destination: a send on a connected socket, nothing new */
		if (uaddr == NULL || alen < 2 ||
		    bpf_probe_read_user(&fam, sizeof(fam), uaddr) != 0 || !inet(fam))
			return 0;
	}
	pt = bpf_get_current_pid_tgid();
	t = bpf_get_current_task_btf();
	start_ns = BPF_CORE_READ(t, group_leader, start_time);
	exec_id = BPF_CORE_READ(t, self_exec_id);
	send_maps(t, pt >> 32, start_ns, exec_id);
	s = bpf_ringbuf_reserve(&snaps, sizeof(*s), 0);
	if (s == NULL) {
		count_lost();
		return 0;
	}
	s->version = PFK_VERSION;
	s->kind = PFK_KIND_SNAP;
	s->nr = (__u32)id;
	s->pid = pt >> 32;
	s->tid = (__u32)pt;
	s->ts_ns = bpf_ktime_get_ns();
	s->start_ns = start_ns;
	s->exec_id = exec_id;
	s->fd = (int)fd;
	s->regs[0] = regs->ax;
	s->regs[1] = regs->dx;
	s->regs[2] = regs->cx;
	s->regs[3] = regs->bx;
	s->regs[4] = regs->si;
	s->regs[5] = regs->di;
	s->regs[6] = regs->bp;
	s->regs[7] = regs->sp;
	s->regs[8] = regs->r8;
	s->regs[9] = regs->r9;
	s->regs[10] = regs->r10;
	s->regs[11] = regs->r11;
	s->regs[12] = regs->r12;
	s->regs[13] = regs->r13;
	s->regs[14] = regs->r14;
	s->regs[15] = regs->r15;
	s->regs[16] = regs->ip;
	s->addrlen = 0;
	s->pad1 = 0;
	__builtin_memset(s->addr, 0, sizeof(s->addr));
	if (uaddr) {
		if (alen > PFK_ADDR_MAX)
			alen = PFK_ADDR_MAX;
		if (bpf_probe_read_user(s->addr, sizeof(s->addr), uaddr) == 0)
			s->addrlen = (__u16)alen;
	}
	/* The stack from sp upwards: PFK_STACK_MAX bytes, or up to the end
	 * of the stack's mapping when that comes sooner (a main thread near
	 * the top of its stack) -- one read of the right size: a read that
	 * runs past the end fails and costs a clearing of the whole buffer.
	 * Should the mapping not be found, the reads go a page at a time. */
	sp = regs->sp;
	got = 0;
	ve.end = 0;
	len = PFK_STACK_MAX;
	if (bpf_find_vma(t, sp, vma_end, &ve, 0) == 0 && ve.end > sp &&
	    ve.end - sp < PFK_STACK_MAX)
		len = (__u32)(ve.end - sp);
	if (len > 0 && len <= PFK_STACK_MAX &&
	    bpf_probe_read_user(s->stack, len, (void *)sp) == 0)
		got = len;
	else {
		first = 4096 - (__u32)(sp & 4095);
		if (first > 0 && first <= 4096 &&
		    bpf_probe_read_user(s->stack, first, (void *)sp) == 0) {
			got = first;
			if (bpf_probe_read_user(s->stack + first, 4096,
			    (void *)(sp + first)) == 0)
				got += 4096;
		}
	}
	s->stack_len = got;
	/* No wake-up for each snapshot: the reader comes for the event
	 * engine's events (and every tick) and takes the snapshots then;
	 * only a filling ring calls it. */
	bpf_ringbuf_submit(s, bpf_ringbuf_query(&snaps, BPF_RB_AVAIL_DATA) >
	    PFK_RINGBUF_BYTES / 4 ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
	return 0;
}

/* With filt_pid, a profiled process's children are profiled too. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(pf_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid = parent->tgid, cpid = child->tgid;
	__u8 one = 1;

	if (ppid != cpid && (ppid == filt_pid || bpf_map_lookup_elem(&pids, &ppid)))
		bpf_map_update_elem(&pids, &cpid, &one, BPF_ANY);
	return 0;
}
