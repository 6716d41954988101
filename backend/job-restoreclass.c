/*
 * job-restoreclass.c: pg_restore's and psql's stderr, line by line, into
 * benign and fatal messages (the list is in job-restoreclass.h and
 * docs/jobs.md).  Pure, any thread.
 */
#include "job-restoreclass.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
starts(const char *s, size_t n, const char *prefix)
{
	size_t p = strlen(prefix);

	return n >= p && memcmp(s, prefix, p) == 0;
}

/* Is needle within s[0..n)? */
static const char *
find(const char *s, size_t n, const char *needle)
{
	size_t k = strlen(needle), i;

	if (k > n)
		return NULL;
	for (i = 0; i + k <= n; i++)
		if (memcmp(s + i, needle, k) == 0)
			return s + i;
	return NULL;
}

/* A quoted name then a fixed tail: "\"x\" already exists" */
static int
quoted_then(const char *m, size_t n, const char *head, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	const char *q;

	if (n < h + 2 + t || memcmp(m, head, h) != 0 || m[h] != '"')
		return 0;
	q = memchr(m + h + 1, '"', n - h - 1);
	if (q == NULL)
		return 0;
	return (size_t)(m + n - (q + 1)) == t && memcmp(q + 1, tail, t) == 0;
}

/* The message after "ERROR:" (spaces skipped), classified. */
static int
benign_error(const char *m, size_t n)
{
	while (n > 0 && (m[n - 1] == ' ' || m[n - 1] == '\r'))
		n--;
	if (n == strlen("schema \"public\" already exists") &&
	    memcmp(m, "schema \"public\" already exists", n) == 0)
		return 1;
	if (quoted_then(m, n, "extension ", " already exists"))
		return 1;
	if (quoted_then(m, n, "role ", " already exists"))
		return 1;
	if (starts(m, n, "must be owner of extension ") &&
	    n > strlen("must be owner of extension ") &&
	    memchr(m + strlen("must be owner of extension "), ' ',
	    n - strlen("must be owner of extension ")) == NULL)
		return 1;
	return 0;
}

static void
note_fatal(struct restore_class *rc, const char *line, size_t n)
{
	if (rc->fatal++ == 0) {
		if (n >= sizeof rc->first_fatal)
			n = sizeof rc->first_fatal - 1;
		memcpy(rc->first_fatal, line, n);
		rc->first_fatal[n] = '\0';
	}
}

void
restoreclass_run(const char *text, size_t len, struct restore_class *rc)
{
	const char *p = text, *end = text + len;
	int in_ctx = 0;

	memset(rc, 0, sizeof *rc);
	rc->ignored_reported = -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
		const char *line = p, *err;

		p = nl != NULL ? nl + 1 : end;
		while (n > 0 && line[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (starts(line, n, "pg_restore: warning: errors ignored on "
		    "restore: ")) {
			rc->ignored_reported = atoi(line + strlen(
			    "pg_restore: warning: errors ignored on restore: "));
			in_ctx = 0;
			continue;
		}
		if (starts(line, n, "pg_restore: from TOC entry ") ||
		    starts(line, n, "pg_restore: while PROCESSING TOC:")) {
			in_ctx = 1;
			continue;
		}
		if (starts(line, n, "pg_restore: error: could not execute "
		    "query: ERROR:") || (starts(line, n, "psql:") &&
		    find(line, n, ": ERROR:") != NULL)) {
			err = find(line, n, "ERROR:") + strlen("ERROR:");
			while (err < line + n && *err == ' ')
				err++;
			if (benign_error(err, (size_t)(line + n - err)))
				rc->benign++;
			else
				note_fatal(rc, line, n);
			in_ctx = 1;
			continue;
		}
		if (starts(line, n, "NOTICE:") || (starts(line, n, "psql:") &&
		    find(line, n, ": NOTICE:") != NULL)) {
			in_ctx = 0;
			continue;
		}
		if (starts(line, n, "pg_restore:") || starts(line, n, "psql:")) {
			/* Any other message of the tools themselves. */
			note_fatal(rc, line, n);
			in_ctx = 0;
			continue;
		}
		if (in_ctx)
			continue;	/* Command was: / DETAIL: / statement */
		note_fatal(rc, line, n);
	}
	/* The summary counts errors we did not see: not benign. */
	if (rc->ignored_reported > rc->benign + rc->fatal)
		note_fatal(rc, "pg_restore reported more ignored errors than "
		    "it printed", strlen("pg_restore reported more ignored "
		    "errors than it printed"));
}

int
restoreclass_ok(const struct restore_class *rc)
{
	return rc->fatal == 0;
}
