/*
 * Where events go: the shared-memory ring to pdig-engine (the default), the
 * udig ring of legacy readers (--udig), a capture file (-w), bare records
 * (--raw, for tests). Every event a sink refuses is counted, never lost
 * silently; the ring and udig keep their own drop counters, which the
 * consumer reports.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pdig.h"
#include "proclist.h"
#include "shm_ring.h"
#include "shm_udig.h"
#include "shm_scap.h"

struct pd_out {
	const struct pd_opts *opts;
	struct pd_stats *st;
	FILE *raw;
	struct shm_ring_prod *ring;
	struct shm_udig *udig;
	struct shm_scap_writer *w;
	int ring_warned;
	int write_failed;
	/* The ring's consumer generation the last snapshot was sent for; the
	 * tracer whose tree is sent again when it changes (a new engine). */
	uint32_t cons_gen;
	struct pd_tracer *tr;
	/* the capture and raw file: unwritten events, since when */
	int dirty;
	uint64_t flushed_ns;
};

static void resend_snapshot(struct pd_out *o);

static int open_ring(struct pd_out *out, const struct pd_opts *opts)
{
	char err[256] = "";
	struct shm_ring_prod_opts ro;
	memset(&ro, 0, sizeof ro);
	ro.policy = opts->lossless ? SHM_RING_LOSSLESS : SHM_RING_LOSSY;
	ro.err = err;
	ro.errlen = sizeof err;
	int rc;
	if (opts->connect) {
		/* A sealed memfd has no name in /dev/shm and cannot be shrunk under
		 * the engine: the traced program can neither find nor damage it. */
		rc = shm_ring_prod_open_memfd(&out->ring, &ro);
		if (rc == 0 && (rc = shm_ring_prod_connect(out->ring, opts->connect)) < 0) {
			fprintf(stderr, "pdig: cannot hand the ring to %s: %s\n", opts->connect,
				err[0] ? err : shm_ring_prod_error(out->ring));
			return rc;
		}
		if (rc < 0) {
			fprintf(stderr, "pdig: cannot create a private ring: %s\n",
				err[0] ? err : strerror(-rc));
			return rc;
		}
		/* The engine maps the ring as it accepts it: waiting a little
		 * for that lets the first snapshot be the one it reads (one
		 * arriving later gets the tree sent again, as any new engine) */
		struct timespec ms5 = {0, 5 * 1000 * 1000};
		for (int i = 0; i < 200 && !shm_ring_prod_consumer_gen(out->ring); i++)
			nanosleep(&ms5, NULL);
		return 0;
	}
	rc = shm_ring_prod_open(&out->ring, opts->ring, SHM_RING_CREATE, &ro);
	if (rc < 0) {
		fprintf(stderr, "pdig: cannot open the ring %s: %s\n",
			opts->ring ? opts->ring : "(default)", err[0] ? err : strerror(-rc));
		if (rc == -EACCES || rc == -EPERM)
			fprintf(stderr, "  (rings are private to the user who made them: run pdig as "
					"that user, give a ring of your own with --ring NAME, or use "
					"--connect PATH)\n");
		return rc;
	}
	if (!opts->quiet && !shm_ring_prod_consumer_attached(out->ring))
		fprintf(stderr, "pdig: no pdig-engine reads the ring %s yet: events wait in "
			"it, and once it is full they are dropped and counted\n",
			opts->ring ? opts->ring : getenv(SHM_RING_ENV) ? getenv(SHM_RING_ENV)
							  : SHM_RING_DEFAULT_NAME);
	return 0;
}

int pd_out_new(struct pd_out **o, const struct pd_opts *opts, struct pd_stats *st)
{
	struct pd_out *out = calloc(1, sizeof *out);
	int rc;
	if (!out)
		return -ENOMEM;
	out->opts = opts;
	out->st = st;
	if (opts->raw_path) {
		out->raw = fopen(opts->raw_path, "we");
		if (!out->raw) {
			rc = -errno;
			fprintf(stderr, "pdig: cannot create %s: %s\n", opts->raw_path, strerror(errno));
			goto err;
		}
		setvbuf(out->raw, NULL, _IOFBF, 1 << 20);
	}
	if (opts->write_path) {
		rc = shm_scap_writer_new(&out->w, opts->write_path);
		if (rc < 0) {
			fprintf(stderr, "pdig: cannot create the capture %s: %s\n", opts->write_path,
				strerror(-rc));
			goto err;
		}
	}
	if (opts->udig) {
		char err[256] = "";
		rc = shm_udig_open(&out->udig, err, sizeof err);
		if (rc < 0) {
			fprintf(stderr, "pdig: cannot open the udig ring: %s\n",
				err[0] ? err : strerror(-rc));
			goto err;
		}
		if (!opts->quiet && !shm_udig_capturing(out->udig))
			fprintf(stderr, "pdig: no udig reader (sysdig -u) is capturing: events are "
				"not written until one starts\n");
	}
	/* The ring is the default sink; with -w, --raw or --udig only if asked. */
	if (opts->ring || opts->connect ||
	    (!opts->write_path && !opts->raw_path && !opts->udig)) {
		rc = open_ring(out, opts);
		if (rc < 0)
			goto err;
	}
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
		fflush(o->raw);
	if (o->w)
		shm_scap_writer_flush(o->w);
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
	if (o->raw && fwrite(rec, 1, len, o->raw) != len)
		o->st->drop_write++;
	if (o->w && shm_scap_write_event(o->w, 0, 0, rec, len) < 0) {
		o->st->drop_write++;
		if (!o->write_failed && !o->opts->quiet)
			fprintf(stderr, "pdig: writing %s failed (%s): later events are counted "
				"as dropped\n", o->opts->write_path, shm_scap_writer_error(o->w));
		o->write_failed = 1;
	}
	if (o->ring) {
		/* one load of the ring header: a new engine lacks the state */
		if (o->tr && shm_ring_prod_consumer_gen(o->ring) != o->cons_gen)
			resend_snapshot(o);
		int rc = shm_ring_write(o->ring, rec, len);
		if (rc < 0) {
			o->st->drop_ring++; /* also counted in the ring, for the engine */
			if (!o->ring_warned && !o->opts->quiet)
				fprintf(stderr, "pdig: the ring is full (%s): events are dropped and "
					"counted until the engine catches up\n", strerror(-rc));
			o->ring_warned = 1;
		}
	}
	if (o->udig) {
		int rc = shm_udig_write(o->udig, rec, len);
		if (rc == -ENOTCONN)
			o->st->drop_no_consumer++;
		else if (rc < 0)
			o->st->drop_ring++;
	}
}

void pd_out_page_fault(struct pd_out *o)
{
	if (o->ring)
		shm_ring_count_pf_drop(o->ring);
	if (o->udig)
		shm_udig_count_pf_drop(o->udig);
}

void pd_out_flush(struct pd_out *o)
{
	if (o->raw)
		fflush(o->raw);
	if (o->w)
		shm_scap_writer_flush(o->w);
	if (o->ring)
		shm_ring_prod_flush(o->ring);
}

void pd_out_idle(struct pd_out *o)
{
	flush_if_old(o);
	if (o->ring)
		shm_ring_prod_flush(o->ring);
}

/* Sends snap as ring metadata records: 0 or the ring's error, with messages. */
static int send_snapshot(struct pd_out *o, const struct pd_snapshot *snap)
{
	int quiet = o->opts->quiet;
	uint64_t lost = 0;
	int r = pd_snapshot_send(snap, o->ring, &lost);
	if (r < 0) {
		o->st->drop_ring++;
		if (!quiet)
			fprintf(stderr, "pdig: the ring refused part of the process list (%s): "
				"the engine will miss some process, fd or user names until "
				"events tell it; use a bigger ring or start pdig-engine first\n",
				strerror(-r));
	}
	o->st->drop_encode += lost; /* "too large", in pdig's summary */
	if (lost && !quiet)
		fprintf(stderr, "pdig: %llu process-list entries were too big for a ring "
			"record and were not sent\n", (unsigned long long)lost);
	return r;
}

/*
 * A consumer attached since the last snapshot (an engine restarted, or the
 * first one came after pdig started): it has not seen the state of the
 * traced tree, so the tree as it is now goes ahead of the next event. Main
 * threads first, so that threads find their process's fd table.
 */
static void resend_snapshot(struct pd_out *o)
{
	struct pd_tracer *tr = o->tr;
	struct pd_snapshot *snap = NULL;
	size_t n = 0;
	int rc = -ENOMEM;
	/* read before the snapshot: a consumer attaching during it gets another */
	o->cons_gen = shm_ring_prod_consumer_gen(o->ring);
	pid_t *tids = malloc((tr->count ? tr->count : 1) * sizeof *tids);
	if (tids) {
		for (int pass = 0; pass < 2; pass++)
			for (size_t i = 0; i < tr->nbuckets; i++)
				for (struct pd_tracee *t = tr->buckets[i]; t && n < tr->count;
				     t = t->hnext)
					if (!(t->flags & PD_T_EXITED) &&
					    (t->tid == t->pid) == (pass == 0))
						tids[n++] = t->tid;
		rc = pd_snapshot_take_tids(&snap, tids, n, tr->anc);
		free(tids);
	}
	if (rc < 0) {
		o->st->drop_ring++;
		if (!o->opts->quiet)
			fprintf(stderr, "pdig: cannot read the process list for the new engine "
				"(%s): it learns the traced processes from their events only\n",
				strerror(-rc));
		return;
	}
	send_snapshot(o, snap);
	pd_snapshot_free(snap);
	/* and the traced tree's container, which the new engine missed too */
	const void *crec;
	uint32_t clen;
	if (pd_container_record(&crec, &clen) == 0 && shm_ring_write(o->ring, crec, clen) < 0)
		o->st->drop_ring++;
	if (o->opts->verbose)
		fprintf(stderr, "pdig: a new consumer reads the ring: the process list was sent "
			"again (%zu traced threads)\n", n);
}

/* The snapshot of the traced tree before its first event: take it with
 * take(arg), then to the capture and the ring. */
static int out_snapshot(struct pd_out *o, struct pd_tracer *tr, struct pd_snapshot **snapp,
			int rc)
{
	int quiet = tr->opts->quiet;
	struct pd_snapshot *snap = *snapp;
	if (rc < 0) {
		if (!quiet)
			fprintf(stderr, "pdig: cannot read the process list: %s\n", strerror(-rc));
		return rc;
	}
	if (o->w) {
		rc = pd_snapshot_write(snap, o->w);
		if (rc < 0 && !quiet)
			fprintf(stderr, "pdig: cannot write the process list to %s: %s\n",
				o->opts->write_path, shm_scap_writer_error(o->w));
	}
	/* The engine learns the traced tree from these records, before the
	 * events: parent, cwd, inherited fds, users. */
	if (o->ring) {
		int r = send_snapshot(o, snap);
		if (r < 0 && rc >= 0)
			rc = r;
	}
	pd_snapshot_free(snap);
	return rc;
}

static void from_now_on_resend(struct pd_out *o, struct pd_tracer *tr)
{
	if (o->ring) {
		/* from now on, a consumer attaching gets the tree sent again */
		o->tr = tr;
		o->cons_gen = shm_ring_prod_consumer_gen(o->ring);
	}
}

int pd_out_procs(struct pd_out *o, struct pd_tracer *tr, pid_t root)
{
	if (!o->w && !o->ring)
		return 0;
	struct pd_snapshot *snap = NULL;
	from_now_on_resend(o, tr);
	int rc = pd_snapshot_take(&snap, root);
	return out_snapshot(o, tr, &snap, rc);
}

int pd_out_procs_tids(struct pd_out *o, struct pd_tracer *tr, const pid_t *tids, size_t n)
{
	if (!o->w && !o->ring)
		return 0;
	struct pd_snapshot *snap = NULL;
	from_now_on_resend(o, tr);
	int rc = pd_snapshot_take_tids(&snap, tids, n, tr->anc);
	return out_snapshot(o, tr, &snap, rc);
}

int pd_out_free(struct pd_out *o)
{
	int rc = 0;
	if (!o)
		return 0;
	if (o->raw && fclose(o->raw) != 0)
		rc = -errno;
	if (o->w) {
		int r = shm_scap_writer_free(o->w);
		if (r < 0 && !rc)
			rc = r;
	}
	if (o->ring) {
		shm_ring_prod_flush(o->ring);
		shm_ring_prod_free(o->ring);
	}
	if (o->udig)
		shm_udig_free(o->udig);
	free(o);
	return rc;
}
