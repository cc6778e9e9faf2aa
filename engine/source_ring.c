/* The live source: the shared-memory ring of shm/shm_ring.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eng_source.h"
#include "eng_state.h"
#include "shm_ring.h"

/* How often a waiting source looks at stop, drain and the socket: while
 * rings are being read, a new producer waits this long for its ring to be
 * taken (pdig waits for that before it starts the command; the first ring
 * is taken at once, the wait being on the socket then), pdig-trace this
 * long for the drain. The ring itself is read as soon as the consumer's own
 * sleep ends (1-10 ms). */
#define POLL_MS 10
#define DROP_CHECK_EVERY 4096 /* events between looks at the producers' drop counters */

struct ring_source {
	struct eng_source base; /* first: the ops receive &base */
	struct shm_ring_cons *c;
	int listen_fd;
	int idle_exit_ms;
	const volatile int *stop;
	int exit_with_producer;
	const volatile int *drain;
	const volatile int *finish;
	int seen_producer;     /* a producer has come (exit_with_producer waits for one) */
	unsigned named;        /* 1: region 0 is a named ring (added before any socket's) */
	uint64_t accepted_ns;  /* last look for new producers on the socket */
	char name[256];
	char *sock_path;       /* --listen: removed when the source ends */
	char err[256];
	uint64_t drops_seen;   /* producers' drops already turned into a drop event */
	uint32_t since_check;  /* events since the drop counters were last read */
	uint8_t dropbuf[64];   /* the synthesized drop event */
	struct eng_state *st;  /* from load_state: metadata records go there */
	uint64_t n_meta;       /* metadata records applied */
	uint64_t n_meta_failed; /* ... whose state update failed (memory) */
};

/*
 * Drops are never silent: when the producers' drop counters have grown, the
 * source hands out a drop exit event (as the kernel driver does after losing
 * events), so rules on evt.type=drop fire, and says so on stderr as Falco's
 * "syscall event drop" does. 1 with the event in ev, 0 when nothing new.
 */
static int drop_event(struct ring_source *rs, struct eng_event *ev, uint32_t *df)
{
	struct shm_ring_cons_stats cs;
	rs->since_check = 0;
	shm_ring_cons_stats(rs->c, &cs);
	if (cs.n_drops <= rs->drops_seen)
		return 0;
	uint64_t n = cs.n_drops - rs->drops_seen;
	rs->drops_seen = cs.n_drops;
	fprintf(stderr, "pdig-engine: syscall event drop: %llu events lost by the tracer(s) "
			"(%llu in all); rules may have missed activity\n",
		(unsigned long long)n, (unsigned long long)cs.n_drops);
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct shm_enc e;
	shm_enc_begin(&e, rs->dropbuf, sizeof(rs->dropbuf), SHM_EV_DROP_X,
		      (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec, 0);
	shm_enc_u32(&e, 1); /* ratio: pdig does not sample */
	int len = shm_enc_end(&e);
	if (len < 0 || shm_evt_decode(&ev->evt, rs->dropbuf, (size_t)len, NULL, 0))
		return 0;
	ev->cpuid = ENG_CPU_UNKNOWN;
	*df = 0;
	return 1;
}

static void accept_pending(struct ring_source *rs)
{
	/* the socket is non-blocking: take every producer waiting, no more */
	while (rs->listen_fd >= 0) {
		int rc = shm_ring_cons_accept(rs->c, rs->listen_fd);
		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			return;
		if (rc)
			fprintf(stderr, "pdig-engine: a producer's ring was refused: %s\n",
				shm_ring_cons_error(rs->c));
	}
}

/* A new producer waits at most ACCEPT_EVERY_NS for its turn: an accept
 * per event cost a syscall per event (80,000 for 20,000 openat+close). */
#define ACCEPT_EVERY_NS (10u * 1000u * 1000u)
static int accept_due(struct ring_source *rs)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	if (now - rs->accepted_ns < ACCEPT_EVERY_NS)
		return 0;
	rs->accepted_ns = now;
	return 1;
}

/* A producer's snapshot (processes, their fds, users, machine) goes into
 * the state before that producer's next events, as a capture's metadata
 * does before its first event. Entries replace what the state had. */
static int apply_meta(struct eng_state *st, const struct shm_scap_meta *m)
{
	int rc = 0;
	const struct shm_scap_machine *mi = shm_scap_meta_machine(m);
	if (mi && mi->hostname && mi->hostname[0]) {
		char *h = strdup(mi->hostname);
		if (!h)
			return -ENOMEM;
		free(st->hostname);
		st->hostname = h;
	}
	const struct shm_scap_iface *ifs;
	size_t ni = shm_scap_meta_ifaces(m, &ifs);
	if (eng_state_add_ifaces(st, ifs, ni))
		return -ENOMEM;
	const struct shm_scap_proc *procs;
	size_t np = shm_scap_meta_procs(m, &procs);
	/* main threads first, so that threads find their process's fd table */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < np; i++)
			if ((procs[i].tid == procs[i].pid) == (pass == 0) &&
			    eng_state_add_proc(st, &procs[i]))
				rc = -ENOMEM;
	for (size_t k = 0; k < shm_scap_meta_nfdsets(m); k++) {
		uint64_t tid;
		const struct shm_scap_fd *fds;
		size_t nf = shm_scap_meta_fdset(m, k, &tid, &fds);
		for (size_t j = 0; j < nf; j++) {
			int r = eng_state_add_fd(st, (int64_t)tid, &fds[j]);
			if (r && r != -ENOENT) /* a thread not listed: nothing to attach to */
				rc = r;
		}
	}
	const struct shm_scap_user *users;
	size_t nu = shm_scap_meta_users(m, &users);
	for (size_t i = 0; i < nu; i++)
		if (eng_state_add_user(st, &users[i]))
			rc = -ENOMEM;
	const struct shm_scap_group *groups;
	size_t ng = shm_scap_meta_groups(m, &groups);
	for (size_t i = 0; i < ng; i++)
		if (eng_state_add_group(st, &groups[i]))
			rc = -ENOMEM;
	return rc;
}

/*
 * 1 when no producer is left and nothing is left to read: every slot free
 * or owned by a dead process, every ring empty, no producer waiting on the
 * socket. The owner is read before the head, so a dead owner's head is
 * final. Only after a producer came, or when told none will (drain).
 */
static int producers_done(struct ring_source *rs)
{
	unsigned before = shm_ring_cons_nregions(rs->c);
	accept_pending(rs); /* one that connected and left before the drain signal */
	if (shm_ring_cons_nregions(rs->c) != before) {
		rs->seen_producer = 1;
		return 0;
	}
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(rs->c, &cs);
	if (cs.n_read || cs.n_meta || cs.n_regions_dropped)
		rs->seen_producer = 1;
	for (unsigned r = 0; r < shm_ring_cons_nregions(rs->c); r++) {
		struct shm_ring_slot_stats ss;
		for (unsigned i = 0; !shm_ring_cons_slot_stats(rs->c, r, i, &ss); i++) {
			if (ss.pid) {
				rs->seen_producer = 1;
				if (shm_ring_proc_start(ss.pid))
					return 0; /* alive (a zombie counts as gone) */
			}
			if (ss.used)
				return 0;
		}
	}
	return rs->seen_producer || (rs->drain && *rs->drain);
}

static int ring_next(struct eng_source *s, struct eng_event *ev, uint32_t *df)
{
	struct ring_source *rs = (struct ring_source *)s;
	struct shm_ring_rec rec;
	int idle = 0;
	for (;;) {
		int finishing = rs->finish && *rs->finish;
		if (rs->stop && *rs->stop && !finishing)
			return 0;
		if (!finishing && accept_due(rs))
			accept_pending(rs);
		if (rs->since_check >= DROP_CHECK_EVERY && drop_event(rs, ev, df))
			return 1;
		rec.evt = &ev->evt;
		int wait_ms = finishing ? 0 : POLL_MS;
		if (wait_ms && rs->listen_fd >= 0 && shm_ring_cons_nregions(rs->c) == 0) {
			/* no ring yet: wait on the socket, so that a producer's ring
			 * is taken at once (pdig waits for that before it starts the
			 * command: up to 10 ms more per run otherwise) */
			struct pollfd pfd = {.fd = rs->listen_fd, .events = POLLIN};
			if (poll(&pfd, 1, wait_ms) > 0)
				accept_pending(rs);
			wait_ms = 0;
		}
		int rc = shm_ring_cons_next_rec(rs->c, &rec, NULL, wait_ms);
		if (rc == 0 && rec.kind == SHM_RING_REC_META) {
			/* without a state (load_state not called) there is nowhere to put it */
			if (!rs->st || apply_meta(rs->st, rec.meta))
				rs->n_meta_failed++;
			else
				rs->n_meta++;
			idle = 0;
			continue;
		}
		if (rc == 0) {
			rs->since_check++;
			ev->cpuid = ENG_CPU_UNKNOWN;
			*df = 0;
			return 1;
		}
		if (rc != -EAGAIN) {
			snprintf(rs->err, sizeof(rs->err), "%s", shm_ring_cons_error(rs->c));
			return rc;
		}
		if (drop_event(rs, ev, df))
			return 1;
		if (finishing)
			return 0; /* everything written so far is read */
		if ((rs->exit_with_producer || (rs->drain && *rs->drain)) && producers_done(rs))
			return 0;
		idle += POLL_MS;
		if (rs->idle_exit_ms >= 0 && idle >= rs->idle_exit_ms)
			return 0;
	}
}

static int ring_load_state(struct eng_source *s, struct eng_state *st)
{
	/* The tracers' snapshots come later, as metadata records in the ring,
	 * and ring_next applies them to st. Until then users and groups are
	 * this machine's, where pdig runs too. */
	((struct ring_source *)s)->st = st;
	int rc = eng_state_load_users_from(st, "/");
	if (rc && rc != -ENOMEM)
		fprintf(stderr, "pdig-engine: cannot read /etc/passwd (%s): user.name will "
				"not be available\n", strerror(-rc));
	return rc == -ENOMEM ? rc : 0;
}

static const char *ring_error(const struct eng_source *s)
{
	return ((const struct ring_source *)s)->err;
}

static uint64_t ring_lost(const struct eng_source *s)
{
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(((const struct ring_source *)s)->c, &cs);
	return cs.n_drops + cs.n_corrupt;
}

int eng_parse_ready_fd(const char *arg)
{
	char *end;
	long fd = strtol(arg, &end, 10);
	if (*end || end == arg || fd < 0 || fd > 65535 || fcntl((int)fd, F_GETFD) < 0) {
		fprintf(stderr, "pdig-engine: --ready-fd wants an open file descriptor, not '%s'\n",
			arg);
		return -1;
	}
	return (int)fd;
}

void eng_source_ready(int fd)
{
	if (fd < 0)
		return;
	const char b = '1';
	while (write(fd, &b, 1) < 0 && errno == EINTR)
		;
	close(fd);
}

void eng_source_ring_report(const struct eng_source *s, FILE *f)
{
	const struct ring_source *rs = (const struct ring_source *)s;
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(rs->c, &cs);
	fprintf(f, "pdig-engine: ring: %llu events read, %llu dropped by producers, "
		   "%llu damaged records skipped\n",
		(unsigned long long)cs.n_read, (unsigned long long)cs.n_drops,
		(unsigned long long)cs.n_corrupt);
	fprintf(f, "pdig-engine: ring: %llu tracer snapshot records applied%s",
		(unsigned long long)rs->n_meta, rs->n_meta_failed ? "" : "\n");
	if (rs->n_meta_failed)
		fprintf(f, ", %llu could not be applied (out of memory)\n",
			(unsigned long long)rs->n_meta_failed);
	for (unsigned r = 0; r < shm_ring_cons_nregions(rs->c); r++) {
		for (unsigned i = 0;; i++) {
			struct shm_ring_slot_stats ss;
			if (shm_ring_cons_slot_stats(rs->c, r, i, &ss))
				break;
			if (!ss.n_evts && !ss.n_drops_full && !ss.n_drops_wait && !ss.n_drops_pf)
				continue;
			char who[32];
			if (ss.pid)
				snprintf(who, sizeof(who), "pid %u", ss.pid);
			else
				snprintf(who, sizeof(who), "producer gone");
			fprintf(f, "pdig-engine: ring %u slot %u (%s): %llu events, dropped "
				   "%llu (ring full) %llu (wait gave up) %llu (memory unreadable)\n",
				r, i, who, (unsigned long long)ss.n_evts,
				(unsigned long long)ss.n_drops_full, (unsigned long long)ss.n_drops_wait,
				(unsigned long long)ss.n_drops_pf);
		}
	}
	struct shm_ring_slot_stats ss;
	for (unsigned i = 0; !shm_ring_cons_retired_stats(rs->c, i, &ss); i++)
		fprintf(f, "pdig-engine: %s (ring released): %llu events, dropped "
			   "%llu (ring full) %llu (wait gave up) %llu (memory unreadable)\n",
			ss.generation ? "producer gone" : "earlier producers",
			(unsigned long long)ss.n_evts, (unsigned long long)ss.n_drops_full,
			(unsigned long long)ss.n_drops_wait, (unsigned long long)ss.n_drops_pf);
}

static uint64_t stat_k(const struct shm_ring_slot_stats *ss, int k)
{
	return k == 0 ? ss->n_evts : k == 1 ? ss->n_drops_full : k == 2 ? ss->n_drops_wait
									: ss->n_drops_pf;
}

/*
 * Counters must never go down, and series must keep their meaning. The
 * named ring is region 0 for the whole run: its slots are labelled by
 * index (a slot's counters carry on from owner to owner). Regions handed
 * over the socket move down when one before them is let go, so their
 * producers are labelled by pid alone, and once a producer is gone its
 * counts join one "gone" series with those of released regions: a region
 * let go moves counts within that series, never out of it.
 */
void eng_source_ring_metrics(const struct eng_source *s, FILE *f)
{
	const struct ring_source *rs = (const struct ring_source *)s;
	static const char *const what[] = {"events", "drops_ring_full", "drops_wait",
					   "drops_memory"};
	static const char *const help[] = {
		"Events a producer (pdig) committed to the ring.",
		"Events a producer dropped because the ring was full.",
		"Events a producer dropped when a lossless wait gave up.",
		"Events a producer dropped because tracee memory was unreadable."};
	unsigned named = rs->named;
	for (int k = 0; k < 4; k++) {
		fprintf(f, "# HELP pdig_engine_producer_%s_total %s\n"
			   "# TYPE pdig_engine_producer_%s_total counter\n", what[k], help[k], what[k]);
		uint64_t gone = 0;
		int any_gone = 0;
		for (unsigned r = 0; r < shm_ring_cons_nregions(rs->c); r++) {
			struct shm_ring_slot_stats ss;
			for (unsigned i = 0; !shm_ring_cons_slot_stats(rs->c, r, i, &ss); i++) {
				if (!ss.n_evts && !ss.n_drops_full && !ss.n_drops_wait &&
				    !ss.n_drops_pf)
					continue;
				if (r < named)
					fprintf(f, "pdig_engine_producer_%s_total{ring=\"%u\","
						   "slot=\"%u\",pid=\"%u\"} %llu\n", what[k], r, i,
						ss.pid, (unsigned long long)stat_k(&ss, k));
				else if (ss.pid)
					fprintf(f, "pdig_engine_producer_%s_total{ring=\"socket\","
						   "slot=\"%u\",pid=\"%u\"} %llu\n", what[k], i, ss.pid,
						(unsigned long long)stat_k(&ss, k));
				else {
					gone += stat_k(&ss, k);
					any_gone = 1;
				}
			}
		}
		struct shm_ring_slot_stats ss;
		for (unsigned i = 0; !shm_ring_cons_retired_stats(rs->c, i, &ss); i++) {
			gone += stat_k(&ss, k);
			any_gone = 1;
		}
		if (any_gone)
			fprintf(f, "pdig_engine_producer_%s_total{ring=\"gone\"} %llu\n", what[k],
				(unsigned long long)gone);
	}
}

static void ring_free(struct eng_source *s)
{
	struct ring_source *rs = (struct ring_source *)s;
	if (rs->listen_fd >= 0) {
		close(rs->listen_fd);
		/* the socket is ours (shm_ring_listen made it): nothing left behind */
		unlink(rs->sock_path);
	}
	free(rs->sock_path);
	shm_ring_cons_free(rs->c);
	free(rs);
}

static const struct eng_source_ops ring_ops = {
	.next = ring_next,
	.load_state = ring_load_state,
	.error = ring_error,
	.lost = ring_lost,
	.free = ring_free,
};

int eng_source_ring_new(struct eng_source **out, const struct eng_ring_opts *o, char *err,
			size_t errlen)
{
	struct ring_source *rs = calloc(1, sizeof(*rs));
	int rc;
	if (!rs) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	rs->listen_fd = -1;
	rs->idle_exit_ms = o->idle_exit_ms;
	rs->stop = o->stop;
	rs->exit_with_producer = o->exit_with_producer;
	rs->drain = o->drain;
	rs->finish = o->finish;
	rs->base.ops = &ring_ops;
	rs->base.name = rs->name;
	if ((rc = shm_ring_cons_new(&rs->c, NULL))) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	const char *name = o->name;
	if (!name && !o->listen_path) {
		name = getenv(SHM_RING_ENV);
		if (!name || !*name)
			name = SHM_RING_DEFAULT_NAME;
	}
	if (name) {
		snprintf(rs->name, sizeof(rs->name), "%s", name);
		rc = shm_ring_cons_add_name(rs->c, name, SHM_RING_CREATE, NULL);
		if (rc) {
			snprintf(err, errlen, "ring %s: %s", name, shm_ring_cons_error(rs->c));
			goto fail;
		}
		rs->named = 1;
	}
	if (o->listen_path) {
		if (!name)
			snprintf(rs->name, sizeof(rs->name), "%s", o->listen_path);
		if (!(rs->sock_path = strdup(o->listen_path))) {
			rc = -ENOMEM;
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
		rs->listen_fd = shm_ring_listen(o->listen_path);
		if (rs->listen_fd < 0) {
			rc = rs->listen_fd;
			snprintf(err, errlen, "cannot listen on %s: %s (is the directory writable?)",
				 o->listen_path, strerror(-rc));
			goto fail;
		}
		int fl = fcntl(rs->listen_fd, F_GETFL);
		if (fl < 0 || fcntl(rs->listen_fd, F_SETFL, fl | O_NONBLOCK) < 0) {
			rc = -errno;
			snprintf(err, errlen, "cannot set up %s: %s", o->listen_path, strerror(errno));
			goto fail;
		}
	}
	*out = &rs->base;
	return 0;
fail:
	ring_free(&rs->base);
	return rc;
}
