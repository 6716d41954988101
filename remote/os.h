/*
 * os.h: the one small interface to the operating system.
 *
 * Everything OS-specific sits behind it: os-posix.c (Linux, the BSDs,
 * macOS) and os-win32.c (Windows: CreateProcess, job objects, _commit).
 * Nothing above remote/ calls fork(), fsync() or the like directly.
 */
#ifndef DRDECK_OS_H
#define DRDECK_OS_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct os_proc;

/*
 * Spawn argv (no shell) in its own process group with stdin, stdout and
 * stderr on pipes (non-blocking ends returned).  env_add may be NULL or a
 * NULL-terminated list of "K=V" added to the environment.
 */
int os_spawn(const char *const *argv, const char *const *env_add,
    struct os_proc **out, int *in_fd, int *out_fd, int *err_fd,
    struct err *e) WUR;
/* Kill the whole process group (SIGKILL / TerminateJobObject). */
void os_proc_kill(struct os_proc *p);
/* Non-blocking wait: 1 ended (status / signal filled), 0 still running. */
int os_proc_poll(struct os_proc *p, int *exited, int *status, char sig[32]);
/* Blocking wait, then free. */
void os_proc_wait_free(struct os_proc *p, int *exited, int *status,
    char sig[32]);

/* Write a whole file atomically: path.tmp, fsync, rename, mode. */
int os_write_file_atomic(const char *path, const void *data, size_t len,
    int mode, struct err *e) WUR;
/* Open for append with mode (created 0600 by default), O_APPEND. */
int os_open_append(const char *path, int mode, struct err *e) WUR;
/* fsync / _commit. */
int os_fsync(int fd);
/* mkdir -p with mode for what it creates. */
int os_mkdir_p(const char *path, int mode, struct err *e) WUR;
/* Free and total bytes of the volume holding path. */
int os_free_space(const char *path, uint64_t *free_bytes,
    uint64_t *total_bytes, struct err *e) WUR;

/*
 * Start from an empty signal mask.  A parent (a scheduler, a service
 * manager, a CI runner) may pass signals blocked, and a blocked SIGTERM
 * or SIGHUP would leave drdeck deaf to being told to stop.  Called first
 * thing in main(), before any thread exists.
 */
void os_signals_reset(void);

/* user@machine of whoever runs drdeck. */
const char *os_actor(void);
/* This machine's host name. */
const char *os_hostname(void);
/* Number of online CPUs. */
int os_ncpu(void);
/* 1 when the process with pid runs on this machine (zombies count as dead). */
int os_pid_alive(long pid);
/* Expand a leading ~/ (returns a new string). */
char *os_expand_home(const char *path);

#endif
