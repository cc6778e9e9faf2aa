/*
 * bench/ring: what a producer pays per event, against a plain memcpy of the
 * same bytes measured in the same process, and the end-to-end event rate.
 *
 *	ring_bench [-n events per producer]
 *
 * For 1 and 3 producers and 100-byte and 1 KiB events:
 *  - cost: each producer alternates rounds of memcpy into a private buffer
 *    the size of its ring and rounds of shm_ring_write into its (empty) ring
 *    while the engine drains it, timing its own CPU time (the engine and
 *    other jobs share the two vCPUs); the ratio is the figure of merit
 *    (goal: within 2x for 100-byte events). "ratio" divides the sums,
 *    "median" is the median of the per-round ratios, which a busy machine
 *    disturbs less. Only ratios are comparable: absolute times are noise.
 *  - rate: lossless producers flat out, events per second the consumer got.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"

#define DATA (8u << 20)
#define MAXP 3

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The producer's own CPU time: on two shared vCPUs the engine and other
 * jobs preempt it, and wall time would bill their work to the producer. */
static uint64_t cpu_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint32_t make_evt(uint8_t *buf, uint32_t len, uint64_t tid)
{
	struct shm_enc e;
	uint32_t hdr = SHM_EVT_HDR_LEN + 4 + 8;
	shm_enc_begin(&e, buf, len, SHM_EV_SYSCALL_WRITE_X, now_ns(), tid);
	shm_enc_s64(&e, 1);
	memset(shm_enc_reserve(&e, len - hdr), 'x', len - hdr);
	return (uint32_t)shm_enc_end(&e);
}

/* Results a producer sends back through shared memory. */
struct result {
	uint64_t ring_ns, copy_ns, events, drops;
	double median; /* of the per-round ratios: steadier than the sums on a busy machine */
	int busy;      /* "alone" runs: a timed pass is under way, the engine keeps off */
};

static int alone; /* the engine drains only between the producers' timed passes */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Keeps memcpy from being optimised away or hoisted. */
static volatile uint8_t sink;

static int cost_producer(const char *name, uint32_t size, uint64_t n, struct result *res)
{
	struct shm_ring_prod_opts o = {.policy = SHM_RING_LOSSY};
	struct shm_ring_prod *p;
	if (shm_ring_prod_open(&p, name, 0, &o))
		return 2;
	uint8_t evt[2048];
	uint32_t len = make_evt(evt, size, (uint64_t)getpid());
	uint8_t *copy = malloc(DATA);
	if (!copy)
		return 3;
	memset(copy, 0, DATA);
	uint32_t need = SHM_RING_FRAME + ((len + 7u) & ~7u);
	uint64_t round = (DATA / 2) / need, done = 0;
	double ratios[4096];
	/* One untimed lap first (page faults are not the ring's), if n allows. */
	unsigned nr = 0, warm = n >= 4 * round ? 2 : 0;
	while (done < n) {
		uint64_t k = n - done < round ? n - done : round;
		/* The engine empties the ring between rounds (not timed). */
		struct shm_ring_slot_stats st;
		do
			shm_ring_prod_stats(p, &st);
		while (st.used);
		/* Alternate which goes first, so neither always gets the warmer cache. */
		uint64_t tc = 0, tr = 0;
		__atomic_store_n(&res->busy, alone, __ATOMIC_SEQ_CST);
		for (int pass = 0; pass < 2; pass++) {
			uint64_t t0 = cpu_ns();
			if ((pass == 0) == (nr % 2 == 0)) {
				uint32_t off = 0;
				for (uint64_t i = 0; i < k; i++) {
					memcpy(copy + off, evt, len);
					off += need;
					if (off + need > DATA)
						off = 0;
				}
				sink = copy[off];
				tc = cpu_ns() - t0;
			} else {
				for (uint64_t i = 0; i < k; i++)
					if (shm_ring_write(p, evt, len))
						res->drops++;
				tr = cpu_ns() - t0;
			}
		}
		__atomic_store_n(&res->busy, 0, __ATOMIC_SEQ_CST);
		done += k;
		if (warm) {
			warm--;
			continue;
		}
		res->events += k;
		res->copy_ns += tc;
		res->ring_ns += tr;
		if (nr < sizeof ratios / sizeof ratios[0] && tc)
			ratios[nr++] = (double)tr / (double)tc;
	}
	qsort(ratios, nr, sizeof ratios[0], cmp_double);
	res->median = nr ? ratios[nr / 2] : 0;
	shm_ring_prod_flush(p);
	free(copy);
	shm_ring_prod_free(p);
	return 0;
}

static int rate_producer(const char *name, uint32_t size, uint64_t n, struct result *res)
{
	struct shm_ring_prod_opts o = {.policy = SHM_RING_LOSSLESS, .wait_ms = 5000};
	struct shm_ring_prod *p;
	if (shm_ring_prod_open(&p, name, 0, &o))
		return 2;
	uint8_t evt[2048];
	uint32_t len = make_evt(evt, size, (uint64_t)getpid());
	for (uint64_t i = 0; i < n; i++)
		if (shm_ring_write(p, evt, len))
			res->drops++;
	res->events = n;
	shm_ring_prod_flush(p);
	struct shm_ring_slot_stats st;
	do {
		usleep(200);
		shm_ring_prod_stats(p, &st);
	} while (st.used && shm_ring_prod_consumer_attached(p));
	shm_ring_prod_free(p);
	return 0;
}

/* One run: np producers of size-byte events; the caller is the engine. */
static int run(int rate, unsigned np, uint32_t size, uint64_t n, struct result *sum,
	       double *evps)
{
	char name[64];
	snprintf(name, sizeof name, "/pdig-ring-bench-%d", (int)getpid());
	shm_unlink(name);
	struct shm_ring_cons *c;
	struct shm_ring_params prm = {.nslots = np, .data_size = DATA};
	if (shm_ring_cons_new(&c, NULL) || shm_ring_cons_add_name(c, name, SHM_RING_CREATE, &prm)) {
		fprintf(stderr, "ring_bench: %s\n", shm_ring_cons_error(c));
		return -1;
	}
	struct result *res = mmap(NULL, sizeof(struct result) * MAXP, PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	memset(res, 0, sizeof(struct result) * MAXP);
	for (unsigned i = 0; i < np; i++)
		if (fork() == 0)
			_exit(rate ? rate_producer(name, size, n, &res[i])
				   : cost_producer(name, size, n, &res[i]));
	unsigned alive = np;
	uint64_t got = 0, t0 = 0, t1 = 0;
	int failed = 0;
	struct shm_evt ev;
	while (alive) {
		int keep_off = 0;
		for (unsigned i = 0; i < np; i++)
			keep_off |= __atomic_load_n(&res[i].busy, __ATOMIC_SEQ_CST);
		if (keep_off) {
			usleep(100);
			continue;
		}
		if (shm_ring_cons_next(c, &ev, NULL, 10) == 0) {
			if (!got++)
				t0 = now_ns();
			t1 = now_ns();
			continue;
		}
		int status;
		while (waitpid(-1, &status, WNOHANG) > 0) {
			alive--;
			failed |= !WIFEXITED(status) || WEXITSTATUS(status);
		}
	}
	while (shm_ring_cons_next(c, &ev, NULL, 0) == 0)
		got++, t1 = now_ns();
	memset(sum, 0, sizeof *sum);
	for (unsigned i = 0; i < np; i++) {
		sum->median += res[i].median / np;
		sum->ring_ns += res[i].ring_ns;
		sum->copy_ns += res[i].copy_ns;
		sum->events += res[i].events;
		sum->drops += res[i].drops;
	}
	if (getenv("RING_BENCH_DEBUG")) {
		struct shm_ring_cons_stats cs;
		shm_ring_cons_stats(c, &cs);
		fprintf(stderr, "  engine: %llu events, %llu head loads, %llu sleeps\n",
			(unsigned long long)cs.n_read, (unsigned long long)cs.n_head_loads,
			(unsigned long long)cs.n_sleeps);
	}
	*evps = t1 > t0 ? (double)got / ((double)(t1 - t0) / 1e9) : 0;
	munmap(res, sizeof(struct result) * MAXP);
	shm_ring_cons_free(c);
	shm_unlink(name);
	if (failed) {
		fprintf(stderr, "ring_bench: a producer failed\n");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t n = 2000000;
	int opt;
	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt == 'n') {
			n = strtoull(optarg, NULL, 10);
		} else {
			fprintf(stderr, "usage: %s [-n events per producer]\n", argv[0]);
			return 2;
		}
	}
	printf("%-10s %-6s %12s %12s %8s %8s %8s %14s\n", "producers", "bytes", "ring ns/ev",
	       "memcpy ns/ev", "ratio", "median", "drops", "rate ev/s");
	/* The last two rows: one producer with the engine kept off during the
	 * timed passes, i.e. the producer's own work without the cache-line
	 * transfers to a reader on another CPU (which any IPC pays). */
	unsigned nps[] = {1, 3, 1};
	uint32_t sizes[] = {100, 1024};
	double ratio100 = 0;
	for (unsigned a = 0; a < 3; a++)
		for (unsigned b = 0; b < 2; b++) {
			struct result cost, rate;
			double ignore, evps;
			alone = a == 2;
			if (run(0, nps[a], sizes[b], n, &cost, &ignore) ||
			    run(1, nps[a], sizes[b], n, &rate, &evps))
				return 1;
			double rn = (double)cost.ring_ns / (double)cost.events;
			double cn = (double)cost.copy_ns / (double)cost.events;
			double ratio = rn / cn;
			if (sizes[b] == 100 && a == 0)
				ratio100 = cost.median;
			printf("%-10s %-6u %12.1f %12.1f %8.2f %8.2f %8llu %14.0f\n",
			       a == 2 ? "1 alone" : a == 1 ? "3" : "1", sizes[b],
			       rn, cn, ratio, cost.median,
			       (unsigned long long)(cost.drops + rate.drops), evps);
		}
	printf("ratio producer/memcpy for 100-byte events, 1 producer: %.2f (median of rounds; "
	       "goal <= 2)\n", ratio100);
	return 0;
}
