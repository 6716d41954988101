/*
 * clock.c: wall and monotonic clocks (POSIX clock_gettime; on Windows the
 * mingw runtime provides the same call).  Any thread.
 */
#include "clock.h"

#include <time.h>

int64_t
clock_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
clock_left_ms(int64_t deadline_mono_ms)
{
	int64_t left = deadline_mono_ms - clock_mono_ms();

	return left > 0 ? left : 0;
}

void
clock_abs_timespec(clockid_t id, int64_t ms, struct timespec *ts)
{
	clock_gettime(id, ts);
	if (ms < 0)
		ms = 0;
	ts->tv_sec += (time_t)(ms / 1000);
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}
