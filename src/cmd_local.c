/*
 * portscope local: every socket with its owning processes — PortQry's
 * -local [-v] report, ss -tuanp and lsof -i in one snapshot.
 */
#include <err.h>
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "host/snapshot.h"
#include "output/json.h"
#include "output/byproc.h"
#include "output/localtext.h"
#include "output/logfile.h"
#include "output/portqry_local.h"
#include "output/sockrow.h"
#include "output/text.h"
#include "util/cli.h"
#include "util/xmalloc.h"

enum format { FMT_TEXT, FMT_JSON, FMT_CSV };

struct local_opts {
	struct snap_filter	 filter;
	enum format		 format;
	int			 verbose;
	int			 portqry;	/* -local: PortQry's layout */
	const char		*log;
	int			 overwrite;
};

static const char local_usage[] =
    "usage: portscope local [-v] [--json | --csv] [--tcp] [--udp] [--raw] [-4] [-6]\n"
    "                       [--listening] [--port N] [--pid N] [--state NAME]\n"
    "                       [-l FILE [-y]]\n"
    "       portscope -local [-v] [-l FILE [-y]]\n"
    "\n"
    "Every TCP, UDP and raw socket with its owning processes, port statistics and\n"
    "the ports of each process; -v adds each process's details and modules.\n"
    "\n"
    "  -v, --verbose     process details: command line, user, start, unit; modules\n"
    "      --json        JSON Lines, one socket per line\n"
    "      --csv         CSV with a header row\n"
    "      --tcp, --udp, --raw  only TCP, UDP or raw sockets (they combine)\n"
    "  -4, -6            only IPv4, only IPv6 sockets\n"
    "      --listening   only listening TCP and unconnected UDP sockets\n"
    "      --port N      only sockets whose local or remote port is N (1-65535)\n"
    "      --pid N       only sockets held by process N\n"
    "      --state NAME  only TCP sockets in state NAME (LISTEN, ESTABLISHED,\n"
    "                    TIME_WAIT, …; UNCONN for unconnected UDP)\n"
    "  -l FILE           also write the report to FILE; -y overwrites it\n"
    "      --owners SRC  where owners come from: bpf (a BPF iterator; the default\n"
    "                    as root when it loads), procfs (/proc/PID/fd), or none\n";

/* Parse argv into o; exits 2 with one line on a usage error. */
static void
local_parse(int argc, char **argv, struct local_opts *o)
{
	enum { O_JSON = 256, O_CSV, O_TCP, O_UDP, O_RAW, O_LISTENING, O_PORT, O_PID,
	    O_STATE, O_PORTQRY, O_OWNERS };
	static const struct option longopts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "tcp", no_argument, NULL, O_TCP },
		{ "udp", no_argument, NULL, O_UDP },
		{ "raw", no_argument, NULL, O_RAW },
		{ "listening", no_argument, NULL, O_LISTENING },
		{ "port", required_argument, NULL, O_PORT },
		{ "pid", required_argument, NULL, O_PID },
		{ "state", required_argument, NULL, O_STATE },
		{ "portqry", no_argument, NULL, O_PORTQRY },
		{ "owners", required_argument, NULL, O_OWNERS },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const struct cli cli = { .cmd = "local" };
	const char *port = NULL, *pid = NULL, *statearg = NULL;
	int ch, tcp = 0, udp = 0, raw = 0, v4 = 0, v6 = 0, listening = 0, state = -1;

	memset(o, 0, sizeof(*o));
	snap_filter_init(&o->filter);
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":vl:y46h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'v':
			o->verbose = 1;
			break;
		case O_JSON:
			o->format = FMT_JSON;
			break;
		case O_CSV:
			o->format = FMT_CSV;
			break;
		case O_TCP:
			tcp = 1;
			break;
		case O_UDP:
			udp = 1;
			break;
		case O_RAW:
			raw = 1;
			break;
		case '4':
			v4 = 1;
			break;
		case '6':
			v6 = 1;
			break;
		case O_LISTENING:
			listening = 1;
			break;
		case O_PORT:
			cli_once(&cli, &port, "--port", optarg);
			o->filter.port = cli_port(&cli, optarg);
			break;
		case O_PID:
			cli_once(&cli, &pid, "--pid", optarg);
			o->filter.pid = cli_pid(&cli, optarg);
			break;
		case O_STATE:
			cli_once(&cli, &statearg, "--state", optarg);
			if ((state = sock_state_parse(optarg)) == -1)
				cli_usage_error(&cli, "unknown state '%s': give LISTEN, "
				    "ESTABLISHED, SYN_SENT, SYN_RECV, FIN_WAIT1, FIN_WAIT2, "
				    "TIME_WAIT, CLOSE, CLOSE_WAIT, LAST_ACK, CLOSING or UNCONN",
				    optarg);
			break;
		case 'l':
			cli_once(&cli, &o->log, "-l", optarg);
			break;
		case 'y':
			o->overwrite = 1;
			break;
		case O_PORTQRY:
			o->portqry = 1;
			break;
		case O_OWNERS:
			if (strcmp(optarg, "none") == 0)
				o->filter.owners = 0;
			else if ((o->filter.backend = owner_backend_find(optarg)) == NULL)
				cli_usage_error(&cli, "unknown owner source '%s': give bpf, "
				    "procfs or none", optarg);
			break;
		case 'h':
			fputs(local_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
	cli_log_check(&cli, o->log, o->overwrite);

	if (tcp || udp || raw)
		o->filter.protos = (tcp ? SD_TCP : 0) | (udp ? SD_UDP : 0) |
		    (raw ? SD_RAW : 0);
	if (v4 || v6)
		o->filter.families = (v4 ? SD_V4 : 0) | (v6 ? SD_V6 : 0);
	if (listening) {
		o->filter.tcp_states = TCPF(TCP_LISTEN);
		o->filter.udp_states = TCPF(TCP_CLOSE);
	}
	if (state != -1) {
		if (listening && state != TCP_LISTEN && state != TCP_CLOSE)
			cli_usage_error(&cli, "--state %s contradicts --listening",
			    sock_state_name(&(struct sock_row){ .state = (uint8_t)state,
			    .proto = IPPROTO_TCP }));
		/* UNCONN and ESTABLISHED also select UDP sockets; others only TCP. */
		o->filter.tcp_states = state == TCP_CLOSE && udp && !tcp ? 0 : TCPF(state);
		/* TCP sockets that are only bound sit in the bind hash, which
		 * the kernel walks for TCP_BOUND_INACTIVE (Linux 6.5+) and
		 * reports as CLOSE. */
		if (state == TCP_CLOSE)
			o->filter.tcp_states |= TCPF(TCP_BOUND_INACTIVE);
		o->filter.udp_states = (state == TCP_CLOSE || state == TCP_ESTABLISHED) ?
		    TCPF(state) : 0;
	}
	o->filter.details = PROC_BASIC;
	if (o->verbose)
		o->filter.details |= PROC_FULL | (o->format == FMT_TEXT ? PROC_MODULES : 0);
	if (o->portqry && o->format == FMT_TEXT)
		o->filter.details |= PROC_MODULES;	/* PortQry lists them */
}

static void
text_process(struct buf *b, const struct proc_info *p,
    const struct sock_row *const *rows, size_t n, int verbose)
{
	size_t i;

	buf_puts(b, "Process ID: ");
	buf_i64(b, p->pid);
	buf_puts(b, " (");
	text_sanitize(b, p->comm, strlen(p->comm), 0);
	buf_puts(b, ")\n\n");
	if (verbose) {
		proc_text_details(b, p, "  ");
		buf_putc(b, '\n');
	}
	localtext_header(b, "  ", 1);
	for (i = 0; i < n; i++)
		localtext_row(b, rows[i], "  ", p->pid, 0);
	buf_puts(b, "\n  Port Statistics\n\n");
	localtext_stats(b, rows, n, "  ", 0);
	if (verbose && p->nmodules > 0) {
		buf_putc(b, '\n');
		proc_text_modules(b, p, "  ");
	}
	buf_putc(b, '\n');
}

/* PortQry's -local report. */
/* The sockets no process was found to hold, by reason ("say what is
 * unknown"); nothing when every socket has an owner. */
static void
text_missing(struct buf *b, const struct byproc *g)
{
	if (g->nmissing == 0)
		return;
	buf_printf(b, "Sockets without an owning process: %zu\n", g->nmissing);
	if (g->missing[OWNER_ORPHAN])
		buf_printf(b, "  no owner (TIME_WAIT, SYN_RECV, closed by its process): %zu\n",
		    g->missing[OWNER_ORPHAN]);
	if (g->missing[OWNER_DENIED])
		buf_printf(b, "  not permitted (another user's process; run as root): %zu\n",
		    g->missing[OWNER_DENIED]);
	if (g->missing[OWNER_EXITED])
		buf_printf(b, "  exited (the process ended during the scan): %zu\n",
		    g->missing[OWNER_EXITED]);
	if (g->missing[OWNER_NOT_FOUND])
		buf_printf(b, "  not found (held by no process in this PID namespace): %zu\n",
		    g->missing[OWNER_NOT_FOUND]);
	if (g->missing[OWNER_CLOSED])
		buf_printf(b, "  closed (by its process, or as it exited, during the scan): %zu\n",
		    g->missing[OWNER_CLOSED]);
	if (g->missing[OWNER_NOT_SCANNED])
		buf_printf(b, "  not scanned (--owners none): %zu\n",
		    g->missing[OWNER_NOT_SCANNED]);
}

/* local's own text report. */
static void
local_text(struct buf *b, const struct snapshot *s, int verbose)
{
	const struct sock_row **rows;
	struct byproc g;
	size_t i;

	rows = xreallocarray(NULL, s->nsocks + 1, sizeof(*rows));
	for (i = 0; i < s->nsocks; i++)
		rows[i] = &s->socks[i];
	qsort(rows, s->nsocks, sizeof(*rows), localtext_cmp_proto);

	buf_printf(b, "TCP/UDP Port Usage\n\n%zu active ports found\n\n", s->nsocks);
	localtext_header(b, "", 0);
	for (i = 0; i < s->nsocks; i++) {
		localtext_row(b, rows[i], "", 0, 0);
		buf_maybe_flush(b);
	}
	buf_puts(b, "\nPort Statistics\n\n");
	localtext_stats(b, rows, s->nsocks, "", 0);

	byproc_group(&g, s, rows, s->nsocks);
	buf_puts(b, "\nPort and Module Information by Process\n\n");
	for (i = 0; i < s->scan.nprocs; i++) {
		if (g.count[i] > 0)
			text_process(b, &s->scan.procs[i], g.rows + g.start[i],
			    g.count[i], verbose);
		buf_maybe_flush(b);
	}
	text_missing(b, &g);
	byproc_release(&g);
	free(rows);
}

/* PortQry's -local report (output/portqry_local.c), then the sockets
 * without an owner. */
static void
local_portqry(struct buf *b, const struct snapshot *s, int verbose)
{
	const struct sock_row **rows;
	struct byproc g;
	size_t i;

	portqry_local(b, s, PQL_MODULES | (verbose ? PQL_DETAILS : 0));
	rows = xreallocarray(NULL, s->nsocks + 1, sizeof(*rows));
	for (i = 0; i < s->nsocks; i++)
		rows[i] = &s->socks[i];
	byproc_group(&g, s, rows, s->nsocks);
	text_missing(b, &g);
	byproc_release(&g);
	free(rows);
}

/* Write all of b to fd.  Returns 0, or -1 with errno set. */
static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/* Open the -l log and write its header (text reports only: a JSON or CSV
 * log is an exact copy of the output, for programs to read).  Exits 2 if
 * it cannot be opened, 1 if the header cannot be written. */
static int
log_begin(const struct local_opts *o)
{
	struct log_header h = { .watching = NULL, .interval_ms = 0, .verbose = o->verbose };
	char errbuf[256];
	struct buf b;
	int fd;

	if ((fd = logfile_open(o->log, o->overwrite, errbuf, sizeof(errbuf))) == -1)
		errx(2, "%s", errbuf);
	if (o->format != FMT_TEXT)
		return fd;
	buf_init(&b);
	logfile_title(&b, 1);
	logfile_header(&b, &h);
	if (write_all(fd, b.data, b.len) == -1)
		err(1, "cannot write log file '%s'", o->log);
	buf_release(&b);
	logfile_end_on_signal(fd);	/* interrupted: the log still ends */
	return fd;
}

int
cmd_local(int argc, char **argv)
{
	struct local_opts o;
	struct snapshot snap;
	struct sockrow_cache cache;
	struct buf out;
	char errbuf[256];
	size_t i;
	int logfd = -1, logfail = 0, rc = 0;

	local_parse(argc, argv, &o);
	if (o.filter.pid > 0 && o.filter.owners &&
	    proc_check_fds(o.filter.pid, errbuf, sizeof(errbuf)) == -1)
		errx(2, "%s", errbuf);
	if (o.log)
		logfd = log_begin(&o);

	if (snapshot_take(&snap, &o.filter, errbuf, sizeof(errbuf)) == -1)
		errx(1, "%s", errbuf);
	if (snapshot_fallback_notice(&snap))
		warnx("%s", snapshot_fallback_notice(&snap));
	if (snap.not_root)
		warnx("not running as root: %zu processes' descriptors could not be read; "
		    "their sockets say 'not permitted'", snap.scan.denied);

	/* Stream straight to stdout unless a log needs a copy. */
	if (logfd == -1)
		buf_init_fd(&out, STDOUT_FILENO);
	else
		buf_init(&out);
	switch (o.format) {
	case FMT_JSON:
		sockrow_cache_init(&cache, &snap, o.verbose);
		for (i = 0; i < snap.nsocks; i++) {
			buf_putc(&out, '{');
			sockrow_json(&out, &snap, &snap.socks[i], o.verbose, &cache);
			buf_add(&out, "}\n", 2);
			buf_maybe_flush(&out);
		}
		sockrow_cache_release(&cache);
		break;
	case FMT_CSV:
		sockrow_csv_header(&out);
		for (i = 0; i < snap.nsocks; i++) {
			sockrow_csv(&out, &snap, &snap.socks[i]);
			buf_maybe_flush(&out);
		}
		break;
	case FMT_TEXT:
		if (o.portqry)
			local_portqry(&out, &snap, o.verbose);
		else
			local_text(&out, &snap, o.verbose);
		break;
	}
	if (logfd != -1) {
		if (write_all(STDOUT_FILENO, out.data, out.len) == -1) {
			warn("cannot write output");
			rc = 1;
		}
		if (write_all(logfd, out.data, out.len) == -1)
			logfail = errno;
		logfile_end_on_signal(-1);
		buf_reset(&out);
		if (o.format == FMT_TEXT)
			logfile_end(&out);
		if ((write_all(logfd, out.data, out.len) == -1 && !logfail) ||
		    (logfile_close(logfd) == -1 && !logfail))
			logfail = errno;
		if (logfail) {
			warnx("cannot write log file '%s': %s", o.log, strerror(logfail));
			rc = 1;
		}
	} else if (buf_flush(&out) == -1 || out.error) {
		warnx("cannot write output: %s", strerror(out.error));
		rc = 1;
	}
	buf_release(&out);
	snapshot_release(&snap);
	return rc;
}
