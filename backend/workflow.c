/*
 * workflow.c: the engine that runs a flow's steps (see workflow.h and
 * flow.h for the state machine).
 *
 * Threads: engine_start() spawns the engine thread, which owns the flow
 * context, the progress file and the hosts' transports.  Each step
 * callback runs on a short-lived worker thread that the engine thread
 * supervises, so that a step past its timeout can be shown as still
 * running and the operator can wait for it or abort it.  The caller's
 * thread (the CLI loop or the console) only calls engine_answer() and
 * engine_view(), which take the engine mutex for memory work only.
 *
 * What may block: the step callbacks (network), the journal's fsync, and
 * appending the flow's journal lines to the hosts between steps.
 *
 * Files: <state_dir>/flow.json (0600) holds the progress of the flow in
 * hand (steps, timings, flow variables, pid); it is written before each
 * step starts and after it ends, and moved to <state_dir>/flows/ when the
 * flow ends.  It is created only when the first step past the locks
 * starts, so a refused flow leaves nothing behind.
 */
#include "workflow.h"
#include "flow.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "os.h"
#include "strv.h"
#include "xmalloc.h"

#define PROGRESS_FILE	"flow.json"
#define TAIL_MAX	2048	/* output tail shown and journaled */
#define REMOTE_TIMEOUT	5000	/* appending journal lines on a host */
#define TICK_MS		500	/* republish timers while a step runs */
#define REMOTE_Q_MAX	5000	/* journal lines kept for a silent host */

struct var {
	char	*k;
	char	*v;
};

struct step_rt {
	enum step_state state;
	int64_t	 started_at;	/* wall ms */
	int64_t	 started_mono;
	int64_t	 duration_ms;
	char	*message;
	char	*command;	/* the plan text */
	int	 attempts;
};

struct flow_ctx {
	struct engine	*en;
	const struct config *c;
	const struct flow_def *def;
	struct journal	*j;
	char		 id[96];
	int		 dry_run;
	volatile int	 cancel;
	int64_t		 started_at;	/* wall ms of the flow's start */
	int64_t		 rto_start;	/* wall ms of the RTO clock's start */
	int64_t		 prior_ms;	/* flow time before a resume */
	int64_t		 mono_start;
	struct var	*vars;
	size_t		 n_vars;
	struct transport *t[FH_N];
	int		 reach[FH_N];	/* -1 untried, 0 no, 1 yes */
	char		 unreach[FH_N][ERR_LEN];
	int		 locked[FH_N];
	struct step_rt	*rt;		/* n_steps + n_safe */
	size_t		 cur;
	int		 in_safe;	/* running the safe-state steps */
	struct buf	 say;
	struct buf	 out;
	char		*prompt;
	char		*expect;
	char		*answer;
	char		*report_path;
	struct strv	 remote_q[FH_N];	/* journal lines not yet on each
					   host */
	int		 progress_written;
	int		 started_work;	/* a step past the locks ran */
	char		*changed;	/* the hosts changed under a prompt */
};

struct engine {
	pthread_t	 th;
	int		 th_started;
	struct flow_ctx	 x;
	struct hub	*hub;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	/* answers: one slot, for the prompt of number prompt_seq */
	char		*ans;
	uint64_t	 ans_seq;
	uint64_t	 prompt_seq;
	int		 prompting;
	/* the worker */
	int		 work_done;
	int		 work_rc;
	struct err	 work_err;
	/* options */
	struct strv	 yes;
	int		 yes_all;
	int		 resume;
	int		 abort_interrupted;
	int		 abort_req;	/* engine_abort() was called */
	/* the end */
	int		 finished;	/* 1 done, -1 failed / aborted */
	struct flow_view view;		/* latest, for engine_view() */
};

static const char *
state_name(enum step_state s)
{
	switch (s) {
	case STEP_PENDING:	return "pending";
	case STEP_CONFIRM:	return "confirm";
	case STEP_RUNNING:	return "running";
	case STEP_STILL_RUNNING: return "still-running";
	case STEP_DONE:		return "done";
	case STEP_FAILED:	return "failed";
	case STEP_SKIPPED:	return "skipped";
	}
	return "?";
}

static enum step_state
state_parse_name(const char *s)
{
	int i;

	for (i = STEP_PENDING; i <= STEP_SKIPPED; i++)
		if (strcmp(s, state_name((enum step_state)i)) == 0)
			return (enum step_state)i;
	return STEP_PENDING;
}

static size_t
n_all(const struct flow_ctx *x)
{
	return x->def->n_steps + x->def->n_safe;
}

static const struct flow_step *
step_at(const struct flow_ctx *x, size_t i)
{
	if (i < x->def->n_steps)
		return x->def->steps[i];
	return x->def->safe[i - x->def->n_steps];
}

/* ---- the context API for steps ---- */

const struct config *
flow_config(const struct flow_ctx *x)
{
	return x->c;
}

const struct host_cfg *
flow_host_cfg(const struct flow_ctx *x, enum flow_host h)
{
	return h == FH_PRIMARY ? config_primary(x->c) : config_backup(x->c);
}

struct journal *
flow_journal(const struct flow_ctx *x)
{
	return x->j;
}

const char *
flow_id(const struct flow_ctx *x)
{
	return x->id;
}

int
flow_is_drill(const struct flow_ctx *x)
{
	return x->def->drill;
}

int
flow_is_dry_run(const struct flow_ctx *x)
{
	return x->dry_run;
}

volatile int *
flow_cancel_flag(struct flow_ctx *x)
{
	return &x->cancel;
}

int64_t
flow_rto_start(const struct flow_ctx *x)
{
	return x->rto_start;
}

void
flow_set_rto_start(struct flow_ctx *x, int64_t wall_ms)
{
	pthread_mutex_lock(&x->en->mu);
	x->rto_start = wall_ms;
	pthread_mutex_unlock(&x->en->mu);
	flow_var_set_int(x, "rto_start", wall_ms);
}

void *
flow_user(const struct flow_ctx *x)
{
	return x->def->user;
}

void
flow_say(struct flow_ctx *x, const char *fmt, ...)
{
	va_list ap;
	char line[1024];

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&x->en->mu);
	buf_reset(&x->say);
	buf_puts(&x->say, line);
	pthread_mutex_unlock(&x->en->mu);
}

void
flow_out(struct flow_ctx *x, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	s = xmalloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&x->en->mu);
	buf_puts(&x->out, s);
	if (n == 0 || s[n - 1] != '\n')
		buf_putc(&x->out, '\n');
	/* Keep the buffer bounded: only the tail is ever used. */
	if (x->out.len > 4 * TAIL_MAX) {
		size_t cut = x->out.len - 2 * TAIL_MAX;

		memmove(x->out.s, x->out.s + cut, x->out.len - cut + 1);
		x->out.len -= cut;
	}
	pthread_mutex_unlock(&x->en->mu);
	free(s);
}

void
flow_prompt(struct flow_ctx *x, const char *word, const char *fmt, ...)
{
	va_list ap;
	char line[1024], *nw = xstrdup0(word);

	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&x->en->mu);
	free(x->prompt);
	free(x->expect);
	x->prompt = xstrdup(line);
	x->expect = nw;
	pthread_mutex_unlock(&x->en->mu);
}

const char *
flow_answer(const struct flow_ctx *x)
{
	return x->answer != NULL ? x->answer : "";
}

void
flow_var_set(struct flow_ctx *x, const char *key, const char *val)
{
	size_t i;

	pthread_mutex_lock(&x->en->mu);
	for (i = 0; i < x->n_vars; i++)
		if (strcmp(x->vars[i].k, key) == 0)
			break;
	if (i == x->n_vars) {
		x->vars = xreallocarray(x->vars, x->n_vars + 1,
		    sizeof *x->vars);
		x->vars[i].k = xstrdup(key);
		x->vars[i].v = NULL;
		x->n_vars++;
	}
	free(x->vars[i].v);
	x->vars[i].v = xstrdup(val != NULL ? val : "");
	pthread_mutex_unlock(&x->en->mu);
}

void
flow_var_set_int(struct flow_ctx *x, const char *key, int64_t v)
{
	char b[32];

	snprintf(b, sizeof b, "%lld", (long long)v);
	flow_var_set(x, key, b);
}

const char *
flow_var(const struct flow_ctx *x, const char *key)
{
	size_t i;

	for (i = 0; i < x->n_vars; i++)
		if (strcmp(x->vars[i].k, key) == 0)
			return x->vars[i].v;
	return NULL;
}

int64_t
flow_var_int(const struct flow_ctx *x, const char *key, int64_t def)
{
	const char *v = flow_var(x, key);
	char *end;
	long long n;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno != 0 || *end != '\0')
		return def;
	return (int64_t)n;
}

const char *
flow_var_at(const struct flow_ctx *x, size_t i, const char **val)
{
	if (i >= x->n_vars)
		return NULL;
	*val = x->vars[i].v;
	return x->vars[i].k;
}

size_t
flow_n_results(const struct flow_ctx *x)
{
	return x->in_safe ? n_all(x) : x->def->n_steps;
}

void
flow_result(const struct flow_ctx *x, size_t i, struct flow_step_result *out)
{
	const struct flow_step *s = step_at(x, i);
	const struct step_rt *rt = &x->rt[i];

	out->id = s->id;
	out->title = s->title;
	out->section = s->section;
	out->state = state_name(rt->state);
	out->duration_ms = rt->duration_ms;
	out->started_at = rt->started_at;
	out->message = rt->message != NULL ? rt->message : "";
}

void
flow_set_report_path(struct flow_ctx *x, const char *path)
{
	pthread_mutex_lock(&x->en->mu);
	free(x->report_path);
	x->report_path = xstrdup0(path);
	pthread_mutex_unlock(&x->en->mu);
	flow_var_set(x, "report_path", path);
}

/* ---- hosts (the transport cache; used by flow-common.c too) ---- */

struct transport *
flow_host(struct flow_ctx *x, enum flow_host h, struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	int64_t to;

	if (hc == NULL) {
		err_set(e, "no %s host in %s", h == FH_PRIMARY ? "primary" :
		    "backup", x->c->path != NULL ? x->c->path : "the config");
		return NULL;
	}
	if (x->t[h] != NULL)
		return x->t[h];
	if (x->reach[h] == 0) {
		err_set(e, "%s", x->unreach[h]);
		return NULL;
	}
	to = hc->ssh.connect_timeout > 0 ? hc->ssh.connect_timeout * 1000 :
	    10000;
	if (transport_open(hc, to, &x->t[h], e) != 0) {
		x->t[h] = NULL;
		x->reach[h] = 0;
		snprintf(x->unreach[h], sizeof x->unreach[h], "%s", e->msg);
		return NULL;
	}
	transport_set_cancel(x->t[h], &x->cancel);
	x->reach[h] = 1;
	return x->t[h];
}

int
flow_host_retry(struct flow_ctx *x, enum flow_host h, int64_t timeout_ms,
    struct err *e)
{
	const struct host_cfg *hc = flow_host_cfg(x, h);
	struct host_state st;

	if (hc == NULL)
		return 0;
	if (x->t[h] != NULL) {
		/* Already open: does it still answer? */
		if (state_read(x->t[h], &st, timeout_ms, e) == 0) {
			host_state_free(&st);
			return 1;
		}
		transport_close(x->t[h]);
		x->t[h] = NULL;
	}
	x->reach[h] = -1;
	if (transport_open(hc, timeout_ms, &x->t[h], e) != 0) {
		x->t[h] = NULL;
		x->reach[h] = 0;
		snprintf(x->unreach[h], sizeof x->unreach[h], "%s", e->msg);
		return 0;
	}
	transport_set_cancel(x->t[h], &x->cancel);
	/* An open session is not enough: a stopped host may accept TCP. */
	if (state_read(x->t[h], &st, timeout_ms, e) != 0) {
		transport_close(x->t[h]);
		x->t[h] = NULL;
		x->reach[h] = 0;
		snprintf(x->unreach[h], sizeof x->unreach[h], "%s", e->msg);
		return 0;
	}
	host_state_free(&st);
	x->reach[h] = 1;
	return 1;
}

int
flow_host_reachable(const struct flow_ctx *x, enum flow_host h)
{
	return x->reach[h];
}

/* A call through a host failed in a way that says it no longer answers. */
void
flow_host_lost(struct flow_ctx *x, enum flow_host h, const char *why)
{
	if (x->t[h] != NULL) {
		transport_close(x->t[h]);
		x->t[h] = NULL;
	}
	x->reach[h] = 0;
	snprintf(x->unreach[h], sizeof x->unreach[h], "%s", why);
}

/* ---- the view ---- */

static char *
tail_of(const struct buf *b)
{
	const char *s = buf_str(b);

	if (b->len > TAIL_MAX)
		s += b->len - TAIL_MAX;
	return xstrdup(s);
}

/* Build the view; engine mutex held. */
static void
view_build(struct engine *en, struct flow_view *v)
{
	struct flow_ctx *x = &en->x;
	size_t i, n = x->in_safe ? n_all(x) : x->def->n_steps;
	int64_t now = clock_mono_ms();

	memset(v, 0, sizeof *v);
	v->active = 1;
	v->name = xstrdup(x->def->name);
	v->id = xstrdup(x->id);
	v->n_steps = n;
	v->steps = xcalloc(n ? n : 1, sizeof *v->steps);
	for (i = 0; i < n; i++) {
		const struct flow_step *s = step_at(x, i);
		const struct step_rt *rt = &x->rt[i];
		struct flow_step_view *sv = &v->steps[i];

		sv->id = xstrdup(s->id);
		sv->title = xstrdup(s->title);
		sv->section = xstrdup0(s->section);
		sv->why = xstrdup0(s->why);
		sv->state = rt->state;
		sv->duration_ms = rt->duration_ms;
		if ((rt->state == STEP_RUNNING ||
		    rt->state == STEP_STILL_RUNNING) && rt->started_mono > 0)
			sv->duration_ms = now - rt->started_mono;
		sv->command = xstrdup0(rt->command);
		if (i == x->cur && x->say.len > 0 &&
		    rt->state != STEP_DONE && rt->state != STEP_SKIPPED &&
		    rt->state != STEP_FAILED)
			sv->message = xstrdup(buf_str(&x->say));
		else
			sv->message = xstrdup0(rt->message);
	}
	v->current = x->cur;
	v->started_at = x->rto_start;
	v->rto_target_ms = x->c->drill.target_rto * 1000;
	if (en->prompting) {
		v->prompt = xstrdup0(x->prompt);
		v->expect = xstrdup0(x->expect);
	}
	v->output_tail = tail_of(&x->out);
	v->finished = en->finished;
	v->report_path = xstrdup0(x->report_path);
	v->prompt_seq = en->prompt_seq;
	v->dry_run = x->dry_run;
	v->flow_ms = x->prior_ms + (now - x->mono_start);
	v->rto_ms = clock_wall_ms() - x->rto_start;
}

static void
publish(struct engine *en)
{
	struct flow_view v, mine;

	pthread_mutex_lock(&en->mu);
	view_build(en, &v);
	flow_view_free(&en->view);
	flow_view_copy(&mine, &v);
	en->view = mine;
	pthread_cond_broadcast(&en->cv);
	pthread_mutex_unlock(&en->mu);
	if (en->hub != NULL)
		hub_publish_flow(en->hub, &v);
	else
		flow_view_free(&v);
}

/* ---- the journal: local, and queued for the hosts ---- */

static void
jlog(struct flow_ctx *x, const char *step, const char *action, int rc,
    int64_t duration_ms, const char *msg)
{
	struct journal_event ev;
	struct err e = { "" };
	char *line;
	int h;

	if (x->dry_run)
		return;
	memset(&ev, 0, sizeof ev);
	ev.ts = clock_wall_ms();
	ev.actor = (char *)os_actor();
	ev.kind = JK_STEP;
	ev.workflow = x->id;
	ev.step = (char *)step;
	ev.action = (char *)action;
	ev.rc = rc;
	ev.duration_ms = duration_ms;
	ev.message = (char *)msg;
	if (x->j != NULL && journal_append(x->j, &ev, &e) != 0)
		flow_out(x, "journal: %s", e.msg);
	line = journal_format_line(&ev);
	for (h = 0; h < FH_N; h++)
		if (flow_host_cfg(x, (enum flow_host)h) != NULL &&
		    x->remote_q[h].n < REMOTE_Q_MAX)
			strv_push(&x->remote_q[h], line);
	free(line);
}

/* Append the queued lines to <state>/journal.jsonl on each reachable
 * host.  Engine thread, between steps.  A host that does not take them
 * (or does not answer now) keeps its lines for a later flush: a host that
 * comes back gets the whole record. */
static void
remote_flush(struct flow_ctx *x)
{
	size_t i;
	int h;

	if (x->dry_run)
		return;
	for (h = 0; h < FH_N; h++) {
		const struct host_cfg *hc = flow_host_cfg(x, (enum flow_host)h);
		struct buf all = { 0 };
		struct exec_result r;
		struct err e = { "" };
		int failed = 0;

		if (hc == NULL || x->t[h] == NULL || hc->state == NULL ||
		    x->remote_q[h].n == 0)
			continue;
		for (i = 0; i < x->remote_q[h].n; i++) {
			buf_puts(&all, x->remote_q[h].v[i]);
			buf_putc(&all, '\n');
		}
		memset(&r, 0, sizeof r);
		if (hc->shell == HOST_SHELL_SH) {
			const char *argv[] = { "sh", "-c",
			    "umask 077 && mkdir -p \"$1\" && "
			    "cat >> \"$1/journal.jsonl\"", "sh", hc->state,
			    NULL };

			if (transport_exec(x->t[h], argv, all.s, all.len,
			    REMOTE_TIMEOUT, &r, &e) != 0 || !exec_ok(&r))
				failed = 1;
			exec_result_free(&r);
		} else {
			/* PowerShell hosts: read, add, write atomically. */
			char *old = NULL, *path;
			size_t len = 0;
			struct buf nb = { 0 };

			path = xasprintf("%s\\journal.jsonl", hc->state);
			if (transport_read_file(x->t[h], path, 16 << 20, &old,
			    &len, REMOTE_TIMEOUT, &e) == 0)
				buf_append(&nb, old, len);
			buf_append(&nb, all.s, all.len);
			if (transport_write_file(x->t[h], path, nb.s, nb.len,
			    0600, REMOTE_TIMEOUT, &e) != 0)
				failed = 1;
			free(old);
			buf_free(&nb);
			free(path);
		}
		buf_free(&all);
		if (!failed)
			strv_free(&x->remote_q[h]);
	}
}

/* ---- progress file ---- */

static char *
progress_path(const struct config *c)
{
	return xasprintf("%s/%s", c->state_dir, PROGRESS_FILE);
}

static int
progress_write(struct flow_ctx *x, struct err *e)
{
	cJSON *root, *steps, *vars;
	char *s, *path;
	size_t i;
	int rc;

	if (x->dry_run)
		return 0;
	root = cJSON_CreateObject();
	cJSON_AddNumberToObject(root, "version", 1);
	cJSON_AddStringToObject(root, "flow", x->def->name);
	cJSON_AddStringToObject(root, "id", x->id);
	cJSON_AddNumberToObject(root, "pid", (double)getpid());
	cJSON_AddStringToObject(root, "machine", os_hostname());
	cJSON_AddStringToObject(root, "actor", os_actor());
	cJSON_AddNumberToObject(root, "started_at", (double)x->started_at);
	cJSON_AddNumberToObject(root, "rto_start", (double)x->rto_start);
	cJSON_AddNumberToObject(root, "flow_ms", (double)(x->prior_ms +
	    clock_mono_ms() - x->mono_start));
	cJSON_AddNumberToObject(root, "current", (double)x->cur);
	steps = cJSON_AddArrayToObject(root, "steps");
	pthread_mutex_lock(&x->en->mu);
	for (i = 0; i < x->def->n_steps; i++) {
		cJSON *o = cJSON_CreateObject();
		const struct step_rt *rt = &x->rt[i];

		cJSON_AddStringToObject(o, "id", x->def->steps[i]->id);
		cJSON_AddStringToObject(o, "state", state_name(rt->state));
		cJSON_AddNumberToObject(o, "started_at",
		    (double)rt->started_at);
		cJSON_AddNumberToObject(o, "duration_ms",
		    (double)rt->duration_ms);
		cJSON_AddStringToObject(o, "message",
		    rt->message != NULL ? rt->message : "");
		cJSON_AddItemToArray(steps, o);
	}
	vars = cJSON_AddObjectToObject(root, "vars");
	for (i = 0; i < x->n_vars; i++)
		cJSON_AddStringToObject(vars, x->vars[i].k, x->vars[i].v);
	pthread_mutex_unlock(&x->en->mu);
	s = cJSON_Print(root);
	cJSON_Delete(root);
	path = progress_path(x->c);
	rc = os_write_file_atomic(path, s, strlen(s), 0600, e);
	if (rc != 0)
		err_prefix(e, "saving the flow's progress");
	else
		x->progress_written = 1;
	free(s);
	free(path);
	return rc;
}

struct progress {
	char	*flow;
	char	*id;
	long	 pid;
	char	*machine;
	char	*actor;
	int64_t	 started_at;
	int64_t	 rto_start;
	int64_t	 flow_ms;
	cJSON	*root;
};

static void
progress_free(struct progress *p)
{
	free(p->flow);
	free(p->id);
	free(p->machine);
	free(p->actor);
	cJSON_Delete(p->root);
	memset(p, 0, sizeof *p);
}

static const char *
jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int64_t
jnum(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

/* 1 loaded, 0 no file, -1 unreadable. */
static int
progress_read(const struct config *c, struct progress *p, struct err *e)
{
	char *path = progress_path(c), *data = NULL;
	FILE *f;
	long len;
	int rc = -1;

	memset(p, 0, sizeof *p);
	f = fopen(path, "rb");
	if (f == NULL) {
		rc = errno == ENOENT ? 0 : err_set(e, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 ||
	    len > (1 << 22) || fseek(f, 0, SEEK_SET) != 0) {
		err_set(e, "%s: cannot read it", path);
		fclose(f);
		goto out;
	}
	data = xmalloc((size_t)len + 1);
	if (fread(data, 1, (size_t)len, f) != (size_t)len) {
		err_set(e, "%s: short read", path);
		fclose(f);
		goto out;
	}
	data[len] = '\0';
	fclose(f);
	p->root = cJSON_Parse(data);
	if (p->root == NULL || jstr(p->root, "flow") == NULL ||
	    jstr(p->root, "id") == NULL) {
		err_set(e, "%s: not a drdeck flow progress file (expected "
		    "JSON with \"flow\" and \"id\")", path);
		goto out;
	}
	p->flow = xstrdup(jstr(p->root, "flow"));
	p->id = xstrdup(jstr(p->root, "id"));
	p->machine = xstrdup0(jstr(p->root, "machine"));
	p->actor = xstrdup0(jstr(p->root, "actor"));
	p->pid = (long)jnum(p->root, "pid");
	p->started_at = jnum(p->root, "started_at");
	p->rto_start = jnum(p->root, "rto_start");
	p->flow_ms = jnum(p->root, "flow_ms");
	rc = 1;
out:
	if (rc < 0)
		progress_free(p);
	free(data);
	free(path);
	return rc;
}

/* Restore the steps and variables of a loaded progress into x. */
static int
progress_apply(struct flow_ctx *x, const struct progress *p, struct err *e)
{
	const cJSON *steps = cJSON_GetObjectItemCaseSensitive(p->root,
	    "steps");
	const cJSON *vars = cJSON_GetObjectItemCaseSensitive(p->root, "vars");
	const cJSON *it;
	size_t i;

	snprintf(x->id, sizeof x->id, "%s", p->id);
	x->started_at = p->started_at;
	x->rto_start = p->rto_start > 0 ? p->rto_start : p->started_at;
	x->prior_ms = p->flow_ms;
	cJSON_ArrayForEach(it, steps) {
		const char *id = jstr(it, "id"), *st = jstr(it, "state");

		if (id == NULL || st == NULL)
			continue;
		for (i = 0; i < x->def->n_steps; i++)
			if (strcmp(x->def->steps[i]->id, id) == 0)
				break;
		if (i == x->def->n_steps)
			return err_set(e, "the interrupted %s names a step "
			    "'%s' this drdeck does not know", p->flow, id);
		x->rt[i].state = state_parse_name(st);
		x->rt[i].started_at = jnum(it, "started_at");
		x->rt[i].duration_ms = jnum(it, "duration_ms");
		free(x->rt[i].message);
		x->rt[i].message = xstrdup0(jstr(it, "message"));
	}
	cJSON_ArrayForEach(it, vars)
		if (cJSON_IsString(it))
			flow_var_set(x, it->string, it->valuestring);
	return 0;
}

/* The flow ended: keep its progress under flows/<id>.json. */
static void
progress_retire(struct flow_ctx *x)
{
	char *path, *dir, *to;
	struct err e = { "" };

	if (x->dry_run || !x->progress_written)
		return;
	(void)progress_write(x, &e);
	path = progress_path(x->c);
	dir = xasprintf("%s/flows", x->c->state_dir);
	to = xasprintf("%s/%s.json", dir, x->id);
	if (os_mkdir_p(dir, 0700, &e) != 0 || rename(path, to) != 0)
		(void)unlink(path);
	free(path);
	free(dir);
	free(to);
}

int
engine_interrupted(const struct config *c, char *flow, size_t flow_len,
    char *id, size_t id_len)
{
	struct progress p;
	struct err e = { "" };
	int rc;

	if (c->state_dir == NULL)
		return 0;
	if (progress_read(c, &p, &e) != 1)
		return 0;
	/* A flow still running in a live process is not interrupted. */
	rc = !(p.machine != NULL && strcmp(p.machine, os_hostname()) == 0 &&
	    p.pid > 0 && p.pid != (long)getpid() && os_pid_alive(p.pid));
	if (flow != NULL)
		snprintf(flow, flow_len, "%s", p.flow);
	if (id != NULL)
		snprintf(id, id_len, "%s", p.id);
	progress_free(&p);
	return rc;
}

/* ---- answers ---- */

void
engine_abort(struct engine *en)
{
	pthread_mutex_lock(&en->mu);
	en->abort_req = 1;
	en->x.cancel = 1;
	if (en->prompting) {
		free(en->ans);
		en->ans = xstrdup("abort");
		en->ans_seq = en->prompt_seq;
	}
	pthread_cond_broadcast(&en->cv);
	pthread_mutex_unlock(&en->mu);
}

void
engine_answer(struct engine *en, const char *text)
{
	pthread_mutex_lock(&en->mu);
	if (en->prompting) {
		free(en->ans);
		en->ans = xstrdup(text != NULL ? text : "");
		en->ans_seq = en->prompt_seq;
		pthread_cond_broadcast(&en->cv);
	}
	pthread_mutex_unlock(&en->mu);
}

static void
trim(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	while (*s != '\0' && isspace((unsigned char)*s))
		memmove(s, s + 1, strlen(s));
}

/* Does ans match one of the '|'-separated words? */
static int
word_match(const char *expect, const char *ans)
{
	const char *p = expect, *bar;
	size_t n;

	for (;;) {
		bar = strchr(p, '|');
		n = bar != NULL ? (size_t)(bar - p) : strlen(p);
		if (n > 0 && strlen(ans) == n && strncasecmp(p, ans, n) == 0)
			return 1;
		if (bar == NULL)
			return 0;
		p = bar + 1;
	}
}

/* Post the prompt held in x->prompt / x->expect and wait for the answer.
 * Returns the answer (owned by the caller, trimmed). */
static char *
ask(struct engine *en)
{
	char *a;
	uint64_t seq;

	pthread_mutex_lock(&en->mu);
	seq = ++en->prompt_seq;
	en->prompting = 1;
	free(en->ans);
	en->ans = en->abort_req ? xstrdup("abort") : NULL;
	en->ans_seq = seq;
	pthread_mutex_unlock(&en->mu);
	publish(en);
	pthread_mutex_lock(&en->mu);
	while (en->ans == NULL || en->ans_seq != seq)
		pthread_cond_wait(&en->cv, &en->mu);
	a = en->ans;
	en->ans = NULL;
	en->prompting = 0;
	pthread_mutex_unlock(&en->mu);
	trim(a);
	publish(en);
	return a;
}

/* word and text may be the current prompt's own strings. */
static void
set_prompt(struct flow_ctx *x, const char *word, const char *text)
{
	char *np = xstrdup(text), *nw = xstrdup0(word);

	pthread_mutex_lock(&x->en->mu);
	free(x->prompt);
	free(x->expect);
	x->prompt = np;
	x->expect = nw;
	pthread_mutex_unlock(&x->en->mu);
}

static void
clear_prompt(struct flow_ctx *x)
{
	pthread_mutex_lock(&x->en->mu);
	free(x->prompt);
	free(x->expect);
	x->prompt = x->expect = NULL;
	pthread_mutex_unlock(&x->en->mu);
}

/* A choice among words ("retry|skip|abort"): loops until one matches
 * (its first letter also does).  Returns the full word (static). */
static const char *
ask_choice(struct engine *en, const char *words, const char *text)
{
	static const char *const all[] = { "retry", "skip", "abort", "wait",
	    NULL };
	char *a;
	const char *pick;
	int i;

	for (;;) {
		set_prompt(&en->x, words, text);
		a = ask(en);
		pick = NULL;
		for (i = 0; all[i] != NULL; i++)
			if (strstr(words, all[i]) != NULL &&
			    (strcasecmp(a, all[i]) == 0 ||
			    (strlen(a) == 1 && tolower((unsigned char)a[0]) ==
			    all[i][0])))
				pick = all[i];
		jlog(&en->x, step_at(&en->x, en->x.cur)->id, "answer", 0, -1,
		    a);
		free(a);
		if (pick != NULL) {
			clear_prompt(&en->x);
			return pick;
		}
	}
}

/* ---- the worker ---- */

struct work {
	struct engine *en;
	int (*fn)(struct flow_ctx *, struct err *);
};

static void *
work_main(void *arg)
{
	struct work *w = arg;
	struct engine *en = w->en;
	struct err e = { "" };
	int rc;

	rc = w->fn(&en->x, &e);
	pthread_mutex_lock(&en->mu);
	en->work_rc = rc;
	en->work_err = e;
	en->work_done = 1;
	pthread_cond_broadcast(&en->cv);
	pthread_mutex_unlock(&en->mu);
	return NULL;
}

#define CALL_ABORTED (-2)

/*
 * Run fn on a worker, bounded by the step's timeout: past it the step is
 * STILL_RUNNING and the operator says wait (another timeout) or abort
 * (cancel, wait for the worker to return).  Returns fn's value, or
 * CALL_ABORTED.
 */
static int
call(struct engine *en, int (*fn)(struct flow_ctx *, struct err *),
    struct err *e)
{
	struct flow_ctx *x = &en->x;
	const struct flow_step *s = step_at(x, x->cur);
	struct step_rt *rt = &x->rt[x->cur];
	struct work w = { en, fn };
	pthread_t th;
	int64_t deadline, to = s->timeout_ms;
	int rc, aborted = 0;
	uint64_t seq = 0;
	struct timespec ts;

	if (fn == NULL)
		return 0;
	pthread_mutex_lock(&en->mu);
	en->work_done = 0;
	pthread_mutex_unlock(&en->mu);
	if (pthread_create(&th, NULL, work_main, &w) != 0)
		return err_set(e, "cannot start a worker thread");
	deadline = to > 0 ? clock_mono_ms() + to : INT64_MAX;
	pthread_mutex_lock(&en->mu);
	for (;;) {
		if (en->work_done)
			break;
		if (en->abort_req && !aborted && !en->x.in_safe) {
			x->cancel = 1;
			aborted = 1;
		}
		if (en->prompting && en->ans != NULL && en->ans_seq == seq) {
			char *a = en->ans;

			en->ans = NULL;
			en->prompting = 0;
			trim(a);
			if (strcasecmp(a, "abort") == 0 || strcasecmp(a,
			    "a") == 0) {
				x->cancel = 1;
				aborted = 1;
				rt->state = STEP_RUNNING;
			} else if (strcasecmp(a, "wait") == 0 ||
			    strcasecmp(a, "w") == 0) {
				deadline = clock_mono_ms() + (to > 0 ? to :
				    60000);
				rt->state = STEP_RUNNING;
			} else {
				en->prompting = 1;	/* not a choice */
			}
			free(a);
			pthread_mutex_unlock(&en->mu);
			publish(en);
			pthread_mutex_lock(&en->mu);
			continue;
		}
		if (!aborted && !en->prompting && clock_mono_ms() >=
		    deadline) {
			char msg[512], d[32];

			rt->state = STEP_STILL_RUNNING;
			free(x->prompt);
			free(x->expect);
			fmt_duration(to / 1000, d, sizeof d);
			snprintf(msg, sizeof msg, "\"%s\" is past its %s and "
			    "still running (it may still succeed): wait, or "
			    "abort it?", s->title, d);
			x->prompt = xstrdup(msg);
			x->expect = xstrdup("wait|abort");
			seq = ++en->prompt_seq;
			en->prompting = 1;
			free(en->ans);
			en->ans = NULL;
			pthread_mutex_unlock(&en->mu);
			jlog(x, s->id, "step.still_running", 0,
			    clock_mono_ms() - rt->started_mono, msg);
			publish(en);
			pthread_mutex_lock(&en->mu);
			continue;
		}
		clock_abs_timespec(CLOCK_REALTIME, TICK_MS, &ts);
		(void)pthread_cond_timedwait(&en->cv, &en->mu, &ts);
		pthread_mutex_unlock(&en->mu);
		publish(en);
		pthread_mutex_lock(&en->mu);
	}
	rc = en->work_rc;
	if (rc != 0)
		*e = en->work_err;
	if (en->prompting) {
		en->prompting = 0;
		free(x->prompt);
		free(x->expect);
		x->prompt = x->expect = NULL;
	}
	pthread_mutex_unlock(&en->mu);
	pthread_join(th, NULL);
	if (aborted) {
		x->cancel = 0;
		return CALL_ABORTED;
	}
	if (en->abort_req && !x->in_safe)
		return CALL_ABORTED;
	return rc;
}

/* ---- binding the action to the state the operator saw ---- */

struct seen {
	int	 reach[FH_N];
	int	 role[FH_N];
	int64_t	 epoch[FH_N];
	int	 fenced[FH_N];
};

static void
seen_take(struct flow_ctx *x, struct seen *sn)
{
	struct host_state st;
	struct err e = { "" };
	int h;
	int64_t to = x->c->probe_timeout > 0 ? x->c->probe_timeout * 1000 :
	    5000;

	memset(sn, 0, sizeof *sn);
	for (h = 0; h < FH_N; h++) {
		sn->role[h] = -1;
		sn->epoch[h] = -1;
		sn->reach[h] = flow_host_retry(x, (enum flow_host)h, to, &e);
		if (!sn->reach[h])
			continue;
		if (state_read(x->t[h], &st, to, &e) != 0)
			continue;
		sn->role[h] = (int)st.role;
		sn->epoch[h] = st.epoch;
		sn->fenced[h] = st.fenced;
		host_state_free(&st);
	}
}

/* What changed, as a line for the operator; "" when nothing did. */
static void
seen_diff(const struct flow_ctx *x, const struct seen *a,
    const struct seen *b, char *buf, size_t len)
{
	struct buf d = { 0 };
	int h;

	for (h = 0; h < FH_N; h++) {
		const struct host_cfg *hc = flow_host_cfg(x, (enum flow_host)h);
		const char *n = hc != NULL ? hc->name : "?";

		if (a->reach[h] != b->reach[h])
			buf_printf(&d, "%s%s %s", d.len ? "; " : "", n,
			    b->reach[h] ? "answers again" : "stopped "
			    "answering");
		else if (a->role[h] != b->role[h])
			buf_printf(&d, "%s%s role %s -> %s", d.len ? "; " : "",
			    n, a->role[h] < 0 ? "?" :
			    host_role_name((enum host_role)a->role[h]),
			    b->role[h] < 0 ? "?" :
			    host_role_name((enum host_role)b->role[h]));
		else if (a->epoch[h] != b->epoch[h])
			buf_printf(&d, "%s%s epoch %lld -> %lld",
			    d.len ? "; " : "", n, (long long)a->epoch[h],
			    (long long)b->epoch[h]);
		else if (a->fenced[h] != b->fenced[h])
			buf_printf(&d, "%s%s %s", d.len ? "; " : "", n,
			    b->fenced[h] ? "was fenced" : "was unfenced");
	}
	snprintf(buf, len, "%s", buf_str(&d));
	buf_free(&d);
}

/* ---- running steps ---- */

enum next { NEXT_GO, NEXT_ABORT };
enum conf { CONF_GO, CONF_SKIP, CONF_ABORT, CONF_RECHECK };

static int
yes_for(const struct engine *en, const char *id)
{
	size_t i;

	if (en->yes_all)
		return 1;
	for (i = 0; i < en->yes.n; i++)
		if (strcmp(en->yes.v[i], id) == 0)
			return 1;
	return 0;
}

static void
step_end(struct engine *en, enum step_state st, const char *msg)
{
	struct flow_ctx *x = &en->x;
	struct step_rt *rt = &x->rt[x->cur];

	pthread_mutex_lock(&en->mu);
	rt->state = st;
	if (rt->started_mono > 0)
		rt->duration_ms = clock_mono_ms() - rt->started_mono;
	free(rt->message);
	rt->message = xstrdup(msg != NULL && *msg != '\0' ? msg :
	    buf_str(&x->say));
	pthread_mutex_unlock(&en->mu);
}

/* The confirmation of the current step: CONF_GO, CONF_SKIP, CONF_ABORT. */
static int
confirm(struct engine *en, const struct flow_step *s, int again)
{
	struct flow_ctx *x = &en->x;
	struct step_rt *rt = &x->rt[x->cur];
	struct seen before, after;
	char changed[512] = "", *a, *base, *word, *p;
	int typed, text, rc;

	if (x->prompt == NULL && s->prompt != NULL)
		s->prompt(x);
	if (x->prompt == NULL) {
		char d[512];

		snprintf(d, sizeof d, "%s%s?", again ? "It was running when "
		    "drdeck stopped; run it again: " : "Run: ", s->title);
		set_prompt(x, s->confirm == CONFIRM_TYPED ? s->word : NULL, d);
	}
	if (x->changed != NULL) {
		/* Asked again after the hosts changed: say what changed. */
		p = xasprintf("The hosts changed since you were asked (%s): "
		    "look again. %s", x->changed, x->prompt);
		set_prompt(x, x->expect, p);
		free(p);
		free(x->changed);
		x->changed = NULL;
	}
	base = xstrdup(x->prompt);
	word = xstrdup0(x->expect);
	typed = word != NULL;
	text = s->confirm == CONFIRM_TEXT;
	for (;;) {
		if (s->flags & STEP_F_BIND)
			seen_take(x, &before);
		pthread_mutex_lock(&en->mu);
		rt->state = STEP_CONFIRM;
		pthread_mutex_unlock(&en->mu);
		if (!typed && yes_for(en, s->id)) {
			a = xstrdup(text ? "" : "y");
			jlog(x, s->id, "confirm", 0, -1, text ?
			    "(no notes: --yes-to)" : "y (--yes-to)");
		} else {
			a = ask(en);
			jlog(x, s->id, "confirm", 0, -1, a);
		}
		free(x->answer);
		x->answer = a;
		if (text && !en->abort_req)
			rc = CONF_GO;
		else if (strcasecmp(a, "abort") == 0)
			rc = CONF_ABORT;
		else if (typed ? word_match(word, a) :
		    (strcasecmp(a, "y") == 0 || strcasecmp(a, "yes") == 0))
			rc = CONF_GO;
		else if (strcasecmp(a, "n") == 0 || strcasecmp(a, "no") == 0 ||
		    strcasecmp(a, "skip") == 0) {
			if (s->flags & STEP_F_OPTIONAL)
				rc = CONF_SKIP;
			else {
				flow_say(x, "declined by the operator: the "
				    "flow stops here");
				rc = CONF_ABORT;
			}
		} else {
			p = xasprintf("\"%s\" is not the answer. %s", a,
			    base);
			set_prompt(x, word, p);
			free(p);
			continue;
		}
		if (rc == CONF_GO && (s->flags & STEP_F_BIND)) {
			seen_take(x, &after);
			seen_diff(x, &before, &after, changed,
			    sizeof changed);
			if (changed[0] != '\0') {
				/* The step's check runs again on what the
				 * hosts are now, then the operator is asked
				 * again. */
				jlog(x, s->id, "confirm.stale", 0, -1,
				    changed);
				free(x->changed);
				x->changed = xstrdup(changed);
				rc = CONF_RECHECK;
			}
		}
		break;
	}
	clear_prompt(x);
	free(base);
	free(word);
	return rc;
}

/* Run step x->cur to its end.  NEXT_GO or NEXT_ABORT. */
static int
run_step(struct engine *en)
{
	struct flow_ctx *x = &en->x;
	const struct flow_step *s = step_at(x, x->cur);
	struct step_rt *rt = &x->rt[x->cur];
	struct err e = { "" };
	int rc, again = 0;
	char *tail;

	if (rt->state == STEP_DONE || rt->state == STEP_SKIPPED)
		return NEXT_GO;
	if (rt->state == STEP_RUNNING || rt->state == STEP_STILL_RUNNING ||
	    rt->state == STEP_CONFIRM || rt->state == STEP_FAILED)
		again = rt->state != STEP_CONFIRM;
	for (;;) {
		pthread_mutex_lock(&en->mu);
		buf_reset(&x->say);
		buf_reset(&x->out);
		rt->state = STEP_PENDING;
		rt->started_mono = 0;
		pthread_mutex_unlock(&en->mu);
		clear_prompt(x);
		publish(en);
		err_clear(&e);
		rc = call(en, s->check, &e);
		if (rc == CALL_ABORTED) {
			step_end(en, STEP_FAILED, "aborted by the operator");
			jlog(x, s->id, "step.aborted", 1, -1, "check aborted");
			return NEXT_ABORT;
		}
		if (rc == FLOW_SKIP) {
			step_end(en, STEP_SKIPPED, NULL);
			jlog(x, s->id, "step.skipped", 0, -1,
			    buf_str(&x->say));
			goto saved;
		}
		if (rc == 0 && (s->confirm != CONFIRM_NONE || x->prompt !=
		    NULL || again)) {
			rc = confirm(en, s, again);
			if (rc == CONF_RECHECK)
				continue;
			if (rc == CONF_SKIP) {
				step_end(en, STEP_SKIPPED, "skipped by the "
				    "operator");
				jlog(x, s->id, "step.skipped", 0, -1,
				    "skipped by the operator");
				goto saved;
			}
			if (rc == CONF_ABORT) {
				step_end(en, STEP_FAILED, x->say.len ?
				    NULL : "aborted by the operator");
				jlog(x, s->id, "step.aborted", 1, -1,
				    buf_str(&x->say));
				return NEXT_ABORT;
			}
		}
		if (rc == 0) {
			if (!(s->flags & STEP_F_NOLOCK))
				x->started_work = 1;
			pthread_mutex_lock(&en->mu);
			rt->state = STEP_RUNNING;
			rt->started_at = clock_wall_ms();
			rt->started_mono = clock_mono_ms();
			rt->attempts++;
			pthread_mutex_unlock(&en->mu);
			jlog(x, s->id, "step.start", 0, -1, rt->command != NULL &&
			    *rt->command != '\0' ? rt->command : s->title);
			if (x->started_work && progress_write(x, &e) != 0)
				goto failed;
			remote_flush(x);
			publish(en);
			rc = call(en, s->action, &e);
			if (rc == 0)
				rc = call(en, s->verify, &e);
			if (rc == CALL_ABORTED) {
				step_end(en, STEP_FAILED, "aborted by the "
				    "operator while running");
				tail = tail_of(&x->out);
				jlog(x, s->id, "step.aborted", 1,
				    rt->duration_ms, tail);
				free(tail);
				return NEXT_ABORT;
			}
			if (rc == 0) {
				step_end(en, STEP_DONE, NULL);
				tail = tail_of(&x->out);
				{
					char *m = xasprintf("%s%s%s",
					    rt->message, *tail ? "\n" : "",
					    tail);

					jlog(x, s->id, "step.done", 0,
					    rt->duration_ms, m);
					free(m);
				}
				free(tail);
				goto saved;
			}
		}
failed:
		if (e.msg[0] == '\0')
			snprintf(e.msg, sizeof e.msg, "%s", x->say.len ?
			    buf_str(&x->say) : "failed");
		step_end(en, STEP_FAILED, e.msg);
		tail = tail_of(&x->out);
		{
			char *m = xasprintf("%s%s%s", e.msg, *tail ? "\n" :
			    "", tail);

			jlog(x, s->id, "step.failed", 1, rt->duration_ms, m);
			free(m);
		}
		free(tail);
		if (x->started_work)
			(void)progress_write(x, &e);
		remote_flush(x);
		publish(en);
		if (s->on_failure == ONFAIL_ABORT)
			return NEXT_ABORT;
		if (s->on_failure == ONFAIL_RETRY &&
		    rt->attempts <= s->retries) {
			flow_sleep(x, 2000);
			continue;
		}
		{
			char p[1024];
			const char *pick;

			snprintf(p, sizeof p, "\"%s\" failed: %s -- retry, "
			    "skip it, or abort the flow?", s->title,
			    rt->message);
			pick = ask_choice(en, "retry|skip|abort", p);
			if (strcmp(pick, "abort") == 0)
				return NEXT_ABORT;
			if (strcmp(pick, "skip") == 0) {
				char *m = xasprintf("skipped after failing: "
				    "%s", rt->message);

				step_end(en, STEP_SKIPPED, m);
				jlog(x, s->id, "step.skipped", 1, -1, m);
				free(m);
				goto saved;
			}
			again = 0;
			continue;
		}
saved:
		if (x->started_work)
			(void)progress_write(x, &e);
		remote_flush(x);
		publish(en);
		return NEXT_GO;
	}
}

/* Abort: the safe-state steps, best effort, no confirmation. */
static void
run_safe(struct engine *en)
{
	struct flow_ctx *x = &en->x;
	size_t i;
	struct err e;
	int rc;

	jlog(x, NULL, "flow.abort", 1, -1, "running the safe-state steps");
	pthread_mutex_lock(&en->mu);
	x->in_safe = 1;
	x->cancel = 0;
	pthread_mutex_unlock(&en->mu);
	for (i = 0; i < x->def->n_safe; i++) {
		const struct flow_step *s = x->def->safe[i];
		struct step_rt *rt;

		x->cur = x->def->n_steps + i;
		rt = &x->rt[x->cur];
		pthread_mutex_lock(&en->mu);
		buf_reset(&x->say);
		buf_reset(&x->out);
		rt->state = STEP_RUNNING;
		rt->started_at = clock_wall_ms();
		rt->started_mono = clock_mono_ms();
		pthread_mutex_unlock(&en->mu);
		publish(en);
		err_clear(&e);
		rc = call(en, s->check, &e);
		if (rc == FLOW_SKIP) {
			step_end(en, STEP_SKIPPED, NULL);
			jlog(x, s->id, "safe.skipped", 0, -1,
			    buf_str(&x->say));
			continue;
		}
		if (rc == 0)
			rc = call(en, s->action, &e);
		if (rc == 0)
			rc = call(en, s->verify, &e);
		if (rc == 0) {
			step_end(en, STEP_DONE, NULL);
			jlog(x, s->id, "safe.done", 0, x->rt[x->cur].duration_ms,
			    buf_str(&x->say));
		} else {
			step_end(en, STEP_FAILED, e.msg[0] ? e.msg :
			    "failed");
			jlog(x, s->id, "safe.failed", 1,
			    x->rt[x->cur].duration_ms, x->rt[x->cur].message);
		}
		remote_flush(x);
		publish(en);
	}
}

static void
release_locks(struct flow_ctx *x)
{
	struct err e = { "" };
	int h;

	for (h = 0; h < FH_N; h++) {
		if (!x->locked[h] || x->t[h] == NULL)
			continue;
		if (lock_release(x->t[h], REMOTE_TIMEOUT, &e) != 0)
			jlog(x, NULL, "lock.release", 1, -1, e.msg);
		x->locked[h] = 0;
	}
}

/* Mark a host's lock as ours (called by the lock step). */
void
flow_locked(struct flow_ctx *x, enum flow_host h)
{
	x->locked[h] = 1;
}

static void *
engine_main(void *arg)
{
	struct engine *en = arg;
	struct flow_ctx *x = &en->x;
	size_t i;
	int aborted = 0;
	char msg[256];

	if (x->dry_run) {
		pthread_mutex_lock(&en->mu);
		en->finished = 1;
		pthread_mutex_unlock(&en->mu);
		publish(en);
		return NULL;
	}
	if (en->abort_interrupted) {
		jlog(x, NULL, "flow.abort_interrupted", 1, -1,
		    "the operator aborted the interrupted flow");
		aborted = 1;
		for (i = 0; i < x->def->n_steps; i++) {
			if (!(x->def->steps[i]->flags & STEP_F_NOLOCK))
				break;
			x->cur = i;
			if (run_step(en) == NEXT_ABORT)
				goto end;
		}
		x->started_work = 1;
		run_safe(en);
		goto end;
	}
	snprintf(msg, sizeof msg, "%s %s by %s", en->resume ? "resumed" :
	    "started", x->def->name, os_actor());
	jlog(x, NULL, en->resume ? "flow.resume" : "flow.start", 0, -1, msg);
	if (en->resume)
		x->started_work = 1;
	else
		flow_var_set_int(x, "flow_started_at", x->started_at);
	for (i = 0; i < x->def->n_steps; i++) {
		x->cur = i;
		if (run_step(en) == NEXT_ABORT) {
			aborted = 1;
			break;
		}
	}
	if (aborted && x->started_work)
		run_safe(en);
end:
	jlog(x, NULL, aborted ? "flow.aborted" : "flow.done", aborted, 
	    x->prior_ms + clock_mono_ms() - x->mono_start, x->report_path);
	release_locks(x);
	remote_flush(x);
	progress_retire(x);
	pthread_mutex_lock(&en->mu);
	en->finished = aborted ? -1 : 1;
	pthread_mutex_unlock(&en->mu);
	publish(en);
	return NULL;
}

/* ---- start / stop ---- */

static int
parse_yes(struct engine *en, const struct flow_def *def, const char *s,
    struct err *e)
{
	char *dup, *tok, *save = NULL;
	size_t i;
	int rc = 0;

	if (s == NULL || *s == '\0')
		return 0;
	if (strcmp(s, "all") == 0) {
		en->yes_all = 1;
		return 0;
	}
	dup = xstrdup(s);
	for (tok = strtok_r(dup, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		for (i = 0; i < def->n_steps; i++)
			if (strcmp(def->steps[i]->id, tok) == 0)
				break;
		if (i == def->n_steps) {
			struct buf b = { 0 };

			for (i = 0; i < def->n_steps; i++)
				buf_printf(&b, "%s%s", i ? ", " : "",
				    def->steps[i]->id);
			rc = err_set(e, "--yes-to: %s has no step '%s' (its "
			    "steps: %s)", def->name, tok, buf_str(&b));
			buf_free(&b);
			break;
		}
		strv_push(&en->yes, tok);
	}
	free(dup);
	return rc;
}

static void
make_id(struct flow_ctx *x)
{
	struct tm tm;
	time_t t = (time_t)(x->started_at / 1000);

	gmtime_r(&t, &tm);
	snprintf(x->id, sizeof x->id, "%s-%04d%02d%02dT%02d%02d%02dZ-%ld",
	    x->def->name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
	    tm.tm_hour, tm.tm_min, tm.tm_sec, (long)getpid());
}

int
engine_start_def(const struct config *c, struct hub *hub, struct journal *j,
    const struct flow_def *def, const struct engine_opts *o,
    struct engine **out, struct err *e)
{
	struct engine *en;
	struct flow_ctx *x;
	struct progress p;
	size_t i;
	int pr;

	*out = NULL;
	if (o->resume && o->abort_interrupted)
		return err_set(e, "--resume and --abort exclude each other");
	if (c->state_dir == NULL || *c->state_dir == '\0')
		return err_set(e, "%s: no state_dir: drdeck keeps a flow's "
		    "progress there", c->path != NULL ? c->path : "config");
	en = xcalloc(1, sizeof *en);
	pthread_mutex_init(&en->mu, NULL);
	pthread_cond_init(&en->cv, NULL);
	en->hub = hub;
	en->resume = o->resume;
	en->abort_interrupted = o->abort_interrupted;
	x = &en->x;
	x->en = en;
	x->c = c;
	x->def = def;
	x->j = j;
	x->dry_run = o->dry_run;
	x->mono_start = clock_mono_ms();
	x->started_at = clock_wall_ms();
	x->rto_start = o->outage_at > 0 ? o->outage_at : x->started_at;
	for (i = 0; i < FH_N; i++)
		x->reach[i] = -1;
	x->rt = xcalloc(n_all(x) ? n_all(x) : 1, sizeof *x->rt);
	if (parse_yes(en, def, o->yes_to, e) != 0)
		goto fail;
	make_id(x);
	if (!x->dry_run) {
		if (os_mkdir_p(c->state_dir, 0700, e) != 0)
			goto fail;
		pr = progress_read(c, &p, e);
		if (pr < 0)
			goto fail;
		if (pr == 1) {
			int alive = p.machine != NULL &&
			    strcmp(p.machine, os_hostname()) == 0 &&
			    p.pid > 0 && p.pid != (long)getpid() &&
			    os_pid_alive(p.pid);

			if (alive) {
				err_set(e, "a %s (%s) is running now: %s, pid "
				    "%ld; one operator at a time", p.flow,
				    p.id, p.actor != NULL ? p.actor : "?",
				    p.pid);
				progress_free(&p);
				goto fail;
			}
			if (!o->resume && !o->abort_interrupted) {
				err_set(e, "an interrupted %s (%s) is in %s: "
				    "run `drdeck %s --resume` to finish it or "
				    "`drdeck %s --abort` to bring the pair to "
				    "its safe state", p.flow, p.id,
				    c->state_dir, p.flow, p.flow);
				progress_free(&p);
				goto fail;
			}
			if (strcmp(p.flow, def->name) != 0) {
				err_set(e, "the interrupted flow is a %s (%s), "
				    "not a %s: run `drdeck %s %s`", p.flow,
				    p.id, def->name, p.flow, o->resume ?
				    "--resume" : "--abort");
				progress_free(&p);
				goto fail;
			}
			if (progress_apply(x, &p, e) != 0) {
				progress_free(&p);
				goto fail;
			}
			/* The locks are taken again (the dead process's
			 * locks are ours to take over: same flow id). */
			for (i = 0; i < def->n_steps; i++)
				if (def->steps[i]->flags & STEP_F_NOLOCK)
					x->rt[i].state = STEP_PENDING;
			x->progress_written = 1;
			progress_free(&p);
		} else if (o->resume || o->abort_interrupted) {
			err_set(e, "no interrupted flow in %s to %s",
			    c->state_dir, o->resume ? "resume" : "abort");
			goto fail;
		}
	}
	x->cur = 0;
	/* The plan of every step: shown by the runner, printed by
	 * --dry-run. */
	for (i = 0; i < def->n_steps; i++) {
		struct buf b = { 0 };

		if (def->steps[i]->plan != NULL)
			def->steps[i]->plan(x, &b);
		x->rt[i].command = buf_detach(&b);
	}
	publish(en);
	if (pthread_create(&en->th, NULL, engine_main, en) != 0) {
		err_set(e, "cannot start the engine thread");
		goto fail;
	}
	en->th_started = 1;
	*out = en;
	return 0;
fail:
	engine_free(en);
	return -1;
}

int
engine_start(const struct config *c, struct hub *hub, struct journal *j,
    const struct engine_opts *o, struct engine **out, struct err *e)
{
	const struct flow_def *def = flow_find(o->flow != NULL ? o->flow :
	    "");

	*out = NULL;
	if (def == NULL)
		return err_set(e, "no flow '%s' (failover, cutback, drill)",
		    o->flow != NULL ? o->flow : "");
	return engine_start_def(c, hub, j, def, o, out, e);
}

int
engine_wait(struct engine *en)
{
	if (en->th_started) {
		pthread_join(en->th, NULL);
		en->th_started = 0;
	}
	return en->finished == 1 ? 0 : 1;
}

void
engine_view(struct engine *en, struct flow_view *out)
{
	pthread_mutex_lock(&en->mu);
	flow_view_copy(out, &en->view);
	pthread_mutex_unlock(&en->mu);
}

int
engine_wait_prompt(struct engine *en, uint64_t after_seq, int64_t timeout_ms)
{
	struct timespec ts;
	int64_t deadline = clock_mono_ms() + timeout_ms;
	uint64_t seq = 0;

	pthread_mutex_lock(&en->mu);
	for (;;) {
		if (en->prompting && en->prompt_seq > after_seq &&
		    en->ans == NULL) {
			seq = en->prompt_seq;
			break;
		}
		if (en->finished != 0 || clock_left_ms(deadline) <= 0)
			break;
		clock_abs_timespec(CLOCK_REALTIME, 50, &ts);
		(void)pthread_cond_timedwait(&en->cv, &en->mu, &ts);
	}
	pthread_mutex_unlock(&en->mu);
	return seq > 0 ? (int)1 : 0;
}

void
engine_free(struct engine *en)
{
	struct flow_ctx *x;
	size_t i;
	int h;

	if (en == NULL)
		return;
	if (en->th_started) {
		/* Freed while running: abort it and wait for the end. */
		en->x.cancel = 1;
		pthread_mutex_lock(&en->mu);
		while (en->finished == 0) {
			if (en->prompting && en->ans == NULL) {
				en->ans = xstrdup("abort");
				en->ans_seq = en->prompt_seq;
				pthread_cond_broadcast(&en->cv);
			}
			pthread_mutex_unlock(&en->mu);
			usleep(10000);
			pthread_mutex_lock(&en->mu);
		}
		pthread_mutex_unlock(&en->mu);
		pthread_join(en->th, NULL);
	}
	x = &en->x;
	for (h = 0; h < FH_N; h++)
		if (x->t[h] != NULL)
			transport_close(x->t[h]);
	if (x->rt != NULL)
		for (i = 0; i < n_all(x); i++) {
			free(x->rt[i].message);
			free(x->rt[i].command);
		}
	free(x->rt);
	for (i = 0; i < x->n_vars; i++) {
		free(x->vars[i].k);
		free(x->vars[i].v);
	}
	free(x->vars);
	buf_free(&x->say);
	buf_free(&x->out);
	free(x->prompt);
	free(x->expect);
	free(x->answer);
	free(x->report_path);
	free(x->changed);
	for (h = 0; h < FH_N; h++)
		strv_free(&x->remote_q[h]);
	strv_free(&en->yes);
	free(en->ans);
	flow_view_free(&en->view);
	pthread_mutex_destroy(&en->mu);
	pthread_cond_destroy(&en->cv);
	free(en);
}

/* ---- the flows ---- */

const struct flow_def *const flow_table[] = {
	&flow_failover,
	&flow_cutback,
	&flow_drill,
	NULL,
};

const struct flow_def *
flow_find(const char *name)
{
	size_t i;

	for (i = 0; flow_table[i] != NULL; i++)
		if (strcmp(flow_table[i]->name, name) == 0)
			return flow_table[i];
	return NULL;
}
