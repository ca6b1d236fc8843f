/*
 * SQL Server browser, UDP 1434 ([MC-SQLR]): CLNT_UCAST_EX, one byte, asks
 * for every instance; SVR_RESP carries them as one string of
 * "key;value;" pairs, each instance ended by an empty key (";;").
 */
#include <netinet/in.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

#define SQLR_CLNT_UCAST_EX	0x03
#define SQLR_SVR_RESP		0x05

/* CLNT_UCAST_EX: the one byte that asks for every instance. */
static int
mssql_build(struct probe_ctx *ctx, struct buf *out)
{
	if (ctx->step != 0)
		return -1;
	buf_putc(out, SQLR_CLNT_UCAST_EX);
	return 0;
}

/* SVR_RESP: 0x05, a little-endian size, then "key;value;" pairs, each
 * instance ended by ";;".  Anything that does not fit is malformed. */
static enum probe_status
mssql_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	const uint8_t *s, *end, *key, *val, *semi;
	size_t klen, vlen, instances = 0;
	uint16_t size;
	int open = 0;

	(void)ctx;
	if (n < 3 || p[0] != SQLR_SVR_RESP)
		return PROBE_MALFORMED;
	size = rd16le(p + 1);
	if (size == 0 || size > n - 3)
		return PROBE_MALFORMED;
	s = p + 3;
	end = s + size;
	json_key(&r->json, "instances");
	buf_putc(&r->json, '[');
	while (s < end) {
		key = s;
		if ((semi = memchr(s, ';', (size_t)(end - s))) == NULL)
			break;		/* trailing bytes after the last ";;" */
		klen = (size_t)(semi - key);
		s = semi + 1;
		if (klen == 0) {	/* ";;" ends an instance */
			if (!open)
				goto bad;
			buf_putc(&r->json, '}');
			open = 0;
			instances++;
			continue;
		}
		val = s;
		if ((semi = memchr(s, ';', (size_t)(end - s))) == NULL)
			goto bad;
		vlen = (size_t)(semi - val);
		s = semi + 1;
		if (!open) {
			json_sep(&r->json);
			buf_putc(&r->json, '{');
			if (r->text.len > 0)
				buf_putc(&r->text, '\n');
			open = 1;
		}
		/* PortQry's layout, "ServerName SQL-Server1" (issue 10) */
		text_sanitize(&r->text, key, klen, 0);
		buf_putc(&r->text, ' ');
		text_sanitize(&r->text, val, vlen, 0);
		buf_putc(&r->text, '\n');
		json_sep(&r->json);
		json_strn(&r->json, key, klen);
		buf_putc(&r->json, ':');
		json_strn(&r->json, val, vlen);
	}
	if (open || instances == 0)
		goto bad;
	buf_putc(&r->json, ']');
	report_reason(r, "sql browser reply");
	return PROBE_DONE;
bad:
	report_clear(r);
	return PROBE_MALFORMED;
}

const struct probe probe_mssql = {
	.name = "mssql",
	.proto = IPPROTO_UDP,
	.port = 1434,
	.build = mssql_build,
	.parse = mssql_parse,
};
