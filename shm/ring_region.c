/*
 * Regions of the ring: the shared-memory object (a name in /dev/shm or a
 * memfd), its header written once and checked against the object's size
 * before anything is mapped, its slots located; and the checks of record
 * framing both sides share. No producer or consumer logic here: claiming a
 * slot is ring_prod.c's, reading it ring_cons.c's. Protocol: shm/README.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "ring_impl.h"

#define MIN_DATA (64u << 10)
#define MAX_DATA (1u << 30)

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
int shm_ring_proc_alive(uint32_t pid, uint64_t start)
{
	if (pid == 0)
		return 0;
	uint64_t st = shm_ring_proc_start(pid);
	return st != 0 && (start == 0 || st == start);
}

int shm_ring_params_fix(const struct shm_ring_params *in, struct shm_ring_params *out)
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
	if (shm_ring_params_fix(params, &p))
		return 0;
	return SHM_RING_HDR_SIZE + (size_t)p.nslots * (SHM_RING_SLOT_CTL + p.data_size);
}

void shm_ring_region_unmap(struct shm_ring_region *r)
{
	if (r->base)
		munmap(r->base, r->size);
	if (r->fd >= 0)
		close(r->fd);
	r->base = NULL;
	r->fd = -1;
}

int shm_ring_region_init(int fd, const struct shm_ring_params *p, char *err, size_t errlen)
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

int shm_ring_region_map(struct shm_ring_region *r, int fd, char *err, size_t errlen)
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
	if (h.hdr_size != SHM_RING_HDR_SIZE || shm_ring_params_fix(&p, &q) ||
	    q.nslots != h.nslots || h.slot_size != SHM_RING_SLOT_CTL + h.data_size ||
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

int shm_ring_region_open(struct shm_ring_region *r, const char *name, unsigned flags,
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
	if (shm_ring_params_fix(params, &p)) {
		set_err(err, errlen, "bad ring size: slots 1..%u, data a power of two "
			"from 64 KiB to 1 GiB, max record up to half of it", SHM_RING_MAX_SLOTS);
		return -EINVAL;
	}
	if (flags & SHM_RING_CREATE) {
		fd = shm_open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			fchmod(fd, 0600);
			rc = shm_ring_region_init(fd, &p, err, errlen);
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
	rc = shm_ring_region_map(r, fd, err, errlen);
	if (rc) {
		char tmp[200];
		snprintf(tmp, sizeof tmp, "%s", err);
		set_err(err, errlen, "ring %s: %s", name, tmp);
		shm_ring_region_unmap(r);
	}
	return rc;
}

int shm_ring_region_unused(const struct shm_ring_region *r)
{
	for (unsigned i = 0; i < r->nslots; i++) {
		struct shm_ring_slot_ctl *c = slot_ctl(r, i);
		uint64_t o = LOAD(&c->owner, ACQ);
		if (LOAD(&c->head, ACQ) != LOAD(&c->tail, ACQ) ||
		    ((uint32_t)o && shm_ring_proc_alive((uint32_t)o, LOAD(&c->owner_start, ACQ))))
			return 0;
	}
	return 1;
}

/* The block types a metadata record may hold. */
static int is_meta_block(uint32_t type)
{
	return type == SHM_SCAP_MI || type == SHM_SCAP_PL_V9 || type == SHM_SCAP_FDL_V2 ||
	       type == SHM_SCAP_UL_V2 || type == SHM_SCAP_IL_V2;
}

int shm_ring_block_ok(const uint8_t *b, uint32_t len)
{
	uint32_t type, blen, trailer;
	if (len < SHM_SCAP_BLOCK_MIN || len % 4)
		return 0;
	memcpy(&type, b, 4);
	memcpy(&blen, b + 4, 4);
	memcpy(&trailer, b + len - 4, 4);
	return is_meta_block(type) && blen == len && trailer == len;
}

void shm_ring_slot_read(const struct shm_ring_region *r, unsigned i,
			struct shm_ring_slot_stats *st)
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
