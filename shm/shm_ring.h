/*
 * The shared-memory ring between pdig (producers) and pdig-engine (consumer).
 *
 * A region is a header page and one or more slots; a slot is one
 * single-producer/single-consumer ring owned by one pdig process, like the
 * kernel driver's per-CPU buffers. The consumer reads every slot of every
 * region it was given and hands out events merged by timestamp. The protocol
 * (ownership, memory ordering, framing, wrap-around, liveness) is described
 * in shm/README.md; this header is the API. Besides events, a producer puts
 * metadata records (capture-format blocks: its tracer's snapshot of
 * processes, fds and users) in its slot, in order with its events.
 *
 * Regions come from a name (POSIX shm, created 0600, O_CLOEXEC) or from a
 * memfd sealed against shrinking, handed to the engine over a unix socket so
 * that it has no name at all. Functions return 0 or a negative errno; the
 * text of the last error is kept in the object (shm_ring_prod_error(), ...).
 */
#ifndef SHM_RING_H
#define SHM_RING_H

#include <stddef.h>
#include <stdint.h>

#include "shm_event.h"
#include "shm_scap.h"

#define SHM_RING_MAGIC 0x474e495247494450ull /* "PDIGRING" little-endian */
#define SHM_RING_ABI_VERSION 2u            /* 2: metadata records */
#define SHM_RING_ENV "PDIG_RING"             /* the name when --ring is not given */
#define SHM_RING_DEFAULT_NAME "/pdig-ring"
#define SHM_RING_DEFAULT_DATA (4u << 20)     /* bytes of ring per producer */
#define SHM_RING_DEFAULT_SLOTS 8u
#define SHM_RING_MAX_SLOTS 256u
#define SHM_RING_MAX_REGIONS 64u             /* regions one consumer reads */
#define SHM_RING_FRAME 8u                    /* framing word before each record */

/* Policies for a full ring. */
enum shm_ring_policy {
	SHM_RING_LOSSY = 0,   /* never block the tracee: drop and count */
	SHM_RING_LOSSLESS = 1 /* wait for room (bounded), then drop and count */
};

/* Shape of a region, fixed by whoever creates it. */
struct shm_ring_params {
	uint32_t nslots;     /* producers it can hold (1 for a private memfd) */
	uint32_t data_size;  /* ring bytes per slot: a power of two >= 64 KiB */
	uint32_t max_record; /* longest record accepted; 0: data_size / 4 */
};

/* Counters of one producer slot, as the shared header holds them. */
struct shm_ring_slot_stats {
	uint32_t pid;           /* 0: slot free */
	uint32_t generation;    /* bumped each time the slot is claimed */
	uint64_t n_evts;        /* events committed */
	uint64_t n_meta;        /* metadata records committed */
	uint64_t n_drops_full;  /* dropped: ring full (lossy, or no consumer) */
	uint64_t n_drops_wait;  /* dropped: lossless wait gave up (consumer stuck or dead) */
	uint64_t n_drops_pf;    /* dropped: tracee memory unreadable */
	uint64_t n_waits;       /* lossless waits for room */
	uint64_t n_wakeups;     /* futex wake-ups of a sleeping consumer */
	uint64_t used;          /* bytes written, not yet consumed */
};

/* Opening flags. */
#define SHM_RING_CREATE 1u /* create the name if it does not exist */
#define SHM_RING_EXCL 2u   /* fail with -EEXIST if it does */

/* --- Producer (pdig) --------------------------------------------------- */

struct shm_ring_prod;

struct shm_ring_prod_opts {
	enum shm_ring_policy policy;
	uint32_t wait_ms;      /* lossless: longest wait for room; 0: 1000 */
	struct shm_ring_params params; /* used when the region is created; zeros: defaults */
	char *err;             /* if set, why an open failed (else it goes to stderr) */
	size_t errlen;
};

/* Opens (SHM_RING_CREATE: or creates) the named region and claims a free
 * slot, or one whose owner died. name NULL: $PDIG_RING, then the default. */
int shm_ring_prod_open(struct shm_ring_prod **out, const char *name, unsigned flags,
		       const struct shm_ring_prod_opts *opts);
/* Creates a private one-slot region in a memfd sealed against shrinking and
 * growing; hand it to the engine with shm_ring_prod_connect() or
 * shm_ring_send_fd(shm_ring_prod_fd(p)). */
int shm_ring_prod_open_memfd(struct shm_ring_prod **out, const struct shm_ring_prod_opts *opts);
/* Claims a slot in a region received as a file descriptor (duplicated). */
int shm_ring_prod_open_fd(struct shm_ring_prod **out, int fd, const struct shm_ring_prod_opts *opts);
/* Releases the slot. A named region's name is removed when this was its last
 * producer, no consumer is attached and nothing is left unread. */
void shm_ring_prod_free(struct shm_ring_prod *p);

/* Space for one record of at most len bytes, or NULL when it is dropped (the
 * drop is counted; *err says why: -ENOBUFS full, -ETIMEDOUT lossless wait
 * gave up, -EMSGSIZE longer than the region's max_record). No syscall unless
 * the ring is full in lossless mode. */
void *shm_ring_reserve(struct shm_ring_prod *p, uint32_t len, int *err);
/* Publishes the record just reserved; len <= the reserved length and must be
 * the record's own length field. A reservation not committed (the encoding
 * failed) is simply reused by the next one. */
void shm_ring_commit(struct shm_ring_prod *p, uint32_t len);
/* reserve + memcpy + commit: 0, or the negative errno of reserve. */
int shm_ring_write(struct shm_ring_prod *p, const void *evt, uint32_t len);
/* A metadata record: one capture-format block (shm_scap.h: MI, PL_V9,
 * FDL_V2, UL_V2 or IL_V2, built with shm_scap_block_*), in order with the
 * events of this producer: the consumer hands it out before the events
 * committed after it. For state (a snapshot of processes, fds, users), so
 * a producer may send one at any time, e.g. after it attached late. 0, or
 * the negative errno of reserve (dropped and counted like an event);
 * -EINVAL when block is not a block of len bytes (nothing is written).
 * Blocks longer than shm_ring_prod_max_record() must be split. */
int shm_ring_write_meta(struct shm_ring_prod *p, const void *block, uint32_t len);
/* Counts an event lost because the tracee's memory could not be read. */
void shm_ring_count_pf_drop(struct shm_ring_prod *p);
/* Wakes a sleeping consumer if anything was written since the last wake-up;
 * call it when the tracee goes idle so the last events are not delayed. */
void shm_ring_prod_flush(struct shm_ring_prod *p);
/* 1 when a live consumer is attached, else 0. Looks the consumer up in
 * /proc: for status messages, not for every event. */
int shm_ring_prod_consumer_attached(const struct shm_ring_prod *p);
/* The consumer generation (shm_ring_hdr.consumer_gen): changes each time a
 * consumer attaches, e.g. an engine restarted. One load from shared memory:
 * cheap enough to check before every record. */
uint32_t shm_ring_prod_consumer_gen(const struct shm_ring_prod *p);
void shm_ring_prod_stats(const struct shm_ring_prod *p, struct shm_ring_slot_stats *st);
/* The longest record the region takes (reserve at most this much). */
uint32_t shm_ring_prod_max_record(const struct shm_ring_prod *p);
int shm_ring_prod_fd(const struct shm_ring_prod *p);
unsigned shm_ring_prod_slot(const struct shm_ring_prod *p);
const char *shm_ring_prod_error(const struct shm_ring_prod *p);
/* Connects to an engine's unix socket and sends the region's descriptor. */
int shm_ring_prod_connect(struct shm_ring_prod *p, const char *sock_path);

/* --- Consumer (engine) ------------------------------------------------- */

struct shm_ring_cons;

struct shm_ring_cons_opts {
	uint32_t max_sleep_us; /* longest idle sleep; 0: 10000 */
	/* First sleep after events were read; 0: 1000. Short sleeps while
	 * events stream in cost a context switch each on the tracer's CPU. */
	uint32_t min_sleep_us;
	int force;             /* take over from a live consumer */
};

int shm_ring_cons_new(struct shm_ring_cons **out, const struct shm_ring_cons_opts *opts);
/* Publishes every tail and detaches: producers keep running and count what
 * they drop until an engine attaches again and carries on from the tails.
 * A named region with no live producer and nothing unread loses its name. */
void shm_ring_cons_free(struct shm_ring_cons *c);
/* Attaches a named region (SHM_RING_CREATE: create it, with params or
 * defaults, when absent). -EBUSY if another live consumer reads it. */
int shm_ring_cons_add_name(struct shm_ring_cons *c, const char *name, unsigned flags,
			   const struct shm_ring_params *params);
/* Attaches a region received as a descriptor; takes ownership of fd. A
 * descriptor that is not a memfd sealed against shrinking is refused
 * (-EPERM): its producer could make the engine die of SIGBUS. */
int shm_ring_cons_add_fd(struct shm_ring_cons *c, int fd);
/* Where the last event came from. Region numbers change when a finished
 * descriptor region is let go (every producer gone, everything read). */
struct shm_ring_src {
	unsigned region, slot;
	uint32_t pid, generation;
};
/* A record handed out by shm_ring_cons_next_rec(). */
enum shm_ring_rec_kind { SHM_RING_REC_EVENT = 1, SHM_RING_REC_META = 2 };
struct shm_ring_rec {
	enum shm_ring_rec_kind kind;
	struct shm_evt *evt;       /* set by the caller: where an EVENT is decoded
				    * (validated), so events are not copied again */
	const void *block;         /* META: the capture-format block ... */
	uint32_t block_len;
	const struct shm_scap_meta *meta; /* ... and what it holds, parsed */
};
/* The next record (rec->evt must point at the caller's event): events the
 * oldest timestamp first among what is
 * available; a metadata record as soon as it is the next record of its
 * producer (it comes before that producer's later events, whatever their
 * timestamps). Everything points into private copies valid until the next
 * call. A metadata block that fails to parse is corruption: counted
 * (n_corrupt) and skipped. Waits up to timeout_ms (-1: forever, 0: poll);
 * -EAGAIN when nothing came. */
int shm_ring_cons_next_rec(struct shm_ring_cons *c, struct shm_ring_rec *rec,
			   struct shm_ring_src *src, int timeout_ms);
/* The next event, as shm_ring_cons_next_rec() without metadata records:
 * those are passed over and counted (n_meta_ignored); each one passed over
 * starts the timeout again. */
int shm_ring_cons_next(struct shm_ring_cons *c, struct shm_evt *ev, struct shm_ring_src *src,
		       int timeout_ms);
/* Consumer-side counters, all regions together. */
struct shm_ring_cons_stats {
	uint64_t n_read;       /* events handed out */
	uint64_t n_corrupt;    /* bad records or frames found */
	uint64_t n_skipped;    /* bytes skipped to resynchronise */
	uint64_t n_sleeps;     /* idle sleeps */
	uint64_t n_head_loads; /* reads of a producer's head: events per load = batching */
	uint64_t n_drops;      /* sum of every producer's drop counters */
	uint64_t n_evts;       /* sum of every producer's committed records */
	uint64_t n_restarts;   /* producer slots seen claimed again */
	uint64_t n_regions_dropped; /* descriptor regions let go: producers gone, all read */
	uint64_t n_meta;       /* metadata records handed out */
	uint64_t n_meta_ignored; /* metadata records passed over by shm_ring_cons_next */
};
void shm_ring_cons_stats(const struct shm_ring_cons *c, struct shm_ring_cons_stats *st);
unsigned shm_ring_cons_nregions(const struct shm_ring_cons *c);
unsigned shm_ring_cons_nslots(const struct shm_ring_cons *c, unsigned region);
/* -ENOENT past the last slot. */
int shm_ring_cons_slot_stats(const struct shm_ring_cons *c, unsigned region, unsigned slot,
			     struct shm_ring_slot_stats *st);
/* The counters of producers whose region the consumer has let go (regions
 * handed over a socket, released once their producers are gone and all is
 * read): i from 0, -ENOENT past the last. pid is 0; generation 0 marks the
 * last entry when it sums the producers beyond SHM_RING_RETIRED_MAX. The
 * totals of shm_ring_cons_stats() include them. */
#define SHM_RING_RETIRED_MAX 64
int shm_ring_cons_retired_stats(const struct shm_ring_cons *c, unsigned i,
				struct shm_ring_slot_stats *st);
const char *shm_ring_cons_error(const struct shm_ring_cons *c);

/* --- Handing regions over a unix socket -------------------------------- */

/* A listening SOCK_STREAM socket at path (replaced if stale), 0600. */
int shm_ring_listen(const char *path);
/* Accepts one producer and attaches the descriptor it sends; non-blocking
 * listening sockets give -EAGAIN when nobody is waiting. */
int shm_ring_cons_accept(struct shm_ring_cons *c, int listen_fd);
int shm_ring_send_fd(int sock, int fd);
/* The descriptor received (O_CLOEXEC), or a negative errno. */
int shm_ring_recv_fd(int sock);

/* --- Utilities shared with tests and bench ----------------------------- */

/* Start time of a process in clock ticks since boot (/proc/PID/stat field
 * 22), 0 if it does not exist: with the pid it identifies a process. */
uint64_t shm_ring_proc_start(uint32_t pid);
/* Region bytes for params (after defaults), 0 if params are invalid. */
size_t shm_ring_region_size(const struct shm_ring_params *params);

/* --- Layout of a region (the ABI; see shm/README.md) ------------------- */

/* Offset 0, one page. Written once by the creator, magic last. */
struct shm_ring_hdr {
	uint64_t magic;        /* SHM_RING_MAGIC once initialised */
	uint32_t abi_version;  /* SHM_RING_ABI_VERSION */
	uint32_t hdr_size;     /* offset of slot 0 */
	uint32_t nslots;
	uint32_t slot_size;    /* SHM_RING_SLOT_CTL + data_size */
	uint32_t data_size;
	uint32_t max_record;
	uint64_t region_size;
	/* Bumped by every consumer that attaches (0 in regions no consumer of
	 * this version attached to): a producer that sees it change knows the
	 * new consumer lacks the state sent before. Was padding: ABI 2 still. */
	uint32_t consumer_gen;
	uint8_t pad0[20];
	/* Consumer liveness, written by the consumer (64-byte line). */
	uint64_t consumer;       /* pid, 0 when none */
	uint64_t consumer_start; /* its start time (shm_ring_proc_start) */
	uint64_t consumer_beat;  /* CLOCK_MONOTONIC ns of its last idle sleep (diagnostics) */
	uint32_t sleeping;       /* 1 while it sleeps on the futex word below */
	uint32_t wake;           /* futex word: producers bump it to wake it */
	uint8_t pad1[32];
};

#define SHM_RING_HDR_SIZE 4096u
#define SHM_RING_SLOT_CTL 256u

/* Start of each slot: registry, producer line, consumer line. */
struct shm_ring_slot_ctl {
	/* Registry: written when the slot is claimed. */
	uint64_t owner;       /* generation << 32 | pid; pid 0: free */
	uint64_t owner_start; /* the owner's start time, 0 while claiming */
	uint32_t policy;      /* enum shm_ring_policy of the owner */
	uint8_t pad0[44];
	/* Producer-owned. */
	uint64_t head;        /* bytes ever written (position of the next frame) */
	uint64_t n_evts, n_drops_full, n_drops_wait, n_drops_pf, n_waits, n_wakeups;
	uint64_t n_meta;      /* metadata records (n_evts counts events only) */
	/* Consumer-owned. */
	uint64_t tail;        /* bytes ever consumed */
	uint8_t pad2[120];
};

/* Framing word before each record, at an 8-byte aligned position. */
#define SHM_RING_F_COMMIT 0x80000000u /* the record is complete */
#define SHM_RING_F_PAD 0x40000000u    /* filler to the end of the ring */
#define SHM_RING_F_META 0x20000000u   /* a metadata record: one capture-format block */
#define SHM_RING_F_LEN 0x00ffffffu    /* record length (without the frame) */
/* The second word is the lap, (uint32_t)(position / data_size): bytes left
 * from an earlier lap never pass for a new record. */

_Static_assert(sizeof(struct shm_ring_hdr) == 128, "ring header layout");
_Static_assert(sizeof(struct shm_ring_slot_ctl) == SHM_RING_SLOT_CTL, "slot layout");

#endif
