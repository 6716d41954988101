/*
 * probe-reach.c: the host answers (its transport opened), the round trip
 * of a small command, and the host's clock against the console's.
 *
 * Worker thread of the host; blocks in one exec, bounded by the budget.
 * Clock skew: the host prints its UTC epoch ms (`date +%s%3N` on sh,
 * [DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds() on PowerShell); it
 * read its clock about half the round trip after we sent the command, so
 * skew = host_ms - (sent_wall + rtt / 2).
 */
#include "probe.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

static const char *const date_sh[] = { "date", "+%s%3N", NULL };
static const char *const date_ps[] = { "powershell", "-NoProfile",
	"-NonInteractive", "-Command",
	"[DateTimeOffset]::UtcNow.ToUnixTimeMilliseconds()", NULL };

/* Run the reach probe. */
void
probe_reach_run(struct probe_ctx *ctx, struct fact_list *out)
{
	struct exec_result r = { 0 };
	struct err e = { "" };
	char v[64], th[64], d[128];
	int64_t sent_wall, t0, rtt, host_ms, skew_ms, now;
	long long parsed;
	char *end;
	struct fact *f;
	enum level lv;

	now = clock_wall_ms();
	sent_wall = now;
	t0 = clock_mono_ms();
	if (transport_exec(ctx->t, ctx->h->shell == HOST_SHELL_SH ? date_sh :
	    date_ps, NULL, 0, probe_budget(ctx), &r, &e) != 0) {
		probe_unknown(out, "reach.rtt", "Round trip", e.msg);
		probe_unknown(out, "reach.skew", "Clock skew", e.msg);
		goto out;
	}
	rtt = clock_mono_ms() - t0;
	snprintf(v, sizeof v, "%" PRId64 " ms", rtt);
	f = facts_add(out, "reach.rtt", "Round trip", LEVEL_OK, v,
	    "a small command over the host's transport", NULL, now);
	fact_set_num(f, (double)rtt, "ms");

	parsed = strtoll(r.out, &end, 10);
	while (*end == '\r' || *end == '\n' || *end == ' ')
		end++;
	if (!exec_ok(&r) || end == r.out || *end != '\0' || parsed <= 0) {
		exec_describe(&r, d, sizeof d);
		snprintf(v, sizeof v, "cannot read the host's clock (%s)", d);
		probe_unknown(out, "reach.skew", "Clock skew", v);
		goto out;
	}
	host_ms = (int64_t)parsed;
	skew_ms = host_ms - (sent_wall + rtt / 2);
	snprintf(v, sizeof v, "%+.1f s", (double)skew_ms / 1000.0);
	snprintf(th, sizeof th, "max %" PRId64 "s", ctx->c->th.clock_skew);
	lv = llabs((long long)skew_ms) > ctx->c->th.clock_skew * 1000 ?
	    LEVEL_WARN : LEVEL_OK;
	f = facts_add(out, "reach.skew", "Clock skew", lv, v,
	    lv == LEVEL_OK ? NULL : "the host's clock is off: dump names "
	    "and ages read from it are off by as much", th, now);
	fact_set_num(f, (double)skew_ms / 1000.0, "s");
out:
	exec_result_free(&r);
}
