/*
 * test_out.c: the renderers from a fixture snapshot.  The JSON document
 * is checked against the schema block of docs/status-json.md; the Nagios
 * line is parsed back; the Prometheus text is checked line by line.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <sys/stat.h>
#include <unistd.h>

#include "out.h"
#include "xmalloc.h"

#define NOW 1795597000000LL

static struct snapshot *
fixture(void)
{
	struct snapshot *s = xcalloc(1, sizeof *s);
	struct fact *f;

	s->n_hosts = 2;
	s->hosts[0].host = xstrdup("primary");
	s->hosts[0].reachable = 1;
	s->hosts[0].snapshot_at = NOW;
	s->hosts[0].round_ms = 120;
	f = facts_add(&s->hosts[0].facts, "db.latency", "Database", LEVEL_OK,
	    "SELECT 1 in 2 ms", "127.0.0.1:5432", "warn 1000 ms", NOW);
	fact_set_num(f, 2, "ms");
	f->has_warn_at = 1;
	f->warn_at = 1000;
	f = facts_add(&s->hosts[0].facts, "disk.dumps", "Disk (dumps)",
	    LEVEL_WARN, "900 MiB free (9%)", "/srv/dumps", "min 1.0 GiB", NOW);
	fact_set_num(f, 78577300000.0, "B");	/* no exponent in perfdata */
	f->has_warn_at = 1;
	f->warn_at = 1073741824;
	/* a label with a quote and a pipe, for escaping */
	facts_add(&s->hosts[0].facts, "service.o'neil", "o'neil|web",
	    LEVEL_OK, "running", NULL, NULL, NOW);

	s->hosts[1].host = xstrdup("backup");
	s->hosts[1].reachable = 1;
	s->hosts[1].snapshot_at = NOW;
	s->hosts[1].round_ms = 140;
	f = facts_add(&s->hosts[1].facts, "db.latency", "Database", LEVEL_OK,
	    "SELECT 1 in 3 ms", NULL, "warn 1000 ms", NOW);
	fact_set_num(f, 3, "ms");
	f = facts_add(&s->hosts[1].facts, "rpo.exposure", "Exposure",
	    LEVEL_CRIT, "3h42m (stamp)", "RPO passed 42m ago", "RPO 3h00m",
	    NOW);
	fact_set_num(f, 13320, "s");
	f->has_warn_at = f->has_crit_at = 1;
	f->warn_at = 8640;
	f->crit_at = 10800;
	facts_add(&s->hosts[1].facts, "db.ext.citext", "citext", LEVEL_CRIT,
	    "citext not installed", "the manifest requires it", "min 1.6",
	    NOW);
	/* old: stale after two periods */
	facts_add(&s->hosts[1].facts, "health.http", "Health", LEVEL_OK,
	    "200 in 2 ms", NULL, "200", NOW - 60000);

	facts_add(&s->pair, "pair.env", ".env parity", LEVEL_CRIT, "MISMATCH",
	    "primary 348e0ba462bd, backup 0123456789ab", "same on both hosts",
	    NOW);
	return s;
}

static void
fixture_free(struct snapshot *s)
{
	host_status_free(&s->hosts[0]);
	host_status_free(&s->hosts[1]);
	facts_free(&s->pair);
	free(s);
}

static void
opts(struct out_opts *o)
{
	memset(o, 0, sizeof *o);
	o->pair = "rabs";
	o->now_ms = NOW;
	o->period_ms = 10000;
}

/* ---- JSON against docs/status-json.md ---- */

static cJSON *
load_schema(void)
{
	const char *src = getenv("DRDECK_SRC");
	char path[1024], *text, *a, *b;
	FILE *f;
	long n;
	cJSON *j;

	snprintf(path, sizeof path, "%s/docs/status-json.md",
	    src ? src : "../..");
	f = fopen(path, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	text = xcalloc(1, (size_t)n + 1);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	a = strstr(text, "```json schema\n");
	assert_non_null(a);
	a += strlen("```json schema\n");
	b = strstr(a, "```");
	assert_non_null(b);
	*b = '\0';
	j = cJSON_Parse(a);
	assert_non_null(j);
	free(text);
	return j;
}

static int
type_ok(const cJSON *v, const char *t, const cJSON *schema);

static void
check_object(const cJSON *obj, const cJSON *spec, const cJSON *schema)
{
	const cJSON *field;

	assert_true(cJSON_IsObject(obj));
	cJSON_ArrayForEach(field, spec) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj,
		    field->string), *t;
		int ok = 0;

		if (v == NULL)
			fail_msg("missing field %s", field->string);
		cJSON_ArrayForEach(t, field)
			ok |= type_ok(v, t->valuestring, schema);
		if (!ok)
			fail_msg("field %s has the wrong type",
			    field->string);
	}
}

static int
type_ok(const cJSON *v, const char *t, const cJSON *schema)
{
	if (strcmp(t, "string") == 0)
		return cJSON_IsString(v);
	if (strcmp(t, "null") == 0)
		return cJSON_IsNull(v);
	if (strcmp(t, "boolean") == 0)
		return cJSON_IsBool(v);
	if (strcmp(t, "number") == 0)
		return cJSON_IsNumber(v);
	if (strcmp(t, "integer") == 0)
		return cJSON_IsNumber(v) && v->valuedouble == (double)
		    (long long)v->valuedouble;
	if (strcmp(t, "level") == 0) {
		const cJSON *l;

		if (!cJSON_IsString(v))
			return 0;
		cJSON_ArrayForEach(l, cJSON_GetObjectItem(schema, "level"))
			if (strcmp(l->valuestring, v->valuestring) == 0)
				return 1;
		return 0;
	}
	if (strncmp(t, "array:", 6) == 0) {
		const cJSON *it, *spec = cJSON_GetObjectItem(schema, t + 6);

		if (!cJSON_IsArray(v))
			return 0;
		cJSON_ArrayForEach(it, v)
			check_object(it, spec, schema);
		return 1;
	}
	fail_msg("unknown type %s in the schema", t);
	return 0;
}

static void
test_json_matches_schema(void **state)
{
	struct snapshot *s = fixture();
	struct out_opts o;
	struct buf b = { 0 };
	cJSON *doc, *schema = load_schema(), *hosts, *h1, *f;
	const cJSON *c;

	opts(&o);
	out_json(&b, s, &o);
	assert_int_equal(b.s[b.len - 1], '\n');
	assert_null(memchr(b.s, '\n', b.len - 1));	/* one line */
	doc = cJSON_Parse(b.s);
	assert_non_null(doc);
	check_object(doc, cJSON_GetObjectItem(schema, "top"), schema);
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(schema, "const")) {
		const cJSON *v = cJSON_GetObjectItem(doc, c->string);

		if (cJSON_IsString(c))
			assert_string_equal(v->valuestring, c->valuestring);
		else
			assert_int_equal(v->valueint, c->valueint);
	}
	assert_string_equal(cJSON_GetObjectItem(doc, "level")->valuestring,
	    "crit");
	assert_int_equal(cJSON_GetObjectItem(doc, "exit_code")->valueint, 2);
	hosts = cJSON_GetObjectItem(doc, "hosts");
	assert_int_equal(cJSON_GetArraySize(hosts), 2);
	h1 = cJSON_GetArrayItem(hosts, 1);
	assert_string_equal(cJSON_GetObjectItem(h1, "name")->valuestring,
	    "backup");
	/* the stale health fact reads unknown, its probe level kept */
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(h1, "facts"), 3);
	assert_string_equal(cJSON_GetObjectItem(f, "key")->valuestring,
	    "health.http");
	assert_string_equal(cJSON_GetObjectItem(f, "level")->valuestring,
	    "unknown");
	assert_string_equal(cJSON_GetObjectItem(f, "probe_level")->valuestring,
	    "ok");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(f, "stale")));
	f = cJSON_GetArrayItem(cJSON_GetObjectItem(h1, "facts"), 1);
	assert_int_equal((int)cJSON_GetObjectItem(f, "crit_at")->valuedouble,
	    10800);
	cJSON_Delete(doc);
	cJSON_Delete(schema);
	buf_free(&b);
	fixture_free(s);
}

/* ---- Nagios, parsed back ---- */

struct perf {
	char	 label[128];
	double	 value;
	char	 uom[8];
	char	 warn[32];
	char	 crit[32];
};

/* Parse "'label'=12.5ms;1;2 'x'=3" (labels quoted, '' for '). */
static int
parse_perf(const char *p, struct perf *out, int max)
{
	int n = 0;

	while (*p == ' ')
		p++;
	while (*p != '\0' && n < max) {
		struct perf *r = &out[n];
		size_t k = 0;
		char *end;

		memset(r, 0, sizeof *r);
		if (*p++ != '\'')
			return -1;
		for (;;) {
			if (*p == '\0')
				return -1;
			if (*p == '\'' && p[1] == '\'') {
				r->label[k++] = '\'';
				p += 2;
				continue;
			}
			if (*p == '\'')
				break;
			r->label[k++] = *p++;
		}
		p++;
		if (*p++ != '=')
			return -1;
		/* plain decimal only: the guidelines' [-0-9.] */
		if (strspn(p, "-0123456789.") == 0)
			return -1;
		r->value = strtod(p, &end);
		if (end != p + strspn(p, "-0123456789."))
			return -1;
		p = end;
		k = 0;
		while (*p != ';' && *p != ' ' && *p != '\0' && k < 7)
			r->uom[k++] = *p++;
		if (*p == ';') {
			p++;
			k = 0;
			while (*p != ';' && *p != ' ' && *p != '\0')
				r->warn[k++] = *p++;
			if (*p == ';') {
				p++;
				k = 0;
				while (*p != ';' && *p != ' ' && *p != '\0')
					r->crit[k++] = *p++;
			}
		}
		while (*p != ' ' && *p != '\0')
			p++;
		while (*p == ' ')
			p++;
		n++;
	}
	return n;
}

static void
test_nagios_parsed_back(void **state)
{
	struct snapshot *s = fixture();
	struct out_opts o;
	struct buf b = { 0 };
	struct perf pf[16];
	char *bar, *text;
	int n, i, found = 0;

	opts(&o);
	out_nagios(&b, s, &o);
	assert_int_equal(b.s[b.len - 1], '\n');
	b.s[--b.len] = '\0';
	assert_null(strchr(b.s, '\n'));
	assert_true(strncmp(b.s, "DRDECK CRITICAL - ", 18) == 0);
	bar = strchr(b.s, '|');
	assert_non_null(bar);
	assert_null(strchr(bar + 1, '|'));	/* the only pipe */
	text = xstrndup(b.s, (size_t)(bar - b.s));
	assert_non_null(strstr(text, "citext not installed"));
	assert_non_null(strstr(text, "MISMATCH"));
	/* crit first, then unknown, then warn */
	assert_true(strstr(text, "Exposure") < strstr(text, "Health"));
	assert_true(strstr(text, "Health") < strstr(text, "Disk"));
	n = parse_perf(bar + 1, pf, 16);
	assert_int_equal(n, 4);		/* every fact with a number */
	for (i = 0; i < n; i++) {
		if (strcmp(pf[i].label, "backup.rpo.exposure") != 0)
			continue;
		found = 1;
		assert_true(pf[i].value == 13320);
		assert_string_equal(pf[i].uom, "s");
		assert_string_equal(pf[i].warn, "8640");
		assert_string_equal(pf[i].crit, "10800");
	}
	assert_true(found);
	assert_string_equal(pf[0].label, "primary.db.latency");
	assert_string_equal(pf[0].uom, "ms");
	assert_string_equal(pf[1].uom, "B");
	assert_true(pf[1].value == 78577300000.0);
	assert_string_equal(pf[1].warn, "1073741824");
	free(text);
	buf_free(&b);
	fixture_free(s);
}

static void
test_nagios_ok_and_labels_quoted(void **state)
{
	struct snapshot s;
	struct out_opts o;
	struct buf b = { 0 };
	struct perf pf[4];
	struct fact *f;

	memset(&s, 0, sizeof s);
	s.n_hosts = 1;
	s.hosts[0].host = xstrdup("it's");
	f = facts_add(&s.hosts[0].facts, "a=b", "A", LEVEL_OK, "1", NULL,
	    NULL, NOW);
	fact_set_num(f, 1.5, "widgets");	/* not a known UOM */
	opts(&o);
	out_nagios(&b, &s, &o);
	assert_int_equal(b.s[b.len - 1], '\n');
	b.s[--b.len] = '\0';
	assert_true(strncmp(b.s, "DRDECK OK - ", 12) == 0);
	assert_int_equal(parse_perf(strchr(b.s, '|') + 1, pf, 4), 1);
	assert_string_equal(pf[0].label, "it's.ab");	/* '=' dropped */
	assert_string_equal(pf[0].uom, "");
	host_status_free(&s.hosts[0]);
	buf_free(&b);
}

/* ---- Prometheus ---- */

static void
test_prom_format(void **state)
{
	struct snapshot *s = fixture();
	struct out_opts o;
	struct buf b = { 0 };
	char *copy, *line, *save = NULL;
	int samples = 0, typed = 0;
	char path[] = "/tmp/drdeck-test-out-XXXXXX";
	struct stat st;
	struct err e = { "" };
	int fd;

	opts(&o);
	out_prom(&b, s, &o);
	copy = xstrdup(b.s);
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		char *sp;

		if (strncmp(line, "# HELP drdeck_", 14) == 0)
			continue;
		if (strncmp(line, "# TYPE drdeck_", 14) == 0) {
			assert_non_null(strstr(line, " gauge"));
			typed++;
			continue;
		}
		assert_true(strncmp(line, "drdeck_", 7) == 0);
		/* name{labels} value -- exactly one space after the labels,
		 * no timestamp */
		sp = strrchr(line, ' ');
		assert_non_null(sp);
		assert_true(strchr(line, '}') == NULL ||
		    strchr(line, '}') == sp - 1);
		{
			char *end;

			strtod(sp + 1, &end);
			assert_int_equal(*end, '\0');
		}
		samples++;
	}
	assert_int_equal(typed, 7);
	assert_true(samples > 10);
	assert_non_null(strstr(b.s, "drdeck_level 2\n"));
	assert_non_null(strstr(b.s,
	    "drdeck_fact_level{host=\"backup\",key=\"health.http\"} 3\n"));
	assert_non_null(strstr(b.s, "drdeck_fact_value{host=\"backup\","
	    "key=\"rpo.exposure\",unit=\"s\"} 13320\n"));
	assert_non_null(strstr(b.s, "key=\"service.o'neil\""));
	assert_non_null(strstr(b.s,
	    "drdeck_fact_level{host=\"pair\",key=\"pair.env\"} 2\n"));

	/* atomic write: the file holds the same text, mode 0644 */
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(out_prom_write(path, s, &o, &e), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0644);
	assert_int_equal((size_t)st.st_size, b.len);
	unlink(path);
	assert_int_equal(out_prom_write("/nonexistent-dir/x.prom", s, &o,
	    &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent-dir/x.prom"));
	free(copy);
	buf_free(&b);
	fixture_free(s);
}

/* ---- text ---- */

static void
test_text_table(void **state)
{
	struct snapshot *s = fixture();
	struct out_opts o;
	struct buf b = { 0 };

	opts(&o);
	o.utf8 = 0;
	out_text(&b, s, &o);
	assert_null(strchr(b.s, '\033'));	/* no color asked */
	assert_non_null(strstr(b.s, "x CRIT"));
	assert_non_null(strstr(b.s, "primary"));
	assert_non_null(strstr(b.s, "backup"));
	/* the value with its threshold beside it */
	assert_non_null(strstr(b.s, "x 3h42m (stamp) / RPO 3h00m"));
	assert_non_null(strstr(b.s, "! 900 MiB free (9%) / min 1.0 GiB"));
	/* the stale fact is shown unknown */
	assert_non_null(strstr(b.s, "? 200 in 2 ms"));
	assert_non_null(strstr(b.s, "(stale)"));
	assert_non_null(strstr(b.s, "PAIR"));
	assert_non_null(strstr(b.s, "PROBLEMS"));
	buf_reset(&b);
	o.color = 1;
	o.utf8 = 1;
	out_text(&b, s, &o);
	assert_non_null(strstr(b.s, "\033[1;31m"));
	assert_non_null(strstr(b.s, "\xe2\x9c\x97"));	/* ✗ */
	buf_free(&b);
	fixture_free(s);
}

static void
test_level_rollup(void **state)
{
	struct snapshot *s = fixture();
	struct out_opts o;

	opts(&o);
	assert_int_equal(out_level(s, &o), LEVEL_CRIT);
	facts_free(&s->pair);
	facts_free(&s->hosts[1].facts);
	assert_int_equal(out_level(s, &o), LEVEL_UNKNOWN);	/* no facts */
	fixture_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_matches_schema),
		cmocka_unit_test(test_nagios_parsed_back),
		cmocka_unit_test(test_nagios_ok_and_labels_quoted),
		cmocka_unit_test(test_prom_format),
		cmocka_unit_test(test_text_table),
		cmocka_unit_test(test_level_rollup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
