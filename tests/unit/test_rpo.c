/*
 * test_rpo.c: exposure levels and sources, clock skew, breach time, the
 * next scheduled restore (also across DST changes), the journal as a
 * source of the data time, and the facts made of it all.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "rpo.h"
#include "timefmt.h"
#include "xmalloc.h"

#define H	(3600 * 1000LL)
#define M	(60 * 1000LL)
#define S	1000LL

static struct thresholds
th3h(void)
{
	struct thresholds t;

	memset(&t, 0, sizeof t);
	t.rpo = 3 * 3600;
	t.warn_pct = 80;
	t.clock_skew = 30;
	t.part_age = 3600;
	return t;
}

static struct schedule_cfg
sched(void)
{
	struct schedule_cfg s;

	memset(&s, 0, sizeof s);
	s.daytime_every = 3 * 3600;
	s.daytime_start = 0;
	s.daytime_end = 24 * 60;
	s.restore_stagger = 600;
	s.nightly_backup = 0;
	s.nightly_restore = 30;
	s.keep_daytime = 8;
	s.keep_nightly = 7;
	return s;
}

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct civil c = { y, mo, d, h, mi, 0, 0 };

	return civil_to_ms(&c);
}

static void
test_levels(void **state)
{
	struct thresholds t = th3h();

	assert_int_equal(rpo_level(0, &t), LEVEL_OK);
	assert_int_equal(rpo_level(144 * M - 1, &t), LEVEL_OK);
	assert_int_equal(rpo_level(144 * M, &t), LEVEL_WARN);	/* 80 % */
	assert_int_equal(rpo_level(3 * H, &t), LEVEL_WARN);
	assert_int_equal(rpo_level(3 * H + 1, &t), LEVEL_CRIT);
	assert_int_equal(rpo_level(-1, &t), LEVEL_UNKNOWN);
	t.warn_pct = 50;
	assert_int_equal(rpo_level(90 * M, &t), LEVEL_WARN);
}

static void
test_sources_and_breach(void **state)
{
	struct thresholds t = th3h();
	struct schedule_cfg s = sched();
	struct rpo_input in;
	struct rpo_result r;
	int64_t now = utc(2026, 11, 25, 12, 0);

	memset(&in, 0, sizeof in);
	in.now_ms = now;
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.source, RPO_SRC_NONE);
	assert_int_equal(r.level, LEVEL_UNKNOWN);
	assert_int_equal(r.exposure_ms, -1);
	assert_int_equal(r.skew_level, LEVEL_UNKNOWN);
	assert_int_equal(r.next_restore_ms, utc(2026, 11, 25, 12, 10));

	in.dumpname_ms = utc(2026, 11, 25, 8, 0);
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.source, RPO_SRC_DUMPNAME);
	assert_int_equal(r.exposure_ms, 4 * H);
	assert_int_equal(r.level, LEVEL_CRIT);
	assert_int_equal(r.breach_at_ms, utc(2026, 11, 25, 11, 0));

	in.journal_ms = utc(2026, 11, 25, 9, 30);
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.source, RPO_SRC_JOURNAL);
	assert_int_equal(r.level, LEVEL_WARN);
	assert_int_equal(r.warn_at_ms, utc(2026, 11, 25, 11, 54));

	in.stamp_ms = utc(2026, 11, 25, 10, 0) + 12345;
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.source, RPO_SRC_STAMP);
	assert_string_equal(rpo_source_name(r.source), "stamp");
	assert_int_equal(r.data_ms, in.stamp_ms);
	assert_int_equal(r.exposure_ms, 2 * H - 12345);
	assert_int_equal(r.level, LEVEL_OK);
	assert_int_equal(r.breach_at_ms, utc(2026, 11, 25, 13, 0) + 12345);
	assert_false(r.breach_before_restore);

	/* Data of 09:10: breach at 12:10, the very time of the restore. */
	in.stamp_ms = utc(2026, 11, 25, 9, 10);
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_true(r.breach_before_restore);
}

static void
test_skew(void **state)
{
	struct thresholds t = th3h();
	struct schedule_cfg s = sched();
	struct rpo_input in;
	struct rpo_result r;
	int64_t now = utc(2026, 11, 25, 12, 0);

	memset(&in, 0, sizeof in);
	in.now_ms = now;
	in.stamp_ms = now - 2 * H;
	in.has_skew = 1;
	in.skew_ms = 10 * S;		/* primary 10 s ahead */
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.skew_level, LEVEL_OK);
	assert_int_equal(r.exposure_ms, 2 * H + 10 * S);
	in.skew_ms = 31 * S;
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.skew_level, LEVEL_WARN);
	in.skew_ms = -45 * S;		/* primary behind */
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.skew_level, LEVEL_WARN);
	assert_int_equal(r.exposure_ms, 2 * H - 45 * S);
	in.skew_ms = -30 * S;
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_int_equal(r.skew_level, LEVEL_OK);

	/* A data time in the future: within the allowed skew reads 0. */
	in.has_skew = 0;
	in.stamp_ms = now + 10 * S;
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_true(r.future);
	assert_int_equal(r.exposure_ms, 0);
	assert_int_equal(r.level, LEVEL_OK);
	in.stamp_ms = now + 5 * M;
	rpo_assess(&in, &t, &s, "UTC", &r);
	assert_true(r.future);
	assert_int_equal(r.level, LEVEL_WARN);
}

static void
test_next_restore(void **state)
{
	struct schedule_cfg s = sched();
	int night = -1;

	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 25, 12, 0),
	    &night), utc(2026, 11, 25, 12, 10));
	assert_int_equal(night, 0);
	/* Strictly after. */
	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 25, 12, 10),
	    &night), utc(2026, 11, 25, 15, 10));
	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 25, 23, 30),
	    &night), utc(2026, 11, 26, 0, 10));
	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 26, 0, 10),
	    &night), utc(2026, 11, 26, 0, 30));
	assert_int_equal(night, 1);
	/* Daytime 06:00..21:00 only: the nightly is next after 21:10. */
	s.daytime_start = 6 * 60;
	s.daytime_end = 22 * 60;
	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 25, 22, 0),
	    &night), utc(2026, 11, 26, 0, 30));
	assert_int_equal(night, 1);
	assert_int_equal(rpo_next_backup(&s, "UTC", utc(2026, 11, 25, 22, 0),
	    &night), utc(2026, 11, 26, 0, 0));
	assert_int_equal(night, 1);
	assert_int_equal(rpo_next_backup(&s, "UTC", utc(2026, 11, 25, 7, 0),
	    &night), utc(2026, 11, 25, 9, 0));
	assert_int_equal(night, 0);
	/* A stagger that crosses midnight. */
	s = sched();
	s.restore_stagger = 4 * 3600;
	s.nightly_restore = -1;
	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 25, 23, 30),
	    NULL), utc(2026, 11, 26, 1, 0));
	/* No schedule at all. */
	s.daytime_every = 0;
	assert_int_equal(rpo_next_restore(&s, "UTC", utc(2026, 11, 25, 23, 30),
	    NULL), -1);
	assert_int_equal(rpo_next_restore(NULL, "UTC", 0, NULL), -1);
}

static void
test_next_restore_dst(void **state)
{
	struct schedule_cfg s = sched();
	int night;

	/* New York, 2026-03-08 01:00 EST: 03:10 is EDT already. */
	assert_int_equal(rpo_next_restore(&s, "America/New_York",
	    utc(2026, 3, 8, 6, 0), &night), utc(2026, 3, 8, 7, 10));
	/* Fall back: 00:10 EDT, then 03:10 EST. */
	assert_int_equal(rpo_next_restore(&s, "America/New_York",
	    utc(2026, 11, 1, 4, 40), &night), utc(2026, 11, 1, 8, 10));
	/* Lord Howe, nightly restore at 02:15 in the gap of 2026-10-04:
	 * it runs at 02:45 (+11:00), before the 03:10 daytime one. */
	s.nightly_restore = 2 * 60 + 15;
	assert_int_equal(rpo_next_restore(&s, "Australia/Lord_Howe",
	    utc(2026, 10, 3, 15, 0), &night), utc(2026, 10, 3, 15, 45));
	assert_int_equal(night, 1);
}

static void
test_from_journal(void **state)
{
	struct journal_tail t;
	struct journal_event ev[6];
	int64_t at = 0;

	memset(ev, 0, sizeof ev);
	memset(&t, 0, sizeof t);
	t.ev = ev;
	t.n = 0;
	assert_int_equal(rpo_from_journal(&t, "rabspocdb", "UTC", &at), -1);
	ev[0].action = "restored";
	ev[0].message = "rabspocdb_2026-11-25_09-00.dump";
	ev[1].action = "backup";
	ev[1].message = "rabspocdb_2026-11-25_15-00.dump";
	ev[2].action = "restore";
	ev[2].message = "C:\\Backups\\db\\rabspocdb_2026-11-25_12-00.dump "
	    "staged and swapped in";
	ev[3].action = "restore";
	ev[3].rc = 1;
	ev[3].message = "/srv/dumps/rabspocdb_2026-11-25_18-00.dump";
	ev[4].action = "restored";
	ev[4].message = "otherdb_2026-11-25_21-00.dump";
	ev[5].action = "restored";
	ev[5].message = NULL;
	t.n = 1;
	assert_int_equal(rpo_from_journal(&t, "rabspocdb", "UTC", &at), 0);
	assert_int_equal(at, utc(2026, 11, 25, 9, 0));
	t.n = 6;
	assert_int_equal(rpo_from_journal(&t, "rabspocdb", "UTC", &at), 0);
	assert_int_equal(at, utc(2026, 11, 25, 12, 0));
	assert_int_equal(rpo_from_journal(&t, "rabspocdb", "Europe/Vienna",
	    &at), 0);
	assert_int_equal(at, utc(2026, 11, 25, 11, 0));
	assert_int_equal(rpo_from_journal(&t, "nodb", "UTC", &at), -1);
}

static void
test_facts(void **state)
{
	struct thresholds t = th3h();
	struct schedule_cfg s = sched();
	struct rpo_input in;
	struct rpo_result r;
	struct fact_list l = { NULL, 0 };
	const struct fact *f;
	int64_t now = utc(2026, 11, 25, 12, 0);

	memset(&in, 0, sizeof in);
	in.now_ms = now;
	rpo_assess(&in, &t, &s, "UTC", &r);
	rpo_facts(&r, &t, now, "UTC", &l);
	f = facts_find(&l, "rpo.exposure");
	assert_non_null(f);
	assert_int_equal(f->level, LEVEL_UNKNOWN);
	assert_null(facts_find(&l, "clock.skew"));
	facts_free(&l);

	in.stamp_ms = now - 4 * H;
	in.has_skew = 1;
	in.skew_ms = 40 * S;
	rpo_assess(&in, &t, &s, "UTC", &r);
	rpo_facts(&r, &t, now, "UTC", &l);
	f = facts_find(&l, "rpo.exposure");
	assert_int_equal(f->level, LEVEL_CRIT);
	assert_true(f->has_num);
	assert_int_equal((int64_t)f->num, 4 * 3600 + 40);
	assert_non_null(strstr(f->value, "stamp"));
	assert_non_null(strstr(f->detail, "passed"));
	assert_int_equal((int64_t)f->crit_at, 3 * 3600);
	f = facts_find(&l, "clock.skew");
	assert_non_null(f);
	assert_int_equal(f->level, LEVEL_WARN);
	assert_string_equal(f->value, "+40.0 s");
	facts_free(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_sources_and_breach),
		cmocka_unit_test(test_skew),
		cmocka_unit_test(test_next_restore),
		cmocka_unit_test(test_next_restore_dst),
		cmocka_unit_test(test_from_journal),
		cmocka_unit_test(test_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
