/*
 * quote.h: build one command line from an argv for the far side's shell.
 *
 * POSIX sh: every word in single quotes, ' written as '\''.
 * PowerShell (and cmd, which has no reliable escaping and so is never
 * used to carry values): a script "& 'prog' 'arg' ...; exit $LASTEXITCODE"
 * with each word a single-quoted PowerShell string (' and the typographic
 * quotes doubled), wrapped as
 *     powershell -NoProfile -NonInteractive -EncodedCommand <base64 UTF-16LE>
 * A word that cannot be carried safely (a NUL byte, invalid UTF-8) is
 * refused.  Pure functions, any thread.
 */
#ifndef DRDECK_QUOTE_H
#define DRDECK_QUOTE_H

#include "buf.h"
#include "config.h"
#include "err.h"

/* Append one word quoted for POSIX sh. */
int quote_sh_word(struct buf *out, const char *word, struct err *e) WUR;
/* Append one word as a PowerShell single-quoted string. */
int quote_ps_word(struct buf *out, const char *word, struct err *e) WUR;
/* The whole argv as a sh command line. */
int quote_sh_argv(struct buf *out, const char *const *argv, struct err *e) WUR;
/*
 * The whole argv as a PowerShell script (not yet encoded).  Every word is
 * passed as a string: a native program gets them as its argv (an empty
 * word, a word with a double quote, or one ending in \ with a space in
 * it is refused: Windows PowerShell 5.1 would change it); a cmdlet gets
 * them positionally (a quoted '-Name' is a value, not a parameter name),
 * so call cmdlets from a script built with quote_ps_word().  Output of a
 * native program passes through PowerShell as text.
 */
int quote_ps_argv(struct buf *out, const char *const *argv, struct err *e) WUR;
/* Wrap a PowerShell script as powershell -EncodedCommand <base64(UTF-16LE)>. */
int quote_ps_encode(struct buf *out, const char *script, struct err *e) WUR;
/* The command line to send for this shell (sh, or encoded PowerShell for
 * powershell and cmd). */
int quote_for_shell(enum host_shell shell, const char *const *argv,
    struct buf *out, struct err *e) WUR;

#endif
