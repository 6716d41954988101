/*
 * probe-restore.c: the backup's last restore (from its state file, read
 * by the role probe), the exposure against the RPO with its level and
 * breach time, the next scheduled restore, and the restore duration
 * against half the daytime cadence.
 *
 * Exposure is the age of the data the backup serves: the data stamp in
 * its own database when there is one (probe-db.c), else the stamp the
 * restore recorded, else the time in the restored dump's name, else the
 * time of the restore itself.
 *
 * Worker thread of the host; no I/O of its own (it reads the scratch).
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "job-common.h"
#include "timefmt.h"

/* The next restore slot after now, in the host's zone: daytime slots plus
 * the stagger, and the nightly restore.  0 when there is none. */
static int64_t
next_restore(const struct config *c, const struct host_cfg *h, int64_t now)
{
	const struct schedule_cfg *s = &c->schedule;
	struct civil today, cv;
	struct err e;
	int64_t best = 0, at, day;
	int d, m;

	if (tz_to_local(h->timezone, now, &today, NULL, &e) != 0)
		return 0;
	for (d = 0; d <= 1; d++) {
		day = civil_days(today.year, today.mon, today.day) + d;
		civil_from_ms(day * 86400000LL, &cv);
		cv.sec = cv.ms = 0;
		cv.hour = s->nightly_restore / 60;
		cv.min = s->nightly_restore % 60;
		if (tz_from_local(h->timezone, &cv, &at, NULL, &e) == 0 &&
		    at > now && (best == 0 || at < best))
			best = at;
		if (s->daytime_every < 60)
			continue;
		for (m = s->daytime_start; m < s->daytime_end;
		    m += (int)(s->daytime_every / 60)) {
			cv.hour = m / 60;
			cv.min = m % 60;
			if (tz_from_local(h->timezone, &cv, &at, NULL,
			    &e) != 0)
				continue;
			at += s->restore_stagger * 1000;
			if (at > now && (best == 0 || at < best))
				best = at;
		}
	}
	return best;
}

/* Run the restore probe (backup hosts only). */
void
probe_restore_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	const struct thresholds *th = &ctx->c->th;
	struct probe_scratch *s = &ctx->scratch;
	const struct host_state *st = &s->state;
	int64_t now = clock_wall_ms(), data_at = 0, exp_s, warn_s, next,
	    half;
	char v[400], t1[32], t2[32], thr[96], d[200], when[TIMEFMT_LEN];
	const char *source = NULL;
	struct fact *f;
	enum level lv;

	if (h->kind != HOST_KIND_BACKUP)
		return;
	if (!s->have_state) {
		const char *why = s->state_err[0] ? s->state_err :
		    "state file not read";

		probe_unknown(out, "restore.last", "Last restore", why);
		probe_unknown(out, "restore.exposure", "Exposure", why);
		return;
	}
	if (st->restore_at <= 0) {
		facts_add(out, "restore.last", "Last restore", LEVEL_WARN,
		    "none recorded", "the state file has no last restore",
		    NULL, now);
	} else {
		int ok = st->restore_result != NULL &&
		    strcmp(st->restore_result, "ok") == 0;

		snprintf(v, sizeof v, "%s, %s ago, %s",
		    st->restore_dump != NULL ? st->restore_dump : "?",
		    fmt_duration((now - st->restore_at) / 1000, t1,
		    sizeof t1), st->restore_result != NULL ?
		    st->restore_result : "no result");
		facts_add(out, "restore.last", "Last restore",
		    ok ? LEVEL_OK : LEVEL_CRIT, v, ok ? NULL :
		    "the last restore did not finish well: the backup still "
		    "serves older data", NULL, now);
	}

	/* Exposure: the age of the data. */
	if (s->have_stamp) {
		data_at = s->stamp_at;
		source = "the data stamp in the backup's database";
	} else if (st->restore_data_time > 0) {
		data_at = st->restore_data_time;
		source = "the data stamp the last restore recorded";
	} else if (st->restore_dump != NULL &&
	    job_dump_name_parse(h->pg.dbname, h->timezone,
	    job_basename(st->restore_dump), &data_at) == 0) {
		source = "the time in the restored dump's name";
	} else if (st->restore_at > 0) {
		data_at = st->restore_at;
		source = "the time of the last restore";
	}
	snprintf(thr, sizeof thr, "RPO %s", fmt_duration(th->rpo, t2,
	    sizeof t2));
	if (data_at <= 0) {
		probe_unknown(out, "restore.exposure", "Exposure",
		    "no data stamp, no restore recorded: the age of the "
		    "backup's data is not known");
	} else {
		exp_s = (now - data_at) / 1000;
		warn_s = th->rpo * th->warn_pct / 100;
		lv = exp_s > th->rpo ? LEVEL_CRIT : exp_s > warn_s ?
		    LEVEL_WARN : LEVEL_OK;
		if (exp_s > th->rpo)
			snprintf(d, sizeof d, "RPO breached %s ago (from %s)",
			    fmt_duration(exp_s - th->rpo, t1, sizeof t1),
			    source);
		else
			snprintf(d, sizeof d, "breach at %s (from %s)",
			    timefmt_local(h->timezone, data_at +
			    th->rpo * 1000, 0, when, sizeof when), source);
		f = facts_add(out, "restore.exposure", "Exposure", lv,
		    fmt_duration(exp_s, t1, sizeof t1), d, thr, now);
		fact_set_num(f, (double)exp_s, "s");
		f->has_warn_at = f->has_crit_at = 1;
		f->warn_at = (double)warn_s;
		f->crit_at = (double)th->rpo;
	}

	next = next_restore(ctx->c, h, now);
	if (next > 0) {
		snprintf(v, sizeof v, "%s (in %s)",
		    timefmt_local(h->timezone, next, 0, when, sizeof when),
		    fmt_duration((next - now) / 1000, t1, sizeof t1));
		facts_add(out, "restore.next", "Next restore", LEVEL_OK, v,
		    "from the schedule (daytime slots + stagger, nightly)",
		    NULL, now);
	}

	if (st->restore_duration_ms > 0) {
		half = ctx->c->schedule.daytime_every * 1000 / 2;
		snprintf(v, sizeof v, "%.1f s", st->restore_duration_ms /
		    1000.0);
		snprintf(thr, sizeof thr, "warn %s", fmt_duration(half / 1000,
		    t2, sizeof t2));
		snprintf(d, sizeof d, "the app was down %" PRId64 " ms in "
		    "the switch", st->restore_switch_ms);
		f = facts_add(out, "restore.duration", "Restore took",
		    half > 0 && st->restore_duration_ms > half ? LEVEL_WARN :
		    LEVEL_OK, v, st->restore_switch_ms > 0 ? d : NULL,
		    thr, now);
		fact_set_num(f, st->restore_duration_ms / 1000.0, "s");
		if (half > 0) {
			f->has_warn_at = 1;
			f->warn_at = half / 1000.0;
		}
	}
}
