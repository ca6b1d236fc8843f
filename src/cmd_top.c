/*
 * portscope top: TCPView for Linux — a live terminal view of every TCP and
 * UDP endpoint with its process; new rows green, changed yellow, closed
 * red.  --once and --batch N are the non-interactive forms (tcpvcon).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "host/snapshot.h"
#include "output/text.h"
#include "tui/app.h"
#include "tui/model.h"
#include "util/clock.h"
#include "util/cli.h"
#include "util/strtonum.h"

struct top_cmd {
	struct tui_opts	 ui;
	int		 once;
	int		 csv;
	long long	 batch;		/* refreshes to print; 0: interactive */
	const char	*tick_cpu;	/* hidden: CPU seconds of each refresh to this file */
};

static const char top_usage[] =
    "usage: portscope top [--interval S] [--linger S] [--sort COLUMN [--reverse]]\n"
    "                     [--filter TEXT] [--tcp] [--udp] [-4] [-6] [--resolve]\n"
    "                     [--no-color] [--no-mouse] [--events | --no-events]\n"
    "                     [--owners SRC]\n"
    "       portscope top --once [--csv] [options]\n"
    "       portscope top --batch N [--csv] [options]\n"
    "\n"
    "TCPView for Linux: every TCP and UDP endpoint with its process, refreshed\n"
    "every interval; new rows green, changed yellow, closed red (a marker column\n"
    "says the same without colours).  Press ? in the view for the keys.\n"
    "\n"
    "      --once        print one snapshot (TCPView's columns) and exit\n"
    "      --batch N     print N refreshes (1-1000000): everything, then changes\n"
    "      --csv         CSV instead of text, with --once or --batch\n"
    "      --interval S  seconds between refreshes, 0.1-3600 (default 1)\n"
    "      --linger S    how long new, changed and closed rows keep their colour,\n"
    "                    0-3600 seconds (default 3)\n"
    "      --sort COLUMN process, pid, proto, state, local, remote, sent, recv,\n"
    "                    tx, rx, age, user or unit (default process)\n"
    "      --reverse     sort the other way\n"
    "      --filter TEXT only rows whose process, pid, address, port, state, user\n"
    "                    or unit contains TEXT (any case; at most 63 bytes)\n"
    "      --tcp, --udp  only TCP, only UDP endpoints\n"
    "  -4, -6            only IPv4, only IPv6 endpoints\n"
    "      --resolve     show host names (looked up in the background); r toggles\n"
    "      --no-color    a marker column instead of colours (also NO_COLOR)\n"
    "      --no-mouse    leave the mouse to the terminal\n"
    "      --events      count and show connections that open and close between\n"
    "                    refreshes (the event engine); --no-events: never\n"
    "      --owners SRC  where owners come from: bpf (the default as root when it\n"
    "                    loads), procfs (/proc/PID/fd), or none\n";

static void
top_parse(int argc, char **argv, struct top_cmd *o)
{
	enum { O_ONCE = 256, O_BATCH, O_CSV, O_INTERVAL, O_LINGER, O_SORT, O_REVERSE,
	    O_FILTER, O_TCP, O_UDP, O_RESOLVE, O_NO_COLOR, O_NO_MOUSE, O_EVENTS,
	    O_NO_EVENTS, O_OWNERS, O_TICK_CPU };
	static const struct option longopts[] = {
		{ "once", no_argument, NULL, O_ONCE },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "csv", no_argument, NULL, O_CSV },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "linger", required_argument, NULL, O_LINGER },
		{ "sort", required_argument, NULL, O_SORT },
		{ "reverse", no_argument, NULL, O_REVERSE },
		{ "filter", required_argument, NULL, O_FILTER },
		{ "tcp", no_argument, NULL, O_TCP },
		{ "udp", no_argument, NULL, O_UDP },
		{ "resolve", no_argument, NULL, O_RESOLVE },
		{ "no-color", no_argument, NULL, O_NO_COLOR },
		{ "no-colour", no_argument, NULL, O_NO_COLOR },
		{ "no-mouse", no_argument, NULL, O_NO_MOUSE },
		{ "events", no_argument, NULL, O_EVENTS },
		{ "no-events", no_argument, NULL, O_NO_EVENTS },
		{ "owners", required_argument, NULL, O_OWNERS },
		{ "tick-cpu", required_argument, NULL, O_TICK_CPU },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct cli cli = { .cmd = "top" };
	const char *nc;
	long long ms;
	int ch, tcp = 0, udp = 0, v4 = 0, v6 = 0, col;

	memset(o, 0, sizeof(*o));
	snap_filter_init(&o->ui.filter);
	o->ui.filter.protos = SD_TCP | SD_UDP;
	o->ui.filter.details = PROC_BASIC | PROC_FULL;
	o->ui.filter.tcp_info = 1;
	o->ui.interval_ns = NSEC_PER_SEC;
	o->ui.linger_ns = 3 * NSEC_PER_SEC;
	o->ui.sort_col = TUI_COL_PROCESS;
	o->ui.show = TUI_SHOW_ALL;
	o->ui.color = 1;
	o->ui.events = -1;
	o->ui.mouse = 1;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":46h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_ONCE:
			o->once = 1;
			break;
		case O_BATCH:
			o->batch = cli_num(&cli, "batch count", NULL, optarg, 1, 1000000);
			break;
		case O_CSV:
			o->csv = 1;
			break;
		case O_INTERVAL:
			ms = cli_seconds(&cli, "interval", optarg, 100, 3600000);
			o->ui.interval_ns = (uint64_t)ms * NSEC_PER_MSEC;
			break;
		case O_LINGER:
			ms = cli_seconds(&cli, "linger", optarg, 0, 3600000);
			o->ui.linger_ns = (uint64_t)ms * NSEC_PER_MSEC;
			break;
		case O_SORT:
			if ((col = tui_col_parse(optarg)) == -1)
				cli_usage_error(&cli, "unknown column '%s': give process, pid, "
				    "proto, state, "
				    "local, remote, sent, recv, tx, rx, age, user or unit", optarg);
			o->ui.sort_col = (enum tui_col)col;
			break;
		case O_REVERSE:
			o->ui.sort_reverse = 1;
			break;
		case O_FILTER:
			if (strlen(optarg) >= sizeof(o->ui.filter_text))
				cli_usage_error(&cli, "filter '%.20s…' is too long: give at most "
				    "%zu bytes",
				    optarg, sizeof(o->ui.filter_text) - 1);
			snprintf(o->ui.filter_text, sizeof(o->ui.filter_text), "%s", optarg);
			break;
		case O_TCP:
			tcp = 1;
			break;
		case O_UDP:
			udp = 1;
			break;
		case '4':
			v4 = 1;
			break;
		case '6':
			v6 = 1;
			break;
		case O_RESOLVE:
			o->ui.resolve = 1;
			break;
		case O_NO_COLOR:
			o->ui.color = 0;
			break;
		case O_NO_MOUSE:
			o->ui.mouse = 0;
			break;
		case O_EVENTS:
			o->ui.events = 1;
			break;
		case O_NO_EVENTS:
			o->ui.events = 0;
			break;
		case O_OWNERS:
			if (strcmp(optarg, "none") == 0)
				o->ui.filter.owners = 0;
			else if ((o->ui.filter.backend = owner_backend_find(optarg)) == NULL)
				cli_usage_error(&cli, "unknown owner source '%s': give bpf, "
				    "procfs or none", optarg);
			break;
		case O_TICK_CPU:
			o->tick_cpu = optarg;
			break;
		case 'h':
			fputs(top_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
	if (o->once && o->batch)
		cli_usage_error(&cli, "choose one of --once and --batch N");
	if (o->csv && !o->once && !o->batch)
		cli_usage_error(&cli, "--csv needs --once or --batch N");
	if (o->tick_cpu && !o->batch)
		cli_usage_error(&cli, "--tick-cpu needs --batch N");
	if (tcp || udp)
		o->ui.show &= ~((tcp ? 0 : TUI_SHOW_TCP) | (udp ? 0 : TUI_SHOW_UDP));
	if (v4 || v6)
		o->ui.show &= ~((v4 ? 0 : TUI_SHOW_V4) | (v6 ? 0 : TUI_SHOW_V6));
	if ((nc = getenv("NO_COLOR")) != NULL && nc[0] != '\0')
		o->ui.color = 0;
}

/* Text output: TCPView's columns, each at least this wide. */
static const enum tui_col text_order[] = { TUI_COL_PROCESS, TUI_COL_PID, TUI_COL_PROTO,
    TUI_COL_STATE, TUI_COL_LOCAL, TUI_COL_REMOTE, TUI_COL_SENT, TUI_COL_RECV,
    TUI_COL_AGE, TUI_COL_USER, TUI_COL_UNIT };
static const int text_width[TUI_NCOLS] = { 16, 8, 6, 12, 24, 24, 8, 8, 0, 0, 7, 10, 0 };

static void
trim_line(struct buf *b)
{
	while (b->len > 0 && b->data[b->len - 1] == ' ')
		b->len--;
	buf_putc(b, '\n');
}

/* One row of text output: every column at its natural width. */
static void
text_row(const struct tui_model *m, uint32_t row, const char *change, struct buf *b,
    struct buf *cell)
{
	size_t i;

	if (change)
		text_col(b, change, 8);
	for (i = 0; i < sizeof(text_order) / sizeof(text_order[0]); i++) {
		buf_reset(cell);
		tui_cell(m, row, text_order[i], cell);
		text_col(b, buf_str(cell), (size_t)text_width[text_order[i]]);
	}
	trim_line(b);
}

static void
text_header(struct buf *b, int change)
{
	size_t i;

	if (change)
		text_col(b, "Change", 8);
	for (i = 0; i < sizeof(text_order) / sizeof(text_order[0]); i++)
		text_col(b, tui_col_name(text_order[i]), (size_t)text_width[text_order[i]]);
	trim_line(b);
}

/* Print the rows of one refresh: all of them (all set), or those that
 * changed in it. */
static void
print_refresh(const struct top_cmd *o, const struct tui_model *m, int all,
    struct buf *out)
{
	static const char *const change[] = { "", "new", "changed", "closed" };
	struct buf cell;
	struct tui_ep ep;
	enum tui_mark mk;
	size_t i;

	buf_init(&cell);
	for (i = 0; i < m->nview; i++) {
		mk = tui_row_mark(m, m->view[i]);
		tui_model_ep(m, m->view[i], &ep);
		if (!all && (mk == TUI_MARK_NONE || ep.live->mark_ns != m->now_ns))
			continue;
		if (o->csv)
			tui_csv_row(m, m->view[i], out);
		else
			text_row(m, m->view[i], o->batch ? (mk == TUI_MARK_CLOSED && ep.flash ?
			    "short" : change[mk]) : NULL, out, &cell);
		buf_maybe_flush(out);
	}
	buf_release(&cell);
}

static int
run_batch(const struct top_cmd *o)
{
	struct tui_model m;
	struct snapshot s;
	struct buf out;
	struct timespec ts;
	char errbuf[256], when[32];
	FILE *tick = NULL;
	uint64_t next, now, cpu0;
	long long n, count = o->once ? 1 : o->batch;
	time_t t;
	int rc = 0;

	if (o->tick_cpu && (tick = fopen(o->tick_cpu, "we")) == NULL)
		err(2, "cannot open '%s'", o->tick_cpu);
	tui_model_init(&m, o->ui.linger_ns);
	m.sort_col = o->ui.sort_col;
	m.sort_reverse = o->ui.sort_reverse;
	m.show = o->ui.show;
	m.info = o->ui.filter.tcp_info;
	snprintf(m.filter, sizeof(m.filter), "%s", o->ui.filter_text);
	buf_init_fd(&out, STDOUT_FILENO);
	if (o->csv)
		tui_csv_header(&out);
	else if (o->once)
		text_header(&out, 0);
	next = clock_mono_ns();
	for (n = 0; n < count; n++) {
		if (n > 0) {
			next += o->ui.interval_ns;
			now = clock_mono_ns();
			if (next > now) {
				ts = clock_ns_to_timespec(next - now);
				while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
					;
			}
		}
		cpu0 = clock_cpu_ns();
		if (snapshot_take(&s, &o->ui.filter, errbuf, sizeof(errbuf)) == -1) {
			warnx("%s", errbuf);
			rc = 1;
			break;
		}
		if (n == 0 && s.not_root)
			warnx("not running as root: %zu processes' descriptors could not be "
			    "read; their sockets say 'not permitted'", s.scan.denied);
		tui_model_update(&m, &s, clock_mono_ns());
		tui_model_view(&m);
		if (o->batch && !o->csv) {
			t = time(NULL);
			strftime(when, sizeof(when), "%H:%M:%S", localtime(&t));
			buf_printf(&out, "== %s refresh %lld: %zu endpoints", when, n + 1,
			    m.counts.endpoints);
			if (n > 0)
				buf_printf(&out, ", %zu new, %zu changed, %zu closed",
				    m.counts.new_rows, m.counts.changed, m.counts.closed);
			buf_putc(&out, '\n');
			if (n == 0)
				text_header(&out, 1);
		}
		print_refresh(o, &m, n == 0, &out);
		if (buf_flush(&out) == -1) {
			warnx("cannot write output: %s", strerror(out.error));
			rc = 1;
			break;
		}
		if (tick) {
			fprintf(tick, "%.6f %zu\n", (double)(clock_cpu_ns() - cpu0) / 1e9,
			    m.counts.endpoints);
			fflush(tick);
		}
	}
	buf_release(&out);
	tui_model_release(&m);
	if (tick)
		fclose(tick);
	return rc;
}

int
cmd_top(int argc, char **argv)
{
	struct top_cmd o;
	char errbuf[256];
	int rc;

	top_parse(argc, argv, &o);
	if (o.once || o.batch)
		return run_batch(&o);
	if (!tui_app_available())
		errx(1, "this portscope was built without ncurses: the interactive view "
		    "is not available; use 'top --once' or 'top --batch N'");
	if (isatty(STDOUT_FILENO) && !tui_app_terminal_ok()) {
		/* a dumb terminal: the changes as lines, each with its marker word */
		warnx("terminal '%s' cannot show the live view; printing what changes "
		    "every %gs (Ctrl-C stops)", getenv("TERM") ? getenv("TERM") : "(unset)",
		    (double)o.ui.interval_ns / 1e9);
		o.batch = 1000000;
		return run_batch(&o);
	}
	if ((rc = tui_app_run(&o.ui, errbuf, sizeof(errbuf))) == -1)
		errx(1, "%s", errbuf);
	return rc;
}
