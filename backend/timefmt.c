/*
 * timefmt.c: ISO 8601 text, calendar arithmetic, and time zones read from
 * the system's TZif files (RFC 8536) with their POSIX TZ footer rule.
 *
 * Any thread.  The only shared state is the zone cache, guarded by
 * zone_lock; a zone in the cache is never changed nor freed, so lookups
 * use it without the lock after finding it.  Loading a zone reads one
 * small local file (may block on the disk, briefly, once per zone).
 * Nothing here calls tzset(), localtime() or mktime(), nor reads or
 * writes the TZ variable other than getenv("TZ") for the system zone.
 */
#include "timefmt.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

#define TZIF_MAX	(1024 * 1024)	/* a TZif file is a few KiB */

/* Floor division and modulo for negative numbers. */
static int64_t
fdiv(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if ((a % b) != 0 && ((a < 0) != (b < 0)))
		q--;
	return q;
}

static int64_t
fmod64(int64_t a, int64_t b)
{
	return a - fdiv(a, b) * b;
}

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && is_leap(y))
		return 29;
	return md[m - 1];
}

int
civil_valid(const struct civil *c)
{
	if (c->year < 1 || c->year > 9999 || c->mon < 1 || c->mon > 12)
		return 0;
	if (c->day < 1 || c->day > month_days(c->year, c->mon))
		return 0;
	if (c->hour < 0 || c->hour > 23 || c->min < 0 || c->min > 59 ||
	    c->sec < 0 || c->sec > 59 || c->ms < 0 || c->ms > 999)
		return 0;
	return 1;
}

/* Howard Hinnant's days_from_civil. */
int64_t
civil_days(int year, int mon, int day)
{
	int64_t y = (int64_t)year - (mon <= 2);
	int64_t era = fdiv(y, 400);
	int64_t yoe = y - era * 400;
	int64_t mp = (mon + 9) % 12;
	int64_t doy = (153 * mp + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *year, int *mon, int *day)
{
	int64_t era, doe, yoe, y, doy, mp;

	z += 719468;
	era = fdiv(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*day = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	*year = (int)(y + (*mon <= 2));
}

void
civil_from_ms(int64_t ms, struct civil *c)
{
	int64_t days = fdiv(ms, 86400000);
	int64_t rem = ms - days * 86400000;

	civil_from_days(days, &c->year, &c->mon, &c->day);
	c->hour = (int)(rem / 3600000);
	c->min = (int)(rem / 60000 % 60);
	c->sec = (int)(rem / 1000 % 60);
	c->ms = (int)(rem % 1000);
}

int64_t
civil_to_ms(const struct civil *c)
{
	return civil_days(c->year, c->mon, c->day) * 86400000 +
	    (int64_t)c->hour * 3600000 + (int64_t)c->min * 60000 +
	    (int64_t)c->sec * 1000 + c->ms;
}

char *
timefmt_iso(int64_t ms, char *buf, size_t len)
{
	struct civil c;

	civil_from_ms(ms, &c);
	snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", c.year,
	    c.mon, c.day, c.hour, c.min, c.sec, c.ms);
	return buf;
}

/* Exactly n digits at s[*i] -> *v. */
static int
digits(const char *s, size_t len, size_t *i, int n, int *v)
{
	int k, x = 0;

	if (*i + (size_t)n > len)
		return -1;
	for (k = 0; k < n; k++) {
		char ch = s[*i + (size_t)k];

		if (ch < '0' || ch > '9')
			return -1;
		x = x * 10 + (ch - '0');
	}
	*i += (size_t)n;
	*v = x;
	return 0;
}

static int
expect(const char *s, size_t len, size_t *i, char ch)
{
	if (*i >= len || s[*i] != ch)
		return -1;
	(*i)++;
	return 0;
}

/* Date, separator, time, optional fraction; leaves *i after them. */
static int
parse_civil_at(const char *s, size_t len, size_t *i, struct civil *c)
{
	memset(c, 0, sizeof *c);
	if (digits(s, len, i, 4, &c->year) == -1 ||
	    expect(s, len, i, '-') == -1 ||
	    digits(s, len, i, 2, &c->mon) == -1 ||
	    expect(s, len, i, '-') == -1 ||
	    digits(s, len, i, 2, &c->day) == -1)
		return -1;
	if (*i >= len || (s[*i] != 'T' && s[*i] != 't' && s[*i] != ' '))
		return -1;
	(*i)++;
	if (digits(s, len, i, 2, &c->hour) == -1 ||
	    expect(s, len, i, ':') == -1 ||
	    digits(s, len, i, 2, &c->min) == -1 ||
	    expect(s, len, i, ':') == -1 ||
	    digits(s, len, i, 2, &c->sec) == -1)
		return -1;
	if (*i < len && s[*i] == '.') {
		int n = 0, scale = 100;

		(*i)++;
		while (*i < len && s[*i] >= '0' && s[*i] <= '9') {
			if (n < 3)
				c->ms += (s[*i] - '0') * scale;
			scale /= 10;
			n++;
			(*i)++;
		}
		if (n == 0 || n > 9)
			return -1;
	}
	return civil_valid(c) ? 0 : -1;
}

/* Within years 1..9999 in UTC, so that it prints back the same. */
static int
ms_in_range(int64_t ms)
{
	return ms >= civil_days(1, 1, 1) * 86400000LL &&
	    ms < civil_days(10000, 1, 1) * 86400000LL;
}

int
timefmt_parse_civil(const char *s, size_t len, struct civil *c)
{
	size_t i = 0;

	if (parse_civil_at(s, len, &i, c) == -1 || i != len)
		return -1;
	return 0;
}

int
timefmt_parse_iso(const char *s, size_t len, int64_t *ms)
{
	struct civil c;
	size_t i = 0;
	int off = 0;

	if (parse_civil_at(s, len, &i, &c) == -1 || i >= len)
		return -1;
	if (s[i] == 'Z' || s[i] == 'z') {
		i++;
	} else if (s[i] == '+' || s[i] == '-') {
		int sign = s[i] == '-' ? -1 : 1, hh, mm;

		i++;
		if (digits(s, len, &i, 2, &hh) == -1)
			return -1;
		if (i < len && s[i] == ':')
			i++;
		if (digits(s, len, &i, 2, &mm) == -1 || hh > 23 || mm > 59)
			return -1;
		off = sign * (hh * 3600 + mm * 60);
	} else
		return -1;
	if (i != len)
		return -1;
	*ms = civil_to_ms(&c) - (int64_t)off * 1000;
	return ms_in_range(*ms) ? 0 : -1;
}

/* ---- zones ---- */

struct tzrule {
	char	 kind;		/* 'J' julian 1..365, 'D' day 0..365, 'M' */
	int	 n;		/* J / D day */
	int	 m, w, d;	/* M: month, week 1..5, weekday 0 = Sunday */
	int32_t	 time;		/* seconds after local midnight, may be < 0 */
};

struct zone {
	char	*name;
	int64_t	*trans;
	uint8_t	*idx;
	size_t	 ntrans;
	int32_t	*off;		/* seconds east of UTC, per type */
	size_t	 ntypes;
	int	 has_rule;	/* POSIX rule for times past the table */
	int32_t	 std_off, dst_off;
	int	 has_dst;
	struct tzrule start, end;
	struct zone *next;
};

static pthread_mutex_t zone_lock = PTHREAD_MUTEX_INITIALIZER;
static struct zone *zones;

/* A POSIX zone abbreviation: <...> or 3+ letters. */
static int
rule_name(const char **p)
{
	const char *s = *p;
	int n = 0;

	if (*s == '<') {
		s++;
		while (*s != '\0' && *s != '>') {
			s++;
			n++;
		}
		if (*s != '>' || n < 1)
			return -1;
		*p = s + 1;
		return 0;
	}
	while ((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')) {
		s++;
		n++;
	}
	if (n < 3)
		return -1;
	*p = s;
	return 0;
}

/* [+-]h[hh][:mm[:ss]] -> seconds (sign as written). */
static int
rule_hms(const char **p, int maxh, int32_t *out)
{
	const char *s = *p;
	int sign = 1, h = 0, m = 0, sec = 0, n = 0;

	if (*s == '+' || *s == '-') {
		sign = *s == '-' ? -1 : 1;
		s++;
	}
	while (*s >= '0' && *s <= '9' && n < 3) {
		h = h * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || h > maxh)
		return -1;
	if (*s == ':') {
		s++;
		if (s[0] < '0' || s[0] > '5' || s[1] < '0' || s[1] > '9')
			return -1;
		m = (s[0] - '0') * 10 + (s[1] - '0');
		s += 2;
		if (*s == ':') {
			s++;
			if (s[0] < '0' || s[0] > '5' || s[1] < '0' ||
			    s[1] > '9')
				return -1;
			sec = (s[0] - '0') * 10 + (s[1] - '0');
			s += 2;
		}
	}
	*out = sign * (h * 3600 + m * 60 + sec);
	*p = s;
	return 0;
}

static int
rule_num(const char **p, int lo, int hi, int *out)
{
	const char *s = *p;
	int v = 0, n = 0;

	while (*s >= '0' && *s <= '9' && n < 4) {
		v = v * 10 + (*s++ - '0');
		n++;
	}
	if (n == 0 || v < lo || v > hi)
		return -1;
	*out = v;
	*p = s;
	return 0;
}

static int
rule_date(const char **p, struct tzrule *r)
{
	const char *s = *p;

	memset(r, 0, sizeof *r);
	if (*s == 'J') {
		s++;
		r->kind = 'J';
		if (rule_num(&s, 1, 365, &r->n) == -1)
			return -1;
	} else if (*s == 'M') {
		s++;
		r->kind = 'M';
		if (rule_num(&s, 1, 12, &r->m) == -1 || *s++ != '.' ||
		    rule_num(&s, 1, 5, &r->w) == -1 || *s++ != '.' ||
		    rule_num(&s, 0, 6, &r->d) == -1)
			return -1;
	} else {
		r->kind = 'D';
		if (rule_num(&s, 0, 365, &r->n) == -1)
			return -1;
	}
	r->time = 7200;
	if (*s == '/') {
		s++;
		if (rule_hms(&s, 167, &r->time) == -1)
			return -1;
	}
	*p = s;
	return 0;
}

/* Parse a POSIX TZ string into z (has_rule set). */
static int
rule_parse(const char *s, struct zone *z)
{
	int32_t v;

	if (rule_name(&s) == -1 || rule_hms(&s, 24, &v) == -1)
		return -1;
	z->std_off = -v;
	z->dst_off = z->std_off + 3600;
	z->has_dst = 0;
	if (*s != '\0' && *s != ',') {
		if (rule_name(&s) == -1)
			return -1;
		z->has_dst = 1;
		if (*s != '\0' && *s != ',') {
			if (rule_hms(&s, 24, &v) == -1)
				return -1;
			z->dst_off = -v;
		}
	}
	if (z->has_dst) {
		if (*s == ',') {
			s++;
			if (rule_date(&s, &z->start) == -1 || *s++ != ',' ||
			    rule_date(&s, &z->end) == -1)
				return -1;
		} else {
			/* POSIX leaves it open; the US rule, as glibc does. */
			const char *us = "M3.2.0,M11.1.0";

			if (rule_date(&us, &z->start) == -1 || *us++ != ',' ||
			    rule_date(&us, &z->end) == -1)
				return -1;
		}
	}
	if (*s != '\0')
		return -1;
	z->has_rule = 1;
	return 0;
}

/* Local seconds (as if UTC) of a rule's moment in year y. */
static int64_t
rule_local(const struct tzrule *r, int y)
{
	int64_t days;

	if (r->kind == 'J') {
		int doy = r->n;

		if (is_leap(y) && doy >= 60)
			doy++;
		days = civil_days(y, 1, 1) + doy - 1;
	} else if (r->kind == 'D') {
		days = civil_days(y, 1, 1) + r->n;
	} else {
		int64_t first = civil_days(y, r->m, 1);
		int dow = (int)fmod64(first + 4, 7);	/* 1970-01-01: Thu */
		int day = 1 + (r->d - dow + 7) % 7 + (r->w - 1) * 7;

		while (day > month_days(y, r->m))
			day -= 7;
		days = first + day - 1;
	}
	return days * 86400 + r->time;
}

static int32_t
rule_offset(const struct zone *z, int64_t t)
{
	struct civil c;
	int64_t start, end;

	if (!z->has_dst)
		return z->std_off;
	civil_from_ms((t + z->std_off) * 1000, &c);
	start = rule_local(&z->start, c.year) - z->std_off;
	end = rule_local(&z->end, c.year) - z->dst_off;
	if (start < end)
		return t >= start && t < end ? z->dst_off : z->std_off;
	return t >= end && t < start ? z->std_off : z->dst_off;
}

/* Offset east of UTC in force at UTC second t. */
static int32_t
zone_offset(const struct zone *z, int64_t t)
{
	size_t lo, hi;

	if (z->ntrans == 0 || (t >= z->trans[z->ntrans - 1] && z->has_rule)) {
		if (z->has_rule)
			return rule_offset(z, t);
		return z->ntypes > 0 ? z->off[0] : 0;
	}
	if (t < z->trans[0])
		return z->off[0];
	lo = 0;
	hi = z->ntrans;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (z->trans[mid] <= t)
			lo = mid;
		else
			hi = mid;
	}
	return z->off[z->idx[lo]];
}

static uint32_t
be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static int64_t
be64(const unsigned char *p)
{
	return (int64_t)((uint64_t)be32(p) << 32 | be32(p + 4));
}

/* Parse a TZif image into z; 0 or -1. */
static int
tzif_parse(const unsigned char *d, size_t len, struct zone *z)
{
	uint32_t isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt;
	size_t off = 0, body, tsz = 4, i;
	int v2;

	if (len < 44 || memcmp(d, "TZif", 4) != 0)
		return -1;
	v2 = d[4] >= '2';
	for (;;) {
		const unsigned char *h = d + off;

		if (off + 44 > len || memcmp(h, "TZif", 4) != 0)
			return -1;
		isutcnt = be32(h + 20);
		isstdcnt = be32(h + 24);
		leapcnt = be32(h + 28);
		timecnt = be32(h + 32);
		typecnt = be32(h + 36);
		charcnt = be32(h + 40);
		if (timecnt > 100000 || typecnt == 0 || typecnt > 256 ||
		    leapcnt > 10000 || charcnt > 10000 ||
		    isutcnt > typecnt || isstdcnt > typecnt)
			return -1;
		body = (size_t)timecnt * tsz + timecnt + (size_t)typecnt * 6 +
		    charcnt + (size_t)leapcnt * (tsz + 4) + isstdcnt + isutcnt;
		if (off + 44 + body > len)
			return -1;
		if (v2 && tsz == 4) {
			off += 44 + body;
			tsz = 8;
			continue;
		}
		break;
	}
	{
		const unsigned char *p = d + off + 44;
		const unsigned char *ix = p + (size_t)timecnt * tsz;
		const unsigned char *ty = ix + timecnt;

		z->ntrans = timecnt;
		z->trans = xcalloc(timecnt + 1, sizeof *z->trans);
		z->idx = xcalloc(timecnt + 1, 1);
		z->ntypes = typecnt;
		z->off = xcalloc(typecnt, sizeof *z->off);
		for (i = 0; i < timecnt; i++) {
			z->trans[i] = tsz == 8 ? be64(p + i * 8) :
			    (int64_t)(int32_t)be32(p + i * 4);
			z->idx[i] = ix[i];
			if (ix[i] >= typecnt || (i > 0 &&
			    z->trans[i] <= z->trans[i - 1]))
				return -1;
		}
		for (i = 0; i < typecnt; i++) {
			int32_t o = (int32_t)be32(ty + i * 6);

			if (o < -89999 || o > 93599)
				return -1;
			z->off[i] = o;
		}
	}
	if (v2) {
		size_t f = off + 44 + body, e2;
		char rule[256];

		if (f < len && d[f] == '\n') {
			for (e2 = f + 1; e2 < len && d[e2] != '\n'; e2++)
				;
			if (e2 < len && e2 - f - 1 > 0 &&
			    e2 - f - 1 < sizeof rule) {
				memcpy(rule, d + f + 1, e2 - f - 1);
				rule[e2 - f - 1] = '\0';
				/* A bad footer leaves the table alone. */
				if (rule_parse(rule, z) == -1)
					z->has_rule = 0;
			}
		}
	}
	return 0;
}

static void
zone_free(struct zone *z)
{
	if (z == NULL)
		return;
	free(z->name);
	free(z->trans);
	free(z->idx);
	free(z->off);
	free(z);
}

static int
read_small(const char *path, unsigned char **data, size_t *len)
{
	FILE *f;
	unsigned char *b;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL)
		return -1;
	b = xmalloc(TZIF_MAX);
	n = fread(b, 1, TZIF_MAX, f);
	fclose(f);
	if (n == 0 || n >= TZIF_MAX) {
		free(b);
		return -1;
	}
	*data = b;
	*len = n;
	return 0;
}

/* Load zone `key` (a resolved name: path, zone name or POSIX rule). */
static struct zone *
zone_load(const char *key, struct err *e)
{
	struct zone *z = xcalloc(1, sizeof *z);
	unsigned char *data = NULL;
	size_t len = 0;
	char *path;
	const char *dir;

	z->name = xstrdup(key);
	if (key[0] == '/') {
		path = xstrdup(key);
	} else {
		if (strstr(key, "..") != NULL) {
			err_set(e, "time zone \"%s\": not a zone name", key);
			goto fail;
		}
		dir = getenv("TZDIR");
		if (dir == NULL || *dir == '\0')
			dir = "/usr/share/zoneinfo";
		path = xasprintf("%s/%s", dir, key);
	}
	if (read_small(path, &data, &len) == 0 &&
	    tzif_parse(data, len, z) == 0) {
		free(path);
		free(data);
		return z;
	}
	free(path);
	free(data);
	/* Not a file: a POSIX rule, or plain UTC. */
	free(z->trans);
	free(z->idx);
	free(z->off);
	z->trans = NULL;
	z->idx = NULL;
	z->off = NULL;
	z->ntrans = z->ntypes = 0;
	if (strcmp(key, "UTC") == 0 || strcmp(key, "GMT") == 0 ||
	    strcmp(key, "Z") == 0 || strcmp(key, "/etc/localtime") == 0) {
		z->has_rule = 1;
		return z;
	}
	if (rule_parse(key, z) == 0)
		return z;
	err_set(e, "time zone \"%s\": no such zone file and not a POSIX TZ "
	    "rule (expected a name like Europe/Vienna)", key);
fail:
	zone_free(z);
	return NULL;
}

static const struct zone *
zone_get(const char *tz, struct err *e)
{
	const char *key = tz;
	struct zone *z;

	if (key == NULL || *key == '\0') {
		key = getenv("TZ");
		if (key != NULL && *key == ':')
			key++;
		if (key == NULL || *key == '\0')
			key = "/etc/localtime";
	}
	pthread_mutex_lock(&zone_lock);
	for (z = zones; z != NULL; z = z->next)
		if (strcmp(z->name, key) == 0)
			break;
	if (z == NULL && (z = zone_load(key, e)) != NULL) {
		z->next = zones;
		zones = z;
	}
	pthread_mutex_unlock(&zone_lock);
	return z;
}

int
tz_check(const char *tz, struct err *e)
{
	return zone_get(tz, e) != NULL ? 0 : -1;
}

int
tz_to_local(const char *tz, int64_t ms, struct civil *c, int *utcoff,
    struct err *e)
{
	const struct zone *z = zone_get(tz, e);
	int32_t off;

	if (z == NULL)
		return -1;
	off = zone_offset(z, fdiv(ms, 1000));
	civil_from_ms(ms + (int64_t)off * 1000, c);
	if (utcoff != NULL)
		*utcoff = off;
	return 0;
}

int
tz_from_local(const char *tz, const struct civil *c, int64_t *ms,
    enum tz_fold *fold, struct err *e)
{
	const struct zone *z;
	int64_t l, t[2];
	int32_t before, after, o[2];
	int n = 0, i;

	if (!civil_valid(c))
		return err_set(e, "%04d-%02d-%02d %02d:%02d:%02d is not a time "
		    "of the calendar", c->year, c->mon, c->day, c->hour,
		    c->min, c->sec);
	if ((z = zone_get(tz, e)) == NULL)
		return -1;
	l = civil_to_ms(c);
	before = zone_offset(z, fdiv(l, 1000) - 86400);
	after = zone_offset(z, fdiv(l, 1000) + 86400);
	o[0] = before;
	o[1] = after;
	for (i = 0; i < 2; i++) {
		int64_t cand = l - (int64_t)o[i] * 1000;

		if (i == 1 && o[1] == o[0])
			break;
		if (zone_offset(z, fdiv(cand, 1000)) == o[i])
			t[n++] = cand;
	}
	if (n == 2) {
		*ms = t[0] < t[1] ? t[0] : t[1];
		if (fold != NULL)
			*fold = TZ_FOLD_OVERLAP;
	} else if (n == 1) {
		*ms = t[0];
		if (fold != NULL)
			*fold = TZ_FOLD_UNIQUE;
	} else {
		*ms = l - (int64_t)before * 1000;
		if (fold != NULL)
			*fold = TZ_FOLD_GAP;
	}
	if (!ms_in_range(*ms))
		return err_set(e, "%04d-%02d-%02d %02d:%02d is out of range "
		    "in UTC", c->year, c->mon, c->day, c->hour, c->min);
	return 0;
}

char *
timefmt_local(const char *tz, int64_t ms, int with_ms, char *buf, size_t len)
{
	struct civil c;
	struct err e;
	int utc = 0;

	if (tz_to_local(tz, ms, &c, NULL, &e) == -1) {
		civil_from_ms(ms, &c);
		utc = 1;
	}
	if (with_ms)
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d.%03d%s",
		    c.year, c.mon, c.day, c.hour, c.min, c.sec, c.ms,
		    utc ? "Z" : "");
	else
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d:%02d%s", c.year,
		    c.mon, c.day, c.hour, c.min, c.sec, utc ? "Z" : "");
	return buf;
}
