/* Unit tests of the engine state (suite "state"). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include "eng_map.h"
#include "evgen.h"

#define PPM_CL_CLONE_FILES (1u << 0)
#define PPM_CL_CLONE_THREAD (1u << 13)
#define PPM_O_CLOEXEC (1u << 12)

/* Values sysdig 0.29.3 gives for the same joins (gen_capture's "paths"
 * scenario, compared in test/engine/diff_sysdig.sh): libsinsp's
 * concatenate_paths, shared with shm_fmt_path_join. */
START_TEST(path_join)
{
	static const struct {
		const char *dir, *path, *want;
	} cases[] = {
		{"/home/a/", "x.txt", "/home/a/x.txt"},
		{"/home/a/", "../b/./c//d", "/home/b/c/d"},
		{"/home/a", "/etc/passwd", "/etc/passwd"},
		{"/", "../../..", "/"},
		/* the dir is used as it is: a cwd always ends in '/', a dirfd's
		 * name gets one ("/" gives "//"), an unknown dirfd is "<UNKNOWN>" */
		{"/tmp/", "x/../y.log", "/tmp/y.log"},
		{"/tmp", "x", "/tmpx"},
		{"//", "x./y", "//xy"},
		{"<UNKNOWN>", "x./y", "<UNKNOWN>xy"},
		{"<UNKNOWN>", "../../../../etc/x", "etc/x"},
		{"<UNKNOWN>", "..", ""},
		{"<UNKNOWN>", "./", "<UNKNOWN>"},
		/* "./" anywhere goes, "..." keeps two dots, a ".." at the end climbs */
		{"/home/alice/", "...", "/home/alice/.."},
		{"/home/alice/", "..x/y..", "/home/alice/..x"},
		{"/home/alice/other/", "../..", "/home"},
		/* bytes outside printable ASCII become '.' (in the path, not the dir) */
		{"//", "d\xc5\x91/\x01" "f", "//d../.f"},
		{"/", "/tmp/\xc5\x91/../a", "/tmp/a"},
	};
	char out[256];
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		eng_path_join(cases[i].dir, cases[i].path, out, sizeof out);
		ck_assert_msg(!strcmp(out, cases[i].want), "'%s' + '%s': '%s', sysdig '%s'",
			      cases[i].dir, cases[i].path, out, cases[i].want);
	}
	/* too long: cut, never overflowed */
	char small[8];
	eng_path_join("/abcdef", "ghijkl", small, sizeof small);
	ck_assert_uint_lt(strlen(small), sizeof small);
}
END_TEST

START_TEST(map_grows_and_shrinks)
{
	struct eng_map m = {0};
	static int vals[5000];
	for (int i = 0; i < 5000; i++)
		ck_assert_int_eq(eng_map_put(&m, (int64_t)i * 7919, &vals[i]), 0);
	ck_assert_uint_eq(m.len, 5000);
	for (int i = 0; i < 5000; i++)
		ck_assert_ptr_eq(eng_map_get(&m, (int64_t)i * 7919), &vals[i]);
	ck_assert_ptr_null(eng_map_get(&m, 3));
	size_t big = m.cap;
	for (int i = 0; i < 5000; i += 2)
		ck_assert_ptr_eq(eng_map_del(&m, (int64_t)i * 7919), &vals[i]);
	for (int i = 1; i < 5000; i += 2)
		ck_assert_ptr_eq(eng_map_get(&m, (int64_t)i * 7919), &vals[i]);
	for (int i = 1; i < 5000; i += 2)
		eng_map_del(&m, (int64_t)i * 7919);
	ck_assert_uint_eq(m.len, 0);
	ck_assert_uint_lt(m.cap, big);
	eng_map_clear(&m);
}
END_TEST

START_TEST(open_resolves_relative_paths)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/home/alice", 1000);
	fx_open(&f, 100, "notes.txt", 2, 3);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/home/alice/notes.txt");
	ck_assert_str_eq(fx_field(&f, "fd.num", b, sizeof b), "3");
	ck_assert_str_eq(fx_field(&f, "proc.cwd", b, sizeof b), "/home/alice/");
	/* chdir moves the base of later relative opens */
	fx_begin(&f, SHM_EV_SYSCALL_CHDIR_E, 100);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SYSCALL_CHDIR_X, 100);
	shm_enc_s64(&f.e, 0); shm_enc_str(&f.e, "../bob");
	fx_end(&f);
	fx_open(&f, 100, "x", 1, 4);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/home/bob/x");
	ck_assert_str_eq(fx_field(&f, "proc.cwd", b, sizeof b), "/home/bob/");
	fx_free(&f);
}
END_TEST

/* An unconnected UDP socket is named from sendto's and recvfrom's tuples
 * the way sysdig 0.29.3 does (checked on a pdig capture of python). */
START_TEST(udp_named_from_datagram_tuples)
{
	struct fx f;
	char b[256];
	uint32_t lo = htonl(INADDR_LOOPBACK);
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "python3", "/", 0);
	fx_begin(&f, SHM_EV_SOCKET_SOCKET_E, 100);
	shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 0);
	fx_end(&f);
	fx_res_exit(&f, SHM_EV_SOCKET_SOCKET_X, 100, 4);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "");
	/* a write: the enter's tuple; role client, so no swap */
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_E, 100);
	shm_enc_s64(&f.e, 4); shm_enc_u32(&f.e, 2); shm_enc_socktuple_in(&f.e, 0, 0, lo, 32908);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "hi");
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "0.0.0.0:0->127.0.0.1:32908");
	ck_assert_str_eq(fx_field(&f, "fd.l4proto", b, sizeof b), "udp");
	ck_assert_str_eq(fx_field(&f, "fd.sip", b, sizeof b), "127.0.0.1");
	ck_assert_str_eq(fx_field(&f, "fd.cport", b, sizeof b), "0");
	ck_assert_str_eq(fx_field(&f, "fd.connected", b, sizeof b), "true");
	/* a read from another peer: the source changes, the destination stays,
	 * and a client that reads swaps them */
	fx_fd_enter(&f, SHM_EV_SOCKET_RECVFROM_E, 100, 4);
	fx_begin(&f, SHM_EV_SOCKET_RECVFROM_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "yo");
	shm_enc_socktuple_in(&f.e, lo, 40000, 0, 51126);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "127.0.0.1:32908->127.0.0.1:40000");
	/* a failed read changes nothing */
	fx_fd_enter(&f, SHM_EV_SOCKET_RECVFROM_E, 100, 4);
	fx_begin(&f, SHM_EV_SOCKET_RECVFROM_X, 100);
	shm_enc_s64(&f.e, -11); shm_enc_empty(&f.e); shm_enc_socktuple_in(&f.e, lo, 1, lo, 2);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "127.0.0.1:32908->127.0.0.1:40000");
	fx_free(&f);
}
END_TEST

/* The same for IPv6 (sysdig 0.29.3 on a pdig capture of python's AF_INET6
 * sendto/recvfrom on ::1, and gen_capture's udp6): no zero address is
 * patched, an unbound socket guesses client even when it reads first, a
 * tuple of IPv4-mapped or all-zero addresses makes the socket an IPv4 one,
 * and a socket bound to a port is named after each tuple as it is. */
/* Interface lists appended as ring snapshots bring them (IPv4 and IPv6
 * mixed): each family keeps its order, and the zero end of a datagram
 * tuple is inferred as libsinsp does: exact address, then IPv4 subnet
 * (netmask) or IPv6 first 64 bits, then the first non-loopback one. */
START_TEST(local_end_from_interface_lists)
{
	static const uint8_t any[16] = {0}, lo[16] = {[15] = 1};
	static const uint8_t p7[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	static const uint8_t ll1[16] = {0xfe, 0x80, [15] = 1};
	struct shm_scap_iface a[] = {
		{.addr4 = htonl(0x7f000001), .netmask4 = htonl(0xff000000)},
		{.is_ipv6 = 1, .addr6 = {[15] = 1}},
		{.addr4 = htonl(0xc0a80709), .netmask4 = htonl(0xffffff00)},
	};
	struct shm_scap_iface b[] = {
		{.is_ipv6 = 1, .addr6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5}},
		{.addr4 = htonl(0x0a000005), .netmask4 = htonl(0xffffff00)},
		{.is_ipv6 = 1, .addr6 = {0xfe, 0x80, [15] = 9}},
	};
	struct fx f;
	char b6[256];
	fx_init(&f);
	ck_assert_int_eq(eng_state_add_ifaces(f.st, a, 3), 0);
	ck_assert_int_eq(eng_state_add_ifaces(f.st, b, 3), 0);
	ck_assert_uint_eq(f.st->nlocal_ip4, 3);
	ck_assert_uint_eq(f.st->nlocal_ip6, 3);
	ck_assert(f.st->local_ip4[1].addr[0] == htonl(0xc0a80709));
	ck_assert(f.st->local_ip4[2].addr[0] == htonl(0x0a000005));
	ck_assert(!memcmp(f.st->local_ip4[3].addr, lo, 16));
	ck_assert(!memcmp(f.st->local_ip4[5].addr, b[2].addr6, 16));
	ck_assert(eng_state_is_local_ip4(f.st, htonl(0x0a000005)));
	ck_assert(!eng_state_is_local_ip4(f.st, htonl(0x0a000006)));
	fx_proc(&f, 100, 100, 1, "python3", "/", 0);
	for (int fd = 4; fd <= 7; fd++) {
		fx_begin(&f, SHM_EV_SOCKET_SOCKET_E, 100);
		shm_enc_u32(&f.e, fd == 7 ? 2 : 10); shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 0);
		fx_end(&f);
		fx_res_exit(&f, SHM_EV_SOCKET_SOCKET_X, 100, fd);
	}
	const uint8_t *dst[] = {lo, p7, ll1};
	const char *want[] = {"::1:0->::1:53", "2001:db8:1::5:0->2001:db8::7:53",
			      "fe80::9:0->fe80::1:53"};
	for (int i = 0; i < 3; i++) {
		fx_begin(&f, SHM_EV_SOCKET_SENDTO_E, 100);
		shm_enc_s64(&f.e, 4 + i); shm_enc_u32(&f.e, 2);
		shm_enc_socktuple_in6(&f.e, any, 0, dst[i], 53);
		fx_end(&f);
		fx_begin(&f, SHM_EV_SOCKET_SENDTO_X, 100);
		shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "hi");
		fx_end(&f);
		ck_assert_str_eq(fx_field(&f, "fd.name", b6, sizeof b6), want[i]);
	}
	/* fd.lip: the source, local by its first 64 bits */
	ck_assert_str_eq(fx_field(&f, "fd.lip", b6, sizeof b6), "fe80::9");
	ck_assert_str_eq(fx_field(&f, "fd.rport", b6, sizeof b6), "53");
	ck_assert_str_eq(fx_field(&f, "fd.is_server", b6, sizeof b6), "true");
	/* IPv4: 10.0.0.2 is in eth0's subnet, though eth1 comes first */
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_E, 100);
	shm_enc_s64(&f.e, 7); shm_enc_u32(&f.e, 2);
	shm_enc_socktuple_in(&f.e, 0, 0, htonl(0x0a000002), 53);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "hi");
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b6, sizeof b6), "10.0.0.5:0->10.0.0.2:53");
	fx_free(&f);
}
END_TEST

START_TEST(udp6_named_from_datagram_tuples)
{
	static const uint8_t any[16] = {0}, lo[16] = {[15] = 1};
	static const uint8_t p7[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	static const uint8_t m2[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 2};
	struct fx f;
	char b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "python3", "/", 0);
	for (int fd = 4; fd <= 6; fd++) {
		fx_begin(&f, SHM_EV_SOCKET_SOCKET_E, 100);
		shm_enc_u32(&f.e, 10); shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 0);
		fx_end(&f);
		fx_res_exit(&f, SHM_EV_SOCKET_SOCKET_X, 100, fd);
	}
	/* a write from an unbound socket: the source stays :: */
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_E, 100);
	shm_enc_s64(&f.e, 4); shm_enc_u32(&f.e, 2); shm_enc_socktuple_in6(&f.e, any, 0, lo, 33424);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "hi");
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), ":::0->::1:33424");
	ck_assert_str_eq(fx_field(&f, "fd.cip", b, sizeof b), "::");
	ck_assert_str_eq(fx_field(&f, "fd.sip", b, sizeof b), "::1");
	ck_assert_str_eq(fx_field(&f, "fd.l4proto", b, sizeof b), "udp");
	ck_assert_str_eq(fx_field(&f, "fd.type", b, sizeof b), "ipv6");
	/* the reply: source replaced, destination kept, a client reading swaps */
	fx_fd_enter(&f, SHM_EV_SOCKET_RECVFROM_E, 100, 4);
	fx_begin(&f, SHM_EV_SOCKET_RECVFROM_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "yo");
	shm_enc_socktuple_in6(&f.e, lo, 33424, any, 41647);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "::1:33424->::1:33424");
	/* an unbound socket that reads first is a client too */
	fx_fd_enter(&f, SHM_EV_SOCKET_RECVFROM_E, 100, 5);
	fx_begin(&f, SHM_EV_SOCKET_RECVFROM_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "yo");
	shm_enc_socktuple_in6(&f.e, p7, 5000, lo, 6000);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "::1:6000->2001:db8::7:5000");
	ck_assert_str_eq(fx_field(&f, "fd.is_server", b, sizeof b), "false");
	/* :: to ::ffff:10.0.0.2 is an IPv4 tuple */
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_E, 100);
	shm_enc_s64(&f.e, 6); shm_enc_u32(&f.e, 2); shm_enc_socktuple_in6(&f.e, any, 0, m2, 53);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "hi");
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "0.0.0.0:0->10.0.0.2:53");
	ck_assert_str_eq(fx_field(&f, "fd.typechar", b, sizeof b), "4");
	/* a server bound to a port: named after the tuple, fd.sip its source */
	fx_begin(&f, SHM_EV_SOCKET_SOCKET_E, 100);
	shm_enc_u32(&f.e, 10); shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 0);
	fx_end(&f);
	fx_res_exit(&f, SHM_EV_SOCKET_SOCKET_X, 100, 7);
	fx_fd_enter(&f, SHM_EV_SOCKET_BIND_E, 100, 7);
	fx_begin(&f, SHM_EV_SOCKET_BIND_X, 100);
	shm_enc_s64(&f.e, 0); shm_enc_sockaddr_in6(&f.e, lo, 5353);
	fx_end(&f);
	fx_fd_enter(&f, SHM_EV_SOCKET_RECVFROM_E, 100, 7);
	fx_begin(&f, SHM_EV_SOCKET_RECVFROM_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "q");
	shm_enc_socktuple_in6(&f.e, p7, 40000, lo, 5353);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "2001:db8::7:40000->::1:5353");
	ck_assert_str_eq(fx_field(&f, "fd.sip", b, sizeof b), "2001:db8::7");
	ck_assert_str_eq(fx_field(&f, "fd.sport", b, sizeof b), "5353");
	fx_free(&f);
}
END_TEST

START_TEST(close_is_visible_until_next_event)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/", 0);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	fx_close(&f, 100, 3, 0);
	/* the close exit still knows what it closed */
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/etc/passwd");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 3);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "fd.num", b, sizeof b), "3");
	/* a failed close removes nothing */
	fx_open(&f, 100, "/etc/hosts", 1, 5);
	fx_close(&f, 100, 5, -9);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 5);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/etc/hosts");
	fx_free(&f);
}
END_TEST

/* A close racing the reuse of its fd by another thread (as sysdig 0.29.3
 * does it, checked by gen_capture's "race" in the differential test): the
 * close exit removes the new fd too; a sendto on the unknown fd then makes
 * a socket of the tuple's family, which the exit names. */
START_TEST(close_racing_reuse_then_sendto)
{
	struct fx f;
	char b[256];
	uint32_t lo = htonl(INADDR_LOOPBACK);
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "python3", "/", 0);
	fx_proc(&f, 101, 100, 1, "python3", "/", 0);
	fx_open(&f, 100, "/tmp/data", 1, 5);
	fx_fd_enter(&f, SHM_EV_SYSCALL_CLOSE_E, 100, 5);
	fx_begin(&f, SHM_EV_SOCKET_SOCKET_E, 101);
	shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 0);
	fx_end(&f);
	fx_res_exit(&f, SHM_EV_SOCKET_SOCKET_X, 101, 5);
	fx_res_exit(&f, SHM_EV_SYSCALL_CLOSE_X, 100, 0);
	/* the close exit sees the new socket, and removes it */
	ck_assert_str_eq(fx_field(&f, "fd.type", b, sizeof b), "ipv4");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 101, 5);
	ck_assert_str_eq(fx_field(&f, "fd.type", b, sizeof b), "<NA>");
	/* sendto's enter on the unknown fd makes a socket, its exit names it */
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_E, 101);
	shm_enc_s64(&f.e, 5); shm_enc_u32(&f.e, 2); shm_enc_socktuple_in(&f.e, lo, 41000, lo, 9999);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.type", b, sizeof b), "ipv4");
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "");
	fx_begin(&f, SHM_EV_SOCKET_SENDTO_X, 101);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "hi");
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "127.0.0.1:41000->127.0.0.1:9999");
	ck_assert_str_eq(fx_field(&f, "fd.l4proto", b, sizeof b), "udp");
	/* the other thread shares it */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 5);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "127.0.0.1:41000->127.0.0.1:9999");
	/* recvfrom on an unknown fd makes nothing (as sysdig) */
	fx_fd_enter(&f, SHM_EV_SOCKET_RECVFROM_E, 100, 9);
	fx_begin(&f, SHM_EV_SOCKET_RECVFROM_X, 100);
	shm_enc_s64(&f.e, 2); shm_enc_str(&f.e, "yo"); shm_enc_socktuple_in(&f.e, lo, 1, lo, 2);
	fx_end(&f);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 9);
	ck_assert_str_eq(fx_field(&f, "fd.type", b, sizeof b), "<NA>");
	fx_free(&f);
}
END_TEST

/* Closed fds are reused from the pool with their name buffers: names of
 * any length come out right, and the pool stays bounded. */
START_TEST(fd_pool_reuses_names)
{
	struct fx f;
	char b[512], path[300];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/", 0);
	for (int i = 0; i < 3 * ENG_FD_POOL; i++) {
		int len = 2 + (i * 37) % 250;
		memset(path, 'a' + i % 26, sizeof path);
		path[0] = '/';
		path[len] = 0;
		fx_open(&f, 100, path, 1, 3 + i % 7);
		ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), path);
		if (i % 3 == 0)
			fx_close(&f, 100, 3 + i % 7, 0);
	}
	ck_assert_uint_le(f.st->nfd_pool, ENG_FD_POOL);
	fx_free(&f);
}
END_TEST

START_TEST(fork_copies_threads_share)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/root", 0);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	/* fork: the child gets a copy of the table */
	fx_begin(&f, SHM_EV_SYSCALL_CLONE_20_E, 100);
	fx_end(&f);
	fx_clone_x(&f, 100, 200, 100, 1, "bash", 0);
	fx_clone_x(&f, 200, 0, 200, 100, "bash", 0);
	ck_assert_str_eq(fx_field(&f, "proc.pid", b, sizeof b), "200");
	ck_assert_str_eq(fx_field(&f, "proc.ppid", b, sizeof b), "100");
	ck_assert_str_eq(fx_field(&f, "proc.pname", b, sizeof b), "bash");
	ck_assert_str_eq(fx_field(&f, "proc.cwd", b, sizeof b), "/root/");
	fx_close(&f, 200, 3, 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 3);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/etc/passwd");
	/* a thread shares its process's table */
	fx_clone_x(&f, 100, 101, 100, 1, "bash", PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES);
	fx_open(&f, 101, "/etc/group", 1, 4);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 4);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/etc/group");
	ck_assert_str_eq(fx_field(&f, "thread.tid", b, sizeof b), "100");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 101, 4);
	ck_assert_str_eq(fx_field(&f, "proc.pid", b, sizeof b), "100");
	ck_assert_str_eq(fx_field(&f, "thread.ismain", b, sizeof b), "false");
	fx_free(&f);
}
END_TEST

START_TEST(child_clone_first)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/", 0);
	/* the child's exit arrives before the parent's */
	fx_clone_x(&f, 300, 0, 300, 100, "bash", 0);
	ck_assert_str_eq(fx_field(&f, "proc.pname", b, sizeof b), "bash");
	fx_clone_x(&f, 100, 300, 100, 1, "bash", 0);
	fx_execve(&f, 300, "/bin/ls", "ls", 0);
	ck_assert_str_eq(fx_field(&f, "proc.name", b, sizeof b), "ls");
	ck_assert_str_eq(fx_field(&f, "proc.exepath", b, sizeof b), "/bin/ls");
	ck_assert_str_eq(fx_field(&f, "proc.aname[1]", b, sizeof b), "bash");
	fx_free(&f);
}
END_TEST

START_TEST(execve_closes_cloexec_and_failed_execve_keeps)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "sh", "/", 0);
	fx_open(&f, 100, "/etc/keep", 1, 3);
	fx_open(&f, 100, "/etc/drop", 1 | PPM_O_CLOEXEC, 4);
	fx_execve(&f, 100, "/nope", "nope", -2);
	ck_assert_str_eq(fx_field(&f, "proc.name", b, sizeof b), "sh");
	fx_execve(&f, 100, "/bin/cat", "cat", 0);
	ck_assert_str_eq(fx_field(&f, "proc.name", b, sizeof b), "cat");
	ck_assert_str_eq(fx_field(&f, "proc.args", b, sizeof b), "-x");
	ck_assert_str_eq(fx_field(&f, "proc.cmdline", b, sizeof b), "cat -x");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 3);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/etc/keep");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 4);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "<NA>");
	fx_free(&f);
}
END_TEST

START_TEST(unknown_threads_and_fds)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	/* never seen: the tid is real, the rest is not available */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 4242, 9);
	ck_assert_str_eq(fx_field(&f, "thread.tid", b, sizeof b), "4242");
	ck_assert_str_eq(fx_field(&f, "proc.name", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "proc.pid", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "user.name", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "<NA>");
	/* its fds are tracked from now on */
	fx_open(&f, 4242, "/x", 1, 3);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 4242, 3);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/x");
	/* an exit without its enter changes nothing */
	fx_res_exit(&f, SHM_EV_SYSCALL_CLOSE_X, 4242, 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 4242, 3);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/x");
	fx_free(&f);
}
END_TEST

START_TEST(setuid_and_users)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	struct shm_scap_user u = {.uid = 0, .gid = 0, .name = "root", .homedir = "/root",
				  .shell = "/bin/sh"};
	ck_assert_int_eq(eng_state_add_user(f.st, &u), 0);
	fx_proc(&f, 100, 100, 1, "su", "/", 1000);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "user.uid", b, sizeof b), "1000");
	ck_assert_str_eq(fx_field(&f, "user.name", b, sizeof b), "<NA>");
	fx_begin(&f, SHM_EV_SYSCALL_SETUID_E, 100);
	shm_enc_u32(&f.e, 0);
	fx_end(&f);
	fx_res_exit(&f, SHM_EV_SYSCALL_SETUID_X, 100, 0);
	ck_assert_str_eq(fx_field(&f, "user.name", b, sizeof b), "root");
	ck_assert_str_eq(fx_field(&f, "user.homedir", b, sizeof b), "/root");
	fx_free(&f);
}
END_TEST

START_TEST(users_from_files)
{
	struct fx f;
	char b[256], dir[] = "/tmp/eng_users_XXXXXX", path[512];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/etc", dir);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/etc/passwd", dir);
	FILE *pw = fopen(path, "w");
	fputs("root:x:0:0:root:/root:/bin/sh\nbroken line\nbob:x:1001:1002::/home/bob:/bin/zsh\n", pw);
	fclose(pw);
	snprintf(path, sizeof path, "%s/etc/group", dir);
	pw = fopen(path, "w");
	fputs("root:x:0:\nstaff:x:1002:bob\n", pw);
	fclose(pw);
	fx_init(&f);
	ck_assert_int_eq(eng_state_load_users_from(f.st, dir), 0);
	fx_proc(&f, 100, 100, 1, "zsh", "/", 1001);
	/* fx_proc gives gid = uid: make it bob's group */
	eng_state_thread(f.st, 100)->gid = 1002;
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "user.name", b, sizeof b), "bob");
	ck_assert_str_eq(fx_field(&f, "user.shell", b, sizeof b), "/bin/zsh");
	ck_assert_str_eq(fx_field(&f, "group.name", b, sizeof b), "staff");
	ck_assert_int_eq(eng_state_load_users_from(f.st, "/nonexistent-root"), -ENOENT);
	fx_free(&f);
	snprintf(path, sizeof path, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(path), 0);
}
END_TEST

START_TEST(memory_is_bounded)
{
	struct fx f;
	fx_init(&f);
	fx_proc(&f, 1, 1, 0, "init", "/", 0);
	/* a million-process capture in miniature: each forks, opens, exits */
	for (int64_t i = 0; i < 20000; i++) {
		int64_t child = 1000 + i;
		fx_clone_x(&f, 1, child, 1, 0, "init", 0);
		fx_open(&f, child, "/tmp/f", 1, 3);
		fx_procexit(&f, child);
	}
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 1, 0);
	ck_assert_uint_le(f.st->threads.len, 2);
	ck_assert_uint_le(f.st->threads.cap, 64);
	ck_assert_uint_eq(f.st->nthreads_created - f.st->nthreads_removed, f.st->threads.len);
	fx_free(&f);
}
END_TEST


/* The root of the traced tree is known from the events, not a name: the
 * process list holds the tracer (and its ancestors), which make no event. */
START_TEST(entrypoint_is_the_traced_root)
{
	struct fx f;
	char b[64];
	fx_init(&f);
	fx_proc(&f, 10, 10, 0, "init", "/", 0);
	fx_proc(&f, 50, 50, 10, "anything", "/", 0); /* the tracer, whatever its name */
	fx_proc(&f, 60, 60, 50, "anything", "/", 0); /* its child, not yet exec'd */
	fx_proc(&f, 70, 70, 50, "pdig", "/", 0);     /* another child, traced later */
	fx_execve(&f, 60, "/bin/sh", "sh", 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "true");
	/* its child and the child's thread are not */
	fx_clone_x(&f, 60, 61, 60, 50, "sh", 0);
	fx_execve(&f, 61, "/bin/sh", "sh", 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "false");
	fx_clone_x(&f, 60, 62, 60, 50, "sh", PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 62, 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "true");
	/* a process named pdig inside the tree is an ordinary one */
	fx_clone_x(&f, 61, 63, 61, 60, "pdig", 0);
	fx_execve(&f, 63, "/usr/bin/pdig", "pdig", 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "false");
	/* pid 1 of a namespace (no parent) attached to */
	fx_proc(&f, 80, 80, 0, "init2", "/", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 80, 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "true");
	/* an orphan whose parent is gone is not the root */
	fx_proc(&f, 90, 90, 999, "orphan", "/", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 90, 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "false");
	/* a second root (pdig -p A -p B) is one too, whatever its name */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 70, 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_entrypoint", b, sizeof b), "true");
	fx_free(&f);
}
END_TEST

/* evt.target_traced: a signal to the tracer (in the process list, never
 * traced) or to every process is outside the tree; one to a child is not. */
static void kill_call(struct fx *f, int64_t tid, int64_t pid, uint8_t sig)
{
	fx_begin(f, SHM_EV_SYSCALL_KILL_E, tid);
	shm_enc_s64(&f->e, pid);
	shm_enc_u8(&f->e, sig);
	fx_end(f);
	fx_res_exit(f, SHM_EV_SYSCALL_KILL_X, tid, 0);
}

START_TEST(signal_target_in_or_out_of_the_tree)
{
	struct fx f;
	char b[64];
	fx_init(&f);
	fx_proc(&f, 50, 50, 1, "tracer", "/", 0);
	struct shm_scap_proc root = {.tid = 60, .pid = 60, .ptid = 50, .comm = "sh", .exe = "sh",
				     .exepath = "", .args = "", .cwd = "/", .vtid = 60, .vpid = 60,
				     .vpgid = 50, .flags = SHM_PDIG_CL_TRACED};
	ck_assert_int_eq(eng_state_add_proc(f.st, &root), 0);
	/* pdig's mark: in the tree before any event of its own */
	fx_clone_x(&f, 60, 61, 60, 50, "sh", 0);
	kill_call(&f, 61, 60, 15);
	ck_assert_str_eq(fx_field(&f, "evt.target_traced", b, sizeof b), "true");
	kill_call(&f, 60, 50, 19);
	ck_assert_str_eq(fx_field(&f, "evt.target_traced", b, sizeof b), "false");
	kill_call(&f, 60, -1, 9);
	ck_assert_str_eq(fx_field(&f, "evt.target_traced", b, sizeof b), "false");
	/* kill(0): the caller's group, led by the tracer here */
	kill_call(&f, 60, 0, 15);
	ck_assert_str_eq(fx_field(&f, "evt.target_traced", b, sizeof b), "false");
	kill_call(&f, 60, 4242, 9); /* nobody known */
	ck_assert_str_eq(fx_field(&f, "evt.target_traced", b, sizeof b), "<NA>");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 60, 0); /* not a signal */
	ck_assert_str_eq(fx_field(&f, "evt.target_traced", b, sizeof b), "<NA>");
	fx_free(&f);
}
END_TEST

START_TEST(env_and_exe_flags_follow_processes)
{
	struct fx f;
	char b[256];
	fx_init(&f);
	struct shm_scap_proc p = {.tid = 100, .pid = 100, .ptid = 1, .comm = "sh", .exe = "sh",
				  .exepath = "/memfd:payload (deleted)", .args = "", .cwd = "/",
				  .env = "HOME=/root\0LANG=C\0", .env_len = 18, .vtid = 100,
				  .vpid = 100};
	ck_assert_int_eq(eng_state_add_proc(f.st, &p), 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "proc.env", b, sizeof b), "HOME=/root LANG=C");
	/* the proc list's exe path says memfd */
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "true");
	/* a forked child starts with its parent's environment and executable */
	fx_clone_x(&f, 100, 200, 100, 1, "sh", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 200, 0);
	ck_assert_str_eq(fx_field(&f, "proc.env[LANG]", b, sizeof b), "C");
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "true");
	/* a thread reads its process's */
	fx_clone_x(&f, 200, 201, 200, 100, "sh", PPM_CL_CLONE_THREAD | PPM_CL_CLONE_FILES);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 201, 0);
	ck_assert_str_eq(fx_field(&f, "proc.env[HOME]", b, sizeof b), "/root");
	/* execve replaces both (fx_execve's exit has an empty env and no flags) */
	fx_execve(&f, 200, "/bin/ls", "ls", 0);
	ck_assert_str_eq(fx_field(&f, "proc.env", b, sizeof b), "");
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "false");
	/* the parent keeps its own */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "proc.env[HOME]", b, sizeof b), "/root");
	fx_free(&f);
}
END_TEST

static Suite *state_suite(void)
{
	Suite *s = suite_create("state");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, path_join);
	tcase_add_test(tc, udp_named_from_datagram_tuples);
	tcase_add_test(tc, udp6_named_from_datagram_tuples);
	tcase_add_test(tc, local_end_from_interface_lists);
	tcase_add_test(tc, map_grows_and_shrinks);
	tcase_add_test(tc, open_resolves_relative_paths);
	tcase_add_test(tc, close_is_visible_until_next_event);
	tcase_add_test(tc, fork_copies_threads_share);
	tcase_add_test(tc, child_clone_first);
	tcase_add_test(tc, execve_closes_cloexec_and_failed_execve_keeps);
	tcase_add_test(tc, unknown_threads_and_fds);
	tcase_add_test(tc, setuid_and_users);
	tcase_add_test(tc, users_from_files);
	tcase_add_test(tc, memory_is_bounded);
	tcase_add_test(tc, close_racing_reuse_then_sendto);
	tcase_add_test(tc, fd_pool_reuses_names);
	tcase_add_test(tc, env_and_exe_flags_follow_processes);
	tcase_add_test(tc, entrypoint_is_the_traced_root);
	tcase_add_test(tc, signal_target_in_or_out_of_the_tree);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(state_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
