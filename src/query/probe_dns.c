/*
 * The DNS probe (UDP 53): a query for "version.bind" TXT in class CHAOS,
 * which a server answers from its own knowledge, without recursion, so the
 * answer comes at once.  Any well-formed DNS response with our id,
 * positive or negative (NOERROR, REFUSED, NOTIMP…), proves a DNS server
 * is listening; the report gives the response code and the answers.
 * The parser reads hostile bytes: every length and every compression
 * pointer is checked against the message (RFC 1035 section 4).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe.h"
#include "query/probe_dns.h"
#include "query/probe_util.h"

#define DNS_HDR		12
#define DNS_NAME_MAX	255
#define DNS_HOPS_MAX	64	/* compression pointers followed per name */
#define DNS_SHOW_MAX	16	/* answers put in the report */

#define T_A	1
#define T_NS	2
#define T_CNAME	5
#define T_SOA	6
#define T_PTR	12
#define T_TXT	16
#define T_AAAA	28

static const char query_name[] = "version.bind";

/* Write the query (id from ctx->xid).  Always returns 0. */
int
probe_dns_build(struct probe_ctx *ctx, struct buf *out)
{
	const char *p = query_name, *dot;
	size_t l;

	wr16be(out, (uint16_t)ctx->xid);
	wr16be(out, 0x0000);	/* standard query, no recursion wanted */
	wr16be(out, 1);		/* one question */
	wr16be(out, 0);
	wr16be(out, 0);
	wr16be(out, 0);
	while (*p != '\0') {
		dot = strchr(p, '.');
		l = dot ? (size_t)(dot - p) : strlen(p);
		buf_putc(out, (char)l);
		buf_add(out, p, l);
		p += l + (dot != NULL);
	}
	buf_putc(out, 0);
	wr16be(out, T_TXT);
	wr16be(out, 3);		/* class CHAOS */
	return 0;
}

/*
 * Read the name at *off of msg (n bytes), following compression pointers
 * (each must point backwards, at most DNS_HOPS_MAX of them).  Appends the
 * dotted name ("." for the root) to name, at most DNS_NAME_MAX bytes, and
 * advances *off past the name as it stands in the record.  Returns 0, or
 * -1 when the name does not fit the message or the rules.
 */
static int
dns_name(const uint8_t *msg, size_t n, size_t *off, char *name, size_t *nlen)
{
	size_t pos = *off, len = 0, limit = n;
	int jumped = 0, hops = 0;
	uint8_t l;

	for (;;) {
		if (pos >= limit)
			return -1;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			size_t ptr;

			if (pos + 1 >= limit || ++hops > DNS_HOPS_MAX)
				return -1;
			ptr = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			if (ptr >= pos)
				return -1;	/* forward or self: a loop */
			if (!jumped)
				*off = pos + 2;
			jumped = 1;
			limit = pos;	/* later labels must come earlier still */
			pos = ptr;
			continue;
		}
		if ((l & 0xc0) != 0)
			return -1;	/* reserved label types */
		if (l == 0) {
			if (!jumped)
				*off = pos + 1;
			break;
		}
		if (pos + 1 + l > limit || len + l + 1 > DNS_NAME_MAX)
			return -1;
		memcpy(name + len, msg + pos + 1, l);
		len += l;
		name[len++] = '.';
		pos += 1 + (size_t)l;
	}
	if (len == 0)
		name[len++] = '.';
	else
		len--;		/* no trailing dot */
	*nlen = len;
	return 0;
}

static const char *
rcode_name(unsigned rc, char *tmp, size_t len)
{
	static const char *const names[] = {
		"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP",
		"REFUSED", "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH",
		"NOTZONE",
	};

	if (rc < sizeof(names) / sizeof(names[0]))
		return names[rc];
	snprintf(tmp, len, "RCODE%u", rc);
	return tmp;
}

static const char *
type_name(unsigned t, char *tmp, size_t len)
{
	switch (t) {
	case T_A: return "A";
	case T_NS: return "NS";
	case T_CNAME: return "CNAME";
	case T_SOA: return "SOA";
	case T_PTR: return "PTR";
	case T_TXT: return "TXT";
	case T_AAAA: return "AAAA";
	}
	snprintf(tmp, len, "TYPE%u", t);
	return tmp;
}

/* Render the rdata of one record (rdlen bytes at off of msg, checked by
 * the caller to lie inside it) into data (cap bytes, at least
 * DNS_NAME_MAX + 1) as the bytes to show.  Returns the length, or -1 when the rdata
 * breaks its type's rules. */
static int
dns_rdata(const uint8_t *msg, size_t off, unsigned type,
    size_t rdlen, char *data, size_t cap)
{
	size_t o = off, len = 0, l;

	switch (type) {
	case T_A:
	case T_AAAA:
		if (rdlen != (type == T_A ? 4u : 16u))
			return -1;
		if (inet_ntop(type == T_A ? AF_INET : AF_INET6, msg + off, data,
		    (socklen_t)cap) == NULL)
			return -1;
		return (int)strlen(data);
	case T_NS:
	case T_CNAME:
	case T_PTR:
	case T_SOA:
		if (dns_name(msg, off + rdlen, &o, data, &len) == -1)
			return -1;
		return (int)len;
	case T_TXT:
		while (o < off + rdlen) {
			l = msg[o];
			if (o + 1 + l > off + rdlen)
				return -1;
			if (len > 0 && len < cap)
				data[len++] = ' ';
			if (len + l > cap)
				l = cap - len;
			memcpy(data + len, msg + o + 1, l);
			len += l;
			o += 1 + (size_t)msg[o];
		}
		return (int)len;
	}
	return snprintf(data, cap, "%zu bytes", rdlen);
}

/*
 * Read a response.  PROBE_DONE for a well-formed response with our id (the
 * report holds the response code and up to DNS_SHOW_MAX answers);
 * PROBE_MALFORMED for anything else.
 */
enum probe_status
probe_dns_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	char name[DNS_NAME_MAX + 1], data[DNS_NAME_MAX * 2 + 64], tmp[16];
	unsigned flags, qd, an, i, type, rcode, shown = 0;
	size_t off = DNS_HDR, nlen, rdlen;
	struct buf text, json;
	int dlen, tc;

	if (n < DNS_HDR || rd16be(p) != (uint16_t)ctx->xid)
		return PROBE_MALFORMED;
	flags = rd16be(p + 2);
	if (!(flags & 0x8000) || (flags >> 11 & 0xf) != 0)
		return PROBE_MALFORMED;	/* not a response to a standard query */
	tc = (flags & 0x0200) != 0;
	rcode = flags & 0xf;
	qd = rd16be(p + 4);
	an = rd16be(p + 6);
	for (i = 0; i < qd; i++) {
		if (dns_name(p, n, &off, name, &nlen) == -1 || off + 4 > n)
			return PROBE_MALFORMED;
		off += 4;
	}
	buf_init(&text);
	buf_init(&json);
	for (i = 0; i < an; i++) {
		if (dns_name(p, n, &off, name, &nlen) == -1 || off + 10 > n)
			goto bad;
		type = rd16be(p + off);
		rdlen = rd16be(p + off + 8);
		off += 10;
		if (off + rdlen > n)
			goto bad;
		dlen = dns_rdata(p, off, type, rdlen, data, sizeof(data));
		if (dlen < 0)
			goto bad;
		off += rdlen;
		if (shown++ >= DNS_SHOW_MAX)
			continue;
		buf_puts(&text, "    ");
		text_sanitize(&text, name, nlen, 0);
		buf_printf(&text, " %s ", type_name(type, tmp, sizeof(tmp)));
		if (type == T_TXT)
			buf_putc(&text, '"');
		text_sanitize(&text, data, (size_t)dlen, 0);
		if (type == T_TXT)
			buf_putc(&text, '"');
		buf_putc(&text, '\n');
		json_sep(&json);
		buf_putc(&json, '{');
		json_key(&json, "name");
		json_strn(&json, name, nlen);
		json_kstr(&json, "type", type_name(type, tmp, sizeof(tmp)));
		json_key(&json, "data");
		json_strn(&json, data, (size_t)dlen);
		buf_putc(&json, '}');
	}
	goto good;
bad:
	if (!tc) {
		buf_release(&text);
		buf_release(&json);
		return PROBE_MALFORMED;
	}
good:
	buf_printf(&r->text, "  DNS reply: %s, %u answer%s%s%s\n",
	    rcode_name(rcode, tmp, sizeof(tmp)), an, an == 1 ? "" : "s",
	    flags & 0x0400 ? ", authoritative" : "", tc ? ", truncated" : "");
	buf_append(&r->text, &text);
	json_kstr(&r->json, "rcode", rcode_name(rcode, tmp, sizeof(tmp)));
	json_kbool(&r->json, "authoritative", (flags & 0x0400) != 0);
	json_kbool(&r->json, "truncated", tc);
	json_ku64(&r->json, "answer_count", an);
	json_key(&r->json, "answers");
	buf_putc(&r->json, '[');
	buf_append(&r->json, &json);
	buf_putc(&r->json, ']');
	report_reason(r, "dns reply");
	buf_release(&text);
	buf_release(&json);
	return PROBE_DONE;
}

const struct probe probe_dns = {
	.name = "dns",
	.proto = IPPROTO_UDP,
	.port = 53,
	.build = probe_dns_build,
	.parse = probe_dns_parse,
	.release = NULL,
};
