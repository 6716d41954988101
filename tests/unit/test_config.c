/*
 * test_config.c: the config loader: the example and lab files, defaults,
 * the value parsers, and malformed input (truncated JSON, wrong types,
 * numbers out of range, non-UTF-8, NUL bytes, deep nesting, empty files,
 * odd names, unknown and missing keys, many errors in one run, file mode).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config.h"
#include "xmalloc.h"

/* Two hosts, only what is required. */
#define MIN_HOSTS \
	"\"hosts\": [" \
	"{\"name\": \"primary\", \"kind\": \"primary\", \"address\": " \
	"\"10.0.0.1\", \"paths\": {\"dumps\": \"/var/dumps\"}}," \
	"{\"name\": \"backup\", \"kind\": \"backup\", \"address\": " \
	"\"10.0.0.2\", \"paths\": {\"dumps\": \"/var/dumps\"}}]"
#define MINIMAL "{\"pair\": \"p\", " MIN_HOSTS "}"

struct run {
	int	 rc;
	struct config *c;
	struct err e;
	char	*diag;		/* everything written to diag */
	size_t	 diag_len;
};

static void
run_buf(struct run *r, const char *data, size_t len)
{
	FILE *f;

	memset(r, 0, sizeof *r);
	f = open_memstream(&r->diag, &r->diag_len);
	assert_non_null(f);
	r->rc = config_load_buffer("t.json", data, len, &r->c, f, &r->e);
	fclose(f);
}

static void
run_str(struct run *r, const char *json)
{
	run_buf(r, json, strlen(json));
}

static void
run_free(struct run *r)
{
	config_free(r->c);
	free(r->diag);
	memset(r, 0, sizeof *r);
}

static int
lines_with(const char *text, const char *needle)
{
	int n = 0;
	const char *p = text, *nl;

	while (p != NULL && *p != '\0') {
		nl = strchr(p, '\n');
		{
			size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
			char *line = xstrndup(p, len);

			if (strstr(line, needle) != NULL)
				n++;
			free(line);
		}
		p = nl != NULL ? nl + 1 : NULL;
	}
	return n;
}

#define assert_diag(r, s) do { \
	if (strstr((r)->diag, (s)) == NULL) \
		fail_msg("diag lacks \"%s\":\n%s", (s), (r)->diag); \
} while (0)

static char *
src_path(const char *rel)
{
	const char *src = getenv("DRDECK_SRC");

	return xasprintf("%s/%s", src != NULL ? src : ".", rel);
}

/* A fresh temporary folder. */
static char *
tmp_dir(void)
{
	char tmpl[] = "/tmp/drdeck-test-config-XXXXXX";

	assert_non_null(mkdtemp(tmpl));
	return xstrdup(tmpl);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void
rm_rf(const char *dir)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
}

/* ---------------------------------------------------------------- */

static void
test_example_loads(void **state)
{
	char *path = src_path("config/rabs.example.json");
	struct config *c = NULL;
	struct err e = { "" };
	const struct host_cfg *p, *b;
	char *want;

	assert_int_equal(config_load(path, &c, NULL, &e), 0);
	assert_string_equal(c->pair, "rabs");
	assert_int_equal(c->n_hosts, 2);
	p = config_primary(c);
	b = config_backup(c);
	assert_non_null(p);
	assert_non_null(b);
	assert_string_equal(p->name, "primary");
	assert_string_equal(b->name, "backup");
	assert_ptr_equal(config_host(c, "backup"), b);
	assert_null(config_host(c, "nope"));
	assert_int_equal(p->os, HOST_OS_WINDOWS);
	assert_int_equal(p->shell, HOST_SHELL_POWERSHELL);
	assert_int_equal(p->transport, HOST_TRANSPORT_SSH);
	assert_string_equal(p->pg.dbname, "rabspocdb");
	assert_string_equal(p->dumps, "C:\\Backups\\db");
	assert_int_equal(p->storage.n, 2);
	assert_int_equal(p->n_services, 2);
	assert_string_equal(p->services[0].name, "RABS-Backend");
	assert_int_equal(p->services[0].start.n, 2);
	assert_string_equal(p->services[0].start.v[0], "Start-Service");
	assert_string_equal(p->services[0].start.v[1], "RABS-Backend");
	assert_string_equal(p->services[0].stop.v[0], "Stop-Service");
	assert_string_equal(p->services[0].status.v[0], "Get-Service");
	assert_int_equal(c->th.rpo, 3 * 3600);
	assert_int_equal(c->th.warn_pct, 80);
	assert_int_equal(c->th.min_disk_free, 5ULL << 30);
	assert_int_equal(c->schedule.daytime_every, 3 * 3600);
	assert_int_equal(c->schedule.restore_stagger, 600);
	assert_int_equal(c->schedule.nightly_backup, 0);
	assert_int_equal(c->schedule.nightly_restore, 30);
	assert_int_equal(c->schedule.daytime_end, 24 * 60);
	assert_int_equal(c->drill.interval, 30 * 86400);
	assert_int_equal(c->journal_max, 16ULL << 20);
	/* the manifest, relative to the config's folder */
	want = src_path("config/pg_extensions.json");
	assert_string_equal(c->manifest.path, want);
	assert_int_equal(c->manifest.required_server_major, 16);
	assert_int_equal(c->manifest.n_ext, 2);
	assert_string_equal(c->manifest.ext[0].name, "pgcrypto");
	assert_string_equal(c->manifest.ext[0].min_version, "1.3");
	assert_string_equal(c->manifest.ext[1].name, "citext");
	assert_string_equal(c->manifest.ext[1].min_version, "1.6");
	free(want);
	config_free(c);
	free(path);
}

static void
test_lab_shape_loads(void **state)
{
	char *path = src_path("tests/unit/data/config/lab.json");
	struct config *c = NULL;
	struct err e = { "" };
	const struct host_cfg *b;

	assert_int_equal(config_load(path, &c, NULL, &e), 0);
	b = config_backup(c);
	assert_string_equal(b->address, "127.0.10.2");
	assert_int_equal(b->ssh.port, 2222);
	assert_false(b->ssh.agent);
	assert_int_equal(b->shell, HOST_SHELL_SH);
	/* explicit service argv wins over the defaults */
	assert_int_equal(b->services[1].stop.n, 2);
	assert_string_equal(b->services[1].stop.v[1], "stop");
	assert_int_equal(c->drill.duration, 30);
	assert_int_equal(c->cutover_to_backup.n, 6);
	assert_int_equal(c->manifest.required_server_major, 15);
	assert_null(c->manifest.ext[1].min_version);
	assert_string_equal(c->state_dir, "/var/lib/drdeck-lab/console/state");
	assert_string_equal(c->journal,
	    "/var/lib/drdeck-lab/console/state/journal.jsonl");
	config_free(c);
	free(path);
}

static void
test_defaults(void **state)
{
	struct run r;
	const struct host_cfg *h;
	char *want;

	setenv("HOME", "/home/op", 1);
	setenv("XDG_STATE_HOME", "/xdg/state", 1);
	run_str(&r, "{\"pair\": \"p\", \"hosts\": ["
	    "{\"name\": \"primary\", \"kind\": \"primary\", \"address\": "
	    "\"h1\", \"paths\": {\"dumps\": \"/d\"}, \"services\": "
	    "[{\"name\": \"app\"}]},"
	    "{\"name\": \"backup\", \"kind\": \"backup\", \"os\": "
	    "\"windows\", \"address\": \"h2\", \"paths\": {\"dumps\": "
	    "\"C:\\\\d\"}, \"services\": [{\"name\": \"RABS-Backend\", "
	    "\"start\": [\"net\", \"start\", \"RABS-Backend\"]}]}]}");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.diag, "");
	assert_int_equal(r.c->poll_interval, 10);
	assert_int_equal(r.c->probe_timeout, 5);
	assert_int_equal(r.c->lock_wait, 600);
	assert_int_equal(r.c->watch, 300);
	assert_int_equal(r.c->journal_keep, 5);
	assert_int_equal(r.c->journal_max, 16ULL << 20);
	assert_string_equal(r.c->state_dir, "/xdg/state/drdeck");
	assert_string_equal(r.c->journal, "/xdg/state/drdeck/journal.jsonl");
	assert_int_equal(r.c->th.rpo, 10800);
	assert_int_equal(r.c->th.warn_pct, 80);
	assert_int_equal(r.c->th.min_disk_free, 1ULL << 30);
	assert_true(r.c->th.dump_size_factor == 2.0);
	assert_int_equal(r.c->th.storage_lag, 900);
	assert_int_equal(r.c->th.clock_skew, 30);
	assert_int_equal(r.c->th.restore_row_pct, 50);
	assert_int_equal(r.c->th.part_age, 3600);
	assert_int_equal(r.c->schedule.daytime_every, 10800);
	assert_int_equal(r.c->schedule.daytime_start, 0);
	assert_int_equal(r.c->schedule.daytime_end, 1440);
	assert_int_equal(r.c->schedule.restore_stagger, 600);
	assert_int_equal(r.c->schedule.nightly_backup, 0);
	assert_int_equal(r.c->schedule.nightly_restore, 30);
	assert_int_equal(r.c->schedule.keep_daytime, 8);
	assert_int_equal(r.c->schedule.keep_nightly, 7);
	assert_int_equal(r.c->drill.duration, 900);
	assert_int_equal(r.c->drill.target_rto, 3600);
	assert_int_equal(r.c->drill.interval, 30 * 86400);
	assert_int_equal(r.c->cutover_to_backup.n, 0);
	assert_null(r.c->manifest.path);
	assert_null(r.c->public_url);

	h = config_primary(r.c);
	assert_int_equal(h->os, HOST_OS_LINUX);
	assert_int_equal(h->shell, HOST_SHELL_SH);
	assert_int_equal(h->transport, HOST_TRANSPORT_SSH);
	assert_int_equal(h->ssh.port, 22);
	assert_true(h->ssh.agent);
	assert_string_equal(h->ssh.known_hosts, "/home/op/.ssh/known_hosts");
	assert_non_null(h->ssh.user);
	assert_null(h->ssh.identity);
	assert_int_equal(h->ssh.connect_timeout, 10);
	assert_int_equal(h->ssh.keepalive, 15);
	assert_string_equal(h->pg.host, "localhost");
	assert_int_equal(h->pg.port, 5432);
	assert_string_equal(h->pg.dbname, "rabspocdb");
	assert_string_equal(h->pg.user, "postgres");
	assert_false(h->pg.tunnel);
	assert_int_equal(h->pg.connect_timeout, 5);
	assert_null(h->pg.bindir);
	assert_string_equal(h->services[0].start.v[0], "systemctl");
	assert_string_equal(h->services[0].start.v[1], "start");
	assert_string_equal(h->services[0].stop.v[1], "stop");
	assert_int_equal(h->services[0].status.n, 4);
	assert_string_equal(h->services[0].status.v[1], "is-active");
	assert_string_equal(h->services[0].status.v[2], "--quiet");
	assert_string_equal(h->services[0].status.v[3], "app");

	h = config_backup(r.c);
	assert_int_equal(h->shell, HOST_SHELL_POWERSHELL);
	assert_string_equal(h->services[0].start.v[0], "net");
	assert_string_equal(h->services[0].stop.v[0], "Stop-Service");
	assert_string_equal(h->services[0].stop.v[1], "RABS-Backend");
	assert_string_equal(h->services[0].status.v[0], "Get-Service");
	run_free(&r);

	unsetenv("XDG_STATE_HOME");
	run_str(&r, MINIMAL);
	assert_int_equal(r.rc, 0);
	want = xstrdup("/home/op/.local/state/drdeck");
	assert_string_equal(r.c->state_dir, want);
	free(want);
	run_free(&r);
}

static void
test_durations(void **state)
{
	static const struct { const char *s; int64_t v; } good[] = {
		{ "3h", 10800 }, { "90m", 5400 }, { "45s", 45 },
		{ "1h30m", 5400 }, { "2d", 172800 }, { "1d12h", 129600 },
		{ "100", 100 }, { "0s", 0 }, { "1w", 604800 },
		{ "1h0m5s", 3605 }, { "3H", 10800 },
	};
	static const char *const bad[] = {
		"", "h", "3", "3x", "3 h", "-3h", "1m1h", "1h1h", "3h5",
		"1.5h", "99999999999999999999s", "36600d1s", "h3", " 3h",
	};
	struct err e = { "" };
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		v = -1;
		if (config_parse_duration(good[i].s, &v, &e) != 0)
			fail_msg("%s: %s", good[i].s, e.msg);
		assert_int_equal(v, good[i].v);
	}
	for (i = 3; i < sizeof bad / sizeof bad[0]; i++)
		if (config_parse_duration(bad[i], &v, &e) == 0)
			fail_msg("\"%s\" accepted as %lld", bad[i], (long long)v);
	assert_int_equal(config_parse_duration("", &v, &e), -1);
	assert_int_equal(config_parse_duration("h", &v, &e), -1);
	/* a bare number alone is seconds; "3" is fine */
	assert_int_equal(config_parse_duration("3", &v, &e), 0);
	assert_int_equal(v, 3);
}

static void
test_sizes_and_times(void **state)
{
	static const struct { const char *s; uint64_t v; } good[] = {
		{ "100", 100 }, { "5GiB", 5ULL << 30 }, { "512MiB", 512ULL << 20 },
		{ "2GB", 2000000000ULL }, { "10K", 10240 }, { "1 TiB", 1ULL << 40 },
		{ "0", 0 }, { "7b", 7 }, { "3gib", 3ULL << 30 },
	};
	static const char *const bad[] = {
		"", "GiB", "5XB", "-1", "1.5GiB", "99999999999TiB",
		"18446744073709551616",
	};
	static const struct { const char *s; int v; } times[] = {
		{ "00:00", 0 }, { "00:30", 30 }, { "23:59", 1439 },
		{ "24:00", 1440 }, { "09:05", 545 },
	};
	static const char *const badt[] = {
		"", "0:30", "24:01", "25:00", "12:60", "12-30", "12:3", "12:300",
		"ab:cd",
	};
	struct err e = { "" };
	uint64_t u;
	int m;
	size_t i;

	for (i = 0; i < sizeof good / sizeof good[0]; i++) {
		if (config_parse_size(good[i].s, &u, &e) != 0)
			fail_msg("%s: %s", good[i].s, e.msg);
		assert_int_equal(u, good[i].v);
	}
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		if (config_parse_size(bad[i], &u, &e) == 0)
			fail_msg("size \"%s\" accepted", bad[i]);
	for (i = 0; i < sizeof times / sizeof times[0]; i++) {
		if (config_parse_hhmm(times[i].s, &m, &e) != 0)
			fail_msg("%s: %s", times[i].s, e.msg);
		assert_int_equal(m, times[i].v);
	}
	for (i = 0; i < sizeof badt / sizeof badt[0]; i++)
		if (config_parse_hhmm(badt[i], &m, &e) == 0)
			fail_msg("time \"%s\" accepted", badt[i]);
}

static void
test_truncated_json(void **state)
{
	static const char text[] = "{\"pair\": \"p\",\n \"hosts\": [1, 2";
	struct run r;
	size_t n;

	run_str(&r, text);
	assert_int_equal(r.rc, -1);
	assert_null(r.c);
	assert_diag(&r, "t.json: line 2, column 16: malformed JSON");
	assert_non_null(strstr(r.e.msg, "t.json"));
	run_free(&r);

	/* every prefix of a valid file fails cleanly */
	for (n = 0; n < strlen(MINIMAL); n++) {
		run_buf(&r, MINIMAL, n);
		assert_int_equal(r.rc, -1);
		assert_null(r.c);
		run_free(&r);
	}
}

static void
test_line_and_column(void **state)
{
	struct run r;

	run_str(&r, "{\n  \"pair\": \"p\",\n  \"x\": tru\n}\n");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "line 3, column 8: malformed JSON near 'tru'");
	run_free(&r);
	/* columns count characters, not bytes */
	run_str(&r, "{\"pair\": \"\xc3\xa9\xc3\xa9\", x}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "line 1, column 17");
	run_free(&r);
	/* trailing garbage */
	run_str(&r, MINIMAL "\n}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "line 2, column 1: malformed JSON");
	run_free(&r);
}

static void
test_wrong_types(void **state)
{
	struct run r;

	run_str(&r, "{\"pair\": 5, \"poll_interval\": true, "
	    "\"thresholds\": [], \"schedule\": {\"keep_daytime\": \"8\", "
	    "\"nightly_backup\": 30}, \"cutover\": {\"to_backup\": "
	    "\"dns-swap\"}, \"drill\": {\"outage\": [\"x\", 1]}, "
	    "\"hosts\": {}}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "t.json: pair: expected a non-empty string, got the "
	    "number 5");
	assert_diag(&r, "t.json: poll_interval: expected a duration");
	assert_diag(&r, "t.json: thresholds: expected an object, got an array");
	assert_diag(&r, "t.json: schedule.keep_daytime: expected an integer "
	    "in 1..10000, got the string \"8\"");
	assert_diag(&r, "t.json: schedule.nightly_backup: expected a time of "
	    "day");
	assert_diag(&r, "t.json: cutover.to_backup: expected an array of "
	    "strings");
	assert_diag(&r, "t.json: drill.outage[1]: expected a string");
	assert_diag(&r, "t.json: hosts: expected an array of objects, got an "
	    "object");
	run_free(&r);

	run_str(&r, "{\"pair\": \"p\", \"hosts\": [\"primary\", null, "
	    "{\"name\": \"b\", \"kind\": \"backup\", \"address\": \"h\", "
	    "\"ssh\": 22, \"paths\": {\"dumps\": [\"/d\"]}, "
	    "\"services\": [{\"name\": \"s\", \"stop\": \"halt\"}, 3]}]}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "t.json: hosts[0]: expected an object");
	assert_diag(&r, "t.json: hosts[1]: expected an object");
	assert_diag(&r, "t.json: hosts[2].ssh: expected an object, got the "
	    "number 22");
	assert_diag(&r, "t.json: hosts[2].paths.dumps: expected a non-empty "
	    "string, got an array");
	assert_diag(&r, "t.json: hosts[2].services[0].stop: expected an "
	    "array of strings");
	assert_diag(&r, "t.json: hosts[2].services[1]: expected an object");
	run_free(&r);

	/* a container of the wrong type is one error, not one per key */
	run_str(&r, "{\"pair\": \"p\", " MIN_HOSTS ", \"schedule\": 5, "
	    "\"thresholds\": \"3h\"}");
	assert_int_equal(r.rc, -1);
	assert_int_equal(lines_with(r.diag, "t.json: "), 2);
	assert_diag(&r, "t.json: schedule: expected an object, got the "
	    "number 5");
	assert_diag(&r, "t.json: thresholds: expected an object, got the "
	    "string \"3h\"");
	run_free(&r);
}

static void
test_out_of_range(void **state)
{
	static const struct { const char *json; const char *diag; } cases[] = {
		{ "\"ssh\": {\"port\": 0}", "hosts[1].ssh.port: expected an "
		  "integer in 1..65535, got the number 0" },
		{ "\"ssh\": {\"port\": 65536}", "hosts[1].ssh.port: expected" },
		{ "\"ssh\": {\"port\": 22.5}", "hosts[1].ssh.port: expected" },
		{ "\"ssh\": {\"port\": 1e400}", "hosts[1].ssh.port: expected" },
		{ "\"ssh\": {\"port\": -1e400}", "hosts[1].ssh.port: expected" },
		{ "\"postgres\": {\"port\": 99999999999999999999}",
		  "hosts[1].postgres.port: expected" },
		{ "\"postgres\": {\"restore_jobs\": -1}",
		  "hosts[1].postgres.restore_jobs: expected an integer in "
		  "0..64" },
		{ "\"ssh\": {\"connect_timeout\": \"0s\"}",
		  "hosts[1].ssh.connect_timeout: expected a duration" },
		{ "\"ssh\": {\"connect_timeout\": \"2h\"}",
		  "hosts[1].ssh.connect_timeout: expected a duration" },
		{ "\"os\": \"Windows\"", "hosts[1].os: expected one of "
		  "\"linux\" or \"windows\"" },
		{ "\"shell\": \"bash\"", "hosts[1].shell: expected one of "
		  "\"sh\", \"powershell\" or \"cmd\"" },
		{ "\"transport\": \"telnet\"", "hosts[1].transport: expected" },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct run r;
		char *json = xasprintf("{\"pair\": \"p\", \"hosts\": ["
		    "{\"name\": \"primary\", \"kind\": \"primary\", "
		    "\"address\": \"h\", \"paths\": {\"dumps\": \"/d\"}},"
		    "{\"name\": \"backup\", \"kind\": \"backup\", "
		    "\"address\": \"h\", \"paths\": {\"dumps\": \"/d\"}, %s}]}",
		    cases[i].json);

		run_str(&r, json);
		if (r.rc != -1)
			fail_msg("accepted: %s", cases[i].json);
		assert_diag(&r, cases[i].diag);
		run_free(&r);
		free(json);
	}
}

static void
test_top_level_ranges(void **state)
{
	struct run r;

	run_str(&r, "{\"pair\": \"p\", " MIN_HOSTS ", \"thresholds\": "
	    "{\"warn_pct\": 0, \"dump_size_factor\": 0.5, \"rpo\": \"30s\", "
	    "\"min_disk_free\": -5}, \"schedule\": {\"daytime_start\": "
	    "\"08:00\", \"daytime_end\": \"06:00\", \"restore_stagger\": "
	    "\"4h\"}, \"journal\": {\"keep\": 0}}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "thresholds.warn_pct: expected an integer in 1..100");
	assert_diag(&r, "thresholds.dump_size_factor: expected a number in "
	    "1..100, got the number 0.5");
	assert_diag(&r, "thresholds.rpo: expected a duration");
	assert_diag(&r, "thresholds.min_disk_free: expected a size");
	assert_diag(&r, "schedule.daytime_end: expected a time after "
	    "schedule.daytime_start");
	assert_diag(&r, "schedule.restore_stagger: expected less than");
	assert_diag(&r, "journal.keep: expected an integer in 1..1000");
	run_free(&r);
}

static void
test_non_utf8(void **state)
{
	static const char *const bad[] = {
		"{\"pair\": \"\xff\"}",
		"{\"pair\": \"\xc0\xaf\"}",		/* overlong */
		"{\"pair\": \"\xed\xa0\x80\"}",		/* a surrogate */
		"{\"pair\": \"\xf4\x90\x80\x80\"}",	/* past U+10FFFF */
		"{\"pair\": \"\xe2\x82\"}",		/* cut short */
		"{\"pair\": \"x\"}\xc3",
	};
	size_t i;
	struct run r;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		run_str(&r, bad[i]);
		assert_int_equal(r.rc, -1);
		assert_diag(&r, "not UTF-8");
		assert_diag(&r, "line 1, column");
		run_free(&r);
	}
	/* a UTF-8 byte order mark is fine */
	run_str(&r, "\xef\xbb\xbf" MINIMAL);
	assert_int_equal(r.rc, 0);
	run_free(&r);
}

static void
test_nul_byte(void **state)
{
	static const char text[] = "{\"pair\": \"p\",\n \"x\": \"a\0b\"}";
	struct run r;

	run_buf(&r, text, sizeof text - 1);
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "line 2, column 9: a NUL byte");
	run_free(&r);
	/* NUL right after a complete file is still refused */
	run_buf(&r, MINIMAL "\0", sizeof MINIMAL);
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "a NUL byte");
	run_free(&r);
}

static void
test_nul_escape(void **state)
{
	struct run r;

	/* cJSON would cut "primary\u0000x" to "primary" */
	run_str(&r, "{\"pair\": \"p\",\n \"x\": \"a\\u0000b\"}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "line 2, column 9: the escape \\u0000");
	run_free(&r);
	/* an escaped backslash before u0000 is plain text */
	run_str(&r, "{\"pair\": \"a\\\\u0000\", " MIN_HOSTS "}");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.c->pair, "a\\u0000");
	run_free(&r);
}

static void
test_urls(void **state)
{
	static const struct { const char *json; const char *diag; } bad[] = {
		{ "\"public_url\": \"ftp://x/health\"", "public_url: expected "
		  "an http:// or https:// URL" },
		{ "\"public_url\": \"https://\"", "public_url: expected" },
		{ "\"public_url\": \"example.com/health\"", "public_url: "
		  "expected" },
		{ "\"alerts\": {\"smtp\": {\"url\": \"http://mail\"}}",
		  "alerts.smtp.url: expected an smtp:// or smtps:// URL" },
		{ "\"alerts\": {\"smtp\": {\"url\": "
		  "\"smtp://drdeck:s3cret@mail:587\"}}",
		  "alerts.smtp.url: holds a password" },
		{ "\"drill\": {\"login_url\": \"https://u:pw@app/login\"}",
		  "drill.login_url: holds a password" },
	};
	size_t i;
	struct run r;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char *json = xasprintf("{\"pair\": \"p\", " MIN_HOSTS ", %s}",
		    bad[i].json);

		run_str(&r, json);
		if (r.rc != -1)
			fail_msg("accepted: %s", bad[i].json);
		assert_diag(&r, bad[i].diag);
		run_free(&r);
		free(json);
	}
	run_str(&r, "{\"pair\": \"p\", " MIN_HOSTS ", \"public_url\": "
	    "\"https://rabs.example.com/health\", \"alerts\": {\"smtp\": "
	    "{\"url\": \"smtps://drdeck@mail.example.com:465\"}}, "
	    "\"drill\": {\"outage\": [\"cut\"]}}");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.c->alerts.smtp_url,
	    "smtps://drdeck@mail.example.com:465");
	assert_diag(&r, "t.json: warning: drill.heal: empty while "
	    "drill.outage is set");
	run_free(&r);
}

static void
test_deep_nesting(void **state)
{
	const size_t depth = 20000;
	char *text = xmalloc(2 * depth + 16);
	struct run r;
	size_t i, n = 0;

	/* [[[[...]]]] */
	for (i = 0; i < depth; i++)
		text[n++] = '[';
	for (i = 0; i < depth; i++)
		text[n++] = ']';
	run_buf(&r, text, n);
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "nested deeper than");
	run_free(&r);
	/* {"a":{"a":... as the value of a real key, unterminated */
	n = 0;
	memcpy(text, "{\"pair\":", 8);
	n = 8;
	for (i = 0; i < depth / 5; i++) {
		memcpy(text + n, "{\"a\":", 5);
		n += 5;
	}
	run_buf(&r, text, n);
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "line 1, column 164: nested deeper than 32 levels");
	run_free(&r);
	/* brackets inside strings do not count */
	n = (size_t)snprintf(text, 2 * depth, "{\"pair\": \"");
	for (i = 0; i < 100; i++)
		text[n++] = '[';
	n += (size_t)snprintf(text + n, 2 * depth - n, "\", " MIN_HOSTS "}");
	run_buf(&r, text, n);
	assert_int_equal(r.rc, 0);
	run_free(&r);
	free(text);
}

static void
test_empty_and_not_object(void **state)
{
	static const char *const cases[][2] = {
		{ "", "the file is empty" },
		{ " \n\t\r\n", "the file is empty" },
		{ "\xef\xbb\xbf", "the file is empty" },
		{ "[]", "expected a JSON object { ... } at the top" },
		{ "\"pair\"", "expected a JSON object" },
		{ "null", "expected a JSON object" },
		{ "{}", "pair: missing" },
	};
	size_t i;
	struct run r;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run_str(&r, cases[i][0]);
		assert_int_equal(r.rc, -1);
		assert_diag(&r, cases[i][1]);
		run_free(&r);
	}
}

static void
test_odd_names(void **state)
{
	struct run r;
	const char *name = "pri mary \"quoted\" \xc3\xa9t\xc3\xa9 "
	    "\xe6\x9d\xb1\xe4\xba\xac";

	run_str(&r, "{\"pair\": \"it's a \\\"pair\\\"\", \"hosts\": ["
	    "{\"name\": \"pri mary \\\"quoted\\\" \xc3\xa9t\xc3\xa9 "
	    "\xe6\x9d\xb1\xe4\xba\xac\", \"kind\": \"primary\", "
	    "\"address\": \"h\", \"paths\": {\"dumps\": \"/my dumps/d'x\"}},"
	    "{\"name\": \"b\\u00e4ckup\", \"kind\": \"backup\", "
	    "\"address\": \"h\", \"paths\": {\"dumps\": \"/d\"}}]}");
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.c->pair, "it's a \"pair\"");
	assert_non_null(config_host(r.c, name));
	assert_non_null(config_host(r.c, "b\xc3\xa4" "ckup"));
	assert_string_equal(config_primary(r.c)->dumps, "/my dumps/d'x");
	run_free(&r);

	/* control characters would reach terminals and logs */
	run_str(&r, "{\"pair\": \"a\\nb\", \"hosts\": [{\"name\": "
	    "\"x\\u001b[31m\", \"kind\": \"primary\", \"address\": \"h\", "
	    "\"paths\": {\"dumps\": \"/d\"}}, {\"name\": \"y\", \"kind\": "
	    "\"backup\", \"address\": \"h\", \"paths\": {\"dumps\": \"/d\"}, "
	    "\"postgres\": {\"sanity\": [\"SELECT\\t1\"]}}]}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "t.json: pair: expected a string without control");
	assert_diag(&r, "t.json: hosts[0].name: expected a string without");
	assert_diag(&r, "t.json: hosts[1].postgres.sanity[0]: expected "
	    "strings without control");
	run_free(&r);
}

static void
test_unknown_keys_warn(void **state)
{
	struct run r;

	run_str(&r, "{\"pair\": \"p\", \"colour\": 1, \"thresholds\": "
	    "{\"rpo_minutes\": 180}, \"hosts\": ["
	    "{\"name\": \"primary\", \"kind\": \"primary\", \"address\": "
	    "\"h\", \"paths\": {\"dumps\": \"/d\"}},"
	    "{\"name\": \"backup\", \"kind\": \"backup\", \"address\": \"h\", "
	    "\"ssh\": {\"portt\": 22, \"x\\ny\": 1}, \"paths\": {\"dumps\": "
	    "\"/d\"}, \"services\": [{\"name\": \"s\", \"restart\": []}]}]}");
	assert_int_equal(r.rc, 0);
	assert_non_null(r.c);
	assert_diag(&r, "t.json: warning: colour: unknown key (ignored)");
	assert_diag(&r, "t.json: warning: thresholds.rpo_minutes: unknown");
	assert_diag(&r, "t.json: warning: hosts[1].ssh.portt: unknown");
	assert_diag(&r, "t.json: warning: hosts[1].ssh.x?y: unknown");
	assert_diag(&r, "t.json: warning: hosts[1].services[0].restart: "
	    "unknown");
	assert_int_equal(lines_with(r.diag, "warning"), 5);
	run_free(&r);
}

static void
test_missing_required(void **state)
{
	struct run r;

	run_str(&r, "{\"hosts\": [{\"kind\": \"primary\", \"address\": \"h\", "
	    "\"paths\": {}}, {\"name\": \"b\", \"address\": \"h\"}]}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "t.json: pair: missing; expected a non-empty string");
	assert_diag(&r, "t.json: hosts[0].name: missing");
	assert_diag(&r, "t.json: hosts[0].paths.dumps: missing");
	assert_diag(&r, "t.json: hosts[1].kind: missing; expected one of "
	    "\"primary\" or \"backup\"");
	assert_diag(&r, "t.json: hosts[1].paths: missing; expected an object");
	/* the child of a missing required object is not listed again */
	assert_int_equal(lines_with(r.diag, "hosts[1].paths.dumps"), 0);
	assert_diag(&r, "expected exactly one host of kind \"backup\", "
	    "found 0");
	run_free(&r);

	run_str(&r, "{\"pair\": \"p\"}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "t.json: hosts: missing; expected an array of "
	    "objects");
	run_free(&r);

	/* address: required with ssh, not with local */
	run_str(&r, "{\"pair\": \"p\", \"hosts\": [{\"name\": \"a\", "
	    "\"kind\": \"primary\", \"transport\": \"local\", \"paths\": "
	    "{\"dumps\": \"/d\"}}, {\"name\": \"b\", \"kind\": \"backup\", "
	    "\"paths\": {\"dumps\": \"/d\"}}]}");
	assert_int_equal(r.rc, -1);
	assert_int_equal(lines_with(r.diag, "address"), 1);
	assert_diag(&r, "t.json: hosts[1].address: missing; expected a host "
	    "name or IP address");
	run_free(&r);
}

static void
test_many_errors_one_run(void **state)
{
	char *path = src_path("tests/unit/data/config/broken.json");
	struct config *c = NULL;
	struct err e = { "" };
	char *diag = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&diag, &len);

	assert_int_equal(config_load(path, &c, f, &e), -1);
	fclose(f);
	assert_null(c);
	assert_non_null(strstr(e.msg, "broken.json: poll_interval: "));
	assert_non_null(strstr(e.msg, "(13 errors in all)"));
	assert_int_equal(lines_with(diag, "broken.json: "), 14);
	assert_int_equal(lines_with(diag, "warning: "), 1);
	assert_non_null(strstr(diag, "hosts[0].ssh.port: expected an integer "
	    "in 1..65535, got the number 70000"));
	assert_non_null(strstr(diag, "hosts[0].ssh.agent: expected true or "
	    "false"));
	assert_non_null(strstr(diag, "hosts[1].kind: expected one of"));
	assert_non_null(strstr(diag, "hosts[1].postgres.port: expected an "
	    "integer in 1..65535, got the string \"5432\""));
	assert_non_null(strstr(diag, "hosts[1].paths.dumps: missing"));
	assert_non_null(strstr(diag, "hosts[1].name: \"primary\" is already "
	    "the name of hosts[0]"));
	assert_non_null(strstr(diag, "manifest: cannot open"));
	assert_non_null(strstr(diag, "schedule.nightly_restore: expected a "
	    "time of day"));
	free(diag);
	free(path);
}

static void
test_hosts_rules(void **state)
{
	struct run r;

	run_str(&r, "{\"pair\": \"p\", \"hosts\": ["
	    "{\"name\": \"a\", \"kind\": \"primary\", \"address\": \"h\", "
	    "\"paths\": {\"dumps\": \"/d\"}, \"services\": [{\"name\": \"s\"}, "
	    "{\"name\": \"s\"}]},"
	    "{\"name\": \"a\", \"kind\": \"primary\", \"address\": \"h\", "
	    "\"paths\": {\"dumps\": \"/d\"}}]}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "hosts[1].name: \"a\" is already the name of hosts[0]");
	assert_diag(&r, "hosts: expected exactly one host of kind \"primary\", "
	    "found 2");
	assert_diag(&r, "hosts: expected exactly one host of kind \"backup\", "
	    "found 0");
	assert_diag(&r, "hosts[0].services[1].name: \"s\" is listed twice");
	run_free(&r);

	run_str(&r, "{\"pair\": \"p\", \"hosts\": []}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "kind \"primary\", found 0");
	run_free(&r);
}

static void
test_duplicate_keys(void **state)
{
	struct run r;

	run_str(&r, "{\"pair\": \"p\", \"pair\": \"q\", " MIN_HOSTS "}");
	assert_int_equal(r.rc, -1);
	assert_diag(&r, "t.json: pair: given more than once");
	run_free(&r);
}

static void
test_file_mode_warning(void **state)
{
	char *dir = tmp_dir();
	char *path = xasprintf("%s/c.json", dir);
	const char *with_id = "{\"pair\": \"p\", \"hosts\": ["
	    "{\"name\": \"a\", \"kind\": \"primary\", \"address\": \"h\", "
	    "\"ssh\": {\"identity\": \"~/.ssh/id\"}, \"paths\": {\"dumps\": "
	    "\"/d\"}}, {\"name\": \"b\", \"kind\": \"backup\", \"address\": "
	    "\"h\", \"paths\": {\"dumps\": \"/d\"}}]}";
	static const struct { mode_t mode; int id; int warns; } cases[] = {
		{ 0644, 1, 1 }, { 0640, 1, 1 }, { 0604, 1, 1 }, { 0600, 1, 0 },
		{ 0400, 1, 0 }, { 0644, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *c = NULL;
		struct err e = { "" };
		char *diag = NULL;
		size_t len = 0;
		FILE *f;

		write_file(path, cases[i].id ? with_id : MINIMAL,
		    cases[i].mode);
		f = open_memstream(&diag, &len);
		assert_int_equal(config_load(path, &c, f, &e), 0);
		fclose(f);
		assert_int_equal(lines_with(diag, "readable by others than "
		    "its owner"), cases[i].warns);
		config_free(c);
		free(diag);
	}
	free(path);
	rm_rf(dir);
	free(dir);
}

static void
test_manifest(void **state)
{
	char *dir = tmp_dir();
	char *sub = xasprintf("%s/etc", dir);
	char *cfg = xasprintf("%s/etc/drdeck.json", dir);
	char *man = xasprintf("%s/etc/ops/ext.json", dir);
	char *ops = xasprintf("%s/etc/ops", dir);
	char *full;
	static const struct { const char *text; int ok; int major;
	    const char *diag; } cases[] = {
		{ "{\"required_server_major\": \"16\", \"extensions\": "
		  "[{\"name\": \"pgcrypto\", \"min_version\": \"1.3\"}]}",
		  1, 16, NULL },
		{ "{\"required_server_major\": 15, \"extensions\": []}",
		  1, 15, NULL },
		{ "{\"required_server_major\": \"sixteen\", \"extensions\": "
		  "[]}", 0, 0, "ext.json: required_server_major: expected a "
		  "PostgreSQL major version" },
		{ "{\"required_server_major\": 16.5, \"extensions\": []}",
		  0, 0, "required_server_major: expected" },
		{ "{\"extensions\": [{\"min_version\": \"1\"}, 3]}", 0, 0,
		  "ext.json: extensions[0]: name: expected an extension name" },
		{ "{\"required_server_major\": \"16\", \"extensions\": [{"
		  "\"name\": \"citext\", \"min_version\": 1.6}]}", 0, 0,
		  "extensions[0]: min_version: expected a version string" },
		{ "{\"required_server_major\": \"16\"", 0, 0,
		  "ext.json: line 1, column 31: malformed JSON" },
		{ "", 0, 0, "ext.json: the file is empty" },
	};
	size_t i;

	assert_int_equal(mkdir(sub, 0700), 0);
	assert_int_equal(mkdir(ops, 0700), 0);
	write_file(cfg, "{\"pair\": \"p\", \"manifest\": \"ops/ext.json\", "
	    MIN_HOSTS "}", 0600);
	full = xasprintf("%s/etc/ops/ext.json", dir);
	/* run from another folder: the path is the config file's folder's */
	assert_int_equal(chdir("/"), 0);
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct config *c = NULL;
		struct err e = { "" };
		char *diag = NULL;
		size_t len = 0;
		FILE *f;
		int rc;

		write_file(man, cases[i].text, 0644);
		f = open_memstream(&diag, &len);
		rc = config_load(cfg, &c, f, &e);
		fclose(f);
		if (cases[i].ok) {
			if (rc != 0)
				fail_msg("case %zu: %s", i, diag);
			assert_string_equal(c->manifest.path, full);
			assert_int_equal(c->manifest.required_server_major,
			    cases[i].major);
		} else {
			assert_int_equal(rc, -1);
			if (strstr(diag, cases[i].diag) == NULL)
				fail_msg("case %zu lacks \"%s\":\n%s", i,
				    cases[i].diag, diag);
			assert_non_null(strstr(e.msg, "manifest"));
		}
		config_free(c);
		free(diag);
	}
	/* a manifest that is not there names the config's key */
	assert_int_equal(unlink(man), 0);
	{
		struct config *c = NULL;
		struct err e = { "" };

		assert_int_equal(config_load(cfg, &c, NULL, &e), -1);
		assert_non_null(strstr(e.msg, "drdeck.json: manifest: cannot "
		    "open"));
	}
	free(full);
	free(man);
	free(ops);
	free(cfg);
	free(sub);
	rm_rf(dir);
	free(dir);
}

static void
test_file_errors(void **state)
{
	char *dir = tmp_dir();
	char *big = xasprintf("%s/big.json", dir);
	struct config *c = NULL;
	struct err e = { "" };
	FILE *f;
	int i;

	assert_int_equal(config_load("/nonexistent/drdeck.json", &c, NULL,
	    &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/drdeck.json: cannot "
	    "open"));
	assert_int_equal(config_load(dir, &c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "not a regular file"));
	f = fopen(big, "w");
	assert_non_null(f);
	fputs("{\"pair\": \"", f);
	for (i = 0; i < 2 * 1024 * 1024; i++)
		fputc('x', f);
	fputs("\"}", f);
	fclose(f);
	assert_int_equal(config_load(big, &c, NULL, &e), -1);
	assert_non_null(strstr(e.msg, "expected at most"));
	assert_null(c);
	free(big);
	rm_rf(dir);
	free(dir);
}

static void
test_find(void **state)
{
	char *dir = tmp_dir();
	char *xdg = xasprintf("%s/xdg", dir);
	char *xdgd = xasprintf("%s/xdg/drdeck", dir);
	char *xcfg = xasprintf("%s/xdg/drdeck/config.json", dir);
	struct err e = { "" };
	char *p;

	assert_int_equal(chdir(dir), 0);
	unsetenv("DRDECK_CONFIG");
	setenv("XDG_CONFIG_HOME", xdg, 1);
	p = config_find("x.json", &e);
	assert_string_equal(p, "x.json");
	free(p);
	setenv("DRDECK_CONFIG", "env.json", 1);
	p = config_find(NULL, &e);
	assert_string_equal(p, "env.json");
	free(p);
	unsetenv("DRDECK_CONFIG");
	if (access("/etc/drdeck/config.json", F_OK) != 0) {
		assert_null(config_find(NULL, &e));
		assert_non_null(strstr(e.msg, "./drdeck.json"));
		assert_non_null(strstr(e.msg, xcfg));
		assert_non_null(strstr(e.msg, "/etc/drdeck/config.json"));
	}
	assert_int_equal(mkdir(xdg, 0700), 0);
	assert_int_equal(mkdir(xdgd, 0700), 0);
	write_file(xcfg, MINIMAL, 0600);
	p = config_find(NULL, &e);
	assert_string_equal(p, xcfg);
	free(p);
	write_file("drdeck.json", MINIMAL, 0600);
	p = config_find(NULL, &e);
	assert_string_equal(p, "drdeck.json");
	free(p);
	assert_int_equal(chdir("/"), 0);
	unsetenv("XDG_CONFIG_HOME");
	free(xcfg);
	free(xdgd);
	free(xdg);
	rm_rf(dir);
	free(dir);
}

static void
test_print(void **state)
{
	struct run r;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	run_str(&r, "{\"pair\": \"p \\\"q\\\"\", " MIN_HOSTS ", "
	    "\"thresholds\": {\"rpo\": \"90m\", \"min_disk_free\": "
	    "\"512MiB\"}}");
	assert_int_equal(r.rc, 0);
	f = open_memstream(&out, &len);
	config_print(r.c, f);
	fclose(f);
	assert_non_null(strstr(out, "pair = \"p \\\"q\\\"\"\n"));
	assert_non_null(strstr(out, "hosts[1].ssh.port = 22\n"));
	assert_non_null(strstr(out, "hosts[1].kind = \"backup\"\n"));
	assert_non_null(strstr(out, "thresholds.rpo = \"1h30m\"\n"));
	assert_non_null(strstr(out, "thresholds.min_disk_free = "
	    "\"512MiB\"\n"));
	assert_non_null(strstr(out, "schedule.nightly_restore = \"00:30\"\n"));
	assert_non_null(strstr(out, "thresholds.dump_size_factor = 2.0\n"));
	free(out);
	run_free(&r);
}

/* docs/config.md holds the schema table exactly as the code prints it. */
static void
test_doc_matches_schema(void **state)
{
	char *path = src_path("docs/config.md");
	char *table = NULL, *doc;
	size_t len = 0, n;
	FILE *f;

	f = open_memstream(&table, &len);
	config_schema_print(f);
	fclose(f);
	f = fopen(path, "r");
	if (f == NULL)
		fail_msg("cannot open %s", path);
	doc = xmalloc(1 << 20);
	n = fread(doc, 1, (1 << 20) - 1, f);
	doc[n] = '\0';
	fclose(f);
	if (strstr(doc, table) == NULL)
		fail_msg("docs/config.md does not hold the schema table of "
		    "`drdeck config check --schema`; regenerate it");
	free(doc);
	free(table);
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_example_loads),
		cmocka_unit_test(test_lab_shape_loads),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_sizes_and_times),
		cmocka_unit_test(test_truncated_json),
		cmocka_unit_test(test_line_and_column),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_top_level_ranges),
		cmocka_unit_test(test_non_utf8),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_nul_escape),
		cmocka_unit_test(test_urls),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_empty_and_not_object),
		cmocka_unit_test(test_odd_names),
		cmocka_unit_test(test_unknown_keys_warn),
		cmocka_unit_test(test_missing_required),
		cmocka_unit_test(test_many_errors_one_run),
		cmocka_unit_test(test_hosts_rules),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_file_mode_warning),
		cmocka_unit_test(test_manifest),
		cmocka_unit_test(test_file_errors),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_doc_matches_schema),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
