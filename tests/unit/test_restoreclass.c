/*
 * test_restoreclass.c: pg_restore's and psql's stderr sorted into benign
 * and fatal messages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "job-restoreclass.h"

static void
classify(const char *s, struct restore_class *rc)
{
	restoreclass_run(s, strlen(s), rc);
}

static void
test_empty(void **unused)
{
	struct restore_class rc;

	classify("", &rc);
	assert_true(restoreclass_ok(&rc));
	assert_int_equal(rc.benign, 0);
	assert_int_equal(rc.ignored_reported, -1);
	classify("\n\n", &rc);
	assert_true(restoreclass_ok(&rc));
}

static void
test_benign(void **unused)
{
	struct restore_class rc;
	const char *s =
	    "pg_restore: while PROCESSING TOC:\n"
	    "pg_restore: from TOC entry 5; 2615 2200 SCHEMA public postgres\n"
	    "pg_restore: error: could not execute query: ERROR:  schema "
	    "\"public\" already exists\n"
	    "Command was: CREATE SCHEMA public;\n"
	    "\n"
	    "\n"
	    "pg_restore: from TOC entry 3456; 0 0 COMMENT EXTENSION pgcrypto\n"
	    "pg_restore: error: could not execute query: ERROR:  must be "
	    "owner of extension pgcrypto\n"
	    "Command was: COMMENT ON EXTENSION pgcrypto IS 'cryptographic "
	    "functions';\n"
	    "pg_restore: error: could not execute query: ERROR:  extension "
	    "\"citext\" already exists\n"
	    "Command was: CREATE EXTENSION citext\n"
	    "  WITH SCHEMA public;\n"
	    "pg_restore: warning: errors ignored on restore: 3\n";

	classify(s, &rc);
	assert_true(restoreclass_ok(&rc));
	assert_int_equal(rc.benign, 3);
	assert_int_equal(rc.ignored_reported, 3);
}

static void
test_roles_file(void **unused)
{
	struct restore_class rc;

	classify("psql:/srv/dumps/x.dump.roles.sql:14: ERROR:  role "
	    "\"postgres\" already exists\n"
	    "psql:/srv/dumps/x.dump.roles.sql:20: NOTICE:  something\n", &rc);
	assert_true(restoreclass_ok(&rc));
	assert_int_equal(rc.benign, 1);
	classify("psql:/srv/dumps/x.roles.sql:3: ERROR:  permission denied "
	    "to create role\n", &rc);
	assert_false(restoreclass_ok(&rc));
	assert_non_null(strstr(rc.first_fatal, "permission denied"));
}

static void
test_fatal(void **unused)
{
	static const char *const bad[] = {
		"pg_restore: error: could not read from input file: end of "
		"file\n",
		"pg_restore: error: could not execute query: ERROR:  relation "
		"\"items\" does not exist\nCommand was: ALTER TABLE items;\n",
		"pg_restore: error: could not execute query: ERROR:  role "
		"\"app\" does not exist\n",
		"pg_restore: error: could not execute query: ERROR:  extension "
		"\"citext\" already exists, sort of\n",
		"pg_restore: error: could not execute query: ERROR:  must be "
		"owner of extension pgcrypto or root\n",
		"pg_restore: warning: something new\n",
		"Segmentation fault\n",
		"pg_restore: error: could not execute query: ERROR:  schema "
		"\"app\" already exists\n",
	};
	struct restore_class rc;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		classify(bad[i], &rc);
		if (restoreclass_ok(&rc))
			fail_msg("taken as benign: %s", bad[i]);
		assert_true(rc.first_fatal[0] != '\0');
	}
}

static void
test_summary_counts_more(void **unused)
{
	struct restore_class rc;

	/* The summary says 2, only one was printed: not benign. */
	classify("pg_restore: error: could not execute query: ERROR:  schema "
	    "\"public\" already exists\n"
	    "pg_restore: warning: errors ignored on restore: 2\n", &rc);
	assert_false(restoreclass_ok(&rc));
	/* Not NUL-terminated input: only len bytes are read. */
	classify("pg_restore: error: could not execute query: ERROR:  role "
	    "\"x\" already existsXXXX", &rc);
	assert_false(restoreclass_ok(&rc));
	restoreclass_run("pg_restore: error: could not execute query: ERROR:  "
	    "role \"x\" already existsXXXX", strlen("pg_restore: error: "
	    "could not execute query: ERROR:  role \"x\" already exists"),
	    &rc);
	assert_true(restoreclass_ok(&rc));
	assert_int_equal(rc.benign, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_benign),
		cmocka_unit_test(test_roles_file),
		cmocka_unit_test(test_fatal),
		cmocka_unit_test(test_summary_counts_more),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
