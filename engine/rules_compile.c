/*
 * Turning what rules_load.c collected into compiled rules: lists and macros
 * expanded (rules_expand.c), exceptions built into "and not (...)"
 * (rules_exceptions.c), then every rule's tree compiled with eng_filter and
 * indexed by the event types it can match.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "rules_compile_impl.h"
#include "shm_event.h"
#include "shm_format.h"

/* ---- event types ---- */

#define EVT_BYTES ((SHM_EVENT_MAX + 7) / 8)

struct evset {
	uint8_t pos[EVT_BYTES]; /* types for which the condition may be true */
	uint8_t neg[EVT_BYTES]; /* ... may be false */
};

static void set_all(uint8_t *s) { memset(s, 0xff, EVT_BYTES); }

static void set_names(uint8_t *s, const struct eng_ast *rhs)
{
	const struct eng_ast *const *v = &rhs;
	size_t n = 1;
	if (rhs->kind == ENG_AST_LIST) {
		v = (const struct eng_ast *const *)rhs->kids;
		n = rhs->nkids;
	}
	for (size_t i = 0; i < n; i++) {
		if (v[i]->kind != ENG_AST_VALUE)
			continue;
		for (unsigned t = 0; t < SHM_EVENT_MAX; t++)
			if (shm_event_table[t].name && !strcmp(shm_event_table[t].name, v[i]->str))
				s[t / 8] |= (uint8_t)(1u << (t % 8));
	}
}

static void evtypes(const struct eng_ast *a, struct evset *o)
{
	set_all(o->pos);
	set_all(o->neg);
	if (a->kind == ENG_AST_AND || a->kind == ENG_AST_OR) {
		int and = a->kind == ENG_AST_AND;
		memset(and ? o->neg : o->pos, 0, EVT_BYTES);
		for (size_t i = 0; i < a->nkids; i++) {
			struct evset k;
			evtypes(a->kids[i], &k);
			for (size_t b = 0; b < EVT_BYTES; b++) {
				if (and) {
					o->pos[b] &= k.pos[b];
					o->neg[b] |= k.neg[b];
				} else {
					o->pos[b] |= k.pos[b];
					o->neg[b] &= k.neg[b];
				}
			}
		}
	} else if (a->kind == ENG_AST_NOT) {
		struct evset k;
		evtypes(a->kids[0], &k);
		memcpy(o->pos, k.neg, EVT_BYTES);
		memcpy(o->neg, k.pos, EVT_BYTES);
	} else if (a->kind == ENG_AST_BINARY && a->kids[0]->kind == ENG_AST_FIELD &&
		   !a->kids[0]->arg && a->mod == ENG_MOD_NONE) {
		const char *f = a->kids[0]->str, *op = a->str;
		const struct eng_ast *rhs = a->kids[1];
		int eq = !strcmp(op, "=") || !strcmp(op, "==") || !strcmp(op, "in");
		/* compared with another field (val(), a transformer): any type */
		int lit = rhs->kind == ENG_AST_VALUE || rhs->kind == ENG_AST_LIST;
		if (!strcmp(f, "evt.type") && lit && (eq || !strcmp(op, "!="))) {
			uint8_t s[EVT_BYTES] = {0}, g[EVT_BYTES] = {0};
			set_names(s, rhs);
			/* a generic event (0, 1) takes its syscall's name, so it can
			 * match any name: both sides keep it */
			s[0] &= (uint8_t)~3u;
			g[0] = 3;
			for (size_t b = 0; b < EVT_BYTES; b++) {
				o->pos[b] = eq ? (uint8_t)(s[b] | g[b]) : (uint8_t)~s[b];
				o->neg[b] = eq ? (uint8_t)~s[b] : (uint8_t)(s[b] | g[b]);
			}
		} else if (!strcmp(f, "evt.num") && eq && rhs->kind == ENG_AST_VALUE &&
			   !strcmp(rhs->str, "0")) {
			/* the usual never_true placeholder: no event is number 0 */
			memset(o->pos, 0, EVT_BYTES);
		}
	}
}

/* An evt.type value that is neither an event nor a syscall name. */
static const struct eng_ast *unknown_evttype(const struct eng_ast *a)
{
	if (a->kind == ENG_AST_BINARY && a->kids[0]->kind == ENG_AST_FIELD &&
	    !strcmp(a->kids[0]->str, "evt.type") && !a->kids[0]->arg &&
	    (!strcmp(a->str, "=") || !strcmp(a->str, "==") || !strcmp(a->str, "!=") ||
	     !strcmp(a->str, "in"))) {
		const struct eng_ast *rhs = a->kids[1];
		const struct eng_ast *const *v = &rhs;
		size_t n = 1;
		if (rhs->kind == ENG_AST_LIST) {
			v = (const struct eng_ast *const *)rhs->kids;
			n = rhs->nkids;
		}
		for (size_t i = 0; i < n; i++) {
			if (v[i]->kind != ENG_AST_VALUE)
				continue;
			int known = 0;
			for (unsigned t = 0; t < SHM_EVENT_MAX && !known; t++)
				known = shm_event_table[t].name &&
					!strcmp(shm_event_table[t].name, v[i]->str);
			for (unsigned id = 0; id < 1024 && !known; id++) {
				const char *nm = shm_fmt_syscall_name((uint16_t)id);
				known = nm && !strcmp(nm, v[i]->str);
			}
			/* a generic exit pdig's extension names (shm_event.h) */
			known = known || !strcmp(shm_memfd_create_x_info.name, v[i]->str);
			if (!known)
				return v[i];
		}
		return NULL;
	}
	for (size_t i = 0; i < a->nkids; i++) {
		const struct eng_ast *u = unknown_evttype(a->kids[i]);
		if (u)
			return u;
	}
	return NULL;
}

/* ---- rules ---- */

static int has_field(const struct eng_ast *a, const char *name)
{
	if (a->kind == ENG_AST_FIELD && !strcmp(a->str, name))
		return 1;
	for (size_t i = 0; i < a->nkids; i++)
		if (has_field(a->kids[i], name))
			return 1;
	return 0;
}

static const struct eng_ast *unknown_field(const struct eng_ast *a, char *why, size_t wl)
{
	if (a->kind == ENG_AST_FIELD) {
		struct eng_fieldref ref;
		memset(&ref, 0, sizeof(ref));
		int rc = eng_field_resolve(&ref, a->str, a->arg, why, wl);
		if (!rc) {
			eng_fieldref_clear(&ref);
			return NULL;
		}
		return rc == -ENOENT ? a : NULL;
	}
	for (size_t i = 0; i < a->nkids; i++) {
		const struct eng_ast *u = unknown_field(a->kids[i], why, wl);
		if (u)
			return u;
	}
	return NULL;
}

/* Falco trims outputs: a folded YAML scalar ends with a newline. */
static void trim(char *s)
{
	size_t lead = strspn(s, " \t\r\n"), n = strlen(s + lead);
	memmove(s, s + lead, n + 1);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = 0;
}

/* Removes every occurrence of what from s, in place. */
static void drop_all(char *s, const char *what)
{
	size_t n = strlen(what);
	char *at;
	while ((at = strstr(s, what)))
		memmove(at, at + n, strlen(at + n) + 1);
}

static int compile_rule(struct eng_rules *r, struct eng_rule *rule)
{
	struct eng_rl_rule_priv *p = rule->priv;
	trim(rule->output);
	int rc = eng_rl_parse_cond(r, rule->cond, &rule->ast, rule->file, p->cond_line, p->cond_col,
				   p->cond_style, "rule", rule->name);
	if (rc)
		return rc;
	/* "(condition) and not (exception 1) and not (exception 2)..." */
	struct exc_ctx x = {r, rule, NULL};
	struct eng_ast *top = NULL;
	for (size_t i = 0; i < p->nexc; i++) {
		struct eng_ast *ex;
		x.e = &p->exc[i];
		if ((rc = eng_rl_build_exception(&x, &ex)))
			return rc;
		if (!ex)
			continue;
		if (!top) {
			if (!(top = eng_rl_ast_new(ENG_AST_AND, NULL)) || eng_rl_ast_add(top, rule->ast)) {
				free(top);
				eng_ast_free(ex);
				return -ENOMEM;
			}
			rule->ast = top;
		}
		if (eng_rl_ast_add(top, ex))
			return -ENOMEM;
	}
	size_t budget = MAX_NODES;
	if ((rc = eng_rl_expand_lists(r, rule->ast, &budget)) == -EDOM)
		return eng_rl_bad_list_use(r, rule->file, p->cond_line, p->cond_col, p->cond_style,
					   "rule", rule->name);
	if (rc == -E2BIG)
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, rule->line, rule->col,
				  "rule", rule->name, "The condition has more than %u terms once its "
				  "lists are expanded: simplify it", MAX_NODES);
	if (rc)
		return rc;
	const struct eng_ast *undef = NULL;
	budget = MAX_NODES;
	rc = eng_rl_expand_macros(r, &rule->ast, r->nmacros, &undef, &budget);
	if (rc == -E2BIG)
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, rule->line, rule->col,
				  "rule", rule->name, "The condition has more than %u terms once its "
				  "macros are expanded: simplify it", MAX_NODES);
	if (rc == -ENOENT)
		return eng_rl_undefined_macro(r, rule->file, p->cond_line, p->cond_col, p->cond_style,
					      "rule", rule->name, undef, r->nmacros);
	if (rc)
		return rc;
	if (eng_rl_over_total(r, eng_rl_ast_size(rule->ast), rule->file, p->cond_line, p->cond_col, "rule",
			      rule->name))
		return -EINVAL;
	if (strcmp(rule->source, "syscall"))
		return eng_rl_msg(r, 0, "LOAD_UNKNOWN_SOURCE", rule->file, rule->line, rule->col,
				  "rule", rule->name,
				  "Unknown source %s, skipping: pdig-engine has only the syscall source",
				  rule->source);
	if (has_field(rule->ast, "evt.dir") &&
	    eng_rl_msg(r, 0, "LOAD_DEPRECATED_ITEM", rule->file, rule->line, rule->col, "rule",
		       rule->name, "usage of deprecated field 'evt.dir' has been detected in the rule "
		       "condition: each syscall is now evaluated once, on its exit"))
		return -ENOMEM;
	if (strstr(rule->output, "%evt.dir") &&
	    eng_rl_msg(r, 0, "LOAD_DEPRECATED_ITEM", rule->file, rule->line, rule->col, "rule",
		       rule->name, "usage of deprecated field 'evt.dir' has been detected in the rule "
		       "output"))
		return -ENOMEM;

	/* the output first, as Falco does: a format it cannot read is an
	 * error, or the rule is skipped when it may be (an unknown field) */
	char err[256], *fmt;
	/* '*': like Falco, a field that is not available prints <NA> and the
	 * alert still goes out */
	if (asprintf(&fmt, "*%s", rule->output) < 0)
		return -ENOMEM;
	if (strstr(fmt, "%container.info")) {
		/* Falco drops it (-pc/-pk put theirs in its place first: the
		 * rule's text keeps it for run_rules.c) */
		drop_all(fmt, "%container.info");
		if (eng_rl_msg(r, 0, "LOAD_DEPRECATED_ITEM", rule->file, rule->line, rule->col,
			       "rule", rule->name, "%%container.info is deprecated: the output "
			       "shows nothing in its place (-pc or -pk put container fields there)"))
			return -ENOMEM;
	}
	rc = eng_output_new(fmt, &rule->out, err, sizeof(err));
	free(fmt);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		rule->out = NULL;
		if (rule->skip_if_unknown_filter && strstr(err, "invalid formatting token"))
			return eng_rl_msg(r, 0, "LOAD_UNKNOWN_FILTER", rule->file, rule->line,
					  rule->col, "rule", rule->name, "output: %s "
					  "(skip-if-unknown-filter): the rule is skipped", err);
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_OUTPUT", rule->file, rule->line, rule->col,
				  "rule", rule->name, "output: %s (pdig-engine --list lists the "
				  "fields)", err);
	}

	char why[256];
	const struct eng_ast *u = unknown_field(rule->ast, why, sizeof(why));
	if (u) {
		/* as in Falco: an error (a typo must not switch a rule off
		 * quietly), unless the rule says it may be skipped */
		if (rule->skip_if_unknown_filter)
			return eng_rl_msg(r, 0, "LOAD_UNKNOWN_FILTER", rule->file, rule->line, rule->col,
					  "rule", rule->name,
					  "Unknown field '%s' (skip-if-unknown-filter): the rule is "
					  "skipped", u->str);
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, p->cond_line,
				  p->cond_col, "rule", rule->name,
				  "filter_check called with nonexistent field %s (pdig-engine --list "
				  "lists the fields; 'skip-if-unknown-filter: true' skips the rule "
				  "instead)", u->str);
	}
	const struct eng_ast *badtype = unknown_evttype(rule->ast);
	if (badtype && rule->skip_if_unknown_filter) /* Falco counts it as unknown */
		return eng_rl_msg(r, 0, "LOAD_UNKNOWN_FILTER", rule->file, rule->line, rule->col,
				  "rule", rule->name, "unknown event type %s "
				  "(skip-if-unknown-filter): the rule is skipped", badtype->str);
	if (badtype)
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, p->cond_line,
				  p->cond_col, "rule", rule->name, "Unknown event type '%s' in an "
				  "evt.type comparison: use a syscall or event name (sysdig -L lists "
				  "the events)", badtype->str);
	struct eng_parse_error pe;
	rc = eng_filter_compile(rule->ast, &rule->filter, &pe);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		rule->filter = NULL;
		if (strstr(pe.msg, "not supported"))
			return eng_rl_msg(r, 0, "LOAD_UNKNOWN_FILTER", rule->file, rule->line, rule->col,
					  "rule", rule->name, "%s: the rule is skipped", pe.msg);
		/* the place of the offending part; a part that came from a macro
		 * keeps its place in the macro's condition */
		uint32_t l = p->cond_line, c = p->cond_col;
		if (pe.pos.idx < strlen(rule->cond))
			eng_rl_cond_pos(p->cond_line, p->cond_col, p->cond_style, &pe.pos, &l, &c);
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, l, c, "rule",
				  rule->name, "%s (line %u, column %u of the condition)", pe.msg,
				  pe.pos.line, pe.pos.col);
	}
	struct evset es;
	evtypes(rule->ast, &es);
	if (!(rule->evttypes = malloc(EVT_BYTES)))
		return -ENOMEM;
	memcpy(rule->evttypes, es.pos, EVT_BYTES);
	rule->all_evttypes = 1;
	unsigned ntypes = 0;
	for (size_t b = 0; b < EVT_BYTES; b++) {
		rule->all_evttypes &= es.pos[b] == 0xff;
		ntypes += (unsigned)__builtin_popcount(es.pos[b]);
	}
	/* Falco warns past 100 event codes (enter and exit count apart), not
	 * only for "all": "not evt.type = open" is as costly */
	if (ntypes > 100 && rule->warn_evttypes &&
	    eng_rl_msg(r, 0, "LOAD_NO_EVTTYPE", rule->file, rule->line, rule->col, "rule", rule->name,
		       "Rule matches too many evt.type values. This has a significant performance "
		       "penalty: add an evt.type condition, or 'warn_evttypes: false'"))
		return -ENOMEM;
	return 0;
}

int eng_rules_compile(struct eng_rules *r)
{
	int rc;
	if ((rc = eng_rl_compile_lists(r)) || (rc = eng_rl_compile_macros(r)))
		return rc;
	for (size_t i = 0; i < r->nrules; i++) {
		size_t before = r->nmsgs;
		rc = compile_rule(r, r->rules[i]);
		if (rc == -EINVAL && !r->rules[i]->enabled) {
			/* Falco does not fail on a rule that is off (its vectors load a
			 * disabled rule whose condition cannot parse): say it, go on */
			for (size_t k = before; k < r->nmsgs; k++) {
				r->msgs[k].is_error = 0;
				r->msgs[k].code = "LOAD_COMPILE_CONDITION";
			}
			eng_filter_free(r->rules[i]->filter);
			r->rules[i]->filter = NULL;
			rc = 0;
		}
		if (rc)
			return rc;
	}
	for (size_t i = 0; i < r->nmacros; i++)
		if (!r->macros[i].used &&
		    eng_rl_msg(r, 0, "LOAD_UNUSED_MACRO", r->macros[i].file, r->macros[i].line,
			       r->macros[i].col, "macro", r->macros[i].name,
			       "Macro not referred to by any other rule/macro"))
			return -ENOMEM;
	for (size_t i = 0; i < r->nlists; i++)
		if (!r->lists[i].used &&
		    eng_rl_msg(r, 0, "LOAD_UNUSED_LIST", r->lists[i].file, r->lists[i].line,
			       r->lists[i].col, "list", r->lists[i].name,
			       "List not referred to by any other rule/macro"))
			return -ENOMEM;
	return r->nomem ? -ENOMEM : 0;
}
