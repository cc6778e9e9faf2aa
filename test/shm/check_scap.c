/*
 * Unit tests of the capture-file reader and writer (suite "scap"): a round
 * trip of every block kind, older block versions, gzip, and damaged files
 * (every truncation, broken lengths and trailers, short entries, bad event
 * records, random flips). Linked against shm_asan, so an out-of-bounds read
 * anywhere fails the suite.
 */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "scap_sample.h"
#include "shm_scap.h"

static char tmpdir[64];

static const char *tpath(const char *name)
{
	static char buf[4][128];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
	return buf[i];
}

static uint8_t *load(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *p = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(fread(p, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return p;
}

static void store(const char *path, const void *p, size_t n)
{
	FILE *f = fopen(path, "wb");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_eq(fwrite(p, 1, n, f), n);
	ck_assert_int_eq(fclose(f), 0);
}

/* ---- recording what the sample writes ---- */

struct rec {
	uint16_t cpuid;
	uint32_t flags;
	uint32_t len;
	uint8_t data[8192];
};

static struct rec recs[64];
static int nrecs;

static void record(void *arg, uint16_t cpuid, uint32_t flags, const void *evt, uint32_t len)
{
	(void)arg;
	ck_assert_int_lt(nrecs, 64);
	ck_assert_uint_le(len, sizeof recs[0].data);
	recs[nrecs].cpuid = cpuid;
	recs[nrecs].flags = flags;
	recs[nrecs].len = len;
	memcpy(recs[nrecs].data, evt, len);
	nrecs++;
}

static int write_sample(const char *path, int extras)
{
	struct shm_scap_writer *w;
	nrecs = 0;
	ck_assert_int_eq(shm_scap_writer_new(&w, path), 0);
	int n = sample_write(w, extras, record, NULL);
	ck_assert_msg(n > 0, "sample: %s", shm_scap_writer_error(w));
	ck_assert_int_eq(shm_scap_writer_free(w), 0);
	ck_assert_int_eq(n, nrecs);
	return n;
}

/* ---- draining a file ---- */

struct outcome {
	int rc;          /* 0: clean end; else the error */
	int open_failed;
	int nevents;
	uint64_t skipped;
	char err[512];
	char warnings[4096];
};

static struct outcome drain(const char *path)
{
	struct outcome o;
	memset(&o, 0, sizeof o);
	struct shm_scap_reader *r;
	FILE *wf = fmemopen(o.warnings, sizeof o.warnings - 1, "w");
	ck_assert_ptr_nonnull(wf);
	setvbuf(wf, NULL, _IONBF, 0);
	int rc = shm_scap_reader_open(&r, path, wf, o.err, sizeof o.err);
	if (rc) {
		ck_assert_ptr_null(r);
		ck_assert_int_lt(rc, 0);
		o.rc = rc;
		o.open_failed = 1;
		fclose(wf);
		return o;
	}
	struct shm_scap_item it;
	while ((rc = shm_scap_reader_next(r, &it)) == 1)
		o.nevents++;
	o.rc = rc;
	if (rc < 0)
		snprintf(o.err, sizeof o.err, "%s", shm_scap_reader_error(r));
	o.skipped = shm_scap_reader_skipped(r);
	shm_scap_reader_free(r);
	fclose(wf);
	return o;
}

/* The reason names a byte offset, and a negative errno came with it. */
static void assert_offset_error(const struct outcome *o, const char *ctx)
{
	ck_assert_msg(o->rc < 0, "%s: expected an error, got a clean end (%d events)", ctx,
		      o->nevents);
	ck_assert_msg(strstr(o->err, "offset ") != NULL, "%s: error without an offset: %s",
		      ctx, o->err);
}

/* Block boundaries of a well-formed file. */
static size_t blocks(const uint8_t *p, size_t n, size_t *offs, uint32_t *types, size_t max)
{
	size_t k = 0, o = 0;
	while (o + 8 <= n && k < max) {
		uint32_t t, l;
		memcpy(&t, p + o, 4);
		memcpy(&l, p + o + 4, 4);
		offs[k] = o;
		types[k++] = t;
		o += l;
	}
	ck_assert_uint_eq(o, n);
	return k;
}

static int is_event(uint32_t t)
{
	return t == SHM_SCAP_EV_V2 || t == SHM_SCAP_EVF_V2 || t == SHM_SCAP_EV_V2_LARGE ||
	       t == SHM_SCAP_EVF_V2_LARGE;
}

/* ---- round trip ---- */

static void check_proc(const struct shm_scap_proc *a, const struct shm_scap_proc *b)
{
	ck_assert_uint_eq(a->tid, b->tid);
	ck_assert_uint_eq(a->pid, b->pid);
	ck_assert_uint_eq(a->ptid, b->ptid);
	ck_assert_uint_eq(a->sid, b->sid);
	ck_assert_uint_eq(a->vpgid, b->vpgid);
	ck_assert_str_eq(a->comm, b->comm);
	ck_assert_str_eq(a->exe, b->exe);
	ck_assert_str_eq(a->exepath, b->exepath);
	ck_assert_uint_eq(a->args_len, b->args_len);
	ck_assert_mem_eq(a->args, b->args, a->args_len);
	ck_assert_uint_eq(a->env_len, b->env_len);
	ck_assert_mem_eq(a->env, b->env, a->env_len);
	ck_assert_str_eq(a->cwd, b->cwd);
	ck_assert_uint_eq(a->cgroups_len, b->cgroups_len);
	ck_assert_mem_eq(a->cgroups, b->cgroups, a->cgroups_len);
	ck_assert_str_eq(a->root, b->root);
	ck_assert_int_eq(a->fdlimit, b->fdlimit);
	ck_assert_uint_eq(a->flags, b->flags);
	ck_assert_uint_eq(a->uid, b->uid);
	ck_assert_uint_eq(a->gid, b->gid);
	ck_assert_uint_eq(a->vmsize_kb, b->vmsize_kb);
	ck_assert_uint_eq(a->vmrss_kb, b->vmrss_kb);
	ck_assert_uint_eq(a->vmswap_kb, b->vmswap_kb);
	ck_assert_uint_eq(a->pfmajor, b->pfmajor);
	ck_assert_uint_eq(a->pfminor, b->pfminor);
	ck_assert_int_eq(a->vtid, b->vtid);
	ck_assert_int_eq(a->vpid, b->vpid);
	ck_assert_int_eq(a->loginuid, b->loginuid);
	ck_assert_uint_eq(a->exe_writable, b->exe_writable);
}

static void check_fd(const struct shm_scap_fd *a, const struct shm_scap_fd *b)
{
	ck_assert_int_eq(a->fd, b->fd);
	ck_assert_uint_eq(a->ino, b->ino);
	ck_assert_uint_eq(a->type, b->type);
	int v6 = a->type == SHM_SCAP_FD_IPV6_SOCK || a->type == SHM_SCAP_FD_IPV6_SERVSOCK;
	int sock = v6 || a->type == SHM_SCAP_FD_IPV4_SOCK || a->type == SHM_SCAP_FD_IPV4_SERVSOCK;
	int serv = a->type == SHM_SCAP_FD_IPV4_SERVSOCK || a->type == SHM_SCAP_FD_IPV6_SERVSOCK;
	if (sock) {
		ck_assert_mem_eq(a->sip, b->sip, v6 ? 16 : 4);
		ck_assert_uint_eq(a->sport, b->sport);
		ck_assert_uint_eq(a->l4proto, b->l4proto);
		if (!serv) {
			ck_assert_mem_eq(a->dip, b->dip, v6 ? 16 : 4);
			ck_assert_uint_eq(a->dport, b->dport);
		}
	} else {
		ck_assert_str_eq(a->name, b->name);
	}
	if (a->type == SHM_SCAP_FD_UNIX_SOCK) {
		ck_assert_uint_eq(a->source, b->source);
		ck_assert_uint_eq(a->dest, b->dest);
	}
	if (a->type == SHM_SCAP_FD_FILE_V2) {
		ck_assert_uint_eq(a->open_flags, b->open_flags);
		ck_assert_uint_eq(a->dev, b->dev);
	}
}

/* The sample's tables, as m holds them (a reader's, or blocks parsed from memory). */
static void check_meta(const struct shm_scap_meta *m)
{
	const struct shm_scap_machine *mi = shm_scap_meta_machine(m);
	ck_assert_ptr_nonnull(mi);
	ck_assert_uint_eq(mi->num_cpus, sample_machine.num_cpus);
	ck_assert_uint_eq(mi->memory_size_bytes, sample_machine.memory_size_bytes);
	ck_assert_uint_eq(mi->max_pid, sample_machine.max_pid);
	ck_assert_str_eq(mi->hostname, sample_machine.hostname);

	const struct shm_scap_iface *ifs;
	ck_assert_uint_eq(shm_scap_meta_ifaces(m, &ifs), sample_nifaces);
	for (size_t i = 0; i < sample_nifaces; i++) {
		const struct shm_scap_iface *a = &ifs[i], *b = &sample_ifaces[i];
		ck_assert_int_eq(a->is_ipv6, b->is_ipv6);
		ck_assert_uint_eq(a->type, b->is_ipv6 ? SHM_SCAP_II_IPV6 : SHM_SCAP_II_IPV4);
		ck_assert_uint_eq(a->addr4, b->addr4);
		ck_assert_uint_eq(a->netmask4, b->netmask4);
		ck_assert_uint_eq(a->bcast4, b->bcast4);
		ck_assert_mem_eq(a->addr6, b->addr6, 16);
		ck_assert_mem_eq(a->netmask6, b->netmask6, 16);
		ck_assert_mem_eq(a->bcast6, b->bcast6, 16);
		ck_assert_uint_eq(a->linkspeed, b->linkspeed);
		ck_assert_str_eq(a->ifname, b->ifname);
	}
	const struct shm_scap_user *us;
	ck_assert_uint_eq(shm_scap_meta_users(m, &us), sample_nusers);
	for (size_t i = 0; i < sample_nusers; i++) {
		ck_assert_uint_eq(us[i].uid, sample_users[i].uid);
		ck_assert_uint_eq(us[i].gid, sample_users[i].gid);
		ck_assert_str_eq(us[i].name, sample_users[i].name);
		ck_assert_str_eq(us[i].homedir, sample_users[i].homedir);
		ck_assert_str_eq(us[i].shell, sample_users[i].shell);
	}
	const struct shm_scap_group *gs;
	ck_assert_uint_eq(shm_scap_meta_groups(m, &gs), sample_ngroups);
	for (size_t i = 0; i < sample_ngroups; i++) {
		ck_assert_uint_eq(gs[i].gid, sample_groups[i].gid);
		ck_assert_str_eq(gs[i].name, sample_groups[i].name);
	}
	const struct shm_scap_proc *ps;
	ck_assert_uint_eq(shm_scap_meta_procs(m, &ps), sample_nprocs);
	for (size_t i = 0; i < sample_nprocs; i++)
		check_proc(&ps[i], &sample_procs[i]);
	const struct shm_scap_fd *fds;
	ck_assert_uint_eq(shm_scap_meta_fds(m, SAMPLE_BASH_PID, &fds), sample_nfds);
	for (size_t i = 0; i < sample_nfds; i++)
		check_fd(&fds[i], &sample_fds[i]);
	ck_assert_uint_eq(shm_scap_meta_fds(m, 1, &fds), 0);
	ck_assert_ptr_null(fds);
}

static void check_metadata(struct shm_scap_reader *r)
{
	check_meta(shm_scap_reader_meta(r));
	/* the reader's own accessors see the same tables */
	const struct shm_scap_proc *a, *b;
	ck_assert_uint_eq(shm_scap_reader_procs(r, &a), shm_scap_meta_procs(shm_scap_reader_meta(r), &b));
	ck_assert_ptr_eq(a, b);
	ck_assert_ptr_eq(shm_scap_reader_machine(r), shm_scap_meta_machine(shm_scap_reader_meta(r)));
}

/* Reads path and checks metadata and every event against what was written. */
static void check_file(const char *path, const uint8_t *plain, size_t plainlen)
{
	char err[256];
	struct shm_scap_reader *r;
	ck_assert_msg(shm_scap_reader_new(&r, path, err, sizeof err) == 0, "%s", err);
	check_metadata(r);
	struct shm_scap_item it;
	int i = 0, rc;
	uint64_t last = 0;
	while ((rc = shm_scap_reader_next(r, &it)) == 1) {
		ck_assert_int_lt(i, nrecs);
		ck_assert_int_eq(it.kind, SHM_SCAP_ITEM_EVENT);
		ck_assert_uint_eq(it.cpuid, recs[i].cpuid);
		ck_assert_uint_eq(it.flags, recs[i].flags);
		ck_assert_uint_eq(it.evt.len, recs[i].len);
		ck_assert_mem_eq(it.evt.raw, recs[i].data, recs[i].len);
		ck_assert_uint_gt(it.offset, last);
		last = it.offset;
		/* the block type matches the record: flags, large payload */
		uint32_t bt;
		ck_assert_uint_lt(it.offset + 4, plainlen);
		memcpy(&bt, plain + it.offset, 4);
		int large = (it.evt.info->flags & SHM_EF_LARGE_PAYLOAD) != 0;
		uint32_t want = it.flags ? (large ? SHM_SCAP_EVF_V2_LARGE : SHM_SCAP_EVF_V2)
					 : (large ? SHM_SCAP_EV_V2_LARGE : SHM_SCAP_EV_V2);
		ck_assert_uint_eq(bt, want);
		if (it.evt.type == SHM_EV_SYSCALL_OPENAT_2_X && i < 10)
			ck_assert_str_eq(shm_evt_str(&it.evt, SHM_P_OPENAT_2_X_NAME), "/etc/passwd");
		i++;
	}
	ck_assert_msg(rc == 0, "%s", shm_scap_reader_error(r));
	ck_assert_int_eq(i, nrecs);
	ck_assert_uint_eq(shm_scap_reader_skipped(r), 0);
	/* the end is sticky */
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 0);
	shm_scap_reader_free(r);
}

START_TEST(round_trip)
{
	const char *p = tpath("rt.scap");
	int n = write_sample(p, SAMPLE_LARGE | SAMPLE_EVF);
	ck_assert_int_ge(n, 20);
	size_t len;
	uint8_t *plain = load(p, &len);
	/* every kind of block is there */
	size_t offs[128];
	uint32_t types[128];
	size_t nb = blocks(plain, len, offs, types, 128);
	uint32_t want[] = {SHM_SCAP_SHB, SHM_SCAP_MI, SHM_SCAP_IL_V2, SHM_SCAP_UL_V2,
			   SHM_SCAP_PL_V9, SHM_SCAP_FDL_V2, SHM_SCAP_EV_V2, SHM_SCAP_EV_V2_LARGE,
			   SHM_SCAP_EVF_V2};
	for (size_t k = 0; k < sizeof want / sizeof want[0]; k++) {
		int found = 0;
		for (size_t j = 0; j < nb; j++)
			found |= types[j] == want[k];
		ck_assert_msg(found, "no block of type 0x%x", want[k]);
	}
	/* the section header as libscap writes it */
	uint32_t magic;
	uint16_t major, minor;
	memcpy(&magic, plain + 8, 4);
	memcpy(&major, plain + 12, 2);
	memcpy(&minor, plain + 14, 2);
	ck_assert_uint_eq(magic, SHM_SCAP_SHB_MAGIC);
	ck_assert_uint_eq(major, 1);
	ck_assert_uint_eq(minor, 2);
	check_file(p, plain, len);
	free(plain);

	/* the same with one process-list block per thread */
	write_sample(p, SAMPLE_LARGE | SAMPLE_EVF | SAMPLE_SPLIT_PL);
	plain = load(p, &len);
	nb = blocks(plain, len, offs, types, 128);
	size_t npl = 0;
	for (size_t j = 0; j < nb; j++)
		npl += types[j] == SHM_SCAP_PL_V9;
	ck_assert_uint_eq(npl, sample_nprocs);
	check_file(p, plain, len);
	free(plain);
}
END_TEST

START_TEST(gzip_reads_the_same)
{
	const char *p = tpath("gz.scap"), *pz = tpath("gz.scap.gz");
	write_sample(p, SAMPLE_LARGE | SAMPLE_EVF);
	size_t len;
	uint8_t *plain = load(p, &len);
	gzFile z = gzopen(pz, "wb9");
	ck_assert_ptr_nonnull(z);
	ck_assert_int_eq(gzwrite(z, plain, (unsigned)len), (int)len);
	ck_assert_int_eq(gzclose(z), Z_OK);
	size_t zlen;
	uint8_t *zdata = load(pz, &zlen);
	ck_assert_uint_eq(zdata[0], 0x1f);
	ck_assert_uint_eq(zdata[1], 0x8b);
	check_file(pz, plain, len);
	/* a cut compressed stream ends in an error with an offset */
	const char *pc = tpath("cut.scap.gz");
	for (size_t cut = 10; cut < zlen; cut += zlen / 7) {
		store(pc, zdata, cut);
		struct outcome o = drain(pc);
		assert_offset_error(&o, "truncated gzip");
	}
	free(zdata);
	free(plain);
}
END_TEST

/* ---- writer rules ---- */

START_TEST(writer_rules)
{
	const char *p = tpath("rules.scap");
	struct shm_scap_writer *w;
	uint8_t buf[256];
	struct shm_enc e;

	ck_assert_int_eq(shm_scap_writer_new(&w, p), 0);
	/* strings longer than sysdig's reader takes are cut, and counted */
	char longcomm[3000];
	memset(longcomm, 'c', sizeof longcomm - 1);
	longcomm[sizeof longcomm - 1] = 0;
	struct shm_scap_proc pr = sample_procs[0];
	pr.comm = longcomm;
	ck_assert_int_eq(shm_scap_write_procs(w, &pr, 1), 0);
	ck_assert_uint_eq(shm_scap_writer_truncated(w), 1);
	/* an fd type the format cannot hold */
	struct shm_scap_fd bad = {.fd = 3, .type = 99, .name = "x"};
	struct shm_scap_writer *w2;
	ck_assert_int_eq(shm_scap_writer_new(&w2, tpath("rules2.scap")), 0);
	ck_assert_int_eq(shm_scap_write_procs(w2, sample_procs, 1), 0);
	ck_assert_int_eq(shm_scap_write_fds(w2, 1, &bad, 1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(shm_scap_writer_error(w2), "type 99"));
	/* the first error sticks */
	ck_assert_int_eq(shm_scap_write_machine(w2, &sample_machine), -EINVAL);
	ck_assert_int_eq(shm_scap_writer_free(w2), -EINVAL);

	/* an fd list must name a thread of the process list (libscap insists) */
	ck_assert_int_eq(shm_scap_writer_new(&w2, tpath("rules3.scap")), 0);
	ck_assert_int_eq(shm_scap_write_fds(w2, 77, sample_fds, 1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(shm_scap_writer_error(w2), "not in the process list"));
	shm_scap_writer_free(w2);

	/* libscap's "large" dump flag alone does not make an EVF block */
	shm_enc_begin(&e, buf, sizeof buf, SHM_EV_SYSCALL_CLOSE_E, 5, 6);
	shm_enc_s64(&e, 3);
	int len = shm_enc_end(&e);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(shm_scap_write_event(w, 0, 4, buf, (uint32_t)len), 0);
	ck_assert_int_eq(shm_scap_writer_free(w), 0);

	struct shm_scap_reader *r;
	char err[256];
	ck_assert_msg(shm_scap_reader_new(&r, p, err, sizeof err) == 0, "%s", err);
	const struct shm_scap_proc *ps;
	ck_assert_uint_eq(shm_scap_reader_procs(r, &ps), 1);
	ck_assert_uint_eq(strlen(ps[0].comm), SHM_SCAP_MAX_PATH);
	struct shm_scap_item it;
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.flags, 0);
	size_t flen;
	uint8_t *fdata = load(p, &flen);
	uint32_t bt;
	memcpy(&bt, fdata + it.offset, 4);
	ck_assert_uint_eq(bt, SHM_SCAP_EV_V2);
	free(fdata);
	shm_scap_reader_free(r);

	/* metadata after an event; malformed events */
	ck_assert_int_eq(shm_scap_writer_new(&w, p), 0);
	ck_assert_int_eq(shm_scap_write_event(w, 0, 0, buf, (uint32_t)len - 1), -EINVAL);
	ck_assert_ptr_nonnull(strstr(shm_scap_writer_error(w), "header says"));
	shm_scap_writer_free(w);
	ck_assert_int_eq(shm_scap_writer_new(&w, p), 0);
	ck_assert_int_eq(shm_scap_write_event(w, 0, 0, buf, (uint32_t)len), 0);
	ck_assert_int_eq(shm_scap_write_machine(w, &sample_machine), -EINVAL);
	ck_assert_ptr_nonnull(strstr(shm_scap_writer_error(w), "must come first"));
	shm_scap_writer_free(w);

	/* a non-large event too big for sysdig's 64 KiB event buffer */
	static uint8_t big[70000];
	static uint8_t data[66000];
	ck_assert_int_eq(shm_scap_writer_new(&w, p), 0);
	shm_enc_begin(&e, big, sizeof big, SHM_EV_SYSCALL_WRITE_X, 1, 1);
	shm_enc_s64(&e, 65000);
	shm_enc_param(&e, data, 65000);
	len = shm_enc_end(&e);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(shm_scap_write_event(w, 0, 0, big, (uint32_t)len), 0);
	shm_enc_begin(&e, big, sizeof big, SHM_EV_SYSCALL_WRITE_X, 1, 1);
	shm_enc_s64(&e, 65535);
	shm_enc_param(&e, data, 65535);
	len = shm_enc_end(&e);
	ck_assert_int_gt(len, 0);
	ck_assert_int_eq(shm_scap_write_event(w, 0, 0, big, (uint32_t)len), -E2BIG);
	shm_scap_writer_free(w);
	/* a descriptor the caller owns: written from its position, left open */
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(shm_scap_writer_fdopen(&w, fd), 0);
	int n = sample_write(w, 0, NULL, NULL);
	ck_assert_int_gt(n, 0);
	ck_assert_int_eq(shm_scap_writer_free(w), 0);
	ck_assert_int_ne(fcntl(fd, F_GETFD), -1);
	close(fd);
	struct outcome o = drain(p);
	ck_assert_msg(o.rc == 0, "%s", o.err);
	ck_assert_int_eq(o.nevents, n);
	ck_assert_int_eq(shm_scap_writer_fdopen(&w, -1), -EBADF);
	/* a missing directory */
	ck_assert_int_eq(shm_scap_writer_new(&w, tpath("no/such/dir.scap")), -ENOENT);
	ck_assert_ptr_null(w);
}
END_TEST

/* ---- older block versions, built by hand ---- */

struct bb {
	uint8_t d[4096];
	size_t n;
};

static void put(struct bb *b, const void *p, size_t n)
{
	ck_assert_uint_le(b->n + n, sizeof b->d);
	memcpy(b->d + b->n, p, n);
	b->n += n;
}
static void p8(struct bb *b, uint8_t v) { put(b, &v, 1); }
static void p16(struct bb *b, uint16_t v) { put(b, &v, 2); }
static void p32(struct bb *b, uint32_t v) { put(b, &v, 4); }
static void p64(struct bb *b, uint64_t v) { put(b, &v, 8); }
static void pstr(struct bb *b, const char *s)
{
	p16(b, (uint16_t)strlen(s));
	put(b, s, strlen(s));
}

/* Wraps body as a block of type t into out. */
static void block(struct bb *out, uint32_t t, const struct bb *body)
{
	uint32_t total = (uint32_t)(8 + body->n + shm_scap_pad(body->n) + 4);
	static const uint8_t zero[4];
	p32(out, t);
	p32(out, total);
	put(out, body->d, body->n);
	put(out, zero, shm_scap_pad(body->n));
	p32(out, total);
}

static void shb(struct bb *out, uint32_t magic, uint16_t major)
{
	struct bb b = {.n = 0};
	p32(&b, magic);
	p16(&b, major);
	p16(&b, 2);
	p64(&b, UINT64_MAX);
	block(out, SHM_SCAP_SHB, &b);
}

static int close_event(uint8_t *buf, size_t cap)
{
	struct shm_enc e;
	shm_enc_begin(&e, buf, cap, SHM_EV_SYSCALL_CLOSE_E, 77, 42);
	shm_enc_s64(&e, 3);
	return shm_enc_end(&e);
}

static void ev_block(struct bb *out)
{
	struct bb b = {.n = 0};
	uint8_t ev[64];
	int len = close_event(ev, sizeof ev);
	ck_assert_int_gt(len, 0);
	p16(&b, 1);
	put(&b, ev, (size_t)len);
	block(out, SHM_SCAP_EV_V2, &b);
}

START_TEST(old_block_versions)
{
	struct bb f = {.n = 0}, b;
	shb(&f, SHM_SCAP_SHB_MAGIC, 1);
	/* PL_V6 (0x212): no entry length, no vpgid, no exepath, no trailing fields */
	b.n = 0;
	p64(&b, 42); p64(&b, 42); p64(&b, 1); p64(&b, 42);
	pstr(&b, "sh"); pstr(&b, "/bin/sh"); pstr(&b, "-c"); pstr(&b, "/tmp");
	p64(&b, 256); p32(&b, 0); p32(&b, 1000); p32(&b, 1001);
	p32(&b, 1); p32(&b, 2); p32(&b, 3); p64(&b, 4); p64(&b, 5);
	pstr(&b, "A=b"); p64(&b, 7); p64(&b, 8); pstr(&b, "cpu=/"); pstr(&b, "/");
	block(&f, 0x212, &b);
	/* FDL v1 (0x203): no entry lengths */
	b.n = 0;
	p64(&b, 42);
	p64(&b, 3); p64(&b, 99); p8(&b, SHM_SCAP_FD_FILE); pstr(&b, "/etc/hosts");
	p64(&b, 4); p64(&b, 98); p8(&b, SHM_SCAP_FD_FILE_V2); p32(&b, 1); pstr(&b, "/x");
	block(&f, 0x203, &b);
	/* UL v1 (0x206) */
	b.n = 0;
	p8(&b, 0); p32(&b, 1000); p32(&b, 1001); pstr(&b, "bob"); pstr(&b, "/home/bob");
	pstr(&b, "/bin/sh");
	p8(&b, 1); p32(&b, 1001); pstr(&b, "bobs");
	block(&f, 0x206, &b);
	/* IL v1 (0x205): an IPv4 entry without link speed */
	b.n = 0;
	p16(&b, SHM_SCAP_II_IPV4_NOLINKSPEED); p16(&b, 4); p32(&b, 0x0100000a);
	p32(&b, 0xff); p32(&b, 0xff00000a); put(&b, "eth1", 4);
	block(&f, 0x205, &b);
	/* an unknown block is skipped with a warning */
	b.n = 0;
	p32(&b, 0xdeadbeef);
	block(&f, 0x999, &b);
	ev_block(&f);
	const char *p = tpath("old.scap");
	store(p, f.d, f.n);

	struct shm_scap_reader *r;
	char err[256];
	char warnings[512] = "";
	FILE *wf = fmemopen(warnings, sizeof warnings - 1, "w");
	setvbuf(wf, NULL, _IONBF, 0);
	ck_assert_msg(shm_scap_reader_open(&r, p, wf, err, sizeof err) == 0, "%s", err);
	const struct shm_scap_proc *ps;
	ck_assert_uint_eq(shm_scap_reader_procs(r, &ps), 1);
	ck_assert_uint_eq(ps[0].tid, 42);
	ck_assert_uint_eq(ps[0].sid, 42);
	ck_assert_uint_eq(ps[0].vpgid, (uint64_t)-1);
	ck_assert_str_eq(ps[0].comm, "sh");
	ck_assert_str_eq(ps[0].exepath, "");
	ck_assert_str_eq(ps[0].cwd, "/tmp");
	ck_assert_uint_eq(ps[0].gid, 1001);
	ck_assert_uint_eq(ps[0].pfminor, 5);
	ck_assert_str_eq(ps[0].env, "A=b");
	ck_assert_int_eq(ps[0].vpid, 8);
	ck_assert_str_eq(ps[0].cgroups, "cpu=/");
	ck_assert_str_eq(ps[0].root, "/");
	ck_assert_int_eq(ps[0].loginuid, -1);
	const struct shm_scap_fd *fds;
	ck_assert_uint_eq(shm_scap_reader_fds(r, 42, &fds), 2);
	ck_assert_str_eq(fds[0].name, "/etc/hosts");
	ck_assert_uint_eq(fds[1].open_flags, 1);
	ck_assert_str_eq(fds[1].name, "/x");
	const struct shm_scap_user *us;
	const struct shm_scap_group *gs;
	ck_assert_uint_eq(shm_scap_reader_users(r, &us), 1);
	ck_assert_str_eq(us[0].homedir, "/home/bob");
	ck_assert_uint_eq(shm_scap_reader_groups(r, &gs), 1);
	ck_assert_str_eq(gs[0].name, "bobs");
	const struct shm_scap_iface *ifs;
	ck_assert_uint_eq(shm_scap_reader_ifaces(r, &ifs), 1);
	ck_assert_str_eq(ifs[0].ifname, "eth1");
	ck_assert_uint_eq(ifs[0].bcast4, 0xff00000a);
	ck_assert_uint_eq(ifs[0].linkspeed, 0);
	/* the unknown block was met while loading the metadata */
	ck_assert_uint_eq(shm_scap_reader_skipped(r), 1);
	ck_assert_msg(strstr(warnings, "unknown block type 0x999"), "%s", warnings);
	struct shm_scap_item it;
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 1);
	ck_assert_uint_eq(it.evt.tid, 42);
	ck_assert_uint_eq(it.cpuid, 1);
	ck_assert_int_eq(shm_scap_reader_next(r, &it), 0);
	shm_scap_reader_free(r);
	fclose(wf);
}
END_TEST

/* ---- damaged files ---- */

static uint8_t *sample_bytes(size_t *len)
{
	const char *p = tpath("base.scap");
	write_sample(p, SAMPLE_LARGE | SAMPLE_EVF);
	return load(p, len);
}

START_TEST(truncated_everywhere)
{
	size_t len, offs[128];
	uint32_t types[128];
	uint8_t *d = sample_bytes(&len);
	size_t nb = blocks(d, len, offs, types, 128);
	const char *p = tpath("trunc.scap");
	for (size_t cut = 0; cut < len; cut++) {
		store(p, d, cut);
		struct outcome o = drain(p);
		size_t k = 0, nev = 0;
		while (k < nb && offs[k] < cut) {
			nev += is_event(types[k]);
			k++;
		}
		int boundary = k < nb && offs[k] == cut;
		char ctx[64];
		snprintf(ctx, sizeof ctx, "cut at %zu", cut);
		if (boundary && cut > 0) {
			/* a file cut between blocks cannot be told from a short one */
			ck_assert_msg(o.rc == 0, "%s: %s", ctx, o.err);
			ck_assert_int_eq(o.nevents, (int)nev);
		} else {
			assert_offset_error(&o, ctx);
			ck_assert_msg(strstr(o.err, cut ? "truncated" : "empty") ||
				      strstr(o.err, "past the end"), "%s: %s", ctx, o.err);
		}
	}
	free(d);
}
END_TEST

START_TEST(broken_lengths)
{
	size_t len, offs[128];
	uint32_t types[128];
	uint8_t *d = sample_bytes(&len);
	size_t nb = blocks(d, len, offs, types, 128);
	uint8_t *m = malloc(len);
	const char *p = tpath("len.scap");
	for (size_t k = 0; k < nb; k++) {
		uint32_t l;
		memcpy(&l, d + offs[k] + 4, 4);
		struct {
			uint32_t v;
			const char *says;
		} bad[] = {
			{0, "too small"},
			{8, "too small"},
			{l + 2, "not a multiple of 4"},
			{l - 1, "not a multiple of 4"},
			{0xC0000000u, "exceeds the 64 MiB limit"},
			{(uint32_t)len + 4, "past the end"},
			{l + 4, NULL},	/* the trailer is looked for in the wrong place */
			{l - 4, NULL},
		};
		for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
			memcpy(m, d, len);
			memcpy(m + offs[k] + 4, &bad[j].v, 4);
			store(p, m, len);
			struct outcome o = drain(p);
			char ctx[96], at[32];
			snprintf(ctx, sizeof ctx, "block %zu (0x%x) length %u", k, types[k],
				 bad[j].v);
			assert_offset_error(&o, ctx);
			snprintf(at, sizeof at, "offset %zu:", offs[k]);
			ck_assert_msg(strstr(o.err, at), "%s: %s", ctx, o.err);
			if (bad[j].says)
				ck_assert_msg(strstr(o.err, bad[j].says), "%s: %s", ctx, o.err);
			if (bad[j].v == 0xC0000000u)
				ck_assert_int_eq(o.rc, -EFBIG);
		}
	}
	free(m);
	free(d);
}
END_TEST

START_TEST(bad_trailers)
{
	size_t len, offs[128];
	uint32_t types[128];
	uint8_t *d = sample_bytes(&len);
	size_t nb = blocks(d, len, offs, types, 128);
	const char *p = tpath("trailer.scap");
	for (size_t k = 0; k < nb; k++) {
		uint32_t l;
		memcpy(&l, d + offs[k] + 4, 4);
		uint32_t t = l + 4;
		memcpy(d + offs[k] + l - 4, &t, 4);
		store(p, d, len);
		memcpy(d + offs[k] + l - 4, &l, 4);
		struct outcome o = drain(p);
		char want[128];
		snprintf(want, sizeof want, "offset %zu: block type 0x%x", offs[k], types[k]);
		assert_offset_error(&o, want);
		ck_assert_msg(strstr(o.err, want), "%s", o.err);
		snprintf(want, sizeof want, "trailing length %u does not match %u", t, l);
		ck_assert_msg(strstr(o.err, want), "%s", o.err);
	}
	free(d);
}
END_TEST

/* Finds the first block of type t; its offset. */
static size_t find_block(const uint8_t *d, size_t len, uint32_t t)
{
	size_t offs[128];
	uint32_t types[128];
	size_t nb = blocks(d, len, offs, types, 128);
	for (size_t k = 0; k < nb; k++)
		if (types[k] == t)
			return offs[k];
	ck_abort_msg("no block 0x%x", t);
	return 0;
}

START_TEST(short_entries)
{
	size_t len;
	uint8_t *d = sample_bytes(&len);
	uint8_t *m = malloc(len);
	const char *p = tpath("short.scap");
	char want[160];
	struct outcome o;
	uint16_t big = 0xffff;
	uint32_t big32 = 0x10000;

	/* process entry: comm's length runs past the entry */
	size_t pl = find_block(d, len, SHM_SCAP_PL_V9);
	memcpy(m, d, len);
	memcpy(m + pl + 8 + 4 + 40, &big, 2);
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "process comm");
	snprintf(want, sizeof want, "offset %zu: block type 0x215 (process list): process entry "
		 "at offset %zu: comm needs 65535 bytes", pl, pl + 8);
	ck_assert_msg(strstr(o.err, want), "%s", o.err);
	/* process entry: its own length runs past the block */
	memcpy(m, d, len);
	memcpy(m + pl + 8, &big32, 4);
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "process entry length");
	ck_assert_msg(strstr(o.err, "entry length 65536 does not fit"), "%s", o.err);
	/* process entry: a length too short for the fields */
	uint32_t tiny = 20;
	memcpy(m, d, len);
	memcpy(m + pl + 8, &tiny, 4);
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "process entry too short");
	ck_assert_msg(strstr(o.err, "only 0 left in the process entry"), "%s", o.err);

	/* fd entry: the name runs past the entry (first fd is FILE_V2) */
	size_t fl = find_block(d, len, SHM_SCAP_FDL_V2);
	memcpy(m, d, len);
	memcpy(m + fl + 8 + 8 + 4 + 8 + 8 + 1 + 4, &big, 2);
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "fd name");
	snprintf(want, sizeof want, "offset %zu: block type 0x218 (fd list): fd entry at "
		 "offset %zu: name needs 65535 bytes", fl, fl + 16);
	ck_assert_msg(strstr(o.err, want), "%s", o.err);
	/* an fd type we do not know is skipped with a warning (V2 has lengths) */
	memcpy(m, d, len);
	m[fl + 8 + 8 + 4 + 8 + 8] = 77;
	store(p, m, len);
	o = drain(p);
	ck_assert_msg(o.rc == 0, "%s", o.err);
	ck_assert_uint_eq(o.skipped, 1);
	ck_assert_msg(strstr(o.warnings, "unknown fd type 77"), "%s", o.warnings);
	snprintf(want, sizeof want, "offset %zu:", fl);
	ck_assert_msg(strstr(o.warnings, want), "%s", o.warnings);

	/* user entry: name runs past */
	size_t ul = find_block(d, len, SHM_SCAP_UL_V2);
	memcpy(m, d, len);
	memcpy(m + ul + 8 + 4 + 1 + 8, &big, 2);
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "user name");
	ck_assert_msg(strstr(o.err, "user entry at offset") && strstr(o.err, "name needs 65535"),
		      "%s", o.err);

	/* interface entry: name runs past; then an unknown interface type */
	size_t il = find_block(d, len, SHM_SCAP_IL_V2);
	memcpy(m, d, len);
	memcpy(m + il + 8 + 4 + 2, &big, 2);
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "iface name");
	ck_assert_msg(strstr(o.err, "interface entry at offset"), "%s", o.err);
	memcpy(m, d, len);
	m[il + 8 + 4] = 9;
	store(p, m, len);
	o = drain(p);
	assert_offset_error(&o, "iface type");
	ck_assert_msg(strstr(o.err, "unknown interface type 9"), "%s", o.err);

	/* machine info shorter than its record */
	size_t mi = find_block(d, len, SHM_SCAP_MI);
	struct bb f = {.n = 0}, b = {.n = 0};
	put(&f, d, mi);
	p32(&b, 2);
	block(&f, SHM_SCAP_MI, &b);
	ev_block(&f);
	store(p, f.d, f.n);
	o = drain(p);
	assert_offset_error(&o, "machine info");
	ck_assert_msg(strstr(o.err, "machine info"), "%s", o.err);
	free(m);
	free(d);
}
END_TEST

START_TEST(bad_event_records)
{
	size_t len, offs[128];
	uint32_t types[128];
	uint8_t *d = sample_bytes(&len);
	size_t nb = blocks(d, len, offs, types, 128);
	int total = 0;
	for (size_t k = 0; k < nb; k++)
		total += is_event(types[k]);
	/* the first EV block holding an event with parameters */
	size_t ev = 0;
	for (size_t k = 0; k < nb && !ev; k++) {
		uint32_t np;
		memcpy(&np, d + offs[k] + 10 + 22, 4);
		if (types[k] == SHM_SCAP_EV_V2 && np > 0)
			ev = offs[k];
	}
	ck_assert_uint_gt(ev, 0);
	const char *p = tpath("badev.scap");
	uint8_t *m = malloc(len);
	char want[64];
	snprintf(want, sizeof want, "offset %zu: block type 0x216", ev);
	/* wrong parameter count, type out of range, length past the block, lengths
	 * past the record: each one is skipped, named, counted; the rest is read */
	struct {
		size_t at;
		uint32_t v;
		size_t n;
		const char *says;
	} bad[] = {
		{ev + 10 + 22, 9, 4, "parameters"},
		{ev + 10 + 20, 0x7fff, 2, "out of range"},
		{ev + 10 + 16, 4000, 4, "runs past"},
		{ev + 10 + 16, 27, 4, "do not fit"},
		{ev + 10 + 26, 0xfff0, 2, "parameter 0"},
	};
	for (size_t j = 0; j < sizeof bad / sizeof bad[0]; j++) {
		memcpy(m, d, len);
		memcpy(m + bad[j].at, &bad[j].v, bad[j].n);
		store(p, m, len);
		struct outcome o = drain(p);
		ck_assert_msg(o.rc == 0, "%s", o.err);
		ck_assert_int_eq(o.nevents, total - 1);
		ck_assert_uint_eq(o.skipped, 1);
		ck_assert_msg(strstr(o.warnings, want), "%s", o.warnings);
		ck_assert_msg(strstr(o.warnings, bad[j].says), "%s", o.warnings);
	}
	/* an unknown block between events: skipped, named, counted */
	size_t second = 0, seen = 0;
	for (size_t k = 0; k < nb && !second; k++)
		if (is_event(types[k]) && ++seen == 2)
			second = offs[k];
	struct bb u = {.n = 0}, ub = {.n = 0};
	p64(&ub, 0x1122334455667788ull);
	block(&u, 0x7777, &ub);
	memcpy(m, d, second);
	memcpy(m + second, u.d, u.n);
	FILE *fp = fopen(p, "wb");
	ck_assert_ptr_nonnull(fp);
	ck_assert_uint_eq(fwrite(m, 1, second + u.n, fp), second + u.n);
	ck_assert_uint_eq(fwrite(d + second, 1, len - second, fp), len - second);
	fclose(fp);
	struct outcome uo = drain(p);
	ck_assert_msg(uo.rc == 0, "%s", uo.err);
	ck_assert_int_eq(uo.nevents, total);
	ck_assert_uint_eq(uo.skipped, 1);
	snprintf(want, sizeof want, "offset %zu: unknown block type 0x7777 (20 bytes)", second);
	ck_assert_msg(strstr(uo.warnings, want), "%s", uo.warnings);
	free(m);
	free(d);

	/* a valid record followed by 4 more bytes than the padding explains */
	struct bb f = {.n = 0}, b = {.n = 0};
	uint8_t evbuf[64];
	int elen = close_event(evbuf, sizeof evbuf);
	shb(&f, SHM_SCAP_SHB_MAGIC, 1);
	p16(&b, 0);
	put(&b, evbuf, (size_t)elen);
	p32(&b, 0);
	block(&f, SHM_SCAP_EV_V2, &b);
	ev_block(&f);
	store(p, f.d, f.n);
	struct outcome o = drain(p);
	ck_assert_msg(o.rc == 0, "%s", o.err);
	ck_assert_int_eq(o.nevents, 1);
	ck_assert_uint_eq(o.skipped, 1);
	ck_assert_msg(strstr(o.warnings, "offset 28: block type 0x216 (event): bad event "
				 "record: event of 36 bytes leaves 6 unexplained bytes"),
		      "%s", o.warnings);
}
END_TEST

START_TEST(not_a_capture)
{
	struct outcome o;
	const char *p = tpath("text.scap");
	store(p, "hello, this is not a capture file\n", 34);
	o = drain(p);
	ck_assert(o.open_failed);
	ck_assert_msg(strstr(o.err, "offset 0: not a capture file"), "%s", o.err);
	store(p, "", 0);
	o = drain(p);
	ck_assert_msg(strstr(o.err, "offset 0: empty file"), "%s", o.err);

	struct bb f = {.n = 0};
	shb(&f, 0x12345678, 1);
	store(p, f.d, f.n);
	o = drain(p);
	ck_assert_msg(strstr(o.err, "offset 8: section header: byte-order magic 0x12345678"),
		      "%s", o.err);
	f.n = 0;
	shb(&f, __builtin_bswap32(SHM_SCAP_SHB_MAGIC), 1);
	store(p, f.d, f.n);
	o = drain(p);
	ck_assert_int_eq(o.rc, -ENOTSUP);
	ck_assert_msg(strstr(o.err, "other byte order"), "%s", o.err);
	f.n = 0;
	shb(&f, SHM_SCAP_SHB_MAGIC, 2);
	store(p, f.d, f.n);
	o = drain(p);
	ck_assert_int_eq(o.rc, -ENOTSUP);
	ck_assert_msg(strstr(o.err, "version 2.2 is newer"), "%s", o.err);
	/* a header and nothing else is a valid, empty capture */
	f.n = 0;
	shb(&f, SHM_SCAP_SHB_MAGIC, 1);
	store(p, f.d, f.n);
	o = drain(p);
	ck_assert_int_eq(o.rc, 0);
	ck_assert_int_eq(o.nevents, 0);

	o = drain(tpath("does-not-exist.scap"));
	ck_assert_int_eq(o.rc, -ENOENT);
	ck_assert_msg(strstr(o.err, "cannot open"), "%s", o.err);
}
END_TEST

START_TEST(random_damage)
{
	size_t len;
	uint8_t *d = sample_bytes(&len);
	uint8_t *m = malloc(len);
	const char *p = tpath("rand.scap");
	uint64_t x = 0x9E3779B97F4A7C15ull;
	int errors = 0, skips = 0;
	for (int i = 0; i < 1500; i++) {
		memcpy(m, d, len);
		int flips = 1 + i % 4;
		for (int j = 0; j < flips; j++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			m[(x >> 16) % len] ^= (uint8_t)(1u << (x % 8));
		}
		store(p, m, len);
		struct outcome o = drain(p);
		if (o.rc < 0) {
			errors++;
			assert_offset_error(&o, "random damage");
		}
		if (o.skipped) {
			skips++;
			ck_assert_msg(strstr(o.warnings, "offset "), "%s", o.warnings);
		}
	}
	/* the damage did reach the reader's checks */
	ck_assert_int_gt(errors, 10);
	ck_assert_int_gt(skips, 10);
	free(m);
	free(d);
}
END_TEST

/* ---- blocks in memory: the same layouts, built and parsed without a file ---- */

/* The sample's metadata blocks, built with the block API in a buffer. */
static size_t build_blocks(uint8_t *buf, size_t cap, size_t *offs, uint32_t *types)
{
	struct shm_scap_block b;
	size_t o = 0, k = 0;
#define NEXT() (offs[k] = o, types[k++] = b.type, o += shm_scap_block_end(&b))
	ck_assert_int_eq(shm_scap_block_begin(&b, buf + o, cap - o, SHM_SCAP_MI), 0);
	ck_assert_int_eq(shm_scap_block_machine(&b, &sample_machine), 0);
	NEXT();
	ck_assert_int_eq(shm_scap_block_begin(&b, buf + o, cap - o, SHM_SCAP_IL_V2), 0);
	for (int v6 = 0; v6 <= 1; v6++)
		for (size_t i = 0; i < sample_nifaces; i++)
			if (!!sample_ifaces[i].is_ipv6 == v6)
				ck_assert_int_eq(shm_scap_block_add_iface(&b, &sample_ifaces[i]), 0);
	NEXT();
	ck_assert_int_eq(shm_scap_block_begin(&b, buf + o, cap - o, SHM_SCAP_UL_V2), 0);
	for (size_t i = 0; i < sample_nusers; i++)
		ck_assert_int_eq(shm_scap_block_add_user(&b, &sample_users[i]), 0);
	for (size_t i = 0; i < sample_ngroups; i++)
		ck_assert_int_eq(shm_scap_block_add_group(&b, &sample_groups[i]), 0);
	NEXT();
	ck_assert_int_eq(shm_scap_block_begin(&b, buf + o, cap - o, SHM_SCAP_PL_V9), 0);
	for (size_t i = 0; i < sample_nprocs; i++)
		ck_assert_int_eq(shm_scap_block_add_proc(&b, &sample_procs[i]), 0);
	NEXT();
	ck_assert_int_eq(shm_scap_block_begin_fds(&b, buf + o, cap - o, SAMPLE_BASH_PID), 0);
	for (size_t i = 0; i < sample_nfds; i++)
		ck_assert_int_eq(shm_scap_block_add_fd(&b, &sample_fds[i]), 0);
	NEXT();
#undef NEXT
	return k;
}

START_TEST(blocks_in_memory)
{
	/* the file writer and the block API write the same bytes */
	const char *p = tpath("mem.scap");
	write_sample(p, 0);
	size_t len;
	uint8_t *plain = load(p, &len);
	size_t foffs[128], moffs[8];
	uint32_t ftypes[128], mtypes[8];
	size_t nf = blocks(plain, len, foffs, ftypes, 128);
	static uint8_t mem[1 << 16];
	size_t nm = build_blocks(mem, sizeof mem, moffs, mtypes);
	ck_assert_uint_eq(nm, 5);
	for (size_t k = 0; k < nm; k++) {
		ck_assert_uint_eq(ftypes[k + 1], mtypes[k]); /* after the section header */
		uint32_t fl, ml;
		memcpy(&fl, plain + foffs[k + 1] + 4, 4);
		memcpy(&ml, mem + moffs[k] + 4, 4);
		ck_assert_uint_eq(fl, ml);
		ck_assert_mem_eq(plain + foffs[k + 1], mem + moffs[k], fl);
	}

	/* parsed from memory, one block at a time: the sample's tables */
	struct shm_scap_meta *m;
	char err[256];
	ck_assert_int_eq(shm_scap_meta_new(&m), 0);
	for (size_t k = 0; k < nm; k++) {
		uint32_t ml;
		memcpy(&ml, mem + moffs[k] + 4, 4);
		ck_assert_msg(shm_scap_meta_parse(m, mem + moffs[k], ml, err, sizeof err) == 0,
			      "%s", err);
	}
	check_meta(m);
	ck_assert_uint_eq(shm_scap_meta_nfdsets(m), 1);
	uint64_t tid;
	const struct shm_scap_fd *fds;
	ck_assert_uint_eq(shm_scap_meta_fdset(m, 0, &tid, &fds), sample_nfds);
	ck_assert_uint_eq(tid, SAMPLE_BASH_PID);
	ck_assert_uint_eq(shm_scap_meta_fdset(m, 1, &tid, &fds), 0);

	/* cleared, then the same again: nothing left from before */
	shm_scap_meta_clear(m);
	const struct shm_scap_proc *ps;
	ck_assert_uint_eq(shm_scap_meta_procs(m, &ps), 0);
	ck_assert_ptr_null(shm_scap_meta_machine(m));
	ck_assert_uint_eq(shm_scap_meta_nfdsets(m), 0);
	for (size_t k = 0; k < nm; k++) {
		uint32_t ml;
		memcpy(&ml, mem + moffs[k] + 4, 4);
		ck_assert_int_eq(shm_scap_meta_parse(m, mem + moffs[k], ml, err, sizeof err), 0);
	}
	check_meta(m);

	/* not metadata: the section header, an event block */
	shm_scap_meta_clear(m);
	ck_assert_uint_eq(ftypes[0], SHM_SCAP_SHB);
	ck_assert_int_eq(shm_scap_meta_parse(m, plain, SHM_SCAP_SHB_LEN, err, sizeof err), -ENOTSUP);
	ck_assert_ptr_nonnull(strstr(err, "not a metadata block"));
	for (size_t k = 0; k < nf; k++) {
		if (!is_event(ftypes[k]))
			continue;
		uint32_t fl;
		memcpy(&fl, plain + foffs[k] + 4, 4);
		ck_assert_int_eq(shm_scap_meta_parse(m, plain + foffs[k], fl, NULL, 0), -ENOTSUP);
		break;
	}
	shm_scap_meta_free(m);
	free(plain);
}
END_TEST

/* Entries that do not fit leave the block as it was; lists split over
 * several blocks add up. */
START_TEST(blocks_split_when_full)
{
	uint8_t buf[160];
	struct shm_scap_block b;
	struct shm_scap_meta *m;
	char err[256];
	size_t added = 0, nblocks = 0;
	ck_assert_int_eq(shm_scap_meta_new(&m), 0);
	ck_assert_int_eq(shm_scap_block_begin(&b, buf, 11, SHM_SCAP_UL_V2), -ENOSPC);
	ck_assert_int_eq(shm_scap_block_begin(&b, buf, sizeof buf, SHM_SCAP_FDL_V2), -EINVAL);
	ck_assert_int_eq(shm_scap_block_begin(&b, buf, sizeof buf, SHM_SCAP_EV_V2), -EINVAL);
	/* a block that failed to begin takes nothing and ends empty */
	ck_assert_int_eq(shm_scap_block_add_user(&b, &sample_users[0]), -EINVAL);
	ck_assert_uint_eq(shm_scap_block_end(&b), 0);
	ck_assert_int_eq(shm_scap_block_begin_fds(&b, buf, sizeof buf, SAMPLE_BASH_PID), 0);
	ck_assert_int_eq(shm_scap_block_add_user(&b, &sample_users[0]), -EINVAL);
	while (added < sample_nfds) {
		size_t before = b.len;
		int rc = shm_scap_block_add_fd(&b, &sample_fds[added]);
		if (rc == -ENOSPC) {
			ck_assert_uint_eq(b.len, before);
			ck_assert_uint_gt(b.n, 0); /* every sample fd fits a block alone */
			size_t n = shm_scap_block_end(&b);
			ck_assert_uint_le(n, sizeof buf);
			ck_assert_msg(shm_scap_meta_parse(m, buf, n, err, sizeof err) == 0, "%s", err);
			nblocks++;
			ck_assert_int_eq(shm_scap_block_begin_fds(&b, buf, sizeof buf, SAMPLE_BASH_PID), 0);
			continue;
		}
		ck_assert_int_eq(rc, 0);
		added++;
	}
	size_t n = shm_scap_block_end(&b);
	ck_assert_int_eq(shm_scap_meta_parse(m, buf, n, err, sizeof err), 0);
	nblocks++;
	ck_assert_uint_gt(nblocks, 1);
	const struct shm_scap_fd *fds;
	ck_assert_uint_eq(shm_scap_meta_fds(m, SAMPLE_BASH_PID, &fds), sample_nfds);
	for (size_t i = 0; i < sample_nfds; i++)
		check_fd(&fds[i], &sample_fds[i]);
	ck_assert_uint_eq(shm_scap_meta_nfdsets(m), 1);
	/* an fd type the format cannot hold */
	struct shm_scap_fd bad = sample_fds[0];
	bad.type = 77;
	ck_assert_int_eq(shm_scap_block_begin_fds(&b, buf, sizeof buf, 1), 0);
	ck_assert_int_eq(shm_scap_block_add_fd(&b, &bad), -EINVAL);
	ck_assert_uint_eq(b.n, 0);
	shm_scap_meta_free(m);
}
END_TEST

static void meta_counts(const struct shm_scap_meta *m, size_t *c)
{
	const void *x;
	c[0] = shm_scap_meta_procs(m, (const struct shm_scap_proc **)&x);
	c[1] = shm_scap_meta_users(m, (const struct shm_scap_user **)&x);
	c[2] = shm_scap_meta_groups(m, (const struct shm_scap_group **)&x);
	c[3] = shm_scap_meta_ifaces(m, (const struct shm_scap_iface **)&x);
	c[4] = shm_scap_meta_fds(m, SAMPLE_BASH_PID, (const struct shm_scap_fd **)&x);
	c[5] = shm_scap_meta_nfdsets(m);
	c[6] = shm_scap_meta_machine(m) != NULL;
}

/* Damaged blocks from memory: every cut and every byte changed is parsed or
 * refused, never read out of bounds (ASan), and a refused block adds nothing. */
START_TEST(blocks_damaged_in_memory)
{
	static uint8_t mem[1 << 16], bad[1 << 16];
	size_t moffs[8];
	uint32_t mtypes[8];
	size_t nm = build_blocks(mem, sizeof mem, moffs, mtypes);
	struct shm_scap_meta *m;
	char err[256];
	ck_assert_int_eq(shm_scap_meta_new(&m), 0);
	uint64_t refused = 0, parsed = 0;
	for (size_t k = 0; k < nm; k++) {
		uint32_t len;
		memcpy(&len, mem + moffs[k] + 4, 4);
		for (uint32_t cut = 0; cut < len; cut++) {
			ck_assert_int_eq(shm_scap_meta_parse(m, mem + moffs[k], cut, err, sizeof err),
					 -EBADMSG);
			ck_assert_ptr_nonnull(strstr(err, "offset"));
		}
		for (uint32_t i = 0; i < len; i++) {
			static const uint8_t vals[] = {0x00, 0x01, 0x7f, 0x80, 0xff};
			for (size_t v = 0; v < sizeof vals; v++) {
				memcpy(bad, mem + moffs[k], len);
				if (bad[i] == vals[v])
					continue;
				bad[i] = vals[v];
				size_t before[7], after[7];
				shm_scap_meta_clear(m);
				meta_counts(m, before);
				int rc = shm_scap_meta_parse(m, bad, len, err, sizeof err);
				meta_counts(m, after);
				if (rc) {
					ck_assert_msg(rc == -EBADMSG || rc == -ENOTSUP, "rc %d", rc);
					ck_assert_mem_eq(before, after, sizeof before);
					refused++;
				} else {
					parsed++;
				}
			}
		}
	}
	ck_assert_uint_gt(refused, 100);
	ck_assert_uint_gt(parsed, 100);
	/* a bad block after good ones leaves the good ones in place */
	shm_scap_meta_clear(m);
	uint32_t len;
	memcpy(&len, mem + moffs[4] + 4, 4);
	ck_assert_int_eq(shm_scap_meta_parse(m, mem + moffs[4], len, err, sizeof err), 0);
	memcpy(bad, mem + moffs[4], len);
	uint32_t huge = 0x7fffffff;
	memcpy(bad + 8 + 8 + 4 * 0, &huge, 4); /* the first fd entry's length */
	ck_assert_int_eq(shm_scap_meta_parse(m, bad, len, err, sizeof err), -EBADMSG);
	const struct shm_scap_fd *fds;
	ck_assert_uint_eq(shm_scap_meta_fds(m, SAMPLE_BASH_PID, &fds), sample_nfds);
	shm_scap_meta_free(m);
}
END_TEST

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/check_scap.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	Suite *s = suite_create("scap");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, gzip_reads_the_same);
	tcase_add_test(tc, writer_rules);
	tcase_add_test(tc, old_block_versions);
	tcase_add_test(tc, truncated_everywhere);
	tcase_add_test(tc, broken_lengths);
	tcase_add_test(tc, bad_trailers);
	tcase_add_test(tc, short_entries);
	tcase_add_test(tc, bad_event_records);
	tcase_add_test(tc, not_a_capture);
	tcase_add_test(tc, random_damage);
	tcase_add_test(tc, blocks_in_memory);
	tcase_add_test(tc, blocks_split_when_full);
	tcase_add_test(tc, blocks_damaged_in_memory);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
