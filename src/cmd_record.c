/*
 * portscope record: Port Reporter for Linux.  A foreground service that
 * takes a baseline of every socket with its owners, then records every
 * port event with its process (details and modules the first time each
 * process is seen) into the record database (src/store/), and optionally
 * streams each event as JSON Lines and RFC 5424 syslog messages.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "util/cli.h"
#include "util/sigfd.h"
#include "util/strtonum.h"

#define RECORD_DB_DIR		"/var/lib/portscope"
#define RECORD_DB_DEFAULT	RECORD_DB_DIR "/record.db"

static const char record_usage[] =
    "usage: portscope record [--db PATH] [--jsonl FILE|-] [--syslog] [--retain DAYS]\n"
    "                        [--max-size MB] [--flush-interval S] [--all-netns] [--poll]\n"
    "\n"
    "Record every port use (a baseline of every socket and its owners at start,\n"
    "then every bind, listen, connect, accept, state change, close and UDP flow)\n"
    "with process, user and module context into a SQLite database.  Runs in the\n"
    "foreground (a systemd Type=notify service); SIGTERM or Ctrl-C stop it, SIGHUP\n"
    "reopens the --jsonl file.  The database schema is in portscope(1).\n"
    "\n"
    "      --db PATH           the database (default " RECORD_DB_DEFAULT ")\n"
    "      --jsonl FILE|-      also write each event as one JSON object per line\n"
    "                          (the schema of events --json) to FILE, or stdout\n"
    "      --syslog            also send each event to the local syslog socket as an\n"
    "                          RFC 5424 message with structured data\n"
    "      --syslog-socket P   the syslog socket (default /dev/log); implies --syslog\n"
    "      --retain DAYS       delete what is older than DAYS days (1-36500)\n"
    "      --max-size MB       keep the database under MB megabytes (1-1048576),\n"
    "                          deleting the oldest data first\n"
    "      --flush-interval S  seconds between commits, 0.05-60 (default 1): what is\n"
    "                          older survives a crash\n"
    "      --no-aggregate      store every connection and UDP flow in full; by default\n"
    "                          repeats in the same minute (same process, remote\n"
    "                          address and port) are counted in one interval\n"
    "      --all-netns         every network namespace (containers), not only this\n"
    "                          one (BPF only; the baseline is this namespace's)\n"
    "      --poll              use the polling event source even where BPF loads\n"
    "      --poll-interval S   seconds between polls, 0.05-60 (default 1)\n";

#ifndef HAVE_SQLITE

int
cmd_record(int argc, char **argv)
{
	(void)argc;
	if (argv[1] && strcmp(argv[1], "--help") == 0) {
		fputs(record_usage, stdout);
		return 0;
	}
	warnx("record is not available: this portscope was built without SQLite "
	    "(install libsqlite3-dev and rebuild)");
	return 1;
}

#else

#include "events/cgroup.h"
#include "events/events.h"
#include "host/proc_cache.h"
#include "output/portevent.h"
#include "output/syslog.h"
#include "store/store.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/sdnotify.h"

#define RETAIN_CHECK_NS		(600ULL * NSEC_PER_SEC)
#define SIZE_CHECK_NS		(10ULL * NSEC_PER_SEC)
#define STATUS_NS		(10ULL * NSEC_PER_SEC)
#define DROP_LOG_NS		(10ULL * NSEC_PER_SEC)
#define NSEC_PER_DAY		(86400ULL * NSEC_PER_SEC)

struct record_opts {
	const char	*db;
	const char	*jsonl;		/* NULL, "-" or a path */
	int		 syslog;
	const char	*syslog_socket;
	long long	 retain_days;	/* 0: keep everything */
	long long	 max_size_mb;	/* 0: no limit */
	long long	 flush_ms;
	long long	 poll_ms;
	int		 poll;
	int		 no_aggregate;
	int		 all_netns;
};

struct recorder {
	struct record_opts	 o;
	struct store		*store;
	struct ev_source	*src;
	struct proc_cache	 procs;
	struct buf		 jsonl;
	int			 jsonl_fd;	/* -1 without --jsonl */
	int			 jsonl_errno;	/* last write error, logged once */
	uint64_t		 jsonl_lost;	/* lines not (wholly) written */
	struct syslog_out	 syslog;
	int			 have_syslog;
	uint64_t		 syslog_logged;	/* drops already said */
	int			 sigfd;
	int			 running;	/* the run has begun in the database */
	uint64_t		 baseline;	/* EV_EXISTING events */
	int			 baseline_said;
	uint64_t		 lost;		/* EV_LOST counts */
	uint64_t		 lost_logged, next_lost_log;
	int			 failing;	/* the last commit failed */
	char			 failure[512];
	uint64_t		 drops_logged;
	uint64_t		 next_flush, next_retain, next_size, next_status, next_drop_log;
};

static void
record_parse(int argc, char **argv, struct record_opts *o)
{
	enum { O_DB = 256, O_JSONL, O_SYSLOG, O_SYSLOG_SOCKET, O_RETAIN, O_MAX_SIZE,
	    O_FLUSH, O_POLL, O_POLL_INTERVAL, O_NO_AGGREGATE, O_ALL_NETNS };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "jsonl", required_argument, NULL, O_JSONL },
		{ "syslog", no_argument, NULL, O_SYSLOG },
		{ "syslog-socket", required_argument, NULL, O_SYSLOG_SOCKET },
		{ "retain", required_argument, NULL, O_RETAIN },
		{ "max-size", required_argument, NULL, O_MAX_SIZE },
		{ "flush-interval", required_argument, NULL, O_FLUSH },
		{ "poll", no_argument, NULL, O_POLL },
		{ "poll-interval", required_argument, NULL, O_POLL_INTERVAL },
		{ "no-aggregate", no_argument, NULL, O_NO_AGGREGATE },
		{ "all-netns", no_argument, NULL, O_ALL_NETNS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli cli = { .cmd = "record" };
	const char *db = NULL, *retain = NULL, *max_size = NULL, *flush = NULL,
	    *poll_interval = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	o->db = RECORD_DB_DEFAULT;
	o->flush_ms = 1000;
	o->poll_ms = 1000;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_DB:
			cli_once(&cli, &db, "--db", optarg);
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "--db needs a path");
			o->db = optarg;
			break;
		case O_JSONL:
			cli_once(&cli, &o->jsonl, "--jsonl", optarg);
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "--jsonl needs a file name or '-'");
			break;
		case O_SYSLOG:
			o->syslog = 1;
			break;
		case O_SYSLOG_SOCKET:
			cli_once(&cli, &o->syslog_socket, "--syslog-socket", optarg);
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "--syslog-socket needs a path");
			o->syslog = 1;
			break;
		case O_RETAIN:
			cli_once(&cli, &retain, "--retain", optarg);
			o->retain_days = cli_num(&cli, "retain", "days", optarg, 1, 36500);
			break;
		case O_MAX_SIZE:
			cli_once(&cli, &max_size, "--max-size", optarg);
			o->max_size_mb = cli_num(&cli, "max-size", "MB", optarg, 1, 1048576);
			break;
		case O_FLUSH:
			cli_once(&cli, &flush, "--flush-interval", optarg);
			o->flush_ms = cli_seconds(&cli, "flush-interval", optarg, 50, 60000);
			break;
		case O_POLL:
			o->poll = 1;
			break;
		case O_POLL_INTERVAL:
			cli_once(&cli, &poll_interval, "--poll-interval", optarg);
			o->poll_ms = cli_seconds(&cli, "poll-interval", optarg, 50, 60000);
			break;
		case O_NO_AGGREGATE:
			o->no_aggregate = 1;
			break;
		case O_ALL_NETNS:
			o->all_netns = 1;
			break;
		case 'h':
			fputs(record_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
}

/* A status line on stderr (the journal under systemd). */
static void
say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
}

static const char *
utc(uint64_t ns, char *out, size_t len)
{
	time_t t = (time_t)(ns / NSEC_PER_SEC);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%S UTC", &tm);
	return out;
}

static int
jsonl_open(struct recorder *r)
{
	int fd;

	if (strcmp(r->o.jsonl, "-") == 0)
		fd = STDOUT_FILENO;
	else if ((fd = open(r->o.jsonl, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640)) == -1)
		return -1;
	r->jsonl_fd = fd;
	buf_init_fd(&r->jsonl, fd);
	return 0;
}

/* Write what the JSON Lines buffer holds; a failure is said once. */
static void
jsonl_flush(struct recorder *r)
{
	const char *p, *end = r->jsonl.data + r->jsonl.len;
	uint64_t lines = 0;

	if (r->jsonl_fd < 0 || r->jsonl.len == 0)
		return;
	for (p = r->jsonl.data; (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
		lines++;
	if (buf_flush(&r->jsonl) == -1) {
		r->jsonl_lost += lines;	/* a part may have been written */
		if (r->jsonl_errno != errno)
			say("cannot write '%s': %s (JSON Lines are lost until it works again)",
			    r->o.jsonl, strerror(errno));
		r->jsonl_errno = errno;
	} else if (r->jsonl_errno) {
		say("writing '%s' again", r->o.jsonl);
		r->jsonl_errno = 0;
	}
}

/* SIGHUP: reopen the JSON Lines file (after logrotate moved it). */
static void
jsonl_reopen(struct recorder *r)
{
	if (r->o.jsonl == NULL || strcmp(r->o.jsonl, "-") == 0)
		return;
	if (r->jsonl_fd >= 0) {
		jsonl_flush(r);
		buf_release(&r->jsonl);
		close(r->jsonl_fd);
		r->jsonl_fd = -1;
	}
	if (jsonl_open(r) == -1) {
		say("cannot reopen '%s': %s; JSON Lines are off", r->o.jsonl, strerror(errno));
		return;
	}
	say("reopened '%s'", r->o.jsonl);
}

/* A process gone before /proc could be read: its unit or container from
 * the cgroup the event names, while that cgroup is still there. */
static void
unit_from_cgroup(struct proc_info *p, uint64_t cgroup_id)
{
	char path[4096];

	if (p->unit == NULL && p->container == NULL &&
	    cgroup_path(cgroup_id, path, sizeof(path)) == 0)
		proc_cgroup_parse(path, &p->unit, &p->container);
}

static void
on_event(const struct port_event *e, void *arg)
{
	struct recorder *r = arg;
	struct proc_entry *pe = NULL;
	uint64_t process_id = 0;
	int fresh;

	if (e->pid != 0 && !(e->flags & EVF_NO_OWNER)) {
		pe = proc_cache_get(&r->procs, (pid_t)e->pid, e->comm, e->uid,
		    clock_mono_ns(), &fresh);
		if (fresh) {
			if (pe->info.exited)
				unit_from_cgroup(&pe->info, e->cgroup_id);
			pe->tag = store_process(r->store, &pe->info, e->ts_ns);
			proc_entry_drop_modules(pe);
		}
		process_id = pe->tag;
	}
	store_event(r->store, e, process_id);
	if (e->type == EV_EXISTING)
		r->baseline++;
	if (e->type == EV_LOST)
		r->lost += e->count;	/* said by flush(), at most every 10 s */
	if (r->jsonl_fd >= 0) {
		portevent_json(&r->jsonl, e, pe ? &pe->info : NULL);
		buf_putc(&r->jsonl, '\n');
		if (r->jsonl.len >= BUF_FLUSH_AT)
			jsonl_flush(r);
	}
	if (r->have_syslog)
		syslog_send(&r->syslog, e, pe ? &pe->info : NULL);
}

static void
say_pruned(const struct store_pruned *p, const char *why)
{
	char when[40];

	say("pruned %llu events, %llu intervals, %llu processes and %llu runs older "
	    "than %s (%s); the database went from %.1f to %.1f MB",
	    (unsigned long long)p->events, (unsigned long long)p->intervals,
	    (unsigned long long)p->processes, (unsigned long long)p->runs,
	    utc(p->before_ns, when, sizeof(when)), why,
	    (double)p->bytes_before / 1e6, (double)p->bytes_after / 1e6);
}

/* --retain and --max-size, when due. */
static void
prune(struct recorder *r, uint64_t mono)
{
	struct store_pruned p;
	char err[512], why[64];

	if (r->o.retain_days && mono >= r->next_retain) {
		r->next_retain = mono + RETAIN_CHECK_NS;
		if (store_prune_age(r->store, clock_real_ns() -
		    (uint64_t)r->o.retain_days * NSEC_PER_DAY, &p, err, sizeof(err)) == -1)
			say("%s", err);
		else if (p.events || p.intervals || p.processes || p.runs) {
			snprintf(why, sizeof(why), "--retain %lld", r->o.retain_days);
			say_pruned(&p, why);
		}
	}
	if (r->o.max_size_mb && mono >= r->next_size) {
		r->next_size = mono + SIZE_CHECK_NS;
		if (store_size(r->store) <= (uint64_t)r->o.max_size_mb * 1000000)
			return;
		if (store_prune_size(r->store, (uint64_t)r->o.max_size_mb * 1000000, &p,
		    err, sizeof(err)) == -1)
			say("%s", err);
		else if (p.events || p.intervals) {
			snprintf(why, sizeof(why), "--max-size %lld", r->o.max_size_mb);
			say_pruned(&p, why);
		}
		if (p.bytes_after > (uint64_t)r->o.max_size_mb * 1000000)
			say("the database is %.1f MB, over --max-size %lld, with nothing "
			    "older left to delete", (double)p.bytes_after / 1e6, r->o.max_size_mb);
	}
}

static void
status(struct recorder *r)
{
	struct store_stats st;
	char msg[256];

	store_get_stats(r->store, &st);
	snprintf(msg, sizeof(msg), "STATUS=recording (%s): %llu events stored, %llu "
	    "aggregated, %llu processes, %llu sockets open, %llu lost, %llu dropped",
	    ev_backend_name(r->src), (unsigned long long)st.events,
	    (unsigned long long)st.aggregated, (unsigned long long)st.processes,
	    (unsigned long long)st.open_sockets, (unsigned long long)r->lost,
	    (unsigned long long)st.dropped);
	sdnotify(msg);
}

/* Commit what is queued; say when writing starts or stops failing and what
 * was dropped. */
static void
flush(struct recorder *r, uint64_t mono)
{
	struct store_stats st;
	char err[512];
	uint64_t queued;

	store_get_stats(r->store, &st);
	queued = st.pending;
	if (store_flush(r->store, clock_real_ns(), err, sizeof(err)) == -1) {
		if (!r->failing || strcmp(err, r->failure) != 0)
			say("cannot write '%s': %s; events wait in memory (at most %d) "
			    "until it works again", r->o.db, err, STORE_MAX_PENDING);
		r->failing = 1;
		snprintf(r->failure, sizeof(r->failure), "%s", err);
	} else if (r->failing) {
		r->failing = 0;
		say("writing '%s' again: the %llu events that waited are stored",
		    r->o.db, (unsigned long long)queued);
	}
	store_get_stats(r->store, &st);
	if (st.dropped > r->drops_logged && mono >= r->next_drop_log) {
		say("dropped %llu events (at most %d wait in memory while the database "
		    "cannot be written); %llu in all",
		    (unsigned long long)(st.dropped - r->drops_logged), STORE_MAX_PENDING,
		    (unsigned long long)st.dropped);
		r->drops_logged = st.dropped;
		r->next_drop_log = mono + DROP_LOG_NS;
	}
	if (r->lost > r->lost_logged && mono >= r->next_lost_log) {
		say("lost %llu events (the kernel's buffer was full); %llu in all",
		    (unsigned long long)(r->lost - r->lost_logged), (unsigned long long)r->lost);
		r->lost_logged = r->lost;
		r->next_lost_log = mono + DROP_LOG_NS;
	}
	if (r->have_syslog && r->syslog.dropped > r->syslog_logged &&
	    mono >= r->next_drop_log) {
		say("syslog: %llu messages not sent (%s)",
		    (unsigned long long)(r->syslog.dropped - r->syslog_logged),
		    strerror(r->syslog.last_errno ? r->syslog.last_errno : EAGAIN));
		r->syslog_logged = r->syslog.dropped;
		r->next_drop_log = mono + DROP_LOG_NS;
	}
	if (!r->baseline_said && !r->failing) {
		r->baseline_said = 1;
		say("baseline: %llu sockets with their owners recorded",
		    (unsigned long long)r->baseline);
	}
	jsonl_flush(r);
}

static int
setup(struct recorder *r)
{
	struct store_run_info ri = { .version = PORTSCOPE_VERSION };
	struct ev_filter filter;
	struct ev_options eo;
	char err[512];

	if (strcmp(r->o.db, RECORD_DB_DEFAULT) == 0 && mkdir(RECORD_DB_DIR, 0750) == -1 &&
	    errno != EEXIST) {
		warnx("cannot create '%s': %s", RECORD_DB_DIR, strerror(errno));
		return -1;
	}
	if ((r->store = store_open(r->o.db, err, sizeof(err))) == NULL) {
		warnx("%s", err);
		return -1;
	}
	if (r->o.jsonl && jsonl_open(r) == -1) {
		warnx("cannot open '%s': %s", r->o.jsonl, strerror(errno));
		return -1;
	}
	if (r->o.syslog) {
		if (syslog_open(&r->syslog, r->o.syslog_socket, err, sizeof(err)) == -1) {
			warnx("%s", err);
			return -1;
		}
		r->have_syslog = 1;
	}
	signal(SIGPIPE, SIG_IGN);
	if ((r->sigfd = sigfd_open(NULL, NULL)) == -1) {
		warnx("signalfd: %s", strerror(errno));
		return -1;
	}

	ev_filter_init(&filter);
	filter.all_netns = r->o.all_netns;
	memset(&eo, 0, sizeof(eo));
	eo.backend = r->o.poll ? EV_BACKEND_POLL : EV_BACKEND_AUTO;
	eo.poll_interval_ns = (uint64_t)r->o.poll_ms * NSEC_PER_MSEC;
	if ((r->src = ev_open(&filter, &eo, err, sizeof(err))) == NULL) {
		warnx("cannot watch port events: %s", err);
		return -1;
	}
	if (ev_fallback_reason(r->src))
		say("event source: %s (BPF not used: %s)", ev_backend_name(r->src),
		    ev_fallback_reason(r->src));
	ri.backend = ev_backend_name(r->src);
	ri.fallback = ev_fallback_reason(r->src);
	ri.aggregate = !r->o.no_aggregate;
	if (store_run_begin(r->store, clock_real_ns(), &ri, err, sizeof(err)) == -1) {
		warnx("'%s': %s", r->o.db, err);
		return -1;
	}
	r->running = 1;
	return 0;
}

static int
run(struct recorder *r)
{
	struct signalfd_siginfo si;
	struct pollfd pfd[2];
	uint64_t mono;
	char err[512];
	int timeout, evt, rc = 0;

	mono = clock_mono_ns();
	r->next_flush = mono + (uint64_t)r->o.flush_ms * NSEC_PER_MSEC;
	prune(r, mono);
	say("recording into '%s' (events: %s, commits every %lld ms)", r->o.db,
	    ev_backend_name(r->src), r->o.flush_ms);
	sdnotify("READY=1");
	status(r);
	r->next_status = mono + STATUS_NS;

	for (;;) {
		mono = clock_mono_ns();
		timeout = mono >= r->next_flush ? 0 :
		    (int)((r->next_flush - mono + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		evt = ev_timeout_ms(r->src);
		if (evt >= 0 && evt < timeout)
			timeout = evt;
		pfd[0] = (struct pollfd){ .fd = ev_fd(r->src), .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = r->sigfd, .events = POLLIN };
		if (poll(pfd, 2, timeout) == -1 && errno != EINTR) {
			warnx("poll: %s", strerror(errno));
			rc = 1;
			break;
		}
		if (pfd[1].revents & POLLIN &&
		    read(r->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
			if (si.ssi_signo == SIGHUP)
				jsonl_reopen(r);
			else {
				say("stopping (%s)", strsignal((int)si.ssi_signo));
				break;
			}
		}
		if (ev_read(r->src, on_event, r, err, sizeof(err)) == -1) {
			warnx("reading port events: %s", err);
			rc = 1;
			break;
		}
		mono = clock_mono_ns();
		if (mono >= r->next_flush) {
			flush(r, mono);
			r->next_flush = mono + (uint64_t)r->o.flush_ms * NSEC_PER_MSEC;
			proc_cache_sweep(&r->procs, mono);
			prune(r, mono);
		}
		if (mono >= r->next_status) {
			status(r);
			r->next_status = mono + STATUS_NS;
		}
	}
	return rc;
}

/* ", N JSON lines and M syslog messages not written", or "". */
static const char *
outputs_lost(const struct recorder *r, char *out, size_t len)
{
	uint64_t sl = r->have_syslog ? r->syslog.dropped : 0;

	out[0] = '\0';
	if (r->jsonl_lost || sl)
		snprintf(out, len, "; not written: %llu JSON lines, %llu syslog messages",
		    (unsigned long long)r->jsonl_lost, (unsigned long long)sl);
	return out;
}

static int
finish(struct recorder *r, int rc)
{
	struct store_stats st;
	char err[512], more[128];

	sdnotify("STOPPING=1");
	if (r->src) {
		/* what the source still holds */
		if (r->running)
			ev_read(r->src, on_event, r, err, sizeof(err));
		ev_close(r->src);
	}
	if (r->jsonl_fd >= 0)
		jsonl_flush(r);
	if (r->store) {
		if (r->running && store_run_end(r->store, clock_real_ns(), err,
		    sizeof(err)) == -1) {
			warnx("cannot write '%s' at the end: %s; what was queued is lost",
			    r->o.db, err);
			rc = 1;
		}
		store_get_stats(r->store, &st);
		if (r->running)
			say("stopped: %llu events stored, %llu aggregated, %llu processes, "
			    "%llu lost, %llu dropped%s", (unsigned long long)st.events,
			    (unsigned long long)st.aggregated, (unsigned long long)st.processes,
			    (unsigned long long)r->lost, (unsigned long long)st.dropped,
			    outputs_lost(r, more, sizeof(more)));
		store_close(r->store);
	}
	if (r->jsonl_fd >= 0) {
		buf_release(&r->jsonl);
		if (r->jsonl_fd != STDOUT_FILENO)
			close(r->jsonl_fd);
	}
	if (r->have_syslog)
		syslog_close(&r->syslog);
	proc_cache_release(&r->procs);
	if (r->sigfd >= 0)
		close(r->sigfd);
	return rc;
}

int
cmd_record(int argc, char **argv)
{
	struct recorder r;

	memset(&r, 0, sizeof(r));
	r.jsonl_fd = -1;
	r.sigfd = -1;
	record_parse(argc, argv, &r.o);
	if (setup(&r) == -1)
		return finish(&r, 1);
	return finish(&r, run(&r));
}

#endif
