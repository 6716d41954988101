/*
 * pairfacts.h: facts about the pair, made from both hosts' facts.
 *
 *   pair.split_brain  two hosts claim to serve (role active, or primary
 *                     and not fenced): crit, with both epochs
 *   pair.env          the .env hashes differ: crit
 *   pair.conf         config files that differ, listed: warn
 *   pair.storage      storage drift (counts differ, or the backup's newest
 *                     file lags the primary's by more than storage_lag): warn
 *   pair.shipped      the primary's latest dump is in the backup's folder
 *                     and verified there: warn when not (after a grace)
 * A pair fact whose inputs are unknown is unknown.  Pure, any thread.
 */
#ifndef DRDECK_PAIRFACTS_H
#define DRDECK_PAIRFACTS_H

#include "config.h"
#include "facts.h"
#include "hub.h"

/* Append the pair facts of snapshot s (hosts named as in c) to out. */
void pairfacts_compute(const struct config *c, const struct snapshot *s,
    int64_t now_ms, struct fact_list *out);
/* The worst effective level of everything in s: both hosts and the pair. */
enum level pairfacts_level(const struct snapshot *s, int64_t now_ms,
    int64_t period_ms);

#endif
