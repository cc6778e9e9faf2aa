/* Unit tests of the condition parser and the compiled filters (suite "filter"). */
#define _GNU_SOURCE /* FNM_CASEFOLD */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_ast.h"
#include "eng_filter.h"
#include "eng_match.h"
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
	compile_error("proc.name intersects a_list", "lists are expanded by the rules loader");
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
	/* libsinsp compares path components: a run of slashes is one */
	ck_assert(matches(&f, "fd.name pmatch (//etc, /usr)"));
	ck_assert(matches(&f, "fd.name pmatch (/etc//passwd)"));
	ck_assert(!matches(&f, "fd.name pmatch (/etc//pass)"));
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
	/* a name with runs of slashes (openat of "etc" relative to "/") */
	fx_open(&f, 100, "//etc//hosts", 1, 4);
	ck_assert(matches(&f, "fd.name pmatch (/etc) and fd.name pmatch (/etc/hosts)"));
	ck_assert(!matches(&f, "fd.name pmatch (/etc/host)"));
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

/* A condition with n names: "FIELD in (p0, p1, ...)" (or another operator). */
static char *list_cond(const char *field, const char *op, const char *prefix, int n)
{
	size_t cap = 64 + (size_t)n * 24;
	char *t = malloc(cap);
	ck_assert_ptr_nonnull(t);
	size_t pos = (size_t)snprintf(t, cap, "%s %s (", field, op);
	for (int i = 0; i < n; i++)
		pos += (size_t)snprintf(t + pos, cap - pos, "%s%s%d", i ? ", " : "", prefix, i);
	snprintf(t + pos, cap - pos, ")");
	return t;
}

static int matches_free(struct fx *f, char *text)
{
	int m = matches(f, text);
	free(text);
	return m;
}

START_TEST(in_lists_long_and_short)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	/* long lists (a hash set): the one item anywhere in the list, never a near miss */
	ck_assert(matches(&f, "proc.name in (a1, a2, a3, a4, a5, bash, a7)"));
	ck_assert(matches(&f, "proc.name in (bash, a2, a3, a4, a5, a6, a7)"));
	ck_assert(matches(&f, "proc.name in (a1, a2, a3, a4, a5, a6, bash)"));
	ck_assert(!matches(&f, "proc.name in (a1, a2, a3, a4, bas, bashh, ash)"));
	ck_assert(!matches(&f, "proc.name in (a1, a2, a3, a4, BASH, Bash, ' bash')"));
	ck_assert(matches(&f, "toupper(proc.name) in (a1, a2, a3, a4, BASH)"));
	ck_assert(!matches(&f, "proc.name in (x, y, z, w, '')"));
	ck_assert(matches_free(&f, list_cond("proc.name", "in", "n", 500)) == 0);
	char *t = list_cond("proc.name", "in", "n", 500);
	strcpy(t + strlen(t) - 1, ", bash)");
	ck_assert(matches_free(&f, t));
	/* != and not; a modifier compares each value with the operator
	 * itself (libs): bash differs from three of these, from all four */
	ck_assert(!matches(&f, "proc.name != oneof (a1, a2, a3, bash)"));
	ck_assert(!matches(&f, "proc.name != oneof (a1, a2, a3, a4)"));
	ck_assert(matches(&f, "proc.name != allof (a1, a2, a3, a4)"));
	ck_assert(matches(&f, "proc.name = oneof (a1, a2, a3, bash)"));
	ck_assert(matches(&f, "not proc.name in (a1, a2, a3, a4, a5)"));
	/* numbers: compared as numbers, whatever their spelling */
	ck_assert(matches(&f, "proc.pid in (1, 2, 3, 0x64, 5)"));
	ck_assert(matches(&f, "proc.pid in (1, 2, 3, 100)"));
	ck_assert(!matches(&f, "proc.pid in (1, 2, 3, 1000, -100)"));
	ck_assert(matches(&f, "fd.num in (-1, 0, 1, 2, 3)"));
	ck_assert(matches(&f, "len(proc.name) in (1, 2, 3, 4, 5)"));
	ck_assert(matches(&f, "evt.failed in (false, 7, 8, 9)"));
	ck_assert(matches_free(&f, list_cond("proc.pid", "in", "", 300)));
	ck_assert(!matches_free(&f, list_cond("proc.pid", "in", "", 100)));
	/* a long and a short list say the same for many values */
	for (int n = 1; n < 12; n++) {
		char *a = list_cond("proc.pid", "in", "9", n);
		char *b = list_cond("fd.num", "in", "", n);
		ck_assert_int_eq(matches_free(&f, a), 0);
		ck_assert_int_eq(matches_free(&f, b), n > 3);
	}
	/* allof needs every value: no set */
	ck_assert(!matches(&f, "proc.name = allof (bash, bash, bash, zsh)"));
	ck_assert(matches(&f, "proc.name = allof (bash, bash, bash, bash)"));
	fx_free(&f);
}
END_TEST

START_TEST(intersects_is_in_for_one_value)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(matches(&f, "proc.name intersects (zsh, bash)"));
	ck_assert(matches(&f, "proc.name intersects (a1, a2, a3, a4, bash)"));
	ck_assert(!matches(&f, "proc.name intersects (zsh, sh)"));
	ck_assert(!matches(&f, "proc.name intersects (a1, a2, a3, a4, zsh)"));
	ck_assert(matches(&f, "proc.pid intersects (7, 100)"));
	ck_assert(matches(&f, "fd.sip intersects (1.2.3.4)") == 0);
	/* any ancestor: some ancestor's name in the list */
	ck_assert(matches(&f, "proc.aname intersects (x, systemd)"));
	ck_assert(!matches(&f, "proc.aname intersects (x, bash)"));
	ck_assert(matches(&f, "not proc.name intersects (zsh)"));
	fx_free(&f);
}
END_TEST

START_TEST(regex_matches_the_whole_value)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/ssh/sshd_config", 1, 3);
	ck_assert(matches(&f, "proc.name regex 'ba.h'"));
	ck_assert(matches(&f, "proc.name regex '(zsh|bash)'"));
	ck_assert(!matches(&f, "proc.name regex 'ba'"));   /* whole value, as Falco */
	ck_assert(!matches(&f, "proc.name regex 'as'"));
	ck_assert(matches(&f, "fd.name regex '/etc/[a-z]+/sshd_.*'"));
	ck_assert(matches(&f, "not fd.name regex '/usr/.*'"));
	fx_free(&f);
	compile_error("proc.name regex 'a(('", "not a valid regular expression");
	compile_error("proc.pid regex '1'", "needs a string field");
}
END_TEST

/* RE2's syntax, where POSIX extended expressions read the same pattern
 * otherwise (or not at all). The condition's own escapes come first:
 * "\\d" in a condition is the pattern \d. */
START_TEST(regex_is_re2)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/tmp/my file42.log", 1, 3);
	ck_assert(matches(&f, "fd.name regex '/tmp/my\\\\sfile\\\\d+\\\\.log'"));   /* \s \d */
	ck_assert(!matches(&f, "fd.name regex '/tmp/my\\\\sfile\\\\d\\\\.log'"));
	ck_assert(matches(&f, "fd.name regex '/\\\\w+/.*'"));                       /* \w */
	ck_assert(matches(&f, "fd.name regex '.*\\\\bfile42.*'"));                  /* \b */
	ck_assert(!matches(&f, "fd.name regex '.*\\\\Bfile42.*'"));
	ck_assert(matches(&f, "proc.name regex '(?i)BASH'"));                      /* flags */
	ck_assert(!matches(&f, "proc.name regex 'BASH'"));
	ck_assert(matches(&f, "fd.name regex '/tmp/.*?\\\\.log'"));                 /* lazy */
	ck_assert(matches(&f, "fd.name regex '[[:alpha:]/]+ file[[:digit:]]{2}\\\\.log'"));
	/* alternation binds loosest, and the whole value must match */
	ck_assert(matches(&f, "proc.name regex 'ba|bash'"));
	ck_assert(!matches(&f, "proc.name regex 'b|ash'"));
	ck_assert(!matches(&f, "proc.name regex 'zsh|ba'"));
	fx_free(&f);
	/* a bad pattern is a compile error at the pattern, with RE2's reason */
	compile_error("proc.name regex 'a(('", "filter:1:17: 'a((' is not a valid regular "
		      "expression: missing )");
	/* back references are POSIX, not RE2 */
	compile_error("proc.name regex '(a)\\\\1'", "not a valid regular expression");
	compile_error("proc.name regex '(?<x'", "not a valid regular expression");
	compile_error("proc.name regex val(proc.exe)", "needs a literal pattern");
}
END_TEST

/* An execve by tid whose argv after argv[0] is args (NUL-separated). */
static void exec_args(struct fx *f, int64_t tid, const char *comm, const char *args,
		      uint32_t args_len)
{
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_E, tid);
	shm_enc_str(&f->e, comm);
	fx_end(f);
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&f->e, 0); shm_enc_str(&f->e, comm); shm_enc_param(&f->e, args, args_len);
	shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, -1);
	shm_enc_str(&f->e, "/"); shm_enc_u64(&f->e, 1024); shm_enc_u64(&f->e, 0);
	shm_enc_u64(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	shm_enc_str(&f->e, comm); shm_enc_empty(&f->e); shm_enc_empty(&f->e);
	shm_enc_u32(&f->e, 0); shm_enc_s64(&f->e, tid); shm_enc_u32(&f->e, 0);
	shm_enc_u32(&f->e, 0);
	fx_end(f);
}

START_TEST(join_and_concat)
{
	char b[512];
	ck_assert_str_eq(printed("join('-', (fd.name, \"x\", 1)) = a", b, sizeof b),
			 "join(\"-\", (fd.name, \"x\", \"1\")) = \"a\"");
	ck_assert_str_eq(printed("a.b = tolower(concat(c.d, 'e'))", b, sizeof b),
			 "a.b = tolower(concat(c.d, \"e\"))");
	ck_assert_str_eq(printed("getopt(proc.args, 'nt:')[t] = v", b, sizeof b),
			 "getopt(proc.args, \"nt:\")[t] = \"v\"");
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(matches(&f, "join('-', (proc.name, fd.name)) = 'bash-/etc/passwd'"));
	ck_assert(matches(&f, "join(\",\", (proc.name, proc.pid)) = \"bash,100\""));
	ck_assert(matches(&f, "join(\"-\", (\"aaa\", 'bbb')) = aaa-bbb"));
	ck_assert(matches(&f, "join('', (proc.name)) = bash"));
	ck_assert(matches(&f, "join(proc.name, (fd.num, fd.num)) = 3bash3"));  /* a field separator */
	ck_assert(matches(&f, "join(\"-\", (fd.name, \"literal\")) endswith -literal"));
	ck_assert(matches(&f, "toupper(join('-', (proc.name, proc.pname))) = BASH-SSHD"));
	ck_assert(matches(&f, "len(join('/', (proc.name, proc.name))) = 9"));
	ck_assert(matches(&f, "join('-', (tolower(proc.name), basename(fd.name))) in (x, y, z, "
			      "w, bash-passwd)"));
	ck_assert(matches(&f, "concat(proc.name, '@', proc.pname) = bash@sshd"));
	ck_assert(matches(&f, "concat(proc.name, fd.name) startswith bash/etc"));
	ck_assert(matches(&f, "concat(toupper(proc.name), 'X') glob 'BA*X'"));
	ck_assert(!matches(&f, "concat(proc.name, 'X') = bash"));
	/* a field that is not available makes the whole expression so */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 9);
	ck_assert(!matches(&f, "join('-', (proc.name, fd.name)) exists"));
	ck_assert(!matches(&f, "concat(proc.name, fd.name) != x"));
	ck_assert(matches(&f, "not concat(proc.name, fd.name) = x"));
	ck_assert(matches(&f, "concat(proc.name, 'x') exists"));
	fx_free(&f);
}
END_TEST

START_TEST(getopt_reads_arguments)
{
	struct fx f;
	world(&f);
	/* nc -n -t value -vx42 file -z */
	static const char args[] = "-n\0-t\0value\0-vx42\0file\0-z";
	exec_args(&f, 100, "nc", args, sizeof(args));
	ck_assert(matches(&f, "proc.name = nc and getopt(proc.args, 'nt:vx:')[t] = value"));
	ck_assert(matches(&f, "getopt(proc.args, 'nt:vx:')[n] = n"));
	ck_assert(matches(&f, "getopt(proc.args, 'nt:vx:')[v] = v"));
	ck_assert(matches(&f, "getopt(proc.args, 'nt:vx:')[x] = 42"));     /* "-vx42" */
	ck_assert(!matches(&f, "getopt(proc.args, 'nt:vx:')[z] exists"));  /* after "file" */
	ck_assert(matches(&f, "not getopt(proc.args, 'nt:vx:')[z] = x"));
	/* the whole result: options and values; '?' for an unknown option */
	ck_assert(matches(&f, "getopt(proc.args, 'nt:vx:') in (n, t, value, v, x, 42)"));
	ck_assert(!matches(&f, "getopt(proc.args, 'nt:vx:') in (n, t, value)"));
	ck_assert(matches(&f, "getopt(proc.args, 'nt:vx:') intersects (value)"));
	ck_assert(matches(&f, "getopt(proc.args, 'nt:') intersects ('?')"));  /* -v, -x */
	ck_assert(matches(&f, "len(getopt(proc.args, 'nt:vx:')) = 6"));
	ck_assert(matches(&f, "join(',', getopt(proc.args, 'nt:vx:')) = 'n,t,value,v,x,42'"));
	ck_assert(matches(&f, "join(' ', proc.args) = '-n -t value -vx42 file -z'"));
	/* a literal list, a value taken from the next word, an optstring field */
	ck_assert(matches(&f, "getopt(('-ab', '-c', 'x y'), 'abc:')[c] = 'x y'"));
	ck_assert(matches(&f, "getopt(('-c'), 'c:')[c] = ''"));          /* missing value */
	ck_assert(matches(&f, "getopt(('-q', '--', '-c', 'x'), 'qc:') in (q)"));
	ck_assert(matches(&f, "getopt(('-v'), concat('v', ':'))[v] = ''"));
	ck_assert(matches(&f, "toupper(getopt(proc.args, 'nt:vx:')[t]) = VALUE"));
	fx_free(&f);
}
END_TEST

START_TEST(transformers_on_the_right)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(matches(&f, "proc.name = tolower(toupper(proc.name))"));
	ck_assert(matches(&f, "toupper(proc.name) = toupper(proc.exe)"));
	ck_assert(!matches(&f, "proc.name = toupper(proc.name)"));
	ck_assert(matches(&f, "fd.filename = basename(fd.name)"));
	ck_assert(matches(&f, "fd.name endswith concat('/', fd.filename)"));
	ck_assert(matches(&f, "fd.name startswith join('', ('/', 'etc'))"));
	ck_assert(matches(&f, "concat(fd.directory, '/', fd.filename) = val(fd.name)"));
	ck_assert(matches(&f, "proc.pid > len(proc.name) and fd.num < len(proc.name)"));
	ck_assert(matches(&f, "len(fd.name) = len(concat(fd.directory, '/', fd.filename))"));
	ck_assert(matches(&f, "fd.name glob concat(fd.directory, '/*')"));
	ck_assert(matches(&f, "fd.name pmatch val(fd.directory)"));
	ck_assert(matches(&f, "fd.filename in val(fd.filename)"));
	ck_assert(matches(&f, "fd.name icontains toupper(fd.filename)"));
	ck_assert(!matches(&f, "fd.name contains toupper(fd.filename)"));
	/* a right-hand side that is not available never matches */
	fx_fd_enter(&f, SHM_EV_SYSCALL_READ_E, 100, 9);
	ck_assert(!matches(&f, "proc.name != tolower(fd.name)"));
	fx_free(&f);
}
END_TEST

START_TEST(transformer_type_errors)
{
	/* Falco's messages, at the argument they are about */
	compile_error("concat(proc.name, proc.pid) = x",
		      "filter:1:19: concat() arguments must be strings");
	compile_error("concat(proc.name) = x", "concat() requires at least 2 arguments");
	compile_error("join('-', proc.name) = x", "filter:1:11: join() second argument must be a list");
	compile_error("join('-', (a.b)) = x", "unknown field 'a.b'");
	compile_error("join((proc.name), (proc.name)) = x", "join() first argument (separator)");
	compile_error("join('-') = x", "join() requires exactly 2 arguments");
	compile_error("getopt(proc.name, 'n')[n] = x", "getopt() first argument must be a list");
	compile_error("getopt(proc.args, proc.pid)[n] = x", "getopt() arguments must be strings");
	compile_error("getopt(proc.args, 'n')[nn] = x", "single option character");
	compile_error("getopt(proc.args) = x", "getopt() requires exactly 2 arguments");
	compile_error("getopt(proc.args, 'n') = n", "cannot compare a list");
	compile_error("tolower(proc.name)[x] = a", "does not support field arguments");
	compile_error("tolower(proc.name, fd.name) = a", "takes exactly one argument");
	compile_error("tolower(proc.pid) = a", "transformers apply to string fields only");
	compile_error("proc.name = toupper(proc.pid)", "needs a string argument");
	compile_error("proc.pid > tolower(proc.name)", "compares numbers");
	compile_error("proc.name = oneof val(proc.exe)", "list modifier");
}
END_TEST

START_TEST(acmdline_of_ancestors)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(matches(&f, "proc.acmdline[0] = bash"));
	ck_assert(matches(&f, "proc.acmdline[1] = sshd"));
	ck_assert(matches(&f, "proc.acmdline[2] = systemd"));
	ck_assert(!matches(&f, "proc.acmdline[3] exists"));
	/* without an index: any ancestor (not the process itself) */
	ck_assert(matches(&f, "proc.acmdline = systemd"));
	ck_assert(!matches(&f, "proc.acmdline = bash"));
	fx_free(&f);
}
END_TEST

/* Current libs: list modifiers, pmatch globs, \x escapes. */
START_TEST(libs_modifiers_globs_escapes)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/opt/dir/subdir/file.txt", 1, 3);
	/* oneof: exactly one value matches */
	ck_assert(matches(&f, "proc.name = oneof (bash, zsh)"));
	ck_assert(!matches(&f, "proc.name = oneof (bash, bash)"));
	ck_assert(!matches(&f, "proc.name startswith oneof (ba, bas, zsh)"));
	ck_assert(matches(&f, "proc.name startswith oneof (ba, zsh)"));
	/* anyof: some value; with != some value differs */
	ck_assert(matches(&f, "proc.name startswith anyof (ba, bas, zsh)"));
	ck_assert(matches(&f, "proc.name != anyof (bash, zsh)"));
	ck_assert(!matches(&f, "proc.name != anyof (bash, bash)"));
	ck_assert(matches(&f, "proc.name = anyof (a1, a2, a3, a4, a5, bash)"));
	/* allof: every value; != allof is "none of them" */
	ck_assert(matches(&f, "proc.name contains allof (ba, sh)"));
	ck_assert(!matches(&f, "proc.name contains allof (ba, zz)"));
	ck_assert(!matches(&f, "proc.name != allof (zsh, bash)"));
	ck_assert(!matches(&f, "proc.name != allof (a1, a2, a3, a4, a5, bash)"));
	ck_assert(matches(&f, "proc.name != allof (a1, a2, a3, a4, a5, a6)"));
	/* an empty list matches nothing, whatever the modifier */
	ck_assert(!matches(&f, "proc.name = allof ()"));
	ck_assert(!matches(&f, "proc.name != allof ()"));
	ck_assert(!matches(&f, "proc.name = anyof ()"));
	ck_assert(!matches(&f, "proc.name = oneof ()"));
	ck_assert(matches(&f, "not proc.name = allof ()"));
	/* evt.type: each name compared, not the type set */
	ck_assert(matches(&f, "evt.type != anyof (open, close)"));
	/* pmatch: a component with ? * [ is a glob (libs' own cases) */
	ck_assert(matches(&f, "fd.name pmatch (/opt/*)"));
	ck_assert(matches(&f, "fd.name pmatch (/opt/*/subdir)"));
	ck_assert(matches(&f, "fd.name pmatch (/opt/di?/subdir)"));
	ck_assert(!matches(&f, "fd.name pmatch (/opt/dii?/subdir)"));
	ck_assert(matches(&f, "fd.name pmatch (/opt/di[r]/subdir)"));
	ck_assert(!matches(&f, "fd.name pmatch (/opt/di[!r]/subdir)"));
	ck_assert(!matches(&f, "fd.name pmatch (/opt/*/subdir2)"));
	ck_assert(matches(&f, "fd.name pmatch (/opt/*/*)"));
	ck_assert(!matches(&f, "fd.name pmatch (/opt/*/*/subsubdir)"));
	ck_assert(matches(&f, "fd.name pmatch (/usr, /opt/*/subdir)"));
	ck_assert(!matches(&f, "fd.name pmatch (/usr, /op*/dir/x)"));
	/* \xHH: one byte; a NUL keeps the bytes after it for = */
	ck_assert(matches(&f, "proc.name = \"\\x62ash\""));
	ck_assert(matches(&f, "proc.name = '\\x62\\x61\\x73\\x68'"));
	ck_assert(!matches(&f, "proc.name = \"bash\\x00x\""));
	ck_assert(matches(&f, "proc.name != \"bash\\x00x\""));
	ck_assert(!matches(&f, "proc.name in (\"bash\\x00\", zsh)"));
	compile_error("proc.name = \"\\x6\"", "truncated hex char escape sequence");
	compile_error("proc.name = \"\\xzz\"", "invalid hex char escape sequence: zz");
	fx_free(&f);
}
END_TEST

START_TEST(pmatch_prefixes)
{
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/ssh/sshd_config", 1, 3);
	ck_assert(matches(&f, "fd.name pmatch (/etc)"));
	ck_assert(matches(&f, "fd.name pmatch (/etc/)"));
	ck_assert(matches(&f, "fd.name pmatch (/etc/ssh)"));
	ck_assert(matches(&f, "fd.name pmatch (/etc/ssh/sshd_config)"));
	ck_assert(matches(&f, "fd.name pmatch (/usr, /var/lib, /etc/ss/, /etc/ssh/)"));
	ck_assert(!matches(&f, "fd.name pmatch (/etc/ss)"));
	ck_assert(!matches(&f, "fd.name pmatch (/etc/ssh/sshd)"));
	ck_assert(!matches(&f, "fd.name pmatch (/etc/ssh/sshd_config/x, /etc/sshx, /usr)"));
	ck_assert(matches(&f, "fd.name pmatch (/etc/sshd, /etc/ssh, /etc/s)"));
	ck_assert(matches(&f, "fd.name pmatch (/)"));
	ck_assert(!matches(&f, "fd.name pmatch (etc)"));
	ck_assert(matches(&f, "not fd.name pmatch (/home)"));
	fx_free(&f);

	/* the trie alone, against the rule: prefix equal, or followed by '/', or ending in '/' */
	static const char *const pre[] = {"/a", "/a/b/", "/c/d", "/e", "/ef/g", "/h/"};
	static const char *const path[] = {"/a", "/a/", "/ab", "/a/b", "/a/bc", "/c", "/c/d",
					    "/c/de", "/c/d/e", "/e", "/ef", "/ef/g/h", "/h", "/h/",
					    "/hx", "", "/", "/h/i"};
	struct eng_ptrie *t;
	ck_assert_int_eq(eng_ptrie_new(&t), 0);
	for (size_t i = 0; i < 6; i++)
		ck_assert_int_eq(eng_ptrie_add(t, pre[i], strlen(pre[i])), 0);
	for (size_t k = 0; k < sizeof(path) / sizeof(path[0]); k++) {
		const char *s = path[k];
		size_t len = strlen(s);
		int want = 0;
		for (size_t i = 0; i < 6; i++) {
			size_t pl = strlen(pre[i]);
			if (len >= pl && !memcmp(s, pre[i], pl) &&
			    (len == pl || s[pl] == '/' || pre[i][pl - 1] == '/'))
				want = 1;
		}
		ck_assert_msg(eng_ptrie_match(t, s, len) == want, "%s: expected %d", s, want);
	}
	eng_ptrie_free(t);
}
END_TEST

/* Our glob loop against fnmatch on random patterns and strings. */
START_TEST(glob_agrees_with_fnmatch)
{
	static const char alpha[] = "ab/.*?Aa";
	unsigned seed = 777;
	char pat[16], str[16];
	for (int i = 0; i < 200000; i++) {
		size_t pl = (seed = seed * 1103515245u + 12345u) >> 16 & 7;
		size_t sl = (seed = seed * 1103515245u + 12345u) >> 16 & 7;
		for (size_t k = 0; k < pl; k++)
			pat[k] = alpha[((seed = seed * 1103515245u + 12345u) >> 16) % 8];
		for (size_t k = 0; k < sl; k++)
			str[k] = alpha[((seed = seed * 1103515245u + 12345u) >> 16) % 4];
		pat[pl] = str[sl] = 0;
		for (int icase = 0; icase < 2; icase++) {
			struct eng_glob *g;
			ck_assert_int_eq(eng_glob_new(&g, pat, icase), 0);
			int want = fnmatch(pat, str, icase ? FNM_CASEFOLD : 0) == 0;
			ck_assert_msg(eng_glob_match(g, str) == want, "'%s' ~ '%s' (icase %d): fnmatch %d",
				      str, pat, icase, want);
			eng_glob_free(g);
		}
	}
	/* classes and escapes are fnmatch's own */
	struct fx f;
	world(&f);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(matches(&f, "fd.name glob '/etc/[op]asswd'"));
	ck_assert(matches(&f, "fd.name glob '/e?c/*' and fd.name glob '*wd' and fd.name glob '*'"));
	ck_assert(!matches(&f, "fd.name glob '/etc' or fd.name glob '/etc/?'"));
	ck_assert(matches(&f, "fd.name iglob '/ETC/PASS*'"));
	ck_assert(!matches(&f, "fd.name glob '/ETC/PASS*'"));
	ck_assert(matches(&f, "fd.name glob '/etc/\\\\pas*'"));
	fx_free(&f);
}
END_TEST

/* One filter over several events: a field read by several checks is
 * extracted once per evaluation, and anew for the next event. */
START_TEST(values_follow_the_event)
{
	struct fx f;
	struct eng_filter *flt;
	char err[512];
	world(&f);
	ck_assert_int_eq(eng_filter_new("fd.name startswith /etc and fd.name endswith passwd and "
					"not fd.name contains shadow and proc.name in (a, b, c, bash)",
					&flt, err, sizeof err), 0);
	fx_open(&f, 100, "/etc/passwd", 1, 3);
	ck_assert(eng_filter_match(flt, &f.ctx));
	ck_assert(eng_filter_match(flt, &f.ctx));
	fx_open(&f, 100, "/etc/shadow", 1, 4);
	ck_assert(!eng_filter_match(flt, &f.ctx));
	fx_open(&f, 100, "/tmp/passwd", 1, 5);
	ck_assert(!eng_filter_match(flt, &f.ctx));
	fx_open(&f, 100, "/etc/x/passwd", 1, 6);
	ck_assert(eng_filter_match(flt, &f.ctx));
	fx_execve(&f, 100, "/bin/zsh", "zsh", 0);
	fx_open(&f, 100, "/etc/passwd", 1, 7);
	ck_assert(!eng_filter_match(flt, &f.ctx));
	eng_filter_free(flt);
	fx_free(&f);
}
END_TEST

/* Random token soup: parsing and compiling either succeed or fail cleanly. */
START_TEST(random_input_never_crashes)
{
	static const char *const tok[] = {
		"proc.name", "fd.name", "evt.type", "proc.aname[2]", "evt.arg.fd", "evt.arg[",
		"=", "!=", "<", ">=", "in", "pmatch", "contains", "exists", "glob", "and", "or",
		"not", "intersects", "(", ")", "(", ")", ",", "'x'", "\"y\\\"\"", "'", "\"", "1", "-2", "0x1f",
		"tolower(", "val(", "join(\"-\", (", "concat(", "getopt(proc.args, 'n:')[n]",
		"getopt(", "'(?i)x'", "oneof", "bash", "/etc", " ", " ", "\n", "]",
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
	tcase_add_test(tc, in_lists_long_and_short);
	tcase_add_test(tc, intersects_is_in_for_one_value);
	tcase_add_test(tc, regex_matches_the_whole_value);
	tcase_add_test(tc, regex_is_re2);
	tcase_add_test(tc, join_and_concat);
	tcase_add_test(tc, getopt_reads_arguments);
	tcase_add_test(tc, transformers_on_the_right);
	tcase_add_test(tc, transformer_type_errors);
	tcase_add_test(tc, acmdline_of_ancestors);
	tcase_add_test(tc, pmatch_prefixes);
	tcase_add_test(tc, libs_modifiers_globs_escapes);
	tcase_add_test(tc, glob_agrees_with_fnmatch);
	tcase_add_test(tc, values_follow_the_event);
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
