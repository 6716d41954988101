/*
 * probe-services.c: each configured service's status command (argv run
 * on the host; exit 0 = running).  A service without a status command is
 * not shown.
 *
 * Worker thread of the host; one bounded exec per service.
 */
#include "probe.h"

#include <stdio.h>

#include "clock.h"

/* Run the services probe. */
void
probe_services_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const struct host_cfg *h = ctx->h;
	char key[128], part[64], v[96], how[EXEC_DESCRIBE_MAX];
	size_t i;

	for (i = 0; i < h->n_services; i++) {
		const struct service_cfg *s = &h->services[i];
		struct exec_result r = { 0 };
		struct err e = { "" };
		const struct probe_item_result *it;

		if (s->status.n == 0)
			continue;
		probe_key_part(s->name, part, sizeof part);
		snprintf(key, sizeof key, "service.%s", part);
		if ((it = probe_batch_get(ctx, PROBE_ITEM_SERVICE, i)) !=
		    NULL) {
			if (!it->done || !it->ok)
				probe_unknown(out, key, s->name, it->text ?
				    it->text : "no answer");
			else if (it->rc == 0)
				facts_add(out, key, s->name, LEVEL_OK,
				    "running", NULL, NULL, clock_wall_ms());
			else if (it->rc == 137)
				probe_unknown(out, key, s->name, "its status "
				    "command was killed after " "10 s");
			else {
				snprintf(v, sizeof v, "stopped (exit %d)",
				    it->rc);
				facts_add(out, key, s->name, LEVEL_CRIT, v,
				    "its status command did not exit 0", NULL,
				    clock_wall_ms());
			}
			continue;
		}
		if (transport_exec(ctx->t, strv_argv(&s->status), NULL, 0,
		    probe_budget(ctx), &r, &e) != 0) {
			probe_unknown(out, key, s->name, e.msg);
		} else if (r.timed_out || (!r.exited &&
		    r.signal[0] == '\0')) {
			probe_unknown(out, key, s->name,
			    exec_describe(&r, how, sizeof how));
		} else if (exec_ok(&r)) {
			facts_add(out, key, s->name, LEVEL_OK, "running",
			    NULL, NULL, clock_wall_ms());
		} else {
			snprintf(v, sizeof v, "stopped (%s)",
			    exec_describe(&r, how, sizeof how));
			facts_add(out, key, s->name, LEVEL_CRIT, v,
			    "its status command did not exit 0", NULL,
			    clock_wall_ms());
		}
		exec_result_free(&r);
	}
}
