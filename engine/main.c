/*
 * pdig-engine: reads events (a capture file now, the live ring later),
 * rebuilds the system state and prints the events a filter selects, in
 * sysdig's -p format.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_fields.h"
#include "eng_rules.h"
#include "eng_filter.h"
#include "eng_output.h"
#include "eng_source.h"
#include "eng_state.h"
#include "shm_ring.h"

/* sysdig's default line, with evt.args standing in for evt.info */
#define DEFAULT_FORMAT "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.args"

static volatile int stop_requested, drain_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1) /* no producer will come: read what is there, then end */
		drain_requested = 1;
	else
		stop_requested = 1;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pdig-engine -e FILE [-p FORMAT] [-n COUNT] [FILTER...]\n"
		"       pdig-engine --ring[=NAME] [--listen PATH] [--idle-exit MS] [--exit-with-producer]\n"
		"                   [--ready-fd FD] [-p FORMAT] [FILTER...]\n"
		"       pdig-engine -r RULES.yaml|DIR [-r ...] (-e FILE | --ring[=NAME]) [--json]\n"
		"                   [-o priority=P] [-o rule_matching=first|all] [-D NAME] [-t TAG] [-T TAG]\n"
		"       pdig-engine -V RULES.yaml|DIR    validate rules files, print errors and warnings\n"
		"       pdig-engine --list\n"
		"\n"
		"  -e, -r FILE     replay a .scap capture (ours, or one written by sysdig)\n"
		"  --ring[=NAME]   read the live ring pdig writes (NAME: $PDIG_RING, else %s);\n"
		"                  created when it does not exist yet\n"
		"  --listen PATH   accept rings handed over on the unix socket PATH\n"
		"  --idle-exit MS  live: stop after MS milliseconds without events\n"
		"  --exit-with-producer  live: stop once the producers (pdig) that came are\n"
		"                  gone and everything they wrote is read; SIGUSR1 says that no\n"
		"                  producer will come (stop when the ring is read, even if none came)\n"
		"  --ready-fd FD   live: write one byte to FD and close it once reading\n"
		"  -p FORMAT       print each matching event as FORMAT: text with %%field tokens,\n"
		"                  e.g. '%%evt.num %%proc.name %%fd.name'; start with '*' to print\n"
		"                  <NA> for missing fields instead of skipping the line\n"
		"  -n COUNT        stop after COUNT events have been read\n"
		"  -l, --list      list the supported fields\n"
		"  -h, --help      this text\n"
		"\n"
		"FILTER uses Falco's condition syntax, e.g. 'evt.type=open and fd.name contains /etc'.\n",
		SHM_RING_DEFAULT_NAME);
}

static void list_fields(void)
{
	const char *cls = "";
	for (const struct eng_field_info *f = eng_fields; f->name; f++) {
		size_t n = strcspn(f->name, ".");
		if (strncmp(cls, f->name, n) != 0 || cls[n] != '.') {
			printf("%s-------------------------------\nField Class: %.*s\n\n",
			       f == eng_fields ? "" : "\n", (int)n, f->name);
			cls = f->name;
		}
		char nm[64];
		snprintf(nm, sizeof(nm), "%s%s%s", f->name,
			 (f->flags & ENG_FF_ARG_NAME) ? ".NAME" : "",
			 (f->flags & ENG_FF_ARG_INDEX) ? "[N]" : "");
		printf("%-22s (Type: %s) %s\n", nm, eng_ftype_name(f->type), f->desc);
	}
}

int main(int argc, char **argv)
{
	/* -r RULES.yaml|DIR, -V, --json, -o ...: Falco rules mode (engine/rules_main.c) */
	if (eng_rules_wanted(argc, argv))
		return eng_rules_main(argc, argv);
	static const struct option longopts[] = {
		{"list", no_argument, NULL, 'l'},
		{"help", no_argument, NULL, 'h'},
		{"ring", optional_argument, NULL, 'R'},
		{"listen", required_argument, NULL, 'L'},
		{"idle-exit", required_argument, NULL, 'I'},
		{"exit-with-producer", no_argument, NULL, 'X'},
		{"ready-fd", required_argument, NULL, 'F'},
		{NULL, 0, NULL, 0},
	};
	const char *file = NULL, *format = DEFAULT_FORMAT;
	struct eng_ring_opts ring = {.idle_exit_ms = -1, .stop = &stop_requested,
				     .drain = &drain_requested};
	int ready_fd = -1;
	int live = 0;
	long long limit = -1;
	int c;
	while ((c = getopt_long(argc, argv, "+e:r:p:n:lh", longopts, NULL)) != -1) {
		switch (c) {
		case 'e':
		case 'r':
			file = optarg;
			break;
		case 'p':
			format = optarg;
			break;
		case 'n': {
			char *end;
			limit = strtoll(optarg, &end, 10);
			if (*end || limit < 0) {
				fprintf(stderr, "pdig-engine: -n wants a count of events, not '%s'\n",
					optarg);
				return 2;
			}
			break;
		}
		case 'R':
			live = 1;
			ring.name = optarg;
			break;
		case 'L':
			live = 1;
			ring.listen_path = optarg;
			break;
		case 'I': {
			char *end;
			long ms = strtol(optarg, &end, 10);
			if (*end || ms < 0) {
				fprintf(stderr, "pdig-engine: --idle-exit wants milliseconds, not '%s'\n",
					optarg);
				return 2;
			}
			ring.idle_exit_ms = (int)ms;
			break;
		}
		case 'X':
			ring.exit_with_producer = 1;
			break;
		case 'F':
			if ((ready_fd = eng_parse_ready_fd(optarg)) < 0)
				return 2;
			break;
		case 'l':
			list_fields();
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (!file == !live) {
		fprintf(stderr, "pdig-engine: %s: give a capture file with -e FILE, or --ring / "
				"--listen for the live ring\n", file ? "two event sources" : "no event source");
		usage(stderr);
		return 2;
	}

	/* the filter is every remaining argument, joined by spaces, as sysdig does */
	char *filter_text = NULL;
	if (optind < argc) {
		size_t len = 1;
		for (int i = optind; i < argc; i++)
			len += strlen(argv[i]) + 1;
		filter_text = calloc(1, len);
		if (!filter_text) {
			fprintf(stderr, "pdig-engine: out of memory\n");
			return 1;
		}
		for (int i = optind; i < argc; i++) {
			if (i > optind)
				strcat(filter_text, " ");
			strcat(filter_text, argv[i]);
		}
	}

	int ret = 1;
	char err[1024];
	struct eng_filter *filter = NULL;
	struct eng_output *out = NULL;
	struct eng_source *src = NULL;
	struct eng_state *st = NULL;
	struct eng_event *ev = NULL;
	char *line = NULL;
	const size_t linecap = 1 << 16;

	if (filter_text && eng_filter_new(filter_text, &filter, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: bad filter:\n%s\n"
				"  (fix the filter at the marked column; 'pdig-engine --list' shows "
				"the fields)\n", err);
		goto done;
	}
	if (eng_output_new(format, &out, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: bad -p format: %s\n"
				"  (fields are written %%name, e.g. %%proc.name; 'pdig-engine --list' "
				"shows them)\n", err);
		goto done;
	}
	if (live) {
		if (eng_source_ring_new(&src, &ring, err, sizeof(err))) {
			fprintf(stderr, "pdig-engine: cannot attach the ring: %s\n", err);
			goto done;
		}
		/* stop cleanly: the counters are printed and the ring detached */
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);
		file = src->name;
	} else if (eng_source_scap_new(&src, file, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: cannot read the capture: %s\n"
				"  (check the path; pdig-engine reads .scap files written by pdig, "
				"sysdig or Falco, plain or gzipped)\n", err);
		goto done;
	}
	ev = calloc(1, sizeof(*ev));
	line = malloc(linecap);
	if (eng_state_new(&st) || !ev || !line) {
		fprintf(stderr, "pdig-engine: out of memory\n");
		goto done;
	}
	if (src->ops->load_state(src, st)) {
		fprintf(stderr, "pdig-engine: out of memory loading the process list of %s\n", file);
		goto done;
	}
	eng_source_ready(ready_fd);
	ready_fd = -1;

	static char obuf[1 << 16];
	/* live lines go out as they come; a replay is written in big blocks */
	setvbuf(stdout, live ? NULL : obuf, live ? _IOLBF : _IOFBF, live ? 0 : sizeof(obuf));
	struct eng_ctx ctx = {.st = st, .ev = ev};
	uint64_t n = 0;
	uint32_t df;
	int rc = 0;
	while ((limit < 0 || (long long)n < limit) && (rc = eng_source_next(src, ev, &df)) == 1) {
		ev->num = ++n;
		if (n == 1)
			ctx.first_ts = ev->evt.ts;
		eng_state_apply(st, ev);
		if (df & ENG_DF_STATE_ONLY)
			continue;
		if (filter && !eng_filter_match(filter, &ctx))
			continue;
		int len = eng_output_render(out, &ctx, line, linecap);
		if (len < 0)
			continue;
		line[len] = '\n';
		fwrite(line, 1, (size_t)len + 1, stdout);
	}
	fflush(stdout);
	if (limit < 0 || (long long)n < limit) {
		if (rc < 0) {
			fprintf(stderr, "pdig-engine: %s: %s\n  (the capture is damaged or cut short: "
				"the %llu events before this point were processed)\n", file,
				src->ops->error(src), (unsigned long long)n);
			goto done;
		}
	}
	uint64_t lost = src->ops->lost(src);
	if (live)
		eng_source_ring_report(src, stderr);
	else if (lost)
		fprintf(stderr, "pdig-engine: %s: %llu damaged or unknown blocks were skipped\n",
			file, (unsigned long long)lost);
	if (st->threads_refused)
		fprintf(stderr, "pdig-engine: %llu events came from threads beyond the %d the "
				"engine tracks: their fields were not available\n",
			(unsigned long long)st->threads_refused, ENG_MAX_THREADS);
	if (st->alloc_failures)
		fprintf(stderr, "pdig-engine: %llu state updates were lost to memory shortage\n",
			(unsigned long long)st->alloc_failures);
	ret = 0;
done:
	eng_state_free(st);
	eng_source_free(src);
	eng_output_free(out);
	eng_filter_free(filter);
	free(filter_text);
	free(ev);
	free(line);
	return ret;
}
