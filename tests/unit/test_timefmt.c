/*
 * test_timefmt.c: ISO 8601 text, the calendar, and named zones across DST
 * changes (New York, and Lord Howe's half-hour DST).  Every expectation is
 * in UTC or a named zone, so the tests pass whatever TZ the process has.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>

#include "timefmt.h"

#define NY "America/New_York"
#define LH "Australia/Lord_Howe"

static int64_t
utc(int y, int mo, int d, int h, int mi, int s)
{
	struct civil c = { y, mo, d, h, mi, s, 0 };

	return civil_to_ms(&c);
}

static int64_t
local(const char *tz, int y, int mo, int d, int h, int mi, enum tz_fold *f)
{
	struct civil c = { y, mo, d, h, mi, 0, 0 };
	struct err e = { "" };
	int64_t ms = 0;

	if (tz_from_local(tz, &c, &ms, f, &e) == -1)
		fail_msg("%s", e.msg);
	return ms;
}

static void
test_iso_format(void **state)
{
	char buf[TIMEFMT_LEN];

	assert_string_equal(timefmt_iso(1795597212345LL, buf, sizeof buf),
	    "2026-11-25T09:00:12.345Z");
	assert_string_equal(timefmt_iso(0, buf, sizeof buf),
	    "1970-01-01T00:00:00.000Z");
	assert_string_equal(timefmt_iso(-1, buf, sizeof buf),
	    "1969-12-31T23:59:59.999Z");
	assert_string_equal(timefmt_iso(utc(2024, 2, 29, 23, 59, 59) + 7, buf,
	    sizeof buf), "2024-02-29T23:59:59.007Z");
}

static void
test_iso_parse(void **state)
{
	int64_t ms;

#define P(s) timefmt_parse_iso((s), strlen(s), &ms)
	assert_int_equal(P("2026-11-25T09:00:12.345Z"), 0);
	assert_int_equal(ms, 1795597212345LL);
	assert_int_equal(P("2026-11-25 09:00:12Z"), 0);
	assert_int_equal(ms, 1795597212000LL);
	assert_int_equal(P("2026-11-25T10:00:12.3+01:00"), 0);
	assert_int_equal(ms, 1795597212300LL);
	assert_int_equal(P("2026-11-25T04:00:12.345678-0500"), 0);
	assert_int_equal(ms, 1795597212345LL);
	/* Malformed or impossible. */
	assert_int_equal(P(""), -1);
	assert_int_equal(P("2026-11-25T09:00:12"), -1);	/* no zone */
	assert_int_equal(P("2026-11-25T09:00:12.Z"), -1);
	assert_int_equal(P("2026-11-25T09:00:12.1234567890Z"), -1);
	assert_int_equal(P("2026-02-30T09:00:12Z"), -1);
	assert_int_equal(P("2025-02-29T09:00:12Z"), -1);
	assert_int_equal(P("2026-11-25T25:00:00Z"), -1);
	assert_int_equal(P("2026-11-25T24:00:00Z"), -1);
	assert_int_equal(P("2026-11-25T09:60:00Z"), -1);
	assert_int_equal(P("2026-11-25T09:00:60Z"), -1);
	assert_int_equal(P("2026-13-01T09:00:00Z"), -1);
	assert_int_equal(P("2026-00-01T09:00:00Z"), -1);
	assert_int_equal(P("2026-11-25T09:00:12Zjunk"), -1);
	assert_int_equal(P("2026-11-25T09:00:12+25:00"), -1);
	assert_int_equal(P("26-11-25T09:00:12Z"), -1);
	assert_int_equal(P("2026-1-25T09:00:12Z"), -1);
	assert_int_equal(P("+026-11-25T09:00:12Z"), -1);
	/* Exactly len bytes are read. */
	assert_int_equal(timefmt_parse_iso("2026-11-25T09:00:12Z!!", 20, &ms),
	    0);
	assert_int_equal(timefmt_parse_iso("2026-11-25T09:00:12Z", 19, &ms),
	    -1);
	assert_int_equal(P("2024-02-29T00:00:00Z"), 0);
	assert_int_equal(P("2000-02-29T00:00:00Z"), 0);
	assert_int_equal(P("1900-02-29T00:00:00Z"), -1);
	/* Inside years 1..9999 once in UTC. */
	assert_int_equal(P("0001-01-01T00:00:00+01:00"), -1);
	assert_int_equal(P("0001-01-01T00:00:00-01:00"), 0);
	assert_int_equal(P("9999-12-31T23:59:59.999Z"), 0);
	assert_int_equal(P("9999-12-31T23:59:59-00:01"), -1);
#undef P
}

static void
test_civil_roundtrip(void **state)
{
	struct civil c;
	int64_t ms;

	/* Every day over 800 years maps back to itself. */
	for (ms = utc(1800, 1, 1, 0, 0, 0); ms < utc(2600, 1, 1, 0, 0, 0);
	    ms += 86400000LL + 3723004) {
		civil_from_ms(ms, &c);
		assert_true(civil_valid(&c));
		assert_int_equal(civil_to_ms(&c), ms);
	}
	assert_int_equal(civil_days(1970, 1, 1), 0);
	assert_int_equal(civil_days(2000, 3, 1), 11017);
	assert_int_equal(timefmt_parse_civil("2026-02-28 23:59:59", 19, &c), 0);
	assert_int_equal(timefmt_parse_civil("2026-02-29 00:00:00", 19, &c),
	    -1);
	assert_int_equal(timefmt_parse_civil("2026-04-31T00:00:00", 19, &c),
	    -1);
}

static void
test_ny_dst(void **state)
{
	enum tz_fold f;
	struct civil c;
	struct err e;
	int off;

	/* Plain winter and summer. */
	assert_int_equal(local(NY, 2026, 11, 25, 4, 0, &f),
	    utc(2026, 11, 25, 9, 0, 0));
	assert_int_equal(f, TZ_FOLD_UNIQUE);
	assert_int_equal(local(NY, 2026, 7, 1, 12, 0, &f),
	    utc(2026, 7, 1, 16, 0, 0));
	/* Spring forward 2026-03-08 02:00 EST: 02:30 does not exist. */
	assert_int_equal(local(NY, 2026, 3, 8, 1, 59, &f),
	    utc(2026, 3, 8, 6, 59, 0));
	assert_int_equal(local(NY, 2026, 3, 8, 2, 30, &f),
	    utc(2026, 3, 8, 7, 30, 0));
	assert_int_equal(f, TZ_FOLD_GAP);
	assert_int_equal(local(NY, 2026, 3, 8, 3, 0, &f),
	    utc(2026, 3, 8, 7, 0, 0));
	assert_int_equal(f, TZ_FOLD_UNIQUE);
	/* Fall back 2026-11-01: 01:30 happens twice; the first is taken. */
	assert_int_equal(local(NY, 2026, 11, 1, 1, 30, &f),
	    utc(2026, 11, 1, 5, 30, 0));
	assert_int_equal(f, TZ_FOLD_OVERLAP);
	assert_int_equal(local(NY, 2026, 11, 1, 2, 0, &f),
	    utc(2026, 11, 1, 7, 0, 0));
	/* UTC to local across the change. */
	assert_int_equal(tz_to_local(NY, utc(2026, 11, 1, 5, 59, 0), &c, &off,
	    &e), 0);
	assert_int_equal(c.hour, 1);
	assert_int_equal(off, -4 * 3600);
	assert_int_equal(tz_to_local(NY, utc(2026, 11, 1, 6, 0, 0), &c, &off,
	    &e), 0);
	assert_int_equal(c.hour, 1);
	assert_int_equal(off, -5 * 3600);
	/* Past the end of the table: the footer rule (2040). */
	assert_int_equal(local(NY, 2040, 3, 11, 3, 0, NULL), 2215062000000LL);
	assert_int_equal(local(NY, 2040, 7, 1, 12, 0, NULL), 2224771200000LL);
	assert_int_equal(local(NY, 2040, 10, 7, 3, 0, NULL), 2233206000000LL);
}

static void
test_lord_howe_half_hour_dst(void **state)
{
	enum tz_fold f;
	struct civil c;
	struct err e;
	int off;

	/* Winter +10:30, summer +11:00. */
	assert_int_equal(local(LH, 2026, 7, 1, 12, 0, &f),
	    utc(2026, 7, 1, 1, 30, 0));
	assert_int_equal(local(LH, 2026, 11, 25, 12, 0, &f),
	    utc(2026, 11, 25, 1, 0, 0));
	/* DST ends 2026-04-05 02:00 -> 01:30: 01:45 happens twice. */
	assert_int_equal(local(LH, 2026, 4, 5, 1, 45, &f),
	    utc(2026, 4, 4, 14, 45, 0));
	assert_int_equal(f, TZ_FOLD_OVERLAP);
	assert_int_equal(local(LH, 2026, 4, 5, 1, 15, &f),
	    utc(2026, 4, 4, 14, 15, 0));
	assert_int_equal(f, TZ_FOLD_UNIQUE);
	/* DST starts 2026-10-04 02:00 -> 02:30: 02:15 does not exist. */
	assert_int_equal(local(LH, 2026, 10, 4, 2, 15, &f),
	    utc(2026, 10, 3, 15, 45, 0));
	assert_int_equal(f, TZ_FOLD_GAP);
	assert_int_equal(local(LH, 2026, 10, 4, 2, 30, &f),
	    utc(2026, 10, 3, 15, 30, 0));
	assert_int_equal(f, TZ_FOLD_UNIQUE);
	assert_int_equal(tz_to_local(LH, utc(2026, 10, 3, 15, 29, 0), &c, &off,
	    &e), 0);
	assert_int_equal(off, 10 * 3600 + 1800);
	assert_int_equal(c.hour, 1);
	assert_int_equal(c.min, 59);
	/* Footer rule. */
	assert_int_equal(local(LH, 2040, 7, 1, 12, 0, NULL), 2224719000000LL);
	assert_int_equal(local(LH, 2040, 10, 7, 3, 0, NULL), 2233152000000LL);
}

static void
test_posix_rules_and_names(void **state)
{
	struct err e = { "" };
	struct civil c;

	/* The same answers from a rule as from the file. */
	assert_int_equal(local("EST5EDT,M3.2.0,M11.1.0", 2026, 3, 8, 3, 0,
	    NULL), utc(2026, 3, 8, 7, 0, 0));
	assert_int_equal(local("EST5EDT,M3.2.0,M11.1.0", 2026, 11, 1, 1, 30,
	    NULL), utc(2026, 11, 1, 5, 30, 0));
	assert_int_equal(local("<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", 2026,
	    4, 5, 1, 45, NULL), utc(2026, 4, 4, 14, 45, 0));
	assert_int_equal(local("EST5EDT", 2026, 7, 1, 12, 0, NULL),
	    utc(2026, 7, 1, 16, 0, 0));
	assert_int_equal(local("JST-9", 2026, 7, 1, 9, 0, NULL),
	    utc(2026, 7, 1, 0, 0, 0));
	assert_int_equal(local("UTC", 2026, 7, 1, 9, 0, NULL),
	    utc(2026, 7, 1, 9, 0, 0));
	assert_int_equal(local("Etc/UTC", 2026, 7, 1, 9, 0, NULL),
	    utc(2026, 7, 1, 9, 0, 0));
	/* Julian day rules. */
	assert_int_equal(local("AAA3BBB,J60/0,J300/0", 2024, 3, 1, 12, 0,
	    NULL), utc(2024, 3, 1, 14, 0, 0));
	/* Unknown and malicious names. */
	assert_int_equal(tz_check("Nowhere/Atlantis", &e), -1);
	assert_non_null(strstr(e.msg, "Nowhere/Atlantis"));
	assert_int_equal(tz_check("../../etc/passwd", &e), -1);
	assert_int_equal(tz_check("/etc/passwd", &e), -1);
	assert_int_equal(tz_check("EST", &e), 0);	/* a zone file */
	assert_int_equal(tz_check("AB5", &e), -1);
	assert_int_equal(tz_check("ABC", &e), -1);
	assert_int_equal(tz_check("ABC5DEF,M13.1.0,M1.1.0", &e), -1);
	assert_int_equal(tz_check("ABC25", &e), -1);
	c.year = 2026;
	c.mon = 2;
	c.day = 30;
	c.hour = c.min = c.sec = c.ms = 0;
	{
		int64_t ms;

		assert_int_equal(tz_from_local(NY, &c, &ms, NULL, &e), -1);
		assert_non_null(strstr(e.msg, "2026-02-30"));
	}
}

static void
test_system_zone(void **state)
{
	struct err e = { "" };
	char buf[TIMEFMT_LEN], buf2[TIMEFMT_LEN];
	const char *tz = getenv("TZ");
	struct civil c;

	/* The system zone is $TZ when set: same answers as that name. */
	assert_int_equal(tz_check(NULL, &e), 0);
	if (tz != NULL && *tz != '\0') {
		timefmt_local(NULL, 1795597212345LL, 1, buf, sizeof buf);
		timefmt_local(tz, 1795597212345LL, 1, buf2, sizeof buf2);
		assert_string_equal(buf, buf2);
	}
	assert_string_equal(timefmt_local(NY, 1795597212345LL, 1, buf,
	    sizeof buf), "2026-11-25 04:00:12.345");
	assert_string_equal(timefmt_local(LH, 1795597212345LL, 0, buf,
	    sizeof buf), "2026-11-25 20:00:12");
	assert_string_equal(timefmt_local("Nowhere/x", 1795597212345LL, 0, buf,
	    sizeof buf), "2026-11-25 09:00:12Z");
	assert_int_equal(tz_to_local(NULL, 0, &c, NULL, &e), 0);
}

static void *
hammer(void *arg)
{
	const char *tz = arg;
	int i;

	for (i = 0; i < 2000; i++) {
		struct civil c = { 2026, 1 + i % 12, 1 + i % 28, i % 24, 0, 0,
		    0 };
		struct err e;
		int64_t ms;

		if (tz_from_local(tz, &c, &ms, NULL, &e) == -1)
			return (void *)1;
	}
	return NULL;
}

static void
test_threads(void **state)
{
	static const char *z[] = { NY, LH, "Europe/Vienna", "Asia/Kolkata" };
	pthread_t th[4];
	void *rv;
	int i;

	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, hammer,
		    (void *)z[i]), 0);
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], &rv), 0);
		assert_null(rv);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iso_format),
		cmocka_unit_test(test_iso_parse),
		cmocka_unit_test(test_civil_roundtrip),
		cmocka_unit_test(test_ny_dst),
		cmocka_unit_test(test_lord_howe_half_hour_dst),
		cmocka_unit_test(test_posix_rules_and_names),
		cmocka_unit_test(test_system_zone),
		cmocka_unit_test(test_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
