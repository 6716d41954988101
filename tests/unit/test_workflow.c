/*
 * test_workflow.c: the engine's state machine, driven by a scripted fake
 * step table (no hosts: these steps touch nothing but counters):
 * confirmations (y/n, typed words, --yes-to), failure policies (retry,
 * ask, skip, abort), a step past its timeout shown as still running
 * (wait / abort), the safe-state steps on abort, the progress file and
 * the journal (intent before outcome), kill -9 then resume or abort,
 * a second engine refused, and --dry-run writing nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flow.h"
#include "hub.h"
#include "journal.h"
#include "workflow.h"
#include "xmalloc.h"

struct fake {
	int	 ran[8];	/* action calls per step */
	int	 fail_times;	/* delta fails this many times */
	int	 crash_in;	/* step index whose action kills the process */
	int	 sleep_ms;	/* echo's action */
	int	 saw_cancel;
	int	 safe_ran;
};

static struct fake fk;

static int
act(struct flow_ctx *x, int i)
{
	struct fake *f = flow_user(x);

	if (f->crash_in == i)
		raise(SIGKILL);
	f->ran[i]++;
	flow_say(x, "step %d ran", i);
	flow_out(x, "output of step %d", i);
	return 0;
}

static int act0(struct flow_ctx *x, struct err *e) { return act(x, 0); }
static int act1(struct flow_ctx *x, struct err *e) { return act(x, 1); }
static int act2(struct flow_ctx *x, struct err *e)
{
	flow_var_set(x, "typed", flow_answer(x));
	return act(x, 2);
}

static int
act3(struct flow_ctx *x, struct err *e)
{
	struct fake *f = flow_user(x);

	act(x, 3);
	if (f->ran[3] <= f->fail_times)
		return err_set(e, "delta failed (call %d)", f->ran[3]);
	return 0;
}

static int
act4(struct flow_ctx *x, struct err *e)
{
	struct fake *f = flow_user(x);

	act(x, 4);
	if (flow_sleep(x, f->sleep_ms)) {
		f->saw_cancel = 1;
		return err_set(e, "cancelled");
	}
	return 0;
}

static int
safe_act(struct flow_ctx *x, struct err *e)
{
	struct fake *f = flow_user(x);

	f->safe_ran++;
	flow_say(x, "safe");
	return 0;
}

static void
plan0(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "primary$ 'true' 'zero'");
}

static const struct flow_step s_alpha = {
	.id = "alpha", .title = "Alpha", .section = "§1", .why = "first",
	.timeout_ms = 5000, .action = act0, .plan = plan0,
};
static const struct flow_step s_bravo = {
	.id = "bravo", .title = "Bravo", .section = "§2",
	.confirm = CONFIRM_YES, .timeout_ms = 5000, .action = act1,
};
static const struct flow_step s_charlie = {
	.id = "charlie", .title = "Charlie", .section = "§3",
	.confirm = CONFIRM_TYPED, .word = "go", .timeout_ms = 5000,
	.action = act2,
};
static const struct flow_step s_delta = {
	.id = "delta", .title = "Delta", .section = "§4",
	.timeout_ms = 5000, .on_failure = ONFAIL_RETRY, .retries = 1,
	.action = act3,
};
static const struct flow_step s_echo = {
	.id = "echo", .title = "Echo", .section = "§5",
	.timeout_ms = 150, .on_failure = ONFAIL_ABORT, .action = act4,
};
static const struct flow_step s_safe = {
	.id = "safe", .title = "Safe", .section = "§7", .timeout_ms = 5000,
	.action = safe_act,
};

static const struct flow_step *const steps[] = {
	&s_alpha, &s_bravo, &s_charlie, &s_delta, &s_echo,
};
static const struct flow_step *const safe[] = { &s_safe };

static struct flow_def def = {
	.name = "fake",
	.summary = "a scripted table",
	.steps = steps,
	.n_steps = 5,
	.safe = safe,
	.n_safe = 1,
	.user = &fk,
};

static char dir[256];
static struct config cfg;

static int
setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/test_workflow.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&cfg, 0, sizeof cfg);
	cfg.path = "test.json";
	cfg.state_dir = dir;
	memset(&fk, 0, sizeof fk);
	fk.crash_in = -1;
	fk.sleep_ms = 10;
	return 0;
}

static int
teardown(void **state)
{
	char cmd[300];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	(void)!system(cmd);
	return 0;
}

static struct journal *
open_journal(void)
{
	struct journal *j = NULL;
	struct err e = { "" };
	char path[300];

	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	assert_int_equal(journal_open(path, 1 << 20, 2, &j, &e), 0);
	return j;
}

static struct engine *
start(struct journal *j, const struct engine_opts *o)
{
	struct engine *en = NULL;
	struct err e = { "" };

	if (engine_start_def(&cfg, NULL, j, &def, o, &en, &e) != 0)
		fail_msg("engine_start_def: %s", e.msg);
	return en;
}

/* Wait for the next prompt; return a copy of the view. */
static void
next_prompt(struct engine *en, uint64_t *seq, struct flow_view *v)
{
	if (!engine_wait_prompt(en, *seq, 5000))
		fail_msg("no prompt came after prompt %llu",
		    (unsigned long long)*seq);
	engine_view(en, v);
	/* The view may lag the prompt by one publish. */
	while (v->prompt == NULL || v->prompt_seq <= *seq) {
		flow_view_free(v);
		usleep(1000);
		engine_view(en, v);
	}
	*seq = v->prompt_seq;
}

static void
answer_next(struct engine *en, uint64_t *seq, const char *expect_word,
    const char *ans)
{
	struct flow_view v;

	next_prompt(en, seq, &v);
	if (expect_word == NULL)
		assert_null(v.expect);
	else
		assert_string_equal(v.expect, expect_word);
	flow_view_free(&v);
	engine_answer(en, ans);
}

static int
file_exists(const char *name)
{
	char path[300];
	struct stat sb;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return stat(path, &sb) == 0;
}

static int
count_files(const char *sub)
{
	char path[300];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof path, "%s/%s", dir, sub);
	d = opendir(path);
	if (d == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static char *
slurp_journal(void)
{
	char path[300], *s;
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/journal.jsonl", dir);
	f = fopen(path, "r");
	if (f == NULL)
		return xstrdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = xcalloc(1, (size_t)n + 1);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

/* Where the first line holding both a and b starts (-1 none). */
static long
find_line(const char *all, const char *a, const char *b)
{
	const char *p = all, *nl;

	while (*p != '\0') {
		nl = strchr(p, '\n');
		if (nl == NULL)
			nl = p + strlen(p);
		{
			char *line = xstrndup(p, (size_t)(nl - p));
			int hit = strstr(line, a) != NULL &&
			    (b == NULL || strstr(line, b) != NULL);

			free(line);
			if (hit)
				return p - all;
		}
		p = *nl ? nl + 1 : nl;
	}
	return -1;
}

static void
test_happy_path(void **state)
{
	struct engine_opts o = { .flow = "fake" };
	struct journal *j = open_journal();
	struct engine *en = start(j, &o);
	struct flow_view v;
	uint64_t seq = 0;
	char *all;
	int i;

	answer_next(en, &seq, NULL, "y");		/* bravo */
	answer_next(en, &seq, "go", "nope");		/* charlie: wrong */
	next_prompt(en, &seq, &v);			/* asked again */
	assert_string_equal(v.expect, "go");
	assert_non_null(strstr(v.prompt, "\"nope\" is not the answer"));
	flow_view_free(&v);
	engine_answer(en, "GO");			/* case does not matter */
	assert_int_equal(engine_wait(en), 0);
	engine_view(en, &v);
	assert_int_equal(v.finished, 1);
	assert_int_equal(v.n_steps, 5);
	for (i = 0; i < 5; i++)
		assert_int_equal(v.steps[i].state, STEP_DONE);
	assert_string_equal(v.steps[0].command, "primary$ 'true' 'zero'\n");
	assert_string_equal(v.steps[1].message, "step 1 ran");
	flow_view_free(&v);
	for (i = 0; i < 5; i++)
		assert_int_equal(fk.ran[i], 1);
	assert_int_equal(fk.safe_ran, 0);
	engine_free(en);
	journal_close(j);
	/* Progress retired to flows/<id>.json, none left in hand. */
	assert_false(file_exists("flow.json"));
	assert_int_equal(count_files("flows"), 1);
	/* The journal: intent before outcome, for every step, in order. */
	all = slurp_journal();
	{
		long prev = -1;

		for (i = 0; i < 5; i++) {
			long s0 = find_line(all, "\"step.start\"",
			    steps[i]->id), s1 = find_line(all, "\"step.done\"",
			    steps[i]->id);

			assert_true(s0 >= 0);
			assert_true(s1 > s0);
			assert_true(s0 > prev);
			prev = s1;
		}
		assert_true(find_line(all, "\"flow.done\"", NULL) > prev);
		assert_true(find_line(all, "output of step 2", NULL) > 0);
		assert_true(find_line(all, "\"confirm\"", "nope") > 0);
	}
	free(all);
}

static void
test_yes_to(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "bravo" };
	struct engine *en = start(NULL, &o);
	uint64_t seq = 0;

	/* bravo answered by --yes-to; the typed word is still asked. */
	answer_next(en, &seq, "go", "go");
	assert_int_equal(engine_wait(en), 0);
	assert_int_equal(fk.ran[1], 1);
	engine_free(en);
}

static void
test_yes_to_unknown_step(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "bravo,zulu" };
	struct engine *en = NULL;
	struct err e = { "" };

	assert_int_equal(engine_start_def(&cfg, NULL, NULL, &def, &o, &en,
	    &e), -1);
	assert_non_null(strstr(e.msg, "'zulu'"));
	assert_non_null(strstr(e.msg, "alpha, bravo"));
}

static void
test_decline_aborts_and_runs_safe(void **state)
{
	struct engine_opts o = { .flow = "fake" };
	struct engine *en = start(NULL, &o);
	struct flow_view v;
	uint64_t seq = 0;

	answer_next(en, &seq, NULL, "n");	/* bravo is not optional */
	assert_int_equal(engine_wait(en), 1);
	engine_view(en, &v);
	assert_int_equal(v.finished, -1);
	assert_int_equal(v.steps[1].state, STEP_FAILED);
	assert_int_equal(v.n_steps, 6);		/* the safe step shown */
	assert_int_equal(v.steps[5].state, STEP_DONE);
	flow_view_free(&v);
	assert_int_equal(fk.ran[0], 1);
	assert_int_equal(fk.ran[1], 0);
	assert_int_equal(fk.safe_ran, 1);
	engine_free(en);
}

static void
test_abort_before_anything_ran(void **state)
{
	static const struct flow_step *const s2[] = { &s_bravo, &s_alpha };
	struct flow_def d2 = def;
	struct engine_opts o = { .flow = "fake" };
	struct engine *en = NULL;
	struct err e = { "" };
	uint64_t seq = 0;

	d2.steps = s2;
	d2.n_steps = 2;
	assert_int_equal(engine_start_def(&cfg, NULL, NULL, &d2, &o, &en,
	    &e), 0);
	answer_next(en, &seq, NULL, "abort");
	assert_int_equal(engine_wait(en), 1);
	/* Nothing ran: no safe-state step, no progress file. */
	assert_int_equal(fk.safe_ran, 0);
	assert_false(file_exists("flow.json"));
	engine_free(en);
}

static void
test_retry_then_ask_then_skip(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en;
	struct flow_view v;
	uint64_t seq = 0;

	fk.fail_times = 99;
	en = start(NULL, &o);
	answer_next(en, &seq, "go", "go");
	/* delta: failed, retried once automatically, then asked. */
	next_prompt(en, &seq, &v);
	assert_string_equal(v.expect, "retry|skip|abort");
	assert_non_null(strstr(v.prompt, "delta failed (call 2)"));
	assert_int_equal(v.steps[3].state, STEP_FAILED);
	flow_view_free(&v);
	assert_int_equal(fk.ran[3], 2);
	engine_answer(en, "retry");
	next_prompt(en, &seq, &v);
	assert_non_null(strstr(v.prompt, "call 3"));
	flow_view_free(&v);
	engine_answer(en, "bogus");		/* not a choice: asked again */
	next_prompt(en, &seq, &v);
	flow_view_free(&v);
	engine_answer(en, "s");
	assert_int_equal(engine_wait(en), 0);
	engine_view(en, &v);
	assert_int_equal(v.steps[3].state, STEP_SKIPPED);
	assert_int_equal(v.steps[4].state, STEP_DONE);
	flow_view_free(&v);
	engine_free(en);
}

static void
test_failure_then_success_on_retry(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en;
	uint64_t seq = 0;

	fk.fail_times = 1;
	en = start(NULL, &o);
	answer_next(en, &seq, "go", "go");
	assert_int_equal(engine_wait(en), 0);
	assert_int_equal(fk.ran[3], 2);
	engine_free(en);
}

static void
test_still_running_wait(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en;
	struct flow_view v;
	uint64_t seq = 0;

	fk.sleep_ms = 600;
	en = start(NULL, &o);
	answer_next(en, &seq, "go", "go");
	next_prompt(en, &seq, &v);
	assert_string_equal(v.expect, "wait|abort");
	assert_int_equal(v.steps[4].state, STEP_STILL_RUNNING);
	assert_non_null(strstr(v.prompt, "still running"));
	flow_view_free(&v);
	engine_answer(en, "wait");
	/* Past the extended timeout it asks again; wait once more. */
	if (engine_wait_prompt(en, seq, 1000)) {
		next_prompt(en, &seq, &v);
		flow_view_free(&v);
		engine_answer(en, "wait");
	}
	assert_int_equal(engine_wait(en), 0);
	engine_view(en, &v);
	assert_int_equal(v.steps[4].state, STEP_DONE);
	flow_view_free(&v);
	assert_int_equal(fk.saw_cancel, 0);
	engine_free(en);
}

static void
test_still_running_abort(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en;
	struct flow_view v;
	uint64_t seq = 0;

	fk.sleep_ms = 60000;
	en = start(NULL, &o);
	answer_next(en, &seq, "go", "go");
	answer_next(en, &seq, "wait|abort", "abort");
	assert_int_equal(engine_wait(en), 1);
	assert_int_equal(fk.saw_cancel, 1);
	assert_int_equal(fk.safe_ran, 1);
	engine_view(en, &v);
	assert_int_equal(v.steps[4].state, STEP_FAILED);
	flow_view_free(&v);
	engine_free(en);
}

static void
test_engine_abort_call(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en;
	struct flow_view v;
	uint64_t seq = 0;

	fk.sleep_ms = 60000;
	en = start(NULL, &o);
	answer_next(en, &seq, "go", "go");
	/* Ctrl-C while echo runs (before its timeout prompt is answered). */
	usleep(50 * 1000);
	engine_abort(en);
	assert_int_equal(engine_wait(en), 1);
	assert_int_equal(fk.saw_cancel, 1);
	assert_int_equal(fk.safe_ran, 1);
	engine_view(en, &v);
	assert_int_equal(v.finished, -1);
	flow_view_free(&v);
	engine_free(en);
}

static void
test_dry_run_writes_nothing(void **state)
{
	struct engine_opts o = { .flow = "fake", .dry_run = 1 };
	struct engine *en = start(NULL, &o);
	struct flow_view v;
	int i;

	assert_int_equal(engine_wait(en), 0);
	engine_view(en, &v);
	assert_int_equal(v.dry_run, 1);
	assert_int_equal(v.finished, 1);
	assert_string_equal(v.steps[0].command, "primary$ 'true' 'zero'\n");
	flow_view_free(&v);
	for (i = 0; i < 5; i++)
		assert_int_equal(fk.ran[i], 0);
	engine_free(en);
	assert_int_equal(count_files(""), 0);
}

/* Run the flow in a child that dies by SIGKILL in step crash_in. */
static void
crash_child(int crash_in)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct engine_opts o = { .flow = "fake", .yes_to = "all" };
		struct engine *en = NULL;
		struct err e = { "" };
		uint64_t seq = 0;

		fk.crash_in = crash_in;
		if (engine_start_def(&cfg, NULL, NULL, &def, &o, &en,
		    &e) != 0)
			_exit(3);
		if (engine_wait_prompt(en, seq, 5000))
			engine_answer(en, "go");
		(void)engine_wait(en);
		_exit(4);	/* not reached: killed in the step */
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGKILL);
}

static void
test_kill9_then_resume(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en = NULL;
	struct err e = { "" };
	struct flow_view v;
	char flow[32], id[128];
	uint64_t seq = 0;

	crash_child(3);		/* dies in delta */
	assert_true(file_exists("flow.json"));
	assert_int_equal(engine_interrupted(&cfg, flow, sizeof flow, id,
	    sizeof id), 1);
	assert_string_equal(flow, "fake");
	/* A plain start is refused and told about it. */
	assert_int_equal(engine_start_def(&cfg, NULL, NULL, &def, &o, &en,
	    &e), -1);
	assert_non_null(strstr(e.msg, "interrupted"));
	assert_non_null(strstr(e.msg, "--resume"));
	o.resume = 1;
	en = start(NULL, &o);
	/* delta was running: asked whether to run it again (y by
	 * --yes-to); the earlier steps are not run again. */
	assert_int_equal(engine_wait(en), 0);
	engine_view(en, &v);
	assert_string_equal(v.id, id);
	assert_int_equal(v.steps[0].state, STEP_DONE);
	assert_string_equal(v.steps[2].message, "step 2 ran");
	flow_view_free(&v);
	assert_int_equal(fk.ran[0], 0);
	assert_int_equal(fk.ran[1], 0);
	assert_int_equal(fk.ran[2], 0);
	assert_int_equal(fk.ran[3], 1);
	assert_int_equal(fk.ran[4], 1);
	assert_int_equal(fk.safe_ran, 0);
	engine_free(en);
	assert_false(file_exists("flow.json"));
	assert_int_equal(engine_interrupted(&cfg, NULL, 0, NULL, 0), 0);
	(void)seq;
}

static void
test_kill9_then_abort(void **state)
{
	struct engine_opts o = { .flow = "fake", .abort_interrupted = 1 };
	struct engine *en;
	int i;

	crash_child(4);
	en = start(NULL, &o);
	assert_int_equal(engine_wait(en), 1);
	assert_int_equal(fk.safe_ran, 1);
	for (i = 0; i < 5; i++)
		assert_int_equal(fk.ran[i], 0);
	engine_free(en);
	assert_false(file_exists("flow.json"));
}

static void
test_second_engine_refused(void **state)
{
	struct engine_opts o = { .flow = "fake", .yes_to = "all" };
	struct engine *en = NULL, *en2 = NULL;
	struct err e = { "" };
	uint64_t seq = 0;
	pid_t pid;
	int st;

	/* A first drdeck (another process) holds a flow in hand. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		fk.sleep_ms = 60000;
		if (engine_start_def(&cfg, NULL, NULL, &def, &o, &en,
		    &e) != 0)
			_exit(3);
		if (engine_wait_prompt(en, seq, 5000))
			engine_answer(en, "go");
		(void)engine_wait(en);
		_exit(0);
	}
	/* Wait until its progress file exists. */
	for (int i = 0; i < 500 && !file_exists("flow.json"); i++)
		usleep(10000);
	assert_true(file_exists("flow.json"));
	assert_int_equal(engine_start_def(&cfg, NULL, NULL, &def, &o, &en2,
	    &e), -1);
	assert_non_null(strstr(e.msg, "is running now"));
	assert_int_equal(engine_interrupted(&cfg, NULL, 0, NULL, 0), 0);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	/* Its holder gone, it is interrupted now. */
	assert_int_equal(engine_interrupted(&cfg, NULL, 0, NULL, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_happy_path, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_yes_to, setup, teardown),
		cmocka_unit_test_setup_teardown(test_yes_to_unknown_step,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_decline_aborts_and_runs_safe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_before_anything_ran,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_retry_then_ask_then_skip,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_failure_then_success_on_retry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_still_running_wait,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_still_running_abort,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_engine_abort_call,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_dry_run_writes_nothing,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_kill9_then_resume, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_kill9_then_abort, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_second_engine_refused,
		    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
