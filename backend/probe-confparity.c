/*
 * probe-confparity.c: the SHA-256 of each configured `compare` file
 * (NGINX configs and the like), computed on the host.  Shown as 12 hex,
 * the whole hash in the detail; the pair fact lists the files that differ
 * between the hosts (matched by position in the two lists).
 *
 * Worker thread of the host; one bounded call per file.
 */
#include "probe.h"

#include <stdio.h>

#include "clock.h"

/* Run the config parity probe. */
void
probe_confparity_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	struct err e = { "" };
	char hex[65], key[96], part[64], v[32], d[160];
	size_t i;

	for (i = 0; i < h->compare.n; i++) {
		probe_key_part(h->compare.v[i], part, sizeof part);
		snprintf(key, sizeof key, "conf.%s", part);
		if (probe_hash(ctx, PROBE_ITEM_CONF, i, h->compare.v[i], hex,
		    &e) != 0) {
			probe_unknown(out, key, part, e.msg);
			continue;
		}
		snprintf(v, sizeof v, "%.12s", hex);
		snprintf(d, sizeof d, "sha256 %s", hex);
		facts_add(out, key, part, LEVEL_OK, v, d, NULL,
		    clock_wall_ms());
	}
}
