/*
 * os-win32.c: the OS interface (os.h) on Windows.
 *
 * Processes: CreateProcessW, suspended, put in a job object (kill on
 * close) and then resumed, so that os_proc_kill() ends the command and
 * everything it started (TerminateJobObject), as a process group does on
 * POSIX.  Only the three pipe ends are inherited
 * (PROC_THREAD_ATTRIBUTE_HANDLE_LIST), so that a process spawned by one
 * thread never holds another thread's pipes.  The command line is built
 * from argv with the quoting CommandLineToArgvW and the C runtime undo;
 * a .bat / .cmd program is refused (cmd.exe would parse its arguments).
 * The pipe ends returned are C runtime descriptors (_open_osfhandle) in
 * PIPE_NOWAIT mode: a read with nothing to read fails at once.
 *
 * Files: _wopen / CreateFileW, FlushFileBuffers / _commit, MoveFileExW
 * (replace, write through); names are UTF-8 outside and UTF-16 here.
 * Modes other than read-only do not exist on Windows: the folder's ACL
 * decides who reads a file.
 *
 * Any thread; blocking only in the file system and os_proc_wait_free().
 */
#define WIN32_LEAN_AND_MEAN
#define _WIN32_WINNT 0x0A00	/* Windows 10 / Server 2016 */
#include <windows.h>

#include <errno.h>
#include <fcntl.h>
#include <io.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <wchar.h>

#include "os.h"
#include "buf.h"
#include "xmalloc.h"

struct os_proc {
	HANDLE	 proc;
	HANDLE	 job;
	int	 done;
	int	 killed;
	int	 exited;
	int	 status;
	char	 sig[32];
};

/* UTF-8 -> UTF-16, NULL when not valid UTF-8. */
static wchar_t *
wide(const char *s)
{
	int n = MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1,
	    NULL, 0);
	wchar_t *w;

	if (n <= 0)
		return NULL;
	w = xmalloc((size_t)n * sizeof *w);
	MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, s, -1, w, n);
	return w;
}

/* UTF-16 -> UTF-8 (never NULL). */
static char *
narrow(const wchar_t *w)
{
	int n = WideCharToMultiByte(CP_UTF8, 0, w, -1, NULL, 0, NULL, NULL);
	char *s;

	if (n <= 0)
		return xstrdup("");
	s = xmalloc((size_t)n);
	WideCharToMultiByte(CP_UTF8, 0, w, -1, s, n, NULL, NULL);
	return s;
}

static const char *
win_error(DWORD code, char *buf, size_t len)
{
	wchar_t msg[256];
	char *s;

	if (FormatMessageW(FORMAT_MESSAGE_FROM_SYSTEM |
	    FORMAT_MESSAGE_IGNORE_INSERTS, NULL, code, 0, msg, 256, NULL) == 0) {
		snprintf(buf, len, "error %lu", (unsigned long)code);
		return buf;
	}
	s = narrow(msg);
	snprintf(buf, len, "%s", s);
	free(s);
	/* Drop the trailing CR LF. */
	while (strlen(buf) > 0 && (buf[strlen(buf) - 1] == '\n' ||
	    buf[strlen(buf) - 1] == '\r' || buf[strlen(buf) - 1] == ' '))
		buf[strlen(buf) - 1] = '\0';
	return buf;
}

/*
 * Append one argument quoted for CommandLineToArgvW / the C runtime:
 * as it is when it holds no white space or quote; else in quotes, with
 * backslashes doubled before a quote and at the end, and \" for ".
 */
static void
quote_arg(struct buf *b, const char *a)
{
	size_t bs = 0;
	const char *p;

	if (*a != '\0' && strpbrk(a, " \t\n\v\"") == NULL) {
		buf_puts(b, a);
		return;
	}
	buf_putc(b, '"');
	for (p = a;; p++) {
		if (*p == '\\') {
			bs++;
			continue;
		}
		if (*p == '\0') {
			while (bs-- > 0)
				buf_puts(b, "\\\\");
			break;
		}
		if (*p == '"') {
			while (bs-- > 0)
				buf_puts(b, "\\\\");
			buf_puts(b, "\\\"");
		} else {
			while (bs-- > 0)
				buf_putc(b, '\\');
			buf_putc(b, *p);
		}
		bs = 0;
	}
	buf_putc(b, '"');
}

static int
is_batch(const char *prog)
{
	size_t n = strlen(prog);

	return n >= 4 && (_stricmp(prog + n - 4, ".bat") == 0 ||
	    _stricmp(prog + n - 4, ".cmd") == 0);
}

/* The environment block: ours plus env_add (replacing equal names). */
static wchar_t *
env_block(const char *const *env_add)
{
	wchar_t *cur = GetEnvironmentStringsW(), *p, *blk;
	struct { wchar_t *s; size_t n; } add[64];
	size_t na = 0, len = 0, i, off = 0;

	for (i = 0; env_add[i] != NULL && na < 64; i++) {
		add[na].s = wide(env_add[i]);
		if (add[na].s == NULL)
			continue;
		add[na].n = wcslen(add[na].s);
		len += add[na].n + 1;
		na++;
	}
	for (p = cur; p != NULL && *p != L'\0'; p += wcslen(p) + 1)
		len += wcslen(p) + 1;
	blk = xcalloc(len + 1, sizeof *blk);
	for (p = cur; p != NULL && *p != L'\0'; p += wcslen(p) + 1) {
		const wchar_t *eq = wcschr(p + 1, L'=');
		size_t klen = eq ? (size_t)(eq - p) : wcslen(p);
		int replaced = 0;

		for (i = 0; i < na; i++)
			if (_wcsnicmp(add[i].s, p, klen) == 0 &&
			    add[i].s[klen] == L'=')
				replaced = 1;
		if (replaced)
			continue;
		wcscpy(blk + off, p);
		off += wcslen(p) + 1;
	}
	for (i = 0; i < na; i++) {
		wcscpy(blk + off, add[i].s);
		off += add[i].n + 1;
		free(add[i].s);
	}
	blk[off] = L'\0';
	if (cur != NULL)
		FreeEnvironmentStringsW(cur);
	return blk;
}

int
os_spawn(const char *const *argv, const char *const *env_add,
    struct os_proc **out, int *in_fd, int *out_fd, int *err_fd,
    struct err *e)
{
	SECURITY_ATTRIBUTES sa = { sizeof sa, NULL, TRUE };
	HANDLE in_r = NULL, in_w = NULL, out_r = NULL, out_w = NULL;
	HANDLE err_r = NULL, err_w = NULL, job = NULL, inherit[3];
	JOBOBJECT_EXTENDED_LIMIT_INFORMATION lim;
	LPPROC_THREAD_ATTRIBUTE_LIST attrs = NULL;
	PROCESS_INFORMATION pi;
	STARTUPINFOEXW si;
	struct buf cmd = { 0 };
	wchar_t *wcmd = NULL, *wenv = NULL;
	DWORD nowait = PIPE_READMODE_BYTE | PIPE_NOWAIT;
	SIZE_T asz = 0;
	char eb[256];
	size_t i;
	int rc = -1;

	*out = NULL;
	if (argv == NULL || argv[0] == NULL)
		return err_set(e, "spawn: empty command");
	if (is_batch(argv[0]))
		return err_set(e, "spawn %s: batch files are not run (cmd.exe "
		    "would parse their arguments)", argv[0]);
	for (i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			buf_putc(&cmd, ' ');
		quote_arg(&cmd, argv[i]);
	}
	if ((wcmd = wide(buf_str(&cmd))) == NULL) {
		err_set(e, "spawn %s: the command line is not valid UTF-8",
		    argv[0]);
		goto out;
	}
	if (!CreatePipe(&in_r, &in_w, &sa, 0) ||
	    !CreatePipe(&out_r, &out_w, &sa, 0) ||
	    !CreatePipe(&err_r, &err_w, &sa, 0)) {
		err_set(e, "spawn %s: pipe: %s", argv[0],
		    win_error(GetLastError(), eb, sizeof eb));
		goto out;
	}
	/* Our ends are not inherited. */
	SetHandleInformation(in_w, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation(out_r, HANDLE_FLAG_INHERIT, 0);
	SetHandleInformation(err_r, HANDLE_FLAG_INHERIT, 0);
	inherit[0] = in_r;
	inherit[1] = out_w;
	inherit[2] = err_w;
	InitializeProcThreadAttributeList(NULL, 1, 0, &asz);
	attrs = xmalloc(asz);
	if (!InitializeProcThreadAttributeList(attrs, 1, 0, &asz) ||
	    !UpdateProcThreadAttribute(attrs, 0,
	    PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherit, sizeof inherit, NULL,
	    NULL)) {
		free(attrs);
		attrs = NULL;
		err_set(e, "spawn %s: %s", argv[0],
		    win_error(GetLastError(), eb, sizeof eb));
		goto out;
	}
	memset(&si, 0, sizeof si);
	si.StartupInfo.cb = sizeof si;
	si.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
	si.StartupInfo.hStdInput = in_r;
	si.StartupInfo.hStdOutput = out_w;
	si.StartupInfo.hStdError = err_w;
	si.lpAttributeList = attrs;
	if ((job = CreateJobObjectW(NULL, NULL)) == NULL) {
		err_set(e, "spawn %s: job object: %s", argv[0],
		    win_error(GetLastError(), eb, sizeof eb));
		goto out;
	}
	memset(&lim, 0, sizeof lim);
	lim.BasicLimitInformation.LimitFlags =
	    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
	SetInformationJobObject(job, JobObjectExtendedLimitInformation, &lim,
	    sizeof lim);
	if (env_add != NULL)
		wenv = env_block(env_add);
	if (!CreateProcessW(NULL, wcmd, NULL, NULL, TRUE, CREATE_SUSPENDED |
	    CREATE_NO_WINDOW | CREATE_UNICODE_ENVIRONMENT |
	    EXTENDED_STARTUPINFO_PRESENT, wenv, NULL, &si.StartupInfo, &pi)) {
		err_set(e, "spawn %s: %s", argv[0],
		    win_error(GetLastError(), eb, sizeof eb));
		goto out;
	}
	if (!AssignProcessToJobObject(job, pi.hProcess)) {
		err_set(e, "spawn %s: job: %s", argv[0],
		    win_error(GetLastError(), eb, sizeof eb));
		TerminateProcess(pi.hProcess, 1);
		CloseHandle(pi.hThread);
		CloseHandle(pi.hProcess);
		goto out;
	}
	ResumeThread(pi.hThread);
	CloseHandle(pi.hThread);
	SetNamedPipeHandleState(out_r, &nowait, NULL, NULL);
	SetNamedPipeHandleState(err_r, &nowait, NULL, NULL);
	SetNamedPipeHandleState(in_w, &nowait, NULL, NULL);
	*out = xcalloc(1, sizeof **out);
	(*out)->proc = pi.hProcess;
	(*out)->job = job;
	job = NULL;
	*in_fd = _open_osfhandle((intptr_t)in_w, _O_WRONLY | _O_BINARY);
	*out_fd = _open_osfhandle((intptr_t)out_r, _O_RDONLY | _O_BINARY);
	*err_fd = _open_osfhandle((intptr_t)err_r, _O_RDONLY | _O_BINARY);
	in_w = out_r = err_r = NULL;	/* owned by the descriptors now */
	rc = 0;
out:
	if (attrs != NULL) {
		DeleteProcThreadAttributeList(attrs);
		free(attrs);
	}
	/* The child's ends: it holds its own copies. */
	if (in_r != NULL)
		CloseHandle(in_r);
	if (out_w != NULL)
		CloseHandle(out_w);
	if (err_w != NULL)
		CloseHandle(err_w);
	if (in_w != NULL)
		CloseHandle(in_w);
	if (out_r != NULL)
		CloseHandle(out_r);
	if (err_r != NULL)
		CloseHandle(err_r);
	if (job != NULL)
		CloseHandle(job);
	free(wcmd);
	free(wenv);
	buf_free(&cmd);
	return rc;
}

void
os_proc_kill(struct os_proc *p)
{
	if (p == NULL || p->done)
		return;
	p->killed = 1;
	TerminateJobObject(p->job, 1);
}

static void
reap(struct os_proc *p)
{
	DWORD code = 0;

	GetExitCodeProcess(p->proc, &code);
	p->done = 1;
	if (p->killed) {
		p->exited = 0;
		snprintf(p->sig, sizeof p->sig, "KILL");
	} else {
		p->exited = 1;
		p->status = (int)code;
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
	if (!p->done) {
		if (WaitForSingleObject(p->proc, 0) == WAIT_TIMEOUT)
			return 0;
		reap(p);
	}
	copy_out(p, exited, status, sig);
	return 1;
}

void
os_proc_wait_free(struct os_proc *p, int *exited, int *status, char sig[32])
{
	if (p == NULL)
		return;
	if (!p->done) {
		WaitForSingleObject(p->proc, INFINITE);
		reap(p);
	}
	copy_out(p, exited, status, sig);
	CloseHandle(p->proc);
	/* Closing the job kills what the command left running. */
	CloseHandle(p->job);
	free(p);
}

int
os_write_file_atomic(const char *path, const void *data, size_t len,
    int mode, struct err *e)
{
	char *tmp = xasprintf("%s.tmp", path), eb[256];
	wchar_t *wtmp = wide(tmp), *wpath = wide(path);
	const char *p = data;
	HANDLE h = INVALID_HANDLE_VALUE;
	DWORD n;
	int rc = -1;

	if (wtmp == NULL || wpath == NULL) {
		err_set(e, "%s: not a valid UTF-8 name", path);
		goto out;
	}
	h = CreateFileW(wtmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS,
	    FILE_ATTRIBUTE_NORMAL, NULL);
	if (h == INVALID_HANDLE_VALUE) {
		err_set(e, "%s: %s", tmp, win_error(GetLastError(), eb,
		    sizeof eb));
		goto out;
	}
	while (len > 0) {
		DWORD chunk = len > 0x40000000 ? 0x40000000 : (DWORD)len;

		if (!WriteFile(h, p, chunk, &n, NULL)) {
			err_set(e, "%s: write: %s", tmp,
			    win_error(GetLastError(), eb, sizeof eb));
			goto fail;
		}
		p += n;
		len -= n;
	}
	if (!FlushFileBuffers(h)) {
		err_set(e, "%s: flush: %s", tmp, win_error(GetLastError(), eb,
		    sizeof eb));
		goto fail;
	}
	CloseHandle(h);
	h = INVALID_HANDLE_VALUE;
	if (!MoveFileExW(wtmp, wpath, MOVEFILE_REPLACE_EXISTING |
	    MOVEFILE_WRITE_THROUGH)) {
		err_set(e, "%s: rename to %s: %s", tmp, path,
		    win_error(GetLastError(), eb, sizeof eb));
		goto fail;
	}
	if (!(mode & 0200))
		SetFileAttributesW(wpath, FILE_ATTRIBUTE_READONLY);
	rc = 0;
	goto out;
fail:
	if (h != INVALID_HANDLE_VALUE)
		CloseHandle(h);
	DeleteFileW(wtmp);
out:
	free(tmp);
	free(wtmp);
	free(wpath);
	return rc;
}

int
os_open_append(const char *path, int mode, struct err *e)
{
	wchar_t *w = wide(path);
	int fd;

	if (w == NULL)
		return err_set(e, "%s: not a valid UTF-8 name", path);
	fd = _wopen(w, _O_WRONLY | _O_CREAT | _O_APPEND | _O_BINARY |
	    _O_NOINHERIT, _S_IREAD | _S_IWRITE);
	free(w);
	if (fd == -1)
		return err_set(e, "%s: %s", path, strerror(errno));
	return fd;
}

int
os_fsync(int fd)
{
	return _commit(fd);
}

int
os_mkdir_p(const char *path, int mode, struct err *e)
{
	char *p = xstrdup(path), *s, eb[256];
	wchar_t *w;
	DWORD attr;
	int rc = -1;

	if (*p == '\0') {
		free(p);
		return err_set(e, "mkdir: empty path");
	}
	/* Skip a drive (C:\) or a UNC prefix (\\server\share\). */
	s = p;
	if (s[0] != '\0' && s[1] == ':')
		s += 2;
	else if ((s[0] == '\\' || s[0] == '/') && (s[1] == '\\' ||
	    s[1] == '/')) {
		int seps = 0;

		for (s += 2; *s != '\0' && seps < 2; s++)
			if (*s == '\\' || *s == '/')
				seps++;
	}
	for (;; s++) {
		char c = *s;

		if (c != '\\' && c != '/' && c != '\0')
			continue;
		if (s > p && s[-1] != ':' && s[-1] != '\\' && s[-1] != '/') {
			*s = '\0';
			if ((w = wide(p)) == NULL) {
				err_set(e, "mkdir %s: not valid UTF-8", path);
				goto out;
			}
			if (!CreateDirectoryW(w, NULL) &&
			    GetLastError() != ERROR_ALREADY_EXISTS) {
				err_set(e, "mkdir %s: %s", p,
				    win_error(GetLastError(), eb, sizeof eb));
				free(w);
				goto out;
			}
			free(w);
			*s = c;
		}
		if (c == '\0')
			break;
	}
	if ((w = wide(path)) == NULL)
		goto out;
	attr = GetFileAttributesW(w);
	free(w);
	if (attr == INVALID_FILE_ATTRIBUTES ||
	    !(attr & FILE_ATTRIBUTE_DIRECTORY)) {
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
	ULARGE_INTEGER avail, total;
	wchar_t *w = wide(path);
	char eb[256];
	BOOL ok;

	if (w == NULL)
		return err_set(e, "%s: not a valid UTF-8 name", path);
	ok = GetDiskFreeSpaceExW(w, &avail, &total, NULL);
	free(w);
	if (!ok)
		return err_set(e, "%s: free space: %s", path,
		    win_error(GetLastError(), eb, sizeof eb));
	if (free_bytes != NULL)
		*free_bytes = avail.QuadPart;
	if (total_bytes != NULL)
		*total_bytes = total.QuadPart;
	return 0;
}

static INIT_ONCE names_once = INIT_ONCE_STATIC_INIT;
static char host_name[256];
static char actor_name[512];

static BOOL CALLBACK
names_init(PINIT_ONCE once, PVOID param, PVOID *ctx)
{
	wchar_t w[256];
	DWORD n = 256;
	char *s;

	if (GetComputerNameExW(ComputerNameDnsHostname, w, &n)) {
		s = narrow(w);
		snprintf(host_name, sizeof host_name, "%s", s);
		free(s);
	} else
		snprintf(host_name, sizeof host_name, "localhost");
	n = 256;
	if (GetUserNameW(w, &n)) {
		s = narrow(w);
		snprintf(actor_name, sizeof actor_name, "%s@%s", s, host_name);
		free(s);
	} else
		snprintf(actor_name, sizeof actor_name, "unknown@%s",
		    host_name);
	return TRUE;
}

const char *
os_actor(void)
{
	InitOnceExecuteOnce(&names_once, names_init, NULL, NULL);
	return actor_name;
}

const char *
os_hostname(void)
{
	InitOnceExecuteOnce(&names_once, names_init, NULL, NULL);
	return host_name;
}

int
os_ncpu(void)
{
	DWORD n = GetActiveProcessorCount(ALL_PROCESSOR_GROUPS);

	return n > 0 ? (int)n : 1;
}

void
os_signals_reset(void)
{
	/* Windows has no inherited signal mask. */
}

int
os_pid_alive(long pid)
{
	HANDLE h;
	DWORD r;

	if (pid <= 0)
		return 0;
	h = OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION,
	    FALSE, (DWORD)pid);
	if (h == NULL)
		return GetLastError() == ERROR_ACCESS_DENIED;
	r = WaitForSingleObject(h, 0);
	CloseHandle(h);
	return r == WAIT_TIMEOUT;
}

char *
os_expand_home(const char *path)
{
	if (path == NULL)
		return NULL;
	if (path[0] != '~' || (path[1] != '/' && path[1] != '\\' &&
	    path[1] != '\0'))
		return xstrdup(path);
	{
		const wchar_t *w = _wgetenv(L"USERPROFILE");
		char *h, *r;

		if (w == NULL || *w == L'\0')
			return xasprintf("C:\\%s", path[1] ? path + 2 : "");
		h = narrow(w);
		r = xasprintf("%s%s", h, path + 1);
		free(h);
		return r;
	}
}
