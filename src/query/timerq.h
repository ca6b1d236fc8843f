/*
 * The query engine's two containers.  A ring is a FIFO of job numbers of
 * fixed capacity (each job is in a ring at most once, so a ring of njobs
 * never overflows).  A timer queue is a FIFO of (slot, generation, armed
 * at) entries: the timeouts of one class are uniform, so the head is
 * always the next to expire and a change of the learned timeout needs no
 * re-sorting.  An entry whose generation no longer matches its slot's is
 * stale, and the caller skips it.
 */
#ifndef QUERY_TIMERQ_H
#define QUERY_TIMERQ_H

#include <stddef.h>
#include <stdint.h>

struct ring {
	size_t		*v;
	size_t		 cap, head, len;
};

/* Room for cap jobs (at least 1).  ring_release() frees it. */
void	ring_init(struct ring *, size_t cap);
void	ring_release(struct ring *);
/* Append x; the caller keeps len below cap. */
void	ring_push(struct ring *, size_t x);
/* Take the oldest; the caller checks len > 0. */
size_t	ring_pop(struct ring *);

struct tq_ent {
	uint32_t	 slot;
	uint32_t	 gen;
	uint64_t	 t_ns;		/* when armed */
};

struct tq {
	struct tq_ent	*v;
	size_t		 n, cap;	/* util/vec.h: live entries are v[head..n) */
	size_t		 head;
};

/* A zeroed struct tq is empty; tq_release() frees it. */
void	tq_push(struct tq *, uint32_t slot, uint32_t gen, uint64_t t_ns);
void	tq_release(struct tq *);
/* The oldest entry, or NULL when empty; tq_drop() removes it. */
static inline struct tq_ent *
tq_head(struct tq *q)
{
	return q->head < q->n ? &q->v[q->head] : NULL;
}
static inline void
tq_drop(struct tq *q)
{
	q->head++;
}

#endif
