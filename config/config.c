/*
 * config.c: finding, reading, checking and printing the config file.
 *
 * The file is read whole (at most CONFIG_MAX_BYTES), checked for NUL
 * bytes, UTF-8 and nesting depth before cJSON sees it, parsed, and then
 * walked against the schema table (config-schema.c): every error and
 * warning is collected and written to the caller's diag stream, so one run
 * lists all of them.  Runs on the main thread at start-up; blocks only on
 * reading the config and manifest files.
 */
#include "config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config-int.h"
#include "xmalloc.h"

/* Diagnostics written to diag before the rest is only counted. */
#define DIAG_MAX	200
#define MAX_HOSTS	16
#define MAX_SERVICES	32
#define MAX_STRV	1024
#define PATH_LEN	256

/* One loading run: where messages go and how many there were. */
struct ctx {
	const char	*file;		/* the file named in messages */
	FILE		*diag;
	int		 n_err;
	int		 n_warn;
	int		 n_shown;
	char		 first[ERR_LEN];
};

static void PRINTF_LIKE(4, 0)
vreport(struct ctx *x, int warn, const char *where, const char *fmt,
    va_list ap)
{
	char msg[ERR_LEN];

	vsnprintf(msg, sizeof msg, fmt, ap);
	if (warn)
		x->n_warn++;
	else if (x->n_err++ == 0)
		snprintf(x->first, sizeof x->first, "%s: %s%s%s", x->file,
		    where != NULL ? where : "", where != NULL ? ": " : "", msg);
	if (x->diag == NULL || x->n_shown++ >= DIAG_MAX)
		return;
	fprintf(x->diag, "%s: %s%s%s%s\n", x->file, warn ? "warning: " : "",
	    where != NULL ? where : "", where != NULL ? ": " : "", msg);
}

/* An error at a key path ("hosts[1].ssh.port") or of the whole file. */
static void PRINTF_LIKE(3, 4)
cerr(struct ctx *x, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(x, 0, where, fmt, ap);
	va_end(ap);
}

static void PRINTF_LIKE(3, 4)
cwarn(struct ctx *x, const char *where, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(x, 1, where, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- */
/* Reading and parsing */

/* Up to 24 characters of text from p, printable, for "near ..." */
static void
excerpt(const char *p, const char *end, char *out, size_t len)
{
	size_t i = 0;

	while (p < end && *p != '\n' && *p != '\r' && i + 1 < len && i < 24) {
		unsigned char c = (unsigned char)*p++;

		out[i++] = (c < 0x20 || c >= 0x7f) ? '?' : (char)c;
	}
	out[i] = '\0';
}

/* Where the nesting of [ and { outside strings passes max, or a string
 * holds the escape \u0000 (cJSON would cut the string there); len when
 * neither.  *nul tells which. */
static size_t
depth_check(const char *s, size_t len, int max, int *nul)
{
	size_t i;
	int depth = 0, in_str = 0;

	*nul = 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (c == '\\') {
				if (len - i >= 6 &&
				    memcmp(s + i + 1, "u0000", 5) == 0) {
					*nul = 1;
					return i;
				}
				i++;
			} else if (c == '"') {
				in_str = 0;
			}
			continue;
		}
		if (c == '"')
			in_str = 1;
		else if (c == '[' || c == '{') {
			if (++depth > max)
				return i;
		} else if (c == ']' || c == '}')
			depth--;
	}
	return len;
}

/* Check and parse text; NULL (with the errors reported) when it is not a
 * JSON object. */
static cJSON *
parse_text(struct ctx *x, const char *data, size_t len)
{
	char *text = NULL;
	const char *end = NULL, *p;
	cJSON *root = NULL;
	size_t off;
	int line, col, nul;
	char near[32];

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0) {
		data += 3;	/* a UTF-8 byte order mark (Notepad) */
		len -= 3;
	}
	for (off = 0; off < len && isspace((unsigned char)data[off]); off++)
		;
	if (off == len) {
		cerr(x, NULL, "the file is empty; expected a JSON object");
		return NULL;
	}
	text = xmalloc(len + 1);
	memcpy(text, data, len);
	text[len] = '\0';
	p = memchr(text, '\0', len);
	if (p != NULL) {
		cfg_linecol(text, (size_t)(p - text), &line, &col);
		cerr(x, NULL, "line %d, column %d: a NUL byte; expected JSON "
		    "text", line, col);
		goto out;
	}
	off = cfg_utf8_check(text, len);
	if (off != len) {
		cfg_linecol(text, off, &line, &col);
		cerr(x, NULL, "line %d, column %d: not UTF-8 (byte 0x%02x); "
		    "expected the file saved as UTF-8", line, col,
		    (unsigned char)text[off]);
		goto out;
	}
	off = depth_check(text, len, CONFIG_MAX_DEPTH, &nul);
	if (off != len) {
		cfg_linecol(text, off, &line, &col);
		if (nul)
			cerr(x, NULL, "line %d, column %d: the escape \\u0000 "
			    "(a NUL character); expected text without it",
			    line, col);
		else
			cerr(x, NULL, "line %d, column %d: nested deeper than "
			    "%d levels; expected a config", line, col,
			    CONFIG_MAX_DEPTH);
		goto out;
	}
	root = cJSON_ParseWithLengthOpts(text, len + 1, &end, 1);
	if (root == NULL) {
		if (end == NULL || end < text || end >= text + len) {
			cfg_linecol(text, len, &line, &col);
			cerr(x, NULL, "line %d, column %d: malformed JSON: the "
			    "text ends early (truncated?); expected the rest "
			    "of the object", line, col);
		} else {
			cfg_linecol(text, (size_t)(end - text), &line, &col);
			excerpt(end, text + len, near, sizeof near);
			cerr(x, NULL, "line %d, column %d: malformed JSON near "
			    "'%s'; expected a JSON value, ',' or a closing "
			    "bracket", line, col, near);
		}
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		cerr(x, NULL, "expected a JSON object { ... } at the top");
		cJSON_Delete(root);
		root = NULL;
	}
out:
	free(text);
	return root;
}

/* Read a whole regular file; NULL with the error reported at key. */
static char *
read_file(struct ctx *x, const char *path, const char *key, size_t *lenp,
    mode_t *modep)
{
	struct stat st;
	char *data = NULL;
	size_t got = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		cerr(x, key, "cannot open %s: %s", key != NULL ? path : "the file",
		    strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1) {
		cerr(x, key, "cannot stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		cerr(x, key, "%s is not a regular file; expected a JSON file",
		    path);
		goto fail;
	}
	if (st.st_size > CONFIG_MAX_BYTES) {
		cerr(x, key, "%s is %lld bytes; expected at most %d", path,
		    (long long)st.st_size, CONFIG_MAX_BYTES);
		goto fail;
	}
	data = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, data + got, (size_t)st.st_size - got);

		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			cerr(x, key, "cannot read %s: %s", path,
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	data[got] = '\0';
	close(fd);
	*lenp = got;
	if (modep != NULL)
		*modep = st.st_mode;
	return data;
fail:
	free(data);
	close(fd);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Values */

static void *
at(void *base, const struct ck *k)
{
	return (char *)base + k->off;
}

static const void *
cat(const void *base, const struct ck *k)
{
	return (const char *)base + k->off;
}

/* What a JSON value is, for "got ..." */
static void
describe(const cJSON *v, char *out, size_t len)
{
	char near[32];

	if (cJSON_IsString(v)) {
		const char *s = v->valuestring;

		excerpt(s, s + strlen(s), near, sizeof near);
		snprintf(out, len, "the string \"%s%s\"", near,
		    strlen(s) > strlen(near) ? "..." : "");
	} else if (cJSON_IsNumber(v)) {
		snprintf(out, len, "the number %.17g", v->valuedouble);
	} else if (cJSON_IsBool(v)) {
		snprintf(out, len, "%s", cJSON_IsTrue(v) ? "true" : "false");
	} else if (cJSON_IsNull(v)) {
		snprintf(out, len, "null");
	} else if (cJSON_IsArray(v)) {
		snprintf(out, len, "an array");
	} else if (cJSON_IsObject(v)) {
		snprintf(out, len, "an object");
	} else {
		snprintf(out, len, "something else");
	}
}

static void
type_error(struct ctx *x, const struct ck *k, const char *where,
    const cJSON *v)
{
	char want[256], got[64];

	ck_expect(k, want, sizeof want);
	describe(v, got, sizeof got);
	cerr(x, where, "expected %s, got %s", want, got);
}

/* "~" and "~/..." -> $HOME/... */
static char *
expand_tilde(const char *s)
{
	const char *home;

	if (s[0] != '~' || (s[1] != '\0' && s[1] != '/'))
		return xstrdup(s);
	home = getenv("HOME");
	if (home == NULL || *home == '\0') {
		struct passwd *pw = getpwuid(getuid());

		home = pw != NULL ? pw->pw_dir : "/";
	}
	return xasprintf("%s%s", home, s + 1);
}

/* A string value may not hold control characters (a newline in a path or
 * a name would reach a terminal, a log or a command line). */
static int
has_control(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static int
get_string(struct ctx *x, const struct ck *k, const char *where,
    const cJSON *v, const char **out)
{
	if (!cJSON_IsString(v) || v->valuestring == NULL) {
		if (k->type == CK_STRV) {
			char got[64];

			describe(v, got, sizeof got);
			cerr(x, where, "expected a string, got %s", got);
		} else {
			type_error(x, k, where, v);
		}
		return -1;
	}
	if (has_control(v->valuestring)) {
		cerr(x, where, "expected %s without control characters",
		    k->type == CK_STRV ? "strings" : "a string");
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* A JSON number that is an integer in [lo, hi]. */
static int
get_integer(const cJSON *v, double lo, double hi, int64_t *out)
{
	double d;

	if (!cJSON_IsNumber(v))
		return -1;
	d = v->valuedouble;
	if (!isfinite(d) || d != floor(d) || d < lo || d > hi)
		return -1;
	*out = (int64_t)d;
	return 0;
}

/* A URL of the kind k wants, without a password in it. */
static int
check_url(struct ctx *x, const struct ck *k, const char *where,
    const char *s)
{
	const char *host, *at, *end;
	char want[64];
	int ok;

	if (k->flags & CK_URL_HTTP)
		ok = strncmp(s, "http://", 7) == 0 ||
		    strncmp(s, "https://", 8) == 0;
	else if (k->flags & CK_URL_SMTP)
		ok = strncmp(s, "smtp://", 7) == 0 ||
		    strncmp(s, "smtps://", 8) == 0;
	else
		return 0;
	host = strstr(s, "://");
	if (!ok || host == NULL || host[3] == '\0' || host[3] == '/' ||
	    strchr(s, ' ') != NULL) {
		ck_expect(k, want, sizeof want);
		cerr(x, where, "expected %s such as %s, got \"%.60s\"", want,
		    (k->flags & CK_URL_SMTP) ? "smtp://mail.example.com:587" :
		    "https://app.example.com/health", s);
		return -1;
	}
	host += 3;
	end = host + strcspn(host, "/?#");
	at = memchr(host, '@', (size_t)(end - host));
	if (at != NULL && memchr(host, ':', (size_t)(at - host)) != NULL) {
		cerr(x, where, "holds a password; expected the URL without it "
		    "(the password comes from the environment)");
		return -1;
	}
	return 0;
}

/* Store value v of key k (shown as where) into base. */
static void
set_value(struct ctx *x, const struct ck *k, void *base, const cJSON *v,
    const char *where)
{
	struct err e = { "" };
	const char *s;
	int64_t n;
	char want[256];
	size_t i;
	int m;

	switch (k->type) {
	case CK_OBJ:
	case CK_ARR:
		break;
	case CK_STR:
	case CK_PATH:
		if (get_string(x, k, where, v, &s) != 0)
			return;
		if ((k->flags & CK_NONEMPTY) && *s == '\0') {
			cerr(x, where, "expected a non-empty string");
			return;
		}
		if (check_url(x, k, where, s) != 0)
			return;
		free(*(char **)at(base, k));
		*(char **)at(base, k) = k->type == CK_PATH ? expand_tilde(s) :
		    xstrdup(s);
		break;
	case CK_INT:
		if (get_integer(v, k->min, k->max, &n) != 0) {
			type_error(x, k, where, v);
			return;
		}
		*(int *)at(base, k) = (int)n;
		break;
	case CK_BOOL:
		if (!cJSON_IsBool(v)) {
			type_error(x, k, where, v);
			return;
		}
		*(int *)at(base, k) = cJSON_IsTrue(v) ? 1 : 0;
		break;
	case CK_DUR:
		if (cJSON_IsString(v) && v->valuestring != NULL) {
			if (config_parse_duration(v->valuestring, &n, &e) != 0) {
				cerr(x, where, "%s", e.msg);
				return;
			}
		} else if (get_integer(v, 0, 1e15, &n) != 0) {
			type_error(x, k, where, v);
			return;
		}
		if ((double)n < k->min || (double)n > k->max) {
			char got[32];

			ck_expect(k, want, sizeof want);
			cfg_fmt_duration(n, got, sizeof got);
			cerr(x, where, "expected %s, got %s", want,
			    n == 0 ? "0s" : got);
			return;
		}
		*(int64_t *)at(base, k) = n;
		break;
	case CK_SIZE:
		if (cJSON_IsString(v) && v->valuestring != NULL) {
			uint64_t u;

			if (config_parse_size(v->valuestring, &u, &e) != 0) {
				cerr(x, where, "%s", e.msg);
				return;
			}
			*(uint64_t *)at(base, k) = u;
		} else if (get_integer(v, 0, 9007199254740992.0, &n) == 0) {
			*(uint64_t *)at(base, k) = (uint64_t)n;
		} else {
			type_error(x, k, where, v);
		}
		break;
	case CK_HHMM:
		if (!cJSON_IsString(v) || v->valuestring == NULL) {
			type_error(x, k, where, v);
			return;
		}
		if (config_parse_hhmm(v->valuestring, &m, &e) != 0) {
			cerr(x, where, "%s", e.msg);
			return;
		}
		if (m < k->min || m > k->max) {
			type_error(x, k, where, v);
			return;
		}
		*(int *)at(base, k) = m;
		break;
	case CK_REAL:
		if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble) ||
		    v->valuedouble < k->min || v->valuedouble > k->max) {
			type_error(x, k, where, v);
			return;
		}
		*(double *)at(base, k) = v->valuedouble;
		break;
	case CK_STRV: {
		struct strv *sv = at(base, k);
		const cJSON *item;
		char iw[PATH_LEN + 16];
		int bad = 0;

		if (!cJSON_IsArray(v)) {
			type_error(x, k, where, v);
			return;
		}
		if (cJSON_GetArraySize(v) > MAX_STRV) {
			cerr(x, where, "expected at most %d strings, got %d",
			    MAX_STRV, cJSON_GetArraySize(v));
			return;
		}
		i = 0;
		cJSON_ArrayForEach(item, v) {
			snprintf(iw, sizeof iw, "%s[%zu]", where, i++);
			if (get_string(x, k, iw, item, &s) != 0)
				bad = 1;
		}
		if (bad)
			return;
		strv_free(sv);
		cJSON_ArrayForEach(item, v)
			strv_push(sv, item->valuestring);
		break;
	}
	case CK_ENUM:
		if (cJSON_IsString(v) && v->valuestring != NULL)
			for (i = 0; k->names[i] != NULL; i++)
				if (strcmp(k->names[i], v->valuestring) == 0) {
					*(int *)at(base, k) = (int)i;
					return;
				}
		type_error(x, k, where, v);
		break;
	}
}

/* Store the table's default of k (a constant; a bad one is a bug). */
static void
set_default(const struct ck *k, void *base)
{
	struct err e = { "" };
	size_t i;
	int rc = 0;

	if (k->def == NULL || (k->flags & CK_DYNAMIC))
		return;
	switch (k->type) {
	case CK_OBJ:
	case CK_ARR:
		break;
	case CK_STR:
		free(*(char **)at(base, k));
		*(char **)at(base, k) = xstrdup(k->def);
		break;
	case CK_PATH:
		free(*(char **)at(base, k));
		*(char **)at(base, k) = expand_tilde(k->def);
		break;
	case CK_INT:
		*(int *)at(base, k) = atoi(k->def);
		break;
	case CK_BOOL:
		*(int *)at(base, k) = strcmp(k->def, "true") == 0;
		break;
	case CK_DUR:
		rc = config_parse_duration(k->def, (int64_t *)at(base, k), &e);
		break;
	case CK_SIZE:
		rc = config_parse_size(k->def, (uint64_t *)at(base, k), &e);
		break;
	case CK_HHMM:
		rc = config_parse_hhmm(k->def, (int *)at(base, k), &e);
		break;
	case CK_REAL:
		*(double *)at(base, k) = strtod(k->def, NULL);
		break;
	case CK_STRV:
		break;		/* "[]": empty */
	case CK_ENUM:
		for (i = 0; k->names[i] != NULL; i++)
			if (strcmp(k->names[i], k->def) == 0)
				*(int *)at(base, k) = (int)i;
		break;
	}
	if (rc != 0)
		abort();	/* a bad default in the schema table */
}

/* Free what k owns in base. */
static void
free_value(const struct ck *k, void *base)
{
	if (k->type == CK_STR || k->type == CK_PATH) {
		free(*(char **)at(base, k));
		*(char **)at(base, k) = NULL;
	} else if (k->type == CK_STRV) {
		strv_free(at(base, k));
	}
}

/* ---------------------------------------------------------------- */
/* Walking the tree */

/* The node at a dotted path below obj; NULL when absent.  *parent_bad is
 * set when a container on the way is there but not an object. */
static const cJSON *
lookup(const cJSON *obj, const char *rel, int *parent_absent,
    int *parent_bad)
{
	char seg[64];
	const char *p = rel, *dot;
	const cJSON *cur = obj;

	*parent_absent = *parent_bad = 0;
	while ((dot = strchr(p, '.')) != NULL) {
		size_t n = (size_t)(dot - p);

		if (n >= sizeof seg)
			return NULL;
		memcpy(seg, p, n);
		seg[n] = '\0';
		cur = cJSON_GetObjectItemCaseSensitive(cur, seg);
		if (cur == NULL) {
			*parent_absent = 1;
			return NULL;
		}
		if (!cJSON_IsObject(cur)) {
			*parent_bad = 1;
			return NULL;
		}
		p = dot + 1;
	}
	return cJSON_GetObjectItemCaseSensitive(cur, p);
}

/* Is the container of k (if any) required?  Then its absence was already
 * reported and k's is not. */
static int
parent_required(const struct ck *k)
{
	char path[PATH_LEN];
	const struct ck *pk;
	char *dot;

	snprintf(path, sizeof path, "%s", k->path);
	dot = strrchr(path, '.');
	if (dot == NULL)
		return 0;
	*dot = '\0';
	pk = ck_find(path);
	return pk != NULL && (pk->flags & CK_REQUIRED);
}

/* Fill every key of base type b from obj; prefix is "" or "hosts[1]." */
static void
fill(struct ctx *x, enum ck_base b, const cJSON *obj, void *base,
    const char *prefix)
{
	size_t i;

	for (i = 0; i < config_schema_len; i++) {
		const struct ck *k = &config_schema[i];
		const char *rel;
		const cJSON *v;
		char where[PATH_LEN];
		int absent, bad, before;

		if (ck_base(k) != b)
			continue;
		rel = ck_rel(k);
		snprintf(where, sizeof where, "%s%s", prefix, rel);
		v = lookup(obj, rel, &absent, &bad);
		if (v == NULL) {
			if (bad) {
				/* the container's error; keep later checks
				 * sane */
				set_default(k, base);
				continue;
			}
			if ((k->flags & CK_REQUIRED) &&
			    !(absent && parent_required(k))) {
				char want[256];

				ck_expect(k, want, sizeof want);
				cerr(x, where, "missing; expected %s", want);
				continue;
			}
			set_default(k, base);
			continue;
		}
		if (k->type == CK_OBJ && !cJSON_IsObject(v)) {
			type_error(x, k, where, v);
			continue;
		}
		if (k->type == CK_ARR && !cJSON_IsArray(v)) {
			type_error(x, k, where, v);
			continue;
		}
		before = x->n_err;
		set_value(x, k, base, v, where);
		if (x->n_err != before)
			set_default(k, base);	/* keeps later checks sane */
	}
}

/* A key name made safe to print. */
static void
safe_key(const char *s, char *out, size_t len)
{
	size_t i = 0;

	for (; *s != '\0' && i + 1 < len && i < 64; s++)
		out[i++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	out[i] = '\0';
}

/* Warn about unknown keys and refuse keys given twice, below obj whose
 * schema path is norm ("hosts[]") and display path shown ("hosts[1]"). */
static void
walk_keys(struct ctx *x, const cJSON *obj, const char *norm,
    const char *shown)
{
	unsigned char seen[256];
	const cJSON *m;

	memset(seen, 0, sizeof seen);
	cJSON_ArrayForEach(m, obj) {
		char np[PATH_LEN], sp[PATH_LEN], key[80];
		const struct ck *k;

		safe_key(m->string != NULL ? m->string : "", key, sizeof key);
		snprintf(np, sizeof np, "%s%s%s", norm, *norm ? "." : "",
		    m->string != NULL ? m->string : "");
		snprintf(sp, sizeof sp, "%s%s%s", shown, *shown ? "." : "", key);
		k = ck_find(np);
		if (k == NULL) {
			cwarn(x, sp, "unknown key (ignored)");
			continue;
		}
		if ((size_t)(k - config_schema) < sizeof seen) {
			if (seen[k - config_schema]++ == 1)
				cerr(x, sp, "given more than once; expected "
				    "each key once");
		}
		if (k->type == CK_OBJ && cJSON_IsObject(m)) {
			walk_keys(x, m, np, sp);
		} else if (k->type == CK_ARR && cJSON_IsArray(m)) {
			const cJSON *el;
			char np2[PATH_LEN], sp2[PATH_LEN];
			size_t i = 0;

			snprintf(np2, sizeof np2, "%s[]", np);
			cJSON_ArrayForEach(el, m) {
				snprintf(sp2, sizeof sp2, "%s[%zu]", sp, i++);
				if (cJSON_IsObject(el))
					walk_keys(x, el, np2, sp2);
			}
		}
	}
}

/* ---------------------------------------------------------------- */
/* Hosts, services, defaults that depend on other keys */

static char *
local_user(void)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *u;

	if (pw != NULL && pw->pw_name != NULL && *pw->pw_name != '\0')
		return xstrdup(pw->pw_name);
	u = getenv("USER");
	return xstrdup(u != NULL && *u != '\0' ? u : "root");
}

static void
service_defaults(struct service_cfg *s, enum host_os os)
{
	if (s->name == NULL)
		return;
	if (os == HOST_OS_WINDOWS) {
		if (s->start.n == 0)
			strv_pushv(&s->start, (const char *const[]){
			    "Start-Service", s->name, NULL });
		if (s->stop.n == 0)
			strv_pushv(&s->stop, (const char *const[]){
			    "Stop-Service", s->name, NULL });
		if (s->status.n == 0)
			strv_pushv(&s->status, (const char *const[]){
			    "Get-Service", s->name, NULL });
	} else {
		if (s->start.n == 0)
			strv_pushv(&s->start, (const char *const[]){
			    "systemctl", "start", s->name, NULL });
		if (s->stop.n == 0)
			strv_pushv(&s->stop, (const char *const[]){
			    "systemctl", "stop", s->name, NULL });
		if (s->status.n == 0)
			strv_pushv(&s->status, (const char *const[]){
			    "systemctl", "is-active", "--quiet", s->name,
			    NULL });
	}
}

static void
load_services(struct ctx *x, struct host_cfg *h, const cJSON *ho,
    const char *hw)
{
	const cJSON *arr, *el;
	char where[PATH_LEN];
	size_t i = 0;
	int n;

	arr = cJSON_GetObjectItemCaseSensitive(ho, "services");
	if (arr == NULL || !cJSON_IsArray(arr))
		return;		/* absent, or reported by fill() */
	n = cJSON_GetArraySize(arr);
	if (n > MAX_SERVICES) {
		snprintf(where, sizeof where, "%sservices", hw);
		cerr(x, where, "expected at most %d services, got %d",
		    MAX_SERVICES, n);
		return;
	}
	h->services = xcalloc((size_t)n + 1, sizeof *h->services);
	cJSON_ArrayForEach(el, arr) {
		struct service_cfg *s = &h->services[i];
		size_t j;

		snprintf(where, sizeof where, "%sservices[%zu]", hw, i);
		i++;
		h->n_services = i;
		if (!cJSON_IsObject(el)) {
			cerr(x, where, "expected an object {\"name\": ...}");
			continue;
		}
		strncat(where, ".", sizeof where - strlen(where) - 1);
		fill(x, CK_BASE_SERVICE, el, s, where);
		strncat(where, "name", sizeof where - strlen(where) - 1);
		for (j = 0; j + 1 < i; j++)
			if (s->name != NULL && h->services[j].name != NULL &&
			    strcmp(s->name, h->services[j].name) == 0)
				cerr(x, where, "\"%s\" is listed twice; "
				    "expected each service once", s->name);
		service_defaults(s, h->os);
	}
}

static void
host_defaults(struct ctx *x, struct host_cfg *h, const cJSON *ho,
    const char *hw)
{
	char where[PATH_LEN];

	if (cJSON_GetObjectItemCaseSensitive(ho, "shell") == NULL)
		h->shell = h->os == HOST_OS_WINDOWS ? HOST_SHELL_POWERSHELL :
		    HOST_SHELL_SH;
	if (h->address == NULL) {
		if (h->transport == HOST_TRANSPORT_SSH) {
			snprintf(where, sizeof where, "%saddress", hw);
			cerr(x, where, "missing; expected a host name or IP "
			    "address (the host's transport is ssh)");
		}
		h->address = xstrdup("");
	} else if (h->transport == HOST_TRANSPORT_SSH && *h->address == '\0') {
		snprintf(where, sizeof where, "%saddress", hw);
		cerr(x, where, "expected a host name or IP address (the "
		    "host's transport is ssh), got \"\"");
	}
	if (h->ssh.user == NULL)
		h->ssh.user = local_user();
}

/* Does the host object hold a kind the schema accepts? */
static int
valid_kind(const cJSON *ho)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ho, "kind");

	return cJSON_IsString(v) && v->valuestring != NULL &&
	    (strcmp(v->valuestring, "primary") == 0 ||
	    strcmp(v->valuestring, "backup") == 0);
}

static void
load_hosts(struct ctx *x, struct config *c, const cJSON *root)
{
	const cJSON *arr, *el;
	char where[PATH_LEN];
	size_t i = 0, j;
	int n, n_primary = 0, n_backup = 0;

	arr = cJSON_GetObjectItemCaseSensitive(root, "hosts");
	if (arr == NULL || !cJSON_IsArray(arr))
		return;		/* reported by fill() */
	n = cJSON_GetArraySize(arr);
	if (n > MAX_HOSTS) {
		cerr(x, "hosts", "expected at most %d hosts, got %d",
		    MAX_HOSTS, n);
		return;
	}
	c->hosts = xcalloc((size_t)n + 1, sizeof *c->hosts);
	cJSON_ArrayForEach(el, arr) {
		struct host_cfg *h = &c->hosts[i];

		snprintf(where, sizeof where, "hosts[%zu]", i);
		i++;
		c->n_hosts = i;
		if (!cJSON_IsObject(el)) {
			cerr(x, where, "expected an object {\"name\": ..., "
			    "\"kind\": ...}");
			continue;
		}
		strncat(where, ".", sizeof where - strlen(where) - 1);
		fill(x, CK_BASE_HOST, el, h, where);
		host_defaults(x, h, el, where);
		load_services(x, h, el, where);
		strncat(where, "name", sizeof where - strlen(where) - 1);
		if (!valid_kind(el))
			;	/* reported by fill() */
		else if (h->kind == HOST_KIND_PRIMARY)
			n_primary++;
		else if (h->kind == HOST_KIND_BACKUP)
			n_backup++;
		for (j = 0; j + 1 < i; j++)
			if (h->name != NULL && c->hosts[j].name != NULL &&
			    strcmp(h->name, c->hosts[j].name) == 0)
				cerr(x, where, "\"%s\" is already the name of "
				    "hosts[%zu]; expected unique names",
				    h->name, j);
	}
	if (n_primary != 1)
		cerr(x, "hosts", "expected exactly one host of kind "
		    "\"primary\", found %d", n_primary);
	if (n_backup != 1)
		cerr(x, "hosts", "expected exactly one host of kind "
		    "\"backup\", found %d", n_backup);
}

/* ---------------------------------------------------------------- */
/* The manifest (the runbook's pg_extensions.json, as it is) */

static int
is_absolute(const char *p)
{
	return p[0] == '/' || p[0] == '\\' ||
	    (isalpha((unsigned char)p[0]) && p[1] == ':');
}

static char *
dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static void
manifest_parse(struct ctx *mx, struct manifest *m, const cJSON *root)
{
	const cJSON *v, *arr, *el;
	char where[64];
	size_t i = 0;
	int64_t n;

	cJSON_ArrayForEach(v, root)
		if (v->string == NULL ||
		    (strcmp(v->string, "required_server_major") != 0 &&
		    strcmp(v->string, "extensions") != 0)) {
			char key[80];

			safe_key(v->string != NULL ? v->string : "", key,
			    sizeof key);
			cwarn(mx, key, "unknown key (ignored)");
		}
	v = cJSON_GetObjectItemCaseSensitive(root, "required_server_major");
	if (v == NULL) {
		cerr(mx, "required_server_major", "missing; expected the "
		    "PostgreSQL major version such as \"16\"");
	} else if (cJSON_IsString(v) && v->valuestring != NULL) {
		char *end;
		long l;

		errno = 0;
		l = strtol(v->valuestring, &end, 10);
		if (!isdigit((unsigned char)v->valuestring[0]) ||
		    *end != '\0' || errno != 0 || l < 7 || l > 1000)
			cerr(mx, "required_server_major", "expected a "
			    "PostgreSQL major version such as \"16\", got "
			    "\"%.40s\"", v->valuestring);
		else
			m->required_server_major = (int)l;
	} else if (get_integer(v, 7, 1000, &n) == 0) {
		m->required_server_major = (int)n;
	} else {
		char got[64];

		describe(v, got, sizeof got);
		cerr(mx, "required_server_major", "expected a PostgreSQL "
		    "major version such as \"16\", got %s", got);
	}
	arr = cJSON_GetObjectItemCaseSensitive(root, "extensions");
	if (arr == NULL) {
		cerr(mx, "extensions", "missing; expected an array of "
		    "{\"name\", \"min_version\"}");
		return;
	}
	if (!cJSON_IsArray(arr)) {
		cerr(mx, "extensions", "expected an array of {\"name\", "
		    "\"min_version\"}");
		return;
	}
	if (cJSON_GetArraySize(arr) > MAX_STRV) {
		cerr(mx, "extensions", "expected at most %d extensions",
		    MAX_STRV);
		return;
	}
	m->ext = xcalloc((size_t)cJSON_GetArraySize(arr) + 1, sizeof *m->ext);
	cJSON_ArrayForEach(el, arr) {
		const cJSON *name, *ver, *f;

		snprintf(where, sizeof where, "extensions[%zu]", i++);
		if (!cJSON_IsObject(el)) {
			cerr(mx, where, "expected an object {\"name\", "
			    "\"min_version\"}");
			continue;
		}
		cJSON_ArrayForEach(f, el)
			if (f->string == NULL ||
			    (strcmp(f->string, "name") != 0 &&
			    strcmp(f->string, "min_version") != 0)) {
				char key[80], w[160];

				safe_key(f->string != NULL ? f->string : "",
				    key, sizeof key);
				snprintf(w, sizeof w, "%s.%s", where, key);
				cwarn(mx, w, "unknown key (ignored)");
			}
		name = cJSON_GetObjectItemCaseSensitive(el, "name");
		ver = cJSON_GetObjectItemCaseSensitive(el, "min_version");
		if (!cJSON_IsString(name) || name->valuestring == NULL ||
		    name->valuestring[0] == '\0' ||
		    has_control(name->valuestring)) {
			cerr(mx, where, "name: expected an extension name "
			    "such as \"pgcrypto\"");
			continue;
		}
		if (ver != NULL && !cJSON_IsNull(ver) &&
		    (!cJSON_IsString(ver) || ver->valuestring == NULL ||
		    has_control(ver->valuestring))) {
			cerr(mx, where, "min_version: expected a version "
			    "string such as \"1.3\"");
			continue;
		}
		m->ext[m->n_ext].name = xstrdup(name->valuestring);
		m->ext[m->n_ext].min_version = cJSON_IsString(ver) ?
		    xstrdup(ver->valuestring) : NULL;
		m->n_ext++;
	}
}

static void
load_manifest(struct ctx *x, struct config *c)
{
	struct ctx mx;
	char *dir, *full, *data;
	size_t len;
	cJSON *root;

	if (c->manifest.path == NULL)
		return;
	if (is_absolute(c->manifest.path) || c->manifest.path[0] == '~') {
		full = expand_tilde(c->manifest.path);
	} else {
		dir = dir_of(x->file);
		full = xasprintf("%s/%s", dir, c->manifest.path);
		free(dir);
	}
	free(c->manifest.path);
	c->manifest.path = full;

	data = read_file(x, full, "manifest", &len, NULL);
	if (data == NULL)
		return;
	memset(&mx, 0, sizeof mx);
	mx.file = full;
	mx.diag = x->diag;
	mx.n_shown = x->n_shown;
	root = parse_text(&mx, data, len);
	if (root != NULL)
		manifest_parse(&mx, &c->manifest, root);
	cJSON_Delete(root);
	free(data);
	/* the manifest's errors count as the config's; the first one is
	 * named at the config's "manifest" key */
	if (mx.n_err > 0 && x->n_err == 0)
		snprintf(x->first, sizeof x->first, "%s: manifest: %s",
		    x->file, mx.first);
	x->n_err += mx.n_err;
	x->n_warn += mx.n_warn;
	x->n_shown = mx.n_shown;
}

/* ---------------------------------------------------------------- */
/* Checks across keys */

static void
check_schedule(struct ctx *x, const struct config *c)
{
	const struct schedule_cfg *s = &c->schedule;

	if (s->daytime_end <= s->daytime_start)
		cerr(x, "schedule.daytime_end", "expected a time after "
		    "schedule.daytime_start");
	if (c->drill.outage.n > 0 && c->drill.heal.n == 0)
		cwarn(x, "drill.heal", "empty while drill.outage is set: the "
		    "drill's outage will have to be undone by hand");
	if (c->th.rpo < s->daytime_every)
		cwarn(x, "thresholds.rpo", "shorter than "
		    "schedule.daytime_every: the RPO will be breached before "
		    "each dump");
	if (s->restore_stagger >= s->daytime_every)
		cerr(x, "schedule.restore_stagger", "expected less than "
		    "schedule.daytime_every");
}

static void
local_defaults(struct config *c)
{
	const char *xdg = getenv("XDG_STATE_HOME");

	if (c->state_dir == NULL) {
		if (xdg != NULL && xdg[0] == '/')
			c->state_dir = xasprintf("%s/drdeck", xdg);
		else
			c->state_dir = expand_tilde("~/.local/state/drdeck");
	}
	if (c->journal == NULL)
		c->journal = xasprintf("%s/journal.jsonl", c->state_dir);
}

/* A file naming an identity should be readable by its owner only. */
static void
check_mode(struct ctx *x, const struct config *c, mode_t mode)
{
	size_t i;

	if ((mode & (S_IRGRP | S_IROTH)) == 0)
		return;
	for (i = 0; i < c->n_hosts; i++)
		if (c->hosts[i].ssh.identity != NULL) {
			cwarn(x, NULL, "readable by others than its owner "
			    "(mode %04o) while it names an identity file "
			    "(hosts[%zu].ssh.identity); expected mode 0600 "
			    "(chmod 600 %s)", (unsigned)(mode & 07777), i,
			    x->file);
			return;
		}
}

/* ---------------------------------------------------------------- */
/* Loading */

static int
load(const char *name, const char *data, size_t len, const mode_t *mode,
    struct config **out, FILE *diag, struct err *e)
{
	struct ctx x;
	struct config *c;
	cJSON *root;

	*out = NULL;
	memset(&x, 0, sizeof x);
	x.file = name;
	x.diag = diag;
	c = xcalloc(1, sizeof *c);
	c->path = xstrdup(name);
	root = parse_text(&x, data, len);
	if (root != NULL) {
		walk_keys(&x, root, "", "");
		fill(&x, CK_BASE_CONFIG, root, c, "");
		load_hosts(&x, c, root);
		cJSON_Delete(root);
		check_schedule(&x, c);
		local_defaults(c);
		load_manifest(&x, c);
		if (mode != NULL)
			check_mode(&x, c, *mode);
	}
	if (diag != NULL && x.n_shown > DIAG_MAX)
		fprintf(diag, "%s: ... %d more messages not shown\n", name,
		    x.n_shown - DIAG_MAX);
	if (x.n_err > 0) {
		if (x.n_err > 1)
			err_set(e, "%s (%d errors in all)", x.first, x.n_err);
		else
			err_set(e, "%s", x.first);
		config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

/* Read and check a config file (see config.h). */
int
config_load(const char *path, struct config **out, FILE *diag, struct err *e)
{
	struct ctx x;
	char *data;
	size_t len;
	mode_t mode;
	int rc;

	*out = NULL;
	memset(&x, 0, sizeof x);
	x.file = path;
	x.diag = diag;
	data = read_file(&x, path, NULL, &len, &mode);
	if (data == NULL)
		return err_set(e, "%s", x.first);
	rc = load(path, data, len, &mode, out, diag, e);
	free(data);
	return rc;
}

/* Check a config held in memory (see config.h). */
int
config_load_buffer(const char *name, const char *data, size_t len,
    struct config **out, FILE *diag, struct err *e)
{
	return load(name, data, len, NULL, out, diag, e);
}

static void
free_base(enum ck_base b, void *base)
{
	size_t i;

	for (i = 0; i < config_schema_len; i++)
		if (ck_base(&config_schema[i]) == b)
			free_value(&config_schema[i], base);
}

/* Free a config and everything it owns. */
void
config_free(struct config *c)
{
	size_t i, j;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_hosts; i++) {
		struct host_cfg *h = &c->hosts[i];

		for (j = 0; j < h->n_services; j++)
			free_base(CK_BASE_SERVICE, &h->services[j]);
		free(h->services);
		free_base(CK_BASE_HOST, h);
	}
	free(c->hosts);
	free_base(CK_BASE_CONFIG, c);
	for (i = 0; i < c->manifest.n_ext; i++) {
		free(c->manifest.ext[i].name);
		free(c->manifest.ext[i].min_version);
	}
	free(c->manifest.ext);
	free(c->path);
	free(c);
}

/* ---------------------------------------------------------------- */
/* Finding */

static int
readable(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Find the config file (see config.h). */
char *
config_find(const char *explicit_path, struct err *e)
{
	const char *env = getenv("DRDECK_CONFIG"), *xdg;
	char *p;

	if (explicit_path != NULL && *explicit_path != '\0')
		return xstrdup(explicit_path);
	if (env != NULL && *env != '\0')
		return xstrdup(env);
	if (readable("drdeck.json"))
		return xstrdup("drdeck.json");
#ifdef _WIN32
	env = getenv("ProgramData");
	if (env != NULL && *env != '\0') {
		p = xasprintf("%s\\drdeck\\config.json", env);
		if (readable(p))
			return p;
		free(p);
	}
#endif
	xdg = getenv("XDG_CONFIG_HOME");
	if (xdg != NULL && xdg[0] == '/')
		p = xasprintf("%s/drdeck/config.json", xdg);
	else
		p = expand_tilde("~/.config/drdeck/config.json");
	if (readable(p))
		return p;
	if (readable("/etc/drdeck/config.json")) {
		free(p);
		return xstrdup("/etc/drdeck/config.json");
	}
	err_set(e, "no config file found; looked at --config, "
	    "$DRDECK_CONFIG, ./drdeck.json, %s and /etc/drdeck/config.json "
	    "(see docs/config.md)", p);
	free(p);
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Lookups */

/* The host of kind PRIMARY. */
const struct host_cfg *
config_primary(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		if (c->hosts[i].kind == HOST_KIND_PRIMARY)
			return &c->hosts[i];
	return NULL;
}

/* The host of kind BACKUP. */
const struct host_cfg *
config_backup(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		if (c->hosts[i].kind == HOST_KIND_BACKUP)
			return &c->hosts[i];
	return NULL;
}

/* The host by name. */
const struct host_cfg *
config_host(const struct config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n_hosts; i++)
		if (c->hosts[i].name != NULL &&
		    strcmp(c->hosts[i].name, name) == 0)
			return &c->hosts[i];
	return NULL;
}

/* ---------------------------------------------------------------- */
/* Printing */

static void
print_value(FILE *out, const struct ck *k, const void *base)
{
	char tmp[64];
	const struct strv *sv;
	const char *s;
	double d;
	size_t i;

	switch (k->type) {
	case CK_OBJ:
	case CK_ARR:
		return;
	case CK_STR:
	case CK_PATH:
		s = *(char *const *)cat(base, k);
		if (s == NULL)
			fputs("null", out);
		else
			cfg_put_json_string(out, s);
		break;
	case CK_INT:
		fprintf(out, "%d", *(const int *)cat(base, k));
		break;
	case CK_BOOL:
		fputs(*(const int *)cat(base, k) ? "true" : "false", out);
		break;
	case CK_DUR:
		cfg_fmt_duration(*(const int64_t *)cat(base, k), tmp,
		    sizeof tmp);
		fprintf(out, "\"%s\"", tmp);
		break;
	case CK_SIZE:
		cfg_fmt_size(*(const uint64_t *)cat(base, k), tmp, sizeof tmp);
		fprintf(out, "\"%s\"", tmp);
		break;
	case CK_HHMM: {
		int m = *(const int *)cat(base, k);

		fprintf(out, "\"%02d:%02d\"", m / 60, m % 60);
		break;
	}
	case CK_REAL:
		d = *(const double *)cat(base, k);
		fprintf(out, d == floor(d) && fabs(d) < 1e15 ? "%.1f" : "%g",
		    d);
		break;
	case CK_STRV:
		sv = cat(base, k);
		fputc('[', out);
		for (i = 0; i < sv->n; i++) {
			if (i > 0)
				fputs(", ", out);
			cfg_put_json_string(out, sv->v[i]);
		}
		fputc(']', out);
		break;
	case CK_ENUM: {
		int v = *(const int *)cat(base, k);
		size_t n;

		for (n = 0; k->names[n] != NULL; n++)
			;
		if (v >= 0 && (size_t)v < n)
			fprintf(out, "\"%s\"", k->names[v]);
		else
			fputs("null", out);
		break;
	}
	}
	fputc('\n', out);
}

static void
print_base(FILE *out, enum ck_base b, const void *base, const char *prefix,
    const struct config *c, const struct host_cfg *h)
{
	size_t i, j;

	for (i = 0; i < config_schema_len; i++) {
		const struct ck *k = &config_schema[i];
		char p[PATH_LEN];

		if (ck_base(k) != b || k->type == CK_OBJ)
			continue;
		if (k->type == CK_ARR && b == CK_BASE_CONFIG) {
			for (j = 0; j < c->n_hosts; j++) {
				snprintf(p, sizeof p, "hosts[%zu].", j);
				print_base(out, CK_BASE_HOST, &c->hosts[j], p,
				    c, &c->hosts[j]);
			}
			continue;
		}
		if (k->type == CK_ARR && b == CK_BASE_HOST) {
			for (j = 0; j < h->n_services; j++) {
				snprintf(p, sizeof p, "%sservices[%zu].",
				    prefix, j);
				print_base(out, CK_BASE_SERVICE,
				    &h->services[j], p, c, h);
			}
			continue;
		}
		fprintf(out, "%s%s = ", prefix, ck_rel(k));
		print_value(out, k, base);
	}
}

/* Print the resolved config, one "key.path = value" a line. */
void
config_print(const struct config *c, FILE *out)
{
	size_t i;

	fprintf(out, "# %s\n", c->path);
	print_base(out, CK_BASE_CONFIG, c, "", c, NULL);
	if (c->manifest.path != NULL) {
		fprintf(out, "manifest.required_server_major = %d\n",
		    c->manifest.required_server_major);
		for (i = 0; i < c->manifest.n_ext; i++) {
			fprintf(out, "manifest.extensions[%zu] = ", i);
			cfg_put_json_string(out, c->manifest.ext[i].name);
			if (c->manifest.ext[i].min_version != NULL) {
				fputs(" >= ", out);
				cfg_put_json_string(out,
				    c->manifest.ext[i].min_version);
			}
			fputc('\n', out);
		}
	}
}
