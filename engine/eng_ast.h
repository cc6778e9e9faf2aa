/*
 * The condition language: Falco's filter syntax parsed into a tree.
 *
 *	cond   := or
 *	or     := and ("or" and)*          and := not ("and" not)*
 *	not    := ("not" blank)* check | "not(" or ")"
 *	check  := "(" or ")" | lhs "exists" | lhs op rhs | identifier
 *	lhs    := field | transformer "(" targ ("," targ)* ")" ["[" arg "]"]
 *	targ   := number | quoted | field | transformer "(" ... ")" | "(" tlist ")"
 *	field  := name.name[.name...] ["[" arg "]"]
 *
 * Identifiers are macro references: this parser keeps them, the rules
 * loader (issue 6) expands them and the compiler rejects what is left.
 * The tree owns all its strings; nothing here knows which fields exist.
 */
#ifndef ENG_AST_H
#define ENG_AST_H

#include <stddef.h>
#include <stdint.h>

enum eng_ast_kind {
	ENG_AST_AND = 1,   /* kids: 2 or more */
	ENG_AST_OR,        /* kids: 2 or more */
	ENG_AST_NOT,       /* kids[0] */
	ENG_AST_IDENT,     /* str: a macro name */
	ENG_AST_UNARY,     /* str: "exists"; kids[0]: the operand */
	ENG_AST_BINARY,    /* str: operator; kids[0] left, kids[1] right; mod */
	ENG_AST_FIELD,     /* str: field name; arg (NULL when none) */
	ENG_AST_TRANSFORM, /* str: "tolower", "val", "join", ...; kids: its arguments
			    * (fields, transformers, values, a TLIST); arg: the
			    * "[c]" after it (getopt), NULL when none */
	ENG_AST_JOIN,      /* no longer made: join is an ENG_AST_TRANSFORM */
	ENG_AST_VALUE,     /* str: a literal, unquoted and unescaped */
	ENG_AST_LIST,      /* kids: ENG_AST_VALUE each */
	ENG_AST_TLIST,     /* "(a, b)" in a transformer: fields, transformers, values */
};

/* A list modifier in "proc.name = oneof (a, b)". */
enum eng_ast_mod { ENG_MOD_NONE = 0, ENG_MOD_ONEOF, ENG_MOD_ANYOF, ENG_MOD_ALLOF };

struct eng_pos {
	uint32_t idx;  /* byte offset */
	uint32_t line; /* from 1 */
	uint32_t col;  /* from 1 */
};

struct eng_ast {
	enum eng_ast_kind kind;
	struct eng_pos pos;
	char *str;
	char *arg;
	enum eng_ast_mod mod;
	int quoted; /* ENG_AST_VALUE written in quotes: never a list name */
	size_t len; /* ENG_AST_VALUE with a \x00 escape: its length; else 0 */
	size_t nkids;
	struct eng_ast **kids;
};

struct eng_parse_error {
	struct eng_pos pos; /* where parsing stopped */
	char msg[192];
};

/* Parses input. 0 with *out set, or -EINVAL with the reason and position in
 * err (and *out NULL), -ENOMEM when out of memory. */
int eng_parse(const char *input, struct eng_ast **out, struct eng_parse_error *err);
void eng_ast_free(struct eng_ast *a);

/* Writes "filter:LINE:COL: MSG\n  INPUT-LINE\n  ^" to buf: the one error
 * message a user sees for a bad filter. */
void eng_parse_error_explain(const char *input, const struct eng_parse_error *err,
			     char *buf, size_t cap);

/* The tree back as text, fully parenthesized (tests, debugging). */
int eng_ast_print(const struct eng_ast *a, char *buf, size_t cap);

#endif
