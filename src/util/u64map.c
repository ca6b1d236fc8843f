#include <stdlib.h>

#include "util/u64map.h"
#include "util/xmalloc.h"

void
u64map_init(struct u64map *m, size_t n)
{
	size_t size = 16;
	unsigned bits = 4;

	while (size < n * 2) {
		size <<= 1;
		bits++;
	}
	m->keys = xcalloc(size, sizeof(*m->keys));
	m->vals = xcalloc(size, sizeof(*m->vals));
	m->mask = size - 1;
	m->shift = 64 - bits;
	m->count = 0;
}

void
u64map_release(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->count = 0;
}

uint32_t
u64map_put(struct u64map *m, uint64_t key, uint32_t val)
{
	size_t i;

	for (i = u64map_slot(m, key); m->keys[i] != 0; i = (i + 1) & m->mask)
		if (m->keys[i] == key)
			return m->vals[i];
	if (m->count + 1 > m->mask)	/* caller broke its promise: never loop forever */
		abort();
	m->keys[i] = key;
	m->vals[i] = val;
	m->count++;
	return val;
}
