/*
 * drillhist.h: past drills and the next one due (runbook §8: monthly).
 *
 * The history is the drill reports themselves: every
 * <state_dir>/reports/drill-*.json, read back (report.h).  The next drill
 * is due drill.interval after the last completed one.  drillhist_fact()
 * gives the status a "drill.due" fact: ok while the next drill is ahead,
 * warn when it is overdue or no drill is on record.
 *
 * Local files only; any thread (no shared state).
 */
#ifndef DRDECK_DRILLHIST_H
#define DRDECK_DRILLHIST_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "facts.h"

struct drill_entry {
	char	*path;		/* the .json report */
	char	*id;
	int64_t	 at;		/* wall ms the drill started */
	int	 ok;		/* completed */
	int64_t	 rto_ms;	/* -1 not measured */
	int64_t	 rto_target_ms;
	int64_t	 loss_ms;	/* data-loss window; -1 unknown */
	int64_t	 rpo_ms;
	int	 salvaged;
	char	*notes;
};

struct drill_history {
	struct drill_entry *v;	/* oldest first */
	size_t	 n;
	size_t	 unreadable;	/* reports that did not parse */
	int64_t	 last_ok;	/* wall ms of the last completed drill; 0 */
};

/* Read every drill report of the state folder (none is not an error). */
int drillhist_load(const struct config *c, struct drill_history *h,
    struct err *e) WUR;
void drillhist_free(struct drill_history *h);
/* Wall ms the next drill is due: last completed + interval; 0 = now (no
 * drill on record).  Pure. */
int64_t drillhist_next_due(const struct drill_history *h,
    int64_t interval_ms);
/*
 * For the pair facts of the status: add "drill.due" ("Next drill")
 * to out: LEVEL_OK "due 2026-12-24 (in 29d)", LEVEL_WARN "overdue by 3d"
 * or "no drill on record".  Reads the reports folder (local files only,
 * a few ms).  now_ms is the wall clock.
 */
void drillhist_fact(const struct config *c, int64_t now_ms,
    struct fact_list *out);

#endif
