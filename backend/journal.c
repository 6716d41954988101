/*
 * journal.c: the append-only journal (JSON Lines) and its tail reader.
 *
 * Appends come from any thread: a journal handle serialises them with its
 * mutex, and processes sharing the file (the console and a scheduled job)
 * with an flock() on it.  Each event is one write() of one whole line,
 * then fsync: an append blocks on the disk for the time of an fsync.  A
 * line that could not be written whole is cut off again (ftruncate to the
 * size before it), so a failed write leaves no torn line behind.
 *
 * Rotation by size: when the next line would make the file pass
 * max_bytes, the file is renamed along the chain (path -> path.1 ->
 * path.2 ... -> path.keep, the oldest dropped) and a new one is opened;
 * the line that triggered it is the first line of the new file.  Another
 * process that still holds the old file notices the rename (inode
 * changed) under the lock and reopens before writing.
 *
 * The tail reader (any thread, its own file descriptor) reads blocks of
 * TAIL_BLOCK bytes backwards from the end, so its cost depends on the
 * number of lines asked for, not on the file's size.  Lines longer than
 * JOURNAL_LINE_MAX, torn lines (a last line without its newline: a crash
 * while writing) and lines that are neither a drdeck event nor a runbook
 * log line are skipped and counted.
 *
 * Files are opened, created and fsync'd through os.h; the lock (flock),
 * renames and the backwards reads are POSIX calls made here (a Windows
 * build needs LockFileEx in their place).
 *
 * The runbook's PowerShell jobs write "[2026-11-25T09:00:12] dumped PATH"
 * with `Get-Date -Format s`: the local time of the host, no zone.  It is
 * read as the local time of the zone given (journal_parse_line_tz; NULL =
 * this machine's zone), with timefmt.h's rule for DST changes.
 */
#include "journal.h"

#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "clock.h"
#include "os.h"
#include "timefmt.h"
#include "xmalloc.h"

#define TAIL_BLOCK	(64 * 1024)

struct journal {
	pthread_mutex_t	 mu;
	char		*path;
	int		 fd;
	uint64_t	 max_bytes;
	int		 keep;
};

static const char *kind_names[] = { "job", "step", "probe", "alert", "note" };

const char *
journal_kind_name(enum journal_kind k)
{
	if ((unsigned)k < sizeof kind_names / sizeof kind_names[0])
		return kind_names[k];
	return "note";
}

int
journal_kind_parse(const char *s, enum journal_kind *k)
{
	size_t i;

	for (i = 0; i < sizeof kind_names / sizeof kind_names[0]; i++)
		if (strcmp(s, kind_names[i]) == 0) {
			*k = (enum journal_kind)i;
			return 0;
		}
	return -1;
}

/* ---- lines ---- */

/* s with every invalid UTF-8 sequence replaced by U+FFFD (new string). */
static char *
utf8_clean(const char *s, size_t len)
{
	char *o = xmalloc(len * 3 + 1), *p = o;
	size_t i = 0;

	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = 0, k;
		uint32_t cp = 0;

		if (c < 0x80) {
			*p++ = (char)c;
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			cp = c & 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			cp = c & 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			cp = c & 0x07;
		}
		for (k = 1; n > 0 && k <= n; k++) {
			unsigned char cc;

			if (i + k >= len)
				break;
			cc = (unsigned char)s[i + k];
			if ((cc & 0xc0) != 0x80)
				break;
			cp = cp << 6 | (cc & 0x3f);
		}
		if (n == 0 || k <= n || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff)) {
			memcpy(p, "\xef\xbf\xbd", 3);
			p += 3;
			i++;
			continue;
		}
		memcpy(p, s + i, n + 1);
		p += n + 1;
		i += n + 1;
	}
	*p = '\0';
	return o;
}

static void
add_str(cJSON *o, const char *key, const char *v)
{
	char *c;

	if (v == NULL)
		return;
	c = utf8_clean(v, strlen(v));
	cJSON_AddStringToObject(o, key, c);
	free(c);
}

char *
journal_format_line(const struct journal_event *ev)
{
	cJSON *o = cJSON_CreateObject();
	char ts[TIMEFMT_LEN], *txt, *out;

	if (o == NULL)
		abort();
	timefmt_iso(ev->ts != 0 ? ev->ts : clock_wall_ms(), ts, sizeof ts);
	cJSON_AddStringToObject(o, "ts", ts);
	add_str(o, "host", ev->host);
	add_str(o, "actor", ev->actor);
	cJSON_AddStringToObject(o, "kind", journal_kind_name(ev->kind));
	add_str(o, "workflow", ev->workflow);
	add_str(o, "step", ev->step);
	add_str(o, "action", ev->action);
	cJSON_AddNumberToObject(o, "rc", ev->rc);
	if (ev->duration_ms >= 0)
		cJSON_AddNumberToObject(o, "duration_ms",
		    (double)ev->duration_ms);
	add_str(o, "message", ev->message);
	if ((txt = cJSON_PrintUnformatted(o)) == NULL)
		abort();
	cJSON_Delete(o);
	out = xstrdup(txt);
	cJSON_free(txt);
	return out;
}

void
journal_event_free(struct journal_event *ev)
{
	if (ev == NULL)
		return;
	free(ev->host);
	free(ev->actor);
	free(ev->workflow);
	free(ev->step);
	free(ev->action);
	free(ev->message);
	memset(ev, 0, sizeof *ev);
}

/* Optional string member: absent / null -> NULL; another type -> -1. */
static int
get_str(const cJSON *o, const char *key, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	*out = NULL;
	if (v == NULL || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v) || v->valuestring == NULL)
		return -1;
	*out = utf8_clean(v->valuestring, strlen(v->valuestring));
	return 0;
}

static int
parse_json(const char *line, size_t len, struct journal_event *ev)
{
	const cJSON *v;
	const char *end = NULL;
	cJSON *o;
	double d;
	int rc = -1;

	o = cJSON_ParseWithLengthOpts(line, len, &end, 0);
	if (o == NULL || !cJSON_IsObject(o))
		goto out;
	if (end != NULL)
		while (end < line + len && (*end == ' ' || *end == '\t'))
			end++;
	if (end == NULL || end != line + len)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "ts");
	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    timefmt_parse_iso(v->valuestring, strlen(v->valuestring),
	    &ev->ts) == -1)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "kind");
	if (!cJSON_IsString(v) || v->valuestring == NULL ||
	    journal_kind_parse(v->valuestring, &ev->kind) == -1)
		goto out;
	v = cJSON_GetObjectItemCaseSensitive(o, "rc");
	if (v != NULL) {
		if (!cJSON_IsNumber(v))
			goto out;
		d = v->valuedouble;
		if (!(d >= INT_MIN && d <= INT_MAX) || d != (double)(int)d)
			goto out;
		ev->rc = (int)d;
	}
	ev->duration_ms = -1;
	v = cJSON_GetObjectItemCaseSensitive(o, "duration_ms");
	if (v != NULL && !cJSON_IsNull(v)) {
		if (!cJSON_IsNumber(v))
			goto out;
		d = v->valuedouble;
		if (!(d >= -1 && d <= 9e15))
			goto out;
		ev->duration_ms = (int64_t)d;
	}
	if (get_str(o, "host", &ev->host) == -1 ||
	    get_str(o, "actor", &ev->actor) == -1 ||
	    get_str(o, "workflow", &ev->workflow) == -1 ||
	    get_str(o, "step", &ev->step) == -1 ||
	    get_str(o, "action", &ev->action) == -1 ||
	    get_str(o, "message", &ev->message) == -1)
		goto out;
	rc = 0;
out:
	cJSON_Delete(o);
	return rc;
}

/* "[2026-11-25T09:00:12] dumped PATH" / "[...] restored NAME". */
static int
parse_runbook(const char *line, size_t len, const char *tz,
    struct journal_event *ev)
{
	static const char *actions[] = { "dumped", "restored" };
	const char *close, *word, *rest;
	struct civil c;
	struct err e;
	size_t i, wl;

	if (len < 2 || line[0] != '[' ||
	    (close = memchr(line, ']', len)) == NULL)
		return -1;
	if (timefmt_parse_civil(line + 1, (size_t)(close - line - 1),
	    &c) == -1)
		return -1;
	word = close + 1;
	if (word >= line + len || *word != ' ')
		return -1;
	word++;
	for (i = 0; i < sizeof actions / sizeof actions[0]; i++) {
		wl = strlen(actions[i]);
		if ((size_t)(line + len - word) > wl + 1 &&
		    memcmp(word, actions[i], wl) == 0 && word[wl] == ' ')
			break;
	}
	if (i == sizeof actions / sizeof actions[0])
		return -1;
	rest = word + wl + 1;
	if (tz_from_local(tz, &c, &ev->ts, NULL, &e) == -1)
		return -1;
	ev->kind = JK_JOB;
	ev->duration_ms = -1;
	ev->action = xstrdup(actions[i]);
	ev->message = utf8_clean(rest, (size_t)(line + len - rest));
	return 0;
}

int
journal_parse_line_tz(const char *line, size_t len, const char *tz,
    struct journal_event *ev)
{
	int rc;

	memset(ev, 0, sizeof *ev);
	ev->duration_ms = -1;
	while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r' ||
	    line[len - 1] == ' ' || line[len - 1] == '\t'))
		len--;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	/* A UTF-8 byte order mark (PowerShell 5 writes one). */
	if (len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0) {
		line += 3;
		len -= 3;
	}
	if (len == 0 || len > JOURNAL_LINE_MAX || memchr(line, '\0', len))
		return -1;
	if (line[0] == '{')
		rc = parse_json(line, len, ev);
	else
		rc = parse_runbook(line, len, tz, ev);
	if (rc == -1)
		journal_event_free(ev);
	return rc;
}

int
journal_parse_line(const char *line, size_t len, struct journal_event *ev)
{
	return journal_parse_line_tz(line, len, NULL, ev);
}

/* ---- appending ---- */

/* Create the journal's folder (0700) when it is missing. */
static int
mkdir_parents(const char *path, struct err *e)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');
	int rc = 0;

	if (slash != NULL && slash != d) {
		*slash = '\0';
		if (os_mkdir_p(d, 0700, e) == -1)
			rc = err_prefix(e, "journal %s", path);
	}
	free(d);
	return rc;
}

static int
open_file(const char *path, struct err *e)
{
	struct stat st;
	int fd;

	if ((fd = os_open_append(path, 0600, e)) == -1)
		return err_prefix(e, "journal: cannot open for append");
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(e, "journal %s: not a regular file", path);
	}
	/* An existing file readable by others is narrowed to 0600. */
	if ((st.st_mode & 07777) != 0600 && fchmod(fd, 0600) == -1) {
		close(fd);
		return err_set(e, "journal %s: cannot set mode 0600: %s", path,
		    strerror(errno));
	}
	return fd;
}

static void
sync_dir(const char *path)
{
	char *d = xstrdup(path), *slash = strrchr(d, '/');
	int fd;

	if (slash == d)
		slash[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(d, ".");
	if ((fd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)os_fsync(fd);
		close(fd);
	}
	free(d);
}

int
journal_open(const char *path, uint64_t max_bytes, int keep,
    struct journal **out, struct err *e)
{
	struct journal *j;
	int fd;

	if (path == NULL || *path == '\0')
		return err_set(e, "journal: no path");
	if (mkdir_parents(path, e) == -1)
		return -1;
	if ((fd = open_file(path, e)) == -1)
		return -1;
	j = xcalloc(1, sizeof *j);
	pthread_mutex_init(&j->mu, NULL);
	j->path = xstrdup(path);
	j->fd = fd;
	j->max_bytes = max_bytes;
	j->keep = keep < 0 ? 0 : keep;
	*out = j;
	return 0;
}

void
journal_close(struct journal *j)
{
	if (j == NULL)
		return;
	if (j->fd != -1)
		close(j->fd);
	pthread_mutex_destroy(&j->mu);
	free(j->path);
	free(j);
}

/* Lock the file we hold, reopening first if another process rotated it. */
static int
lock_current(struct journal *j, struct err *e)
{
	struct stat a, b;
	int tries, fd;

	for (tries = 0; tries < 100; tries++) {
		while (flock(j->fd, LOCK_EX) == -1)
			if (errno != EINTR)
				return err_set(e, "journal %s: cannot lock: "
				    "%s", j->path, strerror(errno));
		if (fstat(j->fd, &a) == 0 && stat(j->path, &b) == 0 &&
		    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
			return 0;
		(void)flock(j->fd, LOCK_UN);
		if ((fd = open_file(j->path, e)) == -1)
			return -1;
		close(j->fd);
		j->fd = fd;
	}
	return err_set(e, "journal %s: the file keeps being replaced", j->path);
}

/* Rename along the chain and open a new file; the lock is held. */
static int
rotate(struct journal *j, struct err *e)
{
	char *from, *to;
	int i, fd;

	if (j->keep == 0) {
		if (unlink(j->path) == -1 && errno != ENOENT)
			return err_set(e, "journal %s: cannot remove for "
			    "rotation: %s", j->path, strerror(errno));
	} else {
		for (i = j->keep - 1; i >= 1; i--) {
			from = xasprintf("%s.%d", j->path, i);
			to = xasprintf("%s.%d", j->path, i + 1);
			if (rename(from, to) == -1 && errno != ENOENT) {
				err_set(e, "journal %s: cannot rename to %s: "
				    "%s", from, to, strerror(errno));
				free(from);
				free(to);
				return -1;
			}
			free(from);
			free(to);
		}
		to = xasprintf("%s.1", j->path);
		if (rename(j->path, to) == -1) {
			err_set(e, "journal %s: cannot rename to %s: %s",
			    j->path, to, strerror(errno));
			free(to);
			return -1;
		}
		free(to);
	}
	if ((fd = open_file(j->path, e)) == -1)
		return -1;
	sync_dir(j->path);
	(void)flock(j->fd, LOCK_UN);
	close(j->fd);
	j->fd = fd;
	while (flock(j->fd, LOCK_EX) == -1)
		if (errno != EINTR)
			return err_set(e, "journal %s: cannot lock: %s",
			    j->path, strerror(errno));
	return 0;
}

static int
write_line(struct journal *j, const char *s, size_t len, struct err *e)
{
	struct stat st;
	size_t done = 0;
	ssize_t n;

	if (fstat(j->fd, &st) == -1)
		return err_set(e, "journal %s: %s", j->path, strerror(errno));
	if (j->max_bytes > 0 && st.st_size > 0 &&
	    (uint64_t)st.st_size + len > j->max_bytes) {
		if (rotate(j, e) == -1)
			return -1;
		st.st_size = 0;
	}
	while (done < len) {
		n = write(j->fd, s + done, len - done);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			int saved = n == -1 ? errno : ENOSPC;

			/* Leave no torn line behind. */
			(void)ftruncate(j->fd, st.st_size);
			return err_set(e, "journal %s: write failed: %s",
			    j->path, strerror(saved));
		}
		done += (size_t)n;
	}
	if (os_fsync(j->fd) == -1)
		return err_set(e, "journal %s: fsync failed: %s", j->path,
		    strerror(errno));
	return 0;
}

int
journal_append(struct journal *j, const struct journal_event *ev,
    struct err *e)
{
	struct journal_event c = *ev;
	char *line, *nl;
	size_t len;
	int rc = -1;

	if (c.ts == 0)
		c.ts = clock_wall_ms();
	if (c.actor == NULL)
		c.actor = (char *)os_actor();
	line = journal_format_line(&c);
	len = strlen(line);
	if (len > JOURNAL_LINE_MAX) {
		free(line);
		return err_set(e, "journal %s: event of %zu bytes is longer "
		    "than the %d allowed", j->path, len, JOURNAL_LINE_MAX);
	}
	nl = xmalloc(len + 2);
	memcpy(nl, line, len);
	nl[len] = '\n';
	nl[len + 1] = '\0';
	free(line);
	pthread_mutex_lock(&j->mu);
	if (lock_current(j, e) == 0) {
		rc = write_line(j, nl, len + 1, e);
		(void)flock(j->fd, LOCK_UN);
	}
	pthread_mutex_unlock(&j->mu);
	free(nl);
	return rc;
}

int
journal_log(struct journal *j, enum journal_kind kind, const char *host,
    const char *workflow, const char *step, const char *action, int rc,
    int64_t duration_ms, const char *message, struct err *e)
{
	struct journal_event ev;

	memset(&ev, 0, sizeof ev);
	ev.kind = kind;
	ev.host = (char *)host;
	ev.workflow = (char *)workflow;
	ev.step = (char *)step;
	ev.action = (char *)action;
	ev.rc = rc;
	ev.duration_ms = duration_ms;
	ev.message = (char *)message;
	return journal_append(j, &ev, e);
}

/* ---- the tail ---- */

struct tailctx {
	size_t	 n;
	int64_t	 since;
	const char *tz;
	journal_match_fn match;
	void	*arg;
	struct journal_tail *out;
	size_t	 cap;
	int	 done;
};

/* One whole line (newest first); sets t->done when enough. */
static void
tail_line(struct tailctx *t, const char *s, size_t len, int terminated,
    int overflow)
{
	struct journal_event ev;
	size_t k;

	for (k = 0; k < len; k++)
		if (s[k] != ' ' && s[k] != '\t' && s[k] != '\r')
			break;
	if (k == len && !overflow)
		return;		/* blank */
	if (!terminated || overflow ||
	    journal_parse_line_tz(s, len, t->tz, &ev) == -1) {
		t->out->skipped++;
		return;
	}
	if (t->since > 0 && ev.ts < t->since) {
		journal_event_free(&ev);
		t->done = 1;
		return;
	}
	if (t->match != NULL && !t->match(&ev, t->arg)) {
		journal_event_free(&ev);
		return;
	}
	if (t->out->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->out->ev = xreallocarray(t->out->ev, t->cap,
		    sizeof *t->out->ev);
	}
	t->out->ev[t->out->n++] = ev;
	if (t->n > 0 && t->out->n >= t->n)
		t->done = 1;
}

int
journal_tail_match(const char *path, size_t n, int64_t since_ms,
    const char *tz, journal_match_fn match, void *arg,
    struct journal_tail *out, struct err *e)
{
	struct tailctx t;
	struct stat st;
	char *buf = NULL, *carry = NULL;
	size_t carry_len = 0, i;
	int fd, rc = -1, seg_term = 0, overflow = 0;
	off_t pos;

	memset(out, 0, sizeof *out);
	if (n == 0 && since_ms <= 0)
		return err_set(e, "journal %s: tail needs a count or a time",
		    path);
	memset(&t, 0, sizeof t);
	t.n = n;
	t.since = since_ms;
	t.tz = tz;
	t.match = match;
	t.arg = arg;
	t.out = out;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;	/* no journal yet: no events */
		return err_set(e, "journal %s: cannot open: %s", path,
		    strerror(errno));
	}
	if (fstat(fd, &st) == -1) {
		err_set(e, "journal %s: %s", path, strerror(errno));
		goto out;
	}
	pos = st.st_size;
	while (!t.done) {
		size_t rd, len, end;
		ssize_t got;

		if (pos == 0) {
			/* The first line of the file. */
			tail_line(&t, carry, carry_len, seg_term, overflow);
			break;
		}
		rd = pos > TAIL_BLOCK ? TAIL_BLOCK : (size_t)pos;
		pos -= (off_t)rd;
		len = rd + carry_len;
		buf = xmalloc(len + 1);
		for (i = 0; i < rd; i += (size_t)got) {
			got = pread(fd, buf + i, rd - i, pos + (off_t)i);
			if (got == -1 && errno == EINTR) {
				got = 0;
				continue;
			}
			if (got <= 0) {
				err_set(e, "journal %s: read failed: %s",
				    path, got == 0 ? "file shrank" :
				    strerror(errno));
				goto out;
			}
		}
		if (carry_len > 0)
			memcpy(buf + rd, carry, carry_len);
		free(carry);
		carry = NULL;
		end = len;
		for (i = len; i > 0 && !t.done; i--) {
			if (buf[i - 1] != '\n')
				continue;
			tail_line(&t, buf + i, end - i, seg_term, overflow);
			seg_term = 1;
			overflow = 0;
			end = i - 1;
		}
		if (t.done)
			break;
		/* What precedes the first newline waits for its start. */
		if (end > JOURNAL_LINE_MAX) {
			overflow = 1;
			end = 0;
		}
		carry = buf;
		carry_len = end;
		buf = NULL;
	}
	/* Oldest first. */
	for (i = 0; i < out->n / 2; i++) {
		struct journal_event tmp = out->ev[i];

		out->ev[i] = out->ev[out->n - 1 - i];
		out->ev[out->n - 1 - i] = tmp;
	}
	rc = 0;
out:
	free(buf);
	free(carry);
	close(fd);
	if (rc == -1)
		journal_tail_free(out);
	return rc;
}

int
journal_tail(const char *path, size_t n, int64_t since_ms,
    struct journal_tail *out, struct err *e)
{
	return journal_tail_match(path, n, since_ms, NULL, NULL, NULL, out, e);
}

void
journal_tail_free(struct journal_tail *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		journal_event_free(&t->ev[i]);
	free(t->ev);
	memset(t, 0, sizeof *t);
}
