/*
 * fuzz_journal.c: libFuzzer harness of the journal line parser and the
 * backwards tail reader.
 *
 * Each input is parsed as one line (drdeck JSON or a runbook log line);
 * what parses is formatted again and must parse back to the same event.
 * Then the input is written as a whole journal file and read with the
 * tail reader (count from the first byte, and with a since time), which
 * must account for every line it visits.
 *
 * The sources under test are compiled into this harness (not taken from
 * the library) so that libFuzzer's coverage instrumentation sees them.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../backend/journal.c"
#include "../../backend/timefmt.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
same(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return a == b;
	return strcmp(a, b) == 0;
}

static void
roundtrip(const uint8_t *data, size_t size)
{
	struct journal_event ev, back;
	char *line;

	if (journal_parse_line_tz((const char *)data, size, "Australia/"
	    "Lord_Howe", &ev) != 0)
		return;
	line = journal_format_line(&ev);
	if (journal_parse_line(line, strlen(line), &back) != 0)
		abort();
	if (back.ts != ev.ts || back.kind != ev.kind || back.rc != ev.rc ||
	    back.duration_ms != ev.duration_ms || !same(back.host, ev.host) ||
	    !same(back.actor, ev.actor) || !same(back.workflow, ev.workflow) ||
	    !same(back.step, ev.step) || !same(back.action, ev.action) ||
	    !same(back.message, ev.message))
		abort();
	journal_event_free(&back);
	journal_event_free(&ev);
	free(line);
}

static void
tail(const uint8_t *data, size_t size)
{
	static char path[64];
	struct journal_tail t;
	struct err e;
	FILE *f;
	size_t i, lines = 1;

	if (path[0] == '\0')
		snprintf(path, sizeof path, "/tmp/drdeck-fuzz-journal.%ld",
		    (long)getpid());
	if ((f = fopen(path, "wb")) == NULL)
		return;
	if (size > 0 && fwrite(data, 1, size, f) != size) {
		fclose(f);
		return;
	}
	fclose(f);
	for (i = 0; i < size; i++)
		if (data[i] == '\n')
			lines++;
	if (journal_tail(path, size > 0 ? 1 + data[0] % 8 : 1, 0, &t,
	    &e) == 0) {
		if (t.n > (size_t)(size > 0 ? 1 + data[0] % 8 : 1) ||
		    t.n + t.skipped > lines)
			abort();
		for (i = 1; i < t.n; i++)
			if (t.ev[i].kind > JK_NOTE)
				abort();
		journal_tail_free(&t);
	}
	if (journal_tail(path, 0, 1795597212345LL, &t, &e) == 0) {
		for (i = 0; i < t.n; i++)
			if (t.ev[i].ts < 1795597212345LL)
				abort();
		journal_tail_free(&t);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	roundtrip(data, size);
	tail(data, size);
	return 0;
}
