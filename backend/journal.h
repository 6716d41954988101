/*
 * journal.h: the append-only record of everything drdeck did.
 *
 * JSON Lines, one event per line, fsync'd per event, mode 0600.  Rotation
 * by size keeps N files (journal.jsonl.1 ...); no event is lost across a
 * rotation.  The tail reader reads backwards from the end, so its cost
 * does not grow with the file; a torn or garbage line is skipped and
 * counted, never fatal.  The runbook's own log lines
 * ("[2026-11-25T09:00:12] dumped C:\Backups\db\x.dump",
 *  "[...] restored x.dump") are understood too.
 *
 * A journal handle may be shared between threads: appends are serialised
 * by its mutex.
 */
#ifndef DRDECK_JOURNAL_H
#define DRDECK_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

enum journal_kind {
	JK_JOB = 0,
	JK_STEP,
	JK_PROBE,
	JK_ALERT,
	JK_NOTE,
};

struct journal_event {
	int64_t	 ts;		/* wall ms, UTC (0 = now, on append) */
	char	*host;		/* the host it is about; may be NULL */
	char	*actor;		/* user@machine; NULL = os_actor() on append */
	enum journal_kind kind;
	char	*workflow;	/* workflow id, may be NULL */
	char	*step;		/* step id, may be NULL */
	char	*action;	/* "backup", "restore", "step.start", ... */
	int	 rc;		/* 0 ok, non-zero failed */
	int64_t	 duration_ms;	/* -1 when not timed */
	char	*message;
};

struct journal;

int journal_open(const char *path, uint64_t max_bytes, int keep,
    struct journal **out, struct err *e) WUR;
void journal_close(struct journal *j);
/* Append one event (one line, fsync'd). */
int journal_append(struct journal *j, const struct journal_event *ev,
    struct err *e) WUR;
/* Convenience: append with the common fields. */
int journal_log(struct journal *j, enum journal_kind kind, const char *host,
    const char *workflow, const char *step, const char *action, int rc,
    int64_t duration_ms, const char *message, struct err *e) WUR;

/* A line as text -> event (drdeck JSON line, or a runbook log line, whose
 * action is "dumped" / "restored" and message the path or name). */
int journal_parse_line(const char *line, size_t len,
    struct journal_event *ev) WUR;
/* One event as a JSON line (no newline), returned new. */
char *journal_format_line(const struct journal_event *ev);
void journal_event_free(struct journal_event *ev);

struct journal_tail {
	struct journal_event *ev;	/* oldest first */
	size_t	 n;
	size_t	 skipped;		/* torn / garbage lines seen */
};

/* The last n events (n > 0), or all since since_ms (since_ms > 0, n = 0),
 * read backwards from the end of path (rotated files are not read). */
int journal_tail(const char *path, size_t n, int64_t since_ms,
    struct journal_tail *out, struct err *e) WUR;
void journal_tail_free(struct journal_tail *t);

const char *journal_kind_name(enum journal_kind k);

/* Longest line read or written; longer lines are skipped as garbage. */
#define JOURNAL_LINE_MAX (1024 * 1024)

/* "job" ... "note" -> kind; 0, or -1 when not a kind name. */
int journal_kind_parse(const char *s, enum journal_kind *k) WUR;
/* journal_parse_line, reading a runbook line's bracket time as the local
 * time of zone tz (timefmt.h; NULL = this machine's zone).
 * journal_parse_line() is this with tz NULL. */
int journal_parse_line_tz(const char *line, size_t len, const char *tz,
    struct journal_event *ev) WUR;

/* Keep an event in a tail (non-zero) or pass over it. */
typedef int (*journal_match_fn)(const struct journal_event *ev, void *arg);
/* journal_tail with a filter: the last n events that match (match NULL =
 * all), runbook lines read in zone tz.  Reading stops at the first event
 * older than since_ms.  A missing file is an empty journal (0, no events).
 * journal_tail() is this with tz NULL and no filter. */
int journal_tail_match(const char *path, size_t n, int64_t since_ms,
    const char *tz, journal_match_fn match, void *arg,
    struct journal_tail *out, struct err *e) WUR;

#endif
