/*
 * probe-dumps.c: the dump folder of a host, as the runbook names dumps
 * ("<db>_YYYY-MM-DD_HH-mm.dump", the host's local time): the latest dump,
 * its age against the RPO, its size, whether it was verified (its
 * "<name>.sha256" sidecar is written only after the read-back check), and
 * the daytime slots of the last 24 h that have no dump.
 *
 * On the backup the same folder holds the shipped dumps; whether the
 * primary's latest arrived is a pair fact (pairfacts.c).
 *
 * Worker thread of the host; one transport_list, bounded by the budget.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "job-common.h"
#include "timefmt.h"
#include "xmalloc.h"

#define SLOT_GRACE_MS	(30 * 60 * 1000)	/* a dump may take this long */
#define SLOT_EARLY_MS	(5 * 60 * 1000)

struct dump {
	const char *name;
	int64_t	 at;
	uint64_t size;
	int	 verified;
};

static int
has_entry(const struct rdir *d, const char *name)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->e[i].name, name) == 0)
			return 1;
	return 0;
}

/* Daytime slots in (now - 24h, now - grace] without a dump made in
 * [slot - 5 min, slot + every). */
static int
missed_slots(const struct config *c, const struct host_cfg *h,
    const struct dump *v, size_t n, int64_t now, int *expected)
{
	const struct schedule_cfg *s = &c->schedule;
	int64_t every_ms = s->daytime_every * 1000, day, slot;
	int missed = 0, m, d;
	struct civil cv, today;
	size_t i;
	struct err e;

	*expected = 0;
	if (s->daytime_every <= 0)
		return 0;
	if (tz_to_local(h->timezone, now, &today, NULL, &e) != 0)
		return 0;
	for (d = -1; d <= 0; d++) {
		day = civil_days(today.year, today.mon, today.day) + d;
		civil_from_ms(day * 86400000LL, &cv);
		for (m = s->daytime_start; m < s->daytime_end;
		    m += (int)(s->daytime_every / 60)) {
			int found = 0;

			cv.hour = m / 60;
			cv.min = m % 60;
			cv.sec = cv.ms = 0;
			if (tz_from_local(h->timezone, &cv, &slot, NULL,
			    &e) != 0)
				continue;
			if (slot <= now - 86400000LL || slot > now -
			    SLOT_GRACE_MS)
				continue;
			(*expected)++;
			for (i = 0; i < n && !found; i++)
				if (v[i].at >= slot - SLOT_EARLY_MS &&
				    v[i].at < slot + every_ms)
					found = 1;
			if (!found)
				missed++;
			if (s->daytime_every < 60)
				break;
		}
	}
	return missed;
}

/* Run the dumps probe. */
void
probe_dumps_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	const struct thresholds *th = &ctx->c->th;
	struct rdir d = { 0 };
	struct err e = { "" };
	struct dump *v = NULL, *last = NULL, *prev = NULL;
	size_t n = 0, i;
	int64_t now = clock_wall_ms(), age, warn_s;
	char val[320], thr[96], a[32], b[32], side[300];
	struct fact *f;
	enum level lv;
	int missed, expected;

	if (h->dumps == NULL || transport_list(ctx->t, h->dumps, &d,
	    probe_budget(ctx), &e) != 0) {
		const char *why = h->dumps == NULL ? "no dump folder "
		    "configured (paths.dumps)" : e.msg;

		probe_unknown(out, "dumps.latest", "Latest dump", why);
		probe_unknown(out, "dumps.age", "Dump age", why);
		probe_unknown(out, "dumps.verified", "Dump verified", why);
		probe_unknown(out, "dumps.missed", "Missed slots", why);
		goto out;
	}
	v = xcalloc(d.n ? d.n : 1, sizeof *v);
	for (i = 0; i < d.n; i++) {
		int64_t at;

		if (d.e[i].is_dir || job_dump_name_parse(h->pg.dbname,
		    h->timezone, d.e[i].name, &at) != 0)
			continue;
		v[n].name = d.e[i].name;
		v[n].at = at;
		v[n].size = d.e[i].size;
		snprintf(side, sizeof side, "%s.sha256", d.e[i].name);
		v[n].verified = has_entry(&d, side);
		n++;
	}
	for (i = 0; i < n; i++) {
		if (last == NULL || v[i].at > last->at) {
			prev = last;
			last = &v[i];
		} else if (prev == NULL || v[i].at > prev->at)
			prev = &v[i];
	}
	if (last == NULL) {
		snprintf(val, sizeof val, "no dump in %s", h->dumps);
		facts_add(out, "dumps.latest", "Latest dump", LEVEL_CRIT, val,
		    "no file named <db>_YYYY-MM-DD_HH-mm.dump", NULL, now);
		goto out;
	}
	ctx->scratch.have_dump = 1;
	snprintf(ctx->scratch.dump_name, sizeof ctx->scratch.dump_name, "%s",
	    last->name);
	ctx->scratch.dump_size = last->size;
	ctx->scratch.dump_time = last->at;

	facts_add(out, "dumps.latest", "Latest dump", LEVEL_OK, last->name,
	    h->dumps, NULL, now);

	age = (now - last->at) / 1000;
	warn_s = th->rpo * th->warn_pct / 100;
	lv = age > th->rpo ? LEVEL_CRIT : age > warn_s ? LEVEL_WARN :
	    LEVEL_OK;
	snprintf(val, sizeof val, "%s", fmt_duration(age, a, sizeof a));
	snprintf(thr, sizeof thr, "RPO %s", fmt_duration(th->rpo, b,
	    sizeof b));
	f = facts_add(out, "dumps.age", "Dump age", lv, val, lv == LEVEL_OK ?
	    NULL : "no newer dump: the backup cannot be fresher than this",
	    thr, now);
	fact_set_num(f, (double)age, "s");
	f->has_warn_at = f->has_crit_at = 1;
	f->warn_at = (double)warn_s;
	f->crit_at = (double)th->rpo;

	lv = LEVEL_OK;
	thr[0] = '\0';
	if (prev != NULL && prev->size > 0 && last->size * 2 < prev->size) {
		lv = LEVEL_WARN;
		snprintf(thr, sizeof thr, "previous %s",
		    fmt_bytes(prev->size, b, sizeof b));
	}
	f = facts_add(out, "dumps.size", "Dump size", lv,
	    fmt_bytes(last->size, a, sizeof a), lv == LEVEL_OK ? NULL :
	    "less than half the previous dump", thr[0] ? thr : NULL, now);
	fact_set_num(f, (double)last->size, "B");

	facts_add(out, "dumps.verified", "Dump verified",
	    last->verified ? LEVEL_OK : LEVEL_WARN,
	    last->verified ? "yes" : "no sidecar",
	    last->verified ? "read back whole, sha256 sidecar written" :
	    "no <dump>.sha256 beside it: not verified (or written by "
	    "another tool)", NULL, now);

	missed = missed_slots(ctx->c, h, v, n, now, &expected);
	snprintf(val, sizeof val, "%d of %d", missed, expected);
	f = facts_add(out, "dumps.missed", "Missed slots",
	    missed > 0 ? LEVEL_WARN : LEVEL_OK, val,
	    "daytime slots of the last 24 h without a dump", "0 in 24h", now);
	fact_set_num(f, missed, "");
	f->has_warn_at = 1;
	f->warn_at = 0;
out:
	free(v);
	rdir_free(&d);
}
