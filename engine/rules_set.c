/*
 * The rule set object: priorities, the messages of a load, the values
 * copied out of YAML, reading files and folders, and freeing it all. The
 * YAML reader is rules_load.c, the compiler rules_compile.c.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "eng_rules_impl.h"

static const char *const prio_names[] = {"Emergency", "Alert", "Critical", "Error",
					 "Warning", "Notice", "Informational", "Debug"};

int eng_priority_parse(const char *s, enum eng_priority *out)
{
	for (int i = 0; i < 8; i++) {
		if (!strcasecmp(s, prio_names[i])) {
			*out = (enum eng_priority)i;
			return 0;
		}
	}
	if (!strcasecmp(s, "info")) {
		*out = ENG_PRIO_INFORMATIONAL;
		return 0;
	}
	return -EINVAL;
}

const char *eng_priority_name(enum eng_priority p)
{
	return (unsigned)p < 8 ? prio_names[p] : "Unknown";
}

void eng_rl_free_items(char **items, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(items[i]);
	free(items);
}

/* ---- messages ---- */

int eng_rl_msg(struct eng_rules *r, int is_error, const char *code, const char *file,
	       uint32_t line, uint32_t col, const char *item_type, const char *item_name,
	       const char *fmt, ...)
{
	if (r->nmsgs == r->capmsgs) {
		size_t nc = r->capmsgs ? r->capmsgs * 2 : 16;
		struct eng_rules_msg *m = realloc(r->msgs, nc * sizeof(*m));
		if (!m) {
			r->nomem = 1;
			return -ENOMEM;
		}
		r->msgs = m;
		r->capmsgs = nc;
	}
	struct eng_rules_msg *m = &r->msgs[r->nmsgs];
	memset(m, 0, sizeof(*m));
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&m->text, fmt, ap);
	va_end(ap);
	m->file = strdup(file ? file : "");
	m->item_name = strdup(item_name ? item_name : "");
	if (n < 0 || !m->file || !m->item_name) {
		if (n >= 0)
			free(m->text);
		free(m->file);
		free(m->item_name);
		r->nomem = 1;
		return -ENOMEM;
	}
	m->is_error = is_error;
	m->code = code;
	m->line = line;
	m->col = col;
	m->item_type = item_type ? item_type : "";
	r->nmsgs++;
	return is_error ? -EINVAL : 0;
}

size_t eng_rules_nmsgs(const struct eng_rules *r) { return r->nmsgs; }

const struct eng_rules_msg *eng_rules_msg(const struct eng_rules *r, size_t i)
{
	return i < r->nmsgs ? &r->msgs[i] : NULL;
}

int eng_rules_msg_format(const struct eng_rules_msg *m, char *buf, size_t cap)
{
	char where[64] = "";
	if (m->line)
		snprintf(where, sizeof(where), ":%u:%u", m->line, m->col);
	char item[300] = "";
	if (m->item_type[0])
		snprintf(item, sizeof(item), "%s '%s': ", m->item_type, m->item_name);
	return snprintf(buf, cap, "%s%s: %s: [%s] %s%s", m->file, where,
			m->is_error ? "error" : "warning", m->code, item, m->text);
}

/* ---- values copied out of the YAML document ---- */

void eng_rl_yv_clear(struct eng_rl_yv *v)
{
	for (size_t i = 0; i < v->n; i++)
		eng_rl_yv_clear(&v->kids[i]);
	free(v->kids);
	free(v->s);
	memset(v, 0, sizeof(*v));
}

int eng_rl_yv_copy(struct eng_rl_yv *dst, const struct eng_rl_yv *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->line = src->line;
	dst->col = src->col;
	if (src->s)
		return (dst->s = strdup(src->s)) ? 0 : -ENOMEM;
	if (src->n && !(dst->kids = calloc(src->n, sizeof(*dst->kids))))
		return -ENOMEM;
	for (size_t i = 0; i < src->n; i++) {
		dst->n++;
		if (eng_rl_yv_copy(&dst->kids[i], &src->kids[i]))
			return -ENOMEM;
	}
	return 0;
}

void eng_rl_exc_clear(struct eng_rl_exc *e)
{
	free(e->name);
	eng_rl_yv_clear(&e->fields);
	eng_rl_yv_clear(&e->comps);
	eng_rl_yv_clear(&e->values);
	memset(e, 0, sizeof(*e));
}

void eng_rl_rule_free(struct eng_rule *rule)
{
	if (!rule)
		return;
	free(rule->name);
	free(rule->desc);
	free(rule->cond);
	free(rule->output);
	free(rule->source);
	free(rule->file);
	for (size_t i = 0; i < rule->ntags; i++)
		free(rule->tags[i]);
	free(rule->tags);
	eng_ast_free(rule->ast);
	eng_filter_free(rule->filter);
	eng_output_free(rule->out);
	free(rule->evttypes);
	struct eng_rl_rule_priv *p = rule->priv;
	if (p) {
		for (size_t i = 0; i < p->nexc; i++)
			eng_rl_exc_clear(&p->exc[i]);
		free(p->exc);
		free(p);
	}
	free(rule);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);
	return a >= b && !strcmp(s + a - b, suf);
}

static int load_one(struct eng_rules *r, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		int e = errno;
		eng_rl_msg(r, 1, "LOAD_ERR_FILE_READ", path, 0, 0, "", "",
			   "cannot open the rules file: %s (check the path given with -r)", strerror(e));
		return -e;
	}
	char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (cap - len < 65536) {
			char *nb = realloc(buf, cap + 65536 + 1);
			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
			cap += 65536;
		}
		size_t n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
		if (len > ENG_RULES_MAX_BYTES) { /* read no further */
			free(buf);
			fclose(f);
			eng_rl_msg(r, 1, "LOAD_ERR_YAML_PARSE", path, 0, 0, "", "",
				   "the file is larger than %u MiB: not a rules file",
				   ENG_RULES_MAX_BYTES >> 20);
			return r->nomem ? -ENOMEM : -EINVAL;
		}
	}
	int bad = ferror(f);
	fclose(f);
	if (bad) {
		free(buf);
		eng_rl_msg(r, 1, "LOAD_ERR_FILE_READ", path, 0, 0, "", "", "cannot read the rules file");
		return -EIO;
	}
	buf[len] = 0;
	if (strlen(buf) != len) {
		free(buf);
		return eng_rl_msg(r, 1, "LOAD_ERR_YAML_PARSE", path, 0, 0, "", "",
				  "the file contains NUL bytes: it is not a YAML rules file");
	}
	int rc = eng_rules_load_string(r, path, buf);
	free(buf);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int eng_rules_load_file(struct eng_rules *r, const char *path)
{
	struct stat st;
	if (stat(path, &st) || !S_ISDIR(st.st_mode))
		return load_one(r, path);
	DIR *dir = opendir(path);
	if (!dir) {
		int e = errno;
		eng_rl_msg(r, 1, "LOAD_ERR_FILE_READ", path, 0, 0, "", "",
			   "cannot open the rules folder: %s", strerror(e));
		return -e;
	}
	char **names = NULL;
	size_t n = 0;
	int rc = 0;
	struct dirent *de;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.' ||
		    !(has_suffix(de->d_name, ".yaml") || has_suffix(de->d_name, ".yml")))
			continue;
		char **nn = realloc(names, (n + 1) * sizeof(char *));
		if (!nn || asprintf(&nn[n], "%s/%s", path, de->d_name) < 0) {
			names = nn ? nn : names;
			rc = -ENOMEM;
			break;
		}
		names = nn;
		n++;
	}
	closedir(dir);
	if (!rc)
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n && !rc; i++)
		rc = load_one(r, names[i]);
	eng_rl_free_items(names, n);
	return rc;
}

/* ---- the set ---- */

int eng_rules_new(struct eng_rules **out)
{
	*out = calloc(1, sizeof(**out));
	return *out ? 0 : -ENOMEM;
}

void eng_rules_free(struct eng_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->nlists; i++) {
		free(r->lists[i].name);
		free(r->lists[i].file);
		eng_rl_free_items(r->lists[i].items, r->lists[i].n);
	}
	free(r->lists);
	for (size_t i = 0; i < r->nmacros; i++) {
		free(r->macros[i].name);
		free(r->macros[i].file);
		free(r->macros[i].cond);
		eng_ast_free(r->macros[i].ast);
	}
	free(r->macros);
	for (size_t i = 0; i < r->nrules; i++)
		eng_rl_rule_free(r->rules[i]);
	free(r->rules);
	for (size_t i = 0; i < r->nmsgs; i++) {
		free(r->msgs[i].file);
		free(r->msgs[i].item_name);
		free(r->msgs[i].text);
	}
	free(r->msgs);
	free(r);
}

size_t eng_rules_count(const struct eng_rules *r) { return r->nrules; }

struct eng_rule *eng_rules_get(struct eng_rules *r, size_t i)
{
	return i < r->nrules ? r->rules[i] : NULL;
}
