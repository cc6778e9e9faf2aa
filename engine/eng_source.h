/*
 * Where events come from. State, fields and filters see only this
 * interface, so a capture file and the live ring look the same to them.
 *
 * A source yields events in order and may carry state: a capture's
 * process, fd and user lists before its first event; on the live ring, the
 * tracers' snapshots, which come as metadata records between events. The
 * ring source keeps the state given to load_state() and applies each
 * snapshot to it inside next(), before returning the events that follow
 * it, so load_state() must be called (once, before next()) for the live
 * state to be complete. Each source reports what it skipped or lost.
 *
 * Sources: eng_source_scap_new() (a .scap file) and eng_source_ring_new()
 * (the live shared-memory ring of shm/shm_ring.h: named regions and regions
 * handed over a unix socket, all producers merged by timestamp).
 */
#ifndef ENG_SOURCE_H
#define ENG_SOURCE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "eng_state.h"

struct eng_source;

struct eng_source_ops {
	/* 1 with ev->evt, ev->cpuid and *dump_flags set; 0 at the end; or a
	 * negative errno (the reason from error()). */
	int (*next)(struct eng_source *s, struct eng_event *ev, uint32_t *dump_flags);
	/* Loads what the source knows before its first event. A source may
	 * keep st and update it later from next() (the ring's snapshots): st
	 * must outlive the source's use. */
	int (*load_state)(struct eng_source *s, struct eng_state *st);
	const char *(*error)(const struct eng_source *s);
	/* Events the source could not deliver (damaged, dropped upstream). */
	uint64_t (*lost)(const struct eng_source *s);
	void (*free)(struct eng_source *s);
};

struct eng_source {
	const struct eng_source_ops *ops;
	const char *name; /* for messages: the file name, the ring name */
};

/* Events flagged this way update state but are never shown (libscap's
 * SCAP_DF_STATE_ONLY). */
#define ENG_DF_STATE_ONLY 1u

/* Opens a capture file; on failure err says why and what to do. */
int eng_source_scap_new(struct eng_source **s, const char *path, char *err, size_t errlen);

struct eng_ring_opts {
	const char *name;        /* a named region to read (created when absent);
				  * NULL with no listen_path: $PDIG_RING or the default */
	const char *listen_path; /* a unix socket where producers hand over regions */
	int idle_exit_ms;        /* end after this long with no event; -1: never */
	const volatile int *stop; /* ends the source when it becomes non-zero (signals) */
	/* End once the producers are gone and everything they wrote is read:
	 * exit_with_producer after the first producer came; drain (set by a
	 * signal: "no producer will come") even if none came. */
	int exit_with_producer;
	const volatile int *drain;
	/* Once non-zero (SIGTERM): what the producers have written already is
	 * still handed out, stop notwithstanding; then the source ends. */
	const volatile int *finish;
};

/* Attaches the live ring; on failure err says why and what to do. */
int eng_source_ring_new(struct eng_source **s, const struct eng_ring_opts *opts, char *err,
			size_t errlen);
/* --ready-fd: tells whoever started the engine that it reads the ring (its
 * socket listens, its rules are loaded): one byte written to fd, then fd
 * closed. A parent that reads end-of-file instead knows the engine failed.
 * -1: nothing. */
void eng_source_ready(int fd);
/* The FD of --ready-fd (an open descriptor), or -1 with the reason printed. */
int eng_parse_ready_fd(const char *arg);
/* Writes each producer's counters (events, drops by cause) to f. */
void eng_source_ring_report(const struct eng_source *s, FILE *f);
/* The same counters in Prometheus' text format (/metrics). */
void eng_source_ring_metrics(const struct eng_source *s, FILE *f);

static inline int eng_source_next(struct eng_source *s, struct eng_event *ev, uint32_t *df)
{
	return s->ops->next(s, ev, df);
}

static inline void eng_source_free(struct eng_source *s)
{
	if (s)
		s->ops->free(s);
}

#endif
