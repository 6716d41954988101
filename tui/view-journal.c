/*
 * view-journal.c: the journal's last events, newest at the bottom;
 * scrolls, filters by host (H) and kind (K).  The loop reads the tail
 * (journal_tail) into vs.jt when the screen opens and on refresh; this
 * file only draws it.  Main (UI) thread only; never blocks.
 */
#include "view.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define JKINDS 5

static int
shown(const struct journal_event *ev, const char *host)
{
	if (host != NULL && (ev->host == NULL || strcmp(ev->host, host) != 0))
		return 0;
	if (vs.jkind >= 0 && (int)ev->kind != vs.jkind)
		return 0;
	return 1;
}

/* Draw the journal screen. */
void
view_journal_draw(WINDOW *w, const struct snapshot *s)
{
	static const char *const keys[] = {
		"j/k", "scroll", "H", "host", "K", "kind", "r", "reload",
		"h/Esc", "back", NULL
	};
	int H = getmaxy(w), W = getmaxx(w), body = H - 4, n = 0, i, y, first;
	const char *host = NULL;
	char buf[1200], t[32], dur[32];
	size_t k;

	if (vs.jhost >= (int)s->n_hosts)
		vs.jhost = -1;
	if (vs.jhost >= 0)
		host = s->hosts[vs.jhost].host;
	vfill(w, 0, 0, W, color_attr(ROLE_HEADER));
	snprintf(buf, sizeof buf, " drdeck %s %s journal %s  host: %s  "
	    "kind: %s", vs.pair != NULL ? vs.pair : "", vs.utf8 ?
	    "\xe2\x94\x82" : "|", vs.jpath, host != NULL ? host : "all",
	    vs.jkind >= 0 ? journal_kind_name((enum journal_kind)vs.jkind) :
	    "all");
	vput(w, 0, 0, W, color_attr(ROLE_HEADER) | A_BOLD, buf);
	snprintf(buf, sizeof buf, "%-8s  %-8s %-5s %-16s %3s %7s  %s", "time",
	    "host", "kind", "action", "rc", "took", "message");
	vput(w, 1, 1, W - 2, color_attr(ROLE_TITLE), buf);
	if (vs.jt != NULL)
		for (k = 0; k < vs.jt->n; k++)
			n += shown(&vs.jt->ev[k], host);
	vs.jlines = n;
	vs.body_lines = body;
	if (vs.jscroll > n - body)
		vs.jscroll = n - body > 0 ? n - body : 0;
	if (vs.jt == NULL || n == 0) {
		vput(w, 3, 2, W - 4, color_attr(ROLE_STALE), vs.jt == NULL ?
		    "the journal could not be read" : vs.jt->n == 0 ?
		    "the journal is empty: nothing was done yet" :
		    "no event matches the filter");
		view_footer(w, keys);
		return;
	}
	/* The events [first, first + body) of the filtered list. */
	first = n - body - vs.jscroll;
	if (first < 0)
		first = 0;
	i = 0;
	y = 2;
	for (k = 0; k < vs.jt->n && y < 2 + body; k++) {
		const struct journal_event *ev = &vs.jt->ev[k];
		attr_t a = A_NORMAL;

		if (!shown(ev, host))
			continue;
		if (i++ < first)
			continue;
		if (ev->duration_ms >= 0)
			fmt_duration(ev->duration_ms / 1000, dur, sizeof dur);
		else
			snprintf(dur, sizeof dur, "-");
		if (ev->rc != 0)
			a = color_attr(ROLE_CRIT);
		else if (ev->kind == JK_ALERT)
			a = color_attr(ROLE_WARN);
		snprintf(buf, sizeof buf, "%-8s  %-8.8s %-5.5s %-16.16s %3d "
		    "%7s  %s", vclock(ev->ts, t, sizeof t, 1), ev->host !=
		    NULL ? ev->host : "-", journal_kind_name(ev->kind),
		    ev->action != NULL ? ev->action : "-", ev->rc, dur,
		    ev->message != NULL ? ev->message : "");
		vput(w, y++, 1, W - 2, a, buf);
	}
	if (vs.jt->skipped > 0) {
		snprintf(buf, sizeof buf, "%zu torn line(s) skipped",
		    vs.jt->skipped);
		vput(w, H - 2, 1, W - 2, A_DIM, buf);
	} else {
		snprintf(buf, sizeof buf, "%d event(s)%s", n, vs.jscroll ?
		    ", scrolled up" : "");
		vput(w, H - 2, 1, W - 2, A_DIM, buf);
	}
	view_footer(w, keys);
}

/* Keys of the journal screen. */
int
view_journal_key(int ch)
{
	int max = vs.jlines - vs.body_lines;

	if (max < 0)
		max = 0;
	switch (ch) {
	case KEY_UP:
	case 'k':
		if (vs.jscroll < max)
			vs.jscroll++;
		return 1;
	case KEY_DOWN:
	case 'j':
		if (vs.jscroll > 0)
			vs.jscroll--;
		return 1;
	case KEY_PPAGE:
		vs.jscroll += vs.body_lines;
		if (vs.jscroll > max)
			vs.jscroll = max;
		return 1;
	case KEY_NPAGE:
	case ' ':
		vs.jscroll -= vs.body_lines;
		if (vs.jscroll < 0)
			vs.jscroll = 0;
		return 1;
	case KEY_HOME:
	case 'g':
		vs.jscroll = max;
		return 1;
	case KEY_END:
	case 'G':
		vs.jscroll = 0;
		return 1;
	case 'H':
		vs.jhost++;
		vs.jscroll = 0;
		return 1;
	case 'K':
		vs.jkind = vs.jkind + 1 >= JKINDS ? -1 : vs.jkind + 1;
		vs.jscroll = 0;
		return 1;
	case 'r':
		vs.req = REQ_JOURNAL_LOAD;
		return 1;
	case '?':
		vs.help = 1;
		return 1;
	case KEY_LEFT:
	case 'h':
	case VKEY_ESC:
	case 'q':
		vs.screen = SCREEN_OVERVIEW;
		return 1;
	}
	return 0;
}
