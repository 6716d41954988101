/*
 * bench_journal.c: the journal's tail reader on a real file.
 *
 *   bench_journal FILE [N] [RUNS]
 *
 * Reads the last N events (default 50) of FILE with journal_tail, RUNS
 * times (default 5), each on a freshly opened file, and prints
 * "key<TAB>value" lines:
 *   events   how many came back
 *   skipped  torn or garbage lines seen
 *   bytes    the file's size
 *   ms       the median ms of one tail
 * Used by tests/bench/core.sh (against `tail -n 50`).
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "journal.h"
#include "xmalloc.h"

static int
cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int
main(int argc, char **argv)
{
	struct journal_tail t;
	struct err e = { "" };
	struct stat st;
	size_t n = 50, got = 0, skipped = 0;
	double *ms;
	int runs = 5, r;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_journal FILE [N] [RUNS]\n");
		return 2;
	}
	if (argc > 2)
		n = (size_t)strtoul(argv[2], NULL, 10);
	if (argc > 3)
		runs = atoi(argv[3]);
	if (runs < 1)
		runs = 1;
	if (n < 1)
		n = 1;
	if (stat(argv[1], &st) == -1) {
		perror(argv[1]);
		return 1;
	}
	ms = xcalloc((size_t)runs, sizeof *ms);
	for (r = 0; r < runs; r++) {
		double a = now_ms();

		if (journal_tail(argv[1], n, 0, &t, &e) != 0) {
			fprintf(stderr, "bench_journal: %s\n", e.msg);
			return 1;
		}
		ms[r] = now_ms() - a;
		got = t.n;
		skipped = t.skipped;
		journal_tail_free(&t);
	}
	qsort(ms, (size_t)runs, sizeof *ms, cmpd);
	printf("events\t%zu\nskipped\t%zu\nbytes\t%lld\nms\t%.3f\n", got,
	    skipped, (long long)st.st_size, ms[runs / 2]);
	free(ms);
	return 0;
}
