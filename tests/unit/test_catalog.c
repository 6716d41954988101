/*
 * test_catalog.c: dump names, the catalog of a folder listing, slots of
 * the schedule (missed ones, across DST changes), and the retention plan.
 * Zones are named in every test, so any process TZ gives the same result.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "catalog.h"
#include "xmalloc.h"

#define DB "rabspocdb"

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

static void
add(struct rdir *d, const char *name, uint64_t size, int64_t mtime)
{
	d->e = xreallocarray(d->e, d->n + 1, sizeof *d->e);
	memset(&d->e[d->n], 0, sizeof d->e[d->n]);
	d->e[d->n].name = xstrdup(name);
	d->e[d->n].size = size;
	d->e[d->n].mtime = mtime;
	d->n++;
}

static void addf(struct rdir *d, uint64_t size, const char *fmt, ...)
    PRINTF_LIKE(3, 4);

static void
addf(struct rdir *d, uint64_t size, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	add(d, buf, size, 0);
}

static void
rdir_clear(struct rdir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->e[i].name);
	free(d->e);
	d->e = NULL;
	d->n = 0;
}

static int64_t
utc(int y, int mo, int d, int h, int mi)
{
	struct civil c = { y, mo, d, h, mi, 0, 0 };

	return civil_to_ms(&c);
}

static int
pn(const char *db, const char *name, enum cat_kind *k, struct civil *c)
{
	return catalog_parse_name(db, name, strlen(name), k, c);
}

static void
test_parse_names(void **state)
{
	enum cat_kind k;
	struct civil c;
	char *n;

	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-00.dump", &k, &c), 0);
	assert_int_equal(k, CAT_DUMP);
	assert_int_equal(c.year, 2026);
	assert_int_equal(c.mon, 11);
	assert_int_equal(c.day, 25);
	assert_int_equal(c.hour, 9);
	assert_int_equal(c.min, 0);
	assert_int_equal(pn(DB, "rabspocdb_schema_2024-02-29_23-59.sql", &k,
	    &c), 0);
	assert_int_equal(k, CAT_SCHEMA);
	n = catalog_name(DB, CAT_SCHEMA, &c);
	assert_string_equal(n, "rabspocdb_schema_2024-02-29_23-59.sql");
	free(n);
	/* Not dumps. */
	assert_int_equal(pn(DB, "rabspocdb_2026-02-30_09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2025-02-29_09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_25-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_24-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-60.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-13-25_09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-00.dump.part", &k,
	    &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-00.dump.sha256", &k,
	    &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-00.sql", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_schema_2026-11-25_09-00.dump", &k,
	    &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_9-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25-09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-00.DUMP", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_2026-11-25_09-001.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb2_2026-11-25_09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspoc_2026-11-25_09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "xrabspocdb_2026-11-25_09-00.dump", &k, &c),
	    -1);
	assert_int_equal(pn(DB, "rabspocdb_", &k, &c), -1);
	assert_int_equal(pn(DB, "", &k, &c), -1);
	assert_int_equal(pn("", "_2026-11-25_09-00.dump", &k, &c), -1);
	assert_int_equal(pn(DB, "rabspocdb_２026-11-25_09-00.dump", &k, &c),
	    -1);
	/* A NUL inside the name (as counted bytes). */
	assert_int_equal(catalog_parse_name(DB,
	    "rabspocdb_2026-11-25_09\0000.dump", 31, &k, &c), -1);
	/* Odd database names are just bytes. */
	assert_int_equal(pn("my db 'x' \"ü\"", "my db 'x' \"ü\"_2026-11-25_09-00"
	    ".dump", &k, &c), 0);
	assert_int_equal(pn("x_schema", "x_schema_2026-11-25_09-00.dump", &k,
	    &c), 0);
	assert_int_equal(k, CAT_DUMP);
	assert_int_equal(pn("x", "x_schema_2026-11-25_09-00.dump", &k, &c), -1);
}

static void
test_build(void **state)
{
	struct schedule_cfg s = sched();
	struct rdir d = { NULL, 0 };
	struct catalog c;
	struct err e = { "" };
	const struct cat_dump *l;
	int64_t now = utc(2026, 11, 25, 12, 0);

	add(&d, "rabspocdb_2026-11-25_06-00.dump", 1000, 0);
	add(&d, "rabspocdb_2026-11-25_06-00.dump.sha256", 80, 0);
	add(&d, "rabspocdb_2026-11-25_00-00.dump", 1200, 0);
	add(&d, "rabspocdb_2026-11-25_00-00.dump.sha256", 80, 0);
	add(&d, "rabspocdb_schema_2026-11-25_00-00.sql", 50, 0);
	add(&d, "rabspocdb_2026-11-25_09-00.dump", 1100, 0);	/* unverified */
	add(&d, "rabspocdb_2026-11-25_12-00.dump.part", 500, now / 1000 - 60);
	add(&d, "rabspocdb_2026-11-25_03-00.dump.part", 400,
	    now / 1000 - 4 * 3600);
	add(&d, "notes.txt", 7, 0);
	add(&d, "rabspocdb_2026-02-30_09-00.dump", 9, 0);
	add(&d, "otherdb_2026-11-25_09-00.dump", 9, 0);
	add(&d, "sub", 0, 0);
	d.e[d.n - 1].is_dir = 1;
	add(&d, "rabspocdb_2026-11-25_09-00.dump", 1100, 0);	/* twice */
	assert_int_equal(catalog_build(&d, DB, "UTC", &s, &c, &e), 0);
	assert_int_equal(c.n_dumps, 3);
	assert_int_equal(c.n_schemas, 1);
	assert_int_equal(c.n_parts, 2);
	assert_int_equal(c.n_sidecars, 2);
	assert_int_equal(c.n_other, 3);
	assert_int_equal(c.dump_bytes, 3300);
	assert_int_equal(c.total_bytes, 3300 + 160 + 50 + 900);
	l = catalog_latest(&c);
	assert_string_equal(l->name, "rabspocdb_2026-11-25_09-00.dump");
	assert_false(l->verified);
	assert_int_equal(l->at, utc(2026, 11, 25, 9, 0));
	l = catalog_latest_verified(&c);
	assert_string_equal(l->name, "rabspocdb_2026-11-25_06-00.dump");
	assert_true(l->verified);
	assert_false(l->nightly);
	assert_true(c.dumps[0].nightly);
	assert_string_equal(c.dumps[0].schema,
	    "rabspocdb_schema_2026-11-25_00-00.sql");
	assert_null(c.dumps[1].schema);
	assert_int_equal(catalog_stale_parts(&c, now, 3600), 1);
	assert_int_equal(catalog_stale_parts(&c, now, 30), 2);
	assert_non_null(catalog_find(&c, "rabspocdb_2026-11-25_00-00.dump"));
	assert_null(catalog_find(&c, "notes.txt"));
	catalog_free(&c);
	/* The same names from a Vienna host: an hour earlier in UTC. */
	assert_int_equal(catalog_build(&d, DB, "Europe/Vienna", &s, &c, &e),
	    0);
	assert_int_equal(catalog_latest(&c)->at, utc(2026, 11, 25, 8, 0));
	catalog_free(&c);
	/* Errors. */
	assert_int_equal(catalog_build(&d, "", "UTC", &s, &c, &e), -1);
	assert_non_null(strstr(e.msg, "dbname"));
	assert_int_equal(catalog_build(&d, DB, "Mars/Olympus", &s, &c, &e), -1);
	assert_non_null(strstr(e.msg, "Mars/Olympus"));
	rdir_clear(&d);
	/* Empty folder. */
	assert_int_equal(catalog_build(&d, DB, NULL, NULL, &c, &e), 0);
	assert_null(catalog_latest(&c));
	assert_null(catalog_latest_verified(&c));
	catalog_free(&c);
}

static void
test_odd_names(void **state)
{
	static const char *db = "rabs db \"prod\" 'eu' \xc3\xbc\xe2\x82\xac";
	struct rdir d = { NULL, 0 };
	struct catalog c;
	struct err e = { "" };

	addf(&d, 10, "%s_2026-11-25_09-00.dump", db);
	addf(&d, 10, "%s_2026-11-25_09-00.dump.sha256", db);
	addf(&d, 10, "%s_2026-11-25_09-00.dump", "rabs db");
	addf(&d, 10, "\xff\xfe_2026-11-25_09-00.dump");
	addf(&d, 10, "%s_2026-11-25_09-00.dump\n", db);
	assert_int_equal(catalog_build(&d, db, "UTC", NULL, &c, &e), 0);
	assert_int_equal(c.n_dumps, 1);
	assert_true(c.dumps[0].verified);
	assert_int_equal(c.n_other, 3);
	catalog_free(&c);
	rdir_clear(&d);
}

static void
test_missed_slots(void **state)
{
	struct schedule_cfg s = sched();
	struct rdir d = { NULL, 0 };
	struct catalog c;
	struct cat_slots sl;
	struct err e = { "" };
	int h;

	for (h = 0; h < 24; h += 3) {
		if (h == 12)
			continue;	/* missed */
		if (h == 3)
			addf(&d, 1, DB "_2026-11-24_03-10.dump");  /* late, ok */
		else if (h == 6)
			addf(&d, 1, DB "_2026-11-24_07-10.dump");  /* too late */
		else
			addf(&d, 1, DB "_2026-11-24_%02d-00.dump", h);
	}
	addf(&d, 1, DB "_2026-11-25_02-50.dump");	/* early for 03:00 */
	assert_int_equal(catalog_build(&d, DB, "UTC", &s, &c, &e), 0);
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 11, 24, 0, 0),
	    utc(2026, 11, 25, 4, 30), &sl, &e), 0);
	/* 24th: 8 slots; 25th: 00:00 (nightly) and 03:00. */
	assert_int_equal(sl.n, 10);
	assert_int_equal(sl.missed, 3);
	assert_int_equal(sl.missed_nightly, 1);
	assert_true(sl.v[0].nightly);
	assert_non_null(sl.v[0].dump);
	assert_non_null(sl.v[1].dump);
	assert_null(sl.v[2].dump);		/* 06:00 */
	assert_null(sl.v[4].dump);		/* 12:00 */
	assert_null(sl.v[8].dump);		/* 25th 00:00 */
	assert_true(sl.v[8].nightly);
	assert_non_null(sl.v[9].dump);
	assert_int_equal(sl.v[9].at, utc(2026, 11, 25, 3, 0));
	cat_slots_free(&sl);
	/* A slot whose late edge has not passed is not judged yet. */
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 11, 25, 0, 30),
	    utc(2026, 11, 25, 12, 59), &sl, &e), 0);
	assert_int_equal(sl.n, 3);	/* 03, 06, 09 */
	assert_int_equal(sl.missed, 2);
	cat_slots_free(&sl);
	/* Bad arguments. */
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 11, 25, 0, 0),
	    utc(2026, 11, 24, 0, 0), &sl, &e), -1);
	s.daytime_every = 0;
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 11, 24, 0, 0),
	    utc(2026, 11, 25, 0, 0), &sl, &e), -1);
	assert_non_null(strstr(e.msg, "daytime_every"));
	catalog_free(&c);
	rdir_clear(&d);
}

static void
test_slots_across_dst_new_york(void **state)
{
	struct schedule_cfg s = sched();
	struct rdir d = { NULL, 0 };
	struct catalog c;
	struct cat_slots sl;
	struct err e = { "" };
	int h, day;

	/* Slots from 02:00 every 3 h: 02:00 does not exist on 2026-03-08
	 * (the host's scheduler runs at 03:00 and names it 03-00), and
	 * happens twice on 2026-11-01 (the first is the slot). */
	s.daytime_start = 120;
	s.nightly_backup = 120;
	for (day = 7; day <= 9; day++)
		for (h = 2; h < 24; h += 3)
			addf(&d, 1, DB "_2026-03-%02d_%02d-00.dump", day,
			    day == 8 && h == 2 ? 3 : h);
	assert_int_equal(catalog_build(&d, DB, "America/New_York", &s, &c,
	    &e), 0);
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 3, 7, 7, 0),
	    utc(2026, 3, 10, 4, 0), &sl, &e), 0);
	assert_int_equal(sl.n, 24);
	assert_int_equal(sl.missed, 0);
	/* The gap slot is 03:00 EDT = 07:00 UTC; the next 05:00 EDT. */
	assert_int_equal(sl.v[8].at, utc(2026, 3, 8, 7, 0));
	assert_true(sl.v[8].nightly);
	assert_true(sl.v[8].dump->nightly);
	assert_int_equal(sl.v[9].at, utc(2026, 3, 8, 9, 0));
	cat_slots_free(&sl);
	catalog_free(&c);
	rdir_clear(&d);

	for (h = 2; h < 24; h += 3)
		addf(&d, 1, DB "_2026-11-01_%02d-00.dump", h);
	assert_int_equal(catalog_build(&d, DB, "America/New_York", &s, &c,
	    &e), 0);
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 11, 1, 4, 0),
	    utc(2026, 11, 2, 5, 0), &sl, &e), 0);
	assert_int_equal(sl.n, 8);
	assert_int_equal(sl.missed, 0);
	/* 02:00 EST (the clocks went back at 02:00 EDT) = 07:00 UTC. */
	assert_int_equal(sl.v[0].at, utc(2026, 11, 1, 7, 0));
	cat_slots_free(&sl);
	catalog_free(&c);
	rdir_clear(&d);
}

static void
test_slots_across_dst_lord_howe(void **state)
{
	struct schedule_cfg s = sched();
	struct rdir d = { NULL, 0 };
	struct catalog c;
	struct cat_slots sl;
	struct err e = { "" };
	int h;

	/* Nightly at 02:00: on 2026-10-04 the clocks jump 02:00 -> 02:30. */
	s.nightly_backup = 120;
	addf(&d, 1, DB "_2026-10-04_02-30.dump");
	for (h = 0; h < 24; h += 3)
		addf(&d, 1, DB "_2026-10-04_%02d-00.dump", h);
	assert_int_equal(catalog_build(&d, DB, "Australia/Lord_Howe", &s, &c,
	    &e), 0);
	assert_true(catalog_find(&c, DB "_2026-10-04_02-30.dump")->nightly);
	assert_false(catalog_find(&c, DB "_2026-10-04_03-00.dump")->nightly);
	assert_int_equal(catalog_find(&c, DB "_2026-10-04_02-30.dump")->at,
	    utc(2026, 10, 3, 15, 30));
	/* Local midnight of the 4th is 13:30 UTC on the 3rd (+10:30). */
	assert_int_equal(catalog_slots(&c, &s, utc(2026, 10, 3, 13, 30),
	    utc(2026, 10, 4, 13, 59), &sl, &e), 0);
	assert_int_equal(sl.n, 9);
	assert_int_equal(sl.missed, 0);
	assert_true(sl.v[1].nightly);
	assert_int_equal(sl.v[1].at, utc(2026, 10, 3, 15, 30));
	/* 03:00 local is +11:00 already. */
	assert_int_equal(sl.v[2].at, utc(2026, 10, 3, 16, 0));
	cat_slots_free(&sl);
	catalog_free(&c);
	rdir_clear(&d);
}

static int
has(const struct strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return 1;
	return 0;
}

static void
test_retention(void **state)
{
	struct schedule_cfg s = sched();
	struct rdir d = { NULL, 0 };
	struct catalog c;
	struct strv del = { NULL, 0 };
	struct err e = { "" };
	int day, h;
	size_t n;

	/* Ten days, eight dumps a day; only 2026-11-03 09:00 verified. */
	for (day = 1; day <= 10; day++)
		for (h = 0; h < 24; h += 3) {
			addf(&d, 1, DB "_2026-11-%02d_%02d-00.dump", day, h);
			if (h == 0)
				addf(&d, 1, DB "_schema_2026-11-%02d_00-00.sql",
				    day);
		}
	addf(&d, 1, DB "_2026-11-03_09-00.dump.sha256");
	addf(&d, 1, DB "_schema_2026-11-02_00-00.sql.sha256");
	addf(&d, 1, DB "_2026-11-10_21-00.dump.part");
	assert_int_equal(catalog_build(&d, DB, "UTC", &s, &c, &e), 0);
	n = catalog_retention(&c, 8, 3, &del);
	/* 80 dumps: keep 8 daytime + 3 nightly + the verified one. */
	assert_int_equal(n, 80 - 12);
	assert_false(has(&del, DB "_2026-11-03_09-00.dump"));
	assert_false(has(&del, DB "_2026-11-03_09-00.dump.sha256"));
	assert_false(has(&del, DB "_2026-11-10_21-00.dump"));
	assert_true(has(&del, DB "_2026-11-09_03-00.dump"));
	assert_false(has(&del, DB "_2026-11-09_21-00.dump"));
	assert_false(has(&del, DB "_2026-11-09_00-00.dump"));
	assert_false(has(&del, DB "_2026-11-10_00-00.dump"));
	assert_false(has(&del, DB "_2026-11-08_00-00.dump"));
	assert_true(has(&del, DB "_2026-11-07_00-00.dump"));
	assert_true(has(&del, DB "_schema_2026-11-07_00-00.sql"));
	assert_true(has(&del, DB "_schema_2026-11-02_00-00.sql.sha256"));
	assert_false(has(&del, DB "_schema_2026-11-07_00-00.sql.sha256"));
	assert_false(has(&del, DB "_schema_2026-11-08_00-00.sql"));
	assert_true(has(&del, DB "_2026-11-01_03-00.dump"));
	assert_false(has(&del, DB "_2026-11-10_21-00.dump.part"));
	/* Oldest first. */
	assert_string_equal(del.v[0], DB "_2026-11-01_00-00.dump");
	strv_free(&del);
	/* Keep nothing by count: only the newest verified stays. */
	n = catalog_retention(&c, 0, 0, &del);
	assert_int_equal(n, 79);
	assert_false(has(&del, DB "_2026-11-03_09-00.dump"));
	strv_free(&del);
	catalog_free(&c);
	rdir_clear(&d);
	/* Nothing to do on an empty catalog. */
	assert_int_equal(catalog_build(&d, DB, "UTC", &s, &c, &e), 0);
	assert_int_equal(catalog_retention(&c, 1, 1, &del), 0);
	assert_int_equal(del.n, 0);
	catalog_free(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_names),
		cmocka_unit_test(test_build),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_missed_slots),
		cmocka_unit_test(test_slots_across_dst_new_york),
		cmocka_unit_test(test_slots_across_dst_lord_howe),
		cmocka_unit_test(test_retention),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
