/* Unit tests of the value renderer, one or more per type (suite "format").
 * The expected strings are what Debian's sysdig 0.29.3 prints for the same
 * values; format_sysdig_test.sh checks the whole table against sysdig. */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_format.h"

static uint8_t rec[4096];
static char out[4096];

static void decode(struct shm_evt *ev, int len)
{
	char why[128] = "";
	ck_assert_int_gt(len, 0);
	ck_assert_msg(shm_evt_decode(ev, rec, (size_t)len, why, sizeof why) == 0, "%s", why);
}

/* An event of one synthetic parameter, its value in a heap buffer of
 * exactly its size, so that ASan sees any read past it. */
struct one {
	struct shm_param_info pi;
	struct shm_event_info info;
	struct shm_evt ev;
	uint8_t *val;
};

static const struct shm_evt *one(struct one *o, uint8_t type, uint8_t fmt, const void *info,
				 const void *val, uint32_t len)
{
	memset(o, 0, sizeof *o);
	o->pi = (struct shm_param_info){.name = "v", .type = type, .fmt = fmt, .info = info};
	o->info = (struct shm_event_info){.name = "test", .nparams = 1, .params = &o->pi};
	o->val = malloc(len ? len : 1);
	ck_assert_ptr_nonnull(o->val);
	if (len)
		memcpy(o->val, val, len);
	o->ev.type = SHM_EV_SYSCALL_OPEN_E; /* anything not generic */
	o->ev.nparams = 1;
	o->ev.info = &o->info;
	o->ev.val[0] = o->val;
	o->ev.vlen[0] = len;
	return &o->ev;
}

/* Renders one synthetic value as %evt.args would show it (value(resolved)). */
static const char *param_of(uint8_t type, uint8_t fmt, const void *info, const void *val,
			    uint32_t len)
{
	struct one o;
	int n = shm_fmt_param(one(&o, type, fmt, info, val, len), 0, out, sizeof out);
	free(o.val);
	ck_assert_int_ge(n, 0);
	ck_assert_uint_eq(strlen(out), (size_t)n);
	return out;
}

#define PARAM_OF(type, fmt, v) param_of(type, fmt, NULL, &(v), sizeof(v))

/* The flag sets, as the table hands them out. */
#define FILE_FLAGS (shm_event_table[SHM_EV_SYSCALL_OPEN_X].params[2].info)
#define CHMOD_MODE (shm_event_table[SHM_EV_SYSCALL_CHMOD_X].params[2].info)

START_TEST(open_exit_like_sysdig)
{
	struct shm_enc e;
	struct shm_evt ev;
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_OPEN_X, 1, 2);
	shm_enc_s64(&e, -2);
	shm_enc_str(&e, "/etc/passwd");
	shm_enc_u32(&e, 0x1001);
	shm_enc_u32(&e, 0644);
	shm_enc_u32(&e, 0x803);
	decode(&ev, shm_enc_end(&e));
	/* sysdig -r: "fd=-2(ENOENT) name=/etc/passwd flags=4097(O_RDONLY|O_CLOEXEC) mode=0644 dev=803 " */
	static const char want[] = "fd=-2(ENOENT) name=/etc/passwd "
				   "flags=4097(O_RDONLY|O_CLOEXEC) mode=0644 dev=803 ";
	ck_assert_int_eq(shm_fmt_args(&ev, out, sizeof out), (int)strlen(want));
	ck_assert_str_eq(out, want);
	ck_assert_int_eq(shm_fmt_value(&ev, 2, out, sizeof out), 4);
	ck_assert_str_eq(out, "4097");
	ck_assert_int_eq(shm_fmt_resolved(&ev, 2, out, sizeof out), 18);
	ck_assert_str_eq(out, "O_RDONLY|O_CLOEXEC");
	/* %evt.arg.NAME: the resolved part when there is one */
	shm_fmt_arg(&ev, 0, out, sizeof out);
	ck_assert_str_eq(out, "ENOENT");
	shm_fmt_arg(&ev, 3, out, sizeof out);
	ck_assert_str_eq(out, "0644");
	shm_fmt_param(&ev, 4, out, sizeof out);
	ck_assert_str_eq(out, "803");
	ck_assert_int_eq(shm_fmt_value(&ev, 5, out, sizeof out), -EINVAL);
	ck_assert_str_eq(out, "");
}
END_TEST

START_TEST(numbers_by_format)
{
	int8_t i8 = -3;
	int16_t i16 = -2;
	int32_t i32 = -70000;
	int64_t i64 = -5;
	uint32_t u32 = 0x80000000u;
	uint64_t u64 = 0xfedcba9876543210ull;
	uint16_t u16 = 65535;
	uint32_t mode = 0644, zero = 0;

	ck_assert_str_eq(PARAM_OF(SHM_PT_INT8, SHM_PF_DEC, i8), "-3");
	ck_assert_str_eq(PARAM_OF(SHM_PT_INT8, SHM_PF_HEX, i8), "FFFFFFFD");
	ck_assert_str_eq(PARAM_OF(SHM_PT_INT16, SHM_PF_HEX, i16), "FFFFFFFE");
	ck_assert_str_eq(PARAM_OF(SHM_PT_INT32, SHM_PF_DEC, i32), "-70000");
	ck_assert_str_eq(PARAM_OF(SHM_PT_INT32, SHM_PF_10_PADDED_DEC, i32), "-00070000");
	ck_assert_str_eq(PARAM_OF(SHM_PT_INT64, SHM_PF_HEX, i64), "FFFFFFFFFFFFFFFB");
	ck_assert_str_eq(PARAM_OF(SHM_PT_INT64, SHM_PF_ID, i64), "-5");
	/* sysdig prints DEC signed, whatever the type */
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT32, SHM_PF_DEC, u32), "-2147483648");
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT64, SHM_PF_DEC, u64), "-81985529216486896");
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT64, SHM_PF_HEX, u64), "FEDCBA9876543210");
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT16, SHM_PF_DEC, u16), "65535");
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT32, SHM_PF_OCT, mode), "0644");
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT32, SHM_PF_OCT, zero), "0");
	ck_assert_str_eq(PARAM_OF(SHM_PT_UINT32, SHM_PF_HEX, zero), "0");
	/* a fixed-size value of the wrong size is refused, not over-read */
	ck_assert_str_eq(param_of(SHM_PT_UINT64, SHM_PF_DEC, NULL, &u32, 4), "INVALID LENGTH");
}
END_TEST

START_TEST(errno_values)
{
	int64_t v = -2;
	ck_assert_str_eq(PARAM_OF(SHM_PT_ERRNO, SHM_PF_DEC, v), "-2(ENOENT)");
	v = 17; /* positive results are not errors */
	ck_assert_str_eq(PARAM_OF(SHM_PT_ERRNO, SHM_PF_DEC, v), "17");
	v = -9999;
	ck_assert_str_eq(PARAM_OF(SHM_PT_ERRNO, SHM_PF_DEC, v), "-9999");
	v = -512;
	ck_assert_str_eq(PARAM_OF(SHM_PT_ERRNO, SHM_PF_DEC, v), "-512(ERESTARTSYS)");
	v = -41; /* a hole in the table */
	ck_assert_str_eq(PARAM_OF(SHM_PT_ERRNO, SHM_PF_DEC, v), "-41");
	v = 0;
	ck_assert_str_eq(PARAM_OF(SHM_PT_ERRNO, SHM_PF_DEC, v), "0");
	ck_assert_str_eq(shm_fmt_errno_name(-13), "EACCES");
	ck_assert_str_eq(shm_fmt_errno_name(11), "EAGAIN");
	ck_assert_str_eq(shm_fmt_errno_name(-125), "ECANCELED");
	ck_assert_ptr_null(shm_fmt_errno_name(-126));
	ck_assert_ptr_null(shm_fmt_errno_name(INT64_MIN));
	/* looked up as a 32-bit int, like sysdig */
	ck_assert_str_eq(shm_fmt_errno_name(-2 - (1ll << 32)), "ENOENT");
}
END_TEST

START_TEST(fd_values)
{
	int64_t fd = -100;
	ck_assert_str_eq(PARAM_OF(SHM_PT_FD, SHM_PF_DEC, fd), "-100(AT_FDCWD)");
	fd = -9;
	ck_assert_str_eq(PARAM_OF(SHM_PT_FD, SHM_PF_DEC, fd), "-9(EBADF)");
	fd = 3; /* naming it needs the fd table: the caller's job */
	ck_assert_str_eq(PARAM_OF(SHM_PT_FD, SHM_PF_DEC, fd), "3");
	fd = -77777;
	ck_assert_str_eq(PARAM_OF(SHM_PT_FD, SHM_PF_DEC, fd), "-77777");
	int64_t pid = 42;
	ck_assert_str_eq(PARAM_OF(SHM_PT_PID, SHM_PF_DEC, pid), "42");
}
END_TEST

START_TEST(flags_and_modes)
{
	uint32_t v = 0x1001;
	ck_assert_str_eq(param_of(SHM_PT_FLAGS32, SHM_PF_HEX, FILE_FLAGS, &v, 4),
			 "4097(O_RDONLY|O_CLOEXEC)");
	v = 0;
	ck_assert_str_eq(param_of(SHM_PT_FLAGS32, SHM_PF_HEX, FILE_FLAGS, &v, 4),
			 "0(O_NONE)");
	/* an entry equal to the whole value ends the walk, named last */
	v = 3;
	ck_assert_str_eq(param_of(SHM_PT_FLAGS32, SHM_PF_HEX, FILE_FLAGS, &v, 4),
			 "3(O_RDWR)");
	v = 0x1003;
	ck_assert_str_eq(param_of(SHM_PT_FLAGS32, SHM_PF_HEX, FILE_FLAGS, &v, 4),
			 "4099(O_RDWR|O_CLOEXEC)");
	uint8_t v8 = 0x40; /* no name for the bit: nothing resolved */
	static const struct shm_name_value small[] = {{"A", 1}, {"B", 2}, {"AB", 3}, {NULL, 0}};
	ck_assert_str_eq(param_of(SHM_PT_FLAGS8, SHM_PF_DEC, small, &v8, 1), "64");
	v8 = 3;
	ck_assert_str_eq(param_of(SHM_PT_FLAGS8, SHM_PF_DEC, small, &v8, 1), "3(A|B|AB)");
	uint16_t v16 = 2;
	ck_assert_str_eq(param_of(SHM_PT_FLAGS16, SHM_PF_HEX, small, &v16, 2), "2(B)");
	char b[8];
	ck_assert_int_eq(shm_fmt_flags(small, 3, b, sizeof b), 6);
	ck_assert_str_eq(b, "A|B|AB");
	ck_assert_int_eq(shm_fmt_flags(small, 3, b, 4), -ENOSPC);
	ck_assert_str_eq(b, "A|B");
	ck_assert_int_eq(shm_fmt_flags(NULL, 3, b, sizeof b), 0);
	ck_assert_str_eq(b, "");
	uint32_t mode = 0755;
	ck_assert_str_eq(param_of(SHM_PT_MODE, SHM_PF_OCT, CHMOD_MODE, &mode, 4),
			 "0755(S_IXOTH|S_IROTH|S_IXGRP|S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR)");
}
END_TEST

START_TEST(strings_and_paths)
{
	ck_assert_str_eq(param_of(SHM_PT_CHARBUF, SHM_PF_NA, NULL, "a b\tc", 6), "a b\tc");
	/* not NUL-terminated: stops at the value's end (ASan watches) */
	ck_assert_str_eq(param_of(SHM_PT_CHARBUF, SHM_PF_NA, NULL, "abcdef", 3), "abc");
	ck_assert_str_eq(param_of(SHM_PT_CHARBUF, SHM_PF_NA, NULL, "\xc3\xa9t\xc3\xa9", 6),
			 "\xc3\xa9t\xc3\xa9");
	/* paths keep printable ASCII only */
	ck_assert_str_eq(param_of(SHM_PT_FSPATH, SHM_PF_NA, NULL, "/t\xc3\xa9st\n/x",
				  sizeof "/t\xc3\xa9st\n/x"),
			 "/tst/x");
	ck_assert_str_eq(param_of(SHM_PT_FSRELPATH, SHM_PF_NA, NULL, "../x", 5), "../x");
	ck_assert_str_eq(param_of(SHM_PT_FSPATH, SHM_PF_NA, NULL, "/no/nul", 7), "/no/nul");
}
END_TEST

START_TEST(byte_buffers)
{
	uint8_t b[200];
	memcpy(b, "hello\n\tw\x01\xff\"", 11);
	ck_assert_str_eq(param_of(SHM_PT_BYTEBUF, SHM_PF_NA, NULL, b, 11), "hello..w..\"");
	ck_assert_str_eq(param_of(SHM_PT_BYTEBUF, SHM_PF_NA, NULL, b, 0), "");
	memset(b, 'x', sizeof b);
	param_of(SHM_PT_BYTEBUF, SHM_PF_NA, NULL, b, 80);
	ck_assert_uint_eq(strlen(out), 80);
	ck_assert_int_eq(out[79], 'x');
	param_of(SHM_PT_BYTEBUF, SHM_PF_NA, NULL, b, 81);
	ck_assert_uint_eq(strlen(out), 80);
	ck_assert_str_eq(out + 77, "...");
	ck_assert_int_eq(out[76], 'x');
	param_of(SHM_PT_BYTEBUF, SHM_PF_NA, NULL, b, 200);
	ck_assert_uint_eq(strlen(out), 80);

	/* other cuts, and none (Falco) */
	struct one o;
	const struct shm_evt *ev = one(&o, SHM_PT_BYTEBUF, SHM_PF_NA, NULL, b, 200);
	struct shm_fmt_opts opts = {.buflen = 0};
	ck_assert_int_eq(shm_fmt_value_opts(ev, 0, &opts, out, sizeof out), 200);
	opts.buflen = 10;
	ck_assert_int_eq(shm_fmt_param_opts(ev, 0, &opts, out, sizeof out), 10);
	ck_assert_str_eq(out, "xxxxxxx...");
	opts.buflen = 3;
	ck_assert_int_eq(shm_fmt_arg_opts(ev, 0, &opts, out, sizeof out), 3);
	ck_assert_str_eq(out, "xxx");
	opts.buflen = 200;
	ck_assert_int_eq(shm_fmt_args_opts(ev, &opts, out, sizeof out), 203);
	ck_assert_int_eq(shm_fmt_value_opts(ev, 0, NULL, out, sizeof out), 80);
	free(o.val);
}
END_TEST

static void ip6(uint8_t a[16], const char *text)
{
	ck_assert_int_eq(inet_pton(AF_INET6, text, a), 1);
}

START_TEST(socket_addresses)
{
	struct shm_enc e;
	struct shm_evt ev;
	uint8_t a6[16];
	/* connect_e: fd, addr */
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_E, 1, 2);
	shm_enc_s64(&e, 3);
	shm_enc_sockaddr_in(&e, htonl(0x7f000001), 80);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_param(&ev, 1, out, sizeof out);
	ck_assert_str_eq(out, "127.0.0.1:80");

	ip6(a6, "2001:db8::1");
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_E, 1, 2);
	shm_enc_s64(&e, 3);
	shm_enc_sockaddr_in6(&e, a6, 443);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_param(&ev, 1, out, sizeof out);
	ck_assert_str_eq(out, "2001:db8::1:443");

	ip6(a6, "::ffff:192.168.1.5");
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_E, 1, 2);
	shm_enc_s64(&e, 3);
	shm_enc_sockaddr_in6(&e, a6, 22);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_param(&ev, 1, out, sizeof out);
	ck_assert_str_eq(out, "::ffff:192.168.1.5:22");

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_E, 1, 2);
	shm_enc_s64(&e, 3);
	shm_enc_sockaddr_un(&e, "/run/s\xc3\xa9ock");
	decode(&ev, shm_enc_end(&e));
	shm_fmt_param(&ev, 1, out, sizeof out);
	ck_assert_str_eq(out, "/run/sock");

	char b[64];
	uint8_t odd[7] = {42};
	ck_assert_int_gt(shm_fmt_sockaddr(odd, 1, b, sizeof b), 0);
	ck_assert_str_eq(b, "family 42");
	odd[0] = SHM_PPM_AF_INET;
	shm_fmt_sockaddr(odd, 5, b, sizeof b);
	ck_assert_str_eq(b, "INVALID IPv4");
	odd[0] = SHM_PPM_AF_INET6;
	shm_fmt_sockaddr(odd, 7, b, sizeof b);
	ck_assert_str_eq(b, "INVALID IPv6");
	shm_fmt_sockaddr(odd, 0, b, sizeof b);
	ck_assert_str_eq(b, "NULL");
}
END_TEST

START_TEST(socket_tuples)
{
	struct shm_enc e;
	struct shm_evt ev;
	uint8_t s6[16], d6[16];
	/* connect_x: res, tuple */
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_socktuple_in(&e, htonl(0x7f000001), 5000, htonl(0x0a000001), 80);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_args(&ev, out, sizeof out);
	ck_assert_str_eq(out, "res=0 tuple=127.0.0.1:5000->10.0.0.1:80 ");

	ip6(s6, "fe80::1");
	ip6(d6, "::1");
	char b[128];
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_socktuple_in6(&e, s6, 1234, d6, 8080);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_value(&ev, 1, b, sizeof b);
	ck_assert_str_eq(b, "fe80::1:1234->::1:8080");

	/* both ends IPv4-mapped: an IPv4 tuple; one end only: IPv6 text */
	ip6(s6, "::ffff:10.0.0.7");
	ip6(d6, "::ffff:127.0.0.1");
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_socktuple_in6(&e, s6, 40000, d6, 53);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_value(&ev, 1, b, sizeof b);
	ck_assert_str_eq(b, "10.0.0.7:40000->127.0.0.1:53");
	ip6(d6, "::1");
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_socktuple_in6(&e, s6, 40000, d6, 53);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_value(&ev, 1, b, sizeof b);
	ck_assert_str_eq(b, "::ffff:10.0.0.7:40000->::1:53");

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_socktuple_un(&e, 0xffff9a0000001000ull, 0xffff9b0000002000ull, "/var/run/x.sock");
	decode(&ev, shm_enc_end(&e));
	shm_fmt_value(&ev, 1, b, sizeof b);
	ck_assert_str_eq(b, "ffff9a0000001000->ffff9b0000002000 /var/run/x.sock");

	uint8_t bad[13] = {SHM_PPM_AF_INET};
	shm_fmt_socktuple(bad, 12, b, sizeof b);
	ck_assert_str_eq(b, "INVALID IPv4");
	bad[0] = SHM_PPM_AF_UNIX;
	shm_fmt_socktuple(bad, 12, b, sizeof b);
	ck_assert_str_eq(b, "INVALID UNIX");
	bad[0] = 0xf0;
	shm_fmt_socktuple(bad, 1, b, sizeof b);
	ck_assert_str_eq(b, "family -16");
}
END_TEST

/* Our IPv6 text must be inet_ntop's, which sysdig uses. */
START_TEST(ipv6_text_is_inet_ntop)
{
	static const char *const fixed[] = {"::", "::1", "1::", "1:0:0:2::3", "1:0:0:2:0:0:3:4",
					    "::ffff:1.2.3.4", "::1.2.3.4", "0:0:0:1::",
					    "1:2:3:4:5:6:7:8", "::ffff:0:1.2.3.4"};
	uint8_t t[1 + 16 + 2] = {SHM_PPM_AF_INET6};
	char want[INET6_ADDRSTRLEN + 8], got[64];
	srand(7);
	for (int n = 0; n < 20000; n++) {
		if (n < (int)(sizeof fixed / sizeof fixed[0])) {
			ip6(t + 1, fixed[n]);
		} else {
			/* mostly zero words, to exercise the "::" choice */
			for (int w = 0; w < 8; w++) {
				uint16_t v = rand() % 3 ? 0 : (uint16_t)rand();
				if (rand() % 7 == 0)
					v = 0xffff;
				t[1 + 2 * w] = (uint8_t)(v >> 8);
				t[2 + 2 * w] = (uint8_t)v;
			}
		}
		uint16_t port = (uint16_t)n;
		memcpy(t + 17, &port, 2);
		char a[INET6_ADDRSTRLEN];
		ck_assert_ptr_nonnull(inet_ntop(AF_INET6, t + 1, a, sizeof a));
		snprintf(want, sizeof want, "%s:%u", a, port);
		shm_fmt_sockaddr(t, sizeof t, got, sizeof got);
		ck_assert_str_eq(got, want);
	}
}
END_TEST

static char fd_type_letter(void *ctx, const struct shm_evt *ev, int64_t fd)
{
	(void)ctx;
	(void)ev;
	return fd == 3 ? 'f' : 0;
}

START_TEST(other_types)
{
	uint8_t sig = 9;
	ck_assert_str_eq(PARAM_OF(SHM_PT_SIGTYPE, SHM_PF_DEC, sig), "9(SIGKILL)");
	sig = 64;
	ck_assert_str_eq(PARAM_OF(SHM_PT_SIGTYPE, SHM_PF_DEC, sig), "64");
	ck_assert_str_eq(shm_fmt_signal_name(31), "SIGSYS");
	ck_assert_ptr_null(shm_fmt_signal_name(0));

	uint16_t sc = 3;
	ck_assert_str_eq(PARAM_OF(SHM_PT_SYSCALLID, SHM_PF_DEC, sc), "3(read)");
	sc = 400;
	ck_assert_str_eq(PARAM_OF(SHM_PT_SYSCALLID, SHM_PF_DEC, sc), "<unknown syscall>");
	ck_assert_str_eq(shm_fmt_syscall_name(0), "<unknown>");
	ck_assert_str_eq(shm_fmt_syscall_name(326), "copy_file_range");
	ck_assert_str_eq(shm_fmt_syscall_name(328), "clone3");
	ck_assert_ptr_null(shm_fmt_syscall_name(329));

	uint64_t t = 1500000000;
	ck_assert_str_eq(PARAM_OF(SHM_PT_RELTIME, SHM_PF_DEC, t), "1500000000(1.5s)");
	t = 123;
	ck_assert_str_eq(PARAM_OF(SHM_PT_RELTIME, SHM_PF_DEC, t), "123(1.23e-07s)");
	t = UINT64_MAX;
	ck_assert_str_eq(PARAM_OF(SHM_PT_RELTIME, SHM_PF_DEC, t), "none");

	uint32_t uid = 1000;
	ck_assert_str_eq(PARAM_OF(SHM_PT_UID, SHM_PF_DEC, uid), "1000(<NA>)");
	uid = UINT32_MAX;
	ck_assert_str_eq(PARAM_OF(SHM_PT_GID, SHM_PF_DEC, uid), "-1(<NONE>)");

	uint32_t set = (1u << 8) | (1u << 16) | (1u << 31); /* signals 9, 17, 32 */
	ck_assert_str_eq(PARAM_OF(SHM_PT_SIGSET, SHM_PF_DEC, set), "SIGKILL SIGCHLD");

	/* sysdig keeps 8 of the 9 nanosecond digits, in local time */
	setenv("TZ", "UTC", 1);
	uint64_t abs = 1700000000123456789ull;
	ck_assert_str_eq(PARAM_OF(SHM_PT_ABSTIME, SHM_PF_DEC, abs), "2023-11-14 22:13:20.12345678");

	/* FDLIST: u16 count, {i64 fd, i16 flags}...; '?' for the fd type */
	uint8_t l[2 + 30];
	uint16_t n = 2;
	int64_t fd = 3;
	int16_t fl = 1;
	memcpy(l, &n, 2);
	memcpy(l + 2, &fd, 8);
	memcpy(l + 10, &fl, 2);
	fd = 4;
	fl = -1;
	memcpy(l + 12, &fd, 8);
	memcpy(l + 20, &fl, 2);
	ck_assert_str_eq(param_of(SHM_PT_FDLIST, SHM_PF_DEC, NULL, l, 22), "3:?1 4:?ffffffff");
	n = 3; /* more entries announced than present: stop at the end */
	memcpy(l, &n, 2);
	ck_assert_str_eq(param_of(SHM_PT_FDLIST, SHM_PF_DEC, NULL, l, 22), "3:?1 4:?ffffffff");
	ck_assert_str_eq(param_of(SHM_PT_FDLIST, SHM_PF_DEC, NULL, l, 2), "");
	ck_assert_str_eq(param_of(SHM_PT_FDLIST, SHM_PF_DEC, NULL, l, 1), "INVALID FDLIST");

	/* with the fd table's type letters */
	struct one o;
	const struct shm_evt *fev = one(&o, SHM_PT_FDLIST, SHM_PF_DEC, NULL, l, 22);
	struct shm_fmt_opts opts = {.fd_type = fd_type_letter};
	ck_assert_int_gt(shm_fmt_value_opts(fev, 0, &opts, out, sizeof out), 0);
	ck_assert_str_eq(out, "3:f1 4:?ffffffff");
	free(o.val);

	/* fd type letters, as sysdig showed them for fds of each type */
	static const char want[] = "ofd4646puesXlitnf";
	for (uint8_t ft = 0; ft < 17; ft++)
		ck_assert_int_eq(shm_fmt_fd_typechar(ft), want[ft]);
	ck_assert_int_eq(shm_fmt_fd_typechar(17), '?');

	/* types sysdig has no text for */
	uint32_t v4 = 0x0100007f;
	ck_assert_str_eq(PARAM_OF(SHM_PT_IPV4ADDR, SHM_PF_NA, v4), "(n.a.)");
	/* empty values */
	ck_assert_str_eq(param_of(SHM_PT_UINT64, SHM_PF_DEC, NULL, NULL, 0), "NULL");
	ck_assert_str_eq(param_of(SHM_PT_ERRNO, SHM_PF_DEC, NULL, NULL, 0), "NULL");
}
END_TEST

START_TEST(dynamic_parameters)
{
	struct shm_enc e;
	struct shm_evt ev;
	uint8_t v[9];
	/* ptrace_x: res, addr (DYN HEX), data (DYN HEX) */
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_PTRACE_X, 1, 2);
	shm_enc_s64(&e, 0);
	uint64_t addr = 0x7fff1234;
	v[0] = 0; /* UINT64 */
	memcpy(v + 1, &addr, 8);
	shm_enc_param(&e, v, 9);
	v[0] = 1; /* SIGTYPE */
	v[1] = 15;
	shm_enc_param(&e, v, 2);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_args(&ev, out, sizeof out);
	ck_assert_str_eq(out, "res=0 addr=7FFF1234 data=15(SIGTERM) ");

	v[0] = 7; /* no such variant */
	ck_assert_str_eq(param_of(SHM_PT_DYN, SHM_PF_HEX, NULL, v, 2), "INVALID DYNAMIC PARAMETER");
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_PTRACE_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_param(&e, v, 2);
	v[0] = 0; /* UINT64 with one byte: refused */
	shm_enc_param(&e, v, 2);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_args(&ev, out, sizeof out);
	ck_assert_str_eq(out, "res=0 addr=INVALID DYNAMIC PARAMETER data=INVALID LENGTH ");
}
END_TEST

START_TEST(generic_events_show_no_args)
{
	struct shm_enc e;
	struct shm_evt ev;
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_GENERIC_E, 1, 2);
	shm_enc_u16(&e, 47);
	shm_enc_u16(&e, 96);
	decode(&ev, shm_enc_end(&e));
	ck_assert_int_eq(shm_fmt_args(&ev, out, sizeof out), 0);
	ck_assert_str_eq(out, "");
	/* one by one they still render, as %evt.arg.ID does */
	shm_fmt_arg(&ev, 0, out, sizeof out);
	ck_assert_str_eq(out, "gettimeofday");
	shm_fmt_param(&ev, 0, out, sizeof out);
	ck_assert_str_eq(out, "47(gettimeofday)");
}
END_TEST

/* The caller's resolver: fd names, process names, user names. */
static int resolver(void *ctx, const struct shm_evt *ev, unsigned i, char *o, size_t cap)
{
	int *calls = ctx;
	(*calls)++;
	switch (ev->info->params[i].type) {
	case SHM_PT_FD:
		return snprintf(o, cap, "<f>/etc/passwd") >= (int)cap ? -ENOSPC : 14;
	case SHM_PT_UID:
		return snprintf(o, cap, "root") >= (int)cap ? -ENOSPC : 4;
	default:
		return 0;
	}
}

START_TEST(stateful_resolution)
{
	struct shm_enc e;
	struct shm_evt ev;
	int calls = 0;
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_READ_E, 1, 2);
	shm_enc_s64(&e, 3);
	shm_enc_u32(&e, 100);
	decode(&ev, shm_enc_end(&e));
	ck_assert_int_gt(shm_fmt_args_ex(&ev, resolver, &calls, out, sizeof out), 0);
	ck_assert_str_eq(out, "fd=3(<f>/etc/passwd) size=100 ");
	ck_assert_int_eq(calls, 2);
	/* cut inside the resolved part: -ENOSPC, still terminated */
	char small[12];
	ck_assert_int_eq(shm_fmt_args_ex(&ev, resolver, &calls, small, sizeof small), -ENOSPC);
	ck_assert_str_eq(small, "fd=3(<f>/et");

	/* a negative fd resolves without asking */
	calls = 0;
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_READ_E, 1, 2);
	shm_enc_s64(&e, -100);
	shm_enc_u32(&e, 1);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_args_ex(&ev, resolver, &calls, out, sizeof out);
	ck_assert_str_eq(out, "fd=-100(AT_FDCWD) size=1 ");
	ck_assert_int_eq(calls, 1);

	/* setuid_e: uid */
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_SETUID_E, 1, 2);
	shm_enc_u32(&e, 0);
	decode(&ev, shm_enc_end(&e));
	shm_fmt_args_ex(&ev, resolver, &calls, out, sizeof out);
	ck_assert_str_eq(out, "uid=0(root) ");
	shm_fmt_args(&ev, out, sizeof out);
	ck_assert_str_eq(out, "uid=0(<NA>) ");
}
END_TEST

/* Cases checked against libsinsp's own concatenate_paths. */
/* The byte walk of shm_fmt_path_join written again, plainly: plain paths
 * take a shortcut there, which must give the same. */
static void walk_join(const char *cwd, const char *path, char *dst)
{
	size_t n = 0, pl = strlen(path);
	if (path[0] != '/')
		for (; *cwd; cwd++)
			dst[n++] = *cwd;
	for (size_t i = 0; i < pl;) {
		unsigned char c = (unsigned char)path[i];
		char c1 = path[i + 1], c2 = c1 ? path[i + 2] : 0;
		if (c < 0x20 || c >= 0x7f) {
			dst[n++] = '.';
			i++;
		} else if (c == '.' && c1 == '.' && (c2 == '/' || !c2)) {
			if (n > 1) {
				n--;
				while (n >= 1 && dst[n - 1] != '/')
					n--;
			}
			i += c2 ? 3 : 2;
		} else if (c == '.' && c1 == '.') {
			dst[n++] = '.';
			dst[n++] = '.';
			i += 2;
		} else if (c == '.' && (c1 == '/' || !c1)) {
			i += c1 ? 2 : 1;
		} else if (c == '/' && n && dst[n - 1] == '/') {
			i++;
		} else {
			dst[n++] = (char)c;
			i++;
		}
	}
	if (n > 1 && dst[n - 1] == '/')
		n--;
	dst[n] = 0;
}

START_TEST(path_join_shortcut_agrees_with_the_walk)
{
	static const char *const parts[] = {"a", "bc", ".", "..", "", "...", ".x", "d..", "e.",
					    "\x01", "<U>", "\x7f", "\xc3\xa9", "abcdefgh", "ij.klmno"};
	unsigned seed = 4242;
	char cwd[256], path[256], got[512], want[512];
	for (int i = 0; i < 100000; i++) {
		char *bufs[2] = {cwd, path};
		for (int k = 0; k < 2; k++) {
			char *b = bufs[k];
			size_t pos = 0;
			int nparts = (int)((seed = seed * 1103515245u + 12345u) >> 16) % 6;
			if (((seed >> 8) & 3) != 0)
				b[pos++] = '/';
			for (int j = 0; j < nparts; j++) {
				const char *pt = parts[((seed = seed * 1103515245u + 12345u) >> 16) % 15];
				pos += (size_t)sprintf(b + pos, "%s%s", j ? "/" : "", pt);
			}
			if ((seed >> 20) & 1)
				b[pos++] = '/';
			b[pos] = 0;
		}
		int n = shm_fmt_path_join(cwd, path, strlen(path) + 1, got, sizeof got);
		walk_join(cwd, path, want);
		ck_assert_msg(n >= 0 && !strcmp(got, want), "'%s' + '%s': '%s', walk '%s'", cwd,
			      path, got, want);
	}
}
END_TEST

START_TEST(path_joins)
{
	static const struct {
		const char *cwd, *path, *want;
	} cases[] = {
		{"/root/", "x", "/root/x"},         {"/root/", "./x", "/root/x"},
		{"/root/", "../x", "/x"},           {"/root/", "../../../x", "/x"},
		{"/root", "x", "/rootx"},           {"/root/", "a//b/", "/root/a/b"},
		{"/root/", "a/./b/../c", "/root/a/c"}, {"", "x", "x"},
		{"", "../x", "x"},                  {"/a/b/", "..", "/a"},
		{"/a/b/", ".", "/a/b"},             {"/a/b/", "...", "/a/b/.."},
		{"/a/b/", ".x/..y", "/a/b/.x/..y"}, {"/", "x", "/x"},
		{"/root/", "/abs/../x", "/x"},      {"/a/", "x/..", "/a"},
		{"/a/", "", "/a"},                  {"/a//b/", "c", "/a//b/c"},
		{"/a/", "x./y", "/a/xy"},           {"/a/", "..hidden", "/a/..hidden"},
		{"/", "../..", "/"},                {"", "/", "/"},
		{"/a/", "x\x01\xc3y", "/a/x..y"},
		/* more checked against sysdig 0.29.3 (gen_capture's "paths") */
		{"//", "x./y", "//xy"},            {"<UNKNOWN>", "x./y", "<UNKNOWN>xy"},
		{"<UNKNOWN>", "..", ""},           {"<UNKNOWN>", "../../../../etc/x", "etc/x"},
		{"/h/a/", "..x/y..", "/h/a/..x"},  {"/h/a/o/", "../..", "/h"},
		{"/tmp/", "a//b/", "/tmp/a/b"},    {"//", ".hidden/../z", "//z"},
	};
	char b[64];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int n = shm_fmt_path_join(cases[i].cwd, cases[i].path, strlen(cases[i].path) + 1, b,
					  sizeof b);
		ck_assert_msg(n >= 0 && strcmp(b, cases[i].want) == 0, "[%s] + [%s]: [%s], wanted [%s]",
			      cases[i].cwd, cases[i].path, b, cases[i].want);
		ck_assert_int_eq(n, (int)strlen(b));
	}
	/* not NUL-terminated within its length: only pathlen bytes are read */
	ck_assert_int_eq(shm_fmt_path_join("/r/", "abcdef", 3, b, sizeof b), 6);
	ck_assert_str_eq(b, "/r/abc");
	ck_assert_int_eq(shm_fmt_path_join("/r/", "x", 0, b, sizeof b), 0);
	ck_assert_str_eq(b, "");
	ck_assert_int_eq(shm_fmt_path_join("/root/", "abc", 4, b, 5), -ENOSPC);
	ck_assert_str_eq(b, "/roo");

	/* the FSPATH helper: relative values only */
	struct shm_enc e;
	struct shm_evt ev;
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_CHMOD_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_str(&e, "../etc/./passwd");
	shm_enc_u32(&e, 0644);
	decode(&ev, shm_enc_end(&e));
	ck_assert_int_eq(shm_fmt_fspath_resolved(&ev, 1, "/root/", b, sizeof b), 11);
	ck_assert_str_eq(b, "/etc/passwd");
	ck_assert_int_eq(shm_fmt_fspath_resolved(&ev, 0, "/root/", b, sizeof b), 0);
	ck_assert_str_eq(b, "");
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_CHMOD_X, 1, 2);
	shm_enc_s64(&e, 0);
	shm_enc_str(&e, "<NA>");
	shm_enc_u32(&e, 0644);
	decode(&ev, shm_enc_end(&e));
	ck_assert_int_eq(shm_fmt_fspath_resolved(&ev, 1, "/root/", b, sizeof b), 0);
}
END_TEST

/* Every cap, every event type, random values: the output always ends in a
 * NUL within cap, a cut is reported, and (under ASan) nothing is read or
 * written outside its buffer. */
START_TEST(truncation_everywhere)
{
	srand(11);
	for (uint16_t t = 0; t < SHM_EVENT_MAX; t++) {
		const struct shm_event_info *info = &shm_event_table[t];
		struct shm_enc e;
		struct shm_evt ev;
		shm_enc_begin(&e, rec, sizeof rec, t, 1, 2);
		for (unsigned i = 0; i < info->nparams; i++) {
			uint8_t v[300];
			uint32_t len = shm_param_type_size(info->params[i].type);
			if (!len)
				len = (uint32_t)(rand() % 200);
			for (uint32_t j = 0; j < len; j++)
				v[j] = (uint8_t)rand();
			if (info->params[i].type == SHM_PT_DYN && len)
				v[0] %= info->params[i].ninfo + 1;
			shm_enc_param(&e, v, len);
		}
		decode(&ev, shm_enc_end(&e));
		char full[8192];
		int n = shm_fmt_args(&ev, full, sizeof full);
		ck_assert_int_ge(n, 0);
		for (int cap = 0; cap <= n + 1; cap++) {
			char *b = malloc(cap ? (size_t)cap : 1);
			ck_assert_ptr_nonnull(b);
			int r = shm_fmt_args(&ev, b, (size_t)cap);
			if (cap > n) {
				ck_assert_int_eq(r, n);
				ck_assert_str_eq(b, full);
			} else {
				ck_assert_int_eq(r, -ENOSPC);
				if (cap) {
					ck_assert_uint_eq(strlen(b), (size_t)cap - 1);
					ck_assert_int_eq(strncmp(b, full, (size_t)cap - 1), 0);
				}
			}
			free(b);
		}
		for (unsigned i = 0; i < info->nparams; i++) {
			char b[5];
			ck_assert_int_ge(shm_fmt_value(&ev, i, full, sizeof full), 0);
			ck_assert_int_ge(shm_fmt_resolved(&ev, i, full, sizeof full), 0);
			ck_assert_int_ge(shm_fmt_arg(&ev, i, full, sizeof full), 0);
			int r = shm_fmt_param(&ev, i, b, sizeof b);
			ck_assert(r == -ENOSPC || (r >= 0 && r < 5));
			ck_assert_uint_lt(strlen(b), sizeof b);
		}
	}
}
END_TEST

static Suite *format_suite(void)
{
	Suite *s = suite_create("format");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, open_exit_like_sysdig);
	tcase_add_test(tc, numbers_by_format);
	tcase_add_test(tc, errno_values);
	tcase_add_test(tc, fd_values);
	tcase_add_test(tc, flags_and_modes);
	tcase_add_test(tc, strings_and_paths);
	tcase_add_test(tc, byte_buffers);
	tcase_add_test(tc, socket_addresses);
	tcase_add_test(tc, socket_tuples);
	tcase_add_test(tc, ipv6_text_is_inet_ntop);
	tcase_add_test(tc, other_types);
	tcase_add_test(tc, dynamic_parameters);
	tcase_add_test(tc, generic_events_show_no_args);
	tcase_add_test(tc, stateful_resolution);
	tcase_add_test(tc, path_joins);
	tcase_add_test(tc, path_join_shortcut_agrees_with_the_walk);
	tcase_add_test(tc, truncation_everywhere);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(format_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
