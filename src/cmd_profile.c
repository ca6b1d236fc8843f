/*
 * portscope profile: run a command (or attach to a running process or
 * unit) and produce its port profile: every port it and its descendants
 * bound, listened on, connected to, sent to or accepted on, when, and the
 * module and function that did it (profile/, unwind/, events/).
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bpf/profile.h"
#include "commands.h"
#include "events/cgroup.h"
#include "events/events.h"
#include "profile/cgrun.h"
#include "profile/profile.h"
#include "profile/render.h"
#include "unwind/stacksrc.h"
#include "unwind/unwind.h"
#include "util/sigfd.h"
#include "util/buf.h"
#include "util/cli.h"
#include "util/clock.h"
#include "util/strtonum.h"
#include "util/vec.h"

#define DURATION_MAX_MS		(100LL * 86400 * 1000)
#define TICK_MS			200	/* how often the command's cgroup is looked at */
#define STOP_WAIT_MS		2000	/* SIGTERM to SIGKILL for what is left */
#define BATCH_MS		10	/* at most one read of the sources per this: a
					   busy application's events are taken in
					   batches, not one wake-up each */

struct profile_opts {
	const char	*user;
	int		 json;
	const char	*html;
	const char	*expect;
	const char	*output;	/* -o: the profile here, not on stdout */
	long long	 duration_ms;	/* 0: until the command and what it left end */
	pid_t		 pid;
	const char	*unit;
	char		**argv;		/* the command; NULL when attaching */
	struct passwd	*pw;		/* --user */
};

static const char profile_usage[] =
    "usage: portscope profile [--user NAME] [--json] [--html FILE] [--expect FILE]\n"
    "                         [--duration S] [-o FILE] -- CMD [ARGS...]\n"
    "       portscope profile --pid PID | --unit NAME [--duration S] [--json]\n"
    "                         [--html FILE] [--expect FILE] [-o FILE]\n"
    "\n"
    "Run CMD in a cgroup of its own and report every port it and its descendants\n"
    "(daemons too) bound, listened on, connected to, sent to or accepted on: a\n"
    "summary, a table of ports with the module!function that used each (from\n"
    "DWARF unwinding of the user stack at each socket system call), the ports\n"
    "against the documentation, and a timeline.  Needs root (eBPF).  The exit\n"
    "status is CMD's.\n"
    "\n"
    "      --user NAME   run CMD as user NAME (root only)\n"
    "      --json        one JSON object instead of text (full stacks included)\n"
    "      --html FILE   also write a self-contained HTML page to FILE\n"
    "  -o, --output FILE write the profile to FILE, not to standard output\n"
    "                    (which the command shares)\n"
    "      --expect FILE the documented ports, one a line: 'tcp/443 connect',\n"
    "                    'udp/53 send', 'tcp/8080 listen' (also bind, accept)\n"
    "      --duration S  stop after S seconds (0.01 or more); what is still\n"
    "                    running in the cgroup is stopped\n"
    "      --pid PID     attach to process PID and its descendants\n"
    "      --unit NAME   attach to systemd unit NAME (its cgroup and below)\n";

static void
profile_parse(int argc, char **argv, struct profile_opts *o)
{
	enum { O_USER = 256, O_JSON, O_HTML, O_EXPECT, O_DURATION, O_PID, O_UNIT };
	static const struct option longopts[] = {
		{ "user", required_argument, NULL, O_USER },
		{ "json", no_argument, NULL, O_JSON },
		{ "html", required_argument, NULL, O_HTML },
		{ "expect", required_argument, NULL, O_EXPECT },
		{ "duration", required_argument, NULL, O_DURATION },
		{ "pid", required_argument, NULL, O_PID },
		{ "unit", required_argument, NULL, O_UNIT },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct cli cli = { .cmd = "profile" };
	const char *duration = NULL, *pid = NULL;
	int ch;

	memset(o, 0, sizeof(*o));
	opterr = 0;
	optind = 1;
	/* '+': the command's own options are not ours */
	while ((ch = getopt_long(argc, argv, "+:ho:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_USER:
			cli_once(&cli, &o->user, "--user", optarg);
			break;
		case O_JSON:
			o->json = 1;
			break;
		case O_HTML:
			cli_once(&cli, &o->html, "--html", optarg);
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "bad file name '': give a path");
			break;
		case O_EXPECT:
			cli_once(&cli, &o->expect, "--expect", optarg);
			break;
		case 'o':
			cli_once(&cli, &o->output, "-o", optarg);
			if (optarg[0] == '\0')
				cli_usage_error(&cli, "bad file name '': give a path");
			break;
		case O_DURATION:
			cli_once(&cli, &duration, "--duration", optarg);
			o->duration_ms = cli_seconds(&cli, "duration", optarg, 10,
			    DURATION_MAX_MS);
			break;
		case O_PID:
			cli_once(&cli, &pid, "--pid", optarg);
			o->pid = cli_pid(&cli, optarg);
			break;
		case O_UNIT:
			cli_once(&cli, &o->unit, "--unit", optarg);
			break;
		case 'h':
			fputs(profile_usage, stdout);
			exit(0);
		default:
			cli_getopt_error(&cli, ch, argv, optind, optopt);
		}
	}
	if (optind < argc)
		o->argv = argv + optind;
	if (o->pid && o->unit)
		cli_usage_error(&cli, "give --pid or --unit, not both");
	if ((o->pid || o->unit) && o->argv)
		cli_usage_error(&cli, "give a command or --pid/--unit, not both");
	if (!o->pid && !o->unit && !o->argv)
		cli_usage_error(&cli, "no command given: portscope profile -- CMD [ARGS...]");
	if (o->user && !o->argv)
		cli_usage_error(&cli, "--user applies to a command run by profile");
	if (o->user) {
		if (geteuid() != 0)
			cli_usage_error(&cli, "--user needs root");
		if ((o->pw = getpwnam(o->user)) == NULL)
			cli_usage_error(&cli, "unknown user '%s'", o->user);
	}
	if (o->pid && kill(o->pid, 0) == -1 && errno == ESRCH)
		errx(2, "no process with pid %d", (int)o->pid);
}

/* Is cmd something execvp can run?  Sets errno when not. */
static int
runnable(const char *cmd)
{
	const char *path = getenv("PATH");
	char full[4096];
	const char *p, *end;
	struct stat st;
	int saw_eacces = 0;

	if (strchr(cmd, '/')) {
		if (stat(cmd, &st) == -1)
			return 0;
		if (S_ISDIR(st.st_mode) || access(cmd, X_OK) == -1) {
			errno = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
			return 0;
		}
		return 1;
	}
	if (cmd[0] == '\0') {
		errno = ENOENT;
		return 0;
	}
	for (p = path ? path : "/usr/local/bin:/usr/bin:/bin"; ; p = end + 1) {
		end = strchr(p, ':');
		if (end == NULL)
			end = p + strlen(p);
		snprintf(full, sizeof(full), "%.*s/%s", (int)(end - p), end == p ? "." : p, cmd);
		if (stat(full, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(full, X_OK) == 0)
				return 1;
			saw_eacces = 1;
		}
		if (*end == '\0')
			break;
	}
	errno = saw_eacces ? EACCES : ENOENT;
	return 0;
}

struct run {
	struct profile_opts	 o;
	struct profile		 prof;
	struct ev_source	*ev;
	struct stacksrc		*ss;
	struct cgrun		 cg;
	int			 have_cg;
	pid_t			 child;
	int			 status;	/* the command's exit status; -1 until known */
};

static void
on_event(const struct port_event *e, void *arg)
{
	struct run *r = arg;

	profile_event(&r->prof, e);
}

static void
on_snap(const struct pfk_snap *s, void *arg)
{
	struct run *r = arg;

	profile_snapshot(&r->prof, s);
}

static void
on_maps(const struct pfk_maps *m, void *arg)
{
	struct run *r = arg;

	profile_maps(&r->prof, m);
}

/* Read both sources, events first (see profile_join).  Returns 0 or -1. */
static int
drain(struct run *r)
{
	const struct stacksrc_handler h = { on_maps, on_snap, r };
	char errbuf[256];

	if (ev_read(r->ev, on_event, r, errbuf, sizeof(errbuf)) == -1 ||
	    stacksrc_read(r->ss, &h, errbuf, sizeof(errbuf)) == -1) {
		warnx("%s", errbuf);
		return -1;
	}
	profile_join(&r->prof);
	return 0;
}

static int
signals_begin(sigset_t *old)
{
	static const int also[] = { SIGCHLD, 0 };
	int fd;

	if ((fd = sigfd_open(also, old)) == -1)
		err(1, "cannot set up signal handling");
	return fd;
}

/* The child: into the cgroup, wait until the sources are open (a byte on
 * gofd; end of file: give up), become the user, run the command.  A
 * failure is written to errfd (close-on-exec) as an errno and a stage. */
static void __attribute__((noreturn))
child_exec(struct run *r, int gofd, int errfd, const sigset_t *mask)
{
	int fail[2];
	char go;

	signal(SIGPIPE, SIG_DFL);
	fail[1] = 0;
	if (cgrun_enter(&r->cg, 0) == -1)
		goto fail;
	if (read(gofd, &go, 1) != 1)
		_exit(127);
	close(gofd);
	sigprocmask(SIG_SETMASK, mask, NULL);
	fail[1] = 1;
	if (r->o.pw) {
		if (initgroups(r->o.pw->pw_name, r->o.pw->pw_gid) == -1 ||
		    setgid(r->o.pw->pw_gid) == -1 || setuid(r->o.pw->pw_uid) == -1)
			goto fail;
		setenv("HOME", r->o.pw->pw_dir, 1);
		setenv("USER", r->o.pw->pw_name, 1);
		setenv("LOGNAME", r->o.pw->pw_name, 1);
	}
	fail[1] = 2;
	execvp(r->o.argv[0], r->o.argv);
fail:
	fail[0] = errno;
	if (write(errfd, fail, sizeof(fail)) < 0)
		_exit(127);
	_exit(127);
}

static int
exit_status(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 128 + WTERMSIG(st);
	return 1;
}

static void
reap(struct run *r)
{
	int st;

	while (r->child > 0 && r->status < 0 && waitpid(r->child, &st, WNOHANG) == r->child)
		r->status = exit_status(st);
	while (waitpid(-1, &st, WNOHANG) > 0)	/* anything else of ours */
		;
}

/* Write b to fd whole; -1 with errno on failure. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t n;

	while (len) {
		if ((n = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int
cmd_profile(int argc, char **argv)
{
	struct run r;
	struct ev_filter filter;
	struct ev_options evo;
	struct prof_expect expect;
	struct prof_run info;
	struct unwind_stats ust;
	struct pollfd pf[4];
	struct buf out;
	sigset_t oldmask;
	char errbuf[512], target[300];
	uint64_t start, end = 0, now, next_tick;
	unsigned level;
	int sigfd, errpipe[2], gopipe[2] = { -1, -1 }, fail[2], htmlfd = -1;
	int outfd = STDOUT_FILENO, t, stopping = 0, rc = 0, n, have_prof = 0, pidfd = -1;
	uint64_t cgid;
	const char *why;
	ssize_t got;

	memset(&r, 0, sizeof(r));
	memset(&expect, 0, sizeof(expect));
	r.status = -1;
	profile_parse(argc, argv, &r.o);
	if (r.o.argv && !runnable(r.o.argv[0]))
		errx(2, "cannot run '%s': %s", r.o.argv[0], strerror(errno));
	if (r.o.expect && prof_expect_read(r.o.expect, &expect, errbuf, sizeof(errbuf)) == -1)
		errx(2, "%s", errbuf);
	if ((why = unwind_unavailable()) != NULL)
		errx(1, "profile is unavailable: %s", why);
	if (geteuid() != 0)
		errx(1, "profile needs root (it loads eBPF programs)");
	if (r.o.html && (htmlfd = open(r.o.html, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		errx(2, "cannot open '%s': %s", r.o.html, strerror(errno));
	if (r.o.output && (outfd = open(r.o.output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0644)) == -1)
		errx(2, "cannot open '%s': %s", r.o.output, strerror(errno));

	/* what to watch */
	if (r.o.argv) {
		if (cgrun_create(&r.cg, errbuf, sizeof(errbuf)) == -1)
			errx(1, "%s", errbuf);
		r.have_cg = 1;
		cgid = r.cg.id;
		level = r.cg.level;
	} else {
		if (r.o.unit) {
			if (cgroup_unit_id(r.o.unit, &cgid, errbuf, sizeof(errbuf)) == -1)
				errx(2, "%s", errbuf);
			snprintf(target, sizeof(target), "unit %s", r.o.unit);
		} else {
			if ((cgid = cgroup_of_pid(r.o.pid)) == 0)
				errx(1, "cannot find the cgroup of process %d", (int)r.o.pid);
			snprintf(target, sizeof(target), "pid %d and its descendants",
			    (int)r.o.pid);
		}
		if (cgroup_level(cgid, &level) == -1)
			errx(1, "cannot find the cgroup of %s", target);
	}
	sigfd = signals_begin(&oldmask);
	signal(SIGPIPE, SIG_IGN);

	/* The command first, held until the sources are open: the event
	 * engine then filters by its pid (and its descendants') in the
	 * kernel, and nothing it does is missed. */
	if (r.o.argv) {
		if (pipe2(gopipe, O_CLOEXEC) == -1 || pipe2(errpipe, O_CLOEXEC) == -1)
			err(1, "pipe");
		if ((r.child = fork()) == -1)
			err(1, "fork");
		if (r.child == 0) {
			close(gopipe[1]);
			close(errpipe[0]);
			child_exec(&r, gopipe[0], errpipe[1], &oldmask);
		}
		close(gopipe[0]);
		close(errpipe[1]);
	}
	/* the sources: stack snapshots, then port events */
	if ((r.ss = stacksrc_open(cgid, level, r.o.pid, errbuf, sizeof(errbuf))) == NULL) {
		warnx("profile is unavailable: %s", errbuf);
		rc = 1;
		goto out;
	}
	ev_filter_init(&filter);
	filter.cgroup_id = cgid;
	filter.pid = r.o.argv ? r.child : r.o.pid;
	filter.all_netns = 1;
	/* the uses profile counts: no state changes or closes (the kernel
	 * programs then skip them, a large part of their work) */
	filter.types = EV_BIT(EV_EXISTING) | EV_BIT(EV_BIND) | EV_BIT(EV_LISTEN) |
	    EV_BIT(EV_CONNECT) | EV_BIT(EV_ACCEPT) | EV_BIT(EV_UDP_FLOW);
	memset(&evo, 0, sizeof(evo));
	evo.backend = EV_BACKEND_BPF;
	evo.no_existing = r.o.argv != NULL;
	if ((r.ev = ev_open(&filter, &evo, errbuf, sizeof(errbuf))) == NULL) {
		warnx("profile is unavailable: %s", errbuf);
		rc = 1;
		goto out;
	}
	start = clock_mono_ns();
	profile_init(&r.prof, start);
	have_prof = 1;
	if (r.o.duration_ms)
		end = start + (uint64_t)r.o.duration_ms * NSEC_PER_MSEC;

	if (r.o.argv) {
		if (write(gopipe[1], "g", 1) != 1)
			err(1, "cannot start the command");
		close(gopipe[1]);
		gopipe[1] = -1;
		got = read(errpipe[0], fail, sizeof(fail));
		close(errpipe[0]);
		if (got == (ssize_t)sizeof(fail)) {
			waitpid(r.child, NULL, 0);
			r.child = 0;
			warnx("%s: %s", fail[1] == 0 ? "cannot move the command into its "
			    "cgroup" : fail[1] == 1 ? "cannot become the user" :
			    "cannot run the command", strerror(fail[0]));
			rc = fail[1] == 2 ? 2 : 1;
			goto out;
		}
	}

	/* an attached process's end, even as a zombie nobody reaps */
	if (r.o.pid && (pidfd = (int)syscall(SYS_pidfd_open, r.o.pid, 0)) == -1)
		pidfd = -1;	/* old kernel: kill(pid, 0) each tick */
	if (!r.o.argv)
		fprintf(stderr, "portscope: profiling %s (Ctrl-C to stop)\n", target);
	next_tick = clock_mono_ns() + TICK_MS * NSEC_PER_MSEC;
	for (;;) {
		now = clock_mono_ns();
		if (end && now >= end)
			break;
		if (now >= next_tick) {
			next_tick = now + TICK_MS * NSEC_PER_MSEC;
			reap(&r);
			/* the command is done, and so is all it left behind */
			if (r.o.argv && r.status >= 0 && cgrun_count(&r.cg) == 0)
				break;
			if (r.o.pid && (pidfd == -1 ? kill(r.o.pid, 0) == -1 : 0))
				break;
		}
		t = (int)((next_tick - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		if (end && (end - now) / NSEC_PER_MSEC < (uint64_t)t)
			t = (int)((end - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		pf[0].fd = ev_fd(r.ev);
		pf[0].events = POLLIN;
		pf[1].fd = stacksrc_fd(r.ss);
		pf[1].events = POLLIN;
		pf[2].fd = sigfd;
		pf[2].events = POLLIN;
		pf[3].fd = pidfd;	/* -1: ignored */
		pf[3].events = POLLIN;
		if (poll(pf, 4, t) == -1 && errno != EINTR)
			err(1, "poll");
		if (pf[3].revents)	/* the attached process has exited */
			stopping = 1;
		if (pf[2].revents & POLLIN) {
			struct signalfd_siginfo si;

			while (read(sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
				if (si.ssi_signo != SIGCHLD)
					stopping = 1;
			reap(&r);
			if (r.o.argv && r.status >= 0 && cgrun_count(&r.cg) == 0)
				stopping = 1;
		}
		if (drain(&r) == -1) {
			rc = 1;
			break;
		}
		if (stopping)
			break;
		if (pf[0].revents || pf[1].revents) {
			struct timespec ts = { 0, BATCH_MS * 1000000L };

			nanosleep(&ts, NULL);
		}
	}
	/* what arrived before the end */
	if (drain(&r) == -1)
		rc = 1;
	if (r.have_cg) {
		if ((n = cgrun_count(&r.cg)) > 0)
			warnx("stopping the %d process%s still running in the profiled "
			    "cgroup", n, n == 1 ? "" : "es");
		if (cgrun_remove(&r.cg, STOP_WAIT_MS, errbuf, sizeof(errbuf)) == -1)
			warnx("%s", errbuf);
		r.have_cg = 0;
		if (r.child > 0 && r.status < 0) {
			int st;

			if (waitpid(r.child, &st, 0) == r.child)
				r.status = exit_status(st);
		}
		/* the last words of what was stopped */
		if (drain(&r) == -1)
			rc = 1;
	}
	profile_finish(&r.prof);

	memset(&info, 0, sizeof(info));
	info.argv = r.o.argv;
	info.target = target;
	info.exit_status = r.o.argv ? r.status : -1;
	info.duration_ns = clock_mono_ns() - start;
	info.snapshots_lost = stacksrc_lost(r.ss);
	profile_unwind_stats(&r.prof, &ust);
	info.stacks_walked = ust.stacks - ust.cached;
	info.stacks_recognised = ust.cached;
	if (r.o.expect) {
		prof_expect_check(&expect, &r.prof);
		info.expect = &expect;
		info.expect_path = r.o.expect;
	}
	buf_init(&out);
	if (r.o.json)
		prof_render_json(&out, &r.prof, &info);
	else
		prof_render_text(&out, &r.prof, &info);
	if ((write_all(outfd, out.data, out.len) == -1 && errno != EPIPE) ||
	    (outfd != STDOUT_FILENO && close(outfd) == -1)) {
		warn("cannot write %s", r.o.output ? r.o.output : "output");
		rc = 1;
	}
	outfd = STDOUT_FILENO;
	if (htmlfd != -1) {
		buf_reset(&out);
		prof_render_html(&out, &r.prof, &info);
		if (write_all(htmlfd, out.data, out.len) == -1 || close(htmlfd) == -1) {
			warn("cannot write '%s'", r.o.html);
			rc = 1;
		}
		htmlfd = -1;
	}
	buf_release(&out);
	if (rc == 0 && r.o.argv)
		rc = r.status >= 0 ? r.status : 1;
out:
	if (have_prof)
		profile_release(&r.prof);
	if (gopipe[1] != -1)
		close(gopipe[1]);	/* a command still held: it ends */
	if (r.have_cg) {
		if (r.child > 0 && r.status < 0)
			kill(r.child, SIGKILL);
		if (cgrun_remove(&r.cg, STOP_WAIT_MS, errbuf, sizeof(errbuf)) == -1)
			warnx("%s", errbuf);
		if (r.child > 0 && r.status < 0)
			waitpid(r.child, NULL, 0);
	}
	if (htmlfd != -1) {
		close(htmlfd);
		unlink(r.o.html);
	}
	if (outfd != STDOUT_FILENO)
		close(outfd);
	if (r.ev)
		ev_close(r.ev);
	stacksrc_close(r.ss);
	VEC_FREE(&expect);
	if (pidfd != -1)
		close(pidfd);
	close(sigfd);
	return rc;
}
