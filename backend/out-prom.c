/*
 * out-prom.c: the Prometheus text exposition format for node_exporter's
 * textfile collector.  Metrics, all gauges, no timestamps:
 *   drdeck_level                      worst level (0 ok 1 warn 2 crit 3 unknown)
 *   drdeck_host_level{host}           worst level of a host
 *   drdeck_host_up{host}              1 when the host answered
 *   drdeck_host_round_seconds{host}   how long its round took
 *   drdeck_host_snapshot_seconds{host}  when its round ended (epoch s)
 *   drdeck_fact_level{host,key}       each fact's level (host "pair" for
 *                                     pair facts)
 *   drdeck_fact_value{host,key,unit}  each fact's number, when it has one
 * Label values escaped as the format says (\\ \" \n).  Pure, any thread;
 * out_prom_write() writes a file atomically.
 */
#include "out.h"

#include <stdio.h>
#include <string.h>

#include "os.h"

static void
lv(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\')
			buf_puts(b, "\\\\");
		else if (*s == '"')
			buf_puts(b, "\\\"");
		else if (*s == '\n')
			buf_puts(b, "\\n");
		else
			buf_putc(b, *s);
	}
}

static void
head(struct buf *b, const char *name, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

static void
fact_levels(struct buf *b, const char *host, const struct fact_list *l,
    const struct out_opts *o)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		buf_puts(b, "drdeck_fact_level{host=\"");
		lv(b, host);
		buf_puts(b, "\",key=\"");
		lv(b, l->v[i].key);
		buf_printf(b, "\"} %d\n", level_exit_code(
		    fact_effective_level(&l->v[i], o->now_ms, o->period_ms)));
	}
}

static void
fact_values(struct buf *b, const char *host, const struct fact_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		if (!l->v[i].has_num)
			continue;
		buf_puts(b, "drdeck_fact_value{host=\"");
		lv(b, host);
		buf_puts(b, "\",key=\"");
		lv(b, l->v[i].key);
		buf_puts(b, "\",unit=\"");
		lv(b, l->v[i].unit ? l->v[i].unit : "");
		buf_printf(b, "\"} %.17g\n", l->v[i].num);
	}
}

/* The exposition text. */
void
out_prom(struct buf *b, const struct snapshot *s, const struct out_opts *o)
{
	size_t h;

	head(b, "drdeck_level", "Worst level of the pair: 0 ok, 1 warn, "
	    "2 crit, 3 unknown.");
	buf_printf(b, "drdeck_level %d\n", level_exit_code(out_level(s, o)));
	head(b, "drdeck_host_level", "Worst level of a host: 0 ok, 1 warn, "
	    "2 crit, 3 unknown.");
	for (h = 0; h < s->n_hosts; h++) {
		buf_puts(b, "drdeck_host_level{host=\"");
		lv(b, s->hosts[h].host ? s->hosts[h].host : "?");
		buf_printf(b, "\"} %d\n", level_exit_code(host_status_level(
		    &s->hosts[h], o->now_ms, o->period_ms)));
	}
	head(b, "drdeck_host_up", "1 when the host answered in the round.");
	for (h = 0; h < s->n_hosts; h++) {
		buf_puts(b, "drdeck_host_up{host=\"");
		lv(b, s->hosts[h].host ? s->hosts[h].host : "?");
		buf_printf(b, "\"} %d\n", s->hosts[h].reachable ? 1 : 0);
	}
	head(b, "drdeck_host_round_seconds", "How long the host's probe "
	    "round took.");
	for (h = 0; h < s->n_hosts; h++) {
		buf_puts(b, "drdeck_host_round_seconds{host=\"");
		lv(b, s->hosts[h].host ? s->hosts[h].host : "?");
		buf_printf(b, "\"} %.3f\n", (double)s->hosts[h].round_ms /
		    1000.0);
	}
	head(b, "drdeck_host_snapshot_seconds", "When the host's round ended, "
	    "seconds since the epoch.");
	for (h = 0; h < s->n_hosts; h++) {
		buf_puts(b, "drdeck_host_snapshot_seconds{host=\"");
		lv(b, s->hosts[h].host ? s->hosts[h].host : "?");
		buf_printf(b, "\"} %.3f\n", (double)s->hosts[h].snapshot_at /
		    1000.0);
	}
	head(b, "drdeck_fact_level", "Level of each fact: 0 ok, 1 warn, "
	    "2 crit, 3 unknown.");
	for (h = 0; h < s->n_hosts; h++)
		fact_levels(b, s->hosts[h].host ? s->hosts[h].host : "?",
		    &s->hosts[h].facts, o);
	fact_levels(b, "pair", &s->pair, o);
	head(b, "drdeck_fact_value", "The number of each fact that has one, "
	    "in its unit.");
	for (h = 0; h < s->n_hosts; h++)
		fact_values(b, s->hosts[h].host ? s->hosts[h].host : "?",
		    &s->hosts[h].facts);
	fact_values(b, "pair", &s->pair);
}

/* Write the exposition atomically. */
int
out_prom_write(const char *path, const struct snapshot *s,
    const struct out_opts *o, struct err *e)
{
	struct buf b = { 0 };
	int rc;

	out_prom(&b, s, o);
	rc = os_write_file_atomic(path, buf_str(&b), b.len, 0644, e);
	buf_free(&b);
	if (rc != 0)
		return err_prefix(e, "--prom %s", path);
	return 0;
}
