/*
 * os-posix.c: the OS interface (os.h) on Linux, the BSDs and macOS.
 *
 * Processes are started with posix_spawnp in a process group of their
 * own, so that a deadline can kill the command and everything it
 * started.  Files are written with fsync before rename.  Any thread; the
 * only blocking calls are the file system's and os_proc_wait_free().
 */
#define _GNU_SOURCE	/* pipe2 */
#include "os.h"

#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xmalloc.h"

extern char **environ;

struct os_proc {
	pid_t	 pid;
	int	 done;
	int	 exited;
	int	 status;
	char	 sig[32];
};

static const struct {
	int	 num;
	const char *name;
} signames[] = {
	{ SIGHUP, "HUP" }, { SIGINT, "INT" }, { SIGQUIT, "QUIT" },
	{ SIGILL, "ILL" }, { SIGTRAP, "TRAP" }, { SIGABRT, "ABRT" },
	{ SIGBUS, "BUS" }, { SIGFPE, "FPE" }, { SIGKILL, "KILL" },
	{ SIGUSR1, "USR1" }, { SIGSEGV, "SEGV" }, { SIGUSR2, "USR2" },
	{ SIGPIPE, "PIPE" }, { SIGALRM, "ALRM" }, { SIGTERM, "TERM" },
	{ SIGXCPU, "XCPU" }, { SIGXFSZ, "XFSZ" }, { SIGSYS, "SYS" },
};

static void
signame(int num, char out[32])
{
	size_t i;

	for (i = 0; i < sizeof signames / sizeof signames[0]; i++)
		if (signames[i].num == num) {
			snprintf(out, 32, "%s", signames[i].name);
			return;
		}
	snprintf(out, 32, "SIG%d", num);
}

/* environ plus env_add ("K=V" replacing an existing K). */
static char **
build_env(const char *const *env_add)
{
	size_t n = 0, na = 0, i, j, k;
	char **env;

	while (environ[n] != NULL)
		n++;
	while (env_add[na] != NULL)
		na++;
	env = xcalloc(n + na + 1, sizeof *env);
	k = 0;
	for (i = 0; i < n; i++) {
		const char *eq = strchr(environ[i], '=');
		size_t klen = eq ? (size_t)(eq - environ[i]) : strlen(environ[i]);
		int replaced = 0;

		for (j = 0; j < na; j++)
			if (strncmp(env_add[j], environ[i], klen) == 0 &&
			    env_add[j][klen] == '=')
				replaced = 1;
		if (!replaced)
			env[k++] = environ[i];
	}
	for (j = 0; j < na; j++)
		env[k++] = (char *)env_add[j];
	env[k] = NULL;
	return env;
}

int
os_spawn(const char *const *argv, const char *const *env_add,
    struct os_proc **out, int *in_fd, int *out_fd, int *err_fd,
    struct err *e)
{
	int pin[2] = { -1, -1 }, pout[2] = { -1, -1 }, perr[2] = { -1, -1 };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t sa;
	sigset_t none, dfl;
	char **env = NULL;
	pid_t pid;
	int rc = -1, r;

	*out = NULL;
	if (argv == NULL || argv[0] == NULL)
		return err_set(e, "spawn: empty command");
	if (pipe2(pin, O_CLOEXEC) == -1 || pipe2(pout, O_CLOEXEC) == -1 ||
	    pipe2(perr, O_CLOEXEC) == -1) {
		err_set(e, "spawn %s: pipe: %s", argv[0], strerror(errno));
		goto fail;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pin[0], 0);
	posix_spawn_file_actions_adddup2(&fa, pout[1], 1);
	posix_spawn_file_actions_adddup2(&fa, perr[1], 2);
	posix_spawnattr_init(&sa);
	sigemptyset(&none);
	sigfillset(&dfl);
	sigdelset(&dfl, SIGKILL);
	sigdelset(&dfl, SIGSTOP);
	posix_spawnattr_setsigmask(&sa, &none);
	posix_spawnattr_setsigdefault(&sa, &dfl);
	posix_spawnattr_setpgroup(&sa, 0);
	posix_spawnattr_setflags(&sa, POSIX_SPAWN_SETPGROUP |
	    POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	if (env_add != NULL)
		env = build_env(env_add);
	r = posix_spawnp(&pid, argv[0], &fa, &sa, (char *const *)argv,
	    env != NULL ? env : environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&sa);
	free(env);
	if (r != 0) {
		err_set(e, "spawn %s: %s", argv[0], strerror(r));
		goto fail;
	}
	close(pin[0]);
	close(pout[1]);
	close(perr[1]);
	fcntl(pin[1], F_SETFL, O_NONBLOCK);
	fcntl(pout[0], F_SETFL, O_NONBLOCK);
	fcntl(perr[0], F_SETFL, O_NONBLOCK);
	*out = xcalloc(1, sizeof **out);
	(*out)->pid = pid;
	*in_fd = pin[1];
	*out_fd = pout[0];
	*err_fd = perr[0];
	return 0;
fail:
	for (r = 0; r < 2; r++) {
		if (pin[r] != -1)
			close(pin[r]);
		if (pout[r] != -1)
			close(pout[r]);
		if (perr[r] != -1)
			close(perr[r]);
	}
	return rc;
}

void
os_proc_kill(struct os_proc *p)
{
	if (p == NULL || p->done)
		return;
	/* The group first (the command's children), then the leader. */
	kill(-p->pid, SIGKILL);
	kill(p->pid, SIGKILL);
}

static void
fill_status(struct os_proc *p, int ws)
{
	p->done = 1;
	if (WIFEXITED(ws)) {
		p->exited = 1;
		p->status = WEXITSTATUS(ws);
		p->sig[0] = '\0';
	} else if (WIFSIGNALED(ws)) {
		p->exited = 0;
		p->status = 0;
		signame(WTERMSIG(ws), p->sig);
	}
}

static void
copy_out(const struct os_proc *p, int *exited, int *status, char sig[32])
{
	if (exited != NULL)
		*exited = p->exited;
	if (status != NULL)
		*status = p->status;
	if (sig != NULL)
		memcpy(sig, p->sig, 32);
}

int
os_proc_poll(struct os_proc *p, int *exited, int *status, char sig[32])
{
	pid_t r;
	int ws;

	if (!p->done) {
		do
			r = waitpid(p->pid, &ws, WNOHANG);
		while (r == -1 && errno == EINTR);
		if (r == 0)
			return 0;
		if (r == -1) {
			/* Reaped elsewhere: its outcome is unknown. */
			p->done = 1;
			p->exited = 0;
			snprintf(p->sig, sizeof p->sig, "unknown");
		} else
			fill_status(p, ws);
	}
	copy_out(p, exited, status, sig);
	return 1;
}

void
os_proc_wait_free(struct os_proc *p, int *exited, int *status, char sig[32])
{
	pid_t r;
	int ws;

	if (p == NULL)
		return;
	if (!p->done) {
		do
			r = waitpid(p->pid, &ws, 0);
		while (r == -1 && errno == EINTR);
		if (r == -1) {
			p->done = 1;
			p->exited = 0;
			snprintf(p->sig, sizeof p->sig, "unknown");
		} else
			fill_status(p, ws);
	}
	copy_out(p, exited, status, sig);
	free(p);
}

/* fsync the folder holding path, so that a rename survives a crash. */
static void
fsync_parent(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	int fd;

	if (slash == dir)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
os_write_file_atomic(const char *path, const void *data, size_t len,
    int mode, struct err *e)
{
	char *tmp = xasprintf("%s.tmp", path);
	const char *p = data;
	size_t off = 0;
	ssize_t n;
	int fd, rc = -1;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd == -1) {
		err_set(e, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fchmod(fd, mode) == -1) {
		err_set(e, "%s: chmod: %s", tmp, strerror(errno));
		goto fail;
	}
	while (off < len) {
		n = write(fd, p + off, len - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, "%s: write: %s", tmp, strerror(errno));
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1) {
		err_set(e, "%s: fsync: %s", tmp, strerror(errno));
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		err_set(e, "%s: close: %s", tmp, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) == -1) {
		err_set(e, "%s: rename to %s: %s", tmp, path, strerror(errno));
		goto fail;
	}
	fsync_parent(path);
	rc = 0;
	goto out;
fail:
	if (fd != -1)
		close(fd);
	unlink(tmp);
out:
	free(tmp);
	return rc;
}

int
os_open_append(const char *path, int mode, struct err *e)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC,
	    mode != 0 ? mode : 0600);
	if (fd == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	return fd;
}

int
os_fsync(int fd)
{
	return fsync(fd);
}

int
os_mkdir_p(const char *path, int mode, struct err *e)
{
	char *p = xstrdup(path), *s;
	struct stat st;
	int rc = -1;

	if (*p == '\0') {
		free(p);
		return err_set(e, "mkdir: empty path");
	}
	for (s = p + 1;; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		{
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) == -1 && errno != EEXIST) {
				err_set(e, "mkdir %s: %s", p, strerror(errno));
				goto out;
			}
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	if (stat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		err_set(e, "mkdir %s: exists and is not a folder", path);
		goto out;
	}
	rc = 0;
out:
	free(p);
	return rc;
}

int
os_free_space(const char *path, uint64_t *free_bytes, uint64_t *total_bytes,
    struct err *e)
{
	struct statvfs sv;

	if (statvfs(path, &sv) == -1)
		return err_set(e, "%s: statvfs: %s", path, strerror(errno));
	if (free_bytes != NULL)
		*free_bytes = (uint64_t)sv.f_bavail * sv.f_frsize;
	if (total_bytes != NULL)
		*total_bytes = (uint64_t)sv.f_blocks * sv.f_frsize;
	return 0;
}

static pthread_once_t names_once = PTHREAD_ONCE_INIT;
static char host_name[256];
static char actor_name[512];

static void
names_init(void)
{
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096];
	const char *user = NULL;

	if (gethostname(host_name, sizeof host_name) == -1)
		snprintf(host_name, sizeof host_name, "localhost");
	host_name[sizeof host_name - 1] = '\0';
	if (getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &pwp) == 0 &&
	    pwp != NULL)
		user = pwp->pw_name;
	if (user == NULL)
		user = getenv("USER");
	if (user == NULL)
		user = "unknown";
	snprintf(actor_name, sizeof actor_name, "%s@%s", user, host_name);
}

const char *
os_actor(void)
{
	pthread_once(&names_once, names_init);
	return actor_name;
}

const char *
os_hostname(void)
{
	pthread_once(&names_once, names_init);
	return host_name;
}

int
os_ncpu(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (int)n : 1;
}

void
os_signals_reset(void)
{
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int
os_pid_alive(long pid)
{
	char path[64], buf[512], *rp;
	ssize_t n;
	int fd;

	if (pid <= 0 || pid > INT_MAX)
		return 0;
	if (kill((pid_t)pid, 0) == -1 && errno != EPERM)
		return 0;
	/* A zombie still answers kill(0): look at its state (Linux). */
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return errno == ENOENT && access("/proc/self/stat", F_OK) == 0 ?
		    0 : 1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* "pid (comm) S ...": comm may hold spaces and parentheses. */
	if ((rp = strrchr(buf, ')')) == NULL || rp[1] != ' ')
		return 1;
	return rp[2] != 'Z' && rp[2] != 'X';
}

char *
os_expand_home(const char *path)
{
	struct passwd pw, *pwp = NULL;
	char pwbuf[4096];
	const char *home;

	if (path == NULL)
		return NULL;
	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return xstrdup(path);
	home = getenv("HOME");
	if ((home == NULL || *home == '\0') &&
	    getpwuid_r(getuid(), &pw, pwbuf, sizeof pwbuf, &pwp) == 0 &&
	    pwp != NULL)
		home = pwp->pw_dir;
	if (home == NULL)
		home = "/";
	return xasprintf("%s%s", home, path + 1);
}
