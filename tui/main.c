/*
 * main.c: drdeck's entry point.  The only place that calls exit().
 */
#include <stdlib.h>

#include "cli.h"
#include "os.h"

int
main(int argc, char **argv)
{
	os_signals_reset();
	exit(cli_main(argc, argv));
}
