/* Falco's transformers: names and string mappings (eng_xform.h). */
#define _GNU_SOURCE /* memrchr */
#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "eng_xform.h"

static const char *const names[ENG_XF_END] = {
	[ENG_XF_TOLOWER] = "tolower", [ENG_XF_TOUPPER] = "toupper", [ENG_XF_B64] = "b64",
	[ENG_XF_BASENAME] = "basename", [ENG_XF_LEN] = "len", [ENG_XF_JOIN] = "join",
	[ENG_XF_CONCAT] = "concat", [ENG_XF_GETOPT] = "getopt",
};

int eng_xf_by_name(const char *name, size_t len)
{
	for (int k = 1; k < ENG_XF_END; k++)
		if (strlen(names[k]) == len && !strncmp(name, names[k], len))
			return k;
	return 0;
}

const char *eng_xf_name(enum eng_xf k)
{
	return k > 0 && k < ENG_XF_END ? names[k] : "?";
}

int eng_xf_maps_string(enum eng_xf k)
{
	return k == ENG_XF_TOLOWER || k == ENG_XF_TOUPPER || k == ENG_XF_B64 ||
	       k == ENG_XF_BASENAME;
}

static size_t put(char *out, size_t pos, size_t cap, const char *s, size_t n)
{
	if (!cap || pos >= cap - 1)
		return pos;
	if (n > cap - 1 - pos)
		n = cap - 1 - pos;
	memmove(out + pos, s, n);
	out[pos + n] = 0;
	return pos + n;
}

size_t eng_xf_map(enum eng_xf k, const char *s, size_t len, char *out, size_t pos, size_t cap)
{
	size_t start = pos;
	switch (k) {
	case ENG_XF_TOLOWER:
	case ENG_XF_TOUPPER:
		pos = put(out, pos, cap, s, len);
		for (size_t i = start; i < pos; i++)
			out[i] = (char)(k == ENG_XF_TOLOWER ? tolower((unsigned char)out[i])
							    : toupper((unsigned char)out[i]));
		return pos;
	case ENG_XF_BASENAME: {
		const char *sl = len ? memrchr(s, '/', len) : NULL;
		return sl ? put(out, pos, cap, sl + 1, len - (size_t)(sl + 1 - s))
			  : put(out, pos, cap, s, len);
	}
	case ENG_XF_B64:
		if (!cap || pos >= cap - 1)
			return pos;
		pos += eng_b64_decode(s, len, out + pos, cap - 1 - pos);
		out[pos] = 0;
		return pos;
	default:
		return pos;
	}
}

size_t eng_b64_decode(const char *in, size_t len, char *out, size_t cap)
{
	static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	uint32_t acc = 0;
	int bits = 0;
	size_t n = 0;
	for (size_t i = 0; i < len; i++) {
		const char *p = in[i] ? strchr(alpha, in[i]) : NULL;
		if (!p)
			break;
		acc = (acc << 6) | (uint32_t)(p - alpha);
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n < cap)
				out[n++] = (char)((acc >> bits) & 0xff);
		}
	}
	return n;
}
