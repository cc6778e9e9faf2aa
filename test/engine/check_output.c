/* Unit tests of the -p line formatter (suite "output"). */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eng_output.h"
#include "evgen.h"

static int render(struct fx *f, const char *fmt, char *buf, size_t cap)
{
	struct eng_output *o;
	char err[256];
	ck_assert_msg(eng_output_new(fmt, &o, err, sizeof err) == 0, "%s", err);
	int n = eng_output_render(o, &f->ctx, buf, cap);
	eng_output_free(o);
	return n;
}

START_TEST(formats)
{
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "init", "/", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 7);
	ck_assert_int_ge(render(&f, "start %proc.name end", b, sizeof b), 0);
	ck_assert_str_eq(b, "start init end");
	render(&f, "start %2proc.name end", b, sizeof b);
	ck_assert_str_eq(b, "start in end");
	render(&f, "start %10proc.name end", b, sizeof b);
	ck_assert_str_eq(b, "start init       end");
	render(&f, "start%proc.nameand%thread.tidend", b, sizeof b);
	ck_assert_str_eq(b, "startinitand100end");
	render(&f, "%evt.type.%evt.dir", b, sizeof b);
	ck_assert_str_eq(b, "read.>");
	/* a missing field drops the line, unless the format starts with '*' */
	ck_assert_int_eq(render(&f, "start %proc.name %fd.name end", b, sizeof b), -1);
	ck_assert_int_ge(render(&f, "*start %proc.name %fd.name end", b, sizeof b), 0);
	ck_assert_str_eq(b, "start init <NA> end");
	render(&f, "no fields", b, sizeof b);
	ck_assert_str_eq(b, "no fields");
	/* cut to the buffer, never past it */
	ck_assert_int_lt(render(&f, "*%evt.args and a long tail of text", b, 8), 8);
	fx_free(&f);
}
END_TEST

START_TEST(bad_formats)
{
	static const char *const bad[] = {"start %some.field end", "start %a end", "start % end",
					  "start %proc.name %", "%evt.arg end", NULL};
	for (int i = 0; bad[i]; i++) {
		struct eng_output *o = NULL;
		char err[256] = "";
		ck_assert_msg(eng_output_new(bad[i], &o, err, sizeof err) == -EINVAL, "%s", bad[i]);
		ck_assert_ptr_null(o);
		ck_assert_msg(strstr(err, "format:"), "%s: %s", bad[i], err);
	}
}
END_TEST


START_TEST(transformers)
{
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "Init", "/", 0);
	fx_begin(&f, SHM_EV_SYSCALL_MKDIR_2_X, 100);
	shm_enc_s64(&f.e, 0);
	shm_enc_str(&f.e, "/Test/dir");
	fx_end(&f);
	static const struct { const char *fmt, *want; } cases[] = {
		{"a %toupper(proc.name) b", "a INIT b"},
		{"%tolower(proc.name)|%tolower(toupper(evt.arg.path))", "init|/test/dir"},
		{"%toupper(evt.arg[1])", "/TEST/DIR"},
		{"x%toupper(proc.name)and%tolower(evt.arg.path)y", "xINITand/test/diry"},
		{"[%2toupper(proc.name)][%6tolower(proc.name)]", "[IN][init  ]"},
		{"%concat(proc.name, evt.arg.path)", "Init/Test/dir"},
		{"%concat(toupper(proc.name),evt.arg.path, proc.name)", "INIT/Test/dirInit"},
		{"%join(\"->\", (proc.name, evt.arg.path))", "Init->/Test/dir"},
		{"%toupper(join(\"-\", (concat(proc.name, proc.name), tolower(proc.name))))",
		 "INITINIT-INIT"},
		{"%basename(evt.arg.path) %len(evt.arg.path) %len(proc.name)", "dir 9 4"},
		/* sysdig's own "%proc.name(" is text after a field, not a call */
		{"%proc.name(%thread.tid)", "Init(100)"},
		{NULL, NULL},
	};
	for (int i = 0; cases[i].fmt; i++) {
		ck_assert_msg(render(&f, cases[i].fmt, b, sizeof b) >= 0, "%s", cases[i].fmt);
		ck_assert_msg(!strcmp(b, cases[i].want), "%s: got '%s'", cases[i].fmt, b);
	}
	fx_free(&f);

	/* b64 decodes, as Falco's transformer does: "SW5pdA==" is "Init" */
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "SW5pdA==", "/", 0);
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 7);
	render(&f, "%b64(proc.name)", b, sizeof b);
	ck_assert_str_eq(b, "Init");
	/* a missing field inside a transformer: the token is missing */
	ck_assert_int_eq(render(&f, "start %proc.name %toupper(fd.name) end", b, sizeof b), -1);
	/* and the text before it stays in the buffer (Falco's formatter stops there) */
	ck_assert_str_eq(b, "start SW5pdA== ");
	ck_assert_int_ge(render(&f, "*start %concat(proc.name, fd.name) end", b, sizeof b), 0);
	ck_assert_str_eq(b, "start <NA> end");
	ck_assert_int_eq(render(&f, "start %proc.name %evt.asynctype end", b, sizeof b), -1);
	ck_assert_str_eq(b, "start SW5pdA== ");
	fx_free(&f);
}
END_TEST

/* One output object over many events, as a replay uses it: numbers, times
 * and names as snprintf and strftime would write them, line after line. */
START_TEST(lines_over_events)
{
	struct fx f;
	struct eng_output *o;
	char err[256], b[512], want[512], tm_text[64];
	fx_init(&f);
	fx_proc(&f, 4000000, 4000000, 1, "bash", "/", 0);
	ck_assert_int_eq(eng_output_new("%evt.num %evt.time %proc.name (%thread.tid) %evt.dir "
					"%evt.type %5fd.num|%fd.name", &o, err, sizeof err), 0);
	f.ts = 1700000000ull * 1000000000ull;
	for (int i = 0; i < 40; i++) {
		f.ts += (uint64_t)i * 170000000ull; /* some events share a second, some not */
		if (i % 2)
			fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 4000000, i - 20);
		else
			fx_open(&f, 4000000, i % 4 ? "/etc/passwd" : "missing", 1, i % 4 ? i : -2);
		time_t secs = (time_t)(f.ts / 1000000000ull);
		struct tm tm;
		localtime_r(&secs, &tm);
		strftime(tm_text, sizeof tm_text, "%H:%M:%S", &tm);
		char fdnum[16];
		snprintf(fdnum, sizeof fdnum, "%d", i % 2 ? i - 20 : i % 4 ? i : -1);
		snprintf(want, sizeof want, "%llu %s.%09u bash (4000000) %s %s %-5s|%s",
			 (unsigned long long)f.ev.num, tm_text, (unsigned)(f.ts % 1000000000ull),
			 i % 2 ? ">" : "<", i % 2 ? "read" : "open", fdnum,
			 i % 2 ? "" : i % 4 ? "/etc/passwd" : "/missing");
		int n = eng_output_render(o, &f.ctx, b, sizeof b);
		if (i % 2) {
			/* reads of fds never opened (odd ones): fd.name is not available */
			ck_assert_int_eq(n, -1);
			continue;
		}
		ck_assert_int_eq(n, (int)strlen(want));
		ck_assert_str_eq(b, want);
	}
	eng_output_free(o);
	fx_free(&f);
}
END_TEST

static int render_json(struct fx *f, const char *fmt, unsigned flags, char *buf, size_t cap)
{
	struct eng_output *o;
	char err[256];
	ck_assert_msg(eng_output_new(fmt, &o, err, sizeof err) == 0, "%s", err);
	int n = eng_output_render_json(o, &f->ctx, flags, buf, cap);
	eng_output_free(o);
	return n;
}

START_TEST(json)
{
	struct fx f;
	char b[512];
	fx_init(&f);
	fx_proc(&f, 100, 100, 1, "init", "/", 0);
	fx_begin(&f, SHM_EV_SYSCALL_MKDIR_2_X, 100);
	shm_enc_s64(&f.e, -2);
	shm_enc_str(&f.e, "/a\"b\\c");
	fx_end(&f);
	/* keys sorted, once each; numbers and booleans bare; strings escaped */
	int n = render_json(&f, "%thread.tid %proc.name %evt.failed %evt.arg.path %proc.name",
			    0, b, sizeof b);
	ck_assert_str_eq(b, "{\"evt.arg.path\":\"/a\\\"b\\\\c\",\"evt.failed\":true,"
			    "\"proc.name\":\"init\",\"thread.tid\":100}");
	ck_assert_int_eq(n, (int)strlen(b));
	/* transformers: their own key and their fields' keys; len is a number */
	render_json(&f, "%len(proc.name) %toupper(proc.name)", 0, b, sizeof b);
	ck_assert_str_eq(b, "{\"len(proc.name)\":4,\"proc.name\":\"init\","
			    "\"toupper(proc.name)\":\"INIT\"}");
	render_json(&f, "%len(proc.name) %toupper(proc.name)", ENG_OUTPUT_JSON_NO_TRANSFORMED, b,
		    sizeof b);
	ck_assert_str_eq(b, "{\"proc.name\":\"init\"}");
	/* a missing field: the fields before it, and -1; with '*', null */
	ck_assert_int_eq(render_json(&f, "%proc.name %fd.name %thread.tid", 0, b, sizeof b), -1);
	ck_assert_str_eq(b, "{\"proc.name\":\"init\"}");
	ck_assert_int_ge(render_json(&f, "*%proc.name %fd.name %thread.tid", 0, b, sizeof b), 0);
	ck_assert_str_eq(b, "{\"fd.name\":null,\"proc.name\":\"init\",\"thread.tid\":100}");
	ck_assert_int_ge(render_json(&f, "%proc.name %fd.name", ENG_OUTPUT_JSON_ALL_FIELDS, b,
				     sizeof b), 0);
	ck_assert_str_eq(b, "{\"fd.name\":null,\"proc.name\":\"init\"}");
	ck_assert_int_eq(render_json(&f, "no fields", 0, b, sizeof b), 4);
	ck_assert_str_eq(b, "null");
	/* cut to the buffer, never past it */
	ck_assert_int_lt(render_json(&f, "*%proc.name %evt.arg.path", 0, b, 8), 8);
	ck_assert_int_eq((int)strlen(b), 7);
	fx_free(&f);
}
END_TEST

START_TEST(bad_transformers)
{
	static const char *const bad[] = {
		"start %some_transformer(proc.aname) end", "start %val(proc.aname) end",
		"start %(proc.aname) end", "start %toupper(proc.aname", "start %toupper(tolower)",
		"start %toupper(tolower(proc.aname", "start %toupper(tolower(proc.aname)",
		"start %toupper(val(proc.aname))", "start %touper(", "start %(",
		"start %toupper(evt.num) end", "start %toupper (proc.name) end",
		"%toupper(len(proc.name))", "%toupper(proc.name, proc.name)",
		"%join(proc.name, (proc.name))", "%join(\"-\", proc.name)", "%concat()", NULL};
	for (int i = 0; bad[i]; i++) {
		struct eng_output *o = NULL;
		char err[256] = "";
		ck_assert_msg(eng_output_new(bad[i], &o, err, sizeof err) == -EINVAL, "%s", bad[i]);
		ck_assert_ptr_null(o);
		ck_assert_msg(strstr(err, "format:"), "%s: %s", bad[i], err);
	}
}
END_TEST

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, formats);
	tcase_add_test(tc, bad_formats);
	tcase_add_test(tc, transformers);
	tcase_add_test(tc, lines_over_events);
	tcase_add_test(tc, bad_transformers);
	tcase_add_test(tc, json);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(output_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
