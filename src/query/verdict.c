#include <stddef.h>
#include <stdio.h>

#include "query/verdict.h"

static const char *const verdict_names[] = {
	[VERDICT_LISTENING] = "LISTENING",
	[VERDICT_NOT_LISTENING] = "NOT LISTENING",
	[VERDICT_FILTERED] = "FILTERED",
	[VERDICT_LISTENING_OR_FILTERED] = "LISTENING or FILTERED",
};

const char *
verdict_name(enum verdict v)
{
	if ((size_t)v >= sizeof(verdict_names) / sizeof(verdict_names[0]))
		return "UNKNOWN";
	return verdict_names[v];
}

int
verdict_exit_code(enum verdict v)
{
	switch (v) {
	case VERDICT_LISTENING:
		return 0;
	case VERDICT_NOT_LISTENING:
		return 1;
	default:
		return 2;
	}
}

/* Names of ICMP destination-unreachable codes (RFC 792, RFC 1812). */
static const char *const icmp4_unreach[] = {
	[0] = "net-unreachable",
	[1] = "host-unreachable",
	[2] = "protocol-unreachable",
	[3] = "port-unreachable",
	[4] = "fragmentation-needed",
	[5] = "source-route-failed",
	[6] = "net-unknown",
	[7] = "host-unknown",
	[9] = "net-prohibited",
	[10] = "host-prohibited",
	[11] = "net-tos-unreachable",
	[12] = "host-tos-unreachable",
	[13] = "admin-prohibited",
	[14] = "host-precedence-violation",
	[15] = "precedence-cutoff",
};

/* Names of ICMPv6 destination-unreachable codes (RFC 4443). */
static const char *const icmp6_unreach[] = {
	[0] = "no-route",
	[1] = "admin-prohibited",
	[2] = "beyond-scope",
	[3] = "addr-unreachable",
	[4] = "port-unreachable",
	[5] = "policy-fail",
	[6] = "reject-route",
};

enum verdict
verdict_from_icmp(enum icmp_origin origin, uint8_t type, uint8_t code,
    char *reason, size_t len)
{
	const char *name = NULL;
	int port_unreach = 0;

	if (origin == ICMP_ORIGIN_V4) {
		if (type == 3) {
			if (code < sizeof(icmp4_unreach) / sizeof(icmp4_unreach[0]))
				name = icmp4_unreach[code];
			port_unreach = code == 3;
		} else if (type == 11)
			name = "time-exceeded";
	} else {
		if (type == 1) {
			if (code < sizeof(icmp6_unreach) / sizeof(icmp6_unreach[0]))
				name = icmp6_unreach[code];
			port_unreach = code == 4;
		} else if (type == 3)
			name = "time-exceeded";
	}
	if (name != NULL)
		snprintf(reason, len, "%s %s",
		    origin == ICMP_ORIGIN_V4 ? "icmp" : "icmp6", name);
	else
		snprintf(reason, len, "%s type %u code %u",
		    origin == ICMP_ORIGIN_V4 ? "icmp" : "icmp6", type, code);
	return port_unreach ? VERDICT_NOT_LISTENING : VERDICT_FILTERED;
}
