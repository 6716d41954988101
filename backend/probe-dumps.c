/*
 * probe-dumps.c: the dump folder of a host, through the dump catalog
 * (catalog.h): the latest dump, its age against the RPO, its size (warn
 * when less than half the one before), whether it was verified (its
 * .sha256 sidecar is written only after the read-back check), the slots
 * of the last 24 h without a dump, and .part files left behind.
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

#include "catalog.h"
#include "clock.h"

static void
all_unknown(struct fact_list *out, const char *why)
{
	probe_unknown(out, "dumps.latest", "Latest dump", why);
	probe_unknown(out, "dumps.age", "Dump age", why);
	probe_unknown(out, "dumps.verified", "Dump verified", why);
	probe_unknown(out, "dumps.missed", "Missed slots", why);
}

/* Run the dumps probe. */
void
probe_dumps_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	const struct thresholds *th = &ctx->c->th;
	struct rdir d = { 0 };
	struct err e = { "" };
	struct catalog cat;
	struct cat_slots sl = { 0 };
	const struct cat_dump *last, *prev = NULL;
	int64_t now = clock_wall_ms(), age, warn_s, from;
	char val[320], thr[96], a[32], b[32];
	struct fact *f;
	enum level lv;
	size_t parts;
	int have_cat = 0;

	if (h->dumps == NULL) {
		all_unknown(out, "no dump folder configured (paths.dumps)");
		return;
	}
	if (transport_list(ctx->t, h->dumps, &d, probe_budget(ctx), &e) != 0) {
		all_unknown(out, e.msg);
		goto out;
	}
	if (catalog_build(&d, h->pg.dbname, h->timezone, &ctx->c->schedule,
	    &cat, &e) != 0) {
		all_unknown(out, e.msg);
		goto out;
	}
	have_cat = 1;
	last = catalog_latest(&cat);
	if (last == NULL) {
		snprintf(val, sizeof val, "no dump in %s", h->dumps);
		facts_add(out, "dumps.latest", "Latest dump", LEVEL_CRIT, val,
		    "no file named <db>_YYYY-MM-DD_HH-mm.dump", NULL, now);
		goto out;
	}
	if (cat.n_dumps >= 2)
		prev = &cat.dumps[cat.n_dumps - 2];
	ctx->scratch.have_dump = 1;
	snprintf(ctx->scratch.dump_name, sizeof ctx->scratch.dump_name, "%s",
	    last->name);
	ctx->scratch.dump_size = last->size;
	ctx->scratch.dump_time = last->at;

	facts_add(out, "dumps.latest", "Latest dump", LEVEL_OK, last->name,
	    h->dumps, NULL, now);

	age = (now - last->at) / 1000;
	if (age < 0)
		age = 0;
	warn_s = th->rpo * th->warn_pct / 100;
	lv = age > th->rpo ? LEVEL_CRIT : age > warn_s ? LEVEL_WARN :
	    LEVEL_OK;
	snprintf(thr, sizeof thr, "RPO %s", fmt_duration(th->rpo, b,
	    sizeof b));
	f = facts_add(out, "dumps.age", "Dump age", lv,
	    fmt_duration(age, a, sizeof a), lv == LEVEL_OK ? NULL :
	    "no newer dump: the backup cannot be fresher than this", thr,
	    now);
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

	/* Slots since the oldest dump kept (a new folder has no past to
	 * miss), at most the last 24 h. */
	from = cat.dumps[0].at - CATALOG_SLOT_EARLY;
	if (from < now - 86400000LL)
		from = now - 86400000LL;
	if (catalog_slots(&cat, &ctx->c->schedule, from, now, &sl, &e) != 0) {
		probe_unknown(out, "dumps.missed", "Missed slots", e.msg);
	} else {
		snprintf(val, sizeof val, "%zu of %zu", sl.missed, sl.n);
		f = facts_add(out, "dumps.missed", "Missed slots",
		    sl.missed > 0 ? LEVEL_WARN : LEVEL_OK, val,
		    "backup slots of the last 24 h (since the oldest dump "
		    "kept) without a dump",
		    "0 in 24h", now);
		fact_set_num(f, (double)sl.missed, "");
		f->has_warn_at = 1;
		f->warn_at = 0;
		cat_slots_free(&sl);
	}

	parts = catalog_stale_parts(&cat, now, th->part_age);
	if (parts > 0) {
		snprintf(val, sizeof val, "%zu .part left", parts);
		snprintf(thr, sizeof thr, "none older than %s",
		    fmt_duration(th->part_age, b, sizeof b));
		facts_add(out, "dumps.parts", "Partial files", LEVEL_WARN, val,
		    "a dump or a copy that did not finish: it was never used",
		    thr, now);
	}
out:
	if (have_cat)
		catalog_free(&cat);
	rdir_free(&d);
}
