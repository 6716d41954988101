/*
 * cmd-jobs.c: `drdeck backup`, `drdeck restore`, `drdeck schedule print`.
 *
 * Main thread.  Parses the command's arguments, opens the journal, runs
 * the job (backend/jobs.h) and prints its log lines as they come, one
 * per phase, on stdout; the outcome goes to stderr on failure.
 *
 * Exit codes (docs/jobs.md): 0 done (or nothing newer to restore),
 * 1 failed (alert sent), 2 usage or config error, 3 refused before
 * anything was changed (role active, lock held, a dump older than the
 * data already there).
 */
#include "cli.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jobs.h"
#include "journal.h"

#define EXIT_REFUSED 3

static volatile int job_cancel;

static void
on_signal(int sig)
{
	job_cancel = 1;
}

static void
print_line(void *arg, const char *line)
{
	time_t t = time(NULL);
	struct tm tm;
	char ts[16];

	localtime_r(&t, &tm);
	strftime(ts, sizeof ts, "%H:%M:%S", &tm);
	printf("%s %s\n", ts, line);
	fflush(stdout);
}

static void
usage(FILE *out, const char *cmd)
{
	if (strcmp(cmd, "backup") == 0)
		fprintf(out, "usage: drdeck backup [--host NAME] [--nightly] "
		    "[--no-ship | --ship-to NAME]\n");
	else if (strcmp(cmd, "restore") == 0)
		fprintf(out, "usage: drdeck restore [--host NAME] "
		    "[--health-timeout SEC] [--latest | DUMP]\n");
	else
		fprintf(out, "usage: drdeck schedule print [--drdeck PATH]\n");
}

/* Run one job with the journal open; returns the exit code. */
static int
run_job(const struct cli_opts *co, struct job_opts *jo, int restore)
{
	struct config *c;
	struct journal *j = NULL;
	struct job_result r;
	struct err e = { "" };
	struct sigaction sa;
	int rc;

	c = cli_load_config(co);
	if (c == NULL)
		return EXIT_USAGE;
	if (jo->host != NULL && config_host(c, jo->host) == NULL) {
		fprintf(stderr, "drdeck: no host %s in %s\n", jo->host,
		    c->path);
		config_free(c);
		return EXIT_USAGE;
	}
	if (c->journal != NULL && journal_open(c->journal, c->journal_max,
	    c->journal_keep, &j, &e) != 0) {
		fprintf(stderr, "drdeck: journal: %s\n", e.msg);
		config_free(c);
		return EXIT_FAIL;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	jo->cancel = &job_cancel;
	jo->log = print_line;
	rc = restore ? job_restore(c, j, jo, &r, &e) :
	    job_backup(c, j, jo, &r, &e);
	if (rc != 0)
		fprintf(stderr, "drdeck: %s %s: %s\n", restore ? "restore" :
		    "backup", r.refused ? "refused" : "failed", e.msg);
	if (j != NULL)
		journal_close(j);
	config_free(c);
	if (rc == 0)
		return EXIT_OK;
	return r.refused ? EXIT_REFUSED : EXIT_FAIL;
}

int
cmd_backup_run(const struct cli_opts *o)
{
	struct job_opts jo;
	int i;

	memset(&jo, 0, sizeof jo);
	for (i = 1; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (strcmp(a, "--host") == 0 && i + 1 < o->argc)
			jo.host = o->argv[++i];
		else if (strcmp(a, "--nightly") == 0)
			jo.nightly = 1;
		else if (strcmp(a, "--no-ship") == 0)
			jo.no_ship = 1;
		else if (strcmp(a, "--ship-to") == 0 && i + 1 < o->argc)
			jo.ship_to = o->argv[++i];
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, "backup");
			return EXIT_OK;
		} else {
			fprintf(stderr, "drdeck backup: unexpected %s\n", a);
			usage(stderr, "backup");
			return EXIT_USAGE;
		}
	}
	if (jo.no_ship && jo.ship_to != NULL) {
		fprintf(stderr, "drdeck backup: --no-ship and --ship-to "
		    "exclude each other\n");
		return EXIT_USAGE;
	}
	return run_job(o, &jo, 0);
}

int
cmd_restore_run(const struct cli_opts *o)
{
	struct job_opts jo;
	int i, latest = 0;

	memset(&jo, 0, sizeof jo);
	for (i = 1; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (strcmp(a, "--host") == 0 && i + 1 < o->argc)
			jo.host = o->argv[++i];
		else if (strcmp(a, "--latest") == 0)
			latest = 1;
		else if (strcmp(a, "--health-timeout") == 0 &&
		    i + 1 < o->argc) {
			char *end;
			long sec = strtol(o->argv[++i], &end, 10);

			if (*end != '\0' || sec <= 0 || sec > 3600) {
				fprintf(stderr, "drdeck restore: "
				    "--health-timeout takes seconds, 1 to "
				    "3600\n");
				return EXIT_USAGE;
			}
			jo.health_timeout_ms = (int64_t)sec * 1000;
		}
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, "restore");
			return EXIT_OK;
		} else if (a[0] != '-' && jo.dump == NULL)
			jo.dump = a;
		else {
			fprintf(stderr, "drdeck restore: unexpected %s\n", a);
			usage(stderr, "restore");
			return EXIT_USAGE;
		}
	}
	if (latest && jo.dump != NULL) {
		fprintf(stderr, "drdeck restore: --latest and a DUMP exclude "
		    "each other\n");
		return EXIT_USAGE;
	}
	return run_job(o, &jo, 1);
}

int
cmd_schedule_run(const struct cli_opts *o)
{
	const char *drdeck = "/usr/local/bin/drdeck";
	struct config *c;
	int i, print = 0;

	for (i = 1; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (strcmp(a, "print") == 0)
			print = 1;
		else if (strcmp(a, "--drdeck") == 0 && i + 1 < o->argc)
			drdeck = o->argv[++i];
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, "schedule");
			return EXIT_OK;
		} else {
			usage(stderr, "schedule");
			return EXIT_USAGE;
		}
	}
	if (!print) {
		usage(stderr, "schedule");
		return EXIT_USAGE;
	}
	c = cli_load_config(o);
	if (c == NULL)
		return EXIT_USAGE;
	schedule_print(c, drdeck, stdout);
	config_free(c);
	return EXIT_OK;
}
