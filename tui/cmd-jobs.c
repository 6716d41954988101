/*
 * cmd-jobs.c: `drdeck backup`, `drdeck restore`, `drdeck schedule`.
 */
#include "cli.h"

int
cmd_backup_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck backup");
}

int
cmd_restore_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck restore");
}

int
cmd_schedule_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck schedule");
}
