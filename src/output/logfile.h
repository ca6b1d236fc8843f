/* PortQry's -l FILE: a log that is not overwritten unless -y says so or the
 * user agrees at a terminal. */
#ifndef OUTPUT_LOGFILE_H
#define OUTPUT_LOGFILE_H

#include <stddef.h>

/*
 * Open path for writing.  An existing file is replaced only when overwrite
 * is set, or when stdin is a terminal and the user answers y; otherwise the
 * call fails.  Returns the fd, or -1 with the reason in err.
 */
int	logfile_open(const char *path, int overwrite, char *err, size_t errlen);

#endif
