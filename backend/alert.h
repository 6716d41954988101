/*
 * alert.h: telling a person that something failed or recovered.
 *
 * SMTP through libcurl (password from $DRDECK_SMTP_PASSWORD, never the
 * config), or the configured command with the message on its stdin.
 * Runs on the calling thread; bounded by timeout_ms.
 */
#ifndef DRDECK_ALERT_H
#define DRDECK_ALERT_H

#include <stdint.h>

#include "config.h"
#include "err.h"

/* Send subject + body by every configured channel.  Returns 0 when at
 * least one channel took it, or when none is configured (then nothing is
 * sent and *sent is 0).  On 0 with *sent set, e->msg names the channels
 * that failed, if any ("" when every one took it): the caller says so. */
int alert_send(const struct config *c, const char *subject, const char *body,
    int64_t timeout_ms, int *sent, struct err *e) WUR;

#endif
