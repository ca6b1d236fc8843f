/*
 * A growable array of any element type, the one way arrays grow here.
 *
 *	struct row_vec { struct row *v; size_t n, cap; };
 *	struct row *r = VEC_PUSH(&rows);	// a zeroed new last element
 *	...
 *	VEC_FREE(&rows);
 *
 * Any struct with members `v` (element pointer), `n` and `cap` (size_t)
 * works; a zeroed struct is an empty vector.  The vector owns v; a caller
 * that keeps v after the vector is gone takes it with VEC_DETACH.  Pointers
 * to elements are valid until the next push or reserve.  Growth doubles, so
 * n pushes cost O(n); allocation failure exits as xmalloc does.
 */
#ifndef UTIL_VEC_H
#define UTIL_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

/* Make room for at least want elements of size bytes each in *v (capacity
 * *cap); grows by doubling and never shrinks.  New memory is not cleared. */
void	vec_reserve_(void **v, size_t *cap, size_t want, size_t size);

#define VEC_RESERVE(vec, want) \
	vec_reserve_((void **)&(vec)->v, &(vec)->cap, (want), sizeof(*(vec)->v))

/* Append one zeroed element and return a pointer to it. */
#define VEC_PUSH(vec) \
	(VEC_RESERVE((vec), (vec)->n + 1), \
	 memset(&(vec)->v[(vec)->n], 0, sizeof(*(vec)->v)), \
	 &(vec)->v[(vec)->n++])

/* Append cnt elements copied from src (of the vector's element type). */
#define VEC_APPEND(vec, src, cnt) \
	do { \
		size_t vec_cnt_ = (cnt); \
		VEC_RESERVE((vec), (vec)->n + vec_cnt_); \
		if (vec_cnt_ > 0) \
			memcpy(&(vec)->v[(vec)->n], (src), vec_cnt_ * sizeof(*(vec)->v)); \
		(vec)->n += vec_cnt_; \
	} while (0)

/* Free the elements' array (not what they point to) and empty the vector. */
#define VEC_FREE(vec) \
	do { free((vec)->v); (vec)->v = NULL; (vec)->n = (vec)->cap = 0; } while (0)

/* Take the array away from the vector: the caller owns it (free()), and the
 * vector is left empty. */
#define VEC_DETACH(vec, out) \
	do { *(out) = (vec)->v; (vec)->v = NULL; (vec)->n = (vec)->cap = 0; } while (0)

#endif
