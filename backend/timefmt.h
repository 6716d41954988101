/*
 * timefmt.h: times as text, and local time of a named time zone.
 *
 * Inside drdeck every time is UTC milliseconds since the epoch.  Text
 * forms: ISO 8601 UTC with milliseconds ("2026-11-25T09:00:12.345Z") for
 * the journal and JSON; the local time of a host for names written on
 * that host (dump names, the runbook's "[2026-11-25T09:00:12]" log lines)
 * and for display.
 *
 * Time zones are read by this module itself from the TZif files of the
 * system (/usr/share/zoneinfo, or $TZDIR), including the POSIX TZ rule at
 * their end, so nothing here touches the TZ variable, tzset() or the C
 * library's global zone state: every function is safe from any thread.
 * Zones are loaded once and cached for the life of the process (under a
 * mutex; a loaded zone is immutable).
 *
 * A zone is named by:
 *   NULL or ""          the system zone: $TZ when set (a leading ':' is
 *                       dropped), else /etc/localtime, else UTC;
 *   "America/New_York"  a file under the zoneinfo folder;
 *   "/path/to/file"     a TZif file;
 *   "EST5EDT,M3.2.0,M11.1.0"  a POSIX TZ rule, when no file has that name.
 *
 * Local time to UTC (the deterministic choice for DST changes):
 *   - a local time that happens twice (the hour after DST ends) is the
 *     FIRST of the two instants (the earlier one, still on summer time);
 *   - a local time that never happens (the gap when DST starts) is read
 *     with the offset in force before the gap, so it lands after the gap
 *     by the gap's length (02:30 on a New York spring-forward day reads as
 *     03:30 EDT).
 * This is what a scheduler that skips forward does, and it is the same
 * choice as java.time and Python's fold=0.
 */
#ifndef DRDECK_TIMEFMT_H
#define DRDECK_TIMEFMT_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

/* Room for any text this module writes. */
#define TIMEFMT_LEN 40

/* A calendar date and time, no zone. */
struct civil {
	int	 year;
	int	 mon;		/* 1..12 */
	int	 day;		/* 1..31 */
	int	 hour;		/* 0..23 */
	int	 min;		/* 0..59 */
	int	 sec;		/* 0..59 (60 refused: drdeck has no leap seconds) */
	int	 ms;		/* 0..999 */
};

/* How a local time mapped to UTC. */
enum tz_fold {
	TZ_FOLD_UNIQUE = 0,	/* happens once */
	TZ_FOLD_OVERLAP,	/* happens twice; the first was taken */
	TZ_FOLD_GAP,		/* never happens; moved past the gap */
};

/* 1 when the date and time exist in the calendar (no 2026-02-30, no 25:00). */
int civil_valid(const struct civil *c);
/* Days since 1970-01-01 of a (proleptic Gregorian) date. */
int64_t civil_days(int year, int mon, int day);
/* The civil time of UTC ms (as if the zone were UTC). */
void civil_from_ms(int64_t ms, struct civil *c);
/* UTC ms of a civil time read as UTC. */
int64_t civil_to_ms(const struct civil *c);

/* "2026-11-25T09:00:12.345Z" into buf (len >= TIMEFMT_LEN); returns buf. */
char *timefmt_iso(int64_t ms, char *buf, size_t len);
/* ISO 8601 with a zone: "...T09:00:12Z", "...T09:00:12.3Z",
 * "...T09:00:12.345+01:00"; 'T' or ' ' between date and time.  Exactly
 * len bytes are read (no NUL needed).  0, or -1 when not such a time. */
int timefmt_parse_iso(const char *s, size_t len, int64_t *ms) WUR;
/* "YYYY-MM-DDTHH:MM:SS" ('T' or ' ', optional .fff, no zone) -> civil.
 * 0, or -1 when malformed or impossible. */
int timefmt_parse_civil(const char *s, size_t len, struct civil *c) WUR;

/* The local time of zone tz at UTC ms, and that zone's offset there
 * (seconds east of UTC; may be NULL). */
int tz_to_local(const char *tz, int64_t ms, struct civil *c, int *utcoff,
    struct err *e) WUR;
/* UTC ms of a local time of zone tz (see the DST rule above); fold may
 * be NULL.  -1 when the zone is unknown or the time impossible. */
int tz_from_local(const char *tz, const struct civil *c, int64_t *ms,
    enum tz_fold *fold, struct err *e) WUR;
/* Load zone tz now (to report a bad name early).  0 or -1. */
int tz_check(const char *tz, struct err *e) WUR;

/* Local time of tz for people: "2026-11-25 10:00:12" (with_ms: ".345");
 * on an unknown zone the UTC time with a 'Z'. */
char *timefmt_local(const char *tz, int64_t ms, int with_ms, char *buf,
    size_t len);

#endif
