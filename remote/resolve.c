/*
 * resolve.c: getaddrinfo() bounded by a deadline (see resolve.h).
 *
 * A lookup is a job shared by two threads: the caller, waiting on the
 * job's condition variable (CLOCK_MONOTONIC, as clock.h's deadlines)
 * until the deadline, and a detached worker that runs getaddrinfo().
 * Each holds a reference; whoever lets go last frees the job and any
 * result nobody took.  So a caller that gives up returns at its
 * deadline, and the worker, whenever the resolver answers, cleans up
 * after itself.
 *
 * Runs on the caller's thread plus one worker per name lookup; the
 * worker blocks in getaddrinfo() as long as the resolver takes.
 */
#include "resolve.h"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <sys/socket.h>
#include <sys/types.h>
#include <netdb.h>
#endif

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "xmalloc.h"

struct resolve_job {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 refs;		/* caller and worker; last one frees */
	int		 done;		/* the worker has answered */
	int		 rc;		/* getaddrinfo's return */
	int		 sys_errno;	/* errno, for EAI_SYSTEM */
	struct addrinfo	*res;		/* until the caller takes it */
	char		*host;
	char		*port;
};

static int
sys_lookup(const char *host, const char *port, const struct addrinfo *hints,
    struct addrinfo **res)
{
	return getaddrinfo(host, port, hints, res);
}

static resolve_lookup_fn lookup = sys_lookup;
static atomic_int jobs_live;

void
resolve_set_lookup(resolve_lookup_fn fn)
{
	lookup = fn != NULL ? fn : sys_lookup;
}

int
resolve_jobs_live(void)
{
	return atomic_load(&jobs_live);
}

static void
stream_hints(struct addrinfo *hints, int flags)
{
	memset(hints, 0, sizeof *hints);
	hints->ai_family = AF_UNSPEC;
	hints->ai_socktype = SOCK_STREAM;
	hints->ai_flags = flags;
}

static void
job_free(struct resolve_job *j)
{
	if (j->res != NULL)
		freeaddrinfo(j->res);
	pthread_cond_destroy(&j->cv);
	pthread_mutex_destroy(&j->mu);
	free(j->host);
	free(j->port);
	free(j);
	atomic_fetch_sub(&jobs_live, 1);
}

/* Drop one reference (j->mu held, released here); the last frees. */
static void
job_unref_unlock(struct resolve_job *j)
{
	int last = --j->refs == 0;

	pthread_mutex_unlock(&j->mu);
	if (last)
		job_free(j);
}

static void *
worker_main(void *arg)
{
	struct resolve_job *j = arg;
	struct addrinfo hints, *res = NULL;
	int rc, saved;

	stream_hints(&hints, 0);
	rc = lookup(j->host, j->port, &hints, &res);
	saved = errno;
	pthread_mutex_lock(&j->mu);
	j->rc = rc;
	j->sys_errno = saved;
	j->res = rc == 0 ? res : NULL;
	j->done = 1;
	pthread_cond_signal(&j->cv);
	job_unref_unlock(j);
	return NULL;
}

static int
gai_fail(const char *host, const char *port, int rc, int sys_errno,
    struct err *e)
{
#ifdef EAI_SYSTEM
	if (rc == EAI_SYSTEM)
		return err_set(e, "%s: cannot resolve: %s (%s)", host,
		    gai_strerror(rc), strerror(sys_errno));
#endif
	(void)sys_errno;
	if (rc == EAI_SERVICE)
		return err_set(e, "%s: cannot resolve port '%s': %s", host,
		    port != NULL ? port : "", gai_strerror(rc));
	return err_set(e, "%s: cannot resolve: %s", host, gai_strerror(rc));
}

static int
timed_out(const char *host, int64_t waited_ms, struct err *e)
{
	return err_set(e, "%s: name lookup gave no answer within %.1f s", host,
	    (double)(waited_ms > 0 ? waited_ms : 0) / 1000.0);
}

/* Look a name up on a worker, waiting until the deadline. */
int
resolve_addr(const char *host, const char *port, int64_t deadline,
    struct addrinfo **out, struct err *e)
{
	struct resolve_job *j;
	struct addrinfo hints, *res = NULL;
	pthread_condattr_t ca;
	pthread_attr_t ta;
	pthread_t th;
	struct timespec ts;
	int64_t start = clock_mono_ms();
	int rc, saved, done;

	assert(out != NULL);
	*out = NULL;
	if (host == NULL || *host == '\0')
		return err_set(e, "name lookup: no host name given");

	/* A numeric address needs no resolver and cannot block. */
	stream_hints(&hints, AI_NUMERICHOST);
	rc = getaddrinfo(host, port, &hints, &res);
	if (rc == 0) {
		*out = res;
		return 0;
	}
	if (rc != EAI_NONAME)
		return gai_fail(host, port, rc, errno, e);

	if (clock_left_ms(deadline) == 0)
		return timed_out(host, deadline - start, e);

	j = xcalloc(1, sizeof *j);
	atomic_fetch_add(&jobs_live, 1);
	pthread_mutex_init(&j->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&j->cv, &ca);
	pthread_condattr_destroy(&ca);
	j->host = xstrdup(host);
	j->port = port != NULL ? xstrdup(port) : NULL;
	j->refs = 2;

	pthread_attr_init(&ta);
	pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&th, &ta, worker_main, j);
	pthread_attr_destroy(&ta);
	if (rc != 0) {
		job_free(j);
		return err_set(e, "%s: name lookup: cannot start a thread: %s",
		    host, strerror(rc));
	}

	clock_abs_timespec(CLOCK_MONOTONIC, clock_left_ms(deadline), &ts);
	pthread_mutex_lock(&j->mu);
	while (!j->done)
		if (pthread_cond_timedwait(&j->cv, &j->mu, &ts) != 0)
			break;	/* ETIMEDOUT; done is looked at below */
	done = j->done;
	rc = j->rc;
	saved = j->sys_errno;
	if (done) {
		*out = j->res;
		j->res = NULL;
	}
	job_unref_unlock(j);

	if (!done)
		return timed_out(host, deadline - start, e);
	if (rc != 0)
		return gai_fail(host, port, rc, saved, e);
	return 0;
}
