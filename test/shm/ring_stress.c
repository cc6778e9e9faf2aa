/*
 * Stress test of the ring: several producer processes, one consumer.
 *
 *	ring_stress [-p producers] [-n events per producer] [-l] [-s data bytes]
 *		    [-r restart the consumer every R events]
 *
 * Every event must arrive exactly once and in its producer's order, or be
 * counted as dropped; received + dropped must equal what was sent, exactly.
 * -l runs the producers lossless: then nothing may be dropped at all, unless
 * -r detaches and re-attaches the consumer (events that find no consumer are
 * dropped and counted by design; the accounting must still add up).
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

#define MAXP 16

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int produce(const char *name, unsigned idx, uint64_t n, enum shm_ring_policy pol)
{
	struct shm_ring_prod_opts o = {.policy = pol, .wait_ms = 5000};
	struct shm_ring_prod *p;
	if (shm_ring_prod_open(&p, name, 0, &o))
		return 2;
	uint8_t buf[512];
	for (uint64_t seq = 0; seq < n; seq++) {
		struct shm_enc e;
		shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_WRITE_X, now_ns(), idx);
		shm_enc_s64(&e, (int64_t)seq);
		uint32_t dl = (uint32_t)(seq % 300);
		uint8_t *d = shm_enc_reserve(&e, dl);
		for (uint32_t i = 0; i < dl; i++)
			d[i] = (uint8_t)(seq + i + idx);
		int len = shm_enc_end(&e);
		if (len < 0)
			return 3;
		int rc = shm_ring_write(p, buf, (uint32_t)len);
		if (rc && rc != -ENOBUFS && rc != -ETIMEDOUT)
			return 4;
	}
	shm_ring_prod_flush(p);
	/* Keep the slot until the engine has read everything: a freed slot
	 * could be claimed by someone else before we are counted. */
	struct shm_ring_slot_stats st;
	do {
		usleep(1000);
		shm_ring_prod_stats(p, &st);
	} while (st.used && shm_ring_prod_consumer_attached(p));
	shm_ring_prod_free(p);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned np = 3;
	uint64_t n = 1000000;
	uint32_t data = 1u << 20;
	enum shm_ring_policy pol = SHM_RING_LOSSY;
	uint64_t restart = 0, restarts = 0;
	int opt;
	while ((opt = getopt(argc, argv, "p:n:ls:r:")) != -1) {
		switch (opt) {
		case 'r': restart = strtoull(optarg, NULL, 10); break;
		case 'p': np = (unsigned)atoi(optarg); break;
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'l': pol = SHM_RING_LOSSLESS; break;
		case 's': data = (uint32_t)strtoul(optarg, NULL, 10); break;
		default:
			fprintf(stderr, "usage: %s [-p producers] [-n events] [-l] [-s ring bytes]\n",
				argv[0]);
			return 2;
		}
	}
	if (np < 1 || np > MAXP) {
		fprintf(stderr, "ring_stress: 1 to %d producers\n", MAXP);
		return 2;
	}
	char name[64];
	snprintf(name, sizeof name, "/pdig-ring-stress-%d", (int)getpid());
	struct shm_ring_cons *c;
	struct shm_ring_params prm = {.nslots = np, .data_size = data};
	if (shm_ring_cons_new(&c, NULL) ||
	    shm_ring_cons_add_name(c, name, SHM_RING_CREATE | SHM_RING_EXCL, &prm)) {
		fprintf(stderr, "ring_stress: %s\n", shm_ring_cons_error(c));
		return 1;
	}
	pid_t kids[MAXP];
	for (unsigned i = 0; i < np; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(produce(name, i, n, pol));
	}
	uint64_t next[MAXP] = {0}, got[MAXP] = {0}, bad = 0, disorder = 0, last_ts = 0;
	unsigned slot_of[MAXP];
	for (unsigned i = 0; i < MAXP; i++)
		slot_of[i] = ~0u;
	unsigned alive = np;
	uint64_t t0 = now_ns();
	struct shm_evt ev;
	struct shm_ring_src src;
	uint64_t seen = 0;
	while (alive) {
		if (restart && seen && seen % restart == 0) {
			/* The engine stops and starts again; the producers carry on. */
			shm_ring_cons_free(c);
			if (shm_ring_cons_new(&c, NULL) || shm_ring_cons_add_name(c, name, 0, NULL)) {
				fprintf(stderr, "ring_stress: restart: %s\n", shm_ring_cons_error(c));
				return 1;
			}
			restarts++;
		}
		int rc = shm_ring_cons_next(c, &ev, &src, 20);
		seen += rc == 0;
		if (rc == -EAGAIN) {
			int status;
			pid_t w;
			while ((w = waitpid(-1, &status, WNOHANG)) > 0) {
				alive--;
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					fprintf(stderr, "ring_stress: producer %d failed (status %#x)\n",
						(int)w, status);
					bad++;
				}
			}
			continue;
		}
		int64_t seq;
		uint64_t idx = ev.tid;
		if (ev.type != SHM_EV_SYSCALL_WRITE_X || idx >= np || shm_evt_get_s64(&ev, 0, &seq)) {
			bad++;
			continue;
		}
		if (slot_of[idx] == ~0u)
			slot_of[idx] = src.slot;
		if ((uint64_t)seq < next[idx]) {
			fprintf(stderr, "ring_stress: producer %llu: event %lld after %llu "
				"(duplicate or out of order)\n", (unsigned long long)idx,
				(long long)seq, (unsigned long long)next[idx]);
			bad++;
		}
		next[idx] = (uint64_t)seq + 1;
		got[idx]++;
		uint32_t dl = ev.vlen[1];
		if (dl != (uint64_t)seq % 300) {
			bad++;
		} else {
			for (uint32_t i = 0; i < dl; i++)
				if (ev.val[1][i] != (uint8_t)((uint64_t)seq + i + idx)) {
					bad++;
					break;
				}
		}
		disorder += ev.ts < last_ts;
		last_ts = ev.ts;
	}
	/* Everybody is gone: drain what is left. */
	while (shm_ring_cons_next(c, &ev, &src, 0) == 0) {
		int64_t seq;
		if (ev.tid < np && !shm_evt_get_s64(&ev, 0, &seq) && (uint64_t)seq >= next[ev.tid]) {
			next[ev.tid] = (uint64_t)seq + 1;
			got[ev.tid]++;
		} else {
			bad++;
		}
	}
	double secs = (double)(now_ns() - t0) / 1e9;
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	uint64_t total = 0, drops = 0;
	for (unsigned i = 0; i < np; i++) {
		struct shm_ring_slot_stats st = {0};
		if (slot_of[i] != ~0u)
			shm_ring_cons_slot_stats(c, 0, slot_of[i], &st);
		uint64_t d = st.n_drops_full + st.n_drops_wait + st.n_drops_pf;
		printf("producer %u: sent %llu, received %llu, dropped %llu (full %llu, "
		       "lossless gave up %llu), committed %llu, waits %llu, wake-ups %llu\n", i,
		       (unsigned long long)n, (unsigned long long)got[i], (unsigned long long)d,
		       (unsigned long long)st.n_drops_full, (unsigned long long)st.n_drops_wait,
		       (unsigned long long)st.n_evts, (unsigned long long)st.n_waits,
		       (unsigned long long)st.n_wakeups);
		if (got[i] + d != n || st.n_evts != got[i]) {
			fprintf(stderr, "ring_stress: producer %u: %llu received + %llu dropped != "
				"%llu sent (committed %llu)\n", i, (unsigned long long)got[i],
				(unsigned long long)d, (unsigned long long)n,
				(unsigned long long)st.n_evts);
			bad++;
		}
		if (pol == SHM_RING_LOSSLESS && !restart && d) {
			fprintf(stderr, "ring_stress: producer %u dropped %llu events in lossless "
				"mode with a live consumer\n", i, (unsigned long long)d);
			bad++;
		}
		total += got[i];
		drops += d;
	}
	printf("%s: %u producers, %llu events received, %llu dropped, %.2f s, %.2f M events/s,"
	       " %llu corrupt, %llu consumer sleeps, %llu out of timestamp order, "
	       "%llu consumer restarts\n",
	       pol == SHM_RING_LOSSLESS ? "lossless" : "lossy", np, (unsigned long long)total,
	       (unsigned long long)drops, secs, (double)total / secs / 1e6,
	       (unsigned long long)cs.n_corrupt, (unsigned long long)cs.n_sleeps,
	       (unsigned long long)disorder, (unsigned long long)restarts);
	if (cs.n_corrupt)
		bad++;
	shm_ring_cons_free(c);
	shm_unlink(name);
	if (bad) {
		fprintf(stderr, "ring_stress: FAILED (%llu problems)\n", (unsigned long long)bad);
		return 1;
	}
	printf("ring_stress: OK\n");
	return 0;
}
