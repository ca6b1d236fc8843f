#include "query/engine.h"
#include "query/rtt.h"
#include "util/clock.h"

void
rtt_sample(struct rtt *t, int64_t r)
{
	int64_t d;

	if (!t->have) {
		t->srtt_us = r;
		t->rttvar_us = r / 2;
		t->have = 1;
		return;
	}
	d = t->srtt_us - r;
	if (d < 0)
		d = -d;
	t->rttvar_us = (3 * t->rttvar_us + d) / 4;
	t->srtt_us = (7 * t->srtt_us + r) / 8;
}

uint64_t
rtt_timeout_ns(const struct rtt *t, const struct query_opts *o, int udp)
{
	uint64_t ms, lo = o->min_timeout_ms;

	if (t->have)
		ms = (uint64_t)(t->srtt_us + 4 * t->rttvar_us) / 1000;
	else
		ms = o->init_timeout_ms;
	if (udp)
		lo *= 2;
	if (ms < lo)
		ms = lo;
	if (ms > o->max_timeout_ms)
		ms = o->max_timeout_ms;
	if (udp && o->slow_link)
		ms *= 2;
	return ms * NSEC_PER_MSEC;
}
