/*
 * pdig-trace's command line (trace.h): its own options, the engine's it
 * passes on, and the checks that keep a bad combination from starting
 * anything.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace.h"

#ifndef PDIG_VERSION
#define PDIG_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"usage: pdig-trace [OPTIONS] [ENGINE OPTIONS] [--] COMMAND [ARGS...]\n"
	"       pdig-trace [OPTIONS] [ENGINE OPTIONS] -p PID[,PID...] [--tree] [--no-inject]\n"
	"       pdig-trace [OPTIONS] [ENGINE OPTIONS] -n NAME [--wait S] [--tree] [--no-inject]\n"
	"Runs COMMAND under pdig (or attaches pdig to running processes) with pdig-engine\n"
	"beside it, applying Falco rules to what it does. Alerts go to standard output,\n"
	"one Falco JSON object a line. Put it in front of a container's entrypoint.\n"
	"\n"
	"Options:\n"
	"  -p, --pid PID[,PID...]  attach to running processes (a sidecar sharing the pid\n"
	"                      namespace) instead of running COMMAND; with --tree their\n"
	"                      descendants too, --no-inject to trace without injecting\n"
	"  -n, --name NAME     attach to the processes named NAME (as pgrep -x NAME), once\n"
	"                      one is there: a sidecar need not know the application's pid\n"
	"      --wait S        with -n: how long to wait for NAME to appear (default 60)\n"
	"      --pdig OPTION   pass OPTION to pdig (repeat for each word: --pdig --lossless,\n"
	"                      --pdig --snaplen=256); see pdig --help\n"
	"      --engine OPTION pass OPTION to pdig-engine (repeat for each word)\n"
	"      --text          alerts as Falco's text lines instead of JSON\n"
	"      --no-default-rules  load only the -r files given\n"
	"      --extra-output FORMAT  added to every alert's output (default: container\n"
	"                      id, name and image, and the pod on Kubernetes; '' for none)\n"
	"      --metadata-timeout MS  how long the ECS task metadata endpoint may take\n"
	"                      (default 500; 0: do not ask); the command does not wait\n"
	"                      for it beyond the engine's start and 100 ms\n"
	"      --drain-timeout S  longest wait for the engine to read what is left once\n"
	"                      pdig has ended (default 10)\n"
	"      --output FILE   alerts to FILE (appended) instead of standard output, e.g.\n"
	"                      /proc/1/fd/1: the log of a container pdig-trace was exec'd into\n"
	"      --stdin-stop    stop as on SIGTERM when standard input ends: for sessions\n"
	"                      that pass no signal on (docker exec -i, kubectl exec -i)\n"
	"  -v, --verbose       say which programs, rules and metadata are used\n"
	"  -h, --help          this text\n"
	"      --version       the version\n"
	"\n"
	"Engine options (passed to pdig-engine):\n"
	"  -r RULES            a rules file or folder, loaded after the default rules\n"
	"                      (repeatable; tune the defaults this way)\n"
	"  -o KEY=VALUE        json_output=, priority=LEVEL, rule_matching=first|all\n"
	"  -D TEXT, -t TAG, -T TAG  disable rules by name, enable/disable by tag\n"
	"  --json              alerts as JSON (the default)\n"
	"\n"
	"pdig and pdig-engine are looked for beside pdig-trace, then in PATH; the default\n"
	"rules in ../share/pdig/rules or rules/ beside it, else the copy built in.\n"
	"Container metadata: $ECS_CONTAINER_METADATA_URI_V4 (read once), Kubernetes'\n"
	"downward API in $POD_NAME, $POD_NAMESPACE, $POD_UID; $PDIG_CONTAINER_ID,\n"
	"$PDIG_CONTAINER_NAME, $PDIG_CONTAINER_IMAGE override them.\n"
	"Exit status: COMMAND's (as pdig's: killed by signal N, the same death; 128+N as\n"
	"PID 1); 125 if pdig-trace or the engine cannot start (the command is not run).\n";

_Noreturn void tr_usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "pdig-trace: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n(pdig-trace --help shows the options)\n");
	exit(TR_EXIT_USAGE);
}

void tr_add_arg(struct tr_argv *a, const char *s)
{
	if (a->n >= TR_MAX_ARGS)
		tr_usage_error("%s", "too many options");
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static int parse_num(const char *s, long lo, long hi, long *v)
{
	char *e;
	errno = 0;
	*v = strtol(s, &e, 10);
	return errno || e == s || *e || *v < lo || *v > hi ? -1 : 0;
}

enum { O_PDIG = 256, O_ENGINE, O_TEXT, O_NO_DEFAULT, O_EXTRA, O_META_MS, O_DRAIN_S, O_TREE,
       O_NO_INJECT, O_VERSION, O_JSON, O_LEGACY, O_WAIT, O_OUTPUT, O_STDIN_STOP };


void tr_parse_args(int argc, char **argv, struct tr_opts *o)
{
	static const struct option lo[] = {
		{"pid", required_argument, NULL, 'p'},
		{"name", required_argument, NULL, 'n'},
		{"wait", required_argument, NULL, O_WAIT},
		{"tree", no_argument, NULL, O_TREE},
		{"no-inject", no_argument, NULL, O_NO_INJECT},
		{"pdig", required_argument, NULL, O_PDIG},
		{"engine", required_argument, NULL, O_ENGINE},
		{"text", no_argument, NULL, O_TEXT},
		{"json", no_argument, NULL, O_JSON},
		{"legacy-enter-events", no_argument, NULL, O_LEGACY},
		{"no-default-rules", no_argument, NULL, O_NO_DEFAULT},
		{"extra-output", required_argument, NULL, O_EXTRA},
		{"metadata-timeout", required_argument, NULL, O_META_MS},
		{"drain-timeout", required_argument, NULL, O_DRAIN_S},
		{"output", required_argument, NULL, O_OUTPUT},
		{"stdin-stop", no_argument, NULL, O_STDIN_STOP},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, O_VERSION},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->metadata_ms = 500;
	o->drain_s = 10;
	o->wait_s = 60;
	opterr = 0;
	int c;
	long v;
	/* "+": the command's own flags are the command's */
	while ((c = getopt_long(argc, argv, "+:p:n:r:o:D:t:T:vh", lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!optarg[0] || strspn(optarg, "0123456789,") != strlen(optarg))
				tr_usage_error("-p wants process ids separated by commas, not '%s'",
					    optarg);
			o->pids = optarg;
			break;
		case 'n':
			if (!optarg[0] || strchr(optarg, '/'))
				tr_usage_error("-n wants a program name (as ps shows it), not '%s'", optarg);
			o->name = optarg;
			break;
		case O_WAIT:
			if (parse_num(optarg, 0, 86400, &v))
				tr_usage_error("--wait wants seconds (0 to 86400), not '%s'", optarg);
			o->wait_s = (int)v;
			break;
		case O_TREE: o->tree = 1; break;
		case O_NO_INJECT: o->no_inject = 1; break;
		case O_PDIG: tr_add_arg(&o->pdig_extra, optarg); break;
		case O_ENGINE: tr_add_arg(&o->engine_extra, optarg); break;
		case 'r':
			if (o->nrules >= 64)
				tr_usage_error("%s", "too many -r (64 at most)");
			o->rules[o->nrules++] = optarg;
			break;
		case 'o': case 'D': case 't': case 'T': {
			static char flag[64][3];
			static int nflag;
			if (nflag >= 64)
				tr_usage_error("%s", "too many engine options");
			snprintf(flag[nflag], sizeof flag[nflag], "-%c", c);
			tr_add_arg(&o->engine_extra, flag[nflag++]);
			tr_add_arg(&o->engine_extra, optarg);
			break;
		}
		case O_JSON: o->text = 0; break;
		case O_TEXT: o->text = 1; break;
		case O_LEGACY: tr_add_arg(&o->engine_extra, "--legacy-enter-events"); break;
		case O_NO_DEFAULT: o->no_default_rules = 1; break;
		case O_EXTRA: o->extra = optarg; break;
		case O_META_MS:
			if (parse_num(optarg, 0, 60000, &v))
				tr_usage_error("--metadata-timeout wants milliseconds (0 to 60000), not "
					    "'%s'", optarg);
			o->metadata_ms = (int)v;
			break;
		case O_DRAIN_S:
			if (parse_num(optarg, 1, 3600, &v))
				tr_usage_error("--drain-timeout wants seconds (1 to 3600), not '%s'",
					    optarg);
			o->drain_s = (int)v;
			break;
		case O_OUTPUT:
			if (!optarg[0])
				tr_usage_error("%s", "--output needs a file name");
			o->output = optarg;
			break;
		case O_STDIN_STOP: o->stdin_stop = 1; break;
		case 'v': o->verbose = 1; break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case O_VERSION:
			printf("pdig-trace %s\n", PDIG_VERSION);
			exit(0);
		case ':':
			tr_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			tr_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (o->pids && o->name)
		tr_usage_error("%s", "give -p PID or -n NAME, not both");
	if ((o->tree || o->no_inject) && !o->pids && !o->name)
		tr_usage_error("%s", "--tree and --no-inject go with -p PID or -n NAME");
	if ((o->pids || o->name) && optind < argc)
		tr_usage_error("give -p PID, -n NAME or a COMMAND, not two (got '%s')", argv[optind]);
	if (!o->pids && !o->name && optind >= argc)
		tr_usage_error("%s", "no command given (pdig-trace [OPTIONS] -- COMMAND [ARGS...])");
	if (o->no_default_rules && !o->nrules)
		tr_usage_error("%s", "--no-default-rules needs -r RULES");
	o->cmd = argv + optind;
}
