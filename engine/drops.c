/* The syscall event drop alert (eng_drops.h). */
#include <errno.h>
#include <stdio.h>

#include "eng_drops.h"

#define DROP_RULE "Falco internal: syscall event drop"

void eng_drops_init(struct eng_drops *d, const struct eng_config *c)
{
	uint64_t lost = d->cfg ? d->last_lost : 0, events = d->cfg ? d->last_events : 0;
	*d = (struct eng_drops){.cfg = c, .last_lost = lost, .last_events = events,
				.tokens = c->drops_max_burst};
	clock_gettime(CLOCK_MONOTONIC, &d->last);
}

/* A token bucket: rate tokens a second, at most max_burst kept. */
static int take_token(struct eng_drops *d)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double dt = (double)(now.tv_sec - d->last.tv_sec) +
		    (double)(now.tv_nsec - d->last.tv_nsec) / 1e9;
	d->last = now;
	d->tokens += dt * d->cfg->drops_rate;
	if (d->tokens > d->cfg->drops_max_burst)
		d->tokens = d->cfg->drops_max_burst;
	if (d->tokens < 1)
		return 0;
	d->tokens -= 1;
	return 1;
}

int eng_drops_check(struct eng_drops *d, struct eng_source *src, uint64_t events,
		    struct eng_outputs *outs, struct eng_alert_buf *b)
{
	const struct eng_config *c = d->cfg;
	uint64_t lost = src->ops->lost(src);
	uint64_t dl = lost - d->last_lost, de = events - d->last_events;
	d->last_lost = lost;
	d->last_events = events;
	if (!dl || (c->drops_actions & ENG_DROP_IGNORE) || !c->drops_actions)
		return 0;
	double ratio = (double)dl / (double)(dl + de);
	if (ratio <= c->drops_threshold && c->drops_threshold > 0)
		return 0;
	if (!take_token(d)) {
		d->suppressed++;
		return 0;
	}
	d->actions_taken++;
	char text[256], fields[256];
	snprintf(text, sizeof(text), "Falco internal: syscall event drop. %llu system calls "
		 "dropped (%.1f%% of the events since the last report).", (unsigned long long)dl,
		 ratio * 100);
	if (c->drops_actions & ENG_DROP_LOG)
		fprintf(stderr, "pdig-engine: %s\n", text);
	if ((c->drops_actions & ENG_DROP_ALERT) && outs) {
		struct timespec now;
		clock_gettime(CLOCK_REALTIME, &now);
		snprintf(fields, sizeof(fields), "{\"n_drops\":%llu,\"n_evts\":%llu,"
			 "\"drop_ratio\":%.4f}", (unsigned long long)dl,
			 (unsigned long long)(dl + de), ratio);
		struct eng_alert a;
		eng_alert_internal(b, &a, DROP_RULE, ENG_PRIO_DEBUG,
				   (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec, text,
				   fields, c);
		eng_outputs_emit(outs, &a);
	}
	if (c->drops_actions & ENG_DROP_EXIT) {
		fprintf(stderr, "pdig-engine: syscall_event_drops.actions has exit: ending\n");
		return -ECANCELED;
	}
	return 0;
}
