/*
 * report.c: a flow's report as Markdown and JSON (see report.h).
 *
 * The format and parse functions are pure and may run on any thread;
 * report_write() runs on the flow's worker thread and writes two local
 * files (0600) in <state_dir>/reports.
 */
#include "report.h"
#include "flow.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "facts.h"
#include "job-common.h"
#include "os.h"
#include "xmalloc.h"

void
report_data_free(struct report_data *d)
{
	size_t i;

	free(d->flow);
	free(d->id);
	free(d->pair);
	free(d->actor);
	free(d->notes);
	for (i = 0; i < d->n_steps; i++) {
		free(d->steps[i].id);
		free(d->steps[i].title);
		free(d->steps[i].section);
		free(d->steps[i].state);
		free(d->steps[i].message);
	}
	free(d->steps);
	memset(d, 0, sizeof *d);
}

static const char *
iso(int64_t ms, char buf[JOB_ISO_LEN])
{
	if (ms <= 0)
		return "-";
	return job_iso_time(ms, buf);
}

static const char *
dur(int64_t ms, char *buf, size_t len)
{
	if (ms < 0)
		return "-";
	if (ms < 60000)
		snprintf(buf, len, "%.1fs", (double)ms / 1000.0);
	else
		fmt_duration(ms / 1000, buf, len);
	return buf;
}

/* A message on one Markdown table line: no pipes, no newlines. */
static void
md_cell(struct buf *b, const char *s)
{
	for (; s != NULL && *s != '\0'; s++) {
		if (*s == '|')
			buf_puts(b, "\\|");
		else if (*s == '\n' || *s == '\r')
			buf_putc(b, ' ');
		else
			buf_putc(b, *s);
	}
}

void
report_format_md(const struct report_data *d, struct buf *b)
{
	char t1[JOB_ISO_LEN], t2[JOB_ISO_LEN], d1[32], d2[32];
	size_t i;

	buf_printf(b, "# %s report: %s\n\n", d->flow, d->pair != NULL ?
	    d->pair : "?");
	buf_printf(b, "- Flow id: `%s`\n", d->id);
	buf_printf(b, "- Operator: %s\n", d->actor != NULL ? d->actor : "?");
	buf_printf(b, "- Started: %s\n", iso(d->started_at, t1));
	buf_printf(b, "- Finished: %s\n", iso(d->finished_at, t2));
	buf_printf(b, "- Result: %s\n\n", d->ok ? "completed" :
	    "NOT completed");
	buf_puts(b, "## Measures\n\n| measure | value | target | "
	    "verdict |\n|---|---|---|---|\n");
	if (d->rto_end > 0 && d->rto_start > 0) {
		int64_t rto = d->rto_end - d->rto_start;

		buf_printf(b, "| RTO (outage %s to serving %s) | %s | %s | "
		    "%s |\n", iso(d->rto_start, t1), iso(d->rto_end, t2),
		    dur(rto, d1, sizeof d1), d->rto_target_ms > 0 ?
		    dur(d->rto_target_ms, d2, sizeof d2) : "-",
		    d->rto_target_ms <= 0 ? "-" : rto <= d->rto_target_ms ?
		    "met" : "MISSED");
	}
	if (d->loss_to > 0) {
		int64_t w = d->loss_from > 0 ? d->loss_to - d->loss_from : -1;

		if (w < 0 && d->loss_from > 0)
			w = 0;
		if (d->loss_from > d->loss_to && !d->salvaged) {
			/* The outage given is older than the data restored. */
			buf_printf(b, "| Data-loss window (none: the backup's "
			    "data, %s, is newer than the outage, %s) | %s | "
			    "%s | %s |\n", iso(d->loss_from, t1),
			    iso(d->loss_to, t2), dur(0, d1, sizeof d1),
			    d->rpo_ms > 0 ? dur(d->rpo_ms, d2, sizeof d2) : "-",
			    d->rpo_ms > 0 ? "met" : "-");
		} else {
			buf_printf(b, "| Data-loss window (%s to %s)%s | %s | "
			    "%s | %s |\n", iso(d->loss_from, t1),
			    iso(d->loss_to, t2), d->salvaged ? ", salvaged" :
			    "", w < 0 ? "unknown" : dur(w, d1, sizeof d1),
			    d->rpo_ms > 0 ? dur(d->rpo_ms, d2, sizeof d2) : "-",
			    w < 0 || d->rpo_ms <= 0 ? "-" : w <= d->rpo_ms ?
			    "met" : "MISSED");
		}
	}
	if (d->downtime_from > 0 && d->downtime_to > 0)
		buf_printf(b, "| Cutback downtime (%s to %s) | %s | - | - |\n",
		    iso(d->downtime_from, t1), iso(d->downtime_to, t2),
		    dur(d->downtime_to - d->downtime_from, d1, sizeof d1));
	buf_puts(b, "\n## Steps\n\n| step | runbook | started | time | result "
	    "| message |\n|---|---|---|---|---|---|\n");
	for (i = 0; i < d->n_steps; i++) {
		const struct report_step *s = &d->steps[i];

		buf_puts(b, "| ");
		md_cell(b, s->title);
		buf_printf(b, " (`%s`) | %s | %s | %s | %s | ", s->id,
		    s->section != NULL ? s->section : "",
		    iso(s->started_at, t1), s->started_at > 0 ?
		    dur(s->duration_ms, d1, sizeof d1) : "-", s->state);
		md_cell(b, s->message);
		buf_puts(b, " |\n");
	}
	buf_puts(b, "\n## Operator's notes\n\n");
	buf_puts(b, d->notes != NULL && *d->notes != '\0' ? d->notes :
	    "(none)");
	buf_puts(b, "\n");
}

static void
add_time(cJSON *o, const char *k, int64_t ms)
{
	char t[JOB_ISO_LEN];

	if (ms > 0)
		cJSON_AddStringToObject(o, k, job_iso_time(ms, t));
	else
		cJSON_AddNullToObject(o, k);
}

char *
report_format_json(const struct report_data *d)
{
	cJSON *root = cJSON_CreateObject(), *m, *steps;
	char *s;
	size_t i;

	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "flow", d->flow);
	cJSON_AddStringToObject(root, "id", d->id);
	cJSON_AddStringToObject(root, "pair", d->pair != NULL ? d->pair : "");
	cJSON_AddStringToObject(root, "actor", d->actor != NULL ? d->actor :
	    "");
	add_time(root, "started_at", d->started_at);
	add_time(root, "finished_at", d->finished_at);
	cJSON_AddBoolToObject(root, "ok", d->ok);
	m = cJSON_AddObjectToObject(root, "rto");
	add_time(m, "from", d->rto_start);
	add_time(m, "to", d->rto_end);
	if (d->rto_end > 0 && d->rto_start > 0)
		cJSON_AddNumberToObject(m, "ms", (double)(d->rto_end -
		    d->rto_start));
	else
		cJSON_AddNullToObject(m, "ms");
	cJSON_AddNumberToObject(m, "target_ms", (double)d->rto_target_ms);
	m = cJSON_AddObjectToObject(root, "data_loss");
	add_time(m, "from", d->loss_from);
	add_time(m, "to", d->loss_to);
	if (d->loss_from > 0 && d->loss_to > 0)
		cJSON_AddNumberToObject(m, "window_ms",
		    (double)(d->loss_to > d->loss_from ? d->loss_to -
		    d->loss_from : 0));
	else
		cJSON_AddNullToObject(m, "window_ms");
	cJSON_AddNumberToObject(m, "rpo_ms", (double)d->rpo_ms);
	cJSON_AddBoolToObject(m, "salvaged", d->salvaged);
	m = cJSON_AddObjectToObject(root, "downtime");
	add_time(m, "from", d->downtime_from);
	add_time(m, "to", d->downtime_to);
	if (d->downtime_from > 0 && d->downtime_to > 0)
		cJSON_AddNumberToObject(m, "ms", (double)(d->downtime_to -
		    d->downtime_from));
	else
		cJSON_AddNullToObject(m, "ms");
	steps = cJSON_AddArrayToObject(root, "steps");
	for (i = 0; i < d->n_steps; i++) {
		const struct report_step *rs = &d->steps[i];
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "id", rs->id);
		cJSON_AddStringToObject(o, "title", rs->title);
		cJSON_AddStringToObject(o, "section", rs->section != NULL ?
		    rs->section : "");
		cJSON_AddStringToObject(o, "result", rs->state);
		add_time(o, "started_at", rs->started_at);
		cJSON_AddNumberToObject(o, "duration_ms",
		    (double)rs->duration_ms);
		cJSON_AddStringToObject(o, "message", rs->message != NULL ?
		    rs->message : "");
		cJSON_AddItemToArray(steps, o);
	}
	cJSON_AddStringToObject(root, "notes", d->notes != NULL ? d->notes :
	    "");
	s = cJSON_Print(root);
	cJSON_Delete(root);
	return s;
}

static int64_t
get_time(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	int64_t ms;

	if (!cJSON_IsString(v) || job_parse_iso_time(v->valuestring,
	    &ms) != 0)
		return 0;
	return ms;
}

static char *
get_str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? xstrdup(v->valuestring) : NULL;
}

static int64_t
get_num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

int
report_parse_json(const char *json, struct report_data *d, struct err *e)
{
	cJSON *root = cJSON_Parse(json), *m, *it;
	size_t n = 0;

	memset(d, 0, sizeof *d);
	if (root == NULL || !cJSON_IsObject(root)) {
		cJSON_Delete(root);
		return err_set(e, "not JSON (expected a drdeck report object)");
	}
	d->flow = get_str(root, "flow");
	d->id = get_str(root, "id");
	if (d->flow == NULL || d->id == NULL) {
		cJSON_Delete(root);
		report_data_free(d);
		return err_set(e, "not a drdeck report (no \"flow\" or "
		    "\"id\")");
	}
	d->pair = get_str(root, "pair");
	d->actor = get_str(root, "actor");
	d->notes = get_str(root, "notes");
	d->started_at = get_time(root, "started_at");
	d->finished_at = get_time(root, "finished_at");
	d->ok = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "ok"));
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "rto")) != NULL) {
		d->rto_start = get_time(m, "from");
		d->rto_end = get_time(m, "to");
		d->rto_target_ms = get_num(m, "target_ms");
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "data_loss")) !=
	    NULL) {
		d->loss_from = get_time(m, "from");
		d->loss_to = get_time(m, "to");
		d->rpo_ms = get_num(m, "rpo_ms");
		d->salvaged = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m,
		    "salvaged"));
	}
	if ((m = cJSON_GetObjectItemCaseSensitive(root, "downtime")) !=
	    NULL) {
		d->downtime_from = get_time(m, "from");
		d->downtime_to = get_time(m, "to");
	}
	m = cJSON_GetObjectItemCaseSensitive(root, "steps");
	if (cJSON_IsArray(m)) {
		d->steps = xcalloc((size_t)cJSON_GetArraySize(m) + 1,
		    sizeof *d->steps);
		cJSON_ArrayForEach(it, m) {
			struct report_step *s = &d->steps[n];

			s->id = get_str(it, "id");
			s->title = get_str(it, "title");
			s->section = get_str(it, "section");
			s->state = get_str(it, "result");
			s->message = get_str(it, "message");
			s->started_at = get_time(it, "started_at");
			s->duration_ms = get_num(it, "duration_ms");
			if (s->id == NULL)
				s->id = xstrdup("?");
			if (s->title == NULL)
				s->title = xstrdup("?");
			if (s->state == NULL)
				s->state = xstrdup("?");
			n++;
		}
		d->n_steps = n;
	}
	cJSON_Delete(root);
	return 0;
}

/* ---- from the flow ---- */

static void
gather(struct flow_ctx *x, struct report_data *d)
{
	const struct config *c = flow_config(x);
	size_t i, n = flow_n_results(x);
	const char *notes;
	int64_t salvage, outage;

	memset(d, 0, sizeof *d);
	d->flow = xstrdup(flow_is_drill(x) ? "drill" :
	    strncmp(flow_id(x), "cutback", 7) == 0 ? "cutback" : "failover");
	d->id = xstrdup(flow_id(x));
	d->pair = xstrdup0(c->pair);
	d->actor = xstrdup(os_actor());
	d->started_at = flow_var_int(x, "flow_started_at", 0);
	d->finished_at = clock_wall_ms();
	d->ok = 1;
	d->steps = xcalloc(n + 1, sizeof *d->steps);
	for (i = 0; i < n; i++) {
		struct flow_step_result r;
		struct report_step *s = &d->steps[d->n_steps];

		flow_result(x, i, &r);
		if (strcmp(r.id, "report") == 0)
			continue;
		s->id = xstrdup(r.id);
		s->title = xstrdup(r.title);
		s->section = xstrdup0(r.section);
		s->state = xstrdup(r.state);
		s->started_at = r.started_at;
		s->duration_ms = r.duration_ms;
		s->message = xstrdup0(r.message);
		if (strcmp(r.state, "done") != 0 &&
		    strcmp(r.state, "skipped") != 0)
			d->ok = 0;
		if (d->started_at == 0 && r.started_at > 0)
			d->started_at = r.started_at;
		d->n_steps++;
	}
	outage = flow_var_int(x, "outage_at", 0);
	d->rto_start = outage > 0 ? outage : flow_rto_start(x);
	d->rto_end = flow_var_int(x, "checklist_at",
	    flow_var_int(x, "verified_at", 0));
	d->rto_target_ms = c->drill.target_rto * 1000;
	d->rpo_ms = c->th.rpo * 1000;
	salvage = flow_var_int(x, "salvage_time", 0);
	if (flow_var(x, "window_start") != NULL) {
		d->loss_to = d->rto_start;
		d->loss_from = flow_var_int(x, "window_start", 0);
		if (salvage > 0) {
			d->salvaged = 1;
			d->loss_from = d->loss_to;
		}
	}
	d->downtime_from = flow_var_int(x, "maint_at", 0);
	d->downtime_to = flow_var_int(x, "primary_served_at", 0);
	notes = flow_var(x, "notes");
	d->notes = xstrdup0(notes);
}

int
report_write(struct flow_ctx *x, char **path, struct err *e)
{
	const struct config *c = flow_config(x);
	struct report_data d;
	struct buf md = { 0 };
	char *dir, *base = NULL, *mdp = NULL, *jsp = NULL, *js = NULL;
	time_t now = time(NULL);
	struct tm tm;
	struct stat sb;
	int rc = -1, k;

	*path = NULL;
	gather(x, &d);
	dir = xasprintf("%s/reports", c->state_dir);
	if (os_mkdir_p(dir, 0700, e) != 0)
		goto out;
	localtime_r(&now, &tm);
	for (k = 1; k < 100; k++) {
		free(base);
		if (strcmp(d.flow, "drill") == 0)
			base = k == 1 ? xasprintf("%s/drill-%04d-%02d-%02d",
			    dir, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday) : xasprintf("%s/drill-%04d-%02d-%02d-%d",
			    dir, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			    k);
		else
			base = k == 1 ? xasprintf("%s/%s-%04d-%02d-%02d-%02d%02d",
			    dir, d.flow, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min) :
			    xasprintf("%s/%s-%04d-%02d-%02d-%02d%02d-%d", dir,
			    d.flow, tm.tm_year + 1900, tm.tm_mon + 1,
			    tm.tm_mday, tm.tm_hour, tm.tm_min, k);
		free(mdp);
		mdp = xasprintf("%s.md", base);
		/* The same flow writing again (a retried step) reuses its
		 * own file. */
		if (flow_var(x, "report_path") != NULL &&
		    strcmp(flow_var(x, "report_path"), mdp) == 0)
			break;
		if (stat(mdp, &sb) != 0 && errno == ENOENT)
			break;
	}
	jsp = xasprintf("%s.json", base);
	report_format_md(&d, &md);
	js = report_format_json(&d);
	if (os_write_file_atomic(mdp, md.s, md.len, 0600, e) != 0 ||
	    os_write_file_atomic(jsp, js, strlen(js), 0600, e) != 0)
		goto out;
	*path = mdp;
	mdp = NULL;
	rc = 0;
out:
	report_data_free(&d);
	buf_free(&md);
	free(dir);
	free(base);
	free(mdp);
	free(jsp);
	free(js);
	return rc;
}
