/*
 * The traced tree's state for the readers of events: the snapshot taken
 * before the first event (to the capture and the ring), and the same sent
 * again to a consumer that attached to the ring since (an engine restarted,
 * or the first one came after pdig started). Not on the per-event path:
 * out_ring.c checks the consumer generation (one load) and calls
 * pd_out_resend() only when it changed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "out.h"
#include "proclist.h"

/* Sends snap as ring metadata records: 0 or the ring's error, with messages. */
static int send_snapshot(struct pd_out *o, const struct pd_snapshot *snap)
{
	int quiet = o->opts->quiet;
	uint64_t lost = 0;
	int r = pd_snapshot_send(snap, o->ring, &lost);
	pd_out_ring_wrote(o);
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
 * A consumer attached since the last snapshot: it has not seen the state of
 * the traced tree, so the tree as it is now goes ahead of the next event.
 * Main threads first, so that threads find their process's fd table.
 */
void pd_out_resend(struct pd_out *o)
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
	pd_out_ring_wrote(o);
	if (o->opts->verbose)
		fprintf(stderr, "pdig: a new consumer reads the ring: the process list was sent "
			"again (%zu traced threads)\n", n);
}

/* The snapshot before the traced tree's first event (rc: how taking it
 * went), to the capture and the ring. */
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
