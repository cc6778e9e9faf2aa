/*
 * Where events go: the shared-memory ring to pdig-engine (the default), the
 * udig ring of legacy readers (--udig), a capture file (-w), bare records
 * (--raw, for tests). This file picks the sinks and hands each event to
 * every one of them (one file per sink: out_*.c, interface in out.h), and
 * flushes the files by age. Every event a sink refuses is counted, never
 * lost silently; the ring and udig keep their own drop counters, which the
 * consumer reports. The snapshot of the traced tree is out_snapshot.c's.
 */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "out.h"

int pd_out_new(struct pd_out **o, const struct pd_opts *opts, struct pd_stats *st)
{
	struct pd_out *out = calloc(1, sizeof *out);
	int rc = 0;
	if (!out)
		return -ENOMEM;
	out->opts = opts;
	out->st = st;
	if (opts->raw_path && (rc = pd_out_raw_open(out)) < 0)
		goto err;
	if (opts->write_path && (rc = pd_out_scap_open(out)) < 0)
		goto err;
	if (opts->udig && (rc = pd_out_udig_open(out)) < 0)
		goto err;
	/* The ring is the default sink; with -w, --raw or --udig only if asked.
	 * Opened last: it builds events in place when it is alone. */
	if ((opts->ring || opts->connect || (!opts->write_path && !opts->raw_path && !opts->udig)) &&
	    (rc = pd_out_ring_open(out)) < 0)
		goto err;
	*o = out;
	return 0;
err:
	pd_out_free(out);
	return rc;
}

/* A killed pdig loses at most this much of its capture or raw file: what
 * is buffered is written once it is this old (at the next event, or when
 * the tracees run and pdig waits for them). */
#define PD_FLUSH_NS (200u * 1000u * 1000u)

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void flush_if_old(struct pd_out *o)
{
	if (!o->dirty)
		return;
	uint64_t now = mono_ns();
	if (now - o->flushed_ns < PD_FLUSH_NS)
		return;
	if (o->raw)
		pd_out_raw_flush(o);
	if (o->w)
		pd_out_scap_flush(o);
	o->flushed_ns = now;
	o->dirty = 0;
}

void pd_out_event(struct pd_out *o, const void *rec, uint32_t len)
{
	o->st->events++;
	if (o->raw || o->w) {
		if (!o->dirty)
			o->flushed_ns = mono_ns(); /* the oldest unwritten event's age */
		o->dirty = 1;
		/* a tracer never idle (stops always pending) still writes out */
		if ((o->st->events & 255) == 0)
			flush_if_old(o);
	}
	if (o->raw)
		pd_out_raw_event(o, rec, len);
	if (o->w)
		pd_out_scap_event(o, rec, len);
	if (o->ring)
		pd_out_ring_event(o, rec, len);
	if (o->udig)
		pd_out_udig_event(o, rec, len);
}

void *pd_out_begin(struct pd_out *o, uint16_t type, uint32_t *cap)
{
	o->pend = PD_PEND_BUF;
	/* fit is set only when the ring is the only sink */
	return o->fit ? pd_out_ring_begin(o, type, cap) : NULL;
}

void pd_out_end(struct pd_out *o, const void *rec, int len)
{
	enum pd_out_pend pend = o->pend;
	o->pend = PD_PEND_BUF;
	if (pend == PD_PEND_RING) {
		pd_out_ring_end(o, len);
	} else if (pend == PD_PEND_REFUSED) {
		/* the ring counted it as dropped: so does pdig, built or not */
		o->st->events++;
		pd_out_ring_dropped(o, o->refused_err);
	} else if (len < 0) {
		o->st->drop_encode++;
	} else {
		pd_out_event(o, rec, (uint32_t)len);
	}
}

void pd_out_page_fault(struct pd_out *o)
{
	if (o->ring)
		pd_out_ring_page_fault(o);
	if (o->udig)
		pd_out_udig_page_fault(o);
}

void pd_out_flush(struct pd_out *o)
{
	if (o->raw)
		pd_out_raw_flush(o);
	if (o->w)
		pd_out_scap_flush(o);
	if (o->ring)
		pd_out_ring_flush(o);
}

int pd_out_has_unwritten(const struct pd_out *o)
{
	return o->dirty;
}

void pd_out_idle(struct pd_out *o)
{
	flush_if_old(o);
}

int pd_out_free(struct pd_out *o)
{
	int rc = 0;
	if (!o)
		return 0;
	if (o->raw)
		rc = pd_out_raw_close(o);
	if (o->w) {
		int r = pd_out_scap_close(o);
		if (r < 0 && !rc)
			rc = r;
	}
	if (o->ring)
		pd_out_ring_close(o);
	if (o->udig)
		pd_out_udig_close(o);
	free(o);
	return rc;
}
