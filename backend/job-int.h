/*
 * job-int.h: what job-backup.c and job-restore.c share (job-run.c): the
 * running job, its log lines and journal events, commands and SQL run on
 * a host, the app's services, the health gate, the runbook's log lines,
 * the failure alert.  Internal to the jobs; the calling thread runs it.
 */
#ifndef DRDECK_JOB_INT_H
#define DRDECK_JOB_INT_H

#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "err.h"
#include "jobs.h"
#include "journal.h"
#include "strv.h"
#include "transport.h"

/* Deadlines of the commands a job runs (ms). */
#define JOB_T_FILE	(60 * 1000)		/* stat, list, small files */
#define JOB_T_SQL	(5 * 60 * 1000)		/* psql scripts */
#define JOB_T_SERVICE	(2 * 60 * 1000)		/* stop / start a service */
#define JOB_T_DUMP	(6 * 3600 * 1000LL)	/* pg_dump, pg_restore */
#define JOB_T_SHIP	(6 * 3600 * 1000LL)	/* put / get of a dump */
#define JOB_T_HEALTH	(60 * 1000)		/* the health gate */
#define JOB_T_OPEN	(30 * 1000)		/* open a transport */

struct job {
	const struct config *c;
	struct journal *j;
	const struct job_opts *o;
	struct job_result *r;
	const char *action;		/* "backup", "nightly", "restore" */
	const struct host_cfg *h;	/* the host the job runs on */
	struct transport *t;
	int	 locked;		/* we took h's lock */
	int64_t	 t0;			/* mono ms at start */
	char	 step[64];		/* the current step */
	int64_t	 step_t0;
	struct buf lines;		/* every log line, for the alert */
	char	 err_tail[1024];	/* stderr tail of the failed command */
	int	 warnings;
	int	 quiet;			/* a refusal that sends no alert */
};

void job_init(struct job *jb, const struct config *c, struct journal *j,
    const struct job_opts *o, struct job_result *r, const char *action);
void job_done(struct job *jb);
/* One line for the person watching (o->log) and the alert body. */
void job_say(struct job *jb, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* A warning: said, journaled as a note, counted. */
void job_warn(struct job *jb, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Begin a step (journaled "step.start"). */
void job_step(struct job *jb, const char *step);
/* End the current step ok (journaled with its duration and message). */
void job_step_ok(struct job *jb, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* The job failed in the current step: journal, remember the step,
 * prefix e with it.  Always returns -1. */
int job_fail(struct job *jb, struct err *e);
/* The job's final event (rc, whole duration) and, on failure, the
 * alert naming the step with the tail of its stderr. */
void job_finish(struct job *jb, int rc, const struct err *e,
    const char *summary);

/* Open a transport for h (cancel flag of the options set). */
int job_open(struct job *jb, const struct host_cfg *h, struct transport **t,
    struct err *e) WUR;

/*
 * Run argv on t; 0 when it exited 0.  Otherwise -1 with e "PROG: exit 1:
 * <last stderr line>" and jb->err_tail holding the end of its stderr.
 * r (may be NULL) receives the whole result either way.
 */
int job_run(struct job *jb, struct transport *t, const char *const *argv,
    const char *stdin_data, int64_t timeout_ms, struct exec_result *r,
    struct err *e) WUR;
/* psql on host h's database db, the script on stdin; *out (may be NULL)
 * gets stdout (unaligned, '|' separated). */
int job_sql(struct job *jb, struct transport *t, const char *db,
    const char *sql, char **out, struct err *e) WUR;

/* Stop / start the app services (array order: backend, then web). */
int job_services_stop(struct job *jb, struct transport *t, struct err *e) WUR;
int job_services_start(struct job *jb, struct transport *t,
    struct err *e) WUR;
/* GET the host's health URL until 200 or timeout_ms. */
int job_health_gate(struct job *jb, struct transport *t, int64_t timeout_ms,
    struct err *e) WUR;

/* §4.1: the server major against the manifest; with PARITY_EXT also
 * CREATE EXTENSION IF NOT EXISTS and min versions in db; with PARITY_ENV
 * the .env hash (kept in the host's state folder). */
#define PARITY_EXT	1
#define PARITY_ENV	2
int job_parity(struct job *jb, struct transport *t, const char *db,
    int what, struct err *e) WUR;

/* Append "[ts] WHAT" to the runbook's log file (backup.log / restore.log)
 * in the host's logs folder. */
int job_logline(struct job *jb, struct transport *t, const char *file,
    const char *text, struct err *e) WUR;

/* The host's number of CPUs (2 when it cannot tell). */
int job_host_cpus(struct job *jb, struct transport *t);

/* The user tables of db as "schema.table" lines, sorted. */
int job_tables(struct job *jb, struct transport *t, const char *db,
    struct strv *out, struct err *e) WUR;
/* The TABLE entries of an archive's listing (pg_restore -l). */
int job_archive_tables(struct job *jb, struct transport *t,
    const char *path, struct strv *out, struct err *e) WUR;

/* Apply the catalog's retention plan to the dump folder of t's host
 * (never `keep`, the dump just made or restored); warnings only. */
void job_retention(struct job *jb, struct transport *t, const char *keep);

/* The last line of a text (for messages); buf receives it. */
const char *job_last_line(const char *text, char *buf, size_t len);

#endif
