/*
 * cmd-console.c: `drdeck` with no command (the console), and
 * `drdeck --wall [--kiosk]` (the read-only wall display).
 * Main thread; the loop is ui.c.
 */
#include "cli.h"

#include <stdio.h>

#include "ui.h"

int
cmd_console_run(const struct cli_opts *o)
{
	struct ui_opts uo = { 0 };
	struct err e = { "" };
	struct config *c;
	int rc, flow_left = 0;

	c = cli_load_config(o);
	if (c == NULL)
		return EXIT_USAGE;
	uo.cfg = c;
	uo.wall = o->wall;
	uo.kiosk = o->kiosk;
	uo.color = o->color == CLI_COLOR_ON ? COLOR_MODE_ON :
	    o->color == CLI_COLOR_OFF ? COLOR_MODE_OFF : COLOR_MODE_AUTO;
	rc = ui_run(&uo, &flow_left, &e);
	if (rc != 0)
		fprintf(stderr, "drdeck: %s\n", e.msg);
	else if (flow_left)
		fprintf(stderr, "drdeck: a flow was left running; the next "
		    "start offers to resume or abort it\n");
	/* A flow left running may still read the config. */
	if (!flow_left)
		config_free(c);
	return rc == 0 ? EXIT_OK : EXIT_FAIL;
}
