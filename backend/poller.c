/*
 * poller.c: one worker thread per host runs the probes of probe_table[]
 * and publishes the host's status to the hub; after each publish the pair
 * facts are made again from the newest snapshot (see poller.h).
 *
 * Threads:
 *   - poller_start(): one long-lived worker per host.  It keeps its
 *     transport and database connection open between rounds (warm), runs
 *     a round every poll_interval (sooner on poller_refresh(); later, with
 *     a doubling backoff up to 8 intervals, while the host is unreachable)
 *     and publishes.  poller_stop() joins them: every call a worker makes
 *     is bounded by the round deadline, so a join waits at most that long.
 *   - poller_round(): one thread per host for one round; the caller waits
 *     until all published or the round deadline passed.  A host still
 *     running then gets its facts published as unknown ("no answer within
 *     N s") by the caller, its thread is told to stop (cancel flag) and,
 *     if it does not within a short grace, detached: it holds its own
 *     reference to its worker record and never touches the hub again
 *     (the abandoned flag, checked under the record's mutex).  So `drdeck
 *     status` returns within the deadline + 1 s even when a host hangs
 *     inside libssh2.
 * What may block: only the workers, on the network, never past their
 * deadline; the hub is only touched to publish (memory only).
 */
#include "poller.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "drillhist.h"
#include "pairfacts.h"
#include "pgconn.h"
#include "probe.h"
#include "transport.h"
#include "xmalloc.h"

#define ABANDON_GRACE_MS	300
#define BACKOFF_MAX		8

struct worker {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int		 refs;		/* the thread + the owner */
	const struct config *c;
	const struct host_cfg *h;
	size_t		 idx;		/* index in the hub */
	struct hub	*hub;
	struct poller	*p;		/* NULL for a one-shot round */
	struct transport *t;
	struct pgconn	*pg;
	volatile int	 cancel;
	int		 stop;		/* long-lived: leave the loop */
	int		 refresh;	/* long-lived: run a round now */
	int		 done;		/* one-shot: the round published */
	int		 abandoned;	/* one-shot: the caller gave up on it */
	int		 backoff;	/* unreachable rounds in a row */
	int		 started;	/* thread is valid */
	pthread_t	 thread;
};

struct poller {
	const struct config *c;
	struct hub	*hub;
	pthread_mutex_t	 pair_mu;
	struct worker	*w[HUB_MAX_HOSTS];
	size_t		 n;
};

static pthread_mutex_t detached_mu = PTHREAD_MUTEX_INITIALIZER;
static size_t detached;
static pthread_mutex_t pair_once_mu = PTHREAD_MUTEX_INITIALIZER;

/* The round deadline in ms. */
int64_t
poller_round_budget_ms(const struct config *c)
{
	int64_t t = c->probe_timeout > 0 ? c->probe_timeout : 5;

	return 2 * t * 1000;
}

/* Detached one-shot workers still running. */
size_t
poller_detached(void)
{
	size_t n;

	pthread_mutex_lock(&detached_mu);
	n = detached;
	pthread_mutex_unlock(&detached_mu);
	return n;
}

static void
worker_unref(struct worker *w)
{
	int last;

	pthread_mutex_lock(&w->mu);
	last = --w->refs == 0;
	pthread_mutex_unlock(&w->mu);
	if (!last)
		return;
	pgconn_close(w->pg);
	if (w->t != NULL)
		transport_close(w->t);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

static int
looks_like_timeout(const char *m)
{
	char msg[ERR_LEN];
	size_t i;

	for (i = 0; m[i] != '\0' && i + 1 < sizeof msg; i++)
		msg[i] = (char)tolower((unsigned char)m[i]);
	msg[i] = '\0';
	return strstr(msg, "timed out") != NULL ||
	    strstr(msg, "timeout") != NULL ||
	    strstr(msg, "no answer") != NULL ||
	    strstr(msg, "deadline") != NULL ||
	    strstr(msg, "cancel") != NULL;
}

/* One round on the worker's host; returns the status to publish. */
static void
host_round(struct worker *w, int64_t deadline, struct host_status *st)
{
	const struct host_cfg *h = w->h;
	struct probe_ctx ctx;
	struct err e = { "" };
	int64_t t0 = clock_mono_ms(), left;
	const struct probe *p;
	char why[ERR_LEN + 64];

	memset(st, 0, sizeof *st);
	st->host = xstrdup(h->name);
	memset(&ctx, 0, sizeof ctx);
	ctx.c = w->c;
	ctx.h = h;
	ctx.pg = &w->pg;
	ctx.deadline = deadline;
	ctx.probe_timeout_ms = (w->c->probe_timeout > 0 ?
	    w->c->probe_timeout : 5) * 1000;
	ctx.state_dir = w->c->state_dir;
	ctx.cancel = &w->cancel;

	if (w->t == NULL) {
		/* min(time left, probe_timeout, ssh.connect_timeout) */
		left = clock_left_ms(deadline);
		if (h->transport == HOST_TRANSPORT_SSH &&
		    h->ssh.connect_timeout > 0 &&
		    h->ssh.connect_timeout * 1000 < left)
			left = h->ssh.connect_timeout * 1000;
		if (ctx.probe_timeout_ms < left)
			left = ctx.probe_timeout_ms;
		if (transport_open(h, left > 0 ? left : 1, &w->t, &e) != 0) {
			w->t = NULL;
		} else
			transport_set_cancel(w->t, &w->cancel);
	}
	ctx.t = w->t;
	if (w->t == NULL) {
		snprintf(why, sizeof why, "%s", e.msg);
		ctx.t_err = why;
		facts_add(&st->facts, "reach.rtt", "Round trip",
		    looks_like_timeout(e.msg) ? LEVEL_UNKNOWN : LEVEL_CRIT,
		    "unreachable", e.msg, NULL, clock_wall_ms());
	}
	st->reachable = w->t != NULL;
	probe_batch_run(&ctx);
	for (p = probe_table; p->name != NULL; p++) {
		if (w->cancel)
			break;
		if (p->needs_transport && w->t == NULL) {
			if (strcmp(p->name, "reach") != 0) {
				char key[64];

				snprintf(key, sizeof key, "%s", p->name);
				probe_unknown(&st->facts, key, p->name, why);
			}
			continue;
		}
		p->run(&ctx, &st->facts);
	}
	/* A transport whose command failed outright is reopened next time. */
	if (w->t != NULL) {
		const struct fact *f = facts_find(&st->facts, "reach.rtt");

		if (f != NULL && f->level == LEVEL_UNKNOWN) {
			st->reachable = 0;
			transport_close(w->t);
			w->t = NULL;
			pgconn_close(w->pg);
			w->pg = NULL;
		}
	}
	probe_scratch_free(&ctx.scratch);
	probe_batch_free(&ctx.batch);
	st->snapshot_at = clock_wall_ms();
	st->round_ms = clock_mono_ms() - t0;
}

/* Make the pair facts again from the newest snapshot and publish them. */
static void
publish_pair(const struct config *c, struct hub *hub, pthread_mutex_t *mu)
{
	struct fact_list pair = { 0 }, drill = { 0 };
	const struct snapshot *s;
	size_t i;

	/* Local files only (the drill reports); outside the lock. */
	drillhist_fact(c, clock_wall_ms(), &drill);
	pthread_mutex_lock(mu);
	s = hub_acquire(hub);
	pairfacts_compute(c, s, clock_wall_ms(), &pair);
	for (i = 0; i < drill.n; i++) {
		pair.v = xreallocarray(pair.v, pair.n + 1, sizeof *pair.v);
		pair.v[pair.n++] = drill.v[i];
	}
	free(drill.v);
	hub_release(hub, s);
	hub_publish_pair(hub, &pair);
	pthread_mutex_unlock(mu);
}

/* A status whose every fact says the host did not answer in time. */
static void
timeout_status(const struct worker *w, const struct snapshot *prev,
    int64_t budget_ms, struct host_status *st)
{
	char why[160];
	int64_t now = clock_wall_ms();
	size_t i;

	memset(st, 0, sizeof *st);
	st->host = xstrdup(w->h->name);
	st->snapshot_at = now;
	st->round_ms = budget_ms;
	snprintf(why, sizeof why, "%s: no answer within %.1f s (round "
	    "deadline)", w->h->name, (double)budget_ms / 1000.0);
	if (prev != NULL && prev->hosts[w->idx].facts.n > 0) {
		const struct fact_list *pf = &prev->hosts[w->idx].facts;

		for (i = 0; i < pf->n; i++)
			probe_unknown(&st->facts, pf->v[i].key,
			    pf->v[i].label, why);
		return;
	}
	probe_unknown(&st->facts, "reach.rtt", "Round trip", why);
	for (i = 1; probe_table[i].name != NULL; i++)
		probe_unknown(&st->facts, probe_table[i].name,
		    probe_table[i].name, why);
}

/* ---- one-shot rounds (drdeck status) ---- */

struct round {
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	size_t		 pending;
};

struct round_arg {
	struct worker	*w;
	struct round	*r;	/* valid while !w->abandoned */
	int64_t		 deadline;
};

static void *
round_main(void *arg)
{
	struct round_arg *a = arg;
	struct worker *w = a->w;
	struct host_status st;
	int abandoned;

	host_round(w, a->deadline, &st);
	pthread_mutex_lock(&w->mu);
	abandoned = w->abandoned;
	if (!abandoned) {
		hub_publish_host(w->hub, w->idx, &st);
		w->done = 1;
		pthread_mutex_lock(&a->r->mu);
		a->r->pending--;
		pthread_cond_broadcast(&a->r->cv);
		pthread_mutex_unlock(&a->r->mu);
	}
	pthread_mutex_unlock(&w->mu);
	if (abandoned) {
		host_status_free(&st);
		pthread_mutex_lock(&detached_mu);
		detached--;
		pthread_mutex_unlock(&detached_mu);
	}
	free(a);
	worker_unref(w);
	return NULL;
}

static struct worker *
worker_new(const struct config *c, size_t i, struct hub *hub)
{
	struct worker *w = xcalloc(1, sizeof *w);
	pthread_condattr_t ca;

	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	w->c = c;
	w->h = &c->hosts[i];
	w->idx = i;
	w->hub = hub;
	w->refs = 2;
	return w;
}

/* One round of every host, in parallel; returns by the deadline + grace. */
int
poller_round(const struct config *c, struct hub *h, struct err *e)
{
	struct round r;
	struct worker *w[HUB_MAX_HOSTS] = { 0 };
	pthread_condattr_t ca;
	struct timespec ts;
	int64_t budget = poller_round_budget_ms(c), deadline, grace;
	size_t i, n = c->n_hosts;
	int rc = 0;

	if (n > HUB_MAX_HOSTS)
		return err_set(e, "%s: %zu hosts, at most %d", c->path, n,
		    HUB_MAX_HOSTS);
	pthread_mutex_init(&r.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r.cv, &ca);
	pthread_condattr_destroy(&ca);
	r.pending = 0;
	deadline = clock_mono_ms() + budget;

	for (i = 0; i < n; i++) {
		struct round_arg *a = xcalloc(1, sizeof *a);

		w[i] = worker_new(c, i, h);
		a->w = w[i];
		a->r = &r;
		a->deadline = deadline;
		pthread_mutex_lock(&r.mu);
		r.pending++;
		pthread_mutex_unlock(&r.mu);
		if (pthread_create(&w[i]->thread, NULL, round_main, a) != 0) {
			pthread_mutex_lock(&r.mu);
			r.pending--;
			pthread_mutex_unlock(&r.mu);
			free(a);
			w[i]->refs = 1;
			w[i]->abandoned = 1;	/* no thread: publish below */
			rc = err_set(e, "%s: cannot start a thread",
			    c->hosts[i].name);
		} else
			w[i]->started = 1;
	}

	/* Wait for every host, or the deadline (plus a little so that a
	 * host answering right at its deadline still gets in). */
	clock_abs_timespec(CLOCK_MONOTONIC, clock_left_ms(deadline + 200),
	    &ts);
	pthread_mutex_lock(&r.mu);
	while (r.pending > 0) {
		if (pthread_cond_timedwait(&r.cv, &r.mu, &ts) == ETIMEDOUT)
			break;
	}
	pthread_mutex_unlock(&r.mu);

	/* One grace for all the late ones: the whole call stays within the
	 * deadline + 200 ms + ABANDON_GRACE_MS. */
	grace = clock_mono_ms() + ABANDON_GRACE_MS;
	for (i = 0; i < n; i++) {
		struct host_status st;
		int late, joined = 0;

		pthread_mutex_lock(&w[i]->mu);
		late = !w[i]->done;
		if (late) {
			if (!w[i]->abandoned) {	/* its thread runs */
				pthread_mutex_lock(&detached_mu);
				detached++;
				pthread_mutex_unlock(&detached_mu);
			}
			w[i]->abandoned = 1;
			w[i]->cancel = 1;
		}
		pthread_mutex_unlock(&w[i]->mu);
		if (late) {
			const struct snapshot *prev = hub_acquire(h);

			timeout_status(w[i], prev, budget, &st);
			hub_release(h, prev);
			hub_publish_host(h, i, &st);
			if (!w[i]->started) {
				worker_unref(w[i]);	/* never started */
				continue;
			}
		}
		if (!late) {
			pthread_join(w[i]->thread, NULL);
			joined = 1;
		} else {
			/* Give it a moment to see the cancel flag. */
			int64_t until = grace;

			while (clock_mono_ms() < until) {
				int gone;

				pthread_mutex_lock(&w[i]->mu);
				gone = w[i]->refs == 1;
				pthread_mutex_unlock(&w[i]->mu);
				if (gone)
					break;
				{
					struct timespec sl = { 0, 10000000L };

					nanosleep(&sl, NULL);
				}
			}
			pthread_mutex_lock(&w[i]->mu);
			joined = w[i]->refs == 1;
			pthread_mutex_unlock(&w[i]->mu);
			if (joined)
				pthread_join(w[i]->thread, NULL);
			else
				pthread_detach(w[i]->thread);
		}
		worker_unref(w[i]);
	}
	publish_pair(c, h, &pair_once_mu);
	pthread_mutex_destroy(&r.mu);
	pthread_cond_destroy(&r.cv);
	return rc;
}

/* ---- long-lived workers (the console) ---- */

/* An unreachable host's round has one placeholder fact per probe; keep
 * the rows people know instead: every fact of the last round comes back
 * as unknown with the reason (reach.rtt keeps its new level). */
static void
carry_keys(struct hub *hub, size_t idx, struct host_status *st)
{
	const struct snapshot *prev = hub_acquire(hub);
	const struct fact_list *pf = &prev->hosts[idx].facts;
	const struct fact *reach = facts_find(&st->facts, "reach.rtt");
	struct fact_list nl = { 0 };
	char why[ERR_LEN + 32];
	size_t i;

	if (st->reachable || pf->n == 0 || reach == NULL) {
		hub_release(hub, prev);
		return;
	}
	snprintf(why, sizeof why, "%s", reach->detail ? reach->detail :
	    "unreachable");
	for (i = 0; i < st->facts.n; i++) {
		const struct fact *f = &st->facts.v[i];
		struct fact *g;

		if (strchr(f->key, '.') == NULL)
			continue;	/* a placeholder */
		g = facts_add(&nl, f->key, f->label, f->level, f->value,
		    f->detail, f->threshold, f->observed_at);
		if (f->has_num)
			fact_set_num(g, f->num, f->unit);
	}
	for (i = 0; i < pf->n; i++)
		if (facts_find(&nl, pf->v[i].key) == NULL)
			probe_unknown(&nl, pf->v[i].key, pf->v[i].label, why);
	hub_release(hub, prev);
	facts_free(&st->facts);
	st->facts = nl;
}

static void *
loop_main(void *arg)
{
	struct worker *w = arg;
	struct host_status st;
	struct timespec ts;
	int64_t budget = poller_round_budget_ms(w->c), wait_ms, next;

	for (;;) {
		pthread_mutex_lock(&w->mu);
		if (w->stop) {
			pthread_mutex_unlock(&w->mu);
			break;
		}
		w->refresh = 0;
		pthread_mutex_unlock(&w->mu);

		host_round(w, clock_mono_ms() + budget, &st);
		carry_keys(w->hub, w->idx, &st);
		w->backoff = st.reachable ? 0 : (w->backoff < BACKOFF_MAX ?
		    (w->backoff ? w->backoff * 2 : 1) : BACKOFF_MAX);
		pthread_mutex_lock(&w->mu);
		if (!w->stop) {
			pthread_mutex_unlock(&w->mu);
			hub_publish_host(w->hub, w->idx, &st);
			publish_pair(w->c, w->hub, &w->p->pair_mu);
			pthread_mutex_lock(&w->mu);
		} else
			host_status_free(&st);

		wait_ms = (w->c->poll_interval > 0 ? w->c->poll_interval : 10) *
		    1000 * (w->backoff ? w->backoff : 1);
		next = clock_mono_ms() + wait_ms;
		clock_abs_timespec(CLOCK_MONOTONIC, clock_left_ms(next), &ts);
		while (!w->stop && !w->refresh) {
			if (pthread_cond_timedwait(&w->cv, &w->mu, &ts) ==
			    ETIMEDOUT)
				break;
		}
		pthread_mutex_unlock(&w->mu);
	}
	worker_unref(w);
	return NULL;
}

/* Start one worker per host. */
int
poller_start(const struct config *c, struct hub *h, struct poller **out,
    struct err *e)
{
	struct poller *p;
	size_t i;

	*out = NULL;
	if (c->n_hosts > HUB_MAX_HOSTS)
		return err_set(e, "%s: %zu hosts, at most %d", c->path,
		    c->n_hosts, HUB_MAX_HOSTS);
	p = xcalloc(1, sizeof *p);
	p->c = c;
	p->hub = h;
	pthread_mutex_init(&p->pair_mu, NULL);
	for (i = 0; i < c->n_hosts; i++) {
		p->w[i] = worker_new(c, i, h);
		p->w[i]->p = p;
		if (pthread_create(&p->w[i]->thread, NULL, loop_main,
		    p->w[i]) != 0) {
			p->w[i]->refs = 1;
			worker_unref(p->w[i]);
			p->w[i] = NULL;
			p->n = i;
			poller_stop(p);
			return err_set(e, "%s: cannot start a thread",
			    c->hosts[i].name);
		}
		p->n = i + 1;
	}
	*out = p;
	return 0;
}

/* Ask every worker for a round now. */
void
poller_refresh(struct poller *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->w[i]->mu);
		p->w[i]->refresh = 1;
		pthread_cond_signal(&p->w[i]->cv);
		pthread_mutex_unlock(&p->w[i]->mu);
	}
}

/* Stop and join every worker (each is bounded by its round deadline). */
void
poller_stop(struct poller *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++) {
		pthread_mutex_lock(&p->w[i]->mu);
		p->w[i]->stop = 1;
		p->w[i]->cancel = 1;
		pthread_cond_signal(&p->w[i]->cv);
		pthread_mutex_unlock(&p->w[i]->mu);
	}
	for (i = 0; i < p->n; i++) {
		pthread_join(p->w[i]->thread, NULL);
		worker_unref(p->w[i]);
	}
	pthread_mutex_destroy(&p->pair_mu);
	free(p);
}
