/*
 * Compiled conditions: a parsed tree (eng_ast.h) bound to fields, with
 * every literal converted once to the field's type, so that evaluating an
 * event compares numbers as numbers and allocates nothing.
 *
 * Macros and lists are the rules loader's job (issue 6): a tree handed to
 * eng_filter_compile() must not contain identifiers any more.
 */
#ifndef ENG_FILTER_H
#define ENG_FILTER_H

#include "eng_ast.h"
#include "eng_fields.h"

struct eng_filter;

/* Compiles a tree; on error -EINVAL with the message and the position of
 * the offending node in err. The tree stays the caller's. */
int eng_filter_compile(const struct eng_ast *ast, struct eng_filter **out,
		       struct eng_parse_error *err);

/* Parses and compiles text; on error, the one explained message
 * ("filter:1:COL: ...", the line, a caret) is written to errbuf. */
int eng_filter_new(const char *text, struct eng_filter **out, char *errbuf, size_t errlen);

/* 1 when the event matches, 0 when not. */
int eng_filter_match(struct eng_filter *f, const struct eng_ctx *c);

void eng_filter_free(struct eng_filter *f);

/* A transformer expression on its own ("getopt(proc.args, \"c:\")[c]",
 * "concat(proc.name, \"-\")"), with the conditions' semantics: outputs use
 * it for what their own syntax lacks. operand is a parsed left-hand side. */
struct eng_fexpr;

/* 0, or -EINVAL with Falco's message and the position in err, -ENOMEM. */
int eng_fexpr_compile(const struct eng_ast *operand, struct eng_fexpr **out,
		      struct eng_parse_error *err);
/* 0 with the value as text in *s (*len bytes; a list as "(a,b)", as libsinsp
 * prints lists), or -1 when a field in it is not available. */
int eng_fexpr_eval(struct eng_fexpr *x, const struct eng_ctx *c, const char **s, size_t *len);
/* 1 when the value is a number (len). */
int eng_fexpr_numeric(const struct eng_fexpr *x);
void eng_fexpr_free(struct eng_fexpr *x);


#endif
