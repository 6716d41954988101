/*
 * ssh-sftp.c: the ssh transport's file operations — SFTP for bytes and
 * metadata, exec for what SFTP cannot do (sha256 on the host, a rename
 * over an existing file).
 *
 * put writes NAME.part with 1 MiB pipelined SFTP writes (libssh2 splits
 * a buffer into 30000-byte packets in flight at once), after checking the
 * room (statvfs@openssh.com, else df / PSDrive).  An existing .part is
 * resumed when its sha256 equals that of the local file's prefix.  Then
 * fsync@openssh.com, sha256 computed on the host and compared, rename.
 * Nothing carries the final name while incomplete.  Windows paths
 * (C:\x\y) are sent to SFTP as /C:/x/y, as OpenSSH for Windows wants.
 * Runs on the thread that owns the transport; every wait is bounded by
 * the call's deadline.
 */
#include "ssh-int.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "os.h"
#include "pidmark.h"
#include "quote.h"
#include "sha256.h"
#include "xmalloc.h"

#define CHUNK (1024 * 1024)

static int
is_windows(const struct host_cfg *h)
{
	return h->os == HOST_OS_WINDOWS;
}

/* The path as SFTP wants it. */
static char *
spath(const struct host_cfg *h, const char *path)
{
	char *p, *s;

	if (!is_windows(h) || !isalpha((unsigned char)path[0]) ||
	    path[1] != ':')
		return xstrdup(path);
	p = xasprintf("/%s", path);
	for (s = p; *s != '\0'; s++)
		if (*s == '\\')
			*s = '/';
	return p;
}

/* The folder part of a host path (either separator on windows). */
static char *
dir_of(const struct host_cfg *h, const char *path)
{
	char *d = xstrdup(path), *s = strrchr(d, '/');

	if (is_windows(h)) {
		char *b = strrchr(d, '\\');

		if (b != NULL && (s == NULL || b > s))
			s = b;
	}
	if (s == NULL) {
		free(d);
		return xstrdup(".");
	}
	if (s == d || (is_windows(h) && s == d + 2 && d[1] == ':'))
		s[1] = '\0';
	else
		*s = '\0';
	return d;
}

static const char *
fx_text(unsigned long fx)
{
	switch (fx) {
	case LIBSSH2_FX_NO_SUCH_FILE:
	case LIBSSH2_FX_NO_SUCH_PATH:
		return "no such file";
	case LIBSSH2_FX_PERMISSION_DENIED:
		return "permission denied";
	case LIBSSH2_FX_FILE_ALREADY_EXISTS:
		return "already exists";
	case LIBSSH2_FX_NO_SPACE_ON_FILESYSTEM:
	case LIBSSH2_FX_QUOTA_EXCEEDED:
		return "no space left";
	case LIBSSH2_FX_OP_UNSUPPORTED:
		return "not supported by the server";
	case LIBSSH2_FX_WRITE_PROTECT:
		return "read-only";
	case LIBSSH2_FX_NOT_A_DIRECTORY:
		return "not a folder";
	case LIBSSH2_FX_DIR_NOT_EMPTY:
		return "folder not empty";
	}
	return "failed (the server gives no reason)";
}

static unsigned long
fx_of(struct ssh_conn *c, int rc)
{
	return rc == LIBSSH2_ERROR_SFTP_PROTOCOL ?
	    libssh2_sftp_last_error(c->sftp) : 0;
}

static int
sftp_fail(struct ssh_conn *c, int rc, const char *what, const char *path,
    struct err *e)
{
	char buf[ERR_LEN];

	if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL)
		return err_set(e, "%s %s: %s", what, path,
		    fx_text(libssh2_sftp_last_error(c->sftp)));
	snprintf(buf, sizeof buf, "%s %s", what, path);
	return ssh_fail(c, rc, buf, e);
}

static int
open_sftp(struct transport *t, int64_t deadline, struct ssh_conn **c,
    struct err *e)
{
	if (tr_ssh_conn(t, deadline, c, e) == -1)
		return -1;
	return ssh_sftp(*c, deadline, e);
}

static LIBSSH2_SFTP_HANDLE *
sopen(struct ssh_conn *c, const char *sp, unsigned long flags, long mode,
    int type, int64_t deadline, struct err *e)
{
	LIBSSH2_SFTP_HANDLE *fh;

	SSH_RETRY_PTR(c, deadline, e, fh, libssh2_sftp_open_ex(c->sftp, sp,
	    (unsigned)strlen(sp), flags, mode, type));
	if (fh == NULL) {
		if (libssh2_session_last_errno(c->s) == LIBSSH2_ERROR_EAGAIN)
			err_prefix(e, "open %s", sp);
		else
			sftp_fail(c, libssh2_session_last_errno(c->s), "open",
			    sp, e);
	}
	return fh;
}

static void
sclose(struct ssh_conn *c, LIBSSH2_SFTP_HANDLE *fh)
{
	int64_t grace = clock_mono_ms() + 2000;
	struct err ignore;
	int rc;

	if (fh == NULL)
		return;
	SSH_RETRY(c, grace, &ignore, rc, libssh2_sftp_close_handle(fh));
}

/* stat through SFTP; *exists 0 when missing. */
static int
sstat(struct ssh_conn *c, const char *sp, LIBSSH2_SFTP_ATTRIBUTES *a,
    int *exists, int64_t deadline, struct err *e)
{
	int rc;

	SSH_RETRY(c, deadline, e, rc, libssh2_sftp_stat_ex(c->sftp, sp,
	    (unsigned)strlen(sp), LIBSSH2_SFTP_STAT, a));
	*exists = 0;
	if (rc == 0) {
		*exists = 1;
		return 0;
	}
	if (rc == LIBSSH2_ERROR_SFTP_PROTOCOL &&
	    (fx_of(c, rc) == LIBSSH2_FX_NO_SUCH_FILE ||
	    fx_of(c, rc) == LIBSSH2_FX_NO_SUCH_PATH))
		return 0;
	return sftp_fail(c, rc, "stat", sp, e);
}

static void
fill_rstat(const LIBSSH2_SFTP_ATTRIBUTES *a, struct rstat *st)
{
	st->exists = 1;
	st->is_dir = (a->flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
	    LIBSSH2_SFTP_S_ISDIR(a->permissions);
	st->size = (a->flags & LIBSSH2_SFTP_ATTR_SIZE) ? a->filesize : 0;
	st->mtime = (a->flags & LIBSSH2_SFTP_ATTR_ACMODTIME) ?
	    (int64_t)a->mtime : 0;
}

int
ssh_stat(struct transport *t, const char *path, struct rstat *st,
    int64_t deadline, struct err *e)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct ssh_conn *c;
	char *sp = spath(t->h, path);
	int exists, rc = -1;

	if (open_sftp(t, deadline, &c, e) == -1 ||
	    sstat(c, sp, &a, &exists, deadline, e) == -1)
		goto out;
	if (exists)
		fill_rstat(&a, st);
	else
		st->exists = 0;
	rc = 0;
out:
	free(sp);
	return rc;
}

int
ssh_list(struct transport *t, const char *dir, struct rdir *out,
    int64_t deadline, struct err *e)
{
	LIBSSH2_SFTP_HANDLE *dh;
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct ssh_conn *c;
	char *sp = spath(t->h, dir), name[1024];
	size_t cap = 0;
	int rc = -1, n;

	if (open_sftp(t, deadline, &c, e) == -1)
		goto out;
	if ((dh = sopen(c, sp, 0, 0, LIBSSH2_SFTP_OPENDIR, deadline, e)) ==
	    NULL)
		goto out;
	for (;;) {
		SSH_RETRY(c, deadline, e, n, libssh2_sftp_readdir_ex(dh, name,
		    sizeof name - 1, NULL, 0, &a));
		if (n == 0)
			break;
		if (n < 0) {
			sftp_fail(c, n, "list", sp, e);
			sclose(c, dh);
			goto out;
		}
		name[n] = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
			continue;
		if (out->n == cap) {
			cap = cap ? cap * 2 : 16;
			out->e = xreallocarray(out->e, cap, sizeof *out->e);
		}
		{
			struct rstat st;

			fill_rstat(&a, &st);
			out->e[out->n].name = xstrdup(name);
			out->e[out->n].is_dir = st.is_dir;
			out->e[out->n].size = st.size;
			out->e[out->n].mtime = st.mtime;
		}
		out->n++;
	}
	sclose(c, dh);
	rc = 0;
out:
	if (rc == -1)
		rdir_free(out);
	free(sp);
	return rc;
}

/* Run a script for the host's shell on c; fail unless it exits 0. */
static int
run_script(struct transport *t, struct ssh_conn *c, const char *script,
    int64_t deadline, struct exec_result *r, struct err *e)
{
	struct buf cmd = { 0 };
	char d[EXEC_DESCRIBE_MAX];
	int rc = -1;

	tr_result_init(r);
	if (pidmark_command(t->h->shell, NULL, script, &cmd, e) == -1)
		goto out;
	if (ssh_exec_cmd(c, buf_str(&cmd), NULL, 0, deadline, r, e) < 0)
		goto out;
	if (!exec_ok(r)) {
		size_t n = r->err_len;

		while (n > 0 && (r->errout[n - 1] == '\n' ||
		    r->errout[n - 1] == '\r'))
			n--;
		err_set(e, "%s%s%.*s", exec_describe(r, d, sizeof d),
		    n ? ": " : "", (int)(n < 200 ? n : 200), r->errout);
		goto out;
	}
	rc = 0;
out:
	buf_free(&cmd);
	return rc;
}

/* Append one word quoted for the host's shell. */
static int
qword(const struct host_cfg *h, struct buf *b, const char *w, struct err *e)
{
	return h->shell == HOST_SHELL_SH ? quote_sh_word(b, w, e) :
	    quote_ps_word(b, w, e);
}

/* SHA-256 of a host file (of its first limit bytes unless UINT64_MAX),
 * computed on the host. */
static int
remote_sha256_n(struct transport *t, struct ssh_conn *c, const char *path,
    uint64_t limit, char hex[65], int64_t deadline, struct err *e)
{
	struct exec_result r;
	struct buf s = { 0 };
	size_t i;
	int rc = -1;

	memset(&r, 0, sizeof r);
	if (t->h->shell == HOST_SHELL_SH) {
		/* openssl hashes 4-7 times faster than coreutils where the
		 * CPU has SHA instructions; sha256sum where it is missing.
		 * A path starting with - gets ./ so that it is no option. */
		struct buf q = { 0 };

		if (path[0] == '-')
			buf_puts(&q, "./");
		buf_puts(&q, path);
		buf_puts(&s, "f=");
		if (qword(t->h, &s, buf_str(&q), e) == -1) {
			buf_free(&q);
			goto out;
		}
		buf_free(&q);
		if (limit == UINT64_MAX)
			buf_puts(&s, "; if command -v openssl >/dev/null 2>&1; "
			    "then openssl dgst -sha256 -r \"$f\"; else "
			    "sha256sum -- \"$f\"; fi");
		else
			buf_printf(&s, "; if command -v openssl >/dev/null "
			    "2>&1; then head -c %" PRIu64 " -- \"$f\" | openssl "
			    "dgst -sha256 -r; else head -c %" PRIu64 " -- \"$f\" "
			    "| sha256sum; fi", limit, limit);
	} else if (limit == UINT64_MAX) {
		buf_puts(&s, "(Get-FileHash -Algorithm SHA256 -LiteralPath ");
		if (qword(t->h, &s, path, e) == -1)
			goto out;
		buf_puts(&s, ").Hash");
	} else {
		buf_puts(&s, "$f = [IO.File]::OpenRead(");
		if (qword(t->h, &s, path, e) == -1)
			goto out;
		buf_printf(&s, "); $h = [Security.Cryptography.SHA256]::"
		    "Create(); $b = New-Object byte[] 1048576; [long]$n = %"
		    PRIu64 "; while ($n -gt 0) { $r = $f.Read($b, 0, "
		    "[Math]::Min([long]$b.Length, $n)); if ($r -le 0) "
		    "{ break }; [void]$h.TransformBlock($b, 0, $r, $null, 0); "
		    "$n -= $r }; [void]$h.TransformFinalBlock($b, 0, 0); "
		    "$f.Close(); -join ($h.Hash | ForEach-Object "
		    "{ $_.ToString('x2') })", limit);
	}
	if (run_script(t, c, buf_str(&s), deadline, &r, e) == -1) {
		err_prefix(e, "sha256 of %s", path);
		goto out;
	}
	for (i = 0; i < 64; i++) {
		char ch;

		if (i >= r.out_len || !isxdigit((unsigned char)r.out[i])) {
			err_set(e, "sha256 of %s: unexpected output \"%.80s\"",
			    path, r.out);
			goto out;
		}
		ch = (char)tolower((unsigned char)r.out[i]);
		hex[i] = ch;
	}
	hex[64] = '\0';
	rc = 0;
out:
	exec_result_free(&r);
	buf_free(&s);
	return rc;
}

static int
remote_sha256(struct transport *t, struct ssh_conn *c, const char *path,
    char hex[65], int64_t deadline, struct err *e)
{
	return remote_sha256_n(t, c, path, UINT64_MAX, hex, deadline, e);
}

int
ssh_sha256(struct transport *t, const char *path, char hex[65],
    int64_t deadline, struct err *e)
{
	struct ssh_conn *c;

	if (tr_ssh_conn(t, deadline, &c, e) == -1)
		return -1;
	return remote_sha256(t, c, path, hex, deadline, e);
}

static int
free_space(struct transport *t, struct ssh_conn *c, const char *path,
    uint64_t *fb, uint64_t *tb, int64_t deadline, struct err *e)
{
	LIBSSH2_SFTP_STATVFS sv;
	struct exec_result r;
	struct buf s = { 0 };
	char *sp = spath(t->h, path);
	unsigned long long f = 0, tot = 0;
	int rc = -1, x;

	memset(&r, 0, sizeof r);
	SSH_RETRY(c, deadline, e, x, libssh2_sftp_statvfs(c->sftp, sp,
	    strlen(sp), &sv));
	if (x == 0) {
		f = (unsigned long long)sv.f_bavail * sv.f_frsize;
		tot = (unsigned long long)sv.f_blocks * sv.f_frsize;
		rc = 0;
		goto out;
	}
	if (x != LIBSSH2_ERROR_SFTP_PROTOCOL) {
		sftp_fail(c, x, "free space of", path, e);
		goto out;
	}
	/* No statvfs@openssh.com: ask the shell. */
	if (t->h->shell == HOST_SHELL_SH) {
		buf_puts(&s, "df -Pk -- ");
		if (qword(t->h, &s, path, e) == -1)
			goto out;
		buf_puts(&s, " | awk 'NR==2 { print $4 * 1024, $2 * 1024 }'");
	} else {
		buf_puts(&s, "$d = (Get-Item -LiteralPath ");
		if (qword(t->h, &s, path, e) == -1)
			goto out;
		buf_puts(&s, ").PSDrive; \"$($d.Free) $($d.Free + $d.Used)\"");
	}
	if (run_script(t, c, buf_str(&s), deadline, &r, e) == -1 ||
	    sscanf(r.out, "%llu %llu", &f, &tot) != 2) {
		if (r.out != NULL && exec_ok(&r))
			err_set(e, "unexpected output \"%.80s\"", r.out);
		err_prefix(e, "free space of %s", path);
		goto out;
	}
	rc = 0;
out:
	if (rc == 0) {
		if (fb != NULL)
			*fb = f;
		if (tb != NULL)
			*tb = tot;
	}
	exec_result_free(&r);
	buf_free(&s);
	free(sp);
	return rc;
}

int
ssh_free_space(struct transport *t, const char *path, uint64_t *fb,
    uint64_t *tb, int64_t deadline, struct err *e)
{
	struct ssh_conn *c;

	if (open_sftp(t, deadline, &c, e) == -1)
		return -1;
	return free_space(t, c, path, fb, tb, deadline, e);
}

/* Rename over an existing file: SFTP first, else mv -f / Move-Item. */
static int
rename_over(struct transport *t, struct ssh_conn *c, const char *from,
    const char *to, int64_t deadline, struct err *e)
{
	char *sf = spath(t->h, from), *st = spath(t->h, to);
	struct exec_result r;
	struct buf s = { 0 };
	int rc = -1, x;

	memset(&r, 0, sizeof r);
	SSH_RETRY(c, deadline, e, x, libssh2_sftp_rename_ex(c->sftp, sf,
	    (unsigned)strlen(sf), st, (unsigned)strlen(st),
	    LIBSSH2_SFTP_RENAME_OVERWRITE | LIBSSH2_SFTP_RENAME_ATOMIC |
	    LIBSSH2_SFTP_RENAME_NATIVE));
	if (x == 0) {
		rc = 0;
		goto out;
	}
	if (x != LIBSSH2_ERROR_SFTP_PROTOCOL) {
		sftp_fail(c, x, "rename", from, e);
		goto out;
	}
	/* SFTP v3 renames refuse an existing target: the shell's own
	 * rename replaces it atomically. */
	if (t->h->shell == HOST_SHELL_SH) {
		buf_puts(&s, "mv -f -- ");
		if (qword(t->h, &s, from, e) == -1)
			goto out;
		buf_putc(&s, ' ');
		if (qword(t->h, &s, to, e) == -1)
			goto out;
	} else {
		buf_puts(&s, "Move-Item -Force -LiteralPath ");
		if (qword(t->h, &s, from, e) == -1)
			goto out;
		buf_puts(&s, " -Destination ");
		if (qword(t->h, &s, to, e) == -1)
			goto out;
	}
	if (run_script(t, c, buf_str(&s), deadline, &r, e) == -1) {
		err_prefix(e, "rename %s to %s", from, to);
		goto out;
	}
	rc = 0;
out:
	exec_result_free(&r);
	buf_free(&s);
	free(sf);
	free(st);
	return rc;
}

int
ssh_rename(struct transport *t, const char *from, const char *to,
    int64_t deadline, struct err *e)
{
	struct ssh_conn *c;

	if (open_sftp(t, deadline, &c, e) == -1)
		return -1;
	return rename_over(t, c, from, to, deadline, e);
}

int
ssh_remove(struct transport *t, const char *path, int64_t deadline,
    struct err *e)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct ssh_conn *c;
	char *sp = spath(t->h, path);
	int rc = -1, x, exists;

	if (open_sftp(t, deadline, &c, e) == -1 ||
	    sstat(c, sp, &a, &exists, deadline, e) == -1)
		goto out;
	if (!exists) {
		rc = 0;
		goto out;
	}
	if ((a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
	    LIBSSH2_SFTP_S_ISDIR(a.permissions))
		SSH_RETRY(c, deadline, e, x, libssh2_sftp_rmdir_ex(c->sftp, sp,
		    (unsigned)strlen(sp)));
	else
		SSH_RETRY(c, deadline, e, x, libssh2_sftp_unlink_ex(c->sftp,
		    sp, (unsigned)strlen(sp)));
	if (x != 0) {
		sftp_fail(c, x, "remove", path, e);
		goto out;
	}
	rc = 0;
out:
	free(sp);
	return rc;
}

int
ssh_mkdir(struct transport *t, const char *path, int64_t deadline,
    struct err *e)
{
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct ssh_conn *c;
	char *sp = spath(t->h, path), *s;
	int rc = -1, x, exists;

	if (open_sftp(t, deadline, &c, e) == -1)
		goto out;
	/* Each prefix in turn (mkdir -p); an existing folder is fine. */
	for (s = sp + 1;; s++) {
		char ch;

		if (*s != '/' && *s != '\0')
			continue;
		ch = *s;
		*s = '\0';
		if (!(is_windows(t->h) && strlen(sp) == 3 && sp[2] == ':')) {
			if (sstat(c, sp, &a, &exists, deadline, e) == -1)
				goto out;
			if (!exists) {
				SSH_RETRY(c, deadline, e, x,
				    libssh2_sftp_mkdir_ex(c->sftp, sp,
				    (unsigned)strlen(sp), 0755));
				if (x != 0 && (sstat(c, sp, &a, &exists,
				    deadline, e) == -1 || !exists)) {
					sftp_fail(c, x, "mkdir", sp, e);
					goto out;
				}
			} else if ((a.flags & LIBSSH2_SFTP_ATTR_PERMISSIONS) &&
			    !LIBSSH2_SFTP_S_ISDIR(a.permissions)) {
				err_set(e, "mkdir %s: exists and is not a "
				    "folder", sp);
				goto out;
			}
		}
		*s = ch;
		if (ch == '\0')
			break;
	}
	rc = 0;
out:
	free(sp);
	return rc;
}

/* Write all of buf through a pipelined SFTP write. */
static int
swrite(struct ssh_conn *c, LIBSSH2_SFTP_HANDLE *fh, const char *buf,
    size_t n, int64_t deadline, const char *what, struct err *e)
{
	ssize_t w;

	while (n > 0) {
		w = libssh2_sftp_write(fh, buf, n);
		if (w == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_wait(c, deadline, e) == -1) {
				c->dead = 1;
				return err_prefix(e, "write %s", what);
			}
			continue;
		}
		if (w < 0)
			return sftp_fail(c, (int)w, "write", what, e);
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
sfsync(struct ssh_conn *c, LIBSSH2_SFTP_HANDLE *fh, const char *what,
    int64_t deadline, struct err *e)
{
	int x;

	SSH_RETRY(c, deadline, e, x, libssh2_sftp_fsync(fh));
	if (x == 0 || (x == LIBSSH2_ERROR_SFTP_PROTOCOL &&
	    fx_of(c, x) == LIBSSH2_FX_OP_UNSUPPORTED))
		return 0;	/* a server without fsync@openssh.com */
	return sftp_fail(c, x, "fsync", what, e);
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

/* Hashing the rest of a local file on a thread of its own. */
struct lhash {
	struct sha256_ctx *h;	/* holds the prefix already */
	const char *path;
	uint64_t from, len;
	int	 rc;
	struct err e;
};

static void *
lhash_main(void *arg)
{
	struct lhash *l = arg;

	l->rc = sha256_file_into(l->h, l->path, l->from, l->len, &l->e);
	return NULL;
}

int
ssh_put(struct transport *t, const char *local, const char *remote,
    transport_progress_cb cb, void *arg, int64_t deadline, struct err *e)
{
	char *part = xasprintf("%s.part", remote), *spart = spath(t->h, part);
	char *dir = dir_of(t->h, remote), *buf = NULL;
	char want[65], got[65], b1[32], b2[32];
	LIBSSH2_SFTP_HANDLE *fh = NULL;
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct sha256_ctx *h = sha256_new();
	struct ssh_conn *c = NULL;
	uint64_t size, off = 0, room, hash_from = 0;
	struct stat st;
	int in = -1, rc = -1, exists;
	ssize_t n;

	if ((in = open(local, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(in, &st) == -1) {
		err_set(e, "put: %s: %s", local, strerror(errno));
		goto out;
	}
	size = (uint64_t)st.st_size;
	if (open_sftp(t, deadline, &c, e) == -1 ||
	    sstat(c, spart, &a, &exists, deadline, e) == -1)
		goto out;
	/* Resume a .part whose content is a prefix of the file. */
	if (exists && (a.flags & LIBSSH2_SFTP_ATTR_SIZE) && a.filesize > 0 &&
	    a.filesize <= size) {
		if (remote_sha256(t, c, part, got, deadline, e) == -1 ||
		    sha256_file_into(h, local, 0, a.filesize, e) == -1)
			goto out;
		{
			struct sha256_ctx *hc = sha256_dup(h);

			sha256_final_hex(hc, want);
		}
		if (strcmp(want, got) == 0)
			off = a.filesize;
		else {
			sha256_free(h);
			h = sha256_new();
		}
	}
	hash_from = off;
	if (free_space(t, c, dir, &room, NULL, deadline, e) == -1) {
		err_prefix(e, "put %s: cannot check the room, so nothing "
		    "written", remote);
		goto out;
	}
	if (room < size - off) {
		err_set(e, "put %s: not enough room in %s: %s needed, %s "
		    "free; nothing written", remote, dir,
		    human(size - off, b1, sizeof b1), human(room, b2, sizeof b2));
		goto out;
	}
	fh = sopen(c, spart, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT |
	    (off ? 0 : LIBSSH2_FXF_TRUNC), 0600, LIBSSH2_SFTP_OPENFILE,
	    deadline, e);
	if (fh == NULL)
		goto out;
	if (off > 0) {
		libssh2_sftp_seek64(fh, off);
		if (lseek(in, (off_t)off, SEEK_SET) == -1) {
			err_set(e, "put: %s: seek: %s", local, strerror(errno));
			goto out;
		}
	}
	buf = xmalloc(CHUNK);
	while (off < size) {
		if (tr_cancelled(t)) {
			err_set(e, "put %s: cancelled at %" PRIu64 " of %"
			    PRIu64 " bytes", part, off, size);
			goto out;
		}
		n = read(in, buf, CHUNK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			err_set(e, "put: %s: %s", local, n == 0 ?
			    "file shrank while sent" : strerror(errno));
			goto out;
		}
		if (swrite(c, fh, buf, (size_t)n, deadline, part, e) == -1) {
			err_prefix(e, "put at %" PRIu64 " of %" PRIu64 " bytes "
			    "(%s kept; the next put resumes)", off, size, part);
			goto out;
		}
		off += (uint64_t)n;
		if (cb != NULL && cb(off, size, arg) != 0) {
			err_set(e, "put %s: cancelled", part);
			goto out;
		}
	}
	if (sfsync(c, fh, part, deadline, e) == -1)
		goto out;
	sclose(c, fh);
	fh = NULL;
	/* The local file is hashed on a thread while the host hashes its
	 * copy: the two run at once, on both ends. */
	{
		struct lhash lh = { h, local, hash_from, size - hash_from, 0,
		    { "" } };
		pthread_t th;
		int x;

		h = NULL;
		if (pthread_create(&th, NULL, lhash_main, &lh) != 0) {
			lhash_main(&lh);
			x = remote_sha256(t, c, part, got, deadline, e);
		} else {
			x = remote_sha256(t, c, part, got, deadline, e);
			pthread_join(th, NULL);
		}
		if (lh.rc == -1) {
			sha256_free(lh.h);
			err_set(e, "put: %s", lh.e.msg);
			goto out;
		}
		sha256_final_hex(lh.h, want);
		if (x == -1)
			goto out;
	}
	if (strcmp(want, got) != 0) {
		err_set(e, "put %s: sha256 on the host %s differs from %s's "
		    "%s; .part removed", part, got, local, want);
		(void)ssh_remove(t, part, deadline, NULL);
		goto out;
	}
	if (rename_over(t, c, part, remote, deadline, e) == -1)
		goto out;
	rc = 0;
out:
	if (fh != NULL && !c->dead)
		sclose(c, fh);
	sha256_free(h);
	free(buf);
	if (in != -1)
		close(in);
	free(part);
	free(spart);
	free(dir);
	return rc;
}

int
ssh_get(struct transport *t, const char *remote, const char *local,
    transport_progress_cb cb, void *arg, int64_t deadline, struct err *e)
{
	char *sp = spath(t->h, remote), *part = xasprintf("%s.part", local);
	char *buf = NULL, want[65], got[65];
	LIBSSH2_SFTP_HANDLE *fh = NULL;
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct sha256_ctx *h = sha256_new();
	struct ssh_conn *c = NULL;
	uint64_t size, off = 0;
	int out = -1, rc = -1, exists;
	struct stat pst;
	ssize_t n;

	if (open_sftp(t, deadline, &c, e) == -1 ||
	    sstat(c, sp, &a, &exists, deadline, e) == -1)
		goto out;
	if (!exists) {
		err_set(e, "get %s: no such file", remote);
		goto out;
	}
	size = (a.flags & LIBSSH2_SFTP_ATTR_SIZE) ? a.filesize : 0;
	/* Resume a .part holding a prefix of the host's file. */
	if (stat(part, &pst) == 0 && S_ISREG(pst.st_mode) && pst.st_size > 0 &&
	    (uint64_t)pst.st_size <= size) {
		struct sha256_ctx *ph = sha256_new(), *hc;

		if (sha256_file_into(ph, part, 0, (uint64_t)pst.st_size, e) ==
		    -1 || remote_sha256_n(t, c, remote, (uint64_t)pst.st_size,
		    got, deadline, e) == -1) {
			sha256_free(ph);
			goto out;
		}
		hc = sha256_dup(ph);
		sha256_final_hex(hc, want);
		if (strcmp(want, got) == 0) {
			off = (uint64_t)pst.st_size;
			sha256_free(h);
			h = ph;
		} else
			sha256_free(ph);
	}
	{
		char *ldir = xstrdup(local), *s = strrchr(ldir, '/');
		char b1[32], b2[32];
		uint64_t room;

		if (s != NULL)
			s[s == ldir ? 1 : 0] = '\0';
		if (os_free_space(s != NULL ? ldir : ".", &room, NULL, e) ==
		    -1) {
			free(ldir);
			goto out;
		}
		if (room < size - off) {
			err_set(e, "get %s: not enough room in %s: %s needed, "
			    "%s free; nothing written", remote, s != NULL ?
			    ldir : ".", human(size - off, b1, sizeof b1),
			    human(room, b2, sizeof b2));
			free(ldir);
			goto out;
		}
		free(ldir);
	}
	if ((fh = sopen(c, sp, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE,
	    deadline, e)) == NULL)
		goto out;
	if ((out = open(part, O_WRONLY | O_CREAT | O_CLOEXEC | (off ? 0 :
	    O_TRUNC), 0600)) == -1 || (off > 0 && (ftruncate(out,
	    (off_t)off) == -1 || lseek(out, (off_t)off, SEEK_SET) == -1))) {
		err_set(e, "get: %s: %s", part, strerror(errno));
		goto out;
	}
	if (off > 0)
		libssh2_sftp_seek64(fh, off);
	buf = xmalloc(CHUNK);
	for (;;) {
		if (tr_cancelled(t)) {
			err_set(e, "get %s: cancelled", remote);
			goto out;
		}
		n = libssh2_sftp_read(fh, buf, CHUNK);
		if (n == LIBSSH2_ERROR_EAGAIN) {
			if (ssh_wait(c, deadline, e) == -1) {
				c->dead = 1;
				err_prefix(e, "get %s at %" PRIu64 " bytes",
				    remote, off);
				goto out;
			}
			continue;
		}
		if (n < 0) {
			sftp_fail(c, (int)n, "read", remote, e);
			goto out;
		}
		if (n == 0)
			break;
		{
			const char *p = buf;
			size_t left = (size_t)n;

			while (left > 0) {
				ssize_t w = write(out, p, left);

				if (w == -1 && errno == EINTR)
					continue;
				if (w == -1) {
					err_set(e, "get: %s: write: %s", part,
					    strerror(errno));
					goto out;
				}
				p += w;
				left -= (size_t)w;
			}
		}
		sha256_update(h, buf, (size_t)n);
		off += (uint64_t)n;
		if (cb != NULL && cb(off, size > off ? size : off, arg) != 0) {
			err_set(e, "get %s: cancelled", remote);
			goto out;
		}
	}
	sclose(c, fh);
	fh = NULL;
	if (fsync(out) == -1 || close(out) == -1) {
		out = -1;
		err_set(e, "get: %s: fsync: %s", part, strerror(errno));
		goto out;
	}
	out = -1;
	sha256_final_hex(h, got);
	h = NULL;
	if (remote_sha256(t, c, remote, want, deadline, e) == -1)
		goto out;
	if (strcmp(want, got) != 0) {
		err_set(e, "get %s: sha256 received %s differs from the "
		    "host's %s", remote, got, want);
		unlink(part);
		goto out;
	}
	if (rename(part, local) == -1) {
		err_set(e, "get: rename %s: %s", part, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (fh != NULL && !c->dead)
		sclose(c, fh);
	if (out != -1)
		close(out);
	sha256_free(h);
	free(buf);
	free(sp);
	free(part);
	return rc;
}

int
ssh_read_file(struct transport *t, const char *path, size_t max,
    char **data, size_t *len, int64_t deadline, struct err *e)
{
	char *sp = spath(t->h, path);
	LIBSSH2_SFTP_HANDLE *fh = NULL;
	struct ssh_conn *c = NULL;
	struct buf b = { 0 };
	char chunk[32768];
	int rc = -1;
	ssize_t n;

	if (open_sftp(t, deadline, &c, e) == -1)
		goto out;
	if ((fh = sopen(c, sp, LIBSSH2_FXF_READ, 0, LIBSSH2_SFTP_OPENFILE,
	    deadline, e)) == NULL)
		goto out;
	for (;;) {
		SSH_RETRY(c, deadline, e, n, (int)libssh2_sftp_read(fh, chunk,
		    sizeof chunk));
		if (n == 0)
			break;
		if (n < 0) {
			sftp_fail(c, (int)n, "read", path, e);
			goto out;
		}
		buf_append(&b, chunk, (size_t)n);
		if (b.len > max) {
			err_set(e, "%s: larger than %zu bytes", path, max);
			goto out;
		}
	}
	*len = b.len;
	*data = buf_detach(&b);
	rc = 0;
out:
	if (fh != NULL && !c->dead)
		sclose(c, fh);
	buf_free(&b);
	free(sp);
	return rc;
}

int
ssh_write_file(struct transport *t, const char *path, const void *data,
    size_t len, int mode, int64_t deadline, struct err *e)
{
	char *tmp = xasprintf("%s.tmp", path), *sp = spath(t->h, tmp);
	LIBSSH2_SFTP_HANDLE *fh = NULL;
	LIBSSH2_SFTP_ATTRIBUTES a;
	struct ssh_conn *c = NULL;
	int rc = -1, x;

	if (open_sftp(t, deadline, &c, e) == -1)
		goto out;
	if ((fh = sopen(c, sp, LIBSSH2_FXF_WRITE | LIBSSH2_FXF_CREAT |
	    LIBSSH2_FXF_TRUNC, mode, LIBSSH2_SFTP_OPENFILE, deadline, e)) ==
	    NULL)
		goto out;
	/* The mode exactly, whatever the server's umask. */
	memset(&a, 0, sizeof a);
	a.flags = LIBSSH2_SFTP_ATTR_PERMISSIONS;
	a.permissions = (unsigned long)mode;
	SSH_RETRY(c, deadline, e, x, libssh2_sftp_fsetstat(fh, &a));
	if (x != 0 && !is_windows(t->h)) {
		sftp_fail(c, x, "chmod", tmp, e);
		goto out;
	}
	if (swrite(c, fh, data, len, deadline, tmp, e) == -1 ||
	    sfsync(c, fh, tmp, deadline, e) == -1)
		goto out;
	sclose(c, fh);
	fh = NULL;
	if (rename_over(t, c, tmp, path, deadline, e) == -1)
		goto out;
	rc = 0;
out:
	if (fh != NULL && !c->dead)
		sclose(c, fh);
	free(tmp);
	free(sp);
	return rc;
}
