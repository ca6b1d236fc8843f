/* Placeholder until the 'watch' command lands: it says so and fails. */
#include <err.h>

#include "commands.h"

int
cmd_watch(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx("'watch' is not available in this build yet");
	return 2;
}
