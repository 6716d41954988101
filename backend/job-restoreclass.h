/*
 * job-restoreclass.h: what pg_restore (and psql running the roles file)
 * printed on stderr, sorted into benign and fatal messages.
 *
 * The benign list is short and documented in docs/jobs.md:
 *   - "schema \"public\" already exists"      (dumps of older servers)
 *   - "extension \"X\" already exists"         (created by drdeck first)
 *   - "must be owner of extension X"           (COMMENT ON EXTENSION)
 *   - "role \"X\" already exists"              (the roles file, re-run)
 *   - "errors ignored on restore: N"           (pg_restore's summary; only
 *                                               benign when every error it
 *                                               counts is benign)
 * The context lines pg_restore prints around an error ("while
 * PROCESSING TOC:", "from TOC entry",
 * "Command was:", continuation lines of the statement) belong to that
 * error.  Anything else — an unknown error, warning or line — is fatal:
 * the restore stops before the switch.  Pure, any thread.
 */
#ifndef DRDECK_JOB_RESTORECLASS_H
#define DRDECK_JOB_RESTORECLASS_H

#include <stddef.h>

struct restore_class {
	int	 benign;		/* benign errors seen */
	int	 fatal;			/* anything else */
	int	 ignored_reported;	/* pg_restore's "errors ignored" N; -1 */
	char	 first_fatal[256];	/* the first fatal line ("" none) */
};

/* Classify a whole stderr text (len bytes; need not be NUL-terminated). */
void restoreclass_run(const char *text, size_t len, struct restore_class *rc);
/* 1 when nothing fatal was seen (benign errors are allowed). */
int restoreclass_ok(const struct restore_class *rc);

#endif
