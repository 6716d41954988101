/*
 * color.c: the role table (ncdu UI_COLORS, htop COLORSCHEME_MONOCHROME).
 * Main (UI) thread only; never blocks.
 */
#include "color.h"

#include <stdlib.h>

struct role_def {
	const char *name;
	short	 fg, bg;	/* -1: the terminal's default */
	attr_t	 color_extra;	/* added to the pair when in color */
	attr_t	 mono;		/* the whole look when monochrome */
};

/* One row per role: color column, monochrome column. */
static const struct role_def role_table[ROLE__COUNT] = {
	[ROLE_NORMAL]  = { "normal",  -1,            -1,        A_NORMAL,
	    A_NORMAL },
	[ROLE_OK]      = { "ok",      COLOR_GREEN,   -1,        A_NORMAL,
	    A_NORMAL },
	[ROLE_WARN]    = { "warn",    COLOR_YELLOW,  -1,        A_BOLD,
	    A_BOLD },
	[ROLE_CRIT]    = { "crit",    COLOR_RED,     -1,        A_BOLD,
	    A_BOLD | A_UNDERLINE },
	[ROLE_UNKNOWN] = { "unknown", COLOR_MAGENTA, -1,        A_NORMAL,
	    A_UNDERLINE },
	[ROLE_STALE]   = { "stale",   -1,            -1,        A_DIM,
	    A_DIM },
	[ROLE_DANGER]  = { "danger",  COLOR_WHITE,   COLOR_RED, A_BOLD,
	    A_REVERSE | A_BOLD },
	[ROLE_HEADER]  = { "header",  COLOR_BLACK,   COLOR_CYAN, A_NORMAL,
	    A_REVERSE },
	[ROLE_FOOTER]  = { "footer",  COLOR_BLACK,   COLOR_WHITE, A_NORMAL,
	    A_REVERSE },
	[ROLE_SELECT]  = { "select",  -1,            COLOR_BLUE, A_BOLD,
	    A_REVERSE },
	[ROLE_TITLE]   = { "title",   COLOR_CYAN,    -1,        A_BOLD,
	    A_BOLD },
	[ROLE_FRAME]   = { "frame",   COLOR_BLUE,    -1,        A_NORMAL,
	    A_NORMAL },
	[ROLE_BANNER]  = { "banner",  COLOR_BLACK,   COLOR_YELLOW, A_BOLD,
	    A_REVERSE | A_BOLD },
	[ROLE_KEY]     = { "key",     COLOR_YELLOW,  -1,        A_BOLD,
	    A_BOLD },
};

static int mono = 1;

int
color_init(enum color_mode mode)
{
	const char *nc = getenv("NO_COLOR");
	int i;

	mono = 1;
	if (mode == COLOR_MODE_OFF)
		return 0;
	if (mode == COLOR_MODE_AUTO && nc != NULL && *nc != '\0')
		return 0;
	if (!has_colors() || start_color() == ERR)
		return 0;
	use_default_colors();
	for (i = 1; i < ROLE__COUNT; i++)
		init_pair((short)i, role_table[i].fg, role_table[i].bg);
	mono = 0;
	return 1;
}

int
color_monochrome(void)
{
	return mono;
}

attr_t
color_attr(enum role r)
{
	if (r < 0 || r >= ROLE__COUNT)
		r = ROLE_NORMAL;
	if (mono)
		return role_table[r].mono;
	if (r == ROLE_NORMAL)
		return A_NORMAL;
	return (attr_t)COLOR_PAIR(r) | role_table[r].color_extra;
}

enum role
color_level_role(enum level l)
{
	switch (l) {
	case LEVEL_OK:
		return ROLE_OK;
	case LEVEL_WARN:
		return ROLE_WARN;
	case LEVEL_CRIT:
		return ROLE_CRIT;
	case LEVEL_UNKNOWN:
		break;
	}
	return ROLE_UNKNOWN;
}

const char *
color_role_name(enum role r)
{
	if (r < 0 || r >= ROLE__COUNT)
		return "?";
	return role_table[r].name;
}
