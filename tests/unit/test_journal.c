/*
 * test_journal.c: the journal's line format, parser (drdeck lines and the
 * runbook's log lines, malformed input of every kind), appends with fsync
 * and mode 0600, rotation without loss, and the backwards tail reader.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

#include "cli.h"
#include "journal.h"
#include "timefmt.h"
#include "xmalloc.h"

static char tmpdir[256];

static int
setup_dir(void **state)
{
	strcpy(tmpdir, "/tmp/drdeck-test-journal-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int
teardown_dir(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	assert_int_equal(system(cmd), 0);
	free(cmd);
	return 0;
}

static char *
tpath(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

static int
parse(const char *s, struct journal_event *ev)
{
	return journal_parse_line(s, strlen(s), ev);
}

static void
test_format_parse_roundtrip(void **state)
{
	struct journal_event ev, back;
	char *line;

	memset(&ev, 0, sizeof ev);
	ev.ts = 1795597212345LL;	/* 2026-11-25T09:00:12.345Z */
	ev.host = "backup";
	ev.actor = "ops@deck";
	ev.kind = JK_STEP;
	ev.workflow = "failover-1";
	ev.step = "fence";
	ev.action = "step.start";
	ev.rc = 3;
	ev.duration_ms = 1500;
	ev.message = "line one\nline \"two\" \\ tab\t";
	line = journal_format_line(&ev);
	assert_non_null(strstr(line, "\"ts\":\"2026-11-25T09:00:12.345Z\""));
	assert_null(strchr(line, '\n'));
	assert_int_equal(parse(line, &back), 0);
	assert_int_equal(back.ts, ev.ts);
	assert_string_equal(back.host, "backup");
	assert_string_equal(back.actor, "ops@deck");
	assert_int_equal(back.kind, JK_STEP);
	assert_string_equal(back.workflow, "failover-1");
	assert_string_equal(back.step, "fence");
	assert_string_equal(back.action, "step.start");
	assert_int_equal(back.rc, 3);
	assert_int_equal(back.duration_ms, 1500);
	assert_string_equal(back.message, ev.message);
	journal_event_free(&back);
	free(line);
}

static void
test_format_null_fields_and_bad_utf8(void **state)
{
	struct journal_event ev, back;
	char *line;

	memset(&ev, 0, sizeof ev);
	ev.ts = 1000;
	ev.kind = JK_NOTE;
	ev.duration_ms = -1;
	ev.message = "caf\xc3\xa9 \xff\xfe end \xe2\x82";
	line = journal_format_line(&ev);
	assert_null(strstr(line, "host"));
	assert_null(strstr(line, "duration_ms"));
	assert_int_equal(parse(line, &back), 0);
	assert_null(back.host);
	assert_null(back.workflow);
	assert_int_equal(back.duration_ms, -1);
	/* Valid UTF-8 kept, each bad byte a U+FFFD. */
	assert_string_equal(back.message, "caf\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd"
	    " end \xef\xbf\xbd\xef\xbf\xbd");
	journal_event_free(&back);
	free(line);
}

static void
test_parse_runbook_lines(void **state)
{
	struct journal_event ev;
	struct civil c = { 2026, 11, 25, 9, 0, 12, 0 };
	int64_t want;
	struct err e;
	const char *l1 = "[2026-11-25T09:00:12] dumped "
	    "C:\\Backups\\db\\rabspocdb_2026-11-25_09-00.dump\r\n";

	assert_int_equal(journal_parse_line_tz(l1, strlen(l1), "UTC", &ev), 0);
	assert_int_equal(ev.ts, civil_to_ms(&c));
	assert_string_equal(ev.action, "dumped");
	assert_string_equal(ev.message,
	    "C:\\Backups\\db\\rabspocdb_2026-11-25_09-00.dump");
	assert_int_equal(ev.kind, JK_JOB);
	journal_event_free(&ev);

	/* Local time of the host: Vienna is UTC+1 in November. */
	l1 = "[2026-11-25T09:00:12] restored rabspocdb_2026-11-25_09-00.dump";
	assert_int_equal(journal_parse_line_tz(l1, strlen(l1), "Europe/Vienna",
	    &ev), 0);
	assert_int_equal(ev.ts, civil_to_ms(&c) - 3600 * 1000);
	assert_string_equal(ev.action, "restored");
	assert_string_equal(ev.message, "rabspocdb_2026-11-25_09-00.dump");
	journal_event_free(&ev);

	/* The system zone, whatever it is. */
	assert_int_equal(parse("[2026-11-25T09:00:12] restored x.dump", &ev), 0);
	assert_int_equal(tz_from_local(NULL, &c, &want, NULL, &e), 0);
	assert_int_equal(ev.ts, want);
	journal_event_free(&ev);

	/* With the BOM PowerShell 5 writes at the head of a file. */
	assert_int_equal(parse("\xef\xbb\xbf[2026-11-25T09:00:12] dumped a b",
	    &ev), 0);
	assert_string_equal(ev.message, "a b");
	journal_event_free(&ev);
}

static void
test_parse_malformed(void **state)
{
	static const char *bad[] = {
		"",
		"   ",
		"garbage",
		"{",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\"",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\"}}",
		"[]",
		"{\"kind\":\"job\"}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\"}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"bogus\"}",
		"{\"ts\":12,\"kind\":\"job\"}",
		"{\"ts\":\"2026-02-30T09:00:12.345Z\",\"kind\":\"job\"}",
		"{\"ts\":\"2026-11-25T25:00:12.345Z\",\"kind\":\"job\"}",
		"{\"ts\":\"2026-11-25T09:00:12\",\"kind\":\"job\"}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"rc\":\"0\"}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"rc\":1e300}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"rc\":1.5}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"duration_ms\":-5}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"duration_ms\":1e99}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"host\":7}",
		"{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":\"job\","
		    "\"message\":{\"a\":1}}",
		"[2026-11-25T09:00:12] deleted x.dump",
		"[2026-11-25T09:00:12] dumped",
		"[2026-11-25T09:00:12] dumped ",
		"[2026-11-25T09:00:12]dumped x",
		"[2026-02-30T09:00:12] dumped x.dump",
		"[2026-11-25T24:00:00] dumped x.dump",
		"[2026-11-25] dumped x.dump",
		"[2026-11-25T09:00:12 dumped x.dump",
		"[x] dumped y",
	};
	struct journal_event ev;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (parse(bad[i], &ev) == 0)
			fail_msg("parsed: %s", bad[i]);
	}
}

static void
test_parse_nul_and_nesting(void **state)
{
	static const char nul[] = "{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\""
	    ":\"job\",\"message\":\"a\0b\"}";
	struct journal_event ev;
	char *deep;
	size_t i, n = 20000;

	assert_int_equal(journal_parse_line(nul, sizeof nul - 1, &ev), -1);
	deep = xmalloc(2 * n + 1);
	for (i = 0; i < n; i++) {
		deep[i] = '{';
		deep[2 * n - 1 - i] = '}';
	}
	deep[2 * n] = '\0';
	assert_int_equal(parse(deep, &ev), -1);
	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[2 * n - 1 - i] = ']';
	}
	deep[0] = '{';
	assert_int_equal(parse(deep, &ev), -1);
	free(deep);
	/* Truncated at every length: never accepted, never a crash. */
	{
		const char *l = "{\"ts\":\"2026-11-25T09:00:12.345Z\",\"kind\":"
		    "\"job\",\"rc\":0,\"message\":\"m\"}";
		size_t len = strlen(l);

		for (i = 0; i < len; i++)
			assert_int_equal(journal_parse_line(l, i, &ev), -1);
		assert_int_equal(journal_parse_line(l, len, &ev), 0);
		journal_event_free(&ev);
	}
}

static void
test_append_mode_and_lines(void **state)
{
	struct journal *j;
	struct journal_tail t;
	struct stat st;
	struct err e = { "" };
	char *p = tpath("a/b/journal.jsonl");
	int i;

	assert_int_equal(journal_open(p, 0, 3, &j, &e), 0);
	for (i = 0; i < 5; i++) {
		char msg[32];

		snprintf(msg, sizeof msg, "event %d", i);
		assert_int_equal(journal_log(j, JK_JOB, "primary", NULL, NULL,
		    "backup", 0, 10 * i, msg, &e), 0);
	}
	journal_close(j);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(journal_tail(p, 3, 0, &t, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.skipped, 0);
	assert_string_equal(t.ev[0].message, "event 2");
	assert_string_equal(t.ev[2].message, "event 4");
	assert_non_null(t.ev[2].actor);
	assert_non_null(strchr(t.ev[2].actor, '@'));
	assert_true(t.ev[2].ts > 1700000000000LL);
	assert_int_equal(t.ev[2].duration_ms, 40);
	journal_tail_free(&t);
	free(p);
}

static void
test_open_narrows_mode(void **state)
{
	struct journal *j;
	struct stat st;
	struct err e = { "" };
	char *p = tpath("wide.jsonl");

	write_file(p, "", 0);
	assert_int_equal(chmod(p, 0644), 0);
	assert_int_equal(journal_open(p, 0, 1, &j, &e), 0);
	journal_close(j);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	free(p);
}

static void
test_rotation_keeps_every_event(void **state)
{
	struct journal *j;
	struct journal_tail t;
	struct err e = { "" };
	char *p = tpath("rot.jsonl"), *r;
	int i, k, seen[200] = { 0 }, total = 0;

	assert_int_equal(journal_open(p, 1000, 50, &j, &e), 0);
	for (i = 0; i < 200; i++) {
		char msg[32];

		snprintf(msg, sizeof msg, "%d", i);
		assert_int_equal(journal_log(j, JK_NOTE, NULL, NULL, NULL,
		    "n", 0, -1, msg, &e), 0);
	}
	journal_close(j);
	for (k = 0; k <= 50; k++) {
		struct stat st;
		size_t m;

		r = k == 0 ? xstrdup(p) : xasprintf("%s.%d", p, k);
		if (stat(r, &st) == -1) {
			free(r);
			continue;
		}
		assert_true(st.st_size <= 1000);
		assert_int_equal(st.st_mode & 07777, 0600);
		assert_int_equal(journal_tail(r, 100000, 0, &t, &e), 0);
		assert_int_equal(t.skipped, 0);
		for (m = 0; m < t.n; m++) {
			int v = atoi(t.ev[m].message);

			assert_true(v >= 0 && v < 200);
			assert_int_equal(seen[v], 0);
			seen[v] = 1;
			total++;
		}
		journal_tail_free(&t);
		free(r);
	}
	assert_int_equal(total, 200);
	/* The newest file holds the newest event. */
	assert_int_equal(journal_tail(p, 1, 0, &t, &e), 0);
	assert_string_equal(t.ev[0].message, "199");
	journal_tail_free(&t);
	free(p);
}

static void
test_rotation_drops_oldest_file(void **state)
{
	struct journal *j;
	struct err e = { "" };
	struct stat st;
	char *p = tpath("rot2.jsonl"), *r;
	int i;

	assert_int_equal(journal_open(p, 300, 2, &j, &e), 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(journal_log(j, JK_NOTE, NULL, NULL, NULL,
		    "n", 0, -1, "x", &e), 0);
	journal_close(j);
	r = xasprintf("%s.2", p);
	assert_int_equal(stat(r, &st), 0);
	free(r);
	r = xasprintf("%s.3", p);
	assert_int_equal(stat(r, &st), -1);
	free(r);
	free(p);
}

static void
test_tail_skips_torn_and_garbage(void **state)
{
	const char *good = "{\"ts\":\"2026-11-25T09:00:00.000Z\",\"kind\":"
	    "\"job\",\"action\":\"a\",\"rc\":0}\n";
	struct journal_tail t;
	struct err e = { "" };
	struct buf_like { char *s; size_t n; } b = { NULL, 0 };
	char *p = tpath("torn.jsonl");
	size_t gl = strlen(good);

	b.s = xmalloc(4096);
#define PUT(str, len) do { memcpy(b.s + b.n, (str), (len)); b.n += (len); } \
	while (0)
	PUT(good, gl);
	PUT("garbage line\n", 13);
	PUT("\xff\xfe\x00\x01 binary\n", 12);
	PUT(good, gl);
	PUT("\n\n", 2);
	PUT(good, gl - 10);	/* torn: a crash mid-write, then a restart */
	PUT("\n", 1);
	PUT(good, gl);
	PUT(good, gl / 2);	/* torn last line, no newline */
	write_file(p, b.s, b.n);
	assert_int_equal(journal_tail(p, 10, 0, &t, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.skipped, 4);
	journal_tail_free(&t);
	/* Only the last one asked: stops early, sees only the torn tail. */
	assert_int_equal(journal_tail(p, 1, 0, &t, &e), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.skipped, 1);
	journal_tail_free(&t);
	free(b.s);
	free(p);
}

static void
test_tail_empty_missing_and_args(void **state)
{
	struct journal_tail t;
	struct err e = { "" };
	char *p = tpath("empty.jsonl");

	write_file(p, "", 0);
	assert_int_equal(journal_tail(p, 5, 0, &t, &e), 0);
	assert_int_equal(t.n, 0);
	assert_int_equal(t.skipped, 0);
	journal_tail_free(&t);
	free(p);
	p = tpath("missing.jsonl");
	assert_int_equal(journal_tail(p, 5, 0, &t, &e), 0);
	assert_int_equal(t.n, 0);
	journal_tail_free(&t);
	assert_int_equal(journal_tail(p, 0, 0, &t, &e), -1);
	assert_non_null(strstr(e.msg, "missing.jsonl"));
	free(p);
}

static void
test_tail_huge_line_and_blocks(void **state)
{
	/* Lines spanning many read blocks, one longer than the maximum. */
	struct journal_tail t;
	struct err e = { "" };
	FILE *f;
	char *p = tpath("huge.jsonl"), *big;
	size_t i, bl = JOURNAL_LINE_MAX + 100;
	int k;

	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"ts\":\"2026-11-25T08:00:00.000Z\",\"kind\":\"note\","
	    "\"message\":\"first\"}\n");
	big = xmalloc(bl);
	memset(big, 'x', bl);
	fwrite(big, 1, bl, f);
	fputc('\n', f);
	/* 300 KiB message: long but allowed. */
	fprintf(f, "{\"ts\":\"2026-11-25T08:30:00.000Z\",\"kind\":\"note\","
	    "\"message\":\"");
	fwrite(big, 1, 300 * 1024, f);
	fprintf(f, "\"}\n");
	for (k = 0; k < 1000; k++)
		fprintf(f, "{\"ts\":\"2026-11-25T09:%02d:%02d.000Z\",\"kind\":"
		    "\"probe\",\"rc\":%d}\n", k / 60 % 60, k % 60, k);
	fclose(f);
	free(big);
	assert_int_equal(journal_tail(p, 5000, 0, &t, &e), 0);
	assert_int_equal(t.n, 1002);
	assert_int_equal(t.skipped, 1);
	assert_string_equal(t.ev[0].message, "first");
	assert_int_equal(strlen(t.ev[1].message), 300 * 1024);
	for (i = 2; i < t.n; i++)
		assert_int_equal(t.ev[i].rc, (int)i - 2);
	journal_tail_free(&t);
	free(p);
}

static void
test_tail_since(void **state)
{
	struct journal_tail t;
	struct err e = { "" };
	FILE *f;
	char *p = tpath("since.jsonl");
	int64_t since;
	int k;

	f = fopen(p, "w");
	assert_non_null(f);
	for (k = 0; k < 60; k++)
		fprintf(f, "{\"ts\":\"2026-11-25T09:%02d:00.000Z\",\"kind\":"
		    "\"job\",\"rc\":%d}\n", k, k);
	fprintf(f, "[2026-11-25T10:00:00] restored a.dump\n");
	fclose(f);
	assert_int_equal(timefmt_parse_iso("2026-11-25T09:50:00Z", 20, &since),
	    0);
	assert_int_equal(journal_tail_match(p, 0, since, "UTC", NULL, NULL,
	    &t, &e), 0);
	assert_int_equal(t.n, 11);
	assert_int_equal(t.ev[0].rc, 50);
	assert_string_equal(t.ev[10].action, "restored");
	journal_tail_free(&t);
	free(p);
}

static int
only_odd(const struct journal_event *ev, void *arg)
{
	int *calls = arg;

	(*calls)++;
	return ev->rc % 2 == 1;
}

static void
test_tail_match(void **state)
{
	struct journal_tail t;
	struct err e = { "" };
	FILE *f;
	char *p = tpath("match.jsonl");
	int k, calls = 0;

	f = fopen(p, "w");
	assert_non_null(f);
	for (k = 0; k < 100; k++)
		fprintf(f, "{\"ts\":\"2026-11-25T09:00:%02d.000Z\",\"kind\":"
		    "\"job\",\"rc\":%d}\n", k % 60, k);
	fclose(f);
	assert_int_equal(journal_tail_match(p, 3, 0, NULL, only_odd, &calls,
	    &t, &e), 0);
	assert_int_equal(t.n, 3);
	assert_int_equal(t.ev[0].rc, 95);
	assert_int_equal(t.ev[2].rc, 99);
	assert_int_equal(calls, 5);
	journal_tail_free(&t);
	free(p);
}

/* Count the events of a rotated journal (all files), checking that each
 * writer's numbers arrive once each; returns the total. */
static int
count_all(const char *p, int keep, int writers, int per, size_t *skipped)
{
	struct journal_tail t;
	struct err e = { "" };
	char *seen = xcalloc((size_t)(writers * per), 1);
	int k, total = 0;

	*skipped = 0;
	for (k = 0; k <= keep; k++) {
		char *r = k == 0 ? xstrdup(p) : xasprintf("%s.%d", p, k);
		size_t m;

		assert_int_equal(journal_tail(r, 10000000, 0, &t, &e), 0);
		*skipped += t.skipped;
		for (m = 0; m < t.n; m++) {
			int w, i;

			assert_int_equal(sscanf(t.ev[m].message, "w%d i%d", &w,
			    &i), 2);
			assert_true(w >= 0 && w < writers && i >= 0 && i < per);
			assert_int_equal(seen[w * per + i], 0);
			seen[w * per + i] = 1;
			total++;
		}
		journal_tail_free(&t);
		free(r);
	}
	free(seen);
	return total;
}

struct writer {
	struct journal *j;
	int	 id;
	int	 per;
	int	 failed;
};

static void *
write_many(void *arg)
{
	struct writer *w = arg;
	struct err e;
	int i;

	for (i = 0; i < w->per; i++) {
		char msg[64];

		snprintf(msg, sizeof msg, "w%d i%d", w->id, i);
		if (journal_log(w->j, JK_PROBE, "h", NULL, NULL, "x", 0, i,
		    msg, &e) != 0)
			w->failed++;
	}
	return NULL;
}

static void
test_threads_share_a_handle(void **state)
{
	struct writer w[4];
	pthread_t th[4];
	struct journal *j;
	struct err e = { "" };
	char *p = tpath("threads.jsonl");
	size_t skipped;
	int i;

	assert_int_equal(journal_open(p, 4096, 500, &j, &e), 0);
	for (i = 0; i < 4; i++) {
		w[i].j = j;
		w[i].id = i;
		w[i].per = 150;
		w[i].failed = 0;
		assert_int_equal(pthread_create(&th[i], NULL, write_many, &w[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].failed, 0);
	}
	journal_close(j);
	assert_int_equal(count_all(p, 500, 4, 150, &skipped), 600);
	assert_int_equal(skipped, 0);
	free(p);
}

static void
test_processes_share_the_file(void **state)
{
	char *p = tpath("procs.jsonl");
	pid_t pid[3];
	size_t skipped;
	int i, st;

	/* Three processes, each with its own handle, rotating under each
	 * other: every event lands once, in some file of the chain. */
	for (i = 0; i < 3; i++) {
		pid[i] = fork();
		assert_true(pid[i] >= 0);
		if (pid[i] == 0) {
			struct writer w;
			struct err e;

			if (journal_open(p, 3000, 500, &w.j, &e) != 0)
				_exit(1);
			w.id = i;
			w.per = 120;
			w.failed = 0;
			write_many(&w);
			journal_close(w.j);
			_exit(w.failed ? 1 : 0);
		}
	}
	for (i = 0; i < 3; i++) {
		assert_int_equal(waitpid(pid[i], &st, 0), pid[i]);
		assert_true(WIFEXITED(st));
		assert_int_equal(WEXITSTATUS(st), 0);
	}
	assert_int_equal(count_all(p, 500, 3, 120, &skipped), 360);
	assert_int_equal(skipped, 0);
	free(p);
}

/* Run `drdeck journal ARGS`, stdout into a string. */
static int
run_cmd(char **argv, int argc, char **out)
{
	struct cli_opts o;
	char *p = tpath("cmd.out");
	FILE *f;
	int saved, fd, rc;
	long len;

	memset(&o, 0, sizeof o);
	o.cmd = "journal";
	o.argc = argc;
	o.argv = argv;
	fflush(stdout);
	saved = dup(1);
	f = fopen(p, "w+");
	assert_non_null(f);
	fd = fileno(f);
	dup2(fd, 1);
	rc = cmd_journal_run(&o);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	*out = xcalloc(1, (size_t)len + 1);
	assert_int_equal(fread(*out, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	free(p);
	return rc;
}

static void
test_cmd_journal(void **state)
{
	char *p = tpath("cmd.jsonl"), *out;
	FILE *f;

	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "{\"ts\":\"2026-11-25T09:00:00.000Z\",\"host\":\"primary\","
	    "\"kind\":\"job\",\"action\":\"backup\",\"rc\":0,"
	    "\"message\":\"dump \\u001b[2J ok\"}\n");
	fprintf(f, "{\"ts\":\"2026-11-25T09:01:00.000Z\",\"host\":\"backup\","
	    "\"kind\":\"probe\",\"action\":\"db\",\"rc\":2}\n");
	fprintf(f, "torn {\n");
	fprintf(f, "[2026-11-25T09:10:00] restored rabspocdb_2026-11-25_09-00"
	    ".dump\n");
	fclose(f);
	{
		char *argv[] = { "journal", "--file", p, "-n", "5", NULL };

		assert_int_equal(run_cmd(argv, 5, &out), 0);
		/* Escaped: no raw ESC reaches the terminal. */
		assert_null(strchr(out, '\033'));
		assert_non_null(strstr(out, "dump \\x1b[2J ok"));
		assert_non_null(strstr(out, "rc=2"));
		assert_non_null(strstr(out, "restored"));
		free(out);
	}
	{
		char *argv[] = { "journal", "--file", p, "--host", "backup",
		    "--json", NULL };

		assert_int_equal(run_cmd(argv, 6, &out), 0);
		assert_non_null(strstr(out, "\"action\":\"db\""));
		assert_null(strstr(out, "backup\",\"kind\":\"job"));
		assert_null(strstr(out, "primary"));
		free(out);
	}
	{
		char *argv[] = { "journal", "--file", p, "--kind", "job", "-n",
		    "1", "--tz", "Europe/Vienna", "--json", NULL };

		assert_int_equal(run_cmd(argv, 10, &out), 0);
		/* The runbook line, read as Vienna time (UTC+1). */
		assert_non_null(strstr(out, "2026-11-25T08:10:00.000Z"));
		assert_null(strstr(out, "backup"));
		free(out);
	}
	{
		char *argv[] = { "journal", "--file", p, "--kind", "bogus",
		    NULL };

		assert_int_equal(run_cmd(argv, 5, &out), 2);
		free(out);
	}
	{
		char *argv[] = { "journal", "--file", p, "-n", "0", NULL };

		assert_int_equal(run_cmd(argv, 5, &out), 2);
		free(out);
	}
	{
		char *argv[] = { "journal", "--file", p, "--tz", "Nowhere/x",
		    NULL };

		assert_int_equal(run_cmd(argv, 5, &out), 2);
		free(out);
	}
	free(p);
}

static void
test_kind_names(void **state)
{
	enum journal_kind k;

	assert_string_equal(journal_kind_name(JK_ALERT), "alert");
	assert_int_equal(journal_kind_parse("probe", &k), 0);
	assert_int_equal(k, JK_PROBE);
	assert_int_equal(journal_kind_parse("Probe", &k), -1);
	assert_int_equal(journal_kind_parse("", &k), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse_roundtrip),
		cmocka_unit_test(test_format_null_fields_and_bad_utf8),
		cmocka_unit_test(test_parse_runbook_lines),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_parse_nul_and_nesting),
		cmocka_unit_test(test_append_mode_and_lines),
		cmocka_unit_test(test_open_narrows_mode),
		cmocka_unit_test(test_rotation_keeps_every_event),
		cmocka_unit_test(test_rotation_drops_oldest_file),
		cmocka_unit_test(test_tail_skips_torn_and_garbage),
		cmocka_unit_test(test_tail_empty_missing_and_args),
		cmocka_unit_test(test_tail_huge_line_and_blocks),
		cmocka_unit_test(test_tail_since),
		cmocka_unit_test(test_tail_match),
		cmocka_unit_test(test_threads_share_a_handle),
		cmocka_unit_test(test_processes_share_the_file),
		cmocka_unit_test(test_cmd_journal),
		cmocka_unit_test(test_kind_names),
	};

	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
