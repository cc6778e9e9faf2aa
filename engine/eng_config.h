/*
 * The engine's settings: Falco's falco.yaml keys that apply to pdig-engine,
 * read from a file (-c FILE) and overridden one by one (-o key=value).
 *
 * Every key is a row of one table (config.c) with its type, so the file
 * and -o take the same paths and give the same errors: a wrong type is an
 * error naming the key and where it was written (FILE:LINE, or "-o"); an
 * unknown key is a warning. Nothing here opens outputs or loads rules.
 */
#ifndef ENG_CONFIG_H
#define ENG_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "eng_rules.h"

#define ENG_CONFIG_MAX_LIST 64

/* syscall_event_drops.actions */
enum eng_drop_action {
	ENG_DROP_IGNORE = 1 << 0,
	ENG_DROP_LOG = 1 << 1,
	ENG_DROP_ALERT = 1 << 2,
	ENG_DROP_EXIT = 1 << 3,
};

struct eng_config {
	char *rules_files[ENG_CONFIG_MAX_LIST];
	int nrules_files;
	enum eng_priority priority; /* the minimum a rule needs to be loaded */
	int json_output;
	int json_include_output_property;
	int json_include_tags_property;
	int json_include_output_fields_property;
	int buffered_outputs;       /* -1: as the source suits (replay: blocks, live: lines) */
	int rule_matching_all;      /* rule_matching: first (0) or all (1) */
	int time_format_iso_8601;   /* the text alert's time as RFC 3339 */

	int stdout_enabled;
	int file_enabled, file_keep_alive;
	char *file_name;
	int program_enabled, program_keep_alive;
	char *program;
	int syslog_enabled;
	char *syslog_socket;        /* where syslog listens (pdig's key; default /dev/log) */
	int queue_capacity;         /* outputs_queue.capacity: alerts a blocking channel
				     * holds at most (0: the default); beyond, counted lost */
	int http_enabled, http_insecure, http_compress, http_keep_alive, http_echo;
	char *http_url, *http_user_agent, *http_ca_cert, *http_ca_path, *http_client_cert,
		*http_client_key;

	double drops_threshold;
	unsigned drops_actions;     /* enum eng_drop_action */
	double drops_rate;          /* alerts per second... */
	int drops_max_burst;        /* ... with this many at once */

	int webserver_enabled;
	char *webserver_address;
	int webserver_port;
	char *webserver_healthz;
	int webserver_prometheus;

	int metrics_enabled;
	char *metrics_interval;     /* "15m", "30s", as Falco writes it */
	int metrics_output_rule;
};

/* Falco's defaults, with no rules file and stdout on. */
int eng_config_init(struct eng_config *c);
void eng_config_clear(struct eng_config *c);

/* Reads a falco.yaml-style file. Unknown keys are warnings on warn; a
 * wrong type or an unreadable file an error in err ("FILE:LINE: key: ...").
 * 0 or a negative errno; c may be partly set after an error. */
int eng_config_load(struct eng_config *c, const char *path, FILE *warn, char *err,
		    size_t errlen);
/* -o key=value (the key's path with dots, as in the file). */
int eng_config_set(struct eng_config *c, const char *kv, FILE *warn, char *err,
		   size_t errlen);
/* The project's rules (the .yaml files of rules/) built in: used when neither -r nor
 * rules_files names any. Ends with a NULL name. */
struct eng_default_rules {
	const char *name, *text;
};
extern const struct eng_default_rules eng_default_rules[];

/* metrics.interval in seconds, or -EINVAL. */
long eng_config_interval_s(const char *text);

#endif
