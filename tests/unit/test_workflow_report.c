/*
 * test_workflow_report.c: the flow reports (Markdown, JSON, parsed back,
 * malformed input) and the drill history (next due, the overdue fact).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "drillhist.h"
#include "facts.h"
#include "report.h"
#include "xmalloc.h"

#define H (3600LL * 1000)
#define T0 1764061200000LL	/* 2025-11-25T09:00:00Z */

static void
sample(struct report_data *d, int64_t start, int ok)
{
	memset(d, 0, sizeof *d);
	d->flow = xstrdup("drill");
	d->id = xstrdup("drill-20251125T090000Z-1");
	d->pair = xstrdup("lab");
	d->actor = xstrdup("op@console");
	d->started_at = start;
	d->finished_at = start + H;
	d->ok = ok;
	d->rto_start = start + 60000;
	d->rto_end = start + 60000 + 754000;		/* 12m34s */
	d->rto_target_ms = 15 * 60 * 1000;
	d->loss_from = start - 2 * H;
	d->loss_to = start + 60000;
	d->rpo_ms = 3 * H;
	d->downtime_from = start + 30 * 60000;
	d->downtime_to = start + 31 * 60000;
	d->notes = xstrdup("pipe | and\nnewline");
	d->n_steps = 2;
	d->steps = xcalloc(2, sizeof *d->steps);
	d->steps[0].id = xstrdup("outage");
	d->steps[0].title = xstrdup("Simulate | the outage");
	d->steps[0].section = xstrdup("§8");
	d->steps[0].state = xstrdup("done");
	d->steps[0].started_at = start + 60000;
	d->steps[0].duration_ms = 1500;
	d->steps[0].message = xstrdup("cut off\nsecond line");
	d->steps[1].id = xstrdup("heal");
	d->steps[1].title = xstrdup("End the outage");
	d->steps[1].state = xstrdup("failed");
	d->steps[1].message = xstrdup("lab heal: exit 1");
}

static void
test_markdown(void **state)
{
	struct report_data d;
	struct buf b = { 0 };

	sample(&d, T0, 1);
	report_format_md(&d, &b);
	assert_non_null(strstr(b.s, "# drill report: lab"));
	assert_non_null(strstr(b.s, "| 12m34s | 15m00s | met |"));
	assert_non_null(strstr(b.s, "| 2h01m | 3h00m | met |"));
	assert_non_null(strstr(b.s, "Cutback downtime"));
	/* Table cells never break the table. */
	assert_non_null(strstr(b.s, "Simulate \\| the outage (`outage`)"));
	assert_non_null(strstr(b.s, "cut off second line"));
	assert_non_null(strstr(b.s, "Result: completed"));
	report_data_free(&d);
	buf_free(&b);

	sample(&d, T0, 0);
	d.rto_end = d.rto_start + 16 * 60000;
	d.loss_from = d.loss_to - 4 * H;
	report_format_md(&d, &b);
	assert_non_null(strstr(b.s, "| 16m00s | 15m00s | MISSED |"));
	assert_non_null(strstr(b.s, "| 4h00m | 3h00m | MISSED |"));
	assert_non_null(strstr(b.s, "NOT completed"));
	report_data_free(&d);
	buf_free(&b);

	/* An outage named before the data the backup holds: no loss, said
	 * so, never a window running backwards. */
	sample(&d, T0, 1);
	d.loss_from = d.loss_to + 5 * 60000;
	report_format_md(&d, &b);
	assert_non_null(strstr(b.s, "Data-loss window (none: the backup's "
	    "data, "));
	assert_non_null(strstr(b.s, "is newer than the outage, "));
	assert_non_null(strstr(b.s, "| 0.0s | 3h00m | met |"));
	report_data_free(&d);
	buf_free(&b);
}

static void
test_json_round_trip(void **state)
{
	struct report_data d, back;
	struct err e = { "" };
	char *js;

	sample(&d, T0, 1);
	js = report_format_json(&d);
	assert_non_null(strstr(js, "\"window_ms\":\t7260000"));
	assert_int_equal(report_parse_json(js, &back, &e), 0);
	assert_string_equal(back.flow, "drill");
	assert_string_equal(back.id, d.id);
	assert_int_equal(back.ok, 1);
	assert_true(back.started_at == d.started_at);
	assert_true(back.rto_start == d.rto_start);
	assert_true(back.rto_end == d.rto_end);
	assert_true(back.rto_target_ms == d.rto_target_ms);
	assert_true(back.loss_from == d.loss_from);
	assert_true(back.loss_to == d.loss_to);
	assert_true(back.rpo_ms == d.rpo_ms);
	assert_true(back.downtime_to == d.downtime_to);
	assert_string_equal(back.notes, d.notes);
	assert_int_equal(back.n_steps, 2);
	assert_string_equal(back.steps[1].state, "failed");
	assert_string_equal(back.steps[0].message, "cut off\nsecond line");
	report_data_free(&back);
	report_data_free(&d);
	free(js);
}

static void
test_json_malformed(void **state)
{
	static const char *const bad[] = {
		"", "{", "[]", "42", "null", "{\"flow\":\"drill\"}",
		"{\"id\":\"x\"}", "{\"flow\":1,\"id\":\"x\"}",
		"{\"flow\":\"drill\",\"id\":[]}",
	};
	struct report_data d;
	struct err e = { "" };
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(report_parse_json(bad[i], &d, &e), -1);
		assert_true(e.msg[0] != '\0');
	}
	/* Wrong types inside are ignored, not fatal. */
	assert_int_equal(report_parse_json("{\"flow\":\"drill\",\"id\":\"x\","
	    "\"started_at\":5,\"rto\":[],\"data_loss\":{\"from\":\"nope\"},"
	    "\"steps\":[1,{\"id\":2}]}", &d, &e), 0);
	assert_true(d.started_at == 0);
	assert_true(d.loss_from == 0);
	assert_int_equal(d.n_steps, 2);
	assert_string_equal(d.steps[0].id, "?");
	report_data_free(&d);
}

static char dir[256];

static void
write_report(const char *name, int64_t start, int ok)
{
	struct report_data d;
	char path[512], *js;
	FILE *f;

	sample(&d, start, ok);
	js = report_format_json(&d);
	snprintf(path, sizeof path, "%s/reports/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(js, f);
	fclose(f);
	free(js);
	report_data_free(&d);
}

static void
test_history_and_fact(void **state)
{
	struct config c;
	struct drill_history h;
	struct fact_list fl = { 0 };
	struct err e = { "" };
	const struct fact *f;
	char path[512];
	int64_t now = T0 + 40LL * 24 * H;

	snprintf(dir, sizeof dir, "/tmp/test_workflow_report.XXXXXX");
	assert_non_null(mkdtemp(dir));
	memset(&c, 0, sizeof c);
	c.state_dir = dir;
	c.drill.interval = 30LL * 86400;

	/* No report folder: no drill on record.  The first drill is due one
	 * interval after drdeck first watched the pair (watching-since). */
	assert_int_equal(drillhist_load(&c, &h, &e), 0);
	assert_int_equal(h.n, 0);
	assert_true(drillhist_next_due(&h, 30 * 24 * H) == 0);
	drillhist_free(&h);
	drillhist_fact(&c, T0, &fl);
	f = facts_find(&fl, "drill.due");
	assert_non_null(f);
	assert_int_equal(f->level, LEVEL_OK);
	assert_non_null(strstr(f->value, "first due"));
	assert_non_null(strstr(f->value, "(in 30d"));
	facts_free(&fl);
	/* Later calls keep the first time seen: 40 days on, overdue. */
	drillhist_fact(&c, now, &fl);
	f = facts_find(&fl, "drill.due");
	assert_int_equal(f->level, LEVEL_WARN);
	assert_non_null(strstr(f->value, "no drill on record, overdue by 10d"));
	facts_free(&fl);
	/* A state folder that cannot be written: a plain warning. */
	{
		struct config c2 = c;

		c2.state_dir = "/proc/nonexistent/drdeck";
		drillhist_fact(&c2, now, &fl);
		f = facts_find(&fl, "drill.due");
		assert_non_null(f);
		assert_int_not_equal(f->level, LEVEL_OK);
		facts_free(&fl);
	}

	snprintf(path, sizeof path, "%s/reports", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	write_report("drill-2025-11-25.json", T0, 1);
	write_report("drill-2025-12-20.json", T0 + 25LL * 24 * H, 0);
	snprintf(path, sizeof path, "%s/reports/drill-2025-12-21.json", dir);
	{
		FILE *g = fopen(path, "w");

		fputs("{ torn", g);
		fclose(g);
	}
	snprintf(path, sizeof path, "%s/reports/failover-x.json", dir);
	{
		FILE *g = fopen(path, "w");

		fputs("{}", g);
		fclose(g);
	}
	assert_int_equal(drillhist_load(&c, &h, &e), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.unreadable, 1);
	assert_true(h.v[0].at < h.v[1].at);
	assert_true(h.v[0].rto_ms == 754000);
	assert_true(h.v[0].loss_ms == 2 * H + 60000);
	/* The failed drill does not count: due 30 days after the first. */
	assert_true(h.last_ok == T0);
	assert_true(drillhist_next_due(&h, 30 * 24 * H) == T0 + 30 * 24 * H);
	drillhist_free(&h);

	/* 40 days after it: overdue by 10 days. */
	drillhist_fact(&c, now, &fl);
	f = facts_find(&fl, "drill.due");
	assert_int_equal(f->level, LEVEL_WARN);
	assert_non_null(strstr(f->value, "overdue by 10d"));
	facts_free(&fl);
	/* 20 days after it: due in 10 days. */
	drillhist_fact(&c, T0 + 20 * 24 * H, &fl);
	f = facts_find(&fl, "drill.due");
	assert_int_equal(f->level, LEVEL_OK);
	assert_non_null(strstr(f->value, "(in 10d"));
	facts_free(&fl);

	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	(void)!system(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markdown),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_json_malformed),
		cmocka_unit_test(test_history_and_fact),
	};

	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
