/*
 * config.h: the validated configuration of a pair.
 *
 * config_load() reads one JSON file (cJSON), checks it against the schema
 * table in config-schema.c and fills a struct config.  cJSON types never
 * leave this module.  Every string in the struct is owned by it; a loaded
 * config is immutable and may be read by any thread.  Durations are in
 * seconds, sizes in bytes.  No secret is ever held here: passwords come
 * from pgpass or the environment, key passphrases from a prompt or the
 * environment.  docs/config.md documents every key and its default.
 */
#ifndef DRDECK_CONFIG_H
#define DRDECK_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"
#include "strv.h"

enum host_os { HOST_OS_LINUX, HOST_OS_WINDOWS };
enum host_shell { HOST_SHELL_SH, HOST_SHELL_POWERSHELL, HOST_SHELL_CMD };
enum host_transport { HOST_TRANSPORT_LOCAL, HOST_TRANSPORT_SSH };
/* The role a host has by design; the live role (primary / standby /
 * active) and the epoch are in the host's state file (backend/state.h). */
enum host_kind { HOST_KIND_PRIMARY, HOST_KIND_BACKUP };

struct ssh_cfg {
	int	 port;		/* default 22 */
	char	*user;		/* default: the local user name */
	char	*identity;	/* private key file, ~ expanded; may be NULL */
	int	 agent;		/* try ssh-agent first; default 1 */
	char	*known_hosts;	/* default ~/.ssh/known_hosts */
	int64_t	 connect_timeout;	/* seconds; default 10 */
	int64_t	 keepalive;	/* seconds; default 15 */
};

struct pg_cfg {
	char	*host;		/* as seen from the host itself; default localhost */
	int	 port;		/* default 5432 */
	char	*dbname;	/* default rabspocdb */
	char	*user;		/* default postgres */
	char	*passfile;	/* pgpass file for the console's libpq; may be NULL */
	int	 tunnel;	/* reach it through an SSH tunnel; default 0 */
	char	*bindir;	/* folder of pg_dump etc. on the host; NULL = PATH */
	int	 restore_jobs;	/* pg_restore -j; 0 = the host's cores */
	int64_t	 connect_timeout;	/* seconds; default 5 */
	struct strv sanity;	/* SQL queries that must return a row */
};

struct service_cfg {
	char	*name;
	struct strv start;	/* argv run on the host */
	struct strv stop;
	struct strv status;	/* exit 0 = running; on windows the default
				   Get-Service exits 0 either way: running
				   when its output says "Running" */
};

struct host_cfg {
	char	*name;		/* "primary", "backup" */
	enum host_kind kind;
	enum host_os os;
	enum host_transport transport;
	enum host_shell shell;	/* the far side's shell for exec */
	char	*address;	/* host name or IP for ssh; "" for local */
	char	*timezone;	/* TZ of names in its dump folder; NULL = system */
	struct ssh_cfg ssh;
	struct pg_cfg pg;
	/* paths on that host */
	char	*dumps;
	char	*logs;
	char	*state;		/* drdeck's state folder on that host */
	char	*env_file;	/* the app's .env */
	struct strv storage;	/* storage folders */
	struct strv compare;	/* config files compared between hosts */
	struct service_cfg *services;	/* in start order: backend, then web */
	size_t	 n_services;
	char	*health_url;
	int	 health_tunnel;	/* fetch the health URL through an SSH tunnel */
};

struct ext_req {
	char	*name;
	char	*min_version;	/* may be NULL */
};

/* The runbook's pg_extensions.json, read as it is. */
struct manifest {
	char	*path;
	int	 required_server_major;
	struct ext_req *ext;
	size_t	 n_ext;
};

struct thresholds {
	int64_t	 rpo;			/* seconds; default 3h */
	int	 warn_pct;		/* warn at this share of the RPO; default 80 */
	uint64_t min_disk_free;		/* bytes; default 1 GiB */
	double	 dump_size_factor;	/* free >= latest dump * factor; default 2.0 */
	int64_t	 storage_lag;		/* seconds; default 15m */
	int64_t	 clock_skew;		/* seconds; default 30 */
	int	 restore_row_pct;	/* staging rows >= this % of live; default 50 */
	int64_t	 part_age;		/* .part older than this is reported; 1h */
};

struct schedule_cfg {
	int64_t	 daytime_every;		/* seconds; default 3h */
	int	 daytime_start;		/* minutes after midnight; default 00:00 */
	int	 daytime_end;		/* minutes after midnight; default 24:00 */
	int64_t	 restore_stagger;	/* seconds; default 10m */
	int	 nightly_backup;	/* minutes after midnight; default 00:00 */
	int	 nightly_restore;	/* minutes after midnight; default 00:30 */
	int	 keep_daytime;		/* retention; default 8 */
	int	 keep_nightly;		/* retention; default 7 */
};

struct drill_cfg {
	struct strv outage;	/* argv run locally to cut the primary off */
	struct strv heal;	/* argv run locally to undo it */
	int64_t	 duration;	/* seconds; default 15m */
	int64_t	 target_rto;	/* seconds; default 1h */
	int64_t	 interval;	/* seconds between drills; default 30 days */
	char	*login_url;	/* optional end-to-end check */
};

struct alert_cfg {
	char	*smtp_url;	/* smtp://host:port or smtps://; NULL = none */
	char	*smtp_from;
	struct strv smtp_to;
	char	*smtp_user;	/* password from $DRDECK_SMTP_PASSWORD */
	struct strv command;	/* argv; the message on stdin */
};

struct config {
	char	*path;		/* the file it was read from */
	char	*pair;		/* the pair's name */
	struct host_cfg *hosts;
	size_t	 n_hosts;	/* 2 today */
	char	*public_url;	/* health as the world sees it; may be NULL */
	int64_t	 poll_interval;	/* seconds; default 10 */
	int64_t	 probe_timeout;	/* seconds; default 5 */
	char	*state_dir;	/* the console's own state (local); default
				   $XDG_STATE_HOME/drdeck or ~/.local/state/drdeck */
	char	*journal;	/* default <state_dir>/journal.jsonl */
	uint64_t journal_max;	/* bytes before rotation; default 16 MiB */
	int	 journal_keep;	/* rotated files kept; default 5 */
	int64_t	 lock_wait;	/* seconds a job waits for a held lock; 10m */
	int64_t	 watch;		/* failover watch period, seconds; 5m */
	struct thresholds th;
	struct schedule_cfg schedule;
	struct manifest manifest;
	struct strv cutover_to_backup;	/* argv; empty = a manual step */
	struct strv cutover_to_primary;
	struct drill_cfg drill;
	struct alert_cfg alerts;
	char	*access_log;	/* optional NGINX access log on the hosts */
};

/*
 * Find the config file: explicit (from --config) if not NULL, else
 * $DRDECK_CONFIG, ./drdeck.json, $XDG_CONFIG_HOME/drdeck/config.json,
 * /etc/drdeck/config.json (Windows: %ProgramData%\drdeck\config.json).
 * Returns a newly allocated path, or NULL with e set (listing the places
 * looked at).
 */
char *config_find(const char *explicit_path, struct err *e);

/*
 * Load and validate.  On failure returns -1; e holds the first error and
 * every error (and warning) of the file is written, one per line, to
 * diag when it is not NULL ("FILE: key.path: what was expected").
 * Warnings (unknown keys, a world-readable file naming an identity) are
 * written to diag also on success.
 */
int config_load(const char *path, struct config **out, FILE *diag,
    struct err *e) WUR;
void config_free(struct config *c);
/*
 * The same from bytes in memory (a fuzzer's input, a test's fixture): name
 * is used in messages and as the folder a relative manifest path is read
 * from.  The bytes need not be NUL-terminated.  No file-mode check.
 */
int config_load_buffer(const char *name, const char *data, size_t len,
    struct config **out, FILE *diag, struct err *e) WUR;

/* The host whose kind is PRIMARY / BACKUP, or by name; NULL if none. */
const struct host_cfg *config_primary(const struct config *c);
const struct host_cfg *config_backup(const struct config *c);
const struct host_cfg *config_host(const struct config *c, const char *name);

/* Print the resolved config, no secrets (there are none to print). */
void config_print(const struct config *c, FILE *out);

/* Print the schema table (key, type, required, default, range,
 * description) as Markdown; docs/config.md holds the same table. */
void config_schema_print(FILE *out);

/* "3h", "90m", "45s", "2d", "1h30m" -> seconds.  -1 on error. */
int config_parse_duration(const char *s, int64_t *out, struct err *e) WUR;
/* "5GB", "512MiB", "100" -> bytes. */
int config_parse_size(const char *s, uint64_t *out, struct err *e) WUR;
/* "00:30" -> minutes after midnight. */
int config_parse_hhmm(const char *s, int *out, struct err *e) WUR;

#endif
