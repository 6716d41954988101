/*
 * bench_remote.c: the transport's costs, for tests/bench/remote.sh.
 *
 *   bench_remote CONFIG HOST put LOCAL REMOTE
 *       one transport_put (sha256 checked on the host, fsync, rename);
 *       prints "put_ms N" (the call alone) on stdout
 *   bench_remote CONFIG HOST exec N
 *       one warm-up exec of `true`, then N more on the same session;
 *       prints "exec_ms MEDIAN MIN MAX"
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "transport.h"

static int
cmp64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static int
exec_true(struct transport *t, struct err *e)
{
	const char *argv[] = { "true", NULL };
	struct exec_result r;
	int ok;

	if (transport_exec(t, argv, NULL, 0, 30000, &r, e) == -1) {
		exec_result_free(&r);
		return -1;
	}
	ok = exec_ok(&r);
	exec_result_free(&r);
	if (!ok)
		return err_set(e, "true did not succeed");
	return 0;
}

int
main(int argc, char **argv)
{
	const struct host_cfg *h;
	struct config *cfg;
	struct transport *t;
	struct err e = { "" };
	int rc = 1;

	if (argc < 5) {
		fprintf(stderr, "usage: bench_remote CONFIG HOST put LOCAL "
		    "REMOTE | exec N\n");
		return 2;
	}
	if (config_load(argv[1], &cfg, NULL, &e) == -1) {
		fprintf(stderr, "bench_remote: %s\n", e.msg);
		return 2;
	}
	if ((h = config_host(cfg, argv[2])) == NULL) {
		fprintf(stderr, "bench_remote: no host %s\n", argv[2]);
		return 2;
	}
	if (transport_open(h, 30000, &t, &e) == -1) {
		fprintf(stderr, "bench_remote: %s\n", e.msg);
		return 2;
	}
	if (strcmp(argv[3], "put") == 0 && argc == 6) {
		int64_t t0 = clock_mono_ms();

		if (transport_put(t, argv[4], argv[5], NULL, NULL, 600000,
		    &e) == -1)
			goto out;
		printf("put_ms %" PRId64 "\n", clock_mono_ms() - t0);
	} else if (strcmp(argv[3], "exec") == 0) {
		int n = atoi(argv[4]), i;
		int64_t *ms = calloc((size_t)(n > 0 ? n : 1), sizeof *ms);

		if (n <= 0 || ms == NULL || exec_true(t, &e) == -1) {
			free(ms);
			goto out;
		}
		for (i = 0; i < n; i++) {
			int64_t t0 = clock_mono_ms();

			if (exec_true(t, &e) == -1) {
				free(ms);
				goto out;
			}
			ms[i] = clock_mono_ms() - t0;
		}
		qsort(ms, (size_t)n, sizeof *ms, cmp64);
		printf("exec_ms %" PRId64 " %" PRId64 " %" PRId64 "\n",
		    n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2, ms[0],
		    ms[n - 1]);
		free(ms);
	} else {
		fprintf(stderr, "bench_remote: bad command %s\n", argv[3]);
		goto done;
	}
	rc = 0;
	goto done;
out:
	fprintf(stderr, "bench_remote: %s\n", e.msg);
done:
	transport_close(t);
	config_free(cfg);
	return rc;
}
