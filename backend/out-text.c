/*
 * out-text.c: the side-by-side table of `drdeck status` for a terminal.
 *
 *   drdeck status  pair rabs  2026-11-25 09:12:03Z  ✗ CRIT
 *
 *   FACT           primary                   backup
 *   Round trip     ✓ 3 ms                    ✓ 4 ms
 *   Exposure                                 ✗ 3h42m / RPO 3h
 *   ...
 *   PAIR
 *   ✓ Split brain  no
 *
 *   PROBLEMS
 *   ✗ backup  Exposure: 3h42m / RPO 3h: RPO breached 42m ago (...)
 *
 * Rows are the union of the hosts' fact keys in probe order.  Every level
 * is a symbol (UTF-8 or ASCII) and, with color, also a color.  A stale
 * fact reads as unknown.  Pure, any thread.
 */
#include "out.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xmalloc.h"

#define ANSI_RESET	"\033[0m"
#define ANSI_BOLD	"\033[1m"

static const char *
color_of(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return "\033[32m";
	case LEVEL_WARN:
		return "\033[33m";
	case LEVEL_CRIT:
		return "\033[1;31m";
	case LEVEL_UNKNOWN:
		break;
	}
	return "\033[35m";
}

/* Display width of UTF-8 text (one column per code point). */
static size_t
cols(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Cut s to at most w columns (ending in "~" when cut), into a new string. */
static char *
cut(const char *s, size_t w)
{
	size_t n = 0, i;
	char *r;

	if (cols(s) <= w)
		return xstrdup(s);
	for (i = 0; s[i] != '\0'; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (n == w - 1)
				break;
			n++;
		}
	}
	r = xmalloc(i + 2);
	memcpy(r, s, i);
	r[i] = '~';
	r[i + 1] = '\0';
	return r;
}

static void
pad(struct buf *b, size_t n)
{
	while (n-- > 0)
		buf_putc(b, ' ');
}

/* Union of the hosts' keys in order. */
struct rows {
	const char **key;
	const char **label;
	size_t	 n;
};

static ssize_t
rows_find(const struct rows *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->key[i], key) == 0)
			return (ssize_t)i;
	return -1;
}

static void
rows_insert(struct rows *r, size_t at, const char *key, const char *label)
{
	r->key = xreallocarray(r->key, r->n + 1, sizeof *r->key);
	r->label = xreallocarray(r->label, r->n + 1, sizeof *r->label);
	memmove(&r->key[at + 1], &r->key[at], (r->n - at) * sizeof *r->key);
	memmove(&r->label[at + 1], &r->label[at],
	    (r->n - at) * sizeof *r->label);
	r->key[at] = key;
	r->label[at] = label;
	r->n++;
}

static void
rows_build(struct rows *r, const struct snapshot *s)
{
	size_t h, i;

	memset(r, 0, sizeof *r);
	for (h = 0; h < s->n_hosts; h++) {
		size_t after = 0;	/* insert position */

		for (i = 0; i < s->hosts[h].facts.n; i++) {
			const struct fact *f = &s->hosts[h].facts.v[i];
			ssize_t at = rows_find(r, f->key);

			if (at >= 0) {
				after = (size_t)at + 1;
				continue;
			}
			if (h == 0)
				after = r->n;
			rows_insert(r, after, f->key, f->label);
			after++;
		}
	}
}

static char *
cell_text(const struct fact *f, enum level l, int utf8)
{
	if (f->threshold != NULL && *f->threshold)
		return xasprintf("%s %s / %s", level_symbol(l, utf8), f->value,
		    f->threshold);
	return xasprintf("%s %s", level_symbol(l, utf8), f->value);
}

static void
put_cell(struct buf *b, const char *text, enum level l, size_t w,
    const struct out_opts *o)
{
	char *c = cut(text, w);

	if (o->color)
		buf_puts(b, color_of(l));
	buf_puts(b, c);
	if (o->color)
		buf_puts(b, ANSI_RESET);
	pad(b, w - cols(c));
	free(c);
}

static const char *
level_word(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return "OK";
	case LEVEL_WARN:
		return "WARN";
	case LEVEL_CRIT:
		return "CRIT";
	case LEVEL_UNKNOWN:
		break;
	}
	return "UNKNOWN";
}

static void
problem(struct buf *b, const char *who, const struct fact *f, enum level l,
    const struct out_opts *o)
{
	if (l == LEVEL_OK)
		return;
	if (o->color)
		buf_puts(b, color_of(l));
	buf_printf(b, "%s %-8s %s: %s", level_symbol(l, o->utf8), who,
	    f->label, f->value);
	if (f->threshold != NULL && *f->threshold)
		buf_printf(b, " / %s", f->threshold);
	if (o->color)
		buf_puts(b, ANSI_RESET);
	if (f->detail != NULL && *f->detail)
		buf_printf(b, " - %s", f->detail);
	if (l == LEVEL_UNKNOWN && f->level != LEVEL_UNKNOWN)
		buf_puts(b, " (stale)");
	buf_putc(b, '\n');
}

/* The table, the pair facts, then the problems. */
void
out_text(struct buf *b, const struct snapshot *s, const struct out_opts *o)
{
	struct rows r;
	size_t w = o->width > 8 ? (size_t)o->width : 40, lw = 4, i, h;
	enum level all = out_level(s, o), l;
	char when[TIMEFMT_LEN], *c;
	int any = 0;

	rows_build(&r, s);
	for (i = 0; i < r.n; i++)
		if (cols(r.label[i]) > lw)
			lw = cols(r.label[i]);
	for (i = 0; i < s->pair.n; i++)
		if (cols(s->pair.v[i].label) + 2 > lw)
			lw = cols(s->pair.v[i].label) + 2;
	if (lw > 28)
		lw = 28;

	timefmt_iso(o->now_ms, when, sizeof when);
	if (o->color)
		buf_puts(b, ANSI_BOLD);
	buf_printf(b, "drdeck status  pair %s  %.19sZ  ", o->pair ? o->pair :
	    "?", when);
	if (o->color)
		buf_puts(b, ANSI_RESET);
	if (o->color)
		buf_puts(b, color_of(all));
	buf_printf(b, "%s %s", level_symbol(all, o->utf8), level_word(all));
	if (o->color)
		buf_puts(b, ANSI_RESET);
	buf_puts(b, "\n\n");

	/* Header: host names with their state. */
	buf_puts(b, "FACT");
	pad(b, lw + 2 - 4);
	for (h = 0; h < s->n_hosts; h++) {
		const struct host_status *hs = &s->hosts[h];

		c = xasprintf("%s%s", hs->host ? hs->host : "?",
		    hs->facts.n == 0 ? " (no round)" : hs->reachable ? "" :
		    " (unreachable)");
		l = host_status_level(hs, o->now_ms, o->period_ms);
		if (h + 1 < s->n_hosts)
			put_cell(b, c, l, w, o);
		else {
			if (o->color)
				buf_puts(b, color_of(l));
			buf_puts(b, c);
			if (o->color)
				buf_puts(b, ANSI_RESET);
		}
		free(c);
		if (h + 1 < s->n_hosts)
			buf_puts(b, "  ");
	}
	buf_putc(b, '\n');

	for (i = 0; i < r.n; i++) {
		char *lab = cut(r.label[i], lw);
		size_t last = s->n_hosts;

		buf_puts(b, lab);
		pad(b, lw + 2 - cols(lab));
		free(lab);
		/* The last column with a cell carries no padding. */
		while (last > 0 && facts_find(&s->hosts[last - 1].facts,
		    r.key[i]) == NULL)
			last--;
		for (h = 0; h < last; h++) {
			const struct fact *f = facts_find(&s->hosts[h].facts,
			    r.key[i]);

			if (f == NULL) {
				pad(b, w + 2);
				continue;
			}
			l = fact_effective_level(f, o->now_ms, o->period_ms);
			c = cell_text(f, l, o->utf8);
			if (h + 1 < last) {
				put_cell(b, c, l, w, o);
				buf_puts(b, "  ");
			} else {
				char *cc = cut(c, w * 2);

				if (o->color)
					buf_puts(b, color_of(l));
				buf_puts(b, cc);
				if (o->color)
					buf_puts(b, ANSI_RESET);
				free(cc);
			}
			free(c);
		}
		buf_putc(b, '\n');
	}

	if (s->pair.n > 0) {
		buf_puts(b, "\nPAIR\n");
		for (i = 0; i < s->pair.n; i++) {
			const struct fact *f = &s->pair.v[i];
			char *lab = cut(f->label, lw - 2);

			l = fact_effective_level(f, o->now_ms, o->period_ms);
			if (o->color)
				buf_puts(b, color_of(l));
			buf_printf(b, "%s ", level_symbol(l, o->utf8));
			buf_puts(b, lab);
			pad(b, lw - cols(lab));
			buf_puts(b, f->value);
			if (o->color)
				buf_puts(b, ANSI_RESET);
			if (f->detail != NULL && *f->detail)
				buf_printf(b, "  (%s)", f->detail);
			buf_putc(b, '\n');
			free(lab);
		}
	}

	for (h = 0; h < s->n_hosts; h++)
		for (i = 0; i < s->hosts[h].facts.n; i++) {
			const struct fact *f = &s->hosts[h].facts.v[i];

			l = fact_effective_level(f, o->now_ms, o->period_ms);
			if (l != LEVEL_OK && !any++)
				buf_puts(b, "\nPROBLEMS\n");
			problem(b, s->hosts[h].host ? s->hosts[h].host : "?",
			    f, l, o);
		}
	for (i = 0; i < s->pair.n; i++) {
		const struct fact *f = &s->pair.v[i];

		l = fact_effective_level(f, o->now_ms, o->period_ms);
		if (l != LEVEL_OK && !any++)
			buf_puts(b, "\nPROBLEMS\n");
		problem(b, "pair", f, l, o);
	}
	free(r.key);
	free(r.label);
}
