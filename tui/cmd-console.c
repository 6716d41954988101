/*
 * cmd-console.c: `drdeck` with no command, and `drdeck --wall`.
 */
#include "cli.h"

int
cmd_console_run(const struct cli_opts *o)
{
	return cli_not_built(o->wall ? "the wall display" : "the console");
}
