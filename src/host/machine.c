/* /etc/machine-id, read and checked. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "host/machine.h"

#define MACHINE_ID_PATH	"/etc/machine-id"

int
machine_id(char *id, char *err, size_t errlen)
{
	char b[MACHINE_ID_LEN + 2];
	ssize_t n;
	int fd, i;

	if ((fd = open(MACHINE_ID_PATH, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err, errlen, "cannot open '%s': %s", MACHINE_ID_PATH, strerror(errno));
		return -1;
	}
	n = read(fd, b, sizeof(b));
	if (n == -1)
		snprintf(err, errlen, "cannot read '%s': %s", MACHINE_ID_PATH, strerror(errno));
	close(fd);
	if (n == -1)
		return -1;
	/* 32 hex digits and a newline ("uninitialized" or empty at first boot) */
	for (i = 0; i < MACHINE_ID_LEN && i < n; i++)
		if (!((b[i] >= '0' && b[i] <= '9') || (b[i] >= 'a' && b[i] <= 'f')))
			break;
	if (i != MACHINE_ID_LEN || (n > MACHINE_ID_LEN && b[MACHINE_ID_LEN] != '\n') ||
	    n > MACHINE_ID_LEN + 1) {
		snprintf(err, errlen, "'%s' does not hold a machine id", MACHINE_ID_PATH);
		return -1;
	}
	memcpy(id, b, MACHINE_ID_LEN);
	id[MACHINE_ID_LEN] = '\0';
	return 0;
}
