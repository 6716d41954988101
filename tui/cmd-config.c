/*
 * cmd-config.c: `drdeck config check [--schema]`.
 *
 * check: find and load the config; print it resolved (defaults filled in,
 * no secrets: the config holds none) and exit 0, or print every error and
 * warning of the file (one per line, with its key path) and exit 2.
 * --schema: print the schema table (the same as docs/config.md).
 * Main thread; blocks only on reading the files.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
usage(void)
{
	fprintf(stderr, "usage: drdeck [--config FILE] config check "
	    "[--config FILE] [--schema]\n");
	return EXIT_USAGE;
}

/* `drdeck config ...` */
int
cmd_config_run(const struct cli_opts *o)
{
	struct err e = { "" };
	struct config *c = NULL;
	const char *file = o->config_path;
	char *path;
	int i, schema = 0;

	if (o->argc < 2 || strcmp(o->argv[1], "check") != 0)
		return usage();
	/* --config may also follow the command, as in the runbook's
	 * "drdeck config check --config FILE" */
	for (i = 2; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (strcmp(a, "--schema") == 0)
			schema = 1;
		else if ((strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) &&
		    i + 1 < o->argc && o->argv[i + 1][0] != '\0')
			file = o->argv[++i];
		else if (strncmp(a, "--config=", 9) == 0 && a[9] != '\0')
			file = a + 9;
		else
			return usage();
	}
	if (schema) {
		config_schema_print(stdout);
		return EXIT_OK;
	}
	path = config_find(file, &e);
	if (path == NULL) {
		fprintf(stderr, "drdeck: %s\n", e.msg);
		return EXIT_USAGE;
	}
	if (config_load(path, &c, stderr, &e) != 0) {
		fprintf(stderr, "drdeck: config check failed: %s\n", e.msg);
		free(path);
		return EXIT_USAGE;
	}
	config_print(c, stdout);
	fflush(stdout);
	fprintf(stderr, "drdeck: %s: ok\n", path);
	config_free(c);
	free(path);
	return EXIT_OK;
}
