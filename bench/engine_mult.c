/*
 * bench/engine_mult: makes a large capture out of a small one by replaying
 * its events many times, as if the recorded workload had run again and again
 * on the same machine, several runs overlapping in time.
 *
 *	engine_mult [-c COPIES | -e EVENTS] [-j OVERLAP] IN.scap OUT.scap
 *
 * Copy k of the workload gets its own threads: every thread id the input's
 * events come from (and every child a clone-like exit reports) is moved to
 * tid + k * STRIDE, in the event headers and in every PID-typed parameter
 * holding one of those ids; the threads of the process list that the events
 * use are listed once per copy, with their fds. Other ids (a parent outside
 * the workload, kill() of a foreign pid) are kept. Timestamps of copy k are
 * shifted by k * span / OVERLAP, and the copies are merged in time order, so
 * about OVERLAP copies run at once (more live threads, events of different
 * processes interleaved, as on a busy host).
 *
 * The input is read whole into memory (it is meant to be a few MB).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"
#include "shm_scap.h"

struct rec {
	size_t off;    /* of the record in the arena */
	uint32_t len;
	uint32_t flags;
	uint16_t cpuid;
};

struct input {
	uint8_t *arena;
	size_t used, cap;
	struct rec *recs;
	size_t n, nalloc;
	uint64_t first_ts, last_ts;
	uint64_t *tids; /* the ids to move, sorted */
	size_t ntids, tidcap;
};

static int add_tid(struct input *in, uint64_t tid)
{
	for (size_t i = 0; i < in->ntids; i++)
		if (in->tids[i] == tid)
			return 0;
	if (in->ntids == in->tidcap) {
		size_t cap = in->tidcap ? in->tidcap * 2 : 256;
		uint64_t *t = realloc(in->tids, cap * sizeof(*t));
		if (!t)
			return -ENOMEM;
		in->tids = t;
		in->tidcap = cap;
	}
	in->tids[in->ntids++] = tid;
	return 0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return x < y ? -1 : x > y;
}

static int moved(const struct input *in, uint64_t tid)
{
	return bsearch(&tid, in->tids, in->ntids, sizeof(tid), cmp_u64) != NULL;
}

/* Keeps a copy of the record and notes the thread ids it brings in. */
static int load_event(struct input *in, const struct shm_scap_item *it)
{
	const struct shm_evt *ev = &it->evt;
	if (in->used + ev->len > in->cap) {
		size_t cap = in->cap ? in->cap * 2 : (4u << 20);
		while (cap < in->used + ev->len)
			cap *= 2;
		uint8_t *a = realloc(in->arena, cap);
		if (!a)
			return -ENOMEM;
		in->arena = a;
		in->cap = cap;
	}
	if (in->n == in->nalloc) {
		size_t cap = in->nalloc ? in->nalloc * 2 : 65536;
		struct rec *r = realloc(in->recs, cap * sizeof(*r));
		if (!r)
			return -ENOMEM;
		in->recs = r;
		in->nalloc = cap;
	}
	memcpy(in->arena + in->used, ev->raw, ev->len);
	in->recs[in->n++] = (struct rec){.off = in->used, .len = ev->len,
					 .flags = it->flags, .cpuid = it->cpuid};
	in->used += ev->len;
	if (in->n == 1 || ev->ts < in->first_ts)
		in->first_ts = ev->ts;
	if (ev->ts > in->last_ts)
		in->last_ts = ev->ts;
	/* tid -1: an event of no thread (pdig's container event) */
	int rc = ev->tid == UINT64_MAX ? 0 : add_tid(in, ev->tid);
	/* a clone-like exit names the child, which may never make an event */
	if (!rc && !shm_event_is_enter(ev->type) && ev->nparams > 0 &&
	    ev->info->params[0].type == SHM_PT_PID && ev->vlen[0] == 8) {
		int64_t child;
		memcpy(&child, ev->val[0], 8);
		if (child > 0)
			rc = add_tid(in, (uint64_t)child);
	}
	return rc;
}

static uint64_t shift_id(const struct input *in, uint64_t id, uint64_t delta)
{
	return moved(in, id) ? id + delta : id;
}

/* Writes copy `delta` of one record (ids moved by delta, time by dts). */
static int emit(struct shm_scap_writer *w, const struct input *in, const struct rec *r,
		uint64_t delta, uint64_t dts, uint8_t *buf)
{
	memcpy(buf, in->arena + r->off, r->len);
	struct shm_evt ev;
	char why[128];
	int rc = shm_evt_decode(&ev, buf, r->len, why, sizeof(why));
	if (rc) {
		fprintf(stderr, "engine_mult: a record no longer decodes: %s\n", why);
		return rc;
	}
	uint64_t ts = ev.ts + dts, tid = shift_id(in, ev.tid, delta);
	memcpy(buf + offsetof(struct shm_evt_hdr, ts), &ts, 8);
	memcpy(buf + offsetof(struct shm_evt_hdr, tid), &tid, 8);
	for (uint32_t i = 0; i < ev.nparams; i++) {
		if (ev.info->params[i].type != SHM_PT_PID || ev.vlen[i] != 8)
			continue;
		uint64_t v;
		memcpy(&v, ev.val[i], 8);
		v = shift_id(in, v, delta);
		memcpy(buf + (ev.val[i] - buf), &v, 8);
	}
	return shm_scap_write_event(w, r->cpuid, r->flags, buf, r->len);
}

/* The input's metadata, with the workload's threads listed once per copy. */
static int write_metadata(struct shm_scap_writer *w, struct shm_scap_reader *rd,
			  const struct input *in, uint64_t copies, uint64_t stride)
{
	const struct shm_scap_machine *mi = shm_scap_reader_machine(rd);
	if (mi && shm_scap_write_machine(w, mi))
		return -1;
	const struct shm_scap_proc *procs;
	size_t np = shm_scap_reader_procs(rd, &procs), nout = 0;
	struct shm_scap_proc *out = calloc(np * copies + 1, sizeof(*out));
	uint64_t *orig = calloc(np * copies + 1, sizeof(*orig));
	int rc = -ENOMEM;
	if (!out || !orig)
		goto done;
	for (size_t i = 0; i < np; i++) {
		if (!moved(in, procs[i].tid)) {
			orig[nout] = procs[i].tid;
			out[nout++] = procs[i];
			continue;
		}
		for (uint64_t k = 0; k < copies; k++) {
			struct shm_scap_proc p = procs[i];
			uint64_t d = k * stride;
			p.tid = shift_id(in, p.tid, d);
			p.pid = shift_id(in, p.pid, d);
			p.ptid = shift_id(in, p.ptid, d);
			p.vtid = (int64_t)shift_id(in, (uint64_t)p.vtid, d);
			p.vpid = (int64_t)shift_id(in, (uint64_t)p.vpid, d);
			orig[nout] = procs[i].tid;
			out[nout++] = p;
		}
	}
	rc = shm_scap_write_procs(w, out, nout);
	for (size_t i = 0; !rc && i < nout; i++) {
		/* each copy starts with the original thread's fds */
		const struct shm_scap_fd *fds;
		size_t nf = shm_scap_reader_fds(rd, orig[i], &fds);
		if (nf)
			rc = shm_scap_write_fds(w, out[i].tid, fds, nf);
	}
done:
	free(out);
	free(orig);
	if (rc)
		return rc;
	const struct shm_scap_user *users;
	const struct shm_scap_group *groups;
	size_t nu = shm_scap_reader_users(rd, &users), ng = shm_scap_reader_groups(rd, &groups);
	if ((nu || ng) && shm_scap_write_users(w, users, nu, groups, ng))
		return -1;
	const struct shm_scap_iface *ifs;
	size_t ni = shm_scap_reader_ifaces(rd, &ifs);
	if (ni && shm_scap_write_ifaces(w, ifs, ni))
		return -1;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: engine_mult [-c COPIES | -e EVENTS] [-j OVERLAP] IN.scap OUT.scap\n"
		   "  -c COPIES   replay the input this many times (default 10)\n"
		   "  -e EVENTS   as many copies as make at least EVENTS events\n"
		   "  -j OVERLAP  copies running at the same time (default 4)\n");
}

int main(int argc, char **argv)
{
	long long copies = 10, want = 0, overlap = 4;
	int c;
	while ((c = getopt(argc, argv, "c:e:j:h")) != -1) {
		long long v = 0;
		if (c == 'c' || c == 'e' || c == 'j') {
			char *end;
			errno = 0;
			v = strtoll(optarg, &end, 10);
			if (*end || v <= 0 || errno) {
				fprintf(stderr, "engine_mult: -%c wants a positive number, not '%s'\n",
					c, optarg);
				return 2;
			}
		}
		switch (c) {
		case 'c': copies = v; break;
		case 'e': want = v; break;
		case 'j': overlap = v; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	const char *inpath = argv[optind], *outpath = argv[optind + 1];

	int ret = 1;
	char err[512];
	struct input in = {0};
	struct shm_scap_reader *rd = NULL;
	struct shm_scap_writer *w = NULL;
	uint8_t *buf = NULL;
	uint64_t *next = NULL, *copy_of = NULL;

	if (shm_scap_reader_new(&rd, inpath, err, sizeof(err))) {
		fprintf(stderr, "engine_mult: cannot read %s: %s\n", inpath, err);
		goto done;
	}
	struct shm_scap_item it;
	int rc;
	while ((rc = shm_scap_reader_next(rd, &it)) == 1)
		if (load_event(&in, &it)) {
			fprintf(stderr, "engine_mult: out of memory reading %s\n", inpath);
			goto done;
		}
	if (rc < 0) {
		fprintf(stderr, "engine_mult: %s: %s\n", inpath, shm_scap_reader_error(rd));
		goto done;
	}
	if (!in.n) {
		fprintf(stderr, "engine_mult: %s has no events to replay\n", inpath);
		goto done;
	}
	qsort(in.tids, in.ntids, sizeof(in.tids[0]), cmp_u64);
	if (want)
		copies = (want + (long long)in.n - 1) / (long long)in.n;
	if (overlap > copies)
		overlap = copies;

	/* Moved ids must not meet any id of the input: STRIDE is a power of ten
	 * above the largest pid the machine allows and every listed thread, which
	 * also keeps them readable (copy 3 of tid 17278 is 317278). */
	uint64_t top = in.tids[in.ntids - 1];
	const struct shm_scap_machine *mi = shm_scap_reader_machine(rd);
	if (mi && mi->max_pid > top)
		top = mi->max_pid;
	const struct shm_scap_proc *procs;
	size_t np = shm_scap_reader_procs(rd, &procs);
	for (size_t i = 0; i < np; i++)
		if (procs[i].tid > top)
			top = procs[i].tid;
	uint64_t stride = 10;
	while (stride <= top && stride < UINT64_MAX / 10)
		stride *= 10;
	if (stride > UINT64_MAX / 2 / (uint64_t)copies) {
		fprintf(stderr, "engine_mult: %lld copies of thread ids up to %llu do not fit 64 "
				"bits: ask for fewer copies\n", copies,
			(unsigned long long)top);
		goto done;
	}
	uint64_t span = in.last_ts - in.first_ts + 1000;
	uint64_t step = span / (uint64_t)overlap + 1;

	if (shm_scap_writer_new(&w, outpath)) {
		fprintf(stderr, "engine_mult: cannot create %s\n", outpath);
		goto done;
	}
	if (write_metadata(w, rd, &in, (uint64_t)copies, stride)) {
		fprintf(stderr, "engine_mult: writing %s: %s\n", outpath, shm_scap_writer_error(w));
		goto done;
	}

	/* OVERLAP streams; when one ends it starts the next copy */
	buf = malloc(SHM_SCAP_MAX_BLOCK);
	next = calloc((size_t)overlap, sizeof(*next));
	copy_of = calloc((size_t)overlap, sizeof(*copy_of));
	if (!buf || !next || !copy_of) {
		fprintf(stderr, "engine_mult: out of memory\n");
		goto done;
	}
	for (long long s = 0; s < overlap; s++)
		copy_of[s] = (uint64_t)s;
	uint64_t started = (uint64_t)overlap, written = 0;
	for (;;) {
		long long best = -1;
		uint64_t best_ts = 0;
		for (long long s = 0; s < overlap; s++) {
			if (next[s] >= in.n)
				continue;
			uint64_t ts;
			memcpy(&ts, in.arena + in.recs[next[s]].off, 8);
			ts += copy_of[s] * step;
			if (best < 0 || ts < best_ts) {
				best = s;
				best_ts = ts;
			}
		}
		if (best < 0)
			break;
		uint64_t k = copy_of[best];
		if (emit(w, &in, &in.recs[next[best]], k * stride, k * step, buf)) {
			fprintf(stderr, "engine_mult: writing %s: %s\n", outpath,
				shm_scap_writer_error(w));
			goto done;
		}
		written++;
		if (++next[best] == in.n && started < (uint64_t)copies) {
			next[best] = 0;
			copy_of[best] = started++;
		}
	}
	rc = shm_scap_writer_free(w);
	w = NULL;
	if (rc) {
		fprintf(stderr, "engine_mult: writing %s failed: %s\n", outpath, strerror(-rc));
		goto done;
	}
	printf("engine_mult: %s: %llu events (%lld copies of %zu, %lld at a time, %zu threads "
	       "moved each)\n", outpath, (unsigned long long)written, copies, in.n, overlap,
	       in.ntids);
	ret = 0;
done:
	if (w)
		shm_scap_writer_free(w);
	shm_scap_reader_free(rd);
	free(in.arena);
	free(in.recs);
	free(in.tids);
	free(buf);
	free(next);
	free(copy_of);
	return ret;
}
