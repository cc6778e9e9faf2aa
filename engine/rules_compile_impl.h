/*
 * What the rules compiler's files (rules_compile.c, rules_ast.c,
 * rules_expand.c, rules_exceptions.c) share, and nothing else includes.
 * Not an API: that is eng_rules.h.
 */
#ifndef RULES_COMPILE_IMPL_H
#define RULES_COMPILE_IMPL_H

#include "eng_ast.h"
#include "eng_rules_impl.h"

/* Lists and macros that use each other twice per level grow exponentially:
 * bounds keep a hostile or broken file an error, not an exhausted memory.
 * Falco's own sets stay far below (their largest condition expands to a
 * few thousand terms). */
#define MAX_NODES (1u << 16) /* one list, one condition */
#define MAX_TOTAL (1u << 21) /* all of them */

struct exc_ctx {
	struct eng_rules *r;
	struct eng_rule *rule;
	const struct eng_rl_exc *e;
};

/* rules_ast.c */
struct eng_ast *eng_rl_ast_new(enum eng_ast_kind kind, const char *str);
int eng_rl_ast_add(struct eng_ast *a, struct eng_ast *kid);
struct eng_ast *eng_rl_ast_dup(const struct eng_ast *a);

/* rules_expand.c */
int eng_rl_over_total(struct eng_rules *r, size_t add, const char *file, uint32_t line,
		      uint32_t col, const char *itype, const char *iname);
int eng_rl_compile_lists(struct eng_rules *r);
int eng_rl_expand_lists(struct eng_rules *r, struct eng_ast *a, size_t *budget);
int eng_rl_bad_list_use(struct eng_rules *r, const char *file, uint32_t line, uint32_t col,
			int style, const char *itype, const char *iname);
size_t eng_rl_ast_size(const struct eng_ast *a);
int eng_rl_expand_macros(struct eng_rules *r, struct eng_ast **ap, size_t visible,
			 const struct eng_ast **undef, size_t *budget);
int eng_rl_undefined_macro(struct eng_rules *r, const char *file, uint32_t line, uint32_t col,
			   int style, const char *itype, const char *iname,
			   const struct eng_ast *id, size_t self);
void eng_rl_cond_pos(uint32_t line, uint32_t col, int style, const struct eng_pos *p,
		     uint32_t *ol, uint32_t *oc);
int eng_rl_parse_cond(struct eng_rules *r, const char *cond, struct eng_ast **ast,
		      const char *file, uint32_t line, uint32_t col, int style,
		      const char *itype, const char *iname);
int eng_rl_compile_macros(struct eng_rules *r);

/* rules_exceptions.c */
int eng_rl_build_exception(struct exc_ctx *x, struct eng_ast **out);

#endif
