/* The shared sample capture (see scap_sample.h). */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scap_sample.h"

#define TS0 1700000000000000000ull
#define LOOPBACK 0x0100007fu /* 127.0.0.1 in network order, read as a host u32 */

const struct shm_scap_machine sample_machine = {
	.num_cpus = 2, .memory_size_bytes = 4ull << 30, .max_pid = 4194304,
	.hostname = "pdig-test-host"};

static const char bash_args[] = "-l";
static const char bash_env[] = "HOME=/root\0TERM=xterm\0";
static const char cgroups[] = "cpu=/user.slice\0memory=/user.slice\0";

const struct shm_scap_proc sample_procs[] = {
	{.tid = 1, .pid = 1, .ptid = 0, .sid = 1, .vpgid = 1, .comm = "systemd",
	 .exe = "/sbin/init", .exepath = "/usr/lib/systemd/systemd", .args = "", .args_len = 0,
	 .env = "", .env_len = 0, .cwd = "/", .cgroups = "", .cgroups_len = 0, .root = "/",
	 .fdlimit = 1024, .flags = 0, .uid = 0, .gid = 0, .vmsize_kb = 10000, .vmrss_kb = 5000,
	 .pfmajor = 10, .pfminor = 20, .vtid = 1, .vpid = 1, .loginuid = -1},
	{.tid = SAMPLE_BASH_PID, .pid = SAMPLE_BASH_PID, .ptid = 1, .sid = 100, .vpgid = 100,
	 .comm = "bash", .exe = "-bash", .exepath = "/usr/bin/bash", .args = bash_args,
	 .args_len = sizeof bash_args, .env = bash_env, .env_len = sizeof bash_env - 1,
	 .cwd = "/root/", .cgroups = cgroups, .cgroups_len = sizeof cgroups - 1, .root = "/",
	 .fdlimit = 1024, .flags = 0, .uid = 4711, .gid = 4711, .vmsize_kb = 8000, .vmrss_kb = 4000,
	 .vmswap_kb = 1, .pfmajor = 3, .pfminor = 400, .vtid = 100, .vpid = 100,
	 .loginuid = 0, .exe_writable = 1},
};
const size_t sample_nprocs = sizeof sample_procs / sizeof sample_procs[0];

const struct shm_scap_fd sample_fds[] = {
	{.fd = 0, .ino = 3, .type = SHM_SCAP_FD_FILE_V2, .open_flags = 3 /* PPM_O_RDWR */,
	 .dev = 0x88, .name = "/dev/pts/0"},
	{.fd = 1, .ino = 3, .type = SHM_SCAP_FD_FILE_V2, .open_flags = 3, .dev = 0x88,
	 .name = "/dev/pts/0"},
	{.fd = 2, .ino = 3, .type = SHM_SCAP_FD_FILE_V2, .open_flags = 3, .dev = 0x88,
	 .name = "/dev/pts/0"},
	{.fd = 5, .ino = 900, .type = SHM_SCAP_FD_DIRECTORY, .name = "/root"},
	{.fd = 6, .ino = 901, .type = SHM_SCAP_FD_IPV4_SOCK, .sip = {LOOPBACK},
	 .dip = {LOOPBACK}, .sport = 50000, .dport = 22, .l4proto = 2 /* TCP */},
	{.fd = 7, .ino = 902, .type = SHM_SCAP_FD_IPV4_SERVSOCK, .sip = {0}, .sport = 8080,
	 .l4proto = 2},
	{.fd = 8, .ino = 903, .type = SHM_SCAP_FD_IPV6_SOCK,
	 .sip = {0, 0, 0, 0x01000000u}, .dip = {0, 0, 0, 0x01000000u}, .sport = 40001,
	 .dport = 443, .l4proto = 2},
	{.fd = 9, .ino = 904, .type = SHM_SCAP_FD_UNIX_SOCK, .source = 0xffff888000001000ull,
	 .dest = 0xffff888000002000ull, .name = "/run/systemd/journal/stdout"},
	{.fd = 10, .ino = 905, .type = SHM_SCAP_FD_FIFO, .name = "pipe:[905]"},
	{.fd = 11, .ino = 906, .type = SHM_SCAP_FD_EVENTPOLL, .name = ""},
	{.fd = 12, .ino = 907, .type = SHM_SCAP_FD_IPV6_SERVSOCK, .sip = {0, 0, 0, 0},
	 .sport = 8443, .l4proto = 2},
};
const size_t sample_nfds = sizeof sample_fds / sizeof sample_fds[0];

const struct shm_scap_user sample_users[] = {
	{.uid = 0, .gid = 0, .name = "root", .homedir = "/root", .shell = "/bin/bash"},
	{.uid = 4711, .gid = 4711, .name = "alice", .homedir = "/home/alice",
	 .shell = "/bin/zsh"},
};
const size_t sample_nusers = sizeof sample_users / sizeof sample_users[0];

const struct shm_scap_group sample_groups[] = {
	{.gid = 0, .name = "root"},
	{.gid = 4711, .name = "alice"},
};
const size_t sample_ngroups = sizeof sample_groups / sizeof sample_groups[0];

const struct shm_scap_iface sample_ifaces[] = {
	{.is_ipv6 = 0, .addr4 = LOOPBACK, .netmask4 = 0x000000ffu, .bcast4 = LOOPBACK,
	 .linkspeed = 0, .ifname = "lo"},
	{.is_ipv6 = 0, .addr4 = 0x0f02000au /* 10.0.2.15 */, .netmask4 = 0x00ffffffu,
	 .bcast4 = 0xff02000au, .linkspeed = 1000, .ifname = "eth0"},
	{.is_ipv6 = 1, .addr6 = {[15] = 1}, .netmask6 = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, .linkspeed = 0,
	 .ifname = "lo"},
};
const size_t sample_nifaces = sizeof sample_ifaces / sizeof sample_ifaces[0];

struct ctx {
	struct shm_scap_writer *w;
	uint8_t buf[8192];
	struct shm_enc e;
	uint64_t ts;
	uint16_t cpu;
	int n;
	int err;
	sample_event_cb cb;
	void *arg;
};

static void begin(struct ctx *c, uint16_t type, uint64_t tid)
{
	c->ts += 1000;
	shm_enc_begin(&c->e, c->buf, sizeof c->buf, type, c->ts, tid);
}

static void end(struct ctx *c, uint32_t flags)
{
	int len = shm_enc_end(&c->e);
	if (c->err)
		return;
	if (len < 0) {
		c->err = len;
		fprintf(stderr, "sample: encoding event %d failed: %s\n", c->n, strerror(-len));
		return;
	}
	int rc = shm_scap_write_event(c->w, c->cpu, flags, c->buf, (uint32_t)len);
	if (rc)
		c->err = rc;
	else if (c->cb)
		c->cb(c->arg, c->cpu, flags, c->buf, (uint32_t)len);
	c->n++;
}

static void exec_exit(struct ctx *c, uint64_t tid)
{
	static const char args[] = "/etc/passwd";
	static const char env[] = "HOME=/root\0TERM=xterm\0";
	begin(c, SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&c->e, 0);
	shm_enc_str(&c->e, "/usr/bin/cat");
	shm_enc_param(&c->e, args, sizeof args);
	shm_enc_s64(&c->e, (int64_t)tid);
	shm_enc_s64(&c->e, (int64_t)tid);
	shm_enc_s64(&c->e, SAMPLE_BASH_PID);
	shm_enc_str(&c->e, "/root/");
	shm_enc_u64(&c->e, 1024);
	shm_enc_u64(&c->e, 0);
	shm_enc_u64(&c->e, 55);
	shm_enc_u32(&c->e, 5000);
	shm_enc_u32(&c->e, 800);
	shm_enc_u32(&c->e, 0);
	shm_enc_str(&c->e, "cat");
	shm_enc_param(&c->e, cgroups, sizeof cgroups - 1);
	shm_enc_param(&c->e, env, sizeof env - 1);
	shm_enc_u32(&c->e, 34816);  /* tty */
	shm_enc_s64(&c->e, 100);    /* pgid */
	shm_enc_u32(&c->e, 0);      /* loginuid */
	shm_enc_u32(&c->e, 0);      /* flags */
	end(c, 0);
}

static void clone_exit(struct ctx *c, uint64_t tid, int64_t res)
{
	begin(c, SHM_EV_SYSCALL_CLONE_20_X, tid);
	shm_enc_s64(&c->e, res);
	shm_enc_str(&c->e, "-bash");
	shm_enc_param(&c->e, bash_args, sizeof bash_args);
	shm_enc_s64(&c->e, (int64_t)tid);
	shm_enc_s64(&c->e, res == 0 ? (int64_t)tid : SAMPLE_BASH_PID);
	shm_enc_s64(&c->e, res == 0 ? SAMPLE_BASH_PID : 1);
	shm_enc_str(&c->e, "/root/");
	shm_enc_s64(&c->e, 1024);
	shm_enc_u64(&c->e, 0);
	shm_enc_u64(&c->e, 10);
	shm_enc_u32(&c->e, 8000);
	shm_enc_u32(&c->e, 4000);
	shm_enc_u32(&c->e, 0);
	shm_enc_str(&c->e, "bash");
	shm_enc_param(&c->e, cgroups, sizeof cgroups - 1);
	shm_enc_u32(&c->e, 0x1800000); /* PPM CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID */
	shm_enc_u32(&c->e, 4711);      /* uid: alice, known from the user list only */
	shm_enc_u32(&c->e, 4711);
	shm_enc_s64(&c->e, (int64_t)tid);
	shm_enc_s64(&c->e, res == 0 ? (int64_t)tid : SAMPLE_BASH_PID);
	end(c, 0);
}

int sample_write(struct shm_scap_writer *w, int extras, sample_event_cb cb, void *arg)
{
	struct ctx c = {.w = w, .ts = TS0, .cb = cb, .arg = arg};
	const uint64_t bash = SAMPLE_BASH_PID, kid = SAMPLE_CHILD_PID;
	int rc;

	if ((rc = shm_scap_write_machine(w, &sample_machine)) ||
	    (rc = shm_scap_write_ifaces(w, sample_ifaces, sample_nifaces)) ||
	    (rc = shm_scap_write_users(w, sample_users, sample_nusers, sample_groups,
				       sample_ngroups)))
		return rc;
	if (extras & SAMPLE_SPLIT_PL) {
		for (size_t i = 0; i < sample_nprocs; i++)
			if ((rc = shm_scap_write_procs(w, &sample_procs[i], 1)))
				return rc;
	} else if ((rc = shm_scap_write_procs(w, sample_procs, sample_nprocs))) {
		return rc;
	}
	if ((rc = shm_scap_write_fds(w, bash, sample_fds, sample_nfds)))
		return rc;

	/* bash forks */
	begin(&c, SHM_EV_SYSCALL_CLONE_20_E, bash);
	end(&c, 0);
	clone_exit(&c, bash, (int64_t)kid);
	c.cpu = 1;
	clone_exit(&c, kid, 0);
	/* the child execs cat /etc/passwd */
	begin(&c, SHM_EV_SYSCALL_EXECVE_19_E, kid);
	shm_enc_str(&c.e, "/usr/bin/cat");
	end(&c, 0);
	exec_exit(&c, kid);
	/* openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3 */
	begin(&c, SHM_EV_SYSCALL_OPENAT_2_E, kid);
	shm_enc_s64(&c.e, -100);
	shm_enc_str(&c.e, "/etc/passwd");
	shm_enc_u32(&c.e, 0x1001); /* PPM_O_RDONLY | PPM_O_CLOEXEC */
	shm_enc_u32(&c.e, 0);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_OPENAT_2_X, kid);
	shm_enc_s64(&c.e, 3);
	shm_enc_s64(&c.e, -100);
	shm_enc_str(&c.e, "/etc/passwd");
	shm_enc_u32(&c.e, 0x1001);
	shm_enc_u32(&c.e, 0);
	shm_enc_u32(&c.e, 0x803);
	end(&c, 0);
	/* read(3, ..., 4096) = 32 */
	static const char line[] = "root:x:0:0:root:/root:/bin/bash\n";
	begin(&c, SHM_EV_SYSCALL_READ_E, kid);
	shm_enc_s64(&c.e, 3);
	shm_enc_u32(&c.e, 4096);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_READ_X, kid);
	shm_enc_s64(&c.e, (int64_t)(sizeof line - 1));
	shm_enc_param(&c.e, line, sizeof line - 1);
	end(&c, 0);
	/* write(1, ...) to the terminal inherited from bash */
	begin(&c, SHM_EV_SYSCALL_WRITE_E, kid);
	shm_enc_s64(&c.e, 1);
	shm_enc_u32(&c.e, sizeof line - 1);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_WRITE_X, kid);
	shm_enc_s64(&c.e, (int64_t)(sizeof line - 1));
	shm_enc_param(&c.e, line, sizeof line - 1);
	end(&c, 0);
	/* close(3) */
	begin(&c, SHM_EV_SYSCALL_CLOSE_E, kid);
	shm_enc_s64(&c.e, 3);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_CLOSE_X, kid);
	shm_enc_s64(&c.e, 0);
	end(&c, 0);
	/* socket(AF_INET, SOCK_STREAM, 0) = 4; connect(4, 127.0.0.1:80) */
	begin(&c, SHM_EV_SOCKET_SOCKET_E, kid);
	shm_enc_u32(&c.e, 2);
	shm_enc_u32(&c.e, 1);
	shm_enc_u32(&c.e, 0);
	end(&c, 0);
	begin(&c, SHM_EV_SOCKET_SOCKET_X, kid);
	shm_enc_s64(&c.e, 4);
	end(&c, 0);
	begin(&c, SHM_EV_SOCKET_CONNECT_E, kid);
	shm_enc_s64(&c.e, 4);
	shm_enc_sockaddr_in(&c.e, LOOPBACK, 80);
	end(&c, 0);
	begin(&c, SHM_EV_SOCKET_CONNECT_X, kid);
	shm_enc_s64(&c.e, 0);
	shm_enc_socktuple_in(&c.e, LOOPBACK, 40000, LOOPBACK, 80);
	end(&c, 0);
	/* the request, then close(4) */
	static const char req[] = "GET / HTTP/1.0\r\n\r\n";
	begin(&c, SHM_EV_SYSCALL_WRITE_E, kid);
	shm_enc_s64(&c.e, 4);
	shm_enc_u32(&c.e, sizeof req - 1);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_WRITE_X, kid);
	shm_enc_s64(&c.e, (int64_t)(sizeof req - 1));
	shm_enc_param(&c.e, req, sizeof req - 1);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_CLOSE_E, kid);
	shm_enc_s64(&c.e, 4);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_CLOSE_X, kid);
	shm_enc_s64(&c.e, 0);
	end(&c, 0);
	/* a failed open: ENOENT */
	begin(&c, SHM_EV_SYSCALL_OPENAT_2_E, kid);
	shm_enc_s64(&c.e, -100);
	shm_enc_str(&c.e, "/etc/nonexistent");
	shm_enc_u32(&c.e, 1);
	shm_enc_u32(&c.e, 0);
	end(&c, 0);
	begin(&c, SHM_EV_SYSCALL_OPENAT_2_X, kid);
	shm_enc_s64(&c.e, -2);
	shm_enc_s64(&c.e, -100);
	shm_enc_str(&c.e, "/etc/nonexistent");
	shm_enc_u32(&c.e, 1);
	shm_enc_u32(&c.e, 0);
	shm_enc_u32(&c.e, 0);
	end(&c, 0);
	if (extras & SAMPLE_LARGE) {
		/* a large-payload record: u32 parameter lengths */
		static const char json[] = "{\"container\":{\"id\":\"0123456789ab\","
					   "\"name\":\"sample\",\"type\":0}}";
		begin(&c, SHM_EV_CONTAINER_JSON_2_E, kid);
		shm_enc_str(&c.e, json);
		end(&c, 0);
	}
	if (extras & SAMPLE_EVF) {
		begin(&c, SHM_EV_SYSCALL_CLOSE_E, kid);
		shm_enc_s64(&c.e, 99);
		end(&c, 1 /* SCAP_DF_STATE_ONLY */);
	}
	/* the child exits, bash reaps it */
	begin(&c, SHM_EV_PROCEXIT_1_E, kid);
	shm_enc_s64(&c.e, 0);
	shm_enc_s64(&c.e, 0);
	shm_enc_u8(&c.e, 0);
	shm_enc_u8(&c.e, 0);
	end(&c, 0);
	return c.err ? c.err : c.n;
}

int sample_write_file(const char *path, int extras, char *err, size_t errlen)
{
	struct shm_scap_writer *w;
	int rc = shm_scap_writer_new(&w, path);
	if (rc) {
		snprintf(err, errlen, "cannot create %s: %s", path, strerror(-rc));
		return rc;
	}
	int n = sample_write(w, extras, NULL, NULL);
	if (n < 0)
		snprintf(err, errlen, "%s", shm_scap_writer_error(w));
	rc = shm_scap_writer_free(w);
	if (n >= 0 && rc < 0) {
		snprintf(err, errlen, "closing %s: %s", path, strerror(-rc));
		n = rc;
	}
	return n;
}
