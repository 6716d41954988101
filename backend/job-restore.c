/*
 * job-restore.c: `drdeck restore [--latest | DUMP]`, the runbook's
 * Restore-And-Start (§2, §3.2, §4.1, §6, §10.2), done as a staged
 * restore.
 *
 * On the host (its transport): refuse on an active (or primary) host;
 * lock; parity; the newest verified dump (sidecar there, its sha256
 * matches on this host), never older than what is restored already; the
 * roles file; <db>_staging recreated with its extensions; pg_restore -j N
 * into it, its stderr classified (job-restoreclass.h); sanity
 * checks (tables of the dump present, row estimates not below
 * restore_row_pct % of the live copy's, the data stamp readable and not
 * older than the live one, the configured sanity queries); the live
 * copy's database-level settings carried onto <db>_staging (a dump made
 * without --create has none of them): its ALTER DATABASE / ALTER ROLE IN
 * DATABASE ... SET settings, its privileges, connection limit and
 * comment, checked equal afterwards (after the restore and its checks,
 * so none of them applies to pg_restore's sessions); then the switch
 * window in §6's order: stop the app (backend, then web), end the
 * database's sessions, one transaction renames <db> -> <db>_prev and
 * <db>_staging -> <db>, start the backend then the web; the health gate;
 * on failure the swap back.  The old <db>_prev is dropped just
 * before the next switch (one kept).
 *
 * Runs on the calling thread; blocks for as long as the restore takes
 * (bounded by job-int.h's deadlines).
 */
#include "jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "catalog.h"
#include "clock.h"
#include "job-common.h"
#include "job-int.h"
#include "job-restoreclass.h"
#include "pgtool.h"
#include "state.h"
#include "xmalloc.h"

struct restore {
	struct job jb;
	const char *db;
	char	*staging;	/* <db>_staging */
	char	*prev;		/* <db>_prev */
	char	*name;		/* the dump */
	char	*path;
	int64_t	 name_at;	/* the time in its name (UTC ms); 0 unknown */
	int	 live_exists;
	int64_t	 live_stamp;	/* the live copy's data stamp; 0 none */
	struct host_state st;
	struct restore_class cls;
	struct restore_class roles_cls;
	int	 swapped;	/* the rename swap happened */
	int64_t	 swap_ms;	/* how long the databases were renamed */
};

/* "SELECT ... " -> its first output line, trimmed (new string). */
static int
sql_value(struct job *jb, const char *db, const char *sql, char **val,
    struct err *e)
{
	char *out = NULL, *nl;

	if (job_sql(jb, jb->t, db, sql, &out, e) != 0)
		return -1;
	nl = strchr(out, '\n');
	if (nl != NULL)
		*nl = '\0';
	*val = out;
	return 0;
}

static int
step_role(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	char *path;

	job_step(jb, "role");
	if (state_read(jb->t, &rs->st, JOB_T_FILE, e) != 0)
		return -1;
	if (jb->o->ignore_role || rs->st.role == HOST_ROLE_STANDBY) {
		job_step_ok(jb, "%s is %s (epoch %" PRId64 ")%s", jb->h->name,
		    host_role_name(rs->st.role), rs->st.epoch,
		    rs->st.role != HOST_ROLE_STANDBY ? ", role check waived" :
		    "");
		return 0;
	}
	path = job_path_join(jb->h, jb->h->state, "state.json");
	if (rs->st.role == HOST_ROLE_ACTIVE)
		err_set(e, "refused: %s is ACTIVE (it took over by failover, "
		    "epoch %" PRId64 "); a restore would overwrite the writes "
		    "it has served since.  Bring the primary back with "
		    "`drdeck cutback`, which makes %s a standby again; only "
		    "then do scheduled restores run here (role kept in %s)",
		    jb->h->name, rs->st.epoch, jb->h->name, path);
	else
		err_set(e, "refused: %s is a PRIMARY (epoch %" PRId64 "); "
		    "restores run on the standby.  Pick the standby with "
		    "--host, or change roles with `drdeck failover` / "
		    "`drdeck cutback` (role kept in %s)", jb->h->name,
		    rs->st.epoch, path);
	free(path);
	jb->r->refused = 1;
	jb->quiet = 1;		/* the schedule running here is expected */
	return -1;
}

/* Does the sidecar of `name` match the file's sha256 on this host? */
static int
sidecar_ok(struct job *jb, const char *dir, const char *name, int *ok,
    struct err *e)
{
	char *path = job_path_join(jb->h, dir, name);
	char *side = xasprintf("%s.sha256", path), *data = NULL;
	char hex[65];
	size_t len = 0;
	int rc = -1;

	*ok = 0;
	if (transport_read_file(jb->t, side, 4096, &data, &len, JOB_T_FILE,
	    e) != 0)
		goto out;
	if (transport_sha256(jb->t, path, hex, JOB_T_DUMP, e) != 0)
		goto out;
	*ok = len >= 64 && memcmp(data, hex, 64) == 0;
	rc = 0;
out:
	free(data);
	free(side);
	free(path);
	return rc;
}

static int
step_choose(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	const struct host_cfg *h = jb->h;
	struct rdir d = { 0 };
	struct catalog cat;
	const struct cat_dump *pick = NULL;
	struct err se = { "" };
	int64_t last_at = 0;
	const char *want = NULL;
	char *dir = NULL;
	size_t i;
	int ok, rc = -1;

	memset(&cat, 0, sizeof cat);
	job_step(jb, "choose");
	if (jb->o->dump != NULL) {
		want = job_basename(jb->o->dump);
		if (want != jb->o->dump)
			dir = xstrndup(jb->o->dump, (size_t)(want -
			    jb->o->dump - 1));
	}
	if (dir == NULL)
		dir = xstrdup(h->dumps);
	if (transport_list(jb->t, dir, &d, JOB_T_FILE, e) != 0 ||
	    catalog_build(&d, rs->db, h->timezone, &jb->c->schedule, &cat,
	    e) != 0)
		goto out;
	if (rs->st.restore_dump != NULL && job_dump_name_parse(rs->db,
	    h->timezone, rs->st.restore_dump, &last_at) != 0)
		last_at = 0;
	if (want != NULL) {
		pick = catalog_find(&cat, want);
		if (pick == NULL) {
			err_set(e, "no dump %s in %s on %s", want, dir, h->name);
			goto out;
		}
		if (!pick->verified) {
			err_set(e, "%s has no sidecar %s.sha256: not a verified "
			    "dump", want, want);
			goto out;
		}
		if (sidecar_ok(jb, dir, pick->name, &ok, e) != 0)
			goto out;
		if (!ok) {
			err_set(e, "%s does not match its sidecar's sha256 on "
			    "%s: refused", want, h->name);
			goto out;
		}
	} else {
		for (i = cat.n_dumps; i-- > 0;) {
			const struct cat_dump *cd = &cat.dumps[i];

			if (!cd->verified)
				continue;
			if (sidecar_ok(jb, dir, cd->name, &ok, &se) != 0) {
				job_warn(jb, "%s: %s", cd->name, se.msg);
				continue;
			}
			if (!ok) {
				job_warn(jb, "%s does not match its sidecar's "
				    "sha256: skipped", cd->name);
				continue;
			}
			pick = cd;
			break;
		}
		if (pick == NULL) {
			err_set(e, "no verified dump in %s on %s (%zu dumps, "
			    "none with a matching .sha256 sidecar)", dir,
			    h->name, cat.n_dumps);
			goto out;
		}
	}
	if (last_at > 0 && pick->at < last_at) {
		err_set(e, "refused: %s is older than %s, restored already on "
		    "%s", pick->name, rs->st.restore_dump, h->name);
		jb->r->refused = 1;
		goto out;
	}
	if (want == NULL && rs->st.restore_dump != NULL &&
	    strcmp(pick->name, rs->st.restore_dump) == 0 &&
	    pick->mtime * 1000 <= (rs->st.restore_ok_at > 0 ?
	    rs->st.restore_ok_at : rs->st.restore_at)) {
		/* Nothing new: not an error. */
		rs->name = NULL;
		job_step_ok(jb, "%s is restored already; nothing newer",
		    pick->name);
		rc = 0;
		goto out;
	}
	rs->name = xstrdup(pick->name);
	rs->path = job_path_join(h, dir, pick->name);
	rs->name_at = pick->at;
	jb->r->dump_bytes = pick->size;
	snprintf(jb->r->dump_name, sizeof jb->r->dump_name, "%s", pick->name);
	job_step_ok(jb, "%s (sha256 matches its sidecar)", rs->path);
	rc = 0;
out:
	catalog_free(&cat);
	rdir_free(&d);
	free(dir);
	return rc;
}

static int
step_roles(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	struct strv argv = { 0 };
	struct exec_result r;
	struct rstat st;
	char *roles = xasprintf("%s.roles.sql", rs->path);
	int rc = -1;

	memset(&r, 0, sizeof r);
	job_step(jb, "roles");
	memset(&st, 0, sizeof st);
	if (transport_stat(jb->t, roles, &st, JOB_T_FILE, e) != 0)
		goto out;
	if (!st.exists) {
		job_warn(jb, "no roles file %s: roles not restored", roles);
		rc = 0;
		goto out;
	}
	pgtool_argv(jb->h, "psql", &argv);
	strv_push(&argv, "-X");
	strv_push(&argv, "-q");
	strv_push(&argv, "-d");
	strv_push(&argv, "postgres");
	strv_push(&argv, "-f");
	strv_push(&argv, roles);
	if (job_run(jb, jb->t, strv_argv(&argv), NULL, JOB_T_SQL, &r, e) != 0)
		goto out;
	restoreclass_run(r.errout, r.err_len, &rs->roles_cls);
	if (!restoreclass_ok(&rs->roles_cls)) {
		snprintf(jb->err_tail, sizeof jb->err_tail, "%s", r.errout);
		err_set(e, "roles file %s: %s", roles,
		    rs->roles_cls.first_fatal);
		goto out;
	}
	job_step_ok(jb, "roles of the primary (%d already there)",
	    rs->roles_cls.benign);
	rc = 0;
out:
	exec_result_free(&r);
	strv_free(&argv);
	free(roles);
	return rc;
}

static int
step_staging(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	const struct manifest *m = &jb->c->manifest;
	struct buf sql = { 0 };
	char *out = NULL, *f[4] = { 0 }, *p;
	size_t i;
	int rc = -1;

	job_step(jb, "staging");
	/* The live copy's owner, encoding and locale, when it exists. */
	buf_puts(&sql, "SELECT pg_get_userbyid(datdba) || '|' || "
	    "pg_encoding_to_char(encoding) || '|' || datcollate || '|' || "
	    "datctype FROM pg_database WHERE datname = ");
	pgtool_literal(&sql, rs->db);
	buf_puts(&sql, ";\n");
	if (sql_value(jb, "postgres", buf_str(&sql), &out, e) != 0)
		goto out;
	rs->live_exists = out[0] != '\0';
	for (i = 0, p = out; rs->live_exists && i < 4 && p != NULL; i++) {
		f[i] = p;
		p = strchr(p, '|');
		if (p != NULL)
			*p++ = '\0';
	}
	buf_reset(&sql);
	buf_puts(&sql, "DROP DATABASE IF EXISTS ");
	pgtool_ident(&sql, rs->staging);
	buf_puts(&sql, " WITH (FORCE);\nCREATE DATABASE ");
	pgtool_ident(&sql, rs->staging);
	buf_puts(&sql, " TEMPLATE template0");
	if (rs->live_exists && f[3] != NULL) {
		buf_puts(&sql, " OWNER ");
		pgtool_ident(&sql, f[0]);
		buf_puts(&sql, " ENCODING ");
		pgtool_literal(&sql, f[1]);
		buf_puts(&sql, " LC_COLLATE ");
		pgtool_literal(&sql, f[2]);
		buf_puts(&sql, " LC_CTYPE ");
		pgtool_literal(&sql, f[3]);
	}
	buf_puts(&sql, ";\n");
	if (job_sql(jb, jb->t, "postgres", buf_str(&sql), NULL, e) != 0)
		goto out;
	if (job_parity(jb, jb->t, rs->staging, PARITY_EXT, e) != 0)
		goto out;
	job_step_ok(jb, "%s created%s%s, %zu extension%s", rs->staging,
	    rs->live_exists ? " like " : "", rs->live_exists ? rs->db : "",
	    m->n_ext, m->n_ext == 1 ? "" : "s");
	rc = 0;
out:
	free(out);
	buf_free(&sql);
	return rc;
}

static int
step_pg_restore(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	const struct host_cfg *h = jb->h;
	struct strv argv = { 0 };
	struct exec_result r;
	struct err xe = { "" };
	char nj[16], how[EXEC_DESCRIBE_MAX];
	int n, rc = -1;

	memset(&r, 0, sizeof r);
	job_step(jb, "restore");
	n = h->pg.restore_jobs > 0 ? h->pg.restore_jobs :
	    job_host_cpus(jb, jb->t);
	snprintf(nj, sizeof nj, "%d", n);
	pgtool_argv(h, "pg_restore", &argv);
	strv_push(&argv, "-j");
	strv_push(&argv, nj);
	strv_push(&argv, "-d");
	strv_push(&argv, rs->staging);
	strv_push(&argv, rs->path);
	if (transport_exec(jb->t, strv_argv(&argv), NULL, 0, JOB_T_DUMP, &r,
	    &xe) != 0) {
		snprintf(jb->err_tail, sizeof jb->err_tail, "%s",
		    r.errout != NULL ? r.errout : "");
		err_set(e, "pg_restore: %s", xe.msg);
		goto out;
	}
	restoreclass_run(r.errout, r.err_len, &rs->cls);
	if (r.err_trunc)
		rs->cls.fatal++;
	if (r.signal[0] != '\0' || r.timed_out || !r.exited) {
		snprintf(jb->err_tail, sizeof jb->err_tail, "%s", r.errout);
		err_set(e, "pg_restore into %s: %s", rs->staging,
		    exec_describe(&r, how, sizeof how));
		goto out;
	}
	if (!restoreclass_ok(&rs->cls)) {
		snprintf(jb->err_tail, sizeof jb->err_tail, "%s", r.errout);
		err_set(e, "pg_restore into %s: %s; %d message%s not on the "
		    "benign list (first: %s)", rs->staging,
		    exec_describe(&r, how, sizeof how), rs->cls.fatal,
		    rs->cls.fatal == 1 ? "" : "s", rs->cls.first_fatal[0] ?
		    rs->cls.first_fatal : "stderr cut short");
		goto out;
	}
	jb->r->benign = rs->cls.benign;
	job_step_ok(jb, "pg_restore -j %d into %s: %s, %d benign message%s",
	    n, rs->staging, exec_describe(&r, how, sizeof how),
	    rs->cls.benign, rs->cls.benign == 1 ? "" : "s");
	rc = 0;
out:
	exec_result_free(&r);
	strv_free(&argv);
	return rc;
}

struct est {
	char	**name;
	int64_t	 *rows;
	size_t	  n;
	char	 *text;
};

static void
est_free(struct est *x)
{
	free(x->name);
	free(x->rows);
	free(x->text);
	memset(x, 0, sizeof *x);
}

static int
estimates(struct job *jb, const char *db, struct est *x, struct err *e)
{
	char *p, *nl, *bar;

	memset(x, 0, sizeof *x);
	/* reltuples is set by ANALYZE, VACUUM and CREATE INDEX; a table
	 * just loaded by pg_restore without an index has only the
	 * statistics system's live tuple count, which COPY keeps. */
	if (job_sql(jb, jb->t, db, "SELECT n.nspname || '.' || c.relname, "
	    "greatest(c.reltuples::bigint, coalesce(s.n_live_tup, 0)) FROM "
	    "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace LEFT "
	    "JOIN pg_stat_user_tables s ON s.relid = c.oid WHERE c.relkind "
	    "IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
	    "'information_schema') AND n.nspname NOT LIKE 'pg_toast%';\n",
	    &x->text, e) != 0)
		return -1;
	for (p = x->text; p != NULL && *p != '\0'; p = nl) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl++ = '\0';
		bar = strrchr(p, '|');
		if (bar == NULL)
			continue;
		*bar = '\0';
		x->name = xreallocarray(x->name, x->n + 1, sizeof *x->name);
		x->rows = xreallocarray(x->rows, x->n + 1, sizeof *x->rows);
		x->name[x->n] = p;
		x->rows[x->n++] = strtoll(bar + 1, NULL, 10);
	}
	return 0;
}

static int64_t
read_stamp(struct job *jb, const char *db, struct err *e)
{
	char *v = NULL;
	int64_t t;

	if (sql_value(jb, db, "SELECT (extract(epoch FROM stamped_at) * "
	    "1000)::bigint FROM drdeck.stamp WHERE id = 1;\n", &v, e) != 0)
		return -1;
	t = strtoll(v, NULL, 10);
	free(v);
	return t > 0 ? t : 0;
}

static int
step_sanity(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	struct strv want = { 0 }, have = { 0 };
	struct est live, stg;
	struct err se = { "" };
	char *v = NULL, iso[JOB_ISO_LEN], iso2[JOB_ISO_LEN];
	size_t i, k, compared = 0;
	int pct = jb->c->th.restore_row_pct, rc = -1;
	struct buf exists = { 0 };

	memset(&live, 0, sizeof live);
	memset(&stg, 0, sizeof stg);
	job_step(jb, "sanity");
	/* Every table of the dump is in staging. */
	if (job_archive_tables(jb, jb->t, rs->path, &want, e) != 0 ||
	    job_tables(jb, jb->t, rs->staging, &have, e) != 0)
		goto out;
	for (i = 0; i < want.n; i++) {
		int found = 0;

		for (k = 0; k < have.n && !found; k++)
			found = strcmp(want.v[i], have.v[k]) == 0;
		if (!found) {
			err_set(e, "table %s of the dump is missing in %s",
			    want.v[i], rs->staging);
			goto out;
		}
	}
	/* Row estimates against the live copy's. */
	if (estimates(jb, rs->staging, &stg, e) != 0)
		goto out;
	if (rs->live_exists) {
		if (estimates(jb, rs->db, &live, &se) != 0)
			job_warn(jb, "row estimates of %s: %s", rs->db, se.msg);
		for (i = 0; i < live.n; i++) {
			if (live.rows[i] < 100)
				continue;	/* unknown (-1) or tiny */
			for (k = 0; k < stg.n; k++) {
				if (strcmp(stg.name[k], live.name[i]) != 0)
					continue;
				compared++;
				if (stg.rows[k] * 100 < live.rows[i] * pct) {
					err_set(e, "%s holds about %" PRId64
					    " rows in %s against %" PRId64 " in "
					    "the live copy: below %d %%",
					    stg.name[k], stg.rows[k],
					    rs->staging, live.rows[i], pct);
					goto out;
				}
			}
		}
	}
	/* The data stamp, readable and not older than the live one. */
	jb->r->data_time = read_stamp(jb, rs->staging, &se);
	if (jb->r->data_time <= 0) {
		err_set(e, "no data stamp (drdeck.stamp) readable in %s%s%s: "
		    "was the dump made by drdeck backup?", rs->staging,
		    se.msg[0] ? ": " : "", se.msg);
		goto out;
	}
	if (rs->live_exists) {
		buf_puts(&exists, "SELECT count(*) FROM pg_tables WHERE "
		    "schemaname = 'drdeck' AND tablename = 'stamp';\n");
		if (sql_value(jb, rs->db, buf_str(&exists), &v, &se) == 0 &&
		    atoi(v) > 0) {
			rs->live_stamp = read_stamp(jb, rs->db, &se);
			if (rs->live_stamp > jb->r->data_time) {
				err_set(e, "refused: the dump's data (%s) is "
				    "older than the live copy's (%s)",
				    job_iso_time(jb->r->data_time, iso),
				    job_iso_time(rs->live_stamp, iso2));
				jb->r->refused = 1;
				goto out;
			}
		}
	}
	/* The site's own sanity queries. */
	for (i = 0; i < jb->h->pg.sanity.n; i++) {
		char *o = NULL;

		if (job_sql(jb, jb->t, rs->staging, jb->h->pg.sanity.v[i], &o,
		    e) != 0) {
			err_prefix(e, "sanity query %zu", i + 1);
			goto out;
		}
		if (o[0] == '\0') {
			free(o);
			err_set(e, "sanity query %zu returned no row in %s: %s",
			    i + 1, rs->staging, jb->h->pg.sanity.v[i]);
			goto out;
		}
		free(o);
	}
	job_step_ok(jb, "%zu tables present, %zu row estimates >= %d %% of "
	    "the live copy's, data stamp %s, %zu sanity quer%s", want.n,
	    compared, pct, job_iso_time(jb->r->data_time, iso),
	    jb->h->pg.sanity.n, jb->h->pg.sanity.n == 1 ? "y" : "ies");
	rc = 0;
out:
	free(v);
	buf_free(&exists);
	est_free(&live);
	est_free(&stg);
	strv_free(&want);
	strv_free(&have);
	return rc;
}

/*
 * The body of the DO block that copies the database-level settings of
 * `src` onto `dst` (both declared before it): ALTER DATABASE / ALTER ROLE
 * IN DATABASE ... SET (pg_db_role_setting, in their order; list-valued
 * parameters split and quoted element by element, as pg_dump does), the
 * privileges (datacl through aclexplode, in their order; those granted by
 * a holder of a grant option as that role), the connection limit and the
 * comment.  The statements are built by the server; each one that fails
 * names itself.  Then dst's must equal src's, or it raises naming what
 * differs.
 */
static const char carry_body[] =
    "\tcmd text;\n"
    "\tdiffer text;\n"
    "BEGIN\n"
    "\tFOR cmd IN\n"
    "\t\tWITH d AS (\n"
    "\t\t\tSELECT oid, datdba, datacl, datconnlimit,\n"
    "\t\t\t    shobj_description(oid, 'pg_database') AS note\n"
    "\t\t\tFROM pg_database WHERE datname = src),\n"
    "\t\ts AS (\n"
    "\t\t\tSELECT r.setrole, c.n, split_part(c.v, '=', 1) AS name,\n"
    "\t\t\t    substr(c.v, strpos(c.v, '=') + 1) AS val\n"
    "\t\t\tFROM d JOIN pg_db_role_setting r ON r.setdatabase = d.oid,\n"
    "\t\t\t    unnest(r.setconfig) WITH ORDINALITY AS c(v, n)),\n"
    "\t\tg AS (\n"
    "\t\t\tSELECT a.grantor, a.grantee, a.is_grantable, min(a.n) AS n,\n"
    "\t\t\t    string_agg(a.privilege_type, ', ' ORDER BY a.n) AS privs\n"
    "\t\t\tFROM d, aclexplode(d.datacl) WITH ORDINALITY AS\n"
    "\t\t\t    a(grantor, grantee, privilege_type, is_grantable, n)\n"
    "\t\t\tGROUP BY 1, 2, 3),\n"
    "\t\tx(part, k1, k2, sql) AS (\n"
    "\t\t\tSELECT 1, s.setrole::bigint, s.n, format('ALTER %s SET %I TO %s',\n"
    "\t\t\t    CASE WHEN s.setrole = 0 THEN format('DATABASE %I', dst)\n"
    "\t\t\t    ELSE format('ROLE %I IN DATABASE %I',\n"
    "\t\t\t    pg_get_userbyid(s.setrole), dst) END, s.name,\n"
    "\t\t\t    CASE WHEN lower(s.name) IN ('local_preload_libraries',\n"
    "\t\t\t    'search_path', 'session_preload_libraries',\n"
    "\t\t\t    'temp_tablespaces') THEN (SELECT string_agg(\n"
    "\t\t\t    quote_literal(CASE WHEN m.m[1] LIKE '\"%' THEN\n"
    "\t\t\t    replace(substr(m.m[1], 2, length(m.m[1]) - 2), '\"\"',\n"
    "\t\t\t    '\"') ELSE m.m[1] END), ', ' ORDER BY m.n)\n"
    "\t\t\t    FROM regexp_matches(s.val, '[[:space:]]*(\"(?:[^\"]|\"\")*\"|"
    "[^\",[:space:]]+)[[:space:]]*(?:,|$)', 'g')\n"
    "\t\t\t    WITH ORDINALITY AS m(m, n))\n"
    "\t\t\t    ELSE quote_literal(s.val) END)\n"
    "\t\t\tFROM s\n"
    "\t\t\tUNION ALL\n"
    "\t\t\tSELECT 2, 0, v.i, format('REVOKE ALL ON DATABASE %I FROM %s',\n"
    "\t\t\t    dst, v.w)\n"
    "\t\t\tFROM d, LATERAL (VALUES (1, 'PUBLIC'),\n"
    "\t\t\t    (2, quote_ident(pg_get_userbyid(d.datdba)))) AS v(i, w)\n"
    "\t\t\tWHERE d.datacl IS NOT NULL\n"
    "\t\t\tUNION ALL\n"
    "\t\t\tSELECT 3, g.n, v.i, v.sql FROM d, g, LATERAL (VALUES\n"
    "\t\t\t    (1, CASE WHEN g.grantor <> d.datdba THEN\n"
    "\t\t\t    format('SET ROLE %I', pg_get_userbyid(g.grantor)) END),\n"
    "\t\t\t    (2, format('GRANT %s ON DATABASE %I TO %s%s', g.privs, dst,\n"
    "\t\t\t    CASE WHEN g.grantee = 0 THEN 'PUBLIC' ELSE\n"
    "\t\t\t    quote_ident(pg_get_userbyid(g.grantee)) END,\n"
    "\t\t\t    CASE WHEN g.is_grantable THEN ' WITH GRANT OPTION' END)),\n"
    "\t\t\t    (3, CASE WHEN g.grantor <> d.datdba THEN 'RESET ROLE' END))\n"
    "\t\t\t    AS v(i, sql)\n"
    "\t\t\tWHERE v.sql IS NOT NULL\n"
    "\t\t\tUNION ALL\n"
    "\t\t\tSELECT 4, 0, 0, format('ALTER DATABASE %I CONNECTION LIMIT %s',\n"
    "\t\t\t    dst, d.datconnlimit) FROM d WHERE d.datconnlimit >= 0\n"
    "\t\t\tUNION ALL\n"
    "\t\t\tSELECT 5, 0, 0, format('COMMENT ON DATABASE %I IS %L', dst,\n"
    "\t\t\t    d.note) FROM d WHERE d.note IS NOT NULL)\n"
    "\t\tSELECT x.sql FROM x ORDER BY x.part, x.k1, x.k2\n"
    "\tLOOP\n"
    "\t\tBEGIN\n"
    "\t\t\tEXECUTE cmd;\n"
    "\t\tEXCEPTION WHEN OTHERS THEN\n"
    "\t\t\tRAISE EXCEPTION '%: %', cmd, SQLERRM;\n"
    "\t\tEND;\n"
    "\tEND LOOP;\n"
    "\tSELECT string_agg(t.k, ', ' ORDER BY t.k) INTO differ FROM (\n"
    "\t\tSELECT v.k FROM pg_database d, LATERAL (VALUES\n"
    "\t\t    ('connection limit', d.datconnlimit::text),\n"
    "\t\t    ('comment', shobj_description(d.oid, 'pg_database')),\n"
    "\t\t    ('privileges', CASE WHEN d.datacl IS NULL THEN 'default'\n"
    "\t\t    ELSE coalesce((SELECT array_agg(a::text ORDER BY a::text)\n"
    "\t\t    FROM unnest(d.datacl) AS a)::text, '{}') END),\n"
    "\t\t    ('settings', (SELECT string_agg(r.setrole::regrole::text\n"
    "\t\t    || '=' || r.setconfig::text, ' ' ORDER BY r.setrole)\n"
    "\t\t    FROM pg_db_role_setting r WHERE r.setdatabase = d.oid)))\n"
    "\t\t    AS v(k, val)\n"
    "\t\tWHERE d.datname IN (src, dst)\n"
    "\t\tGROUP BY v.k\n"
    "\t\tHAVING max(v.val) FILTER (WHERE d.datname = src) IS DISTINCT\n"
    "\t\t    FROM max(v.val) FILTER (WHERE d.datname = dst)) AS t;\n"
    "\tIF differ IS NOT NULL THEN\n"
    "\t\tRAISE EXCEPTION '% differs from % after the copy: %', dst, src,\n"
    "\t\t    differ;\n"
    "\tEND IF;\n"
    "END\n"
    "$drdeck$;\n";

/* The "ERROR:" line of psql's stderr (what follows it), else "". */
static const char *
psql_error(const char *text, char *buf, size_t len)
{
	const char *s = text != NULL ? strstr(text, "ERROR:") : NULL;
	size_t n;

	buf[0] = '\0';
	if (s == NULL)
		return buf;
	s += strlen("ERROR:");
	s += strspn(s, " ");
	n = strcspn(s, "\r\n");
	snprintf(buf, len, "%.*s", (int)n, s);
	return buf;
}

/*
 * The live copy's database-level settings onto <db>_staging, once it is
 * restored and checked (so that none of them, default_transaction_read_only
 * say, applies to pg_restore's sessions or to the checks): after the swap
 * the live database has them as before.  Nothing without a live copy.
 */
static int
step_settings(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	struct buf sql = { 0 };
	char *out = NULL, *p, why[ERR_LEN];
	long n_set, n_acl, limit, note;
	char lim[48];
	int rc = -1;

	job_step(jb, "settings");
	if (!rs->live_exists) {
		job_step_ok(jb, "no live %s: nothing to carry", rs->db);
		return 0;
	}
	buf_puts(&sql, "BEGIN;\nDO $drdeck$\nDECLARE\n\tsrc text := ");
	pgtool_literal(&sql, rs->db);
	buf_puts(&sql, ";\n\tdst text := ");
	pgtool_literal(&sql, rs->staging);
	buf_puts(&sql, ";\n");
	buf_puts(&sql, carry_body);
	buf_puts(&sql, "SELECT (SELECT count(*) FROM pg_db_role_setting r, "
	    "unnest(r.setconfig) WHERE r.setdatabase = d.oid) || '|' || "
	    "coalesce(cardinality(d.datacl), 0) || '|' || d.datconnlimit || "
	    "'|' || (shobj_description(d.oid, 'pg_database') IS NOT NULL)::int "
	    "FROM pg_database d WHERE d.datname = ");
	pgtool_literal(&sql, rs->db);
	buf_puts(&sql, ";\nCOMMIT;\n");
	if (sql_value(jb, "postgres", buf_str(&sql), &out, e) != 0) {
		if (psql_error(jb->err_tail, why, sizeof why)[0] != '\0')
			err_set(e, "carrying the settings of %s onto %s: %s",
			    rs->db, rs->staging, why);
		goto out;
	}
	if (out[0] == '\0') {
		err_set(e, "%s is gone: no settings to carry onto %s", rs->db,
		    rs->staging);
		goto out;
	}
	p = out;
	n_set = strtol(p, &p, 10);
	n_acl = *p == '|' ? strtol(p + 1, &p, 10) : -1;
	limit = *p == '|' ? strtol(p + 1, &p, 10) : -1;
	note = *p == '|' ? strtol(p + 1, &p, 10) : -1;
	if (n_acl < 0 || note < 0) {
		err_set(e, "carrying the settings of %s: unexpected answer "
		    "\"%s\" (settings|grants|limit|comment expected)", rs->db,
		    out);
		goto out;
	}
	lim[0] = '\0';
	if (limit >= 0)
		snprintf(lim, sizeof lim, ", connection limit %ld", limit);
	job_step_ok(jb, "%ld setting%s, %ld grant%s%s%s carried from %s",
	    n_set, n_set == 1 ? "" : "s", n_acl, n_acl == 1 ? "" : "s", lim,
	    note ? ", comment" : "", rs->db);
	rc = 0;
out:
	free(out);
	buf_free(&sql);
	return rc;
}

/* End every session of the named databases and wait (5 ms polls, 10 s at
 * most) until none is left; connections to `gate` are refused first. */
static void
sql_terminate(struct buf *sql, const char *gate, const char *also)
{
	struct buf names = { 0 };

	pgtool_literal(&names, gate);
	if (also != NULL) {
		buf_puts(&names, ", ");
		pgtool_literal(&names, also);
	}
	buf_puts(sql, "ALTER DATABASE ");
	pgtool_ident(sql, gate);
	buf_puts(sql, " ALLOW_CONNECTIONS false;\n");
	buf_printf(sql, "SELECT count(pg_terminate_backend(pid)) FROM "
	    "pg_stat_activity WHERE datname IN (%s) AND pid <> "
	    "pg_backend_pid();\n", buf_str(&names));
	buf_printf(sql, "DO $drdeck$ DECLARE n int; BEGIN FOR i IN 1..2000 "
	    "LOOP PERFORM pg_stat_clear_snapshot(); SELECT count(*) INTO n "
	    "FROM pg_stat_activity WHERE datname IN (%s) AND pid <> "
	    "pg_backend_pid(); IF n = 0 THEN RETURN; END IF; PERFORM "
	    "pg_sleep(0.005); END LOOP; RAISE EXCEPTION 'sessions still "
	    "open after 10 s'; END $drdeck$;\n", buf_str(&names));
	buf_free(&names);
}

static void
sql_rename(struct buf *sql, const char *from, const char *to)
{
	buf_puts(sql, "ALTER DATABASE ");
	pgtool_ident(sql, from);
	buf_puts(sql, " RENAME TO ");
	pgtool_ident(sql, to);
	buf_puts(sql, ";\n");
}

static void
sql_allow(struct buf *sql, const char *db)
{
	buf_puts(sql, "ALTER DATABASE ");
	pgtool_ident(sql, db);
	buf_puts(sql, " ALLOW_CONNECTIONS true;\n");
}

/* The swap: db -> prev, staging -> db (or back: db -> staging,
 * prev -> db). */
static int
swap(struct restore *rs, int back, struct err *e)
{
	struct buf sql = { 0 };
	int rc;

	if (!back && !rs->live_exists) {
		sql_rename(&sql, rs->staging, rs->db);
	} else {
		sql_terminate(&sql, rs->db, back ? NULL : rs->staging);
		buf_puts(&sql, "BEGIN;\n");
		sql_rename(&sql, rs->db, back ? rs->staging : rs->prev);
		sql_rename(&sql, back ? rs->prev : rs->staging, rs->db);
		buf_puts(&sql, "COMMIT;\n");
	}
	sql_allow(&sql, rs->db);
	rc = job_sql(&rs->jb, rs->jb.t, "postgres", buf_str(&sql), NULL, e);
	buf_free(&sql);
	return rc;
}

/* After a failed swap script: <db> exists again and takes connections. */
static void
recover(struct restore *rs)
{
	struct job *jb = &rs->jb;
	struct buf sql = { 0 };
	struct err e = { "" };
	char *v = NULL;

	buf_puts(&sql, "SELECT count(*) FROM pg_database WHERE datname = ");
	pgtool_literal(&sql, rs->db);
	buf_puts(&sql, ";\n");
	if (sql_value(jb, "postgres", buf_str(&sql), &v, &e) != 0) {
		job_say(jb, "recover: %s", e.msg);
		goto out;
	}
	buf_reset(&sql);
	if (atoi(v) == 0 && rs->live_exists)
		sql_rename(&sql, rs->prev, rs->db);
	sql_allow(&sql, rs->db);
	if (job_sql(jb, jb->t, "postgres", buf_str(&sql), NULL, &e) != 0)
		job_say(jb, "recover: %s", e.msg);
	else
		job_say(jb, "recover: %s takes connections again", rs->db);
out:
	free(v);
	buf_free(&sql);
}

static int
drop_db(struct restore *rs, const char *name, struct err *e)
{
	struct buf sql = { 0 };
	int rc;

	buf_puts(&sql, "DROP DATABASE IF EXISTS ");
	pgtool_ident(&sql, name);
	buf_puts(&sql, " WITH (FORCE);\n");
	rc = job_sql(&rs->jb, rs->jb.t, "postgres", buf_str(&sql), NULL, e);
	buf_free(&sql);
	return rc;
}

/* The switch window: stop, swap, start.  On a failed swap the live copy
 * is put back as it was and the app started. */
static int
step_switch(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	struct err se = { "" };
	int64_t t0, t1, t2;
	int rc = -1;

	job_step(jb, "switch");
	/* The window is not cancelled once begun: a cancel would leave the
	 * app down (it is seconds long). */
	transport_set_cancel(jb->t, NULL);
	t0 = clock_mono_ms();
	if (job_services_stop(jb, jb->t, e) != 0)
		goto start;
	t1 = clock_mono_ms();
	if (swap(rs, 0, e) != 0) {
		recover(rs);
		goto start;
	}
	t2 = clock_mono_ms();
	rc = 0;
	rs->swapped = 1;
	rs->swap_ms = t2 - t1;
	job_say(jb, "swap: %s -> %s, %s -> %s in %" PRId64 " ms", rs->db,
	    rs->prev, rs->staging, rs->db, t2 - t1);
start:
	if (job_services_start(jb, jb->t, &se) != 0) {
		if (rc == 0)
			*e = se;
		else
			job_say(jb, "also: %s", se.msg);
		rc = -1;
	}
	jb->r->switch_ms = clock_mono_ms() - t0;
	if (jb->o->cancel != NULL)
		transport_set_cancel(jb->t, jb->o->cancel);
	if (rc == 0)
		job_step_ok(jb, "app down for %" PRId64 " ms (stop, swap in "
		    "%" PRId64 " ms, start)", jb->r->switch_ms, rs->swap_ms);
	return rc;
}

static int
step_swap_back(struct restore *rs, struct err *e)
{
	struct job *jb = &rs->jb;
	struct err se = { "" };
	char tail[sizeof jb->err_tail];
	int rc = -1;

	/* The alert shows the stderr of what failed, not of the swap back. */
	memcpy(tail, jb->err_tail, sizeof tail);
	job_step(jb, "swapback");
	memcpy(jb->err_tail, tail, sizeof tail);
	jb->r->swapped_back = 1;
	transport_set_cancel(jb->t, NULL);	/* never half done */
	if (!rs->live_exists) {
		return err_set(e, "no earlier copy of %s to swap back to",
		    rs->db);
	}
	if (job_services_stop(jb, jb->t, &se) != 0)
		job_say(jb, "stop: %s", se.msg);
	if (swap(rs, 1, e) != 0) {
		recover(rs);
		goto start;
	}
	rc = 0;
start:
	if (job_services_start(jb, jb->t, &se) != 0) {
		if (rc == 0)
			*e = se;
		rc = -1;
	}
	if (rc == 0)
		job_step_ok(jb, "%s is the copy it was before; the restored "
		    "one is kept as %s", rs->db, rs->staging);
	return rc;
}

static void
record(struct restore *rs, int ok, const char *why)
{
	struct job *jb = &rs->jb;
	struct err e = { "" };

	rs->st.restore_at = clock_wall_ms();
	free(rs->st.restore_result);
	rs->st.restore_result = ok ? xstrdup("ok") : xasprintf("failed: %s",
	    why);
	if (ok) {
		free(rs->st.restore_dump);
		rs->st.restore_dump = xstrdup(rs->name);
		rs->st.restore_data_time = jb->r->data_time;
		rs->st.restore_duration_ms = clock_mono_ms() - jb->t0;
		rs->st.restore_switch_ms = jb->r->switch_ms;
		rs->st.restore_ok_at = rs->st.restore_at;
	}
	if (state_write(jb->t, &rs->st, JOB_T_FILE, &e) != 0)
		job_warn(jb, "%s", e.msg);
}

static void
restore_free(struct restore *rs)
{
	free(rs->staging);
	free(rs->prev);
	free(rs->name);
	free(rs->path);
	host_state_free(&rs->st);
}

int
job_restore(const struct config *c, struct journal *j,
    const struct job_opts *o, struct job_result *r, struct err *e)
{
	struct restore rs;
	struct job *jb = &rs.jb;
	struct err se = { "" };
	char sum[512], iso[JOB_ISO_LEN];
	int rc = -1;

	memset(&rs, 0, sizeof rs);
	job_init(jb, c, j, o, r, "restore");
	jb->h = o->host != NULL ? config_host(c, o->host) : config_backup(c);
	sum[0] = '\0';
	job_step(jb, "start");
	if (jb->h == NULL) {
		err_set(e, "no host %s in %s", o->host != NULL ? o->host :
		    "of kind backup", c->path != NULL ? c->path : "the config");
		job_fail(jb, e);
		goto out;
	}
	rs.db = jb->h->pg.dbname;
	rs.staging = xasprintf("%s_staging", rs.db);
	rs.prev = xasprintf("%s_prev", rs.db);
	job_say(jb, "staged restore of %s on %s", rs.db, jb->h->name);
	if (job_open(jb, jb->h, &jb->t, e) != 0 || step_role(&rs, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	if (!o->no_lock) {
		job_step(jb, "lock");
		if (lock_take(jb->t, "restore", c->lock_wait * 1000, 0,
		    JOB_T_FILE, e) != 0) {
			r->refused = 1;
			job_fail(jb, e);
			goto out;
		}
		jb->locked = 1;
		job_step_ok(jb, "job lock of %s held", jb->h->name);
	}
	job_step(jb, "parity");
	if (job_parity(jb, jb->t, "postgres", PARITY_ENV, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step_ok(jb, "server major matches the manifest (extensions: "
	    "created in staging)");
	if (step_choose(&rs, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	if (rs.name == NULL) {
		snprintf(sum, sizeof sum, "nothing newer than %s",
		    rs.st.restore_dump);
		rc = 0;
		goto out;
	}
	if (step_roles(&rs, e) != 0 || step_staging(&rs, e) != 0 ||
	    step_pg_restore(&rs, e) != 0 || step_sanity(&rs, e) != 0 ||
	    step_settings(&rs, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step(jb, "prev");
	if (drop_db(&rs, rs.prev, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step_ok(jb, "the previous %s dropped (one kept)", rs.prev);
	if (step_switch(&rs, e) != 0) {
		job_fail(jb, e);
		/* Swapped but the app did not start: the previous copy goes
		 * back, as when the health gate fails. */
		if (rs.swapped && step_swap_back(&rs, &se) != 0) {
			char first[ERR_LEN];

			snprintf(first, sizeof first, "%s", e->msg);
			err_set(e, "%s; swapping back failed too: %s", first,
			    se.msg);
			job_say(jb, "swapback FAIL: %s", se.msg);
		}
		goto out;
	}
	job_step(jb, "health");
	if (job_health_gate(jb, jb->t, o->health_timeout_ms > 0 ?
	    o->health_timeout_ms : JOB_T_HEALTH, e) != 0) {
		job_fail(jb, e);
		if (step_swap_back(&rs, &se) != 0) {
			char first[ERR_LEN];

			snprintf(first, sizeof first, "%s", e->msg);
			err_set(e, "%s; swapping back failed too: %s", first,
			    se.msg);
			job_say(jb, "swapback FAIL: %s", se.msg);
		}
		goto out;
	}
	job_step_ok(jb, "%s answers 200", jb->h->health_url);
	rc = 0;
	snprintf(sum, sizeof sum, "restore OK: %s, data time %s, app down "
	    "%" PRId64 " ms, pg_restore %d benign / %d fatal messages",
	    rs.name, job_iso_time(r->data_time, iso), r->switch_ms,
	    rs.cls.benign, rs.cls.fatal);
	record(&rs, 1, NULL);
	{
		char *what = xasprintf("restored %s", rs.name);

		if (job_logline(jb, jb->t, "restore.log", what, &se) != 0)
			job_warn(jb, "%s", se.msg);
		free(what);
	}
	job_step(jb, "retention");
	job_retention(jb, jb->t, rs.name);
	job_step_ok(jb, "kept per the plan");
out:
	/* A failed attempt on a chosen dump is recorded (the last good
	 * restore stays named in the state file). */
	if (rc != 0 && rs.name != NULL && jb->t != NULL)
		record(&rs, 0, e->msg);
	job_finish(jb, rc, e, sum);
	restore_free(&rs);
	job_done(jb);
	return rc;
}
