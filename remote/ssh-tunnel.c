/*
 * ssh-tunnel.c: local port forwards over SSH (direct-tcpip), so that
 * libpq and the HTTP probe reach a service that listens only on the far
 * host's own addresses.
 *
 * libssh2 sessions are not thread-safe, so a tunnel never shares the
 * transport's session: each tunnel has a session of its own, opened by
 * transport_tunnel() on the caller's thread (so that host key and
 * authentication errors reach the caller) and then owned by the
 * tunnel's thread.  That thread listens on 127.0.0.1:<ephemeral> and
 * serves every accepted connection with one direct-tcpip channel, in one
 * poll loop (100 ms tick).  If the session drops, the connections in
 * flight are closed and the next accepted one reconnects.  The tunnel
 * lives until transport_close().
 */
#define _GNU_SOURCE	/* accept4 */
#include "ssh-int.h"

#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clock.h"
#include "xmalloc.h"

#define MAX_CLIENTS 16
#define BUF_SIZE 32768
#define TICK_MS 100

struct fwd {
	int	 fd;
	LIBSSH2_CHANNEL *ch;
	char	 up[BUF_SIZE];		/* client -> channel */
	size_t	 up_len, up_off;
	char	 down[BUF_SIZE];	/* channel -> client */
	size_t	 down_len, down_off;
	int	 client_eof, eof_sent, chan_eof, shut;
};

struct tunnel {
	struct tunnel *next;
	const struct host_cfg *h;
	char	*host;
	int	 port;
	int	 lfd;
	int	 lport;
	struct ssh_conn *c;
	volatile int stop;
	volatile int *stopp;	/* the conn's "cancel" flag: stop */
	pthread_t thread;
	struct fwd *fwd[MAX_CLIENTS];
};

struct ssh_tunnels {
	struct tunnel *head;
};

static void
fwd_close(struct tunnel *tn, int i)
{
	struct fwd *f = tn->fwd[i];

	if (f->ch != NULL && tn->c != NULL && !tn->c->dead) {
		/* Best effort, no waiting: the session frees what is left. */
		(void)libssh2_channel_close(f->ch);
		if (libssh2_channel_free(f->ch) == LIBSSH2_ERROR_EAGAIN &&
		    tn->c->nzombie < 8)
			tn->c->zombie[tn->c->nzombie++] = f->ch;
	}
	close(f->fd);
	free(f);
	tn->fwd[i] = NULL;
}

static void
drop_session(struct tunnel *tn)
{
	int i;

	for (i = 0; i < MAX_CLIENTS; i++)
		if (tn->fwd[i] != NULL)
			fwd_close(tn, i);
	ssh_conn_close(tn->c);
	tn->c = NULL;
}

static void
accept_one(struct tunnel *tn)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	struct fwd *f;
	struct err e;
	int fd, i, slot = -1;
	int64_t deadline;

	fd = accept4(tn->lfd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK |
	    SOCK_CLOEXEC);
	if (fd == -1)
		return;
	for (i = 0; i < MAX_CLIENTS; i++)
		if (tn->fwd[i] == NULL) {
			slot = i;
			break;
		}
	if (slot == -1) {
		close(fd);
		return;
	}
	deadline = clock_mono_ms() + (tn->h->ssh.connect_timeout > 0 ?
	    tn->h->ssh.connect_timeout * 1000 : 10000);
	if (tn->c == NULL && ssh_conn_open(tn->h, &tn->stopp, deadline,
	    &tn->c, &e) == -1) {
		tn->c = NULL;
		close(fd);
		return;
	}
	f = xcalloc(1, sizeof *f);
	f->fd = fd;
	SSH_RETRY_PTR(tn->c, deadline, &e, f->ch,
	    libssh2_channel_direct_tcpip_ex(tn->c->s, tn->host, tn->port,
	    "127.0.0.1", ntohs(sa.sin_port)));
	if (f->ch == NULL) {
		if (libssh2_session_last_errno(tn->c->s) !=
		    LIBSSH2_ERROR_CHANNEL_FAILURE)
			tn->c->dead = 1;
		close(fd);
		free(f);
		if (tn->c->dead)
			drop_session(tn);
		return;
	}
	tn->fwd[slot] = f;
}

/* Move bytes both ways: 1 when some moved, 0 when none, -1 when the
 * connection is finished. */
static int
pump(struct tunnel *tn, struct fwd *f)
{
	int moved = 0;
	ssize_t n;

	if (f->up_off == f->up_len && !f->client_eof) {
		f->up_off = f->up_len = 0;
		n = recv(f->fd, f->up, sizeof f->up, 0);
		if (n > 0) {
			f->up_len = (size_t)n;
			moved = 1;
		} else if (n == 0 || (errno != EAGAIN && errno != EINTR))
			f->client_eof = 1;
	}
	while (f->up_off < f->up_len) {
		n = libssh2_channel_write(f->ch, f->up + f->up_off,
		    f->up_len - f->up_off);
		if (n == LIBSSH2_ERROR_EAGAIN)
			break;
		if (n < 0) {
			if (n != LIBSSH2_ERROR_CHANNEL_CLOSED &&
			    n != LIBSSH2_ERROR_CHANNEL_EOF_SENT)
				tn->c->dead = 1;
			return -1;
		}
		f->up_off += (size_t)n;
		moved = 1;
	}
	if (f->client_eof && f->up_off == f->up_len && !f->eof_sent) {
		int r = libssh2_channel_send_eof(f->ch);

		if (r == 0)
			f->eof_sent = 1;
		else if (r != LIBSSH2_ERROR_EAGAIN)
			return -1;
	}
	if (f->down_off == f->down_len && !f->chan_eof) {
		f->down_off = f->down_len = 0;
		n = libssh2_channel_read(f->ch, f->down, sizeof f->down);
		if (n > 0) {
			f->down_len = (size_t)n;
			moved = 1;
		} else if (n == 0 && libssh2_channel_eof(f->ch))
			f->chan_eof = 1;
		else if (n < 0 && n != LIBSSH2_ERROR_EAGAIN) {
			if (n != LIBSSH2_ERROR_CHANNEL_CLOSED)
				tn->c->dead = 1;
			return -1;
		}
	}
	while (f->down_off < f->down_len) {
		n = send(f->fd, f->down + f->down_off, f->down_len -
		    f->down_off, MSG_NOSIGNAL);
		if (n == -1 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n == -1)
			return -1;
		f->down_off += (size_t)n;
		moved = 1;
	}
	if (f->chan_eof && f->down_off == f->down_len && !f->shut) {
		shutdown(f->fd, SHUT_WR);
		f->shut = 1;
	}
	if (f->shut && f->client_eof)
		return -1;
	return moved;
}

static void *
tunnel_main(void *arg)
{
	struct tunnel *tn = arg;
	struct pollfd pf[MAX_CLIENTS + 2];
	sigset_t s;
	int i, n, next, moved, rounds, r;

	/* Writes to closed peers fail with EPIPE here, never kill. */
	sigemptyset(&s);
	sigaddset(&s, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	while (!tn->stop) {
		n = 0;
		pf[n++] = (struct pollfd){ tn->lfd, POLLIN, 0 };
		if (tn->c != NULL)
			pf[n++] = (struct pollfd){ tn->c->sock, POLLIN |
			    ((libssh2_session_block_directions(tn->c->s) &
			    LIBSSH2_SESSION_BLOCK_OUTBOUND) ? POLLOUT : 0), 0 };
		for (i = 0; i < MAX_CLIENTS; i++) {
			struct fwd *f = tn->fwd[i];

			if (f == NULL)
				continue;
			pf[n++] = (struct pollfd){ f->fd,
			    (f->up_off == f->up_len && !f->client_eof ?
			    POLLIN : 0) | (f->down_off < f->down_len ?
			    POLLOUT : 0), 0 };
		}
		(void)poll(pf, (nfds_t)n, TICK_MS);
		if (pf[0].revents & POLLIN)
			accept_one(tn);
		if (tn->c == NULL)
			continue;
		/* Until nothing moves: reading one channel may queue data
		 * of another inside libssh2, which poll() cannot see. */
		for (moved = 1, rounds = 0; moved && rounds < 64; rounds++) {
			moved = 0;
			for (i = 0; i < MAX_CLIENTS; i++) {
				if (tn->fwd[i] == NULL)
					continue;
				if ((r = pump(tn, tn->fwd[i])) == -1)
					fwd_close(tn, i);
				else
					moved |= r;
			}
			if (tn->c->dead)
				break;
		}
		if (tn->c->dead ||
		    libssh2_keepalive_send(tn->c->s, &next) != 0)
			drop_session(tn);
	}
	if (tn->c != NULL)
		drop_session(tn);
	return NULL;
}

int
ssh_tunnel(struct transport *t, const char *host, int port, char lh[64],
    int *lp, int64_t deadline, struct err *e)
{
	struct ssh_tunnels **list = tr_ssh_tunnels(t);
	struct sockaddr_in sa;
	socklen_t sl = sizeof sa;
	struct tunnel *tn;
	int r;

	if (*list == NULL)
		*list = xcalloc(1, sizeof **list);
	for (tn = (*list)->head; tn != NULL; tn = tn->next)
		if (tn->port == port && strcmp(tn->host, host) == 0) {
			snprintf(lh, 64, "127.0.0.1");
			*lp = tn->lport;
			return 0;
		}
	tn = xcalloc(1, sizeof *tn);
	tn->h = t->h;
	tn->host = xstrdup(host);
	tn->port = port;
	tn->stopp = &tn->stop;
	tn->lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0);
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (tn->lfd == -1 || bind(tn->lfd, (struct sockaddr *)&sa,
	    sizeof sa) == -1 || listen(tn->lfd, 16) == -1 ||
	    getsockname(tn->lfd, (struct sockaddr *)&sa, &sl) == -1) {
		err_set(e, "tunnel to %s:%d: local socket: %s", host, port,
		    strerror(errno));
		goto fail;
	}
	tn->lport = ntohs(sa.sin_port);
	/* The session is opened here so that its errors reach the caller. */
	if (ssh_conn_open(t->h, &t->cancel, deadline, &tn->c, e) == -1) {
		tn->c = NULL;
		err_prefix(e, "tunnel to %s:%d", host, port);
		goto fail;
	}
	tn->c->cancel = &tn->stopp;
	if ((r = pthread_create(&tn->thread, NULL, tunnel_main, tn)) != 0) {
		err_set(e, "tunnel to %s:%d: thread: %s", host, port,
		    strerror(r));
		ssh_conn_close(tn->c);
		goto fail;
	}
	tn->next = (*list)->head;
	(*list)->head = tn;
	snprintf(lh, 64, "127.0.0.1");
	*lp = tn->lport;
	return 0;
fail:
	if (tn->lfd != -1)
		close(tn->lfd);
	free(tn->host);
	free(tn);
	return -1;
}

void
ssh_tunnels_stop(struct ssh_tunnels *list)
{
	struct tunnel *tn, *next;

	if (list == NULL)
		return;
	for (tn = list->head; tn != NULL; tn = next) {
		next = tn->next;
		tn->stop = 1;
		pthread_join(tn->thread, NULL);
		close(tn->lfd);
		free(tn->host);
		free(tn);
	}
	free(list);
}
