/*
 * Painting the live view with ncurses: a status line, the column headers,
 * the visible rows of the model (only those are formatted), and a bottom
 * line for messages, prompts and key hints; or a text pane (help, details)
 * over the list.  Nothing here decides anything: tui/app.c says what.
 */
#ifndef TUI_DRAW_H
#define TUI_DRAW_H

#include <stddef.h>
#include <stdint.h>

#include "tui/model.h"

struct tui_frame {
	const struct tui_model	*m;
	long			 sel;		/* view position of the selection, -1 none */
	long			 top;		/* view position of the first row shown */
	uint64_t		 interval_ns;
	int			 paused;
	int			 resolve;
	const char		*note;		/* on the status line: owners, events */
	const char		*bottom;	/* message, prompt or NULL for the key hints */
	int			 alert;		/* bottom is a warning */
	const char		*pane_title;	/* non-NULL: show the pane, not the list */
	char *const		*pane;		/* its lines */
	size_t			 npane;
	size_t			 pane_top;
};

/* Set up colours when wanted and the terminal has them.  Returns 1 when
 * rows are coloured, 0 when a marker column must say it instead. */
int	draw_colors(int want);

/* Rows of the list on this screen. */
int	draw_list_rows(void);

/* Paint frame f; lo receives the layout used (for mouse clicks). */
void	draw_frame(const struct tui_frame *f, int colored, struct tui_layout *lo);

#endif
