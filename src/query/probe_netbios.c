/*
 * NetBIOS name service, UDP 137 (RFC 1002 4.2.17-18): a node status
 * request for the wildcard name "*", whose answer lists every name the
 * node registered and the adapter's MAC address.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

#define NB_TYPE_NBSTAT	0x0021
#define NB_CLASS_IN	0x0001
#define NB_NAME_LEN	15		/* name bytes before the suffix byte */
#define NB_ENTRY_LEN	18		/* name, suffix, flags */

/* Request: header, the encoded name "*" (RFC 1001 14.1: each half-byte
 * becomes 'A' + nibble), type NBSTAT, class IN. */
static int
netbios_build(struct probe_ctx *ctx, struct buf *out)
{
	uint8_t name[16] = { '*' };
	size_t i;

	wr16be(out, (uint16_t)ctx->xid);
	wr16be(out, 0x0000);		/* query, no flags */
	wr16be(out, 1);			/* one question */
	wr16be(out, 0);
	wr16be(out, 0);
	wr16be(out, 0);
	buf_putc(out, 32);
	for (i = 0; i < sizeof(name); i++) {
		buf_putc(out, (char)('A' + (name[i] >> 4)));
		buf_putc(out, (char)('A' + (name[i] & 15)));
	}
	buf_putc(out, 0);
	wr16be(out, NB_TYPE_NBSTAT);
	wr16be(out, NB_CLASS_IN);
	return 0;
}

/* The offset just past the (possibly compressed) name at off in p[0..n),
 * or -1 when it runs off the end or uses a reserved label type. */
static long
nb_skip_name(const uint8_t *p, size_t n, size_t off)
{
	while (off < n) {
		uint8_t l = p[off];

		if (l == 0)
			return (long)off + 1;
		if ((l & 0xc0) == 0xc0)
			return off + 2 <= n ? (long)off + 2 : -1;
		if (l & 0xc0)
			return -1;
		off += 1 + (size_t)l;
	}
	return -1;
}

/* Describe the flags of one name-table entry (RFC 1002 4.2.18). */
static void
nb_flags_text(struct buf *b, uint16_t f)
{
	static const char *const ont[] = { "B", "P", "M", "H" };

	buf_puts(b, (f & 0x8000) ? "GROUP " : "UNIQUE");
	buf_printf(b, "  %s-node", ont[(f >> 13) & 3]);
	if (f & 0x1000)
		buf_puts(b, " DEREGISTERING");
	if (f & 0x0800)
		buf_puts(b, " CONFLICT");
	if (f & 0x0400)
		buf_puts(b, " ACTIVE");
	if (f & 0x0200)
		buf_puts(b, " PERMANENT");
}

/* A node status response to our id: the name table and the unit id (MAC)
 * after it.  An error rcode is an answer too.  Anything cut short, or not
 * a response of type NBSTAT, is malformed. */
static enum probe_status
netbios_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	uint16_t flags, qd, an, type, rdlen;
	size_t off, rd, i, count, namelen;
	long next;
	char mac[18];

	if (n < 12 || rd16be(p) != (uint16_t)ctx->xid)
		return PROBE_MALFORMED;
	flags = rd16be(p + 2);
	qd = rd16be(p + 4);
	an = rd16be(p + 6);
	if (!(flags & 0x8000) || ((flags >> 11) & 15) != 0)
		return PROBE_MALFORMED;	/* not a response to a query */
	if ((flags & 15) != 0) {
		buf_printf(&r->text, "NetBIOS name service error: rcode %u\n",
		    flags & 15);
		json_ku64(&r->json, "rcode", flags & 15);
		report_reason(r, "netbios error reply");
		return PROBE_DONE;
	}
	if (an == 0)
		return PROBE_MALFORMED;
	off = 12;
	for (i = 0; i < qd; i++) {
		if ((next = nb_skip_name(p, n, off)) < 0 || (size_t)next + 4 > n)
			return PROBE_MALFORMED;
		off = (size_t)next + 4;
	}
	if ((next = nb_skip_name(p, n, off)) < 0 || (size_t)next + 10 > n)
		return PROBE_MALFORMED;
	off = (size_t)next;
	type = rd16be(p + off);
	rdlen = rd16be(p + off + 8);
	rd = off + 10;
	if (type != NB_TYPE_NBSTAT || rdlen > n - rd || rdlen < 1)
		return PROBE_MALFORMED;
	count = p[rd];
	if (1 + count * NB_ENTRY_LEN + 6 > rdlen)
		return PROBE_MALFORMED;	/* names or unit id cut short */

	off = rd + 1 + count * NB_ENTRY_LEN;
	snprintf(mac, sizeof(mac), "%02X-%02X-%02X-%02X-%02X-%02X", p[off],
	    p[off + 1], p[off + 2], p[off + 3], p[off + 4], p[off + 5]);
	/* PortQry's line: "Server's response: MAC address 00155d01c61e"
	 * (issue 10): twelve lowercase hex digits */
	buf_printf(&r->text, "Server's response: MAC address "
	    "%02x%02x%02x%02x%02x%02x\n", p[off], p[off + 1], p[off + 2],
	    p[off + 3], p[off + 4], p[off + 5]);
	json_kstr(&r->json, "mac", mac);
	buf_printf(&r->text, "Names (%zu):\n", count);
	json_key(&r->json, "names");
	buf_putc(&r->json, '[');
	for (i = 0; i < count; i++) {
		const uint8_t *e = p + rd + 1 + i * NB_ENTRY_LEN;
		uint16_t f = rd16be(e + 16);
		size_t col;

		for (namelen = NB_NAME_LEN; namelen > 0 &&
		    (e[namelen - 1] == ' ' || e[namelen - 1] == 0); namelen--)
			;
		col = r->text.len;
		buf_puts(&r->text, "  ");
		text_sanitize(&r->text, e, namelen, 0);
		buf_printf(&r->text, "<%02X>", e[15]);
		col = r->text.len - col;
		buf_pad(&r->text, col < 24 ? 24 - col : 1, ' ');
		nb_flags_text(&r->text, f);
		buf_putc(&r->text, '\n');

		json_sep(&r->json);
		buf_putc(&r->json, '{');
		json_key(&r->json, "name");
		json_strn(&r->json, e, namelen);
		json_ku64(&r->json, "suffix", e[15]);
		json_kbool(&r->json, "group", (f & 0x8000) != 0);
		json_ku64(&r->json, "flags", f);
		buf_putc(&r->json, '}');
	}
	buf_putc(&r->json, ']');
	report_reason(r, "netbios node status");
	return PROBE_DONE;
}

const struct probe probe_netbios = {
	.name = "netbios",
	.proto = IPPROTO_UDP,
	.port = 137,
	.build = netbios_build,
	.parse = netbios_parse,
};
