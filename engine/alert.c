/* Falco's alert text and JSON (eng_alert.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eng_alert.h"
#include "shm_json.h"
#include "eng_output.h"

#define ALERT_CAP (1 << 16)

int eng_alert_buf_init(struct eng_alert_buf *b)
{
	memset(b, 0, sizeof(*b));
	b->cap = ALERT_CAP;
	b->text = malloc(b->cap);
	b->json = malloc(b->cap);
	b->fields = malloc(b->cap);
	gethostname(b->host, sizeof(b->host) - 1);
	if (!b->text || !b->json || !b->fields) {
		eng_alert_buf_clear(b);
		return -ENOMEM;
	}
	return 0;
}

void eng_alert_buf_clear(struct eng_alert_buf *b)
{
	free(b->text);
	free(b->json);
	free(b->fields);
	memset(b, 0, sizeof(*b));
}

/* A bounded writer into one buffer: what does not fit is cut. */
struct w {
	char *p;
	size_t n, cap;
};

static void put(struct w *w, const char *s, size_t n)
{
	if (w->n + n >= w->cap)
		n = w->cap - 1 - w->n;
	memcpy(w->p + w->n, s, n);
	w->n += n;
	w->p[w->n] = 0;
}

static void puts_w(struct w *w, const char *s)
{
	put(w, s, strlen(s));
}

/* A JSON string (shm_json.h): escaped, bad UTF-8 replaced. */
static void jstr(struct w *w, const char *s)
{
	w->n = shm_json_put_string(w->p, w->cap, w->n, s, strlen(s));
}

static void fmt_time(uint64_t ts, int iso, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	char t[32];
	if (iso) {
		gmtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, cap, "%s.%09lluZ", t, (unsigned long long)(ts % 1000000000ull));
	} else {
		localtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		snprintf(buf, cap, "%s.%09llu", t, (unsigned long long)(ts % 1000000000ull));
	}
}

static void json_alert(struct eng_alert_buf *b, const char *rule, enum eng_priority prio,
		       const char *source, char *const *tags, size_t ntags, uint64_t ts,
		       const char *fields, const struct eng_config *cfg)
{
	struct w w = {b->json, 0, b->cap};
	char tbuf[64];
	b->json[0] = 0;
	/* Falco's keys, in its (sorted) order */
	puts_w(&w, "{\"hostname\":");
	jstr(&w, b->host);
	if (cfg->json_include_output_property) {
		puts_w(&w, ",\"output\":");
		jstr(&w, b->text);
	}
	if (cfg->json_include_output_fields_property) {
		puts_w(&w, ",\"output_fields\":");
		puts_w(&w, fields);
	}
	puts_w(&w, ",\"priority\":");
	jstr(&w, eng_priority_name(prio));
	puts_w(&w, ",\"rule\":");
	jstr(&w, rule);
	puts_w(&w, ",\"source\":");
	jstr(&w, source);
	if (cfg->json_include_tags_property) {
		puts_w(&w, ",\"tags\":[");
		for (size_t i = 0; i < ntags; i++) {
			if (i)
				put(&w, ",", 1);
			jstr(&w, tags[i]);
		}
		put(&w, "]", 1);
	}
	fmt_time(ts, 1, tbuf, sizeof(tbuf));
	puts_w(&w, ",\"time\":");
	jstr(&w, tbuf);
	put(&w, "}", 1);
}

void eng_alert_format(struct eng_alert_buf *b, struct eng_alert *a, const struct eng_rule *rule,
		      struct eng_output *jout, const struct eng_ctx *c, const struct eng_config *cfg)
{
	char tbuf[64];
	uint64_t ts = c->ev->evt.ts;
	fmt_time(ts, cfg->time_format_iso_8601, tbuf, sizeof(tbuf));
	int n = snprintf(b->text, b->cap, "%s: %s ", tbuf, eng_priority_name(rule->priority));
	if (n < 0 || (size_t)n >= b->cap)
		n = 0;
	if (rule->out) {
		if (eng_output_render(rule->out, c, b->text + n, b->cap - (size_t)n) < 0)
			b->text[n] = 0;
	} else {
		snprintf(b->text + n, b->cap - (size_t)n, "%s", rule->output);
	}
	*a = (struct eng_alert){.ts = ts, .priority = rule->priority, .rule = rule->name,
				.text = b->text, .line = b->text};
	if (!jout)
		return;
	if (eng_output_render_json(jout, c, ENG_OUTPUT_JSON_ALL_FIELDS, b->fields, b->cap) < 0 ||
	    !strcmp(b->fields, "null"))
		strcpy(b->fields, "{}");
	json_alert(b, rule->name, rule->priority, rule->source, rule->tags, rule->ntags, ts,
		   b->fields, cfg);
	a->json = b->json;
	if (cfg->json_output)
		a->line = b->json;
}

void eng_alert_internal(struct eng_alert_buf *b, struct eng_alert *a, const char *rule,
			enum eng_priority prio, uint64_t ts, const char *output,
			const char *fields_json, const struct eng_config *cfg)
{
	char tbuf[64];
	fmt_time(ts, cfg->time_format_iso_8601, tbuf, sizeof(tbuf));
	snprintf(b->text, b->cap, "%s: %s %s", tbuf, eng_priority_name(prio), output);
	json_alert(b, rule, prio, "internal", NULL, 0, ts, fields_json, cfg);
	*a = (struct eng_alert){.ts = ts, .priority = prio, .rule = rule, .text = b->text,
				.json = b->json, .line = cfg->json_output ? b->json : b->text};
}
