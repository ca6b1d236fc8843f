/*
 * PortQry 2.0's command lines, as an administrator types them, made into
 * what portscope's commands parse: the spellings PortQry accepts that a
 * plain option parser would not, and PortQry's help screen.  The sources
 * of each rule are in doc/portqry-compat.md.
 */
#ifndef PORTQRY_H
#define PORTQRY_H

#include <stddef.h>
#include <stdio.h>

/*
 * Normalise a PortQry argv (argv[0] is the program).  Returns a new
 * NULL-terminated vector of *nargc entries, its strings either argv's or
 * owned by it (free with portqry_argv_free()), or NULL with a one-line
 * reason in err (errlen bytes) for a usage error:
 *   -cn !my community!   the shell's words between the bangs joined back
 *                        into one value, "!my community!"
 *   -o 135;139           ';' as a separator, made ','
 *   -y without -l        ignored (dropped)
 *   -q with -l FILE      -y added: quiet mode overwrites the log without
 *                        asking, as PortQry's batch use relies on
 */
char	**portqry_argv(int argc, char **argv, int *nargc, char *err,
	    size_t errlen);
void	 portqry_argv_free(char **nargv, int nargc);

/* PortQry's help screen, listing portscope's PortQry-form options. */
void	 portqry_help(FILE *);

#endif
