/*
 * The report engine's string table and group-key map: open addressing,
 * linear probing, doubled when three quarters full.
 */
#include <stdlib.h>
#include <string.h>

#include "report/intern.h"
#include "util/vec.h"
#include "util/xmalloc.h"

/* FNV-1a, 32 bits: the strings are short (addresses, paths, names). */
static uint32_t
str_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

void
strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
}

void
strtab_release(struct strtab *t)
{
	VEC_FREE(&t->chars);
	VEC_FREE(&t->off);
	VEC_FREE(&t->hash);
	free(t->slots);
	free(t->rank);
	memset(t, 0, sizeof(*t));
}

static void
strtab_grow(struct strtab *t)
{
	size_t size = t->slots ? (t->mask + 1) * 2 : 64, i, j;

	free(t->slots);
	t->slots = xcalloc(size, sizeof(*t->slots));
	memset(t->slots, 0xff, size * sizeof(*t->slots));
	t->mask = size - 1;
	for (i = 0; i < t->off.n; i++) {
		for (j = t->hash.v[i] & t->mask; t->slots[j] != STR_NONE; j = (j + 1) & t->mask)
			;
		t->slots[j] = (uint32_t)i;
	}
}

static int
str_is(const struct strtab *t, uint32_t id, const char *s, size_t len)
{
	const char *p = t->chars.v + t->off.v[id];

	return memcmp(p, s, len) == 0 && p[len] == '\0';
}

uint32_t
strtab_intern(struct strtab *t, const char *s, size_t len)
{
	uint32_t h = str_hash(s, len), id;
	size_t j;

	if (!t->slots || (t->off.n + 1) * 4 > (t->mask + 1) * 3)
		strtab_grow(t);
	for (j = h & t->mask; (id = t->slots[j]) != STR_NONE; j = (j + 1) & t->mask)
		if (t->hash.v[id] == h && str_is(t, id, s, len))
			return id;
	id = (uint32_t)t->off.n;
	*VEC_PUSH(&t->off) = (uint32_t)t->chars.n;
	*VEC_PUSH(&t->hash) = h;
	VEC_APPEND(&t->chars, s, len);
	*VEC_PUSH(&t->chars) = '\0';
	t->slots[j] = id;
	free(t->rank);
	t->rank = NULL;
	return id;
}

uint32_t
strtab_find(const struct strtab *t, const char *s)
{
	size_t len = strlen(s), j;
	uint32_t h = str_hash(s, len), id;

	if (!t->slots)
		return STR_NONE;
	for (j = h & t->mask; (id = t->slots[j]) != STR_NONE; j = (j + 1) & t->mask)
		if (t->hash.v[id] == h && str_is(t, id, s, len))
			return id;
	return STR_NONE;
}

const char *
strtab_str(const struct strtab *t, uint32_t id)
{
	return id == STR_NONE ? NULL : t->chars.v + t->off.v[id];
}

static int
rank_cmp(const void *a, const void *b, void *t)
{
	return strcmp(strtab_str(t, *(const uint32_t *)a), strtab_str(t, *(const uint32_t *)b));
}

void
strtab_rank(struct strtab *t)
{
	uint32_t *ids = xcalloc(t->off.n + 1, sizeof(*ids));
	size_t i;

	free(t->rank);
	t->rank = xcalloc(t->off.n + 1, sizeof(*t->rank));
	for (i = 0; i < t->off.n; i++)
		ids[i] = (uint32_t)i;
	qsort_r(ids, t->off.n, sizeof(*ids), rank_cmp, t);
	for (i = 0; i < t->off.n; i++)
		t->rank[ids[i]] = (uint32_t)i;
	free(ids);
}

static size_t
key_slot(const struct keymap *m, const struct gkey *k)
{
	uint64_t a = (uint64_t)k->w[0] << 32 | k->w[1], b = (uint64_t)k->w[2] << 32 | k->w[3];
	uint64_t h = a * 0x9e3779b97f4a7c15ULL ^ (b + 0x632be59bd9b4e019ULL) * 0xc2b2ae3d27d4eb4fULL;

	h ^= h >> 31;
	return (size_t)(h * 0x94d049bb133111ebULL >> 20) & m->mask;
}

uint32_t
keymap_get(const struct keymap *m, const struct gkey *k)
{
	size_t i;

	if (!m->keys)
		return UINT32_MAX;
	for (i = key_slot(m, k); m->vals[i] != UINT32_MAX; i = (i + 1) & m->mask)
		if (memcmp(&m->keys[i], k, sizeof(*k)) == 0)
			return m->vals[i];
	return UINT32_MAX;
}

static void
keymap_grow(struct keymap *m)
{
	struct keymap n = { 0 };
	size_t i, size = m->keys ? (m->mask + 1) * 2 : 64;

	n.keys = xcalloc(size, sizeof(*n.keys));
	n.vals = xcalloc(size, sizeof(*n.vals));
	memset(n.vals, 0xff, size * sizeof(*n.vals));
	n.mask = size - 1;
	for (i = 0; m->keys && i <= m->mask; i++)
		if (m->vals[i] != UINT32_MAX)
			keymap_put(&n, &m->keys[i], m->vals[i]);
	keymap_release(m);
	*m = n;
}

uint32_t
keymap_put(struct keymap *m, const struct gkey *k, uint32_t val)
{
	size_t i;

	if (!m->keys || (m->count + 1) * 4 > (m->mask + 1) * 3)
		keymap_grow(m);
	for (i = key_slot(m, k); m->vals[i] != UINT32_MAX; i = (i + 1) & m->mask)
		if (memcmp(&m->keys[i], k, sizeof(*k)) == 0)
			return m->vals[i];
	m->keys[i] = *k;
	m->vals[i] = val;
	m->count++;
	return val;
}

void
keymap_release(struct keymap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
