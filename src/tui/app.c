/*
 * The interactive view: one main thread for the terminal (keys, mouse,
 * signals through a signalfd, painting), one refresher thread that takes
 * snapshots (the expensive part), and the name resolver's thread.  The main
 * thread never waits for a snapshot or a name, so a key is answered at
 * once whatever the interval.
 */
#ifdef HAVE_NCURSES
#include <curses.h>
#include <errno.h>
#include <term.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "events/events.h"
#include "host/sockdiag.h"
#include "output/sockrow.h"
#include "tui/app.h"
#include "tui/draw.h"
#include "tui/flash.h"
#include "tui/resolve.h"
#include "util/clock.h"
#include "util/sigfd.h"
#include "util/xmalloc.h"

/* Besides the stopping signals: suspend, resume, a resized terminal. */
static const int tui_signals[] = { SIGTSTP, SIGCONT, SIGWINCH, 0 };

enum mode { MODE_LIST, MODE_HELP, MODE_DETAIL, MODE_FILTER, MODE_KILL };

/* The view's settings as they were when a refresh was asked for. */
struct view_settings {
	enum tui_col	sort_col;
	int		sort_reverse;
	unsigned	show;
	char		filter[TUI_FILTER_MAX];
};

/*
 * The refresher takes a snapshot and builds the next model from it and
 * from the main thread's model (tui_model_next, which only reads it), view
 * sorted and all; the main thread swaps it in.  While a refresh is being
 * built the main thread changes its model's settings and view only.
 */
struct refresher {
	pthread_t		 thr;
	pthread_mutex_t		 mu;
	pthread_cond_t		 cv;
	const struct snap_filter *filter;
	const struct tui_model	*prev;		/* the main thread's model, read only */
	struct view_settings	 vs;		/* to build the view with */
	int			 want;		/* a refresh is asked for */
	int			 want_view;	/* only a view of prev (sort, filter) */
	int			 stop;
	uint32_t		*view;		/* a view of prev, until taken */
	size_t			 nview;
	int			 have_view;
	struct view_settings	 view_vs;	/* the settings it was built with */
	struct tui_model	*next;		/* the latest, until taken */
	struct view_settings	 next_vs;	/* the settings it was built with */
	int			 not_root;	/* its snapshot's owner notes */
	size_t			 denied;
	uint64_t		 start_ns;	/* when its dump began */
	uint64_t		 now_ns;	/* when it was built */
	char			 err[256];	/* why the last one failed, "" if it did not */
	int			 pipe[2];	/* refresher → main: one is ready */
};

struct app {
	const struct tui_opts	*o;
	struct tui_model	 m;
	struct refresher	 rf;
	struct resolver		*res;
	struct ev_source	*ev;		/* the event engine, NULL without it */
	struct tui_flash	 flash;		/* short-lived connections it saw */
	int			 resolve;
	uint64_t		 interval_ns;
	uint64_t		 next_ns;	/* when to ask for the next snapshot */
	int			 busy;		/* a refresh or a view is being built */
	int			 view_dirty;	/* the settings changed: a view is wanted */
	uint64_t		 lost;		/* events lost, in total */
	int			 paused;
	int			 colored;
	int			 sigfd;
	int			 quit;
	int			 rc;
	enum mode		 mode;
	long			 sel, top;	/* view positions */
	uint64_t		 sel_key;
	struct tui_layout	 lo;
	char			 msg[512];
	int			 alert;
	uint64_t		 msg_until;
	char			 note[160];	/* owners, on the status line */
	char			 ev_note[320];	/* why the event engine is not there */
	char			 edit[TUI_FILTER_MAX];
	char			 saved_filter[TUI_FILTER_MAX];
	pid_t			 kill_pid;
	uint64_t		 kill_start;	/* its start time: never another process */
	char			 kill_comm[17];
	char			 pane_title[128];
	char			**pane;
	size_t			 npane;
	size_t			 pane_top;
};

static const uint64_t intervals_ms[] = { 100, 250, 500, 1000, 2000, 5000, 10000,
    30000, 60000, 300000, 600000, 1800000, 3600000 };
#define NINTERVALS (sizeof(intervals_ms) / sizeof(intervals_ms[0]))

static const char *const help_text[] = {
	"Rows: one per TCP or UDP endpoint.  New rows are green (+), changed rows",
	"yellow (*), closed rows red (-) for --linger seconds; a connection that",
	"opened and closed between two refreshes (seen by the event engine) is red (!).",
	"",
	"  Up/Down PgUp/PgDn Home/End   move the selection (mouse: click, wheel)",
	"  < >        sort by the previous/next column (mouse: click a header)",
	"  I          reverse the sort",
	"  /          filter: rows whose process, pid, address, port, state, user",
	"             or unit contains the text (Enter keeps it, Esc clears it)",
	"  t u        show/hide TCP, UDP",
	"  4 6        show/hide IPv4, IPv6",
	"  l e        show/hide listening (and unconnected UDP), established",
	"  space      pause/resume refreshing",
	"  r          host names on/off (looked up in the background, cached)",
	"  + -        longer/shorter refresh interval",
	"  c          close the selected connection (SOCK_DESTROY; the peer sees a reset)",
	"  k          end the selected process (SIGTERM, asks first)",
	"  s          save the rows shown as CSV (portscope-top-DATE.csv here)",
	"  Enter      details of the selected row's process and its modules",
	"  q          quit (also Ctrl-C)",
	"",
	"Any key closes this help.",
};

/* --- refresher thread --- */

static void
settings_get(const struct tui_model *m, struct view_settings *vs)
{
	memset(vs, 0, sizeof(*vs));
	vs->sort_col = m->sort_col;
	vs->sort_reverse = m->sort_reverse;
	vs->show = m->show;
	memcpy(vs->filter, m->filter, sizeof(vs->filter));
}

static void
settings_put(struct tui_model *m, const struct view_settings *vs)
{
	m->sort_col = vs->sort_col;
	m->sort_reverse = vs->sort_reverse;
	m->show = vs->show;
	memcpy(m->filter, vs->filter, sizeof(m->filter));
}

static void
model_free(struct tui_model *m)
{
	if (m) {
		tui_model_release(m);
		free(m);
	}
}

/* A view of the main thread's model with other settings (called and
 * returning with rf->mu held).  The model's rows are only read; its view
 * settings, which the main thread may be changing, are not read at all. */
static void
refresher_view(struct refresher *rf)
{
	const struct tui_model *p = rf->prev;
	struct view_settings vs = rf->vs;
	struct tui_model m;
	uint32_t *view;
	size_t n;

	rf->want_view = 0;
	pthread_mutex_unlock(&rf->mu);
	tui_model_init(&m, p->linger_ns);
	m.snap = p->snap;
	m.have_snap = p->have_snap;
	m.live = p->live;
	m.gone = p->gone;
	m.ngone = p->ngone;
	m.now_ns = p->now_ns;
	m.refreshes = p->refreshes;
	m.info = p->info;
	m.name_fn = p->name_fn;
	m.name_arg = p->name_arg;
	settings_put(&m, &vs);
	tui_view_build(&m, &view, &n);
	pthread_mutex_lock(&rf->mu);
	free(rf->view);
	rf->view = view;
	rf->nview = n;
	rf->view_vs = vs;
	rf->have_view = 1;
	(void)!write(rf->pipe[1], "", 1);
}

static void *
refresher_run(void *arg)
{
	struct refresher *rf = arg;
	struct view_settings vs;
	struct tui_model *next;
	struct snapshot s;
	char err[256];
	uint64_t start, now;
	int rc;

	pthread_mutex_lock(&rf->mu);
	for (;;) {
		while (!rf->want && !rf->want_view && !rf->stop)
			pthread_cond_wait(&rf->cv, &rf->mu);
		if (rf->stop)
			break;
		if (!rf->want) {
			refresher_view(rf);
			continue;
		}
		rf->want = rf->want_view = 0;
		vs = rf->vs;
		pthread_mutex_unlock(&rf->mu);
		err[0] = '\0';
		next = NULL;
		start = clock_mono_ns();
		rc = snapshot_take(&s, rf->filter, err, sizeof(err));
		now = clock_mono_ns();
		if (rc == 0) {
			next = xmalloc(sizeof(*next));
			rf->not_root = s.not_root;
			rf->denied = s.scan.denied;
			tui_model_next(next, rf->prev, &s, now);
			settings_put(next, &vs);
			tui_model_view(next);
		}
		pthread_mutex_lock(&rf->mu);
		model_free(rf->next);
		rf->next = next;
		rf->next_vs = vs;
		rf->start_ns = start;
		rf->now_ns = now;
		snprintf(rf->err, sizeof(rf->err), "%s", err);
		(void)!write(rf->pipe[1], "", 1);
	}
	pthread_mutex_unlock(&rf->mu);
	return NULL;
}

static int
refresher_start(struct refresher *rf, const struct snap_filter *f,
    const struct tui_model *prev, char *err, size_t errlen)
{
	memset(rf, 0, sizeof(*rf));
	rf->filter = f;
	rf->prev = prev;
	pthread_mutex_init(&rf->mu, NULL);
	pthread_cond_init(&rf->cv, NULL);
	if (pipe2(rf->pipe, O_CLOEXEC | O_NONBLOCK) == -1) {
		snprintf(err, errlen, "cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	if ((errno = pthread_create(&rf->thr, NULL, refresher_run, rf)) != 0) {
		snprintf(err, errlen, "cannot start the refresher: %s", strerror(errno));
		close(rf->pipe[0]);
		close(rf->pipe[1]);
		return -1;
	}
	return 0;
}

static void
refresher_ask(struct refresher *rf, const struct tui_model *m)
{
	pthread_mutex_lock(&rf->mu);
	settings_get(m, &rf->vs);
	rf->want = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
}

static void
refresher_ask_view(struct refresher *rf, const struct tui_model *m)
{
	pthread_mutex_lock(&rf->mu);
	settings_get(m, &rf->vs);
	rf->want_view = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
}

/* Stop the thread; a snapshot being taken is finished first. */
static void
refresher_stop(struct refresher *rf)
{
	pthread_mutex_lock(&rf->mu);
	rf->stop = 1;
	pthread_cond_signal(&rf->cv);
	pthread_mutex_unlock(&rf->mu);
	pthread_join(rf->thr, NULL);
	model_free(rf->next);
	free(rf->view);
	close(rf->pipe[0]);
	close(rf->pipe[1]);
	pthread_mutex_destroy(&rf->mu);
	pthread_cond_destroy(&rf->cv);
}

/* --- messages, panes --- */

static void
say(struct app *a, int alert, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
say(struct app *a, int alert, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->msg, sizeof(a->msg), fmt, ap);
	va_end(ap);
	a->alert = alert;
	a->msg_until = clock_mono_ns() + 5 * NSEC_PER_SEC;
}

static void
pane_free(struct app *a)
{
	size_t i;

	for (i = 0; i < a->npane; i++)
		free(a->pane[i]);
	free(a->pane);
	a->pane = NULL;
	a->npane = a->pane_top = 0;
}

/* Split text into the pane's lines. */
static void
pane_set(struct app *a, const char *title, const char *text)
{
	const char *p = text, *nl;

	pane_free(a);
	snprintf(a->pane_title, sizeof(a->pane_title), "%s", title);
	while (*p) {
		nl = strchr(p, '\n');
		a->pane = xreallocarray(a->pane, a->npane + 1, sizeof(*a->pane));
		a->pane[a->npane++] = nl ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

/* --- the selection --- */

static const char *
name_fn(void *arg, int family, const uint8_t *addr, int queue)
{
	struct app *a = arg;

	/* also called on the refresher thread (filters): resolve is a flag
	 * the main thread flips, res never changes while it runs */
	return __atomic_load_n(&a->resolve, __ATOMIC_RELAXED) ?
	    resolver_name(a->res, family, addr, queue) : NULL;
}

/* Keep the selection on screen and remember which socket it is. */
static void
selection_fix(struct app *a)
{
	long rows = draw_list_rows(), n = (long)a->m.nview;

	if (a->sel >= n)
		a->sel = n - 1;
	if (a->sel < 0 && n > 0)
		a->sel = 0;
	if (a->sel < a->top)
		a->top = a->sel;
	if (a->sel >= a->top + rows)
		a->top = a->sel - rows + 1;
	if (a->top > n - rows)
		a->top = n - rows;
	if (a->top < 0)
		a->top = 0;
	a->sel_key = a->sel >= 0 ? tui_row_key(&a->m, a->m.view[a->sel]) : 0;
}

/* After the rows changed: find the selected socket again. */
static void
selection_follow(struct app *a)
{
	long pos;

	if (a->sel_key != 0 && (pos = tui_view_find(&a->m, a->sel_key)) >= 0) {
		a->top += pos - a->sel;
		a->sel = pos;
	}
	selection_fix(a);
}

static int
selected(struct app *a, struct tui_ep *ep)
{
	if (a->sel < 0 || a->sel >= (long)a->m.nview)
		return 0;
	tui_model_ep(&a->m, a->m.view[a->sel], ep);
	return 1;
}

/* Up to this many rows a new view (sort, filter, toggles) is built at
 * once; above, on the refresher's thread, the old one shown meanwhile. */
#ifndef VIEW_SYNC_ROWS
#define VIEW_SYNC_ROWS	20000
#endif

static void
review(struct app *a)
{
	if (tui_model_nrows(&a->m) <= VIEW_SYNC_ROWS && !a->busy) {
		tui_model_view(&a->m);
		selection_follow(a);
	} else {
		a->view_dirty = 1;
	}
}

/* --- a new snapshot --- */

static void
take_snapshot(struct app *a)
{
	struct refresher *rf = &a->rf;
	struct view_settings vs, now_vs;
	struct tui_model *next, old;
	char buf[64];
	uint64_t start, now;
	size_t flashed;
	int resort;

	while (read(rf->pipe[0], buf, sizeof(buf)) > 0)
		;
	pthread_mutex_lock(&rf->mu);
	if (rf->have_view) {
		/* a view of the model as it is (no refresh was swapped in
		 * meanwhile: one job at a time) */
		settings_get(&a->m, &now_vs);
		if (memcmp(&rf->view_vs, &now_vs, sizeof(now_vs)) == 0) {
			free(a->m.view);
			a->m.view = rf->view;
			a->m.nview = rf->nview;
			rf->view = NULL;
		} else {
			a->view_dirty = 1;
		}
		free(rf->view);
		rf->view = NULL;
		rf->have_view = 0;
	}
	next = rf->next;
	rf->next = NULL;
	vs = rf->next_vs;
	start = rf->start_ns;
	now = rf->now_ns;
	if (rf->err[0])
		say(a, 1, "refresh failed: %s", rf->err);
	pthread_mutex_unlock(&rf->mu);
	a->busy = 0;
	if (next == NULL) {
		selection_follow(a);
		return;
	}
	if (rf->not_root)
		snprintf(a->note, sizeof(a->note), "not root: owners 'not permitted' "
		    "(%zu processes unreadable)", rf->denied);
	else if (!a->o->filter.owners)
		snprintf(a->note, sizeof(a->note), "owners not looked up");
	else
		a->note[0] = '\0';
	if (a->paused) {
		model_free(next);
		return;
	}
	/* swap it in; settings changed since it was asked for are applied now */
	settings_get(&a->m, &now_vs);
	resort = memcmp(&vs, &now_vs, sizeof(vs)) != 0;
	old = a->m;
	a->m = *next;
	free(next);
	settings_put(&a->m, &now_vs);
	a->m.counts.lost = a->lost;
	tui_model_release(&old);
	if (a->ev) {
		flashed = a->m.counts.short_lived;
		flash_snapshot(&a->flash, &a->m.snap, start, &a->m, now);
		resort |= a->m.counts.short_lived != flashed;
	}
	selection_follow(a);
	if (resort)
		review(a);
}

/* --- the event engine: short-lived connections --- */

static void
on_event(const struct port_event *e, void *arg)
{
	struct app *a = arg;
	struct sock_row r;

	if (e->type == EV_LOST) {
		a->lost += e->count;
		return;
	}
	if (e->type != EV_CLOSE || (e->proto != IPPROTO_TCP && e->proto != IPPROTO_UDP))
		return;
	memset(&r, 0, sizeof(r));
	r.proto = e->proto;
	r.family = e->family;
	r.state = TCP_CLOSE;
	r.lport = e->lport;
	r.rport = e->rport;
	memcpy(r.laddr, e->laddr, 16);
	memcpy(r.raddr, e->raddr, 16);
	r.cookie[0] = (uint32_t)e->cookie;
	r.cookie[1] = (uint32_t)(e->cookie >> 32);
	r.uid = e->uid;
	r.owner = OWNER_NONE;
	r.missing = e->pid ? OWNER_FOUND : OWNER_ORPHAN;
	flash_closed(&a->flash, &r, e->pid, e->pid ? e->comm : NULL, e->mono_ns);
}

/* Open the event engine (BPF only: polling sees nothing a snapshot does
 * not).  Without it top still works; the status line says what is missed. */
static int
events_open(struct app *a, char *err, size_t errlen)
{
	struct ev_filter f;
	struct ev_options eo;
	char why[256];

	if (a->o->events == 0)
		return 0;
	ev_filter_init(&f);
	f.protos = SD_TCP | SD_UDP;
	memset(&eo, 0, sizeof(eo));
	eo.backend = EV_BACKEND_BPF;
	eo.no_existing = 1;
	if ((a->ev = ev_open(&f, &eo, why, sizeof(why))) != NULL) {
		flash_init(&a->flash, 100000);
		return 0;
	}
	if (a->o->events == 1) {
		snprintf(err, errlen, "cannot use the event engine: %s", why);
		return -1;
	}
	snprintf(a->ev_note, sizeof(a->ev_note), "short-lived not seen: %s", why);
	return 0;
}

static void
events_read(struct app *a)
{
	struct ev_stats st;
	char err[256];

	if (ev_read(a->ev, on_event, a, err, sizeof(err)) == -1) {
		say(a, 1, "event engine stopped: %s", err);
		snprintf(a->ev_note, sizeof(a->ev_note), "short-lived not seen: %s", err);
		ev_close(a->ev);
		a->ev = NULL;
		return;
	}
	ev_get_stats(a->ev, &st);
	if (st.lost > a->lost)
		a->lost = st.lost;
	if (!a->busy)	/* while a refresh is built, the model is only read */
		a->m.counts.lost = a->lost;
}

/* --- actions --- */

static void
action_close(struct app *a)
{
	struct sockdiag *sd;
	struct tui_ep ep;
	char err[256];
	struct buf b;

	if (!selected(a, &ep)) {
		say(a, 1, "no row selected");
		return;
	}
	if (a->m.view[a->sel] >= a->m.snap.nsocks) {
		say(a, 1, "that connection is already closed");
		return;
	}
	buf_init(&b);
	sock_endpoint(&b, ep.r->family, ep.r->laddr, ep.r->lport);
	buf_puts(&b, " -> ");
	sock_endpoint(&b, ep.r->family, ep.r->raddr, ep.r->rport);
	if ((sd = sockdiag_open(err, sizeof(err))) == NULL ||
	    sockdiag_destroy(sd, ep.r, err, sizeof(err)) == -1)
		say(a, 1, "cannot close %s %s: %s", sock_proto_label(ep.r), buf_str(&b), err);
	else
		say(a, 0, "closed %s %s", sock_proto_label(ep.r), buf_str(&b));
	sockdiag_close(sd);
	buf_release(&b);
	/* show the result soon */
	if (!a->busy)
		a->next_ns = clock_mono_ns();
}

static void
action_kill_ask(struct app *a)
{
	struct tui_ep ep;

	if (!selected(a, &ep) || ep.pid == 0) {
		say(a, 1, "the selected row has no process to end");
		return;
	}
	a->kill_pid = (pid_t)ep.pid;
	a->kill_start = ep.start_ticks;
	snprintf(a->kill_comm, sizeof(a->kill_comm), "%s", ep.comm);
	a->mode = MODE_KILL;
	say(a, 1, "end process %d (%s) with SIGTERM? y/n", (int)a->kill_pid, a->kill_comm);
	a->msg_until = UINT64_MAX;
}

/* SIGTERM to the process asked about, through a pidfd opened before its
 * start time is checked, so that a pid used again meanwhile is never hit. */
static void
action_kill(struct app *a)
{
	struct proc_info p;
	int pfd, rc = -1;

	if ((pfd = (int)syscall(SYS_pidfd_open, a->kill_pid, 0)) == -1) {
		if (errno == ESRCH)
			say(a, 1, "process %d (%s) has exited", (int)a->kill_pid, a->kill_comm);
		else
			say(a, 1, "cannot end process %d (%s): %s", (int)a->kill_pid,
			    a->kill_comm, strerror(errno));
		return;
	}
	if (proc_read_pid(a->kill_pid, a->kill_start, PROC_BASIC, &p) == -1) {
		say(a, 1, "process %d (%s) has exited", (int)a->kill_pid, a->kill_comm);
		proc_info_release(&p);
		close(pfd);
		return;
	}
	proc_info_release(&p);
	rc = (int)syscall(SYS_pidfd_send_signal, pfd, SIGTERM, NULL, 0);
	if (rc == -1)
		say(a, 1, "cannot end process %d (%s): %s", (int)a->kill_pid, a->kill_comm,
		    strerror(errno));
	else
		say(a, 0, "sent SIGTERM to process %d (%s)", (int)a->kill_pid, a->kill_comm);
	close(pfd);
	if (!a->busy)
		a->next_ns = clock_mono_ns();
}

static void
action_save(struct app *a)
{
	char name[64];
	struct buf b;
	time_t t = time(NULL);
	struct tm tm;
	int fd;

	localtime_r(&t, &tm);
	strftime(name, sizeof(name), "portscope-top-%Y%m%d-%H%M%S.csv", &tm);
	if ((fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1) {
		say(a, 1, "cannot create '%s': %s", name, strerror(errno));
		return;
	}
	buf_init_fd(&b, fd);
	tui_csv(&a->m, 1, &b);
	if (buf_flush(&b) == -1 || close(fd) == -1)
		say(a, 1, "cannot write '%s': %s", name, strerror(b.error ? b.error : errno));
	else
		say(a, 0, "saved %zu rows to %s", a->m.nview, name);
	buf_release(&b);
}

static void
action_detail(struct app *a)
{
	struct proc_info p;
	struct tui_ep ep;
	struct buf b, cell;
	char title[128];
	int i;

	if (!selected(a, &ep))
		return;
	buf_init(&b);
	buf_init(&cell);
	for (i = 0; i < TUI_NCOLS; i++) {
		buf_reset(&cell);
		tui_cell(&a->m, a->m.view[a->sel], (enum tui_col)i, &cell);
		buf_printf(&b, "  %-8s %s\n", tui_col_name((enum tui_col)i), buf_str(&cell));
	}
	buf_printf(&b, "  %-8s %llu\n\n", "Inode", (unsigned long long)ep.r->inode);
	if (ep.pid == 0) {
		buf_printf(&b, "No process: %s\n", owner_missing_reason(ep.r->missing));
	} else if (proc_read_pid((pid_t)ep.pid, ep.start_ticks,
	    PROC_BASIC | PROC_FULL | PROC_MODULES, &p) == -1) {
		buf_printf(&b, "Process %u has exited.\n", ep.pid);
		proc_info_release(&p);
	} else {
		buf_printf(&b, "Process ID: %u (%s)\n", ep.pid, p.comm);
		proc_text_details(&b, &p, "  ");
		buf_putc(&b, '\n');
		proc_text_modules(&b, &p, "  ");
		proc_info_release(&p);
	}
	snprintf(title, sizeof(title), "Details (Esc, Enter or q to close; arrows scroll)");
	pane_set(a, title, buf_str(&b));
	a->mode = MODE_DETAIL;
	buf_release(&cell);
	buf_release(&b);
}

static void
set_interval(struct app *a, int dir)
{
	size_t i;
	uint64_t ms = a->interval_ns / NSEC_PER_MSEC;

	if (dir > 0) {
		for (i = 0; i < NINTERVALS && intervals_ms[i] <= ms; i++)
			;
		if (i == NINTERVALS)
			i--;
	} else {
		for (i = NINTERVALS; i-- > 0 && intervals_ms[i] >= ms;)
			;
		if (i == (size_t)-1)
			i = 0;
	}
	a->interval_ns = intervals_ms[i] * NSEC_PER_MSEC;
	say(a, 0, "refresh every %gs", (double)intervals_ms[i] / 1000);
	if (!a->busy && a->next_ns > clock_mono_ns() + a->interval_ns)
		a->next_ns = clock_mono_ns() + a->interval_ns;
}

static void
toggle(struct app *a, unsigned bit, const char *what)
{
	a->m.show ^= bit;
	say(a, 0, "%s %s", what, a->m.show & bit ? "shown" : "hidden");
	review(a);
}

static void
sort_by(struct app *a, int col)
{
	if (col == (int)a->m.sort_col)
		a->m.sort_reverse = !a->m.sort_reverse;
	else {
		a->m.sort_col = (enum tui_col)col;
		a->m.sort_reverse = 0;
	}
	say(a, 0, "sorted by %s%s", tui_col_name(a->m.sort_col),
	    a->m.sort_reverse ? ", reversed" : "");
	review(a);
}

/* --- input --- */

static void
move_sel(struct app *a, long by)
{
	a->sel += by;
	if (a->sel < 0)
		a->sel = 0;
	selection_fix(a);
}

static void
mouse(struct app *a)
{
	MEVENT ev;
	int i;

	if (getmouse(&ev) != OK)
		return;
	if (ev.bstate & BUTTON4_PRESSED) {
		move_sel(a, -3);
		return;
	}
#ifdef BUTTON5_PRESSED
	if (ev.bstate & BUTTON5_PRESSED) {
		move_sel(a, 3);
		return;
	}
#endif
	if (!(ev.bstate & (BUTTON1_PRESSED | BUTTON1_CLICKED)))
		return;
	if (a->mode != MODE_LIST)
		return;
	if (ev.y == 1) {
		for (i = 0; i < a->lo.ncols; i++)
			if (ev.x >= a->lo.x[i] && ev.x < a->lo.x[i] + a->lo.w[i] + 1)
				sort_by(a, a->lo.col[i]);
		return;
	}
	if (ev.y >= 2 && ev.y < 2 + draw_list_rows() && a->top + ev.y - 2 < (long)a->m.nview) {
		a->sel = a->top + ev.y - 2;
		selection_fix(a);
	}
}

static void
key_filter(struct app *a, int ch)
{
	size_t n = strlen(a->edit);

	switch (ch) {
	case '\n':
	case '\r':
	case KEY_ENTER:
		a->mode = MODE_LIST;
		a->msg_until = 0;
		return;
	case 27:	/* Esc: back to the filter before */
		snprintf(a->m.filter, sizeof(a->m.filter), "%s", a->saved_filter);
		a->mode = MODE_LIST;
		a->msg_until = 0;
		review(a);
		return;
	case KEY_BACKSPACE:
	case 127:
	case 8:
		if (n > 0)
			a->edit[n - 1] = '\0';
		break;
	case 21:	/* Ctrl-U */
		a->edit[0] = '\0';
		break;
	default:
		if (ch < 32 || ch > 126 || n + 1 >= sizeof(a->edit))
			return;
		a->edit[n] = (char)ch;
		a->edit[n + 1] = '\0';
	}
	snprintf(a->m.filter, sizeof(a->m.filter), "%s", a->edit);
	review(a);
}

static void
key(struct app *a, int ch)
{
	static const char sort_keys[] = "<>";

	if (a->mode == MODE_FILTER) {
		key_filter(a, ch);
		return;
	}
	if (a->mode == MODE_KILL) {
		a->mode = MODE_LIST;
		if (ch == 'y' || ch == 'Y')
			action_kill(a);
		else
			say(a, 0, "process %d left running", (int)a->kill_pid);
		return;
	}
	if (a->mode == MODE_HELP) {
		a->mode = MODE_LIST;
		if (ch != KEY_MOUSE && ch != KEY_RESIZE)
			return;
	}
	if (a->mode == MODE_DETAIL) {
		switch (ch) {
		case KEY_UP:
			if (a->pane_top > 0)
				a->pane_top--;
			return;
		case KEY_DOWN:
			if (a->pane_top + 1 < a->npane)
				a->pane_top++;
			return;
		case KEY_PPAGE:
			a->pane_top = a->pane_top > 10 ? a->pane_top - 10 : 0;
			return;
		case KEY_NPAGE:
			if (a->pane_top + 10 < a->npane)
				a->pane_top += 10;
			return;
		case 27:
		case 'q':
		case '\n':
		case '\r':
		case KEY_ENTER:
			a->mode = MODE_LIST;
			pane_free(a);
			return;
		default:
			return;
		}
	}
	switch (ch) {
	case 'q':
	case 'Q':
		a->quit = 1;
		break;
	case '?':
	case 'h':
	case KEY_F(1):
		a->mode = MODE_HELP;
		break;
	case KEY_UP:
		move_sel(a, -1);
		break;
	case KEY_DOWN:
		move_sel(a, 1);
		break;
	case KEY_PPAGE:
		move_sel(a, -draw_list_rows());
		break;
	case KEY_NPAGE:
		move_sel(a, draw_list_rows());
		break;
	case KEY_HOME:
		a->sel = 0;
		selection_fix(a);
		break;
	case KEY_END:
		a->sel = (long)a->m.nview - 1;
		selection_fix(a);
		break;
	case '<':
	case '>':
		a->m.sort_col = (enum tui_col)((a->m.sort_col + TUI_NCOLS +
		    (ch == sort_keys[0] ? -1 : 1)) % TUI_NCOLS);
		say(a, 0, "sorted by %s%s", tui_col_name(a->m.sort_col),
		    a->m.sort_reverse ? ", reversed" : "");
		review(a);
		break;
	case 'I':
		sort_by(a, a->m.sort_col);
		break;
	case '/':
		snprintf(a->saved_filter, sizeof(a->saved_filter), "%s", a->m.filter);
		snprintf(a->edit, sizeof(a->edit), "%s", a->m.filter);
		a->mode = MODE_FILTER;
		break;
	case 't':
		toggle(a, TUI_SHOW_TCP, "TCP");
		break;
	case 'u':
		toggle(a, TUI_SHOW_UDP, "UDP");
		break;
	case '4':
		toggle(a, TUI_SHOW_V4, "IPv4");
		break;
	case '6':
		toggle(a, TUI_SHOW_V6, "IPv6");
		break;
	case 'l':
		toggle(a, TUI_SHOW_LISTENING, "listening");
		break;
	case 'e':
		toggle(a, TUI_SHOW_ESTABLISHED, "established");
		break;
	case ' ':
		a->paused = !a->paused;
		say(a, 0, a->paused ? "paused (space resumes)" : "resumed");
		if (!a->paused && !a->busy)
			a->next_ns = clock_mono_ns();
		break;
	case 'r':
		__atomic_store_n(&a->resolve, !a->resolve, __ATOMIC_RELAXED);
		say(a, 0, "host names %s", a->resolve ? "on" : "off");
		if (a->m.filter[0])
			review(a);
		break;
	case '+':
	case '=':
		set_interval(a, 1);
		break;
	case '-':
		set_interval(a, -1);
		break;
	case 'c':
		action_close(a);
		break;
	case 'k':
		action_kill_ask(a);
		break;
	case 's':
		action_save(a);
		break;
	case '\n':
	case '\r':
	case KEY_ENTER:
		action_detail(a);
		break;
	case KEY_MOUSE:
		mouse(a);
		break;
	case KEY_RESIZE:
		selection_fix(a);
		break;
	default:
		break;
	}
}

/* --- signals --- */

static void
resize(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resizeterm(ws.ws_row, ws.ws_col);
}

static void
on_signal(struct app *a)
{
	struct signalfd_siginfo si;

	while (read(a->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGINT:
		case SIGTERM:
		case SIGHUP:
			a->quit = 1;
			break;
		case SIGTSTP:
			/* give the terminal back, stop; on SIGCONT take it again */
			def_prog_mode();
			endwin();
			kill(getpid(), SIGSTOP);
			reset_prog_mode();
			resize();
			clearok(curscr, TRUE);
			break;
		case SIGCONT:
		case SIGWINCH:
			resize();
			clearok(curscr, TRUE);
			selection_fix(a);
			break;
		}
	}
}

/* --- the loop --- */

static void
paint(struct app *a)
{
	struct tui_frame f;
	char prompt[128], note[512];
	const char *const *h;

	memset(&f, 0, sizeof(f));
	f.m = &a->m;
	f.sel = a->sel;
	f.top = a->top;
	f.interval_ns = a->interval_ns;
	f.paused = a->paused;
	f.resolve = a->resolve;
	snprintf(note, sizeof(note), "%s%s%s", a->note, a->note[0] && a->ev_note[0] ?
	    " | " : "", a->ev_note);
	f.note = note[0] ? note : NULL;
	if (a->mode == MODE_FILTER) {
		snprintf(prompt, sizeof(prompt), "filter: %s_   (Enter keeps, Esc cancels)",
		    a->edit);
		f.bottom = prompt;
	} else if (a->msg[0] && clock_mono_ns() < a->msg_until) {
		f.bottom = a->msg;
		f.alert = a->alert;
	}
	if (a->mode == MODE_HELP) {
		h = help_text;
		f.pane_title = "portscope top: keys";
		f.pane = (char *const *)h;
		f.npane = sizeof(help_text) / sizeof(help_text[0]);
	} else if (a->mode == MODE_DETAIL) {
		f.pane_title = a->pane_title;
		f.pane = a->pane;
		f.npane = a->npane;
		f.pane_top = a->pane_top;
	}
	draw_frame(&f, a->colored, &a->lo);
}

static int
loop(struct app *a)
{
	struct pollfd pfd[5];
	uint64_t now, wait_ns;
	int n, ch, timeout, t;

	while (!a->quit) {
		now = clock_mono_ns();
		if (!a->busy && a->view_dirty) {
			a->view_dirty = 0;
			if (tui_model_nrows(&a->m) <= VIEW_SYNC_ROWS) {
				tui_model_view(&a->m);
				selection_follow(a);
			} else {
				refresher_ask_view(&a->rf, &a->m);
				a->busy = 1;
			}
		}
		if (!a->busy && !a->paused && now >= a->next_ns) {
			refresher_ask(&a->rf, &a->m);
			a->busy = 1;
			a->next_ns = now + a->interval_ns;
		}
		paint(a);
		wait_ns = UINT64_MAX;
		if (!a->busy && !a->paused)
			wait_ns = a->next_ns > now ? a->next_ns - now : 0;
		if (a->msg[0] && a->msg_until > now && a->msg_until - now < wait_ns)
			wait_ns = a->msg_until - now;
		timeout = wait_ns == UINT64_MAX ? -1 : (int)(wait_ns / NSEC_PER_MSEC) + 1;
		if (a->ev && (t = ev_timeout_ms(a->ev)) >= 0 && (timeout < 0 || t < timeout))
			timeout = t;
		pfd[0] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = a->rf.pipe[0], .events = POLLIN };
		pfd[2] = (struct pollfd){ .fd = a->sigfd, .events = POLLIN };
		pfd[3] = (struct pollfd){ .fd = a->res ? resolver_fd(a->res) : -1,
		    .events = POLLIN };
		pfd[4] = (struct pollfd){ .fd = a->ev ? ev_fd(a->ev) : -1, .events = POLLIN };
		n = poll(pfd, 5, timeout);
		if (a->ev && (n == 0 || (pfd[4].revents & POLLIN)))
			events_read(a);
		if (n == -1 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		if (pfd[2].revents & POLLIN)
			on_signal(a);
		if (pfd[1].revents & POLLIN)
			take_snapshot(a);
		if (pfd[3].revents & POLLIN)
			resolver_drain(a->res);
		if (pfd[0].revents & (POLLHUP | POLLERR))
			a->quit = 1;
		if (pfd[0].revents & POLLIN)
			while (!a->quit && (ch = getch()) != ERR)
				key(a, ch);
	}
	return 0;
}

int
tui_app_available(void)
{
	return 1;
}

int
tui_app_terminal_ok(void)
{
	const char *cup;
	int e, ok;

	if (setupterm(NULL, STDOUT_FILENO, &e) != OK)
		return 0;
	cup = tigetstr("cup");
	ok = cup != NULL && cup != (char *)-1;
	del_curterm(cur_term);
	return ok;
}

int
tui_app_run(const struct tui_opts *o, char *err, size_t errlen)
{
	struct app a;
	sigset_t old;
	SCREEN *scr;
	int rc = -1;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		snprintf(err, errlen, "top needs a terminal; use 'top --once' or "
		    "'top --batch N' for output to a pipe or file");
		return -1;
	}
	memset(&a, 0, sizeof(a));
	a.o = o;
	a.sigfd = -1;
	a.interval_ns = o->interval_ns;
	a.resolve = o->resolve;
	tui_model_init(&a.m, o->linger_ns);
	a.m.sort_col = o->sort_col;
	a.m.sort_reverse = o->sort_reverse;
	a.m.show = o->show;
	a.m.info = o->filter.tcp_info;
	a.m.name_fn = name_fn;
	a.m.name_arg = &a;
	snprintf(a.m.filter, sizeof(a.m.filter), "%s", o->filter_text);

	/* Signals go to the signalfd, in every thread started from here on. */
	if ((a.sigfd = sigfd_open(tui_signals, &old)) == -1) {
		snprintf(err, errlen, "cannot create a signalfd: %s", strerror(errno));
		goto out_mask;
	}
	/* the resolver's thread starts now, whether names are on or not: the
	 * refresher may call name_fn (filters) while the main thread runs */
	if ((a.res = resolver_new(err, errlen)) == NULL)
		goto out_sig;
	if (events_open(&a, err, errlen) == -1)
		goto out_res;
	if (refresher_start(&a.rf, &o->filter, &a.m, err, errlen) == -1)
		goto out_ev;

	if ((scr = newterm(NULL, stdout, stdin)) == NULL) {
		snprintf(err, errlen, "cannot use the terminal '%s'; use 'top --once' or "
		    "'top --batch N'", getenv("TERM") ? getenv("TERM") : "(unset)");
		goto out_rf;
	}
	set_term(scr);
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	set_escdelay(100);	/* Esc alone vs. a key or mouse sequence, on a busy machine */
	if (o->mouse) {
		mouseinterval(0);	/* act on the press, at once */
		mousemask(BUTTON1_PRESSED | BUTTON4_PRESSED
#ifdef BUTTON5_PRESSED
		    | BUTTON5_PRESSED
#endif
		    , NULL);
	}
	a.colored = draw_colors(o->color);
	a.next_ns = clock_mono_ns();

	if (loop(&a) == -1)
		snprintf(err, errlen, "poll: %s", strerror(errno));
	else
		rc = a.rc;
	endwin();
	delscreen(scr);
out_rf:
	refresher_stop(&a.rf);
out_ev:
	if (a.ev) {
		ev_close(a.ev);
		flash_release(&a.flash);
	}
out_res:
	resolver_free(a.res);
out_sig:
	close(a.sigfd);
out_mask:
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pane_free(&a);
	tui_model_release(&a.m);
	return rc;
}
#endif
