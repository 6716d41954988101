/*
 * ui.c: the console's loop (tmux server_loop, htop CRT.c).
 *
 * Main thread: poll({stdin, hub wake-up, signal pipe}, ms to the next
 * clock tick); read every key; carry out the requests the keys left in
 * vs.req; draw once from the latest snapshot.  The network is never
 * touched here: the poller's workers probe, the engine runs flows on its
 * thread, and backup / restore now run on a job thread that publishes
 * its progress as a flow view.  The journal tail is read from the local
 * file (bounded, from its end) when the journal screen asks for it.
 * Signals: SIGWINCH comes back from curses as KEY_RESIZE; SIGINT,
 * SIGTERM and SIGHUP end the loop, and the terminal is restored.
 */
#include "ui.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "hub.h"
#include "jobs.h"
#include "journal.h"
#include "poller.h"
#include "view.h"
#include "workflow.h"
#include "xmalloc.h"

#define JOURNAL_TAIL_N	1000
#define JOB_TAIL_MAX	8192

static volatile sig_atomic_t got_signal;
static int sig_pipe[2] = { -1, -1 };

/* Backup / restore now, on a thread of their own. */
struct job_run {
	pthread_t	 thread;
	int		 started;
	int		 restore;	/* 0 backup, 1 restore */
	const struct config *cfg;
	struct journal	*j;
	struct hub	*hub;
	pthread_mutex_t	 mu;
	struct buf	 out;		/* the phase lines so far */
	volatile int	 cancel;
	int64_t		 started_at;	/* wall ms */
	int64_t		 t0;		/* mono ms */
	int		 finished;	/* 1 ok, -1 failed */
	struct job_result r;
	char		 msg[ERR_LEN];
};

struct ui {
	const struct ui_opts *o;
	struct hub	*hub;
	struct poller	*poller;
	struct journal	*journal;
	struct engine	*engine;
	struct job_run	*job;
	struct journal_tail jt;
	int		 jt_loaded;
	int64_t		 jt_at;		/* mono ms of the last load */
	char		 int_flow[64];	/* the interrupted flow found */
	char		 int_id[128];
	int		 quit;
};

static void
on_signal(int sig)
{
	int saved = errno;

	got_signal = sig;
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], "s", 1);
	errno = saved;
}

static int
signals_install(struct err *e)
{
	struct sigaction sa;
	int i;

	if (sig_pipe[0] < 0) {
		if (pipe(sig_pipe) != 0)
			return err_set(e, "console: signal pipe: %s",
			    strerror(errno));
		for (i = 0; i < 2; i++) {
			fcntl(sig_pipe[i], F_SETFL, fcntl(sig_pipe[i],
			    F_GETFL) | O_NONBLOCK);
			fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
		}
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	return 0;
}

int
ui_locale_utf8(void)
{
	const char *cs = nl_langinfo(CODESET);

	return cs != NULL && (strcmp(cs, "UTF-8") == 0 ||
	    strcmp(cs, "utf8") == 0);
}

/* ---- backup / restore now ---- */

static void
job_publish(struct job_run *jr)
{
	struct flow_view fv;
	struct flow_step_view *st;
	const char *s;

	memset(&fv, 0, sizeof fv);
	fv.active = 1;
	fv.name = xstrdup(jr->restore ? "restore now" : "backup now");
	fv.id = xstrdup("job");
	fv.steps = xcalloc(1, sizeof *fv.steps);
	fv.n_steps = 1;
	st = &fv.steps[0];
	st->id = xstrdup(jr->restore ? "restore" : "backup");
	st->title = xstrdup(jr->restore ? "Staged restore of the newest "
	    "verified dump on the backup" : "Dump, verify and ship the "
	    "primary's database");
	st->section = xstrdup(jr->restore ? "\xc2\xa7" "2.1, \xc2\xa7" "3.2" :
	    "\xc2\xa7" "2.1, \xc2\xa7" "3.1");
	st->why = xstrdup(jr->restore ? "Brings the backup's data up to the "
	    "newest dump now instead of at the next scheduled slot." :
	    "A fresh dump now shortens the exposure instead of waiting for "
	    "the next scheduled slot.");
	st->command = xstrdup(jr->restore ? "drdeck restore --latest" :
	    "drdeck backup");
	pthread_mutex_lock(&jr->mu);
	st->state = jr->finished > 0 ? STEP_DONE : jr->finished < 0 ?
	    STEP_FAILED : STEP_RUNNING;
	st->duration_ms = clock_mono_ms() - jr->t0;
	st->message = jr->finished != 0 ? xstrdup(jr->msg) : NULL;
	s = buf_str(&jr->out);
	if (strlen(s) > JOB_TAIL_MAX)
		s += strlen(s) - JOB_TAIL_MAX;
	fv.output_tail = xstrdup(s);
	fv.finished = jr->finished;
	pthread_mutex_unlock(&jr->mu);
	fv.started_at = jr->started_at;
	hub_publish_flow(jr->hub, &fv);
}

static void
job_log(void *arg, const char *line)
{
	struct job_run *jr = arg;

	pthread_mutex_lock(&jr->mu);
	buf_puts(&jr->out, line);
	buf_putc(&jr->out, '\n');
	pthread_mutex_unlock(&jr->mu);
	job_publish(jr);
}

static void *
job_main(void *arg)
{
	struct job_run *jr = arg;
	struct job_opts o;
	struct err e = { "" };
	int rc;

	memset(&o, 0, sizeof o);
	o.log = job_log;
	o.log_arg = jr;
	o.cancel = &jr->cancel;
	if (jr->restore)
		rc = job_restore(jr->cfg, jr->j, &o, &jr->r, &e);
	else
		rc = job_backup(jr->cfg, jr->j, &o, &jr->r, &e);
	pthread_mutex_lock(&jr->mu);
	jr->finished = rc == 0 ? 1 : -1;
	if (rc == 0)
		snprintf(jr->msg, sizeof jr->msg, "%s %s", jr->restore ?
		    "restored" : "dumped and shipped", jr->r.dump_name);
	else
		snprintf(jr->msg, sizeof jr->msg, "%s", e.msg);
	pthread_mutex_unlock(&jr->mu);
	job_publish(jr);
	return NULL;
}

static void
job_start(struct ui *u, int restore)
{
	struct job_run *jr = xcalloc(1, sizeof *jr);

	jr->restore = restore;
	jr->cfg = u->o->cfg;
	jr->j = u->journal;
	jr->hub = u->hub;
	jr->started_at = clock_wall_ms();
	jr->t0 = clock_mono_ms();
	pthread_mutex_init(&jr->mu, NULL);
	job_publish(jr);
	if (pthread_create(&jr->thread, NULL, job_main, jr) != 0) {
		snprintf(vs.status, sizeof vs.status, "cannot start the %s "
		    "thread", restore ? "restore" : "backup");
		pthread_mutex_destroy(&jr->mu);
		free(jr);
		return;
	}
	jr->started = 1;
	u->job = jr;
	vs.screen = SCREEN_RUNNER;
	vs.flow_end_ms = 0;
}

static void
job_end(struct ui *u)
{
	struct job_run *jr = u->job;

	if (jr == NULL)
		return;
	jr->cancel = 1;
	pthread_join(jr->thread, NULL);
	pthread_mutex_destroy(&jr->mu);
	buf_free(&jr->out);
	free(jr);
	u->job = NULL;
}

/* ---- flows ---- */

static void
flow_start(struct ui *u, const char *flow, int resume, int abort_int)
{
	struct engine_opts eo;
	struct err e = { "" };

	memset(&eo, 0, sizeof eo);
	eo.flow = flow;
	eo.resume = resume;
	eo.abort_interrupted = abort_int;
	if (engine_start(u->o->cfg, u->hub, u->journal, &eo, &u->engine,
	    &e) != 0) {
		u->engine = NULL;
		snprintf(vs.status, sizeof vs.status, "%s: %s", flow, e.msg);
		return;
	}
	vs.screen = SCREEN_RUNNER;
	vs.flow_end_ms = 0;
}

static void
runner_close(struct ui *u)
{
	struct flow_view none;

	if (u->engine != NULL) {
		engine_wait(u->engine);
		engine_free(u->engine);
		u->engine = NULL;
	}
	job_end(u);
	memset(&none, 0, sizeof none);
	hub_publish_flow(u->hub, &none);
	vs.screen = SCREEN_OVERVIEW;
	vs.flow_end_ms = 0;
}

/* ---- the journal screen's data ---- */

static void
journal_load(struct ui *u)
{
	struct err e = { "" };

	if (u->jt_loaded)
		journal_tail_free(&u->jt);
	u->jt_loaded = 0;
	vs.jt = NULL;
	u->jt_at = clock_mono_ms();
	if (journal_tail(u->o->cfg->journal, JOURNAL_TAIL_N, 0, &u->jt,
	    &e) != 0) {
		snprintf(vs.status, sizeof vs.status, "%s", e.msg);
		return;
	}
	u->jt_loaded = 1;
	vs.jt = &u->jt;
}

/* ---- requests ---- */

static void
request(struct ui *u)
{
	enum ui_request r = vs.req;

	vs.req = REQ_NONE;
	if (u->o->wall && r != REQ_QUIT && r != REQ_REFRESH)
		return;		/* read-only, whatever asked */
	switch (r) {
	case REQ_NONE:
		break;
	case REQ_QUIT:
		u->quit = 1;
		break;
	case REQ_REFRESH:
		poller_refresh(u->poller);
		if (vs.screen == SCREEN_JOURNAL)
			journal_load(u);
		break;
	case REQ_FAILOVER:
	case REQ_CUTBACK:
	case REQ_DRILL:
		if (u->engine == NULL && u->job == NULL)
			flow_start(u, r == REQ_FAILOVER ? "failover" :
			    r == REQ_CUTBACK ? "cutback" : "drill", 0, 0);
		break;
	case REQ_RESUME:
	case REQ_ABORT_INTERRUPTED:
		if (u->engine == NULL && u->job == NULL && u->int_flow[0])
			flow_start(u, u->int_flow, r == REQ_RESUME,
			    r == REQ_ABORT_INTERRUPTED);
		break;
	case REQ_BACKUP:
	case REQ_RESTORE:
		if (u->engine == NULL && u->job == NULL)
			job_start(u, r == REQ_RESTORE);
		break;
	case REQ_ANSWER:
		if (u->engine != NULL)
			engine_answer(u->engine, vs.answer);
		else if (u->job != NULL && strcmp(vs.answer, "abort") == 0)
			u->job->cancel = 1;
		break;
	case REQ_JOURNAL_LOAD:
		journal_load(u);
		break;
	case REQ_RUNNER_CLOSE:
		runner_close(u);
		break;
	}
}

/* ---- the loop ---- */

static int
term_start(const struct ui_opts *o, struct err *e)
{
	SCREEN *s;

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return err_set(e, "the console needs a terminal (stdin and "
		    "stdout); for scripts use `drdeck status`");
	s = newterm(NULL, stdout, stdin);
	if (s == NULL)
		return err_set(e, "cannot start the terminal (TERM=%s): not "
		    "in the terminfo database?", getenv("TERM") != NULL ?
		    getenv("TERM") : "unset");
	set_term(s);
	set_escdelay(25);
	/* A kiosk takes Ctrl-C, Ctrl-Z, Ctrl-\ as keys (and ignores them);
	 * SIGTERM and SIGHUP still end it. */
	if (o->wall && o->kiosk)
		raw();
	else
		cbreak();
	noecho();
	nonl();
	intrflush(stdscr, FALSE);
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	color_init(o->color);
	return 0;
}

static void
draw(const struct snapshot *s)
{
	view_draw(stdscr, s);
	wnoutrefresh(stdscr);
	doupdate();
}

static void
loop(struct ui *u)
{
	struct pollfd pfd[3];
	const struct snapshot *s;
	uint64_t seq = (uint64_t)-1;
	int64_t tick = -1, now, left;
	int dirty = 1, ch;

	while (!u->quit && !got_signal) {
		s = hub_acquire(u->hub);
		now = clock_wall_ms();
		vs.now_ms = now;
		vs.flow_active = s->flow.active;
		vs.busy = u->engine != NULL || u->job != NULL;
		if (vs.screen == SCREEN_JOURNAL &&
		    clock_mono_ms() - u->jt_at > 5000)
			journal_load(u);
		if (dirty || s->seq != seq || now / 1000 != tick) {
			draw(s);
			seq = s->seq;
			tick = now / 1000;
			dirty = 0;
		}
		hub_release(u->hub, s);

		pfd[0].fd = STDIN_FILENO;
		pfd[0].events = POLLIN;
		pfd[1].fd = hub_wake_fd(u->hub);
		pfd[1].events = POLLIN;
		pfd[2].fd = sig_pipe[0];
		pfd[2].events = POLLIN;
		left = 1000 - now % 1000 + 2;
		if (poll(pfd, 3, (int)left) < 0 && errno != EINTR)
			break;
		if (pfd[1].revents & POLLIN)
			hub_drain_wake(u->hub);
		if (pfd[2].revents & POLLIN) {
			char b[16];

			while (read(sig_pipe[0], b, sizeof b) > 0)
				;
		}
		if (pfd[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break;	/* the terminal went away */
		while ((ch = getch()) != ERR) {
			if (ch != KEY_RESIZE)
				vs.status[0] = '\0';
			view_key(ch);
			request(u);
			dirty = 1;
			if (u->quit)
				break;
		}
	}
}

/* Run the console (ui.h). */
int
ui_run(const struct ui_opts *o, int *flow_left, struct err *e)
{
	const struct config *c = o->cfg;
	const char *names[HUB_MAX_HOSTS];
	struct ui u;
	size_t i, n;
	int rc = -1, term = 0;

	memset(&u, 0, sizeof u);
	u.o = o;
	*flow_left = 0;
	setlocale(LC_ALL, "");
	view_state_reset();
	vs.utf8 = ui_locale_utf8();
	vs.wall = o->wall;
	vs.kiosk = o->kiosk;
	vs.pair = c->pair;
	/* A fact is stale past two periods; a period is the interval plus
	 * the time a slow round may take, so that a round in progress does
	 * not read as stale. */
	vs.period_ms = c->poll_interval * 1000 + poller_round_budget_ms(c) / 2;
	vs.rpo_ms = c->th.rpo * 1000;
	snprintf(vs.jpath, sizeof vs.jpath, "%s", c->journal != NULL ?
	    c->journal : "");
	if (signals_install(e) != 0)
		return -1;
	n = c->n_hosts < HUB_MAX_HOSTS ? c->n_hosts : HUB_MAX_HOSTS;
	for (i = 0; i < n; i++)
		names[i] = c->hosts[i].name;
	u.hub = hub_new(n, names);
	if (!o->wall) {
		/* The wall never writes: it opens no journal. */
		if (journal_open(c->journal, c->journal_max, c->journal_keep,
		    &u.journal, e) != 0)
			goto out;
		if (engine_interrupted(c, u.int_flow, sizeof u.int_flow,
		    u.int_id, sizeof u.int_id) == 1) {
			vs.ask = ASK_RESUME;
			snprintf(vs.ask_text, sizeof vs.ask_text, "An "
			    "interrupted %s (%s) was found. Resume it where it "
			    "stopped, or abort it (its safe-state steps run)?",
			    u.int_flow, u.int_id);
			snprintf(vs.interrupted, sizeof vs.interrupted,
			    "%s %s", u.int_flow, u.int_id);
		}
	}
	if (poller_start(c, u.hub, &u.poller, e) != 0)
		goto out;
	if (term_start(o, e) != 0)
		goto out;
	term = 1;
	loop(&u);
	rc = 0;
out:
	if (term) {
		erase();
		refresh();
		endwin();
	}
	if (u.job != NULL)
		job_end(&u);
	if (u.engine != NULL) {
		/* A flow that ended but was not closed on screen. */
		const struct snapshot *s = hub_acquire(u.hub);
		int ended = s->flow.finished != 0;

		hub_release(u.hub, s);
		if (ended) {
			engine_wait(u.engine);
			engine_free(u.engine);
			u.engine = NULL;
		}
	}
	poller_stop(u.poller);
	/* Quit during a flow: the engine's thread is left as it is (the
	 * process ends); its progress file makes it resumable at the next
	 * start.  The hub stays for it. */
	if (u.jt_loaded)
		journal_tail_free(&u.jt);
	if (u.journal != NULL)
		journal_close(u.journal);
	if (u.engine == NULL)
		hub_free(u.hub);
	else
		*flow_left = 1;
	return rc;
}
