/*
 * The JSON the project reads and writes: the container event's JSON
 * (written by pdig and pdig-trace, read by the engine), ECS's task metadata
 * (read by pdig-trace) and the engine's alerts. One reader and one string
 * writer for all of them; no allocation, bounded depth.
 */
#ifndef SHM_JSON_H
#define SHM_JSON_H

#include <stddef.h>

/* ---- reading ---- */

/* A cursor over len bytes of JSON text (not necessarily NUL-terminated). */
struct shm_json {
	const char *p, *end;
};

#define SHM_JSON_MAX_DEPTH 64

static inline void shm_json_init(struct shm_json *j, const char *s, size_t len)
{
	j->p = s;
	j->end = s + len;
}
void shm_json_ws(struct shm_json *j);
/* The string at j->p (after blanks), decoded into out (cut to cap - 1,
 * NUL-terminated; \u escapes and surrogate pairs as UTF-8), or skipped when
 * out is NULL: 0, or -1 when malformed. */
int shm_json_string(struct shm_json *j, char *out, size_t cap);
/* Skips any value, at most SHM_JSON_MAX_DEPTH levels deep: 0 or -1. */
int shm_json_skip(struct shm_json *j);
/* The object at j->p: member() is called with each key (cut to 127 bytes),
 * j at the member's value, which member() reads or skips and returns 0 to
 * go on; anything else ends the walk and is returned (-1: malformed; a
 * positive value: found, the rest left unread). 0 at the object's end. */
int shm_json_object(struct shm_json *j, int (*member)(struct shm_json *j, const char *key, void *ctx),
		    void *ctx);
/* The string value of key in the object of len bytes at s, into out:
 * 1 found, 0 absent or not a string, -1 malformed. */
int shm_json_get_string(const char *s, size_t len, const char *key, char *out, size_t cap);

/* ---- writing ---- */

/* s (n bytes) as a JSON string, quoted, at out + pos (out holding cap
 * bytes, kept NUL-terminated, the rest cut): quotes, backslashes and
 * control characters escaped, well-formed UTF-8 kept, any other byte
 * replaced by U+FFFD (JSON readers reject invalid UTF-8). The new end. */
size_t shm_json_put_string(char *out, size_t cap, size_t pos, const char *s, size_t n);

#endif
