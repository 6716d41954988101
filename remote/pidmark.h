/*
 * pidmark.h: stopping a command run over ssh that outlives its deadline.
 *
 * libssh2 1.10 cannot send a signal over a channel, and sshd ends a
 * command without a terminal only when it exits.  So every command line
 * reports its process id first, as one marker line on stderr
 * ("drdeck-pid:1234\n"; "\r\n" from PowerShell), and the transport
 * strips exactly that line (struct pidmark): callers never see it.  At a
 * deadline or a cancel the transport runs pidmark_stop_command() on a
 * channel of its own.
 *
 * sh: sshd starts the user's shell as a new session, so its pid is also
 * its process group; the wrapper writes the marker with $$ and execs the
 * command, which keeps that pid.  The stop sends TERM to the whole group
 * and KILL to what is left PIDMARK_GRACE_S seconds later.
 * PowerShell: the marker carries $PID (the powershell.exe that runs the
 * command); the stop is taskkill /T /F on that process tree.
 *
 * Pure functions, any thread.
 */
#ifndef DRDECK_PIDMARK_H
#define DRDECK_PIDMARK_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "err.h"

#define PIDMARK_TAG "drdeck-pid:"
/* The longest marker line: tag, 10 digits, \r\n. */
#define PIDMARK_LINE_MAX (sizeof PIDMARK_TAG - 1 + 10 + 2)
/* sh: seconds between TERM and KILL. */
#define PIDMARK_GRACE_S 2

/*
 * The command line for the host's shell that writes the marker line on
 * stderr, then runs argv (quoted, quote.h) or script (already written
 * for that shell); exactly one of them is set.  PowerShell: encoded.
 */
int pidmark_command(enum host_shell shell, const char *const *argv,
    const char *script, struct buf *out, struct err *e) WUR;

/*
 * The command line that stops the process pid reported and everything
 * it started.  It exits 0 when the stop was delivered, non-zero with a
 * message on stderr when not (no such process, not permitted).
 */
int pidmark_stop_command(enum host_shell shell, long pid, struct buf *out,
    struct err *e) WUR;

enum pidmark_state {
	PIDMARK_WAIT,		/* stderr so far may still be the marker */
	PIDMARK_FOUND,		/* the marker came and was taken out */
	PIDMARK_NONE,		/* stderr did not start with a marker */
};

/* The marker reader for one command's stderr. */
struct pidmark {
	enum pidmark_state state;
	long	 pid;		/* > 1 once PIDMARK_FOUND */
	char	 held[PIDMARK_LINE_MAX];
	size_t	 held_len;
};

void pidmark_init(struct pidmark *m);
/*
 * The next n bytes of stderr, as they arrive (a marker may be split
 * across reads).  Appends to out what belongs to the command's own
 * stderr; bytes that may still be the marker are held back.  Only the
 * first line is ever taken as the marker, and only when it is exactly
 * the tag, a pid > 1 without leading zero, and an end of line.
 */
void pidmark_feed(struct pidmark *m, const char *data, size_t n,
    struct buf *out);
/* stderr ended or is given up: held bytes (a partial marker, never
 * taken as one) go to out. */
void pidmark_end(struct pidmark *m, struct buf *out);

#endif
