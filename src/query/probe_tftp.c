/*
 * TFTP, UDP 69 (RFC 1350): a read request for a file that should not
 * exist.  The server answers from a new port (its transfer id) with an
 * ERROR packet — or DATA, when it does serve the name.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

#define TFTP_RRQ	1
#define TFTP_DATA	3
#define TFTP_ERROR	5
#define TFTP_OACK	6

/* RRQ for a name that includes the conversation id, in octet mode. */
static int
tftp_build(struct probe_ctx *ctx, struct buf *out)
{
	char name[64];

	if (ctx->step != 0)
		return -1;
	snprintf(name, sizeof(name), "portscope-probe-%08x.none", ctx->xid);
	wr16be(out, TFTP_RRQ);
	buf_add(out, name, strlen(name) + 1);
	buf_add(out, "octet", 6);
	return 0;
}

/* ERROR (code and message), DATA block 1, or OACK. */
static enum probe_status
tftp_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	static const char *const errs[] = { "not defined", "file not found",
	    "access violation", "disk full", "illegal operation",
	    "unknown transfer id", "file already exists", "no such user",
	    "option negotiation refused" };
	uint16_t op, code;
	size_t len;

	(void)ctx;
	if (n < 4)
		return PROBE_MALFORMED;
	op = rd16be(p);
	if (op == TFTP_ERROR) {
		code = rd16be(p + 2);
		len = strnlen((const char *)p + 4, n - 4);
		if (len == n - 4)
			return PROBE_MALFORMED;	/* message not terminated */
		buf_printf(&r->text, "TFTP error %u (%s): ", code,
		    code < sizeof(errs) / sizeof(errs[0]) ? errs[code] :
		    "unknown");
		text_sanitize(&r->text, p + 4, len, 0);
		buf_putc(&r->text, '\n');
		json_ku64(&r->json, "error_code", code);
		json_key(&r->json, "error");
		json_strn(&r->json, p + 4, len);
		report_reason(r, "tftp error reply");
		return PROBE_DONE;
	}
	if (op == TFTP_DATA) {
		if (rd16be(p + 2) != 1 || n - 4 > 512)
			return PROBE_MALFORMED;
		buf_printf(&r->text, "TFTP served the file: first block of "
		    "%zu bytes\n", n - 4);
		json_kbool(&r->json, "served", 1);
		json_ku64(&r->json, "block_bytes", n - 4);
		report_reason(r, "tftp data reply");
		return PROBE_DONE;
	}
	if (op == TFTP_OACK) {
		buf_puts(&r->text, "TFTP acknowledged options: the file is "
		    "served\n");
		json_kbool(&r->json, "served", 1);
		report_reason(r, "tftp oack reply");
		return PROBE_DONE;
	}
	return PROBE_MALFORMED;
}

const struct probe probe_tftp = {
	.name = "tftp",
	.proto = IPPROTO_UDP,
	.port = 69,
	.build = tftp_build,
	.parse = tftp_parse,
	.flags = PROBE_F_ANY_SRCPORT,
};
