/*
 * view-runner.c: a workflow (or a job) as it runs: the steps as a
 * checklist with their state and duration, the current step's why and
 * runbook section, the exact command, the live output tail, the RTO
 * clock against its target, and the prompt -- y/n, or a typed word for a
 * destructive step, typed into a small line editor.  Esc asks whether
 * to abort.  The engine publishes a flow_view through the hub; answers
 * go back as vs.req = REQ_ANSWER (the loop calls engine_answer).
 * Main (UI) thread only; never blocks.
 */
#include "view.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static uint64_t shown_seq;	/* the prompt on screen */
static uint64_t answered_seq;	/* the last prompt answered */
static int answered;		/* an answer to shown_seq is on its way */
static char flow_name[64];

static const char *
step_sym(enum step_state st)
{
	switch (st) {
	case STEP_PENDING:
		return vs.utf8 ? "\xc2\xb7" : ".";
	case STEP_CONFIRM:
		return "?";
	case STEP_RUNNING:
		return vs.utf8 ? "\xe2\x96\xb6" : ">";
	case STEP_STILL_RUNNING:
		return vs.utf8 ? "\xe2\x80\xa6" : "~";
	case STEP_DONE:
		return vsym(LEVEL_OK);
	case STEP_FAILED:
		return vsym(LEVEL_CRIT);
	case STEP_SKIPPED:
		return "-";
	}
	return "?";
}

static enum role
step_role(enum step_state st)
{
	switch (st) {
	case STEP_DONE:
		return ROLE_OK;
	case STEP_FAILED:
		return ROLE_CRIT;
	case STEP_CONFIRM:
	case STEP_STILL_RUNNING:
		return ROLE_WARN;
	case STEP_RUNNING:
		return ROLE_TITLE;
	default:
		break;
	}
	return ROLE_NORMAL;
}

static void
draw_steps(WINDOW *w, const struct flow_view *fv, int y, int x, int cols,
    int lines)
{
	int first = 0, i, used;
	char buf[200], d[32];

	if ((int)fv->n_steps > lines)
		first = (int)fv->current - lines / 2;
	if (first + lines > (int)fv->n_steps)
		first = (int)fv->n_steps - lines;
	if (first < 0)
		first = 0;
	for (i = 0; i < lines && first + i < (int)fv->n_steps; i++) {
		const struct flow_step_view *st = &fv->steps[first + i];
		int cur = (size_t)(first + i) == fv->current &&
		    fv->finished == 0;
		attr_t a = cur ? color_attr(ROLE_SELECT) : A_NORMAL;

		if (cur)
			vfill(w, y + i, x, cols, a);
		used = vput(w, y + i, x, 2, color_attr(step_role(st->state)) |
		    (cur ? a : 0), step_sym(st->state));
		used += vput(w, y + i, x + used, 1, a, " ");
		snprintf(buf, sizeof buf, "%d. %s", first + i + 1,
		    st->title != NULL ? st->title : st->id);
		if (st->duration_ms > 0 || st->state == STEP_DONE ||
		    st->state == STEP_FAILED)
			fmt_duration(st->duration_ms / 1000, d, sizeof d);
		else
			d[0] = '\0';
		vput(w, y + i, x + used, cols - used - vwidth(d) - 1, a, buf);
		vput(w, y + i, x + cols - vwidth(d), vwidth(d), a, d);
	}
}

/* The current step in full; returns the next free line. */
static int
draw_current(WINDOW *w, const struct flow_view *fv, int y, int x, int cols,
    int ymax)
{
	const struct flow_step_view *st;
	char buf[300];

	if (fv->n_steps == 0 || fv->current >= fv->n_steps)
		return y;
	st = &fv->steps[fv->current];
	snprintf(buf, sizeof buf, "%s %s%s%s", step_sym(st->state),
	    st->title != NULL ? st->title : st->id, st->section != NULL ?
	    "   runbook " : "", st->section != NULL ? st->section : "");
	vput(w, y++, x, cols, color_attr(ROLE_TITLE), buf);
	if (st->why != NULL && y < ymax)
		y += vwrap(w, y, x + 2, cols - 2, ymax - y > 3 ? 3 : ymax - y,
		    A_NORMAL, st->why);
	if (st->command != NULL && *st->command && y + 1 < ymax) {
		vput(w, y++, x, cols, A_DIM, "command:");
		y += vwrap(w, y, x + 2, cols - 2, ymax - y > 6 ? 6 : ymax - y,
		    color_attr(ROLE_KEY), st->command);
	}
	if (st->message != NULL && *st->message && y < ymax)
		y += vwrap(w, y, x, cols, 2, color_attr(st->state ==
		    STEP_FAILED ? ROLE_CRIT : ROLE_NORMAL), st->message);
	return y;
}

/* The last lines of the output that fit in [y, ymax), long lines
 * wrapped (the newest line always whole at the bottom). */
static void
draw_output(WINDOW *w, const char *out, int y, int x, int cols, int ymax)
{
	const char *start[64], *p, *end;
	size_t len[64];
	char line[1024];
	int n = 0, want = ymax - y - 1, rows = 0, i, skip, wc = cols - 2;

	if (out == NULL || *out == '\0' || want <= 0 || wc <= 0)
		return;
	vput(w, y++, x, cols, A_DIM, "output:");
	/* The last lines, newest first, until they fill the space. */
	end = out + strlen(out);
	while (end > out && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	while (end > out && n < 64 && rows < want) {
		p = end;
		while (p > out && p[-1] != '\n')
			p--;
		len[n] = (size_t)(end - p);
		if (len[n] >= sizeof line)
			len[n] = sizeof line - 1;
		start[n] = p;
		memcpy(line, p, len[n]);
		line[len[n]] = '\0';
		rows += vwidth(line) / wc + 1;
		n++;
		end = p > out ? p - 1 : p;
	}
	/* Oldest first; the oldest may lose its first rows. */
	skip = rows > want ? rows - want : 0;
	for (i = n - 1; i >= 0 && y < ymax; i--) {
		const char *q = line;

		memcpy(line, start[i], len[i]);
		line[len[i]] = '\0';
		do {
			size_t k = vcut(q, wc);

			if (k == 0 && *q != '\0')
				k = 1;
			if (skip > 0)
				skip--;
			else {
				char part[1024];

				memcpy(part, q, k);
				part[k] = '\0';
				vput(w, y++, x + 2, wc, A_NORMAL, part);
			}
			q += k;
		} while (*q != '\0' && y < ymax);
	}
}

/* Lines the prompt text takes at this width (1..3). */
static int
prompt_lines(WINDOW *w, const struct flow_view *fv)
{
	int n;

	if (fv->finished != 0 || fv->prompt == NULL)
		return 1;
	n = (vwidth(fv->prompt) + getmaxx(w) - 3) / (getmaxx(w) - 2);
	return n < 1 ? 1 : n > 3 ? 3 : n;
}

static void
draw_prompt(WINDOW *w, const struct flow_view *fv, int y, int pl)
{
	int W = getmaxx(w), x = 1;
	char buf[400];

	vs.prompt = 0;
	if (fv->finished != 0) {
		snprintf(buf, sizeof buf, "%s %s %s%s%s   Enter: close",
		    vsym(fv->finished > 0 ? LEVEL_OK : LEVEL_CRIT),
		    fv->name != NULL ? fv->name : "flow",
		    fv->finished > 0 ? "done" : "failed / aborted",
		    fv->report_path != NULL ? "   report: " : "",
		    fv->report_path != NULL ? fv->report_path : "");
		vfill(w, y, 0, W, color_attr(fv->finished > 0 ? ROLE_OK :
		    ROLE_CRIT) | A_REVERSE);
		vput(w, y, 1, W - 2, color_attr(fv->finished > 0 ? ROLE_OK :
		    ROLE_CRIT) | A_REVERSE, buf);
		return;
	}
	if (fv->prompt == NULL) {
		vput(w, y, 1, W - 2, A_DIM, "running; Esc asks whether to "
		    "abort");
		return;
	}
	if (fv->prompt_seq != shown_seq) {
		shown_seq = fv->prompt_seq;
		answered = 0;
		vs.line_len = 0;
		vs.line[0] = '\0';
	}
	if (answered && answered_seq == shown_seq) {
		vput(w, y, 1, W - 2, A_DIM, "answer sent, waiting for the "
		    "engine");
		return;
	}
	vs.prompt = fv->expect != NULL ? 2 : 1;
	vwrap(w, y - pl, 1, W - 2, pl, color_attr(vs.prompt == 2 ?
	    ROLE_DANGER : ROLE_WARN), fv->prompt);
	if (vs.prompt == 1) {
		vput(w, y, 1, W - 2, color_attr(ROLE_KEY), "[y] yes   [n] no"
		    "   (after a failure: [r] retry  [s] skip  [w] wait)   "
		    "Esc abort");
		return;
	}
	snprintf(buf, sizeof buf, "type %s and Enter: ", fv->expect);
	x += vput(w, y, x, W - 2, color_attr(ROLE_DANGER), buf);
	x += vput(w, y, x, W - x - 1, A_BOLD | A_UNDERLINE, vs.line);
	vput(w, y, x, 1, A_REVERSE, " ");
}

/* Draw the runner. */
void
view_runner_draw(WINDOW *w, const struct snapshot *s)
{
	static const char *const keys[] = {
		"y/n", "answer", "Enter", "send word", "Esc", "abort", "Tab",
		"overview", "?", "help", NULL
	};
	static const char *const keys_done[] = {
		"Enter", "close", "j", "journal", NULL
	};
	const struct flow_view *fv = &s->flow;
	int H = getmaxy(w), W = getmaxx(w), L, x, y, lines, pl, bot;
	char buf[300], clk[32], tgt[32], bar[64];
	int64_t rto;
	double frac;

	vs.flow_active = fv->active;
	vs.flow_finished = fv->finished;
	vs.prompt = 0;
	vfill(w, 0, 0, W, color_attr(ROLE_HEADER));
	if (!fv->active) {
		vput(w, 0, 0, W, color_attr(ROLE_HEADER) | A_BOLD,
		    " drdeck runner");
		vput(w, 3, 2, W - 4, color_attr(ROLE_STALE), "no flow is "
		    "running; h or Esc goes back to the overview");
		view_footer(w, keys_done);
		return;
	}
	if (fv->name != NULL)
		snprintf(flow_name, sizeof flow_name, "%s", fv->name);
	if (fv->finished != 0 && vs.flow_end_ms == 0)
		vs.flow_end_ms = vs.now_ms;
	rto = fv->rto_ms > 0 ? fv->rto_ms : (fv->started_at > 0 ?
	    (fv->finished != 0 && vs.flow_end_ms ? vs.flow_end_ms :
	    vs.now_ms) - fv->started_at : 0);
	fmt_duration(rto / 1000, clk, sizeof clk);
	fmt_duration(fv->rto_target_ms / 1000, tgt, sizeof tgt);
	frac = fv->rto_target_ms > 0 ? (double)rto / (double)fv->rto_target_ms :
	    0;
	snprintf(buf, sizeof buf, " drdeck %s %s %s%s  %s  step %zu/%zu",
	    vs.pair != NULL ? vs.pair : "", vs.utf8 ? "\xe2\x94\x82" : "|",
	    fv->name != NULL ? fv->name : "flow", fv->dry_run ? " (dry run)" :
	    "", fv->id != NULL ? fv->id : "", fv->current + 1 > fv->n_steps ?
	    fv->n_steps : fv->current + 1, fv->n_steps);
	x = vput(w, 0, 0, W, color_attr(ROLE_HEADER) | A_BOLD, buf);
	if (fv->rto_target_ms > 0)
		snprintf(buf, sizeof buf, " RTO %s / %s %s ", clk, tgt,
		    vbar(bar, sizeof bar, frac, 10));
	else
		snprintf(buf, sizeof buf, " elapsed %s ", clk);
	if (W - vwidth(buf) > x)
		vput(w, 0, W - vwidth(buf), vwidth(buf), frac >= 1.0 ?
		    color_attr(ROLE_DANGER) : color_attr(ROLE_HEADER), buf);

	/* The bottom: a line, the prompt (1-3 lines), the answer line. */
	pl = prompt_lines(w, fv);
	bot = H - 3 - pl;
	if (W >= 110) {
		L = W / 2 - 4 > 56 ? 56 : W / 2 - 4;
		draw_steps(w, fv, 2, 1, L, bot - 2);
		vvline(w, 2, L + 2, bot - 2, color_attr(ROLE_FRAME));
		x = L + 4;
		y = draw_current(w, fv, 2, x, W - x - 1, bot - 3);
		draw_output(w, fv->output_tail, y + 1, x, W - x - 1, bot);
	} else {
		lines = (int)fv->n_steps;
		if (lines > (bot - 4) / 2)
			lines = (bot - 4) / 2;
		draw_steps(w, fv, 2, 1, W - 2, lines);
		vhline(w, 2 + lines, 0, W, color_attr(ROLE_FRAME));
		y = draw_current(w, fv, 3 + lines, 1, W - 2, bot - 1);
		draw_output(w, fv->output_tail, y, 1, W - 2, bot);
	}
	vhline(w, bot, 0, W, color_attr(ROLE_FRAME));
	draw_prompt(w, fv, H - 2, pl);
	view_footer(w, fv->finished != 0 ? keys_done : keys);
}

static void
answer(const char *text)
{
	vs.req = REQ_ANSWER;
	snprintf(vs.answer, sizeof vs.answer, "%s", text);
	answered = 1;
	answered_seq = shown_seq;
}

static void
ask_abort(void)
{
	char q[160];

	snprintf(q, sizeof q, "Abort the %s? Its safe-state steps run; the "
	    "journal keeps what was done.", flow_name[0] ? flow_name :
	    "flow");
	view_ask(q, REQ_ANSWER, "abort");
}

/* Keys of the runner. */
int
view_runner_key(int ch)
{
	if (!vs.flow_active) {
		if (ch == VKEY_ESC || ch == 'q' || ch == 'h' ||
		    ch == KEY_LEFT || ch == '\n' || ch == '\r')
			vs.screen = SCREEN_OVERVIEW;
		return 1;
	}
	if (vs.flow_finished != 0) {
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER ||
		    ch == VKEY_ESC || ch == 'q')
			vs.req = REQ_RUNNER_CLOSE;
		else if (ch == 'j') {
			vs.screen = SCREEN_JOURNAL;
			vs.req = REQ_JOURNAL_LOAD;
		}
		return 1;
	}
	if (ch == '\t') {
		vs.screen = SCREEN_OVERVIEW;
		return 1;
	}
	if (vs.prompt == 2) {
		if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
			if (vs.line_len > 0)
				answer(vs.line);
		} else if (ch == KEY_BACKSPACE || ch == 127 ||
		    ch == VKEY_CTRL('h')) {
			if (vs.line_len > 0)
				vs.line[--vs.line_len] = '\0';
		} else if (ch == VKEY_CTRL('u')) {
			vs.line_len = 0;
			vs.line[0] = '\0';
		} else if (ch == VKEY_ESC) {
			if (vs.line_len > 0) {
				vs.line_len = 0;
				vs.line[0] = '\0';
			} else
				ask_abort();
		} else if (ch > 0 && ch < 256 && isprint(ch) &&
		    vs.line_len + 1 < sizeof vs.line) {
			vs.line[vs.line_len++] = (char)ch;
			vs.line[vs.line_len] = '\0';
		}
		return 1;
	}
	switch (ch) {
	case VKEY_ESC:
	case 'a':
		ask_abort();
		return 1;
	case '?':
		vs.help = 1;
		return 1;
	}
	if (vs.prompt == 1)
		switch (ch) {
		case 'y':
		case 'Y':
			answer("y");
			return 1;
		case 'n':
		case 'N':
			answer("n");
			return 1;
		case 'r':
			answer("retry");
			return 1;
		case 's':
			answer("skip");
			return 1;
		case 'w':
			answer("wait");
			return 1;
		}
	return 1;
}
