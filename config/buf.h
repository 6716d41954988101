/*
 * buf.h: a growable byte buffer, always NUL-terminated (may hold NULs).
 * A zeroed struct buf is an empty buffer.
 */
#ifndef DRDECK_BUF_H
#define DRDECK_BUF_H

#include <stddef.h>

#include "err.h"

struct buf {
	char	*s;
	size_t	 len;
	size_t	 cap;
};

void buf_append(struct buf *b, const void *data, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Drop everything, keep the memory. */
void buf_reset(struct buf *b);
/* Hand the string over to the caller (never NULL); b becomes empty. */
char *buf_detach(struct buf *b);
void buf_free(struct buf *b);
/* The contents as a C string ("" when empty). */
const char *buf_str(const struct buf *b);

#endif
