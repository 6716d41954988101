/*
 * probe-batch.c: on a POSIX sh host, the exec-based measurements of a
 * round gathered into ONE remote command: the SHA-256 of the .env and of
 * each `compare` file, the storage summaries (find | awk), and each
 * service's status command.  A session costs little, but every command
 * costs the far side a process and its login shell's startup (tens to
 * hundreds of ms): one command instead of a dozen is what keeps a warm
 * round short.
 *
 * The paths travel as positional parameters ("$1", "$2" ...), never in
 * the script text; a service's status argv is quoted for sh (quote.h).
 * Each item runs under `timeout` so one stuck service cannot eat the
 * round; the whole command is bounded by the probe budget.
 *
 * The script starts and ends by printing the host's clock ("T0 ms",
 * "T1 ms"): the reach probe reads the clock skew from them (the shell's
 * start-up time, known from the exec's duration less the script's own,
 * is taken off, so a slow login shell does not pass for skew).
 *
 * Output, one line per item ("N" is the item's number):
 *   S N <64 hex>            a hash
 *   F N <files> <bytes> <newest epoch s>   a storage summary
 *   X N <exit status>       a service status command
 *   E N <message>           the item failed
 * The probes (env, confparity, storage, services) read their item with
 * probe_batch_get(); without a batch (PowerShell hosts, or the batch
 * failed) they fall back to one call each.
 *
 * Worker thread of the host.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "quote.h"
#include "xmalloc.h"

#define ITEM_TIMEOUT_S	"10"

static const char sh_prelude[] =
    "LC_ALL=C; export LC_ALL; "
    "to() { if command -v timeout >/dev/null 2>&1; then "
    "timeout -s KILL " ITEM_TIMEOUT_S " \"$@\"; else \"$@\"; fi; }; "
    "hash() { n=$1; f=$2; "
    "if [ ! -r \"$f\" ]; then echo \"E $n cannot read $f\"; return; fi; "
    "h=$(to sha256sum < \"$f\" 2>&1) || { echo \"E $n sha256sum failed\"; "
    "return; }; echo \"S $n ${h%% *}\"; }; "
    "summ() { n=$1; d=$2; "
    "if [ ! -d \"$d\" ]; then echo \"E $n no such folder: $d\"; return; fi; "
    "r=$(to find \"$d\" -type f -printf '%s %T@\\n' | "
    "awk '{ n++; b += $1; if ($2 > m) m = $2 } "
    "END { printf \"%d %.0f %.3f\\n\", n, b, m }') || "
    "{ echo \"E $n find failed\"; return; }; echo \"F $n $r\"; }; ";

static void
batch_free_items(struct probe_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i].text);
	free(b->v);
	b->v = NULL;
	b->n = 0;
}

/* Free the batch's results. */
void
probe_batch_free(struct probe_batch *b)
{
	batch_free_items(b);
	memset(b, 0, sizeof *b);
}

static size_t
item_add(struct probe_batch *b, enum probe_item kind, size_t idx)
{
	b->v = xreallocarray(b->v, b->n + 1, sizeof *b->v);
	memset(&b->v[b->n], 0, sizeof b->v[b->n]);
	b->v[b->n].kind = kind;
	b->v[b->n].idx = idx;
	return b->n++;
}

static void parse_item(struct probe_batch *b, const char *line);

static void
parse_line(struct probe_batch *b, const char *line)
{
	long long ms;

	if (sscanf(line, "T0 %lld", &ms) == 1) {
		b->host_t0 = ms;
		return;
	}
	if (sscanf(line, "T1 %lld", &ms) == 1) {
		b->host_t1 = ms;
		return;
	}
	parse_item(b, line);
}

static void
parse_item(struct probe_batch *b, const char *line)
{
	char tag;
	unsigned long n;
	int off = 0;
	struct probe_item_result *it;

	if (sscanf(line, "%c %lu %n", &tag, &n, &off) < 2 || off == 0 ||
	    n >= b->n)
		return;
	it = &b->v[n];
	if (it->done)
		return;
	it->done = 1;
	switch (tag) {
	case 'S':
	case 'F':
		it->ok = 1;
		it->text = xstrdup(line + off);
		break;
	case 'X':
		it->ok = 1;
		it->rc = atoi(line + off);
		break;
	default:
		it->ok = 0;
		it->text = xstrdup(line + off);
		break;
	}
}

/* Run the batch on an sh host; results in ctx->batch. */
void
probe_batch_run(struct probe_ctx *ctx)
{
	const struct host_cfg *h = ctx->h;
	struct probe_batch *b = &ctx->batch;
	struct buf script = { 0 };
	struct strv argv = { 0 };
	struct exec_result r = { 0 };
	struct err e = { "" };
	size_t i, k, nargs = 0;
	char num[EXEC_DESCRIBE_MAX], *line, *save = NULL;
	int64_t t0;

	memset(b, 0, sizeof *b);
	if (ctx->t == NULL || h->shell != HOST_SHELL_SH)
		return;
	buf_puts(&script, sh_prelude);
	buf_puts(&script, "echo \"T0 $(date +%s%3N)\"; ");
	strv_push(&argv, "sh");
	strv_push(&argv, "-c");
	strv_push(&argv, "");		/* the script, set below */
	strv_push(&argv, "drdeck-probe");

	if (h->env_file != NULL) {
		k = item_add(b, PROBE_ITEM_ENV, 0);
		strv_push(&argv, h->env_file);
		buf_printf(&script, "hash %zu \"$%zu\"; ", k, ++nargs);
	}
	for (i = 0; i < h->compare.n; i++) {
		k = item_add(b, PROBE_ITEM_CONF, i);
		strv_push(&argv, h->compare.v[i]);
		buf_printf(&script, "hash %zu \"$%zu\"; ", k, ++nargs);
	}
	for (i = 0; i < h->storage.n; i++) {
		k = item_add(b, PROBE_ITEM_STORAGE, i);
		strv_push(&argv, h->storage.v[i]);
		buf_printf(&script, "summ %zu \"$%zu\"; ", k, ++nargs);
	}
	for (i = 0; i < h->n_services; i++) {
		struct buf cmd = { 0 };

		if (h->services[i].status.n == 0)
			continue;
		if (quote_sh_argv(&cmd, strv_argv(&h->services[i].status),
		    &e) != 0) {
			buf_free(&cmd);
			k = item_add(b, PROBE_ITEM_SERVICE, i);
			b->v[k].done = 1;
			b->v[k].text = xstrdup(e.msg);
			continue;
		}
		k = item_add(b, PROBE_ITEM_SERVICE, i);
		buf_printf(&script, "to %s </dev/null >/dev/null 2>&1; "
		    "echo \"X %zu $?\"; ", buf_str(&cmd), k);
		buf_free(&cmd);
	}
	buf_puts(&script, "echo \"T1 $(date +%s%3N)\"");
	free(argv.v[2]);
	argv.v[2] = xstrdup(buf_str(&script));
	b->ran = 1;
	b->sent_wall = clock_wall_ms();
	t0 = clock_mono_ms();
	if (transport_exec(ctx->t, strv_argv(&argv), NULL, 0,
	    probe_budget(ctx), &r, &e) != 0) {
		snprintf(b->err, sizeof b->err, "%s", e.msg);
		goto out;
	}
	b->dur_ms = clock_mono_ms() - t0;
	for (line = strtok_r(r.out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		parse_line(b, line);
	b->have_clock = b->host_t0 > 0 && b->host_t1 >= b->host_t0;
	if (!exec_ok(&r))
		snprintf(b->err, sizeof b->err, "the probe command: %s%s%.200s",
		    exec_describe(&r, num, sizeof num), r.err_len ? ": " : "",
		    r.errout);
	else
		snprintf(b->err, sizeof b->err, "no answer for this item");
out:
	exec_result_free(&r);
	strv_free(&argv);
	buf_free(&script);
}

/* The result of item (kind, idx), or NULL when there was no batch (the
 * probe then asks by itself).  An item the batch did not answer comes
 * back with done = 0 and the batch's error as its text. */
const struct probe_item_result *
probe_batch_get(struct probe_ctx *ctx, enum probe_item kind, size_t idx)
{
	struct probe_batch *b = &ctx->batch;
	size_t i;

	if (!b->ran)
		return NULL;
	for (i = 0; i < b->n; i++) {
		struct probe_item_result *it = &b->v[i];

		if (it->kind != kind || it->idx != idx)
			continue;
		if (!it->done && it->text == NULL)
			it->text = xstrdup(b->err[0] ? b->err :
			    "no answer for this item");
		return it;
	}
	return NULL;
}
