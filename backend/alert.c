/*
 * alert.c: send an alert by SMTP (libcurl) and / or the configured
 * command (see alert.h).
 *
 * SMTP: smtp:// with STARTTLS when the server offers it, smtps:// as is;
 * the user from config, the password from $DRDECK_SMTP_PASSWORD (never
 * the config, never an argv).  The command: spawned without a shell
 * (os_spawn), the message (Subject line, blank line, body) on its stdin;
 * exit 0 = taken.  Runs on the calling thread; each channel is bounded by
 * timeout_ms (a command past it is killed).
 */
#include "alert.h"

#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "os.h"
#include "xmalloc.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct reader {
	const char *p;
	size_t	 left;
};

static size_t
read_cb(char *dst, size_t size, size_t n, void *arg)
{
	struct reader *r = arg;
	size_t want = size * n;

	if (want > r->left)
		want = r->left;
	memcpy(dst, r->p, want);
	r->p += want;
	r->left -= want;
	return want;
}

/* Header-safe: no line breaks. */
static void
put_header_text(struct buf *b, const char *s)
{
	for (; *s; s++)
		buf_putc(b, *s == '\r' || *s == '\n' ? ' ' : *s);
}

static int
send_smtp(const struct alert_cfg *a, const char *subject, const char *body,
    int64_t timeout_ms, struct err *e)
{
	struct curl_slist *rcpt = NULL;
	struct buf msg = { 0 };
	struct reader rd;
	char date[64], cerr[CURL_ERROR_SIZE];
	const char *pw = getenv("DRDECK_SMTP_PASSWORD");
	CURL *c;
	CURLcode rc;
	size_t i;
	const char *p;
	int ret = -1;

	pthread_once(&curl_once, curl_init_once);
	if (a->smtp_to.n == 0)
		return err_set(e, "alerts.smtp.to: no recipient");
	{
		time_t now = (time_t)(clock_wall_ms() / 1000);
		struct tm tm;

		gmtime_r(&now, &tm);
		/* RFC 5322 date, C locale names */
		strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000",
		    &tm);
	}
	buf_printf(&msg, "Date: %s\r\n", date);
	buf_puts(&msg, "From: ");
	put_header_text(&msg, a->smtp_from ? a->smtp_from : "drdeck");
	buf_puts(&msg, "\r\nTo: ");
	for (i = 0; i < a->smtp_to.n; i++) {
		if (i)
			buf_puts(&msg, ", ");
		put_header_text(&msg, a->smtp_to.v[i]);
	}
	buf_puts(&msg, "\r\nSubject: ");
	put_header_text(&msg, subject);
	buf_puts(&msg, "\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	for (p = body; *p; p++) {	/* LF -> CRLF */
		if (*p == '\n' && (p == body || p[-1] != '\r'))
			buf_putc(&msg, '\r');
		buf_putc(&msg, *p);
	}
	rd.p = msg.s;
	rd.left = msg.len;

	c = curl_easy_init();
	if (c == NULL) {
		err_set(e, "alert: libcurl cannot make a handle");
		goto out;
	}
	for (i = 0; i < a->smtp_to.n; i++)
		rcpt = curl_slist_append(rcpt, a->smtp_to.v[i]);
	cerr[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, a->smtp_url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	/* A password goes over TLS only: STARTTLS is then required. */
	curl_easy_setopt(c, CURLOPT_USE_SSL, pw != NULL ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY);
	if (a->smtp_from != NULL)
		curl_easy_setopt(c, CURLOPT_MAIL_FROM, a->smtp_from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	if (a->smtp_user != NULL)
		curl_easy_setopt(c, CURLOPT_USERNAME, a->smtp_user);
	if (pw != NULL)
		curl_easy_setopt(c, CURLOPT_PASSWORD, pw);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	curl_easy_setopt(c, CURLOPT_READDATA, &rd);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	rc = curl_easy_perform(c);
	if (rc == CURLE_USE_SSL_FAILED) {
		err_set(e, "alert: SMTP %s: the server offers no STARTTLS; "
		    "the password ($DRDECK_SMTP_PASSWORD) is never sent in "
		    "the clear", a->smtp_url);
		goto out;
	}
	if (rc != CURLE_OK) {
		err_set(e, "alert: SMTP %s: %s", a->smtp_url,
		    cerr[0] ? cerr : curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	curl_slist_free_all(rcpt);
	if (c != NULL)
		curl_easy_cleanup(c);
	buf_free(&msg);
	return ret;
}

static int
send_command(const struct strv *argv, const char *subject, const char *body,
    int64_t timeout_ms, struct err *e)
{
	struct os_proc *p = NULL;
	struct buf msg = { 0 }, errout = { 0 };
	int in_fd = -1, out_fd = -1, err_fd = -1, exited = 0, status = 0;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	size_t off = 0;
	char sig[32] = "", chunk[4096];
	int ret = -1, ended = 0;

	buf_printf(&msg, "Subject: %s\n\n%s", subject, body);
	if (os_spawn(strv_argv(argv), NULL, &p, &in_fd, &out_fd, &err_fd,
	    e) != 0)
		return err_prefix(e, "alert: command %s", argv->v[0]);
	while (!ended) {
		struct pollfd pf[3];
		int np = 0, r;
		int64_t left = clock_left_ms(deadline);

		if (left <= 0) {
			os_proc_kill(p);
			err_set(e, "alert: command %s: killed after %.1f s",
			    argv->v[0], (double)timeout_ms / 1000.0);
			goto out;
		}
		if (in_fd >= 0) {
			pf[np].fd = in_fd;
			pf[np++].events = POLLOUT;
		}
		if (out_fd >= 0) {
			pf[np].fd = out_fd;
			pf[np++].events = POLLIN;
		}
		if (err_fd >= 0) {
			pf[np].fd = err_fd;
			pf[np++].events = POLLIN;
		}
		if (np == 0) {
			/* Pipes closed: wait for the exit. */
			if (os_proc_poll(p, &exited, &status, sig) == 1) {
				ended = 1;
				break;
			}
			usleep(5000);
			continue;
		}
		r = poll(pf, (nfds_t)np, (int)(left > 100 ? 100 : left));
		if (r < 0 && errno != EINTR)
			break;
		if (in_fd >= 0) {
			ssize_t w = write(in_fd, msg.s + off, msg.len - off);

			if (w > 0)
				off += (size_t)w;
			if ((w < 0 && errno != EAGAIN && errno != EINTR) ||
			    off == msg.len) {
				close(in_fd);
				in_fd = -1;
			}
		}
		if (out_fd >= 0) {
			ssize_t n = read(out_fd, chunk, sizeof chunk);

			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(out_fd);
				out_fd = -1;
			}
		}
		if (err_fd >= 0) {
			ssize_t n = read(err_fd, chunk, sizeof chunk);

			if (n > 0 && errout.len < 400)
				buf_append(&errout, chunk, (size_t)n);
			if (n == 0 || (n < 0 && errno != EAGAIN &&
			    errno != EINTR)) {
				close(err_fd);
				err_fd = -1;
			}
		}
	}
	if (!ended) {
		os_proc_kill(p);
		err_set(e, "alert: command %s: poll failed", argv->v[0]);
		goto out;
	}
	if (!exited || status != 0 || sig[0] != '\0') {
		err_set(e, "alert: command %s: %s %d%s%.200s", argv->v[0],
		    sig[0] ? "signal" : "exit", sig[0] ? 0 : status,
		    errout.len ? ": " : "", buf_str(&errout));
		goto out;
	}
	ret = 0;
out:
	if (in_fd >= 0)
		close(in_fd);
	if (out_fd >= 0)
		close(out_fd);
	if (err_fd >= 0)
		close(err_fd);
	if (p != NULL)
		os_proc_wait_free(p, &exited, &status, sig);
	buf_free(&msg);
	buf_free(&errout);
	return ret;
}

/* Send by every configured channel. */
int
alert_send(const struct config *c, const char *subject, const char *body,
    int64_t timeout_ms, int *sent, struct err *e)
{
	const struct alert_cfg *a = &c->alerts;
	struct err e1 = { "" }, e2 = { "" };
	int tried = 0, ok = 0;

	*sent = 0;
	if (a->smtp_url != NULL && *a->smtp_url != '\0') {
		tried++;
		if (send_smtp(a, subject, body, timeout_ms, &e1) == 0)
			ok++;
	}
	if (a->command.n > 0) {
		tried++;
		if (send_command(&a->command, subject, body, timeout_ms,
		    &e2) == 0)
			ok++;
	}
	if (tried == 0)
		return 0;
	if (ok == 0)
		return err_set(e, "%s%s%s", e1.msg, e1.msg[0] && e2.msg[0] ?
		    "; " : "", e2.msg);
	*sent = 1;
	/* Sent, but not by every channel: say which one failed. */
	if (e1.msg[0] != '\0' || e2.msg[0] != '\0')
		err_set(e, "%s%s%s", e1.msg, e1.msg[0] && e2.msg[0] ? "; " :
		    "", e2.msg);
	return 0;
}
