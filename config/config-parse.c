/*
 * config-parse.c: the value parsers of the config (durations, sizes,
 * clock times) and the text helpers of its messages (line and column,
 * UTF-8 check, formatting back).  Pure; any thread; never blocks.
 */
#include "config-int.h"

#include <ctype.h>
#include <inttypes.h>
#include <string.h>
#include <strings.h>

/* The longest duration accepted: 100 years. */
#define DUR_MAX	((int64_t)100 * 366 * 86400)

/* "3h", "90m", "45s", "2d", "1h30m", "1d12h", "100" (seconds) -> seconds. */
int
config_parse_duration(const char *s, int64_t *out, struct err *e)
{
	static const struct { char unit; int64_t secs; } units[] = {
		{ 'w', 7 * 86400 }, { 'd', 86400 }, { 'h', 3600 },
		{ 'm', 60 }, { 's', 1 },
	};
	const char *p = s;
	int64_t total = 0;
	size_t last = 0;	/* units must come largest first, once each */
	int parts = 0;

	if (s == NULL || *s == '\0')
		return err_set(e, "expected a duration such as 3h, 90m, 45s "
		    "or 1h30m, got an empty string");
	while (*p != '\0') {
		int64_t n = 0;
		size_t i;
		int digits = 0;

		while (isdigit((unsigned char)*p)) {
			if (n > DUR_MAX)
				goto bad;
			n = n * 10 + (*p - '0');
			p++;
			digits++;
		}
		if (digits == 0)
			goto bad;
		if (*p == '\0') {
			/* a bare number is seconds, alone only */
			if (parts > 0)
				goto bad;
			total = n;
			break;
		}
		for (i = last; i < sizeof units / sizeof units[0]; i++)
			if (tolower((unsigned char)*p) == units[i].unit)
				break;
		if (i == sizeof units / sizeof units[0])
			goto bad;
		if (n > DUR_MAX / units[i].secs)
			goto bad;
		total += n * units[i].secs;
		if (total > DUR_MAX)
			goto bad;
		last = i + 1;
		parts++;
		p++;
	}
	if (total > DUR_MAX)
		goto bad;
	*out = total;
	return 0;
bad:
	return err_set(e, "expected a duration such as 3h, 90m, 45s, 2d or "
	    "1h30m (at most 100 years), got \"%.40s\"", s);
}

/* "5GiB", "512MiB", "2GB", "100", "10K" -> bytes. */
int
config_parse_size(const char *s, uint64_t *out, struct err *e)
{
	static const struct { const char *name; uint64_t mult; } units[] = {
		{ "", 1 }, { "b", 1 },
		{ "k", 1024ULL }, { "kib", 1024ULL }, { "kb", 1000ULL },
		{ "m", 1ULL << 20 }, { "mib", 1ULL << 20 },
		{ "mb", 1000000ULL },
		{ "g", 1ULL << 30 }, { "gib", 1ULL << 30 },
		{ "gb", 1000000000ULL },
		{ "t", 1ULL << 40 }, { "tib", 1ULL << 40 },
		{ "tb", 1000000000000ULL },
	};
	const char *p = s;
	uint64_t n = 0;
	size_t i;
	int digits = 0;

	if (s == NULL)
		goto bad;
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			goto bad;
		n = n * 10 + d;
		p++;
		digits++;
	}
	if (digits == 0)
		goto bad;
	while (*p == ' ')
		p++;
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcasecmp(p, units[i].name) == 0)
			break;
	if (i == sizeof units / sizeof units[0])
		goto bad;
	if (n != 0 && units[i].mult > UINT64_MAX / n)
		goto bad;
	*out = n * units[i].mult;
	return 0;
bad:
	return err_set(e, "expected a size such as 5GiB, 512MiB, 2GB or a "
	    "number of bytes, got \"%.40s\"", s != NULL ? s : "");
}

/* "00:30" -> 30; "24:00" is accepted (the end of a day). */
int
config_parse_hhmm(const char *s, int *out, struct err *e)
{
	int h, m;

	if (s == NULL || strlen(s) != 5 || !isdigit((unsigned char)s[0]) ||
	    !isdigit((unsigned char)s[1]) || s[2] != ':' ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		goto bad;
	h = (s[0] - '0') * 10 + (s[1] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	if (m > 59 || h > 24 || (h == 24 && m != 0))
		goto bad;
	*out = h * 60 + m;
	return 0;
bad:
	return err_set(e, "expected a time of day HH:MM (00:00..24:00), "
	    "got \"%.40s\"", s != NULL ? s : "");
}

void
cfg_linecol(const char *text, size_t offset, int *line, int *col)
{
	size_t i;
	int l = 1, c = 1;

	for (i = 0; i < offset && text[i] != '\0'; i++) {
		if (text[i] == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)text[i] & 0xc0) != 0x80) {
			c++;
		}
	}
	*line = l;
	*col = c;
}

size_t
cfg_utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		unsigned c = u[i];
		size_t n, k;
		uint32_t cp;

		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		} else {
			return i;
		}
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (u[i + k] & 0xc0) != 0x80)
				return i;
			cp = (cp << 6) | (u[i + k] & 0x3f);
		}
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += n + 1;
	}
	return len;
}

void
cfg_fmt_duration(int64_t s, char *out, size_t len)
{
	static const struct { char unit; int64_t secs; } units[] = {
		{ 'd', 86400 }, { 'h', 3600 }, { 'm', 60 }, { 's', 1 },
	};
	size_t i, used = 0;

	if (s <= 0) {
		snprintf(out, len, "0s");
		return;
	}
	out[0] = '\0';
	for (i = 0; i < sizeof units / sizeof units[0] && used < len; i++) {
		if (s >= units[i].secs) {
			int w = snprintf(out + used, len - used, "%" PRId64 "%c",
			    s / units[i].secs, units[i].unit);

			if (w < 0)
				break;
			used += (size_t)w;
			s %= units[i].secs;
		}
	}
}

void
cfg_fmt_size(uint64_t n, char *out, size_t len)
{
	static const char *const names[] = { "TiB", "GiB", "MiB", "KiB" };
	static const int shifts[] = { 40, 30, 20, 10 };
	size_t i;

	for (i = 0; i < 4; i++) {
		uint64_t m = 1ULL << shifts[i];

		if (n != 0 && n % m == 0) {
			snprintf(out, len, "%" PRIu64 "%s", n / m, names[i]);
			return;
		}
	}
	snprintf(out, len, "%" PRIu64, n);
}

void
cfg_put_json_string(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', out);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p == '\t')
			fputs("\\t", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}
