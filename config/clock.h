/*
 * clock.h: the two clocks.  Wall time (UTC epoch ms) for what is shown and
 * journaled; monotonic ms for deadlines and durations.  Any thread.
 */
#ifndef DRDECK_CLOCK_H
#define DRDECK_CLOCK_H

#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC. */
int64_t clock_wall_ms(void);
/* Milliseconds on a monotonic clock (only differences mean anything). */
int64_t clock_mono_ms(void);
/* Milliseconds left until a monotonic deadline (0 when past). */
int64_t clock_left_ms(int64_t deadline_mono_ms);

#endif
