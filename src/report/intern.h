/*
 * Small tables for the report engine: a string table that gives each
 * distinct string a dense id (and, once asked, its rank in byte order),
 * and a map from keys of four 32-bit words to dense group numbers.  Both
 * grow as needed; neither fails (allocation failure exits, as xmalloc).
 */
#ifndef REPORT_INTERN_H
#define REPORT_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define STR_NONE	UINT32_MAX	/* "no string": SQL's NULL */

struct strtab {
	struct { char *v; size_t n, cap; } chars;	/* each string and its NUL */
	struct { uint32_t *v; size_t n, cap; } off;	/* id -> offset in chars */
	struct { uint32_t *v; size_t n, cap; } hash;	/* id -> its hash */
	uint32_t	*slots;		/* ids by hash, STR_NONE empty */
	size_t		 mask;
	uint32_t	*rank;		/* id -> rank in byte order (strtab_rank) */
};

void		strtab_init(struct strtab *);
void		strtab_release(struct strtab *);
/* The id of the len bytes at s (no NUL among them), added when new. */
uint32_t	strtab_intern(struct strtab *, const char *s, size_t len);
/* The id of s, or STR_NONE when it was never interned. */
uint32_t	strtab_find(const struct strtab *, const char *s);
/* The string of id (valid until the next intern), NULL for STR_NONE. */
const char	*strtab_str(const struct strtab *, uint32_t id);
static inline size_t
strtab_count(const struct strtab *t)
{
	return t->off.n;
}
/* Rank every string in byte order (SQLite's BINARY collation):
 * t->rank[id] until the next intern.  STR_NONE (NULL) sorts before all. */
void		strtab_rank(struct strtab *);
static inline int64_t
strtab_order(const struct strtab *t, uint32_t id)
{
	return id == STR_NONE ? -1 : (int64_t)t->rank[id];
}

struct gkey {
	uint32_t	w[4];
};

struct keymap {
	struct gkey	*keys;
	uint32_t	*vals;		/* UINT32_MAX: empty slot */
	size_t		 mask, count;
};

/* The value of k, or UINT32_MAX. */
uint32_t	keymap_get(const struct keymap *, const struct gkey *k);
/* k -> val unless k is present; returns the value now stored for k.  val
 * must not be UINT32_MAX. */
uint32_t	keymap_put(struct keymap *, const struct gkey *k, uint32_t val);
void		keymap_release(struct keymap *);

#endif
