/*
 * state.c: a host's state file (role, epoch, last restore) and its lock
 * file, read and written through the host's transport (see state.h).
 *
 * Runs on the calling thread (a job, a workflow, a poller worker).  The
 * transport calls block up to their timeout; lock_take() also sleeps
 * between polls while the lock is held, up to wait_ms.
 *
 * The lock is a JSON file written atomically (tmp + rename).  Taking it
 * is "read: free -> write ours -> wait a moment -> read back: still
 * ours": two takers racing within that moment are told apart by the read
 * back (the later rename wins, the other sees a foreign owner and waits).
 */
#include "state.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "job-common.h"
#include "os.h"
#include "xmalloc.h"

#define STATE_FILE	"state.json"
#define LOCK_FILE	"lock.json"
#define STATE_MAX	(64 * 1024)
#define LOCK_POLL_MS	500
#define LOCK_SETTLE_MS	150

static const char *const role_names[] = {
	[HOST_ROLE_PRIMARY] = "primary",
	[HOST_ROLE_STANDBY] = "standby",
	[HOST_ROLE_ACTIVE] = "active",
};

const char *
host_role_name(enum host_role r)
{
	if ((unsigned)r < sizeof role_names / sizeof role_names[0])
		return role_names[r];
	return "unknown";
}

int
host_role_parse(const char *s, enum host_role *out)
{
	size_t i;

	for (i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (s != NULL && strcmp(s, role_names[i]) == 0) {
			*out = (enum host_role)i;
			return 0;
		}
	return -1;
}

void
host_state_default(const struct host_cfg *h, struct host_state *st)
{
	memset(st, 0, sizeof *st);
	st->role = h != NULL && h->kind == HOST_KIND_BACKUP ?
	    HOST_ROLE_STANDBY : HOST_ROLE_PRIMARY;
}

void
host_state_free(struct host_state *st)
{
	free(st->updated_by);
	free(st->restore_dump);
	free(st->restore_result);
	st->updated_by = st->restore_dump = st->restore_result = NULL;
}

/* Optional string member: NULL when absent or null, error when another
 * type. */
static int
get_str(const cJSON *o, const char *key, char **out, const char *where,
    struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v))
		return err_set(e, "%s%s: expected a string", where, key);
	*out = xstrdup(v->valuestring);
	return 0;
}

/* Optional integer member (JSON number without fraction). */
static int
get_int(const cJSON *o, const char *key, int64_t *out, int64_t min,
    const char *where, struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	double d;

	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsNumber(v))
		return err_set(e, "%s%s: expected a number", where, key);
	d = v->valuedouble;
	if (d != (double)(int64_t)d || d < (double)min || d > 9.0e15)
		return err_set(e, "%s%s: expected a whole number >= %" PRId64
		    " (got %g)", where, key, min, d);
	*out = (int64_t)d;
	return 0;
}

/* Optional ISO-8601 time member -> wall ms (0 when absent). */
static int
get_time(const cJSON *o, const char *key, int64_t *out, const char *where,
    struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || job_parse_iso_time(v->valuestring, out) != 0)
		return err_set(e, "%s%s: expected a UTC time like "
		    "2026-11-25T09:00:12Z", where, key);
	return 0;
}

static int
get_bool(const cJSON *o, const char *key, int *out, const char *where,
    struct err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = 0;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsBool(v))
		return err_set(e, "%s%s: expected true or false", where, key);
	*out = cJSON_IsTrue(v);
	return 0;
}

int
state_parse(const char *json, size_t len, struct host_state *st,
    struct err *e)
{
	cJSON *root = NULL;
	const cJSON *v, *lr;
	char *role = NULL;
	int64_t version = 1;
	int rc = -1;

	memset(st, 0, sizeof *st);
	root = cJSON_ParseWithLength(json, len);
	if (root == NULL || !cJSON_IsObject(root)) {
		err_set(e, "not a JSON object");
		goto out;
	}
	if (get_int(root, "version", &version, 1, "", e) != 0)
		goto out;
	if (version != 1) {
		err_set(e, "version %" PRId64 " is not known (expected 1)",
		    version);
		goto out;
	}
	v = cJSON_GetObjectItemCaseSensitive(root, "role");
	if (v == NULL || !cJSON_IsString(v)) {
		err_set(e, "role: expected \"primary\", \"standby\" or "
		    "\"active\"");
		goto out;
	}
	if (host_role_parse(v->valuestring, &st->role) != 0) {
		err_set(e, "role: \"%.40s\" is not primary, standby or active",
		    v->valuestring);
		goto out;
	}
	if (get_int(root, "epoch", &st->epoch, 0, "", e) != 0 ||
	    get_time(root, "updated_at", &st->updated_at, "", e) != 0 ||
	    get_str(root, "updated_by", &st->updated_by, "", e) != 0 ||
	    get_bool(root, "fenced", &st->fenced, "", e) != 0)
		goto out;
	lr = cJSON_GetObjectItemCaseSensitive(root, "last_restore");
	if (lr != NULL && !cJSON_IsNull(lr)) {
		if (!cJSON_IsObject(lr)) {
			err_set(e, "last_restore: expected an object");
			goto out;
		}
		if (get_str(lr, "dump", &st->restore_dump, "last_restore.",
		    e) != 0 ||
		    get_time(lr, "data_time", &st->restore_data_time,
		    "last_restore.", e) != 0 ||
		    get_time(lr, "at", &st->restore_at, "last_restore.",
		    e) != 0 ||
		    get_str(lr, "result", &st->restore_result,
		    "last_restore.", e) != 0 ||
		    get_int(lr, "duration_ms", &st->restore_duration_ms, 0,
		    "last_restore.", e) != 0 ||
		    get_int(lr, "switch_ms", &st->restore_switch_ms, 0,
		    "last_restore.", e) != 0 ||
		    get_time(lr, "ok_at", &st->restore_ok_at,
		    "last_restore.", e) != 0)
			goto out;
	}
	rc = 0;
out:
	free(role);
	cJSON_Delete(root);
	if (rc != 0)
		host_state_free(st);
	return rc;
}

static void
add_time(cJSON *o, const char *key, int64_t ms)
{
	char buf[JOB_ISO_LEN];

	if (ms > 0)
		cJSON_AddStringToObject(o, key, job_iso_time(ms, buf));
	else
		cJSON_AddNullToObject(o, key);
}

static void
add_str(cJSON *o, const char *key, const char *s)
{
	if (s != NULL)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

/* The whole string with a final newline; new. */
static char *
print_json(cJSON *root)
{
	char *s = cJSON_Print(root), *r;

	if (s == NULL)
		abort();	/* cJSON fails only when out of memory */
	r = xasprintf("%s\n", s);
	cJSON_free(s);
	return r;
}

char *
state_format(const struct host_state *st)
{
	cJSON *root = cJSON_CreateObject(), *lr;
	char *s;

	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "role", host_role_name(st->role));
	cJSON_AddNumberToObject(root, "epoch", (double)st->epoch);
	add_time(root, "updated_at", st->updated_at);
	add_str(root, "updated_by", st->updated_by);
	cJSON_AddBoolToObject(root, "fenced", st->fenced != 0);
	if (st->restore_dump != NULL || st->restore_at > 0 ||
	    st->restore_result != NULL) {
		lr = cJSON_AddObjectToObject(root, "last_restore");
		add_str(lr, "dump", st->restore_dump);
		add_time(lr, "data_time", st->restore_data_time);
		add_time(lr, "at", st->restore_at);
		add_str(lr, "result", st->restore_result);
		cJSON_AddNumberToObject(lr, "duration_ms",
		    (double)st->restore_duration_ms);
		cJSON_AddNumberToObject(lr, "switch_ms",
		    (double)st->restore_switch_ms);
		add_time(lr, "ok_at", st->restore_ok_at);
	} else
		cJSON_AddNullToObject(root, "last_restore");
	s = print_json(root);
	cJSON_Delete(root);
	return s;
}

static char *
state_file(const struct host_cfg *h, const char *name)
{
	return job_path_join(h, h->state != NULL ? h->state : ".", name);
}

/*
 * Read a small file of the host: 1 and data when it is there, 0 when it
 * is missing, -1 on error.
 */
static int
read_host_file(struct transport *t, const char *path, char **data,
    size_t *len, int64_t timeout_ms, struct err *e)
{
	struct rstat st;

	memset(&st, 0, sizeof st);
	if (transport_stat(t, path, &st, timeout_ms, e) != 0)
		return -1;
	if (!st.exists)
		return 0;
	if (st.is_dir)
		return err_set(e, "%s: is a folder, expected a file", path);
	if (transport_read_file(t, path, STATE_MAX, data, len, timeout_ms,
	    e) != 0)
		return -1;
	return 1;
}

int
state_read(struct transport *t, struct host_state *st, int64_t timeout_ms,
    struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	char *path = state_file(h, STATE_FILE), *data = NULL;
	size_t len = 0;
	int r, rc = -1;

	r = read_host_file(t, path, &data, &len, timeout_ms, e);
	if (r < 0) {
		err_prefix(e, "%s: state file %s", h->name, path);
		goto out;
	}
	if (r == 0) {
		host_state_default(h, st);
		rc = 0;
		goto out;
	}
	if (state_parse(data, len, st, e) != 0) {
		err_prefix(e, "%s: state file %s is malformed", h->name, path);
		goto out;
	}
	rc = 0;
out:
	free(data);
	free(path);
	return rc;
}

static int
write_host_file(struct transport *t, const char *name, const char *data,
    int64_t timeout_ms, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	char *path = state_file(h, name);
	int rc = -1;

	if (h->state != NULL && transport_mkdir(t, h->state, timeout_ms,
	    e) != 0) {
		err_prefix(e, "%s: state folder %s", h->name, h->state);
		goto out;
	}
	if (transport_write_file(t, path, data, strlen(data), 0600,
	    timeout_ms, e) != 0) {
		err_prefix(e, "%s: writing %s", h->name, path);
		goto out;
	}
	rc = 0;
out:
	free(path);
	return rc;
}

int
state_write(struct transport *t, const struct host_state *st,
    int64_t timeout_ms, struct err *e)
{
	char *s = state_format(st);
	int rc;

	rc = write_host_file(t, STATE_FILE, s, timeout_ms, e);
	free(s);
	return rc;
}

void
host_lock_free(struct host_lock *l)
{
	free(l->owner);
	free(l->machine);
	free(l->what);
	memset(l, 0, sizeof *l);
}

int
lock_parse(const char *json, size_t len, struct host_lock *l, struct err *e)
{
	cJSON *root;
	int64_t pid = 0;
	int rc = -1;

	memset(l, 0, sizeof *l);
	root = cJSON_ParseWithLength(json, len);
	if (root == NULL || !cJSON_IsObject(root)) {
		err_set(e, "not a JSON object");
		goto out;
	}
	if (get_str(root, "owner", &l->owner, "", e) != 0 ||
	    get_int(root, "pid", &pid, 0, "", e) != 0 ||
	    get_str(root, "machine", &l->machine, "", e) != 0 ||
	    get_str(root, "what", &l->what, "", e) != 0 ||
	    get_time(root, "since", &l->since, "", e) != 0)
		goto out;
	if (l->owner == NULL || *l->owner == '\0') {
		err_set(e, "owner: expected user@machine");
		goto out;
	}
	l->pid = (long)pid;
	l->held = 1;
	rc = 0;
out:
	cJSON_Delete(root);
	if (rc != 0)
		host_lock_free(l);
	return rc;
}

char *
lock_format(const struct host_lock *l)
{
	cJSON *root = cJSON_CreateObject();
	char *s;

	add_str(root, "owner", l->owner);
	cJSON_AddNumberToObject(root, "pid", (double)l->pid);
	add_str(root, "machine", l->machine);
	add_str(root, "what", l->what);
	add_time(root, "since", l->since);
	s = print_json(root);
	cJSON_Delete(root);
	return s;
}

int
lock_read(struct transport *t, struct host_lock *l, int64_t timeout_ms,
    struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	char *path = state_file(h, LOCK_FILE), *data = NULL;
	size_t len = 0;
	int r, rc = -1;

	memset(l, 0, sizeof *l);
	r = read_host_file(t, path, &data, &len, timeout_ms, e);
	if (r < 0) {
		err_prefix(e, "%s: lock file %s", h->name, path);
		goto out;
	}
	if (r > 0 && lock_parse(data, len, l, e) != 0) {
		err_prefix(e, "%s: lock file %s is malformed (remove it if no "
		    "job runs)", h->name, path);
		goto out;
	}
	rc = 0;
out:
	free(data);
	free(path);
	return rc;
}

int
lock_is_mine(const struct host_lock *l)
{
	return l->held && l->pid == (long)getpid() && l->machine != NULL &&
	    strcmp(l->machine, os_hostname()) == 0 && l->owner != NULL &&
	    strcmp(l->owner, os_actor()) == 0;
}

int
lock_is_stale(const struct host_lock *l)
{
	if (!l->held || l->machine == NULL || l->pid <= 0)
		return 0;
	if (strcmp(l->machine, os_hostname()) != 0)
		return 0;
	return !os_pid_alive(l->pid);
}

const char *
lock_describe(const struct host_lock *l, char *buf, size_t len)
{
	char since[JOB_ISO_LEN];

	if (!l->held) {
		snprintf(buf, len, "free");
		return buf;
	}
	snprintf(buf, len, "%s (pid %ld on %s) for %s since %s%s",
	    l->owner != NULL ? l->owner : "?", l->pid,
	    l->machine != NULL ? l->machine : "?",
	    l->what != NULL ? l->what : "?",
	    l->since > 0 ? job_iso_time(l->since, since) : "?",
	    lock_is_stale(l) ? ", stale: that process is gone" : "");
	return buf;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Same holder (owner, pid, machine)? */
static int
lock_same(const struct host_lock *a, const struct host_lock *b)
{
	return a->held && b->held && a->pid == b->pid &&
	    a->owner != NULL && b->owner != NULL &&
	    strcmp(a->owner, b->owner) == 0 && a->machine != NULL &&
	    b->machine != NULL && strcmp(a->machine, b->machine) == 0;
}

int
lock_take(struct transport *t, const char *what, int64_t wait_ms,
    int takeover, int64_t timeout_ms, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	int64_t deadline = clock_mono_ms() + (wait_ms > 0 ? wait_ms : 0);
	struct host_lock mine, cur, back;
	char desc[256], *s = NULL;
	int rc = -1, waited = 0;

	memset(&mine, 0, sizeof mine);
	memset(&cur, 0, sizeof cur);
	memset(&back, 0, sizeof back);
	mine.held = 1;
	mine.owner = xstrdup(os_actor());
	mine.pid = (long)getpid();
	mine.machine = xstrdup(os_hostname());
	mine.what = xstrdup(what != NULL ? what : "job");
	for (;;) {
		host_lock_free(&cur);
		if (lock_read(t, &cur, timeout_ms, e) != 0)
			goto out;
		if (cur.held && lock_same(&cur, &mine)) {
			/* Ours already (a flow holding it runs a job). */
			rc = 0;
			goto out;
		}
		if (!cur.held || takeover) {
			mine.since = clock_wall_ms();
			free(s);
			s = lock_format(&mine);
			if (write_host_file(t, LOCK_FILE, s, timeout_ms,
			    e) != 0)
				goto out;
			sleep_ms(LOCK_SETTLE_MS);
			host_lock_free(&back);
			if (lock_read(t, &back, timeout_ms, e) != 0)
				goto out;
			if (lock_same(&back, &mine)) {
				rc = 0;
				goto out;
			}
			/* Someone else won the race: wait like for any
			 * holder. */
			takeover = 0;
			continue;
		}
		if (clock_left_ms(deadline) <= 0)
			break;
		waited = 1;
		sleep_ms(clock_left_ms(deadline) < LOCK_POLL_MS ?
		    clock_left_ms(deadline) : LOCK_POLL_MS);
	}
	lock_describe(&cur, desc, sizeof desc);
	err_set(e, "%s: the job lock is held by %s%s; %s", h->name, desc,
	    waited ? " (waited for it)" : "",
	    lock_is_stale(&cur) ? "take it over once you are sure no job "
	    "runs" : "try again when that job has finished");
out:
	free(s);
	host_lock_free(&mine);
	host_lock_free(&cur);
	host_lock_free(&back);
	return rc;
}

int
lock_release(struct transport *t, int64_t timeout_ms, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	struct host_lock cur;
	char desc[256], *path = NULL;
	int rc = -1;

	if (lock_read(t, &cur, timeout_ms, e) != 0)
		return -1;
	if (!cur.held) {
		rc = 0;
		goto out;
	}
	if (!lock_is_mine(&cur)) {
		err_set(e, "%s: not releasing the job lock: it is held by %s",
		    h->name, lock_describe(&cur, desc, sizeof desc));
		goto out;
	}
	path = state_file(h, LOCK_FILE);
	if (transport_remove(t, path, timeout_ms, e) != 0) {
		err_prefix(e, "%s: removing %s", h->name, path);
		goto out;
	}
	rc = 0;
out:
	free(path);
	host_lock_free(&cur);
	return rc;
}
