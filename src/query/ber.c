/* ASN.1 BER reading and writing for the SNMP and LDAP probes. */
#include <string.h>

#include "query/ber.h"

int
ber_next(struct ber *r, uint8_t *tag, struct ber *val)
{
	size_t i, hdr, n, len;

	if (r->len < 2 || (r->p[0] & 0x1f) == 0x1f)
		return -1;
	if (r->p[1] < 0x80) {
		hdr = 2;
		len = r->p[1];
	} else {
		n = r->p[1] & 0x7f;
		if (n == 0 || n > 4 || r->len < 2 + n)
			return -1;	/* indefinite, huge or truncated */
		for (len = 0, i = 0; i < n; i++)
			len = len << 8 | r->p[2 + i];
		hdr = 2 + n;
	}
	if (len > r->len - hdr)
		return -1;
	*tag = r->p[0];
	val->p = r->p + hdr;
	val->len = len;
	r->p += hdr + len;
	r->len -= hdr + len;
	return 0;
}

int
ber_expect(struct ber *r, uint8_t want, struct ber *val)
{
	struct ber save = *r;
	uint8_t tag;

	if (ber_next(r, &tag, val) == -1)
		return -1;
	if (tag != want) {
		*r = save;
		return -1;
	}
	return 0;
}

int
ber_int(const struct ber *v, int64_t *out)
{
	uint64_t u;
	size_t i;

	if (v->len == 0 || v->len > 8)
		return -1;
	u = (v->p[0] & 0x80) ? UINT64_MAX : 0;
	for (i = 0; i < v->len; i++)
		u = u << 8 | v->p[i];
	*out = (int64_t)u;
	return 0;
}

int
ber_oid_str(const struct ber *v, struct buf *b)
{
	uint32_t arcs[128];
	size_t i, n = 0;
	uint64_t cur = 0;
	int open = 0;

	if (v->len == 0)
		return -1;
	for (i = 0; i < v->len; i++) {
		cur = cur << 7 | (v->p[i] & 0x7f);
		if (cur > UINT32_MAX)
			return -1;
		open = 1;
		if (v->p[i] & 0x80)
			continue;
		if (n == sizeof(arcs) / sizeof(arcs[0]))
			return -1;
		arcs[n++] = (uint32_t)cur;
		cur = 0;
		open = 0;
	}
	if (open)
		return -1;
	/* the first sub-identifier packs two arcs: 40 * X + Y, X ≤ 2 */
	buf_u64(b, arcs[0] < 80 ? arcs[0] / 40 : 2);
	buf_putc(b, '.');
	buf_u64(b, arcs[0] < 80 ? arcs[0] % 40 : arcs[0] - 80);
	for (i = 1; i < n; i++) {
		buf_putc(b, '.');
		buf_u64(b, arcs[i]);
	}
	return 0;
}

/* Append a definite length. */
static void
ber_put_len(struct buf *b, size_t n)
{
	uint8_t l[5];
	size_t k = 0, i;

	if (n < 0x80) {
		buf_putc(b, (char)n);
		return;
	}
	for (i = n; i > 0; i >>= 8)
		k++;
	l[0] = (uint8_t)(0x80 | k);
	for (i = 0; i < k; i++)
		l[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	buf_add(b, l, 1 + k);
}

void
ber_put(struct buf *b, uint8_t tag, const void *content, size_t n)
{
	buf_putc(b, (char)tag);
	ber_put_len(b, n);
	buf_add(b, content, n);
}

void
ber_put_int(struct buf *b, uint8_t tag, int64_t v)
{
	uint8_t bytes[8];
	size_t n = 8, i;

	for (i = 0; i < 8; i++)
		bytes[i] = (uint8_t)((uint64_t)v >> (8 * (7 - i)));
	/* drop leading bytes that only repeat the sign */
	i = 0;
	while (n - i > 1 &&
	    ((bytes[i] == 0 && !(bytes[i + 1] & 0x80)) ||
	    (bytes[i] == 0xff && (bytes[i + 1] & 0x80))))
		i++;
	ber_put(b, tag, bytes + i, n - i);
}

size_t
ber_begin(struct buf *b, uint8_t tag)
{
	size_t mark = b->len;

	buf_putc(b, (char)tag);
	buf_putc(b, 0);
	return mark;
}

void
ber_end(struct buf *b, size_t mark)
{
	size_t n = b->len - mark - 2, k = 0, i;
	uint8_t l[5];

	if (n < 0x80) {
		b->data[mark + 1] = (char)n;
		return;
	}
	for (i = n; i > 0; i >>= 8)
		k++;
	buf_grow(b, k);
	memmove(b->data + mark + 2 + k, b->data + mark + 2, n);
	l[0] = (uint8_t)(0x80 | k);
	for (i = 0; i < k; i++)
		l[1 + i] = (uint8_t)(n >> (8 * (k - 1 - i)));
	memcpy(b->data + mark + 1, l, 1 + k);
	b->len += k;
}
