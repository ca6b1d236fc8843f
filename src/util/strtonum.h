/* OpenBSD's strtonum(3): parse a decimal integer in [minval, maxval].
 * Returns the value, or 0 with *errstr set to "invalid", "too small" or
 * "too large" (a static string).  *errstr is NULL on success.  Unlike
 * strtoll, a sign "+" or leading blanks are invalid: "+80" is not a port. */
#ifndef UTIL_STRTONUM_H
#define UTIL_STRTONUM_H

#include <stddef.h>

long long	strtonum(const char *, long long, long long, const char **);

/* Parse a decimal number of seconds such as "0.2" or "60" into milliseconds
 * within [min_ms, max_ms].  Returns 0 on success, -1 with *errstr set. */
int		parse_seconds_ms(const char *, long long, long long, long long *,
		    const char **);
/* The other way: milliseconds as seconds the way a person writes them,
 * "60", "0.05", "1.25" (no trailing zeros, never 8.64e+06). */
void		format_seconds_ms(char *, size_t, long long);

#endif
