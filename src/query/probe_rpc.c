/*
 * DCE/RPC endpoint mapper, TCP 135 (C706 chapters 12 and 14, [MS-RPCE]
 * 2.2.1.2.5): bind to the endpoint mapper interface, then call ept_lookup
 * (opnum 2) for every element, passing back the entry handle, until the
 * server says there are no more.  Each entry's tower names an interface
 * and where it is served; we print them as binding strings.  Over UDP 135
 * the same calls travel as connectionless (ncadg) requests, C706 chapter
 * 12.5, with no bind; the response stubs are the same.
 */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"
#include "util/xmalloc.h"

#define RPC_HDR		16
#define RPC_RESP_HDR	24
#define PT_REQUEST	0
#define PT_RESPONSE	2
#define PT_FAULT	3
#define PT_BIND		11
#define PT_BIND_ACK	12
#define PT_BIND_NAK	13
#define PFC_FIRST	0x01
#define PFC_LAST	0x02
#define EPT_LOOKUP	2
#define EPT_MAX_ENTS	20		/* per lookup over TCP, and the most we accept */
#define EPT_MAX_ENTS_DG	4		/* over UDP: keep each answer one fragment */
#define DG_HDR		80
#define DG_REQUEST	0
#define DG_RESPONSE	2
#define DG_FAULT	3
#define DG_WORKING	4
#define DG_NOCALL	5
#define DG_REJECT	6
#define DG_F1_FRAG	0x04
#define DG_F1_IDEMPOTENT 0x20
#define EPT_NOT_REGISTERED 0x16c9a0d6u
#define RPC_MAX_STEPS	200		/* lookups before we stop asking */
#define RPC_MAX_PDU	(1 << 20)

static const uint8_t epm_uuid[16] = { 0x08, 0x83, 0xaf, 0xe1, 0x1f, 0x5d,
	0xc9, 0x11, 0x91, 0xa4, 0x08, 0x00, 0x2b, 0x14, 0xa0, 0xfa };
static const uint8_t ndr_uuid[16] = { 0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c,
	0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60 };

/* What survives between steps: the entry handle for the next lookup and
 * the endpoints found so far. */
struct rpc_state {
	uint8_t		 handle[20];
	unsigned	 count;
	struct buf	 text;
	struct buf	 json;
};

/* The conversation's state, allocated on first use; freed by
 * rpc_release(). */
static struct rpc_state *
rpc_state(struct probe_ctx *ctx)
{
	struct rpc_state *s = ctx->state;

	if (s == NULL) {
		s = xcalloc(1, sizeof(*s));
		buf_init(&s->text);
		buf_init(&s->json);
		ctx->state = s;
	}
	return s;
}

/* Free the state (the engine calls this at the end). */
static void
rpc_release(struct probe_ctx *ctx)
{
	struct rpc_state *s = ctx->state;

	if (s != NULL) {
		buf_release(&s->text);
		buf_release(&s->json);
		free(s);
		ctx->state = NULL;
	}
}

/* The 16-byte common header; the fragment length is patched by
 * rpc_finish(). */
static void
rpc_header(struct buf *out, uint8_t ptype, uint32_t call_id)
{
	static const uint8_t drep[4] = { 0x10, 0, 0, 0 };	/* LE, ASCII */

	buf_putc(out, 5);
	buf_putc(out, 0);
	buf_putc(out, (char)ptype);
	buf_putc(out, PFC_FIRST | PFC_LAST);
	buf_add(out, drep, 4);
	wr16le(out, 0);
	wr16le(out, 0);
	wr32le(out, call_id);
}

/* Write the fragment length of the PDU that starts at start. */
static void
rpc_finish(struct buf *out, size_t start)
{
	size_t n = out->len - start;

	out->data[start + 8] = (char)n;
	out->data[start + 9] = (char)(n >> 8);
}

/* The ept_lookup request stub: every element of every interface and
 * version, from the entry handle on, at most max_ents of them. */
static void
rpc_lookup_stub(struct buf *out, const struct rpc_state *s, uint32_t max_ents)
{
	wr32le(out, 0);			/* inquiry: all elements */
	wr32le(out, 0);			/* object: NULL */
	wr32le(out, 0);			/* interface: NULL */
	wr32le(out, 1);			/* all versions */
	buf_add(out, s->handle, sizeof(s->handle));
	wr32le(out, max_ents);
}

/* Step 0: bind to the endpoint mapper; step N: the Nth ept_lookup,
 * from the entry handle the previous answer gave. */
static int
rpc_build(struct probe_ctx *ctx, struct buf *out)
{
	struct rpc_state *s = rpc_state(ctx);
	size_t start = out->len;

	if (ctx->step == 0) {
		rpc_header(out, PT_BIND, 1);
		wr16le(out, 4280);		/* max xmit frag */
		wr16le(out, 4280);		/* max recv frag */
		wr32le(out, 0);			/* new association group */
		buf_putc(out, 1);		/* one context */
		buf_pad(out, 3, 0);
		wr16le(out, 0);			/* context id */
		buf_putc(out, 1);		/* one transfer syntax */
		buf_putc(out, 0);
		buf_add(out, epm_uuid, 16);
		wr16le(out, 3);
		wr16le(out, 0);
		buf_add(out, ndr_uuid, 16);
		wr32le(out, 2);
	} else {
		if (ctx->step > RPC_MAX_STEPS)
			return -1;
		rpc_header(out, PT_REQUEST, ctx->step + 1);
		wr32le(out, 40);		/* alloc hint: stub size */
		wr16le(out, 0);			/* context id */
		wr16le(out, EPT_LOOKUP);
		rpc_lookup_stub(out, s, EPT_MAX_ENTS);
	}
	rpc_finish(out, start);
	return 0;
}

/* Our activity id (connectionless calls): 16 bytes from the conversation
 * id. */
static void
rpc_activity(const struct probe_ctx *ctx, uint8_t act[16])
{
	uint32_t x = ctx->xid ^ 0x9e3779b9u;
	int i;

	for (i = 0; i < 16; i++) {
		x = x * 1103515245u + 12345u;
		act[i] = (uint8_t)(x >> 16);
	}
}

/* A connectionless ept_lookup request: the 80-byte header (C706 12.5.2),
 * sequence number = step, then the same stub as over TCP. */
static int
rpc_build_dg(struct probe_ctx *ctx, struct buf *out)
{
	struct rpc_state *s = rpc_state(ctx);
	uint8_t act[16];
	size_t start = out->len, body;

	if (ctx->step > RPC_MAX_STEPS)
		return -1;
	rpc_activity(ctx, act);
	buf_putc(out, 4);			/* version */
	buf_putc(out, DG_REQUEST);
	buf_putc(out, DG_F1_IDEMPOTENT);
	buf_putc(out, 0);
	buf_add(out, "\x10\x00\x00", 3);	/* little-endian, ASCII, IEEE */
	buf_putc(out, 0);			/* serial, high byte */
	buf_pad(out, 16, 0);			/* object: none */
	buf_add(out, epm_uuid, 16);
	buf_add(out, act, 16);
	wr32le(out, 0);				/* server boot time: unknown */
	wr32le(out, 3);				/* interface version */
	wr32le(out, ctx->step);			/* sequence number */
	wr16le(out, EPT_LOOKUP);
	wr16le(out, 0xffff);			/* interface hint */
	wr16le(out, 0xffff);			/* activity hint */
	wr16le(out, 0);				/* body length, below */
	wr16le(out, 0);				/* fragment 0 */
	buf_putc(out, 0);			/* no authentication */
	buf_putc(out, 0);			/* serial, low byte */
	rpc_lookup_stub(out, s, EPT_MAX_ENTS_DG);
	body = out->len - start - DG_HDR;
	out->data[start + 74] = (char)body;
	out->data[start + 75] = (char)(body >> 8);
	return 0;
}

/* Check the common header of the PDU at p[0..n): little-endian data
 * representation, a fragment length that fits.  Returns its length, 0
 * when more bytes are needed, or -1 when malformed. */
static long
rpc_pdu(const uint8_t *p, size_t n)
{
	uint16_t flen;

	if (n < RPC_HDR)
		return 0;
	if (p[0] != 5 || p[1] != 0 || !(p[4] & 0x10))
		return -1;
	flen = rd16le(p + 8);
	if (flen < RPC_HDR || rd16le(p + 10) + (size_t)RPC_HDR > flen)
		return -1;
	return flen > n ? 0 : flen;
}

/* The answer to our bind: bind_ack with our context accepted means go on
 * (PROBE_NEXT); a nak or a refused context is an answer too (PROBE_DONE). */
static enum probe_status
rpc_parse_bind(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	long flen = rpc_pdu(p, n);
	size_t off, sec;
	uint16_t result, reason;

	(void)ctx;
	if (flen == 0)
		return PROBE_MORE;
	if (flen < 0)
		return PROBE_MALFORMED;
	if (p[2] == PT_BIND_NAK) {
		if (flen < RPC_HDR + 2)
			return PROBE_MALFORMED;
		buf_printf(&r->text, "RPC bind to the endpoint mapper refused "
		    "(bind_nak, reason %u)\n", rd16le(p + RPC_HDR));
		json_kstr(&r->json, "bind", "nak");
		json_ku64(&r->json, "reject_reason", rd16le(p + RPC_HDR));
		report_reason(r, "rpc bind nak");
		return PROBE_DONE;
	}
	if (p[2] != PT_BIND_ACK || flen < RPC_HDR + 10)
		return PROBE_MALFORMED;
	sec = rd16le(p + RPC_HDR + 8);	/* secondary address length */
	off = RPC_HDR + 10 + sec;
	off = (off + 3) & ~(size_t)3;
	if (off + 4 + 24 > (size_t)flen || p[off] < 1)
		return PROBE_MALFORMED;
	result = rd16le(p + off + 4);
	reason = rd16le(p + off + 6);
	if (result != 0) {
		buf_printf(&r->text, "RPC endpoint mapper refused the "
		    "interface (result %u, reason %u)\n", result, reason);
		json_kstr(&r->json, "bind", "rejected");
		report_reason(r, "rpc bind ack");
		return PROBE_DONE;
	}
	return PROBE_NEXT;
}

/* A NUL-terminated string of a tower floor's right-hand side. */
static void
floor_str(struct buf *b, const uint8_t *v, size_t n)
{
	text_sanitize(b, v, strnlen((const char *)v, n), 0);
}

/* Append to t and j the interface and binding of one tower; t gets
 * PortQry's two lines, "UUID: <uuid> <annotation>" and the binding
 * ("UUID: a00c021c-2be2-11d2-b678-0000f87a8f8e PERFMON SERVICE" /
 * "ncacn_np:\\RKTLABDC2[\pipe\000003b8.000]", "Portqry Examples",
 * learn.microsoft.com cc738095).  ann (alen bytes, untrusted) is the
 * entry's annotation.  Returns -1 when the tower is malformed. */
static int
rpc_tower(const uint8_t *tw, size_t n, const uint8_t *ann, size_t alen,
    struct buf *t, struct buf *j)
{
	const uint8_t *lhs[8] = { 0 }, *rhs[8] = { 0 };
	uint16_t ll[8] = { 0 }, rl[8] = { 0 }, floors, k;
	size_t off = 2;
	struct buf bind;
	const char *seq = NULL;

	if (n < 2)
		return -1;
	floors = rd16le(tw);
	if (floors < 3)
		return -1;
	for (k = 0; k < floors; k++) {
		if (n - off < 2)
			return -1;
		ll[k < 8 ? k : 7] = rd16le(tw + off);
		if (ll[k < 8 ? k : 7] < 1 || ll[k < 8 ? k : 7] > n - off - 2)
			return -1;
		lhs[k < 8 ? k : 7] = tw + off + 2;
		off += 2u + ll[k < 8 ? k : 7];
		if (n - off < 2)
			return -1;
		rl[k < 8 ? k : 7] = rd16le(tw + off);
		if (rl[k < 8 ? k : 7] > n - off - 2)
			return -1;
		rhs[k < 8 ? k : 7] = tw + off + 2;
		off += 2u + rl[k < 8 ? k : 7];
	}
	if (ll[0] < 19 || lhs[0][0] != 0x0d)
		return -1;
	buf_puts(t, "UUID: ");
	uuid_le_str(t, lhs[0] + 1);
	if (alen > 0) {
		buf_putc(t, ' ');
		text_sanitize(t, ann, alen, 0);
	}
	buf_putc(t, '\n');
	json_key(j, "uuid");
	buf_putc(j, '"');
	uuid_le_str(j, lhs[0] + 1);
	buf_putc(j, '"');
	json_key(j, "version");
	buf_printf(j, "\"%u.%u\"", rd16le(lhs[0] + 17),
	    rl[0] >= 2 ? rd16le(rhs[0]) : 0);

	buf_init(&bind);
	if (floors >= 4) {
		switch (lhs[3][0]) {
		case 0x07: seq = "ncacn_ip_tcp"; break;
		case 0x08: seq = "ncadg_ip_udp"; break;
		case 0x0f: seq = "ncacn_np"; break;
		case 0x10: seq = "ncalrpc"; break;
		case 0x1f: seq = "ncacn_http"; break;
		}
	}
	if (seq == NULL)
		buf_printf(&bind, "protocol 0x%02x", floors >= 4 ? lhs[3][0] :
		    lhs[2][0]);
	else {
		buf_printf(&bind, "%s:", seq);
		if (floors >= 5 && lhs[4][0] == 0x09 && rl[4] == 4)
			buf_printf(&bind, "%u.%u.%u.%u", rhs[4][0], rhs[4][1],
			    rhs[4][2], rhs[4][3]);
		else if (floors >= 5 && lhs[4][0] == 0x11)
			floor_str(&bind, rhs[4], rl[4]);
		buf_putc(&bind, '[');
		if ((lhs[3][0] == 0x07 || lhs[3][0] == 0x08 ||
		    lhs[3][0] == 0x1f) && rl[3] == 2)
			buf_u64(&bind, rd16be(rhs[3]));
		else
			floor_str(&bind, rhs[3], rl[3]);
		buf_putc(&bind, ']');
	}
	buf_append(t, &bind);
	buf_putc(t, '\n');
	json_kstr(j, "binding", buf_str(&bind));
	buf_release(&bind);
	return 0;
}

/* Reassemble the response fragments in p[0..n) into stub; returns 1 when
 * complete, 0 when more bytes are needed, -1 when malformed, 2 when the
 * server sent a fault (its status in *fault). */
static int
rpc_stub(const uint8_t *p, size_t n, uint32_t call_id, struct buf *stub,
    uint32_t *fault)
{
	size_t off = 0;
	long flen;

	while (off < n) {
		const uint8_t *f = p + off;
		size_t body;

		if ((flen = rpc_pdu(f, n - off)) <= 0)
			return (int)flen;
		if (rd32le(f + 12) != call_id)
			return -1;
		if (f[2] == PT_FAULT) {
			if (flen < RPC_RESP_HDR + 4)
				return -1;
			*fault = rd32le(f + RPC_RESP_HDR);
			return 2;
		}
		if (f[2] != PT_RESPONSE || flen < RPC_RESP_HDR)
			return -1;
		body = (size_t)flen - RPC_RESP_HDR;
		if (rd16le(f + 10) > 0) {	/* auth trailer: 8 + auth */
			if (body < rd16le(f + 10) + 8u)
				return -1;
			body -= rd16le(f + 10) + 8u;
		}
		if (stub->len + body > RPC_MAX_PDU)
			return -1;
		buf_add(stub, f + RPC_RESP_HDR, body);
		off += (size_t)flen;
		if (f[3] & PFC_LAST)
			return off == n ? 1 : -1;
	}
	return 0;
}

/* Parse an ept_lookup response stub (NDR, little-endian) into s.
 * Returns 1 when this was the last batch, 0 when more remain, -1 when
 * malformed. */
static int
rpc_lookup(struct rpc_state *s, const uint8_t *p, size_t n)
{
	uint32_t num, max, actual, status, i;
	size_t off = 24, ann_at[EPT_MAX_ENTS], ann_len[EPT_MAX_ENTS];
	uint32_t ref[EPT_MAX_ENTS];
	int zero;
	size_t mark_t = s->text.len, mark_j = s->json.len;
	unsigned count = s->count;

	if (n < 24 + 12)
		goto bad;
	num = rd32le(p + 20);
	max = rd32le(p + off);
	actual = rd32le(p + off + 8);
	off += 12;
	if (num > EPT_MAX_ENTS || actual != num || max < actual)
		goto bad;
	for (i = 0; i < num; i++) {
		uint32_t alen;

		if (n - off < 16 + 4 + 8)
			goto bad;
		off += 16;			/* object uuid */
		ref[i] = rd32le(p + off);
		alen = rd32le(p + off + 8);	/* after the offset word */
		off += 12;
		if (alen > n - off || alen > 64)
			goto bad;
		ann_at[i] = off;
		ann_len[i] = strnlen((const char *)p + off, alen);
		off = (off + alen + 3) & ~(size_t)3;
		if (off > n)
			goto bad;
	}
	for (i = 0; i < num; i++) {
		uint32_t tlen;

		json_sep(&s->json);
		buf_putc(&s->json, '{');
		if (ref[i] != 0) {
			if (n - off < 8)
				goto bad;
			tlen = rd32le(p + off + 4);
			off += 8;
			if (tlen > n - off)
				goto bad;
			if (rpc_tower(p + off, tlen, p + ann_at[i],
			    ann_len[i], &s->text, &s->json) == -1)
				goto bad;
			off = (off + tlen + 3) & ~(size_t)3;
			if (off > n)
				goto bad;
		}
		if (ann_len[i] > 0) {
			if (ref[i] == 0) {	/* no tower: the annotation alone */
				buf_puts(&s->text, "annotation: ");
				text_sanitize(&s->text, p + ann_at[i],
				    ann_len[i], 0);
				buf_putc(&s->text, '\n');
			}
			json_key(&s->json, "annotation");
			json_strn(&s->json, p + ann_at[i], ann_len[i]);
		}
		buf_putc(&s->json, '}');
		buf_putc(&s->text, '\n');
		s->count++;
	}
	if (n - off < 4)
		goto bad;
	status = rd32le(p + off);
	memcpy(s->handle, p, sizeof(s->handle));
	for (zero = 1, i = 0; i < sizeof(s->handle); i++)
		if (s->handle[i] != 0)
			zero = 0;
	if (status == EPT_NOT_REGISTERED || num == 0 || zero)
		return 1;
	if (status == 0)
		return 0;
bad:
	/* drop what this batch added: the report keeps well-formed JSON */
	s->text.len = mark_t;
	s->json.len = mark_j;
	s->count = count;
	return -1;
}

/* Replace r's findings with every endpoint found so far and the total. */
static void
rpc_report(struct rpc_state *s, struct probe_report *r)
{
	report_clear(r);
	buf_append(&r->text, &s->text);
	buf_printf(&r->text, "Total endpoints found: %u\n", s->count);
	json_key(&r->json, "endpoints");
	buf_putc(&r->json, '[');
	buf_append(&r->json, &s->json);
	buf_putc(&r->json, ']');
	json_ku64(&r->json, "total", s->count);
	report_reason(r, "rpc endpoint mapper");
}

/* Step 0: the bind's answer; later steps: an ept_lookup response, or a
 * fault, possibly in several fragments. */
static enum probe_status
rpc_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	struct rpc_state *s = rpc_state(ctx);
	struct buf stub;
	uint32_t fault = 0;
	int rc;

	if (ctx->step == 0)
		return rpc_parse_bind(ctx, p, n, r);
	buf_init(&stub);
	rc = rpc_stub(p, n, ctx->step + 1, &stub, &fault);
	if (rc == 2) {
		buf_release(&stub);
		buf_printf(&s->text, "ept_lookup fault 0x%08x\n", fault);
		rpc_report(s, r);
		json_ku64(&r->json, "fault", fault);
		return PROBE_DONE;
	}
	if (rc == 1)
		rc = rpc_lookup(s, (const uint8_t *)stub.data, stub.len);
	else
		rc = rc == 0 ? 2 : -1;
	buf_release(&stub);
	if (rc == 2)
		return PROBE_MORE;
	if (rc == -1) {
		/* after a good bind the port is an endpoint mapper anyway */
		buf_puts(&s->text, "(malformed ept_lookup reply)\n");
		rpc_report(s, r);
		return PROBE_MALFORMED;
	}
	if (rc == 0 && ctx->step < RPC_MAX_STEPS)
		return PROBE_NEXT;
	rpc_report(s, r);
	return PROBE_DONE;
}

/* A connectionless reply: ours (activity id, sequence number), then a
 * response stub, a fault or a reject. */
static enum probe_status
rpc_parse_dg(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	struct rpc_state *s = rpc_state(ctx);
	uint8_t act[16];
	size_t len;
	int rc;

	rpc_activity(ctx, act);
	if (n < DG_HDR || p[0] != 4 || !(p[4] & 0x10) ||
	    memcmp(p + 40, act, 16) != 0 || rd32le(p + 64) != ctx->step)
		return PROBE_MALFORMED;
	len = rd16le(p + 74);
	if (len > n - DG_HDR)
		return PROBE_MALFORMED;
	switch (p[1]) {
	case DG_WORKING:
	case DG_NOCALL:
		return PROBE_MORE;	/* the server is still at it */
	case DG_FAULT:
	case DG_REJECT:
		if (len < 4)
			return PROBE_MALFORMED;
		buf_printf(&s->text, "ept_lookup %s 0x%08x\n", p[1] == DG_FAULT ?
		    "fault" : "rejected", rd32le(p + DG_HDR));
		rpc_report(s, r);
		json_ku64(&r->json, "fault", rd32le(p + DG_HDR));
		return PROBE_DONE;
	case DG_RESPONSE:
		if (p[2] & DG_F1_FRAG)
			return PROBE_MALFORMED;	/* we ask for one fragment */
		break;
	default:
		return PROBE_MALFORMED;
	}
	rc = rpc_lookup(s, p + DG_HDR, len);
	if (rc == -1)
		return PROBE_MALFORMED;
	if (rc == 0 && ctx->step < RPC_MAX_STEPS)
		return PROBE_NEXT;
	rpc_report(s, r);
	return PROBE_DONE;
}

/* A lookup went unanswered (or the conversation's deadline came): after
 * the bind (TCP) or a first batch (UDP) the port is an endpoint mapper
 * anyway; report the endpoints found so far, saying the list is cut. */
static enum probe_status
rpc_silence(struct probe_ctx *ctx, struct probe_report *r)
{
	struct rpc_state *s = rpc_state(ctx);

	if (ctx->step == 0)
		return PROBE_MALFORMED;		/* nothing heard yet */
	buf_puts(&s->text, "(list incomplete: ept_lookup not answered)\n");
	rpc_report(s, r);
	json_kbool(&r->json, "incomplete", 1);
	return PROBE_DONE;
}

const struct probe probe_rpc = {
	.name = "rpc",
	.proto = IPPROTO_TCP,
	.port = 135,
	.build = rpc_build,
	.parse = rpc_parse,
	.release = rpc_release,
	.silence = rpc_silence,
};

const struct probe probe_rpc_udp = {
	.name = "rpc",
	.proto = IPPROTO_UDP,
	.port = 135,
	.build = rpc_build_dg,
	.parse = rpc_parse_dg,
	.release = rpc_release,
	.silence = rpc_silence,
};
