/*
 * jobs.h: the scheduled jobs, done safely (runbook §2, §3, §4, §6, §10).
 *
 * job_backup: parity, free space, data stamp, pg_dump -Fc to .part,
 * verify (read back whole), sha256 sidecar, rename, ship to the backup,
 * retention.  job_restore: refuses on an active host, staged restore into
 * <db>_staging, checks, the short switch window (rename swap), health
 * gate, swap back on failure.  Both take the host's lock, journal every
 * phase, alert on failure.  They run on the calling thread; `log` (may be
 * NULL) receives one line per phase for a person watching.
 */
#ifndef DRDECK_JOBS_H
#define DRDECK_JOBS_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "journal.h"

typedef void (*job_log_cb)(void *arg, const char *line);

struct job_opts {
	const char *host;	/* NULL: primary for backup, backup for restore */
	int	 nightly;	/* backup --nightly */
	const char *dump;	/* restore: this dump (name or path); NULL latest */
	const char *workflow;	/* workflow id when run by a flow */
	int	 no_lock;	/* the caller (a flow) holds the lock already */
	int	 no_ship;	/* backup: do not ship to the peer */
	const char *ship_to;	/* backup: ship to this host (default: the
				   other one) */
	int	 ignore_role;	/* restore: allowed on a non-standby (cutback) */
	job_log_cb log;
	void	*log_arg;
	volatile int *cancel;
	int64_t	 health_timeout_ms;	/* restore: the health gate's
					   wait; 0 = 60 s */
};

struct job_result {
	char	 dump_name[256];	/* the dump made / restored */
	uint64_t dump_bytes;
	int64_t	 data_time;	/* wall ms of the data stamp */
	int64_t	 duration_ms;
	int64_t	 switch_ms;	/* restore: app down window */
	int	 swapped_back;	/* restore: health gate failed, rolled back */
	char	 failed_step[64];	/* "" on success */
	int	 refused;	/* stopped before changing anything: role,
				   lock held, a dump older than the data */
	int	 benign;	/* restore: pg_restore messages on the
				   benign list (job-restoreclass.h) */
};

int job_backup(const struct config *c, struct journal *j,
    const struct job_opts *o, struct job_result *r, struct err *e) WUR;
int job_restore(const struct config *c, struct journal *j,
    const struct job_opts *o, struct job_result *r, struct err *e) WUR;

/* `drdeck schedule print`: cron, systemd timers, schtasks XML. */
void schedule_print(const struct config *c, const char *drdeck_path,
    FILE *out);

#endif
