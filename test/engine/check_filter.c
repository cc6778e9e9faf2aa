/* Unit tests of the condition parser and the compiled filters (suite "filter"). */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eng_ast.h"
#include "eng_filter.h"
#include "evgen.h"

static const char *printed(const char *text, char *buf, size_t cap)
{
	struct eng_ast *a;
	struct eng_parse_error err;
	int rc = eng_parse(text, &a, &err);
	ck_assert_msg(rc == 0, "%s: %s", text, err.msg);
	eng_ast_print(a, buf, cap);
	eng_ast_free(a);
	return buf;
}

START_TEST(parse_precedence)
{
	char b[512];
	ck_assert_str_eq(printed("a.b=1 or c.d=2 and e.f=3", b, sizeof b),
			 "(a.b = \"1\" or (c.d = \"2\" and e.f = \"3\"))");
	ck_assert_str_eq(printed("not a.b exists and (x.y in (1, 'two', \"3\"))", b, sizeof b),
			 "(not a.b exists and x.y in (\"1\", \"two\", \"3\"))");
	ck_assert_str_eq(printed("proc.aname[2] glob 'ba*'", b, sizeof b),
			 "proc.aname[2] glob \"ba*\"");
	ck_assert_str_eq(printed("tolower(proc.name) = oneof (a, b)", b, sizeof b),
			 "tolower(proc.name) = oneof (\"a\", \"b\")");
	ck_assert_str_eq(printed("fd.name = 'it\\'s'", b, sizeof b), "fd.name = \"it's\"");
}
END_TEST

static void expect_error(const char *text, unsigned col, const char *needle)
{
	struct eng_ast *a = NULL;
	struct eng_parse_error err;
	ck_assert_int_eq(eng_parse(text, &a, &err), -EINVAL);
	ck_assert_ptr_null(a);
	ck_assert_msg(err.pos.col == col, "%s: column %u, expected %u (%s)", text, err.pos.col, col,
		      err.msg);
	ck_assert_msg(strstr(err.msg, needle), "%s: '%s' lacks '%s'", text, err.msg, needle);
}

START_TEST(parse_errors_point_at_the_column)
{
	expect_error("evt.type = open and", 20, "expected blank or '(' after 'and'");
	expect_error("evt.type = open and ", 21, "expected a '(' token, a field check");
	expect_error("evt.type = open andnot x", 20, "expected blank or '(' after 'and'");
	expect_error("proc.name badop x", 11, "expected a valid check operator");
	expect_error("(evt.type = open", 17, "expected a ')' token");
	expect_error("proc.pid > abc", 12, "expected a number");
	expect_error("fd.name = 'oops", 11, "expected a string value");
	expect_error("a.b = 1 c", 9, "unexpected token after '1'");
	expect_error("", 1, "empty");
	/* the explained form quotes the line and puts a caret under the column */
	struct eng_ast *a;
	struct eng_parse_error err;
	char buf[512];
	ck_assert_int_eq(eng_parse("proc.name badop x", &a, &err), -EINVAL);
	eng_parse_error_explain("proc.name badop x", &err, buf, sizeof buf);
	ck_assert_ptr_nonnull(strstr(buf, "filter:1:11: "));
	ck_assert_ptr_nonnull(strstr(buf, "\n  proc.name badop x\n            ^"));
}
END_TEST

START_TEST(depth_is_limited)
{
	char text[512];
	memset(text, '(', 200);
	strcpy(text + 200, "a");
	memset(text + 201, ')', 200);
	text[401] = 0;
	struct eng_ast *a;
	struct eng_parse_error err;
	ck_assert_int_eq(eng_parse(text, &a, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.msg, "depth"));
}
END_TEST

static void compile_error(const char *text, const char *needle)
{
	struct eng_filter *flt = NULL;
	char err[512];
	ck_assert_int_eq(eng_filter_new(text, &flt, err, sizeof err), -EINVAL);
	ck_assert_ptr_null(flt);
	ck_assert_msg(strstr(err, needle), "%s: '%s' lacks '%s'", text, err, needle);
}

START_TEST(compile_errors)
{
	compile_error("proc.nme = bash", "unknown field 'proc.nme'");
	compile_error("proc.pid = abc", "'abc' is not a number");
	compile_error("proc.pid contains 1", "needs a string field");
	compile_error("proc.name > 3", "needs a numeric field");
	compile_error("evt.failed = maybe", "not a boolean");
	compile_error("fd.sip = 1.2.3", "not an IP address");
	compile_error("evt.arg = x", "requires an argument");
	compile_error("my_macro and proc.name = x", "macros need a rules file");
	compile_error("proc.name in my_list", "lists are expanded by the rules loader");
	compile_error("fd.name bcontains 7g", "hex digits");
	compile_error("proc.name = val(proc.nope)", "unknown field 'proc.nope'");
	compile_error("proc.name intersects (a)", "not supported yet");
	/* the column of the offending part, not of the whole condition */
	compile_error("evt.type = open and proc.pid = x", "filter:1:32:");
	compile_error("evt.type = open and proc.nme = x", "filter:1:21:");
}
END_TEST

/* A small world: bash (100) under sshd (50) under init (1) opens files. */
static void world(struct fx *f)
{
	fx_init(f);
	fx_proc(f, 1, 1, 0, "systemd", "/", 0);
	fx_proc(f, 50, 50, 1, "sshd", "/", 0);
	fx_proc(f, 100, 100, 50, "bash", "/home/alice", 1000);
}

static int matches(struct fx *f, const char *text)
{
	struct eng_filter *flt;
	char err[512];
	ck_assert_msg(eng_filter_new(text, &flt, err, sizeof err) == 0, "%s", err);
	int m = eng_filter_match(flt, &f->ctx);
	eng_filter_free(flt);
	return m;
}

START_TEST(evaluation)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(matches(&f, "evt.type = open and evt.dir = <"));
	ck_assert(matches(&f, "evt.type in (read, open)"));
	ck_assert(!matches(&f, "evt.type in (read, write)"));
	ck_assert(matches(&f, "fd.name startswith /etc and fd.name endswith passwd"));
	ck_assert(matches(&f, "fd.name contains etc/pa"));
	ck_assert(matches(&f, "fd.name icontains ETC/PA"));
	ck_assert(matches(&f, "fd.name glob '/etc/*'"));
	ck_assert(matches(&f, "fd.name pmatch (/usr, /etc)"));
	ck_assert(!matches(&f, "fd.name pmatch (/et)"));
	ck_assert(matches(&f, "fd.num = 3 and fd.num >= 3 and fd.num < 4 and fd.num != 2"));
	ck_assert(matches(&f, "proc.pid = 100 and proc.ppid = 50 and proc.pname = sshd"));
	ck_assert(matches(&f, "proc.aname = systemd"));
	ck_assert(!matches(&f, "proc.aname = bash"));
	ck_assert(matches(&f, "proc.aname[2] = systemd and proc.apid[1] = 50"));
	ck_assert(matches(&f, "evt.is_open_read = true and evt.is_open_write = false"));
	ck_assert(matches(&f, "evt.failed = false and evt.res = SUCCESS and evt.rawres = 3"));
	ck_assert(matches(&f, "not fd.name = /etc/shadow"));
	ck_assert(matches(&f, "toupper(proc.name) = BASH and len(fd.name) = 11"));
	ck_assert(matches(&f, "basename(fd.name) = passwd"));
	ck_assert(matches(&f, "proc.name = oneof (zsh, bash)"));
	ck_assert(!matches(&f, "fd.name startswith allof (/etc, /usr)"));
	ck_assert(matches(&f, "evt.rawarg.fd = 3 and evt.arg.name = /etc/passwd"));
	ck_assert(matches(&f, "evt.arg[0] = '<f>/etc/passwd'"));
	/* bytes, base64, one field against another */
	ck_assert(matches(&f, "fd.name bcontains 7061737377 and fd.name bstartswith 2f657463"));
	ck_assert(!matches(&f, "fd.name bcontains 00"));
	ck_assert(matches(&f, "proc.name = val(proc.exe) and fd.num = val(evt.rawres)"));
	ck_assert(!matches(&f, "proc.name = val(fd.name)"));
	ck_assert(matches(&f, "proc.pid > val(proc.ppid) and fd.name != val(proc.name)"));
	ck_assert(matches(&f, "b64(proc.name) = \"\" or basename(fd.filename) = passwd"));
	fx_free(&f);
}
END_TEST

START_TEST(not_available_never_matches)
{
	struct fx f;
	world(&f);
	/* a thread never seen, an fd never opened */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 777, 9);
	ck_assert(!matches(&f, "proc.name = bash"));
	ck_assert(!matches(&f, "proc.name != bash"));
	ck_assert(matches(&f, "not proc.name = bash"));
	ck_assert(!matches(&f, "proc.name exists"));
	ck_assert(!matches(&f, "fd.name exists"));
	ck_assert(matches(&f, "fd.num = 9 and thread.tid = 777"));
	ck_assert(!matches(&f, "user.uid = 0"));
	fx_free(&f);
}
END_TEST

START_TEST(network_fields)
{
	struct fx f;
	world(&f);
	fx_begin(&f, SHM_EV_SOCKET_SOCKET_E, 100);
	shm_enc_u32(&f.e, 2); shm_enc_u32(&f.e, 1); shm_enc_u32(&f.e, 0);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SOCKET_SOCKET_X, 100);
	shm_enc_s64(&f.e, 4);
	fx_end(&f);
	ck_assert(!matches(&f, "fd.cip exists"));
	fx_begin(&f, SHM_EV_SOCKET_CONNECT_E, 100);
	shm_enc_s64(&f.e, 4); shm_enc_sockaddr_in(&f.e, htonl(0x08080808), 53);
	fx_end(&f);
	fx_begin(&f, SHM_EV_SOCKET_CONNECT_X, 100);
	shm_enc_s64(&f.e, 0);
	shm_enc_socktuple_in(&f.e, htonl(0x0a000005), 40000, htonl(0x08080808), 53);
	fx_end(&f);
	ck_assert(matches(&f, "fd.type = ipv4 and fd.l4proto = tcp and fd.sockfamily = ip"));
	ck_assert(matches(&f, "fd.cip = 10.0.0.5 and fd.sip = 8.8.8.8"));
	ck_assert(matches(&f, "fd.cport = 40000 and fd.sport = 53 and fd.sport < 1024"));
	ck_assert(matches(&f, "fd.ip = 8.8.8.8 and fd.ip = 10.0.0.5 and fd.port = 53"));
	ck_assert(!matches(&f, "fd.ip != 8.8.8.8"));
	ck_assert(matches(&f, "fd.net = 10.0.0.0/8 and fd.snet = 8.8.0.0/16"));
	ck_assert(!matches(&f, "fd.cnet = 192.168.0.0/16"));
	ck_assert(matches(&f, "fd.name = '10.0.0.5:40000->8.8.8.8:53'"));
	fx_free(&f);
}
END_TEST

/* Random token soup: parsing and compiling either succeed or fail cleanly. */
START_TEST(random_input_never_crashes)
{
	static const char *const tok[] = {
		"proc.name", "fd.name", "evt.type", "proc.aname[2]", "evt.arg.fd", "evt.arg[",
		"=", "!=", "<", ">=", "in", "pmatch", "contains", "exists", "glob", "and", "or",
		"not", "(", ")", "(", ")", ",", "'x'", "\"y\\\"\"", "'", "\"", "1", "-2", "0x1f",
		"tolower(", "val(", "join(\"-\", (", "oneof", "bash", "/etc", " ", " ", "\n", "]",
		"[", "\\", "1.2.3.4/8", "true", "macro_x"};
	unsigned seed = 12345;
	char text[512];
	for (int i = 0; i < 20000; i++) {
		size_t len = 0;
		int n = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 12;
		text[0] = 0;
		for (int k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *t = tok[(seed >> 16) % (sizeof(tok) / sizeof(tok[0]))];
			size_t tl = strlen(t);
			if (len + tl + 2 >= sizeof text)
				break;
			memcpy(text + len, t, tl);
			len += tl;
			if ((seed >> 8) & 1)
				text[len++] = ' ';
			text[len] = 0;
		}
		struct eng_filter *flt = NULL;
		char err[512];
		int rc = eng_filter_new(text, &flt, err, sizeof err);
		ck_assert_msg(rc == 0 || rc == -EINVAL, "%s: %d", text, rc);
		ck_assert((rc == 0) == (flt != NULL));
		if (rc)
			ck_assert_msg(strncmp(err, "filter:", 7) == 0, "%s: %s", text, err);
		eng_filter_free(flt);
	}
}
END_TEST

static Suite *filter_suite(void)
{
	Suite *s = suite_create("filter");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, parse_precedence);
	tcase_add_test(tc, parse_errors_point_at_the_column);
	tcase_add_test(tc, depth_is_limited);
	tcase_add_test(tc, compile_errors);
	tcase_add_test(tc, evaluation);
	tcase_add_test(tc, not_available_never_matches);
	tcase_add_test(tc, network_fields);
	tcase_add_test(tc, random_input_never_crashes);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(filter_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
