/*
 * The container event (container_json_2) that names a container and gives
 * its metadata, as a runtime-less producer writes it: pdig for the traced
 * tree's container (--container-id and friends), pdig-trace for metadata
 * that arrived late. One writer, so both say it the same way.
 */
#ifndef SHM_CONTAINER_H
#define SHM_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

/* libsinsp's CT_STATIC: a container given by the producer, not found from
 * a runtime */
#define SHM_CT_STATIC 10

struct shm_ct_label {
	const char *key, *val;
	size_t klen, vlen;
};

struct shm_ct_desc {
	const char *id;       /* required */
	const char *name;     /* NULL or "" when unknown, as the others */
	const char *image;    /* REGISTRY[:PORT]/NAME[:TAG][@DIGEST] */
	const char *image_id; /* a leading "sha256:" is dropped, as libsinsp does */
	const struct shm_ct_label *labels;
	size_t nlabels;
};

/* The event into rec (tid -1: container events belong to no thread):
 * its length, or -ENOSPC when the description does not fit (never a cut
 * string), -EINVAL without an id. */
int shm_container_event(uint8_t *rec, size_t cap, uint64_t ts, const struct shm_ct_desc *d);

/* The id ECS gives the container at the end of its metadata URI
 * ($ECS_CONTAINER_METADATA_URI_V4, else _URI: http://169.254.170.2/v4/ID):
 * 1 with it in out (a docker id of EC2 tasks cut to 12 characters, as
 * sysdig shows it and the threads' cgroups give it; Fargate's TASK-NUMBER
 * ids whole) and the variable's name in *from, 0 when neither is set,
 * -EINVAL when the one set ends in no id or one too long for cap. */
int shm_container_ecs_id(char *out, size_t cap, const char **from);

#endif
