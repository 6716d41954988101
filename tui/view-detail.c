/*
 * view-detail.c: the selected row's facts in full, host by host: level,
 * label, value, threshold, when observed, the key, and the detail text
 * (an extension list, the last dumps, storage per folder, a probe's
 * command output).  Scrolls.
 * Main (UI) thread only; draws from the snapshot, never blocks.
 */
#include "view.h"

#include <stdio.h>
#include <string.h>

/* Virtual lines: y counts every line; only those in sight are drawn. */
struct vlines {
	WINDOW	*w;
	int	 y;		/* next virtual line */
	int	 top;		/* first virtual line shown */
	int	 y0, y1;	/* screen lines [y0, y1) */
};

static int
vl_row(struct vlines *v)
{
	int row = v->y - v->top + v->y0;

	v->y++;
	return row >= v->y0 && row < v->y1 ? row : -1;
}

static void
vl_text(struct vlines *v, int x, attr_t a, const char *s)
{
	int row = vl_row(v);

	if (row >= 0)
		vput(v->w, row, x, getmaxx(v->w) - x - 1, a, s);
}

/* Hard-wrapped lines of a multi-line text. */
static void
vl_wrap(struct vlines *v, int x, attr_t a, const char *s)
{
	int cols = getmaxx(v->w) - x - 1;
	char line[512];

	while (s != NULL && *s) {
		size_t n = strcspn(s, "\n"), take = n, k = 0;
		int wd = 0;

		/* Up to cols columns of this line. */
		while (k < take && wd < cols && k < sizeof line - 8) {
			unsigned char c = (unsigned char)s[k];
			size_t cl = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 :
			    (c & 0xf0) == 0xe0 ? 3 : 4;

			if (k + cl > take)
				break;
			k += cl;
			wd++;
		}
		memcpy(line, s, k);
		line[k] = '\0';
		vl_text(v, x, a, line);
		s += k;
		if (k == take && *s == '\n')
			s++;
		else if (k == 0)
			break;
	}
}

static void
draw_fact(struct vlines *v, const struct fact *f)
{
	char buf[600], t[32], age[32];
	enum level l = vfact_level(f);
	int row = vl_row(v), x;

	if (row >= 0) {
		x = 2 + vput(v->w, row, 2, 2, color_attr(vfact_stale(f) ?
		    ROLE_STALE : color_level_role(l)), vsym(l));
		snprintf(buf, sizeof buf, " %s: ", f->label);
		x += vput(v->w, row, x, getmaxx(v->w) - x, A_BOLD, buf);
		vput(v->w, row, x, getmaxx(v->w) - x - 1, vfact_stale(f) ?
		    color_attr(ROLE_STALE) : (l == LEVEL_OK ? A_NORMAL :
		    color_attr(color_level_role(l))), f->value);
	}
	snprintf(buf, sizeof buf, "%s%s%s%s, observed %s (%s ago)%s  key %s",
	    level_name(l), f->threshold != NULL ? ", threshold " : "",
	    f->threshold != NULL ? f->threshold : "",
	    vfact_stale(f) ? ", STALE" : "",
	    vclock(f->observed_at, t, sizeof t, 1),
	    vage(f->observed_at, age, sizeof age), "", f->key);
	vl_text(v, 6, A_DIM, buf);
	if (f->has_num) {
		if (f->unit != NULL && strcmp(f->unit, "B") == 0 && f->num >= 0)
			snprintf(buf, sizeof buf, "value %s (%.0f B)", fmt_bytes(
			    (uint64_t)f->num, t, sizeof t), f->num);
		else
			snprintf(buf, sizeof buf, "value %.10g %s", f->num,
			    f->unit != NULL ? f->unit : "");
		vl_text(v, 6, A_DIM, buf);
	}
	if (f->detail != NULL && *f->detail)
		vl_wrap(v, 6, A_NORMAL, f->detail);
}

/* Draw the detail of vs.detail_group. */
void
view_detail_draw(WINDOW *w, const struct snapshot *s)
{
	static struct vrows r;
	static const char *const keys[] = {
		"j/k", "scroll", "h/Esc", "back", "r", "refresh", "?", "help",
		"q", "back", NULL
	};
	const struct vgroup *g = NULL;
	int H = getmaxy(w), W = getmaxx(w), k, pair = 0, total;
	const char *name = vs.detail_group;
	struct vlines v;
	char buf[200];
	size_t c;

	if (*name == '@') {
		pair = 1;
		name++;
	}
	vrows_build(s, &r);
	for (k = 0; k < r.n; k++)
		if (r.g[k].pair == pair && strcmp(r.g[k].name, name) == 0)
			g = &r.g[k];
	vfill(w, 0, 0, W, color_attr(ROLE_HEADER));
	snprintf(buf, sizeof buf, " drdeck %s %s detail: %s", vs.pair != NULL ?
	    vs.pair : "", vs.utf8 ? "\xe2\x94\x82" : "|", g != NULL ?
	    g->label : g != NULL ?
	    g->label : vgroup_label(name));
	vput(w, 0, 0, W, color_attr(ROLE_HEADER) | A_BOLD, buf);
	memset(&v, 0, sizeof v);
	v.w = w;
	v.y0 = 2;
	v.y1 = H - 1;
	v.top = vs.detail_top;
	if (g == NULL) {
		vl_text(&v, 2, color_attr(ROLE_STALE),
		    "this row has no facts in the latest round");
	} else if (g->pair) {
		vl_text(&v, 1, color_attr(ROLE_TITLE), "the pair");
		for (k = 0; k < g->nf[0]; k++)
			draw_fact(&v, g->f[0][k]);
	} else
		for (c = 0; c < s->n_hosts && c < HUB_MAX_HOSTS; c++) {
			const struct host_status *h = &s->hosts[c];
			char role[64], t[32];

			if (c > 0)
				vl_text(&v, 0, A_NORMAL, "");
			snprintf(buf, sizeof buf, "%s  (%s, %s)", h->host != NULL ?
			    h->host : "?", vhost_role(h, role, sizeof role),
			    vhost_stale(h) ? "not answering" : "answering");
			vl_text(&v, 1, color_attr(ROLE_TITLE), buf);
			if (g->nf[c] == 0) {
				snprintf(buf, sizeof buf, "no fact of this row "
				    "(last round %s ago)", vage(h->snapshot_at,
				    t, sizeof t));
				vl_text(&v, 4, color_attr(ROLE_STALE), buf);
			}
			for (k = 0; k < g->nf[c]; k++)
				draw_fact(&v, g->f[c][k]);
		}
	total = v.y;
	vs.body_lines = H - 3;
	vs.nrows = total;
	if (vs.detail_top > 0)
		vput(w, 1, W - 12, 11, A_DIM, vs.utf8 ? "\xe2\x96\xb2 more" :
		    "^ more");
	if (total - vs.detail_top > H - 3)
		vput(w, H - 2, W - 12, 11, A_DIM, vs.utf8 ?
		    "\xe2\x96\xbc more" : "v more");
	view_footer(w, keys);
}

/* Keys of the detail screen. */
int
view_detail_key(int ch)
{
	int max = vs.nrows - vs.body_lines;

	if (max < 0)
		max = 0;
	switch (ch) {
	case KEY_DOWN:
	case 'j':
		if (vs.detail_top < max)
			vs.detail_top++;
		return 1;
	case KEY_UP:
	case 'k':
		if (vs.detail_top > 0)
			vs.detail_top--;
		return 1;
	case KEY_NPAGE:
	case ' ':
		vs.detail_top += vs.body_lines;
		if (vs.detail_top > max)
			vs.detail_top = max;
		return 1;
	case KEY_PPAGE:
		vs.detail_top -= vs.body_lines;
		if (vs.detail_top < 0)
			vs.detail_top = 0;
		return 1;
	case 'r':
		vs.req = REQ_REFRESH;
		return 1;
	case '?':
		vs.help = 1;
		return 1;
	case KEY_LEFT:
	case 'h':
	case VKEY_ESC:
	case 'q':
	case KEY_BACKSPACE:
	case '\n':
	case '\r':
	case KEY_ENTER:
		vs.screen = SCREEN_OVERVIEW;
		return 1;
	}
	return 0;
}
