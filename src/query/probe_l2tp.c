/*
 * L2TP, UDP 1701 (RFC 2661): a Start-Control-Connection-Request; an LNS
 * answers with SCCRP (its host name, vendor and protocol version) or with
 * StopCCN and a result code.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

#define L2TP_T		0x8000		/* control message */
#define L2TP_L		0x4000		/* length present */
#define L2TP_S		0x0800		/* sequence numbers present */
#define AVP_M		0x8000		/* mandatory */
#define AVP_H		0x4000		/* hidden (encrypted) value */
#define AVP_LEN_MASK	0x03ff
#define L2TP_HDR	12

enum { AVP_MSG_TYPE = 0, AVP_RESULT = 1, AVP_PROTO_VERSION = 2,
	AVP_FRAMING = 3, AVP_FIRMWARE = 6, AVP_HOST_NAME = 7,
	AVP_VENDOR_NAME = 8, AVP_TUNNEL_ID = 9 };

/* Append a mandatory IETF AVP with an n-byte value. */
static void
avp(struct buf *out, uint16_t type, const void *v, size_t n)
{
	wr16be(out, (uint16_t)(AVP_M | (6 + n)));
	wr16be(out, 0);			/* IETF */
	wr16be(out, type);
	buf_add(out, v, n);
}

/* Our Assigned Tunnel ID: nonzero, from the conversation id. */
static uint16_t
l2tp_tunnel_id(const struct probe_ctx *ctx)
{
	return (uint16_t)(ctx->xid % 0xfffe + 1);
}

/* SCCRQ: Message Type, Protocol Version, Host Name, Framing
 * Capabilities, Assigned Tunnel ID. */
static int
l2tp_build(struct probe_ctx *ctx, struct buf *out)
{
	static const uint8_t sccrq[2] = { 0, 1 }, version[2] = { 1, 0 },
	    framing[4] = { 0, 0, 0, 3 };
	uint8_t tid[2] = { (uint8_t)(l2tp_tunnel_id(ctx) >> 8),
	    (uint8_t)l2tp_tunnel_id(ctx) };
	size_t start = out->len;

	if (ctx->step != 0)
		return -1;
	wr16be(out, L2TP_T | L2TP_L | L2TP_S | 2);
	wr16be(out, 0);			/* length, below */
	wr16be(out, 0);			/* tunnel id: none yet */
	wr16be(out, 0);			/* session id */
	wr16be(out, 0);			/* Ns */
	wr16be(out, 0);			/* Nr */
	avp(out, AVP_MSG_TYPE, sccrq, sizeof(sccrq));
	avp(out, AVP_PROTO_VERSION, version, sizeof(version));
	avp(out, AVP_HOST_NAME, "portscope", 9);
	avp(out, AVP_FRAMING, framing, sizeof(framing));
	avp(out, AVP_TUNNEL_ID, tid, sizeof(tid));
	out->data[start + 2] = (char)((out->len - start) >> 8);
	out->data[start + 3] = (char)(out->len - start);
	return 0;
}

/* The RFC 2661 name of a control message type. */
static const char *
l2tp_msg_name(unsigned t)
{
	static const char *const names[] = { "reserved", "SCCRQ", "SCCRP",
	    "SCCCN", "StopCCN", "reserved", "HELLO", "OCRQ", "OCRP", "OCCN",
	    "ICRQ", "ICRP", "ICCN", "reserved", "CDN", "WEN", "SLI" };

	return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* A control message whose first AVP is its Message Type; a bare
 * acknowledgement (no AVPs) means the answer is still to come. */
static enum probe_status
l2tp_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	uint16_t flags, len, alen, type;
	size_t off;
	int msg = -1;
	struct buf t;

	(void)ctx;
	if (n < L2TP_HDR)
		return PROBE_MALFORMED;
	flags = rd16be(p);
	len = rd16be(p + 2);
	if ((flags & (L2TP_T | L2TP_L | L2TP_S)) != (L2TP_T | L2TP_L | L2TP_S) ||
	    ((flags & 15) != 2 && (flags & 15) != 3) || len < L2TP_HDR ||
	    len > n)
		return PROBE_MALFORMED;
	if (len == L2TP_HDR)
		return PROBE_MORE;	/* a bare acknowledgement (ZLB) */
	buf_init(&t);
	for (off = L2TP_HDR; off < len; off += alen) {
		const uint8_t *a = p + off, *v;
		size_t vlen;

		if (len - off < 6)
			goto bad;
		alen = rd16be(a) & AVP_LEN_MASK;
		if (alen < 6 || alen > len - off)
			goto bad;
		type = rd16be(a + 4);
		v = a + 6;
		vlen = alen - 6u;
		if (rd16be(a + 2) != 0 || (rd16be(a) & AVP_H))
			continue;	/* vendor-specific or hidden */
		if (off == L2TP_HDR) {
			if (type != AVP_MSG_TYPE || vlen != 2)
				goto bad;	/* Message Type comes first */
			msg = rd16be(v);
			buf_printf(&t, "L2TP version %u control message: %s\n",
			    flags & 15, l2tp_msg_name((unsigned)msg));
			json_ku64(&r->json, "version", flags & 15);
			json_kstr(&r->json, "message", l2tp_msg_name((unsigned)msg));
			continue;
		}
		switch (type) {
		case AVP_HOST_NAME:
		case AVP_VENDOR_NAME:
			buf_puts(&t, type == AVP_HOST_NAME ? "host name: " :
			    "vendor: ");
			text_sanitize(&t, v, vlen, 0);
			buf_putc(&t, '\n');
			json_key(&r->json, type == AVP_HOST_NAME ? "host_name" :
			    "vendor");
			json_strn(&r->json, v, vlen);
			break;
		case AVP_PROTO_VERSION:
			if (vlen != 2)
				goto bad;
			buf_printf(&t, "protocol version: %u.%u\n", v[0], v[1]);
			json_key(&r->json, "protocol_version");
			buf_printf(&r->json, "\"%u.%u\"", v[0], v[1]);
			break;
		case AVP_FIRMWARE:
			if (vlen != 2)
				goto bad;
			buf_printf(&t, "firmware revision: 0x%04x\n", rd16be(v));
			json_ku64(&r->json, "firmware", rd16be(v));
			break;
		case AVP_RESULT:
			if (vlen < 2)
				goto bad;
			buf_printf(&t, "result code: %u", rd16be(v));
			json_ku64(&r->json, "result_code", rd16be(v));
			if (vlen >= 4) {
				buf_printf(&t, ", error code %u", rd16be(v + 2));
				json_ku64(&r->json, "error_code", rd16be(v + 2));
			}
			if (vlen > 4) {
				buf_puts(&t, ": ");
				text_sanitize(&t, v + 4, vlen - 4, 0);
				json_key(&r->json, "error_message");
				json_strn(&r->json, v + 4, vlen - 4);
			}
			buf_putc(&t, '\n');
			break;
		}
	}
	if (msg < 0)
		goto bad;
	buf_append(&r->text, &t);
	buf_release(&t);
	report_reason(r, "l2tp reply");
	return PROBE_DONE;
bad:
	buf_release(&t);
	report_clear(r);
	return PROBE_MALFORMED;
}

const struct probe probe_l2tp = {
	.name = "l2tp",
	.proto = IPPROTO_UDP,
	.port = 1701,
	.build = l2tp_build,
	.parse = l2tp_parse,
};
