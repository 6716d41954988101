/*
 * out-common.c: what the renderers share: the overall level.
 * Pure, any thread.
 */
#include "out.h"

#include "pairfacts.h"

/* Worst effective level of the snapshot. */
enum level
out_level(const struct snapshot *s, const struct out_opts *o)
{
	return pairfacts_level(s, o->now_ms, o->period_ms);
}
