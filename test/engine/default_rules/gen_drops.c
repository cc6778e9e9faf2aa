/*
 * gen_drops OUT.scap N: a capture in which the producer lost events N times,
 * each loss a drop enter/exit pair (as the kernel driver writes them),
 * between ordinary syscalls of one process. pdig's tracer does not write
 * drop events into captures (it counts its drops), so the default rule on
 * drops is tested with this capture.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"
#include "shm_scap.h"

static struct shm_scap_writer *w;
static uint64_t ts = 1700000000000000000ull;
static uint8_t buf[4096];
static struct shm_enc e;

static void begin(uint16_t type)
{
	ts += 1000;
	shm_enc_begin(&e, buf, sizeof(buf), type, ts, 100);
}

static int end(void)
{
	int len = shm_enc_end(&e);
	if (len < 0)
		return len;
	return shm_scap_write_event(w, 0, 0, buf, (uint32_t)len);
}

/* a close(-1) pair: ordinary activity around the drops */
static int close_pair(void)
{
	int rc;
	begin(SHM_EV_SYSCALL_CLOSE_E);
	shm_enc_s64(&e, -1);
	if ((rc = end()))
		return rc;
	begin(SHM_EV_SYSCALL_CLOSE_X);
	shm_enc_s64(&e, -9);
	return end();
}

static int drop_pair(uint32_t ratio)
{
	int rc;
	begin(SHM_EV_DROP_E);
	shm_enc_u32(&e, ratio);
	if ((rc = end()))
		return rc;
	begin(SHM_EV_DROP_X);
	shm_enc_u32(&e, ratio);
	return end();
}

int main(int argc, char **argv)
{
	if (argc != 3 || atoi(argv[2]) < 0) {
		fprintf(stderr, "usage: gen_drops OUT.scap N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	if (shm_scap_writer_new(&w, argv[1])) {
		fprintf(stderr, "gen_drops: cannot create %s\n", argv[1]);
		return 1;
	}
	struct shm_scap_machine mi = {.num_cpus = 1, .memory_size_bytes = 1ull << 30,
				      .max_pid = 4194304, .hostname = "pdig-test"};
	struct shm_scap_proc proc = {.tid = 100, .pid = 100, .ptid = 1, .sid = 100, .vpgid = 100,
				     .comm = "app", .exe = "/app", .exepath = "/app", .args = "",
				     .cwd = "/", .root = "/", .fdlimit = 1024, .vtid = 100,
				     .vpid = 100, .loginuid = -1};
	int rc = shm_scap_write_machine(w, &mi);
	if (!rc)
		rc = shm_scap_write_procs(w, &proc, 1);
	if (!rc)
		rc = close_pair();
	for (int i = 0; i < n && !rc; i++) {
		rc = drop_pair(100 + (uint32_t)i);
		if (!rc)
			rc = close_pair();
	}
	if (rc)
		fprintf(stderr, "gen_drops: writing %s failed: %s (%d)\n", argv[1],
			shm_scap_writer_error(w), rc);
	int frc = shm_scap_writer_free(w);
	if (!rc && frc)
		fprintf(stderr, "gen_drops: closing %s failed (%d)\n", argv[1], frc);
	return rc || frc ? 1 : 0;
}
