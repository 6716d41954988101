/*
 * cmd-status.c: `drdeck status [--json | --nagios] [--prom FILE] [--alert]`.
 *
 * One probe round of every host (poller_round: in parallel, returns
 * within the round deadline + 1 s even when a host hangs), then:
 *   (default)  the side-by-side table; color when stdout is a terminal
 *              and NO_COLOR is unset (or --color=on); levels as symbols
 *   --json     the JSON document of docs/status-json.md
 *   --nagios   one line after the Monitoring Plugins guidelines
 *   --prom F   the Prometheus textfile, written atomically (nothing on
 *              stdout unless another format is asked for too)
 *   --alert    alert once per change of the pair's level (statusalert.h)
 * Exit code: 0 ok, 1 warn, 2 crit, 3 unknown (also for a config that
 * cannot be loaded, or bad arguments: a monitor must not read those as
 * ok or crit).  Main thread; prints.
 */
#include "cli.h"

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "hub.h"
#include "out.h"
#include "poller.h"
#include "statusalert.h"
#include "xmalloc.h"

#define STATUS_UNKNOWN 3

static void
usage(FILE *f)
{
	fprintf(f,
	    "usage: drdeck status [--json | --nagios] [--prom FILE] [--alert]\n"
	    "\n"
	    "One probe round of both hosts, printed side by side.\n"
	    "  --json       every fact as JSON (docs/status-json.md)\n"
	    "  --nagios     one line with perfdata (Monitoring Plugins)\n"
	    "  --prom FILE  write the Prometheus textfile FILE atomically\n"
	    "  --alert      alert once per change of the pair's level\n"
	    "Exit codes: 0 ok, 1 warn, 2 crit, 3 unknown.\n");
}

static int
want_color(const struct cli_opts *o)
{
	const char *nc = getenv("NO_COLOR");

	if (o->color == CLI_COLOR_ON)
		return 1;
	if (o->color == CLI_COLOR_OFF)
		return 0;
	if (nc != NULL && *nc != '\0')
		return 0;
	return isatty(STDOUT_FILENO);
}

static int
want_utf8(void)
{
	const char *cs;

	setlocale(LC_CTYPE, "");
	cs = nl_langinfo(CODESET);
	return cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0);
}

/* Run `drdeck status`. */
int
cmd_status_run(const struct cli_opts *o)
{
	int json = 0, nagios = 0, alert = 0, i, rc, sent = 0;
	const char *prom = NULL;
	const char *names[HUB_MAX_HOSTS];
	struct config *c;
	struct hub *h;
	const struct snapshot *s;
	struct out_opts oo;
	struct buf b = { 0 };
	struct err e = { "" };
	enum sa_action act;
	size_t k;

	for (i = 1; i < o->argc; i++) {
		const char *a = o->argv[i];

		if (strcmp(a, "--json") == 0)
			json = 1;
		else if (strcmp(a, "--nagios") == 0)
			nagios = 1;
		else if (strcmp(a, "--alert") == 0)
			alert = 1;
		else if (strcmp(a, "--prom") == 0 && i + 1 < o->argc)
			prom = o->argv[++i];
		else if (strncmp(a, "--prom=", 7) == 0 && a[7] != '\0')
			prom = a + 7;
		else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout);
			return EXIT_OK;
		} else {
			fprintf(stderr, "drdeck status: unknown argument %s\n",
			    a);
			usage(stderr);
			return STATUS_UNKNOWN;
		}
	}
	if (json && nagios) {
		fprintf(stderr, "drdeck status: --json or --nagios, not both\n");
		return STATUS_UNKNOWN;
	}
	c = cli_load_config(o);
	if (c == NULL) {
		if (nagios)
			printf("DRDECK UNKNOWN - the config cannot be loaded\n");
		return STATUS_UNKNOWN;
	}
	if (c->n_hosts > HUB_MAX_HOSTS) {
		fprintf(stderr, "drdeck status: %zu hosts, at most %d\n",
		    c->n_hosts, HUB_MAX_HOSTS);
		config_free(c);
		return STATUS_UNKNOWN;
	}
	for (k = 0; k < c->n_hosts; k++)
		names[k] = c->hosts[k].name;
	h = hub_new(c->n_hosts, names);
	if (poller_round(c, h, &e) != 0)
		fprintf(stderr, "drdeck status: %s\n", e.msg);
	s = hub_acquire(h);

	memset(&oo, 0, sizeof oo);
	oo.pair = c->pair;
	oo.now_ms = clock_wall_ms();
	oo.period_ms = 0;
	oo.color = want_color(o) && !json && !nagios;
	oo.utf8 = want_utf8();
	rc = level_exit_code(out_level(s, &oo));

	if (json)
		out_json(&b, s, &oo);
	else if (nagios)
		out_nagios(&b, s, &oo);
	else if (prom == NULL && !alert)	/* cron jobs stay quiet */
		out_text(&b, s, &oo);
	fwrite(b.s ? b.s : "", 1, b.len, stdout);
	fflush(stdout);
	if (prom != NULL && out_prom_write(prom, s, &oo, &e) != 0) {
		fprintf(stderr, "drdeck status: %s\n", e.msg);
		if (rc == 0)
			rc = STATUS_UNKNOWN;
	}
	if (alert) {
		err_clear(&e);
		if (statusalert_run(c, s, &oo, &act, &sent, &e) != 0)
			fprintf(stderr, "drdeck status: --alert: %s\n", e.msg);
		else if (sent) {
			fprintf(stderr, "drdeck status: alert sent (%s)\n",
			    statusalert_action_name(act));
			if (e.msg[0] != '\0')
				fprintf(stderr, "drdeck status: --alert: not "
				    "by every channel: %s\n", e.msg);
		}
	}
	buf_free(&b);
	hub_release(h, s);
	hub_free(h);
	/* A worker still inside a call past its deadline uses the config:
	 * leave it to the exit. */
	if (poller_detached() == 0)
		config_free(c);
	return rc;
}
