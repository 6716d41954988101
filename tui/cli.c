/*
 * cli.c: global option parsing, the command table, dispatch.
 * Main thread only.  Prints to stdout / stderr (the backend never does).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

const struct cmd_entry cmd_table[] = {
	{ "status", "[--json | --nagios | --prom FILE] [--alert]",
	  "one probe round of both hosts, printed; exit code by severity",
	  cmd_status_run },
	{ "backup", "[--host NAME] [--nightly]",
	  "dump, verify and ship the database (scheduler on the primary)",
	  cmd_backup_run },
	{ "restore", "[--host NAME] [--latest | DUMP]",
	  "staged restore of the newest verified dump (scheduler on the backup)",
	  cmd_restore_run },
	{ "failover", "[--dry-run] [--yes-to all|STEP,...] [--resume|--abort]\n"
	  "                  [--outage-at TIME]",
	  "guided failover: the backup becomes active", cmd_failover_run },
	{ "cutback", "[--dry-run] [--yes-to all|STEP,...] [--resume|--abort]",
	  "guided cutback: the primary serves again", cmd_cutback_run },
	{ "drill", "[history] [--dry-run] [--yes-to all|STEP,...]\n"
	  "                  [--resume|--abort]",
	  "the monthly failover drill, with its report", cmd_drill_run },
	{ "schedule", "print",
	  "cron / systemd timers / Task Scheduler entries for the jobs",
	  cmd_schedule_run },
	{ "config", "check",
	  "validate the config and print it resolved", cmd_config_run },
	{ "journal", "[-n N] [--host NAME] [--kind KIND]",
	  "the last events of the journal", cmd_journal_run },
	{ NULL, NULL, NULL, NULL },
};

int
cli_parse(int argc, char **argv, struct cli_opts *o, struct err *e)
{
	int i;
	const char *env;

	memset(o, 0, sizeof *o);
	env = getenv("DRDECK_CONFIG");
	if (env != NULL && *env != '\0')
		o->config_path = env;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (a[0] != '-')
			break;
		if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) {
			if (i + 1 >= argc)
				return err_set(e, "%s needs a file name", a);
			o->config_path = argv[++i];
		} else if (strncmp(a, "--config=", 9) == 0) {
			o->config_path = a + 9;
		} else if (strcmp(a, "--color") == 0 ||
		    strcmp(a, "--color=auto") == 0) {
			o->color = CLI_COLOR_AUTO;
		} else if (strcmp(a, "--color=on") == 0 ||
		    strcmp(a, "--color=always") == 0) {
			o->color = CLI_COLOR_ON;
		} else if (strcmp(a, "--color=off") == 0 ||
		    strcmp(a, "--color=never") == 0 ||
		    strcmp(a, "--no-color") == 0) {
			o->color = CLI_COLOR_OFF;
		} else if (strcmp(a, "--wall") == 0) {
			o->wall = 1;
		} else if (strcmp(a, "--kiosk") == 0) {
			o->kiosk = 1;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			o->help = 1;
		} else if (strcmp(a, "--version") == 0 ||
		    strcmp(a, "-V") == 0) {
			o->version = 1;
		} else {
			return err_set(e, "unknown option %s (see drdeck --help)",
			    a);
		}
	}
	if (o->kiosk && !o->wall)
		return err_set(e, "--kiosk goes with --wall");
	if (o->config_path != NULL && *o->config_path == '\0')
		return err_set(e, "--config needs a file name");
	if (i < argc) {
		if (o->wall)
			return err_set(e, "--wall takes no command (got %s)",
			    argv[i]);
		o->cmd = argv[i];
		o->argc = argc - i;
		o->argv = argv + i;
		if (cli_find(o->cmd) == NULL && strcmp(o->cmd, "help") != 0)
			return err_set(e, "unknown command '%s' (see drdeck "
			    "--help)", o->cmd);
	}
	return 0;
}

const struct cmd_entry *
cli_find(const char *name)
{
	const struct cmd_entry *c;

	for (c = cmd_table; c->name != NULL; c++)
		if (strcmp(c->name, name) == 0)
			return c;
	return NULL;
}

void
cli_usage(FILE *out)
{
	const struct cmd_entry *c;

	fprintf(out,
	    "usage: drdeck [--config FILE] [--color=auto|on|off] [COMMAND ...]\n"
	    "       drdeck --wall [--kiosk]\n"
	    "\n"
	    "drdeck is the operator console for a warm-standby pair: a PRIMARY\n"
	    "host and an off-site BACKUP host that restores the primary's\n"
	    "database dumps on a schedule.\n"
	    "\n"
	    "  (no command)    the console: both hosts side by side, guided\n"
	    "                  failover, cutback and drill\n"
	    "  --wall          read-only wall display (no key starts an action)\n");
	for (c = cmd_table; c->name != NULL; c++)
		fprintf(out, "  %-15s %s\n  %-15s   %s\n", c->name, c->args,
		    "", c->help);
	fprintf(out,
	    "\n"
	    "Global options:\n"
	    "  --config FILE   the config file (also $DRDECK_CONFIG); else\n"
	    "                  ./drdeck.json, $XDG_CONFIG_HOME/drdeck/config.json,\n"
	    "                  /etc/drdeck/config.json\n"
	    "  --color=WHEN    auto (default), on or off; NO_COLOR is honoured\n"
	    "  --version       print the version\n"
	    "\n"
	    "Exit codes: 0 ok, 1 failed (status: warn), 2 usage or config error\n"
	    "(status: crit), 3 status unknown.  See docs/ and drdeck(1).\n");
}

struct config *
cli_load_config(const struct cli_opts *o)
{
	struct err e = { "" };
	struct config *c = NULL;
	char *path;

	path = config_find(o->config_path, &e);
	if (path == NULL) {
		fprintf(stderr, "drdeck: %s\n", e.msg);
		return NULL;
	}
	if (config_load(path, &c, stderr, &e) != 0) {
		fprintf(stderr, "drdeck: %s\n", e.msg);
		free(path);
		return NULL;
	}
	free(path);
	return c;
}

int
cli_not_built(const char *what)
{
	fprintf(stderr, "drdeck: %s is not built in this version yet\n", what);
	return EXIT_USAGE;
}

int
cli_main(int argc, char **argv)
{
	struct cli_opts o;
	struct err e = { "" };
	const struct cmd_entry *c;

	if (cli_parse(argc, argv, &o, &e) != 0) {
		fprintf(stderr, "drdeck: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (o.version) {
		printf("drdeck %s\n", DRDECK_VERSION);
		return EXIT_OK;
	}
	if (o.help || (o.cmd != NULL && strcmp(o.cmd, "help") == 0)) {
		cli_usage(stdout);
		return EXIT_OK;
	}
	if (o.cmd == NULL)
		return cmd_console_run(&o);
	c = cli_find(o.cmd);
	return c->run(&o);
}
