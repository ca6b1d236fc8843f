/*
 * portscope report: the Port Reporter Parser for Linux.  Reads record
 * databases (src/store/reader.h) and answers the Parser's questions
 * (src/report/) as text, JSON, CSV, PR-PORTS lines or one HTML page.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "util/cli.h"

#define REPORT_DB_DEFAULT	"/var/lib/portscope/record.db"

static const char report_usage[] =
    "usage: portscope report [--db PATH]... [--jsonl FILE]... [--since T] [--until T] [--port N]\n"
    "                        [--process P] [--user U] [--unit U] [--section S]... [--utc]\n"
    "                        [--json | --csv | --format text|json|csv|pr | --html FILE]\n"
    "                        [--resolve [--resolve-timeout S]]\n"
    "\n"
    "Answer from record's databases: ports and the programs that used them with\n"
    "% of the recorded time, programs, remote ends, users, sockets per hour and\n"
    "per day, and things of interest.  Times are local (TZ), the zone named.\n"
    "\n"
    "      --db PATH           a record database (default " REPORT_DB_DEFAULT ");\n"
    "                          several --db merge several machines' records\n"
    "      --jsonl FILE        read what record --jsonl streamed instead of a\n"
    "                          database (repeat for several files of one machine)\n"
    "      --since T, --until T  the window: a date (2026-12-01) or a date and\n"
    "                          time (2026-12-01 13:00[:00], or with a T) in local\n"
    "                          time (UTC with --utc or a trailing Z:\n"
    "                          2026-12-01T13:00Z), or an age before now (90s, 30m,\n"
    "                          24h, 7d, 2w)\n"
    "      --port N            only sockets with local or remote port N\n"
    "      --process P         only a program (path, file name or command name)\n"
    "      --user U            only a user (name or uid)\n"
    "      --unit U            only a systemd unit or container\n"
    "      --section S         ports, processes, remotes, users, time (hours and\n"
    "                          days), hours, days, interest; repeat or comma-list\n"
    "      --utc               times, hours and days in UTC, not the local time zone\n"
    "      --json              one JSON document (schema in portscope(1))\n"
    "      --csv               one section as CSV (give one --section)\n"
    "      --format F          text, json, csv, or pr (Port Reporter PR-PORTS lines)\n"
    "      --html FILE         one self-contained HTML page with charts\n"
    "      --ports-of-interest LIST     e.g. 4444,1434,31337\n"
    "      --users-of-interest LIST     user names or uids\n"
    "      --remotes-of-interest LIST   addresses or CIDRs (10.0.0.0/8,2001:db8::/32)\n"
    "      --baseline-since T, --baseline-until T\n"
    "                          flag listening or bound ports not seen in this period\n"
    "      --resolve           remote addresses' names (reverse DNS), all looked up\n"
    "                          within --resolve-timeout; the rest stay addresses\n"
    "      --resolve-timeout S  the time for all names, 0.1-60 seconds (default 2)\n";

#ifndef HAVE_SQLITE

int
cmd_report(int argc, char **argv)
{
	(void)argc;
	if (argv[1] && strcmp(argv[1], "--help") == 0) {
		fputs(report_usage, stdout);
		return 0;
	}
	warnx("report is not available: this portscope was built without SQLite "
	    "(install libsqlite3-dev and rebuild)");
	return 1;
}

#else

#include "report/report.h"
#include "report/resolve.h"
#include "store/import.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/strtonum.h"
#include "util/vec.h"
#include "util/xmalloc.h"

enum report_format { FMT_TEXT, FMT_JSON, FMT_CSV, FMT_PR, FMT_HTML };

struct report_cli {
	struct { const char **v; size_t n, cap; } dbs, jsonl;
	char		*import_dir, *import_db;	/* --jsonl's database, removed at the end */
	struct { const char **v; size_t n, cap; } users, remotes;
	struct { uint16_t *v; size_t n, cap; } ports;
	const char	*since, *until, *base_since, *base_until;
	const char	*html;
	enum report_format fmt;
	int		 fmt_given;
	int		 want[SEC_COUNT];
	int		 sections_given;
	int		 resolve;
	const char	*resolve_timeout;
	long long	 resolve_ms;
	struct report_opts o;
};

static const struct cli cli = { .cmd = "report" };

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* A time from the command line: a date or date and time (local time, the
 * zone the report shows; UTC when it ends in Z), or an age before now
 * (90s, 30m, 24h, 7d, 2w).  Exits with a usage error. */
static int64_t
parse_when(const char *opt, const char *s, int64_t now)
{
	static const char *const fmts[] = { "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S",
	    "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d" };
	static const struct { char c; int64_t sec; } units[] = {
		{ 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 }, { 'w', 604800 } };
	struct tm tm;
	const char *end, *errstr;
	char num[24];
	size_t i, len = strlen(s);
	long long n;

	for (i = 0; len > 1 && len < sizeof(num) && i < sizeof(units) / sizeof(units[0]); i++) {
		if (s[len - 1] != units[i].c || strspn(s, "0123456789") != len - 1)
			continue;
		memcpy(num, s, len - 1);
		num[len - 1] = '\0';
		n = strtonum(num, 0, 36500LL * 86400 / units[i].sec, &errstr);
		if (errstr)
			cli_usage_error(&cli, "bad %s '%s': %s", opt, s, errstr);
		return now - (int64_t)n * units[i].sec * 1000000000;
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		memset(&tm, 0, sizeof(tm));
		end = strptime(s, fmts[i], &tm);
		if (end && end[0] == 'Z' && end[1] == '\0')
			return (int64_t)timegm(&tm) * 1000000000;
		if (end && *end == '\0') {
			tm.tm_isdst = -1;	/* whichever the date had */
			return (int64_t)mktime(&tm) * 1000000000;
		}
	}
	cli_usage_error(&cli, "bad %s '%s': give a date (2026-12-01), a date and time "
	    "(2026-12-01 13:00) or an age (24h)", opt, s);
}

static const struct { const char *name; int secs[2]; } section_names[] = {
	{ "ports", { SEC_PORTS, -1 } },
	{ "processes", { SEC_PROCESSES, -1 } },
	{ "remotes", { SEC_REMOTES, -1 } },
	{ "users", { SEC_USERS, -1 } },
	{ "time", { SEC_HOURS, SEC_DAYS } },
	{ "hours", { SEC_HOURS, -1 } },
	{ "days", { SEC_DAYS, -1 } },
	{ "interest", { SEC_INTEREST, -1 } },
};

static void
add_sections(struct report_cli *c, const char *list)
{
	char *dup = xstrdup(list), *p, *save = NULL;
	size_t i;
	int k;

	for (p = strtok_r(dup, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < sizeof(section_names) / sizeof(section_names[0]); i++)
			if (strcmp(section_names[i].name, p) == 0)
				break;
		if (i == sizeof(section_names) / sizeof(section_names[0]))
			cli_usage_error(&cli, "unknown section '%s': give ports, processes, "
			    "remotes, users, time, hours, days or interest", p);
		for (k = 0; k < 2; k++)
			if (section_names[i].secs[k] >= 0) {
				if (!c->want[section_names[i].secs[k]])
					c->sections_given++;
				c->want[section_names[i].secs[k]] = 1;
			}
	}
	free(dup);
}

static void
add_list(const char *opt, const char *list, const char ***v, size_t *n, size_t *cap,
    int cidr)
{
	char *dup = xstrdup(list), *p, *save = NULL;
	struct { const char **v; size_t n, cap; } vec = { *v, *n, *cap };

	for (p = strtok_r(dup, ",", &save); p; p = strtok_r(NULL, ",", &save)) {
		if (cidr && rep_cidr_match(p, NULL) == -1)
			cli_usage_error(&cli, "bad %s '%s': give an address or a CIDR "
			    "(10.0.0.0/8, 2001:db8::/32)", opt, p);
		*VEC_PUSH(&vec) = xstrdup(p);	/* lives as long as the command */
	}
	if (vec.n == *n)
		cli_usage_error(&cli, "%s needs a list", opt);
	free(dup);
	*v = vec.v;
	*n = vec.n;
	*cap = vec.cap;
}

static void
set_format(struct report_cli *c, enum report_format f, const char *opt)
{
	if (c->fmt_given && c->fmt != f)
		cli_usage_error(&cli, "%s: only one output format at a time", opt);
	c->fmt = f;
	c->fmt_given = 1;
}

static void
report_parse(int argc, char **argv, struct report_cli *c)
{
	enum { O_DB = 256, O_JSONL, O_SINCE, O_UNTIL, O_PORT, O_PROCESS, O_USER, O_UNIT,
	    O_SECTION, O_JSON, O_CSV, O_FORMAT, O_HTML, O_POI, O_UOI, O_ROI,
	    O_BSINCE, O_BUNTIL, O_UTC, O_RESOLVE, O_RESOLVE_TIMEOUT };
	static const struct option longopts[] = {
		{ "db", required_argument, NULL, O_DB },
		{ "jsonl", required_argument, NULL, O_JSONL },
		{ "since", required_argument, NULL, O_SINCE },
		{ "until", required_argument, NULL, O_UNTIL },
		{ "port", required_argument, NULL, O_PORT },
		{ "process", required_argument, NULL, O_PROCESS },
		{ "user", required_argument, NULL, O_USER },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "section", required_argument, NULL, O_SECTION },
		{ "json", no_argument, NULL, O_JSON },
		{ "csv", no_argument, NULL, O_CSV },
		{ "format", required_argument, NULL, O_FORMAT },
		{ "html", required_argument, NULL, O_HTML },
		{ "ports-of-interest", required_argument, NULL, O_POI },
		{ "users-of-interest", required_argument, NULL, O_UOI },
		{ "remotes-of-interest", required_argument, NULL, O_ROI },
		{ "baseline-since", required_argument, NULL, O_BSINCE },
		{ "baseline-until", required_argument, NULL, O_BUNTIL },
		{ "utc", no_argument, NULL, O_UTC },
		{ "resolve", no_argument, NULL, O_RESOLVE },
		{ "resolve-timeout", required_argument, NULL, O_RESOLVE_TIMEOUT },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *port = NULL, *fmt = NULL, *p;
	char *dup, *tok, *save;
	int64_t now;
	int ch, s;

	memset(c, 0, sizeof(*c));
	c->o.port = -1;
	opterr = 0;
	optind = 1;
	while ((ch = getopt_long(argc, argv, ":h", longopts, NULL)) != -1) {
		switch (ch) {
		case O_DB:
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "--db needs a path");
			*VEC_PUSH(&c->dbs) = optarg;
			break;
		case O_JSONL:
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "--jsonl needs a file name");
			*VEC_PUSH(&c->jsonl) = optarg;
			break;
		case O_SINCE:
			cli_once(&cli, &c->since, "--since", optarg);
			break;
		case O_UNTIL:
			cli_once(&cli, &c->until, "--until", optarg);
			break;
		case O_BSINCE:
			cli_once(&cli, &c->base_since, "--baseline-since", optarg);
			break;
		case O_BUNTIL:
			cli_once(&cli, &c->base_until, "--baseline-until", optarg);
			break;
		case O_PORT:
			cli_once(&cli, &port, "--port", optarg);
			c->o.port = cli_port(&cli, optarg);
			break;
		case O_PROCESS:
			cli_once(&cli, &c->o.process, "--process", optarg);
			break;
		case O_USER:
			cli_once(&cli, &c->o.user, "--user", optarg);
			break;
		case O_UNIT:
			cli_once(&cli, &c->o.unit, "--unit", optarg);
			break;
		case O_SECTION:
			add_sections(c, optarg);
			break;
		case O_JSON:
			set_format(c, FMT_JSON, "--json");
			break;
		case O_CSV:
			set_format(c, FMT_CSV, "--csv");
			break;
		case O_FORMAT:
			cli_once(&cli, &fmt, "--format", optarg);
			if (strcmp(optarg, "text") == 0)
				set_format(c, FMT_TEXT, "--format");
			else if (strcmp(optarg, "json") == 0)
				set_format(c, FMT_JSON, "--format");
			else if (strcmp(optarg, "csv") == 0)
				set_format(c, FMT_CSV, "--format");
			else if (strcmp(optarg, "pr") == 0)
				set_format(c, FMT_PR, "--format");
			else
				cli_usage_error(&cli, "bad format '%s': give text, json, csv "
				    "or pr", optarg);
			break;
		case O_HTML:
			cli_once(&cli, &c->html, "--html", optarg);
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "--html needs a file name");
			set_format(c, FMT_HTML, "--html");
			break;
		case O_POI:
			dup = xstrdup(optarg);
			for (tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				*VEC_PUSH(&c->ports) = cli_port(&cli, tok);
			free(dup);
			if (c->ports.n == 0)
				cli_usage_error(&cli, "--ports-of-interest needs a list");
			break;
		case O_UOI:
			add_list("--users-of-interest", optarg, &c->users.v, &c->users.n,
			    &c->users.cap, 0);
			break;
		case O_ROI:
			add_list("remote of interest", optarg, &c->remotes.v, &c->remotes.n,
			    &c->remotes.cap, 1);
			break;
		case O_UTC:
			c->o.utc = 1;
			break;
		case O_RESOLVE:
			c->resolve = 1;
			break;
		case O_RESOLVE_TIMEOUT:
			cli_once(&cli, &c->resolve_timeout, "--resolve-timeout", optarg);
			c->resolve_ms = cli_seconds(&cli, "resolve-timeout", optarg, 100, 60000);
			break;
		case 'h':
			fputs(report_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		cli_usage_error(&cli, "unexpected argument '%s'", argv[optind]);
	if (!c->sections_given)
		for (s = 0; s < SEC_COUNT; s++)
			c->want[s] = 1;
	if (c->fmt == FMT_CSV && c->sections_given != 1)
		cli_usage_error(&cli, "--csv writes one table: give one --section (ports, "
		    "processes, remotes, users, hours, days or interest)");
	if (c->resolve_timeout && !c->resolve)
		cli_usage_error(&cli, "--resolve-timeout needs --resolve");
	if (c->resolve && c->fmt == FMT_PR)
		cli_usage_error(&cli, "--resolve: PR-PORTS lines have no names; leave out "
		    "--format pr or --resolve");
	if (c->resolve && !report_resolve_available()) {
		warnx("cannot resolve names: this portscope was built without c-ares "
		    "(install libc-ares-dev and rebuild)");
		exit(2);
	}
	if (!c->resolve_timeout)
		c->resolve_ms = RESOLVE_TIMEOUT_MS;
	if ((c->base_since != NULL) != (c->base_until != NULL))
		cli_usage_error(&cli, "give both --baseline-since and --baseline-until");
	if (c->dbs.n == 0 && c->jsonl.n == 0)
		*VEC_PUSH(&c->dbs) = REPORT_DB_DEFAULT;
	/* One choice of zone for everything that follows: the times given,
	 * and every time the report shows (localtime, SQLite's too). */
	if (c->o.utc && setenv("TZ", "UTC0", 1) == -1)
		err(1, "cannot set TZ");
	tzset();
	now = now_ns();
	if (c->since)
		c->o.since = parse_when("since", c->since, now);
	if (c->until)
		c->o.until = parse_when("until", c->until, now);
	if (c->base_since) {
		c->o.base_since = parse_when("baseline-since", c->base_since, now);
		c->o.base_until = parse_when("baseline-until", c->base_until, now);
		if (c->o.base_since >= c->o.base_until)
			cli_usage_error(&cli, "--baseline-since (%s) is not before "
			    "--baseline-until (%s)", c->base_since, c->base_until);
	}
	c->o.ports_of_interest = c->ports.v;
	c->o.nports_of_interest = c->ports.n;
	c->o.users_of_interest = c->users.v;
	c->o.nusers_of_interest = c->users.n;
	c->o.remotes_of_interest = c->remotes.v;
	c->o.nremotes_of_interest = c->remotes.n;
	(void)p;
}

/* The window from the options (times parsed by report_parse), checked;
 * by default all that was recorded.  Returns 0, or 2 after saying why. */
static int
report_window(struct report_cli *c, struct store_reader *r)
{
	int64_t now = now_ns(), first, last;
	char err[256];

	if (report_span(r, &first, &last, err, sizeof(err)) == -1) {
		warnx("%s", err);
		return 1;
	}
	if (!c->since)
		c->o.since = first;
	if (!c->until)
		c->o.until = (last > now ? last : now) + 1;
	if (c->o.since >= c->o.until) {
		warnx("--since (%s) is not before --until (%s); see 'portscope help report'",
		    c->since ? c->since : "the first record", c->until ? c->until : "now");
		return 2;
	}
	return 0;
}

static int
write_out(struct buf *b, const char *what)
{
	if (buf_flush(b) == -1 || b->error) {
		warnx("cannot write %s: %s", what, strerror(b->error ? b->error : errno));
		return 1;
	}
	return 0;
}

static void
report_cli_release(struct report_cli *c)
{
	size_t i;

	for (i = 0; i < c->users.n; i++)
		free((char *)c->users.v[i]);
	for (i = 0; i < c->remotes.n; i++)
		free((char *)c->remotes.v[i]);
	VEC_FREE(&c->users);
	VEC_FREE(&c->remotes);
	VEC_FREE(&c->ports);
	VEC_FREE(&c->dbs);
	VEC_FREE(&c->jsonl);
	if (c->import_db) {
		unlink(c->import_db);
		for (i = 0; i < 2; i++) {
			char *side;

			xasprintf(&side, "%s%s", c->import_db, i ? "-shm" : "-wal");
			unlink(side);
			free(side);
		}
		rmdir(c->import_dir);
	}
	free(c->import_db);
	free(c->import_dir);
}

/* --jsonl: the files' events into a database of their own in a temporary
 * directory (labelled with the first file's name), read like any other.
 * Returns 0, or 2 after saying why. */
static int
report_import(struct report_cli *c)
{
	const char *tmp = getenv("TMPDIR");
	const char *slash = strrchr(c->jsonl.v[0], '/');
	char err[512], *dir;

	xasprintf(&dir, "%s/portscope-report.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		warnx("cannot make a directory in '%s': %s", tmp && *tmp ? tmp : "/tmp",
		    strerror(errno));
		free(dir);
		return 2;
	}
	c->import_dir = dir;
	xasprintf(&c->import_db, "%s/jsonl.db", dir);
	if (store_import_jsonl(c->import_db, slash ? slash + 1 : c->jsonl.v[0], c->jsonl.v,
	    c->jsonl.n, err, sizeof(err)) == -1) {
		warnx("%s", err);
		return 2;
	}
	*VEC_PUSH(&c->dbs) = c->import_db;
	return 0;
}

int
cmd_report(int argc, char **argv)
{
	struct report_cli c;
	struct store_reader *r = NULL;
	struct report rep;
	struct buf b;
	char err[512];
	int fd = STDOUT_FILENO, rc = 0, s, only = -1, built = 0;

	memset(&rep, 0, sizeof(rep));
	buf_init(&b);
	report_parse(argc, argv, &c);
	if (c.jsonl.n && (rc = report_import(&c)) != 0)
		goto out;
	if (!(r = store_reader_open(c.dbs.v, c.dbs.n, err, sizeof(err)))) {
		warnx("%s", err);
		rc = 2;
		goto out;
	}
	if ((rc = report_window(&c, r)) != 0)
		goto out;
	if (c.html && (fd = open(c.html, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1) {
		warnx("cannot open '%s': %s", c.html, strerror(errno));
		rc = 2;
		goto out;
	}
	buf_init_fd(&b, fd);
	if (c.fmt == FMT_PR) {
		if (report_pr(r, &c.o, &b, err, sizeof(err)) == -1) {
			warnx("%s", err);
			rc = 1;
		}
		rc |= write_out(&b, "the report");
		goto out;
	}
	built = 1;
	if (report_build(&rep, r, &c.o, c.want, err, sizeof(err)) == -1) {
		warnx("%s", err);
		rc = 1;
		goto out;
	}
	if (c.resolve) {
		if (report_resolve(&rep, c.resolve_ms, err, sizeof(err)) == -1) {
			warnx("%s", err);
			rc = 1;
			goto out;
		}
		if (rep.names.unresolved)
			warnx("%zu of %zu names not resolved within %g s; they are shown "
			    "as addresses", rep.names.unresolved, rep.names.addresses,
			    (double)c.resolve_ms / 1000);
	}
	rep.generated = now_ns();
	switch (c.fmt) {
	case FMT_TEXT:
		render_text(&rep, &b);
		break;
	case FMT_JSON:
		render_json(&rep, &c.o, &b);
		break;
	case FMT_CSV:
		for (s = 0; s < SEC_COUNT; s++)
			if (c.want[s])
				only = s;
		render_csv(&rep, (enum rep_section)only, &b);
		break;
	case FMT_HTML:
		render_html(&rep, &c.o, &b);
		break;
	case FMT_PR:
		break;
	}
	rc = write_out(&b, c.html ? c.html : "the report");
out:
	if (c.html && fd >= 0 && fd != STDOUT_FILENO && close(fd) == -1 && rc == 0) {
		warnx("cannot write '%s': %s", c.html, strerror(errno));
		rc = 1;
	}
	buf_release(&b);
	if (built)
		report_free(&rep);
	store_reader_close(r);
	report_cli_release(&c);
	return rc;
}

#endif
