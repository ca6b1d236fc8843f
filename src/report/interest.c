/*
 * Things of interest, Port Reporter Parser's lists: ports, users and
 * remote addresses asked about; executables in odd places; listeners on
 * all addresses never connected to; ports new since a baseline period.
 * Each list is one pass over the records into groups (engine.h): l[0]
 * what was seen (kinds, "to <address>"), l[1] programs, n[0] sockets.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/engine.h"
#include "util/buf.h"
#include "util/vec.h"
#include "util/xmalloc.h"

static const uint8_t by_port[] = { GO_HOST, GO_PORT, GO_PROTO, GO_STR, GO_END };
static const uint8_t by_str[] = { GO_HOST, GO_STR, GO_END };
static const uint8_t by_addr[] = { GO_HOST, GO_ADDR, GO_END };

/* Append a row; programs and detail are taken (freed with the report). */
static void
interest_row(struct rep_table *t, const char *host, const char *what, char *subject,
    char *programs, char *detail)
{
	struct rep_cell *c = rep_row(t);

	rep_set_text(&c[0], host);
	rep_set_text(&c[1], what);
	c[2].s = subject;
	c[2].null = subject == NULL;
	c[3].s = programs;
	c[3].null = programs == NULL;
	c[4].s = detail;
	c[4].null = detail == NULL;
}

static void
ports_of_interest(struct engine *e, struct rep_table *t, const struct report_opts *o)
{
	const struct records *rs = e->rs;
	unsigned char want[65536 / 8] = { 0 };
	struct groups g = { 0 };
	struct group *p;
	const struct rec *x;
	char *whats, *detail;
	uint32_t *ord;
	size_t i;
	int pass;

#define WANTED(port) ((port) >= 0 && (want[(port) >> 3] >> ((port) & 7) & 1))
	for (i = 0; i < o->nports_of_interest; i++)
		want[o->ports_of_interest[i] >> 3] |= (unsigned char)(1 << (o->ports_of_interest[i] & 7));
	/* sockets on a port of interest, then connections to one */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < rs->r.n; i++) {
			x = &rs->r.v[i];
			if (pass == 0 && WANTED(x->lport)) {
				p = group_get(&g, x->host, 0, x->proto, 0, x->lport, NULL);
				dl_add(e, &p->l[0], x->kind);
			} else if (pass == 1 && (x->kc & (KC_CONNECT | KC_UDPFLOW | KC_EST)) &&
			    WANTED(x->rport)) {
				p = group_get(&g, x->host, 0, x->proto, 0, x->rport, NULL);
				if (x->raddr != STR_NONE)
					dl_add(e, &p->l[0], TOVAL(x->raddr));
			} else {
				continue;
			}
			dl_add(e, &p->l[1], x->prog);
			p->n[0] += x->count;
		}
	}
#undef WANTED
	ord = groups_sorted(e, &g, by_port);
	for (i = 0; i < g.n; i++) {
		p = &g.v[ord[i]];
		detail = NULL;
		if ((whats = dl_join(e, &p->l[0])))
			xasprintf(&detail, "%s; %" PRId64 " socket(s)", whats, p->n[0]);
		free(whats);
		interest_row(t, host_name(e, p->host), "port of interest",
		    port_subject(e, p->proto, p->port), dl_join(e, &p->l[1]), detail);
	}
	free(ord);
	groups_free(&g);
}

static void
users_of_interest(struct engine *e, struct rep_table *t, const struct report_opts *o)
{
	const struct records *rs = e->rs;
	struct { uint32_t *v; size_t n, cap; } ids = { 0 };
	struct groups g = { 0 };
	struct group *p;
	const struct rec *x;
	char *detail;
	uint32_t *ord, id;
	size_t i, j;
	int hit;

	for (i = 0; i < o->nusers_of_interest; i++)
		if ((id = strtab_find(e->st, o->users_of_interest[i])) != STR_NONE)
			*VEC_PUSH(&ids) = id;
	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		hit = (x->flags & RF_UID_OI) != 0;
		for (j = 0; !hit && j < ids.n; j++)
			hit = x->user == ids.v[j];
		if (!hit)
			continue;
		p = group_get(&g, x->host, 0, 0, x->user, 0, NULL);
		dl_add(e, &p->l[1], x->prog);
		p->n[0] += x->count;
	}
	ord = groups_sorted(e, &g, by_str);
	for (i = 0; i < g.n; i++) {
		p = &g.v[ord[i]];
		xasprintf(&detail, "%" PRId64 " socket(s)", p->n[0]);
		interest_row(t, host_name(e, p->host), "user of interest",
		    xstrdup(strtab_str(e->st, p->str)), dl_join(e, &p->l[1]), detail);
	}
	free(ord);
	VEC_FREE(&ids);
	groups_free(&g);
}

static void
remotes_of_interest(struct engine *e, struct rep_table *t, const struct report_opts *o)
{
	const struct records *rs = e->rs;
	struct groups g = { 0 };
	struct group *p;
	const struct rec *x;
	const char *addr;
	char *detail;
	uint32_t *ord;
	size_t i, k;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		if (x->raddr == STR_NONE || !(x->kc & KC_CONN))
			continue;
		p = group_get(&g, x->host, 0, 0, x->raddr, 0, NULL);
		dl_add(e, &p->l[1], x->prog);
		p->n[0] += x->count;
	}
	ord = groups_sorted(e, &g, by_addr);
	for (i = 0; i < g.n; i++) {
		p = &g.v[ord[i]];
		addr = strtab_str(e->st, p->str);
		for (k = 0; k < o->nremotes_of_interest; k++) {
			if (rep_cidr_match(o->remotes_of_interest[k], addr) == 1) {
				xasprintf(&detail, "in %s; %" PRId64 " connection(s)",
				    o->remotes_of_interest[k], p->n[0]);
				interest_row(t, host_name(e, p->host), "remote of interest",
				    xstrdup(addr), dl_join(e, &p->l[1]), detail);
				break;
			}
		}
	}
	free(ord);
	groups_free(&g);
}

struct exe_row {
	const char	*host, *exe;
	char		*users;
	char		*path;		/* exe without " (deleted)" */
	const char	*name;		/* its last component */
	int		 deleted;
};

static int
exe_cmp(const void *a, const void *b)
{
	const struct exe_row *x = a, *y = b;
	int c = strcmp(x->host, y->host);

	if (c == 0)
		c = strcmp(x->name, y->name);
	if (c == 0)
		c = strcmp(x->path, y->path);
	return c;
}

/* Executables from odd places: deleted, under a temporary or home
 * directory, or one name run from two paths. */
static void
odd_paths(struct engine *e, struct rep_table *t)
{
	static const char *const odd_dirs[] = { "/tmp/", "/var/tmp/", "/dev/shm/",
	    "/home/", "/root/", "/run/user/" };
	static const char deleted[] = " (deleted)";
	struct { struct exe_row *v; size_t n, cap; } ex = { 0 };
	struct groups g = { 0 };
	const struct rec_exe *re;
	struct group *p;
	struct exe_row *r;
	struct buf d;
	const char *slash;
	uint32_t *ord;
	size_t i, j, k, len;

	for (i = 0; i < e->rs->exes.n; i++) {
		re = &e->rs->exes.v[i];
		p = group_get(&g, re->host, 0, 0, re->exe, 0, NULL);
		if (re->user != STR_NONE)
			dl_add(e, &p->l[0], re->user);
	}
	ord = groups_sorted(e, &g, by_str);
	for (i = 0; i < g.n; i++) {
		p = &g.v[ord[i]];
		r = VEC_PUSH(&ex);
		r->host = host_name(e, p->host);
		r->exe = strtab_str(e->st, p->str);
		r->users = dl_join(e, &p->l[0]);
		len = strlen(r->exe);
		r->deleted = len > sizeof(deleted) - 1 &&
		    strcmp(r->exe + len - (sizeof(deleted) - 1), deleted) == 0;
		r->path = xstrndup(r->exe, r->deleted ? len - (sizeof(deleted) - 1) : len);
		slash = strrchr(r->path, '/');
		r->name = slash ? slash + 1 : r->path;
	}
	free(ord);
	if (ex.n)
		qsort(ex.v, ex.n, sizeof(*ex.v), exe_cmp);
	buf_init(&d);
	for (i = 0; i < ex.n; i++) {
		r = &ex.v[i];
		buf_reset(&d);
		if (r->deleted)
			buf_puts(&d, "deleted executable");
		for (k = 0; k < sizeof(odd_dirs) / sizeof(odd_dirs[0]); k++) {
			if (strncmp(r->path, odd_dirs[k], strlen(odd_dirs[k])) == 0) {
				buf_printf(&d, "%sunder %.*s", d.len ? "; " : "",
				    (int)strlen(odd_dirs[k]) - 1, odd_dirs[k]);
				break;
			}
		}
		for (j = 0; j < ex.n; j++) {
			if (j != i && strcmp(ex.v[j].host, r->host) == 0 &&
			    strcmp(ex.v[j].name, r->name) == 0 &&
			    strcmp(ex.v[j].path, r->path) != 0)
				buf_printf(&d, "%s'%s' also runs from %s", d.len ? "; " : "",
				    r->name, ex.v[j].path);
		}
		if (d.len && r->users)
			buf_printf(&d, "; run by %s", r->users);
		if (d.len)
			interest_row(t, r->host, "odd executable path", xstrdup(r->exe),
			    xstrdup(r->name), xstrdup(buf_str(&d)));
	}
	buf_release(&d);
	for (i = 0; i < ex.n; i++) {
		free(ex.v[i].users);
		free(ex.v[i].path);
	}
	VEC_FREE(&ex);
	groups_free(&g);
}

/* Listeners on all addresses that no connection was accepted on. */
static void
open_listeners(struct engine *e, struct rep_table *t)
{
	const struct records *rs = e->rs;
	uint32_t any4 = strtab_find(e->st, "0.0.0.0"), any6 = strtab_find(e->st, "::");
	struct groups g = { 0 }, accepted = { 0 };
	struct group *p;
	const struct rec *x;
	char *detail;
	uint32_t *ord;
	size_t i;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		if ((x->kc & KC_ACCEPT) && x->lport >= 0)
			group_get(&accepted, x->host, 0, x->proto, 0, x->lport, NULL);
	}
	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		if (!(x->kc & KC_LISTEN) || x->laddr == STR_NONE ||
		    (x->laddr != any4 && x->laddr != any6))
			continue;
		if (x->lport >= 0 && group_find(&accepted, x->host, 0, x->proto, 0, x->lport))
			continue;
		p = group_get(&g, x->host, 0, x->proto, x->laddr, x->lport, NULL);
		dl_add(e, &p->l[1], x->prog);
	}
	ord = groups_sorted(e, &g, by_port);
	for (i = 0; i < g.n; i++) {
		p = &g.v[ord[i]];
		xasprintf(&detail, "listening on %s", strtab_str(e->st, p->str));
		interest_row(t, host_name(e, p->host), "listener never connected to",
		    port_subject(e, p->proto, p->port), dl_join(e, &p->l[1]), detail);
	}
	free(ord);
	groups_free(&accepted);
	groups_free(&g);
}

/* Listening or bound ports that the baseline window did not have. */
static void
new_since_baseline(struct engine *e, struct rep_table *t)
{
	const struct records *rs = e->rs;
	struct groups g = { 0 };
	struct group *p;
	const struct rec *x;
	struct gkey k;
	char *detail, when[32];
	uint32_t *ord;
	size_t i;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		if (!(x->kc & KC_SERVER))
			continue;
		k = (struct gkey){ { x->host, x->proto, (uint32_t)x->lport, 0 } };
		if (x->lport >= 0 && keymap_get(&rs->base, &k) != UINT32_MAX)
			continue;
		p = group_get(&g, x->host, 0, x->proto, 0, x->lport, NULL);
		if (!p->seen || x->t0 < p->first)
			p->first = x->t0;
		p->seen = 1;
		dl_add(e, &p->l[1], x->prog);
	}
	ord = groups_sorted(e, &g, by_port);
	for (i = 0; i < g.n; i++) {
		p = &g.v[ord[i]];
		rep_time_str(p->first, when, sizeof(when));
		xasprintf(&detail, "first seen %s", when);
		interest_row(t, host_name(e, p->host), "new since baseline",
		    port_subject(e, p->proto, p->port), dl_join(e, &p->l[1]), detail);
	}
	free(ord);
	groups_free(&g);
}

void
sec_interest(struct engine *e, struct rep_table *t, const struct report_opts *o)
{
	if (o->nports_of_interest)
		ports_of_interest(e, t, o);
	if (o->nusers_of_interest)
		users_of_interest(e, t, o);
	if (o->nremotes_of_interest)
		remotes_of_interest(e, t, o);
	odd_paths(e, t);
	open_listeners(e, t);
	if (o->base_until > 0)
		new_since_baseline(e, t);
}
