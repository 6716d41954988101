/*
 * out-nagios.c: one line after the Monitoring Plugins guidelines:
 *   DRDECK CRITICAL - 2 crit, 1 warn: backup Exposure 3h42m / RPO 3h; ...
 *   |'backup.restore.exposure'=13320s;8640;10800 'primary.db.latency'=2ms;1000
 * The text names the problems (worst first); perfdata has every fact with
 * a number: label 'host.key' quoted (a ' doubled), value in plain decimal
 * (no exponent, at most 3 decimals) with a UOM the
 * guidelines know (s ms % B, else none), then warn;crit when the fact has
 * numeric limits.  No '|' or newline in the text.  Pure, any thread.
 */
#include "out.h"

#include <stdio.h>
#include <string.h>

static const char *
status_word(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return "OK";
	case LEVEL_WARN:
		return "WARNING";
	case LEVEL_CRIT:
		return "CRITICAL";
	case LEVEL_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

/* Text safe inside the plugin output: no '|', no line breaks. */
static void
put_safe(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '|')
			buf_putc(b, '/');
		else if (*s == '\n' || *s == '\r' || *s == '\t')
			buf_putc(b, ' ');
		else
			buf_putc(b, *s);
	}
}

static const char *
uom(const char *unit)
{
	static const char *const ok[] = { "s", "ms", "us", "%", "B", "KB",
		"MB", "GB", "TB", "c", NULL };
	size_t i;

	if (unit == NULL)
		return "";
	for (i = 0; ok[i] != NULL; i++)
		if (strcmp(unit, ok[i]) == 0)
			return unit;
	return "";
}

static void
put_label(struct buf *b, const char *host, const char *key)
{
	const char *p;

	buf_putc(b, '\'');
	for (p = host; *p; p++) {
		if (*p == '\'')
			buf_putc(b, '\'');
		if (*p != '=')
			buf_putc(b, *p);
	}
	buf_putc(b, '.');
	for (p = key; *p; p++) {
		if (*p == '\'')
			buf_putc(b, '\'');
		if (*p != '=')
			buf_putc(b, *p);
	}
	buf_putc(b, '\'');
}

/* A number as the guidelines want it: plain decimal, no exponent, at
 * most 3 decimals, no trailing zeros. */
static void
put_num(struct buf *b, double v)
{
	char t[64];
	size_t n;

	if (v != v)		/* NaN: not a number to plot */
		v = 0;
	if (v > 9e18)
		v = 9e18;
	if (v < -9e18)
		v = -9e18;
	snprintf(t, sizeof t, "%.3f", v);
	n = strlen(t);
	while (n > 0 && t[n - 1] == '0')
		t[--n] = '\0';
	if (n > 0 && t[n - 1] == '.')
		t[--n] = '\0';
	if (strcmp(t, "-0") == 0)
		strcpy(t, "0");
	buf_puts(b, t);
}

static void
perf(struct buf *b, const char *host, const struct fact *f)
{
	if (!f->has_num)
		return;
	buf_putc(b, ' ');
	put_label(b, host, f->key);
	buf_putc(b, '=');
	put_num(b, f->num);
	buf_puts(b, uom(f->unit));
	if (f->has_warn_at || f->has_crit_at) {
		buf_putc(b, ';');
		if (f->has_warn_at)
			put_num(b, f->warn_at);
		if (f->has_crit_at) {
			buf_putc(b, ';');
			put_num(b, f->crit_at);
		}
	}
}

static void
problems(struct buf *b, const struct snapshot *s, const struct out_opts *o,
    enum level want, int *n)
{
	size_t h, i;

	for (h = 0; h < s->n_hosts; h++)
		for (i = 0; i < s->hosts[h].facts.n; i++) {
			const struct fact *f = &s->hosts[h].facts.v[i];

			if (fact_effective_level(f, o->now_ms,
			    o->period_ms) != want)
				continue;
			buf_puts(b, (*n)++ ? "; " : ": ");
			put_safe(b, s->hosts[h].host ? s->hosts[h].host : "?");
			buf_putc(b, ' ');
			put_safe(b, f->label);
			buf_putc(b, ' ');
			put_safe(b, f->value);
			if (f->threshold != NULL && want != LEVEL_UNKNOWN) {
				buf_puts(b, " / ");
				put_safe(b, f->threshold);
			}
		}
	for (i = 0; i < s->pair.n; i++) {
		const struct fact *f = &s->pair.v[i];

		if (fact_effective_level(f, o->now_ms, o->period_ms) != want)
			continue;
		buf_puts(b, (*n)++ ? "; " : ": ");
		buf_puts(b, "pair ");
		put_safe(b, f->label);
		buf_putc(b, ' ');
		put_safe(b, f->value);
		if (f->detail != NULL) {
			buf_puts(b, " (");
			put_safe(b, f->detail);
			buf_putc(b, ')');
		}
	}
}

static void
count(const struct snapshot *s, const struct out_opts *o, int c[4],
    int *total)
{
	size_t h, i;

	memset(c, 0, 4 * sizeof *c);
	*total = 0;
	for (h = 0; h < s->n_hosts; h++)
		for (i = 0; i < s->hosts[h].facts.n; i++, (*total)++)
			c[fact_effective_level(&s->hosts[h].facts.v[i],
			    o->now_ms, o->period_ms)]++;
	for (i = 0; i < s->pair.n; i++, (*total)++)
		c[fact_effective_level(&s->pair.v[i], o->now_ms,
		    o->period_ms)]++;
}

/* The Nagios line (and a newline). */
void
out_nagios(struct buf *b, const struct snapshot *s, const struct out_opts *o)
{
	enum level all = out_level(s, o);
	int c[4], total, n = 0;
	size_t h, i;

	count(s, o, c, &total);
	buf_printf(b, "DRDECK %s - ", status_word(all));
	if (all == LEVEL_OK) {
		buf_printf(b, "pair %s: %zu hosts, %d facts ok",
		    o->pair ? o->pair : "?", s->n_hosts, total);
	} else {
		buf_printf(b, "%d crit, %d unknown, %d warn",
		    c[LEVEL_CRIT], c[LEVEL_UNKNOWN], c[LEVEL_WARN]);
		problems(b, s, o, LEVEL_CRIT, &n);
		problems(b, s, o, LEVEL_UNKNOWN, &n);
		problems(b, s, o, LEVEL_WARN, &n);
	}
	buf_puts(b, " |");
	for (h = 0; h < s->n_hosts; h++)
		for (i = 0; i < s->hosts[h].facts.n; i++)
			perf(b, s->hosts[h].host ? s->hosts[h].host : "?",
			    &s->hosts[h].facts.v[i]);
	for (i = 0; i < s->pair.n; i++)
		perf(b, "pair", &s->pair.v[i]);
	buf_putc(b, '\n');
}
