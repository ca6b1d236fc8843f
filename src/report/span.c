/*
 * Ordering intervals by start for the union sweep: an LSD radix sort of
 * index arrays, 11 bits a pass, passes over digits that are all the same
 * skipped (a week in nanoseconds needs five).
 */
#include <stdlib.h>
#include <string.h>

#include "report/span.h"
#include "util/xmalloc.h"

#define DIGIT_BITS	11
#define DIGITS		(1u << DIGIT_BITS)

/* A key (its distance from the smallest) and the index it came from. */
struct keyed {
	uint64_t	 k;
	uint32_t	 i;
};

uint32_t *
span_order(const int64_t *key, size_t stride, size_t n)
{
	uint32_t *out = xcalloc(n ? n : 1, sizeof(*out));
	struct keyed *a, *b, *t;
	size_t *count, i, sum, c;
	int64_t min = 0;
	uint64_t max = 0;
	unsigned shift;

	for (i = 0; i < n; i++) {
		out[i] = (uint32_t)i;
		if (i == 0 || key[i * stride] < min)
			min = key[i * stride];
	}
	for (i = 0; i < n; i++)
		if ((uint64_t)key[i * stride] - (uint64_t)min > max)
			max = (uint64_t)key[i * stride] - (uint64_t)min;
	if (n < 2 || max == 0)
		return out;
	/* the keys copied beside their indexes: each pass reads them in
	 * order instead of fetching them through the index */
	a = xcalloc(n, sizeof(*a));
	b = xcalloc(n, sizeof(*b));
	for (i = 0; i < n; i++) {
		a[i].k = (uint64_t)key[i * stride] - (uint64_t)min;
		a[i].i = (uint32_t)i;
	}
	count = xcalloc(DIGITS, sizeof(*count));
	for (shift = 0; shift < 64 && (max >> shift) != 0; shift += DIGIT_BITS) {
		memset(count, 0, DIGITS * sizeof(*count));
		for (i = 0; i < n; i++)
			count[a[i].k >> shift & (DIGITS - 1)]++;
		for (i = 0, sum = 0; i < DIGITS; i++) {
			c = count[i];
			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[count[a[i].k >> shift & (DIGITS - 1)]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	for (i = 0; i < n; i++)
		out[i] = a[i].i;
	free(a);
	free(b);
	free(count);
	return out;
}

int64_t
span_union(const int64_t *t0, const int64_t *t1, size_t n)
{
	uint32_t *order = span_order(t0, 1, n);
	struct span s = { 0 };
	size_t i;

	for (i = 0; i < n; i++)
		span_add(&s, t0[order[i]], t1[order[i]]);
	free(order);
	return s.busy;
}
