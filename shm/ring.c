/* The shared-memory ring: regions, producer slots, the merging consumer.
 * Protocol: shm/README.md. API: shm_ring.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"

#define ACQ __ATOMIC_ACQUIRE
#define REL __ATOMIC_RELEASE
#define RLX __ATOMIC_RELAXED
#define LOAD(p, o) __atomic_load_n((p), (o))
#define STORE(p, v, o) __atomic_store_n((p), (v), (o))

#define CLAIMING 0x80000000u /* in the generation half of owner: claim under way */
#define MIN_DATA (64u << 10)
#define MAX_DATA (1u << 30)

/* ---------------------------------------------------------------- helpers */

static void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};
	nanosleep(&ts, NULL);
}

static uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

uint64_t shm_ring_proc_start(uint32_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%u/stat", pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	char *p = strrchr(buf, ')');
	if (!p)
		return 0;
	p++;
	for (int field = 3; field < 22 && p; field++)
		p = strchr(p + 1, ' ');
	if (!p)
		return 0;
	unsigned long long st = strtoull(p + 1, NULL, 10);
	/* A zombie is dead for our purposes: it will never write again. */
	char state = 0;
	sscanf(strrchr(buf, ')') + 1, " %c", &state);
	if (state == 'Z' || state == 'X')
		return 0;
	return st ? st : 1;
}

/* pid is alive and is the process that started at start (0: unknown yet). */
static int proc_alive(uint32_t pid, uint64_t start)
{
	if (pid == 0)
		return 0;
	uint64_t st = shm_ring_proc_start(pid);
	return st != 0 && (start == 0 || st == start);
}

static void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static void futex_wait(uint32_t *word, uint32_t val, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};
	syscall(SYS_futex, word, FUTEX_WAIT, val, &ts, NULL, 0);
}

static int params_fix(const struct shm_ring_params *in, struct shm_ring_params *out)
{
	struct shm_ring_params p = in ? *in : (struct shm_ring_params){0};
	if (!p.nslots)
		p.nslots = SHM_RING_DEFAULT_SLOTS;
	if (!p.data_size)
		p.data_size = SHM_RING_DEFAULT_DATA;
	if (!p.max_record)
		p.max_record = p.data_size / 4;
	if (p.nslots > SHM_RING_MAX_SLOTS || p.data_size < MIN_DATA || p.data_size > MAX_DATA ||
	    (p.data_size & (p.data_size - 1)) || p.max_record < SHM_EVT_HDR_LEN ||
	    p.max_record > p.data_size / 2 || p.max_record > SHM_RING_F_LEN)
		return -EINVAL;
	*out = p;
	return 0;
}

size_t shm_ring_region_size(const struct shm_ring_params *params)
{
	struct shm_ring_params p;
	if (params_fix(params, &p))
		return 0;
	return SHM_RING_HDR_SIZE + (size_t)p.nslots * (SHM_RING_SLOT_CTL + p.data_size);
}

/* ---------------------------------------------------------------- regions */

struct region {
	uint8_t *base;
	size_t size;
	int fd;
	struct shm_ring_hdr *hdr;
	uint32_t nslots, data_size, max_record, shift;
	char name[NAME_MAX];
};

static struct shm_ring_slot_ctl *slot_ctl(const struct region *r, unsigned i)
{
	return (struct shm_ring_slot_ctl *)(r->base + SHM_RING_HDR_SIZE +
					    (size_t)i * (SHM_RING_SLOT_CTL + r->data_size));
}

static uint8_t *slot_data(const struct region *r, unsigned i)
{
	return (uint8_t *)slot_ctl(r, i) + SHM_RING_SLOT_CTL;
}

static void region_unmap(struct region *r)
{
	if (r->base)
		munmap(r->base, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->base = NULL;
	r->fd = -1;
}

/* Sizes the new file behind fd and writes the header, magic last. */
static int region_init(int fd, const struct shm_ring_params *p, char *err, size_t errlen)
{
	size_t size = shm_ring_region_size(p);
	if (ftruncate(fd, (off_t)size) < 0) {
		int e = errno;
		set_err(err, errlen, "cannot size the ring to %zu bytes: %s", size, strerror(e));
		return -e;
	}
	struct shm_ring_hdr *h = mmap(NULL, SHM_RING_HDR_SIZE, PROT_READ | PROT_WRITE,
				      MAP_SHARED, fd, 0);
	if (h == MAP_FAILED) {
		int e = errno;
		set_err(err, errlen, "cannot map the ring header: %s", strerror(e));
		return -e;
	}
	h->abi_version = SHM_RING_ABI_VERSION;
	h->hdr_size = SHM_RING_HDR_SIZE;
	h->nslots = p->nslots;
	h->slot_size = SHM_RING_SLOT_CTL + p->data_size;
	h->data_size = p->data_size;
	h->max_record = p->max_record;
	h->region_size = size;
	STORE(&h->magic, SHM_RING_MAGIC, REL);
	munmap(h, SHM_RING_HDR_SIZE);
	return 0;
}

/* Maps a region and checks its header against its size; takes fd. */
static int region_map(struct region *r, int fd, char *err, size_t errlen)
{
	struct stat st;
	struct shm_ring_hdr h;
	uint64_t deadline = now_ns() + 1000000000u;

	r->fd = fd;
	r->base = NULL;
	/* A creator may still be between shm_open and its header: wait a little. */
	for (;;) {
		if (fstat(fd, &st) < 0) {
			int e = errno;
			set_err(err, errlen, "cannot stat the ring: %s", strerror(e));
			return -e;
		}
		if ((size_t)st.st_size >= SHM_RING_HDR_SIZE &&
		    pread(fd, &h, sizeof h, 0) == (ssize_t)sizeof h &&
		    LOAD(&h.magic, ACQ) == SHM_RING_MAGIC)
			break;
		if (now_ns() > deadline) {
			set_err(err, errlen, "not a pdig ring (no magic after 1 s); remove it "
				"or choose another name with --ring");
			return -EPROTO;
		}
		sleep_ns(1000000);
	}
	if (h.abi_version != SHM_RING_ABI_VERSION) {
		set_err(err, errlen, "ring ABI version %u, this build speaks %u: run matching "
			"pdig and pdig-engine", h.abi_version, SHM_RING_ABI_VERSION);
		return -EPROTO;
	}
	struct shm_ring_params p = {h.nslots, h.data_size, h.max_record}, q;
	if (h.hdr_size != SHM_RING_HDR_SIZE || params_fix(&p, &q) || q.nslots != h.nslots ||
	    h.slot_size != SHM_RING_SLOT_CTL + h.data_size ||
	    h.region_size != shm_ring_region_size(&p) || (uint64_t)st.st_size < h.region_size) {
		set_err(err, errlen, "ring header is inconsistent (%u slots of %u bytes, "
			"region %llu bytes, file %lld bytes)", h.nslots, h.data_size,
			(unsigned long long)h.region_size, (long long)st.st_size);
		return -EPROTO;
	}
	r->size = h.region_size;
	r->base = mmap(NULL, r->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED) {
		int e = errno;
		r->base = NULL;
		set_err(err, errlen, "cannot map the %zu-byte ring: %s", r->size, strerror(e));
		return -e;
	}
	/* A forked tracee must not inherit the ring, even before its exec. */
	madvise(r->base, r->size, MADV_DONTFORK);
	r->hdr = (struct shm_ring_hdr *)r->base;
	r->nslots = h.nslots;
	r->data_size = h.data_size;
	r->max_record = h.max_record;
	r->shift = (uint32_t)__builtin_ctz(h.data_size);
	return 0;
}

static const char *ring_name(const char *name)
{
	if (!name || !*name)
		name = getenv(SHM_RING_ENV);
	if (!name || !*name)
		name = SHM_RING_DEFAULT_NAME;
	return name;
}

static int region_open_name(struct region *r, const char *name, unsigned flags,
			    const struct shm_ring_params *params, char *err, size_t errlen)
{
	struct shm_ring_params p;
	int fd = -1, rc;

	r->fd = -1;
	r->base = NULL;
	name = ring_name(name);
	if (name[0] != '/' || strchr(name + 1, '/') || strlen(name) >= sizeof r->name) {
		set_err(err, errlen, "bad ring name \"%s\": use /NAME, no other '/'", name);
		return -EINVAL;
	}
	snprintf(r->name, sizeof r->name, "%s", name);
	if (params_fix(params, &p)) {
		set_err(err, errlen, "bad ring size: slots 1..%u, data a power of two "
			"from 64 KiB to 1 GiB, max record up to half of it", SHM_RING_MAX_SLOTS);
		return -EINVAL;
	}
	if (flags & SHM_RING_CREATE) {
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			fchmod(fd, 0600);
			rc = region_init(fd, &p, err, errlen);
			if (rc) {
				shm_unlink(name);
				close(fd);
				return rc;
			}
		} else if (errno != EEXIST || (flags & SHM_RING_EXCL)) {
			int e = errno;
			set_err(err, errlen, "cannot create ring %s: %s", name, strerror(e));
			return -e;
		}
	}
	if (fd < 0) {
		fd = shm_open(name, O_RDWR | O_CLOEXEC, 0);
		if (fd < 0) {
			int e = errno;
			set_err(err, errlen, "cannot open ring %s: %s%s", name, strerror(e),
				e == ENOENT ? " (start pdig-engine first, or pass the same --ring "
					      "name to both)" : "");
			return -e;
		}
	}
	rc = region_map(r, fd, err, errlen);
	if (rc) {
		char tmp[200];
		snprintf(tmp, sizeof tmp, "%s", err);
		set_err(err, errlen, "ring %s: %s", name, tmp);
		region_unmap(r);
	}
	return rc;
}

/* ---------------------------------------------------------------- producer */

struct shm_ring_prod {
	struct region r;
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
	struct region *r = &p->r;
	uint32_t me = (uint32_t)getpid();
	uint64_t mystart = shm_ring_proc_start(me);

	for (unsigned i = 0; i < r->nslots; i++) {
		struct shm_ring_slot_ctl *c = slot_ctl(r, i);
		uint64_t o = LOAD(&c->owner, ACQ);
		uint32_t pid = (uint32_t)o, gen = (uint32_t)(o >> 32);
		if (pid) {
			uint64_t st = (gen & CLAIMING) ? 0 : LOAD(&c->owner_start, ACQ);
			if (proc_alive(pid, st))
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

int shm_ring_prod_open(struct shm_ring_prod **out, const char *name, unsigned flags,
		       const struct shm_ring_prod_opts *opts)
{
	struct shm_ring_prod *p;
	int rc = prod_new(&p, opts);
	if (rc)
		return rc;
	rc = region_open_name(&p->r, name, flags, opts ? &opts->params : NULL, p->err,
			      sizeof p->err);
	if (rc)
		goto err;
	rc = prod_finish(p);
	if (rc)
		goto err;
	*out = p;
	return 0;
err:
	prod_report(opts, p->err);
	shm_ring_prod_free(p);
	*out = NULL;
	return rc;
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
		goto err;
	}
	rc = region_map(&p->r, dfd, p->err, sizeof p->err);
	if (rc)
		goto err;
	rc = prod_finish(p);
	if (rc)
		goto err;
	*out = p;
	return 0;
err:
	prod_report(opts, p->err);
	shm_ring_prod_free(p);
	*out = NULL;
	return rc;
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
	int rc = params_fix(&prm, &prm);
	if (!rc)
		rc = region_init(fd, &prm, err, sizeof err);
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

/* No live producer and nothing unread: the name can go without losing an
 * event (unread ones wait in a named region for the next engine). */
static int region_unused(const struct region *r)
{
	for (unsigned i = 0; i < r->nslots; i++) {
		struct shm_ring_slot_ctl *c = slot_ctl(r, i);
		uint64_t o = LOAD(&c->owner, ACQ);
		if (LOAD(&c->head, ACQ) != LOAD(&c->tail, ACQ) ||
		    ((uint32_t)o && proc_alive((uint32_t)o, LOAD(&c->owner_start, ACQ))))
			return 0;
	}
	return 1;
}

void shm_ring_prod_free(struct shm_ring_prod *p)
{
	if (!p)
		return;
	if (p->ctl) {
		struct region *r = &p->r;
		/* Release the slot; what we committed stays readable. */
		STORE(&p->ctl->owner, (uint64_t)p->gen << 32, REL);
		shm_ring_prod_flush(p);
		if (r->name[0] && !LOAD(&r->hdr->consumer, ACQ) && region_unused(r))
			shm_unlink(r->name);
	}
	region_unmap(&p->r);
	free(p);
}

static int consumer_present(const struct region *r)
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
	return pid && proc_alive((uint32_t)pid, LOAD(&p->r.hdr->consumer_start, ACQ));
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
			if (!proc_alive((uint32_t)cpid, cst)) {
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

static int is_meta_block(uint32_t type)
{
	return type == SHM_SCAP_MI || type == SHM_SCAP_PL_V9 || type == SHM_SCAP_FDL_V2 ||
	       type == SHM_SCAP_UL_V2 || type == SHM_SCAP_IL_V2;
}

/* The framing of a block of len bytes at b: type, both lengths. The body is
 * the consumer's to parse (it does not trust us either). */
static int block_framing_ok(const uint8_t *b, uint32_t len)
{
	uint32_t type, blen, trailer;
	if (len < SHM_SCAP_BLOCK_MIN || len % 4)
		return 0;
	memcpy(&type, b, 4);
	memcpy(&blen, b + 4, 4);
	memcpy(&trailer, b + len - 4, 4);
	return is_meta_block(type) && blen == len && trailer == len;
}

int shm_ring_write_meta(struct shm_ring_prod *p, const void *block, uint32_t len)
{
	int err = 0;
	if (!block_framing_ok(block, len)) {
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

static void slot_stats(const struct region *r, unsigned i, struct shm_ring_slot_stats *st)
{
	struct shm_ring_slot_ctl *c = slot_ctl(r, i);
	uint64_t o = LOAD(&c->owner, ACQ);
	st->pid = (uint32_t)o;
	st->generation = (uint32_t)(o >> 32) & ~CLAIMING;
	st->n_evts = LOAD(&c->n_evts, RLX);
	st->n_drops_full = LOAD(&c->n_drops_full, RLX);
	st->n_drops_wait = LOAD(&c->n_drops_wait, RLX);
	st->n_drops_pf = LOAD(&c->n_drops_pf, RLX);
	st->n_waits = LOAD(&c->n_waits, RLX);
	st->n_wakeups = LOAD(&c->n_wakeups, RLX);
	st->n_meta = LOAD(&c->n_meta, RLX);
	st->used = LOAD(&c->head, ACQ) - LOAD(&c->tail, ACQ);
}

void shm_ring_prod_stats(const struct shm_ring_prod *p, struct shm_ring_slot_stats *st)
{
	slot_stats(&p->r, p->slot, st);
}

uint32_t shm_ring_prod_max_record(const struct shm_ring_prod *p) { return p->r.max_record; }
int shm_ring_prod_fd(const struct shm_ring_prod *p) { return p->r.fd; }
unsigned shm_ring_prod_slot(const struct shm_ring_prod *p) { return p->slot; }
const char *shm_ring_prod_error(const struct shm_ring_prod *p) { return p->err; }

/* ---------------------------------------------------------------- sockets */

int shm_ring_send_fd(int sock, int fd)
{
	char byte = 'R';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int shm_ring_recv_fd(int sock)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = sizeof u.buf};
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (n != 1 || !c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) || (m.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

static int sock_addr(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a->sun_path)
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	return 0;
}

int shm_ring_listen(const char *path)
{
	struct sockaddr_un a;
	int rc = sock_addr(path, &a);
	if (rc)
		return rc;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	unlink(path);
	/* Owner-only from the first moment: no window for another user to connect. */
	mode_t old = umask(0177);
	rc = bind(s, (struct sockaddr *)&a, sizeof a);
	umask(old);
	if (rc < 0 || listen(s, 16) < 0) {
		rc = -errno;
		close(s);
		return rc;
	}
	return s;
}

int shm_ring_prod_connect(struct shm_ring_prod *p, const char *sock_path)
{
	struct sockaddr_un a;
	int rc = sock_addr(sock_path, &a);
	if (rc)
		return rc;
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -errno;
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		rc = -errno;
		set_err(p->err, sizeof p->err, "cannot connect to the engine at %s: %s "
			"(is pdig-engine running with this socket?)", sock_path, strerror(-rc));
	} else {
		rc = shm_ring_send_fd(s, p->r.fd);
		if (rc)
			set_err(p->err, sizeof p->err, "cannot send the ring to %s: %s",
				sock_path, strerror(-rc));
	}
	close(s);
	return rc;
}

/* ---------------------------------------------------------------- consumer */

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
	struct region r;
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
	uint64_t sleep_ns, max_sleep_ns;
	uint64_t next_gc;   /* when to look for finished descriptor regions */
	int force;
	struct shm_ring_cons_stats st;
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
	c->sleep_ns = 50000;
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
		if (g->r.name[0] && region_unused(&g->r))
			shm_unlink(g->r.name);
	}
	free(g->slots);
	region_unmap(&g->r);
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
		    proc_alive((uint32_t)cur, LOAD(&h->consumer_start, ACQ))) {
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

int shm_ring_cons_add_name(struct shm_ring_cons *c, const char *name, unsigned flags,
			   const struct shm_ring_params *params)
{
	if (c->nreg == SHM_RING_MAX_REGIONS) {
		set_err(c->err, sizeof c->err, "too many rings (%u)", SHM_RING_MAX_REGIONS);
		return -EMFILE;
	}
	struct cregion *g = &c->reg[c->nreg];
	memset(g, 0, sizeof *g);
	int rc = region_open_name(&g->r, name, flags, params, c->err, sizeof c->err);
	if (!rc)
		rc = cons_attach(c, g);
	if (rc) {
		cons_detach(c, g);
		return rc;
	}
	c->nreg++;
	return 0;
}

int shm_ring_cons_add_fd(struct shm_ring_cons *c, int fd)
{
	if (c->nreg == SHM_RING_MAX_REGIONS) {
		close(fd);
		set_err(c->err, sizeof c->err, "too many rings (%u)", SHM_RING_MAX_REGIONS);
		return -EMFILE;
	}
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || !(seals & F_SEAL_SHRINK)) {
		close(fd);
		set_err(c->err, sizeof c->err, "refusing a ring descriptor that is not a memfd "
			"sealed against shrinking (its producer could crash the engine)");
		return -EPERM;
	}
	struct cregion *g = &c->reg[c->nreg];
	memset(g, 0, sizeof *g);
	int rc = region_map(&g->r, fd, c->err, sizeof c->err);
	if (!rc)
		rc = cons_attach(c, g);
	if (rc) {
		cons_detach(c, g);
		return rc;
	}
	c->nreg++;
	return 0;
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
static int len_ok(const struct region *r, uint32_t lf)
{
	uint32_t len = lf & SHM_RING_F_LEN;
	if (len > r->max_record)
		return 0;
	if (lf & SHM_RING_F_META)
		return len >= SHM_SCAP_BLOCK_MIN && len % 4 == 0;
	return len >= SHM_EVT_HDR_LEN;
}

/* Is there a plausible frame at pos (below head)? Used to resynchronise. */
static int frame_ok(const struct region *r, const struct cslot *s, uint64_t pos, uint64_t head)
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
		return block_framing_ok(s->data + off + SHM_RING_FRAME, len);
	struct shm_evt_hdr h;
	memcpy(&h, s->data + off + SHM_RING_FRAME, sizeof h);
	return h.len == len && h.type < SHM_EVENT_MAX;
}

static void skip_bad(struct shm_ring_cons *c, const struct region *r, struct cslot *s,
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
	const struct region *r = &g->r;
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
			       ((uint32_t)o && proc_alive((uint32_t)o, LOAD(&ctl->owner_start, ACQ)));
		}
		if (busy) {
			i++;
			continue;
		}
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
			c->sleep_ns *= 2;
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

/* Events are decoded into *ev (the caller's event: no second copy;
 * the event-only path copies nothing more than before). */
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
		region_unmap(&g->r); /* munmap and close only: no access to its memory */
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
			const struct region *r = &c->reg[bi].r;
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
			c->sleep_ns = 50000;
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
	for (unsigned i = 0; i < c->nreg; i++)
		for (unsigned j = 0; j < c->reg[i].r.nslots; j++) {
			struct shm_ring_slot_stats ss;
			slot_stats(&c->reg[i].r, j, &ss);
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
	slot_stats(&m->reg[region].r, slot, st);
	BUS_GUARD_END();
	return 0;
}

const char *shm_ring_cons_error(const struct shm_ring_cons *c) { return c->err; }
