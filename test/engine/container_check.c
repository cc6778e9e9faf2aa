/* Unit tests of container ids and container events (suite "container").
 * What sysdig 0.29.3 prints for the same cgroups is checked by
 * container_diff.sh; these pin the matcher's corner cases, the JSON reader's
 * robustness and the state hooks (built with ASan+UBSan). */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_container.h"
#include "evgen.h"

static int yes(void *arg) { (void)arg; return 1; }
static int no(void *arg) { (void)arg; return 0; }

/* The id for one "subsys=path" entry (NUL-separated list in cg, len). */
static const char *match(const char *cg, uint32_t len, int (*task)(void *), int *type)
{
	static char out[256];
	struct eng_ct_match m;
	eng_container_match(cg, len, task, NULL, out, sizeof out, &m);
	*type = m.type;
	return m.type < 0 ? "host" : out;
}

static const char *match1(const char *path, int *type)
{
	static char buf[1024];
	int n = snprintf(buf, sizeof buf, "cpu=%s", path);
	return match(buf, (uint32_t)n + 1, yes, type);
}

#define HEX64 "4b9e19cf70ce0123456789abcdef0123456789abcdef0123456789abcdef0123"

START_TEST(runc_layouts)
{
	int t;
	ck_assert_str_eq(match1("/docker/" HEX64, &t), "4b9e19cf70ce");
	ck_assert_int_eq(t, ENG_CT_DOCKER);
	ck_assert_str_eq(match1("/system.slice/docker-" HEX64 ".scope", &t), "4b9e19cf70ce");
	/* the suffix may be followed by more (libsinsp looks for it anywhere) */
	ck_assert_str_eq(match1("/system.slice/docker-" HEX64 ".scope/init", &t), "4b9e19cf70ce");
	ck_assert_str_eq(match1("/machine.slice/libpod-" HEX64 ".scope", &t), "4b9e19cf70ce");
	ck_assert_int_eq(t, ENG_CT_DOCKER);
	ck_assert_str_eq(match1("/kubepods/besteffort/pod1/" HEX64, &t), "4b9e19cf70ce");
	ck_assert_str_eq(match1("/ecs/task/" HEX64, &t), "4b9e19cf70ce");
	/* but not by a path component */
	ck_assert_str_eq(match1("/docker/" HEX64 "/sub", &t), "host");
	ck_assert_str_eq(match1("/docker/" HEX64 "0", &t), "host");
	ck_assert_str_eq(match1("/docker/4b9e19cf70ce", &t), "host");
	/* cri-o, containerd: an id, no entry */
	ck_assert_str_eq(match1("/kubepods.slice/crio-" HEX64 ".scope", &t), "4b9e19cf70ce");
	ck_assert_int_eq(t, ENG_CT_CRI);
	ck_assert_str_eq(match1("/kubepods/crio-" HEX64, &t), "4b9e19cf70ce");
	ck_assert_str_eq(match1("/x/cri-containerd-" HEX64 ".scope", &t), "4b9e19cf70ce");
	ck_assert_str_eq(match1("/x/pod.slice:cri-containerd:" HEX64, &t), "4b9e19cf70ce");
	ck_assert_int_eq(t, ENG_CT_CRI);
	/* upper-case hex is kept as it is */
	ck_assert_str_eq(match1("/docker/4B9E19CF70CE0123456789abcdef0123456789abcdef0123456789abcdef0123",
				&t), "4B9E19CF70CE");
}
END_TEST

/* "/docker/" and 64 hex digits with bad characters from offset at */
static const char *bad_at(size_t at)
{
	static char p[128];
	snprintf(p, sizeof p, "/docker/%s", HEX64);
	for (size_t i = at; i < strlen(p); i++)
		p[i] = 'z';
	return p;
}

START_TEST(hex_check_quirk)
{
	int t;
	/* a bad character at offset < 64 of the whole path is refused... */
	ck_assert_str_eq(match1(bad_at(20), &t), "host");
	ck_assert_str_eq(match1(bad_at(63), &t), "host");
	/* ...one at 64 or later is not, as in libsinsp */
	ck_assert_str_eq(match1(bad_at(64), &t), "4b9e19cf70ce");
	ck_assert_int_eq(t, ENG_CT_DOCKER);
}
END_TEST

START_TEST(other_engines)
{
	int t;
	char buf[256];
	ck_assert_str_eq(match1("/lxc/web01", &t), "web01");
	ck_assert_int_eq(t, ENG_CT_LXC);
	ck_assert_str_eq(match1("/lxc/db01/init.scope", &t), "db01");
	ck_assert_str_eq(match1("/lxc.payload/c1/system.slice", &t), "c1");
	ck_assert_str_eq(match1("/lxc.payload.c1", &t), "host");
	/* an empty lxc id is the host's, and stops the later engines */
	ck_assert_str_eq(match1("/lxc//bpm-x", &t), "host");
	ck_assert_str_eq(match1("/machine/g1.libvirt-lxc", &t), "g1");
	ck_assert_int_eq(t, ENG_CT_LIBVIRT_LXC);
	ck_assert_str_eq(match1("/machine.slice/machine-lxc\\x2d42\\x2dg2.scope", &t), "42\\x2dg2");
	/* lxc's engine is asked first */
	ck_assert_str_eq(match1("/libvirt/lxc/g3", &t), "g3");
	ck_assert_int_eq(t, ENG_CT_LXC);
	ck_assert_str_eq(match1("/mesos/a9f41620-b165-4d24-abe0-af0af92e7b20", &t),
			 "a9f41620-b165-4d24-abe0-af0af92e7b20");
	ck_assert_int_eq(t, ENG_CT_MESOS);
	int n = snprintf(buf, sizeof buf, "cpu=/mesos/a9f41620-b165-4d24-abe0-af0af92e7b20");
	ck_assert_str_eq(match(buf, (uint32_t)n + 1, no, &t), "host");
	ck_assert_str_eq(match1("/mesos/a9f41620-b165", &t), "host");
	ck_assert_str_eq(match1("/system.slice/bpm-web_job.1.scope", &t), "web_job.1");
	ck_assert_int_eq(t, ENG_CT_BPM);
	ck_assert_str_eq(match1("/bpm-uaa", &t), "uaa");
	ck_assert_str_eq(match1("/bpm-bad id.scope", &t), "host");
	ck_assert_str_eq(match1("/init.scope", &t), "host");
	ck_assert_str_eq(match1("/", &t), "host");
}
END_TEST

START_TEST(cgroup_lists)
{
	int t;
	/* engines first, then cgroups: docker in a later entry beats lxc */
	static const char mixed[] = "cpuset=/lxc/first\0cpu=/docker/" HEX64;
	ck_assert_str_eq(match(mixed, sizeof mixed, yes, &t), "4b9e19cf70ce");
	ck_assert_int_eq(t, ENG_CT_DOCKER);
	/* cri's id is kept, but a later engine takes over */
	static const char crilxc[] = "cpu=/crio-" HEX64 "\0memory=/lxc/box";
	ck_assert_str_eq(match(crilxc, sizeof crilxc, yes, &t), "box");
	ck_assert_int_eq(t, ENG_CT_LXC);
	/* the path is after the last '=' */
	static const char eq[] = "cpu=/lxc/a=b";
	ck_assert_str_eq(match(eq, sizeof eq, yes, &t), "host");
	/* an entry without '=' ends the list */
	static const char noeq[] = "cpu=/lxc/x\0garbage\0memory=/docker/" HEX64;
	ck_assert_str_eq(match(noeq, sizeof noeq, yes, &t), "x");
	ck_assert_int_eq(t, ENG_CT_LXC);
	static const char noeq2[] = "garbage\0cpu=/lxc/x";
	ck_assert_str_eq(match(noeq2, sizeof noeq2, yes, &t), "host");
	/* not NUL-terminated at the end: still read within len */
	static const char cut[] = "cpu=/lxc/abcdef";
	ck_assert_str_eq(match(cut, 12, yes, &t), "abc");
	ck_assert_str_eq(match(NULL, 0, yes, &t), "host");
	/* an id longer than the buffer is cut, never overflowed */
	char big[1200], out[8];
	int n = snprintf(big, sizeof big, "cpu=/lxc/");
	memset(big + n, 'a', 1000);
	big[n + 1000] = 0;
	struct eng_ct_match m;
	eng_container_match(big, (uint32_t)n + 1001, yes, NULL, out, sizeof out, &m);
	ck_assert_int_eq(m.type, ENG_CT_LXC);
	ck_assert_str_eq(out, "aaaaaaa");
}
END_TEST

/* ---- events through the state ---- */

static void json_event(struct fx *f, const char *json, size_t len)
{
	fx_begin(f, SHM_EV_CONTAINER_JSON_2_E, -1);
	shm_enc_param(&f->e, json, (uint32_t)len);
	fx_end(f);
}

static void json_str(struct fx *f, const char *json) { json_event(f, json, strlen(json) + 1); }

static void proc_cg(struct fx *f, int64_t tid, const char *cg, uint32_t len, const char *env,
		    uint32_t env_len)
{
	struct shm_scap_proc p = {.tid = (uint64_t)tid, .pid = (uint64_t)tid, .ptid = 1,
				  .comm = "sh", .exe = "sh", .exepath = "/bin/sh", .args = "",
				  .cwd = "/", .uid = 0, .gid = 0, .vtid = tid, .vpid = tid,
				  .cgroups = cg, .cgroups_len = len, .env = env, .env_len = env_len};
	ck_assert_int_eq(eng_state_add_proc(f->st, &p), 0);
}

static const char *fld(struct fx *f, int64_t tid, const char *name)
{
	static char b[512];
	fx_fd_enter(f, SHM_EV_SYSCALL_READ_E, tid, 0);
	return fx_field(f, name, b, sizeof b);
}

START_TEST(json_events)
{
	struct fx f;
	fx_init(&f);
	static const char dock[] = "cpu=/docker/" HEX64;
	static const char lxc[] = "cpu=/lxc/box";
	proc_cg(&f, 100, dock, sizeof dock, NULL, 0);
	proc_cg(&f, 101, lxc, sizeof lxc, NULL, 0);
	proc_cg(&f, 102, NULL, 0, NULL, 0);
	ck_assert_str_eq(fld(&f, 100, "container.id"), "4b9e19cf70ce");
	ck_assert_str_eq(fld(&f, 100, "container.type"), "docker");
	ck_assert_str_eq(fld(&f, 100, "container.name"), "<NA>");
	ck_assert_str_eq(fld(&f, 100, "container.privileged"), "false");
	ck_assert_str_eq(fld(&f, 101, "container.name"), "box");
	ck_assert_str_eq(fld(&f, 101, "container.privileged"), "<NA>");
	ck_assert_str_eq(fld(&f, 102, "container.id"), "host");
	ck_assert_str_eq(fld(&f, 102, "container.name"), "host");
	ck_assert_str_eq(fld(&f, 102, "container.image"), "<NA>");
	/* members in any order, escapes, nested objects with their own "id" */
	json_str(&f, "{\"other\":[1,{\"id\":\"no\"}],\"container\":{\"labels\":{\"id\":\"x\"},"
		     "\"Mounts\":[{\"Source\":\"/a\"}],\"type\":0,\"privileged\":true,"
		     "\"name\":\"we\\\"b\\u00e9\",\"image\":\"nginx:1\",\"imagerepo\":\"nginx\","
		     "\"imagetag\":\"1\",\"imageid\":\"abc\",\"imagedigest\":\"sha256:1\","
		     "\"id\":\"4b9e19cf70ce\"}}");
	ck_assert_str_eq(fld(&f, 100, "container.name"), "we\"b\xc3\xa9");
	ck_assert_str_eq(fld(&f, 100, "container.image"), "nginx:1");
	ck_assert_str_eq(fld(&f, 100, "container.image.repository"), "nginx");
	ck_assert_str_eq(fld(&f, 100, "container.image.tag"), "1");
	ck_assert_str_eq(fld(&f, 100, "container.image.id"), "abc");
	ck_assert_str_eq(fld(&f, 100, "container.image.digest"), "sha256:1");
	ck_assert_str_eq(fld(&f, 100, "container.privileged"), "true");
	/* another runtime for a known id: kept as it was */
	json_str(&f, "{\"container\":{\"id\":\"box\",\"type\":0,\"name\":\"notlxc\"}}");
	ck_assert_str_eq(fld(&f, 101, "container.name"), "box");
	ck_assert_str_eq(fld(&f, 101, "container.type"), "lxc");
	/* damaged events change nothing and are survived */
	static const char *const bad[] = {
		"", "{", "{\"container\":", "{\"container\":{\"id\":\"box\",\"type\":1,\"name\":\"x",
		"{\"container\":{\"id\":\"box\",\"type\":1,\"name\":\"x\"", "[1,2]",
		"{\"container\":{\"type\":1,\"name\":\"noid\"}}",
		"{\"container\":{\"id\":\"\",\"type\":1}}",
		"{\"container\":{\"id\":\"box\",\"type\":-1,\"name\":\"neg\"}}",
		"{\"container\":{\"id\":\"box\",\"type\":1,\"name\":\"\\u12\"}}",
		"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
		"[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
		"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],\"container\":{\"id\":\"box\","
		"\"type\":1,\"name\":\"deep\"}}",
		NULL};
	for (int i = 0; bad[i]; i++) {
		json_event(&f, bad[i], strlen(bad[i])); /* not even NUL-terminated */
		ck_assert_msg(!strcmp(fld(&f, 101, "container.name"), "box"), "after bad[%d]: %s", i,
			      fld(&f, 101, "container.name"));
	}
	/* the same type replaces; pointers into the table stay valid */
	json_str(&f, "{\"container\":{\"id\":\"box\",\"type\":1,\"name\":\"lxcbox\"}}");
	ck_assert_str_eq(fld(&f, 101, "container.name"), "lxcbox");
	/* a container no thread is in, and one for an id cri saw */
	json_str(&f, "{\"container\":{\"id\":\"idle\",\"type\":8,\"name\":\"i\"}}");
	ck_assert_ptr_nonnull(eng_containers_find(f.st->containers, "idle"));
	ck_assert_ptr_null(eng_containers_tree(f.st->containers));
	fx_free(&f);
}
END_TEST

static void clone_cg(struct fx *f, int64_t tid, int64_t res, int64_t pid, int64_t ptid,
		     const char *cg, uint32_t len)
{
	fx_begin(f, SHM_EV_SYSCALL_CLONE_20_X, tid);
	shm_enc_s64(&f->e, res); shm_enc_str(&f->e, "sh"); shm_enc_param(&f->e, "", 1);
	shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, pid); shm_enc_s64(&f->e, ptid);
	shm_enc_str(&f->e, "/"); shm_enc_s64(&f->e, 1024); shm_enc_u64(&f->e, 0);
	shm_enc_u64(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	shm_enc_str(&f->e, "sh"); shm_enc_param(&f->e, cg, len); shm_enc_u32(&f->e, 0);
	shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_s64(&f->e, tid);
	shm_enc_s64(&f->e, pid);
	fx_end(f);
}

static void execve_cg(struct fx *f, int64_t tid, const char *cg, uint32_t len, const char *env,
		      uint32_t env_len)
{
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_E, tid);
	shm_enc_str(&f->e, "/bin/app");
	fx_end(f);
	fx_begin(f, SHM_EV_SYSCALL_EXECVE_19_X, tid);
	shm_enc_s64(&f->e, 0); shm_enc_str(&f->e, "app"); shm_enc_param(&f->e, "", 1);
	shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, tid); shm_enc_s64(&f->e, -1);
	shm_enc_str(&f->e, "/"); shm_enc_u64(&f->e, 1024); shm_enc_u64(&f->e, 0);
	shm_enc_u64(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0); shm_enc_u32(&f->e, 0);
	shm_enc_str(&f->e, "app"); shm_enc_param(&f->e, cg, len); shm_enc_param(&f->e, env, env_len);
	shm_enc_u32(&f->e, 0); shm_enc_s64(&f->e, tid); shm_enc_u32(&f->e, 0);
	shm_enc_u32(&f->e, 0);
	fx_end(f);
}

START_TEST(threads_follow_their_cgroups)
{
	struct fx f;
	fx_init(&f);
	static const char v2[] = "cpu=/\0memory=/";
	static const char dock[] = "cpu=/docker/" HEX64;
	static const char mesos[] = "cpu=/mesos/a9f41620-b165-4d24-abe0-af0af92e7b20";
	static const char task[] = "MESOS_TASK_ID=web.1\0PATH=/bin";
	proc_cg(&f, 100, v2, sizeof v2, task, sizeof task);
	/* the parent's exit makes the child: its cgroups count, the child's
	 * own exit (another path) comes too late */
	fx_begin(&f, SHM_EV_SYSCALL_CLONE_20_E, 100);
	fx_end(&f);
	clone_cg(&f, 100, 200, 100, 1, dock, sizeof dock);
	clone_cg(&f, 200, 0, 200, 100, v2, sizeof v2);
	ck_assert_str_eq(fld(&f, 200, "container.id"), "4b9e19cf70ce");
	ck_assert_str_eq(fld(&f, 100, "container.id"), "host");
	/* execve moves it out; then into mesos, whose task id an ancestor has */
	execve_cg(&f, 200, v2, sizeof v2, "A=1", 4);
	ck_assert_str_eq(fld(&f, 200, "container.id"), "host");
	execve_cg(&f, 200, mesos, sizeof mesos, "A=1", 4);
	ck_assert_str_eq(fld(&f, 200, "container.id"), "a9f41620-b165-4d24-abe0-af0af92e7b20");
	ck_assert_str_eq(fld(&f, 200, "container.type"), "mesos");
	ck_assert_str_eq(fld(&f, 200, "container.name"), "a9f41620-b165-4d24-abe0-af0af92e7b20");
	/* the traced tree's container: threads without an id are in it */
	json_str(&f, "{\"container\":{\"id\":\"fargate-1\",\"type\":10,\"name\":\"\"}}");
	ck_assert_str_eq(fld(&f, 100, "container.id"), "fargate-1");
	ck_assert_str_eq(fld(&f, 100, "container.type"), "static");
	ck_assert_str_eq(fld(&f, 100, "container.name"), "<NA>");
	ck_assert_str_eq(fld(&f, 200, "container.type"), "mesos");
	execve_cg(&f, 200, v2, sizeof v2, "A=1", 4);
	ck_assert_str_eq(fld(&f, 200, "container.id"), "fargate-1");
	/* an unknown thread stays not available */
	ck_assert_str_eq(fld(&f, 777, "container.id"), "<NA>");
	fx_free(&f);
}
END_TEST

static Suite *container_suite(void)
{
	Suite *s = suite_create("container");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, runc_layouts);
	tcase_add_test(tc, hex_check_quirk);
	tcase_add_test(tc, other_engines);
	tcase_add_test(tc, cgroup_lists);
	tcase_add_test(tc, json_events);
	tcase_add_test(tc, threads_follow_their_cgroups);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(container_suite());
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
