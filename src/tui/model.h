/*
 * The live view's model: one row per endpoint, kept from refresh to
 * refresh, with what happened to it (new, changed, closed, short-lived) and
 * its byte rates; which rows the view shows (toggles, filter text) and in
 * which order (any column, either way); the columns that fit a width; the
 * text of each cell.  No terminal here: tui/draw.c paints what this
 * computes, and the unit tests drive it with hand-made snapshots.
 *
 * Row numbers: rows [0, snap.nsocks) are the live sockets of the current
 * snapshot, in its order; rows [snap.nsocks, snap.nsocks + ngone) are the
 * closed (and short-lived) ones still lingering.  A row number is valid
 * until the next tui_model_update().
 */
#ifndef TUI_MODEL_H
#define TUI_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "host/snapshot.h"
#include "util/buf.h"

enum tui_col {
	TUI_COL_PROCESS,
	TUI_COL_PID,
	TUI_COL_PROTO,
	TUI_COL_STATE,
	TUI_COL_LOCAL,
	TUI_COL_REMOTE,
	TUI_COL_SENT,
	TUI_COL_RECV,
	TUI_COL_TX_RATE,
	TUI_COL_RX_RATE,
	TUI_COL_AGE,
	TUI_COL_USER,
	TUI_COL_UNIT,
	TUI_NCOLS
};

enum tui_mark {
	TUI_MARK_NONE,
	TUI_MARK_NEW,		/* green, marker '+' */
	TUI_MARK_CHANGED,	/* yellow, marker '*' (state, remote end or owners) */
	TUI_MARK_CLOSED,	/* red, marker '-'; short-lived rows too, marker '!' */
};

/* What the view shows (toggles); all set by default. */
#define TUI_SHOW_TCP		0x01
#define TUI_SHOW_UDP		0x02
#define TUI_SHOW_V4		0x04
#define TUI_SHOW_V6		0x08
#define TUI_SHOW_LISTENING	0x10	/* TCP LISTEN and unconnected UDP */
#define TUI_SHOW_ESTABLISHED	0x20	/* TCP ESTABLISHED and connected UDP */
#define TUI_SHOW_ALL		0x3f

#define TUI_FILTER_MAX		64

/* Per live row: what the model remembers between refreshes. */
struct tui_live {
	uint64_t	first_ns;	/* when first seen */
	uint64_t	mark_ns;	/* when the mark was set */
	float		tx_rate;	/* bytes/s over the last interval (TCP) */
	float		rx_rate;
	uint8_t		mark;		/* enum tui_mark */
	uint8_t		at_start;	/* there at the first refresh: age is a minimum */
};

/* A closed or short-lived row, a copy that outlives its snapshot. */
struct tui_gone {
	struct sock_row	 r;
	struct tui_live	 live;
	uint32_t	 pid;		/* first owner; 0 if none */
	uint64_t	 start_ticks;	/* its start time (proc_info) */
	uint32_t	 nowners;
	char		 comm[17];
	char		*user;		/* malloc'd or NULL */
	char		*unit;
	uint8_t		 flash;		/* seen only by the event engine */
};

/* One endpoint as the cells see it, whatever kind of row it is. */
struct tui_ep {
	const struct sock_row	*r;
	const struct tui_live	*live;
	uint32_t		 pid;		/* 0: no owner (see r->missing) */
	uint64_t		 start_ticks;	/* the owner's start time, 0 if unknown */
	uint32_t		 nowners;
	const char		*comm;		/* "" when no owner */
	const char		*user;		/* NULL when unknown */
	const char		*unit;		/* unit, or container id; NULL if none */
	int			 flash;
};

struct tui_counts {
	size_t		endpoints;	/* live rows */
	size_t		established, listening, time_wait, close_wait;
	size_t		new_rows;	/* in the last refresh */
	size_t		closed;		/* in the last refresh */
	size_t		changed;
	size_t		short_lived;	/* seen only by the event engine, since the update */
	uint64_t	lost;		/* events lost (event engine), in total */
};

/* Reverse name of an address when resolving is on: the name, or NULL when
 * not (yet) known.  queue: look it up in the background if not cached. */
typedef const char *(*tui_name_fn)(void *arg, int family, const uint8_t *addr, int queue);

struct tui_model {
	/* settings (change them, then call tui_model_view) */
	uint64_t		 linger_ns;	/* marks and closed rows stay this long */
	enum tui_col		 sort_col;
	int			 sort_reverse;
	unsigned		 show;		/* TUI_SHOW_* */
	char			 filter[TUI_FILTER_MAX];	/* "" for none */
	int			 info;		/* snapshots carry TCP byte counters */
	tui_name_fn		 name_fn;	/* NULL: addresses as numbers */
	void			*name_arg;
	/* state */
	struct snapshot		 snap;
	int			 have_snap;
	struct tui_live		*live;		/* one per snap.socks */
	struct tui_gone		*gone;
	size_t			 ngone, gone_cap;
	uint64_t		 now_ns;	/* time of the last update */
	uint64_t		 refreshes;
	struct tui_counts	 counts;
	uint32_t		*view;		/* rows shown, in order */
	size_t			 nview;
};

/* An empty model: sort by process, everything shown, marks kept for
 * linger_ns. */
void	tui_model_init(struct tui_model *, uint64_t linger_ns);
void	tui_model_release(struct tui_model *);

/*
 * Take snapshot cur (the model owns it from now on) as the state at
 * now_ns: match its sockets with the last snapshot's (events/diff.c), mark
 * new and changed rows, keep closed ones as lingering rows, work out byte
 * rates, expire old marks and count.  O(rows).  The view is not rebuilt:
 * call tui_model_view() (after adding short-lived rows, if any).
 */
void	tui_model_update(struct tui_model *, struct snapshot *cur, uint64_t now_ns);

/* The same without touching prev: build in next (initialised here) the
 * model that prev becomes with snapshot cur (next owns it).  prev is only
 * read, and of its settings only linger_ns, info and name_fn, so another
 * thread may keep drawing from prev and changing its view settings (sort,
 * show, filter) meanwhile.  next has the default view settings and an
 * empty view: set them, then call tui_model_view(). */
void	tui_model_next(struct tui_model *next, const struct tui_model *prev,
	    struct snapshot *cur, uint64_t now_ns);

/* A socket that opened and closed between two refreshes, seen only by the
 * event engine: a closed row marked short-lived, counted in the status
 * line's "short-lived" until the next update (tui/flash.c adds them right
 * after an update).  The view is not rebuilt (call tui_model_view). */
void	tui_model_flash(struct tui_model *, const struct sock_row *, uint32_t pid,
	    const char *comm, uint64_t now_ns);

/* Rebuild the view (filter, toggles, sort) from the rows. */
void	tui_model_view(struct tui_model *);
/* The same into a new array (*view, malloc'd; *n rows), m only read. */
void	tui_view_build(const struct tui_model *m, uint32_t **view, size_t *n);

size_t	tui_model_nrows(const struct tui_model *);
void	tui_model_ep(const struct tui_model *, uint32_t row, struct tui_ep *);
/* The mark a row shows now. */
enum tui_mark tui_row_mark(const struct tui_model *, uint32_t row);
/* A key that follows a socket from refresh to refresh (for the selection):
 * its inode, or for sockets without one, a hash of its ends. */
uint64_t tui_row_key(const struct tui_model *, uint32_t row);
/* The view position of the row with this key, or -1. */
long	tui_view_find(const struct tui_model *, uint64_t key);

/* Column names ("Process", "PID", …) and their parse (any case; also
 * "proto", "local", …).  Parse returns -1 for an unknown name. */
const char *tui_col_name(enum tui_col);
int	tui_col_parse(const char *);

/* The marker character of a mark: ' ', '+', '*', '-', and '!' for a
 * short-lived row. */
char	tui_mark_char(enum tui_mark, int flash);

/* Append the text of one cell of a row (untrusted text sanitised). */
void	tui_cell(const struct tui_model *, uint32_t row, enum tui_col, struct buf *);

/* Which columns fit in width cells, where and how wide.  With marker set a
 * two-cell marker column comes first (terminals without colours). */
struct tui_layout {
	int		ncols;
	enum tui_col	col[TUI_NCOLS];
	int		x[TUI_NCOLS];
	int		w[TUI_NCOLS];
	int		marker;		/* width of the marker column, 0 if none */
};
void	tui_layout(int width, int marker, struct tui_layout *);

/* Append text cut or padded to exactly w cells: a long endpoint loses its
 * head ("~…:443"), other text its tail ("pyth~"); numbers align right. */
void	tui_fit(struct buf *, const char *text, size_t w, enum tui_col);

/* Append the status line's text: counts and the interval. */
void	tui_status(const struct tui_model *, uint64_t interval_ns, struct buf *);

/* CSV of rows (the view when view is set, else every live row), in
 * TCPView's column order, header first. */
void	tui_csv(const struct tui_model *, int view, struct buf *);
void	tui_csv_header(struct buf *);
void	tui_csv_row(const struct tui_model *, uint32_t row, struct buf *);

#endif
