/*
 * test_schedule.c: `drdeck schedule print` from a config: cron lines,
 * systemd units, Task Scheduler XML, all from the schedule section.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config.h"
#include "jobs.h"

static struct host_cfg hosts[2];
static struct config cfg;

static void
setup_cfg(enum host_os os)
{
	memset(hosts, 0, sizeof hosts);
	memset(&cfg, 0, sizeof cfg);
	hosts[0].name = "primary";
	hosts[0].kind = HOST_KIND_PRIMARY;
	hosts[0].os = os;
	hosts[1].name = "backup";
	hosts[1].kind = HOST_KIND_BACKUP;
	hosts[1].os = os;
	cfg.path = "/etc/drdeck/config.json";
	cfg.pair = "rabs";
	cfg.hosts = hosts;
	cfg.n_hosts = 2;
	cfg.lock_wait = 600;
	cfg.schedule.daytime_every = 3 * 3600;
	cfg.schedule.daytime_start = 0;
	cfg.schedule.daytime_end = 24 * 60;
	cfg.schedule.restore_stagger = 600;
	cfg.schedule.nightly_backup = 0;
	cfg.schedule.nightly_restore = 30;
}

static char *
render(void)
{
	char *s = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&s, &n);

	schedule_print(&cfg, "/usr/bin/drdeck", f);
	fclose(f);
	return s;
}

static void
test_cron_default(void **unused)
{
	char *s;

	setup_cfg(HOST_OS_LINUX);
	s = render();
	assert_non_null(strstr(s, "0 3,6,9,12,15,18,21 * * * /usr/bin/drdeck "
	    "--config /etc/drdeck/config.json backup --host primary\n"));
	assert_non_null(strstr(s, "0 0 * * * /usr/bin/drdeck --config "
	    "/etc/drdeck/config.json backup --host primary --nightly\n"));
	assert_non_null(strstr(s, "10 3,6,9,12,15,18,21 * * * /usr/bin/drdeck "
	    "--config /etc/drdeck/config.json restore --host backup "
	    "--latest\n"));
	assert_non_null(strstr(s, "30 0 * * * /usr/bin/drdeck --config "
	    "/etc/drdeck/config.json restore --host backup --latest\n"));
	/* systemd units: one OnCalendar per slot. */
	assert_non_null(strstr(s, "/etc/systemd/system/drdeck-backup.timer"));
	assert_non_null(strstr(s, "OnCalendar=*-*-* 21:00:00\n"));
	assert_non_null(strstr(s, "OnCalendar=*-*-* 21:10:00\n"));
	assert_non_null(strstr(s, "OnCalendar=*-*-* 00:30:00\n"));
	assert_null(strstr(s, "OnCalendar=*-*-* 00:10:00\n"));
	assert_non_null(strstr(s, "ExecStart=/usr/bin/drdeck --config "
	    "/etc/drdeck/config.json backup --host primary --nightly\n"));
	assert_null(strstr(s, "<Task"));
	free(s);
}

static void
test_cron_other_cadence(void **unused)
{
	char *s;

	setup_cfg(HOST_OS_LINUX);
	cfg.schedule.daytime_every = 90 * 60;
	cfg.schedule.daytime_start = 6 * 60 + 15;
	cfg.schedule.daytime_end = 12 * 60;
	cfg.schedule.restore_stagger = 20 * 60;
	cfg.schedule.nightly_backup = 23 * 60 + 45;
	cfg.schedule.nightly_restore = 50;
	hosts[1].timezone = "Europe/Berlin";
	s = render();
	/* 06:15, 07:45, 09:15, 10:45 */
	assert_non_null(strstr(s, "15 6,9 * * * /usr/bin/drdeck"));
	assert_non_null(strstr(s, "45 7,10 * * * /usr/bin/drdeck"));
	/* restore +20 min: 06:35, 08:05, 09:35, 11:05 */
	assert_non_null(strstr(s, "35 6,9 * * *"));
	assert_non_null(strstr(s, "5 8,11 * * *"));
	assert_non_null(strstr(s, "45 23 * * *"));
	assert_non_null(strstr(s, "50 0 * * *"));
	assert_non_null(strstr(s, "CRON_TZ=Europe/Berlin\n"));
	assert_non_null(strstr(s, "OnCalendar=*-*-* 11:05:00 Europe/Berlin\n"));
	assert_null(strstr(s, "12 * * *"));
	free(s);
}

static void
test_windows_xml(void **unused)
{
	char *s;

	setup_cfg(HOST_OS_WINDOWS);
	cfg.path = "C:\\ProgramData\\drdeck\\config & co.json";
	s = render();
	assert_null(strstr(s, "* * *"));
	assert_non_null(strstr(s, "schtasks /Create /TN \"drdeck\\drdeck-backup\""));
	assert_non_null(strstr(s, "<StartBoundary>2026-01-01T03:00:00"));
	assert_non_null(strstr(s, "<StartBoundary>2026-01-01T03:10:00"));
	assert_non_null(strstr(s, "<StartBoundary>2026-01-01T00:30:00"));
	assert_non_null(strstr(s, "config &amp; co.json backup --host primary "
	    "--nightly</Arguments>"));
	assert_null(strstr(s, "config & co.json backup"));
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_default),
		cmocka_unit_test(test_cron_other_cadence),
		cmocka_unit_test(test_windows_xml),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
