/*
 * main.c: drdeck's entry point.  The only place that calls exit().
 */
#include <stdlib.h>

#include "cli.h"

int
main(int argc, char **argv)
{
	exit(cli_main(argc, argv));
}
