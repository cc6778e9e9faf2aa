/*
 * Falco rules files: lists, macros and rules read from YAML (libyaml),
 * with Falco's redefinition, append and override semantics, then expanded
 * (lists into lists and conditions, macros into conditions) and compiled
 * with eng_filter.h.
 *
 * Use: eng_rules_new(), eng_rules_load_file()/eng_rules_load_string() for
 * each file in order (later files override earlier ones), then
 * eng_rules_compile() once. Every problem is kept as a message with the
 * file, line and column and one of Falco's kinds (LOAD_ERR_*, LOAD_*), so
 * that `-V` can print them all. The first error stops loading.
 */
#ifndef ENG_RULES_H
#define ENG_RULES_H

#include <stddef.h>
#include <stdint.h>

#include "eng_ast.h"
#include "eng_fields.h"

/* Falco's priorities, most severe first (syslog order). */
enum eng_priority {
	ENG_PRIO_EMERGENCY = 0,
	ENG_PRIO_ALERT,
	ENG_PRIO_CRITICAL,
	ENG_PRIO_ERROR,
	ENG_PRIO_WARNING,
	ENG_PRIO_NOTICE,
	ENG_PRIO_INFORMATIONAL,
	ENG_PRIO_DEBUG,
};

/* 0 with *out set for any of the eight names in any case ("Info" too),
 * -EINVAL otherwise. */
int eng_priority_parse(const char *s, enum eng_priority *out);
/* "Emergency" ... "Debug", as Falco prints them. */
const char *eng_priority_name(enum eng_priority p);

struct eng_rules_msg {
	int is_error;
	const char *code; /* Falco's kind: "LOAD_ERR_YAML_PARSE", "LOAD_UNUSED_MACRO"... */
	char *file;
	uint32_t line, col; /* from 1; 0 when not known */
	const char *item_type; /* "rule", "macro", "list", ... or "" */
	char *item_name;
	char *text;
};

struct eng_filter;
struct eng_output;

struct eng_rule {
	char *name, *desc, *cond, *output, *source;
	enum eng_priority priority;
	int enabled;
	int warn_evttypes;
	int skip_if_unknown_filter;
	int capture;
	uint64_t capture_duration;
	char **tags;
	size_t ntags;
	/* set by eng_rules_compile() */
	struct eng_ast *ast;       /* condition with exceptions, lists and macros expanded */
	struct eng_filter *filter; /* NULL when the rule was skipped */
	struct eng_output *out;
	int all_evttypes;          /* matches events of every type */
	uint8_t *evttypes;         /* bitmap over shm event types (SHM_EVENT_MAX bits) */
	uint32_t line, col;        /* where it was first defined */
	char *file;
	void *priv;                /* loader state (exceptions) */
};

struct eng_rules;

int eng_rules_new(struct eng_rules **out);
void eng_rules_free(struct eng_rules *r);

/* Reads one file or, for a folder, its .yaml and .yml files in name order.
 * 0, or -EINVAL when the content has an error (see the messages),
 * -ENOENT/-EACCES... when it cannot be read, -ENOMEM. */
int eng_rules_load_file(struct eng_rules *r, const char *path);
/* The same for text in memory; name is used in messages. */
int eng_rules_load_string(struct eng_rules *r, const char *name, const char *content);

/* Expands and compiles everything loaded; 0 or -EINVAL on an error. */
int eng_rules_compile(struct eng_rules *r);

size_t eng_rules_count(const struct eng_rules *r);
struct eng_rule *eng_rules_get(struct eng_rules *r, size_t i);
struct eng_rule *eng_rules_find(struct eng_rules *r, const char *name);

size_t eng_rules_nmsgs(const struct eng_rules *r);
const struct eng_rules_msg *eng_rules_msg(const struct eng_rules *r, size_t i);
/* "FILE:LINE:COL: error: [CODE] rule 'NAME': TEXT" */
int eng_rules_msg_format(const struct eng_rules_msg *m, char *buf, size_t cap);

/* The compiled condition as Falco prints it (fully parenthesized and/or,
 * values quoted only when they need it). Length, or -ENOSPC. */
int eng_rules_ast_str(const struct eng_ast *a, char *buf, size_t cap);

/* The engine version rules files are checked against. */
#define ENG_RULES_ENGINE_VERSION "0.57.0"

#endif
