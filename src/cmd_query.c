/* Placeholder until the 'query' command lands: it says so and fails. */
#include <err.h>

#include "commands.h"

int
cmd_query(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	warnx("'query' is not available in this build yet");
	return 2;
}
