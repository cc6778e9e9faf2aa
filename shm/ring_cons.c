/*
 * The ring's consumer (pdig-engine): attaches regions (by name, or as
 * descriptors accepted on its socket), reads every slot of every region and
 * hands records out merged by timestamp, metadata first; checks every frame
 * and decodes a private copy of each record, skipping and counting what is
 * damaged; sleeps when idle; reads shared memory under a SIGBUS guard. It
 * never writes a producer's line of a slot (only tails and its own header
 * line). Protocol: shm/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "ring_impl.h"

struct cslot {
	struct shm_ring_slot_ctl *ctl;
	uint8_t *data;
	uint64_t tail;      /* ours; published to ctl->tail */
	uint64_t head;      /* last head read */
	uint32_t gen, pid;
	int seen;           /* gen is known */
	int have;           /* a record is pending: */
	uint64_t pend_ts, pend_pos, pend_next;
	uint32_t pend_len;
	int pend_meta;      /* the pending record is a metadata block */
};

struct cregion {
	struct shm_ring_region r;
	struct cslot *slots;
	int owned; /* we registered as its consumer */
};

struct shm_ring_cons {
	struct cregion reg[SHM_RING_MAX_REGIONS];
	unsigned nreg;
	uint8_t *buf;       /* private copy of the record handed out */
	struct shm_scap_meta *meta; /* the last metadata record, parsed */
	uint32_t buflen;
	struct cslot *last; /* its tail is published on the next call */
	uint32_t pid;
	uint64_t start;
	uint64_t sleep_ns, min_sleep_ns, max_sleep_ns;
	uint64_t next_gc;   /* when to look for finished descriptor regions */
	int force;
	struct shm_ring_cons_stats st;
	/* counters of the slots of regions let go by cons_gc, for the report
	 * and the totals (the last one sums any beyond the others' room) */
	struct shm_ring_slot_stats retired[SHM_RING_RETIRED_MAX];
	unsigned nretired;
	char err[256];
};

int shm_ring_cons_new(struct shm_ring_cons **out, const struct shm_ring_cons_opts *opts)
{
	struct shm_ring_cons *c = calloc(1, sizeof *c);
	if (!c)
		return -ENOMEM;
	c->pid = (uint32_t)getpid();
	c->start = shm_ring_proc_start(c->pid);
	c->max_sleep_ns = (uint64_t)(opts && opts->max_sleep_us ? opts->max_sleep_us : 10000) * 1000u;
	c->min_sleep_ns = (uint64_t)(opts && opts->min_sleep_us ? opts->min_sleep_us : 1000) * 1000u;
	if (c->min_sleep_ns > c->max_sleep_ns)
		c->min_sleep_ns = c->max_sleep_ns;
	c->sleep_ns = c->min_sleep_ns;
	c->force = opts ? opts->force : 0;
	*out = c;
	return 0;
}

static void cons_detach(struct shm_ring_cons *c, struct cregion *g)
{
	if (g->slots && g->r.base) {
		for (unsigned i = 0; i < g->r.nslots; i++)
			STORE(&g->slots[i].ctl->tail, g->slots[i].tail, REL);
	}
	if (g->owned) {
		uint64_t me = c->pid;
		__atomic_compare_exchange_n(&g->r.hdr->consumer, &me, 0, 0, __ATOMIC_ACQ_REL, RLX);
		if (g->r.name[0] && shm_ring_region_unused(&g->r))
			shm_unlink(g->r.name);
	}
	free(g->slots);
	shm_ring_region_unmap(&g->r);
	memset(g, 0, sizeof *g);
}

static void cons_detach_all(struct shm_ring_cons *c);

void shm_ring_cons_free(struct shm_ring_cons *c)
{
	if (!c)
		return;
	cons_detach_all(c);
	free(c->buf);
	shm_scap_meta_free(c->meta);
	free(c);
}

/* Registers as the region's consumer and loads the slots' tails. */
static int cons_attach(struct shm_ring_cons *c, struct cregion *g)
{
	struct shm_ring_hdr *h = g->r.hdr;
	for (;;) {
		uint64_t cur = LOAD(&h->consumer, ACQ);
		if (cur && cur != c->pid && !c->force &&
		    shm_ring_proc_alive((uint32_t)cur, LOAD(&h->consumer_start, ACQ))) {
			set_err(c->err, sizeof c->err, "another pdig-engine (pid %llu) already "
				"reads this ring: stop it, or use another --ring",
				(unsigned long long)cur);
			return -EBUSY;
		}
		STORE(&h->consumer_start, 0, REL);
		if (__atomic_compare_exchange_n(&h->consumer, &cur, c->pid, 0, __ATOMIC_ACQ_REL, ACQ))
			break;
	}
	STORE(&h->consumer_start, c->start, REL);
	STORE(&h->consumer_beat, now_ns(), RLX);
	/* producers send their state again before their next events */
	__atomic_add_fetch(&h->consumer_gen, 1, __ATOMIC_ACQ_REL);
	g->owned = 1;
	if (g->r.max_record > c->buflen) {
		uint8_t *nb = realloc(c->buf, g->r.max_record);
		if (!nb)
			return -ENOMEM;
		c->buf = nb;
		c->buflen = g->r.max_record;
	}
	g->slots = calloc(g->r.nslots, sizeof *g->slots);
	if (!g->slots)
		return -ENOMEM;
	for (unsigned i = 0; i < g->r.nslots; i++) {
		struct cslot *s = &g->slots[i];
		s->ctl = slot_ctl(&g->r, i);
		s->data = slot_data(&g->r, i);
		/* Carry on where the last consumer stopped. */
		s->tail = LOAD(&s->ctl->tail, ACQ);
		s->head = s->tail;
	}
	return 0;
}

/* Room for one more region: 0, or -EMFILE with the reason. */
static int cons_room(struct shm_ring_cons *c)
{
	if (c->nreg < SHM_RING_MAX_REGIONS)
		return 0;
	set_err(c->err, sizeof c->err, "too many rings (%u)", SHM_RING_MAX_REGIONS);
	return -EMFILE;
}

/* The next region slot, zeroed, for the region being added. */
static struct cregion *cons_next_region(struct shm_ring_cons *c)
{
	struct cregion *g = &c->reg[c->nreg];
	memset(g, 0, sizeof *g);
	return g;
}

/* The region in g mapped (rc 0) is attached, and counts from now on. */
static int cons_added(struct shm_ring_cons *c, struct cregion *g, int rc)
{
	if (!rc)
		rc = cons_attach(c, g);
	if (rc) {
		cons_detach(c, g);
		return rc;
	}
	c->nreg++;
	return 0;
}

int shm_ring_cons_add_name(struct shm_ring_cons *c, const char *name, unsigned flags,
			   const struct shm_ring_params *params)
{
	int rc = cons_room(c);
	if (rc)
		return rc;
	struct cregion *g = cons_next_region(c);
	rc = shm_ring_region_open(&g->r, name, flags, params, c->err, sizeof c->err);
	return cons_added(c, g, rc);
}

int shm_ring_cons_add_fd(struct shm_ring_cons *c, int fd)
{
	int rc = cons_room(c);
	if (rc) {
		close(fd);
		return rc;
	}
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		close(fd);
		set_err(c->err, sizeof c->err, "refusing a ring descriptor that is not a memfd "
			"sealed against shrinking (its producer could crash the engine)");
		return -EPERM;
	}
	struct cregion *g = cons_next_region(c);
	rc = shm_ring_region_map(&g->r, fd, c->err, sizeof c->err);
	return cons_added(c, g, rc);
}

int shm_ring_cons_accept(struct shm_ring_cons *c, int listen_fd)
{
	int s = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
	if (s < 0)
		return -errno;
	/* A client that connects and says nothing must not stall the engine. */
	struct timeval tv = {.tv_sec = 1};
	setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	int fd = shm_ring_recv_fd(s);
	close(s);
	if (fd < 0) {
		set_err(c->err, sizeof c->err, "a producer connected but sent no ring: %s",
			strerror(-fd));
		return fd;
	}
	return shm_ring_cons_add_fd(c, fd);
}

/* The length of a record frame is possible for its kind. */
static int len_ok(const struct shm_ring_region *r, uint32_t lf)
{
	uint32_t len = lf & SHM_RING_F_LEN;
	if (len > r->max_record)
		return 0;
	if (lf & SHM_RING_F_META)
		return len >= SHM_SCAP_BLOCK_MIN && len % 4 == 0;
	return len >= SHM_EVT_HDR_LEN;
}

/* Is there a plausible frame at pos (below head)? Used to resynchronise. */
static int frame_ok(const struct shm_ring_region *r, const struct cslot *s, uint64_t pos,
		    uint64_t head)
{
	uint32_t off = (uint32_t)pos & (r->data_size - 1);
	uint64_t frame = LOAD((uint64_t *)(s->data + off), ACQ);
	uint32_t lf = (uint32_t)frame, len = lf & SHM_RING_F_LEN;
	uint64_t contig = r->data_size - off, avail = head - pos;
	if ((uint32_t)(frame >> 32) != (uint32_t)(pos >> r->shift) || !(lf & SHM_RING_F_COMMIT))
		return 0;
	if (lf & SHM_RING_F_PAD)
		return !(lf & SHM_RING_F_META) && SHM_RING_FRAME + (uint64_t)len == contig &&
		       contig <= avail;
	uint64_t need = SHM_RING_FRAME + (uint64_t)align8(len);
	if (!len_ok(r, lf) || need > contig || need > avail)
		return 0;
	if (lf & SHM_RING_F_META)
		return shm_ring_block_ok(s->data + off + SHM_RING_FRAME, len);
	struct shm_evt_hdr h;
	memcpy(&h, s->data + off + SHM_RING_FRAME, sizeof h);
	return h.len == len && h.type < SHM_EVENT_MAX;
}

static void skip_bad(struct shm_ring_cons *c, const struct shm_ring_region *r, struct cslot *s,
		     uint64_t head)
{
	uint64_t p = s->tail + SHM_RING_FRAME;
	c->st.n_corrupt++;
	if (head - s->tail > r->data_size || (head & 7u))
		p = head; /* head itself is nonsense: nothing before it can be trusted */
	while (p < head && !frame_ok(r, s, p, head))
		p += SHM_RING_FRAME;
	if (p > head)
		p = head;
	c->st.n_skipped += p - s->tail;
	s->tail = p;
	STORE(&s->ctl->tail, s->tail, REL);
}

/* Finds the next record of a slot: 1 pending, 0 empty. */
static int cons_peek(struct shm_ring_cons *c, struct cregion *g, struct cslot *s)
{
	const struct shm_ring_region *r = &g->r;
	uint64_t o = LOAD(&s->ctl->owner, ACQ);
	uint32_t gen = (uint32_t)(o >> 32) & ~CLAIMING;
	if (!s->seen || gen != s->gen) {
		if (s->seen)
			c->st.n_restarts++;
		s->seen = 1;
		s->gen = gen;
	}
	s->pid = (uint32_t)o;
	if (s->tail == s->head) {
		c->st.n_head_loads++;
		s->head = LOAD(&s->ctl->head, ACQ);
		if (s->tail == s->head)
			return 0;
	}
	for (;;) {
		uint64_t head = s->head;
		if (s->tail == head)
			return 0;
		if (head - s->tail > r->data_size || (head & 7u)) {
			skip_bad(c, r, s, head);
			continue;
		}
		uint32_t off = (uint32_t)s->tail & (r->data_size - 1);
		uint64_t frame = LOAD((uint64_t *)(s->data + off), ACQ);
		uint32_t lf = (uint32_t)frame, len = lf & SHM_RING_F_LEN;
		uint64_t contig = r->data_size - off, avail = head - s->tail;
		if ((uint32_t)(frame >> 32) != (uint32_t)(s->tail >> r->shift) ||
		    !(lf & SHM_RING_F_COMMIT)) {
			skip_bad(c, r, s, head);
			continue;
		}
		if (lf & SHM_RING_F_PAD) {
			if (SHM_RING_FRAME + (uint64_t)len != contig || contig > avail ||
			    (lf & SHM_RING_F_META)) {
				skip_bad(c, r, s, head);
				continue;
			}
			s->tail += contig;
			continue;
		}
		uint64_t need = SHM_RING_FRAME + (uint64_t)align8(len);
		if (!len_ok(r, lf) || need > contig || need > avail) {
			skip_bad(c, r, s, head);
			continue;
		}
		/* Metadata goes first: it is state for this producer's next events. */
		s->pend_meta = (lf & SHM_RING_F_META) != 0;
		if (s->pend_meta)
			s->pend_ts = 0;
		else
			memcpy(&s->pend_ts, s->data + off + SHM_RING_FRAME, sizeof s->pend_ts);
		s->pend_pos = s->tail;
		s->pend_len = len;
		s->pend_next = s->tail + need;
		s->have = 1;
		return 1;
	}
}

static void cons_beat(struct shm_ring_cons *c)
{
	uint64_t t = now_ns();
	for (unsigned i = 0; i < c->nreg; i++)
		STORE(&c->reg[i].r.hdr->consumer_beat, t, RLX);
}

/* Keeps the counters of a region about to be let go: what its producers
 * wrote and dropped is still reported, and totals never go down. */
static void retire_counters(struct shm_ring_cons *c, const struct cregion *g)
{
	for (unsigned j = 0; j < g->r.nslots; j++) {
		struct shm_ring_slot_stats ss;
		shm_ring_slot_read(&g->r, j, &ss);
		if (!ss.n_evts && !ss.n_meta && !ss.n_drops_full && !ss.n_drops_wait &&
		    !ss.n_drops_pf)
			continue;
		ss.pid = 0;
		ss.used = 0;
		if (c->nretired < SHM_RING_RETIRED_MAX) {
			c->retired[c->nretired++] = ss;
			continue;
		}
		struct shm_ring_slot_stats *t = &c->retired[SHM_RING_RETIRED_MAX - 1];
		t->generation = 0; /* several producers summed */
		t->n_evts += ss.n_evts;
		t->n_meta += ss.n_meta;
		t->n_drops_full += ss.n_drops_full;
		t->n_drops_wait += ss.n_drops_wait;
		t->n_drops_pf += ss.n_drops_pf;
		t->n_waits += ss.n_waits;
		t->n_wakeups += ss.n_wakeups;
	}
}

/* Drops regions received as descriptors once every producer of theirs is
 * gone and everything is read: each pdig run sends a new one, and they would
 * pile up. Named regions stay: producers may come back to them. */
static void cons_gc(struct shm_ring_cons *c)
{
	uint64_t t = now_ns();
	if (t < c->next_gc)
		return;
	c->next_gc = t + 1000000000u;
	for (unsigned i = 0; i < c->nreg;) {
		struct cregion *g = &c->reg[i];
		int busy = g->r.name[0] != '\0';
		for (unsigned j = 0; j < g->r.nslots && !busy; j++) {
			struct shm_ring_slot_ctl *ctl = g->slots[j].ctl;
			uint64_t o = LOAD(&ctl->owner, ACQ);
			busy = g->slots[j].have || LOAD(&ctl->head, ACQ) != g->slots[j].tail ||
			       ((uint32_t)o &&
				shm_ring_proc_alive((uint32_t)o, LOAD(&ctl->owner_start, ACQ)));
		}
		if (busy) {
			i++;
			continue;
		}
		retire_counters(c, g);
		cons_detach(c, g);
		memmove(g, g + 1, (c->nreg - i - 1) * sizeof *g);
		c->nreg--;
		c->st.n_regions_dropped++;
	}
}

/* Nothing to read: sleep on the futex word of every region (the first one
 * holds the futex; the others are polled on timeout). */
static void cons_sleep(struct shm_ring_cons *c, uint64_t max_ns)
{
	cons_gc(c);
	uint64_t ns = c->sleep_ns < max_ns ? c->sleep_ns : max_ns;
	if (!c->nreg || !ns) {
		if (ns)
			sleep_ns(ns);
		if (c->sleep_ns < c->max_sleep_ns) /* no producer yet: back off too */
			c->sleep_ns = c->sleep_ns * 2 < c->max_sleep_ns ? c->sleep_ns * 2
									: c->max_sleep_ns;
		return;
	}
	struct shm_ring_hdr *h = c->reg[0].r.hdr;
	uint32_t w = LOAD(&h->wake, ACQ);
	for (unsigned i = 0; i < c->nreg; i++)
		__atomic_store_n(&c->reg[i].r.hdr->sleeping, 1, __ATOMIC_SEQ_CST);
	/* Re-check after raising the flag: a producer that committed before
	 * seeing it would otherwise leave us asleep with work waiting. */
	int work = 0;
	for (unsigned i = 0; i < c->nreg && !work; i++)
		for (unsigned j = 0; j < c->reg[i].r.nslots && !work; j++)
			work = LOAD(&c->reg[i].slots[j].ctl->head, ACQ) != c->reg[i].slots[j].tail;
	if (!work) {
		c->st.n_sleeps++;
		cons_beat(c);
		if (c->nreg == 1)
			futex_wait(&h->wake, w, ns);
		else
			sleep_ns(ns);
		if (c->sleep_ns < c->max_sleep_ns)
			c->sleep_ns = c->sleep_ns * 2 < c->max_sleep_ns ? c->sleep_ns * 2
									: c->max_sleep_ns;
	}
	for (unsigned i = 0; i < c->nreg; i++)
		STORE(&c->reg[i].r.hdr->sleeping, 0, RLX);
}

/* The copied record in c->buf is bad: count it and move past it. */
static void drop_pending(struct shm_ring_cons *c, struct cslot *s)
{
	c->st.n_corrupt++;
	c->st.n_skipped += s->pend_next - s->pend_pos;
	s->tail = s->pend_next;
	STORE(&s->ctl->tail, s->tail, REL);
}

/* Parses the metadata block copied to c->buf: 0, or why not in c->err. */
static int take_meta(struct shm_ring_cons *c, uint32_t len, struct shm_ring_rec *rec)
{
	char why[200];
	if (!c->meta && shm_scap_meta_new(&c->meta)) {
		set_err(c->err, sizeof c->err, "out of memory reading a metadata record");
		return -ENOMEM;
	}
	shm_scap_meta_clear(c->meta);
	int rc = shm_scap_meta_parse(c->meta, c->buf, len, why, sizeof why);
	if (rc) {
		set_err(c->err, sizeof c->err, "damaged metadata record skipped: %s", why);
		return rc;
	}
	rec->block = c->buf;
	rec->block_len = len;
	rec->meta = c->meta;
	return 0;
}

/*
 * SIGBUS guard. Anyone who can open a named region (the same user) can
 * shrink it, and the next read of the lost pages would kill the engine with
 * SIGBUS. While the consumer touches shared memory, a SIGBUS jumps back here
 * instead; every region whose file is now shorter than its mapping is let go
 * without touching its memory, counted as corruption, and reading goes on
 * with the others. (A sealed memfd, shm_ring_cons_add_fd, cannot shrink.)
 */
static __thread sigjmp_buf *bus_jmp;

static void on_sigbus(int sig, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	if (bus_jmp)
		siglongjmp(*bus_jmp, 1);
	/* not a read of ours: the default action, on return from here */
	signal(sig, SIG_DFL);
}

static void bus_guard_install(void)
{
	static int done;
	if (__atomic_exchange_n(&done, 1, __ATOMIC_ACQ_REL))
		return;
	/* SA_NODEFER: we leave the handler by siglongjmp without restoring the
	 * mask, so SIGBUS must not stay blocked */
	struct sigaction sa = {.sa_sigaction = on_sigbus, .sa_flags = SA_SIGINFO | SA_NODEFER};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}

/* After a SIGBUS: drops the regions that shrank. 0 if one did, else -EFAULT
 * (the fault was not a shrunk region: nothing safe to do). */
static int bus_recover(struct shm_ring_cons *c)
{
	int found = 0;
	c->last = NULL; /* may point into a region about to go */
	for (unsigned i = 0; i < c->nreg;) {
		struct cregion *g = &c->reg[i];
		struct stat st;
		if (g->r.fd >= 0 && fstat(g->r.fd, &st) == 0 && (size_t)st.st_size >= g->r.size) {
			i++;
			continue;
		}
		set_err(c->err, sizeof c->err, "ring %s was shrunk under the engine: let go "
			"(use pdig --connect for a private ring nobody can shrink)",
			g->r.name[0] ? g->r.name : "(descriptor)");
		fprintf(stderr, "pdig-engine: %s\n", c->err);
		free(g->slots);
		shm_ring_region_unmap(&g->r); /* munmap and close only: no access to its memory */
		memmove(g, g + 1, (c->nreg - i - 1) * sizeof *g);
		c->nreg--;
		c->st.n_corrupt++;
		found = 1;
	}
	return found ? 0 : -EFAULT;
}

/* Opens a guarded section in the calling function; BUS_GUARD_END closes it.
 * A fault inside drops the shrunk regions and restarts the section. */
#define BUS_GUARD_BEGIN(c)                         \
	sigjmp_buf bus_jb_;                        \
	bus_guard_install();                       \
	if (sigsetjmp(bus_jb_, 0)) {               \
		bus_jmp = NULL;                    \
		if (bus_recover(c)) {              \
			signal(SIGBUS, SIG_DFL);   \
			raise(SIGBUS);             \
		}                                  \
	}                                          \
	bus_jmp = &bus_jb_
#define BUS_GUARD_END() (bus_jmp = NULL)

static int cons_next_unguarded(struct shm_ring_cons *c, struct shm_ring_rec *rec,
			       struct shm_evt *ev, struct shm_ring_src *src, int timeout_ms);

/* Detaching writes the tails back: guarded too, last region first so that a
 * restart after a fault finds only regions still attached. */
static void cons_detach_all(struct shm_ring_cons *c)
{
	BUS_GUARD_BEGIN(c);
	while (c->nreg) {
		cons_detach(c, &c->reg[c->nreg - 1]);
		c->nreg--;
	}
	BUS_GUARD_END();
}

static int cons_next(struct shm_ring_cons *c, struct shm_ring_rec *rec, struct shm_evt *ev,
		     struct shm_ring_src *src, int timeout_ms)
{
	/* sigsetjmp without the mask: no syscall per call (the handler runs
	 * SA_NODEFER, so SIGBUS is not left blocked) */
	BUS_GUARD_BEGIN(c);
	int rc = cons_next_unguarded(c, rec, ev, src, timeout_ms);
	BUS_GUARD_END();
	return rc;
}

/* Events are decoded into *ev (the caller's event: no second copy;
 * the event-only path copies nothing more than before). */
static int cons_next_unguarded(struct shm_ring_cons *c, struct shm_ring_rec *rec,
			       struct shm_evt *ev, struct shm_ring_src *src, int timeout_ms)
{
	uint64_t deadline = timeout_ms < 0 ? UINT64_MAX : now_ns() + (uint64_t)timeout_ms * 1000000u;
	char why[160];

	if (c->last) {
		STORE(&c->last->ctl->tail, c->last->tail, REL);
		c->last = NULL;
	}
	for (;;) {
		struct cslot *best = NULL;
		unsigned bi = 0, bj = 0;
		for (unsigned i = 0; i < c->nreg; i++) {
			struct cregion *g = &c->reg[i];
			for (unsigned j = 0; j < g->r.nslots; j++) {
				struct cslot *s = &g->slots[j];
				if (!s->have && !cons_peek(c, g, s))
					continue;
				if (!best || s->pend_ts < best->pend_ts) {
					best = s;
					bi = i;
					bj = j;
				}
			}
		}
		if (best) {
			const struct shm_ring_region *r = &c->reg[bi].r;
			uint32_t off = (uint32_t)best->pend_pos & (r->data_size - 1);
			/* Decode a private copy: the producer cannot change it under us. */
			memcpy(c->buf, best->data + off + SHM_RING_FRAME, best->pend_len);
			best->have = 0;
			if (best->pend_meta) {
				rec->kind = SHM_RING_REC_META;
				if (take_meta(c, best->pend_len, rec)) {
					drop_pending(c, best);
					continue;
				}
				c->st.n_meta++;
			} else {
				rec->kind = SHM_RING_REC_EVENT;
				rec->block = NULL;
				rec->block_len = 0;
				rec->meta = NULL;
				int rc = shm_evt_decode(ev, c->buf, best->pend_len, why, sizeof why);
				if (rc || ev->len != best->pend_len) {
					drop_pending(c, best);
					continue;
				}
				c->st.n_read++;
			}
			best->tail = best->pend_next;
			c->last = best;
			c->sleep_ns = c->min_sleep_ns;
			if (src) {
				src->region = bi;
				src->slot = bj;
				src->pid = best->pid;
				src->generation = best->gen;
			}
			return 0;
		}
		uint64_t t = now_ns();
		if (t >= deadline)
			return -EAGAIN;
		cons_sleep(c, deadline - t);
	}
}

int shm_ring_cons_next_rec(struct shm_ring_cons *c, struct shm_ring_rec *rec,
			   struct shm_ring_src *src, int timeout_ms)
{
	if (!rec->evt)
		return -EINVAL;
	return cons_next(c, rec, rec->evt, src, timeout_ms);
}

int shm_ring_cons_next(struct shm_ring_cons *c, struct shm_evt *ev, struct shm_ring_src *src,
		       int timeout_ms)
{
	struct shm_ring_rec rec = {.evt = ev};
	/* The common case costs what it did before metadata records existed;
	 * each record passed over (rare) starts the wait again. */
	for (;;) {
		int rc = cons_next(c, &rec, ev, src, timeout_ms);
		if (rc || rec.kind == SHM_RING_REC_EVENT)
			return rc;
		c->st.n_meta_ignored++;
	}
}

void shm_ring_cons_stats(const struct shm_ring_cons *cc, struct shm_ring_cons_stats *st)
{
	/* reads the producers' counters in shared memory: under the SIGBUS guard */
	struct shm_ring_cons *c = (struct shm_ring_cons *)cc;
	BUS_GUARD_BEGIN(c);
	*st = c->st;
	st->n_drops = st->n_evts = 0;
	for (unsigned i = 0; i < c->nretired; i++) {
		st->n_evts += c->retired[i].n_evts;
		st->n_drops += c->retired[i].n_drops_full + c->retired[i].n_drops_wait +
			       c->retired[i].n_drops_pf;
	}
	for (unsigned i = 0; i < c->nreg; i++)
		for (unsigned j = 0; j < c->reg[i].r.nslots; j++) {
			struct shm_ring_slot_stats ss;
			shm_ring_slot_read(&c->reg[i].r, j, &ss);
			st->n_evts += ss.n_evts;
			st->n_drops += ss.n_drops_full + ss.n_drops_wait + ss.n_drops_pf;
		}
	BUS_GUARD_END();
}

unsigned shm_ring_cons_nregions(const struct shm_ring_cons *c) { return c->nreg; }

unsigned shm_ring_cons_nslots(const struct shm_ring_cons *c, unsigned region)
{
	return region < c->nreg ? c->reg[region].r.nslots : 0;
}

int shm_ring_cons_slot_stats(const struct shm_ring_cons *c, unsigned region, unsigned slot,
			     struct shm_ring_slot_stats *st)
{
	struct shm_ring_cons *m = (struct shm_ring_cons *)c;
	BUS_GUARD_BEGIN(m);
	if (region >= m->nreg || slot >= m->reg[region].r.nslots) {
		BUS_GUARD_END();
		return -ENOENT;
	}
	shm_ring_slot_read(&m->reg[region].r, slot, st);
	BUS_GUARD_END();
	return 0;
}

int shm_ring_cons_retired_stats(const struct shm_ring_cons *c, unsigned i,
				struct shm_ring_slot_stats *st)
{
	if (i >= c->nretired)
		return -ENOENT;
	*st = c->retired[i];
	return 0;
}

const char *shm_ring_cons_error(const struct shm_ring_cons *c) { return c->err; }
