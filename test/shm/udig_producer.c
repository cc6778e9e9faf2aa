/*
 * Writes known events into the udig-compatible ring, for the sysdig -u test.
 *
 *	udig_producer [-n pairs] [-w seconds] [-W]
 *
 * Waits (at most -w seconds) for a consumer to start capturing, writes n
 * write() enter/exit pairs from this process with 200-byte data buffers
 * (the consumer's snaplen must cut them), waits until the consumer has read
 * everything (-W: fail unless the ring wrapped around), and prints on stdout, one line per event, what
 *	sysdig -u -p '*%evt.type %evt.dir %thread.tid %proc.name %evt.arg.fd
 *		      %evt.arg.size %evt.rawres %evt.arg.data'
 * must print. Exit 0, or 1 with the reason on stderr.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shm_event.h"
#include "shm_udig.h"

static uint64_t wall_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static unsigned wraps; /* times the head went back to the start of the ring */

static int put(struct shm_udig *u, const uint8_t *buf, int len)
{
	uint32_t before = shm_udig_descs(u)->info.head;
	if (len < 0) {
		fprintf(stderr, "udig_producer: cannot encode: %s\n", strerror(-len));
		return 1;
	}
	/* The ring holds 8 MiB: a full one here means the reader is stuck. */
	for (int tries = 0; tries < 10000; tries++) {
		int rc = shm_udig_write(u, buf, (uint32_t)len);
		if (rc == 0) {
			wraps += shm_udig_descs(u)->info.head < before;
			return 0;
		}
		if (rc != -ENOBUFS) {
			fprintf(stderr, "udig_producer: write failed: %s\n", strerror(-rc));
			return 1;
		}
		usleep(1000);
	}
	fprintf(stderr, "udig_producer: the ring stayed full for 10 s\n");
	return 1;
}

int main(int argc, char **argv)
{
	int pairs = 20, wait_s = 20, must_wrap = 0, opt;
	while ((opt = getopt(argc, argv, "n:w:W")) != -1) {
		if (opt == 'W')
			must_wrap = 1;
		else if (opt == 'n')
			pairs = atoi(optarg);
		else if (opt == 'w')
			wait_s = atoi(optarg);
		else
			return 2;
	}
	char err[256];
	struct shm_udig *u;
	if (shm_udig_open(&u, err, sizeof err)) {
		fprintf(stderr, "udig_producer: %s\n", err);
		return 1;
	}
	/* Nothing is written while nobody captures: this one must be refused. */
	uint8_t buf[512];
	struct shm_enc e;
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_CLOSE_E, wall_ns(), (uint64_t)getpid());
	shm_enc_s64(&e, 99);
	int len = shm_enc_end(&e);
	if (!shm_udig_capturing(u) && shm_udig_write(u, buf, (uint32_t)len) != -ENOTCONN) {
		fprintf(stderr, "udig_producer: wrote with no consumer capturing\n");
		return 1;
	}
	fprintf(stderr, "udig_producer: waiting for a consumer\n");
	for (int i = 0; !shm_udig_capturing(u); i++) {
		if (i >= wait_s * 100) {
			fprintf(stderr, "udig_producer: no consumer started capturing in %d s\n",
				wait_s);
			return 1;
		}
		usleep(10000);
	}
	/* The consumer still scans /proc after taking the capture; give it a moment
	 * so that it knows this process when the events come. */
	usleep(300000);
	uint64_t tid = (uint64_t)getpid();
	char comm[64] = "?";
	FILE *f = fopen("/proc/self/comm", "r");
	if (f) {
		if (fgets(comm, sizeof comm, f))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(f);
	}
	uint32_t snaplen = shm_udig_descs(u)->status.consumer.snaplen;
	if (!snaplen)
		snaplen = SHM_UDIG_SNAPLEN;
	for (int i = 0; i < pairs; i++) {
		int64_t fd = 900000 + i; /* no such descriptor: sysdig prints the number */
		uint32_t size = 200;
		shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_WRITE_E, wall_ns(), tid);
		shm_enc_s64(&e, fd);
		shm_enc_u32(&e, size);
		if (put(u, buf, shm_enc_end(&e)))
			return 1;
		printf("write > %llu %s %lld %u <NA> <NA>\n", (unsigned long long)tid, comm,
		       (long long)fd, size);
		shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_WRITE_X, wall_ns(), tid);
		shm_enc_s64(&e, size);
		uint8_t *d = shm_enc_reserve(&e, size);
		for (uint32_t k = 0; k < size; k++)
			d[k] = (uint8_t)('a' + (k + (uint32_t)i) % 26);
		if (put(u, buf, shm_enc_end(&e)))
			return 1;
		printf("write < %llu %s <NA> <NA> %u %.*s\n", (unsigned long long)tid, comm, size,
		       (int)(size < snaplen ? size : snaplen), (const char *)d);
	}
	fflush(stdout);
	/* Stay alive (and known to the consumer) until it has read everything. */
	struct shm_udig_descs *d = shm_udig_descs(u);
	for (int i = 0; i < wait_s * 100; i++) {
		if (__atomic_load_n(&d->info.tail, __ATOMIC_ACQUIRE) ==
			    __atomic_load_n(&d->info.head, __ATOMIC_ACQUIRE) ||
		    !shm_udig_capturing(u))
			break;
		usleep(10000);
	}
	struct shm_udig_stats st;
	shm_udig_stats(u, &st);
	fprintf(stderr, "udig_producer: %llu written, %llu cut to the snaplen %u, %llu full, "
		"%u wrap-arounds\n", (unsigned long long)st.n_written,
		(unsigned long long)st.n_truncated, snaplen, (unsigned long long)st.n_drops_buffer,
		wraps);
	shm_udig_free(u);
	if (must_wrap && !wraps) {
		fprintf(stderr, "udig_producer: -W: the ring never wrapped around\n");
		return 1;
	}
	return 0;
}
