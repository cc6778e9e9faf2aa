/*
 * scap_compare OURS THEIRS: reads two captures with our reader and checks
 * that THEIRS (e.g. what `sysdig -r OURS -w THEIRS` wrote) holds the same
 * events byte for byte (cpu, ts, tid, type, parameters) and contains our
 * metadata: every process (field by field), its fds, users, groups,
 * interfaces and the machine info. Exit 0 if so, 1 with the first
 * difference otherwise, 2 on usage or read errors.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_scap.h"

static int bad;

#define DIFF(...)                                    \
	do {                                         \
		fprintf(stderr, "scap_compare: " __VA_ARGS__); \
		fputc('\n', stderr);                 \
		bad = 1;                             \
	} while (0)

static int streq(const char *a, const char *b) { return strcmp(a ? a : "", b ? b : "") == 0; }

static int memeq(const char *a, uint32_t la, const char *b, uint32_t lb)
{
	return la == lb && (la == 0 || memcmp(a, b, la) == 0);
}

static void cmp_proc(const struct shm_scap_proc *a, const struct shm_scap_proc *b)
{
#define NUM(f) if (a->f != b->f) DIFF("tid %" PRIu64 ": " #f " differs", a->tid)
#define STR(f) if (!streq(a->f, b->f)) DIFF("tid %" PRIu64 ": " #f " '%s' vs '%s'", a->tid, a->f, b->f)
#define BUF(f) if (!memeq(a->f, a->f##_len, b->f, b->f##_len)) DIFF("tid %" PRIu64 ": " #f " differs", a->tid)
	NUM(pid); NUM(ptid); NUM(sid); NUM(vpgid);
	STR(comm); STR(exe); STR(exepath); BUF(args); STR(cwd); BUF(env); BUF(cgroups); STR(root);
	NUM(fdlimit); NUM(flags); NUM(uid); NUM(gid); NUM(vmsize_kb); NUM(vmrss_kb);
	NUM(vmswap_kb); NUM(pfmajor); NUM(pfminor); NUM(vtid); NUM(vpid); NUM(loginuid);
	NUM(exe_writable);
#undef NUM
#undef STR
#undef BUF
}

static void cmp_fds(uint64_t tid, const struct shm_scap_fd *a, size_t na,
		    const struct shm_scap_fd *b, size_t nb)
{
	if (na != nb)
		DIFF("tid %" PRIu64 ": %zu fds vs %zu", tid, na, nb);
	for (size_t i = 0; i < na; i++) {
		const struct shm_scap_fd *x = &a[i], *y = NULL;
		for (size_t j = 0; j < nb && !y; j++)
			if (b[j].fd == x->fd)
				y = &b[j];
		if (!y) {
			DIFF("tid %" PRIu64 ": fd %" PRId64 " missing", tid, x->fd);
			continue;
		}
		if (x->ino != y->ino || x->type != y->type || memcmp(x->sip, y->sip, 16) ||
		    memcmp(x->dip, y->dip, 16) || x->sport != y->sport || x->dport != y->dport ||
		    x->l4proto != y->l4proto || x->source != y->source || x->dest != y->dest ||
		    x->open_flags != y->open_flags || x->dev != y->dev || !streq(x->name, y->name))
			DIFF("tid %" PRIu64 ": fd %" PRId64 " differs", tid, x->fd);
	}
}

static struct shm_scap_reader *open_or_die(const char *path)
{
	char err[512];
	struct shm_scap_reader *r;
	if (shm_scap_reader_new(&r, path, err, sizeof err)) {
		fprintf(stderr, "scap_compare: %s\n", err);
		exit(2);
	}
	return r;
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: %s OURS THEIRS\n", argv[0]);
		return 2;
	}
	struct shm_scap_reader *a = open_or_die(argv[1]), *b = open_or_die(argv[2]);

	/* events first: theirs has our metadata only once it is all loaded */
	struct shm_scap_item ia, ib;
	int ra, rb;
	uint64_t n = 0;
	for (;;) {
		ra = shm_scap_reader_next(a, &ia);
		rb = shm_scap_reader_next(b, &ib);
		if (ra != 1 || rb != 1)
			break;
		n++;
		if (ia.cpuid != ib.cpuid || ia.evt.len != ib.evt.len ||
		    memcmp(ia.evt.raw, ib.evt.raw, ia.evt.len))
			DIFF("event %" PRIu64 " (%s, ts %" PRIu64 ") differs: ours at offset %" PRIu64
			     ", theirs at offset %" PRIu64, n, ia.evt.info->name, ia.evt.ts,
			     ia.offset, ib.offset);
	}
	if (ra < 0 || rb < 0) {
		fprintf(stderr, "scap_compare: %s\n",
			ra < 0 ? shm_scap_reader_error(a) : shm_scap_reader_error(b));
		return 2;
	}
	if (ra != rb)
		DIFF("after %" PRIu64 " events, %s has more", n, ra == 1 ? "ours" : "theirs");

	const struct shm_scap_machine *ma = shm_scap_reader_machine(a),
				      *mb = shm_scap_reader_machine(b);
	if (ma && (!mb || ma->num_cpus != mb->num_cpus ||
		   ma->memory_size_bytes != mb->memory_size_bytes || ma->max_pid != mb->max_pid ||
		   !streq(ma->hostname, mb->hostname)))
		DIFF("machine info differs");

	const struct shm_scap_proc *pa, *pb;
	size_t npa = shm_scap_reader_procs(a, &pa), npb = shm_scap_reader_procs(b, &pb);
	for (size_t i = 0; i < npa; i++) {
		const struct shm_scap_proc *q = NULL;
		for (size_t j = 0; j < npb && !q; j++)
			if (pb[j].tid == pa[i].tid)
				q = &pb[j];
		if (!q) {
			DIFF("tid %" PRIu64 " (%s) missing from theirs", pa[i].tid, pa[i].comm);
			continue;
		}
		cmp_proc(&pa[i], q);
		const struct shm_scap_fd *fa, *fb;
		size_t nfa = shm_scap_reader_fds(a, pa[i].tid, &fa);
		size_t nfb = shm_scap_reader_fds(b, pa[i].tid, &fb);
		cmp_fds(pa[i].tid, fa, nfa, fb, nfb);
	}

	const struct shm_scap_user *ua, *ub;
	size_t nua = shm_scap_reader_users(a, &ua), nub = shm_scap_reader_users(b, &ub);
	if (nua != nub)
		DIFF("%zu users vs %zu", nua, nub);
	for (size_t i = 0; i < nua && i < nub; i++)
		if (ua[i].uid != ub[i].uid || ua[i].gid != ub[i].gid || !streq(ua[i].name, ub[i].name) ||
		    !streq(ua[i].homedir, ub[i].homedir) || !streq(ua[i].shell, ub[i].shell))
			DIFF("user %zu (%s) differs", i, ua[i].name);
	const struct shm_scap_group *ga, *gb;
	size_t nga = shm_scap_reader_groups(a, &ga), ngb = shm_scap_reader_groups(b, &gb);
	if (nga != ngb)
		DIFF("%zu groups vs %zu", nga, ngb);
	for (size_t i = 0; i < nga && i < ngb; i++)
		if (ga[i].gid != gb[i].gid || !streq(ga[i].name, gb[i].name))
			DIFF("group %zu (%s) differs", i, ga[i].name);
	const struct shm_scap_iface *fa, *fb;
	size_t nfa = shm_scap_reader_ifaces(a, &fa), nfb = shm_scap_reader_ifaces(b, &fb);
	if (nfa != nfb)
		DIFF("%zu interfaces vs %zu", nfa, nfb);
	for (size_t i = 0; i < nfa && i < nfb; i++)
		if (fa[i].is_ipv6 != fb[i].is_ipv6 || fa[i].addr4 != fb[i].addr4 ||
		    fa[i].netmask4 != fb[i].netmask4 || fa[i].bcast4 != fb[i].bcast4 ||
		    memcmp(fa[i].addr6, fb[i].addr6, 16) || memcmp(fa[i].netmask6, fb[i].netmask6, 16) ||
		    memcmp(fa[i].bcast6, fb[i].bcast6, 16) || fa[i].linkspeed != fb[i].linkspeed ||
		    !streq(fa[i].ifname, fb[i].ifname))
			DIFF("interface %zu (%s) differs", i, fa[i].ifname);

	if (!bad)
		printf("identical: %" PRIu64 " events; %zu of our %zu processes with their fds, "
		       "%zu users, %zu groups, %zu interfaces found in theirs (%zu processes)\n",
		       n, npa, npa, nua, nga, nfa, npb);
	shm_scap_reader_free(a);
	shm_scap_reader_free(b);
	return bad;
}
