/* Text output helpers shared by every command. */
#ifndef OUTPUT_TEXT_H
#define OUTPUT_TEXT_H

#include <stddef.h>

#include "util/buf.h"

/* Append n bytes of untrusted data so that a terminal shows them safely:
 * printable ASCII as is, \n kept when keep_nl, everything else as \xNN. */
void	text_sanitize(struct buf *, const void *, size_t, int keep_nl);
/* Append s left-justified in a column of width w (at least one space after). */
void	text_col(struct buf *, const char *, size_t);
/* Append a CSV field of text, quoted (RFC 4180) when it holds a comma, a
 * semicolon, a quote or a line break.  Text a spreadsheet would run as a
 * formula (it starts with =, +, -, @, a tab or a carriage return) is
 * quoted with a ' in front, as OWASP's CSV injection advice says: the
 * cell then shows as text.  Numbers are written as they are, not through
 * this (a -1 stays a number). */
void	csv_field(struct buf *, const char *);
/* Append untrusted text for a CSV field (to be passed to csv_field()):
 * printable ASCII as is, but a backslash, the characters of reserved and
 * every other byte (controls, DEL, anything not ASCII) as \xNN, so that
 * the field is one line of plain text and reserved (a list's separator)
 * never occurs in an item. */
void	csv_text(struct buf *, const char *, const char *reserved);

#endif
