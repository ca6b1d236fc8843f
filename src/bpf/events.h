/*
 * Shared by events.bpf.c and its loader (events/ev_bpf.c): the record the
 * kernel programs write into the ring buffer, one per port event.  The
 * layout is versioned: a loader that finds another version refuses the
 * records instead of misreading them.  Numbers are the user-space
 * enum ev_type and EVF_* values of events/events.h (the loader checks).
 */
#ifndef BPF_EVENTS_H
#define BPF_EVENTS_H

#define EVK_VERSION		1

/* enum ev_type */
#define EVK_BIND		2
#define EVK_LISTEN		3
#define EVK_CONNECT		4
#define EVK_ACCEPT		5
#define EVK_STATE		6
#define EVK_CLOSE		7
#define EVK_UDP_FLOW		8

/* EVF_* */
#define EVKF_IMPLICIT		0x01
#define EVKF_PASSIVE		0x04
#define EVKF_NO_OWNER		0x08
#define EVKF_NO_START		0x10	/* lifetime from first sight: created before the programs loaded */

#define EVK_COMM_LEN		16
#define EVK_RINGBUF_BYTES	(8u << 20)
#define EVK_WAKE_GAP_NS		5000000ULL	/* wake the reader at least this often */
#define EVK_WAKE_BYTES		(256u << 10)	/* or when this much is waiting */
#define EVK_READ_GAP_MS		5		/* the reader looks this often while busy */
#define EVK_MAX_FLOWS		65536	/* UDP (socket, destination) pairs remembered */
#define EVK_MAX_PIDS		8192	/* processes in a pid filter (with descendants) */

struct evk_event {
	unsigned char		version;	/* EVK_VERSION */
	unsigned char		type;		/* EVK_* */
	unsigned char		proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	unsigned char		family;		/* AF_INET, AF_INET6 */
	unsigned char		state;
	unsigned char		old_state;
	unsigned short		flags;		/* EVKF_* */
	unsigned int		pid;		/* tgid, init PID namespace; 0: unknown */
	unsigned int		tid;
	unsigned int		uid;
	unsigned int		netns;		/* network namespace inode */
	int			error;		/* EVK_CONNECT: errno connect() returned, or 0 */
	unsigned short		lport;		/* host order */
	unsigned short		rport;
	unsigned long long	ts_ns;		/* CLOCK_MONOTONIC (bpf_ktime_get_ns) */
	unsigned long long	cgroup_id;
	unsigned long long	cookie;
	unsigned long long	lifetime_ns;
	unsigned long long	bytes_sent;
	unsigned long long	bytes_received;
	unsigned long long	count;
	unsigned char		laddr[16];	/* network order; 4 bytes for IPv4 */
	unsigned char		raddr[16];
	char			comm[EVK_COMM_LEN];
};

#endif
