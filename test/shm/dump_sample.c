/*
 * dump_sample OUT.scap: writes the small capture whose pdig-dump output
 * test/shm/dump_expected.txt holds, with the writer API. Every value is
 * fixed, so the dump is byte for byte the same on every machine.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "shm_scap.h"

#define TS 1700000000123456789ull

static uint8_t rec[4096];

static int put(struct shm_scap_writer *w, uint16_t cpu, struct shm_enc *e)
{
	int len = shm_enc_end(e);
	if (len < 0) {
		fprintf(stderr, "dump_sample: cannot encode event type %u: %s\n", e->type,
			strerror(-len));
		return len;
	}
	int rc = shm_scap_write_event(w, cpu, 0, rec, (uint32_t)len);
	if (rc < 0)
		fprintf(stderr, "dump_sample: %s\n", shm_scap_writer_error(w));
	return rc;
}

static int write_events(struct shm_scap_writer *w)
{
	struct shm_enc e;
	int rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_OPEN_E, TS, 4242);
	shm_enc_str(&e, "/etc/passwd");
	shm_enc_u32(&e, 0x1001);
	shm_enc_u32(&e, 0);
	if ((rc = put(w, 0, &e)) < 0)
		return rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_OPEN_X, TS + 1500, 4242);
	shm_enc_s64(&e, 3);
	shm_enc_str(&e, "/etc/passwd");
	shm_enc_u32(&e, 0x1001);
	shm_enc_u32(&e, 0);
	shm_enc_u32(&e, 0x803);
	if ((rc = put(w, 0, &e)) < 0)
		return rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_READ_X, TS + 90000, 4242);
	shm_enc_s64(&e, 12);
	shm_enc_param(&e, "root:x:0:0:\n", 12);
	if ((rc = put(w, 1, &e)) < 0)
		return rc;

	/* longer than sysdig's 80-character cut: pdig-dump shows it all */
	char buf[100];
	for (int i = 0; i < 100; i++)
		buf[i] = (char)(i % 10 == 9 ? '\n' : 'a' + i % 26);
	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_WRITE_X, TS + 95000, 4242);
	shm_enc_s64(&e, 100);
	shm_enc_param(&e, buf, sizeof buf);
	if ((rc = put(w, 1, &e)) < 0)
		return rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_OPEN_X, TS + 1000000000, 4243);
	shm_enc_s64(&e, -13);
	shm_enc_str(&e, "/root/secret");
	shm_enc_u32(&e, 0x3);
	shm_enc_u32(&e, 0600);
	shm_enc_u32(&e, 0);
	if ((rc = put(w, 1, &e)) < 0)
		return rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SOCKET_CONNECT_X, TS + 1000000001, 4242);
	shm_enc_s64(&e, -115);
	shm_enc_socktuple_in(&e, htonl(0x7f000001), 43210, htonl(0x7f000001), 80);
	if ((rc = put(w, 0, &e)) < 0)
		return rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_GENERIC_E, TS + 2000000000, 4242);
	shm_enc_u16(&e, 47);
	shm_enc_u16(&e, 96);
	if ((rc = put(w, 0, &e)) < 0)
		return rc;

	shm_enc_begin(&e, rec, sizeof rec, SHM_EV_SYSCALL_KILL_E, TS + 3000000000, 4242);
	shm_enc_s64(&e, 100);
	shm_enc_u8(&e, 15);
	return put(w, 0, &e);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: dump_sample OUT.scap\n");
		return 2;
	}
	static const struct shm_scap_machine mi = {
		.num_cpus = 2, .memory_size_bytes = 4ull << 30, .max_pid = 4194304,
		.hostname = "sample-host"};
	static const char args[] = "/etc/passwd";
	static const char env[] = "HOME=/root\0PATH=/bin";
	static const struct shm_scap_proc procs[] = {{
		.tid = 4242, .pid = 4242, .ptid = 100, .sid = 100, .vpgid = 4242,
		.comm = "cat", .exe = "cat", .exepath = "/usr/bin/cat",
		.args = args, .args_len = sizeof args, .env = env, .env_len = sizeof env,
		.cwd = "/root/", .root = "/", .fdlimit = 1024, .uid = 0, .gid = 0,
		.vmsize_kb = 5000, .vmrss_kb = 900, .vtid = 4242, .vpid = 4242,
		.tty = 0, .loginuid = -1,
	}};
	static const struct shm_scap_fd fds[] = {
		{.fd = 0, .type = SHM_SCAP_FD_FILE_V2, .ino = 7, .open_flags = 0x3,
		 .name = "/dev/pts/0"},
	};
	static const struct shm_scap_user users[] = {
		{.uid = 0, .gid = 0, .name = "root", .homedir = "/root", .shell = "/bin/sh"}};
	static const struct shm_scap_group groups[] = {{.gid = 0, .name = "root"}};
	static const struct shm_scap_iface ifaces[] = {
		{.type = 0, .ifname = "lo", .linkspeed = 0}};
	struct shm_scap_iface lo = ifaces[0];
	lo.addr4 = htonl(0x7f000001);
	lo.netmask4 = htonl(0xff000000);
	lo.bcast4 = htonl(0x7fffffff);

	struct shm_scap_writer *w = NULL;
	int rc = shm_scap_writer_new(&w, argv[1]);
	if (rc < 0) {
		fprintf(stderr, "dump_sample: cannot create %s: %s\n", argv[1], strerror(-rc));
		return 1;
	}
	if ((rc = shm_scap_write_machine(w, &mi)) < 0 ||
	    (rc = shm_scap_write_procs(w, procs, 1)) < 0 ||
	    (rc = shm_scap_write_fds(w, 4242, fds, 1)) < 0 ||
	    (rc = shm_scap_write_users(w, users, 1, groups, 1)) < 0 ||
	    (rc = shm_scap_write_ifaces(w, &lo, 1)) < 0) {
		fprintf(stderr, "dump_sample: %s\n", shm_scap_writer_error(w));
		shm_scap_writer_free(w);
		return 1;
	}
	rc = write_events(w);
	int frc = shm_scap_writer_free(w);
	if (rc < 0 || frc < 0) {
		if (frc < 0)
			fprintf(stderr, "dump_sample: finishing %s: %s\n", argv[1], strerror(-frc));
		return 1;
	}
	return 0;
}
