/*
 * test_hub.c: snapshots are immutable, reference counted, swapped whole;
 * the wake-up pipe; flow view copy / free; concurrent publishers lose
 * no update.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <poll.h>
#include <pthread.h>

#include "hub.h"
#include "xmalloc.h"

static const char *const names[] = { "primary", "backup" };

static int
wake_ready(struct hub *h)
{
	struct pollfd p = { .fd = hub_wake_fd(h), .events = POLLIN };

	return poll(&p, 1, 0) == 1;
}

static void
make_status(struct host_status *st, const char *name, const char *val)
{
	memset(st, 0, sizeof *st);
	st->host = name ? xstrdup(name) : NULL;
	st->reachable = 1;
	facts_add(&st->facts, "reach.rtt", "Round trip", LEVEL_OK, val, NULL,
	    NULL, 1);
}

static void
test_initial_snapshot(void **state)
{
	struct hub *h = hub_new(2, names);
	const struct snapshot *s = hub_acquire(h);

	assert_non_null(s);
	assert_int_equal(s->n_hosts, 2);
	assert_string_equal(s->hosts[0].host, "primary");
	assert_string_equal(s->hosts[1].host, "backup");
	assert_int_equal(s->hosts[0].facts.n, 0);
	assert_int_equal(host_status_level(&s->hosts[0], 0, 0),
	    LEVEL_UNKNOWN);
	assert_int_equal(s->seq, 0);
	assert_false(wake_ready(h));
	hub_release(h, s);
	hub_free(h);
}

static void
test_publish_keeps_old_snapshot_intact(void **state)
{
	struct hub *h = hub_new(2, names);
	struct host_status st;
	const struct snapshot *a, *b, *c;
	struct fact_list pair = { 0 };

	make_status(&st, NULL, "3 ms");
	hub_publish_host(h, 0, &st);
	assert_null(st.facts.v);	/* ownership moved */
	assert_true(wake_ready(h));
	hub_drain_wake(h);
	assert_false(wake_ready(h));

	a = hub_acquire(h);
	assert_int_equal(a->seq, 1);
	assert_string_equal(a->hosts[0].host, "primary");	/* name kept */
	assert_string_equal(a->hosts[0].facts.v[0].value, "3 ms");

	make_status(&st, "backup", "9 ms");
	hub_publish_host(h, 1, &st);
	facts_add(&pair, "pair.split_brain", "Split brain", LEVEL_OK, "no",
	    NULL, NULL, 1);
	hub_publish_pair(h, &pair);
	b = hub_acquire(h);
	assert_int_equal(b->seq, 3);
	/* a is unchanged although two publishes happened since */
	assert_int_equal(a->hosts[1].facts.n, 0);
	assert_int_equal(a->pair.n, 0);
	/* b has every part: host 0 carried over, host 1 and pair new */
	assert_string_equal(b->hosts[0].facts.v[0].value, "3 ms");
	assert_string_equal(b->hosts[1].facts.v[0].value, "9 ms");
	assert_string_equal(b->pair.v[0].key, "pair.split_brain");
	assert_ptr_not_equal(a->hosts[0].facts.v, b->hosts[0].facts.v);

	make_status(&st, NULL, "4 ms");
	hub_publish_host(h, 0, &st);
	c = hub_acquire(h);
	assert_string_equal(c->hosts[0].facts.v[0].value, "4 ms");
	assert_string_equal(c->hosts[1].facts.v[0].value, "9 ms");
	assert_int_equal(c->pair.n, 1);
	assert_string_equal(b->hosts[0].facts.v[0].value, "3 ms");
	hub_release(h, a);
	hub_release(h, c);
	hub_release(h, b);
	hub_free(h);
}

static void
fill_flow(struct flow_view *fv)
{
	memset(fv, 0, sizeof *fv);
	fv->active = 1;
	fv->name = xstrdup("failover");
	fv->id = xstrdup("wf-1");
	fv->n_steps = 2;
	fv->steps = xcalloc(2, sizeof *fv->steps);
	fv->steps[0].id = xstrdup("fence");
	fv->steps[0].title = xstrdup("Stop the primary's app");
	fv->steps[0].section = xstrdup("\xc2\xa7" "7.2");
	fv->steps[0].state = STEP_DONE;
	fv->steps[1].id = xstrdup("promote");
	fv->steps[1].state = STEP_CONFIRM;
	fv->current = 1;
	fv->prompt = xstrdup("Type PROMOTE");
	fv->expect = xstrdup("PROMOTE");
}

static void
test_flow_copy_free(void **state)
{
	struct flow_view a, b;

	fill_flow(&a);
	flow_view_copy(&b, &a);
	assert_ptr_not_equal(a.steps, b.steps);
	assert_ptr_not_equal(a.name, b.name);
	assert_string_equal(b.steps[0].title, "Stop the primary's app");
	assert_null(b.steps[1].title);
	assert_string_equal(b.expect, "PROMOTE");
	assert_int_equal(b.current, 1);
	flow_view_free(&a);
	assert_null(a.steps);
	assert_int_equal(a.n_steps, 0);
	assert_string_equal(b.steps[1].id, "promote");
	flow_view_free(&b);
	flow_view_free(&b);	/* twice is harmless */
}

static void
test_publish_flow(void **state)
{
	struct hub *h = hub_new(1, names);
	struct flow_view fv;
	const struct snapshot *s;

	fill_flow(&fv);
	hub_publish_flow(h, &fv);
	assert_null(fv.name);
	s = hub_acquire(h);
	assert_true(s->flow.active);
	assert_string_equal(s->flow.steps[0].id, "fence");
	hub_release(h, s);
	hub_free(h);
}

#define N_PUB 200

struct pub_arg {
	struct hub *h;
	size_t	 host;
};

static void *
publisher(void *arg)
{
	struct pub_arg *a = arg;
	struct host_status st;
	char v[32];
	int i;

	for (i = 1; i <= N_PUB; i++) {
		snprintf(v, sizeof v, "%d", i);
		make_status(&st, NULL, v);
		hub_publish_host(a->h, a->host, &st);
	}
	return NULL;
}

static void *
reader(void *arg)
{
	struct hub *h = arg;
	uint64_t last = 0;
	int i;

	for (i = 0; i < 2000; i++) {
		const struct snapshot *s = hub_acquire(h);

		if (s->seq < last)
			abort();
		last = s->seq;
		if (s->hosts[0].facts.n > 0 &&
		    atoi(s->hosts[0].facts.v[0].value) <= 0)
			abort();
		hub_release(h, s);
	}
	return NULL;
}

static void
test_concurrent_publishers(void **state)
{
	struct hub *h = hub_new(2, names);
	struct pub_arg a0 = { h, 0 }, a1 = { h, 1 };
	pthread_t t0, t1, r;
	const struct snapshot *s;

	assert_int_equal(pthread_create(&t0, NULL, publisher, &a0), 0);
	assert_int_equal(pthread_create(&t1, NULL, publisher, &a1), 0);
	assert_int_equal(pthread_create(&r, NULL, reader, h), 0);
	pthread_join(t0, NULL);
	pthread_join(t1, NULL);
	pthread_join(r, NULL);
	s = hub_acquire(h);
	assert_int_equal(s->seq, 2 * N_PUB);
	/* neither host's last update was lost to the other's publish */
	assert_string_equal(s->hosts[0].facts.v[0].value, "200");
	assert_string_equal(s->hosts[1].facts.v[0].value, "200");
	assert_string_equal(s->hosts[1].host, "backup");
	hub_release(h, s);
	hub_drain_wake(h);
	assert_false(wake_ready(h));
	hub_free(h);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_snapshot),
		cmocka_unit_test(test_publish_keeps_old_snapshot_intact),
		cmocka_unit_test(test_flow_copy_free),
		cmocka_unit_test(test_publish_flow),
		cmocka_unit_test(test_concurrent_publishers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
