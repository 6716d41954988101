/*
 * pidmark.c: the process id a command over ssh reports first, and the
 * command line that stops it (pidmark.h).  Values are quoted with
 * quote.h's helpers; the pid is the only value.
 *
 * Pure functions, any thread.
 */
#include "pidmark.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "quote.h"

#define TAG_LEN (sizeof PIDMARK_TAG - 1)
#define PID_DIGITS_MAX 10
#define PID_MAX 2147483647L

/* sh: write the marker; the command follows (exec'd for an argv). */
#define SH_MARK "printf '" PIDMARK_TAG "%s\\n' \"$$\" >&2"
/* PowerShell: the same on the process's own stderr. */
#define PS_MARK "[Console]::Error.WriteLine('" PIDMARK_TAG "' + $PID)"

int
pidmark_command(enum host_shell shell, const char *const *argv,
    const char *script, struct buf *out, struct err *e)
{
	struct buf b = { 0 }, ps = { 0 };
	int rc = -1;

	assert((argv == NULL) != (script == NULL));
	if (shell == HOST_SHELL_SH) {
		if (argv != NULL) {
			buf_puts(&b, SH_MARK "; exec ");
			if (quote_sh_argv(&b, argv, e) == -1)
				goto out;
		} else {
			buf_puts(&b, SH_MARK "\n");
			buf_puts(&b, script);
		}
	} else {
		buf_puts(&ps, PS_MARK "\n");
		if (argv != NULL) {
			if (quote_ps_argv(&ps, argv, e) == -1)
				goto out;
		} else
			buf_puts(&ps, script);
		if (quote_ps_encode(&b, buf_str(&ps), e) == -1)
			goto out;
	}
	buf_append(out, b.s, b.len);
	rc = 0;
out:
	buf_free(&ps);
	buf_free(&b);
	return rc;
}

int
pidmark_stop_command(enum host_shell shell, long pid, struct buf *out,
    struct err *e)
{
	struct buf b = { 0 }, grp = { 0 };
	char num[24];
	int rc = -1;

	if (pid <= 1 || pid > PID_MAX)
		return err_set(e, "stop: %ld is no process id to stop", pid);
	if (shell == HOST_SHELL_SH) {
		/* The process group: the command and all it started. */
		snprintf(num, sizeof num, "-%ld", pid);
		if (quote_sh_word(&grp, num, e) == -1)
			goto out;
		buf_printf(&b, "kill -s TERM -- %s && { (sleep %d; "
		    "kill -s KILL -- %s) </dev/null >/dev/null 2>&1 & }",
		    buf_str(&grp), PIDMARK_GRACE_S, buf_str(&grp));
	} else {
		const char *argv[] = { "taskkill", "/T", "/F", "/PID", num,
		    NULL };

		snprintf(num, sizeof num, "%ld", pid);
		if (quote_for_shell(shell, argv, &b, e) == -1)
			goto out;
	}
	buf_append(out, b.s, b.len);
	rc = 0;
out:
	buf_free(&grp);
	buf_free(&b);
	return rc;
}

void
pidmark_init(struct pidmark *m)
{
	memset(m, 0, sizeof *m);
	m->state = PIDMARK_WAIT;
}

enum step { STEP_MORE, STEP_DONE, STEP_BAD };

/* Whether c continues the marker held so far; sets m->pid when it ends. */
static enum step
step(struct pidmark *m, char c)
{
	size_t pos = m->held_len, ndig, i;
	long pid = 0;

	if (pos < TAG_LEN)
		return c == PIDMARK_TAG[pos] ? STEP_MORE : STEP_BAD;
	if (m->held[pos - 1] == '\r')
		return c == '\n' ? STEP_DONE : STEP_BAD;
	ndig = pos - TAG_LEN;
	if (c >= '0' && c <= '9') {
		if ((ndig == 0 && c == '0') || ndig == PID_DIGITS_MAX)
			return STEP_BAD;
		return STEP_MORE;
	}
	if ((c != '\r' && c != '\n') || ndig == 0)
		return STEP_BAD;
	for (i = TAG_LEN; i < pos; i++) {
		pid = pid * 10 + (m->held[i] - '0');
		if (pid > PID_MAX)
			return STEP_BAD;
	}
	if (pid <= 1)
		return STEP_BAD;
	m->pid = pid;
	return c == '\n' ? STEP_DONE : STEP_MORE;
}

void
pidmark_feed(struct pidmark *m, const char *data, size_t n, struct buf *out)
{
	size_t i = 0;

	if (m->state == PIDMARK_WAIT) {
		for (; i < n; i++) {
			enum step s = step(m, data[i]);

			if (s == STEP_MORE) {
				assert(m->held_len < sizeof m->held);
				m->held[m->held_len++] = data[i];
				continue;
			}
			if (s == STEP_DONE) {
				m->state = PIDMARK_FOUND;
				m->held_len = 0;
				i++;
			} else {
				/* Not a marker: what was held is stderr. */
				m->state = PIDMARK_NONE;
				m->pid = 0;
				buf_append(out, m->held, m->held_len);
				m->held_len = 0;
			}
			break;
		}
	}
	if (i < n)
		buf_append(out, data + i, n - i);
}

void
pidmark_end(struct pidmark *m, struct buf *out)
{
	if (m->state != PIDMARK_WAIT)
		return;
	buf_append(out, m->held, m->held_len);
	m->held_len = 0;
	m->pid = 0;
	m->state = PIDMARK_NONE;
}
