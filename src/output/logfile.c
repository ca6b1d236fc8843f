#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "output/logfile.h"

int
logfile_open(const char *path, int overwrite, char *err, size_t errlen)
{
	struct stat st;
	char answer[16];
	int fd;

	if (!overwrite && stat(path, &st) == 0) {
		if (!isatty(STDIN_FILENO)) {
			snprintf(err, errlen, "log file '%s' exists; use -y to overwrite it", path);
			return -1;
		}
		fprintf(stderr, "Log file '%s' already exists. Overwrite? (y/n) ", path);
		fflush(stderr);
		if (fgets(answer, sizeof(answer), stdin) == NULL ||
		    (answer[0] != 'y' && answer[0] != 'Y')) {
			snprintf(err, errlen, "log file '%s' exists; not overwritten", path);
			return -1;
		}
	}
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) == -1) {
		snprintf(err, errlen, "cannot open log file '%s': %s", path, strerror(errno));
		return -1;
	}
	return fd;
}
