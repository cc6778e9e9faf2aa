/* sysdig -p style formats compiled: text, %field tokens, widths, transformers
 * and the JSON keys (see eng_output.h); rendering is output_render.c. */
#define _GNU_SOURCE /* memrchr */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "output_impl.h"

static void xnode_free(struct xnode *x)
{
	if (!x)
		return;
	if (x->field) {
		eng_fieldref_clear(x->field);
		free(x->field);
	}
	for (size_t i = 0; i < x->nkids; i++)
		xnode_free(x->kids[i]);
	free(x->kids);
	free(x->sep);
	free(x->scratch);
	free(x->name);
	eng_fexpr_free(x->expr);
	free(x);
}

void eng_output_free(struct eng_output *o)
{
	if (!o)
		return;
	for (size_t i = 0; i < o->ntok; i++) {
		free(o->tok[i].text);
		if (o->tok[i].field) {
			eng_fieldref_clear(o->tok[i].field);
			free(o->tok[i].field);
		}
		xnode_free(o->tok[i].xf);
		free(o->tok[i].name);
	}
	for (size_t i = 0; i < o->nkeys; i++)
		free(o->keys[i].name);
	free(o->keys);
	free(o->tok);
	free(o->val);
	free(o);
}

/* ---- transformer expressions: parsing ---- */

/* The length of an identifier directly followed by '(' at s, 0 if none. */
static size_t call_name(const char *s)
{
	size_t n = 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n && s[n] == '(' ? n : 0;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Whether x yields a string (transformers other than len take strings). */
static int x_is_string(const struct xnode *x)
{
	if (x->kind == ENG_XF_LEN)
		return 0;
	if (x->kind == X_EXPR)
		return !eng_fexpr_numeric(x->expr);
	if (x->kind == X_FIELD)
		return x->field->type == ENG_FT_STR || x->field->type == ENG_FT_DYN ||
		       x->field->type == ENG_FT_BYTEBUF;
	return 1;
}

static int xparse(const char **pp, struct xnode **out, char *why, size_t whylen, int depth);

static int xadd_kid(struct xnode *x, struct xnode *k)
{
	struct xnode **n = realloc(x->kids, (x->nkids + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	x->kids = n;
	x->kids[x->nkids++] = k;
	return 0;
}

/* "a, b, c)" up to and past the closing parenthesis. */
static int xparse_list(const char **pp, struct xnode *x, char *why, size_t whylen, int depth)
{
	const char *p = *pp;
	for (;;) {
		struct xnode *k;
		p = skip_blanks(p);
		int rc = xparse(&p, &k, why, whylen, depth + 1);
		if (rc)
			return rc;
		if ((rc = xadd_kid(x, k))) {
			xnode_free(k);
			return rc;
		}
		p = skip_blanks(p);
		if (*p == ')') {
			*pp = p + 1;
			return 0;
		}
		if (*p != ',') {
			snprintf(why, whylen, "expected ',' or ')' in a transformer");
			return -EINVAL;
		}
		p++;
	}
}

/* field | name(expr) | concat(expr, ...) | join("sep", (expr, ...)) */
static int xparse(const char **pp, struct xnode **out, char *why, size_t whylen, int depth)
{
	const char *p = *pp;
	struct xnode *x = calloc(1, sizeof(*x));
	int rc = -EINVAL;
	if (!x)
		return -ENOMEM;
	if (depth > 16) {
		snprintf(why, whylen, "transformers nested too deeply");
		goto fail;
	}
	size_t n = call_name(p);
	if (!n) {
		if (!(x->field = calloc(1, sizeof(*x->field)))) {
			rc = -ENOMEM;
			goto fail;
		}
		x->kind = X_FIELD;
		int used = eng_field_scan(x->field, p, why, whylen);
		if (used <= 0) {
			free(x->field);
			x->field = NULL;
			if (used == 0)
				snprintf(why, whylen, "a field or a transformer is expected at '%.20s'",
					 p);
			rc = used == -ENOMEM ? -ENOMEM : -EINVAL;
			goto fail;
		}
		if (!(x->name = strndup(p, (size_t)used))) {
			rc = -ENOMEM;
			goto fail;
		}
		*pp = p + used;
		*out = x;
		return 0;
	}
	x->kind = eng_xf_by_name(p, n);
	if (x->kind == ENG_XF_GETOPT)
		x->kind = 0; /* (getopt in an output goes through the filter's expressions) */
	if (!x->kind) {
		snprintf(why, whylen, "unknown transformer '%.*s' in an output", (int)n, p);
		goto fail;
	}
	p += n + 1;
	if (x->kind == ENG_XF_JOIN) {
		/* join("sep", (a, b, ...)) */
		p = skip_blanks(p);
		if (*p != '"') {
			snprintf(why, whylen, "join needs a quoted separator first");
			goto fail;
		}
		const char *q = strchr(p + 1, '"');
		if (!q) {
			snprintf(why, whylen, "unterminated separator in join");
			goto fail;
		}
		if (!(x->sep = strndup(p + 1, (size_t)(q - p - 1)))) {
			rc = -ENOMEM;
			goto fail;
		}
		p = skip_blanks(q + 1);
		if (*p != ',' || *(p = skip_blanks(p + 1)) != '(') {
			snprintf(why, whylen, "join needs a parenthesized list of fields");
			goto fail;
		}
		p++;
		if ((rc = xparse_list(&p, x, why, whylen, depth)))
			goto fail;
		p = skip_blanks(p);
		if (*p != ')') {
			snprintf(why, whylen, "missing ')' after join's list");
			rc = -EINVAL;
			goto fail;
		}
		p++;
	} else {
		if ((rc = xparse_list(&p, x, why, whylen, depth)))
			goto fail;
		rc = -EINVAL;
		if (x->kind != ENG_XF_CONCAT && x->nkids != 1) {
			snprintf(why, whylen, "transformer '%.*s' takes one argument", (int)n, *pp);
			goto fail;
		}
	}
	for (size_t i = 0; i < x->nkids; i++) {
		if (!x_is_string(x->kids[i])) {
			snprintf(why, whylen, "transformer '%.*s' needs string arguments", (int)n, *pp);
			goto fail;
		}
	}
	if ((x->kind == ENG_XF_B64 || x->kind == ENG_XF_LEN) && !(x->scratch = malloc(ENG_FIELD_BUF))) {
		rc = -ENOMEM;
		goto fail;
	}
	*pp = p;
	*out = x;
	return 0;
fail:
	xnode_free(x);
	return rc;
}

/* The extent of the call at p: its name, balanced parentheses (quoted
 * strings skipped) and an optional "[arg]"; 0 when it does not close. */
static size_t call_extent(const char *p)
{
	size_t i = call_name(p);
	int depth = 0;
	char q = 0;
	for (; p[i]; i++) {
		char ch = p[i];
		if (q) {
			if (ch == '\\' && p[i + 1])
				i++;
			else if (ch == q)
				q = 0;
			continue;
		}
		if (ch == '"' || ch == '\'')
			q = ch;
		else if (ch == '(')
			depth++;
		else if (ch == ')' && --depth == 0)
			break;
	}
	if (depth || !p[i])
		return 0;
	i++;
	if (p[i] == '[') {
		const char *e = strchr(p + i, ']');
		if (!e)
			return 0;
		i = (size_t)(e - p) + 1;
	}
	return i;
}

/* The fields of a parsed expression as X_FIELD kids of x: its JSON keys. */
static int expr_fields(struct xnode *x, const struct eng_ast *a)
{
	if (a->kind == ENG_AST_FIELD) {
		char why[160];
		struct xnode *k = calloc(1, sizeof(*k));
		if (!k)
			return -ENOMEM;
		k->kind = X_FIELD;
		size_t n = strlen(a->str) + (a->arg ? strlen(a->arg) + 2 : 0) + 1;
		if (!(k->field = calloc(1, sizeof(*k->field))) || !(k->name = malloc(n)) ||
		    xadd_kid(x, k)) {
			xnode_free(k);
			return -ENOMEM;
		}
		snprintf(k->name, n, "%s%s%s%s", a->str, a->arg ? "[" : "", a->arg ? a->arg : "",
			 a->arg ? "]" : "");
		return eng_field_resolve(k->field, a->str, a->arg, why, sizeof(why)) ? -EINVAL : 0;
	}
	for (size_t i = 0; i < a->nkids; i++) {
		int rc = expr_fields(x, a->kids[i]);
		if (rc)
			return rc;
	}
	return 0;
}

/* A transformer this file's own parser does not take (getopt, quoted
 * strings as arguments): the condition parser and compiler read it, with
 * the same semantics as in a condition. */
static int xparse_expr(const char **pp, struct xnode **out, char *why, size_t whylen)
{
	const char *p = *pp;
	size_t n = call_extent(p);
	if (!n)
		return -EINVAL;
	char *text = malloc(n + 8);
	struct eng_ast *a = NULL;
	struct eng_parse_error pe = {0};
	struct xnode *x = calloc(1, sizeof(*x));
	int rc = -ENOMEM;
	if (!text || !x)
		goto done;
	memcpy(text, p, n);
	strcpy(text + n, " exists");
	rc = eng_parse(text, &a, &pe);
	if (!rc && a->kind != ENG_AST_UNARY)
		rc = -EINVAL;
	if (!rc)
		rc = eng_fexpr_compile(a->kids[0], &x->expr, &pe);
	if (rc == -EINVAL) {
		snprintf(why, whylen, "%.150s", pe.msg);
		goto done;
	}
	x->kind = X_EXPR;
	if (rc || (rc = expr_fields(x, a->kids[0])) || !(x->name = malloc(n + 1)))
		goto done;
	/* its key, as libsinsp names transformers: no blanks, no quotes */
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '"' && p[i] != '\'')
			x->name[k++] = p[i];
	x->name[k] = 0;
	*pp = p + n;
	*out = x;
	x = NULL;
done:
	xnode_free(x);
	eng_ast_free(a);
	free(text);
	return rc == -ENOMEM || !rc ? rc : -EINVAL;
}

static int add_token(struct eng_output *o, const char *text, size_t len)
{
	struct token *t = realloc(o->tok, (o->ntok + 1) * sizeof(*t));
	if (!t)
		return -ENOMEM;
	o->tok = t;
	t = &o->tok[o->ntok];
	memset(t, 0, sizeof(*t));
	if (!(t->text = strndup(text, len)))
		return -ENOMEM;
	t->tlen = strlen(t->text);
	o->ntok++;
	return 0;
}

/* ---- the JSON form's keys, worked out once ---- */


/* The name libsinsp gives a transformer: "toupper(proc.name)",
 * "join(->,(a,b))": no blanks, the separator unquoted. */
static int xname(const struct xnode *x, char *out, size_t cap, size_t *pos)
{
	if (x->kind == X_FIELD || x->kind == X_EXPR) {
		*pos = put(out, cap, *pos, x->name, strlen(x->name));
		return 0;
	}
	const char *fn = eng_xf_name(x->kind);
	*pos = put(out, cap, *pos, fn, strlen(fn));
	*pos = put(out, cap, *pos, "(", 1);
	if (x->kind == ENG_XF_JOIN) {
		*pos = put(out, cap, *pos, x->sep, strlen(x->sep));
		*pos = put(out, cap, *pos, ",(", 2);
	}
	for (size_t i = 0; i < x->nkids; i++) {
		if (i)
			*pos = put(out, cap, *pos, ",", 1);
		xname(x->kids[i], out, cap, pos);
	}
	*pos = put(out, cap, *pos, x->kind == ENG_XF_JOIN ? "))" : ")",
		   x->kind == ENG_XF_JOIN ? 2 : 1);
	return 0;
}

static int add_key(struct eng_output *o, const char *name, size_t ord,
		   struct eng_fieldref *field, struct xnode *xf)
{
	for (size_t i = 0; i < o->nkeys; i++)
		if (!strcmp(o->keys[i].name, name))
			return 0; /* the first use decides where the line stops */
	struct jkey *k = realloc(o->keys, (o->nkeys + 1) * sizeof(*k));
	if (!k)
		return -ENOMEM;
	o->keys = k;
	k = &o->keys[o->nkeys];
	if (!(k->name = strdup(name)))
		return -ENOMEM;
	k->ord = ord;
	k->field = field;
	k->xf = xf;
	o->nkeys++;
	return 0;
}

/* The fields inside a transformer, each a key of its own. */
static int add_leaf_keys(struct eng_output *o, struct xnode *x, size_t ord)
{
	if (x->kind == X_FIELD)
		return add_key(o, x->name, ord, x->field, NULL);
	for (size_t i = 0; i < x->nkids; i++) {
		int rc = add_leaf_keys(o, x->kids[i], ord);
		if (rc)
			return rc;
	}
	return 0;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(((const struct jkey *)a)->name, ((const struct jkey *)b)->name);
}

static int build_keys(struct eng_output *o)
{
	char name[1024];
	for (size_t i = 0; i < o->ntok; i++) {
		struct token *t = &o->tok[i];
		int rc = 0;
		if (t->field) {
			rc = add_key(o, t->name, i, t->field, NULL);
		} else if (t->xf) {
			size_t pos = 0;
			name[0] = 0;
			xname(t->xf, name, sizeof(name), &pos);
			if (!(rc = add_leaf_keys(o, t->xf, i)))
				rc = add_key(o, name, i, NULL, t->xf);
		}
		if (rc)
			return rc;
	}
	if (o->nkeys)
		qsort(o->keys, o->nkeys, sizeof(*o->keys), key_cmp);
	return 0;
}

int eng_output_new(const char *fmt, struct eng_output **out, char *err, size_t errlen)
{
	struct eng_output *o = calloc(1, sizeof(*o));
	int rc = -ENOMEM;
	if (!o)
		return -ENOMEM;
	const char *p = fmt, *lit = fmt;
	if (*p == '*') {
		o->show_na = 1;
		lit = ++p;
	}
	while (*p) {
		if (*p != '%') {
			p++;
			continue;
		}
		const char *pct = p++;
		unsigned width = 0;
		while (isdigit((unsigned char)*p))
			width = width * 10 + (unsigned)(*p++ - '0');
		if ((rc = add_token(o, lit, (size_t)(pct - lit))))
			goto fail;
		struct token *t = &o->tok[o->ntok - 1];
		if (!(t->field = calloc(1, sizeof(*t->field)))) {
			rc = -ENOMEM;
			goto fail;
		}
		char why[160] = "";
		if (call_name(p)) {
			/* a transformer: %toupper(proc.name) */
			free(t->field);
			t->field = NULL;
			const char *q = p;
			rc = xparse(&q, &t->xf, why, sizeof(why), 0);
			if (rc == -EINVAL && strncmp(p, "join(", 5)) {
				/* getopt, literal arguments: the conditions' reading
				 * (join keeps this file's quoted separator) */
				char why2[160];
				q = p;
				if (!xparse_expr(&q, &t->xf, why2, sizeof(why2)))
					rc = 0;
				else if (!strncmp(p, "getopt(", 7))
					snprintf(why, sizeof(why), "%s", why2);
			}
			if (rc == -ENOMEM)
				goto fail;
			if (rc) {
				snprintf(err, errlen, "format:%zu: %s", (size_t)(pct - fmt) + 1, why);
				goto fail;
			}
			t->width = width;
			p = lit = q;
			continue;
		}
		int used = eng_field_scan(t->field, p, why, sizeof(why));
		if (used <= 0) {
			free(t->field);
			t->field = NULL;
			if (used == 0)
				snprintf(why, sizeof(why), "invalid formatting token '%.*s'",
					 (int)strcspn(pct, " \t"), pct);
			snprintf(err, errlen, "format:%zu: %s", (size_t)(pct - fmt) + 1, why);
			rc = -EINVAL;
			goto fail;
		}
		if (t->field->info->flags & ENG_FF_FILTER_ONLY) {
			/* fd.ip, fd.net...: a match, not a value (either end, a network) */
			snprintf(err, errlen, "format:%zu: %.*s is filter only and cannot be used "
				 "as a display field", (size_t)(pct - fmt) + 1, used, p);
			rc = -EINVAL;
			goto fail;
		}
		t->width = width;
		if (!(t->name = strndup(p, (size_t)used))) {
			rc = -ENOMEM;
			goto fail;
		}
		p += used;
		lit = p;
	}
	if (*lit && (rc = add_token(o, lit, strlen(lit))))
		goto fail;
	if (!(o->val = malloc(ENG_FIELD_BUF))) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = build_keys(o)))
		goto fail;
	*out = o;
	return 0;
fail:
	eng_output_free(o);
	return rc;
}
