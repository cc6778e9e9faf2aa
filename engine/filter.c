/* Binds a condition tree to fields and evaluates it (see eng_filter.h). */
#define _GNU_SOURCE /* strcasestr, memmem */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <regex.h>

#include "eng_filter.h"
#include "eng_match.h"

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
	regex_t *re;           /* regex: compiled once */
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
	struct eng_fieldref *rhs; /* "field = val(other.field)": compared with another field */
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
	if (n->rhs) {
		eng_fieldref_clear(n->rhs);
		free(n->rhs);
	}
	for (size_t i = 0; i < n->nvals; i++) {
		free(n->vals[i].s);
		eng_glob_free(n->vals[i].glob);
		if (n->vals[i].re) {
			regfree(n->vals[i].re);
			free(n->vals[i].re);
		}
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
	enum eng_ftype t = n->field->type;
	if (n->xf[n->nxf ? n->nxf - 1 : 0] == X_LEN && n->nxf)
		t = ENG_FT_INT64;
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
		/* Falco matches the whole value (RE2 FullMatch): anchor both ends.
		 * POSIX extended syntax: RE2's common subset. */
		size_t plen = strlen(s) + 5;
		char *pat = malloc(plen);
		if (!pat || !(l->re = malloc(sizeof(*l->re)))) {
			free(pat);
			return -ENOMEM;
		}
		snprintf(pat, plen, "^(%s)$", s);
		int rc = regcomp(l->re, pat, REG_EXTENDED | REG_NOSUB);
		free(pat);
		if (rc) {
			free(l->re);
			l->re = NULL;
			rc = fail(err, v, "'%s' is not a valid regular expression", s);
			free(l->s); /* the caller frees only the literals it keeps */
			l->s = NULL;
			return rc;
		}
	}
	return 0;
}

/* The set or trie the literals make, and how values compare with them. */
static int build_matchers(struct node *n)
{
	enum eng_ftype t = n->field->type;
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

static int compile_check(const struct eng_ast *a, struct node *n, struct eng_parse_error *err)
{
	const struct eng_ast *lhs = a->kids[0];
	n->op = op_of(a->str);
	if (!n->op)
		return fail(err, a, "operator '%s' is not supported yet", a->str);
	/* transformers, outermost first in the tree */
	enum xform chain[8];
	unsigned nch = 0;
	while (lhs->kind == ENG_AST_TRANSFORM) {
		enum xform x = !strcmp(lhs->str, "tolower") ? X_TOLOWER
			       : !strcmp(lhs->str, "toupper") ? X_TOUPPER
			       : !strcmp(lhs->str, "basename") ? X_BASENAME
			       : !strcmp(lhs->str, "b64") ? X_B64
			       : !strcmp(lhs->str, "len") ? X_LEN : X_NONE;
		if (x == X_NONE || nch >= 4)
			return fail(err, lhs, "transformer '%s' is not supported yet", lhs->str);
		chain[nch++] = x;
		lhs = lhs->kids[0];
	}
	if (lhs->kind != ENG_AST_FIELD)
		return fail(err, lhs, "this kind of operand is not supported yet%s", NULL);
	for (unsigned i = 0; i < nch; i++)
		n->xf[i] = chain[nch - 1 - i];
	n->nxf = nch;
	if (!(n->field = calloc(1, sizeof(*n->field))))
		return -ENOMEM;
	char why[160];
	int rc = eng_field_resolve(n->field, lhs->str, lhs->arg, why, sizeof(why));
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
	if (nch && !len_last && t != ENG_FT_STR && t != ENG_FT_DYN)
		return fail(err, lhs, "transformers apply to string fields only (%s)",
			    n->field->info->name);
	n->numeric = len_last || (eng_ftype_is_numeric(t) && t != ENG_FT_BOOL);
	n->is_signed = len_last || t == ENG_FT_INT64;
	if (nch && !(n->scratch = malloc(ENG_FIELD_BUF)))
		return -ENOMEM;
	if (n->op == OP_EXISTS)
		return 0;

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
	} else if (rhs->kind == ENG_AST_TRANSFORM && !strcmp(rhs->str, "val") &&
		   rhs->kids[0]->kind == ENG_AST_FIELD && a->mod == ENG_MOD_NONE &&
		   n->op != OP_IN && n->op != OP_INTERSECTS && n->op != OP_PMATCH) {
		const struct eng_ast *rf = rhs->kids[0];
		if (!(n->rhs = calloc(1, sizeof(*n->rhs))))
			return -ENOMEM;
		if ((rc = eng_field_resolve(n->rhs, rf->str, rf->arg, why, sizeof(why)))) {
			free(n->rhs);
			n->rhs = NULL;
			return fail(err, rf, "%s", why);
		}
		if (n->op == OP_BCONTAINS || n->op == OP_BSTARTSWITH)
			return fail(err, rhs, "byte operators take hex literals, not fields%s", NULL);
		return 0;
	} else if (rhs->kind != ENG_AST_VALUE) {
		return fail(err, rhs, "comparing with transformed fields is not supported yet%s",
			    NULL);
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
	if (!strcmp(n->field->info->name, "evt.type") && !nch &&
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
	const char *name = n->field->info->name;
	if (n->types)
		n->cost = 1;
	else if (!strncmp(name, "evt.arg", 7) || !strcmp(name, "evt.info") || n->any_ancestor ||
		 n->rhs)
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
	case OP_REGEX: return regexec(l->re, s, 0, NULL, 0) == 0;
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

/* Standard base64; stops at the first character outside the alphabet. */
static size_t b64_decode(const char *in, size_t len, char *out, size_t cap)
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
			*len = b64_decode(s, *len, n->scratch, ENG_FIELD_BUF - 1);
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

/* "a = val(b)": both sides extracted, compared as numbers when both are. */
static int compare_fields(struct node *n, const struct eng_value *v, const struct eng_ctx *c)
{
	struct eng_value w;
	char a[64], b[64];
	if (eng_field_extract(n->rhs, c, &w))
		return 0;
	if (n->numeric && eng_ftype_is_numeric(n->rhs->type) && !n->nxf)
		return num_cmp1(n->op == OP_NE ? OP_NE : n->op, v->n, w.n, n->is_signed);
	const char *rs = eng_value_str(n->rhs, &w, b, sizeof(b));
	struct lit l = {.s = (char *)rs, .len = strlen(rs)};
	struct eng_value lv = *v;
	if (!lv.s || n->field->type == ENG_FT_IPADDR || n->field->type == ENG_FT_BOOL) {
		lv.s = eng_value_str(n->field, v, a, sizeof(a));
		lv.len = strlen(lv.s);
	}
	int64_t dummy;
	size_t len = lv.len;
	const char *s = n->nxf ? apply_xf(n, lv.s, &len, &dummy) : lv.s;
	if (!s)
		return 0;
	switch (n->op) {
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: {
		int cmp = strcmp(s, l.s);
		return n->op == OP_LT ? cmp < 0 : n->op == OP_LE ? cmp <= 0
			: n->op == OP_GT ? cmp > 0 : cmp >= 0;
	}
	case OP_NE:
		return !str_cmp1(OP_EQ, s, len, &l);
	default:
		return str_cmp1(n->op, s, len, &l);
	}
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
	if (n->rhs) {
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
