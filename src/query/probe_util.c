/* Helpers shared by the protocol probes. */
#include <stdio.h>
#include <string.h>

#include "output/text.h"
#include "query/probe_util.h"

void
report_line(struct probe_report *r, const char *label, const void *v, size_t n)
{
	buf_puts(&r->text, label);
	buf_puts(&r->text, ": ");
	text_sanitize(&r->text, v, n, 0);
	buf_putc(&r->text, '\n');
}

void
report_lines(struct probe_report *r, const char *label, const char *v)
{
	report_line(r, label, v, strlen(v));
}

void
report_reason(struct probe_report *r, const char *reason)
{
	snprintf(r->reason, sizeof(r->reason), "%s", reason);
}

void
report_clear(struct probe_report *r)
{
	buf_reset(&r->text);
	buf_reset(&r->json);
}

void
uuid_le_str(struct buf *b, const uint8_t *u)
{
	buf_printf(b, "%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    rd32le(u), rd16le(u + 4), rd16le(u + 6), u[8], u[9], u[10], u[11],
	    u[12], u[13], u[14], u[15]);
}
