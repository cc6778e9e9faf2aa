/*
 * Falco's output-formatter vectors (../shared/conformance/formatter_cases.tsv)
 * against eng_output: text, JSON (eng_output_render_json) and invalid
 * formats (THROWS), evaluated on one event of a process "init" (pid 1)
 * doing mkdir("/test/dir"). The vector file does not carry the set-ups;
 * they are the upstream test's (libsinsp eventformatter.ut.cpp):
 * - an expected object or "null" is the JSON form; "_excluded" cases leave
 *   the transformers' own keys out (set_resolve_transformed_fields(false));
 * - "ancestor" cases add bash (2, child of init) and child (3, child of
 *   bash), cloned without arguments, and format an event of child (of bash
 *   for "defaults_to_self", of init for the two with no ancestors or an
 *   index).
 *
 * usage: rules_formatter_conformance CASES.tsv [MIN_PASS]
 * Prints "N passed, N failed, N not run"; exits 1 when fewer than MIN_PASS
 * cases pass (a regression guard while eng_output grows), 77 when the file
 * is absent.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "eng_fields.h"
#include "eng_output.h"
#include "eng_source.h"
#include "eng_state.h"
#include "shm_event.h"
#include "shm_scap.h"

/* upstream's default init thread: argv[1...] */
#define INIT_ARGS "context\0ls\0--format\0{{json .}}"

/* The threads upstream's clone events make: no arguments, exe = the name. */
static int add_ancestors(struct eng_state *st)
{
	struct shm_scap_proc p[] = {
		{.tid = 2, .pid = 2, .ptid = 1, .sid = 1, .vpgid = 2, .comm = "bash", .exe = "bash",
		 .exepath = "/bin/bash", .cwd = "/", .root = "/", .fdlimit = 1024, .vtid = 2,
		 .vpid = 2, .loginuid = -1},
		{.tid = 3, .pid = 3, .ptid = 2, .sid = 1, .vpgid = 3, .comm = "child", .exe = "child",
		 .exepath = "/bin/child", .cwd = "/", .root = "/", .fdlimit = 1024, .vtid = 3,
		 .vpid = 3, .loginuid = -1},
	};
	for (size_t i = 0; i < sizeof(p) / sizeof(p[0]); i++)
		if (eng_state_add_proc(st, &p[i]))
			return -1;
	return 0;
}

/* The thread an ancestor case formats an event of. */
static int64_t case_tid(const char *test)
{
	if (!strstr(test, "ancestor") || strstr(test, "no_ancestors") || strstr(test, "with_arg"))
		return 1;
	return strstr(test, "defaults_to_self") ? 2 : 3;
}

static int write_capture(const char *path)
{
	struct shm_scap_writer *w;
	struct shm_scap_machine mi = {.num_cpus = 1, .memory_size_bytes = 1ull << 30,
				      .max_pid = 32768, .hostname = "fmt-test"};
	struct shm_scap_proc procs[] = {
		{.tid = 1, .pid = 1, .ptid = 0, .sid = 1, .vpgid = 1, .comm = "init",
		 .exe = "/sbin/init", .exepath = "/sbin/init", .args = INIT_ARGS,
		 .args_len = sizeof(INIT_ARGS), .cwd = "/",
		 .root = "/", .fdlimit = 1024, .vtid = 1, .vpid = 1, .loginuid = -1},
	};
	uint8_t buf[512];
	struct shm_enc e;
	if (shm_scap_writer_new(&w, path))
		return -1;
	shm_scap_write_machine(w, &mi);
	shm_scap_write_procs(w, procs, 1);
	shm_enc_begin(&e, buf, sizeof(buf), SHM_EV_SYSCALL_MKDIR_2_X, 1700000000000000000ull, 1);
	shm_enc_s64(&e, 0);
	shm_enc_str(&e, "/test/dir");
	int len = shm_enc_end(&e);
	if (len > 0)
		shm_scap_write_event(w, 0, 0, buf, (uint32_t)len);
	return shm_scap_writer_free(w) || len <= 0 ? -1 : 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: rules_formatter_conformance CASES.tsv [MIN_PASS]\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f) {
		printf("SKIP: %s is absent (the shared test vectors sit in ../shared)\n", argv[1]);
		return 77;
	}
	long min_pass = argc > 2 ? strtol(argv[2], NULL, 10) : 0;
	char path[] = "/tmp/fmt_conformance.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0 || (close(fd), write_capture(path))) {
		fprintf(stderr, "rules_formatter_conformance: cannot write the test capture\n");
		return 1;
	}
	struct eng_source *src = NULL;
	struct eng_state *st = NULL;
	struct eng_event *ev = calloc(1, sizeof(*ev));
	char err[512];
	uint32_t df;
	if (eng_source_scap_new(&src, path, err, sizeof(err)) || eng_state_new(&st) || !ev ||
	    src->ops->load_state(src, st) || eng_source_next(src, ev, &df) != 1 ||
	    add_ancestors(st)) {
		fprintf(stderr, "rules_formatter_conformance: cannot replay the test capture\n");
		unlink(path);
		return 1;
	}
	ev->num = 1;
	eng_state_apply(st, ev);
	struct eng_ctx ctx = {.st = st, .ev = ev, .first_ts = ev->evt.ts};
	struct eng_event other = *ev; /* the same event of another thread */
	struct eng_ctx octx = {.st = st, .ev = &other, .first_ts = ev->evt.ts};

	char line[8192], out[8192];
	int pass = 0, fail = 0, notrun = 0;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		char *col[5] = {0};
		char *p = line;
		for (int i = 0; i < 5 && p; i++) {
			col[i] = p;
			p = strchr(p, '\t');
			if (p)
				*p++ = 0;
		}
		if (!col[4] || !strcmp(col[0], "test"))
			continue;
		const char *test = col[0], *fmt = col[2], *json = col[3], *want = col[4];
		int throws = !strcmp(want, "THROWS");
		int as_json = !strcmp(json, "True") || want[0] == '{' || !strcmp(want, "null");
		const struct eng_ctx *c = &ctx;
		int64_t tid = case_tid(test);
		if (tid != 1) {
			other.thread = eng_state_thread(st, tid);
			other.evt.tid = (uint64_t)tid;
			if (!other.thread) {
				notrun++;
				printf("NOT RUN %s: thread %lld is missing from the state\n", test,
				       (long long)tid);
				continue;
			}
			c = &octx;
		}
		struct eng_output *o = NULL;
		int rc = eng_output_new(fmt, &o, err, sizeof(err));
		const char *got;
		if (rc) {
			got = "THROWS";
		} else {
			/* buf holds the text up to a missing field even when the
			 * line is refused (-1): upstream compares that too */
			int n = as_json ? eng_output_render_json(o, c,
						strstr(test, "excluded") ?
						ENG_OUTPUT_JSON_NO_TRANSFORMED : 0,
						out, sizeof(out))
					: eng_output_render(o, c, out, sizeof(out));
			got = out;
			if (n >= 0)
				out[n] = 0;
		}
		eng_output_free(o);
		if ((throws && rc) || (!throws && !rc && !strcmp(got, want))) {
			pass++;
		} else {
			fail++;
			printf("FAIL %s (line %s): format '%s'\n    want '%s'\n    got  '%s'%s%s\n",
			       test, col[1], fmt, want, got, rc && !throws ? ": " : "",
			       rc && !throws ? err : "");
		}
	}
	fclose(f);
	printf("%d passed, %d failed, %d not run of the formatter cases\n", pass, fail, notrun);
	eng_state_free(st);
	eng_source_free(src);
	free(ev);
	unlink(path);
	if (pass < min_pass) {
		printf("regression: fewer than %ld cases pass\n", min_pass);
		return 1;
	}
	return 0;
}
