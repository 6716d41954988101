/*
 * rpo.h: how much data the pair would lose now (the exposure) against
 * the RPO.
 *
 * Exposure = now - the data time of the backup's restored copy.  The data
 * time comes, best first, from the data stamp inside the backup's
 * database (written by the primary just before the dump, see design.md),
 * else from the journal (the last restore event naming its dump), else
 * from the name of the restored dump.  Each of these is a time of the
 * primary's clock; when the skew between that clock and the one `now` is
 * read from is known (skew = primary clock - local clock), it is taken
 * off first.  A skew beyond thresholds.clock_skew is a warning of its own.
 *
 * Levels: ok below warn_pct % of the RPO, warn up to the RPO, crit past
 * it, unknown without a data time.  A data time later than now by more
 * than the allowed skew is a warning (the clocks disagree); less than
 * that reads as exposure 0.
 *
 * Next restore: the schedule's daytime slots plus restore_stagger, and
 * the nightly restore, in the backup host's local time (timefmt.h).
 *
 * Pure functions of their inputs (now is a parameter): any thread.
 */
#ifndef DRDECK_RPO_H
#define DRDECK_RPO_H

#include <stdint.h>

#include "config.h"
#include "facts.h"
#include "journal.h"

enum rpo_source {
	RPO_SRC_NONE = 0,
	RPO_SRC_STAMP,		/* the data stamp in the restored database */
	RPO_SRC_JOURNAL,	/* the journal's last restore event */
	RPO_SRC_DUMPNAME,	/* the time in the restored dump's name */
};

struct rpo_input {
	int64_t	 now_ms;	/* wall ms, UTC, of the local clock */
	int64_t	 stamp_ms;	/* 0 = no stamp */
	int64_t	 journal_ms;	/* 0 = nothing in the journal */
	int64_t	 dumpname_ms;	/* 0 = not known */
	int	 has_skew;
	int64_t	 skew_ms;	/* primary clock - local clock */
};

struct rpo_result {
	enum rpo_source source;
	int64_t	 data_ms;	/* data time on the local clock; 0 = none */
	int64_t	 exposure_ms;	/* now - data_ms, >= 0; -1 = unknown */
	enum level level;
	int	 future;	/* the data time is later than now */
	int64_t	 warn_at_ms;	/* when the level turns warn (0 = unknown) */
	int64_t	 breach_at_ms;	/* when the RPO is passed (0 = unknown) */
	int64_t	 next_restore_ms;	/* -1 when the schedule has none */
	int	 next_restore_nightly;
	int	 breach_before_restore;	/* breach_at <= next restore */
	enum level skew_level;	/* ok / warn; unknown without a skew */
	int64_t	 skew_ms;	/* as given (0 without) */
};

/* Everything above from the inputs; tz is the backup host's zone. */
void rpo_assess(const struct rpo_input *in, const struct thresholds *th,
    const struct schedule_cfg *sc, const char *tz, struct rpo_result *out);
/* The level of an exposure (ms) against the thresholds. */
enum level rpo_level(int64_t exposure_ms, const struct thresholds *th);
/* The first scheduled restore strictly after now_ms (-1 when none);
 * *nightly (may be NULL) says whether it is the nightly one. */
int64_t rpo_next_restore(const struct schedule_cfg *sc, const char *tz,
    int64_t now_ms, int *nightly);
/* The first scheduled backup strictly after now_ms (-1 when none). */
int64_t rpo_next_backup(const struct schedule_cfg *sc, const char *tz,
    int64_t now_ms, int *nightly);
/* "stamp", "journal", "dump name", "none". */
const char *rpo_source_name(enum rpo_source s);

/*
 * The data time the journal gives: the newest successful restore event
 * (a runbook "restored NAME" line, or a drdeck event whose action is
 * "restore" / "restored" with rc 0) whose message names a dump of db
 * (a path or a name; the last path element counts).  Its time is the
 * name's, read in zone tz.  0, or -1 when there is none.
 */
int rpo_from_journal(const struct journal_tail *t, const char *db,
    const char *tz, int64_t *data_ms) WUR;

/* Facts "rpo.exposure" and (with a skew) "clock.skew"; tz for display. */
void rpo_facts(const struct rpo_result *r, const struct thresholds *th,
    int64_t now_ms, const char *tz, struct fact_list *out);

#endif
