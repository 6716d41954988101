/*
 * ui.h: the console's loop (`drdeck`, `drdeck --wall`).
 *
 * ui_run() owns the terminal from start to end: it sets the locale and
 * detects UTF-8, starts curses, the hub and the poller, and then loops:
 * poll({stdin, hub wake-up, signals}, ms to the next clock tick), read
 * every key, carry out what the keys asked for, draw once from the
 * latest snapshot.  It never waits on the network: probes run on the
 * poller's threads, flows on the engine's, backup / restore now on a
 * worker thread of their own.  SIGWINCH relayouts; SIGINT, SIGTERM and
 * SIGHUP restore the terminal before ui_run returns.
 * Main thread only.
 */
#ifndef DRDECK_UI_H
#define DRDECK_UI_H

#include "color.h"
#include "config.h"
#include "err.h"

struct ui_opts {
	const struct config *cfg;
	int	 wall;		/* read-only wall display */
	int	 kiosk;		/* wall that no key quits */
	enum color_mode color;
};

/* Run the console until the operator quits or a signal ends it.
 * Returns 0, or -1 with e set (the terminal is restored either way).
 * *flow_left is 1 when the operator quit while a flow ran: its thread
 * still reads the config, which must then not be freed. */
int ui_run(const struct ui_opts *o, int *flow_left, struct err *e) WUR;

/* 1 when the current locale's character set is UTF-8 (after
 * setlocale(LC_ALL, "")). */
int ui_locale_utf8(void);

#endif
