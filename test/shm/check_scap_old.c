/*
 * The capture reader on events of older eras (shm/scap_read_old.c): old
 * event blocks without a parameter count (EV 0x204, EVF 0x208), the count
 * found from the lengths, records with fewer parameters than the table,
 * and damaged old records skipped, said and counted. Built with ASan.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "shm_scap.h"

static char path[64];

struct bb {
	uint8_t d[8192];
	size_t n;
};

static void put(struct bb *b, const void *p, size_t n)
{
	ck_assert_uint_le(b->n + n, sizeof b->d);
	memcpy(b->d + b->n, p, n);
	b->n += n;
}
static void p16(struct bb *b, uint16_t v) { put(b, &v, 2); }
static void p32(struct bb *b, uint32_t v) { put(b, &v, 4); }
static void p64(struct bb *b, uint64_t v) { put(b, &v, 8); }

static void block(struct bb *out, uint32_t t, const struct bb *body)
{
	static const uint8_t zero[4];
	uint32_t total = (uint32_t)(8 + body->n + shm_scap_pad(body->n) + 4);
	p32(out, t);
	p32(out, total);
	put(out, body->d, body->n);
	put(out, zero, shm_scap_pad(body->n));
	p32(out, total);
}

static void shb(struct bb *out)
{
	struct bb b = {.n = 0};
	p32(&b, SHM_SCAP_SHB_MAGIC);
	p16(&b, 1);
	p16(&b, 0);
	p64(&b, UINT64_MAX);
	block(out, SHM_SCAP_SHB, &b);
}

/* One event block: cpu id, flags (EVF), header with or without nparams
 * (v1), lengths, values, then extra zero bytes the header counts; lie is
 * added to the header's length only. */
struct ev {
	uint16_t type;
	unsigned n;
	const void *v[8];
	uint16_t l[8];
};

static void event(struct bb *out, uint32_t bt, const struct ev *e, int v1, int extra, int lie)
{
	struct bb b = {.n = 0};
	p16(&b, 3);
	if (bt == 0x208 || bt == SHM_SCAP_EVF_V2)
		p32(&b, 1);
	uint32_t vl = 0;
	for (unsigned i = 0; i < e->n; i++)
		vl += e->l[i];
	p64(&b, 1000);
	p64(&b, 42);
	p32(&b, (v1 ? 22u : 26u) + 2u * e->n + vl + (uint32_t)(extra + lie));
	p16(&b, e->type);
	if (!v1)
		p32(&b, e->n);
	for (unsigned i = 0; i < e->n; i++)
		p16(&b, e->l[i]);
	for (unsigned i = 0; i < e->n; i++)
		put(&b, e->v[i], e->l[i]);
	static const uint8_t zeros[16];
	put(&b, zeros, (size_t)extra);
	block(out, bt, &b);
}

static const int64_t fd3 = 3;
static const uint32_t one = 1, zero32 = 0;

/* close's enter: one parameter */
static const struct ev close_e = {SHM_EV_SYSCALL_CLOSE_E, 1, {&fd3}, {8}};
/* open's exit of older drivers: no "dev" */
static const struct ev open_x4 = {SHM_EV_SYSCALL_OPEN_X, 4, {&fd3, "/etc/x", &one, &zero32},
				  {8, 7, 4, 4}};

static struct shm_scap_reader *open_file(struct bb *f, char *warnings, size_t wlen, FILE **wf)
{
	FILE *o = fopen(path, "wb");
	ck_assert_ptr_nonnull(o);
	ck_assert_uint_eq(fwrite(f->d, 1, f->n, o), f->n);
	ck_assert_int_eq(fclose(o), 0);
	*wf = fmemopen(warnings, wlen - 1, "w");
	setvbuf(*wf, NULL, _IONBF, 0);
	struct shm_scap_reader *r;
	char err[256];
	ck_assert_msg(shm_scap_reader_open(&r, path, *wf, err, sizeof err) == 0, "%s", err);
	return r;
}

START_TEST(v1_blocks_read)
{
	struct bb f = {.n = 0};
	shb(&f);
	event(&f, 0x204, &close_e, 1, 0, 0);
	event(&f, 0x208, &open_x4, 1, 0, 0);
	struct ev exec8 = {SHM_EV_SYSCALL_EXECVE_8_E, 0, {0}, {0}};
	event(&f, 0x8010ABCDu, &exec8, 1, 0, 0);
	/* old writers counted 3 bytes too many in these */
	struct ev notif = {SHM_EV_NOTIFICATION_E, 2, {"id", "desc"}, {3, 5}};
	event(&f, 0x204, &notif, 1, 0, 3);
	char warnings[1024] = "";
	FILE *wf;
	struct shm_scap_reader *r = open_file(&f, warnings, sizeof warnings, &wf);
	struct shm_scap_item it;

	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_SYSCALL_CLOSE_E);
	ck_assert_uint_eq(it.evt.nparams, 1);
	ck_assert_uint_eq(it.evt.tid, 42);
	ck_assert_uint_eq(it.cpuid, 3);
	ck_assert_uint_eq(it.flags, 0);
	ck_assert_int_eq(shm_evt_s64(&it.evt, SHM_P_CLOSE_E_FD, -1), 3);
	/* the record is in the current layout: it can be indexed again */
	ck_assert_uint_eq(it.evt.len, 26 + 2 + 8);
	struct shm_evt again;
	shm_evt_index(&again, it.evt.raw);
	ck_assert_uint_eq(again.nparams, 1);

	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_SYSCALL_OPEN_X);
	ck_assert_uint_eq(it.flags, 1);
	ck_assert_uint_eq(it.evt.nparams, 4);
	ck_assert_str_eq(shm_evt_str(&it.evt, SHM_P_OPEN_X_NAME), "/etc/x");
	/* the parameter the old version lacks is absent */
	ck_assert_uint_eq(shm_evt_len(&it.evt, SHM_P_OPEN_X_DEV), 0);
	ck_assert_uint_eq(shm_evt_u64(&it.evt, SHM_P_OPEN_X_DEV, 77), 77);

	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_SYSCALL_EXECVE_8_E);
	ck_assert_uint_eq(it.evt.nparams, 0);

	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_NOTIFICATION_E);
	ck_assert_uint_eq(it.evt.nparams, 2);
	ck_assert_str_eq(shm_evt_str(&it.evt, SHM_P_NOTIFICATION_E_DESC), "desc");

	ck_assert_int_eq(shm_scap_reader_next(r, &it), 0);
	ck_assert_uint_eq(shm_scap_reader_skipped(r), 0);
	ck_assert_uint_eq(shm_scap_reader_skipped_events(r), 0);
	ck_assert_str_eq(warnings, "");
	shm_scap_reader_free(r);
	fclose(wf);
}
END_TEST

START_TEST(short_records_read)
{
	struct bb f = {.n = 0};
	shb(&f);
	event(&f, SHM_SCAP_EV_V2, &open_x4, 0, 0, 0);
	/* fewer parameters whose lengths do not add up: damaged */
	event(&f, SHM_SCAP_EV_V2, &open_x4, 0, 4, 0);
	event(&f, SHM_SCAP_EVF_V2, &close_e, 0, 0, 0);
	char warnings[1024] = "";
	FILE *wf;
	struct shm_scap_reader *r = open_file(&f, warnings, sizeof warnings, &wf);
	struct shm_scap_item it;
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_SYSCALL_OPEN_X);
	ck_assert_uint_eq(it.evt.nparams, 4);
	ck_assert_int_eq(shm_evt_s64(&it.evt, SHM_P_OPEN_X_FD, -1), 3);
	ck_assert_uint_eq(shm_evt_len(&it.evt, SHM_P_OPEN_X_DEV), 0);
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_SYSCALL_CLOSE_E);
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 0);
	ck_assert_uint_eq(shm_scap_reader_skipped_events(r), 1);
	ck_assert_msg(strstr(warnings, "do not add up"), "%s", warnings);
	shm_scap_reader_free(r);
	fclose(wf);
}
END_TEST

START_TEST(v1_damage_skipped)
{
	struct bb f = {.n = 0}, b;
	shb(&f);
	/* bytes no parameter count explains */
	event(&f, 0x204, &close_e, 1, 2, 0);
	/* a header's length past the block */
	event(&f, 0x204, &close_e, 1, 0, 40);
	/* a type past the table */
	struct ev far = {SHM_EVENT_MAX, 0, {0}, {0}};
	event(&f, 0x204, &far, 1, 0, 0);
	/* a type whose lengths are 4 bytes: never in the old format */
	struct ev big = {SHM_EV_CONTAINER_JSON_2_E, 1, {"{}"}, {3}};
	event(&f, 0x204, &big, 1, 0, 0);
	/* too short for the old header */
	b.n = 0;
	p16(&b, 0);
	p64(&b, 1);
	block(&f, 0x204, &b);
	/* EVF without room for its flags */
	b.n = 0;
	p16(&b, 0);
	block(&f, 0x208, &b);
	event(&f, 0x204, &close_e, 1, 0, 0);
	char warnings[4096] = "";
	FILE *wf;
	struct shm_scap_reader *r = open_file(&f, warnings, sizeof warnings, &wf);
	struct shm_scap_item it;
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.type, SHM_EV_SYSCALL_CLOSE_E);
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 0);
	ck_assert_uint_eq(shm_scap_reader_skipped_events(r), 6);
	ck_assert_uint_eq(shm_scap_reader_skipped(r), 6);
	ck_assert_msg(strstr(warnings, "no parameter count makes its lengths add up"), "%s",
		      warnings);
	ck_assert_msg(strstr(warnings, "its length does not match the block"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "past the event table"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "4-byte lengths"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "cannot hold an old-format event header"), "%s", warnings);
	ck_assert_msg(strstr(warnings, "cannot hold the cpu id and flags"), "%s", warnings);
	shm_scap_reader_free(r);
	fclose(wf);
}
END_TEST

int main(void)
{
	snprintf(path, sizeof path, "/tmp/check_scap_old.%d.scap", (int)getpid());
	Suite *s = suite_create("scap_old");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, v1_blocks_read);
	tcase_add_test(tc, short_records_read);
	tcase_add_test(tc, v1_damage_skipped);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	unlink(path);
	return failed ? 1 : 0;
}
