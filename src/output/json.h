/* JSON Lines writing into a struct buf.  Callers lay out objects with
 * these few calls; strings are escaped per RFC 8259 and bytes that are not
 * valid UTF-8 become U+FFFD, so any input yields valid JSON.  Control
 * characters that a viewer could act on are escaped too (\uXXXX): C0, DEL,
 * C1, the bidirectional overrides and isolates, U+2028 and U+2029. */
#ifndef OUTPUT_JSON_H
#define OUTPUT_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* Append s (NUL-terminated) or n bytes of p as a quoted JSON string. */
void	json_str(struct buf *, const char *);
void	json_strn(struct buf *, const void *, size_t);
/* Append `"key":` — preceded by a comma unless the buf ends in '{' or '['. */
void	json_key(struct buf *, const char *);
void	json_kstr(struct buf *, const char *, const char *);	/* null if NULL */
void	json_ku64(struct buf *, const char *, uint64_t);
void	json_ki64(struct buf *, const char *, int64_t);
void	json_kbool(struct buf *, const char *, int);
void	json_knull(struct buf *, const char *);
/* A comma before the next array element, unless it is the first. */
void	json_sep(struct buf *);

#endif
