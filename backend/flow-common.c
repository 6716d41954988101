/*
 * flow-common.c: what the steps of every flow use (flow.h): commands on
 * a host with their output kept for the journal, the app's services, SQL
 * through psql on the host, the data stamp, HTTP health, state files,
 * the plan lines of --dry-run, and the lock step shared by the flows.
 *
 * Runs on the step's worker thread (workflow.c); everything here may
 * block on the network, bounded by the deadline it is given and by the
 * flow's cancel flag.
 */
#include "flow.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "os.h"
#include "pgtool.h"
#include "quote.h"
#include "strv.h"
#include "xmalloc.h"

#define T_SERVICE	(2 * 60 * 1000)
#define T_SQL		(60 * 1000)
#define T_STATE		(15 * 1000)
#define OUT_TAIL	600

const char *
flow_host_name(const struct flow_ctx *x, enum flow_host h)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);

	return hc != NULL ? hc->name : (h == FH_PRIMARY ? "primary" :
	    "backup");
}

int64_t
flow_probe_ms(const struct flow_ctx *x)
{
	int64_t t = flow_config(x)->probe_timeout;

	return t > 0 ? t * 1000 : 5000;
}

void
flow_job_log(void *arg, const char *line)
{
	flow_out(arg, "%s", line);
}

static const struct strv *
cutover_hook(struct flow_ctx *x, enum flow_host to)
{
	const struct config *cf = flow_config(x);

	return to == FH_BACKUP ? &cf->cutover_to_backup :
	    &cf->cutover_to_primary;
}

void
flow_cutover_prompt(struct flow_ctx *x, enum flow_host to)
{
	const struct strv *hook = cutover_hook(x, to);
	const char *name = flow_host_name(x, to);
	struct buf b = { 0 };
	size_t i;

	if (hook->n > 0) {
		for (i = 0; i < hook->n; i++)
			buf_printf(&b, "%s%s", i ? " " : "", hook->v[i]);
		flow_prompt(x, NULL, "Cut over to %s: run the hook `%s`?",
		    name, buf_str(&b));
		buf_free(&b);
		return;
	}
	flow_prompt(x, "done", "Cut over to %s by hand now: point the WAN IP "
	    "or DNS at it (runbook %s). Type \"done\" when traffic goes to "
	    "%s", name, to == FH_BACKUP ? "§7.2" : "§7.4", name);
}

int
flow_cutover_run(struct flow_ctx *x, enum flow_host to, struct err *e)
{
	const struct strv *hook = cutover_hook(x, to);

	if (hook->n > 0) {
		if (flow_exec_local(x, strv_argv(hook), 5 * 60 * 1000, e) != 0)
			return -1;
		flow_say(x, "cutover hook ran: traffic to %s",
		    flow_host_name(x, to));
	} else {
		flow_say(x, "the operator cut over to %s",
		    flow_host_name(x, to));
	}
	return 0;
}

void
flow_cutover_plan(struct flow_ctx *x, struct buf *b, enum flow_host to)
{
	const struct strv *hook = cutover_hook(x, to);

	if (hook->n > 0)
		flow_plan_local(x, b, strv_argv(hook));
	else
		flow_plan_note(b, "manual: point the WAN IP / DNS at %s, then "
		    "type \"done\"", flow_host_name(x, to));
}

/* The command line as sent (quoted for the host's shell). */
static char *
cmdline(const struct host_cfg *hc, const char *const *argv)
{
	struct buf b = { 0 };
	struct err e = { "" };

	if (hc != NULL && hc->shell != HOST_SHELL_SH) {
		/* Shown as the PowerShell script, not its base64 form. */
		if (quote_ps_argv(&b, argv, &e) != 0)
			buf_printf(&b, "(%s)", e.msg);
	} else if (quote_sh_argv(&b, argv, &e) != 0) {
		buf_printf(&b, "(%s)", e.msg);
	}
	return buf_detach(&b);
}

static void
out_tail(struct flow_ctx *x, const char *label, const char *s, size_t len)
{
	if (s == NULL || len == 0)
		return;
	if (len > OUT_TAIL) {
		s += len - OUT_TAIL;
		flow_out(x, "  %s (last %d bytes): ...%s", label, OUT_TAIL, s);
	} else {
		flow_out(x, "  %s: %s", label, s);
	}
}

int
flow_exec(struct flow_ctx *x, enum flow_host h, const char *const *argv,
    const char *stdin_data, int64_t timeout_ms, struct exec_result *r,
    struct err *e)
{
	struct transport *t;
	struct exec_result mine;
	char how[EXEC_DESCRIBE_MAX], *line;
	int rc;

	if (r == NULL)
		r = &mine;
	memset(r, 0, sizeof *r);
	t = flow_host(x, h, e);
	if (t == NULL)
		return -1;
	line = cmdline(transport_host(t), argv);
	flow_out(x, "%s$ %s", flow_host_name(x, h), line);
	rc = transport_exec(t, argv, stdin_data, stdin_data != NULL ?
	    strlen(stdin_data) : 0, timeout_ms, r, e);
	if (r->out != NULL)
		out_tail(x, "out", r->out, r->out_len);
	if (r->errout != NULL)
		out_tail(x, "err", r->errout, r->err_len);
	if (rc != 0) {
		flow_out(x, "  -> %s", e->msg);
	} else if (!exec_ok(r)) {
		const char *p = r->errout != NULL ? r->errout : "";
		size_t n = strlen(p);
		char last[200];
		const char *nl;

		while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == '\r'))
			n--;
		nl = n > 0 ? p + n - 1 : p;
		while (nl > p && nl[-1] != '\n')
			nl--;
		snprintf(last, sizeof last, "%.*s", (int)(p + n - nl), nl);
		exec_describe(r, how, sizeof how);
		flow_out(x, "  -> %s", how);
		err_set(e, "%s: %s: %s%s%s", flow_host_name(x, h), argv[0], how,
		    last[0] ? ": " : "", last);
		rc = -1;
	} else {
		flow_out(x, "  -> exit 0 (%.1f s)",
		    (double)r->duration_ms / 1000.0);
	}
	free(line);
	if (r == &mine)
		exec_result_free(&mine);
	return rc;
}

static struct host_cfg local_host = {
	.name = "local",
	.kind = HOST_KIND_PRIMARY,
	.os = HOST_OS_LINUX,
	.transport = HOST_TRANSPORT_LOCAL,
	.shell = HOST_SHELL_SH,
	.address = "",
};

int
flow_exec_local(struct flow_ctx *x, const char *const *argv,
    int64_t timeout_ms, struct err *e)
{
	struct transport *t = NULL;
	struct exec_result r;
	char how[EXEC_DESCRIBE_MAX], *line;
	int rc = -1;

	memset(&r, 0, sizeof r);
	if (argv == NULL || argv[0] == NULL)
		return err_set(e, "no command to run");
	if (transport_open(&local_host, 5000, &t, e) != 0)
		return -1;
	transport_set_cancel(t, flow_cancel_flag(x));
	line = cmdline(&local_host, argv);
	flow_out(x, "local$ %s", line);
	if (transport_exec(t, argv, NULL, 0, timeout_ms, &r, e) != 0) {
		flow_out(x, "  -> %s", e->msg);
		goto out;
	}
	if (r.out != NULL)
		out_tail(x, "out", r.out, r.out_len);
	if (r.errout != NULL)
		out_tail(x, "err", r.errout, r.err_len);
	exec_describe(&r, how, sizeof how);
	flow_out(x, "  -> %s", how);
	if (!exec_ok(&r)) {
		err_set(e, "local: %s: %s", argv[0], how);
		goto out;
	}
	rc = 0;
out:
	free(line);
	exec_result_free(&r);
	transport_close(t);
	return rc;
}

static int
services_do(struct flow_ctx *x, enum flow_host h, int start, struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	size_t i;
	int rc = 0;

	if (hc == NULL)
		return err_set(e, "no such host");
	for (i = 0; i < hc->n_services; i++) {
		const struct service_cfg *s = &hc->services[i];
		const struct strv *argv = start ? &s->start : &s->stop;
		struct err se = { "" };

		if (argv->n == 0) {
			flow_out(x, "%s: service %s has no %s command",
			    hc->name, s->name, start ? "start" : "stop");
			continue;
		}
		if (flow_exec(x, h, strv_argv(argv), NULL, T_SERVICE, NULL,
		    &se) != 0) {
			if (rc == 0)
				err_set(e, "%s %s on %s: %s", start ? "start" :
				    "stop", s->name, hc->name, se.msg);
			rc = -1;
			if (!start || flow_host(x, h, &se) == NULL)
				return -1;
		}
	}
	return rc;
}

int
flow_services_stop(struct flow_ctx *x, enum flow_host h, struct err *e)
{
	return services_do(x, h, 0, e);
}

int
flow_services_start(struct flow_ctx *x, enum flow_host h, struct err *e)
{
	return services_do(x, h, 1, e);
}

int
flow_services_status(struct flow_ctx *x, enum flow_host h, struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	struct transport *t;
	size_t i, up = 0, known = 0;

	if (hc == NULL || (t = flow_host(x, h, e)) == NULL)
		return -1;
	for (i = 0; i < hc->n_services; i++) {
		const struct service_cfg *s = &hc->services[i];
		struct exec_result r;
		struct err se = { "" };

		if (s->status.n == 0)
			continue;
		memset(&r, 0, sizeof r);
		if (transport_exec(t, strv_argv(&s->status), NULL, 0, T_SERVICE,
		    &r, &se) != 0) {
			exec_result_free(&r);
			return err_set(e, "%s: status of %s: %s", hc->name,
			    s->name, se.msg);
		}
		known++;
		if (exec_ok(&r))
			up++;
		flow_out(x, "%s: service %s %s", hc->name, s->name,
		    exec_ok(&r) ? "running" : "stopped");
		exec_result_free(&r);
	}
	if (known == 0)
		return err_set(e, "%s: no service has a status command",
		    hc->name);
	return up == 0 ? 0 : up == known ? 1 : 2;
}

int
flow_sql(struct flow_ctx *x, enum flow_host h, const char *sql, char **out,
    struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	struct strv argv = { 0 };
	struct exec_result r;
	int rc;

	if (out != NULL)
		*out = NULL;
	if (hc == NULL)
		return err_set(e, "no such host");
	pgtool_psql(hc, hc->pg.dbname, &argv);
	rc = flow_exec(x, h, strv_argv(&argv), sql, T_SQL, &r, e);
	if (rc == 0 && out != NULL) {
		*out = r.out;
		r.out = NULL;
	}
	exec_result_free(&r);
	strv_free(&argv);
	return rc;
}

int
flow_sanity(struct flow_ctx *x, enum flow_host h, struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	size_t i;
	char *out;

	if (hc == NULL)
		return err_set(e, "no such host");
	for (i = 0; i < hc->pg.sanity.n; i++) {
		if (flow_sql(x, h, hc->pg.sanity.v[i], &out, e) != 0)
			return err_prefix(e, "sanity query %zu", i + 1);
		if (out == NULL || out[strspn(out, " \r\n")] == '\0') {
			free(out);
			return err_set(e, "%s: sanity query \"%s\" returned "
			    "no row", hc->name, hc->pg.sanity.v[i]);
		}
		free(out);
	}
	return 0;
}

int
flow_data_stamp(struct flow_ctx *x, enum flow_host h, int64_t *at,
    int64_t *epoch, struct err *e)
{
	/* row_to_json: the epoch column is read when the table has one. */
	static const char sql[] =
	    "SELECT CASE WHEN to_regclass('drdeck.stamp') IS NULL THEN '0|-1'"
	    " ELSE coalesce((SELECT (extract(epoch FROM s.stamped_at) * 1000)"
	    "::bigint::text || '|' || coalesce(row_to_json(s)->>'epoch', '-1')"
	    " FROM drdeck.stamp s ORDER BY s.stamped_at DESC LIMIT 1), '0|-1')"
	    " END;\n";
	char *out = NULL;
	long long a = 0, ep = -1;

	*at = 0;
	*epoch = -1;
	if (flow_sql(x, h, sql, &out, e) != 0)
		return -1;
	if (out == NULL || sscanf(out, "%lld|%lld", &a, &ep) < 1) {
		free(out);
		return err_set(e, "%s: the data stamp query gave \"%s\", "
		    "expected MS|EPOCH", flow_host_name(x, h), out != NULL ? out :
		    "");
	}
	free(out);
	*at = a;
	*epoch = ep;
	return 0;
}

static size_t
discard(char *p, size_t size, size_t n, void *arg)
{
	return size * n;
}

static int
progress_cb(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut,
    curl_off_t un)
{
	volatile int *cancel = arg;

	return cancel != NULL && *cancel;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int
http_get(struct flow_ctx *x, const char *url, const char *connect_to,
    int64_t timeout_ms, long *status, struct err *e)
{
	struct curl_slist *ct = NULL;
	char cerr[CURL_ERROR_SIZE] = "";
	CURL *curl;
	CURLcode cc;
	int rc = -1;

	*status = 0;
	pthread_once(&curl_once, curl_init_once);
	curl = curl_easy_init();
	if (curl == NULL)
		return err_set(e, "libcurl could not start");
	if (connect_to != NULL) {
		ct = curl_slist_append(NULL, connect_to);
		curl_easy_setopt(curl, CURLOPT_CONNECT_TO, ct);
	}
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, progress_cb);
	curl_easy_setopt(curl, CURLOPT_XFERINFODATA,
	    (void *)flow_cancel_flag(x));
	curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		err_set(e, "GET %s: %s", url, cerr[0] ? cerr :
		    curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	rc = 0;
out:
	curl_easy_cleanup(curl);
	curl_slist_free_all(ct);
	return rc;
}

int
flow_http(struct flow_ctx *x, const char *url, int64_t timeout_ms,
    long *status, struct err *e)
{
	int rc = http_get(x, url, NULL, timeout_ms, status, e);

	flow_out(x, "GET %s -> %s", url, rc == 0 ? "" : e->msg);
	if (rc == 0)
		flow_out(x, "  HTTP %ld", *status);
	return rc;
}

int
flow_health(struct flow_ctx *x, enum flow_host h, int64_t timeout_ms,
    struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	char *connect_to = NULL;
	long code = 0;
	int rc = -1;

	if (hc == NULL || hc->health_url == NULL || *hc->health_url == '\0')
		return err_set(e, "%s: no health URL configured",
		    flow_host_name(x, h));
	if (hc->health_tunnel) {
		CURLU *u = curl_url();
		char *uhost = NULL, *uport = NULL, lhost[64];
		int lport = 0;
		struct transport *t = flow_host(x, h, e);

		if (t == NULL || curl_url_set(u, CURLUPART_URL, hc->health_url,
		    0) != 0 || curl_url_get(u, CURLUPART_HOST, &uhost, 0) != 0 ||
		    curl_url_get(u, CURLUPART_PORT, &uport,
		    CURLU_DEFAULT_PORT) != 0 || transport_tunnel(t, uhost,
		    atoi(uport), lhost, &lport, timeout_ms, e) != 0) {
			if (t != NULL && e->msg[0] == '\0')
				err_set(e, "%s: health URL %s: not a URL",
				    hc->name, hc->health_url);
			curl_free(uhost);
			curl_free(uport);
			curl_url_cleanup(u);
			return -1;
		}
		connect_to = xasprintf("%s:%s:%s:%d", uhost, uport, lhost,
		    lport);
		curl_free(uhost);
		curl_free(uport);
		curl_url_cleanup(u);
	}
	if (http_get(x, hc->health_url, connect_to, timeout_ms, &code,
	    e) != 0) {
		flow_out(x, "%s: GET %s -> %s", hc->name, hc->health_url,
		    e->msg);
		goto out;
	}
	flow_out(x, "%s: GET %s -> HTTP %ld", hc->name, hc->health_url, code);
	if (code != 200) {
		err_set(e, "%s: %s answered HTTP %ld, expected 200", hc->name,
		    hc->health_url, code);
		goto out;
	}
	rc = 0;
out:
	free(connect_to);
	return rc;
}

int
flow_state_read(struct flow_ctx *x, enum flow_host h, struct host_state *st,
    struct err *e)
{
	struct transport *t = flow_host(x, h, e);

	memset(st, 0, sizeof *st);
	if (t == NULL)
		return -1;
	return state_read(t, st, T_STATE, e);
}

int
flow_state_write(struct flow_ctx *x, enum flow_host h,
    const struct host_state *st, struct err *e)
{
	struct transport *t = flow_host(x, h, e);
	struct host_state s2 = *st;

	if (t == NULL)
		return -1;
	flow_out(x, "%s: state -> role %s, epoch %lld%s", flow_host_name(x, h),
	    host_role_name(st->role), (long long)st->epoch,
	    st->fenced ? ", fenced" : "");
	s2.updated_at = clock_wall_ms();
	s2.updated_by = (char *)os_actor();
	return state_write(t, &s2, T_STATE, e);
}

int
flow_sleep(struct flow_ctx *x, int64_t ms)
{
	int64_t deadline = clock_mono_ms() + ms;
	volatile int *cancel = flow_cancel_flag(x);
	struct timespec ts;

	while (clock_left_ms(deadline) > 0) {
		if (*cancel)
			return 1;
		ts.tv_sec = 0;
		ts.tv_nsec = 50 * 1000000L;
		nanosleep(&ts, NULL);
	}
	return *cancel ? 1 : 0;
}

void
flow_plan_cmd(struct flow_ctx *x, struct buf *b, enum flow_host h,
    const char *const *argv)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	char *line = cmdline(hc, argv);

	buf_printf(b, "%s$ %s\n", flow_host_name(x, h), line);
	free(line);
}

void
flow_plan_local(struct flow_ctx *x, struct buf *b, const char *const *argv)
{
	char *line;

	if (argv == NULL || argv[0] == NULL) {
		buf_puts(b, "local: (no command configured)\n");
		return;
	}
	line = cmdline(&local_host, argv);
	buf_printf(b, "local$ %s\n", line);
	free(line);
}

void
flow_plan_services(struct flow_ctx *x, struct buf *b, enum flow_host h,
    int start)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	size_t i;

	if (hc == NULL)
		return;
	for (i = 0; i < hc->n_services; i++) {
		const struct strv *a = start ? &hc->services[i].start :
		    &hc->services[i].stop;

		if (a->n > 0)
			flow_plan_cmd(x, b, h, strv_argv(a));
	}
}

void
flow_plan_note(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	buf_printf(b, "%s\n", line);
}

void
flow_hhmm(int64_t wall_ms, int64_t now_ms, char *buf, size_t len)
{
	time_t t = (time_t)(wall_ms / 1000), n = (time_t)(now_ms / 1000);
	struct tm tm, tn;

	localtime_r(&t, &tm);
	localtime_r(&n, &tn);
	if (tm.tm_year == tn.tm_year && tm.tm_yday == tn.tm_yday)
		snprintf(buf, len, "%02d:%02d", tm.tm_hour, tm.tm_min);
	else
		snprintf(buf, len, "%04d-%02d-%02d %02d:%02d",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min);
}

/* ---- the lock step ---- */

static int
lock_check(struct flow_ctx *x, struct err *e)
{
	struct buf stale = { 0 };
	int h, any = 0;

	flow_var_set(x, "lock_takeover", "0");
	for (h = 0; h < FH_N; h++) {
		struct transport *t = flow_host(x, (enum flow_host)h, e);
		struct host_lock l;
		char desc[300];

		if (t == NULL) {
			flow_out(x, "%s: does not answer (%s): no lock taken "
			    "there", flow_host_name(x, (enum flow_host)h), e->msg);
			continue;
		}
		any = 1;
		if (lock_read(t, &l, T_STATE, e) != 0) {
			buf_free(&stale);
			return -1;
		}
		if (l.held && !lock_is_mine(&l)) {
			lock_describe(&l, desc, sizeof desc);
			if (!lock_is_stale(&l)) {
				err_set(e, "%s: refused: the lock is held by "
				    "%s; one operator at a time",
				    flow_host_name(x, (enum flow_host)h), desc);
				host_lock_free(&l);
				buf_free(&stale);
				return -1;
			}
			if (l.what != NULL && strstr(l.what, flow_id(x)) !=
			    NULL) {
				/* Our own flow, interrupted: ours again. */
				flow_var_set(x, "lock_takeover", "1");
			} else {
				buf_printf(&stale, "%s%s: %s",
				    stale.len ? "; " : "",
				    flow_host_name(x, (enum flow_host)h), desc);
			}
		}
		host_lock_free(&l);
	}
	if (!any) {
		buf_free(&stale);
		return err_set(e, "neither host answers: nothing to lock");
	}
	if (stale.len > 0) {
		flow_prompt(x, "takeover", "A stale lock: %s. Type "
		    "\"takeover\" to take it over (only when you are sure "
		    "nobody else works on the pair)", buf_str(&stale));
		flow_var_set(x, "lock_takeover", "1");
	}
	buf_free(&stale);
	return 0;
}

static int
lock_action(struct flow_ctx *x, struct err *e)
{
	char *what = xstrdup(flow_id(x));
	int h, takeover = flow_var_int(x, "lock_takeover", 0) != 0;
	int rc = 0;

	for (h = 0; h < FH_N; h++) {
		struct transport *t;
		struct err le = { "" };

		if (flow_host_reachable(x, (enum flow_host)h) != 1)
			continue;
		t = flow_host(x, (enum flow_host)h, &le);
		if (t == NULL)
			continue;
		if (lock_take(t, what, 0, takeover, T_STATE, e) != 0) {
			rc = -1;
			break;
		}
		flow_locked(x, (enum flow_host)h);
		flow_out(x, "%s: locked for %s", flow_host_name(x,
		    (enum flow_host)h), what);
	}
	if (rc == 0)
		flow_say(x, "locked: %s%s%s",
		    flow_host_reachable(x, FH_PRIMARY) == 1 ? "primary" : "",
		    flow_host_reachable(x, FH_PRIMARY) == 1 &&
		    flow_host_reachable(x, FH_BACKUP) == 1 ? ", " : "",
		    flow_host_reachable(x, FH_BACKUP) == 1 ? "backup" : "");
	free(what);
	return rc;
}

static void
lock_plan(struct flow_ctx *x, struct buf *b)
{
	flow_plan_note(b, "primary, backup: write <state>/lock.json "
	    "(owner, pid, machine, flow id); refused when another holds it");
}

const struct flow_step flow_step_lock = {
	.id = "lock",
	.title = "Take the lock on both hosts",
	.section = "§7",
	.why = "One operator at a time: a second drdeck is refused and told "
	    "who holds the pair.",
	.confirm = CONFIRM_NONE,
	.timeout_ms = 60 * 1000,
	.on_failure = ONFAIL_ABORT,
	.flags = STEP_F_NOLOCK,
	.check = lock_check,
	.action = lock_action,
	.plan = lock_plan,
};
