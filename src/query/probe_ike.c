/*
 * ISAKMP / IKE, UDP 500: an IKEv2 IKE_SA_INIT (RFC 7296) offering
 * AES-CBC-128, HMAC-SHA2-256, MODP-2048; when that gets no answer, an
 * IKEv1 Main Mode first message (RFC 2408, 2409) with the same suite.  Any
 * well-formed IKE message back — the responder's chosen proposal, or a
 * notify such as NO_PROPOSAL_CHOSEN or INVALID_KE_PAYLOAD — is an answer.
 */
#include <netinet/in.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

#define IKE_HDR		28
#define IKE_V2		0x20
#define IKE_V1		0x10
#define IKEV2_SA_INIT	34
#define IKEV1_MAIN_MODE	2
#define IKEV2_FLAG_INIT	0x08
#define IKEV2_FLAG_RESP	0x20

/* payload types */
#define V1_SA		1
#define V1_NOTIFY	11
#define V1_VENDOR	13
#define V2_SA		33
#define V2_KE		34
#define V2_NOTIFY	41
#define V2_NONCE	40
#define V2_VENDOR	43

#define DH_GROUP	14		/* MODP 2048 */
#define DH_BYTES	256

enum { IKE_STEP_V2, IKE_STEP_V1, IKE_STEPS };

/* Our SPI (IKEv2) or cookie (IKEv1): 8 bytes from the conversation id,
 * never all zero. */
static void
ike_spi(const struct probe_ctx *ctx, uint8_t spi[8])
{
	uint32_t x = ctx->xid;
	int i;

	for (i = 0; i < 8; i++) {
		x = x * 1103515245u + 12345u;
		spi[i] = (uint8_t)(x >> 16);
	}
	spi[0] |= 0x80;
}

/* Write the length of the payload that starts at start (big-endian,
 * bytes 2-3 of its generic header). */
static void
payload_len(struct buf *out, size_t start)
{
	size_t n = out->len - start;

	out->data[start + 2] = (char)(n >> 8);
	out->data[start + 3] = (char)n;
}

/* Append an IKEv2 transform substructure; keylen adds a Key Length
 * attribute. */
static void
transform_v2(struct buf *out, int last, uint8_t type, uint16_t id,
    int keylen)
{
	buf_putc(out, last ? 0 : 3);
	buf_putc(out, 0);
	wr16be(out, keylen ? 12 : 8);
	buf_putc(out, (char)type);
	buf_putc(out, 0);
	wr16be(out, id);
	if (keylen) {
		wr16be(out, 0x800e);		/* TV: key length */
		wr16be(out, (uint16_t)keylen);
	}
}

/* IKEv2 IKE_SA_INIT: SA (one proposal), KE (MODP 2048), Nonce. */
static void
ike_build_v2(struct probe_ctx *ctx, struct buf *out)
{
	uint8_t spi[8];
	size_t msg = out->len, pl, prop, i;

	ike_spi(ctx, spi);
	buf_add(out, spi, 8);
	buf_pad(out, 8, 0);
	buf_putc(out, V2_SA);
	buf_putc(out, IKE_V2);
	buf_putc(out, IKEV2_SA_INIT);
	buf_putc(out, IKEV2_FLAG_INIT);
	wr32be(out, 0);			/* message id */
	wr32be(out, 0);			/* length, below */

	pl = out->len;
	buf_putc(out, V2_KE);
	buf_putc(out, 0);
	wr16be(out, 0);
	prop = out->len;
	buf_putc(out, 0);		/* last proposal */
	buf_putc(out, 0);
	wr16be(out, 0);
	buf_putc(out, 1);		/* proposal 1 */
	buf_putc(out, 1);		/* IKE */
	buf_putc(out, 0);		/* no SPI */
	buf_putc(out, 4);		/* transforms */
	transform_v2(out, 0, 1, 12, 128);	/* ENCR_AES_CBC 128 */
	transform_v2(out, 0, 2, 5, 0);		/* PRF_HMAC_SHA2_256 */
	transform_v2(out, 0, 3, 12, 0);		/* AUTH_HMAC_SHA2_256_128 */
	transform_v2(out, 1, 4, DH_GROUP, 0);
	payload_len(out, prop);
	payload_len(out, pl);

	pl = out->len;
	buf_putc(out, V2_NONCE);
	buf_putc(out, 0);
	wr16be(out, 0);
	wr16be(out, DH_GROUP);
	wr16be(out, 0);
	/* a public value in (1, p-1): the prime begins with 64 one bits */
	for (i = 0; i < DH_BYTES; i++)
		buf_putc(out, (char)(i == 0 ? 0x5a : spi[i % 8] ^ (uint8_t)i));
	payload_len(out, pl);

	pl = out->len;
	buf_putc(out, 0);
	buf_putc(out, 0);
	wr16be(out, 0);
	for (i = 0; i < 32; i++)
		buf_putc(out, (char)(spi[(i + 3) % 8] ^ (uint8_t)(i * 7)));
	payload_len(out, pl);

	out->data[msg + 24] = (char)((out->len - msg) >> 24);
	out->data[msg + 25] = (char)((out->len - msg) >> 16);
	out->data[msg + 26] = (char)((out->len - msg) >> 8);
	out->data[msg + 27] = (char)(out->len - msg);
}

/* IKEv1 Main Mode, first message: one SA with one ISAKMP proposal. */
static void
ike_build_v1(struct probe_ctx *ctx, struct buf *out)
{
	static const uint16_t attrs[][2] = {
		{ 1, 7 },		/* encryption: AES-CBC */
		{ 14, 128 },		/* key length */
		{ 2, 2 },		/* hash: SHA */
		{ 3, 1 },		/* authentication: pre-shared key */
		{ 4, DH_GROUP },
		{ 11, 1 },		/* life type: seconds */
		{ 12, 28800 },		/* life duration */
	};
	uint8_t cookie[8];
	size_t msg = out->len, sa, prop, tr, i;

	ike_spi(ctx, cookie);
	buf_add(out, cookie, 8);
	buf_pad(out, 8, 0);
	buf_putc(out, V1_SA);
	buf_putc(out, IKE_V1);
	buf_putc(out, IKEV1_MAIN_MODE);
	buf_putc(out, 0);
	wr32be(out, 0);
	wr32be(out, 0);

	sa = out->len;
	buf_putc(out, 0);
	buf_putc(out, 0);
	wr16be(out, 0);
	wr32be(out, 1);			/* DOI: IPsec */
	wr32be(out, 1);			/* situation: identity only */
	prop = out->len;
	buf_putc(out, 0);
	buf_putc(out, 0);
	wr16be(out, 0);
	buf_putc(out, 1);		/* proposal 1 */
	buf_putc(out, 1);		/* PROTO_ISAKMP */
	buf_putc(out, 0);		/* no SPI */
	buf_putc(out, 1);		/* one transform */
	tr = out->len;
	buf_putc(out, 0);
	buf_putc(out, 0);
	wr16be(out, 0);
	buf_putc(out, 1);		/* transform 1 */
	buf_putc(out, 1);		/* KEY_IKE */
	wr16be(out, 0);
	for (i = 0; i < sizeof(attrs) / sizeof(attrs[0]); i++) {
		wr16be(out, (uint16_t)(0x8000 | attrs[i][0]));
		wr16be(out, attrs[i][1]);
	}
	payload_len(out, tr);
	payload_len(out, prop);
	payload_len(out, sa);
	out->data[msg + 26] = (char)((out->len - msg) >> 8);
	out->data[msg + 27] = (char)(out->len - msg);
}

/* Step 0: IKEv2; step 1: IKEv1. */
static int
ike_build(struct probe_ctx *ctx, struct buf *out)
{
	if (ctx->step == IKE_STEP_V2)
		ike_build_v2(ctx, out);
	else if (ctx->step == IKE_STEP_V1)
		ike_build_v1(ctx, out);
	else
		return -1;
	return 0;
}

/* The name of a notify message type in IKEv2 or IKEv1, or NULL. */
static const char *
notify_name(int v2, unsigned t)
{
	static const struct { unsigned t; const char *v2, *v1; } names[] = {
		{ 1, "UNSUPPORTED_CRITICAL_PAYLOAD", "INVALID-PAYLOAD-TYPE" },
		{ 4, "INVALID_IKE_SPI", "INVALID-COOKIE" },
		{ 5, "INVALID_MAJOR_VERSION", "INVALID-MAJOR-VERSION" },
		{ 7, "INVALID_SYNTAX", "INVALID-EXCHANGE-TYPE" },
		{ 9, "INVALID_MESSAGE_ID", "INVALID-MESSAGE-ID" },
		{ 14, "NO_PROPOSAL_CHOSEN", "NO-PROPOSAL-CHOSEN" },
		{ 16, "PAYLOAD-MALFORMED", "PAYLOAD-MALFORMED" },
		{ 17, "INVALID_KE_PAYLOAD", "INVALID-KEY-INFORMATION" },
		{ 24, "AUTHENTICATION_FAILED", "AUTHENTICATION-FAILED" },
		{ 16388, "NAT_DETECTION_SOURCE_IP", NULL },
		{ 16389, "NAT_DETECTION_DESTINATION_IP", NULL },
		{ 16390, "COOKIE", NULL },
		{ 16404, "MULTIPLE_AUTH_SUPPORTED", NULL },
		{ 16418, "REDIRECT_SUPPORTED", NULL },
		{ 16430, "IKEV2_FRAGMENTATION_SUPPORTED", NULL },
		{ 16431, "SIGNATURE_HASH_ALGORITHMS", NULL },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].t == t)
			return v2 ? names[i].v2 : names[i].v1;
	return NULL;
}

/* The IKEv2 name of a transform (type, id), or NULL. */
static const char *
transform_name(unsigned type, unsigned id)
{
	static const struct { unsigned type, id; const char *name; } names[] = {
		{ 1, 3, "3DES" }, { 1, 12, "AES_CBC" }, { 1, 20, "AES_GCM_16" },
		{ 1, 28, "CHACHA20_POLY1305" }, { 2, 2, "PRF_HMAC_SHA1" },
		{ 2, 5, "PRF_HMAC_SHA2_256" }, { 2, 6, "PRF_HMAC_SHA2_384" },
		{ 2, 7, "PRF_HMAC_SHA2_512" }, { 3, 2, "HMAC_SHA1_96" },
		{ 3, 12, "HMAC_SHA2_256_128" }, { 3, 13, "HMAC_SHA2_384_192" },
		{ 3, 14, "HMAC_SHA2_512_256" }, { 4, 2, "MODP_1024" },
		{ 4, 14, "MODP_2048" }, { 4, 15, "MODP_3072" },
		{ 4, 19, "ECP_256" }, { 4, 20, "ECP_384" },
		{ 4, 31, "CURVE25519" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].type == type && names[i].id == id)
			return names[i].name;
	return NULL;
}

/* The transforms of the first IKEv2 proposal in an SA payload body. */
static int
sa_v2(const uint8_t *b, size_t n, struct buf *t, struct buf *j)
{
	size_t plen, off, tlen;
	unsigned count, k;

	if (n < 8)
		return -1;
	plen = rd16be(b + 2);
	if (plen < 8 || plen > n || 8u + b[6] > plen)
		return -1;
	count = b[7];
	off = 8u + b[6];		/* past the SPI */
	buf_puts(t, "proposal chosen:");
	json_key(j, "proposal");
	buf_putc(j, '[');
	for (k = 0; k < count; k++, off += tlen) {
		const char *name;

		if (plen - off < 8)
			return -1;
		tlen = rd16be(b + off + 2);
		if (tlen < 8 || tlen > plen - off)
			return -1;
		name = transform_name(b[off + 4], rd16be(b + off + 6));
		json_sep(j);
		if (name != NULL) {
			buf_printf(t, " %s", name);
			json_str(j, name);
		} else {
			buf_printf(t, " type%u:%u", b[off + 4],
			    rd16be(b + off + 6));
			buf_printf(j, "\"type%u:%u\"", b[off + 4],
			    rd16be(b + off + 6));
		}
		if (tlen >= 12 && rd16be(b + off + 8) == 0x800e)
			buf_printf(t, "-%u", rd16be(b + off + 10));
	}
	buf_putc(j, ']');
	buf_putc(t, '\n');
	return 0;
}

/* Any IKE message for our SPI (cookie): walk its payloads and report the
 * chosen proposal, notifies, key exchange group and vendor ids. */
static enum probe_status
ike_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	uint8_t spi[8];
	unsigned next, version, exch, notifies = 0;
	size_t len, off, plen, k;
	int v2;
	struct buf t, j, nj;
	const char *name;

	ike_spi(ctx, spi);
	if (n < IKE_HDR || memcmp(p, spi, 8) != 0)
		return PROBE_MALFORMED;
	version = p[17];
	exch = p[18];
	next = p[16];
	len = rd32be(p + 24);
	v2 = (version >> 4) == 2;
	if ((!v2 && (version >> 4) != 1) || len < IKE_HDR || len > n ||
	    (v2 && !(p[19] & IKEV2_FLAG_RESP)))
		return PROBE_MALFORMED;
	buf_init(&t);
	buf_init(&j);
	buf_init(&nj);
	buf_printf(&t, "IKEv%u %s from the responder\n", v2 ? 2 : 1,
	    v2 ? (exch == IKEV2_SA_INIT ? "IKE_SA_INIT response" :
	    "message") : (exch == 5 ? "Informational message" :
	    exch == IKEV1_MAIN_MODE ? "Main Mode response" : "message"));
	json_ku64(&j, "version", v2 ? 2 : 1);
	json_ku64(&j, "exchange", exch);
	for (off = IKE_HDR; next != 0; off += plen) {
		const uint8_t *b;
		size_t bl;
		unsigned type = next;

		if (len - off < 4)
			goto bad;
		plen = rd16be(p + off + 2);
		if (plen < 4 || plen > len - off)
			goto bad;
		next = p[off];
		b = p + off + 4;
		bl = plen - 4;
		if ((v2 && type == V2_SA) || (!v2 && type == V1_SA)) {
			if (v2 ? sa_v2(b, bl, &t, &j) :
			    (bl < 8 ? -1 : (buf_puts(&t, "proposal accepted\n"),
			    json_kbool(&j, "proposal_accepted", 1), 0)))
				goto bad;
		} else if ((v2 && type == V2_NOTIFY) || (!v2 && type == V1_NOTIFY)) {
			size_t at = v2 ? 0 : 4;	/* IKEv1 adds a DOI */
			unsigned nt;

			if (bl < at + 4 || bl < at + 4 + b[at + 1])
				goto bad;
			nt = rd16be(b + at + 2);
			name = notify_name(v2, nt);
			buf_printf(&t, "notify: %s (%u)", name ? name : "unknown",
			    nt);
			if (v2 && nt == 17 && bl >= at + 4 + b[at + 1] + 2)
				buf_printf(&t, ", responder wants DH group %u",
				    rd16be(b + at + 4 + b[at + 1]));
			buf_putc(&t, '\n');
			if (notifies++ > 0)
				buf_putc(&nj, ',');
			if (name != NULL)
				json_str(&nj, name);
			else
				buf_printf(&nj, "\"%u\"", nt);
		} else if (v2 && type == V2_KE && bl >= 2) {
			buf_printf(&t, "key exchange: DH group %u\n", rd16be(b));
			json_ku64(&j, "dh_group", rd16be(b));
		} else if (type == (v2 ? V2_VENDOR : V1_VENDOR)) {
			buf_puts(&t, "vendor id: ");
			for (k = 0; k < bl && k < 32; k++)
				buf_printf(&t, "%02x", b[k]);
			buf_putc(&t, '\n');
		}
	}
	if (notifies > 0) {
		json_key(&j, "notify");
		buf_putc(&j, '[');
		buf_append(&j, &nj);
		buf_putc(&j, ']');
	}
	buf_append(&r->text, &t);
	buf_append(&r->json, &j);
	buf_release(&t);
	buf_release(&j);
	buf_release(&nj);
	report_reason(r, v2 ? "ikev2 reply" : "ikev1 reply");
	return PROBE_DONE;
bad:
	buf_release(&t);
	buf_release(&j);
	buf_release(&nj);
	return PROBE_MALFORMED;
}

/* No answer to IKEv2: try IKEv1; none to IKEv1 either: silence. */
static enum probe_status
ike_silence(struct probe_ctx *ctx, struct probe_report *r)
{
	(void)r;
	return ctx->step + 1 < IKE_STEPS ? PROBE_NEXT : PROBE_MALFORMED;
}

const struct probe probe_ike = {
	.name = "ike",
	.proto = IPPROTO_UDP,
	.port = 500,
	.build = ike_build,
	.parse = ike_parse,
	.silence = ike_silence,
};
