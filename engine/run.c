/*
 * pdig-engine's one run loop: source -> state -> rules (or sysdig's
 * filter) -> outputs, and what signals ask of it: SIGHUP reloads the
 * configuration and the rules and keeps the state, SIGUSR1 reopens files
 * (and, with --exit-with-producer, says no producer will come), SIGINT and
 * SIGTERM end the run with the outputs flushed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "eng_cli.h"
#include "eng_drops.h"
#include "eng_filter.h"
#include "eng_metrics.h"
#include "eng_output.h"
#include "eng_ruleset.h"
#include "run_rules_impl.h"
#include "eng_state.h"
#include "eng_web.h"

/* sysdig's default line, with evt.args standing in for evt.info */
#define DEFAULT_FORMAT "*%evt.num %evt.time %evt.cpu %proc.name (%thread.tid) %evt.dir %evt.type %evt.args"

/* what the signals ask; interrupt also wakes a waiting ring source */
static volatile sig_atomic_t want_stop, want_reload, want_reopen, want_tick;
static volatile int interrupt, drain, exit_with_producer, finish;

static void on_signal(int sig)
{
	if (sig == SIGINT || sig == SIGTERM)
		want_stop = 1;
	else if (sig == SIGHUP)
		want_reload = 1;
	else if (sig == SIGALRM)
		want_tick = 1;
	else if (sig == SIGUSR1) {
		want_reopen = 1;
		/* pdig-trace's "no producer will come" */
		if (exit_with_producer)
			drain = 1;
	}
	interrupt = 1;
}

struct run {
	int argc;
	char **argv;
	struct eng_opts *o;
	struct eng_ruleset *rules;   /* rules mode */
	struct eng_outputs *outs;
	struct eng_filter *filter;   /* dump mode */
	struct eng_output *line_fmt;
	struct eng_source *src;
	struct eng_state *st;
	struct eng_event *ev;
	struct eng_alert_buf ab;
	struct eng_drops drops;
	char *line;
	uint64_t n;
	struct timespec start, last_stats, last_metrics;
	long metrics_s;              /* metrics.interval; 0: no snapshot alerts */
	struct eng_web *web;         /* webserver.enabled */
	int failed;                  /* the drop action "exit" */
};

#define LINECAP (1 << 16)

/* The outputs, then the rules (which need to know whether JSON is wanted). */
static int setup_rules(struct eng_opts *o, struct eng_ruleset **rs, struct eng_outputs **outs)
{
	char err[1024];
	int rc = eng_outputs_new(outs, &o->cfg, o->live, err, sizeof(err));
	if (rc) {
		fprintf(stderr, "pdig-engine: %s\n", err);
		return rc;
	}
	if ((rc = eng_ruleset_new(rs, o, eng_outputs_want_json(*outs), stderr))) {
		eng_outputs_free(*outs);
		*outs = NULL;
		return rc;
	}
	return 0;
}

static int setup_web(struct run *r, const struct eng_config *c);
static void ticks(const struct run *r);
static void periodic(struct run *r);

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* The webserver of the new settings, as Falco restarts its own on a
 * reload; kept as it is when they did not change (its port 0 would
 * otherwise move). 0, or -1 with the old one back (or none, said). */
static int reload_web(struct run *r, const struct eng_config *n)
{
	const struct eng_config *o = &r->o->cfg;
	if (n->webserver_enabled == o->webserver_enabled &&
	    (!n->webserver_enabled ||
	     (n->webserver_port == o->webserver_port &&
	      n->webserver_prometheus == o->webserver_prometheus &&
	      same_str(n->webserver_address, o->webserver_address) &&
	      same_str(n->webserver_healthz, o->webserver_healthz))))
		return 0;
	/* the old one first: the new one may want its port */
	eng_web_free(r->web);
	r->web = NULL;
	if (!n->webserver_enabled || !setup_web(r, n))
		return 0;
	if (o->webserver_enabled && setup_web(r, o))
		fprintf(stderr, "pdig-engine: the previous webserver could not start again: "
				"no webserver until a reload that works\n");
	return -1;
}

/* SIGHUP: the same command line read again; on any error the run goes on
 * with what it had. */
static void reload(struct run *r)
{
	struct eng_opts *n = calloc(1, sizeof(*n));
	struct eng_ruleset *rs = NULL;
	struct eng_outputs *outs = NULL;
	int code;
	fprintf(stderr, "pdig-engine: SIGHUP: reloading the configuration and the rules\n");
	if (!n || eng_cli_parse(n, r->argc, r->argv, 1, &code) ||
	    setup_rules(n, &rs, &outs) || reload_web(r, &n->cfg)) {
		fprintf(stderr, "pdig-engine: reload failed: the previous rules and configuration "
				"stay in use\n");
		eng_outputs_free(outs);
		eng_ruleset_free(rs);
		if (n)
			eng_opts_clear(n);
		free(n);
		return;
	}
	/* the counters go on: what the old set counted is carried over */
	eng_outputs_close(r->outs);
	eng_outputs_carry(outs, r->outs);
	eng_ruleset_carry(rs, r->rules);
	eng_outputs_free(r->outs);
	eng_ruleset_free(r->rules);
	eng_opts_clear(r->o);
	free(r->o);
	r->o = n;
	r->rules = rs;
	r->outs = outs;
	eng_drops_init(&r->drops, &n->cfg);
	ticks(r);
	fprintf(stderr, "pdig-engine: reloaded: %zu rules active\n", eng_ruleset_nactive(rs));
	if (r->web)
		periodic(r); /* a new webserver answers at once */
}

static double since(const struct timespec *a)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - a->tv_sec) + (double)(now.tv_nsec - a->tv_nsec) / 1e9;
}

static void stats_line(struct run *r)
{
	fprintf(stderr, "pdig-engine: stats: %llu events, %llu alerts, %llu lost by the source, "
			"%llu threads\n", (unsigned long long)r->n,
		(unsigned long long)(r->rules ? eng_ruleset_alerts(r->rules) : 0),
		(unsigned long long)r->src->ops->lost(r->src),
		(unsigned long long)(r->st->nthreads_created - r->st->nthreads_removed));
	if (r->outs)
		eng_outputs_report(r->outs, stderr);
}

static void metrics_in(struct run *r, struct eng_metrics_in *m)
{
	*m = (struct eng_metrics_in){.events = r->n, .uptime_s = since(&r->start), .src = r->src,
				     .live = r->o->live, .rules = r->rules, .outs = r->outs,
				     .st = r->st};
}

/* Each second: the webserver's metrics and heartbeat; at metrics.interval,
 * Falco's "metrics snapshot" internal alert. */
static void periodic(struct run *r)
{
	struct eng_metrics_in m;
	metrics_in(r, &m);
	if (r->web) {
		char *text = NULL;
		size_t len = 0;
		if (!eng_metrics_prometheus(&m, &text, &len))
			eng_web_publish(r->web, text, len);
		free(text);
	}
	if (r->metrics_s && r->outs && since(&r->last_metrics) >= (double)r->metrics_s) {
		char fields[512];
		struct timespec now;
		struct eng_alert a;
		clock_gettime(CLOCK_MONOTONIC, &r->last_metrics);
		clock_gettime(CLOCK_REALTIME, &now);
		eng_metrics_json(&m, fields, sizeof(fields));
		eng_alert_internal(&r->ab, &a, "Falco internal: metrics snapshot",
				   ENG_PRIO_INFORMATIONAL,
				   (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec,
				   "Falco metrics snapshot", fields, &r->o->cfg);
		eng_outputs_emit(r->outs, &a);
	}
}

/* 1 when the run must end. */
static int handle_signals(struct run *r)
{
	interrupt = 0;
	if (want_stop) {
		if (!r->o->live || finish)
			return 1;
		/* the ring: what the producers wrote before the signal is read first */
		finish = 1;
		return 0;
	}
	if (want_reopen) {
		want_reopen = 0;
		if (r->outs)
			eng_outputs_reopen(r->outs);
	}
	if (want_reload) {
		want_reload = 0;
		if (r->rules)
			reload(r);
	}
	if (want_tick) {
		want_tick = 0;
		if (r->o->duration_s && since(&r->start) >= (double)r->o->duration_s)
			return 1;
		if (r->o->stats_interval_s &&
		    since(&r->last_stats) >= (double)r->o->stats_interval_s) {
			clock_gettime(CLOCK_MONOTONIC, &r->last_stats);
			stats_line(r);
		}
		periodic(r);
	}
	return 0;
}

/* Rules mode, per event. The hot path: kept in this file with what it
 * reads in locals, as the two loops before it were. */
static int loop_rules(struct run *r, struct eng_ctx *ctx, uint64_t limit)
{
	struct eng_event *ev = r->ev;
	struct eng_source *src = r->src;
	uint32_t df;
	int rc;
	for (;;) {
		if (r->n >= limit)
			return 0;
		rc = eng_source_next(src, ev, &df);
		if (rc == 1) {
			ev->num = ++r->n;
			if (r->n == 1)
				ctx->first_ts = ev->evt.ts;
			eng_state_apply(r->st, ev);
			if (!(df & ENG_DF_STATE_ONLY)) {
				if (ev->evt.type == SHM_EV_DROP_X &&
				    eng_drops_check(&r->drops, src, r->n, r->outs, &r->ab) < 0)
					r->failed = want_stop = interrupt = 1;
				eng_ruleset_eval(r->rules, ctx, r->outs, &r->ab);
			}
		}
		/* a signal also ends a ring source's wait: then it is not the end */
		int woke = interrupt;
		if (woke && handle_signals(r))
			return 0;
		if (rc == 1)
			continue;
		if (rc < 0)
			return rc;
		if (!woke)
			return 0; /* the end of the source */
	}
}

/* sysdig's dump, per event: the filter, the -p line on stdout. */
static int loop_dump(struct run *r, struct eng_ctx *ctx, uint64_t limit)
{
	struct eng_event *ev = r->ev;
	struct eng_source *src = r->src;
	uint32_t df;
	int rc;
	for (;;) {
		if (r->n >= limit)
			return 0;
		rc = eng_source_next(src, ev, &df);
		if (rc == 1) {
			ev->num = ++r->n;
			if (r->n == 1)
				ctx->first_ts = ev->evt.ts;
			eng_state_apply(r->st, ev);
			if (!(df & ENG_DF_STATE_ONLY) &&
			    (!r->filter || eng_filter_match(r->filter, ctx))) {
				int len = eng_output_render(r->line_fmt, ctx, r->line, LINECAP);
				if (len >= 0) {
					r->line[len] = '\n';
					fwrite(r->line, 1, (size_t)len + 1, stdout);
				}
			}
		}
		int woke = interrupt;
		if (woke && handle_signals(r))
			return 0;
		if (rc == 1)
			continue;
		if (rc < 0)
			return rc;
		if (!woke)
			return 0;
	}
}

static int loop(struct run *r)
{
	/* rules: an exit's missing arguments come from its enter event */
	struct eng_ctx ctx = {.st = r->st, .ev = r->ev, .flags = r->rules ? ENG_CTX_ENTER_ARGS : 0};
	uint64_t limit = r->o->limit >= 0 ? (uint64_t)r->o->limit : UINT64_MAX;
	return r->rules ? loop_rules(r, &ctx, limit) : loop_dump(r, &ctx, limit);
}

static void report(struct run *r, int rc)
{
	const char *name = r->src->name;
	if (rc < 0)
		fprintf(stderr, "pdig-engine: %s: %s\n  (%s: the %llu events before this point "
				"were processed)\n", name, r->src->ops->error(r->src),
			r->o->live ? "the ring failed" : "the capture is damaged or cut short",
			(unsigned long long)r->n);
	if (r->rules)
		eng_ruleset_report(r->rules, r->n, stderr);
	if (r->outs)
		eng_outputs_report(r->outs, stderr);
	if (r->o->live)
		eng_source_ring_report(r->src, stderr);
	uint64_t lost = r->o->live ? 0 : r->src->ops->lost(r->src);
	if (lost)
		fprintf(stderr, "pdig-engine: %s: %llu damaged or unknown blocks were skipped\n",
			name, (unsigned long long)lost);
	if (r->st->threads_refused)
		fprintf(stderr, "pdig-engine: %llu events came from threads beyond the %d the "
				"engine tracks: their fields were not available\n",
			(unsigned long long)r->st->threads_refused, ENG_MAX_THREADS);
	if (r->st->alloc_failures)
		fprintf(stderr, "pdig-engine: %llu state updates were lost to memory shortage\n",
			(unsigned long long)r->st->alloc_failures);
}

static int open_source(struct run *r)
{
	struct eng_opts *o = r->o;
	char err[1024];
	if (o->live) {
		o->ring.stop = &interrupt;
		o->ring.drain = &drain;
		o->ring.finish = &finish;
		exit_with_producer = o->ring.exit_with_producer;
		if (eng_source_ring_new(&r->src, &o->ring, err, sizeof(err))) {
			fprintf(stderr, "pdig-engine: cannot attach the ring: %s\n", err);
			return -EINVAL;
		}
		return 0;
	}
	if (eng_source_scap_new(&r->src, o->capture, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: cannot read the capture: %s\n"
				"  (check the path; pdig-engine reads .scap files written by pdig, "
				"sysdig or Falco, plain or gzipped)\n", err);
		return -EINVAL;
	}
	return 0;
}

static int setup_filter(struct run *r)
{
	char err[1024];
	struct eng_opts *o = r->o;
	if (o->filter && eng_filter_new(o->filter, &r->filter, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: bad filter:\n%s\n"
				"  (fix the filter at the marked column; 'pdig-engine --list' shows "
				"the fields)\n", err);
		return -EINVAL;
	}
	if (eng_output_new(o->format ? o->format : DEFAULT_FORMAT, &r->line_fmt, err,
			   sizeof(err))) {
		fprintf(stderr, "pdig-engine: bad -p format: %s\n"
				"  (fields are written %%name, e.g. %%proc.name; 'pdig-engine --list' "
				"shows them)\n", err);
		return -EINVAL;
	}
	static char obuf[1 << 16];
	/* live lines go out as they come; a replay is written in big blocks */
	int lines = o->cfg.buffered_outputs == -1 ? o->live : !o->cfg.buffered_outputs;
	setvbuf(stdout, lines ? NULL : obuf, lines ? _IOLBF : _IOFBF, lines ? 0 : sizeof(obuf));
	return 0;
}

static void signals(const struct run *r)
{
	struct sigaction sa = {.sa_handler = on_signal};
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* The others restart what they interrupt: a tick in a write() to a
	 * stdout pipe that is full would otherwise fail it and lose alerts
	 * (a waiting ring source looks at the flags every few ms anyway). */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGALRM, &sa, NULL);
	ticks(r);
}

/* The once-a-second tick, when something needs it (a reload may start a
 * webserver). */
static void ticks(const struct run *r)
{
	const struct eng_opts *o = r->o;
	struct itimerval it = {{1, 0}, {1, 0}}, cur;
	if ((o->duration_s || o->stats_interval_s || r->web || r->metrics_s) &&
	    !getitimer(ITIMER_REAL, &cur) && !cur.it_interval.tv_sec)
		setitimer(ITIMER_REAL, &it, NULL);
}

static int setup_web(struct run *r, const struct eng_config *c)
{
	char err[512];
	if (eng_web_new(&r->web, c, err, sizeof(err))) {
		fprintf(stderr, "pdig-engine: %s\n", err);
		return -EINVAL;
	}
	return 0;
}

static int validate(const struct eng_opts *o)
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
		char line[4096];
		for (size_t k = 0; k < eng_rules_nmsgs(r); k++) {
			eng_rules_msg_format(eng_rules_msg(r, k), line, sizeof(line));
			printf("%s\n", line);
		}
		printf("%s: %s\n", o->validate[i], rc ? "Invalid" : "Ok");
		bad |= rc != 0;
		eng_rules_free(r);
	}
	return bad;
}

int eng_main(int argc, char **argv)
{
	struct run r = {.argc = argc, .argv = argv};
	int code = 0, rc, ret = 1;
	if (!(r.o = calloc(1, sizeof(*r.o)))) {
		fprintf(stderr, "pdig-engine: out of memory\n");
		return 1;
	}
	rc = eng_cli_parse(r.o, argc, argv, 0, &code);
	if (rc) {
		ret = rc == 1 ? code : 2;
		goto done;
	}
	if (r.o->nvalidate) {
		ret = validate(r.o);
		goto done;
	}
	if (r.o->list_rules) {
		if (!eng_ruleset_new(&r.rules, r.o, 0, stderr)) {
			eng_ruleset_list(r.rules, stdout);
			ret = 0;
		}
		goto done;
	}
	want_stop = want_reload = want_reopen = want_tick = interrupt = drain = finish = 0;
	rc = r.o->filter_mode ? setup_filter(&r) : setup_rules(r.o, &r.rules, &r.outs);
	if (rc)
		goto done;
	if (r.rules && !eng_ruleset_nactive(r.rules))
		fprintf(stderr, "pdig-engine: warning: no rule is active (check -D, -t, -T and "
				"-o priority=)\n");
	if (open_source(&r))
		goto done;
	r.ev = calloc(1, sizeof(*r.ev));
	r.line = malloc(LINECAP);
	if (eng_state_new(&r.st) || !r.ev || !r.line || eng_alert_buf_init(&r.ab)) {
		fprintf(stderr, "pdig-engine: out of memory\n");
		goto done;
	}
	if (r.src->ops->load_state(r.src, r.st)) {
		fprintf(stderr, "pdig-engine: out of memory loading the process list of %s\n",
			r.src->name);
		goto done;
	}
	eng_drops_init(&r.drops, &r.o->cfg);
	if (r.o->cfg.webserver_enabled && setup_web(&r, &r.o->cfg))
		goto done;
	if (r.o->cfg.metrics_enabled && r.o->cfg.metrics_output_rule && r.outs &&
	    (r.metrics_s = eng_config_interval_s(r.o->cfg.metrics_interval)) < 0) {
		fprintf(stderr, "pdig-engine: metrics.interval: '%s' is not a time such as 15m or "
				"30s\n", r.o->cfg.metrics_interval);
		goto done;
	}
	clock_gettime(CLOCK_MONOTONIC, &r.start);
	r.last_stats = r.last_metrics = r.start;
	signals(&r);
	if (r.web)
		periodic(&r); /* /metrics and /healthz answer from the start */
	eng_source_ready(r.o->ready_fd);
	r.o->ready_fd = -1;
	rc = loop(&r);
	if (r.outs)
		eng_outputs_close(r.outs);
	fflush(stdout);
	report(&r, rc);
	ret = rc < 0 || r.failed ? 1 : 0;
done:
	eng_web_free(r.web);
	eng_state_free(r.st);
	eng_source_free(r.src);
	eng_outputs_free(r.outs);
	eng_ruleset_free(r.rules);
	eng_filter_free(r.filter);
	eng_output_free(r.line_fmt);
	if (r.ab.text)
		eng_alert_buf_clear(&r.ab);
	free(r.ev);
	free(r.line);
	if (r.o)
		eng_opts_clear(r.o);
	free(r.o);
	return ret;
}
