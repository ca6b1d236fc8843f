/* PortQry's -local report (portqry_local.h). */
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output/byproc.h"
#include "output/localtext.h"
#include "output/portqry_local.h"
#include "output/sockrow.h"
#include "output/text.h"
#include "util/xmalloc.h"

/* Chosen wording (doc/portqry-compat.md §2: the line exists, its text
 * could not be read). */
const char portqry_no_modules[] = "Cannot enumerate modules of this process.";

/* "Port Statistics" of rows, PortQry's order; skip_zero: a process block,
 * where a state no port is in has no line. */
static void
pql_stats(struct buf *b, const struct sock_row *const *rows, size_t n,
    int skip_zero)
{
	buf_puts(b, "Port Statistics\n\n");
	localtext_stats(b, rows, n, "", LT_PORTQRY | (skip_zero ?
	    LT_SKIP_ZERO : 0));
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
	localtext_header(b, "", 1);
	for (i = 0; i < n; i++)
		localtext_row(b, rows[i], "", p->pid, LT_PORTQRY);
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
	qsort(rows, s->nsocks, sizeof(*rows), localtext_cmp_port);
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
	localtext_header(b, "", 0);
	for (i = 0; i < s->nsocks; i++) {
		localtext_row(b, rows[i], "", 0, LT_PORTQRY);
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
	localtext_header(b, "", 1);
	for (i = 0; i < s->nsocks; i++) {
		if (rows[i]->owner == OWNER_NONE) {
			text_col(b, "-", 8);
			localtext_row(b, rows[i], "", 0, LT_PORTQRY);
			continue;
		}
		prev = OWNER_NONE;
		for (k = rows[i]->owner; k != OWNER_NONE; k = o->next) {
			o = &s->owners[k];
			if (o->proc != prev)	/* one line for two fds */
				localtext_row(b, rows[i], "", (pid_t)o->pid, LT_PORTQRY);
			prev = o->proc;
		}
	}
	buf_putc(b, '\n');
	free(rows);
}
