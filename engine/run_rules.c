/*
 * The rules of a run (eng_ruleset.h). Current Falco semantics by default:
 * enter events are not evaluated and each syscall is evaluated once, on
 * its exit; enter events that have no exit (procexit and friends) still
 * are. --legacy-enter-events evaluates enter events too (Falco before 0.39).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_metrics.h"
#include "eng_output.h"
#include "eng_ruleset.h"
#include "run_rules_impl.h"

static void print_msgs(const struct eng_rules *r, FILE *f)
{
	char line[4096];
	for (size_t i = 0; i < eng_rules_nmsgs(r); i++) {
		eng_rules_msg_format(eng_rules_msg(r, i), line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
}

static int json_fields_new(struct eng_rule_state *rs)
{
	char *fmt, err[256];
	if (asprintf(&fmt, "%%evt.time: %s", rs->rule->output) < 0)
		return -ENOMEM;
	int rc = eng_output_new(fmt, &rs->jout, err, sizeof(err));
	free(fmt);
	if (rc == -EINVAL) /* the output has no valid format: its text alone */
		rc = eng_output_new("%evt.time", &rs->jout, err, sizeof(err));
	return rc;
}

/*
 * -p: Falco's extra output. -pc/-pk put it in place of %container.info where
 * a rule's output has it; otherwise it is appended after a space. The rule's
 * text output is compiled again ('*': missing fields print <NA>, as
 * rules_compile.c does); the JSON fields follow rule->output.
 */
static int add_extra(const struct eng_opts *o, struct eng_rule *rule, FILE *msgs)
{
	char *text = NULL, err[256];
	const char *ci = o->extra_replaces ? strstr(rule->output, "%container.info") : NULL;
	int n = ci ? asprintf(&text, "%.*s%s%s", (int)(ci - rule->output), rule->output, o->format,
			      ci + strlen("%container.info"))
		   : asprintf(&text, "%s%s%s", rule->output,
			      rule->output[0] && o->format[0] ? " " : "", o->format);
	if (n < 0)
		return -ENOMEM;
	char *fmt;
	if (asprintf(&fmt, "*%s", text) < 0) {
		free(text);
		return -ENOMEM;
	}
	struct eng_output *out;
	int rc = eng_output_new(fmt, &out, err, sizeof(err));
	free(fmt);
	if (rc) {
		free(text);
		if (rc != -ENOMEM)
			fprintf(msgs, "pdig-engine: -p %s: %s\n  (fields are written %%name, e.g. "
				      "%%container.id; 'pdig-engine --list' shows them)\n", o->format, err);
		return rc;
	}
	free(rule->output);
	rule->output = text;
	eng_output_free(rule->out);
	rule->out = out;
	return 0;
}

static int cmp_tags(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_tag(const struct eng_rule *r, const char *tag)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i], tag))
			return 1;
	return 0;
}

static int selected(const struct eng_opts *o, const struct eng_rule *rule)
{
	int on = rule->enabled;
	for (int k = 0; k < o->ndisable; k++) /* Falco's -D: a substring of the name */
		on &= strstr(rule->name, o->disable[k]) == NULL;
	if (o->ntag_on) {
		int any = 0;
		for (int k = 0; k < o->ntag_on; k++)
			any |= has_tag(rule, o->tag_on[k]);
		on &= any;
	}
	for (int k = 0; k < o->ntag_off; k++)
		on &= !has_tag(rule, o->tag_off[k]);
	return on && rule->filter && rule->priority <= o->cfg.priority;
}

static int load(struct eng_rules *r, const struct eng_opts *o)
{
	int rc = 0;
	if (o->nrules) {
		for (int i = 0; i < o->nrules && !rc; i++)
			rc = eng_rules_load_file(r, o->rules[i]);
	} else if (o->cfg.nrules_files) {
		for (int i = 0; i < o->cfg.nrules_files && !rc; i++)
			rc = eng_rules_load_file(r, o->cfg.rules_files[i]);
	} else {
		for (const struct eng_default_rules *d = eng_default_rules; d->name && !rc; d++)
			rc = eng_rules_load_string(r, d->name, d->text);
	}
	return rc ? rc : eng_rules_compile(r);
}

int eng_ruleset_new(struct eng_ruleset **out, const struct eng_opts *o, int want_json,
		    FILE *msgs)
{
	struct eng_ruleset *s = calloc(1, sizeof(*s));
	int rc = -ENOMEM;
	if (!s || eng_rules_new(&s->r))
		goto err;
	s->cfg = &o->cfg;
	s->legacy = o->legacy;
	rc = load(s->r, o);
	print_msgs(s->r, msgs);
	if (rc) {
		if (rc != -ENOMEM)
			fprintf(msgs, "pdig-engine: the rules could not be loaded: fix the error above "
				      "(pdig-engine -V FILE checks a rules file)\n");
		goto err;
	}
	rc = -ENOMEM;
	s->nr = eng_rules_count(s->r);
	if (s->nr && !(s->rs = calloc(s->nr, sizeof(*s->rs))))
		goto err;
	for (size_t i = 0; i < s->nr; i++) {
		struct eng_rule *rule = eng_rules_get(s->r, i);
		struct eng_rule_state *x = &s->rs[i];
		x->rule = rule;
		x->active = selected(o, rule);
		if (!x->active)
			continue;
		if (o->format && (rc = add_extra(o, rule, msgs)))
			goto err;
		rc = -ENOMEM;
		s->nactive++;
		if (want_json && json_fields_new(x))
			goto err;
		if (rule->ntags) /* a rule without tags has none to sort (NULL) */
			qsort(rule->tags, rule->ntags, sizeof(char *), cmp_tags);
		for (unsigned t = 0; t < SHM_EVENT_MAX; t++) {
			if (!(rule->evttypes[t / 8] & (1u << (t % 8))))
				continue;
			uint32_t *n = realloc(s->idx[t], (s->nidx[t] + 1) * sizeof(*n));
			if (!n)
				goto err;
			s->idx[t] = n;
			s->idx[t][s->nidx[t]++] = (uint32_t)i;
		}
	}
	*out = s;
	return 0;
err:
	if (rc == -ENOMEM)
		fprintf(msgs, "pdig-engine: out of memory\n");
	eng_ruleset_free(s);
	return rc;
}

void eng_ruleset_list(const struct eng_ruleset *s, FILE *f)
{
	for (size_t i = 0; i < s->nr; i++)
		fprintf(f, "%-8s %-13s %s\n", s->rs[i].active ? "active"
					      : !s->rs[i].rule->filter ? "skipped" : "off",
			eng_priority_name(s->rs[i].rule->priority), s->rs[i].rule->name);
}

size_t eng_ruleset_nactive(const struct eng_ruleset *s)
{
	return s->nactive;
}

void eng_ruleset_fire(struct eng_ruleset *s, struct eng_rule_state *x, struct eng_ctx *c,
		      struct eng_outputs *outs, struct eng_alert_buf *b)
{
	struct eng_alert a;
	x->alerts++;
	s->alerts++;
	eng_alert_format(b, &a, x->rule, x->jout, c, s->cfg);
	eng_outputs_emit(outs, &a);
}

uint64_t eng_ruleset_alerts(const struct eng_ruleset *s)
{
	return s->alerts;
}

void eng_ruleset_carry(struct eng_ruleset *to, const struct eng_ruleset *from)
{
	to->alerts += from->alerts;
	to->dropped_enter += from->dropped_enter;
	/* by name: a reload may add, remove or reorder rules (a few hundred at
	 * most, once per reload) */
	for (size_t i = 0; i < to->nr; i++)
		for (size_t j = 0; j < from->nr; j++)
			if (!strcmp(to->rs[i].rule->name, from->rs[j].rule->name)) {
				to->rs[i].alerts += from->rs[j].alerts;
				break;
			}
}

void eng_ruleset_metrics(const struct eng_ruleset *s, FILE *f)
{
	for (size_t i = 0; i < s->nr; i++) {
		if (!s->rs[i].active)
			continue;
		fputs("pdig_engine_rule_matches_total{rule=", f);
		eng_metrics_label(f, s->rs[i].rule->name);
		fprintf(f, ",priority=\"%s\"} %llu\n", eng_priority_name(s->rs[i].rule->priority),
			(unsigned long long)s->rs[i].alerts);
	}
}

void eng_ruleset_report(const struct eng_ruleset *s, uint64_t events, FILE *f)
{
	fprintf(f, "pdig-engine: %llu events read, %llu enter events not evaluated (%s), "
		   "%llu alerts\n", (unsigned long long)events, (unsigned long long)s->dropped_enter,
		s->legacy ? "legacy mode" : "each syscall is evaluated on its exit",
		(unsigned long long)s->alerts);
	for (size_t i = 0; i < s->nr; i++)
		if (s->rs[i].alerts)
			fprintf(f, "   %s: %llu\n", s->rs[i].rule->name,
				(unsigned long long)s->rs[i].alerts);
}

void eng_ruleset_free(struct eng_ruleset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nr && s->rs; i++)
		eng_output_free(s->rs[i].jout);
	free(s->rs);
	for (unsigned t = 0; t < SHM_EVENT_MAX; t++)
		free(s->idx[t]);
	eng_rules_free(s->r);
	free(s);
}
