/*
 * view-common.c: what the views share: the view state, facts grouped
 * into rows, the alert line, and drawing helpers (UTF-8 aware, with ASCII
 * fallbacks when the locale is not UTF-8).
 * Main (UI) thread only; never blocks, no I/O.
 */
#include "view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

struct view_state vs;

void
view_state_reset(void)
{
	memset(&vs, 0, sizeof vs);
	vs.period_ms = 10000;
	vs.rpo_ms = 3 * 3600 * 1000;
	vs.jhost = -1;
	vs.jkind = -1;
}

/* ---- rows ---- */

/* Known groups in the order of the runbook's checks; labels for people. */
static const struct {
	const char *name;
	const char *label;
} group_table[] = {
	{ "reach",	"reach" },
	{ "health",	"health" },
	{ "db",		"database" },
	{ "dumps",	"last dump" },
	{ "dump",	"last dump" },
	{ "ship",	"shipped" },
	{ "restore",	"last restore" },
	{ "exposure",	"exposure" },
	{ "disk",	"disk free" },
	{ "env",	".env" },
	{ "conf",	"config parity" },
	{ "config",	"config parity" },
	{ "storage",	"storage sync" },
	{ "service",	"services" },
	{ "services",	"services" },
	{ "role",	"role" },
	{ "lock",	"lock" },
	{ "drill",	"drill" },
	{ "pair",	"pair" },
	{ "split",	"split brain" },
};
#define N_GROUPS (sizeof group_table / sizeof group_table[0])

const char *
vgroup_of(const char *key, char *buf, size_t len)
{
	size_t n = strcspn(key, "."), k = strlen(key);

	/* Two rows of their own wherever their facts come from: the
	 * exposure (a gauge) and the lock ("role.lock"). */
	if (strstr(key, "exposure") != NULL) {
		key = "exposure";
		n = 8;
	} else if (k > 5 && strcmp(key + k - 5, ".lock") == 0) {
		key = "lock";
		n = 4;
	}

	if (n >= len)
		n = len - 1;
	memcpy(buf, key, n);
	buf[n] = '\0';
	return buf;
}

const char *
vgroup_label(const char *group)
{
	size_t i;

	for (i = 0; i < N_GROUPS; i++)
		if (strcmp(group_table[i].name, group) == 0)
			return group_table[i].label;
	return group;
}

static int
group_order(const char *group)
{
	size_t i;

	for (i = 0; i < N_GROUPS; i++)
		if (strcmp(group_table[i].name, group) == 0)
			return (int)i;
	return (int)N_GROUPS;
}

static struct vgroup *
group_get(struct vrows *r, const char *name, int pair)
{
	struct vgroup *g;
	int i;

	for (i = 0; i < r->n; i++)
		if (r->g[i].pair == pair && strcmp(r->g[i].name, name) == 0)
			return &r->g[i];
	if (r->n == VROWS_MAX)
		return &r->g[VROWS_MAX - 1];	/* the last row takes the rest */
	g = &r->g[r->n++];
	memset(g, 0, sizeof *g);
	snprintf(g->name, sizeof g->name, "%s", name);
	g->pair = pair;
	for (i = 0; i < HUB_MAX_HOSTS; i++)
		g->lv[i] = LEVEL_OK;
	return g;
}

static void
group_add(struct vgroup *g, size_t col, const struct fact *f)
{
	if (g->nf[col] >= VGROUP_FACTS)
		return;
	g->f[col][g->nf[col]++] = f;
	g->lv[col] = level_worst(g->lv[col], vfact_level(f));
	if (vfact_stale(f))
		g->stale[col] = 1;
}

static int
group_cmp(const void *a, const void *b)
{
	const struct vgroup *x = a, *y = b;
	int ox = group_order(x->name) + (x->pair ? 1000 : 0);
	int oy = group_order(y->name) + (y->pair ? 1000 : 0);

	return (ox > oy) - (ox < oy);
}

void
vrows_build(const struct snapshot *s, struct vrows *r)
{
	char name[32];
	size_t h, i;
	int k;

	memset(r, 0, sizeof *r);
	r->n_hosts = s->n_hosts;
	for (h = 0; h < s->n_hosts && h < HUB_MAX_HOSTS; h++)
		for (i = 0; i < s->hosts[h].facts.n; i++) {
			const struct fact *f = &s->hosts[h].facts.v[i];

			vgroup_of(f->key, name, sizeof name);
			group_add(group_get(r, name, 0), h, f);
		}
	/* The pair's facts: a row each by their second part ("pair.env"
	 * -> "env"), labelled by the fact. */
	for (i = 0; i < s->pair.n; i++) {
		const struct fact *f = &s->pair.v[i];
		const char *dot = strchr(f->key, '.');
		struct vgroup *g;

		vgroup_of(dot != NULL ? dot + 1 : f->key, name, sizeof name);
		g = group_get(r, name, 1);
		if (g->label == NULL)
			g->label = f->label;
		group_add(g, 0, f);
	}
	for (k = 0; k < r->n; k++)
		if (r->g[k].label == NULL)
			r->g[k].label = vgroup_label(r->g[k].name);
	/* Stable: known groups in table order, others as they came. */
	for (k = 1; k < r->n; k++) {
		struct vgroup t = r->g[k];
		int j = k - 1;

		while (j >= 0 && group_cmp(&r->g[j], &t) > 0) {
			r->g[j + 1] = r->g[j];
			j--;
		}
		r->g[j + 1] = t;
	}
}

/* ---- facts ---- */

enum level
vfact_level(const struct fact *f)
{
	return fact_effective_level(f, vs.now_ms, vs.period_ms);
}

int
vfact_stale(const struct fact *f)
{
	return fact_is_stale(f, vs.now_ms, vs.period_ms);
}

enum level
vsnap_level(const struct snapshot *s)
{
	enum level l = LEVEL_OK;
	size_t i;

	if (s->n_hosts == 0)
		return LEVEL_UNKNOWN;
	for (i = 0; i < s->n_hosts; i++)
		l = level_worst(l, host_status_level(&s->hosts[i], vs.now_ms,
		    vs.period_ms));
	for (i = 0; i < s->pair.n; i++)
		l = level_worst(l, vfact_level(&s->pair.v[i]));
	return l;
}

static const struct fact *
find_suffix(const struct fact_list *l, const char *name)
{
	size_t i, n = strlen(name), k;

	for (i = 0; i < l->n; i++) {
		k = strlen(l->v[i].key);
		if (strcmp(l->v[i].key, name) == 0)
			return &l->v[i];
		if (k > n && l->v[i].key[k - n - 1] == '.' &&
		    strcmp(l->v[i].key + k - n, name) == 0)
			return &l->v[i];
	}
	return NULL;
}

const char *
vhost_role(const struct host_status *h, char *buf, size_t len)
{
	const struct fact *r = find_suffix(&h->facts, "role");
	const struct fact *ep = find_suffix(&h->facts, "epoch");
	const char *epv = ep != NULL ? ep->value : NULL;

	if (ep != NULL && strncmp(epv, "epoch", 5) == 0)
		epv += 5;
	while (epv != NULL && *epv == ' ')
		epv++;
	if (r == NULL && ep == NULL)
		snprintf(buf, len, "?");
	else if (ep == NULL)
		snprintf(buf, len, "%s", r->value);
	else
		snprintf(buf, len, "%s e%s", r != NULL ? r->value : "?", epv);
	return buf;
}

int
vhost_stale(const struct host_status *h)
{
	if (h->snapshot_at == 0 || !h->reachable)
		return 1;
	return vs.period_ms > 0 && vs.now_ms - h->snapshot_at >
	    2 * vs.period_ms + 5000;
}

struct alert_item {
	const char *host;
	const struct fact *f;
	enum level l;
};

static int
alert_cmp(const void *a, const void *b)
{
	const struct alert_item *x = a, *y = b;
	int rx = level_rank(x->l), ry = level_rank(y->l);

	return (ry > rx) - (ry < rx);
}

static void
alert_add(struct alert_item *v, size_t *n, size_t max, const char *host,
    const struct fact *f)
{
	enum level l = vfact_level(f);

	if (l == LEVEL_OK || *n == max)
		return;
	v[*n].host = host;
	v[*n].f = f;
	v[*n].l = l;
	(*n)++;
}

enum level
valert_text(const struct snapshot *s, char *buf, size_t len)
{
	struct alert_item items[128];
	size_t n = 0, i, j, used = 0;
	enum level worst = LEVEL_OK;
	int silent[HUB_MAX_HOSTS] = { 0 };
	char t[16];

	buf[0] = '\0';
	/* A host that answers nothing is one item, not each of its facts. */
	for (i = 0; i < s->n_hosts && i < HUB_MAX_HOSTS; i++) {
		const struct host_status *h = &s->hosts[i];
		size_t unk = 0;

		for (j = 0; j < h->facts.n; j++)
			if (vfact_level(&h->facts.v[j]) == LEVEL_UNKNOWN)
				unk++;
		if (h->facts.n == 0 || (unk == h->facts.n && vhost_stale(h)))
			silent[i] = 1;
	}
	for (i = 0; i < s->n_hosts && i < HUB_MAX_HOSTS; i++) {
		const struct host_status *h = &s->hosts[i];

		if (silent[i]) {
			worst = level_worst(worst, LEVEL_UNKNOWN);
			continue;
		}
		for (j = 0; j < h->facts.n; j++)
			alert_add(items, &n, 128, h->host, &h->facts.v[j]);
	}
	for (j = 0; j < s->pair.n; j++)
		alert_add(items, &n, 128, "pair", &s->pair.v[j]);
	qsort(items, n, sizeof items[0], alert_cmp);
	for (i = 0; i < s->n_hosts && i < HUB_MAX_HOSTS; i++)
		if (silent[i]) {
			used += (size_t)snprintf(buf + used, len - used,
			    "%s%s %s", used ? "; " : "",
			    s->hosts[i].host != NULL ? s->hosts[i].host :
			    "host", s->hosts[i].snapshot_at == 0 ?
			    "first probe round running" : "not answering");
			if (used >= len)
				return LEVEL_UNKNOWN;
		}
	for (i = 0; i < n && used < len; i++) {
		const struct fact *f = items[i].f;
		int64_t b = vfact_breach_ms(f);

		worst = level_worst(worst, items[i].l);
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s %s",
		    used ? "; " : "", items[i].host != NULL ? items[i].host :
		    "?", f->label, f->value);
		if (used < len && f->threshold != NULL && *f->threshold &&
		    strstr(f->value, f->threshold) == NULL)
			used += (size_t)snprintf(buf + used, len - used,
			    " \xe2\x80\x94 %s", f->threshold);
		if (used < len && b != 0 && b <= vs.now_ms)
			used += (size_t)snprintf(buf + used, len - used,
			    " breached at %s", vclock(b, t, sizeof t, 0));
	}
	if (!vs.utf8) {
		/* The em dash becomes "--" in ASCII. */
		char *p;

		while ((p = strstr(buf, "\xe2\x80\x94")) != NULL) {
			p[0] = '-';
			p[1] = '-';
			memmove(p + 2, p + 3, strlen(p + 3) + 1);
		}
	}
	return worst;
}

static int
is_exposure(const struct fact *f)
{
	return f->has_num && (strstr(f->key, "exposure") != NULL ||
	    strstr(f->key, "rpo") != NULL);
}

int
vfact_gauge(const struct fact *f, double *frac)
{
	const char *p;
	double v;

	if (is_exposure(f) && f->has_num) {
		double rpo = vs.rpo_ms > 0 ? (double)vs.rpo_ms / 1000.0 :
		    10800.0;

		v = f->num;
		if (f->unit != NULL && strcmp(f->unit, "ms") == 0)
			v /= 1000.0;
		*frac = v / rpo;
	} else if ((p = strstr(f->value, "free (")) != NULL &&
	    sscanf(p, "free (%lf%%)", &v) == 1) {
		/* "40 GiB free (62%)": the bar is what is used, as df. */
		*frac = 1.0 - v / 100.0;
	} else if (f->has_num && f->unit != NULL &&
	    strcmp(f->unit, "%") == 0) {
		*frac = f->num / 100.0;
	} else
		return 0;
	if (*frac < 0)
		*frac = 0;
	if (*frac > 1)
		*frac = 1;
	return 1;
}

int64_t
vfact_breach_ms(const struct fact *f)
{
	double v;

	if (!is_exposure(f) || vs.rpo_ms <= 0)
		return 0;
	v = f->num;
	if (f->unit != NULL && strcmp(f->unit, "ms") == 0)
		v /= 1000.0;
	return f->observed_at + vs.rpo_ms - (int64_t)(v * 1000.0);
}

/* A hash: by its key, or a value of 12 or more hex digits. */
static int
is_hash(const char *key, const char *value)
{
	size_t n = strlen(key), i;

	if (strstr(key, "sha256") != NULL ||
	    (n >= 4 && strcmp(key + n - 4, "hash") == 0))
		return 1;
	for (i = 0; value[i] != '\0'; i++)
		if (!((value[i] >= '0' && value[i] <= '9') ||
		    (value[i] >= 'a' && value[i] <= 'f')))
			return 0;
	return i >= 12;
}

int
vfact_match(const struct snapshot *s, const struct fact *f)
{
	size_t i;
	int others = 0;

	if (f->value[0] == '\0' || !is_hash(f->key, f->value))
		return -1;
	for (i = 0; i < s->n_hosts; i++) {
		const struct fact *g = facts_find(&s->hosts[i].facts, f->key);

		if (g == NULL || g == f)
			continue;
		if (g->value[0] == '\0')
			return -1;
		if (strcmp(g->value, f->value) != 0)
			return 0;
		others++;
	}
	return others > 0 ? 1 : -1;
}

/* ---- drawing ---- */

/* One character of s: its byte length, its code point (-1 invalid). */
static int
u8_next(const char *s, long *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	int n, i;
	long c;

	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if ((u[0] & 0xe0) == 0xc0) {
		n = 2;
		c = u[0] & 0x1f;
	} else if ((u[0] & 0xf0) == 0xe0) {
		n = 3;
		c = u[0] & 0x0f;
	} else if ((u[0] & 0xf8) == 0xf0) {
		n = 4;
		c = u[0] & 0x07;
	} else {
		*cp = -1;
		return 1;
	}
	for (i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*cp = -1;
			return i;
		}
		c = (c << 6) | (u[i] & 0x3f);
	}
	*cp = c;
	return n;
}

static int
cp_width(long cp)
{
	int w;

	if (cp < 0)
		return 1;
	if (cp < 0x20 || cp == 0x7f)
		return 1;	/* shown as a space */
	if (cp < 0x80)
		return 1;
	if (!vs.utf8)
		return 1;	/* shown as '?' */
	w = wcwidth((wchar_t)cp);
	return w < 0 ? 1 : w;
}

int
vwidth(const char *s)
{
	int cols = 0;
	long cp;

	while (*s) {
		s += u8_next(s, &cp);
		cols += cp_width(cp);
	}
	return cols;
}

size_t
vcut(const char *s, int cols)
{
	size_t n = 0;
	int used = 0, k, cw;
	long cp;

	while (s[n] != '\0') {
		k = u8_next(s + n, &cp);
		cw = cp_width(cp);
		if (used + cw > cols)
			break;
		used += cw;
		n += (size_t)k;
	}
	return n;
}

int
vput(WINDOW *w, int y, int x, int maxcols, attr_t a, const char *s)
{
	int cols = 0, n, cw, maxx = getmaxx(w);
	long cp;

	if (s == NULL || maxcols <= 0 || y < 0 || y >= getmaxy(w) || x < 0 ||
	    x >= maxx)
		return 0;
	if (x + maxcols > maxx)
		maxcols = maxx - x;
	wmove(w, y, x);
	wattrset(w, a);
	while (*s) {
		n = u8_next(s, &cp);
		cw = cp_width(cp);
		if (cw == 0) {
			if (vs.utf8 && cp > 0)
				waddnstr(w, s, n);	/* combining mark */
			s += n;
			continue;
		}
		if (cols + cw > maxcols)
			break;
		if (cp < 0x20 || cp == 0x7f)
			waddch(w, ' ');
		else if (cp < 0x80)
			waddch(w, (chtype)cp);
		else if (cp < 0 || !vs.utf8)
			waddch(w, '?');
		else
			waddnstr(w, s, n);
		cols += cw;
		s += n;
	}
	wattrset(w, A_NORMAL);
	return cols;
}

void
vfill(WINDOW *w, int y, int x, int n, attr_t a)
{
	int i, maxx = getmaxx(w);

	if (y < 0 || y >= getmaxy(w))
		return;
	wattrset(w, a);
	for (i = 0; i < n && x + i < maxx; i++)
		mvwaddch(w, y, x + i, ' ');
	wattrset(w, A_NORMAL);
}

void
vhline(WINDOW *w, int y, int x, int n, attr_t a)
{
	int i;

	for (i = 0; i < n; i++)
		vput(w, y, x + i, 1, a, vs.utf8 ? "\xe2\x94\x80" : "-");
}

void
vvline(WINDOW *w, int y, int x, int n, attr_t a)
{
	int i;

	for (i = 0; i < n; i++)
		vput(w, y + i, x, 1, a, vs.utf8 ? "\xe2\x94\x82" : "|");
}

void
vbox(WINDOW *w, int y, int x, int h, int wd, attr_t a, const char *title)
{
	int i;

	if (h < 2 || wd < 2)
		return;
	for (i = 0; i < h; i++)
		vfill(w, y + i, x, wd, A_NORMAL);
	vhline(w, y, x + 1, wd - 2, a);
	vhline(w, y + h - 1, x + 1, wd - 2, a);
	vvline(w, y + 1, x, h - 2, a);
	vvline(w, y + 1, x + wd - 1, h - 2, a);
	vput(w, y, x, 1, a, vs.utf8 ? "\xe2\x94\x8c" : "+");
	vput(w, y, x + wd - 1, 1, a, vs.utf8 ? "\xe2\x94\x90" : "+");
	vput(w, y + h - 1, x, 1, a, vs.utf8 ? "\xe2\x94\x94" : "+");
	vput(w, y + h - 1, x + wd - 1, 1, a, vs.utf8 ? "\xe2\x94\x98" : "+");
	if (title != NULL && *title) {
		vput(w, y, x + 2, 1, a, " ");
		vput(w, y, x + 3, wd - 6, a | A_BOLD, title);
		vput(w, y, x + 3 + (vwidth(title) < wd - 6 ? vwidth(title) :
		    wd - 6), 1, a, " ");
	}
}

const char *
vsym(enum level l)
{
	return level_symbol(l, vs.utf8);
}

char *
vbar(char *buf, size_t len, double frac, int cols)
{
	const char *full = vs.utf8 ? "\xe2\x96\x88" : "#";
	const char *empty = vs.utf8 ? "\xe2\x96\x91" : ".";
	int i, fill;
	size_t used = 0;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	fill = (int)(frac * cols + 0.5);
	if (frac > 0 && fill == 0)
		fill = 1;
	buf[0] = '\0';
	for (i = 0; i < cols; i++) {
		const char *c = i < fill ? full : empty;
		size_t n = strlen(c);

		if (used + n + 1 > len)
			break;
		memcpy(buf + used, c, n);
		used += n;
		buf[used] = '\0';
	}
	return buf;
}

char *
vclock(int64_t ms, char *buf, size_t len, int seconds)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(buf, len, seconds ? "%H:%M:%S" : "%H:%M", &tm);
	return buf;
}

char *
vage(int64_t ms, char *buf, size_t len)
{
	int64_t d = (vs.now_ms - ms) / 1000;

	if (ms <= 0)
		snprintf(buf, len, "never");
	else
		fmt_duration(d < 0 ? 0 : d, buf, len);
	return buf;
}

int
vwrap(WINDOW *w, int y, int x, int cols, int maxlines, attr_t a,
    const char *s)
{
	char line[512];
	int lines = 0;

	if (s == NULL || cols <= 0)
		return 0;
	while (*s && lines < maxlines) {
		size_t n = 0, brk = 0;
		int wd = 0;
		long cp;

		/* Take characters while they fit; remember the last space. */
		while (s[n] && s[n] != '\n') {
			int k = u8_next(s + n, &cp);
			int cw = cp_width(cp);

			if (wd + cw > cols || n + (size_t)k >= sizeof line)
				break;
			if (s[n] == ' ')
				brk = n;
			wd += cw;
			n += (size_t)k;
		}
		if (s[n] != '\0' && s[n] != '\n' && brk > 0)
			n = brk;
		memcpy(line, s, n);
		line[n] = '\0';
		vput(w, y + lines, x, cols, a, line);
		lines++;
		s += n;
		if (*s == '\n' || *s == ' ')
			s++;
		if (n == 0 && *s && *s != '\n' && *s != ' ') {
			/* A character wider than the column: skip it. */
			s += u8_next(s, &cp);
		}
	}
	return lines;
}

int
view_too_small(WINDOW *w)
{
	int H = getmaxy(w), W = getmaxx(w);
	char msg[80];
	const char *m1;

	if (H >= VIEW_MIN_LINES && W >= VIEW_MIN_COLS)
		return 0;
	werase(w);
	m1 = vs.utf8 ? "terminal too small (need 80\xc3\x97" "24)" :
	    "terminal too small (need 80x24)";
	snprintf(msg, sizeof msg, vs.utf8 ? "now %d\xc3\x97%d" : "now %dx%d",
	    W, H);
	vput(w, H / 2 - 1, (W - vwidth(m1)) / 2 > 0 ? (W - vwidth(m1)) / 2 :
	    0, W, color_attr(ROLE_BANNER), m1);
	vput(w, H / 2, (W - vwidth(msg)) / 2 > 0 ? (W - vwidth(msg)) / 2 : 0,
	    W, A_NORMAL, msg);
	if (H > 3 && !(vs.wall && vs.kiosk))
		vput(w, H / 2 + 1, (W - 6) / 2 > 0 ? (W - 6) / 2 : 0, W,
		    A_DIM, "q quit");
	return 1;
}

void
view_footer(WINDOW *w, const char *const *keys)
{
	int H = getmaxy(w), W = getmaxx(w), x = 1, i;
	attr_t fa = color_attr(ROLE_FOOTER);

	vfill(w, H - 1, 0, W, fa);
	for (i = 0; keys[i] != NULL && keys[i + 1] != NULL; i += 2) {
		int need = vwidth(keys[i]) + 1 + vwidth(keys[i + 1]) + 2;

		if (x + need > W)
			break;
		x += vput(w, H - 1, x, W - x, fa | A_BOLD, keys[i]);
		x += vput(w, H - 1, x, W - x, fa, " ");
		x += vput(w, H - 1, x, W - x, fa, keys[i + 1]);
		x += vput(w, H - 1, x, W - x, fa, "  ");
	}
}

void
view_ask(const char *text, enum ui_request req, const char *answer)
{
	vs.ask = ASK_YESNO;
	snprintf(vs.ask_text, sizeof vs.ask_text, "%s", text);
	vs.ask_req = req;
	snprintf(vs.ask_answer, sizeof vs.ask_answer, "%s",
	    answer != NULL ? answer : "");
}

void
view_ask_draw(WINDOW *w)
{
	int H = getmaxy(w), W = getmaxx(w), bw, bh = 6, y, x;
	const char *keys;
	attr_t a = color_attr(ROLE_DANGER);

	if (vs.ask == ASK_NONE)
		return;
	keys = vs.ask == ASK_RESUME ? "[r] resume   [a] abort   [Esc] later" :
	    "[y] yes   [n] no";
	bw = vwidth(vs.ask_text) + 6;
	if (bw < 44)
		bw = 44;
	if (bw > W - 4)
		bw = W - 4;
	if (vwidth(vs.ask_text) > bw - 4)
		bh = 7;
	y = (H - bh) / 2;
	x = (W - bw) / 2;
	vbox(w, y, x, bh, bw, a, vs.ask == ASK_RESUME ? "interrupted flow" :
	    "confirm");
	vwrap(w, y + 2, x + 2, bw - 4, bh - 4, A_BOLD, vs.ask_text);
	vput(w, y + bh - 2, x + 2, bw - 4, color_attr(ROLE_KEY), keys);
}

int
view_ask_key(int ch)
{
	if (vs.ask == ASK_NONE || ch == KEY_RESIZE)
		return 0;
	if (vs.ask == ASK_RESUME) {
		if (ch == 'r' || ch == 'R') {
			vs.ask = ASK_NONE;
			vs.req = REQ_RESUME;
		} else if (ch == 'a' || ch == 'A') {
			view_ask("Abort the interrupted flow? Its safe-state "
			    "steps run.", REQ_ABORT_INTERRUPTED, NULL);
		} else if (ch == VKEY_ESC || ch == 'q')
			vs.ask = ASK_NONE;
		return 1;
	}
	if (ch == 'y' || ch == 'Y') {
		vs.ask = ASK_NONE;
		vs.req = vs.ask_req;
		snprintf(vs.answer, sizeof vs.answer, "%s", vs.ask_answer);
	} else if (ch == 'n' || ch == 'N' || ch == VKEY_ESC || ch == 'q')
		vs.ask = ASK_NONE;
	return 1;
}

void
view_draw(WINDOW *w, const struct snapshot *s)
{
	werase(w);
	if (view_too_small(w))
		return;
	if (vs.wall)
		view_wall_draw(w, s);
	else
		switch (vs.screen) {
		case SCREEN_OVERVIEW:
			view_overview_draw(w, s);
			break;
		case SCREEN_DETAIL:
			view_detail_draw(w, s);
			break;
		case SCREEN_JOURNAL:
			view_journal_draw(w, s);
			break;
		case SCREEN_RUNNER:
			view_runner_draw(w, s);
			break;
		}
	if (vs.help && !vs.wall)
		view_help_draw(w, s);
	if (vs.ask != ASK_NONE)
		view_ask_draw(w);
}

int
view_key(int ch)
{
	if (ch == KEY_RESIZE)
		return 1;
	if (vs.ask != ASK_NONE)
		return view_ask_key(ch);
	if (vs.wall)
		return view_wall_key(ch);
	if (vs.help)
		return view_help_key(ch);
	switch (vs.screen) {
	case SCREEN_OVERVIEW:
		return view_overview_key(ch);
	case SCREEN_DETAIL:
		return view_detail_key(ch);
	case SCREEN_JOURNAL:
		return view_journal_key(ch);
	case SCREEN_RUNNER:
		return view_runner_key(ch);
	}
	return 0;
}
