/*
 * What shm/scap_read.c, scap_read_evt.c and scap_meta.c share: the reader
 * object, the metadata tables, the old block numbers libscap still reads.
 * Not an API: nothing outside those files includes it (the API is
 * shm_scap.h).
 */
#ifndef SHM_SCAP_IMPL_H
#define SHM_SCAP_IMPL_H

#include <stdarg.h>
#include <stdio.h>
#include <zlib.h>

#include "shm_scap.h"

/* Older block numbers libscap still reads (scap_savefile.h). */
#define BT_MI_INT 0x8002ABCDu
#define BT_PL_V1 0x202u
#define BT_PL_V1_INT 0x8000ABCDu
#define BT_PL_V2 0x207u
#define BT_PL_V2_INT 0x8013ABCDu
#define BT_PL_V3 0x209u
#define BT_PL_V3_INT 0x8014ABCDu
#define BT_PL_V4 0x210u
#define BT_PL_V5 0x211u
#define BT_PL_V6 0x212u
#define BT_PL_V7 0x213u
#define BT_PL_V8 0x214u
#define BT_FDL_V1 0x203u
#define BT_FDL_V1_INT 0x8001ABCDu
#define BT_EV_V1 0x204u
#define BT_EV_V1_INT 0x8010ABCDu
#define BT_EVF_V1 0x208u
#define BT_IL_V1 0x205u
#define BT_IL_V1_INT 0x8011ABCDu
#define BT_UL_V1 0x206u
#define BT_UL_V1_INT 0x8012ABCDu

/* Strings the tables point to, in chunks freed together. */
struct shm_scap_arena {
	struct shm_scap_arena *next;
	size_t used, cap;
	char data[];
};

/* One thread's fds. */
struct shm_scap_fdset {
	uint64_t tid;
	struct shm_scap_fd *fds;
	size_t n, cap;
};

/* The metadata tables (shm_scap.h), filled by scap_meta.c's block parsers. */
struct shm_scap_meta {
	struct shm_scap_machine mi;
	int have_mi;
	char hostname[SHM_SCAP_HOSTNAME_LEN];
	struct shm_scap_proc *procs;
	size_t nprocs, capprocs;
	struct shm_scap_fdset *fdsets;
	size_t nfdsets, capfdsets;
	size_t hwfdsets;     /* fdsets ever set up: their fds arrays are reused */
	struct shm_scap_user *users;
	size_t nusers, capusers;
	struct shm_scap_group *groups;
	size_t ngroups, capgroups;
	struct shm_scap_iface *ifaces;
	size_t nifaces, capifaces;
	struct shm_scap_arena *arena;
	uint64_t skipped;
};

/* One block being parsed: where it is (for messages), where errors and
 * warnings go. Shared by the file reader and shm_scap_meta_parse(). */
struct shm_scap_pctx {
	struct shm_scap_meta *m;
	uint32_t btype;
	uint64_t boff;       /* of the block, in the file or the buffer */
	char *err;
	size_t errlen;
	FILE *warn;
	uint64_t *skipped;
};

/* A capture being read (scap_read.c, scap_read_evt.c). */
struct shm_scap_reader {
	gzFile gz;
	int direct;          /* not compressed: the file size bounds every length */
	uint64_t fsize;
	/* Data is read in large chunks into buf and blocks are parsed where
	 * they lie: buf[pos..end) is read and not yet consumed, buf[0] is at
	 * offset bufoff of the (uncompressed) file. */
	uint8_t *buf;
	size_t bufcap, pos, end;
	uint64_t bufoff;
	int eof;             /* the last read returned nothing more */
	int nomem;           /* the buffer could not grow */
	/* the current block: its body and trailer, inside buf */
	const uint8_t *body;
	uint32_t btype, blen;
	uint64_t boff;
	int pending;         /* body holds an event block not yet returned */
	int state;           /* 0 reading, 1 at the end, <0 the fatal error */
	FILE *warn;
	uint64_t skipped;
	uint64_t nevents;    /* events returned: said when the file ends early */
	uint64_t evskipped;  /* event blocks that could not be read */
	uint8_t *cvt;        /* an old-format event in the current layout */
	size_t cvtcap;
	char err[400];

	struct shm_scap_meta meta;
};

/* scap_meta.c: the metadata tables and the parsers that fill them */

/* What a block type is, for messages ("process list", "unknown"...). */
const char *shm_scap_btype_name(uint32_t t);
/* Parses a metadata block body (blen - 12 bytes at body) into x->m: 0, a
 * negative errno (the reason in x->err), or 1 when the type is not a
 * metadata block we know. */
int shm_scap_parse_body(struct shm_scap_pctx *x, const uint8_t *body, size_t blen);
/* Frees what the tables hold; leaves m zeroed. */
void shm_scap_meta_release(struct shm_scap_meta *m);
/* Counts something skipped and says what, on out when there is one. */
void shm_scap_vwarn(FILE *out, uint64_t *skipped, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* scap_read.c: the reader's blocks (scap_read_evt.c takes the events) */

/* Counts something skipped and says why on the reader's warning stream. */
void shm_scap_rd_warn(struct shm_scap_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Reads the next block into r->body: 1, 0 at a clean end, or a negative
 * errno. The first block of a file must be a section header. */
int shm_scap_rd_block(struct shm_scap_reader *r, int first);
/* Takes the metadata block in r->body into the tables: 0 or the fatal error. */
int shm_scap_rd_absorb(struct shm_scap_reader *r);

/* scap_read_old.c: events of older formats */

/* Decodes a record with fewer parameters than the table has for its type
 * (an older version of the event): 0, or -EBADMSG with the reason in why. */
int shm_scap_decode_short(struct shm_evt *ev, const uint8_t *p, size_t avail, char *why,
			  size_t whylen);
/* Takes the old-format (no parameter count) event of the block in r->body,
 * after pre bytes of cpu id and flags: 1, or 0 if skipped (said and counted). */
int shm_scap_take_v1(struct shm_scap_reader *r, struct shm_evt *evt, size_t pre);

static inline int shm_scap_is_event_block(uint32_t t)
{
	switch (t) {
	case SHM_SCAP_EV_V2: case SHM_SCAP_EVF_V2: case SHM_SCAP_EV_V2_LARGE:
	case SHM_SCAP_EVF_V2_LARGE: case BT_EV_V1: case BT_EV_V1_INT: case BT_EVF_V1:
		return 1;
	default:
		return 0;
	}
}

#endif
