/*
 * view-wall.c: the read-only wall display (`drdeck --wall`).  A large
 * layout of the same facts: one panel per host, a row per group, crit
 * rows in reverse video, the refresh age always in sight, a STALE banner
 * when a host's probes stop answering.  No key starts an action or opens
 * a prompt; q asks before quitting, and with --kiosk not even that.
 * Main (UI) thread only; never blocks.
 */
#include "view.h"

#include <stdio.h>
#include <string.h>

static const char *
level_word(enum level l)
{
	return l == LEVEL_OK ? "OK" : l == LEVEL_WARN ? "WARN" :
	    l == LEVEL_CRIT ? "CRIT" : "UNKNOWN";
}

/* A group's values on one line. */
static void
group_text(const struct snapshot *s, const struct vgroup *g, int col,
    char *buf, size_t len)
{
	size_t used = 0;
	int i, m;
	char t[32];

	buf[0] = '\0';
	if (g->nf[col] == 0) {
		snprintf(buf, len, "-");
		return;
	}
	for (i = 0; i < g->nf[col] && used < len; i++) {
		const struct fact *f = g->f[col][i];

		used += (size_t)snprintf(buf + used, len - used, "%s%s",
		    i ? (vs.utf8 ? " \xc2\xb7 " : " | ") : "", f->value);
		m = vfact_match(s, f);
		if (m >= 0 && used < len)
			used += (size_t)snprintf(buf + used, len - used, " %s",
			    m ? "=" : (vs.utf8 ? "\xe2\x89\xa0" : "!="));
		if (vfact_stale(f) && used < len)
			used += (size_t)snprintf(buf + used, len - used,
			    " (%s ago)", vage(f->observed_at, t, sizeof t));
	}
}

static void
draw_row(WINDOW *w, const struct snapshot *s, const struct vgroup *g,
    int col, int y, int x, int cols)
{
	enum level l = g->lv[col];
	attr_t a = A_NORMAL, sa;
	char buf[600];
	int used, lw = 14;

	if (g->nf[col] == 0) {
		vput(w, y, x + 2, lw, A_DIM, g->label);
		return;
	}
	if (l == LEVEL_CRIT)
		a = color_attr(ROLE_CRIT) | A_REVERSE;
	else if (g->stale[col])
		a = color_attr(ROLE_STALE);
	sa = l == LEVEL_CRIT ? a : color_attr(color_level_role(l));
	if (l == LEVEL_CRIT)
		vfill(w, y, x, cols, a);
	used = vput(w, y, x, cols, sa | A_BOLD, vsym(l));
	used += vput(w, y, x + used, cols - used, a, " ");
	vput(w, y, x + used, lw, a | A_BOLD, g->label);
	used += lw;
	group_text(s, g, col, buf, sizeof buf);
	vput(w, y, x + used, cols - used, a, buf);
}

/* Draw the wall display. */
void
view_wall_draw(WINDOW *w, const struct snapshot *s)
{
	static struct vrows r;
	int H = getmaxy(w), W = getmaxx(w), nh = s->n_hosts > 0 ?
	    (int)s->n_hosts : 1, pw, ph, k, y, x, rows = 0, pair_rows = 0,
	    spacing, top, c;
	enum level l = vsnap_level(s);
	char buf[400], t[32], age[32], role[64];
	attr_t la = color_attr(color_level_role(l));

	vrows_build(s, &r);
	for (k = 0; k < r.n; k++) {
		if (r.g[k].pair)
			pair_rows++;
		else
			rows++;
	}
	/* Header: the pair, the overall level, the age, the clock. */
	vfill(w, 0, 0, W, color_attr(ROLE_HEADER));
	snprintf(buf, sizeof buf, " %s ", vs.pair != NULL ? vs.pair :
	    "drdeck");
	x = vput(w, 0, 0, W, color_attr(ROLE_HEADER) | A_BOLD, buf);
	snprintf(buf, sizeof buf, " %s %s ", vsym(l), level_word(l));
	vput(w, 0, x + 1, W - x - 1, (color_monochrome() ?
	    color_attr(ROLE_HEADER) : la | A_REVERSE) | A_BOLD |
	    (l == LEVEL_CRIT ? A_BLINK : 0), buf);
	snprintf(buf, sizeof buf, " updated %s ago %s %s ", s->taken_at > 0 ?
	    vage(s->taken_at, age, sizeof age) : "never", vs.utf8 ?
	    "\xe2\x94\x82" : "|", vclock(vs.now_ms, t, sizeof t, 1));
	vput(w, 0, W - vwidth(buf), vwidth(buf), color_attr(ROLE_HEADER) |
	    A_BOLD, buf);

	/* The STALE banner. */
	y = 1;
	for (c = 0; c < nh && c < (int)s->n_hosts; c++) {
		const struct host_status *h = &s->hosts[c];

		/* (the first round is not stale: it has not ended yet) */
		if (!vhost_stale(h) || h->snapshot_at == 0)
			continue;
		if (h->snapshot_at > 0)
			snprintf(buf, sizeof buf, " STALE: %s is not answering; "
			    "last round %s ago ", h->host != NULL ? h->host :
			    "?", vage(h->snapshot_at, t, sizeof t));
		else
			snprintf(buf, sizeof buf, " STALE: no round of %s yet ",
			    h->host != NULL ? h->host : "?");
		vfill(w, y, 0, W, color_attr(ROLE_BANNER));
		vput(w, y, (W - vwidth(buf)) / 2 > 0 ? (W - vwidth(buf)) / 2 :
		    0, W, color_attr(ROLE_BANNER), buf);
		y++;
	}
	if (s->taken_at > 0 && vs.now_ms - s->taken_at > 3 * vs.period_ms +
	    5000) {
		snprintf(buf, sizeof buf, " STALE: nothing new for %s ",
		    vage(s->taken_at, t, sizeof t));
		vfill(w, y, 0, W, color_attr(ROLE_BANNER));
		vput(w, y, (W - vwidth(buf)) / 2, W, color_attr(ROLE_BANNER),
		    buf);
		y++;
	}
	top = y + 1;

	/* Panels side by side; a row per group, spaced out when it fits. */
	pw = W / nh;
	ph = H - top - 2 - (pair_rows > 0 ? pair_rows + 1 : 0);
	spacing = rows > 0 && rows * 2 + 3 <= ph ? 2 : 1;
	for (c = 0; c < nh && c < (int)s->n_hosts; c++) {
		const struct host_status *h = &s->hosts[c];
		enum level hl = host_status_level(h, vs.now_ms, vs.period_ms);
		int px = c * pw, py = top;

		snprintf(buf, sizeof buf, "%s  %s", h->host != NULL ? h->host :
		    "?", vhost_role(h, role, sizeof role));
		vbox(w, py, px, ph, pw - (c + 1 < nh ? 1 : 0),
		    color_attr(ROLE_FRAME), buf);
		snprintf(buf, sizeof buf, "%s %s", vsym(hl), level_word(hl));
		vput(w, py + 1, px + 2, pw - 4, color_attr(color_level_role(
		    hl)) | A_BOLD | (hl == LEVEL_CRIT ? A_REVERSE : 0), buf);
		if (h->snapshot_at == 0) {
			vput(w, py + 1, px + 12, pw - 14, A_DIM,
			    "first probe round running");
		} else if (vhost_stale(h)) {
			snprintf(buf, sizeof buf, "not answering (last round "
			    "%s ago)", vage(h->snapshot_at, t, sizeof t));
			vput(w, py + 1, px + 12, pw - 14,
			    color_attr(ROLE_UNKNOWN), buf);
		}
		y = py + 3;
		for (k = 0; k < r.n; k++) {
			if (r.g[k].pair)
				continue;
			if (y >= py + ph - 1)
				break;
			draw_row(w, s, &r.g[k], c, y, px + 2, pw - 5);
			y += spacing;
		}
	}
	/* The pair's facts under the panels. */
	y = top + ph;
	for (k = 0; k < r.n && y < H - 2; k++) {
		if (!r.g[k].pair)
			continue;
		draw_row(w, s, &r.g[k], 0, y++, 2, W - 4);
	}
	/* The alert line and what the wall is. */
	{
		char alert[1024];
		enum level al = valert_text(s, alert, sizeof alert);

		if (al != LEVEL_OK) {
			snprintf(buf, sizeof buf, "%s %s", vsym(al), alert);
			vfill(w, H - 2, 0, W, color_attr(color_level_role(al)) |
			    A_REVERSE);
			vput(w, H - 2, 1, W - 2, color_attr(color_level_role(
			    al)) | A_REVERSE | A_BOLD, buf);
		}
	}
	vput(w, H - 1, 1, W - 2, A_DIM, vs.kiosk ? "read-only wall display" :
	    "read-only wall display   q quit");
}

/* Keys of the wall: only q (after a confirmation), never in kiosk mode. */
int
view_wall_key(int ch)
{
	if ((ch == 'q' || ch == 'Q') && !vs.kiosk)
		view_ask("Quit the wall display?", REQ_QUIT, NULL);
	return 1;
}
