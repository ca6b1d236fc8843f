#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/strtonum.h"

long long
strtonum(const char *s, long long minval, long long maxval, const char **errstr)
{
	long long ll;
	char *ep;
	int saved = errno;

	*errstr = NULL;
	if (minval > maxval || s == NULL || *s == '\0' || isspace((unsigned char)*s) ||
	    *s == '+') {
		*errstr = "invalid";
		return 0;
	}
	errno = 0;
	ll = strtoll(s, &ep, 10);
	if (*ep != '\0')
		*errstr = "invalid";
	else if ((ll == LLONG_MIN && errno == ERANGE) || ll < minval)
		*errstr = "too small";
	else if ((ll == LLONG_MAX && errno == ERANGE) || ll > maxval)
		*errstr = "too large";
	errno = saved;
	return *errstr ? 0 : ll;
}

int
parse_seconds_ms(const char *s, long long min_ms, long long max_ms,
    long long *out, const char **errstr)
{
	long long whole = 0, frac = 0, scale = 100;
	const char *p = s;
	int digits = 0;

	*errstr = "invalid";
	if (s == NULL || *s == '\0')
		return -1;
	for (; isdigit((unsigned char)*p); p++, digits++) {
		whole = whole * 10 + (*p - '0');
		if (whole > LLONG_MAX / 10000) {
			*errstr = "too large";
			return -1;
		}
	}
	if (*p == '.') {
		p++;
		for (; isdigit((unsigned char)*p); p++, digits++) {
			frac += (*p - '0') * scale;
			scale /= 10;	/* digits past milliseconds are dropped */
		}
	}
	if (*p != '\0' || digits == 0)
		return -1;
	whole = whole * 1000 + frac;
	if (whole < min_ms) {
		*errstr = "too small";
		return -1;
	}
	if (whole > max_ms) {
		*errstr = "too large";
		return -1;
	}
	*errstr = NULL;
	*out = whole;
	return 0;
}

void
format_seconds_ms(char *out, size_t len, long long ms)
{
	size_t n;

	snprintf(out, len, "%lld.%03lld", ms / 1000, ms % 1000);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
}
