/*
 * cmd-flow.c: `drdeck failover`, `drdeck cutback`, `drdeck drill`, and
 * `drdeck drill history`.
 *
 *   drdeck failover|cutback|drill [--dry-run] [--yes-to all|STEP,...]
 *       [--resume | --abort] [--outage-at HH:MM|ISO-TIME]
 *   drdeck drill history
 *
 * Main thread.  The flow runs on the engine's thread (backend/workflow.h)
 * exactly as in the console: this loop reads the flow view from the hub,
 * prints each step as it starts and ends, and when the engine asks,
 * prints the prompt and reads one line from stdin (a terminal or a
 * script) and sends it with engine_answer().  --yes-to answers the y/n
 * confirmations of the named steps; typed words are always typed.  The
 * end of stdin answers "abort"; Ctrl-C aborts (the safe-state steps run).
 *
 * Exit codes: 0 the flow completed (dry run: the plan was printed),
 * 1 it failed or was aborted, 2 usage, config or start error (refused:
 * another operator holds the lock or runs a flow; an interrupted flow
 * waits for --resume or --abort).
 */
#include "cli.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "drillhist.h"
#include "facts.h"
#include "flow.h"
#include "hub.h"
#include "job-common.h"
#include "journal.h"
#include "workflow.h"
#include "xmalloc.h"

static volatile sig_atomic_t interrupted;

static void
on_sigint(int sig)
{
	interrupted = 1;
}

static void
usage(FILE *out, const char *cmd)
{
	fprintf(out, "usage: drdeck %s [--dry-run] [--yes-to all|STEP,...] "
	    "[--resume | --abort]%s\n", cmd, strcmp(cmd, "cutback") != 0 ?
	    " [--outage-at HH:MM|TIME]" : "");
	if (strcmp(cmd, "drill") == 0)
		fprintf(out, "       drdeck drill history\n");
}

static const char *
now_hms(char *buf, size_t len)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
	return buf;
}

static const char *
dur(int64_t ms, char *buf, size_t len)
{
	if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)(ms < 0 ? 0 : ms) / 1000.0);
	else
		fmt_duration(ms / 1000, buf, len);
	return buf;
}

/* "09:00" (today, or yesterday when that is in the future) or ISO. */
static int
parse_when(const char *s, int64_t *out)
{
	int hh, mm;
	char tail;
	time_t now = time(NULL), t;
	struct tm tm;

	if (sscanf(s, "%d:%d%c", &hh, &mm, &tail) == 2 && hh >= 0 &&
	    hh < 24 && mm >= 0 && mm < 60 && strlen(s) <= 5) {
		localtime_r(&now, &tm);
		tm.tm_hour = hh;
		tm.tm_min = mm;
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		t = mktime(&tm);
		if (t > now)
			t -= 86400;
		*out = (int64_t)t * 1000;
		return 0;
	}
	return job_parse_iso_time(s, out);
}

static const char *
confirm_word(const struct flow_step *s)
{
	switch (s->confirm) {
	case CONFIRM_NONE:	return "no confirmation";
	case CONFIRM_YES:	return "confirm y/n";
	case CONFIRM_TYPED:	return "typed confirmation";
	case CONFIRM_TEXT:	return "free text";
	}
	return "?";
}

static void
print_indented(const char *text, const char *pad)
{
	const char *p = text, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		printf("%s%.*s\n", pad, (int)(nl != NULL ? nl - p :
		    (ptrdiff_t)strlen(p)), p);
		p = nl != NULL ? nl + 1 : NULL;
	}
}

static void
print_plan(const struct flow_def *def, const struct flow_view *v)
{
	size_t i;

	printf("drdeck %s --dry-run: nothing runs, nothing is written. "
	    "%zu steps:\n\n", def->name, v->n_steps);
	for (i = 0; i < v->n_steps && i < def->n_steps; i++) {
		const struct flow_step_view *s = &v->steps[i];

		printf("[%zu/%zu] %s  %s (%s; %s)\n", i + 1, v->n_steps,
		    s->id, s->title, s->section != NULL ? s->section : "",
		    confirm_word(def->steps[i]));
		if (s->why != NULL)
			printf("      why: %s\n", s->why);
		if (s->command != NULL && *s->command != '\0')
			print_indented(s->command, "      ");
		printf("\n");
	}
	if (def->n_safe > 0) {
		printf("On abort (safe state):");
		for (i = 0; i < def->n_safe; i++)
			printf(" %s%s", def->safe[i]->id, i + 1 < def->n_safe ?
			    "," : "\n");
	}
}

/* Print the prompt and read the answer: a new string, "abort" at EOF. */
static char *
read_answer(const struct flow_view *v)
{
	char *line = NULL, *p;
	size_t cap = 0;
	ssize_t n;

	printf("\n? %s\n", v->prompt);
	if (v->expect != NULL) {
		printf("  [type \"");
		for (p = v->expect; *p != '\0'; p++) {
			if (*p == '|')
				printf("\" or \"");
			else
				putchar(*p);
		}
		printf("\", or abort] > ");
	} else {
		printf("  [y/n/abort] > ");
	}
	/* A script reading this line by line gets the whole prompt. */
	if (!isatty(STDIN_FILENO))
		printf("\n");
	fflush(stdout);
	errno = 0;
	n = getline(&line, &cap, stdin);
	if (n < 0) {
		free(line);
		if (interrupted) {
			printf("\n(interrupted: abort)\n");
			return xstrdup("abort");
		}
		printf("\n(end of input: abort)\n");
		return xstrdup("abort");
	}
	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (!isatty(STDIN_FILENO))
		printf("  (answer: %s)\n", line);
	return line;
}

struct seen {
	enum step_state *st;
	size_t	 n;
};

static void
print_changes(const struct flow_view *v, struct seen *sn)
{
	char hms[16], d[32];
	size_t i;

	if (sn->n < v->n_steps) {
		sn->st = xreallocarray(sn->st, v->n_steps, sizeof *sn->st);
		for (i = sn->n; i < v->n_steps; i++)
			sn->st[i] = STEP_PENDING;
		sn->n = v->n_steps;
	}
	for (i = 0; i < v->n_steps; i++) {
		const struct flow_step_view *s = &v->steps[i];
		enum step_state was = sn->st[i];

		if (s->state == was)
			continue;
		sn->st[i] = s->state;
		if (was == STEP_PENDING && s->state != STEP_SKIPPED)
			printf("%s [%zu/%zu] %s (%s)\n", now_hms(hms,
			    sizeof hms), i + 1, v->n_steps, s->title,
			    s->section);
		switch (s->state) {
		case STEP_CONFIRM:
			break;
		case STEP_RUNNING:
			if (was == STEP_STILL_RUNNING)
				printf("    waiting on\n");
			break;
		case STEP_STILL_RUNNING:
			printf("    still running after %s\n",
			    dur(s->duration_ms, d, sizeof d));
			break;
		case STEP_DONE:
			printf("    done (%s): %s\n", dur(s->duration_ms, d,
			    sizeof d), s->message != NULL ? s->message : "");
			break;
		case STEP_SKIPPED:
			printf("%s [%zu/%zu] %s (%s)\n    skipped: %s\n",
			    now_hms(hms, sizeof hms), i + 1, v->n_steps,
			    s->title, s->section, s->message != NULL ?
			    s->message : "");
			break;
		case STEP_FAILED:
			printf("    FAILED (%s): %s\n", dur(s->duration_ms, d,
			    sizeof d), s->message != NULL ? s->message : "");
			if (v->output_tail != NULL && *v->output_tail != '\0')
				print_indented(v->output_tail, "      | ");
			break;
		case STEP_PENDING:
			break;
		}
	}
	fflush(stdout);
}

static int
run_flow(const struct cli_opts *co, const char *name)
{
	struct engine_opts eo;
	struct config *c = NULL;
	struct journal *j = NULL;
	struct hub *hub = NULL;
	struct engine *en = NULL;
	struct err e = { "" };
	struct seen sn = { NULL, 0 };
	const struct flow_def *def = flow_find(name);
	const char *names[HUB_MAX_HOSTS];
	struct sigaction sa;
	uint64_t answered = 0;
	int i, rc = EXIT_USAGE, aborted_sent = 0;
	char iflow[64], iid[128];
	size_t k;

	memset(&eo, 0, sizeof eo);
	eo.flow = name;
	for (i = 1; i < co->argc; i++) {
		const char *a = co->argv[i];

		if (strcmp(a, "--dry-run") == 0 || strcmp(a, "-n") == 0)
			eo.dry_run = 1;
		else if (strcmp(a, "--yes-to") == 0 && i + 1 < co->argc)
			eo.yes_to = co->argv[++i];
		else if (strncmp(a, "--yes-to=", 9) == 0)
			eo.yes_to = a + 9;
		else if (strcmp(a, "--resume") == 0)
			eo.resume = 1;
		else if (strcmp(a, "--abort") == 0)
			eo.abort_interrupted = 1;
		else if (strcmp(a, "--outage-at") == 0 && i + 1 < co->argc) {
			if (parse_when(co->argv[++i], &eo.outage_at) != 0) {
				fprintf(stderr, "drdeck: --outage-at %s: expected "
				    "HH:MM or an ISO 8601 time\n", co->argv[i]);
				return EXIT_USAGE;
			}
			/* A minute of grace for a clock read off a phone. */
			if (eo.outage_at > clock_wall_ms() + 60 * 1000) {
				fprintf(stderr, "drdeck: --outage-at %s: that "
				    "is in the future; expected when the "
				    "outage began\n", co->argv[i]);
				return EXIT_USAGE;
			}
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			usage(stdout, name);
			return EXIT_OK;
		} else {
			fprintf(stderr, "drdeck %s: unknown argument %s\n",
			    name, a);
			usage(stderr, name);
			return EXIT_USAGE;
		}
	}
	c = cli_load_config(co);
	if (c == NULL)
		return EXIT_USAGE;
	if (!eo.dry_run && !eo.resume && !eo.abort_interrupted &&
	    engine_interrupted(c, iflow, sizeof iflow, iid, sizeof iid) &&
	    isatty(STDIN_FILENO)) {
		char *line = NULL;
		size_t cap = 0;

		printf("An interrupted %s (%s) is waiting. [r]esume it, "
		    "[a]bort it (safe state), or [q]uit? > ", iflow, iid);
		fflush(stdout);
		if (getline(&line, &cap, stdin) > 0 && (line[0] == 'r' ||
		    line[0] == 'a')) {
			if (strcmp(iflow, name) != 0) {
				fprintf(stderr, "drdeck: it is a %s: run "
				    "`drdeck %s`\n", iflow, iflow);
				free(line);
				goto out;
			}
			eo.resume = line[0] == 'r';
			eo.abort_interrupted = line[0] == 'a';
		}
		free(line);
	}
	if (!eo.dry_run && c->journal != NULL &&
	    journal_open(c->journal, c->journal_max, c->journal_keep, &j,
	    &e) != 0) {
		fprintf(stderr, "drdeck: journal: %s\n", e.msg);
		goto out;
	}
	for (k = 0; k < c->n_hosts && k < HUB_MAX_HOSTS; k++)
		names[k] = c->hosts[k].name;
	hub = hub_new(k, names);
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_sigint;	/* no SA_RESTART: getline returns */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if (engine_start(c, hub, j, &eo, &en, &e) != 0) {
		fprintf(stderr, "drdeck %s: %s\n", name, e.msg);
		goto out;
	}
	if (!eo.dry_run) {
		const struct snapshot *s = hub_acquire(hub);
		char t[JOB_ISO_LEN];

		printf("drdeck %s: %s (%s); RTO clock from %s\n", name,
		    s->flow.id, def->summary, job_iso_time(s->flow.started_at,
		    t));
		hub_release(hub, s);
		fflush(stdout);
	}
	for (;;) {
		struct pollfd pfd = { hub_wake_fd(hub), POLLIN, 0 };
		const struct snapshot *s;
		struct flow_view v;
		int fin;

		if (interrupted && !aborted_sent) {
			printf("\n(interrupted: aborting; the safe-state steps "
			    "run)\n");
			engine_abort(en);
			aborted_sent = 1;
		}
		(void)poll(&pfd, 1, 500);
		hub_drain_wake(hub);
		s = hub_acquire(hub);
		flow_view_copy(&v, &s->flow);
		hub_release(hub, s);
		fin = v.finished;
		if (eo.dry_run) {
			if (fin) {
				print_plan(def, &v);
				flow_view_free(&v);
				break;
			}
			flow_view_free(&v);
			continue;
		}
		if (eo.resume && sn.n == 0 && v.n_steps > 0) {
			/* Resumed: what was done before is not news. */
			int any = 0;

			sn.st = xcalloc(v.n_steps, sizeof *sn.st);
			sn.n = v.n_steps;
			for (k = 0; k < v.n_steps; k++) {
				if (v.steps[k].state != STEP_DONE &&
				    v.steps[k].state != STEP_SKIPPED)
					continue;
				sn.st[k] = v.steps[k].state;
				printf("%s%s", any ? ", " : "    already done "
				    "before the interruption: ", v.steps[k].id);
				any = 1;
			}
			if (any)
				printf("\n");
		}
		print_changes(&v, &sn);
		if (v.prompt != NULL && v.prompt_seq != answered && !fin) {
			char *a = read_answer(&v);

			answered = v.prompt_seq;
			engine_answer(en, a);
			free(a);
		}
		if (fin) {
			char d1[32], d2[32], d3[32];

			printf("\n%s %s %s: flow %s, RTO clock %s\n",
			    now_hms(d1, sizeof d1), name, fin > 0 ?
			    "completed" : "FAILED or aborted",
			    dur(v.flow_ms, d2, sizeof d2),
			    dur(v.rto_ms, d3, sizeof d3));
			if (v.report_path != NULL)
				printf("report: %s\n", v.report_path);
			flow_view_free(&v);
			break;
		}
		flow_view_free(&v);
	}
	rc = engine_wait(en) == 0 ? EXIT_OK : EXIT_FAIL;
out:
	engine_free(en);
	if (hub != NULL)
		hub_free(hub);
	if (j != NULL)
		journal_close(j);
	free(sn.st);
	config_free(c);
	fflush(stdout);
	return rc;
}

static int
drill_history(const struct cli_opts *co)
{
	struct config *c = cli_load_config(co);
	struct drill_history h;
	struct err e = { "" };
	int64_t interval, due, now = clock_wall_ms();
	char t[32], d1[32], d2[32], d3[32], d4[32];
	size_t i;

	if (c == NULL)
		return EXIT_USAGE;
	if (drillhist_load(c, &h, &e) != 0) {
		fprintf(stderr, "drdeck drill history: %s\n", e.msg);
		config_free(c);
		return EXIT_FAIL;
	}
	interval = c->drill.interval > 0 ? c->drill.interval * 1000 :
	    30LL * 86400 * 1000;
	printf("Drills (%s/reports):\n", c->state_dir);
	if (h.n == 0)
		printf("  none on record\n");
	for (i = 0; i < h.n; i++) {
		const struct drill_entry *d = &h.v[i];
		time_t tt = (time_t)(d->at / 1000);
		struct tm tm;

		localtime_r(&tt, &tm);
		strftime(t, sizeof t, "%Y-%m-%d %H:%M", &tm);
		printf("  %s  %-9s  RTO %s / %s %s  data loss %s / RPO %s "
		    "%s  %s\n", t, d->ok ? "completed" : "FAILED",
		    d->rto_ms >= 0 ? dur(d->rto_ms, d1, sizeof d1) : "-",
		    d->rto_target_ms > 0 ? dur(d->rto_target_ms, d2,
		    sizeof d2) : "-", d->rto_ms < 0 || d->rto_target_ms <= 0 ?
		    "" : d->rto_ms <= d->rto_target_ms ? "met" : "MISSED",
		    d->loss_ms >= 0 ? dur(d->loss_ms, d3, sizeof d3) : "?",
		    d->rpo_ms > 0 ? dur(d->rpo_ms, d4, sizeof d4) : "-",
		    d->loss_ms < 0 || d->rpo_ms <= 0 ? "" : d->loss_ms <=
		    d->rpo_ms ? "met" : "MISSED", d->path);
	}
	if (h.unreadable > 0)
		printf("  (%zu report(s) could not be read)\n", h.unreadable);
	due = drillhist_next_due(&h, interval);
	if (due == 0) {
		printf("Next drill: due now (no completed drill on record)\n");
	} else {
		time_t tt = (time_t)(due / 1000);
		struct tm tm;

		localtime_r(&tt, &tm);
		strftime(t, sizeof t, "%Y-%m-%d", &tm);
		if (due >= now)
			printf("Next drill: due %s (in %s)\n", t,
			    fmt_duration((due - now) / 1000, d1, sizeof d1));
		else
			printf("Next drill: OVERDUE since %s (%s ago)\n", t,
			    fmt_duration((now - due) / 1000, d1, sizeof d1));
	}
	drillhist_free(&h);
	config_free(c);
	return EXIT_OK;
}

int
cmd_failover_run(const struct cli_opts *o)
{
	return run_flow(o, "failover");
}

int
cmd_cutback_run(const struct cli_opts *o)
{
	return run_flow(o, "cutback");
}

int
cmd_drill_run(const struct cli_opts *o)
{
	if (o->argc > 1 && strcmp(o->argv[1], "history") == 0) {
		if (o->argc > 2) {
			usage(stderr, "drill");
			return EXIT_USAGE;
		}
		return drill_history(o);
	}
	return run_flow(o, "drill");
}
