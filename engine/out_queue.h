/*
 * A bounded queue of alert lines and the thread that delivers them, for
 * the channels that can block (program, http). Pushing never waits: a full
 * queue counts the alert as lost. A failed delivery is retried with a
 * growing pause, then the alert is counted lost and the next one tried,
 * so a receiver that comes back gets the alerts that follow.
 */
#ifndef ENG_OUT_QUEUE_H
#define ENG_OUT_QUEUE_H

#include <stddef.h>

#include "eng_out.h"

/* 0 when delivered; a negative errno to retry. Runs on the queue's thread. */
typedef int (*eng_outq_fn)(void *ctx, const char *msg, size_t len);

/* attempts after a first failure, and the capacity the configuration gives */
#define ENG_OUTQ_RETRIES 3
#define ENG_OUTQ_CAP(c) ((size_t)((c)->queue_capacity > 0 ? (c)->queue_capacity : 1024))

struct eng_outq;
/* cap alerts at most waiting, retries attempts after the first failure. */
int eng_outq_new(struct eng_outq **q, size_t cap, int retries, eng_outq_fn fn, void *ctx);
/* Copies msg in; -ENOBUFS (counted lost) when full. */
int eng_outq_push(struct eng_outq *q, const char *msg, size_t len);
/* Waits until every queued alert was delivered or given up, at most timeout_ms. */
void eng_outq_flush(struct eng_outq *q, int timeout_ms);
void eng_outq_stats(struct eng_outq *q, struct eng_out_stats *st);
/* Flushes (bounded) and ends the thread; what is left is counted lost.
 * The counters stay readable. */
void eng_outq_stop(struct eng_outq *q);
void eng_outq_free(struct eng_outq *q);

#endif
