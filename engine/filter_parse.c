/* Recursive-descent parser for the condition language (see eng_ast.h). */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_ast.h"

#define MAX_DEPTH 100

struct parser {
	const char *in;
	size_t len;
	struct eng_pos pos;
	unsigned depth;
	int failed;
	int nomem;
	struct eng_parse_error *err;
	char last[64]; /* the last token, for "unexpected token after" */
	size_t vlen;   /* the last quoted string's length when it holds a NUL */
};

static const char *const transformers[] = {"tolower(", "toupper(", "b64(", "basename(",
					   "len(", "join(", "concat(", "getopt(", NULL};

static void fail(struct parser *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = 1;
	if (p->err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
		va_end(ap);
		p->err->pos = p->pos;
	}
}

static const char *cur(const struct parser *p) { return p->in + p->pos.idx; }

static void advance(struct parser *p, size_t n)
{
	for (size_t i = 0; i < n && p->pos.idx < p->len; i++) {
		char c = p->in[p->pos.idx];
		p->pos.col++;
		if (c == '\r' || c == '\n') {
			p->pos.col = 1;
			p->pos.line++;
		}
		p->pos.idx++;
	}
}

static void set_last(struct parser *p, const char *s, size_t n)
{
	if (n >= sizeof(p->last))
		n = sizeof(p->last) - 1;
	memcpy(p->last, s, n);
	p->last[n] = 0;
}

static int is_blank(char c) { return c == ' ' || c == '\t' || c == '\b' || c == '\r' || c == '\n'; }
/* [[:space:]] in the POSIX classes the upstream grammar uses. */
static int is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

static int lex_blank(struct parser *p)
{
	size_t n = 0;
	while (is_blank(cur(p)[n]))
		n++;
	advance(p, n);
	return n > 0;
}

static int lex_str(struct parser *p, const char *s)
{
	size_t n = strlen(s);
	if (strncmp(cur(p), s, n) != 0)
		return 0;
	set_last(p, s, n);
	advance(p, n);
	return 1;
}

/* Length of [a-zA-Z]+[a-zA-Z0-9_]* at s, 0 if none. */
static size_t ident_len(const char *s)
{
	size_t n = 0;
	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_')
		n++;
	return n;
}

/* Length of ident(.ident)+ at s, 0 if none. */
static size_t fieldname_len(const char *s)
{
	size_t n = ident_len(s), parts = 1;
	if (!n)
		return 0;
	while (s[n] == '.') {
		size_t k = ident_len(s + n + 1);
		if (!k)
			break;
		n += 1 + k;
		parts++;
	}
	return parts > 1 ? n : 0;
}

static char *take(struct parser *p, size_t n)
{
	char *s = strndup(cur(p), n);
	if (!s) {
		p->nomem = 1;
		fail(p, "out of memory");
		return NULL;
	}
	set_last(p, cur(p), n);
	advance(p, n);
	return s;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 16;
}

/* Unescapes the quoted token tok (with its quotes) into a new string. */
static char *unescape(struct parser *p, const char *tok, size_t n)
{
	char *out = malloc(n + 1), *o = out;
	if (!out) {
		p->nomem = 1;
		fail(p, "out of memory");
		return NULL;
	}
	char q = tok[0];
	for (size_t i = 1; i + 1 < n; i++) {
		if (tok[i] != '\\') {
			*o++ = tok[i];
			continue;
		}
		char c = tok[++i];
		switch (c) {
		case 'b': *o++ = '\b'; break;
		case 'f': *o++ = '\f'; break;
		case 'n': *o++ = '\n'; break;
		case 'r': *o++ = '\r'; break;
		case 't': *o++ = '\t'; break;
		case ' ': /* tolerated for old rules files: "\ " reads as a backslash */
		case '\\': *o++ = '\\'; break;
		case '/': *o++ = '/'; break;
		case 'x': { /* a byte, two hex digits, as current libs reads it */
			unsigned hi, lo;
			if (i + 3 >= n) {
				free(out);
				fail(p, "truncated hex char escape sequence%s", "");
				return NULL;
			}
			hi = (unsigned)hexval(tok[i + 1]);
			lo = (unsigned)hexval(tok[i + 2]);
			if (hi > 15 || lo > 15) {
				free(out);
				fail(p, "invalid hex char escape sequence: %.2s", tok + i + 1);
				return NULL;
			}
			*o++ = (char)(hi << 4 | lo);
			i += 2;
			break;
		}
		case '"':
		case '\'':
			if (c != q) {
				free(out);
				fail(p, "invalid \\%c escape in %c-quoted string", c, q);
				return NULL;
			}
			*o++ = c;
			break;
		default:
			free(out);
			fail(p, "unsupported string escape sequence: \\%c", c);
			return NULL;
		}
	}
	*o = 0;
	p->vlen = memchr(out, 0, (size_t)(o - out)) ? (size_t)(o - out) : 0;
	return out;
}

/* A quoted string: ends at the first unescaped matching quote. */
static char *lex_quoted(struct parser *p)
{
	const char *s = cur(p);
	if (*s != '"' && *s != '\'')
		return NULL;
	char prev = '\\';
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == s[0] && prev != '\\') {
			struct eng_pos start = p->pos;
			char *v = unescape(p, s, i + 1);
			if (!v) {
				p->pos = start;
				return NULL;
			}
			set_last(p, s, i + 1);
			advance(p, i + 1);
			return v;
		}
		prev = s[i];
	}
	return NULL;
}

static size_t span_not(const char *s, const char *reject, int no_space)
{
	size_t n = 0;
	while (s[n] && !strchr(reject, s[n]) && !(no_space && is_space(s[n])))
		n++;
	return n;
}

static char *lex_bare(struct parser *p)
{
	size_t n = span_not(cur(p), "()\"'=,", 1);
	return n ? take(p, n) : NULL;
}

static char *lex_field_arg_bare(struct parser *p)
{
	size_t n = span_not(cur(p), "[]\"'", 1);
	return n ? take(p, n) : NULL;
}

static size_t hexnum_len(const char *s)
{
	if (s[0] != '0' || (s[1] != 'x' && s[1] != 'X') || !isalnum((unsigned char)s[2]))
		return 0;
	size_t n = 2;
	while (isalnum((unsigned char)s[n]))
		n++;
	return n;
}

/* [+-]?[0-9]+\.?[0-9]*([eE][+-][0-9]+)? */
static size_t num_len(const char *s)
{
	size_t n = 0;
	if (s[n] == '+' || s[n] == '-')
		n++;
	if (!isdigit((unsigned char)s[n]))
		return 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (s[n] == '.')
		n++;
	while (isdigit((unsigned char)s[n]))
		n++;
	if ((s[n] == 'e' || s[n] == 'E') && (s[n + 1] == '+' || s[n + 1] == '-') &&
	    isdigit((unsigned char)s[n + 2])) {
		n += 2;
		while (isdigit((unsigned char)s[n]))
			n++;
	}
	return n;
}

static struct eng_ast *node(struct parser *p, enum eng_ast_kind kind, struct eng_pos pos)
{
	struct eng_ast *a = calloc(1, sizeof(*a));
	if (!a) {
		p->nomem = 1;
		fail(p, "out of memory");
		return NULL;
	}
	a->kind = kind;
	a->pos = pos;
	return a;
}

static int add_kid(struct parser *p, struct eng_ast *a, struct eng_ast *kid)
{
	struct eng_ast **k = realloc(a->kids, (a->nkids + 1) * sizeof(*k));
	if (!k) {
		eng_ast_free(kid);
		p->nomem = 1;
		fail(p, "out of memory");
		return -1;
	}
	a->kids = k;
	a->kids[a->nkids++] = kid;
	return 0;
}

void eng_ast_free(struct eng_ast *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nkids; i++)
		eng_ast_free(a->kids[i]);
	free(a->kids);
	free(a->str);
	free(a->arg);
	free(a);
}

static int enter(struct parser *p)
{
	if (++p->depth >= MAX_DEPTH) {
		fail(p, "exceeded max depth limit of %d", MAX_DEPTH);
		return -1;
	}
	return 0;
}

static struct eng_ast *parse_or(struct parser *p);

/* After "(": an expression, then ")". */
static struct eng_ast *parse_embedded(struct parser *p)
{
	if (enter(p))
		return NULL;
	lex_blank(p);
	struct eng_ast *a = parse_or(p);
	if (a) {
		lex_blank(p);
		if (!lex_str(p, ")")) {
			fail(p, "expected a ')' token");
			eng_ast_free(a);
			a = NULL;
		}
	}
	p->depth--;
	return a;
}

/* An optional "[arg]" after a field or a transformer: 0 (*arg set when
 * there is one), -1 on a parse error. */
static int bracket_arg(struct parser *p, char **arg)
{
	if (!lex_str(p, "["))
		return 0;
	*arg = lex_quoted(p);
	if (!*arg && !p->failed)
		*arg = lex_field_arg_bare(p);
	if (!*arg) {
		fail(p, "expected a valid field argument: a quoted string or a bare string");
		return -1;
	}
	if (!lex_str(p, "]")) {
		fail(p, "expected a ']' token");
		return -1;
	}
	return 0;
}

static struct eng_ast *field_remainder(struct parser *p, struct eng_pos pos, size_t namelen)
{
	struct eng_ast *f = node(p, ENG_AST_FIELD, pos);
	if (!f || !(f->str = take(p, namelen)))
		goto err;
	if (bracket_arg(p, &f->arg))
		goto err;
	return f;
err:
	eng_ast_free(f);
	return NULL;
}

static size_t transformer_len(const char *s)
{
	for (int i = 0; transformers[i]; i++)
		if (strncmp(s, transformers[i], strlen(transformers[i])) == 0)
			return strlen(transformers[i]);
	return 0;
}

static struct eng_ast *parse_transformer(struct parser *p, struct eng_pos pos, size_t toklen);

static struct eng_ast *value_node(struct parser *p, struct eng_pos pos, char *v);

/* A number (decimal or hex) or a quoted string as a transformer argument;
 * NULL without failing when neither is there. */
static struct eng_ast *parse_arg_literal(struct parser *p, struct eng_pos pos)
{
	size_t n = hexnum_len(cur(p));
	if (!n)
		n = num_len(cur(p));
	char *v = n ? take(p, n) : lex_quoted(p);
	return v ? value_node(p, pos, v) : NULL;
}

/* "(a, b, ...)" inside a transformer, after its "(": fields, transformers,
 * quoted strings and numbers (join's list). */
static struct eng_ast *parse_tlist(struct parser *p, struct eng_pos pos)
{
	struct eng_ast *l = node(p, ENG_AST_TLIST, pos), *item;
	if (!l || enter(p))
		goto err_nodepth;
	lex_blank(p);
	if (lex_str(p, ")")) {
		p->depth--;
		return l;
	}
	for (;;) {
		lex_blank(p);
		struct eng_pos ipos = p->pos;
		size_t n;
		item = NULL;
		if ((n = fieldname_len(cur(p))))
			item = field_remainder(p, ipos, n);
		else if ((n = transformer_len(cur(p))))
			item = parse_transformer(p, ipos, n);
		else if (!(item = parse_arg_literal(p, ipos)) && !p->failed)
			fail(p, "expected transformer list argument: field, transformer, quoted "
				"string, or number");
		if (!item || add_kid(p, l, item))
			goto err;
		lex_blank(p);
		if (lex_str(p, ","))
			continue;
		if (lex_str(p, ")"))
			break;
		fail(p, "expected ')'");
		goto err;
	}
	p->depth--;
	return l;
err:
	p->depth--;
err_nodepth:
	eng_ast_free(l);
	return NULL;
}

/* name( arg, ... ) [ "[" fieldarg "]" ]: the cursor is on the name. An
 * argument is a number, a quoted string, a "(...)" list, a transformer or
 * a field; the compiler checks how many and of what type. */
static struct eng_ast *parse_transformer(struct parser *p, struct eng_pos pos, size_t toklen)
{
	if (enter(p))
		return NULL;
	struct eng_ast *t = node(p, ENG_AST_TRANSFORM, pos), *kid;
	if (!t || !(t->str = take(p, toklen)))
		goto err;
	t->str[toklen - 1] = 0; /* drop the '(' */
	do {
		lex_blank(p);
		struct eng_pos apos = p->pos;
		size_t n;
		kid = parse_arg_literal(p, apos);
		if (!kid && !p->failed && lex_str(p, "("))
			kid = parse_tlist(p, apos);
		else if (!kid && !p->failed && (n = transformer_len(cur(p))))
			kid = parse_transformer(p, apos, n);
		else if (!kid && !p->failed && (n = fieldname_len(cur(p))))
			kid = field_remainder(p, apos, n);
		if (!kid && !p->failed)
			fail(p, "expected a field or a nested valid transformer: 'val', 'tolower', "
				"'toupper', 'b64', 'basename', 'len', 'join', 'concat', 'getopt'");
		if (!kid || add_kid(p, t, kid))
			goto err;
		lex_blank(p);
	} while (lex_str(p, ","));
	if (!lex_str(p, ")")) {
		fail(p, "expected a ')' token closing the transformer");
		goto err;
	}
	/* getopt(...)[t]: an argument, as a field's */
	if (bracket_arg(p, &t->arg))
		goto err;
	p->depth--;
	return t;
err:
	eng_ast_free(t);
	p->depth--;
	return NULL;
}

/* val(field) or a transformer; NULL without failing if neither is there. */
static struct eng_ast *try_transformer_or_val(struct parser *p)
{
	struct eng_pos pos = p->pos;
	size_t n;
	if (strncmp(cur(p), "val(", 4) == 0) {
		struct eng_ast *t = node(p, ENG_AST_TRANSFORM, pos), *f;
		if (!t || !(t->str = take(p, 4)))
			goto err;
		t->str[3] = 0;
		lex_blank(p);
		struct eng_pos fpos = p->pos;
		if (!(n = fieldname_len(cur(p)))) {
			fail(p, "expected a field within 'val' transformer");
			goto err;
		}
		if (!(f = field_remainder(p, fpos, n)) || add_kid(p, t, f))
			goto err;
		lex_blank(p);
		if (!lex_str(p, ")")) {
			fail(p, "expected a ')' token closing the transformer");
			goto err;
		}
		return t;
err:
		eng_ast_free(t);
		return NULL;
	}
	if ((n = transformer_len(cur(p))))
		return parse_transformer(p, pos, n);
	return NULL;
}

static struct eng_ast *value_node(struct parser *p, struct eng_pos pos, char *v)
{
	struct eng_ast *a = node(p, ENG_AST_VALUE, pos);
	if (!a) {
		free(v);
		return NULL;
	}
	a->str = v;
	a->quoted = pos.idx < p->len && (p->in[pos.idx] == '"' || p->in[pos.idx] == '\'');
	a->len = a->quoted ? p->vlen : 0;
	p->vlen = 0;
	return a;
}

static struct eng_ast *parse_str_value(struct parser *p, int allow_transformer)
{
	lex_blank(p);
	struct eng_pos pos = p->pos;
	if (allow_transformer) {
		struct eng_ast *t = try_transformer_or_val(p);
		if (t || p->failed)
			return t;
	}
	char *v = lex_quoted(p);
	if (!v && !p->failed)
		v = lex_bare(p);
	if (v)
		return value_node(p, pos, v);
	fail(p, allow_transformer ? "expected a string value or a field with a valid transformer"
				  : "expected a string value");
	return NULL;
}

static struct eng_ast *parse_num_value(struct parser *p)
{
	lex_blank(p);
	struct eng_pos pos = p->pos;
	struct eng_ast *t = try_transformer_or_val(p);
	if (t || p->failed)
		return t;
	size_t n = hexnum_len(cur(p));
	if (!n)
		n = num_len(cur(p));
	if (n) {
		char *v = take(p, n);
		return v ? value_node(p, pos, v) : NULL;
	}
	fail(p, "expected a number value or a field with a valid transformer");
	return NULL;
}

/* "(a, 'b', c)" after the cursor; empty lists are fine. */
static struct eng_ast *parse_list_literal(struct parser *p, struct eng_pos pos)
{
	struct eng_ast *l = node(p, ENG_AST_LIST, pos);
	if (!l)
		return NULL;
	lex_blank(p);
	struct eng_pos save = p->pos;
	struct eng_ast *v = NULL;
	/* a first value, or an empty list */
	char *s = lex_quoted(p);
	if (!s && !p->failed)
		s = lex_bare(p);
	if (p->failed)
		goto err;
	if (s) {
		if (!(v = value_node(p, save, s)) || add_kid(p, l, v))
			goto err;
		lex_blank(p);
		while (lex_str(p, ",")) {
			if (!(v = parse_str_value(p, 0)) || add_kid(p, l, v))
				goto err;
			lex_blank(p);
		}
	}
	if (!lex_str(p, ")")) {
		fail(p, "expected a ')' token");
		goto err;
	}
	return l;
err:
	eng_ast_free(l);
	return NULL;
}

static struct eng_ast *parse_list_value(struct parser *p)
{
	lex_blank(p);
	struct eng_pos pos = p->pos;
	if (lex_str(p, "("))
		return parse_list_literal(p, pos);
	struct eng_ast *t = try_transformer_or_val(p);
	if (t || p->failed)
		return t;
	size_t n = ident_len(cur(p));
	if (n) {
		char *v = take(p, n);
		return v ? value_node(p, pos, v) : NULL;
	}
	fail(p, "expected a list, an identifier, or a field with a valid transformer");
	return NULL;
}

static int is_keyword(const char *s, size_t n)
{
	return (n == 3 && (!strncmp(s, "and", 3) || !strncmp(s, "not", 3))) ||
	       (n == 2 && !strncmp(s, "or", 2));
}

/* "oneof (" / "anyof name" right after a string operator and a blank. */
static enum eng_ast_mod lex_list_modifier(struct parser *p)
{
	static const struct { const char *s; enum eng_ast_mod m; } mods[] = {
		{"oneof", ENG_MOD_ONEOF}, {"anyof", ENG_MOD_ANYOF}, {"allof", ENG_MOD_ALLOF}};
	const char *s = cur(p);
	for (size_t i = 0; i < sizeof(mods) / sizeof(mods[0]); i++) {
		if (strncmp(s, mods[i].s, 5) != 0 || !is_blank(s[5]))
			continue;
		size_t k = 5;
		while (is_blank(s[k]))
			k++;
		size_t id = ident_len(s + k);
		if (s[k] == '(' || (id && !is_keyword(s + k, id))) {
			advance(p, k);
			return mods[i].m;
		}
	}
	return ENG_MOD_NONE;
}

static struct eng_ast *parse_condition(struct parser *p, struct eng_ast *left, struct eng_pos pos)
{
	static const char *const num_ops[] = {"<=", "<", ">=", ">", NULL};
	static const char *const str_ops[] = {"==", "=", "!=", "glob ", "iglob ", "contains ",
		"icontains ", "bcontains ", "startswith ", "bstartswith ", "endswith ", "regex ", NULL};
	static const char *const list_ops[] = {"intersects", "in", "pmatch", NULL};
	struct eng_ast *c = NULL, *right = NULL;
	const char *op = NULL;
	int kind = 0;

	if (enter(p))
		goto err;
	lex_blank(p);
	if (lex_str(p, "exists")) {
		if (!(c = node(p, ENG_AST_UNARY, pos)) || !(c->str = strdup("exists")))
			goto nomem;
		if (add_kid(p, c, left)) {
			left = NULL;
			goto err;
		}
		p->depth--;
		return c;
	}
	for (int i = 0; !op && num_ops[i]; i++)
		if (lex_str(p, num_ops[i]))
			op = num_ops[i], kind = 1;
	for (int i = 0; !op && str_ops[i]; i++)
		if (lex_str(p, str_ops[i]))
			op = str_ops[i], kind = 2;
	for (int i = 0; !op && list_ops[i]; i++)
		if (lex_str(p, list_ops[i]))
			op = list_ops[i], kind = 3;
	if (!op) {
		fail(p, "expected a valid check operator: one of 'exists', '<=', '<', '>=', '>', "
			"'==', '=', '!=', 'glob', 'iglob', 'contains', 'icontains', 'bcontains', "
			"'startswith', 'bstartswith', 'endswith', 'regex', 'intersects', 'in', 'pmatch'");
		goto err;
	}
	if (!(c = node(p, ENG_AST_BINARY, pos)))
		goto err;
	if (kind == 1) {
		right = parse_num_value(p);
	} else if (kind == 2) {
		int blank = op[strlen(op) - 1] == ' ';
		blank |= lex_blank(p);
		if (blank && (c->mod = lex_list_modifier(p)) != ENG_MOD_NONE)
			right = parse_list_value(p);
		else
			right = parse_str_value(p, 1);
	} else {
		right = parse_list_value(p);
	}
	if (!right)
		goto err;
	size_t oplen = strlen(op);
	if (op[oplen - 1] == ' ')
		oplen--;
	if (!(c->str = strndup(op, oplen)))
		goto nomem;
	if (add_kid(p, c, left)) {
		left = NULL;
		goto err;
	}
	left = NULL;
	if (add_kid(p, c, right)) {
		right = NULL;
		goto err;
	}
	p->depth--;
	return c;
nomem:
	p->nomem = 1;
	fail(p, "out of memory");
err:
	eng_ast_free(left);
	eng_ast_free(right);
	eng_ast_free(c);
	p->depth--;
	return NULL;
}

static struct eng_ast *parse_check(struct parser *p)
{
	lex_blank(p);
	struct eng_pos pos = p->pos;
	if (lex_str(p, "("))
		return parse_embedded(p);
	size_t n;
	struct eng_ast *left = NULL;
	if ((n = fieldname_len(cur(p))))
		left = field_remainder(p, pos, n);
	else if ((n = transformer_len(cur(p))))
		left = parse_transformer(p, pos, n);
	else if ((n = ident_len(cur(p)))) {
		struct eng_ast *id = node(p, ENG_AST_IDENT, pos);
		if (id && !(id->str = take(p, n))) {
			eng_ast_free(id);
			id = NULL;
		}
		return id;
	} else {
		fail(p, "expected a '(' token, a field check, or an identifier");
		return NULL;
	}
	if (!left)
		return NULL;
	return parse_condition(p, left, pos);
}

static struct eng_ast *parse_not(struct parser *p)
{
	if (enter(p))
		return NULL;
	lex_blank(p);
	struct eng_pos pos = p->pos;
	int neg = 0;
	struct eng_ast *kid;
	for (;;) {
		const char *s = cur(p);
		if (strncmp(s, "not", 3) != 0 || !is_space(s[3]))
			break;
		size_t n = 3;
		while (is_space(s[n]))
			n++;
		set_last(p, s, 3);
		advance(p, n);
		neg = !neg;
	}
	if (lex_str(p, "not(")) {
		neg = !neg;
		kid = parse_embedded(p);
	} else {
		kid = parse_check(p);
	}
	if (kid && neg) {
		struct eng_ast *n = node(p, ENG_AST_NOT, pos);
		if (!n || add_kid(p, n, kid)) {
			if (!n)
				eng_ast_free(kid);
			eng_ast_free(n);
			kid = NULL;
		} else {
			kid = n;
		}
	}
	p->depth--;
	return kid;
}

/* and/or: one level of the binary chain. */
static struct eng_ast *parse_chain(struct parser *p, enum eng_ast_kind kind)
{
	const char *kw = kind == ENG_AST_OR ? "or" : "and";
	struct eng_ast *first, *n = NULL;
	if (enter(p))
		return NULL;
	lex_blank(p);
	struct eng_pos pos = p->pos;
	first = kind == ENG_AST_OR ? parse_chain(p, ENG_AST_AND) : parse_not(p);
	if (!first)
		goto err;
	lex_blank(p);
	while (lex_str(p, kw)) {
		struct eng_ast *kid;
		if (!lex_blank(p)) {
			if (!lex_str(p, "(")) {
				fail(p, "expected blank or '(' after '%s'", kw);
				goto err;
			}
			kid = parse_embedded(p);
		} else {
			kid = kind == ENG_AST_OR ? parse_chain(p, ENG_AST_AND) : parse_not(p);
		}
		if (!kid)
			goto err;
		if (!n) {
			if (!(n = node(p, kind, pos)) || add_kid(p, n, first)) {
				eng_ast_free(kid);
				if (!n)
					goto err;
				first = NULL;
				goto err;
			}
			first = NULL;
		}
		if (add_kid(p, n, kid))
			goto err;
		lex_blank(p);
	}
	p->depth--;
	return n ? n : first;
err:
	eng_ast_free(first);
	eng_ast_free(n);
	p->depth--;
	return NULL;
}

static struct eng_ast *parse_or(struct parser *p) { return parse_chain(p, ENG_AST_OR); }

int eng_parse(const char *input, struct eng_ast **out, struct eng_parse_error *err)
{
	struct parser p = {.in = input, .len = strlen(input), .pos = {0, 1, 1}, .err = err};
	*out = NULL;
	if (p.len == 0) {
		fail(&p, "filter input string is empty");
		return -EINVAL;
	}
	struct eng_ast *a = parse_or(&p);
	if (a && p.pos.idx != p.len) {
		fail(&p, "unexpected token after '%s', expecting 'or', 'and'", p.last);
		eng_ast_free(a);
		a = NULL;
	}
	if (!a)
		return p.nomem ? -ENOMEM : -EINVAL;
	*out = a;
	return 0;
}

void eng_parse_error_explain(const char *input, const struct eng_parse_error *err,
			     char *buf, size_t cap)
{
	/* show the line the error is on, with a caret under the column */
	const char *ls = input;
	for (uint32_t l = 1; l < err->pos.line && strchr(ls, '\n'); l++)
		ls = strchr(ls, '\n') + 1;
	size_t ll = strcspn(ls, "\r\n");
	int n = snprintf(buf, cap, "filter:%u:%u: %s\n  %.*s\n  %*s^", err->pos.line,
			 err->pos.col, err->msg, (int)ll, ls,
			 (int)(err->pos.col > 0 ? err->pos.col - 1 : 0), "");
	(void)n;
}

