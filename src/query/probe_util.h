/*
 * Small helpers shared by the protocol probes: reading integers of either
 * byte order from bytes already bounds-checked by the caller, and writing
 * the lines and JSON members of a probe_report from untrusted bytes.
 */
#ifndef QUERY_PROBE_UTIL_H
#define QUERY_PROBE_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "query/probe.h"
#include "util/buf.h"

static inline uint16_t
rd16be(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
rd32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline uint16_t
rd16le(const uint8_t *p)
{
	return (uint16_t)(p[1] << 8 | p[0]);
}

static inline uint32_t
rd32le(const uint8_t *p)
{
	return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[1] << 8 | p[0];
}

static inline void
wr16be(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	buf_add(b, x, 2);
}

static inline void
wr32be(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 8), (uint8_t)v };

	buf_add(b, x, 4);
}

static inline void
wr16le(struct buf *b, uint16_t v)
{
	uint8_t x[2] = { (uint8_t)v, (uint8_t)(v >> 8) };

	buf_add(b, x, 2);
}

static inline void
wr32le(struct buf *b, uint32_t v)
{
	uint8_t x[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	buf_add(b, x, 4);
}

/* Append everything src holds to dst (nothing when src is empty and has
 * no memory yet). */
static inline void
buf_append(struct buf *dst, const struct buf *src)
{
	if (src->len > 0)
		buf_add(dst, src->data, src->len);
}

/* Append the text line "LABEL: VALUE\n" to r, VALUE being n untrusted
 * bytes shown through text_sanitize(). */
void	report_line(struct probe_report *r, const char *label, const void *v,
	    size_t n);
/* The same with a NUL-terminated value. */
void	report_lines(struct probe_report *r, const char *label, const char *v);
/* Set the verdict's reason (truncated to fit). */
void	report_reason(struct probe_report *r, const char *reason);
/* Empty the text and JSON of r, for a probe that rewrites its findings. */
void	report_clear(struct probe_report *r);
/* Append the 16 bytes of a little-endian (DCE, "drep" 0x10) UUID in its
 * text form, 8-4-4-4-12 lowercase hex digits. */
void	uuid_le_str(struct buf *b, const uint8_t *u);

/* Text-protocol replies (SMTP, FTP, POP3, IMAP), read from untrusted
 * bytes, at most 4096 of them.  reply_complete() returns the length of
 * the first whole reply in p[0..n) (through the end of its last line;
 * multiline: lines "NNN-…" continue it, RFC 959 4.2), 0 while it is
 * incomplete, or 4096 with *cut set once that many bytes came without an
 * end.  reply_text() appends the lines of p[0..n) to text, sanitised,
 * each ending in '\n' without its '\r'. */
size_t	reply_complete(const uint8_t *p, size_t n, int multiline, int *cut);
void	reply_text(struct buf *text, const uint8_t *p, size_t n);

#endif
