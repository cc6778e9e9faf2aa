/*
 * The traced tree's container id (pdig --container-id ID), for platforms
 * whose cgroups say nothing (cgroup v2 namespaces show "0::/", Fargate).
 *
 * It travels as the first event: a container event (container_json_2, as
 * libsinsp writes them) of type "static" (10), libsinsp's type for an id
 * given from outside. pdig-engine then reports that id for every thread
 * whose cgroups give none. sysdig reads the event too and learns the
 * container's metadata, but keeps such threads on the host (its static
 * engine is never enabled when it reads a capture): engine/DIFFERENCES.md.
 *
 * Without the option, ECS's ECS_CONTAINER_METADATA_URI_V4 (or _URI, v3)
 * gives the id: the agent sets it in every task container, and its last
 * path element is the container's runtime id. pdig's own cgroup is not
 * used: where it names a container, the threads' cgroups (which pdig
 * records) name the same one, and where it does not, it says nothing.
 *
 * Where neither gives one, the traced tree is still a container (pdig
 * traces one by definition), so that rules with a `container` condition
 * apply: the id comes from the runtime's own files bind-mounted into it
 * (docker and podman mount /etc/hostname, /etc/hosts and /etc/resolv.conf
 * from .../containers/<64 hex>/..., which /proc/ROOT/mountinfo shows even
 * where cgroup v2 namespaces hide the id), else from a hostname docker
 * made (the id's first 12 hex digits), else it is made up once per run (12
 * random hex digits). --container-id '' keeps the tree on the host.
 *
 * --container-name, --container-image, --container-image-id and
 * --container-label KEY=VALUE describe it further (pdig-trace reads them
 * from ECS's metadata endpoint or Kubernetes' downward API): the event then
 * carries them as libsinsp's container_json does, the image also split
 * into repository, tag and digest, so pdig-engine shows container.name,
 * container.image*, and k8s.pod.name / k8s.ns.name from the labels
 * io.kubernetes.pod.name / io.kubernetes.pod.namespace.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "pdig.h"
#include "shm_container.h"

#define META_MAX 512     /* longest name, image, image id, label key or value */
#define LABELS_MAX 16

static const char *meta[3];              /* name, image, image id */
static const char *labels[LABELS_MAX];   /* "KEY=VALUE" */
static size_t nlabels;

int pd_container_meta(enum pd_ct_meta what, const char *value)
{
	size_t n = strlen(value);
	if (n > META_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)value[i] < 0x20)
			return -EINVAL; /* no control characters: they end up in alerts */
	if (what != PD_CT_LABEL) {
		meta[what] = value;
		return 0;
	}
	const char *eq = strchr(value, '=');
	if (!eq || eq == value)
		return -EINVAL;
	for (size_t i = 0; i < nlabels; i++) /* a key given again: the last one */
		if (!strncmp(labels[i], value, (size_t)(eq - value) + 1)) {
			labels[i] = value;
			return 0;
		}
	if (nlabels >= LABELS_MAX)
		return -ENOSPC;
	labels[nlabels++] = value;
	return 0;
}

int pd_container_id_check(const char *id)
{
	size_t n = strlen(id);
	if (n > PD_CONTAINER_ID_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-' || c == ':'))
			return -EINVAL;
	}
	return 0;
}

int pd_container_env_id(char *out, size_t cap, const char **from)
{
	int rc = shm_container_ecs_id(out, cap, from);
	return rc == 1 && pd_container_id_check(out) ? -EINVAL : rc;
}

static int is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

/* The runtime's id in the source of a file it bind-mounts into the
 * container: "<...>containers/<64 hex>/..." (docker: /var/lib/docker/
 * containers/ID/hostname; podman: .../overlay-containers/ID/userdata/...),
 * cut to 12 as docker shows it. 1 with it in out, 0 when none. */
static int id_from_mountinfo(pid_t pid, char out[13])
{
	char path[64], line[4096];
	snprintf(path, sizeof path, "/proc/%d/mountinfo", (int)pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	int found = 0;
	while (!found && fgets(line, sizeof line, f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT ...: the 4th and 5th fields */
		char *fld[5], *save = NULL, *tok = strtok_r(line, " ", &save);
		int n = 0;
		for (; tok && n < 5; tok = strtok_r(NULL, " ", &save))
			fld[n++] = tok;
		if (n < 5 || (strcmp(fld[4], "/etc/hostname") && strcmp(fld[4], "/etc/hosts") &&
			      strcmp(fld[4], "/etc/resolv.conf")))
			continue;
		for (char *c = strstr(fld[3], "containers/"); c; c = strstr(c + 1, "containers/")) {
			char *id = c + 11;
			if (strlen(id) >= 65 && is_hex(id, 64) && id[64] == '/') {
				memcpy(out, id, 12);
				out[12] = 0;
				found = 1;
				break;
			}
		}
	}
	fclose(f);
	return found;
}

/* docker names a container's host after its id's first 12 digits */
static int id_from_hostname(char out[13])
{
	struct utsname u;
	if (uname(&u) || strlen(u.nodename) != 12 || !is_hex(u.nodename, 12))
		return 0;
	memcpy(out, u.nodename, 13);
	return 1;
}

static int id_generated(char out[13])
{
	unsigned char r[6];
	if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
		return -errno;
	for (int i = 0; i < 6; i++)
		snprintf(out + 2 * i, 3, "%02x", r[i]);
	return 0;
}

/* The id when no option and no ECS variable give one (see the top). */
static const char *default_id(struct pd_tracer *tr, char out[13])
{
	const char *how = "the runtime's mounts";
	if (!id_from_mountinfo(tr->root > 0 ? tr->root : getpid(), out)) {
		how = "the hostname";
		if (!id_from_hostname(out)) {
			how = "made up for this run";
			if (id_generated(out) < 0)
				return NULL;
		}
	}
	if (tr->opts->verbose)
		fprintf(stderr, "pdig: container id %s (%s)\n", out, how);
	return out;
}

/* The event as announced, for an engine that attaches later (the ring's
 * snapshot re-send): one per pdig process, as the option is. */
static uint8_t ct_rec[16384];
static uint32_t ct_len;

int pd_container_record(const void **rec, uint32_t *len)
{
	if (!ct_len)
		return -ENOENT;
	*rec = ct_rec;
	*len = ct_len;
	return 0;
}

/* id as a JSON string: pd_container_id_check() allows nothing to escape. */
int pd_container_announce(struct pd_tracer *tr, const char *id)
{
	char envid[PD_CONTAINER_ID_MAX + 1];
	if (!id) {
		const char *from = NULL;
		int rc = pd_container_env_id(envid, sizeof envid, &from);
		if (rc < 0 && !tr->opts->quiet)
			fprintf(stderr, "pdig: no container id at the end of $%s: another one is "
				"used; give --container-id ID\n", from);
		id = rc > 0 ? envid : default_id(tr, envid);
		if (!id)
			return 0; /* no randomness: the host's, as with '' */
	}
	if (!id[0]) { /* --container-id '': none, not even from the environment */
		if ((meta[PD_CT_NAME] || meta[PD_CT_IMAGE] || meta[PD_CT_IMAGE_ID] || nlabels) &&
		    !tr->opts->quiet)
			fprintf(stderr, "pdig: the container's name, image and labels need its id: "
				"give --container-id ID too\n");
		return 0;
	}
	if (pd_container_id_check(id))
		return -EINVAL;
	struct shm_ct_label lab[LABELS_MAX];
	for (size_t i = 0; i < nlabels; i++) {
		const char *eq = strchr(labels[i], '=');
		lab[i] = (struct shm_ct_label){labels[i], eq + 1, (size_t)(eq - labels[i]),
					       strlen(eq + 1)};
	}
	struct shm_ct_desc d = {id, meta[PD_CT_NAME], meta[PD_CT_IMAGE], meta[PD_CT_IMAGE_ID],
				lab, nlabels};
	int len = shm_container_event(ct_rec, sizeof ct_rec, pd_now(), &d);
	if (len < 0) {
		tr->st.drop_encode++;
		return len;
	}
	ct_len = (uint32_t)len;
	pd_out_event(tr->out, ct_rec, ct_len);
	return 0;
}
