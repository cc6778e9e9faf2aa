/*
 * Writes the synthetic captures the engine's differential tests replay with
 * both pdig-engine and sysdig: gen_capture SCENARIO OUT.scap
 *
 *   files  a shell that opens, reads, writes, dups and closes files,
 *          relative paths, openat with a dirfd, chdir/fchdir, failures
 *   procs  fork/clone (threads), execve, procexit, setuid, ancestors
 *   net    sockets: tcp connect, accept on a listening socket, udp, pipes
 *   misc   IPv6 and unix sockets, socketpair, eventfd, fcntl dup, creat, inotify
 *   lost   fds never opened, exits without enters, timestamps going
 *          backwards, unknown users
 *   paths  path joins at their edges: cwds, dirfds, ".", "..", odd dots
 *   race   a close racing the reuse of its fd by another thread
 *   udp6   unconnected IPv6 UDP sockets named from their datagrams' tuples
 *   udp6if the same with an interface list (zero ends patched from it)
 *          (plain IPv6, IPv4-mapped, all-zero), and IPv4 sockets at 0.0.0.0
 *   unknown  a thread never seen (pdig-engine and sysdig differ on purpose)
 *   empty  empty parameter values (likewise)
 *   bigN   N forks of a shell, each exec'ing and doing 50 syscalls (timing)
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"
#include "shm_scap.h"

static struct shm_scap_writer *w;
static uint64_t ts = 1700000000000000000ull;
static uint8_t buf[65536];
static struct shm_enc e;

static void begin(uint16_t type, uint64_t tid)
{
	ts += 1000 + (ts % 7) * 13;
	shm_enc_begin(&e, buf, sizeof(buf), type, ts, tid);
}

static void end(void)
{
	int len = shm_enc_end(&e);
	if (len < 0) {
		fprintf(stderr, "gen_capture: encoding %s failed: %d\n",
			shm_event_table[e.type].name, len);
		exit(1);
	}
	if (shm_scap_write_event(w, 0, 0, buf, (uint32_t)len)) {
		fprintf(stderr, "gen_capture: %s\n", shm_scap_writer_error(w));
		exit(1);
	}
}

static void args_buf(const char *const *argv)
{
	size_t n = 0;
	char tmp[1024];
	for (int i = 0; argv[i]; i++) {
		size_t l = strlen(argv[i]) + 1;
		memcpy(tmp + n, argv[i], l);
		n += l;
	}
	shm_enc_param(&e, tmp, (uint32_t)n);
}

/* ---- events ---- */

static void open_pair(uint64_t tid, const char *path, uint32_t flags, int64_t fd)
{
	begin(SHM_EV_SYSCALL_OPEN_E, tid);
	shm_enc_str(&e, path); shm_enc_u32(&e, flags); shm_enc_u32(&e, 0644);
	end();
	begin(SHM_EV_SYSCALL_OPEN_X, tid);
	shm_enc_s64(&e, fd); shm_enc_str(&e, path); shm_enc_u32(&e, flags);
	shm_enc_u32(&e, 0644); shm_enc_u32(&e, 0x803);
	end();
}

static void openat_pair(uint64_t tid, int64_t dirfd, const char *path, uint32_t flags, int64_t fd)
{
	begin(SHM_EV_SYSCALL_OPENAT_2_E, tid);
	shm_enc_s64(&e, dirfd); shm_enc_str(&e, path); shm_enc_u32(&e, flags); shm_enc_u32(&e, 0);
	end();
	begin(SHM_EV_SYSCALL_OPENAT_2_X, tid);
	shm_enc_s64(&e, fd); shm_enc_s64(&e, dirfd); shm_enc_str(&e, path);
	shm_enc_u32(&e, flags); shm_enc_u32(&e, 0); shm_enc_u32(&e, 0x803);
	end();
}

static void rw_pair(uint64_t tid, int write, int64_t fd, const char *data)
{
	begin(write ? SHM_EV_SYSCALL_WRITE_E : SHM_EV_SYSCALL_READ_E, tid);
	shm_enc_s64(&e, fd); shm_enc_u32(&e, (uint32_t)strlen(data));
	end();
	begin(write ? SHM_EV_SYSCALL_WRITE_X : SHM_EV_SYSCALL_READ_X, tid);
	shm_enc_s64(&e, (int64_t)strlen(data)); shm_enc_param(&e, data, (uint32_t)strlen(data));
	end();
}

static void close_pair(uint64_t tid, int64_t fd, int64_t res)
{
	begin(SHM_EV_SYSCALL_CLOSE_E, tid);
	shm_enc_s64(&e, fd);
	end();
	begin(SHM_EV_SYSCALL_CLOSE_X, tid);
	shm_enc_s64(&e, res);
	end();
}

static void fd_res_pair(uint16_t type_e, uint64_t tid, int64_t fd, int64_t res)
{
	begin(type_e, tid);
	shm_enc_s64(&e, fd);
	end();
	begin((uint16_t)(type_e + 1), tid);
	shm_enc_s64(&e, res);
	end();
}

static void chdir_pair(uint64_t tid, const char *path)
{
	begin(SHM_EV_SYSCALL_CHDIR_E, tid);
	end();
	begin(SHM_EV_SYSCALL_CHDIR_X, tid);
	shm_enc_s64(&e, 0); shm_enc_str(&e, path);
	end();
}

/* clone()'s exit as the driver writes it, for either side. */
static void clone_x(uint16_t type, uint64_t tid, int64_t res, const char *exe,
		    const char *const *argv, int64_t pid, int64_t ptid, const char *cwd,
		    const char *comm, uint32_t flags, uint32_t uid)
{
	begin(type, tid);
	shm_enc_s64(&e, res); shm_enc_str(&e, exe); args_buf(argv);
	shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, pid); shm_enc_s64(&e, ptid);
	shm_enc_str(&e, cwd); shm_enc_s64(&e, 1024); shm_enc_u64(&e, 0); shm_enc_u64(&e, 0);
	shm_enc_u32(&e, 1000); shm_enc_u32(&e, 100); shm_enc_u32(&e, 0); shm_enc_str(&e, comm);
	shm_enc_param(&e, "cpu=/\0", 6); shm_enc_u32(&e, flags); shm_enc_u32(&e, uid);
	shm_enc_u32(&e, uid); shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, pid);
	end();
}

static void fork_pair(uint64_t parent, uint64_t child, const char *exe, const char *const *argv,
		      int64_t ppid, int64_t pptid, const char *cwd, const char *comm,
		      uint32_t flags, int64_t child_pid, uint32_t uid)
{
	begin(SHM_EV_SYSCALL_CLONE_20_E, parent);
	end();
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, parent, (int64_t)child, exe, argv, ppid, pptid, cwd,
		comm, flags, uid);
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, child, 0, exe, argv, child_pid, (int64_t)parent, cwd,
		comm, flags, uid);
}

static void execve_pair(uint64_t tid, const char *filename, const char *exe,
			const char *const *argv, int64_t pid, int64_t ptid, const char *cwd,
			const char *comm, int64_t res)
{
	begin(SHM_EV_SYSCALL_EXECVE_19_E, tid);
	shm_enc_str(&e, filename);
	end();
	begin(SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&e, res); shm_enc_str(&e, exe); args_buf(argv);
	shm_enc_s64(&e, (int64_t)tid); shm_enc_s64(&e, pid); shm_enc_s64(&e, ptid);
	shm_enc_str(&e, cwd); shm_enc_u64(&e, 1024); shm_enc_u64(&e, 0); shm_enc_u64(&e, 0);
	shm_enc_u32(&e, 1000); shm_enc_u32(&e, 100); shm_enc_u32(&e, 0); shm_enc_str(&e, comm);
	shm_enc_param(&e, "cpu=/\0", 6); shm_enc_param(&e, "HOME=/root\0", 11);
	shm_enc_u32(&e, 34816); shm_enc_s64(&e, pid); shm_enc_u32(&e, 1000); shm_enc_u32(&e, 0);
	end();
}

static void procexit(uint64_t tid)
{
	begin(SHM_EV_PROCEXIT_1_E, tid);
	shm_enc_s64(&e, 0); shm_enc_s64(&e, 0); shm_enc_u8(&e, 0); shm_enc_u8(&e, 0);
	end();
}

static void socket_pair(uint64_t tid, uint32_t domain, uint32_t type, uint32_t proto, int64_t fd)
{
	begin(SHM_EV_SOCKET_SOCKET_E, tid);
	shm_enc_u32(&e, domain); shm_enc_u32(&e, type); shm_enc_u32(&e, proto);
	end();
	begin(SHM_EV_SOCKET_SOCKET_X, tid);
	shm_enc_s64(&e, fd);
	end();
}

static uint32_t ip4(const char *s)
{
	uint32_t a;
	inet_pton(AF_INET, s, &a);
	return a;
}

static void connect_pair(uint64_t tid, int64_t fd, const char *sip, uint16_t sport,
			 const char *dip, uint16_t dport, int64_t res)
{
	begin(SHM_EV_SOCKET_CONNECT_E, tid);
	shm_enc_s64(&e, fd); shm_enc_sockaddr_in(&e, ip4(dip), dport);
	end();
	begin(SHM_EV_SOCKET_CONNECT_X, tid);
	shm_enc_s64(&e, res); shm_enc_socktuple_in(&e, ip4(sip), sport, ip4(dip), dport);
	end();
}

static void generic_pair(uint64_t tid, uint16_t id, uint16_t native)
{
	begin(SHM_EV_GENERIC_E, tid);
	shm_enc_u16(&e, id); shm_enc_u16(&e, native);
	end();
	begin(SHM_EV_GENERIC_X, tid);
	shm_enc_u16(&e, id);
	end();
}

/* ---- metadata ---- */

/* udp6if: udp6 with an interface list, which libsinsp patches zero ends of
 * tuples from: an IPv4 interface first that holds none of the addresses
 * (so the subnet step shows), an IPv6 one whose first 64 bits are none of
 * the tuples' (the first-not-loopback step), one on fe80::/64 (subnet). */
static int with_ifaces;

static int write_ifaces(void)
{
	struct shm_scap_iface ifs[] = {
		{.ifname = "lo", .addr4 = htonl(0x7f000001), .netmask4 = htonl(0xff000000)},
		{.ifname = "eth1", .addr4 = htonl(0xc0a80709), .netmask4 = htonl(0xffffff00),
		 .bcast4 = htonl(0xc0a807ff)},
		{.ifname = "eth0", .addr4 = htonl(0x0a000005), .netmask4 = htonl(0xffffff00),
		 .bcast4 = htonl(0x0a0000ff)},
		{.ifname = "lo", .is_ipv6 = 1, .addr6 = {[15] = 1}},
		{.ifname = "eth0", .is_ipv6 = 1, .addr6 = {0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 5}},
		{.ifname = "eth0", .is_ipv6 = 1, .addr6 = {0xfe, 0x80, [15] = 9}},
	};
	return shm_scap_write_ifaces(w, ifs, sizeof(ifs) / sizeof(ifs[0]));
}

static void metadata(void)
{
	struct shm_scap_machine mi = {.num_cpus = 2, .memory_size_bytes = 1ull << 31,
				      .max_pid = 4194304, .hostname = "pdig-test"};
	static const char bash_args[] = "-l";
	static const char sshd_args[] = "-D";
	struct shm_scap_proc procs[] = {
		{.tid = 1, .pid = 1, .ptid = 0, .sid = 1, .vpgid = 1, .comm = "systemd",
		 .exe = "/sbin/init", .exepath = "/usr/lib/systemd/systemd", .args = "", .args_len = 0,
		 .cwd = "/", .root = "/", .fdlimit = 1024, .uid = 0, .gid = 0, .vtid = 1, .vpid = 1,
		 .loginuid = -1},
		{.tid = 500, .pid = 500, .ptid = 1, .sid = 500, .vpgid = 500, .comm = "sshd",
		 .exe = "/usr/sbin/sshd", .exepath = "/usr/sbin/sshd", .args = sshd_args,
		 .args_len = sizeof(sshd_args), .cwd = "/", .root = "/", .fdlimit = 1024, .uid = 0,
		 .gid = 0, .vtid = 500, .vpid = 500, .loginuid = -1},
		{.tid = 1000, .pid = 1000, .ptid = 500, .sid = 1000, .vpgid = 1000, .comm = "bash",
		 .exe = "-bash", .exepath = "/usr/bin/bash", .args = bash_args,
		 .args_len = sizeof(bash_args), .cwd = "/home/alice", .root = "/", .fdlimit = 1024,
		 .uid = 1000, .gid = 1000, .vtid = 1000, .vpid = 1000, .loginuid = 1000, .tty = 34816},
	};
	struct shm_scap_fd fds[] = {
		{.fd = 0, .type = SHM_SCAP_FD_FILE_V2, .name = "/dev/pts/0", .open_flags = 3},
		{.fd = 1, .type = SHM_SCAP_FD_FILE_V2, .name = "/dev/pts/0", .open_flags = 3},
		{.fd = 2, .type = SHM_SCAP_FD_FILE_V2, .name = "/dev/pts/0", .open_flags = 3},
		{.fd = 255, .type = SHM_SCAP_FD_FILE_V2, .name = "/dev/pts/0", .open_flags = 3},
	};
	struct shm_scap_user users[] = {
		{.uid = 0, .gid = 0, .name = "root", .homedir = "/root", .shell = "/bin/bash"},
		{.uid = 1000, .gid = 1000, .name = "alice", .homedir = "/home/alice",
		 .shell = "/bin/bash"},
	};
	struct shm_scap_group groups[] = {{.gid = 0, .name = "root"}, {.gid = 1000, .name = "alice"}};
	if (shm_scap_write_machine(w, &mi) ||
	    (with_ifaces && write_ifaces()) ||
	    shm_scap_write_procs(w, procs, sizeof(procs) / sizeof(procs[0])) ||
	    shm_scap_write_fds(w, 1000, fds, sizeof(fds) / sizeof(fds[0])) ||
	    shm_scap_write_users(w, users, 2, groups, 2)) {
		fprintf(stderr, "gen_capture: %s\n", shm_scap_writer_error(w));
		exit(1);
	}
}

/* ---- scenarios ---- */

#define O_RD 1u
#define O_WR 2u
#define O_CREAT_ (1u << 2)
#define O_TRUNC_ (1u << 8)
#define O_DIR (1u << 10)
#define O_CLOEXEC_ (1u << 12)

static void files(void)
{
	open_pair(1000, "/etc/passwd", O_RD, 3);
	rw_pair(1000, 0, 3, "root:x:0:0");
	close_pair(1000, 3, 0);
	open_pair(1000, "notes.txt", O_WR | O_CREAT_ | O_TRUNC_, 3);
	rw_pair(1000, 1, 3, "hello");
	open_pair(1000, "/nonexistent/file", O_RD, -2);
	open_pair(1000, "../bob/.ssh/id_rsa", O_RD, -13);
	openat_pair(1000, -100, "docs/a.txt", O_RD | O_CLOEXEC_, 4);
	openat_pair(1000, -100, "/tmp", O_RD | O_DIR, 5);
	openat_pair(1000, 5, "x/../y.log", O_RD | O_WR | O_CREAT_, 6);
	fd_res_pair(SHM_EV_SYSCALL_DUP_E, 1000, 6, 7);
	rw_pair(1000, 1, 7, "via dup");
	chdir_pair(1000, "/var/log");
	open_pair(1000, "syslog", O_RD, 8);
	fd_res_pair(SHM_EV_SYSCALL_FCHDIR_E, 1000, 5, 0);
	open_pair(1000, "./z", O_WR | O_CREAT_, 9);
	generic_pair(1000, 39, 39);
	close_pair(1000, 4, 0);
	close_pair(1000, 4, -9);
	rw_pair(1000, 0, 4, "after close");
	close_pair(1000, 6, 0);
	close_pair(1000, 7, 0);
	rw_pair(1000, 0, 0, "tty");
}

static void procs(void)
{
	static const char *const bash_argv[] = {"-l", NULL};
	static const char *const ls_argv[] = {"-la", "/tmp", NULL};
	static const char *const sh_argv[] = {"-c", "cat /etc/shadow", NULL};
	static const char *const cat_argv[] = {"/etc/shadow", NULL};
	/* bash forks a child that runs ls */
	fork_pair(1000, 1001, "-bash", bash_argv, 1000, 500, "/home/alice", "bash", 0, 1001, 1000);
	execve_pair(1001, "/bin/ls", "ls", ls_argv, 1001, 1000, "/home/alice", "ls", 0);
	open_pair(1001, "/tmp", O_RD | O_DIR, 3);
	procexit(1001);
	open_pair(1000, "/etc/hosts", O_RD, 3);
	/* a failed execve keeps the old program */
	fork_pair(1000, 1002, "-bash", bash_argv, 1000, 500, "/home/alice", "bash", 0, 1002, 1000);
	execve_pair(1002, "/nope", "/nope", ls_argv, 1002, 1000, "/home/alice", "bash", -2);
	execve_pair(1002, "/bin/sh", "sh", sh_argv, 1002, 1000, "/home/alice", "sh", 0);
	/* the child's clone exit comes first this time */
	begin(SHM_EV_SYSCALL_CLONE_20_E, 1002);
	end();
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 1003, 0, "sh", sh_argv, 1003, 1002, "/home/alice", "sh",
		0, 1000);
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 1002, 1003, "sh", sh_argv, 1002, 1000, "/home/alice",
		"sh", 0, 1000);
	execve_pair(1003, "/usr/bin/cat", "cat", cat_argv, 1003, 1002, "/home/alice", "cat", 0);
	begin(SHM_EV_SYSCALL_SETUID_E, 1003);
	shm_enc_u32(&e, 0);
	end();
	begin(SHM_EV_SYSCALL_SETUID_X, 1003);
	shm_enc_s64(&e, 0);
	end();
	open_pair(1003, "/etc/shadow", O_RD, 3);
	rw_pair(1003, 0, 3, "root:*:19000");
	/* a thread of cat shares its fds */
	begin(SHM_EV_SYSCALL_CLONE_20_E, 1003);
	end();
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 1003, 1004, "cat", cat_argv, 1003, 1002, "/home/alice",
		"cat", 1u << 13 | 1u << 0, 0);
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 1004, 0, "cat", cat_argv, 1003, 1002, "/home/alice",
		"cat", 1u << 13 | 1u << 0, 0);
	rw_pair(1004, 0, 3, "from the thread");
	procexit(1004);
	procexit(1003);
	procexit(1002);
	rw_pair(1000, 0, 3, "hosts");
}

static void net(void)
{
	socket_pair(1000, 2, 1, 0, 3);
	connect_pair(1000, 3, "10.0.0.5", 40000, "93.184.216.34", 80, 0);
	rw_pair(1000, 1, 3, "GET / HTTP/1.0");
	close_pair(1000, 3, 0);
	socket_pair(1000, 2, 2, 17, 4);
	connect_pair(1000, 4, "10.0.0.5", 50000, "8.8.8.8", 53, 0);
	rw_pair(1000, 1, 4, "dns?");
	socket_pair(1000, 2, 1, 0, 5);
	connect_pair(1000, 5, "10.0.0.5", 40001, "10.0.0.9", 443, -111);
	/* sshd listens and accepts */
	socket_pair(500, 2, 1, 6, 3);
	begin(SHM_EV_SOCKET_BIND_E, 500);
	shm_enc_s64(&e, 3);
	end();
	begin(SHM_EV_SOCKET_BIND_X, 500);
	shm_enc_s64(&e, 0); shm_enc_sockaddr_in(&e, ip4("0.0.0.0"), 22);
	end();
	begin(SHM_EV_SOCKET_ACCEPT_5_E, 500);
	end();
	begin(SHM_EV_SOCKET_ACCEPT_5_X, 500);
	shm_enc_s64(&e, 4); shm_enc_socktuple_in(&e, ip4("192.168.1.7"), 51000, ip4("10.0.0.5"), 22);
	shm_enc_u8(&e, 0); shm_enc_u32(&e, 0); shm_enc_u32(&e, 128);
	end();
	rw_pair(500, 0, 4, "SSH-2.0");
	/* a pipe */
	begin(SHM_EV_SYSCALL_PIPE_E, 1000);
	end();
	begin(SHM_EV_SYSCALL_PIPE_X, 1000);
	shm_enc_s64(&e, 0); shm_enc_s64(&e, 6); shm_enc_s64(&e, 7); shm_enc_u64(&e, 12345);
	end();
	rw_pair(1000, 1, 7, "through the pipe");
	rw_pair(1000, 0, 6, "through the pipe");
}

/* Less common fd kinds, IPv6 and unix sockets, fcntl dups, creat. */
static void misc(void)
{
	static const uint8_t lo6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
	static const uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7};
	socket_pair(1000, 10, 1, 0, 3);
	begin(SHM_EV_SOCKET_CONNECT_E, 1000);
	shm_enc_s64(&e, 3); shm_enc_sockaddr_in6(&e, a6, 443);
	end();
	begin(SHM_EV_SOCKET_CONNECT_X, 1000);
	shm_enc_s64(&e, 0); shm_enc_socktuple_in6(&e, lo6, 41000, a6, 443);
	end();
	rw_pair(1000, 1, 3, "v6 hello");
	socket_pair(1000, 1, 1, 0, 4);
	begin(SHM_EV_SOCKET_CONNECT_E, 1000);
	shm_enc_s64(&e, 4); shm_enc_sockaddr_un(&e, "/run/dbus/system_bus_socket");
	end();
	begin(SHM_EV_SOCKET_CONNECT_X, 1000);
	shm_enc_s64(&e, 0);
	shm_enc_socktuple_un(&e, 0xffff9a0011223344ull, 0xffff9a0055667788ull,
			     "/run/dbus/system_bus_socket");
	end();
	rw_pair(1000, 1, 4, "dbus");
	begin(SHM_EV_SOCKET_SOCKETPAIR_E, 1000);
	shm_enc_u32(&e, 1); shm_enc_u32(&e, 1); shm_enc_u32(&e, 0);
	end();
	begin(SHM_EV_SOCKET_SOCKETPAIR_X, 1000);
	shm_enc_s64(&e, 0); shm_enc_s64(&e, 5); shm_enc_s64(&e, 6);
	shm_enc_u64(&e, 0xffff9a00aaaa0000ull); shm_enc_u64(&e, 0xffff9a00bbbb0000ull);
	end();
	rw_pair(1000, 1, 5, "pair");
	begin(SHM_EV_SYSCALL_EVENTFD_E, 1000);
	shm_enc_u64(&e, 0); shm_enc_u32(&e, 0);
	end();
	begin(SHM_EV_SYSCALL_EVENTFD_X, 1000);
	shm_enc_s64(&e, 7);
	end();
	rw_pair(1000, 0, 7, "12345678");
	begin(SHM_EV_SYSCALL_FCNTL_E, 1000);
	shm_enc_s64(&e, 7); shm_enc_u8(&e, 1);
	end();
	begin(SHM_EV_SYSCALL_FCNTL_X, 1000);
	shm_enc_s64(&e, 10);
	end();
	rw_pair(1000, 0, 10, "dupfd");
	begin(SHM_EV_SYSCALL_CREAT_E, 1000);
	shm_enc_str(&e, "out.log"); shm_enc_u32(&e, 0644);
	end();
	begin(SHM_EV_SYSCALL_CREAT_X, 1000);
	shm_enc_s64(&e, 11); shm_enc_str(&e, "out.log"); shm_enc_u32(&e, 0644); shm_enc_u32(&e, 0x803);
	end();
	rw_pair(1000, 1, 11, "log");
	begin(SHM_EV_SYSCALL_INOTIFY_INIT_E, 1000);
	shm_enc_u8(&e, 0);
	end();
	begin(SHM_EV_SYSCALL_INOTIFY_INIT_X, 1000);
	shm_enc_s64(&e, 12);
	end();
	rw_pair(1000, 0, 12, "ev");
	/* a file created executable */
	begin(SHM_EV_SYSCALL_OPENAT_2_E, 1000);
	shm_enc_s64(&e, -100); shm_enc_str(&e, "run.sh"); shm_enc_u32(&e, O_WR | O_CREAT_);
	shm_enc_u32(&e, 0755);
	end();
	begin(SHM_EV_SYSCALL_OPENAT_2_X, 1000);
	shm_enc_s64(&e, 13); shm_enc_s64(&e, -100); shm_enc_str(&e, "run.sh");
	shm_enc_u32(&e, O_WR | O_CREAT_); shm_enc_u32(&e, 0755); shm_enc_u32(&e, 0x803);
	end();
	close_pair(1000, 10, 0);
	rw_pair(1000, 0, 10, "closed");
	rw_pair(1000, 0, 7, "still open");
}

/* Path joins at their edges: a cwd from the process list without its
 * trailing '/', dirfds of directories, "." and ".." everywhere, climbing
 * above the root and above a name that is not a path, odd dots. */
static void paths(void)
{
	static const char *const odd[] = {
		"x./y", "...", "a//b/", "../../../../etc/x", ".hidden/../z", "./", ".",
		"..", "/abs/./x/../y", "//etc//passwd", "a/..", "b/../../..", "..x/y..",
		"d\xc5\x91/\x01" "f", "x/./../y/.", NULL,
	};
	int64_t fd = 3;
	for (int i = 0; odd[i]; i++) {
		open_pair(1000, odd[i], O_RD, fd);
		close_pair(1000, fd, 0);
	}
	/* dirfds: a directory, the root, a name ending in '/', an unknown fd */
	openat_pair(1000, -100, "/tmp", O_RD | O_DIR, 5);
	openat_pair(1000, -100, "/", O_RD | O_DIR, 6);
	openat_pair(1000, -100, "/var/", O_RD | O_DIR, 7);
	for (int i = 0; odd[i]; i++) {
		for (int64_t dirfd = 5; dirfd <= 8; dirfd++) {
			int64_t dfd = dirfd == 8 ? 99 : dirfd;
			openat_pair(1000, dfd, odd[i], O_RD, 10);
			close_pair(1000, 10, 0);
		}
	}
	/* chdir: relative, climbing, above the root; then relative opens */
	static const char *const dirs[] = {"sub/../other/", "../..", "../../../..", "/usr//lib/",
					   "./x/./", "y/..", NULL};
	for (int i = 0; dirs[i]; i++) {
		chdir_pair(1000, dirs[i]);
		open_pair(1000, "f", O_RD, 11);
		open_pair(1000, "../g", O_RD, 12);
		close_pair(1000, 11, 0);
		close_pair(1000, 12, 0);
	}
	/* fchdir to the directory fds */
	for (int64_t dirfd = 5; dirfd <= 7; dirfd++) {
		fd_res_pair(SHM_EV_SYSCALL_FCHDIR_E, 1000, dirfd, 0);
		open_pair(1000, "h", O_RD, 13);
		open_pair(1000, "../i", O_RD, 14);
		close_pair(1000, 13, 0);
		close_pair(1000, 14, 0);
	}
}

static void sendto_pair(uint64_t tid, int64_t fd, const char *sip, uint16_t sport,
			const char *dip, uint16_t dport, const char *data)
{
	begin(SHM_EV_SOCKET_SENDTO_E, tid);
	shm_enc_s64(&e, fd); shm_enc_u32(&e, (uint32_t)strlen(data));
	shm_enc_socktuple_in(&e, ip4(sip), sport, ip4(dip), dport);
	end();
	begin(SHM_EV_SOCKET_SENDTO_X, tid);
	shm_enc_s64(&e, (int64_t)strlen(data)); shm_enc_param(&e, data, (uint32_t)strlen(data));
	end();
}

/* A close racing the reuse of its fd by another thread of the process: the
 * close enters, the other thread's socket/open returns that same number,
 * then the close exits (as pdig records a python server thread and client
 * thread). */
static void race(void)
{
	static const char *const py_argv[] = {"srv.py", NULL};
	fork_pair(1000, 3000, "python3", py_argv, 1000, 500, "/home/alice", "python3", 0, 3000,
		  1000);
	begin(SHM_EV_SYSCALL_CLONE_20_E, 3000);
	end();
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 3000, 3001, "python3", py_argv, 3000, 1000,
		"/home/alice", "python3", 1u << 13 | 1u << 0, 1000);
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 3001, 0, "python3", py_argv, 3000, 1000,
		"/home/alice", "python3", 1u << 13 | 1u << 0, 1000);
	/* a file fd 5 closed while the other thread's socket gets fd 5 */
	open_pair(3000, "/tmp/data", O_RD, 5);
	begin(SHM_EV_SYSCALL_CLOSE_E, 3000);
	shm_enc_s64(&e, 5);
	end();
	socket_pair(3001, 2, 2, 17, 5);
	begin(SHM_EV_SYSCALL_CLOSE_X, 3000);
	shm_enc_s64(&e, 0);
	end();
	sendto_pair(3001, 5, "127.0.0.1", 41000, "127.0.0.1", 9999, "ping");
	rw_pair(3001, 0, 5, "pong");
	rw_pair(3000, 0, 5, "pong");
	close_pair(3001, 5, 0);
	rw_pair(3000, 0, 5, "gone");
	/* the same with a tcp socket that connects, and an open */
	socket_pair(3000, 2, 1, 0, 6);
	begin(SHM_EV_SYSCALL_CLOSE_E, 3000);
	shm_enc_s64(&e, 6);
	end();
	open_pair(3001, "/etc/hosts", O_RD, 6);
	begin(SHM_EV_SYSCALL_CLOSE_X, 3000);
	shm_enc_s64(&e, 0);
	end();
	rw_pair(3001, 0, 6, "127.0.0.1 localhost");
	begin(SHM_EV_SYSCALL_CLOSE_E, 3001);
	shm_enc_s64(&e, 6);
	end();
	socket_pair(3000, 2, 1, 0, 6);
	begin(SHM_EV_SYSCALL_CLOSE_X, 3001);
	shm_enc_s64(&e, 0);
	end();
	connect_pair(3000, 6, "127.0.0.1", 42000, "127.0.0.1", 8080, 0);
	rw_pair(3000, 1, 6, "GET /");
	/* a close that fails while the number is reused */
	begin(SHM_EV_SYSCALL_CLOSE_E, 3001);
	shm_enc_s64(&e, 6);
	end();
	open_pair(3000, "/etc/passwd", O_RD, 6);
	begin(SHM_EV_SYSCALL_CLOSE_X, 3001);
	shm_enc_s64(&e, -9);
	end();
	rw_pair(3000, 0, 6, "root");
	/* and a close whose enter is followed by the reuse then a second close */
	begin(SHM_EV_SYSCALL_CLOSE_E, 3000);
	shm_enc_s64(&e, 6);
	end();
	open_pair(3001, "/etc/group", O_RD, 6);
	begin(SHM_EV_SYSCALL_CLOSE_X, 3000);
	shm_enc_s64(&e, 0);
	end();
	close_pair(3001, 6, 0);
	rw_pair(3000, 0, 6, "after both");
	procexit(3001);
	procexit(3000);
}

static void tuple6_param(const uint8_t *sa, uint16_t sport, const uint8_t *da, uint16_t dport)
{
	shm_enc_socktuple_in6(&e, sa, sport, da, dport);
}

static void sendto6(uint64_t tid, int64_t fd, const uint8_t *sa, uint16_t sport,
		    const uint8_t *da, uint16_t dport, int64_t res)
{
	begin(SHM_EV_SOCKET_SENDTO_E, tid);
	shm_enc_s64(&e, fd); shm_enc_u32(&e, 4); tuple6_param(sa, sport, da, dport);
	end();
	begin(SHM_EV_SOCKET_SENDTO_X, tid);
	shm_enc_s64(&e, res); shm_enc_param(&e, "ping", 4);
	end();
}

static void recvfrom6(uint64_t tid, int64_t fd, const uint8_t *sa, uint16_t sport,
		      const uint8_t *da, uint16_t dport)
{
	begin(SHM_EV_SOCKET_RECVFROM_E, tid);
	shm_enc_s64(&e, fd); shm_enc_u32(&e, 64);
	end();
	begin(SHM_EV_SOCKET_RECVFROM_X, tid);
	shm_enc_s64(&e, 4); shm_enc_param(&e, "pong", 4); tuple6_param(sa, sport, da, dport);
	end();
}

static void sendmsg6(uint64_t tid, int64_t fd, const uint8_t *sa, uint16_t sport,
		     const uint8_t *da, uint16_t dport)
{
	begin(SHM_EV_SOCKET_SENDMSG_E, tid);
	shm_enc_s64(&e, fd); shm_enc_u32(&e, 3); tuple6_param(sa, sport, da, dport);
	end();
	begin(SHM_EV_SOCKET_SENDMSG_X, tid);
	shm_enc_s64(&e, 3); shm_enc_param(&e, "msg", 3);
	end();
}

static void recvmsg6(uint64_t tid, int64_t fd, const uint8_t *sa, uint16_t sport,
		     const uint8_t *da, uint16_t dport)
{
	begin(SHM_EV_SOCKET_RECVMSG_E, tid);
	shm_enc_s64(&e, fd);
	end();
	begin(SHM_EV_SOCKET_RECVMSG_X, tid);
	shm_enc_s64(&e, 3); shm_enc_u32(&e, 64); shm_enc_param(&e, "msg", 3);
	tuple6_param(sa, sport, da, dport);
	end();
}

static void bind6(uint64_t tid, int64_t fd, const uint8_t *a, uint16_t port)
{
	begin(SHM_EV_SOCKET_BIND_E, tid);
	shm_enc_s64(&e, fd);
	end();
	begin(SHM_EV_SOCKET_BIND_X, tid);
	shm_enc_s64(&e, 0); shm_enc_sockaddr_in6(&e, a, port);
	end();
}

/* Unconnected IPv6 UDP sockets, as python's sendto/recvfrom on AF_INET6
 * make them: a server bound to a port, a client that never binds (its
 * first tuple's source is ::, port 0), replies from another peer, tuples
 * of IPv4-mapped and all-zero addresses (then a plain IPv6 one on the
 * socket they made IPv4), a sendto on an fd never seen, a failed sendto;
 * then IPv4 sockets whose addresses stay 0.0.0.0. */
static void udp6(void)
{
	static const uint8_t any[16] = {0};
	static const uint8_t lo[16] = {[15] = 1};
	static const uint8_t p7[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 7};
	static const uint8_t p8[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 8};
	static const uint8_t ll1[16] = {0xfe, 0x80, [15] = 1};
	static const uint8_t ll2[16] = {0xfe, 0x80, [15] = 2};
	static const uint8_t m2[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 2};
	static const uint8_t m1[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, 1};
	/* a server bound to [::1]:5353 */
	socket_pair(1000, 10, 2, 0, 3);
	bind6(1000, 3, lo, 5353);
	recvfrom6(1000, 3, p7, 40000, lo, 5353);
	sendto6(1000, 3, lo, 5353, p7, 40000, 4);
	recvfrom6(1000, 3, p8, 40001, lo, 5353);
	sendto6(1000, 3, lo, 5353, p8, 40001, 4);
	recvmsg6(1000, 3, p7, 40000, lo, 5353);
	/* a client that never binds */
	socket_pair(1000, 10, 2, 0, 4);
	sendto6(1000, 4, any, 0, p7, 53, 4);
	recvfrom6(1000, 4, p7, 53, any, 41000);
	sendmsg6(1000, 4, any, 41000, p8, 53);
	recvfrom6(1000, 4, p8, 53, lo, 41000);
	sendto6(1000, 4, lo, 41000, p8, 53, -111);
	/* IPv4-mapped tuples on an IPv6 socket, and an all-zero source */
	socket_pair(1000, 10, 2, 0, 5);
	sendto6(1000, 5, any, 0, m2, 53, 4);
	recvfrom6(1000, 5, m2, 53, m1, 41001);
	/* a socket bound to [::]:0 that reads first */
	socket_pair(1000, 10, 2, 17, 6);
	bind6(1000, 6, any, 0);
	recvfrom6(1000, 6, ll1, 5000, ll2, 6000);
	sendto6(1000, 6, ll2, 6000, ll1, 5000, 4);
	/* sendto on an fd never seen: a socket of the tuple's family */
	sendto6(1000, 7, ll2, 6001, ll1, 5001, 4);
	rw_pair(1000, 0, 7, "more");
	/* a plain IPv6 tuple, then a mapped one, on the same socket */
	socket_pair(1000, 10, 2, 0, 8);
	sendto6(1000, 8, any, 0, p7, 123, 4);
	sendto6(1000, 8, any, 0, m2, 123, 4);
	recvfrom6(1000, 8, m2, 123, m1, 41002);
	/* and a plain IPv6 tuple again on it, now an IPv4 socket */
	sendto6(1000, 8, lo, 41002, p7, 123, 4);
	recvfrom6(1000, 8, p8, 123, lo, 41002);
	/* IPv4 sockets whose addresses stay zero */
	socket_pair(1000, 2, 2, 0, 9);
	sendto_pair(1000, 9, "0.0.0.0", 0, "0.0.0.0", 0, "zero");
	socket_pair(1000, 2, 2, 0, 10);
	begin(SHM_EV_SOCKET_BIND_E, 1000);
	shm_enc_s64(&e, 10);
	end();
	begin(SHM_EV_SOCKET_BIND_X, 1000);
	shm_enc_s64(&e, 0); shm_enc_sockaddr_in(&e, 0, 8125);
	end();
	rw_pair(1000, 0, 10, "stat");
	procexit(1000);
}

/* Lost and damaged input that sysdig and pdig-engine must read alike. */
static void lost(void)
{
	/* an fd never opened */
	rw_pair(1000, 0, 77, "ghost");
	/* time going backwards */
	ts -= 1000000;
	open_pair(1000, "/etc/group", O_RD, 10);
	/* an unknown user */
	begin(SHM_EV_SYSCALL_SETUID_E, 1000);
	shm_enc_u32(&e, 31337);
	end();
	begin(SHM_EV_SYSCALL_SETUID_X, 1000);
	shm_enc_s64(&e, 0);
	end();
	open_pair(1000, "/etc/issue", O_RD, 11);
	/* an exit without its enter: it must not close fd 11 */
	begin(SHM_EV_SYSCALL_CLOSE_X, 1000);
	shm_enc_s64(&e, 0);
	end();
	rw_pair(1000, 0, 11, "end");
	/* an enter without its exit, then another syscall */
	begin(SHM_EV_SYSCALL_OPEN_E, 1000);
	shm_enc_str(&e, "/never/returned"); shm_enc_u32(&e, O_RD); shm_enc_u32(&e, 0);
	end();
	rw_pair(1000, 0, 10, "group");
}

/* A thread never seen (no process-list entry, no clone): sysdig makes up
 * values for it, pdig-engine says "not available" (DIFFERENCES.md). */
static void unknown(void)
{
	open_pair(4242, "/etc/motd", O_RD, 3);
	rw_pair(4242, 0, 3, "motd");
	procexit(9999);
	rw_pair(1000, 0, 0, "tty");
}

/* Empty parameter values: sysdig shows stale bytes for them. */
static void empty(void)
{
	begin(SHM_EV_SYSCALL_OPEN_E, 1000);
	shm_enc_empty(&e); shm_enc_u32(&e, 1); shm_enc_u32(&e, 0);
	end();
	begin(SHM_EV_SYSCALL_OPEN_X, 1000);
	shm_enc_s64(&e, 9); shm_enc_empty(&e); shm_enc_u32(&e, 1); shm_enc_u32(&e, 0);
	shm_enc_u32(&e, 0);
	end();
	rw_pair(1000, 0, 9, "x");
}

/* A long, busy capture for timing: shells that fork, exec and do I/O. */
static void big(long n)
{
	static const char *const argv_[] = {"-c", "true", NULL};
	static const char *const paths[] = {"/etc/passwd", "/usr/lib/x86_64-linux-gnu/libc.so.6",
					    "/tmp/work.dat", "/etc/ld.so.cache", "/proc/self/stat"};
	for (long i = 0; i < n; i++) {
		uint64_t child = 2000 + (uint64_t)(i % 50000);
		fork_pair(1000, child, "-bash", argv_, 1000, 500, "/home/alice", "bash", 0,
			  (int64_t)child, 1000);
		execve_pair(child, "/usr/bin/cat", "cat", argv_, (int64_t)child, 1000, "/home/alice",
			    "cat", 0);
		for (int k = 0; k < 5; k++) {
			open_pair(child, paths[(i + k) % 5], O_RD, 3);
			for (int r = 0; r < 4; r++)
				rw_pair(child, r & 1, 3, "some data here");
			close_pair(child, 3, 0);
		}
		procexit(child);
	}
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_capture files|procs|net|misc|lost|paths|race|udp6|udp6if|unknown|empty|bigN OUT.scap\n");
		return 2;
	}
	if (shm_scap_writer_new(&w, argv[2])) {
		fprintf(stderr, "gen_capture: cannot create %s\n", argv[2]);
		return 1;
	}
	with_ifaces = !strcmp(argv[1], "udp6if");
	metadata();
	if (!strcmp(argv[1], "files"))
		files();
	else if (!strcmp(argv[1], "procs"))
		procs();
	else if (!strcmp(argv[1], "net"))
		net();
	else if (!strcmp(argv[1], "misc"))
		misc();
	else if (!strcmp(argv[1], "lost"))
		lost();
	else if (!strcmp(argv[1], "paths"))
		paths();
	else if (!strcmp(argv[1], "race"))
		race();
	else if (!strcmp(argv[1], "udp6") || !strcmp(argv[1], "udp6if"))
		udp6();
	else if (!strcmp(argv[1], "unknown"))
		unknown();
	else if (!strcmp(argv[1], "empty"))
		empty();
	else if (!strncmp(argv[1], "big", 3))
		big(atol(argv[1] + 3) > 0 ? atol(argv[1] + 3) : 1000);
	else {
		fprintf(stderr, "gen_capture: unknown scenario '%s'\n", argv[1]);
		return 2;
	}
	int rc = shm_scap_writer_free(w);
	if (rc) {
		fprintf(stderr, "gen_capture: writing %s failed (%d)\n", argv[2], rc);
		return 1;
	}
	return 0;
}
