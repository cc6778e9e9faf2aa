/*
 * Container ids from cgroups, and container metadata from container
 * events, the way sysdig 0.29.3 (libsinsp of early 2022) derives them when
 * it reads a capture, with no runtime daemon to ask.
 *
 * A thread's id is worked out once, when its cgroups arrive (process list,
 * clone exit, execve exit), by libsinsp's engines in its order: docker
 * (also kubepods, ECS and root podman paths: a 64-digit hex id, kept as its
 * first 12 characters), cri-o/containerd (id only, no metadata), lxc,
 * libvirt-lxc, mesos (with a task id in the environment), bpm. The table
 * of containers holds what is known of each id: the entries the engines
 * make (docker: type only; lxc, libvirt-lxc, mesos, bpm: name = id) and
 * those container events (container_json) describe.
 *
 * A container event of type "static" (10) names the container of the
 * traced tree (pdig --container-id): threads whose cgroups give no id are
 * in it, as libsinsp's static container engine puts every thread in one.
 */
#ifndef ENG_CONTAINER_H
#define ENG_CONTAINER_H

#include <stddef.h>
#include <stdint.h>

#include "shm_event.h"

/* libsinsp's sinsp_container_type numbers (the "type" of container events). */
enum eng_ct_type {
	ENG_CT_DOCKER = 0, ENG_CT_LXC = 1, ENG_CT_LIBVIRT_LXC = 2, ENG_CT_MESOS = 3,
	ENG_CT_RKT = 4, ENG_CT_CUSTOM = 5, ENG_CT_CRI = 6, ENG_CT_CONTAINERD = 7,
	ENG_CT_CRIO = 8, ENG_CT_BPM = 9, ENG_CT_STATIC = 10, ENG_CT_PODMAN = 11
};

/* What is known of one container; strings are "" when not known. */
struct eng_container {
	char *id;
	int type;
	char *name, *image, *imageid, *imagerepo, *imagetag, *imagedigest;
	/* Kubernetes, from the labels io.kubernetes.pod.name and
	 * io.kubernetes.pod.namespace (libsinsp's source for k8s.pod.name and
	 * k8s.ns.name without an API server) */
	char *k8s_pod, *k8s_ns;
	uint8_t privileged;
	struct eng_container *next; /* same hash */
};

struct eng_containers;
struct eng_state;
struct eng_thread;

int eng_containers_new(struct eng_containers **cs);
void eng_containers_free(struct eng_containers *cs);

/* The container with this id, or NULL. */
const struct eng_container *eng_containers_find(const struct eng_containers *cs, const char *id);
/* The traced tree's container (a static container event), or NULL. */
const struct eng_container *eng_containers_tree(const struct eng_containers *cs);
/* Memory shortage lost an id or a table entry (counted, never silent). */
uint64_t eng_containers_failures(const struct eng_containers *cs);

/* The id libsinsp's engines give a thread with these cgroups ("subsys=path"
 * strings, each NUL-terminated): written to out (NUL-terminated, cut to
 * cap), and its engine's type; -1 when no engine matches or the id is
 * empty (host). An entry without '=' ends the list, as in libsinsp. env/parent: for mesos' task id, may be NULL. Adds nothing. */
struct eng_ct_match {
	int type;     /* enum eng_ct_type; -1: host */
	int has_meta; /* the engine makes a table entry (cri does not) */
};
void eng_container_match(const char *cgroups, uint32_t len,
			 int (*task_id)(void *arg), void *arg, char *out, size_t cap,
			 struct eng_ct_match *m);

/* Sets t->container_id from cgroups (NULL for host) and adds the table
 * entry the engine makes. Cgroups arrive with the process list, clone and
 * execve exits; nothing is matched when fields are read. */
void eng_container_set_thread(struct eng_state *st, struct eng_thread *t, const char *cgroups,
			      uint32_t len);

/* A container event (container_json, container_json_2): adds the container
 * it describes, or replaces what was known when the type agrees. */
void eng_container_event(struct eng_state *st, const struct shm_evt *e);

/* The container.type text of a type number; NULL when it has none. */
const char *eng_container_type_name(int type);
/* libsinsp knows the privileged flag of these runtimes only. */
int eng_container_knows_privileged(int type);

#endif
