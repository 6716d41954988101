/*
 * statusalert.h: `drdeck status --alert`, for cron every few minutes.
 *
 * The pair's level (the worst of both hosts and the pair facts) is kept
 * in <state_dir>/status-alert.json (mode 0600):
 *   {"version":1, "level":"crit", "since":"...Z", "alerted_at":"...Z"}
 * An alert goes out once per change of that level (worse, better) and on
 * recovery to ok; nothing while it stays the same.  The first run with no
 * state alerts only when the level is not ok.  When sending fails the
 * state is not updated, so the next run tries again.  A pipeline that
 * silently stopped shows up here too: its facts (dump age, exposure)
 * cross the RPO and the level changes.
 */
#ifndef DRDECK_STATUSALERT_H
#define DRDECK_STATUSALERT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "facts.h"
#include "hub.h"
#include "out.h"

enum sa_action {
	SA_NONE = 0,		/* same level: nothing */
	SA_RECORD,		/* first run, all ok: keep it silently */
	SA_WORSE,		/* alert: the level got worse */
	SA_BETTER,		/* alert: better, not yet ok */
	SA_RECOVERED,		/* alert: back to ok */
};

struct sa_state {
	int	 have;		/* a state was read */
	enum level level;
	int64_t	 since;		/* wall ms the level began */
	int64_t	 alerted_at;	/* wall ms of the last alert; 0 none */
};

/* Pure: what to do when the stored state is prev and the level now cur. */
enum sa_action statusalert_decide(const struct sa_state *prev,
    enum level cur);
const char *statusalert_action_name(enum sa_action a);
/* Pure: parse / format the state file. */
int statusalert_parse(const char *json, size_t len, struct sa_state *st,
    struct err *e) WUR;
char *statusalert_format(const struct sa_state *st);

/* The whole --alert step: read the state, decide, send (alert.h), write
 * the state.  *action says what was decided; *sent whether a message
 * went out (then e->msg names a channel that failed, as alert_send). */
int statusalert_run(const struct config *c, const struct snapshot *s,
    const struct out_opts *o, enum sa_action *action, int *sent,
    struct err *e) WUR;

#endif
