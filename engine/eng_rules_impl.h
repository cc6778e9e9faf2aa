/*
 * What engine/rules_*.c share, and nothing else includes: the lists, macros
 * and rules the reader (rules_load.c) collects and the compiler
 * (rules_compile.c) expands, the rule set itself (rules_set.c), the helpers
 * they have in common. Not an API: that is eng_rules.h.
 */
#ifndef ENG_RULES_IMPL_H
#define ENG_RULES_IMPL_H

/* Bounds checked before a rules file is parsed: libyaml's scanner is
 * quadratic in the nesting depth (100,000 '[' take 21 s), and no rules
 * file comes near either (Falco's largest is a few hundred KiB, 7 deep). */
#define ENG_RULES_MAX_BYTES (16u << 20)
#define ENG_RULES_MAX_DEPTH 64

#include "eng_rules.h"

struct eng_rl_yv { /* a YAML scalar or sequence, copied out of the document */
	char *s;            /* scalar text, NULL for a sequence */
	struct eng_rl_yv *kids; /* sequence items */
	size_t n;
	uint32_t line, col;
};

struct eng_rl_exc {
	char *name;
	int has_fields, fields_is_list;
	struct eng_rl_yv fields;
	int has_comps, comps_is_list;
	struct eng_rl_yv comps;
	int has_values;
	struct eng_rl_yv values;
	uint32_t line, col;
};

struct eng_rl_rule_priv {
	struct eng_rl_exc *exc;
	size_t nexc;
	uint32_t cond_line, cond_col; /* where the condition text starts */
	int cond_style;               /* 0 plain, 1 quoted, 2 block (| or >) */
};

struct eng_rl_list {
	char *name, *file;
	char **items;
	size_t n;
	uint32_t line, col;
	int used;
	int compiled; /* items already expanded */
};

struct eng_rl_macro {
	char *name, *file, *cond;
	uint32_t line, col, cond_line, cond_col;
	int cond_style;
	int used;
	struct eng_ast *ast;
};

struct eng_rules {
	struct eng_rl_list *lists;
	size_t nlists, caplists;
	struct eng_rl_macro *macros;
	size_t nmacros, capmacros;
	struct eng_rule **rules;
	size_t nrules, caprules;
	struct eng_rules_msg *msgs;
	size_t nmsgs, capmsgs;
	size_t total_nodes; /* list items and condition terms after expansion */
	int nomem;
	const struct eng_ast *bad_list; /* a list misused as one value (-EDOM) */
	size_t bad_list_n;
};

int eng_rl_msg(struct eng_rules *r, int is_error, const char *code, const char *file,
	   uint32_t line, uint32_t col, const char *item_type, const char *item_name,
	   const char *fmt, ...) __attribute__((format(printf, 9, 10)));
void eng_rl_yv_clear(struct eng_rl_yv *v);
int eng_rl_yv_copy(struct eng_rl_yv *dst, const struct eng_rl_yv *src);
void eng_rl_exc_clear(struct eng_rl_exc *e);
void eng_rl_rule_free(struct eng_rule *rule);
void eng_rl_free_items(char **items, size_t n);

#endif
