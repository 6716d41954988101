/*
 * drillhist.c: the drill history from the drill reports (drillhist.h).
 * Local files only; any thread.
 */
#include "drillhist.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "os.h"
#include "report.h"
#include "xmalloc.h"

#define REPORT_MAX (4 << 20)

void
drillhist_free(struct drill_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].path);
		free(h->v[i].id);
		free(h->v[i].notes);
	}
	free(h->v);
	memset(h, 0, sizeof *h);
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    n > REPORT_MAX || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return NULL;
	}
	s = xmalloc((size_t)n + 1);
	if (fread(s, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		free(s);
		return NULL;
	}
	s[n] = '\0';
	fclose(f);
	return s;
}

static int
by_time(const void *a, const void *b)
{
	const struct drill_entry *x = a, *y = b;

	return x->at < y->at ? -1 : x->at > y->at;
}

int
drillhist_load(const struct config *c, struct drill_history *h,
    struct err *e)
{
	char *dir;
	DIR *d;
	struct dirent *de;

	memset(h, 0, sizeof *h);
	if (c->state_dir == NULL)
		return err_set(e, "no state_dir in the config");
	dir = xasprintf("%s/reports", c->state_dir);
	d = opendir(dir);
	if (d == NULL) {
		free(dir);
		return 0;	/* no report yet */
	}
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		struct report_data rd;
		struct drill_entry *en;
		struct err pe = { "" };
		char *path, *js;

		if (strncmp(de->d_name, "drill-", 6) != 0 || n < 11 ||
		    strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		js = slurp(path);
		if (js == NULL || report_parse_json(js, &rd, &pe) != 0) {
			h->unreadable++;
			free(js);
			free(path);
			continue;
		}
		free(js);
		h->v = xreallocarray(h->v, h->n + 1, sizeof *h->v);
		en = &h->v[h->n++];
		memset(en, 0, sizeof *en);
		en->path = path;
		en->id = xstrdup(rd.id);
		en->at = rd.started_at > 0 ? rd.started_at : rd.finished_at;
		en->ok = rd.ok;
		en->rto_ms = rd.rto_end > 0 && rd.rto_start > 0 ?
		    rd.rto_end - rd.rto_start : -1;
		en->rto_target_ms = rd.rto_target_ms;
		en->loss_ms = rd.loss_from > 0 && rd.loss_to > 0 ?
		    (rd.loss_to > rd.loss_from ? rd.loss_to - rd.loss_from :
		    0) : -1;
		en->rpo_ms = rd.rpo_ms;
		en->salvaged = rd.salvaged;
		en->notes = xstrdup0(rd.notes);
		report_data_free(&rd);
	}
	closedir(d);
	free(dir);
	if (h->n > 1)
		qsort(h->v, h->n, sizeof *h->v, by_time);
	for (size_t i = 0; i < h->n; i++)
		if (h->v[i].ok && h->v[i].at > h->last_ok)
			h->last_ok = h->v[i].at;
	return 0;
}

/*
 * When drdeck first watched this pair: <state_dir>/watching-since (wall ms,
 * written on the first call, 0600).  A pair with no drill on record has
 * its first drill due one interval after that, so a new install is not
 * warned on its first day, and one never drilled is warned after a month.
 * Returns 0 when the file can neither be read nor written.
 */
static int64_t
watching_since(const struct config *c, int64_t now_ms)
{
	char *path, buf[32];
	FILE *fp;
	long long v = 0;
	struct err e = { "" };
	int n;

	if (c->state_dir == NULL)
		return 0;
	path = xasprintf("%s/watching-since", c->state_dir);
	if ((fp = fopen(path, "r")) != NULL) {
		if (fscanf(fp, "%lld", &v) != 1 || v <= 0)
			v = 0;
		fclose(fp);
	}
	if (v == 0) {
		n = snprintf(buf, sizeof buf, "%lld\n", (long long)now_ms);
		if (os_mkdir_p(c->state_dir, 0700, &e) == 0 &&
		    os_write_file_atomic(path, buf, (size_t)n, 0600, &e) == 0)
			v = now_ms;
	}
	free(path);
	return (int64_t)v;
}

int64_t
drillhist_next_due(const struct drill_history *h, int64_t interval_ms)
{
	if (h->last_ok <= 0)
		return 0;
	return h->last_ok + interval_ms;
}

void
drillhist_fact(const struct config *c, int64_t now_ms, struct fact_list *out)
{
	struct drill_history h;
	struct err e = { "" };
	int64_t interval = c->drill.interval > 0 ? c->drill.interval * 1000 :
	    30LL * 86400 * 1000, due;
	char v[96], d[32], th[64];
	const char *first = "";
	time_t t;
	struct tm tm;
	struct fact *f;

	snprintf(th, sizeof th, "every %s", fmt_duration(interval / 1000, d,
	    sizeof d));
	if (drillhist_load(c, &h, &e) != 0) {
		facts_add(out, "drill.due", "Next drill", LEVEL_UNKNOWN, "?",
		    e.msg, th, now_ms);
		return;
	}
	due = drillhist_next_due(&h, interval);
	if (due == 0 && (due = watching_since(c, now_ms)) > 0) {
		due += interval;
		first = "first ";
	}
	if (due == 0) {
		facts_add(out, "drill.due", "Next drill", LEVEL_WARN,
		    "no drill on record", "run `drdeck drill` (runbook §8)",
		    th, now_ms);
		drillhist_free(&h);
		return;
	}
	t = (time_t)(due / 1000);
	localtime_r(&t, &tm);
	if (due >= now_ms) {
		snprintf(v, sizeof v, "%sdue %04d-%02d-%02d (in %s)", first,
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
		    fmt_duration((due - now_ms) / 1000, d, sizeof d));
		f = facts_add(out, "drill.due", "Next drill", LEVEL_OK, v,
		    *first ? "no drill on record yet" : NULL, th, now_ms);
	} else {
		snprintf(v, sizeof v, "%soverdue by %s (due %04d-%02d-%02d)",
		    *first ? "no drill on record, " : "",
		    fmt_duration((now_ms - due) / 1000, d, sizeof d),
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		f = facts_add(out, "drill.due", "Next drill", LEVEL_WARN, v,
		    "run `drdeck drill` (runbook §8)", th, now_ms);
	}
	fact_set_num(f, (double)(due - now_ms) / 1000.0, "s");
	drillhist_free(&h);
}
