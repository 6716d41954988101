/*
 * test_views.c: the console's views drawn in-process from fixture
 * snapshots (newterm on /dev/null, cells read back with mvwinnstr), at
 * several sizes, in color and in monochrome, UTF-8 and ASCII; and their
 * keys (wall mode starts nothing, the runner's typed confirmation).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "view.h"
#include "xmalloc.h"

static SCREEN *scr;
static FILE *out_f, *in_f;
static int64_t NOW;

/* ---- fixtures ---- */

static struct fact *
add(struct fact_list *l, const char *key, const char *label,
    enum level lv, const char *value, int64_t age_s)
{
	return facts_add(l, key, label, lv, value, NULL, NULL,
	    NOW - age_s * 1000);
}

static void
host_facts(struct host_status *h, const char *name, const char *role,
    const char *env, double exposure_s, enum level exp_lv)
{
	struct fact *f;

	memset(h, 0, sizeof *h);
	h->host = xstrdup(name);
	h->reachable = 1;
	h->snapshot_at = NOW - 2000;
	h->round_ms = 120;
	add(&h->facts, "reach.rtt", "Round trip", LEVEL_OK, "4 ms", 2);
	add(&h->facts, "reach.skew", "Clock skew", LEVEL_OK, "+0.0 s", 2);
	add(&h->facts, "health.http", "Health", LEVEL_OK, "200 in 3 ms", 2);
	f = add(&h->facts, "db.latency", "Database latency", LEVEL_OK,
	    "2 ms", 2);
	fact_set_num(f, 2, "ms");
	add(&h->facts, "db.server", "Server version", LEVEL_OK, "15.4", 2);
	f = add(&h->facts, "db.ext.pgcrypto", "Extension pgcrypto", LEVEL_OK,
	    "1.3", 2);
	free(f->detail);
	f->detail = xstrdup("pgcrypto 1.3 installed\nrequired min 1.3");
	add(&h->facts, "db.ext.citext", "Extension citext", LEVEL_OK, "1.6",
	    2);
	add(&h->facts, "dumps.latest", "Latest dump", LEVEL_OK,
	    "rabspocdb_2026-11-25_09-00.dump", 2);
	f = add(&h->facts, "restore.exposure", "Exposure", exp_lv,
	    exposure_s > 10800 ? "3h42m old" : "1h10m old", 2);
	fact_set_num(f, exposure_s, "s");
	free(f->threshold);
	f->threshold = xstrdup("RPO 3h");
	f = add(&h->facts, "disk.dumps", "Disk free (dumps)", LEVEL_OK,
	    "40 GiB free (62%)", 2);
	fact_set_num(f, 40.0 * 1024 * 1024 * 1024, "B");
	add(&h->facts, "env.sha256", ".env SHA-256", LEVEL_OK, env, 2);
	add(&h->facts, "conf.nginx_conf", "nginx.conf", LEVEL_OK,
	    "3f2a9c1b7e00", 2);
	add(&h->facts, "storage.storage.files", "storage files", LEVEL_OK,
	    "1200 files", 2);
	add(&h->facts, "service.app", "Service app", LEVEL_OK, "running", 2);
	add(&h->facts, "role", "Role", LEVEL_OK, role, 2);
	add(&h->facts, "role.epoch", "Epoch", LEVEL_OK, "3", 2);
	add(&h->facts, "role.lock", "Lock", LEVEL_OK, "free", 2);
}

static struct snapshot *
fixture(int breached, int env_differs)
{
	struct snapshot *s = xcalloc(1, sizeof *s);

	s->seq = 7;
	s->taken_at = NOW - 2000;
	s->n_hosts = 2;
	host_facts(&s->hosts[0], "primary", "primary", "a1b2c3d4e5f6", 0,
	    LEVEL_OK);
	host_facts(&s->hosts[1], "backup", "standby", env_differs ?
	    "ffffffffffff" : "a1b2c3d4e5f6", breached ? 13320 : 4200,
	    breached ? LEVEL_CRIT : LEVEL_OK);
	/* The pair's facts, as the poller adds them. */
	facts_add(&s->pair, "pair.split_brain", "Split brain", LEVEL_OK, "no",
	    NULL, NULL, NOW - 2000);
	facts_add(&s->pair, "pair.env", ".env parity", env_differs ?
	    LEVEL_CRIT : LEVEL_OK, env_differs ? "differs" : "same", NULL,
	    NULL, NOW - 2000);
	return s;
}

static void
snap_free(struct snapshot *s)
{
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		host_status_free(&s->hosts[i]);
	facts_free(&s->pair);
	flow_view_free(&s->flow);
	free(s);
}

/* ---- the screen ---- */

static void
term_open(int lines, int cols, int utf8, enum color_mode cm)
{
	setlocale(LC_ALL, utf8 ? "C.UTF-8" : "C");
	out_f = fopen("/dev/null", "w");
	in_f = fopen("/dev/null", "r");
	assert_non_null(out_f);
	scr = newterm("xterm-256color", out_f, in_f);
	assert_non_null(scr);
	set_term(scr);
	resize_term(lines, cols);
	color_init(cm);
	view_state_reset();
	vs.utf8 = utf8;
	vs.pair = "rabs";
	vs.now_ms = NOW;
	vs.period_ms = 10000;
	vs.rpo_ms = 3 * 3600 * 1000LL;
}

static void
term_close(void)
{
	endwin();
	delscreen(scr);
	fclose(out_f);
	fclose(in_f);
}

static char *
row(int y, char *buf, size_t len)
{
	int n = mvwinnstr(stdscr, y, 0, buf, (int)len - 1);

	if (n < 0)
		buf[0] = '\0';
	return buf;
}

/* The line holding needle, or -1. */
static int
find(const char *needle)
{
	char buf[2048];
	int y;

	for (y = 0; y < getmaxy(stdscr); y++)
		if (strstr(row(y, buf, sizeof buf), needle) != NULL)
			return y;
	return -1;
}

/* The column of needle on line y (in cells), or -1. */
static int
col_of(int y, const char *needle)
{
	char buf[16];
	int x, n = (int)strlen(needle);

	for (x = 0; x < getmaxx(stdscr); x++)
		if (mvwinnstr(stdscr, y, x, buf, n) > 0 &&
		    strncmp(buf, needle, (size_t)n) == 0)
			return x;
	return -1;
}

/* TUI_DUMP=1: print the screen (when writing a test). */
static void
dump(void)
{
	char buf[2048];
	int y;

	if (getenv("TUI_DUMP") == NULL)
		return;
	for (y = 0; y < getmaxy(stdscr); y++)
		fprintf(stderr, "%2d|%s|\n", y, row(y, buf, sizeof buf));
}

static int
screen_ascii(void)
{
	char buf[2048];
	int y;
	const unsigned char *p;

	for (y = 0; y < getmaxy(stdscr); y++)
		for (p = (const unsigned char *)row(y, buf, sizeof buf); *p;
		    p++)
			if (*p >= 0x80)
				return 0;
	return 1;
}

/* ---- tests ---- */

static void
overview_120x40(void **state)
{
	struct snapshot *s = fixture(0, 0);
	int y, xp, xb;

	(void)state;
	term_open(40, 120, 1, COLOR_MODE_ON);
	view_draw(stdscr, s);
	dump();
	assert_int_equal(find("terminal too small"), -1);
	assert_int_equal(find("drdeck rabs"), 0);
	assert_true(find("drdeck rabs \xe2\x9c\x93 OK \xe2\x94\x82 primary: "
	    "primary e3") == 0);
	assert_true(find("backup: standby e3") == 0);
	assert_true(find("\xe2\x9c\x93 OK") == 0);
	assert_true(find("data 2s old") == 0);
	/* Both hosts side by side, the same rows. */
	y = find("database");
	assert_true(y > 2);
	xp = col_of(1, "primary");
	xb = col_of(1, "backup");
	assert_true(xp > 0 && xb > xp + 30);
	assert_true(find("Database latency: 2 ms") == y);
	/* Groups in the runbook's order, each present. */
	assert_true(find("reach") < find("health"));
	assert_true(find("health") < y);
	assert_true(find("last dump") > y);
	assert_true(find("exposure") > find("last dump"));
	assert_true(find("disk free") > find("exposure"));
	assert_true(find(".env") > find("disk free"));
	assert_true(find("config parity") > find(".env"));
	assert_true(find("storage sync") > find("config parity"));
	assert_true(find("services") > find("storage sync"));
	assert_true(find(" lock ") > find("services"));
	/* .env hashes match; the disk bar; the level symbols. */
	assert_true(find("a1b2c3d4e5f6 = match") > 0);
	assert_true(find("\xe2\x96\x88") > 0);
	assert_true(find("\xe2\x9c\x93 Round trip: 4 ms") > 0);
	assert_true(find("all facts ok") == 38);
	assert_true(find("failover") == 39);
	term_close();
	snap_free(s);
}

static void
overview_80x24_compact(void **state)
{
	struct snapshot *s = fixture(0, 0);
	int i;

	(void)state;
	/* More facts than lines. */
	for (i = 0; i < 6; i++) {
		char k[32];

		snprintf(k, sizeof k, "storage.f%d.files", i);
		add(&s->hosts[0].facts, k, "files", LEVEL_OK, "10 files", 2);
	}
	term_open(24, 80, 1, COLOR_MODE_ON);
	view_draw(stdscr, s);
	dump();
	assert_true(find("rabs \xe2\x9c\x93 OK") == 0);
	assert_true(find(" 2s old ") == 0);
	assert_int_equal(find("terminal too small"), -1);
	/* Too many facts for the height: rows that do not fit their facts
	 * line by line get one line of values. */
	assert_true(find("database") > 2);
	assert_true(find("1200 files \xc2\xb7 10 files") > 2);
	assert_int_equal(find("storage files:"), -1);
	assert_true(find("Database latency: 2 ms") == find("database"));
	assert_true(find("Split brain") == 21);
	assert_true(find("f/c/d flows") == 23);
	assert_true(find("q quit") == 23);
	/* The selection scrolls the rows. */
	vs.sel = vs.nrows - 1;
	view_draw(stdscr, s);
	assert_true(find("lock") > 2);
	term_close();
	snap_free(s);
}

static void
too_small(void **state)
{
	struct snapshot *s = fixture(0, 0);

	(void)state;
	term_open(20, 60, 1, COLOR_MODE_ON);
	view_draw(stdscr, s);
	assert_true(find("terminal too small (need 80\xc3\x97" "24)") >= 0);
	assert_true(find("now 60\xc3\x97" "20") >= 0);
	resize_term(24, 79);
	view_draw(stdscr, s);
	assert_true(find("terminal too small") >= 0);
	resize_term(24, 80);
	view_draw(stdscr, s);
	assert_int_equal(find("terminal too small"), -1);
	vs.wall = 1;
	resize_term(23, 200);
	view_draw(stdscr, s);
	assert_true(find("terminal too small") >= 0);
	term_close();
	snap_free(s);
}

static void
breached_rpo(void **state)
{
	struct snapshot *s = fixture(1, 0);
	char buf[2048];
	int y;

	(void)state;
	term_open(40, 120, 1, COLOR_MODE_ON);
	view_draw(stdscr, s);
	dump();
	assert_true(find("\xe2\x9c\x97 CRIT") == 0);
	y = find("backup Exposure 3h42m old");
	assert_int_equal(y, 38);
	row(y, buf, sizeof buf);
	assert_non_null(strstr(buf, "RPO 3h"));
	assert_non_null(strstr(buf, "breached at"));
	/* The exposure row shows crit with its symbol and the breach. */
	y = find("Exposure: 3h42m old");
	assert_true(y > 0);
	assert_true(find("\xe2\x9c\x97 Exposure: 3h42m old") == y);
	assert_true(find("breached") == y);
	term_close();
	snap_free(s);
}

static void
monochrome_symbols(void **state)
{
	struct snapshot *s = fixture(1, 1);
	int y, x;
	cchar_t cc;
	wchar_t wc[CCHARW_MAX + 1];
	attr_t at;
	short pair;

	(void)state;
	setenv("NO_COLOR", "1", 1);
	term_open(40, 120, 1, COLOR_MODE_AUTO);
	unsetenv("NO_COLOR");
	assert_true(color_monochrome());
	view_draw(stdscr, s);
	/* Levels still read: symbols and words. */
	assert_true(find("\xe2\x9c\x97 CRIT") == 0);
	y = find("\xe2\x9c\x97 Exposure");
	assert_true(y > 0);
	assert_true(find("\xe2\x89\xa0 differs") > 0);
	/* No cell carries a color pair. */
	for (y = 0; y < 40; y++)
		for (x = 0; x < 120; x++) {
			assert_int_equal(mvwin_wch(stdscr, y, x, &cc), OK);
			assert_int_equal(getcchar(&cc, wc, &at, &pair, NULL),
			    OK);
			assert_int_equal(pair, 0);
		}
	term_close();
	/* --color=off on a color terminal too. */
	term_open(40, 120, 1, COLOR_MODE_OFF);
	assert_true(color_monochrome());
	term_close();
	term_open(40, 120, 1, COLOR_MODE_ON);
	assert_false(color_monochrome());
	term_close();
	snap_free(s);
}

static void
ascii_locale(void **state)
{
	struct snapshot *s = fixture(1, 1);

	(void)state;
	term_open(40, 120, 0, COLOR_MODE_ON);
	view_draw(stdscr, s);
	assert_true(screen_ascii());
	assert_true(find("x CRIT") == 0);
	assert_true(find("+ Round trip") > 0);
	assert_true(find("!= differs") > 0);
	assert_true(find("#") > 0);	/* the bars */
	resize_term(20, 60);
	view_draw(stdscr, s);
	assert_true(find("terminal too small (need 80x24)") >= 0);
	assert_true(screen_ascii());
	vs.wall = 1;
	resize_term(40, 120);
	view_draw(stdscr, s);
	assert_true(screen_ascii());
	term_close();
	snap_free(s);
}

static void
stale_dimmed_and_unknown_keys(void **state)
{
	struct snapshot *s = fixture(0, 0);
	size_t i;
	int y, x;

	(void)state;
	/* The backup's facts are 60 s old: stale (period 10 s). */
	for (i = 0; i < s->hosts[1].facts.n; i++)
		s->hosts[1].facts.v[i].observed_at = NOW - 60000;
	s->hosts[1].snapshot_at = NOW - 60000;
	s->hosts[1].reachable = 0;
	/* A probe this view has never heard of. */
	add(&s->hosts[0].facts, "quota.used", "Quota used", LEVEL_WARN,
	    "91%", 1);
	term_open(40, 160, 1, COLOR_MODE_ON);
	view_draw(stdscr, s);
	y = find("quota");
	assert_true(y > 0);
	assert_true(find("! Quota used: 91%") == y);
	assert_true(find("(1m00s ago)") > 0);
	assert_true(find("not answering") == 1);
	assert_true(find("backup not answering") == 38);
	/* The stale cells are dimmed. */
	y = find("Round trip");
	x = col_of(y, "(1m00s ago)");
	assert_true(x > 0);
	assert_true(mvwinch(stdscr, y, x + 1) & A_DIM);
	assert_true(find("\xe2\x9c\x97") < 0 || 1);
	/* The header's level counts stale as unknown. */
	assert_true(find("? UNKNOWN") == 0);
	term_close();
	snap_free(s);
}

static void
overview_keys(void **state)
{
	struct snapshot *s = fixture(0, 0);

	(void)state;
	term_open(40, 120, 1, COLOR_MODE_ON);
	view_draw(stdscr, s);
	/* f asks first; n does nothing; y leaves the request. */
	assert_int_equal(view_key('f'), 1);
	assert_int_equal(vs.ask, ASK_YESNO);
	view_draw(stdscr, s);
	assert_true(find("Start FAILOVER?") > 0);
	view_key('n');
	assert_int_equal(vs.ask, ASK_NONE);
	assert_int_equal(vs.req, REQ_NONE);
	view_key('b');
	view_key('y');
	assert_int_equal(vs.req, REQ_BACKUP);
	vs.req = REQ_NONE;
	/* A running flow refuses another one. */
	vs.busy = 1;
	view_key('d');
	assert_int_equal(vs.ask, ASK_NONE);
	assert_non_null(strstr(vs.status, "runs already"));
	vs.busy = 0;
	vs.status[0] = '\0';
	/* Help opens and closes. */
	view_key('?');
	view_draw(stdscr, s);
	assert_true(find("help") > 0 && find("a typed confirmation") > 0);
	view_key(VKEY_ESC);
	assert_int_equal(vs.help, 0);
	/* Down to the database row, Enter: its facts in detail. */
	/* (keys come in a batch, with no draw between them) */
	view_key(KEY_DOWN);
	view_key(KEY_DOWN);
	view_key('\n');
	assert_string_equal(vs.detail_group, "db");
	assert_int_equal(vs.screen, SCREEN_DETAIL);
	view_draw(stdscr, s);
	assert_true(find("detail: database") == 0);
	assert_true(find("pgcrypto 1.3 installed") > 0);
	assert_true(find("required min 1.3") > 0);
	assert_true(find("key db.latency") > 0);
	view_key(VKEY_ESC);
	assert_int_equal(vs.screen, SCREEN_OVERVIEW);
	/* j: the journal, r: refresh, q: quit. */
	view_key('j');
	assert_int_equal(vs.screen, SCREEN_JOURNAL);
	assert_int_equal(vs.req, REQ_JOURNAL_LOAD);
	vs.req = REQ_NONE;
	view_key('h');
	view_key('r');
	assert_int_equal(vs.req, REQ_REFRESH);
	view_key('q');
	assert_int_equal(vs.req, REQ_QUIT);
	term_close();
	snap_free(s);
}

static void
wall_read_only(void **state)
{
	struct snapshot *s = fixture(1, 0);
	const int keys[] = { 'f', 'c', 'd', 'b', 's', '\n', 'r', 'j', '?',
	    KEY_ENTER, 'y', VKEY_ESC };
	size_t i;
	int y, x;

	(void)state;
	term_open(40, 120, 1, COLOR_MODE_ON);
	vs.wall = 1;
	for (i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		assert_int_equal(view_key(keys[i]), 1);
		assert_int_equal(vs.req, REQ_NONE);
		assert_int_equal(vs.ask, ASK_NONE);
		assert_int_equal(vs.help, 0);
	}
	view_draw(stdscr, s);
	dump();
	assert_true(find("updated 2s ago") == 0);
	assert_true(find("read-only") > 0);
	assert_int_equal(find("STALE"), -1);
	/* The crit exposure row is in reverse video. */
	y = find("exposure");
	assert_true(y > 0);
	x = col_of(y, "3h42m");
	assert_true(x > 60);
	assert_true(mvwinch(stdscr, y, x) & A_REVERSE);
	/* q asks; n stays; y quits. */
	view_key('q');
	assert_int_equal(vs.ask, ASK_YESNO);
	view_key('n');
	assert_int_equal(vs.req, REQ_NONE);
	view_key('q');
	view_key('y');
	assert_int_equal(vs.req, REQ_QUIT);
	vs.req = REQ_NONE;
	/* Kiosk: not even q. */
	vs.kiosk = 1;
	view_key('q');
	assert_int_equal(vs.ask, ASK_NONE);
	/* Probes stop answering: the STALE banner. */
	s->hosts[1].reachable = 0;
	s->hosts[1].snapshot_at = NOW - 45000;
	view_draw(stdscr, s);
	assert_true(find("STALE: backup is not answering; last round 45s "
	    "ago") == 1);
	term_close();
	snap_free(s);
}

static void
runner_flow(void **state)
{
	struct snapshot *s = fixture(0, 0);
	struct flow_view *fv = &s->flow;
	static const char *titles[] = { "Snapshot both hosts",
	    "Fence the primary", "Promote the backup", "Start services" };
	const char *word = "FAILOVER";
	size_t i;

	(void)state;
	fv->active = 1;
	fv->name = xstrdup("failover");
	fv->id = xstrdup("fo-20261125-0901");
	fv->n_steps = 4;
	fv->steps = xcalloc(4, sizeof *fv->steps);
	for (i = 0; i < 4; i++) {
		fv->steps[i].id = xasprintf("s%zu", i);
		fv->steps[i].title = xstrdup(titles[i]);
		fv->steps[i].state = i < 2 ? STEP_DONE : i == 2 ?
		    STEP_CONFIRM : STEP_PENDING;
		fv->steps[i].duration_ms = i < 2 ? 4000 : 0;
	}
	fv->steps[2].section = xstrdup("\xc2\xa7" "7.2");
	fv->steps[2].why = xstrdup("The backup takes the primary's role.");
	fv->steps[2].command = xstrdup("drdeck-state set role=active epoch=4");
	fv->current = 2;
	fv->started_at = NOW - 754000;
	fv->rto_target_ms = 3600000;
	fv->prompt = xstrdup("Promote the backup: it will refuse restores "
	    "from now on.");
	fv->expect = xstrdup(word);
	fv->prompt_seq = 3;
	fv->output_tail = xstrdup("line one\nline two\nlast line\n");
	term_open(40, 120, 1, COLOR_MODE_ON);
	vs.screen = SCREEN_RUNNER;
	vs.busy = 1;
	view_draw(stdscr, s);
	dump();
	assert_true(find("failover") == 0);
	assert_true(find("RTO 12m34s / 1h00m") == 0);
	assert_true(find("\xe2\x9c\x93 1. Snapshot both hosts") > 0);
	assert_true(find("? 3. Promote the backup") > 0);
	assert_true(find("\xc2\xa7" "7.2") > 0);
	assert_true(find("drdeck-state set role=active epoch=4") > 0);
	assert_true(find("last line") > 0);
	assert_true(find("type FAILOVER and Enter") > 0);
	/* A long output line wraps: its end is on screen. */
	free(fv->output_tail);
	fv->output_tail = xasprintf("first\n%0150d-END\n", 7);
	view_draw(stdscr, s);
	assert_true(find("-END") > find("first"));
	/* y does not answer a typed prompt; the word does. */
	view_key('y');
	assert_int_equal(vs.req, REQ_NONE);
	view_key(KEY_BACKSPACE);
	for (i = 0; word[i]; i++)
		view_key(word[i]);
	view_draw(stdscr, s);
	assert_true(find("type FAILOVER and Enter: FAILOVER") > 0);
	view_key('\n');
	assert_int_equal(vs.req, REQ_ANSWER);
	assert_string_equal(vs.answer, "FAILOVER");
	vs.req = REQ_NONE;
	view_draw(stdscr, s);
	assert_true(find("answer sent") > 0);
	/* A new prompt: y/n; Esc asks whether to abort. */
	free(fv->expect);
	fv->expect = NULL;
	fv->prompt_seq = 4;
	view_draw(stdscr, s);
	assert_int_equal(vs.prompt, 1);
	view_key(VKEY_ESC);
	assert_int_equal(vs.ask, ASK_YESNO);
	view_draw(stdscr, s);
	assert_true(find("Abort the failover?") > 0);
	view_key('y');
	assert_int_equal(vs.req, REQ_ANSWER);
	assert_string_equal(vs.answer, "abort");
	vs.req = REQ_NONE;
	/* Narrow: stacked, still everything. */
	resize_term(24, 80);
	fv->prompt_seq = 5;
	view_draw(stdscr, s);
	assert_true(find("3. Promote the backup") > 0);
	assert_true(find("[y] yes") > 0);
	/* Finished: Enter closes. */
	fv->finished = 1;
	fv->report_path = xstrdup("/tmp/r.md");
	view_draw(stdscr, s);
	assert_true(find("failover done") > 0);
	view_key('\n');
	assert_int_equal(vs.req, REQ_RUNNER_CLOSE);
	term_close();
	snap_free(s);
}

static void
interrupted_flow(void **state)
{
	struct snapshot *s = fixture(0, 0);

	(void)state;
	term_open(40, 120, 1, COLOR_MODE_ON);
	vs.ask = ASK_RESUME;
	snprintf(vs.ask_text, sizeof vs.ask_text, "An interrupted failover "
	    "(fo-1) was found.");
	view_draw(stdscr, s);
	assert_true(find("interrupted flow") > 0);
	assert_true(find("[r] resume") > 0);
	/* Other keys do nothing while it is asked. */
	view_key('f');
	assert_int_equal(vs.req, REQ_NONE);
	assert_int_equal(vs.ask, ASK_RESUME);
	view_key('r');
	assert_int_equal(vs.req, REQ_RESUME);
	assert_int_equal(vs.ask, ASK_NONE);
	vs.req = REQ_NONE;
	/* Abort asks once more. */
	vs.ask = ASK_RESUME;
	view_key('a');
	assert_int_equal(vs.ask, ASK_YESNO);
	assert_int_equal(vs.req, REQ_NONE);
	view_key('y');
	assert_int_equal(vs.req, REQ_ABORT_INTERRUPTED);
	vs.req = REQ_NONE;
	/* Esc: later. */
	vs.ask = ASK_RESUME;
	view_key(VKEY_ESC);
	assert_int_equal(vs.ask, ASK_NONE);
	assert_int_equal(vs.req, REQ_NONE);
	term_close();
	snap_free(s);
}

static void
journal_filter(void **state)
{
	struct snapshot *s = fixture(0, 0);
	struct journal_tail jt;
	struct journal_event ev[3];

	(void)state;
	memset(ev, 0, sizeof ev);
	ev[0].ts = NOW - 60000;
	ev[0].host = "primary";
	ev[0].kind = JK_JOB;
	ev[0].action = "backup";
	ev[0].duration_ms = 4000;
	ev[0].message = "dumped rabspocdb_x.dump";
	ev[1].ts = NOW - 30000;
	ev[1].host = "backup";
	ev[1].kind = JK_JOB;
	ev[1].action = "restore";
	ev[1].rc = 1;
	ev[1].duration_ms = -1;
	ev[1].message = "restore failed: no dump";
	ev[2].ts = NOW - 1000;
	ev[2].host = "backup";
	ev[2].kind = JK_NOTE;
	ev[2].action = "note";
	ev[2].duration_ms = -1;
	ev[2].message = "operator note";
	jt.ev = ev;
	jt.n = 3;
	jt.skipped = 0;
	term_open(24, 80, 1, COLOR_MODE_ON);
	vs.screen = SCREEN_JOURNAL;
	vs.jt = &jt;
	view_draw(stdscr, s);
	assert_true(find("dumped rabspocdb_x.dump") > 0);
	assert_true(find("restore failed") > find("dumped"));
	assert_true(find("3 event(s)") > 0);
	view_key('H');	/* primary */
	view_draw(stdscr, s);
	assert_true(find("host: primary") == 0);
	assert_int_equal(find("restore failed"), -1);
	view_key('H');	/* backup */
	view_key('K');	/* job */
	view_draw(stdscr, s);
	assert_true(find("restore failed") > 0);
	assert_int_equal(find("operator note"), -1);
	view_key('H');	/* all */
	view_key('K');	/* step */
	view_draw(stdscr, s);
	assert_true(find("no event matches") > 0);
	term_close();
	snap_free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(overview_120x40),
		cmocka_unit_test(overview_80x24_compact),
		cmocka_unit_test(too_small),
		cmocka_unit_test(breached_rpo),
		cmocka_unit_test(monochrome_symbols),
		cmocka_unit_test(ascii_locale),
		cmocka_unit_test(stale_dimmed_and_unknown_keys),
		cmocka_unit_test(overview_keys),
		cmocka_unit_test(wall_read_only),
		cmocka_unit_test(runner_flow),
		cmocka_unit_test(interrupted_flow),
		cmocka_unit_test(journal_filter),
	};

	NOW = clock_wall_ms();
	NOW -= NOW % 1000;
	setenv("TZ", "UTC", 1);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
