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
/* Append a CSV field, quoted (RFC 4180) when it holds a comma, a
 * semicolon, a quote or a line break. */
void	csv_field(struct buf *, const char *);
/* Append untrusted text for a CSV field (to be passed to csv_field()):
 * printable ASCII as is, but a backslash, the characters of reserved and
 * every other byte (controls, DEL, anything not ASCII) as \xNN, so that
 * the field is one line of plain text and reserved (a list's separator)
 * never occurs in an item. */
void	csv_text(struct buf *, const char *, const char *reserved);

#endif
