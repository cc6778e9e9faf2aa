/*
 * Lists and macros: lists expanded into lists and into conditions, macros
 * parsed and expanded (each sees only the macros defined before it), within
 * the bounds that keep a hostile file an error.
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

/* ---- lists ---- */

int eng_rl_over_total(struct eng_rules *r, size_t add, const char *file, uint32_t line,
		      uint32_t col, const char *itype, const char *iname)
{
	r->total_nodes += add;
	if (r->total_nodes <= MAX_TOTAL)
		return 0;
	return eng_rl_msg(r, 1, "LOAD_ERR_VALIDATE", file, line, col, itype, iname,
			  "The rules expand to more than %u list items and condition terms in all "
			  "once lists and macros are expanded: simplify them", MAX_TOTAL);
}

static struct eng_rl_list *list_named(struct eng_rules *r, const char *name, size_t before)
{
	for (size_t i = 0; i < before && i < r->nlists; i++)
		if (!strcmp(r->lists[i].name, name))
			return &r->lists[i];
	return NULL;
}

/* An item written with its own quotes ('"10.0.0.0/8"' in YAML, a habit from
 * when lists were pasted into conditions as text) means the string inside:
 * unquoted and unescaped in place, as the condition parser would. */
static void unquote_item(char *s)
{
	size_t n = strlen(s);
	if (n < 2 || (s[0] != '"' && s[0] != '\'') || s[n - 1] != s[0])
		return;
	char *o = s;
	for (size_t i = 1; i + 1 < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 2 < n) {
			c = s[++i];
			c = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' : c == 'r' ? '\r'
			    : c == 't' ? '\t' : c;
		}
		*o++ = c;
	}
	*o = 0;
}

/* Items naming an earlier list are replaced by that list's items. */
int eng_rl_compile_lists(struct eng_rules *r)
{
	for (size_t i = 0; i < r->nlists; i++) {
		struct eng_rl_list *l = &r->lists[i];
		size_t n = 0, cap = l->n + 1;
		char **out = calloc(cap, sizeof(char *));
		if (!out)
			return -ENOMEM;
		for (size_t k = 0; k < l->n; k++) {
			struct eng_rl_list *sub = list_named(r, l->items[k], i);
			const char *const *src = sub ? (const char *const *)sub->items
						     : (const char *const *)&l->items[k];
			size_t cnt = sub ? sub->n : 1;
			if (sub)
				sub->used = 1;
			if (n + cnt > MAX_NODES) {
				for (size_t j = 0; j < n; j++)
					free(out[j]);
				free(out);
				return eng_rl_msg(r, 1, "LOAD_ERR_VALIDATE", l->file, l->line, l->col, "list",
						  l->name, "The list has more than %u items once the lists "
						  "it names are expanded", MAX_NODES);
			}
			if (n + cnt >= cap) {
				size_t nc = (n + cnt) * 2 + 1;
				char **no = realloc(out, nc * sizeof(char *));
				if (!no)
					goto nomem;
				out = no;
				cap = nc;
			}
			for (size_t j = 0; j < cnt; j++)
				if (!(out[n++] = strdup(src[j])))
					goto nomem;
			if (!sub) /* a sub-list's items are unquoted already */
				unquote_item(out[n - 1]);
			continue;
nomem:
			for (size_t j = 0; j < n; j++)
				free(out[j]);
			free(out);
			return -ENOMEM;
		}
		for (size_t k = 0; k < l->n; k++)
			free(l->items[k]);
		free(l->items);
		l->items = out;
		l->n = n;
		if (eng_rl_over_total(r, n, l->file, l->line, l->col, "list", l->name))
			return -EINVAL;
	}
	return 0;
}

static int is_list_op(const struct eng_ast *a)
{
	return a->kind == ENG_AST_BINARY &&
	       (!strcmp(a->str, "in") || !strcmp(a->str, "intersects") ||
		!strcmp(a->str, "pmatch") || a->mod != ENG_MOD_NONE);
}

/* The parser's identifier: [a-zA-Z][a-zA-Z0-9_]* */
static int is_ident(const char *s)
{
	if (!isalpha((unsigned char)*s))
		return 0;
	while (*++s)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	return 1;
}

/* A list name used where one value goes ("proc.name=my_list", or a bare
 * "my_list" where a macro would be): Falco pastes the list's items into
 * the condition text in place of any such token, so a list of one item
 * is that item and any other list makes a condition that does not parse.
 * 0, or -EDOM with r->bad_list set to the node. */
static int single_value_list(struct eng_rules *r, struct eng_ast *v)
{
	if (v->quoted || (v->kind != ENG_AST_VALUE && v->kind != ENG_AST_IDENT))
		return 0;
	struct eng_rl_list *l = list_named(r, v->str, r->nlists);
	if (!l)
		return 0;
	l->used = 1;
	if (l->n != 1 || (v->kind == ENG_AST_IDENT && !is_ident(l->items[0]))) {
		r->bad_list = v;
		r->bad_list_n = l->n;
		return -EDOM;
	}
	char *s = strdup(l->items[0]);
	if (!s)
		return -ENOMEM;
	free(v->str);
	v->str = s;
	return 0;
}

/* Replaces list names in "in (...)" and friends by the lists' items, and
 * in single values as single_value_list says; -E2BIG past *budget items. */
int eng_rl_expand_lists(struct eng_rules *r, struct eng_ast *a, size_t *budget)
{
	if (a->kind == ENG_AST_IDENT)
		return single_value_list(r, a);
	for (size_t i = 0; i < a->nkids; i++) {
		if (a->kind == ENG_AST_BINARY && i == 1 && !is_list_op(a)) {
			int rc = single_value_list(r, a->kids[1]);
			if (rc)
				return rc;
		}
		int rc = eng_rl_expand_lists(r, a->kids[i], budget);
		if (rc)
			return rc;
	}
	if (!is_list_op(a) || a->nkids < 2)
		return 0;
	struct eng_ast *rhs = a->kids[1];
	if (rhs->kind == ENG_AST_VALUE && !rhs->quoted) {
		/* "in name": a bare list name */
		struct eng_rl_list *l = list_named(r, rhs->str, r->nlists);
		if (!l)
			return 0;
		struct eng_ast *lst = eng_rl_ast_new(ENG_AST_LIST, NULL);
		if (!lst)
			return -ENOMEM;
		lst->pos = rhs->pos;
		if (eng_rl_ast_add(lst, eng_rl_ast_dup(rhs))) {
			eng_ast_free(lst);
			return -ENOMEM;
		}
		eng_ast_free(rhs);
		a->kids[1] = rhs = lst;
	}
	if (rhs->kind != ENG_AST_LIST)
		return 0;
	int changed = 0;
	for (size_t i = 0; i < rhs->nkids; i++)
		if (rhs->kids[i]->kind == ENG_AST_VALUE && !rhs->kids[i]->quoted &&
		    list_named(r, rhs->kids[i]->str, r->nlists))
			changed = 1;
	if (!changed)
		return 0;
	struct eng_ast **kids = rhs->kids;
	size_t nk = rhs->nkids;
	rhs->kids = NULL;
	rhs->nkids = 0;
	int rc = 0;
	for (size_t i = 0; i < nk; i++) {
		struct eng_rl_list *l = kids[i]->kind == ENG_AST_VALUE && !kids[i]->quoted
					    ? list_named(r, kids[i]->str, r->nlists) : NULL;
		if (!l) {
			if (!rc)
				rc = eng_rl_ast_add(rhs, kids[i]);
			else
				eng_ast_free(kids[i]);
			continue;
		}
		l->used = 1;
		if (!rc && l->n > *budget)
			rc = -E2BIG;
		else if (!rc)
			*budget -= l->n;
		for (size_t j = 0; j < l->n && !rc; j++) {
			struct eng_ast *v = eng_rl_ast_new(ENG_AST_VALUE, l->items[j]);
			if (v)
				v->pos = kids[i]->pos;
			rc = eng_rl_ast_add(rhs, v);
		}
		eng_ast_free(kids[i]);
	}
	free(kids);
	return rc;
}

/* The load error for r->bad_list (see single_value_list). */
int eng_rl_bad_list_use(struct eng_rules *r, const char *file, uint32_t line, uint32_t col,
			int style, const char *itype, const char *iname)
{
	const struct eng_ast *v = r->bad_list;
	eng_rl_cond_pos(line, col, style, &v->pos, &line, &col);
	return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", file, line, col, itype, iname,
			  "List '%s' (%zu items) used as a single value: its items replace "
			  "its name, which does not parse here; write 'in (%s)'",
			  v->str, r->bad_list_n, v->str);
}

/* ---- macros ---- */

size_t eng_rl_ast_size(const struct eng_ast *a)
{
	size_t n = 1;
	for (size_t i = 0; i < a->nkids; i++)
		n += eng_rl_ast_size(a->kids[i]);
	return n;
}

/* Replaces identifiers by copies of the first `visible` macros' trees.
 * Returns 0, -ENOMEM, -E2BIG (too large), or -ENOENT with *undef set to
 * the unknown name. *budget: nodes still allowed. */
int eng_rl_expand_macros(struct eng_rules *r, struct eng_ast **ap, size_t visible,
			 const struct eng_ast **undef, size_t *budget)
{
	struct eng_ast *a = *ap;
	if (a->kind == ENG_AST_IDENT) {
		for (size_t i = 0; i < visible; i++) {
			struct eng_rl_macro *m = &r->macros[i];
			if (strcmp(m->name, a->str))
				continue;
			if (!m->ast) { /* it failed to compile: already reported */
				*undef = a;
				return -ENOENT;
			}
			size_t sz = eng_rl_ast_size(m->ast);
			if (sz > *budget)
				return -E2BIG;
			*budget -= sz;
			struct eng_ast *c = eng_rl_ast_dup(m->ast);
			if (!c)
				return -ENOMEM;
			m->used = 1;
			eng_ast_free(a);
			*ap = c;
			return 0;
		}
		*undef = a;
		return -ENOENT;
	}
	for (size_t i = 0; i < a->nkids; i++) {
		int rc = eng_rl_expand_macros(r, &a->kids[i], visible, undef, budget);
		if (rc)
			return rc;
	}
	return 0;
}

/* "Undefined macro" at the identifier (its position in the condition);
 * Falco's kind is LOAD_ERR_VALIDATE, not a compile error. */
int eng_rl_undefined_macro(struct eng_rules *r, const char *file, uint32_t line, uint32_t col,
			   int style, const char *itype, const char *iname,
			   const struct eng_ast *id, size_t self)
{
	int later = 0;
	for (size_t i = self; i < r->nmacros; i++)
		later |= !strcmp(r->macros[i].name, id->str);
	eng_rl_cond_pos(line, col, style, &id->pos, &line, &col);
	return eng_rl_msg(r, 1, "LOAD_ERR_VALIDATE", file, line, col, itype, iname,
			  "Undefined macro '%s' used in filter.%s", id->str,
			  later ? " (a macro can use only the macros defined before it, and not "
			      "itself: move the definition of the macro it uses above it)"
			    : "");
}

/* Where in the YAML file a condition error is: the condition's own line
 * and column plus the parser's position inside it for a one-line plain or
 * quoted scalar; a block scalar (| or >) is reported where it starts, the
 * message giving the position inside the condition. */
void eng_rl_cond_pos(uint32_t line, uint32_t col, int style, const struct eng_pos *p,
		     uint32_t *ol, uint32_t *oc)
{
	*ol = line;
	*oc = col;
	if (style == 2 || p->line > 1 || !p->col)
		return;
	*oc = col + (style == 1) + p->col - 1;
}

/* Parses the condition of a macro or a rule into *ast: 0, -ENOMEM, or the
 * load error at the parser's position in the file. */
int eng_rl_parse_cond(struct eng_rules *r, const char *cond, struct eng_ast **ast,
		      const char *file, uint32_t line, uint32_t col, int style,
		      const char *itype, const char *iname)
{
	struct eng_parse_error pe;
	int rc = eng_parse(cond, ast, &pe);
	if (rc == 0 || rc == -ENOMEM)
		return rc;
	eng_rl_cond_pos(line, col, style, &pe.pos, &line, &col);
	return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", file, line, col, itype, iname,
			  "Could not parse condition: %s (line %u, column %u of the condition)",
			  pe.msg, pe.pos.line, pe.pos.col);
}

int eng_rl_compile_macros(struct eng_rules *r)
{
	for (size_t i = 0; i < r->nmacros; i++) {
		struct eng_rl_macro *m = &r->macros[i];
		int rc = eng_rl_parse_cond(r, m->cond, &m->ast, m->file, m->cond_line, m->cond_col,
					   m->cond_style, "macro", m->name);
		if (rc)
			return rc;
		size_t budget = MAX_NODES;
		if ((rc = eng_rl_expand_lists(r, m->ast, &budget)) == -EDOM)
			return eng_rl_bad_list_use(r, m->file, m->cond_line, m->cond_col,
						   m->cond_style, "macro", m->name);
		if (rc == -E2BIG)
			return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", m->file, m->cond_line,
					  m->cond_col, "macro", m->name, "The condition has more than %u "
					  "terms once its lists are expanded: simplify it", MAX_NODES);
		if (rc)
			return rc;
		const struct eng_ast *undef = NULL;
		budget = MAX_NODES;
		rc = eng_rl_expand_macros(r, &m->ast, i, &undef, &budget);
		if (rc == -E2BIG)
			return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", m->file, m->cond_line,
					  m->cond_col, "macro", m->name, "The condition has more than %u "
					  "terms once its macros are expanded: simplify it", MAX_NODES);
		if (rc == -ENOENT)
			return eng_rl_undefined_macro(r, m->file, m->cond_line, m->cond_col,
						      m->cond_style, "macro", m->name, undef, i);
		if (rc)
			return rc;
		if (eng_rl_over_total(r, eng_rl_ast_size(m->ast), m->file, m->cond_line, m->cond_col, "macro",
				      m->name))
			return -EINVAL;
	}
	return 0;
}

