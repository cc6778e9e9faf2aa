/* Unit tests of the event encoder and decoder (suite "event"). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"

static int build_open_x(uint8_t *buf, size_t cap, int64_t fd, const char *path)
{
	struct shm_enc e;
	shm_enc_begin(&e, buf, cap, SHM_EV_SYSCALL_OPEN_X, 1000, 42);
	shm_enc_s64(&e, fd);
	shm_enc_str(&e, path);
	shm_enc_u32(&e, 1);  /* flags */
	shm_enc_u32(&e, 0644); /* mode */
	shm_enc_u32(&e, 0x803); /* dev */
	return shm_enc_end(&e);
}

START_TEST(header_is_packed)
{
	uint8_t buf[256];
	int len = build_open_x(buf, sizeof buf, 3, "/etc/passwd");
	/* 26 header + 5 u16 lengths + 8 + 12 + 4 + 4 + 4 */
	ck_assert_int_eq(len, 26 + 10 + 8 + 12 + 12);
	uint64_t ts, tid;
	uint32_t l, np;
	uint16_t type;
	memcpy(&ts, buf, 8);
	memcpy(&tid, buf + 8, 8);
	memcpy(&l, buf + 16, 4);
	memcpy(&type, buf + 20, 2);
	memcpy(&np, buf + 22, 4);
	ck_assert_uint_eq(ts, 1000);
	ck_assert_uint_eq(tid, 42);
	ck_assert_uint_eq(l, (uint32_t)len);
	ck_assert_uint_eq(type, 3);
	ck_assert_uint_eq(np, 5);
	uint16_t plen0, plen1;
	memcpy(&plen0, buf + 26, 2);
	memcpy(&plen1, buf + 28, 2);
	ck_assert_uint_eq(plen0, 8);
	ck_assert_uint_eq(plen1, 12);
	ck_assert_str_eq((char *)buf + 36 + 8, "/etc/passwd");
}
END_TEST

START_TEST(round_trip)
{
	uint8_t buf[256];
	int len = build_open_x(buf, sizeof buf, -2, "/tmp/x");
	ck_assert_int_gt(len, 0);
	struct shm_evt ev;
	char why[128];
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), 0);
	ck_assert_uint_eq(ev.type, SHM_EV_SYSCALL_OPEN_X);
	ck_assert_str_eq(ev.info->name, "open");
	int64_t fd;
	ck_assert_int_eq(shm_evt_get_s64(&ev, SHM_P_OPEN_X_FD, &fd), 0);
	ck_assert_int_eq(fd, -2);
	ck_assert_int_eq(shm_evt_s64(&ev, SHM_P_OPEN_X_FD, 7), -2);
	ck_assert_str_eq(shm_evt_str(&ev, SHM_P_OPEN_X_NAME), "/tmp/x");
	uint64_t mode;
	ck_assert_int_eq(shm_evt_get_u64(&ev, shm_evt_param_index(ev.type, "mode"), &mode), 0);
	ck_assert_uint_eq(mode, 0644);
	ck_assert_int_eq(shm_evt_param_index(ev.type, "mode"), SHM_P_OPEN_X_MODE);
	ck_assert_int_eq(shm_evt_param_index(ev.type, "nope"), -1);
	/* an index the event does not have reads as empty */
	ck_assert_int_eq(shm_evt_s64(&ev, 5, 7), 7);
	ck_assert_uint_eq(shm_evt_len(&ev, 5), 0);
	ck_assert_ptr_null(shm_evt_str(&ev, 5));
}
END_TEST

/* A kept copy indexed again without checks reads as the decoded record. */
START_TEST(index_again)
{
	uint8_t buf[256], copy[256];
	int len = build_open_x(buf, sizeof buf, 3, "/etc/passwd");
	ck_assert_int_gt(len, 0);
	struct shm_evt ev, again;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
	memcpy(copy, buf, (size_t)len);
	shm_evt_index(&again, copy);
	ck_assert_uint_eq(again.type, ev.type);
	ck_assert_uint_eq(again.len, ev.len);
	ck_assert_uint_eq(again.nparams, ev.nparams);
	ck_assert_ptr_eq(again.info, ev.info);
	ck_assert_ptr_eq(again.raw, copy);
	for (unsigned i = 0; i < ev.nparams; i++) {
		ck_assert_uint_eq(again.vlen[i], ev.vlen[i]);
		ck_assert_ptr_eq(again.val[i], copy + (ev.val[i] - buf));
	}
	ck_assert_str_eq(shm_evt_str(&again, SHM_P_OPEN_X_NAME), "/etc/passwd");
}
END_TEST

/* Extensions after the table's values: tagged, several, read back by tag,
 * kept through shm_evt_index; an untagged old stack reads as the stack;
 * bad ones are refused. */
START_TEST(extensions)
{
	uint8_t buf[256], copy[256];
	struct shm_enc e;
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_GENERIC_X, 1, 2);
	shm_enc_u16(&e, 0);
	uint8_t memfd[8 + 4 + 4];
	int64_t fd = 5;
	uint32_t fl = SHM_MFD_CLOEXEC;
	memcpy(memfd, &fd, 8);
	memcpy(memfd + 8, &fl, 4);
	memcpy(memfd + 12, "abc", 4);
	shm_enc_ext(&e, SHM_EXT_MEMFD, memfd, sizeof memfd);
	uint8_t abi = SHM_ABI_I386;
	shm_enc_ext(&e, SHM_EXT_ABI, &abi, 1);
	shm_enc_trailer_str(&e, "main+0x1 (a.out+0x1)");
	int len = shm_enc_end(&e);
	ck_assert_int_gt(len, 0);
	struct shm_evt ev, again;
	char why[128] = "";
	ck_assert_msg(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why) == 0, "%s", why);
	ck_assert_uint_eq(ev.nparams, 1);
	ck_assert_uint_eq(ev.next, 3);
	ck_assert_uint_eq(shm_evt_u64(&ev, SHM_P_GENERIC_X_ID, 9), 0);
	uint32_t n = 0;
	const uint8_t *v = shm_evt_ext(&ev, SHM_EXT_MEMFD, &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, sizeof memfd);
	ck_assert_str_eq((const char *)v + 12, "abc");
	v = shm_evt_ext(&ev, SHM_EXT_ABI, &n);
	ck_assert_ptr_nonnull(v);
	ck_assert_uint_eq(n, 1);
	ck_assert_uint_eq(v[0], SHM_ABI_I386);
	ck_assert_str_eq(ev.ustack, "main+0x1 (a.out+0x1)");
	memcpy(copy, buf, (size_t)len);
	shm_evt_index(&again, copy);
	ck_assert_uint_eq(again.next, 3);
	ck_assert_str_eq(again.ustack, "main+0x1 (a.out+0x1)");
	ck_assert_ptr_nonnull(shm_evt_ext(&again, SHM_EXT_ABI, &n));
	ck_assert_ptr_null(shm_evt_ext(&again, 7, &n));

	/* at most SHM_EVT_MAX_EXT; only after every table value */
	shm_enc_ext(&e, SHM_EXT_ABI, &abi, 1);
	ck_assert_int_eq(shm_enc_end(&e), len + 2 + 2); /* 4 fit */
	shm_enc_ext(&e, SHM_EXT_ABI, &abi, 1);
	ck_assert_int_eq(shm_enc_end(&e), -E2BIG);
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_GENERIC_X, 1, 2);
	shm_enc_ext(&e, SHM_EXT_ABI, &abi, 1);
	ck_assert_int_eq(shm_enc_end(&e), -EINVAL);

	/* an old pdig's untagged stack: lengths 2 and 6, the ID, the text */
	uint32_t total = 26 + 4 + 2 + 6, np = 2;
	memset(buf, 0, sizeof buf);
	memcpy(buf + 16, &total, 4);
	memcpy(buf + 20, (uint16_t[]){SHM_EV_GENERIC_X}, 2);
	memcpy(buf + 22, &np, 4);
	memcpy(buf + 26, (uint16_t[]){2, 6}, 4);
	memcpy(buf + 32, "f+0x1", 6);
	ck_assert_msg(shm_evt_decode(&ev, buf, total, why, sizeof why) == 0, "%s", why);
	ck_assert_str_eq(ev.ustack, "f+0x1");
	/* refused: a stack without its NUL, a 6-byte ABI, tag 0 */
	buf[37] = 'x';
	ck_assert_int_eq(shm_evt_decode(&ev, buf, total, why, sizeof why), -EBADMSG);
	buf[37] = 0;
	buf[32] = SHM_EXT_ABI;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, total, why, sizeof why), -EBADMSG);
	buf[32] = 0;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, total, why, sizeof why), -EBADMSG);
	buf[32] = SHM_EXT_USTACK; /* tagged: fine */
	ck_assert_int_eq(shm_evt_decode(&ev, buf, total, why, sizeof why), 0);
	ck_assert_str_eq(ev.ustack, "+0x1");
}
END_TEST

/* Values of every width, signed and unsigned, and one of no number's width. */
START_TEST(value_widths)
{
	uint8_t buf[256];
	struct shm_enc e;
	/* kill(pid, sig): an INT64 and a one-byte SIGTYPE */
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_KILL_E, 1, 1);
	shm_enc_s64(&e, -5);
	shm_enc_u8(&e, 0xff);
	int len = shm_enc_end(&e);
	ck_assert_int_gt(len, 0);
	struct shm_evt ev;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
	ck_assert_int_eq(shm_evt_s64(&ev, SHM_P_KILL_E_PID, 0), -5);
	ck_assert_uint_eq(shm_evt_u64(&ev, SHM_P_KILL_E_SIG, 0), 0xff);
	ck_assert_int_eq(shm_evt_s64(&ev, SHM_P_KILL_E_SIG, 0), -1);
	int64_t s;
	ck_assert_int_eq(shm_evt_get_s64(&ev, SHM_P_KILL_E_SIG, &s), 0);
	ck_assert_int_eq(s, -1);
	/* a string is no number: the default, and -EINVAL */
	build_open_x(buf, sizeof buf, 1, "/abc");
	ck_assert_int_eq(shm_evt_decode(&ev, buf, sizeof buf, NULL, 0), 0);
	uint64_t u = 42;
	ck_assert_uint_eq(shm_evt_u64(&ev, SHM_P_OPEN_X_NAME, 9), 9);
	ck_assert_int_eq(shm_evt_get_u64(&ev, SHM_P_OPEN_X_NAME, &u), -EINVAL);
	ck_assert_uint_eq(u, 42);
}
END_TEST

/* The generated driver constants, against values the driver documents. */
START_TEST(driver_constants)
{
	ck_assert_uint_eq(SHM_PPM_O_RDONLY, 1);
	ck_assert_uint_eq(SHM_PPM_O_CLOEXEC, 1u << 12);
	ck_assert_uint_eq(SHM_PPM_CL_CLONE_THREAD, 1u << 13);
	ck_assert_uint_eq(SHM_PPM_AF_INET6, 10);
	ck_assert_uint_eq(SHM_PPM_FCNTL_F_DUPFD_CLOEXEC, 26);
	ck_assert_uint_eq(SHM_PPM_UMOUNT_NOFOLLOW, 8);
	ck_assert_int_eq(SHM_PPM_AT_FDCWD, -100);
	ck_assert_int_eq(SHM_P_EXECVE_19_X_PID, 4);
	ck_assert_int_eq(SHM_P_PLUGINEVENT_E_PLUGIN_ID, 0);
	ck_assert_int_eq(SHM_P_RES, 0);
	ck_assert_int_eq(SHM_LAYOUT_FORK_20_X, SHM_LAYOUT_CLONE_20_X);
	ck_assert_int_ne(SHM_LAYOUT_OPEN_X, SHM_LAYOUT_CREAT_X);
}
END_TEST

START_TEST(empty_values)
{
	uint8_t buf[256];
	struct shm_enc e;
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_OPEN_E, 1, 1);
	shm_enc_empty(&e);
	shm_enc_str(&e, NULL);
	shm_enc_empty(&e);
	int len = shm_enc_end(&e);
	ck_assert_int_eq(len, 26 + 6);
	struct shm_evt ev;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
	ck_assert_ptr_null(shm_evt_str(&ev, SHM_P_OPEN_E_NAME));
	uint64_t v;
	ck_assert_int_eq(shm_evt_get_u64(&ev, SHM_P_OPEN_E_FLAGS, &v), -ENOENT);
	ck_assert_uint_eq(shm_evt_u64(&ev, SHM_P_OPEN_E_FLAGS, 3), 3);
}
END_TEST

START_TEST(encoder_errors)
{
	uint8_t buf[256];
	struct shm_enc e;
	/* too few values */
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_OPEN_E, 1, 1);
	shm_enc_str(&e, "/x");
	ck_assert_int_eq(shm_enc_end(&e), -EINVAL);
	/* too many values */
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_CLOSE_X, 1, 1);
	shm_enc_s64(&e, 0);
	shm_enc_s64(&e, 0);
	ck_assert_int_eq(shm_enc_end(&e), -E2BIG);
	/* a value of the wrong size for its type (fd is 8 bytes) */
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_CLOSE_E, 1, 1);
	shm_enc_u32(&e, 3);
	ck_assert_int_eq(shm_enc_end(&e), -EINVAL);
	/* no room: the first failure sticks, nothing is written past cap */
	memset(buf, 0xAA, sizeof buf);
	shm_enc_begin(&e, buf, 40, SHM_EV_SYSCALL_OPEN_E, 1, 1);
	shm_enc_str(&e, "/a/very/long/path/that/does/not/fit");
	shm_enc_u32(&e, 0);
	shm_enc_u32(&e, 0);
	ck_assert_int_eq(shm_enc_end(&e), -ENOSPC);
	ck_assert_uint_eq(buf[40], 0xAA);
	/* unknown type */
	ck_assert_int_eq(shm_enc_begin(&e, buf, sizeof buf, SHM_EVENT_MAX, 1, 1), -EINVAL);
	ck_assert_int_eq(shm_enc_end(&e), -EINVAL);
	/* header does not fit */
	ck_assert_int_eq(shm_enc_begin(&e, buf, 20, SHM_EV_SYSCALL_OPEN_E, 1, 1), -ENOSPC);
}
END_TEST

START_TEST(reserve_and_shrink)
{
	uint8_t buf[256];
	struct shm_enc e;
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_READ_X, 1, 1);
	shm_enc_s64(&e, 5);
	uint8_t *p = shm_enc_reserve(&e, 100);
	ck_assert_ptr_nonnull(p);
	memcpy(p, "hello", 5);
	shm_enc_shrink_last(&e, 5);
	int len = shm_enc_end(&e);
	ck_assert_int_eq(len, 26 + 4 + 8 + 5);
	struct shm_evt ev;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
	ck_assert_uint_eq(ev.vlen[1], 5);
	ck_assert_mem_eq(ev.val[1], "hello", 5);
}
END_TEST

START_TEST(sockaddr_layouts)
{
	uint8_t buf[256];
	struct shm_enc e;
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SOCKET_CONNECT_X, 1, 1);
	shm_enc_s64(&e, 0);
	/* 127.0.0.1:5000 -> 10.0.0.1:80, addresses network order, ports host order */
	uint32_t lo = htobe32(0x7f000001), ten = htobe32(0x0a000001);
	shm_enc_socktuple_in(&e, lo, 5000, ten, 80);
	int len = shm_enc_end(&e);
	ck_assert_int_gt(len, 0);
	struct shm_evt ev;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
	ck_assert_uint_eq(ev.vlen[1], 13);
	const uint8_t *t = ev.val[1];
	ck_assert_uint_eq(t[0], SHM_PPM_AF_INET);
	ck_assert_uint_eq(t[1], 127);
	ck_assert_uint_eq(t[4], 1);
	uint16_t sport, dport;
	memcpy(&sport, t + 5, 2);
	memcpy(&dport, t + 11, 2);
	ck_assert_uint_eq(sport, 5000);
	ck_assert_uint_eq(dport, 80);
	ck_assert_uint_eq(t[7], 10);

	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SOCKET_CONNECT_E, 1, 1);
	shm_enc_s64(&e, 3);
	shm_enc_sockaddr_un(&e, "/run/x.sock");
	len = shm_enc_end(&e);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
	ck_assert_uint_eq(ev.vlen[1], 1 + 11 + 1);
	ck_assert_uint_eq(ev.val[1][0], SHM_PPM_AF_UNIX);
}
END_TEST

START_TEST(large_payload_lengths)
{
	/* pluginevent carries EF_LARGE_PAYLOAD: u32 lengths */
	ck_assert_uint_eq(shm_event_lensize(SHM_EV_PLUGINEVENT_E), 4);
	ck_assert_uint_eq(shm_event_lensize(SHM_EV_SYSCALL_OPEN_E), 2);
	size_t cap = 26 + 8 + 4 + 70000;
	uint8_t *buf = malloc(cap);
	struct shm_enc e;
	shm_enc_begin(&e, buf, cap, SHM_EV_PLUGINEVENT_E, 1, 1);
	shm_enc_u32(&e, 7);
	uint8_t *p = shm_enc_reserve(&e, 70000);
	ck_assert_ptr_nonnull(p);
	memset(p, 'x', 70000);
	int len = shm_enc_end(&e);
	ck_assert_int_eq(len, (int)cap);
	struct shm_evt ev;
	ck_assert_int_eq(shm_evt_decode(&ev, buf, cap, NULL, 0), 0);
	ck_assert_uint_eq(ev.vlen[1], 70000);
	/* a normal event cannot hold a value over 64 KiB */
	shm_enc_begin(&e, buf, cap, SHM_EV_SYSCALL_READ_X, 1, 1);
	shm_enc_s64(&e, 1);
	ck_assert_ptr_null(shm_enc_reserve(&e, 70000));
	ck_assert_int_eq(shm_enc_end(&e), -EINVAL);
	free(buf);
}
END_TEST

static void set_u32(uint8_t *b, size_t off, uint32_t v) { memcpy(b + off, &v, 4); }
static void set_u16(uint8_t *b, size_t off, uint16_t v) { memcpy(b + off, &v, 2); }

START_TEST(decoder_rejects)
{
	uint8_t good[256], buf[256];
	int len = build_open_x(good, sizeof good, 3, "/etc/passwd");
	struct shm_evt ev;
	char why[160];

	/* shorter than the header / than its own length */
	ck_assert_int_eq(shm_evt_decode(&ev, good, 10, why, sizeof why), -EAGAIN);
	ck_assert_int_eq(shm_evt_decode(&ev, good, (size_t)len - 1, why, sizeof why), -EAGAIN);
	ck_assert_ptr_nonnull(strstr(why, "runs past"));

	/* a length below the header size */
	memcpy(buf, good, (size_t)len);
	set_u32(buf, 16, 3);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), -EBADMSG);

	/* type out of range */
	memcpy(buf, good, (size_t)len);
	set_u16(buf, 20, SHM_EVENT_MAX);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why, "out of range"));

	/* wrong parameter count */
	memcpy(buf, good, (size_t)len);
	set_u32(buf, 22, 4);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why, "parameters"));

	/* lengths that do not add up: one too long, then one too short */
	memcpy(buf, good, (size_t)len);
	set_u16(buf, 28, 13);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), -EBADMSG);
	memcpy(buf, good, (size_t)len);
	set_u16(buf, 28, 11);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why, "header says"));

	/* a fixed-width value of the wrong size */
	memcpy(buf, good, (size_t)len);
	set_u16(buf, 26, 4);
	set_u16(buf, 28, 16);
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), -EBADMSG);
	ck_assert_ptr_nonnull(strstr(why, "not 8"));

	/* a string without its NUL is not handed out as a string */
	memcpy(buf, good, (size_t)len);
	buf[26 + 10 + 8 + 11] = 'X';
	ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, why, sizeof why), 0);
	ck_assert_ptr_null(shm_evt_str(&ev, 1));
}
END_TEST

/* Random damage to valid records: decode must either accept (lengths add up)
 * or reject, never read outside the buffer (run under ASan in the suite). */
START_TEST(random_damage)
{
	uint8_t good[256];
	int len = build_open_x(good, sizeof good, 3, "/etc/passwd");
	srand(1234);
	for (int round = 0; round < 200000; round++) {
		size_t avail = (size_t)(rand() % (len + 1));
		uint8_t *buf = malloc(avail ? avail : 1);
		memcpy(buf, good, avail);
		int flips = 1 + rand() % 4;
		for (int k = 0; k < flips && avail; k++)
			buf[rand() % avail] = (uint8_t)rand();
		struct shm_evt ev;
		int rc = shm_evt_decode(&ev, buf, avail, NULL, 0);
		if (rc == 0) {
			ck_assert_uint_le(ev.len, avail);
			for (unsigned i = 0; i < ev.nparams; i++)
				ck_assert(ev.val[i] + ev.vlen[i] <= buf + ev.len);
		}
		free(buf);
	}
}
END_TEST

START_TEST(every_event_type_encodes)
{
	/* Every type in the table can be built with empty values and decoded. */
	uint8_t buf[512];
	for (uint16_t t = 0; t < SHM_EVENT_MAX; t++) {
		struct shm_enc e;
		ck_assert_int_eq(shm_enc_begin(&e, buf, sizeof buf, t, t, t), 0);
		for (unsigned i = 0; i < shm_event_table[t].nparams; i++)
			shm_enc_empty(&e);
		int len = shm_enc_end(&e);
		ck_assert_int_gt(len, 0);
		struct shm_evt ev;
		ck_assert_int_eq(shm_evt_decode(&ev, buf, (size_t)len, NULL, 0), 0);
		ck_assert_uint_eq(ev.type, t);
		ck_assert_int_eq(shm_event_is_enter(t), t % 2 == 0);
	}
}
END_TEST

static Suite *event_suite(void)
{
	Suite *s = suite_create("event");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, header_is_packed);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, empty_values);
	tcase_add_test(tc, index_again);
	tcase_add_test(tc, value_widths);
	tcase_add_test(tc, driver_constants);
	tcase_add_test(tc, encoder_errors);
	tcase_add_test(tc, reserve_and_shrink);
	tcase_add_test(tc, sockaddr_layouts);
	tcase_add_test(tc, large_payload_lengths);
	tcase_add_test(tc, decoder_rejects);
	tcase_add_test(tc, random_damage);
	tcase_add_test(tc, every_event_type_encodes);
	tcase_add_test(tc, extensions);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(event_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
