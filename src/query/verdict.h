/*
 * Verdicts of `portscope query` and the rules that turn what the network
 * said (a reset, an ICMP error, a reply, silence) into one.  Pure functions:
 * no sockets here, so that every rule is unit-tested.
 */
#ifndef QUERY_VERDICT_H
#define QUERY_VERDICT_H

#include <stdint.h>

enum verdict {
	VERDICT_LISTENING,
	VERDICT_NOT_LISTENING,
	VERDICT_FILTERED,
	VERDICT_LISTENING_OR_FILTERED,
};

/* PortQry's wording: "LISTENING", "NOT LISTENING", "FILTERED",
 * "LISTENING or FILTERED". */
const char	*verdict_name(enum verdict);

/* PortQry's -q exit status: 0 LISTENING, 1 NOT LISTENING, 2 otherwise. */
int		 verdict_exit_code(enum verdict);

/* Where an error queued on a socket (IP_RECVERR) came from. */
enum icmp_origin {
	ICMP_ORIGIN_V4,		/* an ICMP message */
	ICMP_ORIGIN_V6,		/* an ICMPv6 message */
};

/*
 * Classify an ICMP error about a probe: port unreachable means NOT
 * LISTENING, every other destination-unreachable (and time exceeded)
 * means FILTERED.  Writes the reason ("icmp port-unreachable",
 * "icmp admin-prohibited", "icmp type 5 code 1" for the unnamed) into
 * reason (size len) and returns the verdict.
 */
enum verdict	 verdict_from_icmp(enum icmp_origin, uint8_t type, uint8_t code,
		    char *reason, size_t len);

#endif
