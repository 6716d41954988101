/*
 * probe-restore.c: the backup's last restore (from its state file, read
 * by the role probe), the exposure against the RPO with its level and
 * breach time, the next scheduled restore, and the restore duration
 * against half the daytime cadence.
 *
 * Exposure is the age of the data the backup serves (rpo.h): the data
 * stamp in its own database when there is one (probe-db.c), else the
 * stamp the restore recorded in the state file, else the time in the
 * restored dump's name.
 *
 * Worker thread of the host; no I/O of its own (it reads the scratch).
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"
#include "job-common.h"
#include "rpo.h"
#include "timefmt.h"

/* Run the restore probe (backup hosts only). */
void
probe_restore_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	const struct thresholds *th = &ctx->c->th;
	struct probe_scratch *s = &ctx->scratch;
	const struct host_state *st = &s->state;
	int64_t now = clock_wall_ms(), next, half;
	char v[400], t1[32], t2[32], thr[96], d[200], when[TIMEFMT_LEN];
	struct rpo_input in;
	struct rpo_result rr;
	struct fact *f;
	int nightly = 0;

	if (h->kind != HOST_KIND_BACKUP)
		return;
	if (!s->have_state) {
		const char *why = s->state_err[0] ? s->state_err :
		    "state file not read";

		probe_unknown(out, "restore.last", "Last restore", why);
		probe_unknown(out, "rpo.exposure", "Exposure", why);
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

	if (st->role == HOST_ROLE_ACTIVE) {
		/* Promoted: it takes the writes now, restores are off. */
		facts_add(out, "rpo.exposure", "Exposure", LEVEL_OK,
		    "none (active)", "this host serves since the failover: "
		    "it restores nothing, so it loses nothing", NULL, now);
		goto duration;
	}

	/* Exposure: the age of the data (rpo.h). */
	memset(&in, 0, sizeof in);
	in.now_ms = now;
	if (s->have_stamp)
		in.stamp_ms = s->stamp_at;
	else if (st->restore_data_time > 0)
		in.stamp_ms = st->restore_data_time;
	if (st->restore_dump == NULL || job_dump_name_parse(h->pg.dbname,
	    h->timezone, job_basename(st->restore_dump), &in.dumpname_ms) != 0)
		in.dumpname_ms = 0;
	rpo_assess(&in, th, &ctx->c->schedule, h->timezone, &rr);
	rpo_facts(&rr, th, now, h->timezone, out);

	next = rpo_next_restore(&ctx->c->schedule, h->timezone, now,
	    &nightly);
	if (next > 0) {
		snprintf(v, sizeof v, "%s (in %s)%s",
		    timefmt_local(h->timezone, next, 0, when, sizeof when),
		    fmt_duration((next - now) / 1000, t1, sizeof t1),
		    nightly ? " nightly" : "");
		facts_add(out, "restore.next", "Next restore", LEVEL_OK, v,
		    rr.breach_before_restore ? "the RPO is passed before it" :
		    "from the schedule", NULL, now);
	}

duration:
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
