/*
 * report.h: the report a flow leaves behind, as Markdown and JSON.
 *
 * <state_dir>/reports/drill-YYYY-MM-DD.md|json for a drill (a second
 * drill on the same day gets -2, -3 ...), FLOW-YYYY-MM-DD-HHMM.md|json
 * for a failover or cutback.  Both files 0600.  The measures:
 *   RTO         from the RTO clock's start (the outage, or the flow's
 *               start) to the moment the backup served from outside;
 *   data loss   the window of writes lost: from the data stamp of what
 *               the backup holds to the outage (zero when salvaged);
 *   downtime    of a cutback: from stopping the active backup's app to
 *               the primary serving again.
 * The format functions are pure (unit tested); report_write() runs on the
 * flow's worker thread and writes local files only.
 */
#ifndef DRDECK_REPORT_H
#define DRDECK_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

struct flow_ctx;

struct report_step {
	char	*id;
	char	*title;
	char	*section;
	char	*state;
	int64_t	 started_at;
	int64_t	 duration_ms;
	char	*message;
};

struct report_data {
	char	*flow;		/* "drill" */
	char	*id;
	char	*pair;
	char	*actor;
	int64_t	 started_at;	/* wall ms */
	int64_t	 finished_at;
	int	 ok;		/* every step done or skipped */
	/* measures; 0 = not measured */
	int64_t	 rto_start;
	int64_t	 rto_end;
	int64_t	 rto_target_ms;
	int64_t	 loss_from;	/* data stamp of what survived */
	int64_t	 loss_to;	/* the outage */
	int	 salvaged;
	int64_t	 rpo_ms;
	int64_t	 downtime_from;
	int64_t	 downtime_to;
	char	*notes;
	struct report_step *steps;
	size_t	 n_steps;
};

void report_data_free(struct report_data *d);
/* Markdown / JSON of a report (pure). */
void report_format_md(const struct report_data *d, struct buf *out);
char *report_format_json(const struct report_data *d);
/* Parse a report's JSON back (drill history); 0 or -1. */
int report_parse_json(const char *json, struct report_data *d,
    struct err *e) WUR;

/* Gather the flow's results and write both files; *path gets the .md
 * path (new string). */
int report_write(struct flow_ctx *x, char **path, struct err *e) WUR;

#endif
