/*
 * ICMP pacing.  A Linux target sends ICMP errors from a token bucket: one
 * token per icmp_ratelimit (1 s; the engine's icmp_gap_ms), at most
 * PACER_BURST kept.  Only an ICMP error spends a token, and we see each
 * one; so the bucket holds at least one token per gap since the last
 * error we received, and that many closed ports can be asked at once and
 * all answer.  Silent (dropped) ports spend nothing, so while they stay
 * silent the batches grow to PACER_BURST.
 */
#ifndef QUERY_PACING_H
#define QUERY_PACING_H

#include <stdint.h>

#define PACER_BURST	6	/* Linux's XRLIM_BURST_FACTOR */

struct pacer {
	uint64_t	 gap_ns;	/* 0: no pacing, always PACER_BURST */
	uint64_t	 last_icmp_ns;	/* when the last ICMP error came */
	unsigned	 icmp_seen;	/* ICMP errors received in all */
};

/* An ICMP error came from the target at now. */
void		pacer_icmp(struct pacer *, uint64_t now);
/* How many paced retries may go out together at now (0..PACER_BURST). */
unsigned	pacer_budget(const struct pacer *, uint64_t now);
/* When the budget is next above zero (now when it already is). */
uint64_t	pacer_next_ns(const struct pacer *, uint64_t now);

#endif
