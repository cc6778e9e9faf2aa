/* sysdig -p lines and Falco's JSON output fields rendered from a compiled
 * format (output_impl.h): transformers evaluated, widths applied. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output_impl.h"
#include "shm_json.h"

/* Appends the value of x to out at *pos (cap bytes, kept NUL-terminated);
 * -1 when a field in it is not available. */
static int xeval(struct xnode *x, const struct eng_ctx *c, char *out, size_t cap, size_t *pos)
{
	size_t start = *pos;
	switch (x->kind) {
	case X_FIELD: {
		struct eng_value v;
		char tmp[64];
		if (eng_field_extract(x->field, c, &v))
			return -1;
		if (x->field->type == ENG_FT_BYTEBUF) {
			/* rendered in place: a buffer can be longer than tmp */
			eng_value_str(x->field, &v, out + *pos, cap - *pos);
			*pos += strlen(out + *pos);
			return 0;
		}
		const char *s = eng_value_str(x->field, &v, tmp, sizeof(tmp));
		*pos = put(out, cap, *pos, s, strlen(s));
		return 0;
	}
	case X_EXPR: {
		const char *s;
		size_t n;
		if (eng_fexpr_eval(x->expr, c, &s, &n))
			return -1;
		*pos = put(out, cap, *pos, s, n);
		return 0;
	}
	case ENG_XF_CONCAT:
	case ENG_XF_JOIN:
		for (size_t i = 0; i < x->nkids; i++) {
			if (i && x->sep)
				*pos = put(out, cap, *pos, x->sep, strlen(x->sep));
			if (xeval(x->kids[i], c, out, cap, pos))
				return -1;
		}
		return 0;
	case ENG_XF_TOLOWER:
	case ENG_XF_TOUPPER:
	case ENG_XF_BASENAME: {
		/* the argument rendered, then mapped where it stands */
		if (xeval(x->kids[0], c, out, cap, pos))
			return -1;
		*pos = eng_xf_map(x->kind, out + start, *pos - start, out, start, cap);
		return 0;
	}
	case ENG_XF_B64:
	case ENG_XF_LEN: {
		size_t k = 0;
		x->scratch[0] = 0;
		if (xeval(x->kids[0], c, x->scratch, ENG_FIELD_BUF, &k))
			return -1;
		if (x->kind == ENG_XF_LEN) {
			char num[24];
			int n = snprintf(num, sizeof(num), "%zu", k);
			*pos = put(out, cap, *pos, num, (size_t)n);
			return 0;
		}
		*pos = eng_xf_map(ENG_XF_B64, x->scratch, k, out, *pos, cap);
		return 0;
	}
	}
	return -1;
}

int eng_output_render(struct eng_output *o, const struct eng_ctx *c, char *buf, size_t cap)
{
	size_t pos = 0;
	if (cap == 0)
		return 0;
	buf[0] = 0;
	for (size_t i = 0; i < o->ntok; i++) {
		struct token *t = &o->tok[i];
		pos = put(buf, cap, pos, t->text, t->tlen);
		if (!t->field && !t->xf)
			continue;
		const char *s = NULL;
		size_t n = 0;
		int na;
		if (t->xf) {
			size_t k = 0;
			o->val[0] = 0;
			na = xeval(t->xf, c, o->val, ENG_FIELD_BUF, &k) != 0;
			s = o->val;
			n = strlen(s);
		} else {
			struct eng_value v;
			enum eng_ftype ft = t->field->type;
			na = eng_field_extract(t->field, c, &v) != 0;
			if (!na && v.s && (ft == ENG_FT_STR || ft == ENG_FT_DYN)) {
				s = v.s; /* printed as it is: no copy, the length is known */
				n = v.len;
			} else if (!na) {
				s = eng_value_str(t->field, &v, o->val, ENG_FIELD_BUF);
				n = strlen(s);
			}
		}
		if (na) {
			/* buf keeps the text up to here, as Falco's formatter does */
			if (!o->show_na)
				return -1;
			s = "<NA>";
			n = 4;
		}
		if (t->width) {
			if (n > t->width)
				n = t->width;
			pos = put(buf, cap, pos, s, n);
			for (size_t k = n; k < t->width; k++)
				pos = put(buf, cap, pos, " ", 1);
		} else {
			pos = put(buf, cap, pos, s, n);
		}
	}
	return (int)pos;
}



/* thread.ustack: its frames (joined by "; " in the text form) as an array
 * of strings, innermost first, for readers that want them one by one. */
static size_t put_jframes(char *buf, size_t cap, size_t pos, const char *s)
{
	pos = put(buf, cap, pos, "[", 1);
	for (int first = 1;; first = 0) {
		const char *end = strstr(s, "; ");
		size_t n = end ? (size_t)(end - s) : strlen(s);
		if (!first)
			pos = put(buf, cap, pos, ",", 1);
		pos = shm_json_put_string(buf, cap, pos, s, n);
		if (!end)
			break;
		s = end + 2;
	}
	return put(buf, cap, pos, "]", 1);
}

/* One value, typed as libsinsp's JSON has it: numbers and booleans bare,
 * the rest strings; -1 when not available. */
static int json_value(struct eng_output *o, const struct jkey *k, const struct eng_ctx *c,
		      char *buf, size_t cap, size_t *pos)
{
	if (k->xf) {
		size_t n = 0;
		o->val[0] = 0;
		if (xeval(k->xf, c, o->val, ENG_FIELD_BUF, &n))
			return -1;
		if (k->xf->kind == ENG_XF_LEN || (k->xf->kind == X_EXPR && eng_fexpr_numeric(k->xf->expr)))
			*pos = put(buf, cap, *pos, o->val, n);
		else
			*pos = shm_json_put_string(buf, cap, *pos, o->val, n);
		return 0;
	}
	struct eng_value v;
	char num[32];
	if (eng_field_extract(k->field, c, &v))
		return -1;
	const char *fn = k->field->info->name;
	if (!strcmp(fn, "evt.time") || !strcmp(fn, "evt.time.s") || !strcmp(fn, "evt.datetime")) {
		/* libsinsp's JSON has the event's timestamp, in ns, for these */
		snprintf(num, sizeof(num), "%llu", (unsigned long long)c->ev->evt.ts);
		*pos = put(buf, cap, *pos, num, strlen(num));
		return 0;
	}
	switch (k->field->type) {
	case ENG_FT_INT64:
		snprintf(num, sizeof(num), "%lld", (long long)v.n);
		break;
	case ENG_FT_UINT64:
	case ENG_FT_UINT32:
	case ENG_FT_PORT:
	case ENG_FT_ABSTIME:
	case ENG_FT_RELTIME:
		snprintf(num, sizeof(num), "%llu", (unsigned long long)(uint64_t)v.n);
		break;
	case ENG_FT_BOOL:
		snprintf(num, sizeof(num), "%s", v.n ? "true" : "false");
		break;
	default: {
		const char *s = eng_value_str(k->field, &v, o->val, ENG_FIELD_BUF);
		if (!strcmp(fn, "thread.ustack"))
			*pos = put_jframes(buf, cap, *pos, s);
		else
			*pos = shm_json_put_string(buf, cap, *pos, s, strlen(s));
		return 0;
	}
	}
	*pos = put(buf, cap, *pos, num, strlen(num));
	return 0;
}

int eng_output_render_json(struct eng_output *o, const struct eng_ctx *c, unsigned flags,
			   char *buf, size_t cap)
{
	size_t pos = 0, stop = o->ntok, nout = 0;
	if (cap == 0)
		return 0;
	buf[0] = 0;
	/* Without '*' the text form ends at the first missing field: the
	 * object keeps what came before it, as libsinsp's does. */
	int all = o->show_na || (flags & ENG_OUTPUT_JSON_ALL_FIELDS);
	for (size_t i = 0; i < o->ntok && !all; i++) {
		struct token *t = &o->tok[i];
		struct eng_value v;
		size_t n = 0;
		if ((t->field && eng_field_extract(t->field, c, &v)) ||
		    (t->xf && xeval(t->xf, c, o->val, ENG_FIELD_BUF, &n))) {
			stop = i;
			break;
		}
	}
	for (size_t i = 0; i < o->nkeys; i++) {
		const struct jkey *k = &o->keys[i];
		if (k->ord >= stop || (k->xf && (flags & ENG_OUTPUT_JSON_NO_TRANSFORMED)))
			continue;
		pos = put(buf, cap, pos, nout++ ? "," : "{", 1);
		pos = shm_json_put_string(buf, cap, pos, k->name, strlen(k->name));
		pos = put(buf, cap, pos, ":", 1);
		if (json_value(o, k, c, buf, cap, &pos))
			pos = put(buf, cap, pos, "null", 4);
	}
	pos = nout ? put(buf, cap, pos, "}", 1) : put(buf, cap, pos, "null", 4);
	return stop < o->ntok ? -1 : (int)pos;
}
