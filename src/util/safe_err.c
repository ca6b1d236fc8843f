/*
 * err(3) and warn(3) as one safe line.  The program's messages quote what
 * users and the network gave it (file names, unit names, host names); a
 * quoted escape sequence or newline must not repaint the terminal or
 * forge a second line.  The binary is linked with --wrap for each of
 * these functions (Makefile), so every err/warn call in the tree comes
 * here: control bytes (C0, DEL, and C1 as UTF-8) are written as \xNN,
 * all other bytes — UTF-8 in a file name — as they are.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/safe_err.h"

void
safe_fputs(const char *s, FILE *fp)
{
	const unsigned char *p;

	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			fprintf(fp, "\\x%02x\\x%02x", p[0], p[1]);
			p++;
		} else
			fputc(*p, fp);
	}
}

/* "portscope: MESSAGE[: strerror(e)]\n"; e < 0: no errno part. */
static void
say(int e, const char *fmt, va_list ap)
{
	char msg[2048];

	msg[0] = '\0';
	if (fmt != NULL)
		vsnprintf(msg, sizeof(msg), fmt, ap);
	fflush(stdout);
	fprintf(stderr, "%s: ", program_invocation_short_name);
	safe_fputs(msg, stderr);
	if (e >= 0)
		fprintf(stderr, "%s%s", fmt != NULL ? ": " : "", strerror(e));
	fputc('\n', stderr);
}

void __wrap_vwarnx(const char *fmt, va_list ap) { say(-1, fmt, ap); }
void __wrap_vwarn(const char *fmt, va_list ap) { say(errno, fmt, ap); }

void
__wrap_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(-1, fmt, ap);
	va_end(ap);
}

void
__wrap_warn(const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	say(e, fmt, ap);
	va_end(ap);
}

void
__wrap_errx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say(-1, fmt, ap);
	va_end(ap);
	exit(status);
}

void
__wrap_err(int status, const char *fmt, ...)
{
	int e = errno;
	va_list ap;

	va_start(ap, fmt);
	say(e, fmt, ap);
	va_end(ap);
	exit(status);
}

void
__wrap_verrx(int status, const char *fmt, va_list ap)
{
	say(-1, fmt, ap);
	exit(status);
}

void
__wrap_verr(int status, const char *fmt, va_list ap)
{
	say(errno, fmt, ap);
	exit(status);
}
