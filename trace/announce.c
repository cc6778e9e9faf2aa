/*
 * Container metadata that came late: pdig was started without it (the
 * command must not wait for a slow metadata endpoint), so pdig-trace hands
 * the engine a container event of its own, through a ring of its own on
 * the engine's socket, as pdig would have written it (pdig/container.c: a
 * container_json_2 of type "static" for the same id). The engine puts it in
 * place of what it knew of that id; events after it show the name, image
 * and labels.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "shm_event.h"
#include "shm_ring.h"
#include "trace.h"

#define CT_STATIC 10 /* libsinsp's CT_STATIC, as pdig/container.c */

struct jb {
	char *p;
	size_t n, cap;
	int full;
};

static void raw(struct jb *b, const char *s, size_t len)
{
	if (b->full || b->n + len >= b->cap) {
		b->full = 1;
		return;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = 0;
}

static void str(struct jb *b, const char *s, size_t len)
{
	raw(b, "\"", 1);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			raw(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			raw(b, esc, 6);
		} else {
			raw(b, (const char *)&c, 1);
		}
	}
	raw(b, "\"", 1);
}

static void member(struct jb *b, const char *key, const char *val, size_t len)
{
	raw(b, ",", 1);
	str(b, key, strlen(key));
	raw(b, ":", 1);
	str(b, val, len);
}

int tr_container_json(const char *id, const struct tr_meta *m, char *out, size_t cap)
{
	struct jb b = {out, 0, cap, 0};
	char head[256];
	snprintf(head, sizeof head, "{\"container\":{\"id\":");
	raw(&b, head, strlen(head));
	str(&b, id, strlen(id));
	snprintf(head, sizeof head, ",\"type\":%d", CT_STATIC);
	raw(&b, head, strlen(head));
	member(&b, "name", m->name, strlen(m->name));
	member(&b, "image", m->image, strlen(m->image));
	if (m->image[0]) { /* as libsinsp splits it, as pdig does */
		const char *at = strchr(m->image, '@'), *colon = NULL;
		size_t end = at ? (size_t)(at - m->image) : strlen(m->image);
		for (size_t i = 0; i < end; i++)
			colon = m->image[i] == '/' ? NULL : m->image[i] == ':' ? m->image + i : colon;
		size_t repo = colon ? (size_t)(colon - m->image) : end;
		member(&b, "imagerepo", m->image, repo);
		member(&b, "imagetag", colon ? colon + 1 : "", colon ? end - repo - 1 : 0);
		member(&b, "imagedigest", at ? at + 1 : "", at ? strlen(at + 1) : 0);
	}
	const char *iid = m->image_id;
	if (!strncmp(iid, "sha256:", 7))
		iid += 7;
	if (iid[0])
		member(&b, "imageid", iid, strlen(iid));
	const char *keys[] = {"io.kubernetes.pod.name", "io.kubernetes.pod.namespace",
			      "io.kubernetes.pod.uid"};
	const char *vals[] = {m->pod_name, m->pod_ns, m->pod_uid};
	int nl = 0;
	for (int i = 0; i < 3; i++) {
		if (!vals[i][0])
			continue;
		if (nl++)
			raw(&b, ",", 1);
		else
			raw(&b, ",\"labels\":{", 11);
		str(&b, keys[i], strlen(keys[i]));
		raw(&b, ":", 1);
		str(&b, vals[i], strlen(vals[i]));
	}
	if (nl)
		raw(&b, "}", 1);
	raw(&b, "}}", 2);
	return b.full ? -ENOSPC : (int)b.n;
}

int tr_announce(const char *sock, const char *id, const struct tr_meta *m,
		struct shm_ring_prod **out, char *why, size_t whylen)
{
	static char json[8192];
	static uint8_t rec[sizeof json + 64];
	int n = tr_container_json(id, m, json, sizeof json);
	if (n < 0) {
		snprintf(why, whylen, "the container's description is too long");
		return n;
	}
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct shm_enc e;
	/* no thread: libsinsp gives container events the tid -1 */
	if (shm_enc_begin(&e, rec, sizeof rec, SHM_EV_CONTAINER_JSON_2_E,
			  (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, UINT64_MAX))
		return -EINVAL;
	shm_enc_str(&e, json);
	int len = shm_enc_end(&e);
	if (len < 0) {
		snprintf(why, whylen, "the container event could not be encoded");
		return len;
	}
	struct shm_ring_prod_opts o = {.policy = SHM_RING_LOSSY, .err = why, .errlen = whylen,
				       .params = {.nslots = 1, .data_size = 64 * 1024}};
	struct shm_ring_prod *p;
	int rc = shm_ring_prod_open_memfd(&p, &o);
	if (rc)
		return rc;
	if ((rc = shm_ring_prod_connect(p, sock)) ||
	    (rc = shm_ring_write(p, rec, (uint32_t)len))) {
		snprintf(why, whylen, "%s", shm_ring_prod_error(p));
		shm_ring_prod_free(p);
		return rc;
	}
	shm_ring_prod_flush(p);
	*out = p;
	return 0;
}
