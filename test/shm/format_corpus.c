/*
 * format_corpus [-v] OUT.scap EXPECTED.txt [ROUNDS [ARGS.txt NAME...]]
 *
 * Writes a capture holding events of every type sysdig renders without
 * state, with parameter values picked to reach the corners of each
 * renderer, and next to it what shm_format says sysdig will print for each
 * of them as "%evt.rawtime %evt.args"; with ARGS.txt, also what it prints
 * for "*%evt.rawtime %evt.arg.NAME..." with the NAMEs given ("<NA>" where
 * an event has no such parameter). test/shm/format_sysdig_test.sh then
 * compares both with the real sysdig. -v renders buffers uncut, as
 * "sysdig -v" (and Falco) do; without it they are cut at 80 characters as
 * by sysdig's command line.
 *
 * Each enter/exit pair runs on a thread of its own (sysdig's parsers of
 * some exit events need their enter event), so sysdig knows no fds, no cwd
 * and no process names for it: what remains is the stateless rendering.
 * PID values stay below FIRST_TID so that they never name a known thread.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shm_format.h"
#include "shm_scap.h"

#define FIRST_TID 100000u
#define BASE_TS 1700000000000000000ull

/* Which events the comparison leaves out, and why. */
static int skipped(uint16_t type)
{
	const struct shm_event_info *info = &shm_event_table[type];
	if (info->flags & SHM_EF_UNUSED)
		return 1;
	/* sysdig consumes these itself (drops, container/k8s/mesos state,
	 * plugin and tracer payloads) instead of printing their values. */
	if (info->category == SHM_EC_INTERNAL)
		return 1;
	for (unsigned i = 0; i < info->nparams; i++) {
		uint8_t t = info->params[i].type;
		if (t == SHM_PT_CHARBUFARRAY || t == SHM_PT_CHARBUF_PAIR_ARRAY)
			return 1;
	}
	switch (type) {
	case SHM_EV_PLUGINEVENT_E:
	/* container metadata as JSON, parsed, not printed */
	case SHM_EV_CONTAINER_JSON_E:
	case SHM_EV_CONTAINER_JSON_2_E:
	/* Scheduler switches are attributed to the next thread, not ours. */
	case SHM_EV_SCHEDSWITCH_1_E:
	case SHM_EV_SCHEDSWITCH_6_E:
		return 1;
	default:
		return 0;
	}
}

static int has_tuple(const struct shm_event_info *info)
{
	for (unsigned i = 0; i < info->nparams; i++)
		if (info->params[i].type == SHM_PT_SOCKTUPLE)
			return 1;
	return 0;
}

static const char *const strings[] = {
	"hello", "/usr/bin/some thing", "a=b c", "x", "", "\xc3\xa9t\xc3\xa9",
};
static const char *const paths[] = {"/etc/passwd", "/tmp/a b", "rel/x", "/",
				    "../a/./b//", "/x/../y//z", "x./y/..", "t\xc3\xa9"};

/* A fresh thread has no cwd and knows no dirfd: sysdig joins relative
 * paths to "". */
static int fresh_thread(void *ctx, const struct shm_evt *ev, unsigned i, char *out, size_t cap)
{
	(void)ctx;
	return shm_fmt_fspath_resolved(ev, i, "", out, cap);
}

/* Pushes value number k (any k) of parameter pi. */
static void push_value(struct shm_enc *e, const struct shm_param_info *pi, unsigned k)
{
	uint8_t b[256];

	switch (pi->type) {
	case SHM_PT_INT8: shm_enc_u8(e, (uint8_t)(k % 2 ? -3 - (int)k : (int)k * 7)); break;
	case SHM_PT_INT16: shm_enc_u16(e, (uint16_t)(k % 2 ? -300 - (int)k : (int)k * 701)); break;
	case SHM_PT_INT32:
		shm_enc_u32(e, (uint32_t)(k % 3 == 1 ? -70000 - (int)k : (int)k * 70001));
		break;
	case SHM_PT_INT64:
	case SHM_PT_PID:
		shm_enc_s64(e, k % 3 == 1 ? -1 - (int64_t)k : (int64_t)k * 37);
		break;
	case SHM_PT_UINT8:
	case SHM_PT_FLAGS8:
	case SHM_PT_SIGTYPE:
	case SHM_PT_L4PROTO:
	case SHM_PT_SOCKFAMILY:
		shm_enc_u8(e, (uint8_t)(k * 13 % 70));
		break;
	case SHM_PT_UINT16:
	case SHM_PT_FLAGS16:
	case SHM_PT_PORT:
		shm_enc_u16(e, (uint16_t)(k * 4099));
		break;
	case SHM_PT_SYSCALLID: shm_enc_u16(e, (uint16_t)(k * 47 % 329)); break;
	case SHM_PT_UINT32:
	case SHM_PT_FLAGS32:
	case SHM_PT_MODE:
	case SHM_PT_BOOL:
	case SHM_PT_IPV4ADDR:
	case SHM_PT_SIGSET:
		shm_enc_u32(e, k % 8 == 0 ? 0 : k % 4 == 0 ? k : k * 0x10101u * 257u + (k % 2 ? 0x1000u : 0x41u));
		break;
	case SHM_PT_UID:
	case SHM_PT_GID:
		shm_enc_u32(e, k % 4 == 3 ? 0xffffffffu : k * 500);
		break;
	case SHM_PT_UINT64:
	case SHM_PT_ABSTIME:
		shm_enc_u64(e, k % 3 == 2 ? 0xfedcba9876543210ull + k : (uint64_t)k * 1000003);
		break;
	case SHM_PT_RELTIME:
		shm_enc_u64(e, k % 5 == 4 ? 1500000000ull : k % 7 == 6 ? UINT64_MAX : (uint64_t)k * 123456789);
		break;
	case SHM_PT_ERRNO: {
		static const int64_t v[] = {-2, 0, -13, 17, -11, -9999, -100, -512, -1};
		shm_enc_s64(e, v[k % (sizeof v / sizeof v[0])]);
		break;
	}
	case SHM_PT_FD: {
		static const int64_t v[] = {-100, 3, -9, 1000000, -2, 0, -77777};
		shm_enc_s64(e, v[k % (sizeof v / sizeof v[0])]);
		break;
	}
	case SHM_PT_CHARBUF: shm_enc_str(e, strings[k % (sizeof strings / sizeof strings[0])]); break;
	case SHM_PT_FSPATH:
	case SHM_PT_FSRELPATH:
		shm_enc_str(e, paths[k % (sizeof paths / sizeof paths[0])]);
		break;
	case SHM_PT_BYTEBUF: {
		uint32_t n = (k * 29) % 120;
		for (uint32_t j = 0; j < n; j++)
			b[j] = (uint8_t)(j % 7 == 3 ? j * 11 : 'a' + (j + k) % 26);
		shm_enc_param(e, b, n);
		break;
	}
	case SHM_PT_SOCKADDR: {
		uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = (uint8_t)k};
		uint8_t m6[16] = {[10] = 0xff, [11] = 0xff, 192, 168, 1, (uint8_t)k};
		switch (k % 5) {
		case 0: shm_enc_sockaddr_in(e, 0x0100007fu + (k << 24), (uint16_t)(80 + k)); break;
		case 1: shm_enc_sockaddr_in6(e, a6, 443); break;
		case 2: shm_enc_sockaddr_un(e, "/run/sock"); break;
		case 3: shm_enc_sockaddr_in6(e, m6, (uint16_t)k); break;
		default: b[0] = 42; shm_enc_param(e, b, 1); break;
		}
		break;
	}
	case SHM_PT_SOCKTUPLE: {
		uint8_t s6[16] = {0xfe, 0x80, [14] = 0x12, [15] = (uint8_t)k};
		uint8_t d6[16] = {[15] = 1};
		uint8_t m6[16] = {[10] = 0xff, [11] = 0xff, 10, 0, 0, (uint8_t)k};
		uint8_t n6[16] = {[10] = 0xff, [11] = 0xff, 127, 0, 0, 1};
		switch (k % 5) {
		case 0:
			shm_enc_socktuple_in(e, 0x0100000au, (uint16_t)(5000 + k), 0x0101a8c0u,
					     (uint16_t)80);
			break;
		case 1: shm_enc_socktuple_in6(e, s6, 1234, d6, 8080); break;
		case 2:
			shm_enc_socktuple_un(e, 0xffff9a0000001000ull + k, 0xffff9b0000002000ull,
					     "/var/run/x.sock");
			break;
		case 3: shm_enc_socktuple_in6(e, m6, 40000, n6, 53); break;
		default: shm_enc_socktuple_in6(e, m6, 40000, d6, 53); break;
		}
		break;
	}
	case SHM_PT_FDLIST: {
		uint16_t n = (uint16_t)(k % 4);
		uint32_t len = 2 + 10u * n;
		memcpy(b, &n, 2);
		for (uint16_t j = 0; j < n; j++) {
			int64_t fd = (int64_t)j * 3 + k;
			int16_t fl = (int16_t)((j + 1) * (k % 2 ? 0x41 : 0x5));
			memcpy(b + 2 + 10 * j, &fd, 8);
			memcpy(b + 10 + 10 * j, &fl, 2);
		}
		shm_enc_param(e, b, len);
		break;
	}
	case SHM_PT_DYN: {
		const struct shm_param_info *v = pi->info;
		uint8_t idx = (uint8_t)(k % pi->ninfo);
		/* A variant is its index byte followed by the variant's value.
		 * The value is built in a scratch record of an event that has
		 * a parameter of the variant's type, then copied after the
		 * index. */
		uint8_t tmp[512];
		struct shm_enc se;
		uint16_t host;
		switch (v[idx].type) {
		case SHM_PT_BYTEBUF: host = SHM_EV_SYSCALL_READ_X; break;
		case SHM_PT_ERRNO: host = SHM_EV_SYSCALL_CLOSE_X; break;
		case SHM_PT_UINT32: host = SHM_EV_SYSCALL_READ_E; break;
		case SHM_PT_UINT64: host = SHM_EV_SYSCALL_BRK_1_X; break;
		case SHM_PT_RELTIME: host = SHM_EV_SYSCALL_NANOSLEEP_E; break;
		case SHM_PT_SIGTYPE: host = SHM_EV_SYSCALL_KILL_E; break;
		case SHM_PT_FD: host = SHM_EV_SYSCALL_CLOSE_E; break;
		default: shm_enc_empty(e); return;
		}
		const struct shm_event_info *hi = &shm_event_table[host];
		unsigned at = 0;
		while (at < hi->nparams && hi->params[at].type != v[idx].type)
			at++;
		shm_enc_begin(&se, tmp, sizeof tmp, host, 0, 0);
		for (unsigned j = 0; j < hi->nparams; j++)
			push_value(&se, j == at ? &v[idx] : &hi->params[j], j == at ? k : 0);
		struct shm_evt sev;
		int len = shm_enc_end(&se);
		if (len < 0 || shm_evt_decode(&sev, tmp, (size_t)len, NULL, 0) < 0 ||
		    sev.vlen[at] + 1 > sizeof b) {
			shm_enc_empty(e);
			return;
		}
		b[0] = idx;
		memcpy(b + 1, sev.val[at], sev.vlen[at]);
		shm_enc_param(e, b, sev.vlen[at] + 1);
		break;
	}
	default:
		shm_enc_empty(e);
		break;
	}
}

int main(int argc, char **argv)
{
	struct shm_fmt_opts opts = {.buflen = SHM_FMT_SYSDIG_BUFLEN, .resolve = fresh_thread};
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		opts.buflen = 0;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: format_corpus [-v] OUT.scap EXPECTED.txt [ROUNDS [ARGS.txt NAME...]]\n");
		return 2;
	}
	FILE *byname = NULL;
	if (argc > 4 && !(byname = fopen(argv[4], "w"))) {
		perror(argv[4]);
		return 1;
	}
	unsigned rounds = argc > 3 ? (unsigned)atoi(argv[3]) : 9;
	struct shm_scap_writer *w = NULL;
	int rc = shm_scap_writer_new(&w, argv[1]);
	if (rc < 0) {
		fprintf(stderr, "format_corpus: cannot create %s: %s\n", argv[1], strerror(-rc));
		if (byname)
			fclose(byname);
		return 1;
	}
	FILE *exp = fopen(argv[2], "w");
	if (!exp) {
		perror(argv[2]);
		shm_scap_writer_free(w);
		if (byname)
			fclose(byname);
		return 1;
	}
	static uint8_t rec[65536];
	static char text[65536];
	uint64_t n = 0;
	for (unsigned r = 0; r < rounds; r++) {
		for (uint16_t type = 0; type < SHM_EVENT_MAX; type++) {
			if (skipped(type))
				continue;
			const struct shm_event_info *info = &shm_event_table[type];
			uint64_t ts = BASE_TS + n * 1000;
			struct shm_enc e;
			shm_enc_begin(&e, rec, sizeof rec, type, ts, FIRST_TID + r * 1000 + type / 2);
			for (unsigned i = 0; i < info->nparams; i++) {
				const struct shm_param_info *pi = &info->params[i];
				/* A successful fd-creating or state-changing exit
				 * would give sysdig fds and threads to decorate
				 * later values with: make them all fail. */
				if (i == 0 && !shm_event_is_enter(type) &&
				    (info->flags & (SHM_EF_CREATES_FD | SHM_EF_MODIFIES_STATE)) &&
				    shm_param_type_size(pi->type) == 8) {
					shm_enc_s64(&e, -1 - (int64_t)((r + type) % 40));
					continue;
				}
				/* A tuple teaches sysdig the fd of the event
				 * (it adds UDP sockets on the fly). */
				if (pi->type == SHM_PT_FD && has_tuple(info)) {
					shm_enc_s64(&e, -9);
					continue;
				}
				push_value(&e, pi, r * 11 + i + type);
			}
			int len = shm_enc_end(&e);
			struct shm_evt ev;
			char why[128];
			if (len < 0 || shm_evt_decode(&ev, rec, (size_t)len, why, sizeof why) < 0) {
				fprintf(stderr, "format_corpus: cannot build %s (%u): %d %s\n",
					info->name, type, len, len < 0 ? "" : why);
				rc = -EINVAL;
				goto out;
			}
			rc = shm_scap_write_event(w, (uint16_t)(n % 2), 0, rec, (uint32_t)len);
			if (rc < 0) {
				fprintf(stderr, "format_corpus: %s\n", shm_scap_writer_error(w));
				goto out;
			}
			if (shm_fmt_args_opts(&ev, &opts, text, sizeof text) < 0) {
				fprintf(stderr, "format_corpus: %s (%u) does not fit\n", info->name, type);
				rc = -ENOSPC;
				goto out;
			}
			fprintf(exp, "%llu %s\n", (unsigned long long)ts, text);
			if (byname) {
				fprintf(byname, "%llu", (unsigned long long)ts);
				for (int a = 5; a < argc; a++) {
					int i = shm_evt_param_index(type, argv[a]);
					if (i < 0)
						strcpy(text, "<NA>");
					else if (shm_fmt_arg_opts(&ev, (unsigned)i, &opts, text,
								  sizeof text) < 0)
						strcpy(text, "(cut)");
					fprintf(byname, " %s", text);
				}
				fputc('\n', byname);
			}
			n++;
		}
	}
	rc = 0;
out:
	if (fclose(exp) != 0 && rc == 0)
		rc = -errno;
	if (byname && fclose(byname) != 0 && rc == 0)
		rc = -errno;
	int wrc = shm_scap_writer_free(w);
	if (rc == 0 && wrc < 0) {
		fprintf(stderr, "format_corpus: writing %s failed: %s\n", argv[1], strerror(-wrc));
		rc = wrc;
	}
	return rc < 0 ? 1 : 0;
}
