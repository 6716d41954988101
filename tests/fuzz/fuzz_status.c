/*
 * fuzz_status.c: libFuzzer harness of what `drdeck status` reads from
 * outside: the --alert state file (statusalert_parse), a storage summary
 * line as a host prints it (probe_storage_parse), the batch's output
 * lines, and two versions compared (probe_version_cmp: the input split at
 * its first NUL, the order checked to be antisymmetric).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "probe.h"
#include "statusalert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sa_state st;
	struct err e = { "" };
	char *s = malloc(size + 1), *b;
	uint64_t files, bytes;
	double newest;
	char *text;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (statusalert_parse(s, size, &st, &e) == 0) {
		text = statusalert_format(&st);
		free(text);
	}
	(void)probe_storage_parse(s, &files, &bytes, &newest);
	b = memchr(s, '\0', size);
	b = b != NULL ? b + 1 : s + size;
	{
		int ab = probe_version_cmp(s, b), ba = probe_version_cmp(b, s);

		if ((ab > 0) != (ba < 0) || (ab == 0) != (ba == 0))
			abort();
	}
	free(s);
	return 0;
}
