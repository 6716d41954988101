/*
 * bench_catalog.c: the dump catalog on a real folder.
 *
 *   bench_catalog DIR DB [RUNS]
 *
 * Each run lists DIR (names, sizes, mtimes, as the local transport does),
 * builds the catalog of DB's dumps in it (zone UTC, the default schedule)
 * and finds the latest dump: the job `ls | sort | tail -1` does by name.
 * A second figure adds what only the catalog answers: the latest verified
 * dump, the slots of the last 30 days and the retention plan.  Prints
 * the median of RUNS (default 5) for each, one "key<TAB>value" a line:
 *   latest   NAME
 *   dumps    N
 *   ms       median ms of list + build + latest
 *   full_ms  median ms of the same + slots over 30 days + retention
 *   build_ms median ms of build + latest alone, on a listing in memory
 *            (the catalog's own cost, without the folder's I/O)
 * Used by tests/bench/core.sh.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "catalog.h"
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

static int
list(const char *dir, struct rdir *out)
{
	struct dirent *de;
	struct stat st;
	DIR *d;

	memset(out, 0, sizeof *out);
	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL) {
		struct rdirent *e;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, 0) == -1)
			continue;
		out->e = xreallocarray(out->e, out->n + 1, sizeof *out->e);
		e = &out->e[out->n++];
		e->name = xstrdup(de->d_name);
		e->is_dir = S_ISDIR(st.st_mode);
		e->size = (uint64_t)st.st_size;
		e->mtime = st.st_mtime;
	}
	closedir(d);
	return 0;
}

static void
list_free(struct rdir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->e[i].name);
	free(d->e);
}

int
main(int argc, char **argv)
{
	struct schedule_cfg sc;
	double *t1, *t2, *t3, m1, m2;
	char latest[512] = "";
	size_t dumps = 0;
	int runs, r;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_catalog DIR DB [RUNS]\n");
		return 2;
	}
	runs = argc > 3 ? atoi(argv[3]) : 5;
	if (runs < 1)
		runs = 1;
	memset(&sc, 0, sizeof sc);
	sc.daytime_every = 3 * 3600;
	sc.daytime_end = 24 * 60;
	sc.restore_stagger = 600;
	sc.nightly_restore = 30;
	sc.keep_daytime = 8;
	sc.keep_nightly = 7;
	t1 = xcalloc((size_t)runs, sizeof *t1);
	t2 = xcalloc((size_t)runs, sizeof *t2);
	t3 = xcalloc((size_t)runs, sizeof *t3);
	for (r = 0; r < runs; r++) {
		struct rdir d;
		struct catalog c;
		struct cat_slots sl;
		struct strv del = { NULL, 0 };
		struct err e = { "" };
		const struct cat_dump *l;
		double a = now_ms();

		if (list(argv[1], &d) == -1) {
			perror(argv[1]);
			return 1;
		}
		if (catalog_build(&d, argv[2], "UTC", &sc, &c, &e) != 0) {
			fprintf(stderr, "bench_catalog: %s\n", e.msg);
			return 1;
		}
		l = catalog_latest(&c);
		t1[r] = now_ms() - a;
		if (l != NULL)
			snprintf(latest, sizeof latest, "%s", l->name);
		dumps = c.n_dumps;
		(void)catalog_latest_verified(&c);
		if (l != NULL && catalog_slots(&c, &sc, l->at - 30 * 86400000LL,
		    l->at + 3600000, &sl, &e) == 0)
			cat_slots_free(&sl);
		(void)catalog_retention(&c, 8, 7, &del);
		t2[r] = now_ms() - a;
		strv_free(&del);
		catalog_free(&c);
		a = now_ms();
		if (catalog_build(&d, argv[2], "UTC", &sc, &c, &e) != 0)
			return 1;
		(void)catalog_latest(&c);
		t3[r] = now_ms() - a;
		catalog_free(&c);
		list_free(&d);
	}
	qsort(t1, (size_t)runs, sizeof *t1, cmpd);
	qsort(t2, (size_t)runs, sizeof *t2, cmpd);
	qsort(t3, (size_t)runs, sizeof *t3, cmpd);
	m1 = t1[runs / 2];
	m2 = t2[runs / 2];
	printf("latest\t%s\ndumps\t%zu\nms\t%.3f\nfull_ms\t%.3f\n"
	    "build_ms\t%.3f\n", latest, dumps, m1, m2, t3[runs / 2]);
	free(t1);
	free(t2);
	free(t3);
	return 0;
}
