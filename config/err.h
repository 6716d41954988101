/*
 * err.h: the error value every fallible function fills.
 *
 * Convention (redis anet, curl): a fallible function is
 *     int f(..., struct err *e) WUR;
 * returning 0 on success and -1 on failure, with e->msg a one-line
 * message that says what failed, where (file, key path, host) and what was
 * expected.  Callers may add context in front with err_prefix().
 * Out of memory is not an error: it aborts (xmalloc.h).  Bugs are asserts.
 */
#ifndef DRDECK_ERR_H
#define DRDECK_ERR_H

#define ERR_LEN 512

#define WUR __attribute__((warn_unused_result))
#define PRINTF_LIKE(f, a) __attribute__((format(printf, f, a)))

struct err {
	char msg[ERR_LEN];
};

/* Set the message (replaces any earlier one).  Always returns -1. */
int err_set(struct err *e, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Put "context: " in front of the current message.  Always returns -1. */
int err_prefix(struct err *e, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Clear the message. */
void err_clear(struct err *e);

#endif
