/*
 * Capture files (.scap): the pcapng-like block format libscap reads and writes.
 *
 * A file is a sequence of blocks {u32 type, u32 total length, body padded to
 * 4 bytes, u32 total length again}, little-endian: a section header first,
 * then machine info, the process list (length-prefixed entries, one per
 * thread, with cwd so relative paths resolve), one fd list per thread, the
 * user/group list, the interface list, and event blocks (EV: u16 cpu id +
 * event; EVF: u16 cpu id + u32 flags + event; "large" variants for events
 * with 32-bit parameter lengths).
 *
 * The writer produces what Debian's sysdig 0.29.3 reads (byte for byte what
 * its `sysdig -r ours -w theirs` writes back); the reader takes what we write
 * and what sysdig writes (and older block versions), gzip-compressed or not.
 * The reader never trusts a length. Damaged framing or metadata stops it with
 * an error naming the byte offset and what was wrong; an event record that
 * fails validation or an unknown block is skipped with a warning naming the
 * offset, and counted (shm_scap_reader_skipped).
 *
 * The metadata block layouts are also available on memory, for the ring's
 * metadata records: shm_scap_block_* builds one block in a caller's buffer
 * (the file writer uses the same code), shm_scap_meta_parse() parses one
 * into a struct shm_scap_meta (the file reader uses the same parsers).
 *
 * Functions return 0 or a negative errno; the reader's and writer's last
 * error text is kept in the object (shm_scap_reader_error(), ...).
 */
#ifndef SHM_SCAP_H
#define SHM_SCAP_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "shm_event.h"

/* Block types (libscap's numbering). */
#define SHM_SCAP_SHB 0x0A0D0D0Au
#define SHM_SCAP_MI 0x201u
#define SHM_SCAP_PL_V9 0x215u
#define SHM_SCAP_FDL_V2 0x218u
#define SHM_SCAP_EV_V2 0x216u
#define SHM_SCAP_EVF_V2 0x217u
#define SHM_SCAP_EV_V2_LARGE 0x221u
#define SHM_SCAP_EVF_V2_LARGE 0x222u
#define SHM_SCAP_IL_V2 0x219u
#define SHM_SCAP_UL_V2 0x220u

/* Format facts (libscap of early 2022) the reader, the writer and tests share. */
#define SHM_SCAP_SHB_MAGIC 0x1A2B3C4Du
#define SHM_SCAP_VERSION_MAJOR 1
#define SHM_SCAP_VERSION_MINOR 2
#define SHM_SCAP_SHB_LEN 28u       /* the whole section header block */
#define SHM_SCAP_MI_LEN 180u       /* machine info body: packed scap_machine_info */
#define SHM_SCAP_HOSTNAME_LEN 128u
#define SHM_SCAP_UL_USER 0
#define SHM_SCAP_UL_GROUP 1
#define SHM_SCAP_II_IPV4 1
#define SHM_SCAP_II_IPV6 2
#define SHM_SCAP_II_IPV4_NOLINKSPEED 3
#define SHM_SCAP_II_IPV6_NOLINKSPEED 4
/* What sysdig 0.29.3's reader accepts; the writer cuts longer strings to fit
 * and counts them (shm_scap_writer_truncated). */
#define SHM_SCAP_MAX_PATH 1024u    /* comm, exe, exepath, cwd, root */
#define SHM_SCAP_MAX_ARGS 4096u    /* args, env, cgroups */
#define SHM_SCAP_MAX_FDNAME 1023u  /* fd and interface names */
#define SHM_SCAP_MAX_CRED 255u     /* user and group names, home, shell */
#define SHM_SCAP_READER_BUF 65536u /* body of a non-large event block */
/* Our own cap on any block, so a damaged length cannot make us allocate GiBs. */
#define SHM_SCAP_MAX_BLOCK (64u << 20)

/* Padding that brings n bytes to a multiple of 4. */
static inline uint32_t shm_scap_pad(uint64_t n) { return (uint32_t)(-n & 3u); }

/* fd types of the fd list (libscap's scap_fd_type). */
enum shm_scap_fd_type {
	SHM_SCAP_FD_UNKNOWN = 0, SHM_SCAP_FD_FILE = 1, SHM_SCAP_FD_DIRECTORY = 2,
	SHM_SCAP_FD_IPV4_SOCK = 3, SHM_SCAP_FD_IPV6_SOCK = 4,
	SHM_SCAP_FD_IPV4_SERVSOCK = 5, SHM_SCAP_FD_IPV6_SERVSOCK = 6,
	SHM_SCAP_FD_FIFO = 7, SHM_SCAP_FD_UNIX_SOCK = 8, SHM_SCAP_FD_EVENT = 9,
	SHM_SCAP_FD_UNSUPPORTED = 10, SHM_SCAP_FD_SIGNALFD = 11,
	SHM_SCAP_FD_EVENTPOLL = 12, SHM_SCAP_FD_INOTIFY = 13,
	SHM_SCAP_FD_TIMERFD = 14, SHM_SCAP_FD_NETLINK = 15, SHM_SCAP_FD_FILE_V2 = 16,
	/* later libs' number for a memfd_create() fd: the engine's own fds only
	 * (memfd_create's extension, shm_event.h); 0.29.3's files never have it */
	SHM_SCAP_FD_MEMFD = 20
};

struct shm_scap_machine {
	uint32_t num_cpus;
	uint64_t memory_size_bytes;
	uint64_t max_pid;
	const char *hostname; /* at most 127 bytes are kept */
};

/* One thread of the process list (PL_V9, in libscap's field order: tid ..
 * root, then loginuid and exe_writable as libscap of early 2022 appends them).
 * Strings are caller-owned when writing and reader-owned (valid until
 * shm_scap_reader_free) when reading; args/env/cgroups are counted buffers
 * of NUL-terminated strings, which the reader also NUL-terminates. Older
 * versions read default the missing fields (sid, vpgid, vtid, vpid,
 * loginuid: -1). */
struct shm_scap_proc {
	uint64_t tid, pid, ptid, sid, vpgid;
	const char *comm;    /* e.g. "bash" */
	const char *exe;     /* argv[0] */
	const char *exepath; /* full executable path */
	const char *args;    /* the arguments after argv[0], each NUL-terminated */
	uint32_t args_len;
	const char *env;     /* NAME=value strings, each NUL-terminated */
	uint32_t env_len;
	const char *cwd;
	const char *cgroups; /* "subsys=path" strings, each NUL-terminated */
	uint32_t cgroups_len;
	const char *root;
	int64_t fdlimit;
	uint32_t flags;
	uint32_t uid, gid;
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t pfmajor, pfminor;
	int64_t vtid, vpid;
	uint64_t clone_ts;   /* not in the 2022 format: neither written nor read */
	int32_t tty;         /* not in the 2022 format: neither written nor read */
	int32_t loginuid;    /* -1 when unknown */
	uint8_t exe_writable;
};

struct shm_scap_fd {
	int64_t fd;
	uint64_t ino;
	uint8_t type; /* enum shm_scap_fd_type */
	/* sockets: addresses in network order (IPv4 in sip[0]/dip[0]), ports host
	 * order; server (listening) sockets use sip/sport for the local end. */
	uint32_t sip[4], dip[4];
	uint16_t sport, dport;
	uint8_t l4proto;
	uint64_t source, dest; /* unix sockets: kernel endpoint ids */
	uint32_t open_flags;   /* FILE_V2: the PPM open flags */
	uint32_t dev;          /* FILE_V2: device of the file (major/minor) */
	const char *name;      /* path, unix socket name, or "" */
};

struct shm_scap_user {
	uint32_t uid, gid;
	const char *name, *homedir, *shell;
};

struct shm_scap_group {
	uint32_t gid;
	const char *name;
};

struct shm_scap_iface {
	int is_ipv6;
	uint16_t type; /* on disk: 1 IPv4, 2 IPv6 (3, 4: old, no link speed);
			* set by the reader, derived from is_ipv6 by the writer */
	uint32_t addr4, netmask4, bcast4;          /* network order */
	uint8_t addr6[16], netmask6[16], bcast6[16];
	uint64_t linkspeed;
	const char *ifname;
};

/* ---- writer ---- */
struct shm_scap_writer;

/* Creates path (mode 0600, truncated). */
int shm_scap_writer_new(struct shm_scap_writer **w, const char *path);
/* Writes to an already open descriptor, from its current position; the
 * writer does not close it. */
int shm_scap_writer_fdopen(struct shm_scap_writer **w, int fd);
const char *shm_scap_writer_error(const struct shm_scap_writer *w);
/* Strings cut so far to the limits above. */
uint64_t shm_scap_writer_truncated(const struct shm_scap_writer *w);
/* Metadata blocks must come before the first event. Any error sticks: later
 * calls return it, shm_scap_writer_error() says what happened. */
int shm_scap_write_machine(struct shm_scap_writer *w, const struct shm_scap_machine *mi);
int shm_scap_write_procs(struct shm_scap_writer *w, const struct shm_scap_proc *procs, size_t n);
/* tid must be in a process list written before (libscap refuses the file
 * otherwise). Types 1-16 only. */
int shm_scap_write_fds(struct shm_scap_writer *w, uint64_t tid, const struct shm_scap_fd *fds,
		       size_t n);
int shm_scap_write_users(struct shm_scap_writer *w, const struct shm_scap_user *users,
			 size_t nusers, const struct shm_scap_group *groups, size_t ngroups);
int shm_scap_write_ifaces(struct shm_scap_writer *w, const struct shm_scap_iface *ifs, size_t n);
/* One event record; only its framing is checked here (length, type), the
 * caller validated the parameters. flags are libscap's dump flags
 * (1 SCAP_DF_STATE_ONLY, 2 SCAP_DF_TRACER; sysdig -w drops state-only
 * events): 0 writes an EV block, else EVF. The _LARGE variant is chosen from
 * the event type (SHM_EF_LARGE_PAYLOAD); flag 4 (SCAP_DF_LARGE) is ignored.
 * Allocates nothing. -E2BIG for a non-large event over sysdig's 64 KiB. */
int shm_scap_write_event(struct shm_scap_writer *w, uint16_t cpuid, uint32_t flags,
			 const void *evt, uint32_t len);
int shm_scap_writer_flush(struct shm_scap_writer *w);
/* Flushes and closes; returns the first error the writer met, if any. */
int shm_scap_writer_free(struct shm_scap_writer *w);

/* ---- blocks in memory ----
 * The same block layouts, built in a caller's buffer with no allocation:
 * the file writer uses them, and the ring carries metadata blocks this way
 * (shm_ring.h). Add entries between begin and end; an entry that does not
 * fit returns -ENOSPC and leaves the block as it was, so the caller can end
 * the block, send it and begin another (lists may be split over several
 * blocks of the same type: readers add them up). */
struct shm_scap_block {
	uint8_t *buf;
	size_t cap;
	size_t len;         /* bytes so far, block header included */
	uint32_t type;      /* SHM_SCAP_MI, _PL_V9, _FDL_V2, _UL_V2 or _IL_V2 */
	uint32_t n;         /* entries added */
	uint64_t truncated; /* strings cut to the limits above */
	int err;            /* internal: the entry being added overflowed */
};

/* Room for the block header and trailer (an empty block). */
#define SHM_SCAP_BLOCK_MIN 12u
/* Begins a block of type in buf; -ENOSPC if even an empty one does not fit,
 * -EINVAL for a type that is not a metadata block (FDL_V2: use _begin_fds). */
int shm_scap_block_begin(struct shm_scap_block *b, void *buf, size_t cap, uint32_t type);
/* Begins the FDL_V2 block of one thread. */
int shm_scap_block_begin_fds(struct shm_scap_block *b, void *buf, size_t cap, uint64_t tid);
/* Each: 0, -ENOSPC (the block is unchanged), or -EINVAL (wrong block type;
 * an fd type the format cannot hold). */
int shm_scap_block_machine(struct shm_scap_block *b, const struct shm_scap_machine *mi);
int shm_scap_block_add_proc(struct shm_scap_block *b, const struct shm_scap_proc *p);
int shm_scap_block_add_fd(struct shm_scap_block *b, const struct shm_scap_fd *f);
int shm_scap_block_add_user(struct shm_scap_block *b, const struct shm_scap_user *u);
int shm_scap_block_add_group(struct shm_scap_block *b, const struct shm_scap_group *g);
/* Interface lists hold every IPv4 entry first, then the IPv6 ones. */
int shm_scap_block_add_iface(struct shm_scap_block *b, const struct shm_scap_iface *f);
/* Pads, writes the trailer and the length: the block's total length (0
 * for a block whose begin failed). */
size_t shm_scap_block_end(struct shm_scap_block *b);

/* ---- reader ---- */
struct shm_scap_reader;

struct shm_scap_item {
	enum { SHM_SCAP_ITEM_EVENT = 1 } kind;
	uint64_t offset;      /* of the block in the (uncompressed) file */
	uint16_t cpuid;
	uint32_t flags;
	struct shm_evt evt;   /* decoded and validated; valid until the next call */
};

/* Opens path (plain or gzip). Reads the section header and every metadata
 * block up to the first event block. On failure *r is NULL and err holds
 * the reason. Warnings go to stderr. */
int shm_scap_reader_new(struct shm_scap_reader **r, const char *path, char *err,
			size_t errlen);
/* The same, with warnings about skipped blocks going to `warnings` (NULL:
 * none), from the first block on. */
int shm_scap_reader_open(struct shm_scap_reader **r, const char *path, FILE *warnings,
			 char *err, size_t errlen);
/* Next event: 1 with *item filled, 0 at the end of the file, or a negative
 * errno with the reason (offset and what was wrong) in shm_scap_reader_error.
 * Metadata blocks met between events are absorbed into the tables below
 * (which may move the arrays: fetch them again after such a call). */
int shm_scap_reader_next(struct shm_scap_reader *r, struct shm_scap_item *item);
/* The same, decoding the event into the caller's *evt (e.g. a member of a
 * larger struct: nothing is copied) with its cpu id and dump flags (0 for
 * EV blocks). The values point into the reader's buffer: valid until the
 * next call. */
int shm_scap_reader_next_evt(struct shm_scap_reader *r, struct shm_evt *evt, uint16_t *cpuid,
			     uint32_t *flags);
/* The offset of the block the last event came from. */
uint64_t shm_scap_reader_offset(const struct shm_scap_reader *r);
const char *shm_scap_reader_error(const struct shm_scap_reader *r);
/* Problems skipped so far (unknown blocks, records that fail validation). */
uint64_t shm_scap_reader_skipped(const struct shm_scap_reader *r);
/* Of those, the event blocks whose event could not be read (damaged, or of
 * a layout the reader does not know). */
uint64_t shm_scap_reader_skipped_events(const struct shm_scap_reader *r);
/* Where later warnings go (NULL: none). */
void shm_scap_reader_set_warnings(struct shm_scap_reader *r, FILE *out);

/* NULL when the file has no machine info block. */
const struct shm_scap_machine *shm_scap_reader_machine(const struct shm_scap_reader *r);
size_t shm_scap_reader_procs(const struct shm_scap_reader *r, const struct shm_scap_proc **procs);
/* fds of the process list, for one tid; returns the count. */
size_t shm_scap_reader_fds(const struct shm_scap_reader *r, uint64_t tid,
			   const struct shm_scap_fd **fds);
size_t shm_scap_reader_users(const struct shm_scap_reader *r, const struct shm_scap_user **users);
size_t shm_scap_reader_groups(const struct shm_scap_reader *r, const struct shm_scap_group **groups);
size_t shm_scap_reader_ifaces(const struct shm_scap_reader *r, const struct shm_scap_iface **ifs);
void shm_scap_reader_free(struct shm_scap_reader *r);

/* ---- metadata tables ----
 * What metadata blocks say (machine info, processes, fd lists, users,
 * groups, interfaces), parsed by the reader's own code from a block in
 * memory: the ring's metadata records (shm_ring.h). Strings belong to the
 * object until it is cleared or freed. */
struct shm_scap_meta;

int shm_scap_meta_new(struct shm_scap_meta **m);
void shm_scap_meta_free(struct shm_scap_meta *m);
/* Empties the tables (keeps some memory for the next blocks; the skipped
 * count stays). */
void shm_scap_meta_clear(struct shm_scap_meta *m);
/* Parses one whole block of exactly len bytes (header, body, trailer) and
 * adds what it holds to m. No length is trusted. 0; -EBADMSG (damaged: err
 * says what and at which byte offset of buf), -ENOTSUP (not a metadata
 * block: a section header, an event, an unknown type), -ENOMEM. A block
 * that fails adds nothing. Entries of FDL_V2 with an fd type we do not know
 * are skipped and counted (shm_scap_meta_skipped). */
int shm_scap_meta_parse(struct shm_scap_meta *m, const void *buf, size_t len, char *err,
			size_t errlen);
uint64_t shm_scap_meta_skipped(const struct shm_scap_meta *m);
const struct shm_scap_machine *shm_scap_meta_machine(const struct shm_scap_meta *m);
size_t shm_scap_meta_procs(const struct shm_scap_meta *m, const struct shm_scap_proc **procs);
size_t shm_scap_meta_fds(const struct shm_scap_meta *m, uint64_t tid,
			 const struct shm_scap_fd **fds);
/* The fd lists one by one: i from 0 to nfdsets - 1; returns the count. */
size_t shm_scap_meta_nfdsets(const struct shm_scap_meta *m);
size_t shm_scap_meta_fdset(const struct shm_scap_meta *m, size_t i, uint64_t *tid,
			   const struct shm_scap_fd **fds);
size_t shm_scap_meta_users(const struct shm_scap_meta *m, const struct shm_scap_user **users);
size_t shm_scap_meta_groups(const struct shm_scap_meta *m, const struct shm_scap_group **groups);
size_t shm_scap_meta_ifaces(const struct shm_scap_meta *m, const struct shm_scap_iface **ifs);
/* The reader's tables, as the accessors above see them. */
const struct shm_scap_meta *shm_scap_reader_meta(const struct shm_scap_reader *r);

#endif
