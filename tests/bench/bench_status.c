/*
 * bench_status.c: the cost of a status probe round on warm sessions.
 *
 *   bench_status CONFIG rounds N     N warm rounds of both hosts through
 *                                    the poller (poller_start, then
 *                                    poller_refresh); prints each round's
 *                                    wall ms, one per line
 *   bench_status CONFIG probes N     per probe, per host: the median ms of
 *                                    N runs on one warm transport (the
 *                                    batch of exec-based items first)
 * Used by tests/bench/status.sh.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "hub.h"
#include "pgconn.h"
#include "poller.h"
#include "probe.h"
#include "transport.h"

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Wait until every host published a round that ended after since. */
static int
wait_round(struct hub *h, size_t n, int64_t since, int64_t timeout_ms)
{
	int64_t deadline = clock_mono_ms() + timeout_ms;

	for (;;) {
		const struct snapshot *s = hub_acquire(h);
		size_t i, fresh = 0;
		struct pollfd p;

		for (i = 0; i < n; i++)
			if (s->hosts[i].snapshot_at >= since)
				fresh++;
		hub_release(h, s);
		if (fresh == n)
			return 0;
		if (clock_left_ms(deadline) <= 0)
			return -1;
		p.fd = hub_wake_fd(h);
		p.events = POLLIN;
		poll(&p, 1, 50);
		hub_drain_wake(h);
	}
}

static int
rounds(struct config *c, int n)
{
	const char *names[HUB_MAX_HOSTS];
	struct poller *p;
	struct hub *h;
	struct err e = { "" };
	size_t i;
	int k;

	for (i = 0; i < c->n_hosts; i++)
		names[i] = c->hosts[i].name;
	h = hub_new(c->n_hosts, names);
	if (poller_start(c, h, &p, &e) != 0) {
		fprintf(stderr, "bench_status: %s\n", e.msg);
		return 1;
	}
	/* the first round opens the sessions (cold) */
	if (wait_round(h, c->n_hosts, 1, 30000) != 0) {
		fprintf(stderr, "bench_status: no first round\n");
		return 1;
	}
	for (k = 0; k < n; k++) {
		int64_t w0 = clock_wall_ms(), t0 = clock_mono_ms();

		poller_refresh(p);
		if (wait_round(h, c->n_hosts, w0, 30000) != 0) {
			fprintf(stderr, "bench_status: round %d timed out\n",
			    k);
			return 1;
		}
		printf("%lld\n", (long long)(clock_mono_ms() - t0));
	}
	poller_stop(p);
	hub_free(h);
	return 0;
}

#define MAXP 32

static int
probes(struct config *c, int n)
{
	size_t i, j, np;
	int k;

	for (np = 0; probe_table[np].name != NULL; np++)
		;
	for (i = 0; i < c->n_hosts; i++) {
		struct transport *t = NULL;
		struct pgconn *pg = NULL;
		struct err e = { "" };
		int64_t *ms[MAXP + 2];

		if (transport_open(&c->hosts[i], 10000, &t, &e) != 0) {
			fprintf(stderr, "bench_status: %s\n", e.msg);
			return 1;
		}
		for (j = 0; j <= np + 1; j++)
			ms[j] = calloc((size_t)n, sizeof **ms);
		for (k = 0; k < n; k++) {
			struct probe_ctx ctx;
			struct fact_list l = { 0 };
			int64_t t0;

			memset(&ctx, 0, sizeof ctx);
			ctx.c = c;
			ctx.h = &c->hosts[i];
			ctx.t = t;
			ctx.pg = &pg;
			ctx.deadline = clock_mono_ms() + 10000;
			ctx.probe_timeout_ms = 5000;
			t0 = clock_mono_ms();
			probe_batch_run(&ctx);
			ms[np][k] = clock_mono_ms() - t0;
			/* the far side's shell start-up: the command's time
			 * less the script's own */
			ms[np + 1][k] = ctx.batch.have_clock ? ctx.batch.dur_ms -
			    (ctx.batch.host_t1 - ctx.batch.host_t0) : -1;
			for (j = 0; j < np; j++) {
				t0 = clock_mono_ms();
				probe_table[j].run(&ctx, &l);
				ms[j][k] = clock_mono_ms() - t0;
			}
			probe_scratch_free(&ctx.scratch);
			probe_batch_free(&ctx.batch);
			facts_free(&l);
		}
		for (j = 0; j <= np + 1; j++) {
			qsort(ms[j], (size_t)n, sizeof **ms, cmp64);
			printf("%s\t%s\t%lld\n", c->hosts[i].name,
			    j < np ? probe_table[j].name : j == np ? "(batch)" :
			    "(shell start-up)", (long long)ms[j][n / 2]);
			free(ms[j]);
		}
		pgconn_close(pg);
		transport_close(t);
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct config *c = NULL;
	struct err e = { "" };
	int n, rc;

	if (argc != 4) {
		fprintf(stderr, "usage: bench_status CONFIG rounds|probes N\n");
		return 2;
	}
	if (config_load(argv[1], &c, NULL, &e) != 0) {
		fprintf(stderr, "bench_status: %s\n", e.msg);
		return 2;
	}
	n = atoi(argv[3]);
	if (n < 1)
		n = 1;
	if (strcmp(argv[2], "rounds") == 0)
		rc = rounds(c, n);
	else if (strcmp(argv[2], "probes") == 0)
		rc = probes(c, n);
	else
		rc = 2;
	config_free(c);
	return rc;
}
