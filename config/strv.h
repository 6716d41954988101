/*
 * strv.h: a NULL-terminated list of owned strings (an argv).
 * A zeroed struct strv is empty; v is NULL until the first push.
 */
#ifndef DRDECK_STRV_H
#define DRDECK_STRV_H

#include <stddef.h>

struct strv {
	char	**v;	/* NULL-terminated once non-empty */
	size_t	  n;
};

void strv_push(struct strv *a, const char *s);
/* Push every string of a NULL-terminated array. */
void strv_pushv(struct strv *a, const char *const *v);
void strv_copy(struct strv *dst, const struct strv *src);
void strv_free(struct strv *a);
/* The list as a const argv ({NULL} when empty; never NULL). */
const char *const *strv_argv(const struct strv *a);

#endif
