/*
 * Writes captures as older drivers and sysdig versions wrote them, for the
 * reader's and the engine's tests against sysdig 0.29.3:
 *   gen_old_capture SCENARIO OUT.scap
 *
 *   v1       every event in the old event block (0x204, some in EVF 0x208):
 *            records without a parameter count; the process, fd and user
 *            lists in their 2014 blocks
 *   versions the same events in the current block (0x216), each with its
 *            own parameter count
 *   corrupt  old blocks, one of whose records no parameter count explains
 *   edges    current events where state could differ: setsid, a failed
 *            openat with a real dirfd, a procinfo event
 *
 * The events are the older versions of the process and file events: clone
 * of 2014 (11 parameters), 2015 (16) and 2016 (17), fork and vfork of each
 * era, execve of 2014 (8), 2015 (13, 14, 15), 2016 (16), 2017 (17 and the
 * 18 whose enter has the filename), and open's exit with 4 parameters (no
 * "dev"), besides current events in old blocks. Records are built here
 * byte by byte (not with shm_enc, which writes only the table's count).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_event.h"
#include "shm_scap.h"

static FILE *out;
static uint32_t btype = 0x204; /* the block events go in */
static uint64_t ts = 1500000000000000000ull;
static int corrupt_next;

static uint8_t vals[65536];
static uint16_t lens[SHM_MAX_EVENT_PARAMS];
static size_t nvals, vlen;
static uint16_t cur_type;
static uint64_t cur_tid;

static void put(const void *p, size_t n)
{
	if (fwrite(p, 1, n, out) != n) {
		perror("gen_old_capture: write");
		exit(1);
	}
}

static void put32(uint32_t v) { put(&v, 4); }

static void put_block(uint32_t type, const void *body, size_t n)
{
	static const uint8_t zero[4];
	uint32_t total = (uint32_t)(8 + n + shm_scap_pad(n) + 4);
	put32(type);
	put32(total);
	put(body, n);
	put(zero, shm_scap_pad(n));
	put32(total);
}

static void begin(uint16_t type, uint64_t tid)
{
	cur_type = type;
	cur_tid = tid;
	nvals = vlen = 0;
}

static void val(const void *p, size_t n)
{
	if (nvals >= SHM_MAX_EVENT_PARAMS || vlen + n > sizeof vals) {
		fprintf(stderr, "gen_old_capture: event too large\n");
		exit(1);
	}
	memcpy(vals + vlen, p, n);
	vlen += n;
	lens[nvals++] = (uint16_t)n;
}

static void v64(int64_t v) { val(&v, 8); }
static void v32(uint32_t v) { val(&v, 4); }
static void v8(uint8_t v) { val(&v, 1); }
static void vstr(const char *s) { val(s, strlen(s) + 1); }
/* strings one after the other, each NUL-terminated (args, env, cgroups) */
static void vlist(const char *s, size_t n) { val(s, n); }

/* Writes the event: cpu id, flags for EVF, the header with or without the
 * parameter count, the lengths, the values. */
static void end(void)
{
	uint8_t rec[70000];
	size_t n = 0;
	int v1 = btype != SHM_SCAP_EV_V2;
	ts += 1000;
	uint16_t cpu = 1;
	memcpy(rec + n, &cpu, 2);
	n += 2;
	if (btype == 0x208) {
		uint32_t fl = 0;
		memcpy(rec + n, &fl, 4);
		n += 4;
	}
	uint32_t len = (v1 ? 22u : 26u) + 2u * (uint32_t)nvals + (uint32_t)vlen;
	if (corrupt_next) /* bytes no parameter count accounts for */
		len += 2;
	memcpy(rec + n, &ts, 8);
	memcpy(rec + n + 8, &cur_tid, 8);
	memcpy(rec + n + 16, &len, 4);
	memcpy(rec + n + 20, &cur_type, 2);
	n += 22;
	if (!v1) {
		uint32_t np = (uint32_t)nvals;
		memcpy(rec + n, &np, 4);
		n += 4;
	}
	memcpy(rec + n, lens, 2 * nvals);
	n += 2 * nvals;
	memcpy(rec + n, vals, vlen);
	n += vlen;
	if (corrupt_next) {
		memset(rec + n, 0, 2);
		n += 2;
		corrupt_next = 0;
	}
	put_block(btype, rec, n);
}

/* an enter without parameters */
static void enter0(uint16_t type, uint64_t tid)
{
	begin(type, tid);
	end();
}

/* ---- the old process events ---- */

/* clone-like exits, by era: 11 (2014), 16 (2015), 17 (2016, comm), 20 */
static void clone_x(uint16_t type, int era, uint64_t tid, int64_t res, const char *exe,
		    const char *args, size_t alen, int64_t pid, int64_t ptid, const char *cwd,
		    uint32_t flags, const char *comm)
{
	begin(type, tid);
	v64(res); vstr(exe); vlist(args, alen); v64((int64_t)tid); v64(pid); v64(ptid);
	vstr(cwd); v64(1024);
	if (era >= 16) {
		v64(0); v64(0); v32(1000); v32(100); v32(0);
	}
	if (era >= 17)
		vstr(comm);
	if (era >= 20)
		vlist("cpu=/\0", 6);
	v32(flags); v32(1000); v32(1000);
	if (era >= 20) {
		v64((int64_t)tid); v64(pid);
	}
	end();
}

/* execve exits, by era: 8, 13, 14 (env), 15 (comm), 16 (cgroups), 17/18 (tty) */
static void execve_x(uint16_t type, int era, uint64_t tid, int64_t res, const char *exe,
		     const char *args, size_t alen, int64_t pid, int64_t ptid, const char *cwd,
		     const char *comm)
{
	begin(type, tid);
	v64(res); vstr(exe); vlist(args, alen); v64((int64_t)tid); v64(pid); v64(ptid);
	vstr(cwd); v64(1024);
	if (era >= 13) {
		v64(0); v64(0); v32(1000); v32(100); v32(0);
	}
	if (era >= 15)
		vstr(comm);
	if (era >= 16)
		vlist("cpu=/user\0", 10);
	if (era >= 14)
		vlist("HOME=/root\0PATH=/bin\0", 21);
	if (era >= 17)
		v32(34816);
	end();
}

/* open/read/close of path by tid; open's exit without "dev" when old */
static void open_file(uint64_t tid, const char *path, int64_t fd, int old)
{
	begin(SHM_EV_SYSCALL_OPEN_E, tid);
	vstr(path); v32(1); v32(0);
	end();
	begin(SHM_EV_SYSCALL_OPEN_X, tid);
	v64(fd); vstr(path); v32(1); v32(0);
	if (!old)
		v32(0x803);
	end();
	if (fd < 0)
		return;
	begin(SHM_EV_SYSCALL_READ_E, tid);
	v64(fd); v32(64);
	end();
	begin(SHM_EV_SYSCALL_READ_X, tid);
	v64(5); val("hello", 5);
	end();
	begin(SHM_EV_SYSCALL_CLOSE_E, tid);
	v64(fd);
	end();
	begin(SHM_EV_SYSCALL_CLOSE_X, tid);
	v64(0);
	end();
}

/* A child of the shell (100) made by an old clone-like call, then an execve
 * of another era, then a file. */
struct child {
	uint16_t clone_e; int clone_era;
	uint16_t exec_e; int exec_era;
	uint64_t tid;
	const char *exe, *comm, *args; size_t alen;
	const char *file;
};

static void child(const struct child *c, int child_first)
{
	enter0(c->clone_e, 100);
	/* on another cpu, the child's exit may come before its parent's */
	if (child_first)
		clone_x(c->clone_e + 1, c->clone_era, c->tid, 0, "bash", "-i\0", 3,
			(int64_t)c->tid, 100, "/root", 0, "bash");
	clone_x(c->clone_e + 1, c->clone_era, 100, (int64_t)c->tid, "-bash", "-i\0", 3, 100, 1,
		"/root", 0, "bash");
	if (!child_first)
		clone_x(c->clone_e + 1, c->clone_era, c->tid, 0, "bash", "-i\0", 3,
			(int64_t)c->tid, 100, "/root", 0, "bash");
	if (c->exec_e == SHM_EV_SYSCALL_EXECVE_18_E) {
		begin(c->exec_e, c->tid);
		vstr(c->exe);
		end();
	} else {
		enter0(c->exec_e, c->tid);
	}
	execve_x(c->exec_e + 1, c->exec_era, c->tid, 0, c->exe, c->args, c->alen,
		 (int64_t)c->tid, 100, "/root", c->comm);
	open_file(c->tid, c->file, 3, 1);
}

/* ---- the old metadata blocks: no entry lengths, 2-byte string lengths ---- */

static uint8_t mb[4096];
static size_t mn;

static void m_put(const void *p, size_t n)
{
	memcpy(mb + mn, p, n);
	mn += n;
}
static void m8(uint8_t v) { m_put(&v, 1); }
static void m32(uint32_t v) { m_put(&v, 4); }
static void m64(uint64_t v) { m_put(&v, 8); }
static void mstr(const char *s, size_t n)
{
	uint16_t l = (uint16_t)n;
	m_put(&l, 2);
	m_put(s, n);
}

/* process list of 2014 (0x202: no sid, exepath, vm counters, env, vtid,
 * cgroups, root), fd list 0x203, user list 0x206 */
static void old_metadata(void)
{
	mn = 0;
	m64(1); m64(1); m64(0);
	mstr("init", 4); mstr("/sbin/init", 10); mstr("", 0); mstr("/", 1);
	m64(1024); m32(0); m32(0); m32(0);
	m64(100); m64(100); m64(1);
	mstr("bash", 4); mstr("bash", 4); mstr("-i", 3); mstr("/root", 5);
	m64(1024); m32(0); m32(0); m32(0);
	put_block(0x202, mb, mn);
	mn = 0;
	m64(100);
	m64(5); m64(77); m8(SHM_SCAP_FD_FILE); mstr("/var/log/old.log", 16);
	put_block(0x203, mb, mn);
	mn = 0;
	m8(SHM_SCAP_UL_USER); m32(0); m32(0); mstr("root", 4); mstr("/root", 5);
	mstr("/bin/bash", 9);
	m8(SHM_SCAP_UL_USER); m32(1000); m32(1000); mstr("alice", 5); mstr("/home/alice", 11);
	mstr("/bin/sh", 7);
	m8(SHM_SCAP_UL_GROUP); m32(0); mstr("root", 4);
	m8(SHM_SCAP_UL_GROUP); m32(1000); mstr("alice", 5);
	put_block(0x206, mb, mn);
}

static void header(void)
{
	uint8_t b[64];
	size_t n = 0;
	uint32_t magic = SHM_SCAP_SHB_MAGIC;
	uint16_t maj = 1, min = 0;
	uint64_t sl = UINT64_MAX;
	memcpy(b, &magic, 4); n += 4;
	memcpy(b + n, &maj, 2); n += 2;
	memcpy(b + n, &min, 2); n += 2;
	memcpy(b + n, &sl, 8); n += 8;
	put_block(SHM_SCAP_SHB, b, n);

	static uint8_t buf[1 << 16];
	struct shm_scap_block blk;
	struct shm_scap_machine mi = {.num_cpus = 2, .memory_size_bytes = 1ull << 30,
				      .max_pid = 32768, .hostname = "oldhost"};
	if (shm_scap_block_begin(&blk, buf, sizeof buf, SHM_SCAP_MI) ||
	    shm_scap_block_machine(&blk, &mi)) {
		fprintf(stderr, "gen_old_capture: machine block\n");
		exit(1);
	}
	size_t len = shm_scap_block_end(&blk);
	put(buf, len);
	if (btype != SHM_SCAP_EV_V2) {
		old_metadata();
		return;
	}
	struct shm_scap_proc ps[2] = {
		{.tid = 1, .pid = 1, .ptid = 0, .sid = 1, .vpgid = 1, .comm = "init",
		 .exe = "/sbin/init", .exepath = "/sbin/init", .args = "", .cwd = "/",
		 .root = "/", .fdlimit = 1024, .vtid = 1, .vpid = 1, .loginuid = -1},
		{.tid = 100, .pid = 100, .ptid = 1, .sid = 100, .vpgid = 100, .comm = "bash",
		 .exe = "bash", .exepath = "/bin/bash", .args = "-i", .args_len = 3,
		 .cwd = "/root", .root = "/", .fdlimit = 1024, .uid = 0, .gid = 0,
		 .vtid = 100, .vpid = 100, .loginuid = -1},
	};
	if (shm_scap_block_begin(&blk, buf, sizeof buf, SHM_SCAP_PL_V9) ||
	    shm_scap_block_add_proc(&blk, &ps[0]) || shm_scap_block_add_proc(&blk, &ps[1])) {
		fprintf(stderr, "gen_old_capture: process block\n");
		exit(1);
	}
	len = shm_scap_block_end(&blk);
	put(buf, len);
	struct shm_scap_fd fd = {.fd = 5, .ino = 77, .type = SHM_SCAP_FD_FILE,
				 .name = "/var/log/old.log"};
	struct shm_scap_user us[2] = {{0, 0, "root", "/root", "/bin/bash"},
				      {1000, 1000, "alice", "/home/alice", "/bin/sh"}};
	struct shm_scap_group gs[2] = {{0, "root"}, {1000, "alice"}};
	if (shm_scap_block_begin_fds(&blk, buf, sizeof buf, 100) ||
	    shm_scap_block_add_fd(&blk, &fd)) {
		fprintf(stderr, "gen_old_capture: fd block\n");
		exit(1);
	}
	put(buf, shm_scap_block_end(&blk));
	if (shm_scap_block_begin(&blk, buf, sizeof buf, SHM_SCAP_UL_V2) ||
	    shm_scap_block_add_user(&blk, &us[0]) || shm_scap_block_add_user(&blk, &us[1]) ||
	    shm_scap_block_add_group(&blk, &gs[0]) || shm_scap_block_add_group(&blk, &gs[1])) {
		fprintf(stderr, "gen_old_capture: user block\n");
		exit(1);
	}
	put(buf, shm_scap_block_end(&blk));
}

static void events(int corrupt)
{
	static const struct child kids[] = {
		{SHM_EV_SYSCALL_CLONE_11_E, 11, SHM_EV_SYSCALL_EXECVE_8_E, 8, 101,
		 "/bin/cat", NULL, "/etc/passwd\0", 12, "/etc/passwd"},
		{SHM_EV_SYSCALL_FORK_E, 16, SHM_EV_SYSCALL_EXECVE_13_E, 13, 102,
		 "ls", NULL, "-l\0/tmp\0", 8, "/tmp"},
		{SHM_EV_SYSCALL_CLONE_16_E, 16, SHM_EV_SYSCALL_EXECVE_14_E, 14, 103,
		 "/usr/bin/env", NULL, "", 0, "/etc/environment"},
		{SHM_EV_SYSCALL_VFORK_E, 16, SHM_EV_SYSCALL_EXECVE_15_E, 15, 104,
		 "/usr/bin/python3", "python3", "-c\0pass\0", 8, "/usr/lib/python3"},
		{SHM_EV_SYSCALL_CLONE_17_E, 17, SHM_EV_SYSCALL_EXECVE_16_E, 16, 105,
		 "/bin/sleep", "sleep", "1\0", 2, "/etc/ld.so.cache"},
		{SHM_EV_SYSCALL_FORK_17_E, 17, SHM_EV_SYSCALL_EXECVE_17_E, 17, 106,
		 "/usr/bin/id", "id", "-u\0", 3, "/etc/group"},
		{SHM_EV_SYSCALL_VFORK_17_E, 17, SHM_EV_SYSCALL_EXECVE_18_E, 18, 107,
		 "/usr/bin/tail", "tail", "-n\0" "1\0", 5, "/var/log/syslog"},
		{SHM_EV_SYSCALL_CLONE_20_E, 20, SHM_EV_SYSCALL_EXECVE_8_E, 8, 108,
		 "/bin/true", NULL, "", 0, "/etc/hostname"},
	};
	/* the shell itself: an fd of the fd list, an old open (4 parameters),
	 * a failed one */
	begin(SHM_EV_SYSCALL_READ_E, 100);
	v64(5); v32(64);
	end();
	begin(SHM_EV_SYSCALL_READ_X, 100);
	v64(2); val("ok", 2);
	end();
	open_file(100, "/root/.bashrc", 3, 1);
	open_file(100, "/nonexistent", -2, 1);
	for (size_t i = 0; i < sizeof kids / sizeof kids[0]; i++) {
		if (corrupt && i == 2)
			corrupt_next = 1;
		if (i == 4 && btype == 0x204)
			btype = 0x208; /* the rest in old EVF blocks */
		child(&kids[i], i == 1 || i == 5);
	}
	/* a thread of 103 by the 2015 clone: it shares the process's state */
	enter0(SHM_EV_SYSCALL_CLONE_16_E, 103);
	clone_x(SHM_EV_SYSCALL_CLONE_16_X, 16, 103, 109, "/usr/bin/env", "", 0, 103, 100,
		"/root", SHM_PPM_CL_CLONE_THREAD | SHM_PPM_CL_CLONE_FILES | SHM_PPM_CL_CLONE_VM,
		NULL);
	open_file(109, "/proc/self/status", 4, 0);
	/* an execve that failed, of the 2014 layout: the old program stays */
	enter0(SHM_EV_SYSCALL_EXECVE_8_E, 101);
	execve_x(SHM_EV_SYSCALL_EXECVE_8_X, 8, 101, -2, "", "", 0, 101, 100, "", NULL);
	open_file(101, "/etc/shadow", 5, 0);
	/* openat of 2014: the enter has the arguments, the exit only the fd */
	begin(SHM_EV_SYSCALL_OPENAT_E, 100);
	v64(-100); vstr("/etc/motd"); v32(1); v32(0);
	end();
	begin(SHM_EV_SYSCALL_OPENAT_X, 100);
	v64(7);
	end();
	begin(SHM_EV_SYSCALL_READ_E, 100);
	v64(7); v32(64);
	end();
	begin(SHM_EV_SYSCALL_READ_X, 100);
	v64(2); val("hi", 2);
	end();
	/* a current event in an old block */
	begin(SHM_EV_SYSCALL_OPENAT_2_E, 100);
	v64(-100); vstr("/etc/issue"); v32(1); v32(0);
	end();
	begin(SHM_EV_SYSCALL_OPENAT_2_X, 100);
	v64(6); v64(-100); vstr("/etc/issue"); v32(1); v32(0); v32(0x803);
	end();
	begin(SHM_EV_PROCEXIT_1_E, 101);
	v64(0); v64(0); v8(0); v8(0);
	end();
}

/* Current events at three edges where pdig-engine's state and output were
 * said to differ from sysdig's: setsid, a failed openat with a real dirfd,
 * procinfo. */
static void edges(void)
{
	enter0(SHM_EV_SYSCALL_CLONE_20_E, 100);
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 20, 100, 101, "bash", "-i\0", 3, 100, 1, "/root", 0,
		"bash");
	clone_x(SHM_EV_SYSCALL_CLONE_20_X, 20, 101, 0, "bash", "-i\0", 3, 101, 100, "/root", 0,
		"bash");
	enter0(SHM_EV_SYSCALL_SETSID_E, 101);
	begin(SHM_EV_SYSCALL_SETSID_X, 101);
	v64(101);
	end();
	open_file(101, "/etc/hostname", 3, 0);
	/* a directory, then a failed and a good openat relative to it */
	begin(SHM_EV_SYSCALL_OPENAT_2_E, 101);
	v64(-100); vstr("/etc"); v32(1); v32(0);
	end();
	begin(SHM_EV_SYSCALL_OPENAT_2_X, 101);
	v64(7); v64(-100); vstr("/etc"); v32(1); v32(0); v32(0x803);
	end();
	for (int i = 0; i < 2; i++) {
		begin(SHM_EV_SYSCALL_OPENAT_2_E, 101);
		v64(7); vstr(i ? "hosts" : "nofile"); v32(1); v32(0);
		end();
		begin(SHM_EV_SYSCALL_OPENAT_2_X, 101);
		v64(i ? 8 : -2); v64(7); vstr(i ? "hosts" : "nofile"); v32(1); v32(0); v32(0x803);
		end();
	}
	begin(SHM_EV_PROCINFO_E, 101);
	v64(12); v64(34);
	end();
	open_file(101, "/etc/passwd", 9, 0);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: gen_old_capture v1|versions|corrupt|edges OUT.scap\n");
		return 2;
	}
	out = fopen(argv[2], "wb");
	if (!out) {
		perror(argv[2]);
		return 1;
	}
	int corrupt = 0;
	if (!strcmp(argv[1], "edges")) {
		btype = SHM_SCAP_EV_V2;
		header();
		edges();
		return fclose(out) ? 1 : 0;
	}
	if (!strcmp(argv[1], "versions"))
		btype = SHM_SCAP_EV_V2;
	else if (!strcmp(argv[1], "corrupt"))
		corrupt = 1;
	else if (strcmp(argv[1], "v1")) {
		fprintf(stderr, "gen_old_capture: unknown scenario %s\n", argv[1]);
		return 2;
	}
	header();
	events(corrupt);
	if (fclose(out)) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}
