/*
 * test_state.c: the host state file and the lock file: parse, format,
 * defaults, malformed input; read / write / take / release through the
 * local transport in a scratch folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "job-common.h"
#include "os.h"
#include "state.h"
#include "transport.h"
#include "xmalloc.h"

static const char full_state[] =
    "{\"version\":1, \"role\":\"standby\", \"epoch\":3,"
    " \"updated_at\":\"2026-11-25T09:00:12Z\","
    " \"updated_by\":\"alice@ops\", \"fenced\":false,"
    " \"last_restore\":{\"dump\":\"rabspocdb_2026-11-25_09-00.dump\","
    "   \"data_time\":\"2026-11-25T09:00:05.250Z\","
    "   \"at\":\"2026-11-25T09:10:40Z\", \"result\":\"ok\","
    "   \"duration_ms\":4210, \"switch_ms\":31,"
    "   \"ok_at\":\"2026-11-25T09:10:40Z\"}}";

static void
test_parse_full(void **unused)
{
	struct host_state st;
	struct err e = { "" };
	int64_t t;

	assert_int_equal(state_parse(full_state, strlen(full_state), &st,
	    &e), 0);
	assert_int_equal(st.role, HOST_ROLE_STANDBY);
	assert_int_equal(st.epoch, 3);
	assert_int_equal(job_parse_iso_time("2026-11-25T09:00:12Z", &t), 0);
	assert_int_equal(st.updated_at, t);
	assert_string_equal(st.updated_by, "alice@ops");
	assert_false(st.fenced);
	assert_string_equal(st.restore_dump,
	    "rabspocdb_2026-11-25_09-00.dump");
	assert_int_equal(st.restore_data_time % 1000, 250);
	assert_string_equal(st.restore_result, "ok");
	assert_int_equal(st.restore_duration_ms, 4210);
	assert_int_equal(st.restore_switch_ms, 31);
	assert_int_equal(st.restore_ok_at, st.restore_at);
	host_state_free(&st);
}

static void
test_roundtrip(void **unused)
{
	struct host_state a, b;
	struct err e = { "" };
	char *s, *s2;

	assert_int_equal(state_parse(full_state, strlen(full_state), &a,
	    &e), 0);
	a.role = HOST_ROLE_ACTIVE;
	a.epoch = 4;
	a.fenced = 1;
	s = state_format(&a);
	assert_int_equal(state_parse(s, strlen(s), &b, &e), 0);
	assert_int_equal(b.role, HOST_ROLE_ACTIVE);
	assert_int_equal(b.epoch, 4);
	assert_true(b.fenced);
	assert_int_equal(b.updated_at, a.updated_at);
	assert_int_equal(b.restore_data_time, a.restore_data_time);
	assert_int_equal(b.restore_at, a.restore_at);
	assert_int_equal(b.restore_ok_at, a.restore_ok_at);
	assert_string_equal(b.restore_dump, a.restore_dump);
	s2 = state_format(&b);
	assert_string_equal(s, s2);
	free(s);
	free(s2);
	host_state_free(&a);
	host_state_free(&b);
}

static void
test_minimal_and_defaults(void **unused)
{
	struct host_state st;
	struct host_cfg h;
	struct err e = { "" };
	const char *j = "{\"role\":\"primary\"}";
	char *s;

	assert_int_equal(state_parse(j, strlen(j), &st, &e), 0);
	assert_int_equal(st.role, HOST_ROLE_PRIMARY);
	assert_int_equal(st.epoch, 0);
	assert_null(st.restore_dump);
	assert_int_equal(st.restore_at, 0);
	s = state_format(&st);
	assert_non_null(strstr(s, "\"last_restore\":\tnull"));
	free(s);
	host_state_free(&st);

	memset(&h, 0, sizeof h);
	h.kind = HOST_KIND_BACKUP;
	host_state_default(&h, &st);
	assert_int_equal(st.role, HOST_ROLE_STANDBY);
	assert_int_equal(st.epoch, 0);
	h.kind = HOST_KIND_PRIMARY;
	host_state_default(&h, &st);
	assert_int_equal(st.role, HOST_ROLE_PRIMARY);
}

static void
test_malformed(void **unused)
{
	static const struct {
		const char *json, *expect;
	} bad[] = {
		{ "", "not a JSON object" },
		{ "[1,2]", "not a JSON object" },
		{ "{\"role\":\"standby\"", "not a JSON object" },
		{ "{}", "role" },
		{ "{\"role\":7}", "role" },
		{ "{\"role\":\"boss\"}", "boss" },
		{ "{\"role\":\"standby\",\"version\":2}", "version 2" },
		{ "{\"role\":\"standby\",\"epoch\":-1}", "epoch" },
		{ "{\"role\":\"standby\",\"epoch\":1.5}", "epoch" },
		{ "{\"role\":\"standby\",\"epoch\":\"3\"}", "epoch" },
		{ "{\"role\":\"standby\",\"updated_at\":\"yesterday\"}",
		  "updated_at" },
		{ "{\"role\":\"standby\",\"fenced\":1}", "fenced" },
		{ "{\"role\":\"standby\",\"last_restore\":5}",
		  "last_restore" },
		{ "{\"role\":\"standby\",\"last_restore\":{\"dump\":5}}",
		  "last_restore.dump" },
		{ "{\"role\":\"standby\",\"last_restore\":"
		  "{\"at\":\"2026-13-01T00:00:00Z\"}}", "last_restore.at" },
		{ "{\"role\":\"standby\",\"last_restore\":"
		  "{\"duration_ms\":-5}}", "last_restore.duration_ms" },
	};
	struct host_state st;
	struct err e;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_clear(&e);
		assert_int_equal(state_parse(bad[i].json, strlen(bad[i].json),
		    &st, &e), -1);
		if (strstr(e.msg, bad[i].expect) == NULL)
			fail_msg("%s: message '%s' lacks '%s'", bad[i].json,
			    e.msg, bad[i].expect);
	}
	/* Length is honoured: a valid prefix cut short is malformed. */
	assert_int_equal(state_parse(full_state, 20, &st, &e), -1);
}

static void
test_roles(void **unused)
{
	enum host_role r;

	assert_string_equal(host_role_name(HOST_ROLE_ACTIVE), "active");
	assert_string_equal(host_role_name((enum host_role)9), "unknown");
	assert_int_equal(host_role_parse("standby", &r), 0);
	assert_int_equal(r, HOST_ROLE_STANDBY);
	assert_int_equal(host_role_parse("Standby", &r), -1);
	assert_int_equal(host_role_parse(NULL, &r), -1);
}

static void
test_lock_parse_format(void **unused)
{
	const char *j = "{\"owner\":\"bob@ops\",\"pid\":4242,"
	    "\"machine\":\"ops\",\"what\":\"failover\","
	    "\"since\":\"2026-11-25T09:00:12Z\"}";
	struct host_lock l, l2;
	struct err e = { "" };
	char *s, buf[256];

	assert_int_equal(lock_parse(j, strlen(j), &l, &e), 0);
	assert_true(l.held);
	assert_string_equal(l.owner, "bob@ops");
	assert_int_equal(l.pid, 4242);
	assert_string_equal(l.what, "failover");
	s = lock_format(&l);
	assert_int_equal(lock_parse(s, strlen(s), &l2, &e), 0);
	assert_int_equal(l2.since, l.since);
	assert_string_equal(l2.machine, "ops");
	lock_describe(&l, buf, sizeof buf);
	assert_non_null(strstr(buf, "bob@ops"));
	assert_non_null(strstr(buf, "pid 4242 on ops"));
	assert_non_null(strstr(buf, "failover"));
	free(s);
	host_lock_free(&l);
	host_lock_free(&l2);

	assert_int_equal(lock_parse("{}", 2, &l, &e), -1);
	assert_non_null(strstr(e.msg, "owner"));
	assert_int_equal(lock_parse("{\"owner\":\"a\",\"pid\":\"x\"}", 24,
	    &l, &e), -1);
	assert_non_null(strstr(e.msg, "pid"));
	assert_int_equal(lock_parse("nope", 4, &l, &e), -1);
	assert_int_equal(lock_parse("{\"owner\":\"a\",\"since\":\"x\"}", 25,
	    &l, &e), -1);
	assert_non_null(strstr(e.msg, "since"));
}

static void
test_lock_stale(void **unused)
{
	struct host_lock l;
	pid_t child;
	int status;

	memset(&l, 0, sizeof l);
	l.held = 1;
	l.owner = xstrdup(os_actor());
	l.machine = xstrdup(os_hostname());
	l.pid = (long)getpid();
	assert_false(lock_is_stale(&l));
	assert_true(lock_is_mine(&l));
	/* A pid that is surely gone: a child that exited and was reaped. */
	child = fork();
	if (child == 0)
		_exit(0);
	assert_true(child > 0);
	waitpid(child, &status, 0);
	l.pid = (long)child;
	assert_true(lock_is_stale(&l));
	assert_false(lock_is_mine(&l));
	/* Another machine: never called stale. */
	free(l.machine);
	l.machine = xstrdup("some-other-machine.invalid");
	assert_false(lock_is_stale(&l));
	host_lock_free(&l);
}

/* A local host whose state folder is a fresh scratch folder. */
struct scratch {
	char	 dir[64];
	struct host_cfg h;
	struct transport *t;
};

static int
scratch_setup(void **state)
{
	struct scratch *s = xcalloc(1, sizeof *s);
	struct err e = { "" };

	snprintf(s->dir, sizeof s->dir, "/tmp/drdeck-test-state-XXXXXX");
	if (mkdtemp(s->dir) == NULL)
		return -1;
	s->h.name = "backup";
	s->h.kind = HOST_KIND_BACKUP;
	s->h.os = HOST_OS_LINUX;
	s->h.transport = HOST_TRANSPORT_LOCAL;
	s->h.shell = HOST_SHELL_SH;
	s->h.address = "";
	s->h.state = xasprintf("%s/state", s->dir);
	if (transport_open(&s->h, 5000, &s->t, &e) != 0) {
		fprintf(stderr, "transport_open: %s\n", e.msg);
		return -1;
	}
	*state = s;
	return 0;
}

static int
scratch_teardown(void **state)
{
	struct scratch *s = *state;
	char *cmd = xasprintf("rm -rf '%s'", s->dir);

	transport_close(s->t);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", s->dir);
	free(cmd);
	free(s->h.state);
	free(s);
	return 0;
}

static void
test_state_read_write(void **state)
{
	struct scratch *s = *state;
	struct host_state st, back;
	struct err e = { "" };
	struct stat sb;
	char *path;
	FILE *f;

	/* Missing file: the configured kind at epoch 0. */
	assert_int_equal(state_read(s->t, &st, 5000, &e), 0);
	assert_int_equal(st.role, HOST_ROLE_STANDBY);
	assert_int_equal(st.epoch, 0);
	st.epoch = 7;
	st.restore_dump = xstrdup("rabspocdb_2026-11-25_09-00.dump");
	st.restore_at = clock_wall_ms();
	st.restore_result = xstrdup("ok");
	assert_int_equal(state_write(s->t, &st, 5000, &e), 0);
	path = xasprintf("%s/state.json", s->h.state);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(state_read(s->t, &back, 5000, &e), 0);
	assert_int_equal(back.epoch, 7);
	assert_string_equal(back.restore_dump, st.restore_dump);
	host_state_free(&back);
	host_state_free(&st);

	/* Malformed: an error naming the host and the file. */
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"role\":", f);
	fclose(f);
	assert_int_equal(state_read(s->t, &back, 5000, &e), -1);
	assert_non_null(strstr(e.msg, "backup"));
	assert_non_null(strstr(e.msg, path));
	assert_non_null(strstr(e.msg, "malformed"));
	free(path);
}

static void
test_lock_take_release(void **state)
{
	struct scratch *s = *state;
	struct host_lock l;
	struct err e = { "" };
	char *path, *json;
	int64_t t0;
	FILE *f;

	assert_int_equal(lock_read(s->t, &l, 5000, &e), 0);
	assert_false(l.held);
	assert_int_equal(lock_take(s->t, "backup", 0, 0, 5000, &e), 0);
	assert_int_equal(lock_read(s->t, &l, 5000, &e), 0);
	assert_true(l.held);
	assert_true(lock_is_mine(&l));
	assert_string_equal(l.what, "backup");
	host_lock_free(&l);
	/* Taking it again from the same process is fine (re-entrant). */
	assert_int_equal(lock_take(s->t, "restore", 0, 0, 5000, &e), 0);
	assert_int_equal(lock_release(s->t, 5000, &e), 0);
	assert_int_equal(lock_read(s->t, &l, 5000, &e), 0);
	assert_false(l.held);

	/* Someone else holds it: wait, then fail naming the holder. */
	path = xasprintf("%s/lock.json", s->h.state);
	json = xasprintf("{\"owner\":\"carol@elsewhere\",\"pid\":1,"
	    "\"machine\":\"elsewhere.invalid\",\"what\":\"failover\","
	    "\"since\":\"2026-11-25T09:00:12Z\"}");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(json, f);
	fclose(f);
	t0 = clock_mono_ms();
	assert_int_equal(lock_take(s->t, "backup", 700, 0, 5000, &e), -1);
	assert_true(clock_mono_ms() - t0 >= 650);
	assert_non_null(strstr(e.msg, "carol@elsewhere"));
	assert_non_null(strstr(e.msg, "failover"));
	/* Releasing someone else's lock is refused; it stays. */
	assert_int_equal(lock_release(s->t, 5000, &e), -1);
	assert_non_null(strstr(e.msg, "carol@elsewhere"));
	assert_int_equal(access(path, F_OK), 0);
	/* Takeover when asked. */
	assert_int_equal(lock_take(s->t, "failover", 0, 1, 5000, &e), 0);
	assert_int_equal(lock_read(s->t, &l, 5000, &e), 0);
	assert_true(lock_is_mine(&l));
	host_lock_free(&l);
	assert_int_equal(lock_release(s->t, 5000, &e), 0);

	/* A lock freed while we wait is taken. */
	f = fopen(path, "w");
	fputs(json, f);
	fclose(f);
	if (fork() == 0) {
		usleep(400 * 1000);
		unlink(path);
		_exit(0);
	}
	assert_int_equal(lock_take(s->t, "backup", 5000, 0, 5000, &e), 0);
	wait(NULL);
	assert_int_equal(lock_release(s->t, 5000, &e), 0);

	/* A malformed lock file is an error, not a free lock. */
	f = fopen(path, "w");
	fputs("garbage", f);
	fclose(f);
	assert_int_equal(lock_take(s->t, "backup", 0, 0, 5000, &e), -1);
	assert_non_null(strstr(e.msg, "malformed"));
	unlink(path);
	free(json);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_full),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_minimal_and_defaults),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_lock_parse_format),
		cmocka_unit_test(test_lock_stale),
		cmocka_unit_test_setup_teardown(test_state_read_write,
		    scratch_setup, scratch_teardown),
		cmocka_unit_test_setup_teardown(test_lock_take_release,
		    scratch_setup, scratch_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
