/*
 * A map from 64-bit keys (socket inodes) to 32-bit values (row indexes),
 * open addressing with linear probing, sized once to the data: callers say
 * how many keys they will add, and the table holds twice that.  Key 0 is
 * reserved (no socket has inode 0 in the map).
 */
#ifndef UTIL_U64MAP_H
#define UTIL_U64MAP_H

#include <stddef.h>
#include <stdint.h>

#define U64MAP_MISSING	UINT32_MAX

struct u64map {
	uint64_t	*keys;
	uint32_t	*vals;
	size_t		 mask;
	size_t		 count;
	unsigned	 shift;
};

/* Prepare m for up to n keys.  Never fails (exits on exhaustion). */
void		u64map_init(struct u64map *, size_t n);
void		u64map_release(struct u64map *);
/* Add key → val unless key is present.  Returns the value now stored for
 * key (the old one when it was present).  key must not be 0, and no more
 * keys than promised to u64map_init may be added. */
uint32_t	u64map_put(struct u64map *, uint64_t key, uint32_t val);

static inline size_t
u64map_slot(const struct u64map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> m->shift);
}

/* The value for key, or U64MAP_MISSING. */
static inline uint32_t
u64map_get(const struct u64map *m, uint64_t key)
{
	size_t i;

	for (i = u64map_slot(m, key); m->keys[i] != 0; i = (i + 1) & m->mask)
		if (m->keys[i] == key)
			return m->vals[i];
	return U64MAP_MISSING;
}

#endif
