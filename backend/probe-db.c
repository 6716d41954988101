/*
 * probe-db.c: the host's database through libpq (pgconn.h): SELECT 1
 * latency, the server major against the manifest, each manifest
 * extension installed and recent enough, connections, size, recovery,
 * and the data stamp (drdeck.stamp, written before each dump).
 *
 * Worker thread of the host.  The connection is the worker's and stays
 * open between rounds (warm); every query is bounded by the budget.
 */
#include "probe.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "pgconn.h"
#include "xmalloc.h"

#define LATENCY_WARN_MS 1000

static const char info_sql[] =
    "SELECT current_setting('server_version_num')::int / 10000,"
    " (SELECT count(*) FROM pg_stat_activity"
    "   WHERE datname = current_database()),"
    " pg_database_size(current_database()),"
    " pg_is_in_recovery(),"
    " to_regclass('drdeck.stamp') IS NOT NULL";
static const char ext_sql[] =
    "SELECT extname, extversion FROM pg_extension";
static const char stamp_sql[] =
    "SELECT (extract(epoch FROM stamped_at) * 1000)::bigint"
    " FROM drdeck.stamp ORDER BY stamped_at DESC LIMIT 1";

static int64_t
deadline_now(struct probe_ctx *ctx)
{
	return clock_mono_ms() + probe_budget(ctx);
}

static void
all_unknown(struct probe_ctx *ctx, struct fact_list *out, const char *why)
{
	size_t i;
	char key[128], part[64];

	probe_unknown(out, "db.server", "Server version", why);
	for (i = 0; i < ctx->c->manifest.n_ext; i++) {
		probe_key_part(ctx->c->manifest.ext[i].name, part,
		    sizeof part);
		snprintf(key, sizeof key, "db.ext.%s", part);
		probe_unknown(out, key, ctx->c->manifest.ext[i].name, why);
	}
	probe_unknown(out, "db.connections", "Connections", why);
	probe_unknown(out, "db.size", "Database size", why);
	probe_unknown(out, "db.recovery", "In recovery", why);
	probe_unknown(out, "db.stamp", "Data stamp", why);
}

static void
ext_facts(struct probe_ctx *ctx, struct fact_list *out, int64_t now)
{
	struct err e = { "" };
	PGresult *res;
	size_t i;
	int row, nrows;
	char key[128], part[64], v[128], th[96];

	res = pgconn_exec(*ctx->pg, ext_sql, deadline_now(ctx), &e);
	for (i = 0; i < ctx->c->manifest.n_ext; i++) {
		const struct ext_req *x = &ctx->c->manifest.ext[i];
		const char *have = NULL;
		enum level lv = LEVEL_OK;
		struct fact *f;

		probe_key_part(x->name, part, sizeof part);
		snprintf(key, sizeof key, "db.ext.%s", part);
		if (res == NULL) {
			probe_unknown(out, key, x->name, e.msg);
			continue;
		}
		nrows = PQntuples(res);
		for (row = 0; row < nrows; row++)
			if (strcmp(PQgetvalue(res, row, 0), x->name) == 0)
				have = PQgetvalue(res, row, 1);
		if (x->min_version != NULL)
			snprintf(th, sizeof th, "min %s", x->min_version);
		else
			snprintf(th, sizeof th, "required");
		if (have == NULL) {
			lv = LEVEL_CRIT;
			snprintf(v, sizeof v, "%s not installed", x->name);
		} else if (x->min_version != NULL &&
		    probe_version_cmp(have, x->min_version) < 0) {
			lv = LEVEL_CRIT;
			snprintf(v, sizeof v, "%s %s too old", x->name, have);
		} else
			snprintf(v, sizeof v, "%s %s", x->name, have);
		f = facts_add(out, key, x->name, lv, v, lv == LEVEL_OK ? NULL :
		    "the manifest requires it: restores and the app fail "
		    "without it", th, now);
		(void)f;
	}
	if (res != NULL)
		PQclear(res);
}

static void
stamp_fact(struct probe_ctx *ctx, struct fact_list *out, int have_table,
    int64_t now)
{
	struct err e = { "" };
	PGresult *res;
	char v[96], age[32];
	int64_t at;
	struct fact *f;

	if (!have_table) {
		facts_add(out, "db.stamp", "Data stamp", LEVEL_OK, "none",
		    "no drdeck.stamp table in this database (no drdeck dump "
		    "restored here yet)", NULL, now);
		return;
	}
	res = pgconn_exec(*ctx->pg, stamp_sql, deadline_now(ctx), &e);
	if (res == NULL) {
		probe_unknown(out, "db.stamp", "Data stamp", e.msg);
		return;
	}
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
		facts_add(out, "db.stamp", "Data stamp", LEVEL_OK, "none",
		    "the drdeck.stamp table is empty", NULL, now);
		PQclear(res);
		return;
	}
	at = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	ctx->scratch.have_stamp = 1;
	ctx->scratch.stamp_at = at;
	snprintf(v, sizeof v, "data of %s ago",
	    fmt_duration((now - at) / 1000, age, sizeof age));
	f = facts_add(out, "db.stamp", "Data stamp", LEVEL_OK, v,
	    "the time the data was stamped on the primary before its dump",
	    NULL, now);
	fact_set_num(f, (double)(now - at) / 1000.0, "s");
}

/* Run the database probe. */
void
probe_db_run(struct probe_ctx *ctx, struct fact_list *out)
{
	struct err e = { "" };
	PGresult *res = NULL;
	int64_t now = clock_wall_ms(), t0, lat;
	char v[128], th[64], b[32];
	struct fact *f;
	int major, have_stamp;
	enum level lv;

	if (ctx->h->pg.tunnel && ctx->t == NULL) {
		probe_unknown(out, "db.latency", "Database", ctx->t_err);
		all_unknown(ctx, out, ctx->t_err);
		return;
	}
	if (!pgconn_alive(*ctx->pg)) {
		pgconn_close(*ctx->pg);
		*ctx->pg = NULL;
		if (pgconn_open(ctx->h, ctx->t, deadline_now(ctx), ctx->pg,
		    &e) != 0) {
			/* Refused or rejected: the database is down (crit).
			 * No answer in time: we do not know (unknown). */
			lv = strstr(e.msg, "within the deadline") != NULL ?
			    LEVEL_UNKNOWN : LEVEL_CRIT;
			facts_add(out, "db.latency", "Database", lv,
			    "cannot connect", e.msg, NULL, now);
			all_unknown(ctx, out, "not connected");
			return;
		}
	}
	t0 = clock_mono_ms();
	res = pgconn_exec(*ctx->pg, "SELECT 1", deadline_now(ctx), &e);
	lat = clock_mono_ms() - t0;
	if (res == NULL) {
		probe_unknown(out, "db.latency", "Database", e.msg);
		all_unknown(ctx, out, e.msg);
		return;
	}
	PQclear(res);
	snprintf(v, sizeof v, "SELECT 1 in %" PRId64 " ms", lat);
	snprintf(th, sizeof th, "warn %d ms", LATENCY_WARN_MS);
	f = facts_add(out, "db.latency", "Database",
	    lat > LATENCY_WARN_MS ? LEVEL_WARN : LEVEL_OK, v,
	    pgconn_target(*ctx->pg), th, now);
	fact_set_num(f, (double)lat, "ms");
	f->has_warn_at = 1;
	f->warn_at = LATENCY_WARN_MS;

	res = pgconn_exec(*ctx->pg, info_sql, deadline_now(ctx), &e);
	if (res == NULL || PQntuples(res) != 1) {
		all_unknown(ctx, out, res == NULL ? e.msg : "no row");
		if (res != NULL)
			PQclear(res);
		return;
	}
	major = atoi(PQgetvalue(res, 0, 0));
	if (ctx->c->manifest.required_server_major > 0) {
		snprintf(th, sizeof th, "required %d",
		    ctx->c->manifest.required_server_major);
		lv = major == ctx->c->manifest.required_server_major ?
		    LEVEL_OK : LEVEL_CRIT;
	} else {
		th[0] = '\0';
		lv = LEVEL_OK;
	}
	snprintf(v, sizeof v, "PostgreSQL %d", major);
	f = facts_add(out, "db.server", "Server version", lv, v,
	    lv == LEVEL_OK ? NULL : "the manifest names another major: "
	    "dumps may not restore across majors", th[0] ? th : NULL, now);
	fact_set_num(f, major, "");

	ext_facts(ctx, out, now);

	f = facts_add(out, "db.connections", "Connections", LEVEL_OK,
	    PQgetvalue(res, 0, 1), "sessions on this database", NULL, now);
	fact_set_num(f, strtod(PQgetvalue(res, 0, 1), NULL), "");
	f = facts_add(out, "db.size", "Database size", LEVEL_OK,
	    fmt_bytes(strtoull(PQgetvalue(res, 0, 2), NULL, 10), b, sizeof b),
	    NULL, NULL, now);
	fact_set_num(f, strtod(PQgetvalue(res, 0, 2), NULL), "B");
	lv = strcmp(PQgetvalue(res, 0, 3), "t") == 0 ? LEVEL_WARN : LEVEL_OK;
	facts_add(out, "db.recovery", "In recovery", lv,
	    lv == LEVEL_OK ? "no" : "yes", lv == LEVEL_OK ? NULL :
	    "a pair fed by dumps never runs in recovery: is this a "
	    "streaming replica?", NULL, now);
	have_stamp = strcmp(PQgetvalue(res, 0, 4), "t") == 0;
	PQclear(res);
	stamp_fact(ctx, out, have_stamp, now);
}
