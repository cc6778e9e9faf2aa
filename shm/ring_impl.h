/*
 * What shm/ring_*.c share: the region (one shared-memory object: header
 * page and slots), the helpers its users need, shorthand for the atomics.
 * Not an API: nothing outside shm/ring_*.c includes it (the API is
 * shm_ring.h, the protocol shm/README.md). Producer and consumer state stay
 * private to ring_prod.c and ring_cons.c.
 */
#ifndef SHM_RING_IMPL_H
#define SHM_RING_IMPL_H

#include <limits.h>
#include <linux/futex.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"

#define ACQ __ATOMIC_ACQUIRE
#define REL __ATOMIC_RELEASE
#define RLX __ATOMIC_RELAXED
#define LOAD(p, o) __atomic_load_n((p), (o))
#define STORE(p, v, o) __atomic_store_n((p), (v), (o))

#define CLAIMING 0x80000000u /* in the generation half of owner: claim under way */

/* One mapped region, from a name or a descriptor. */
struct shm_ring_region {
	uint8_t *base;
	size_t size;
	int fd;
	struct shm_ring_hdr *hdr;
	uint32_t nslots, data_size, max_record, shift;
	char name[NAME_MAX]; /* "" for a descriptor region */
};

/* ring_region.c */

/* params with the defaults filled in and checked: 0 or -EINVAL. */
int shm_ring_params_fix(const struct shm_ring_params *in, struct shm_ring_params *out);
/* pid is alive and is the process that started at start (0: unknown yet). */
int shm_ring_proc_alive(uint32_t pid, uint64_t start);
/* Sizes the new file behind fd and writes the header, magic last. */
int shm_ring_region_init(int fd, const struct shm_ring_params *p, char *err, size_t errlen);
/* Maps a region and checks its header against its size; takes fd. */
int shm_ring_region_map(struct shm_ring_region *r, int fd, char *err, size_t errlen);
/* Opens (SHM_RING_CREATE: or creates) a named region and maps it. */
int shm_ring_region_open(struct shm_ring_region *r, const char *name, unsigned flags,
			 const struct shm_ring_params *params, char *err, size_t errlen);
void shm_ring_region_unmap(struct shm_ring_region *r);
/* No live producer and nothing unread: the name can go without losing an
 * event (unread ones wait in a named region for the next engine). */
int shm_ring_region_unused(const struct shm_ring_region *r);
/* Slot i's counters as its control block holds them. */
void shm_ring_slot_read(const struct shm_ring_region *r, unsigned i,
			struct shm_ring_slot_stats *st);
/* The framing of a metadata block of len bytes at b: a type we carry and
 * both lengths. The body is the consumer's to parse (it trusts no one). */
int shm_ring_block_ok(const uint8_t *b, uint32_t len);

/* ring_sock.c: connects to the engine's socket at path and sends fd; 0, or
 * a negative errno with the reason in err. */
int shm_ring_sock_send(const char *path, int fd, char *err, size_t errlen);

/* ---------------------------------------------------------------- helpers */

static inline void set_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static inline uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline void sleep_ns(uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};
	nanosleep(&ts, NULL);
}

static inline uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

static inline void futex_wake(uint32_t *word)
{
	syscall(SYS_futex, word, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
}

static inline void futex_wait(uint32_t *word, uint32_t val, uint64_t ns)
{
	struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u),
			      .tv_nsec = (long)(ns % 1000000000u)};
	syscall(SYS_futex, word, FUTEX_WAIT, val, &ts, NULL, 0);
}

static inline struct shm_ring_slot_ctl *slot_ctl(const struct shm_ring_region *r, unsigned i)
{
	return (struct shm_ring_slot_ctl *)(r->base + SHM_RING_HDR_SIZE +
					    (size_t)i * (SHM_RING_SLOT_CTL + r->data_size));
}

static inline uint8_t *slot_data(const struct shm_ring_region *r, unsigned i)
{
	return (uint8_t *)slot_ctl(r, i) + SHM_RING_SLOT_CTL;
}

#endif
