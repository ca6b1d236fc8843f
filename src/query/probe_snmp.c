/*
 * SNMP, UDP 161 (RFC 1157, RFC 3416, RFC 3412/3414 for the discovery): a
 * GetRequest for sysDescr, sysUpTime and sysName with the -cn community,
 * in v2c and then v1.  Agents drop a request whose community they do not
 * know, so when both stay silent an SNMPv3 engine-ID discovery (which
 * needs no secret) tells a live agent with another community from
 * silence.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/ber.h"
#include "query/probe_util.h"

enum { SNMP_STEP_V2C, SNMP_STEP_V1, SNMP_STEP_V3, SNMP_STEPS };

#define PDU_GET		0xa0
#define PDU_RESPONSE	0xa2
#define PDU_REPORT	0xa8

static const struct {
	const char	*name;
	uint8_t		 oid[8];	/* encoded, 1.3.6.1.2.1.1.N.0 */
} snmp_vars[] = {
	{ "sysDescr",  { 0x2b, 6, 1, 2, 1, 1, 1, 0 } },
	{ "sysUpTime", { 0x2b, 6, 1, 2, 1, 1, 3, 0 } },
	{ "sysName",   { 0x2b, 6, 1, 2, 1, 1, 5, 0 } },
};

static const char *const snmp_errors[] = {
	"noError", "tooBig", "noSuchName", "badValue", "readOnly", "genErr",
	"noAccess", "wrongType", "wrongLength", "wrongEncoding", "wrongValue",
	"noCreation", "inconsistentValue", "resourceUnavailable",
	"commitFailed", "undoFailed", "authorizationError", "notWritable",
	"inconsistentName",
};

/* The community to send: -cn, or "public". */
static const char *
snmp_community(const struct probe_ctx *ctx)
{
	return ctx->community != NULL ? ctx->community : "public";
}

/* Our request-id (and v3 msgID): the conversation id, kept positive. */
static int32_t
snmp_reqid(const struct probe_ctx *ctx)
{
	return (int32_t)(ctx->xid & 0x7fffffff);
}

/* v1/v2c GetRequest, or (step 2) a v3 discovery: reportable, no user,
 * empty engine ID, an empty GetRequest. */
static int
snmp_build(struct probe_ctx *ctx, struct buf *out)
{
	size_t msg, m2, m3, i;
	const char *c;

	msg = ber_begin(out, BER_SEQUENCE);
	if (ctx->step == SNMP_STEP_V3) {
		ber_put_int(out, BER_INTEGER, 3);
		m2 = ber_begin(out, BER_SEQUENCE);
		ber_put_int(out, BER_INTEGER, snmp_reqid(ctx));
		ber_put_int(out, BER_INTEGER, 65507);
		ber_put(out, BER_OCTETS, "\x04", 1);		/* reportable */
		ber_put_int(out, BER_INTEGER, 3);		/* USM */
		ber_end(out, m2);
		m2 = ber_begin(out, BER_OCTETS);
		m3 = ber_begin(out, BER_SEQUENCE);
		ber_put(out, BER_OCTETS, "", 0);
		ber_put_int(out, BER_INTEGER, 0);
		ber_put_int(out, BER_INTEGER, 0);
		ber_put(out, BER_OCTETS, "", 0);
		ber_put(out, BER_OCTETS, "", 0);
		ber_put(out, BER_OCTETS, "", 0);
		ber_end(out, m3);
		ber_end(out, m2);
		m2 = ber_begin(out, BER_SEQUENCE);
		ber_put(out, BER_OCTETS, "", 0);
		ber_put(out, BER_OCTETS, "", 0);
		m3 = ber_begin(out, PDU_GET);
		ber_put_int(out, BER_INTEGER, snmp_reqid(ctx));
		ber_put_int(out, BER_INTEGER, 0);
		ber_put_int(out, BER_INTEGER, 0);
		ber_end(out, ber_begin(out, BER_SEQUENCE));
		ber_end(out, m3);
		ber_end(out, m2);
		ber_end(out, msg);
		return 0;
	}
	if (ctx->step > SNMP_STEP_V3)
		return -1;
	c = snmp_community(ctx);
	ber_put_int(out, BER_INTEGER, ctx->step == SNMP_STEP_V2C ? 1 : 0);
	ber_put(out, BER_OCTETS, c, strlen(c));
	m2 = ber_begin(out, PDU_GET);
	ber_put_int(out, BER_INTEGER, snmp_reqid(ctx));
	ber_put_int(out, BER_INTEGER, 0);
	ber_put_int(out, BER_INTEGER, 0);
	m3 = ber_begin(out, BER_SEQUENCE);
	for (i = 0; i < sizeof(snmp_vars) / sizeof(snmp_vars[0]); i++) {
		size_t vb = ber_begin(out, BER_SEQUENCE);

		ber_put(out, BER_OID, snmp_vars[i].oid, sizeof(snmp_vars[i].oid));
		ber_put(out, BER_NULL, "", 0);
		ber_end(out, vb);
	}
	ber_end(out, m3);
	ber_end(out, m2);
	ber_end(out, msg);
	return 0;
}

/* The name we asked for by this encoded OID, or NULL. */
static const char *
snmp_var_name(const struct ber *oid)
{
	size_t i;

	for (i = 0; i < sizeof(snmp_vars) / sizeof(snmp_vars[0]); i++)
		if (oid->len == sizeof(snmp_vars[i].oid) &&
		    memcmp(oid->p, snmp_vars[i].oid, oid->len) == 0)
			return snmp_vars[i].name;
	return NULL;
}

/* Append one value (of any SMI type) as text to t and as a JSON member
 * "value" to j.  Returns -1 when its encoding is malformed. */
static int
snmp_value(uint8_t tag, const struct ber *v, struct buf *t, struct buf *j)
{
	int64_t i;
	uint64_t u;
	size_t k;

	switch (tag) {
	case BER_OCTETS:
	case 0x44:		/* Opaque */
		text_sanitize(t, v->p, v->len, 0);
		json_key(j, "value");
		json_strn(j, v->p, v->len);
		return 0;
	case BER_INTEGER:
		if (ber_int(v, &i) == -1)
			return -1;
		buf_i64(t, i);
		json_ki64(j, "value", i);
		return 0;
	case 0x41: case 0x42: case 0x43: case 0x46:	/* counters, ticks */
		if (v->len == 0 || v->len > 9 ||
		    (v->len == 9 && v->p[0] != 0))
			return -1;
		for (u = 0, k = 0; k < v->len; k++)
			u = u << 8 | v->p[k];
		buf_u64(t, u);
		if (tag == 0x43)
			buf_printf(t, " (%llud %02llu:%02llu:%02llu.%02llu)",
			    (unsigned long long)(u / 8640000),
			    (unsigned long long)(u / 360000 % 24),
			    (unsigned long long)(u / 6000 % 60),
			    (unsigned long long)(u / 100 % 60),
			    (unsigned long long)(u % 100));
		json_ku64(j, "value", u);
		return 0;
	case 0x40:		/* IpAddress */
		if (v->len != 4)
			return -1;
		buf_printf(t, "%u.%u.%u.%u", v->p[0], v->p[1], v->p[2], v->p[3]);
		json_key(j, "value");
		buf_printf(j, "\"%u.%u.%u.%u\"", v->p[0], v->p[1], v->p[2],
		    v->p[3]);
		return 0;
	case BER_OID: {
		size_t at = j->len;

		json_key(j, "value");
		buf_putc(j, '"');
		if (ber_oid_str(v, j) == -1) {
			j->len = at;
			return -1;
		}
		buf_putc(j, '"');
		ber_oid_str(v, t);
		return 0;
	}
	case BER_NULL:
		buf_puts(t, "(null)");
		json_knull(j, "value");
		return 0;
	case 0x80: case 0x81: case 0x82: {
		static const char *const ex[] = { "noSuchObject",
		    "noSuchInstance", "endOfMibView" };

		buf_puts(t, ex[tag - 0x80]);
		json_kstr(j, "exception", ex[tag - 0x80]);
		return 0;
	}
	default:
		return -1;
	}
}

/* Read a v1/v2c response: the PDU content after version and community. */
static enum probe_status
snmp_parse_community(struct probe_ctx *ctx, int64_t version, struct ber *m,
    struct probe_report *r)
{
	struct ber pdu, v, vbl, vb, oid, val;
	int64_t reqid, status, index;
	uint8_t tag;
	struct buf t, j;
	enum probe_status ret = PROBE_MALFORMED;

	if (ber_expect(m, BER_OCTETS, &v) == -1 ||
	    ber_expect(m, PDU_RESPONSE, &pdu) == -1 ||
	    ber_expect(&pdu, BER_INTEGER, &v) == -1 || ber_int(&v, &reqid) ||
	    reqid != snmp_reqid(ctx) ||
	    ber_expect(&pdu, BER_INTEGER, &v) == -1 || ber_int(&v, &status) ||
	    ber_expect(&pdu, BER_INTEGER, &v) == -1 || ber_int(&v, &index) ||
	    ber_expect(&pdu, BER_SEQUENCE, &vbl) == -1)
		return PROBE_MALFORMED;
	buf_init(&t);
	buf_init(&j);
	buf_printf(&t, "SNMP%s agent answered community '",
	    version == 1 ? "v2c" : "v1");
	text_sanitize(&t, snmp_community(ctx), strlen(snmp_community(ctx)), 0);
	buf_puts(&t, "'\n");
	json_kstr(&j, "version", version == 1 ? "v2c" : "v1");
	if (status != 0) {
		const char *s = status > 0 && (size_t)status <
		    sizeof(snmp_errors) / sizeof(snmp_errors[0]) ?
		    snmp_errors[status] : "unknown";

		buf_printf(&t, "error status: %s (%lld) at index %lld\n", s,
		    (long long)status, (long long)index);
		json_kstr(&j, "error_status", s);
		json_ki64(&j, "error_index", index);
	}
	json_key(&j, "values");
	buf_putc(&j, '[');
	while (vbl.len > 0) {
		const char *name;

		if (ber_expect(&vbl, BER_SEQUENCE, &vb) == -1 ||
		    ber_expect(&vb, BER_OID, &oid) == -1 ||
		    ber_next(&vb, &tag, &val) == -1 || vb.len != 0)
			goto out;
		json_sep(&j);
		buf_putc(&j, '{');
		json_key(&j, "oid");
		buf_putc(&j, '"');
		if (ber_oid_str(&oid, &j) == -1)
			goto out;
		buf_putc(&j, '"');
		if ((name = snmp_var_name(&oid)) != NULL) {
			json_kstr(&j, "name", name);
			buf_puts(&t, name);
		} else
			ber_oid_str(&oid, &t);
		buf_puts(&t, ": ");
		if (snmp_value(tag, &val, &t, &j) == -1)
			goto out;
		buf_putc(&t, '\n');
		buf_putc(&j, '}');
	}
	buf_putc(&j, ']');
	report_clear(r);
	buf_append(&r->text, &t);
	buf_append(&r->json, &j);
	report_reason(r, status != 0 ? "snmp error reply" : "snmp reply");
	ret = PROBE_DONE;
out:
	buf_release(&t);
	buf_release(&j);
	return ret;
}

/* Read a v3 message: the answer to our discovery (a Report) names the
 * agent's engine. */
static enum probe_status
snmp_parse_v3(struct probe_ctx *ctx, struct ber *m, struct probe_report *r)
{
	struct ber hdr, sec, usm, engine, v, scoped, pdu;
	int64_t msgid;
	uint8_t tag;
	const char *c = snmp_community(ctx);
	size_t i;

	if (ber_expect(m, BER_SEQUENCE, &hdr) == -1 ||
	    ber_expect(&hdr, BER_INTEGER, &v) == -1 || ber_int(&v, &msgid) ||
	    msgid != snmp_reqid(ctx) ||
	    ber_expect(m, BER_OCTETS, &sec) == -1 ||
	    ber_expect(&sec, BER_SEQUENCE, &usm) == -1 ||
	    ber_expect(&usm, BER_OCTETS, &engine) == -1 ||
	    ber_expect(m, BER_SEQUENCE, &scoped) == -1 ||
	    ber_expect(&scoped, BER_OCTETS, &v) == -1 ||
	    ber_expect(&scoped, BER_OCTETS, &v) == -1 ||
	    ber_next(&scoped, &tag, &pdu) == -1 ||
	    (tag != PDU_REPORT && tag != PDU_RESPONSE))
		return PROBE_MALFORMED;
	report_clear(r);
	buf_puts(&r->text, "SNMP agent answered an SNMPv3 discovery but "
	    "neither SNMPv2c nor SNMPv1 with community '");
	text_sanitize(&r->text, c, strlen(c), 0);
	buf_puts(&r->text, "': wrong community\n");
	buf_puts(&r->text, "engine ID: ");
	json_kstr(&r->json, "version", "v3");
	json_kbool(&r->json, "community_accepted", 0);
	json_key(&r->json, "engine_id");
	buf_putc(&r->json, '"');
	for (i = 0; i < engine.len; i++) {
		buf_printf(&r->text, "%02x", engine.p[i]);
		buf_printf(&r->json, "%02x", engine.p[i]);
	}
	buf_putc(&r->json, '"');
	buf_putc(&r->text, '\n');
	report_reason(r, "snmp reply, wrong community");
	return PROBE_DONE;
}

/* Any reply: by its version field, a v1/v2c response or a v3 message. */
static enum probe_status
snmp_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	struct ber in = { p, n }, m, v;
	int64_t version;

	if (ber_expect(&in, BER_SEQUENCE, &m) == -1 ||
	    ber_expect(&m, BER_INTEGER, &v) == -1 || ber_int(&v, &version))
		return PROBE_MALFORMED;
	if (version == 0 || version == 1)
		return snmp_parse_community(ctx, version, &m, r);
	if (version == 3)
		return snmp_parse_v3(ctx, &m, r);
	return PROBE_MALFORMED;
}

/* No answer to v2c: try v1; none to v1 either: ask for v3 discovery. */
static enum probe_status
snmp_silence(struct probe_ctx *ctx, struct probe_report *r)
{
	(void)r;
	return ctx->step + 1 < SNMP_STEPS ? PROBE_NEXT : PROBE_MALFORMED;
}

const struct probe probe_snmp = {
	.name = "snmp",
	.proto = IPPROTO_UDP,
	.port = 161,
	.build = snmp_build,
	.parse = snmp_parse,
	.silence = snmp_silence,
};
