/*
 * tr-local.c: the local transport — the machine drdeck runs on.
 *
 * exec spawns argv through os.h (no shell; a script goes to /bin/sh -c)
 * in its own process group, feeds stdin and drains stdout and stderr in
 * one poll loop; at the deadline the whole group is killed.  Files are
 * plain file operations; put and get copy through NAME.part (resumed
 * when its content is a prefix of the source), compare sha256, fsync and
 * rename.  Runs on the thread that owns the transport; blocks on the
 * file system and on poll(), never past the deadline.
 */
#include "tr-int.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "os.h"
#include "sha256.h"
#include "xmalloc.h"

#define CHUNK (1024 * 1024)
#define TICK_MS 50

int
tr_local_open(struct transport *t, int64_t deadline, struct err *e)
{
	t->priv = NULL;
	return 0;
}

static void
local_close(struct transport *t)
{
}

static int
local_exec(struct transport *t, const char *const *argv, const char *script,
    const char *in, size_t in_len, int64_t deadline, struct exec_result *r,
    struct err *e)
{
	const char *sh[] = { "/bin/sh", "-c", script, NULL };
	struct os_proc *p = NULL;
	size_t in_off = 0, out_cap = 0, err_cap = 0;
	int in_fd, out_fd, err_fd, ended = 0, rc = -1;
	char buf[65536];
	ssize_t n;

	if (os_spawn(argv != NULL ? argv : sh, NULL, &p, &in_fd, &out_fd,
	    &err_fd, e) == -1)
		return -1;
	if (in == NULL || in_len == 0) {
		close(in_fd);
		in_fd = -1;
	}
	for (;;) {
		struct pollfd pf[3];
		int nf = 0, i;
		int64_t left;

		if (tr_cancelled(t)) {
			os_proc_kill(p);
			err_set(e, "exec %s: cancelled", argv ? argv[0] : "sh");
			goto out;
		}
		if (out_fd == -1 && err_fd == -1)
			break;
		if (!ended && os_proc_poll(p, NULL, NULL, NULL) == 1)
			ended = 1;
		left = clock_left_ms(deadline);
		if (left == 0) {
			os_proc_kill(p);
			r->timed_out = 1;
			rc = 0;
			goto out;
		}
		if (in_fd != -1)
			pf[nf++] = (struct pollfd){ in_fd, POLLOUT, 0 };
		if (out_fd != -1)
			pf[nf++] = (struct pollfd){ out_fd, POLLIN, 0 };
		if (err_fd != -1)
			pf[nf++] = (struct pollfd){ err_fd, POLLIN, 0 };
		/* Once the command has ended, take what is in the pipes and
		 * stop: a daemon it started may hold them open for ever. */
		if (poll(pf, nf, ended ? 0 : (int)(left < TICK_MS ? left :
		    TICK_MS)) == -1 && errno != EINTR) {
			os_proc_kill(p);
			err_set(e, "exec: poll: %s", strerror(errno));
			goto out;
		}
		for (i = 0; i < nf; i++) {
			if (pf[i].revents == 0 && !ended)
				continue;
			if (pf[i].fd == in_fd) {
				n = write(in_fd, in + in_off, in_len - in_off);
				if (n > 0)
					in_off += (size_t)n;
				if ((n == -1 && errno != EAGAIN &&
				    errno != EINTR) || in_off == in_len) {
					close(in_fd);
					in_fd = -1;
				}
				continue;
			}
			for (;;) {
				n = read(pf[i].fd, buf, sizeof buf);
				if (n > 0) {
					if (pf[i].fd == out_fd)
						tr_out_append(&r->out,
						    &r->out_len, &out_cap,
						    &r->out_trunc, buf,
						    (size_t)n);
					else
						tr_out_append(&r->errout,
						    &r->err_len, &err_cap,
						    &r->err_trunc, buf,
						    (size_t)n);
					continue;
				}
				if (n == -1 && errno == EINTR)
					continue;
				if (n == 0 || (n == -1 && errno != EAGAIN) ||
				    ended) {
					close(pf[i].fd);
					if (pf[i].fd == out_fd)
						out_fd = -1;
					else
						err_fd = -1;
				}
				break;
			}
		}
	}
	/* Both pipes closed: wait for the end, within the deadline. */
	while (os_proc_poll(p, NULL, NULL, NULL) == 0) {
		if (tr_cancelled(t)) {
			os_proc_kill(p);
			err_set(e, "exec %s: cancelled", argv ? argv[0] : "sh");
			goto out;
		}
		if (clock_left_ms(deadline) == 0) {
			os_proc_kill(p);
			r->timed_out = 1;
			break;
		}
		poll(NULL, 0, 2);
	}
	rc = 0;
out:
	if (in_fd != -1)
		close(in_fd);
	if (out_fd != -1)
		close(out_fd);
	if (err_fd != -1)
		close(err_fd);
	os_proc_wait_free(p, &r->exited, &r->status, r->signal);
	if (r->timed_out) {
		/* Killed by us: not its own outcome. */
		r->exited = 0;
		r->signal[0] = '\0';
	}
	return rc;
}

static char *
dir_of(const char *path)
{
	char *d = xstrdup(path), *s = strrchr(d, '/');

	if (s == d)
		s[1] = '\0';
	else if (s != NULL)
		*s = '\0';
	else {
		free(d);
		d = xstrdup(".");
	}
	return d;
}

static void
fsync_dir(const char *path)
{
	char *d = dir_of(path);
	int fd;

	if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)os_fsync(fd);
		close(fd);
	}
	free(d);
}

static int
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static char *
human(uint64_t n, char *buf, size_t len)
{
	if (n >= 1024ULL * 1024 * 1024)
		snprintf(buf, len, "%.1f GiB", (double)n / (1 << 30));
	else
		snprintf(buf, len, "%.1f MiB", (double)n / (1 << 20));
	return buf;
}

/*
 * Copy src to dst through dst.part: resumed when the .part holds a
 * prefix of src, room checked first, sha256 compared, fsync, rename.
 */
static int
copy_file(struct transport *t, const char *src, const char *dst,
    transport_progress_cb cb, void *arg, int64_t deadline, struct err *e)
{
	char *part = xasprintf("%s.part", dst), *dir = dir_of(dst);
	struct sha256_ctx *h = sha256_new();
	char *buf = NULL, want[65], got[65], b1[32], b2[32];
	uint64_t size, off = 0, room;
	struct stat st, pst;
	int in = -1, out = -1, rc = -1;
	ssize_t n;

	if ((in = open(src, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(in, &st) == -1) {
		err_set(e, "%s: %s", src, strerror(errno));
		goto out;
	}
	size = (uint64_t)st.st_size;
	if (stat(part, &pst) == 0 && S_ISREG(pst.st_mode) && pst.st_size > 0 &&
	    (uint64_t)pst.st_size <= size) {
		struct sha256_ctx *ph = sha256_new();

		if (sha256_file_into(h, src, 0, (uint64_t)pst.st_size, e) == -1 ||
		    sha256_file_into(ph, part, 0, UINT64_MAX, e) == -1) {
			sha256_free(ph);
			goto out;
		}
		{
			struct sha256_ctx *hc = sha256_dup(h);

			sha256_final_hex(hc, want);
		}
		sha256_final_hex(ph, got);
		if (strcmp(want, got) == 0)
			off = (uint64_t)pst.st_size;
		else {
			sha256_free(h);
			h = sha256_new();
		}
	}
	if (os_free_space(dir, &room, NULL, e) == -1)
		goto out;
	if (room < size - off) {
		err_set(e, "%s: not enough room: %s needed, %s free; nothing "
		    "written", dir, human(size - off, b1, sizeof b1),
		    human(room, b2, sizeof b2));
		goto out;
	}
	out = open(part, O_WRONLY | O_CREAT | O_CLOEXEC | (off ? 0 : O_TRUNC),
	    0600);
	if (out == -1 || (off > 0 && lseek(out, (off_t)off, SEEK_SET) == -1) ||
	    (off > 0 && ftruncate(out, (off_t)off) == -1)) {
		err_set(e, "%s: %s", part, strerror(errno));
		goto out;
	}
	if (off > 0 && lseek(in, (off_t)off, SEEK_SET) == -1) {
		err_set(e, "%s: seek: %s", src, strerror(errno));
		goto out;
	}
	buf = xmalloc(CHUNK);
	while (off < size) {
		if (tr_cancelled(t)) {
			err_set(e, "copy to %s: cancelled at %llu of %llu bytes",
			    part, (unsigned long long)off,
			    (unsigned long long)size);
			goto out;
		}
		if (clock_left_ms(deadline) == 0) {
			err_set(e, "copy to %s: timed out at %llu of %llu bytes "
			    "(the next copy resumes)", part,
			    (unsigned long long)off, (unsigned long long)size);
			goto out;
		}
		n = read(in, buf, CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, "%s: read: %s", src, n == 0 ?
			    "file shrank while copied" : strerror(errno));
			goto out;
		}
		if (write_all(out, buf, (size_t)n) == -1) {
			err_set(e, "%s: write: %s", part, strerror(errno));
			goto out;
		}
		sha256_update(h, buf, (size_t)n);
		off += (uint64_t)n;
		if (cb != NULL && cb(off, size, arg) != 0) {
			err_set(e, "copy to %s: cancelled", part);
			goto out;
		}
	}
	if (os_fsync(out) == -1 || close(out) == -1) {
		out = -1;
		err_set(e, "%s: fsync: %s", part, strerror(errno));
		goto out;
	}
	out = -1;
	sha256_final_hex(h, want);
	h = NULL;
	if (sha256_file(part, got, e) == -1)
		goto out;
	if (strcmp(want, got) != 0) {
		unlink(part);
		err_set(e, "%s: sha256 %s differs from %s's %s; removed",
		    part, got, src, want);
		goto out;
	}
	if (rename(part, dst) == -1) {
		err_set(e, "rename %s to %s: %s", part, dst, strerror(errno));
		goto out;
	}
	fsync_dir(dst);
	rc = 0;
out:
	sha256_free(h);
	free(buf);
	if (in != -1)
		close(in);
	if (out != -1)
		close(out);
	free(part);
	free(dir);
	return rc;
}

static int
local_put(struct transport *t, const char *local, const char *remote,
    transport_progress_cb cb, void *arg, int64_t deadline, struct err *e)
{
	return copy_file(t, local, remote, cb, arg, deadline, e);
}

static int
local_get(struct transport *t, const char *remote, const char *local,
    transport_progress_cb cb, void *arg, int64_t deadline, struct err *e)
{
	return copy_file(t, remote, local, cb, arg, deadline, e);
}

static int
local_stat(struct transport *t, const char *path, struct rstat *rs,
    int64_t deadline, struct err *e)
{
	struct stat st;

	if (stat(path, &st) == -1) {
		if (errno == ENOENT || errno == ENOTDIR) {
			rs->exists = 0;
			return 0;
		}
		return err_set(e, "stat %s: %s", path, strerror(errno));
	}
	rs->exists = 1;
	rs->is_dir = S_ISDIR(st.st_mode);
	rs->size = (uint64_t)st.st_size;
	rs->mtime = (int64_t)st.st_mtime;
	return 0;
}

static int
local_list(struct transport *t, const char *dir, struct rdir *out,
    int64_t deadline, struct err *e)
{
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return err_set(e, "list %s: %s", dir, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		struct stat st;
		char *p;

		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		p = xasprintf("%s/%s", dir, de->d_name);
		if (stat(p, &st) == -1) {
			free(p);
			continue;	/* gone meanwhile, or a dangling link */
		}
		free(p);
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->e = xreallocarray(out->e, cap, sizeof *out->e);
		}
		out->e[out->n].name = xstrdup(de->d_name);
		out->e[out->n].is_dir = S_ISDIR(st.st_mode);
		out->e[out->n].size = (uint64_t)st.st_size;
		out->e[out->n].mtime = (int64_t)st.st_mtime;
		out->n++;
	}
	closedir(d);
	return 0;
}

static int
local_rename(struct transport *t, const char *from, const char *to,
    int64_t deadline, struct err *e)
{
	if (rename(from, to) == -1)
		return err_set(e, "rename %s to %s: %s", from, to,
		    strerror(errno));
	fsync_dir(to);
	return 0;
}

static int
local_remove(struct transport *t, const char *path, int64_t deadline,
    struct err *e)
{
	if (unlink(path) == 0 || errno == ENOENT)
		return 0;
	if ((errno == EISDIR || errno == EPERM) && rmdir(path) == 0)
		return 0;
	return err_set(e, "remove %s: %s", path, strerror(errno));
}

static int
local_mkdir(struct transport *t, const char *path, int64_t deadline,
    struct err *e)
{
	return os_mkdir_p(path, 0755, e);
}

static int
local_sha256(struct transport *t, const char *path, char hex[65],
    int64_t deadline, struct err *e)
{
	return sha256_file(path, hex, e);
}

static int
local_free_space(struct transport *t, const char *path, uint64_t *fb,
    uint64_t *tb, int64_t deadline, struct err *e)
{
	return os_free_space(path, fb, tb, e);
}

static int
local_read_file(struct transport *t, const char *path, size_t max,
    char **data, size_t *len, int64_t deadline, struct err *e)
{
	struct stat st;
	size_t off = 0;
	ssize_t n;
	char *b;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) == -1 || (uint64_t)st.st_size > max) {
		close(fd);
		return err_set(e, "%s: larger than %zu bytes", path, max);
	}
	b = xmalloc(max + 1);
	for (;;) {
		n = read(fd, b + off, max + 1 - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set(e, "%s: read: %s", path, strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		off += (size_t)n;
		if (off > max) {
			err_set(e, "%s: larger than %zu bytes", path, max);
			goto fail;
		}
	}
	close(fd);
	b[off] = '\0';
	*data = b;
	*len = off;
	return 0;
fail:
	close(fd);
	free(b);
	return -1;
}

static int
local_write_file(struct transport *t, const char *path, const void *data,
    size_t len, int mode, int64_t deadline, struct err *e)
{
	return os_write_file_atomic(path, data, len, mode, e);
}

static int
local_tunnel(struct transport *t, const char *host, int port, char lh[64],
    int *lp, int64_t deadline, struct err *e)
{
	snprintf(lh, 64, "%s", host);
	*lp = port;
	return 0;
}

const struct transport_ops tr_local_ops = {
	.kind = "local",
	.exec = local_exec,
	.put = local_put,
	.get = local_get,
	.stat = local_stat,
	.list = local_list,
	.rename = local_rename,
	.remove = local_remove,
	.mkdir = local_mkdir,
	.sha256 = local_sha256,
	.free_space = local_free_space,
	.read_file = local_read_file,
	.write_file = local_write_file,
	.tunnel = local_tunnel,
	.close = local_close,
};
