/* Unit tests of the field library (suite "fields"). */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

static Suite *fields_suite(void)
{
	Suite *s = suite_create("fields");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, resolve_names_and_arguments);
	tcase_add_test(tc, scan_format_tokens);
	tcase_add_test(tc, every_field_extracts_without_state);
	tcase_add_test(tc, event_fields);
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
