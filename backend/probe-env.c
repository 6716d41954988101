/*
 * probe-env.c: the SHA-256 of the app's .env, computed on the host
 * itself (transport_sha256: sha256sum / Get-FileHash); the content never
 * leaves its host.  Shown as 12 hex digits, the whole hash in the detail
 * (the pair fact compares the hosts).  Warn for 24 h after the hash
 * changed since drdeck last saw it; what it saw is kept in the console's
 * state folder (<state_dir>/seen-env-<host>, mode 0600).
 *
 * Worker thread of the host; one bounded call, plus a small local file.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "os.h"
#include "xmalloc.h"

#define CHANGED_WARN_MS	(24 * 3600 * 1000LL)

/* What was seen last: 0 when there is a record. */
static int
seen_read(const char *path, char hex[65], int64_t *changed_at)
{
	FILE *f = fopen(path, "r");
	long long at;
	int ok;

	if (f == NULL)
		return -1;
	ok = fscanf(f, "%64s %lld", hex, &at) == 2 && strlen(hex) == 64;
	fclose(f);
	if (!ok)
		return -1;
	*changed_at = at;
	return 0;
}

static void
seen_write(const char *dir, const char *path, const char *hex, int64_t at)
{
	struct err e;
	char line[128];
	int n;

	if (os_mkdir_p(dir, 0700, &e) != 0)
		return;
	n = snprintf(line, sizeof line, "%s %" PRId64 "\n", hex, at);
	if (os_write_file_atomic(path, line, (size_t)n, 0600, &e) != 0)
		return;
}

/* Run the env probe. */
void
probe_env_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	struct err e = { "" };
	char hex[65], old[65], v[64], part[64], d[200], ago[32];
	char *path = NULL;
	int64_t now = clock_wall_ms(), changed_at = 0;
	enum level lv = LEVEL_OK;

	if (h->env_file == NULL)
		return;
	if (probe_hash(ctx, PROBE_ITEM_ENV, 0, h->env_file, hex, &e) != 0) {
		probe_unknown(out, "env.sha256", ".env", e.msg);
		return;
	}
	snprintf(v, sizeof v, "%.12s", hex);
	snprintf(d, sizeof d, "sha256 %s", hex);
	if (ctx->state_dir != NULL) {
		probe_key_part(h->name, part, sizeof part);
		path = xasprintf("%s/seen-env-%s", ctx->state_dir, part);
		if (seen_read(path, old, &changed_at) != 0) {
			seen_write(ctx->state_dir, path, hex, 0);
		} else if (strcmp(old, hex) != 0) {
			changed_at = now;
			seen_write(ctx->state_dir, path, hex, now);
		}
		if (changed_at > 0 && now - changed_at < CHANGED_WARN_MS) {
			lv = LEVEL_WARN;
			snprintf(d, sizeof d, "sha256 %s; changed %s ago, "
			    "since drdeck last saw it", hex,
			    fmt_duration((now - changed_at) / 1000, ago,
			    sizeof ago));
		}
	}
	facts_add(out, "env.sha256", ".env", lv, v, d,
	    lv == LEVEL_WARN ? "warn 24h after a change" : NULL, now);
	free(path);
}
