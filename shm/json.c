/* The project's JSON reader and string writer (shm_json.h). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "shm_json.h"

void shm_json_ws(struct shm_json *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r' || *j->p == '\n'))
		j->p++;
}

static int hex4(struct shm_json *j, unsigned *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		if (j->p >= j->end)
			return -1;
		char c = *j->p++;
		int h = c >= '0' && c <= '9'			   ? c - '0'
			: (c | 0x20) >= 'a' && (c | 0x20) <= 'f' ? (c | 0x20) - 'a' + 10
								   : -1;
		if (h < 0)
			return -1;
		*v = *v << 4 | (unsigned)h;
	}
	return 0;
}

static void put(char *out, size_t cap, size_t *n, unsigned c)
{
	if (out && *n + 1 < cap)
		out[(*n)++] = (char)c;
}

static void put_utf8(char *out, size_t cap, size_t *n, unsigned u)
{
	if (u < 0x80) {
		put(out, cap, n, u);
	} else if (u < 0x800) {
		put(out, cap, n, 0xc0 | u >> 6);
		put(out, cap, n, 0x80 | (u & 0x3f));
	} else if (u < 0x10000) {
		put(out, cap, n, 0xe0 | u >> 12);
		put(out, cap, n, 0x80 | ((u >> 6) & 0x3f));
		put(out, cap, n, 0x80 | (u & 0x3f));
	} else {
		put(out, cap, n, 0xf0 | u >> 18);
		put(out, cap, n, 0x80 | ((u >> 12) & 0x3f));
		put(out, cap, n, 0x80 | ((u >> 6) & 0x3f));
		put(out, cap, n, 0x80 | (u & 0x3f));
	}
}

int shm_json_string(struct shm_json *j, char *out, size_t cap)
{
	size_t n = 0;
	shm_json_ws(j);
	if (j->p >= j->end || *j->p != '"')
		return -1;
	j->p++;
	while (j->p < j->end && *j->p != '"') {
		unsigned c = (uint8_t)*j->p++;
		if (c != '\\') {
			put(out, cap, &n, c);
			continue;
		}
		if (j->p >= j->end)
			return -1;
		unsigned u;
		switch (*j->p++) {
		case 'n': put(out, cap, &n, '\n'); break;
		case 't': put(out, cap, &n, '\t'); break;
		case 'r': put(out, cap, &n, '\r'); break;
		case 'b': put(out, cap, &n, '\b'); break;
		case 'f': put(out, cap, &n, '\f'); break;
		case '"': put(out, cap, &n, '"'); break;
		case '\\': put(out, cap, &n, '\\'); break;
		case '/': put(out, cap, &n, '/'); break;
		case 'u':
			if (hex4(j, &u))
				return -1;
			/* a surrogate pair is one code point; a lone surrogate stays */
			if (u >= 0xd800 && u < 0xdc00 && j->end - j->p >= 6 && j->p[0] == '\\' &&
			    j->p[1] == 'u') {
				struct shm_json t = {j->p + 2, j->end};
				unsigned lo;
				if (!hex4(&t, &lo) && lo >= 0xdc00 && lo < 0xe000) {
					u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
					j->p += 6;
				}
			}
			put_utf8(out, cap, &n, u);
			break;
		default:
			return -1;
		}
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	if (out && cap)
		out[n] = 0;
	return 0;
}

static int skip(struct shm_json *j, int depth)
{
	shm_json_ws(j);
	if (j->p >= j->end || depth > SHM_JSON_MAX_DEPTH)
		return -1;
	char c = *j->p;
	if (c == '"')
		return shm_json_string(j, NULL, 0);
	if (c == '{' || c == '[') {
		char close = c == '{' ? '}' : ']';
		j->p++;
		shm_json_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			return 0;
		}
		for (;;) {
			if (c == '{') {
				if (shm_json_string(j, NULL, 0))
					return -1;
				shm_json_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return -1;
			}
			if (skip(j, depth + 1))
				return -1;
			shm_json_ws(j);
			if (j->p >= j->end)
				return -1;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			return *j->p++ == close ? 0 : -1;
		}
	}
	const char *s = j->p; /* number, true, false, null */
	while (j->p < j->end && !strchr(",}] \t\r\n", *j->p))
		j->p++;
	return j->p > s ? 0 : -1;
}

int shm_json_skip(struct shm_json *j)
{
	return skip(j, 1);
}

int shm_json_object(struct shm_json *j, int (*member)(struct shm_json *j, const char *key, void *ctx),
		    void *ctx)
{
	shm_json_ws(j);
	if (j->p >= j->end || *j->p++ != '{')
		return -1;
	shm_json_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		return 0;
	}
	for (;;) {
		char key[128];
		if (shm_json_string(j, key, sizeof key))
			return -1;
		shm_json_ws(j);
		if (j->p >= j->end || *j->p++ != ':')
			return -1;
		shm_json_ws(j);
		int rc = member(j, key, ctx);
		if (rc)
			return rc;
		shm_json_ws(j);
		if (j->p >= j->end)
			return -1;
		if (*j->p == ',') {
			j->p++;
			continue;
		}
		return *j->p++ == '}' ? 0 : -1;
	}
}

struct get {
	const char *key;
	char *out;
	size_t cap;
	int found;
};

static int get_member(struct shm_json *j, const char *key, void *ctx)
{
	struct get *g = ctx;
	if (g->found || strcmp(key, g->key))
		return shm_json_skip(j);
	if (j->p < j->end && *j->p == '"') {
		g->found = 1;
		return shm_json_string(j, g->out, g->cap);
	}
	return shm_json_skip(j);
}

int shm_json_get_string(const char *s, size_t len, const char *key, char *out, size_t cap)
{
	struct shm_json j;
	struct get g = {key, out, cap, 0};
	shm_json_init(&j, s, len);
	return shm_json_object(&j, get_member, &g) ? -1 : g.found;
}

/* The length of the well-formed UTF-8 sequence at p (n bytes left), 0 if
 * it is not one (overlong forms and surrogates included). */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	size_t k = c >= 0xc2 && c < 0xe0 ? 2 : c >= 0xe0 && c < 0xf0 ? 3 : c >= 0xf0 && c < 0xf5 ? 4 : 0;
	if (!k || k > n)
		return 0;
	for (size_t i = 1; i < k; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((k == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0))) ||
	    (k == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90))))
		return 0;
	return k;
}

static size_t raw(char *out, size_t cap, size_t pos, const char *s, size_t n)
{
	if (!cap || pos >= cap - 1)
		return pos;
	if (n > cap - 1 - pos)
		n = cap - 1 - pos;
	memcpy(out + pos, s, n);
	out[pos + n] = 0;
	return pos + n;
}

size_t shm_json_put_string(char *out, size_t cap, size_t pos, const char *s, size_t n)
{
	pos = raw(out, cap, pos, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		char esc[8];
		const char *e = NULL;
		switch (ch) {
		case '"': e = "\\\""; break;
		case '\\': e = "\\\\"; break;
		case '\n': e = "\\n"; break;
		case '\t': e = "\\t"; break;
		case '\r': e = "\\r"; break;
		case '\b': e = "\\b"; break;
		case '\f': e = "\\f"; break;
		default:
			if (ch < 0x20) {
				snprintf(esc, sizeof esc, "\\u%04x", ch);
				e = esc;
			}
		}
		if (e) {
			pos = raw(out, cap, pos, e, strlen(e));
		} else if (ch < 0x80) {
			pos = raw(out, cap, pos, s + i, 1);
		} else {
			size_t k = utf8_len((const unsigned char *)s + i, n - i);
			pos = raw(out, cap, pos, k ? s + i : "\xef\xbf\xbd", k ? k : 3);
			i += k ? k - 1 : 0;
		}
	}
	return raw(out, cap, pos, "\"", 1);
}
