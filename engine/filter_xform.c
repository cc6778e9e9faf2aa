/* Transformer expressions (join, concat, getopt, lists, val() and the
   transformers a simple left-hand chain cannot hold): compiling, freeing. */
#define _GNU_SOURCE /* strcasestr, memmem, FNM_CASEFOLD */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "filter_impl.h"

void eng_xexpr_free(struct xexpr *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nkids; i++)
		eng_xexpr_free(x->kids[i]);
	free(x->kids);
	if (x->field) {
		eng_fieldref_clear(x->field);
		free(x->field);
	}
	free(x->lit);
	free(x->opts);
	free(x->buf);
	free(x->item);
	free(x->ilen);
	free(x);
}

/* ---- transformer expressions: compiling ---- */

static int xfail(struct eng_parse_error *err, const struct eng_ast *a, const char *fmt,
		 const char *a1, const char *a2)
{
	if (err) {
		err->pos = a->pos;
		snprintf(err->msg, sizeof(err->msg), fmt, a1 ? a1 : "", a2 ? a2 : "");
	}
	return -EINVAL;
}

static int xalloc(struct xexpr *x, int list)
{
	if (!(x->buf = malloc(ENG_FIELD_BUF)))
		return -ENOMEM;
	x->buf[0] = 0;
	if (list && (!(x->item = calloc(XITEMS, sizeof(*x->item))) ||
		     !(x->ilen = calloc(XITEMS, sizeof(*x->ilen)))))
		return -ENOMEM;
	return 0;
}

/* proc.args where a list is wanted: the process's arguments, one value
 * each (the engine has no list-typed fields; Falco's getopt examples read
 * proc.args so). */
static int want_list(struct xexpr *k)
{
	if (k->is_list)
		return 1;
	if (k->kind == XK_FIELD && !k->field->arg && !strcmp(k->field->info->name, "proc.args")) {
		k->argv = 1;
		k->is_list = 1;
		if (!(k->item = calloc(XITEMS, sizeof(*k->item))) ||
		    !(k->ilen = calloc(XITEMS, sizeof(*k->ilen))))
			return -ENOMEM;
		return 1;
	}
	return 0;
}

int eng_xcompile(const struct eng_ast *a, struct xexpr **out, struct eng_parse_error *err)
{
	struct xexpr *x = calloc(1, sizeof(*x));
	int rc = 0;
	char why[160];
	if (!x)
		return -ENOMEM;
	x->sel = -1;
	switch (a->kind) {
	case ENG_AST_FIELD: {
		x->kind = XK_FIELD;
		if (!(x->field = calloc(1, sizeof(*x->field)))) {
			rc = -ENOMEM;
			break;
		}
		if ((rc = eng_field_resolve(x->field, a->str, a->arg, why, sizeof(why)))) {
			free(x->field);
			x->field = NULL;
			rc = fail(err, a, "%s", why);
			break;
		}
		enum eng_ftype t = x->field->type;
		x->is_str = t == ENG_FT_STR || t == ENG_FT_DYN || t == ENG_FT_BYTEBUF;
		x->numeric = eng_ftype_is_numeric(t) && t != ENG_FT_BOOL;
		rc = xalloc(x, 0);
		break;
	}
	case ENG_AST_VALUE:
		x->kind = XK_VALUE;
		x->is_str = 1;
		if (!(x->lit = strdup(a->str)))
			rc = -ENOMEM;
		x->s = x->lit;
		x->len = x->lit ? strlen(x->lit) : 0;
		break;
	case ENG_AST_TLIST:
	case ENG_AST_TRANSFORM: {
		if (a->kind == ENG_AST_TLIST) {
			x->kind = XK_LIST;
		} else if (!strcmp(a->str, "val")) {
			/* val(field): the field itself, on the right-hand side */
			free(x);
			return eng_xcompile(a->kids[0], out, err);
		} else {
			x->kind = eng_xf_by_name(a->str, strlen(a->str));
			if (!x->kind) {
				rc = xfail(err, a, "unknown transformer '%s'%s", a->str, NULL);
				break;
			}
		}
		if (a->nkids && !(x->kids = calloc(a->nkids, sizeof(*x->kids)))) {
			rc = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < a->nkids && !rc; i++)
			if (!(rc = eng_xcompile(a->kids[i], &x->kids[i], err)))
				x->nkids++;
		if (rc)
			break;
		const char *nm = a->kind == ENG_AST_TLIST ? "(...)" : a->str;
		if (a->arg && x->kind != ENG_XF_GETOPT) {
			rc = xfail(err, a, "transformer '%s' does not support field arguments%s", nm,
				   NULL);
			break;
		}
		struct xexpr **k = x->kids;
		switch (x->kind) {
		case XK_LIST:
			x->is_list = 1;
			break;
		case ENG_XF_TOLOWER:
		case ENG_XF_TOUPPER:
		case ENG_XF_BASENAME:
		case ENG_XF_B64:
		case ENG_XF_LEN:
			if (x->nkids != 1) {
				rc = xfail(err, a, "transformer '%s' takes exactly one argument%s", nm, NULL);
				break;
			}
			if (x->kind == ENG_XF_LEN) {
				/* the length of a string, or how many values a list has */
				if (!k[0]->is_str && !k[0]->is_list)
					rc = xfail(err, a->kids[0], "transformer 'len' needs a string or a "
						   "list argument%s%s", NULL, NULL);
				x->numeric = 1;
				break;
			}
			if (!k[0]->is_str) {
				rc = xfail(err, a->kids[0], "transformer '%s' needs a string argument, "
					   "not a number, boolean or address%s", nm, NULL);
				break;
			}
			x->is_str = 1;
			x->is_list = k[0]->is_list; /* applied to each value */
			break;
		case ENG_XF_JOIN:
			if (x->nkids != 2) {
				rc = xfail(err, a, "join() requires exactly 2 arguments: separator and "
					   "list%s%s", NULL, NULL);
				break;
			}
			if (k[0]->is_list) {
				rc = xfail(err, a->kids[0], "join() first argument (separator) must be a "
					   "single value, not a list%s%s", NULL, NULL);
				break;
			}
			if ((rc = want_list(k[1])) < 0)
				break;
			if (!rc) {
				rc = xfail(err, a->kids[1], "join() second argument must be a list, "
					   "e.g. (proc.name, fd.name)%s%s", NULL, NULL);
				break;
			}
			rc = 0;
			x->is_str = 1;
			break;
		case ENG_XF_CONCAT:
			if (x->nkids < 2) {
				rc = xfail(err, a, "concat() requires at least 2 arguments%s%s", NULL, NULL);
				break;
			}
			for (size_t i = 0; i < x->nkids && !rc; i++)
				if (!k[i]->is_str || k[i]->is_list)
					rc = xfail(err, a->kids[i], "concat() arguments must be strings%s%s",
						   NULL, NULL);
			x->is_str = 1;
			break;
		case ENG_XF_GETOPT:
			if (x->nkids != 2) {
				rc = xfail(err, a, "getopt() requires exactly 2 arguments: args list and "
					   "optstring%s%s", NULL, NULL);
				break;
			}
			if ((rc = want_list(k[0])) <= 0) {
				if (!rc)
					rc = xfail(err, a->kids[0], "getopt() first argument must be a list "
						   "(proc.args, or (a, b, ...))%s%s", NULL, NULL);
				break;
			}
			rc = 0;
			if (k[1]->is_list) {
				rc = xfail(err, a->kids[1], "getopt() second argument (optstring) must "
					   "be a single value%s%s", NULL, NULL);
				break;
			}
			if (!k[1]->is_str) {
				rc = xfail(err, a->kids[1], "getopt() arguments must be strings%s%s", NULL,
					   NULL);
				break;
			}
			if (a->arg && strlen(a->arg) != 1) {
				rc = xfail(err, a, "getopt() field argument must be a single option "
					   "character, not '%s'%s", a->arg, NULL);
				break;
			}
			x->sel = a->arg ? (unsigned char)a->arg[0] : -1;
			x->is_list = x->sel < 0;
			x->is_str = 1;
			if (k[1]->kind == XK_VALUE) { /* parsed once */
				if (!(x->opts = malloc(256))) {
					rc = -ENOMEM;
					break;
				}
				parse_optstring(k[1]->lit, strlen(k[1]->lit), x->opts);
			}
			break;
		default:
			break;
		}
		if (!rc)
			rc = xalloc(x, x->is_list);
		break;
	}
	default:
		rc = fail(err, a, "unexpected operand%s", NULL);
		break;
	}
	if (rc) {
		eng_xexpr_free(x);
		return rc;
	}
	*out = x;
	return 0;
}
