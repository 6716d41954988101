/*
 * strv.c: NULL-terminated string lists.  Any thread (a list is owned by one).
 */
#include "strv.h"

#include <stdlib.h>

#include "xmalloc.h"

void
strv_push(struct strv *a, const char *s)
{
	a->v = xreallocarray(a->v, a->n + 2, sizeof *a->v);
	a->v[a->n++] = xstrdup(s);
	a->v[a->n] = NULL;
}

void
strv_pushv(struct strv *a, const char *const *v)
{
	for (; v != NULL && *v != NULL; v++)
		strv_push(a, *v);
}

void
strv_copy(struct strv *dst, const struct strv *src)
{
	size_t i;

	dst->v = NULL;
	dst->n = 0;
	for (i = 0; i < src->n; i++)
		strv_push(dst, src->v[i]);
}

void
strv_free(struct strv *a)
{
	size_t i;

	for (i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

const char *const *
strv_argv(const struct strv *a)
{
	static const char *const empty[] = { NULL };

	return a->v != NULL ? (const char *const *)a->v : empty;
}
