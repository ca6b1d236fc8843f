#include <stdlib.h>
#include <string.h>

#include "query/timerq.h"
#include "util/vec.h"
#include "util/xmalloc.h"

void
ring_init(struct ring *r, size_t cap)
{
	r->cap = cap ? cap : 1;
	r->v = xreallocarray(NULL, r->cap, sizeof(*r->v));
	r->head = r->len = 0;
}

void
ring_release(struct ring *r)
{
	free(r->v);
	memset(r, 0, sizeof(*r));
}

void
ring_push(struct ring *r, size_t x)
{
	r->v[(r->head + r->len) % r->cap] = x;
	r->len++;
}

size_t
ring_pop(struct ring *r)
{
	size_t x = r->v[r->head];

	r->head = (r->head + 1) % r->cap;
	r->len--;
	return x;
}

void
tq_push(struct tq *q, uint32_t slot, uint32_t gen, uint64_t t)
{
	if (q->head > 0 && q->head == q->n)
		q->head = q->n = 0;
	if (q->n == q->cap && q->head > q->cap / 2) {
		/* reuse the expired front rather than grow */
		memmove(q->v, q->v + q->head, (q->n - q->head) * sizeof(*q->v));
		q->n -= q->head;
		q->head = 0;
	}
	if (q->cap == 0)
		VEC_RESERVE(q, 1024);
	*VEC_PUSH(q) = (struct tq_ent){ slot, gen, t };
}

void
tq_release(struct tq *q)
{
	VEC_FREE(q);
	q->head = 0;
}
