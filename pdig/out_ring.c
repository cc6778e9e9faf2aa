/*
 * Sink: the shared-memory ring pdig-engine reads (the default; shm_ring.h),
 * named (--ring) or a private memfd handed over a socket (--connect). Full
 * ring: the event is dropped and counted by the ring (for the engine) and
 * by pdig. When the ring is the only sink, events are built in place in a
 * ring reservation: no copy. The snapshot records are out_snapshot.c's.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "procfs.h"

/*
 * The longest value a decoder writes, data cut to the snaplen aside: a path
 * (PATH_MAX), argv, environ or cgroups (procfs.h), a string with its NUL.
 * An event is built in place only in a reservation big enough for every
 * variable-length parameter at this size: the decoders then find the room
 * they find in the tracer's buffer, and cut nothing it would not cut. A
 * decoder that writes more must raise this.
 */
static uint32_t value_max(uint32_t snaplen)
{
	uint32_t v = PATH_MAX;
	if (v < PD_ARGS_MAX)
		v = PD_ARGS_MAX;
	if (v < PD_CGROUPS_MAX)
		v = PD_CGROUPS_MAX;
	v += 1;
	return snaplen > v ? snaplen : v;
}

/* Larger reservations (execve and clone exits) are not worth it: each one
 * needs that much free ring, and may leave as much unused before the end. */
#define INPLACE_MAX (16u * 1024u)

/* Ring bytes a record of len bytes may take: its frame and padding, and a
 * filler frame to the end of the ring before it (less than the record). */
static uint64_t ring_cost(uint32_t len)
{
	return 2 * (SHM_RING_FRAME + (((uint64_t)len + 7) & ~(uint64_t)7));
}

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
		 * arriving later gets the tree sent again, as any new engine).
		 * Asked every 0.2 ms for up to 1 s: it takes 1-8 ms, and every
		 * run under pdig waits for it. */
		struct timespec step = {0, 200 * 1000};
		for (int i = 0; i < 5000 && !shm_ring_prod_consumer_gen(out->ring); i++)
			nanosleep(&step, NULL);
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
	/* not a problem by itself (the engine may come later): the program's
	 * stderr is left alone unless asked; drops, if any, are said */
	if (opts->verbose && !shm_ring_prod_consumer_attached(out->ring))
		fprintf(stderr, "pdig: no pdig-engine reads the ring %s yet: events wait in "
			"it, and once it is full they are dropped and counted\n",
			opts->ring ? opts->ring : getenv(SHM_RING_ENV) ? getenv(SHM_RING_ENV)
							  : SHM_RING_DEFAULT_NAME);
	return 0;
}

/* By event type, the ring bytes that surely hold it (0: build it in the
 * tracer's buffer): header, lengths, fixed values, value_max() for each
 * other value. */
static int fit_table(struct pd_out *o)
{
	uint32_t var = value_max(o->opts->snaplen);
	uint32_t most = shm_ring_prod_max_record(o->ring);
	if (most > INPLACE_MAX)
		most = INPLACE_MAX;
	o->fit = calloc(SHM_EVENT_MAX, sizeof *o->fit);
	if (!o->fit)
		return -ENOMEM;
	for (unsigned t = 0; t < SHM_EVENT_MAX; t++) {
		const struct shm_event_info *ei = &shm_event_table[t];
		uint64_t n = SHM_EVT_HDR_LEN + (uint64_t)ei->nparams * shm_event_lensize((uint16_t)t);
		for (unsigned i = 0; i < ei->nparams; i++) {
			uint32_t fixed = shm_param_type_size(ei->params[i].type);
			n += fixed ? fixed : var;
		}
		o->fit[t] = n <= most ? (uint32_t)n : 0;
	}
	return 0;
}

int pd_out_ring_open(struct pd_out *o)
{
	int rc = open_ring(o, o->opts);
	if (rc < 0)
		return rc;
	/* in place only when no other sink wants the record too; the ring's
	 * size from its header, the ABI (shm_ring.h) */
	struct shm_ring_hdr h;
	if (!o->raw && !o->w && !o->udig &&
	    pread(shm_ring_prod_fd(o->ring), &h, sizeof h, 0) == (ssize_t)sizeof h) {
		o->ring_size = h.data_size;
		rc = fit_table(o);
	}
	return rc;
}

/*
 * Is there surely room for cost bytes? A reservation that the ring refuses
 * is a drop: in place is tried only where it cannot be refused, so that a
 * ring near full drops exactly the events it dropped before (those written
 * with shm_ring_write() at their real length). The room is what was free at
 * the last look, less a bound of what was written since; looking again
 * reads the consumer's tail, about once every few hundred events.
 */
static int room_for(struct pd_out *o, uint64_t cost)
{
	if (o->room >= cost)
		return 1;
	struct shm_ring_slot_stats st;
	shm_ring_prod_stats(o->ring, &st);
	o->room = st.used < o->ring_size ? o->ring_size - st.used : 0;
	return o->room >= cost;
}

/* Bytes written another way: the room left is smaller by at most cost. */
static void room_used(struct pd_out *o, uint64_t cost)
{
	o->room = o->room > cost ? o->room - cost : 0;
}

void pd_out_ring_wrote(struct pd_out *o)
{
	o->room = 0;
}

void pd_out_ring_dropped(struct pd_out *o, int rc)
{
	o->st->drop_ring++; /* also counted in the ring, for the engine */
	if (!o->ring_warned && !o->opts->quiet)
		fprintf(stderr, "pdig: the ring is full (%s): events are dropped and "
			"counted until the engine catches up\n", strerror(-rc));
	o->ring_warned = 1;
}

void pd_out_ring_event(struct pd_out *o, const void *rec, uint32_t len)
{
	/* a new engine lacks the state: the tree goes ahead of this event */
	if (pd_out_new_consumer(o))
		pd_out_resend(o);
	int rc = shm_ring_write(o->ring, rec, len);
	if (rc < 0)
		pd_out_ring_dropped(o, rc);
	room_used(o, ring_cost(len));
}

void *pd_out_ring_begin(struct pd_out *o, uint16_t type, uint32_t *cap)
{
	/* a snapshot to send first goes the ordinary way, after the event is
	 * built (the snapshot must not land inside a reservation) */
	if (type >= SHM_EVENT_MAX || !o->fit[type] || pd_out_new_consumer(o) ||
	    !room_for(o, ring_cost(o->fit[type])))
		return NULL;
	room_used(o, ring_cost(o->fit[type]));
	int err = 0;
	void *dst = shm_ring_reserve(o->ring, o->fit[type], &err);
	if (!dst) {
		/* not expected with the room checked (a damaged tail only): the
		 * ring counted it dropped; the tracer's buffer takes the event
		 * all the same (its decoder keeps state), pdig counts it too */
		o->pend = PD_PEND_REFUSED;
		o->refused_err = err;
		return NULL;
	}
	o->pend = PD_PEND_RING;
	*cap = o->fit[type];
	return dst;
}

void pd_out_ring_end(struct pd_out *o, int len)
{
	if (len >= 0) {
		o->st->events++;
		shm_ring_commit(o->ring, (uint32_t)len);
		return;
	}
	/* nothing committed: the next reservation reuses the space */
	o->st->drop_encode++;
	if (len == -ENOSPC && !o->overflow_warned && !o->opts->quiet)
		fprintf(stderr, "pdig: an event was longer than the ring space pdig reserves for "
			"it: dropped and counted as too large\n");
	o->overflow_warned |= len == -ENOSPC;
}

void pd_out_ring_page_fault(struct pd_out *o)
{
	shm_ring_count_pf_drop(o->ring);
}

void pd_out_ring_flush(struct pd_out *o)
{
	shm_ring_prod_flush(o->ring);
}

int pd_out_ring_close(struct pd_out *o)
{
	shm_ring_prod_flush(o->ring);
	struct shm_ring_slot_stats ss;
	shm_ring_prod_stats(o->ring, &ss);
	o->st->ring_used = 1;
	o->st->ring_wakeups = ss.n_wakeups;
	o->st->ring_waits = ss.n_waits;
	shm_ring_prod_free(o->ring);
	free(o->fit);
	return 0;
}
