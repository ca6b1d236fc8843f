/*
 * What the commands' option parsers share: ports, pids and other numbers
 * range-checked the same way, the same wording for a bad value, and one
 * usage-error exit.
 *
 *	cli.cmd = "local";
 *	port = cli_port(&cli, optarg);	// exits 2 on a bad value
 *	...
 *	cli_usage_error(&cli, "unexpected argument '%s'", arg);
 *
 * A bad value reads "portscope: bad port '+80': not a number, give
 * 1-65535; see 'portscope help local'"; every usage error ends with the
 * help pointer and exits 2.  The cli_parse_* forms return -1 with the
 * reason instead, for callers (and tests) that do not want to exit.
 */
#ifndef UTIL_CLI_H
#define UTIL_CLI_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CLI_PID_MAX	4194304		/* the kernel's PID_MAX_LIMIT */

struct cli {
	const char	*cmd;		/* "local", "watch", "query": for the help pointer */
	int		 usage_status;	/* exit status of a usage error; 0: 2.
					 * query's is 3: its verdicts use 0-2 */
};

/* A decimal number in [lo, hi]: digits only (no sign, no blank), as
 * strtonum.  Returns 0 with *out set, or -1 with a reason in err such as
 * "bad port '+80': not a number, give 1-65535" (what names the value; a
 * unit such as "seconds", or NULL, follows the range). */
int	cli_parse_num(const char *what, const char *unit, const char *s,
	    long long lo, long long hi, long long *out, char *err, size_t errlen);
/* A number of seconds such as "0.5" (parse_seconds_ms) in [lo_ms, hi_ms]
 * milliseconds, into *out_ms: "bad timeout '0': too small, give 0.1-60
 * seconds". */
int	cli_parse_seconds(const char *what, const char *s, long long lo_ms,
	    long long hi_ms, long long *out_ms, char *err, size_t errlen);
int	cli_parse_port(const char *s, uint16_t *out, char *err, size_t errlen);
int	cli_parse_pid(const char *s, pid_t *out, char *err, size_t errlen);

/* The same, printing the reason and the help pointer and exiting 2 on a
 * bad value. */
long long cli_num(const struct cli *, const char *what, const char *unit,
	    const char *s, long long lo, long long hi);
long long cli_seconds(const struct cli *, const char *what, const char *s,
	    long long lo_ms, long long hi_ms);	/* milliseconds */
uint16_t cli_port(const struct cli *, const char *s);
pid_t	cli_pid(const struct cli *, const char *s);

/* Set *dst to optarg for an option that may be given once; a second time
 * is a usage error ("option '--port' given twice"). */
void	cli_once(const struct cli *, const char **dst, const char *opt,
	    const char *optarg);

/* Check -l FILE / -y together: -y without -l is a usage error. */
void	cli_log_check(const struct cli *, const char *log, int overwrite);

/* getopt's view of a bad option: the option as the user typed it, for
 * ch == ':' (a missing value) or '?' (an unknown option), given argv, the
 * optind after getopt_long returned and optopt.  "-Zv" gives "-Z". */
void	cli_getopt_error(const struct cli *, int ch, char **argv, int optind,
	    int optopt) __attribute__((noreturn));

/* "portscope: MESSAGE; see 'portscope help CMD'" on stderr, exit 2 (or
 * the command's usage_status). */
void	cli_usage_error(const struct cli *, const char *fmt, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));

#endif
