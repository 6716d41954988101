/*
 * flow.h: what a flow is made of, and what its steps may use.
 *
 * A flow (flow-failover.c, flow-cutback.c, flow-drill.c) is a table of
 * steps; the engine (workflow.c) runs it as a state machine:
 *
 *   pending -> check -> confirm -> running -> verify -> done
 *                 |        |          |         |
 *                 skip     n/abort    failed ----+-> retry | abort | skip
 *
 * A step's callbacks run on a worker thread that the engine supervises
 * (past the step's timeout the step shows STEP_STILL_RUNNING and the
 * operator may wait or abort; abort sets ctx->cancel, which every
 * transport call and job of the step honours).  Callbacks may block on
 * the network; they never print and never prompt: what they have to say
 * goes to flow_say() (the step's message) and flow_out() (the output
 * tail, journaled with the outcome).
 *
 * On abort the engine runs the flow's safe-state steps (flow_def.safe):
 * each checks the LIVE state of the hosts and brings the pair to a state
 * where one side serves (so they are right after a kill -9 too).
 *
 * Every action is idempotent: after a kill -9 the step that was running
 * is run again on resume.  Values a step computes once (the new epoch,
 * the window start) are kept in flow variables, persisted with the
 * progress file.
 */
#ifndef DRDECK_FLOW_H
#define DRDECK_FLOW_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "journal.h"
#include "state.h"
#include "transport.h"

struct flow_ctx;

enum confirm_kind {
	CONFIRM_NONE = 0,
	CONFIRM_YES,		/* y / n */
	CONFIRM_TYPED,		/* a typed word (destructive steps) */
	CONFIRM_TEXT,		/* free text (the drill's notes) */
};

enum on_failure {
	ONFAIL_ASK = 0,		/* retry / skip / abort, the operator says */
	ONFAIL_RETRY,		/* retry up to `retries` times, then ask */
	ONFAIL_ABORT,		/* abort the flow (safe-state steps run) */
};

/* What check() returns besides 0 (go on) and -1 (precondition failed). */
#define FLOW_SKIP 1

/* Step flags. */
#define STEP_F_OPTIONAL	0x01	/* "n" at the confirmation skips the step */
#define STEP_F_BIND	0x02	/* re-read the hosts after the answer: if
				   roles, epochs or reachability changed,
				   ask again */
#define STEP_F_NOLOCK	0x04	/* runs before the locks are taken */

struct flow_step {
	const char *id;		/* "fence"; --yes-to names it */
	const char *title;
	const char *section;	/* the runbook section: "§7.2" */
	const char *why;	/* one or two lines for the operator */
	enum confirm_kind confirm;
	const char *word;	/* CONFIRM_TYPED: the word, unless prompt()
				   sets one */
	int64_t	 timeout_ms;	/* expected time; past it: still running */
	enum on_failure on_failure;
	int	 retries;	/* ONFAIL_RETRY: automatic retries */
	unsigned flags;
	/* Precondition, and what the prompt needs: 0 go on, FLOW_SKIP
	 * (flow_say() says why), -1 failed.  May be NULL. */
	int	(*check)(struct flow_ctx *, struct err *);
	/* The prompt text and word (flow_prompt()); NULL: a default
	 * "Run <title>?" and `word`. */
	void	(*prompt)(struct flow_ctx *);
	int	(*action)(struct flow_ctx *, struct err *);
	int	(*verify)(struct flow_ctx *, struct err *);
	/* --dry-run and the runner: the exact commands per host
	 * (flow_plan_cmd()); may be NULL. */
	void	(*plan)(struct flow_ctx *, struct buf *);
};

struct flow_def {
	const char *name;
	const char *summary;
	const struct flow_step *const *steps;
	size_t	 n_steps;
	const struct flow_step *const *safe;	/* run on abort */
	size_t	 n_safe;
	int	 lock_hosts;	/* take the lock on both hosts first */
	int	 drill;		/* drill mode (cutover optional, report) */
	void	*user;		/* for the steps (flow_user()); tests */
};

/* The flows (flow_table[] is NULL-terminated). */
extern const struct flow_def flow_failover;
extern const struct flow_def flow_cutback;
extern const struct flow_def flow_drill;
extern const struct flow_def *const flow_table[];
const struct flow_def *flow_find(const char *name);

/*
 * Start a given table (workflow.h's engine_start finds it by name).  The
 * unit tests run scripted tables through this.
 */
struct engine;
struct engine_opts;
struct hub;
int engine_start_def(const struct config *c, struct hub *hub,
    struct journal *j, const struct flow_def *def,
    const struct engine_opts *o, struct engine **out, struct err *e) WUR;

/* ---- what steps use (flow-common.c, workflow.c) ---- */

enum flow_host { FH_PRIMARY = 0, FH_BACKUP = 1 };
#define FH_N 2

const struct config *flow_config(const struct flow_ctx *x);
const struct host_cfg *flow_host_cfg(const struct flow_ctx *x,
    enum flow_host h);
/* Host h's configured name ("primary" / "backup" when it has none). */
const char *flow_host_name(const struct flow_ctx *x, enum flow_host h);
/* The probe timeout in ms (config probe_timeout; 5 s when unset). */
int64_t flow_probe_ms(const struct flow_ctx *x);
/* A job_log_cb (jobs.h) writing a job's lines to the step's output; its
 * argument is the struct flow_ctx. */
void flow_job_log(void *arg, const char *line);
/* The cutover toward host `to` (runbook §7.2 / §7.4): the configured hook
 * (cutover.to_backup / to_primary), or a manual swap the operator
 * confirms by typing "done".  prompt asks, run acts, plan describes. */
void flow_cutover_prompt(struct flow_ctx *x, enum flow_host to);
int flow_cutover_run(struct flow_ctx *x, enum flow_host to,
    struct err *e) WUR;
void flow_cutover_plan(struct flow_ctx *x, struct buf *b, enum flow_host to);
struct journal *flow_journal(const struct flow_ctx *x);
const char *flow_id(const struct flow_ctx *x);
int flow_is_drill(const struct flow_ctx *x);
int flow_is_dry_run(const struct flow_ctx *x);
volatile int *flow_cancel_flag(struct flow_ctx *x);
/* Wall ms of the RTO clock's start (outage or flow start). */
int64_t flow_rto_start(const struct flow_ctx *x);
void flow_set_rto_start(struct flow_ctx *x, int64_t wall_ms);
/* Test hook: the opaque pointer given with the scripted table. */
void *flow_user(const struct flow_ctx *x);

/* The step's outcome line (replaces) and output tail (appends). */
void flow_say(struct flow_ctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);
void flow_out(struct flow_ctx *x, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The prompt of the current step; word NULL for y/n.  A word of the form
 * "down|isolated" accepts either. */
void flow_prompt(struct flow_ctx *x, const char *word, const char *fmt, ...)
    PRINTF_LIKE(3, 4);
/* The operator's answer to the last prompt (typed word, notes). */
const char *flow_answer(const struct flow_ctx *x);

/* Flow variables, persisted with the progress (strings). */
void flow_var_set(struct flow_ctx *x, const char *key, const char *val);
void flow_var_set_int(struct flow_ctx *x, const char *key, int64_t v);
const char *flow_var(const struct flow_ctx *x, const char *key);
int64_t flow_var_int(const struct flow_ctx *x, const char *key, int64_t def);
/* Each variable in order (for the report); NULL past the end. */
const char *flow_var_at(const struct flow_ctx *x, size_t i,
    const char **val);

/* Per-step results so far (for the report). */
struct flow_step_result {
	const char *id;
	const char *title;
	const char *section;
	const char *state;	/* "done", "failed", "skipped", "pending" */
	int64_t	 duration_ms;
	int64_t	 started_at;	/* wall ms; 0 never started */
	const char *message;
};
size_t flow_n_results(const struct flow_ctx *x);
void flow_result(const struct flow_ctx *x, size_t i,
    struct flow_step_result *out);
/* Set by the report step; shown by the runner. */
void flow_set_report_path(struct flow_ctx *x, const char *path);

/*
 * The host's transport, opened on first use (NULL when it does not
 * answer; e says why).  A host found unreachable is not dialled again by
 * this call until flow_host_retry() (a hung host costs one timeout, not
 * one per step).
 */
struct transport *flow_host(struct flow_ctx *x, enum flow_host h,
    struct err *e);
/* Dial again (closing a cached transport first); 1 reachable, 0 not. */
int flow_host_retry(struct flow_ctx *x, enum flow_host h, int64_t timeout_ms,
    struct err *e);
/* 1 reachable (opened and answered), 0 not, -1 not tried yet. */
int flow_host_reachable(const struct flow_ctx *x, enum flow_host h);
/* A call found the host gone: close it, mark it unreachable. */
void flow_host_lost(struct flow_ctx *x, enum flow_host h, const char *why);
/* The lock step took host h's lock (released when the flow ends). */
void flow_locked(struct flow_ctx *x, enum flow_host h);

/*
 * Run argv on host h; the command and its output tail go to the step's
 * output.  0 when it ran and exited 0; -1 otherwise (e says how it
 * ended).  r may be NULL; when given the caller frees it.
 */
int flow_exec(struct flow_ctx *x, enum flow_host h, const char *const *argv,
    const char *stdin_data, int64_t timeout_ms, struct exec_result *r,
    struct err *e) WUR;
/* Run argv on this machine (hooks, the drill's outage / heal). */
int flow_exec_local(struct flow_ctx *x, const char *const *argv,
    int64_t timeout_ms, struct err *e) WUR;

/* The services of host h: stop and start (in the configured order, as the
 * runbook's §6 and the jobs do), or
 * status: 1 all running, 0 none running, 2 some; -1 unknown. */
int flow_services_stop(struct flow_ctx *x, enum flow_host h,
    struct err *e) WUR;
int flow_services_start(struct flow_ctx *x, enum flow_host h,
    struct err *e) WUR;
int flow_services_status(struct flow_ctx *x, enum flow_host h,
    struct err *e);

/* SQL on host h's database through psql on that host; out (may be NULL)
 * gets the unaligned rows.  0 ok, -1 failed. */
int flow_sql(struct flow_ctx *x, enum flow_host h, const char *sql,
    char **out, struct err *e) WUR;
/* The configured sanity queries of host h: each must return a row. */
int flow_sanity(struct flow_ctx *x, enum flow_host h, struct err *e) WUR;
/* The newest data stamp in host h's database (wall ms) and its epoch
 * (-1 when the stamp has none); 0 when there is no stamp. */
int flow_data_stamp(struct flow_ctx *x, enum flow_host h, int64_t *at,
    int64_t *epoch, struct err *e) WUR;

/* HTTP GET url from this machine; *status the HTTP code (0: no answer). */
int flow_http(struct flow_ctx *x, const char *url, int64_t timeout_ms,
    long *status, struct err *e) WUR;
/* Host h's /health (through a tunnel when configured): 200 or -1. */
int flow_health(struct flow_ctx *x, enum flow_host h, int64_t timeout_ms,
    struct err *e) WUR;

/* The host's state file (read fresh) / written. */
int flow_state_read(struct flow_ctx *x, enum flow_host h,
    struct host_state *st, struct err *e) WUR;
int flow_state_write(struct flow_ctx *x, enum flow_host h,
    const struct host_state *st, struct err *e) WUR;

/* Host h's /health 200 within ms (polled each second). */
int flow_wait_health(struct flow_ctx *x, enum flow_host h, int64_t ms,
    struct err *e) WUR;
/* The public URL (else host h's /health) 200 within ms. */
int flow_wait_public(struct flow_ctx *x, enum flow_host h, int64_t ms,
    struct err *e) WUR;

/* Sleep up to ms; 1 when cancelled. */
int flow_sleep(struct flow_ctx *x, int64_t ms);

/* One line of the plan: "primary$ 'systemctl' 'stop' 'x'". */
void flow_plan_cmd(struct flow_ctx *x, struct buf *b, enum flow_host h,
    const char *const *argv);
void flow_plan_local(struct flow_ctx *x, struct buf *b,
    const char *const *argv);
void flow_plan_services(struct flow_ctx *x, struct buf *b, enum flow_host h,
    int start);
void flow_plan_note(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* "09:00" (today) or "2026-11-24 09:00" of wall ms, this machine's zone. */
void flow_hhmm(int64_t wall_ms, int64_t now_ms, char *buf, size_t len);

/* Steps shared by flows. */
extern const struct flow_step flow_step_lock;

/* Failover steps (the drill runs them too). */
extern const struct flow_step fo_exposure, fo_fence, fo_salvage,
    fo_promote, fo_serve, fo_cutover, fo_verify, fo_watch, fo_report;
/* Cutback steps (the drill runs them too). */
extern const struct flow_step cb_preconditions, cb_stop_primary,
    cb_newer_data, cb_maintenance, cb_dump, cb_restore, cb_verify_restore,
    cb_storage, cb_start_primary, cb_cutover, cb_roles, cb_verify_public;
/* Safe-state steps. */
extern const struct flow_step safe_backup_serving, safe_primary_serving;

#endif
