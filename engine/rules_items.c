/*
 * The items of a rules file: lists, macros and rules (with their exceptions),
 * applying redefinition, append and override as Falco's rule loader does.
 * The YAML documents are read in rules_load.c.
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

#include "rules_load_impl.h"

/* Falco's fixed texts, kept word for word: tools and people grep for them. */
#define WARN_APPEND "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."
#define WARN_ENABLED "The standalone 'enabled' key usage is deprecated. The correct approach requires also a 'replace' entry under the 'override' key (i.e. 'enabled: replace')."
#define ERR_OVERRIDE_APPEND "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead."
/* ---- lists ---- */

/* A second full definition in the same file is most likely a mistake (a
 * copy left behind, or two rules meant to differ): the later one replaces
 * the earlier, as across files, and the user is told where. */
static int warn_redefined(struct rd *d, const yaml_node_t *item, const char *what,
			  const char *prev_file, uint32_t prev_line)
{
	if (!prev_file || strcmp(prev_file, d->file))
		return 0;
	return rd_warn(d, item, "LOAD_DUPLICATE_ITEM",
		       "%s defined again in the same file (first at line %u): this definition "
		       "replaces the first", what, (unsigned)prev_line) ? -ENOMEM : 0;
}

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
	if (!v || rd_is_null(v))
		return 0;
	if (v->type != YAML_SEQUENCE_NODE)
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Value for key 'items' is not a sequence");
	size_t cnt = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start);
	if (cnt && !(*items = calloc(cnt, sizeof(char *))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		yaml_node_t *it = NODE(d, v->data.sequence.items.start[i]);
		const char *s = rd_scalar(it);
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
	if ((rc = rd_get_str(d, item, kind, name, 0)))
		return rc;
	d->iname = *name;
	if ((rc = rd_warn_unknown_keys(d, item, known)))
		return rc;
	snprintf(msg, sizeof(msg), "%s has an invalid name. %s names should match a regular "
		 "expression: ^[a-zA-Z_][a-zA-Z0-9_]*$", Kind, Kind);
	if (!rd_valid_name(*name) && rd_warn(d, item, invalid_code, "%s", msg))
		return -ENOMEM;
	yaml_node_t *ap = rd_map_get(d, item, "append");
	if (ap && (rc = rd_get_bool(d, ap, "append", append)))
		return rc;
	if (*append && rd_warn(d, ap, "LOAD_DEPRECATED_ITEM", WARN_APPEND))
		return -ENOMEM;
	if ((rc = rd_decode_overrides(d, item, ov_ok, ov_ok, o)))
		return rc;
	if (*append && (o->nappend || o->nreplace))
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", ERR_OVERRIDE_APPEND);
	return 0;
}

int eng_rl_read_list(struct rd *d, yaml_node_t *item)
{
	static const char *const known[] = {"list", "items", "append", "override", NULL};
	static const char *const ov_ok[] = {"items", NULL};
	const char *name;
	int append, rc;
	struct overrides o;
	if ((rc = read_named_item(d, item, "list", known, ov_ok, "LOAD_INVALID_LIST_NAME", "List",
				  &name, &append, &o)))
		return rc;
	yaml_node_t *iv = rd_map_get(d, item, "items");
	if (!iv)
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key 'items'");
	char **items;
	size_t n;
	if ((rc = items_from(d, iv, &items, &n))) {
		eng_rl_free_items(items, n);
		return rc;
	}
	struct eng_rl_list *l = find_list(d->r, name);
	if (append || rd_has_key(&o, "items", 1)) {
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
		if ((rc = warn_redefined(d, item, "List", l->file, l->line))) {
			eng_rl_free_items(items, n);
			return rc;
		}
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

int eng_rl_read_macro(struct rd *d, yaml_node_t *item)
{
	static const char *const known[] = {"macro", "condition", "append", "override", NULL};
	static const char *const ov_ok[] = {"condition", NULL};
	const char *name, *cond;
	int append, rc;
	struct overrides o;
	if ((rc = read_named_item(d, item, "macro", known, ov_ok, "LOAD_INVALID_MACRO_NAME",
				  "Macro", &name, &append, &o)))
		return rc;
	if ((rc = rd_get_str(d, item, "condition", &cond, 0)))
		return rc;
	yaml_node_t *cn = rd_map_get(d, item, "condition");
	struct eng_rl_macro *m = find_macro(d->r, name);
	if (append || rd_has_key(&o, "condition", 1)) {
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
		if ((rc = warn_redefined(d, item, "Macro", m->file, m->line))) {
			free(c);
			return rc;
		}
		free(m->cond);
		m->cond = c;
		m->cond_line = (uint32_t)cn->start_mark.line + 1;
		m->cond_col = (uint32_t)cn->start_mark.column + 1;
		m->cond_style = rd_scalar_style(cn);
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
	m->cond_style = rd_scalar_style(cn);
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
	if (rd_is_null(v))
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
	if (rd_is_null(v))
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
		if ((rc = rd_get_str(d, ex, "name", &name, 0)))
			return rc;
		if (!(e->name = strdup(name)))
			return -ENOMEM;
		if ((rc = rd_warn_unknown_keys(d, ex, known)))
			return rc;
		yaml_node_t *f = rd_map_get(d, ex, "fields"), *c = rd_map_get(d, ex, "comps"),
			    *vals = rd_map_get(d, ex, "values");
		if (!f && !partial)
			return rd_err(d, ex, "LOAD_ERR_YAML_VALIDATE",
				      "Item has no mapping for key 'fields'");
		if (f) {
			e->has_fields = 1;
			e->fields_is_list = f->type == YAML_SEQUENCE_NODE;
			if ((rc = rd_yv_from(d, f, &e->fields, 0)))
				return rc;
		}
		if (c) {
			e->has_comps = 1;
			e->comps_is_list = c->type == YAML_SEQUENCE_NODE;
			if ((rc = rd_yv_from(d, c, &e->comps, 0)))
				return rc;
		}
		if (vals && !rd_is_null(vals)) {
			if (vals->type != YAML_SEQUENCE_NODE)
				return rd_err(d, vals, "LOAD_ERR_YAML_VALIDATE",
					      "Rule exception values must be a sequence");
			e->has_values = 1;
			if ((rc = rd_yv_from(d, vals, &e->values, 0)))
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
#define WANT(k) (!o || rd_has_key(o, k, append_mode))
	if (WANT("condition") && (v = rd_map_get(d, item, "condition"))) {
		if ((rc = rd_get_str(d, item, "condition", &s, 0)))
			return rc;
		if ((rc = append_mode ? str_append(&rule->cond, s) : dup_to(&rule->cond, s)))
			return rc;
		if (!append_mode) {
			struct eng_rl_rule_priv *p = rule->priv;
			p->cond_line = (uint32_t)v->start_mark.line + 1;
			p->cond_col = (uint32_t)v->start_mark.column + 1;
			p->cond_style = rd_scalar_style(v);
		}
	}
	if (WANT("output") && (v = rd_map_get(d, item, "output"))) {
		if ((rc = rd_get_str(d, item, "output", &s, 1)))
			return rc;
		if ((rc = append_mode ? str_append(&rule->output, s) : dup_to(&rule->output, s)))
			return rc;
	}
	if (WANT("desc") && (v = rd_map_get(d, item, "desc"))) {
		if ((rc = rd_get_str(d, item, "desc", &s, 1)))
			return rc;
		if ((rc = append_mode ? str_append(&rule->desc, s) : dup_to(&rule->desc, s)))
			return rc;
	}
	if (!append_mode && WANT("priority") && (v = rd_map_get(d, item, "priority"))) {
		if ((rc = rd_get_str(d, item, "priority", &s, 0)))
			return rc;
		if (eng_priority_parse(s, &rule->priority))
			return rd_err(d, v, "LOAD_ERR_VALIDATE",
				      "Invalid priority '%s': use one of Emergency, Alert, Critical, "
				      "Error, Warning, Notice, Informational (or Info), Debug", s);
	}
	if (WANT("tags") && (v = rd_map_get(d, item, "tags"))) {
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
			if (WANT(bools[i].k) && (v = rd_map_get(d, item, bools[i].k)) &&
			    (rc = rd_get_bool(d, v, bools[i].k, (int *)((char *)rule + bools[i].off))))
				return rc;
		if (WANT("capture_duration") && (v = rd_map_get(d, item, "capture_duration"))) {
			s = rd_scalar(v);
			char *end = NULL;
			unsigned long long x = s ? strtoull(s, &end, 10) : 0;
			if (!s || !*s || *end || *s == '-')
				return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE",
					      "Value for key 'capture_duration' must be a number of "
					      "milliseconds");
			rule->capture_duration = x;
		}
	}
	if (WANT("exceptions") && (v = rd_map_get(d, item, "exceptions"))) {
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
	yaml_node_t *v = rd_map_get(d, item, "source");
	const char *s = v ? rd_scalar(v) : NULL;
	if (s && *s && !rd_is_null(v) && strcmp(s, prev->source))
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

int eng_rl_read_rule(struct rd *d, yaml_node_t *item)
{
	static const char *const known[] = {"rule", "desc", "condition", "output", "priority",
		"tags", "enabled", "source", "exceptions", "warn_evttypes", "skip-if-unknown-filter",
		"append", "override", "capture", "capture_duration", NULL};
	const char *name;
	int append = 0, rc;
	d->itype = "rule";
	if ((rc = rd_get_str(d, item, "rule", &name, 0)))
		return rc;
	d->iname = name;
	if ((rc = rd_warn_unknown_keys(d, item, known)))
		return rc;
	yaml_node_t *ap = rd_map_get(d, item, "append");
	if (ap && (rc = rd_get_bool(d, ap, "append", &append)))
		return rc;
	if (append && rd_warn(d, ap, "LOAD_DEPRECATED_ITEM", WARN_APPEND))
		return -ENOMEM;
	struct overrides o;
	if ((rc = rd_decode_overrides(d, item, rule_can_append, rule_can_replace, &o)))
		return rc;
	if (append && (o.nappend || o.nreplace))
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", ERR_OVERRIDE_APPEND);
	struct eng_rule *prev = eng_rules_find(d->r, name);

	if (o.nappend || o.nreplace) {
		/* every key must be named by the override, and every override key given */
		for (int i = 0; i < o.nappend; i++)
			if (!rd_map_get(d, item, o.append[i]))
				return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
					      "An append override for '%s' was specified but '%s' is "
					      "not defined", o.append[i], o.append[i]);
		for (int i = 0; i < o.nreplace; i++)
			if (!rd_map_get(d, item, o.replace[i]))
				return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
					      "A replace override for '%s' was specified but '%s' is "
					      "not defined", o.replace[i], o.replace[i]);
		for (yaml_node_pair_t *p = item->data.mapping.pairs.start;
		     p < item->data.mapping.pairs.top; p++) {
			const char *k = rd_scalar(NODE(d, p->key));
			if (!k || !strcmp(k, "rule") || !strcmp(k, "override") ||
			    !strcmp(k, "source") || rd_has_key(&o, k, 1) || rd_has_key(&o, k, 0) ||
			    !rd_in_set(k, known))
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
		if (!rd_map_get(d, item, "condition") && !rd_map_get(d, item, "exceptions") &&
		    !rd_map_get(d, item, "output") && !rd_map_get(d, item, "desc") &&
		    !rd_map_get(d, item, "tags"))
			return rd_err(d, item, "LOAD_ERR_VALIDATE",
				      "Appended rule must have exceptions or condition property");
		return rule_apply(d, item, prev, &all, 1);
	}
	if (!rd_map_get(d, item, "condition") && !rd_map_get(d, item, "output") &&
	    !rd_map_get(d, item, "desc") && !rd_map_get(d, item, "priority")) {
		/* only 'enabled': the old way to switch an earlier rule on or off */
		yaml_node_t *en = rd_map_get(d, item, "enabled");
		int on;
		if (!en)
			return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE",
				      "Item has no mapping for key 'enabled'");
		if ((rc = rd_get_bool(d, en, "enabled", &on)))
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
		if ((rc = rd_get_str(d, item, req[i], &s, i == 2 || i == 1)))
			return rc;
	}
	const char *src = "syscall";
	yaml_node_t *sv = rd_map_get(d, item, "source");
	if (sv && !rd_is_null(sv)) {
		if (!rd_scalar(sv))
			return rd_err(d, sv, "LOAD_ERR_YAML_VALIDATE",
				      "Value for key 'source' is not a string");
		if (*rd_scalar(sv))
			src = rd_scalar(sv);
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
		if ((rc = warn_redefined(d, item, "Rule", prev->file, prev->line))) {
			eng_rl_rule_free(rule);
			return rc;
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
