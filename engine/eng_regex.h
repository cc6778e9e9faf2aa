/*
 * Falco's `regex` operator: RE2 syntax (\d, \w, \s, \b, non-greedy
 * repeats, (?i) flags), matched against the whole value as libsinsp does
 * (anchored at both ends). A C interface over libre2, so that the rest of
 * the engine stays C; the pattern is compiled once, matching allocates
 * nothing.
 */
#ifndef ENG_REGEX_H
#define ENG_REGEX_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

struct eng_regex;

/* 0 with *out set; -EINVAL with RE2's reason in err (and the byte offset of
 * the bad part in the pattern in *erroff, or -1 when RE2 does not say);
 * -ENOMEM. */
int eng_regex_new(struct eng_regex **out, const char *pattern, size_t len, char *err,
		  size_t errlen, long *erroff);
/* 1 when the whole of s (len bytes, NULs allowed) matches, else 0. */
int eng_regex_match(const struct eng_regex *re, const char *s, size_t len);
void eng_regex_free(struct eng_regex *re);

#ifdef __cplusplus
}
#endif

#endif
