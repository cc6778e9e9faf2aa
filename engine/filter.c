/* Binds a condition tree to fields and evaluates it (see eng_filter.h). */
#define _GNU_SOURCE /* strcasestr, memmem, FNM_CASEFOLD */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eng_filter.h"
#include "eng_match.h"
#include "eng_regex.h"

enum op {
	OP_EQ = 1, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_CONTAINS, OP_ICONTAINS, OP_STARTSWITH,
	OP_ENDSWITH, OP_GLOB, OP_IGLOB, OP_IN, OP_PMATCH, OP_EXISTS, OP_BCONTAINS, OP_BSTARTSWITH,
	OP_INTERSECTS, OP_REGEX,
};

/* How a check compares its value with the literals. */
enum cmpkind { CK_STR = 0, CK_NUM, CK_IP };

/* Lists at least this long are looked up in a hash set; shorter ones are
 * scanned (a length test rejects most items before any byte compare). */
#define SET_MIN 4

enum xform { X_NONE = 0, X_TOLOWER, X_TOUPPER, X_BASENAME, X_B64, X_LEN };

struct lit {
	int64_t n;       /* numbers, bools, ports */
	char *s;         /* strings */
	size_t len;
	uint8_t ip[16];  /* IPADDR: address, and the prefix length for nets */
	uint8_t iplen;   /* 4 or 16 */
	uint8_t prefix;  /* bits that must match */
	struct eng_glob *glob; /* glob, iglob: the compiled pattern */
	struct eng_regex *re;  /* regex: compiled once */
};

/* A transformer expression the simple left-hand chain (tolower, toupper,
 * b64, basename, len over one field) cannot hold: join, concat, getopt,
 * "(a, b)" lists, and every transformer or val() on the right-hand side.
 * Each node keeps its last value; evaluating allocates nothing. */
enum xk { XK_FIELD = 1, XK_VALUE, XK_TOLOWER, XK_TOUPPER, XK_B64, XK_BASENAME, XK_LEN,
	  XK_JOIN, XK_CONCAT, XK_GETOPT, XK_LIST };

#define XITEMS 256 /* values one list keeps: the rest are dropped */

struct xexpr {
	enum xk kind;
	int is_list;   /* yields several values */
	int numeric;   /* compares as a number (len, numeric fields) */
	int is_str;    /* a string (what the string transformers take) */
	struct eng_fieldref *field; /* XK_FIELD */
	int argv;      /* XK_FIELD proc.args where a list is wanted: its arguments */
	char *lit;     /* XK_VALUE */
	int sel;       /* XK_GETOPT: the option of getopt(...)[c], or -1 */
	uint8_t *opts; /* XK_GETOPT with a literal optstring, parsed once */
	size_t nkids;
	struct xexpr **kids;
	char *buf;     /* ENG_FIELD_BUF bytes: the value when built here */
	/* the last value: a string (s, len) and its number, or items */
	const char *s;
	size_t len;
	int64_t num;
	size_t nitems;
	const char **item;
	uint32_t *ilen;
};

/* A field extracted once per evaluation, however many checks read it. */
struct slot {
	struct eng_fieldref *ref;
	uint64_t gen; /* the evaluation the value is for */
	int rc;
	struct eng_value v;
};

struct node {
	enum eng_ast_kind kind; /* AND, OR, NOT, or BINARY/UNARY for a check */
	size_t nkids;
	struct node **kids;
	/* checks */
	enum op op;
	enum xform xf[4];   /* innermost first */
	unsigned nxf;
	int any_ancestor;   /* proc.aname / proc.apid without an index */
	int numeric;        /* compare as numbers */
	int is_signed;
	int allof;          /* list modifier allof: every value must match */
	enum cmpkind ck;
	size_t slot;        /* 1 + index in the filter's slots; 0: extracted directly */
	struct eng_set *set;     /* "in" and friends on long lists */
	struct eng_ptrie *trie;  /* pmatch */
	uint8_t *types;     /* evt.type =/!=/in: the matching event types as bits */
	unsigned cost;      /* rough evaluation cost, to try cheap checks first */
	struct eng_fieldref *field;
	enum eng_ftype vtype; /* the compared value's type: the field's, or the expression's */
	struct xexpr *lx;   /* a left side the chain above cannot hold (join, concat...) */
	int list_in;        /* lx is a list: 1 "in" (every value), 2 "intersects" (any) */
	struct xexpr *rx;   /* "a = val(b)", "a = tolower(b)": compared with an expression */
	struct lit *vals;
	size_t nvals;
	char *scratch;      /* transformer output */
};

struct eng_filter {
	struct node *root;
	struct slot *slots;
	size_t nslots;
	uint64_t gen; /* bumped at each eng_filter_match() */
};

static void xexpr_free(struct xexpr *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nkids; i++)
		xexpr_free(x->kids[i]);
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
	xexpr_free(n->lx);
	xexpr_free(n->rx);
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

static int fail(struct eng_parse_error *err, const struct eng_ast *a, const char *fmt,
		const char *arg)
{
	if (err) {
		err->pos = a->pos;
		snprintf(err->msg, sizeof(err->msg), fmt, arg ? arg : "");
	}
	return -EINVAL;
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
	if (!(l->s = strdup(s)))
		return -ENOMEM;
	l->len = strlen(s);
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
	if (n->allof)
		return 0;
	if (n->op == OP_PMATCH && n->ck == CK_STR) {
		if ((rc = eng_ptrie_new(&n->trie)))
			return rc;
		for (size_t i = 0; i < n->nvals && !rc; i++)
			rc = eng_ptrie_add(n->trie, n->vals[i].s, n->vals[i].len);
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

static const struct { const char *name; enum xk kind; } xnames[] = {
	{"tolower", XK_TOLOWER}, {"toupper", XK_TOUPPER}, {"b64", XK_B64},
	{"basename", XK_BASENAME}, {"len", XK_LEN}, {"join", XK_JOIN}, {"concat", XK_CONCAT},
	{"getopt", XK_GETOPT},
};

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

/* getopt(3)'s optstring: 1 for a valid option, 2 for one taking a value. */
static void parse_optstring(const char *s, size_t len, uint8_t *opts)
{
	memset(opts, 0, 256);
	for (size_t i = s[0] == ':'; i < len; i++) {
		unsigned char o = (unsigned char)s[i];
		if (o == ':')
			continue;
		opts[o] = 1;
		if (i + 1 < len && s[i + 1] == ':') {
			opts[o] = 2;
			i++;
		}
	}
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

static int xcompile(const struct eng_ast *a, struct xexpr **out, struct eng_parse_error *err)
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
			return xcompile(a->kids[0], out, err);
		} else {
			for (size_t i = 0; i < sizeof(xnames) / sizeof(xnames[0]); i++)
				if (!strcmp(a->str, xnames[i].name))
					x->kind = xnames[i].kind;
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
			if (!(rc = xcompile(a->kids[i], &x->kids[i], err)))
				x->nkids++;
		if (rc)
			break;
		const char *nm = a->kind == ENG_AST_TLIST ? "(...)" : a->str;
		if (a->arg && x->kind != XK_GETOPT) {
			rc = xfail(err, a, "transformer '%s' does not support field arguments%s", nm,
				   NULL);
			break;
		}
		struct xexpr **k = x->kids;
		switch (x->kind) {
		case XK_LIST:
			x->is_list = 1;
			break;
		case XK_TOLOWER:
		case XK_TOUPPER:
		case XK_BASENAME:
		case XK_B64:
		case XK_LEN:
			if (x->nkids != 1) {
				rc = xfail(err, a, "transformer '%s' takes exactly one argument%s", nm, NULL);
				break;
			}
			if (x->kind == XK_LEN) {
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
		case XK_JOIN:
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
		case XK_CONCAT:
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
		case XK_GETOPT:
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
		xexpr_free(x);
		return rc;
	}
	*out = x;
	return 0;
}

/* The simple left side: tolower/toupper/b64/basename/len over one field,
 * each with one argument; 1 when a is one. */
static int simple_chain(const struct eng_ast *a)
{
	static const char *const simple[] = {"tolower", "toupper", "b64", "basename", "len", NULL};
	while (a->kind == ENG_AST_TRANSFORM) {
		int ok = 0;
		for (int i = 0; simple[i]; i++)
			ok |= !strcmp(a->str, simple[i]);
		if (!ok || a->nkids != 1 || a->arg)
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
		if ((rc = xcompile(lhs, &n->lx, err)))
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
		enum xform chain[8];
		unsigned nch = 0;
		while (lhs->kind == ENG_AST_TRANSFORM) {
			enum xform x = !strcmp(lhs->str, "tolower") ? X_TOLOWER
				       : !strcmp(lhs->str, "toupper") ? X_TOUPPER
				       : !strcmp(lhs->str, "basename") ? X_BASENAME
				       : !strcmp(lhs->str, "b64") ? X_B64 : X_LEN;
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
		int len_last = nch && n->xf[nch - 1] == X_LEN;
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
		if ((rc = xcompile(rhs, &n->rx, err)))
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
	    (n->op == OP_EQ || n->op == OP_NE) && !n->allof) {
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

/* ---- evaluation ---- */

static int str_cmp1(enum op op, const char *s, size_t len, const struct lit *l)
{
	switch (op) {
	case OP_EQ: return len == l->len && memcmp(s, l->s, len) == 0;
	case OP_NE: return !(len == l->len && memcmp(s, l->s, len) == 0);
	case OP_CONTAINS: return strstr(s, l->s) != NULL;
	case OP_ICONTAINS: return strcasestr(s, l->s) != NULL;
	case OP_STARTSWITH:
	case OP_BSTARTSWITH: return len >= l->len && memcmp(s, l->s, l->len) == 0;
	case OP_BCONTAINS: return l->len <= len && memmem(s, len, l->s, l->len) != NULL;
	case OP_ENDSWITH: return len >= l->len && memcmp(s + len - l->len, l->s, l->len) == 0;
	case OP_GLOB:
	case OP_IGLOB: return eng_glob_match(l->glob, s);
	case OP_REGEX: return eng_regex_match(l->re, s, len);
	case OP_PMATCH:
		/* the value is the path itself or a directory above it */
		if (len < l->len || memcmp(s, l->s, l->len) != 0)
			return 0;
		return len == l->len || s[l->len] == '/' || (l->len && l->s[l->len - 1] == '/');
	default: return 0;
	}
}

static int num_cmp1(enum op op, int64_t a, int64_t b, int is_signed)
{
	int c;
	if (is_signed)
		c = a < b ? -1 : a > b;
	else
		c = (uint64_t)a < (uint64_t)b ? -1 : (uint64_t)a > (uint64_t)b;
	switch (op) {
	case OP_EQ: return c == 0;
	case OP_NE: return c != 0;
	case OP_LT: return c < 0;
	case OP_LE: return c <= 0;
	case OP_GT: return c > 0;
	case OP_GE: return c >= 0;
	default: return 0;
	}
}

static int ip_match(const struct eng_value *v, const struct lit *l)
{
	if (v->len != l->iplen)
		return 0;
	unsigned full = l->prefix / 8, rest = l->prefix % 8;
	if (memcmp(v->ip, l->ip, full))
		return 0;
	if (rest) {
		uint8_t m = (uint8_t)(0xff << (8 - rest));
		return (v->ip[full] & m) == (l->ip[full] & m);
	}
	return 1;
}

size_t eng_b64_decode(const char *in, size_t len, char *out, size_t cap)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		const char *p = in[i] ? strchr(alpha, in[i]) : NULL;
		if (!p)
			break;
		acc = (acc << 6) | (uint32_t)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < cap)
				out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return n;
}

static const char *apply_xf(struct node *n, const char *s, size_t *len, int64_t *num_out)
{
	for (unsigned i = 0; i < n->nxf; i++) {
		size_t k = *len < ENG_FIELD_BUF - 1 ? *len : ENG_FIELD_BUF - 1;
		switch (n->xf[i]) {
		case X_TOLOWER:
		case X_TOUPPER:
			for (size_t j = 0; j < k; j++)
				n->scratch[j] = (char)(n->xf[i] == X_TOLOWER ? tolower((unsigned char)s[j])
									     : toupper((unsigned char)s[j]));
			n->scratch[k] = 0;
			s = n->scratch;
			*len = k;
			break;
		case X_BASENAME: {
			const char *sl = strrchr(s, '/');
			if (sl) {
				*len -= (size_t)(sl + 1 - s);
				s = sl + 1;
			}
			break;
		}
		case X_B64:
			*len = eng_b64_decode(s, *len, n->scratch, ENG_FIELD_BUF - 1);
			n->scratch[*len] = 0;
			s = n->scratch;
			break;
		case X_LEN:
			*num_out = (int64_t)*len;
			return NULL;
		default:
			break;
		}
	}
	return s;
}

/* One comparison of an extracted value against the node's literals. */
static int compare(struct node *n, const struct eng_value *v)
{
	/* the common "field = value": one literal, nothing to transform */
	if (n->nvals == 1 && !n->nxf) {
		if (n->ck == CK_NUM)
			return num_cmp1(n->op, v->n, n->vals[0].n, n->is_signed);
		if (n->ck == CK_STR && v->s && !n->trie)
			return str_cmp1(n->op, v->s, v->len, &n->vals[0]);
	}
	int64_t num = v->n;
	const char *s = v->s;
	size_t len = v->len;
	char tmp[64];
	if (n->nxf) {
		if (!s)
			s = eng_value_str(n->field, v, tmp, sizeof(tmp)), len = strlen(s);
		s = apply_xf(n, s, &len, &num);
	} else if (n->ck == CK_STR && !s) {
		/* a DYN raw argument that came back as a number */
		s = eng_value_str(n->field, v, tmp, sizeof(tmp));
		len = strlen(s);
	}
	int neg = n->op == OP_NE;
	enum op op = neg ? OP_EQ : n->op;
	int r;
	if (n->set) {
		r = n->ck == CK_NUM ? eng_set_has_num(n->set, num) : eng_set_has_str(n->set, s, len);
	} else if (n->trie) {
		r = eng_ptrie_match(n->trie, s, len);
	} else {
		/* any value (all of them with allof): stops as soon as it knows */
		r = n->allof;
		for (size_t i = 0; i < n->nvals; i++) {
			const struct lit *l = &n->vals[i];
			int m = n->ck == CK_IP    ? ip_match(v, l)
				: n->ck == CK_NUM ? num_cmp1(op, num, l->n, n->is_signed)
						  : str_cmp1(op, s, len, l);
			if (m != n->allof) {
				r = m;
				break;
			}
		}
	}
	return neg ? !r : r;
}

/* ---- transformer expressions: evaluation ---- */

static size_t xput(char *buf, size_t pos, const char *s, size_t n)
{
	if (pos >= ENG_FIELD_BUF - 1)
		return pos;
	if (n > ENG_FIELD_BUF - 1 - pos)
		n = ENG_FIELD_BUF - 1 - pos;
	memcpy(buf + pos, s, n);
	buf[pos + n] = 0;
	return pos + n;
}

/* One string transformer of s into out at pos: the new end. */
static size_t xmap(enum xk k, const char *s, size_t len, char *out, size_t pos)
{
	size_t start = pos;
	switch (k) {
	case XK_TOLOWER:
	case XK_TOUPPER:
		pos = xput(out, pos, s, len);
		for (size_t i = start; i < pos; i++)
			out[i] = (char)(k == XK_TOLOWER ? tolower((unsigned char)out[i])
							: toupper((unsigned char)out[i]));
		return pos;
	case XK_BASENAME: {
		const char *sl = memrchr(s, '/', len);
		return sl ? xput(out, pos, sl + 1, len - (size_t)(sl + 1 - s)) : xput(out, pos, s, len);
	}
	case XK_B64:
		if (pos >= ENG_FIELD_BUF - 1)
			return pos;
		pos += eng_b64_decode(s, len, out + pos, ENG_FIELD_BUF - 1 - pos);
		out[pos] = 0;
		return pos;
	default:
		return pos;
	}
}

static void xadd_item(struct xexpr *x, const char *s, size_t len)
{
	if (x->nitems < XITEMS) {
		x->item[x->nitems] = s;
		x->ilen[x->nitems++] = (uint32_t)len;
	}
}

/* getopt(3)'s reading of the list in k: options with their values, '?' for
 * an unknown option; with [c], the last value (or the option) of -c. */
static int xgetopt(struct xexpr *x, const struct xexpr *args, const uint8_t *opts)
{
	size_t pos = 0, sel_off = 0, sel_len = 0;
	int found = 0;
	x->nitems = 0;
	/* offsets first: buf grows while items are added */
	size_t off[XITEMS], len[XITEMS], n = 0;
#define EMIT(str, l)                                                       \
	do {                                                               \
		if (n < XITEMS) {                                          \
			off[n] = pos;                                      \
			len[n++] = (l);                                    \
		}                                                          \
		pos = xput(x->buf, pos, (str), (l));                       \
		pos = pos < ENG_FIELD_BUF - 1 ? pos + 1 : pos;             \
	} while (0)
	for (size_t i = 0; i < args->nitems; i++) {
		const char *a = args->item[i];
		size_t al = args->ilen[i];
		if (al == 2 && a[0] == '-' && a[1] == '-')
			break; /* the end of the options */
		if (al > 2 && a[0] == '-' && a[1] == '-')
			continue; /* a long option: not getopt's */
		if (al < 2 || a[0] != '-')
			break; /* the first operand ends the options */
		for (size_t j = 1; j < al; j++) {
			unsigned char o = (unsigned char)a[j];
			int kind = o == ':' ? 0 : opts[o];
			if (!kind) {
				if (x->sel < 0)
					EMIT("?", 1);
				continue;
			}
			int match = x->sel < 0 || o == x->sel;
			if (kind == 1) {
				if (match && x->sel >= 0) {
					found = 1;
					sel_off = pos;
					sel_len = 1;
				}
				if (match)
					EMIT(a + j, 1);
				continue;
			}
			/* the value: the rest of this word, or the next word */
			const char *v = NULL;
			size_t vl = 0;
			if (j + 1 < al) {
				v = a + j + 1;
				vl = al - j - 1;
			} else if (i + 1 < args->nitems) {
				i++;
				v = args->item[i];
				vl = args->ilen[i];
			}
			if (match) {
				if (x->sel < 0 && v) {
					EMIT(a + j, 1);
					EMIT(v, vl);
				} else if (x->sel < 0) {
					EMIT("", 0); /* the value is missing */
				} else {
					found = 1;
					sel_off = pos;
					sel_len = v ? vl : 0;
					EMIT(v ? v : "", sel_len);
				}
			}
			break;
		}
	}
#undef EMIT
	if (x->sel >= 0) {
		if (!found)
			return -1; /* no such option: not available */
		x->s = x->buf + sel_off;
		x->len = sel_len;
		return 0;
	}
	for (size_t k = 0; k < n; k++)
		xadd_item(x, x->buf + off[k], len[k]);
	return 0;
}

/* Evaluates x for the event: 0 with its value set, -1 when a field in it
 * is not available (the whole expression then is not). */
static int xeval(struct xexpr *x, const struct eng_ctx *c)
{
	size_t pos = 0;
	switch (x->kind) {
	case XK_VALUE:
		return 0;
	case XK_FIELD: {
		struct eng_value v;
		if (x->argv) {
			const struct eng_thread *t = c->ev->thread;
			if (!t || t->placeholder)
				return -1;
			x->nitems = 0;
			for (uint32_t o = 0; o < t->args_len;) {
				size_t l = strnlen(t->args + o, t->args_len - o);
				xadd_item(x, t->args + o, l);
				o += (uint32_t)l + 1;
			}
			return 0;
		}
		if (eng_field_extract(x->field, c, &v))
			return -1;
		x->num = v.n;
		enum eng_ftype t = x->field->type;
		if (v.s && (t == ENG_FT_STR || t == ENG_FT_DYN || t == ENG_FT_BYTEBUF)) {
			x->s = v.s;
			x->len = v.len;
		} else {
			x->s = eng_value_str(x->field, &v, x->buf, ENG_FIELD_BUF);
			x->len = strlen(x->s);
		}
		return 0;
	}
	case XK_TOLOWER:
	case XK_TOUPPER:
	case XK_BASENAME:
	case XK_B64: {
		struct xexpr *k = x->kids[0];
		if (xeval(k, c))
			return -1;
		if (!k->is_list) {
			x->len = xmap(x->kind, k->s, k->len, x->buf, 0);
			x->s = x->buf;
			return 0;
		}
		size_t off[XITEMS], len[XITEMS];
		for (size_t i = 0; i < k->nitems; i++) {
			off[i] = pos;
			pos = xmap(x->kind, k->item[i], k->ilen[i], x->buf, pos);
			len[i] = pos - off[i];
			pos = pos < ENG_FIELD_BUF - 1 ? pos + 1 : pos;
		}
		x->nitems = 0;
		for (size_t i = 0; i < k->nitems; i++)
			xadd_item(x, x->buf + off[i], len[i]);
		return 0;
	}
	case XK_LEN: {
		struct xexpr *k = x->kids[0];
		if (xeval(k, c))
			return -1;
		x->num = (int64_t)(k->is_list ? k->nitems : k->len);
		x->len = (size_t)snprintf(x->buf, ENG_FIELD_BUF, "%lld", (long long)x->num);
		x->s = x->buf;
		return 0;
	}
	case XK_JOIN: {
		struct xexpr *sep = x->kids[0], *l = x->kids[1];
		if (xeval(sep, c) || xeval(l, c))
			return -1;
		for (size_t i = 0; i < l->nitems; i++) {
			if (i)
				pos = xput(x->buf, pos, sep->s, sep->len);
			pos = xput(x->buf, pos, l->item[i], l->ilen[i]);
		}
		x->buf[pos] = 0;
		x->s = x->buf;
		x->len = pos;
		return 0;
	}
	case XK_CONCAT:
		for (size_t i = 0; i < x->nkids; i++) {
			if (xeval(x->kids[i], c))
				return -1;
			pos = xput(x->buf, pos, x->kids[i]->s, x->kids[i]->len);
		}
		x->buf[pos] = 0;
		x->s = x->buf;
		x->len = pos;
		return 0;
	case XK_LIST:
		x->nitems = 0;
		for (size_t i = 0; i < x->nkids; i++) {
			struct xexpr *k = x->kids[i];
			if (xeval(k, c))
				return -1;
			if (!k->is_list)
				xadd_item(x, k->s, k->len);
			for (size_t j = 0; k->is_list && j < k->nitems; j++)
				xadd_item(x, k->item[j], k->ilen[j]);
		}
		return 0;
	case XK_GETOPT: {
		struct xexpr *args = x->kids[0], *os = x->kids[1];
		uint8_t opts[256];
		const uint8_t *o = x->opts;
		if (xeval(args, c))
			return -1;
		if (!o) {
			if (xeval(os, c))
				return -1;
			parse_optstring(os->s, os->len, opts);
			o = opts;
		}
		return xgetopt(x, args, o);
	}
	}
	return -1;
}

/* "a = val(b)", "a = tolower(b)": a's value (s, len, num) against the
 * right-hand side, as numbers when both are, else as strings. */
static int compare_rhs(struct node *n, const char *s, size_t len, int64_t num,
		       const struct eng_ctx *c)
{
	struct xexpr *r = n->rx;
	if (xeval(r, c))
		return 0;
	if (n->numeric && r->numeric)
		return num_cmp1(n->op, num, r->num, n->is_signed);
	struct lit l = {.s = (char *)r->s, .len = r->len};
	switch (n->op) {
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
		int cmp = strcmp(s, l.s);
		return n->op == OP_LT ? cmp < 0 : n->op == OP_LE ? cmp <= 0
			: n->op == OP_GT ? cmp > 0 : cmp >= 0;
	}
	case OP_NE:
		return !str_cmp1(OP_EQ, s, len, &l);
	case OP_IN:
	case OP_INTERSECTS:
		return str_cmp1(OP_EQ, s, len, &l);
	case OP_GLOB:
	case OP_IGLOB:
		return fnmatch(l.s, s, n->op == OP_IGLOB ? FNM_CASEFOLD : 0) == 0;
	default:
		return str_cmp1(n->op, s, len, &l);
	}
}

/* The left side rendered for compare_rhs(): a string, or a number. */
static int compare_fields(struct node *n, const struct eng_value *v, const struct eng_ctx *c)
{
	char a[64];
	struct eng_value lv = *v;
	enum eng_ftype t = n->field->type;
	if (!lv.s || t == ENG_FT_IPADDR || t == ENG_FT_BOOL || t == ENG_FT_BYTEBUF) {
		lv.s = eng_value_str(n->field, v, t == ENG_FT_BYTEBUF ? n->field->buf : a,
				     t == ENG_FT_BYTEBUF ? ENG_FIELD_BUF : sizeof(a));
		lv.len = strlen(lv.s);
	}
	int64_t num = v->n;
	size_t len = lv.len;
	const char *s = n->nxf ? apply_xf(n, lv.s, &len, &num) : lv.s;
	if (!s) /* len(): a number */
		s = "";
	return compare_rhs(n, s, len, num, c);
}

/* A join/concat/getopt left side: evaluated, then compared. */
static int eval_expr_check(struct node *n, const struct eng_ctx *c)
{
	struct xexpr *x = n->lx;
	if (xeval(x, c))
		return 0;
	if (n->op == OP_EXISTS)
		return 1;
	if (!x->is_list) {
		if (n->rx)
			return compare_rhs(n, x->s, x->len, x->num, c);
		struct eng_value v = {.n = x->num, .s = x->s, .len = x->len};
		return compare(n, &v);
	}
	/* a list: "in" wants every value in the set, "intersects" one */
	for (size_t i = 0; i < x->nitems; i++) {
		struct eng_value v = {.s = x->item[i], .len = x->ilen[i]};
		int m = compare(n, &v);
		if (n->list_in == 1 && !m)
			return 0;
		if (n->list_in == 2 && m)
			return 1;
	}
	return n->list_in == 1;
}

/* ---- expressions on their own (eng_fexpr) ---- */

struct eng_fexpr {
	struct xexpr *x;
	char *buf; /* ENG_FIELD_BUF bytes: a list's text */
};

int eng_fexpr_compile(const struct eng_ast *operand, struct eng_fexpr **out,
		      struct eng_parse_error *err)
{
	struct eng_fexpr *e = calloc(1, sizeof(*e));
	int rc;
	if (!e)
		return -ENOMEM;
	if ((rc = xcompile(operand, &e->x, err)) || !(e->buf = malloc(ENG_FIELD_BUF))) {
		eng_fexpr_free(e);
		return rc ? rc : -ENOMEM;
	}
	*out = e;
	return 0;
}

int eng_fexpr_eval(struct eng_fexpr *e, const struct eng_ctx *c, const char **s, size_t *len)
{
	struct xexpr *x = e->x;
	if (xeval(x, c))
		return -1;
	if (!x->is_list) {
		*s = x->s;
		*len = x->len;
		return 0;
	}
	size_t pos = xput(e->buf, 0, "(", 1);
	for (size_t i = 0; i < x->nitems; i++) {
		if (i)
			pos = xput(e->buf, pos, ",", 1);
		pos = xput(e->buf, pos, x->item[i], x->ilen[i]);
	}
	pos = xput(e->buf, pos, ")", 1);
	*s = e->buf;
	*len = pos;
	return 0;
}

int eng_fexpr_numeric(const struct eng_fexpr *e)
{
	return e->x->numeric;
}

void eng_fexpr_free(struct eng_fexpr *e)
{
	if (!e)
		return;
	xexpr_free(e->x);
	free(e->buf);
	free(e);
}

/* The field's value for this evaluation: extracted at its first use. */
static int extract(struct eng_filter *f, struct node *n, const struct eng_ctx *c,
		   struct eng_value *v)
{
	if (!n->slot)
		return eng_field_extract(n->field, c, v);
	struct slot *sl = &f->slots[n->slot - 1];
	if (sl->gen != f->gen) {
		sl->gen = f->gen;
		sl->rc = eng_field_extract(sl->ref, c, &sl->v);
	}
	*v = sl->v;
	return sl->rc;
}

static int eval_check(struct eng_filter *f, struct node *n, const struct eng_ctx *c)
{
	struct eng_value v;
	uint16_t type = c->ev->evt.type;
	if (n->types && type != SHM_EV_GENERIC_E && type != SHM_EV_GENERIC_X) {
		int m = (n->types[type / 8] >> (type % 8)) & 1;
		return n->op == OP_NE ? !m : m;
	}
	if (n->lx)
		return eval_expr_check(n, c);
	if (n->rx) {
		if (extract(f, n, c, &v))
			return 0;
		return compare_fields(n, &v, c);
	}
	if (n->field->info->flags & ENG_FF_TWO_SIDED) {
		/* "=" matches either end of the connection, "!=" neither */
		int hits = 0, seen = 0;
		for (int side = 0; side < 2; side++) {
			n->field->side = side;
			if (eng_field_extract(n->field, c, &v))
				continue;
			seen++;
			hits += n->op == OP_EXISTS ? 1 : compare(n, &v);
		}
		n->field->side = 0;
		if (!seen)
			return 0;
		return n->op == OP_NE ? hits == seen : hits > 0;
	}
	if (!n->any_ancestor) {
		if (extract(f, n, c, &v))
			return 0;
		return n->op == OP_EXISTS ? 1 : compare(n, &v);
	}
	/* proc.aname / proc.apid without an index: any ancestor matches */
	for (int64_t k = 1; k < 64; k++) {
		n->field->argmode = 2;
		n->field->argn = k;
		int rc = eng_field_extract(n->field, c, &v);
		n->field->argmode = 0;
		if (rc)
			return 0;
		if (n->op == OP_EXISTS || compare(n, &v))
			return 1;
	}
	return 0;
}

static int eval(struct eng_filter *f, struct node *n, const struct eng_ctx *c)
{
	switch (n->kind) {
	case ENG_AST_AND:
		for (size_t i = 0; i < n->nkids; i++)
			if (!eval(f, n->kids[i], c))
				return 0;
		return 1;
	case ENG_AST_OR:
		for (size_t i = 0; i < n->nkids; i++)
			if (eval(f, n->kids[i], c))
				return 1;
		return 0;
	case ENG_AST_NOT:
		return !eval(f, n->kids[0], c);
	default:
		return eval_check(f, n, c);
	}
}

int eng_filter_match(struct eng_filter *f, const struct eng_ctx *c)
{
	f->gen++; /* a new event, or the same one again: values are extracted anew */
	return eval(f, f->root, c);
}
