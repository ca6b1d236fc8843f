// SPDX-License-Identifier: GPL-2.0
/*
 * Port events as they happen, with the process they belong to.
 *
 * Process context (the task is the one using the socket); each hook stamps
 * that task into the socket's local storage:
 *   cgroup/post_bind4/6  an explicit bind
 *   cgroup/connect4/6    note the connect; its result comes at sys_exit
 *   cgroup/sendmsg4/6    unconnected UDP: a new destination is a flow
 *   cgroup/sock_release  UDP close
 *   tp_btf/sys_exit      connect, listen (the port the kernel picked) and
 *                        accept (the acceptor takes the connection)
 * Any context (softirq: the current task is a bystander):
 *   tp_btf/inet_sock_set_state  TCP state changes and close; the owner is
 *                        read from the socket's storage, never from current
 *
 * A socket is stamped when it is first used (bind, connect, sendmsg,
 * listen), not when it is created: a cgroup/sock_create hook would cost
 * about a microsecond for every socket of the system, and every socket
 * that gets a port passes one of those first.  Its lifetime counts from
 * that first use.
 *
 * The storage is created with BPF_F_CLONE, so a connection a listener
 * receives starts with its listener's owner; accept() then credits the
 * acceptor (kept by socket cookie: the sys_exit program has no socket
 * pointer the storage helpers take).
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "events.h"

char LICENSE[] SEC("license") = "GPL";

#define AF_INET		2
#define AF_INET6	10
#define IPPROTO_TCP	6
#define IPPROTO_UDP	17
#define SOCK_STREAM	1
#define SOCK_DGRAM	2
#define S_IFMT		00170000
#define S_IFSOCK	0140000
#define EINPROGRESS	115

#define NR_CONNECT	42
#define NR_ACCEPT	43
#define NR_LISTEN	50
#define NR_ACCEPT4	288

/* storage flags */
#define SF_IMPL_PENDING	0x01	/* the kernel is picking a port; sys_exit reports it */
#define SF_CLOSED	0x02	/* EV_CLOSE sent for the current connection */
#define SF_SEEN		0x04	/* some event was sent about this socket */
#define SF_PASSIVE	0x08	/* came from a listener */
#define SF_NO_START	0x10	/* created before we loaded */
#define SF_ACCEPTED	0x20	/* owner is the acceptor (taken from `acceptors`) */
#define SF_FIN_SENT	0x40	/* TCP: our FIN is in the sequence space */

/* When the reader was last woken (any CPU; a race costs one wakeup). */
__u64 last_wakeup_ns;

/* Filters, set by the loader before load. */
const volatile __u16 filt_port;		/* 0: any; else local or remote port */
const volatile __u8 filt_pid;		/* 1: only pids in `pids` */
const volatile __u8 filt_protos;	/* bit 0 TCP, bit 1 UDP; 0: both */
const volatile __u8 filt_families;	/* bit 0 IPv4, bit 1 IPv6; 0: both */
const volatile __u16 filt_types;	/* bit 1 << EVK_*: the events wanted; 0: all */
const volatile __u32 filt_netns;	/* 0: any; else this namespace inode */
const volatile __u64 filt_netns_cookie;	/* the same namespace's cookie: hooks leave early */

struct owner {
	__u32	pid;
	__u32	tid;
	__u32	uid;
	__u32	pad;
	__u64	cgroup_id;
	__u64	stamp_ns;		/* when this owner was recorded */
	char	comm[EVK_COMM_LEN];
};

struct sk_info {
	struct owner	owner;
	__u64		created_ns;
	__u16		bound_port;	/* the local port last reported */
	__u16		flags;		/* SF_* */
	/* UDP: the socket's first destination, kept here so that the common
	 * case (one destination per socket) needs no hash map */
	__u16		flow_dport;	/* host order */
	__u16		flow_family;	/* 0: no datagram yet */
	__u8		flow_daddr[16];
	__u64		flow_count;
};

struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC | BPF_F_CLONE);
	__type(key, int);
	__type(value, struct sk_info);
} sk_infos SEC(".maps");

/* Acceptors, by socket cookie: newer than the storage's owner when the
 * stamp says so. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct owner);
} acceptors SEC(".maps");

/* What a thread's connect() or listen() is doing, for its sys_exit. */
enum { OP_CONNECT = 1, OP_LISTEN };
struct pending {
	__u64	sk;		/* struct sock address */
	__u8	op;
	__u8	had_port;	/* a local port before the call */
	__u16	dport;		/* host order: the destination asked for */
	__u32	pad;
	__u8	daddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct pending);
} pendings SEC(".maps");

struct flow_key {
	__u64	cookie;
	__u8	daddr[16];
	__u16	dport;
	__u16	family;
	__u32	pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, EVK_MAX_FLOWS);
	__type(key, struct flow_key);
	__type(value, __u64);
} flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, EVK_MAX_PIDS);
	__type(key, __u32);
	__type(value, __u8);
} pids SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, EVK_RINGBUF_BYTES);
} events SEC(".maps");

/* Events that did not fit in the ring buffer. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

/* ---- helpers ---- */

static __always_inline void
owner_current(struct owner *o)
{
	__u64 pt = bpf_get_current_pid_tgid();

	o->pid = pt >> 32;
	o->tid = (__u32)pt;
	o->uid = (__u32)bpf_get_current_uid_gid();
	o->cgroup_id = bpf_get_current_cgroup_id();
	o->stamp_ns = bpf_ktime_get_ns();
	bpf_get_current_comm(o->comm, sizeof(o->comm));
}

/* The address p holds, as a plain number: a context or socket pointer of
 * a cgroup hook may not take part in address arithmetic, but its value
 * may be read through (bpf_probe_read_kernel) like any kernel address. */
static __always_inline __u64
addr_of(const void *p)
{
	const void *spill = p;
	__u64 v = 0;

	bpf_probe_read_kernel(&v, sizeof(v), &spill);
	return v;
}

/* The socket's endpoints, state, protocol and namespace (any context):
 * plain loads from the BTF-typed socket, no helper call per field; tp, when
 * known, gives the port of a closing TCP socket. */
static __always_inline void
read_sock_btf(struct evk_event *e, struct sock *sk, struct tcp_sock *tp)
{
	struct sock_common *c = &sk->__sk_common;

	e->family = c->skc_family;
	e->proto = sk->sk_protocol;
	e->state = c->skc_state;
	e->lport = c->skc_num;
	if (e->lport == 0 && tp)	/* a closing TCP socket has given its port back */
		e->lport = bpf_ntohs(tp->inet_conn.icsk_inet.inet_sport);
	e->rport = bpf_ntohs(c->skc_dport);
	e->netns = c->skc_net.net->ns.inum;
	e->cookie = c->skc_cookie.counter;
	if (e->family == AF_INET6) {
		__builtin_memcpy(e->laddr, &c->skc_v6_rcv_saddr, 16);
		__builtin_memcpy(e->raddr, &c->skc_v6_daddr, 16);
	} else {
		*(__u32 *)e->laddr = c->skc_rcv_saddr;
		*(__u32 *)e->raddr = c->skc_daddr;
	}
}

/* The same from the address of a struct sock (a cgroup hook's context, or
 * a socket found through a descriptor table): typed as the kernel's BTF
 * says, read with fault-safe loads. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym;

static __always_inline void
read_sock(struct evk_event *e, __u64 skp)
{
	struct sock *sk = bpf_rdonly_cast((void *)skp, bpf_core_type_id_kernel(struct sock));
	struct inet_sock *inet;

	read_sock_btf(e, sk, NULL);
	if (e->lport == 0) {	/* a closing TCP socket has given its port back */
		inet = bpf_rdonly_cast((void *)skp, bpf_core_type_id_kernel(struct inet_sock));
		e->lport = bpf_ntohs(inet->inet_sport);
	}
}

/* Is an event of this type wanted?  A program whose events are all
 * unwanted leaves before any other work. */
#define WANTS(type)	(filt_types == 0 || (filt_types & (1u << (type))))

/* Does the event pass the kernel-side filters?  (Owner already set.)  A
 * socket that passed the port filter once (known) keeps passing it: its
 * close says it is gone whatever ports it shows then. */
static __always_inline int
wanted(const struct evk_event *e, int known)
{
	if (!WANTS(e->type))
		return 0;
	if (filt_port && !known && e->lport != filt_port && e->rport != filt_port)
		return 0;
	if (filt_protos && !(filt_protos & (e->proto == IPPROTO_TCP ? 1 : 2)))
		return 0;
	if (filt_families && !(filt_families & (e->family == AF_INET6 ? 2 : 1)))
		return 0;
	if (filt_netns && e->netns != filt_netns)
		return 0;
	if (filt_pid && bpf_map_lookup_elem(&pids, &e->pid) == NULL)
		return 0;
	return 1;
}

/* A pid filter is set and pid is not in it: the programs leave before
 * doing anything else for such a process's sockets. */
static __always_inline int
pid_unwanted(__u32 pid)
{
	return filt_pid && bpf_map_lookup_elem(&pids, &pid) == NULL;
}

static __always_inline int
current_unwanted(void)
{
	return filt_pid && pid_unwanted(bpf_get_current_pid_tgid() >> 32);
}

static __always_inline void
count_lost(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&lost, &zero);

	if (n)
		*n += 1;
}

/* Copy e into the ring buffer if it passes the filters; a full buffer is
 * counted.  Returns 1 when the event was wanted. */
static __always_inline int
send_known(struct evk_event *e, int known)
{
	struct evk_event *r;

	if (!wanted(e, known))
		return 0;
	e->version = EVK_VERSION;
	if (e->ts_ns == 0)
		e->ts_ns = bpf_ktime_get_ns();
	r = bpf_ringbuf_reserve(&events, sizeof(*r), 0);
	if (r == NULL) {
		count_lost();
		return 1;
	}
	__builtin_memcpy(r, e, sizeof(*r));
	/* Wake the reader for the first event after a quiet spell and when
	 * much is waiting; in between it looks every EVK_READ_GAP_MS by
	 * itself.  A wakeup per event would cost a context switch each. */
	if (e->ts_ns - last_wakeup_ns > EVK_WAKE_GAP_NS ||
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) > EVK_WAKE_BYTES) {
		last_wakeup_ns = e->ts_ns;
		bpf_ringbuf_submit(r, BPF_RB_FORCE_WAKEUP);
	} else
		bpf_ringbuf_submit(r, BPF_RB_NO_WAKEUP);
	return 1;
}

static __always_inline int
send(struct evk_event *e)
{
	return send_known(e, 0);
}

static __always_inline void
set_owner(struct evk_event *e, const struct owner *o)
{
	e->pid = o->pid;
	e->tid = o->tid;
	e->uid = o->uid;
	e->cgroup_id = o->cgroup_id;
	__builtin_memcpy(e->comm, o->comm, EVK_COMM_LEN);
	if (o->pid == 0)
		e->flags |= EVKF_NO_OWNER;
}

/* A zeroed event on the stack: the verifier wants every byte written. */
#define EVENT(e)	struct evk_event e; __builtin_memset(&e, 0, sizeof(e))

static __always_inline int
inet_tcp_udp(__u16 family, __u16 proto)
{
	return (family == AF_INET || family == AF_INET6) &&
	    (proto == IPPROTO_TCP || proto == IPPROTO_UDP);
}

/* Two 16-byte addresses, 8-byte aligned, are equal. */
static __always_inline int
same_addr(const __u8 *a, const __u8 *b)
{
	const __u64 *x = (const __u64 *)a, *y = (const __u64 *)b;

	return x[0] == y[0] && x[1] == y[1];
}

/* ---- process context: cgroup socket hooks ---- */

/* The socket's storage, created if new, stamped with the current task as
 * its owner (its first use starts its lifetime); NULL if it cannot be. */
static __always_inline struct sk_info *
stamp(struct bpf_sock *sk)
{
	struct sk_info *si = bpf_sk_storage_get(&sk_infos, sk, NULL,
	    BPF_SK_STORAGE_GET_F_CREATE);

	if (si) {
		owner_current(&si->owner);
		if (si->created_ns == 0)
			si->created_ns = si->owner.stamp_ns;
	}
	return si;
}

/* A socket of another network namespace, when only ours is watched. */
#define OTHER_NETNS(ctx) \
	(filt_netns_cookie && bpf_get_netns_cookie(ctx) != filt_netns_cookie)

static __always_inline int
post_bind(struct bpf_sock *ctx)
{
	struct sk_info *si;
	EVENT(e);

	if (!inet_tcp_udp(ctx->family, ctx->protocol) || OTHER_NETNS(ctx) ||
	    current_unwanted())
		return 1;
	if ((si = stamp(ctx)) == NULL)
		return 1;
	si->bound_port = ctx->src_port;
	e.type = EVK_BIND;
	set_owner(&e, &si->owner);
	read_sock(&e, addr_of(ctx));
	e.cookie = bpf_get_socket_cookie(ctx);
	if (send(&e))
		si->flags |= SF_SEEN;
	return 1;
}

SEC("cgroup/post_bind4")
int ev_post_bind4(struct bpf_sock *ctx)
{
	return post_bind(ctx);
}

SEC("cgroup/post_bind6")
int ev_post_bind6(struct bpf_sock *ctx)
{
	return post_bind(ctx);
}

static __always_inline int
connect_hook(struct bpf_sock_addr *ctx, int v6)
{
	struct bpf_sock *sk = ctx->sk;
	struct pending p = {};
	struct sk_info *si;
	__u32 tid;

	if (sk == NULL || !inet_tcp_udp(sk->family, sk->protocol) || OTHER_NETNS(ctx) ||
	    !(WANTS(EVK_CONNECT) || WANTS(EVK_BIND) || WANTS(EVK_STATE) || WANTS(EVK_CLOSE)) ||
	    current_unwanted())
		return 1;
	p.had_port = sk->src_port != 0;
	if (sk->protocol == IPPROTO_TCP && !WANTS(EVK_STATE) && !WANTS(EVK_CLOSE)) {
		/* nothing later reads the storage of this socket: connect's
		 * own events come from sys_exit */
		tid = (__u32)bpf_get_current_pid_tgid();
	} else {
		if ((si = stamp(sk)) == NULL)
			return 1;
		si->flags &= ~SF_CLOSED;
		if (!p.had_port)
			si->flags |= SF_IMPL_PENDING;
		tid = si->owner.tid;
	}
	bpf_get_socket_cookie(ctx);	/* fixed now: sys_exit reads it */
	p.sk = addr_of(sk);
	p.op = OP_CONNECT;
	p.dport = bpf_ntohs((__u16)ctx->user_port);
	if (v6) {
		__u32 *d = (__u32 *)p.daddr;

		d[0] = ctx->user_ip6[0];
		d[1] = ctx->user_ip6[1];
		d[2] = ctx->user_ip6[2];
		d[3] = ctx->user_ip6[3];
	} else
		*(__u32 *)p.daddr = ctx->user_ip4;
	bpf_map_update_elem(&pendings, &tid, &p, BPF_ANY);
	return 1;
}

SEC("cgroup/connect4")
int ev_connect4(struct bpf_sock_addr *ctx)
{
	return connect_hook(ctx, 0);
}

SEC("cgroup/connect6")
int ev_connect6(struct bpf_sock_addr *ctx)
{
	return connect_hook(ctx, 1);
}

/* An unconnected UDP datagram (the port is bound by now: inet_sendmsg
 * binds before udp_sendmsg runs this hook). */
static __always_inline int
sendmsg_hook(struct bpf_sock_addr *ctx, int v6)
{
	struct bpf_sock *sk = ctx->sk;
	struct flow_key k = {};
	struct sk_info *si;
	__u64 one = 1, *n;
	EVENT(e);

	if (sk == NULL || sk->protocol != IPPROTO_UDP || OTHER_NETNS(ctx) ||
	    current_unwanted())
		return 1;
	if ((si = stamp(sk)) == NULL)
		return 1;
	set_owner(&e, &si->owner);
	read_sock(&e, addr_of(sk));
	e.cookie = bpf_get_socket_cookie(ctx);
	if (e.lport != 0 && e.lport != si->bound_port) {
		if (!(si->flags & SF_IMPL_PENDING)) {
			e.type = EVK_BIND;
			e.flags |= EVKF_IMPLICIT;
			if (send(&e))
				si->flags |= SF_SEEN;
			e.flags &= ~EVKF_IMPLICIT;
		}
		si->flags &= ~SF_IMPL_PENDING;
		si->bound_port = e.lport;
	}
	k.cookie = e.cookie;
	k.dport = bpf_ntohs((__u16)ctx->user_port);
	k.family = v6 ? AF_INET6 : AF_INET;
	if (v6) {
		__u32 *d = (__u32 *)k.daddr;

		d[0] = ctx->user_ip6[0];
		d[1] = ctx->user_ip6[1];
		d[2] = ctx->user_ip6[2];
		d[3] = ctx->user_ip6[3];
	} else
		*(__u32 *)k.daddr = ctx->user_ip4;
	if (si->flow_family == 0) {
		/* the socket's first destination: kept in its storage */
		si->flow_family = k.family;
		si->flow_dport = k.dport;
		__builtin_memcpy(si->flow_daddr, k.daddr, 16);
		si->flow_count = 1;
	} else if (si->flow_family == k.family && si->flow_dport == k.dport &&
	    same_addr(si->flow_daddr, k.daddr)) {
		si->flow_count++;
		return 1;
	} else {
		/* another destination: the shared map */
		n = bpf_map_lookup_elem(&flows, &k);
		if (n) {
			__sync_fetch_and_add(n, 1);
			return 1;
		}
		bpf_map_update_elem(&flows, &k, &one, BPF_NOEXIST);
	}
	e.type = EVK_UDP_FLOW;
	e.count = 1;
	e.rport = k.dport;
	__builtin_memcpy(e.raddr, k.daddr, 16);
	if (send(&e))
		si->flags |= SF_SEEN;
	return 1;
}

SEC("cgroup/sendmsg4")
int ev_sendmsg4(struct bpf_sock_addr *ctx)
{
	return sendmsg_hook(ctx, 0);
}

SEC("cgroup/sendmsg6")
int ev_sendmsg6(struct bpf_sock_addr *ctx)
{
	return sendmsg_hook(ctx, 1);
}

/* The last descriptor is closed.  TCP's end is its state change to CLOSE
 * (after the FIN exchange, with final byte counts); UDP ends here. */
SEC("cgroup/sock_release")
int ev_sock_release(struct bpf_sock *ctx)
{
	struct sk_info *si;
	struct owner o;
	EVENT(e);

	if (!WANTS(EVK_CLOSE) || ctx->protocol != IPPROTO_UDP ||
	    !inet_tcp_udp(ctx->family, ctx->protocol) || OTHER_NETNS(ctx) || current_unwanted())
		return 1;
	si = bpf_sk_storage_get(&sk_infos, ctx, NULL, 0);
	read_sock(&e, addr_of(ctx));
	if (e.lport == 0 && (si == NULL || !(si->flags & SF_SEEN)))
		return 1;	/* never had a port: nothing was reported */
	owner_current(&o);
	e.type = EVK_CLOSE;
	e.old_state = e.state;
	e.state = TCP_CLOSE;
	set_owner(&e, &o);
	e.cookie = bpf_get_socket_cookie(ctx);
	e.ts_ns = o.stamp_ns;
	if (si && si->created_ns) {
		e.lifetime_ns = e.ts_ns - si->created_ns;
		if (si->flags & SF_NO_START)
			e.flags |= EVKF_NO_START;
	} else
		e.flags |= EVKF_NO_START;
	send_known(&e, si && (si->flags & SF_SEEN));
	return 1;
}

/* ---- any context: TCP state changes ---- */

/* The owner to credit: the acceptor when it took the socket after the
 * storage was last stamped, else the storage's.  The acceptor, once found,
 * moves into the storage, so the map is looked up until then only. */
static __always_inline const struct owner *
owner_of(struct sk_info *si, __u64 cookie)
{
	const struct owner *a;

	if ((si->flags & (SF_PASSIVE | SF_ACCEPTED)) != SF_PASSIVE)
		return &si->owner;	/* only accepted sockets have acceptors */
	a = bpf_map_lookup_elem(&acceptors, &cookie);
	if (a && a->stamp_ns >= si->owner.stamp_ns) {
		si->owner = *a;
		si->flags |= SF_ACCEPTED;
		bpf_map_delete_elem(&acceptors, &cookie);
	}
	return &si->owner;
}

/* The application's bytes, at close: the payload sent (first
 * transmissions; a retransmission is counted once) and received.  The
 * kernel's bytes_acked and bytes_received count sequence space, in which
 * a SYN and a FIN take one byte each: bytes_acked counts our SYN on an
 * active open and our FIN once acknowledged, bytes_received the peer's
 * FIN (tcp_fin() sets SOCK_DONE when it takes it; the peer's SYN is
 * never counted).  bytes_sent - bytes_retrans counts payload only. */
static __always_inline void
app_bytes(struct evk_event *e, struct sock *sk, struct tcp_sock *tp)
{
	__u64 sent = tp->bytes_sent, retrans = tp->bytes_retrans;
	__u64 recv = tp->bytes_received;

	e->bytes_sent = sent > retrans ? sent - retrans : 0;
	if (recv > 0 && (sk->__sk_common.skc_flags & (1UL << SOCK_DONE)))
		recv--;
	e->bytes_received = recv;
}

SEC("tp_btf/inet_sock_set_state")
int BPF_PROG(ev_set_state, struct sock *sk, int oldstate, int newstate)
{
	const struct owner *o;
	struct tcp_sock *tp;
	struct sk_info *si;
	struct pending p = {};
	__u64 cookie, now;
	__u32 tid;

	if (sk->sk_protocol != IPPROTO_TCP || (filt_netns_cookie &&
	    sk->__sk_common.skc_net.net->net_cookie != filt_netns_cookie))
		return 0;
	if (oldstate == TCP_CLOSE && newstate == TCP_SYN_SENT)
		return 0;	/* connect's sys_exit reports it */
	if (newstate != TCP_CLOSE && newstate == oldstate)
		return 0;	/* set again (tcp_close in FIN_WAIT1): no change */
	if (newstate == TCP_LISTEN ? !WANTS(EVK_LISTEN) && !WANTS(EVK_BIND) :
	    newstate == TCP_CLOSE ? !WANTS(EVK_CLOSE) :
	    oldstate == TCP_LISTEN ? !WANTS(EVK_STATE) && !WANTS(EVK_CLOSE) :
	    !WANTS(EVK_STATE))
		return 0;	/* nothing that follows is wanted */
	si = bpf_sk_storage_get(&sk_infos, sk, NULL, BPF_SK_STORAGE_GET_F_CREATE);
	if (si == NULL)
		return 0;
	now = bpf_ktime_get_ns();
	if (si->created_ns == 0) {	/* a socket from before we loaded */
		si->created_ns = now;
		si->flags |= SF_NO_START;
	}
	if (oldstate == TCP_LISTEN && newstate == TCP_SYN_RECV) {
		/* a connection cloned from its listener: its own birth */
		si->created_ns = now;
		si->flags = SF_PASSIVE;
		si->bound_port = sk->__sk_common.skc_num;
		return 0;
	}
	cookie = bpf_get_socket_cookie(sk);
	if (newstate == TCP_LISTEN) {
		/* listen(): process context, the caller is the owner; a
		 * first use like bind or connect */
		if (current_unwanted())
			return 0;
		owner_current(&si->owner);
		si->flags &= ~(SF_CLOSED | SF_NO_START);
	}
	o = owner_of(si, cookie);
	if (newstate == TCP_CLOSE) {
		if (si->flags & SF_CLOSED)
			return 0;
		si->flags |= SF_CLOSED;
		if ((si->flags & (SF_PASSIVE | SF_ACCEPTED)) == SF_PASSIVE)
			bpf_map_delete_elem(&acceptors, &cookie);
	}
	if (pid_unwanted(o->pid))
		return 0;	/* before reading the socket: a pid filter's common case */

	EVENT(e);
	e.ts_ns = now;
	e.old_state = oldstate;
	tp = bpf_skc_to_tcp_sock(sk);
	read_sock_btf(&e, sk, tp);
	e.cookie = cookie;
	e.state = newstate;
	if (si->flags & SF_PASSIVE)
		e.flags |= EVKF_PASSIVE;
	set_owner(&e, o);
	if (newstate == TCP_LISTEN) {
		if (e.lport == 0) {
			/* the port is picked after this: report at sys_exit */
			si->flags |= SF_IMPL_PENDING;
			p.sk = (__u64)sk;
			p.op = OP_LISTEN;
			tid = si->owner.tid;
			bpf_map_update_elem(&pendings, &tid, &p, BPF_ANY);
			return 0;
		}
		si->bound_port = e.lport;
		e.type = EVK_LISTEN;
		if (send(&e))
			si->flags |= SF_SEEN;
		return 0;
	}
	if (newstate != TCP_CLOSE) {
		e.type = EVK_STATE;
		if (send_known(&e, si->flags & SF_SEEN))
			si->flags |= SF_SEEN;
		return 0;
	}
	if (oldstate == TCP_CLOSE && e.lport == 0 && si->bound_port == 0 &&
	    !(si->flags & SF_SEEN))
		return 0;	/* never had a port */
	e.type = EVK_CLOSE;
	e.lifetime_ns = now - si->created_ns;
	if (si->flags & SF_NO_START)
		e.flags |= EVKF_NO_START;
	if (tp)
		app_bytes(&e, sk, tp);
	send_known(&e, si->flags & SF_SEEN);
	return 0;
}

/* ---- process context: results of connect, listen, accept ---- */

/* The struct sock behind descriptor fd of the current task, or 0. */
static __always_inline __u64
fd_sock(long fd)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct fdtable *fdt = t->files->fdt;
	struct file **fds, *f;
	struct socket *so;

	if (fd < 0 || (unsigned long)fd >= fdt->max_fds)
		return 0;
	fds = fdt->fd;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) != 0 || f == NULL)
		return 0;
	f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	if ((f->f_inode->i_mode & S_IFMT) != S_IFSOCK)
		return 0;
	so = bpf_rdonly_cast(f->private_data, bpf_core_type_id_kernel(struct socket));
	return (__u64)so->sk;
}

static __always_inline void
connect_done(struct pt_regs *regs, long ret, __u32 tid)
{
	struct pending *p = bpf_map_lookup_elem(&pendings, &tid);
	struct owner o;
	__u64 skp;
	EVENT(e);

	if (p == NULL)
		return;
	skp = p->sk;
	if (p->op != OP_CONNECT || fd_sock(PT_REGS_PARM1_CORE_SYSCALL(regs)) != skp) {
		bpf_map_delete_elem(&pendings, &tid);
		return;
	}
	owner_current(&o);
	set_owner(&e, &o);
	e.ts_ns = o.stamp_ns;
	read_sock(&e, skp);
	if (!inet_tcp_udp(e.family, e.proto))
		goto out;
	if (!p->had_port && e.lport != 0) {
		e.type = EVK_BIND;
		e.flags = EVKF_IMPLICIT;
		send(&e);
		e.flags = 0;
	}
	if (e.rport == 0) {	/* failed before the socket took the address */
		e.rport = p->dport;
		__builtin_memcpy(e.raddr, p->daddr, 16);
	}
	e.error = ret < 0 ? -ret : 0;
	e.type = EVK_CONNECT;
	send(&e);
out:
	bpf_map_delete_elem(&pendings, &tid);
}

static __always_inline void
listen_done(long ret, __u32 tid)
{
	struct pending *p = bpf_map_lookup_elem(&pendings, &tid);
	struct owner o;
	EVENT(e);

	if (p == NULL)
		return;
	if (p->op == OP_LISTEN && ret == 0) {
		owner_current(&o);
		set_owner(&e, &o);
		e.ts_ns = o.stamp_ns;
		read_sock(&e, p->sk);
		e.type = EVK_BIND;
		e.flags = EVKF_IMPLICIT;
		send(&e);
		e.flags = 0;
		e.type = EVK_LISTEN;
		send(&e);
	}
	bpf_map_delete_elem(&pendings, &tid);
}

static __always_inline void
accept_done(long ret)
{
	struct owner o;
	__u64 skp;
	EVENT(e);

	if (ret < 0 || current_unwanted() || (skp = fd_sock(ret)) == 0)
		return;
	owner_current(&o);
	read_sock(&e, skp);
	if (e.proto != IPPROTO_TCP || (e.family != AF_INET && e.family != AF_INET6))
		return;
	if (e.cookie && (WANTS(EVK_STATE) || WANTS(EVK_CLOSE)))	/* their owner */
		bpf_map_update_elem(&acceptors, &e.cookie, &o, BPF_ANY);
	set_owner(&e, &o);
	e.ts_ns = o.stamp_ns;
	e.type = EVK_ACCEPT;
	e.flags |= EVKF_PASSIVE;
	send(&e);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(ev_sys_exit, struct pt_regs *regs, long ret)
{
	long nr = regs->orig_ax;

	switch (nr) {
	case NR_CONNECT:
		connect_done(regs, ret, (__u32)bpf_get_current_pid_tgid());
		break;
	case NR_LISTEN:
		listen_done(ret, (__u32)bpf_get_current_pid_tgid());
		break;
	case NR_ACCEPT:
	case NR_ACCEPT4:
		accept_done(ret);
		break;
	}
	return 0;
}

/* ---- a pid filter follows the process's descendants ---- */

SEC("tp_btf/sched_process_fork")
int BPF_PROG(ev_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ppid = parent->tgid, cpid = child->tgid;
	__u8 one = 1;

	if (ppid != cpid && bpf_map_lookup_elem(&pids, &ppid))
		bpf_map_update_elem(&pids, &cpid, &one, BPF_ANY);
	return 0;
}
