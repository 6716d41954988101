/*
 * probe-storage.c: per storage folder, the file count, total bytes and
 * the newest modification time, computed on the host by ONE command per
 * folder (nothing is listed over the wire):
 *   sh:  find DIR -type f -printf '%s %T@\n' | awk '{...} END {print}'
 *   PowerShell: Get-ChildItem -Recurse -File | Measure-Object
 * The folder travels as an argument ($1 / a quoted PowerShell string),
 * never inside the script text.  Drift between the hosts is a pair fact.
 *
 * Worker thread of the host; one bounded exec per folder.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "quote.h"

static const char sh_script[] =
    "[ -d \"$1\" ] || { echo \"no such folder: $1\" >&2; exit 3; }; "
    "find \"$1\" -type f -printf '%s %T@\\n' | "
    "awk '{ n++; b += $1; if ($2 > m) m = $2 } "
    "END { printf \"%d %.0f %.3f\\n\", n, b, m }'";

static const char ps_head[] =
    "$ErrorActionPreference = 'Stop'; $d = ";
static const char ps_tail[] =
    "; $f = @(Get-ChildItem -LiteralPath $d -Recurse -File -Force); "
    "$s = ($f | Measure-Object -Property Length -Sum).Sum; "
    "if ($s -eq $null) { $s = 0 }; "
    "$m = 0; if ($f.Count -gt 0) { $m = ([DateTimeOffset]($f | "
    "Measure-Object -Property LastWriteTimeUtc -Maximum).Maximum)"
    ".ToUnixTimeMilliseconds() / 1000 }; "
    "'{0} {1} {2}' -f $f.Count, [int64]$s, $m";

static void
all_unknown(struct fact_list *out, const char *part, const char *why)
{
	char key[128], label[128];

	snprintf(key, sizeof key, "storage.%s.files", part);
	snprintf(label, sizeof label, "%s files", part);
	probe_unknown(out, key, label, why);
	snprintf(key, sizeof key, "storage.%s.bytes", part);
	snprintf(label, sizeof label, "%s size", part);
	probe_unknown(out, key, label, why);
	snprintf(key, sizeof key, "storage.%s.newest", part);
	snprintf(label, sizeof label, "%s newest", part);
	probe_unknown(out, key, label, why);
}

static void
one(struct probe_ctx *ctx, struct fact_list *out, const char *dir,
    size_t idx)
{
	const struct probe_item_result *it;
	struct exec_result r = { 0 };
	struct err e = { "" };
	struct buf ps = { 0 };
	char part[64], key[128], label[128], v[96], a[32], d[300];
	uint64_t files, bytes;
	double newest;
	int64_t now = clock_wall_ms();
	struct fact *f;
	int rc;

	probe_key_part(dir, part, sizeof part);
	if ((it = probe_batch_get(ctx, PROBE_ITEM_STORAGE, idx)) != NULL) {
		if (!it->done || !it->ok) {
			snprintf(d, sizeof d, "%s", it->text ? it->text :
			    "no answer");
			all_unknown(out, part, d);
			goto out;
		}
		if (probe_storage_parse(it->text, &files, &bytes,
		    &newest) != 0) {
			snprintf(d, sizeof d, "%s: cannot read '%.100s'", dir,
			    it->text);
			all_unknown(out, part, d);
			goto out;
		}
		goto facts;
	}
	if (ctx->h->shell == HOST_SHELL_SH) {
		const char *argv[] = { "sh", "-c", sh_script, "sh", dir, NULL };

		rc = transport_exec(ctx->t, argv, NULL, 0, probe_budget(ctx),
		    &r, &e);
	} else {
		buf_puts(&ps, ps_head);
		if (quote_ps_word(&ps, dir, &e) != 0) {
			all_unknown(out, part, e.msg);
			goto out;
		}
		buf_puts(&ps, ps_tail);
		{
			const char *argv[] = { "powershell", "-NoProfile",
				"-NonInteractive", "-Command", buf_str(&ps),
				NULL };

			rc = transport_exec(ctx->t, argv, NULL, 0,
			    probe_budget(ctx), &r, &e);
		}
	}
	if (rc != 0) {
		all_unknown(out, part, e.msg);
		goto out;
	}
	if (!exec_ok(&r) || probe_storage_parse(r.out, &files, &bytes,
	    &newest) != 0) {
		char how[EXEC_DESCRIBE_MAX];

		snprintf(d, sizeof d, "%s: %s%s%.200s", dir,
		    exec_describe(&r, how, sizeof how),
		    r.err_len ? ": " : "", r.errout);
		all_unknown(out, part, d);
		goto out;
	}
facts:
	snprintf(key, sizeof key, "storage.%s.files", part);
	snprintf(label, sizeof label, "%s files", part);
	snprintf(v, sizeof v, "%" PRIu64, files);
	f = facts_add(out, key, label, LEVEL_OK, v, dir, NULL, now);
	fact_set_num(f, (double)files, "");
	snprintf(key, sizeof key, "storage.%s.bytes", part);
	snprintf(label, sizeof label, "%s size", part);
	f = facts_add(out, key, label, LEVEL_OK, fmt_bytes(bytes, a,
	    sizeof a), NULL, NULL, now);
	fact_set_num(f, (double)bytes, "B");
	snprintf(key, sizeof key, "storage.%s.newest", part);
	snprintf(label, sizeof label, "%s newest", part);
	if (files == 0)
		snprintf(v, sizeof v, "no files");
	else
		snprintf(v, sizeof v, "%s ago", fmt_duration(now / 1000 -
		    (int64_t)newest, a, sizeof a));
	f = facts_add(out, key, label, LEVEL_OK, v,
	    "modification time of the newest file (epoch s in the number)",
	    NULL, now);
	fact_set_num(f, newest, "");
out:
	buf_free(&ps);
	exec_result_free(&r);
}

/* Run the storage probe. */
void
probe_storage_run(struct probe_ctx *ctx, struct fact_list *out)
{
	size_t i;

	for (i = 0; i < ctx->h->storage.n; i++)
		one(ctx, out, ctx->h->storage.v[i], i);
}
