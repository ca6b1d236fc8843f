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
/* Append a CSV field, quoted when it holds a comma, quote or newline. */
void	csv_field(struct buf *, const char *);

#endif
