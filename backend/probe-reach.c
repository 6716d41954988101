/*
 * probe-reach.c: the host answers (its transport opened), the round trip,
 * and the host's clock against the console's.
 *
 * Worker thread of the host; bounded by the budget.
 *
 * Round trip: a stat of the host's state folder through the open session
 * (one request and its answer, no process started on the host).
 *
 * Clock skew: the host prints its UTC epoch ms (`date +%s%3N` on sh,
 * [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() on PowerShell).
 * On sh hosts that read is the first line of the round's batch
 * (probe-batch.c), which reads the clock again at its end: the command's
 * duration D, less the script's own run time R and the round trip, is the
 * far side's shell start-up S, so the host read its clock at
 * sent + rtt/2 + S.  Elsewhere a command of its own: read at sent + D/2.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static const char *const date_sh[] = { "date", "+%s%3N", NULL };
static const char *const date_ps[] = { "powershell", "-NoProfile",
	"-NonInteractive", "-Command",
	"[DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()", NULL };

/* The host's clock by a command of its own; 0 or -1 (why in e). */
static int
clock_by_exec(struct probe_ctx *ctx, int64_t *host_ms, int64_t *read_at,
    struct err *e)
{
	struct exec_result r = { 0 };
	int64_t sent = clock_wall_ms(), t0 = clock_mono_ms(), d;
	long long parsed;
	char *end, how[EXEC_DESCRIBE_MAX];
	int rc = -1;

	if (transport_exec(ctx->t, ctx->h->shell == HOST_SHELL_SH ? date_sh :
	    date_ps, NULL, 0, probe_budget(ctx), &r, e) != 0)
		goto out;
	d = clock_mono_ms() - t0;
	parsed = strtoll(r.out, &end, 10);
	while (*end == '\r' || *end == '\n' || *end == ' ')
		end++;
	if (!exec_ok(&r) || end == r.out || *end != '\0' || parsed <= 0) {
		err_set(e, "cannot read the host's clock (%s)",
		    exec_describe(&r, how, sizeof how));
		goto out;
	}
	*host_ms = parsed;
	*read_at = sent + d / 2;
	rc = 0;
out:
	exec_result_free(&r);
	return rc;
}

/* Run the reach probe. */
void
probe_reach_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct probe_batch *b = &ctx->batch;
	struct rstat st;
	struct err e = { "" };
	char v[64], th[64];
	int64_t now = clock_wall_ms(), t0, rtt, host_ms, read_at, skew_ms, s;
	struct fact *f;
	enum level lv;

	/* The first request of a session may start its file service on
	 * the host: time the second. */
	if (transport_stat(ctx->t, ctx->h->state != NULL ? ctx->h->state :
	    ".", &st, probe_budget(ctx), &e) != 0) {
		probe_unknown(out, "reach.rtt", "Round trip", e.msg);
		probe_unknown(out, "reach.skew", "Clock skew", e.msg);
		return;
	}
	t0 = clock_mono_ms();
	if (transport_stat(ctx->t, ctx->h->state != NULL ? ctx->h->state :
	    ".", &st, probe_budget(ctx), &e) != 0) {
		probe_unknown(out, "reach.rtt", "Round trip", e.msg);
		probe_unknown(out, "reach.skew", "Clock skew", e.msg);
		return;
	}
	rtt = clock_mono_ms() - t0;
	snprintf(v, sizeof v, "%" PRId64 " ms", rtt);
	f = facts_add(out, "reach.rtt", "Round trip", LEVEL_OK, v,
	    "one request over the open session", NULL, now);
	fact_set_num(f, (double)rtt, "ms");

	if (b->ran && b->have_clock) {
		s = b->dur_ms - (b->host_t1 - b->host_t0) - rtt;
		if (s < 0)
			s = 0;
		host_ms = b->host_t0;
		read_at = b->sent_wall + rtt / 2 + s;
	} else if (clock_by_exec(ctx, &host_ms, &read_at, &e) != 0) {
		probe_unknown(out, "reach.skew", "Clock skew", e.msg);
		return;
	}
	skew_ms = host_ms - read_at;
	snprintf(v, sizeof v, "%+.1f s", llabs((long long)skew_ms) < 50 ? 0.0 :
	    (double)skew_ms / 1000.0);
	snprintf(th, sizeof th, "max %" PRId64 "s", ctx->c->th.clock_skew);
	lv = llabs((long long)skew_ms) > ctx->c->th.clock_skew * 1000 ?
	    LEVEL_WARN : LEVEL_OK;
	f = facts_add(out, "reach.skew", "Clock skew", lv, v,
	    lv == LEVEL_OK ? NULL : "the host's clock is off: dump names "
	    "and ages read from it are off by as much", th, now);
	fact_set_num(f, (double)skew_ms / 1000.0, "s");
	f->has_warn_at = 1;
	f->warn_at = (double)ctx->c->th.clock_skew;
}
