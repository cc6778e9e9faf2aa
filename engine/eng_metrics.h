/*
 * The engine's counters in Prometheus' text format (/metrics) and as a
 * JSON object (Falco's "metrics snapshot" internal alert). Rendered on the
 * run loop's thread from what the run holds; nothing here keeps state.
 */
#ifndef ENG_METRICS_H
#define ENG_METRICS_H

#include <stdint.h>
#include <stdio.h>

#include "eng_out.h"
#include "eng_ruleset.h"
#include "eng_source.h"
#include "eng_state.h"

struct eng_metrics_in {
	uint64_t events;
	double uptime_s;
	struct eng_source *src;
	int live;
	struct eng_ruleset *rules;   /* NULL in dump mode */
	struct eng_outputs *outs;    /* NULL in dump mode */
	struct eng_state *st;
};

/* The Prometheus text into a malloc'd *text. 0 or -ENOMEM. */
int eng_metrics_prometheus(const struct eng_metrics_in *m, char **text, size_t *len);
/* The main counters as a JSON object into buf. */
void eng_metrics_json(const struct eng_metrics_in *m, char *buf, size_t cap);
/* A label value, quoted and escaped as the format wants. */
void eng_metrics_label(FILE *f, const char *s);
/* The process's resident memory in bytes (0 if unknown). */
uint64_t eng_metrics_rss(void);

#endif
