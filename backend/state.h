/*
 * state.h: the small state file each host keeps (role, epoch, last
 * restore) and the lock file (one operator / one job at a time).
 *
 * <paths.state>/state.json on the host, written atomically through the
 * host's transport, mode 0600:
 *   {"version":1, "role":"standby", "epoch":3, "updated_at":"...Z",
 *    "updated_by":"user@machine", "fenced":false,
 *    "last_restore":{"dump":"rabspocdb_2026-11-25_09-00.dump",
 *                    "data_time":"...Z", "at":"...Z", "result":"ok",
 *                    "duration_ms":4210, "switch_ms":31, "ok_at":"...Z"}}
 * A missing file reads as the host's configured kind (primary / standby)
 * at epoch 0.  A malformed one is an error naming the host and file.
 *
 * <paths.state>/lock.json:
 *   {"owner":"user@machine", "pid":123, "machine":"ops-laptop",
 *    "what":"failover", "since":"...Z"}
 */
#ifndef DRDECK_STATE_H
#define DRDECK_STATE_H

#include <stdint.h>

#include "config.h"
#include "err.h"
#include "transport.h"

enum host_role {
	HOST_ROLE_PRIMARY = 0,	/* serves, dumps on schedule */
	HOST_ROLE_STANDBY,	/* restores on schedule */
	HOST_ROLE_ACTIVE,	/* a standby promoted by failover: serves,
				   never restores */
};

struct host_state {
	enum host_role role;
	int64_t	 epoch;
	int64_t	 updated_at;	/* wall ms */
	char	*updated_by;
	int	 fenced;	/* a primary stopped by failover */
	/* last restore (standby) */
	char	*restore_dump;
	int64_t	 restore_data_time;	/* wall ms of the data stamp; 0 unknown */
	int64_t	 restore_at;
	char	*restore_result;	/* "ok", "failed: ...", NULL */
	int64_t	 restore_duration_ms;
	int64_t	 restore_switch_ms;
	/* the last successful restore (restore_dump is its dump; the
	   fields above may describe a later failed attempt) */
	int64_t	 restore_ok_at;		/* wall ms; 0 none */
};

struct host_lock {
	int	 held;
	char	*owner;
	long	 pid;
	char	*machine;
	char	*what;
	int64_t	 since;		/* wall ms */
};

const char *host_role_name(enum host_role r);
int host_role_parse(const char *s, enum host_role *out);

/* Pure: parse / format the JSON of the state file. */
int state_parse(const char *json, size_t len, struct host_state *st,
    struct err *e) WUR;
char *state_format(const struct host_state *st);
void host_state_free(struct host_state *st);
void host_state_default(const struct host_cfg *h, struct host_state *st);

/* Through the host's transport. */
int state_read(struct transport *t, struct host_state *st, int64_t timeout_ms,
    struct err *e) WUR;
int state_write(struct transport *t, const struct host_state *st,
    int64_t timeout_ms, struct err *e) WUR;

int lock_parse(const char *json, size_t len, struct host_lock *l,
    struct err *e) WUR;
char *lock_format(const struct host_lock *l);
void host_lock_free(struct host_lock *l);
int lock_read(struct transport *t, struct host_lock *l, int64_t timeout_ms,
    struct err *e) WUR;
/*
 * Take the host's lock for `what`.  When held by someone else: wait up to
 * wait_ms polling, then fail naming the holder.  takeover != 0 replaces a
 * lock whose holder is gone (the caller confirmed that with the operator).
 */
int lock_take(struct transport *t, const char *what, int64_t wait_ms,
    int takeover, int64_t timeout_ms, struct err *e) WUR;
int lock_release(struct transport *t, int64_t timeout_ms, struct err *e) WUR;

/* 1 when the lock is held by a process of this machine that is gone
 * (its pid no longer runs here): safe to take over once confirmed.  A
 * lock of another machine is never called stale (we cannot tell). */
int lock_is_stale(const struct host_lock *l);
/* 1 when the lock is held by this very process. */
int lock_is_mine(const struct host_lock *l);
/* "alice@ops-laptop (pid 123 on ops-laptop) for failover since
 * 2026-11-25T09:00:12Z[, stale: pid gone]" into buf. */
const char *lock_describe(const struct host_lock *l, char *buf, size_t len);

#endif
