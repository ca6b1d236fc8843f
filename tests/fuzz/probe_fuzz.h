/*
 * Shared body of the probe fuzz harnesses: feed one input, as the reply
 * to every step of a probe's conversation, to its parser (and to its
 * silence() hook), with the conversation id the seed replies were
 * recorded under (tests/tools/probe_talk -x).  Whatever the bytes, the
 * text a probe writes for a terminal must hold only printable ASCII and
 * newlines, and its JSON members, once braced, must be one valid JSON
 * object; anything else aborts, so that the fuzzer reports it.
 */
#ifndef FUZZ_PROBE_FUZZ_H
#define FUZZ_PROBE_FUZZ_H

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "query/probe.h"

#define FUZZ_XID	0x5053434fu

/* A strict little JSON checker: returns the position just past the value
 * at p (spaces not allowed: our writer emits none), or NULL. */
static const char *fuzz_json_value(const char *p, const char *end, int depth);

static const char *
fuzz_json_string(const char *p, const char *end)
{
	if (p >= end || *p++ != '"')
		return NULL;
	while (p < end && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return NULL;
		if (*p == '\\') {
			if (++p >= end)
				return NULL;
			if (*p == 'u') {
				if (end - p < 5)
					return NULL;
				p += 4;
			} else if (strchr("\"\\/bfnrt", *p) == NULL)
				return NULL;
		}
		p++;
	}
	return p < end ? p + 1 : NULL;
}

static const char *
fuzz_json_value(const char *p, const char *end, int depth)
{
	if (p >= end || depth > 32)
		return NULL;
	if (*p == '"')
		return fuzz_json_string(p, end);
	if (*p == '{' || *p == '[') {
		char close = *p == '{' ? '}' : ']';

		p++;
		if (p < end && *p == close)
			return p + 1;
		for (;;) {
			if (close == '}') {
				if ((p = fuzz_json_string(p, end)) == NULL ||
				    p >= end || *p++ != ':')
					return NULL;
			}
			if ((p = fuzz_json_value(p, end, depth + 1)) == NULL ||
			    p >= end)
				return NULL;
			if (*p == close)
				return p + 1;
			if (*p++ != ',')
				return NULL;
		}
	}
	if (end - p >= 4 && (memcmp(p, "true", 4) == 0 ||
	    memcmp(p, "null", 4) == 0))
		return p + 4;
	if (end - p >= 5 && memcmp(p, "false", 5) == 0)
		return p + 5;
	if (*p == '-' || (*p >= '0' && *p <= '9')) {
		const char *q = p + (*p == '-');

		if (q >= end || *q < '0' || *q > '9')
			return NULL;
		while (q < end && ((*q >= '0' && *q <= '9') || *q == '.' ||
		    *q == 'e' || *q == 'E' || *q == '-' || *q == '+'))
			q++;
		return q;
	}
	return NULL;
}

/* Abort unless "{" members "}" is exactly one JSON object. */
static inline void
fuzz_check_json(const struct buf *members)
{
	struct buf o;
	const char *end;

	buf_init(&o);
	buf_putc(&o, '{');
	if (members->len > 0)
		buf_add(&o, members->data, members->len);
	buf_putc(&o, '}');
	end = o.data + o.len;
	if (fuzz_json_value(o.data, end, 0) != end)
		abort();
	buf_release(&o);
}

/* Abort unless what a probe reported is safe to show: text of printable
 * ASCII and newlines, a one-line reason within its array, and (when the
 * parser said PROBE_DONE: done) its JSON members one valid object. */
static inline void
fuzz_check_report(const struct probe_report *r, int done)
{
	size_t i;

	if (done)
		fuzz_check_json(&r->json);
	for (i = 0; i < r->text.len; i++) {
		unsigned char c = (unsigned char)r->text.data[i];

		if (c != '\n' && (c < 0x20 || c > 0x7e))
			abort();
	}
	if (memchr(r->reason, '\0', sizeof(r->reason)) == NULL ||
	    strchr(r->reason, '\n') != NULL)
		abort();
}

static inline void
fuzz_probe(const struct probe *p, unsigned steps, const uint8_t *data,
    size_t n)
{
	unsigned step, s;

	for (step = 0; step < steps; step++) {
		struct probe_ctx ctx;
		struct probe_report r;
		struct buf out;

		memset(&ctx, 0, sizeof(ctx));
		ctx.community = "public";
		ctx.host = "192.0.2.1";
		ctx.family = AF_INET;
		ctx.xid = FUZZ_XID;
		buf_init(&out);
		for (s = 0; s <= step; s++) {
			ctx.step = s;
			buf_reset(&out);
			if (p->build(&ctx, &out) == -1)
				abort();
		}
		buf_release(&out);
		probe_report_init(&r);
		fuzz_check_report(&r, p->parse(&ctx, data, n, &r) == PROBE_DONE);
		if (p->silence != NULL)
			fuzz_check_report(&r, p->silence(&ctx, &r) == PROBE_DONE);
		if (p->release != NULL)
			p->release(&ctx);
		probe_report_release(&r);
	}
}

#endif
