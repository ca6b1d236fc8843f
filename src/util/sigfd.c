#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/signalfd.h>

#include "util/sigfd.h"

int
sigfd_open(const int *also, sigset_t *old)
{
	sigset_t set;
	int rc;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	for (; also != NULL && *also != 0; also++)
		sigaddset(&set, *also);
	if ((rc = pthread_sigmask(SIG_BLOCK, &set, old)) != 0) {
		errno = rc;
		return -1;
	}
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}
