/*
 * pairfacts.c: facts about the pair, made from both hosts' facts in a
 * snapshot (see pairfacts.h).  Pure data, any thread: it reads only the
 * facts the probes published (the whole hashes are in their details).
 */
#include "pairfacts.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "xmalloc.h"

#define SHIP_GRACE_S	(15 * 60)

static const struct host_status *
find_host(const struct snapshot *s, const struct host_cfg *h)
{
	size_t i;

	if (h == NULL)
		return NULL;
	for (i = 0; i < s->n_hosts; i++)
		if (s->hosts[i].host != NULL &&
		    strcmp(s->hosts[i].host, h->name) == 0)
			return &s->hosts[i];
	return NULL;
}

/* The fact when it is known (not UNKNOWN), else NULL. */
static const struct fact *
known(const struct host_status *hs, const char *key)
{
	const struct fact *f;

	if (hs == NULL)
		return NULL;
	f = facts_find(&hs->facts, key);
	return f != NULL && f->level != LEVEL_UNKNOWN ? f : NULL;
}

/* The 64 hex digits after "sha256 " in a detail, or NULL. */
static const char *
hash_of(const struct fact *f)
{
	const char *p;

	if (f == NULL || f->detail == NULL)
		return NULL;
	p = strstr(f->detail, "sha256 ");
	if (p == NULL || strlen(p + 7) < 64)
		return NULL;
	return p + 7;
}

static int
claims_to_serve(const struct fact *role)
{
	return strncmp(role->value, "active", 6) == 0 ||
	    (strncmp(role->value, "primary", 7) == 0 &&
	    strstr(role->value, "fenced") == NULL);
}

static void
split_brain(const struct config *c, const struct host_status *a,
    const struct host_status *b, int64_t now, struct fact_list *out)
{
	const struct fact *ra = known(a, "role"), *rb = known(b, "role");
	const struct fact *ea = known(a, "role.epoch");
	const struct fact *eb = known(b, "role.epoch");
	char v[256];

	if (ra == NULL || rb == NULL) {
		facts_add(out, "pair.split_brain", "Split brain",
		    LEVEL_UNKNOWN, "unknown", "the role of a host is not "
		    "known", NULL, now);
		return;
	}
	if (claims_to_serve(ra) && claims_to_serve(rb)) {
		snprintf(v, sizeof v, "%s %s (epoch %s) and %s %s (epoch %s) "
		    "both serve", a->host, ra->value, ea ? ea->value : "?",
		    b->host, rb->value, eb ? eb->value : "?");
		facts_add(out, "pair.split_brain", "Split brain", LEVEL_CRIT,
		    "SPLIT BRAIN", v, "one serving host", now);
		return;
	}
	snprintf(v, sizeof v, "%s %s, %s %s", a->host, ra->value, b->host,
	    rb->value);
	facts_add(out, "pair.split_brain", "Split brain", LEVEL_OK, "no", v,
	    "one serving host", now);
}

static void
env_parity(const struct host_status *a, const struct host_status *b,
    int64_t now, struct fact_list *out)
{
	const struct fact *fa = known(a, "env.sha256"),
	    *fb = known(b, "env.sha256");
	const char *ha = hash_of(fa), *hb = hash_of(fb);
	char v[160];

	if (facts_find(&a->facts, "env.sha256") == NULL &&
	    facts_find(&b->facts, "env.sha256") == NULL)
		return;		/* no .env configured */
	if (ha == NULL || hb == NULL) {
		facts_add(out, "pair.env", ".env parity", LEVEL_UNKNOWN,
		    "unknown", "the .env hash of a host is not known", NULL,
		    now);
		return;
	}
	if (strncmp(ha, hb, 64) != 0) {
		snprintf(v, sizeof v, "%s %.12s, %s %.12s", a->host, ha,
		    b->host, hb);
		facts_add(out, "pair.env", ".env parity", LEVEL_CRIT,
		    "MISMATCH", v, "same on both hosts", now);
		return;
	}
	facts_add(out, "pair.env", ".env parity", LEVEL_OK, "same", NULL,
	    "same on both hosts", now);
}

static void
conf_parity(const struct host_status *a, const struct host_status *b,
    int64_t now, struct fact_list *out)
{
	struct buf diff = { 0 };
	size_t i, n = 0, bad = 0, unk = 0;
	char v[64];

	for (i = 0; i < a->facts.n; i++) {
		const struct fact *fa = &a->facts.v[i], *fb;
		const char *ha, *hb;

		if (strncmp(fa->key, "conf.", 5) != 0)
			continue;
		n++;
		fb = known(b, fa->key);
		ha = hash_of(fa->level != LEVEL_UNKNOWN ? fa : NULL);
		hb = hash_of(fb);
		if (ha == NULL || hb == NULL) {
			unk++;
			continue;
		}
		if (strncmp(ha, hb, 64) != 0) {
			buf_printf(&diff, "%s%s", bad ? ", " : "",
			    fa->label);
			bad++;
		}
	}
	if (n == 0)
		return;
	if (bad > 0) {
		snprintf(v, sizeof v, "%zu of %zu differ", bad, n);
		facts_add(out, "pair.conf", "Config parity", LEVEL_WARN, v,
		    buf_str(&diff), "same on both hosts", now);
	} else if (unk > 0)
		facts_add(out, "pair.conf", "Config parity", LEVEL_UNKNOWN,
		    "unknown", "a file's hash is not known on a host", NULL,
		    now);
	else {
		snprintf(v, sizeof v, "%zu same", n);
		facts_add(out, "pair.conf", "Config parity", LEVEL_OK, v,
		    NULL, "same on both hosts", now);
	}
	buf_free(&diff);
}

static void
storage_drift(const struct config *c, const struct host_status *a,
    const struct host_status *b, int64_t now, struct fact_list *out)
{
	struct buf why = { 0 };
	size_t i, n = 0, bad = 0, unk = 0;
	char v[64], key[160], t[32], th[64];

	for (i = 0; i < a->facts.n; i++) {
		const struct fact *fa = &a->facts.v[i], *fb, *na, *nb;
		size_t kl = strlen(fa->key);

		if (strncmp(fa->key, "storage.", 8) != 0 || kl < 6 ||
		    strcmp(fa->key + kl - 6, ".files") != 0)
			continue;
		n++;
		fb = known(b, fa->key);
		snprintf(key, sizeof key, "%.*s.newest", (int)(kl - 6),
		    fa->key);
		na = known(a, key);
		nb = known(b, key);
		if (fa->level == LEVEL_UNKNOWN || fb == NULL || na == NULL ||
		    nb == NULL || !fa->has_num || !fb->has_num) {
			unk++;
			continue;
		}
		if (fa->num != fb->num) {
			buf_printf(&why, "%s%.*s: %.0f files on %s, %.0f on %s",
			    why.len ? "; " : "", (int)(kl - 14), fa->key + 8,
			    fa->num, a->host, fb->num, b->host);
			bad++;
		} else if (na->num - nb->num > (double)c->th.storage_lag) {
			buf_printf(&why, "%s%.*s: newest file on %s lags %s",
			    why.len ? "; " : "", (int)(kl - 14), fa->key + 8,
			    b->host, fmt_duration((int64_t)(na->num -
			    nb->num), t, sizeof t));
			bad++;
		}
	}
	if (n == 0)
		return;
	snprintf(th, sizeof th, "same count, lag <= %s",
	    fmt_duration(c->th.storage_lag, t, sizeof t));
	if (bad > 0) {
		snprintf(v, sizeof v, "%zu of %zu drift", bad, n);
		facts_add(out, "pair.storage", "Storage drift", LEVEL_WARN, v,
		    buf_str(&why), th, now);
	} else if (unk > 0)
		facts_add(out, "pair.storage", "Storage drift", LEVEL_UNKNOWN,
		    "unknown", "a folder's summary is not known on a host",
		    th, now);
	else {
		snprintf(v, sizeof v, "%zu in step", n);
		facts_add(out, "pair.storage", "Storage drift", LEVEL_OK, v,
		    NULL, th, now);
	}
	buf_free(&why);
}

static void
shipped(const struct host_status *p, const struct host_status *b,
    int64_t now, struct fact_list *out)
{
	const struct fact *lp = known(p, "dumps.latest"),
	    *lb = known(b, "dumps.latest"), *age = known(p, "dumps.age"),
	    *vb = known(b, "dumps.verified");
	char d[640];

	if (lp == NULL || age == NULL) {
		facts_add(out, "pair.shipped", "Shipped", LEVEL_UNKNOWN,
		    "unknown", "the primary's latest dump is not known", NULL,
		    now);
		return;
	}
	if (lb != NULL && strcmp(lp->value, lb->value) == 0) {
		int ver = vb != NULL && vb->level == LEVEL_OK;

		snprintf(d, sizeof d, "%s on %s%s", lp->value, b->host,
		    ver ? ", verified" : ", no sidecar");
		facts_add(out, "pair.shipped", "Shipped",
		    ver ? LEVEL_OK : LEVEL_WARN, ver ? "yes" : "unverified",
		    d, "latest dump on the backup", now);
		return;
	}
	if (age->has_num && age->num < SHIP_GRACE_S) {
		snprintf(d, sizeof d, "%s is %.0f s old: shipping", lp->value,
		    age->num);
		facts_add(out, "pair.shipped", "Shipped", LEVEL_OK,
		    "in progress", d, "latest dump on the backup", now);
		return;
	}
	if (b == NULL || known(b, "reach.rtt") == NULL) {
		facts_add(out, "pair.shipped", "Shipped", LEVEL_UNKNOWN,
		    "unknown", "the backup's dump folder is not known", NULL,
		    now);
		return;
	}
	snprintf(d, sizeof d, "%s is not on %s (its latest: %s)", lp->value,
	    b->host, lb != NULL ? lb->value : "none");
	facts_add(out, "pair.shipped", "Shipped", LEVEL_WARN, "no", d,
	    "latest dump on the backup", now);
}

/* The pair facts of s. */
void
pairfacts_compute(const struct config *c, const struct snapshot *s,
    int64_t now, struct fact_list *out)
{
	const struct host_status *p = find_host(s, config_primary(c));
	const struct host_status *b = find_host(s, config_backup(c));

	if (p == NULL || b == NULL)
		return;
	split_brain(c, p, b, now, out);
	env_parity(p, b, now, out);
	conf_parity(p, b, now, out);
	storage_drift(c, p, b, now, out);
	shipped(p, b, now, out);
}

/* Worst effective level of both hosts and the pair. */
enum level
pairfacts_level(const struct snapshot *s, int64_t now, int64_t period)
{
	enum level worst = LEVEL_OK;
	size_t i;

	for (i = 0; i < s->n_hosts; i++)
		worst = level_worst(worst, host_status_level(&s->hosts[i],
		    now, period));
	for (i = 0; i < s->pair.n; i++)
		worst = level_worst(worst, fact_effective_level(&s->pair.v[i],
		    now, period));
	return worst;
}
