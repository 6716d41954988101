/*
 * cmd-journal.c: `drdeck journal`.
 */
#include "cli.h"

int
cmd_journal_run(const struct cli_opts *o)
{
	return cli_not_built("drdeck journal");
}
