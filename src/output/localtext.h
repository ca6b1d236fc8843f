/*
 * The pieces of the local port report, shared by `portscope local`'s own
 * layout (cmd_local.c) and PortQry's -local and -wport/-wpid layout
 * (portqry_local.c): the table's header and rows and "Port Statistics".
 */
#ifndef OUTPUT_LOCALTEXT_H
#define OUTPUT_LOCALTEXT_H

#include <stddef.h>
#include <sys/types.h>

#include "host/sock.h"
#include "util/buf.h"

#define LT_PORTQRY	0x1	/* PortQry's layout: UDP rows without a state,
				 * the TCP states in PortQry's order */
#define LT_SKIP_ZERO	0x2	/* statistics of one process: no zero lines */

/* qsort orders of const struct sock_row *: by protocol then port (local),
 * or by port with TCP before UDP on one port (PortQry); then addresses. */
int	localtext_cmp_proto(const void *, const void *);
int	localtext_cmp_port(const void *, const void *);

/* "Port  Local IP  State  Remote IP:Port", with a PID column first. */
void	localtext_header(struct buf *, const char *indent, int with_pid);
/* "TCP 22     0.0.0.0   LISTENING   0.0.0.0:0"; with pid > 0 the PID
 * column first; "*:*" for an unconnected UDP or raw socket. */
void	localtext_row(struct buf *, const struct sock_row *, const char *indent,
	    pid_t pid, unsigned style);
/* The mappings per protocol, then each TCP state's count and share: the
 * four PortQry shows always (but with LT_SKIP_ZERO), others when some
 * socket is in them. */
void	localtext_stats(struct buf *, const struct sock_row *const *rows,
	    size_t n, const char *indent, unsigned style);

#endif
