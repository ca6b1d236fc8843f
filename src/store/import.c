/*
 * JSON Lines that `record --jsonl` streamed, written into a record
 * database through the store's own writer (so the intervals are built by
 * the same rules as record's).  Each line is read with SQLite's JSON
 * functions; nothing here parses JSON by hand.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/sock.h"
#include "store/import.h"
#include "store/store_impl.h"
#include "util/vec.h"
#include "util/xmalloc.h"

enum { C_VALID, C_EVENT, C_TS, C_PROTO, C_FAMILY, C_LADDR, C_LPORT, C_RADDR, C_RPORT,
    C_STATE, C_OLD_STATE, C_COOKIE, C_NETNS, C_PID, C_TID, C_COMM, C_UID, C_CGROUP,
    C_IMPLICIT, C_PASSIVE, C_SNAP, C_ERRNO, C_LIFETIME, C_SENT, C_RECV, C_COUNT,
    C_USER, C_EXE, C_CMDLINE, C_START, C_UNIT, C_CONTAINER };

static const char sql_line[] =
"SELECT json_valid(?1), json_extract(?1, '$.event'), json_extract(?1, '$.ts_ns'),\n"
"  json_extract(?1, '$.proto'), json_extract(?1, '$.family'),\n"
"  json_extract(?1, '$.local_addr'), json_extract(?1, '$.local_port'),\n"
"  json_extract(?1, '$.remote_addr'), json_extract(?1, '$.remote_port'),\n"
"  json_extract(?1, '$.state'), json_extract(?1, '$.old_state'),\n"
"  json_extract(?1, '$.cookie'), json_extract(?1, '$.netns'), json_extract(?1, '$.pid'),\n"
"  json_extract(?1, '$.tid'), json_extract(?1, '$.comm'), json_extract(?1, '$.uid'),\n"
"  json_extract(?1, '$.cgroup_id'), json_extract(?1, '$.implicit'),\n"
"  json_extract(?1, '$.passive'), json_extract(?1, '$.owner_from_snapshot'),\n"
"  json_extract(?1, '$.errno'), json_extract(?1, '$.lifetime_ns'),\n"
"  json_extract(?1, '$.bytes_sent'), json_extract(?1, '$.bytes_received'),\n"
"  json_extract(?1, '$.count'), json_extract(?1, '$.user'), json_extract(?1, '$.exe'),\n"
"  json_extract(?1, '$.cmdline'), json_extract(?1, '$.start_time'),\n"
"  json_extract(?1, '$.unit'), json_extract(?1, '$.container')";

struct known_proc {
	uint32_t	pid;
	int64_t		start_time;
	char		*exe;
	uint64_t	id;
};

static const char *
col(sqlite3_stmt *st, int c)
{
	return (const char *)sqlite3_column_text(st, c);
}

static int
type_from_name(const char *s, enum ev_type *out)
{
	int t;

	for (t = 0; t <= EV_LOST && s; t++) {
		if (strcmp(ev_type_name((enum ev_type)t), s) == 0) {
			*out = (enum ev_type)t;
			return 0;
		}
	}
	return -1;
}

static uint8_t
state_from_name(uint8_t proto, const char *s)
{
	struct sock_row r = { .proto = proto };
	int v;

	for (v = 0; v < 16 && s; v++) {
		r.state = (uint8_t)v;
		if (strcmp(sock_state_name(&r), s) == 0)
			return (uint8_t)v;
	}
	return 0;
}

static void
addr_from_text(int family, const char *s, uint8_t *out)
{
	memset(out, 0, 16);
	if (s)
		inet_pton(family, s, out);
}

/* The line's event into e; its process (when the line names one) into p.
 * Returns 1 with the process filled, 0 without, -1 not an event line. */
static int
line_event(sqlite3_stmt *st, struct port_event *e, struct proc_info *p)
{
	const char *s;

	memset(e, 0, sizeof(*e));
	memset(p, 0, sizeof(*p));
	if (sqlite3_column_int(st, C_VALID) != 1 || type_from_name(col(st, C_EVENT), &e->type) == -1 ||
	    sqlite3_column_type(st, C_TS) == SQLITE_NULL)
		return -1;
	e->ts_ns = (uint64_t)sqlite3_column_int64(st, C_TS);
	e->count = (uint64_t)sqlite3_column_int64(st, C_COUNT);
	if (e->type == EV_LOST)
		return 0;
	s = col(st, C_PROTO);
	e->proto = s && strcmp(s, "udp") == 0 ? IPPROTO_UDP : IPPROTO_TCP;
	e->family = sqlite3_column_int(st, C_FAMILY) == 6 ? AF_INET6 : AF_INET;
	addr_from_text(e->family, col(st, C_LADDR), e->laddr);
	addr_from_text(e->family, col(st, C_RADDR), e->raddr);
	e->lport = (uint16_t)sqlite3_column_int(st, C_LPORT);
	e->rport = (uint16_t)sqlite3_column_int(st, C_RPORT);
	e->state = state_from_name(e->proto, col(st, C_STATE));
	e->old_state = state_from_name(e->proto, col(st, C_OLD_STATE));
	e->cookie = (uint64_t)sqlite3_column_int64(st, C_COOKIE);
	e->netns = (uint32_t)sqlite3_column_int64(st, C_NETNS);
	e->pid = (uint32_t)sqlite3_column_int64(st, C_PID);
	e->tid = (uint32_t)sqlite3_column_int64(st, C_TID);
	e->uid = (uint32_t)sqlite3_column_int64(st, C_UID);
	e->cgroup_id = (uint64_t)sqlite3_column_int64(st, C_CGROUP);
	if ((s = col(st, C_COMM)))
		snprintf(e->comm, sizeof(e->comm), "%s", s);
	if (sqlite3_column_int(st, C_IMPLICIT))
		e->flags |= EVF_IMPLICIT;
	if (sqlite3_column_int(st, C_PASSIVE))
		e->flags |= EVF_PASSIVE;
	if (sqlite3_column_int(st, C_SNAP))
		e->flags |= EVF_OWNER_SNAP;
	if (e->pid == 0)
		e->flags |= EVF_NO_OWNER;
	e->error = sqlite3_column_int(st, C_ERRNO);
	e->lifetime_ns = (uint64_t)sqlite3_column_int64(st, C_LIFETIME);
	e->bytes_sent = (uint64_t)sqlite3_column_int64(st, C_SENT);
	e->bytes_received = (uint64_t)sqlite3_column_int64(st, C_RECV);
	if (e->pid == 0 || (sqlite3_column_type(st, C_USER) == SQLITE_NULL &&
	    sqlite3_column_type(st, C_EXE) == SQLITE_NULL))
		return 0;
	p->pid = (pid_t)e->pid;
	p->uid = e->uid;
	memcpy(p->comm, e->comm, sizeof(p->comm) - 1);
	p->exe = (char *)col(st, C_EXE);
	p->cmdline = (char *)col(st, C_CMDLINE);
	p->user = (char *)col(st, C_USER);
	p->start_time = sqlite3_column_int64(st, C_START);
	p->unit = (char *)col(st, C_UNIT);
	p->container = (char *)col(st, C_CONTAINER);
	return 1;
}

int
store_import_jsonl(const char *dbpath, const char *host, const char *const *files,
    size_t nfiles, char *err, size_t errlen)
{
	struct store_run_info ri = { .backend = "jsonl", .version = "import", .aggregate = 1 };
	struct { struct known_proc *v; size_t n, cap; } procs = { 0 };
	struct port_event e;
	struct proc_info p;
	struct known_proc *k;
	struct store *s = NULL;
	sqlite3 *mem = NULL;
	sqlite3_stmt *st = NULL;
	FILE *f = NULL;
	char *line = NULL, *q;
	size_t cap = 0, i, j;
	ssize_t len;
	uint64_t first = 0, last = 0, pid_id, lineno;
	int rc = -1, has;

	if (sqlite3_open_v2(":memory:", &mem, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(mem, sql_line, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errlen, "cannot read JSON: %s", mem ? sqlite3_errmsg(mem) : "out of memory");
		goto out;
	}
	if (!(s = store_open(dbpath, err, errlen)))
		goto out;
	for (i = 0; i < nfiles; i++) {
		if (!(f = fopen(files[i], "re"))) {
			snprintf(err, errlen, "cannot open '%s': %s", files[i], strerror(errno));
			goto out;
		}
		for (lineno = 1; (len = getline(&line, &cap, f)) != -1; lineno++) {
			sqlite3_reset(st);
			sqlite3_bind_text(st, 1, line, (int)len, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_ROW ||
			    (has = line_event(st, &e, &p)) == -1) {
				snprintf(err, errlen, "'%s' line %llu: not an event of "
				    "record --jsonl", files[i], (unsigned long long)lineno);
				goto out;
			}
			if (first == 0) {
				first = e.ts_ns;
				if (store_run_begin(s, first, &ri, err, errlen) == -1)
					goto out;
			}
			if (e.ts_ns > last)
				last = e.ts_ns;
			pid_id = 0;
			if (has) {
				for (j = 0; j < procs.n; j++) {
					k = &procs.v[j];
					if (k->pid == e.pid && k->start_time == p.start_time &&
					    strcmp(k->exe, p.exe ? p.exe : "") == 0)
						break;
				}
				if (j == procs.n) {
					k = VEC_PUSH(&procs);
					k->pid = e.pid;
					k->start_time = p.start_time;
					k->exe = xstrdup(p.exe ? p.exe : "");
					k->id = store_process(s, &p, e.ts_ns);
				}
				pid_id = procs.v[j].id;
			}
			store_event(s, &e, pid_id);
			if (lineno % 50000 == 0 && store_flush(s, last, err, errlen) == -1)
				goto out;
		}
		fclose(f);
		f = NULL;
	}
	if (first == 0) {
		snprintf(err, errlen, "no events in the JSON Lines given");
		goto out;
	}
	if (store_run_end(s, last, err, errlen) == -1)
		goto out;
	/* The lines name no machine: not this one's id either, so the
	 * import is a host of its own (by its label) in a merged report. */
	q = sqlite3_mprintf("UPDATE meta SET value = %Q WHERE key = 'hostname';"
	    "DELETE FROM meta WHERE key = 'machine_id';"
	    "UPDATE runs SET hostname = %Q", host, host);
	sqlite3_exec(s->db, q, NULL, NULL, NULL);
	sqlite3_free(q);
	rc = 0;
out:
	if (f)
		fclose(f);
	free(line);
	for (j = 0; j < procs.n; j++)
		free(procs.v[j].exe);
	VEC_FREE(&procs);
	sqlite3_finalize(st);
	sqlite3_close(mem);
	store_close(s);
	return rc;
}
