/*
 * The interactive live view (ncurses): a refresher thread takes snapshots,
 * the main thread answers keys, mouse and signals at once and paints the
 * model (tui/model.h) with tui/draw.c.  Built only with ncurses
 * (HAVE_NCURSES); tui_app_available() says whether it is there.
 */
#ifndef TUI_APP_H
#define TUI_APP_H

#include <stddef.h>
#include <stdint.h>

#include "host/snapshot.h"
#include "tui/model.h"

struct tui_opts {
	struct snap_filter	 filter;
	uint64_t		 interval_ns;
	uint64_t		 linger_ns;
	enum tui_col		 sort_col;
	int			 sort_reverse;
	unsigned		 show;		/* TUI_SHOW_* */
	char			 filter_text[TUI_FILTER_MAX];
	int			 resolve;	/* reverse names from the start */
	int			 color;		/* 0: never, 1: when the terminal has them */
	int			 events;	/* -1: when the event engine loads, 0: never */
	int			 mouse;
};

#define TUI_INTERVAL_MIN_NS	(100 * 1000000ULL)
#define TUI_INTERVAL_MAX_NS	(3600 * 1000000000ULL)

/* Is the interactive view built in? */
int	tui_app_available(void);

/* Can this terminal ($TERM) show it: does it position the cursor?  A dumb
 * terminal cannot; top then prints changes as --batch does. */
int	tui_app_terminal_ok(void);

/* Run the view on the terminal until q, Ctrl-C or SIGTERM.  Returns the
 * exit status, or -1 with the reason in err (no terminal, …). */
int	tui_app_run(const struct tui_opts *, char *err, size_t errlen);

#endif
