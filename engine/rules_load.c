/*
 * Reading rules files: YAML items into lists, macros and rules, applying
 * redefinition, append and override as Falco's rule loader does. Nothing
 * is expanded or compiled here (rules_compile.c does that), so that a later
 * file can still change what an earlier one defined.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "eng_rules_impl.h"

/* Falco's fixed texts, kept word for word: tools and people grep for them. */
#define WARN_APPEND "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."
#define WARN_ENABLED "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace')."
#define ERR_OVERRIDE_APPEND "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."

/* ---- the reader ---- */

struct rd {
	struct eng_rules *r;
	const char *file;
	yaml_document_t *doc;
	const char *itype; /* "rule", "macro", ... for messages */
	const char *iname;
};

#define NODE(rd, i) yaml_document_get_node((rd)->doc, (i))

static int rd_err(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int rd_err(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	eng_rl_msg(d->r, 1, code, d->file, n ? (uint32_t)n->start_mark.line + 1 : 0,
		   n ? (uint32_t)n->start_mark.column + 1 : 0, d->itype, d->iname, "%s", text);
	return -EINVAL;
}

static int rd_warn(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int rd_warn(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return eng_rl_msg(d->r, 0, code, d->file, n ? (uint32_t)n->start_mark.line + 1 : 0,
			  n ? (uint32_t)n->start_mark.column + 1 : 0, d->itype, d->iname, "%s", text);
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain "~", "null" or empty scalar: YAML's null. */
static int is_null(const yaml_node_t *n)
{
	const char *s = scalar(n);
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

static yaml_node_t *map_get(struct rd *d, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(NODE(d, p->key));
		if (k && !strcmp(k, key))
			return NODE(d, p->value);
	}
	return NULL;
}

/* A required string: Falco's messages for a missing, non-scalar or empty one. */
static int get_str(struct rd *d, const yaml_node_t *item, const char *key, const char **out,
		   int allow_empty)
{
	yaml_node_t *v = map_get(d, item, key);
	if (!v)
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key '%s'",
			      key);
	if (is_null(v)) {
		if (!allow_empty)
			return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Mapping for key '%s' is empty",
				      key);
		*out = "";
		return 0;
	}
	const char *s = scalar(v);
	if (!s)
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE",
			      "Value for key '%s' is not a scalar (a string or number)", key);
	if (!*s && !allow_empty)
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Mapping for key '%s' is empty", key);
	*out = s;
	return 0;
}

static int parse_bool(const char *s, int *out)
{
	static const char *const t[] = {"true", "yes", "on", "y"}, *const f[] = {"false", "no",
										  "off", "n"};
	for (int i = 0; i < 4; i++) {
		if (!strcasecmp(s, t[i]))
			return *out = 1, 0;
		if (!strcasecmp(s, f[i]))
			return *out = 0, 0;
	}
	return -EINVAL;
}

static int get_bool(struct rd *d, const yaml_node_t *v, const char *key, int *out)
{
	const char *s = scalar(v);
	if (!s || parse_bool(s, out))
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE",
			      "Value for key '%s' must be a boolean (true or false)", key);
	return 0;
}

static int yv_from(struct rd *d, const yaml_node_t *n, struct eng_rl_yv *out, int depth)
{
	memset(out, 0, sizeof(*out));
	out->line = (uint32_t)n->start_mark.line + 1;
	out->col = (uint32_t)n->start_mark.column + 1;
	if (depth > 8)
		return rd_err(d, n, "LOAD_ERR_YAML_VALIDATE", "Value is nested too deeply");
	if (n->type == YAML_SCALAR_NODE)
		return (out->s = strdup(is_null(n) ? "" : scalar(n))) ? 0 : -ENOMEM;
	if (n->type != YAML_SEQUENCE_NODE)
		return rd_err(d, n, "LOAD_ERR_YAML_VALIDATE",
			      "Expected a string or a sequence, not a mapping");
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (cnt && !(out->kids = calloc(cnt, sizeof(*out->kids))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		int rc = yv_from(d, NODE(d, n->data.sequence.items.start[i]), &out->kids[i],
				 depth + 1);
		out->n++;
		if (rc)
			return rc;
	}
	return 0;
}

/* The override: map, split into the keys to append and to replace. */
struct overrides {
	const char *append[16], *replace[16];
	int nappend, nreplace;
};

static int in_set(const char *k, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(k, *set))
			return 1;
	return 0;
}

static int decode_overrides(struct rd *d, const yaml_node_t *item, const char *const *can_append,
			    const char *const *can_replace, struct overrides *o)
{
	memset(o, 0, sizeof(*o));
	yaml_node_t *ov = map_get(d, item, "override");
	if (!ov)
		return 0;
	if (ov->type != YAML_MAPPING_NODE)
		return rd_err(d, ov, "LOAD_ERR_YAML_VALIDATE",
			      "Value for key 'override' must be a mapping of keys to 'append' or "
			      "'replace'");
	for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(NODE(d, p->key)), *v = scalar(NODE(d, p->value));
		if (!k || !v)
			return rd_err(d, NODE(d, p->key), "LOAD_ERR_YAML_VALIDATE",
				      "Override entries must be 'KEY: append' or 'KEY: replace'");
		if (!strcmp(v, "append")) {
			if (!in_set(k, can_append))
				return rd_err(d, NODE(d, p->value), "LOAD_ERR_YAML_VALIDATE",
					      "Key '%s' cannot be appended to, use 'replace' instead",
					      k);
			if (o->nappend < 16)
				o->append[o->nappend++] = k;
		} else if (!strcmp(v, "replace")) {
			if (!in_set(k, can_replace))
				return rd_err(d, NODE(d, p->value), "LOAD_ERR_YAML_VALIDATE",
					      "Key '%s' cannot be replaced", k);
			if (o->nreplace < 16)
				o->replace[o->nreplace++] = k;
		} else {
			return rd_err(d, NODE(d, p->value), "LOAD_ERR_YAML_VALIDATE",
				      "Invalid override '%s' for key '%s': use 'append' or 'replace'",
				      v, k);
		}
	}
	return 0;
}

static int has_key(const struct overrides *o, const char *k, int append)
{
	const char *const *set = append ? o->append : o->replace;
	int n = append ? o->nappend : o->nreplace;
	for (int i = 0; i < n; i++)
		if (!strcmp(set[i], k))
			return 1;
	return 0;
}

static int warn_unknown_keys(struct rd *d, const yaml_node_t *item, const char *const *known)
{
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(NODE(d, p->key));
		if (k && !in_set(k, known) &&
		    rd_warn(d, NODE(d, p->key), "LOAD_UNKNOWN_KEY", "Unknown key '%s'. It will be ignored",
			    k))
			return -ENOMEM;
	}
	return 0;
}

static int valid_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

static int scalar_style(const yaml_node_t *n)
{
	if (n->type != YAML_SCALAR_NODE)
		return 0;
	switch (n->data.scalar.style) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		return 1;
	case YAML_LITERAL_SCALAR_STYLE:
	case YAML_FOLDED_SCALAR_STYLE:
		return 2;
	default:
		return 0;
	}
}

/* ---- lists ---- */

static struct eng_rl_list *find_list(struct eng_rules *r, const char *name)
{
	for (size_t i = 0; i < r->nlists; i++)
		if (!strcmp(r->lists[i].name, name))
			return &r->lists[i];
	return NULL;
}

static int items_from(struct rd *d, const yaml_node_t *v, char ***items, size_t *n)
{
	*items = NULL;
	*n = 0;
	if (!v || is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Value for key 'items' is not a sequence");
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (cnt && !(*items = calloc(cnt, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = NODE(d, v->data.sequence.items.start[i]);
		const char *s = scalar(it);
		if (!s)
			return rd_err(d, it, "LOAD_ERR_YAML_VALIDATE", "List items must be strings");
		if (!((*items)[i] = strdup(s)))
			return -ENOMEM;
		(*n)++;
	}
	return 0;
}


/* What lists and macros share: the name, unknown keys, the name's shape,
 * the deprecated append and the override block. */
static int read_named_item(struct rd *d, yaml_node_t *item, const char *kind,
			   const char *const *known, const char *const *ov_ok,
			   const char *invalid_code, const char *Kind, const char **name,
			   int *append, struct overrides *o)
{
	int rc;
	char msg[160];
	d->itype = kind;
	*append = 0;
	if ((rc = get_str(d, item, kind, name, 0)))
		return rc;
	d->iname = *name;
	if ((rc = warn_unknown_keys(d, item, known)))
		return rc;
	snprintf(msg, sizeof(msg), "%s has an invalid name. %s names should match a regular "
		 "expression: ^[a-zA-Z_][a-zA-Z0-9_]*$", Kind, Kind);
	if (!valid_name(*name) && rd_warn(d, item, invalid_code, "%s", msg))
		return -ENOMEM;
	yaml_node_t *ap = map_get(d, item, "append");
	if (ap && (rc = get_bool(d, ap, "append", append)))
		return rc;
	if (*append && rd_warn(d, ap, "LOAD_DEPRECATED_ITEM", WARN_APPEND))
		return -ENOMEM;
	if ((rc = decode_overrides(d, item, ov_ok, ov_ok, o)))
		return rc;
	if (*append && (o->nappend || o->nreplace))
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", ERR_OVERRIDE_APPEND);
	return 0;
}

static int read_list(struct rd *d, yaml_node_t *item)
{
	static const char *const known[] = {"list", "items", "append", "override", NULL};
	static const char *const ov_ok[] = {"items", NULL};
	const char *name;
	int append, rc;
	struct overrides o;
	if ((rc = read_named_item(d, item, "list", known, ov_ok, "LOAD_INVALID_LIST_NAME", "List",
				  &name, &append, &o)))
		return rc;
	yaml_node_t *iv = map_get(d, item, "items");
	if (!iv)
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'items'");
	char **items;
	size_t n;
	if ((rc = items_from(d, iv, &items, &n))) {
		eng_rl_free_items(items, n);
		return rc;
	}
	struct eng_rl_list *l = find_list(d->r, name);
	if (append || has_key(&o, "items", 1)) {
		if (!l) {
			eng_rl_free_items(items, n);
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "List uses 'append' or 'override.items: append' but no list by "
				      "that name already exists");
		}
		char **ni = realloc(l->items, (l->n + n + 1) * sizeof(char *));
		if (!ni) {
			eng_rl_free_items(items, n);
			return -ENOMEM;
		}
		l->items = ni;
		if (n)
			memcpy(l->items + l->n, items, n * sizeof(char *));
		l->n += n;
		free(items);
		return 0;
	}
	if (l) { /* a redefinition keeps the first one's place */
		eng_rl_free_items(l->items, l->n);
		l->items = items;
		l->n = n;
		return 0;
	}
	if (d->r->nlists == d->r->caplists) {
		size_t nc = d->r->caplists ? d->r->caplists * 2 : 32;
		struct eng_rl_list *nl = realloc(d->r->lists, nc * sizeof(*nl));
		if (!nl) {
			eng_rl_free_items(items, n);
			return -ENOMEM;
		}
		d->r->lists = nl;
		d->r->caplists = nc;
	}
	l = &d->r->lists[d->r->nlists];
	memset(l, 0, sizeof(*l));
	l->items = items;
	l->n = n;
	l->line = (uint32_t)item->start_mark.line + 1;
	l->col = (uint32_t)item->start_mark.column + 1;
	if (!(l->name = strdup(name)) || !(l->file = strdup(d->file))) {
		free(l->name);
		eng_rl_free_items(items, n);
		return -ENOMEM;
	}
	d->r->nlists++;
	return 0;
}

/* ---- macros ---- */

static struct eng_rl_macro *find_macro(struct eng_rules *r, const char *name)
{
	for (size_t i = 0; i < r->nmacros; i++)
		if (!strcmp(r->macros[i].name, name))
			return &r->macros[i];
	return NULL;
}

/* "a" + " " + "b": appends are textual, as in Falco. */
static int str_append(char **dst, const char *add)
{
	char *n;
	if (asprintf(&n, "%s %s", *dst ? *dst : "", add) < 0)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

static int read_macro(struct rd *d, yaml_node_t *item)
{
	static const char *const known[] = {"macro", "condition", "append", "override", NULL};
	static const char *const ov_ok[] = {"condition", NULL};
	const char *name, *cond;
	int append, rc;
	struct overrides o;
	if ((rc = read_named_item(d, item, "macro", known, ov_ok, "LOAD_INVALID_MACRO_NAME",
				  "Macro", &name, &append, &o)))
		return rc;
	if ((rc = get_str(d, item, "condition", &cond, 0)))
		return rc;
	yaml_node_t *cn = map_get(d, item, "condition");
	struct eng_rl_macro *m = find_macro(d->r, name);
	if (append || has_key(&o, "condition", 1)) {
		if (!m)
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Macro uses 'append' or 'override.condition: append' but no "
				      "macro by that name already exists");
		return str_append(&m->cond, cond);
	}
	char *c = strdup(cond);
	if (!c)
		return -ENOMEM;
	if (m) {
		free(m->cond);
		m->cond = c;
		m->cond_line = (uint32_t)cn->start_mark.line + 1;
		m->cond_col = (uint32_t)cn->start_mark.column + 1;
		m->cond_style = scalar_style(cn);
		free(m->file);
		m->file = strdup(d->file);
		return m->file ? 0 : -ENOMEM;
	}
	if (d->r->nmacros == d->r->capmacros) {
		size_t nc = d->r->capmacros ? d->r->capmacros * 2 : 32;
		struct eng_rl_macro *nm = realloc(d->r->macros, nc * sizeof(*nm));
		if (!nm) {
			free(c);
			return -ENOMEM;
		}
		d->r->macros = nm;
		d->r->capmacros = nc;
	}
	m = &d->r->macros[d->r->nmacros];
	memset(m, 0, sizeof(*m));
	m->cond = c;
	m->line = (uint32_t)item->start_mark.line + 1;
	m->col = (uint32_t)item->start_mark.column + 1;
	m->cond_line = (uint32_t)cn->start_mark.line + 1;
	m->cond_col = (uint32_t)cn->start_mark.column + 1;
	m->cond_style = scalar_style(cn);
	if (!(m->name = strdup(name)) || !(m->file = strdup(d->file))) {
		free(m->name);
		free(c);
		return -ENOMEM;
	}
	d->r->nmacros++;
	return 0;
}

/* ---- rules ---- */

struct eng_rule *eng_rules_find(struct eng_rules *r, const char *name)
{
	for (size_t i = 0; i < r->nrules; i++)
		if (!strcmp(r->rules[i]->name, name))
			return r->rules[i];
	return NULL;
}

static int read_tags(struct rd *d, const yaml_node_t *v, char ***tags, size_t *n)
{
	*tags = NULL;
	*n = 0;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Value for key 'tags' is not a sequence");
	return items_from(d, v, tags, n);
}

/* Exceptions: a sequence of maps with name, fields, comps, values. When
 * partial is set (appending), only name is required. */
static int read_exceptions(struct rd *d, const yaml_node_t *v, int partial, struct eng_rl_exc **out,
			   size_t *nout)
{
	static const char *const known[] = {"name", "fields", "comps", "values", NULL};
	*out = NULL;
	*nout = 0;
	if (is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Rule exceptions must be a sequence");
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (cnt && !(*out = calloc(cnt, sizeof(**out))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *ex = NODE(d, v->data.sequence.items.start[i]);
		struct eng_rl_exc *e = &(*out)[i];
		int rc;
		(*nout)++;
		e->line = (uint32_t)ex->start_mark.line + 1;
		e->col = (uint32_t)ex->start_mark.column + 1;
		if (ex->type != YAML_MAPPING_NODE)
			return rd_err(d, ex, "LOAD_ERR_YAML_VALIDATE",
				      "Rule exception must be a mapping with name, fields, comps and "
				      "values");
		const char *name;
		if ((rc = get_str(d, ex, "name", &name, 0)))
			return rc;
		if (!(e->name = strdup(name)))
			return -ENOMEM;
		if ((rc = warn_unknown_keys(d, ex, known)))
			return rc;
		yaml_node_t *f = map_get(d, ex, "fields"), *c = map_get(d, ex, "comps"),
			    *vals = map_get(d, ex, "values");
		if (!f && !partial)
			return rd_err(d, ex, "LOAD_ERR_YAML_VALIDATE",
				      "Item has no mapping for key 'fields'");
		if (f) {
			e->has_fields = 1;
			e->fields_is_list = f->type == YAML_SEQUENCE_NODE;
			if ((rc = yv_from(d, f, &e->fields, 0)))
				return rc;
		}
		if (c) {
			e->has_comps = 1;
			e->comps_is_list = c->type == YAML_SEQUENCE_NODE;
			if ((rc = yv_from(d, c, &e->comps, 0)))
				return rc;
		}
		if (vals && !is_null(vals)) {
			if (vals->type != YAML_SEQUENCE_NODE)
				return rd_err(d, vals, "LOAD_ERR_YAML_VALIDATE",
					      "Rule exception values must be a sequence");
			e->has_values = 1;
			if ((rc = yv_from(d, vals, &e->values, 0)))
				return rc;
		}
	}
	return 0;
}

static int exc_add(struct eng_rl_rule_priv *p, struct eng_rl_exc *e)
{
	struct eng_rl_exc *n = realloc(p->exc, (p->nexc + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	p->exc = n;
	p->exc[p->nexc++] = *e;
	memset(e, 0, sizeof(*e));
	return 0;
}

static void excs_free(struct eng_rl_exc *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		eng_rl_exc_clear(&e[i]);
	free(e);
}

static int dup_to(char **dst, const char *s)
{
	char *n = strdup(s);
	if (!n)
		return -ENOMEM;
	free(*dst);
	*dst = n;
	return 0;
}

/* Which keys an override may append to or replace (Falco's sets). */
static const char *const rule_can_append[] = {"condition", "output", "desc", "tags",
					      "exceptions", NULL};
static const char *const rule_can_replace[] = {"condition", "output", "desc", "priority", "tags",
					       "exceptions", "enabled", "warn_evttypes",
					       "skip-if-unknown-filter", "capture",
					       "capture_duration", NULL};

/* Reads the optional keys of a full definition or an override into rule.
 * only: when not NULL, the keys to read (an override); append: how. */
static int rule_apply(struct rd *d, yaml_node_t *item, struct eng_rule *rule,
		      const struct overrides *o, int append_mode)
{
	yaml_node_t *v;
	const char *s;
	int rc;
#define WANT(k) (!o || has_key(o, k, append_mode))
	if (WANT("condition") && (v = map_get(d, item, "condition"))) {
		if ((rc = get_str(d, item, "condition", &s, 0)))
			return rc;
		if ((rc = append_mode ? str_append(&rule->cond, s) : dup_to(&rule->cond, s)))
			return rc;
		if (!append_mode) {
			struct eng_rl_rule_priv *p = rule->priv;
			p->cond_line = (uint32_t)v->start_mark.line + 1;
			p->cond_col = (uint32_t)v->start_mark.column + 1;
			p->cond_style = scalar_style(v);
		}
	}
	if (WANT("output") && (v = map_get(d, item, "output"))) {
		if ((rc = get_str(d, item, "output", &s, 1)))
			return rc;
		if ((rc = append_mode ? str_append(&rule->output, s) : dup_to(&rule->output, s)))
			return rc;
	}
	if (WANT("desc") && (v = map_get(d, item, "desc"))) {
		if ((rc = get_str(d, item, "desc", &s, 1)))
			return rc;
		if ((rc = append_mode ? str_append(&rule->desc, s) : dup_to(&rule->desc, s)))
			return rc;
	}
	if (!append_mode && WANT("priority") && (v = map_get(d, item, "priority"))) {
		if ((rc = get_str(d, item, "priority", &s, 0)))
			return rc;
		if (eng_priority_parse(s, &rule->priority))
			return rd_err(d, v, "LOAD_ERR_VALIDATE",
				      "Invalid priority '%s': use one of Emergency, Alert, Critical, "
				      "Error, Warning, Notice, Informational (or Info), Debug", s);
	}
	if (WANT("tags") && (v = map_get(d, item, "tags"))) {
		char **tags;
		size_t n;
		if ((rc = read_tags(d, v, &tags, &n))) {
			eng_rl_free_items(tags, n);
			return rc;
		}
		if (!append_mode) {
			eng_rl_free_items(rule->tags, rule->ntags);
			rule->tags = tags;
			rule->ntags = n;
		} else {
			for (size_t i = 0; i < n; i++) {
				int dup = 0;
				for (size_t j = 0; j < rule->ntags; j++)
					dup |= !strcmp(rule->tags[j], tags[i]);
				char **nt = dup ? rule->tags
						: realloc(rule->tags, (rule->ntags + 1) * sizeof(char *));
				if (!nt) {
					eng_rl_free_items(tags, n);
					return -ENOMEM;
				}
				rule->tags = nt;
				if (!dup) {
					rule->tags[rule->ntags++] = tags[i];
					tags[i] = NULL;
				}
			}
			eng_rl_free_items(tags, n);
		}
	}
	if (!append_mode) {
		static const struct { const char *k; size_t off; } bools[] = {
			{"enabled", offsetof(struct eng_rule, enabled)},
			{"warn_evttypes", offsetof(struct eng_rule, warn_evttypes)},
			{"skip-if-unknown-filter", offsetof(struct eng_rule, skip_if_unknown_filter)},
			{"capture", offsetof(struct eng_rule, capture)},
		};
		for (size_t i = 0; i < sizeof(bools) / sizeof(bools[0]); i++)
			if (WANT(bools[i].k) && (v = map_get(d, item, bools[i].k)) &&
			    (rc = get_bool(d, v, bools[i].k, (int *)((char *)rule + bools[i].off))))
				return rc;
		if (WANT("capture_duration") && (v = map_get(d, item, "capture_duration"))) {
			s = scalar(v);
			char *end = NULL;
			unsigned long long x = s ? strtoull(s, &end, 10) : 0;
			if (!s || !*s || *end || *s == '-')
				return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE",
					      "Value for key 'capture_duration' must be a number of "
					      "milliseconds");
			rule->capture_duration = x;
		}
	}
	if (WANT("exceptions") && (v = map_get(d, item, "exceptions"))) {
		struct eng_rl_exc *ex;
		size_t n;
		struct eng_rl_rule_priv *p = rule->priv;
		if ((rc = read_exceptions(d, v, append_mode, &ex, &n))) {
			excs_free(ex, n);
			return rc;
		}
		if (!append_mode) {
			for (size_t i = 0; i < p->nexc; i++)
				eng_rl_exc_clear(&p->exc[i]);
			p->nexc = 0;
		}
		for (size_t i = 0; i < n && !rc; i++) {
			struct eng_rl_exc *prev = NULL;
			for (size_t j = 0; j < p->nexc; j++)
				if (!strcmp(p->exc[j].name, ex[i].name))
					prev = &p->exc[j];
			if (prev && !append_mode) {
				if (rd_warn(d, v, "LOAD_EXCEPTION_NAME_NOT_UNIQUE",
					    "Multiple definitions of exception '%s' in the same rule",
					    ex[i].name))
					rc = -ENOMEM;
				else
					rc = exc_add(p, &ex[i]);
			} else if (prev) {
				if (!ex[i].has_values || !ex[i].values.n) {
					if (rd_warn(d, v, "LOAD_APPEND_NO_VALUES",
						    "Overriding/appending exception with no values"))
						rc = -ENOMEM;
					continue;
				}
				struct eng_rl_yv *nk = realloc(prev->values.kids, (prev->values.n +
							   ex[i].values.n) * sizeof(*nk));
				if (!nk) {
					rc = -ENOMEM;
					break;
				}
				prev->values.kids = nk;
				memcpy(nk + prev->values.n, ex[i].values.kids,
				       ex[i].values.n * sizeof(*nk));
				prev->values.n += ex[i].values.n;
				prev->has_values = 1;
				free(ex[i].values.kids);
				ex[i].values.kids = NULL;
				ex[i].values.n = 0;
			} else {
				if (!ex[i].has_fields) {
					rc = rd_err(d, v, "LOAD_ERR_YAML_VALIDATE",
						    "Rule exception new item '%s': must have fields "
						    "property with a list of fields", ex[i].name);
					break;
				}
				rc = exc_add(p, &ex[i]);
			}
		}
		excs_free(ex, n);
		if (rc)
			return rc;
	}
#undef WANT
	return 0;
}

static int check_source(struct rd *d, yaml_node_t *item, struct eng_rule *prev)
{
	yaml_node_t *v = map_get(d, item, "source");
	const char *s = v ? scalar(v) : NULL;
	if (s && *s && !is_null(v) && strcmp(s, prev->source))
		return rd_err(d, item, "LOAD_ERR_VALIDATE",
			      "Rule has been re-defined with a different source");
	return 0;
}

static int new_rule(struct rd *d, yaml_node_t *item, const char *name, struct eng_rule **out)
{
	struct eng_rule *rule = calloc(1, sizeof(*rule));
	if (!rule || !(rule->priv = calloc(1, sizeof(struct eng_rl_rule_priv))) ||
	    !(rule->name = strdup(name)) || !(rule->source = strdup("syscall")) ||
	    !(rule->file = strdup(d->file))) {
		eng_rl_rule_free(rule);
		return -ENOMEM;
	}
	rule->enabled = 1;
	rule->warn_evttypes = 1;
	rule->line = (uint32_t)item->start_mark.line + 1;
	rule->col = (uint32_t)item->start_mark.column + 1;
	*out = rule;
	return 0;
}

static int read_rule(struct rd *d, yaml_node_t *item)
{
	static const char *const known[] = {"rule", "desc", "condition", "output", "priority",
		"tags", "enabled", "source", "exceptions", "warn_evttypes", "skip-if-unknown-filter",
		"append", "override", "capture", "capture_duration", NULL};
	const char *name;
	int append = 0, rc;
	d->itype = "rule";
	if ((rc = get_str(d, item, "rule", &name, 0)))
		return rc;
	d->iname = name;
	if ((rc = warn_unknown_keys(d, item, known)))
		return rc;
	yaml_node_t *ap = map_get(d, item, "append");
	if (ap && (rc = get_bool(d, ap, "append", &append)))
		return rc;
	if (append && rd_warn(d, ap, "LOAD_DEPRECATED_ITEM", WARN_APPEND))
		return -ENOMEM;
	struct overrides o;
	if ((rc = decode_overrides(d, item, rule_can_append, rule_can_replace, &o)))
		return rc;
	if (append && (o.nappend || o.nreplace))
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", ERR_OVERRIDE_APPEND);
	struct eng_rule *prev = eng_rules_find(d->r, name);

	if (o.nappend || o.nreplace) {
		/* every key must be named by the override, and every override key given */
		for (int i = 0; i < o.nappend; i++)
			if (!map_get(d, item, o.append[i]))
				return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
					      "An append override for '%s' was specified but '%s' is "
					      "not defined", o.append[i], o.append[i]);
		for (int i = 0; i < o.nreplace; i++)
			if (!map_get(d, item, o.replace[i]))
				return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
					      "A replace override for '%s' was specified but '%s' is "
					      "not defined", o.replace[i], o.replace[i]);
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
		     p < item->data.mapping.pairs.top; p++) {
			const char *k = scalar(NODE(d, p->key));
			if (!k || !strcmp(k, "rule") || !strcmp(k, "override") ||
			    !strcmp(k, "source") || has_key(&o, k, 1) || has_key(&o, k, 0) ||
			    !in_set(k, known))
				continue;
			return rd_err(d, NODE(d, p->key), "LOAD_ERR_YAML_VALIDATE",
				      "Unexpected key '%s': an 'override' entry for it is required "
				      "when 'override' is used", k);
		}
		if (o.nappend && !prev)
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Rule uses 'append' or 'override.<key>: append' but no rule by "
				      "that name already exists");
		if (o.nreplace && !prev)
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "An 'override.<key>: replace' to a rule was requested but no "
				      "rule by that name already exists");
		if ((rc = check_source(d, item, prev)))
			return rc;
		if (o.nappend && (rc = rule_apply(d, item, prev, &o, 1)))
			return rc;
		return o.nreplace ? rule_apply(d, item, prev, &o, 0) : 0;
	}
	if (append) {
		static const char *const app[] = {"condition", "output", "desc", "tags",
						  "exceptions"};
		struct overrides all = {.nappend = 5};
		for (int i = 0; i < 5; i++)
			all.append[i] = app[i];
		if (!prev)
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Rule uses 'append' or 'override.<key>: append' but no rule by "
				      "that name already exists");
		if ((rc = check_source(d, item, prev)))
			return rc;
		if (!map_get(d, item, "condition") && !map_get(d, item, "exceptions") &&
		    !map_get(d, item, "output") && !map_get(d, item, "desc") &&
		    !map_get(d, item, "tags"))
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Appended rule must have exceptions or condition property");
		return rule_apply(d, item, prev, &all, 1);
	}
	if (!map_get(d, item, "condition") && !map_get(d, item, "output") &&
	    !map_get(d, item, "desc") && !map_get(d, item, "priority")) {
		/* only 'enabled': the old way to switch an earlier rule on or off */
		yaml_node_t *en = map_get(d, item, "enabled");
		int on;
		if (!en)
			return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
				      "Item has no mapping for key 'enabled'");
		if ((rc = get_bool(d, en, "enabled", &on)))
			return rc;
		if (rd_warn(d, en, "LOAD_DEPRECATED_ITEM", WARN_ENABLED))
			return -ENOMEM;
		if (!prev)
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Rule has 'enabled' key but no rule by that name already exists");
		prev->enabled = on;
		return 0;
	}
	/* a full definition: all four keys, then the optional ones */
	static const char *const req[] = {"condition", "output", "desc", "priority"};
	for (int i = 0; i < 4; i++) {
		const char *s;
		if ((rc = get_str(d, item, req[i], &s, i == 2 || i == 1)))
			return rc;
	}
	const char *src = "syscall";
	yaml_node_t *sv = map_get(d, item, "source");
	if (sv && !is_null(sv)) {
		if (!scalar(sv))
			return rd_err(d, sv, "LOAD_ERR_YAML_VALIDATE",
				      "Value for key 'source' is not a string");
		if (*scalar(sv))
			src = scalar(sv);
	}
	struct eng_rule *rule;
	if ((rc = new_rule(d, item, name, &rule)))
		return rc;
	if ((rc = dup_to(&rule->source, src)) || (rc = rule_apply(d, item, rule, NULL, 0))) {
		eng_rl_rule_free(rule);
		return rc;
	}
	if (prev) {
		if (strcmp(prev->source, rule->source)) {
			eng_rl_rule_free(rule);
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Rule has been re-defined with a different source");
		}
		for (size_t i = 0; i < d->r->nrules; i++)
			if (d->r->rules[i] == prev)
				d->r->rules[i] = rule;
		eng_rl_rule_free(prev);
		return 0;
	}
	if (d->r->nrules == d->r->caprules) {
		size_t nc = d->r->caprules ? d->r->caprules * 2 : 64;
		struct eng_rule **nr = realloc(d->r->rules, nc * sizeof(*nr));
		if (!nr) {
			eng_rl_rule_free(rule);
			return -ENOMEM;
		}
		d->r->rules = nr;
		d->r->caprules = nc;
	}
	d->r->rules[d->r->nrules++] = rule;
	return 0;
}

/* ---- versions ---- */

static int parse_version(const char *s, unsigned v[3])
{
	char *end;
	v[0] = v[1] = v[2] = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	unsigned long a = strtoul(s, &end, 10);
	if (!*end) { /* an old integer engine version N is 0.N.0 */
		v[1] = (unsigned)a;
		return 0;
	}
	for (int i = 0; i < 3; i++) {
		if (i) {
			if (*end != '.' || !isdigit((unsigned char)end[1]))
				return -EINVAL;
			a = strtoul(end + 1, &end, 10);
		}
		v[i] = (unsigned)a;
	}
	/* a pre-release or build suffix is allowed and ignored */
	return *end && *end != '-' && *end != '+' ? -EINVAL : 0;
}

static int vcmp(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static int read_engine_version(struct rd *d, yaml_node_t *item)
{
	d->itype = "required_engine_version";
	d->iname = "";
	yaml_node_t *v = map_get(d, item, "required_engine_version");
	const char *s = scalar(v);
	unsigned want[3], have[3];
	if (!s || parse_version(s, want))
		return rd_err(d, v, "LOAD_ERR_VALIDATE",
			      "Unable to parse engine version '%s' as a semver string (e.g. 0.26.0) "
			      "or an integer", s ? s : "");
	parse_version(ENG_RULES_ENGINE_VERSION, have);
	if (vcmp(want, have) > 0)
		return rd_err(d, v, "LOAD_ERR_VALIDATE",
			      "Rules require engine version %s, but engine version is %s: use a "
			      "newer pdig-engine or an older rules file", s,
			      ENG_RULES_ENGINE_VERSION);
	return 0;
}

/* Plugins pdig provides itself: the container plugin's fields are built in. */
static const struct { const char *name, *version; } provided_plugins[] = {
	{"container", "0.4.0"},
};

static int read_plugin_versions(struct rd *d, yaml_node_t *item)
{
	d->itype = "required_plugin_versions";
	d->iname = "";
	yaml_node_t *v = map_get(d, item, "required_plugin_versions");
	if (!v || v->type != YAML_SEQUENCE_NODE)
		return rd_err(d, v ? v : item, "LOAD_ERR_YAML_VALIDATE",
			      "Value of required_plugin_versions must be a sequence");
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top;
	     it++) {
		yaml_node_t *p = NODE(d, *it);
		const char *name, *ver;
		int rc;
		if (p->type != YAML_MAPPING_NODE)
			return rd_err(d, p, "LOAD_ERR_YAML_VALIDATE",
				      "Unexpected element type. Each element should be a yaml "
				      "associative array.");
		if ((rc = get_str(d, p, "name", &name, 0)) || (rc = get_str(d, p, "version", &ver, 0)))
			return rc;
		unsigned want[3], have[3];
		if (parse_version(ver, want))
			return rd_err(d, p, "LOAD_ERR_VALIDATE",
				      "Unable to parse plugin version '%s' as a semver string", ver);
		int ok = 0;
		for (size_t i = 0; i < sizeof(provided_plugins) / sizeof(provided_plugins[0]); i++) {
			parse_version(provided_plugins[i].version, have);
			/* semver: same major, at least the minor.patch asked for */
			if (!strcmp(name, provided_plugins[i].name) && want[0] == have[0] &&
			    vcmp(want, have) <= 0)
				ok = 1;
		}
		yaml_node_t *alts = map_get(d, p, "alternatives");
		if (!ok && alts && alts->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *a = alts->data.sequence.items.start;
			     a < alts->data.sequence.items.top && !ok; a++) {
				const char *an = scalar(map_get(d, NODE(d, *a), "name"));
				const char *av = scalar(map_get(d, NODE(d, *a), "version"));
				if (!an || !av || parse_version(av, want))
					continue;
				for (size_t i = 0; i < sizeof(provided_plugins) /
						       sizeof(provided_plugins[0]); i++) {
					parse_version(provided_plugins[i].version, have);
					if (!strcmp(an, provided_plugins[i].name) &&
					    want[0] == have[0] && vcmp(want, have) <= 0)
						ok = 1;
				}
			}
		}
		if (!ok)
			return rd_err(d, p, "LOAD_ERR_VALIDATE",
				      "Plugin '%s' version %s is required but not loaded: pdig-engine "
				      "provides only the built-in syscall source and container fields",
				      name, ver);
	}
	return 0;
}

/* ---- documents and files ---- */

static int read_item(struct rd *d, yaml_node_t *item)
{
	d->itype = "";
	d->iname = "";
	if (item->type != YAML_MAPPING_NODE)
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
			      "Unexpected element type. Each element should be a yaml associative "
			      "array.");
	if (map_get(d, item, "required_engine_version"))
		return read_engine_version(d, item);
	if (map_get(d, item, "required_plugin_versions"))
		return read_plugin_versions(d, item);
	if (map_get(d, item, "list"))
		return read_list(d, item);
	if (map_get(d, item, "macro"))
		return read_macro(d, item);
	if (map_get(d, item, "rule"))
		return read_rule(d, item);
	return rd_warn(d, item, "LOAD_UNKNOWN_ITEM", "Unknown top level object");
}

int eng_rules_load_string(struct eng_rules *r, const char *name, const char *content)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct rd d = {.r = r, .file = name, .itype = "", .iname = ""};
	int rc = 0;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)content, strlen(content));
	for (;;) {
		if (!yaml_parser_load(&parser, &doc)) {
			const yaml_mark_t *mk = &parser.problem_mark;
			rc = eng_rl_msg(r, 1, "LOAD_ERR_YAML_PARSE", name, (uint32_t)mk->line + 1,
					(uint32_t)mk->column + 1, "", "", "YAML: %s%s%s",
					parser.problem ? parser.problem : "syntax error",
					parser.context ? " " : "", parser.context ? parser.context : "");
			break;
		}
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		if (!root) { /* the end of the stream */
			yaml_document_delete(&doc);
			break;
		}
		d.doc = &doc;
		if (is_null(root)) {
			/* an empty document: nothing to load */
		} else if (root->type != YAML_SEQUENCE_NODE) {
			rc = rd_err(&d, root, "LOAD_ERR_YAML_VALIDATE",
				    "Rules content is not yaml array of objects");
		} else {
			for (yaml_node_item_t *it = root->data.sequence.items.start;
			     it < root->data.sequence.items.top && !rc; it++)
				rc = read_item(&d, NODE(&d, *it));
		}
		yaml_document_delete(&doc);
		if (rc || r->nomem)
			break;
	}
	yaml_parser_delete(&parser);
	if (r->nomem)
		return -ENOMEM;
	return rc;
}

