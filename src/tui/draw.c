#ifdef HAVE_NCURSES
#include <curses.h>
#include <string.h>

#include "tui/draw.h"
#include "util/buf.h"

enum { PAIR_NEW = 1, PAIR_CHANGED, PAIR_CLOSED, PAIR_BAR };

int
draw_colors(int want)
{
	if (!want || !has_colors() || start_color() == ERR)
		return 0;
	use_default_colors();
	init_pair(PAIR_NEW, COLOR_GREEN, -1);
	init_pair(PAIR_CHANGED, COLOR_YELLOW, -1);
	init_pair(PAIR_CLOSED, COLOR_RED, -1);
	init_pair(PAIR_BAR, COLOR_BLACK, COLOR_CYAN);
	return 1;
}

int
draw_list_rows(void)
{
	return LINES > 3 ? LINES - 3 : 1;
}

/* Write s on line y, cut or padded to the screen's width. */
static void
line(int y, const char *s, attr_t attr)
{
	int n = (int)strlen(s);

	if (n > COLS)
		n = COLS;
	attrset(attr);
	mvaddnstr(y, 0, s, n);
	if (n < COLS)
		hline(' ', COLS - n);
	attrset(A_NORMAL);
}

static attr_t
mark_attr(enum tui_mark mk, int colored)
{
	if (!colored)
		return A_NORMAL;
	switch (mk) {
	case TUI_MARK_NEW:
		return COLOR_PAIR(PAIR_NEW);
	case TUI_MARK_CHANGED:
		return COLOR_PAIR(PAIR_CHANGED);
	case TUI_MARK_CLOSED:
		return COLOR_PAIR(PAIR_CLOSED);
	case TUI_MARK_NONE:
		break;
	}
	return A_NORMAL;
}

static void
draw_header(const struct tui_frame *f, const struct tui_layout *lo)
{
	struct buf b, t;
	int i;

	buf_init(&b);
	buf_init(&t);
	buf_pad(&b, (size_t)lo->marker, ' ');
	for (i = 0; i < lo->ncols; i++) {
		buf_reset(&t);
		buf_puts(&t, tui_col_name(lo->col[i]));
		if (lo->col[i] == f->m->sort_col)
			buf_puts(&t, f->m->sort_reverse ? "v" : "^");
		if (i > 0)
			buf_putc(&b, ' ');
		tui_fit(&b, buf_str(&t), (size_t)lo->w[i], TUI_NCOLS);
	}
	line(1, buf_str(&b), A_BOLD | A_UNDERLINE);
	buf_release(&t);
	buf_release(&b);
}

static void
draw_row(const struct tui_frame *f, const struct tui_layout *lo, int y, uint32_t row,
    int selected, int colored, struct buf *b, struct buf *cell)
{
	const struct tui_model *m = f->m;
	enum tui_mark mk = tui_row_mark(m, row);
	struct tui_ep ep;
	attr_t a;
	int i;

	buf_reset(b);
	if (lo->marker) {
		tui_model_ep(m, row, &ep);
		buf_putc(b, tui_mark_char(mk, ep.flash));
		buf_putc(b, ' ');
	}
	for (i = 0; i < lo->ncols; i++) {
		buf_reset(cell);
		tui_cell(m, row, lo->col[i], cell);
		if (i > 0)
			buf_putc(b, ' ');
		tui_fit(b, buf_str(cell), (size_t)lo->w[i], lo->col[i]);
	}
	a = mark_attr(mk, colored);
	if (selected)
		a |= A_REVERSE;
	line(y, buf_str(b), a);
}

static void
draw_pane(const struct tui_frame *f)
{
	int y, rows = LINES - 2;
	size_t k;

	line(1, f->pane_title, A_BOLD | A_UNDERLINE);
	for (y = 0; y < rows; y++) {
		k = f->pane_top + (size_t)y;
		line(y + 2, k < f->npane ? f->pane[k] : "", A_NORMAL);
	}
}

void
draw_frame(const struct tui_frame *f, int colored, struct tui_layout *lo)
{
	struct buf b, cell;
	long i, rows = draw_list_rows();
	int y;

	buf_init(&b);
	buf_init(&cell);
	tui_status(f->m, f->interval_ns, &b);
	if (f->paused)
		buf_puts(&b, " | PAUSED");
	if (f->resolve)
		buf_puts(&b, " | names");
	if (f->m->filter[0])
		buf_printf(&b, " | filter '%s' (%zu shown)", f->m->filter, f->m->nview);
	if (f->note)
		buf_printf(&b, " | %s", f->note);
	line(0, buf_str(&b), colored ? COLOR_PAIR(PAIR_BAR) : A_REVERSE);

	tui_layout(COLS, !colored, lo);
	if (f->pane_title) {
		draw_pane(f);
	} else {
		draw_header(f, lo);
		for (y = 0, i = f->top; y < rows; y++, i++) {
			if (i < (long)f->m->nview)
				draw_row(f, lo, y + 2, f->m->view[i], i == f->sel, colored,
				    &b, &cell);
			else
				line(y + 2, "", A_NORMAL);
		}
	}
	if (f->bottom)
		line(LINES - 1, f->bottom, f->alert ? A_BOLD : A_NORMAL);
	else
		line(LINES - 1, "? help  q quit  / filter  < > sort  I reverse  space pause  "
		    "r names  +/- interval  c close  k kill  s save  Enter details", A_REVERSE);
	buf_release(&cell);
	buf_release(&b);
	refresh();
}
#endif
