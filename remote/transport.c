/*
 * transport.c: the transport interface (transport.h) dispatched to its
 * kind: tr-local.c or tr-ssh.c.  Turns timeouts into deadlines, times
 * each call and names the host in errors.  Runs on the thread that owns
 * the transport; blocks as long as the kind's call, never past its
 * deadline.
 */
#include "transport.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "tr-int.h"
#include "xmalloc.h"

int
tr_cancelled(const struct transport *t)
{
	return t->cancel != NULL && *t->cancel != 0;
}

void
tr_result_init(struct exec_result *r)
{
	memset(r, 0, sizeof *r);
	r->out = xstrdup("");
	r->errout = xstrdup("");
}

void
tr_out_append(char **s, size_t *len, size_t *cap, int *trunc,
    const char *data, size_t n)
{
	if (*len + n > EXEC_OUT_MAX) {
		*trunc = 1;
		n = EXEC_OUT_MAX - *len;
	}
	if (n == 0)
		return;
	if (*len + n + 1 > *cap) {
		size_t ncap = *cap < 4096 ? 4096 : *cap;

		while (ncap < *len + n + 1)
			ncap *= 2;
		*s = xrealloc(*s, ncap);
		*cap = ncap;
	}
	memcpy(*s + *len, data, n);
	*len += n;
	(*s)[*len] = '\0';
}

static int64_t
deadline_of(int64_t timeout_ms)
{
	return clock_mono_ms() + (timeout_ms > 0 ? timeout_ms : 0);
}

#ifndef _WIN32
/*
 * A write to a pipe or socket whose reader is gone must fail with EPIPE,
 * not kill the program: SIGPIPE is blocked on this thread for the call,
 * and one raised meanwhile is consumed before unblocking.
 */
static void
sigpipe_block(sigset_t *old)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, old);
}

static void
sigpipe_restore(const sigset_t *old)
{
	struct timespec zero = { 0, 0 };
	sigset_t s;

	if (sigismember(old, SIGPIPE))
		return;
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	while (sigtimedwait(&s, NULL, &zero) > 0)
		;
	pthread_sigmask(SIG_SETMASK, old, NULL);
}
#define SIGPIPE_GUARD(x) do {						\
	sigset_t old_;							\
									\
	sigpipe_block(&old_);						\
	x;								\
	sigpipe_restore(&old_);						\
} while (0)
#else
#define SIGPIPE_GUARD(x) do { x; } while (0)
#endif

/* Time a finished call; name the host in an error. */
static int
done(struct transport *t, int rc, int64_t start, struct err *e)
{
	if (rc == 0)
		t->rtt_ms = clock_mono_ms() - start;
	else
		err_prefix(e, "%s", t->h->name);
	return rc;
}

int
transport_open(const struct host_cfg *h, int64_t timeout_ms,
    struct transport **out, struct err *e)
{
	struct transport *t = xcalloc(1, sizeof *t);
	int64_t start = clock_mono_ms();
	int rc;

	*out = NULL;
	t->h = h;
	t->rtt_ms = -1;
	if (h->transport == HOST_TRANSPORT_LOCAL) {
		t->ops = &tr_local_ops;
		rc = tr_local_open(t, deadline_of(timeout_ms), e);
	} else {
		t->ops = &tr_ssh_ops;
		SIGPIPE_GUARD(rc = tr_ssh_open(t, deadline_of(timeout_ms), e));
	}
	if (rc == -1) {
		err_prefix(e, "%s", h->name);
		free(t);
		return -1;
	}
	t->rtt_ms = clock_mono_ms() - start;
	*out = t;
	return 0;
}

void
transport_close(struct transport *t)
{
	if (t == NULL)
		return;
	SIGPIPE_GUARD(t->ops->close(t));
	free(t);
}

const struct host_cfg *
transport_host(const struct transport *t)
{
	return t->h;
}

void
transport_set_cancel(struct transport *t, volatile int *flag)
{
	t->cancel = flag;
}

int64_t
transport_rtt_ms(const struct transport *t)
{
	return t->rtt_ms;
}

static int
exec_common(struct transport *t, const char *const *argv, const char *script,
    const char *in, size_t in_len, int64_t timeout_ms, struct exec_result *r,
    struct err *e)
{
	int64_t start = clock_mono_ms();
	int rc;

	tr_result_init(r);
	if (tr_cancelled(t))
		rc = err_set(e, "cancelled");
	else
		SIGPIPE_GUARD(rc = t->ops->exec(t, argv, script, in, in_len,
		    deadline_of(timeout_ms), r, e));
	r->duration_ms = clock_mono_ms() - start;
	return done(t, rc, start, e);
}

int
transport_exec(struct transport *t, const char *const *argv,
    const char *stdin_data, size_t stdin_len, int64_t timeout_ms,
    struct exec_result *r, struct err *e)
{
	if (argv == NULL || argv[0] == NULL) {
		tr_result_init(r);
		return err_set(e, "%s: exec: empty command", t->h->name);
	}
	return exec_common(t, argv, NULL, stdin_data, stdin_len, timeout_ms,
	    r, e);
}

int
transport_exec_script(struct transport *t, const char *script,
    const char *stdin_data, size_t stdin_len, int64_t timeout_ms,
    struct exec_result *r, struct err *e)
{
	if (script == NULL || *script == '\0') {
		tr_result_init(r);
		return err_set(e, "%s: exec: empty script", t->h->name);
	}
	return exec_common(t, NULL, script, stdin_data, stdin_len, timeout_ms,
	    r, e);
}

#define CALL(expr) do {							\
	int64_t start_ = clock_mono_ms();				\
	int rc_;							\
									\
	if (tr_cancelled(t))						\
		rc_ = err_set(e, "cancelled");				\
	else								\
		SIGPIPE_GUARD(rc_ = (expr));				\
	return done(t, rc_, start_, e);					\
} while (0)

int
transport_put(struct transport *t, const char *local_path,
    const char *remote_path, transport_progress_cb cb, void *arg,
    int64_t timeout_ms, struct err *e)
{
	CALL(t->ops->put(t, local_path, remote_path, cb, arg,
	    deadline_of(timeout_ms), e));
}

int
transport_get(struct transport *t, const char *remote_path,
    const char *local_path, transport_progress_cb cb, void *arg,
    int64_t timeout_ms, struct err *e)
{
	CALL(t->ops->get(t, remote_path, local_path, cb, arg,
	    deadline_of(timeout_ms), e));
}

int
transport_stat(struct transport *t, const char *path, struct rstat *st,
    int64_t timeout_ms, struct err *e)
{
	memset(st, 0, sizeof *st);
	CALL(t->ops->stat(t, path, st, deadline_of(timeout_ms), e));
}

int
transport_list(struct transport *t, const char *dir, struct rdir *out,
    int64_t timeout_ms, struct err *e)
{
	out->e = NULL;
	out->n = 0;
	CALL(t->ops->list(t, dir, out, deadline_of(timeout_ms), e));
}

int
transport_rename(struct transport *t, const char *from, const char *to,
    int64_t timeout_ms, struct err *e)
{
	CALL(t->ops->rename(t, from, to, deadline_of(timeout_ms), e));
}

int
transport_remove(struct transport *t, const char *path, int64_t timeout_ms,
    struct err *e)
{
	CALL(t->ops->remove(t, path, deadline_of(timeout_ms), e));
}

int
transport_mkdir(struct transport *t, const char *path, int64_t timeout_ms,
    struct err *e)
{
	CALL(t->ops->mkdir(t, path, deadline_of(timeout_ms), e));
}

int
transport_sha256(struct transport *t, const char *path, char hex[65],
    int64_t timeout_ms, struct err *e)
{
	hex[0] = '\0';
	CALL(t->ops->sha256(t, path, hex, deadline_of(timeout_ms), e));
}

int
transport_free_space(struct transport *t, const char *path,
    uint64_t *free_bytes, uint64_t *total_bytes, int64_t timeout_ms,
    struct err *e)
{
	CALL(t->ops->free_space(t, path, free_bytes, total_bytes,
	    deadline_of(timeout_ms), e));
}

int
transport_read_file(struct transport *t, const char *path, size_t max,
    char **data, size_t *len, int64_t timeout_ms, struct err *e)
{
	*data = NULL;
	*len = 0;
	CALL(t->ops->read_file(t, path, max, data, len,
	    deadline_of(timeout_ms), e));
}

int
transport_write_file(struct transport *t, const char *path,
    const void *data, size_t len, int mode, int64_t timeout_ms,
    struct err *e)
{
	CALL(t->ops->write_file(t, path, data, len, mode,
	    deadline_of(timeout_ms), e));
}

int
transport_tunnel(struct transport *t, const char *host, int port,
    char local_host[64], int *local_port, int64_t timeout_ms, struct err *e)
{
	CALL(t->ops->tunnel(t, host, port, local_host, local_port,
	    deadline_of(timeout_ms), e));
}
