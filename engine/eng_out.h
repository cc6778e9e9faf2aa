/*
 * Where alerts go: Falco's output channels (stdout, file, program, syslog,
 * http) behind one small interface, and the set of them the configuration
 * asks for. A channel gets each alert already formatted (eng_alert.h); it
 * never sees events, rules or state. Channels that can block (a program's
 * pipe, an HTTP receiver) hand alerts to their own thread through a
 * bounded queue (out_queue.c), so a slow receiver loses alerts, counted,
 * and never slows event processing.
 */
#ifndef ENG_OUT_H
#define ENG_OUT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eng_config.h"

/* One alert, formatted once for every channel. */
struct eng_alert {
	uint64_t ts;          /* the event's time, ns since the epoch */
	enum eng_priority priority;
	const char *rule;
	const char *text;     /* Falco's text line: "TIME: Priority output" */
	const char *json;     /* Falco's JSON alert (NULL when no channel wants it) */
	const char *line;     /* what a line-oriented channel writes: json or text */
};

struct eng_out_stats {
	uint64_t sent, failed, lost; /* failed: attempts that failed; lost: alerts given up */
};

struct eng_out;
struct eng_out_ops {
	/* Takes one alert; never blocks for long. 0 or a negative errno. */
	int (*emit)(struct eng_out *o, const struct eng_alert *a);
	/* Writes out what is buffered; waits (bounded) for queued alerts. */
	void (*flush)(struct eng_out *o);
	/* Delivers what is queued (bounded wait) and stops; the counters stay
	 * readable. May be NULL. */
	void (*close)(struct eng_out *o);
	/* Reopens files (SIGUSR1, after a log rotation); may be NULL. */
	void (*reopen)(struct eng_out *o);
	void (*stats)(const struct eng_out *o, struct eng_out_stats *st);
	void (*free)(struct eng_out *o);
};
struct eng_out {
	const struct eng_out_ops *ops;
	const char *name; /* "stdout", "file", ... for reports and metrics */
};

/* Each channel: 0 with *out, or a negative errno with the reason in err. */
int eng_out_stdout_new(struct eng_out **out, const struct eng_config *c, int line_buffered,
		       char *err, size_t errlen);
int eng_out_file_new(struct eng_out **out, const struct eng_config *c, char *err, size_t errlen);
int eng_out_program_new(struct eng_out **out, const struct eng_config *c, char *err,
			size_t errlen);
int eng_out_syslog_new(struct eng_out **out, const struct eng_config *c, char *err,
		       size_t errlen);
int eng_out_http_new(struct eng_out **out, const struct eng_config *c, char *err, size_t errlen);

/* The channels the configuration enables, in Falco's order. */
struct eng_outputs;
int eng_outputs_new(struct eng_outputs **out, const struct eng_config *c, int live, char *err,
		    size_t errlen);
/* 1 when some channel wants the JSON form of alerts. */
int eng_outputs_want_json(const struct eng_outputs *os);
void eng_outputs_emit(struct eng_outputs *os, const struct eng_alert *a);
void eng_outputs_flush(struct eng_outputs *os);
void eng_outputs_reopen(struct eng_outputs *os);
/* The end of a run: every channel delivers what it holds (bounded) and
 * stops, so that the report that follows is final. */
void eng_outputs_close(struct eng_outputs *os);
/* The counters by channel name, i from 0: those of the channels, with
 * what the same kind counted before a reload, then of kinds the last
 * reload dropped (counters never go down). The name, or NULL past the end. */
const char *eng_outputs_stats(const struct eng_outputs *os, size_t i, struct eng_out_stats *st);
/* SIGHUP: to, the new set, takes on what from has counted. */
void eng_outputs_carry(struct eng_outputs *to, const struct eng_outputs *from);
/* One line per channel that sent or lost anything, to f. */
void eng_outputs_report(const struct eng_outputs *os, FILE *f);
void eng_outputs_free(struct eng_outputs *os);

#endif
