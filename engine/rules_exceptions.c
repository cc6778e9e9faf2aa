/*
 * Rule exceptions: each one built into a "not (...)" condition term from
 * its fields, comps and values, with Falco's checks and messages.
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

/* A field in the tree that no class knows (Falco checks each exception
 * field when it reads the rule, skip-if-unknown-filter or not). */
static const char *unknown_field_in(const struct eng_ast *a)
{
	if (a->kind == ENG_AST_FIELD) {
		struct eng_fieldref ref;
		char why[128];
		memset(&ref, 0, sizeof(ref));
		int rc = eng_field_resolve(&ref, a->str, a->arg, why, sizeof(why));
		if (!rc)
			eng_fieldref_clear(&ref);
		return rc == -ENOENT ? a->str : NULL;
	}
	for (size_t i = 0; i < a->nkids; i++) {
		const char *u = unknown_field_in(a->kids[i]);
		if (u)
			return u;
	}
	return NULL;
}

/* Falco writes an exception's values into the condition text: a value in
 * quotes ('"cat /dev/null"') or, for a list comparison, in parentheses
 * ("(my_list)", "(a, 'b c')") is read by the condition parser. This reads
 * it the same way: the right-hand side of "a.b OP text", or NULL with why. */
static struct eng_ast *parse_value_text(const char *text, int list, char *why, size_t wl)
{
	char *buf;
	struct eng_ast *a = NULL;
	struct eng_parse_error pe;
	if (asprintf(&buf, "a.b %s %s", list ? "in" : "=", text) < 0)
		return NULL;
	int rc = eng_parse(buf, &a, &pe);
	free(buf);
	if (rc || a->kind != ENG_AST_BINARY || a->nkids != 2) {
		snprintf(why, wl, "%s", rc ? pe.msg : "not a value");
		eng_ast_free(a);
		return NULL;
	}
	struct eng_ast *v = a->kids[1];
	a->nkids = 1;
	eng_ast_free(a);
	return v;
}

static int quoted_text(const char *s)
{
	return s[0] == '"' || s[0] == '\'';
}

/* A value as Falco pastes it: a quoted one is unquoted by the parser, a
 * bare one with a blank is quoted (so it is never a list name). */
static int exc_value(struct exc_ctx *x, const struct eng_rl_yv *v, struct eng_ast **out)
{
	char why[192];
	if (quoted_text(v->s)) {
		if (!(*out = parse_value_text(v->s, 0, why, sizeof(why))))
			return eng_rl_msg(x->r, 1, "LOAD_ERR_COMPILE_CONDITION", x->rule->file,
					  v->line, v->col, "rule", x->rule->name, "Exception '%s': "
					  "value %s: %s", x->e->name, v->s, why);
		(*out)->quoted = 1;
		return 0;
	}
	if (!(*out = eng_rl_ast_new(ENG_AST_VALUE, v->s)))
		return -ENOMEM;
	(*out)->quoted = strpbrk(v->s, " ") != NULL;
	return 0;
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
	if (wants_list && v->s && v->s[0] == '(') {
		/* "(my_list)", "(a, b)": Falco keeps the parentheses */
		char why[192];
		*out = parse_value_text(v->s, 1, why, sizeof(why));
		if (*out && (*out)->kind == ENG_AST_LIST)
			return 0;
		eng_ast_free(*out);
		*out = NULL;
		return eng_rl_msg(x->r, 1, "LOAD_ERR_COMPILE_CONDITION", x->rule->file, v->line,
				  v->col, "rule", x->rule->name, "Exception '%s': value %s is not "
				  "a list%s%s", x->e->name, v->s, *why ? ": " : "", why);
	}
	if (wants_list) {
		struct eng_ast *l = eng_rl_ast_new(ENG_AST_LIST, NULL);
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
			struct eng_ast *item;
			int rc = exc_value(x, &items[i], &item);
			if (!rc && eng_rl_ast_add(l, item))
				rc = -ENOMEM;
			if (rc) {
				eng_ast_free(l);
				return rc;
			}
		}
		*out = l;
		return 0;
	}
	if (!v->s)
		return exc_err(x, v->line, v->col,
			       "Exception '%s': this comparison takes one value, not a list%s",
			       x->e->name, "");
	if (quoted_text(v->s))
		return exc_value(x, v, out);
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
	return exc_value(x, v, out);
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
	if (unknown_field_in(lhs)) {
		eng_ast_free(lhs);
		return exc_err(x, at->line, at->col, "'%s' is not a supported filter field%s",
			       field, "");
	}
	struct eng_ast *b = eng_rl_ast_new(ENG_AST_BINARY, op), *rhs = NULL;
	int list = mod != ENG_MOD_NONE || !strcmp(op, "in") || !strcmp(op, "intersects") ||
		   !strcmp(op, "pmatch");
	int rc = b ? exc_rhs(x, val, list, &rhs) : -ENOMEM;
	if (rc) {
		eng_ast_free(lhs);
		eng_ast_free(b);
		return rc;
	}
	/* eng_rl_ast_add() frees the kid it could not add */
	if (eng_rl_ast_add(b, lhs)) {
		eng_ast_free(rhs);
		eng_ast_free(b);
		return -ENOMEM;
	}
	if (eng_rl_ast_add(b, rhs)) {
		eng_ast_free(b);
		return -ENOMEM;
	}
	b->mod = mod;
	*out = b;
	return 0;
}

/* One exception as "not (...)", or NULL (*out) when it has no values. */
int eng_rl_build_exception(struct exc_ctx *x, struct eng_ast **out)
{
	const struct eng_rl_exc *e = x->e;
	*out = NULL;
	/* no values: no term, but the fields and comps are checked as Falco
	 * checks them when it reads the rule */
	size_t nvals = e->has_values ? e->values.n : 0;
	struct eng_ast *any = NULL;
	int rc = 0;
	if (!e->fields_is_list) {
		const char *comp = e->has_comps ? e->comps.s : "in";
		char op[32], norm[160];
		enum eng_ast_mod mod;
		if (!comp)
			return exc_err(x, e->comps.line, e->comps.col, "Exception '%s': Fields and "
				       "comps must both be strings%s", e->name, "");
		/* current Falco also takes a modified operator ("startswith oneof") */
		if (parse_comp(comp, op, sizeof(op), &mod, norm, sizeof(norm)) ||
		    (mod == ENG_MOD_NONE && strcmp(op, "in") && strcmp(op, "pmatch") &&
		     strcmp(op, "intersects")))
			return exc_err(x, e->comps.line, e->comps.col,
				       "Exception '%s': when fields is a single value, comps must be "
				       "one of (in, pmatch, intersects) or a modifier operator (e.g. "
				       "startswith oneof)%s", e->name, "");
		if (!e->fields.s)
			return exc_err(x, e->fields.line, e->fields.col, "Exception '%s': fields "
				       "must be a string or a list of strings%s", e->name, "");
		char why[256];
		struct eng_ast *f = parse_field_expr(e->fields.s, why, sizeof(why));
		const char *bad = f ? unknown_field_in(f) : NULL;
		eng_ast_free(f);
		if (bad)
			return exc_err(x, e->fields.line, e->fields.col,
				       "'%s' is not a supported filter field%s", e->fields.s, "");
		if (!nvals)
			return 0;
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
				       "Exception '%s': Fields and comps lists must have equal "
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
		for (size_t i = 0; i < nf; i++) {
			char why[256];
			struct eng_ast *f = parse_field_expr(e->fields.kids[i].s, why, sizeof(why));
			const char *bad = f ? unknown_field_in(f) : NULL;
			eng_ast_free(f);
			if (bad)
				return exc_err(x, e->fields.kids[i].line, e->fields.kids[i].col,
					       "'%s' is not a supported filter field%s",
					       e->fields.kids[i].s, "");
		}
		for (size_t t = 0; t < nvals && !rc; t++) {
			const struct eng_rl_yv *tup = &e->values.kids[t];
			if (tup->s || tup->n != nf) {
				rc = exc_err(x, tup->line, tup->col,
					     "Exception '%s': Fields and values lists must have equal "
					     "length%s", e->name, "");
				break;
			}
			struct eng_ast *all = nf > 1 ? eng_rl_ast_new(ENG_AST_AND, NULL) : NULL, *one = NULL;
			if (nf > 1 && !all) {
				rc = -ENOMEM;
				break;
			}
			for (size_t k = 0; k < nf && !rc; k++) {
				rc = exc_check(x, e->fields.kids[k].s, &e->fields.kids[k],
					       e->has_comps ? e->comps.kids[k].s : "=", &tup->kids[k],
					       &one);
				if (!rc && all)
					rc = eng_rl_ast_add(all, one);
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
					struct eng_ast *o = eng_rl_ast_new(ENG_AST_OR, NULL);
					if (!o || eng_rl_ast_add(o, any)) {
						eng_ast_free(one);
						any = NULL;
						rc = -ENOMEM;
						break;
					}
					any = o;
				}
				rc = eng_rl_ast_add(any, one);
			}
		}
		if (rc) {
			eng_ast_free(any);
			return rc;
		}
	}
	if (!any)
		return 0;
	struct eng_ast *n = eng_rl_ast_new(ENG_AST_NOT, NULL);
	if (!n || eng_rl_ast_add(n, any)) {
		eng_ast_free(n);
		return -ENOMEM;
	}
	*out = n;
	return 0;
}

