/*
 * job-common.c: times, dump names and host paths shared by the jobs and
 * the state file.  Pure functions, any thread (time zones: timefmt.h).
 */
#include "job-common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xmalloc.h"

static int
digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

const char *
job_iso_time(int64_t wall_ms, char buf[JOB_ISO_LEN])
{
	return timefmt_iso(wall_ms, buf, JOB_ISO_LEN);
}

int
job_parse_iso_time(const char *s, int64_t *wall_ms)
{
	if (s == NULL)
		return -1;
	return timefmt_parse_iso(s, strlen(s), wall_ms);
}

char
job_path_sep(const struct host_cfg *h)
{
	return h != NULL && h->os == HOST_OS_WINDOWS ? '\\' : '/';
}

char *
job_path_join(const struct host_cfg *h, const char *dir, const char *name)
{
	size_t n = strlen(dir);
	char sep = job_path_sep(h);

	if (n > 0 && (dir[n - 1] == '/' || dir[n - 1] == '\\'))
		return xasprintf("%s%s", dir, name);
	return xasprintf("%s%c%s", dir, sep, name);
}

const char *
job_basename(const char *path)
{
	const char *p, *b = path;

	for (p = path; *p != '\0'; p++)
		if (*p == '/' || *p == '\\')
			b = p + 1;
	return b;
}

/* Broken-down local time of wall_ms in zone tz (NULL: this machine's);
 * an unknown zone reads as UTC (config validation reports it). */
static void
local_civil(const char *tz, int64_t wall_ms, struct civil *c)
{
	struct err e = { "" };

	if (tz_to_local(tz, wall_ms, c, NULL, &e) != 0)
		civil_from_ms(wall_ms, c);
}

char *
job_dump_name(const char *db, const char *tz, int64_t wall_ms, int schema)
{
	struct civil c;

	local_civil(tz, wall_ms, &c);
	return xasprintf("%s_%s%04d-%02d-%02d_%02d-%02d.%s", db,
	    schema ? "schema_" : "", c.year, c.mon, c.day, c.hour, c.min,
	    schema ? "sql" : "dump");
}

int
job_dump_name_parse(const char *db, const char *tz, const char *name,
    int64_t *wall_ms)
{
	size_t dl = strlen(db);
	const char *s;
	int Y, M, D, h, m;
	struct civil c;
	struct err e = { "" };

	if (strncmp(name, db, dl) != 0 || name[dl] != '_')
		return -1;
	s = name + dl + 1;
	/* YYYY-MM-DD_HH-mm.dump */
	if (strlen(s) != 21 || strcmp(s + 16, ".dump") != 0)
		return -1;
	if (digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) ||
	    s[7] != '-' || digits(s + 8, 2, &D) || s[10] != '_' ||
	    digits(s + 11, 2, &h) || s[13] != '-' || digits(s + 14, 2, &m))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59)
		return -1;
	memset(&c, 0, sizeof c);
	c.year = Y;
	c.mon = M;
	c.day = D;
	c.hour = h;
	c.min = m;
	if (!civil_valid(&c))
		return -1;
	if (tz_from_local(tz, &c, wall_ms, NULL, &e) != 0)
		*wall_ms = civil_to_ms(&c);
	return 0;
}

const char *
job_log_stamp(const char *tz, int64_t wall_ms, char buf[JOB_ISO_LEN])
{
	struct civil c;

	local_civil(tz, wall_ms, &c);
	snprintf(buf, JOB_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d", c.year,
	    c.mon, c.day, c.hour, c.min, c.sec);
	return buf;
}
