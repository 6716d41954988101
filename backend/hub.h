/*
 * hub.h: where workers publish and readers take the latest state.
 *
 * A snapshot is immutable and reference counted.  A worker (a host's
 * poller, the workflow engine) builds a whole new part, then publishes
 * it: the hub makes a new snapshot holding the new part and the current
 * others, swaps it in under a mutex, and writes one byte to a wake-up
 * pipe so that the UI loop's poll() returns.  Readers take a reference
 * (hub_acquire), read without locks, and release it.  Nobody ever waits
 * on the network while holding the mutex.
 */
#ifndef DRDECK_HUB_H
#define DRDECK_HUB_H

#include <stddef.h>
#include <stdint.h>

#include "facts.h"

#define HUB_MAX_HOSTS 4

/* Progress of a workflow as the UI shows it (engine -> hub -> screen). */
enum step_state {
	STEP_PENDING = 0,
	STEP_CONFIRM,		/* waiting for the operator */
	STEP_RUNNING,
	STEP_STILL_RUNNING,	/* past its timeout, command still running */
	STEP_DONE,
	STEP_FAILED,
	STEP_SKIPPED,
};

struct flow_step_view {
	char	*id;
	char	*title;
	char	*section;	/* runbook section: "§7.2" */
	char	*why;
	enum step_state state;
	int64_t	 duration_ms;
	char	*command;	/* the exact command shown to the operator */
	char	*message;	/* outcome line */
};

struct flow_view {
	int	 active;	/* a flow is loaded */
	char	*name;		/* "failover" */
	char	*id;		/* workflow id */
	struct flow_step_view *steps;
	size_t	 n_steps;
	size_t	 current;
	int64_t	 started_at;	/* wall ms; the RTO clock */
	int64_t	 rto_target_ms;
	char	*prompt;	/* what the engine asks now, NULL if nothing */
	char	*expect;	/* the word to type, NULL for y/n */
	char	*output_tail;	/* live output of the current command */
	int	 finished;	/* 1 done, -1 failed/aborted */
	char	*report_path;
	/* Added for the runners (CLI and console): a prompt is answered
	 * once; a new prompt (even with the same text) has a new number. */
	uint64_t prompt_seq;	/* increases with every new prompt */
	int	 dry_run;	/* steps show their commands, nothing runs */
	int64_t	 flow_ms;	/* time since the flow's own start */
	int64_t	 rto_ms;	/* time on the RTO clock (from started_at) */
};

struct snapshot {
	int	 refs;		/* owned by the hub */
	uint64_t seq;		/* increases with every publish */
	int64_t	 taken_at;	/* wall ms of the publish */
	struct host_status hosts[HUB_MAX_HOSTS];
	size_t	 n_hosts;
	struct fact_list pair;	/* facts about the pair: split brain, parity */
	struct flow_view flow;
};

struct hub;

struct hub *hub_new(size_t n_hosts, const char *const *host_names);
void hub_free(struct hub *h);
/* Replace host i's status (the hub takes ownership of *st's contents). */
void hub_publish_host(struct hub *h, size_t i, struct host_status *st);
/* Replace the pair facts (ownership taken). */
void hub_publish_pair(struct hub *h, struct fact_list *pair);
/* Replace the flow view (ownership taken). */
void hub_publish_flow(struct hub *h, struct flow_view *fv);
/* The latest snapshot, referenced; never NULL. */
const struct snapshot *hub_acquire(struct hub *h);
void hub_release(struct hub *h, const struct snapshot *s);
/* Readable when something was published; drain with hub_drain_wake(). */
int hub_wake_fd(const struct hub *h);
void hub_drain_wake(struct hub *h);

void flow_view_free(struct flow_view *fv);
void flow_view_copy(struct flow_view *dst, const struct flow_view *src);

#endif
