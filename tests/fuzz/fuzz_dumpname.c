/*
 * fuzz_dumpname.c: libFuzzer harness of the dump-name parser and the
 * catalog built on it.
 *
 * Input: first byte = length of the db name (mod 32), then the db name,
 * then file names separated by '\n' (a name may hold any other byte).
 * Each name is parsed alone; then all of them make a folder listing whose
 * catalog, slots over the names' span and retention plan are computed.
 * Checked: a parsed name prints back to the same bytes; the retention
 * plan never deletes the newest verified dump; slots are in order.
 *
 * The sources under test are compiled into this harness (not taken from
 * the library) so that libFuzzer's coverage instrumentation sees them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../backend/catalog.c"
#include "../../backend/timefmt.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_name(const char *db, const char *name, size_t len)
{
	enum cat_kind kind;
	struct civil c;
	char *back;

	if (catalog_parse_name(db, name, len, &kind, &c) != 0)
		return;
	if (!civil_valid(&c))
		abort();
	back = catalog_name(db, kind, &c);
	if (strlen(back) != len || memcmp(back, name, len) != 0)
		abort();
	free(back);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct schedule_cfg sc;
	struct rdir d = { NULL, 0 };
	struct catalog cat;
	struct cat_slots sl;
	struct strv del = { NULL, 0 };
	struct err e;
	const struct cat_dump *ok;
	char *db, *s;
	size_t dl, i, start;

	if (size < 1)
		return 0;
	dl = data[0] % 32;
	if (dl + 1 > size)
		return 0;
	db = xstrndup((const char *)data + 1, dl);
	/* The listing; names with NUL bytes are cut there, as a C API would. */
	s = xmalloc(size - dl);
	memcpy(s, data + 1 + dl, size - dl - 1);
	s[size - dl - 1] = '\0';
	for (start = 0, i = 0; i <= size - dl - 1; i++) {
		if (i < size - dl - 1 && s[i] != '\n')
			continue;
		check_name(db, s + start, i - start);
		if (d.n < 4096) {
			d.e = xreallocarray(d.e, d.n + 1, sizeof *d.e);
			memset(&d.e[d.n], 0, sizeof d.e[d.n]);
			d.e[d.n].name = xstrndup(s + start, i - start);
			d.e[d.n].size = i - start;
			d.e[d.n].mtime = (int64_t)i * 1000;
			d.n++;
		}
		start = i + 1;
	}
	memset(&sc, 0, sizeof sc);
	sc.daytime_every = 3 * 3600;
	sc.daytime_end = 24 * 60;
	sc.restore_stagger = 600;
	sc.nightly_restore = 30;
	if (catalog_build(&d, db, "America/New_York", &sc, &cat, &e) == 0) {
		ok = catalog_latest_verified(&cat);
		(void)catalog_latest(&cat);
		(void)catalog_stale_parts(&cat, 0, 3600);
		if (cat.n_dumps > 0 && cat.dumps[cat.n_dumps - 1].at -
		    cat.dumps[0].at < 40LL * 86400000 &&
		    catalog_slots(&cat, &sc, cat.dumps[0].at,
		    cat.dumps[cat.n_dumps - 1].at + 2 * 3600000, &sl, &e) == 0) {
			for (i = 1; i < sl.n; i++)
				if (sl.v[i].at <= sl.v[i - 1].at)
					abort();
			cat_slots_free(&sl);
		}
		(void)catalog_retention(&cat, data[0] % 3, data[0] % 2, &del);
		for (i = 0; ok != NULL && i < del.n; i++)
			if (strcmp(del.v[i], ok->name) == 0)
				abort();
		strv_free(&del);
		catalog_free(&cat);
	}
	for (i = 0; i < d.n; i++)
		free(d.e[i].name);
	free(d.e);
	free(s);
	free(db);
	return 0;
}
