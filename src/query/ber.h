/*
 * ASN.1 BER, the little of it that SNMP and LDAP need: reading TLVs out of
 * untrusted bytes without ever reading past them, and writing the
 * definite-length encodings our requests use.
 */
#ifndef QUERY_BER_H
#define QUERY_BER_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define BER_BOOLEAN	0x01
#define BER_INTEGER	0x02
#define BER_OCTETS	0x04
#define BER_NULL	0x05
#define BER_OID		0x06
#define BER_ENUM	0x0a
#define BER_SEQUENCE	0x30
#define BER_SET		0x31

/* A view of bytes still to be read; it never owns them. */
struct ber {
	const uint8_t	*p;
	size_t		 len;
};

/* Read the next TLV of r into *tag and *val (a view into r's bytes) and
 * advance r past it.  Returns 0, or -1 when r is empty, the tag uses the
 * multi-byte form, the length is indefinite, longer than 4 bytes, or
 * reaches past the end of r; r is unchanged on failure. */
int	ber_next(struct ber *r, uint8_t *tag, struct ber *val);
/* ber_next() that also fails (-1) unless the tag is `want`. */
int	ber_expect(struct ber *r, uint8_t want, struct ber *val);
/* The two's-complement integer held in v (1 to 8 bytes).  Returns 0, or
 * -1 when v is empty or too long. */
int	ber_int(const struct ber *v, int64_t *out);
/* Append the dotted form of the OBJECT IDENTIFIER content v to b.  Returns
 * 0, or -1 (b untouched) when v is empty, a sub-identifier is unterminated
 * or does not fit 32 bits. */
int	ber_oid_str(const struct ber *v, struct buf *b);

/* Append a tag, its length and n bytes of content. */
void	ber_put(struct buf *b, uint8_t tag, const void *content, size_t n);
/* Append an INTEGER-like TLV (tag: INTEGER, ENUMERATED, …) holding v in
 * the fewest bytes. */
void	ber_put_int(struct buf *b, uint8_t tag, int64_t v);
/* Start a constructed TLV: appends the tag and a placeholder length and
 * returns where it began; everything appended until ber_end(b, mark)
 * becomes its content, and ber_end() writes the real length. */
size_t	ber_begin(struct buf *b, uint8_t tag);
void	ber_end(struct buf *b, size_t mark);

#endif
