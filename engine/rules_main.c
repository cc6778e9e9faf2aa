/*
 * Rules mode: events from a capture evaluated against loaded Falco rules,
 * alerts printed as Falco prints them (the text line, or the JSON alert).
 *
 * Current Falco semantics by default: enter events are dropped and each
 * syscall is evaluated once, on its exit; enter events that have no exit
 * (procexit and friends) still count. --legacy-enter-events evaluates
 * enter events too, as Falco did before 0.39.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "eng_filter.h"
#include "eng_output.h"
#include "eng_rules.h"
#include "eng_source.h"
#include "eng_state.h"

struct rstate {
	struct eng_rule *rule;
	/* the JSON alert's output_fields: Falco's whole format ("%evt.time: ..."
	 * then the rule's output) in eng_output's JSON form */
	struct eng_output *jout;
	uint64_t alerts;
	int active; /* enabled, compiled, at or above the minimum priority */
};

static volatile int stop_requested, drain_requested;

static void on_signal(int sig)
{
	if (sig == SIGUSR1) /* no producer will come: read what is there, then end */
		drain_requested = 1;
	else
		stop_requested = 1;
}

struct opts {
	const char *rules[64];
	int nrules;
	const char *capture;
	int live;                  /* --ring / --listen */
	struct eng_ring_opts ring;
	const char *validate[64];
	int nvalidate;
	int json;
	int legacy;
	int match_all;
	enum eng_priority min_prio;
	const char *disable[64], *tag_on[64], *tag_off[64];
	int ndisable, ntag_on, ntag_off;
	int list_rules;
	const char *extra;         /* -p: appended to every rule's output */
	int extra_replaces;        /* -pc/-pk: ... in place of %container.info if there */
	int ready_fd;              /* --ready-fd */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: pdig-engine -r RULES [-r RULES...] -e FILE [options]\n"
		"       pdig-engine -V RULES [-V RULES...]\n"
		"\n"
		"  -r RULES          a Falco rules file, or a folder of them (read in name order);\n"
		"                    repeat for more: later files override earlier ones\n"
		"  -e FILE           replay a .scap capture\n"
		"  --ring[=NAME]     read the live ring pdig writes (NAME: $PDIG_RING, else the\n"
		"                    default); --listen PATH takes rings handed over on a socket;\n"
		"                    --idle-exit MS stops after MS milliseconds without events;\n"
		"                    --exit-with-producer stops once the producers that came are\n"
		"                    gone and the ring is read (SIGUSR1: none will come, stop once\n"
		"                    read); --ready-fd FD writes a byte to FD once reading\n"
		"  -V RULES          validate rules files: print every error and warning, exit 1\n"
		"                    on an error\n"
		"  --json            print alerts as Falco's JSON (same as -o json_output=true)\n"
		"  -p FORMAT         add FORMAT (%%field text) to every rule's output, as Falco's -p;\n"
		"                    -pc: container=%%container.name (id=%%container.id), -pk: k8s.ns=\n"
		"                    %%k8s.ns.name k8s.pod=%%k8s.pod.name container=%%container.id\n"
		"  -o KEY=VALUE      json_output=true|false, priority=LEVEL (the minimum),\n"
		"                    rule_matching=first|all\n"
		"  -D TEXT           disable the rules whose name contains TEXT (repeatable)\n"
		"  -t TAG            enable only the rules with TAG (repeatable)\n"
		"  -T TAG            disable the rules with TAG (repeatable)\n"
		"  --legacy-enter-events  evaluate enter events too (Falco before 0.39)\n"
		"  --list-rules      print the loaded rules and whether each is active\n");
}

static int add_opt(const char **arr, int *n, const char *v)
{
	if (*n >= 64) {
		fprintf(stderr, "pdig-engine: too many repeated options (64 at most)\n");
		return -1;
	}
	arr[(*n)++] = v;
	return 0;
}

static int parse_o(struct opts *o, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq) {
		fprintf(stderr, "pdig-engine: -o wants KEY=VALUE, not '%s'\n", kv);
		return -1;
	}
	size_t kl = (size_t)(eq - kv);
	const char *v = eq + 1;
	if (kl == 11 && !strncmp(kv, "json_output", kl)) {
		o->json = !strcasecmp(v, "true");
		return 0;
	}
	if (kl == 8 && !strncmp(kv, "priority", kl)) {
		if (eng_priority_parse(v, &o->min_prio)) {
			fprintf(stderr, "pdig-engine: -o priority=%s: use one of emergency, alert, "
					"critical, error, warning, notice, informational, debug\n", v);
			return -1;
		}
		return 0;
	}
	if (kl == 13 && !strncmp(kv, "rule_matching", kl)) {
		if (strcmp(v, "first") && strcmp(v, "all")) {
			fprintf(stderr, "pdig-engine: -o rule_matching=%s: use first or all\n", v);
			return -1;
		}
		o->match_all = !strcmp(v, "all");
		return 0;
	}
	fprintf(stderr, "pdig-engine: -o %.*s is not a setting pdig-engine knows (json_output, "
			"priority, rule_matching)\n", (int)kl, kv);
	return -1;
}

static void print_msgs(const struct eng_rules *r, FILE *f, int warnings)
{
	char line[4096];
	for (size_t i = 0; i < eng_rules_nmsgs(r); i++) {
		const struct eng_rules_msg *m = eng_rules_msg(r, i);
		if (!m->is_error && !warnings)
			continue;
		eng_rules_msg_format(m, line, sizeof(line));
		fprintf(f, "%s\n", line);
	}
}

static int validate(const struct opts *o)
{
	int bad = 0;
	for (int i = 0; i < o->nvalidate; i++) {
		struct eng_rules *r;
		if (eng_rules_new(&r)) {
			fprintf(stderr, "pdig-engine: out of memory\n");
			return 1;
		}
		int rc = eng_rules_load_file(r, o->validate[i]);
		if (!rc)
			rc = eng_rules_compile(r);
		print_msgs(r, stdout, 1);
		printf("%s: %s\n", o->validate[i], rc ? "Invalid" : "Ok");
		bad |= rc != 0;
		eng_rules_free(r);
	}
	return bad;
}

/* ---- JSON ---- */

static void json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	fputc('"', f);
	while (*p) {
		unsigned c = *p;
		if (c == '"' || c == '\\') {
			fputc('\\', f);
			fputc((int)c, f);
			p++;
		} else if (c < 0x20) {
			fprintf(f, c == '\n' ? "\\n" : c == '\t' ? "\\t" : c == '\r' ? "\\r" : "\\u%04x",
				c);
			p++;
		} else if (c < 0x80) {
			fputc((int)c, f);
			p++;
		} else {
			/* copy a well-formed UTF-8 sequence, replace anything else */
			int n = c >= 0xf0 && c < 0xf5 ? 4 : c >= 0xe0 ? 3 : c >= 0xc2 && c < 0xe0 ? 2 : 0;
			int ok = n > 0;
			for (int k = 1; ok && k < n; k++)
				ok = (p[k] & 0xc0) == 0x80;
			if (ok && n == 3 && ((c == 0xe0 && p[1] < 0xa0) || (c == 0xed && p[1] >= 0xa0)))
				ok = 0;
			if (ok && n == 4 && ((c == 0xf0 && p[1] < 0x90) || (c == 0xf4 && p[1] >= 0x90)))
				ok = 0;
			if (ok) {
				fwrite(p, 1, (size_t)n, f);
				p += n;
			} else {
				fputs("\xef\xbf\xbd", f);
				p++;
			}
		}
	}
	fputc('"', f);
}

static void fmt_time(uint64_t ts, int iso, char *buf, size_t cap)
{
	time_t sec = (time_t)(ts / 1000000000ull);
	struct tm tm;
	char t[32];
	if (iso) {
		gmtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, cap, "%s.%09lluZ", t, (unsigned long long)(ts % 1000000000ull));
	} else {
		localtime_r(&sec, &tm);
		strftime(t, sizeof(t), "%H:%M:%S", &tm);
		snprintf(buf, cap, "%s.%09llu", t, (unsigned long long)(ts % 1000000000ull));
	}
}

/* The output_fields object: evt.time (the alert's time) and every field of
 * the rule's output, transformers' fields included, as eng_output's JSON. */
static int json_fields_new(struct rstate *rs)
{
	char *fmt, err[256];
	if (asprintf(&fmt, "%%evt.time: %s", rs->rule->output) < 0)
		return -ENOMEM;
	int rc = eng_output_new(fmt, &rs->jout, err, sizeof(err));
	free(fmt);
	if (rc == -EINVAL) /* the output has no valid format: its text alone */
		rc = eng_output_new("%evt.time", &rs->jout, err, sizeof(err));
	return rc;
}

/*
 * -p: Falco's extra output. -pc/-pk put it in place of %container.info where
 * a rule's output has it; otherwise it is appended after a space. The rule's
 * text output is compiled again ('*': missing fields print <NA>, as
 * rules_compile.c does); the JSON fields follow rule->output.
 */
static int add_extra(const struct opts *o, struct eng_rule *rule)
{
	char *text = NULL, err[256];
	const char *ci = o->extra_replaces ? strstr(rule->output, "%container.info") : NULL;
	int n = ci ? asprintf(&text, "%.*s%s%s", (int)(ci - rule->output), rule->output, o->extra,
			      ci + strlen("%container.info"))
		   : asprintf(&text, "%s%s%s", rule->output,
			      rule->output[0] && o->extra[0] ? " " : "", o->extra);
	if (n < 0)
		return -ENOMEM;
	char *fmt;
	if (asprintf(&fmt, "*%s", text) < 0) {
		free(text);
		return -ENOMEM;
	}
	struct eng_output *out;
	int rc = eng_output_new(fmt, &out, err, sizeof(err));
	free(fmt);
	if (rc) {
		free(text);
		if (rc != -ENOMEM)
			fprintf(stderr, "pdig-engine: -p %s: %s\n  (fields are written %%name, e.g. "
					"%%container.id; 'pdig-engine --list' shows them)\n", o->extra, err);
		return rc;
	}
	free(rule->output);
	rule->output = text;
	eng_output_free(rule->out);
	rule->out = out;
	return 0;
}

static int cmp_tags(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void print_alert(const struct opts *o, struct rstate *rs, const struct eng_ctx *c,
			const char *host, char *line, char *jbuf, size_t cap)
{
	struct eng_rule *rule = rs->rule;
	char tbuf[64];
	fmt_time(c->ev->evt.ts, 0, tbuf, sizeof(tbuf));
	int n = snprintf(line, cap, "%s: %s ", tbuf, eng_priority_name(rule->priority));
	if (n < 0 || (size_t)n >= cap)
		n = 0;
	if (rule->out) {
		int len = eng_output_render(rule->out, c, line + n, cap - (size_t)n);
		if (len < 0)
			line[n] = 0;
	} else {
		snprintf(line + n, cap - (size_t)n, "%s", rule->output);
	}
	if (!o->json) {
		fputs(line, stdout);
		fputc('\n', stdout);
		return;
	}
	/* Falco's keys, in its (sorted) order */
	fputs("{\"hostname\":", stdout);
	json_str(stdout, host);
	fputs(",\"output\":", stdout);
	json_str(stdout, line);
	fputs(",\"output_fields\":", stdout);
	if (eng_output_render_json(rs->jout, c, ENG_OUTPUT_JSON_ALL_FIELDS, jbuf, cap) < 0 ||
	    !strcmp(jbuf, "null"))
		fputs("{}", stdout);
	else
		fputs(jbuf, stdout);
	fputs(",\"priority\":", stdout);
	json_str(stdout, eng_priority_name(rule->priority));
	fputs(",\"rule\":", stdout);
	json_str(stdout, rule->name);
	fputs(",\"source\":", stdout);
	json_str(stdout, rule->source);
	fputs(",\"tags\":[", stdout);
	for (size_t i = 0; i < rule->ntags; i++) {
		if (i)
			fputc(',', stdout);
		json_str(stdout, rule->tags[i]);
	}
	fmt_time(c->ev->evt.ts, 1, tbuf, sizeof(tbuf));
	fputs("],\"time\":", stdout);
	json_str(stdout, tbuf);
	fputs("}\n", stdout);
}

static int has_tag(const struct eng_rule *r, const char *tag)
{
	for (size_t i = 0; i < r->ntags; i++)
		if (!strcmp(r->tags[i], tag))
			return 1;
	return 0;
}

/* An enter event that has no exit: procexit, signaldeliver and the like. */
static int enter_only(uint16_t type)
{
	uint16_t x = (uint16_t)(type | 1);
	return x < SHM_EVENT_MAX && (shm_event_table[x].flags & SHM_EF_UNUSED);
}

static int run(const struct opts *o)
{
	const char *srcname = o->capture;
	int ret = 1;
	struct eng_rules *r = NULL;
	struct rstate *rs = NULL;
	size_t nr = 0;
	uint32_t *idx[SHM_EVENT_MAX] = {0};
	uint32_t nidx[SHM_EVENT_MAX] = {0};
	struct eng_source *src = NULL;
	struct eng_state *st = NULL;
	struct eng_event *ev = NULL;
	char *line = NULL, *jbuf = NULL;
	const size_t linecap = 1 << 16;
	char err[1024];

	if (eng_rules_new(&r))
		goto nomem;
	int rc = 0;
	for (int i = 0; i < o->nrules && !rc; i++)
		rc = eng_rules_load_file(r, o->rules[i]);
	if (!rc)
		rc = eng_rules_compile(r);
	print_msgs(r, stderr, 1);
	if (rc == -ENOMEM)
		goto nomem;
	if (rc) {
		fprintf(stderr, "pdig-engine: the rules could not be loaded: fix the error above "
				"(pdig-engine -V FILE checks a rules file)\n");
		goto done;
	}
	nr = eng_rules_count(r);
	if (nr && !(rs = calloc(nr, sizeof(*rs))))
		goto nomem;
	size_t nactive = 0;
	for (size_t i = 0; i < nr; i++) {
		struct eng_rule *rule = eng_rules_get(r, i);
		rs[i].rule = rule;
		int on = rule->enabled;
		for (int k = 0; k < o->ndisable; k++) /* Falco's -D: a substring of the name */
			on &= strstr(rule->name, o->disable[k]) == NULL;
		if (o->ntag_on) {
			int any = 0;
			for (int k = 0; k < o->ntag_on; k++)
				any |= has_tag(rule, o->tag_on[k]);
			on &= any;
		}
		for (int k = 0; k < o->ntag_off; k++)
			on &= !has_tag(rule, o->tag_off[k]);
		rs[i].active = on && rule->filter && rule->priority <= o->min_prio;
		if (rs[i].active && o->extra && (rc = add_extra(o, rule))) {
			if (rc == -ENOMEM)
				goto nomem;
			goto done;
		}
		if (o->list_rules)
			printf("%-8s %-13s %s\n", rs[i].active ? "active" : !rule->filter ? "skipped"
						  : "off", eng_priority_name(rule->priority), rule->name);
		if (!rs[i].active)
			continue;
		nactive++;
		if (o->json && json_fields_new(&rs[i]))
			goto nomem;
		if (rule->ntags) /* a rule without tags has none to sort (NULL) */
			qsort(rule->tags, rule->ntags, sizeof(char *), cmp_tags);
		/* index by event type so that an event meets only its rules */
		for (unsigned t = 0; t < SHM_EVENT_MAX; t++) {
			if (!(rule->evttypes[t / 8] & (1u << (t % 8))))
				continue;
			uint32_t *n = realloc(idx[t], (nidx[t] + 1) * sizeof(*n));
			if (!n)
				goto nomem;
			idx[t] = n;
			idx[t][nidx[t]++] = (uint32_t)i;
		}
	}
	if (o->list_rules) {
		ret = 0;
		goto done;
	}
	if (!nactive)
		fprintf(stderr, "pdig-engine: warning: no rule is active (check -D, -t, -T and "
				"-o priority=)\n");
	if (!o->capture == !o->live) {
		fprintf(stderr, "pdig-engine: %s: give a capture file with -e FILE, or --ring / "
				"--listen for the live ring\n",
			o->live ? "two event sources" : "no event source");
		goto done;
	}
	if (o->live) {
		if (eng_source_ring_new(&src, &o->ring, err, sizeof(err))) {
			fprintf(stderr, "pdig-engine: cannot attach the ring: %s\n", err);
			goto done;
		}
		/* stop cleanly on a signal: counters printed, ring detached */
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGUSR1, &sa, NULL);
	} else if (eng_source_scap_new(&src, o->capture, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: cannot read the capture: %s\n"
				"  (check the path; pdig-engine reads .scap files written by pdig, "
				"sysdig or Falco, plain or gzipped)\n", err);
		goto done;
	}
	srcname = o->live ? src->name : srcname;
	ev = calloc(1, sizeof(*ev));
	line = malloc(linecap);
	jbuf = o->json ? malloc(linecap) : NULL;
	if (eng_state_new(&st) || !ev || !line || (o->json && !jbuf))
		goto nomem;
	if (src->ops->load_state(src, st)) {
		fprintf(stderr, "pdig-engine: out of memory loading the process list of %s\n",
			srcname);
		goto done;
	}
	eng_source_ready(o->ready_fd);
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	static char obuf[1 << 16];
	/* live alerts go out as they happen; a replay is written in blocks */
	setvbuf(stdout, obuf, o->live ? _IOLBF : _IOFBF, sizeof(obuf));
	/* enter events are not evaluated: an exit's missing arguments come from
	 * its enter event (evt.arg.request of ptrace, ...) */
	struct eng_ctx ctx = {.st = st, .ev = ev, .flags = ENG_CTX_ENTER_ARGS};
	uint64_t n = 0, alerts = 0, dropped_enter = 0;
	uint32_t df;
	while ((rc = eng_source_next(src, ev, &df)) == 1) {
		ev->num = ++n;
		if (n == 1)
			ctx.first_ts = ev->evt.ts;
		eng_state_apply(st, ev);
		if (df & ENG_DF_STATE_ONLY)
			continue;
		uint16_t type = ev->evt.type;
		if (type >= SHM_EVENT_MAX)
			continue;
		if (!o->legacy && shm_event_is_enter(type) && !enter_only(type)) {
			dropped_enter++;
			continue;
		}
		for (uint32_t k = 0; k < nidx[type]; k++) {
			struct rstate *x = &rs[idx[type][k]];
			if (!eng_filter_match(x->rule->filter, &ctx))
				continue;
			x->alerts++;
			alerts++;
			print_alert(o, x, &ctx, host, line, jbuf, linecap);
			if (!o->match_all)
				break;
		}
	}
	fflush(stdout);
	if (rc < 0) {
		fprintf(stderr, "pdig-engine: %s: %s\n  (%s: the %llu events before this point "
				"were processed)\n", srcname, src->ops->error(src),
			o->live ? "the ring failed" : "the capture is damaged or cut short",
			(unsigned long long)n);
		goto done;
	}
	fprintf(stderr, "pdig-engine: %llu events read, %llu enter events not evaluated "
			"(%s), %llu alerts\n", (unsigned long long)n,
		(unsigned long long)dropped_enter,
		o->legacy ? "legacy mode" : "each syscall is evaluated on its exit",
		(unsigned long long)alerts);
	for (size_t i = 0; i < nr; i++)
		if (rs[i].alerts)
			fprintf(stderr, "   %s: %llu\n", rs[i].rule->name,
				(unsigned long long)rs[i].alerts);
	if (o->live)
		eng_source_ring_report(src, stderr);
	uint64_t lost = o->live ? 0 : src->ops->lost(src); /* live: in the ring report */
	if (lost)
		fprintf(stderr, "pdig-engine: %s: %llu damaged or unknown blocks were skipped\n",
			srcname, (unsigned long long)lost);
	if (st->alloc_failures)
		fprintf(stderr, "pdig-engine: %llu state updates were lost to memory shortage\n",
			(unsigned long long)st->alloc_failures);
	ret = 0;
	goto done;
nomem:
	fprintf(stderr, "pdig-engine: out of memory\n");
	ret = 1;
done:
	for (size_t i = 0; i < nr && rs; i++)
		eng_output_free(rs[i].jout);
	free(rs);
	for (unsigned t = 0; t < SHM_EVENT_MAX; t++)
		free(idx[t]);
	eng_state_free(st);
	eng_source_free(src);
	eng_rules_free(r);
	free(ev);
	free(line);
	free(jbuf);
	return ret;
}

int eng_rules_wanted(int argc, char **argv)
{
	static const char *const flags[] = {"-V", "--json", "--list-rules",
					    "--legacy-enter-events", "-o", "-D", "-t", "-T", NULL};
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		for (int k = 0; flags[k]; k++)
			if (!strncmp(argv[i], flags[k], strlen(flags[k])) &&
			    (argv[i][1] != '-' || !argv[i][strlen(flags[k])]))
				return 1;
		if (!strcmp(argv[i], "-r") && i + 1 < argc) {
			const char *a = argv[i + 1];
			size_t n = strlen(a);
			struct stat st;
			if ((n > 5 && !strcmp(a + n - 5, ".yaml")) ||
			    (n > 4 && !strcmp(a + n - 4, ".yml")) ||
			    (!stat(a, &st) && S_ISDIR(st.st_mode)))
				return 1;
		}
	}
	return 0;
}

int eng_rules_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'J'},
		{"legacy-enter-events", no_argument, NULL, 'L'},
		{"list-rules", no_argument, NULL, 'R'},
		{"ring", optional_argument, NULL, 'G'},
		{"listen", required_argument, NULL, 'S'},
		{"idle-exit", required_argument, NULL, 'I'},
		{"exit-with-producer", no_argument, NULL, 'X'},
		{"ready-fd", required_argument, NULL, 'F'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.min_prio = ENG_PRIO_DEBUG,
			 .ring = {.idle_exit_ms = -1, .stop = &stop_requested,
				  .drain = &drain_requested},
			 .ready_fd = -1};
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "r:e:V:o:D:t:T:p:h", longopts, NULL)) != -1) {
		int bad = 0;
		switch (c) {
		case 'r': bad = add_opt(o.rules, &o.nrules, optarg); break;
		case 'e': o.capture = optarg; break;
		case 'V': bad = add_opt(o.validate, &o.nvalidate, optarg); break;
		case 'o': bad = parse_o(&o, optarg); break;
		case 'D': bad = add_opt(o.disable, &o.ndisable, optarg); break;
		case 't': bad = add_opt(o.tag_on, &o.ntag_on, optarg); break;
		case 'T': bad = add_opt(o.tag_off, &o.ntag_off, optarg); break;
		case 'J': o.json = 1; break;
		case 'L': o.legacy = 1; break;
		case 'R': o.list_rules = 1; break;
		case 'X': o.ring.exit_with_producer = 1; break;
		case 'F':
			if ((o.ready_fd = eng_parse_ready_fd(optarg)) < 0)
				return 2;
			break;
		case 'p':
			if (!strcmp(optarg, "c") || !strcmp(optarg, "container")) {
				o.extra = "container=%container.name (id=%container.id)";
				o.extra_replaces = 1;
			} else if (!strcmp(optarg, "k") || !strcmp(optarg, "kubernetes")) {
				o.extra = "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name "
					  "container=%container.id";
				o.extra_replaces = 1;
			} else {
				o.extra = optarg;
				o.extra_replaces = 0;
			}
			break;
		case 'G': o.live = 1; o.ring.name = optarg; break;
		case 'S': o.live = 1; o.ring.listen_path = optarg; break;
		case 'I': {
			char *end;
			long ms = strtol(optarg, &end, 10);
			if (*end || ms < 0 || ms > 86400000) {
				fprintf(stderr, "pdig-engine: --idle-exit wants milliseconds, not '%s'\n",
					optarg);
				return 2;
			}
			o.ring.idle_exit_ms = (int)ms;
			break;
		}
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
		if (bad)
			return 2;
	}
	if (optind < argc) {
		fprintf(stderr, "pdig-engine: unexpected argument '%s' (in rules mode the rules "
				"give the conditions)\n", argv[optind]);
		return 2;
	}
	if (o.nvalidate)
		return validate(&o);
	if (!o.nrules) {
		usage(stderr);
		return 2;
	}
	return run(&o);
}
