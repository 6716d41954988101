/*
 * probe-disk.c: free space of the volumes holding the dump folder and the
 * storage folders.  The dump folder must hold the next dump: free below
 * the latest dump's size is crit (it cannot fit), below size x
 * dump_size_factor or below min_disk_free is warn.  A storage folder
 * below min_disk_free is warn.
 *
 * Worker thread of the host; one bounded call per folder.
 */
#include "probe.h"

#include <stdio.h>

#include "clock.h"

static void
one(struct probe_ctx *ctx, struct fact_list *out, const char *path,
    const char *key, const char *label, int is_dumps)
{
	const struct thresholds *th = &ctx->c->th;
	struct err e = { "" };
	uint64_t fr = 0, total = 0, need = th->min_disk_free, next = 0;
	int64_t now = clock_wall_ms();
	char v[96], thr[96], a[32], b[32], d[160];
	enum level lv = LEVEL_OK;
	struct fact *f;

	if (transport_free_space(ctx->t, path, &fr, &total, probe_budget(ctx),
	    &e) != 0) {
		probe_unknown(out, key, label, e.msg);
		return;
	}
	if (is_dumps && ctx->scratch.have_dump) {
		next = ctx->scratch.dump_size;
		if ((uint64_t)(next * th->dump_size_factor) > need)
			need = (uint64_t)(next * th->dump_size_factor);
	}
	if (is_dumps && next > 0 && fr < next)
		lv = LEVEL_CRIT;
	else if (fr < need)
		lv = LEVEL_WARN;
	snprintf(v, sizeof v, "%s free (%.0f%%)", fmt_bytes(fr, a, sizeof a),
	    total > 0 ? 100.0 * (double)fr / (double)total : 0.0);
	if (is_dumps && next > 0 && need > th->min_disk_free)
		snprintf(thr, sizeof thr, "need %s (%.1f x dump)",
		    fmt_bytes(need, b, sizeof b), th->dump_size_factor);
	else
		snprintf(thr, sizeof thr, "min %s", fmt_bytes(need, b,
		    sizeof b));
	snprintf(d, sizeof d, "%s%s", path, lv == LEVEL_CRIT ?
	    ": the next dump does not fit" : lv == LEVEL_WARN ?
	    ": below what is needed" : "");
	f = facts_add(out, key, label, lv, v, d, thr, now);
	fact_set_num(f, (double)fr, "B");
	f->has_warn_at = 1;
	f->warn_at = (double)need;
	if (next > 0) {
		f->has_crit_at = 1;
		f->crit_at = (double)next;
	}
}

/* Run the disk probe. */
void
probe_disk_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	char key[96], part[64], label[96];
	size_t i;

	if (h->dumps != NULL)
		one(ctx, out, h->dumps, "disk.dumps", "Disk (dumps)", 1);
	for (i = 0; i < h->storage.n; i++) {
		probe_key_part(h->storage.v[i], part, sizeof part);
		snprintf(key, sizeof key, "disk.%s", part);
		snprintf(label, sizeof label, "Disk (%s)", part);
		one(ctx, out, h->storage.v[i], key, label, 0);
	}
}
