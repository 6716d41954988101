/*
 * test_pidmark.c: the pid marker a remote command reports first, and the
 * command lines that report it and stop the command (pidmark.h).
 *
 * The reader: the marker is taken out only when it is the whole first
 * line of stderr, whichever way the bytes are split across reads;
 * anything else (missing, malformed, partial, a look-alike later on)
 * comes back byte for byte.  The sh command lines run on the local
 * /bin/sh: the marker carries the pid the command keeps, and the stop
 * ends a whole process group (KILL after the grace when TERM is
 * ignored).  PowerShell's are checked as text (no Windows host here).
 * exec_describe() of a timed-out result tells what became of it.
 */
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <openssl/evp.h>

#include "buf.h"
#include "clock.h"
#include "pidmark.h"
#include "transport.h"
#include "ut_psdecode.h"

/* Feed s in pieces of at most `step` bytes, then end; stderr left. */
static char *
read_all(struct pidmark *m, const char *s, size_t len, size_t step,
    int end)
{
	struct buf out = { 0 };
	size_t i, n;

	pidmark_init(m);
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		pidmark_feed(m, s + i, n, &out);
	}
	if (end)
		pidmark_end(m, &out);
	buf_putc(&out, '\0');
	return buf_detach(&out);
}

/* s read whole, byte by byte, and split in two at every offset: always
 * the same pid and the same stderr left. */
static void
check(const char *s, long want_pid, const char *want_err)
{
	struct pidmark m;
	size_t len = strlen(s), cut;
	char *got;

	got = read_all(&m, s, len, len ? len : 1, 1);
	assert_string_equal(got, want_err);
	assert_int_equal(m.pid, want_pid);
	assert_int_equal(m.state, want_pid ? PIDMARK_FOUND : PIDMARK_NONE);
	free(got);
	got = read_all(&m, s, len, 1, 1);
	assert_string_equal(got, want_err);
	assert_int_equal(m.pid, want_pid);
	free(got);
	for (cut = 1; cut < len; cut++) {
		struct buf out = { 0 };

		pidmark_init(&m);
		pidmark_feed(&m, s, cut, &out);
		pidmark_feed(&m, s + cut, len - cut, &out);
		pidmark_end(&m, &out);
		buf_putc(&out, '\0');
		assert_string_equal(out.s, want_err);
		assert_int_equal(m.pid, want_pid);
		buf_free(&out);
	}
}

static void
test_marker_found(void **state)
{
	(void)state;
	/* Only the marker: nothing is left for the caller. */
	check("drdeck-pid:1234\n", 1234, "");
	/* PowerShell ends its lines with \r\n. */
	check("drdeck-pid:4400\r\n", 4400, "");
	check("drdeck-pid:42\nreal error\n", 42, "real error\n");
	check("drdeck-pid:2147483647\npartial", 2147483647L, "partial");
	check("drdeck-pid:2\n\n", 2, "\n");
}

static void
test_marker_later_is_output(void **state)
{
	(void)state;
	/* Only the first line is ever the marker. */
	check("drdeck-pid:5\nerr\ndrdeck-pid:6\n", 5,
	    "err\ndrdeck-pid:6\n");
	check("drdeck-pid:5\ndrdeck-pid:6\n", 5, "drdeck-pid:6\n");
	check("warning: x\ndrdeck-pid:7\n", 0, "warning: x\ndrdeck-pid:7\n");
	check("\ndrdeck-pid:7\n", 0, "\ndrdeck-pid:7\n");
}

static void
test_marker_missing(void **state)
{
	(void)state;
	check("", 0, "");
	check("hello\n", 0, "hello\n");
	check("d", 0, "d");
	check("drdeck", 0, "drdeck");
}

static void
test_marker_malformed(void **state)
{
	static const char *const bad[] = {
		"drdeck-pid:\n",
		"drdeck-pid:abc\n",
		"drdeck-pid:12x\n",
		"drdeck-pid:0\n",
		"drdeck-pid:1\n",		/* kill -1 would be everything */
		"drdeck-pid:-5\n",
		"drdeck-pid:007\n",
		"drdeck-pid:2147483648\n",
		"drdeck-pid:12345678901\n",
		"drdeck-pid:99999999999999999999999\n",
		"drdeck-pid: 12\n",
		"drdeck-pid:12 \n",
		"Drdeck-pid:12\n",
		"xdrdeck-pid:12\n",
		"drdeck-pid12\n",
		"drdeck-pid:12\r\r\n",
		"drdeck-pid:12\rx\n",
		"drdeck-pid:\r\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
		check(bad[i], 0, bad[i]);
}

static void
test_marker_partial(void **state)
{
	struct pidmark m;
	struct buf out = { 0 };
	char *got;

	(void)state;
	/* stderr ends (or is given up) inside the marker: never a pid. */
	check("drdeck-pid:12", 0, "drdeck-pid:12");
	check("drdeck-pid:12\r", 0, "drdeck-pid:12\r");
	check("drdeck-pi", 0, "drdeck-pi");
	/* Held back while it may still be the marker, not before. */
	pidmark_init(&m);
	pidmark_feed(&m, "drdeck-pid:3", 12, &out);
	assert_int_equal(out.len, 0);
	assert_int_equal(m.state, PIDMARK_WAIT);
	pidmark_feed(&m, "4", 1, &out);
	assert_int_equal(out.len, 0);
	pidmark_feed(&m, "\nok", 3, &out);
	assert_int_equal(m.state, PIDMARK_FOUND);
	assert_int_equal(m.pid, 34);
	assert_int_equal(out.len, 2);
	/* After the marker everything passes, an end changes nothing. */
	pidmark_feed(&m, "drdeck-pid:9\n", 13, &out);
	pidmark_end(&m, &out);
	assert_int_equal(m.pid, 34);
	buf_putc(&out, '\0');
	assert_string_equal(out.s, "okdrdeck-pid:9\n");
	buf_free(&out);
	/* Not the marker: what was held comes back, in order. */
	got = read_all(&m, "drdeck-pid:5x and more", 22, 3, 0);
	assert_string_equal(got, "drdeck-pid:5x and more");
	assert_int_equal(m.state, PIDMARK_NONE);
	free(got);
}

/* Run a command line with /bin/sh -c; stdout and stderr kept. */
static int
run_sh(const char *cmdline, char **out, char **err)
{
	int po[2], pe[2], ws;
	struct buf bo = { 0 }, be = { 0 };
	char chunk[4096];
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(po), 0);
	assert_int_equal(pipe(pe), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		int fd = open("/dev/null", O_RDONLY);

		dup2(fd, 0);
		dup2(po[1], 1);
		dup2(pe[1], 2);
		close(fd);
		close(po[0]);
		close(pe[0]);
		close(po[1]);
		close(pe[1]);
		execl("/bin/sh", "sh", "-c", cmdline, (char *)NULL);
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	while ((n = read(po[0], chunk, sizeof chunk)) > 0)
		buf_append(&bo, chunk, (size_t)n);
	while ((n = read(pe[0], chunk, sizeof chunk)) > 0)
		buf_append(&be, chunk, (size_t)n);
	close(po[0]);
	close(pe[0]);
	assert_int_equal(waitpid(pid, &ws, 0), pid);
	buf_putc(&bo, '\0');
	buf_putc(&be, '\0');
	*out = buf_detach(&bo);
	*err = buf_detach(&be);
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws);
}

static void
test_sh_command(void **state)
{
	const char *argv[] = { "sh", "-c", "echo \"$$\"; echo it\\'s >&2",
	    NULL };
	struct buf b = { 0 };
	struct err e = { "" };
	struct pidmark m;
	char *out, *err, *left;

	(void)state;
	assert_int_equal(pidmark_command(HOST_SHELL_SH, argv, NULL, &b, &e),
	    0);
	assert_string_equal(buf_str(&b), "printf 'drdeck-pid:%s\\n' \"$$\" >&2; "
	    "exec 'sh' '-c' 'echo \"$$\"; echo it\\'\\''s >&2'");
	/* Run: the marker comes first and carries the pid the command
	 * itself has (exec keeps it). */
	assert_int_equal(run_sh(buf_str(&b), &out, &err), 0);
	left = read_all(&m, err, strlen(err), 5, 1);
	assert_int_equal(m.state, PIDMARK_FOUND);
	assert_int_equal(m.pid, atol(out));
	assert_string_equal(left, "it's\n");
	free(out);
	free(err);
	free(left);
	/* A script: the marker line, then the script as it is. */
	buf_reset(&b);
	assert_int_equal(pidmark_command(HOST_SHELL_SH, NULL,
	    "echo a | tr a b >&2; exit 3", &b, &e), 0);
	assert_string_equal(buf_str(&b), "printf 'drdeck-pid:%s\\n' \"$$\" >&2\n"
	    "echo a | tr a b >&2; exit 3");
	assert_int_equal(run_sh(buf_str(&b), &out, &err), 3);
	left = read_all(&m, err, strlen(err), 1, 1);
	assert_int_equal(m.state, PIDMARK_FOUND);
	assert_string_equal(left, "b\n");
	free(out);
	free(err);
	free(left);
	/* What quote.h refuses is refused here too. */
	buf_reset(&b);
	assert_int_equal(pidmark_command(HOST_SHELL_SH, (const char *[]){
	    NULL }, NULL, &b, &e), -1);
	buf_free(&b);
}

static void
test_ps_commands(void **state)
{
	const char *argv[] = { "pg_dump", "-Fc", "it's", NULL };
	struct buf b = { 0 };
	struct err e = { "" };
	char *script;

	(void)state;
	assert_int_equal(pidmark_command(HOST_SHELL_POWERSHELL, argv, NULL,
	    &b, &e), 0);
	script = ut_decode_ps(buf_str(&b));
	assert_string_equal(script,
	    "[Console]::Error.WriteLine('drdeck-pid:' + $PID)\n"
	    "try { & 'pg_dump' '-Fc' 'it''s' } catch { "
	    "[Console]::Error.WriteLine($_); exit 127 }; exit $LASTEXITCODE");
	free(script);
	buf_reset(&b);
	assert_int_equal(pidmark_command(HOST_SHELL_CMD, NULL,
	    "Get-Item 'C:\\x'", &b, &e), 0);
	script = ut_decode_ps(buf_str(&b));
	assert_string_equal(script,
	    "[Console]::Error.WriteLine('drdeck-pid:' + $PID)\n"
	    "Get-Item 'C:\\x'");
	free(script);
	/* The stop: taskkill on the whole tree, every word quoted. */
	buf_reset(&b);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_POWERSHELL, 5120, &b,
	    &e), 0);
	script = ut_decode_ps(buf_str(&b));
	assert_string_equal(script,
	    "try { & 'taskkill' '/T' '/F' '/PID' '5120' } catch { "
	    "[Console]::Error.WriteLine($_); exit 127 }; exit $LASTEXITCODE");
	free(script);
	buf_free(&b);
}

static void
test_stop_refuses_pids(void **state)
{
	struct buf b = { 0 };
	struct err e = { "" };

	(void)state;
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, 1, &b, &e), -1);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, 0, &b, &e), -1);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, -7, &b, &e), -1);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_POWERSHELL, 1, &b,
	    &e), -1);
	assert_int_equal(b.len, 0);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, 1234, &b, &e), 0);
	assert_string_equal(buf_str(&b), "kill -s TERM -- '-1234' && { "
	    "(sleep 2; kill -s KILL -- '-1234') </dev/null >/dev/null 2>&1 & }");
	buf_free(&b);
}

/* A process that exists and is not a zombie (Linux /proc). */
static int
alive(pid_t pid)
{
	char path[64], line[512], *p;
	FILE *f;
	int ok = 0;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof line, f) != NULL &&
	    (p = strrchr(line, ')')) != NULL)
		ok = p[1] == ' ' && p[2] != 'Z' && p[2] != 'X';
	fclose(f);
	return ok;
}

/*
 * A session like sshd's: a new session running script (which prints the
 * pid of a child it leaves in the background).  Returns the leader;
 * *bg is the background child.
 */
static pid_t
session(const char *script, pid_t *bg)
{
	int p[2];
	char line[32] = "";
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid != -1);
	if (pid == 0) {
		setsid();
		dup2(p[1], 1);
		close(p[0]);
		close(p[1]);
		execl("/bin/sh", "sh", "-c", script, (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	n = read(p[0], line, sizeof line - 1);
	close(p[0]);
	assert_true(n > 0);
	*bg = (pid_t)atol(line);
	assert_true(*bg > 1);
	return pid;
}

/* Wait until neither pid lives, at most ms; reaps the leader. */
static int
gone_within(pid_t leader, pid_t bg, int64_t ms)
{
	int64_t end = clock_mono_ms() + ms;
	int ws;

	do {
		(void)waitpid(leader, &ws, WNOHANG);
		if (!alive(leader) && !alive(bg))
			return 1;
		usleep(20000);
	} while (clock_mono_ms() < end);
	return 0;
}

static void
test_sh_stop_group(void **state)
{
	struct buf b = { 0 };
	struct err e = { "" };
	char *out, *err;
	pid_t leader, bg;

	(void)state;
	/* The command and a child it started: TERM to both at once. */
	leader = session("sleep 91 >/dev/null & echo $!; exec sleep 92",
	    &bg);
	assert_true(alive(leader) && alive(bg));
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, leader, &b, &e),
	    0);
	assert_int_equal(run_sh(buf_str(&b), &out, &err), 0);
	free(out);
	free(err);
	assert_true(gone_within(leader, bg, 1000));
	/* No such process: the stop says so and fails. */
	leader = fork();
	assert_true(leader != -1);
	if (leader == 0)
		_exit(0);
	assert_int_equal(waitpid(leader, NULL, 0), leader);
	buf_reset(&b);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, leader, &b, &e),
	    0);
	assert_int_not_equal(run_sh(buf_str(&b), &out, &err), 0);
	assert_true(err[0] != '\0');
	free(out);
	free(err);
	/* TERM ignored: KILL after the grace. */
	buf_reset(&b);
	leader = session("trap '' TERM; sleep 93 >/dev/null & echo $!; "
	    "exec sleep 94", &bg);
	assert_int_equal(pidmark_stop_command(HOST_SHELL_SH, leader, &b, &e),
	    0);
	assert_int_equal(run_sh(buf_str(&b), &out, &err), 0);
	free(out);
	free(err);
	usleep(500000);
	assert_true(alive(leader) && alive(bg));
	assert_true(gone_within(leader, bg, PIDMARK_GRACE_S * 1000 + 2000));
	buf_free(&b);
}

/* A timed-out result tells what became of the command; a buffer too
 * small for that gets the timeout alone, never a cut sentence. */
static void
test_describe_stop(void **state)
{
	struct exec_result r;
	char d[EXEC_DESCRIBE_MAX], small[32];

	(void)state;
	memset(&r, 0, sizeof r);
	r.timed_out = 1;
	r.duration_ms = 30000;
	assert_string_equal(exec_describe(&r, d, sizeof d),
	    "timed out after 30.0 s");
	snprintf(r.stop, sizeof r.stop, "stopped it on backup (pid 1234)");
	assert_string_equal(exec_describe(&r, d, sizeof d),
	    "timed out after 30.0 s; stopped it on backup (pid 1234)");
	assert_string_equal(exec_describe(&r, small, sizeof small),
	    "timed out after 30.0 s");
	memset(r.stop, 'x', sizeof r.stop - 1);
	r.stop[sizeof r.stop - 1] = '\0';
	assert_true(strlen(exec_describe(&r, d, sizeof d)) > sizeof r.stop);
	/* Only a timeout carries it. */
	r.timed_out = 0;
	r.exited = 1;
	assert_string_equal(exec_describe(&r, d, sizeof d), "exit 0");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_marker_found),
		cmocka_unit_test(test_marker_later_is_output),
		cmocka_unit_test(test_marker_missing),
		cmocka_unit_test(test_marker_malformed),
		cmocka_unit_test(test_marker_partial),
		cmocka_unit_test(test_sh_command),
		cmocka_unit_test(test_ps_commands),
		cmocka_unit_test(test_stop_refuses_pids),
		cmocka_unit_test(test_sh_stop_group),
		cmocka_unit_test(test_describe_stop),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
