/*
 * facts.h: what a probe found, in a form every renderer understands.
 *
 * A fact is {key, label, value, level, observed_at, detail, threshold}
 * plus an optional number for perfdata / metrics.  Renderers (curses
 * tiles, text, JSON, Nagios, Prometheus) are generic over facts, so a new
 * probe needs no change in any of them.  A probe that could not run makes
 * a fact at level UNKNOWN with its message as the detail: never OK.
 *
 * Ownership: a fact owns its strings; a fact_list owns its facts.  Pure
 * data, no locking: a published list is immutable (see hub.h).
 */
#ifndef DRDECK_FACTS_H
#define DRDECK_FACTS_H

#include <stddef.h>
#include <stdint.h>

enum level {
	LEVEL_OK = 0,
	LEVEL_WARN,
	LEVEL_CRIT,
	LEVEL_UNKNOWN,
};

struct fact {
	char	*key;		/* stable id: "db.latency", "env.sha256" */
	char	*label;		/* for people: "Database latency" */
	char	*value;		/* text: "12 ms", "3h42m old" */
	enum level level;
	int64_t	 observed_at;	/* wall ms, UTC */
	char	*detail;	/* longer text, may be NULL */
	char	*threshold;	/* "RPO 3h", "min 1 GiB"; may be NULL */
	int	 has_num;	/* num / unit are meaningful */
	double	 num;		/* perfdata / metric value */
	char	*unit;		/* "s", "B", "ms", "%", "" */
	/* Numeric limits of num for perfdata (Nagios warn;crit); set
	 * directly by the probe, 0 / unset when there are none. */
	int	 has_warn_at;
	double	 warn_at;
	int	 has_crit_at;
	double	 crit_at;
};

struct fact_list {
	struct fact *v;
	size_t	 n;
};

/* Append a fact (strings copied; detail / threshold may be NULL). */
struct fact *facts_add(struct fact_list *l, const char *key,
    const char *label, enum level level, const char *value,
    const char *detail, const char *threshold, int64_t observed_at);
/* Set the numeric value of a fact. */
void fact_set_num(struct fact *f, double num, const char *unit);
const struct fact *facts_find(const struct fact_list *l, const char *key);
void facts_copy(struct fact_list *dst, const struct fact_list *src);
void facts_free(struct fact_list *l);

/* "ok", "warn", "crit", "unknown". */
const char *level_name(enum level l);
/* One-column symbol: UTF-8 "✓ ! ✗ ?" or ASCII "+ ! x ?". */
const char *level_symbol(enum level l, int utf8);
/* Severity rank for roll-up: ok < warn < unknown < crit. */
int level_rank(enum level l);
/* The worse of two levels by rank. */
enum level level_worst(enum level a, enum level b);
/* Exit code of `drdeck status`: 0 ok, 1 warn, 2 crit, 3 unknown. */
int level_exit_code(enum level l);

/* A fact older than two refresh periods is stale: its level reads as
 * UNKNOWN (the value is kept, shown with its age). */
int fact_is_stale(const struct fact *f, int64_t now_ms, int64_t period_ms);
enum level fact_effective_level(const struct fact *f, int64_t now_ms,
    int64_t period_ms);

/* A host's status: its facts, whether it answered, when. */
struct host_status {
	char	*host;		/* config name */
	int	 reachable;	/* the transport opened in the last round */
	int64_t	 snapshot_at;	/* wall ms of the round */
	int64_t	 round_ms;	/* how long the round took */
	struct fact_list facts;
};
void host_status_free(struct host_status *h);
void host_status_copy(struct host_status *dst, const struct host_status *src);
/* Worst effective level of a host's facts. */
enum level host_status_level(const struct host_status *h, int64_t now_ms,
    int64_t period_ms);

/* Durations for people: "45s", "3h42m", "2d4h". */
char *fmt_duration(int64_t seconds, char *buf, size_t len);
/* Sizes for people: "512 B", "1.4 GiB". */
char *fmt_bytes(uint64_t bytes, char *buf, size_t len);

#endif
