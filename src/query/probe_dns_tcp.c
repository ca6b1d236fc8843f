/*
 * The DNS probe over TCP 53.  PortQry queries DNS on both protocols; a
 * server may answer on one and not the other (zone transfers and large
 * answers need TCP).  The message is the UDP probe's, framed by a
 * two-byte big-endian length (RFC 1035 4.2.2); the reply's frame is read
 * whole before the message parser sees it.
 */
#include <netinet/in.h>

#include "query/probe_dns.h"
#include "query/probe_util.h"

/* The query behind its length.  Returns 0, or -1 after the first step. */
static int
dns_tcp_build(struct probe_ctx *ctx, struct buf *out)
{
	struct buf msg;

	if (ctx->step != 0)
		return -1;
	buf_init(&msg);
	probe_dns_build(ctx, &msg);
	wr16be(out, (uint16_t)msg.len);
	buf_append(out, &msg);
	buf_release(&msg);
	return 0;
}

/* PROBE_MORE until the length and the whole message it announces came;
 * then the message parser decides.  Bytes after the frame are ignored. */
static enum probe_status
dns_tcp_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	size_t len;

	if (n < 2)
		return PROBE_MORE;
	len = rd16be(p);
	if (len == 0)
		return PROBE_MALFORMED;
	if (n - 2 < len)
		return PROBE_MORE;
	return probe_dns_parse(ctx, p + 2, len, r);
}

const struct probe probe_dns_tcp = {
	.name = "dns",
	.proto = IPPROTO_TCP,
	.port = 53,
	.build = dns_tcp_build,
	.parse = dns_tcp_parse,
};
