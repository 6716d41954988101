/*
 * probe.h: the probes, each looking at one thing on one host.
 *
 * A probe appends facts to a list; it never fails as a function: what it
 * could not find out becomes a fact at level UNKNOWN with the reason.
 * probe_table[] lists them in the order a round runs them (later probes
 * may use what earlier ones left in the round's scratch: disk needs the
 * latest dump's size from dumps).
 *
 * Threading: a probe runs on its host's worker thread with that worker's
 * transport and database connection (struct probe_ctx); it may block, but
 * never past ctx->deadline (every remote call is given the time left).
 *
 * Fact keys (stable; docs/status-json.md lists them):
 *   reach.rtt reach.skew
 *   db.latency db.server db.ext.<name> db.connections db.size
 *   db.recovery db.stamp
 *   dumps.latest dumps.age dumps.size dumps.verified dumps.missed
 *   restore.last rpo.exposure restore.next restore.duration
 *   disk.dumps disk.<folder>
 *   env.sha256   (detail: the whole hash)
 *   conf.<file>  (detail: the whole hash)
 *   storage.<folder>.files .bytes .newest
 *   health.http
 *   service.<name>
 *   role role.epoch role.lock
 */
#ifndef DRDECK_PROBE_H
#define DRDECK_PROBE_H

#include <stdint.h>

#include "config.h"
#include "facts.h"
#include "state.h"
#include "transport.h"

struct pgconn;

/* What a round's probes share on one host. */
struct probe_scratch {
	int	 have_dump;
	char	 dump_name[256];	/* latest dump in the host's folder */
	uint64_t dump_size;
	int64_t	 dump_time;		/* wall ms it was made */
	int	 have_stamp;
	int64_t	 stamp_at;		/* data stamp in the database, wall ms */
	int	 have_state;		/* state below was read */
	struct host_state state;	/* the host's state file */
	char	 state_err[256];	/* why it was not */
};
/* Free what a round left in the scratch. */
void probe_scratch_free(struct probe_scratch *s);

/* One exec-based measurement of a round's batch (probe-batch.c). */
enum probe_item {
	PROBE_ITEM_ENV = 0,
	PROBE_ITEM_CONF,
	PROBE_ITEM_STORAGE,
	PROBE_ITEM_SERVICE,
};

struct probe_item_result {
	enum probe_item kind;
	size_t	 idx;		/* which compare file / folder / service */
	int	 done;		/* the batch answered this item */
	int	 ok;		/* ... and it worked (else text says why) */
	char	*text;		/* S: the hash; F: the summary; E: the error */
	int	 rc;		/* X: the exit status */
};

struct probe_batch {
	int	 ran;		/* a batch was tried: use its results */
	int	 have_clock;	/* the host's clock read at both ends */
	int64_t	 sent_wall;	/* wall ms when the command was sent */
	int64_t	 dur_ms;	/* how long the whole exec took */
	int64_t	 host_t0;	/* the host's clock (ms) as the script began */
	int64_t	 host_t1;	/* ... and as it ended */
	char	 err[256];	/* why an item has no answer */
	struct probe_item_result *v;
	size_t	 n;
};

struct probe_ctx {
	const struct config *c;
	const struct host_cfg *h;
	struct transport *t;		/* open; NULL when it could not open */
	const char *t_err;		/* why not, when t is NULL */
	struct pgconn **pg;		/* the worker's connection (kept warm) */
	int64_t	 deadline;		/* monotonic ms: nothing runs past it */
	int64_t	 probe_timeout_ms;	/* one call's budget */
	const char *state_dir;		/* the console's own state folder */
	volatile int *cancel;
	struct probe_scratch scratch;
	struct probe_batch batch;	/* sh hosts: see probe-batch.c */
};

struct probe {
	const char *name;
	void	  (*run)(struct probe_ctx *ctx, struct fact_list *out);
	int	   needs_transport;	/* unknown without a transport */
};

extern const struct probe probe_table[];

/* Probes (probe-*.c). */
void probe_reach_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_db_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_dumps_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_restore_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_disk_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_env_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_confparity_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_storage_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_health_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_services_run(struct probe_ctx *ctx, struct fact_list *out);
void probe_role_run(struct probe_ctx *ctx, struct fact_list *out);

/* The round's batch of exec-based measurements (probe-batch.c). */
void probe_batch_run(struct probe_ctx *ctx);
const struct probe_item_result *probe_batch_get(struct probe_ctx *ctx,
    enum probe_item kind, size_t idx);
void probe_batch_free(struct probe_batch *b);

/* Helpers for probes (probe.c). */
/* SHA-256 of a file on the host: from the batch, else transport_sha256. */
int probe_hash(struct probe_ctx *ctx, enum probe_item kind, size_t idx,
    const char *path, char hex[65], struct err *e);
/* Milliseconds a call may take now: min(probe timeout, time left), >= 1. */
int64_t probe_budget(const struct probe_ctx *ctx);
/* Append a fact at level UNKNOWN saying why. */
struct fact *probe_unknown(struct fact_list *out, const char *key,
    const char *label, const char *why);
/* A key part from a name or path: its last component, lower case,
 * anything but [a-z0-9_-] as '_'. */
void probe_key_part(const char *name, char *buf, size_t len);
/*
 * Compare two dotted versions ("1.10" > "1.9", "1.3.1" > "1.3",
 * "16beta1": digits compare as numbers, other runs as text).  <0, 0, >0.
 */
int probe_version_cmp(const char *a, const char *b);
/* Parse "<count> <bytes> <newest>" as the storage one-liner prints it. */
int probe_storage_parse(const char *text, uint64_t *files, uint64_t *bytes,
    double *newest);

#endif
