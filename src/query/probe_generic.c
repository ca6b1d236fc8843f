/*
 * The generic UDP probe: a short fixed datagram sent first to every UDP
 * port.  Closed ports answer it with ICMP port unreachable; any datagram
 * back, whatever it holds, proves a listener.
 */
#include <netinet/in.h>

#include "output/json.h"
#include "query/engine.h"
#include "query/probe_util.h"

/* Two blank lines: harmless to line-based services, and the kind of input
 * that echo-like and text services answer. */
static int
generic_build(struct probe_ctx *ctx, struct buf *out)
{
	(void)ctx;
	buf_add(out, "\r\n\r\n", 4);
	return 0;
}

/* Any reply is a listener; the report records its size only. */
static enum probe_status
generic_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	(void)ctx;
	(void)p;
	json_ku64(&r->json, "bytes", n);
	report_reason(r, "udp reply");
	return PROBE_DONE;
}

const struct probe probe_generic = {
	.name = "generic",
	.proto = IPPROTO_UDP,
	.port = 0,
	.build = generic_build,
	.parse = generic_parse,
	.release = NULL,
};
