/*
 * test_poller.c: the poller on two hosts reached by the local transport
 * (real processes, real files in a temp folder; no database: its facts
 * are crit or unknown, never ok).
 *
 *   - a round publishes both hosts and the pair facts; the exec-based
 *     facts (hashes, storage, services) come from the one batch command;
 *   - a host whose service status hangs: the round still returns within
 *     the round deadline + 1 s, and only that host's facts are unknown;
 *   - the long-lived workers publish on refresh and stop when asked.
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
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "hub.h"
#include "pairfacts.h"
#include "poller.h"
#include "xmalloc.h"

static char dir[] = "/tmp/drdeck-test-poller-XXXXXX";

static void
put(const char *rel, const char *text)
{
	char *p = xasprintf("%s/%s", dir, rel);
	FILE *f = fopen(p, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(p);
}

static void
mk(const char *rel)
{
	char *p = xasprintf("%s/%s", dir, rel);

	assert_int_equal(mkdir(p, 0700), 0);
	free(p);
}

static const char *
host_json(struct buf *b, const char *name, const char *kind,
    const char *status_cmd)
{
	buf_printf(b,
	    "{\"name\":\"%s\",\"kind\":\"%s\",\"os\":\"linux\",\"shell\":\"sh\","
	    "\"transport\":\"local\",\"address\":\"\","
	    "\"postgres\":{\"host\":\"127.0.0.1\",\"port\":1,"
	    "\"connect_timeout\":\"2s\"},"
	    "\"paths\":{\"dumps\":\"%s/%s/dumps\",\"logs\":\"%s/%s\","
	    "\"state\":\"%s/%s/state\",\"env_file\":\"%s/%s/.env\","
	    "\"storage\":[\"%s/%s/storage\"],\"compare\":[\"%s/%s/site.conf\"]},"
	    "\"services\":[{\"name\":\"app\",\"start\":[\"true\"],"
	    "\"stop\":[\"true\"],\"status\":[\"sh\",\"-c\",\"%s\"]}]}",
	    name, kind, dir, name, dir, name, dir, name, dir, name, dir, name,
	    dir, name, status_cmd);
	return b->s;
}

static struct config *
make_config(const char *backup_status)
{
	struct buf b = { 0 };
	struct config *c = NULL;
	struct err e = { "" };
	char *path = xasprintf("%s/drdeck.json", dir);
	FILE *f;

	buf_printf(&b, "{\"pair\":\"t\",\"poll_interval\":\"1s\","
	    "\"probe_timeout\":\"1s\",\"state_dir\":\"%s/console\","
	    "\"hosts\":[", dir);
	host_json(&b, "primary", "primary", "exit 0");
	buf_puts(&b, ",");
	host_json(&b, "backup", "backup", backup_status);
	buf_puts(&b, "]}");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(buf_str(&b), f);
	fclose(f);
	chmod(path, 0600);
	if (config_load(path, &c, NULL, &e) != 0)
		fail_msg("config: %s", e.msg);
	buf_free(&b);
	free(path);
	return c;
}

static int
setup(void **state)
{
	const char *h[] = { "primary", "backup" };
	size_t i;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < 2; i++) {
		char rel[64];

		mk(h[i]);
		snprintf(rel, sizeof rel, "%s/dumps", h[i]);
		mk(rel);
		snprintf(rel, sizeof rel, "%s/state", h[i]);
		mk(rel);
		snprintf(rel, sizeof rel, "%s/storage", h[i]);
		mk(rel);
		snprintf(rel, sizeof rel, "%s/storage/a.txt", h[i]);
		put(rel, "hello\n");
		snprintf(rel, sizeof rel, "%s/.env", h[i]);
		put(rel, "SECRET=x\n");
		snprintf(rel, sizeof rel, "%s/site.conf", h[i]);
		put(rel, "server {}\n");
	}
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static const struct fact *
find(const struct snapshot *s, size_t h, const char *key)
{
	return facts_find(&s->hosts[h].facts, key);
}

static struct hub *
new_hub(const struct config *c)
{
	const char *names[] = { c->hosts[0].name, c->hosts[1].name };

	return hub_new(2, names);
}

static void
test_round(void **state)
{
	struct config *c = make_config("exit 3");
	struct hub *h = new_hub(c);
	struct err e = { "" };
	const struct snapshot *s;
	const struct fact *f;
	size_t i;

	assert_int_equal(poller_round(c, h, &e), 0);
	s = hub_acquire(h);
	for (i = 0; i < 2; i++) {
		assert_true(s->hosts[i].reachable);
		f = find(s, i, "env.sha256");
		assert_non_null(f);
		assert_int_equal(f->level, LEVEL_OK);
		/* sha256("SECRET=x\n") computed by the host's sha256sum */
		assert_non_null(strstr(f->detail, "sha256 "));
		f = find(s, i, "storage.storage.files");
		assert_non_null(f);
		assert_true(f->num == 1);
		f = find(s, i, "reach.skew");
		assert_non_null(f);
		assert_int_equal(f->level, LEVEL_OK);
		/* no database: never ok */
		f = find(s, i, "db.latency");
		assert_non_null(f);
		assert_int_not_equal(f->level, LEVEL_OK);
		/* no dump: crit */
		assert_int_equal(find(s, i, "dumps.latest")->level,
		    LEVEL_CRIT);
	}
	assert_int_equal(find(s, 0, "service.app")->level, LEVEL_OK);
	f = find(s, 1, "service.app");
	assert_int_equal(f->level, LEVEL_CRIT);
	assert_non_null(strstr(f->value, "exit 3"));
	assert_int_equal(facts_find(&s->pair, "pair.env")->level, LEVEL_OK);
	assert_int_equal(facts_find(&s->pair, "pair.split_brain")->level,
	    LEVEL_OK);
	assert_int_equal(facts_find(&s->pair, "pair.storage")->level,
	    LEVEL_OK);
	hub_release(h, s);
	hub_free(h);
	config_free(c);
}

static void
test_hung_host(void **state)
{
	struct config *c = make_config("sleep 30");
	struct hub *h = new_hub(c);
	struct err e = { "" };
	const struct snapshot *s;
	int64_t t0 = clock_mono_ms(), took;
	size_t i, unknown = 0;

	assert_int_equal(poller_round(c, h, &e), 0);
	took = clock_mono_ms() - t0;
	assert_true(took <= poller_round_budget_ms(c) + 1000);
	s = hub_acquire(h);
	/* the primary is untouched by the backup's hang */
	assert_int_equal(find(s, 0, "service.app")->level, LEVEL_OK);
	assert_int_equal(find(s, 0, "env.sha256")->level, LEVEL_OK);
	/* the backup's batch was killed at its budget: what it printed
	 * before (the hashes) stands, the hung item is unknown */
	for (i = 0; i < s->hosts[1].facts.n; i++)
		if (s->hosts[1].facts.v[i].level == LEVEL_UNKNOWN)
			unknown++;
	assert_int_equal(find(s, 1, "service.app")->level, LEVEL_UNKNOWN);
	assert_non_null(strstr(find(s, 1, "service.app")->detail,
	    "timed out"));
	assert_int_equal(find(s, 1, "env.sha256")->level, LEVEL_OK);
	assert_true(unknown >= 1);
	assert_int_equal(facts_find(&s->pair, "pair.env")->level, LEVEL_OK);
	hub_release(h, s);
	hub_free(h);
	if (poller_detached() == 0)
		config_free(c);
}

static void
test_long_lived(void **state)
{
	struct config *c = make_config("exit 0");
	struct hub *h = new_hub(c);
	struct poller *p = NULL;
	struct err e = { "" };
	const struct snapshot *s;
	uint64_t seq0;
	int64_t until;
	struct pollfd pf;

	assert_int_equal(poller_start(c, h, &p, &e), 0);
	/* first rounds: both hosts and the pair (2 host + 2 pair publishes) */
	until = clock_mono_ms() + 8000;
	for (;;) {
		s = hub_acquire(h);
		seq0 = s->seq;
		if (s->hosts[0].facts.n > 0 && s->hosts[1].facts.n > 0 &&
		    s->pair.n > 0) {
			hub_release(h, s);
			break;
		}
		hub_release(h, s);
		assert_true(clock_mono_ms() < until);
		pf.fd = hub_wake_fd(h);
		pf.events = POLLIN;
		poll(&pf, 1, 100);
		hub_drain_wake(h);
	}
	poller_refresh(p);
	until = clock_mono_ms() + 5000;
	for (;;) {
		s = hub_acquire(h);
		if (s->seq >= seq0 + 4) {
			hub_release(h, s);
			break;
		}
		hub_release(h, s);
		assert_true(clock_mono_ms() < until);
		usleep(20000);
	}
	poller_stop(p);
	hub_free(h);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_hung_host),
		cmocka_unit_test(test_long_lived),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
