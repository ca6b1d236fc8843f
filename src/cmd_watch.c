/*
 * portscope watch: one port or one process; the first check prints what is
 * there, later checks print only what changed (PortQry's -wport / -wpid /
 * -wt, with its -l log).  Checks run every interval and, where the event
 * engine loads (events/events.h), soon after the kernel reports a change;
 * sockets that lived and died between two checks come from the events
 * (events/track.h) and print as the same NEW / STATE / GONE lines.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "events/diff.h"
#include "events/events.h"
#include "events/track.h"
#include "host/owner_cache.h"
#include "host/snapshot.h"
#include "output/json.h"
#include "output/event.h"
#include "output/logfile.h"
#include "output/portqry_local.h"
#include "output/text.h"
#include "util/sigfd.h"
#include "util/cli.h"
#include "util/clock.h"
#include "util/strtonum.h"
#include "util/vec.h"
#include "util/xmalloc.h"

#define INTERVAL_MIN_MS		50
#define INTERVAL_MAX_MS		1200000
#define INTERVAL_DEFAULT_MS	60000
#define SEPARATOR		"========"
#define EV_SETTLE_MS		20	/* after an event, wait for its fellows */
#define EV_CHECK_GAP_MS		100	/* between two checks that events call for */

struct watch_opts {
	struct snap_filter	 filter;
	int			 port;		/* 0: a pid watch */
	pid_t			 pid;		/* 0: a port watch */
	long long		 interval_ms;
	long long		 count;		/* checks before stopping; 0: no limit */
	int			 verbose;
	int			 json;
	int			 raw;		/* --raw: raw sockets too */
	int			 portqry;	/* came from -wport/-wpid: -wt is whole seconds */
	const char		*log;
	int			 overwrite;
	int			 no_cache;	/* look every owner up at every check */
	const struct owner_backend *owners;	/* --owners; NULL: the default */
	const char		*tick_cpu;	/* hidden: CPU seconds of each check to this file */
	int			 poll_only;	/* --poll: no event engine */
};

/* A process as -v remembers it: pid and start time, so that a pid used
 * again by another process is another process. */
struct seen_proc {
	pid_t		pid;
	uint64_t	start_ticks;
};

struct seen_vec {
	struct seen_proc *v;
	size_t		  n, cap;
};

/* Everything a running watch holds; one per process. */
struct watch {
	struct watch_opts	 o;
	struct snapshot		 prev;		/* the last check's sockets */
	int			 have_prev;
	struct buf		 text;		/* text of this check (stdout or log) */
	struct buf		 json;		/* JSON Lines of this check */
	int			 logfd;		/* -1 without -l */
	int			 sigfd;
	int			 pidfd;		/* a pid watch's process; -1 if none */
	int			 keys;		/* stdin is our terminal: q and Esc stop */
	struct termios		 saved_tio;
	struct seen_vec		 seen;		/* processes whose modules were shown (-v) */
	char			 comm[17];	/* a pid watch's process name */
	FILE			*tick_cpu;
	long long		 checks;
	long long		 changes;	/* events printed after the first check */
	const char		*stop;		/* why the watch stopped; NULL while running */
	int			 esc;		/* stopped by the Esc key */
	int			 out_ok;	/* stdout takes what we write */
	struct ev_source	*ev;		/* the event engine; NULL when polling */
	struct ev_track		*track;		/* what events show and checks do not */
	long long		 ev_due;	/* a check events call for, at this time (ms); 0: none */
	long long		 last_check;	/* ms */
	int			 fallback_told;	/* said that UDP comes from /proc/net */
	int			 rc;
};

static const char watch_usage[] =
    "usage: portscope watch --port N [--interval S] [-v] [--json] [--raw] [-l FILE [-y]]\n"
    "       portscope watch --pid PID [--interval S] [-v] [--json] [--raw] [-l FILE [-y]]\n"
    "       portscope -wport N [-wt S] [-v] [-l FILE [-y]]\n"
    "       portscope -wpid PID [-wt S] [-v] [-l FILE [-y]]\n"
    "\n"
    "Watch one port (TCP and UDP, IPv4 and IPv6, as local or remote port) or\n"
    "every TCP and UDP socket of one process; print the sockets there now, then only what\n"
    "changes: new sockets, state changes, sockets gone, owners come and gone.\n"
    "A pid watch ends when the process exits.  Ctrl-C, SIGTERM, q or Esc stop.\n"
    "\n"
    "      --port N      the port to watch (1-65535); PortQry's -wport\n"
    "      --pid PID     the process to watch; PortQry's -wpid\n"
    "      --interval S  seconds between checks, 1-1200 (fractions down to 0.05\n"
    "                    allowed here; -wt takes whole seconds); default 60\n"
    "  -v, --verbose     owners' command line, user and unit; each process's\n"
    "                    loaded modules the first time it is seen\n"
    "      --json        JSON Lines: one object per change, with ts and event\n"
    "                    (new, state, gone, owner; exit when the process ends)\n"
    "      --raw         raw sockets too (their port is the IP protocol number)\n"
    "  -l FILE           also write a PortQry-style log to FILE; -y overwrites it\n"
    "      --count N     stop after N checks (the first included)\n"
    "      --owners SRC  where owners come from: bpf (the default as root when it\n"
    "                    loads) or procfs (/proc/PID/fd)\n"
    "      --no-cache    a port watch remembers which process held which socket\n"
    "                    and only confirms those descriptors while nothing new\n"
    "                    appears; this looks every owner up at every check\n"
    "      --poll        checks only, every interval: no kernel events (as root\n"
    "                    they also show what lives between two checks)\n";

/* Parse argv into o; exits 2 with one line on a usage error. */
static void
watch_parse(int argc, char **argv, struct watch_opts *o)
{
	enum { O_PORT = 256, O_PID, O_INTERVAL, O_JSON, O_COUNT, O_OWNERS,
	    O_NO_CACHE, O_PORTQRY, O_TICK_CPU, O_RAW, O_POLL };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, O_PORT },
		{ "pid", required_argument, NULL, O_PID },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, O_JSON },
		{ "raw", no_argument, NULL, O_RAW },
		{ "count", required_argument, NULL, O_COUNT },
		{ "owners", required_argument, NULL, O_OWNERS },
		{ "no-cache", no_argument, NULL, O_NO_CACHE },
		{ "portqry", no_argument, NULL, O_PORTQRY },
		{ "tick-cpu", required_argument, NULL, O_TICK_CPU },
		{ "poll", no_argument, NULL, O_POLL },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct cli cli = { .cmd = "watch" };
	const char *interval = NULL, *port = NULL, *pid = NULL, *count = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	snap_filter_init(&o->filter);
	o->interval_ms = INTERVAL_DEFAULT_MS;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":vl:yh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_PORT:
			cli_once(&cli, &port, "--port", optarg);
			o->port = cli_port(&cli, optarg);
			break;
		case O_PID:
			cli_once(&cli, &pid, "--pid", optarg);
			o->pid = cli_pid(&cli, optarg);
			break;
		case O_INTERVAL:
			cli_once(&cli, &interval, "--interval", optarg);
			break;
		case 'v':
			o->verbose = 1;
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_RAW:
			o->raw = 1;
			break;
		case O_COUNT:
			cli_once(&cli, &count, "--count", optarg);
			o->count = cli_num(&cli, "count", NULL, optarg, 1, 1000000000);
			break;
		case O_OWNERS:
			if ((o->owners = owner_backend_find(optarg)) == NULL)
				cli_usage_error(&cli, "unknown owner source '%s': give bpf "
				    "or procfs", optarg);
			break;
		case O_NO_CACHE:
			o->no_cache = 1;
			break;
		case O_PORTQRY:
			o->portqry = 1;
			break;
		case O_TICK_CPU:
			o->tick_cpu = optarg;
			break;
		case O_POLL:
			o->poll_only = 1;
			break;
		case 'l':
			cli_once(&cli, &o->log, "-l", optarg);
			break;
		case 'y':
			o->overwrite = 1;
			break;
		case 'h':
			fputs(watch_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
	if (o->port && o->pid)
		cli_usage_error(&cli, "watch one port or one pid, not both");
	if (!o->port && !o->pid)
		cli_usage_error(&cli, "watch needs --port N or --pid PID");
	cli_log_check(&cli, o->log, o->overwrite);
	if (interval && o->portqry)
		o->interval_ms = 1000 * cli_num(&cli, "-wt", "seconds", interval, 1, 1200);
	else if (interval)
		o->interval_ms = cli_seconds(&cli, "interval", interval, INTERVAL_MIN_MS,
		    INTERVAL_MAX_MS);

	/* TCP and UDP; raw sockets only when asked for. */
	o->filter.protos = SD_TCP | SD_UDP | (o->raw ? SD_RAW : 0);
	/* Every TCP state but TCP_BOUND_INACTIVE (Linux 6.5+): asking for it
	 * makes the kernel walk the whole bind hash on every dump, which
	 * doubles the cost of a check on a busy host; a socket bound to the
	 * port shows up as soon as it listens or connects. */
	o->filter.tcp_states = ~TCPF(TCP_BOUND_INACTIVE);
	o->filter.port = o->port ? o->port : -1;
	o->filter.pid = o->pid;
	o->filter.details = PROC_BASIC | (o->verbose ? PROC_FULL : 0);
	/* A port watch remembers owners between checks (host/owner_cache.h);
	 * a pid watch reads that one process's descriptors anyway. */
	o->filter.backend = o->port && !o->no_cache ? &owner_cache : o->owners;
}

/* ---- time ---- */

static long long
mono_ms(void)
{
	return (long long)(clock_mono_ns() / NSEC_PER_MSEC);
}

/* Local "2026-11-29 16:30:02" (full) or "16:30:02.123" (short) for t. */
static void
fmt_time(char *out, size_t len, const struct timespec *t, int full)
{
	struct tm tm;
	char s[32];

	localtime_r(&t->tv_sec, &tm);
	if (full) {
		strftime(out, len, "%Y-%m-%d %H:%M:%S", &tm);
		return;
	}
	strftime(s, sizeof(s), "%H:%M:%S", &tm);
	snprintf(out, len, "%.20s.%03d", s, (int)(t->tv_nsec / 1000000) % 1000);
}

/* UTC "2026-11-29T16:30:02.123Z" for JSON. */
static void
fmt_ts(char *out, size_t len, const struct timespec *t)
{
	struct tm tm;
	char s[32];

	gmtime_r(&t->tv_sec, &tm);
	strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, len, "%.24s.%03dZ", s, (int)(t->tv_nsec / 1000000) % 1000);
}

static struct timespec
real_now(void)
{
	return clock_ns_to_timespec(clock_real_ns());
}

/* ---- -v: modules of processes seen for the first time ---- */

static int
seen_cmp(const struct seen_proc *a, const struct seen_proc *b)
{
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	return a->start_ticks < b->start_ticks ? -1 : a->start_ticks > b->start_ticks;
}

/* Mark process p (pid and start time) seen; returns 1 if it was not seen
 * before.  A pid used again by a new process is a new process. */
static int
seen_add(struct watch *w, const struct proc_info *p)
{
	struct seen_proc key = { p->pid, p->start_ticks };
	size_t lo = 0, hi = w->seen.n, mid;
	int c;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if ((c = seen_cmp(&w->seen.v[mid], &key)) == 0)
			return 0;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	VEC_PUSH(&w->seen);
	memmove(w->seen.v + lo + 1, w->seen.v + lo,
	    (w->seen.n - 1 - lo) * sizeof(*w->seen.v));
	w->seen.v[lo] = key;
	return 1;
}

/* With -v: for each owner of r not seen before, its details and modules as
 * an indented text block and, in JSON, a "processes" member.  The modules
 * are read after the scan, by pid and start time: a process that exited
 * meanwhile (its pid perhaps given to another) shows none. */
static void
first_seen(struct watch *w, const struct snapshot *s, const struct sock_row *r)
{
	const struct sock_owner *ow;
	const struct proc_info *p;
	struct proc_info mods;
	uint32_t k;
	int any = 0;

	if (!w->o.verbose || r == NULL)
		return;
	for (k = r->owner; k != OWNER_NONE; k = ow->next) {
		ow = &s->owners[k];
		p = snapshot_proc(s, ow);
		if (!seen_add(w, p))
			continue;
		memset(&mods, 0, sizeof(mods));
		proc_read_pid(p->pid, p->start_ticks, PROC_MODULES, &mods);
		event_process_text(&w->text, p, &mods);
		if (w->o.json) {
			if (any++ == 0) {
				json_key(&w->json, "processes");
				buf_putc(&w->json, '[');
			}
			json_sep(&w->json);
			event_process_json(&w->json, p, &mods);
		}
		proc_info_release(&mods);
	}
	if (any)
		buf_putc(&w->json, ']');
}

static void events_read(struct watch *);

/* ---- one check ---- */

/* Format one change (or, on the first check, one present socket). */
static void
emit(struct watch *w, const struct timespec *now, const struct diff_event *e,
    const struct snapshot *before, const struct snapshot *cur, int initial)
{
	char when[48], ts[48];

	fmt_time(when, sizeof(when), now, 0);
	event_text(&w->text, when, e, before, cur, initial);
	if (w->o.json) {
		fmt_ts(ts, sizeof(ts), now);
		buf_putc(&w->json, '{');
		event_json(&w->json, ts, e, before, cur, initial, w->o.verbose);
	}
	if (e->kind != DIFF_GONE)
		first_seen(w, cur, e->after);
	if (w->o.json)
		buf_add(&w->json, "}\n", 2);
}

/* Write b to stdout.  A closed stdout stops the watch; a write error
 * other than a reader that went away (EPIPE) is reported, status 1. */
static void
write_out(struct watch *w, const struct buf *b)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len && w->out_ok) {
		if ((n = write(STDOUT_FILENO, b->data + off, b->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE) {
				warn("cannot write output");
				w->rc = 1;
			}
			w->out_ok = 0;
			if (!w->stop)
				w->stop = "output closed";
			break;
		}
		off += (size_t)n;
	}
}

/* The log could not be written: say so once, stop writing it, status 1. */
static void
log_failed(struct watch *w)
{
	warn("cannot write log file '%s'", w->o.log);
	close(w->logfd);
	w->logfd = -1;
	w->rc = 1;
}

/* Write this check's text to stdout (unless --json) and the log, and its
 * JSON to stdout; both bufs are emptied. */
static void
flush_check(struct watch *w)
{
	write_out(w, w->o.json ? &w->json : &w->text);
	if (w->logfd != -1) {
		w->text.fd = w->logfd;
		if (buf_flush(&w->text) == -1)
			log_failed(w);
		w->text.fd = -1;
	}
	buf_reset(&w->text);
	buf_reset(&w->json);
}

/* PortQry's form (-wport/-wpid): at the first check and at each change, a
 * dated separator and the whole current table ("PortQry prints, at each
 * change, a dated separator and the full current table (and modules with
 * -v)", issue 10; the separator's wording is ours, doc/portqry-compat.md
 * §3), with -v each process's details and loaded modules. */
static void
portqry_check(struct watch *w, const struct snapshot *cur,
    const struct timespec *now)
{
	struct proc_info mods;
	char date[64] = "";
	struct tm tm;
	size_t i;

	if (localtime_r(&now->tv_sec, &tm) != NULL)
		strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Y", &tm);
	buf_printf(&w->text, "=============== %s ===============\n\n", date);
	portqry_watch_table(&w->text, cur);
	if (!w->o.verbose)
		return;
	for (i = 0; i < cur->scan.nprocs; i++) {
		const struct proc_info *p = &cur->scan.procs[i];

		memset(&mods, 0, sizeof(mods));
		if (proc_read_pid(p->pid, p->start_ticks, PROC_MODULES, &mods) == -1)
			mods.modules_err = ESRCH;	/* it exited meanwhile */
		portqry_process_info(&w->text, p, &mods,
		    PQL_DETAILS | PQL_MODULES);
		proc_info_release(&mods);
	}
}

/* Take a snapshot, print the changes since the last one (everything, the
 * first time), keep it.  Returns 0, or -1 when no snapshot could be taken. */
static int
check(struct watch *w)
{
	struct snapshot cur, xs;
	struct timespec now;
	struct diff d = { NULL, 0 }, xd = { NULL, 0 };
	struct diff_event e;
	struct buf xtext;
	char errbuf[256], when[48];
	uint64_t cpu0 = clock_cpu_ns();
	size_t i, nchanges = 0, full0 = owner_cache_full_scans();
	size_t mark = w->text.len;	/* what is before this check's text */
	size_t xmark = mark;		/* where the events' own changes begin */

	if (snapshot_take(&cur, &w->o.filter, errbuf, sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		return -1;
	}
	if (w->ev)	/* every event the kernel sent before the snapshot */
		events_read(w);
	now = real_now();
	fmt_time(when, sizeof(when), &now, 1);
	if (snapshot_fallback_notice(&cur) && !w->fallback_told) {
		warnx("%s", snapshot_fallback_notice(&cur));
		w->fallback_told = 1;
	}
	if (!w->have_prev) {
		if (cur.not_root)
			warnx("not running as root: %zu processes' descriptors could not "
			    "be read; their sockets say 'not permitted'", cur.scan.denied);
		buf_printf(&w->text, "%s %s: %zu socket%s now %s\n", SEPARATOR, when,
		    cur.nsocks, cur.nsocks == 1 ? "" : "s", SEPARATOR);
		memset(&w->prev, 0, sizeof(w->prev));
		for (i = 0; i < cur.nsocks; i++) {
			e.kind = DIFF_NEW;
			e.before = NULL;
			e.after = &cur.socks[i];
			emit(w, &now, &e, &w->prev, &cur, 1);
		}
		xmark = w->text.len;	/* nothing came and went before it */
	} else {
		diff_snapshots(&w->prev, &cur, &d);
		if (w->track)	/* what the events saw and the snapshots did not */
			track_flush(w->track, &w->prev, &cur, &d, &xs, &xd);
		nchanges = d.nevents + xd.nevents;
		if (nchanges > 0)
			buf_printf(&w->text, "%s %s: %zu change%s %s\n", SEPARATOR, when,
			    nchanges, nchanges == 1 ? "" : "s", SEPARATOR);
		for (i = 0; i < d.nevents; i++)
			emit(w, &now, &d.events[i], &w->prev, &cur, 0);
		xmark = w->text.len;
		for (i = 0; i < xd.nevents; i++)
			emit(w, &now, &xd.events[i], &xs,
			    xd.events[i].after && !is_xs_row(&xs, xd.events[i].after) ?
			    &cur : &xs, 0);
		w->changes += (long long)nchanges;
		diff_release(&d);
	}
	if (w->o.portqry) {
		/* the table instead of the snapshot's changes; the sockets it
		 * cannot show (they came and went) keep their lines after it */
		buf_init(&xtext);
		buf_add(&xtext, w->text.data + xmark, w->text.len - xmark);
		w->text.len = mark;
		if (!w->have_prev || nchanges > 0)
			portqry_check(w, &cur, &now);
		buf_add(&w->text, xtext.data, xtext.len);
		buf_release(&xtext);
	}
	if (w->track && w->have_prev) {
		diff_release(&xd);
		snapshot_release(&xs);
	}
	flush_check(w);
	if (w->have_prev)
		snapshot_release(&w->prev);
	w->prev = cur;
	w->have_prev = 1;
	w->checks++;
	w->last_check = mono_ms();
	w->ev_due = 0;
	if (w->tick_cpu) {
		fprintf(w->tick_cpu, "%.6f %zu %s\n",
		    (double)(clock_cpu_ns() - cpu0) / (double)NSEC_PER_SEC, cur.nsocks,
		    owner_cache_full_scans() > full0 ? "full" : "cached");
		fflush(w->tick_cpu);
	}
	return 0;
}

/* ---- the log ---- */

/* The PortQry-style header (output/logfile.h), on stdout and in the log;
 * the title line differs. */
static void
log_header(struct watch *w)
{
	struct log_header h = { NULL, w->o.interval_ms, w->o.verbose };
	struct buf what, title;

	buf_init(&what);
	buf_init(&title);
	if (w->o.port)
		buf_printf(&what, "Watching port: %d", w->o.port);
	else {
		buf_printf(&what, "Watching PID: %d (", (int)w->o.pid);
		text_sanitize(&what, w->comm, strlen(w->comm), 0);
		buf_putc(&what, ')');
	}
	h.watching = buf_str(&what);
	if (w->logfd != -1) {
		logfile_title(&title, 1);
		w->text.fd = w->logfd;
		buf_add(&w->text, title.data, title.len);
		if (buf_flush(&w->text) == -1)
			log_failed(w);
		w->text.fd = -1;
		buf_reset(&title);
	}
	if (!w->o.json) {
		logfile_title(&title, 0);
		write_out(w, &title);
	}
	logfile_header(&w->text, &h);
	buf_release(&title);
	buf_release(&what);
}

/* The stop line and the end line, after which the log is complete. */
static void
log_end(struct watch *w)
{
	struct timespec now = real_now();
	char when[48];

	fmt_time(when, sizeof(when), &now, 1);
	if (w->o.portqry && w->esc) {
		/* "escape key pressed: stopped watching port 135" (issue 10) */
		buf_printf(&w->text, "escape key pressed: stopped watching ");
		if (w->o.port)
			buf_printf(&w->text, "port %d\n", w->o.port);
		else
			buf_printf(&w->text, "process %d\n", (int)w->o.pid);
	} else if (w->o.portqry) {
		buf_printf(&w->text, "stopped watching ");
		if (w->o.port)
			buf_printf(&w->text, "port %d", w->o.port);
		else
			buf_printf(&w->text, "process %d", (int)w->o.pid);
		buf_printf(&w->text, " (%s)\n", w->stop);
	} else
		buf_printf(&w->text, "%s %s: watch stopped (%s) %s\n",
		    SEPARATOR, when, w->stop, SEPARATOR);
	logfile_end(&w->text);
	if (!w->o.json)
		write_out(w, &w->text);
	if (w->logfd != -1) {
		w->text.fd = w->logfd;
		if (buf_flush(&w->text) == -1)
			log_failed(w);
		else if (logfile_close(w->logfd) == -1) {
			warn("cannot write log file '%s'", w->o.log);
			w->rc = 1;
		}
		w->logfd = -1;
		w->text.fd = -1;
	}
	buf_reset(&w->text);
}

/* ---- terminal, signals, process exit ---- */

static struct termios *restore_tio;

static void
restore_terminal(void)
{
	if (restore_tio)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, restore_tio);
	restore_tio = NULL;
}

/* When stdin is our controlling terminal and we are in the foreground,
 * read single keys without echo (Ctrl-C still signals).  The settings are
 * restored at exit, however the program ends. */
static void
keys_begin(struct watch *w)
{
	struct termios raw;

	if (!isatty(STDIN_FILENO) || tcgetpgrp(STDIN_FILENO) != getpgrp() ||
	    tcgetattr(STDIN_FILENO, &w->saved_tio) == -1)
		return;
	raw = w->saved_tio;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	restore_tio = &w->saved_tio;
	atexit(restore_terminal);
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw) == -1) {
		restore_tio = NULL;
		return;
	}
	w->keys = 1;
}

/* Read what was typed; q, Q or a lone Esc stop the watch. */
static void
keys_read(struct watch *w)
{
	char k[16];
	ssize_t n = read(STDIN_FILENO, k, sizeof(k));

	if (n <= 0) {
		w->keys = 0;	/* the terminal went away: stop reading it */
		return;
	}
	if (n == 1 && k[0] == 0x1b) {
		w->stop = "Esc pressed";
		w->esc = 1;
	}
	else if (memchr(k, 'q', (size_t)n) || memchr(k, 'Q', (size_t)n))
		w->stop = "q pressed";
}

/* SIGINT, SIGTERM and SIGHUP arrive through a signalfd; they and every
 * thread the owner scan starts have them blocked. */
static int
signals_begin(void)
{
	int fd;

	if ((fd = sigfd_open(NULL, NULL)) == -1)
		err(1, "cannot set up signal handling");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

static void
signal_read(struct watch *w)
{
	struct signalfd_siginfo si;

	if (read(w->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
		return;
	w->stop = si.ssi_signo == SIGINT ? "Ctrl-C" :
	    si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGHUP";
}

/* The watched process has exited: one last check shows its sockets gone. */
static void
process_exited(struct watch *w)
{
	struct timespec now;
	char when[48], ts[48];
	long long before = w->changes;
	struct buf comm;

	check(w);
	now = real_now();
	if (w->o.portqry && !w->o.json) {
		/* the table showed the sockets gone; the stop line says why */
		w->stop = "the process exited";
		return;
	}
	if (w->changes == before) {
		fmt_time(when, sizeof(when), &now, 1);
		buf_printf(&w->text, "%s %s: process exited %s\n", SEPARATOR, when, SEPARATOR);
	}
	fmt_time(when, sizeof(when), &now, 0);
	buf_init(&comm);
	text_sanitize(&comm, w->comm, strlen(w->comm), 0);
	buf_printf(&w->text, "%s  EXIT   process %d (%s) exited\n", when, (int)w->o.pid,
	    buf_str(&comm));
	buf_release(&comm);
	if (w->o.json) {
		fmt_ts(ts, sizeof(ts), &now);
		buf_putc(&w->json, '{');
		json_kstr(&w->json, "ts", ts);
		json_kstr(&w->json, "event", "exit");
		json_ku64(&w->json, "pid", (uint64_t)w->o.pid);
		json_kstr(&w->json, "comm", w->comm);
		buf_add(&w->json, "}\n", 2);
	}
	flush_check(w);
	w->stop = "the process exited";
}

/* Has the watched process exited?  For a kernel without pidfd_open. */
static int
pid_gone(pid_t pid)
{
	char path[32];

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	return kill(pid, 0) == -1 && errno == ESRCH ? 1 : access(path, F_OK) == -1;
}

/* ---- the command ---- */

/* ---- the event engine ---- */

static void
on_event(const struct port_event *e, void *arg)
{
	struct watch *w = arg;

	if (e->type == EV_LOST)
		warnx("%llu events lost (the ring buffer was full): the next check "
		    "shows what is there", (unsigned long long)e->count);
	else
		track_add(w->track, e);
	if (w->ev_due == 0) {
		w->ev_due = mono_ms() + EV_SETTLE_MS;
		if (w->ev_due < w->last_check + EV_CHECK_GAP_MS)
			w->ev_due = w->last_check + EV_CHECK_GAP_MS;
	}
}

/* Open the event engine for what w watches; where it cannot load, say why
 * in one line and go on with checks alone. */
static void
events_begin(struct watch *w)
{
	struct ev_options o;
	struct ev_filter f;
	char why[256];

	if (w->o.poll_only)
		return;
	ev_filter_init(&f);
	f.port = w->o.port;
	f.pid = w->o.pid;
	memset(&o, 0, sizeof(o));
	o.backend = EV_BACKEND_BPF;
	o.no_existing = 1;	/* the first check showed them */
	if ((w->ev = ev_open(&f, &o, why, sizeof(why))) == NULL) {
		warnx("event mode unavailable (%s): checking every %.3g seconds; what "
		    "lives between two checks is not seen", why,
		    (double)w->o.interval_ms / 1000);
		return;
	}
	w->track = track_new();
}

static void
events_read(struct watch *w)
{
	char why[256];

	if (ev_read(w->ev, on_event, w, why, sizeof(why)) == -1) {
		warnx("%s: checking every interval only from now on", why);
		ev_close(w->ev);
		w->ev = NULL;
	}
}

/* Wait for the next check's time (or, returning 1, one that events call
 * for), a signal, a key, or the process's exit. */
static int
wait_next(struct watch *w, long long deadline)
{
	struct pollfd pf[4];
	long long left, now;
	int n, r, t, evi;

	while (!w->stop) {
		now = mono_ms();
		if (w->ev_due && w->ev_due <= now)
			return 1;
		if ((left = deadline - now) <= 0)
			break;
		if (w->ev_due && w->ev_due - now < left)
			left = w->ev_due - now;
		n = 0;
		pf[n].fd = w->sigfd;
		pf[n++].events = POLLIN;
		evi = -1;
		if (w->ev) {
			t = ev_timeout_ms(w->ev);
			if (t >= 0 && t < left)
				left = t;
			evi = n;
			pf[n].fd = ev_fd(w->ev);
			pf[n++].events = POLLIN;
		}
		if (w->pidfd != -1) {
			pf[n].fd = w->pidfd;
			pf[n++].events = POLLIN;
		}
		if (w->keys) {
			pf[n].fd = STDIN_FILENO;
			pf[n++].events = POLLIN;
		}
		if ((r = poll(pf, (nfds_t)n, (int)left)) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (evi != -1)	/* readable, or its time to look (loss) */
			events_read(w);
		if (r == 0)
			continue;
		if (pf[0].revents)
			signal_read(w);
		for (r = 1; r < n; r++) {
			if (pf[r].revents == 0 || r == evi)
				continue;
			if (pf[r].fd == w->pidfd)
				process_exited(w);
			else
				keys_read(w);
		}
	}
	if (!w->stop && w->o.pid && w->pidfd == -1 && pid_gone(w->o.pid))
		process_exited(w);
	return 0;
}

int
cmd_watch(int argc, char **argv)
{
	struct watch w;
	struct proc_info pi;
	char errbuf[256];
	long long next;
	int by_event = 0;

	memset(&w, 0, sizeof(w));
	w.logfd = w.pidfd = -1;
	watch_parse(argc, argv, &w.o);

	if (w.o.pid) {
		w.pidfd = (int)syscall(SYS_pidfd_open, w.o.pid, 0);
		if (w.pidfd == -1 && errno != ENOSYS)
			errx(2, "no process with pid %d", (int)w.o.pid);
		if (w.pidfd == -1 && pid_gone(w.o.pid))
			errx(2, "no process with pid %d", (int)w.o.pid);
		if (proc_check_fds(w.o.pid, errbuf, sizeof(errbuf)) == -1)
			errx(2, "%s", errbuf);
		if (proc_read_pid(w.o.pid, 0, PROC_BASIC, &pi) == -1)
			errx(2, "no process with pid %d", (int)w.o.pid);
		/* its sockets, not those of a process given its pid later */
		w.o.filter.pid_start_ticks = pi.start_ticks;
		snprintf(w.comm, sizeof(w.comm), "%s", pi.comm);
		proc_info_release(&pi);
	}
	if (w.o.tick_cpu && (w.tick_cpu = fopen(w.o.tick_cpu, "we")) == NULL)
		err(2, "cannot open '%s'", w.o.tick_cpu);
	if (w.o.log && (w.logfd = logfile_open(w.o.log, w.o.overwrite, errbuf,
	    sizeof(errbuf))) == -1)
		errx(2, "%s", errbuf);

	if (w.o.filter.backend == &owner_cache)
		owner_cache_init(w.o.owners);
	buf_init(&w.text);
	buf_init(&w.json);
	w.out_ok = 1;
	w.sigfd = signals_begin();
	keys_begin(&w);
	log_header(&w);
	if (w.o.json) {
		/* the header belongs to the log only */
		if (w.logfd != -1) {
			w.text.fd = w.logfd;
			if (buf_flush(&w.text) == -1)
				log_failed(&w);
			w.text.fd = -1;
		}
		buf_reset(&w.text);
	}

	next = mono_ms();
	while (!w.stop) {
		if (check(&w) == -1) {
			w.stop = "cannot take a snapshot";
			w.rc = 1;
			break;
		}
		if (w.checks == 1)
			events_begin(&w);
		if (w.o.count && w.checks >= w.o.count) {
			w.stop = "all checks done";
			break;
		}
		if (!by_event) {
			next += w.o.interval_ms;
			if (next < mono_ms())	/* a check overran: skip the missed ones */
				next = mono_ms() + w.o.interval_ms;
		}
		by_event = wait_next(&w, next);
	}

	log_end(&w);
	restore_terminal();
	ev_close(w.ev);
	track_free(w.track);
	if (w.have_prev)
		snapshot_release(&w.prev);
	owner_cache_release();
	if (w.tick_cpu)
		fclose(w.tick_cpu);
	if (w.pidfd != -1)
		close(w.pidfd);
	close(w.sigfd);
	buf_release(&w.text);
	buf_release(&w.json);
	VEC_FREE(&w.seen);
	return w.rc;
}
