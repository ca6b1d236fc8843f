/*
 * portscope query: PortQry's -n.  Parse the options once into struct
 * qopts, resolve the target, hand the port list to the query engine and
 * print each verdict as the engine decides it, in the order asked.
 */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "output/json.h"
#include "output/logfile.h"
#include "output/portqry_query.h"
#include "output/text.h"
#include "query/engine.h"
#include "query/portsets.h"
#include "query/probe_section.h"
#include "query/services.h"
#include "util/buf.h"
#include "util/cli.h"
#include "util/clock.h"
#include "util/vec.h"
#include "util/xmalloc.h"

/* Exit statuses (doc/portscope.1, EXIT STATUS): the verdict, with or
 * without -q, and for several ports the worst (verdict_exit_code: 0
 * LISTENING, 1 NOT LISTENING, 2 FILTERED or LISTENING or FILTERED; PortQry
 * 2.0's codes, issue 10); a usage error 3, apart from every verdict since
 * scripts read 2 as "filtered"; a local failure that stopped the query
 * (no sockets, no route, a name that does not resolve, -sp in use, output
 * that cannot be written) QUERY_EXIT_RUNTIME. */
#define QUERY_EXIT_USAGE	3
#define QUERY_EXIT_RUNTIME	4

struct port_vec {
	uint16_t	*v;
	size_t		 n, cap;
};

struct job_vec {
	struct query_job *v;
	size_t		 n, cap;
};

struct qopts {
	const char	*host;
	int		 family;	/* AF_UNSPEC, or -4/-6 */
	int		 tcp, udp;	/* -p */
	char		 port_opt;	/* 'e', 'o', 'r' or 0 (default -e 80) */
	struct port_vec	 ports;
	const struct portset *set;	/* --set: its ports and protocols */
	const char	*log;		/* -l */
	int		 yes;		/* -y */
	int		 quiet;		/* -q */
	int		 json;
	int		 reason;
	int		 no_reverse;	/* -nr */
	int		 portqry;	/* called as portscope -n HOST (--portqry) */
	char		*community;	/* -cn, owned (q.community points here) */
	struct query_opts q;
};

struct printer {
	const struct qopts *o;
	const struct services *svc;
	const char	*addr;
	struct buf	 out;		/* stdout, unless -q */
	struct buf	 line;
	int		 logfd;
	int		 log_errno;	/* first failed write to the log */
	int		 worst;		/* exit status so far (pq_worst), -1: none */
	int		 progress;	/* a progress line on stderr (a terminal) */
	int		 progress_shared;	/* stdout is a terminal too */
	int		 progress_shown;	/* it is on the screen now */
	struct buf	 bar;
};

static volatile sig_atomic_t progress_on_screen;
static struct sigaction before_progress[NSIG];	/* chained to */
static const char erase_line[] = "\r\033[K";

/* s as a terminal may show it, on one line (control bytes and newlines as
 * \xNN), in a buffer valid until the call after next (so that two may
 * stand in one message). */
static const char *
shown(const char *s)
{
	static struct buf b[2];
	static unsigned k;
	struct buf *p = &b[k++ % 2];

	buf_reset(p);
	text_sanitize(p, s, strlen(s), 0);
	return buf_str(p);
}

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: portscope query [-p tcp|udp|both] [-e PORT | -o P1,P2,... | -r A:B]\n"
	    "                       [-4 | -6] [-nr] [-sp PORT] [-sl] [-cn !COMMUNITY!]\n"
	    "                       [-l FILE [-y]] [-q] [--json] [--reason]\n"
	    "                       [--parallel N] [--max-rate N] [--set NAME] HOST\n"
	    "       portscope query --list-sets\n"
	    "       portscope -n HOST [same options]   (PortQry's form)\n"
	    "\n"
	    "Each port gets a verdict: LISTENING, NOT LISTENING, FILTERED, or for UDP\n"
	    "LISTENING or FILTERED.  TCP is tried 3 times before FILTERED; a silent UDP\n"
	    "port gets its protocol probe (DNS on 53, ...).  The exit status is the\n"
	    "verdict, for several ports the worst: 0 LISTENING, 1 NOT LISTENING, 2\n"
	    "otherwise; -q prints nothing.  A usage error exits 3, a local failure\n"
	    "(no sockets, no route, output not writable) 4.  --set NAME\n"
	    "queries a named set of ports, each with its own protocol (-p does not\n"
	    "apply); --list-sets shows the sets.\n");
}

static const struct cli cli = { .cmd = "query", .usage_status = QUERY_EXIT_USAGE };

#define usage_error(...)	cli_usage_error(&cli, __VA_ARGS__)

/* A port given to opt (-e, -o, -r, -sp); a bad one is a usage error. */
static uint16_t
parse_port(const char *opt, const char *s)
{
	char err[256];
	uint16_t port;

	/* shown(): the message quotes it on one line; a valid port is
	 * printable, so its shown form is itself */
	if (cli_parse_port(shown(s), &port, err, sizeof(err)) == -1)
		usage_error("%s: %s", opt, err);
	return port;
}

static void
add_port(struct qopts *o, uint16_t port)
{
	*VEC_PUSH(&o->ports) = port;
}

/* -o P1,P2,...: in the order given. */
static void
parse_list(struct qopts *o, const char *s)
{
	char *copy = xstrdup(s), *p, *save = NULL;

	if (*s == '\0' || s[strlen(s) - 1] == ',' || *s == ',' || strstr(s, ",,"))
		usage_error("-o: '%s' is not a list of ports such as 80,443",
		    shown(s));
	for (p = strtok_r(copy, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		add_port(o, parse_port("-o", p));
	free(copy);
}

/* -r A:B with A < B. */
static void
parse_range(struct qopts *o, const char *s)
{
	char *copy = xstrdup(s), *colon;
	uint16_t a, b;
	unsigned p;

	if ((colon = strchr(copy, ':')) == NULL)
		usage_error("-r: '%s' is not a range such as 1:1024", shown(s));
	*colon = '\0';
	a = parse_port("-r", copy);
	b = parse_port("-r", colon + 1);
	if (a >= b)
		usage_error("-r: the start of '%s' must be below its end",
		    shown(s));
	for (p = a; p <= b; p++)
		add_port(o, (uint16_t)p);
	free(copy);
}

static unsigned
parse_uint(const char *opt, const char *s, long long lo, long long hi)
{
	char err[256], what[64];
	long long v;

	snprintf(what, sizeof(what), "%s value", opt);
	if (cli_parse_num(what, NULL, shown(s), lo, hi, &v, err, sizeof(err)) == -1)
		usage_error("%s", err);
	return (unsigned)v;
}

/* Parse argv (argv[0] = "query") into o; exits QUERY_EXIT_USAGE on a
 * usage error. */
static void
parse_args(int argc, char **argv, struct qopts *o)
{
	const char *a, *v;
	int i;

	memset(o, 0, sizeof(*o));
	query_opts_init(&o->q);
	o->family = AF_UNSPEC;
	o->tcp = 1;
	for (i = 1; i < argc; i++) {
		a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 ||
		    strcmp(a, "-?") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(a, "--list-sets") == 0) {
			struct buf b;

			buf_init_fd(&b, STDOUT_FILENO);
			portset_list(&b);
			buf_flush(&b);
			buf_release(&b);
			exit(0);
		}
		/* the flags */
		if (strcmp(a, "--portqry") == 0) { o->portqry = 1; continue; }
		if (strcmp(a, "-q") == 0) { o->quiet = 1; continue; }
		if (strcmp(a, "-y") == 0) { o->yes = 1; continue; }
		if (strcmp(a, "-sl") == 0) { o->q.slow_link = 1; continue; }
		if (strcmp(a, "-nr") == 0) { o->no_reverse = 1; continue; }
		if (strcmp(a, "-4") == 0) { o->family = AF_INET; continue; }
		if (strcmp(a, "-6") == 0) { o->family = AF_INET6; continue; }
		if (strcmp(a, "--json") == 0) { o->json = 1; continue; }
		if (strcmp(a, "--reason") == 0) { o->reason = 1; continue; }
		if (a[0] != '-' || a[1] == '\0') {
			if (o->host != NULL)
				usage_error("one host at a time: '%s' and '%s'",
				    shown(o->host), shown(a));
			o->host = a;
			continue;
		}
		/* the options with a value */
		if (i + 1 >= argc)
			usage_error("option '%s' needs a value", a);
		v = argv[++i];
		if (strcmp(a, "-n") == 0) {
			if (o->host != NULL)
				usage_error("one host at a time: '%s' and '%s'",
				    shown(o->host), shown(v));
			o->host = v;
			o->portqry = 1;
		} else if (strcmp(a, "-p") == 0) {
			if (strcasecmp(v, "tcp") == 0)
				o->tcp = 1, o->udp = 0;
			else if (strcasecmp(v, "udp") == 0)
				o->tcp = 0, o->udp = 1;
			else if (strcasecmp(v, "both") == 0)
				o->tcp = 1, o->udp = 1;
			else
				usage_error("-p: '%s' is not tcp, udp or both",
				    shown(v));
		} else if (strcmp(a, "-e") == 0 || strcmp(a, "-o") == 0 ||
		    strcmp(a, "-r") == 0) {
			if (o->port_opt != 0)
				usage_error("-e, -o, -r and --set cannot be combined");
			o->port_opt = a[1];
			if (a[1] == 'e')
				add_port(o, parse_port("-e", v));
			else if (a[1] == 'o')
				parse_list(o, v);
			else
				parse_range(o, v);
		} else if (strcmp(a, "--set") == 0) {
			if (o->port_opt != 0)
				usage_error("-e, -o, -r and --set cannot be combined");
			o->port_opt = 's';
			if ((o->set = portset_find(v)) == NULL) {
				struct buf names;

				buf_init(&names);
				portset_names(&names);
				usage_error("--set: no set called '%s' (there are: "
				    "%s)", shown(v), buf_str(&names));
			}
		} else if (strcmp(a, "-l") == 0)
			o->log = v;
		else if (strcmp(a, "-sp") == 0)
			o->q.src_port = parse_port("-sp", v);
		else if (strcmp(a, "-cn") == 0) {
			size_t l = strlen(v);

			/* PortQry delimits the community with '!' */
			if (l >= 2 && v[0] == '!' && v[l - 1] == '!') {
				free(o->community);
				o->q.community = o->community =
				    xstrndup(v + 1, l - 2);
			} else
				usage_error("-cn: write the community between "
				    "exclamation marks, as in -cn !public!");
			if (o->q.community[0] == '\0')
				usage_error("-cn: the community is empty");
		} else if (strcmp(a, "--parallel") == 0)
			o->q.parallel = parse_uint(a, v, 1, 16384);
		else if (strcmp(a, "--max-rate") == 0)
			o->q.max_rate = parse_uint(a, v, 1, 10000000);
		else
			usage_error("unknown option '%s'", shown(a));
	}
	if (o->host == NULL)
		usage_error("which host?  give HOST (or -n HOST)");
	if (o->port_opt == 0)
		add_port(o, 80);
	if (o->yes && o->log == NULL)
		usage_error("-y answers the overwrite question of -l FILE: give -l");
	if (o->quiet && o->json)
		usage_error("-q and --json cannot be combined");
	o->q.host = o->host;
}

/* Raise the open-file limit to its hard limit and keep --parallel below
 * it. */
static void
fit_fd_limit(struct qopts *o)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < o->q.parallel + 64u)
		o->q.parallel = rl.rlim_cur > 96 ? (unsigned)rl.rlim_cur - 64 : 32;
}

/* Take the progress line off the screen before anything else is
 * printed. */
static void
progress_erase(struct printer *pr)
{
	if (!pr->progress_shown)
		return;
	(void)!write(STDERR_FILENO, erase_line, sizeof(erase_line) - 1);
	pr->progress_shown = 0;
	progress_on_screen = 0;
}

/* Write what is in b to the log, if any, and to stdout unless -q.  A
 * failed write is remembered (log_errno, out.error) and reported at the
 * end. */
static void
put(struct printer *pr, struct buf *b)
{
	ssize_t n;
	size_t off = 0;

	if (b->len == 0)
		return;
	if (pr->logfd >= 0 && pr->log_errno == 0) {
		while (off < b->len) {
			n = write(pr->logfd, b->data + off, b->len - off);
			if (n == -1 && errno == EINTR)
				continue;
			if (n <= 0) {
				pr->log_errno = n == 0 ? EIO : errno;
				break;
			}
			off += (size_t)n;
		}
	}
	if (!pr->o->quiet) {
		buf_add(&pr->out, b->data, b->len);
		if (pr->progress_shown && pr->progress_shared) {
			/* the verdicts share the terminal with the progress
			 * line: take it away, show them, and it comes back */
			progress_erase(pr);
			buf_flush(&pr->out);
		}
	}
	buf_reset(b);
	buf_maybe_flush(&pr->out);
}

/* PortQry's -r does not query the endpoint mapper ("with a range, PortQry
 * does not query the endpoint mapper", issue 10); -e 135 and -o do. */
static int
job_no_probe(const struct qopts *o, uint16_t port)
{
	return o->portqry && o->port_opt == 'r' && port == 135;
}

static void
print_result(const struct query_result *r, void *arg)
{
	struct printer *pr = arg;
	struct buf *l = &pr->line;
	const char *proto = r->proto == IPPROTO_UDP ? "udp" : "tcp";
	const char *svc = service_name(pr->svc, r->proto, r->port);

	pr->worst = pq_worst(pr->worst, r->verdict);
	if (pr->o->json) {
		buf_putc(l, '{');
		json_kstr(l, "host", pr->o->host);
		json_kstr(l, "addr", pr->addr);
		json_kstr(l, "proto", proto);
		json_ku64(l, "port", r->port);
		json_kstr(l, "service", svc);
		json_kstr(l, "verdict", verdict_name(r->verdict));
		json_kstr(l, "reason", r->reason);
		json_key(l, "rtt_ms");
		if (r->rtt_us >= 0)
			buf_printf(l, "%.3f", (double)r->rtt_us / 1000.0);
		else
			buf_puts(l, "null");
		json_ku64(l, "tries", r->tries);
		if (r->probe != NULL) {
			json_key(l, "probe");
			buf_putc(l, '{');
			json_key(l, r->probe->name);
			buf_putc(l, '{');
			if (r->report.json.len > 0)
				buf_add(l, r->report.json.data, r->report.json.len);
			buf_add(l, "}}", 2);
		}
		buf_add(l, "}\n", 2);
	} else if (pr->o->portqry && !pr->o->reason) {
		/* PortQry's steps: a silent UDP port's probe is shown even
		 * when it got no answer (what was sent, then the verdict) */
		const struct probe *p = r->probe == &probe_generic ? NULL :
		    r->probe;

		if (p == NULL && r->proto == IPPROTO_UDP &&
		    r->verdict == VERDICT_LISTENING_OR_FILTERED &&
		    !job_no_probe(pr->o, r->port))
			p = probe_find(IPPROTO_UDP, r->port);
		pq_port(l, r->proto, r->port, svc, r->verdict, p, &r->report,
		    pr->o->q.community, pr->o->q.src_port);
	} else {
		buf_printf(l, "%s port %u (%s service): %s", r->proto ==
		    IPPROTO_UDP ? "UDP" : "TCP", r->port, svc ? svc : "unknown",
		    verdict_name(r->verdict));
		if (pr->o->reason)
			buf_printf(l, " (reason: %s)", r->reason);
		buf_putc(l, '\n');
		if (r->probe != NULL && r->probe != &probe_generic &&
		    r->report.text.len > 0)
			probe_section(l, r->probe, r->proto, r->port,
			    pr->o->q.community, &r->report);
		else if (r->probe != NULL && r->report.text.len > 0)
			buf_add(l, r->report.text.data, r->report.text.len);
	}
	put(pr, l);
}

/* "1234/4000 ports  12 listening  1200 not listening  22 filtered
 * 310/s  0:09 left", redrawn in place on stderr; shown once a query has
 * run for a second. */
static void
show_progress(const struct query_progress *p, void *arg)
{
	struct printer *pr = arg;
	struct buf *b = &pr->bar;
	double secs = (double)p->elapsed_ns / NSEC_PER_SEC, rate;
	unsigned long left;

	if (p->elapsed_ns < NSEC_PER_SEC || p->done == p->total)
		return;
	if (pr->progress_shared)
		buf_flush(&pr->out);	/* the verdicts so far above it */
	rate = secs > 0 ? (double)p->done / secs : 0;
	buf_reset(b);
	buf_add(b, erase_line, sizeof(erase_line) - 1);
	buf_printf(b, "%zu/%zu ports  %zu listening  %zu not listening  "
	    "%zu filtered", p->done, p->total, p->count[VERDICT_LISTENING],
	    p->count[VERDICT_NOT_LISTENING], p->count[VERDICT_FILTERED]);
	if (p->count[VERDICT_LISTENING_OR_FILTERED] > 0)
		buf_printf(b, "  %zu listening or filtered",
		    p->count[VERDICT_LISTENING_OR_FILTERED]);
	buf_printf(b, "  %.0f/s", rate);
	if (rate > 0) {
		left = (unsigned long)((double)(p->total - p->done) / rate + 0.5);
		buf_printf(b, "  %lu:%02lu left", left / 60, left % 60);
	}
	if (write(STDERR_FILENO, b->data, b->len) == (ssize_t)b->len) {
		pr->progress_shown = 1;
		progress_on_screen = 1;
	}
}

/* SIGINT, SIGTERM, SIGHUP, SIGPIPE while the progress line is shown:
 * leave the terminal clean, then let the handler from before (the log's
 * end line, logfile_end_on_signal) or the default action have it. */
static void
progress_on_signal(int sig)
{
	if (progress_on_screen)
		(void)!write(STDERR_FILENO, erase_line, sizeof(erase_line) - 1);
	sigaction(sig, &before_progress[sig], NULL);
	raise(sig);	/* delivered to it when this handler returns */
}

static void
progress_signals(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = progress_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, &before_progress[sigs[i]]);
}

/* The log's title and header, PortQry's layout (output/logfile.c). */
static void
log_header(struct printer *pr)
{
	struct log_header h = { NULL, 0, 0 };
	struct buf b;

	buf_init(&b);
	logfile_title(&b, 1);
	logfile_header(&b, &h);
	if (write(pr->logfd, b.data, b.len) != (ssize_t)b.len && pr->log_errno == 0)
		pr->log_errno = errno ? errno : EIO;
	buf_release(&b);
}

/* End the log with its end line (and the error that ended the query, if
 * any), close it.  Returns 0, or -1 with errno when the log could not be
 * written (now or before). */
static int
log_close(struct printer *pr, const char *error)
{
	struct buf b;
	int rc = 0;

	if (pr->logfd < 0)
		return 0;
	logfile_end_on_signal(-1);
	buf_init(&b);
	if (error != NULL)
		buf_printf(&b, "portscope: %s\n", error);
	logfile_end(&b);
	if (pr->log_errno == 0 && write(pr->logfd, b.data, b.len) !=
	    (ssize_t)b.len)
		pr->log_errno = errno ? errno : EIO;
	if (logfile_close(pr->logfd) == -1 && pr->log_errno == 0)
		pr->log_errno = errno;
	pr->logfd = -1;
	buf_release(&b);
	if (pr->log_errno != 0) {
		errno = pr->log_errno;
		rc = -1;
	}
	return rc;
}

/* A runtime failure: the message on stderr and at the end of the log,
 * exit QUERY_EXIT_RUNTIME. */
static void __attribute__((noreturn))
runtime_error(struct printer *pr, const char *msg)
{
	progress_erase(pr);
	buf_flush(&pr->out);
	(void)log_close(pr, msg);
	errx(QUERY_EXIT_RUNTIME, "%s", msg);
}

/* Resolve o->host; prints PortQry's lines into pr.  Returns the address
 * in *ss and its length, or 0 with the reason in err. */
static socklen_t
resolve(struct printer *pr, struct sockaddr_storage *ss, char *addr,
    size_t alen, char *err, size_t errlen)
{
	const struct qopts *o = pr->o;
	struct addrinfo hints, *res = NULL;
	char name[NI_MAXHOST];
	socklen_t len;
	int numeric, rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = o->family;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST;
	numeric = getaddrinfo(o->host, NULL, &hints, &res) == 0;
	if (!o->json)
		pq_target(&pr->line, shown(o->host));
	if (!numeric) {
		put(pr, &pr->line);
		buf_flush(&pr->out);
		hints.ai_flags = 0;
		if ((rc = getaddrinfo(o->host, NULL, &hints, &res)) != 0) {
			snprintf(err, errlen, "cannot resolve '%s': %s",
			    shown(o->host), rc == EAI_SYSTEM ? strerror(errno) :
			    gai_strerror(rc));
			if (!o->json) {
				/* PortQry says so on standard output (issue 10) */
				pq_name(&pr->line, NULL);
				put(pr, &pr->line);
			}
			return 0;
		}
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	len = res->ai_addrlen;
	freeaddrinfo(res);
	if (getnameinfo((struct sockaddr *)ss, len, addr, (socklen_t)alen, NULL,
	    0, NI_NUMERICHOST) != 0)
		snprintf(addr, alen, "?");
	if (ss->ss_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(
	    &((struct sockaddr_in6 *)ss)->sin6_addr) &&
	    ((struct sockaddr_in6 *)ss)->sin6_scope_id == 0) {
		snprintf(err, errlen, "cannot query '%s': a link-local address "
		    "needs its interface, as in '%s%%eth0'", shown(o->host),
		    shown(o->host));
		return 0;
	}
	if (o->json)
		return len;
	if (!numeric)
		pq_name(&pr->line, addr);
	else if (!o->no_reverse)
		pq_address(&pr->line, getnameinfo((struct sockaddr *)ss, len, name,
		    sizeof(name), NULL, 0, NI_NAMEREQD) == 0 ? shown(name) : NULL);
	pq_querying(&pr->line);
	put(pr, &pr->line);
	return len;
}

int
cmd_query(int argc, char **argv)
{
	struct sockaddr_storage ss;
	struct job_vec jobs = { 0 };
	struct printer pr;
	struct qopts o;
	char addr[NI_MAXHOST], errbuf[512];
	struct buf msg;
	size_t i;
	socklen_t len;
	int rc, out_err;

	parse_args(argc, argv, &o);
	fit_fd_limit(&o);
	memset(&pr, 0, sizeof(pr));
	pr.o = &o;
	pr.logfd = -1;
	pr.worst = -1;
	/* stdout closed: nothing could be shown, and a file opened later
	 * would take its place */
	if (!o.quiet && fcntl(STDOUT_FILENO, F_GETFD) == -1)
		errx(QUERY_EXIT_RUNTIME, "cannot write to standard output: %s",
		    strerror(errno));
	buf_init_fd(&pr.out, STDOUT_FILENO);
	buf_init(&pr.line);
	buf_init(&pr.bar);
	if (o.log != NULL) {
		if ((pr.logfd = logfile_open(o.log, o.yes, errbuf,
		    sizeof(errbuf))) == -1)
			errx(QUERY_EXIT_RUNTIME, "%s", shown(errbuf));
		/* interrupted, even while the header is written: it still ends */
		logfile_end_on_signal(pr.logfd);
		log_header(&pr);
	}
	if ((len = resolve(&pr, &ss, addr, sizeof(addr), errbuf,
	    sizeof(errbuf))) == 0)
		runtime_error(&pr, errbuf);
	pr.addr = addr;
	pr.svc = services_load(NULL);

	for (i = 0; o.set != NULL && i < o.set->nports; i++)
		*VEC_PUSH(&jobs) = (struct query_job){ o.set->ports[i].proto,
		    o.set->ports[i].port, 0 };
	for (i = 0; i < o.ports.n; i++) {
		unsigned fl = job_no_probe(&o, o.ports.v[i]) ?
		    QUERY_JOB_NO_PROBE : 0;

		if (o.tcp)
			*VEC_PUSH(&jobs) = (struct query_job){ IPPROTO_TCP,
			    o.ports.v[i], fl };
		if (o.udp)
			*VEC_PUSH(&jobs) = (struct query_job){ IPPROTO_UDP,
			    o.ports.v[i], fl };
	}
	/* progress on a terminal only: never in a pipe, a log, JSON or -q */
	if (!o.quiet && !o.json && isatty(STDERR_FILENO)) {
		progress_signals();
		pr.progress = 1;
		pr.progress_shared = isatty(STDOUT_FILENO);
		o.q.progress = show_progress;
		o.q.progress_arg = &pr;
	}
	rc = query_run((struct sockaddr *)&ss, len, &o.q, jobs.v, jobs.n,
	    print_result, &pr, errbuf, sizeof(errbuf));
	progress_erase(&pr);
	VEC_FREE(&jobs);
	VEC_FREE(&o.ports);
	free(o.community);
	services_free((struct services *)pr.svc);
	buf_release(&pr.line);
	buf_release(&pr.bar);
	if (rc == -1 && errno == EADDRINUSE && o.q.src_port != 0 && o.portqry &&
	    !o.json) {
		/* PortQry's three lines (issue 10), on standard output */
		buf_puts(&pr.line, pq_sp_in_use);
		put(&pr, &pr.line);
	}
	if (rc == -1) {
		buf_init(&msg);
		buf_printf(&msg, "cannot query %s: %s", addr, errbuf);
		runtime_error(&pr, buf_str(&msg));
	}
	buf_flush(&pr.out);
	out_err = pr.out.error;
	buf_release(&pr.out);
	if (log_close(&pr, NULL) == -1)
		errx(QUERY_EXIT_RUNTIME, "cannot write to '%s': %s",
		    shown(o.log), strerror(errno));
	if (out_err != 0)
		errx(QUERY_EXIT_RUNTIME, "cannot write to standard output: %s",
		    strerror(out_err));
	return pr.worst < 0 ? 0 : pr.worst;
}
