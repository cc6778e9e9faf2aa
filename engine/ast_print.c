/*
 * Condition trees printed back as text, the one printer for two readers:
 * the parser's own form (eng_ast_print(): every value in double quotes, as
 * written, for tests and the parser's conformance cases) and Falco's
 * (eng_rules_ast_str(): values quoted only when they need it, escaped,
 * as the rules formatter's conformance cases expect).
 */
#include <errno.h>
#include <string.h>

#include "eng_ast.h"
#include "eng_rules.h"

struct sb {
	char *b;
	size_t cap, len;
	int falco; /* Falco's quoting */
};

static void sb_put(struct sb *s, const char *t, size_t n)
{
	if (s->len + 1 < s->cap) {
		size_t k = s->cap - s->len - 1 < n ? s->cap - s->len - 1 : n;
		memcpy(s->b + s->len, t, k);
		s->b[s->len + k] = 0;
	}
	s->len += n;
}

static void sb_str(struct sb *s, const char *t) { sb_put(s, t, strlen(t)); }

/* A value: in the parser's form always quoted as written; in Falco's bare
 * when nothing in it needs quoting, else quoted and escaped. */
static void value(struct sb *s, const char *v)
{
	if (!s->falco) {
		sb_str(s, "\"");
		sb_str(s, v);
		sb_str(s, "\"");
		return;
	}
	if (!v[strcspn(v, " \t\n\r\b\f\\\"'")]) {
		sb_str(s, v);
		return;
	}
	sb_str(s, "\"");
	for (; *v; v++) {
		switch (*v) {
		case '\b': sb_str(s, "\\b"); break;
		case '\f': sb_str(s, "\\f"); break;
		case '\n': sb_str(s, "\\n"); break;
		case '\r': sb_str(s, "\\r"); break;
		case '\t': sb_str(s, "\\t"); break;
		case '\\': sb_str(s, "\\\\"); break;
		case '"': sb_str(s, "\\\""); break;
		default: sb_put(s, v, 1);
		}
	}
	sb_str(s, "\"");
}

/* A field's or a transformer's [argument]: as written in the parser's form. */
static void arg(struct sb *s, const char *a)
{
	sb_str(s, "[");
	if (s->falco)
		value(s, a);
	else
		sb_str(s, a);
	sb_str(s, "]");
}

static void print(const struct eng_ast *a, struct sb *s);

static void kids(const struct eng_ast *a, struct sb *s, const char *sep)
{
	for (size_t i = 0; i < a->nkids; i++) {
		if (i)
			sb_str(s, sep);
		print(a->kids[i], s);
	}
}

static void print(const struct eng_ast *a, struct sb *s)
{
	switch (a->kind) {
	case ENG_AST_AND:
	case ENG_AST_OR:
		sb_str(s, "(");
		kids(a, s, a->kind == ENG_AST_AND ? " and " : " or ");
		sb_str(s, ")");
		break;
	case ENG_AST_NOT:
		sb_str(s, "not ");
		print(a->kids[0], s);
		break;
	case ENG_AST_IDENT:
		sb_str(s, a->str);
		break;
	case ENG_AST_UNARY:
		print(a->kids[0], s);
		sb_str(s, " ");
		sb_str(s, a->str);
		break;
	case ENG_AST_BINARY:
		print(a->kids[0], s);
		sb_str(s, " ");
		sb_str(s, a->str);
		sb_str(s, a->mod == ENG_MOD_ONEOF   ? " oneof "
			  : a->mod == ENG_MOD_ANYOF ? " anyof "
			  : a->mod == ENG_MOD_ALLOF ? " allof "
						    : " ");
		print(a->kids[1], s);
		break;
	case ENG_AST_FIELD:
		sb_str(s, a->str);
		if (a->arg)
			arg(s, a->arg);
		break;
	case ENG_AST_TRANSFORM:
		sb_str(s, a->str);
		sb_str(s, "(");
		kids(a, s, ", ");
		sb_str(s, ")");
		if (a->arg)
			arg(s, a->arg);
		break;
	case ENG_AST_JOIN:
		sb_str(s, "join(");
		value(s, a->arg ? a->arg : "");
		sb_str(s, ", (");
		kids(a, s, ", ");
		sb_str(s, "))");
		break;
	case ENG_AST_VALUE:
		value(s, a->str);
		break;
	case ENG_AST_LIST:
	case ENG_AST_TLIST:
		sb_str(s, "(");
		kids(a, s, ", ");
		sb_str(s, ")");
		break;
	}
}

static int print_as(const struct eng_ast *a, int falco, char *buf, size_t cap)
{
	struct sb s = {buf, cap, 0, falco};
	if (cap)
		buf[0] = 0;
	print(a, &s);
	return s.len >= cap ? -ENOSPC : (int)s.len;
}

int eng_ast_print(const struct eng_ast *a, char *buf, size_t cap)
{
	return print_as(a, 0, buf, cap);
}

int eng_rules_ast_str(const struct eng_ast *a, char *buf, size_t cap)
{
	return print_as(a, 1, buf, cap);
}
