/* Unit tests of the -p line formatter (suite "output"). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static Suite *output_suite(void)
{
	Suite *s = suite_create("output");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, formats);
	tcase_add_test(tc, bad_formats);
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
