/*
 * test_cli.c: global option parsing and the command table.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "cli.h"

#define ARGV(...) ((char *[]){ "drdeck", __VA_ARGS__, NULL })
#define ARGC(a) ((int)(sizeof(a) / sizeof((a)[0])) - 1)

static int
parse(int argc, char **argv, struct cli_opts *o, struct err *e)
{
	return cli_parse(argc, argv, o, e);
}

static void
test_no_args_is_console(void **state)
{
	char *argv[] = { "drdeck", NULL };
	struct cli_opts o;
	struct err e = { "" };

	unsetenv("DRDECK_CONFIG");
	assert_int_equal(parse(1, argv, &o, &e), 0);
	assert_null(o.cmd);
	assert_null(o.config_path);
	assert_false(o.wall);
}

static void
test_config_and_command(void **state)
{
	char **argv = ARGV("--config", "x.json", "status", "--json");
	struct cli_opts o;
	struct err e = { "" };

	assert_int_equal(parse(ARGC(ARGV("--config", "x.json", "status",
	    "--json")), argv, &o, &e), 0);
	assert_string_equal(o.config_path, "x.json");
	assert_string_equal(o.cmd, "status");
	assert_int_equal(o.argc, 2);
	assert_string_equal(o.argv[1], "--json");
}

static void
test_env_config_and_override(void **state)
{
	char **argv = ARGV("config", "check");
	char **argv2 = ARGV("--config=y.json", "config", "check");
	struct cli_opts o;
	struct err e = { "" };

	setenv("DRDECK_CONFIG", "env.json", 1);
	assert_int_equal(parse(3, argv, &o, &e), 0);
	assert_string_equal(o.config_path, "env.json");
	assert_int_equal(parse(4, argv2, &o, &e), 0);
	assert_string_equal(o.config_path, "y.json");
	unsetenv("DRDECK_CONFIG");
}

static void
test_errors(void **state)
{
	struct cli_opts o;
	struct err e = { "" };
	char **a1 = ARGV("--config");
	char **a2 = ARGV("--bogus");
	char **a3 = ARGV("frobnicate");
	char **a4 = ARGV("--kiosk");
	char **a5 = ARGV("--wall", "status");
	char **a6 = ARGV("--config", "");

	assert_int_equal(parse(2, a1, &o, &e), -1);
	assert_non_null(strstr(e.msg, "needs a file name"));
	assert_int_equal(parse(2, a2, &o, &e), -1);
	assert_non_null(strstr(e.msg, "--bogus"));
	assert_int_equal(parse(2, a3, &o, &e), -1);
	assert_non_null(strstr(e.msg, "frobnicate"));
	assert_int_equal(parse(2, a4, &o, &e), -1);
	assert_non_null(strstr(e.msg, "--wall"));
	assert_int_equal(parse(3, a5, &o, &e), -1);
	assert_int_equal(parse(3, a6, &o, &e), -1);
}

static void
test_wall_kiosk_color(void **state)
{
	char **argv = ARGV("--wall", "--kiosk", "--color=off");
	struct cli_opts o;
	struct err e = { "" };

	assert_int_equal(parse(4, argv, &o, &e), 0);
	assert_true(o.wall);
	assert_true(o.kiosk);
	assert_int_equal(o.color, CLI_COLOR_OFF);
	assert_null(o.cmd);
}

static void
test_table_lists_design_commands(void **state)
{
	const char *want[] = { "status", "backup", "restore", "failover",
	    "cutback", "drill", "schedule", "config" };
	size_t i;

	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_non_null(cli_find(want[i]));
	assert_null(cli_find("nope"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_args_is_console),
		cmocka_unit_test(test_config_and_command),
		cmocka_unit_test(test_env_config_and_override),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_wall_kiosk_color),
		cmocka_unit_test(test_table_lists_design_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
