/*
 * hub.c: the latest state of everything, as immutable reference-counted
 * snapshots (see hub.h).
 *
 * Threads: any number of publishers (host pollers, the workflow engine)
 * and readers (the UI loop, `drdeck status`).  Two locks:
 *   - pub_mu serialises publishers, so that two workers publishing at the
 *     same time never build from the same base and lose one update.  It
 *     is held while the new snapshot is copied together (memory only).
 *   - mu guards the current pointer and every reference count; it is held
 *     only for a pointer swap or a counter change, so readers never wait
 *     behind a copy, and nobody waits on the network under either lock.
 * Nothing here blocks but those two mutexes; the wake-up pipe is
 * non-blocking (a full pipe already says "something changed").
 */
#include "hub.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "xmalloc.h"

struct hub {
	pthread_mutex_t	 mu;	/* cur, refs of every snapshot */
	pthread_mutex_t	 pub_mu;	/* one publisher at a time */
	struct snapshot	*cur;	/* holds one reference for the hub */
	uint64_t	 seq;
	size_t		 n_hosts;
	int		 wake[2];	/* read end, write end; -1 if none */
};

static void
step_view_free(struct flow_step_view *s)
{
	free(s->id);
	free(s->title);
	free(s->section);
	free(s->why);
	free(s->command);
	free(s->message);
}

/* Free the contents of a flow view and zero it. */
void
flow_view_free(struct flow_view *fv)
{
	size_t i;

	if (fv == NULL)
		return;
	for (i = 0; i < fv->n_steps; i++)
		step_view_free(&fv->steps[i]);
	free(fv->steps);
	free(fv->name);
	free(fv->id);
	free(fv->prompt);
	free(fv->expect);
	free(fv->output_tail);
	free(fv->report_path);
	memset(fv, 0, sizeof *fv);
}

/* Deep copy of a flow view into dst (whose old contents are not freed). */
void
flow_view_copy(struct flow_view *dst, const struct flow_view *src)
{
	size_t i;

	*dst = *src;
	dst->name = xstrdup0(src->name);
	dst->id = xstrdup0(src->id);
	dst->prompt = xstrdup0(src->prompt);
	dst->expect = xstrdup0(src->expect);
	dst->output_tail = xstrdup0(src->output_tail);
	dst->report_path = xstrdup0(src->report_path);
	dst->steps = src->n_steps ?
	    xcalloc(src->n_steps, sizeof *dst->steps) : NULL;
	for (i = 0; i < src->n_steps; i++) {
		const struct flow_step_view *s = &src->steps[i];
		struct flow_step_view *d = &dst->steps[i];

		*d = *s;
		d->id = xstrdup0(s->id);
		d->title = xstrdup0(s->title);
		d->section = xstrdup0(s->section);
		d->why = xstrdup0(s->why);
		d->command = xstrdup0(s->command);
		d->message = xstrdup0(s->message);
	}
}

static void
snapshot_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		host_status_free(&s->hosts[i]);
	facts_free(&s->pair);
	flow_view_free(&s->flow);
	free(s);
}

/* A new snapshot with copies of every part of base (no part skipped). */
static struct snapshot *
snapshot_clone(const struct snapshot *base, int skip_host, int skip_pair,
    int skip_flow)
{
	struct snapshot *s = xcalloc(1, sizeof *s);
	size_t i;

	s->n_hosts = base->n_hosts;
	for (i = 0; i < base->n_hosts; i++) {
		if ((int)i == skip_host)
			continue;
		host_status_copy(&s->hosts[i], &base->hosts[i]);
	}
	if (!skip_pair)
		facts_copy(&s->pair, &base->pair);
	if (!skip_flow)
		flow_view_copy(&s->flow, &base->flow);
	return s;
}

static void
ref_drop_locked(struct snapshot *s)
{
	assert(s->refs > 0);
	s->refs--;
}

static void
hub_wake(struct hub *h)
{
	char c = 1;
	ssize_t r;

	if (h->wake[1] < 0)
		return;
	do
		r = write(h->wake[1], &c, 1);
	while (r < 0 && errno == EINTR);
	/* EAGAIN: the pipe is full, the reader will wake anyway. */
}

/* Swap next in as the current snapshot; called with pub_mu held. */
static void
hub_swap(struct hub *h, struct snapshot *next)
{
	struct snapshot *old;
	int dead;

	next->refs = 1;
	next->taken_at = clock_wall_ms();
	pthread_mutex_lock(&h->mu);
	next->seq = ++h->seq;
	old = h->cur;
	h->cur = next;
	ref_drop_locked(old);
	dead = old->refs == 0;
	pthread_mutex_unlock(&h->mu);
	if (dead)
		snapshot_free(old);
	hub_wake(h);
}

static int
set_nonblock_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	fl = fcntl(fd, F_GETFD);
	if (fl < 0 || fcntl(fd, F_SETFD, fl | FD_CLOEXEC) < 0)
		return -1;
	return 0;
}

/* A hub for n_hosts hosts named host_names[i]; the first snapshot has no
 * facts (every host reads as unknown). */
struct hub *
hub_new(size_t n_hosts, const char *const *host_names)
{
	struct hub *h = xcalloc(1, sizeof *h);
	size_t i;

	assert(n_hosts <= HUB_MAX_HOSTS);
	pthread_mutex_init(&h->mu, NULL);
	pthread_mutex_init(&h->pub_mu, NULL);
	h->n_hosts = n_hosts;
	h->wake[0] = h->wake[1] = -1;
	if (pipe(h->wake) == 0) {
		if (set_nonblock_cloexec(h->wake[0]) < 0 ||
		    set_nonblock_cloexec(h->wake[1]) < 0) {
			close(h->wake[0]);
			close(h->wake[1]);
			h->wake[0] = h->wake[1] = -1;
		}
	} else
		h->wake[0] = h->wake[1] = -1;
	h->cur = xcalloc(1, sizeof *h->cur);
	h->cur->refs = 1;
	h->cur->n_hosts = n_hosts;
	h->cur->taken_at = clock_wall_ms();
	for (i = 0; i < n_hosts; i++)
		h->cur->hosts[i].host = xstrdup0(host_names != NULL ?
		    host_names[i] : NULL);
	return h;
}

/* Free the hub; every acquired snapshot must have been released. */
void
hub_free(struct hub *h)
{
	if (h == NULL)
		return;
	assert(h->cur->refs == 1);
	snapshot_free(h->cur);
	if (h->wake[0] >= 0)
		close(h->wake[0]);
	if (h->wake[1] >= 0)
		close(h->wake[1]);
	pthread_mutex_destroy(&h->mu);
	pthread_mutex_destroy(&h->pub_mu);
	free(h);
}

/* Current snapshot with one more reference, for a publisher's base. */
static struct snapshot *
hub_base(struct hub *h)
{
	struct snapshot *s;

	pthread_mutex_lock(&h->mu);
	s = h->cur;
	s->refs++;
	pthread_mutex_unlock(&h->mu);
	return s;
}

static void
hub_unbase(struct hub *h, struct snapshot *s)
{
	hub_release(h, s);
}

/* Replace host i's status; ownership of *st's contents moves to the hub
 * and *st is zeroed. */
void
hub_publish_host(struct hub *h, size_t i, struct host_status *st)
{
	struct snapshot *base, *next;

	assert(i < h->n_hosts);
	pthread_mutex_lock(&h->pub_mu);
	base = hub_base(h);
	next = snapshot_clone(base, (int)i, 0, 0);
	next->hosts[i] = *st;
	if (next->hosts[i].host == NULL)	/* keep the host's name */
		next->hosts[i].host = xstrdup0(base->hosts[i].host);
	hub_unbase(h, base);
	memset(st, 0, sizeof *st);
	hub_swap(h, next);
	pthread_mutex_unlock(&h->pub_mu);
}

/* Replace the pair facts (ownership taken, *pair zeroed). */
void
hub_publish_pair(struct hub *h, struct fact_list *pair)
{
	struct snapshot *base, *next;

	pthread_mutex_lock(&h->pub_mu);
	base = hub_base(h);
	next = snapshot_clone(base, -1, 1, 0);
	hub_unbase(h, base);
	next->pair = *pair;
	memset(pair, 0, sizeof *pair);
	hub_swap(h, next);
	pthread_mutex_unlock(&h->pub_mu);
}

/* Replace the flow view (ownership taken, *fv zeroed). */
void
hub_publish_flow(struct hub *h, struct flow_view *fv)
{
	struct snapshot *base, *next;

	pthread_mutex_lock(&h->pub_mu);
	base = hub_base(h);
	next = snapshot_clone(base, -1, 0, 1);
	hub_unbase(h, base);
	next->flow = *fv;
	memset(fv, 0, sizeof *fv);
	hub_swap(h, next);
	pthread_mutex_unlock(&h->pub_mu);
}

/* The latest snapshot with a reference for the caller. */
const struct snapshot *
hub_acquire(struct hub *h)
{
	return hub_base(h);
}

/* Give back a reference taken by hub_acquire(). */
void
hub_release(struct hub *h, const struct snapshot *cs)
{
	struct snapshot *s = (struct snapshot *)cs;
	int dead;

	if (s == NULL)
		return;
	pthread_mutex_lock(&h->mu);
	ref_drop_locked(s);
	dead = s->refs == 0;
	pthread_mutex_unlock(&h->mu);
	if (dead)
		snapshot_free(s);
}

/* The fd that becomes readable after a publish (-1 if no pipe). */
int
hub_wake_fd(const struct hub *h)
{
	return h->wake[0];
}

/* Read every pending wake-up byte. */
void
hub_drain_wake(struct hub *h)
{
	char buf[64];
	ssize_t r;

	if (h->wake[0] < 0)
		return;
	for (;;) {
		r = read(h->wake[0], buf, sizeof buf);
		if (r > 0)
			continue;
		if (r < 0 && errno == EINTR)
			continue;
		break;
	}
}
