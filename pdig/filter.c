/*
 * The seccomp filter: SCMP_ACT_TRACE(PD_SECCOMP_TAG) for the syscalls of the
 * default set (and the io set with --io; all of the table with -a), allow
 * for the rest. Rows with a
 * when= condition stop only for the listed argument values. The i386 and
 * x32 ABIs get the same rules (libseccomp translates them by name), so a
 * 32-bit call (int 0x80) of a traced syscall stops as well; so do i386's
 * NAME32 calls (setuid32, setresuid32, chown32, ...) and fcntl64, as the
 * row NAME (i386_twin).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pdig.h"

/*
 * i386's NAME32 calls: the 32-bit-id twins of the 16-bit-id calls NAME
 * (setuid32, setreuid32, setresuid32, setgid32, ..., chown32, lchown32,
 * fchown32, getuid32, setgroups32, setfsuid32: 199-216), whose arguments
 * are those of x86_64's NAME, where ids have 32 bits. x86_64 has no such
 * names, so the translation by name misses them: each gets the rules and
 * the row of NAME. By name for every row rather than a hand list, so a row
 * added later is covered too. Of the i386 NAME64 calls (stat64,
 * clock_gettime64, ...), which mostly take other structures than NAME's
 * row decodes, only fcntl64 is a twin: i386 libc's fcntl, with fcntl's
 * arguments and the same F_DUPFD and F_DUPFD_CLOEXEC the row's condition
 * names. Twin k of NAME (k from 0; its name in buf): its i386 number, or
 * negative when i386 has none (or there is no twin k).
 */
#define I386_TWINS 2
static int i386_twin(const char *name, unsigned k, char *buf, size_t len)
{
	if (k >= I386_TWINS || (k == 1 && strcmp(name, "fcntl") != 0))
		return -1;
	int n = snprintf(buf, len, "%s%s", name, k == 0 ? "32" : "64");
	if (n < 0 || (size_t)n >= len)
		return -1;
	return seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, buf);
}

/* The rules of row sc for nr, libseccomp's native number of the call (a
 * negative pseudo number for a call x86_64 lacks: see pd_filter_build). */
static int add_rules(scmp_filter_ctx ctx, const struct pd_opts *opts,
		     const struct pd_syscall *sc, int nr)
{
	if (sc->when_arg < 0 || opts->capture_all)
		return seccomp_rule_add(ctx, SCMP_ACT_TRACE(PD_SECCOMP_TAG), nr, 0);
	/* only the argument values that change state (fcntl's F_DUPFD) */
	int rc = 0;
	for (unsigned v = 0; v < sc->when_n && rc >= 0; v++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(PD_SECCOMP_TAG), nr, 1,
				      SCMP_CMP((unsigned)sc->when_arg, SCMP_CMP_EQ,
					       sc->when_vals[v]));
	return rc;
}

int pd_filter_build(void **out, const struct pd_opts *opts, int set_nnp, char *err, size_t errlen)
{
	int rc;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx) {
		snprintf(err, errlen, "seccomp_init failed");
		return -ENOMEM;
	}
	static const uint32_t arches[] = {SCMP_ARCH_X86, SCMP_ARCH_X32};
	for (size_t i = 0; i < sizeof arches / sizeof arches[0]; i++) {
		rc = seccomp_arch_add(ctx, arches[i]);
		if (rc < 0 && rc != -EEXIST) {
			snprintf(err, errlen, "cannot add arch %#x to the filter: %s", arches[i],
				 strerror(-rc));
			goto err;
		}
	}
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, set_nnp ? 1 : 0)) < 0 ||
	    (rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2)) < 0) {
		snprintf(err, errlen, "cannot set filter attributes: %s", strerror(-rc));
		goto err;
	}
	for (unsigned i = 0; i < PD_SYSCALL_COUNT; i++) {
		const struct pd_syscall *sc = &pd_syscall_table[i];
		if (!pd_sc_traced(opts, sc))
			continue;
		/* a name unknown to this libseccomp cannot be traced natively */
		int nr = seccomp_syscall_resolve_name(sc->name);
		if (nr != __NR_SCMP_ERROR && (rc = add_rules(ctx, opts, sc, nr)) < 0) {
			snprintf(err, errlen, "cannot add a rule for %s: %s", sc->name,
				 strerror(-rc));
			goto err;
		}
		/*
		 * NAME32: x86_64 and x32 lack it, so its native number is a
		 * pseudo one (setuid32: -10052), which seccomp_rule_add
		 * translates by name for each arch of the filter: i386 gets
		 * the rule for its number (213), x86_64 and x32 keep it out of
		 * their BPF (libseccomp 2.5 gen_bpf.c, _skip_syscall: pseudo
		 * syscalls are not written).
		 */
		char twin[64];
		for (unsigned k = 0; k < I386_TWINS; k++) {
			if (i386_twin(sc->name, k, twin, sizeof twin) < 0)
				continue;
			nr = seccomp_syscall_resolve_name(twin);
			if (nr >= 0 || nr == __NR_SCMP_ERROR)
				continue; /* a native call of that name: not NAME's twin */
			if ((rc = add_rules(ctx, opts, sc, nr)) < 0) {
				snprintf(err, errlen, "cannot add a rule for %s: %s", twin,
					 strerror(-rc));
				goto err;
			}
		}
	}
	*out = ctx;
	return 0;
err:
	seccomp_release(ctx);
	return rc;
}

int pd_filter_load(void *ctx) { return seccomp_load(ctx); }

void pd_filter_free(void *ctx)
{
	if (ctx)
		seccomp_release(ctx);
}

/* 32-bit and x32 numbers -> table rows, by syscall name; i386's NAME32
 * -> the row of NAME (i386_twin). */
void pd_filter_arch_maps(struct pd_tracer *tr)
{
	for (unsigned i = 0; i < PD_SYSCALL_COUNT; i++) {
		const char *name = pd_syscall_table[i].name;
		int nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86, name);
		if (nr >= 0 && nr < PD_SYSCALL_NR_MAX)
			tr->i386_map[nr] = (int16_t)i;
		char twin[64];
		for (unsigned k = 0; k < I386_TWINS; k++) {
			nr = i386_twin(name, k, twin, sizeof twin);
			if (nr >= 0 && nr < PD_SYSCALL_NR_MAX && tr->i386_map[nr] < 0 &&
			    seccomp_syscall_resolve_name(twin) < 0)
				tr->i386_map[nr] = (int16_t)i;
		}
		nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_X32, name);
		if (nr >= 0) {
			nr &= ~0x40000000; /* __X32_SYSCALL_BIT */
			if (nr < (int)(sizeof tr->x32_map / sizeof tr->x32_map[0]))
				tr->x32_map[nr] = (int16_t)i;
		}
	}
}

/* The filter as classic BPF, for installing it in another process
 * (attach mode: inject.c). *prog is malloc'd; 0 or a negative errno. */
int pd_filter_export(void *ctx, void **prog, size_t *len)
{
	int fd = memfd_create("pdig-filter", MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	int rc = seccomp_export_bpf(ctx, fd);
	off_t size = rc < 0 ? -1 : lseek(fd, 0, SEEK_END);
	if (rc >= 0 && size <= 0)
		rc = -EINVAL;
	void *buf = rc < 0 ? NULL : malloc((size_t)size);
	if (rc >= 0 && !buf)
		rc = -ENOMEM;
	if (rc >= 0 && pread(fd, buf, (size_t)size, 0) != size)
		rc = -EIO;
	close(fd);
	if (rc < 0) {
		free(buf);
		return rc;
	}
	*prog = buf;
	*len = (size_t)size;
	return 0;
}
