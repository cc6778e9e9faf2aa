/* The container_json_2 event of a container given by its producer
 * (shm_container.h): JSON as libsinsp writes and reads it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_container.h"
#include "shm_event.h"
#include "shm_json.h"

/* JSON built in a fixed buffer; past its end nothing more is written and
 * the whole is refused. */
struct jbuf {
	char *p;
	size_t n, cap;
	int full;
};

static void jraw(struct jbuf *b, const char *s, size_t len)
{
	if (b->full || b->n + len >= b->cap) {
		b->full = 1;
		return;
	}
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = 0;
}

static void jstr(struct jbuf *b, const char *s, size_t len)
{
	if (b->full)
		return;
	b->n = shm_json_put_string(b->p, b->cap, b->n, s, len);
	/* the buffer filled up (the string may be cut): refused as a whole */
	if (b->n + 1 >= b->cap)
		b->full = 1;
}

static void jmember(struct jbuf *b, const char *key, const char *val, size_t len)
{
	jraw(b, ",", 1);
	jstr(b, key, strlen(key));
	jraw(b, ":", 1);
	jstr(b, val, len);
}

/* REGISTRY[:PORT]/NAME[:TAG][@DIGEST] as libsinsp splits an image: the tag
 * after the last ':' that follows the last '/', the digest after '@'. */
static void image_parts(struct jbuf *b, const char *image)
{
	const char *at = strchr(image, '@');
	size_t end = at ? (size_t)(at - image) : strlen(image);
	const char *colon = NULL;
	for (size_t i = 0; i < end; i++) /* a ':' before a '/' is the registry's port */
		colon = image[i] == '/' ? NULL : image[i] == ':' ? image + i : colon;
	size_t repo = colon ? (size_t)(colon - image) : end;
	jmember(b, "imagerepo", image, repo);
	jmember(b, "imagetag", colon ? colon + 1 : "", colon ? end - repo - 1 : 0);
	jmember(b, "imagedigest", at ? at + 1 : "", at ? strlen(at + 1) : 0);
}

static const char *or_empty(const char *s) { return s ? s : ""; }

int shm_container_event(uint8_t *rec, size_t cap, uint64_t ts, const struct shm_ct_desc *d)
{
	static char json[16384];
	struct jbuf b = {json, 0, sizeof json, 0};
	if (!d->id || !d->id[0])
		return -EINVAL;
	const char *name = or_empty(d->name), *image = or_empty(d->image);
	const char *imageid = or_empty(d->image_id);
	if (!strncmp(imageid, "sha256:", 7)) /* docker's image id, as libsinsp keeps it */
		imageid += 7;
	jraw(&b, "{\"container\":{\"id\":", 19);
	jstr(&b, d->id, strlen(d->id));
	char type[32];
	snprintf(type, sizeof type, ",\"type\":%d", SHM_CT_STATIC);
	jraw(&b, type, strlen(type));
	jmember(&b, "name", name, strlen(name));
	jmember(&b, "image", image, strlen(image));
	if (image[0])
		image_parts(&b, image);
	if (imageid[0])
		jmember(&b, "imageid", imageid, strlen(imageid));
	for (size_t i = 0; i < d->nlabels; i++) {
		jraw(&b, i ? "," : ",\"labels\":{", i ? 1 : 11);
		jstr(&b, d->labels[i].key, d->labels[i].klen);
		jraw(&b, ":", 1);
		jstr(&b, d->labels[i].val, d->labels[i].vlen);
	}
	if (d->nlabels)
		jraw(&b, "}", 1);
	jraw(&b, "}}", 2);
	if (b.full)
		return -ENOSPC;
	struct shm_enc e;
	/* no thread: libsinsp gives container events the tid -1 */
	if (shm_enc_begin(&e, rec, cap, SHM_EV_CONTAINER_JSON_2_E, ts, UINT64_MAX))
		return -ENOSPC;
	shm_enc_str(&e, json);
	int len = shm_enc_end(&e);
	return len < 0 ? -ENOSPC : len;
}

int shm_container_ecs_id(char *out, size_t cap, const char **from)
{
	static const char *const vars[] = {"ECS_CONTAINER_METADATA_URI_V4",
					   "ECS_CONTAINER_METADATA_URI"};
	for (int k = 0; k < 2; k++) {
		const char *uri = getenv(vars[k]);
		if (!uri || !uri[0])
			continue;
		if (from)
			*from = vars[k];
		/* .../v4/ID (v3 likewise): what follows the version, nothing
		 * else is taken for an id */
		const char *slash = strrchr(uri, '/');
		if (!slash || slash - uri < 3 || slash[-3] != '/' || slash[-2] != 'v' ||
		    (slash[-1] != '3' && slash[-1] != '4'))
			return -EINVAL;
		const char *id = slash + 1;
		size_t n = strlen(id);
		if (!n || n >= cap)
			return -EINVAL;
		memcpy(out, id, n + 1);
		if (n == 64 && strspn(out, "0123456789abcdef") == 64)
			out[12] = 0;
		return 1;
	}
	return 0;
}
