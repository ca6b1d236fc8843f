/* PortQry's spellings and help screen (portqry.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portqry.h"
#include "util/xmalloc.h"

/* nargv's strings that this file allocated are marked by a parallel
 * flag vector stored after the NULL terminator: nargv[nargc + 1] points
 * to a char array of nargc flags. */

char **
portqry_argv(int argc, char **argv, int *nargc, char *err, size_t errlen)
{
	char **av, *owned;
	int i, n = 0, has_l = 0, has_q = 0, has_y = 0;
	size_t len;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-l") == 0 && i + 1 < argc)
			has_l = 1;
		else if (strcmp(argv[i], "-q") == 0)
			has_q = 1;
		else if (strcmp(argv[i], "-y") == 0)
			has_y = 1;
	}
	av = xreallocarray(NULL, (size_t)argc + 3, sizeof(*av));
	owned = xcalloc((size_t)argc + 2, 1);
	for (i = 0; i < argc; i++) {
		const char *a = argv[i];

		if (i > 0 && strcmp(a, "-y") == 0 && !has_l)
			continue;	/* "-y without -l is ignored" (issue 10) */
		av[n++] = argv[i];
		if (i == 0 || i + 1 >= argc)
			continue;
		if (strcmp(a, "-cn") == 0 && argv[i + 1][0] == '!' &&
		    ((len = strlen(argv[i + 1])) == 1 ||
		    argv[i + 1][len - 1] != '!')) {
			/* "-cn !my community name!" typed unquoted (issue
			 * 10): the words up to the one that ends in '!' */
			struct { char *p; size_t n; } v = { NULL, 0 };
			int k;

			for (k = i + 1; k < argc; k++) {
				len = strlen(argv[k]);
				v.p = xreallocarray(v.p, v.n + len + 2, 1);
				if (k > i + 1)
					v.p[v.n++] = ' ';
				memcpy(v.p + v.n, argv[k], len + 1);
				v.n += len;
				if (len > 0 && argv[k][len - 1] == '!' &&
				    (k > i + 1 || len > 1))
					break;
			}
			if (k == argc) {
				snprintf(err, errlen, "-cn: the community "
				    "'%s' has no closing '!'", v.p);
				free(v.p);
				free(owned);
				free(av);
				return NULL;
			}
			owned[n] = 1;
			av[n++] = v.p;
			i = k;
		} else if (strcmp(a, "-o") == 0 && strchr(argv[i + 1], ';')) {
			/* "-o 135;139": ';' taken as ',' (chosen: no source
			 * says which separators PortQry accepts) */
			char *c = xstrdup(argv[i + 1]), *p;

			for (p = c; *p != '\0'; p++)
				if (*p == ';')
					*p = ',';
			owned[n] = 1;
			av[n++] = c;
			i++;
		}
	}
	if (has_q && has_l && !has_y)
		av[n++] = "-y";	/* -q -l FILE overwrites (issue 10) */
	av[n] = NULL;
	av[n + 1] = owned;
	*nargc = n;
	return av;
}

void
portqry_argv_free(char **av, int n)
{
	char *owned;
	int i;

	if (av == NULL)
		return;
	owned = av[n + 1];
	for (i = 0; i < n; i++)
		if (owned[i])
			free(av[i]);
	free(owned);
	free(av);
}

void
portqry_help(FILE *f)
{
	fprintf(f,
	    "portscope %s: PortQry 2.0 command lines\n"
	    "\n"
	    "Usage:\n"
	    "portscope -n name_to_query [-p protocol] [-e || -r || -o port(s)] [-options]\n"
	    "portscope -local [-v] [-l logfile]\n"
	    "portscope -wport port | -wpid pid [-wt seconds] [-v] [-l logfile]\n"
	    "portscope -i [-n name_to_query] [-options]\n"
	    "\n"
	    "Command line mode:\n"
	    "  -n [name_to_query]    host name or IP address of the system to query\n"
	    "  -p [protocol]         tcp, udp or both, in any case (default tcp)\n"
	    "  -e [port]             one port, 1-65535 (default 80)\n"
	    "  -r [start:end]        a range of ports, in order\n"
	    "  -o [port,port,...]    a list of ports, in the order given\n"
	    "  -l [logfile]          also write the output to logfile\n"
	    "  -y                    overwrite logfile without asking\n"
	    "  -sl                   slow link: wait longer for UDP replies\n"
	    "  -nr                   do not look up the name of an IP address\n"
	    "  -sp [port]            source port of the queries\n"
	    "  -cn [!community!]     SNMP community, between exclamation marks\n"
	    "  -q                    quiet: print nothing, only the exit status\n"
	    "\n"
	    "Local mode:\n"
	    "  -local                every local port and the process that holds it\n"
	    "  -wport [port]         watch a port: print it again at each change\n"
	    "  -wpid [pid]           watch a process's ports\n"
	    "  -wt [seconds]         watch interval, 1-1200 (default 60)\n"
	    "  -v                    verbose: process details and loaded modules\n"
	    "  -l [logfile]          also write the output to logfile\n"
	    "\n"
	    "Interactive mode:\n"
	    "  -i                    read commands (node, query, set, help, exit);\n"
	    "                        type 'help' at the prompt\n"
	    "\n"
	    "Exit status of -n and -i: 0 LISTENING, 1 NOT LISTENING, 2 FILTERED or\n"
	    "LISTENING or FILTERED (for several ports, the worst); 3 a usage error;\n"
	    "4 another error (a name that does not resolve, a busy source port).\n"
	    "\n"
	    "portscope's own commands: portscope --help\n",
	    PORTSCOPE_VERSION);
}
