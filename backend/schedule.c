/*
 * schedule.c: `drdeck schedule print` — the jobs' scheduler entries,
 * from the config's schedule section (runbook §2):
 *   - backup on the primary at each daytime slot (daytime_start, every
 *     daytime_every, before daytime_end), the nightly slot excepted;
 *   - restore on the backup restore_stagger after each of those;
 *   - the nightly hard backup at nightly_backup, its restore at
 *     nightly_restore.
 * A linux host gets cron lines and systemd service + timer units, a
 * windows host Task Scheduler XML (schtasks /Create /XML).  Times are the
 * host's local time (CRON_TZ / the OnCalendar zone when a timezone is
 * configured).  Writes to the stream it is given; main thread.
 */
#include "jobs.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define DAY_MIN (24 * 60)

struct slots {
	int	 v[DAY_MIN];	/* minutes after midnight */
	int	 n;
};

/* The daytime backup slots, in minutes, the nightly one left out. */
static void
daytime_slots(const struct schedule_cfg *s, struct slots *out)
{
	int every = (int)(s->daytime_every / 60), m;

	out->n = 0;
	if (every <= 0)
		every = 180;
	for (m = s->daytime_start; m < s->daytime_end && m < DAY_MIN;
	    m += every)
		if (m != s->nightly_backup)
			out->v[out->n++] = m;
}

static void
shift(const struct slots *in, int by, struct slots *out)
{
	int i;

	out->n = in->n;
	for (i = 0; i < in->n; i++)
		out->v[i] = ((in->v[i] + by) % DAY_MIN + DAY_MIN) % DAY_MIN;
}

/* Cron lines: one per distinct minute, with the hours as a list. */
static void
cron_lines(FILE *out, const struct slots *s, const char *cmd)
{
	int done[DAY_MIN] = { 0 }, i, k;

	for (i = 0; i < s->n; i++) {
		int min = s->v[i] % 60, first = 1;

		if (done[i])
			continue;
		fprintf(out, "%d ", min);
		for (k = i; k < s->n; k++) {
			if (done[k] || s->v[k] % 60 != min)
				continue;
			done[k] = 1;
			fprintf(out, "%s%d", first ? "" : ",", s->v[k] / 60);
			first = 0;
		}
		fprintf(out, " * * * %s\n", cmd);
	}
}

static const char *
host_of_kind(const struct config *c, enum host_kind k)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		if (c->hosts[i].kind == k)
			return c->hosts[i].name;
	return NULL;
}

struct task {
	const char *id;		/* drdeck-backup */
	char	*what;		/* one line */
	char	*cmd;		/* the whole command line */
	char	*args;		/* the arguments after the program */
	struct slots at;
};

static void
systemd_units(FILE *out, const struct task *t, const char *tz,
    const char *drdeck)
{
	int i;

	fprintf(out, "# --- /etc/systemd/system/%s.service ---\n", t->id);
	fprintf(out, "[Unit]\nDescription=drdeck: %s\n"
	    "After=network-online.target postgresql.service\n"
	    "Wants=network-online.target\n\n"
	    "[Service]\nType=oneshot\nExecStart=%s\n\n", t->what, t->cmd);
	fprintf(out, "# --- /etc/systemd/system/%s.timer ---\n", t->id);
	fprintf(out, "[Unit]\nDescription=drdeck: %s (timer)\n\n[Timer]\n",
	    t->what);
	for (i = 0; i < t->at.n; i++)
		fprintf(out, "OnCalendar=*-*-* %02d:%02d:00%s%s\n",
		    t->at.v[i] / 60, t->at.v[i] % 60, tz != NULL ? " " : "",
		    tz != NULL ? tz : "");
	fprintf(out, "Persistent=false\nAccuracySec=1s\n\n[Install]\n"
	    "WantedBy=timers.target\n\n");
	(void)drdeck;
}

/* XML text: & < > " escaped. */
static void
xml_text(FILE *out, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static void
schtasks_xml(FILE *out, const struct task *t, const char *drdeck)
{
	int i;

	fprintf(out, "<!-- %s.xml: schtasks /Create /TN \"drdeck\\%s\" "
	    "/XML %s.xml /RU SYSTEM -->\n", t->id, t->id, t->id);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-16\"?>\n"
	    "<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/"
	    "windows/2004/02/mit/task\">\n"
	    "  <RegistrationInfo>\n    <Description>drdeck: ");
	xml_text(out, t->what);
	fprintf(out, "</Description>\n  </RegistrationInfo>\n"
	    "  <Triggers>\n");
	for (i = 0; i < t->at.n; i++)
		fprintf(out, "    <CalendarTrigger>\n"
		    "      <StartBoundary>2026-01-01T%02d:%02d:00"
		    "</StartBoundary>\n"
		    "      <Enabled>true</Enabled>\n"
		    "      <ScheduleByDay><DaysInterval>1</DaysInterval>"
		    "</ScheduleByDay>\n"
		    "    </CalendarTrigger>\n", t->at.v[i] / 60,
		    t->at.v[i] % 60);
	fprintf(out, "  </Triggers>\n"
	    "  <Settings>\n"
	    "    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\n"
	    "    <StartWhenAvailable>false</StartWhenAvailable>\n"
	    "    <ExecutionTimeLimit>PT6H</ExecutionTimeLimit>\n"
	    "    <Enabled>true</Enabled>\n"
	    "  </Settings>\n"
	    "  <Actions Context=\"Author\">\n"
	    "    <Exec>\n      <Command>");
	xml_text(out, drdeck);
	fprintf(out, "</Command>\n      <Arguments>");
	xml_text(out, t->args);
	fprintf(out, "</Arguments>\n    </Exec>\n  </Actions>\n</Task>\n\n");
}

static void
host_section(const struct config *c, const struct host_cfg *h,
    struct task *tasks, size_t n, const char *drdeck, FILE *out)
{
	size_t i;

	if (n == 0)
		return;
	fprintf(out, "#\n# ===== on %s (%s, %s) =====\n#\n", h->name,
	    h->kind == HOST_KIND_PRIMARY ? "primary" : "backup",
	    h->os == HOST_OS_WINDOWS ? "windows" : "linux");
	if (h->os == HOST_OS_WINDOWS) {
		fprintf(out, "# Task Scheduler: save each task below as its "
		    ".xml file and create it with the schtasks line above "
		    "it.\n\n");
		for (i = 0; i < n; i++)
			schtasks_xml(out, &tasks[i], drdeck);
		return;
	}
	fprintf(out, "# --- crontab (crontab -e as the user that runs "
	    "drdeck) ---\n");
	if (h->timezone != NULL)
		fprintf(out, "CRON_TZ=%s\n", h->timezone);
	for (i = 0; i < n; i++) {
		fprintf(out, "# %s\n", tasks[i].what);
		cron_lines(out, &tasks[i].at, tasks[i].cmd);
	}
	fprintf(out, "\n# --- or systemd: the units below, then systemctl "
	    "daemon-reload && systemctl enable --now");
	for (i = 0; i < n; i++)
		fprintf(out, " %s.timer", tasks[i].id);
	fprintf(out, " ---\n\n");
	for (i = 0; i < n; i++)
		systemd_units(out, &tasks[i], h->timezone, drdeck);
	(void)c;
}

void
schedule_print(const struct config *c, const char *drdeck_path, FILE *out)
{
	const struct schedule_cfg *s = &c->schedule;
	const char *pri = host_of_kind(c, HOST_KIND_PRIMARY);
	const char *bak = host_of_kind(c, HOST_KIND_BACKUP);
	char *abs = c->path != NULL ? realpath(c->path, NULL) : NULL;
	const char *cfg = abs != NULL ? abs : c->path != NULL ? c->path :
	    "config.json";
	struct task *tb = xcalloc(2, sizeof *tb), *tr = xcalloc(2, sizeof *tr);
	struct slots day;
	size_t i;
	char what[256];

	daytime_slots(s, &day);
	fprintf(out, "# drdeck schedule for the pair %s, from %s\n"
	    "# daytime backup every %" PRId64 " min from %02d:%02d to %02d:%02d"
	    ", restore %" PRId64 " min later; nightly backup %02d:%02d, "
	    "restore %02d:%02d.\n"
	    "# Jobs take the host's lock: one that finds it held waits up "
	    "to %" PRId64 " s, then fails naming the holder.\n",
	    c->pair != NULL ? c->pair : "", cfg, s->daytime_every / 60,
	    s->daytime_start / 60, s->daytime_start % 60, s->daytime_end / 60,
	    s->daytime_end % 60, s->restore_stagger / 60,
	    s->nightly_backup / 60, s->nightly_backup % 60,
	    s->nightly_restore / 60, s->nightly_restore % 60, c->lock_wait);

	tb[0].id = "drdeck-backup";
	tb[0].args = xasprintf("--config %s backup --host %s", cfg,
	    pri != NULL ? pri : "primary");
	snprintf(what, sizeof what, "daytime backup of %s", pri);
	tb[0].what = xstrdup(what);
	tb[0].at = day;
	tb[1].id = "drdeck-nightly";
	tb[1].args = xasprintf("--config %s backup --host %s --nightly", cfg,
	    pri != NULL ? pri : "primary");
	snprintf(what, sizeof what, "nightly hard backup of %s (app stopped "
	    "while it dumps)", pri);
	tb[1].what = xstrdup(what);
	tb[1].at.n = 1;
	tb[1].at.v[0] = s->nightly_backup;

	tr[0].id = "drdeck-restore";
	tr[0].args = xasprintf("--config %s restore --host %s --latest", cfg,
	    bak != NULL ? bak : "backup");
	snprintf(what, sizeof what, "staged restore on %s", bak);
	tr[0].what = xstrdup(what);
	shift(&day, (int)(s->restore_stagger / 60), &tr[0].at);
	tr[1].id = "drdeck-restore-nightly";
	tr[1].args = xstrdup(tr[0].args);
	snprintf(what, sizeof what, "restore of the nightly dump on %s", bak);
	tr[1].what = xstrdup(what);
	tr[1].at.n = 1;
	tr[1].at.v[0] = s->nightly_restore;

	for (i = 0; i < 2; i++) {
		tb[i].cmd = xasprintf("%s %s", drdeck_path, tb[i].args);
		tr[i].cmd = xasprintf("%s %s", drdeck_path, tr[i].args);
	}
	for (i = 0; i < c->n_hosts; i++) {
		const struct host_cfg *h = &c->hosts[i];

		if (pri != NULL && strcmp(h->name, pri) == 0)
			host_section(c, h, tb, 2, drdeck_path, out);
		else if (bak != NULL && strcmp(h->name, bak) == 0)
			host_section(c, h, tr, 2, drdeck_path, out);
	}
	for (i = 0; i < 2; i++) {
		free(tb[i].cmd);
		free(tb[i].args);
		free(tb[i].what);
		free(tr[i].cmd);
		free(tr[i].args);
		free(tr[i].what);
	}
	free(tb);
	free(tr);
	free(abs);
}
