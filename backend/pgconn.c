/*
 * pgconn.c: libpq connections bounded by deadlines (see pgconn.h).
 *
 * Runs on the thread that owns the connection (a host's poller worker,
 * a job).  It blocks only in poll() on the connection's socket, never
 * past the deadline it was given.  libpq looks host names up itself with
 * no time limit, so a name is resolved first (resolve.h, bounded by the
 * deadline) and libpq is given the addresses as hostaddr, the name
 * staying as host for the password file and TLS.
 */
#include "pgconn.h"

#include <sys/socket.h>
#include <netdb.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "resolve.h"
#include "xmalloc.h"

struct pgconn {
	PGconn	*conn;
	char	 target[128];
};

static int
is_loopback_name(const char *s)
{
	return s == NULL || *s == '\0' || strcmp(s, "localhost") == 0 ||
	    strncmp(s, "127.", 4) == 0 || strcmp(s, "::1") == 0;
}

/* Wait until the socket is ready for what libpq asks, or the deadline. */
static int
wait_sock(PGconn *conn, int for_write, int64_t deadline)
{
	struct pollfd p;
	int64_t left;
	int r;

	p.fd = PQsocket(conn);
	if (p.fd < 0)
		return -1;
	p.events = for_write ? POLLOUT : POLLIN;
	for (;;) {
		left = clock_left_ms(deadline);
		if (left <= 0)
			return 0;
		r = poll(&p, 1, (int)(left > 1000000 ? 1000000 : left));
		if (r < 0 && errno == EINTR)
			continue;
		return r < 0 ? -1 : (r > 0 ? 1 : 0);
	}
}

static char *
one_line(const char *msg)
{
	char *s = xstrdup(msg != NULL ? msg : "");
	char *p;
	size_t n;

	for (p = s; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
	n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static int
conn_err(struct err *e, const struct host_cfg *h, const char *what,
    PGconn *conn)
{
	char *m = one_line(conn != NULL ? PQerrorMessage(conn) : "");

	err_set(e, "%s: database %s: %s%s%s", h->name, h->pg.dbname, what,
	    *m ? ": " : "", m);
	free(m);
	return -1;
}

/* One field of a pgpass line (':' ends it, '\\' escapes), into out;
 * returns where the next field starts, or NULL at the end of the line. */
static const char *
pgpass_field(const char *p, char *out, size_t len)
{
	size_t n = 0;

	while (*p != '\0' && *p != ':' && *p != '\n' && *p != '\r') {
		if (*p == '\\' && p[1] != '\0')
			p++;
		if (n + 1 < len)
			out[n++] = *p;
		p++;
	}
	out[n] = '\0';
	return *p == ':' ? p + 1 : NULL;
}

static int
pgpass_match(const char *pat, const char *v)
{
	return strcmp(pat, "*") == 0 || strcmp(pat, v) == 0;
}

/*
 * The password of a pgpass file for host:port:db:user, as libpq would
 * find it had it connected there itself.  Needed through a tunnel, where
 * libpq sees 127.0.0.1 and a local port that match no line.  The password
 * stays in memory (a connection parameter), never in an argv or a file.
 * 0 when found.
 */
static int
pgpass_lookup(const char *file, const char *host, const char *port,
    const char *db, const char *user, char *pw, size_t len)
{
	char line[1024], f[5][256];
	const char *p;
	FILE *fp;
	int i, found = 0;

	if (file == NULL)
		file = getenv("PGPASSFILE");
	if (file == NULL)
		return -1;
	fp = fopen(file, "r");
	if (fp == NULL)
		return -1;
	while (!found && fgets(line, sizeof line, fp) != NULL) {
		if (line[0] == '#')
			continue;
		p = line;
		for (i = 0; i < 5 && p != NULL; i++)
			p = pgpass_field(p, f[i], sizeof f[i]);
		if (i < 5)
			continue;
		if (pgpass_match(f[0], host) && pgpass_match(f[1], port) &&
		    pgpass_match(f[2], db) && pgpass_match(f[3], user)) {
			snprintf(pw, len, "%s", f[4]);
			found = 1;
		}
	}
	explicit_bzero(line, sizeof line);
	explicit_bzero(f, sizeof f);
	fclose(fp);
	return found ? 0 : -1;
}

/*
 * For a host name (not an address, not a socket folder): its addresses,
 * up to 4, as libpq's hostaddr list, and host repeated to match.  Empty
 * when libpq needs no help.
 */
#define PG_ADDRS_MAX 4
static int
pg_resolve(const char *host, const char *port, int64_t deadline,
    struct buf *hosts, struct buf *addrs, struct err *e)
{
	struct addrinfo *res = NULL, *ai;
	char num[PG_ADDRS_MAX][64];
	int n = 0, i;

	if (host[0] == '/' || host[0] == '@')	/* socket folder */
		return 0;
	if (resolve_addr(host, port, deadline, &res, e) != 0)
		return -1;
	for (ai = res; ai != NULL && n < PG_ADDRS_MAX; ai = ai->ai_next) {
		if (getnameinfo(ai->ai_addr, ai->ai_addrlen, num[n],
		    sizeof num[n], NULL, 0, NI_NUMERICHOST) != 0)
			continue;
		for (i = 0; i < n && strcmp(num[i], num[n]) != 0; i++)
			;
		if (i < n)
			continue;	/* the same address twice */
		buf_printf(hosts, "%s%s", n > 0 ? "," : "", host);
		buf_printf(addrs, "%s%s", n > 0 ? "," : "", num[n]);
		n++;
	}
	freeaddrinfo(res);
	if (n == 0)
		return err_set(e, "%s: no usable address", host);
	return 0;
}

/* Connect to a host's database through its tunnel or directly. */
int
pgconn_open(const struct host_cfg *h, struct transport *t, int64_t deadline,
    struct pgconn **out, struct err *e)
{
	const char *keys[14], *vals[14];
	char host[64], port[16], ctimeout[16], pw[256] = "";
	struct buf hosts = { 0 }, addrs = { 0 };
	const char *dbname = h->pg.dbname ? h->pg.dbname : "rabspocdb";
	const char *user = h->pg.user ? h->pg.user : "postgres";
	int n = 0, lport = 0, r = -1, w;
	PGconn *conn = NULL;
	PostgresPollingStatusType st;
	int64_t ct;

	*out = NULL;
	if (h->pg.tunnel) {
		if (t == NULL)
			return err_set(e, "%s: database: postgres.tunnel is set "
			    "but the host is not reachable", h->name);
		if (transport_tunnel(t, h->pg.host ? h->pg.host : "localhost",
		    h->pg.port, host, &lport, clock_left_ms(deadline),
		    e) != 0)
			return err_prefix(e, "%s: database tunnel", h->name);
	} else {
		const char *a = h->pg.host;

		if (h->transport == HOST_TRANSPORT_SSH && is_loopback_name(a) &&
		    h->address != NULL && *h->address != '\0')
			a = h->address;
		snprintf(host, sizeof host, "%s",
		    a != NULL && *a ? a : "localhost");
		lport = h->pg.port;
	}
	snprintf(port, sizeof port, "%d", lport);
	ct = h->pg.connect_timeout > 0 ? h->pg.connect_timeout : 5;
	if (ct * 1000 > clock_left_ms(deadline))
		ct = (clock_left_ms(deadline) + 999) / 1000;
	if (ct < 2)
		ct = 2;		/* libpq treats 1 as 2 anyway */
	snprintf(ctimeout, sizeof ctimeout, "%lld", (long long)ct);
	if (!h->pg.tunnel && pg_resolve(host, port, deadline, &hosts, &addrs,
	    e) != 0) {
		err_prefix(e, "%s: database", h->name);
		goto out;
	}
	if (addrs.len > 0) {
		keys[n] = "host"; vals[n++] = buf_str(&hosts);
		keys[n] = "hostaddr"; vals[n++] = buf_str(&addrs);
	} else {
		keys[n] = "host"; vals[n++] = host;
	}
	keys[n] = "port"; vals[n++] = port;
	keys[n] = "dbname"; vals[n++] = dbname;
	keys[n] = "user"; vals[n++] = user;
	keys[n] = "connect_timeout"; vals[n++] = ctimeout;
	keys[n] = "application_name"; vals[n++] = "drdeck";
	if (h->pg.passfile != NULL) {
		keys[n] = "passfile"; vals[n++] = h->pg.passfile;
	}
	if (h->pg.tunnel) {
		char rport[16];

		snprintf(rport, sizeof rport, "%d", h->pg.port);
		if (pgpass_lookup(h->pg.passfile, h->pg.host ? h->pg.host :
		    "localhost", rport, dbname, user, pw,
		    sizeof pw) == 0) {
			keys[n] = "password"; vals[n++] = pw;
		}
	}
	keys[n] = NULL; vals[n] = NULL;

	conn = PQconnectStartParams(keys, vals, 0);
	if (conn == NULL || PQstatus(conn) == CONNECTION_BAD) {
		conn_err(e, h, "cannot start a connection", conn);
		goto out;
	}
	w = 1;
	for (;;) {
		int ready = wait_sock(conn, w, deadline);

		if (ready == 0) {
			err_set(e, "%s: database %s at %s:%s: no answer "
			    "within the deadline", h->name, dbname, host,
			    port);
			goto out;
		}
		if (ready < 0) {
			conn_err(e, h, "connection failed", conn);
			goto out;
		}
		st = PQconnectPoll(conn);
		if (st == PGRES_POLLING_OK)
			break;
		if (st == PGRES_POLLING_FAILED) {
			conn_err(e, h, "connection failed", conn);
			goto out;
		}
		w = st == PGRES_POLLING_WRITING;
	}
	if (PQsetnonblocking(conn, 1) != 0) {
		conn_err(e, h, "cannot set non-blocking", conn);
		goto out;
	}
	*out = xcalloc(1, sizeof **out);
	(*out)->conn = conn;
	snprintf((*out)->target, sizeof (*out)->target, "%s%s:%s",
	    h->pg.tunnel ? "tunnel " : "", host, port);
	conn = NULL;
	r = 0;
out:
	explicit_bzero(pw, sizeof pw);
	buf_free(&hosts);
	buf_free(&addrs);
	if (conn != NULL)
		PQfinish(conn);
	return r;
}

/* Close and free. */
void
pgconn_close(struct pgconn *c)
{
	if (c == NULL)
		return;
	if (c->conn != NULL)
		PQfinish(c->conn);
	free(c);
}

/* 1 while usable. */
int
pgconn_alive(const struct pgconn *c)
{
	return c != NULL && c->conn != NULL &&
	    PQstatus(c->conn) == CONNECTION_OK;
}

static void
drop(struct pgconn *c)
{
	if (c->conn != NULL)
		PQfinish(c->conn);
	c->conn = NULL;
}

static PGresult *
finish_query(struct pgconn *c, int64_t deadline, struct err *e)
{
	PGresult *res, *last = NULL;
	int r;

	/* Flush what is queued. */
	while ((r = PQflush(c->conn)) == 1) {
		if (wait_sock(c->conn, 1, deadline) <= 0)
			goto timeout;
	}
	if (r < 0)
		goto fail;
	for (;;) {
		while (PQisBusy(c->conn)) {
			int ready = wait_sock(c->conn, 0, deadline);

			if (ready == 0)
				goto timeout;
			if (ready < 0 || !PQconsumeInput(c->conn))
				goto fail;
		}
		res = PQgetResult(c->conn);
		if (res == NULL)
			break;
		if (last != NULL)
			PQclear(last);
		last = res;
	}
	if (last == NULL) {
		err_set(e, "database: no result");
		return NULL;
	}
	if (PQresultStatus(last) != PGRES_TUPLES_OK &&
	    PQresultStatus(last) != PGRES_COMMAND_OK) {
		char *m = one_line(PQresultErrorMessage(last));

		err_set(e, "database: %s", m);
		free(m);
		PQclear(last);
		return NULL;
	}
	return last;
timeout:
	if (last != NULL)
		PQclear(last);
	drop(c);
	err_set(e, "database: no answer within the deadline");
	return NULL;
fail:
	if (last != NULL)
		PQclear(last);
	{
		char *m = one_line(PQerrorMessage(c->conn));

		err_set(e, "database: connection lost: %s", m);
		free(m);
	}
	drop(c);
	return NULL;
}

/* Run one statement with parameters, bounded by deadline. */
PGresult *
pgconn_exec_params(struct pgconn *c, const char *sql, int nparams,
    const char *const *params, int64_t deadline, struct err *e)
{
	if (!pgconn_alive(c)) {
		err_set(e, "database: not connected");
		return NULL;
	}
	if (!PQsendQueryParams(c->conn, sql, nparams, NULL, params, NULL,
	    NULL, 0)) {
		char *m = one_line(PQerrorMessage(c->conn));

		err_set(e, "database: cannot send the query: %s", m);
		free(m);
		drop(c);
		return NULL;
	}
	return finish_query(c, deadline, e);
}

/* Run one statement, bounded by deadline. */
PGresult *
pgconn_exec(struct pgconn *c, const char *sql, int64_t deadline,
    struct err *e)
{
	return pgconn_exec_params(c, sql, 0, NULL, deadline, e);
}

/* PQserverVersion of the connection (0 when closed). */
int
pgconn_server_version(const struct pgconn *c)
{
	return pgconn_alive(c) ? PQserverVersion(c->conn) : 0;
}

/* Where it connected to. */
const char *
pgconn_target(const struct pgconn *c)
{
	return c != NULL ? c->target : "";
}
