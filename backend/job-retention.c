/*
 * job-retention.c: the catalog's retention plan (catalog.h) applied to a
 * host's dump folder by the jobs: the dumps it names go, with their
 * sidecars, schema files and roles files.  Never the newest verified
 * dump (the plan keeps it) nor the one the job just made or restored.
 * A failure to delete is a warning, never the job's failure.
 *
 * Runs on the job's thread; each transport call is bounded.
 */
#include "job-int.h"

#include <stdlib.h>
#include <string.h>

#include "catalog.h"
#include "job-common.h"
#include "xmalloc.h"

static void
remove_one(struct job *jb, struct transport *t, const char *name,
    size_t *n)
{
	const struct host_cfg *h = transport_host(t);
	struct err e = { "" };
	char *p = job_path_join(h, h->dumps, name);

	if (transport_remove(t, p, JOB_T_FILE, &e) != 0)
		job_warn(jb, "retention on %s: %s", h->name, e.msg);
	else
		(*n)++;
	free(p);
}

void
job_retention(struct job *jb, struct transport *t, const char *keep)
{
	const struct host_cfg *h = transport_host(t);
	const struct schedule_cfg *sc = &jb->c->schedule;
	struct rdir d = { 0 };
	struct catalog cat;
	struct strv del = { 0 };
	struct err e = { "" };
	size_t i, n = 0, dumps;

	memset(&cat, 0, sizeof cat);
	if (transport_list(t, h->dumps, &d, JOB_T_FILE, &e) != 0 ||
	    catalog_build(&d, h->pg.dbname, h->timezone, sc, &cat, &e) != 0) {
		job_warn(jb, "retention on %s: %s", h->name, e.msg);
		goto out;
	}
	dumps = catalog_retention(&cat, sc->keep_daytime, sc->keep_nightly,
	    &del);
	for (i = 0; i < del.n; i++) {
		const char *name = del.v[i];
		size_t l = strlen(name);

		if (keep != NULL && strncmp(name, keep, strlen(keep)) == 0)
			continue;
		remove_one(jb, t, name, &n);
		if (l > 5 && strcmp(name + l - 5, ".dump") == 0) {
			char *roles = xasprintf("%s.roles.sql", name);

			remove_one(jb, t, roles, &n);
			free(roles);
		}
	}
	job_say(jb, "retention on %s: %zu dump%s removed (keep %d daytime, "
	    "%d nightly, and the newest verified)", h->name, dumps,
	    dumps == 1 ? "" : "s", sc->keep_daytime, sc->keep_nightly);
out:
	strv_free(&del);
	catalog_free(&cat);
	rdir_free(&d);
}
