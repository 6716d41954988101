/*
 * job-common.c: times, dump names and host paths shared by the jobs and
 * the state file.  Pure functions.  A host time zone other than this
 * machine's is applied by switching TZ for the call under a mutex: call
 * these from one thread at a time when a timezone is configured (the jobs
 * and the CLI do).
 */
#include "job-common.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "xmalloc.h"

static pthread_mutex_t tz_mutex = PTHREAD_MUTEX_INITIALIZER;

const char *
job_iso_time(int64_t wall_ms, char buf[JOB_ISO_LEN])
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(buf, JOB_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec, (int)(wall_ms % 1000));
	return buf;
}

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

int
job_parse_iso_time(const char *s, int64_t *wall_ms)
{
	int Y, M, D, h, m, sec, ms = 0, oh, om, sign;
	struct tm tm;
	const char *p;
	int64_t v;

	if (s == NULL || strlen(s) < 20)
		return -1;
	if (digits(s, 4, &Y) || s[4] != '-' || digits(s + 5, 2, &M) ||
	    s[7] != '-' || digits(s + 8, 2, &D) || (s[10] != 'T' &&
	    s[10] != ' ') || digits(s + 11, 2, &h) || s[13] != ':' ||
	    digits(s + 14, 2, &m) || s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	if (M < 1 || M > 12 || D < 1 || D > 31 || h > 23 || m > 59 ||
	    sec > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		int n = 0, scale = 100;

		p++;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			if (n < 3)
				ms += (*p - '0') * scale;
			scale /= 10;
			n++;
			p++;
		}
	}
	memset(&tm, 0, sizeof tm);
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	tm.tm_sec = sec;
	v = (int64_t)timegm(&tm) * 1000 + ms;
	if (*p == 'Z' && p[1] == '\0') {
		*wall_ms = v;
		return 0;
	}
	if ((*p != '+' && *p != '-') || strlen(p) != 6 ||
	    digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) ||
	    oh > 23 || om > 59)
		return -1;
	sign = *p == '+' ? 1 : -1;
	*wall_ms = v - sign * ((int64_t)oh * 3600 + om * 60) * 1000;
	return 0;
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

/* Broken-down local time of wall_ms in zone tz (NULL: this machine's). */
static void
local_tm(const char *tz, int64_t wall_ms, struct tm *tm)
{
	time_t t = (time_t)(wall_ms / 1000);
	char *old = NULL;

	if (tz == NULL || *tz == '\0') {
		localtime_r(&t, tm);
		return;
	}
	pthread_mutex_lock(&tz_mutex);
	if (getenv("TZ") != NULL)
		old = xstrdup(getenv("TZ"));
	setenv("TZ", tz, 1);
	tzset();
	localtime_r(&t, tm);
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
	tzset();
	pthread_mutex_unlock(&tz_mutex);
}

/* The reverse: local broken-down time in tz -> wall ms. */
static int64_t
local_mktime(const char *tz, struct tm *tm)
{
	char *old = NULL;
	time_t t;

	tm->tm_isdst = -1;
	if (tz == NULL || *tz == '\0')
		return (int64_t)mktime(tm) * 1000;
	pthread_mutex_lock(&tz_mutex);
	if (getenv("TZ") != NULL)
		old = xstrdup(getenv("TZ"));
	setenv("TZ", tz, 1);
	tzset();
	t = mktime(tm);
	if (old != NULL) {
		setenv("TZ", old, 1);
		free(old);
	} else
		unsetenv("TZ");
	tzset();
	pthread_mutex_unlock(&tz_mutex);
	return (int64_t)t * 1000;
}

char *
job_dump_name(const char *db, const char *tz, int64_t wall_ms, int schema)
{
	struct tm tm;

	local_tm(tz, wall_ms, &tm);
	return xasprintf("%s_%s%04d-%02d-%02d_%02d-%02d.%s", db,
	    schema ? "schema_" : "", tm.tm_year + 1900, tm.tm_mon + 1,
	    tm.tm_mday, tm.tm_hour, tm.tm_min, schema ? "sql" : "dump");
}

int
job_dump_name_parse(const char *db, const char *tz, const char *name,
    int64_t *wall_ms)
{
	size_t dl = strlen(db);
	const char *s;
	int Y, M, D, h, m;
	struct tm tm;

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
	memset(&tm, 0, sizeof tm);
	tm.tm_year = Y - 1900;
	tm.tm_mon = M - 1;
	tm.tm_mday = D;
	tm.tm_hour = h;
	tm.tm_min = m;
	*wall_ms = local_mktime(tz, &tm);
	return 0;
}

const char *
job_log_stamp(const char *tz, int64_t wall_ms, char buf[JOB_ISO_LEN])
{
	struct tm tm;

	local_tm(tz, wall_ms, &tm);
	snprintf(buf, JOB_ISO_LEN, "%04d-%02d-%02dT%02d:%02d:%02d",
	    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
	    tm.tm_min, tm.tm_sec);
	return buf;
}
