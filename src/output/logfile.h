/*
 * PortQry's -l FILE for every command: opening the log safely, and the one
 * layout of its header and end line, PortQry 2.0's ("PortQry Version 2.0
 * Log File", "System Date: Thu Sep 16 10:35:03 2021", "Command run:",
 * "Local computer name:", "========= end of log file =========": issue
 * 10, doc/portqry-compat.md §1), naming portscope and its version.
 *
 * A log reads:
 *	portscope Version 0.1.0 Log File
 *
 *	System Date: Tue Dec 01 22:40:00 2026
 *
 *	Command run:
 *	 portscope -wport 80 -l x.log
 *
 *	Local computer name:
 *
 *	 host
 *
 *	Watching port: 80			(what is watched, when given)
 *
 *	Checking for changes every 60 seconds	(the interval, when given)
 *
 *	verbose output requested		(with -v)
 *
 *	… the command's own report …
 *	========= end of log file =========
 */
#ifndef OUTPUT_LOGFILE_H
#define OUTPUT_LOGFILE_H

#include <stddef.h>

#include "util/buf.h"

#define LOGFILE_END	"========= end of log file =========\n"

struct log_header {
	const char	*watching;	/* "Watching port: 80"; NULL: no such line */
	long long	 interval_ms;	/* 0: no interval line */
	int		 verbose;	/* -v was given */
};

/*
 * Open path for writing the log.  An existing path (a dangling symbolic
 * link included) is replaced only when overwrite is set, or when stdin is a
 * terminal and the user answers y; a symbolic link is never followed, and
 * a path that appears between the check and the open is not replaced.
 * Returns the fd, or -1 with the reason in err.
 */
int	logfile_open(const char *path, int overwrite, char *err, size_t errlen);

/* Flush fd to its device (a pipe or terminal needs none) and close it.
 * Returns 0, or -1 with errno set: the log is not complete. */
int	logfile_close(int fd);

/* The first line: "portscope Version V Log File" for the log, or
 * "portscope version V" for a terminal copy; then a blank line. */
void	logfile_title(struct buf *, int for_log);
/* The header after the title: date, command line (from /proc/self/cmdline,
 * as the user typed it, control bytes escaped), computer name, and the
 * lines h asks for. */
void	logfile_header(struct buf *, const struct log_header *h);
/* The end line (LOGFILE_END). */
void	logfile_end(struct buf *);

/* Until logfile_end_on_signal(-1): SIGINT, SIGTERM, SIGHUP and SIGPIPE
 * append "(stopped by SIGNAME)" and the end line to fd, then take their
 * default action.  For commands that do not handle those signals themselves. */
void	logfile_end_on_signal(int fd);

#endif
