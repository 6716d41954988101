/*
 * clock.h: the two clocks.  Wall time (UTC epoch ms) for what is shown and
 * journaled; monotonic ms for deadlines and durations.  Any thread.
 */
#ifndef DRDECK_CLOCK_H
#define DRDECK_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Milliseconds since the Unix epoch, UTC. */
int64_t clock_wall_ms(void);
/* Milliseconds on a monotonic clock (only differences mean anything). */
int64_t clock_mono_ms(void);
/* Milliseconds left until a monotonic deadline (0 when past). */
int64_t clock_left_ms(int64_t deadline_mono_ms);
/* The time ms from now on clock id (CLOCK_MONOTONIC for a condition
 * variable set to it, else CLOCK_REALTIME), as pthread_cond_timedwait
 * takes it. */
void clock_abs_timespec(clockid_t id, int64_t ms, struct timespec *ts);

#endif
