/*
 * catalog.c: the dump catalog: names of a dump folder understood, the
 * latest (verified) dump, the schedule's slots filled or missed, and the
 * retention plan.  Pure computation on a listing; any thread, never
 * blocks (zone files are read once by timefmt.c).
 */
#include "catalog.h"

#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define STAMP_LEN	16	/* YYYY-MM-DD_HH-mm */
#define DAY_MIN		1440
#define MAX_WINDOW_MS	(1000LL * 86400 * 1000)	/* 1000 days of slots */

/* Room for element n of an array that only ever grows through here
 * (capacity 8, then doubling). */
static void *
grow(void *p, size_t n, size_t size)
{
	if (n == 0)
		return xreallocarray(p, 8, size);
	if (n >= 8 && (n & (n - 1)) == 0)
		return xreallocarray(p, n * 2, size);
	return p;
}

static int
ends_with(const char *s, size_t len, const char *suf)
{
	size_t n = strlen(suf);

	return len >= n && memcmp(s + len - n, suf, n) == 0;
}

/* "YYYY-MM-DD_HH-mm" exactly. */
static int
parse_stamp(const char *s, struct civil *c)
{
	int v[5], i, k, p = 0;
	static const int width[5] = { 4, 2, 2, 2, 2 };
	static const char sep[5] = { '-', '-', '_', '-', '\0' };

	for (i = 0; i < 5; i++) {
		v[i] = 0;
		for (k = 0; k < width[i]; k++, p++) {
			if (s[p] < '0' || s[p] > '9')
				return -1;
			v[i] = v[i] * 10 + (s[p] - '0');
		}
		if (sep[i] != '\0' && s[p++] != sep[i])
			return -1;
	}
	memset(c, 0, sizeof *c);
	c->year = v[0];
	c->mon = v[1];
	c->day = v[2];
	c->hour = v[3];
	c->min = v[4];
	return civil_valid(c) ? 0 : -1;
}

int
catalog_parse_name(const char *db, const char *name, size_t len,
    enum cat_kind *kind, struct civil *local)
{
	size_t dl = strlen(db), rest;
	const char *p;

	if (dl == 0 || len <= dl + 1 || memcmp(name, db, dl) != 0 ||
	    name[dl] != '_' || memchr(name, '\0', len) != NULL)
		return -1;
	p = name + dl + 1;
	rest = len - dl - 1;
	if (rest == 7 + STAMP_LEN + 4 && memcmp(p, "schema_", 7) == 0 &&
	    ends_with(p, rest, ".sql")) {
		if (parse_stamp(p + 7, local) == -1)
			return -1;
		*kind = CAT_SCHEMA;
		return 0;
	}
	if (rest == STAMP_LEN + 5 && ends_with(p, rest, ".dump")) {
		if (parse_stamp(p, local) == -1)
			return -1;
		*kind = CAT_DUMP;
		return 0;
	}
	return -1;
}

char *
catalog_name(const char *db, enum cat_kind kind, const struct civil *c)
{
	return xasprintf("%s_%s%04d-%02d-%02d_%02d-%02d.%s", db,
	    kind == CAT_SCHEMA ? "schema_" : "", c->year, c->mon, c->day,
	    c->hour, c->min, kind == CAT_SCHEMA ? "sql" : "dump");
}

static int
same_minute(const struct civil *a, const struct civil *b)
{
	return a->year == b->year && a->mon == b->mon && a->day == b->day &&
	    a->hour == b->hour && a->min == b->min;
}

static int
cmp_dump(const void *a, const void *b)
{
	const struct cat_dump *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The slot minutes of a day, sorted, unique; *nightly_min = -1 if none. */
static size_t
day_slots(const struct schedule_cfg *sc, int *mins, int *nightly_min)
{
	size_t n = 0, i, j;
	int m, step;

	*nightly_min = -1;
	if (sc == NULL)
		return 0;
	step = (int)(sc->daytime_every / 60);
	if (step >= 1 && sc->daytime_start >= 0)
		for (m = sc->daytime_start; m < sc->daytime_end &&
		    m < DAY_MIN; m += step)
			mins[n++] = m;
	if (sc->nightly_backup >= 0 && sc->nightly_backup < DAY_MIN) {
		*nightly_min = sc->nightly_backup;
		mins[n++] = sc->nightly_backup;
	}
	/* Sort (insertion: at most a day of minutes) and drop repeats. */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && mins[j - 1] > mins[j]; j--) {
			m = mins[j];
			mins[j] = mins[j - 1];
			mins[j - 1] = m;
		}
	for (i = 0, j = 0; i < n; i++)
		if (j == 0 || mins[j - 1] != mins[i])
			mins[j++] = mins[i];
	return j;
}

/* Does the dump at UTC ms `at`, written at local time lc, fill the
 * nightly slot (of its own local day, or the day before or after)?  The
 * slot's window is computed in UTC, so that a DST change on the way moves
 * it the same way as catalog_slots() does. */
static int
is_nightly(const char *tz, const struct civil *lc, int64_t at,
    const int *mins, size_t n, int nightly)
{
	int early = CATALOG_SLOT_EARLY / 60000, dist, k;
	size_t i;

	if (nightly < 0)
		return 0;
	for (i = 0; i < n && mins[i] != nightly; i++)
		;
	if (i == n)
		return 0;
	/* Far from the nightly minute (a DST change is at most 2 h): no. */
	dist = lc->hour * 60 + lc->min - nightly;
	if (dist < 0)
		dist = -dist;
	if (dist > DAY_MIN / 2)
		dist = DAY_MIN - dist;
	if (dist > early + CATALOG_SLOT_LATE / 60000 + 120)
		return 0;
	for (k = -1; k <= 1; k++) {
		int64_t day = civil_days(lc->year, lc->mon, lc->day) + k;
		struct civil sc, nc;
		struct err e;
		int64_t s_at, n_at, hi;

		civil_from_ms(day * 86400000LL, &sc);
		nc = sc;
		sc.hour = nightly / 60;
		sc.min = nightly % 60;
		if (i + 1 < n) {
			nc.hour = mins[i + 1] / 60;
			nc.min = mins[i + 1] % 60;
		} else {
			civil_from_ms((day + 1) * 86400000LL, &nc);
			nc.hour = mins[0] / 60;
			nc.min = mins[0] % 60;
		}
		if (tz_from_local(tz, &sc, &s_at, NULL, &e) == -1 ||
		    tz_from_local(tz, &nc, &n_at, NULL, &e) == -1)
			continue;
		hi = s_at + CATALOG_SLOT_LATE;
		if (n_at > s_at && n_at - CATALOG_SLOT_EARLY < hi)
			hi = n_at - CATALOG_SLOT_EARLY;
		if (at >= s_at - CATALOG_SLOT_EARLY && at < hi)
			return 1;
	}
	return 0;
}

static void
dump_free(struct cat_dump *d)
{
	free(d->name);
	free(d->schema);
}

/* Drop repeated names from a sorted array (same name, same time). */
static size_t
dedupe(struct cat_dump *v, size_t n, uint64_t *bytes, uint64_t *total)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (k > 0 && strcmp(v[k - 1].name, v[i].name) == 0) {
			if (bytes != NULL)
				*bytes -= v[i].size;
			*total -= v[i].size;
			dump_free(&v[i]);
			continue;
		}
		v[k++] = v[i];
	}
	return k;
}

int
catalog_build(const struct rdir *d, const char *db, const char *tz,
    const struct schedule_cfg *sc, struct catalog *out, struct err *e)
{
	char **side = NULL;
	size_t n_side = 0, i, j;
	int mins[DAY_MIN + 1], nightly;
	size_t n_mins;

	memset(out, 0, sizeof *out);
	if (db == NULL || *db == '\0')
		return err_set(e, "dump catalog: no database name (expected "
		    "hosts[].pg.dbname)");
	if (tz_check(tz, e) == -1)
		return err_prefix(e, "dump catalog of %s", db);
	out->db = xstrdup(db);
	out->tz = xstrdup0(tz);
	n_mins = day_slots(sc, mins, &nightly);
	/* Sidecars first, so that each dump can look its own up. */
	for (i = 0; i < d->n; i++) {
		const struct rdirent *de = &d->e[i];
		size_t len = strlen(de->name);

		if (de->is_dir || !ends_with(de->name, len, ".sha256"))
			continue;
		side = grow(side, n_side, sizeof *side);
		side[n_side++] = xstrndup(de->name, len - 7);
	}
	if (n_side > 1)
		qsort(side, n_side, sizeof *side, cmp_str);
	for (i = 0; i < d->n; i++) {
		const struct rdirent *de = &d->e[i];
		size_t len = strlen(de->name);
		enum cat_kind kind;
		struct civil lc;
		struct cat_dump *cd;

		if (de->is_dir)
			continue;
		if (ends_with(de->name, len, ".part")) {
			out->parts = grow(out->parts, out->n_parts,
			    sizeof *out->parts);
			out->parts[out->n_parts].name = xstrdup(de->name);
			out->parts[out->n_parts].size = de->size;
			out->parts[out->n_parts].mtime = de->mtime;
			out->n_parts++;
			out->total_bytes += de->size;
			continue;
		}
		if (ends_with(de->name, len, ".sha256")) {
			out->n_sidecars++;
			out->total_bytes += de->size;
			continue;
		}
		if (catalog_parse_name(db, de->name, len, &kind, &lc) == -1) {
			out->n_other++;
			continue;
		}
		if (kind == CAT_DUMP) {
			out->dumps = grow(out->dumps, out->n_dumps,
			    sizeof *out->dumps);
			cd = &out->dumps[out->n_dumps++];
			out->dump_bytes += de->size;
		} else {
			out->schemas = grow(out->schemas, out->n_schemas,
			    sizeof *out->schemas);
			cd = &out->schemas[out->n_schemas++];
		}
		memset(cd, 0, sizeof *cd);
		cd->name = xstrdup(de->name);
		cd->local = lc;
		cd->size = de->size;
		cd->mtime = de->mtime;
		out->total_bytes += de->size;
		if (tz_from_local(tz, &lc, &cd->at, NULL, e) == -1) {
			catalog_free(out);
			for (j = 0; j < n_side; j++)
				free(side[j]);
			free(side);
			return err_prefix(e, "dump catalog of %s", db);
		}
		cd->verified = n_side > 0 && bsearch(&cd->name, side, n_side,
		    sizeof *side, cmp_str) != NULL;
		cd->nightly = kind == CAT_DUMP &&
		    is_nightly(tz, &lc, cd->at, mins, n_mins, nightly);
	}
	for (j = 0; j < n_side; j++)
		free(side[j]);
	free(side);
	if (out->n_dumps > 1)
		qsort(out->dumps, out->n_dumps, sizeof *out->dumps, cmp_dump);
	if (out->n_schemas > 1)
		qsort(out->schemas, out->n_schemas, sizeof *out->schemas,
		    cmp_dump);
	/* A name listed twice (a listing glued from two reads) is one file. */
	out->n_dumps = dedupe(out->dumps, out->n_dumps, &out->dump_bytes,
	    &out->total_bytes);
	out->n_schemas = dedupe(out->schemas, out->n_schemas, NULL,
	    &out->total_bytes);
	/* Pair each dump with the schema file of the same minute. */
	for (i = 0, j = 0; i < out->n_dumps && out->n_schemas > 0; i++) {
		while (j < out->n_schemas &&
		    out->schemas[j].at < out->dumps[i].at)
			j++;
		if (j < out->n_schemas && same_minute(&out->schemas[j].local,
		    &out->dumps[i].local))
			out->dumps[i].schema = xstrdup(out->schemas[j].name);
	}
	return 0;
}


void
catalog_free(struct catalog *c)
{
	size_t i;

	for (i = 0; i < c->n_dumps; i++)
		dump_free(&c->dumps[i]);
	for (i = 0; i < c->n_schemas; i++)
		dump_free(&c->schemas[i]);
	for (i = 0; i < c->n_parts; i++)
		free(c->parts[i].name);
	free(c->dumps);
	free(c->schemas);
	free(c->parts);
	free(c->db);
	free(c->tz);
	memset(c, 0, sizeof *c);
}

const struct cat_dump *
catalog_latest(const struct catalog *c)
{
	return c->n_dumps > 0 ? &c->dumps[c->n_dumps - 1] : NULL;
}

const struct cat_dump *
catalog_latest_verified(const struct catalog *c)
{
	size_t i;

	for (i = c->n_dumps; i > 0; i--)
		if (c->dumps[i - 1].verified)
			return &c->dumps[i - 1];
	return NULL;
}

const struct cat_dump *
catalog_find(const struct catalog *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_dumps; i++)
		if (strcmp(c->dumps[i].name, name) == 0)
			return &c->dumps[i];
	return NULL;
}

size_t
catalog_stale_parts(const struct catalog *c, int64_t now_ms, int64_t part_age)
{
	size_t i, n = 0;

	for (i = 0; i < c->n_parts; i++)
		if (now_ms / 1000 - c->parts[i].mtime > part_age)
			n++;
	return n;
}

static int
cmp_slot(const void *a, const void *b)
{
	const struct cat_slot *x = a, *y = b;

	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return y->nightly - x->nightly;
}

/* The first dump with at in [lo, hi), or NULL. */
static const struct cat_dump *
dump_in(const struct catalog *c, int64_t lo, int64_t hi)
{
	size_t a = 0, b = c->n_dumps;

	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (c->dumps[mid].at < lo)
			a = mid + 1;
		else
			b = mid;
	}
	if (a < c->n_dumps && c->dumps[a].at < hi)
		return &c->dumps[a];
	return NULL;
}

int
catalog_slots(const struct catalog *c, const struct schedule_cfg *sc,
    int64_t from_ms, int64_t to_ms, struct cat_slots *out, struct err *e)
{
	struct cat_slot *all = NULL;
	size_t n_all = 0, n_mins, i, k;
	int mins[DAY_MIN + 1], nightly;
	struct civil lo, hi;
	int64_t day, last;

	memset(out, 0, sizeof *out);
	if (sc == NULL || sc->daytime_every < 60)
		return err_set(e, "dump catalog of %s: schedule.daytime_every "
		    "must be at least a minute", c->db);
	if (to_ms < from_ms || to_ms - from_ms > MAX_WINDOW_MS)
		return err_set(e, "dump catalog of %s: slot window of %lld s "
		    "(expected 0 to 1000 days)", c->db,
		    (long long)((to_ms - from_ms) / 1000));
	n_mins = day_slots(sc, mins, &nightly);
	if (tz_to_local(c->tz, from_ms - 86400000LL, &lo, NULL, e) == -1 ||
	    tz_to_local(c->tz, to_ms + 86400000LL, &hi, NULL, e) == -1)
		return err_prefix(e, "dump catalog of %s", c->db);
	last = civil_days(hi.year, hi.mon, hi.day);
	for (day = civil_days(lo.year, lo.mon, lo.day); day <= last; day++) {
		struct civil dc;

		civil_from_ms(day * 86400000LL, &dc);
		for (k = 0; k < n_mins; k++) {
			struct cat_slot *s;

			dc.hour = mins[k] / 60;
			dc.min = mins[k] % 60;
			all = grow(all, n_all, sizeof *all);
			s = &all[n_all];
			memset(s, 0, sizeof *s);
			s->local = dc;
			s->nightly = mins[k] == nightly;
			if (tz_from_local(c->tz, &dc, &s->at, NULL, e) == -1) {
				free(all);
				return err_prefix(e, "dump catalog of %s",
				    c->db);
			}
			n_all++;
		}
	}
	qsort(all, n_all, sizeof *all, cmp_slot);
	/* Two local slots on one instant (a DST change): keep one. */
	for (i = 0, k = 0; i < n_all; i++)
		if (k == 0 || all[k - 1].at != all[i].at)
			all[k++] = all[i];
	n_all = k;
	for (i = 0; i < n_all; i++) {
		struct cat_slot *s = &all[i];
		int64_t end = s->at + CATALOG_SLOT_LATE;

		if (s->at < from_ms || s->at > to_ms - CATALOG_SLOT_LATE)
			continue;
		if (i + 1 < n_all && all[i + 1].at - CATALOG_SLOT_EARLY < end)
			end = all[i + 1].at - CATALOG_SLOT_EARLY;
		s->dump = dump_in(c, s->at - CATALOG_SLOT_EARLY, end);
		out->v = grow(out->v, out->n, sizeof *out->v);
		out->v[out->n++] = *s;
		if (s->dump == NULL) {
			out->missed++;
			if (s->nightly)
				out->missed_nightly++;
		}
	}
	free(all);
	return 0;
}

void
cat_slots_free(struct cat_slots *s)
{
	free(s->v);
	memset(s, 0, sizeof *s);
}

size_t
catalog_retention(const struct catalog *c, int keep_daytime,
    int keep_nightly, struct strv *del)
{
	const struct cat_dump *newest_ok = catalog_latest_verified(c);
	char *keep;
	int day = 0, night = 0;
	size_t i, k, n = 0;

	if (c->n_dumps == 0)
		return 0;
	keep = xcalloc(c->n_dumps, 1);
	for (i = c->n_dumps; i > 0; i--) {
		const struct cat_dump *d = &c->dumps[i - 1];

		if (d == newest_ok)
			keep[i - 1] = 1;
		if (d->nightly) {
			if (night < keep_nightly) {
				keep[i - 1] = 1;
				night++;
			}
		} else if (day < keep_daytime) {
			keep[i - 1] = 1;
			day++;
		}
	}
	for (i = 0; i < c->n_dumps; i++) {
		const struct cat_dump *d = &c->dumps[i];
		char *s;

		if (keep[i])
			continue;
		strv_push(del, d->name);
		if (d->verified) {
			s = xasprintf("%s.sha256", d->name);
			strv_push(del, s);
			free(s);
		}
		if (d->schema != NULL) {
			strv_push(del, d->schema);
			for (k = 0; k < c->n_schemas; k++)
				if (c->schemas[k].verified &&
				    strcmp(c->schemas[k].name, d->schema) == 0) {
					s = xasprintf("%s.sha256", d->schema);
					strv_push(del, s);
					free(s);
				}
		}
		n++;
	}
	free(keep);
	return n;
}
