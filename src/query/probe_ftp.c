/*
 * FTP, TCP 21: the greeting, then the anonymous logon PortQry attempts
 * after it ("USER anonymous", and "PASS" when the server asks for one),
 * reporting what the server answered.  Nothing else is sent: no QUIT, no
 * commands after the logon; the engine closes the connection.
 *
 *   step 0  read the greeting; "220" goes on to the logon, anything else
 *           (421 busy, not FTP) is reported as it is
 *   step 1  USER anonymous   -> 230 logged in / 331 password wanted / 5xx
 *   step 2  PASS portscope@  -> 230 logged in / 5xx refused
 *
 * Replies are read by the banner reader's rules (probe_banner.c): a reply
 * may span lines "NNN-…" and ends at "NNN …", at most 4096 bytes.
 */
#include <netinet/in.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

/* The reply's three-digit code, or -1 when it does not start with one. */
static int
ftp_code(const uint8_t *p, size_t n)
{
	if (n < 3 || p[0] < '1' || p[0] > '5' || p[1] < '0' || p[1] > '9' ||
	    p[2] < '0' || p[2] > '9')
		return -1;
	return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

/* Nothing for the greeting; the logon's commands after it. */
static int
ftp_build(struct probe_ctx *ctx, struct buf *out)
{
	switch (ctx->step) {
	case 0:
		return 1;
	case 1:
		buf_puts(out, "USER anonymous\r\n");
		return 0;
	case 2:
		buf_puts(out, "PASS portscope@\r\n");
		return 0;
	}
	return -1;
}

/* Close the logon part of the report: allowed (1), refused (0) or no
 * answer (-1). */
static enum probe_status
ftp_logon_end(struct probe_report *r, int allowed)
{
	if (allowed < 0)
		json_knull(&r->json, "anonymous");
	else
		json_kbool(&r->json, "anonymous", allowed);
	report_reason(r, allowed > 0 ? "ftp anonymous logon allowed" :
	    allowed == 0 ? "ftp anonymous logon refused" : "banner");
	return PROBE_DONE;
}

static enum probe_status
ftp_parse(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	size_t len;
	int code, cut;

	if ((len = reply_complete(p, n, 1, &cut)) == 0)
		return PROBE_MORE;
	code = ftp_code(p, len);
	if (ctx->step == 0) {
		buf_puts(&r->text, "Data returned from port:\n");
		reply_text(&r->text, p, len);
		json_key(&r->json, "banner");
		json_strn(&r->json, p, len);
		if (code != 220 || cut) {
			report_reason(r, "banner");
			return PROBE_DONE;
		}
		return PROBE_NEXT;
	}
	if (ctx->step == 1)
		buf_puts(&r->text, "\nAttempting anonymous logon...\n"
		    "Server's response:\n");
	reply_text(&r->text, p, len);
	json_key(&r->json, ctx->step == 1 ? "user_reply" : "pass_reply");
	json_strn(&r->json, p, len);
	if (ctx->step == 1 && code == 331 && !cut)
		return PROBE_NEXT;
	return ftp_logon_end(r, code == 230 || code == 202);
}

/* The server went quiet during the logon: the greeting still stands. */
static enum probe_status
ftp_silence(struct probe_ctx *ctx, struct probe_report *r)
{
	if (ctx->step == 0)
		return PROBE_MALFORMED;
	if (ctx->step == 1)
		buf_puts(&r->text, "\nAttempting anonymous logon...\n"
		    "Server's response:\n");
	buf_puts(&r->text, "(no answer)\n");
	return ftp_logon_end(r, -1);
}

const struct probe probe_ftp = {
	.name = "ftp",
	.proto = IPPROTO_TCP,
	.port = 21,
	.build = ftp_build,
	.parse = ftp_parse,
	.silence = ftp_silence,
};
