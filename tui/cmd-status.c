/*
 * cmd-status.c: `drdeck status`.
 */
#include "cli.h"

int
cmd_status_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck status");
}
