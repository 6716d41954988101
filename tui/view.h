/*
 * view.h: what the console's views share.
 *
 * Each view is a pair (ncdu X_draw / X_key):
 *   void view_X_draw(WINDOW *, const struct snapshot *);
 *   int  view_X_key(int ch);	(1 when the key was taken)
 * A view draws only from the snapshot and from the view state `vs`
 * below; it never does I/O and never calls the backend.  A key handler
 * changes `vs` and, for anything that needs the backend (start a flow,
 * answer the engine, refresh, quit), leaves a request in vs.req that
 * the loop (ui.c) carries out.  So a view test can draw a fixture
 * snapshot and press keys without any thread, host or journal.
 *
 * Facts become rows generically: a fact's group is its key up to the
 * first dot ("db.latency" -> "db"); known groups come in the runbook's
 * order, unknown ones after them, so a new probe needs no code here.
 * Main (UI) thread only.
 */
#ifndef DRDECK_VIEW_H
#define DRDECK_VIEW_H

#include <curses.h>
#include <stddef.h>
#include <stdint.h>

#include "color.h"
#include "hub.h"
#include "journal.h"

enum ui_screen {
	SCREEN_OVERVIEW = 0,
	SCREEN_DETAIL,
	SCREEN_JOURNAL,
	SCREEN_RUNNER,
};

/* What the loop is asked to do (set by key handlers, cleared by ui.c). */
enum ui_request {
	REQ_NONE = 0,
	REQ_QUIT,
	REQ_REFRESH,
	REQ_FAILOVER,
	REQ_CUTBACK,
	REQ_DRILL,
	REQ_BACKUP,
	REQ_RESTORE,
	REQ_ANSWER,		/* vs.answer to the engine */
	REQ_RESUME,		/* resume the interrupted flow */
	REQ_ABORT_INTERRUPTED,
	REQ_JOURNAL_LOAD,	/* (re)read the journal tail */
	REQ_RUNNER_CLOSE,	/* the finished flow was seen; back */
};

/* A question on screen. */
enum ui_ask {
	ASK_NONE = 0,
	ASK_YESNO,		/* y: do vs.ask_req (with vs.ask_answer) */
	ASK_RESUME,		/* r resume, a abort, Esc later */
};

#define VS_LINE_MAX 128

struct view_state {
	/* Set by the loop (or a test) before drawing. */
	const char *pair;	/* the pair's name */
	int	 utf8;		/* the locale is UTF-8 */
	int	 wall;		/* read-only wall display */
	int	 kiosk;		/* wall that not even q quits */
	int64_t	 period_ms;	/* poll period: facts older than 2x are stale */
	int64_t	 rpo_ms;
	int64_t	 now_ms;	/* the wall clock of this pass */
	int	 busy;		/* a flow or a job runs */
	char	 interrupted[128];	/* "failover <id>" found at start */
	const struct journal_tail *jt;	/* loaded by the loop, may be NULL */
	char	 jpath[256];	/* the journal's path, for the title */

	/* Screens. */
	enum ui_screen screen;
	int	 help;		/* the help overlay is open */
	int	 sel;		/* overview: the selected row (group index) */
	int	 top;		/* overview: first row shown */
	char	 detail_group[32];	/* detail: the group shown */
	int	 detail_top;
	int	 jscroll;	/* journal: lines up from the newest */
	int	 jhost;		/* journal filter: -1 all, else host index */
	int	 jkind;		/* journal filter: -1 all, else enum kind */
	int64_t	 flow_end_ms;	/* when the shown flow was seen finished */
	/* Left by the last draw for the key handlers. */
	int	 nrows;		/* overview rows */
	char	 row_group[48][34];	/* overview: each row's group
					   ("@name" for the pair's) */
	int	 body_lines;	/* lines of the scrolling area */
	int	 jlines;	/* journal lines after the filter */
	int	 prompt;	/* runner: 0 none, 1 y/n, 2 a typed word */
	int	 flow_active;	/* runner: a flow is loaded */
	int	 flow_finished;	/* runner: 1 done, -1 failed */

	/* The question on screen. */
	enum ui_ask ask;
	char	 ask_text[200];
	enum ui_request ask_req;
	char	 ask_answer[VS_LINE_MAX];

	/* The runner's line editor (typed confirmations). */
	char	 line[VS_LINE_MAX];
	size_t	 line_len;

	/* To the loop. */
	enum ui_request req;
	char	 answer[VS_LINE_MAX];
	char	 status[200];	/* a one-line message, e.g. an error */
};

extern struct view_state vs;

/* Back to the state of a fresh start (keeps nothing). */
void view_state_reset(void);

/* Keys not in curses' list. */
#define VKEY_ESC	27
#define VKEY_CTRL(c)	((c) & 0x1f)

/* ---- rows: facts grouped by key prefix ---- */

#define VROWS_MAX	48
#define VGROUP_FACTS	32

struct vgroup {
	char	 name[32];	/* key prefix: "db" */
	const char *label;	/* for people: "database" */
	int	 pair;		/* facts of the pair (span the columns) */
	const struct fact *f[HUB_MAX_HOSTS][VGROUP_FACTS];
	int	 nf[HUB_MAX_HOSTS];
	enum level lv[HUB_MAX_HOSTS];	/* worst effective level */
	int	 stale[HUB_MAX_HOSTS];	/* some of its facts are stale */
};

struct vrows {
	struct vgroup g[VROWS_MAX];
	int	 n;
	size_t	 n_hosts;
};

/* Group the snapshot's facts (hosts, then the pair's). */
void vrows_build(const struct snapshot *s, struct vrows *r);
/* The group of a fact key ("db.latency" -> "db"), into buf. */
const char *vgroup_of(const char *key, char *buf, size_t len);
/* The label of a group ("db" -> "database"; unknown: the name). */
const char *vgroup_label(const char *group);

/* ---- facts as people read them ---- */

enum level vfact_level(const struct fact *f);
int	 vfact_stale(const struct fact *f);
/* Worst effective level of the whole snapshot (hosts and pair). */
enum level vsnap_level(const struct snapshot *s);
/* A host's role and epoch from its facts ("standby e3"), into buf. */
const char *vhost_role(const struct host_status *h, char *buf, size_t len);
/* A host is not answering: unreachable, or its round is too old. */
int	 vhost_stale(const struct host_status *h);
/* The alert line: the worst facts in words.  Returns their level
 * (LEVEL_OK and "" when nothing is wrong). */
enum level valert_text(const struct snapshot *s, char *buf, size_t len);
/* Gauge of a fact: exposure against the RPO, or a percentage.  Returns
 * 1 with *frac in [0,1] (the filled share) when the fact has one. */
int	 vfact_gauge(const struct fact *f, double *frac);
/* When an exposure fact breaches (or breached) the RPO: wall ms, or 0. */
int64_t	 vfact_breach_ms(const struct fact *f);
/* For hash facts: 1 all hosts agree, 0 they differ, -1 not a hash or
 * nothing to compare with. */
int	 vfact_match(const struct snapshot *s, const struct fact *f);

/* ---- drawing ---- */

/* Display columns of a UTF-8 (or ASCII) string. */
int	 vwidth(const char *s);
/* Bytes of s that fit in cols columns (whole characters). */
size_t	 vcut(const char *s, int cols);
/* Print s at (y, x) in at most maxcols columns with attributes a;
 * returns the columns used.  Wide or invalid characters are handled. */
int	 vput(WINDOW *w, int y, int x, int maxcols, attr_t a, const char *s);
/* Fill n columns with spaces in a. */
void	 vfill(WINDOW *w, int y, int x, int n, attr_t a);
/* A horizontal / vertical line (box drawing, or ASCII). */
void	 vhline(WINDOW *w, int y, int x, int n, attr_t a);
void	 vvline(WINDOW *w, int y, int x, int n, attr_t a);
/* A frame around (y, x, h, w) with an optional title. */
void	 vbox(WINDOW *w, int y, int x, int h, int wd, attr_t a,
	    const char *title);
/* The level's symbol in the current locale. */
const char *vsym(enum level l);
/* A bar of cols cells, frac filled ("████░░" / "####.."). */
char	*vbar(char *buf, size_t len, double frac, int cols);
/* HH:MM (local time) of a wall ms. */
char	*vclock(int64_t ms, char *buf, size_t len, int seconds);
/* "45s" ago text of a wall ms (from vs.now_ms). */
char	*vage(int64_t ms, char *buf, size_t len);
/* Word-wrap s into at most maxlines lines of width cols starting at
 * (y, x); returns the lines used. */
int	 vwrap(WINDOW *w, int y, int x, int cols, int maxlines, attr_t a,
	    const char *s);

/* The "terminal too small" screen when w is under 80x24: 1 if drawn. */
int	 view_too_small(WINDOW *w);
/* The footer line: pairs of key, meaning; NULL-terminated. */
void	 view_footer(WINDOW *w, const char *const *keys);
/* The question box (vs.ask), drawn over the screen; and its keys. */
void	 view_ask_draw(WINDOW *w);
int	 view_ask_key(int ch);
/* Ask a yes/no question; y leaves req (with answer) for the loop. */
void	 view_ask(const char *text, enum ui_request req, const char *answer);

#define VIEW_MIN_COLS 80
#define VIEW_MIN_LINES 24

/* ---- the views ---- */

void view_overview_draw(WINDOW *w, const struct snapshot *s);
int  view_overview_key(int ch);
void view_detail_draw(WINDOW *w, const struct snapshot *s);
int  view_detail_key(int ch);
void view_journal_draw(WINDOW *w, const struct snapshot *s);
int  view_journal_key(int ch);
void view_runner_draw(WINDOW *w, const struct snapshot *s);
int  view_runner_key(int ch);
void view_help_draw(WINDOW *w, const struct snapshot *s);
int  view_help_key(int ch);
void view_wall_draw(WINDOW *w, const struct snapshot *s);
int  view_wall_key(int ch);

/* Draw whatever vs says is on screen (screen, overlays, question). */
void view_draw(WINDOW *w, const struct snapshot *s);
/* Give a key to whatever is on screen; returns 1 when taken. */
int  view_key(int ch);

#endif
