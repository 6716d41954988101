/*
 * probe-role.c: the host's live role, epoch and lock, from its state
 * file and lock file (state.h).  Two hosts claiming to serve is a pair
 * fact (pairfacts.c), made from the facts left here.
 *
 * Worker thread of the host; bounded reads through its transport.  The
 * state read is kept in the round's scratch for the restore probe.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "clock.h"

#define LOCK_OLD_MS	(2 * 3600 * 1000LL)

/* Run the role probe. */
void
probe_role_run(struct probe_ctx *ctx, struct fact_list *out)
{
	struct probe_scratch *s = &ctx->scratch;
	struct host_lock l = { 0 };
	struct err e = { "" };
	int64_t now = clock_wall_ms();
	char v[96], d[400];
	struct fact *f;
	enum level lv;

	if (state_read(ctx->t, &s->state, probe_budget(ctx), &e) != 0) {
		snprintf(s->state_err, sizeof s->state_err, "%s", e.msg);
		probe_unknown(out, "role", "Role", e.msg);
		probe_unknown(out, "role.epoch", "Epoch", e.msg);
	} else {
		s->have_state = 1;
		snprintf(v, sizeof v, "%s%s", host_role_name(s->state.role),
		    s->state.fenced ? " (fenced)" : "");
		snprintf(d, sizeof d, "%s",
		    s->state.updated_by != NULL ? s->state.updated_by :
		    "no state file yet: the configured kind");
		facts_add(out, "role", "Role", LEVEL_OK, v, d, NULL, now);
		snprintf(v, sizeof v, "%" PRId64, s->state.epoch);
		f = facts_add(out, "role.epoch", "Epoch", LEVEL_OK, v,
		    "increases with every failover and cutback", NULL, now);
		fact_set_num(f, (double)s->state.epoch, "");
	}
	if (lock_read(ctx->t, &l, probe_budget(ctx), &e) != 0) {
		probe_unknown(out, "role.lock", "Lock", e.msg);
		return;
	}
	lock_describe(&l, d, sizeof d);
	lv = LEVEL_OK;
	if (l.held && (lock_is_stale(&l) || now - l.since > LOCK_OLD_MS))
		lv = LEVEL_WARN;
	snprintf(v, sizeof v, "%s%s%s", l.held ? "held for " : "free",
	    l.held && l.what != NULL ? l.what : "",
	    lv == LEVEL_WARN ? " (stale?)" : "");
	facts_add(out, "role.lock", "Lock", lv, v, l.held ? d : NULL,
	    l.held ? "warn when older than 2h or its holder is gone" : NULL,
	    now);
	host_lock_free(&l);
}
