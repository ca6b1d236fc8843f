/* Rows grouped by owning process (byproc.h): a counting sort by process. */
#include <stdlib.h>
#include <string.h>

#include "output/byproc.h"
#include "util/xmalloc.h"

void
byproc_group(struct byproc *g, const struct snapshot *s,
    const struct sock_row *const *sorted, size_t n)
{
	size_t nproc = s->scan.nprocs, i, total = 0;
	const struct sock_owner *o;
	uint32_t k, prev;

	memset(g, 0, sizeof(*g));
	g->start = xcalloc(nproc + 1, sizeof(*g->start));
	for (i = 0; i < n; i++)
		for (k = sorted[i]->owner; k != OWNER_NONE; k = o->next) {
			o = &s->owners[k];
			g->start[o->proc + 1]++;
			total++;
		}
	for (i = 0; i < nproc; i++)
		g->start[i + 1] += g->start[i];
	g->count = xcalloc(nproc + 1, sizeof(*g->count));
	g->rows = xreallocarray(NULL, total + 1, sizeof(*g->rows));
	for (i = 0; i < n; i++) {
		prev = OWNER_NONE;
		for (k = sorted[i]->owner; k != OWNER_NONE; k = o->next) {
			o = &s->owners[k];
			if (o->proc != prev) {	/* one line for two fds */
				g->rows[g->start[o->proc] + g->count[o->proc]++] =
				    sorted[i];
				g->nmappings++;
			}
			prev = o->proc;
		}
		if (sorted[i]->owner == OWNER_NONE) {
			g->missing[sorted[i]->missing]++;
			g->nmissing++;
		}
	}
}

void
byproc_release(struct byproc *g)
{
	free(g->rows);
	free(g->count);
	free(g->start);
}
