#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/cli.h"
#include "util/safe_err.h"
#include "util/strtonum.h"

#define CLI_SHOWN_MAX	64

/*
 * The user's value as one safe line for a message: printable ASCII as is,
 * every other byte as \xNN, at most CLI_SHOWN_MAX bytes of it ("..." after).
 * A value with a newline or an escape sequence must not split or colour
 * the error line.
 */
static void
cli_shown(char *out, size_t outlen, const char *s)
{
	size_t n = 0, i;

	for (i = 0; s[i] != '\0' && i < CLI_SHOWN_MAX && n + 5 < outlen; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, outlen - n, "\\x%02x", c);
	}
	if (s[i] != '\0' && n + 4 <= outlen) {
		memcpy(out + n, "...", 3);
		n += 3;
	}
	out[n] = '\0';
}

int
cli_parse_num(const char *what, const char *unit, const char *s, long long lo,
    long long hi, long long *out, char *err, size_t errlen)
{
	const char *errstr;
	long long v;

	v = strtonum(s, lo, hi, &errstr);
	if (errstr != NULL) {
		char shown[4 * CLI_SHOWN_MAX + 4];

		cli_shown(shown, sizeof shown, s);
		snprintf(err, errlen, "bad %s '%s': %s, give %lld-%lld%s%s", what, shown,
		    strcmp(errstr, "invalid") == 0 ? "not a number" : errstr, lo, hi,
		    unit ? " " : "", unit ? unit : "");
		return -1;
	}
	*out = v;
	return 0;
}

int
cli_parse_seconds(const char *what, const char *s, long long lo_ms, long long hi_ms,
    long long *out_ms, char *err, size_t errlen)
{
	char shown[4 * CLI_SHOWN_MAX + 4], lo[32], hi[32];
	const char *errstr;

	if (parse_seconds_ms(s, lo_ms, hi_ms, out_ms, &errstr) == 0)
		return 0;
	cli_shown(shown, sizeof shown, s);
	format_seconds_ms(lo, sizeof lo, lo_ms);
	format_seconds_ms(hi, sizeof hi, hi_ms);
	snprintf(err, errlen, "bad %s '%s': %s, give %s-%s seconds", what, shown,
	    strcmp(errstr, "invalid") == 0 ? "not a number" : errstr, lo, hi);
	return -1;
}

int
cli_parse_port(const char *s, uint16_t *out, char *err, size_t errlen)
{
	long long v;

	if (cli_parse_num("port", NULL, s, 1, 65535, &v, err, errlen) == -1)
		return -1;
	*out = (uint16_t)v;
	return 0;
}

int
cli_parse_pid(const char *s, pid_t *out, char *err, size_t errlen)
{
	long long v;

	if (cli_parse_num("pid", NULL, s, 1, CLI_PID_MAX, &v, err, errlen) == -1)
		return -1;
	*out = (pid_t)v;
	return 0;
}

void
cli_usage_error(const struct cli *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	fputs("portscope: ", stderr);
	safe_fputs(msg, stderr);	/* one safe line, whatever it quotes */
	fprintf(stderr, "; see 'portscope help %s'\n", c->cmd);
	exit(c->usage_status ? c->usage_status : 2);
}

long long
cli_num(const struct cli *c, const char *what, const char *unit, const char *s,
    long long lo, long long hi)
{
	char err[384];
	long long v;

	if (cli_parse_num(what, unit, s, lo, hi, &v, err, sizeof(err)) == -1)
		cli_usage_error(c, "%s", err);
	return v;
}

long long
cli_seconds(const struct cli *c, const char *what, const char *s, long long lo_ms,
    long long hi_ms)
{
	char err[384];
	long long ms;

	if (cli_parse_seconds(what, s, lo_ms, hi_ms, &ms, err, sizeof(err)) == -1)
		cli_usage_error(c, "%s", err);
	return ms;
}

uint16_t
cli_port(const struct cli *c, const char *s)
{
	return (uint16_t)cli_num(c, "port", NULL, s, 1, 65535);
}

pid_t
cli_pid(const struct cli *c, const char *s)
{
	return (pid_t)cli_num(c, "pid", NULL, s, 1, CLI_PID_MAX);
}

void
cli_once(const struct cli *c, const char **dst, const char *opt, const char *optarg)
{
	if (*dst != NULL)
		cli_usage_error(c, "option '%s' given twice ('%s' and '%s')", opt,
		    *dst, optarg);
	*dst = optarg;
}

void
cli_log_check(const struct cli *c, const char *log, int overwrite)
{
	if (overwrite && log == NULL)
		cli_usage_error(c, "-y answers the overwrite question of -l FILE: give -l");
}

void
cli_getopt_error(const struct cli *c, int ch, char **argv, int optind, int optopt)
{
	const char *arg = optind > 0 ? argv[optind - 1] : "";
	int longopt = strncmp(arg, "--", 2) == 0;
	int n;

	/* A short option in a cluster ("-Zv") leaves optind on the cluster,
	 * so argv[optind - 1] is some earlier word: name the option itself.
	 * A long option (optopt 0, or its value above 255) is the word. */
	if (optopt > 0 && optopt < 256 && !(longopt && strchr(arg, '=') && ch == '?')) {
		if (ch == ':')
			cli_usage_error(c, "option '-%c' needs a value", optopt);
		cli_usage_error(c, "unknown option '-%c'", optopt);
	}
	n = (int)strcspn(arg, "=");
	if (ch == ':')
		cli_usage_error(c, "option '%.*s' needs a value", n, arg);
	if (longopt && arg[n] == '=' && optopt > 0)
		cli_usage_error(c, "option '%.*s' takes no value", n, arg);
	cli_usage_error(c, "unknown option '%.*s'", n, arg);
}
