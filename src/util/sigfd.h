/* The signals that stop a long-running command, read from a signalfd. */
#ifndef UTIL_SIGFD_H
#define UTIL_SIGFD_H

#include <signal.h>

/*
 * Block SIGINT, SIGTERM and SIGHUP, and the signals of the 0-terminated
 * list also (NULL: none), in the calling thread — threads started later
 * inherit the mask — and return a non-blocking, close-on-exec signalfd
 * that reads them.  The mask before is stored in *old when old is not
 * NULL.  Returns -1 with errno set on failure.
 */
int	sigfd_open(const int *also, sigset_t *old);

#endif
