/*
 * transport.h: everything drdeck does on a host goes through here.
 *
 * One interface, two kinds: local (the machine drdeck runs on; processes
 * spawned through the OS interface os.h) and ssh (libssh2: exec channels,
 * SFTP, direct-tcpip tunnels).  Callers never know which one they have.
 *
 * Threading: a transport is owned by one thread at a time (the host's
 * poller worker, or a job / workflow).  Two transports to the same host
 * are independent.  Every call takes a timeout in milliseconds and cannot
 * block past it; a cancel flag (transport_set_cancel) ends the current
 * call early with an error.  Functions return 0 / -1 with e set; the
 * message names the host.
 *
 * Paths are the far host's own paths (C:\Backups\db on windows).
 */
#ifndef DRDECK_TRANSPORT_H
#define DRDECK_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"

struct transport;

/* Output kept per stream; more is dropped and flagged. */
#define EXEC_OUT_MAX (1024 * 1024)

struct exec_result {
	int	 exited;	/* 1 when an exit status was delivered */
	int	 status;	/* that exit status */
	char	 signal[32];	/* the signal that ended it ("" if none) */
	int	 timed_out;	/* killed at its deadline */
	/* Past its deadline or cancelled: what became of the command on
	 * the far side when that is worth saying ("stopped it on backup
	 * (pid 1234)", "the command may still run on backup (no answer to
	 * stop it)"); "" otherwise. */
	char	 stop[160];
	char	*out;		/* stdout, NUL-terminated; never NULL after exec */
	size_t	 out_len;
	int	 out_trunc;
	char	*errout;	/* stderr, NUL-terminated */
	size_t	 err_len;
	int	 err_trunc;
	int64_t	 duration_ms;
};

/* The command succeeded: exit status delivered, 0, no signal, no timeout. */
int exec_ok(const struct exec_result *r);
/* One line describing how it ended: "exit 0", "exit 3", "signal KILL",
 * "timed out after 5.0 s", "timed out after 5.0 s; stopped it on backup
 * (pid 1234)", "no exit status (channel dropped)".  EXEC_DESCRIBE_MAX
 * holds the longest; in less, the stop is left out rather than cut. */
#define EXEC_DESCRIBE_MAX 256
const char *exec_describe(const struct exec_result *r, char *buf, size_t len);
void exec_result_free(struct exec_result *r);

struct rstat {
	int	 exists;
	int	 is_dir;
	uint64_t size;
	int64_t	 mtime;		/* seconds since the epoch, UTC */
};

struct rdirent {
	char	*name;
	int	 is_dir;
	uint64_t size;
	int64_t	 mtime;
};

struct rdir {
	struct rdirent *e;
	size_t	 n;
};
void rdir_free(struct rdir *d);

/* Progress of a put / get: bytes done of total. Return non-zero to cancel. */
typedef int (*transport_progress_cb)(uint64_t done, uint64_t total, void *arg);

/* Open a transport for a host (ssh: connect, verify the host key against
 * known_hosts, authenticate).  Sessions are reused by later calls and
 * reopened with backoff after a drop. */
int transport_open(const struct host_cfg *h, int64_t timeout_ms,
    struct transport **out, struct err *e) WUR;
void transport_close(struct transport *t);
const struct host_cfg *transport_host(const struct transport *t);
/* Make any call in progress (and later ones) fail while *flag != 0. */
void transport_set_cancel(struct transport *t, volatile int *flag);

/*
 * Run argv on the host, quoted for its shell (quote.h).  stdin_data may
 * be NULL.  Returns 0 when the command ran (whatever its exit status; see
 * r, and exec_ok()), -1 when it could not be run or its outcome is not
 * known (e set; r still holds what arrived).  A command past its timeout
 * is killed and reported with r->timed_out; a command cancelled is killed
 * too.  Over ssh the kill is a command of its own on the host (pidmark.h)
 * and r->stop says how it went.
 */
int transport_exec(struct transport *t, const char *const *argv,
    const char *stdin_data, size_t stdin_len, int64_t timeout_ms,
    struct exec_result *r, struct err *e) WUR;

/*
 * Run a command line already built for the host's shell with quote.h
 * (every value in it quoted by quote_sh_word / quote_ps_word): for
 * scripts that need the shell itself (pipes, cmdlets).  sh: passed as
 * it is; powershell / cmd: a PowerShell script, sent as -EncodedCommand.
 * Outcome as transport_exec().
 */
int transport_exec_script(struct transport *t, const char *script,
    const char *stdin_data, size_t stdin_len, int64_t timeout_ms,
    struct exec_result *r, struct err *e) WUR;

/*
 * Copy a local file to the host: written as remote_path.part (resumed if
 * one is there), sha256 checked on the host against the local file's,
 * fsync'd, then renamed to remote_path.  Refuses before writing when the
 * far side lacks the room.  Nothing ever carries remote_path while
 * incomplete.
 */
int transport_put(struct transport *t, const char *local_path,
    const char *remote_path, transport_progress_cb cb, void *arg,
    int64_t timeout_ms, struct err *e) WUR;
/* The reverse: host file to a local file (.part resumed when it holds a
 * prefix of the host's file, room checked first, sha256, rename). */
int transport_get(struct transport *t, const char *remote_path,
    const char *local_path, transport_progress_cb cb, void *arg,
    int64_t timeout_ms, struct err *e) WUR;

int transport_stat(struct transport *t, const char *path, struct rstat *st,
    int64_t timeout_ms, struct err *e) WUR;
int transport_list(struct transport *t, const char *dir, struct rdir *out,
    int64_t timeout_ms, struct err *e) WUR;
/* Rename, replacing an existing `to` (atomically where the host can). */
int transport_rename(struct transport *t, const char *from, const char *to,
    int64_t timeout_ms, struct err *e) WUR;
/* Remove a file or an empty folder; a path that is not there is fine. */
int transport_remove(struct transport *t, const char *path,
    int64_t timeout_ms, struct err *e) WUR;
/* Create a folder and its missing parents; an existing folder is fine. */
int transport_mkdir(struct transport *t, const char *path, int64_t timeout_ms,
    struct err *e) WUR;
/* SHA-256 of a file computed on the host itself; hex is 64 chars + NUL. */
int transport_sha256(struct transport *t, const char *path, char hex[65],
    int64_t timeout_ms, struct err *e) WUR;
int transport_free_space(struct transport *t, const char *path,
    uint64_t *free_bytes, uint64_t *total_bytes, int64_t timeout_ms,
    struct err *e) WUR;
/* Read a small file whole (at most max bytes, else an error). */
int transport_read_file(struct transport *t, const char *path, size_t max,
    char **data, size_t *len, int64_t timeout_ms, struct err *e) WUR;
/* Write a small file atomically (path.tmp, fsync, rename) with mode. */
int transport_write_file(struct transport *t, const char *path,
    const void *data, size_t len, int mode, int64_t timeout_ms,
    struct err *e) WUR;

/*
 * Forward a local port to host:port as seen from the far side (ssh:
 * direct-tcpip, served by a thread of the transport; local: no tunnel,
 * *local_port is port and *local_host is host).  The forward lives until
 * transport_close().  local_host receives "127.0.0.1" or the host itself.
 */
int transport_tunnel(struct transport *t, const char *host, int port,
    char local_host[64], int *local_port, int64_t timeout_ms,
    struct err *e) WUR;

/* Round-trip time of the last successful call, ms (-1 unknown). */
int64_t transport_rtt_ms(const struct transport *t);

#endif
