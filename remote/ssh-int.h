/*
 * ssh-int.h: one SSH connection (libssh2 session + socket) and what the
 * ssh transport's files (tr-ssh.c, ssh-hostkey.c, ssh-sftp.c,
 * ssh-tunnel.c) share.  Internal to remote/.
 *
 * A connection belongs to one thread at a time: libssh2 sessions are not
 * thread-safe.  After ssh_conn_open() the session is non-blocking; every
 * wait goes through ssh_wait(), which honours the deadline and the
 * cancel flag.  A call abandoned half-way (deadline, cancel) or a socket
 * error marks the connection dead; its owner opens a new one.
 */
#ifndef DRDECK_SSH_INT_H
#define DRDECK_SSH_INT_H

#include <libssh2.h>
#include <libssh2_sftp.h>

#include "resolve.h"
#include "tr-int.h"

struct ssh_conn {
	const struct host_cfg *h;
	volatile int *const *cancel;	/* the transport's flag pointer */
	int	 sock;
	LIBSSH2_SESSION *s;
	LIBSSH2_SFTP *sftp;		/* opened on first use */
	int	 dead;
	/* Channels closed at a deadline whose far end has not closed yet
	 * (its command still runs): freed once it has. */
	LIBSSH2_CHANNEL *zombie[8];
	int	 nzombie;
};

/* Connect, check the host key, authenticate; non-blocking afterwards. */
int ssh_conn_open(const struct host_cfg *h, volatile int *const *cancel,
    int64_t deadline, struct ssh_conn **out, struct err *e) WUR;
void ssh_conn_close(struct ssh_conn *c);

/* Wait for the socket in the direction libssh2 needs, at most until the
 * deadline (0; -1 with e set when past it or cancelled). */
int ssh_wait(struct ssh_conn *c, int64_t deadline, struct err *e) WUR;
/* Set e to "what: libssh2's message"; marks c dead on a session error. */
int ssh_fail(struct ssh_conn *c, int rc, const char *what, struct err *e);
/* The SFTP channel, opened on first use. */
int ssh_sftp(struct ssh_conn *c, int64_t deadline, struct err *e) WUR;

/* Check the session's host key against an OpenSSH known_hosts file. */
int ssh_hostkey_check(LIBSSH2_SESSION *s, const char *host, int port,
    const char *known_hosts, struct err *e) WUR;
/* The same for a key blob of a type (LIBSSH2_HOSTKEY_TYPE_*); s is any
 * session (it only lends its allocator). */
int ssh_hostkey_verify(LIBSSH2_SESSION *s, const char *key, size_t klen,
    int ktype, const char *host, int port, const char *known_hosts,
    struct err *e) WUR;
/* "SHA256:<base64 without padding>" of a key blob, as OpenSSH prints it. */
void ssh_fingerprint(const unsigned char *blob, size_t len, char out[64]);

/* Run a command line on c, built by pidmark_command() (its pid marker is
 * taken out of stderr; at the deadline or on cancel the command is
 * stopped on the host, r->stop says how).  -2 (and c dead) when the
 * session failed before the command started. */
int ssh_exec_cmd(struct ssh_conn *c, const char *cmd, const char *in,
    size_t in_len, int64_t deadline, struct exec_result *r, struct err *e)
    WUR;

/* Retry a libssh2 call that says EAGAIN; rc becomes SSH_ABANDONED when
 * the deadline or the cancel flag ends the wait (e set, c dead). */
#define SSH_ABANDONED (-10000)
#define SSH_RETRY(c, deadline, e, rc, call) do {			\
	while (((rc) = (call)) == LIBSSH2_ERROR_EAGAIN)			\
		if (ssh_wait((c), (deadline), (e)) == -1) {		\
			(rc) = SSH_ABANDONED;				\
			(c)->dead = 1;					\
			break;						\
		}							\
} while (0)
#define SSH_RETRY_PTR(c, deadline, e, p, call) do {			\
	while (((p) = (call)) == NULL &&				\
	    libssh2_session_last_errno((c)->s) == LIBSSH2_ERROR_EAGAIN)	\
		if (ssh_wait((c), (deadline), (e)) == -1) {		\
			(c)->dead = 1;					\
			break;						\
		}							\
} while (0)

/* The transport's live connection, reopened after a drop (tr-ssh.c). */
int tr_ssh_conn(struct transport *t, int64_t deadline, struct ssh_conn **c,
    struct err *e) WUR;
/* The transport's list of tunnels. */
struct ssh_tunnels **tr_ssh_tunnels(struct transport *t);

/* The transport operations over SFTP and exec (ssh-sftp.c). */
int ssh_put(struct transport *, const char *, const char *,
    transport_progress_cb, void *, int64_t, struct err *);
int ssh_get(struct transport *, const char *, const char *,
    transport_progress_cb, void *, int64_t, struct err *);
int ssh_stat(struct transport *, const char *, struct rstat *, int64_t,
    struct err *);
int ssh_list(struct transport *, const char *, struct rdir *, int64_t,
    struct err *);
int ssh_rename(struct transport *, const char *, const char *, int64_t,
    struct err *);
int ssh_remove(struct transport *, const char *, int64_t, struct err *);
int ssh_mkdir(struct transport *, const char *, int64_t, struct err *);
int ssh_sha256(struct transport *, const char *, char hex[65], int64_t,
    struct err *);
int ssh_free_space(struct transport *, const char *, uint64_t *, uint64_t *,
    int64_t, struct err *);
int ssh_read_file(struct transport *, const char *, size_t, char **,
    size_t *, int64_t, struct err *);
int ssh_write_file(struct transport *, const char *, const void *, size_t,
    int, int64_t, struct err *);
/* A forward through a session of its own (ssh-tunnel.c). */
int ssh_tunnel(struct transport *, const char *, int, char lh[64], int *,
    int64_t, struct err *);

/* Tunnels of a transport (ssh-tunnel.c). */
struct ssh_tunnels;
/* Stop every tunnel's thread and close its session. */
void ssh_tunnels_stop(struct ssh_tunnels *list);

#endif
