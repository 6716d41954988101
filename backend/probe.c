/*
 * probe.c: the table of probes and what they share (see probe.h).
 * Pure helpers, any thread.
 */
#include "probe.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"

const struct probe probe_table[] = {
	{ "reach",	probe_reach_run,	1 },
	{ "role",	probe_role_run,		1 },
	{ "db",		probe_db_run,		0 },
	{ "dumps",	probe_dumps_run,	1 },
	{ "restore",	probe_restore_run,	1 },
	{ "disk",	probe_disk_run,		1 },
	{ "env",	probe_env_run,		1 },
	{ "confparity",	probe_confparity_run,	1 },
	{ "storage",	probe_storage_run,	1 },
	{ "health",	probe_health_run,	0 },
	{ "services",	probe_services_run,	1 },
	{ NULL,		NULL,			0 },
};

/* Free what a round left in the scratch. */
void
probe_scratch_free(struct probe_scratch *s)
{
	if (s->have_state)
		host_state_free(&s->state);
	memset(s, 0, sizeof *s);
}

/* SHA-256 of a file on the host: the batch's answer, else one call. */
int
probe_hash(struct probe_ctx *ctx, enum probe_item kind, size_t idx,
    const char *path, char hex[65], struct err *e)
{
	const struct probe_item_result *it = probe_batch_get(ctx, kind, idx);
	size_t i;

	if (it == NULL)
		return transport_sha256(ctx->t, path, hex, probe_budget(ctx),
		    e);
	if (!it->done || !it->ok)
		return err_set(e, "%s: %s", ctx->h->name, it->text ?
		    it->text : "no answer");
	for (i = 0; i < 64; i++)
		if (!isxdigit((unsigned char)it->text[i]))
			return err_set(e, "%s: %s: not a sha256: %.80s",
			    ctx->h->name, path, it->text);
	if (it->text[64] != '\0' && it->text[64] != ' ')
		return err_set(e, "%s: %s: not a sha256: %.80s",
		    ctx->h->name, path, it->text);
	memcpy(hex, it->text, 64);
	hex[64] = '\0';
	return 0;
}

/* What one call may take now. */
int64_t
probe_budget(const struct probe_ctx *ctx)
{
	int64_t left = clock_left_ms(ctx->deadline);

	if (ctx->probe_timeout_ms > 0 && ctx->probe_timeout_ms < left)
		left = ctx->probe_timeout_ms;
	return left > 0 ? left : 1;
}

/* A fact at level UNKNOWN with the reason as its value and detail. */
struct fact *
probe_unknown(struct fact_list *out, const char *key, const char *label,
    const char *why)
{
	return facts_add(out, key, label, LEVEL_UNKNOWN, "unknown", why, NULL,
	    clock_wall_ms());
}

/* A key part: the last path component, lower case, [a-z0-9_-]. */
void
probe_key_part(const char *name, char *buf, size_t len)
{
	const char *b = name, *p;
	size_t n = 0, end;

	if (len == 0)
		return;
	end = strlen(name);
	while (end > 0 && (name[end - 1] == '/' || name[end - 1] == '\\'))
		end--;
	for (p = name; p < name + end; p++)
		if (*p == '/' || *p == '\\' || *p == ':')
			b = p + 1;
	for (p = b; p < name + end && n + 1 < len; p++) {
		unsigned char ch = (unsigned char)*p;

		if (isalnum(ch))
			buf[n++] = (char)tolower(ch);
		else if (ch == '-' || ch == '_')
			buf[n++] = (char)ch;
		else
			buf[n++] = '_';
	}
	if (n == 0 && len > 1)
		buf[n++] = '_';
	buf[n] = '\0';
}

/* Numeric compare of two digit runs (any length). */
static int
num_cmp(const char *a, size_t na, const char *b, size_t nb)
{
	int c;

	while (na > 1 && *a == '0') {
		a++;
		na--;
	}
	while (nb > 1 && *b == '0') {
		b++;
		nb--;
	}
	if (na != nb)
		return na < nb ? -1 : 1;
	c = memcmp(a, b, na);
	return c < 0 ? -1 : c > 0;
}

static int
is_sep(char c)
{
	return c != '\0' && !isalnum((unsigned char)c);
}

/* Versions: separators (. - _ ...) only split; digit runs compare as
 * numbers, letter runs as text, a number is above letters ("1.10" >
 * "1.beta"), and a version that goes on is the greater ("1.3.1" >
 * "1.3"). */
int
probe_version_cmp(const char *a, const char *b)
{
	for (;;) {
		int da, db, c;
		size_t na = 0, nb = 0;

		while (is_sep(*a))
			a++;
		while (is_sep(*b))
			b++;
		if (*a == '\0' || *b == '\0')
			break;
		da = isdigit((unsigned char)*a) != 0;
		db = isdigit((unsigned char)*b) != 0;
		while (a[na] != '\0' && !is_sep(a[na]) &&
		    (isdigit((unsigned char)a[na]) != 0) == da)
			na++;
		while (b[nb] != '\0' && !is_sep(b[nb]) &&
		    (isdigit((unsigned char)b[nb]) != 0) == db)
			nb++;
		if (da && db)
			c = num_cmp(a, na, b, nb);
		else if (da != db)
			c = da ? 1 : -1;
		else {
			size_t m = na < nb ? na : nb;

			c = memcmp(a, b, m);
			c = c < 0 ? -1 : c > 0;
			if (c == 0 && na != nb)
				c = na < nb ? -1 : 1;
		}
		if (c != 0)
			return c;
		a += na;
		b += nb;
	}
	if (*a == '\0' && *b == '\0')
		return 0;
	return *a != '\0' ? 1 : -1;
}

/* "<files> <bytes> <newest epoch s, may have a fraction>". */
int
probe_storage_parse(const char *text, uint64_t *files, uint64_t *bytes,
    double *newest)
{
	unsigned long long f, b;
	double n;
	char tail;
	int k;

	if (text == NULL || strchr(text, '-') != NULL)
		return -1;
	k = sscanf(text, " %llu %llu %lf %c", &f, &b, &n, &tail);
	if (k != 3)
		return -1;
	if (n < 0)
		return -1;
	*files = f;
	*bytes = b;
	*newest = n;
	return 0;
}
