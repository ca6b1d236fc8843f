/*
 * NTP, UDP 123 (RFC 5905): one client-mode packet; a server answers in
 * mode 4 with its stratum, reference and clock.  The request's transmit
 * timestamp is our clock with the low 16 bits of the fraction replaced by
 * the conversation id, so the reply's origin timestamp both proves the
 * reply is ours and gives back our send time (to 15 µs) without state.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"
#include "util/clock.h"

#define NTP_LEN		48
#define NTP_UNIX_EPOCH	2208988800u	/* 1900 to 1970, seconds */

/* The current time as an NTP timestamp (seconds since 1900 in the high
 * 32 bits, binary fraction in the low 32). */
static uint64_t
ntp_now(void)
{
	uint64_t ns = clock_real_ns();

	return (uint64_t)((uint32_t)(ns / NSEC_PER_SEC) + NTP_UNIX_EPOCH) << 32 |
	    (((ns % NSEC_PER_SEC) << 32) / NSEC_PER_SEC);
}

/* An NTP timestamp in seconds since 1900, as a double. */
static double
ntp_sec(uint64_t t)
{
	return (double)(t >> 32) + (double)(t & 0xffffffffu) / 4294967296.0;
}

/* A version 4 client packet whose transmit timestamp carries the
 * conversation id in its low 16 bits. */
static int
ntp_build(struct probe_ctx *ctx, struct buf *out)
{
	uint8_t pkt[NTP_LEN] = { 0x23 };	/* LI 0, version 4, mode 3 */
	uint64_t t;
	int i;

	if (ctx->step != 0)
		return -1;
	t = (ntp_now() & ~(uint64_t)0xffff) | (ctx->xid & 0xffff);
	for (i = 0; i < 8; i++)
		pkt[40 + i] = (uint8_t)(t >> (56 - 8 * i));
	buf_add(out, pkt, sizeof(pkt));
	return 0;
}

/* A big-endian 64-bit value (an NTP timestamp) at p. */
static uint64_t
rd64be(const uint8_t *p)
{
	return (uint64_t)rd32be(p) << 32 | rd32be(p + 4);
}

/* A server reply (mode 4) echoing our transmit timestamp as its origin. */
static enum probe_status
ntp_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	static const char *const leap[] = { "synchronized",
	    "synchronized, leap second to insert",
	    "synchronized, leap second to delete", "unsynchronized" };
	unsigned li, vn, mode, stratum;
	uint64_t t1, t2, t3;
	double offset;
	char refid[64], when[64];
	time_t secs;
	struct tm tm;

	if (n < NTP_LEN)
		return PROBE_MALFORMED;
	li = p[0] >> 6;
	vn = (p[0] >> 3) & 7;
	mode = p[0] & 7;
	stratum = p[1];
	t1 = rd64be(p + 24);
	t2 = rd64be(p + 32);
	t3 = rd64be(p + 40);
	if (mode != 4 || vn < 1 || vn > 4 || (t1 & 0xffff) != (ctx->xid & 0xffff))
		return PROBE_MALFORMED;

	if (stratum == 0 || stratum == 1) {
		/* a kiss code or a reference clock's name: four ASCII bytes */
		struct buf s;

		buf_init(&s);
		text_sanitize(&s, p + 12, strnlen((const char *)p + 12, 4), 0);
		snprintf(refid, sizeof(refid), "%s", buf_str(&s));
		buf_release(&s);
	} else
		snprintf(refid, sizeof(refid), "%u.%u.%u.%u", p[12], p[13],
		    p[14], p[15]);
	secs = (time_t)((t3 >> 32) - NTP_UNIX_EPOCH);
	if ((t3 >> 32) < NTP_UNIX_EPOCH || gmtime_r(&secs, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(when, sizeof(when), "(before 1970)");
	offset = ((ntp_sec(t2) - ntp_sec(t1)) +
	    (ntp_sec(t3) - ntp_sec(ntp_now()))) / 2;

	buf_printf(&r->text, "NTP version %u server, stratum %u (%s)\n", vn,
	    stratum, stratum == 0 ? "kiss of death" : leap[li]);
	buf_printf(&r->text, "%s: %s\n", stratum == 0 ? "kiss code" :
	    "reference id", refid);
	buf_printf(&r->text, "server time: %s.%06uZ\n", when,
	    (unsigned)(((t3 & 0xffffffffu) * 1000000) >> 32));
	buf_printf(&r->text, "offset from ours: %+.6f s\n", offset);
	json_ku64(&r->json, "version", vn);
	json_ku64(&r->json, "stratum", stratum);
	json_kstr(&r->json, "leap", leap[li]);
	json_kstr(&r->json, stratum == 0 ? "kiss_code" : "refid", refid);
	json_kstr(&r->json, "time", when);
	json_key(&r->json, "offset_ms");
	buf_printf(&r->json, "%.3f", offset * 1000);
	report_reason(r, stratum == 0 ? "ntp kiss of death" : "ntp reply");
	return PROBE_DONE;
}

const struct probe probe_ntp = {
	.name = "ntp",
	.proto = IPPROTO_UDP,
	.port = 123,
	.build = ntp_build,
	.parse = ntp_parse,
};
