/*
 * pdig-trace: one command per deployment. Starts pdig-engine on a private
 * ring, then pdig on the command (or attached to running processes), and
 * stays the parent of both so the engine can read everything pdig wrote
 * after pdig has gone. See trace/README.md.
 *
 * Modules: main.c (options, the two children, signals, exit status),
 * meta.c (what the container is: ECS task metadata, Kubernetes' downward
 * API), embedded rules generated from the .yaml files of rules/ at build time.
 */
#ifndef TRACE_H
#define TRACE_H

#include <stddef.h>

/* What pdig is told about the traced tree's container. Strings are empty
 * when unknown. */
struct tr_meta {
	char id[129];
	char name[513];
	char image[513];
	char image_id[513];
	char pod_name[254];
	char pod_ns[254];
	char pod_uid[64];
	const char *source; /* where the id/name/image came from, for -v */
};

/*
 * Fills m from the environment:
 *  - ECS ($ECS_CONTAINER_METADATA_URI_V4, else _URI): one HTTP GET of the
 *    container's metadata (DockerId, Name, Image, ImageID), at most
 *    timeout_ms in all; an endpoint that is down or slow costs that much
 *    once and leaves the fields empty (pdig still takes the id from the
 *    URI). The endpoint is plain http on a link-local address: a socket,
 *    no TLS, no name resolution (so the static binary needs nothing).
 *    With $PDIG_ECS_CONTAINER=NAME, the task's metadata (URI/task) and
 *    the entry of container NAME: a sidecar describing the application.
 *  - Kubernetes' downward API: $POD_NAME, $POD_NAMESPACE, $POD_UID.
 *  - $PDIG_CONTAINER_ID, $PDIG_CONTAINER_NAME, $PDIG_CONTAINER_IMAGE win
 *    over both.
 * 0, or a negative errno when the endpoint was set but gave nothing (the
 * reason in why); the other sources are used either way.
 */
int tr_meta_read(struct tr_meta *m, int timeout_ms, char *why, size_t whylen);

/* The id at the end of $ECS_CONTAINER_METADATA_URI_V4 (else _URI), as pdig
 * takes it by default: 1, 0 when neither is set, -EINVAL when unusable. */
int tr_uri_id(char *out, size_t cap);

/* The fetch alone (for tests): GET url, the body (NUL-terminated, cut to
 * cap - 1) in body. 0, or a negative errno with the reason in why. */
int tr_http_get(const char *url, int timeout_ms, char *body, size_t cap, char *why,
		size_t whylen);

/* The string value of a top-level key of a JSON object, decoded into out
 * (cut to cap - 1). 1 found, 0 absent or not a string, -EINVAL malformed. */
int tr_json_get(const char *json, const char *key, char *out, size_t cap);


/* Metadata that came after pdig started: a ring of our own handed to the
 * engine on sock, with that container event in it. The producer stays (so
 * an engine waiting for its producers to go waits for this one too) until
 * shm_ring_prod_free(*p). 0, or a negative errno with the reason in why. */
struct shm_ring_prod;
int tr_announce(const char *sock, const char *id, const struct tr_meta *m,
		struct shm_ring_prod **p, char *why, size_t whylen);

/* The default rules compiled in (rules/, each .yaml file): name and text. */
struct tr_rules_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct tr_rules_file tr_default_rules[];
extern const size_t tr_ndefault_rules;

#endif
