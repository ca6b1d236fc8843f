/*
 * Greeting banners, TCP: SMTP 25, POP3 110, IMAP 143.  Nothing is sent;
 * the server speaks first.  SMTP greetings may span lines ("220-…"
 * continues, "220 …" ends), POP3 and IMAP greet in one line.  One reader
 * serves all three, and FTP's replies (probe_ftp.c): only the multi-line
 * rule differs.
 */
#include <netinet/in.h>
#include <string.h>

#include "output/json.h"
#include "output/text.h"
#include "query/probe_util.h"

#define BANNER_MAX	4096	/* read no more than this of a greeting */

/* Nothing to send: the server speaks first. */
static int
banner_build(struct probe_ctx *ctx, struct buf *out)
{
	(void)out;
	return ctx->step == 0 ? 1 : -1;
}

/* Whether line (of n bytes, without its end) ends a reply whose lines
 * may continue with "NNN-" (RFC 5321 4.2, RFC 959 4.2). */
static int
banner_last_line(const uint8_t *line, size_t n)
{
	return !(n >= 4 && line[3] == '-' && line[0] >= '0' &&
	    line[0] <= '9' && line[1] >= '0' && line[1] <= '9' &&
	    line[2] >= '0' && line[2] <= '9');
}

size_t
reply_complete(const uint8_t *p, size_t n, int multiline, int *cut)
{
	const uint8_t *line = p, *nl, *end;
	size_t used, len;

	*cut = 0;
	used = n < BANNER_MAX ? n : BANNER_MAX;
	end = p + used;
	while (line < end && (nl = memchr(line, '\n', (size_t)(end - line)))) {
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		if (!multiline || banner_last_line(line, len))
			return (size_t)(nl + 1 - p);
		line = nl + 1;
	}
	if (n < BANNER_MAX)
		return 0;
	*cut = 1;
	return BANNER_MAX;
}

void
reply_text(struct buf *text, const uint8_t *p, size_t n)
{
	const uint8_t *line, *nl, *end = p + n;
	size_t len;

	for (line = p; line < end; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(end - line))) == NULL)
			nl = end;
		len = (size_t)(nl - line);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		text_sanitize(text, line, len, 0);
		buf_putc(text, '\n');
	}
}

/* The greeting in p[0..n): done at the end of its first line (multiline:
 * at the first line that does not continue, "NNN "), or once BANNER_MAX
 * bytes came without one; until then PROBE_MORE. */
static enum probe_status
banner_read(const uint8_t *p, size_t n, int multiline, const char *name,
    struct probe_report *r)
{
	size_t len;
	int cut;

	if ((len = reply_complete(p, n, multiline, &cut)) == 0)
		return PROBE_MORE;
	buf_puts(&r->text, "Data returned from port:\n");
	json_key(&r->json, "banner");
	json_strn(&r->json, p, len);
	reply_text(&r->text, p, len);
	if (cut)
		buf_puts(&r->text, "(greeting cut at 4096 bytes)\n");
	report_reason(r, name);
	return PROBE_DONE;
}

/* SMTP: replies may continue over lines. */
static enum probe_status
banner_parse_multi(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	(void)ctx;
	return banner_read(p, n, 1, "banner", r);
}

/* POP3 and IMAP: one greeting line. */
static enum probe_status
banner_parse_line(struct probe_ctx *ctx, const uint8_t *p, size_t n,
    struct probe_report *r)
{
	(void)ctx;
	return banner_read(p, n, 0, "banner", r);
}

const struct probe probe_smtp = {
	.name = "smtp", .proto = IPPROTO_TCP, .port = 25,
	.build = banner_build, .parse = banner_parse_multi,
};

const struct probe probe_pop3 = {
	.name = "pop3", .proto = IPPROTO_TCP, .port = 110,
	.build = banner_build, .parse = banner_parse_line,
};

const struct probe probe_imap = {
	.name = "imap", .proto = IPPROTO_TCP, .port = 143,
	.build = banner_build, .parse = banner_parse_line,
};
