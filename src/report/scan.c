/*
 * Reading the databases for the report engine: per file, the runs and
 * the processes into C tables keyed by id, then one pass over the
 * intervals table (the columns the sections need, in rowid order) that
 * joins, filters and clips in C and keeps a compact record of each
 * interval selected.  Strings become ids of one string table.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/records.h"
#include "report/span.h"
#include "util/hmap.h"
#include "util/vec.h"
#include "util/xmalloc.h"

/* What the filters and the sections need of a process. */
struct proc {
	uint32_t	 user, exe, unit, container;	/* string ids or STR_NONE */
	uint8_t		 match;		/* PM_* */
	uint8_t		 used;		/* an interval in the window is its */
};

enum { PM_PROCESS = 1, PM_USER = 2, PM_UNIT = 4 };

/* A recording run of one of the files.  A run is known by its host,
 * start and pid: the same run in several files of one host (a copy of a
 * file that went on recording) is read from one of them only. */
struct run {
	int64_t		 id, started, end, pid;	/* end: stopped, else last commit */
	size_t		 file;
	uint16_t	 host;
	uint8_t		 skip;		/* read from another file */
};
struct runs { struct run *v; size_t n, cap; };

/* One file's tables, while it is read. */
struct file {
	size_t		 index;
	uint16_t	 host;
	struct { struct proc *v; size_t n, cap; } procs;
	struct hmap	 proc_by_id;		/* id -> index + 1 */
	const struct run *runs;		/* all files' runs */
	struct hmap	 run_by_id;		/* id -> index in runs + 1 */
	struct hmap	 uid_str;		/* uid -> string id + 1 */
};

/* The filters, prepared once. */
struct filter {
	const char	*process, *user, *unit;	/* NULL: any */
	size_t		 plen;
	int		 user_is_uid;
	int64_t		 user_uid;
	struct { int64_t *v; size_t n, cap; } uids_of_interest;
};

static uint64_t
id_key(int64_t id)
{
	return (uint64_t)id ^ 0x8000000000000000ULL;	/* 0 only for INT64_MIN */
}

static uint32_t
col_str(struct records *rs, struct store_rows *rows, int col)
{
	const char *s = store_rows_text(rows, col);

	return s ? strtab_intern(&rs->strs, s, store_rows_bytes(rows, col)) : STR_NONE;
}

/* s is the canonical text of an integer (what SQLite's CAST(uid AS TEXT)
 * gives): *v is set and 1 returned. */
static int
int_text(const char *s, int64_t *v)
{
	char back[32], *end;
	long long n;

	if (!*s)
		return 0;
	n = strtoll(s, &end, 10);
	if (*end)
		return 0;
	snprintf(back, sizeof(back), "%lld", n);
	*v = n;
	return strcmp(back, s) == 0;
}

/* Does exe name the program p: the path itself, its last component, or
 * either of a deleted executable ("/x/p (deleted)")? */
static int
exe_matches(const char *exe, const char *p, size_t plen)
{
	static const char del[] = " (deleted)";
	size_t len = strlen(exe), dl = sizeof(del) - 1;

	if (strcmp(exe, p) == 0)
		return 1;
	if (len >= plen + 1 && exe[len - plen - 1] == '/' && memcmp(exe + len - plen, p, plen) == 0)
		return 1;
	return len >= plen + 1 + dl && strcmp(exe + len - dl, del) == 0 &&
	    exe[len - dl - plen - 1] == '/' && memcmp(exe + len - dl - plen, p, plen) == 0;
}

static int
str_ptr_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The host groups: the distinct hosts of r's files in byte order;
 * host[i] is file i's group. */
static void
host_groups(struct records *rs, struct store_reader *r, uint16_t *host)
{
	size_t n = store_reader_nfiles(r), i, j;
	char **names = xcalloc(n + 1, sizeof(*names));

	for (i = 0; i < n; i++)
		names[i] = (char *)store_reader_file_host(r, i);
	qsort(names, n, sizeof(*names), str_ptr_cmp);
	rs->hosts = xcalloc(n + 1, sizeof(*rs->hosts));
	for (i = 0; i < n; i++)
		if (i == 0 || strcmp(names[i], names[i - 1]) != 0)
			rs->hosts[rs->nhosts++] = xstrdup(names[i]);
	for (i = 0; i < n; i++)
		for (j = 0; j < rs->nhosts; j++)
			if (strcmp(store_reader_file_host(r, i), rs->hosts[j]) == 0)
				host[i] = (uint16_t)j;
	free(names);
}

/* Every run of every file, into runs. */
static int
read_runs(struct runs *runs, struct store_reader *r, const uint16_t *host,
    char *err, size_t errlen)
{
	struct store_rows *rows;
	struct run *u;
	char sql[160];
	size_t i, n = store_reader_nfiles(r);
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++) {
		snprintf(sql, sizeof(sql), "SELECT id, started, coalesce(stopped, last_commit, "
		    "started), pid FROM %s.runs", store_reader_schema(r, i));
		if (!(rows = store_query(r, sql, NULL, 0, err, errlen)))
			return -1;
		while ((rc = store_rows_next(rows, err, errlen)) == 1) {
			u = VEC_PUSH(runs);
			u->id = store_rows_int(rows, 0);
			u->started = store_rows_int(rows, 1);
			u->end = store_rows_int(rows, 2);
			u->pid = store_rows_int(rows, 3);
			u->file = i;
			u->host = host[i];
		}
		store_rows_free(rows);
	}
	return rc;
}

/* Same host, start and pid together; the one that reached furthest
 * first, then the one of the earliest file. */
static int
run_cmp(const void *a, const void *b)
{
	const struct run *x = a, *y = b;

	if (x->host != y->host)
		return x->host < y->host ? -1 : 1;
	if (x->started != y->started)
		return x->started < y->started ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->end != y->end)
		return x->end > y->end ? -1 : 1;
	return x->file < y->file ? -1 : x->file > y->file;
}

/* Sort runs by host and start, and mark the copies of a run in other
 * files of its host (all but the one that reached furthest) to be
 * skipped. */
static void
runs_mark(struct runs *runs)
{
	struct run *u;
	size_t i;

	if (runs->n)
		qsort(runs->v, runs->n, sizeof(*runs->v), run_cmp);
	for (i = 1; i < runs->n; i++) {
		u = &runs->v[i];
		if (u->host == u[-1].host && u->started == u[-1].started && u->pid == u[-1].pid)
			u->skip = 1;
	}
}

int
records_skipped_runs(struct store_reader *r, struct hmap *skip, char *err, size_t errlen)
{
	size_t n = store_reader_nfiles(r), i;
	uint16_t *host = xcalloc(n + 1, sizeof(*host));
	struct records rs;
	struct runs runs = { 0 };
	int rc;

	memset(&rs, 0, sizeof(rs));
	host_groups(&rs, r, host);
	rc = read_runs(&runs, r, host, err, errlen);
	runs_mark(&runs);
	for (i = 0; rc == 0 && i < runs.n; i++)
		if (runs.v[i].skip)
			hmap_put(skip, SKIP_KEY(runs.v[i].file, runs.v[i].id), (void *)1);
	VEC_FREE(&runs);
	free(host);
	records_release(&rs);
	return rc;
}

/* Mark the copies of runs (runs_mark), and add up each host's recorded
 * time in the window: the union of its runs' spans (runs is then sorted
 * by host and start, which the union's sweep needs). */
static void
runs_dedup(struct records *rs, struct runs *runs, const struct report_opts *o)
{
	struct span sp = { 0 };
	struct run *u;
	int64_t from, to;
	size_t i;

	runs_mark(runs);
	for (i = 0; i < runs->n; i++) {
		u = &runs->v[i];
		if (i == 0 || u->host != u[-1].host) {
			if (i > 0)
				rs->recorded[u[-1].host] = sp.busy;
			memset(&sp, 0, sizeof(sp));
		}
		rs->has_runs[u->host] = 1;
		from = u->started > o->since ? u->started : o->since;
		to = u->end < o->until ? u->end : o->until;
		if (!u->skip && to > from)
			span_add(&sp, from, to);
	}
	if (runs->n)
		rs->recorded[runs->v[runs->n - 1].host] = sp.busy;
}

static int
read_processes(struct records *rs, struct store_reader *r, struct file *f,
    const struct filter *flt, char *err, size_t errlen)
{
	struct store_rows *rows;
	struct proc *p;
	const char *s;
	char sql[160];
	int rc;

	snprintf(sql, sizeof(sql), "SELECT id, user, exe, unit, container FROM %s.processes",
	    store_reader_schema(r, f->index));
	if (!(rows = store_query(r, sql, NULL, 0, err, errlen)))
		return -1;
	while ((rc = store_rows_next(rows, err, errlen)) == 1) {
		p = VEC_PUSH(&f->procs);
		p->user = col_str(rs, rows, 1);
		p->exe = col_str(rs, rows, 2);
		p->unit = col_str(rs, rows, 3);
		p->container = col_str(rs, rows, 4);
		if (flt->process && (s = store_rows_text(rows, 2)) &&
		    exe_matches(s, flt->process, flt->plen))
			p->match |= PM_PROCESS;
		if (flt->user && (s = store_rows_text(rows, 1)) && strcmp(s, flt->user) == 0)
			p->match |= PM_USER;
		if (flt->unit && (((s = store_rows_text(rows, 3)) && strcmp(s, flt->unit) == 0) ||
		    ((s = store_rows_text(rows, 4)) && strcmp(s, flt->unit) == 0)))
			p->match |= PM_UNIT;
		hmap_put(&f->proc_by_id, id_key(store_rows_int(rows, 0)),
		    (void *)(uintptr_t)f->procs.n);
	}
	store_rows_free(rows);
	return rc;
}

static uint8_t
kind_class(const char *k)
{
	static const struct { const char *name; uint8_t kc; } kinds[] = {
		{ "connect", KC_CONNECT }, { "accept", KC_ACCEPT }, { "udp_flow", KC_UDPFLOW },
		{ "listen", KC_LISTEN }, { "bound", KC_BOUND }, { "established", KC_EST },
	};
	size_t i;

	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(k, kinds[i].name) == 0)
			return kinds[i].kc;
	return 0;
}

static uint32_t
uid_string(struct records *rs, struct file *f, int64_t uid)
{
	void *v = hmap_get(&f->uid_str, id_key(uid));
	char s[24];
	uint32_t id;

	if (v)
		return (uint32_t)((uintptr_t)v - 1);
	snprintf(s, sizeof(s), "%" PRId64, uid);
	id = strtab_intern(&rs->strs, s, strlen(s));
	hmap_put(&f->uid_str, id_key(uid), (void *)((uintptr_t)id + 1));
	return id;
}

enum { C_KIND, C_PROTO, C_LADDR, C_LPORT, C_RADDR, C_RPORT, C_PROCESS, C_UID, C_COMM,
	C_OPENED, C_CLOSED, C_RUN, C_COUNT };

static int
read_intervals(struct records *rs, struct store_reader *r, struct file *f,
    const struct report_opts *o, const struct filter *flt, char *err, size_t errlen)
{
	struct store_rows *rows;
	struct proc *p;
	struct rec *x;
	const struct run *run;
	struct gkey k;
	const char *kind, *comm;
	char sql[256];
	void *v;
	int64_t opened, end, lo, hi, uid = 0, lport, rport;
	size_t i;
	uint8_t kc;
	int rc, has_uid;

	snprintf(sql, sizeof(sql), "SELECT kind, proto, local_addr, local_port, remote_addr, "
	    "remote_port, process_id, uid, comm, opened, closed, run_id, count FROM %s.intervals",
	    store_reader_schema(r, f->index));
	if (!(rows = store_query(r, sql, NULL, 0, err, errlen)))
		return -1;
	while ((rc = store_rows_next(rows, err, errlen)) == 1) {
		opened = store_rows_int(rows, C_OPENED);
		run = NULL;
		if ((v = hmap_get(&f->run_by_id, id_key(store_rows_int(rows, C_RUN))))) {
			run = &f->runs[(uintptr_t)v - 1];
			if (run->skip)
				continue;	/* a copy of a run read from another file */
		}
		if (!store_rows_isnull(rows, C_CLOSED))
			end = store_rows_int(rows, C_CLOSED);
		else
			end = run ? run->end : opened;
		kind = store_rows_text(rows, C_KIND);
		kc = kind ? kind_class(kind) : 0;
		lport = store_rows_isnull(rows, C_LPORT) ? -1 : store_rows_int(rows, C_LPORT);
		if (o->base_until > 0 && (kc & KC_SERVER) && lport >= 0 &&
		    opened < o->base_until && end >= o->base_since) {
			memset(&k, 0, sizeof(k));
			k.w[0] = f->host;
			k.w[1] = col_str(rs, rows, C_PROTO);
			k.w[2] = (uint32_t)lport;
			keymap_put(&rs->base, &k, 1);
		}
		if (opened >= o->until || end < o->since)
			continue;
		rport = store_rows_isnull(rows, C_RPORT) ? -1 : store_rows_int(rows, C_RPORT);
		if (o->port >= 0 && lport != o->port && rport != o->port)
			continue;
		p = NULL;
		if (!store_rows_isnull(rows, C_PROCESS) &&
		    (v = hmap_get(&f->proc_by_id, id_key(store_rows_int(rows, C_PROCESS)))))
			p = &f->procs.v[(uintptr_t)v - 1];
		has_uid = !store_rows_isnull(rows, C_UID);
		if (has_uid)
			uid = store_rows_int(rows, C_UID);
		comm = store_rows_text(rows, C_COMM);
		if (flt->process && !(p && (p->match & PM_PROCESS)) &&
		    !(comm && strcmp(comm, flt->process) == 0))
			continue;
		if (flt->user && !(p && (p->match & PM_USER)) &&
		    !(has_uid && flt->user_is_uid && uid == flt->user_uid))
			continue;
		if (flt->unit && !(p && (p->match & PM_UNIT)))
			continue;
		x = VEC_PUSH(&rs->r);
		/* clipped to the window and to the run: no time is counted
		 * that its recorder did not see */
		lo = o->since;
		hi = o->until;
		if (run && run->started > lo)
			lo = run->started;
		if (run && run->end < hi)
			hi = run->end;
		x->t0 = opened > lo ? opened : lo;
		x->t1 = end < hi ? end : hi;
		if (x->t1 < x->t0)
			x->t1 = x->t0;
		x->count = store_rows_int(rows, C_COUNT);
		x->kind = col_str(rs, rows, C_KIND);
		x->proto = col_str(rs, rows, C_PROTO);
		/* the local address matters for listeners alone */
		x->laddr = kc & KC_LISTEN ? col_str(rs, rows, C_LADDR) : STR_NONE;
		x->raddr = col_str(rs, rows, C_RADDR);
		x->lport = (int32_t)lport;
		x->rport = (int32_t)rport;
		x->host = f->host;
		x->kc = kc;
		if (p && p->exe != STR_NONE)
			x->prog = p->exe;
		else if (comm)
			x->prog = strtab_intern(&rs->strs, comm, store_rows_bytes(rows, C_COMM));
		else
			x->prog = strtab_intern(&rs->strs, "?", 1);
		if (p && p->user != STR_NONE)
			x->user = p->user;
		else if (has_uid)
			x->user = uid_string(rs, f, uid);
		else
			x->user = strtab_intern(&rs->strs, "?", 1);
		x->unit = p ? (p->unit != STR_NONE ? p->unit : p->container) : STR_NONE;
		if (opened >= o->since)
			x->flags |= RF_OPENED;
		if (rs->r.n == 1 || x->t0 < rs->t_min)
			rs->t_min = x->t0;
		if (rs->r.n == 1 || x->t1 > rs->t_max)
			rs->t_max = x->t1;
		for (i = 0; has_uid && i < flt->uids_of_interest.n; i++)
			if (uid == flt->uids_of_interest.v[i])
				x->flags |= RF_UID_OI;
		if (p)
			p->used = 1;
	}
	store_rows_free(rows);
	return rc;
}

static void
file_release(struct file *f)
{
	VEC_FREE(&f->procs);
	hmap_release(&f->proc_by_id);
	hmap_release(&f->run_by_id);
	hmap_release(&f->uid_str);
}

int
records_read(struct records *rs, struct store_reader *r, const struct report_opts *o,
    char *err, size_t errlen)
{
	size_t n = store_reader_nfiles(r), i, j;
	uint16_t *host = xcalloc(n + 1, sizeof(*host));
	struct filter flt = { 0 };
	struct runs runs = { 0 };
	struct file f;
	int64_t uid;
	int rc = 0;

	memset(rs, 0, sizeof(*rs));
	strtab_init(&rs->strs);
	host_groups(rs, r, host);
	rs->recorded = xcalloc(rs->nhosts + 1, sizeof(*rs->recorded));
	rs->has_runs = xcalloc(rs->nhosts + 1, sizeof(*rs->has_runs));
	flt.process = o->process && *o->process ? o->process : NULL;
	flt.plen = flt.process ? strlen(flt.process) : 0;
	flt.user = o->user && *o->user ? o->user : NULL;
	flt.unit = o->unit && *o->unit ? o->unit : NULL;
	flt.user_is_uid = flt.user && int_text(flt.user, &flt.user_uid);
	for (i = 0; i < o->nusers_of_interest; i++)
		if (int_text(o->users_of_interest[i], &uid))
			*VEC_PUSH(&flt.uids_of_interest) = uid;
	if (read_runs(&runs, r, host, err, errlen) == -1)
		rc = -1;
	runs_dedup(rs, &runs, o);
	for (i = 0; i < n && rc == 0; i++) {
		memset(&f, 0, sizeof(f));
		f.index = i;
		f.host = host[i];
		f.runs = runs.v;
		for (j = 0; j < runs.n; j++)
			if (runs.v[j].file == i)
				hmap_put(&f.run_by_id, id_key(runs.v[j].id), (void *)(uintptr_t)(j + 1));
		if (read_processes(rs, r, &f, &flt, err, errlen) == -1 ||
		    read_intervals(rs, r, &f, o, &flt, err, errlen) == -1)
			rc = -1;
		for (j = 0; rc == 0 && j < f.procs.n; j++) {
			if (f.procs.v[j].used && f.procs.v[j].exe != STR_NONE) {
				struct rec_exe *e = VEC_PUSH(&rs->exes);

				e->host = f.host;
				e->exe = f.procs.v[j].exe;
				e->user = f.procs.v[j].user;
			}
		}
		file_release(&f);
	}
	VEC_FREE(&flt.uids_of_interest);
	VEC_FREE(&runs);
	free(host);
	return rc;
}

void
records_release(struct records *rs)
{
	size_t i;

	VEC_FREE(&rs->r);
	VEC_FREE(&rs->exes);
	strtab_release(&rs->strs);
	keymap_release(&rs->base);
	for (i = 0; i < rs->nhosts; i++)
		free(rs->hosts[i]);
	free(rs->hosts);
	free(rs->recorded);
	free(rs->has_runs);
	memset(rs, 0, sizeof(*rs));
}
