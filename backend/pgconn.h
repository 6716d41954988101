/*
 * pgconn.h: a libpq connection to a host's database, bounded in time.
 *
 * The conninfo comes from the host's config (host, port, dbname, user,
 * passfile, connect_timeout); the password from pgpass or $PGPASSWORD,
 * never from the config or an argv.  With postgres.tunnel the connection
 * goes through the host's transport (transport_tunnel, direct-tcpip);
 * without it, to postgres.host, or to the host's address when that is
 * a loopback name and the transport is ssh (loopback is the far side's).
 *
 * Every call is non-blocking underneath and gives up at its deadline
 * (monotonic ms); a connection that timed out is closed (it is in an
 * unknown state) and must be reopened.  One thread uses a connection.
 */
#ifndef DRDECK_PGCONN_H
#define DRDECK_PGCONN_H

#include <stdint.h>

#include <libpq-fe.h>

#include "config.h"
#include "err.h"
#include "transport.h"

struct pgconn;

/* Connect; t is used only for a tunnel (may be NULL otherwise). */
int pgconn_open(const struct host_cfg *h, struct transport *t,
    int64_t deadline, struct pgconn **out, struct err *e) WUR;
void pgconn_close(struct pgconn *c);
/* 1 while the connection is usable. */
int pgconn_alive(const struct pgconn *c);
/* Run one statement; the last result (PGRES_TUPLES_OK or
 * PGRES_COMMAND_OK) for the caller to PQclear, or NULL with e set. */
PGresult *pgconn_exec(struct pgconn *c, const char *sql, int64_t deadline,
    struct err *e) WUR;
/* The same with text parameters $1... */
PGresult *pgconn_exec_params(struct pgconn *c, const char *sql, int nparams,
    const char *const *params, int64_t deadline, struct err *e) WUR;
/* Server version as PQserverVersion gives it (150004). */
int pgconn_server_version(const struct pgconn *c);
/* Where it connected to ("127.0.10.1:5432", "tunnel 127.0.0.1:40123"). */
const char *pgconn_target(const struct pgconn *c);

#endif
