/*
 * The rule set's insides, for run_rules.c and for the run loop's per-event
 * path (run.c), which evaluates inline as the loop before it did: no call
 * per event for the events no rule looks at.
 */
#ifndef ENG_RUN_RULES_IMPL_H
#define ENG_RUN_RULES_IMPL_H

#include "eng_filter.h"
#include "eng_ruleset.h"

struct eng_rule_state {
	struct eng_rule *rule;
	/* output_fields of the JSON alert: "%evt.time: " and the rule's output */
	struct eng_output *jout;
	uint64_t alerts;
	int active; /* enabled, compiled, at or above the minimum priority, selected */
};

struct eng_ruleset {
	struct eng_rules *r;
	struct eng_rule_state *rs;
	size_t nr, nactive;
	uint32_t *idx[SHM_EVENT_MAX];
	uint32_t nidx[SHM_EVENT_MAX];
	const struct eng_config *cfg;
	int legacy;
	uint64_t alerts, dropped_enter;
};

/* A match: counted, formatted, sent to the outputs. */
void eng_ruleset_fire(struct eng_ruleset *s, struct eng_rule_state *x, struct eng_ctx *c,
		      struct eng_outputs *outs, struct eng_alert_buf *b);

/* An enter event that has no exit: procexit, signaldeliver and the like. */
static inline int eng_ruleset_enter_only(uint16_t type)
{
	uint16_t x = (uint16_t)(type | 1);
	return x < SHM_EVENT_MAX && (shm_event_table[x].flags & SHM_EF_UNUSED);
}

/* Evaluates one event; every alert goes to outs. */
static inline void eng_ruleset_eval(struct eng_ruleset *s, struct eng_ctx *c,
				    struct eng_outputs *outs, struct eng_alert_buf *b)
{
	uint16_t type = c->ev->evt.type;
	if (type >= SHM_EVENT_MAX)
		return;
	if (!s->legacy && shm_event_is_enter(type) && !eng_ruleset_enter_only(type)) {
		s->dropped_enter++;
		return;
	}
	for (uint32_t k = 0; k < s->nidx[type]; k++) {
		struct eng_rule_state *x = &s->rs[s->idx[type][k]];
		if (!eng_filter_match(x->rule->filter, c))
			continue;
		eng_ruleset_fire(s, x, c, outs, b);
		if (!s->cfg->rule_matching_all)
			break;
	}
}

#endif
