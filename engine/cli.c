/*
 * pdig-engine's command line: one option table, Falco's flags where Falco
 * has them, parsed into struct eng_opts. Settings are applied in Falco's
 * order: defaults, -c FILE, each -o in turn, then the flags that stand for
 * a setting (--json, -U). Nothing is opened or loaded here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "eng_cli.h"
#include "eng_fields.h"
#include "shm_ring.h"

#ifndef PDIG_VERSION
#define PDIG_VERSION "unknown"
#endif

static void usage(FILE *f)
{
	fprintf(f,
"usage: pdig-engine [-c FILE] [-o KEY=VALUE...] [-r RULES...] (-e FILE | --ring[=NAME] | --listen PATH)\n"
"                   [--json] [-p FORMAT] [options]          Falco rules (default: the built-in rules)\n"
"       pdig-engine -e FILE | --ring... [-p FORMAT] [-n COUNT] FILTER...\n"
"                                                           sysdig's dump: the events FILTER selects\n"
"       pdig-engine -V RULES...    validate rules files      pdig-engine -L [-r RULES...]   list rules\n"
"       pdig-engine --list         list the fields           pdig-engine --version\n"
"\n"
"Rules and settings:\n"
"  -r RULES        a Falco rules file (.yaml, .yml) or a folder of them, read in name\n"
"                  order; repeat for more (later files override earlier ones)\n"
"  -c FILE         a falco.yaml-style configuration (engine/README.md lists the keys)\n"
"  -o KEY=VALUE    set one key, e.g. -o json_output=true, -o file_output.enabled=true\n"
"  --json          alerts as Falco's JSON (-o json_output=true)\n"
"  -p FORMAT       rules: add FORMAT (%%field text) to every rule's output, as Falco's -p;\n"
"                  -pc, -pk: Falco's container and Kubernetes formats; dump: the line\n"
"                  printed per event (start with '*' to print <NA> for missing fields)\n"
"  -D TEXT         disable the rules whose name contains TEXT (repeatable)\n"
"  -t TAG / -T TAG enable only the rules with TAG / disable the rules with TAG\n"
"  -L, --list-rules  print the loaded rules and whether each is active, then exit\n"
"  -V RULES        validate rules files: print every error and warning, exit 1 on an error\n"
"  --legacy-enter-events  evaluate enter events too (Falco before 0.39)\n"
"  -A              all events (already: the engine evaluates every event it gets;\n"
"                  pdig's --io and -a choose what is traced)\n"
"  -U              unbuffered outputs (-o buffered_outputs=false)\n"
"\n"
"Events:\n"
"  -e FILE         replay a .scap capture (pdig's, sysdig's or Falco's, plain or gzipped)\n"
"  --ring[=NAME]   read the live ring pdig writes (NAME: $PDIG_RING, else %s);\n"
"                  created when it does not exist yet\n"
"  --listen PATH   accept rings handed over on the unix socket PATH\n"
"  --idle-exit MS  live: stop after MS milliseconds without events\n"
"  --exit-with-producer  live: stop once the producers that came are gone and what they\n"
"                  wrote is read; SIGUSR1 then says that none will come\n"
"  --ready-fd FD   live: write one byte to FD and close it once reading\n"
"  -n COUNT        stop after COUNT events      -M SECONDS   stop after SECONDS\n"
"  --stats-interval SECONDS  print the counters to stderr every SECONDS\n"
"\n"
"  -l, --list      list the supported fields    -h, --help   this text\n"
"\n"
"Signals: SIGHUP reloads the configuration and the rules (the state is kept);\n"
"SIGUSR1 reopens the file output; SIGINT, SIGTERM flush the outputs and exit 0.\n"
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

static int bad(const char *fmt, const char *arg)
{
	fprintf(stderr, "pdig-engine: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (pdig-engine --help shows the options)\n");
	return -EINVAL;
}

static int add(const char **arr, int *n, const char *v, const char *flag)
{
	if (*n >= ENG_CLI_MAX)
		return bad("%s: given too many times (64 at most)", flag);
	arr[(*n)++] = v;
	return 0;
}

/* -r takes rules: a folder, or a .yaml/.yml file. */
static int check_rules_path(const char *p)
{
	struct stat st;
	size_t n = strlen(p);
	if (stat(p, &st) < 0) {
		fprintf(stderr, "pdig-engine: -r %s: %s (pdig-engine --help shows the options)\n",
			p, strerror(errno));
		return -errno;
	}
	if (S_ISDIR(st.st_mode) || (n > 5 && !strcmp(p + n - 5, ".yaml")) ||
	    (n > 4 && !strcmp(p + n - 4, ".yml")))
		return 0;
	return bad("-r %s: not a rules file or folder (rules files end in .yaml or .yml; "
		   "a capture is read with -e FILE)", p);
}

static int parse_num(const char *arg, long long max, long long *out, const char *what)
{
	char *end;
	errno = 0;
	long long v = strtoll(arg, &end, 10);
	if (!*arg || *end || errno || v < 0 || v > max) {
		fprintf(stderr, "pdig-engine: %s, not '%s' (pdig-engine --help shows the options)\n",
			what, arg);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static char *join_args(int argc, char **argv, int from)
{
	size_t len = 1;
	for (int i = from; i < argc; i++)
		len += strlen(argv[i]) + 1;
	char *s = calloc(1, len);
	if (!s)
		return NULL;
	for (int i = from; i < argc; i++) {
		if (i > from)
			strcat(s, " ");
		strcat(s, argv[i]);
	}
	return s;
}

enum { O_JSON = 256, O_LEGACY, O_RING, O_LISTEN, O_IDLE, O_EXITPROD, O_READY, O_VERSION,
       O_STATS };

int eng_cli_parse(struct eng_opts *o, int argc, char **argv, int reload, int *code)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, O_JSON},
		{"legacy-enter-events", no_argument, NULL, O_LEGACY},
		{"list-rules", no_argument, NULL, 'L'},
		{"list", no_argument, NULL, 'l'},
		{"ring", optional_argument, NULL, O_RING},
		{"listen", required_argument, NULL, O_LISTEN},
		{"idle-exit", required_argument, NULL, O_IDLE},
		{"exit-with-producer", no_argument, NULL, O_EXITPROD},
		{"ready-fd", required_argument, NULL, O_READY},
		{"stats-interval", required_argument, NULL, O_STATS},
		{"version", no_argument, NULL, O_VERSION},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *sets[ENG_CLI_MAX];
	int nsets = 0, json = 0, unbuffered = 0, c, rc = 0;
	long long v = 0;
	char err[1024];

	memset(o, 0, sizeof(*o));
	if (eng_config_init(&o->cfg))
		return -ENOMEM;
	o->limit = -1;
	o->ready_fd = -1;
	o->ring.idle_exit_ms = -1;
	*code = 0;
	optind = 1;
	opterr = 0; /* one line of ours, not getopt's */
	/* '+': the filter's words end the options, as sysdig reads them */
	while ((c = getopt_long(argc, argv, "+:c:o:r:e:p:n:M:V:D:t:T:LlAUh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'c': o->config_file = optarg; break;
		case 'o': rc = add(sets, &nsets, optarg, "-o"); break;
		case 'r':
			if (!(rc = check_rules_path(optarg)))
				rc = add(o->rules, &o->nrules, optarg, "-r");
			break;
		case 'e': o->capture = optarg; break;
		case 'p':
			o->extra_replaces = 1;
			if (!strcmp(optarg, "c") || !strcmp(optarg, "container"))
				o->format = "container=%container.name (id=%container.id)";
			else if (!strcmp(optarg, "k") || !strcmp(optarg, "kubernetes"))
				o->format = "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name "
					    "container=%container.id";
			else
				o->format = optarg, o->extra_replaces = 0;
			break;
		case 'n':
			rc = parse_num(optarg, 1ll << 62, &v, "-n wants a count of events");
			o->limit = v;
			break;
		case 'M':
			rc = parse_num(optarg, 1ll << 31, &v, "-M wants a number of seconds");
			o->duration_s = (long)v;
			break;
		case O_STATS:
			rc = parse_num(optarg, 1ll << 31, &v, "--stats-interval wants seconds");
			o->stats_interval_s = (long)v;
			break;
		case 'V': rc = add(o->validate, &o->nvalidate, optarg, "-V"); break;
		case 'D': rc = add(o->disable, &o->ndisable, optarg, "-D"); break;
		case 't': rc = add(o->tag_on, &o->ntag_on, optarg, "-t"); break;
		case 'T': rc = add(o->tag_off, &o->ntag_off, optarg, "-T"); break;
		case 'L': o->list_rules = 1; break;
		case 'A': break; /* every event is evaluated already */
		case 'U': unbuffered = 1; break;
		case O_JSON: json = 1; break;
		case O_LEGACY: o->legacy = 1; break;
		case O_RING: o->live = 1; o->ring.name = optarg; break;
		case O_LISTEN: o->live = 1; o->ring.listen_path = optarg; break;
		case O_IDLE:
			rc = parse_num(optarg, 86400000, &v, "--idle-exit wants milliseconds");
			o->ring.idle_exit_ms = (int)v;
			break;
		case O_EXITPROD: o->ring.exit_with_producer = 1; break;
		case O_READY:
			/* a reload keeps the run's source: the descriptor is long closed */
			if (!reload && (o->ready_fd = eng_parse_ready_fd(optarg)) < 0)
				rc = -EINVAL;
			break;
		case 'l':
			list_fields();
			return 1;
		case O_VERSION:
			printf("pdig-engine %s (rules engine version %s)\n", PDIG_VERSION,
			       ENG_RULES_ENGINE_VERSION);
			return 1;
		case 'h':
			usage(stdout);
			return 1;
		case ':':
			return bad("%s wants a value", argv[optind - 1]);
		default: {
			/* a short flag in a cluster (-xv) is named alone */
			char flag[3] = {'-', (char)optopt, 0};
			return bad("unknown option '%s'", optopt ? flag : argv[optind - 1]);
		}
		}
		if (rc)
			return rc;
	}
	/* Falco's options (before they were dropped for -o rules[]) refused
	 * the mix: which of the two wins would be a guess */
	if ((o->ndisable || o->ntag_off) && o->ntag_on)
		return bad("you can not specify both disabled (-D/-T) and enabled (-t) rules%s", "");
	if (o->config_file && (rc = eng_config_load(&o->cfg, o->config_file, stderr, err,
						     sizeof(err)))) {
		fprintf(stderr, "pdig-engine: -c %s\n", err);
		return rc;
	}
	for (int i = 0; i < nsets; i++)
		if ((rc = eng_config_set(&o->cfg, sets[i], stderr, err, sizeof(err)))) {
			fprintf(stderr, "pdig-engine: %s\n", err);
			return rc;
		}
	if (json)
		o->cfg.json_output = 1;
	if (unbuffered)
		o->cfg.buffered_outputs = 0;
	int rules = o->nrules || o->cfg.nrules_files;
	if (optind < argc) {
		if (rules)
			return bad("unexpected argument '%s' (with rules, the rules give the "
				   "conditions; a FILTER is for sysdig's dump, without -r)", argv[optind]);
		if (!(o->filter = join_args(argc, argv, optind)))
			return -ENOMEM;
	}
	o->filter_mode = o->filter || (o->format && !rules);
	if (o->nvalidate || o->list_rules)
		return 0;
	if (!o->capture == !o->live) {
		fprintf(stderr, "pdig-engine: %s: give a capture file with -e FILE, or --ring / "
				"--listen for the live ring (pdig-engine --help shows the options)\n",
			o->live ? "two event sources" : "no event source");
		return -EINVAL;
	}
	return 0;
}

void eng_opts_clear(struct eng_opts *o)
{
	eng_config_clear(&o->cfg);
	free(o->filter);
	o->filter = NULL;
}
