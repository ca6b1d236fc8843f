/*
 * The report's model: tables of typed cells, and how a cell reads as text.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/report.h"
#include "util/strtonum.h"
#include "util/vec.h"
#include "util/xmalloc.h"

struct rep_cell *
rep_row(struct rep_table *t)
{
	struct rep_cell *c;
	int i;

	VEC_RESERVE(&t->cells, t->cells.n + (size_t)t->ncols);
	c = &t->cells.v[t->cells.n];
	memset(c, 0, sizeof(*c) * (size_t)t->ncols);
	for (i = 0; i < t->ncols; i++)
		c[i].null = 1;
	t->cells.n += (size_t)t->ncols;
	t->nrows++;
	return c;
}

void
rep_set_text(struct rep_cell *c, const char *s)
{
	free(c->s);
	c->s = s ? xstrdup(s) : NULL;
	c->null = s == NULL;
}

void
rep_set_int(struct rep_cell *c, int64_t v)
{
	c->i = v;
	c->null = 0;
}

void
rep_set_pct(struct rep_cell *c, double v)
{
	c->d = v;
	c->null = 0;
}

const struct rep_cell *
rep_cell(const struct rep_table *t, size_t r, int c)
{
	return &t->cells.v[r * (size_t)t->ncols + (size_t)c];
}

void
rep_time_str(int64_t ns, char *buf, size_t len)
{
	time_t sec = (time_t)(ns / 1000000000);
	struct tm tm;

	localtime_r(&sec, &tm);
	strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

const char *
rep_cell_str(const struct rep_col *col, const struct rep_cell *c, char *buf, size_t len)
{
	if (c->null)
		return "";
	switch (col->type) {
	case REP_TEXT:
	case REP_HOST:
		return c->s ? c->s : "";
	case REP_INT:
		snprintf(buf, len, "%" PRId64, c->i);
		return buf;
	case REP_PCT:
		/* not "0.0" for a port that was in use, however briefly */
		if (c->d > 0 && c->d < 0.05)
			return "<0.1";
		snprintf(buf, len, "%.1f", c->d);
		return buf;
	case REP_TIME:
		rep_time_str(c->i, buf, len);
		return buf;
	}
	return "";
}

/* Which columns of t have a value in some row (bit c for column c). */
static uint64_t
valued_columns(const struct rep_table *t)
{
	uint64_t v = 0, all = t->ncols >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << t->ncols) - 1;
	size_t r;
	int c;

	for (r = 0; r < t->nrows && v != all; r++)
		for (c = 0; c < t->ncols && c < 64; c++)
			if (!rep_cell(t, r, c)->null)
				v |= (uint64_t)1 << c;
	return v;
}

int
rep_col_shown(const struct report *rep, const struct rep_col *col)
{
	struct rep_table *t;
	int s, c;

	if (col->type == REP_HOST && rep->nhosts <= 1)
		return 0;
	for (s = 0; s < SEC_COUNT; s++) {
		/* the memo is the table's own, not the report's content */
		t = (struct rep_table *)&rep->tables[s];
		for (c = 0; c < t->ncols && &t->cols[c] != col; c++)
			;
		if (!t->cols || c == t->ncols)
			continue;
		if (t->nrows == 0 || c >= 64)
			return 1;
		if (t->memo_rows != t->nrows + 1) {
			t->memo_valued = valued_columns(t);
			t->memo_rows = t->nrows + 1;
		}
		return (t->memo_valued >> c & 1) != 0;
	}
	return 1;
}

int
rep_col_find(const struct rep_table *t, const char *key)
{
	int c;

	for (c = 0; c < t->ncols; c++)
		if (strcmp(t->cols[c].key, key) == 0)
			return c;
	return -1;
}

const char *
rep_names_str(const struct report *rep, char *buf, size_t len)
{
	const struct rep_names *n = &rep->names;
	int w;

	if (!n->asked)
		return NULL;
	w = snprintf(buf, len, "names: %zu of %zu addresses named", n->named, n->addresses);
	if (n->no_name && w >= 0 && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, ", %zu without a name", n->no_name);
	if (n->rejected && w >= 0 && (size_t)w < len)
		w += snprintf(buf + w, len - (size_t)w, ", %zu rejected (not a host name)",
		    n->rejected);
	if (n->unresolved && w >= 0 && (size_t)w < len)
		snprintf(buf + w, len - (size_t)w, "; %zu of %zu names not resolved within %g s",
		    n->unresolved, n->addresses, (double)n->timeout_ms / 1000);
	return buf;
}

int
rep_cidr_match(const char *cidr, const char *addr)
{
	unsigned char net[16], a[16];
	char head[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(cidr, '/'), *errstr;
	size_t hl = slash ? (size_t)(slash - cidr) : strlen(cidr);
	int fam, bits, maxbits, i;

	if (hl >= sizeof(head))
		return -1;
	memcpy(head, cidr, hl);
	head[hl] = '\0';
	fam = strchr(head, ':') ? AF_INET6 : AF_INET;
	maxbits = fam == AF_INET6 ? 128 : 32;
	if (inet_pton(fam, head, net) != 1)
		return -1;
	bits = maxbits;
	if (slash) {
		bits = (int)strtonum(slash + 1, 0, maxbits, &errstr);
		if (errstr)
			return -1;
	}
	if (!addr || inet_pton(fam, addr, a) != 1)
		return 0;
	for (i = 0; i < bits / 8; i++)
		if (net[i] != a[i])
			return 0;
	if (bits % 8) {
		unsigned char m = (unsigned char)(0xff << (8 - bits % 8));
		if ((net[i] & m) != (a[i] & m))
			return 0;
	}
	return 1;
}
