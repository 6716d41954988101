/*
 * test_pgtool.c: PostgreSQL client command lines for linux and windows
 * hosts, SQL quoting, version comparison; the job helpers for names,
 * paths and times.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "buf.h"
#include "job-common.h"
#include "pgtool.h"
#include "strv.h"

static void
host_linux(struct host_cfg *h)
{
	memset(h, 0, sizeof *h);
	h->name = "backup";
	h->os = HOST_OS_LINUX;
	h->pg.host = "127.0.23.2";
	h->pg.port = 5433;
	h->pg.user = "postgres";
	h->pg.dbname = "rabspocdb";
	h->pg.bindir = "/usr/lib/postgresql/15/bin/";
}

static void
test_argv_linux(void **unused)
{
	struct host_cfg h;
	struct strv a = { 0 };

	host_linux(&h);
	pgtool_argv(&h, "pg_dump", &a);
	assert_int_equal(a.n, 8);
	assert_string_equal(a.v[0], "/usr/lib/postgresql/15/bin/pg_dump");
	assert_string_equal(a.v[1], "-h");
	assert_string_equal(a.v[2], "127.0.23.2");
	assert_string_equal(a.v[3], "-p");
	assert_string_equal(a.v[4], "5433");
	assert_string_equal(a.v[5], "-U");
	assert_string_equal(a.v[6], "postgres");
	assert_string_equal(a.v[7], "-w");
	assert_null(a.v[8]);
	strv_free(&a);
	/* No bindir: the bare name, found in PATH. */
	h.pg.bindir = NULL;
	h.pg.host = NULL;
	pgtool_psql(&h, "postgres", &a);
	assert_string_equal(a.v[0], "psql");
	assert_string_equal(a.v[1], "-p");
	assert_string_equal(a.v[a.n - 3], "postgres");
	assert_string_equal(a.v[a.n - 1], "-");
	strv_free(&a);
	assert_string_equal(pgtool_devnull(&h), "/dev/null");
}

static void
test_argv_windows(void **unused)
{
	struct host_cfg h;
	struct strv a = { 0 };
	char *p;

	host_linux(&h);
	h.os = HOST_OS_WINDOWS;
	h.pg.bindir = "C:\\Program Files\\PostgreSQL\\16\\bin";
	pgtool_argv(&h, "pg_restore", &a);
	assert_string_equal(a.v[0],
	    "C:\\Program Files\\PostgreSQL\\16\\bin\\pg_restore.exe");
	strv_free(&a);
	h.pg.bindir = NULL;
	p = pgtool_program(&h, "psql");
	assert_string_equal(p, "psql.exe");
	free(p);
	assert_string_equal(pgtool_devnull(&h), "NUL");
}

static void
test_quoting(void **unused)
{
	struct buf b = { 0 };

	pgtool_ident(&b, "rabs\"db");
	assert_string_equal(buf_str(&b), "\"rabs\"\"db\"");
	buf_reset(&b);
	pgtool_literal(&b, "it's; DROP DATABASE x; --");
	assert_string_equal(buf_str(&b), "'it''s; DROP DATABASE x; --'");
	buf_reset(&b);
	pgtool_literal(&b, "");
	assert_string_equal(buf_str(&b), "''");
	buf_free(&b);
}

static void
test_versions(void **unused)
{
	assert_true(pgtool_version_cmp("1.3", "1.3") == 0);
	assert_true(pgtool_version_cmp("1.10", "1.9") > 0);
	assert_true(pgtool_version_cmp("1.6", "1.10") < 0);
	assert_true(pgtool_version_cmp("1.3", "1.3.1") < 0);
	assert_true(pgtool_version_cmp("2", "1.99") > 0);
	assert_true(pgtool_version_cmp("", "0") == 0);
}

static void
test_names_and_paths(void **unused)
{
	struct host_cfg h;
	char *n, *p, buf[JOB_ISO_LEN];
	int64_t t, back;

	host_linux(&h);
	/* 2026-11-25 09:00:12 UTC */
	assert_int_equal(job_parse_iso_time("2026-11-25T09:00:12Z", &t), 0);
	n = job_dump_name("rabspocdb", "UTC", t, 0);
	assert_string_equal(n, "rabspocdb_2026-11-25_09-00.dump");
	assert_int_equal(job_dump_name_parse("rabspocdb", "UTC", n, &back), 0);
	assert_int_equal(back, t - 12000);
	free(n);
	n = job_dump_name("rabspocdb", "America/New_York", t, 1);
	assert_string_equal(n, "rabspocdb_schema_2026-11-25_04-00.sql");
	free(n);
	assert_int_equal(job_dump_name_parse("rabspocdb", "UTC",
	    "rabspocdb_2026-11-25_09-00.dump.part", &back), -1);
	assert_int_equal(job_dump_name_parse("rabspocdb", "UTC",
	    "rabspocdb_2026-02-30_09-00.dump", &back), -1);
	assert_int_equal(job_dump_name_parse("rabspocdb", "UTC",
	    "other_2026-11-25_09-00.dump", &back), -1);
	assert_int_equal(job_dump_name_parse("rabspocdb", "UTC",
	    "rabspocdb_2026-11-25_9-00.dump", &back), -1);
	assert_string_equal(job_log_stamp("UTC", t, buf),
	    "2026-11-25T09:00:12");
	assert_string_equal(job_iso_time(t + 345, buf),
	    "2026-11-25T09:00:12.345Z");
	assert_int_equal(job_parse_iso_time("2026-11-25T10:00:12+01:00",
	    &back), 0);
	assert_int_equal(back, t);
	assert_int_equal(job_parse_iso_time("yesterday", &back), -1);

	p = job_path_join(&h, "/srv/dumps", "x.dump");
	assert_string_equal(p, "/srv/dumps/x.dump");
	free(p);
	p = job_path_join(&h, "/srv/dumps/", "x.dump");
	assert_string_equal(p, "/srv/dumps/x.dump");
	free(p);
	h.os = HOST_OS_WINDOWS;
	p = job_path_join(&h, "C:\\Backups\\db", "x.dump");
	assert_string_equal(p, "C:\\Backups\\db\\x.dump");
	assert_string_equal(job_basename(p), "x.dump");
	free(p);
	assert_string_equal(job_basename("/a/b/c"), "c");
	assert_string_equal(job_basename("c"), "c");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_argv_linux),
		cmocka_unit_test(test_argv_windows),
		cmocka_unit_test(test_quoting),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_names_and_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
