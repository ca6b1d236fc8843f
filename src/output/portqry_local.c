/* PortQry's -local report (portqry_local.h). */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/byproc.h"
#include "output/portqry_local.h"
#include "output/sockrow.h"
#include "output/text.h"
#include "util/xmalloc.h"

/* Chosen wording (doc/portqry-compat.md §2: the line exists, its text
 * could not be read). */
const char portqry_no_modules[] = "Cannot enumerate modules of this process.";

/* By port first, TCP before UDP on the same port, then addresses. */
static int
pql_cmp(const void *a, const void *b)
{
	const struct sock_row *x = *(const struct sock_row *const *)a;
	const struct sock_row *y = *(const struct sock_row *const *)b;
	int c;

	if (x->lport != y->lport)
		return x->lport < y->lport ? -1 : 1;
	if (x->proto != y->proto)
		return x->proto < y->proto ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	if ((c = memcmp(x->laddr, y->laddr, 16)) != 0)
		return c;
	if ((c = memcmp(x->raddr, y->raddr, 16)) != 0)
		return c;
	return x->rport < y->rport ? -1 : x->rport > y->rport;
}

/* "TCP 22     0.0.0.0                 LISTENING      0.0.0.0:0"; a UDP row
 * has no state and "*:*" for an unconnected socket. */
static void
pql_row(struct buf *b, const struct sock_row *r, pid_t pid)
{
	char port[24];
	struct buf addr;

	if (pid > 0) {
		snprintf(port, sizeof(port), "%d", (int)pid);
		text_col(b, port, 8);
	}
	snprintf(port, sizeof(port), "%s %u", sock_proto_label(r), r->lport);
	text_col(b, port, 11);
	buf_init(&addr);
	sock_addr(&addr, r->family, r->laddr);
	text_col(b, buf_str(&addr), 24);
	text_col(b, r->proto == IPPROTO_TCP ? sock_state_label(r) : "", 15);
	if (r->proto != IPPROTO_TCP && r->rport == 0)
		buf_puts(b, "*:*");
	else
		sock_endpoint(b, r->family, r->raddr, r->rport);
	buf_putc(b, '\n');
	buf_release(&addr);
}

static void
pql_header(struct buf *b, int with_pid)
{
	if (with_pid)
		text_col(b, "PID", 8);
	text_col(b, "Port", 11);
	text_col(b, "Local IP", 24);
	text_col(b, "State", 15);
	buf_puts(b, "Remote IP:Port\n");
}

/* "Port Statistics": the mappings per protocol, then the TCP states in
 * PortQry's order (LISTENING, ESTABLISHED, CLOSE WAIT, TIME WAIT; issue
 * 10), other states after them when present.  skip_zero: a process block,
 * where a state no port is in has no line. */
static void
pql_stats(struct buf *b, const struct sock_row *const *rows, size_t n,
    int skip_zero)
{
	static const int order[] = { TCP_LISTEN, TCP_ESTABLISHED,
	    TCP_CLOSE_WAIT, TCP_TIME_WAIT, TCP_SYN_SENT, TCP_SYN_RECV,
	    TCP_FIN_WAIT1, TCP_FIN_WAIT2, TCP_LAST_ACK, TCP_CLOSING,
	    TCP_CLOSE };
	size_t counts[16] = { 0 }, tcp = 0, udp = 0, i;
	struct sock_row fake = { .proto = IPPROTO_TCP };
	char label[64];

	for (i = 0; i < n; i++) {
		if (rows[i]->proto == IPPROTO_UDP)
			udp++;
		else if (rows[i]->proto == IPPROTO_TCP) {
			tcp++;
			counts[rows[i]->state == 12 ? TCP_SYN_RECV :
			    rows[i]->state == 13 ? TCP_CLOSE :
			    rows[i]->state & 15]++;
		}
	}
	buf_printf(b, "Port Statistics\n\nTCP mappings: %zu\nUDP mappings: "
	    "%zu\n\n", tcp, udp);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (counts[order[i]] == 0 && (skip_zero || i >= 4))
			continue;
		fake.state = (uint8_t)order[i];
		snprintf(label, sizeof(label), "TCP ports in a %s state:",
		    sock_state_label(&fake));
		text_col(b, label, 40);
		buf_printf(b, "%zu = %.2f%%\n", counts[order[i]],
		    tcp ? 100.0 * (double)counts[order[i]] / (double)tcp : 0.0);
	}
}

static void
pql_modules(struct buf *b, const struct proc_info *p)
{
	size_t i;

	buf_puts(b, "\nLoaded modules:\n");
	if (p == NULL || p->modules_err != 0 || (p->nmodules == 0 &&
	    p->exe == NULL)) {
		buf_printf(b, "%s\n", portqry_no_modules);
		return;
	}
	for (i = 0; i < p->nmodules; i++) {
		text_sanitize(b, p->modules[i].path, strlen(p->modules[i].path),
		    0);
		buf_printf(b, " (0x%llx)\n",
		    (unsigned long long)p->modules[i].base);
	}
}

static void
pql_process(struct buf *b, const struct proc_info *p,
    const struct sock_row *const *rows, size_t n, unsigned flags)
{
	size_t i;

	buf_puts(b, "==============================================\n"
	    "Process ID: ");
	buf_i64(b, p->pid);
	buf_puts(b, " (");
	text_sanitize(b, p->comm, strlen(p->comm), 0);
	buf_puts(b, ")\n\n");
	if (flags & PQL_DETAILS) {
		proc_text_details(b, p, "");
		buf_putc(b, '\n');
	}
	pql_header(b, 1);
	for (i = 0; i < n; i++)
		pql_row(b, rows[i], p->pid);
	buf_putc(b, '\n');
	pql_stats(b, rows, n, 1);
	if (flags & PQL_MODULES)
		pql_modules(b, p);
	buf_putc(b, '\n');
}

void
portqry_process_info(struct buf *b, const struct proc_info *p,
    const struct proc_info *mods, unsigned flags)
{
	buf_puts(b, "Process ID: ");
	buf_i64(b, p->pid);
	buf_puts(b, " (");
	text_sanitize(b, p->comm, strlen(p->comm), 0);
	buf_puts(b, ")\n");
	if (flags & PQL_DETAILS) {
		buf_putc(b, '\n');
		proc_text_details(b, p, "");
	}
	if (flags & PQL_MODULES)
		pql_modules(b, mods);
	buf_putc(b, '\n');
}

/* The rows of s sorted (caller frees). */
static const struct sock_row **
pql_sorted(const struct snapshot *s)
{
	const struct sock_row **rows;
	size_t i;

	rows = xreallocarray(NULL, s->nsocks + 1, sizeof(*rows));
	for (i = 0; i < s->nsocks; i++)
		rows[i] = &s->socks[i];
	qsort(rows, s->nsocks, sizeof(*rows), pql_cmp);
	return rows;
}

void
portqry_local_processes(struct buf *b, const struct snapshot *s,
    unsigned flags)
{
	const struct sock_row **rows;
	struct byproc g;
	size_t i;

	rows = pql_sorted(s);
	byproc_group(&g, s, rows, s->nsocks);
	buf_printf(b, "TCP/UDP Port to Process Mappings\n\n%zu mappings "
	    "found\n\n", g.nmappings);
	for (i = 0; i < s->scan.nprocs; i++) {
		if (g.count[i] > 0)
			pql_process(b, &s->scan.procs[i], g.rows + g.start[i],
			    g.count[i], flags);
		buf_maybe_flush(b);
	}
	byproc_release(&g);
	free(rows);
}

void
portqry_local(struct buf *b, const struct snapshot *s, unsigned flags)
{
	const struct sock_row **rows;
	size_t i;

	rows = pql_sorted(s);
	buf_printf(b, "TCP/UDP Port Usage\n\n%zu active ports found\n\n",
	    s->nsocks);
	pql_header(b, 0);
	for (i = 0; i < s->nsocks; i++) {
		pql_row(b, rows[i], 0);
		buf_maybe_flush(b);
	}
	buf_putc(b, '\n');
	pql_stats(b, rows, s->nsocks, 0);
	buf_putc(b, '\n');
	free(rows);
	portqry_local_processes(b, s, flags);
}

void
portqry_watch_table(struct buf *b, const struct snapshot *s)
{
	const struct sock_row **rows;
	const struct sock_owner *o;
	uint32_t k, prev;
	size_t i;

	rows = pql_sorted(s);
	pql_header(b, 1);
	for (i = 0; i < s->nsocks; i++) {
		if (rows[i]->owner == OWNER_NONE) {
			text_col(b, "-", 8);
			pql_row(b, rows[i], 0);
			continue;
		}
		prev = OWNER_NONE;
		for (k = rows[i]->owner; k != OWNER_NONE; k = o->next) {
			o = &s->owners[k];
			if (o->proc != prev)	/* one line for two fds */
				pql_row(b, rows[i], (pid_t)o->pid);
			prev = o->proc;
		}
	}
	buf_putc(b, '\n');
	free(rows);
}
