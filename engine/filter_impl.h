/*
 * What engine/filter*.c share, and nothing else includes: the compiled
 * filter's nodes, literals and transformer expressions. filter.c compiles
 * a condition tree, filter_xform.c compiles transformer expressions,
 * filter_eval.c evaluates both. Not an API: that is eng_filter.h.
 */
#ifndef FILTER_IMPL_H
#define FILTER_IMPL_H

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_xform.h"
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

struct lit {
	int64_t n;       /* numbers, bools, ports */
	char *s;         /* strings */
	size_t len;
	uint8_t ip[16];  /* IPADDR: address, and the prefix length for nets */
	uint8_t iplen;   /* 4 or 16 */
	uint8_t prefix;  /* bits that must match */
	struct eng_glob *glob; /* glob, iglob: the compiled pattern */
	struct eng_regex *re;  /* regex: compiled once */
	int pglob;             /* pmatch: a pattern with globs, not in the trie */
};

/* A transformer expression the simple left-hand chain (tolower, toupper,
 * b64, basename, len over one field) cannot hold: join, concat, getopt,
 * "(a, b)" lists, and every transformer or val() on the right-hand side.
 * Each node keeps its last value; evaluating allocates nothing. */
enum xk { XK_FIELD = ENG_XF_END, XK_VALUE, XK_LIST };

#define XITEMS 256 /* values one list keeps: the rest are dropped */

struct xexpr {
	int kind;      /* an enum eng_xf (a transformer), or an enum xk */
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
	enum eng_xf xf[4];  /* the chain's transformers, innermost first */
	unsigned nxf;
	int any_ancestor;   /* proc.aname / proc.apid without an index */
	int numeric;        /* compare as numbers */
	int is_signed;
	int allof;          /* list modifier allof: every value must match */
	enum eng_ast_mod mod; /* oneof/anyof/allof: each value compared with op */
	enum cmpkind ck;
	size_t slot;        /* 1 + index in the filter's slots; 0: extracted directly */
	struct eng_set *set;     /* "in" and friends on long lists */
	struct eng_ptrie *trie;  /* pmatch */
	size_t npglob;           /* pmatch patterns with globs (vals[].pglob) */
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

static inline int fail(struct eng_parse_error *err, const struct eng_ast *a, const char *fmt,
		       const char *arg)
{
	if (err) {
		err->pos = a->pos;
		snprintf(err->msg, sizeof(err->msg), fmt, arg ? arg : "");
	}
	return -EINVAL;
}

/* getopt(3)'s optstring: 1 for a valid option, 2 for one taking a value. */
static inline void parse_optstring(const char *s, size_t len, uint8_t *opts)
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

/* filter_xform.c */
int eng_xcompile(const struct eng_ast *a, struct xexpr **out, struct eng_parse_error *err);
void eng_xexpr_free(struct xexpr *x);

#endif
