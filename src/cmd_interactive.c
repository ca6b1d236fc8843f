/*
 * portscope -i: PortQry 2.0's interactive mode.  Commands are read one a
 * line, from a terminal (with a prompt) or from a pipe (a script, no
 * prompt); settings persist between queries:
 *
 *   node NAME | n NAME        the target
 *   query | q                 query the target with the current settings
 *   q SET                     query a named port set (dns, ldap, rpc, sql…,
 *                             as `portscope query --list-sets` shows them)
 *   set KEY=VALUE | s …       e (port), r (range A:B), o (list), p (protocol),
 *                             cn (community), sp (source port), sl, nr
 *   set | s                   show the settings
 *   help | h | ?              the commands
 *   exit | quit               leave (so does the end of input)
 *
 * Microsoft documents the mode only as "Similar to command-line mode, but
 * you can use shortcut commands and parameters" ("Using the PortQry
 * command-line tool", learn.microsoft.com); the command names follow
 * issue 10 and the keys are the command line's own option letters
 * (doc/portqry-compat.md §4).
 *
 * Each query is the command-line query itself (cmd_query in PortQry's
 * form, `-n NODE …`), run in a child process: its output, its verdict
 * lines and its exit status are exactly those of `portscope -n`, and an
 * error in one query (a name that does not resolve) ends that query, not
 * the session.  The session's exit status is the last query's.
 */
#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <unistd.h>

#include "commands.h"
#include "query/portsets.h"
#include "util/buf.h"
#include "util/strtonum.h"
#include "util/xmalloc.h"

#define ILINE_MAX	1024

/* The settings a query is made with; strings are owned (xstrdup). */
struct isettings {
	char		*node;
	char		*ports;		/* value of the port option */
	char		 port_opt;	/* 'e', 'o' or 'r' */
	char		*proto;		/* "tcp", "udp", "both" */
	char		*community;	/* without the bangs; NULL: default */
	char		*src_port;	/* NULL: ephemeral */
	int		 slow_link;
	int		 no_reverse;
};

static void
iset_str(char **dst, const char *v)
{
	free(*dst);
	*dst = v ? xstrdup(v) : NULL;
}

static void
isettings_release(struct isettings *s)
{
	free(s->node);
	free(s->ports);
	free(s->proto);
	free(s->community);
	free(s->src_port);
}

static void
ihelp(FILE *f)
{
	fprintf(f,
	    "Commands:\n"
	    "  node NAME | n NAME     set the node (host name or IP address) to query\n"
	    "  query | q              query the node with the current settings\n"
	    "  q SET                  query a predefined set of ports:\n"
	    "                         ");
	{
		struct buf names;

		buf_init(&names);
		portset_names(&names);
		fprintf(f, "%s\n", buf_str(&names));
		buf_release(&names);
	}
	fprintf(f,
	    "  set KEY=VALUE | s ...  change a setting:\n"
	    "      e=PORT             one port (1-65535)\n"
	    "      r=A:B              a range of ports\n"
	    "      o=P1,P2,...        a list of ports\n"
	    "      p=tcp|udp|both     the protocol\n"
	    "      cn=COMMUNITY       the SNMP community (bangs optional)\n"
	    "      sp=PORT            the source port (0: ephemeral)\n"
	    "      sl=on|off          slow link: wait longer for UDP replies\n"
	    "      nr=on|off          no reverse lookup of an IP address\n"
	    "  set | s                show the current settings\n"
	    "  help | h | ?           this list\n"
	    "  exit | quit            leave interactive mode\n");
}

static void
ishow(const struct isettings *s)
{
	printf("Current Query Options:\n\n"
	    "   node:          %s\n"
	    "   %-14s %s\n"
	    "   protocol:      %s\n"
	    "   source port:   %s\n"
	    "   community:     %s\n"
	    "   slow link:     %s\n"
	    "   reverse name:  %s\n\n",
	    s->node ? s->node : "(none: use 'node NAME')",
	    s->port_opt == 'r' ? "port range:" : s->port_opt == 'o' ?
	    "port list:" : "port:", s->ports,
	    s->proto, s->src_port ? s->src_port : "ephemeral",
	    s->community ? s->community : "public",
	    s->slow_link ? "on" : "off", s->no_reverse ? "off" : "on");
}

/* Check a port number; returns 0, or -1 after saying why. */
static int
icheck_port(const char *what, const char *v, long long lo)
{
	const char *errstr;

	strtonum(v, lo, 65535, &errstr);
	if (errstr != NULL) {
		fprintf(stderr, "portscope: %s '%s' is %s (%lld to 65535)\n",
		    what, v, errstr, lo);
		return -1;
	}
	return 0;
}

/* Check a list "P1,P2" (',' or ';') or a range "A:B": each a port. */
static int
icheck_ports(char opt, const char *v)
{
	char *copy = xstrdup(v), *p, *save = NULL;
	int rc = 0;

	if (*v == '\0' || (opt == 'r' && strchr(v, ':') == NULL)) {
		fprintf(stderr, "portscope: '%s' is not a %s\n", v,
		    opt == 'r' ? "range such as 1:1024" : "port list");
		free(copy);
		return -1;
	}
	for (p = strtok_r(copy, opt == 'r' ? ":" : ",;", &save);
	    p != NULL && rc == 0; p = strtok_r(NULL, opt == 'r' ? ":" : ",;",
	    &save))
		rc = icheck_port("port", p, 1);
	free(copy);
	return rc;
}

static int
ionoff(const char *v, int *out)
{
	if (strcasecmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*out = 1;
	else if (strcasecmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*out = 0;
	else {
		fprintf(stderr, "portscope: '%s' is not on or off\n", v);
		return -1;
	}
	return 0;
}

/* Apply "KEY=VALUE" (or "KEY VALUE" when val is given apart).  Returns 0,
 * or -1 after one line on stderr; the settings are unchanged then. */
static int
iset(struct isettings *s, const char *key, const char *v)
{
	size_t l;

	if (strcasecmp(key, "e") == 0 || strcasecmp(key, "port") == 0 ||
	    strcasecmp(key, "r") == 0 || strcasecmp(key, "range") == 0 ||
	    strcasecmp(key, "o") == 0 || strcasecmp(key, "list") == 0) {
		char opt = (char)((key[0] | 0x20) == 'p' ? 'e' :
		    (key[0] | 0x20) == 'l' ? 'o' : key[0] | 0x20);

		if ((opt == 'e' ? icheck_port("port", v, 1) :
		    icheck_ports(opt, v)) == -1)
			return -1;
		s->port_opt = opt;
		iset_str(&s->ports, v);
	} else if (strcasecmp(key, "p") == 0 || strcasecmp(key, "protocol") == 0) {
		if (strcasecmp(v, "tcp") && strcasecmp(v, "udp") &&
		    strcasecmp(v, "both")) {
			fprintf(stderr, "portscope: protocol '%s' is not tcp, "
			    "udp or both\n", v);
			return -1;
		}
		iset_str(&s->proto, v);
		for (char *c = s->proto; *c; c++)
			*c = (char)(*c | 0x20);
	} else if (strcasecmp(key, "cn") == 0 ||
	    strcasecmp(key, "community") == 0) {
		l = strlen(v);
		if (l >= 2 && v[0] == '!' && v[l - 1] == '!') {
			v++;
			l -= 2;
		}
		if (l == 0 || memchr(v, '!', l) != NULL) {
			fprintf(stderr, "portscope: community '%s' is empty or "
			    "holds a '!'\n", v);
			return -1;
		}
		free(s->community);
		s->community = xstrndup(v, l);
	} else if (strcasecmp(key, "sp") == 0 ||
	    strcasecmp(key, "sourceport") == 0) {
		if (icheck_port("source port", v, 0) == -1)
			return -1;
		iset_str(&s->src_port, strcmp(v, "0") == 0 ? NULL : v);
	} else if (strcasecmp(key, "sl") == 0) {
		return ionoff(v, &s->slow_link);
	} else if (strcasecmp(key, "nr") == 0) {
		return ionoff(v, &s->no_reverse);
	} else {
		fprintf(stderr, "portscope: no setting called '%s' (type help)\n",
		    key);
		return -1;
	}
	return 0;
}

/* Run one query as `portscope -n NODE …` in a child.  Returns its exit
 * status (a killed child: 128 + signal), or -1 when it could not start. */
static int
iquery(const struct isettings *s, const struct portset *set)
{
	char *av[24], *cn = NULL;
	int ac = 0, status;
	pid_t pid;

	if (s->node == NULL) {
		fprintf(stderr, "portscope: no node to query: use 'node NAME' "
		    "first\n");
		return -1;
	}
	av[ac++] = "query";
	av[ac++] = "--portqry";
	av[ac++] = "-n";
	av[ac++] = s->node;
	if (set != NULL) {
		av[ac++] = "--set";
		av[ac++] = (char *)set->name;
	} else {
		av[ac++] = "-p";
		av[ac++] = s->proto;
		av[ac++] = s->port_opt == 'r' ? "-r" : s->port_opt == 'o' ?
		    "-o" : "-e";
		av[ac++] = s->ports;
	}
	if (s->community != NULL) {
		cn = xmalloc(strlen(s->community) + 3);
		sprintf(cn, "!%s!", s->community);
		av[ac++] = "-cn";
		av[ac++] = cn;
	}
	if (s->src_port != NULL) {
		av[ac++] = "-sp";
		av[ac++] = s->src_port;
	}
	if (s->slow_link)
		av[ac++] = "-sl";
	if (s->no_reverse)
		av[ac++] = "-nr";
	av[ac] = NULL;

	fflush(stdout);
	fflush(stderr);
	if ((pid = fork()) == -1) {
		warn("cannot start the query");
		free(cn);
		return -1;
	}
	if (pid == 0)
		_exit(cmd_query(ac, av));
	free(cn);
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR)
			return -1;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

/* Split line into at most 3 words (command, argument, rest) in place. */
static int
iwords(char *line, char *w[3])
{
	int n = 0;
	char *p = line;

	w[0] = w[1] = w[2] = NULL;
	while (n < 3) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		w[n++] = p;
		if (n == 3)
			break;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
		if (*p != '\0')
			*p++ = '\0';
	}
	return n;
}

/* "set KEY=VALUE", "set KEY VALUE" or "set KEY= VALUE". */
static int
iset_words(struct isettings *s, char *a, char *b)
{
	char *eq = strchr(a, '=');

	if (eq != NULL) {
		*eq = '\0';
		if (eq[1] != '\0')
			b = eq + 1;
	}
	if (b == NULL) {
		fprintf(stderr, "portscope: 'set %s' needs a value, as in "
		    "set e=135\n", a);
		return -1;
	}
	return iset(s, a, b);
}

/*
 * The interactive session.  argv (argv[0] = "-i") may preset settings
 * with the command line's options: -n NODE, -e, -r, -o, -p, -cn, -sp,
 * -sl, -nr.  Returns the last query's exit status (0 when none ran); a
 * bad preset is a usage error (3, as query's).
 */
int
cmd_interactive(int argc, char **argv)
{
	struct isettings s = { 0 };
	char line[ILINE_MAX], *w[3];
	int tty = isatty(STDIN_FILENO), rc = 0, i, n;
	const struct portset *set;
	size_t len;

	s.port_opt = 'e';
	s.ports = xstrdup("80");
	s.proto = xstrdup("tcp");
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "-i") == 0)
			continue;
		if (strcmp(a, "-sl") == 0) { s.slow_link = 1; continue; }
		if (strcmp(a, "-nr") == 0) { s.no_reverse = 1; continue; }
		if (a[0] != '-' || i + 1 >= argc) {
			fprintf(stderr, "portscope: -i: '%s' is not an option "
			    "with a value (see 'portscope -?')\n", a);
			isettings_release(&s);
			return 3;
		}
		if (strcmp(a, "-n") == 0)
			iset_str(&s.node, argv[++i]);
		else if (iset(&s, a + 1, argv[++i]) == -1) {
			isettings_release(&s);
			return 3;
		}
	}
	if (tty) {
		printf("portscope %s, PortQry interactive mode\n\n"
		    "Type 'help' for a list of commands\n\n", PORTSCOPE_VERSION);
		ishow(&s);
	}
	for (;;) {
		if (tty) {
			printf("> ");
			fflush(stdout);
		}
		if (fgets(line, sizeof(line), stdin) == NULL)
			break;
		len = strlen(line);
		if (len > 0 && line[len - 1] != '\n' && !feof(stdin)) {
			int c;

			while ((c = getchar()) != EOF && c != '\n')
				;
			fprintf(stderr, "portscope: line longer than %d "
			    "bytes ignored\n", ILINE_MAX - 1);
			continue;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if ((n = iwords(line, w)) == 0 || w[0][0] == '#')
			continue;
		if (strcasecmp(w[0], "exit") == 0 || strcasecmp(w[0], "quit") == 0)
			break;
		if (strcasecmp(w[0], "help") == 0 || strcasecmp(w[0], "h") == 0 ||
		    strcmp(w[0], "?") == 0)
			ihelp(stdout);
		else if (strcasecmp(w[0], "node") == 0 ||
		    strcasecmp(w[0], "n") == 0) {
			if (n < 2)
				fprintf(stderr, "portscope: node needs a name or "
				    "an address\n");
			else
				iset_str(&s.node, w[1]);
		} else if (strcasecmp(w[0], "set") == 0 ||
		    strcasecmp(w[0], "s") == 0) {
			if (n < 2)
				ishow(&s);
			else
				iset_words(&s, w[1], w[2]);
		} else if (strcasecmp(w[0], "query") == 0 ||
		    strcasecmp(w[0], "q") == 0) {
			set = NULL;
			if (n >= 2 && (set = portset_find(w[1])) == NULL) {
				struct buf names;

				buf_init(&names);
				portset_names(&names);
				fprintf(stderr, "portscope: no port set called "
				    "'%s' (there are: %s)\n", w[1],
				    buf_str(&names));
				buf_release(&names);
				continue;
			}
			if ((i = iquery(&s, set)) >= 0)
				rc = i;
		} else
			fprintf(stderr, "portscope: unknown command '%s' (type "
			    "help)\n", w[0]);
	}
	if (tty)
		putchar('\n');
	isettings_release(&s);
	return rc;
}
