/*
 * poller.h: one worker thread per host runs that host's probes on a
 * cadence, each with a deadline, and publishes to the hub.
 *
 * A hung host marks only its own facts unknown after its deadline; the
 * other host's cadence is not touched.  poller_round() runs one round of
 * every host (in parallel, one thread each) and returns when all are done
 * or past the deadline: used by `drdeck status`.
 */
#ifndef DRDECK_POLLER_H
#define DRDECK_POLLER_H

#include "config.h"
#include "err.h"
#include "hub.h"

struct poller;

int poller_start(const struct config *c, struct hub *h, struct poller **out,
    struct err *e) WUR;
/* Ask every worker for a round now. */
void poller_refresh(struct poller *p);
void poller_stop(struct poller *p);
/* One round of every host, published to h; returns within the deadline. */
int poller_round(const struct config *c, struct hub *h, struct err *e) WUR;
/* Workers of poller_round() calls that were past their deadline and are
 * still running, detached (each bounded by its own call timeouts).  The
 * config given to poller_round() must outlive them: a caller about to
 * exit skips config_free() while this is not 0. */
size_t poller_detached(void);
/* The round deadline: what poller_round() waits, in ms (twice the
 * probe_timeout: one for the connection, one for the probes). */
int64_t poller_round_budget_ms(const struct config *c);

#endif
