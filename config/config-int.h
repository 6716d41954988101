/*
 * config-int.h: the config module's inside: the schema table and the value
 * parsers shared by config.c, config-schema.c and config-parse.c.  Never
 * included outside config/.
 */
#ifndef DRDECK_CONFIG_INT_H
#define DRDECK_CONFIG_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

/* The largest config or manifest file read, and the deepest nesting. */
#define CONFIG_MAX_BYTES	(1024 * 1024)
#define CONFIG_MAX_DEPTH	32

enum ck_type {
	CK_OBJ,		/* an object holding other keys */
	CK_ARR,		/* an array of objects (hosts, services) */
	CK_STR,		/* char * */
	CK_PATH,	/* char *, a local path: ~ expanded */
	CK_INT,		/* int, within min..max */
	CK_BOOL,	/* int 0/1 */
	CK_DUR,		/* int64_t seconds: "3h", "90m", "1h30m" or a number */
	CK_SIZE,	/* uint64_t bytes: "5GiB", "512MB" or a number */
	CK_HHMM,	/* int minutes after midnight: "00:30" */
	CK_REAL,	/* double, within min..max */
	CK_STRV,	/* struct strv: an array of strings */
	CK_ENUM		/* int: the index of the name in names[] */
};

/* Which struct off is relative to. */
enum ck_base { CK_BASE_CONFIG, CK_BASE_HOST, CK_BASE_SERVICE };

#define CK_REQUIRED	0x1	/* an error when absent */
#define CK_DYNAMIC	0x2	/* the default is computed; def describes it */
#define CK_NONEMPTY	0x4	/* a string that may not be "" */
#define CK_URL_HTTP	0x8	/* an http:// or https:// URL */
#define CK_URL_SMTP	0x10	/* an smtp:// or smtps:// URL */

struct ck {
	const char	*path;		/* "hosts[].ssh.port" */
	enum ck_type	 type;
	int		 flags;
	const char	*def;		/* default as written in the file */
	double		 min, max;	/* range (INT, REAL, DUR) */
	const char *const *names;	/* ENUM: the names, NULL-terminated */
	size_t		 off;		/* offsetof in the base struct */
	const char	*desc;		/* one line for docs/config.md */
};

extern const struct ck config_schema[];
extern const size_t config_schema_len;

/* The base struct of an entry and its path below that base. */
enum ck_base ck_base(const struct ck *k);
const char *ck_rel(const struct ck *k);
/* "an integer in 1..65535", "a duration such as 3h or 1h30m", ... */
void ck_expect(const struct ck *k, char *out, size_t len);
/* The entry whose full path is path (with [] for indexes); NULL if none. */
const struct ck *ck_find(const char *path);

/* Line and column (1-based, columns in characters) of offset in text. */
void cfg_linecol(const char *text, size_t offset, int *line, int *col);
/* Offset of the first byte that is not valid UTF-8; len when it all is. */
size_t cfg_utf8_check(const char *s, size_t len);
/* Format a duration / size the way the file would write it. */
void cfg_fmt_duration(int64_t s, char *out, size_t len);
void cfg_fmt_size(uint64_t n, char *out, size_t len);
/* Write s as a JSON string literal. */
void cfg_put_json_string(FILE *out, const char *s);

#endif
