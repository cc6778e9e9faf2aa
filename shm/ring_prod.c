/*
 * The ring's producer (pdig): claims a slot of a region, reserves and
 * commits records in it (events, metadata blocks), waits for room when
 * lossless, wakes a sleeping consumer, keeps the slot's counters. One
 * producer per slot, no lock: nothing here reads or writes another slot,
 * and nothing here reads records (ring_cons.c does). Protocol: shm/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "ring_impl.h"

struct shm_ring_prod {
	struct shm_ring_region r;
	struct shm_ring_slot_ctl *ctl;
	uint8_t *data;
	unsigned slot;
	uint32_t pid, gen, mask;
	enum shm_ring_policy policy;
	uint64_t wait_ns;
	uint64_t head;       /* ours; published to ctl->head on commit */
	uint64_t tail_cache; /* the consumer's tail as last read */
	uint64_t res_pos;    /* where the reserved record's frame goes */
	uint32_t wake_bytes;
	int gave_up;         /* lossless: the last wait timed out ... */
	uint64_t gave_up_tail; /* ... with the tail here */
	uint64_t n_evts, n_drops_full, n_drops_wait, n_drops_pf, n_waits, n_wakeups, n_meta;
	char err[256];
};

static int prod_claim(struct shm_ring_prod *p)
{
	struct shm_ring_region *r = &p->r;
	uint32_t me = (uint32_t)getpid();
	uint64_t mystart = shm_ring_proc_start(me);

	for (unsigned i = 0; i < r->nslots; i++) {
		struct shm_ring_slot_ctl *c = slot_ctl(r, i);
		uint64_t o = LOAD(&c->owner, ACQ);
		uint32_t pid = (uint32_t)o, gen = (uint32_t)(o >> 32);
		if (pid) {
			uint64_t st = (gen & CLAIMING) ? 0 : LOAD(&c->owner_start, ACQ);
			if (shm_ring_proc_alive(pid, st))
				continue;
		}
		uint32_t ngen = ((gen & ~CLAIMING) + 1) & ~CLAIMING;
		uint64_t claim = ((uint64_t)(ngen | CLAIMING) << 32) | me;
		if (!__atomic_compare_exchange_n(&c->owner, &o, claim, 0, __ATOMIC_ACQ_REL, ACQ))
			continue;
		/* The slot is ours. Carry on from the last owner's head: what it
		 * committed stays readable, and positions never repeat. */
		p->ctl = c;
		p->data = slot_data(r, i);
		p->slot = i;
		p->pid = me;
		p->gen = ngen;
		p->head = LOAD(&c->head, ACQ);
		p->tail_cache = LOAD(&c->tail, ACQ);
		if (p->head & 7u || p->head - p->tail_cache > r->data_size) {
			/* Left inconsistent by a broken owner: start empty at the tail. */
			p->head = (p->tail_cache + 7u) & ~(uint64_t)7u;
			STORE(&c->head, p->head, REL);
		}
		p->n_evts = LOAD(&c->n_evts, RLX);
		p->n_drops_full = LOAD(&c->n_drops_full, RLX);
		p->n_drops_wait = LOAD(&c->n_drops_wait, RLX);
		p->n_drops_pf = LOAD(&c->n_drops_pf, RLX);
		p->n_waits = LOAD(&c->n_waits, RLX);
		p->n_wakeups = LOAD(&c->n_wakeups, RLX);
		p->n_meta = LOAD(&c->n_meta, RLX);
		STORE(&c->policy, (uint32_t)p->policy, RLX);
		STORE(&c->owner_start, mystart, REL);
		STORE(&c->owner, ((uint64_t)ngen << 32) | me, REL);
		return 0;
	}
	set_err(p->err, sizeof p->err, "all %u producer slots of the ring are taken by live "
		"pdig processes: create the ring with more slots, or use another --ring",
		r->nslots);
	return -EBUSY;
}

/* The object dies with the failure: its message goes where the caller said. */
static void prod_report(const struct shm_ring_prod_opts *opts, const char *msg)
{
	if (!msg[0])
		return;
	if (opts && opts->err && opts->errlen)
		snprintf(opts->err, opts->errlen, "%s", msg);
	else
		fprintf(stderr, "pdig: %s\n", msg);
}

static int prod_new(struct shm_ring_prod **out, const struct shm_ring_prod_opts *opts)
{
	struct shm_ring_prod *p = calloc(1, sizeof *p);
	if (!p)
		return -ENOMEM;
	p->r.fd = -1;
	p->policy = opts ? opts->policy : SHM_RING_LOSSY;
	p->wait_ns = (uint64_t)(opts && opts->wait_ms ? opts->wait_ms : 1000) * 1000000u;
	*out = p;
	return 0;
}

static int prod_finish(struct shm_ring_prod *p)
{
	p->mask = p->r.data_size - 1;
	p->wake_bytes = p->r.data_size / 4;
	return prod_claim(p);
}

/* The end of every open: the slot claimed, or the object freed and its
 * message where the caller said. */
static int prod_done(struct shm_ring_prod *p, int rc, const struct shm_ring_prod_opts *opts,
		     struct shm_ring_prod **out)
{
	if (!rc)
		rc = prod_finish(p);
	if (!rc) {
		*out = p;
		return 0;
	}
	prod_report(opts, p->err);
	shm_ring_prod_free(p);
	*out = NULL;
	return rc;
}

int shm_ring_prod_open(struct shm_ring_prod **out, const char *name, unsigned flags,
		       const struct shm_ring_prod_opts *opts)
{
	struct shm_ring_prod *p;
	int rc = prod_new(&p, opts);
	if (rc)
		return rc;
	rc = shm_ring_region_open(&p->r, name, flags, opts ? &opts->params : NULL, p->err,
				  sizeof p->err);
	return prod_done(p, rc, opts, out);
}

int shm_ring_prod_open_fd(struct shm_ring_prod **out, int fd, const struct shm_ring_prod_opts *opts)
{
	struct shm_ring_prod *p;
	int rc = prod_new(&p, opts);
	if (rc)
		return rc;
	int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (dfd < 0) {
		rc = -errno;
		set_err(p->err, sizeof p->err, "cannot duplicate the ring descriptor: %s",
			strerror(-rc));
	} else {
		rc = shm_ring_region_map(&p->r, dfd, p->err, sizeof p->err);
	}
	return prod_done(p, rc, opts, out);
}

int shm_ring_prod_open_memfd(struct shm_ring_prod **out, const struct shm_ring_prod_opts *opts)
{
	struct shm_ring_params prm = opts ? opts->params : (struct shm_ring_params){0};
	if (!prm.nslots)
		prm.nslots = 1;
	char err[256];
	int fd = memfd_create("pdig-ring", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		int e = errno;
		snprintf(err, sizeof err, "cannot create a memfd for the ring: %s", strerror(e));
		prod_report(opts, err);
		return -e;
	}
	int rc = shm_ring_params_fix(&prm, &prm);
	if (!rc)
		rc = shm_ring_region_init(fd, &prm, err, sizeof err);
	else
		snprintf(err, sizeof err, "bad ring size");
	/* Sealed: no process, us included, can shrink it under the engine. */
	if (!rc && fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) < 0) {
		rc = -errno;
		snprintf(err, sizeof err, "cannot seal the ring memfd: %s", strerror(-rc));
	}
	if (rc) {
		prod_report(opts, err);
		close(fd);
		return rc;
	}
	rc = shm_ring_prod_open_fd(out, fd, opts);
	close(fd);
	return rc;
}

void shm_ring_prod_free(struct shm_ring_prod *p)
{
	if (!p)
		return;
	if (p->ctl) {
		struct shm_ring_region *r = &p->r;
		/* Release the slot; what we committed stays readable. */
		STORE(&p->ctl->owner, (uint64_t)p->gen << 32, REL);
		shm_ring_prod_flush(p);
		if (r->name[0] && !LOAD(&r->hdr->consumer, ACQ) && shm_ring_region_unused(r))
			shm_unlink(r->name);
	}
	shm_ring_region_unmap(&p->r);
	free(p);
}

static int consumer_present(const struct shm_ring_region *r)
{
	return LOAD(&r->hdr->consumer, RLX) != 0;
}

uint32_t shm_ring_prod_consumer_gen(const struct shm_ring_prod *p)
{
	return LOAD(&p->r.hdr->consumer_gen, ACQ);
}

int shm_ring_prod_consumer_attached(const struct shm_ring_prod *p)
{
	uint64_t pid = LOAD(&p->r.hdr->consumer, ACQ);
	return pid && shm_ring_proc_alive((uint32_t)pid, LOAD(&p->r.hdr->consumer_start, ACQ));
}

static void prod_wake(struct shm_ring_prod *p)
{
	struct shm_ring_hdr *h = p->r.hdr;
	uint32_t one = 1;
	/* Only the producer that clears the flag makes the syscall. */
	if (LOAD(&h->sleeping, RLX) &&
	    __atomic_compare_exchange_n(&h->sleeping, &one, 0, 0, __ATOMIC_ACQ_REL, RLX)) {
		__atomic_fetch_add(&h->wake, 1, REL);
		futex_wake(&h->wake);
		STORE(&p->ctl->n_wakeups, ++p->n_wakeups, RLX);
	}
}

void shm_ring_prod_flush(struct shm_ring_prod *p)
{
	if (p->head != LOAD(&p->ctl->tail, RLX))
		prod_wake(p);
}

/* Lossless: waits for room while a live consumer is attached, at most
 * wait_ns. 1: room; 0: dropped and counted (*err says why). */
static int prod_wait(struct shm_ring_prod *p, uint64_t need, int *err)
{
	struct shm_ring_hdr *h = p->r.hdr;
	uint64_t size = p->r.data_size;

	if (p->policy != SHM_RING_LOSSLESS || !consumer_present(&p->r))
		goto full;
	if (p->gave_up) {
		/* After a timed-out wait, wait again only once the consumer moves. */
		if (p->tail_cache == p->gave_up_tail)
			goto gave_up;
		p->gave_up = 0;
	}
	STORE(&p->ctl->n_waits, ++p->n_waits, RLX);
	uint64_t start = now_ns(), next_check = start, pause = 1000;
	for (;;) {
		prod_wake(p);
		p->tail_cache = LOAD(&p->ctl->tail, ACQ);
		if (p->head + need - p->tail_cache <= size)
			return 1;
		uint64_t t = now_ns();
		if (t >= next_check) {
			uint64_t cpid = LOAD(&h->consumer, ACQ);
			uint64_t cst = LOAD(&h->consumer_start, ACQ);
			if (!cpid)
				goto full;
			if (!shm_ring_proc_alive((uint32_t)cpid, cst)) {
				/* It died: detach it for everyone, and stop waiting. */
				__atomic_compare_exchange_n(&h->consumer, &cpid, 0, 0,
							    __ATOMIC_ACQ_REL, RLX);
				goto full;
			}
			next_check = t + 10000000u;
		}
		if (t - start >= p->wait_ns) {
			p->gave_up = 1;
			p->gave_up_tail = p->tail_cache;
			goto gave_up;
		}
		sleep_ns(pause);
		if (pause < 1000000)
			pause *= 2;
	}
gave_up:
	STORE(&p->ctl->n_drops_wait, ++p->n_drops_wait, RLX);
	*err = -ETIMEDOUT;
	return 0;
full:
	STORE(&p->ctl->n_drops_full, ++p->n_drops_full, RLX);
	*err = -ENOBUFS;
	return 0;
}

/* min: the shortest record of the kind (an event header, an empty block). */
static inline void *reserve(struct shm_ring_prod *p, uint32_t len, uint32_t min, int *err)
{
	if (len > p->r.max_record || len < min) {
		STORE(&p->ctl->n_drops_full, ++p->n_drops_full, RLX);
		*err = -EMSGSIZE;
		return NULL;
	}
	uint64_t size = p->r.data_size;
	uint32_t need = SHM_RING_FRAME + align8(len);
	uint32_t off = (uint32_t)p->head & p->mask;
	uint32_t to_end = (uint32_t)size - off;
	uint64_t total = need <= to_end ? need : (uint64_t)to_end + need;

	if (p->head + total - p->tail_cache > size) {
		p->tail_cache = LOAD(&p->ctl->tail, ACQ);
		if (p->head + total - p->tail_cache > size && !prod_wait(p, total, err))
			return NULL;
	}
	p->res_pos = p->head;
	if (need > to_end) {
		/* Too close to the end: a filler frame takes the rest, the record
		 * starts the next lap. Published together with the record. */
		uint64_t pad = (uint64_t)((to_end - SHM_RING_FRAME) | SHM_RING_F_PAD | SHM_RING_F_COMMIT) |
			       ((uint64_t)(uint32_t)(p->head >> p->r.shift) << 32);
		STORE((uint64_t *)(p->data + off), pad, RLX);
		p->res_pos += to_end;
		off = 0;
	}
	/* Ask for the lines a few records ahead now, so that taking them from
	 * the consumer's cache overlaps with this copy. */
	__builtin_prefetch(p->data + ((off + 512u) & p->mask), 1, 3);
	__builtin_prefetch(p->data + ((off + 576u) & p->mask), 1, 3);
	return p->data + off + SHM_RING_FRAME;
}

void *shm_ring_reserve(struct shm_ring_prod *p, uint32_t len, int *err)
{
	int dummy;
	return reserve(p, len, SHM_EVT_HDR_LEN, err ? err : &dummy);
}

static inline void commit(struct shm_ring_prod *p, uint32_t len, uint32_t kind)
{
	uint32_t off = (uint32_t)p->res_pos & p->mask;
	uint64_t frame = (uint64_t)((len & SHM_RING_F_LEN) | SHM_RING_F_COMMIT | kind) |
			 ((uint64_t)(uint32_t)(p->res_pos >> p->r.shift) << 32);
	STORE((uint64_t *)(p->data + off), frame, REL);
	p->head = p->res_pos + SHM_RING_FRAME + align8(len);
	STORE(&p->ctl->head, p->head, REL);
	if (kind)
		STORE(&p->ctl->n_meta, ++p->n_meta, RLX);
	else
		STORE(&p->ctl->n_evts, ++p->n_evts, RLX);
	/* Batched wake-up: only a sleeping consumer, and only once a quarter of
	 * the ring waits; light traffic waits for the consumer's own timeout. */
	if (LOAD(&p->r.hdr->sleeping, RLX) && p->head - p->tail_cache >= p->wake_bytes) {
		p->tail_cache = LOAD(&p->ctl->tail, ACQ);
		if (p->head - p->tail_cache >= p->wake_bytes)
			prod_wake(p);
	}
}

void shm_ring_commit(struct shm_ring_prod *p, uint32_t len)
{
	commit(p, len, 0);
}

int shm_ring_write(struct shm_ring_prod *p, const void *evt, uint32_t len)
{
	int err = 0;
	void *dst = reserve(p, len, SHM_EVT_HDR_LEN, &err);
	if (!dst)
		return err;
	memcpy(dst, evt, len);
	commit(p, len, 0);
	return 0;
}

int shm_ring_write_meta(struct shm_ring_prod *p, const void *block, uint32_t len)
{
	int err = 0;
	if (!shm_ring_block_ok(block, len)) {
		set_err(p->err, sizeof p->err, "a metadata record must be one MI, PL, FDL, UL "
			"or IL block of exactly its length");
		return -EINVAL;
	}
	void *dst = reserve(p, len, SHM_SCAP_BLOCK_MIN, &err);
	if (!dst)
		return err;
	memcpy(dst, block, len);
	commit(p, len, SHM_RING_F_META);
	return 0;
}

void shm_ring_count_pf_drop(struct shm_ring_prod *p)
{
	STORE(&p->ctl->n_drops_pf, ++p->n_drops_pf, RLX);
}

void shm_ring_prod_stats(const struct shm_ring_prod *p, struct shm_ring_slot_stats *st)
{
	shm_ring_slot_read(&p->r, p->slot, st);
}

uint32_t shm_ring_prod_max_record(const struct shm_ring_prod *p) { return p->r.max_record; }
int shm_ring_prod_fd(const struct shm_ring_prod *p) { return p->r.fd; }
unsigned shm_ring_prod_slot(const struct shm_ring_prod *p) { return p->slot; }
const char *shm_ring_prod_error(const struct shm_ring_prod *p) { return p->err; }

int shm_ring_prod_connect(struct shm_ring_prod *p, const char *sock_path)
{
	return shm_ring_sock_send(sock_path, p->r.fd, p->err, sizeof p->err);
}
