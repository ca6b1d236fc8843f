/*
 * LDAP, TCP 389, and CLDAP, UDP 389 (RFC 4511; connectionless LDAP carries
 * the same LDAPMessage in one datagram): an anonymous search of the root
 * DSE — base "", scope base, (objectClass=*), attributes "*" and "+" —
 * whose entry lists what the directory serves.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/ber.h"
#include "query/probe_util.h"

#define LDAP_SEARCH_REQ		0x63
#define LDAP_SEARCH_ENTRY	0x64
#define LDAP_SEARCH_DONE	0x65
#define LDAP_SEARCH_REF		0x73
#define LDAP_EXTENDED_RESP	0x78
#define LDAP_FILTER_PRESENT	0x87
#define LDAP_MAX_MESSAGE	(1 << 20)	/* a root DSE is a few KiB */

/* Our messageID: the conversation id, 1 to 2^31-1. */
static int32_t
ldap_msgid(const struct probe_ctx *ctx)
{
	return (int32_t)(ctx->xid % 0x7fffffff) + 1;
}

/* The root-DSE search (one step). */
static int
ldap_build(struct probe_ctx *ctx, struct buf *out)
{
	size_t msg, req, attrs;

	if (ctx->step != 0)
		return -1;
	msg = ber_begin(out, BER_SEQUENCE);
	ber_put_int(out, BER_INTEGER, ldap_msgid(ctx));
	req = ber_begin(out, LDAP_SEARCH_REQ);
	ber_put(out, BER_OCTETS, "", 0);		/* base object */
	ber_put_int(out, BER_ENUM, 0);			/* scope: base */
	ber_put_int(out, BER_ENUM, 0);			/* never deref */
	ber_put_int(out, BER_INTEGER, 0);		/* size limit */
	ber_put_int(out, BER_INTEGER, 0);		/* time limit */
	ber_put(out, BER_BOOLEAN, "\x00", 1);		/* types only */
	ber_put(out, LDAP_FILTER_PRESENT, "objectClass", 11);
	attrs = ber_begin(out, BER_SEQUENCE);
	ber_put(out, BER_OCTETS, "*", 1);
	ber_put(out, BER_OCTETS, "+", 1);
	ber_end(out, attrs);
	ber_end(out, req);
	ber_end(out, msg);
	return 0;
}

/* The RFC 4511 name of a resultCode, or "unknown". */
static const char *
ldap_result_name(int64_t code)
{
	static const struct { int code; const char *name; } names[] = {
		{ 0, "success" }, { 1, "operationsError" },
		{ 2, "protocolError" }, { 3, "timeLimitExceeded" },
		{ 4, "sizeLimitExceeded" }, { 7, "authMethodNotSupported" },
		{ 8, "strongerAuthRequired" }, { 10, "referral" },
		{ 11, "adminLimitExceeded" }, { 13, "confidentialityRequired" },
		{ 32, "noSuchObject" }, { 48, "inappropriateAuthentication" },
		{ 49, "invalidCredentials" },
		{ 50, "insufficientAccessRights" }, { 51, "busy" },
		{ 52, "unavailable" }, { 53, "unwillingToPerform" },
		{ 80, "other" },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].code == code)
			return names[i].name;
	return "unknown";
}

/* Add the attributes of one SearchResultEntry to t (a line per value) and
 * j (members "name":[values]).  Returns -1 when malformed. */
static int
ldap_entry(struct ber *op, struct buf *t, struct buf *j)
{
	struct ber dn, attrs, attr, type, vals, val;

	if (ber_expect(op, BER_OCTETS, &dn) == -1 ||
	    ber_expect(op, BER_SEQUENCE, &attrs) == -1)
		return -1;
	if (dn.len > 0) {
		buf_puts(t, "dn: ");
		text_sanitize(t, dn.p, dn.len, 0);
		buf_putc(t, '\n');
	}
	while (attrs.len > 0) {
		if (ber_expect(&attrs, BER_SEQUENCE, &attr) == -1 ||
		    ber_expect(&attr, BER_OCTETS, &type) == -1 ||
		    ber_expect(&attr, BER_SET, &vals) == -1)
			return -1;
		json_sep(j);
		json_strn(j, type.p, type.len);
		buf_add(j, ":[", 2);
		while (vals.len > 0) {
			if (ber_expect(&vals, BER_OCTETS, &val) == -1)
				return -1;
			text_sanitize(t, type.p, type.len, 0);
			buf_puts(t, ": ");
			text_sanitize(t, val.p, val.len, 0);
			buf_putc(t, '\n');
			json_sep(j);
			json_strn(j, val.p, val.len);
		}
		buf_putc(j, ']');
	}
	return 0;
}

/* Read the LDAPMessages in p[0..n) up to the SearchResultDone.  `stream`:
 * a message cut short means "more bytes to come" rather than malformed. */
static enum probe_status
ldap_read(struct probe_ctx *ctx, const uint8_t *p, size_t n, int stream,
    struct probe_report *r)
{
	struct ber in = { p, n }, msg, v, op, dn, diag;
	struct buf t, j;
	int64_t id, code = 0;
	uint8_t tag;
	unsigned entries = 0;
	enum probe_status ret = PROBE_MALFORMED;

	buf_init(&t);
	buf_init(&j);
	json_key(&j, "attributes");
	buf_putc(&j, '{');
	for (;;) {
		if (in.len == 0) {
			ret = stream ? PROBE_MORE : PROBE_MALFORMED;
			goto out;
		}
		if (ber_expect(&in, BER_SEQUENCE, &msg) == -1) {
			/* incomplete, or not a SEQUENCE at all? */
			size_t need, k;

			if (!stream || in.p[0] != BER_SEQUENCE)
				goto out;
			if (in.len < 2 || in.p[1] < 0x80) {
				ret = PROBE_MORE;	/* header or content cut */
				goto out;
			}
			k = in.p[1] & 0x7f;
			if (k == 0 || k > 4)
				goto out;
			if (in.len < 2 + k) {
				ret = PROBE_MORE;
				goto out;
			}
			for (need = 0; k > 0; k--)
				need = need << 8 | in.p[2 + (in.p[1] & 0x7f) - k];
			if (need <= LDAP_MAX_MESSAGE)
				ret = PROBE_MORE;
			goto out;
		}
		if (ber_expect(&msg, BER_INTEGER, &v) == -1 || ber_int(&v, &id) ||
		    ber_next(&msg, &tag, &op) == -1)
			goto out;
		if (tag == LDAP_EXTENDED_RESP && id == 0)
			break;		/* notice of disconnection */
		if (id != ldap_msgid(ctx))
			goto out;
		if (tag == LDAP_SEARCH_ENTRY) {
			if (ldap_entry(&op, &t, &j) == -1)
				goto out;
			entries++;
		} else if (tag == LDAP_SEARCH_DONE)
			break;
		else if (tag != LDAP_SEARCH_REF)
			goto out;
	}
	if (ber_expect(&op, BER_ENUM, &v) == -1 || ber_int(&v, &code) ||
	    ber_expect(&op, BER_OCTETS, &dn) == -1 ||
	    ber_expect(&op, BER_OCTETS, &diag) == -1)
		goto out;
	buf_putc(&j, '}');
	json_ku64(&j, "entries", entries);
	json_ki64(&j, "result_code", code);
	json_kstr(&j, "result", ldap_result_name(code));
	if (diag.len > 0) {
		json_key(&j, "diagnostic");
		json_strn(&j, diag.p, diag.len);
	}
	if (entries == 0 || code != 0) {
		buf_printf(&t, "search of the root DSE: %s (%lld)",
		    ldap_result_name(code), (long long)code);
		if (diag.len > 0) {
			buf_puts(&t, ": ");
			text_sanitize(&t, diag.p, diag.len, 0);
		}
		buf_putc(&t, '\n');
	}
	report_clear(r);
	buf_append(&r->text, &t);
	buf_append(&r->json, &j);
	report_reason(r, code == 0 ? "ldap reply" : "ldap error reply");
	ret = PROBE_DONE;
out:
	buf_release(&t);
	buf_release(&j);
	return ret;
}

/* TCP: the bytes so far may end inside a message (PROBE_MORE). */
static enum probe_status
ldap_parse_tcp(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	return ldap_read(ctx, p, n, 1, r);
}

/* CLDAP: one datagram holds every message of the answer. */
static enum probe_status
ldap_parse_udp(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	return ldap_read(ctx, p, n, 0, r);
}

const struct probe probe_ldap = {
	.name = "ldap",
	.proto = IPPROTO_TCP,
	.port = 389,
	.build = ldap_build,
	.parse = ldap_parse_tcp,
};

const struct probe probe_cldap = {
	.name = "cldap",
	.proto = IPPROTO_UDP,
	.port = 389,
	.build = ldap_build,
	.parse = ldap_parse_udp,
};
