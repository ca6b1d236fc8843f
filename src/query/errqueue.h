/*
 * Errors queued on a socket with IP_RECVERR / IPV6_RECVERR, decoded.  An
 * ICMP error is the target's (or a router's) answer and gives a verdict; a
 * local error (origin local: no buffer space, message too long) says
 * nothing about the target and is never turned into one.
 */
#ifndef QUERY_ERRQUEUE_H
#define QUERY_ERRQUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "query/verdict.h"

enum qerr_origin {
	QERR_LOCAL,		/* this host: ee_errno says what */
	QERR_ICMP4,
	QERR_ICMP6,
};

struct qerr {
	enum qerr_origin origin;
	uint8_t		 type, code;	/* ICMP type and code */
	int		 errnum;	/* the socket error (ee_errno) */
};

/* Read one queued error of fd into *e.  Returns 0, or -1 when none is
 * queued (or the read failed). */
int	qerr_read(int fd, struct qerr *e);

/* The verdict of an ICMP error, with its reason ("icmp port-unreachable")
 * in reason (size len).  Returns 0, or -1 for a local error, with
 * "local error: <strerror>" in reason: that is no verdict. */
int	qerr_verdict(const struct qerr *, enum verdict *v, char *reason,
	    size_t len);

#endif
