/*
 * The report engine's input: every interval in the window and filters,
 * read once from each database into compact records (strings as ids of
 * one string table), with what the sections need of the runs and the
 * processes.  Built by records_read() (scan.c); the sections (sections.c)
 * are computed from it alone.
 */
#ifndef REPORT_RECORDS_H
#define REPORT_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "report/intern.h"
#include "report/report.h"
#include "store/reader.h"
#include "util/hmap.h"

/* What kind of socket an interval was: bits of struct rec's kc. */
enum {
	KC_LISTEN	= 1 << 0,	/* listen */
	KC_BOUND	= 1 << 1,	/* bound (UDP) */
	KC_ACCEPT	= 1 << 2,	/* accept */
	KC_CONNECT	= 1 << 3,	/* connect */
	KC_UDPFLOW	= 1 << 4,	/* udp_flow */
	KC_EST		= 1 << 5,	/* established (seen at start) */
	KC_SERVER	= KC_LISTEN | KC_BOUND,
	KC_PORTS	= KC_SERVER | KC_ACCEPT,
	KC_OUT		= KC_CONNECT | KC_UDPFLOW,
	KC_CONN		= KC_OUT | KC_ACCEPT | KC_EST,
};

/* Bits of struct rec's flags. */
enum {
	RF_OPENED	= 1 << 0,	/* opened in the window (t0 is when) */
	RF_UID_OI	= 1 << 1,	/* its uid is a user of interest */
};

struct rec {
	int64_t		 t0, t1;	/* clipped to the window and to its run */
	int64_t		 count;
	uint32_t	 kind, proto;	/* string ids */
	uint32_t	 laddr, raddr;	/* string ids or STR_NONE; laddr of listeners only */
	uint32_t	 prog;		/* exe, else comm, else "?" */
	uint32_t	 user;		/* user, else the uid, else "?" */
	uint32_t	 unit;		/* unit, else container, or STR_NONE */
	int32_t		 lport, rport;	/* -1: none */
	uint16_t	 host;		/* host group (index in records.hosts) */
	uint8_t		 kc, flags;
};

/* An executable some interval in the window belonged to. */
struct rec_exe {
	uint16_t	 host;
	uint32_t	 exe, user;	/* user: STR_NONE when not known */
};

struct records {
	struct { struct rec *v; size_t n, cap; } r;	/* in database, then rowid, order */
	struct strtab	 strs;
	/* Host groups: the distinct hosts of the files (store_reader_file_host:
	 * one machine is one host), in byte order. */
	char		**hosts;
	size_t		 nhosts;
	int64_t		*recorded;	/* ns each host recorded in the window */
	int		*has_runs;	/* … and whether it has runs at all */
	/* The processes of intervals in the window, in database and id order. */
	struct { struct rec_exe *v; size_t n, cap; } exes;
	/* Baseline: (host, proto, port) of listening or bound sockets open
	 * in the baseline window, before any filter. */
	struct keymap	 base;
	int64_t		 t_min, t_max;	/* the earliest t0 and the latest t1 */
};

/* Read r's databases through the window and filters of o.  Returns 0, or
 * -1 with the reason in err; either way records_release() frees rs. */
int	records_read(struct records *rs, struct store_reader *r,
	    const struct report_opts *o, char *err, size_t errlen);
void	records_release(struct records *rs);

/* The runs of r's files that another file of their host holds too and
 * that are read from that one (see records_read): SKIP_KEY(file, run id)
 * put into skip.  Returns 0, or -1 with the reason. */
#define SKIP_KEY(file, id)	((uint64_t)(file) << 48 ^ (uint64_t)(id))
int	records_skipped_runs(struct store_reader *r, struct hmap *skip, char *err,
	    size_t errlen);

#endif
