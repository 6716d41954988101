/*
 * color.h: what things look like on the screen, by role.
 *
 * One table (color.c) gives every role a color pair and a monochrome
 * attribute.  The console is monochrome when the terminal has no colors,
 * when NO_COLOR is set (any value but empty) or with --color=off; then
 * every role maps to plain attributes (bold, dim, reverse, underline).
 * A level is never told by color alone: views also print its symbol.
 * Main (UI) thread only.
 */
#ifndef DRDECK_COLOR_H
#define DRDECK_COLOR_H

#include <curses.h>

#include "facts.h"

enum role {
	ROLE_NORMAL = 0,
	ROLE_OK,
	ROLE_WARN,
	ROLE_CRIT,
	ROLE_UNKNOWN,
	ROLE_STALE,
	ROLE_DANGER,	/* destructive prompts, split brain */
	ROLE_HEADER,
	ROLE_FOOTER,
	ROLE_SELECT,	/* the selected row */
	ROLE_TITLE,	/* section and column titles */
	ROLE_FRAME,	/* box lines */
	ROLE_BANNER,	/* STALE banner, too-small screen */
	ROLE_KEY,	/* a key name in the footer */
	ROLE__COUNT
};

enum color_mode { COLOR_MODE_AUTO = 0, COLOR_MODE_ON, COLOR_MODE_OFF };

/* After initscr / newterm: decide color or monochrome and set up pairs.
 * Returns 1 when colors are used. */
int color_init(enum color_mode mode);
/* 1 when the console draws in monochrome. */
int color_monochrome(void);
/* The attributes of a role (color pair or monochrome attribute). */
attr_t color_attr(enum role r);
/* The role that shows a level. */
enum role color_level_role(enum level l);
/* The role's name ("ok", "crit" ...), for tests and docs. */
const char *color_role_name(enum role r);

#endif
