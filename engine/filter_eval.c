/* Evaluates a compiled filter against an event, transformer expressions
   included, and the standalone expressions of eng_fexpr (see eng_filter.h). */
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

static const char *apply_xf(struct node *n, const char *s, size_t *len, int64_t *num_out)
{
	for (unsigned i = 0; i < n->nxf; i++) {
		size_t k = *len < ENG_FIELD_BUF - 1 ? *len : ENG_FIELD_BUF - 1;
		if (n->xf[i] == ENG_XF_LEN) {
			*num_out = (int64_t)*len;
			return NULL;
		}
		*len = eng_xf_map(n->xf[i], s, k, n->scratch, 0, ENG_FIELD_BUF);
		s = n->scratch;
	}
	return s;
}

/* "op oneof/anyof/allof (...)" as libs has it: each value compared with
 * op itself ("!= anyof": differs from some value), exactly one / some /
 * every value matching; an empty list matches nothing. */
static int compare_mod(struct node *n, const struct eng_value *v, const char *s, size_t len,
		       int64_t num)
{
	if (!n->nvals)
		return 0;
	if (n->set) { /* "= anyof" and "!= allof": membership */
		int has = n->ck == CK_NUM ? eng_set_has_num(n->set, num)
					  : eng_set_has_str(n->set, s, len);
		return n->mod == ENG_MOD_ANYOF ? has : !has;
	}
	size_t hits = 0;
	for (size_t i = 0; i < n->nvals; i++) {
		const struct lit *l = &n->vals[i];
		/* addresses compare for equality only, as in libs */
		int m = n->ck == CK_IP    ? ip_match(v, l) == (n->op != OP_NE)
			: n->ck == CK_NUM ? num_cmp1(n->op, num, l->n, n->is_signed)
					  : str_cmp1(n->op, s, len, l);
		if (m && n->mod == ENG_MOD_ANYOF)
			return 1;
		if (!m && n->mod == ENG_MOD_ALLOF)
			return 0;
		if (m && ++hits > 1 && n->mod == ENG_MOD_ONEOF)
			return 0;
	}
	return n->mod == ENG_MOD_ALLOF || (n->mod == ENG_MOD_ONEOF && hits == 1);
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
	if (n->mod != ENG_MOD_NONE)
		return compare_mod(n, v, s, len, num);
	int neg = n->op == OP_NE;
	enum op op = neg ? OP_EQ : n->op;
	int r;
	if (n->set) {
		r = n->ck == CK_NUM ? eng_set_has_num(n->set, num) : eng_set_has_str(n->set, s, len);
	} else if (n->trie) {
		r = eng_ptrie_match(n->trie, s, len);
		for (size_t i = 0; !r && n->npglob && i < n->nvals; i++)
			r = n->vals[i].pglob && eng_pmatch_glob(n->vals[i].s, n->vals[i].len, s, len);
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
	case ENG_XF_TOLOWER:
	case ENG_XF_TOUPPER:
	case ENG_XF_BASENAME:
	case ENG_XF_B64: {
		struct xexpr *k = x->kids[0];
		if (xeval(k, c))
			return -1;
		if (!k->is_list) {
			x->len = eng_xf_map(x->kind, k->s, k->len, x->buf, 0, ENG_FIELD_BUF);
			x->s = x->buf;
			return 0;
		}
		size_t off[XITEMS], len[XITEMS];
		for (size_t i = 0; i < k->nitems; i++) {
			off[i] = pos;
			pos = eng_xf_map(x->kind, k->item[i], k->ilen[i], x->buf, pos, ENG_FIELD_BUF);
			len[i] = pos - off[i];
			pos = pos < ENG_FIELD_BUF - 1 ? pos + 1 : pos;
		}
		x->nitems = 0;
		for (size_t i = 0; i < k->nitems; i++)
			xadd_item(x, x->buf + off[i], len[i]);
		return 0;
	}
	case ENG_XF_LEN: {
		struct xexpr *k = x->kids[0];
		if (xeval(k, c))
			return -1;
		x->num = (int64_t)(k->is_list ? k->nitems : k->len);
		x->len = (size_t)snprintf(x->buf, ENG_FIELD_BUF, "%lld", (long long)x->num);
		x->s = x->buf;
		return 0;
	}
	case ENG_XF_JOIN: {
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
	case ENG_XF_CONCAT:
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
	case ENG_XF_GETOPT: {
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
	if ((rc = eng_xcompile(operand, &e->x, err)) || !(e->buf = malloc(ENG_FIELD_BUF))) {
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
	eng_xexpr_free(e->x);
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
