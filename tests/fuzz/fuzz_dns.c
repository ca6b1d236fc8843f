/*
 * libFuzzer harness for the DNS probe's parser (probe_dns.c), which reads
 * whatever a remote port sends back.  The conversation id is taken from
 * the input's first two bytes so that the fuzzer reaches past the id check.
 * The same bytes go to the TCP probe (probe_dns_tcp.c), which reads a
 * two-byte length before the message (its id then in bytes 2 and 3).
 * The seed corpus holds real replies of dnsmasq to the probe's query and
 * to a few others (tcp-* over TCP), and some crafted hostile ones
 * (pointer loops, lengths past the end).  What the parsers report is
 * checked as in every probe harness (probe_fuzz.h): printable text, a
 * one-line reason, valid JSON.
 */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "probe_fuzz.h"

extern const struct probe probe_dns, probe_dns_tcp;

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_report r;
	struct probe_ctx ctx;
	struct buf q;

	memset(&ctx, 0, sizeof(ctx));
	ctx.xid = size >= 2 ? (uint32_t)(data[0] << 8 | data[1]) : 0;
	probe_report_init(&r);
	fuzz_check_report(&r, probe_dns.parse(&ctx, data, size, &r) == PROBE_DONE);
	probe_report_release(&r);
	buf_init(&q);
	probe_dns.build(&ctx, &q);
	buf_release(&q);
	ctx.xid = size >= 4 ? (uint32_t)(data[2] << 8 | data[3]) : 0;
	probe_report_init(&r);
	fuzz_check_report(&r,
	    probe_dns_tcp.parse(&ctx, data, size, &r) == PROBE_DONE);
	probe_report_release(&r);
	return 0;
}
