/*
 * A growing map from 64-bit keys to pointers, for sets whose size is not
 * known in advance (open sockets by cookie, processes by pid).  Open
 * addressing with linear probing; removal shifts later entries back, so
 * there are no tombstones.  Key 0 is reserved.  A zeroed struct is empty.
 */
#ifndef UTIL_HMAP_H
#define UTIL_HMAP_H

#include <stddef.h>
#include <stdint.h>

struct hmap {
	uint64_t	*keys;
	void		**vals;
	size_t		 mask;		/* size - 1; size is 0 or a power of two */
	size_t		 count;
};

/* The value for key, or NULL. */
void	*hmap_get(const struct hmap *, uint64_t key);
/* Set key → val (replacing any value).  key must not be 0; val not NULL. */
void	 hmap_put(struct hmap *, uint64_t key, void *val);
/* Remove key; returns its value, or NULL when it was absent. */
void	*hmap_del(struct hmap *, uint64_t key);
/* Call fn on every value (in no order); fn must not change the map. */
void	 hmap_each(const struct hmap *, void (*fn)(void *val, void *arg), void *arg);
/* Free the table (not the values) and empty the map. */
void	 hmap_release(struct hmap *);

#endif
