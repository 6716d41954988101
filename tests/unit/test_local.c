/*
 * test_local.c: the local transport and the OS interface on this machine
 * (real processes, real files under a temporary folder).
 */
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "clock.h"
#include "os.h"
#include "sha256.h"
#include "transport.h"
#include "xmalloc.h"

static struct host_cfg host = {
	.name = "here",
	.transport = HOST_TRANSPORT_LOCAL,
	.shell = HOST_SHELL_SH,
	.address = "",
};

static char tmpdir[] = "/tmp/drdeck-test-local-XXXXXX";

static int
setup(void **state)
{
	struct transport *t;
	struct err e = { "" };

	if (mkdtemp(tmpdir) == NULL)
		return -1;
	if (transport_open(&host, 1000, &t, &e) == -1)
		return -1;
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", tmpdir);

	transport_close(*state);
	if (system(cmd) != 0)
		return -1;
	free(cmd);
	return 0;
}

static char *
path(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static void
make_file(const char *p, size_t size, unsigned seed)
{
	FILE *f = fopen(p, "w");
	size_t i;

	assert_non_null(f);
	for (i = 0; i < size; i++)
		fputc((int)((i * 131 + seed) % 251), f);
	assert_int_equal(fclose(f), 0);
}

static void
test_exec_out_err_status(void **state)
{
	const char *argv[] = { "sh", "-c", "echo out; echo err >&2; exit 3",
	    NULL };
	struct exec_result r;
	struct err e = { "" };
	char d[64];

	assert_int_equal(transport_exec(*state, argv, NULL, 0, 5000, &r, &e),
	    0);
	assert_string_equal(r.out, "out\n");
	assert_string_equal(r.errout, "err\n");
	assert_true(r.exited);
	assert_int_equal(r.status, 3);
	assert_false(exec_ok(&r));
	assert_string_equal(exec_describe(&r, d, sizeof d), "exit 3");
	exec_result_free(&r);

	assert_int_equal(transport_exec(*state, (const char *[]){ "true",
	    NULL }, NULL, 0, 5000, &r, &e), 0);
	assert_true(exec_ok(&r));
	assert_string_equal(r.out, "");
	exec_result_free(&r);
}

static void
test_exec_describe(void **state)
{
	struct exec_result r;
	char d[64];

	memset(&r, 0, sizeof r);
	/* No exit status and no signal: a dropped channel, never success. */
	assert_false(exec_ok(&r));
	assert_string_equal(exec_describe(&r, d, sizeof d),
	    "no exit status (channel dropped)");
	r.exited = 1;
	assert_true(exec_ok(&r));
	assert_string_equal(exec_describe(&r, d, sizeof d), "exit 0");
	/* Status 0 with a signal (what libssh2 reports for a killed
	 * command) is a failure. */
	snprintf(r.signal, sizeof r.signal, "KILL");
	assert_false(exec_ok(&r));
	assert_string_equal(exec_describe(&r, d, sizeof d), "signal KILL");
	r.signal[0] = '\0';
	r.timed_out = 1;
	r.duration_ms = 5000;
	assert_false(exec_ok(&r));
	assert_string_equal(exec_describe(&r, d, sizeof d),
	    "timed out after 5.0 s");
}

static void
test_exec_signal(void **state)
{
	const char *argv[] = { "sh", "-c", "kill -TERM $$", NULL };
	struct exec_result r;
	struct err e = { "" };
	char d[64];

	assert_int_equal(transport_exec(*state, argv, NULL, 0, 5000, &r, &e),
	    0);
	assert_false(r.exited);
	assert_string_equal(r.signal, "TERM");
	assert_false(exec_ok(&r));
	assert_string_equal(exec_describe(&r, d, sizeof d), "signal TERM");
	exec_result_free(&r);
}

static void
test_exec_missing_program(void **state)
{
	const char *argv[] = { "/nonexistent/drdeck-nothing", NULL };
	struct exec_result r;
	struct err e = { "" };

	assert_int_equal(transport_exec(*state, argv, NULL, 0, 5000, &r, &e),
	    -1);
	assert_non_null(strstr(e.msg, "here"));
	assert_non_null(strstr(e.msg, "drdeck-nothing"));
	exec_result_free(&r);
}

static void
test_exec_stdin_and_big_output(void **state)
{
	size_t n = 3 * 1024 * 1024, i;
	char *in = xmalloc(n);
	struct exec_result r;
	struct err e = { "" };

	for (i = 0; i < n; i++)
		in[i] = (char)('a' + i % 26);
	/* stdin through cat; both streams past the pipe and channel sizes
	 * at once: must not stall. */
	assert_int_equal(transport_exec(*state, (const char *[]){ "sh", "-c",
	    "tee /dev/stderr", NULL }, in, n, 20000, &r, &e), 0);
	assert_true(exec_ok(&r));
	assert_int_equal(r.out_len, EXEC_OUT_MAX);
	assert_true(r.out_trunc);
	assert_int_equal(r.err_len, EXEC_OUT_MAX);
	assert_true(r.err_trunc);
	assert_memory_equal(r.out, in, EXEC_OUT_MAX);
	exec_result_free(&r);

	/* Exactly 1 MiB: kept whole, not flagged. */
	assert_int_equal(transport_exec(*state, (const char *[]){ "cat",
	    NULL }, in, EXEC_OUT_MAX, 20000, &r, &e), 0);
	assert_int_equal(r.out_len, EXEC_OUT_MAX);
	assert_false(r.out_trunc);
	assert_memory_equal(r.out, in, EXEC_OUT_MAX);
	exec_result_free(&r);
	free(in);
}

static void
test_exec_deadline_kills_group(void **state)
{
	char *pidfile = path("bg.pid");
	char *script = xasprintf("sleep 30 & echo $! > '%s'; sleep 30",
	    pidfile);
	struct exec_result r;
	struct err e = { "" };
	char *data, d[64];
	size_t len;
	int64_t t0 = clock_mono_ms(), took;
	long bg;

	assert_int_equal(transport_exec_script(*state, script, NULL, 0, 1000,
	    &r, &e), 0);
	took = clock_mono_ms() - t0;
	assert_true(r.timed_out);
	assert_false(exec_ok(&r));
	assert_true(took >= 1000 && took <= 1100);
	assert_non_null(strstr(exec_describe(&r, d, sizeof d), "timed out"));
	exec_result_free(&r);
	/* The background child of the group is gone too. */
	assert_int_equal(transport_read_file(*state, pidfile, 64, &data, &len,
	    1000, &e), 0);
	bg = atol(data);
	free(data);
	for (int i = 0; i < 100 && os_pid_alive(bg); i++)
		usleep(10000);
	assert_false(os_pid_alive(bg));
	free(script);
	free(pidfile);
}

static void
test_exec_daemon_holding_pipes(void **state)
{
	struct exec_result r;
	struct err e = { "" };
	int64_t t0 = clock_mono_ms();

	/* The command ends at once; what it left running keeps stdout. */
	assert_int_equal(transport_exec_script(*state,
	    "sleep 2 & echo started", NULL, 0, 5000, &r, &e), 0);
	assert_true(clock_mono_ms() - t0 < 1000);
	assert_true(exec_ok(&r));
	assert_string_equal(r.out, "started\n");
	exec_result_free(&r);
}

static void
test_exec_cancel(void **state)
{
	volatile int flag = 1;
	struct exec_result r;
	struct err e = { "" };

	transport_set_cancel(*state, &flag);
	assert_int_equal(transport_exec(*state, (const char *[]){ "true",
	    NULL }, NULL, 0, 1000, &r, &e), -1);
	assert_non_null(strstr(e.msg, "cancel"));
	exec_result_free(&r);
	transport_set_cancel(*state, NULL);
}

static int
progress(uint64_t done, uint64_t total, void *arg)
{
	uint64_t *last = arg;

	assert_true(done <= total);
	*last = done;
	return 0;
}

static void
test_put_get_resume(void **state)
{
	char *src = path("src.bin"), *dst = path("dst.bin");
	char *part = path("dst.bin.part"), *back = path("back.bin");
	char h1[65], h2[65];
	uint64_t last = 0;
	struct rstat st;
	struct err e = { "" };
	FILE *f;

	make_file(src, 5 * 1024 * 1024 + 17, 7);
	assert_int_equal(sha256_file(src, h1, &e), 0);
	assert_int_equal(transport_put(*state, src, dst, progress, &last, 10000,
	    &e), 0);
	assert_int_equal(last, 5 * 1024 * 1024 + 17);
	assert_int_equal(transport_sha256(*state, dst, h2, 1000, &e), 0);
	assert_string_equal(h1, h2);
	assert_int_equal(transport_stat(*state, part, &st, 1000, &e), 0);
	assert_false(st.exists);

	/* A .part holding a prefix: resumed, same result. */
	assert_int_equal(transport_remove(*state, dst, 1000, &e), 0);
	make_file(part, 5 * 1024 * 1024 + 17, 7);
	assert_int_equal(truncate(part, 1234567), 0);
	last = 0;
	assert_int_equal(transport_put(*state, src, dst, progress, &last, 10000,
	    &e), 0);
	assert_int_equal(sha256_file(dst, h2, &e), 0);
	assert_string_equal(h1, h2);

	/* A .part with other content: started over. */
	make_file(part, 1000, 99);
	assert_int_equal(transport_put(*state, src, dst, NULL, NULL, 10000,
	    &e), 0);
	assert_int_equal(sha256_file(dst, h2, &e), 0);
	assert_string_equal(h1, h2);

	assert_int_equal(transport_get(*state, dst, back, NULL, NULL, 10000,
	    &e), 0);
	assert_int_equal(sha256_file(back, h2, &e), 0);
	assert_string_equal(h1, h2);

	/* A missing source. */
	assert_int_equal(transport_put(*state, "/nonexistent/x", dst, NULL,
	    NULL, 1000, &e), -1);
	assert_non_null(strstr(e.msg, "/nonexistent/x"));
	f = fopen(part, "r");
	assert_null(f);
	free(src);
	free(dst);
	free(part);
	free(back);
}

static void
test_files(void **state)
{
	char *dir = path("a/b/c"), *f1 = path("a/b/c/one"), *f2 =
	    path("a/b/c/two");
	struct rdir d;
	struct rstat st;
	struct err e = { "" };
	uint64_t fb, tb;
	char *data;
	size_t len;
	struct stat sb;

	assert_int_equal(transport_mkdir(*state, dir, 1000, &e), 0);
	assert_int_equal(transport_mkdir(*state, dir, 1000, &e), 0);
	assert_int_equal(transport_write_file(*state, f1, "hello", 5, 0600,
	    1000, &e), 0);
	assert_int_equal(stat(f1, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	assert_int_equal(transport_read_file(*state, f1, 100, &data, &len,
	    1000, &e), 0);
	assert_int_equal(len, 5);
	assert_string_equal(data, "hello");
	free(data);
	assert_int_equal(transport_read_file(*state, f1, 4, &data, &len,
	    1000, &e), -1);
	assert_non_null(strstr(e.msg, "larger"));
	assert_int_equal(transport_rename(*state, f1, f2, 1000, &e), 0);
	assert_int_equal(transport_stat(*state, f2, &st, 1000, &e), 0);
	assert_true(st.exists);
	assert_false(st.is_dir);
	assert_int_equal(st.size, 5);
	assert_true(st.mtime > 1700000000);
	assert_int_equal(transport_stat(*state, f1, &st, 1000, &e), 0);
	assert_false(st.exists);
	assert_int_equal(transport_list(*state, dir, &d, 1000, &e), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.e[0].name, "two");
	rdir_free(&d);
	assert_int_equal(transport_list(*state, "/nonexistent", &d, 1000, &e),
	    -1);
	assert_int_equal(transport_free_space(*state, dir, &fb, &tb, 1000,
	    &e), 0);
	assert_true(fb > 0 && tb >= fb);
	assert_int_equal(transport_remove(*state, f2, 1000, &e), 0);
	assert_int_equal(transport_remove(*state, dir, 1000, &e), 0);
	assert_int_equal(transport_stat(*state, dir, &st, 1000, &e), 0);
	assert_false(st.exists);
	free(dir);
	free(f1);
	free(f2);
}

static void
test_tunnel_is_direct(void **state)
{
	char lh[64];
	int lp;
	struct err e = { "" };

	assert_int_equal(transport_tunnel(*state, "127.0.0.1", 5432, lh, &lp,
	    1000, &e), 0);
	assert_string_equal(lh, "127.0.0.1");
	assert_int_equal(lp, 5432);
}

static void
test_os(void **state)
{
	struct err e = { "" };
	char *p;
	pid_t pid;

	assert_true(os_pid_alive(getpid()));
	assert_false(os_pid_alive(0));
	assert_false(os_pid_alive(-5));
	/* A zombie counts as dead. */
	pid = fork();
	if (pid == 0)
		_exit(0);
	usleep(100000);
	assert_false(os_pid_alive(pid));
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	assert_false(os_pid_alive(pid));
	assert_true(os_ncpu() >= 1);
	assert_non_null(strchr(os_actor(), '@'));
	assert_true(strlen(os_hostname()) > 0);
	setenv("HOME", "/home/x", 1);
	p = os_expand_home("~/a/b");
	assert_string_equal(p, "/home/x/a/b");
	free(p);
	p = os_expand_home("/abs/~/x");
	assert_string_equal(p, "/abs/~/x");
	free(p);
	p = os_expand_home("~");
	assert_string_equal(p, "/home/x");
	free(p);
	p = path("app.log");
	{
		int fd = os_open_append(p, 0, &e);

		assert_true(fd >= 0);
		assert_int_equal(os_fsync(fd), 0);
		close(fd);
	}
	{
		struct stat sb;

		assert_int_equal(stat(p, &sb), 0);
		assert_int_equal(sb.st_mode & 0777, 0600);
	}
	assert_int_equal(os_open_append("/nonexistent/x", 0, &e), -1);
	free(p);
	assert_int_equal(os_mkdir_p("/proc/drdeck-no/x", 0755, &e), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_out_err_status),
		cmocka_unit_test(test_exec_describe),
		cmocka_unit_test(test_exec_signal),
		cmocka_unit_test(test_exec_missing_program),
		cmocka_unit_test(test_exec_stdin_and_big_output),
		cmocka_unit_test(test_exec_deadline_kills_group),
		cmocka_unit_test(test_exec_daemon_holding_pipes),
		cmocka_unit_test(test_exec_cancel),
		cmocka_unit_test(test_put_get_resume),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_tunnel_is_direct),
		cmocka_unit_test(test_os),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
