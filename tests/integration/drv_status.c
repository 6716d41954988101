/*
 * drv_status.c: set up a lab host's drdeck state for the status tests,
 * through the same transport and state code drdeck uses.
 *
 *   drv_status CONFIG state HOST ROLE EPOCH [RESTORE_AGE_S [DUMP]]
 *       write HOST's state file: ROLE (primary|standby|active), EPOCH,
 *       and, with RESTORE_AGE_S, a successful last restore of DUMP whose
 *       data is RESTORE_AGE_S seconds old
 *   drv_status CONFIG clear HOST
 *       remove HOST's state file (it then reads as its configured kind)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "config.h"
#include "state.h"
#include "transport.h"
#include "xmalloc.h"

int
main(int argc, char **argv)
{
	struct config *c = NULL;
	struct transport *t = NULL;
	const struct host_cfg *h;
	struct host_state st;
	struct err e = { "" };
	int rc = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: drv_status CONFIG state|clear HOST "
		    "...\n");
		return 2;
	}
	if (config_load(argv[1], &c, NULL, &e) != 0)
		goto fail;
	h = config_host(c, argv[3]);
	if (h == NULL) {
		err_set(&e, "no host %s", argv[3]);
		goto fail;
	}
	if (transport_open(h, 10000, &t, &e) != 0)
		goto fail;
	if (strcmp(argv[2], "clear") == 0) {
		char *path = xasprintf("%s/state.json", h->state);

		if (transport_remove(t, path, 10000, &e) != 0) {
			free(path);
			goto fail;
		}
		free(path);
		rc = 0;
		goto out;
	}
	if (strcmp(argv[2], "state") != 0 || argc < 6) {
		fprintf(stderr, "drv_status: bad arguments\n");
		rc = 2;
		goto out;
	}
	host_state_default(h, &st);
	if (host_role_parse(argv[4], &st.role) != 0) {
		fprintf(stderr, "drv_status: bad role %s\n", argv[4]);
		rc = 2;
		goto out;
	}
	st.epoch = atoll(argv[5]);
	st.updated_at = clock_wall_ms();
	st.updated_by = xstrdup("drv_status@lab");
	if (argc >= 7) {
		int64_t age = atoll(argv[6]) * 1000;

		st.restore_dump = xstrdup(argc >= 8 ? argv[7] :
		    "rabspocdb_2026-01-01_00-00.dump");
		st.restore_data_time = clock_wall_ms() - age;
		st.restore_at = clock_wall_ms() - age + 60000;
		if (st.restore_at > clock_wall_ms())
			st.restore_at = clock_wall_ms();
		st.restore_result = xstrdup("ok");
		st.restore_duration_ms = 4200;
		st.restore_switch_ms = 30;
	}
	if (state_write(t, &st, 10000, &e) != 0) {
		host_state_free(&st);
		goto fail;
	}
	host_state_free(&st);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "drv_status: %s\n", e.msg);
out:
	if (t != NULL)
		transport_close(t);
	config_free(c);
	return rc;
}
