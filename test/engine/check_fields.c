/* Unit tests of the field library (suite "fields"). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "evgen.h"

START_TEST(resolve_names_and_arguments)
{
	struct eng_fieldref r;
	char why[128];
	ck_assert_int_eq(eng_field_resolve(&r, "proc.name", NULL, why, sizeof why), 0);
	ck_assert_int_eq(r.type, ENG_FT_STR);
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_resolve(&r, "evt.arg.fd", NULL, why, sizeof why), 0);
	ck_assert_str_eq(r.info->name, "evt.arg");
	ck_assert_str_eq(r.arg, "fd");
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_resolve(&r, "evt.arg", "2", why, sizeof why), 0);
	ck_assert_int_eq(r.argmode, 2);
	ck_assert_int_eq(r.argn, 2);
	eng_fieldref_clear(&r);
	/* rawarg takes the parameter's own type */
	ck_assert_int_eq(eng_field_resolve(&r, "evt.rawarg.res", NULL, why, sizeof why), 0);
	ck_assert_int_eq(r.type, ENG_FT_INT64);
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_resolve(&r, "evt.rawarg.name", NULL, why, sizeof why), 0);
	ck_assert_int_eq(r.type, ENG_FT_STR);
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_resolve(&r, "proc.nope", NULL, why, sizeof why), -ENOENT);
	ck_assert_int_eq(eng_field_resolve(&r, "evt.arg", NULL, why, sizeof why), -EINVAL);
	ck_assert_int_eq(eng_field_resolve(&r, "proc.name", "1", why, sizeof why), -EINVAL);
}
END_TEST

START_TEST(scan_format_tokens)
{
	struct eng_fieldref r;
	char why[128];
	ck_assert_int_eq(eng_field_scan(&r, "proc.name)", why, sizeof why), 9);
	eng_fieldref_clear(&r);
	/* a trailing dot is text, not part of the name */
	ck_assert_int_eq(eng_field_scan(&r, "proc.name. next", why, sizeof why), 9);
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_scan(&r, "evt.arg.name:", why, sizeof why), 12);
	ck_assert_str_eq(r.arg, "name");
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_scan(&r, "proc.aname[3] x", why, sizeof why), 13);
	ck_assert_int_eq(r.argn, 3);
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_scan(&r, "evt.time.s", why, sizeof why), 10);
	ck_assert_str_eq(r.info->name, "evt.time.s");
	eng_fieldref_clear(&r);
	ck_assert_int_eq(eng_field_scan(&r, "nosuch.field", why, sizeof why), 0);
}
END_TEST

START_TEST(every_field_extracts_without_state)
{
	/* no thread, no fd: every field answers (often "not available") */
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 5, 3);
	for (const struct eng_field_info *i = eng_fields; i->name; i++) {
		struct eng_fieldref r;
		struct eng_value v;
		char why[128];
		int rc = eng_field_resolve(&r, i->name, (i->flags & ENG_FF_ARG_REQUIRED) ? "0" : NULL,
					   why, sizeof why);
		ck_assert_msg(rc == 0, "%s: %s", i->name, why);
		if (eng_field_extract(&r, &f.ctx, &v) == 0)
			eng_value_str(&r, &v, b, sizeof b);
		ck_assert_ptr_nonnull(i->desc);
		ck_assert_ptr_nonnull(eng_ftype_name(i->type));
		eng_fieldref_clear(&r);
	}
	fx_free(&f);
}
END_TEST

START_TEST(event_fields)
{
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/", 0);
	fx_open(&f, 100, "/nonexistent", 1, -2);
	ck_assert_str_eq(fx_field(&f, "evt.type", b, sizeof b), "open");
	ck_assert_str_eq(fx_field(&f, "evt.dir", b, sizeof b), "<");
	ck_assert_str_eq(fx_field(&f, "evt.res", b, sizeof b), "ENOENT");
	ck_assert_str_eq(fx_field(&f, "evt.rawres", b, sizeof b), "-2");
	ck_assert_str_eq(fx_field(&f, "evt.failed", b, sizeof b), "true");
	ck_assert_str_eq(fx_field(&f, "evt.num", b, sizeof b), "2");
	/* a failed open still names its file */
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/nonexistent");
	ck_assert_str_eq(fx_field(&f, "fd.num", b, sizeof b), "-1");
	ck_assert_str_eq(fx_field(&f, "fd.typechar", b, sizeof b), "f");
	ck_assert_str_eq(fx_field(&f, "fd.type", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "evt.rawtime", b, sizeof b), "1000002000");
	ck_assert_str_eq(fx_field(&f, "evt.category", b, sizeof b), "file");
	/* enter events have no result */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "evt.res", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "evt.failed", b, sizeof b), "false");
	ck_assert_str_eq(fx_field(&f, "container.id", b, sizeof b), "host");
	fx_free(&f);
}
END_TEST


/* ptrace's exit has no request: with ENG_CTX_ENTER_ARGS it comes from the
 * enter event (today's libsinsp), without it is not available (sysdig 0.29.3) */
static void ptrace_pair(struct fx *f, int64_t tid, uint16_t request, int with_enter)
{
	if (with_enter) {
		fx_begin(f, SHM_EV_SYSCALL_PTRACE_E, tid);
		shm_enc_u16(&f->e, request);
		shm_enc_s64(&f->e, 1);
		fx_end(f);
	}
	fx_res_exit(f, SHM_EV_SYSCALL_PTRACE_X, tid, -1);
}

START_TEST(exit_args_from_enter)
{
	struct fx f;
	char b[512], why[256];
	struct eng_filter *flt;
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "gdb", "/", 0);
	fx_proc(&f, 1, 1, 0, "init", "/", 0);
	ptrace_pair(&f, 100, 0xb /* PTRACE_ATTACH */, 1);
	ck_assert_str_eq(fx_field(&f, "evt.arg.request", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "evt.rawarg.request", b, sizeof b), "<NA>");
	ck_assert_int_eq(eng_filter_new("evt.arg.request contains PTRACE_ATTACH", &flt, why,
					sizeof why), 0);
	ck_assert_int_eq(eng_filter_match(flt, &f.ctx), 0);
	f.ctx.flags = ENG_CTX_ENTER_ARGS;
	ck_assert_str_eq(fx_field(&f, "evt.arg.request", b, sizeof b), "PTRACE_ATTACH");
	ck_assert_str_eq(fx_field(&f, "evt.rawarg.request", b, sizeof b), "11");
	/* the enter's pid is resolved with the state, like the enter's own */
	ck_assert_str_eq(fx_field(&f, "evt.arg.pid", b, sizeof b), "init");
	/* what the exit has stays the exit's; what neither has stays missing */
	ck_assert_str_eq(fx_field(&f, "evt.arg.res", b, sizeof b), "EPERM");
	ck_assert_str_eq(fx_field(&f, "evt.arg[0]", b, sizeof b), "EPERM");
	ck_assert_str_eq(fx_field(&f, "evt.arg.nosuch", b, sizeof b), "<NA>");
	ck_assert_int_eq(eng_filter_match(flt, &f.ctx), 1);
	/* an exit that does not follow its enter (lost) has nothing to fall back on */
	ptrace_pair(&f, 100, 0xb, 0);
	ck_assert_str_eq(fx_field(&f, "evt.arg.request", b, sizeof b), "<NA>");
	ck_assert_int_eq(eng_filter_match(flt, &f.ctx), 0);
	/* enter events are unchanged */
	fx_begin(&f, SHM_EV_SYSCALL_PTRACE_E, 100);
	shm_enc_u16(&f.e, 0x1 /* PTRACE_TRACEME */);
	shm_enc_s64(&f.e, 0);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "evt.arg.request", b, sizeof b), "PTRACE_TRACEME");
	eng_filter_free(flt);
	fx_free(&f);
}
END_TEST

/* execve's exit with an environment and flags. */
static void execve_env(struct fx *f, int64_t tid, const char *path, const char *env,
		       uint32_t envlen, uint32_t flags)
{
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_E, tid);
	shm_enc_str(&f->e, path);
	fx_end(f);
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&f->e, 0); shm_enc_str(&f->e, "x"); shm_enc_param(&f->e, "", 0);
	shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, 1);
	shm_enc_str(&f->e, "/"); shm_enc_u64(&f->e, 1024); shm_enc_u64(&f->e, 0);
	shm_enc_u64(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	shm_enc_str(&f->e, "x"); shm_enc_empty(&f->e); shm_enc_param(&f->e, env, envlen);
	shm_enc_u32(&f->e, 0); shm_enc_s64(&f->e, tid); shm_enc_u32(&f->e, 0);
	shm_enc_u32(&f->e, flags);
	fx_end(f);
}

START_TEST(falco_rule_fields)
{
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_proc(&f, 1, 1, 0, "init", "/", 0);
	fx_proc(&f, 100, 100, 1, "sh", "/tmp", 0);
	/* not in the proc list: empty, as sysdig shows it; no variable has a value */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "proc.env", b, sizeof b), "");
	ck_assert_str_eq(fx_field(&f, "proc.env[HOME]", b, sizeof b), "<NA>");
	execve_env(&f, 100, "/bin/x", "A=1\0B=two=2\0", 12, 0);
	ck_assert_str_eq(fx_field(&f, "proc.env", b, sizeof b), "A=1 B=two=2");
	ck_assert_str_eq(fx_field(&f, "proc.env[B]", b, sizeof b), "two=2");
	ck_assert_str_eq(fx_field(&f, "proc.env[A]", b, sizeof b), "1");
	ck_assert_str_eq(fx_field(&f, "proc.env[C]", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "false");
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_upper_layer", b, sizeof b), "<NA>");
	/* execve's flags: from memfd (1 << 2), upper layer (1 << 1) */
	execve_env(&f, 100, "/bin/x", "", 0, 1u << 2 | 1u << 1);
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "true");
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_upper_layer", b, sizeof b), "true");
	ck_assert_str_eq(fx_field(&f, "proc.env", b, sizeof b), "");
	/* fexecve of an fd made by an undecoded syscall (memfd_create) ... */
	execve_env(&f, 100, "/proc/self/fd/5", "", 0, 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "true");
	ck_assert_str_eq(fx_field(&f, "proc.exepath", b, sizeof b), "/proc/self/fd/5");
	/* ... but not of a file the state knows */
	fx_open(&f, 100, "/bin/true", 1, 5);
	execve_env(&f, 100, "/dev/fd/5", "", 0, 0);
	ck_assert_str_eq(fx_field(&f, "proc.is_exe_from_memfd", b, sizeof b), "false");

	/* what this engine cannot know exists, and is not available */
	static const char *const na[] = {"thread.cap_effective", "thread.cap_permitted",
		"container.image.repository", "container.privileged", "container.mount.dest[0]",
		"container.mounts", "container.start_ts", "fd.sip.name", "fd.cip.name",
		"k8s.ns.name", "k8s.pod.name", "evt.asynctype", "proc.exe_ino.ctime", NULL};
	for (int i = 0; na[i]; i++)
		ck_assert_msg(!strcmp(fx_field(&f, na[i], b, sizeof b), "<NA>"), "%s", na[i]);
	/* and in conditions it behaves like any missing field: false, so "not" is true */
	static const struct { const char *cond; int want; } conds[] = {
		{"thread.cap_effective icontains sys_module", 0},
		{"not thread.cap_effective icontains sys_module", 1},
		{"container.image.repository in (falco)", 0},
		{"not container.image.repository in (falco)", 1},
		{"container.privileged = true", 0},
		{"container.mount.dest[/proc*] != N/A", 0},
		{"k8s.ns.name exists", 0},
		{"proc.env contains 'A='", 0},
		{"proc.env exists", 1},
		{"proc.is_exe_from_memfd = false", 1},
		{NULL, 0},
	};
	for (int i = 0; conds[i].cond; i++) {
		struct eng_filter *flt;
		char why[256];
		ck_assert_msg(eng_filter_new(conds[i].cond, &flt, why, sizeof why) == 0, "%s", why);
		ck_assert_msg(eng_filter_match(flt, &f.ctx) == conds[i].want, "%s", conds[i].cond);
		eng_filter_free(flt);
	}
	fx_free(&f);
}
END_TEST

START_TEST(nameraw_and_buffer)
{
	struct fx f;
	char b[512], why[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "cat", "/home/u", 0);
	fx_begin(&f, SHM_EV_SYSCALL_OPENAT_2_E, 100);
	shm_enc_s64(&f.e, -100); shm_enc_str(&f.e, "../../etc/./passwd"); shm_enc_u32(&f.e, 1);
	shm_enc_u32(&f.e, 0);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SYSCALL_OPENAT_2_X, 100);
	shm_enc_s64(&f.e, 3); shm_enc_s64(&f.e, -100); shm_enc_str(&f.e, "../../etc/./passwd");
	shm_enc_u32(&f.e, 1); shm_enc_u32(&f.e, 0); shm_enc_u32(&f.e, 0);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "fd.name", b, sizeof b), "/etc/passwd");
	ck_assert_str_eq(fx_field(&f, "fd.nameraw", b, sizeof b), "../../etc/./passwd");
	struct eng_filter *flt;
	ck_assert_int_eq(eng_filter_new("fd.nameraw contains '../'", &flt, why, sizeof why), 0);
	ck_assert_int_eq(eng_filter_match(flt, &f.ctx), 1);
	eng_filter_free(flt);

	/* evt.buffer: the data of I/O exits, bytes as they are for filters */
	fx_fd_enter(&f, SHM_EV_SYSCALL_WRITE_E, 100, 3);
	ck_assert_str_eq(fx_field(&f, "evt.buffer", b, sizeof b), "<NA>");
	fx_begin(&f, SHM_EV_SYSCALL_WRITE_X, 100);
	shm_enc_s64(&f.e, 5); shm_enc_param(&f.e, "ab\0c\n", 5);
	fx_end(&f);
	ck_assert_str_eq(fx_field(&f, "evt.buffer", b, sizeof b), "ab.c.");
	{
		struct eng_output *o;
		char err[128], line[256];
		ck_assert_int_eq(eng_output_new("%toupper(evt.buffer)|%evt.buffer", &o, err,
						sizeof err), 0);
		ck_assert_int_eq(eng_output_render(o, &f.ctx, line, sizeof line), 11);
		ck_assert_str_eq(line, "AB.C.|ab.c.");
		eng_output_free(o);
	}
	ck_assert_int_eq(eng_filter_new("evt.buffer bcontains 00630a", &flt, why, sizeof why), 0);
	ck_assert_int_eq(eng_filter_match(flt, &f.ctx), 1);
	eng_filter_free(flt);
	ck_assert_int_eq(eng_filter_new("evt.buffer contains ab", &flt, why, sizeof why), 0);
	ck_assert_int_eq(eng_filter_match(flt, &f.ctx), 1);
	eng_filter_free(flt);
	fx_free(&f);
}
END_TEST

/* Without an index, in output: today's Falco's values (the filter's
 * any-ancestor matching is in check_filter.c) */
START_TEST(ancestors_without_index)
{
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_proc(&f, 1, 1, 0, "init", "/", 0);
	fx_proc(&f, 50, 50, 1, "bash", "/", 0);
	fx_proc(&f, 100, 100, 50, "child", "/", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(fx_field(&f, "proc.aname", b, sizeof b), "bash init");
	ck_assert_str_eq(fx_field(&f, "proc.aexe", b, sizeof b), "bash init");
	ck_assert_str_eq(fx_field(&f, "proc.apid", b, sizeof b), "100");
	ck_assert_str_eq(fx_field(&f, "proc.aname[0]", b, sizeof b), "child");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 1, 0);
	ck_assert_str_eq(fx_field(&f, "proc.aname", b, sizeof b), "<NA>");
	ck_assert_str_eq(fx_field(&f, "proc.apid", b, sizeof b), "1");
	fx_free(&f);
}
END_TEST

static Suite *fields_suite(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, resolve_names_and_arguments);
	tcase_add_test(tc, scan_format_tokens);
	tcase_add_test(tc, every_field_extracts_without_state);
	tcase_add_test(tc, event_fields);
	tcase_add_test(tc, exit_args_from_enter);
	tcase_add_test(tc, falco_rule_fields);
	tcase_add_test(tc, nameraw_and_buffer);
	tcase_add_test(tc, ancestors_without_index);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(fields_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
