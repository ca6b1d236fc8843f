/*
 * Protocol probes: what `portscope query` says to a port in the service's
 * own protocol, and how it reads the answer.  One file per protocol
 * (probe_dns.c, probe_snmp.c, …), each exporting one `const struct probe`;
 * probe_table.c lists them all.  Parsers read untrusted bytes: each has a
 * libFuzzer harness in tests/fuzz/ and never trusts a length it has not
 * checked against the buffer.
 */
#ifndef QUERY_PROBE_H
#define QUERY_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

enum probe_status {
	PROBE_DONE,		/* a well-formed reply: LISTENING; report filled */
	PROBE_MORE,		/* stream probes: incomplete, call again with more bytes */
	PROBE_NEXT,		/* a well-formed step; the engine sends build() of step+1 */
	PROBE_MALFORMED,	/* not this protocol: reason "malformed reply" */
};

/* probe->flags */
#define PROBE_F_ANY_SRCPORT	0x1	/* UDP: the reply comes from another port
					 * of the same address (TFTP answers from
					 * a new transfer id), so the socket must
					 * not be connected to the target port */

/* One conversation with one port.  The engine zeroes it, sets the inputs,
 * and calls probe->release() (when non-NULL) at the end. */
struct probe_ctx {
	/* inputs, set by the engine */
	const char	*community;	/* SNMP community (-cn), default "public" */
	const char	*host;		/* target as the user typed it */
	int		 family;	/* AF_INET or AF_INET6 */
	uint32_t	 xid;		/* random per conversation (DNS id, …) */
	unsigned	 step;		/* 0 for the first request */
	/* the probe's own state, owned by the probe */
	void		*state;
};

/* What a probe found.  `text` holds lines to print under the verdict line,
 * each ending in '\n', already sanitised (output/text.h text_sanitize);
 * `json` holds the members of the probe's JSON object without braces
 * (`"rcode":"NOERROR","answers":[…]`), which the engine prints as
 * "probe":{"<name>":{…}}; `reason` is the verdict's reason ("dns reply"). */
struct probe_report {
	struct buf	 text;
	struct buf	 json;
	char		 reason[64];
};

struct probe {
	const char	*name;		/* "dns"; also the JSON key under "probe" */
	int		 proto;		/* IPPROTO_UDP or IPPROTO_TCP */
	uint16_t	 port;		/* default port */
	/* Write the request of ctx->step into out.  Returns 0, or 1 when this
	 * step sends nothing (a banner: just read), or -1 on error. */
	int		(*build)(struct probe_ctx *, struct buf *out);
	/* Read a reply (for TCP: all bytes received so far since the request
	 * of ctx->step was sent; after PROBE_NEXT the engine discards what it
	 * had received, so each step parses only its own reply). */
	enum probe_status (*parse)(struct probe_ctx *, const uint8_t *, size_t,
			    struct probe_report *);
	void		(*release)(struct probe_ctx *);
	/* Optional (NULL: silence ends the conversation as usual).  Called
	 * when the request of ctx->step got no reply after every try.  Returns
	 * PROBE_NEXT to send build() of step+1 instead (SNMP: v2c, then v1,
	 * then a v3 discovery; IKE: IKEv2, then IKEv1), PROBE_DONE when an
	 * earlier step already had a well-formed reply and the report now says
	 * what the silence means (LISTENING, e.g. "wrong community"); any
	 * other value leaves the verdict to the silence as usual. */
	enum probe_status (*silence)(struct probe_ctx *, struct probe_report *);
	unsigned	 flags;		/* PROBE_F_* */
};

/* The probe for proto/port, or NULL. */
const struct probe	*probe_find(int proto, uint16_t port);
/* The probe called name ("snmp"), or NULL. */
const struct probe	*probe_named(const char *name);

void	probe_report_init(struct probe_report *);
void	probe_report_release(struct probe_report *);

#endif
