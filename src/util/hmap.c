#include <stdlib.h>

#include "util/hmap.h"
#include "util/xmalloc.h"

static size_t
slot(const struct hmap *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 17) & m->mask;
}

void *
hmap_get(const struct hmap *m, uint64_t key)
{
	size_t i;

	if (m->count == 0)
		return NULL;
	for (i = slot(m, key); m->keys[i] != 0; i = (i + 1) & m->mask)
		if (m->keys[i] == key)
			return m->vals[i];
	return NULL;
}

static void
grow(struct hmap *m)
{
	struct hmap n = { 0 };
	size_t i, size = m->keys ? (m->mask + 1) * 2 : 16;

	n.keys = xcalloc(size, sizeof(*n.keys));
	n.vals = xcalloc(size, sizeof(*n.vals));
	n.mask = size - 1;
	for (i = 0; m->keys && i <= m->mask; i++)
		if (m->keys[i] != 0)
			hmap_put(&n, m->keys[i], m->vals[i]);
	hmap_release(m);
	*m = n;
}

void
hmap_put(struct hmap *m, uint64_t key, void *val)
{
	size_t i;

	if (m->keys == NULL || (m->count + 1) * 4 > (m->mask + 1) * 3)
		grow(m);
	for (i = slot(m, key); m->keys[i] != 0; i = (i + 1) & m->mask)
		if (m->keys[i] == key) {
			m->vals[i] = val;
			return;
		}
	m->keys[i] = key;
	m->vals[i] = val;
	m->count++;
}

void *
hmap_del(struct hmap *m, uint64_t key)
{
	size_t i, j, home;
	void *val;

	if (m->count == 0)
		return NULL;
	for (i = slot(m, key); m->keys[i] != key; i = (i + 1) & m->mask)
		if (m->keys[i] == 0)
			return NULL;
	val = m->vals[i];
	/* Shift back every later entry of the run whose home slot does not
	 * lie cyclically in (i, j]. */
	for (j = (i + 1) & m->mask; m->keys[j] != 0; j = (j + 1) & m->mask) {
		home = slot(m, m->keys[j]);
		if (i <= j ? (i < home && home <= j) : (i < home || home <= j))
			continue;
		m->keys[i] = m->keys[j];
		m->vals[i] = m->vals[j];
		i = j;
	}
	m->keys[i] = 0;
	m->vals[i] = NULL;
	m->count--;
	return val;
}

void
hmap_each(const struct hmap *m, void (*fn)(void *, void *), void *arg)
{
	size_t i;

	for (i = 0; m->keys && i <= m->mask; i++)
		if (m->keys[i] != 0)
			fn(m->vals[i], arg);
}

void
hmap_release(struct hmap *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
	m->mask = 0;
	m->count = 0;
}
