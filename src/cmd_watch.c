/*
 * portscope watch: one port or one process, polled every interval; the
 * first check prints what is there, later checks print only what changed
 * (PortQry's -wport / -wpid / -wt, with its -l log).
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
#include "host/owner_cache.h"
#include "host/snapshot.h"
#include "output/json.h"
#include "output/event.h"
#include "output/logfile.h"
#include "output/text.h"
#include "util/strtonum.h"
#include "util/xmalloc.h"

#define INTERVAL_MIN_MS		50
#define INTERVAL_MAX_MS		1200000
#define INTERVAL_DEFAULT_MS	60000
#define SEPARATOR		"========"
#define TCPF_BOUND_INACTIVE	(1u << 13)	/* TCP_BOUND_INACTIVE, not in older headers */

struct watch_opts {
	struct snap_filter	 filter;
	int			 port;		/* 0: a pid watch */
	pid_t			 pid;		/* 0: a port watch */
	long long		 interval_ms;
	long long		 count;		/* checks before stopping; 0: no limit */
	int			 verbose;
	int			 json;
	int			 portqry;	/* came from -wport/-wpid: -wt is whole seconds */
	const char		*log;
	int			 overwrite;
	int			 no_cache;	/* look every owner up at every check */
	const struct owner_backend *owners;	/* --owners; NULL: the default */
	const char		*tick_cpu;	/* hidden: CPU seconds of each check to this file */
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
	pid_t			*seen;		/* pids whose modules were shown (-v), sorted */
	size_t			 nseen, seen_cap;
	char			 comm[17];	/* a pid watch's process name */
	FILE			*tick_cpu;
	long long		 checks;
	long long		 changes;	/* events printed after the first check */
	const char		*stop;		/* why the watch stopped; NULL while running */
	int			 rc;
};

static const char watch_usage[] =
    "usage: portscope watch --port N [--interval S] [-v] [--json] [-l FILE [-y]]\n"
    "       portscope watch --pid PID [--interval S] [-v] [--json] [-l FILE [-y]]\n"
    "       portscope -wport N [-wt S] [-v] [-l FILE [-y]]\n"
    "       portscope -wpid PID [-wt S] [-v] [-l FILE [-y]]\n"
    "\n"
    "Watch one port (TCP and UDP, IPv4 and IPv6, as local or remote port) or\n"
    "every socket of one process; print the sockets there now, then only what\n"
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
    "  -l FILE           also write a PortQry-style log to FILE; -y overwrites it\n"
    "      --count N     stop after N checks (the first included)\n"
    "      --owners SRC  where owners come from: bpf (the default as root when it\n"
    "                    loads) or procfs (/proc/PID/fd)\n"
    "      --no-cache    a port watch remembers which process held which socket\n"
    "                    and only confirms those descriptors while nothing new\n"
    "                    appears; this looks every owner up at every check\n";

/* Parse argv into o; exits 2 with one line on a usage error. */
static void
watch_parse(int argc, char **argv, struct watch_opts *o)
{
	enum { O_PORT = 256, O_PID, O_INTERVAL, O_JSON, O_COUNT, O_OWNERS,
	    O_NO_CACHE, O_PORTQRY, O_TICK_CPU };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, O_PORT },
		{ "pid", required_argument, NULL, O_PID },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, O_JSON },
		{ "count", required_argument, NULL, O_COUNT },
		{ "owners", required_argument, NULL, O_OWNERS },
		{ "no-cache", no_argument, NULL, O_NO_CACHE },
		{ "portqry", no_argument, NULL, O_PORTQRY },
		{ "tick-cpu", required_argument, NULL, O_TICK_CPU },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *errstr, *interval = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	snap_filter_init(&o->filter);
	o->interval_ms = INTERVAL_DEFAULT_MS;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":vl:yh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_PORT:
			o->port = (int)strtonum(optarg, 1, 65535, &errstr);
			if (errstr)
				errx(2, "port '%s' is %s: give 1-65535", optarg, errstr);
			break;
		case O_PID:
			o->pid = (pid_t)strtonum(optarg, 1, 4194304, &errstr);
			if (errstr)
				errx(2, "pid '%s' is %s: give 1-4194304", optarg, errstr);
			break;
		case O_INTERVAL:
			interval = optarg;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_COUNT:
			o->count = strtonum(optarg, 1, 1000000000, &errstr);
			if (errstr)
				errx(2, "count '%s' is %s: give 1-1000000000", optarg, errstr);
			break;
		case O_OWNERS:
			if ((o->owners = owner_backend_find(optarg)) == NULL)
				errx(2, "unknown owner source '%s': give bpf or procfs", optarg);
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
		case 'l':
			o->log = optarg;
			break;
		case 'y':
			o->overwrite = 1;
			break;
		case 'h':
			fputs(watch_usage, stdout);
			exit(0);
		case ':':
			errx(2, "option '%s' needs a value; see 'portscope help watch'",
			    argv[optind - 1]);
		default:
			errx(2, "unknown option '%s'; see 'portscope help watch'",
			    argv[optind - 1]);
		}
	}
	if (optind < argc)
		errx(2, "unexpected argument '%s'; see 'portscope help watch'", argv[optind]);
	if (o->port && o->pid)
		errx(2, "watch one port or one pid, not both");
	if (!o->port && !o->pid)
		errx(2, "watch needs --port N or --pid PID; see 'portscope help watch'");
	if (interval && o->portqry) {
		o->interval_ms = 1000 * strtonum(interval, 1, 1200, &errstr);
		if (errstr)
			errx(2, "-wt '%s' is %s: give 1-1200 seconds", interval, errstr);
	} else if (interval && parse_seconds_ms(interval, INTERVAL_MIN_MS,
	    INTERVAL_MAX_MS, &o->interval_ms, &errstr) == -1)
		errx(2, "interval '%s' is %s: give 0.05-1200 seconds", interval, errstr);

	/* Every TCP state but "bound, inactive" (13, Linux 6.5+): asking for it
	 * makes the kernel walk the whole bind hash on every dump, which
	 * doubles the cost of a check on a busy host; a socket bound to the
	 * port shows up as soon as it listens or connects. */
	o->filter.tcp_states = ~TCPF_BOUND_INACTIVE;
	o->filter.port = o->port ? o->port : -1;
	o->filter.pid = o->pid;
	o->filter.details = PROC_BASIC | (o->verbose ? PROC_FULL : 0);
	/* A port watch remembers owners between checks (host/owner_cache.h);
	 * a pid watch reads that one process's descriptors anyway. */
	o->filter.backend = o->port && !o->no_cache ? &owner_cache : o->owners;
}

/* ---- time ---- */

static double
cpu_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long long
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
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

/* "60", "0.2", "1.25": an interval in seconds without trailing zeros. */
static void
fmt_interval(char *out, size_t len, long long ms)
{
	size_t n;

	snprintf(out, len, "%lld.%03lld", ms / 1000, ms % 1000);
	n = strlen(out);
	while (n > 0 && out[n - 1] == '0')
		out[--n] = '\0';
	if (n > 0 && out[n - 1] == '.')
		out[--n] = '\0';
}

/* ---- -v: modules of processes seen for the first time ---- */

/* Mark pid seen; returns 1 if it was not seen before. */
static int
seen_add(struct watch *w, pid_t pid)
{
	size_t lo = 0, hi = w->nseen, mid;

	while (lo < hi) {
		mid = (lo + hi) / 2;
		if (w->seen[mid] == pid)
			return 0;
		if (w->seen[mid] < pid)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (w->nseen == w->seen_cap) {
		w->seen_cap = w->seen_cap ? w->seen_cap * 2 : 16;
		w->seen = xreallocarray(w->seen, w->seen_cap, sizeof(*w->seen));
	}
	memmove(w->seen + lo + 1, w->seen + lo, (w->nseen - lo) * sizeof(*w->seen));
	w->seen[lo] = pid;
	w->nseen++;
	return 1;
}

/* With -v: for each owner of r not seen before, its details and modules as
 * an indented text block and, in JSON, a "processes" member. */
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
		if (!seen_add(w, (pid_t)ow->pid))
			continue;
		p = snapshot_proc(s, ow);
		memset(&mods, 0, sizeof(mods));
		proc_read_pid(p->pid, PROC_MODULES, &mods);
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

/* ---- one check ---- */

/* Format one change (or, on the first check, one present socket). */
static void
emit(struct watch *w, const struct timespec *now, const struct diff_event *e,
    const struct snapshot *cur, int initial)
{
	char when[48], ts[48];

	fmt_time(when, sizeof(when), now, 0);
	event_text(&w->text, when, e, &w->prev, cur, initial);
	if (w->o.json) {
		fmt_ts(ts, sizeof(ts), now);
		buf_putc(&w->json, '{');
		event_json(&w->json, ts, e, &w->prev, cur, initial, w->o.verbose);
	}
	if (e->kind != DIFF_GONE)
		first_seen(w, cur, e->after);
	if (w->o.json)
		buf_add(&w->json, "}\n", 2);
}

/* Write this check's text to stdout (unless --json) and the log, and its
 * JSON to stdout; both bufs are emptied.  A closed stdout stops the watch. */
static void
flush_check(struct watch *w)
{
	struct buf *out = w->o.json ? &w->json : &w->text;
	size_t off = 0;
	ssize_t n;

	while (off < out->len) {
		if ((n = write(STDOUT_FILENO, out->data + off, out->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EPIPE) {
				warn("cannot write output");
				w->rc = 1;
			}
			if (!w->stop)
				w->stop = "output closed";
			break;
		}
		off += (size_t)n;
	}
	if (w->logfd != -1) {
		w->text.fd = w->logfd;
		if (buf_flush(&w->text) == -1) {
			warn("cannot write log file '%s'", w->o.log);
			close(w->logfd);
			w->logfd = -1;
			w->rc = 1;
		}
		w->text.fd = -1;
	}
	buf_reset(&w->text);
	buf_reset(&w->json);
}

/* Take a snapshot, print the changes since the last one (everything, the
 * first time), keep it.  Returns 0, or -1 when no snapshot could be taken. */
static int
check(struct watch *w)
{
	struct snapshot cur;
	struct timespec now;
	struct diff d = { NULL, 0 };
	struct diff_event e;
	char errbuf[256], when[48];
	double cpu0 = cpu_seconds();
	size_t i, full0 = owner_cache_full_scans();

	if (snapshot_take(&cur, &w->o.filter, errbuf, sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	fmt_time(when, sizeof(when), &now, 1);
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
			emit(w, &now, &e, &cur, 1);
		}
	} else {
		diff_snapshots(&w->prev, &cur, &d);
		if (d.nevents > 0)
			buf_printf(&w->text, "%s %s: %zu change%s %s\n", SEPARATOR, when,
			    d.nevents, d.nevents == 1 ? "" : "s", SEPARATOR);
		for (i = 0; i < d.nevents; i++)
			emit(w, &now, &d.events[i], &cur, 0);
		w->changes += (long long)d.nevents;
		diff_release(&d);
	}
	flush_check(w);
	if (w->have_prev)
		snapshot_release(&w->prev);
	w->prev = cur;
	w->have_prev = 1;
	w->checks++;
	if (w->tick_cpu) {
		fprintf(w->tick_cpu, "%.6f %zu %s\n", cpu_seconds() - cpu0, cur.nsocks,
		    owner_cache_full_scans() > full0 ? "full" : "cached");
		fflush(w->tick_cpu);
	}
	return 0;
}

/* ---- the log ---- */

/* The command line as run, from /proc/self/cmdline ("portscope -wport 80"). */
static void
command_run(struct buf *b)
{
	char data[4096];
	ssize_t n, i;
	int fd;

	if ((fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC)) == -1)
		return;
	n = read(fd, data, sizeof(data));
	close(fd);
	for (i = 0; i < n; i++)
		if (data[i] == '\0')
			data[i] = i + 1 < n ? ' ' : '\0';
	if (n > 0 && data[n - 1] == ' ')
		n--;
	text_sanitize(b, data, n > 0 ? strnlen(data, (size_t)n) : 0, 0);
}

/* The PortQry-style header: tool and version, date, command, computer,
 * what is watched, the interval, and -v. */
static void
log_header(struct watch *w)
{
	char host[256], interval[32], date[64];
	time_t t = time(NULL);
	struct tm tm;

	if (gethostname(host, sizeof(host)) == -1)
		strcpy(host, "(unknown)");
	host[sizeof(host) - 1] = '\0';
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a %b %d %H:%M:%S %Y", &tm);
	fmt_interval(interval, sizeof(interval), w->o.interval_ms);
	if (w->logfd != -1)
		dprintf(w->logfd, "portscope version %s log file\n\n", PORTSCOPE_VERSION);
	if (!w->o.json)
		printf("portscope version %s\n\n", PORTSCOPE_VERSION);
	fflush(stdout);
	buf_printf(&w->text, "System Date: %s\n\nCommand run:\n ", date);
	command_run(&w->text);
	buf_puts(&w->text, "\n\nLocal computer name:\n\n ");
	text_sanitize(&w->text, host, strlen(host), 0);
	if (w->o.port)
		buf_printf(&w->text, "\n\nWatching port: %d\n\n", w->o.port);
	else
		buf_printf(&w->text, "\n\nWatching PID: %d (%s)\n\n", (int)w->o.pid, w->comm);
	buf_printf(&w->text, "Checking for changes every %s seconds\n\n", interval);
	if (w->o.verbose)
		buf_puts(&w->text, "verbose output requested\n\n");
}

/* The end line, after which the log is complete. */
static void
log_end(struct watch *w)
{
	struct timespec now;
	char when[48];

	clock_gettime(CLOCK_REALTIME, &now);
	fmt_time(when, sizeof(when), &now, 1);
	buf_printf(&w->text, "%s %s: watch stopped (%s) %s\n", SEPARATOR, when,
	    w->stop, SEPARATOR);
	buf_printf(&w->text, "portscope log ended\n");
	if (!w->o.json && write(STDOUT_FILENO, w->text.data, w->text.len) < 0 &&
	    errno != EPIPE) {
		warn("cannot write output");
		w->rc = 1;
	}
	if (w->logfd != -1) {
		w->text.fd = w->logfd;
		if (buf_flush(&w->text) == -1 || fsync(w->logfd) == -1) {
			if (errno != EINVAL && errno != EROFS) {
				warn("cannot write log file '%s'", w->o.log);
				w->rc = 1;
			}
		}
		if (close(w->logfd) == -1) {
			warn("cannot write log file '%s'", w->o.log);
			w->rc = 1;
		}
		w->logfd = -1;
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
	if (n == 1 && k[0] == 0x1b)
		w->stop = "Esc pressed";
	else if (memchr(k, 'q', (size_t)n) || memchr(k, 'Q', (size_t)n))
		w->stop = "q pressed";
}

/* SIGINT, SIGTERM and SIGHUP arrive through a signalfd; they and every
 * thread the owner scan starts have them blocked. */
static int
signals_begin(void)
{
	sigset_t set;
	int fd;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
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

	check(w);
	clock_gettime(CLOCK_REALTIME, &now);
	if (w->changes == before) {
		fmt_time(when, sizeof(when), &now, 1);
		buf_printf(&w->text, "%s %s: process exited %s\n", SEPARATOR, when, SEPARATOR);
	}
	fmt_time(when, sizeof(when), &now, 0);
	buf_printf(&w->text, "%s  EXIT   process %d (%s) exited\n", when, (int)w->o.pid,
	    w->comm);
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

/* Wait for the next check's time, a signal, a key, or the process's exit. */
static void
wait_next(struct watch *w, long long deadline)
{
	struct pollfd pf[3];
	long long left;
	int n, r;

	while (!w->stop && (left = deadline - mono_ms()) > 0) {
		n = 0;
		pf[n].fd = w->sigfd;
		pf[n++].events = POLLIN;
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
		if (r == 0)
			break;
		if (pf[0].revents)
			signal_read(w);
		for (r = 1; r < n; r++) {
			if (pf[r].revents == 0)
				continue;
			if (pf[r].fd == w->pidfd)
				process_exited(w);
			else
				keys_read(w);
		}
	}
	if (!w->stop && w->o.pid && w->pidfd == -1 && pid_gone(w->o.pid))
		process_exited(w);
}

int
cmd_watch(int argc, char **argv)
{
	struct watch w;
	struct proc_info pi;
	char errbuf[256];
	long long next;
	int fd;

	memset(&w, 0, sizeof(w));
	w.logfd = w.pidfd = -1;
	watch_parse(argc, argv, &w.o);

	if (w.o.pid) {
		w.pidfd = (int)syscall(SYS_pidfd_open, w.o.pid, 0);
		if (w.pidfd == -1 && errno != ENOSYS)
			errx(2, "no process with pid %d", (int)w.o.pid);
		if (w.pidfd == -1 && pid_gone(w.o.pid))
			errx(2, "no process with pid %d", (int)w.o.pid);
		memset(&pi, 0, sizeof(pi));
		if (proc_read_pid(w.o.pid, PROC_BASIC, &pi) == -1)
			errx(2, "no process with pid %d", (int)w.o.pid);
		snprintf(errbuf, sizeof(errbuf), "/proc/%d/fd", (int)w.o.pid);
		if ((fd = open(errbuf, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 &&
		    (errno == EACCES || errno == EPERM))
			errx(2, "cannot read the descriptors of pid %d: not permitted "
			    "(run as root)", (int)w.o.pid);
		if (fd != -1)
			close(fd);
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
	w.sigfd = signals_begin();
	keys_begin(&w);
	log_header(&w);
	if (w.o.json) {
		/* the header belongs to the log only */
		if (w.logfd != -1) {
			w.text.fd = w.logfd;
			buf_flush(&w.text);
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
		if (w.o.count && w.checks >= w.o.count) {
			w.stop = "all checks done";
			break;
		}
		next += w.o.interval_ms;
		if (next < mono_ms())	/* a check overran: skip the missed ones */
			next = mono_ms() + w.o.interval_ms;
		wait_next(&w, next);
	}

	log_end(&w);
	restore_terminal();
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
	free(w.seen);
	return w.rc;
}
