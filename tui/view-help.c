/*
 * view-help.c: the help overlay (`?`): every key of the console and what
 * the symbols mean.  Main (UI) thread only; never blocks.
 */
#include "view.h"

#include <stdio.h>

static const char *const help_lines[] = {
	"Overview",
	"  Up/k Down/Space  select a row        Enter/l  its facts in detail",
	"  r  refresh now    j  the journal      Tab  the running flow",
	"  f  failover       c  cutback          d  drill",
	"  b  backup now     s  restore now      (each asks first)",
	"  q  quit (asks while a flow or job runs)",
	"Detail and journal",
	"  j/k Up/Down PgUp/PgDn  scroll         h/Esc  back",
	"  journal: H  filter by host   K  filter by kind",
	"Runner",
	"  y/n  answer      a word + Enter  a typed confirmation",
	"  Esc  abort (asks; the flow's safe-state steps run)",
	"  r retry  s skip  w wait  (when a step failed or runs long)",
	"Levels",
	NULL
};

/* Draw the help overlay. */
void
view_help_draw(WINDOW *w, const struct snapshot *s)
{
	int H = getmaxy(w), W = getmaxx(w), n = 0, bw = 74, bh, y, x, i;
	char buf[160];

	(void)s;
	while (help_lines[n] != NULL)
		n++;
	bh = n + 5;
	if (bw > W - 2)
		bw = W - 2;
	if (bh > H - 2)
		bh = H - 2;
	y = (H - bh) / 2;
	x = (W - bw) / 2;
	vbox(w, y, x, bh, bw, color_attr(ROLE_FRAME), "help");
	for (i = 0; i < n && i < bh - 4; i++)
		vput(w, y + 1 + i, x + 2, bw - 4, help_lines[i][0] != ' ' ?
		    color_attr(ROLE_TITLE) : A_NORMAL, help_lines[i]);
	if (i < bh - 3) {
		snprintf(buf, sizeof buf, "  %s ok  %s warn  %s crit  %s "
		    "unknown; dimmed: stale (with its age)", vsym(LEVEL_OK),
		    vsym(LEVEL_WARN), vsym(LEVEL_CRIT), vsym(LEVEL_UNKNOWN));
		vput(w, y + 1 + i, x + 2, bw - 4, A_NORMAL, buf);
	}
	vput(w, y + bh - 2, x + 2, bw - 4, color_attr(ROLE_KEY),
	    "? / Esc / q  close");
}

/* Keys while the help is open: any of ? Esc q closes it. */
int
view_help_key(int ch)
{
	if (ch == '?' || ch == VKEY_ESC || ch == 'q' || ch == '\n' ||
	    ch == '\r' || ch == KEY_ENTER || ch == 'h')
		vs.help = 0;
	return 1;
}
