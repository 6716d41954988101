/*
 * fuzz_config.c: libFuzzer harness of the config loader.  The input is a
 * config file's bytes; it is loaded, checked, printed and freed.  The file
 * name lies in a folder that does not exist, so a relative manifest path is
 * never read; an absolute one may name any regular file up to 1 MiB.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	struct config *c = NULL;
	struct err e = { "" };

	if (null == NULL)
		null = fopen("/dev/null", "w");
	if (config_load_buffer("/nonexistent-drdeck-fuzz/drdeck.json",
	    (const char *)data, size, &c, null, &e) == 0) {
		if (null != NULL)
			config_print(c, null);
		config_free(c);
	}
	return 0;
}
