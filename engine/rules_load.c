/*
 * Reading rules files: the YAML documents and their items, the helpers that
 * read YAML nodes (rules_items.c uses them), and the version requirements.
 * Lists, macros and rules are handled in rules_items.c. Nothing is expanded
 * or compiled here (rules_compile.c does that), so that a later file can
 * still change what an earlier one defined.
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

/* ---- the reader ---- */

int rd_err(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
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

int rd_warn(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	return eng_rl_msg(d->r, 0, code, d->file, n ? (uint32_t)n->start_mark.line + 1 : 0,
			  n ? (uint32_t)n->start_mark.column + 1 : 0, d->itype, d->iname, "%s", text);
}

const char *rd_scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A plain "~", "null" or empty scalar: YAML's null. */
int rd_is_null(const yaml_node_t *n)
{
	const char *s = rd_scalar(n);
	if (!s || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") ||
	       !strcmp(s, "NULL");
}

yaml_node_t *rd_map_get(struct rd *d, const yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		const char *k = rd_scalar(NODE(d, p->key));
		if (k && !strcmp(k, key))
			return NODE(d, p->value);
	}
	return NULL;
}

/* A required string: Falco's messages for a missing, non-scalar or empty one. */
int rd_get_str(struct rd *d, const yaml_node_t *item, const char *key, const char **out,
	       int allow_empty)
{
	yaml_node_t *v = rd_map_get(d, item, key);
	if (!v)
		return rd_err(d, item, "LOAD_ERR_YAML_VALIDATE", "Item has no mapping for key '%s'",
			      key);
	if (rd_is_null(v)) {
		if (!allow_empty)
			return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE", "Mapping for key '%s' is empty",
				      key);
		*out = "";
		return 0;
	}
	const char *s = rd_scalar(v);
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

int rd_get_bool(struct rd *d, const yaml_node_t *v, const char *key, int *out)
{
	const char *s = rd_scalar(v);
	if (!s || parse_bool(s, out))
		return rd_err(d, v, "LOAD_ERR_YAML_VALIDATE",
			      "Value for key '%s' must be a boolean (true or false)", key);
	return 0;
}

int rd_yv_from(struct rd *d, const yaml_node_t *n, struct eng_rl_yv *out, int depth)
{
	memset(out, 0, sizeof(*out));
	out->line = (uint32_t)n->start_mark.line + 1;
	out->col = (uint32_t)n->start_mark.column + 1;
	if (depth > 8)
		return rd_err(d, n, "LOAD_ERR_YAML_VALIDATE", "Value is nested too deeply");
	if (n->type == YAML_SCALAR_NODE)
		return (out->s = strdup(rd_is_null(n) ? "" : rd_scalar(n))) ? 0 : -ENOMEM;
	if (n->type != YAML_SEQUENCE_NODE)
		return rd_err(d, n, "LOAD_ERR_YAML_VALIDATE",
			      "Expected a string or a sequence, not a mapping");
	size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (cnt && !(out->kids = calloc(cnt, sizeof(*out->kids))))
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++) {
		int rc = rd_yv_from(d, NODE(d, n->data.sequence.items.start[i]), &out->kids[i],
				    depth + 1);
		out->n++;
		if (rc)
			return rc;
	}
	return 0;
}


int rd_in_set(const char *k, const char *const *set)
{
	for (; *set; set++)
		if (!strcmp(k, *set))
			return 1;
	return 0;
}

int rd_decode_overrides(struct rd *d, const yaml_node_t *item, const char *const *can_append,
			const char *const *can_replace, struct overrides *o)
{
	memset(o, 0, sizeof(*o));
	yaml_node_t *ov = rd_map_get(d, item, "override");
	if (!ov)
		return 0;
	if (ov->type != YAML_MAPPING_NODE)
		return rd_err(d, ov, "LOAD_ERR_YAML_VALIDATE",
			      "Value for key 'override' must be a mapping of keys to 'append' or "
			      "'replace'");
	for (yaml_node_pair_t *p = ov->data.mapping.pairs.start; p < ov->data.mapping.pairs.top;
	     p++) {
		const char *k = rd_scalar(NODE(d, p->key)), *v = rd_scalar(NODE(d, p->value));
		if (!k || !v)
			return rd_err(d, NODE(d, p->key), "LOAD_ERR_YAML_VALIDATE",
				      "Override entries must be 'KEY: append' or 'KEY: replace'");
		if (!strcmp(v, "append")) {
			if (!rd_in_set(k, can_append))
				return rd_err(d, NODE(d, p->value), "LOAD_ERR_YAML_VALIDATE",
					      "Key '%s' cannot be appended to, use 'replace' instead",
					      k);
			if (o->nappend < 16)
				o->append[o->nappend++] = k;
		} else if (!strcmp(v, "replace")) {
			if (!rd_in_set(k, can_replace))
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

int rd_has_key(const struct overrides *o, const char *k, int append)
{
	const char *const *set = append ? o->append : o->replace;
	int n = append ? o->nappend : o->nreplace;
	for (int i = 0; i < n; i++)
		if (!strcmp(set[i], k))
			return 1;
	return 0;
}

int rd_warn_unknown_keys(struct rd *d, const yaml_node_t *item, const char *const *known)
{
	for (yaml_node_pair_t *p = item->data.mapping.pairs.start; p < item->data.mapping.pairs.top;
	     p++) {
		const char *k = rd_scalar(NODE(d, p->key));
		if (k && !rd_in_set(k, known) &&
		    rd_warn(d, NODE(d, p->key), "LOAD_UNKNOWN_KEY", "Unknown key '%s'. It will be ignored",
			    k))
			return -ENOMEM;
	}
	return 0;
}

int rd_valid_name(const char *s)
{
	if (!(isalpha((unsigned char)*s) || *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return 0;
	return 1;
}

int rd_scalar_style(const yaml_node_t *n)
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
	yaml_node_t *v = rd_map_get(d, item, "required_engine_version");
	const char *s = rd_scalar(v);
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
	yaml_node_t *v = rd_map_get(d, item, "required_plugin_versions");
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
		if ((rc = rd_get_str(d, p, "name", &name, 0)) || (rc = rd_get_str(d, p, "version", &ver, 0)))
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
		yaml_node_t *alts = rd_map_get(d, p, "alternatives");
		if (!ok && alts && alts->type == YAML_SEQUENCE_NODE) {
			for (yaml_node_item_t *a = alts->data.sequence.items.start;
			     a < alts->data.sequence.items.top && !ok; a++) {
				const char *an = rd_scalar(rd_map_get(d, NODE(d, *a), "name"));
				const char *av = rd_scalar(rd_map_get(d, NODE(d, *a), "version"));
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
	if (rd_map_get(d, item, "required_engine_version"))
		return read_engine_version(d, item);
	if (rd_map_get(d, item, "required_plugin_versions"))
		return read_plugin_versions(d, item);
	if (rd_map_get(d, item, "list"))
		return eng_rl_read_list(d, item);
	if (rd_map_get(d, item, "macro"))
		return eng_rl_read_macro(d, item);
	if (rd_map_get(d, item, "rule"))
		return eng_rl_read_rule(d, item);
	return rd_warn(d, item, "LOAD_UNKNOWN_ITEM", "Unknown top level object");
}

/* The nesting depth, from libyaml's events alone (nothing is built): a
 * file nested deeper than ENG_RULES_MAX_DEPTH is refused as soon as the
 * level too many is read, before the scanner's cost grows. Syntax errors
 * are left to the load, which reports them. */
static int check_depth(struct eng_rules *r, const char *name, const char *content, size_t len)
{
	yaml_parser_t p;
	yaml_event_t ev;
	int depth = 0, rc = 0;
	if (!yaml_parser_initialize(&p))
		return -ENOMEM;
	yaml_parser_set_input_string(&p, (const unsigned char *)content, len);
	while (!rc && yaml_parser_parse(&p, &ev)) {
		yaml_event_type_t t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > ENG_RULES_MAX_DEPTH)
				rc = eng_rl_msg(r, 1, "LOAD_ERR_YAML_PARSE", name,
						(uint32_t)ev.start_mark.line + 1,
						(uint32_t)ev.start_mark.column + 1, "", "",
						"YAML nested more than %d levels deep: not a rules "
						"file", ENG_RULES_MAX_DEPTH);
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return r->nomem ? -ENOMEM : rc ? -EINVAL : 0;
}

struct keyref {
	const char *key;
	const yaml_node_t *node;
};

static int cmp_keyref(const void *a, const void *b)
{
	const struct keyref *x = a, *y = b;
	int c = strcmp(x->key, y->key);
	if (c)
		return c;
	return x->node->start_mark.index < y->node->start_mark.index ? -1 : 1;
}

/* A key given twice in one mapping (a second `condition:`): the loader
 * reads the first, so the second is reported where it is. Sorted, so that
 * a mapping of many keys costs n log n; the depth is already bounded. */
static int warn_dup_keys(struct rd *d, yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE) {
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			int rc = warn_dup_keys(d, NODE(d, *it));
			if (rc)
				return rc;
		}
		return 0;
	}
	if (n->type != YAML_MAPPING_NODE)
		return 0;
	size_t np = (size_t)(n->data.mapping.pairs.top - n->data.mapping.pairs.start), nk = 0;
	struct keyref *k = np > 1 ? malloc(np * sizeof(*k)) : NULL;
	if (np > 1 && !k)
		return -ENOMEM;
	int rc = 0;
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *key = rd_scalar(NODE(d, p->key));
		if (k && key)
			k[nk++] = (struct keyref){key, NODE(d, p->key)};
		if (!rc)
			rc = warn_dup_keys(d, NODE(d, p->value));
	}
	if (nk > 1)
		qsort(k, nk, sizeof(*k), cmp_keyref);
	for (size_t i = 1; i < nk && !rc; i++)
		if (!strcmp(k[i].key, k[i - 1].key) &&
		    rd_warn(d, k[i].node, "LOAD_DUPLICATE_KEY",
			    "Key '%s' is given twice in this mapping (first at line %u): the first "
			    "value is used, this one is ignored", k[i].key,
			    (unsigned)k[i - 1].node->start_mark.line + 1))
			rc = -ENOMEM;
	free(k);
	return rc;
}

int eng_rules_load_string(struct eng_rules *r, const char *name, const char *content)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct rd d = {.r = r, .file = name, .itype = "", .iname = ""};
	int rc = 0, ndocs = 0;
	size_t len = strlen(content);
	if (len > ENG_RULES_MAX_BYTES) {
		eng_rl_msg(r, 1, "LOAD_ERR_YAML_PARSE", name, 0, 0, "", "",
			   "the file is larger than %u MiB: not a rules file",
			   ENG_RULES_MAX_BYTES >> 20);
		return r->nomem ? -ENOMEM : -EINVAL;
	}
	if ((rc = check_depth(r, name, content, len)))
		return rc;
	if (!yaml_parser_initialize(&parser))
		return -ENOMEM;
	yaml_parser_set_input_string(&parser, (const unsigned char *)content, len);
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
		d.itype = d.iname = "";
		/* Falco reads every document of a file, but a second one is
		 * usually a pasted file or a stray '---': say so */
		if (++ndocs == 2 &&
		    eng_rl_msg(r, 0, "LOAD_MULTIPLE_DOCUMENTS", name, (uint32_t)doc.start_mark.line + 1,
			       (uint32_t)doc.start_mark.column + 1, "", "",
			       "the file holds more than one YAML document (a '---' line): each "
			       "is loaded, in order"))
			rc = -ENOMEM;
		if (!rc)
			rc = warn_dup_keys(&d, root);
		if (rc) {
			/* out of memory: stop */
		} else if (rd_is_null(root)) {
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

