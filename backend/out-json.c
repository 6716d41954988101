/*
 * out-json.c: the snapshot as the JSON document of docs/status-json.md
 * (schema "drdeck-status", version OUT_JSON_VERSION).  cJSON builds it.
 * Pure, any thread.
 */
#include "out.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

#include "timefmt.h"

static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	char t[TIMEFMT_LEN];

	if (ms > 0)
		cJSON_AddStringToObject(o, key, timefmt_iso(ms, t, sizeof t));
	else
		cJSON_AddNullToObject(o, key);
}

static void
add_str0(cJSON *o, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

static cJSON *
fact_json(const struct fact *f, const struct out_opts *o)
{
	cJSON *j = cJSON_CreateObject();
	enum level l = fact_effective_level(f, o->now_ms, o->period_ms);

	cJSON_AddStringToObject(j, "key", f->key);
	cJSON_AddStringToObject(j, "label", f->label);
	cJSON_AddStringToObject(j, "value", f->value);
	cJSON_AddStringToObject(j, "level", level_name(l));
	cJSON_AddStringToObject(j, "probe_level", level_name(f->level));
	cJSON_AddBoolToObject(j, "stale", l != f->level);
	add_time(j, "observed_at", f->observed_at);
	add_str0(j, "detail", f->detail);
	add_str0(j, "threshold", f->threshold);
	if (f->has_num) {
		cJSON_AddNumberToObject(j, "num", f->num);
		cJSON_AddStringToObject(j, "unit", f->unit ? f->unit : "");
	} else {
		cJSON_AddNullToObject(j, "num");
		cJSON_AddNullToObject(j, "unit");
	}
	if (f->has_warn_at)
		cJSON_AddNumberToObject(j, "warn_at", f->warn_at);
	else
		cJSON_AddNullToObject(j, "warn_at");
	if (f->has_crit_at)
		cJSON_AddNumberToObject(j, "crit_at", f->crit_at);
	else
		cJSON_AddNullToObject(j, "crit_at");
	return j;
}

/* The JSON document. */
void
out_json(struct buf *b, const struct snapshot *s, const struct out_opts *o)
{
	cJSON *root = cJSON_CreateObject(), *hosts, *arr, *hj;
	enum level all = out_level(s, o);
	size_t h, i;
	char *text;

	cJSON_AddStringToObject(root, "schema", "drdeck-status");
	cJSON_AddNumberToObject(root, "version", OUT_JSON_VERSION);
	add_str0(root, "pair", o->pair);
	add_time(root, "generated_at", o->now_ms);
	cJSON_AddStringToObject(root, "level", level_name(all));
	cJSON_AddNumberToObject(root, "exit_code", level_exit_code(all));
	hosts = cJSON_AddArrayToObject(root, "hosts");
	for (h = 0; h < s->n_hosts; h++) {
		const struct host_status *hs = &s->hosts[h];

		hj = cJSON_CreateObject();
		add_str0(hj, "name", hs->host);
		cJSON_AddBoolToObject(hj, "reachable", hs->reachable);
		cJSON_AddStringToObject(hj, "level", level_name(
		    host_status_level(hs, o->now_ms, o->period_ms)));
		add_time(hj, "snapshot_at", hs->snapshot_at);
		cJSON_AddNumberToObject(hj, "round_ms", (double)hs->round_ms);
		arr = cJSON_AddArrayToObject(hj, "facts");
		for (i = 0; i < hs->facts.n; i++)
			cJSON_AddItemToArray(arr, fact_json(&hs->facts.v[i],
			    o));
		cJSON_AddItemToArray(hosts, hj);
	}
	arr = cJSON_AddArrayToObject(root, "pair_facts");
	for (i = 0; i < s->pair.n; i++)
		cJSON_AddItemToArray(arr, fact_json(&s->pair.v[i], o));
	text = cJSON_PrintUnformatted(root);
	buf_puts(b, text);
	buf_putc(b, '\n');
	cJSON_free(text);
	cJSON_Delete(root);
}
