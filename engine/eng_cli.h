/*
 * pdig-engine's command line, Falco's where Falco has the flag: what it
 * asks for, parsed once (cli.c), and the one program that runs it
 * (run.c: source -> state -> rules or filter -> outputs).
 */
#ifndef ENG_CLI_H
#define ENG_CLI_H

#include "eng_config.h"
#include "eng_source.h"

#define ENG_CLI_MAX 64

struct eng_opts {
	struct eng_config cfg;      /* defaults, then -c FILE, then -o and the flags */
	const char *config_file;    /* -c */
	const char *rules[ENG_CLI_MAX]; /* -r: replace rules_files */
	int nrules;
	const char *capture;        /* -e */
	int live;                   /* --ring / --listen */
	struct eng_ring_opts ring;
	const char *format;         /* -p: dump mode's line, or rules mode's extra output */
	int extra_replaces;         /* -pc/-pk: in place of %container.info */
	char *filter;               /* the arguments left, joined: sysdig's filter */
	int filter_mode;            /* sysdig's dump mode: a filter or -p, no rules */
	long long limit;            /* -n: events to read; -1 all */
	long duration_s;            /* -M: seconds to run; 0 no limit */
	long stats_interval_s;      /* --stats-interval; 0 none */
	int legacy;                 /* --legacy-enter-events */
	int list_rules;             /* -L, --list-rules */
	const char *validate[ENG_CLI_MAX]; /* -V */
	int nvalidate;
	const char *disable[ENG_CLI_MAX], *tag_on[ENG_CLI_MAX], *tag_off[ENG_CLI_MAX];
	int ndisable, ntag_on, ntag_off;
	int ready_fd;               /* --ready-fd */
};

/* Parses argv into o (eng_opts_clear() afterwards, whatever it returns).
 * 0: run; 1: done (--help, --version, --list), *code is the exit status;
 * a negative errno: a usage error, already reported in one line. reload:
 * the same command line again for SIGHUP (--ready-fd is not checked). */
int eng_cli_parse(struct eng_opts *o, int argc, char **argv, int reload, int *code);
void eng_opts_clear(struct eng_opts *o);

/* The whole program: parse, then run. Returns the exit status. */
int eng_main(int argc, char **argv);

#endif
