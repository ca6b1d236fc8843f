/*
 * The report engine's insides, shared by its files: groups of records
 * (one struct for every section's groups: a key of host, direction,
 * protocol, string and port; three lists of distinct values, three sums,
 * first and last time, and a union of intervals), and the engine state a
 * report_build() carries.  groups.c has the helpers, sections.c the
 * sections, interest.c the things of interest.
 */
#ifndef REPORT_ENGINE_H
#define REPORT_ENGINE_H

#include <stdint.h>

#include "report/intern.h"
#include "report/records.h"
#include "report/report.h"
#include "report/span.h"
#include "report/tz.h"

/* A list of distinct values in the order they were first added: string
 * ids, a "proto/port" pair (PORTVAL) or "to <address>" (TOVAL). */
struct dlist {
	uint64_t	*v;
	size_t		 n, cap;
	uint32_t	 id;		/* its number in the engine's seen set, when long */
};
#define PORTVAL(proto, port)	((uint64_t)1 << 63 | (uint64_t)(proto) << 20 | (uint64_t)(port))
#define TOVAL(addr)		((uint64_t)1 << 62 | (uint64_t)(addr))

struct group {
	uint16_t	 host;
	uint8_t		 dir;		/* DIR_* (remotes) */
	uint8_t		 seen;		/* set when the group is new */
	uint32_t	 proto, str;	/* string ids */
	int32_t		 port;		/* -1: none; the day in the days section */
	struct dlist	 l[3];
	int64_t		 n[3];
	int64_t		 first, last;
	struct span	 sp;
};

struct groups {
	struct group	*v;
	size_t		 n, cap;
	struct keymap	 m;
};

enum { DIR_IN, DIR_UNKNOWN, DIR_OUT };
extern const char *const dir_names[];

/* Sort orders: a list of these, GO_END last.  GO_ADDR: the string as an
 * address, by value: IPv4 numerically, then IPv6 by its 16 bytes, then
 * what is not an address, as GO_STR. */
enum { GO_END, GO_HOST, GO_PORT, GO_PROTO, GO_STR, GO_ADDR, GO_N0_DESC, GO_DIR };

struct engine {
	const struct records	*rs;
	const struct strtab	*st;
	struct keymap		 seen;		/* (list, value) pairs */
	uint32_t		 nlists;
	uint32_t		*by_start;	/* record indexes by t0 */
	uint32_t		*gid;		/* per record: its group, or NO_GROUP */
	struct tz_map		 tz;		/* local hours over the records' times */
};
#define NO_GROUP	UINT32_MAX

void		 dl_add(struct engine *, struct dlist *, uint64_t v);
/* The list joined with commas (as SQLite's group_concat): a string the
 * caller frees, or NULL when the list is empty. */
char		*dl_join(const struct engine *, const struct dlist *);

/* The group of that key in g, added (zeroed, seen == 0) when new; its
 * index in *index when index is not NULL.  The pointer is valid until
 * the next group_get. */
struct group	*group_get(struct groups *g, uint16_t host, uint8_t dir, uint32_t proto,
		    uint32_t str, int32_t port, uint32_t *index);
/* The group of that key in g, or NULL. */
struct group	*group_find(const struct groups *g, uint16_t host, uint8_t dir, uint32_t proto,
		    uint32_t str, int32_t port);
/* The indexes of g's groups in the order given (GO_* list).  The caller
 * frees the array. */
uint32_t	*groups_sorted(const struct engine *, const struct groups *, const uint8_t *order);
/* Add each record with a group in e->gid to its group's union, in order
 * of start. */
void		 groups_sweep(const struct engine *, struct groups *);
void		 groups_free(struct groups *);

const char	*host_name(const struct engine *, uint16_t host);
/* "proto/port" (NULL when there is no port): a string the caller frees. */
char		*port_subject(const struct engine *, uint32_t proto, int32_t port);

void		 sec_interest(struct engine *, struct rep_table *, const struct report_opts *);

#endif
