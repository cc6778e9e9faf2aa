/* Unit tests of the rules loader (suite "rules"): the behaviours Falco's
 * vectors do not pin down, and the file:line:column of messages. */
#define _GNU_SOURCE
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eng_cli.h"
#include "eng_rules.h"

static struct eng_rules *load(const char *yaml, int *rc)
{
	struct eng_rules *r;
	ck_assert_int_eq(eng_rules_new(&r), 0);
	*rc = eng_rules_load_string(r, "t.yaml", yaml);
	if (!*rc)
		*rc = eng_rules_compile(r);
	return r;
}

static const char *cond(struct eng_rules *r, const char *rule)
{
	static char buf[4096];
	struct eng_rule *x = eng_rules_find(r, rule);
	ck_assert_ptr_nonnull(x);
	ck_assert_ptr_nonnull(x->ast);
	ck_assert_int_ge(eng_rules_ast_str(x->ast, buf, sizeof(buf)), 0);
	return buf;
}

static const struct eng_rules_msg *find_msg(struct eng_rules *r, const char *code)
{
	for (size_t i = 0; i < eng_rules_nmsgs(r); i++)
		if (!strcmp(eng_rules_msg(r, i)->code, code))
			return eng_rules_msg(r, i);
	return NULL;
}

#define RULE(name, condition)                                                             \
	"- rule: " name "\n  desc: d\n  condition: " condition "\n  output: o %proc.name\n" \
	"  priority: WARNING\n"

START_TEST(priorities)
{
	static const char *const names[] = {"emergency", "ALERT", "Critical", "error", "Warning",
					    "notice", "informational", "debug"};
	enum eng_priority p;
	for (int i = 0; i < 8; i++) {
		ck_assert_int_eq(eng_priority_parse(names[i], &p), 0);
		ck_assert_int_eq(p, i);
	}
	ck_assert_int_eq(eng_priority_parse("Info", &p), 0);
	ck_assert_int_eq(p, ENG_PRIO_INFORMATIONAL);
	ck_assert_int_eq(eng_priority_parse("verbose", &p), -EINVAL);
	ck_assert_str_eq(eng_priority_name(ENG_PRIO_WARNING), "Warning");
}
END_TEST

START_TEST(lists_in_lists_and_literals)
{
	int rc;
	struct eng_rules *r = load("- list: a\n  items: [x, y]\n"
				   "- list: b\n  items: [a, z]\n" RULE("r", "evt.type = open and "
				   "proc.name in (b, nolist)"), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(cond(r, "r"), "(evt.type = open and proc.name in (x, y, z, nolist))");
	eng_rules_free(r);
	/* items written with their own quotes mean the text inside */
	r = load("- list: nets\n  items: ['\"10.0.0.0/8\"']\n"
		 "- list: names\n  items: [\"'a b'\", c]\n"
		 RULE("r", "evt.type = connect and fd.snet in (nets) and proc.name in (names)"),
		 &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(cond(r, "r"), "(evt.type = connect and fd.snet in (10.0.0.0/8) and "
					"proc.name in (\"a b\", c))");
	eng_rules_free(r);
}
END_TEST

START_TEST(macro_sees_only_earlier_macros)
{
	int rc;
	struct eng_rules *r = load("- macro: m1\n  condition: m2\n"
				   "- macro: m2\n  condition: evt.type = open\n"
				   RULE("r", "m1"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_VALIDATE"); /* Falco's kind */
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m->text, "Undefined macro 'm2'"));
	ck_assert_str_eq(m->item_name, "m1");
	ck_assert_uint_eq(m->line, 2); /* its condition */
	eng_rules_free(r);
}
END_TEST

START_TEST(macro_loop_is_an_error)
{
	int rc;
	struct eng_rules *r = load("- macro: m\n  condition: evt.type = open\n"
				   "- macro: m\n  condition: m or evt.type = close\n"
				   RULE("r", "m"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_ERR_VALIDATE"));
	eng_rules_free(r);
}
END_TEST

START_TEST(undefined_macro_in_rule)
{
	int rc;
	struct eng_rules *r = load("\n\n" RULE("r", "evt.type = open and nosuch"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_VALIDATE");
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m->text, "Undefined macro 'nosuch' used in filter."));
	ck_assert_uint_eq(m->line, 5); /* at the identifier */
	ck_assert_uint_eq(m->col, 34);
	eng_rules_free(r);
}
END_TEST

START_TEST(yaml_error_has_position)
{
	int rc;
	struct eng_rules *r = load("- rule: x\n  desc: [unclosed\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_YAML_PARSE");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_ge(m->line, 2);
	char buf[512];
	eng_rules_msg_format(m, buf, sizeof(buf));
	ck_assert_ptr_nonnull(strstr(buf, "t.yaml:"));
	ck_assert_ptr_nonnull(strstr(buf, "error: [LOAD_ERR_YAML_PARSE]"));
	eng_rules_free(r);
}
END_TEST

START_TEST(bad_items)
{
	int rc;
	struct eng_rules *r = load("rule: not-a-list\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_ERR_YAML_VALIDATE"));
	eng_rules_free(r);
	r = load("- just a string\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_YAML_VALIDATE")->text,
				     "Each element should be a yaml associative array"));
	eng_rules_free(r);
	r = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n"
		 "  priority: loud\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_VALIDATE")->text, "Invalid priority"));
	ck_assert_uint_eq(find_msg(r, "LOAD_ERR_VALIDATE")->line, 5);
	eng_rules_free(r);
	r = load("- rule: r\n  desc: d\n  output: o\n  priority: INFO\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_YAML_VALIDATE")->text,
				     "Item has no mapping for key 'condition'"));
	eng_rules_free(r);
	r = load(RULE("r", "evt.type = opne"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_COMPILE_CONDITION")->text,
				     "Unknown event type 'opne'"));
	eng_rules_free(r);
	r = load("- foo: bar\n", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_UNKNOWN_ITEM"));
	eng_rules_free(r);
}
END_TEST

START_TEST(unknown_field_error_or_skip)
{
	int rc;
	struct eng_rules *r = load(RULE("r", "evt.type = open and nosuchclass.field = 1"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_COMPILE_CONDITION")->text,
				     "nonexistent field nosuchclass.field"));
	eng_rules_free(r);
	/* a typo in a known class is an error too, not a skipped rule */
	r = load(RULE("r", "evt.type = open and proc.nme = x"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_COMPILE_CONDITION")->text,
				     "nonexistent field proc.nme"));
	ck_assert_uint_eq(find_msg(r, "LOAD_ERR_COMPILE_CONDITION")->line, 3);
	eng_rules_free(r);
	r = load(RULE("r", "evt.type = open and nosuchclass.field = 1")
		 "  skip-if-unknown-filter: true\n", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_UNKNOWN_FILTER"));
	ck_assert_ptr_null(eng_rules_find(r, "r")->filter);
	eng_rules_free(r);
}
END_TEST

/* Files that would mislead: each is said, with its place. */
START_TEST(misleading_files_warn)
{
	int rc;
	/* a key given twice: the first is used, the second is reported */
	struct eng_rules *r = load("- rule: r\n  desc: d\n  condition: evt.type = open\n"
				   "  condition: evt.type = close\n  output: o\n  priority: INFO\n",
				   &rc);
	ck_assert_int_eq(rc, 0);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_DUPLICATE_KEY");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->line, 4);
	ck_assert_ptr_nonnull(strstr(m->text, "'condition'"));
	ck_assert_str_eq(cond(r, "r"), "evt.type = open");
	eng_rules_free(r);
	/* the same rule, list or macro twice in one file */
	r = load("- list: l\n  items: [a]\n- list: l\n  items: [b]\n"
		 "- macro: m\n  condition: proc.name in (l)\n- macro: m\n  condition: proc.name in (l)\n"
		 RULE("r", "evt.type = open") RULE("r", "evt.type = close and m"), &rc);
	ck_assert_int_eq(rc, 0);
	size_t dups = 0;
	for (size_t i = 0; i < eng_rules_nmsgs(r); i++) {
		m = eng_rules_msg(r, i);
		if (strcmp(m->code, "LOAD_DUPLICATE_ITEM"))
			continue;
		dups++;
		ck_assert_uint_eq(m->line, dups == 1 ? 3 : dups == 2 ? 7 : 14);
	}
	ck_assert_uint_eq(dups, 3);
	ck_assert_str_eq(cond(r, "r"), "(evt.type = close and proc.name in (b))");
	eng_rules_free(r);
	/* ... but not across files: that is how rules are tuned */
	ck_assert_int_eq(eng_rules_new(&r), 0);
	ck_assert_int_eq(eng_rules_load_string(r, "a.yaml", RULE("r", "evt.type = open")), 0);
	ck_assert_int_eq(eng_rules_load_string(r, "b.yaml", RULE("r", "evt.type = close")), 0);
	ck_assert_ptr_null(find_msg(r, "LOAD_DUPLICATE_ITEM"));
	eng_rules_free(r);
	/* several documents: all loaded, the second reported where it starts */
	r = load(RULE("r1", "evt.type = open") "---\n" RULE("r2", "evt.type = close"), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(eng_rules_find(r, "r2"));
	m = find_msg(r, "LOAD_MULTIPLE_DOCUMENTS");
	ck_assert_ptr_nonnull(m);
	ck_assert_uint_eq(m->line, 6);
	eng_rules_free(r);
	/* one document, even with its '---' and '...', is not reported */
	r = load("---\n" RULE("r1", "evt.type = open") "...\n", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_null(find_msg(r, "LOAD_MULTIPLE_DOCUMENTS"));
	eng_rules_free(r);
}
END_TEST

/* Depth and size are bounded before libyaml builds anything: 100,000 '['
 * fail at once (Check's per-test timeout catches a quadratic parse). */
START_TEST(deep_and_huge_files_fail_fast)
{
	int rc;
	size_t n = 100000;
	char *s = malloc(n + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, '[', n);
	s[n] = 0;
	struct eng_rules *r = load(s, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_YAML_PARSE");
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m->text, "nested more than"));
	eng_rules_free(r);
	for (size_t i = 0; i < n / 4; i++)
		memcpy(s + 4 * i, "- [", 3), s[4 * i + 3] = '\n';
	r = load(s, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_ERR_YAML_PARSE"));
	eng_rules_free(r);
	free(s);
	/* a nesting rules files use stays well inside the bound */
	r = load("- rule: r\n  desc: d\n  condition: evt.type = open\n  output: o\n  priority: INFO\n"
		 "  exceptions:\n  - name: e\n    fields: [proc.name, fd.name]\n"
		 "    values: [[[a], [b]]]\n", &rc);
	ck_assert_ptr_null(find_msg(r, "LOAD_ERR_YAML_PARSE"));
	eng_rules_free(r);
	size_t big = (16u << 20) + 1;
	s = malloc(big + 1);
	ck_assert_ptr_nonnull(s);
	memset(s, '#', big);
	s[big] = 0;
	r = load(s, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_YAML_PARSE")->text, "larger than"));
	eng_rules_free(r);
	free(s);
}
END_TEST

START_TEST(unused_and_evttypes)
{
	int rc;
	struct eng_rules *r = load("- list: l\n  items: [a]\n- macro: m\n  condition: "
				   "proc.name = a\n" RULE("r", "evt.type in (open, openat)"), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_UNUSED_LIST"));
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_UNUSED_MACRO"));
	ck_assert_ptr_null(find_msg(r, "LOAD_NO_EVTTYPE"));
	struct eng_rule *x = eng_rules_find(r, "r");
	ck_assert_int_eq(x->all_evttypes, 0);
	/* open's enter and exit (2, 3) are in, close's exit (5) is not */
	ck_assert(x->evttypes[0] & (1 << 3));
	ck_assert(!(x->evttypes[0] & (1 << 5)));
	/* generic events carry any syscall's name: always candidates */
	ck_assert((x->evttypes[0] & 3) == 3);
	eng_rules_free(r);
	/* Falco's threshold is over 100 event codes, not "all" */
	r = load(RULE("r", "not evt.type = open"), &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_NO_EVTTYPE"));
	ck_assert_int_eq(eng_rules_find(r, "r")->all_evttypes, 0);
	eng_rules_free(r);
	r = load(RULE("r", "not evt.type = open") "  warn_evttypes: false\n", &rc);
	ck_assert_ptr_null(find_msg(r, "LOAD_NO_EVTTYPE"));
	eng_rules_free(r);
	r = load(RULE("r", "proc.name = a or evt.type = open"), &rc);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_NO_EVTTYPE"));
	eng_rules_free(r);
}
END_TEST

START_TEST(files_in_order_and_folders)
{
	char dir[] = "/tmp/check_rules.XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char p1[128], p2[128];
	snprintf(p1, sizeof(p1), "%s/10-base.yaml", dir);
	snprintf(p2, sizeof(p2), "%s/20-local.yaml", dir);
	FILE *f = fopen(p1, "w");
	fputs("- list: bins\n  items: [a]\n" RULE("r", "evt.type = open and proc.name in (bins)"), f);
	fclose(f);
	f = fopen(p2, "w");
	fputs("- list: bins\n  items: [b]\n  override:\n    items: append\n"
	      "- rule: r\n  enabled: false\n  override:\n    enabled: replace\n", f);
	fclose(f);
	struct eng_rules *r;
	ck_assert_int_eq(eng_rules_new(&r), 0);
	ck_assert_int_eq(eng_rules_load_file(r, dir), 0);
	ck_assert_int_eq(eng_rules_compile(r), 0);
	ck_assert_str_eq(cond(r, "r"), "(evt.type = open and proc.name in (a, b))");
	ck_assert_int_eq(eng_rules_find(r, "r")->enabled, 0);
	eng_rules_free(r);
	ck_assert_int_eq(eng_rules_new(&r), 0);
	ck_assert_int_lt(eng_rules_load_file(r, "/nonexistent/rules.yaml"), 0);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_ERR_FILE_READ"));
	eng_rules_free(r);
	unlink(p1);
	unlink(p2);
	rmdir(dir);
}
END_TEST

START_TEST(exceptions_forms)
{
	int rc;
	struct eng_rules *r = load(RULE("r", "evt.type = open")
				   "  exceptions:\n"
				   "    - name: one\n      fields: proc.name\n      values: [cat, \"my sh\"]\n"
				   "    - name: two\n      fields: [proc.name, fd.name]\n"
				   "      comps: [=, startswith]\n"
				   "      values:\n        - [a, /etc]\n        - [b, /tmp]\n", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(cond(r, "r"), "(evt.type = open and not proc.name in (cat, \"my sh\") and "
		"not ((proc.name = a and fd.name startswith /etc) or (proc.name = b and fd.name "
		"startswith /tmp)))");
	eng_rules_free(r);
}
END_TEST

START_TEST(engine_and_plugin_versions)
{
	int rc;
	struct eng_rules *r = load("- required_engine_version: 999.0.0\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_VALIDATE")->text, "require engine"));
	eng_rules_free(r);
	r = load("- required_plugin_versions:\n    - name: container\n      version: 0.1.0\n", &rc);
	ck_assert_int_eq(rc, 0);
	eng_rules_free(r);
	r = load("- required_plugin_versions:\n    - name: k8saudit\n      version: 0.1.0\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_VALIDATE")->text, "k8saudit"));
	eng_rules_free(r);
}
END_TEST

START_TEST(growth_is_bounded)
{
	/* macros and lists that double at each level: an error, not a crash */
	char *y = malloc(1 << 16);
	size_t n = 0;
	n += (size_t)sprintf(y + n, "- macro: m0\n  condition: proc.name = a\n"
			     "- list: l0\n  items: [a, b]\n");
	for (int i = 1; i < 40; i++)
		n += (size_t)sprintf(y + n, "- list: l%d\n  items: [l%d, l%d]\n", i, i - 1, i - 1);
	int rc;
	struct eng_rules *r = load(y, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_VALIDATE")->text, "more than"));
	eng_rules_free(r);
	n = (size_t)sprintf(y, "- macro: m0\n  condition: proc.name = a\n");
	for (int i = 1; i < 40; i++)
		n += (size_t)sprintf(y + n, "- macro: m%d\n  condition: m%d and m%d\n", i, i - 1,
				     i - 1);
	r = load(y, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_ERR_COMPILE_CONDITION")->text, "more than"));
	eng_rules_free(r);
	free(y);
}
END_TEST

/* gen_capture's path (the test's argument): captures for rules mode. */
static const char *gen_capture;

/* Runs rules mode over gen_capture's `scenario` with the rules in yaml;
 * stdout into out (cap bytes). */
static void run_rules(const char *scenario, const char *yaml, const char *extra, char *out,
		      size_t cap)
{
	char dir[] = "/tmp/check_rules_XXXXXX", cmd[1024], scap[256], rules[256], txt[256];
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(scap, sizeof scap, "%s/c.scap", dir);
	snprintf(rules, sizeof rules, "%s/r.yaml", dir);
	snprintf(txt, sizeof txt, "%s/out.txt", dir);
	snprintf(cmd, sizeof cmd, "'%s' %s '%s'", gen_capture, scenario, scap);
	ck_assert_int_eq(system(cmd), 0);
	FILE *f = fopen(rules, "w");
	ck_assert_ptr_nonnull(f);
	fputs(yaml, f);
	fclose(f);
	setenv("TZ", "UTC", 1);
	tzset();
	fflush(stdout);
	int saved = dup(1);
	ck_assert(freopen(txt, "w", stdout) != NULL);
	char *argv[] = {"pdig-engine", "-r", rules, "-e", scap, "-o", "rule_matching=all",
			(char *)extra, NULL};
	int rc = eng_main(extra ? 8 : 7, argv);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	ck_assert_int_eq(rc, 0);
	f = fopen(txt, "r");
	ck_assert_ptr_nonnull(f);
	size_t n = fread(out, 1, cap - 1, f);
	out[n] = 0;
	fclose(f);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

/* join, concat and getopt in conditions and outputs, RE2 and transformers
 * on the right-hand side, over a capture: each alert checked by hand
 * against the capture's events (gen_capture procs: ls -la /tmp run by
 * bash, sh -c "cat /etc/shadow", opens of /tmp, /etc/hosts, /etc/shadow). */
START_TEST(transformers_through_rules_mode)
{
	if (!gen_capture) {
		puts("SKIP transformers_through_rules_mode: no gen_capture path given");
		return;
	}
	static const char yaml[] =
		"- macro: listing\n"
		"  condition: getopt(proc.args, \"la\")[l] exists\n"
		"- rule: ls long listing\n"
		"  desc: d\n"
		"  condition: evt.type = execve and listing and join(\" \", proc.args) = \"-la /tmp\"\n"
		"  output: listing by %proc.name (%join(\",\", (proc.name, proc.pname)))\n"
		"  priority: NOTICE\n"
		"- rule: shell command\n"
		"  desc: d\n"
		"  condition: evt.type = execve and getopt(proc.args, \"c:\")[c] startswith \"cat \" "
		"and concat(proc.name, \":\", proc.pname) = \"sh:bash\"\n"
		"  output: sh -c by %concat(proc.name, proc.pname) args=%proc.args "
		"cmd=%getopt(proc.args, \"c:\")[c] %concat(proc.name, \"-x\")\n"
		"  priority: WARNING\n"
		"- rule: etc file by word\n"
		"  desc: d\n"
		"  condition: evt.type = open and fd.name regex \"/etc/\\\\w+\" and fd.filename = "
		"basename(fd.name) and proc.name = tolower(toupper(proc.name))\n"
		"  output: etc %fd.name by %proc.name\n"
		"  priority: INFO\n";
	static char out[1 << 16];
	run_rules("procs", yaml, NULL, out, sizeof out);
	ck_assert_str_eq(out, "22:13:20.000005325: Notice listing by ls (ls,bash)\n"
			      "22:13:20.000010715: Informational etc /etc/hosts by bash\n"
			      "22:13:20.000018261: Warning sh -c by shbash args=-c cat /etc/shadow "
			      "cmd=cat /etc/shadow sh-x\n"
			      "22:13:20.000027963: Informational etc /etc/shadow by cat\n");
	/* the JSON alert's output_fields: the fields inside transformers too */
	run_rules("procs", yaml, "--json", out, sizeof out);
	ck_assert_ptr_nonnull(strstr(out, "\"output_fields\":{\"evt.time\":1700000000000005325,"
				     "\"join(,,(proc.name,proc.pname))\":\"ls,bash\",\"proc.name\":"
				     "\"ls\",\"proc.pname\":\"bash\"}"));
	ck_assert_msg(strstr(out, "\"output_fields\":{\"concat(proc.name,-x)\":\"sh-x\","
			     "\"concat(proc.name,proc.pname)\":\"shbash\",\"evt.time\":"
			     "1700000000000018261,\"getopt(proc.args,c:)[c]\":\"cat /etc/shadow\","
			     "\"proc.args\":\"-c cat /etc/shadow\",\"proc.name\":\"sh\","
			     "\"proc.pname\":\"bash\"}"), "%s", out);
}
END_TEST

/* Issue 16's classes end to end over a capture (gen_capture procs: ls -la
 * /tmp run by bash, sh -c "cat /etc/shadow", opens of /etc/hosts by bash,
 * /etc/shadow by cat): list as a value, exceptions with a quoted value and
 * a list reference, oneof, a pmatch glob, a \x escape. */
START_TEST(falco_semantics_through_rules_mode)
{
	if (!gen_capture) {
		puts("SKIP falco_semantics_through_rules_mode: no gen_capture path given");
		return;
	}
	static const char yaml[] =
		"- list: one_shell\n  items: [bash]\n"
		"- list: shells\n  items: [bash, zsh]\n"
		"- rule: list value\n  desc: d\n"
		"  condition: evt.type = open and proc.name=one_shell\n"
		"  output: A %fd.name\n  priority: INFO\n"
		"- rule: exceptions\n  desc: d\n"
		"  condition: evt.type = execve and proc.name in (ls, sh, cat)\n"
		"  output: B %proc.cmdline\n  priority: INFO\n"
		"  exceptions:\n"
		"    - name: quoted\n      fields: [proc.cmdline]\n      comps: [=]\n"
		"      values:\n        - ['\"cat /etc/shadow\"']\n"
		"    - name: listref\n      fields: [proc.name, proc.pname]\n      comps: [=, in]\n"
		"      values:\n        - [ls, (shells)]\n"
		"- rule: modifiers\n  desc: d\n"
		"  condition: evt.type = open and fd.name startswith oneof (/etc, /etc/h)\n"
		"  output: C %fd.name\n  priority: INFO\n"
		"- rule: glob\n  desc: d\n"
		"  condition: evt.type = open and fd.name pmatch (/e*/sh*)\n"
		"  output: D %fd.name\n  priority: INFO\n"
		"- rule: escape\n  desc: d\n"
		"  condition: evt.type = open and fd.name = \"/etc/\\x68osts\"\n"
		"  output: E %fd.name\n  priority: INFO\n";
	static char out[1 << 16];
	run_rules("procs", yaml, NULL, out, sizeof out);
	/* /etc/hosts starts with both /etc and /etc/h: not oneof */
	ck_assert_str_eq(out, "22:13:20.000010715: Informational A /etc/hosts\n"
			      "22:13:20.000010715: Informational E /etc/hosts\n"
			      "22:13:20.000018261: Informational B sh -c cat /etc/shadow\n"
			      "22:13:20.000027963: Informational C /etc/shadow\n"
			      "22:13:20.000027963: Informational D /etc/shadow\n");
}
END_TEST

/* Type errors in transformers are load errors with the place in the file. */
START_TEST(transformer_errors_at_their_place)
{
	int rc;
	struct eng_rules *r = load(RULE("bad concat", "evt.type = open and concat(proc.name, "
					"proc.pid) = x"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_COMPILE_CONDITION");
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m->text, "concat() arguments must be strings"));
	char line[1024];
	eng_rules_msg_format(m, line, sizeof line);
	/* the condition starts at column 14; the argument is its column 39 */
	ck_assert_msg(strstr(line, "t.yaml:3:52:"), "%s", line);
	eng_rules_free(r);
	r = load(RULE("bad regex", "evt.type = open and fd.name regex \"a(\""), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	m = find_msg(r, "LOAD_ERR_COMPILE_CONDITION");
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m->text, "not a valid regular expression: missing )"));
	eng_rules_msg_format(m, line, sizeof line);
	ck_assert_msg(strstr(line, "t.yaml:3:48:"), "%s", line);
	eng_rules_free(r);
	/* evt.type against a field: every event type stays possible */
	r = load(RULE("type vs field", "evt.type = val(evt.arg.name)"), &rc);
	ck_assert_int_eq(rc, 0);
	struct eng_rule *x = eng_rules_find(r, "type vs field");
	ck_assert_ptr_nonnull(x);
	ck_assert(x->evttypes[SHM_EV_SYSCALL_OPEN_X / 8] & (1u << (SHM_EV_SYSCALL_OPEN_X % 8)));
	eng_rules_free(r);
	/* a bad getopt argument too */
	r = load(RULE("bad getopt", "evt.type = execve and getopt(proc.args, 'ab')[ab] = x"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_ERR_COMPILE_CONDITION"));
	eng_rules_free(r);
}
END_TEST


/* Issue 16: Falco's loader where pdig-engine used to differ. */
START_TEST(list_as_single_value)
{
	int rc;
	const char *lists = "- list: one\n  items: [cat]\n- list: two\n  items: [cat, dog]\n"
			    "- list: spaced\n  items: ['my app']\n";
	char y[1024];
	/* Falco pastes the items wherever the name is a token, after '=' too */
	snprintf(y, sizeof(y), "%s%s", lists, RULE("a", "evt.type = open and proc.name=one")
		 RULE("b", "evt.type = open and proc.name= one") RULE("c", "evt.type = open and "
		 "proc.name contains spaced") RULE("d", "evt.type = open and proc.name = \"one\""));
	struct eng_rules *r = load(y, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(cond(r, "a"), "(evt.type = open and proc.name = cat)");
	ck_assert_str_eq(cond(r, "b"), "(evt.type = open and proc.name = cat)");
	ck_assert_str_eq(cond(r, "c"), "(evt.type = open and proc.name contains \"my app\")");
	/* quoted: a string, as in Falco (a quote is not a delimiter) */
	ck_assert_str_eq(cond(r, "d"), "(evt.type = open and proc.name = one)");
	eng_rules_free(r);
	/* more items than one: Falco's text does not parse; an error, not a guess */
	snprintf(y, sizeof(y), "%s%s", lists, RULE("a", "evt.type = open and proc.name = two"));
	r = load(y, &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_COMPILE_CONDITION");
	ck_assert_ptr_nonnull(m);
	ck_assert_ptr_nonnull(strstr(m->text, "List 'two' (2 items)"));
	ck_assert_uint_eq(m->col, 46); /* at the name */
	eng_rules_free(r);
	/* in a macro too, and a bare name where a macro would be */
	snprintf(y, sizeof(y), "%s%s", lists, "- macro: m\n  condition: proc.name != one\n"
		 "- macro: cat\n  condition: proc.pid = 1\n"
		 RULE("a", "evt.type = open and m and one"));
	r = load(y, &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_str_eq(cond(r, "a"), "(evt.type = open and proc.name != cat and proc.pid = 1)");
	eng_rules_free(r);
}
END_TEST

START_TEST(falco_errors_and_skips)
{
	int rc;
	struct eng_rules *r = load("- rule: r\n  desc: d\n  condition: evt.type = open\n"
				   "  output: o %not_a_real_field\n  priority: INFO\n", &rc);
	ck_assert_int_eq(rc, -EINVAL);
	const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_COMPILE_OUTPUT");
	ck_assert_ptr_nonnull(m);
	const char *want = "invalid formatting token '%not_a_real_field'";
	ck_assert_ptr_nonnull(strstr(m->text, want));
	eng_rules_free(r);
	r = load("- rule: r\n  desc: d\n  condition: evt.type = open\n"
		 "  output: o %proc.nme\n  priority: INFO\n  skip-if-unknown-filter: true\n", &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_UNKNOWN_FILTER"));
	ck_assert_ptr_null(eng_rules_find(r, "r")->filter);
	eng_rules_free(r);
	/* an unknown event type is an unknown part like a field */
	r = load(RULE("r", "evt.type = some_invalid_event") "  skip-if-unknown-filter: true\n",
		 &rc);
	ck_assert_int_eq(rc, 0);
	ck_assert_ptr_nonnull(strstr(find_msg(r, "LOAD_UNKNOWN_FILTER")->text,
				     "unknown event type some_invalid_event"));
	ck_assert_ptr_null(eng_rules_find(r, "r")->filter);
	eng_rules_free(r);
	r = load(RULE("r", "evt.type in (open, some_invalid_event)"), &rc);
	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_ptr_nonnull(find_msg(r, "LOAD_ERR_COMPILE_CONDITION"));
	eng_rules_free(r);
}
END_TEST

START_TEST(cli_tags_and_disables_conflict)
{
	/* -t with -D or -T: refused, as Falco's options did; -D with -T is fine */
	char path[] = "/tmp/check_rules_cliXXXXXX.yaml";
	int fd = mkstemps(path, 5);
	ck_assert_int_ge(fd, 0);
	close(fd);
	const char *lines[][8] = {{"pdig-engine", "-e", "c.scap", "-r", path, "-t", "a", "-D"},
				  {"pdig-engine", "-e", "c.scap", "-r", path, "-t", "a", "-T"},
				  {"pdig-engine", "-e", "c.scap", "-r", path, "-D", "a", "-T"}};
	for (int i = 0; i < 3; i++) {
		char *argv[10];
		for (int k = 0; k < 8; k++)
			argv[k] = (char *)lines[i][k];
		argv[8] = (char *)"b";
		argv[9] = NULL;
		struct eng_opts o;
		int code = 0;
		memset(&o, 0, sizeof(o));
		optind = 0;
		ck_assert_int_eq(eng_cli_parse(&o, 9, argv, 0, &code), (i < 2 ? -EINVAL : 0));
		eng_opts_clear(&o);
	}
	unlink(path);
}
END_TEST

/* Exceptions as Falco writes them into the condition text. */
START_TEST(exceptions_like_falco)
{
	int rc;
	struct eng_rules *r = load("- list: sh\n  items: [bash, zsh]\n" RULE("r", "evt.type = open")
				   "  exceptions:\n"
				   "    - name: q\n      fields: [proc.cmdline]\n      comps: [=]\n"
				   "      values:\n        - ['\"cat /dev/null\"']\n"
				   "    - name: l\n      fields: [proc.name, proc.pname]\n"
				   "      comps: [=, in]\n      values:\n        - [cat, (sh)]\n"
				   "    - name: s\n      fields: proc.name\n      comps: startswith oneof\n"
				   "      values: [x, sh]\n", &rc);
	ck_assert_int_eq(rc, 0);
	/* quoted: the string inside; "(sh)": the list; a modifier with one field */
	ck_assert_str_eq(cond(r, "r"), "(evt.type = open and not proc.cmdline = \"cat /dev/null\" "
			 "and not (proc.name = cat and proc.pname in (bash, zsh)) and not "
			 "proc.name startswith oneof (x, bash, zsh))");
	ck_assert_ptr_null(find_msg(r, "LOAD_UNUSED_LIST"));
	eng_rules_free(r);
	static const struct {
		const char *exc, *text;
	} bad[] = {
		{"fields: [proc.nme]\n      comps: [=]\n      values: [[a]]",
		 "'proc.nme' is not a supported filter field"},
		{"fields: proc.nme\n      values: [a]", "'proc.nme' is not a supported filter field"},
		/* checked without values too, as Falco does when it reads the rule */
		{"fields: [proc.name, nosuch.f]", "'nosuch.f' is not a supported filter field"},
		{"fields: [proc.name, fd.name]\n      comps: [=]\n      values: [[a, b]]",
		 "Fields and comps lists must have equal length"},
		{"fields: [proc.name, fd.name]\n      values: [[a]]",
		 "Fields and values lists must have equal length"},
		{"fields: [proc.name]\n      comps: [frob]\n      values: [[a]]",
		 "'frob' is not a supported comparison operator"},
		{"fields: proc.name\n      comps: [in]\n      values: [a]",
		 "Fields and comps must both be strings"},
		{"fields: proc.name\n      comps: startswith\n      values: [a]",
		 "comps must be one of (in, pmatch, intersects) or a modifier operator"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char y[1024];
		snprintf(y, sizeof(y), "%s  exceptions:\n    - name: e\n      %s\n",
			 RULE("r", "evt.type = open"), bad[i].exc);
		r = load(y, &rc);
		ck_assert_int_eq(rc, -EINVAL);
		const struct eng_rules_msg *m = find_msg(r, "LOAD_ERR_VALIDATE");
		ck_assert_msg(m && strstr(m->text, bad[i].text), "case %zu: %s", i,
			      m ? m->text : "no LOAD_ERR_VALIDATE");
		eng_rules_free(r);
	}
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, priorities);
	tcase_add_test(tc, lists_in_lists_and_literals);
	tcase_add_test(tc, macro_sees_only_earlier_macros);
	tcase_add_test(tc, macro_loop_is_an_error);
	tcase_add_test(tc, undefined_macro_in_rule);
	tcase_add_test(tc, yaml_error_has_position);
	tcase_add_test(tc, bad_items);
	tcase_add_test(tc, unknown_field_error_or_skip);
	tcase_add_test(tc, unused_and_evttypes);
	tcase_add_test(tc, files_in_order_and_folders);
	tcase_add_test(tc, exceptions_forms);
	tcase_add_test(tc, engine_and_plugin_versions);
	tcase_add_test(tc, growth_is_bounded);
	tcase_add_test(tc, transformers_through_rules_mode);
	tcase_add_test(tc, falco_semantics_through_rules_mode);
	tcase_add_test(tc, transformer_errors_at_their_place);
	tcase_add_test(tc, misleading_files_warn);
	tcase_add_test(tc, deep_and_huge_files_fail_fast);
	tcase_add_test(tc, list_as_single_value);
	tcase_add_test(tc, falco_errors_and_skips);
	tcase_add_test(tc, cli_tags_and_disables_conflict);
	tcase_add_test(tc, exceptions_like_falco);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	gen_capture = argc > 1 ? argv[1] : NULL;
	SRunner *sr = srunner_create(rules_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
