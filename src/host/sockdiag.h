/*
 * Sockets from the kernel's NETLINK_SOCK_DIAG interface (inet_diag): TCP,
 * UDP and raw, IPv4 and IPv6.  Filters by state and port run in the kernel (state
 * mask and inet_diag bytecode), so a filtered dump costs what it returns.
 */
#ifndef HOST_SOCKDIAG_H
#define HOST_SOCKDIAG_H

#include <stddef.h>
#include <stdint.h>

#include "host/sock.h"

#define SD_TCP		0x1
#define SD_UDP		0x2
#define SD_RAW		0x4
#define SD_V4		0x1
#define SD_V6		0x2

struct sockdiag_query {
	unsigned	protos;		/* SD_TCP | SD_UDP */
	unsigned	families;	/* SD_V4 | SD_V6 */
	uint32_t	tcp_states;	/* 1 << TCP_*; 0 dumps no TCP */
	uint32_t	udp_states;	/* 1 << TCP_CLOSE (unconnected), TCP_ESTABLISHED;
					   raw sockets too */
	int		port;		/* local or remote port equals this; -1 for any */
	int		info;		/* also TCP byte counters (tcp_info) */
};

struct sock_vec {
	struct sock_row	*v;
	size_t		 n;
	size_t		 cap;
};

/* Open a sock_diag netlink socket.  Returns an opaque handle, or NULL with
 * the reason in err. */
struct sockdiag	*sockdiag_open(char *err, size_t errlen);
void		 sockdiag_close(struct sockdiag *);

/* Append to out every socket the query selects.  Returns 0, or -1 with the
 * reason in err (out then holds what was read before the failure). */
int		 sockdiag_dump(struct sockdiag *, const struct sockdiag_query *,
		    struct sock_vec *out, char *err, size_t errlen);

/* Build the inet_diag bytecode for "sport == port or dport == port" into
 * ops (at least 20 bytes).  Returns its length in bytes. */
size_t		 sockdiag_port_bytecode(uint16_t port, void *ops);

/* Does the socket of row r still exist (same addresses and cookie)?
 * Returns 1, 0 when it is gone, or -1 when the kernel cannot tell (raw
 * sockets, rows read from /proc/net, errors). */
int		 sockdiag_exists(struct sockdiag *, const struct sock_row *);

/* Close the socket of row r (TCP or UDP) with SOCK_DESTROY: a TCP peer
 * sees a reset.  Returns 0, or -1 with errno set (EOPNOTSUPP: the kernel
 * lacks CONFIG_INET_DIAG_DESTROY; EPERM: not CAP_NET_ADMIN; ENOENT: gone)
 * and the reason in err. */
int		 sockdiag_destroy(struct sockdiag *, const struct sock_row *,
		    char *err, size_t errlen);

void		 sock_vec_release(struct sock_vec *);

/* Which protocols (SD_UDP, SD_RAW) dumps so far had to read from
 * /proc/net because the kernel lacks udp_diag or raw_diag.  The environment
 * variable PORTSCOPE_TEST_NO_UDP_DIAG makes UDP take that path (for tests). */
unsigned	 sockdiag_from_procnet(const struct sockdiag *);

#endif
