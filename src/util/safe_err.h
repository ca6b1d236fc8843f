/* err(3)/warn(3) that write one safe line (safe_err.c). */
#ifndef UTIL_SAFE_ERR_H
#define UTIL_SAFE_ERR_H

#include <stdarg.h>
#include <stdio.h>

/* s on fp with control bytes (C0, DEL, C1 as UTF-8) as \xNN. */
void	safe_fputs(const char *s, FILE *fp);

/* What err, errx, warn, warnx and their v-forms become in the binary
 * (the Makefile links with --wrap=NAME for each). */
void	__wrap_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	__wrap_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	__wrap_vwarnx(const char *, va_list);
void	__wrap_vwarn(const char *, va_list);
void	__wrap_errx(int, const char *, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	__wrap_err(int, const char *, ...)
	    __attribute__((noreturn, format(printf, 2, 3)));
void	__wrap_verrx(int, const char *, va_list) __attribute__((noreturn));
void	__wrap_verr(int, const char *, va_list) __attribute__((noreturn));

#endif
