/*
 * config.c: placeholder until the loader lands (see config.h).
 */
#include "config.h"

#include <stdlib.h>

char *
config_find(const char *explicit_path, struct err *e)
{
	err_set(e, "the config loader is not built yet");
	return NULL;
}

int
config_load(const char *path, struct config **out, FILE *diag, struct err *e)
{
	*out = NULL;
	return err_set(e, "%s: the config loader is not built yet", path);
}
