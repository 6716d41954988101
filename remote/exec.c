/*
 * exec.c: what every transport's exec returns, and how it is described.
 * Pure, any thread.
 */
#include "transport.h"

#include <stdio.h>
#include <stdlib.h>

int
exec_ok(const struct exec_result *r)
{
	return r->exited && r->status == 0 && r->signal[0] == '\0' &&
	    !r->timed_out;
}

const char *
exec_describe(const struct exec_result *r, char *buf, size_t len)
{
	int n;

	if (r->timed_out) {
		n = snprintf(buf, len, "timed out after %.1f s; %s",
		    (double)r->duration_ms / 1000.0, r->stop);
		/* No stop to tell, or no room for all of it. */
		if (r->stop[0] == '\0' || n < 0 || (size_t)n >= len)
			snprintf(buf, len, "timed out after %.1f s",
			    (double)r->duration_ms / 1000.0);
	} else if (r->signal[0] != '\0')
		snprintf(buf, len, "signal %s", r->signal);
	else if (r->exited)
		snprintf(buf, len, "exit %d", r->status);
	else
		snprintf(buf, len, "no exit status (channel dropped)");
	return buf;
}

void
exec_result_free(struct exec_result *r)
{
	free(r->out);
	free(r->errout);
	r->out = r->errout = NULL;
	r->out_len = r->err_len = 0;
}

void
rdir_free(struct rdir *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->e[i].name);
	free(d->e);
	d->e = NULL;
	d->n = 0;
}
