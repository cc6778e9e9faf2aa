/*
 * The settings table and its two readers: a falco.yaml-style file (through
 * libyaml's document tree) and -o key=value. Only values are checked here;
 * whether a file or a program can be opened is the outputs' business.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "eng_config.h"

enum ktype { K_BOOL = 1, K_STR, K_INT, K_DOUBLE, K_PRIO, K_LIST, K_MATCH, K_ACTIONS };

struct key {
	const char *path;
	enum ktype type;
	size_t off;
};

#define K(p, t, f) {p, t, offsetof(struct eng_config, f)}
static const struct key keys[] = {
	K("rules_files", K_LIST, rules_files),
	K("rules_file", K_LIST, rules_files), /* Falco's older name */
	K("priority", K_PRIO, priority),
	K("json_output", K_BOOL, json_output),
	K("json_include_output_property", K_BOOL, json_include_output_property),
	K("json_include_tags_property", K_BOOL, json_include_tags_property),
	K("json_include_output_fields_property", K_BOOL, json_include_output_fields_property),
	K("buffered_outputs", K_BOOL, buffered_outputs),
	K("rule_matching", K_MATCH, rule_matching_all),
	K("time_format_iso_8601", K_BOOL, time_format_iso_8601),
	K("stdout_output.enabled", K_BOOL, stdout_enabled),
	K("file_output.enabled", K_BOOL, file_enabled),
	K("file_output.keep_alive", K_BOOL, file_keep_alive),
	K("file_output.filename", K_STR, file_name),
	K("program_output.enabled", K_BOOL, program_enabled),
	K("program_output.keep_alive", K_BOOL, program_keep_alive),
	K("program_output.program", K_STR, program),
	K("syslog_output.enabled", K_BOOL, syslog_enabled),
	K("syslog_output.socket", K_STR, syslog_socket),
	K("http_output.enabled", K_BOOL, http_enabled),
	K("http_output.url", K_STR, http_url),
	K("http_output.user_agent", K_STR, http_user_agent),
	K("http_output.ca_cert", K_STR, http_ca_cert),
	K("http_output.ca_path", K_STR, http_ca_path),
	K("http_output.insecure", K_BOOL, http_insecure),
	K("http_output.client_cert", K_STR, http_client_cert),
	K("http_output.client_key", K_STR, http_client_key),
	K("http_output.compress_uploads", K_BOOL, http_compress),
	K("http_output.keep_alive", K_BOOL, http_keep_alive),
	K("http_output.echo", K_BOOL, http_echo),
	K("outputs_queue.capacity", K_INT, queue_capacity),
	K("syscall_event_drops.threshold", K_DOUBLE, drops_threshold),
	K("syscall_event_drops.actions", K_ACTIONS, drops_actions),
	K("syscall_event_drops.rate", K_DOUBLE, drops_rate),
	K("syscall_event_drops.max_burst", K_INT, drops_max_burst),
	K("webserver.enabled", K_BOOL, webserver_enabled),
	K("webserver.listen_address", K_STR, webserver_address),
	K("webserver.listen_port", K_INT, webserver_port),
	K("webserver.k8s_healthz_endpoint", K_STR, webserver_healthz),
	K("webserver.prometheus_metrics_enabled", K_BOOL, webserver_prometheus),
	K("metrics.enabled", K_BOOL, metrics_enabled),
	K("metrics.interval", K_STR, metrics_interval),
	K("metrics.output_rule", K_BOOL, metrics_output_rule),
	{NULL, 0, 0},
};

static int set_str(char **dst, const char *v)
{
	char *s = strdup(v);
	if (!s)
		return -ENOMEM;
	free(*dst);
	*dst = s;
	return 0;
}

int eng_config_init(struct eng_config *c)
{
	memset(c, 0, sizeof(*c));
	c->priority = ENG_PRIO_DEBUG;
	c->json_include_output_property = 1;
	c->json_include_tags_property = 1;
	c->json_include_output_fields_property = 1;
	c->buffered_outputs = -1;
	c->time_format_iso_8601 = 0;
	c->stdout_enabled = 1;
	c->drops_threshold = 0.1;
	c->drops_actions = ENG_DROP_LOG | ENG_DROP_ALERT;
	c->drops_rate = 1.0 / 30;
	c->drops_max_burst = 1;
	c->webserver_port = 8765;
	c->webserver_prometheus = 1;
	c->metrics_output_rule = 1;
	if (set_str(&c->webserver_address, "0.0.0.0") ||
	    set_str(&c->webserver_healthz, "/healthz") ||
	    set_str(&c->http_user_agent, "falcosecurity/falco") ||
	    set_str(&c->metrics_interval, "15m") || set_str(&c->syslog_socket, "/dev/log")) {
		eng_config_clear(c);
		return -ENOMEM;
	}
	return 0;
}

static void clear_list(struct eng_config *c)
{
	for (int i = 0; i < c->nrules_files; i++)
		free(c->rules_files[i]);
	c->nrules_files = 0;
}

void eng_config_clear(struct eng_config *c)
{
	clear_list(c);
	for (const struct key *k = keys; k->path; k++)
		if (k->type == K_STR) {
			char **s = (char **)((char *)c + k->off);
			free(*s);
			*s = NULL;
		}
}

static const struct key *find_key(const char *path, size_t len)
{
	for (const struct key *k = keys; k->path; k++)
		if (strlen(k->path) == len && !strncmp(k->path, path, len))
			return k;
	return NULL;
}

/* A section of keys ("http_output" for "http_output.url"). */
static int is_section(const char *path)
{
	size_t n = strlen(path);
	for (const struct key *k = keys; k->path; k++)
		if (!strncmp(k->path, path, n) && k->path[n] == '.')
			return 1;
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const t[] = {"true", "yes", "on", NULL}, *const f[] = {"false", "no",
										 "off", NULL};
	for (int i = 0; t[i]; i++) {
		if (!strcasecmp(v, t[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, f[i]))
			return *out = 0, 0;
	}
	return -EINVAL;
}

/* One scalar value for key k; where says where it came from. */
static int set_scalar(struct eng_config *c, const struct key *k, const char *v, const char *where,
		      char *err, size_t errlen)
{
	void *p = (char *)c + k->off;
	char *end;
	switch (k->type) {
	case K_BOOL:
		if (!parse_bool(v, (int *)p))
			return 0;
		snprintf(err, errlen, "%s: %s: wants a boolean (true or false), not '%s'", where,
			 k->path, v);
		return -EINVAL;
	case K_STR:
		return set_str((char **)p, v);
	case K_INT: {
		errno = 0;
		long n = strtol(v, &end, 10);
		if (*v && !*end && !errno && n >= 0 && n <= 1000000000) {
			*(int *)p = (int)n;
			return 0;
		}
		snprintf(err, errlen, "%s: %s: wants a whole number, not '%s'", where, k->path, v);
		return -EINVAL;
	}
	case K_DOUBLE: {
		double d = strtod(v, &end);
		if (*v && !*end && d >= 0) {
			*(double *)p = d;
			return 0;
		}
		snprintf(err, errlen, "%s: %s: wants a number, not '%s'", where, k->path, v);
		return -EINVAL;
	}
	case K_PRIO:
		if (!eng_priority_parse(v, (enum eng_priority *)p))
			return 0;
		snprintf(err, errlen, "%s: %s: wants one of emergency, alert, critical, error, "
				      "warning, notice, informational, debug, not '%s'", where, k->path, v);
		return -EINVAL;
	case K_MATCH:
		if (!strcmp(v, "first") || !strcmp(v, "all")) {
			*(int *)p = !strcmp(v, "all");
			return 0;
		}
		snprintf(err, errlen, "%s: %s: wants first or all, not '%s'", where, k->path, v);
		return -EINVAL;
	case K_ACTIONS: {
		static const char *const names[] = {"ignore", "log", "alert", "exit"};
		for (int i = 0; i < 4; i++)
			if (!strcmp(v, names[i])) {
				*(unsigned *)p |= 1u << i;
				return 0;
			}
		snprintf(err, errlen, "%s: %s: wants ignore, log, alert or exit, not '%s'", where,
			 k->path, v);
		return -EINVAL;
	}
	case K_LIST:
		if (c->nrules_files >= ENG_CONFIG_MAX_LIST) {
			snprintf(err, errlen, "%s: %s: more than %d entries", where, k->path,
				 ENG_CONFIG_MAX_LIST);
			return -EINVAL;
		}
		if (!(c->rules_files[c->nrules_files] = strdup(v)))
			return -ENOMEM;
		c->nrules_files++;
		return 0;
	}
	return -EINVAL;
}

static int list_start(struct eng_config *c, const struct key *k)
{
	if (k->type == K_LIST)
		clear_list(c);
	else if (k->type == K_ACTIONS)
		c->drops_actions = 0;
	return 0;
}

/* ---- the file ---- */

struct walk {
	yaml_document_t *doc;
	const char *file;
	struct eng_config *c;
	FILE *warn;
	char *err;
	size_t errlen;
};

static int set_node(struct walk *w, const struct key *k, yaml_node_t *n)
{
	char where[512];
	snprintf(where, sizeof(where), "%s:%lu", w->file, (unsigned long)n->start_mark.line + 1);
	if (n->type == YAML_SCALAR_NODE) {
		if (k->type == K_LIST || k->type == K_ACTIONS)
			list_start(w->c, k);
		return set_scalar(w->c, k, (const char *)n->data.scalar.value, where, w->err,
				  w->errlen);
	}
	if (n->type == YAML_SEQUENCE_NODE && (k->type == K_LIST || k->type == K_ACTIONS)) {
		list_start(w->c, k);
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			yaml_node_t *e = yaml_document_get_node(w->doc, *it);
			snprintf(where, sizeof(where), "%s:%lu", w->file,
				 (unsigned long)e->start_mark.line + 1);
			if (e->type != YAML_SCALAR_NODE) {
				snprintf(w->err, w->errlen, "%s: %s: wants a list of strings", where,
					 k->path);
				return -EINVAL;
			}
			int rc = set_scalar(w->c, k, (const char *)e->data.scalar.value, where, w->err,
					    w->errlen);
			if (rc)
				return rc;
		}
		return 0;
	}
	snprintf(w->err, w->errlen, "%s: %s: wants %s, not a %s", where, k->path,
		 k->type == K_LIST || k->type == K_ACTIONS ? "a list or a value" : "a value",
		 n->type == YAML_MAPPING_NODE ? "mapping" : "list");
	return -EINVAL;
}

static int walk_map(struct walk *w, yaml_node_t *map, const char *prefix)
{
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
		yaml_node_t *vn = yaml_document_get_node(w->doc, p->value);
		if (!kn || !vn)
			continue;
		unsigned long line = (unsigned long)kn->start_mark.line + 1;
		if (kn->type != YAML_SCALAR_NODE) {
			snprintf(w->err, w->errlen, "%s:%lu: a key must be a plain name", w->file, line);
			return -EINVAL;
		}
		char path[256];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "",
			 (const char *)kn->data.scalar.value);
		const struct key *k = find_key(path, strlen(path));
		int rc = 0;
		if (k)
			rc = set_node(w, k, vn);
		else if (is_section(path) && vn->type == YAML_MAPPING_NODE)
			rc = walk_map(w, vn, path);
		else if (is_section(path)) {
			snprintf(w->err, w->errlen, "%s:%lu: %s: wants a mapping of settings", w->file,
				 line, path);
			rc = -EINVAL;
		} else if (w->warn)
			fprintf(w->warn, "pdig-engine: %s:%lu: warning: %s is not a setting "
					 "pdig-engine uses (ignored)\n", w->file, line, path);
		if (rc)
			return rc;
	}
	return 0;
}

int eng_config_load(struct eng_config *c, const char *path, FILE *warn, char *err,
		    size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		int rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 0;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return -ENOMEM;
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%lu: not valid YAML: %s", path,
			 (unsigned long)parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "unknown problem");
		yaml_parser_delete(&parser);
		fclose(f);
		return -EINVAL;
	}
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root && root->type == YAML_MAPPING_NODE) {
		struct walk w = {&doc, path, c, warn, err, errlen};
		rc = walk_map(&w, root, "");
	} else if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length)) {
		snprintf(err, errlen, "%s:%lu: the configuration must be a mapping of settings",
			 path, (unsigned long)root->start_mark.line + 1);
		rc = -EINVAL;
	}
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	return rc;
}

/* ---- -o ---- */

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

int eng_config_set(struct eng_config *c, const char *kv, FILE *warn, char *err, size_t errlen)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv) {
		snprintf(err, errlen, "-o %s: wants KEY=VALUE, e.g. -o json_output=true", kv);
		return -EINVAL;
	}
	const struct key *k = find_key(kv, (size_t)(eq - kv));
	if (!k) {
		if (warn)
			fprintf(warn, "pdig-engine: -o %.*s: warning: not a setting pdig-engine uses "
				      "(ignored)\n", (int)(eq - kv), kv);
		return 0;
	}
	char where[300];
	snprintf(where, sizeof(where), "-o %s", kv);
	if (k->type != K_LIST && k->type != K_ACTIONS)
		return set_scalar(c, k, eq + 1, where, err, errlen);
	/* a list: one value, or [a, b] as YAML's flow form */
	char *v = strdup(eq + 1), *s;
	if (!v)
		return -ENOMEM;
	list_start(c, k);
	s = trim(v);
	size_t n = strlen(s);
	int rc = 0;
	if (*s == '[' && n >= 2 && s[n - 1] == ']') {
		s[n - 1] = 0;
		for (char *save = NULL, *t = strtok_r(s + 1, ",", &save); t && !rc;
		     t = strtok_r(NULL, ",", &save))
			if (*trim(t))
				rc = set_scalar(c, k, trim(t), where, err, errlen);
	} else {
		rc = set_scalar(c, k, s, where, err, errlen);
	}
	free(v);
	return rc;
}

long eng_config_interval_s(const char *t)
{
	char *end;
	double v = strtod(t, &end);
	if (end == t || v < 0)
		return -EINVAL;
	long mul = !strcmp(end, "") || !strcmp(end, "s") ? 1 : !strcmp(end, "m") ? 60
		   : !strcmp(end, "h") ? 3600 : !strcmp(end, "ms") ? 0 : -1;
	if (mul < 0)
		return -EINVAL;
	long s = mul ? (long)(v * (double)mul) : (long)(v / 1000);
	return s > 0 ? s : 1;
}
