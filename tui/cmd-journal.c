/*
 * cmd-journal.c: `drdeck journal [-n N] [--host NAME] [--kind KIND]
 * [--since TIME] [--json] [--file PATH [--tz ZONE]]`: the last events of
 * the journal, oldest first, times in this machine's zone.  Main thread; reads the
 * journal file backwards (journal_tail), so it is quick on any size.
 *
 * --since takes an ISO time ("2026-11-25T09:00:00Z") or an age ("3h").
 * --file reads any journal or runbook log (backup.log, restore.log)
 * without a config; --tz names the zone of the host that wrote a runbook
 * log (its "[...]" times are that host's local time; default this
 * machine's zone).  Control characters in the text are shown escaped,
 * so that nothing in a journal can drive the terminal.
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "journal.h"
#include "timefmt.h"
#include "xmalloc.h"

struct jfilter {
	const char *host;
	int	 kind;		/* -1 = any */
};

static int
jmatch(const struct journal_event *ev, void *arg)
{
	const struct jfilter *f = arg;

	if (f->kind >= 0 && (int)ev->kind != f->kind)
		return 0;
	if (f->host != NULL && (ev->host == NULL ||
	    strcmp(ev->host, f->host) != 0))
		return 0;
	return 1;
}

/* Text with control characters escaped. */
static void
put_clean(FILE *out, const char *s)
{
	const unsigned char *p;

	if (s == NULL) {
		fputc('-', out);
		return;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\x%02x", *p);
		else
			fputc(*p, out);
	}
}

static void
print_event(FILE *out, const struct journal_event *ev)
{
	char ts[TIMEFMT_LEN], rc[16], dur[24];

	timefmt_local(NULL, ev->ts, 1, ts, sizeof ts);
	if (ev->rc == 0)
		snprintf(rc, sizeof rc, "ok");
	else
		snprintf(rc, sizeof rc, "rc=%d", ev->rc);
	if (ev->duration_ms >= 0)
		snprintf(dur, sizeof dur, "%.1fs", ev->duration_ms / 1000.0);
	else
		snprintf(dur, sizeof dur, "-");
	fprintf(out, "%s  ", ts);
	put_clean(out, ev->host);
	fprintf(out, "  %-5s  ", journal_kind_name(ev->kind));
	put_clean(out, ev->action);
	fprintf(out, "  %s  %s  ", rc, dur);
	put_clean(out, ev->actor);
	if (ev->workflow != NULL || ev->step != NULL) {
		fputs("  [", out);
		put_clean(out, ev->workflow);
		fputc('/', out);
		put_clean(out, ev->step);
		fputc(']', out);
	}
	fputs("  ", out);
	put_clean(out, ev->message);
	fputc('\n', out);
}

static int
usage(const char *why)
{
	fprintf(stderr, "drdeck journal: %s\n"
	    "usage: drdeck journal [-n N] [--host NAME] [--kind KIND] "
	    "[--since TIME|AGE] [--json] [--file PATH [--tz ZONE]]\n"
	    "       KIND is job, step, probe, alert or note\n", why);
	return EXIT_USAGE;
}

int
cmd_journal_run(const struct cli_opts *o)
{
	struct jfilter f = { NULL, -1 };
	struct journal_tail t;
	struct config *c = NULL;
	struct err e = { "" };
	const char *file = NULL, *tz = NULL;
	int64_t since = 0;
	long n = 20;
	int json = 0, i, rc = EXIT_OK;
	size_t k;

	for (i = 1; i < o->argc; i++) {
		const char *a = o->argv[i], *v = i + 1 < o->argc ?
		    o->argv[i + 1] : NULL;
		char *end;

		if (strcmp(a, "--json") == 0) {
			json = 1;
			continue;
		}
		if (strcmp(a, "-n") != 0 && strcmp(a, "--host") != 0 &&
		    strcmp(a, "--kind") != 0 && strcmp(a, "--since") != 0 &&
		    strcmp(a, "--file") != 0 && strcmp(a, "--tz") != 0)
			return usage("unknown option");
		if (v == NULL)
			return usage("an option lacks its value");
		i++;
		if (strcmp(a, "-n") == 0) {
			n = strtol(v, &end, 10);
			if (*v == '\0' || *end != '\0' || n < 1 ||
			    n > 1000000)
				return usage("-n wants a count from 1 to "
				    "1000000");
		} else if (strcmp(a, "--host") == 0) {
			f.host = v;
		} else if (strcmp(a, "--kind") == 0) {
			enum journal_kind kd;

			if (journal_kind_parse(v, &kd) != 0)
				return usage("unknown --kind");
			f.kind = (int)kd;
		} else if (strcmp(a, "--since") == 0) {
			int64_t age;

			if (timefmt_parse_iso(v, strlen(v), &since) != 0) {
				if (config_parse_duration(v, &age, &e) != 0)
					return usage("--since wants an ISO "
					    "time with a zone or an age like "
					    "3h");
				since = clock_wall_ms() - age * 1000;
			}
			if (since <= 0)
				since = 1;
		} else if (strcmp(a, "--tz") == 0) {
			if (tz_check(v, &e) != 0)
				return usage(e.msg);
			tz = v;
		} else {
			file = v;
		}
	}
	if (file == NULL) {
		if ((c = cli_load_config(o)) == NULL)
			return EXIT_USAGE;
		file = c->journal;
		if (file == NULL) {
			fprintf(stderr, "drdeck journal: the config names no "
			    "journal\n");
			config_free(c);
			return EXIT_USAGE;
		}
	}
	if (journal_tail_match(file, since > 0 ? 0 : (size_t)n, since, tz,
	    jmatch, &f, &t, &e) != 0) {
		fprintf(stderr, "drdeck: %s\n", e.msg);
		config_free(c);
		return EXIT_FAIL;
	}
	/* With --since, the newest n of those. */
	for (k = t.n > (size_t)n ? t.n - (size_t)n : 0; k < t.n; k++) {
		if (json) {
			char *line = journal_format_line(&t.ev[k]);

			printf("%s\n", line);
			free(line);
		} else
			print_event(stdout, &t.ev[k]);
	}
	if (t.n == 0 && !json)
		fprintf(stderr, "drdeck journal: no events in %s\n", file);
	if (t.skipped > 0)
		fprintf(stderr, "drdeck journal: %zu torn or garbage line%s "
		    "skipped\n", t.skipped, t.skipped == 1 ? "" : "s");
	journal_tail_free(&t);
	config_free(c);
	return rc;
}
