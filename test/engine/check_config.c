/* engine/config.c: the settings table read from a file and from -o. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eng_config.h"

static char err[1024];

/* Writes text to a temporary file; its path (static). */
static const char *tmpfile_with(const char *text)
{
	static char path[64];
	strcpy(path, "/tmp/check_config_XXXXXX");
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

START_TEST(defaults_are_falcos)
{
	struct eng_config c;
	ck_assert_int_eq(eng_config_init(&c), 0);
	ck_assert_int_eq(c.stdout_enabled, 1);
	ck_assert_int_eq(c.json_output, 0);
	ck_assert_int_eq(c.priority, ENG_PRIO_DEBUG);
	ck_assert_int_eq(c.nrules_files, 0);
	ck_assert_int_eq(c.drops_actions, ENG_DROP_LOG | ENG_DROP_ALERT);
	ck_assert_str_eq(c.webserver_healthz, "/healthz");
	eng_config_clear(&c);
}
END_TEST

START_TEST(set_each_type)
{
	struct eng_config c;
	eng_config_init(&c);
	ck_assert_int_eq(eng_config_set(&c, "json_output=yes", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.json_output, 1);
	ck_assert_int_eq(eng_config_set(&c, "json_output=False", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.json_output, 0);
	ck_assert_int_eq(eng_config_set(&c, "webserver.listen_port=9000", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.webserver_port, 9000);
	ck_assert_int_eq(eng_config_set(&c, "priority=Info", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.priority, ENG_PRIO_INFORMATIONAL);
	ck_assert_int_eq(eng_config_set(&c, "rule_matching=all", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.rule_matching_all, 1);
	ck_assert_int_eq(eng_config_set(&c, "http_output.url=http://x:1/a=b", NULL, err, sizeof err), 0);
	ck_assert_str_eq(c.http_url, "http://x:1/a=b");
	ck_assert_int_eq(eng_config_set(&c, "syscall_event_drops.rate=0.5", NULL, err, sizeof err), 0);
	ck_assert(c.drops_rate == 0.5);
	/* lists: one value, or YAML's flow form; each -o replaces the list */
	ck_assert_int_eq(eng_config_set(&c, "rules_files=[a.yaml, b.yaml]", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.nrules_files, 2);
	ck_assert_str_eq(c.rules_files[1], "b.yaml");
	ck_assert_int_eq(eng_config_set(&c, "rules_files=c.yaml", NULL, err, sizeof err), 0);
	ck_assert_int_eq(c.nrules_files, 1);
	ck_assert_str_eq(c.rules_files[0], "c.yaml");
	ck_assert_int_eq(eng_config_set(&c, "syscall_event_drops.actions=[log, exit]", NULL, err,
					 sizeof err), 0);
	ck_assert_int_eq(c.drops_actions, ENG_DROP_LOG | ENG_DROP_EXIT);
	eng_config_clear(&c);
}
END_TEST

START_TEST(set_errors_name_the_key)
{
	struct eng_config c;
	eng_config_init(&c);
	ck_assert_int_eq(eng_config_set(&c, "file_output.enabled=1x", NULL, err, sizeof err), -EINVAL);
	ck_assert_str_eq(err, "-o file_output.enabled=1x: file_output.enabled: wants a boolean "
			      "(true or false), not '1x'");
	ck_assert_int_eq(eng_config_set(&c, "webserver.listen_port=-1", NULL, err, sizeof err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "webserver.listen_port: wants a whole number"));
	ck_assert_int_eq(eng_config_set(&c, "rule_matching=some", NULL, err, sizeof err), -EINVAL);
	ck_assert_int_eq(eng_config_set(&c, "=x", NULL, err, sizeof err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "wants KEY=VALUE"));
	/* unknown: a warning, not an error */
	char *w = NULL;
	size_t wn = 0;
	FILE *wf = open_memstream(&w, &wn);
	ck_assert_int_eq(eng_config_set(&c, "grpc.enabled=true", wf, err, sizeof err), 0);
	fclose(wf);
	ck_assert_ptr_nonnull(strstr(w, "-o grpc.enabled: warning: not a setting"));
	free(w);
	eng_config_clear(&c);
}
END_TEST

START_TEST(file_sections_lists_and_lines)
{
	struct eng_config c;
	eng_config_init(&c);
	const char *p = tmpfile_with("# a comment\n"
				     "rules_files:\n  - /a.yaml\n  - /b\n"
				     "json_output: true\n"
				     "http_output:\n  enabled: true\n  url: \"http://h/\"\n  insecure: on\n"
				     "load_plugins: []\n"
				     "webserver:\n  threadiness: 2\n  listen_port: 1234\n");
	char *w = NULL;
	size_t wn = 0;
	FILE *wf = open_memstream(&w, &wn);
	ck_assert_int_eq(eng_config_load(&c, p, wf, err, sizeof err), 0);
	fclose(wf);
	ck_assert_int_eq(c.nrules_files, 2);
	ck_assert_str_eq(c.rules_files[0], "/a.yaml");
	ck_assert_int_eq(c.json_output, 1);
	ck_assert_int_eq(c.http_enabled, 1);
	ck_assert_int_eq(c.http_insecure, 1);
	ck_assert_str_eq(c.http_url, "http://h/");
	ck_assert_int_eq(c.webserver_port, 1234);
	/* unknown keys: each a warning with its line */
	char want[256];
	snprintf(want, sizeof want, "%s:10: warning: load_plugins is not a setting", p);
	ck_assert_msg(strstr(w, want) != NULL, "%s", w);
	snprintf(want, sizeof want, "%s:12: warning: webserver.threadiness is not a setting", p);
	ck_assert_msg(strstr(w, want) != NULL, "%s", w);
	free(w);
	unlink(p);
	eng_config_clear(&c);
}
END_TEST

START_TEST(file_errors_give_the_line)
{
	static const struct {
		const char *text, *want;
	} cases[] = {
		{"json_output: true\nstdout_output:\n  enabled: sometimes\n",
		 ":3: stdout_output.enabled: wants a boolean (true or false), not 'sometimes'"},
		{"priority:\n  level: debug\n", ":2: priority: wants a value, not a mapping"},
		{"file_output: [a]\n", ":1: file_output: wants a mapping of settings"},
		{"rules_files:\n  - a.yaml\n  - {x: 1}\n", ":3: rules_files: wants a list of strings"},
		{"- a\n- b\n", ":1: the configuration must be a mapping of settings"},
		{"a: [\n", ": not valid YAML"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		struct eng_config c;
		eng_config_init(&c);
		const char *p = tmpfile_with(cases[i].text);
		ck_assert_int_eq(eng_config_load(&c, p, NULL, err, sizeof err), -EINVAL);
		ck_assert_msg(!strncmp(err, p, strlen(p)) && strstr(err, cases[i].want),
			      "case %zu: %s", i, err);
		unlink(p);
		eng_config_clear(&c);
	}
	struct eng_config c;
	eng_config_init(&c);
	ck_assert_int_eq(eng_config_load(&c, "/nonexistent/x.yaml", NULL, err, sizeof err), -ENOENT);
	eng_config_clear(&c);
}
END_TEST

START_TEST(intervals)
{
	ck_assert_int_eq(eng_config_interval_s("15m"), 900);
	ck_assert_int_eq(eng_config_interval_s("30s"), 30);
	ck_assert_int_eq(eng_config_interval_s("2h"), 7200);
	ck_assert_int_eq(eng_config_interval_s("10"), 10);
	ck_assert_int_eq(eng_config_interval_s("500ms"), 1);
	ck_assert_int_eq(eng_config_interval_s("5 minutes"), -EINVAL);
	ck_assert_int_eq(eng_config_interval_s("m"), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("config");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, defaults_are_falcos);
	tcase_add_test(tc, set_each_type);
	tcase_add_test(tc, set_errors_name_the_key);
	tcase_add_test(tc, file_sections_lists_and_lines);
	tcase_add_test(tc, file_errors_give_the_line);
	tcase_add_test(tc, intervals);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? 1 : 0;
}
