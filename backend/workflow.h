/*
 * workflow.h: the engine that runs failover, cutback and drill.
 *
 * A flow is a table of steps (flow-*.c).  The engine runs on its own
 * thread, journals the intent before each step and the outcome after it,
 * persists progress in the console's state folder, and publishes its
 * state as a flow_view through the hub.  Operator input reaches it
 * through engine_answer() (a queue); the UI only shows the flow_view.
 * The CLI front end and the console drive the same engine.
 */
#ifndef DRDECK_WORKFLOW_H
#define DRDECK_WORKFLOW_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "hub.h"
#include "journal.h"

struct engine;

struct engine_opts {
	const char *flow;	/* "failover", "cutback", "drill" */
	int	 dry_run;
	const char *yes_to;	/* "all" or "step,step"; NULL: ask */
	int	 resume;	/* resume the interrupted flow */
	int	 abort_interrupted;	/* abort it (runs the safe-state steps) */
	int64_t	 outage_at;	/* wall ms the outage began; 0 = flow start */
};

/* Start a flow on its own thread, publishing to hub (may be NULL). */
int engine_start(const struct config *c, struct hub *hub, struct journal *j,
    const struct engine_opts *o, struct engine **out, struct err *e) WUR;
/* The operator's answer to the current prompt: "y", "n", a typed word,
 * "abort", "wait", "retry", "skip". */
void engine_answer(struct engine *en, const char *text);
/* Abort the flow (Ctrl-C): the running step is cancelled, the current
 * prompt answered "abort", the safe-state steps run.  Any thread. */
void engine_abort(struct engine *en);
/* Wait for the flow to end; returns 0 done, 1 failed / aborted. */
int engine_wait(struct engine *en);
void engine_free(struct engine *en);
/* A copy of the latest flow view (also published to the hub, if any);
 * the caller frees it with flow_view_free().  Any thread. */
void engine_view(struct engine *en, struct flow_view *out);
/* Wait up to timeout_ms for a prompt newer than after_seq (the view's
 * prompt_seq); 1 when one is up, 0 on timeout or when the flow ended. */
int engine_wait_prompt(struct engine *en, uint64_t after_seq,
    int64_t timeout_ms);

/* An interrupted flow in the console's state folder: its name and id. */
int engine_interrupted(const struct config *c, char *flow, size_t flow_len,
    char *id, size_t id_len);

#endif
