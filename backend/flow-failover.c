/*
 * flow-failover.c: the guided failover (runbook §7 and §11): the backup
 * becomes active because the primary is down.
 *
 *   lock, exposure (typed window start), fence (stop the primary's app,
 *   or the operator types that it is down / isolated), salvage (when the
 *   primary's database still answers), promote (typed), serve, cutover,
 *   verify from outside, watch, report.
 *
 * The drill (flow-drill.c) runs the same steps.  Step callbacks run on
 * the engine's worker thread and block on the hosts (see flow.h).
 */
#include "flow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "facts.h"
#include "jobs.h"
#include "report.h"
#include "strv.h"
#include "xmalloc.h"


/* ---- exposure ---- */

static int
exposure_check(struct flow_ctx *x, struct err *e)
{
	struct host_state bs, ps;
	int64_t now = clock_wall_ms(), from = 0, ep = -1;
	char hhmm[32], age[32], at[32];
	int preach;

	if (flow_state_read(x, FH_BACKUP, &bs, e) != 0)
		return err_prefix(e, "the backup must answer for a failover");
	if (bs.role == HOST_ROLE_ACTIVE && flow_var(x, "new_epoch") == NULL) {
		err_set(e, "%s is already active (epoch %lld): the failover "
		    "was done; see `drdeck status`", flow_host_name(x, FH_BACKUP),
		    (long long)bs.epoch);
		host_state_free(&bs);
		return -1;
	}
	flow_var_set_int(x, "backup_epoch", bs.epoch);
	from = bs.restore_data_time;
	if (from <= 0) {
		struct err se = { "" };

		if (flow_data_stamp(x, FH_BACKUP, &from, &ep, &se) != 0)
			flow_out(x, "backup data stamp: %s", se.msg);
	}
	preach = flow_state_read(x, FH_PRIMARY, &ps, e) == 0;
	if (preach) {
		flow_var_set_int(x, "primary_epoch", ps.epoch);
		host_state_free(&ps);
	} else {
		flow_out(x, "%s does not answer: %s", flow_host_name(x, FH_PRIMARY),
		    e->msg);
	}
	err_clear(e);
	flow_var_set_int(x, "primary_reach", preach);
	flow_var_set_int(x, "window_start", from);
	if (from > 0) {
		flow_hhmm(from, now, hhmm, sizeof hhmm);
		fmt_duration((now - from) / 1000, age, sizeof age);
		flow_var_set(x, "window_word", hhmm);
		if (bs.restore_at > 0)
			flow_hhmm(bs.restore_at, now, at, sizeof at);
		else
			snprintf(at, sizeof at, "?");
		flow_say(x, "writes since %s (%s) will be lost; the backup "
		    "restored %s at %s (%s)", hhmm, age,
		    bs.restore_dump != NULL ? bs.restore_dump : "?", at,
		    bs.restore_result != NULL ? bs.restore_result : "?");
		flow_prompt(x, hhmm, "Exposure: writes since %s (%s) will be "
		    "lost%s. The backup restored %s at %s (%s). Type the "
		    "window's start \"%s\" to go on",
		    hhmm, age, preach ? " unless salvaged (offered if the "
		    "primary's database answers)" : "",
		    bs.restore_dump != NULL ? bs.restore_dump : "?", at,
		    bs.restore_result != NULL ? bs.restore_result : "?",
		    hhmm);
	} else {
		flow_var_set(x, "window_word", "unknown");
		flow_say(x, "the backup's data age is unknown (no restore "
		    "recorded, no data stamp)");
		flow_prompt(x, "unknown", "Exposure: the backup's data age is "
		    "UNKNOWN (no restore recorded, no data stamp): everything "
		    "written on the primary since its last restored dump will "
		    "be lost. Type \"unknown\" to go on anyway");
	}
	host_state_free(&bs);
	return 0;
}

static int
exposure_action(struct flow_ctx *x, struct err *e)
{
	flow_say(x, "exposure accepted by %s: writes since %s",
	    "the operator", flow_var(x, "window_word"));
	return 0;
}

static void
exposure_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s, %s: read <state>/state.json (role, epoch, "
	    "last restore); backup: SELECT the newest drdeck.stamp",
	    flow_host_name(x, FH_PRIMARY), flow_host_name(x, FH_BACKUP));
	flow_plan_note(b, "ask: type the exposure window's start (HH:MM)");
}

const struct flow_step fo_exposure = {
	.id = "exposure",
	.title = "Snapshot both hosts; accept the exposure",
	.section = "§11.1",
	.why = "The backup holds the primary's data as of its last restored "
	    "dump: what was written since is lost unless salvaged.",
	.confirm = CONFIRM_TYPED,
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.check = exposure_check,
	.action = exposure_action,
	.plan = exposure_plan,
};

/* ---- fence ---- */

static int
fence_check(struct flow_ctx *x, struct err *e)
{
	struct err re = { "" };

	if (flow_host_retry(x, FH_PRIMARY, flow_probe_ms(x), &re)) {
		const struct host_cfg *hc = flow_host_cfg(x, FH_PRIMARY);
		struct buf names = { 0 };
		size_t i;

		for (i = 0; i < hc->n_services; i++)
			buf_printf(&names, "%s%s", i ? ", " : "",
			    hc->services[i].name);
		flow_var_set(x, "fence_mode", "stop");
		flow_prompt(x, NULL, "%s answers: stop its app services (%s) "
		    "and mark it fenced (its scheduled backup refuses from "
		    "now on)?", hc->name, buf_str(&names));
		buf_free(&names);
		return 0;
	}
	flow_var_set(x, "fence_mode", "typed");
	flow_prompt(x, "down|isolated", "%s does not answer (%s). Type "
	    "\"down\" if it is down, or \"isolated\" if it is cut off and "
	    "cannot serve anyone", flow_host_name(x, FH_PRIMARY), re.msg);
	return 0;
}

static int
fence_action(struct flow_ctx *x, struct err *e)
{
	struct host_state st;
	const char *mode = flow_var(x, "fence_mode");

	if (mode != NULL && strcmp(mode, "typed") == 0) {
		flow_var_set(x, "fence", flow_answer(x));
		flow_say(x, "%s declared %s by the operator (not reachable "
		    "to stop)", flow_host_name(x, FH_PRIMARY), flow_answer(x));
		return 0;
	}
	if (flow_services_stop(x, FH_PRIMARY, e) != 0)
		return -1;
	if (flow_state_read(x, FH_PRIMARY, &st, e) != 0)
		return -1;
	st.fenced = 1;
	if (flow_state_write(x, FH_PRIMARY, &st, e) != 0) {
		host_state_free(&st);
		return -1;
	}
	host_state_free(&st);
	flow_var_set(x, "fence", "stopped");
	flow_say(x, "%s: app stopped, fenced", flow_host_name(x, FH_PRIMARY));
	return 0;
}

static int
fence_verify(struct flow_ctx *x, struct err *e)
{
	const char *mode = flow_var(x, "fence_mode");
	int st;

	if (mode != NULL && strcmp(mode, "typed") == 0)
		return 0;
	st = flow_services_status(x, FH_PRIMARY, e);
	if (st < 0)
		return -1;
	if (st != 0)
		return err_set(e, "%s: app services still running after the "
		    "stop", flow_host_name(x, FH_PRIMARY));
	return 0;
}

static void
fence_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "if %s answers:", flow_host_name(x, FH_PRIMARY));
	flow_plan_services(x, b, FH_PRIMARY, 0);
	flow_plan_note(b, "%s: state.json fenced=true", flow_host_name(x, FH_PRIMARY));
	flow_plan_note(b, "else: the operator types \"down\" or "
	    "\"isolated\"");
}

const struct flow_step fo_fence = {
	.id = "fence",
	.title = "Fence the primary",
	.section = "§7",
	.why = "Two hosts taking writes is split brain: the primary is "
	    "stopped first, or declared down / isolated by the operator.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_BIND,
	.check = fence_check,
	.action = fence_action,
	.verify = fence_verify,
	.plan = fence_plan,
};

/* ---- salvage ---- */

static int
salvage_check(struct flow_ctx *x, struct err *e)
{
	struct err se = { "" };
	char *out = NULL;

	if (flow_host_reachable(x, FH_PRIMARY) != 1 ||
	    flow_sql(x, FH_PRIMARY, "SELECT 1;\n", &out, &se) != 0) {
		free(out);
		flow_say(x, "the primary's database does not answer: nothing "
		    "to salvage");
		return FLOW_SKIP;
	}
	free(out);
	flow_prompt(x, NULL, "%s's database still answers: dump it now, "
	    "ship it and restore it on %s (no data lost)?",
	    flow_host_name(x, FH_PRIMARY), flow_host_name(x, FH_BACKUP));
	return 0;
}

static int
salvage_action(struct flow_ctx *x, struct err *e)
{
	struct job_opts o;
	struct job_result r;
	const char *have = flow_var(x, "salvage_dump");

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.workflow = flow_id(x);
	o.no_lock = 1;
	o.log = flow_job_log;
	o.log_arg = x;
	o.cancel = flow_cancel_flag(x);
	if (have == NULL || *have == '\0') {
		o.host = flow_host_name(x, FH_PRIMARY);
		o.ship_to = flow_host_name(x, FH_BACKUP);
		if (job_backup(flow_config(x), flow_journal(x), &o, &r,
		    e) != 0)
			return err_prefix(e, "salvage dump");
		flow_var_set(x, "salvage_dump", r.dump_name);
		flow_var_set_int(x, "salvage_time", r.data_time);
		have = flow_var(x, "salvage_dump");
	}
	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.workflow = flow_id(x);
	o.no_lock = 1;
	o.log = flow_job_log;
	o.log_arg = x;
	o.cancel = flow_cancel_flag(x);
	o.host = flow_host_name(x, FH_BACKUP);
	o.dump = have;
	if (job_restore(flow_config(x), flow_journal(x), &o, &r, e) != 0)
		return err_prefix(e, "salvage restore");
	flow_var_set_int(x, "window_start", flow_var_int(x, "salvage_time",
	    r.data_time));
	flow_say(x, "salvaged: %s restored on %s (%.1f s): no data lost",
	    have, flow_host_name(x, FH_BACKUP), (double)r.duration_ms / 1000.0);
	return 0;
}

static void
salvage_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "if %s's database answers (psql SELECT 1):",
	    flow_host_name(x, FH_PRIMARY));
	flow_plan_note(b, "job backup on %s (stamp, pg_dump -Fc to .part, "
	    "verify, sha256, ship to %s)", flow_host_name(x, FH_PRIMARY),
	    flow_host_name(x, FH_BACKUP));
	flow_plan_note(b, "job restore on %s of that dump (staged: "
	    "<db>_staging, swap)", flow_host_name(x, FH_BACKUP));
}

const struct flow_step fo_salvage = {
	.id = "salvage",
	.title = "Salvage: dump, ship and restore now",
	.section = "§3",
	.why = "When the primary's database still answers, a dump now loses "
	    "nothing: the window closes to zero.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 10 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_OPTIONAL | STEP_F_BIND,
	.check = salvage_check,
	.action = salvage_action,
	.plan = salvage_plan,
};

/* ---- promote ---- */

static int
promote_check(struct flow_ctx *x, struct err *e)
{
	struct host_state bs;
	int64_t ne = flow_var_int(x, "new_epoch", -1);

	if (flow_state_read(x, FH_BACKUP, &bs, e) != 0)
		return err_prefix(e, "promote needs the backup");
	/* Computed once (a resumed flow writes the same epoch again), and
	 * again when the backup's epoch moved past it meanwhile. */
	if (ne < 0 || (bs.role != HOST_ROLE_ACTIVE && bs.epoch >= ne)) {
		ne = bs.epoch;
		if (flow_var_int(x, "primary_epoch", -1) > ne)
			ne = flow_var_int(x, "primary_epoch", -1);
		ne++;
		flow_var_set_int(x, "new_epoch", ne);
	}
	flow_prompt(x, "promote", "Promote %s: role %s -> active, epoch "
	    "%lld -> %lld; its scheduled restores refuse from now on%s. Type "
	    "\"promote\"", flow_host_name(x, FH_BACKUP), host_role_name(bs.role),
	    (long long)bs.epoch, (long long)ne,
	    flow_host_reachable(x, FH_PRIMARY) == 1 ? " (the primary is "
	    "marked fenced at the same epoch)" : "");
	host_state_free(&bs);
	return 0;
}

static int
promote_action(struct flow_ctx *x, struct err *e)
{
	struct host_state st;
	struct err pe = { "" };
	int64_t ne = flow_var_int(x, "new_epoch", -1);

	if (ne < 0)
		return err_set(e, "no new epoch computed");
	if (flow_state_read(x, FH_BACKUP, &st, e) != 0)
		return -1;
	st.role = HOST_ROLE_ACTIVE;
	st.epoch = ne;
	st.fenced = 0;
	if (flow_state_write(x, FH_BACKUP, &st, e) != 0) {
		host_state_free(&st);
		return -1;
	}
	host_state_free(&st);
	if (flow_host_reachable(x, FH_PRIMARY) == 1) {
		if (flow_state_read(x, FH_PRIMARY, &st, &pe) == 0) {
			st.fenced = 1;
			if (st.epoch < ne)
				st.epoch = ne;
			if (flow_state_write(x, FH_PRIMARY, &st, &pe) != 0)
				flow_out(x, "primary: %s", pe.msg);
			host_state_free(&st);
		} else {
			flow_out(x, "primary: not marked fenced: %s", pe.msg);
		}
	}
	flow_var_set_int(x, "promoted_at", clock_wall_ms());
	flow_say(x, "%s is active at epoch %lld", flow_host_name(x, FH_BACKUP),
	    (long long)ne);
	return 0;
}

static int
promote_verify(struct flow_ctx *x, struct err *e)
{
	struct host_state st;
	int ok;

	if (flow_state_read(x, FH_BACKUP, &st, e) != 0)
		return -1;
	ok = st.role == HOST_ROLE_ACTIVE && st.epoch ==
	    flow_var_int(x, "new_epoch", -1);
	host_state_free(&st);
	if (!ok)
		return err_set(e, "%s: the state file does not read back as "
		    "active at epoch %lld", flow_host_name(x, FH_BACKUP),
		    (long long)flow_var_int(x, "new_epoch", -1));
	return 0;
}

static void
promote_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s: state.json role=active, epoch=max+1",
	    flow_host_name(x, FH_BACKUP));
	flow_plan_note(b, "%s (if reachable): state.json fenced=true at the "
	    "same epoch", flow_host_name(x, FH_PRIMARY));
}

const struct flow_step fo_promote = {
	.id = "promote",
	.title = "Promote the backup",
	.section = "§7",
	.why = "From here the backup takes writes: its role says active and "
	    "its scheduled restore refuses to overwrite them.",
	.confirm = CONFIRM_TYPED,
	.word = "promote",
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_BIND,
	.check = promote_check,
	.action = promote_action,
	.verify = promote_verify,
	.plan = promote_plan,
};

/* ---- serve: services, health, sanity ---- */

int
flow_wait_health(struct flow_ctx *x, enum flow_host h, int64_t ms,
    struct err *e)
{
	int64_t deadline = clock_mono_ms() + ms;

	for (;;) {
		if (flow_health(x, h, 5000, e) == 0)
			return 0;
		if (clock_left_ms(deadline) <= 0 || flow_sleep(x, 1000))
			return -1;
	}
}

static int
serve_action(struct flow_ctx *x, struct err *e)
{
	if (flow_services_start(x, FH_BACKUP, e) != 0)
		return -1;
	if (flow_wait_health(x, FH_BACKUP, 60 * 1000, e) != 0)
		return -1;
	if (flow_sanity(x, FH_BACKUP, e) != 0)
		return -1;
	flow_say(x, "%s serves: app running, /health 200, %zu sanity "
	    "queries ok", flow_host_name(x, FH_BACKUP),
	    flow_host_cfg(x, FH_BACKUP)->pg.sanity.n);
	return 0;
}

static int
serve_verify(struct flow_ctx *x, struct err *e)
{
	int st = flow_services_status(x, FH_BACKUP, e);

	if (st < 0)
		return -1;
	if (st != 1)
		return err_set(e, "%s: not every app service runs",
		    flow_host_name(x, FH_BACKUP));
	flow_var_set_int(x, "served_at", clock_wall_ms());
	return 0;
}

static void
serve_plan(struct flow_ctx *x, struct buf *b)
{
	const struct host_cfg *hc = flow_host_cfg(x, FH_BACKUP);

	flow_plan_services(x, b, FH_BACKUP, 1);
	if (hc != NULL)
		flow_plan_note(b, "local: GET %s (until 200)",
		    hc->health_url != NULL ? hc->health_url : "(no URL)");
	if (hc != NULL && hc->pg.sanity.n > 0)
		flow_plan_note(b, "%s: psql: %zu sanity queries", hc->name,
		    hc->pg.sanity.n);
}

const struct flow_step fo_serve = {
	.id = "serve",
	.title = "Start the backup's app; health and sanity",
	.section = "§6",
	.why = "Backend first, then the web server; /health must answer 200 "
	    "and the sanity queries return rows before traffic comes.",
	.confirm = CONFIRM_NONE,
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_RETRY,
	.retries = 1,
	.action = serve_action,
	.verify = serve_verify,
	.plan = serve_plan,
};

/* ---- cutover ---- */

static int
cutover_check(struct flow_ctx *x, struct err *e)
{
	if (flow_is_drill(x) && flow_config(x)->cutover_to_backup.n == 0) {
		flow_prompt(x, NULL, "Drill: no cutover hook is configured; "
		    "cut over by hand now and answer y when done, or n to "
		    "skip the cutover in this drill");
		return 0;
	}
	flow_cutover_prompt(x, FH_BACKUP);
	return 0;
}

static int
cutover_action(struct flow_ctx *x, struct err *e)
{
	if (flow_cutover_run(x, FH_BACKUP, e) != 0)
		return -1;
	flow_var_set_int(x, "cutover_at", clock_wall_ms());
	return 0;
}

static void
cutover_plan(struct flow_ctx *x, struct buf *b)
{
	flow_cutover_plan(x, b, FH_BACKUP);
}

const struct flow_step fo_cutover = {
	.id = "cutover",
	.title = "Cut traffic over to the backup",
	.section = "§7.2",
	.why = "Users reach the pair by a public name or address; it must "
	    "point at the backup now.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 5 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_OPTIONAL,
	.check = cutover_check,
	.action = cutover_action,
	.plan = cutover_plan,
};

/* ---- verify from outside ---- */

int
flow_wait_public(struct flow_ctx *x, enum flow_host h, int64_t ms,
    struct err *e)
{
	const char *url = flow_config(x)->public_url;
	int64_t deadline = clock_mono_ms() + ms;
	long code = 0;

	if (url == NULL || *url == '\0')
		return flow_wait_health(x, h, ms, e);
	for (;;) {
		if (flow_http(x, url, 5000, &code, e) == 0 && code == 200)
			return 0;
		if (code != 0)
			err_set(e, "%s answered HTTP %ld, expected 200", url,
			    code);
		if (clock_left_ms(deadline) <= 0 || flow_sleep(x, 1000))
			return -1;
	}
}

static int
verify_action(struct flow_ctx *x, struct err *e)
{
	const char *url = flow_config(x)->public_url;

	if (flow_wait_public(x, FH_BACKUP, 2 * 60 * 1000, e) != 0)
		return -1;
	flow_var_set_int(x, "verified_at", clock_wall_ms());
	flow_say(x, "%s answers 200 from outside", url != NULL ? url :
	    "the backup's /health");
	return 0;
}

static void
verify_plan(struct flow_ctx *x, struct buf *b)
{
	const char *url = flow_config(x)->public_url;

	flow_plan_note(b, "local: GET %s (until 200, up to 2 min)",
	    url != NULL ? url : "(no public_url: the backup's /health)");
}

const struct flow_step fo_verify = {
	.id = "verify",
	.title = "Verify from outside",
	.section = "§11.3",
	.why = "What users see: the public health URL must answer 200 "
	    "through the new path.",
	.confirm = CONFIRM_NONE,
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = verify_action,
	.plan = verify_plan,
};

/* ---- watch ---- */

static int
count_5xx(struct flow_ctx *x, long *n)
{
	const char *log = flow_config(x)->access_log;
	const struct host_cfg *hc = flow_host_cfg(x, FH_BACKUP);
	struct exec_result r;
	struct err e = { "" };
	const char *argv[] = { "sh", "-c",
	    "tail -n 2000 \"$1\" | awk '$9 ~ /^5[0-9][0-9]$/ { n++ } "
	    "END { print n + 0 }'", "sh", log, NULL };

	*n = -1;
	if (log == NULL || hc == NULL || hc->shell != HOST_SHELL_SH)
		return -1;
	if (flow_exec(x, FH_BACKUP, argv, NULL, 15000, &r, &e) != 0) {
		exec_result_free(&r);
		return -1;
	}
	*n = strtol(r.out != NULL ? r.out : "-1", NULL, 10);
	exec_result_free(&r);
	return 0;
}

static int
watch_action(struct flow_ctx *x, struct err *e)
{
	const struct config *c = flow_config(x);
	int64_t period = c->watch > 0 ? c->watch * 1000 : 5 * 60 * 1000;
	int64_t every = period / 6, deadline;
	long code, n5 = -1, n5_first = -1;
	int rounds = 0, ok = 0, bad_in_row = 0, conns_min = -1, conns_max = -1;
	char *out = NULL, d[32];
	struct err we = { "" };

	if (every > 10000)
		every = 10000;
	if (every < 1000)
		every = 1000;
	deadline = clock_mono_ms() + period;
	(void)count_5xx(x, &n5_first);
	while (clock_left_ms(deadline) > 0) {
		rounds++;
		code = 0;
		if (c->public_url != NULL) {
			if (flow_http(x, c->public_url, 5000, &code,
			    &we) == 0 && code == 200)
				ok++, bad_in_row = 0;
			else
				bad_in_row++;
		} else if (flow_health(x, FH_BACKUP, 5000, &we) == 0) {
			ok++, bad_in_row = 0;
		} else {
			bad_in_row++;
		}
		if (flow_sql(x, FH_BACKUP, "SELECT count(*) FROM "
		    "pg_stat_activity WHERE datname = current_database();\n",
		    &out, &we) == 0 && out != NULL) {
			int n = atoi(out);

			if (conns_min < 0 || n < conns_min)
				conns_min = n;
			if (n > conns_max)
				conns_max = n;
		}
		free(out);
		out = NULL;
		flow_say(x, "watching: health %d/%d ok, db connections %d-%d",
		    ok, rounds, conns_min, conns_max);
		if (bad_in_row >= 3)
			return err_set(e, "health failed 3 times in a row: %s",
			    we.msg);
		if (flow_sleep(x, every))
			return err_set(e, "cancelled");
	}
	(void)count_5xx(x, &n5);
	fmt_duration(period / 1000, d, sizeof d);
	if (n5 >= 0 && n5_first >= 0)
		flow_say(x, "watched %s: health %d/%d ok, 5xx %ld, db "
		    "connections %d-%d", d, ok, rounds, n5 - n5_first,
		    conns_min, conns_max);
	else
		flow_say(x, "watched %s: health %d/%d ok, db connections "
		    "%d-%d%s", d, ok, rounds, conns_min, conns_max,
		    c->access_log == NULL ? " (no access_log configured: no "
		    "5xx count)" : "");
	if (ok * 2 < rounds)
		return err_set(e, "health failed in %d of %d rounds",
		    rounds - ok, rounds);
	return 0;
}

static void
watch_plan(struct flow_ctx *x, struct buf *b)
{
	char d[32];

	fmt_duration(flow_config(x)->watch, d, sizeof d);
	flow_plan_note(b, "for %s: GET the public health URL, count 5xx in "
	    "the access log, count DB connections on %s", d,
	    flow_host_name(x, FH_BACKUP));
}

const struct flow_step fo_watch = {
	.id = "watch",
	.title = "Watch the new primary",
	.section = "§11.3",
	.why = "The first minutes show what a single check misses: "
	    "failing health, 5xx answers, connections piling up.",
	.confirm = CONFIRM_NONE,
	.timeout_ms = 0,	/* set from config.watch: see the engine */
	.on_failure = ONFAIL_ASK,
	.action = watch_action,
	.plan = watch_plan,
};

/* ---- report ---- */

static int
report_action(struct flow_ctx *x, struct err *e)
{
	char *path = NULL;

	if (report_write(x, &path, e) != 0)
		return -1;
	flow_set_report_path(x, path);
	flow_say(x, "report: %s", path);
	free(path);
	return 0;
}

static void
report_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "local: write <state_dir>/reports/%s-DATE.md and "
	    ".json", flow_is_drill(x) ? "drill" : "FLOW");
}

const struct flow_step fo_report = {
	.id = "report",
	.title = "Write the report",
	.section = "§11.4",
	.why = "What happened, when, and how long it took: for the people "
	    "told about the incident, and for the next review.",
	.confirm = CONFIRM_NONE,
	.timeout_ms = 30 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = report_action,
	.plan = report_plan,
};

/* ---- safe states ---- */

static int
safe_backup_check(struct flow_ctx *x, struct err *e)
{
	struct host_state st;
	int active;

	if (flow_state_read(x, FH_BACKUP, &st, e) != 0)
		return -1;
	active = st.role == HOST_ROLE_ACTIVE;
	host_state_free(&st);
	if (!active) {
		flow_say(x, "%s is not active: nothing to keep serving",
		    flow_host_name(x, FH_BACKUP));
		return FLOW_SKIP;
	}
	return 0;
}

static int
safe_backup_action(struct flow_ctx *x, struct err *e)
{
	struct err pe = { "" };

	/* The active backup serves; the primary must not. */
	if (flow_host_retry(x, FH_PRIMARY, flow_probe_ms(x), &pe) &&
	    flow_services_stop(x, FH_PRIMARY, &pe) != 0)
		flow_out(x, "primary: %s", pe.msg);
	if (flow_services_start(x, FH_BACKUP, e) != 0)
		return -1;
	if (flow_wait_health(x, FH_BACKUP, 30 * 1000, e) != 0)
		return -1;
	flow_say(x, "%s (active) serves; %s's app is stopped where it "
	    "answers", flow_host_name(x, FH_BACKUP), flow_host_name(x, FH_PRIMARY));
	return 0;
}

const struct flow_step safe_backup_serving = {
	.id = "safe-backup-serving",
	.title = "Safe state: the active backup serves",
	.section = "§7",
	.why = "Once promoted, the backup holds the newest writes: it keeps "
	    "serving and the primary stays stopped.",
	.timeout_ms = 3 * 60 * 1000,
	.check = safe_backup_check,
	.action = safe_backup_action,
};

static int
safe_primary_check(struct flow_ctx *x, struct err *e)
{
	struct host_state bs, ps;
	int bactive;

	if (flow_state_read(x, FH_BACKUP, &bs, e) == 0) {
		bactive = bs.role == HOST_ROLE_ACTIVE;
		host_state_free(&bs);
		if (bactive) {
			flow_say(x, "the backup is active: the primary stays "
			    "stopped");
			return FLOW_SKIP;
		}
	} else {
		flow_say(x, "the backup does not answer (%s): the primary "
		    "is the only one that can serve", e->msg);
	}
	if (!flow_host_retry(x, FH_PRIMARY, flow_probe_ms(x), e)) {
		flow_say(x, "the primary does not answer: nothing to do");
		return FLOW_SKIP;
	}
	if (flow_state_read(x, FH_PRIMARY, &ps, e) != 0)
		return -1;
	host_state_free(&ps);
	return 0;
}

static int
safe_primary_action(struct flow_ctx *x, struct err *e)
{
	struct host_state st;

	if (flow_state_read(x, FH_PRIMARY, &st, e) != 0)
		return -1;
	if (st.fenced || st.role != HOST_ROLE_PRIMARY) {
		st.fenced = 0;
		st.role = HOST_ROLE_PRIMARY;
		if (flow_state_write(x, FH_PRIMARY, &st, e) != 0) {
			host_state_free(&st);
			return -1;
		}
	}
	host_state_free(&st);
	if (flow_services_start(x, FH_PRIMARY, e) != 0)
		return -1;
	if (flow_wait_health(x, FH_PRIMARY, 30 * 1000, e) != 0)
		return -1;
	flow_say(x, "%s serves again (unfenced); %s stays standby",
	    flow_host_name(x, FH_PRIMARY), flow_host_name(x, FH_BACKUP));
	return 0;
}

const struct flow_step safe_primary_serving = {
	.id = "safe-primary-serving",
	.title = "Safe state: the primary serves",
	.section = "§7",
	.why = "Before the backup was promoted the primary still holds every "
	    "write: unfence it and start its app.",
	.timeout_ms = 3 * 60 * 1000,
	.check = safe_primary_check,
	.action = safe_primary_action,
};

static const struct flow_step *const failover_steps[] = {
	&flow_step_lock,
	&fo_exposure,
	&fo_fence,
	&fo_salvage,
	&fo_promote,
	&fo_serve,
	&fo_cutover,
	&fo_verify,
	&fo_watch,
	&fo_report,
};

static const struct flow_step *const failover_safe[] = {
	&safe_backup_serving,
	&safe_primary_serving,
};

const struct flow_def flow_failover = {
	.name = "failover",
	.summary = "the primary is down: the backup becomes active",
	.steps = failover_steps,
	.n_steps = sizeof failover_steps / sizeof failover_steps[0],
	.safe = failover_safe,
	.n_safe = sizeof failover_safe / sizeof failover_safe[0],
	.lock_hosts = 1,
};
