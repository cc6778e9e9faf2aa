/*
 * The sinks behind pdig's output (the API is pd_out_* in pdig.h): the state
 * they share and the small interface each implements, one file per sink.
 * Only pdig/output.c and pdig/out_*.c include this.
 *
 *	pd_out_X_open(o)              0 or a negative errno, the reason said
 *	pd_out_X_event(o, rec, len)   one record; a refusal is counted, never lost
 *	pd_out_X_flush(o)             what is buffered, out now (file sinks)
 *	pd_out_X_close(o)             0 or the first write error
 *
 * output.c picks the sinks and hands each event to them; the ring alone
 * also takes events built in place (pd_out_begin/pd_out_end).
 */
#ifndef PD_OUT_H
#define PD_OUT_H

#include <stdio.h>

#include "pdig.h"
#include "shm_ring.h"
#include "shm_scap.h"
#include "shm_udig.h"

/* How the event between pd_out_begin() and pd_out_end() is being built. */
enum pd_out_pend {
	PD_PEND_BUF = 0, /* in the tracer's buffer: pd_out_event() at the end */
	PD_PEND_RING,    /* in place in the ring: committed at the end */
	PD_PEND_REFUSED, /* in the buffer: the ring refused it (full), drop counted */
};

struct pd_out {
	const struct pd_opts *opts;
	struct pd_stats *st;
	/* out_raw.c */
	FILE *raw;
	/* out_scap.c */
	struct shm_scap_writer *w;
	int write_failed;
	/* out_ring.c */
	struct shm_ring_prod *ring;
	int ring_warned;
	uint32_t *fit;       /* by event type: ring bytes to reserve in place, 0: never */
	uint64_t ring_size;  /* its data bytes (the region's header) */
	uint64_t room;       /* bytes surely free in it, as last looked (in place only) */
	enum pd_out_pend pend;
	int refused_err;     /* PD_PEND_REFUSED: why */
	int overflow_warned;
	/* out_snapshot.c: the ring's consumer generation the last snapshot was
	 * sent for; the tracer whose tree is sent again when it changes */
	uint32_t cons_gen;
	struct pd_tracer *tr;
	/* out_udig.c */
	struct shm_udig *udig;
	/* output.c: the capture and raw file's unwritten events, since when */
	int dirty;
	uint64_t flushed_ns;
};

int pd_out_raw_open(struct pd_out *o);
void pd_out_raw_event(struct pd_out *o, const void *rec, uint32_t len);
void pd_out_raw_flush(struct pd_out *o);
int pd_out_raw_close(struct pd_out *o);

int pd_out_scap_open(struct pd_out *o);
void pd_out_scap_event(struct pd_out *o, const void *rec, uint32_t len);
void pd_out_scap_flush(struct pd_out *o);
int pd_out_scap_close(struct pd_out *o);

int pd_out_udig_open(struct pd_out *o);
void pd_out_udig_event(struct pd_out *o, const void *rec, uint32_t len);
void pd_out_udig_page_fault(struct pd_out *o);
int pd_out_udig_close(struct pd_out *o);

/* The ring's flush wakes a sleeping consumer; it buffers nothing. */
int pd_out_ring_open(struct pd_out *o);
void pd_out_ring_event(struct pd_out *o, const void *rec, uint32_t len);
void pd_out_ring_page_fault(struct pd_out *o);
void pd_out_ring_flush(struct pd_out *o);
int pd_out_ring_close(struct pd_out *o);
/* In place: ring space for an event of type (NULL: build it elsewhere),
 * and the end of it (o->pend says which). */
void *pd_out_ring_begin(struct pd_out *o, uint16_t type, uint32_t *cap);
void pd_out_ring_end(struct pd_out *o, int len);
/* An event the ring refused (rc its error): counted, said once. */
void pd_out_ring_dropped(struct pd_out *o, int rc);
/* Records were written to the ring behind out_ring.c's back (metadata):
 * it looks again how much room is left before building in place. */
void pd_out_ring_wrote(struct pd_out *o);

/* out_snapshot.c: the traced tree's state sent to a consumer that attached
 * since the last snapshot, ahead of the next event. */
void pd_out_resend(struct pd_out *o);

/* The per-event check: one load of the ring header. */
static inline int pd_out_new_consumer(const struct pd_out *o)
{
	return o->tr && shm_ring_prod_consumer_gen(o->ring) != o->cons_gen;
}

#endif
