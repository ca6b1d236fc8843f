/*
 * portscope report: the Port Reporter Parser's questions asked of record
 * databases (store/reader.h), answered as tables (the model below) that
 * every renderer — text, CSV, JSON, HTML — draws the same way; and the
 * PR-PORTS line stream.
 *
 * Times are nanoseconds since the epoch.  They are shown, and hours and
 * days bucketed, in the local time zone (TZ; `report --utc` sets TZ to
 * UTC before anything reads it); the report names the zone (rep->tz).
 */
#ifndef REPORT_REPORT_H
#define REPORT_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/reader.h"
#include "util/buf.h"

enum rep_section {
	SEC_INTEREST, SEC_PORTS, SEC_PROCESSES, SEC_REMOTES, SEC_USERS, SEC_HOURS,
	SEC_DAYS, SEC_COUNT
};

/* What to report on: the window, the filters and the lists of interest.
 * Strings are borrowed from argv. */
struct report_opts {
	int64_t		 since, until;		/* window [since, until) */
	int64_t		 base_since, base_until;	/* baseline window; base_until 0: none */
	int		 port;			/* -1: any */
	const char	*process, *user, *unit;	/* NULL: any */
	uint16_t	*ports_of_interest;	size_t nports_of_interest;
	const char	**users_of_interest;	size_t nusers_of_interest;
	const char	**remotes_of_interest;	size_t nremotes_of_interest;	/* CIDRs, checked */
	int		 utc;			/* --utc (cmd_report sets TZ to UTC) */
};

enum rep_type {
	REP_TEXT,	/* s */
	REP_INT,	/* i */
	REP_PCT,	/* d, a percentage */
	REP_TIME,	/* i, ns since the epoch: local time (ISO 8601 with offset in JSON) */
	REP_HOST,	/* s, shown in text and HTML only with several hosts */
};

struct rep_col {
	const char	*key;		/* JSON / CSV name */
	const char	*head;		/* text heading */
	enum rep_type	 type;
	int		 maxw;		/* text: widest it is shown (0: no limit,
					 * -1: not in text, too wide for 100 columns) */
};

struct rep_cell {
	int		 null;
	int64_t		 i;
	double		 d;
	char		*s;		/* owned */
};

struct rep_table {
	enum rep_section	 sec;
	const char		*name;	/* "ports": JSON key, --section name */
	const char		*title;
	const struct rep_col	*cols;
	int			 ncols;
	size_t			 nrows;
	struct { struct rep_cell *v; size_t n, cap; } cells;
	/* rep_col_shown's memo: bit c set when column c has a value in
	 * some row; valid while nrows == memo_rows - 1. */
	size_t			 memo_rows;
	uint64_t		 memo_valued;
};

/* What --resolve found (report_resolve, resolve.h); asked is 0 without it. */
struct rep_names {
	int		 asked;
	int64_t		 timeout_ms;	/* the budget for all lookups */
	size_t		 addresses;	/* distinct remote addresses */
	size_t		 named;		/* a PTR name that is a valid host name */
	size_t		 no_name;	/* answered: no PTR name for it */
	size_t		 rejected;	/* a PTR name that is not a host name */
	size_t		 unresolved;	/* no answer in time, or the lookup failed */
};

struct report {
	struct rep_table	 tables[SEC_COUNT];
	int			 want[SEC_COUNT];
	size_t			 nhosts;
	char			**hosts;
	int64_t			 since, until;
	int64_t			 recorded_ns;	/* recorded time in the window, all hosts */
	int64_t			 generated;
	char			 tz[96];	/* the zone's names in the report: "CET, +0100" */
	struct rep_names	 names;
};

/* Answer the sections in want[] (SEC_COUNT flags) from r.  Returns 0, or
 * -1 with the reason in err (rep is then partly filled: report_free it). */
int	report_build(struct report *rep, struct store_reader *r,
	    const struct report_opts *o, const int *want, char *err, size_t errlen);
void	report_free(struct report *rep);

/* The first and last time any run of r recorded (0, 0 when none). */
int	report_span(struct store_reader *r, int64_t *first, int64_t *last,
	    char *err, size_t errlen);

/* Model building (model.c). */
struct rep_cell *rep_row(struct rep_table *t);		/* ncols fresh cells */
void	rep_set_text(struct rep_cell *, const char *s);	/* NULL: null */
void	rep_set_int(struct rep_cell *, int64_t);
void	rep_set_pct(struct rep_cell *, double);
/* The cell of row r, column c. */
const struct rep_cell *rep_cell(const struct rep_table *, size_t r, int c);
/* A time (ns) as local "YYYY-MM-DD HH:MM:SS", into buf. */
void	rep_time_str(int64_t ns, char *buf, size_t len);
/* A cell as text the way the text and HTML renderers show it (into buf):
 * a percentage to one decimal, a non-zero one under 0.05 as "<0.1" (CSV
 * and JSON print the number). */
const char *rep_cell_str(const struct rep_col *, const struct rep_cell *,
	    char *buf, size_t len);
/* Is column col shown in text/HTML?  Host columns only with several hosts,
 * and no column that is null in every row of its table.  The answer is
 * kept until the table gets rows: set cells before rendering. */
int	rep_col_shown(const struct report *, const struct rep_col *);
/* The column of t whose JSON key is key, or -1. */
int	rep_col_find(const struct rep_table *, const char *key);
/* --resolve's account as one line without a newline ("names: 3 of 5
 * addresses named; 2 of 5 names not resolved within 2 s"), into buf;
 * NULL when names were not asked for. */
const char *rep_names_str(const struct report *, char *buf, size_t len);
/* CIDR matching: 1 addr in cidr, 0 not, -1 bad cidr. */
int	rep_cidr_match(const char *cidr, const char *addr);

/* Renderers: write rep into b.  Each returns 0. */
void	render_text(const struct report *, struct buf *);
void	render_json(const struct report *, const struct report_opts *, struct buf *);
void	render_csv(const struct report *, enum rep_section, struct buf *);
void	render_html(const struct report *, const struct report_opts *, struct buf *);

/* Write PR-PORTS lines (Port Reporter's format) for the events in the
 * window and filters, to b (flushed as it grows).  Returns 0, or -1 with
 * the reason. */
int	report_pr(struct store_reader *r, const struct report_opts *o, struct buf *b,
	    char *err, size_t errlen);

#endif
