/* Unit tests of the field library (suite "fields"). */
#include <check.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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


/* The value of a field through one ref kept across events (as filters and
 * outputs keep theirs), "<NA>" when not available. */
static const char *kept(struct eng_fieldref *r, struct fx *f, char *out, size_t cap)
{
	struct eng_value v;
	if (eng_field_extract(r, &f->ctx, &v))
		return "<NA>";
	const char *s = eng_value_str(r, &v, out, cap);
	if (s != out)
		snprintf(out, cap, "%s", s);
	return out;
}

START_TEST(numbers_printed_by_hand)
{
	static const int64_t vals[] = {0, 1, -1, 9, 10, 99, 100, 12345678, -12345678,
				       INT64_MAX, INT64_MIN, (int64_t)1 << 32, -((int64_t)1 << 40)};
	static const char *const names[] = {"thread.tid", "evt.num", "fd.sport", "evt.rawtime"};
	for (size_t k = 0; k < 4; k++) {
		struct eng_fieldref r;
		char why[128], out[64], want[64];
		ck_assert_int_eq(eng_field_resolve(&r, names[k], NULL, why, sizeof why), 0);
		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			struct eng_value v = {.n = vals[i]};
			if (r.type == ENG_FT_INT64)
				snprintf(want, sizeof want, "%" PRId64, vals[i]);
			else
				snprintf(want, sizeof want, "%" PRIu64, (uint64_t)vals[i]);
			ck_assert_str_eq(eng_value_str(&r, &v, out, sizeof out), want);
			/* cut like snprintf when the buffer is short */
			char small[5];
			size_t cut = strnlen(out, sizeof small - 1);
			memcpy(want, out, cut);
			want[cut] = 0;
			ck_assert_str_eq(eng_value_str(&r, &v, small, sizeof small), want);
		}
		eng_fieldref_clear(&r);
	}
}
END_TEST

/* The time text is kept per second: every form, across seconds, in any order. */
START_TEST(times_across_seconds)
{
	static const char *const names[] = {"evt.time", "evt.time.s", "evt.datetime"};
	struct eng_fieldref r[3];
	struct fx f;
	char why[128], b[128], want[128];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/", 0);
	for (int k = 0; k < 3; k++)
		ck_assert_int_eq(eng_field_resolve(&r[k], names[k], NULL, why, sizeof why), 0);
	static const uint64_t steps[] = {0, 1, 999999999, 1, 3600000000000ull, 7, 86400000000000ull,
					 500000000, 500000000};
	f.ts = 1700000000ull * 1000000000ull - 3;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		f.ts += steps[i];
		fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0); /* ts + 1000 */
		uint64_t ts = f.ts;
		time_t secs = (time_t)(ts / 1000000000ull);
		struct tm tm;
		localtime_r(&secs, &tm);
		for (int k = (int)(i % 3), n = 0; n < 3; k = (k + 1) % 3, n++) {
			size_t len = strftime(want, sizeof want, k == 2 ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
					      &tm);
			if (k != 1)
				snprintf(want + len, sizeof want - len, ".%09u",
					 (unsigned)(ts % 1000000000ull));
			ck_assert_str_eq(kept(&r[k], &f, b, sizeof b), want);
		}
	}
	for (int k = 0; k < 3; k++)
		eng_fieldref_clear(&r[k]);
	fx_free(&f);
}
END_TEST

/* proc.cmdline and friends are kept per ref until the thread's command line
 * changes, and follow thread switches, execve and clone. */
START_TEST(cmdline_follows_the_thread)
{
	static const char *const names[] = {"proc.cmdline", "proc.exeline", "proc.args",
					    "proc.pcmdline"};
	struct eng_fieldref r[4];
	struct fx f;
	char why[128], b[256];
	fx_init(&f);
	fx_proc(&f, 1, 1, 0, "init", "/", 0);
	fx_proc(&f, 100, 100, 1, "bash", "/", 0);
	fx_proc(&f, 200, 200, 100, "sh", "/", 0);
	for (int k = 0; k < 4; k++)
		ck_assert_int_eq(eng_field_resolve(&r[k], names[k], NULL, why, sizeof why), 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "bash");
	ck_assert_str_eq(kept(&r[3], &f, b, sizeof b), "init");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 200, 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "sh");
	ck_assert_str_eq(kept(&r[3], &f, b, sizeof b), "bash");
	fx_execve(&f, 100, "/usr/bin/python3", "python3", 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "python3 -x");
	ck_assert_str_eq(kept(&r[1], &f, b, sizeof b), "python3 -x"); /* exe: argv[0] */
	ck_assert_str_eq(kept(&r[2], &f, b, sizeof b), "-x");
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 200, 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "sh");
	ck_assert_str_eq(kept(&r[3], &f, b, sizeof b), "python3 -x");
	ck_assert_str_eq(kept(&r[2], &f, b, sizeof b), "");
	/* a failed execve changes nothing */
	fx_execve(&f, 200, "/bin/nope", "nope", -2);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "sh");
	/* a clone child gets the command line of the event */
	fx_clone_x(&f, 300, 0, 300, 200, "child", 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "child a b");
	ck_assert_str_eq(kept(&r[3], &f, b, sizeof b), "sh");
	/* the same thread id again, after an exit: a new thread, a new text */
	fx_procexit(&f, 300);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	fx_clone_x(&f, 300, 0, 300, 100, "other", 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "other a b");
	ck_assert_str_eq(kept(&r[3], &f, b, sizeof b), "python3 -x");
	/* a new state (maybe at the old one's address) with the same threads */
	fx_free(&f);
	fx_init(&f);
	fx_proc(&f, 1, 1, 0, "init", "/", 0);
	fx_proc(&f, 100, 100, 1, "zsh", "/", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 0);
	ck_assert_str_eq(kept(&r[0], &f, b, sizeof b), "zsh");
	for (int k = 0; k < 4; k++)
		eng_fieldref_clear(&r[k]);
	fx_free(&f);
}
END_TEST

/* The name of a failed open is worked out once per event: each event its own. */
START_TEST(failed_open_names_per_event)
{
	struct fx f;
	struct eng_fieldref r, d;
	char why[128], b[256];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "bash", "/home/u", 0);
	ck_assert_int_eq(eng_field_resolve(&r, "fd.name", NULL, why, sizeof why), 0);
	ck_assert_int_eq(eng_field_resolve(&d, "fd.directory", NULL, why, sizeof why), 0);
	fx_open(&f, 100, "a/../b.txt", 1, -2);
	ck_assert_str_eq(kept(&r, &f, b, sizeof b), "/home/u/b.txt");
	ck_assert_str_eq(kept(&d, &f, b, sizeof b), "/home/u");
	ck_assert_str_eq(kept(&r, &f, b, sizeof b), "/home/u/b.txt");
	fx_open(&f, 100, "/etc/x/y", 1, -13);
	ck_assert_str_eq(kept(&d, &f, b, sizeof b), "/etc/x");
	ck_assert_str_eq(kept(&r, &f, b, sizeof b), "/etc/x/y");
	/* a second state at the same point of its stream has its own name */
	struct fx g;
	fx_init(&g);
	fx_proc(&g, 100, 100, 1, "bash", "/srv", 0);
	fx_open(&g, 100, "/tmp", 1, 9);
	fx_open(&g, 100, "z", 1, -2);
	ck_assert_str_eq(kept(&r, &g, b, sizeof b), "/srv/z");
	ck_assert_str_eq(kept(&r, &f, b, sizeof b), "/etc/x/y");
	fx_free(&g);
	eng_fieldref_clear(&r);
	eng_fieldref_clear(&d);
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
	tcase_add_test(tc, numbers_printed_by_hand);
	tcase_add_test(tc, times_across_seconds);
	tcase_add_test(tc, cmdline_follows_the_thread);
	tcase_add_test(tc, failed_open_names_per_event);
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
