/* Unit tests of pdig's tables and helpers (suite "pdig"). */
#define _GNU_SOURCE
#include <check.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pdig.h"
#include "procfs.h"

START_TEST(table_matches_events)
{
	ck_assert_int_gt(PD_SYSCALL_COUNT, 40);
	for (unsigned i = 0; i < PD_SYSCALL_COUNT; i++) {
		const struct pd_syscall *sc = &pd_syscall_table[i];
		ck_assert_uint_lt(sc->ev_exit, SHM_EVENT_MAX);
		ck_assert_uint_eq(sc->ev_exit, sc->ev_enter + 1);
		ck_assert(shm_event_is_enter(sc->ev_enter));
		/* a decoder exactly where the event has parameters */
		ck_assert_int_eq(sc->enter != NULL, shm_event_table[sc->ev_enter].nparams > 0);
		ck_assert_int_eq(sc->exit != NULL, shm_event_table[sc->ev_exit].nparams > 0);
		ck_assert_int_eq(pd_syscall_by_nr[sc->nr], (int)i);
		/* the event carries the syscall's name, or is generic */
		const char *ev = shm_event_table[sc->ev_enter].name;
		ck_assert_msg(sc->ev_enter == SHM_EV_GENERIC_E || strncmp(sc->name, ev, strlen(ev)) == 0,
			      "%s mapped to event %s", sc->name, ev);
	}
	/* the rest of the kernel's syscalls: generic rows for -a only */
	int getpid = pd_syscall_by_nr[39];
	ck_assert_int_ge(getpid, 0);
	ck_assert_uint_eq(pd_syscall_table[getpid].ev_enter, SHM_EV_GENERIC_E);
	ck_assert_uint_eq(pd_syscall_table[getpid].flags & PD_SC_DEFAULT, 0);
	ck_assert_uint_eq(pd_syscall_table[pd_syscall_by_nr[2]].flags & PD_SC_DEFAULT, PD_SC_DEFAULT);
	/* exit_group never returns: no exit stop to wait for */
	ck_assert_uint_eq(pd_syscall_table[pd_syscall_by_nr[231]].flags & PD_SC_EXIT, 0);
}
END_TEST

START_TEST(open_flags)
{
	ck_assert_uint_eq(pd_open_flags(O_RDONLY), 0x1);
	ck_assert_uint_eq(pd_open_flags(O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC), 0x1106);
	ck_assert_uint_eq(pd_open_flags(O_RDWR | O_APPEND | O_EXCL | O_NONBLOCK), 0x3 | 0x8 | 0x20 | 0x40);
	ck_assert_uint_eq(pd_open_flags(O_RDONLY | O_DIRECTORY), 0x401);
	ck_assert_uint_eq(pd_open_flags(0100000 /* kernel O_LARGEFILE */), 0x801);
	ck_assert_uint_eq(pd_open_flags(O_TMPFILE | O_RDWR) & 0x2000, 0x2000);
	/* a native value of several bits counts only whole: O_DIRECTORY is
	 * not O_TMPFILE, O_DSYNC is not O_SYNC (which holds O_DSYNC's bit) */
	ck_assert_uint_eq(pd_open_flags(O_DIRECTORY) & 0x2000, 0);
	ck_assert_uint_eq(pd_open_flags(O_DSYNC), 0x1 | 0x10);
	ck_assert_uint_eq(pd_open_flags(O_SYNC), 0x1 | 0x10 | 0x80);
	ck_assert_uint_eq(pd_open_flags(3 /* no access mode */), 0);
	ck_assert_uint_eq(pd_open_mode(O_RDONLY, 0644), 0);
	ck_assert_uint_eq(pd_open_mode(O_CREAT, 0100644), 0644);
}
END_TEST

START_TEST(other_flags)
{
	ck_assert_uint_eq(pd_clone_flags(CLONE_VM | CLONE_VFORK | SIGCHLD), 0x8000 | 0x8000000);
	ck_assert_uint_eq(pd_clone_flags(CLONE_THREAD | CLONE_SIGHAND | CLONE_FILES),
			  0x2000 | 0x800 | 0x1);
	ck_assert_uint_eq(pd_clone_flags(CLONE_NEWPID | CLONE_NEWUSER), 0x40 | 0x100000);
	ck_assert_uint_eq(pd_ptrace_request(0x4206 /* SEIZE */), 0x14);
	ck_assert_uint_eq(pd_ptrace_request(0 /* TRACEME */), 0x1);
	ck_assert_uint_eq(pd_ptrace_request(12345), 0);
	ck_assert_uint_eq(pd_execveat_flags(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW), 0x3);
	ck_assert_uint_eq(pd_unlinkat_flags(AT_REMOVEDIR), 0x200);
	ck_assert_uint_eq(pd_linkat_flags(AT_SYMLINK_FOLLOW), 0x400);
	ck_assert_uint_eq(pd_renameat2_flags(RENAME_NOREPLACE | RENAME_WHITEOUT | 0x100), 0x5);
	ck_assert_uint_eq(pd_prot_flags(PROT_READ | PROT_EXEC | PROT_GROWSDOWN), 0x1 | 0x4 | 0x10);
	ck_assert_uint_eq(pd_mmap_flags(MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED), 0x2 | 0x8 | 0x4);
	ck_assert_uint_eq(pd_mmap_flags(MAP_SHARED_VALIDATE), 0x1 | 0x2);
	ck_assert_uint_eq(pd_fcntl_cmd(F_DUPFD), 0x1);
	ck_assert_uint_eq(pd_fcntl_cmd(F_DUPFD_CLOEXEC), 0x1a);
	ck_assert_uint_eq(pd_fcntl_cmd(F_OFD_SETLKW), 0x20);
	ck_assert_uint_eq(pd_fcntl_cmd(1029 /* F_CANCELLK */), 0x19);
	ck_assert_uint_eq(pd_fcntl_cmd(12345), 0);
	ck_assert_uint_eq(pd_encode_dev(makedev(8, 3)), 0x803);
	ck_assert_uint_eq(pd_encode_dev(makedev(259, 0x123)), (0x23u) | (259u << 8) | (0x100u << 12));
}
END_TEST

START_TEST(tracee_table)
{
	struct pd_opts o;
	struct pd_tracer tr;
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(pd_tracer_init(&tr, &o), 0);
	for (pid_t p = 1; p <= 5000; p++)
		ck_assert_ptr_nonnull(pd_tracee_add(&tr, p * 7));
	ck_assert_uint_eq(tr.count, 5000);
	for (pid_t p = 1; p <= 5000; p++) {
		struct pd_tracee *t = pd_tracee_find(&tr, p * 7);
		ck_assert_ptr_nonnull(t);
		ck_assert_int_eq(t->tid, p * 7);
	}
	ck_assert_ptr_null(pd_tracee_find(&tr, 8));
	for (pid_t p = 1; p <= 5000; p += 2)
		pd_tracee_del(&tr, pd_tracee_find(&tr, p * 7));
	ck_assert_uint_eq(tr.count, 2500);
	ck_assert_ptr_null(pd_tracee_find(&tr, 7));
	ck_assert_ptr_nonnull(pd_tracee_find(&tr, 14));
	pd_tracer_fini(&tr);
}
END_TEST

START_TEST(arch_maps)
{
	struct pd_opts o;
	struct pd_tracer tr;
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(pd_tracer_init(&tr, &o), 0);
	pd_filter_arch_maps(&tr);
	/* i386: open is 5, execve 11; x32 shares x86_64's numbers for open */
	ck_assert_int_eq(tr.i386_map[5], pd_syscall_by_nr[2]);
	ck_assert_int_eq(tr.i386_map[11], pd_syscall_by_nr[59]);
	ck_assert_int_eq(tr.x32_map[2], pd_syscall_by_nr[2]);
	ck_assert_int_eq(tr.i386_map[20 /* getpid */], pd_syscall_by_nr[39]);
	ck_assert_int_eq(tr.i386_map[102 /* socketcall: no x86_64 twin */], -1);
	pd_tracer_fini(&tr);
}
END_TEST

START_TEST(filter_builds)
{
	struct pd_opts o;
	void *ctx = NULL;
	char err[128];
	memset(&o, 0, sizeof o);
	ck_assert_int_eq(pd_filter_build(&ctx, &o, 1, err, sizeof err), 0);
	ck_assert_ptr_nonnull(ctx);
	pd_filter_free(ctx);
	o.capture_all = 1;
	ck_assert_int_eq(pd_filter_build(&ctx, &o, 1, err, sizeof err), 0);
	pd_filter_free(ctx);
}
END_TEST

START_TEST(mem_reads)
{
	char buf[64];
	static const char s[] = "hello";
	ck_assert_int_eq(pd_mem_read_str(getpid(), (uint64_t)(uintptr_t)s, buf, sizeof buf), 6);
	ck_assert_str_eq(buf, "hello");
	ck_assert_int_eq(pd_mem_read_str(getpid(), (uint64_t)(uintptr_t)s, buf, 3), 3);
	ck_assert_str_eq(buf, "he");
	ck_assert_int_lt(pd_mem_read_str(getpid(), 1, buf, sizeof buf), 0);
	ck_assert_int_lt(pd_mem_read(getpid(), 0, buf, 4), 0);
}
END_TEST

/* The cgroups parameter: NUL-separated strings joined with '|' for checks. */
static const char *cgroups_of(const char *text)
{
	static struct pd_procinfo pi;
	static char buf[1024], out[4096];
	snprintf(buf, sizeof buf, "%s", text);
	pi.cgroups_len = 0;
	pd_parse_cgroups(&pi, buf);
	memcpy(out, pi.cgroups, pi.cgroups_len);
	for (uint32_t i = 0; i + 1 < pi.cgroups_len; i++)
		if (!out[i])
			out[i] = '|';
	out[pi.cgroups_len ? pi.cgroups_len - 1 : 0] = 0;
	return out;
}

START_TEST(cgroups)
{
	/* v1: one entry per controller, named hierarchies skipped */
	ck_assert_str_eq(cgroups_of("12:cpu,cpuacct:/docker/abc\n1:name=systemd:/x\n3:memory:/m\n"),
			 "cpu=/docker/abc|cpuacct=/docker/abc|memory=/m");
	/* v2 only: the one path for every subsystem */
	const char *v2 = cgroups_of("0::/kubepods/pod1/c2\n");
	ck_assert_ptr_nonnull(strstr(v2, "cpuset=/kubepods/pod1/c2|cpu=/kubepods/pod1/c2|"));
	ck_assert_ptr_nonnull(strstr(v2, "memory=/kubepods/pod1/c2"));
	/* hybrid: the v1 lines win, the "0::" line adds nothing */
	ck_assert_str_eq(cgroups_of("4:pids:/p\n0::/unified\n"), "pids=/p");
	ck_assert_str_eq(cgroups_of(""), "");
}
END_TEST

static Suite *pdig_suite(void)
{
	Suite *s = suite_create("pdig");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, table_matches_events);
	tcase_add_test(tc, open_flags);
	tcase_add_test(tc, other_flags);
	tcase_add_test(tc, tracee_table);
	tcase_add_test(tc, arch_maps);
	tcase_add_test(tc, filter_builds);
	tcase_add_test(tc, mem_reads);
	tcase_add_test(tc, cgroups);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pdig_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
