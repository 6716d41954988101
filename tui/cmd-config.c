/*
 * cmd-config.c: `drdeck config check`.
 */
#include "cli.h"

int
cmd_config_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck config check");
}
