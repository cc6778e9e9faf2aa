/*
 * Falco's alert, formatted once per match for every output channel: the
 * text line ("TIME: Priority output") and the JSON object with Falco's keys
 * in its order (hostname, output, output_fields, priority, rule, source,
 * tags, time in RFC 3339). The buffers are reused from alert to alert.
 */
#ifndef ENG_ALERT_H
#define ENG_ALERT_H

#include "eng_config.h"
#include "eng_out.h"
#include "eng_rules.h"

struct eng_alert_buf {
	char *text, *json, *fields;
	size_t cap;
	char host[256];
};

int eng_alert_buf_init(struct eng_alert_buf *b);
void eng_alert_buf_clear(struct eng_alert_buf *b);

/* Formats a rule's match into a (pointing into b). jout: the rule's
 * output_fields format (NULL: no JSON). */
void eng_alert_format(struct eng_alert_buf *b, struct eng_alert *a, const struct eng_rule *rule,
		      struct eng_output *jout, const struct eng_ctx *c, const struct eng_config *cfg);
/* An alert not from a rule (the drop alert): text and a JSON whose
 * output_fields is the given object text. */
void eng_alert_internal(struct eng_alert_buf *b, struct eng_alert *a, const char *rule,
			enum eng_priority prio, uint64_t ts, const char *output,
			const char *fields_json, const struct eng_config *cfg);

#endif
