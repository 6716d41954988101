/*
 * config-schema.c: the schema of the config file as a table: key path,
 * type, required, default, range, description, and where the value goes
 * in struct config.  The loader, the printer, `drdeck config check
 * --schema` and docs/config.md all read this one table.  Pure; any thread.
 */
#include "config-int.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "xmalloc.h"

static const char *const kind_names[] = { "primary", "backup", NULL };
static const char *const os_names[] = { "linux", "windows", NULL };
static const char *const transport_names[] = { "local", "ssh", NULL };
static const char *const shell_names[] = { "sh", "powershell", "cmd", NULL };

#define C(f)	offsetof(struct config, f)
#define H(f)	offsetof(struct host_cfg, f)
#define S(f)	offsetof(struct service_cfg, f)
#define NORANGE	0, 0
#define PORT	1, 65535
/* Durations: from one second to a year unless said otherwise. */
#define DAY	0, 1439		/* HH:MM within a day */
#define DURR	1, 365.0 * 86400

const struct ck config_schema[] = {
	{ "pair", CK_STR, CK_REQUIRED | CK_NONEMPTY, NULL, NORANGE, NULL,
	  C(pair), "the pair's name, shown in the title bar" },
	{ "public_url", CK_STR, CK_URL_HTTP, NULL, NORANGE, NULL, C(public_url),
	  "health URL as the world sees it (through DNS / the WAN IP)" },
	{ "poll_interval", CK_DUR, 0, "10s", 1, 3600, NULL, C(poll_interval),
	  "how often each host is probed" },
	{ "probe_timeout", CK_DUR, 0, "5s", 1, 600, NULL, C(probe_timeout),
	  "deadline of one probe" },
	{ "state_dir", CK_PATH, CK_DYNAMIC | CK_NONEMPTY,
	  "$XDG_STATE_HOME/drdeck or ~/.local/state/drdeck", NORANGE, NULL,
	  C(state_dir), "the console's own state folder (local)" },
	{ "lock_wait", CK_DUR, 0, "10m", 0, 86400, NULL, C(lock_wait),
	  "how long a job waits for a lock another job holds" },
	{ "watch", CK_DUR, 0, "5m", 0, 86400, NULL, C(watch),
	  "watch period after a failover or cutback" },
	{ "access_log", CK_STR, 0, NULL, NORANGE, NULL, C(access_log),
	  "NGINX access log on the hosts (optional)" },
	{ "manifest", CK_STR, 0, NULL, NORANGE, NULL, C(manifest.path),
	  "the runbook's extension manifest (pg_extensions.json); relative "
	  "to the config file's folder; absent = no parity check" },

	{ "journal", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "the local journal of events (JSON Lines)" },
	{ "journal.path", CK_PATH, CK_DYNAMIC | CK_NONEMPTY,
	  "<state_dir>/journal.jsonl", NORANGE, NULL, C(journal),
	  "the journal file" },
	{ "journal.max_size", CK_SIZE, 0, "16MiB", NORANGE, NULL,
	  C(journal_max), "size at which the journal is rotated" },
	{ "journal.keep", CK_INT, 0, "5", 1, 1000, NULL, C(journal_keep),
	  "rotated journal files kept" },

	{ "hosts", CK_ARR, CK_REQUIRED, NULL, NORANGE, NULL, 0,
	  "the hosts: exactly one of kind primary and one of kind backup" },
	{ "hosts[].name", CK_STR, CK_REQUIRED | CK_NONEMPTY, NULL, NORANGE,
	  NULL, H(name), "the host's name, unique (\"primary\", \"backup\")" },
	{ "hosts[].kind", CK_ENUM, CK_REQUIRED, NULL, NORANGE, kind_names,
	  H(kind), "the host's role by design" },
	{ "hosts[].os", CK_ENUM, 0, "linux", NORANGE, os_names, H(os),
	  "the host's operating system" },
	{ "hosts[].shell", CK_ENUM, CK_DYNAMIC,
	  "powershell on windows, sh on linux", NORANGE, shell_names,
	  H(shell), "the shell commands run in on the host" },
	{ "hosts[].transport", CK_ENUM, 0, "ssh", NORANGE, transport_names,
	  H(transport), "how the host is reached (local: this machine)" },
	{ "hosts[].address", CK_STR, CK_DYNAMIC,
	  "required with transport ssh; \"\" for local", NORANGE, NULL,
	  H(address), "host name or IP address for ssh" },
	{ "hosts[].timezone", CK_STR, 0, NULL, NORANGE, NULL, H(timezone),
	  "TZ of the times in its dump names (e.g. Europe/Berlin); absent = "
	  "the system's" },

	{ "hosts[].ssh", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "SSH settings (transport ssh)" },
	{ "hosts[].ssh.port", CK_INT, 0, "22", PORT, NULL, H(ssh.port),
	  "sshd port" },
	{ "hosts[].ssh.user", CK_STR, CK_DYNAMIC | CK_NONEMPTY,
	  "the local user name", NORANGE, NULL, H(ssh.user), "login user" },
	{ "hosts[].ssh.identity", CK_PATH, 0, NULL, NORANGE, NULL,
	  H(ssh.identity), "private key file (~ expanded); its passphrase "
	  "is asked for, never stored" },
	{ "hosts[].ssh.agent", CK_BOOL, 0, "true", NORANGE, NULL,
	  H(ssh.agent), "try ssh-agent first" },
	{ "hosts[].ssh.known_hosts", CK_PATH, 0, "~/.ssh/known_hosts",
	  NORANGE, NULL, H(ssh.known_hosts),
	  "known_hosts file; host keys are checked strictly" },
	{ "hosts[].ssh.connect_timeout", CK_DUR, 0, "10s", 1, 600, NULL,
	  H(ssh.connect_timeout), "deadline of the SSH connection" },
	{ "hosts[].ssh.keepalive", CK_DUR, 0, "15s", 0, 3600, NULL,
	  H(ssh.keepalive), "SSH keepalive interval (0 = off)" },

	{ "hosts[].postgres", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "PostgreSQL of the host; the password is never here (pgpass or "
	  "$PGPASSWORD)" },
	{ "hosts[].postgres.host", CK_STR, CK_NONEMPTY, "localhost", NORANGE,
	  NULL, H(pg.host), "server address as seen from the host itself" },
	{ "hosts[].postgres.port", CK_INT, 0, "5432", PORT, NULL, H(pg.port),
	  "server port" },
	{ "hosts[].postgres.dbname", CK_STR, CK_NONEMPTY, "rabspocdb",
	  NORANGE, NULL, H(pg.dbname), "the database" },
	{ "hosts[].postgres.user", CK_STR, CK_NONEMPTY, "postgres", NORANGE,
	  NULL, H(pg.user), "database user" },
	{ "hosts[].postgres.passfile", CK_PATH, 0, NULL, NORANGE, NULL,
	  H(pg.passfile), "pgpass file for the console's own connections" },
	{ "hosts[].postgres.tunnel", CK_BOOL, 0, "false", NORANGE, NULL,
	  H(pg.tunnel), "reach the server through an SSH tunnel" },
	{ "hosts[].postgres.bindir", CK_STR, 0, NULL, NORANGE, NULL,
	  H(pg.bindir), "folder of pg_dump / pg_restore on the host; "
	  "absent = PATH" },
	{ "hosts[].postgres.restore_jobs", CK_INT, 0, "0", 0, 64, NULL,
	  H(pg.restore_jobs), "pg_restore -j (0 = the host's cores)" },
	{ "hosts[].postgres.connect_timeout", CK_DUR, 0, "5s", 1, 600, NULL,
	  H(pg.connect_timeout), "libpq connect_timeout" },
	{ "hosts[].postgres.sanity", CK_STRV, 0, "[]", NORANGE, NULL,
	  H(pg.sanity), "SQL queries that must each return a row after a "
	  "restore" },

	{ "hosts[].paths", CK_OBJ, CK_REQUIRED, NULL, NORANGE, NULL, 0,
	  "paths on that host" },
	{ "hosts[].paths.dumps", CK_STR, CK_REQUIRED | CK_NONEMPTY, NULL,
	  NORANGE, NULL, H(dumps), "the dump folder" },
	{ "hosts[].paths.logs", CK_STR, 0, NULL, NORANGE, NULL, H(logs),
	  "the runbook's log folder" },
	{ "hosts[].paths.state", CK_STR, 0, NULL, NORANGE, NULL, H(state),
	  "drdeck's state folder on the host (role, epoch, data stamp)" },
	{ "hosts[].paths.env_file", CK_STR, 0, NULL, NORANGE, NULL,
	  H(env_file), "the app's .env (hashed on its host, never read "
	  "here)" },
	{ "hosts[].paths.storage", CK_STRV, 0, "[]", NORANGE, NULL,
	  H(storage), "file storage folders" },
	{ "hosts[].paths.compare", CK_STRV, 0, "[]", NORANGE, NULL,
	  H(compare), "config files compared between the hosts (NGINX "
	  "vhost, service definitions)" },

	{ "hosts[].services", CK_ARR, 0, NULL, NORANGE, NULL, 0,
	  "the app's services in start order (backend, then web)" },
	{ "hosts[].services[].name", CK_STR, CK_REQUIRED | CK_NONEMPTY, NULL,
	  NORANGE, NULL, S(name), "service name (RABS-Backend, nginx)" },
	{ "hosts[].services[].start", CK_STRV, CK_DYNAMIC,
	  "[\"Start-Service\", NAME] on windows, [\"systemctl\", \"start\", "
	  "NAME] on linux", NORANGE, NULL, S(start),
	  "argv that starts it on the host" },
	{ "hosts[].services[].stop", CK_STRV, CK_DYNAMIC,
	  "[\"Stop-Service\", NAME] on windows, [\"systemctl\", \"stop\", "
	  "NAME] on linux", NORANGE, NULL, S(stop),
	  "argv that stops it on the host" },
	{ "hosts[].services[].status", CK_STRV, CK_DYNAMIC,
	  "[\"Get-Service\", NAME] on windows (running when its output says "
	  "Running), [\"systemctl\", \"is-active\", \"--quiet\", NAME] on "
	  "linux (exit 0 = running)", NORANGE, NULL, S(status),
	  "argv that tells whether it runs" },

	{ "hosts[].health", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "the app's health check on that host" },
	{ "hosts[].health.url", CK_STR, CK_URL_HTTP, NULL, NORANGE, NULL,
	  H(health_url), "health URL as seen from the host (200 = up)" },
	{ "hosts[].health.tunnel", CK_BOOL, 0, "false", NORANGE, NULL,
	  H(health_tunnel), "fetch it through an SSH tunnel" },

	{ "thresholds", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "levels of the facts" },
	{ "thresholds.rpo", CK_DUR, 0, "3h", 60, 30 * 86400, NULL, C(th.rpo),
	  "recovery point objective: the most data the backup may lag" },
	{ "thresholds.warn_pct", CK_INT, 0, "80", 1, 100, NULL,
	  C(th.warn_pct), "warn when exposure passes this % of the RPO" },
	{ "thresholds.min_disk_free", CK_SIZE, 0, "1GiB", NORANGE, NULL,
	  C(th.min_disk_free), "minimum free space on a dump disk" },
	{ "thresholds.dump_size_factor", CK_REAL, 0, "2.0", 1, 100, NULL,
	  C(th.dump_size_factor),
	  "free space must be at least the latest dump times this" },
	{ "thresholds.storage_lag", CK_DUR, 0, "15m", DURR, NULL,
	  C(th.storage_lag), "storage folders may differ this long" },
	{ "thresholds.clock_skew", CK_DUR, 0, "30s", DURR, NULL,
	  C(th.clock_skew), "clock difference between hosts that warns" },
	{ "thresholds.restore_row_pct", CK_INT, 0, "50", 0, 100, NULL,
	  C(th.restore_row_pct),
	  "a staged restore needs at least this % of the live rows" },
	{ "thresholds.part_age", CK_DUR, 0, "1h", DURR, NULL, C(th.part_age),
	  "a .part file older than this is reported" },

	{ "schedule", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "the runbook's cadence" },
	{ "schedule.daytime_every", CK_DUR, 0, "3h", 60, 86400, NULL,
	  C(schedule.daytime_every), "daytime dump interval" },
	{ "schedule.daytime_start", CK_HHMM, 0, "00:00", DAY, NULL,
	  C(schedule.daytime_start), "first daytime slot" },
	{ "schedule.daytime_end", CK_HHMM, 0, "24:00", 1, 1440, NULL,
	  C(schedule.daytime_end), "daytime slots end here" },
	{ "schedule.restore_stagger", CK_DUR, 0, "10m", 0, 86400, NULL,
	  C(schedule.restore_stagger),
	  "the backup restores this long after the primary dumps" },
	{ "schedule.nightly_backup", CK_HHMM, 0, "00:00", DAY, NULL,
	  C(schedule.nightly_backup), "nightly hard backup on the primary" },
	{ "schedule.nightly_restore", CK_HHMM, 0, "00:30", DAY, NULL,
	  C(schedule.nightly_restore), "nightly restore on the backup" },
	{ "schedule.keep_daytime", CK_INT, 0, "8", 1, 10000, NULL,
	  C(schedule.keep_daytime), "daytime dumps kept" },
	{ "schedule.keep_nightly", CK_INT, 0, "7", 1, 10000, NULL,
	  C(schedule.keep_nightly), "nightly dumps kept" },

	{ "cutover", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "hooks that move the traffic (DNS or WAN IP)" },
	{ "cutover.to_backup", CK_STRV, 0, "[]", NORANGE, NULL,
	  C(cutover_to_backup),
	  "argv run locally to send traffic to the backup; [] = a manual "
	  "step" },
	{ "cutover.to_primary", CK_STRV, 0, "[]", NORANGE, NULL,
	  C(cutover_to_primary),
	  "argv run locally to send traffic back to the primary; [] = a "
	  "manual step" },

	{ "drill", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "the monthly failover drill" },
	{ "drill.outage", CK_STRV, 0, "[]", NORANGE, NULL, C(drill.outage),
	  "argv run locally to cut the primary off; [] = a manual step" },
	{ "drill.heal", CK_STRV, 0, "[]", NORANGE, NULL, C(drill.heal),
	  "argv run locally to undo the outage" },
	{ "drill.duration", CK_DUR, 0, "15m", DURR, NULL, C(drill.duration),
	  "how long the drill's outage lasts" },
	{ "drill.target_rto", CK_DUR, 0, "1h", DURR, NULL,
	  C(drill.target_rto), "recovery time objective the drill is "
	  "measured against" },
	{ "drill.interval", CK_DUR, 0, "30d", DURR, NULL, C(drill.interval),
	  "a drill is due this long after the last one" },
	{ "drill.login_url", CK_STR, CK_URL_HTTP, NULL, NORANGE, NULL,
	  C(drill.login_url), "optional end-to-end check after the cutover" },

	{ "alerts", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "where alerts go (SMTP and/or a command)" },
	{ "alerts.smtp", CK_OBJ, 0, NULL, NORANGE, NULL, 0,
	  "mail; the password comes from $DRDECK_SMTP_PASSWORD" },
	{ "alerts.smtp.url", CK_STR, CK_URL_SMTP, NULL, NORANGE, NULL,
	  C(alerts.smtp_url), "smtp://host:port or smtps://host:port; "
	  "absent = no mail" },
	{ "alerts.smtp.from", CK_STR, 0, NULL, NORANGE, NULL,
	  C(alerts.smtp_from), "sender address" },
	{ "alerts.smtp.to", CK_STRV, 0, "[]", NORANGE, NULL,
	  C(alerts.smtp_to), "recipient addresses" },
	{ "alerts.smtp.user", CK_STR, 0, NULL, NORANGE, NULL,
	  C(alerts.smtp_user), "SMTP login user" },
	{ "alerts.command", CK_STRV, 0, "[]", NORANGE, NULL,
	  C(alerts.command), "argv run locally with the alert on stdin" },
};

const size_t config_schema_len = sizeof config_schema /
    sizeof config_schema[0];

enum ck_base
ck_base(const struct ck *k)
{
	if (strncmp(k->path, "hosts[].services[].", 19) == 0)
		return CK_BASE_SERVICE;
	if (strncmp(k->path, "hosts[].", 8) == 0)
		return CK_BASE_HOST;
	return CK_BASE_CONFIG;
}

const char *
ck_rel(const struct ck *k)
{
	switch (ck_base(k)) {
	case CK_BASE_SERVICE:
		return k->path + 19;
	case CK_BASE_HOST:
		return k->path + 8;
	default:
		return k->path;
	}
}

const struct ck *
ck_find(const char *path)
{
	size_t i;

	for (i = 0; i < config_schema_len; i++)
		if (strcmp(config_schema[i].path, path) == 0)
			return &config_schema[i];
	return NULL;
}

static void
enum_list(const struct ck *k, char *out, size_t len)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; k->names[i] != NULL && used < len; i++) {
		int w = snprintf(out + used, len - used, "%s\"%s\"",
		    i == 0 ? "" : k->names[i + 1] == NULL ? " or " : ", ",
		    k->names[i]);

		if (w < 0)
			break;
		used += (size_t)w;
	}
}

void
ck_expect(const struct ck *k, char *out, size_t len)
{
	char names[128], lo[32], hi[32];

	switch (k->type) {
	case CK_OBJ:
		snprintf(out, len, "an object");
		break;
	case CK_ARR:
		snprintf(out, len, "an array of objects");
		break;
	case CK_STR:
	case CK_PATH:
		if (k->flags & CK_URL_HTTP)
			snprintf(out, len, "an http:// or https:// URL");
		else if (k->flags & CK_URL_SMTP)
			snprintf(out, len, "an smtp:// or smtps:// URL");
		else
			snprintf(out, len, (k->flags & CK_NONEMPTY) ?
			    "a non-empty string" : "a string");
		break;
	case CK_INT:
		snprintf(out, len, "an integer in %.0f..%.0f", k->min, k->max);
		break;
	case CK_BOOL:
		snprintf(out, len, "true or false");
		break;
	case CK_DUR:
		cfg_fmt_duration((int64_t)k->min, lo, sizeof lo);
		cfg_fmt_duration((int64_t)k->max, hi, sizeof hi);
		snprintf(out, len, "a duration such as \"3h\", \"90m\" or "
		    "\"1h30m\" in %s..%s", k->min == 0 ? "0s" : lo, hi);
		break;
	case CK_SIZE:
		snprintf(out, len, "a size such as \"5GiB\" or \"512MB\"");
		break;
	case CK_HHMM:
		snprintf(out, len, "a time of day \"HH:MM\" in "
		    "%02d:%02d..%02d:%02d", (int)k->min / 60, (int)k->min % 60,
		    (int)k->max / 60, (int)k->max % 60);
		break;
	case CK_REAL:
		snprintf(out, len, "a number in %g..%g", k->min, k->max);
		break;
	case CK_STRV:
		snprintf(out, len, "an array of strings");
		break;
	case CK_ENUM:
		enum_list(k, names, sizeof names);
		snprintf(out, len, "one of %s", names);
		break;
	}
}

static const char *
type_name(enum ck_type t)
{
	switch (t) {
	case CK_OBJ:	return "object";
	case CK_ARR:	return "array";
	case CK_STR:	return "string";
	case CK_PATH:	return "path";
	case CK_INT:	return "integer";
	case CK_BOOL:	return "boolean";
	case CK_DUR:	return "duration";
	case CK_SIZE:	return "size";
	case CK_HHMM:	return "HH:MM";
	case CK_REAL:	return "number";
	case CK_STRV:	return "string array";
	case CK_ENUM:	return "enum";
	}
	return "?";
}

/* Print the schema table as Markdown (docs/config.md holds the same). */
void
config_schema_print(FILE *out)
{
	size_t i;

	fprintf(out, "| Key | Type | Required | Default | Range | "
	    "Description |\n");
	fprintf(out, "|---|---|---|---|---|---|\n");
	for (i = 0; i < config_schema_len; i++) {
		const struct ck *k = &config_schema[i];
		char range[160];

		range[0] = '\0';
		if (k->type == CK_INT || k->type == CK_REAL)
			snprintf(range, sizeof range, "%g..%g", k->min, k->max);
		else if (k->type == CK_DUR) {
			char lo[32], hi[32];

			cfg_fmt_duration((int64_t)k->min, lo, sizeof lo);
			cfg_fmt_duration((int64_t)k->max, hi, sizeof hi);
			snprintf(range, sizeof range, "%s..%s", lo, hi);
		} else if (k->type == CK_ENUM)
			enum_list(k, range, sizeof range);
		else if (k->type == CK_HHMM)
			snprintf(range, sizeof range, "%02d:%02d..%02d:%02d",
			    (int)k->min / 60, (int)k->min % 60,
			    (int)k->max / 60, (int)k->max % 60);
		fprintf(out, "| `%s` | %s | %s | %s | %s | %s |\n", k->path,
		    type_name(k->type),
		    (k->flags & CK_REQUIRED) ? "yes" : "no",
		    k->def == NULL ? "-" : k->def, range, k->desc);
	}
}
