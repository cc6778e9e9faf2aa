/* Sets, path-prefix tries and globs for compiled filters (see eng_match.h). */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "eng_match.h"

/* ---- sets ---- */

struct set_ent {
	uint64_t h;
	int64_t n;
	char *s; /* strings: an owned copy */
	size_t len;
	uint8_t used;
};

struct eng_set {
	size_t cap; /* a power of two, at least twice count */
	size_t count;
	struct set_ent *tab;
	size_t minlen, maxlen; /* strings of other lengths are not looked up */
};

/* FNV-1a: short keys (program names, paths), no alignment needs. */
static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static uint64_t hash_num(int64_t n)
{
	uint64_t h = (uint64_t)n * 0x9E3779B97F4A7C15ull;
	return h ^ (h >> 29);
}

int eng_set_new(struct eng_set **out, size_t hint)
{
	struct eng_set *s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->cap = 8;
	while (s->cap < 2 * hint)
		s->cap *= 2;
	if (!(s->tab = calloc(s->cap, sizeof(*s->tab)))) {
		free(s);
		return -ENOMEM;
	}
	s->minlen = SIZE_MAX;
	*out = s;
	return 0;
}

void eng_set_free(struct eng_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->cap; i++)
		free(s->tab[i].s);
	free(s->tab);
	free(s);
}

size_t eng_set_count(const struct eng_set *s)
{
	return s->count;
}

static int grow(struct eng_set *s)
{
	size_t cap = s->cap * 2;
	struct set_ent *tab = calloc(cap, sizeof(*tab));
	if (!tab)
		return -ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		if (!s->tab[i].used)
			continue;
		size_t j = s->tab[i].h & (cap - 1);
		while (tab[j].used)
			j = (j + 1) & (cap - 1);
		tab[j] = s->tab[i];
	}
	free(s->tab);
	s->tab = tab;
	s->cap = cap;
	return 0;
}

/* The slot holding the key, or the free slot where it would go. */
static struct set_ent *slot_str(const struct eng_set *s, uint64_t h, const char *str, size_t len)
{
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		struct set_ent *e = &s->tab[i];
		if (!e->used || (e->h == h && e->len == len && memcmp(e->s, str, len) == 0))
			return e;
	}
}

static struct set_ent *slot_num(const struct eng_set *s, uint64_t h, int64_t n)
{
	for (size_t i = h & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		struct set_ent *e = &s->tab[i];
		if (!e->used || e->n == n)
			return e;
	}
}

int eng_set_add_str(struct eng_set *s, const char *str, size_t len)
{
	if (2 * (s->count + 1) > s->cap && grow(s))
		return -ENOMEM;
	uint64_t h = hash_bytes(str, len);
	struct set_ent *e = slot_str(s, h, str, len);
	if (e->used)
		return 0;
	/* +1: an empty string still gets a pointer */
	if (!(e->s = malloc(len + 1)))
		return -ENOMEM;
	memcpy(e->s, str, len);
	e->s[len] = 0;
	e->len = len;
	e->h = h;
	e->used = 1;
	s->count++;
	if (len < s->minlen)
		s->minlen = len;
	if (len > s->maxlen)
		s->maxlen = len;
	return 0;
}

int eng_set_add_num(struct eng_set *s, int64_t n)
{
	if (2 * (s->count + 1) > s->cap && grow(s))
		return -ENOMEM;
	uint64_t h = hash_num(n);
	struct set_ent *e = slot_num(s, h, n);
	if (e->used)
		return 0;
	e->n = n;
	e->h = h;
	e->used = 1;
	s->count++;
	return 0;
}

int eng_set_has_str(const struct eng_set *s, const char *str, size_t len)
{
	if (len < s->minlen || len > s->maxlen)
		return 0;
	return slot_str(s, hash_bytes(str, len), str, len)->used;
}

int eng_set_has_num(const struct eng_set *s, int64_t n)
{
	return slot_num(s, hash_num(n), n)->used;
}

/* ---- path-prefix trie ---- */

/* One byte of a prefix; children are a sibling list (paths fan out little). */
struct tnode {
	uint32_t child; /* first child; 0: none (the root is nobody's child) */
	uint32_t next;  /* next sibling; 0: none */
	unsigned char ch;
	uint8_t end;    /* a prefix ends here */
};

struct eng_ptrie {
	struct tnode *nodes; /* [0] is the root */
	size_t n, cap;
};

/* libsinsp splits paths on '/' and drops empty components: "//etc" and
 * "/etc//x" are "/etc" and "/etc/x" to it (a run of slashes is one). The
 * copy in buf (cap bytes) when there is such a run; else path itself. */
static const char *one_slash(const char *path, size_t *len, char *buf, size_t cap)
{
	if (!memmem(path, *len, "//", 2) || *len > cap)
		return path;
	size_t n = 0;
	for (size_t i = 0; i < *len; i++)
		if (path[i] != '/' || !n || buf[n - 1] != '/')
			buf[n++] = path[i];
	*len = n;
	return buf;
}

int eng_ptrie_new(struct eng_ptrie **out)
{
	struct eng_ptrie *t = calloc(1, sizeof(*t));
	if (!t)
		return -ENOMEM;
	t->cap = 64;
	if (!(t->nodes = calloc(t->cap, sizeof(*t->nodes)))) {
		free(t);
		return -ENOMEM;
	}
	t->n = 1;
	*out = t;
	return 0;
}

void eng_ptrie_free(struct eng_ptrie *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t);
}

static uint32_t find_child(const struct eng_ptrie *t, uint32_t at, unsigned char ch)
{
	for (uint32_t k = t->nodes[at].child; k; k = t->nodes[k].next)
		if (t->nodes[k].ch == ch)
			return k;
	return 0;
}

int eng_ptrie_add(struct eng_ptrie *t, const char *prefix, size_t len)
{
	char buf[4096];
	prefix = one_slash(prefix, &len, buf, sizeof(buf));
	uint32_t at = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)prefix[i];
		uint32_t k = find_child(t, at, ch);
		if (!k) {
			if (t->n == t->cap) {
				if (t->cap >= UINT32_MAX / 2)
					return -ENOMEM;
				struct tnode *nn = realloc(t->nodes, 2 * t->cap * sizeof(*nn));
				if (!nn)
					return -ENOMEM;
				t->nodes = nn;
				t->cap *= 2;
			}
			k = (uint32_t)t->n++;
			t->nodes[k] = (struct tnode){.ch = ch, .next = t->nodes[at].child};
			t->nodes[at].child = k;
		}
		at = k;
	}
	t->nodes[at].end = 1;
	return 0;
}

/* From trie node at, with the byte before path[0] a '/' when slash. */
static int match_from(const struct eng_ptrie *t, uint32_t at, const char *path, size_t len,
		      int slash)
{
	for (size_t k = 0;; k++) {
		/* a prefix of k bytes ends here: the whole path, a directory
		 * above it, or a prefix that itself ends in '/' */
		if (t->nodes[at].end &&
		    (k == len || path[k] == '/' || (k ? path[k - 1] == '/' : slash)))
			return 1;
		if (k == len || !(at = find_child(t, at, (unsigned char)path[k])))
			return 0;
	}
}

int eng_ptrie_match(const struct eng_ptrie *t, const char *path, size_t len)
{
	char buf[4096];
	path = one_slash(path, &len, buf, sizeof(buf));
	if (match_from(t, 0, path, len, 0))
		return 1;
	/* libsinsp compares path components: a relative name ("etc/x", one the
	 * state could not resolve) is under "/etc" as "/etc/x" is */
	uint32_t root;
	return len && path[0] != '/' && (root = find_child(t, 0, '/')) &&
	       match_from(t, root, path, len, 1);
}

/* ---- globs ---- */

struct eng_glob {
	int simple; /* only '*', '?' and plain bytes */
	int icase;
	char pat[];
};

int eng_glob_new(struct eng_glob **out, const char *pattern, int icase)
{
	size_t len = strlen(pattern);
	struct eng_glob *g = malloc(sizeof(*g) + len + 1);
	if (!g)
		return -ENOMEM;
	memcpy(g->pat, pattern, len + 1);
	g->icase = icase;
	g->simple = strpbrk(pattern, "[\\") == NULL;
	*out = g;
	return 0;
}

void eng_glob_free(struct eng_glob *g)
{
	free(g);
}

static int same(unsigned char a, unsigned char b, int icase)
{
	return a == b || (icase && tolower(a) == tolower(b));
}

/* '*' and '?' only: on a mismatch, the last '*' takes one more byte and
 * the rest is tried again (a later '*' makes earlier choices final). */
static int simple_match(const char *p, const char *s, int icase)
{
	const char *star = NULL, *resume = NULL;
	for (;;) {
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return 1;
			star = p;
			resume = s;
			continue;
		}
		if (*s && *p && (*p == '?' || same((unsigned char)*p, (unsigned char)*s, icase))) {
			p++;
			s++;
			continue;
		}
		if (!*s && !*p)
			return 1;
		if (!star || !*resume)
			return 0;
		p = star;
		s = ++resume;
	}
}

int eng_glob_match(const struct eng_glob *g, const char *s)
{
	if (g->simple)
		return simple_match(g->pat, s, g->icase);
	return fnmatch(g->pat, s, g->icase ? FNM_CASEFOLD : 0) == 0;
}

/* The next non-empty '/'-separated component of s[*at..len), copied into
 * buf; 0 when there is none or it does not fit. */
static int next_comp(const char *s, size_t len, size_t *at, char *buf, size_t cap)
{
	while (*at < len && s[*at] == '/')
		(*at)++;
	size_t b = *at;
	while (*at < len && s[*at] != '/')
		(*at)++;
	size_t n = *at - b;
	if (!n || n >= cap)
		return 0;
	memcpy(buf, s + b, n);
	buf[n] = 0;
	return 1;
}

int eng_pmatch_glob(const char *pat, size_t plen, const char *path, size_t len)
{
	char pc[256], vc[256];
	size_t pi = 0, vi = 0;
	/* libs compares components (empty ones dropped): each of the pattern's
	 * must match the path's in turn, a component with ? * [ as a glob */
	while (next_comp(pat, plen, &pi, pc, sizeof(pc))) {
		if (!next_comp(path, len, &vi, vc, sizeof(vc)))
			return 0;
		if (strpbrk(pc, "?*[") ? fnmatch(pc, vc, 0) != 0 : strcmp(pc, vc) != 0)
			return 0;
	}
	return pi >= plen; /* a component too long to copy stops the loop early */
}
