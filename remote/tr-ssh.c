/*
 * tr-ssh.c: the ssh transport — connection, authentication, exec, and
 * the session kept for reuse (file operations are in ssh-sftp.c, tunnels
 * in ssh-tunnel.c, the host key check in ssh-hostkey.c).
 *
 * One libssh2 session per transport, reused by every call.  When it
 * drops, the next call reconnects; failed reconnects are spaced 1, 2, 4,
 * 8 s apart.  The session is non-blocking: every wait is a poll() on its
 * socket bounded by the call's deadline, waking every 100 ms to look at
 * the cancel flag.  A command past its deadline or cancelled is stopped
 * on the host by a command of its own (pidmark.h), on a second channel.
 * Runs on the thread that owns the transport.
 */
#include "ssh-int.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "os.h"
#include "pidmark.h"
#include "xmalloc.h"

#define TICK_MS 100
#define BACKOFF_MAX_MS 8000

/*
 * Stopping a command past its deadline (pidmark.h).  The channel for the
 * stop is asked for STOP_LEAD_MS before the deadline (at most half the
 * timeout), and the peer has STOP_ANSWER_MS to open it: a peer that has
 * not answered by the deadline is not waited for.  The stop itself has
 * STOP_MS of its own.
 */
#define STOP_LEAD_MS 1000
#define STOP_ANSWER_MS 1000
#define STOP_MS 3000

/* ed25519 first: libssh2 1.10 would prefer ECDSA, which an
 * ed25519-only known_hosts does not hold. */
#define HOSTKEY_PREF "ssh-ed25519,ecdsa-sha2-nistp256,ecdsa-sha2-nistp384," \
	"ecdsa-sha2-nistp521,ssh-rsa"

#define RSA_NOTE "RSA keys do not work with libssh2 1.10 (no rsa-sha2): " \
	"use an ed25519 key"

struct ssh_tr {
	struct ssh_conn *c;	/* NULL after a drop */
	int	 failures;	/* reconnects failed in a row */
	int64_t	 next_try;	/* monotonic ms */
	char	 last_err[ERR_LEN];
	struct ssh_tunnels *tunnels;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static int init_rc;

static void
init_libssh2(void)
{
	init_rc = libssh2_init(0);
}

static int
cancelled(struct ssh_conn *c)
{
	return c->cancel != NULL && *c->cancel != NULL && **c->cancel != 0;
}

/* Poll the socket in the direction libssh2 waits for, at most ms. */
static void
sock_poll(struct ssh_conn *c, int64_t ms)
{
	struct pollfd pf;
	int dir;

	dir = libssh2_session_block_directions(c->s);
	pf.fd = c->sock;
	pf.events = 0;
	if (dir & LIBSSH2_SESSION_BLOCK_INBOUND)
		pf.events |= POLLIN;
	if (dir & LIBSSH2_SESSION_BLOCK_OUTBOUND)
		pf.events |= POLLOUT;
	if (pf.events == 0)
		pf.events = POLLIN;
	pf.revents = 0;
	(void)poll(&pf, 1, (int)(ms < TICK_MS ? ms : TICK_MS));
}

int
ssh_wait(struct ssh_conn *c, int64_t deadline, struct err *e)
{
	int64_t left;

	if (cancelled(c))
		return err_set(e, "cancelled");
	if ((left = clock_left_ms(deadline)) == 0)
		return err_set(e, "timed out");
	sock_poll(c, left);
	return 0;
}

static int
session_error(int rc)
{
	switch (rc) {
	case LIBSSH2_ERROR_SOCKET_NONE:
	case LIBSSH2_ERROR_BANNER_RECV:
	case LIBSSH2_ERROR_BANNER_SEND:
	case LIBSSH2_ERROR_INVALID_MAC:
	case LIBSSH2_ERROR_KEX_FAILURE:
	case LIBSSH2_ERROR_SOCKET_SEND:
	case LIBSSH2_ERROR_TIMEOUT:
	case LIBSSH2_ERROR_DECRYPT:
	case LIBSSH2_ERROR_SOCKET_DISCONNECT:
	case LIBSSH2_ERROR_PROTO:
	case LIBSSH2_ERROR_SOCKET_TIMEOUT:
	case LIBSSH2_ERROR_SOCKET_RECV:
	case LIBSSH2_ERROR_ENCRYPT:
	case LIBSSH2_ERROR_BAD_SOCKET:
	case SSH_ABANDONED:
		return 1;
	}
	return 0;
}

int
ssh_fail(struct ssh_conn *c, int rc, const char *what, struct err *e)
{
	char *msg = NULL;

	if (rc == SSH_ABANDONED)
		return err_prefix(e, "%s", what);
	if (session_error(rc))
		c->dead = 1;
	libssh2_session_last_error(c->s, &msg, NULL, 0);
	return err_set(e, "%s: %s (libssh2 %d)%s", what,
	    msg != NULL && *msg != '\0' ? msg : "failed", rc,
	    c->dead ? "; connection lost" : "");
}

/* Non-blocking connect to one address, within the deadline. */
static int
tcp_connect(struct ssh_conn *c, const struct addrinfo *ai, int64_t deadline,
    struct err *e)
{
	int fd, one = 1, soerr = 0;
	socklen_t sl = sizeof soerr;
	struct pollfd pf;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, ai->ai_protocol);
	if (fd == -1)
		return err_set(e, "socket: %s", strerror(errno));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == -1 &&
	    errno != EINPROGRESS) {
		err_set(e, "connect: %s", strerror(errno));
		goto fail;
	}
	for (;;) {
		int64_t left = clock_left_ms(deadline);

		if (cancelled(c)) {
			err_set(e, "connect: cancelled");
			goto fail;
		}
		if (left == 0) {
			err_set(e, "connect: timed out");
			goto fail;
		}
		pf.fd = fd;
		pf.events = POLLOUT;
		pf.revents = 0;
		if (poll(&pf, 1, (int)(left < TICK_MS ? left : TICK_MS)) > 0)
			break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1 ||
	    soerr != 0) {
		err_set(e, "connect: %s", strerror(soerr ? soerr : errno));
		goto fail;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	c->sock = fd;
	return 0;
fail:
	close(fd);
	return -1;
}

static char *
local_user(void)
{
	struct passwd pw, *pwp = NULL;
	char buf[4096];

	if (getpwuid_r(getuid(), &pw, buf, sizeof buf, &pwp) == 0 &&
	    pwp != NULL)
		return xstrdup(pwp->pw_name);
	return xstrdup(getenv("USER") ? getenv("USER") : "root");
}

static int
try_agent(struct ssh_conn *c, const char *user, int64_t deadline,
    int *tried, struct err *e)
{
	struct libssh2_agent_publickey *id = NULL, *prev = NULL;
	LIBSSH2_AGENT *a;
	int ok = 0, rc;

	*tried = 0;
	if (getenv("SSH_AUTH_SOCK") == NULL)
		return 0;
	if ((a = libssh2_agent_init(c->s)) == NULL)
		return 0;
	libssh2_session_set_blocking(c->s, 1);
	libssh2_session_set_timeout(c->s, (long)clock_left_ms(deadline) + 1);
	if (libssh2_agent_connect(a) != 0 ||
	    libssh2_agent_list_identities(a) != 0)
		goto out;
	while (!ok && libssh2_agent_get_identity(a, &id, prev) == 0) {
		prev = id;
		(*tried)++;
		if (clock_left_ms(deadline) == 0 || cancelled(c))
			break;
		rc = libssh2_agent_userauth(a, user, id);
		if (rc == 0)
			ok = 1;
		else if (session_error(rc)) {
			ssh_fail(c, rc, "ssh-agent authentication", e);
			break;
		}
	}
	libssh2_agent_disconnect(a);
out:
	libssh2_agent_free(a);
	return ok;
}

static int
authenticate(struct ssh_conn *c, int64_t deadline, struct err *e)
{
	const struct ssh_cfg *sc = &c->h->ssh;
	char *user = sc->user != NULL ? xstrdup(sc->user) : local_user();
	const char *pass = getenv("DRDECK_SSH_PASSPHRASE");
	const char *defaults[] = { "~/.ssh/id_ed25519", "~/.ssh/id_ecdsa",
	    NULL };
	char tried_files[256] = "";
	int tried_agent = 0, rc = -1, r, i;

	if (sc->agent && try_agent(c, user, deadline, &tried_agent, e)) {
		rc = 0;
		goto out;
	}
	if (c->dead)
		goto out;
	libssh2_session_set_blocking(c->s, 1);
	for (i = 0; i < 2; i++) {
		const char *id = sc->identity != NULL ? (i == 0 ?
		    sc->identity : NULL) : defaults[i];
		char *path;

		if (id == NULL)
			break;
		path = os_expand_home(id);
		if (sc->identity == NULL && access(path, R_OK) != 0) {
			free(path);
			continue;
		}
		libssh2_session_set_timeout(c->s,
		    (long)clock_left_ms(deadline) + 1);
		r = libssh2_userauth_publickey_fromfile_ex(c->s, user,
		    (unsigned)strlen(user), NULL, path, pass);
		snprintf(tried_files + strlen(tried_files),
		    sizeof tried_files - strlen(tried_files), "%s%s",
		    tried_files[0] ? ", " : "", path);
		free(path);
		if (r == 0) {
			rc = 0;
			goto out;
		}
		if (session_error(r)) {
			ssh_fail(c, r, "authentication", e);
			goto out;
		}
		if (r == LIBSSH2_ERROR_FILE) {
			char *msg = NULL;

			libssh2_session_last_error(c->s, &msg, NULL, 0);
			err_set(e, "authentication as %s: cannot use identity "
			    "%s: %s (a passphrase comes from "
			    "$DRDECK_SSH_PASSPHRASE)", user, id, msg ? msg :
			    "unreadable");
			goto out;
		}
	}
	err_set(e, "authentication as %s refused (ssh-agent: %d keys tried; "
	    "identity: %s). %s", user, tried_agent,
	    tried_files[0] ? tried_files : "none", RSA_NOTE);
out:
	free(user);
	return rc;
}

int
ssh_conn_open(const struct host_cfg *h, volatile int *const *cancel,
    int64_t deadline, struct ssh_conn **out, struct err *e)
{
	struct addrinfo *res = NULL, *ai;
	struct ssh_conn *c = xcalloc(1, sizeof *c);
	char port[16], *kh = NULL, *host = NULL;
	int r, i;

	*out = NULL;
	c->h = h;
	c->cancel = cancel;
	c->sock = -1;
	pthread_once(&init_once, init_libssh2);
	if (init_rc != 0) {
		err_set(e, "libssh2_init failed (%d)", init_rc);
		goto fail;
	}
	if (h->address == NULL || *h->address == '\0') {
		err_set(e, "ssh: no address configured");
		goto fail;
	}
	host = xstrdup(h->address);
	for (i = 0; host[i] != '\0'; i++)
		if (host[i] >= 'A' && host[i] <= 'Z')
			host[i] = (char)(host[i] - 'A' + 'a');
	snprintf(port, sizeof port, "%d", h->ssh.port > 0 ? h->ssh.port : 22);
	/* getaddrinfo() itself has no timeout: looked up on a worker. */
	if (resolve_addr(host, port, deadline, &res, e) == -1) {
		err_prefix(e, "ssh");
		goto fail;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (tcp_connect(c, ai, deadline, e) == 0)
			break;
	freeaddrinfo(res);
	if (c->sock == -1) {
		err_prefix(e, "ssh %s port %s", host, port);
		goto fail;
	}
	if ((c->s = libssh2_session_init()) == NULL) {
		err_set(e, "ssh %s: libssh2_session_init failed", host);
		goto fail;
	}
	if (libssh2_session_method_pref(c->s, LIBSSH2_METHOD_HOSTKEY,
	    HOSTKEY_PREF) != 0) {
		err_set(e, "ssh %s: cannot set the host key preference", host);
		goto fail;
	}
	/* Handshake and authentication block, bounded by the session
	 * timeout; everything afterwards is non-blocking. */
	libssh2_session_set_blocking(c->s, 1);
	libssh2_session_set_timeout(c->s, (long)clock_left_ms(deadline) + 1);
	if ((r = libssh2_session_handshake(c->s, c->sock)) != 0) {
		ssh_fail(c, r, "ssh handshake", e);
		err_prefix(e, "%s port %s", host, port);
		if (r != LIBSSH2_ERROR_TIMEOUT)
			err_prefix(e, "(an RSA-only host cannot be used: %s)",
			    RSA_NOTE);
		goto fail;
	}
	kh = os_expand_home(h->ssh.known_hosts != NULL ? h->ssh.known_hosts :
	    "~/.ssh/known_hosts");
	if (ssh_hostkey_check(c->s, host, h->ssh.port > 0 ? h->ssh.port : 22,
	    kh, e) == -1)
		goto fail;
	if (authenticate(c, deadline, e) == -1) {
		err_prefix(e, "ssh %s", host);
		goto fail;
	}
	if (h->ssh.keepalive > 0)
		libssh2_keepalive_config(c->s, 1, (unsigned)h->ssh.keepalive);
	libssh2_session_set_timeout(c->s, 0);
	libssh2_session_set_blocking(c->s, 0);
	free(kh);
	free(host);
	*out = c;
	return 0;
fail:
	free(kh);
	free(host);
	c->dead = 1;
	ssh_conn_close(c);
	return -1;
}

void
ssh_conn_close(struct ssh_conn *c)
{
	if (c == NULL)
		return;
	if (c->s != NULL) {
		/* A short goodbye when the session still works; a dead one
		 * is just dropped. */
		int64_t grace = clock_mono_ms() + 1000;

		libssh2_session_set_blocking(c->s, 1);
		libssh2_session_set_timeout(c->s, 500);
		if (!c->dead) {
			if (c->sftp != NULL)
				libssh2_sftp_shutdown(c->sftp);
			libssh2_session_disconnect(c->s, "drdeck closing");
		}
		/* A dead peer gets no goodbye: with the socket shut, every
		 * send fails at once and libssh2 frees all it holds. */
		if (c->sock != -1)
			shutdown(c->sock, SHUT_RDWR);
		while (libssh2_session_free(c->s) != 0 &&
		    clock_left_ms(grace) > 0)
			;
	}
	if (c->sock != -1)
		close(c->sock);
	free(c);
}

int
ssh_sftp(struct ssh_conn *c, int64_t deadline, struct err *e)
{
	if (c->sftp != NULL)
		return 0;
	SSH_RETRY_PTR(c, deadline, e, c->sftp, libssh2_sftp_init(c->s));
	if (c->sftp == NULL) {
		if (c->dead)
			return err_prefix(e, "sftp");
		return ssh_fail(c, libssh2_session_last_errno(c->s),
		    "sftp (is the sftp subsystem enabled?)", e);
	}
	return 0;
}

/* Take a stream's bytes into its buffer, the pid marker (pm, when not
 * NULL) taken out first. */
static void
take(struct pidmark *pm, char **s, size_t *len, size_t *cap, int *trunc,
    const char *data, size_t n, int eof)
{
	struct buf b = { 0 };

	if (pm == NULL || pm->state != PIDMARK_WAIT) {
		tr_out_append(s, len, cap, trunc, data, n);
		return;
	}
	pidmark_feed(pm, data, n, &b);
	if (eof)
		pidmark_end(pm, &b);
	tr_out_append(s, len, cap, trunc, b.s, b.len);
	buf_free(&b);
}

/* Read what a stream has now into r's buffer. 1 data, 0 EAGAIN, 2 EOF. */
static int
drain(struct ssh_conn *c, LIBSSH2_CHANNEL *ch, int stream,
    struct pidmark *pm, char **s, size_t *len, size_t *cap, int *trunc,
    struct err *e)
{
	char buf[32768];
	ssize_t n;
	int got = 0;

	for (;;) {
		n = libssh2_channel_read_ex(ch, stream, buf, sizeof buf);
		if (n > 0) {
			take(pm, s, len, cap, trunc, buf, (size_t)n, 0);
			got = 1;
			continue;
		}
		if (n == LIBSSH2_ERROR_EAGAIN)
			return got;
		if (n == 0) {
			take(pm, s, len, cap, trunc, "", 0, 1);
			return 2;
		}
		return ssh_fail(c, (int)n, stream ? "exec: reading stderr" :
		    "exec: reading stdout", e);
	}
}

/* Free the channels left at a deadline whose far end has closed. */
static void
reap_zombies(struct ssh_conn *c)
{
	int i, j = 0;

	for (i = 0; i < c->nzombie; i++)
		if (libssh2_channel_free(c->zombie[i]) == LIBSSH2_ERROR_EAGAIN)
			c->zombie[j++] = c->zombie[i];
	c->nzombie = j;
}

/* Free a channel, waiting at most 1 s for its far end to close; the
 * session is given up when it does not. */
static void
chan_free(struct ssh_conn *c, LIBSSH2_CHANNEL *ch)
{
	int64_t grace = clock_mono_ms() + 1000;

	while (libssh2_channel_free(ch) == LIBSSH2_ERROR_EAGAIN) {
		if (clock_left_ms(grace) == 0 || c->dead) {
			c->dead = 1;
			break;
		}
		sock_poll(c, clock_left_ms(grace));
	}
}

/* Close a channel we are done with.  sshd answers the close only once
 * the channel's command has ended: until then the channel is kept aside
 * and freed by a later call. */
static void
chan_retire(struct ssh_conn *c, LIBSSH2_CHANNEL *ch)
{
	int x = libssh2_channel_close(ch);

	if (x == LIBSSH2_ERROR_EAGAIN &&
	    c->nzombie < (int)(sizeof c->zombie / sizeof c->zombie[0])) {
		c->zombie[c->nzombie++] = ch;
		return;
	}
	if (x != 0)
		c->dead = 1;
	chan_free(c, ch);
}

/* The channel a stop runs on, asked for ahead of the deadline. */
struct spare {
	LIBSSH2_CHANNEL *ch;
	int	 asked;		/* an open is under way (libssh2 holds it) */
	int64_t	 asked_at;
	int	 refused;
	struct err e;		/* why, when refused */
};

/* Ask for the spare channel, or go on opening it; never waits. */
static void
spare_step(struct ssh_conn *c, struct spare *sp)
{
	int x;

	if (sp->ch != NULL || sp->refused)
		return;
	if (!sp->asked) {
		sp->asked = 1;
		sp->asked_at = clock_mono_ms();
	}
	if ((sp->ch = libssh2_channel_open_session(c->s)) != NULL)
		sp->asked = 0;
	else if ((x = libssh2_session_last_errno(c->s)) !=
	    LIBSSH2_ERROR_EAGAIN) {
		sp->asked = 0;
		sp->refused = 1;
		ssh_fail(c, x, "opening a channel", &sp->e);
	}
}

/* The spare was not needed: an open under way is completed (libssh2
 * cannot drop it half-way; by the deadline, else the session is given
 * up), the channel closed. */
static void
spare_drop(struct ssh_conn *c, struct spare *sp, int64_t deadline)
{
	struct err e;

	while (sp->asked && !c->dead) {
		spare_step(c, sp);
		if (sp->asked && ssh_wait(c, deadline, &e) == -1)
			c->dead = 1;
	}
	if (sp->ch != NULL)
		chan_retire(c, sp->ch);
	sp->ch = NULL;
}

/* Wait for the socket until `until` whatever the cancel flag says (a
 * stop runs after a cancel too); -1 when past it. */
static int
stop_wait(struct ssh_conn *c, int64_t until)
{
	int64_t left = clock_left_ms(until);

	if (left == 0)
		return -1;
	sock_poll(c, left);
	return 0;
}

/* The first line of s, for a message. */
static int
first_line_len(const char *s)
{
	size_t n = strcspn(s, "\r\n");

	return (int)(n < 120 ? n : 120);
}

/*
 * Stop the command of an exec given up at its deadline or on cancel:
 * the stop command (pidmark.h) on the spare channel, opened here when it
 * was not asked for yet.  Within STOP_MS, cancel flag or not.  Says in
 * r->stop what became of the command.
 */
static void
stop_cmd(struct ssh_conn *c, struct spare *sp, const struct pidmark *pm,
    struct exec_result *r)
{
	const char *host = c->h->name;
	int64_t until = clock_mono_ms() + STOP_MS, answer;
	LIBSSH2_CHANNEL *ch = NULL;
	struct buf cmd = { 0 };
	struct err e = { "" };
	char *out = NULL, *err = NULL, *sig = NULL;
	size_t out_len = 0, out_cap = 0, err_len = 0, err_cap = 0, siglen = 0;
	int out_eof = 0, err_eof = 0, trunc = 0, x, d, status;

	if (pm->state != PIDMARK_FOUND) {
		snprintf(r->stop, sizeof r->stop, "the command may still run "
		    "on %s (it did not report its process id)", host);
		return;
	}
	if (pidmark_stop_command(c->h->shell, pm->pid, &cmd, &e) == -1) {
		snprintf(r->stop, sizeof r->stop, "the command may still run "
		    "on %s (%s)", host, e.msg);
		goto out;
	}
	/* The peer has STOP_ANSWER_MS to open the channel. */
	for (;;) {
		spare_step(c, sp);
		if (!sp->asked)
			break;
		answer = sp->asked_at + STOP_ANSWER_MS;
		if (stop_wait(c, answer < until ? answer : until) == -1)
			goto no_answer;
	}
	if (sp->refused) {
		snprintf(r->stop, sizeof r->stop, "the command may still run "
		    "on %s (%s to stop it)", host, sp->e.msg);
		goto out;
	}
	ch = sp->ch;
	sp->ch = NULL;
	while ((x = libssh2_channel_exec(ch, buf_str(&cmd))) ==
	    LIBSSH2_ERROR_EAGAIN)
		if (stop_wait(c, until) == -1)
			goto no_answer;
	if (x != 0) {
		ssh_fail(c, x, "exec", &e);
		goto failed;
	}
	while (!(out_eof && err_eof)) {
		int progress = 0;

		if (!out_eof) {
			if ((d = drain(c, ch, 0, NULL, &out, &out_len,
			    &out_cap, &trunc, &e)) == -1)
				goto failed;
			out_eof = d == 2;
			progress |= d == 1;
		}
		if (!err_eof) {
			if ((d = drain(c, ch, SSH_EXTENDED_DATA_STDERR, NULL,
			    &err, &err_len, &err_cap, &trunc, &e)) == -1)
				goto failed;
			err_eof = d == 2;
			progress |= d == 1;
		}
		if (!(out_eof && err_eof) && !progress &&
		    stop_wait(c, until) == -1)
			goto no_answer;
	}
	while ((x = libssh2_channel_close(ch)) == LIBSSH2_ERROR_EAGAIN)
		if (stop_wait(c, until) == -1)
			goto no_answer;
	while (x == 0 && (x = libssh2_channel_wait_closed(ch)) ==
	    LIBSSH2_ERROR_EAGAIN)
		if (stop_wait(c, until) == -1)
			goto no_answer;
	if (x != 0) {
		ssh_fail(c, x, "waiting for its end", &e);
		goto failed;
	}
	libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL,
	    NULL);
	status = libssh2_channel_get_exit_status(ch);
	if (sig != NULL && siglen > 0)
		err_set(&e, "signal %.*s", (int)siglen, sig);
	else if (status != 0 && err_len > 0)
		err_set(&e, "%.*s", first_line_len(err), err);
	else if (status != 0)
		err_set(&e, "exit %d", status);
	else {
		snprintf(r->stop, sizeof r->stop, "stopped it on %s (pid %ld)",
		    host, pm->pid);
		goto out;
	}
failed:
	snprintf(r->stop, sizeof r->stop, "the command may still run on %s "
	    "(stopping pid %ld failed: %s)", host, pm->pid, e.msg);
	goto out;
no_answer:
	/* libssh2 is left half-way through a call: the session is done. */
	c->dead = 1;
	snprintf(r->stop, sizeof r->stop, "the command may still run on %s "
	    "(no answer to stop it)", host);
out:
	if (sig != NULL)
		libssh2_free(c->s, sig);
	if (ch != NULL)
		chan_free(c, ch);
	free(out);
	free(err);
	buf_free(&cmd);
}

/* Put the stop's outcome after a message already in e. */
static void
err_add_stop(struct err *e, const struct exec_result *r)
{
	char msg[ERR_LEN];

	if (r->stop[0] == '\0')
		return;
	memcpy(msg, e->msg, sizeof msg);
	err_set(e, "%s; %s", msg, r->stop);
}

int
ssh_exec_cmd(struct ssh_conn *c, const char *cmd, const char *in,
    size_t in_len, int64_t deadline, struct exec_result *r, struct err *e)
{
	LIBSSH2_CHANNEL *ch = NULL;
	struct spare sp = { 0 };
	struct pidmark pm;
	size_t in_off = 0, out_cap = 0, err_cap = 0;
	int out_eof = 0, err_eof = 0, eof_sent = 0, rc = -1, x;
	char *sig = NULL;
	size_t siglen = 0;
	int64_t lead, spare_at;

	reap_zombies(c);
	pidmark_init(&pm);
	lead = clock_left_ms(deadline) / 2;
	spare_at = deadline - (lead < STOP_LEAD_MS ? lead : STOP_LEAD_MS);
	SSH_RETRY_PTR(c, deadline, e, ch, libssh2_channel_open_session(c->s));
	if (ch == NULL) {
		if (c->dead && libssh2_session_last_errno(c->s) ==
		    LIBSSH2_ERROR_EAGAIN)
			return err_prefix(e, "exec: opening a channel");
		ssh_fail(c, libssh2_session_last_errno(c->s),
		    "exec: opening a channel", e);
		/* Nothing ran: the caller may retry on a new session. */
		return c->dead ? -2 : -1;
	}
	SSH_RETRY(c, deadline, e, x, libssh2_channel_exec(ch, cmd));
	if (x != 0) {
		ssh_fail(c, x, "exec", e);
		goto out;
	}
	if (in == NULL)
		in_len = 0;
	while (!(out_eof && err_eof)) {
		int progress = 0, d;

		if (in_off < in_len) {
			ssize_t n = libssh2_channel_write(ch, in + in_off,
			    in_len - in_off);

			if (n > 0) {
				in_off += (size_t)n;
				progress = 1;
			} else if (n != LIBSSH2_ERROR_EAGAIN) {
				/* The command stopped reading: not fatal. */
				if (session_error((int)n)) {
					ssh_fail(c, (int)n, "exec: stdin", e);
					goto out;
				}
				in_len = in_off;
			}
		}
		if (in_off == in_len && !eof_sent) {
			x = libssh2_channel_send_eof(ch);
			if (x == 0)
				eof_sent = 1;
			else if (x != LIBSSH2_ERROR_EAGAIN) {
				if (session_error(x)) {
					ssh_fail(c, x, "exec: stdin", e);
					goto out;
				}
				eof_sent = 1;
			}
		}
		if (!out_eof) {
			if ((d = drain(c, ch, 0, NULL, &r->out, &r->out_len,
			    &out_cap, &r->out_trunc, e)) == -1)
				goto out;
			out_eof = d == 2;
			progress |= d == 1;
		}
		if (!err_eof) {
			if ((d = drain(c, ch, SSH_EXTENDED_DATA_STDERR, &pm,
			    &r->errout, &r->err_len, &err_cap, &r->err_trunc,
			    e)) == -1)
				goto out;
			err_eof = d == 2;
			progress |= d == 1;
		}
		if (out_eof && err_eof)
			break;
		if (pm.state == PIDMARK_FOUND && clock_mono_ms() >= spare_at)
			spare_step(c, &sp);
		if (cancelled(c))
			goto close_early;
		if (clock_left_ms(deadline) == 0) {
			r->timed_out = 1;
			rc = 0;
			goto close_early;
		}
		if (progress)
			continue;
		/* Wake up for the spare when it is due, else the deadline;
		 * the checks above end the loop. */
		if (ssh_wait(c, pm.state == PIDMARK_FOUND && !sp.asked &&
		    sp.ch == NULL && !sp.refused && spare_at < deadline ?
		    spare_at : deadline, e) == -1)
			continue;
	}
	/* EOF on both: the exit status or signal comes before the close. */
	SSH_RETRY(c, deadline, e, x, libssh2_channel_close(ch));
	if (x == 0)
		SSH_RETRY(c, deadline, e, x, libssh2_channel_wait_closed(ch));
	if (x != 0) {
		if (x == SSH_ABANDONED) {
			/* Both streams ended, the command did not. */
			stop_cmd(c, &sp, &pm, r);
			c->dead = 1;
		}
		if (x == SSH_ABANDONED && clock_left_ms(deadline) == 0 &&
		    !cancelled(c)) {
			/* No outcome within the deadline. */
			r->timed_out = 1;
			rc = 0;
			goto out;
		}
		ssh_fail(c, x, "exec: waiting for the exit status", e);
		err_add_stop(e, r);
		goto out;
	}
	libssh2_channel_get_exit_signal(ch, &sig, &siglen, NULL, NULL, NULL,
	    NULL);
	if (sig != NULL && siglen > 0) {
		snprintf(r->signal, sizeof r->signal, "%.*s", (int)siglen, sig);
		r->exited = 0;
	} else {
		/* sshd sends the status before a clean close. */
		r->exited = 1;
		r->status = libssh2_channel_get_exit_status(ch);
	}
	if (sig != NULL)
		libssh2_free(c->s, sig);
	rc = 0;
	goto out;
close_early:
	/*
	 * Deadline or cancel: the channel cannot carry a signal, so the
	 * command is stopped by a command of its own, then our side closed.
	 */
	take(&pm, &r->errout, &r->err_len, &err_cap, &r->err_trunc, "", 0, 1);
	stop_cmd(c, &sp, &pm, r);
	if (!r->timed_out) {
		err_set(e, "exec: cancelled");
		err_add_stop(e, r);
	}
	chan_retire(c, ch);
	ch = NULL;
out:
	spare_drop(c, &sp, deadline);
	if (ch != NULL)
		chan_free(c, ch);
	return rc;
}

/* The transport's connection, reopened after a drop (with backoff). */
static int
conn(struct transport *t, int64_t deadline, struct ssh_conn **out,
    struct err *e)
{
	struct ssh_tr *st = t->priv;
	int64_t now;

	if (st->c != NULL && st->c->dead) {
		ssh_conn_close(st->c);
		st->c = NULL;
	}
	if (st->c != NULL) {
		int next;

		/* Keepalive when due; a failure means the session is gone. */
		if (libssh2_keepalive_send(st->c->s, &next) == 0) {
			*out = st->c;
			return 0;
		}
		ssh_conn_close(st->c);
		st->c = NULL;
		st->failures = 0;
		st->next_try = 0;
	}
	now = clock_mono_ms();
	if (st->next_try > now) {
		if (st->next_try > deadline)
			return err_set(e, "unreachable: %s (next attempt in "
			    "%.1f s)", st->last_err,
			    (double)(st->next_try - now) / 1000.0);
		while (clock_mono_ms() < st->next_try) {
			if (tr_cancelled(t))
				return err_set(e, "cancelled");
			poll(NULL, 0, TICK_MS);
		}
	}
	if (ssh_conn_open(t->h, &t->cancel, deadline, &st->c, e) == -1) {
		int64_t wait = 1000LL << (st->failures < 3 ? st->failures : 3);

		st->failures++;
		st->next_try = clock_mono_ms() + (wait < BACKOFF_MAX_MS ?
		    wait : BACKOFF_MAX_MS);
		snprintf(st->last_err, sizeof st->last_err, "%s", e->msg);
		return -1;
	}
	st->failures = 0;
	st->next_try = 0;
	*out = st->c;
	return 0;
}

int
tr_ssh_open(struct transport *t, int64_t deadline, struct err *e)
{
	struct ssh_tr *st = xcalloc(1, sizeof *st);

	t->priv = st;
	if (ssh_conn_open(t->h, &t->cancel, deadline, &st->c, e) == -1) {
		free(st);
		t->priv = NULL;
		return -1;
	}
	return 0;
}

static void
ssh_close(struct transport *t)
{
	struct ssh_tr *st = t->priv;

	if (st == NULL)
		return;
	ssh_tunnels_stop(st->tunnels);
	ssh_conn_close(st->c);
	free(st);
}

/* The command line for the host's shell, reporting its pid first. */
static int
command_line(const struct host_cfg *h, const char *const *argv,
    const char *script, struct buf *out, struct err *e)
{
	return pidmark_command(h->shell, argv, script, out, e);
}

static int
ssh_exec(struct transport *t, const char *const *argv, const char *script,
    const char *in, size_t in_len, int64_t deadline, struct exec_result *r,
    struct err *e)
{
	struct buf cmd = { 0 };
	struct ssh_conn *c;
	int rc = -1;

	if (command_line(t->h, argv, script, &cmd, e) == -1)
		goto out;
	if (conn(t, deadline, &c, e) == -1)
		goto out;
	rc = ssh_exec_cmd(c, buf_str(&cmd), in, in_len, deadline, r, e);
	/* The kept session had dropped since the last call (the host
	 * restarted, say) and the command never started: once more on a
	 * new session. */
	if (rc == -2 && clock_left_ms(deadline) > 0 &&
	    conn(t, deadline, &c, e) == 0)
		rc = ssh_exec_cmd(c, buf_str(&cmd), in, in_len, deadline, r,
		    e);
	if (rc == -2)
		rc = -1;
out:
	buf_free(&cmd);
	return rc;
}

int
tr_ssh_conn(struct transport *t, int64_t deadline, struct ssh_conn **c,
    struct err *e)
{
	return conn(t, deadline, c, e);
}

struct ssh_tunnels **
tr_ssh_tunnels(struct transport *t)
{
	return &((struct ssh_tr *)t->priv)->tunnels;
}

const struct transport_ops tr_ssh_ops = {
	.kind = "ssh",
	.exec = ssh_exec,
	.put = ssh_put,
	.get = ssh_get,
	.stat = ssh_stat,
	.list = ssh_list,
	.rename = ssh_rename,
	.remove = ssh_remove,
	.mkdir = ssh_mkdir,
	.sha256 = ssh_sha256,
	.free_space = ssh_free_space,
	.read_file = ssh_read_file,
	.write_file = ssh_write_file,
	.tunnel = ssh_tunnel,
	.close = ssh_close,
};
