/*
 * The rules a run evaluates: loaded (-r, rules_files, or the built-in
 * defaults), selected (-D, -t, -T, priority), -p added to their outputs,
 * and indexed by event type so that an event meets only its rules. One
 * set per load: a SIGHUP reload builds a new one and swaps it in.
 */
#ifndef ENG_RULESET_H
#define ENG_RULESET_H

#include <stdio.h>

#include "eng_alert.h"
#include "eng_cli.h"
#include "eng_out.h"

struct eng_ruleset;

/* Messages (errors and warnings) go to msgs. 0, -EINVAL (rules with an
 * error, -p wrong), -ENOMEM. */
int eng_ruleset_new(struct eng_ruleset **out, const struct eng_opts *o, int want_json,
		    FILE *msgs);
/* -L: each rule, whether it is active, its priority. */
void eng_ruleset_list(const struct eng_ruleset *rs, FILE *f);
size_t eng_ruleset_nactive(const struct eng_ruleset *rs);
/* Evaluating an event: eng_ruleset_eval() in run_rules_impl.h (inline). */
uint64_t eng_ruleset_alerts(const struct eng_ruleset *rs);
/* SIGHUP: to, the new set, takes on the counts of from (rules by name; the
 * total keeps those of rules no longer there). */
void eng_ruleset_carry(struct eng_ruleset *to, const struct eng_ruleset *from);
/* pdig_engine_rule_matches_total{rule=,priority=} lines, for /metrics. */
void eng_ruleset_metrics(const struct eng_ruleset *rs, FILE *f);
/* The end-of-run summary: events, alerts per rule. */
void eng_ruleset_report(const struct eng_ruleset *rs, uint64_t events, FILE *f);
void eng_ruleset_free(struct eng_ruleset *rs);

#endif
