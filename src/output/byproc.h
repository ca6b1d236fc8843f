/*
 * A snapshot's rows grouped by owning process, for the reports that list
 * each process with its ports (local's text, PortQry's -local): a row
 * held by a process through two descriptors is listed once.
 */
#ifndef OUTPUT_BYPROC_H
#define OUTPUT_BYPROC_H

#include <stddef.h>

#include "host/snapshot.h"

struct byproc {
	const struct sock_row **rows;	/* process i's rows: rows[start[i]] … */
	size_t		*start;
	size_t		*count;		/* … rows[start[i] + count[i] - 1] */
	size_t		 nmappings;	/* (row, process) pairs in all */
	size_t		 missing[OWNER_NOT_SCANNED + 1];	/* rows without an
							 * owner, by reason */
	size_t		 nmissing;
};

/* Group the n rows in sorted (kept in that order within each process) by
 * the processes of s.  Release with byproc_release(). */
void	byproc_group(struct byproc *, const struct snapshot *s,
	    const struct sock_row *const *sorted, size_t n);
void	byproc_release(struct byproc *);

#endif
