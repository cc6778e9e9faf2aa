/* Builds driver-format records in place (see shm_event.h). */
#include <errno.h>
#include <string.h>

#include "shm_event.h"

static void put_len(struct shm_enc *e, uint32_t idx, uint32_t len)
{
	uint8_t *p = e->buf + SHM_EVT_HDR_LEN + idx * e->lensize;
	if (e->lensize == 2) {
		uint16_t l = (uint16_t)len;
		memcpy(p, &l, 2);
	} else {
		memcpy(p, &len, 4);
	}
}

int shm_enc_begin(struct shm_enc *e, void *buf, size_t cap, uint16_t type,
		  uint64_t ts, uint64_t tid)
{
	memset(e, 0, sizeof(*e));
	e->buf = buf;
	e->cap = cap > UINT32_MAX ? UINT32_MAX : (uint32_t)cap;
	e->type = type;
	if (type >= SHM_EVENT_MAX) {
		e->err = -EINVAL;
		return e->err;
	}
	e->nparams = shm_event_table[type].nparams;
	e->lensize = (uint8_t)shm_event_lensize(type);
	e->pos = SHM_EVT_HDR_LEN + e->nparams * e->lensize;
	if (e->pos > e->cap) {
		e->err = -ENOSPC;
		return e->err;
	}
	struct shm_evt_hdr h = {.ts = ts, .tid = tid, .len = 0, .type = type,
				.nparams = e->nparams};
	memcpy(e->buf, &h, sizeof(h));
	return 0;
}

uint8_t *shm_enc_reserve(struct shm_enc *e, uint32_t len)
{
	if (e->err)
		return NULL;
	if (e->next >= e->nparams) {
		e->err = -E2BIG;
		return NULL;
	}
	const struct shm_param_info *pi = &shm_event_table[e->type].params[e->next];
	uint32_t fixed = shm_param_type_size(pi->type);
	if ((fixed && len != 0 && len != fixed) || (e->lensize == 2 && len > UINT16_MAX)) {
		e->err = -EINVAL;
		return NULL;
	}
	if (len > e->cap - e->pos) {
		e->err = -ENOSPC;
		return NULL;
	}
	uint8_t *dst = e->buf + e->pos;
	put_len(e, e->next, len);
	e->pos += len;
	e->next++;
	return dst;
}

void shm_enc_shrink_last(struct shm_enc *e, uint32_t len)
{
	if (e->err || e->next == 0)
		return;
	uint32_t idx = e->next - 1;
	const uint8_t *p = e->buf + SHM_EVT_HDR_LEN + idx * e->lensize;
	uint32_t old;
	if (e->lensize == 2) {
		uint16_t l;
		memcpy(&l, p, 2);
		old = l;
	} else {
		memcpy(&old, p, 4);
	}
	if (len > old) {
		e->err = -EINVAL;
		return;
	}
	uint32_t fixed = shm_param_type_size(shm_event_table[e->type].params[idx].type);
	if (fixed && len != 0 && len != fixed) {
		e->err = -EINVAL;
		return;
	}
	put_len(e, idx, len);
	e->pos -= old - len;
}

void shm_enc_param(struct shm_enc *e, const void *val, uint32_t len)
{
	uint8_t *dst = shm_enc_reserve(e, len);
	if (dst && len)
		memcpy(dst, val, len);
}

void shm_enc_str(struct shm_enc *e, const char *s)
{
	if (!s) {
		shm_enc_param(e, NULL, 0);
		return;
	}
	shm_enc_param(e, s, (uint32_t)strlen(s) + 1);
}

void shm_enc_strn(struct shm_enc *e, const char *s, size_t max)
{
	if (!s) {
		shm_enc_param(e, NULL, 0);
		return;
	}
	size_t n = strnlen(s, max);
	uint8_t *dst = shm_enc_reserve(e, (uint32_t)n + 1);
	if (dst) {
		memcpy(dst, s, n);
		dst[n] = 0;
	}
}

void shm_enc_u8(struct shm_enc *e, uint8_t v) { shm_enc_param(e, &v, 1); }
void shm_enc_u16(struct shm_enc *e, uint16_t v) { shm_enc_param(e, &v, 2); }
void shm_enc_u32(struct shm_enc *e, uint32_t v) { shm_enc_param(e, &v, 4); }
void shm_enc_u64(struct shm_enc *e, uint64_t v) { shm_enc_param(e, &v, 8); }

void shm_enc_sockaddr_in(struct shm_enc *e, uint32_t addr4, uint16_t port)
{
	uint8_t *p = shm_enc_reserve(e, 7);
	if (p) {
		p[0] = SHM_PPM_AF_INET;
		memcpy(p + 1, &addr4, 4);
		memcpy(p + 5, &port, 2);
	}
}

void shm_enc_sockaddr_in6(struct shm_enc *e, const uint8_t addr6[16], uint16_t port)
{
	uint8_t *p = shm_enc_reserve(e, 19);
	if (p) {
		p[0] = SHM_PPM_AF_INET6;
		memcpy(p + 1, addr6, 16);
		memcpy(p + 17, &port, 2);
	}
}

void shm_enc_sockaddr_un(struct shm_enc *e, const char *path)
{
	size_t n = path ? strlen(path) : 0;
	uint8_t *p = shm_enc_reserve(e, (uint32_t)n + 2);
	if (p) {
		p[0] = SHM_PPM_AF_UNIX;
		memcpy(p + 1, path ? path : "", n);
		p[1 + n] = 0;
	}
}

void shm_enc_socktuple_in(struct shm_enc *e, uint32_t saddr, uint16_t sport,
			  uint32_t daddr, uint16_t dport)
{
	uint8_t *p = shm_enc_reserve(e, 13);
	if (p) {
		p[0] = SHM_PPM_AF_INET;
		memcpy(p + 1, &saddr, 4);
		memcpy(p + 5, &sport, 2);
		memcpy(p + 7, &daddr, 4);
		memcpy(p + 11, &dport, 2);
	}
}

void shm_enc_socktuple_in6(struct shm_enc *e, const uint8_t saddr[16], uint16_t sport,
			   const uint8_t daddr[16], uint16_t dport)
{
	uint8_t *p = shm_enc_reserve(e, 37);
	if (p) {
		p[0] = SHM_PPM_AF_INET6;
		memcpy(p + 1, saddr, 16);
		memcpy(p + 17, &sport, 2);
		memcpy(p + 19, daddr, 16);
		memcpy(p + 35, &dport, 2);
	}
}

void shm_enc_socktuple_un(struct shm_enc *e, uint64_t source, uint64_t dest,
			  const char *path)
{
	size_t n = path ? strlen(path) : 0;
	uint8_t *p = shm_enc_reserve(e, (uint32_t)n + 18);
	if (p) {
		p[0] = SHM_PPM_AF_UNIX;
		memcpy(p + 1, &source, 8);
		memcpy(p + 9, &dest, 8);
		memcpy(p + 17, path ? path : "", n);
		p[17 + n] = 0;
	}
}

void shm_enc_ext(struct shm_enc *e, uint8_t tag, const void *val, uint32_t len)
{
	if (e->err)
		return;
	uint32_t table = shm_event_table[e->type].nparams;
	if (e->next != e->nparams || e->nparams < table || tag == 0 || tag > SHM_EXT_TAG_MAX) {
		e->err = -EINVAL;
		return;
	}
	if (e->nparams - table >= SHM_EVT_MAX_EXT) {
		e->err = -E2BIG;
		return;
	}
	uint32_t n = len + 1;
	if ((e->lensize == 2 && n > UINT16_MAX) || n < len ||
	    (uint64_t)n + e->lensize > e->cap - e->pos) {
		e->err = -ENOSPC;
		return;
	}
	/* one more length word: the values move up to make room for it */
	uint32_t lens_end = SHM_EVT_HDR_LEN + e->nparams * e->lensize;
	memmove(e->buf + lens_end + e->lensize, e->buf + lens_end, e->pos - lens_end);
	e->pos += e->lensize;
	put_len(e, e->nparams, n);
	e->buf[e->pos] = tag;
	if (len)
		memcpy(e->buf + e->pos + 1, val, len);
	e->pos += n;
	e->nparams++;
	e->next++;
	memcpy(e->buf + offsetof(struct shm_evt_hdr, nparams), &e->nparams, 4);
}

void shm_enc_trailer_str(struct shm_enc *e, const char *s)
{
	if (s)
		shm_enc_ext(e, SHM_EXT_USTACK, s, (uint32_t)strlen(s) + 1);
}

int shm_enc_end(struct shm_enc *e)
{
	if (e->err)
		return e->err;
	if (e->next != e->nparams)
		return e->err = -EINVAL;
	if (e->pos > INT32_MAX)
		return e->err = -E2BIG;
	memcpy(e->buf + offsetof(struct shm_evt_hdr, len), &e->pos, 4);
	return (int)e->pos;
}
