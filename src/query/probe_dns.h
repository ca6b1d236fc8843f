/*
 * The DNS probe's message writer and reader, shared by UDP 53 (one
 * message per datagram, probe_dns.c) and TCP 53 (the same message behind
 * a two-byte length, RFC 1035 4.2.2, probe_dns_tcp.c).
 */
#ifndef QUERY_PROBE_DNS_H
#define QUERY_PROBE_DNS_H

#include "query/probe.h"

/* Append the query message (id from ctx->xid) to out.  Returns 0. */
int	probe_dns_build(struct probe_ctx *, struct buf *out);
/* Read one whole response message of n bytes: PROBE_DONE with the report
 * filled, or PROBE_MALFORMED. */
enum probe_status probe_dns_parse(struct probe_ctx *, const uint8_t *,
	    size_t, struct probe_report *);

#endif
