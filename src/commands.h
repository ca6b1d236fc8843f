/* The command table's entry points: one per src/cmd_<name>.c.
 * Each takes argv with argv[0] the command's name, prints its own usage on
 * --help (exit 0) and on a usage error (one line on stderr, exit 2), and
 * returns the process exit status. */
#ifndef COMMANDS_H
#define COMMANDS_H

int	cmd_events(int, char **);
int	cmd_interactive(int, char **);
int	cmd_local(int, char **);
int	cmd_profile(int, char **);
int	cmd_query(int, char **);
int	cmd_record(int, char **);
int	cmd_report(int, char **);
int	cmd_top(int, char **);
int	cmd_watch(int, char **);

#endif
