/*
 * Falco's output-formatter vectors (../shared/conformance/formatter_cases.tsv)
 * against eng_output: the text cases and the invalid formats (THROWS),
 * evaluated on one event of a process "init" (pid 1) doing
 * mkdir("/test/dir"). The JSON cases and the ancestor cases need set-ups
 * the vector file does not carry (or Falco's JSON formatter, which alerts
 * use only through output_fields): they are counted as not run.
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

static int write_capture(const char *path)
{
	struct shm_scap_writer *w;
	struct shm_scap_machine mi = {.num_cpus = 1, .memory_size_bytes = 1ull << 30,
				      .max_pid = 32768, .hostname = "fmt-test"};
	struct shm_scap_proc procs[] = {
		{.tid = 1, .pid = 1, .ptid = 0, .sid = 1, .vpgid = 1, .comm = "init",
		 .exe = "init", .exepath = "/sbin/init", .args = "", .args_len = 0, .cwd = "/",
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
	    src->ops->load_state(src, st) || eng_source_next(src, ev, &df) != 1) {
		fprintf(stderr, "rules_formatter_conformance: cannot replay the test capture\n");
		unlink(path);
		return 1;
	}
	ev->num = 1;
	eng_state_apply(st, ev);
	struct eng_ctx ctx = {.st = st, .ev = ev, .first_ts = ev->evt.ts};

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
		if (!strcmp(json, "True") || want[0] == '{' || !strcmp(want, "null") ||
		    strstr(test, "ancestor")) {
			notrun++;
			continue;
		}
		struct eng_output *o = NULL;
		int rc = eng_output_new(fmt, &o, err, sizeof(err));
		const char *got;
		if (rc) {
			got = "THROWS";
		} else {
			int n = eng_output_render(o, &ctx, out, sizeof(out));
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
	printf("%d passed, %d failed, %d not run (JSON and ancestor set-ups) of the formatter "
	       "cases\n", pass, fail, notrun);
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
