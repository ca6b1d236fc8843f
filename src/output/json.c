#include <string.h>

#include "output/json.h"

/* Length of the valid UTF-8 sequence at p (at most n bytes), or 0. */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t len, i;
	unsigned cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

/*
 * The code point of the UTF-8 sequence p (len bytes, valid) if it is one
 * that must not reach a terminal or a viewer raw: C1 controls (U+0080 to
 * U+009F: CSI, OSC, …), the bidirectional controls (U+061C, U+200E,
 * U+200F, U+202A to U+202E, U+2066 to U+2069) and the line separators
 * U+2028 and U+2029; else 0.
 */
static unsigned
hidden_cp(const unsigned char *p, size_t len)
{
	unsigned cp;

	if (len == 2) {
		cp = (unsigned)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
		return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c ? cp : 0;
	}
	if (len != 3)
		return 0;
	cp = (unsigned)(p[0] & 0x0f) << 12 | (unsigned)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
	if (cp == 0x200e || cp == 0x200f || (cp >= 0x2028 && cp <= 0x202e) ||
	    (cp >= 0x2066 && cp <= 0x2069))
		return cp;
	return 0;
}

void
json_strn(struct buf *b, const void *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = v, *end = p + n, *run;
	unsigned cp;
	size_t l;

	buf_grow(b, n + 2);
	buf_putc(b, '"');
	while (p < end) {
		run = p;
		while (p < end && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		if (p > run)
			buf_add(b, run, (size_t)(p - run));
		if (p == end)
			break;
		switch (*p) {
		case '"':  buf_add(b, "\\\"", 2); p++; continue;
		case '\\': buf_add(b, "\\\\", 2); p++; continue;
		case '\n': buf_add(b, "\\n", 2); p++; continue;
		case '\r': buf_add(b, "\\r", 2); p++; continue;
		case '\t': buf_add(b, "\\t", 2); p++; continue;
		}
		if (*p < 0x20 || *p == 0x7f) {
			char esc[6] = { '\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15] };
			buf_add(b, esc, 6);
			p++;
			continue;
		}
		if ((l = utf8_len(p, (size_t)(end - p))) == 0) {
			buf_add(b, "\\ufffd", 6);
			p++;
			continue;
		}
		if ((cp = hidden_cp(p, l)) != 0) {
			/* shown as an escape: nothing that can move a
			 * terminal's cursor or reorder the text around it */
			char esc[6] = { '\\', 'u', hex[cp >> 12], hex[(cp >> 8) & 15],
			    hex[(cp >> 4) & 15], hex[cp & 15] };
			buf_add(b, esc, 6);
			p += l;
			continue;
		}
		buf_add(b, p, l);
		p += l;
	}
	buf_putc(b, '"');
}

void
json_str(struct buf *b, const char *s)
{
	json_strn(b, s, strlen(s));
}

void
json_sep(struct buf *b)
{
	if (b->len > 0) {
		char c = b->data[b->len - 1];
		if (c != '{' && c != '[' && c != ':' && c != ',')
			buf_putc(b, ',');
	}
}

void
json_key(struct buf *b, const char *key)
{
	json_sep(b);
	buf_putc(b, '"');
	buf_puts(b, key);
	buf_add(b, "\":", 2);
}

void
json_kstr(struct buf *b, const char *key, const char *val)
{
	json_key(b, key);
	if (val == NULL)
		buf_add(b, "null", 4);
	else
		json_str(b, val);
}

void
json_ku64(struct buf *b, const char *key, uint64_t v)
{
	json_key(b, key);
	buf_u64(b, v);
}

void
json_ki64(struct buf *b, const char *key, int64_t v)
{
	json_key(b, key);
	buf_i64(b, v);
}

void
json_kbool(struct buf *b, const char *key, int v)
{
	json_key(b, key);
	if (v)
		buf_add(b, "true", 4);
	else
		buf_add(b, "false", 5);
}

void
json_knull(struct buf *b, const char *key)
{
	json_key(b, key);
	buf_add(b, "null", 4);
}
