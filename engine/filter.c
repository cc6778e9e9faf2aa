/* Binds a condition tree to fields: compiles it into a filter (see eng_filter.h).
 * Transformer expressions are compiled in filter_xform.c, evaluated in filter_eval.c. */
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

static void node_free(struct node *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		node_free(n->kids[i]);
	free(n->kids);
	if (n->field && !n->slot) {
		eng_fieldref_clear(n->field);
		free(n->field);
	}
	eng_xexpr_free(n->lx);
	eng_xexpr_free(n->rx);
	for (size_t i = 0; i < n->nvals; i++) {
		free(n->vals[i].s);
		eng_glob_free(n->vals[i].glob);
		eng_regex_free(n->vals[i].re);
	}
	free(n->vals);
	eng_set_free(n->set);
	eng_ptrie_free(n->trie);
	free(n->scratch);
	free(n->types);
	free(n);
}

void eng_filter_free(struct eng_filter *f)
{
	if (f) {
		node_free(f->root);
		for (size_t i = 0; i < f->nslots; i++) {
			eng_fieldref_clear(f->slots[i].ref);
			free(f->slots[i].ref);
		}
		free(f->slots);
		free(f);
	}
}

static enum op op_of(const char *s)
{
	static const struct { const char *s; enum op op; } ops[] = {
		{"=", OP_EQ}, {"==", OP_EQ}, {"!=", OP_NE}, {"<", OP_LT}, {"<=", OP_LE},
		{">", OP_GT}, {">=", OP_GE}, {"contains", OP_CONTAINS}, {"icontains", OP_ICONTAINS},
		{"startswith", OP_STARTSWITH}, {"endswith", OP_ENDSWITH}, {"glob", OP_GLOB},
		{"iglob", OP_IGLOB}, {"in", OP_IN}, {"pmatch", OP_PMATCH}, {"exists", OP_EXISTS},
		{"bcontains", OP_BCONTAINS}, {"bstartswith", OP_BSTARTSWITH},
		{"intersects", OP_INTERSECTS}, {"regex", OP_REGEX},
	};
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(s, ops[i].s) == 0)
			return ops[i].op;
	return 0;
}

static int parse_number(const char *s, int64_t *out)
{
	char *end;
	errno = 0;
	long long v;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		v = (long long)strtoull(s, &end, 16);
	else if (s[0] == '-')
		v = strtoll(s, &end, 10);
	else
		v = (long long)strtoull(s, &end, 10);
	if (!*s || *end || errno)
		return -1;
	*out = v;
	return 0;
}

static int parse_ip(const char *s, struct lit *l)
{
	char buf[64];
	snprintf(buf, sizeof(buf), "%s", s);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = 0;
	if (inet_pton(AF_INET, buf, l->ip) == 1)
		l->iplen = 4;
	else if (inet_pton(AF_INET6, buf, l->ip) == 1)
		l->iplen = 16;
	else
		return -1;
	l->prefix = (uint8_t)(l->iplen * 8);
	if (slash) {
		int64_t p;
		if (parse_number(slash, &p) || p < 0 || p > l->iplen * 8)
			return -1;
		l->prefix = (uint8_t)p;
	}
	return 0;
}

static int convert_lit(struct node *n, const struct eng_ast *v, struct lit *l,
		       struct eng_parse_error *err)
{
	const char *s = v->str;
	enum eng_ftype t = n->vtype;
	if (t == ENG_FT_IPADDR) {
		if (parse_ip(s, l))
			return fail(err, v, "'%s' is not an IP address or network", s);
		return 0;
	}
	if (t == ENG_FT_BOOL) {
		if (!strcmp(s, "true"))
			l->n = 1;
		else if (!strcmp(s, "false"))
			l->n = 0;
		else if (parse_number(s, &l->n))
			return fail(err, v, "'%s' is not a boolean: use true or false", s);
		return 0;
	}
	if (n->numeric) {
		if (parse_number(s, &l->n))
			return fail(err, v, "'%s' is not a number", s);
		return 0;
	}
	if (n->op == OP_BCONTAINS || n->op == OP_BSTARTSWITH) {
		/* the bytes as hex digits, e.g. 7f454c46 */
		size_t len = strlen(s);
		if (len == 0 || len % 2 || strspn(s, "0123456789abcdefABCDEF") != len)
			return fail(err, v, "'%s' is not an even number of hex digits", s);
		if (!(l->s = malloc(len / 2 + 1)))
			return -ENOMEM;
		for (size_t i = 0; i < len / 2; i++) {
			char hx[3] = {s[2 * i], s[2 * i + 1], 0};
			l->s[i] = (char)strtoul(hx, NULL, 16);
		}
		l->s[len / 2] = 0;
		l->len = len / 2;
		return 0;
	}
	/* a \x00 escape: the bytes after it count for = and != */
	l->len = v->len ? v->len : strlen(s);
	if (!(l->s = malloc(l->len + 1)))
		return -ENOMEM;
	memcpy(l->s, s, l->len + 1);
	if ((n->op == OP_GLOB || n->op == OP_IGLOB) && eng_glob_new(&l->glob, s, n->op == OP_IGLOB))
		return -ENOMEM;
	if (n->op == OP_REGEX) {
		/* RE2, compiled once; Falco matches the whole value */
		char why[128];
		long off;
		int rc = eng_regex_new(&l->re, s, l->len, why, sizeof(why), &off);
		if (rc == -EINVAL) {
			if (err) {
				err->pos = v->pos;
				snprintf(err->msg, sizeof(err->msg), "'%.40s' is not a valid regular "
					 "expression: %.80s", s, why);
				if (off >= 0)
					snprintf(err->msg + strlen(err->msg),
						 sizeof(err->msg) - strlen(err->msg),
						 " (at byte %ld of the pattern)", off + 1);
			}
			free(l->s); /* the caller frees only the literals it keeps */
			l->s = NULL;
			return rc;
		}
		if (rc) {
			free(l->s);
			l->s = NULL;
			return rc;
		}
	}
	return 0;
}

/* The set or trie the literals make, and how values compare with them. */
static int build_matchers(struct node *n)
{
	enum eng_ftype t = n->vtype;
	int rc = 0;
	n->ck = t == ENG_FT_IPADDR && !n->nxf ? CK_IP
		: n->numeric || t == ENG_FT_BOOL ? CK_NUM : CK_STR;
	if (n->mod != ENG_MOD_NONE) {
		/* as libs: a set only where membership is the answer ("= anyof",
		 * "!= allof"); oneof counts matches, duplicates included */
		int eq_any = n->mod == ENG_MOD_ANYOF && n->op == OP_EQ;
		int ne_all = n->mod == ENG_MOD_ALLOF && n->op == OP_NE;
		if ((!eq_any && !ne_all) || n->nvals < SET_MIN || n->ck == CK_IP)
			return 0;
	} else if (n->op == OP_PMATCH && n->ck == CK_STR) {
		if ((rc = eng_ptrie_new(&n->trie)))
			return rc;
		for (size_t i = 0; i < n->nvals && !rc; i++) {
			/* current libs: a component with ? * [ is a glob */
			if (memchr(n->vals[i].s, '?', n->vals[i].len) ||
			    memchr(n->vals[i].s, '*', n->vals[i].len) ||
			    memchr(n->vals[i].s, '[', n->vals[i].len)) {
				n->vals[i].pglob = 1;
				n->npglob++;
				continue;
			}
			rc = eng_ptrie_add(n->trie, n->vals[i].s, n->vals[i].len);
		}
		return rc;
	}
	if ((n->op != OP_EQ && n->op != OP_NE) || n->nvals < SET_MIN || n->ck == CK_IP)
		return 0;
	if ((rc = eng_set_new(&n->set, n->nvals)))
		return rc;
	for (size_t i = 0; i < n->nvals && !rc; i++)
		rc = n->ck == CK_NUM ? eng_set_add_num(n->set, n->vals[i].n)
				     : eng_set_add_str(n->set, n->vals[i].s, n->vals[i].len);
	return rc;
}

/* The simple left side: tolower/toupper/b64/basename/len over one field,
 * each with one argument; 1 when a is one. */
static int simple_chain(const struct eng_ast *a)
{
	while (a->kind == ENG_AST_TRANSFORM) {
		int k = eng_xf_by_name(a->str, strlen(a->str));
		if (!(eng_xf_maps_string(k) || k == ENG_XF_LEN) || a->nkids != 1 || a->arg)
			return 0;
		a = a->kids[0];
	}
	return a->kind == ENG_AST_FIELD;
}

static int compile_check(const struct eng_ast *a, struct node *n, struct eng_parse_error *err)
{
	const struct eng_ast *lhs = a->kids[0];
	char why[160];
	int rc;
	n->op = op_of(a->str);
	if (!n->op)
		return fail(err, a, "operator '%s' is not supported yet", a->str);
	if (!simple_chain(lhs)) {
		/* join, concat, getopt...: an expression of its own */
		if ((rc = eng_xcompile(lhs, &n->lx, err)))
			return rc;
		n->numeric = n->lx->numeric;
		n->is_signed = 1;
		n->vtype = n->numeric ? ENG_FT_INT64 : ENG_FT_STR;
		if (n->lx->is_list && n->op != OP_IN && n->op != OP_INTERSECTS &&
		    n->op != OP_EXISTS)
			return fail(err, a, "operator '%s' cannot compare a list of values (getopt "
				    "without [option], a (...) list): use in, intersects or exists",
				    a->str);
		n->list_in = !n->lx->is_list ? 0 : n->op == OP_IN ? 1 : 2;
	} else {
		/* transformers, outermost first in the tree */
		enum eng_xf chain[8];
		unsigned nch = 0;
		while (lhs->kind == ENG_AST_TRANSFORM) {
			enum eng_xf x = eng_xf_by_name(lhs->str, strlen(lhs->str));
			if (nch >= 4)
				return fail(err, lhs, "more than 4 nested transformers on '%s'",
					    lhs->str);
			chain[nch++] = x;
			lhs = lhs->kids[0];
		}
		for (unsigned i = 0; i < nch; i++)
			n->xf[i] = chain[nch - 1 - i];
		n->nxf = nch;
		if (!(n->field = calloc(1, sizeof(*n->field))))
			return -ENOMEM;
		rc = eng_field_resolve(n->field, lhs->str, lhs->arg, why, sizeof(why));
		if (rc) {
			free(n->field);
			n->field = NULL;
			return fail(err, lhs, "%s", why);
		}
		int id_any = (n->field->info->flags & ENG_FF_ARG_INDEX) &&
			     !strncmp(n->field->info->name, "proc.a", 6) && n->field->argmode != 2;
		n->any_ancestor = id_any;
		enum eng_ftype t = n->field->type;
		int len_last = nch && n->xf[nch - 1] == ENG_XF_LEN;
		if (nch && t != ENG_FT_STR && t != ENG_FT_DYN && t != ENG_FT_BYTEBUF)
			return fail(err, lhs, "transformers apply to string fields only (%s)",
				    n->field->info->name);
		n->numeric = len_last || (eng_ftype_is_numeric(t) && t != ENG_FT_BOOL);
		n->is_signed = len_last || t == ENG_FT_INT64;
		n->vtype = len_last ? ENG_FT_INT64 : t;
		if (nch && !(n->scratch = malloc(ENG_FIELD_BUF)))
			return -ENOMEM;
	}
	if (n->op == OP_EXISTS)
		return 0;

	enum eng_ftype t = n->vtype;
	int is_str = !n->numeric && t != ENG_FT_IPADDR && t != ENG_FT_BOOL;
	switch (n->op) {
	case OP_CONTAINS: case OP_ICONTAINS: case OP_STARTSWITH: case OP_ENDSWITH:
	case OP_GLOB: case OP_IGLOB: case OP_PMATCH: case OP_BCONTAINS: case OP_BSTARTSWITH:
	case OP_REGEX:
		if (!is_str)
			return fail(err, a, "operator '%s' needs a string field", a->str);
		break;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE:
		if (!n->numeric)
			return fail(err, a, "operator '%s' needs a numeric field", a->str);
		break;
	default:
		break;
	}
	if (t == ENG_FT_BOOL && n->op != OP_EQ && n->op != OP_NE && n->op != OP_IN)
		return fail(err, a, "operator '%s' does not apply to a boolean field", a->str);

	const struct eng_ast *rhs = a->kids[1];
	const struct eng_ast *single[1] = {rhs};
	const struct eng_ast *const *vals = single;
	size_t nv = 1;
	if (rhs->kind == ENG_AST_LIST) {
		vals = (const struct eng_ast *const *)rhs->kids;
		nv = rhs->nkids;
		if (n->op != OP_IN && n->op != OP_INTERSECTS && n->op != OP_PMATCH &&
		    a->mod == ENG_MOD_NONE)
			return fail(err, rhs, "a list needs 'in', 'intersects', 'pmatch' or a list "
				    "modifier%s", NULL);
	} else if (rhs->kind == ENG_AST_TRANSFORM) {
		/* another field, transformed or not: compared per event */
		if (a->mod != ENG_MOD_NONE)
			return fail(err, rhs, "a list modifier (oneof, anyof, allof) needs a list, "
				    "not a field%s", NULL);
		if (n->op == OP_REGEX)
			return fail(err, rhs, "'regex' needs a literal pattern: it is compiled once, "
				    "not per event%s", NULL);
		if (n->lx && n->lx->is_list)
			return fail(err, rhs, "a list of values cannot be compared with a field%s",
				    NULL);
		if ((rc = eng_xcompile(rhs, &n->rx, err)))
			return rc;
		if (n->rx->is_list)
			return fail(err, rhs, "the right-hand side is a list of values: compare "
				    "single values (getopt(...)[option], join(...))%s", NULL);
		if ((n->op == OP_LT || n->op == OP_LE || n->op == OP_GT || n->op == OP_GE) &&
		    !n->rx->numeric)
			return fail(err, rhs, "operator '%s' compares numbers: the right-hand side "
				    "is a string", a->str);
		if (n->nxf && !n->scratch && !(n->scratch = malloc(ENG_FIELD_BUF)))
			return -ENOMEM;
		return 0;
	} else if (rhs->kind != ENG_AST_VALUE) {
		return fail(err, rhs, "unexpected right-hand side%s", NULL);
	} else if (n->op == OP_IN || n->op == OP_INTERSECTS || n->op == OP_PMATCH ||
		   a->mod != ENG_MOD_NONE) {
		return fail(err, rhs, "'%s' is a list name: lists are expanded by the rules loader, "
			    "write the values in parentheses", rhs->str);
	}
	n->allof = a->mod == ENG_MOD_ALLOF;
	n->mod = a->mod;
	if (nv && !(n->vals = calloc(nv, sizeof(*n->vals))))
		return -ENOMEM;
	for (size_t i = 0; i < nv; i++) {
		if ((rc = convert_lit(n, vals[i], &n->vals[i], err)))
			return rc;
		n->nvals++;
	}
	/* "in" is "=" against any value; every field here has one value, for
	 * which "intersects" (some of the field's values in the list) is "in" */
	if (n->op == OP_IN || n->op == OP_INTERSECTS)
		n->op = OP_EQ;
	if ((rc = build_matchers(n)))
		return rc;
	if (n->field && !strcmp(n->field->info->name, "evt.type") && !n->nxf &&
	    (n->op == OP_EQ || n->op == OP_NE) && n->mod == ENG_MOD_NONE) {
		/* decided on the type number, not its name (generic syscall
		 * events, named after their syscall, still compare names) */
		if (!(n->types = calloc((SHM_EVENT_MAX + 7) / 8, 1)))
			return -ENOMEM;
		for (unsigned et = 0; et < SHM_EVENT_MAX; et++)
			for (size_t i = 0; i < n->nvals; i++)
				if (!strcmp(shm_event_table[et].name, n->vals[i].s))
					n->types[et / 8] |= (uint8_t)(1u << (et % 8));
	}
	return 0;
}

/* Cheap checks first: evaluation has no side effects, so the children of
 * and/or can run in any order; numbers before strings before evt.args. */
static void set_cost(struct node *n)
{
	if (n->kind == ENG_AST_AND || n->kind == ENG_AST_OR || n->kind == ENG_AST_NOT) {
		n->cost = 0;
		for (size_t i = 0; i < n->nkids; i++)
			n->cost += n->kids[i]->cost;
		/* insertion sort, stable */
		for (size_t i = 1; i < n->nkids; i++) {
			struct node *k = n->kids[i];
			size_t j = i;
			while (j > 0 && n->kids[j - 1]->cost > k->cost) {
				n->kids[j] = n->kids[j - 1];
				j--;
			}
			n->kids[j] = k;
		}
		return;
	}
	const char *name = n->field ? n->field->info->name : "";
	if (n->types)
		n->cost = 1;
	else if (n->lx)
		n->cost = 60; /* several fields and a string built */
	else if (!strncmp(name, "evt.arg", 7) || !strcmp(name, "evt.info") || n->any_ancestor ||
		 n->rx)
		n->cost = 40;
	else if (n->numeric)
		n->cost = 3;
	else
		n->cost = 8 + (unsigned)n->nxf * 4;
}

/* Gives n's field a slot shared with every check of the same field, so
 * that an evaluation extracts it once. Fields whose ref a check moves
 * (either end of a connection, any ancestor) keep their own. */
static int share_field(struct eng_filter *f, struct node *n)
{
	const struct eng_fieldref *r = n->field;
	if (!r || n->any_ancestor || (r->info->flags & ENG_FF_TWO_SIDED))
		return 0;
	for (size_t i = 0; i < f->nslots; i++) {
		const struct eng_fieldref *o = f->slots[i].ref;
		if (o->info == r->info && o->type == r->type && o->argmode == r->argmode &&
		    o->argn == r->argn && (o->arg == r->arg || (o->arg && r->arg &&
								 !strcmp(o->arg, r->arg)))) {
			eng_fieldref_clear(n->field);
			free(n->field);
			n->field = f->slots[i].ref;
			n->slot = i + 1;
			return 0;
		}
	}
	struct slot *ns = realloc(f->slots, (f->nslots + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	f->slots = ns;
	f->slots[f->nslots] = (struct slot){.ref = n->field};
	n->slot = ++f->nslots;
	return 0;
}

static int compile_node(struct eng_filter *f, const struct eng_ast *a, struct node **out,
			struct eng_parse_error *err)
{
	struct node *n = calloc(1, sizeof(*n));
	int rc = 0;
	if (!n)
		return -ENOMEM;
	n->kind = a->kind;
	switch (a->kind) {
	case ENG_AST_AND:
	case ENG_AST_OR:
	case ENG_AST_NOT:
		if (!(n->kids = calloc(a->nkids, sizeof(*n->kids)))) {
			rc = -ENOMEM;
			break;
		}
		for (size_t i = 0; i < a->nkids && !rc; i++) {
			rc = compile_node(f, a->kids[i], &n->kids[i], err);
			if (!rc)
				n->nkids++;
		}
		break;
	case ENG_AST_UNARY:
	case ENG_AST_BINARY:
		rc = compile_check(a, n, err);
		if (!rc)
			rc = share_field(f, n);
		break;
	case ENG_AST_IDENT:
		rc = fail(err, a, "'%s' is not a field check: macros need a rules file", a->str);
		break;
	default:
		rc = fail(err, a, "unexpected expression%s", NULL);
		break;
	}
	if (rc) {
		node_free(n);
		return rc;
	}
	set_cost(n);
	*out = n;
	return 0;
}

int eng_filter_compile(const struct eng_ast *ast, struct eng_filter **out,
		       struct eng_parse_error *err)
{
	struct eng_filter *f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	int rc = compile_node(f, ast, &f->root, err);
	if (rc) {
		eng_filter_free(f);
		return rc;
	}
	*out = f;
	return 0;
}

int eng_filter_new(const char *text, struct eng_filter **out, char *errbuf, size_t errlen)
{
	struct eng_ast *ast;
	struct eng_parse_error err = {0};
	int rc = eng_parse(text, &ast, &err);
	if (!rc) {
		rc = eng_filter_compile(ast, out, &err);
		eng_ast_free(ast);
	}
	if (rc == -EINVAL)
		eng_parse_error_explain(text, &err, errbuf, errlen);
	else if (rc)
		snprintf(errbuf, errlen, "filter: out of memory");
	return rc;
}
