/*
 * out.h: a snapshot as text for people, JSON, a Nagios line, and the
 * Prometheus textfile format.  Generic over facts: no probe is special
 * here, so a new probe needs no change in any renderer.
 *
 * Renderers write into a struct buf; only tui/ prints.  Pure functions of
 * the snapshot and the options, any thread.
 */
#ifndef DRDECK_OUT_H
#define DRDECK_OUT_H

#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "hub.h"

/* The version of the JSON document (docs/status-json.md). */
#define OUT_JSON_VERSION 1

struct out_opts {
	const char *pair;	/* the pair's name */
	int	 color;		/* ANSI colors (text) */
	int	 utf8;		/* UTF-8 symbols (text) */
	int64_t	 now_ms;	/* wall ms the levels are judged at */
	int64_t	 period_ms;	/* refresh period: older facts are stale
				   (0: never) */
	int	 width;		/* text: a cell is cut to this (0: 40) */
};

/* The worst effective level of everything: both hosts and the pair. */
enum level out_level(const struct snapshot *s, const struct out_opts *o);

/* The side-by-side table, then the problems with their details. */
void out_text(struct buf *b, const struct snapshot *s,
    const struct out_opts *o);
/* The JSON document, one line and a newline. */
void out_json(struct buf *b, const struct snapshot *s,
    const struct out_opts *o);
/* One line after the Monitoring Plugins guidelines, with perfdata. */
void out_nagios(struct buf *b, const struct snapshot *s,
    const struct out_opts *o);
/* The Prometheus text exposition format (no timestamps). */
void out_prom(struct buf *b, const struct snapshot *s,
    const struct out_opts *o);
/* out_prom() written atomically to path (path.tmp, fsync, rename),
 * mode 0644 (node_exporter reads it). */
int out_prom_write(const char *path, const struct snapshot *s,
    const struct out_opts *o, struct err *e) WUR;

#endif
