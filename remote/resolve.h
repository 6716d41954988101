/*
 * resolve.h: host name to addresses, bounded by a deadline.
 *
 * getaddrinfo() has no timeout of its own: with a DNS server that does
 * not answer it blocks for the resolver's whole timeout (10 s and more
 * with the default resolv.conf options).  resolve_addr() runs it on a
 * short-lived detached thread and waits at most until the deadline.  A
 * lookup given up at the deadline keeps running on its thread, which
 * frees its own result when it ends.  Numeric addresses are converted at
 * once, on the calling thread.
 *
 * Any thread.  Blocks at most until the deadline (monotonic ms, clock.h).
 */
#ifndef DRDECK_RESOLVE_H
#define DRDECK_RESOLVE_H

#include <stdint.h>

#include "err.h"

struct addrinfo;

/*
 * The stream (TCP) addresses of host and port (a number or a service
 * name; may be NULL), any family.  On success *out is the list,
 * released with freeaddrinfo().  On failure e says, naming the host,
 * what getaddrinfo answered (its gai_strerror text) or that no answer
 * came within the wait ("db1.example: name lookup gave no answer within
 * 2.0 s"); a deadline already past gives that at once.
 */
int resolve_addr(const char *host, const char *port, int64_t deadline,
    struct addrinfo **out, struct err *e) WUR;

/* Test hook: the lookup the worker runs, with getaddrinfo()'s signature
 * and contract (NULL restores getaddrinfo).  Set before any lookup. */
typedef int (*resolve_lookup_fn)(const char *host, const char *port,
    const struct addrinfo *hints, struct addrinfo **res);
void resolve_set_lookup(resolve_lookup_fn fn);
/* Test hook: lookups whose state is not yet freed (a caller waiting, or
 * a worker still running after its caller gave up). */
int resolve_jobs_live(void);

#endif
