/*
 * pgtool.c: PostgreSQL client command lines for a host, SQL quoting,
 * version comparison.  Pure functions, any thread.
 */
#include "pgtool.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "job-common.h"
#include "xmalloc.h"

char *
pgtool_program(const struct host_cfg *h, const char *prog)
{
	const char *exe = h->os == HOST_OS_WINDOWS ? ".exe" : "";
	char *name, *path;

	name = xasprintf("%s%s", prog, exe);
	if (h->pg.bindir == NULL || *h->pg.bindir == '\0')
		return name;
	path = job_path_join(h, h->pg.bindir, name);
	free(name);
	return path;
}

void
pgtool_argv(const struct host_cfg *h, const char *prog, struct strv *out)
{
	char *p = pgtool_program(h, prog), port[16];

	strv_push(out, p);
	free(p);
	if (h->pg.host != NULL && *h->pg.host != '\0') {
		strv_push(out, "-h");
		strv_push(out, h->pg.host);
	}
	if (h->pg.port > 0) {
		snprintf(port, sizeof port, "%d", h->pg.port);
		strv_push(out, "-p");
		strv_push(out, port);
	}
	if (h->pg.user != NULL && *h->pg.user != '\0') {
		strv_push(out, "-U");
		strv_push(out, h->pg.user);
	}
	/* Never prompt: a missing password is an error, not a hang. */
	strv_push(out, "-w");
}

void
pgtool_psql(const struct host_cfg *h, const char *db, struct strv *out)
{
	pgtool_argv(h, "psql", out);
	strv_push(out, "-X");
	strv_push(out, "-q");
	strv_push(out, "-v");
	strv_push(out, "ON_ERROR_STOP=1");
	strv_push(out, "-A");
	strv_push(out, "-t");
	strv_push(out, "-F");
	strv_push(out, "|");
	strv_push(out, "-d");
	strv_push(out, db);
	strv_push(out, "-f");
	strv_push(out, "-");
}

const char *
pgtool_devnull(const struct host_cfg *h)
{
	return h->os == HOST_OS_WINDOWS ? "NUL" : "/dev/null";
}

void
pgtool_ident(struct buf *b, const char *id)
{
	buf_putc(b, '"');
	for (; *id != '\0'; id++) {
		if (*id == '"')
			buf_putc(b, '"');
		buf_putc(b, *id);
	}
	buf_putc(b, '"');
}

void
pgtool_literal(struct buf *b, const char *s)
{
	buf_putc(b, '\'');
	for (; *s != '\0'; s++) {
		if (*s == '\'')
			buf_putc(b, '\'');
		buf_putc(b, *s);
	}
	buf_putc(b, '\'');
}

int
pgtool_version_cmp(const char *a, const char *b)
{
	while (*a != '\0' || *b != '\0') {
		unsigned long x = 0, y = 0;

		while (*a != '\0' && !isdigit((unsigned char)*a))
			a++;
		while (*b != '\0' && !isdigit((unsigned char)*b))
			b++;
		while (isdigit((unsigned char)*a))
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (isdigit((unsigned char)*b))
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}
