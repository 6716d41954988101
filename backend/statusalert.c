/*
 * statusalert.c: the --alert state machine and its state file (see
 * statusalert.h).  Main thread of `drdeck status`; blocks only in
 * alert_send() (bounded by its timeout) and small local file I/O.
 */
#include "statusalert.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alert.h"
#include "buf.h"
#include "clock.h"
#include "os.h"
#include "timefmt.h"
#include "xmalloc.h"

#define ALERT_TIMEOUT_MS 30000
#define STATE_MAX 4096

/* What to do now. */
enum sa_action
statusalert_decide(const struct sa_state *prev, enum level cur)
{
	if (prev == NULL || !prev->have)
		return cur == LEVEL_OK ? SA_RECORD : SA_WORSE;
	if (prev->level == cur)
		return SA_NONE;
	if (cur == LEVEL_OK)
		return SA_RECOVERED;
	if (level_rank(cur) > level_rank(prev->level))
		return SA_WORSE;
	return SA_BETTER;
}

const char *
statusalert_action_name(enum sa_action a)
{
	switch (a) {
	case SA_NONE:
		return "none";
	case SA_RECORD:
		return "record";
	case SA_WORSE:
		return "worse";
	case SA_BETTER:
		return "better";
	case SA_RECOVERED:
		return "recovered";
	}
	return "?";
}

static int
parse_level(const char *s, enum level *l)
{
	static const enum level all[] = { LEVEL_OK, LEVEL_WARN, LEVEL_CRIT,
		LEVEL_UNKNOWN };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, level_name(all[i])) == 0) {
			*l = all[i];
			return 0;
		}
	return -1;
}

static int
get_time(const cJSON *o, const char *key, int64_t *out, struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || timefmt_parse_iso(v->valuestring,
	    strlen(v->valuestring), out) != 0)
		return err_set(e, "\"%s\": expected an ISO 8601 time", key);
	return 0;
}

/* Parse the state file's JSON. */
int
statusalert_parse(const char *json, size_t len, struct sa_state *st,
    struct err *e)
{
	cJSON *root = cJSON_ParseWithLength(json, len);
	const cJSON *v, *l;
	int rc = -1;

	memset(st, 0, sizeof *st);
	if (root == NULL || !cJSON_IsObject(root)) {
		err_set(e, "not a JSON object");
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "version");
	if (!cJSON_IsNumber(v) || v->valueint != 1) {
		err_set(e, "\"version\": expected 1");
		goto out;
	}
	l = cJSON_GetObjectItemCaseSensitive(root, "level");
	if (!cJSON_IsString(l) || parse_level(l->valuestring,
	    &st->level) != 0) {
		err_set(e, "\"level\": expected ok, warn, crit or unknown");
		goto out;
	}
	if (get_time(root, "since", &st->since, e) != 0 ||
	    get_time(root, "alerted_at", &st->alerted_at, e) != 0)
		goto out;
	st->have = 1;
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}

/* The state file's JSON (new string). */
char *
statusalert_format(const struct sa_state *st)
{
	char t[TIMEFMT_LEN], *s, *r;
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "version", 1);
	cJSON_AddStringToObject(o, "level", level_name(st->level));
	cJSON_AddStringToObject(o, "since", timefmt_iso(st->since, t,
	    sizeof t));
	if (st->alerted_at > 0)
		cJSON_AddStringToObject(o, "alerted_at",
		    timefmt_iso(st->alerted_at, t, sizeof t));
	else
		cJSON_AddNullToObject(o, "alerted_at");
	s = cJSON_PrintUnformatted(o);
	r = xasprintf("%s\n", s);
	cJSON_free(s);
	cJSON_Delete(o);
	return r;
}

static int
read_state(const char *path, struct sa_state *st, struct err *e)
{
	char buf[STATE_MAX];
	size_t n;
	FILE *f;
	int rc;

	memset(st, 0, sizeof *st);
	f = fopen(path, "r");
	if (f == NULL) {
		if (errno == ENOENT)
			return 0;
		return err_set(e, "%s: %s", path, strerror(errno));
	}
	n = fread(buf, 1, sizeof buf, f);
	fclose(f);
	if (n == sizeof buf)
		return err_set(e, "%s: larger than %d bytes", path, STATE_MAX);
	rc = statusalert_parse(buf, n, st, e);
	if (rc != 0)
		return err_prefix(e, "%s", path);
	return 0;
}

/* Read, decide, send, write. */
int
statusalert_run(const struct config *c, const struct snapshot *s,
    const struct out_opts *o, enum sa_action *action, int *sent,
    struct err *e)
{
	struct sa_state prev, next;
	enum level cur = out_level(s, o);
	struct out_opts plain = *o;
	struct buf body = { 0 }, nag = { 0 };
	char *path = NULL, *subject = NULL, *text = NULL, ago[32];
	int rc = -1;

	*sent = 0;
	*action = SA_NONE;
	if (c->state_dir == NULL)
		return err_set(e, "--alert needs a state folder (state_dir)");
	path = xasprintf("%s/status-alert.json", c->state_dir);
	if (read_state(path, &prev, e) != 0) {
		/* A broken state file must not silence alerts: start over. */
		memset(&prev, 0, sizeof prev);
	}
	*action = statusalert_decide(&prev, cur);
	if (*action == SA_NONE) {
		rc = 0;
		goto out;
	}
	next.have = 1;
	next.level = cur;
	next.since = o->now_ms;
	next.alerted_at = prev.alerted_at;
	if (*action != SA_RECORD) {
		plain.color = 0;
		plain.utf8 = 0;
		out_nagios(&nag, s, &plain);
		subject = xasprintf("[drdeck %s] %s: %s%s%s",
		    o->pair ? o->pair : "?",
		    *action == SA_RECOVERED ? "RECOVERED" :
		    *action == SA_BETTER ? "better" : "WORSE",
		    level_name(cur), prev.have ? " (was " : "",
		    prev.have ? level_name(prev.level) : "");
		if (prev.have) {
			text = subject;
			subject = xasprintf("%s, for %s)", text,
			    fmt_duration((o->now_ms - prev.since) / 1000, ago,
			    sizeof ago));
			free(text);
			text = NULL;
		}
		buf_printf(&body, "The pair %s is now %s.\n\n", o->pair ?
		    o->pair : "?", level_name(cur));
		out_text(&body, s, &plain);
		buf_printf(&body, "\n%s", buf_str(&nag));
		if (alert_send(c, subject, buf_str(&body), ALERT_TIMEOUT_MS,
		    sent, e) != 0)
			goto out;	/* state unchanged: retried next run */
		if (*sent)
			next.alerted_at = o->now_ms;
	}
	if (os_mkdir_p(c->state_dir, 0700, e) != 0)
		goto out;
	text = statusalert_format(&next);
	if (os_write_file_atomic(path, text, strlen(text), 0600, e) != 0)
		goto out;
	rc = 0;
out:
	free(text);
	free(subject);
	free(path);
	buf_free(&body);
	buf_free(&nag);
	return rc;
}
