/*
 * job-run.c: the machinery the jobs share (see job-int.h): log lines,
 * journal events per step, commands and psql scripts run on a host
 * through its transport, services, the health gate, parity (§4.1), the
 * runbook's log lines, the failure alert.
 *
 * Runs on the job's thread.  Every call into a transport is bounded by
 * the deadlines of job-int.h; the health gate sleeps between attempts.
 */
#include "job-int.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "alert.h"
#include "clock.h"
#include "job-common.h"
#include "pgtool.h"
#include "quote.h"
#include "state.h"
#include "xmalloc.h"

#define LOG_ROTATE_BYTES (1024 * 1024)

void
job_init(struct job *jb, const struct config *c, struct journal *j,
    const struct job_opts *o, struct job_result *r, const char *action)
{
	memset(jb, 0, sizeof *jb);
	memset(r, 0, sizeof *r);
	jb->c = c;
	jb->j = j;
	jb->o = o;
	jb->r = r;
	jb->action = action;
	jb->t0 = clock_mono_ms();
}

void
job_done(struct job *jb)
{
	struct err e = { "" };

	if (jb->locked && jb->t != NULL &&
	    lock_release(jb->t, JOB_T_FILE, &e) != 0)
		job_warn(jb, "%s", e.msg);
	jb->locked = 0;
	if (jb->t != NULL)
		transport_close(jb->t);
	jb->t = NULL;
	buf_free(&jb->lines);
}

static void
journal_note(struct job *jb, enum journal_kind kind, const char *step,
    const char *action, int rc, int64_t dur, const char *msg)
{
	struct err e = { "" };

	if (jb->j == NULL)
		return;
	if (journal_log(jb->j, kind, jb->h != NULL ? jb->h->name : NULL,
	    jb->o->workflow, step, action, rc, dur, msg, &e) != 0)
		/* The journal failing must not hide the job's outcome;
		 * the person watching is told. */
		if (jb->o->log != NULL) {
			char line[ERR_LEN + 32];

			snprintf(line, sizeof line, "journal: %s", e.msg);
			jb->o->log(jb->o->log_arg, line);
		}
}

static void PRINTF_LIKE(3, 0)
say_v(struct job *jb, const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];
	int n;

	n = snprintf(line, sizeof line, "%s", prefix);
	vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	buf_puts(&jb->lines, line);
	buf_putc(&jb->lines, '\n');
	if (jb->o->log != NULL)
		jb->o->log(jb->o->log_arg, line);
}

void
job_say(struct job *jb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	say_v(jb, "", fmt, ap);
	va_end(ap);
}

void
job_warn(struct job *jb, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	jb->warnings++;
	job_say(jb, "warning: %s", msg);
	journal_note(jb, JK_NOTE, jb->step[0] ? jb->step : NULL, "warning", 0,
	    -1, msg);
}

void
job_step(struct job *jb, const char *step)
{
	snprintf(jb->step, sizeof jb->step, "%s", step);
	jb->step_t0 = clock_mono_ms();
	jb->err_tail[0] = '\0';
	journal_note(jb, JK_STEP, step, "step.start", 0, -1, jb->action);
}

void
job_step_ok(struct job *jb, const char *fmt, ...)
{
	char msg[1024];
	int64_t dur = clock_mono_ms() - jb->step_t0;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	job_say(jb, "%-8s ok   %5.1f s  %s", jb->step, (double)dur / 1000.0,
	    msg);
	journal_note(jb, JK_STEP, jb->step, "step.done", 0, dur, msg);
}

int
job_fail(struct job *jb, struct err *e)
{
	int64_t dur = clock_mono_ms() - jb->step_t0;

	if (jb->r->failed_step[0] == '\0')
		snprintf(jb->r->failed_step, sizeof jb->r->failed_step, "%s",
		    jb->step);
	job_say(jb, "%-8s FAIL %5.1f s  %s", jb->step, (double)dur / 1000.0,
	    e->msg);
	journal_note(jb, JK_STEP, jb->step, "step.failed", 1, dur, e->msg);
	return -1;
}

void
job_finish(struct job *jb, int rc, const struct err *e, const char *summary)
{
	int64_t dur = clock_mono_ms() - jb->t0;
	struct err ae = { "" };
	struct buf body = { 0 };
	char *subject;
	int sent = 0;

	jb->r->duration_ms = dur;
	if (rc == 0) {
		journal_note(jb, JK_JOB, NULL, jb->action, 0, dur, summary);
		job_say(jb, "%s on %s: ok in %.1f s%s%s", jb->action,
		    jb->h != NULL ? jb->h->name : "?", (double)dur / 1000.0,
		    summary != NULL ? ": " : "", summary != NULL ? summary : "");
		return;
	}
	journal_note(jb, JK_JOB, jb->r->failed_step[0] ? jb->r->failed_step :
	    NULL, jb->action, 1, dur, e->msg);
	subject = xasprintf("drdeck %s: %s failed on %s at step %s",
	    jb->c->pair != NULL ? jb->c->pair : "", jb->action,
	    jb->h != NULL ? jb->h->name : "?",
	    jb->r->failed_step[0] ? jb->r->failed_step : "start");
	buf_printf(&body, "%s\n\nerror: %s\n", subject, e->msg);
	if (jb->err_tail[0] != '\0')
		buf_printf(&body, "\nend of its stderr:\n%s\n", jb->err_tail);
	buf_printf(&body, "\nthe job's log:\n%s", buf_str(&jb->lines));
	if (jb->quiet)
		job_say(jb, "no alert for this refusal (journaled)");
	else if (alert_send(jb->c, subject, buf_str(&body), JOB_T_HEALTH,
	    &sent, &ae) != 0)
		job_say(jb, "alert not sent: %s", ae.msg);
	else if (sent) {
		journal_note(jb, JK_ALERT, jb->r->failed_step, "alert", 0, -1,
		    subject);
		if (ae.msg[0] != '\0')
			job_say(jb, "alert sent, but not by every channel: %s",
			    ae.msg);
	}
	job_say(jb, "%s on %s: FAILED at %s after %.1f s: %s", jb->action,
	    jb->h != NULL ? jb->h->name : "?",
	    jb->r->failed_step[0] ? jb->r->failed_step : "start",
	    (double)dur / 1000.0, e->msg);
	free(subject);
	buf_free(&body);
}

int
job_open(struct job *jb, const struct host_cfg *h, struct transport **t,
    struct err *e)
{
	if (transport_open(h, JOB_T_OPEN, t, e) != 0)
		return -1;
	if (jb->o->cancel != NULL)
		transport_set_cancel(*t, jb->o->cancel);
	return 0;
}

const char *
job_last_line(const char *text, char *buf, size_t len)
{
	size_t n = text != NULL ? strlen(text) : 0;
	const char *s;

	while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' ||
	    text[n - 1] == ' '))
		n--;
	s = text != NULL ? text + n : "";
	while (s > text && s[-1] != '\n')
		s--;
	snprintf(buf, len, "%.*s", (int)(text + n - s), s);
	return buf;
}

/* Keep the last part of stderr (whole lines) in jb->err_tail. */
static void
keep_tail(struct job *jb, const char *text)
{
	size_t n = text != NULL ? strlen(text) : 0;
	const char *s;

	if (n < sizeof jb->err_tail) {
		snprintf(jb->err_tail, sizeof jb->err_tail, "%s",
		    text != NULL ? text : "");
		return;
	}
	s = text + n - (sizeof jb->err_tail - 1);
	while (*s != '\0' && *s != '\n')
		s++;
	snprintf(jb->err_tail, sizeof jb->err_tail, "%s",
	    *s == '\n' ? s + 1 : s);
}

int
job_run(struct job *jb, struct transport *t, const char *const *argv,
    const char *stdin_data, int64_t timeout_ms, struct exec_result *r,
    struct err *e)
{
	struct exec_result mine;
	struct exec_result *x = r != NULL ? r : &mine;
	char how[EXEC_DESCRIBE_MAX], last[256];
	int rc;

	memset(x, 0, sizeof *x);
	rc = transport_exec(t, argv, stdin_data,
	    stdin_data != NULL ? strlen(stdin_data) : 0, timeout_ms, x, e);
	if (rc != 0) {
		keep_tail(jb, x->errout);
		err_prefix(e, "%s", job_basename(argv[0]));
		goto out;
	}
	if (!exec_ok(x)) {
		keep_tail(jb, x->errout);
		job_last_line(x->errout, last, sizeof last);
		err_set(e, "%s: %s%s%s", job_basename(argv[0]),
		    exec_describe(x, how, sizeof how), last[0] ? ": " : "",
		    last);
		rc = -1;
	}
out:
	if (r == NULL)
		exec_result_free(&mine);
	return rc;
}

int
job_sql(struct job *jb, struct transport *t, const char *db,
    const char *sql, char **out, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	struct strv argv = { 0 };
	struct exec_result r;
	int rc;

	pgtool_psql(h, db, &argv);
	rc = job_run(jb, t, strv_argv(&argv), sql, JOB_T_SQL, &r, e);
	if (rc == 0 && out != NULL) {
		*out = r.out;
		r.out = NULL;
	}
	exec_result_free(&r);
	strv_free(&argv);
	return rc;
}

static int
services_do(struct job *jb, struct transport *t, int start, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	size_t i;
	int rc = 0;

	for (i = 0; i < h->n_services; i++) {
		const struct service_cfg *s = &h->services[i];
		const struct strv *argv = start ? &s->start : &s->stop;
		struct err se = { "" };

		if (argv->n == 0) {
			job_warn(jb, "%s: service %s has no %s command", h->name,
			    s->name, start ? "start" : "stop");
			continue;
		}
		if (job_run(jb, t, strv_argv(argv), NULL, JOB_T_SERVICE, NULL,
		    &se) != 0) {
			/* Starting goes on with the others: the app must be
			 * brought back as far as it can be. */
			if (rc == 0)
				err_set(e, "%s %s on %s: %s", start ? "start" :
				    "stop", s->name, h->name, se.msg);
			rc = -1;
			if (!start)
				return -1;
			job_say(jb, "start %s: %s", s->name, se.msg);
		}
	}
	return rc;
}

int
job_services_stop(struct job *jb, struct transport *t, struct err *e)
{
	return services_do(jb, t, 0, e);
}

int
job_services_start(struct job *jb, struct transport *t, struct err *e)
{
	return services_do(jb, t, 1, e);
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

static void
sleep_ms(int64_t ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

int
job_health_gate(struct job *jb, struct transport *t, int64_t timeout_ms,
    struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	int64_t deadline = clock_mono_ms() + timeout_ms;
	char lhost[64], *connect_to = NULL, curlerr[CURL_ERROR_SIZE];
	struct curl_slist *ct = NULL;
	long code = 0;
	CURL *curl;
	int rc = -1;

	if (h->health_url == NULL || *h->health_url == '\0')
		return err_set(e, "%s: no health URL configured", h->name);
	curl = curl_easy_init();
	if (curl == NULL)
		return err_set(e, "%s: libcurl could not start", h->name);
	if (h->health_tunnel) {
		CURLU *u = curl_url();
		char *uhost = NULL, *uport = NULL;
		int lport = 0;

		if (curl_url_set(u, CURLUPART_URL, h->health_url, 0) != 0 ||
		    curl_url_get(u, CURLUPART_HOST, &uhost, 0) != 0 ||
		    curl_url_get(u, CURLUPART_PORT, &uport,
		    CURLU_DEFAULT_PORT) != 0) {
			curl_url_cleanup(u);
			curl_free(uhost);
			err_set(e, "%s: health URL %s: not a URL", h->name,
			    h->health_url);
			goto out;
		}
		if (transport_tunnel(t, uhost, atoi(uport), lhost, &lport,
		    JOB_T_OPEN, e) != 0) {
			curl_free(uhost);
			curl_free(uport);
			curl_url_cleanup(u);
			goto out;
		}
		connect_to = xasprintf("%s:%s:%s:%d", uhost, uport, lhost,
		    lport);
		ct = curl_slist_append(NULL, connect_to);
		curl_free(uhost);
		curl_free(uport);
		curl_url_cleanup(u);
		curl_easy_setopt(curl, CURLOPT_CONNECT_TO, ct);
	}
	curl_easy_setopt(curl, CURLOPT_URL, h->health_url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, 3000L);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curlerr);
	for (;;) {
		CURLcode cc;

		curlerr[0] = '\0';
		cc = curl_easy_perform(curl);
		code = 0;
		if (cc == CURLE_OK)
			curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		if (code == 200) {
			rc = 0;
			break;
		}
		if (clock_left_ms(deadline) <= 0 || (jb->o->cancel != NULL &&
		    *jb->o->cancel)) {
			if (cc != CURLE_OK)
				err_set(e, "%s: %s did not answer within %.0f s: "
				    "%s", h->name, h->health_url,
				    (double)timeout_ms / 1000.0, curlerr[0] ?
				    curlerr : curl_easy_strerror(cc));
			else
				err_set(e, "%s: %s answered %ld, not 200, for "
				    "%.0f s", h->name, h->health_url, code,
				    (double)timeout_ms / 1000.0);
			break;
		}
		sleep_ms(clock_left_ms(deadline) < 200 ?
		    clock_left_ms(deadline) : 200);
	}
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(ct);
	free(connect_to);
	return rc;
}

/* Split psql's unaligned output into lines (NUL-terminating each). */
static size_t
split_lines(char *s, char ***lines)
{
	size_t n = 0;
	char *p, *nl;

	*lines = NULL;
	for (p = s; p != NULL && *p != '\0'; p = nl != NULL ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl != NULL)
			*nl = '\0';
		if (*p == '\0')
			continue;
		*lines = xreallocarray(*lines, n + 1, sizeof **lines);
		(*lines)[n++] = p;
	}
	return n;
}

/* .env hash drift: compare with the hash kept in the state folder. */
static void
env_hash(struct job *jb, struct transport *t)
{
	const struct host_cfg *h = transport_host(t);
	struct err e = { "" };
	struct rstat st;
	char hex[65], *path = NULL, *prev = NULL, *line = NULL;
	size_t len = 0;

	if (h->env_file == NULL || *h->env_file == '\0')
		return;
	memset(&st, 0, sizeof st);
	if (transport_stat(t, h->env_file, &st, JOB_T_FILE, &e) != 0) {
		job_warn(jb, ".env: %s", e.msg);
		return;
	}
	if (!st.exists) {
		job_warn(jb, "missing .env at %s on %s", h->env_file, h->name);
		return;
	}
	if (transport_sha256(t, h->env_file, hex, JOB_T_FILE, &e) != 0) {
		job_warn(jb, ".env: %s", e.msg);
		return;
	}
	path = job_path_join(h, h->state, "env.sha256");
	memset(&st, 0, sizeof st);
	if (transport_stat(t, path, &st, JOB_T_FILE, &e) == 0 && st.exists &&
	    transport_read_file(t, path, 4096, &prev, &len, JOB_T_FILE,
	    &e) == 0) {
		if (len < 64 || memcmp(prev, hex, 64) != 0)
			job_warn(jb, ".env on %s changed since the last run "
			    "(hash kept in %s)", h->name, path);
	}
	line = xasprintf("%s\n", hex);
	if (transport_mkdir(t, h->state, JOB_T_FILE, &e) != 0 ||
	    transport_write_file(t, path, line, strlen(line), 0600, JOB_T_FILE,
	    &e) != 0)
		job_warn(jb, "keeping the .env hash: %s", e.msg);
	free(line);
	free(prev);
	free(path);
}

int
job_parity(struct job *jb, struct transport *t, const char *db,
    int what, struct err *e)
{
	const struct manifest *m = &jb->c->manifest;
	struct buf sql = { 0 };
	char *out = NULL, **lines = NULL;
	size_t n, i, k;
	long vnum;
	int rc = -1, major, created = 0;

	if (job_sql(jb, t, db, "SELECT current_setting('server_version_num');"
	    "\nSELECT extname || '|' || extversion FROM pg_extension;\n",
	    &out, e) != 0)
		goto out;
	n = split_lines(out, &lines);
	if (n == 0 || (vnum = strtol(lines[0], NULL, 10)) <= 0) {
		err_set(e, "cannot read server_version_num of %s", db);
		goto out;
	}
	major = (int)(vnum / 10000);
	if (m->required_server_major > 0 && major != m->required_server_major) {
		err_set(e, "server major %d != required %d (manifest %s)",
		    major, m->required_server_major,
		    m->path != NULL ? m->path : "");
		goto out;
	}
	if (!(what & PARITY_EXT))
		goto env;
	for (k = 0; k < m->n_ext; k++) {
		int have = 0;

		for (i = 1; i < n; i++) {
			size_t l = strlen(m->ext[k].name);

			if (strncmp(lines[i], m->ext[k].name, l) == 0 &&
			    lines[i][l] == '|')
				have = 1;
		}
		if (!have) {
			buf_puts(&sql, "CREATE EXTENSION IF NOT EXISTS ");
			pgtool_ident(&sql, m->ext[k].name);
			buf_puts(&sql, ";\n");
			created++;
		}
	}
	if (created > 0) {
		buf_puts(&sql, "SELECT current_setting('server_version_num');\n"
		    "SELECT extname || '|' || extversion FROM pg_extension;\n");
		free(out);
		free(lines);
		out = NULL;
		if (job_sql(jb, t, db, buf_str(&sql), &out, e) != 0)
			goto out;
		n = split_lines(out, &lines);
		job_say(jb, "created %d missing extension%s in %s", created,
		    created == 1 ? "" : "s", db);
	}
	for (k = 0; k < m->n_ext; k++) {
		const char *ver = NULL;
		size_t l = strlen(m->ext[k].name);

		for (i = 1; i < n; i++)
			if (strncmp(lines[i], m->ext[k].name, l) == 0 &&
			    lines[i][l] == '|')
				ver = lines[i] + l + 1;
		if (ver == NULL) {
			err_set(e, "extension %s is missing in %s after CREATE "
			    "EXTENSION", m->ext[k].name, db);
			goto out;
		}
		if (m->ext[k].min_version != NULL &&
		    pgtool_version_cmp(ver, m->ext[k].min_version) < 0)
			job_warn(jb, "%s %s < %s in %s", m->ext[k].name, ver,
			    m->ext[k].min_version, db);
	}
env:
	if (what & PARITY_ENV)
		env_hash(jb, t);
	rc = 0;
out:
	free(lines);
	free(out);
	buf_free(&sql);
	return rc;
}

int
job_logline(struct job *jb, struct transport *t, const char *file,
    const char *text, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	char stamp[JOB_ISO_LEN], *path, *old = NULL, *rot = NULL;
	struct buf b = { 0 };
	struct rstat st;
	size_t len = 0;
	int rc = -1;

	if (h->logs == NULL || *h->logs == '\0')
		return 0;
	path = job_path_join(h, h->logs, file);
	memset(&st, 0, sizeof st);
	if (transport_mkdir(t, h->logs, JOB_T_FILE, e) != 0 ||
	    transport_stat(t, path, &st, JOB_T_FILE, e) != 0)
		goto out;
	if (st.exists && st.size > LOG_ROTATE_BYTES) {
		rot = xasprintf("%s.1", path);
		if (transport_rename(t, path, rot, JOB_T_FILE, e) != 0)
			goto out;
	} else if (st.exists && transport_read_file(t, path,
	    LOG_ROTATE_BYTES + 4096, &old, &len, JOB_T_FILE, e) != 0)
		goto out;
	if (old != NULL)
		buf_append(&b, old, len);
	if (b.len > 0 && b.s[b.len - 1] != '\n')
		buf_puts(&b, h->os == HOST_OS_WINDOWS ? "\r\n" : "\n");
	buf_printf(&b, "[%s] %s%s", job_log_stamp(h->timezone,
	    clock_wall_ms(), stamp), text,
	    h->os == HOST_OS_WINDOWS ? "\r\n" : "\n");
	if (transport_write_file(t, path, b.s, b.len, 0600, JOB_T_FILE, e) != 0)
		goto out;
	rc = 0;
out:
	if (rc != 0)
		err_prefix(e, "log line in %s", path);
	free(old);
	free(rot);
	free(path);
	buf_free(&b);
	return rc;
}

int
job_host_cpus(struct job *jb, struct transport *t)
{
	const struct host_cfg *h = transport_host(t);
	static const char *const lin[] = { "getconf", "_NPROCESSORS_ONLN",
		NULL };
	struct exec_result r;
	struct err e = { "" };
	int n = 0;

	memset(&r, 0, sizeof r);
	if (h->os == HOST_OS_WINDOWS) {
		if (transport_exec_script(t,
		    "[Environment]::ProcessorCount", NULL, 0, JOB_T_FILE, &r,
		    &e) == 0 && exec_ok(&r))
			n = atoi(r.out);
	} else if (transport_exec(t, lin, NULL, 0, JOB_T_FILE, &r, &e) == 0 &&
	    exec_ok(&r))
		n = atoi(r.out);
	exec_result_free(&r);
	return n > 0 ? n : 2;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
job_tables(struct job *jb, struct transport *t, const char *db,
    struct strv *out, struct err *e)
{
	char *o = NULL, **lines = NULL;
	size_t n, i;

	if (job_sql(jb, t, db, "SELECT schemaname || '.' || tablename FROM "
	    "pg_tables WHERE schemaname NOT IN ('pg_catalog', "
	    "'information_schema') ORDER BY 1;\n", &o, e) != 0)
		return -1;
	n = split_lines(o, &lines);
	for (i = 0; i < n; i++)
		strv_push(out, lines[i]);
	free(lines);
	free(o);
	return 0;
}

int
job_archive_tables(struct job *jb, struct transport *t, const char *path,
    struct strv *out, struct err *e)
{
	const struct host_cfg *h = transport_host(t);
	struct strv argv = { 0 };
	struct exec_result r;
	char **lines = NULL, *p;
	size_t n, i;
	int rc = -1;

	p = pgtool_program(h, "pg_restore");
	strv_push(&argv, p);
	free(p);
	strv_push(&argv, "-l");
	strv_push(&argv, path);
	if (job_run(jb, t, strv_argv(&argv), NULL, JOB_T_SQL, &r, e) != 0)
		goto out;
	/* "215; 1259 16390 TABLE public items postgres": the entry's kind
	 * comes after the id and two numbers. */
	n = split_lines(r.out, &lines);
	for (i = 0; i < n; i++) {
		char schema[128], name[128], *q;
		long a, b2;
		int off = 0;

		if (lines[i][0] == ';')
			continue;
		q = strchr(lines[i], ';');
		if (q == NULL || sscanf(q + 1, " %ld %ld %n", &a, &b2,
		    &off) != 2 || off == 0)
			continue;
		q += 1 + off;
		if (strncmp(q, "TABLE ", 6) != 0 ||
		    strncmp(q, "TABLE DATA ", 11) == 0)
			continue;
		if (sscanf(q, "TABLE %127s %127s", schema, name) == 2) {
			p = xasprintf("%s.%s", schema, name);
			strv_push(out, p);
			free(p);
		}
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof *out->v, cmp_str);
	rc = 0;
out:
	free(lines);
	exec_result_free(&r);
	strv_free(&argv);
	return rc;
}
