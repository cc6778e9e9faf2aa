/*
 * pdig-trace: one command per deployment. Starts pdig-engine on a private
 * ring, then pdig on the command (or attached to running processes), and
 * stays the parent of both so the engine can read everything pdig wrote
 * after pdig has gone. See trace/README.md.
 *
 * Modules: main.c (the two children, signals, exit status), options.c
 * (the command line), paths.c (where pdig, pdig-engine and the rules are,
 * the private directory), procs.c (processes found in /proc), metajob.c
 * (the metadata thread and pdig's container options), meta.c (what the
 * container is: ECS task metadata, Kubernetes' downward API), announce.c
 * (metadata that came late), embedded rules generated from the .yaml files
 * of rules/ at build time.
 */
#ifndef TRACE_H
#define TRACE_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#define TR_EXIT_USAGE 2
#define TR_EXIT_FAIL 125 /* pdig-trace's own failure, as pdig's and docker's */
#define TR_MAX_ARGS 256

/* ---- options.c: the command line ---- */

/* An argv being built (NULL-terminated). */
struct tr_argv {
	char *v[TR_MAX_ARGS + 1];
	int n;
};
/* Appends s; too many is a usage error. */
void tr_add_arg(struct tr_argv *a, const char *s);

struct tr_opts {
	const char *pids;
	const char *name; /* -n: attach by name */
	int wait_s;
	int tree, no_inject;
	struct tr_argv pdig_extra, engine_extra;
	const char *rules[64];
	int nrules;
	int text, no_default_rules, verbose;
	const char *extra; /* NULL: the default */
	int metadata_ms;
	int drain_s;
	const char *output; /* --output */
	int stdin_stop;
	char **cmd;
};
/* Fills o from argv; --help and --version exit 0, a usage error exits
 * TR_EXIT_USAGE with one line and a pointer to --help. */
void tr_parse_args(int argc, char **argv, struct tr_opts *o);
_Noreturn void tr_usage_error(const char *fmt, const char *arg);

/* ---- paths.c: where things are ---- */

struct tr_dirs {
	char self[PATH_MAX];  /* pdig-trace's own directory ("" unknown) */
	/* the private directory (owner-only, mkdtemp): the engine's socket and,
	 * when needed, the rules built in */
	char work[PATH_MAX], sock[PATH_MAX];
	char rules[PATH_MAX]; /* the default rules' directory */
};
void tr_find_self(struct tr_dirs *d, const char *argv0);
/* name beside pdig-trace, then in PATH: 0 with the path in out, -ENOENT */
int tr_find_program(const struct tr_dirs *d, const char *name, char *out, size_t cap);
/* 0, or -EROFS after saying what to mount */
int tr_make_work_dir(struct tr_dirs *d);
void tr_remove_work_dir(struct tr_dirs *d);
/* d->rules: beside the binary, else the copy built in written to the
 * private directory. 0, or -errno after saying why. */
int tr_use_default_rules(struct tr_dirs *d, const struct tr_opts *o);

/* ---- procs.c: processes found in /proc ---- */

/* The command pdig runs: the child of pdig's front that pdig's tracer
 * traces. 0 if not found. */
pid_t tr_find_command(pid_t front);
/* The processes named name, pdig-trace and its children left out, as a
 * comma-separated list in out: how many. */
int tr_find_by_name(const char *name, char *out, size_t cap);

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

/* ---- metajob.c: the metadata, read while the engine loads its rules ---- */

struct tr_meta_job {
	struct tr_meta m;
	int timeout_ms;
	int rc;
	char why[256];
	int done_fd; /* a byte written here when done: the main loop polls it */
};
/* The thread's body: tr_meta_read(), then a byte to done_fd. */
void *tr_meta_thread(void *arg);
void tr_meta_failed(const struct tr_meta_job *j);
/* pdig's container options from j (before the user's --pdig ones: later
 * ones win); the id pdig will use in pdig_id ("" when none). */
void tr_meta_args(struct tr_argv *a, const struct tr_meta_job *j, int verbose, char *pdig_id,
		  size_t cap);

/* The default rules compiled in (rules/, each .yaml file): name and text. */
struct tr_rules_file {
	const char *name;
	const char *text;
	size_t len;
};
extern const struct tr_rules_file tr_default_rules[];
extern const size_t tr_ndefault_rules;

#endif
