/*
 * drv_remote.c: drives one transport for the remote_*.sh lab tests.
 *
 *   drv_remote [OPTIONS] CONFIG HOST COMMAND ARGS...
 *
 * Commands:
 *   open                     connect (host key, auth) and say "ok"
 *   exec ARGV...             run argv; its stdout to stdout byte for byte,
 *                            its stderr to stderr, then "result: ..." on
 *                            stderr.  Exit 0 if it succeeded, 1 if it
 *                            ran and failed, 2 if it could not be run.
 *   script TEXT              the same for a command line for the shell
 *   put LOCAL REMOTE         ship a file; "first-progress: N" on stderr
 *   get REMOTE LOCAL
 *   sha256 PATH | stat PATH | list DIR | mkdir PATH | remove PATH
 *   rename FROM TO | free PATH | read PATH | write PATH (data on stdin)
 *   tunnel RHOST RPORT CMD ARGS...   run CMD locally with {port} in its
 *                            arguments replaced by the forwarded port
 *   wait SECONDS             wait for a line on stdin (or SECONDS)
 *   seq CMD... @@ CMD...     several commands on the same transport;
 *                            "step N: RC" on stderr after each
 * Options:
 *   --timeout MS             each call's timeout (default 10000)
 *   --stdin FILE             exec's stdin
 *   --hold-at BYTES          put/get: at that many bytes, print "holding"
 *                            on stderr and wait for a line on stdin
 *   --cancel-after MS        raise the transport's cancel flag after MS
 */
#include <sys/wait.h>

#include <errno.h>
#include <pthread.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "config.h"
#include "os.h"
#include "transport.h"
#include "xmalloc.h"

static int64_t timeout_ms = 10000;
static char *stdin_file;
static uint64_t hold_at;
static int held;
static int64_t first_progress = -1;
static int cancel_after_ms;
static volatile int cancel_flag;

static void *
canceller(void *arg)
{
	usleep((useconds_t)cancel_after_ms * 1000);
	cancel_flag = 1;
	return NULL;
}

static int
progress(uint64_t done, uint64_t total, void *arg)
{
	char line[64];

	if (first_progress < 0) {
		first_progress = (int64_t)done;
		fprintf(stderr, "first-progress: %" PRIu64 " of %" PRIu64 "\n",
		    done, total);
	}
	if (hold_at > 0 && !held && done >= hold_at) {
		held = 1;
		fprintf(stderr, "holding at %" PRIu64 "\n", done);
		if (fgets(line, sizeof line, stdin) == NULL)
			sleep(30);
	}
	return 0;
}

static char *
slurp(FILE *f, size_t *len)
{
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;

	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	*len = b.len;
	return buf_detach(&b);
}

static int
run_local(char **argv)
{
	pid_t pid = fork();
	int ws;

	if (pid == 0) {
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid == -1 || waitpid(pid, &ws, 0) == -1)
		return 2;
	return WIFEXITED(ws) ? WEXITSTATUS(ws) : 2;
}

static int
command(struct transport *t, int argc, char **argv)
{
	const char *cmd = argv[0];
	struct err e = { "" };
	int rc = 0;

	if (strcmp(cmd, "open") == 0) {
		printf("ok\n");
	} else if (strcmp(cmd, "exec") == 0 || strcmp(cmd, "script") == 0) {
		struct exec_result r;
		char *in = NULL, d[EXEC_DESCRIBE_MAX];
		size_t in_len = 0;
		int x;

		if (argc < 2)
			goto usage;
		if (stdin_file != NULL) {
			FILE *f = strcmp(stdin_file, "-") == 0 ? stdin :
			    fopen(stdin_file, "r");

			if (f == NULL) {
				fprintf(stderr, "%s: %s\n", stdin_file,
				    strerror(errno));
				return 2;
			}
			in = slurp(f, &in_len);
			if (f != stdin)
				fclose(f);
		}
		if (strcmp(cmd, "exec") == 0)
			x = transport_exec(t, (const char *const *)argv + 1, in,
			    in_len, timeout_ms, &r, &e);
		else
			x = transport_exec_script(t, argv[1], in, in_len,
			    timeout_ms, &r, &e);
		free(in);
		fwrite(r.out, 1, r.out_len, stdout);
		fflush(stdout);
		fwrite(r.errout, 1, r.err_len, stderr);
		if (x == -1) {
			fprintf(stderr, "result: error: %s\n", e.msg);
			rc = 2;
		} else {
			fprintf(stderr, "result: %s%s%s in %" PRId64 " ms\n",
			    exec_describe(&r, d, sizeof d),
			    r.out_trunc ? " (stdout truncated)" : "",
			    r.err_trunc ? " (stderr truncated)" : "",
			    r.duration_ms);
			rc = exec_ok(&r) ? 0 : 1;
		}
		exec_result_free(&r);
		return rc;
	} else if (strcmp(cmd, "put") == 0 && argc == 3) {
		rc = transport_put(t, argv[1], argv[2], progress, NULL,
		    timeout_ms, &e);
	} else if (strcmp(cmd, "get") == 0 && argc == 3) {
		rc = transport_get(t, argv[1], argv[2], progress, NULL,
		    timeout_ms, &e);
	} else if (strcmp(cmd, "sha256") == 0 && argc == 2) {
		char hex[65];

		if ((rc = transport_sha256(t, argv[1], hex, timeout_ms, &e)) ==
		    0)
			printf("%s\n", hex);
	} else if (strcmp(cmd, "stat") == 0 && argc == 2) {
		struct rstat st;

		if ((rc = transport_stat(t, argv[1], &st, timeout_ms, &e)) == 0)
			printf("exists=%d dir=%d size=%" PRIu64 " mtime=%"
			    PRId64 "\n", st.exists, st.is_dir, st.size,
			    st.mtime);
	} else if (strcmp(cmd, "list") == 0 && argc == 2) {
		struct rdir d;
		size_t i;

		if ((rc = transport_list(t, argv[1], &d, timeout_ms, &e)) ==
		    0) {
			for (i = 0; i < d.n; i++)
				printf("%s%s %" PRIu64 "\n", d.e[i].name,
				    d.e[i].is_dir ? "/" : "", d.e[i].size);
			rdir_free(&d);
		}
	} else if (strcmp(cmd, "mkdir") == 0 && argc == 2) {
		rc = transport_mkdir(t, argv[1], timeout_ms, &e);
	} else if (strcmp(cmd, "remove") == 0 && argc == 2) {
		rc = transport_remove(t, argv[1], timeout_ms, &e);
	} else if (strcmp(cmd, "rename") == 0 && argc == 3) {
		rc = transport_rename(t, argv[1], argv[2], timeout_ms, &e);
	} else if (strcmp(cmd, "free") == 0 && argc == 2) {
		uint64_t fb, tb;

		if ((rc = transport_free_space(t, argv[1], &fb, &tb,
		    timeout_ms, &e)) == 0)
			printf("free=%" PRIu64 " total=%" PRIu64 "\n", fb, tb);
	} else if (strcmp(cmd, "read") == 0 && argc == 2) {
		char *data;
		size_t len;

		if ((rc = transport_read_file(t, argv[1], 1 << 20, &data, &len,
		    timeout_ms, &e)) == 0) {
			fwrite(data, 1, len, stdout);
			free(data);
		}
	} else if (strcmp(cmd, "write") == 0 && argc == 2) {
		size_t len;
		char *data = slurp(stdin, &len);

		rc = transport_write_file(t, argv[1], data, len, 0600,
		    timeout_ms, &e);
		free(data);
	} else if (strcmp(cmd, "tunnel") == 0 && argc >= 4) {
		char lh[64], ps[16];
		int lp, i;

		if ((rc = transport_tunnel(t, argv[1], atoi(argv[2]), lh, &lp,
		    timeout_ms, &e)) == 0) {
			char **cargv = xcalloc((size_t)argc, sizeof *cargv);

			snprintf(ps, sizeof ps, "%d", lp);
			fprintf(stderr, "tunnel: %s:%d\n", lh, lp);
			for (i = 3; i < argc; i++)
				cargv[i - 3] = strcmp(argv[i], "{port}") == 0 ?
				    ps : argv[i];
			rc = run_local(cargv);
			free(cargv);
			return rc;
		}
	} else if (strcmp(cmd, "wait") == 0 && argc == 2) {
		char line[64];

		fprintf(stderr, "waiting\n");
		if (fgets(line, sizeof line, stdin) == NULL)
			sleep((unsigned)atoi(argv[1]));
		return 0;
	} else if (strcmp(cmd, "seq") == 0 && argc >= 2) {
		int i, start = 1, step = 0;

		for (i = 1; i <= argc; i++) {
			if (i < argc && strcmp(argv[i], "@@") != 0)
				continue;
			int64_t t0 = clock_mono_ms();

			argv[i < argc ? i : argc] = NULL;
			rc = command(t, i - start, argv + start);
			fflush(stdout);
			fprintf(stderr, "step %d: %d in %" PRId64 " ms\n", ++step,
			    rc, clock_mono_ms() - t0);
			start = i + 1;
		}
		return rc;
	} else
		goto usage;
	if (rc == -1) {
		fprintf(stderr, "error: %s\n", e.msg);
		return 2;
	}
	return 0;
usage:
	fprintf(stderr, "drv_remote: bad command %s\n", cmd);
	return 2;
}

int
main(int argc, char **argv)
{
	const struct host_cfg *h;
	struct config *cfg;
	struct transport *t;
	struct err e = { "" };
	int64_t t0;
	int rc, i = 1;

	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "--timeout") == 0)
			timeout_ms = atoll(argv[i + 1]);
		else if (strcmp(argv[i], "--stdin") == 0)
			stdin_file = argv[i + 1];
		else if (strcmp(argv[i], "--hold-at") == 0)
			hold_at = strtoull(argv[i + 1], NULL, 10);
		else if (strcmp(argv[i], "--cancel-after") == 0)
			cancel_after_ms = atoi(argv[i + 1]);
		else
			break;
	}
	if (argc - i < 3) {
		fprintf(stderr, "usage: drv_remote [--timeout MS] [--stdin "
		    "FILE] [--hold-at BYTES] CONFIG HOST COMMAND ARGS...\n");
		return 2;
	}
	if (config_load(argv[i], &cfg, NULL, &e) == -1) {
		fprintf(stderr, "drv_remote: %s\n", e.msg);
		return 2;
	}
	if ((h = config_host(cfg, argv[i + 1])) == NULL) {
		fprintf(stderr, "drv_remote: no host %s\n", argv[i + 1]);
		return 2;
	}
	t0 = clock_mono_ms();
	if (transport_open(h, timeout_ms, &t, &e) == -1) {
		fprintf(stderr, "error: %s\n", e.msg);
		fprintf(stderr, "open took: %" PRId64 " ms\n",
		    clock_mono_ms() - t0);
		config_free(cfg);
		return 3;
	}
	if (cancel_after_ms > 0) {
		pthread_t th;

		transport_set_cancel(t, &cancel_flag);
		pthread_create(&th, NULL, canceller, NULL);
		pthread_detach(th);
	}
	t0 = clock_mono_ms();
	rc = command(t, argc - i - 2, argv + i + 2);
	fflush(stdout);
	fprintf(stderr, "took: %" PRId64 " ms\n", clock_mono_ms() - t0);
	transport_close(t);
	config_free(cfg);
	return rc;
}
