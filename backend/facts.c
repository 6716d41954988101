/*
 * facts.c: facts, levels, host status roll-up, and the formatting of
 * durations and sizes for people.  Pure data, any thread.
 */
#include "facts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmalloc.h"

struct fact *
facts_add(struct fact_list *l, const char *key, const char *label,
    enum level level, const char *value, const char *detail,
    const char *threshold, int64_t observed_at)
{
	struct fact *f;

	l->v = xreallocarray(l->v, l->n + 1, sizeof *l->v);
	f = &l->v[l->n++];
	memset(f, 0, sizeof *f);
	f->key = xstrdup(key);
	f->label = xstrdup(label != NULL ? label : key);
	f->value = xstrdup(value != NULL ? value : "");
	f->level = level;
	f->observed_at = observed_at;
	f->detail = xstrdup0(detail);
	f->threshold = xstrdup0(threshold);
	return f;
}

void
fact_set_num(struct fact *f, double num, const char *unit)
{
	f->has_num = 1;
	f->num = num;
	free(f->unit);
	f->unit = xstrdup(unit != NULL ? unit : "");
}

const struct fact *
facts_find(const struct fact_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i].key, key) == 0)
			return &l->v[i];
	return NULL;
}

static void
fact_copy(struct fact *d, const struct fact *s)
{
	*d = *s;
	d->key = xstrdup(s->key);
	d->label = xstrdup(s->label);
	d->value = xstrdup(s->value);
	d->detail = xstrdup0(s->detail);
	d->threshold = xstrdup0(s->threshold);
	d->unit = xstrdup0(s->unit);
}

static void
fact_free(struct fact *f)
{
	free(f->key);
	free(f->label);
	free(f->value);
	free(f->detail);
	free(f->threshold);
	free(f->unit);
}

void
facts_copy(struct fact_list *dst, const struct fact_list *src)
{
	size_t i;

	dst->n = src->n;
	dst->v = src->n ? xcalloc(src->n, sizeof *dst->v) : NULL;
	for (i = 0; i < src->n; i++)
		fact_copy(&dst->v[i], &src->v[i]);
}

void
facts_free(struct fact_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		fact_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

const char *
level_name(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return "ok";
	case LEVEL_WARN:
		return "warn";
	case LEVEL_CRIT:
		return "crit";
	case LEVEL_UNKNOWN:
		break;
	}
	return "unknown";
}

const char *
level_symbol(enum level l, int utf8)
{
	switch (l) {
	case LEVEL_OK:
		return utf8 ? "\xe2\x9c\x93" : "+";	/* ✓ */
	case LEVEL_WARN:
		return "!";
	case LEVEL_CRIT:
		return utf8 ? "\xe2\x9c\x97" : "x";	/* ✗ */
	case LEVEL_UNKNOWN:
		break;
	}
	return "?";
}

int
level_rank(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return 0;
	case LEVEL_WARN:
		return 1;
	case LEVEL_UNKNOWN:
		return 2;
	case LEVEL_CRIT:
		return 3;
	}
	return 2;
}

enum level
level_worst(enum level a, enum level b)
{
	return level_rank(a) >= level_rank(b) ? a : b;
}

int
level_exit_code(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return 0;
	case LEVEL_WARN:
		return 1;
	case LEVEL_CRIT:
		return 2;
	case LEVEL_UNKNOWN:
		break;
	}
	return 3;
}

int
fact_is_stale(const struct fact *f, int64_t now_ms, int64_t period_ms)
{
	return period_ms > 0 && now_ms - f->observed_at > 2 * period_ms;
}

enum level
fact_effective_level(const struct fact *f, int64_t now_ms, int64_t period_ms)
{
	return fact_is_stale(f, now_ms, period_ms) ? LEVEL_UNKNOWN : f->level;
}

void
host_status_free(struct host_status *h)
{
	free(h->host);
	h->host = NULL;
	facts_free(&h->facts);
}

void
host_status_copy(struct host_status *dst, const struct host_status *src)
{
	*dst = *src;
	dst->host = xstrdup0(src->host);
	facts_copy(&dst->facts, &src->facts);
}

enum level
host_status_level(const struct host_status *h, int64_t now_ms,
    int64_t period_ms)
{
	enum level worst = LEVEL_OK;
	size_t i;

	if (h->facts.n == 0)
		return LEVEL_UNKNOWN;
	for (i = 0; i < h->facts.n; i++)
		worst = level_worst(worst,
		    fact_effective_level(&h->facts.v[i], now_ms, period_ms));
	return worst;
}

char *
fmt_duration(int64_t s, char *buf, size_t len)
{
	const char *sign = "";

	if (s < 0) {
		sign = "-";
		s = -s;
	}
	if (s < 60)
		snprintf(buf, len, "%s%" PRId64 "s", sign, s);
	else if (s < 3600)
		snprintf(buf, len, "%s%" PRId64 "m%02" PRId64 "s", sign,
		    s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%s%" PRId64 "h%02" PRId64 "m", sign,
		    s / 3600, (s % 3600) / 60);
	else
		snprintf(buf, len, "%s%" PRId64 "d%" PRId64 "h", sign,
		    s / 86400, (s % 86400) / 3600);
	return buf;
}

char *
fmt_bytes(uint64_t b, char *buf, size_t len)
{
	static const char *units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)b;
	int u = -1;

	if (b < 1024) {
		snprintf(buf, len, "%" PRIu64 " B", b);
		return buf;
	}
	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	snprintf(buf, len, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}
