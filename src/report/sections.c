/*
 * The Parser's questions answered in C from the records (records.h): each
 * section groups the records by its key (engine.h), in the order they
 * were read (so a list of distinct names keeps the order they first
 * appeared in, as SQLite's group_concat did), and sums, keeps the first
 * and last time, and collects the distinct names.  "% of the recorded
 * time" is the length of the union of a group's intervals over the time
 * its host's recorders ran in the window: the records are sorted by start
 * once (span.h), and a section sweeps them in that order, adding to its
 * groups' unions.
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

static const struct rep_col cols_ports[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "proto", "PROTO", REP_TEXT, 0 },
	{ "port", "PORT", REP_INT, 0 },
	{ "kinds", "USE", REP_TEXT, 13 },
	{ "programs", "PROGRAMS", REP_TEXT, 30 },
	{ "users", "USERS", REP_TEXT, 12 },
	{ "first_seen", "FIRST SEEN", REP_TIME, 0 },
	{ "last_seen", "LAST SEEN", REP_TIME, -1 },
	{ "pct_time", "%TIME", REP_PCT, 0 },
	{ "connections", "CONNS", REP_INT, 0 },
};
static const struct rep_col cols_processes[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "program", "PROGRAM", REP_TEXT, 34 },
	{ "ports", "LISTENS ON", REP_TEXT, 20 },
	{ "outgoing", "OUT", REP_INT, 0 },
	{ "incoming", "IN", REP_INT, 0 },
	{ "users", "USERS", REP_TEXT, 12 },
	{ "units", "UNITS", REP_TEXT, 16 },
	{ "pct_time", "%TIME", REP_PCT, 0 },
};
static const struct rep_col cols_remotes[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "direction", "DIR", REP_TEXT, 0 },
	{ "proto", "PROTO", REP_TEXT, 0 },
	{ "address", "REMOTE ADDRESS", REP_TEXT, 39 },
	{ "name", "NAME", REP_TEXT, 30 },	/* filled by --resolve */
	{ "port", "PORT", REP_INT, 0 },
	{ "connections", "CONNS", REP_INT, 0 },
	{ "programs", "PROGRAMS", REP_TEXT, 30 },
	{ "first_seen", "FIRST SEEN", REP_TIME, 0 },
};
static const struct rep_col cols_users[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "user", "USER", REP_TEXT, 16 },
	{ "ports", "LISTENS ON", REP_TEXT, 24 },
	{ "programs", "PROGRAMS", REP_TEXT, 44 },
	{ "connections", "CONNS", REP_INT, 0 },
};
static const struct rep_col cols_hours[] = {
	{ "hour", "HOUR", REP_INT, 0 },
	{ "connections", "CONNECTIONS", REP_INT, 0 },
	{ "sockets", "SOCKETS", REP_INT, 0 },
};
static const struct rep_col cols_days[] = {
	{ "day", "DAY", REP_TEXT, 0 },
	{ "connections", "CONNECTIONS", REP_INT, 0 },
	{ "sockets", "SOCKETS", REP_INT, 0 },
	{ "programs", "PROGRAMS", REP_INT, 0 },
};
static const struct rep_col cols_interest[] = {
	{ "host", "HOST", REP_HOST, 16 },
	{ "what", "WHAT", REP_TEXT, 0 },
	{ "subject", "SUBJECT", REP_TEXT, 36 },
	{ "programs", "PROGRAMS", REP_TEXT, 30 },
	{ "detail", "DETAIL", REP_TEXT, 40 },
};

static const struct {
	const char		*name, *title;
	const struct rep_col	*cols;
	int			 ncols;
} sections[SEC_COUNT] = {
#define S(e, n, t, c) [e] = { n, t, c, (int)(sizeof(c) / sizeof(c[0])) }
	S(SEC_INTEREST, "interest", "Things of interest", cols_interest),
	S(SEC_PORTS, "ports", "Ports (listened on, bound, accepted on)", cols_ports),
	S(SEC_PROCESSES, "processes", "Programs", cols_processes),
	S(SEC_REMOTES, "remotes", "Remote ends", cols_remotes),
	S(SEC_USERS, "users", "Users", cols_users),
	S(SEC_HOURS, "hours", "Sockets opened per hour of day", cols_hours),
	S(SEC_DAYS, "days", "Sockets opened per day", cols_days),
#undef S
};

static void
set_list(struct rep_cell *c, const struct engine *e, const struct dlist *l)
{
	c->s = dl_join(e, l);
	c->null = c->s == NULL;
}

/* A group's % of its host's recorded time (null when the host recorded
 * nothing in the window). */
static void
set_pct(struct rep_cell *c, const struct engine *e, const struct group *p)
{
	if (e->rs->has_runs[p->host] && e->rs->recorded[p->host] > 0)
		rep_set_pct(c, 100.0 * (double)p->sp.busy / (double)e->rs->recorded[p->host]);
}

static void
set_port(struct rep_cell *c, int32_t port)
{
	if (port >= 0)
		rep_set_int(c, port);
}

/* Ports: by host, protocol and local port, of listening, bound and
 * accepted sockets; l[0] kinds, l[1] programs, l[2] users, n[0]
 * connections accepted. */
static void
sec_ports(struct engine *e, struct rep_table *t)
{
	static const uint8_t order[] = { GO_HOST, GO_PORT, GO_PROTO, GO_END };
	const struct records *rs = e->rs;
	struct groups g = { 0 };
	struct group *p;
	struct rep_cell *c;
	const struct rec *x;
	uint32_t *o;
	size_t i;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		e->gid[i] = NO_GROUP;
		if (!(x->kc & KC_PORTS))
			continue;
		p = group_get(&g, x->host, 0, x->proto, 0, x->lport, &e->gid[i]);
		if (!p->seen || x->t0 < p->first)
			p->first = x->t0;
		if (!p->seen || x->t1 > p->last)
			p->last = x->t1;
		p->seen = 1;
		dl_add(e, &p->l[0], x->kind);
		dl_add(e, &p->l[1], x->prog);
		dl_add(e, &p->l[2], x->user);
		if (x->kc & KC_ACCEPT)
			p->n[0] += x->count;
	}
	groups_sweep(e, &g);
	o = groups_sorted(e, &g, order);
	for (i = 0; i < g.n; i++) {
		p = &g.v[o[i]];
		c = rep_row(t);
		rep_set_text(&c[0], host_name(e, p->host));
		rep_set_text(&c[1], strtab_str(e->st, p->proto));
		set_port(&c[2], p->port);
		set_list(&c[3], e, &p->l[0]);
		set_list(&c[4], e, &p->l[1]);
		set_list(&c[5], e, &p->l[2]);
		rep_set_int(&c[6], p->first);
		rep_set_int(&c[7], p->last);
		set_pct(&c[8], e, p);
		rep_set_int(&c[9], p->n[0]);
	}
	free(o);
	groups_free(&g);
}

/* Programs: by host and program; l[0] ports listened on or bound, l[1]
 * users, l[2] units; n[0] out, n[1] in. */
static void
sec_processes(struct engine *e, struct rep_table *t)
{
	static const uint8_t order[] = { GO_HOST, GO_STR, GO_END };
	const struct records *rs = e->rs;
	struct groups g = { 0 };
	struct group *p;
	struct rep_cell *c;
	const struct rec *x;
	uint32_t *o;
	size_t i;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		p = group_get(&g, x->host, 0, 0, x->prog, 0, &e->gid[i]);
		if ((x->kc & KC_SERVER) && x->lport >= 0)
			dl_add(e, &p->l[0], PORTVAL(x->proto, x->lport));
		dl_add(e, &p->l[1], x->user);
		if (x->unit != STR_NONE)
			dl_add(e, &p->l[2], x->unit);
		if (x->kc & KC_OUT)
			p->n[0] += x->count;
		if (x->kc & KC_ACCEPT)
			p->n[1] += x->count;
	}
	groups_sweep(e, &g);
	o = groups_sorted(e, &g, order);
	for (i = 0; i < g.n; i++) {
		p = &g.v[o[i]];
		c = rep_row(t);
		rep_set_text(&c[0], host_name(e, p->host));
		rep_set_text(&c[1], strtab_str(e->st, p->str));
		set_list(&c[2], e, &p->l[0]);
		rep_set_int(&c[3], p->n[0]);
		rep_set_int(&c[4], p->n[1]);
		set_list(&c[5], e, &p->l[1]);
		set_list(&c[6], e, &p->l[2]);
		set_pct(&c[7], e, p);
	}
	free(o);
	groups_free(&g);
}

/* Remote ends: by host, direction, protocol, address and port (the
 * remote port of a connection made, the local port of one accepted);
 * n[0] connections, l[0] programs. */
static void
sec_remotes(struct engine *e, struct rep_table *t)
{
	static const uint8_t order[] = { GO_N0_DESC, GO_HOST, GO_ADDR, GO_PORT, GO_DIR,
	    GO_PROTO, GO_END };
	const struct records *rs = e->rs;
	struct groups g = { 0 };
	struct group *p;
	struct rep_cell *c;
	const struct rec *x;
	uint32_t *o;
	size_t i;
	uint8_t dir;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		if (x->raddr == STR_NONE || !(x->kc & KC_CONN))
			continue;
		dir = x->kc & KC_ACCEPT ? DIR_IN : x->kc & KC_EST ? DIR_UNKNOWN : DIR_OUT;
		p = group_get(&g, x->host, dir, x->proto, x->raddr,
		    x->kc & KC_ACCEPT ? x->lport : x->rport, NULL);
		if (!p->seen || x->t0 < p->first)
			p->first = x->t0;
		p->seen = 1;
		p->n[0] += x->count;
		dl_add(e, &p->l[0], x->prog);
	}
	o = groups_sorted(e, &g, order);
	for (i = 0; i < g.n; i++) {
		p = &g.v[o[i]];
		c = rep_row(t);
		rep_set_text(&c[0], host_name(e, p->host));
		rep_set_text(&c[1], dir_names[p->dir]);
		rep_set_text(&c[2], strtab_str(e->st, p->proto));
		rep_set_text(&c[3], strtab_str(e->st, p->str));
		/* c[4], the name, stays null: --resolve fills it */
		set_port(&c[5], p->port);
		rep_set_int(&c[6], p->n[0]);
		set_list(&c[7], e, &p->l[0]);
		rep_set_int(&c[8], p->first);
	}
	free(o);
	groups_free(&g);
}

/* Users: by host and user; l[0] ports, l[1] programs, n[0] connections. */
static void
sec_users(struct engine *e, struct rep_table *t)
{
	static const uint8_t order[] = { GO_HOST, GO_STR, GO_END };
	const struct records *rs = e->rs;
	struct groups g = { 0 };
	struct group *p;
	struct rep_cell *c;
	const struct rec *x;
	uint32_t *o;
	size_t i;

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		p = group_get(&g, x->host, 0, 0, x->user, 0, NULL);
		if ((x->kc & KC_SERVER) && x->lport >= 0)
			dl_add(e, &p->l[0], PORTVAL(x->proto, x->lport));
		dl_add(e, &p->l[1], x->prog);
		if (x->kc & KC_CONN)
			p->n[0] += x->count;
	}
	o = groups_sorted(e, &g, order);
	for (i = 0; i < g.n; i++) {
		p = &g.v[o[i]];
		c = rep_row(t);
		rep_set_text(&c[0], host_name(e, p->host));
		rep_set_text(&c[1], strtab_str(e->st, p->str));
		set_list(&c[2], e, &p->l[0]);
		set_list(&c[3], e, &p->l[1]);
		rep_set_int(&c[4], p->n[0]);
	}
	free(o);
	groups_free(&g);
}

/* Hours (all 24) and days (those with sockets), local, of sockets opened
 * in the window: connections, sockets and, per day, distinct programs
 * (l[0]); a group's port is its day, yyyymmdd. */
static void
sec_time(struct engine *e, struct rep_table *hours, struct rep_table *days)
{
	static const uint8_t order[] = { GO_PORT, GO_END };
	const struct records *rs = e->rs;
	int64_t conns[24] = { 0 }, sockets[24] = { 0 };
	struct groups g = { 0 };
	struct group *d;
	struct rep_cell *c;
	const struct rec *x;
	uint32_t *o;
	int32_t day;
	size_t i;
	int h;
	char s[16];

	for (i = 0; i < rs->r.n; i++) {
		x = &rs->r.v[i];
		if (!(x->flags & RF_OPENED))
			continue;
		tz_map_find(&e->tz, x->t0, &h, &day);
		d = group_get(&g, 0, 0, 0, 0, day, NULL);
		if (x->kc & KC_CONN) {
			conns[h] += x->count;
			d->n[0] += x->count;
		}
		sockets[h] += x->count;
		d->n[1] += x->count;
		if (days)
			dl_add(e, &d->l[0], x->prog);
	}
	for (h = 0; hours && h < 24; h++) {
		c = rep_row(hours);
		rep_set_int(&c[0], h);
		rep_set_int(&c[1], conns[h]);
		rep_set_int(&c[2], sockets[h]);
	}
	o = groups_sorted(e, &g, order);
	for (i = 0; days && i < g.n; i++) {
		d = &g.v[o[i]];
		c = rep_row(days);
		snprintf(s, sizeof(s), "%04d-%02d-%02d", (int)(d->port / 10000),
		    (int)(d->port / 100 % 100), (int)(d->port % 100));
		rep_set_text(&c[0], s);
		rep_set_int(&c[1], d->n[0]);
		rep_set_int(&c[2], d->n[1]);
		rep_set_int(&c[3], (int64_t)d->l[0].n);
	}
	free(o);
	groups_free(&g);
}

int
report_span(struct store_reader *r, int64_t *first, int64_t *last, char *err, size_t errlen)
{
	struct store_rows *rows;
	int rc;

	*first = *last = 0;
	rows = store_query(r, "SELECT min(started), max(coalesce(stopped, last_commit, started)) "
	    "FROM all_runs", NULL, 0, err, errlen);
	if (!rows)
		return -1;
	if ((rc = store_rows_next(rows, err, errlen)) == 1) {
		*first = store_rows_int(rows, 0);
		*last = store_rows_int(rows, 1);
	}
	store_rows_free(rows);
	return rc < 0 ? -1 : 0;
}

int
report_build(struct report *rep, struct store_reader *r, const struct report_opts *o,
    const int *want, char *err, size_t errlen)
{
	struct records rs;
	struct engine e;
	struct rep_table *t;
	size_t i;
	int s, rc = 0;

	memset(rep, 0, sizeof(*rep));
	rep->since = o->since;
	rep->until = o->until;
	rep->nhosts = store_reader_nhosts(r);
	rep->hosts = xcalloc(rep->nhosts + 1, sizeof(*rep->hosts));
	for (i = 0; i < rep->nhosts; i++)
		rep->hosts[i] = xstrdup(store_reader_host(r, i));
	for (s = 0; s < SEC_COUNT; s++) {
		t = &rep->tables[s];
		t->sec = (enum rep_section)s;
		t->name = sections[s].name;
		t->title = sections[s].title;
		t->cols = sections[s].cols;
		t->ncols = sections[s].ncols;
		rep->want[s] = want[s];
	}
	if (records_read(&rs, r, o, err, errlen) == -1) {
		records_release(&rs);
		return -1;
	}
	for (i = 0; i < rs.nhosts; i++)
		rep->recorded_ns += rs.recorded[i];
	/* the zone as the window's start, the records and its end see it */
	memset(&e, 0, sizeof(e));
	tz_map_name_at(&e.tz, o->since);
	if (rs.r.n)
		tz_map_build(&e.tz, rs.t_min, rs.t_max);
	tz_map_name_at(&e.tz, o->until - 1);
	tz_map_label(&e.tz, rep->tz, sizeof(rep->tz));
	strtab_rank(&rs.strs);
	e.rs = &rs;
	e.st = &rs.strs;
	e.gid = xcalloc(rs.r.n + 1, sizeof(*e.gid));
	e.by_start = NULL;
	if ((want[SEC_PORTS] || want[SEC_PROCESSES]) && rs.r.n)
		e.by_start = span_order(&rs.r.v[0].t0, sizeof(struct rec) / sizeof(int64_t), rs.r.n);
	if (want[SEC_INTEREST])
		sec_interest(&e, &rep->tables[SEC_INTEREST], o);
	if (want[SEC_PORTS])
		sec_ports(&e, &rep->tables[SEC_PORTS]);
	if (want[SEC_PROCESSES])
		sec_processes(&e, &rep->tables[SEC_PROCESSES]);
	if (want[SEC_REMOTES])
		sec_remotes(&e, &rep->tables[SEC_REMOTES]);
	if (want[SEC_USERS])
		sec_users(&e, &rep->tables[SEC_USERS]);
	if (want[SEC_HOURS] || want[SEC_DAYS])
		sec_time(&e, want[SEC_HOURS] ? &rep->tables[SEC_HOURS] : NULL,
		    want[SEC_DAYS] ? &rep->tables[SEC_DAYS] : NULL);
	free(e.gid);
	free(e.by_start);
	tz_map_release(&e.tz);
	keymap_release(&e.seen);
	records_release(&rs);
	return rc;
}

void
report_free(struct report *rep)
{
	size_t i;
	int s;

	for (s = 0; s < SEC_COUNT; s++) {
		for (i = 0; i < rep->tables[s].cells.n; i++)
			free(rep->tables[s].cells.v[i].s);
		VEC_FREE(&rep->tables[s].cells);
	}
	for (i = 0; i < rep->nhosts; i++)
		free(rep->hosts[i]);
	free(rep->hosts);
}
