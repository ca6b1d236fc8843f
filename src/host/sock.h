/*
 * One socket as the snapshot engine sees it: a flat, fixed-size row that
 * every view (local, watch, record, top) reads.  Addresses are kept in
 * network byte order, 4 bytes used for IPv4; ports in host order.  A raw
 * socket's local "port" is its IP protocol number, as ss shows it.
 */
#ifndef HOST_SOCK_H
#define HOST_SOCK_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define OWNER_NONE	UINT32_MAX

/* The kernel's TCP states past TCP_CLOSING, which <netinet/tcp.h> lacks:
 * a request socket (a connection not yet accepted, reported as SYN_RECV)
 * and a socket that is only bound (Linux 6.5+, in the bind hash; reported
 * as CLOSE). */
enum {
	TCP_NEW_SYN_RECV = 12,
	TCP_BOUND_INACTIVE = 13,
};
/* A state mask bit, as sock_diag's idiag_states takes it. */
#define TCPF(state)	(1u << (state))

/* Why a socket lists no owner. */
enum owner_missing {
	OWNER_FOUND = 0,
	OWNER_ORPHAN,		/* "no owner": TIME_WAIT, SYN_RECV, closed by its process */
	OWNER_DENIED,		/* "not permitted": another user's process, not root */
	OWNER_EXITED,		/* "exited": its process exited during the scan */
	OWNER_NOT_FOUND,	/* "not found": no process in this PID namespace holds it */
	OWNER_CLOSED,		/* "closed": it was closed (or its process exited) during the scan */
	OWNER_NOT_SCANNED,	/* "not scanned": owners were not looked up */
};

struct sock_row {
	uint64_t	inode;
	uint32_t	uid;
	uint32_t	rqueue;
	uint32_t	wqueue;
	uint32_t	owner;		/* first of its owners in the snapshot, or OWNER_NONE */
	uint32_t	cookie[2];	/* the kernel's socket cookie (sock_diag) */
	uint16_t	lport;
	uint16_t	rport;
	uint8_t		proto;		/* IPPROTO_TCP, IPPROTO_UDP or IPPROTO_RAW */
	uint8_t		family;		/* AF_INET or AF_INET6 */
	uint8_t		state;		/* kernel TCP_* state */
	uint8_t		missing;	/* enum owner_missing when owner == OWNER_NONE */
	uint8_t		laddr[16];
	uint8_t		raddr[16];
	/* TCP, when the dump asked for tcp_info (sockdiag_query.info); else 0 */
	uint64_t	bytes_sent;	/* data bytes sent (retransmissions included) */
	uint64_t	bytes_received;
};

/* Kernel state names as ss and the kernel spell them ("LISTEN", "TIME_WAIT",
 * and "UNCONN" for a UDP socket in TCP_CLOSE).  Never NULL. */
const char	*sock_state_name(const struct sock_row *);
/* The state a report counts state under: TCP_NEW_SYN_RECV as
 * TCP_SYN_RECV, TCP_BOUND_INACTIVE as TCP_CLOSE, others as they are. */
int		 sock_state_canonical(int state);
/* PortQry's wording for the text report ("LISTENING", "TIME WAIT"). */
const char	*sock_state_label(const struct sock_row *);
/* Parse a state name (kernel or PortQry spelling, any case, '-' or '_' or
 * ' ' between words, "UNCONN" for UDP).  Returns the TCP_* number or -1. */
int		 sock_state_parse(const char *);
const char	*sock_proto_name(const struct sock_row *);	/* "tcp", "udp", "raw" */
const char	*sock_proto_label(const struct sock_row *);	/* "TCP", "UDP", "RAW" */
const char	*owner_missing_reason(enum owner_missing);

/* Append an address (no brackets) or "addr:port" ("[v6]:port") to b. */
void		 sock_addr(struct buf *, int family, const uint8_t *);
void		 sock_endpoint(struct buf *, int family, const uint8_t *, uint16_t);

#endif
