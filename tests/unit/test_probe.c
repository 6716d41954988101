/*
 * test_probe.c: the pure parts of the probes and the pair facts: version
 * compare, the storage one-liner's output, key parts, and pair facts
 * (split brain, .env mismatch, config parity, storage drift, shipping)
 * from fixture facts.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pairfacts.h"
#include "probe.h"
#include "xmalloc.h"

#define NOW 1795597000000LL

static void
test_version_cmp(void **state)
{
	assert_true(probe_version_cmp("1.10", "1.9") > 0);
	assert_true(probe_version_cmp("1.9", "1.10") < 0);
	assert_int_equal(probe_version_cmp("1.3", "1.3"), 0);
	assert_int_equal(probe_version_cmp("01.3", "1.03"), 0);
	assert_true(probe_version_cmp("1.3.1", "1.3") > 0);
	assert_true(probe_version_cmp("1.3", "1.3.1") < 0);
	assert_true(probe_version_cmp("2.0", "10.0") < 0);
	assert_true(probe_version_cmp("1.6", "1.5") > 0);
	assert_true(probe_version_cmp("16beta2", "16beta1") > 0);
	assert_true(probe_version_cmp("1.10", "1.beta") > 0);
	assert_true(probe_version_cmp("", "1") < 0);
	assert_int_equal(probe_version_cmp("", ""), 0);
	assert_true(probe_version_cmp("123456789012345678901", "99") > 0);
}

static void
test_storage_parse(void **state)
{
	uint64_t f, b;
	double n;

	assert_int_equal(probe_storage_parse("100000 52428800 "
	    "1795597000.123\n", &f, &b, &n), 0);
	assert_int_equal(f, 100000);
	assert_int_equal(b, 52428800);
	assert_true(n > 1795596999 && n < 1795597001);
	assert_int_equal(probe_storage_parse("0 0 0\n", &f, &b, &n), 0);
	assert_int_equal(f, 0);
	/* malformed */
	assert_int_equal(probe_storage_parse(NULL, &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("", &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("12 34", &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("x 1 2", &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("1 2 3 extra", &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("-1 2 3", &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("1 2 -3", &f, &b, &n), -1);
	assert_int_equal(probe_storage_parse("find: permission denied", &f,
	    &b, &n), -1);
}

static void
test_key_part(void **state)
{
	char b[32];

	probe_key_part("/srv/app/storage_user/", b, sizeof b);
	assert_string_equal(b, "storage_user");
	probe_key_part("C:\\Users\\brett\\dev\\rabs\\Storage", b, sizeof b);
	assert_string_equal(b, "storage");
	probe_key_part("/etc/nginx/site.conf", b, sizeof b);
	assert_string_equal(b, "site_conf");
	probe_key_part("RABS Backend", b, sizeof b);
	assert_string_equal(b, "rabs_backend");
	probe_key_part("", b, sizeof b);
	assert_string_equal(b, "_");
	probe_key_part("averyveryveryverylongname", b, 8);
	assert_string_equal(b, "averyve");
}

/* ---- pair facts ---- */

static struct config *
pair_config(void)
{
	struct config *c = xcalloc(1, sizeof *c);

	c->n_hosts = 2;
	c->hosts = xcalloc(2, sizeof *c->hosts);
	c->hosts[0].name = "primary";
	c->hosts[0].kind = HOST_KIND_PRIMARY;
	c->hosts[1].name = "backup";
	c->hosts[1].kind = HOST_KIND_BACKUP;
	c->th.storage_lag = 900;
	return c;
}

static void
add(struct host_status *h, const char *key, enum level l, const char *v,
    const char *detail, double num)
{
	struct fact *f = facts_add(&h->facts, key, key, l, v, detail, NULL,
	    NOW);

	if (num >= 0)
		fact_set_num(f, num, "");
}

#define HA "sha256 348e0ba462bd7a4d5b3f6ce8f1c1d1b0d9c5b0e6b8a3a1f4e2d3c4b5a6978899"
#define HB "sha256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void
healthy(struct snapshot *s)
{
	size_t i;

	memset(s, 0, sizeof *s);
	s->n_hosts = 2;
	s->hosts[0].host = xstrdup("primary");
	s->hosts[1].host = xstrdup("backup");
	for (i = 0; i < 2; i++) {
		struct host_status *h = &s->hosts[i];

		add(h, "reach.rtt", LEVEL_OK, "3 ms", NULL, 3);
		add(h, "role", LEVEL_OK, i ? "standby" : "primary", NULL, -1);
		add(h, "role.epoch", LEVEL_OK, i ? "4" : "3", NULL, i ? 4 : 3);
		add(h, "dumps.latest", LEVEL_OK,
		    "rabspocdb_2026-11-25_09-00.dump", NULL, -1);
		add(h, "dumps.age", LEVEL_OK, "1h", NULL, 3600);
		add(h, "dumps.verified", LEVEL_OK, "yes", NULL, -1);
		add(h, "env.sha256", LEVEL_OK, "348e0ba462bd", HA, -1);
		add(h, "conf.site_conf", LEVEL_OK, "348e0ba462bd", HA, -1);
		add(h, "storage.storage.files", LEVEL_OK, "40", NULL, 40);
		add(h, "storage.storage.newest", LEVEL_OK, "3m ago", NULL,
		    1795596000);
	}
}

static void
snap_free(struct snapshot *s)
{
	host_status_free(&s->hosts[0]);
	host_status_free(&s->hosts[1]);
}

static const struct fact *
pair_fact(const struct config *c, const struct snapshot *s,
    struct fact_list *out, const char *key)
{
	facts_free(out);
	pairfacts_compute(c, s, NOW, out);
	return facts_find(out, key);
}

static struct fact *
mut(struct snapshot *s, size_t h, const char *key)
{
	return (struct fact *)facts_find(&s->hosts[h].facts, key);
}

static void
test_pair_healthy(void **state)
{
	struct config *c = pair_config();
	struct snapshot s;
	struct fact_list out = { 0 };
	size_t i;

	healthy(&s);
	pairfacts_compute(c, &s, NOW, &out);
	assert_int_equal(out.n, 5);
	for (i = 0; i < out.n; i++)
		if (out.v[i].level != LEVEL_OK)
			fail_msg("%s is %s", out.v[i].key,
			    level_name(out.v[i].level));
	facts_free(&out);
	snap_free(&s);
	free(c->hosts);
	free(c);
}

static void
test_pair_split_brain(void **state)
{
	struct config *c = pair_config();
	struct snapshot s;
	struct fact_list out = { 0 };
	const struct fact *f;
	struct fact *r;

	healthy(&s);
	r = mut(&s, 1, "role");
	free(r->value);
	r->value = xstrdup("active");
	f = pair_fact(c, &s, &out, "pair.split_brain");
	assert_int_equal(f->level, LEVEL_CRIT);
	assert_non_null(strstr(f->detail, "epoch 3"));
	assert_non_null(strstr(f->detail, "epoch 4"));
	/* a fenced primary does not serve */
	r = mut(&s, 0, "role");
	free(r->value);
	r->value = xstrdup("primary (fenced)");
	f = pair_fact(c, &s, &out, "pair.split_brain");
	assert_int_equal(f->level, LEVEL_OK);
	/* both active */
	free(r->value);
	r->value = xstrdup("active");
	f = pair_fact(c, &s, &out, "pair.split_brain");
	assert_int_equal(f->level, LEVEL_CRIT);
	/* a role not known: unknown, never ok */
	r->level = LEVEL_UNKNOWN;
	f = pair_fact(c, &s, &out, "pair.split_brain");
	assert_int_equal(f->level, LEVEL_UNKNOWN);
	facts_free(&out);
	snap_free(&s);
	free(c->hosts);
	free(c);
}

static void
test_pair_env_conf_storage_shipped(void **state)
{
	struct config *c = pair_config();
	struct snapshot s;
	struct fact_list out = { 0 };
	const struct fact *f;
	struct fact *m;

	healthy(&s);
	m = mut(&s, 1, "env.sha256");
	free(m->detail);
	m->detail = xstrdup(HB);
	f = pair_fact(c, &s, &out, "pair.env");
	assert_int_equal(f->level, LEVEL_CRIT);
	assert_non_null(strstr(f->detail, "0123456789ab"));
	m->level = LEVEL_UNKNOWN;
	f = pair_fact(c, &s, &out, "pair.env");
	assert_int_equal(f->level, LEVEL_UNKNOWN);
	/* a detail without a hash is not a hash */
	m->level = LEVEL_OK;
	free(m->detail);
	m->detail = xstrdup("sha256 abc");
	f = pair_fact(c, &s, &out, "pair.env");
	assert_int_equal(f->level, LEVEL_UNKNOWN);

	m = mut(&s, 1, "conf.site_conf");
	free(m->detail);
	m->detail = xstrdup(HB);
	f = pair_fact(c, &s, &out, "pair.conf");
	assert_int_equal(f->level, LEVEL_WARN);
	assert_string_equal(f->detail, "conf.site_conf");

	m = mut(&s, 1, "storage.storage.files");
	m->num = 39;
	f = pair_fact(c, &s, &out, "pair.storage");
	assert_int_equal(f->level, LEVEL_WARN);
	assert_non_null(strstr(f->detail, "40 files on primary"));
	m->num = 40;
	m = mut(&s, 1, "storage.storage.newest");
	m->num = 1795596000 - 901;	/* lags past storage_lag */
	f = pair_fact(c, &s, &out, "pair.storage");
	assert_int_equal(f->level, LEVEL_WARN);
	assert_non_null(strstr(f->detail, "lags"));
	m->num = 1795596000 - 899;
	f = pair_fact(c, &s, &out, "pair.storage");
	assert_int_equal(f->level, LEVEL_OK);

	m = mut(&s, 1, "dumps.latest");
	free(m->value);
	m->value = xstrdup("rabspocdb_2026-11-25_06-00.dump");
	f = pair_fact(c, &s, &out, "pair.shipped");
	assert_int_equal(f->level, LEVEL_WARN);
	assert_non_null(strstr(f->detail, "09-00.dump is not on backup"));
	mut(&s, 0, "dumps.age")->num = 60;	/* just made: shipping */
	f = pair_fact(c, &s, &out, "pair.shipped");
	assert_int_equal(f->level, LEVEL_OK);
	facts_free(&out);
	snap_free(&s);
	free(c->hosts);
	free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_version_cmp),
		cmocka_unit_test(test_storage_parse),
		cmocka_unit_test(test_key_part),
		cmocka_unit_test(test_pair_healthy),
		cmocka_unit_test(test_pair_split_brain),
		cmocka_unit_test(test_pair_env_conf_storage_shipped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
