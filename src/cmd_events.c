/*
 * portscope events: every port use as it happens (bind, listen, connect,
 * accept, TCP state changes, close, UDP flows), with the process it
 * belongs to, from the event engine (events/events.h).
 */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "commands.h"
#include "events/cgroup.h"
#include "events/events.h"
#include "host/sockdiag.h"
#include "output/logfile.h"
#include "output/portevent.h"
#include "util/sigfd.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/cli.h"
#include "util/strtonum.h"

#define DURATION_MAX_MS		(100LL * 86400 * 1000)
#define INTERVAL_MIN_MS		50
#define INTERVAL_MAX_MS		1200000

struct events_opts {
	struct ev_filter	 filter;
	struct ev_options	 ev;
	const char		*unit;
	int			 json;
	long long		 duration_ms;	/* 0: until stopped */
	const char		*log;
	int			 overwrite;
};

struct events_run {
	struct events_opts	 o;
	struct buf		 out;		/* stdout: text or JSON Lines */
	struct buf		 text;		/* the log's text */
	int			 logfd;
	int			 stop;
	int			 rc;
};

static const char events_usage[] =
    "usage: portscope events [--port N] [--pid PID] [--comm NAME] [--unit NAME]\n"
    "                        [--tcp | --udp] [-4 | -6] [--json] [--duration S]\n"
    "                        [-l FILE [-y]] [--poll [--interval S]] [--all-netns]\n"
    "\n"
    "Print every port use as it happens, one line each: sockets there now (NOW),\n"
    "then BIND, LISTEN, CONNECT, ACCEPT, STATE (TCP), CLOSE and FLOW (the first\n"
    "UDP datagram from a socket to a destination), each with its process.  Uses\n"
    "eBPF programs (root); where they cannot load, says why and polls instead.\n"
    "\n"
    "      --port N      local or remote port N (1-65535)\n"
    "      --pid PID     process PID and its descendants\n"
    "      --comm NAME   processes called NAME (as in /proc/PID/comm)\n"
    "      --unit NAME   processes of systemd unit NAME (and below)\n"
    "      --tcp, --udp  one protocol only\n"
    "  -4, -6            one address family only\n"
    "      --json        JSON Lines: ts, event and the fields of local --json\n"
    "      --duration S  stop after S seconds (0.01 or more)\n"
    "  -l FILE           also write the text lines to FILE; -y overwrites it\n"
    "      --poll        poll snapshots instead of kernel events (misses what\n"
    "                    lives between two polls)\n"
    "      --interval S  seconds between polls, 0.05-1200; default 1\n"
    "      --all-netns   every network namespace, not only ours\n";

static void
events_parse(int argc, char **argv, struct events_opts *o)
{
	enum { O_PORT = 256, O_PID, O_COMM, O_UNIT, O_TCP, O_UDP, O_JSON,
	    O_DURATION, O_POLL, O_INTERVAL, O_ALL_NETNS };
	static const struct option longopts[] = {
		{ "port", required_argument, NULL, O_PORT },
		{ "pid", required_argument, NULL, O_PID },
		{ "comm", required_argument, NULL, O_COMM },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "tcp", no_argument, NULL, O_TCP },
		{ "udp", no_argument, NULL, O_UDP },
		{ "json", no_argument, NULL, O_JSON },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "poll", no_argument, NULL, O_POLL },
		{ "interval", required_argument, NULL, O_INTERVAL },
		{ "all-netns", no_argument, NULL, O_ALL_NETNS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli cli = { .cmd = "events" };
	const char *port = NULL, *pid = NULL, *duration = NULL,
	    *interval = NULL;
	char why[256];
	long long ms;
	int ch;

	memset(o, 0, sizeof(*o));
	ev_filter_init(&o->filter);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":46l:yh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_PORT:
			cli_once(&cli, &port, "--port", optarg);
			o->filter.port = cli_port(&cli, optarg);
			break;
		case O_PID:
			cli_once(&cli, &pid, "--pid", optarg);
			o->filter.pid = cli_pid(&cli, optarg);
			break;
		case O_COMM:
			cli_once(&cli, &o->filter.comm, "--comm", optarg);
			if (optarg[0] == '\0' || strchr(optarg, '/') || strlen(optarg) > 64)
				cli_usage_error(&cli, "bad process name '%s': give a name "
				    "as in /proc/PID/comm", optarg);
			break;
		case O_UNIT:
			cli_once(&cli, &o->unit, "--unit", optarg);
			break;
		case O_TCP:
			o->filter.protos |= SD_TCP;
			break;
		case O_UDP:
			o->filter.protos |= SD_UDP;
			break;
		case '4':
			o->filter.families |= SD_V4;
			break;
		case '6':
			o->filter.families |= SD_V6;
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_DURATION:
			cli_once(&cli, &duration, "--duration", optarg);
			o->duration_ms = cli_seconds(&cli, "duration", optarg, 10,
			    DURATION_MAX_MS);
			break;
		case O_POLL:
			o->ev.backend = EV_BACKEND_POLL;
			break;
		case O_INTERVAL:
			cli_once(&cli, &interval, "--interval", optarg);
			ms = cli_seconds(&cli, "interval", optarg, INTERVAL_MIN_MS,
			    INTERVAL_MAX_MS);
			o->ev.poll_interval_ns = (uint64_t)ms * NSEC_PER_MSEC;
			break;
		case O_ALL_NETNS:
			o->filter.all_netns = 1;
			break;
		case 'l':
			cli_once(&cli, &o->log, "-l", optarg);
			break;
		case 'y':
			o->overwrite = 1;
			break;
		case 'h':
			fputs(events_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
	cli_log_check(&cli, o->log, o->overwrite);
	if ((o->filter.protos & SD_TCP) && (o->filter.protos & SD_UDP))
		o->filter.protos = 0;
	if ((o->filter.families & SD_V4) && (o->filter.families & SD_V6))
		o->filter.families = 0;
	if (o->filter.pid && kill(o->filter.pid, 0) == -1 && errno == ESRCH)
		errx(2, "no process with pid %d", (int)o->filter.pid);
	if (o->unit && cgroup_unit_id(o->unit, &o->filter.cgroup_id, why, sizeof(why)) == -1)
		errx(2, "%s", why);
}

/* Write b to fd whole; returns -1 with errno on failure. */
static int
write_all(int fd, struct buf *b)
{
	size_t off = 0;
	ssize_t n;

	while (off < b->len) {
		if ((n = write(fd, b->data + off, b->len - off)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)n;
	}
	buf_reset(b);
	return 0;
}

static void
on_event(const struct port_event *e, void *arg)
{
	struct events_run *r = arg;

	if (r->o.json) {
		portevent_json(&r->out, e, NULL);
		buf_putc(&r->out, '\n');
	} else
		portevent_text(&r->out, e);
	if (r->logfd != -1)
		portevent_text(&r->text, e);
	if (e->type == EV_LOST)
		warnx("%llu event%s lost: the ring buffer was full",
		    (unsigned long long)e->count, e->count == 1 ? "" : "s");
}

static void
flush_out(struct events_run *r)
{
	if (write_all(STDOUT_FILENO, &r->out) == -1) {
		if (errno != EPIPE) {
			warn("cannot write output");
			r->rc = 1;
		}
		r->stop = 1;
		buf_reset(&r->out);
	}
	if (r->logfd != -1 && write_all(r->logfd, &r->text) == -1) {
		warn("cannot write log file '%s'", r->o.log);
		close(r->logfd);
		r->logfd = -1;
		r->rc = 1;
	}
}

static int
signals_begin(void)
{
	int fd;

	if ((fd = sigfd_open(NULL, NULL)) == -1)
		err(1, "cannot set up signal handling");
	signal(SIGPIPE, SIG_IGN);
	return fd;
}

int
cmd_events(int argc, char **argv)
{
	struct events_run r;
	struct ev_source *src;
	struct pollfd pf[2];
	char errbuf[256];
	uint64_t end = 0, now;
	long long left;
	int sigfd, t;

	memset(&r, 0, sizeof(r));
	r.logfd = -1;
	events_parse(argc, argv, &r.o);
	if (r.o.log && (r.logfd = logfile_open(r.o.log, r.o.overwrite, errbuf,
	    sizeof(errbuf))) == -1)
		errx(2, "%s", errbuf);
	buf_init(&r.out);
	buf_init(&r.text);
	if (r.logfd != -1) {
		struct log_header h = { NULL, 0, 0 };
		char watching[64];

		if (r.o.filter.port) {
			snprintf(watching, sizeof(watching), "Watching port: %d", r.o.filter.port);
			h.watching = watching;
		} else if (r.o.filter.pid) {
			snprintf(watching, sizeof(watching), "Watching PID: %d",
			    (int)r.o.filter.pid);
			h.watching = watching;
		}
		logfile_title(&r.text, 1);
		logfile_header(&r.text, &h);
	}
	sigfd = signals_begin();
	if ((src = ev_open(&r.o.filter, &r.o.ev, errbuf, sizeof(errbuf))) == NULL)
		errx(1, "%s", errbuf);
	if (ev_fallback_reason(src))
		warnx("event mode unavailable (%s); polling every %g s: what lives "
		    "between two polls is not seen", ev_fallback_reason(src),
		    (double)(r.o.ev.poll_interval_ns ? r.o.ev.poll_interval_ns :
		    NSEC_PER_SEC) / 1e9);
	if (r.o.duration_ms)
		end = clock_mono_ns() + (uint64_t)r.o.duration_ms * NSEC_PER_MSEC;
	while (!r.stop) {
		t = ev_timeout_ms(src);
		if (end) {
			now = clock_mono_ns();
			if (now >= end)
				break;
			left = (long long)((end - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
			if (t < 0 || left < t)
				t = (int)left;
		}
		pf[0].fd = ev_fd(src);
		pf[0].events = POLLIN;
		pf[1].fd = sigfd;
		pf[1].events = POLLIN;
		if (poll(pf, 2, t) == -1) {
			if (errno == EINTR)
				continue;
			err(1, "poll");
		}
		if (pf[1].revents)
			break;
		if (ev_read(src, on_event, &r, errbuf, sizeof(errbuf)) == -1) {
			warnx("%s", errbuf);
			r.rc = 1;
			break;
		}
		flush_out(&r);
	}
	/* what arrived before the end */
	if (!r.stop && ev_read(src, on_event, &r, errbuf, sizeof(errbuf)) != -1)
		flush_out(&r);
	ev_close(src);
	if (r.logfd != -1) {
		logfile_end(&r.text);
		if (write_all(r.logfd, &r.text) == -1)
			r.rc = 1;
	}
	if (r.logfd != -1 && logfile_close(r.logfd) == -1) {
		warn("cannot write log file '%s'", r.o.log);
		r.rc = 1;
	}
	close(sigfd);
	buf_release(&r.out);
	buf_release(&r.text);
	return r.rc;
}
