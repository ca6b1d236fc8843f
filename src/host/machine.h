/* The machine's identity, for telling machines apart in merged records. */
#ifndef HOST_MACHINE_H
#define HOST_MACHINE_H

#include <stddef.h>

#define MACHINE_ID_LEN	32	/* hex digits in /etc/machine-id */

/*
 * The machine id from /etc/machine-id (machine-id(5): 32 lowercase hex
 * digits, the same across reboots, unlike the boot id) into id, which
 * holds MACHINE_ID_LEN + 1 bytes.  Returns 0, or -1 with the reason in err
 * when the file cannot be read or does not hold a machine id.
 */
int	machine_id(char *id, char *err, size_t errlen);

#endif
