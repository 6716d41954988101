/*
 * catalog.h: what is in a dump folder, and what should be in it.
 *
 * Input: a listing of the folder (struct rdir of transport.h: names,
 * sizes, mtimes), the database name, the time zone of the host that wrote
 * the names, and the schedule.  Names understood (db from config):
 *   <db>_YYYY-MM-DD_HH-mm.dump          a dump (pg_dump -Fc)
 *   <db>_schema_YYYY-MM-DD_HH-mm.sql    the schema-only dump of that time
 *   NAME.sha256                         drdeck's checksum sidecar of NAME;
 *                                       a dump with one is "verified" (the
 *                                       jobs check the content)
 *   *.part                              being written: never a dump;
 *                                       reported once older than part_age
 * Anything else is counted and left alone.  Names are compared as bytes,
 * so spaces, quotes and UTF-8 in the db name are fine; impossible dates
 * (2026-02-30, 25-00) make a name not a dump.
 *
 * Times in names are the local time of the writing host (its zone from
 * config, NULL = the system's), read with timefmt.h's DST rule (a time in
 * the DST gap is moved past it, a repeated time is the first one).  All
 * times in here are UTC ms.
 *
 * Slots: the schedule's daytime slots (daytime_start, then every
 * daytime_every, before daytime_end) and the nightly slot (nightly_backup),
 * in the host's local time.  A dump fills a slot when its name's time is
 * from CATALOG_SLOT_EARLY before the slot to CATALOG_SLOT_LATE after it
 * (and before the next slot's early edge).  A slot is "missed" when no dump
 * fills it and its late edge has passed.  A nightly dump is one that fills
 * the nightly slot.
 *
 * Pure functions, no I/O: any thread.  A catalog owns its strings.
 */
#ifndef DRDECK_CATALOG_H
#define DRDECK_CATALOG_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "err.h"
#include "strv.h"
#include "timefmt.h"
#include "transport.h"

#define CATALOG_SLOT_EARLY	(15 * 60 * 1000)	/* ms */
#define CATALOG_SLOT_LATE	(60 * 60 * 1000)	/* ms */

enum cat_kind {
	CAT_DUMP = 0,		/* <db>_YYYY-MM-DD_HH-mm.dump */
	CAT_SCHEMA,		/* <db>_schema_YYYY-MM-DD_HH-mm.sql */
};

struct cat_dump {
	char	*name;		/* file name in the folder */
	int64_t	 at;		/* the name's time, UTC ms */
	struct civil local;	/* the name's time as written */
	uint64_t size;
	int64_t	 mtime;		/* seconds since the epoch, UTC */
	int	 verified;	/* NAME.sha256 is in the folder */
	int	 nightly;	/* fills the nightly slot */
	char	*schema;	/* the schema file of the same time, or NULL */
};

struct cat_part {
	char	*name;
	uint64_t size;
	int64_t	 mtime;		/* seconds */
};

struct catalog {
	char	*db;
	char	*tz;		/* NULL = system */
	struct cat_dump *dumps;	/* oldest first (by name time, then name) */
	size_t	 n_dumps;
	struct cat_dump *schemas;	/* schema files, oldest first */
	size_t	 n_schemas;
	struct cat_part *parts;
	size_t	 n_parts;
	size_t	 n_sidecars;
	size_t	 n_other;	/* files not understood */
	uint64_t dump_bytes;	/* the dumps */
	uint64_t total_bytes;	/* dumps, schema files, sidecars, parts */
};

/* Name -> kind and local time; 0, or -1 when not a name of db. */
int catalog_parse_name(const char *db, const char *name, size_t len,
    enum cat_kind *kind, struct civil *local) WUR;
/* The file name for a local time (new string). */
char *catalog_name(const char *db, enum cat_kind kind,
    const struct civil *local);

/* Build the catalog of a listing.  sc may be NULL (then nothing is
 * nightly).  -1 when db is empty or tz unknown. */
int catalog_build(const struct rdir *d, const char *db, const char *tz,
    const struct schedule_cfg *sc, struct catalog *out, struct err *e) WUR;
void catalog_free(struct catalog *c);

/* The newest dump / the newest verified dump; NULL when none. */
const struct cat_dump *catalog_latest(const struct catalog *c);
const struct cat_dump *catalog_latest_verified(const struct catalog *c);
const struct cat_dump *catalog_find(const struct catalog *c,
    const char *name);
/* .part files older than part_age seconds at now_ms. */
size_t catalog_stale_parts(const struct catalog *c, int64_t now_ms,
    int64_t part_age);

struct cat_slot {
	int64_t	 at;		/* UTC ms */
	struct civil local;	/* as the schedule says it */
	int	 nightly;
	const struct cat_dump *dump;	/* what filled it, NULL = missed */
};

struct cat_slots {
	struct cat_slot *v;	/* oldest first */
	size_t	 n;
	size_t	 missed;	/* slots without a dump */
	size_t	 missed_nightly;
};

/* The backup slots whose time is in [from_ms, to_ms - CATALOG_SLOT_LATE]
 * (to_ms is normally now), each with the dump that filled it. */
int catalog_slots(const struct catalog *c, const struct schedule_cfg *sc,
    int64_t from_ms, int64_t to_ms, struct cat_slots *out,
    struct err *e) WUR;
void cat_slots_free(struct cat_slots *s);

/*
 * The retention plan: keep the newest keep_daytime daytime dumps, the
 * newest keep_nightly nightly dumps, and always the newest verified dump;
 * every other dump goes, with its sidecar and its schema file (and the
 * schema file's sidecar).  .part
 * files and files not understood are never in the plan.  Names to delete
 * are pushed to del (oldest first); returns how many dumps go.
 */
size_t catalog_retention(const struct catalog *c, int keep_daytime,
    int keep_nightly, struct strv *del);

#endif
