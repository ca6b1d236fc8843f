/* The interactive view when portscope is built without ncurses. */
#ifndef HAVE_NCURSES
#include <stdio.h>

#include "tui/app.h"

int
tui_app_available(void)
{
	return 0;
}

int
tui_app_terminal_ok(void)
{
	return 0;
}

int
tui_app_run(const struct tui_opts *o, char *err, size_t errlen)
{
	(void)o;
	snprintf(err, errlen, "built without ncurses");
	return -1;
}
#endif
