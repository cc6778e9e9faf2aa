/*
 * The container's metadata, asked in a thread of its own while the engine
 * loads its rules (trace.h), and turned into pdig's container options.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "trace.h"

void *tr_meta_thread(void *arg)
{
	struct tr_meta_job *j = arg;
	j->rc = tr_meta_read(&j->m, j->timeout_ms, j->why, sizeof j->why);
	const char b = 1;
	while (write(j->done_fd, &b, 1) < 0 && errno == EINTR)
		;
	return NULL;
}

static int id_ok(const char *id)
{
	size_t n = strlen(id);
	return n && n <= 128 &&
	       strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-:") == n;
}

static int text_ok(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20)
			return 0;
	return 1;
}

void tr_meta_failed(const struct tr_meta_job *j)
{
	fprintf(stderr, "pdig-trace: no container metadata from ECS (%s): alerts show the "
			"id at the end of the endpoint's address only\n", j->why);
}

/* pdig's container options, before the user's --pdig ones (later ones win);
 * the id pdig will use in pdig_id ("" when none) */
void tr_meta_args(struct tr_argv *a, const struct tr_meta_job *j, int verbose, char *pdig_id,
		  size_t cap)
{
	static char lab[3][320];
	const struct tr_meta *m = &j->m;
	if (j->rc)
		tr_meta_failed(j);
	if (m->id[0] && !id_ok(m->id)) {
		fprintf(stderr, "pdig-trace: the container id '%s' is not usable (letters, digits, "
				"'.', '_', '-', ':', 128 at most): left out\n", m->id);
	} else if (m->id[0]) {
		tr_add_arg(a, "--container-id");
		tr_add_arg(a, m->id);
	}
	if (m->id[0] && id_ok(m->id))
		snprintf(pdig_id, cap, "%s", m->id);
	else if (tr_uri_id(pdig_id, cap) <= 0 || !id_ok(pdig_id))
		pdig_id[0] = 0; /* pdig's own default: the end of the URI */
	const char *flags[] = {"--container-name", "--container-image", "--container-image-id"};
	const char *vals[] = {m->name, m->image, m->image_id};
	for (int i = 0; i < 3; i++) {
		if (!vals[i][0])
			continue;
		if (!text_ok(vals[i])) {
			fprintf(stderr, "pdig-trace: %s has control characters: left out\n", flags[i]);
			continue;
		}
		tr_add_arg(a, flags[i]);
		tr_add_arg(a, vals[i]);
	}
	const char *keys[] = {"io.kubernetes.pod.name", "io.kubernetes.pod.namespace",
			      "io.kubernetes.pod.uid"};
	const char *kv[] = {m->pod_name, m->pod_ns, m->pod_uid};
	for (int i = 0; i < 3; i++) {
		if (!kv[i][0] || !text_ok(kv[i]))
			continue;
		snprintf(lab[i], sizeof lab[i], "%s=%s", keys[i], kv[i]);
		tr_add_arg(a, "--container-label");
		tr_add_arg(a, lab[i]);
	}
	if (verbose)
		fprintf(stderr, "pdig-trace: container: id '%s' name '%s' image '%s' pod '%s/%s'%s%s\n",
			m->id, m->name, m->image, m->pod_ns, m->pod_name, m->source ? " from " : "",
			m->source ? m->source : "");
}
