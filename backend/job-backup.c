/*
 * job-backup.c: `drdeck backup [--nightly]`, the runbook's
 * Backup-And-Ship (§2, §3.1, §4.1, §6, §10.1), done safely.
 *
 * On the host (its transport: local or ssh): role; lock; parity; free
 * space; the data stamp; pg_dump -Fc to NAME.part (--nightly: the app
 * stopped first and ALWAYS started again, and the schema-only file too);
 * the listing holds the tables; the roles file; sha256; then the whole
 * archive read back (pg_restore -f /dev/null) while it ships to the peer
 * as NAME.incoming (put: .part, sha256 on arrival, rename); only when
 * both passed: the final names and the sidecars on both hosts; sweep old
 * .part files; retention on both hosts; the runbook's log line.  On
 * failure: nothing left under a dump's name on either host, an alert
 * naming the step, -1.
 *
 * Runs on the calling thread, plus one thread for the read back (its own
 * transport; it touches nothing else of the job).  Blocks for as long as
 * the dump and the shipping take (bounded by job-int.h's deadlines).
 */
#include "jobs.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "job-common.h"
#include "job-int.h"
#include "os.h"
#include "pgtool.h"
#include "state.h"
#include "xmalloc.h"

struct backup {
	struct job jb;
	const char *db;
	char	*name;		/* rabspocdb_2026-11-25_09-00.dump */
	char	*path;		/* <dumps>/<name> */
	char	*part;		/* <path>.part */
	char	*schema_name;
	char	*schema_part;
	char	*roles_name;	/* <name>.roles.sql */
	char	*roles_part;
	char	 sha[65];
	int	 stopped;	/* nightly: the app is stopped by us */
	int64_t	 epoch;		/* the host's epoch (state file) */
};

/* Bytes for people: "1.2 GB". */
static const char *
human(uint64_t n, char *buf, size_t len)
{
	if (n >= 1000ULL * 1000 * 1000)
		snprintf(buf, len, "%.1f GB", (double)n / 1e9);
	else if (n >= 1000ULL * 1000)
		snprintf(buf, len, "%.1f MB", (double)n / 1e6);
	else if (n >= 1000)
		snprintf(buf, len, "%.1f kB", (double)n / 1e3);
	else
		snprintf(buf, len, "%" PRIu64 " B", n);
	return buf;
}

/* The newest dump of the folder by the time in its name (size too). */
static int
latest_dump(const struct host_cfg *h, const struct rdir *d, uint64_t *size,
    const char **name)
{
	int64_t best = INT64_MIN, t;
	size_t i;

	*size = 0;
	*name = NULL;
	for (i = 0; i < d->n; i++) {
		if (d->e[i].is_dir || job_dump_name_parse(h->pg.dbname,
		    h->timezone, d->e[i].name, &t) != 0)
			continue;
		if (t > best) {
			best = t;
			*size = d->e[i].size;
			*name = d->e[i].name;
		}
	}
	return *name != NULL;
}

/*
 * A fenced primary (stopped by a failover) or a standby does not dump on
 * its schedule: its data is not the pair's newest.  A flow (it holds
 * the lock: no_lock) decides that itself: a failover's salvage dump runs
 * on the fenced primary on purpose.
 */
static int
step_role(struct backup *b, struct err *e)
{
	struct job *jb = &b->jb;
	struct host_state st;
	char *path;
	int rc = -1;

	job_step(jb, "role");
	if (state_read(jb->t, &st, JOB_T_FILE, e) != 0)
		return -1;
	b->epoch = st.epoch;
	if (jb->o->ignore_role || jb->o->no_lock || (!st.fenced &&
	    st.role != HOST_ROLE_STANDBY)) {
		job_step_ok(jb, "%s is %s (epoch %" PRId64 ")%s", jb->h->name,
		    host_role_name(st.role), st.epoch, st.fenced ?
		    ", fenced: role check waived" : "");
		rc = 0;
		goto out;
	}
	path = job_path_join(jb->h, jb->h->state, "state.json");
	if (st.fenced)
		err_set(e, "refused: %s is FENCED (its app was stopped by a "
		    "failover, epoch %" PRId64 "); its data is not the pair's "
		    "newest.  `drdeck cutback` brings it back (role kept in "
		    "%s)", jb->h->name, st.epoch, path);
	else
		err_set(e, "refused: %s is a STANDBY (epoch %" PRId64 "); "
		    "backups run on the host that serves.  Pick it with "
		    "--host (role kept in %s)", jb->h->name, st.epoch, path);
	free(path);
	jb->r->refused = 1;
	jb->quiet = 1;		/* the schedule running here is expected */
out:
	host_state_free(&st);
	return rc;
}

static int
step_space(struct backup *b, struct err *e)
{
	struct job *jb = &b->jb;
	const struct host_cfg *h = jb->h;
	struct rdir d = { 0 };
	uint64_t fr = 0, total = 0, last = 0, need;
	const char *lname;
	char h1[32], h2[32], h3[32];
	int rc = -1;

	job_step(jb, "space");
	if (transport_mkdir(jb->t, h->dumps, JOB_T_FILE, e) != 0 ||
	    transport_list(jb->t, h->dumps, &d, JOB_T_FILE, e) != 0 ||
	    transport_free_space(jb->t, h->dumps, &fr, &total, JOB_T_FILE,
	    e) != 0)
		goto out;
	latest_dump(h, &d, &last, &lname);
	need = (uint64_t)((double)last * jb->c->th.dump_size_factor);
	if (need == 0)
		need = 1024 * 1024;	/* a first dump: at least room to start */
	if (fr < need) {
		err_set(e, "only %s free in %s on %s; need %s (%s, the latest "
		    "dump, x %.1f)", human(fr, h1, sizeof h1), h->dumps,
		    h->name, human(need, h2, sizeof h2), lname != NULL ?
		    human(last, h3, sizeof h3) : "no dump yet",
		    jb->c->th.dump_size_factor);
		goto out;
	}
	job_step_ok(jb, "%s free in %s (need %s)", human(fr, h1, sizeof h1),
	    h->dumps, human(need, h2, sizeof h2));
	rc = 0;
out:
	rdir_free(&d);
	return rc;
}

static int
step_stamp(struct backup *b, struct err *e)
{
	struct job *jb = &b->jb;
	struct buf sql = { 0 };
	char *out = NULL, iso[JOB_ISO_LEN];
	int rc = -1;

	job_step(jb, "stamp");
	buf_puts(&sql, "CREATE SCHEMA IF NOT EXISTS drdeck;\n"
	    "CREATE TABLE IF NOT EXISTS drdeck.stamp(id int primary key, "
	    "stamped_at timestamptz not null, host text, epoch bigint);\n"
	    "INSERT INTO drdeck.stamp(id, stamped_at, host, epoch) "
	    "VALUES (1, now(), ");
	pgtool_literal(&sql, jb->h->name);
	buf_printf(&sql, ", %" PRId64 ") ON CONFLICT (id) DO UPDATE SET "
	    "stamped_at = excluded.stamped_at, host = excluded.host, "
	    "epoch = excluded.epoch;\n"
	    "SELECT (extract(epoch FROM stamped_at) * 1000)::bigint FROM "
	    "drdeck.stamp WHERE id = 1;\n", b->epoch);
	if (job_sql(jb, jb->t, b->db, buf_str(&sql), &out, e) != 0)
		goto out;
	jb->r->data_time = strtoll(out, NULL, 10);
	if (jb->r->data_time <= 0) {
		err_set(e, "the data stamp did not read back from %s", b->db);
		goto out;
	}
	job_step_ok(jb, "data stamp %s (epoch %" PRId64 ")",
	    job_iso_time(jb->r->data_time, iso), b->epoch);
	rc = 0;
out:
	free(out);
	buf_free(&sql);
	return rc;
}

static int
run_dump(struct backup *b, int schema, struct err *e)
{
	struct job *jb = &b->jb;
	struct strv argv = { 0 };
	int rc;

	pgtool_argv(jb->h, "pg_dump", &argv);
	if (schema) {
		strv_push(&argv, "-F");
		strv_push(&argv, "p");
		strv_push(&argv, "-s");
	} else {
		strv_push(&argv, "-F");
		strv_push(&argv, "c");
	}
	strv_push(&argv, "-d");
	strv_push(&argv, b->db);
	strv_push(&argv, "-f");
	strv_push(&argv, schema ? b->schema_part : b->part);
	rc = job_run(jb, jb->t, strv_argv(&argv), NULL, JOB_T_DUMP, NULL, e);
	strv_free(&argv);
	return rc;
}

/* 1 when every name of want is in have (both sorted); *missing names the
 * first one that is not. */
static int
holds_all(const struct strv *have, const struct strv *want,
    const char **missing)
{
	size_t i, k;

	for (i = 0; i < want->n; i++) {
		int found = 0;

		for (k = 0; k < have->n && !found; k++)
			found = strcmp(have->v[k], want->v[i]) == 0;
		if (!found) {
			*missing = want->v[i];
			return 0;
		}
	}
	return 1;
}

static int
step_list(struct backup *b, const struct strv *expected, struct err *e)
{
	struct job *jb = &b->jb;
	struct strv listed = { 0 };
	struct rstat st;
	const char *missing = NULL;
	char hb[32];
	int rc = -1;

	job_step(jb, "list");
	if (job_archive_tables(jb, jb->t, b->part, &listed, e) != 0)
		goto out;
	if (!holds_all(&listed, expected, &missing)) {
		err_set(e, "%s lacks table %s (%zu tables listed, %zu in %s)",
		    b->part, missing, listed.n, expected->n, b->db);
		goto out;
	}
	memset(&st, 0, sizeof st);
	if (transport_stat(jb->t, b->part, &st, JOB_T_FILE, e) != 0)
		goto out;
	jb->r->dump_bytes = st.size;
	job_step_ok(jb, "the archive lists all %zu tables, %s", listed.n,
	    human(st.size, hb, sizeof hb));
	rc = 0;
out:
	strv_free(&listed);
	return rc;
}

/*
 * Reading the whole archive back (pg_restore -f /dev/null: --list alone
 * passes a dump cut short) on a transport of its own, so that it runs
 * beside the shipping on a thread of its own.  Touches nothing of the
 * job but this struct; the job's thread reports the outcome.
 */
struct reader {
	const struct host_cfg *h;
	const char *part;
	volatile int *cancel;
	int	 rc;
	struct err e;
	char	 tail[1024];
	int64_t	 ms;
};

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	struct transport *t = NULL;
	struct strv argv = { 0 };
	struct exec_result r;
	char how[EXEC_DESCRIBE_MAX], last[256], *p;
	int64_t t0 = clock_mono_ms();

	memset(&r, 0, sizeof r);
	rd->rc = -1;
	if (transport_open(rd->h, JOB_T_OPEN, &t, &rd->e) != 0)
		goto out;
	if (rd->cancel != NULL)
		transport_set_cancel(t, rd->cancel);
	p = pgtool_program(rd->h, "pg_restore");
	strv_push(&argv, p);
	free(p);
	strv_push(&argv, "-f");
	strv_push(&argv, pgtool_devnull(rd->h));
	strv_push(&argv, rd->part);
	if (transport_exec(t, strv_argv(&argv), NULL, 0, JOB_T_DUMP, &r,
	    &rd->e) != 0)
		goto out;
	if (!exec_ok(&r)) {
		snprintf(rd->tail, sizeof rd->tail, "%s", r.err_len <
		    sizeof rd->tail ? r.errout : r.errout + r.err_len -
		    (sizeof rd->tail - 1));
		job_last_line(r.errout, last, sizeof last);
		err_set(&rd->e, "pg_restore: %s%s%s", exec_describe(&r, how,
		    sizeof how), last[0] ? ": " : "", last);
		goto out;
	}
	rd->rc = 0;
out:
	rd->ms = clock_mono_ms() - t0;
	if (rd->rc != 0)
		err_prefix(&rd->e, "%s does not read back whole", rd->part);
	exec_result_free(&r);
	strv_free(&argv);
	if (t != NULL)
		transport_close(t);
	return NULL;
}

static int
step_roles(struct backup *b, struct err *e)
{
	struct job *jb = &b->jb;
	struct strv argv = { 0 };
	int rc = -1;

	/* Kept as .part until the dump is sealed. */
	job_step(jb, "roles");
	pgtool_argv(jb->h, "pg_dumpall", &argv);
	strv_push(&argv, "--roles-only");
	strv_push(&argv, "--no-role-passwords");
	strv_push(&argv, "-f");
	strv_push(&argv, b->roles_part);
	if (job_run(jb, jb->t, strv_argv(&argv), NULL, JOB_T_SQL, NULL,
	    e) != 0)
		goto out;
	job_step_ok(jb, "%s", b->roles_part);
	rc = 0;
out:
	strv_free(&argv);
	return rc;
}

static int copy_file(struct job *jb, struct transport *from,
    struct transport *to, const char *src, const char *dst, int *relayed,
    struct err *e);

/* The dump's final name and its sidecar, on the host and on the peer
 * (where it arrived as <name>.incoming). */
static int
step_seal(struct backup *b, struct transport *peer, const char *incoming,
    struct err *e)
{
	struct job *jb = &b->jb;
	const struct host_cfg *ph = peer != NULL ? transport_host(peer) : NULL;
	char *side = NULL, *line = NULL, *sname = NULL, *pdst = NULL;
	char *roles = NULL, *proles = NULL;
	int rc = -1, relayed = 1;

	job_step(jb, "seal");
	sname = xasprintf("%s.sha256", b->name);
	line = xasprintf("%s  %s\n", b->sha, b->name);
	roles = job_path_join(jb->h, jb->h->dumps, b->roles_name);
	if (transport_rename(jb->t, b->roles_part, roles, JOB_T_FILE, e) != 0 ||
	    transport_rename(jb->t, b->part, b->path, JOB_T_FILE, e) != 0)
		goto out;
	side = job_path_join(jb->h, jb->h->dumps, sname);
	if (transport_write_file(jb->t, side, line, strlen(line), 0600,
	    JOB_T_FILE, e) != 0)
		goto out;
	snprintf(jb->r->dump_name, sizeof jb->r->dump_name, "%s", b->name);
	if (peer != NULL) {
		free(side);
		pdst = job_path_join(ph, ph->dumps, b->name);
		side = job_path_join(ph, ph->dumps, sname);
		proles = job_path_join(ph, ph->dumps, b->roles_name);
		if (copy_file(jb, jb->t, peer, roles, proles, &relayed,
		    e) != 0 ||
		    transport_rename(peer, incoming, pdst, JOB_T_FILE, e) != 0 ||
		    transport_write_file(peer, side, line, strlen(line), 0600,
		    JOB_T_FILE, e) != 0) {
			err_prefix(e, "%s", ph->name);
			goto out;
		}
	}
	job_step_ok(jb, "%s%s%s sha256 %.12s...", b->path, ph != NULL ?
	    " and on " : "", ph != NULL ? ph->name : "", b->sha);
	rc = 0;
out:
	free(roles);
	free(proles);
	free(pdst);
	free(sname);
	free(side);
	free(line);
	return rc;
}

/* Remove .part files of this database left by earlier runs. */
static void
step_sweep(struct backup *b)
{
	struct job *jb = &b->jb;
	struct rdir d = { 0 };
	struct err e = { "" };
	size_t i, dl = strlen(b->db), swept = 0;
	int64_t started = clock_wall_ms() - (clock_mono_ms() - jb->t0);

	job_step(jb, "sweep");
	if (transport_list(jb->t, jb->h->dumps, &d, JOB_T_FILE, &e) != 0) {
		job_warn(jb, "sweep: %s", e.msg);
		return;
	}
	for (i = 0; i < d.n; i++) {
		const char *n = d.e[i].name;
		size_t l = strlen(n);
		char *p;

		if (d.e[i].is_dir || l < 5 || strcmp(n + l - 5, ".part") != 0 ||
		    strncmp(n, b->db, dl) != 0 || n[dl] != '_' ||
		    d.e[i].mtime * 1000 >= started)
			continue;
		p = job_path_join(jb->h, jb->h->dumps, n);
		if (transport_remove(jb->t, p, JOB_T_FILE, &e) != 0)
			job_warn(jb, "sweep: %s", e.msg);
		else
			swept++;
		free(p);
	}
	rdir_free(&d);
	job_step_ok(jb, "%zu old .part file%s removed", swept,
	    swept == 1 ? "" : "s");
}

/* On failure: nothing of this run left under a dump's name. */
static void
cleanup_parts(struct backup *b)
{
	struct err e = { "" };

	if (b->jb.t == NULL)
		return;
	/* Cleaning up is never cancelled. */
	transport_set_cancel(b->jb.t, NULL);
	if (b->part != NULL)
		(void)!transport_remove(b->jb.t, b->part, JOB_T_FILE, &e);
	if (b->schema_part != NULL)
		(void)!transport_remove(b->jb.t, b->schema_part, JOB_T_FILE, &e);
	if (b->roles_part != NULL)
		(void)!transport_remove(b->jb.t, b->roles_part, JOB_T_FILE, &e);
}

/* Copy one file of host `from` to host `to` (either may be local). */
static int
copy_file(struct job *jb, struct transport *from, struct transport *to,
    const char *src, const char *dst, int *relayed, struct err *e)
{
	const struct host_cfg *hf = transport_host(from);
	const struct host_cfg *ht = transport_host(to);
	const char *tmpdir = getenv("TMPDIR");
	char *tmp;
	int rc;

	if (hf->transport == HOST_TRANSPORT_LOCAL)
		return transport_put(to, src, dst, NULL, NULL, JOB_T_SHIP, e);
	if (ht->transport == HOST_TRANSPORT_LOCAL)
		return transport_get(from, src, dst, NULL, NULL, JOB_T_SHIP, e);
	/* Neither end is this machine: relay through a local file. */
	if (!*relayed)
		job_say(jb, "neither %s nor %s is this machine: relaying "
		    "through %s", hf->name, ht->name, os_hostname());
	*relayed = 1;
	tmp = xasprintf("%s/drdeck-relay-%ld-%s", tmpdir != NULL && *tmpdir ?
	    tmpdir : "/tmp", (long)getpid(), job_basename(src));
	rc = transport_get(from, src, tmp, NULL, NULL, JOB_T_SHIP, e);
	if (rc == 0)
		rc = transport_put(to, tmp, dst, NULL, NULL, JOB_T_SHIP, e);
	remove(tmp);
	free(tmp);
	return rc;
}

/* The host the dump goes to: --ship-to, else the other host. */
static const struct host_cfg *
ship_target(const struct config *c, const struct host_cfg *h,
    const char *ship_to)
{
	size_t i;

	if (ship_to != NULL)
		return config_host(c, ship_to);
	for (i = 0; i < c->n_hosts; i++)
		if (&c->hosts[i] != h && strcmp(c->hosts[i].name, h->name) != 0)
			return &c->hosts[i];
	return NULL;
}

static int
step_ship(struct backup *b, const struct host_cfg *to, struct transport **tp,
    char **incoming, struct err *e)
{
	struct job *jb = &b->jb;
	struct transport *tt = NULL;
	char *dst = NULL, *src = NULL, *tmp;
	char hb[32];
	int relayed = 0, rc = -1;
	int64_t t0 = clock_mono_ms();

	job_step(jb, "ship");
	if (job_open(jb, to, &tt, e) != 0)
		goto out;
	if (transport_mkdir(tt, to->dumps, JOB_T_FILE, e) != 0)
		goto out;
	src = xstrdup(b->part);
	tmp = xasprintf("%s.incoming", b->name);
	dst = job_path_join(to, to->dumps, tmp);
	free(tmp);
	/* The dump (put: .part, sha256 on arrival, rename) as
	 * <name>.incoming: no dump's name until the whole read back passed
	 * (step_seal renames it, copies the roles file and writes the
	 * sidecar). */
	*incoming = xstrdup(dst);
	if (copy_file(jb, jb->t, tt, src, dst, &relayed, e) != 0)
		goto out;
	job_step_ok(jb, "%s to %s:%s, %.0f MB/s%s", human(jb->r->dump_bytes,
	    hb, sizeof hb), to->name, dst, (double)jb->r->dump_bytes / 1e3 /
	    (double)(clock_mono_ms() - t0 + 1), relayed ?
	    " (relayed through this machine)" : "");
	rc = 0;
out:
	if (rc != 0)
		err_prefix(e, "shipping %s to %s", b->name, to->name);
	*tp = tt;
	free(src);
	free(dst);
	return rc;
}

static void
backup_free(struct backup *b)
{
	free(b->name);
	free(b->path);
	free(b->part);
	free(b->schema_name);
	free(b->schema_part);
	free(b->roles_name);
	free(b->roles_part);
}

int
job_backup(const struct config *c, struct journal *j,
    const struct job_opts *o, struct job_result *r, struct err *e)
{
	struct backup b;
	struct job *jb = &b.jb;
	struct transport *peer = NULL;
	const struct host_cfg *to = NULL;
	struct strv expected = { 0 };
	struct err se = { "" };
	struct reader rd;
	pthread_t rd_thr;
	int64_t now;
	char *tmp, *sfinal = NULL, *incoming = NULL;
	int rc = -1, dumped = 0, reading = 0, shipped = 0;

	memset(&b, 0, sizeof b);
	job_init(jb, c, j, o, r, o->nightly ? "nightly" : "backup");
	jb->h = o->host != NULL ? config_host(c, o->host) : config_primary(c);
	job_step(jb, "start");
	if (jb->h == NULL) {
		err_set(e, "no host %s in %s", o->host != NULL ? o->host :
		    "of kind primary", c->path != NULL ? c->path : "the config");
		job_fail(jb, e);
		goto out;
	}
	b.db = jb->h->pg.dbname;
	if (!o->no_ship) {
		to = ship_target(c, jb->h, o->ship_to);
		if (to == NULL) {
			err_set(e, "no host %s to ship to", o->ship_to != NULL ?
			    o->ship_to : "besides this one");
			job_fail(jb, e);
			goto out;
		}
	}
	job_say(jb, "%s of %s on %s%s", jb->action, b.db, jb->h->name,
	    o->nightly ? " (the app is stopped while it dumps)" : "");
	if (job_open(jb, jb->h, &jb->t, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	if (step_role(&b, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	if (!o->no_lock) {
		job_step(jb, "lock");
		if (lock_take(jb->t, jb->action, c->lock_wait * 1000, 0,
		    JOB_T_FILE, e) != 0) {
			r->refused = 1;
			job_fail(jb, e);
			goto out;
		}
		jb->locked = 1;
		job_step_ok(jb, "job lock of %s held", jb->h->name);
	}
	job_step(jb, "parity");
	if (job_parity(jb, jb->t, b.db, PARITY_EXT | PARITY_ENV, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step_ok(jb, "server and extensions match the manifest");
	if (step_space(&b, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step(jb, "tables");
	if (job_tables(jb, jb->t, b.db, &expected, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step_ok(jb, "%zu tables in %s", expected.n, b.db);

	now = clock_wall_ms();
	b.name = job_dump_name(b.db, jb->h->timezone, now, 0);
	b.path = job_path_join(jb->h, jb->h->dumps, b.name);
	b.part = xasprintf("%s.part", b.path);
	b.roles_name = xasprintf("%s.roles.sql", b.name);
	tmp = job_path_join(jb->h, jb->h->dumps, b.roles_name);
	b.roles_part = xasprintf("%s.part", tmp);
	free(tmp);
	if (o->nightly) {
		b.schema_name = job_dump_name(b.db, jb->h->timezone, now, 1);
		sfinal = job_path_join(jb->h, jb->h->dumps, b.schema_name);
		b.schema_part = xasprintf("%s.part", sfinal);
	}

	if (o->nightly) {
		/* §6: stop the app, dump, start it again — always. */
		job_step(jb, "stop");
		b.stopped = 1;
		if (job_services_stop(jb, jb->t, e) != 0) {
			job_fail(jb, e);
			goto restart;
		}
		job_step_ok(jb, "app services of %s stopped", jb->h->name);
	}
	if (step_stamp(&b, e) != 0) {
		job_fail(jb, e);
		goto restart;
	}
	job_step(jb, "dump");
	if (run_dump(&b, 0, e) != 0) {
		job_fail(jb, e);
		goto restart;
	}
	job_step_ok(jb, "pg_dump -Fc to %s", b.part);
	if (o->nightly) {
		job_step(jb, "schema");
		if (run_dump(&b, 1, e) != 0 || transport_rename(jb->t,
		    b.schema_part, sfinal, JOB_T_FILE, e) != 0) {
			job_fail(jb, e);
			goto restart;
		}
		job_step_ok(jb, "pg_dump -Fp -s to %s", sfinal);
	}
	dumped = 1;
restart:
	if (b.stopped) {
		char save[64];

		snprintf(save, sizeof save, "%s", jb->step);
		/* Starting the app again is never cancelled. */
		transport_set_cancel(jb->t, NULL);
		job_step(jb, "start");
		if (job_services_start(jb, jb->t, &se) != 0) {
			/* The app is down: that is the failure to report. */
			if (dumped) {
				*e = se;
				job_fail(jb, e);
			} else {
				char first[ERR_LEN];

				snprintf(first, sizeof first, "%s", e->msg);
				err_set(e, "%s; and the app did not start "
				    "again: %s", first, se.msg);
				job_say(jb, "start FAIL after %s failed: %s",
				    save, se.msg);
			}
			dumped = 0;
		} else
			job_step_ok(jb, "app services of %s started again",
			    jb->h->name);
	}
	if (!dumped)
		goto out;
	if (step_list(&b, &expected, e) != 0 || step_roles(&b, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step(jb, "sha256");
	if (transport_sha256(jb->t, b.part, b.sha, JOB_T_DUMP, e) != 0) {
		job_fail(jb, e);
		goto out;
	}
	job_step_ok(jb, "%.12s... of %s", b.sha, b.part);
	/* The whole read back runs beside the shipping: the copy on the
	 * peer gets a dump's name only once both have passed. */
	memset(&rd, 0, sizeof rd);
	rd.h = jb->h;
	rd.part = b.part;
	rd.cancel = o->cancel;
	if (to != NULL && pthread_create(&rd_thr, NULL, reader_main,
	    &rd) == 0) {
		reading = 1;
		job_say(jb, "verify: reading %s back whole while it ships",
		    b.part);
	} else
		reader_main(&rd);
	if (to != NULL && step_ship(&b, to, &peer, &incoming, e) != 0) {
		job_fail(jb, e);
		shipped = -1;
	}
	if (reading)
		pthread_join(rd_thr, NULL);
	reading = 0;
	job_step(jb, "verify");
	if (rd.rc != 0) {
		snprintf(jb->err_tail, sizeof jb->err_tail, "%s", rd.tail);
		if (shipped == 0)
			*e = rd.e;
		job_fail(jb, &rd.e);
		goto out;
	}
	job_step_ok(jb, "%s read back whole in %.1f s", b.part,
	    (double)rd.ms / 1000.0);
	if (shipped != 0 || step_seal(&b, peer, incoming, e) != 0) {
		if (shipped == 0)
			job_fail(jb, e);
		goto out;
	}
	{
		char *what = xasprintf("dumped %s", b.path);

		if (job_logline(jb, jb->t, "backup.log", what, &se) != 0)
			job_warn(jb, "%s", se.msg);
		free(what);
	}
	step_sweep(&b);
	job_step(jb, "retention");
	job_retention(jb, jb->t, b.name);
	if (peer != NULL)
		job_retention(jb, peer, b.name);
	job_step_ok(jb, "kept per the plan");
	rc = 0;
out:
	if (rc != 0) {
		cleanup_parts(&b);
		if (peer != NULL && incoming != NULL) {
			/* Nothing of this run stays on the peer either. */
			char *ipart = xasprintf("%s.part", incoming);

			transport_set_cancel(peer, NULL);
			(void)!transport_remove(peer, incoming, JOB_T_FILE, &se);
			(void)!transport_remove(peer, ipart, JOB_T_FILE, &se);
			free(ipart);
		}
	}
	{
		char sum[512];

		snprintf(sum, sizeof sum, "%s%s%s", r->dump_name,
		    to != NULL && rc == 0 ? " shipped to " : "",
		    to != NULL && rc == 0 ? to->name : "");
		job_finish(jb, rc, e, sum);
	}
	if (peer != NULL)
		transport_close(peer);
	strv_free(&expected);
	free(sfinal);
	free(incoming);
	backup_free(&b);
	job_done(jb);
	return rc;
}
