/*
 * pgtool.h: the command lines of PostgreSQL's client programs (pg_dump,
 * pg_restore, psql, pg_dumpall) as run ON a host through its transport,
 * and the SQL quoting the jobs need.
 *
 * An argv starts with the program (bindir joined with the host's path
 * separator, ".exe" on windows; the bare name searched in PATH when no
 * bindir is set) followed by the connection options of the host's
 * pg section (-h -p -U; never a password: pgpass or PGPASSWORD on the
 * host).  Callers push the rest.  Quoting for the far side's shell is
 * remote/'s job.  Pure functions, any thread.
 */
#ifndef DRDECK_PGTOOL_H
#define DRDECK_PGTOOL_H

#include <stddef.h>

#include "buf.h"
#include "config.h"
#include "strv.h"

/* The path of a client program on host h ("pg_dump" -> ".../pg_dump.exe"). */
char *pgtool_program(const struct host_cfg *h, const char *prog);
/* argv = program + -h HOST -p PORT -U USER (pushed onto out). */
void pgtool_argv(const struct host_cfg *h, const char *prog,
    struct strv *out);
/*
 * psql reading SQL from stdin against database db: no psqlrc, quiet,
 * stop at the first error, unaligned tuples only, '|' between fields.
 */
void pgtool_psql(const struct host_cfg *h, const char *db, struct strv *out);
/* The null device of the host ("/dev/null", "NUL"). */
const char *pgtool_devnull(const struct host_cfg *h);

/* Append an SQL identifier, double-quoted ("a""b"). */
void pgtool_ident(struct buf *b, const char *id);
/* Append an SQL string literal, single-quoted with ' doubled (E'' never
 * needed: standard_conforming_strings is on since 9.1). */
void pgtool_literal(struct buf *b, const char *s);

/* Compare dotted versions ("1.10" > "1.9"): <0, 0, >0. */
int pgtool_version_cmp(const char *a, const char *b);

#endif
