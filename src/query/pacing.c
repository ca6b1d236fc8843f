#include "query/pacing.h"

void
pacer_icmp(struct pacer *p, uint64_t now)
{
	p->icmp_seen++;
	p->last_icmp_ns = now;
}

unsigned
pacer_budget(const struct pacer *p, uint64_t now)
{
	uint64_t k;

	if (p->gap_ns == 0)
		return PACER_BURST;
	k = now > p->last_icmp_ns ? (now - p->last_icmp_ns) / p->gap_ns : 0;
	return k > PACER_BURST ? PACER_BURST : (unsigned)k;
}

uint64_t
pacer_next_ns(const struct pacer *p, uint64_t now)
{
	return pacer_budget(p, now) > 0 ? now : p->last_icmp_ns + p->gap_ns;
}
