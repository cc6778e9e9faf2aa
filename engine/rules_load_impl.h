/*
 * What the rules file reader (rules_load.c) and the item handlers
 * (rules_items.c) share, and nothing else includes: the reader's state and
 * its YAML helpers. Not an API: that is eng_rules.h.
 */
#ifndef RULES_LOAD_IMPL_H
#define RULES_LOAD_IMPL_H

#include <yaml.h>

#include "eng_rules_impl.h"

struct rd {
	struct eng_rules *r;
	const char *file;
	yaml_document_t *doc;
	const char *itype; /* "rule", "macro", ... for messages */
	const char *iname;
};

#define NODE(rd, i) yaml_document_get_node((rd)->doc, (i))

/* The override: map, split into the keys to append and to replace. */
struct overrides {
	const char *append[16], *replace[16];
	int nappend, nreplace;
};

/* rules_load.c: the YAML helpers */
int rd_err(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
int rd_warn(struct rd *d, const yaml_node_t *n, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
const char *rd_scalar(const yaml_node_t *n);
int rd_is_null(const yaml_node_t *n);
yaml_node_t *rd_map_get(struct rd *d, const yaml_node_t *map, const char *key);
int rd_get_str(struct rd *d, const yaml_node_t *item, const char *key, const char **out,
	       int allow_empty);
int rd_get_bool(struct rd *d, const yaml_node_t *v, const char *key, int *out);
int rd_yv_from(struct rd *d, const yaml_node_t *n, struct eng_rl_yv *out, int depth);
int rd_in_set(const char *k, const char *const *set);
int rd_decode_overrides(struct rd *d, const yaml_node_t *item, const char *const *can_append,
			const char *const *can_replace, struct overrides *o);
int rd_has_key(const struct overrides *o, const char *k, int append);
int rd_warn_unknown_keys(struct rd *d, const yaml_node_t *item, const char *const *known);
int rd_valid_name(const char *s);
int rd_scalar_style(const yaml_node_t *n);

/* rules_items.c: the items */
int eng_rl_read_list(struct rd *d, yaml_node_t *item);
int eng_rl_read_macro(struct rd *d, yaml_node_t *item);
int eng_rl_read_rule(struct rd *d, yaml_node_t *item);

#endif
