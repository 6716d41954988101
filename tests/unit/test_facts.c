/*
 * test_facts.c: facts, levels and their roll-up, staleness, host status,
 * and durations / sizes for people.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "facts.h"

static void
test_add_find_copy(void **state)
{
	struct fact_list l = { NULL, 0 }, c = { NULL, 0 };
	struct fact *f;
	const struct fact *g;
	int i;

	f = facts_add(&l, "db.latency", "Database latency", LEVEL_OK, "12 ms",
	    NULL, "max 500 ms", 1000);
	fact_set_num(f, 12.0, "ms");
	f->has_crit_at = 1;
	f->crit_at = 500;
	facts_add(&l, "env.sha256", NULL, LEVEL_WARN, NULL, "changed", NULL,
	    2000);
	/* Many more: the array grows, pointers found by key stay right. */
	for (i = 0; i < 100; i++) {
		char k[16];

		snprintf(k, sizeof k, "k%d", i);
		facts_add(&l, k, k, LEVEL_OK, "v", NULL, NULL, 0);
	}
	assert_int_equal(l.n, 102);
	g = facts_find(&l, "env.sha256");
	assert_non_null(g);
	assert_string_equal(g->label, "env.sha256");	/* label defaults */
	assert_string_equal(g->value, "");
	assert_string_equal(g->detail, "changed");
	assert_null(g->threshold);
	assert_false(g->has_num);
	assert_null(facts_find(&l, "nope"));
	assert_non_null(facts_find(&l, "k99"));

	facts_copy(&c, &l);
	facts_free(&l);
	assert_int_equal(l.n, 0);
	assert_null(l.v);
	g = facts_find(&c, "db.latency");
	assert_non_null(g);
	assert_string_equal(g->label, "Database latency");
	assert_string_equal(g->threshold, "max 500 ms");
	assert_true(g->has_num);
	assert_true(g->num == 12.0);
	assert_string_equal(g->unit, "ms");
	assert_true(g->has_crit_at);
	assert_int_equal(g->observed_at, 1000);
	facts_free(&c);
	/* Copy of an empty list. */
	facts_copy(&c, &l);
	assert_int_equal(c.n, 0);
	facts_free(&c);
}

static void
test_set_num_twice(void **state)
{
	struct fact_list l = { NULL, 0 };
	struct fact *f;

	f = facts_add(&l, "x", "x", LEVEL_OK, "1", NULL, NULL, 0);
	fact_set_num(f, 1, "s");
	fact_set_num(f, 2, NULL);
	assert_string_equal(f->unit, "");
	assert_true(f->num == 2);
	facts_free(&l);
}

static void
test_levels(void **state)
{
	assert_string_equal(level_name(LEVEL_OK), "ok");
	assert_string_equal(level_name(LEVEL_WARN), "warn");
	assert_string_equal(level_name(LEVEL_CRIT), "crit");
	assert_string_equal(level_name(LEVEL_UNKNOWN), "unknown");
	assert_string_equal(level_name((enum level)42), "unknown");
	assert_string_equal(level_symbol(LEVEL_OK, 1), "\xe2\x9c\x93");
	assert_string_equal(level_symbol(LEVEL_OK, 0), "+");
	assert_string_equal(level_symbol(LEVEL_CRIT, 0), "x");
	assert_string_equal(level_symbol(LEVEL_WARN, 1), "!");
	assert_string_equal(level_symbol(LEVEL_UNKNOWN, 1), "?");
	/* ok < warn < unknown < crit */
	assert_true(level_rank(LEVEL_OK) < level_rank(LEVEL_WARN));
	assert_true(level_rank(LEVEL_WARN) < level_rank(LEVEL_UNKNOWN));
	assert_true(level_rank(LEVEL_UNKNOWN) < level_rank(LEVEL_CRIT));
	assert_int_equal(level_worst(LEVEL_OK, LEVEL_WARN), LEVEL_WARN);
	assert_int_equal(level_worst(LEVEL_CRIT, LEVEL_UNKNOWN), LEVEL_CRIT);
	assert_int_equal(level_worst(LEVEL_UNKNOWN, LEVEL_WARN),
	    LEVEL_UNKNOWN);
	assert_int_equal(level_worst(LEVEL_OK, LEVEL_OK), LEVEL_OK);
	assert_int_equal(level_exit_code(LEVEL_OK), 0);
	assert_int_equal(level_exit_code(LEVEL_WARN), 1);
	assert_int_equal(level_exit_code(LEVEL_CRIT), 2);
	assert_int_equal(level_exit_code(LEVEL_UNKNOWN), 3);
}

static void
test_stale(void **state)
{
	struct fact_list l = { NULL, 0 };
	struct fact *f;

	f = facts_add(&l, "x", "x", LEVEL_CRIT, "v", NULL, NULL, 10000);
	/* Period 10 s: stale past 20 s of age. */
	assert_false(fact_is_stale(f, 30000, 10000));
	assert_true(fact_is_stale(f, 30001, 10000));
	assert_int_equal(fact_effective_level(f, 30000, 10000), LEVEL_CRIT);
	assert_int_equal(fact_effective_level(f, 30001, 10000), LEVEL_UNKNOWN);
	/* No period: never stale. */
	assert_false(fact_is_stale(f, 1LL << 50, 0));
	facts_free(&l);
}

static void
test_host_status(void **state)
{
	struct host_status h, c;

	memset(&h, 0, sizeof h);
	h.host = strdup("primary");
	assert_int_equal(host_status_level(&h, 0, 10000), LEVEL_UNKNOWN);
	facts_add(&h.facts, "a", "a", LEVEL_OK, "v", NULL, NULL, 100000);
	assert_int_equal(host_status_level(&h, 100000, 10000), LEVEL_OK);
	facts_add(&h.facts, "b", "b", LEVEL_WARN, "v", NULL, NULL, 100000);
	assert_int_equal(host_status_level(&h, 100000, 10000), LEVEL_WARN);
	/* An old OK fact turns unknown, which outranks warn. */
	facts_add(&h.facts, "c", "c", LEVEL_OK, "v", NULL, NULL, 50000);
	assert_int_equal(host_status_level(&h, 100000, 10000), LEVEL_UNKNOWN);
	facts_add(&h.facts, "d", "d", LEVEL_CRIT, "v", NULL, NULL, 100000);
	assert_int_equal(host_status_level(&h, 100000, 10000), LEVEL_CRIT);
	h.reachable = 1;
	h.snapshot_at = 99;
	host_status_copy(&c, &h);
	host_status_free(&h);
	assert_string_equal(c.host, "primary");
	assert_int_equal(c.facts.n, 4);
	assert_int_equal(c.reachable, 1);
	assert_int_equal(c.snapshot_at, 99);
	host_status_free(&c);
	assert_null(c.host);
}

static void
test_fmt_duration(void **state)
{
	char b[32];

	assert_string_equal(fmt_duration(0, b, sizeof b), "0s");
	assert_string_equal(fmt_duration(45, b, sizeof b), "45s");
	assert_string_equal(fmt_duration(60, b, sizeof b), "1m00s");
	assert_string_equal(fmt_duration(3599, b, sizeof b), "59m59s");
	assert_string_equal(fmt_duration(3600, b, sizeof b), "1h00m");
	assert_string_equal(fmt_duration(3 * 3600 + 42 * 60 + 59, b,
	    sizeof b), "3h42m");
	assert_string_equal(fmt_duration(86400 * 2 + 4 * 3600, b, sizeof b),
	    "2d4h");
	assert_string_equal(fmt_duration(-90, b, sizeof b), "-1m30s");
	/* A short buffer is cut, never overrun. */
	assert_string_equal(fmt_duration(3 * 3600, b, 3), "3h");
}

static void
test_fmt_bytes(void **state)
{
	char b[32];

	assert_string_equal(fmt_bytes(0, b, sizeof b), "0 B");
	assert_string_equal(fmt_bytes(1023, b, sizeof b), "1023 B");
	assert_string_equal(fmt_bytes(1024, b, sizeof b), "1.0 KiB");
	assert_string_equal(fmt_bytes(1536, b, sizeof b), "1.5 KiB");
	assert_string_equal(fmt_bytes(25 * 1024 * 1024, b, sizeof b),
	    "25 MiB");
	assert_string_equal(fmt_bytes(1503238553ULL, b, sizeof b), "1.4 GiB");
	assert_string_equal(fmt_bytes(UINT64_MAX, b, sizeof b), "16384 PiB");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_find_copy),
		cmocka_unit_test(test_set_num_twice),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_host_status),
		cmocka_unit_test(test_fmt_duration),
		cmocka_unit_test(test_fmt_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
