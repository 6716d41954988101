/*
 * flow-cutback.c: the guided cutback (runbook §7.4 and §11.5): the
 * primary serves again with everything the active backup took.
 *
 *   lock, preconditions (primary answers, no split brain), stop the
 *   primary's app if it came back running, refuse when the primary holds
 *   newer data (typed override), maintenance window (stop the backup's
 *   app), dump the backup and ship it, staged restore on the primary
 *   (typed), verify, storage parity, start the primary, cut over back,
 *   roles back (epoch + 1), verify from outside, report with the
 *   downtime.
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
#include "strv.h"
#include "xmalloc.h"

/* Stamps are compared with this slack (clocks, rounding). */
#define STAMP_SLACK_MS	1000


/* ---- preconditions ---- */

static int
pre_check(struct flow_ctx *x, struct err *e)
{
	struct host_state bs, ps;
	struct err re = { "" };
	int rc = -1;

	memset(&bs, 0, sizeof bs);
	memset(&ps, 0, sizeof ps);
	if (!flow_host_retry(x, FH_PRIMARY, flow_probe_ms(x), &re))
		return err_set(e, "%s does not answer (%s): cutback needs it",
		    flow_host_name(x, FH_PRIMARY), re.msg);
	if (flow_state_read(x, FH_BACKUP, &bs, e) != 0)
		return err_prefix(e, "cutback needs the backup");
	if (flow_state_read(x, FH_PRIMARY, &ps, e) != 0)
		goto out;
	if (bs.role != HOST_ROLE_ACTIVE && flow_var(x, "cb_epoch") == NULL) {
		err_set(e, "%s is %s, not active: there is nothing to cut "
		    "back", flow_host_name(x, FH_BACKUP), host_role_name(bs.role));
		goto out;
	}
	if (ps.role == HOST_ROLE_ACTIVE || (bs.role == HOST_ROLE_ACTIVE &&
	    !ps.fenced && ps.epoch > bs.epoch)) {
		err_set(e, "split brain: %s is %s at epoch %lld%s and %s is "
		    "%s at epoch %lld; reconcile the data by hand first "
		    "(runbook §7 note)", flow_host_name(x, FH_PRIMARY),
		    host_role_name(ps.role), (long long)ps.epoch,
		    ps.fenced ? " (fenced)" : "", flow_host_name(x, FH_BACKUP),
		    host_role_name(bs.role), (long long)bs.epoch);
		goto out;
	}
	flow_var_set_int(x, "backup_epoch", bs.epoch);
	flow_var_set_int(x, "primary_epoch", ps.epoch);
	if (flow_var(x, "base_time") == NULL)
		flow_var_set_int(x, "base_time", bs.restore_data_time);
	flow_say(x, "%s active at epoch %lld; %s %s at epoch %lld%s",
	    flow_host_name(x, FH_BACKUP), (long long)bs.epoch, flow_host_name(x, FH_PRIMARY),
	    host_role_name(ps.role), (long long)ps.epoch, ps.fenced ?
	    ", fenced" : "");
	rc = 0;
out:
	host_state_free(&bs);
	host_state_free(&ps);
	return rc;
}

static int
pre_action(struct flow_ctx *x, struct err *e)
{
	return 0;
}

static void
pre_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s, %s: read state.json: the backup active, the "
	    "primary answering and not active (no split brain)",
	    flow_host_name(x, FH_PRIMARY), flow_host_name(x, FH_BACKUP));
}

const struct flow_step cb_preconditions = {
	.id = "preconditions",
	.title = "Preconditions: primary back, no split brain",
	.section = "§11.5",
	.why = "Cutback restores the backup's data onto the primary: both must "
	    "answer and only the backup may have taken writes.",
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.check = pre_check,
	.action = pre_action,
	.plan = pre_plan,
};

/* ---- stop the primary's app if it came back ---- */

static int
stopp_check(struct flow_ctx *x, struct err *e)
{
	int st = flow_services_status(x, FH_PRIMARY, e);

	if (st < 0)
		return -1;
	if (st == 0) {
		flow_say(x, "%s's app is stopped", flow_host_name(x, FH_PRIMARY));
		return FLOW_SKIP;
	}
	flow_prompt(x, NULL, "%s's app runs (it came back with the host): "
	    "stop it, so that only %s serves?", flow_host_name(x, FH_PRIMARY),
	    flow_host_name(x, FH_BACKUP));
	return 0;
}

static int
stopp_action(struct flow_ctx *x, struct err *e)
{
	struct host_state st;

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
	flow_say(x, "%s: app stopped, fenced", flow_host_name(x, FH_PRIMARY));
	return 0;
}

static int
stopp_verify(struct flow_ctx *x, struct err *e)
{
	int st = flow_services_status(x, FH_PRIMARY, e);

	if (st < 0)
		return -1;
	return st == 0 ? 0 : err_set(e, "%s: app still running",
	    flow_host_name(x, FH_PRIMARY));
}

static void
stopp_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "if %s's app runs:", flow_host_name(x, FH_PRIMARY));
	flow_plan_services(x, b, FH_PRIMARY, 0);
}

const struct flow_step cb_stop_primary = {
	.id = "stop-primary",
	.title = "Stop the primary's app if it runs",
	.section = "§6",
	.why = "A primary that came back may start its app by itself: two "
	    "hosts serving is split brain.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_BIND,
	.check = stopp_check,
	.action = stopp_action,
	.verify = stopp_verify,
	.plan = stopp_plan,
};

/* ---- never backwards ---- */

static int
newer_check(struct flow_ctx *x, struct err *e)
{
	int64_t pat = 0, pep = -1, base = flow_var_int(x, "base_time", 0);
	int64_t bep = flow_var_int(x, "backup_epoch", -1), now;
	char a[32], b[32];
	int newer;

	if (flow_data_stamp(x, FH_PRIMARY, &pat, &pep, e) != 0)
		return err_prefix(e, "reading the primary's data stamp");
	now = clock_wall_ms();
	newer = (base > 0 && pat > base + STAMP_SLACK_MS) ||
	    (pep >= 0 && bep >= 0 && pep >= bep);
	flow_var_set_int(x, "primary_stamp", pat);
	if (!newer) {
		if (pat > 0)
			flow_hhmm(pat, now, a, sizeof a);
		else
			snprintf(a, sizeof a, "none");
		if (base > 0)
			flow_hhmm(base, now, b, sizeof b);
		else
			snprintf(b, sizeof b, "unknown");
		flow_say(x, "the primary's newest stamp (%s) is not newer than "
		    "the backup's base (%s): nothing on it is lost by the "
		    "restore", a, b);
		flow_var_set(x, "newer", "0");
		return FLOW_SKIP;
	}
	flow_hhmm(pat, now, a, sizeof a);
	if (base > 0)
		flow_hhmm(base, now, b, sizeof b);
	else
		snprintf(b, sizeof b, "unknown");
	flow_var_set(x, "newer", "1");
	flow_prompt(x, "override", "REFUSED: %s holds data newer than what %s "
	    "started from: its stamp %s%s vs the backup's base %s (epoch "
	    "%lld). Restoring would destroy it. Reconcile first, or type "
	    "\"override\" to restore over it anyway", flow_host_name(x, FH_PRIMARY),
	    flow_host_name(x, FH_BACKUP), a, pep >= 0 ? " (with an epoch)" : "", b,
	    (long long)bep);
	return 0;
}

static int
newer_action(struct flow_ctx *x, struct err *e)
{
	flow_var_set(x, "override", "1");
	flow_say(x, "the operator overrode the newer-data refusal");
	return 0;
}

static void
newer_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s: SELECT the newest drdeck.stamp; refuse when "
	    "newer than the backup's base (typed \"override\")",
	    flow_host_name(x, FH_PRIMARY));
}

const struct flow_step cb_newer_data = {
	.id = "newer-data",
	.title = "Refuse if the primary holds newer data",
	.section = "§7.4",
	.why = "Cutback never goes backwards: a primary that took writes "
	    "after the failover would lose them.",
	.confirm = CONFIRM_TYPED,
	.word = "override",
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.check = newer_check,
	.action = newer_action,
	.plan = newer_plan,
};

/* ---- the maintenance window ---- */

static int
maint_check(struct flow_ctx *x, struct err *e)
{
	flow_prompt(x, NULL, "Stop the app on %s (active) now? The "
	    "maintenance window starts: nobody is served until %s is up",
	    flow_host_name(x, FH_BACKUP), flow_host_name(x, FH_PRIMARY));
	return 0;
}

static int
maint_action(struct flow_ctx *x, struct err *e)
{
	if (flow_var(x, "maint_at") == NULL)
		flow_var_set_int(x, "maint_at", clock_wall_ms());
	if (flow_services_stop(x, FH_BACKUP, e) != 0)
		return -1;
	flow_say(x, "%s's app stopped: downtime runs", flow_host_name(x, FH_BACKUP));
	return 0;
}

static int
maint_verify(struct flow_ctx *x, struct err *e)
{
	int st = flow_services_status(x, FH_BACKUP, e);

	if (st < 0)
		return -1;
	return st == 0 ? 0 : err_set(e, "%s: app still running",
	    flow_host_name(x, FH_BACKUP));
}

static void
maint_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_services(x, b, FH_BACKUP, 0);
}

const struct flow_step cb_maintenance = {
	.id = "maintenance",
	.title = "Maintenance window: stop the backup's app",
	.section = "§6",
	.why = "The dump must hold every write: nothing may write to the "
	    "backup while it is taken.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_BIND,
	.check = maint_check,
	.action = maint_action,
	.verify = maint_verify,
	.plan = maint_plan,
};

/* ---- dump and ship ---- */

static int
dump_action(struct flow_ctx *x, struct err *e)
{
	struct job_opts o;
	struct job_result r;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.host = flow_host_name(x, FH_BACKUP);
	o.ship_to = flow_host_name(x, FH_PRIMARY);
	o.workflow = flow_id(x);
	o.no_lock = 1;
	o.log = flow_job_log;
	o.log_arg = x;
	o.cancel = flow_cancel_flag(x);
	if (job_backup(flow_config(x), flow_journal(x), &o, &r, e) != 0)
		return -1;
	flow_var_set(x, "cb_dump", r.dump_name);
	flow_var_set_int(x, "cb_dump_time", r.data_time);
	flow_say(x, "dumped %s on %s and shipped it to %s", r.dump_name,
	    flow_host_name(x, FH_BACKUP), flow_host_name(x, FH_PRIMARY));
	return 0;
}

static void
dump_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "job backup on %s (stamp, pg_dump -Fc to .part, "
	    "verify, sha256), ship to %s", flow_host_name(x, FH_BACKUP),
	    flow_host_name(x, FH_PRIMARY));
}

const struct flow_step cb_dump = {
	.id = "dump",
	.title = "Dump the backup and ship it to the primary",
	.section = "§3.1",
	.why = "The backup holds every write since the failover; its dump is "
	    "what the primary will serve.",
	.timeout_ms = 15 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = dump_action,
	.plan = dump_plan,
};

/* ---- staged restore on the primary ---- */

static int
restore_check(struct flow_ctx *x, struct err *e)
{
	const char *d = flow_var(x, "cb_dump");

	if (d == NULL || *d == '\0')
		return err_set(e, "no dump made in this cutback (the dump step "
		    "did not run)");
	flow_prompt(x, "restore", "Restore %s onto %s (staged into "
	    "<db>_staging, then swapped; the old database is kept as "
	    "<db>_prev). Type \"restore\"", d, flow_host_name(x, FH_PRIMARY));
	return 0;
}

static int
restore_action(struct flow_ctx *x, struct err *e)
{
	struct job_opts o;
	struct job_result r;

	memset(&o, 0, sizeof o);
	memset(&r, 0, sizeof r);
	o.host = flow_host_name(x, FH_PRIMARY);
	o.dump = flow_var(x, "cb_dump");
	o.ignore_role = 1;
	o.workflow = flow_id(x);
	o.no_lock = 1;
	o.log = flow_job_log;
	o.log_arg = x;
	o.cancel = flow_cancel_flag(x);
	if (job_restore(flow_config(x), flow_journal(x), &o, &r, e) != 0)
		return -1;
	flow_say(x, "restored %s on %s in %.1f s (switch %lld ms)",
	    o.dump, flow_host_name(x, FH_PRIMARY), (double)r.duration_ms / 1000.0,
	    (long long)r.switch_ms);
	return 0;
}

static void
restore_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "job restore on %s of that dump (ignore role; "
	    "staged into <db>_staging, checks, rename swap)",
	    flow_host_name(x, FH_PRIMARY));
}

const struct flow_step cb_restore = {
	.id = "restore",
	.title = "Staged restore on the primary",
	.section = "§3.2",
	.why = "The primary's database is replaced by the backup's: staged, "
	    "so a failure leaves it as it was.",
	.confirm = CONFIRM_TYPED,
	.word = "restore",
	.timeout_ms = 15 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_BIND,
	.check = restore_check,
	.action = restore_action,
	.plan = restore_plan,
};

/* ---- verify the restore ---- */

static int
vrestore_action(struct flow_ctx *x, struct err *e)
{
	int64_t at = 0, ep = -1, want = flow_var_int(x, "cb_dump_time", 0);
	char a[32], w[32];

	if (flow_data_stamp(x, FH_PRIMARY, &at, &ep, e) != 0)
		return -1;
	if (want > 0 && (at < want - STAMP_SLACK_MS || at > want +
	    STAMP_SLACK_MS)) {
		flow_hhmm(at, clock_wall_ms(), a, sizeof a);
		flow_hhmm(want, clock_wall_ms(), w, sizeof w);
		return err_set(e, "%s's data stamp is %s, the dump's %s: the "
		    "restored database is not that dump", flow_host_name(x,
		    FH_PRIMARY), a, w);
	}
	if (flow_sanity(x, FH_PRIMARY, e) != 0)
		return -1;
	flow_say(x, "%s holds the dump's data (stamp matches), sanity ok",
	    flow_host_name(x, FH_PRIMARY));
	return 0;
}

static void
vrestore_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s: SELECT the newest drdeck.stamp (= the dump's) "
	    "and the sanity queries", flow_host_name(x, FH_PRIMARY));
}

const struct flow_step cb_verify_restore = {
	.id = "verify-restore",
	.title = "Verify the primary's data",
	.section = "§9",
	.why = "The stamp in the restored database must be the dump's: the "
	    "primary now holds what the backup held.",
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = vrestore_action,
	.plan = vrestore_plan,
};

/* ---- storage parity ---- */

static int
storage_sum(struct flow_ctx *x, enum flow_host h, const char *dir,
    long long *files, long long *bytes, struct err *e)
{
	const char *argv[] = { "sh", "-c",
	    "find \"$1\" -type f -printf '%s\\n' | awk '{ n++; s += $1 } "
	    "END { print n + 0, s + 0 }'", "sh", dir, NULL };
	struct exec_result r;
	int rc;

	if (flow_exec(x, h, argv, NULL, 120 * 1000, &r, e) != 0) {
		exec_result_free(&r);
		return -1;
	}
	rc = sscanf(r.out != NULL ? r.out : "", "%lld %lld", files, bytes) == 2
	    ? 0 : err_set(e, "%s: could not count %s", flow_host_name(x, h), dir);
	exec_result_free(&r);
	return rc;
}

static int
storage_action(struct flow_ctx *x, struct err *e)
{
	const struct host_cfg *p = flow_host_cfg(x, FH_PRIMARY);
	const struct host_cfg *b = flow_host_cfg(x, FH_BACKUP);
	struct buf diff = { 0 };
	size_t i, n;
	long long pf, pb, bf, bb;

	if (p->shell != HOST_SHELL_SH || b->shell != HOST_SHELL_SH) {
		flow_say(x, "storage parity on these hosts: see `drdeck "
		    "status` (storage facts)");
		return 0;
	}
	n = p->storage.n < b->storage.n ? p->storage.n : b->storage.n;
	for (i = 0; i < n; i++) {
		if (storage_sum(x, FH_PRIMARY, p->storage.v[i], &pf, &pb,
		    e) != 0 || storage_sum(x, FH_BACKUP, b->storage.v[i], &bf,
		    &bb, e) != 0) {
			buf_free(&diff);
			return -1;
		}
		if (pf != bf || pb != bb)
			buf_printf(&diff, "%s%s: %lld files / %lld bytes vs "
			    "%lld / %lld", diff.len ? "; " : "",
			    p->storage.v[i], pf, pb, bf, bb);
	}
	if (diff.len > 0) {
		err_set(e, "storage differs (primary vs backup): %s; let the "
		    "file sync catch up, then retry (or skip knowingly)",
		    buf_str(&diff));
		buf_free(&diff);
		return -1;
	}
	buf_free(&diff);
	flow_say(x, "storage folders equal on both hosts (%zu compared)", n);
	return 0;
}

static void
storage_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s, %s: count files and bytes of each storage "
	    "folder; they must be equal", flow_host_name(x, FH_PRIMARY),
	    flow_host_name(x, FH_BACKUP));
}

const struct flow_step cb_storage = {
	.id = "storage",
	.title = "Storage parity",
	.section = "§5",
	.why = "Files written on the backup since the failover must be on the "
	    "primary before it serves (the database refers to them).",
	.timeout_ms = 5 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = storage_action,
	.plan = storage_plan,
};

/* ---- start the primary ---- */

static int
startp_action(struct flow_ctx *x, struct err *e)
{
	if (flow_services_start(x, FH_PRIMARY, e) != 0)
		return -1;
	if (flow_wait_health(x, FH_PRIMARY, 60 * 1000, e) != 0)
		return -1;
	if (flow_sanity(x, FH_PRIMARY, e) != 0)
		return -1;
	flow_say(x, "%s's app runs, /health 200", flow_host_name(x, FH_PRIMARY));
	return 0;
}

static void
startp_plan(struct flow_ctx *x, struct buf *b)
{
	const struct host_cfg *hc = flow_host_cfg(x, FH_PRIMARY);

	flow_plan_services(x, b, FH_PRIMARY, 1);
	if (hc != NULL)
		flow_plan_note(b, "local: GET %s (until 200)",
		    hc->health_url != NULL ? hc->health_url : "(no URL)");
}

const struct flow_step cb_start_primary = {
	.id = "start-primary",
	.title = "Start the primary's app; health",
	.section = "§6",
	.why = "Backend first, then the web server; /health 200 before "
	    "traffic comes back.",
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_RETRY,
	.retries = 1,
	.action = startp_action,
	.plan = startp_plan,
};

/* ---- cut over back ---- */

static int
cutback_hook_check(struct flow_ctx *x, struct err *e)
{
	flow_cutover_prompt(x, FH_PRIMARY);
	return 0;
}

static int
cutback_hook_action(struct flow_ctx *x, struct err *e)
{
	return flow_cutover_run(x, FH_PRIMARY, e);
}

static void
cutback_hook_plan(struct flow_ctx *x, struct buf *b)
{
	flow_cutover_plan(x, b, FH_PRIMARY);
}

const struct flow_step cb_cutover = {
	.id = "cutover-back",
	.title = "Cut traffic over back to the primary",
	.section = "§7.4",
	.why = "The public name or address points at the primary again.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 5 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.check = cutback_hook_check,
	.action = cutback_hook_action,
	.plan = cutback_hook_plan,
};

/* ---- roles back ---- */

static int
roles_check(struct flow_ctx *x, struct err *e)
{
	struct host_state bs, ps;
	int64_t ne = flow_var_int(x, "cb_epoch", -1);

	if (flow_state_read(x, FH_BACKUP, &bs, e) != 0)
		return -1;
	if (flow_state_read(x, FH_PRIMARY, &ps, e) != 0) {
		host_state_free(&bs);
		return -1;
	}
	if (ne < 0) {
		ne = (bs.epoch > ps.epoch ? bs.epoch : ps.epoch) + 1;
		flow_var_set_int(x, "cb_epoch", ne);
	}
	flow_prompt(x, NULL, "Roles back: %s -> standby (its scheduled "
	    "restores resume), %s -> primary (unfenced), epoch %lld on "
	    "both?", flow_host_name(x, FH_BACKUP), flow_host_name(x, FH_PRIMARY),
	    (long long)ne);
	host_state_free(&bs);
	host_state_free(&ps);
	return 0;
}

static int
roles_action(struct flow_ctx *x, struct err *e)
{
	struct host_state st;
	struct err se = { "" };
	int64_t ne = flow_var_int(x, "cb_epoch", -1);

	if (flow_state_read(x, FH_PRIMARY, &st, e) != 0)
		return -1;
	st.role = HOST_ROLE_PRIMARY;
	st.epoch = ne;
	st.fenced = 0;
	if (flow_state_write(x, FH_PRIMARY, &st, e) != 0) {
		host_state_free(&st);
		return -1;
	}
	host_state_free(&st);
	if (flow_state_read(x, FH_BACKUP, &st, e) != 0)
		return -1;
	st.role = HOST_ROLE_STANDBY;
	st.epoch = ne;
	st.fenced = 0;
	if (flow_state_write(x, FH_BACKUP, &st, e) != 0) {
		host_state_free(&st);
		return -1;
	}
	host_state_free(&st);
	/* A standby runs its app as after a scheduled restore (§2.1). */
	if (flow_services_start(x, FH_BACKUP, &se) != 0)
		flow_out(x, "%s: %s", flow_host_name(x, FH_BACKUP), se.msg);
	flow_say(x, "%s primary, %s standby (app started), epoch %lld",
	    flow_host_name(x, FH_PRIMARY), flow_host_name(x, FH_BACKUP), (long long)ne);
	return 0;
}

static void
roles_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "%s: state.json role=primary fenced=false "
	    "epoch+1; %s: role=standby epoch+1", flow_host_name(x, FH_PRIMARY),
	    flow_host_name(x, FH_BACKUP));
	flow_plan_services(x, b, FH_BACKUP, 1);
}

const struct flow_step cb_roles = {
	.id = "roles",
	.title = "Roles back: primary and standby",
	.section = "§7.4",
	.why = "The backup restores on schedule again; a new epoch marks the "
	    "change on both hosts.",
	.confirm = CONFIRM_YES,
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.flags = STEP_F_BIND,
	.check = roles_check,
	.action = roles_action,
	.plan = roles_plan,
};

/* ---- verify from outside ---- */

static int
vpublic_action(struct flow_ctx *x, struct err *e)
{
	char d[32];
	int64_t from = flow_var_int(x, "maint_at", 0), now;

	if (flow_wait_public(x, FH_PRIMARY, 2 * 60 * 1000, e) != 0)
		return -1;
	now = clock_wall_ms();
	flow_var_set_int(x, "primary_served_at", now);
	if (from > 0)
		flow_say(x, "served from outside again; downtime %s",
		    fmt_duration((now - from) / 1000, d, sizeof d));
	else
		flow_say(x, "served from outside again");
	return 0;
}

static void
vpublic_plan(struct flow_ctx *x, struct buf *b)
{
	const char *url = flow_config(x)->public_url;

	flow_plan_note(b, "local: GET %s (until 200)", url != NULL ? url :
	    "(no public_url: the primary's /health)");
}

const struct flow_step cb_verify_public = {
	.id = "verify-public",
	.title = "Verify from outside; the downtime ends",
	.section = "§11.3",
	.why = "What users see: the public health URL answers 200 from the "
	    "primary.",
	.timeout_ms = 3 * 60 * 1000,
	.on_failure = ONFAIL_ASK,
	.action = vpublic_action,
	.plan = vpublic_plan,
};

static const struct flow_step *const cutback_steps[] = {
	&flow_step_lock,
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
	&fo_report,
};

static const struct flow_step *const cutback_safe[] = {
	&safe_backup_serving,
	&safe_primary_serving,
};

const struct flow_def flow_cutback = {
	.name = "cutback",
	.summary = "the primary is back: it serves again with the backup's "
	    "data",
	.steps = cutback_steps,
	.n_steps = sizeof cutback_steps / sizeof cutback_steps[0],
	.safe = cutback_safe,
	.n_safe = sizeof cutback_safe / sizeof cutback_safe[0],
	.lock_hosts = 1,
};
