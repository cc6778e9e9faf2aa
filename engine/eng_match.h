/*
 * The matchers a compiled filter builds once from its literals, so that an
 * event is tested without scanning lists or re-reading patterns:
 *
 *   eng_set    strings or numbers: "in", "intersects", "= oneof (...)"
 *   eng_ptrie  path prefixes: "pmatch"
 *   eng_glob   a glob pattern: "glob", "iglob"
 *
 * Building allocates; lookups allocate nothing and change nothing.
 */
#ifndef ENG_MATCH_H
#define ENG_MATCH_H

#include <stddef.h>
#include <stdint.h>

/* A hash set of byte strings or of 64-bit numbers (one kind per set). */
struct eng_set;

/* hint: how many items will be added (the table is sized once for them). */
int eng_set_new(struct eng_set **out, size_t hint);
/* 0 (also when already there), or -ENOMEM. The bytes are copied. */
int eng_set_add_str(struct eng_set *s, const char *str, size_t len);
int eng_set_add_num(struct eng_set *s, int64_t n);
/* 1 when the exact bytes (case counts) / the number are in the set. */
int eng_set_has_str(const struct eng_set *s, const char *str, size_t len);
int eng_set_has_num(const struct eng_set *s, int64_t n);
size_t eng_set_count(const struct eng_set *s);
void eng_set_free(struct eng_set *s);

/* Path prefixes: a path matches when a prefix is the path itself, a
 * directory above it ("/etc" matches "/etc/passwd", not "/etcx"), or ends
 * in '/' and starts it ("/etc/" matches "/etc/x"); a relative path counts
 * from the root, as libsinsp's components do ("/etc" matches "etc/x"). */
struct eng_ptrie;

int eng_ptrie_new(struct eng_ptrie **out);
int eng_ptrie_add(struct eng_ptrie *t, const char *prefix, size_t len);
int eng_ptrie_match(const struct eng_ptrie *t, const char *path, size_t len);
void eng_ptrie_free(struct eng_ptrie *t);
/* "pmatch" with a pattern that has globs in components ("/opt/di?/sub",
 * "/opt/[a-z]*"): 1 when the pattern's components match the path's first
 * ones. */
int eng_pmatch_glob(const char *pat, size_t plen, const char *path, size_t len);

/* A glob as fnmatch(3) reads it with no flags (FNM_CASEFOLD for iglob):
 * '*' and '?' match '/' too. Patterns with only '*', '?' and plain bytes
 * are matched by our own loop; '[...]' and '\' escapes go to fnmatch. */
struct eng_glob;

int eng_glob_new(struct eng_glob **out, const char *pattern, int icase);
/* 1 when s (NUL-terminated) matches. */
int eng_glob_match(const struct eng_glob *g, const char *s);
void eng_glob_free(struct eng_glob *g);

#endif
