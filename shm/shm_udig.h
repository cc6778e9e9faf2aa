/*
 * The udig-compatible writer: `pdig --udig` feeds legacy readers (sysdig -u,
 * libscap of early 2022) through the layout they expect.
 *
 * Two POSIX shm objects with fixed, global names:
 *  - "udig_buf": the 8 MiB ring, mapped twice back to back so that a record
 *    may run past the end and read on contiguously from the start;
 *  - "udig_descs": 128 bytes, the driver's ring info (head written by the
 *    producer, tail by the consumer, counters), then the udig status block
 *    (lock, initialised flag, capturing pid, stopped flag, last print time,
 *    and the consumer's settings, snaplen among them).
 * Records are the driver's events as they are (shm_event.h), one after the
 * other. The producer writes only while a consumer has set capturing_pid
 * and not stopped, and cuts data buffers (BYTEBUF parameters) to the
 * consumer's snaplen, as the kernel driver does.
 *
 * The names are global, so there is one udig ring per IPC namespace; the
 * layout has no room for several producers, so only one pdig may write it.
 * This mode exists for compatibility; the native ring (shm_ring.h) is the
 * private, multi-producer one.
 */
#ifndef SHM_UDIG_H
#define SHM_UDIG_H

#include <stddef.h>
#include <stdint.h>

#define SHM_UDIG_RING_NAME "/udig_buf"
#define SHM_UDIG_DESCS_NAME "/udig_descs"
#define SHM_UDIG_RING_SIZE (8u << 20)
#define SHM_UDIG_SNAPLEN 80u /* what a consumer that set none gets (RW_SNAPLEN) */

/* The driver's struct ppm_ring_buffer_info. */
struct shm_udig_ring_info {
	uint32_t head;  /* producer: where the next record goes */
	uint32_t tail;  /* consumer: first byte not yet read */
	uint64_t n_evts;
	uint64_t n_drops_buffer;
	uint64_t n_drops_pf;
	uint64_t n_preemptions;
	uint64_t n_context_switches;
};

/* libscap's struct udig_consumer_t. */
struct shm_udig_consumer {
	uint32_t snaplen;
	uint32_t sampling_ratio;
	uint8_t do_dynamic_snaplen; /* a C bool */
	uint32_t sampling_interval;
	int32_t is_dropping;
	int32_t dropping_mode;
	int32_t need_to_insert_drop_e;
	int32_t need_to_insert_drop_x;
	uint16_t fullcapture_port_range_start;
	uint16_t fullcapture_port_range_end;
	uint16_t statsd_port;
};

/* libscap's struct udig_ring_buffer_status. */
struct shm_udig_status {
	uint64_t buffer_lock;
	int32_t initialized;
	int32_t capturing_pid;
	int32_t stopped;
	struct {
		int64_t tv_sec, tv_nsec;
	} last_print_time;
	struct shm_udig_consumer consumer;
};

struct shm_udig_descs {
	struct shm_udig_ring_info info;
	struct shm_udig_status status;
};

_Static_assert(sizeof(struct shm_udig_ring_info) == 48, "udig ring info");
_Static_assert(sizeof(struct shm_udig_status) == 80, "udig status");
_Static_assert(sizeof(struct shm_udig_descs) == 128, "udig descriptors");

struct shm_udig;

struct shm_udig_stats {
	uint64_t n_written;   /* records written */
	uint64_t n_drops_buffer; /* dropped: the ring was full */
	uint64_t n_drops_pf;  /* dropped: tracee memory unreadable */
	uint64_t n_idle;      /* not written: no consumer, or it stopped the capture */
	uint64_t n_reset;     /* dropped: a consumer (re)started under our feet */
	uint64_t n_bad;       /* refused: not a valid event */
	uint64_t n_truncated; /* records whose data was cut to the snaplen */
};

/* Opens, or creates (owner-only, O_CLOEXEC), the two shm objects and maps
 * them. On failure err says why and what to do. */
int shm_udig_open(struct shm_udig **out, char *err, size_t errlen);
/* Unmaps; the names stay (the consumer may still be reading). */
void shm_udig_free(struct shm_udig *u);
/* Writes one event: 0; -ENOTCONN when no consumer is capturing (counted as
 * idle, not as a drop); -ENOBUFS when the ring is full (counted in the
 * shared n_drops_buffer the consumer reports); -EBADMSG for an invalid
 * record; -EMSGSIZE if it cannot fit the ring at all. No syscall. */
int shm_udig_write(struct shm_udig *u, const void *evt, uint32_t len);
/* Counts an event lost to unreadable tracee memory (n_drops_pf). */
void shm_udig_count_pf_drop(struct shm_udig *u);
/* 1 while a consumer is attached and capturing. */
int shm_udig_capturing(const struct shm_udig *u);
void shm_udig_stats(const struct shm_udig *u, struct shm_udig_stats *st);
/* The shared descriptors, for tests and diagnostics. */
struct shm_udig_descs *shm_udig_descs(struct shm_udig *u);

#endif
