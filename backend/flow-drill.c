/*
 * flow-drill.c: the monthly drill (runbook §8): cut the primary off on
 * purpose, fail over, check end to end, heal, cut back, and measure the
 * RTO against its target and the data-loss window against the RPO.
 *
 *   lock, pre-checks (note the data stamps), outage (drill.outage), the
 *   failover steps, the end-to-end checklist, heal (after
 *   drill.duration; drill.heal), the cutback steps, the operator's
 *   notes, the report (reports/drill-YYYY-MM-DD.md|json).
 *
 * Step callbacks run on the engine's worker thread (see flow.h).
 */
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "facts.h"
#include "strv.h"
#include "xmalloc.h"



/* ---- pre-checks ---- */

static int
pre_action(struct flow_ctx *x, struct err *e)
{
	struct host_state ps, bs;
	int64_t at = 0, ep = -1;
	char hhmm[32];
	int rc = -1;

	memset(&ps, 0, sizeof ps);
	memset(&bs, 0, sizeof bs);
	if (!flow_host_retry(x, FH_PRIMARY, flow_probe_ms(x), e) ||
	    !flow_host_retry(x, FH_BACKUP, flow_probe_ms(x), e))
		return err_prefix(e, "a drill starts with both hosts up");
	if (flow_state_read(x, FH_PRIMARY, &ps, e) != 0 ||
	    flow_state_read(x, FH_BACKUP, &bs, e) != 0)
		goto out;
	if (ps.role != HOST_ROLE_PRIMARY || ps.fenced ||
	    bs.role != HOST_ROLE_STANDBY) {
		err_set(e, "a drill starts from the normal roles: %s is %s%s, "
		    "%s is %s", flow_host_name(x, FH_PRIMARY), host_role_name(ps.role),
		    ps.fenced ? " (fenced)" : "", flow_host_name(x, FH_BACKUP),
		    host_role_name(bs.role));
		goto out;
	}
	if (bs.restore_result != NULL && strcmp(bs.restore_result, "ok") != 0)
		flow_out(x, "warning: the backup's last restore: %s",
		    bs.restore_result);
	if (flow_health(x, FH_PRIMARY, 5000, e) != 0 ||
	    flow_sanity(x, FH_BACKUP, e) != 0)
		goto out;
	if (flow_config(x)->public_url != NULL &&
	    flow_wait_public(x, FH_PRIMARY, 10000, e) != 0)
		goto out;
	if (flow_data_stamp(x, FH_PRIMARY, &at, &ep, e) != 0)
		goto out;
	flow_var_set_int(x, "stamp_primary", at);
	flow_var_set_int(x, "stamp_backup", bs.restore_data_time);
	if (bs.restore_data_time > 0)
		flow_hhmm(bs.restore_data_time, clock_wall_ms(), hhmm,
		    sizeof hhmm);
	else
		snprintf(hhmm, sizeof hhmm, "unknown");
	flow_say(x, "both hosts up, roles normal; the backup holds data as "
	    "of %s", hhmm);
	rc = 0;
out:
	host_state_free(&ps);
	host_state_free(&bs);
	return rc;
}

static void
pre_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s, %s: state.json (roles normal), /health, "
	    "sanity queries, the public URL, the data stamps",
	    flow_host_name(x, FH_PRIMARY), flow_host_name(x, FH_BACKUP));
}

static const struct flow_step dr_prechecks = {
	.id = "prechecks",
	.title = "Pre-checks; note the data stamps",
	.section = "§8",
	.why = "A drill starts from a healthy pair; the stamps measure the "
	    "data the drill loses.",
	.timeout_ms = 2 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = pre_action,
	.plan = pre_plan,
};

/* ---- the outage ---- */

static int
outage_check(struct flow_ctx *x, struct err *e)
{
	const struct config *c = flow_config(x);
	char d[32];

	fmt_duration(c->drill.duration, d, sizeof d);
	if (c->drill.outage.n == 0) {
		flow_prompt(x, "done", "Cut %s off now for %s by hand (no "
		    "drill.outage configured; runbook §8: disable its network). "
		    "Type \"done\" when it is cut off", flow_host_name(x, FH_PRIMARY),
		    d);
		return 0;
	}
	flow_prompt(x, NULL, "Cut %s off now for %s (drill.outage)? The RTO "
	    "clock starts", flow_host_name(x, FH_PRIMARY), d);
	return 0;
}

static int
outage_action(struct flow_ctx *x, struct err *e)
{
	const struct config *c = flow_config(x);
	int64_t now = clock_wall_ms();

	if (flow_var(x, "outage_at") == NULL) {
		flow_var_set_int(x, "outage_at", now);
		flow_set_rto_start(x, now);
	}
	if (c->drill.outage.n > 0 && flow_exec_local(x,
	    strv_argv(&c->drill.outage), 2 * 60 * 1000, e) != 0)
		return -1;
	flow_host_lost(x, FH_PRIMARY, "cut off by the drill");
	flow_say(x, "%s cut off; the RTO clock runs", flow_host_name(x, FH_PRIMARY));
	return 0;
}

static void
outage_plan(struct flow_ctx *x, struct buf *b)
{
	const struct config *c = flow_config(x);

	if (c->drill.outage.n > 0)
		flow_plan_local(x, b, strv_argv(&c->drill.outage));
	else
		flow_plan_note(b, "manual: cut the primary off, type \"done\"");
}

static const struct flow_step dr_outage = {
	.id = "outage",
	.title = "Simulate the outage",
	.section = "§8",
	.why = "The primary is cut off as in a real incident; everything "
	    "after runs as a real failover would.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.check = outage_check,
	.action = outage_action,
	.plan = outage_plan,
};

/* ---- the end-to-end checklist ---- */

static int
checklist_action(struct flow_ctx *x, struct err *e)
{
	const struct config *c = flow_config(x);
	long code = 0;

	if (flow_health(x, FH_BACKUP, 5000, e) != 0)
		return -1;
	if (flow_sanity(x, FH_BACKUP, e) != 0)
		return -1;
	if (c->public_url != NULL && flow_wait_public(x, FH_BACKUP, 60000,
	    e) != 0)
		return -1;
	if (c->drill.login_url != NULL) {
		if (flow_http(x, c->drill.login_url, 10000, &code, e) != 0)
			return -1;
		if (code != 200)
			return err_set(e, "%s answered HTTP %ld, expected 200",
			    c->drill.login_url, code);
	}
	if (flow_var(x, "checklist_at") == NULL)
		flow_var_set_int(x, "checklist_at", clock_wall_ms());
	flow_say(x, "end to end: backup /health 200, sanity ok%s%s",
	    c->public_url != NULL ? ", public URL 200" : "",
	    c->drill.login_url != NULL ? ", login URL 200" : "");
	return 0;
}

static void
checklist_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "local: GET the backup's /health, the public URL%s; "
	    "%s: sanity queries", flow_config(x)->drill.login_url != NULL ?
	    ", the login URL" : "", flow_host_name(x, FH_BACKUP));
}

static const struct flow_step dr_checklist = {
	.id = "checklist",
	.title = "End-to-end checklist; the RTO clock stops",
	.section = "§8",
	.why = "Verify end to end what users do: health, data, login.",
	.timeout_ms = 2 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = checklist_action,
	.plan = checklist_plan,
};

/* ---- heal ---- */

static int
heal_action(struct flow_ctx *x, struct err *e)
{
	const struct config *c = flow_config(x);
	int64_t until = flow_var_int(x, "outage_at", clock_wall_ms()) +
	    c->drill.duration * 1000;
	int64_t left = until - clock_wall_ms(), deadline;
	struct err re = { "" };

	if (left > 0) {
		flow_say(x, "the outage lasts %lld s more (drill.duration)",
		    (long long)(left / 1000));
		if (flow_sleep(x, left))
			return err_set(e, "cancelled");
	}
	if (c->drill.heal.n > 0 && flow_exec_local(x,
	    strv_argv(&c->drill.heal), 2 * 60 * 1000, e) != 0)
		return -1;
	deadline = clock_mono_ms() + 60 * 1000;
	while (!flow_host_retry(x, FH_PRIMARY, flow_probe_ms(x), &re)) {
		if (clock_left_ms(deadline) <= 0)
			return err_set(e, "%s does not answer after the heal: "
			    "%s", flow_host_name(x, FH_PRIMARY), re.msg);
		if (flow_sleep(x, 1000))
			return err_set(e, "cancelled");
	}
	flow_var_set_int(x, "healed_at", clock_wall_ms());
	flow_say(x, "%s answers again", flow_host_name(x, FH_PRIMARY));
	return 0;
}

static void
heal_plan(struct flow_ctx *x, struct buf *b)
{
	const struct config *c = flow_config(x);

	flow_plan_note(b, "wait until drill.duration has passed since the "
	    "outage");
	if (c->drill.heal.n > 0)
		flow_plan_local(x, b, strv_argv(&c->drill.heal));
	else
		flow_plan_note(b, "manual: reconnect the primary");
}

static const struct flow_step dr_heal = {
	.id = "heal",
	.title = "End the outage",
	.section = "§8",
	.why = "After drill.duration the primary comes back, as after a real "
	    "repair; the cutback follows.",
	.timeout_ms = 0,
	.on_failure = ONFAIL_ASK,
	.action = heal_action,
	.plan = heal_plan,
};

/* ---- notes ---- */

static int
notes_check(struct flow_ctx *x, struct err *e)
{
	flow_prompt(x, NULL, "Notes for the drill report (one line; empty "
	    "for none)");
	return 0;
}

static int
notes_action(struct flow_ctx *x, struct err *e)
{
	flow_var_set(x, "notes", flow_answer(x));
	flow_say(x, "%s", *flow_answer(x) ? "notes taken" : "no notes");
	return 0;
}

static const struct flow_step dr_notes = {
	.id = "notes",
	.title = "The operator's notes",
	.section = "§8",
	.why = "What the measures do not say: surprises, steps that were "
	    "unclear, what to fix before the next drill.",
	.confirm = CONFIRM_TEXT,
	.timeout_ms = 0,
	.on_failure = ONFAIL_ASK,
	.check = notes_check,
	.action = notes_action,
};

static const struct flow_step *const drill_steps[] = {
	&flow_step_lock,
	&dr_prechecks,
	&dr_outage,
	&fo_exposure,
	&fo_fence,
	&fo_salvage,
	&fo_promote,
	&fo_serve,
	&fo_cutover,
	&fo_verify,
	&dr_checklist,
	&dr_heal,
	&cb_preconditions,
	&cb_stop_primary,
	&cb_newer_data,
	&cb_maintenance,
	&cb_dump,
	&cb_restore,
	&cb_verify_restore,
	&cb_storage,
	&cb_start_primary,
	&cb_cutover,
	&cb_roles,
	&cb_verify_public,
	&dr_notes,
	&fo_report,
};

/* A drill aborted midway: heal first, then the usual safe states. */
static int
safe_heal_check(struct flow_ctx *x, struct err *e)
{
	if (flow_var(x, "outage_at") == NULL ||
	    flow_var(x, "healed_at") != NULL) {
		flow_say(x, "no outage in force");
		return FLOW_SKIP;
	}
	return 0;
}

static int
safe_heal_action(struct flow_ctx *x, struct err *e)
{
	const struct config *c = flow_config(x);

	if (c->drill.heal.n > 0 && flow_exec_local(x,
	    strv_argv(&c->drill.heal), 2 * 60 * 1000, e) != 0)
		return -1;
	flow_var_set_int(x, "healed_at", clock_wall_ms());
	flow_say(x, "outage ended");
	return 0;
}

static const struct flow_step safe_heal = {
	.id = "safe-heal",
	.title = "Safe state: end the drill's outage",
	.section = "§8",
	.why = "An aborted drill must not leave the primary cut off.",
	.timeout_ms = 3 * 60 * 1000,
	.check = safe_heal_check,
	.action = safe_heal_action,
};

static const struct flow_step *const drill_safe[] = {
	&safe_heal,
	&safe_backup_serving,
	&safe_primary_serving,
};

const struct flow_def flow_drill = {
	.name = "drill",
	.summary = "the monthly drill: outage, failover, checks, cutback, "
	    "report",
	.steps = drill_steps,
	.n_steps = sizeof drill_steps / sizeof drill_steps[0],
	.safe = drill_safe,
	.n_safe = sizeof drill_safe / sizeof drill_safe[0],
	.lock_hosts = 1,
	.drill = 1,
};
