/*
 * report --resolve: reverse names (PTR) for a built report's remote
 * addresses, looked up concurrently with one deadline for them all, so a
 * slow or dead DNS server never holds the report up for longer than the
 * budget.  Names come from outside and are checked before they are used.
 */
#ifndef REPORT_RESOLVE_H
#define REPORT_RESOLVE_H

#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

#define RESOLVE_TIMEOUT_MS	2000	/* --resolve's budget by default */
#define RESOLVE_INFLIGHT	32	/* lookups in flight at a time, at most */

/* 1 when this build can resolve names (it has c-ares), 0 when not. */
int	report_resolve_available(void);

/* Look up the reverse name of every distinct remote address in rep (the
 * remotes table's "address" column and the remotes of interest), each
 * once, at most RESOLVE_INFLIGHT at a time, all within timeout_ms; what
 * did not resolve by then is left as it is.  Fills the remotes table's
 * "name" column, puts "name NAME; " before a remote of interest's detail,
 * and sets rep->names.  Returns 0 (names that did not resolve are counted,
 * not errors), or -1 with the reason in err when the resolver cannot
 * start (or this build has none). */
int	report_resolve(struct report *rep, int64_t timeout_ms, char *err, size_t errlen);

/* 1 when s is a host name: labels of letters, digits, '-' and '_' (not
 * starting with '-'), each 1-63 bytes, at most 253 bytes in all (one
 * trailing dot allowed); 0 otherwise. */
int	resolve_name_ok(const char *s);

#endif
