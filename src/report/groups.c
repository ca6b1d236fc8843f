/*
 * Groups of records for the report's sections: found by key in a map,
 * with lists of distinct values kept in the order values first came,
 * sorted for output by a list of keys.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/engine.h"
#include "util/buf.h"
#include "util/vec.h"
#include "util/xmalloc.h"

const char *const dir_names[] = { [DIR_IN] = "in", [DIR_UNKNOWN] = "?", [DIR_OUT] = "out" };

/* Lists up to this long are searched; longer ones are looked up in the
 * engine's set of (list, value) pairs. */
#define DL_SCAN	16

static void
dl_seen_put(struct engine *e, const struct dlist *l, uint64_t v)
{
	struct gkey k = { { l->id, (uint32_t)v, (uint32_t)(v >> 32), 0 } };

	keymap_put(&e->seen, &k, 1);
}

void
dl_add(struct engine *e, struct dlist *l, uint64_t v)
{
	size_t i, before;

	if (l->n <= DL_SCAN) {
		for (i = l->n; i > 0; i--)
			if (l->v[i - 1] == v)
				return;
		*VEC_PUSH(l) = v;
		if (l->n > DL_SCAN) {	/* from now on in the set */
			l->id = ++e->nlists;
			for (i = 0; i < l->n; i++)
				dl_seen_put(e, l, l->v[i]);
		}
		return;
	}
	before = e->seen.count;
	dl_seen_put(e, l, v);
	if (e->seen.count != before)
		*VEC_PUSH(l) = v;
}

char *
dl_join(const struct engine *e, const struct dlist *l)
{
	struct buf b;
	size_t i;
	uint64_t v;

	if (!l->n)
		return NULL;
	buf_init(&b);
	for (i = 0; i < l->n; i++) {
		v = l->v[i];
		if (i)
			buf_putc(&b, ',');
		if (v >> 63)
			buf_printf(&b, "%s/%u", strtab_str(e->st, (uint32_t)(v >> 20 & 0xffffffffu)),
			    (unsigned)(v & 0xfffff));
		else if (v >> 62)
			buf_printf(&b, "to %s", strtab_str(e->st, (uint32_t)v));
		else
			buf_puts(&b, strtab_str(e->st, (uint32_t)v));
	}
	return buf_detach(&b);
}

struct group *
group_get(struct groups *g, uint16_t host, uint8_t dir, uint32_t proto, uint32_t str,
    int32_t port, uint32_t *index)
{
	struct gkey k = { { (uint32_t)host << 8 | dir, proto, str, (uint32_t)port } };
	uint32_t i = keymap_put(&g->m, &k, (uint32_t)g->n);
	struct group *p;

	if (i == g->n) {
		p = VEC_PUSH(g);
		p->host = host;
		p->dir = dir;
		p->proto = proto;
		p->str = str;
		p->port = port;
	}
	if (index)
		*index = i;
	return &g->v[i];
}

struct group *
group_find(const struct groups *g, uint16_t host, uint8_t dir, uint32_t proto, uint32_t str,
    int32_t port)
{
	struct gkey k = { { (uint32_t)host << 8 | dir, proto, str, (uint32_t)port } };
	uint32_t i = keymap_get(&g->m, &k);

	return i == UINT32_MAX ? NULL : &g->v[i];
}

/* An address's sort key: its family's rank, then its bytes. */
struct addr_key {
	uint8_t		 b[17];
};

struct sort_arg {
	const struct strtab	*st;
	const struct group	*v;
	const uint8_t		*order;
	const struct addr_key	*addr;	/* per group, when the order has GO_ADDR */
};

static void
addr_key(struct addr_key *k, const char *s)
{
	memset(k, 0, sizeof(*k));
	if (inet_pton(AF_INET, s, k->b + 1) == 1)
		k->b[0] = 0;
	else if (inet_pton(AF_INET6, s, k->b + 1) == 1)
		k->b[0] = 1;
	else
		k->b[0] = 2;
}

static int
cmp_i64(int64_t a, int64_t b)
{
	return a < b ? -1 : a > b;
}

static int
group_cmp(const void *a, const void *b, void *arg)
{
	const struct sort_arg *s = arg;
	const struct group *x = &s->v[*(const uint32_t *)a], *y = &s->v[*(const uint32_t *)b];
	const uint8_t *o;
	int c = 0;

	for (o = s->order; *o != GO_END && c == 0; o++) {
		switch (*o) {
		case GO_HOST:
			c = cmp_i64(x->host, y->host);
			break;
		case GO_PORT:
			c = cmp_i64(x->port, y->port);
			break;
		case GO_PROTO:
			c = cmp_i64(strtab_order(s->st, x->proto), strtab_order(s->st, y->proto));
			break;
		case GO_STR:
			c = cmp_i64(strtab_order(s->st, x->str), strtab_order(s->st, y->str));
			break;
		case GO_ADDR:
			c = memcmp(s->addr[x - s->v].b, s->addr[y - s->v].b, sizeof(s->addr->b));
			if (c == 0)
				c = cmp_i64(strtab_order(s->st, x->str), strtab_order(s->st, y->str));
			break;
		case GO_N0_DESC:
			c = cmp_i64(y->n[0], x->n[0]);
			break;
		case GO_DIR:
			c = strcmp(dir_names[x->dir], dir_names[y->dir]);
			break;
		}
	}
	return c;
}

uint32_t *
groups_sorted(const struct engine *e, const struct groups *g, const uint8_t *order)
{
	struct sort_arg s = { e->st, g->v, order, NULL };
	uint32_t *o = xcalloc(g->n + 1, sizeof(*o));
	struct addr_key *addr = NULL;
	size_t i;

	if (memchr(order, GO_ADDR, strlen((const char *)order))) {
		addr = xcalloc(g->n + 1, sizeof(*addr));
		for (i = 0; i < g->n; i++)
			addr_key(&addr[i], strtab_str(e->st, g->v[i].str));
		s.addr = addr;
	}
	for (i = 0; i < g->n; i++)
		o[i] = (uint32_t)i;
	qsort_r(o, g->n, sizeof(*o), group_cmp, &s);
	free(addr);
	return o;
}

void
groups_sweep(const struct engine *e, struct groups *g)
{
	const struct rec *x;
	uint32_t i, gi;

	for (i = 0; i < e->rs->r.n; i++) {
		gi = e->gid[e->by_start[i]];
		if (gi == NO_GROUP)
			continue;
		x = &e->rs->r.v[e->by_start[i]];
		span_add(&g->v[gi].sp, x->t0, x->t1);
	}
}

void
groups_free(struct groups *g)
{
	size_t i;
	int k;

	for (i = 0; i < g->n; i++)
		for (k = 0; k < 3; k++)
			VEC_FREE(&g->v[i].l[k]);
	VEC_FREE(g);
	keymap_release(&g->m);
}

const char *
host_name(const struct engine *e, uint16_t host)
{
	return e->rs->hosts[host];
}

char *
port_subject(const struct engine *e, uint32_t proto, int32_t port)
{
	char *s;

	if (port < 0)
		return NULL;
	xasprintf(&s, "%s/%d", strtab_str(e->st, proto), port);
	return s;
}
