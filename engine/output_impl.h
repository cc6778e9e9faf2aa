/*
 * The compiled form of an output format, shared by output.c (which builds
 * it) and output_render.c (which renders events with it). Private to them.
 */
#ifndef ENG_OUTPUT_IMPL_H
#define ENG_OUTPUT_IMPL_H

#include <stddef.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "eng_xform.h"

/* A transformer expression, Falco's output syntax: %toupper(proc.name),
 * %concat(a, b), %join("sep", (a, b)), nested. */
enum xkind { X_FIELD = ENG_XF_END,
	     X_EXPR /* what the syntax here lacks (getopt, literals): the filter's */ };

struct xnode {
	int kind;                   /* an enum eng_xf (a transformer), or an enum xkind */
	struct eng_fieldref *field; /* X_FIELD */
	char *sep;                  /* X_JOIN */
	size_t nkids;
	struct xnode **kids;
	char *scratch;              /* ENG_FIELD_BUF bytes: b64 and len work on a copy */
	char *name;                 /* X_FIELD: the field as written (a JSON key); X_EXPR:
				     * the expression's key; its fields are its kids */
	struct eng_fexpr *expr;     /* X_EXPR */
};

struct token {
	char *text;                /* literal text before the field (may be "") */
	size_t tlen;
	struct eng_fieldref *field; /* a plain field; NULL for a trailing literal */
	struct xnode *xf;          /* or a transformer expression */
	unsigned width;            /* 0: as is */
	char *name;                /* the field as written (a JSON key) */
};

/* A key of the JSON form: a plain field, a transformer expression or a
 * field inside one (libsinsp reports those too). Owned by the tokens. */
struct jkey {
	char *name;
	size_t ord;                 /* the token it comes from */
	struct eng_fieldref *field; /* a field, or */
	struct xnode *xf;           /* a transformer */
};

struct eng_output {
	int show_na; /* the format started with '*' */
	size_t ntok;
	struct token *tok;
	char *val; /* ENG_FIELD_BUF bytes: one rendered value */
	size_t nkeys;
	struct jkey *keys; /* sorted by name, unique: jsoncpp's object order */
};

/* Appends n bytes of s to buf at pos (cap bytes, kept NUL-terminated, cut
 * when full); the new position. */
static inline size_t put(char *buf, size_t cap, size_t pos, const char *s, size_t n)
{
	if (pos >= cap)
		return pos;
	size_t k = n < cap - 1 - pos ? n : cap - 1 - pos;
	memcpy(buf + pos, s, k);
	buf[pos + k] = 0;
	return pos + k;
}

#endif
