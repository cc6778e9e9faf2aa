/* Unit tests of the event sources (suite "source"). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "eng_fields.h"
#include "eng_source.h"
#include "shm_ring.h"
#include "shm_scap.h"

static int encode_read_e(uint8_t *buf, size_t cap, uint64_t ts, uint64_t tid, int64_t fd)
{
	struct shm_enc e;
	shm_enc_begin(&e, buf, cap, SHM_EV_SYSCALL_READ_E, ts, tid);
	shm_enc_s64(&e, fd);
	shm_enc_u32(&e, 10);
	return shm_enc_end(&e);
}

START_TEST(scap_source)
{
	char path[] = "/tmp/eng_source_XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	struct shm_scap_writer *w;
	ck_assert_int_eq(shm_scap_writer_new(&w, path), 0);
	struct shm_scap_proc p = {.tid = 7, .pid = 7, .ptid = 1, .comm = "cat", .exe = "cat",
				  .exepath = "/bin/cat", .cwd = "/", .uid = 0};
	struct shm_scap_fd f = {.fd = 3, .type = SHM_SCAP_FD_FILE_V2, .name = "/etc/passwd"};
	ck_assert_int_eq(shm_scap_write_procs(w, &p, 1), 0);
	ck_assert_int_eq(shm_scap_write_fds(w, 7, &f, 1), 0);
	uint8_t buf[256];
	for (int i = 0; i < 3; i++) {
		int len = encode_read_e(buf, sizeof buf, 1000 + (uint64_t)i, 7, 3);
		ck_assert_int_eq(shm_scap_write_event(w, 1, 0, buf, (uint32_t)len), 0);
	}
	ck_assert_int_eq(shm_scap_writer_free(w), 0);

	struct eng_source *src;
	char err[256];
	ck_assert_int_eq(eng_source_scap_new(&src, path, err, sizeof err), 0);
	struct eng_state *st;
	ck_assert_int_eq(eng_state_new(&st), 0);
	ck_assert_int_eq(src->ops->load_state(src, st), 0);
	struct eng_event ev = {0};
	uint32_t df;
	int n = 0;
	while (eng_source_next(src, &ev, &df) == 1) {
		ev.num = (uint64_t)++n;
		eng_state_apply(st, &ev);
		ck_assert_uint_eq(ev.evt.ts, 1000 + (uint64_t)n - 1);
		ck_assert_uint_eq(ev.cpuid, 1);
		ck_assert_ptr_nonnull(ev.fd);
		ck_assert_str_eq(ev.fd->name, "/etc/passwd");
		ck_assert_str_eq(ev.thread->comm, "cat");
	}
	ck_assert_int_eq(n, 3);
	ck_assert_uint_eq(src->ops->lost(src), 0);
	eng_source_free(src);
	eng_state_free(st);
	unlink(path);

	ck_assert_int_lt(eng_source_scap_new(&src, "/nonexistent/x.scap", err, sizeof err), 0);
	ck_assert_msg(strlen(err) > 0, "an error text");
}
END_TEST

START_TEST(ring_source_merges_producers)
{
	char name[64];
	snprintf(name, sizeof name, "/pdig-eng-test-%d", (int)getpid());
	struct eng_ring_opts o = {.name = name, .idle_exit_ms = 300};
	struct eng_source *src;
	char err[256];
	ck_assert_msg(eng_source_ring_new(&src, &o, err, sizeof err) == 0, "%s", err);
	struct shm_ring_prod *a, *b;
	ck_assert_int_eq(shm_ring_prod_open(&a, name, 0, NULL), 0);
	ck_assert_int_eq(shm_ring_prod_open(&b, name, 0, NULL), 0);
	uint8_t buf[256];
	/* two producers, timestamps interleaved */
	for (int i = 0; i < 4; i++) {
		int len = encode_read_e(buf, sizeof buf, 100 + 2 * (uint64_t)i, 11, i);
		ck_assert_int_eq(shm_ring_write(a, buf, (uint32_t)len), 0);
		len = encode_read_e(buf, sizeof buf, 101 + 2 * (uint64_t)i, 22, i);
		ck_assert_int_eq(shm_ring_write(b, buf, (uint32_t)len), 0);
	}
	shm_ring_prod_flush(a);
	shm_ring_prod_flush(b);
	struct eng_event ev = {0};
	uint32_t df;
	uint64_t last = 0;
	int n = 0;
	while (eng_source_next(src, &ev, &df) == 1) {
		ck_assert_uint_gt(ev.evt.ts, last);
		last = ev.evt.ts;
		ck_assert_uint_eq(ev.cpuid, ENG_CPU_UNKNOWN);
		n++;
	}
	ck_assert_int_eq(n, 8);
	ck_assert_uint_eq(src->ops->lost(src), 0);
	shm_ring_prod_free(a);
	shm_ring_prod_free(b);
	eng_source_free(src);
	shm_unlink(name);
}
END_TEST

START_TEST(ring_source_stops_on_request)
{
	char name[64];
	snprintf(name, sizeof name, "/pdig-eng-stop-%d", (int)getpid());
	static volatile int stop = 1;
	struct eng_ring_opts o = {.name = name, .idle_exit_ms = -1, .stop = &stop};
	struct eng_source *src;
	char err[256];
	ck_assert_msg(eng_source_ring_new(&src, &o, err, sizeof err) == 0, "%s", err);
	struct eng_event ev = {0};
	uint32_t df;
	ck_assert_int_eq(eng_source_next(src, &ev, &df), 0);
	eng_source_free(src);
	shm_unlink(name);
}
END_TEST

static Suite *source_suite(void)
{
	Suite *s = suite_create("source");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, scap_source);
	tcase_add_test(tc, ring_source_merges_producers);
	tcase_add_test(tc, ring_source_stops_on_request);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(source_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
