/*
 * Shared body of the probe fuzz harnesses: feed one input, as the reply
 * to every step of a probe's conversation, to its parser (and to its
 * silence() hook), with the conversation id the seed replies were
 * recorded under (tests/tools/probe_talk -x).  Whatever the bytes, the
 * text a probe writes for a terminal must hold only printable ASCII and
 * newlines; anything else aborts, so that the fuzzer reports it.
 */
#ifndef FUZZ_PROBE_FUZZ_H
#define FUZZ_PROBE_FUZZ_H

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "query/probe.h"

#define FUZZ_XID	0x5053434fu

static void
fuzz_probe(const struct probe *p, unsigned steps, const uint8_t *data,
    size_t n)
{
	unsigned step, s;
	size_t i;

	for (step = 0; step < steps; step++) {
		struct probe_ctx ctx;
		struct probe_report r;
		struct buf out;

		memset(&ctx, 0, sizeof(ctx));
		ctx.community = "public";
		ctx.host = "192.0.2.1";
		ctx.family = AF_INET;
		ctx.xid = FUZZ_XID;
		buf_init(&out);
		for (s = 0; s <= step; s++) {
			ctx.step = s;
			buf_reset(&out);
			if (p->build(&ctx, &out) == -1)
				abort();
		}
		buf_release(&out);
		probe_report_init(&r);
		p->parse(&ctx, data, n, &r);
		if (p->silence != NULL)
			p->silence(&ctx, &r);
		for (i = 0; i < r.text.len; i++) {
			unsigned char c = (unsigned char)r.text.data[i];

			if (c != '\n' && (c < 0x20 || c > 0x7e))
				abort();
		}
		if (memchr(r.reason, '\0', sizeof(r.reason)) == NULL ||
		    strchr(r.reason, '\n') != NULL)
			abort();
		if (p->release != NULL)
			p->release(&ctx);
		probe_report_release(&r);
	}
}

#endif
