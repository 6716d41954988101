/*
 * xmalloc.h: allocation that never returns NULL (tmux xmalloc).
 * Out of memory prints one line to stderr and aborts.
 */
#ifndef DRDECK_XMALLOC_H
#define DRDECK_XMALLOC_H

#include <stddef.h>

#include "err.h"

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grow an array of nmemb elements of size size (overflow-checked). */
void *xreallocarray(void *p, size_t nmemb, size_t size);
char *xstrdup(const char *s);
/* xstrdup that passes NULL through. */
char *xstrdup0(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
