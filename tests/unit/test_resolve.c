/*
 * test_resolve.c: name lookups bounded by a deadline (resolve.h).
 *
 * Real lookups for what needs no DNS server (numeric addresses,
 * "localhost" from /etc/hosts, names the resolver refuses before asking
 * anyone); a scripted lookup (resolve_set_lookup) for a resolver that
 * answers late, or with a given error.  The lookup against a real silent
 * DNS server is tests/integration/remote_dns.sh.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <netinet/in.h>

#include <errno.h>
#include <netdb.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "clock.h"
#include "resolve.h"

/* ---- the scripted lookup ---- */

/* Read by the workers, hence atomic. */
static atomic_int fake_delay_ms;	/* how long the "resolver" takes */
static atomic_int fake_rc;	/* 0: answer 127.0.0.1; else this EAI_ */
static atomic_int fake_errno;	/* errno with EAI_SYSTEM */
static atomic_int fake_calls;	/* lookups the workers ran */

static int
fake_lookup(const char *host, const char *port, const struct addrinfo *hints,
    struct addrinfo **res)
{
	struct timespec ts;
	int ms = fake_delay_ms;

	(void)host;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	if (fake_rc != 0) {
		errno = fake_errno;
		return fake_rc;
	}
	return getaddrinfo("127.0.0.1", port, hints, res);
}

static int
counting_lookup(const char *host, const char *port,
    const struct addrinfo *hints, struct addrinfo **res)
{
	fake_calls++;
	return fake_lookup(host, port, hints, res);
}

static void
fake(int delay_ms, int rc, int err)
{
	fake_delay_ms = delay_ms;
	fake_rc = rc;
	fake_errno = err;
	fake_calls = 0;
	resolve_set_lookup(counting_lookup);
}

static int
teardown(void **state)
{
	int64_t until = clock_mono_ms() + 60000;

	(void)state;
	/* Every job is freed, by the caller or by its late worker (a real
	 * lookup given up on a silent DNS server ends at the resolver's own
	 * timeout, 10 s with the default options). */
	while (resolve_jobs_live() > 0 && clock_left_ms(until) > 0) {
		struct timespec ts = { 0, 10000000L };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(resolve_jobs_live(), 0);
	resolve_set_lookup(NULL);
	return 0;
}

static int
is_loopback(const struct addrinfo *ai)
{
	if (ai->ai_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)ai->ai_addr;

		return (ntohl(s->sin_addr.s_addr) >> 24) == 127;
	}
	if (ai->ai_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)ai->ai_addr;

		return memcmp(&s->sin6_addr, &in6addr_loopback,
		    sizeof in6addr_loopback) == 0;
	}
	return 0;
}

static int
port_of(const struct addrinfo *ai)
{
	if (ai->ai_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)(const void *)
		    ai->ai_addr)->sin_port);
	return ntohs(((const struct sockaddr_in6 *)(const void *)
	    ai->ai_addr)->sin6_port);
}

/* ---- tests ---- */

/* Numeric addresses: converted on the caller's thread, even with the
 * deadline already past. */
static void
test_numeric(void **state)
{
	struct addrinfo *res = NULL;
	struct err e = { "" };

	(void)state;
	fake(0, 0, 0);
	assert_int_equal(resolve_addr("127.0.92.2", "2222",
	    clock_mono_ms() - 1, &res, &e), 0);
	assert_non_null(res);
	assert_int_equal(res->ai_family, AF_INET);
	assert_int_equal(res->ai_socktype, SOCK_STREAM);
	assert_int_equal(port_of(res), 2222);
	assert_true(is_loopback(res));
	freeaddrinfo(res);

	res = NULL;
	assert_int_equal(resolve_addr("::1", "22", clock_mono_ms() + 1000,
	    &res, &e), 0);
	assert_non_null(res);
	assert_int_equal(res->ai_family, AF_INET6);
	assert_int_equal(port_of(res), 22);
	freeaddrinfo(res);

	assert_int_equal(fake_calls, 0);	/* no worker, no resolver */
	assert_int_equal(resolve_jobs_live(), 0);
}

/* "localhost" from /etc/hosts, through the worker. */
static void
test_localhost(void **state)
{
	struct addrinfo *res = NULL, *ai;
	struct err e = { "" };
	int64_t t0 = clock_mono_ms();

	(void)state;
	assert_int_equal(resolve_addr("localhost", "22", t0 + 10000, &res,
	    &e), 0);
	assert_true(clock_mono_ms() - t0 < 5000);
	assert_non_null(res);
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		assert_true(is_loopback(ai));
		assert_int_equal(port_of(ai), 22);
	}
	freeaddrinfo(res);
	assert_int_equal(resolve_jobs_live(), 0);
}

/* Names that cannot be: getaddrinfo's own answer, with its text. */
static void
test_invalid_name(void **state)
{
	struct addrinfo *res = NULL;
	struct err e = { "" };
	char want[256];
	int64_t t0 = clock_mono_ms();

	(void)state;
	/* ".." is refused by the resolver before any query. */
	assert_int_equal(resolve_addr("..", "22", t0 + 10000, &res, &e), -1);
	assert_null(res);
	assert_true(clock_mono_ms() - t0 < 5000);
	assert_non_null(strstr(e.msg, "..: cannot resolve: "));
	assert_null(strstr(e.msg, "no answer"));

	/* A .invalid name is asked of the DNS server (RFC 6761: no such
	 * name); whatever the server does, the call ends by its deadline
	 * and names the host. */
	t0 = clock_mono_ms();
	assert_int_equal(resolve_addr("no-such-host.drdeck.invalid", "22",
	    t0 + 3000, &res, &e), -1);
	assert_null(res);
	assert_true(clock_mono_ms() - t0 < 3500);
	assert_true(strncmp(e.msg, "no-such-host.drdeck.invalid: ",
	    strlen("no-such-host.drdeck.invalid: ")) == 0);
	if (strstr(e.msg, "no answer within") != NULL)
		printf("note: this machine's DNS server did not answer: %s\n",
		    e.msg);
	else
		assert_non_null(strstr(e.msg, ": cannot resolve: "));

	/* The scripted resolver: its error text is kept. */
	fake(0, EAI_NONAME, 0);
	assert_int_equal(resolve_addr("peer.example", "22",
	    clock_mono_ms() + 2000, &res, &e), -1);
	snprintf(want, sizeof want, "peer.example: cannot resolve: %s",
	    gai_strerror(EAI_NONAME));
	assert_string_equal(e.msg, want);

	fake(0, EAI_AGAIN, 0);
	assert_int_equal(resolve_addr("peer.example", "22",
	    clock_mono_ms() + 2000, &res, &e), -1);
	snprintf(want, sizeof want, "peer.example: cannot resolve: %s",
	    gai_strerror(EAI_AGAIN));
	assert_string_equal(e.msg, want);

	fake(0, EAI_SYSTEM, EMFILE);
	assert_int_equal(resolve_addr("peer.example", "22",
	    clock_mono_ms() + 2000, &res, &e), -1);
	snprintf(want, sizeof want, "peer.example: cannot resolve: %s (%s)",
	    gai_strerror(EAI_SYSTEM), strerror(EMFILE));
	assert_string_equal(e.msg, want);
	assert_null(res);
}

/* A deadline already past: the time-out at once, no lookup started. */
static void
test_past_deadline(void **state)
{
	struct addrinfo *res = NULL;
	struct err e = { "" };
	int64_t t0;

	(void)state;
	fake(0, 0, 0);
	t0 = clock_mono_ms();
	assert_int_equal(resolve_addr("peer.example", "22", t0 - 500, &res,
	    &e), -1);
	assert_true(clock_mono_ms() - t0 < 50);
	assert_null(res);
	assert_string_equal(e.msg,
	    "peer.example: name lookup gave no answer within 0.0 s");
	assert_int_equal(fake_calls, 0);
	assert_int_equal(resolve_jobs_live(), 0);

	/* The deadline is now: the same. */
	assert_int_equal(resolve_addr("peer.example", "22", clock_mono_ms(),
	    &res, &e), -1);
	assert_non_null(strstr(e.msg, "no answer within 0.0 s"));
	assert_int_equal(fake_calls, 0);
}

/* A resolver slower than the deadline: the caller returns at the
 * deadline; the worker frees the job and its answer when it ends. */
static void
test_late_answer_abandoned(void **state)
{
	struct addrinfo *res = NULL;
	struct err e = { "" };
	int64_t t0, took, until;
	int i;

	(void)state;
	fake(600, 0, 0);
	t0 = clock_mono_ms();
	assert_int_equal(resolve_addr("slow.example", "22", t0 + 300, &res,
	    &e), -1);
	took = clock_mono_ms() - t0;
	assert_true(took >= 290);
	assert_true(took < 450);
	assert_null(res);
	assert_string_equal(e.msg,
	    "slow.example: name lookup gave no answer within 0.3 s");
	assert_int_equal(resolve_jobs_live(), 1);	/* the worker's */

	/* Several given up at once: each worker cleans up after itself. */
	fake_delay_ms = 200;
	for (i = 0; i < 8; i++)
		assert_int_equal(resolve_addr("slow.example", "22",
		    clock_mono_ms() + 20, &res, &e), -1);
	assert_true(resolve_jobs_live() >= 1);
	until = clock_mono_ms() + 3000;
	while (resolve_jobs_live() > 0 && clock_left_ms(until) > 0) {
		struct timespec ts = { 0, 10000000L };

		nanosleep(&ts, NULL);
	}
	assert_int_equal(resolve_jobs_live(), 0);
}

/* A slow resolver that still answers in time: the caller takes the
 * answer and, being the last to let go, frees the job. */
static void
test_late_answer_in_time(void **state)
{
	struct addrinfo *res = NULL;
	struct err e = { "" };

	(void)state;
	fake(100, 0, 0);
	assert_int_equal(resolve_addr("slow.example", "5432",
	    clock_mono_ms() + 3000, &res, &e), 0);
	assert_non_null(res);
	assert_int_equal(port_of(res), 5432);
	assert_int_equal(fake_calls, 1);
	freeaddrinfo(res);
	assert_int_equal(resolve_jobs_live(), 0);
}

/* Malformed input: a clear error at once. */
static void
test_bad_input(void **state)
{
	struct addrinfo *res = (struct addrinfo *)&res;
	struct err e = { "" };

	(void)state;
	fake(0, 0, 0);
	assert_int_equal(resolve_addr(NULL, "22", clock_mono_ms() + 1000,
	    &res, &e), -1);
	assert_null(res);
	assert_string_equal(e.msg, "name lookup: no host name given");
	assert_int_equal(resolve_addr("", "22", clock_mono_ms() + 1000, &res,
	    &e), -1);
	assert_string_equal(e.msg, "name lookup: no host name given");

	/* A port that is neither a number nor a service. */
	assert_int_equal(resolve_addr("127.0.0.1", "no-such-service-drdeck",
	    clock_mono_ms() + 1000, &res, &e), -1);
	assert_null(res);
	assert_non_null(strstr(e.msg,
	    "127.0.0.1: cannot resolve port 'no-such-service-drdeck': "));
	assert_int_equal(fake_calls, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_numeric, teardown),
		cmocka_unit_test_teardown(test_localhost, teardown),
		cmocka_unit_test_teardown(test_invalid_name, teardown),
		cmocka_unit_test_teardown(test_past_deadline, teardown),
		cmocka_unit_test_teardown(test_late_answer_abandoned,
		    teardown),
		cmocka_unit_test_teardown(test_late_answer_in_time, teardown),
		cmocka_unit_test_teardown(test_bad_input, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
