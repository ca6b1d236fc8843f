/*
 * "% of the recorded time": the length of the union of a group's
 * intervals.  Intervals are visited in order of their start (span_order
 * sorts once for every group); span_add then adds what each one covers
 * past the furthest end before it.
 */
#ifndef REPORT_SPAN_H
#define REPORT_SPAN_H

#include <stddef.h>
#include <stdint.h>

struct span {
	int64_t		 busy;		/* the union's length so far */
	int64_t		 reach;		/* the furthest end so far */
	int		 any;
};

/* Add [t0, t1) to s; t0 must not be before the start of any interval
 * added before.  An empty or reversed interval adds nothing. */
static inline void
span_add(struct span *s, int64_t t0, int64_t t1)
{
	int64_t from = s->any && s->reach > t0 ? s->reach : t0;

	if (t1 > from)
		s->busy += t1 - from;
	if (!s->any || t1 > s->reach)
		s->reach = t1;
	s->any = 1;
}

/* The indexes 0..n-1 ordered by key[i * stride] (int64_t, stride in
 * int64_t units), ties in index order (a stable LSD radix sort).  Returns
 * a malloc'd array the caller frees. */
uint32_t	*span_order(const int64_t *key, size_t stride, size_t n);

/* The length of the union of the n intervals [t0[i], t1[i]). */
int64_t		 span_union(const int64_t *t0, const int64_t *t1, size_t n);

#endif
