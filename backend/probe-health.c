/*
 * probe-health.c: HTTP GET of the host's health URL through libcurl
 * (CURLOPT_TIMEOUT_MS + CURLOPT_NOSIGNAL: bounded, no signals, safe on a
 * worker thread): the status code and the latency; 200 is ok.
 *
 * With health.tunnel the request goes through the host's transport
 * (transport_tunnel) and CURLOPT_CONNECT_TO, so the URL, its Host header
 * and TLS name stay as configured.  Without it, a loopback host name in
 * the URL of an ssh host means that host's address.
 *
 * Levels: 200 ok; another code, or a refused connection, crit; no answer
 * within the budget, unknown.
 *
 * Worker thread of the host.
 */
#include "probe.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "clock.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t
sink(char *p, size_t sz, size_t n, void *arg)
{
	return sz * n;
}

static int
is_loopback(const char *s)
{
	return strcmp(s, "localhost") == 0 || strncmp(s, "127.", 4) == 0 ||
	    strcmp(s, "[::1]") == 0 || strcmp(s, "::1") == 0;
}

/* "host:port:to_host:to_port" for CURLOPT_CONNECT_TO, or "" when the URL
 * is fetched as it is. */
static int
connect_to(struct probe_ctx *ctx, const char *url, char *out, size_t len,
    struct err *e)
{
	const struct host_cfg *h = ctx->h;
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL, lh[64];
	int lport = 0, rc = -1;

	out[0] = '\0';
	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT) !=
	    CURLUE_OK) {
		err_set(e, "%s: health.url '%s' is not a URL", h->name, url);
		goto out;
	}
	if (h->health_tunnel) {
		if (ctx->t == NULL) {
			err_set(e, "%s", ctx->t_err ? ctx->t_err :
			    "no transport for the tunnel");
			goto out;
		}
		if (transport_tunnel(ctx->t, host, atoi(port), lh, &lport,
		    probe_budget(ctx), e) != 0)
			goto out;
		snprintf(out, len, "%s:%s:%s:%d", host, port, lh, lport);
	} else if (h->transport == HOST_TRANSPORT_SSH && is_loopback(host) &&
	    h->address != NULL && *h->address != '\0') {
		snprintf(out, len, "%s:%s:%s:%s", host, port, h->address,
		    port);
	}
	rc = 0;
out:
	curl_free(host);
	curl_free(port);
	curl_url_cleanup(u);
	return rc;
}

/* Run the health probe. */
void
probe_health_run(struct probe_ctx *ctx, struct fact_list *out)
{
	const char *url = ctx->h->health_url;
	struct curl_slist *ct = NULL;
	struct err e = { "" };
	char cto[256], v[96], d[CURL_ERROR_SIZE + 300], cerr[CURL_ERROR_SIZE];
	int64_t now = clock_wall_ms(), t0, lat;
	long code = 0;
	CURL *c;
	CURLcode rc;
	struct fact *f;
	enum level lv;

	if (url == NULL || *url == '\0')
		return;
	pthread_once(&curl_once, curl_init_once);
	if (connect_to(ctx, url, cto, sizeof cto, &e) != 0) {
		probe_unknown(out, "health.http", "Health", e.msg);
		return;
	}
	c = curl_easy_init();
	if (c == NULL) {
		probe_unknown(out, "health.http", "Health",
		    "libcurl: cannot make a handle");
		return;
	}
	cerr[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)probe_budget(ctx));
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
	    (long)probe_budget(ctx));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "drdeck/" DRDECK_VERSION);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	if (cto[0] != '\0') {
		ct = curl_slist_append(NULL, cto);
		curl_easy_setopt(c, CURLOPT_CONNECT_TO, ct);
	}
	t0 = clock_mono_ms();
	rc = curl_easy_perform(c);
	lat = clock_mono_ms() - t0;
	if (rc != CURLE_OK) {
		snprintf(d, sizeof d, "%s: %s", url, cerr[0] ? cerr :
		    curl_easy_strerror(rc));
		if (rc == CURLE_OPERATION_TIMEDOUT)
			probe_unknown(out, "health.http", "Health", d);
		else
			facts_add(out, "health.http", "Health", LEVEL_CRIT,
			    "no answer", d, "200", now);
		goto out;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	lv = code == 200 ? LEVEL_OK : LEVEL_CRIT;
	snprintf(v, sizeof v, "%ld in %" PRId64 " ms", code, lat);
	snprintf(d, sizeof d, "%s%s", url, cto[0] ? " (through the tunnel)" :
	    "");
	f = facts_add(out, "health.http", "Health", lv, v, d, "200", now);
	fact_set_num(f, (double)lat, "ms");
out:
	curl_slist_free_all(ct);
	curl_easy_cleanup(c);
}
