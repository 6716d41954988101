/*
 * cmd-flow.c: `drdeck failover`, `drdeck cutback`, `drdeck drill`.
 */
#include "cli.h"

int
cmd_failover_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck failover");
}

int
cmd_cutback_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck cutback");
}

int
cmd_drill_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck drill");
}
