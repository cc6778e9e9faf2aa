/* Container ids from cgroups and container events (see eng_container.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_container.h"
#include "shm_json.h"
#include "eng_state.h"

/* A stream of made-up ids cannot grow the table without end. */
#define MAX_CONTAINERS 65536
#define NBUCKETS 1024

struct eng_containers {
	struct eng_container *buckets[NBUCKETS];
	size_t n;
	struct eng_container *tree; /* the static container, if any */
	uint64_t failures;
	/* The last cgroups matched and their result: a tree's processes
	 * mostly share their cgroups, and matching costs ~13k instructions. */
	char *last_cg;
	uint32_t last_len, last_cap;
	char last_id[256];
	struct eng_ct_match last_m;
};

static uint32_t hash(const char *s)
{
	uint32_t h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (uint8_t)*s) * 16777619u;
	return h % NBUCKETS;
}

int eng_containers_new(struct eng_containers **cs)
{
	*cs = calloc(1, sizeof(**cs));
	return *cs ? 0 : -ENOMEM;
}

static void entry_free(struct eng_container *c)
{
	if (!c)
		return;
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->imageid);
	free(c->imagerepo);
	free(c->imagetag);
	free(c->imagedigest);
	free(c->k8s_pod);
	free(c->k8s_ns);
	free(c);
}

void eng_containers_free(struct eng_containers *cs)
{
	if (!cs)
		return;
	for (size_t i = 0; i < NBUCKETS; i++) {
		struct eng_container *c = cs->buckets[i], *next;
		for (; c; c = next) {
			next = c->next;
			entry_free(c);
		}
	}
	free(cs->last_cg);
	free(cs);
}

static struct eng_container *find(const struct eng_containers *cs, const char *id)
{
	if (!cs || !id)
		return NULL;
	for (struct eng_container *c = cs->buckets[hash(id)]; c; c = c->next)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

const struct eng_container *eng_containers_find(const struct eng_containers *cs, const char *id)
{
	return find(cs, id);
}

const struct eng_container *eng_containers_tree(const struct eng_containers *cs)
{
	return cs ? cs->tree : NULL;
}

uint64_t eng_containers_failures(const struct eng_containers *cs)
{
	return cs ? cs->failures : 0;
}

/* A new entry: the id, every other string "". */
static struct eng_container *entry_new(const char *id, int type)
{
	struct eng_container *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->type = type;
	c->id = strdup(id);
	c->name = strdup("");
	c->image = strdup("");
	c->imageid = strdup("");
	c->imagerepo = strdup("");
	c->imagetag = strdup("");
	c->imagedigest = strdup("");
	c->k8s_pod = strdup("");
	c->k8s_ns = strdup("");
	if (!c->id || !c->name || !c->image || !c->imageid || !c->imagerepo || !c->imagetag ||
	    !c->imagedigest || !c->k8s_pod || !c->k8s_ns) {
		entry_free(c);
		return NULL;
	}
	return c;
}

/* Puts c in the table in place of any entry of its id (whose memory is
 * reused, so pointers to it stay valid). -ENOSPC (c freed, counted) when
 * the table is full. */
static int put(struct eng_containers *cs, struct eng_container *c)
{
	struct eng_container *old = find(cs, c->id);
	if (old) {
		struct eng_container tmp = *old;
		*old = *c;
		old->next = tmp.next;
		tmp.next = NULL;
		*c = tmp;
		entry_free(c);
		c = old;
	} else if (cs->n >= MAX_CONTAINERS) {
		cs->failures++;
		entry_free(c);
		return -ENOSPC;
	} else {
		uint32_t h = hash(c->id);
		c->next = cs->buckets[h];
		cs->buckets[h] = c;
		cs->n++;
	}
	if (c->type == ENG_CT_STATIC)
		cs->tree = c;
	return 0;
}

/* ---- matching ---- */

/* One cgroup path, not NUL-terminated in the event: a view. */
struct sv {
	const char *p;
	size_t n;
};

#define NPOS ((size_t)-1)

static size_t sv_find(struct sv s, const char *needle, size_t from)
{
	size_t m = strlen(needle);
	for (size_t i = from; i + m <= s.n; i++)
		if (!memcmp(s.p + i, needle, m))
			return i;
	return NPOS;
}

static size_t sv_rfind(struct sv s, const char *needle)
{
	size_t m = strlen(needle);
	if (m > s.n)
		return NPOS;
	for (size_t i = s.n - m + 1; i-- > 0;)
		if (!memcmp(s.p + i, needle, m))
			return i;
	return NPOS;
}

static void set_id(char *out, size_t cap, const char *p, size_t n)
{
	if (n >= cap)
		n = cap - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* runc-style runtimes: the path has PREFIX<64 hex digits>SUFFIX, prefix
 * and suffix found as their last occurrences. libsinsp's hex check looks
 * for the first non-hex character from the id on and rejects it only when
 * its offset in the whole path is below 64 (a quirk kept: sysdig accepts
 * ids with a bad character late in a long path). */
static int runc_match(struct sv s, const char *prefix, const char *suffix, char *out, size_t cap)
{
	size_t start = sv_rfind(s, prefix);
	if (start == NPOS)
		return 0;
	start += strlen(prefix);
	size_t end = suffix[0] ? sv_rfind(s, suffix) : s.n;
	if (end == NPOS || end - start != 64)
		return 0;
	size_t bad = start;
	while (bad < s.n && is_hex(s.p[bad]))
		bad++;
	if (bad < s.n && bad < 64)
		return 0;
	set_id(out, cap, s.p + start, 12);
	return 1;
}

struct layout {
	const char *prefix, *suffix;
};

static const struct layout docker_layouts[] = {
	{"/", ""}, {"/docker-", ".scope"}, {"/libpod-", ".scope"}, {NULL, NULL}};
/* "/" is there too, but docker's engine comes first and takes those */
static const struct layout cri_layouts[] = {
	{"/crio-", ""}, {"/cri-containerd-", ".scope"}, {"/crio-", ".scope"},
	{":cri-containerd:", ""}, {NULL, NULL}};

/* The cgroups as libsinsp splits them: the path is after the LAST '=';
 * an entry without '=' ends the list (the entries before it count). */
#define MAX_CGROUPS 64
static size_t split(const char *cg, uint32_t len, struct sv *v)
{
	size_t n = 0;
	for (uint32_t off = 0; off < len && n < MAX_CGROUPS;) {
		const char *s = cg + off;
		size_t l = strnlen(s, len - off);
		const char *eq = NULL;
		for (size_t i = 0; i < l; i++)
			if (s[i] == '=')
				eq = s + i;
		if (!eq)
			break;
		v[n].p = eq + 1;
		v[n].n = (size_t)(s + l - (eq + 1));
		n++;
		off += (uint32_t)l + 1;
	}
	return n;
}

static int runc_engine(const struct sv *v, size_t n, const struct layout *lay, char *out,
		       size_t cap)
{
	for (size_t i = 0; i < n; i++)
		for (const struct layout *l = lay; l->prefix; l++)
			if (runc_match(v[i], l->prefix, l->suffix, out, cap))
				return 1;
	return 0;
}

/* lxc: the path component after "/lxc/" or "/lxc.payload/". */
static int lxc_engine(const struct sv *v, size_t n, char *out, size_t cap)
{
	static const char *const marks[] = {"/lxc/", "/lxc.payload/"};
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			size_t pos = sv_find(v[i], marks[k], 0);
			if (pos == NPOS)
				continue;
			size_t a = pos + strlen(marks[k]);
			size_t b = sv_find(v[i], "/", a);
			set_id(out, cap, v[i].p + a, (b == NPOS ? v[i].n : b) - a);
			return 1;
		}
	return 0;
}

static int ends_with(struct sv s, const char *suf, size_t *pos)
{
	size_t m = strlen(suf);
	if (s.n < m || memcmp(s.p + s.n - m, suf, m))
		return 0;
	*pos = s.n - m;
	return 1;
}

/* libvirt-lxc: NAME.libvirt-lxc at the end, or systemd's
 * machine-lxc\x2dNAME.scope (the id starts one character after "\x2",
 * as libsinsp cuts it), or the legacy /libvirt/lxc/NAME (which lxc's
 * engine, asked first, always takes). */
static int libvirt_engine(const struct sv *v, size_t n, char *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		struct sv s = v[i];
		size_t pos = sv_find(s, ".libvirt-lxc", 0), end;
		if (pos != NPOS && pos + 12 == s.n) {
			size_t slash = NPOS;
			for (size_t k = 0; k < s.n; k++)
				if (s.p[k] == '/')
					slash = k;
			if (slash != NPOS) {
				set_id(out, cap, s.p + slash + 1, pos - slash - 1);
				return 1;
			}
		}
		pos = sv_find(s, "-lxc\\x2", 0);
		if (pos != NPOS) {
			size_t sc = sv_find(s, ".scope", 0);
			if (sc != NPOS && ends_with(s, ".scope", &end) && sc == end) {
				size_t a = pos + 8;
				set_id(out, cap, s.p + (a < s.n ? a : s.n), sc > a ? sc - a : 0);
				return 1;
			}
		}
		pos = sv_find(s, "/libvirt/lxc/", 0);
		if (pos != NPOS) {
			set_id(out, cap, s.p + pos + 13, s.n - pos - 13);
			return 1;
		}
	}
	return 0;
}

/* mesos: /mesos/<36-character uuid> to the end, and a task id. */
static int mesos_engine(const struct sv *v, size_t n, int (*task_id)(void *), void *arg,
			char *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		size_t pos = sv_find(v[i], "/mesos/", 0);
		if (pos == NPOS)
			continue;
		const char *id = v[i].p + pos + 7;
		size_t len = v[i].n - pos - 7, k = 0;
		while (k < len && (is_hex(id[k]) || id[k] == '-'))
			k++;
		if (len != 36 || k != len)
			continue;
		/* libsinsp decides on the first such path, task id or not */
		if (!task_id || !task_id(arg))
			return 0;
		set_id(out, cap, id, len);
		return 1;
	}
	return 0;
}

/* bpm: "bpm-ID" up to ".scope" (or the end), ID of [A-Za-z0-9._-]. */
static int bpm_engine(const struct sv *v, size_t n, char *out, size_t cap)
{
	for (size_t i = 0; i < n; i++) {
		size_t pos = sv_find(v[i], "bpm-", 0);
		if (pos == NPOS)
			continue;
		size_t a = pos + 4, b = sv_find(v[i], ".scope", a);
		if (b == NPOS)
			b = v[i].n;
		size_t k = a;
		while (k < b && (strchr("._-", v[i].p[k]) ||
				 (v[i].p[k] >= '0' && v[i].p[k] <= '9') ||
				 ((v[i].p[k] | 0x20) >= 'a' && (v[i].p[k] | 0x20) <= 'z')))
			k++;
		if (b > a && k == b) {
			set_id(out, cap, v[i].p + a, b - a);
			return 1;
		}
	}
	return 0;
}

void eng_container_match(const char *cgroups, uint32_t len, int (*task_id)(void *arg),
			 void *arg, char *out, size_t cap, struct eng_ct_match *m)
{
	struct sv v[MAX_CGROUPS];
	size_t n = cgroups ? split(cgroups, len, v) : 0;
	m->type = -1;
	m->has_meta = 0;
	out[0] = 0;
	if (runc_engine(v, n, docker_layouts, out, cap)) {
		m->type = ENG_CT_DOCKER;
		m->has_meta = 1;
		return;
	}
	/* cri-o/containerd: libsinsp keeps the id but, with no CRI socket to
	 * ask, makes no entry and lets the later engines try */
	if (runc_engine(v, n, cri_layouts, out, cap))
		m->type = ENG_CT_CRI;
	int t = lxc_engine(v, n, out, cap)		       ? ENG_CT_LXC
		: libvirt_engine(v, n, out, cap)	       ? ENG_CT_LIBVIRT_LXC
		: mesos_engine(v, n, task_id, arg, out, cap) ? ENG_CT_MESOS
		: bpm_engine(v, n, out, cap)		       ? ENG_CT_BPM
							       : -1;
	if (t >= 0) {
		m->type = t;
		m->has_meta = 1;
	}
	if (!out[0]) /* an empty id is the host's */
		m->type = -1;
}

/* ---- threads ---- */

/* The value of NAME in a NUL-separated environment, or NULL. */
static const char *env_get(const char *env, uint32_t len, const char *name)
{
	size_t nl = strlen(name);
	for (uint32_t off = 0; env && off < len;) {
		const char *s = env + off;
		size_t l = strnlen(s, len - off);
		if (l > nl && !memcmp(s, name, nl) && s[nl] == '=')
			return s + nl + 1;
		off += (uint32_t)l + 1;
	}
	return NULL;
}

struct task_arg {
	struct eng_state *st;
	struct eng_thread *t;
	int asked; /* the match depended on the thread (mesos): not cached */
};

/* libsinsp's mesos task id: MESOS_TASK_ID, mesos_task_id or
 * MESOS_EXECUTOR_ID of the thread or its nearest ancestor that has one;
 * valid when 3 characters or more with a '.' or '_'. */
static int mesos_task_id(void *argp)
{
	struct task_arg *a = argp;
	a->asked = 1;
	static const char *const vars[] = {"MESOS_TASK_ID", "mesos_task_id", "MESOS_EXECUTOR_ID"};
	struct eng_thread *t = a->t;
	for (int depth = 0; t && depth < 256; depth++) {
		struct eng_thread *m = eng_state_main_thread(a->st, t);
		for (int k = 0; k < 3; k++) {
			const char *v = env_get(m->env, m->env_len, vars[k]);
			if (v && v[0])
				return strlen(v) >= 3 && strpbrk(v, "._") != NULL;
		}
		struct eng_thread *p = eng_state_parent(a->st, t);
		t = p == m ? NULL : p;
	}
	return 0;
}

void eng_container_set_thread(struct eng_state *st, struct eng_thread *t, const char *cgroups,
			      uint32_t len)
{
	char id[256];
	struct eng_ct_match m;
	struct task_arg a = {st, t, 0};
	struct eng_containers *cs = st->containers;
	if (cs && cs->last_cg && cs->last_len == len && !memcmp(cs->last_cg, cgroups, len)) {
		memcpy(id, cs->last_id, sizeof(id));
		m = cs->last_m;
	} else {
		eng_container_match(cgroups, len, mesos_task_id, &a, id, sizeof(id), &m);
		if (!cs && !eng_containers_new(&st->containers))
			cs = st->containers;
		if (cs && !a.asked) {
			if (len > cs->last_cap) {
				char *nb = realloc(cs->last_cg, len);
				if (nb) {
					cs->last_cg = nb;
					cs->last_cap = len;
				}
			}
			if (len <= cs->last_cap && (len || cs->last_cg)) {
				if (len)
					memcpy(cs->last_cg, cgroups, len);
				cs->last_len = len;
				memcpy(cs->last_id, id, sizeof(id));
				cs->last_m = m;
			} else {
				cs->last_len = 0;
				free(cs->last_cg);
				cs->last_cg = NULL;
				cs->last_cap = 0;
			}
		} else if (cs && cs->last_cg) {
			free(cs->last_cg); /* invalidate */
			cs->last_cg = NULL;
			cs->last_len = cs->last_cap = 0;
		}
	}
	if (m.type < 0) {
		free(t->container_id);
		t->container_id = NULL;
		return;
	}
	if (!t->container_id || strcmp(t->container_id, id)) {
		char *s = strdup(id);
		if (!s) {
			st->alloc_failures++;
			return; /* keeps what it had */
		}
		free(t->container_id);
		t->container_id = s;
	}
	if (!m.has_meta)
		return;
	if (!st->containers && eng_containers_new(&st->containers)) {
		st->alloc_failures++;
		return;
	}
	if (find(st->containers, id))
		return;
	struct eng_container *c = entry_new(id, m.type);
	if (!c || (m.type != ENG_CT_DOCKER && (free(c->name), !(c->name = strdup(id))))) {
		entry_free(c);
		st->containers->failures++;
		st->alloc_failures++;
		return;
	}
	if (put(st->containers, c))
		st->alloc_failures++; /* reported with the state's other losses */
}

/* ---- container events: their JSON (shm_json.h) ---- */

/* The members of the "container" object this engine keeps. */
struct jc {
	char id[256], name[256], image[512], imageid[256], imagerepo[512], imagetag[256],
		imagedigest[256], k8s_pod[256], k8s_ns[256];
	long type;
	int privileged;
	int has_id;
};

static char *member_buf(struct jc *c, const char *key, size_t *cap)
{
	static const char *const keys[] = {"id", "name", "image", "imageid", "imagerepo",
					   "imagetag", "imagedigest"};
	char *bufs[] = {c->id, c->name, c->image, c->imageid, c->imagerepo, c->imagetag,
			c->imagedigest};
	size_t caps[] = {sizeof(c->id), sizeof(c->name), sizeof(c->image), sizeof(c->imageid),
			 sizeof(c->imagerepo), sizeof(c->imagetag), sizeof(c->imagedigest)};
	for (int k = 0; k < 7; k++)
		if (!strcmp(key, keys[k])) {
			*cap = caps[k];
			return bufs[k];
		}
	return NULL;
}

/* "labels": the two Kubernetes labels kept, the rest skipped. */
static int label_member(struct shm_json *j, const char *key, void *ctx)
{
	struct jc *c = ctx;
	char *b = !strcmp(key, "io.kubernetes.pod.name")	? c->k8s_pod
		  : !strcmp(key, "io.kubernetes.pod.namespace") ? c->k8s_ns
								: NULL;
	return b && j->p < j->end && *j->p == '"' ? shm_json_string(j, b, sizeof(c->k8s_pod))
						   : shm_json_skip(j);
}

static int container_member(struct shm_json *j, const char *key, void *ctx)
{
	struct jc *c = ctx;
	size_t cap;
	char *b = member_buf(c, key, &cap);
	if (b && j->p < j->end && *j->p == '"') {
		if (shm_json_string(j, b, cap))
			return -1;
		if (b == c->id)
			c->has_id = 1;
	} else if (!strcmp(key, "type") && j->p < j->end &&
		   ((*j->p >= '0' && *j->p <= '9') || *j->p == '-')) {
		char *e;
		c->type = strtol(j->p, &e, 10);
		if (e > j->end)
			return -1;
		j->p = e;
	} else if (!strcmp(key, "labels") && j->p < j->end && *j->p == '{') {
		return shm_json_object(j, label_member, c);
	} else if (!strcmp(key, "privileged") && j->end - j->p >= 4 &&
		   !memcmp(j->p, "true", 4)) {
		c->privileged = 1;
		j->p += 4;
	} else {
		return shm_json_skip(j);
	}
	return 0;
}

/* The event's top level: the "container" object read, the rest of the
 * text not (as libsinsp takes it). */
static int top_member(struct shm_json *j, const char *key, void *ctx)
{
	if (strcmp(key, "container"))
		return shm_json_skip(j);
	return shm_json_object(j, container_member, ctx) ? -1 : 1;
}

/* A CHARBUF parameter into buf (cut to cap, NUL-terminated). */
static void param_copy(const struct shm_evt *e, unsigned i, char *buf, size_t cap)
{
	uint32_t len = shm_evt_len(e, i);
	size_t n = len ? strnlen((const char *)e->val[i], len) : 0;
	set_id(buf, cap, n ? (const char *)e->val[i] : "", n);
}

/* The old container event (id, type, name, image parameters). */
static int parse_old_event(const struct shm_evt *e, struct jc *c)
{
	uint64_t type;
	if (shm_evt_word(e, SHM_P_CONTAINER_E_TYPE, &type) != sizeof(uint32_t))
		return -1;
	c->type = (uint32_t)type;
	param_copy(e, SHM_P_CONTAINER_E_ID, c->id, sizeof(c->id));
	param_copy(e, SHM_P_CONTAINER_E_NAME, c->name, sizeof(c->name));
	param_copy(e, SHM_P_CONTAINER_E_IMAGE, c->image, sizeof(c->image));
	c->has_id = 1;
	return 0;
}

SHM_SAME_PARAM(CONTAINER_JSON_2_E_JSON, CONTAINER_JSON_E_JSON);
static int parse_json_event(const struct shm_evt *e, struct jc *c)
{
	const unsigned i = SHM_P_CONTAINER_JSON_E_JSON;
	if (e->nparams <= i)
		return -1;
	struct shm_json j;
	shm_json_init(&j, (const char *)e->val[i], e->vlen[i]);
	/* a NUL ends the text */
	const char *nul = memchr(j.p, 0, (size_t)(j.end - j.p));
	if (nul)
		j.end = nul;
	return shm_json_object(&j, top_member, c) == 1 ? 0 : -1;
}

void eng_container_event(struct eng_state *st, const struct shm_evt *e)
{
	if (e->type != SHM_EV_CONTAINER_JSON_E && e->type != SHM_EV_CONTAINER_JSON_2_E &&
	    e->type != SHM_EV_CONTAINER_E)
		return;
	struct jc *c = calloc(1, sizeof(*c));
	if (!c) {
		st->alloc_failures++;
		return;
	}
	if (e->type == SHM_EV_CONTAINER_E ? parse_old_event(e, c) : parse_json_event(e, c))
		goto out;
	if (!c->has_id || !c->id[0] || c->type < 0 || c->type > 0xffff)
		goto out;
	if (!st->containers && eng_containers_new(&st->containers)) {
		st->alloc_failures++;
		goto out;
	}
	/* sysdig keeps what it knows of an id when an event gives it
	 * another runtime */
	const struct eng_container *old = find(st->containers, c->id);
	if (old && old->type != (int)c->type)
		goto out;
	struct eng_container *n = entry_new(c->id, (int)c->type);
	if (!n)
		goto nomem;
	n->privileged = (uint8_t)c->privileged;
	char **dst[] = {&n->name, &n->image, &n->imageid, &n->imagerepo, &n->imagetag,
			&n->imagedigest, &n->k8s_pod, &n->k8s_ns};
	const char *src[] = {c->name, c->image, c->imageid, c->imagerepo, c->imagetag,
			     c->imagedigest, c->k8s_pod, c->k8s_ns};
	/* The traced tree's container is announced by pdig, and again (the same
	 * record) to each new consumer; what came later from elsewhere
	 * (pdig-trace's metadata, read after pdig started) must survive that
	 * repeat: an empty field of a static container keeps what was known. */
	const char *const oldv[] = {old ? old->name : NULL, old ? old->image : NULL,
				    old ? old->imageid : NULL, old ? old->imagerepo : NULL,
				    old ? old->imagetag : NULL, old ? old->imagedigest : NULL,
				    old ? old->k8s_pod : NULL, old ? old->k8s_ns : NULL};
	for (int k = 0; k < 8; k++) {
		if (!src[k][0] && old && c->type == ENG_CT_STATIC && oldv[k])
			src[k] = oldv[k];
		char *s = strdup(src[k]);
		if (!s) {
			entry_free(n);
			goto nomem;
		}
		free(*dst[k]);
		*dst[k] = s;
	}
	if (put(st->containers, n))
		st->alloc_failures++;
	goto out;
nomem:
	st->containers->failures++;
	st->alloc_failures++;
out:
	free(c);
}

const char *eng_container_type_name(int type)
{
	static const char *const names[] = {"docker", "lxc", "libvirt-lxc", "mesos", "rkt",
					    "custom", "cri", "containerd", "cri-o", "bpm",
					    "static", "podman"};
	return type >= 0 && type <= ENG_CT_PODMAN ? names[type] : NULL;
}

int eng_container_knows_privileged(int type)
{
	return type == ENG_CT_DOCKER || type == ENG_CT_CRI || type == ENG_CT_CONTAINERD ||
	       type == ENG_CT_CRIO || type == ENG_CT_PODMAN;
}
