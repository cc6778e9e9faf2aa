/* Prometheus text and the JSON snapshot of the engine's counters (eng_metrics.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "eng_metrics.h"

void eng_metrics_label(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

uint64_t eng_metrics_rss(void)
{
	unsigned long size, rss;
	FILE *f = fopen("/proc/self/statm", "re");
	if (!f)
		return 0;
	int n = fscanf(f, "%lu %lu", &size, &rss);
	fclose(f);
	return n == 2 ? (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE) : 0;
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP pdig_engine_%s %s\n# TYPE pdig_engine_%s %s\n", name, help, name, type);
}

int eng_metrics_prometheus(const struct eng_metrics_in *m, char **text, size_t *len)
{
	FILE *f = open_memstream(text, len);
	if (!f)
		return -ENOMEM;
	head(f, "events_total", "counter", "Events read from the source.");
	fprintf(f, "pdig_engine_events_total %llu\n", (unsigned long long)m->events);
	head(f, "source_lost_total", "counter",
	     "Events the source could not deliver (producer drops, damaged records).");
	fprintf(f, "pdig_engine_source_lost_total %llu\n",
		(unsigned long long)m->src->ops->lost(m->src));
	if (m->live)
		eng_source_ring_metrics(m->src, f);
	if (m->rules) {
		head(f, "alerts_total", "counter", "Alerts raised by the rules.");
		fprintf(f, "pdig_engine_alerts_total %llu\n",
			(unsigned long long)eng_ruleset_alerts(m->rules));
		head(f, "rule_matches_total", "counter", "Alerts per rule and priority.");
		eng_ruleset_metrics(m->rules, f);
	}
	if (m->outs) {
		static const char *const what[] = {"sent", "failed", "lost"};
		static const char *const help[] = {"Alerts an output delivered.",
						   "Delivery attempts that failed.",
						   "Alerts an output gave up on."};
		for (int k = 0; k < 3; k++) {
			char name[64];
			snprintf(name, sizeof(name), "output_%s_total", what[k]);
			head(f, name, "counter", help[k]);
			struct eng_out_stats st;
			const char *out;
			for (size_t i = 0; (out = eng_outputs_stats(m->outs, i, &st)); i++) {
				uint64_t v = k == 0 ? st.sent : k == 1 ? st.failed : st.lost;
				fprintf(f, "pdig_engine_%s{output=\"%s\"} %llu\n", name, out,
					(unsigned long long)v);
			}
		}
	}
	head(f, "threads", "gauge", "Threads in the state table.");
	fprintf(f, "pdig_engine_threads %llu\n",
		(unsigned long long)(m->st->nthreads_created - m->st->nthreads_removed));
	head(f, "threads_refused_total", "counter", "Events of threads beyond the table's limit.");
	fprintf(f, "pdig_engine_threads_refused_total %llu\n",
		(unsigned long long)m->st->threads_refused);
	head(f, "memory_rss_bytes", "gauge", "Resident memory of the engine.");
	fprintf(f, "pdig_engine_memory_rss_bytes %llu\n", (unsigned long long)eng_metrics_rss());
	head(f, "uptime_seconds", "gauge", "Seconds since the run started.");
	fprintf(f, "pdig_engine_uptime_seconds %.0f\n", m->uptime_s);
	return fclose(f) ? -ENOMEM : 0;
}

void eng_metrics_json(const struct eng_metrics_in *m, char *buf, size_t cap)
{
	snprintf(buf, cap, "{\"pdig.events\":%llu,\"pdig.source_lost\":%llu,\"pdig.alerts\":%llu,"
		 "\"pdig.threads\":%llu,\"pdig.memory_rss_bytes\":%llu,\"pdig.uptime_s\":%.0f}",
		 (unsigned long long)m->events, (unsigned long long)m->src->ops->lost(m->src),
		 (unsigned long long)(m->rules ? eng_ruleset_alerts(m->rules) : 0),
		 (unsigned long long)(m->st->nthreads_created - m->st->nthreads_removed),
		 (unsigned long long)eng_metrics_rss(), m->uptime_s);
}
