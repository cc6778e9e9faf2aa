/*
 * The field library: evt.*, proc.*, thread.*, fd.*, user.*, group.*,
 * container.id, with sysdig 0.29.3's names, types and semantics.
 *
 * A field is resolved once (eng_field_resolve) into a struct eng_fieldref;
 * extraction then does no allocation: numbers come back as numbers and
 * strings point into the state, the event or the ref's own buffer.
 * A field the engine cannot know for an event is "not available" (-ENOENT):
 * shown as <NA>, false in every comparison but "not exists".
 */
#ifndef ENG_FIELDS_H
#define ENG_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "eng_state.h"

enum eng_ftype {
	ENG_FT_STR = 1,
	ENG_FT_INT64,
	ENG_FT_UINT64,
	ENG_FT_UINT32,
	ENG_FT_BOOL,
	ENG_FT_IPADDR, /* IPv4 or IPv6 address */
	ENG_FT_PORT,
	ENG_FT_ABSTIME,
	ENG_FT_RELTIME,
	ENG_FT_DYN,    /* evt.rawarg: the parameter's own type */
	ENG_FT_BYTEBUF, /* raw bytes (evt.buffer): len counts them, s may hold NULs */
};

enum eng_field_flags {
	ENG_FF_ARG_NAME = 1 << 0,   /* evt.arg.NAME */
	ENG_FF_ARG_INDEX = 1 << 1,  /* field[N] */
	ENG_FF_ARG_REQUIRED = 1 << 2,
	ENG_FF_FILTER_ONLY = 1 << 3,
	ENG_FF_TWO_SIDED = 1 << 4,  /* fd.ip, fd.port, fd.net: either end matches */
};

struct eng_field_info {
	const char *name;
	int id;
	enum eng_ftype type;
	uint32_t flags;
	const char *desc;
};

#define ENG_FIELD_BUF 4096

struct eng_fieldref {
	const struct eng_field_info *info;
	enum eng_ftype type; /* the info's, or the parameter's for rawarg */
	char *arg;           /* NAME or N as written; NULL when none */
	int64_t argn;        /* numeric argument, -1 when none */
	int argmode;         /* 0 none, 1 by name, 2 by index */
	int side;            /* ENG_FF_TWO_SIDED fields: 0 client end, 1 server end */
	/* proc.cmdline and the like: buf still holds the text built for the
	 * thread whose text_gen is memo_gen in the state memo_st */
	const struct eng_state *memo_st;
	uint64_t memo_gen;
	size_t memo_len;
	char buf[ENG_FIELD_BUF]; /* strings built during extraction (keep last) */
};

struct eng_value {
	int64_t n;       /* numbers (unsigned ones in the same bits) */
	const char *s;   /* strings: NUL-terminated */
	size_t len;      /* string length, or address length for IPADDR */
	uint8_t ip[16];  /* IPADDR: network order; len 4 or 16 */
};

/* struct eng_ctx flags */
enum eng_ctx_flags {
	/* evt.arg/evt.rawarg on an exit event fall back to the parameters of its
	 * enter event when the exit lacks them: today's libsinsp semantics, which
	 * exit-only rule evaluation needs (ptrace's request is only on the enter).
	 * Off, the fields behave as in sysdig 0.29.3 (not available). */
	ENG_CTX_ENTER_ARGS = 1 << 0,
};

struct eng_ctx {
	struct eng_state *st;
	struct eng_event *ev;
	uint64_t first_ts; /* of the first event, for relative times */
	uint32_t flags;    /* enum eng_ctx_flags */
};

/* The table, NULL-terminated, for --list. */
extern const struct eng_field_info eng_fields[];

/* Resolves "proc.name", "evt.arg.fd", "proc.aname" + arg "2"... into ref.
 * 0, or -ENOENT (no such field) / -EINVAL (bad argument) with why. */
int eng_field_resolve(struct eng_fieldref *ref, const char *name, const char *arg,
		      char *why, size_t whylen);
void eng_fieldref_clear(struct eng_fieldref *ref);

/* Longest field name at the start of s (a -p format token): fills ref and
 * returns the bytes used, 0 when no field starts there, <0 on a bad arg. */
int eng_field_scan(struct eng_fieldref *ref, const char *s, char *why, size_t whylen);

/* 0 with *v set, or -ENOENT when not available. */
int eng_field_extract(struct eng_fieldref *ref, const struct eng_ctx *c, struct eng_value *v);

/* The value as sysdig prints it; returns the text (ref->buf or out). */
const char *eng_value_str(const struct eng_fieldref *ref, const struct eng_value *v,
			  char *out, size_t cap);

int eng_ftype_is_numeric(enum eng_ftype t);
const char *eng_ftype_name(enum eng_ftype t);

/* %evt.args / %evt.arg rendering with the fd and pid decorations. */
int eng_fmt_args(const struct eng_ctx *c, char *out, size_t cap);
int eng_fmt_arg(const struct eng_ctx *c, unsigned i, char *out, size_t cap);

#endif
