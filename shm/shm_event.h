/*
 * The event format of the Falco/sysdig driver ("scap" events), byte for byte.
 *
 * A record is a packed 26-byte header, then one length per parameter (u16, or
 * u32 for events flagged SHM_EF_LARGE_PAYLOAD), then the values back to back.
 * Even type numbers are enter events, odd ones exit events. The table of
 * events and their parameters is generated from shm/events.in.
 *
 * Both sides link this: pdig encodes events in place with shm_enc_*, the
 * engine and the tools decode them with shm_evt_decode(), which validates
 * every length before anything is read, and read the values with the
 * inline getters below, by the generated names of shm_event_table.h
 * (shm_evt_s64(e, SHM_P_EXECVE_19_X_PID, -1)), which also has the driver's
 * flag values (SHM_PPM_O_CLOEXEC).
 */
#ifndef SHM_EVENT_H
#define SHM_EVENT_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "shm_event_table.h"

#define SHM_EVT_HDR_LEN 26u

/* The header as it lies in memory; read it with memcpy, it is unaligned. */
struct shm_evt_hdr {
	uint64_t ts;      /* nanoseconds since the epoch */
	uint64_t tid;     /* thread id, as the tracer sees it */
	uint32_t len;     /* whole record: header, lengths and values */
	uint16_t type;    /* enum shm_event_type */
	uint32_t nparams; /* the table's count for the type, plus extensions */
} __attribute__((packed));

_Static_assert(sizeof(struct shm_evt_hdr) == SHM_EVT_HDR_LEN, "packed event header");

/* Parameter types, formats, categories and flags: the driver's numbers. */
enum shm_param_type {
	SHM_PT_NONE = 0, SHM_PT_INT8 = 1, SHM_PT_INT16 = 2, SHM_PT_INT32 = 3,
	SHM_PT_INT64 = 4, SHM_PT_UINT8 = 5, SHM_PT_UINT16 = 6, SHM_PT_UINT32 = 7,
	SHM_PT_UINT64 = 8, SHM_PT_CHARBUF = 9, SHM_PT_BYTEBUF = 10, SHM_PT_ERRNO = 11,
	SHM_PT_SOCKADDR = 12, SHM_PT_SOCKTUPLE = 13, SHM_PT_FD = 14, SHM_PT_PID = 15,
	SHM_PT_FDLIST = 16, SHM_PT_FSPATH = 17, SHM_PT_SYSCALLID = 18,
	SHM_PT_SIGTYPE = 19, SHM_PT_RELTIME = 20, SHM_PT_ABSTIME = 21,
	SHM_PT_PORT = 22, SHM_PT_L4PROTO = 23, SHM_PT_SOCKFAMILY = 24,
	SHM_PT_BOOL = 25, SHM_PT_IPV4ADDR = 26, SHM_PT_DYN = 27, SHM_PT_FLAGS8 = 28,
	SHM_PT_FLAGS16 = 29, SHM_PT_FLAGS32 = 30, SHM_PT_UID = 31, SHM_PT_GID = 32,
	SHM_PT_DOUBLE = 33, SHM_PT_SIGSET = 34, SHM_PT_CHARBUFARRAY = 35,
	SHM_PT_CHARBUF_PAIR_ARRAY = 36, SHM_PT_IPV4NET = 37, SHM_PT_IPV6ADDR = 38,
	SHM_PT_IPV6NET = 39, SHM_PT_IPADDR = 40, SHM_PT_IPNET = 41, SHM_PT_MODE = 42,
	SHM_PT_FSRELPATH = 43, SHM_PT_MAX = 44
};

enum shm_print_format {
	SHM_PF_NA = 0, SHM_PF_DEC = 1, SHM_PF_HEX = 2, SHM_PF_10_PADDED_DEC = 3,
	SHM_PF_ID = 4, SHM_PF_DIR = 5, SHM_PF_OCT = 6
};

enum shm_event_category {
	SHM_EC_UNKNOWN = 0, SHM_EC_OTHER = 1, SHM_EC_FILE = 2, SHM_EC_NET = 3,
	SHM_EC_IPC = 4, SHM_EC_MEMORY = 5, SHM_EC_PROCESS = 6, SHM_EC_SLEEP = 7,
	SHM_EC_SYSTEM = 8, SHM_EC_SIGNAL = 9, SHM_EC_USER = 10, SHM_EC_TIME = 11,
	SHM_EC_PROCESSING = 12, SHM_EC_IO_READ = 32, SHM_EC_IO_WRITE = 33,
	SHM_EC_IO_OTHER = 34, SHM_EC_WAIT = 64, SHM_EC_SCHEDULER = 128,
	SHM_EC_INTERNAL = 256
};

enum shm_event_flags {
	SHM_EF_NONE = 0,
	SHM_EF_CREATES_FD = 1 << 0,
	SHM_EF_DESTROYS_FD = 1 << 1,
	SHM_EF_USES_FD = 1 << 2,
	SHM_EF_READS_FROM_FD = 1 << 3,
	SHM_EF_WRITES_TO_FD = 1 << 4,
	SHM_EF_MODIFIES_STATE = 1 << 5,
	SHM_EF_UNUSED = 1 << 6,
	SHM_EF_WAITS = 1 << 7,
	SHM_EF_SKIPPARSERESET = 1 << 8,
	SHM_EF_OLD_VERSION = 1 << 9,
	SHM_EF_DROP_SIMPLE_CONS = 1 << 10,
	SHM_EF_LARGE_PAYLOAD = 1 << 11
};

struct shm_name_value {
	const char *name; /* NULL ends a set */
	uint32_t value;
};

struct shm_param_info {
	const char *name;
	uint8_t type;  /* enum shm_param_type */
	uint8_t fmt;   /* enum shm_print_format */
	uint8_t ninfo; /* entries of a DYN parameter's variants */
	uint8_t dirfd; /* FSRELPATH: index of the parameter holding the dirfd */
	const void *info; /* FLAGS/MODE: shm_name_value set; DYN: shm_param_info[] */
};

struct shm_event_info {
	const char *name;
	uint16_t category; /* enum shm_event_category */
	uint16_t flags;    /* enum shm_event_flags */
	uint8_t nparams;
	const struct shm_param_info *params;
};

extern const struct shm_event_info shm_event_table[SHM_EVENT_MAX];

/* Size in bytes of a fixed-width parameter type, 0 for variable ones. */
uint32_t shm_param_type_size(enum shm_param_type type);
const char *shm_param_type_name(enum shm_param_type type);

static inline int shm_event_is_enter(uint16_t type) { return (type & 1) == 0; }

/* Bytes taken by one length word of an event type: 2, or 4 for large payloads. */
static inline uint32_t shm_event_lensize(uint16_t type)
{
	return type < SHM_EVENT_MAX &&
	       (shm_event_table[type].flags & SHM_EF_LARGE_PAYLOAD) ? 4u : 2u;
}

/*
 * Encoder: builds one record in a caller's buffer, without allocating.
 *
 *	struct shm_enc e;
 *	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_OPEN_X, ts, tid);
 *	shm_enc_s64(&e, fd); shm_enc_str(&e, path); ...
 *	int len = shm_enc_end(&e);   (record length, or a negative errno)
 *
 * Values are pushed in table order. The first failure (no room, a value of
 * the wrong size for its type, too many values) sticks and is returned by
 * shm_enc_end(); later pushes do nothing.
 */
struct shm_enc {
	uint8_t *buf;
	uint32_t cap;
	uint32_t pos;      /* where the next value goes */
	uint32_t nparams;  /* from the table */
	uint32_t next;     /* index of the next parameter */
	uint16_t type;
	uint8_t lensize;
	int err;           /* 0 or a negative errno */
};

int shm_enc_begin(struct shm_enc *e, void *buf, size_t cap, uint16_t type,
		  uint64_t ts, uint64_t tid);
/* Pushes the next value as raw bytes; len 0 marks it empty (not available). */
void shm_enc_param(struct shm_enc *e, const void *val, uint32_t len);
/* Strings go with their terminating NUL; NULL is pushed as an empty value. */
void shm_enc_str(struct shm_enc *e, const char *s);
/* At most max bytes of s, NUL-terminated in the record. */
void shm_enc_strn(struct shm_enc *e, const char *s, size_t max);
/* Reserves len bytes for the next value and returns where to write them
 * (NULL on failure): lets a tracer read tracee memory straight into place. */
uint8_t *shm_enc_reserve(struct shm_enc *e, uint32_t len);
/* Shrinks the value just reserved to len bytes (len <= reserved). */
void shm_enc_shrink_last(struct shm_enc *e, uint32_t len);
void shm_enc_u8(struct shm_enc *e, uint8_t v);
void shm_enc_u16(struct shm_enc *e, uint16_t v);
void shm_enc_u32(struct shm_enc *e, uint32_t v);
void shm_enc_u64(struct shm_enc *e, uint64_t v);
static inline void shm_enc_s64(struct shm_enc *e, int64_t v) { shm_enc_u64(e, (uint64_t)v); }
static inline void shm_enc_empty(struct shm_enc *e) { shm_enc_param(e, NULL, 0); }
/* Socket addresses in the driver's layouts: family byte, then addresses in
 * network order and ports in host order (addr4 is as in struct in_addr). */
void shm_enc_sockaddr_in(struct shm_enc *e, uint32_t addr4, uint16_t port);
void shm_enc_sockaddr_in6(struct shm_enc *e, const uint8_t addr6[16], uint16_t port);
void shm_enc_sockaddr_un(struct shm_enc *e, const char *path);
void shm_enc_socktuple_in(struct shm_enc *e, uint32_t saddr, uint16_t sport,
			  uint32_t daddr, uint16_t dport);
void shm_enc_socktuple_in6(struct shm_enc *e, const uint8_t saddr[16], uint16_t sport,
			   const uint8_t daddr[16], uint16_t dport);
void shm_enc_socktuple_un(struct shm_enc *e, uint64_t source, uint64_t dest,
			  const char *path);
/* Finishes the record: returns its length, or a negative errno. */
int shm_enc_end(struct shm_enc *e);

/*
 * Extensions: what pdig knows of a call beyond the 2022 format, as values
 * after the table's parameters. The header's nparams is the table's count
 * plus k (1 <= k <= SHM_EVT_MAX_EXT); each value has its length word after
 * the table's ones, like any parameter, and the values end the record.
 * sysdig 0.29.3 reads only the table's parameters of an event, whatever the
 * header says, so it prints such a record exactly as the same record
 * without them (test/pdig/ext_scap.py strips them to compare). Each value
 * starts with a tag byte:
 *
 *   SHM_EXT_USTACK  the user-space stack (pdig --stack): text, NUL-terminated
 *   SHM_EXT_ABI     u8: the ABI of a call not made through the x86_64 entry
 *                   (SHM_ABI_I386: int 0x80; SHM_ABI_X32); absent: x86_64
 *   SHM_EXT_MEMFD   memfd_create's exit (a generic event in the 2022 table):
 *                   s64 fd (or -errno), u32 flags (SHM_MFD_*), the name,
 *                   NUL-terminated (as current libs' memfd_create exit)
 *
 * A value whose first byte is printable (0x20 or more) is a stack written
 * before tags existed (pdig --stack wrote one untagged trailer): it reads as
 * SHM_EXT_USTACK. A tag this decoder does not know is kept (a newer pdig)
 * and ignored by the readers. Encoding: shm_enc_ext() after the last table
 * value, before shm_enc_end(); no event carries an extension unless pdig
 * had something to say (--stack, a 32-bit call, memfd_create).
 */
#define SHM_EVT_MAX_EXT 4u
enum shm_ext_tag { SHM_EXT_USTACK = 1, SHM_EXT_ABI = 2, SHM_EXT_MEMFD = 3, SHM_EXT_TAG_MAX = 0x1f };
enum shm_abi { SHM_ABI_X86_64 = 0, SHM_ABI_I386 = 1, SHM_ABI_X32 = 2 };
/* memfd_create's flags as current libs encode them (PPM_MFD_*) */
#define SHM_MFD_CLOEXEC 1u
#define SHM_MFD_ALLOW_SEALING 2u
#define SHM_MFD_HUGETLB 4u
#define SHM_EXT_MEMFD_MIN 14u /* tag, fd, flags, an empty name's NUL */

/* Appends extension tag with len bytes of val (a failure sticks, as for
 * the values: too many extensions, no room, a table value missing). */
void shm_enc_ext(struct shm_enc *e, uint8_t tag, const void *val, uint32_t len);
/* The stack as SHM_EXT_USTACK (NULL: nothing). */
void shm_enc_trailer_str(struct shm_enc *e, const char *s);

/*
 * Decoder: validates one record lying in avail bytes and indexes its values.
 * Nothing outside [buf, buf + avail) is read, whatever the record says.
 */
struct shm_evt {
	uint64_t ts;
	uint64_t tid;
	uint32_t len;
	uint16_t type;
	uint32_t nparams;
	const struct shm_event_info *info;
	const uint8_t *raw; /* the record itself */
	const uint8_t *val[SHM_MAX_EVENT_PARAMS];
	uint32_t vlen[SHM_MAX_EVENT_PARAMS];
	/* extensions (see above), in record order: each value whole (tag
	 * included, except an untagged old stack), its length and tag */
	uint32_t next;
	const uint8_t *ext[SHM_EVT_MAX_EXT];
	uint32_t ext_len[SHM_EVT_MAX_EXT];
	uint8_t ext_tag[SHM_EVT_MAX_EXT];
	/* the SHM_EXT_USTACK text (pdig --stack), NUL-terminated, or NULL */
	const char *ustack;
	uint32_t ustack_len;
};

/* 0, or a negative errno (-EBADMSG for a malformed record, -EAGAIN when avail
 * is too short for the length the header announces) with the reason in why. */
int shm_evt_decode(struct shm_evt *ev, const void *buf, size_t avail,
		   char *why, size_t whylen);
/* Reads just the header (for framing); -EBADMSG if avail < 26 or len < 26. */
int shm_evt_peek(const void *buf, size_t avail, struct shm_evt_hdr *hdr);

/* The header fields of ev, from a record's header h (type in range) and
 * the record itself. */
static inline void shm_evt_set_hdr(struct shm_evt *ev, const struct shm_evt_hdr *h,
				   const uint8_t *rec)
{
	ev->ts = h->ts;
	ev->tid = h->tid;
	ev->len = h->len;
	ev->type = h->type;
	ev->info = &shm_event_table[h->type];
	/* extensions are not the table's parameters */
	ev->nparams = h->nparams > ev->info->nparams ? ev->info->nparams : h->nparams;
	ev->raw = rec;
	ev->next = 0;
	ev->ustack = NULL;
	ev->ustack_len = 0;
}

/* Files extension value v of len bytes (already checked by the decoder)
 * into ev. */
static inline void shm_evt_add_ext(struct shm_evt *ev, const uint8_t *v, uint32_t len)
{
	uint8_t tag = len && v[0] > SHM_EXT_TAG_MAX ? SHM_EXT_USTACK : len ? v[0] : 0;
	uint32_t skip = len && v[0] > SHM_EXT_TAG_MAX ? 0 : 1;
	if (ev->next >= SHM_EVT_MAX_EXT)
		return;
	ev->ext[ev->next] = v;
	ev->ext_len[ev->next] = len;
	ev->ext_tag[ev->next] = tag;
	ev->next++;
	if (tag == SHM_EXT_USTACK && len > skip) {
		ev->ustack = (const char *)v + skip;
		ev->ustack_len = len - skip;
	}
}

/* The payload of ev's extension tag (after the tag byte) and its length in
 * *len, or NULL when ev has none. */
static inline const uint8_t *shm_evt_ext(const struct shm_evt *ev, uint8_t tag, uint32_t *len)
{
	for (uint32_t i = 0; i < ev->next; i++) {
		if (ev->ext_tag[i] != tag)
			continue;
		uint32_t skip = ev->ext[i][0] > SHM_EXT_TAG_MAX ? 0 : 1;
		*len = ev->ext_len[i] - skip;
		return ev->ext[i] + skip;
	}
	return NULL;
}

/* Length word i of a record, its length words lensize (2 or 4) bytes each
 * from lens on. */
static inline uint32_t shm_evt_len_word(const uint8_t *lens, uint32_t lensize, uint32_t i)
{
	uint32_t l;
	if (lensize == 2) {
		uint16_t s;
		memcpy(&s, lens + 2 * i, 2);
		l = s;
	} else {
		memcpy(&l, lens + 4 * i, 4);
	}
	return l;
}

/* The value pointers and lengths of a valid record p of n parameters with
 * lensize-byte lengths (for shm_evt_index, which makes lensize a constant). */
static inline void shm_evt_index_vals(struct shm_evt *ev, const uint8_t *p, uint32_t n,
				      uint32_t lensize)
{
	const uint8_t *lens = p + SHM_EVT_HDR_LEN;
	uint32_t off = SHM_EVT_HDR_LEN + lensize * n;
	for (uint32_t i = 0; i < ev->nparams; i++) {
		uint32_t l = shm_evt_len_word(lens, lensize, i);
		ev->val[i] = p + off;
		ev->vlen[i] = l;
		off += l;
	}
	for (uint32_t i = ev->nparams; i < n; i++) {
		uint32_t l = shm_evt_len_word(lens, lensize, i);
		shm_evt_add_ext(ev, p + off, l);
		off += l;
	}
}

/* Indexes a record that shm_evt_decode() accepted before (a kept copy of
 * it): the same lengths, so nothing is checked again. Inline: the engine
 * does it for every exit event's enter. */
static inline void shm_evt_index(struct shm_evt *ev, const void *rec)
{
	const uint8_t *p = rec;
	struct shm_evt_hdr h;
	memcpy(&h, p, SHM_EVT_HDR_LEN);
	shm_evt_set_hdr(ev, &h, p);
	/* one loop per length size, each without a test per parameter */
	if (shm_event_lensize(h.type) == 2)
		shm_evt_index_vals(ev, p, h.nparams, 2);
	else
		shm_evt_index_vals(ev, p, h.nparams, 4);
}

/*
 * Reading decoded values. Inline: the engine reads several per event. Index
 * i is a generated name (SHM_P_OPENAT_2_X_FD); an index the event does not
 * have reads as an empty value.
 */

/* Bytes of value i, 0 when empty or absent. */
static inline uint32_t shm_evt_len(const struct shm_evt *ev, unsigned i)
{
	return i < ev->nparams ? ev->vlen[i] : 0;
}

/* Value i zero-extended into *out: its width (1, 2, 4 or 8), 0 when empty or
 * absent, -1 for any other width (*out is then unchanged). */
static inline int shm_evt_word(const struct shm_evt *ev, unsigned i, uint64_t *out)
{
	if (i >= ev->nparams)
		return 0;
	const uint8_t *p = ev->val[i];
	switch (ev->vlen[i]) {
	case 0: return 0;
	case 1: *out = p[0]; return 1;
	case 2: { uint16_t v; memcpy(&v, p, 2); *out = v; return 2; }
	case 4: { uint32_t v; memcpy(&v, p, 4); *out = v; return 4; }
	case 8: memcpy(out, p, 8); return 8;
	default: return -1;
	}
}

/* Value i, or dflt when it is empty, absent or not a number. */
static inline uint64_t shm_evt_u64(const struct shm_evt *ev, unsigned i, uint64_t dflt)
{
	uint64_t v;
	return shm_evt_word(ev, i, &v) > 0 ? v : dflt;
}

/* v sign-extended from its width w (1, 2, 4 or 8 bytes). */
static inline int64_t shm_sign_extend(uint64_t v, int w)
{
	return w == 1 ? (int8_t)v : w == 2 ? (int16_t)v : w == 4 ? (int32_t)v : (int64_t)v;
}

/* The same, sign-extended from the value's width. */
static inline int64_t shm_evt_s64(const struct shm_evt *ev, unsigned i, int64_t dflt)
{
	uint64_t v;
	int w = shm_evt_word(ev, i, &v);
	return w > 0 ? shm_sign_extend(v, w) : dflt;
}

/* A string value, or NULL when empty or not NUL-terminated within its length. */
static inline const char *shm_evt_str(const struct shm_evt *ev, unsigned i)
{
	uint32_t n = shm_evt_len(ev, i);
	return n && memchr(ev->val[i], 0, n) ? (const char *)ev->val[i] : NULL;
}

/* The same with a status, where empty must be told from any value: 0,
 * -ENOENT when the value is empty or absent, -EINVAL when not a number. */
static inline int shm_evt_get_u64(const struct shm_evt *ev, unsigned i, uint64_t *out)
{
	int w = shm_evt_word(ev, i, out);
	return w > 0 ? 0 : w == 0 ? -ENOENT : -EINVAL;
}

static inline int shm_evt_get_s64(const struct shm_evt *ev, unsigned i, int64_t *out)
{
	uint64_t v;
	int w = shm_evt_word(ev, i, &v);
	if (w > 0)
		*out = shm_sign_extend(v, w);
	return w > 0 ? 0 : w == 0 ? -ENOENT : -EINVAL;
}

/* For code that reads several events with one event's SHM_P_ names: the
 * build fails if the other event lacks the same parameters (layout) or the
 * same parameter at the same place. a and b are short symbols (ACCEPT_X). */
#define SHM_SAME_LAYOUT(a, b) \
	_Static_assert(SHM_LAYOUT_##a == SHM_LAYOUT_##b, #a " is read as " #b)
#define SHM_SAME_PARAM(a, b) _Static_assert(SHM_P_##a == SHM_P_##b, #a " is read as " #b)

/* memfd_create's exit as current libs have it (fd, name, flags), from a
 * generic exit's SHM_EXT_MEMFD extension: 0 with *view indexing those three
 * values (view->info is shm_memfd_create_x_info, not a table entry;
 * view->type stays SHM_EV_GENERIC_X), or -ENOENT. */
int shm_evt_memfd_view(const struct shm_evt *ev, struct shm_evt *view);
extern const struct shm_event_info shm_memfd_create_x_info;
/* Index of the parameter named name in info's parameters, or -1. */
int shm_info_param_index(const struct shm_event_info *info, const char *name);

/* Index of the parameter named name in events of any type (code that knows
 * the type uses the SHM_P_ names), or -1. */
int shm_evt_param_index(uint16_t type, const char *name);

#endif
