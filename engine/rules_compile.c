/*
 * Turning what rules_load.c collected into compiled rules: lists expanded
 * into lists, macros parsed and expanded (each sees only the macros defined
 * before it), exceptions built into "and not (...)", then every rule's tree
 * compiled with eng_filter and indexed by the event types it can match.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "eng_rules_impl.h"
#include "shm_event.h"
#include "shm_format.h"

/* ---- trees ---- */

static struct eng_ast *ast_new(enum eng_ast_kind kind, const char *str)
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

static int ast_add(struct eng_ast *a, struct eng_ast *kid)
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

static struct eng_ast *ast_dup(const struct eng_ast *a)
{
	struct eng_ast *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = a->kind;
	n->pos = a->pos;
	n->mod = a->mod;
	if ((a->str && !(n->str = strdup(a->str))) || (a->arg && !(n->arg = strdup(a->arg))))
		goto err;
	if (a->nkids && !(n->kids = calloc(a->nkids, sizeof(*n->kids))))
		goto err;
	for (size_t i = 0; i < a->nkids; i++) {
		if (!(n->kids[i] = ast_dup(a->kids[i])))
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

/* ---- lists ---- */

/* Lists and macros that use each other twice per level grow exponentially:
 * bounds keep a hostile or broken file an error, not an exhausted memory.
 * Falco's own sets stay far below (their largest condition expands to a
 * few thousand terms). */
#define MAX_NODES (1u << 16) /* one list, one condition */
#define MAX_TOTAL (1u << 21) /* all of them */

static int over_total(struct eng_rules *r, size_t add, const char *file, uint32_t line,
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
static int compile_lists(struct eng_rules *r)
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
		if (over_total(r, n, l->file, l->line, l->col, "list", l->name))
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

/* Replaces list names in "in (...)" and friends by the lists' items;
 * -E2BIG past *budget items. */
static int expand_lists(struct eng_rules *r, struct eng_ast *a, size_t *budget)
{
	for (size_t i = 0; i < a->nkids; i++) {
		int rc = expand_lists(r, a->kids[i], budget);
		if (rc)
			return rc;
	}
	if (!is_list_op(a) || a->nkids < 2)
		return 0;
	struct eng_ast *rhs = a->kids[1];
	if (rhs->kind == ENG_AST_VALUE) {
		/* "in name": a bare list name */
		struct eng_rl_list *l = list_named(r, rhs->str, r->nlists);
		if (!l)
			return 0;
		struct eng_ast *lst = ast_new(ENG_AST_LIST, NULL);
		if (!lst)
			return -ENOMEM;
		lst->pos = rhs->pos;
		if (ast_add(lst, ast_dup(rhs))) {
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
		if (rhs->kids[i]->kind == ENG_AST_VALUE && list_named(r, rhs->kids[i]->str, r->nlists))
			changed = 1;
	if (!changed)
		return 0;
	struct eng_ast **kids = rhs->kids;
	size_t nk = rhs->nkids;
	rhs->kids = NULL;
	rhs->nkids = 0;
	int rc = 0;
	for (size_t i = 0; i < nk; i++) {
		struct eng_rl_list *l = kids[i]->kind == ENG_AST_VALUE
					    ? list_named(r, kids[i]->str, r->nlists) : NULL;
		if (!l) {
			if (!rc)
				rc = ast_add(rhs, kids[i]);
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
			struct eng_ast *v = ast_new(ENG_AST_VALUE, l->items[j]);
			if (v)
				v->pos = kids[i]->pos;
			rc = ast_add(rhs, v);
		}
		eng_ast_free(kids[i]);
	}
	free(kids);
	return rc;
}

/* ---- macros ---- */


static size_t ast_size(const struct eng_ast *a)
{
	size_t n = 1;
	for (size_t i = 0; i < a->nkids; i++)
		n += ast_size(a->kids[i]);
	return n;
}

/* Replaces identifiers by copies of the first `visible` macros' trees.
 * Returns 0, -ENOMEM, -E2BIG (too large), or -ENOENT with *undef set to
 * the unknown name. *budget: nodes still allowed. */
static int expand_macros(struct eng_rules *r, struct eng_ast **ap, size_t visible,
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
			size_t sz = ast_size(m->ast);
			if (sz > *budget)
				return -E2BIG;
			*budget -= sz;
			struct eng_ast *c = ast_dup(m->ast);
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
		int rc = expand_macros(r, &a->kids[i], visible, undef, budget);
		if (rc)
			return rc;
	}
	return 0;
}

static void cond_pos(uint32_t line, uint32_t col, int style, const struct eng_pos *p,
		     uint32_t *ol, uint32_t *oc);

/* "Undefined macro" at the identifier (its position in the condition). */
static int undefined_macro(struct eng_rules *r, const char *file, uint32_t line, uint32_t col,
			   int style, const char *itype, const char *iname,
			   const struct eng_ast *id, size_t self)
{
	int later = 0;
	for (size_t i = self; i < r->nmacros; i++)
		later |= !strcmp(r->macros[i].name, id->str);
	cond_pos(line, col, style, &id->pos, &line, &col);
	return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", file, line, col, itype, iname,
			  "Undefined macro '%s' used in filter.%s", id->str,
			  later ? " (a macro can use only the macros defined before it, and not "
			      "itself: move the definition of the macro it uses above it)"
			    : "");
}

/* Where in the YAML file a condition error is: the condition's own line
 * and column plus the parser's position inside it for a one-line plain or
 * quoted scalar; a block scalar (| or >) is reported where it starts, the
 * message giving the position inside the condition. */
static void cond_pos(uint32_t line, uint32_t col, int style, const struct eng_pos *p,
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
static int parse_cond(struct eng_rules *r, const char *cond, struct eng_ast **ast,
		      const char *file, uint32_t line, uint32_t col, int style,
		      const char *itype, const char *iname)
{
	struct eng_parse_error pe;
	int rc = eng_parse(cond, ast, &pe);
	if (rc == 0 || rc == -ENOMEM)
		return rc;
	cond_pos(line, col, style, &pe.pos, &line, &col);
	return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", file, line, col, itype, iname,
			  "Could not parse condition: %s (line %u, column %u of the condition)",
			  pe.msg, pe.pos.line, pe.pos.col);
}

static int compile_macros(struct eng_rules *r)
{
	for (size_t i = 0; i < r->nmacros; i++) {
		struct eng_rl_macro *m = &r->macros[i];
		int rc = parse_cond(r, m->cond, &m->ast, m->file, m->cond_line, m->cond_col,
				    m->cond_style, "macro", m->name);
		if (rc)
			return rc;
		size_t budget = MAX_NODES;
		if ((rc = expand_lists(r, m->ast, &budget)) == -E2BIG)
			return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", m->file, m->cond_line,
					  m->cond_col, "macro", m->name, "The condition has more than %u "
					  "terms once its lists are expanded: simplify it", MAX_NODES);
		if (rc)
			return rc;
		const struct eng_ast *undef = NULL;
		budget = MAX_NODES;
		rc = expand_macros(r, &m->ast, i, &undef, &budget);
		if (rc == -E2BIG)
			return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", m->file, m->cond_line,
					  m->cond_col, "macro", m->name, "The condition has more than %u "
					  "terms once its macros are expanded: simplify it", MAX_NODES);
		if (rc == -ENOENT)
			return undefined_macro(r, m->file, m->cond_line, m->cond_col,
					       m->cond_style, "macro", m->name, undef, i);
		if (rc)
			return rc;
		if (over_total(r, ast_size(m->ast), m->file, m->cond_line, m->cond_col, "macro",
			       m->name))
			return -EINVAL;
	}
	return 0;
}

/* ---- exceptions ---- */

static const char *const plain_ops[] = {"=", "==", "!=", "<", "<=", ">", ">=", "contains",
	"icontains", "bcontains", "startswith", "bstartswith", "endswith", "glob", "iglob",
	"regex", "in", "intersects", "pmatch", NULL};
/* operators a list modifier (oneof/anyof/allof) may follow */
static const char *const mod_ops[] = {"=", "==", "!=", "contains", "icontains", "bcontains",
	"startswith", "bstartswith", "endswith", "glob", "iglob", "regex", NULL};

static int in_list(const char *s, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(s, *set))
			return 1;
	return 0;
}

/* "  startswith   oneof " -> op "startswith", mod ONEOF; -EINVAL when not
 * an operator Falco accepts in exceptions. norm gets the tidy text. */
static int parse_comp(const char *comp, char *op, size_t opcap, enum eng_ast_mod *mod,
		      char *norm, size_t normcap)
{
	char w[3][32];
	int nw = 0;
	const char *s = comp;
	while (*s) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			break;
		size_t n = 0;
		while (s[n] && !isspace((unsigned char)s[n]))
			n++;
		if (nw == 3 || n >= sizeof(w[0]))
			return -EINVAL;
		memcpy(w[nw], s, n);
		w[nw++][n] = 0;
		s += n;
	}
	snprintf(norm, normcap, "%s%s%s", nw ? w[0] : "", nw > 1 ? " " : "", nw > 1 ? w[1] : "");
	*mod = ENG_MOD_NONE;
	if (nw == 1 && in_list(w[0], plain_ops)) {
		snprintf(op, opcap, "%s", w[0]);
		return 0;
	}
	if (nw == 2 && in_list(w[0], mod_ops)) {
		*mod = !strcmp(w[1], "oneof")   ? ENG_MOD_ONEOF
		       : !strcmp(w[1], "anyof") ? ENG_MOD_ANYOF
		       : !strcmp(w[1], "allof") ? ENG_MOD_ALLOF
						: ENG_MOD_NONE;
		if (*mod == ENG_MOD_NONE)
			return -EINVAL;
		snprintf(op, opcap, "%s", w[0]);
		return 0;
	}
	return -EINVAL;
}

static const char *const transformer_names[] = {"tolower", "toupper", "b64", "basename", "len",
						"val", NULL};

/* The field side of an exception ("proc.name", "tolower( proc.name)"),
 * parsed by the condition parser. */
static struct eng_ast *parse_field_expr(const char *text, char *why, size_t whylen)
{
	char *buf;
	struct eng_ast *a = NULL;
	struct eng_parse_error pe;
	if (asprintf(&buf, "%s exists", text) < 0)
		return NULL;
	int rc = eng_parse(buf, &a, &pe);
	free(buf);
	if (rc || a->kind != ENG_AST_UNARY) {
		snprintf(why, whylen, "'%s' is not a field or a field transformer%s%s", text,
			 rc ? ": " : "", rc ? pe.msg : "");
		eng_ast_free(a);
		return NULL;
	}
	struct eng_ast *f = a->kids[0];
	a->kids[0] = NULL;
	a->nkids = 0;
	eng_ast_free(a);
	return f;
}

static int looks_like_field(const char *v)
{
	char name[256];
	size_t n = strspn(v, " \t");
	size_t len = strlen(v + n);
	while (len && (v[n + len - 1] == ' ' || v[n + len - 1] == '\t'))
		len--;
	if (!len || len >= sizeof(name))
		return 0;
	memcpy(name, v + n, len);
	name[len] = 0;
	char *arg = strchr(name, '[');
	if (arg) {
		char *end = strchr(arg, ']');
		if (!end || end[1])
			return 0;
		*arg++ = 0;
		*end = 0;
	}
	struct eng_fieldref ref;
	char why[128];
	memset(&ref, 0, sizeof(ref));
	int rc = eng_field_resolve(&ref, name, arg, why, sizeof(why));
	if (!rc)
		eng_fieldref_clear(&ref);
	return rc == 0 || (rc != -ENOENT && strchr(name, '.'));
}

/* "toupper(proc.pname)": 1 when written tightly, 2 with blanks inside. */
static int looks_like_transformer(const char *v)
{
	for (int i = 0; transformer_names[i]; i++) {
		size_t n = strlen(transformer_names[i]);
		if (strncmp(v, transformer_names[i], n) || v[n] != '(')
			continue;
		size_t len = strlen(v);
		if (len < n + 3 || v[len - 1] != ')')
			return 0;
		char inner[256];
		if (len - n - 2 >= sizeof(inner))
			return 0;
		memcpy(inner, v + n + 1, len - n - 2);
		inner[len - n - 2] = 0;
		int blank = strpbrk(inner, " \t") != NULL;
		return looks_like_field(inner) || strchr(inner, '(') ? (blank ? 2 : 1) : 0;
	}
	return 0;
}

struct exc_ctx {
	struct eng_rules *r;
	struct eng_rule *rule;
	const struct eng_rl_exc *e;
};

static int exc_err(struct exc_ctx *x, uint32_t line, uint32_t col, const char *fmt,
		   const char *a1, const char *a2)
{
	return eng_rl_msg(x->r, 1, "LOAD_ERR_VALIDATE", x->rule->file, line ? line : x->e->line,
			  line ? col : x->e->col, "rule", x->rule->name, fmt, a1, a2);
}

static int exc_warn(struct exc_ctx *x, const struct eng_rl_yv *at, const char *fmt, const char *a1)
{
	return eng_rl_msg(x->r, 0, "LOAD_COMPILE_CONDITION", x->rule->file, at->line, at->col, "rule",
			  x->rule->name, fmt, a1);
}

/* The right-hand side for one field of one values tuple. */
static int exc_rhs(struct exc_ctx *x, const struct eng_rl_yv *v, int wants_list,
		   struct eng_ast **out)
{
	*out = NULL;
	if (wants_list) {
		struct eng_ast *l = ast_new(ENG_AST_LIST, NULL);
		if (!l)
			return -ENOMEM;
		const struct eng_rl_yv *items = v->s ? v : v->kids;
		size_t n = v->s ? 1 : v->n;
		for (size_t i = 0; i < n; i++) {
			if (!items[i].s) {
				eng_ast_free(l);
				return exc_err(x, items[i].line, items[i].col,
					       "Exception '%s': a value list must hold strings%s",
					       x->e->name, "");
			}
			if (ast_add(l, ast_new(ENG_AST_VALUE, items[i].s))) {
				eng_ast_free(l);
				return -ENOMEM;
			}
		}
		*out = l;
		return 0;
	}
	if (!v->s)
		return exc_err(x, v->line, v->col,
			       "Exception '%s': this comparison takes one value, not a list%s",
			       x->e->name, "");
	int t = looks_like_transformer(v->s);
	if (t == 1) {
		char why[256];
		if ((*out = parse_field_expr(v->s, why, sizeof(why))))
			return 0;
	}
	if (t == 2 && exc_warn(x, v, "'%s' may be a valid field transformer misused as a const "
				     "string value", v->s))
		return -ENOMEM;
	if (!t && looks_like_field(v->s) &&
	    exc_warn(x, v, "'%s' may be a valid field misused as a const string value", v->s))
		return -ENOMEM;
	return (*out = ast_new(ENG_AST_VALUE, v->s)) ? 0 : -ENOMEM;
}

static int exc_check(struct exc_ctx *x, const char *field, const struct eng_rl_yv *at,
		     const char *comp, const struct eng_rl_yv *val, struct eng_ast **out)
{
	char op[32], norm[160], why[256];
	enum eng_ast_mod mod;
	*out = NULL;
	if (parse_comp(comp, op, sizeof(op), &mod, norm, sizeof(norm)))
		return exc_err(x, at->line, at->col, "'%s' is not a supported comparison operator%s",
			       norm, "");
	struct eng_ast *lhs = parse_field_expr(field, why, sizeof(why));
	if (!lhs)
		return exc_err(x, at->line, at->col, "Exception fields: %s%s", why, "");
	struct eng_ast *b = ast_new(ENG_AST_BINARY, op), *rhs = NULL;
	int list = mod != ENG_MOD_NONE || !strcmp(op, "in") || !strcmp(op, "intersects") ||
		   !strcmp(op, "pmatch");
	int rc = b ? exc_rhs(x, val, list, &rhs) : -ENOMEM;
	if (rc) {
		eng_ast_free(lhs);
		eng_ast_free(b);
		return rc;
	}
	/* ast_add() frees the kid it could not add */
	if (ast_add(b, lhs)) {
		eng_ast_free(rhs);
		eng_ast_free(b);
		return -ENOMEM;
	}
	if (ast_add(b, rhs)) {
		eng_ast_free(b);
		return -ENOMEM;
	}
	b->mod = mod;
	*out = b;
	return 0;
}

/* One exception as "not (...)", or NULL (*out) when it has no values. */
static int build_exception(struct exc_ctx *x, struct eng_ast **out)
{
	const struct eng_rl_exc *e = x->e;
	*out = NULL;
	if (!e->has_values || !e->values.n)
		return 0;
	struct eng_ast *any = NULL;
	int rc = 0;
	if (!e->fields_is_list) {
		const char *comp = e->has_comps ? e->comps.s : "in";
		char op[32], norm[160];
		enum eng_ast_mod mod;
		if (!comp || parse_comp(comp, op, sizeof(op), &mod, norm, sizeof(norm)) ||
		    mod != ENG_MOD_NONE ||
		    !(!strcmp(op, "in") || !strcmp(op, "pmatch") || !strcmp(op, "intersects")))
			return exc_err(x, e->comps.line, e->comps.col,
				       "Exception '%s': when fields is a single field, comps must be "
				       "one of (in, pmatch, intersects)%s", e->name, "");
		struct eng_rl_yv flat = {.kids = NULL};
		/* the values of a one-field exception are one list */
		struct eng_rl_yv *items = calloc(e->values.n + 1, sizeof(*items));
		if (!items)
			return -ENOMEM;
		size_t n = 0;
		for (size_t i = 0; i < e->values.n; i++) {
			const struct eng_rl_yv *v = &e->values.kids[i];
			if (v->s) {
				items[n++] = *v;
			} else if (v->n == 1 && v->kids[0].s) {
				items[n++] = v->kids[0];
			} else {
				free(items);
				return exc_err(x, v->line, v->col,
					       "Exception '%s': with a single field each value must be "
					       "a string%s", e->name, "");
			}
		}
		flat.kids = items;
		flat.n = n;
		flat.line = e->values.line;
		flat.col = e->values.col;
		rc = exc_check(x, e->fields.s, &e->fields, comp, &flat, &any);
		free(items);
		if (rc)
			return rc;
	} else {
		size_t nf = e->fields.n;
		if (e->has_comps && (!e->comps_is_list || e->comps.n != nf))
			return exc_err(x, e->comps.line, e->comps.col,
				       "Exception '%s': fields and comps lists must have equal "
				       "length%s", e->name, "");
		for (size_t i = 0; i < nf; i++)
			if (!e->fields.kids[i].s)
				return exc_err(x, e->fields.line, e->fields.col,
					       "Exception '%s': fields must be strings%s", e->name,
					       "");
		for (size_t i = 0; i < nf && e->has_comps; i++) {
			char op[32], norm[160];
			enum eng_ast_mod mod;
			const struct eng_rl_yv *c = &e->comps.kids[i];
			if (!c->s || parse_comp(c->s, op, sizeof(op), &mod, norm, sizeof(norm)))
				return exc_err(x, c->line, c->col,
					       "'%s' is not a supported comparison operator%s",
					       c->s ? norm : "(a list)", "");
		}
		for (size_t t = 0; t < e->values.n && !rc; t++) {
			const struct eng_rl_yv *tup = &e->values.kids[t];
			if (tup->s || tup->n != nf) {
				rc = exc_err(x, tup->line, tup->col,
					     "Exception '%s': fields and values lists must have equal "
					     "length%s", e->name, "");
				break;
			}
			struct eng_ast *all = nf > 1 ? ast_new(ENG_AST_AND, NULL) : NULL, *one = NULL;
			if (nf > 1 && !all) {
				rc = -ENOMEM;
				break;
			}
			for (size_t k = 0; k < nf && !rc; k++) {
				rc = exc_check(x, e->fields.kids[k].s, &e->fields.kids[k],
					       e->has_comps ? e->comps.kids[k].s : "=", &tup->kids[k],
					       &one);
				if (!rc && all)
					rc = ast_add(all, one);
			}
			if (all)
				one = all;
			if (rc) {
				eng_ast_free(one);
				break;
			}
			if (!any) {
				any = one;
			} else {
				if (any->kind != ENG_AST_OR || t == 1) {
					struct eng_ast *o = ast_new(ENG_AST_OR, NULL);
					if (!o || ast_add(o, any)) {
						eng_ast_free(one);
						any = NULL;
						rc = -ENOMEM;
						break;
					}
					any = o;
				}
				rc = ast_add(any, one);
			}
		}
		if (rc) {
			eng_ast_free(any);
			return rc;
		}
	}
	struct eng_ast *n = ast_new(ENG_AST_NOT, NULL);
	if (!n || ast_add(n, any)) {
		eng_ast_free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

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

/* Field classes Falco has for syscalls: a field of these we lack is a gap
 * in pdig (the rule is skipped and reported), not a typo in the rule. */
static const char *const falco_classes[] = {"evt", "proc", "thread", "fd", "fdlist", "user",
	"group", "container", "k8s", "span", "syslog", "fs", "mesos", "evtin", NULL};

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

static int falco_knows(const char *field)
{
	size_t n = strcspn(field, ".");
	for (int i = 0; falco_classes[i]; i++)
		if (strlen(falco_classes[i]) == n && !strncmp(field, falco_classes[i], n))
			return 1;
	return 0;
}

/* Falco trims outputs: a folded YAML scalar ends with a newline. */
static void trim(char *s)
{
	size_t lead = strspn(s, " \t\r\n"), n = strlen(s + lead);
	memmove(s, s + lead, n + 1);
	while (n && strchr(" \t\r\n", s[n - 1]))
		s[--n] = 0;
}

static int compile_rule(struct eng_rules *r, struct eng_rule *rule)
{
	struct eng_rl_rule_priv *p = rule->priv;
	trim(rule->output);
	int rc = parse_cond(r, rule->cond, &rule->ast, rule->file, p->cond_line, p->cond_col,
			    p->cond_style, "rule", rule->name);
	if (rc)
		return rc;
	/* "(condition) and not (exception 1) and not (exception 2)..." */
	struct exc_ctx x = {r, rule, NULL};
	struct eng_ast *top = NULL;
	for (size_t i = 0; i < p->nexc; i++) {
		struct eng_ast *ex;
		x.e = &p->exc[i];
		if ((rc = build_exception(&x, &ex)))
			return rc;
		if (!ex)
			continue;
		if (!top) {
			if (!(top = ast_new(ENG_AST_AND, NULL)) || ast_add(top, rule->ast)) {
				free(top);
				eng_ast_free(ex);
				return -ENOMEM;
			}
			rule->ast = top;
		}
		if (ast_add(top, ex))
			return -ENOMEM;
	}
	size_t budget = MAX_NODES;
	if ((rc = expand_lists(r, rule->ast, &budget)) == -E2BIG)
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, rule->line, rule->col,
				  "rule", rule->name, "The condition has more than %u terms once its "
				  "lists are expanded: simplify it", MAX_NODES);
	if (rc)
		return rc;
	const struct eng_ast *undef = NULL;
	budget = MAX_NODES;
	rc = expand_macros(r, &rule->ast, r->nmacros, &undef, &budget);
	if (rc == -E2BIG)
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, rule->line, rule->col,
				  "rule", rule->name, "The condition has more than %u terms once its "
				  "macros are expanded: simplify it", MAX_NODES);
	if (rc == -ENOENT)
		return undefined_macro(r, rule->file, p->cond_line, p->cond_col, p->cond_style,
				       "rule", rule->name, undef, r->nmacros);
	if (rc)
		return rc;
	if (over_total(r, ast_size(rule->ast), rule->file, p->cond_line, p->cond_col, "rule",
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

	char why[256];
	const struct eng_ast *u = unknown_field(rule->ast, why, sizeof(why));
	if (u) {
		if (rule->skip_if_unknown_filter || falco_knows(u->str))
			return eng_rl_msg(r, 0, "LOAD_UNKNOWN_FILTER", rule->file, rule->line, rule->col,
					  "rule", rule->name,
					  "%s field '%s' is not supported by pdig-engine: the rule is "
					  "skipped", rule->skip_if_unknown_filter ? "Unknown" : "The",
					  u->str);
		return eng_rl_msg(r, 1, "LOAD_ERR_COMPILE_CONDITION", rule->file, p->cond_line,
				  p->cond_col, "rule", rule->name,
				  "filter_check called with nonexistent field %s", u->str);
	}
	const struct eng_ast *badtype = unknown_evttype(rule->ast);
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
			cond_pos(p->cond_line, p->cond_col, p->cond_style, &pe.pos, &l, &c);
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
	for (size_t b = 0; b < EVT_BYTES; b++)
		rule->all_evttypes &= es.pos[b] == 0xff;
	if (rule->all_evttypes && rule->warn_evttypes &&
	    eng_rl_msg(r, 0, "LOAD_NO_EVTTYPE", rule->file, rule->line, rule->col, "rule", rule->name,
		       "Rule matches too many evt.type values. This has a significant performance "
		       "penalty: add an evt.type condition, or 'warn_evttypes: false'"))
		return -ENOMEM;
	char err[256], *fmt;
	/* '*': like Falco, a field that is not available prints <NA> and the
	 * alert still goes out */
	if (asprintf(&fmt, "*%s", rule->output) < 0)
		return -ENOMEM;
	rc = eng_output_new(fmt, &rule->out, err, sizeof(err));
	free(fmt);
	if (rc == -ENOMEM)
		return rc;
	if (rc) {
		rule->out = NULL;
		return eng_rl_msg(r, 0, "LOAD_UNKNOWN_FILTER", rule->file, rule->line, rule->col, "rule",
				  rule->name, "output: %s: alerts show the output text unformatted",
				  err);
	}
	return 0;
}

int eng_rules_compile(struct eng_rules *r)
{
	int rc;
	if ((rc = compile_lists(r)) || (rc = compile_macros(r)))
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
