/* Unit tests of the shared-memory ring (suite "ring"). */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"

#define DATA (64u << 10)
#define MINLEN (SHM_EVT_HDR_LEN + 4u + 8u) /* write_x with empty data */

static char ring_name[64];

static void setup(void)
{
	static int n;
	snprintf(ring_name, sizeof ring_name, "/pdig-check-ring-%d-%d", (int)getpid(), n++);
	shm_unlink(ring_name);
}

static void teardown(void) { shm_unlink(ring_name); }

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* A write_x record of exactly len bytes (len >= MINLEN) carrying seq. */
static uint32_t make_rec(uint8_t *buf, uint32_t len, uint64_t seq, uint64_t ts)
{
	struct shm_enc e;
	ck_assert_int_eq(shm_enc_begin(&e, buf, len, SHM_EV_SYSCALL_WRITE_X, ts, 7), 0);
	shm_enc_s64(&e, (int64_t)seq);
	uint32_t n = len - MINLEN;
	uint8_t *d = shm_enc_reserve(&e, n);
	ck_assert_ptr_nonnull(d);
	for (uint32_t i = 0; i < n; i++)
		d[i] = (uint8_t)(seq * 31u + i);
	int rc = shm_enc_end(&e);
	ck_assert_int_eq(rc, (int)len);
	return len;
}

static void check_rec(const struct shm_evt *ev, uint32_t len, uint64_t seq)
{
	ck_assert_uint_eq(ev->type, SHM_EV_SYSCALL_WRITE_X);
	ck_assert_uint_eq(ev->len, len);
	int64_t s;
	ck_assert_int_eq(shm_evt_get_s64(ev, 0, &s), 0);
	ck_assert_uint_eq((uint64_t)s, seq);
	ck_assert_uint_eq(ev->vlen[1], len - MINLEN);
	uint32_t bad = 0;
	for (uint32_t i = 0; i < ev->vlen[1]; i++)
		bad += ev->val[1][i] != (uint8_t)(seq * 31u + i);
	ck_assert_uint_eq(bad, 0);
}

static struct shm_ring_prod *prod_open(enum shm_ring_policy pol, uint32_t nslots, uint32_t wait_ms)
{
	struct shm_ring_prod_opts o = {.policy = pol, .wait_ms = wait_ms,
				       .params = {.nslots = nslots, .data_size = DATA}};
	struct shm_ring_prod *p = NULL;
	ck_assert_int_eq(shm_ring_prod_open(&p, ring_name, SHM_RING_CREATE, &o), 0);
	return p;
}

static struct shm_ring_cons *cons_open(void)
{
	struct shm_ring_cons *c = NULL;
	ck_assert_int_eq(shm_ring_cons_new(&c, NULL), 0);
	ck_assert_int_eq(shm_ring_cons_add_name(c, ring_name, 0, NULL), 0);
	return c;
}

static uint8_t recbuf[DATA];

START_TEST(region_is_private)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 2, 0);
	char path[128];
	snprintf(path, sizeof path, "/dev/shm%s", ring_name);
	struct stat st;
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	int fl = fcntl(shm_ring_prod_fd(p), F_GETFD);
	ck_assert(fl & FD_CLOEXEC);
	/* Last producer gone, no consumer, nothing unread: the name is removed. */
	shm_ring_prod_free(p);
	ck_assert_int_eq(stat(path, &st), -1);
	/* With unread events it stays for the next engine, which reads them
	 * and removes the name when it leaves. */
	p = prod_open(SHM_RING_LOSSY, 2, 0);
	make_rec(recbuf, 100, 1, 1);
	ck_assert_int_eq(shm_ring_write(p, recbuf, 100), 0);
	shm_ring_prod_free(p);
	ck_assert_int_eq(stat(path, &st), 0);
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
	check_rec(&ev, 100, 1);
	shm_ring_cons_free(c);
	ck_assert_int_eq(stat(path, &st), -1);
}
END_TEST

START_TEST(every_size)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	uint32_t max = DATA / 4;
	for (uint32_t len = MINLEN; len <= max; len++) {
		make_rec(recbuf, len, len, len);
		ck_assert_int_eq(shm_ring_write(p, recbuf, len), 0);
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
		check_rec(&ev, len, len);
	}
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	ck_assert_uint_eq(shm_ring_prod_max_record(p), max);
	/* Reserve the most, encode less, commit what was encoded; a reservation
	 * left uncommitted is reused. */
	for (uint32_t k = 0; k < 600; k++) {
		uint8_t *dst = shm_ring_reserve(p, max, NULL);
		ck_assert_ptr_nonnull(dst);
		if (k % 3 == 2)
			continue;
		uint32_t len = MINLEN + k * 7;
		make_rec(dst, len, k, k);
		shm_ring_commit(p, len);
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
		check_rec(&ev, len, k);
	}
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	make_rec(recbuf, max + 1, 1, 1);
	ck_assert_int_eq(shm_ring_write(p, recbuf, max + 1), -EMSGSIZE);
	struct shm_ring_slot_stats st;
	shm_ring_prod_stats(p, &st);
	ck_assert_uint_eq(st.n_evts, max - MINLEN + 1 + 400);
	ck_assert_uint_eq(st.n_drops_full, 1);
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_corrupt, 0);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

/* Where the producer's head goes after a record taking need bytes: a record
 * that does not fit before the end goes after a filler, at offset 0. */
static uint64_t sim(uint64_t head, uint32_t need)
{
	uint32_t r = DATA - (uint32_t)(head % DATA);
	return head + (need <= r ? need : (uint64_t)r + need);
}

START_TEST(wrap_at_every_offset)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	uint64_t head = 0, seq = 0, pads = 0;
	const uint32_t minneed = 8 + ((MINLEN + 7) & ~7u), maxneed = 8 + DATA / 4;
	/* For every gap g left before the end, up to the longest record: a
	 * record that fits exactly, and one 8 bytes too long (it must go after a
	 * filler, at offset 0). */
	for (uint32_t g = 8; g <= maxneed; g += 8) {
		for (uint32_t over = 0; over <= 8; over += 8) {
			while (DATA - head % DATA != g) {
				uint32_t r = DATA - (uint32_t)(head % DATA);
				uint32_t want = r > g ? r - g : r, need;
				if (want < minneed) {
					need = minneed;
				} else {
					need = want < maxneed ? want : maxneed;
					if (want - need && want - need < minneed)
						need = want - minneed;
				}
				uint32_t len = need - 8;
				make_rec(recbuf, len, seq, seq);
				ck_assert_int_eq(shm_ring_write(p, recbuf, len), 0);
				ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
				check_rec(&ev, len, seq);
				seq++;
				head = sim(head, need);
			}
			uint32_t need = g + over < minneed ? minneed : g + over;
			if (need > maxneed)
				need = maxneed;
			/* An odd length: the frame rounds the record up to 8. */
			uint32_t len = need > minneed && need - 8 < maxneed - 8 ? need - 11 : need - 8;
			make_rec(recbuf, len, seq, seq);
			ck_assert_int_eq(shm_ring_write(p, recbuf, len), 0);
			ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
			check_rec(&ev, len, seq);
			seq++;
			pads += need > g;
			head = sim(head, need);
		}
	}
	ck_assert_uint_ge(pads, (maxneed - minneed) / 8);
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_corrupt, 0);
	ck_assert_uint_eq(cs.n_read, seq);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(full_lossy)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	/* No consumer yet: the application keeps running and drops are counted. */
	uint64_t ok = 0, dropped = 0;
	for (uint64_t i = 0; i < 2000; i++) {
		make_rec(recbuf, 200, i, i);
		int rc = shm_ring_write(p, recbuf, 200);
		if (rc == 0)
			ok++;
		else {
			ck_assert_int_eq(rc, -ENOBUFS);
			dropped++;
		}
	}
	ck_assert_uint_eq(ok, DATA / 208);
	struct shm_ring_slot_stats st;
	shm_ring_prod_stats(p, &st);
	ck_assert_uint_eq(st.n_drops_full, dropped);
	ck_assert_uint_eq(st.n_evts, ok);
	/* A consumer that attaches now gets what was kept, in order. */
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	for (uint64_t i = 0; i < ok; i++) {
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
		check_rec(&ev, 200, i);
	}
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_drops, dropped);
	ck_assert_uint_eq(cs.n_evts, ok);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(lossless_without_consumer_never_waits)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSLESS, 1, 2000);
	ck_assert_int_eq(shm_ring_prod_consumer_attached(p), 0);
	uint64_t t0 = mono_ms(), ok = 0, dropped = 0;
	for (uint64_t i = 0; i < 1000; i++) {
		make_rec(recbuf, 200, i, i);
		int rc = shm_ring_write(p, recbuf, 200);
		ok += rc == 0;
		dropped += rc == -ENOBUFS;
	}
	ck_assert_uint_lt(mono_ms() - t0, 1000);
	ck_assert_uint_eq(ok, DATA / 208);
	ck_assert_uint_eq(ok + dropped, 1000);
	struct shm_ring_slot_stats st;
	shm_ring_prod_stats(p, &st);
	ck_assert_uint_eq(st.n_drops_full, dropped);
	ck_assert_uint_eq(st.n_waits, 0);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(full_lossless_bounded)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSLESS, 1, 100);
	struct shm_ring_cons *c = cons_open(); /* attached, but not reading */
	ck_assert_int_eq(shm_ring_prod_consumer_attached(p), 1);
	uint64_t i = 0;
	for (; i < DATA / 208; i++) {
		make_rec(recbuf, 200, i, i);
		ck_assert_int_eq(shm_ring_write(p, recbuf, 200), 0);
	}
	uint64_t t0 = mono_ms();
	ck_assert_int_eq(shm_ring_write(p, recbuf, 200), -ETIMEDOUT);
	uint64_t waited = mono_ms() - t0;
	ck_assert_uint_ge(waited, 90);
	ck_assert_uint_lt(waited, 5000);
	/* While the consumer stays stuck, later events drop without waiting. */
	t0 = mono_ms();
	for (int k = 0; k < 10; k++)
		ck_assert_int_eq(shm_ring_write(p, recbuf, 200), -ETIMEDOUT);
	ck_assert_uint_lt(mono_ms() - t0, 90);
	struct shm_ring_slot_stats st;
	shm_ring_prod_stats(p, &st);
	ck_assert_uint_eq(st.n_drops_wait, 11);
	ck_assert_uint_eq(st.n_waits, 1);
	/* Once it reads, the producer waits again (and gets room). */
	struct shm_evt ev;
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0); /* publishes the first */
	make_rec(recbuf, 200, i, i);
	ck_assert_int_eq(shm_ring_write(p, recbuf, 200), 0);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(lossless_with_reader_loses_nothing)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSLESS, 1, 2000);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		struct shm_ring_cons *c = NULL;
		if (shm_ring_cons_new(&c, NULL) || shm_ring_cons_add_name(c, ring_name, 0, NULL))
			_exit(2);
		struct shm_evt ev;
		for (uint64_t i = 0; i < 100000; i++) {
			if (shm_ring_cons_next(c, &ev, NULL, 5000))
				_exit(3);
			int64_t s;
			if (shm_evt_get_s64(&ev, 0, &s) || (uint64_t)s != i)
				_exit(4);
		}
		shm_ring_cons_free(c);
		_exit(0);
	}
	/* Wait for the consumer to attach. */
	uint64_t t0 = mono_ms();
	while (!shm_ring_prod_consumer_attached(p) && mono_ms() - t0 < 5000)
		usleep(1000);
	for (uint64_t i = 0; i < 100000; i++) {
		uint32_t len = MINLEN + (uint32_t)(i % 300);
		make_rec(recbuf, len, i, i);
		ck_assert_int_eq(shm_ring_write(p, recbuf, len), 0);
	}
	shm_ring_prod_flush(p);
	int status;
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	struct shm_ring_slot_stats st;
	shm_ring_prod_stats(p, &st);
	ck_assert_uint_eq(st.n_drops_full + st.n_drops_wait, 0);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(producer_killed_mid_record)
{
	struct shm_ring_cons *c = NULL;
	ck_assert_int_eq(shm_ring_cons_new(&c, NULL), 0);
	struct shm_ring_params prm = {.nslots = 1, .data_size = DATA};
	ck_assert_int_eq(shm_ring_cons_add_name(c, ring_name, SHM_RING_CREATE, &prm), 0);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		struct shm_ring_prod *p = NULL;
		if (shm_ring_prod_open(&p, ring_name, 0, NULL))
			_exit(2);
		for (uint64_t i = 0; i < 10; i++) {
			make_rec(recbuf, 100, i, i);
			shm_ring_write(p, recbuf, 100);
		}
		make_rec(recbuf, 100, 10, 10);
		uint8_t *dst = shm_ring_reserve(p, 100, NULL);
		memcpy(dst, recbuf, 50); /* half a record, then death */
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	int status;
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert(WIFSIGNALED(status));
	struct shm_evt ev;
	struct shm_ring_src src;
	for (uint64_t i = 0; i < 10; i++) {
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, &src, 0), 0);
		check_rec(&ev, 100, i);
		ck_assert_uint_eq(src.pid, (uint32_t)kid);
	}
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	/* The dead producer's only slot is reclaimed by a new one. */
	struct shm_ring_prod *p = NULL;
	ck_assert_int_eq(shm_ring_prod_open(&p, ring_name, 0, NULL), 0);
	for (uint64_t i = 100; i < 110; i++) {
		make_rec(recbuf, 120, i, i);
		ck_assert_int_eq(shm_ring_write(p, recbuf, 120), 0);
	}
	for (uint64_t i = 100; i < 110; i++) {
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, &src, 0), 0);
		check_rec(&ev, 120, i);
		ck_assert_uint_eq(src.pid, (uint32_t)getpid());
		ck_assert_uint_eq(src.generation, 2);
	}
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_corrupt, 0);
	ck_assert_uint_eq(cs.n_restarts, 1);
	/* A live producer's slot is not taken. */
	struct shm_ring_prod *p2 = NULL;
	char err[256] = "";
	struct shm_ring_prod_opts o = {.err = err, .errlen = sizeof err};
	ck_assert_int_eq(shm_ring_prod_open(&p2, ring_name, 0, &o), -EBUSY);
	ck_assert_ptr_nonnull(strstr(err, "slots"));
	shm_ring_prod_free(p);
	shm_ring_cons_free(c);
}
END_TEST

START_TEST(consumer_killed_and_restarted)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSLESS, 1, 3000);
	for (uint64_t i = 0; i < 100; i++) {
		make_rec(recbuf, 100, i, i);
		ck_assert_int_eq(shm_ring_write(p, recbuf, 100), 0);
	}
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		struct shm_ring_cons *c = NULL;
		if (shm_ring_cons_new(&c, NULL) || shm_ring_cons_add_name(c, ring_name, 0, NULL))
			_exit(2);
		struct shm_evt ev;
		for (int i = 0; i < 40; i++)
			if (shm_ring_cons_next(c, &ev, NULL, 0))
				_exit(3);
		kill(getpid(), SIGKILL);
		_exit(1);
	}
	int status;
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert(WIFSIGNALED(status));
	/* A lossless producer facing the dead consumer: the ring fills, and it
	 * gives up at once instead of waiting 3 s on a corpse. */
	uint64_t i = 100, t0 = mono_ms();
	int rc = 0;
	for (; rc == 0; i++) {
		make_rec(recbuf, 100, i, i);
		rc = shm_ring_write(p, recbuf, 100);
	}
	ck_assert_int_eq(rc, -ENOBUFS);
	ck_assert_uint_lt(mono_ms() - t0, 1000);
	uint64_t last = i - 2; /* the last one written */
	/* The new engine carries on after the 39 the dead one finished with
	 * (the 40th was in its hands: it is read again, never lost). */
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	for (uint64_t k = 39; k <= last; k++) {
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
		check_rec(&ev, 100, k);
	}
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(only_one_consumer)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	struct shm_ring_cons *c = cons_open();
	pid_t kid = fork();
	if (kid == 0) {
		struct shm_ring_cons *c2 = NULL;
		if (shm_ring_cons_new(&c2, NULL))
			_exit(2);
		int rc = shm_ring_cons_add_name(c2, ring_name, 0, NULL);
		_exit(rc == -EBUSY && strstr(shm_ring_cons_error(c2), "another") ? 0 : 1);
	}
	int status;
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(merge_by_timestamp)
{
	struct shm_ring_prod *a = prod_open(SHM_RING_LOSSY, 3, 0), *b = NULL, *d = NULL;
	ck_assert_int_eq(shm_ring_prod_open(&b, ring_name, 0, NULL), 0);
	ck_assert_int_eq(shm_ring_prod_open(&d, ring_name, 0, NULL), 0);
	struct shm_ring_prod *ps[3] = {a, b, d};
	for (uint64_t ts = 0; ts < 300; ts++) {
		make_rec(recbuf, 80, ts, ts);
		ck_assert_int_eq(shm_ring_write(ps[(ts * 7) % 3], recbuf, 80), 0);
	}
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	for (uint64_t ts = 0; ts < 300; ts++) {
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
		ck_assert_uint_eq(ev.ts, ts);
	}
	shm_ring_cons_free(c);
	shm_ring_prod_free(d);
	shm_ring_prod_free(b);
	shm_ring_prod_free(a);
}
END_TEST

/* The slot's data, mapped separately, so the test can damage it. */
struct view {
	uint8_t *base;
	size_t size;
	struct shm_ring_slot_ctl *ctl;
	uint8_t *data;
};

static struct view view_open(void)
{
	struct view v;
	int fd = shm_open(ring_name, O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	struct stat st;
	fstat(fd, &st);
	v.size = (size_t)st.st_size;
	v.base = mmap(NULL, v.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ck_assert_ptr_ne(v.base, MAP_FAILED);
	close(fd);
	v.ctl = (struct shm_ring_slot_ctl *)(v.base + SHM_RING_HDR_SIZE);
	v.data = v.base + SHM_RING_HDR_SIZE + SHM_RING_SLOT_CTL;
	return v;
}

START_TEST(corrupted_bytes)
{
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	struct shm_ring_cons *c = cons_open();
	struct view v = view_open();
	struct shm_evt ev;
	/* Records of 104 bytes: 112 in the ring with their frame. */
	const uint32_t L = 104, N = 112;
	struct {
		const char *what;
		uint32_t off; /* in the damaged record, frame included */
		uint32_t val;
		int bytes;
	} damage[] = {
		{"frame length 0", 0, SHM_RING_F_COMMIT, 4},
		{"frame length huge", 0, SHM_RING_F_COMMIT | 0xffffff, 4},
		{"frame length past the head", 0, SHM_RING_F_COMMIT | 5000, 4},
		{"frame without commit", 0, L, 4},
		{"frame of an old lap", 4, 12345, 4},
		{"record length mismatch", 8 + 16, 60, 4},
		{"type out of range", 8 + 20, 60000, 2},
		{"parameter count", 8 + 22, 9, 4},
		{"parameter length", 8 + 26, 500, 2},
	};
	uint64_t seq = 0;
	for (unsigned k = 0; k < sizeof damage / sizeof damage[0]; k++) {
		uint64_t base = __atomic_load_n(&v.ctl->head, __ATOMIC_ACQUIRE);
		for (int j = 0; j < 3; j++) {
			make_rec(recbuf, L, seq + (uint64_t)j, seq + (uint64_t)j);
			ck_assert_int_eq(shm_ring_write(p, recbuf, L), 0);
		}
		uint8_t *rec = v.data + ((base + N) & (DATA - 1));
		memcpy(rec + damage[k].off, &damage[k].val, (size_t)damage[k].bytes);
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
		check_rec(&ev, L, seq);
		ck_assert_msg(shm_ring_cons_next(c, &ev, NULL, 0) == 0, "%s", damage[k].what);
		check_rec(&ev, L, seq + 2);
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
		struct shm_ring_cons_stats cs;
		shm_ring_cons_stats(c, &cs);
		ck_assert_msg(cs.n_corrupt == k + 1, "%s: %llu corrupt", damage[k].what,
			      (unsigned long long)cs.n_corrupt);
		seq += 3;
	}
	/* A head far beyond the tail, then a misaligned one: skipped, not read. */
	uint64_t h = __atomic_load_n(&v.ctl->head, __ATOMIC_ACQUIRE);
	__atomic_store_n(&v.ctl->head, h + 10 * DATA, __ATOMIC_RELEASE);
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	__atomic_store_n(&v.ctl->head, h + 10 * DATA + 3, __ATOMIC_RELEASE);
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	/* Random garbage over a full ring never crashes or loops. */
	__atomic_store_n(&v.ctl->head, h + 10 * DATA + 8, __ATOMIC_RELEASE);
	srand(1);
	for (int round = 0; round < 50; round++) {
		for (uint32_t i = 0; i < DATA; i++)
			v.data[i] = (uint8_t)rand();
		uint64_t t = __atomic_load_n(&v.ctl->tail, __ATOMIC_ACQUIRE);
		__atomic_store_n(&v.ctl->head, t + (uint64_t)(rand() % (DATA / 8)) * 8,
				 __ATOMIC_RELEASE);
		while (shm_ring_cons_next(c, &ev, NULL, 0) == 0)
			;
	}
	munmap(v.base, v.size);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(memfd_over_socket)
{
	char sock[108];
	snprintf(sock, sizeof sock, "/tmp/pdig-check-ring-%d.sock", (int)getpid());
	struct shm_ring_cons *c = NULL;
	ck_assert_int_eq(shm_ring_cons_new(&c, NULL), 0);
	int ls = shm_ring_listen(sock);
	ck_assert_int_ge(ls, 0);
	struct stat st;
	ck_assert_int_eq(stat(sock, &st), 0);
	ck_assert_uint_eq(st.st_mode & 0777, 0600);
	pid_t kid = fork();
	ck_assert_int_ge(kid, 0);
	if (kid == 0) {
		struct shm_ring_prod_opts o = {.params = {.data_size = DATA}};
		struct shm_ring_prod *p = NULL;
		if (shm_ring_prod_open_memfd(&p, &o) || shm_ring_prod_connect(p, sock))
			_exit(2);
		/* A producer cannot shrink the region under the engine. */
		if (ftruncate(shm_ring_prod_fd(p), 4096) == 0)
			_exit(3);
		for (uint64_t i = 0; i < 50; i++) {
			make_rec(recbuf, 90, i, i);
			if (shm_ring_write(p, recbuf, 90))
				_exit(4);
		}
		shm_ring_prod_free(p);
		_exit(0);
	}
	ck_assert_int_eq(shm_ring_cons_accept(c, ls), 0);
	int status;
	ck_assert_int_eq(waitpid(kid, &status, 0), kid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	struct shm_evt ev;
	for (uint64_t i = 0; i < 50; i++) {
		ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 1000), 0);
		check_rec(&ev, 90, i);
	}
	/* A descriptor that is not a sealed memfd is refused. */
	int fd = open("/dev/null", O_RDWR);
	ck_assert_int_eq(shm_ring_cons_add_fd(c, fd), -EPERM);
	ck_assert_uint_eq(shm_ring_cons_nregions(c), 1);
	/* Its producer is gone and all is read: the engine lets the region go. */
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 50), -EAGAIN);
	ck_assert_uint_eq(shm_ring_cons_nregions(c), 0);
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_regions_dropped, 1);
	ck_assert_uint_eq(cs.n_read, 50);
	close(ls);
	unlink(sock);
	shm_ring_cons_free(c);
}
END_TEST

START_TEST(bad_regions_refused)
{
	/* Not a ring: a plain shm object with garbage. */
	int fd = shm_open(ring_name, O_RDWR | O_CREAT, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 1 << 20), 0);
	char junk[4096];
	memset(junk, 0x5a, sizeof junk);
	ck_assert_int_eq(pwrite(fd, junk, sizeof junk, 0), (ssize_t)sizeof junk);
	struct shm_ring_cons *c = NULL;
	ck_assert_int_eq(shm_ring_cons_new(&c, NULL), 0);
	ck_assert_int_eq(shm_ring_cons_add_name(c, ring_name, 0, NULL), -EPROTO);
	/* A valid header claiming more than the file holds. */
	struct shm_ring_hdr h = {.magic = SHM_RING_MAGIC, .abi_version = SHM_RING_ABI_VERSION,
				 .hdr_size = SHM_RING_HDR_SIZE, .nslots = 8,
				 .slot_size = SHM_RING_SLOT_CTL + DATA, .data_size = DATA,
				 .max_record = DATA / 4};
	h.region_size = SHM_RING_HDR_SIZE + 8ull * h.slot_size;
	ck_assert_int_eq(pwrite(fd, &h, sizeof h, 0), (ssize_t)sizeof h);
	ck_assert_int_eq(ftruncate(fd, 8192), 0);
	ck_assert_int_eq(shm_ring_cons_add_name(c, ring_name, 0, NULL), -EPROTO);
	ck_assert_ptr_nonnull(strstr(shm_ring_cons_error(c), "inconsistent"));
	ck_assert_uint_eq(shm_ring_cons_nregions(c), 0);
	/* Missing ring: the message says what to do. */
	shm_unlink(ring_name);
	ck_assert_int_eq(shm_ring_cons_add_name(c, ring_name, 0, NULL), -ENOENT);
	ck_assert_ptr_nonnull(strstr(shm_ring_cons_error(c), "--ring"));
	close(fd);
	shm_ring_cons_free(c);
}
END_TEST

/* ---- metadata records ---- */

/* A PL_V9 block with one process (tid, comm) in buf: its length. */
static uint32_t make_pl(uint8_t *buf, size_t cap, uint64_t tid, const char *comm)
{
	struct shm_scap_block b;
	struct shm_scap_proc pr;
	memset(&pr, 0, sizeof pr);
	pr.tid = pr.pid = tid;
	pr.ptid = 1;
	pr.comm = comm;
	pr.exe = comm;
	pr.cwd = "/tmp";
	pr.args = "a\0b";
	pr.args_len = 4;
	ck_assert_int_eq(shm_scap_block_begin(&b, buf, cap, SHM_SCAP_PL_V9), 0);
	ck_assert_int_eq(shm_scap_block_add_proc(&b, &pr), 0);
	return (uint32_t)shm_scap_block_end(&b);
}

static uint32_t make_ul(uint8_t *buf, size_t cap, uint32_t uid, const char *name)
{
	struct shm_scap_block b;
	struct shm_scap_user u = {uid, uid, name, "/home", "/bin/sh"};
	struct shm_scap_group g = {uid, name};
	ck_assert_int_eq(shm_scap_block_begin(&b, buf, cap, SHM_SCAP_UL_V2), 0);
	ck_assert_int_eq(shm_scap_block_add_user(&b, &u), 0);
	ck_assert_int_eq(shm_scap_block_add_group(&b, &g), 0);
	return (uint32_t)shm_scap_block_end(&b);
}

static void expect_event(struct shm_ring_cons *c, struct shm_ring_rec *r, uint32_t len,
			 uint64_t seq)
{
	ck_assert_int_eq(shm_ring_cons_next_rec(c, r, NULL, 0), 0);
	ck_assert_int_eq(r->kind, SHM_RING_REC_EVENT);
	ck_assert_ptr_null(r->meta);
	check_rec(r->evt, len, seq);
}

static void expect_pl(struct shm_ring_cons *c, struct shm_ring_rec *r, uint64_t tid,
		      const char *comm)
{
	const struct shm_scap_proc *procs;
	ck_assert_int_eq(shm_ring_cons_next_rec(c, r, NULL, 0), 0);
	ck_assert_int_eq(r->kind, SHM_RING_REC_META);
	ck_assert_ptr_nonnull(r->meta);
	ck_assert_uint_eq(shm_scap_meta_procs(r->meta, &procs), 1);
	ck_assert_uint_eq(procs[0].tid, tid);
	ck_assert_str_eq(procs[0].comm, comm);
	ck_assert_str_eq(procs[0].cwd, "/tmp");
	ck_assert_uint_eq(procs[0].args_len, 4);
	ck_assert_int_eq(memcmp(procs[0].args, "a\0b", 4), 0);
}

START_TEST(meta_in_order_with_events)
{
	static uint8_t blk[4096];
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 2, 0);
	make_rec(recbuf, 80, 0, 10);
	ck_assert_int_eq(shm_ring_write(p, recbuf, 80), 0);
	ck_assert_int_eq(shm_ring_write_meta(p, blk, make_pl(blk, sizeof blk, 100, "first")), 0);
	make_rec(recbuf, 80, 1, 11);
	ck_assert_int_eq(shm_ring_write(p, recbuf, 80), 0);
	ck_assert_int_eq(shm_ring_write_meta(p, blk, make_ul(blk, sizeof blk, 1000, "alice")), 0);
	make_rec(recbuf, 80, 2, 12);
	ck_assert_int_eq(shm_ring_write(p, recbuf, 80), 0);

	struct shm_ring_slot_stats ss;
	shm_ring_prod_stats(p, &ss);
	ck_assert_uint_eq(ss.n_evts, 3);
	ck_assert_uint_eq(ss.n_meta, 2);

	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	struct shm_ring_rec r = {.evt = &ev};
	expect_event(c, &r, 80, 0);
	expect_pl(c, &r, 100, "first");
	expect_event(c, &r, 80, 1);
	ck_assert_int_eq(shm_ring_cons_next_rec(c, &r, NULL, 0), 0);
	ck_assert_int_eq(r.kind, SHM_RING_REC_META);
	const struct shm_scap_user *u;
	const struct shm_scap_group *g;
	ck_assert_uint_eq(shm_scap_meta_users(r.meta, &u), 1);
	ck_assert_uint_eq(shm_scap_meta_groups(r.meta, &g), 1);
	ck_assert_str_eq(u[0].name, "alice");
	ck_assert_uint_eq(u[0].uid, 1000);
	ck_assert_str_eq(g[0].name, "alice");
	/* the previous record's tables are gone: one block at a time */
	const struct shm_scap_proc *procs;
	ck_assert_uint_eq(shm_scap_meta_procs(r.meta, &procs), 0);
	expect_event(c, &r, 80, 2);
	ck_assert_int_eq(shm_ring_cons_next_rec(c, &r, NULL, 0), -EAGAIN);
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_read, 3);
	ck_assert_uint_eq(cs.n_meta, 2);
	ck_assert_uint_eq(cs.n_corrupt, 0);
	/* without a place for events the call is refused */
	r.evt = NULL;
	ck_assert_int_eq(shm_ring_cons_next_rec(c, &r, NULL, 0), -EINVAL);
	shm_ring_cons_free(c);

	/* The event-only API passes metadata over, and counts it. */
	ck_assert_int_eq(shm_ring_write_meta(p, blk, make_pl(blk, sizeof blk, 7, "x")), 0);
	make_rec(recbuf, 80, 3, 13);
	ck_assert_int_eq(shm_ring_write(p, recbuf, 80), 0);
	c = cons_open();
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
	check_rec(&ev, 80, 3);
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(cs.n_meta_ignored, 1);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

/* A producer's metadata comes before its later events, whatever the other
 * producers' timestamps: it is state for what follows. */
START_TEST(meta_before_later_events_of_its_producer)
{
	static uint8_t blk[4096];
	struct shm_ring_prod *a = prod_open(SHM_RING_LOSSY, 2, 0), *b = NULL;
	ck_assert_int_eq(shm_ring_prod_open(&b, ring_name, 0, NULL), 0);
	make_rec(recbuf, 80, 1, 1);
	ck_assert_int_eq(shm_ring_write(b, recbuf, 80), 0);
	ck_assert_int_eq(shm_ring_write_meta(a, blk, make_pl(blk, sizeof blk, 55, "late")), 0);
	make_rec(recbuf, 80, 100, 100);
	ck_assert_int_eq(shm_ring_write(a, recbuf, 80), 0);
	make_rec(recbuf, 80, 200, 200);
	ck_assert_int_eq(shm_ring_write(b, recbuf, 80), 0);
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	struct shm_ring_rec r = {.evt = &ev};
	expect_pl(c, &r, 55, "late");
	expect_event(c, &r, 80, 1);
	expect_event(c, &r, 80, 100);
	expect_event(c, &r, 80, 200);
	shm_ring_cons_free(c);
	shm_ring_prod_free(b);
	shm_ring_prod_free(a);
}
END_TEST

START_TEST(meta_refused_when_not_a_block)
{
	static uint8_t blk[DATA];
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	uint32_t n = make_pl(blk, sizeof blk, 9, "x");
	ck_assert_int_eq(shm_ring_write_meta(p, blk, n - 4), -EINVAL);  /* cut */
	ck_assert_int_eq(shm_ring_write_meta(p, blk, 8), -EINVAL);      /* too short */
	make_rec(recbuf, 80, 0, 0);
	ck_assert_int_eq(shm_ring_write_meta(p, recbuf, 80), -EINVAL);  /* an event */
	uint32_t t = SHM_SCAP_EV_V2;
	memcpy(blk, &t, 4);
	ck_assert_int_eq(shm_ring_write_meta(p, blk, n), -EINVAL);      /* event block */
	struct shm_ring_slot_stats ss;
	shm_ring_prod_stats(p, &ss);
	ck_assert_uint_eq(ss.n_meta + ss.n_evts + ss.n_drops_full, 0);
	ck_assert_uint_eq(ss.used, 0);
	/* A well-formed block longer than a record: refused and counted. */
	struct shm_scap_block b;
	struct shm_scap_user u = {1, 1, "u", "/", "/bin/sh"};
	ck_assert_int_eq(shm_scap_block_begin(&b, blk, sizeof blk, SHM_SCAP_UL_V2), 0);
	while (b.len <= shm_ring_prod_max_record(p))
		ck_assert_int_eq(shm_scap_block_add_user(&b, &u), 0);
	n = (uint32_t)shm_scap_block_end(&b);
	ck_assert_int_eq(shm_ring_write_meta(p, blk, n), -EMSGSIZE);
	shm_ring_prod_stats(p, &ss);
	ck_assert_uint_eq(ss.n_drops_full, 1);
	shm_ring_prod_free(p);
}
END_TEST

START_TEST(meta_corrupted_counted_and_skipped)
{
	static uint8_t blk[4096];
	struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
	struct shm_ring_cons *c = cons_open();
	struct view v = view_open();
	struct shm_evt ev;
	struct shm_ring_rec r = {.evt = &ev};
	const uint32_t L = 104, N = 112;
	uint32_t M = make_pl(blk, sizeof blk, 42, "victim");
	/* offsets in the damaged record, its frame included (8 bytes) */
	struct {
		const char *what;
		uint32_t off;
		uint32_t val;
		int bytes;
	} damage[] = {
		{"frame length not a multiple of 4", 0, SHM_RING_F_COMMIT | SHM_RING_F_META | 13, 4},
		{"frame length too short for a block", 0, SHM_RING_F_COMMIT | SHM_RING_F_META | 8, 4},
		{"PAD and META together", 0, SHM_RING_F_COMMIT | SHM_RING_F_META | SHM_RING_F_PAD | 64, 4},
		{"block length differs from the record", 8 + 4, 12, 4},
		{"trailer differs", 8 + 0, 0, 0}, /* patched below: the last word */
		{"unknown block type", 8 + 0, 0x12345u, 4},
		{"event block type", 8 + 0, SHM_SCAP_EV_V2, 4},
		{"entry length huge", 8 + 8, 0x7fffffffu, 4},
		{"entry length too small", 8 + 8, 2, 4},
		{"string length past the entry", 8 + 8 + 4 + 40, 60000, 2},
	};
	uint64_t seq = 0;
	for (unsigned k = 0; k < sizeof damage / sizeof damage[0]; k++) {
		uint64_t base = __atomic_load_n(&v.ctl->head, __ATOMIC_ACQUIRE);
		make_rec(recbuf, L, seq, seq);
		ck_assert_int_eq(shm_ring_write(p, recbuf, L), 0);
		ck_assert_int_eq(shm_ring_write_meta(p, blk, M), 0);
		make_rec(recbuf, L, seq + 1, seq + 1);
		ck_assert_int_eq(shm_ring_write(p, recbuf, L), 0);
		uint8_t *rec = v.data + ((base + N) & (DATA - 1));
		if (damage[k].bytes)
			memcpy(rec + damage[k].off, &damage[k].val, (size_t)damage[k].bytes);
		else
			memset(rec + 8 + M - 4, 0xee, 4);
		expect_event(c, &r, L, seq);
		ck_assert_msg(shm_ring_cons_next_rec(c, &r, NULL, 0) == 0, "%s", damage[k].what);
		ck_assert_msg(r.kind == SHM_RING_REC_EVENT, "%s: the damaged block was handed out",
			      damage[k].what);
		check_rec(&ev, L, seq + 1);
		ck_assert_int_eq(shm_ring_cons_next_rec(c, &r, NULL, 0), -EAGAIN);
		struct shm_ring_cons_stats cs;
		shm_ring_cons_stats(c, &cs);
		ck_assert_msg(cs.n_corrupt == k + 1, "%s: %llu corrupt", damage[k].what,
			      (unsigned long long)cs.n_corrupt);
		ck_assert_uint_eq(cs.n_meta, 0);
		seq += 2;
	}
	/* Random bytes in the body of well-framed blocks: parsed or counted,
	 * never a crash (the ASan build runs this too). */
	srand(2);
	uint64_t handed = 0, corrupt0;
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	corrupt0 = cs.n_corrupt;
	for (int round = 0; round < 2000; round++) {
		uint64_t base = __atomic_load_n(&v.ctl->head, __ATOMIC_ACQUIRE);
		ck_assert_int_eq(shm_ring_write_meta(p, blk, M), 0);
		uint8_t *rec = v.data + (base & (DATA - 1));
		if ((base & (DATA - 1)) + 8 + ((M + 7u) & ~7u) > DATA)
			rec = v.data; /* it wrapped after a PAD */
		for (int i = 0; i < 1 + rand() % 8; i++)
			rec[8 + 8 + (uint32_t)rand() % (M - 12)] = (uint8_t)rand();
		int rc = shm_ring_cons_next_rec(c, &r, NULL, 0);
		if (rc == 0) {
			ck_assert_int_eq(r.kind, SHM_RING_REC_META);
			handed++;
		} else {
			ck_assert_int_eq(rc, -EAGAIN);
		}
	}
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_eq(handed + (cs.n_corrupt - corrupt0), 2000);
	ck_assert_uint_gt(cs.n_corrupt - corrupt0, 0);
	munmap(v.base, v.size);
	shm_ring_cons_free(c);
	shm_ring_prod_free(p);
}
END_TEST

/* A named region shrunk under the engine (anyone with the same uid can):
 * the consumer lets that region go and carries on, never dies of SIGBUS. */
START_TEST(named_region_shrunk_under_consumer)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) { /* the producer writes, then goes away */
		struct shm_ring_prod *p = prod_open(SHM_RING_LOSSY, 1, 0);
		for (uint64_t i = 0; i < 10; i++) {
			make_rec(recbuf, 200, i, i);
			if (shm_ring_write(p, recbuf, 200))
				_exit(1);
		}
		_exit(0); /* no free: keep the records for the consumer */
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
	struct shm_ring_cons *c = cons_open();
	struct shm_evt ev;
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), 0);
	check_rec(&ev, 200, 0);
	int fd = shm_open(ring_name, O_RDWR, 0);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4096), 0); /* the hostile part */
	close(fd);
	ck_assert_int_eq(shm_ring_cons_next(c, &ev, NULL, 0), -EAGAIN);
	ck_assert_ptr_nonnull(strstr(shm_ring_cons_error(c), "shrunk"));
	struct shm_ring_cons_stats cs;
	shm_ring_cons_stats(c, &cs);
	ck_assert_uint_ge(cs.n_corrupt, 1);
	ck_assert_uint_eq(shm_ring_cons_nregions(c), 0);
	shm_ring_cons_free(c);
}
END_TEST

static Suite *ring_suite(void)
{
	Suite *s = suite_create("ring");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, region_is_private);
	tcase_add_test(tc, every_size);
	tcase_add_test(tc, wrap_at_every_offset);
	tcase_add_test(tc, full_lossy);
	tcase_add_test(tc, lossless_without_consumer_never_waits);
	tcase_add_test(tc, full_lossless_bounded);
	tcase_add_test(tc, lossless_with_reader_loses_nothing);
	tcase_add_test(tc, producer_killed_mid_record);
	tcase_add_test(tc, consumer_killed_and_restarted);
	tcase_add_test(tc, only_one_consumer);
	tcase_add_test(tc, merge_by_timestamp);
	tcase_add_test(tc, corrupted_bytes);
	tcase_add_test(tc, memfd_over_socket);
	tcase_add_test(tc, bad_regions_refused);
	tcase_add_test(tc, meta_in_order_with_events);
	tcase_add_test(tc, meta_before_later_events_of_its_producer);
	tcase_add_test(tc, meta_refused_when_not_a_block);
	tcase_add_test(tc, meta_corrupted_counted_and_skipped);
	tcase_add_test(tc, named_region_shrunk_under_consumer);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(ring_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
