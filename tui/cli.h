/*
 * cli.h: the command line front end of drdeck.
 *
 * Global options come before the command:
 *   drdeck [--config FILE] [--color=auto|on|off] [--wall [--kiosk]] [CMD ARGS...]
 * Every command is an entry of cmd_table[] (cli.c) implemented in its own
 * cmd-*.c file.  A command returns the process exit code; only main()
 * calls exit().
 */
#ifndef DRDECK_CLI_H
#define DRDECK_CLI_H

#include "config.h"
#include "err.h"

enum cli_color { CLI_COLOR_AUTO = 0, CLI_COLOR_ON, CLI_COLOR_OFF };

struct cli_opts {
	const char *config_path;	/* --config, else $DRDECK_CONFIG, else NULL */
	enum cli_color color;
	int	 wall;			/* --wall */
	int	 kiosk;			/* --kiosk (with --wall) */
	int	 help;
	int	 version;
	const char *cmd;		/* NULL: the console */
	int	 argc;			/* the command's own arguments */
	char	**argv;			/* argv[0] is the command name */
};

struct cmd_entry {
	const char *name;
	const char *args;	/* usage after the name */
	const char *help;	/* one line */
	int	  (*run)(const struct cli_opts *o);
};

extern const struct cmd_entry cmd_table[];

/* Parse the global options; pure (reads $DRDECK_CONFIG only). */
int cli_parse(int argc, char **argv, struct cli_opts *o, struct err *e) WUR;
const struct cmd_entry *cli_find(const char *name);
void cli_usage(FILE *out);
/* Run the whole program; returns the exit code. */
int cli_main(int argc, char **argv);

/* Find and load the config for a command; on failure prints every error
 * to stderr and returns NULL (the command then exits 2). */
struct config *cli_load_config(const struct cli_opts *o);
/* A command a later part of the work builds: says so, exit 2. */
int cli_not_built(const char *what);

/* Exit codes shared by the commands. */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

/* Commands (cmd-*.c). */
int cmd_console_run(const struct cli_opts *o);	/* no command, or --wall */
int cmd_status_run(const struct cli_opts *o);
int cmd_backup_run(const struct cli_opts *o);
int cmd_restore_run(const struct cli_opts *o);
int cmd_failover_run(const struct cli_opts *o);
int cmd_cutback_run(const struct cli_opts *o);
int cmd_drill_run(const struct cli_opts *o);
int cmd_schedule_run(const struct cli_opts *o);
int cmd_config_run(const struct cli_opts *o);
int cmd_journal_run(const struct cli_opts *o);

#endif
