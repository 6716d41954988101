/*
 * view-overview.c: the default screen.  A header (pair, roles and
 * epochs, the overall level, the clock, the age of the data), one column
 * per host with the same rows side by side, the pair's own facts across
 * the columns, the alert line and the keys.
 *
 * A row is a group of facts (view.h); when every fact fits in the
 * height, each has its own line, else a row is one line of values.
 * Wider terminals show labels, thresholds and ages.
 * Main (UI) thread only; draws from the snapshot, never blocks.
 */
#include "view.h"

#include <stdio.h>
#include <string.h>

/* Name column width. */
static int
name_cols(int W)
{
	return W >= 160 ? 18 : 16;
}

/* Draw one fact from x in at most cw columns; returns columns used. */
static int
draw_fact(WINDOW *w, const struct snapshot *s, int y, int x, int cw,
    const struct fact *f, int labels, int sym)
{
	enum level l = vfact_level(f);
	int stale = vfact_stale(f), used = 0, m, W = getmaxx(w);
	attr_t la = color_attr(stale ? ROLE_STALE : color_level_role(l));
	attr_t va = stale ? color_attr(ROLE_STALE) :
	    (l == LEVEL_OK ? A_NORMAL : color_attr(color_level_role(l)));
	char buf[160], t[32];
	double frac;
	int64_t breach;

	if (sym) {
		used += vput(w, y, x + used, cw - used, la, vsym(l));
		used += vput(w, y, x + used, cw - used, A_NORMAL, " ");
	}
	if (labels) {
		snprintf(buf, sizeof buf, "%s: ", f->label);
		used += vput(w, y, x + used, cw - used, A_NORMAL, buf);
	}
	used += vput(w, y, x + used, cw - used, va, f->value);
	if (vfact_gauge(f, &frac) && cw - used >= 8) {
		int bw = cw - used - 2;

		if (bw > (W >= 160 ? 20 : 10))
			bw = W >= 160 ? 20 : 10;
		used += vput(w, y, x + used, cw - used, A_NORMAL, " ");
		used += vput(w, y, x + used, cw - used,
		    color_attr(color_level_role(l)), vbar(buf, sizeof buf,
		    frac, bw));
	}
	breach = vfact_breach_ms(f);
	if (breach != 0 && cw - used >= 14) {
		snprintf(buf, sizeof buf, " %s %s",
		    breach <= vs.now_ms ? "breached" : "breach",
		    vclock(breach, t, sizeof t, 0));
		used += vput(w, y, x + used, cw - used, va, buf);
	}
	m = vfact_match(s, f);
	if (m >= 0) {
		snprintf(buf, sizeof buf, " %s", m ? "= match" :
		    (vs.utf8 ? "\xe2\x89\xa0 differs" : "!= differs"));
		used += vput(w, y, x + used, cw - used,
		    m ? color_attr(ROLE_OK) : color_attr(ROLE_CRIT), buf);
	}
	if (labels && W >= 160 && f->threshold != NULL && *f->threshold &&
	    strstr(f->value, f->threshold) == NULL) {
		snprintf(buf, sizeof buf, " / %s", f->threshold);
		used += vput(w, y, x + used, cw - used, A_DIM, buf);
	}
	if (stale) {
		snprintf(buf, sizeof buf, " (%s ago)", vage(f->observed_at, t,
		    sizeof t));
		used += vput(w, y, x + used, cw - used, color_attr(ROLE_STALE),
		    buf);
	}
	return used;
}

/* One line of a group's facts in one column: worst symbol, values. */
static void
draw_compact(WINDOW *w, const struct snapshot *s, int y, int x, int cw,
    const struct vgroup *g, int col)
{
	int used = 0, i;
	enum level l = g->lv[col];

	if (g->nf[col] == 0) {
		/* This host has no such fact (the probe is not for it). */
		vput(w, y, x, cw, A_DIM, vs.utf8 ? "\xe2\x80\x94" : "-");
		return;
	}
	used += vput(w, y, x, cw, color_attr(g->stale[col] ? ROLE_STALE :
	    color_level_role(l)), vsym(l));
	used += vput(w, y, x + used, cw - used, A_NORMAL, " ");
	for (i = 0; i < g->nf[col] && used < cw; i++) {
		if (i > 0)
			used += vput(w, y, x + used, cw - used, A_DIM,
			    vs.utf8 ? " \xc2\xb7 " : " | ");
		used += draw_fact(w, s, y, x + used, cw - used, g->f[col][i],
		    0, 0);
	}
}

static void
draw_header(WINDOW *w, const struct snapshot *s)
{
	int W = getmaxx(w), x = 0, rw;
	attr_t ha = color_attr(ROLE_HEADER);
	enum level l = vsnap_level(s);
	char buf[200], role[64], t[32], age[32];
	const char *bar = vs.utf8 ? "\xe2\x94\x82" : "|";
	size_t i;

	vfill(w, 0, 0, W, ha);
	/* Right side first, so that the age and the clock always show. */
	if (s->taken_at > 0)
		snprintf(buf, sizeof buf, " %s%s old %s %s ", W >= 100 ?
		    "data " : "", vage(s->taken_at, age, sizeof age),
		    W >= 100 ? bar : "", vclock(vs.now_ms, t, sizeof t, 1));
	else
		snprintf(buf, sizeof buf, " no data yet %s %s ", bar,
		    vclock(vs.now_ms, t, sizeof t, 1));
	rw = vwidth(buf);
	vput(w, 0, W - rw, rw, ha, buf);
	snprintf(buf, sizeof buf, " %s%s ", W >= 100 ? "drdeck " : "",
	    vs.pair != NULL ? vs.pair : "");
	x += vput(w, 0, x, W - rw - x, ha | A_BOLD, buf);
	snprintf(buf, sizeof buf, "%s %s", vsym(l), l == LEVEL_OK ? "OK" :
	    l == LEVEL_WARN ? "WARN" : l == LEVEL_CRIT ? "CRIT" : "UNKNOWN");
	x += vput(w, 0, x, W - rw - x, color_monochrome() ? ha | A_BOLD :
	    color_attr(color_level_role(l)) | A_REVERSE, buf);
	for (i = 0; i < s->n_hosts; i++) {
		snprintf(buf, sizeof buf, " %s %s: %s", bar,
		    s->hosts[i].host != NULL ? s->hosts[i].host : "?",
		    vhost_role(&s->hosts[i], role, sizeof role));
		x += vput(w, 0, x, W - rw - x, ha, buf);
	}
}

static void
draw_titles(WINDOW *w, const struct snapshot *s, int nw, int cw)
{
	size_t i;
	int x, used;
	char buf[160], t[32];

	vput(w, 1, 1, nw - 1, color_attr(ROLE_TITLE), "");
	for (i = 0; i < s->n_hosts; i++) {
		const struct host_status *h = &s->hosts[i];
		enum level l = host_status_level(h, vs.now_ms, vs.period_ms);

		x = nw + 1 + (int)i * (cw + 1);
		vvline(w, 1, x - 1, 1, color_attr(ROLE_FRAME));
		used = vput(w, 1, x, cw, color_attr(color_level_role(l)),
		    vsym(l));
		used += vput(w, 1, x + used, cw - used, A_NORMAL, " ");
		used += vput(w, 1, x + used, cw - used,
		    color_attr(ROLE_TITLE), h->host != NULL ? h->host : "?");
		if (h->snapshot_at == 0)
			snprintf(buf, sizeof buf, "  first round running");
		else if (vhost_stale(h))
			snprintf(buf, sizeof buf, "  not answering%s%s",
			    h->snapshot_at ? ", last round " : "",
			    h->snapshot_at ? vage(h->snapshot_at, t,
			    sizeof t) : "");
		else
			snprintf(buf, sizeof buf, "  round %s ago, %lld ms",
			    vage(h->snapshot_at, t, sizeof t),
			    (long long)h->round_ms);
		vput(w, 1, x + used, cw - used, vhost_stale(h) ?
		    color_attr(ROLE_UNKNOWN) : A_DIM, buf);
	}
	vhline(w, 2, 0, getmaxx(w), color_attr(ROLE_FRAME));
}

/* Lines a group takes. */
static int
group_lines(const struct vgroup *g, size_t n_hosts, int expanded)
{
	size_t i;
	int n = 1;

	if (!expanded)
		return 1;
	if (g->pair)
		return g->nf[0] > 0 ? g->nf[0] : 1;
	for (i = 0; i < n_hosts; i++)
		if (g->nf[i] > n)
			n = g->nf[i];
	return n;
}

/* Draw a group's row at y (lines lines); returns the lines used. */
static int
draw_group(WINDOW *w, const struct snapshot *s, const struct vgroup *g,
    int y, int maxy, int nw, int cw, int expanded, int selected)
{
	int lines = group_lines(g, s->n_hosts, expanded), i, x, W = getmaxx(w);
	size_t c;
	attr_t na = selected ? color_attr(ROLE_SELECT) : color_attr(ROLE_TITLE);

	if (y + lines > maxy)
		lines = maxy - y;
	if (selected)
		vfill(w, y, 0, nw, na);
	vput(w, y, 0, 1, na, selected ? (vs.utf8 ? "\xe2\x96\xb8" : ">") :
	    " ");
	vput(w, y, 1, nw - 2, na, g->label);
	for (i = 0; i < lines; i++)
		vvline(w, y + i, nw, 1, color_attr(ROLE_FRAME));
	if (g->pair) {
		/* The pair's facts span the host columns. */
		int span = W - nw - 1;

		x = nw + 1;
		if (!expanded) {
			draw_compact(w, s, y, x, span, g, 0);
			return lines;
		}
		for (i = 0; i < lines && i < g->nf[0]; i++)
			draw_fact(w, s, y + i, x, span, g->f[0][i], 1, 1);
		return lines;
	}
	for (c = 0; c < s->n_hosts && c < HUB_MAX_HOSTS; c++) {
		x = nw + 1 + (int)c * (cw + 1);
		if (c > 0)
			for (i = 0; i < lines; i++)
				vvline(w, y + i, x - 1, 1,
				    color_attr(ROLE_FRAME));
		if (!expanded || g->nf[c] == 0) {
			draw_compact(w, s, y, x, cw, g, (int)c);
			continue;
		}
		for (i = 0; i < lines && i < g->nf[c]; i++)
			draw_fact(w, s, y + i, x, cw, g->f[c][i], 1, 1);
	}
	return lines;
}

/* Draw the overview. */
void
view_overview_draw(WINDOW *w, const struct snapshot *s)
{
	static struct vrows r;
	static int exp[VROWS_MAX];
	int H = getmaxy(w), W = getmaxx(w), nw = name_cols(W), cw, body,
	    total, k, y, first, hosts = 0, pairs = 0, extra;
	size_t nh = s->n_hosts > 0 ? s->n_hosts : 1;
	char alert[1024];
	enum level al;
	static const char *const keys[] = {
		"?", "help", "r", "refresh", "Enter", "detail", "j", "journal",
		"f", "failover", "c", "cutback", "d", "drill", "b", "backup",
		"s", "restore", "q", "quit", NULL
	};
	static const char *const keys_narrow[] = {
		"?", "help", "Enter", "detail", "j", "journal", "f/c/d",
		"flows", "b/s", "backup/restore", "q", "quit", NULL
	};
	static const char *const keys_busy[] = {
		"Tab", "runner", "?", "help", "r", "refresh", "Enter", "detail",
		"j", "journal", "q", "quit", NULL
	};

	vrows_build(s, &r);
	cw = (W - nw - 1) / (int)nh - 1;
	body = H - 5;
	vs.body_lines = body;
	vs.nrows = r.n;
	if (vs.sel >= r.n)
		vs.sel = r.n > 0 ? r.n - 1 : 0;
	if (vs.sel < 0)
		vs.sel = 0;
	for (k = 0; k < r.n; k++)
		snprintf(vs.row_group[k], sizeof vs.row_group[k], "%s%s",
		    r.g[k].pair ? "@" : "", r.g[k].name);

	draw_header(w, s);
	draw_titles(w, s, nw, cw);
	/* One line per row; then, in the runbook's order, a line per fact
	 * for each row that still fits. */
	for (k = 0; k < r.n; k++) {
		exp[k] = 0;
		if (r.g[k].pair)
			pairs = 1;
		else
			hosts = 1;
	}
	total = r.n + (pairs && hosts);
	for (k = 0; k < r.n; k++) {
		extra = group_lines(&r.g[k], s->n_hosts, 1) - 1;
		if (extra == 0 && cw >= 40)
			exp[k] = 1;	/* one line either way: labelled */
		else if (extra > 0 && total + extra <= body) {
			exp[k] = 1;
			total += extra;
		}
	}
	/* Keep the selection in sight. */
	if (vs.top > vs.sel)
		vs.top = vs.sel;
	for (;;) {
		int lines = 0;

		for (k = vs.top; k <= vs.sel && k < r.n; k++)
			lines += group_lines(&r.g[k], s->n_hosts, exp[k]) +
			    (k > vs.top && r.g[k].pair && !r.g[k - 1].pair);
		if (lines <= body || vs.top >= vs.sel)
			break;
		vs.top++;
	}
	first = vs.top;
	y = 3;
	if (r.n == 0)
		vput(w, y, 2, W - 4, color_attr(ROLE_STALE),
		    "no facts yet: the first probe round is running");
	for (k = first; k < r.n && y < 3 + body; k++) {
		if (k > first && r.g[k].pair && !r.g[k - 1].pair) {
			vhline(w, y, 0, W, color_attr(ROLE_FRAME));
			if (++y >= 3 + body)
				break;
		}
		y += draw_group(w, s, &r.g[k], y, 3 + body, nw, cw, exp[k],
		    k == vs.sel);
	}
	if (first > 0)
		vput(w, 3, W - 3, 3, A_DIM, vs.utf8 ? " \xe2\x96\xb2" : " ^");
	if (k < r.n)
		vput(w, 2 + body, W - 3, 3, A_DIM, vs.utf8 ? " \xe2\x96\xbc" :
		    " v");

	/* The alert line, or the last message. */
	al = valert_text(s, alert, sizeof alert);
	if (vs.status[0] != '\0')
		vput(w, H - 2, 1, W - 2, color_attr(ROLE_BANNER), vs.status);
	else if (al != LEVEL_OK) {
		char line[1100];

		snprintf(line, sizeof line, "%s %s", vsym(al), alert);
		vfill(w, H - 2, 0, W, color_attr(color_level_role(al)) |
		    A_REVERSE);
		vput(w, H - 2, 1, W - 2, color_attr(color_level_role(al)) |
		    A_REVERSE, line);
	} else {
		char line[64];

		snprintf(line, sizeof line, "%s all facts ok", vsym(LEVEL_OK));
		vput(w, H - 2, 1, W - 2, color_attr(ROLE_OK), line);
	}
	view_footer(w, vs.flow_active ? keys_busy : W >= 110 ? keys :
	    keys_narrow);
}

static void
ask_start(int ch)
{
	static const struct {
		int ch;
		enum ui_request req;
		const char *text;
	} acts[] = {
		{ 'f', REQ_FAILOVER, "Start FAILOVER? The backup becomes the "
		    "active host; each step is shown before it runs." },
		{ 'c', REQ_CUTBACK, "Start CUTBACK? The primary serves again; "
		    "each step is shown before it runs." },
		{ 'd', REQ_DRILL, "Start the failover DRILL? The primary is "
		    "cut off for the drill's minutes, then healed." },
		{ 'b', REQ_BACKUP, "Run a BACKUP now? Dump the primary, verify "
		    "it and ship it to the backup." },
		{ 's', REQ_RESTORE, "Run a RESTORE now on the backup? Staged "
		    "restore of the newest verified dump, swap on success." },
	};
	size_t i;

	if (vs.busy) {
		snprintf(vs.status, sizeof vs.status, "a flow or job runs "
		    "already: Tab shows it");
		return;
	}
	for (i = 0; i < sizeof acts / sizeof acts[0]; i++)
		if (acts[i].ch == ch)
			view_ask(acts[i].text, acts[i].req, NULL);
}

/* Keys of the overview. */
int
view_overview_key(int ch)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		if (vs.sel > 0)
			vs.sel--;
		return 1;
	case KEY_DOWN:
	case ' ':
		if (vs.sel + 1 < vs.nrows)
			vs.sel++;
		return 1;
	case KEY_HOME:
	case 'g':
		vs.sel = 0;
		return 1;
	case KEY_END:
	case 'G':
		vs.sel = vs.nrows > 0 ? vs.nrows - 1 : 0;
		return 1;
	case KEY_NPAGE:
		vs.sel += vs.body_lines > 2 ? vs.body_lines / 2 : 1;
		if (vs.sel >= vs.nrows)
			vs.sel = vs.nrows > 0 ? vs.nrows - 1 : 0;
		return 1;
	case KEY_PPAGE:
		vs.sel -= vs.body_lines > 2 ? vs.body_lines / 2 : 1;
		if (vs.sel < 0)
			vs.sel = 0;
		return 1;
	case '\n':
	case '\r':
	case KEY_ENTER:
	case KEY_RIGHT:
	case 'l':
		if (vs.nrows > 0) {
			snprintf(vs.detail_group, sizeof vs.detail_group, "%s",
			    vs.row_group[vs.sel]);
			vs.screen = SCREEN_DETAIL;
			vs.detail_top = 0;
		}
		return 1;
	case 'j':
		vs.screen = SCREEN_JOURNAL;
		vs.jscroll = 0;
		vs.req = REQ_JOURNAL_LOAD;
		return 1;
	case '?':
		vs.help = 1;
		return 1;
	case 'r':
		vs.req = REQ_REFRESH;
		return 1;
	case '\t':
		if (vs.flow_active)
			vs.screen = SCREEN_RUNNER;
		return 1;
	case 'f':
	case 'c':
	case 'd':
	case 'b':
	case 's':
		ask_start(ch);
		return 1;
	case 'q':
	case 'Q':
		if (vs.busy)
			view_ask("A flow or job runs. Quit anyway? A flow can be "
			    "resumed at the next start.", REQ_QUIT, NULL);
		else
			vs.req = REQ_QUIT;
		return 1;
	}
	return 0;
}
