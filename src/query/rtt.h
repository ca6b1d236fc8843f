/*
 * Round-trip learning for the query engine (RFC 6298's smoothing): every
 * unambiguous answer is a sample, and the connect and UDP timeouts follow
 * srtt + 4 * rttvar within the floor and ceiling of the options.
 */
#ifndef QUERY_RTT_H
#define QUERY_RTT_H

#include <stdint.h>

struct query_opts;

struct rtt {
	int64_t		 srtt_us, rttvar_us;
	int		 have;		/* at least one sample */
};

/* Learn from one round trip of us microseconds. */
void		rtt_sample(struct rtt *, int64_t us);

/* The timeout in nanoseconds of a TCP connect (udp 0) or of a UDP
 * datagram (udp 1): the learned value, or o->init_timeout_ms before any
 * sample, no lower than o->min_timeout_ms (doubled for UDP, whose
 * services take longer than a SYN-ACK), no higher than o->max_timeout_ms;
 * UDP's doubled again with o->slow_link. */
uint64_t	rtt_timeout_ns(const struct rtt *, const struct query_opts *, int udp);

#endif
