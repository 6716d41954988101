/*
 * job-common.h: small helpers the jobs (backup, restore) and the state
 * file share: ISO-8601 UTC times, the runbook's dump names, paths on a
 * host of either OS.  Pure functions, any thread.
 */
#ifndef DRDECK_JOB_COMMON_H
#define DRDECK_JOB_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

#define JOB_ISO_LEN 40	/* = TIMEFMT_LEN */

/* wall ms -> "2026-11-25T09:00:12.345Z" (UTC). */
const char *job_iso_time(int64_t wall_ms, char buf[JOB_ISO_LEN]);
/* "2026-11-25T09:00:12Z", with optional .fff and a Z or +hh:mm / -hh:mm
 * offset -> wall ms.  -1 on anything else. */
int job_parse_iso_time(const char *s, int64_t *wall_ms) WUR;

/* The path separator of a host ('\\' on windows, '/' otherwise). */
char job_path_sep(const struct host_cfg *h);
/* dir + sep + name (no doubled separator); new string. */
char *job_path_join(const struct host_cfg *h, const char *dir,
    const char *name);
/* The last component of a path of either OS (points into path). */
const char *job_basename(const char *path);

/*
 * The runbook's name of a dump made at wall_ms on a host whose local time
 * zone is tz (NULL = this machine's): "<db>_YYYY-MM-DD_HH-mm.dump";
 * schema = 1 gives "<db>_schema_YYYY-MM-DD_HH-mm.sql" (runbook §3.1).
 */
char *job_dump_name(const char *db, const char *tz, int64_t wall_ms,
    int schema);
/*
 * A dump's name back to its parts: 0 and the time (in the host's tz, as
 * wall ms) when name is "<db>_YYYY-MM-DD_HH-mm.dump"; -1 otherwise.
 */
int job_dump_name_parse(const char *db, const char *tz, const char *name,
    int64_t *wall_ms) WUR;

/* "now" in the host's local time zone as the runbook's log stamp
 * "2026-11-25T09:00:12" (Get-Date -Format s). */
const char *job_log_stamp(const char *tz, int64_t wall_ms,
    char buf[JOB_ISO_LEN]);

#endif
