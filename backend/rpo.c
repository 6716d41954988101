/*
 * rpo.c: exposure against the RPO, breach time, next scheduled restore,
 * clock skew.  Pure computation, any thread, never blocks (zone files
 * are read once by timefmt.c).
 */
#include "rpo.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "timefmt.h"
#include "xmalloc.h"

#define DAY_MS	86400000LL

const char *
rpo_source_name(enum rpo_source s)
{
	switch (s) {
	case RPO_SRC_STAMP:
		return "stamp";
	case RPO_SRC_JOURNAL:
		return "journal";
	case RPO_SRC_DUMPNAME:
		return "dump name";
	case RPO_SRC_NONE:
		break;
	}
	return "none";
}

static int64_t
warn_ms(const struct thresholds *th)
{
	return th->rpo * 1000 * th->warn_pct / 100;
}

enum level
rpo_level(int64_t exposure_ms, const struct thresholds *th)
{
	if (exposure_ms < 0)
		return LEVEL_UNKNOWN;
	if (exposure_ms > th->rpo * 1000)
		return LEVEL_CRIT;
	if (exposure_ms >= warn_ms(th))
		return LEVEL_WARN;
	return LEVEL_OK;
}

/* The first slot after now: minutes of the day (plus offset_s seconds). */
static int64_t
next_slot(const struct schedule_cfg *sc, const char *tz, int64_t now_ms,
    int64_t offset_s, int nightly_min, int *nightly)
{
	struct civil today;
	struct err e;
	int64_t best = -1, day, d0;
	int step, m, k;

	if (nightly != NULL)
		*nightly = 0;
	if (sc == NULL || tz_to_local(tz, now_ms, &today, NULL, &e) == -1)
		return -1;
	step = (int)(sc->daytime_every / 60);
	d0 = civil_days(today.year, today.mon, today.day);
	for (day = d0 - 1; day <= d0 + 2; day++) {
		for (k = -1;; k++) {
			struct civil lc;
			int64_t at;
			int is_night = k == -1;

			if (is_night) {
				if (nightly_min < 0 || nightly_min >= 1440)
					continue;
				m = nightly_min;
			} else {
				if (step < 1 || sc->daytime_start < 0)
					break;
				m = sc->daytime_start + k * step;
				if (m >= sc->daytime_end || m >= 1440)
					break;
			}
			civil_from_ms(day * DAY_MS + (int64_t)m * 60000 +
			    (is_night ? 0 : offset_s * 1000), &lc);
			if (tz_from_local(tz, &lc, &at, NULL, &e) == -1)
				continue;
			if (at > now_ms && (best == -1 || at < best ||
			    (at == best && is_night))) {
				best = at;
				if (nightly != NULL)
					*nightly = is_night;
			}
		}
	}
	return best;
}

int64_t
rpo_next_restore(const struct schedule_cfg *sc, const char *tz,
    int64_t now_ms, int *nightly)
{
	if (sc == NULL)
		return -1;
	return next_slot(sc, tz, now_ms, sc->restore_stagger,
	    sc->nightly_restore, nightly);
}

int64_t
rpo_next_backup(const struct schedule_cfg *sc, const char *tz,
    int64_t now_ms, int *nightly)
{
	if (sc == NULL)
		return -1;
	return next_slot(sc, tz, now_ms, 0, sc->nightly_backup, nightly);
}

void
rpo_assess(const struct rpo_input *in, const struct thresholds *th,
    const struct schedule_cfg *sc, const char *tz, struct rpo_result *out)
{
	int64_t data = 0, allowed = th->clock_skew * 1000;

	memset(out, 0, sizeof *out);
	out->exposure_ms = -1;
	out->level = LEVEL_UNKNOWN;
	out->skew_level = LEVEL_UNKNOWN;
	if (in->stamp_ms > 0) {
		out->source = RPO_SRC_STAMP;
		data = in->stamp_ms;
	} else if (in->journal_ms > 0) {
		out->source = RPO_SRC_JOURNAL;
		data = in->journal_ms;
	} else if (in->dumpname_ms > 0) {
		out->source = RPO_SRC_DUMPNAME;
		data = in->dumpname_ms;
	}
	if (in->has_skew) {
		int64_t a = in->skew_ms < 0 ? -in->skew_ms : in->skew_ms;

		out->skew_level = a > allowed ? LEVEL_WARN : LEVEL_OK;
		out->skew_ms = in->skew_ms;
	}
	out->next_restore_ms = rpo_next_restore(sc, tz, in->now_ms,
	    &out->next_restore_nightly);
	if (out->source == RPO_SRC_NONE)
		return;
	if (in->has_skew)
		data -= in->skew_ms;
	out->data_ms = data;
	out->exposure_ms = in->now_ms - data;
	if (out->exposure_ms < 0) {
		out->future = 1;
		out->level = -out->exposure_ms > allowed ? LEVEL_WARN :
		    LEVEL_OK;
		out->exposure_ms = 0;
	} else
		out->level = rpo_level(out->exposure_ms, th);
	out->warn_at_ms = data + warn_ms(th);
	out->breach_at_ms = data + th->rpo * 1000;
	out->breach_before_restore = out->next_restore_ms > 0 &&
	    out->breach_at_ms <= out->next_restore_ms;
}

/* The last path element, Windows or POSIX separators. */
static const char *
base_name(const char *p)
{
	const char *s, *b = p;

	for (s = p; *s != '\0'; s++)
		if (*s == '/' || *s == '\\')
			b = s + 1;
	return b;
}

int
rpo_from_journal(const struct journal_tail *t, const char *db,
    const char *tz, int64_t *data_ms)
{
	size_t i;

	for (i = t->n; i > 0; i--) {
		const struct journal_event *ev = &t->ev[i - 1];
		const char *name;
		enum cat_kind kind;
		struct civil c;
		struct err e;
		size_t len;

		if (ev->rc != 0 || ev->action == NULL || ev->message == NULL ||
		    (strcmp(ev->action, "restored") != 0 &&
		    strcmp(ev->action, "restore") != 0))
			continue;
		name = base_name(ev->message);
		len = strlen(name);
		/* "NAME" or "NAME ..." (a drdeck message may go on). */
		if (strchr(name, ' ') != NULL && catalog_parse_name(db, name,
		    len, &kind, &c) == -1)
			len = (size_t)(strchr(name, ' ') - name);
		if (catalog_parse_name(db, name, len, &kind, &c) == -1 ||
		    kind != CAT_DUMP)
			continue;
		if (tz_from_local(tz, &c, data_ms, NULL, &e) == -1)
			continue;
		return 0;
	}
	return -1;
}

void
rpo_facts(const struct rpo_result *r, const struct thresholds *th,
    int64_t now_ms, const char *tz, struct fact_list *out)
{
	char v[128], d[512], thr[64], t1[32], t2[32], w1[TIMEFMT_LEN],
	    w2[TIMEFMT_LEN];
	struct fact *f;

	snprintf(thr, sizeof thr, "RPO %s", fmt_duration(th->rpo, t1,
	    sizeof t1));
	if (r->source == RPO_SRC_NONE) {
		f = facts_add(out, "rpo.exposure", "Exposure", LEVEL_UNKNOWN,
		    "unknown", "no data stamp, no restore in the journal, no "
		    "restored dump known: the age of the backup's data is not "
		    "known", thr, now_ms);
	} else {
		snprintf(v, sizeof v, "%s (%s)", fmt_duration(r->exposure_ms /
		    1000, t1, sizeof t1), rpo_source_name(r->source));
		if (r->future)
			snprintf(d, sizeof d, "the data time %s is later than "
			    "now: the clocks disagree",
			    timefmt_local(tz, r->data_ms, 0, w1, sizeof w1));
		else if (r->level == LEVEL_CRIT)
			snprintf(d, sizeof d, "data of %s; RPO passed %s ago",
			    timefmt_local(tz, r->data_ms, 0, w1, sizeof w1),
			    fmt_duration((now_ms - r->breach_at_ms) / 1000,
			    t2, sizeof t2));
		else
			snprintf(d, sizeof d, "data of %s; RPO passed at %s%s",
			    timefmt_local(tz, r->data_ms, 0, w1, sizeof w1),
			    timefmt_local(tz, r->breach_at_ms, 0, w2,
			    sizeof w2), r->breach_before_restore ?
			    ", before the next restore" : "");
		f = facts_add(out, "rpo.exposure", "Exposure", r->level, v, d,
		    thr, now_ms);
		fact_set_num(f, (double)(r->exposure_ms / 1000), "s");
		f->has_warn_at = f->has_crit_at = 1;
		f->warn_at = (double)(warn_ms(th) / 1000);
		f->crit_at = (double)th->rpo;
	}
	if (r->skew_level != LEVEL_UNKNOWN) {
		snprintf(thr, sizeof thr, "max %s", fmt_duration(th->clock_skew,
		    t1, sizeof t1));
		snprintf(v, sizeof v, "%s%.1f s", r->skew_ms > 0 ? "+" : "",
		    (double)r->skew_ms / 1000.0);
		f = facts_add(out, "clock.skew", "Clock skew", r->skew_level, v,
		    r->skew_level == LEVEL_OK ? NULL : "the primary's clock "
		    "and this one disagree: times in names, stamps and the "
		    "journal are off by as much", thr, now_ms);
		fact_set_num(f, (double)r->skew_ms / 1000.0, "s");
		f->has_warn_at = 1;
		f->warn_at = (double)th->clock_skew;
	}
}
