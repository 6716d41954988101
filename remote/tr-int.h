/*
 * tr-int.h: what the transport kinds (tr-local.c, tr-ssh.c) share with
 * the dispatch in transport.c.  Internal to remote/.
 *
 * Every operation takes an absolute deadline on the monotonic clock
 * (clock_mono_ms()); transport.c turns the callers' timeouts into it,
 * times the call and puts the host's name in front of an error.
 */
#ifndef DRDECK_TR_INT_H
#define DRDECK_TR_INT_H

#include "transport.h"

struct transport_ops {
	const char *kind;
	/* Exactly one of argv (quoted here) and script (already a command
	 * line for the host's shell) is set. */
	int (*exec)(struct transport *, const char *const *argv,
	    const char *script, const char *in, size_t in_len,
	    int64_t deadline, struct exec_result *, struct err *);
	int (*put)(struct transport *, const char *local, const char *remote,
	    transport_progress_cb, void *, int64_t deadline, struct err *);
	int (*get)(struct transport *, const char *remote, const char *local,
	    transport_progress_cb, void *, int64_t deadline, struct err *);
	int (*stat)(struct transport *, const char *, struct rstat *,
	    int64_t deadline, struct err *);
	int (*list)(struct transport *, const char *, struct rdir *,
	    int64_t deadline, struct err *);
	int (*rename)(struct transport *, const char *, const char *,
	    int64_t deadline, struct err *);
	int (*remove)(struct transport *, const char *, int64_t deadline,
	    struct err *);
	int (*mkdir)(struct transport *, const char *, int64_t deadline,
	    struct err *);
	int (*sha256)(struct transport *, const char *, char hex[65],
	    int64_t deadline, struct err *);
	int (*free_space)(struct transport *, const char *, uint64_t *,
	    uint64_t *, int64_t deadline, struct err *);
	int (*read_file)(struct transport *, const char *, size_t, char **,
	    size_t *, int64_t deadline, struct err *);
	int (*write_file)(struct transport *, const char *, const void *,
	    size_t, int, int64_t deadline, struct err *);
	int (*tunnel)(struct transport *, const char *, int, char lh[64],
	    int *, int64_t deadline, struct err *);
	void (*close)(struct transport *);
};

struct transport {
	const struct transport_ops *ops;
	const struct host_cfg *h;
	volatile int *cancel;
	int64_t	 rtt_ms;
	void	*priv;		/* the kind's own state */
};

extern const struct transport_ops tr_local_ops;
extern const struct transport_ops tr_ssh_ops;

/* Set up t->priv for the kind (ssh: connect and authenticate). */
int tr_local_open(struct transport *t, int64_t deadline, struct err *e) WUR;
int tr_ssh_open(struct transport *t, int64_t deadline, struct err *e) WUR;

/* 1 when the caller's cancel flag is raised. */
int tr_cancelled(const struct transport *t);
/* Empty out / errout strings in r (never NULL after exec). */
void tr_result_init(struct exec_result *r);
/* Append to a bounded output buffer; sets *trunc past EXEC_OUT_MAX. */
void tr_out_append(char **s, size_t *len, size_t *cap, int *trunc,
    const char *data, size_t n);

#endif
