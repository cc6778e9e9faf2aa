/*
 * Condition trees for the rules compiler: building and copying them, and
 * printing them back as Falco does (eng_rules_ast_str()).
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

/* ---- trees ---- */

struct eng_ast *eng_rl_ast_new(enum eng_ast_kind kind, const char *str)
{
	struct eng_ast *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->kind = kind;
	if (str && !(a->str = strdup(str))) {
		free(a);
		return NULL;
	}
	return a;
}

int eng_rl_ast_add(struct eng_ast *a, struct eng_ast *kid)
{
	if (!kid)
		return -ENOMEM;
	struct eng_ast **k = realloc(a->kids, (a->nkids + 1) * sizeof(*k));
	if (!k) {
		eng_ast_free(kid);
		return -ENOMEM;
	}
	a->kids = k;
	a->kids[a->nkids++] = kid;
	return 0;
}

struct eng_ast *eng_rl_ast_dup(const struct eng_ast *a)
{
	struct eng_ast *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = a->kind;
	n->pos = a->pos;
	n->mod = a->mod;
	n->quoted = a->quoted;
	n->len = a->len;
	if (a->len && a->str) { /* bytes after a NUL: copy them all */
		free(n->str);
		if (!(n->str = malloc(a->len + 1)))
			goto err;
		memcpy(n->str, a->str, a->len + 1);
	}
	if ((a->str && !(n->str = strdup(a->str))) || (a->arg && !(n->arg = strdup(a->arg))))
		goto err;
	if (a->nkids && !(n->kids = calloc(a->nkids, sizeof(*n->kids))))
		goto err;
	for (size_t i = 0; i < a->nkids; i++) {
		if (!(n->kids[i] = eng_rl_ast_dup(a->kids[i])))
			goto err;
		n->nkids++;
	}
	return n;
err:
	eng_ast_free(n);
	return NULL;
}

/* ---- Falco's printing: values quoted only when they need it ---- */

struct sb {
	char *b;
	size_t cap, len;
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

static void sb_value(struct sb *s, const char *v)
{
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

static void print_ast(const struct eng_ast *a, struct sb *s)
{
	switch (a->kind) {
	case ENG_AST_AND:
	case ENG_AST_OR:
		sb_str(s, "(");
		for (size_t i = 0; i < a->nkids; i++) {
			if (i)
				sb_str(s, a->kind == ENG_AST_AND ? " and " : " or ");
			print_ast(a->kids[i], s);
		}
		sb_str(s, ")");
		break;
	case ENG_AST_NOT:
		sb_str(s, "not ");
		print_ast(a->kids[0], s);
		break;
	case ENG_AST_IDENT:
		sb_str(s, a->str);
		break;
	case ENG_AST_UNARY:
		print_ast(a->kids[0], s);
		sb_str(s, " ");
		sb_str(s, a->str);
		break;
	case ENG_AST_BINARY:
		print_ast(a->kids[0], s);
		sb_str(s, " ");
		sb_str(s, a->str);
		sb_str(s, a->mod == ENG_MOD_ONEOF   ? " oneof "
			  : a->mod == ENG_MOD_ANYOF ? " anyof "
			  : a->mod == ENG_MOD_ALLOF ? " allof "
						    : " ");
		print_ast(a->kids[1], s);
		break;
	case ENG_AST_FIELD:
		sb_str(s, a->str);
		if (a->arg) {
			sb_str(s, "[");
			sb_value(s, a->arg);
			sb_str(s, "]");
		}
		break;
	case ENG_AST_TRANSFORM:
		sb_str(s, a->str);
		sb_str(s, "(");
		for (size_t i = 0; i < a->nkids; i++) {
			if (i)
				sb_str(s, ", ");
			print_ast(a->kids[i], s);
		}
		sb_str(s, ")");
		if (a->arg) {
			sb_str(s, "[");
			sb_value(s, a->arg);
			sb_str(s, "]");
		}
		break;
	case ENG_AST_JOIN:
		sb_str(s, "join(");
		sb_value(s, a->arg ? a->arg : "");
		sb_str(s, ", (");
		for (size_t i = 0; i < a->nkids; i++) {
			if (i)
				sb_str(s, ", ");
			print_ast(a->kids[i], s);
		}
		sb_str(s, "))");
		break;
	case ENG_AST_VALUE:
		sb_value(s, a->str);
		break;
	case ENG_AST_LIST:
	case ENG_AST_TLIST:
		sb_str(s, "(");
		for (size_t i = 0; i < a->nkids; i++) {
			if (i)
				sb_str(s, ", ");
			print_ast(a->kids[i], s);
		}
		sb_str(s, ")");
		break;
	}
}

int eng_rules_ast_str(const struct eng_ast *a, char *buf, size_t cap)
{
	struct sb s = {buf, cap, 0};
	if (cap)
		buf[0] = 0;
	print_ast(a, &s);
	return s.len >= cap ? -ENOSPC : (int)s.len;
}

