/*
 * test_statusalert.c: the --alert state machine (once per change of the
 * pair level, and on recovery) and its state file, malformed input
 * included.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "statusalert.h"

static struct sa_state
st(enum level l)
{
	struct sa_state s;

	memset(&s, 0, sizeof s);
	s.have = 1;
	s.level = l;
	s.since = 1795597000000LL;
	return s;
}

static void
test_decide(void **state)
{
	struct sa_state none, s;

	memset(&none, 0, sizeof none);
	/* first run */
	assert_int_equal(statusalert_decide(&none, LEVEL_OK), SA_RECORD);
	assert_int_equal(statusalert_decide(NULL, LEVEL_WARN), SA_WORSE);
	assert_int_equal(statusalert_decide(&none, LEVEL_CRIT), SA_WORSE);
	assert_int_equal(statusalert_decide(&none, LEVEL_UNKNOWN), SA_WORSE);
	/* unchanged: nothing, whatever the level */
	s = st(LEVEL_OK);
	assert_int_equal(statusalert_decide(&s, LEVEL_OK), SA_NONE);
	s = st(LEVEL_CRIT);
	assert_int_equal(statusalert_decide(&s, LEVEL_CRIT), SA_NONE);
	/* worse */
	s = st(LEVEL_OK);
	assert_int_equal(statusalert_decide(&s, LEVEL_WARN), SA_WORSE);
	s = st(LEVEL_WARN);
	assert_int_equal(statusalert_decide(&s, LEVEL_UNKNOWN), SA_WORSE);
	s = st(LEVEL_UNKNOWN);
	assert_int_equal(statusalert_decide(&s, LEVEL_CRIT), SA_WORSE);
	/* better, not ok */
	s = st(LEVEL_CRIT);
	assert_int_equal(statusalert_decide(&s, LEVEL_WARN), SA_BETTER);
	s = st(LEVEL_CRIT);
	assert_int_equal(statusalert_decide(&s, LEVEL_UNKNOWN), SA_BETTER);
	/* recovered */
	s = st(LEVEL_CRIT);
	assert_int_equal(statusalert_decide(&s, LEVEL_OK), SA_RECOVERED);
	s = st(LEVEL_WARN);
	assert_int_equal(statusalert_decide(&s, LEVEL_OK), SA_RECOVERED);
	assert_string_equal(statusalert_action_name(SA_RECOVERED),
	    "recovered");
}

/* A run of levels, as cron would see them: how many alerts go out. */
static void
test_sequence(void **state)
{
	static const enum level run[] = { LEVEL_OK, LEVEL_OK, LEVEL_WARN,
		LEVEL_WARN, LEVEL_CRIT, LEVEL_CRIT, LEVEL_CRIT, LEVEL_WARN,
		LEVEL_OK, LEVEL_OK };
	static const int alert[] = { 0, 0, 1, 0, 1, 0, 0, 1, 1, 0 };
	struct sa_state s;
	size_t i;

	memset(&s, 0, sizeof s);
	for (i = 0; i < sizeof run / sizeof run[0]; i++) {
		enum sa_action a = statusalert_decide(&s, run[i]);
		int is_alert = a == SA_WORSE || a == SA_BETTER ||
		    a == SA_RECOVERED;

		assert_int_equal(is_alert, alert[i]);
		if (a != SA_NONE)
			s = st(run[i]);
	}
}

static void
test_state_file(void **state)
{
	struct sa_state a = st(LEVEL_CRIT), b;
	struct err e = { "" };
	char *text;

	a.alerted_at = 1795597000123LL;
	text = statusalert_format(&a);
	assert_int_equal(statusalert_parse(text, strlen(text), &b, &e), 0);
	assert_true(b.have);
	assert_int_equal(b.level, LEVEL_CRIT);
	assert_true(b.since == a.since);
	assert_true(b.alerted_at == a.alerted_at);
	free(text);

	a.alerted_at = 0;
	text = statusalert_format(&a);
	assert_non_null(strstr(text, "\"alerted_at\":null"));
	assert_int_equal(statusalert_parse(text, strlen(text), &b, &e), 0);
	assert_true(b.alerted_at == 0);
	free(text);
}

static void
test_state_file_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"{",
		"[]",
		"{\"version\":1}",
		"{\"version\":2,\"level\":\"ok\",\"since\":\"2026-11-25T09:00:00Z\"}",
		"{\"version\":1,\"level\":\"fine\",\"since\":\"2026-11-25T09:00:00Z\"}",
		"{\"version\":1,\"level\":3}",
		"{\"version\":1,\"level\":\"ok\",\"since\":\"yesterday\"}",
		"{\"version\":1,\"level\":\"ok\",\"since\":12}",
		"{\"version\":\"1\",\"level\":\"ok\"}",
		NULL,
	};
	struct sa_state s;
	struct err e = { "" };
	size_t i;

	for (i = 0; bad[i] != NULL; i++) {
		e.msg[0] = '\0';
		if (statusalert_parse(bad[i], strlen(bad[i]), &s, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_false(s.have);
		assert_true(e.msg[0] != '\0');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decide),
		cmocka_unit_test(test_sequence),
		cmocka_unit_test(test_state_file),
		cmocka_unit_test(test_state_file_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
