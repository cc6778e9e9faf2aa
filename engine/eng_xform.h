/*
 * Falco's transformers (tolower, toupper, b64, basename, len, join, concat,
 * getopt): one list of names and kinds, and the string mappings, for the
 * three places that apply them: a condition's field chain (filter.c),
 * transformer expressions (filter_xform.c, filter_eval.c) and outputs
 * (output.c, output_render.c). Rules' exceptions name them too.
 */
#ifndef ENG_XFORM_H
#define ENG_XFORM_H

#include <stddef.h>

enum eng_xf {
	ENG_XF_TOLOWER = 1,
	ENG_XF_TOUPPER,
	ENG_XF_B64,
	ENG_XF_BASENAME,
	ENG_XF_LEN,
	ENG_XF_JOIN,
	ENG_XF_CONCAT,
	ENG_XF_GETOPT,
	ENG_XF_END /* first value free for the users' own node kinds */
};

/* The transformer called name (the first len bytes), 0 if none. */
int eng_xf_by_name(const char *name, size_t len);
const char *eng_xf_name(enum eng_xf k);
/* 1 for the transformers that map one string to one string (tolower,
 * toupper, b64, basename). */
int eng_xf_maps_string(enum eng_xf k);
/* Such a mapping of s (len bytes) written into out at pos, out holding cap
 * bytes (kept NUL-terminated): the new end. */
size_t eng_xf_map(enum eng_xf k, const char *s, size_t len, char *out, size_t pos, size_t cap);

/* Standard base64 decoding, as Falco's b64 transformer: at most cap bytes
 * to out, stops at the first character outside the alphabet; the number
 * of bytes written. */
size_t eng_b64_decode(const char *in, size_t len, char *out, size_t cap);

#endif
