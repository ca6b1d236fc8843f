/*
 * portscope: how this machine's applications use the network, and whether
 * a port on another machine is really listening.
 *
 * This file holds the command table and the translation of PortQry 2.0
 * command lines (-n, -local, -wport, -wpid, -i, -?) into portscope
 * commands; nothing else.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "portqry.h"
#include "util/xmalloc.h"

struct command {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
};

static const struct command commands[] = {
	{ "events", cmd_events, "every port use as it happens, with its process (eBPF)" },
	{ "local", cmd_local, "every socket with its owning processes (PortQry -local)" },
	{ "profile", cmd_profile, "run a command and map every port it uses to its module and function" },
	{ "query", cmd_query, "is a TCP/UDP port on a host listening? (PortQry -n)" },
	{ "record", cmd_record, "record every port use into a database (Port Reporter)" },
	{ "report", cmd_report, "answers from record's databases: ports, programs, time (Port Reporter Parser)" },
	{ "top", cmd_top, "live view of every endpoint: new, changed, closed (TCPView)" },
	{ "watch", cmd_watch, "watch one port or one process, print what changes (PortQry -wport/-wpid)" },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f,
	    "usage: portscope COMMAND [OPTIONS]\n"
	    "       portscope help COMMAND | --help | --version\n"
	    "\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f,
	    "\n"
	    "PortQry command lines work unchanged:\n"
	    "  portscope -n HOST [-p tcp|udp|both] [-e PORT | -o P1,P2 | -r A:B] [-l FILE [-y]] [-q]\n"
	    "            [-sp PORT] [-sl] [-nr] [-cn !community!]\n"
	    "  portscope -local [-v] [-l FILE]\n"
	    "  portscope -wport PORT [-wt SECONDS] [-v] [-l FILE]\n"
	    "  portscope -wpid PID [-wt SECONDS] [-v] [-l FILE]\n"
	    "  portscope -i [-n HOST] [options]   (interactive)\n"
	    "  portscope -?                       (PortQry's help screen)\n");
}

static const struct command *
command_find(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

/*
 * Rewrite a PortQry command line (argv[1] starts with a single dash and is
 * one of PortQry's mode options) into the portscope command it means.
 * Returns the command to run with *nargv set (argv[0] = command name), or
 * NULL after printing a usage error.
 */
static const struct command *
portqry_translate(int argc, char **argv, int *nargc, char ***nargv)
{
	int i, n = 0, has_local = 0, has_wt = 0, has_n = 0;
	const char *wport = NULL, *wpid = NULL;
	char **av;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-local") == 0)
			has_local = 1;
		else if (strcmp(argv[i], "-wt") == 0)
			has_wt = 1;
		else if (strcmp(argv[i], "-n") == 0)
			has_n = 1;
		else if (strcmp(argv[i], "-wport") == 0 && i + 1 < argc)
			wport = argv[i + 1];
		else if (strcmp(argv[i], "-wpid") == 0 && i + 1 < argc)
			wpid = argv[i + 1];
	}
	if (has_wt && has_local) {
		warnx("-wt cannot be used with -local: it sets the interval of -wport or -wpid");
		return NULL;
	}
	if (has_wt && wport == NULL && wpid == NULL) {
		warnx("-wt needs -wport PORT or -wpid PID");
		return NULL;
	}
	if ((has_local + has_n + (wport || wpid)) > 1 || (wport && wpid)) {
		warnx("choose one of -n, -local, -wport and -wpid");
		return NULL;
	}

	av = xreallocarray(NULL, (size_t)argc + 3, sizeof(*av));
	if (has_n) {
		av[n++] = "query";
		av[n++] = "--portqry";
		for (i = 1; i < argc; i++)
			av[n++] = argv[i];
	} else if (has_local) {
		av[n++] = "local";
		av[n++] = "--portqry";
		for (i = 1; i < argc; i++)
			if (strcmp(argv[i], "-local") != 0)
				av[n++] = argv[i];
	} else if (wport || wpid) {
		av[n++] = "watch";
		av[n++] = "--portqry";
		for (i = 1; i < argc; i++) {
			if (strcmp(argv[i], "-wport") == 0)
				av[n++] = "--port";
			else if (strcmp(argv[i], "-wpid") == 0)
				av[n++] = "--pid";
			else if (strcmp(argv[i], "-wt") == 0)
				av[n++] = "--interval";
			else
				av[n++] = argv[i];
		}
	} else {
		free(av);
		warnx("unknown option '%s'; see 'portscope --help'", argv[1]);
		return NULL;
	}
	av[n] = NULL;
	*nargc = n;
	*nargv = av;
	return command_find(av[0]);
}

/*
 * A standard descriptor that was closed (`>&-`) would be the next file we
 * open, and output meant for the user would go into a socket or a log.
 * Fill each closed one with /dev/null opened the wrong way round, so that
 * using it still fails (EBADF) and is reported as a write error.
 */
static void
std_fds_hold(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++)
		if (fcntl(fd, F_GETFD) == -1 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_WRONLY : O_RDONLY) != fd)
			exit(2);
}

/*
 * A PortQry command line: its spellings normalised (portqry.c), then -i,
 * or the command it means.  PortQry's "-?" prints PortQry's help screen.
 */
static int
portqry_main(int argc, char **argv)
{
	const struct command *cmd;
	char **pv, **nargv, err[256];
	int pc, nargc, i, rc, usage_rc = 2;

	if (strcmp(argv[1], "-?") == 0 || strcmp(argv[1], "/?") == 0) {
		portqry_help(stdout);
		return 0;
	}
	/* -n and -i give verdicts as exit status: their usage errors exit 3,
	 * apart from "filtered" (2), as query's own do */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "-n") == 0 || strcmp(argv[i], "-i") == 0)
			usage_rc = 3;
	if ((pv = portqry_argv(argc, argv, &pc, err, sizeof(err))) == NULL) {
		warnx("%s; see 'portscope -?'", err);
		return usage_rc;
	}
	for (i = 1; i < pc; i++)
		if (strcmp(pv[i], "-i") == 0)
			break;
	if (i < pc)
		rc = cmd_interactive(pc - 1, pv + 1);
	else if ((cmd = portqry_translate(pc, pv, &nargc, &nargv)) == NULL)
		rc = usage_rc;
	else {
		rc = cmd->fn(nargc, nargv);
		free(nargv);
	}
	portqry_argv_free(pv, pc);
	return rc;
}

int
main(int argc, char **argv)
{
	const struct command *cmd;
	char *helpv[3];

	std_fds_hold();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
		/* then one "name: yes|no" line per optional part of the build */
		printf("portscope %s\n%s", PORTSCOPE_VERSION, PORTSCOPE_PARTS);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		if ((cmd = command_find(argv[2])) == NULL) {
			warnx("unknown command '%s'; see 'portscope --help'", argv[2]);
			return 2;
		}
		helpv[0] = (char *)cmd->name;
		helpv[1] = "--help";
		helpv[2] = NULL;
		return cmd->fn(2, helpv);
	}
	if (argv[1][0] == '-' && argv[1][1] != '-')
		return portqry_main(argc, argv);
	if (argv[1][0] == '-') {
		warnx("unknown option '%s'; see 'portscope --help'", argv[1]);
		return 2;
	}
	if ((cmd = command_find(argv[1])) == NULL) {
		warnx("unknown command '%s'; see 'portscope --help'", argv[1]);
		return 2;
	}
	return cmd->fn(argc - 1, argv + 1);
}
