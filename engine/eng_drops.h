/*
 * Falco's "syscall event drop" internal alert: when the ring's producers
 * report drops (the ring source hands out a drop event), the share of
 * events lost since the last check is compared with
 * syscall_event_drops.threshold and the configured actions (log, alert,
 * exit) are taken, at most rate per second with bursts of max_burst.
 */
#ifndef ENG_DROPS_H
#define ENG_DROPS_H

#include <stdint.h>
#include <time.h>

#include "eng_alert.h"
#include "eng_config.h"
#include "eng_source.h"

struct eng_drops {
	const struct eng_config *cfg;
	uint64_t last_lost, last_events;
	double tokens;
	struct timespec last;
	uint64_t actions_taken, suppressed;
};

void eng_drops_init(struct eng_drops *d, const struct eng_config *c);
/* After a drop event; events: read so far. -ECANCELED when the action is exit. */
int eng_drops_check(struct eng_drops *d, struct eng_source *src, uint64_t events,
		    struct eng_outputs *outs, struct eng_alert_buf *b);

#endif
