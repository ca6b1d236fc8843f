/* Placeholder until the 'local' command lands: it says so and fails. */
#include <err.h>

#include "commands.h"

int
cmd_local(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx("'local' is not available in this build yet");
	return 2;
}
