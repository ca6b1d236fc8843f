#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "events/diff.h"
#include "output/text.h"
#include "tui/model.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define NONE	UINT32_MAX

void
tui_model_init(struct tui_model *m, uint64_t linger_ns)
{
	memset(m, 0, sizeof(*m));
	m->linger_ns = linger_ns;
	m->sort_col = TUI_COL_PROCESS;
	m->show = TUI_SHOW_ALL;
}

static void
gone_release(struct tui_gone *g)
{
	free(g->user);
	free(g->unit);
}

void
tui_model_release(struct tui_model *m)
{
	size_t i;

	for (i = 0; i < m->ngone; i++)
		gone_release(&m->gone[i]);
	free(m->gone);
	free(m->live);
	free(m->view);
	if (m->have_snap)
		snapshot_release(&m->snap);
	memset(m, 0, sizeof(*m));
}

size_t
tui_model_nrows(const struct tui_model *m)
{
	return m->snap.nsocks + m->ngone;
}

/* Owners of row r in s: the first one's process (or NULL) and the number of
 * distinct pids. */
static const struct proc_info *
first_owner(const struct snapshot *s, const struct sock_row *r, uint32_t *npids)
{
	uint32_t o, last = 0;

	*npids = 0;
	for (o = r->owner; o != OWNER_NONE; o = s->owners[o].next) {
		if (*npids == 0 || s->owners[o].pid != last)
			(*npids)++;
		last = s->owners[o].pid;
	}
	return r->owner == OWNER_NONE ? NULL : snapshot_proc(s, &s->owners[r->owner]);
}

static const char *
proc_unit(const struct proc_info *p)
{
	if (p == NULL)
		return NULL;
	return p->unit ? p->unit : p->container;
}

void
tui_model_ep(const struct tui_model *m, uint32_t row, struct tui_ep *ep)
{
	const struct proc_info *p;
	const struct tui_gone *g;

	memset(ep, 0, sizeof(*ep));
	if (row < m->snap.nsocks) {
		ep->r = &m->snap.socks[row];
		ep->live = &m->live[row];
		p = first_owner(&m->snap, ep->r, &ep->nowners);
		ep->comm = p ? p->comm : "";
		ep->pid = p ? (uint32_t)p->pid : 0;
		ep->start_ticks = p ? p->start_ticks : 0;
		ep->user = p ? p->user : NULL;
		ep->unit = proc_unit(p);
		return;
	}
	g = &m->gone[row - m->snap.nsocks];
	ep->r = &g->r;
	ep->live = &g->live;
	ep->pid = g->pid;
	ep->start_ticks = g->start_ticks;
	ep->nowners = g->nowners;
	ep->comm = g->comm;
	ep->user = g->user;
	ep->unit = g->unit;
	ep->flash = g->flash;
}

/* Has a mark set at mark_ns expired by now?  A mark set by the latest
 * update always shows, whatever the linger. */
static int
expired(const struct tui_model *m, uint64_t mark_ns)
{
	return mark_ns != m->now_ns && mark_ns + m->linger_ns <= m->now_ns;
}

enum tui_mark
tui_row_mark(const struct tui_model *m, uint32_t row)
{
	struct tui_ep ep;

	tui_model_ep(m, row, &ep);
	if (ep.live->mark != TUI_MARK_NONE && expired(m, ep.live->mark_ns))
		return TUI_MARK_NONE;
	return ep.live->mark;
}

static struct tui_gone *
gone_push(struct tui_model *m)
{
	struct tui_gone *g;

	if (m->ngone == m->gone_cap) {
		m->gone_cap = m->gone_cap ? m->gone_cap * 2 : 64;
		m->gone = xreallocarray(m->gone, m->gone_cap, sizeof(*m->gone));
	}
	g = &m->gone[m->ngone++];
	memset(g, 0, sizeof(*g));
	return g;
}

/* Keep row i of src's snapshot as a closed row of dst. */
static void
gone_add(struct tui_model *dst, const struct tui_model *src, uint32_t i, uint64_t now_ns)
{
	const struct sock_row *r = &src->snap.socks[i];
	const struct proc_info *p;
	struct tui_gone *g = gone_push(dst);

	g->r = *r;
	g->r.owner = OWNER_NONE;
	g->live = src->live[i];
	g->live.mark = TUI_MARK_CLOSED;
	g->live.mark_ns = now_ns;
	g->live.tx_rate = g->live.rx_rate = 0;
	if ((p = first_owner(&src->snap, r, &g->nowners)) != NULL) {
		g->pid = (uint32_t)p->pid;
		g->start_ticks = p->start_ticks;
		memcpy(g->comm, p->comm, sizeof(g->comm));
		g->user = p->user ? xstrdup(p->user) : NULL;
		g->unit = proc_unit(p) ? xstrdup(proc_unit(p)) : NULL;
	}
}

void
tui_model_flash(struct tui_model *m, const struct sock_row *r, uint32_t pid,
    const char *comm, uint64_t now_ns)
{
	struct tui_gone *g = gone_push(m);

	g->r = *r;
	g->r.owner = OWNER_NONE;
	if (pid == 0 && g->r.missing == OWNER_FOUND)
		g->r.missing = OWNER_ORPHAN;
	g->live.first_ns = now_ns;
	g->live.mark = TUI_MARK_CLOSED;
	g->live.mark_ns = now_ns;
	g->pid = pid;
	g->nowners = pid != 0;
	if (comm)
		snprintf(g->comm, sizeof(g->comm), "%s", comm);
	g->flash = 1;
	m->counts.short_lived++;
}

static float
rate(uint64_t now, uint64_t before, uint64_t dt_ns)
{
	if (now <= before || dt_ns == 0)
		return 0;
	return (float)((double)(now - before) * 1e9 / (double)dt_ns);
}

static void
count_rows(struct tui_model *m)
{
	struct tui_counts *c = &m->counts;
	const struct sock_row *r;
	size_t i;

	c->endpoints = m->snap.nsocks;
	c->established = c->listening = c->time_wait = c->close_wait = 0;
	for (i = 0; i < m->snap.nsocks; i++) {
		r = &m->snap.socks[i];
		if (r->state == TCP_ESTABLISHED)
			c->established++;
		else if (r->state == TCP_LISTEN || (r->proto != IPPROTO_TCP && r->state == TCP_CLOSE))
			c->listening++;
		else if (r->state == TCP_TIME_WAIT)
			c->time_wait++;
		else if (r->state == TCP_CLOSE_WAIT)
			c->close_wait++;
	}
}

void
tui_model_next(struct tui_model *m, const struct tui_model *prev, struct snapshot *cur,
    uint64_t now_ns)
{
	struct tui_live *l;
	struct tui_gone *g;
	const struct sock_row *a, *b;
	unsigned char *taken = NULL;
	uint32_t *match = NULL;
	uint64_t dt = now_ns - prev->now_ns;
	unsigned c;
	size_t i;

	tui_model_init(m, prev->linger_ns);
	m->info = prev->info;
	m->name_fn = prev->name_fn;
	m->name_arg = prev->name_arg;
	m->counts.lost = prev->counts.lost;
	m->refreshes = prev->refreshes + 1;
	m->now_ns = now_ns;
	m->live = xcalloc(cur->nsocks + 1, sizeof(*m->live));
	if (prev->have_snap) {
		match = xreallocarray(NULL, cur->nsocks + 1, sizeof(*match));
		taken = xcalloc(prev->snap.nsocks + 1, 1);
		diff_match(&prev->snap, cur, match);
	}
	for (i = 0; i < cur->nsocks; i++) {
		l = &m->live[i];
		a = &cur->socks[i];
		if (!prev->have_snap) {
			l->first_ns = now_ns;
			l->at_start = 1;
			continue;
		}
		if (match[i] == DIFF_NO_MATCH) {
			l->first_ns = now_ns;
			l->mark = TUI_MARK_NEW;
			l->mark_ns = now_ns;
			m->counts.new_rows++;
			continue;
		}
		taken[match[i]] = 1;
		b = &prev->snap.socks[match[i]];
		*l = prev->live[match[i]];
		if (l->mark != TUI_MARK_NONE && expired(m, l->mark_ns))
			l->mark = TUI_MARK_NONE;
		c = diff_compare(&prev->snap, b, cur, a);
		/* an owner found where none was known (a socket born during
		 * the last scan) is news about us, not about the socket */
		if (c == DIFF_CHANGED_OWNER && b->owner == OWNER_NONE)
			c = 0;
		if (c != 0) {
			l->mark = TUI_MARK_CHANGED;
			l->mark_ns = now_ns;
			m->counts.changed++;
		}
		l->tx_rate = rate(a->bytes_sent, b->bytes_sent, dt);
		l->rx_rate = rate(a->bytes_received, b->bytes_received, dt);
	}
	/* closed rows: those still lingering, then those closed now */
	for (i = 0; i < prev->ngone; i++) {
		if (expired(m, prev->gone[i].live.mark_ns))
			continue;
		g = gone_push(m);
		*g = prev->gone[i];
		g->user = g->user ? xstrdup(g->user) : NULL;
		g->unit = g->unit ? xstrdup(g->unit) : NULL;
	}
	if (prev->have_snap)
		for (i = 0; i < prev->snap.nsocks; i++)
			if (!taken[i]) {
				gone_add(m, prev, (uint32_t)i, now_ns);
				m->counts.closed++;
			}
	free(taken);
	free(match);
	m->snap = *cur;
	memset(cur, 0, sizeof(*cur));
	m->have_snap = 1;
	count_rows(m);
}

void
tui_model_update(struct tui_model *m, struct snapshot *cur, uint64_t now_ns)
{
	struct tui_model next;

	tui_model_next(&next, m, cur, now_ns);
	next.sort_col = m->sort_col;
	next.sort_reverse = m->sort_reverse;
	next.show = m->show;
	memcpy(next.filter, m->filter, sizeof(next.filter));
	tui_model_release(m);
	*m = next;
}

/* --- view: toggles, filter, sort --- */

static int
shown(const struct tui_model *m, const struct sock_row *r)
{
	unsigned s = m->show;

	if (!(s & (r->proto == IPPROTO_TCP ? TUI_SHOW_TCP : TUI_SHOW_UDP)))
		return 0;
	if (!(s & (r->family == AF_INET6 ? TUI_SHOW_V6 : TUI_SHOW_V4)))
		return 0;
	if (!(s & TUI_SHOW_LISTENING) && (r->state == TCP_LISTEN ||
	    (r->proto != IPPROTO_TCP && r->state == TCP_CLOSE)))
		return 0;
	if (!(s & TUI_SHOW_ESTABLISHED) && r->state == TCP_ESTABLISHED)
		return 0;
	return 1;
}

static const enum tui_col filter_cols[] = {
	TUI_COL_PROCESS, TUI_COL_PID, TUI_COL_PROTO, TUI_COL_STATE, TUI_COL_LOCAL,
	TUI_COL_REMOTE, TUI_COL_USER, TUI_COL_UNIT,
};

static int
filter_match(const struct tui_model *m, uint32_t row, struct buf *b)
{
	size_t i;

	for (i = 0; i < sizeof(filter_cols) / sizeof(filter_cols[0]); i++) {
		buf_reset(b);
		tui_cell(m, row, filter_cols[i], b);
		if (strcasestr(buf_str(b), m->filter) != NULL)
			return 1;
	}
	return 0;
}

static int
u64_cmp(uint64_t a, uint64_t b)
{
	return a < b ? -1 : a > b;
}

/* One row's sort keys, worked out once per view so that the comparisons
 * of the sort touch nothing else: k32, then s (any case), then k64, then
 * the ends, then the row number. */
struct sort_ent {
	uint32_t		 row;
	uint32_t		 k32;
	uint64_t		 k64;
	const char		*s;
	const struct sock_row	*r;
};

/* A number that orders endpoints as ends_cmp() does, as far as 64 bits
 * go: family, then the address's first bytes (an IPv4 address whole,
 * with its port), so that most comparisons end here. */
static uint64_t
ends_prefix(int family, const uint8_t *addr, uint16_t port)
{
	uint64_t k = 0;
	int i;

	if (family == AF_INET)
		return ((uint64_t)addr[0] << 40 | (uint64_t)addr[1] << 32 |
		    (uint64_t)addr[2] << 24 | (uint64_t)addr[3] << 16 | port);
	for (i = 0; i < 8; i++)
		k = k << 8 | addr[i];
	return 1ULL << 63 | k >> 1;
}

static void
sort_keys(const struct tui_model *m, uint32_t row, struct sort_ent *e)
{
	struct tui_ep ep;

	tui_model_ep(m, row, &ep);
	memset(e, 0, sizeof(*e));
	e->row = row;
	e->r = ep.r;
	switch (m->sort_col) {
	case TUI_COL_PROCESS:
		e->k32 = ep.pid == 0;	/* sockets without an owner last */
		e->s = ep.comm;
		e->k64 = ep.pid;
		break;
	case TUI_COL_PID:
		e->k64 = ep.pid ? ep.pid : UINT32_MAX;
		break;
	case TUI_COL_PROTO:
		e->k64 = (uint64_t)ep.r->proto << 8 | ep.r->family;
		break;
	case TUI_COL_STATE:
		e->s = sock_state_name(ep.r);
		break;
	case TUI_COL_SENT:
		e->k64 = ep.r->bytes_sent;
		break;
	case TUI_COL_RECV:
		e->k64 = ep.r->bytes_received;
		break;
	case TUI_COL_TX_RATE:
		e->k64 = (uint64_t)ep.live->tx_rate;
		break;
	case TUI_COL_RX_RATE:
		e->k64 = (uint64_t)ep.live->rx_rate;
		break;
	case TUI_COL_AGE:
		e->k64 = ep.live->first_ns;	/* oldest first */
		break;
	case TUI_COL_USER:
		e->s = ep.user ? ep.user : "";
		break;
	case TUI_COL_UNIT:
		e->s = ep.unit ? ep.unit : "";
		break;
	case TUI_COL_LOCAL:
		e->k64 = ends_prefix(ep.r->family, ep.r->laddr, ep.r->lport);
		break;
	case TUI_COL_REMOTE:
		e->k64 = ends_prefix(ep.r->family, ep.r->raddr, ep.r->rport);
		break;
	case TUI_NCOLS:
		break;
	}
}

static int
ends_cmp(const struct sock_row *a, const struct sock_row *b, int remote_first)
{
	int c;

	if (remote_first && ((c = u64_cmp(a->family, b->family)) != 0 ||
	    (c = memcmp(a->raddr, b->raddr, 16)) != 0 ||
	    (c = u64_cmp(a->rport, b->rport)) != 0))
		return c;
	if ((c = u64_cmp(a->family, b->family)) != 0 ||
	    (c = memcmp(a->laddr, b->laddr, 16)) != 0 ||
	    (c = u64_cmp(a->lport, b->lport)) != 0 ||
	    (c = u64_cmp(a->proto, b->proto)) != 0 ||
	    (c = memcmp(a->raddr, b->raddr, 16)) != 0)
		return c;
	return u64_cmp(a->rport, b->rport);
}

static int
ent_cmp(const void *pa, const void *pb, void *arg)
{
	const struct tui_model *m = arg;
	const struct sort_ent *a = pa, *b = pb;
	int c;

	if ((c = u64_cmp(a->k32, b->k32)) == 0 &&
	    (a->s == NULL || (c = strcasecmp(a->s, b->s)) == 0) &&
	    (c = u64_cmp(a->k64, b->k64)) == 0 &&
	    (c = ends_cmp(a->r, b->r, m->sort_col == TUI_COL_REMOTE)) == 0)
		c = u64_cmp(a->row, b->row);
	return m->sort_reverse ? -c : c;
}

void
tui_view_build(const struct tui_model *m, uint32_t **viewp, size_t *nviewp)
{
	size_t n = tui_model_nrows(m), i, nview = 0;
	struct sort_ent *ent;
	uint32_t *view;
	struct buf b;

	view = xreallocarray(NULL, n + 1, sizeof(*view));
	ent = xreallocarray(NULL, n + 1, sizeof(*ent));
	buf_init(&b);
	for (i = 0; i < n; i++) {
		const struct sock_row *r = i < m->snap.nsocks ? &m->snap.socks[i] :
		    &m->gone[i - m->snap.nsocks].r;

		if (!shown(m, r))
			continue;
		if (m->filter[0] != '\0' && !filter_match(m, (uint32_t)i, &b))
			continue;
		sort_keys(m, (uint32_t)i, &ent[nview++]);
	}
	buf_release(&b);
	qsort_r(ent, nview, sizeof(*ent), ent_cmp, (void *)m);
	for (i = 0; i < nview; i++)
		view[i] = ent[i].row;
	free(ent);
	*viewp = view;
	*nviewp = nview;
}

void
tui_model_view(struct tui_model *m)
{
	free(m->view);
	tui_view_build(m, &m->view, &m->nview);
}

uint64_t
tui_row_key(const struct tui_model *m, uint32_t row)
{
	struct tui_ep ep;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	tui_model_ep(m, row, &ep);
	if (ep.r->inode != 0)
		return ep.r->inode;
	for (i = 0; i < 16; i++)
		h = (h ^ ep.r->laddr[i] ^ ((uint64_t)ep.r->raddr[i] << 8)) * 0x100000001b3ULL;
	h = (h ^ ((uint64_t)ep.r->lport << 16 | ep.r->rport | (uint64_t)ep.r->proto << 32)) *
	    0x100000001b3ULL;
	return h | 1ULL << 63;	/* never an inode */
}

long
tui_view_find(const struct tui_model *m, uint64_t key)
{
	size_t i;

	for (i = 0; i < m->nview; i++)
		if (tui_row_key(m, m->view[i]) == key)
			return (long)i;
	return -1;
}

/* --- columns and cells --- */

struct col_spec {
	const char	*name;
	const char	*alias;
	int		 min, want, max;	/* widths */
	int		 prio;			/* 0 is kept longest */
	int		 right;			/* numbers: right-aligned */
};

static const struct col_spec cols[TUI_NCOLS] = {
	[TUI_COL_PROCESS] = { "Process", "comm", 7, 12, 24, 0, 0 },
	[TUI_COL_PID] = { "PID", NULL, 7, 7, 7, 1, 1 },
	[TUI_COL_PROTO] = { "Proto", "protocol", 5, 5, 5, 5, 0 },
	[TUI_COL_STATE] = { "State", NULL, 6, 11, 11, 4, 0 },
	[TUI_COL_LOCAL] = { "Local", "local-address", 12, 20, 47, 2, 0 },
	[TUI_COL_REMOTE] = { "Remote", "remote-address", 12, 20, 47, 3, 0 },
	[TUI_COL_SENT] = { "Sent", "sent-bytes", 6, 6, 8, 6, 1 },
	[TUI_COL_RECV] = { "Recv", "received-bytes", 6, 6, 8, 7, 1 },
	[TUI_COL_TX_RATE] = { "Tx/s", "tx", 6, 6, 8, 10, 1 },
	[TUI_COL_RX_RATE] = { "Rx/s", "rx", 6, 6, 8, 9, 1 },
	[TUI_COL_AGE] = { "Age", "create-time", 5, 6, 6, 8, 1 },
	[TUI_COL_USER] = { "User", NULL, 4, 8, 12, 11, 0 },
	[TUI_COL_UNIT] = { "Unit", "container", 6, 20, 40, 12, 0 },
};

const char *
tui_col_name(enum tui_col c)
{
	return c < TUI_NCOLS ? cols[c].name : "?";
}

int
tui_col_parse(const char *s)
{
	int i;

	for (i = 0; i < TUI_NCOLS; i++)
		if (strcasecmp(s, cols[i].name) == 0 ||
		    (cols[i].alias && strcasecmp(s, cols[i].alias) == 0))
			return i;
	if (strcasecmp(s, "proto") == 0)
		return TUI_COL_PROTO;
	return -1;
}

char
tui_mark_char(enum tui_mark mk, int flash)
{
	switch (mk) {
	case TUI_MARK_NEW:
		return '+';
	case TUI_MARK_CHANGED:
		return '*';
	case TUI_MARK_CLOSED:
		return flash ? '!' : '-';
	case TUI_MARK_NONE:
		break;
	}
	return ' ';
}

/* 1234, 12.3K, 123K, 1.2M … (powers of 1024). */
static void
human(struct buf *b, double v)
{
	static const char units[] = "KMGTP";
	int u = -1;

	if (v < 1000) {
		buf_printf(b, "%.0f", v);
		return;
	}
	while (v >= 1000 && u < 4) {
		v /= 1024;
		u++;
	}
	buf_printf(b, v < 10 ? "%.1f%c" : "%.0f%c", v, units[u]);
}

static void
age(struct buf *b, uint64_t ns, int at_least)
{
	uint64_t s = ns / NSEC_PER_SEC;

	if (at_least)
		buf_putc(b, '>');
	if (s < 60)
		buf_printf(b, "%llus", (unsigned long long)s);
	else if (s < 3600)
		buf_printf(b, "%llum", (unsigned long long)(s / 60));
	else if (s < 86400)
		buf_printf(b, "%lluh", (unsigned long long)(s / 3600));
	else
		buf_printf(b, "%llud", (unsigned long long)(s / 86400));
}

/* Is the far end of r unset (a listener, an unconnected UDP socket)? */
static int
no_remote(const struct sock_row *r)
{
	static const uint8_t zero[16];

	return r->rport == 0 && memcmp(r->raddr, zero, 16) == 0;
}

static void
endpoint(const struct tui_model *m, struct buf *b, const struct sock_row *r,
    const uint8_t *addr, uint16_t port)
{
	const char *name = NULL;

	if (m->name_fn)
		name = m->name_fn(m->name_arg, r->family, addr, 1);
	if (name == NULL) {
		sock_endpoint(b, r->family, addr, port);
		return;
	}
	text_sanitize(b, name, strlen(name), 0);
	buf_printf(b, ":%u", port);
}

void
tui_cell(const struct tui_model *m, uint32_t row, enum tui_col col, struct buf *b)
{
	struct tui_ep ep;
	const struct sock_row *r;

	tui_model_ep(m, row, &ep);
	r = ep.r;
	switch (col) {
	case TUI_COL_PROCESS:
		if (ep.pid == 0) {
			buf_printf(b, "(%s)", ep.flash ? "gone" : owner_missing_reason(r->missing));
			break;
		}
		text_sanitize(b, ep.comm, strlen(ep.comm), 0);
		if (ep.nowners > 1)
			buf_printf(b, " +%u", ep.nowners - 1);
		break;
	case TUI_COL_PID:
		if (ep.pid)
			buf_u64(b, ep.pid);
		else
			buf_putc(b, '-');
		break;
	case TUI_COL_PROTO:
		buf_puts(b, sock_proto_label(r));
		if (r->family == AF_INET6)
			buf_puts(b, "v6");
		break;
	case TUI_COL_STATE:
		buf_puts(b, sock_state_name(r));
		break;
	case TUI_COL_LOCAL:
		endpoint(m, b, r, r->laddr, r->lport);
		break;
	case TUI_COL_REMOTE:
		if (no_remote(r))
			buf_puts(b, "*:*");
		else
			endpoint(m, b, r, r->raddr, r->rport);
		break;
	case TUI_COL_SENT:
	case TUI_COL_RECV:
		if (r->proto == IPPROTO_TCP && m->info)
			human(b, (double)(col == TUI_COL_SENT ? r->bytes_sent : r->bytes_received));
		break;
	case TUI_COL_TX_RATE:
	case TUI_COL_RX_RATE:
		if (r->proto == IPPROTO_TCP && m->info && m->refreshes > 1)
			human(b, col == TUI_COL_TX_RATE ? ep.live->tx_rate : ep.live->rx_rate);
		break;
	case TUI_COL_AGE:
		age(b, m->now_ns - ep.live->first_ns, ep.live->at_start);
		break;
	case TUI_COL_USER:
		if (ep.user)
			text_sanitize(b, ep.user, strlen(ep.user), 0);
		else if (ep.pid == 0 && !ep.flash)
			buf_u64(b, r->uid);
		break;
	case TUI_COL_UNIT:
		if (ep.unit)
			text_sanitize(b, ep.unit, strlen(ep.unit), 0);
		break;
	case TUI_NCOLS:
		break;
	}
}

void
tui_fit(struct buf *b, const char *text, size_t w, enum tui_col col)
{
	size_t n = strlen(text);

	if (w == 0)
		return;
	if (n > w) {
		if (col == TUI_COL_LOCAL || col == TUI_COL_REMOTE) {
			buf_putc(b, '~');
			buf_add(b, text + n - (w - 1), w - 1);
		} else {
			buf_add(b, text, w - 1);
			buf_putc(b, '~');
		}
		return;
	}
	if (col < TUI_NCOLS && cols[col].right)
		buf_pad(b, w - n, ' ');
	buf_add(b, text, n);
	if (col >= TUI_NCOLS || !cols[col].right)
		buf_pad(b, w - n, ' ');
}

void
tui_layout(int width, int marker, struct tui_layout *lo)
{
	int in[TUI_NCOLS] = { 0 }, w[TUI_NCOLS] = { 0 };
	int wanted, used, p, c, more, n;

	memset(lo, 0, sizeof(*lo));
	lo->marker = marker ? 2 : 0;
	/*
	 * Columns by priority: one is taken when it fits at its minimum width
	 * with every column taken before it at its wanted width, so that a
	 * narrow screen drops the least useful columns rather than squeezing
	 * the addresses.
	 */
	wanted = lo->marker;
	for (p = 0; p < TUI_NCOLS; p++)
		for (c = 0; c < TUI_NCOLS; c++) {
			if (cols[c].prio != p)
				continue;
			if (wanted + (wanted > lo->marker) + cols[c].min <= width ||
			    (p == 0 && width > lo->marker)) {
				in[c] = 1;
				wanted += (wanted > lo->marker) + cols[c].want;
			}
		}
	used = lo->marker - 1;
	for (c = 0; c < TUI_NCOLS; c++)
		if (in[c]) {
			w[c] = cols[c].min;
			used += w[c] + 1;
		}
	if (used > width) {	/* only the first column, cut to the screen */
		c = TUI_COL_PROCESS;
		w[c] = width - lo->marker;
		used = width;
	}
	/* towards the wanted widths, by priority */
	for (p = 0; p < TUI_NCOLS; p++)
		for (c = 0; c < TUI_NCOLS; c++) {
			if (!in[c] || cols[c].prio != p)
				continue;
			more = cols[c].want - w[c];
			if (more > width - used)
				more = width - used;
			if (more > 0) {
				w[c] += more;
				used += more;
			}
		}
	/* what is left, a cell at a time to the columns that can use it */
	do {
		more = 0;
		for (c = 0; c < TUI_NCOLS && used < width; c++)
			if (in[c] && w[c] < cols[c].max) {
				w[c]++;
				used++;
				more = 1;
			}
	} while (more && used < width);
	p = lo->marker;
	for (c = 0, n = 0; c < TUI_NCOLS; c++) {
		if (!in[c])
			continue;
		lo->col[n] = (enum tui_col)c;
		lo->x[n] = p;
		lo->w[n] = w[c];
		p += w[c] + 1;
		n++;
	}
	lo->ncols = n;
}

void
tui_status(const struct tui_model *m, uint64_t interval_ns, struct buf *b)
{
	const struct tui_counts *c = &m->counts;

	buf_printf(b, "every %gs | %zu endpoints: %zu established, %zu listening, "
	    "%zu time-wait, %zu close-wait | %zu new, %zu changed, %zu closed",
	    (double)interval_ns / 1e9, c->endpoints, c->established, c->listening,
	    c->time_wait, c->close_wait, c->new_rows, c->changed, c->closed);
	if (c->short_lived)
		buf_printf(b, ", %zu short-lived", c->short_lived);
	if (c->lost)
		buf_printf(b, ", %llu events lost", (unsigned long long)c->lost);
}

/* --- CSV --- */

void
tui_csv_header(struct buf *b)
{
	buf_puts(b, "process,pid,proto,state,local_address,local_port,remote_address,"
	    "remote_port,sent_bytes,received_bytes,age_s,user,unit,owner_missing,change\n");
}

void
tui_csv_row(const struct tui_model *m, uint32_t row, struct buf *b)
{
	static const char *const change[] = { "", "new", "changed", "closed" };
	struct tui_ep ep;
	const struct sock_row *r;
	enum tui_mark mk = tui_row_mark(m, row);

	tui_model_ep(m, row, &ep);
	r = ep.r;
	if (ep.pid)
		csv_field(b, ep.comm);
	buf_putc(b, ',');
	if (ep.pid)
		buf_u64(b, ep.pid);
	buf_putc(b, ',');
	tui_cell(m, row, TUI_COL_PROTO, b);
	buf_putc(b, ',');
	buf_puts(b, sock_state_name(r));
	buf_putc(b, ',');
	sock_addr(b, r->family, r->laddr);
	buf_printf(b, ",%u,", r->lport);
	sock_addr(b, r->family, r->raddr);
	buf_printf(b, ",%u,", r->rport);
	if (r->proto == IPPROTO_TCP && m->info)
		buf_printf(b, "%llu,%llu", (unsigned long long)r->bytes_sent,
		    (unsigned long long)r->bytes_received);
	else
		buf_putc(b, ',');
	buf_printf(b, ",%llu,", (unsigned long long)((m->now_ns - ep.live->first_ns) /
	    NSEC_PER_SEC));
	if (ep.user)
		csv_field(b, ep.user);
	buf_putc(b, ',');
	if (ep.unit)
		csv_field(b, ep.unit);
	buf_putc(b, ',');
	if (ep.pid == 0)
		buf_puts(b, ep.flash ? "gone" : owner_missing_reason(r->missing));
	buf_putc(b, ',');
	buf_puts(b, mk == TUI_MARK_CLOSED && ep.flash ? "short-lived" : change[mk]);
	buf_putc(b, '\n');
}

void
tui_csv(const struct tui_model *m, int view, struct buf *b)
{
	size_t i;

	tui_csv_header(b);
	if (view)
		for (i = 0; i < m->nview; i++) {
			tui_csv_row(m, m->view[i], b);
			buf_maybe_flush(b);
		}
	else
		for (i = 0; i < m->snap.nsocks; i++) {
			tui_csv_row(m, (uint32_t)i, b);
			buf_maybe_flush(b);
		}
}
