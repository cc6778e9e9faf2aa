/*
 * Container metadata that came late: pdig was started without it (the
 * command must not wait for a slow metadata endpoint), so pdig-trace hands
 * the engine a container event of its own, through a ring of its own on
 * the engine's socket, written as pdig writes its own (shm_container.h: a
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

#include "shm_container.h"
#include "shm_event.h"
#include "shm_ring.h"
#include "trace.h"

int tr_announce(const char *sock, const char *id, const struct tr_meta *m,
		struct shm_ring_prod **out, char *why, size_t whylen)
{
	static uint8_t rec[16384];
	static const char *const keys[] = {"io.kubernetes.pod.name",
					   "io.kubernetes.pod.namespace", "io.kubernetes.pod.uid"};
	const char *vals[] = {m->pod_name, m->pod_ns, m->pod_uid};
	struct shm_ct_label lab[3];
	size_t nl = 0;
	for (int i = 0; i < 3; i++)
		if (vals[i][0])
			lab[nl++] = (struct shm_ct_label){keys[i], vals[i], strlen(keys[i]),
							  strlen(vals[i])};
	struct shm_ct_desc d = {id, m->name, m->image, m->image_id, lab, nl};
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	int len = shm_container_event(rec, sizeof rec,
				      (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec, &d);
	if (len < 0) {
		snprintf(why, whylen, "the container's description is too long");
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
