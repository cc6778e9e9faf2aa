/*
 * Condition trees for the rules compiler: building and copying them
 * (printed back as Falco does by eng_rules_ast_str(), in ast_print.c).
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "rules_compile_impl.h"
#include "shm_event.h"
#include "shm_format.h"

/* ---- trees ---- */

struct eng_ast *eng_rl_ast_new(enum eng_ast_kind kind, const char *str)
{
	struct eng_ast *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->kind = kind;
	if (str && !(a->str = strdup(str))) {
		free(a);
		return NULL;
	}
	return a;
}

int eng_rl_ast_add(struct eng_ast *a, struct eng_ast *kid)
{
	if (!kid)
		return -ENOMEM;
	struct eng_ast **k = realloc(a->kids, (a->nkids + 1) * sizeof(*k));
	if (!k) {
		eng_ast_free(kid);
		return -ENOMEM;
	}
	a->kids = k;
	a->kids[a->nkids++] = kid;
	return 0;
}

struct eng_ast *eng_rl_ast_dup(const struct eng_ast *a)
{
	struct eng_ast *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->kind = a->kind;
	n->pos = a->pos;
	n->mod = a->mod;
	n->quoted = a->quoted;
	n->len = a->len;
	if (a->len && a->str) { /* bytes after a NUL: copy them all */
		free(n->str);
		if (!(n->str = malloc(a->len + 1)))
			goto err;
		memcpy(n->str, a->str, a->len + 1);
	}
	if ((a->str && !(n->str = strdup(a->str))) || (a->arg && !(n->arg = strdup(a->arg))))
		goto err;
	if (a->nkids && !(n->kids = calloc(a->nkids, sizeof(*n->kids))))
		goto err;
	for (size_t i = 0; i < a->nkids; i++) {
		if (!(n->kids[i] = eng_rl_ast_dup(a->kids[i])))
			goto err;
		n->nkids++;
	}
	return n;
err:
	eng_ast_free(n);
	return NULL;
}
