/* pdig [OPTIONS] [--] COMMAND [ARGS...]: run COMMAND, trace its whole tree. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pdig.h"

#ifndef PDIG_VERSION
#define PDIG_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"usage: pdig [OPTIONS] [--] COMMAND [ARGS...]\n"
	"Runs COMMAND and turns the syscalls of its whole process tree into Falco events.\n"
	"      --ring NAME     the shared-memory ring pdig-engine reads (default: $PDIG_RING,\n"
	"                      else /pdig-ring); used unless -w, --raw or --udig is given alone\n"
	"      --connect PATH  hand a private ring (a sealed memfd, no name in /dev/shm) to the\n"
	"                      pdig-engine listening on the unix socket PATH (--listen PATH)\n"
	"      --lossless      when the ring is full, wait for the engine (bounded) before dropping\n"
	"      --udig          write to the udig ring that sysdig -u reads\n"
	"  -w, --write FILE    write the events to FILE, a .scap capture (no engine needed)\n"
	"  -s, --snaplen N     bytes of I/O buffers kept in events (default 80, max 65000)\n"
	"  -q, --quiet         no informational messages\n"
	"  -v, --verbose       counters of stops, events and drops at the end\n"
	"  -h, --help          this text\n"
	"      --version       pdig's version\n"
	"      --raw FILE      write bare event records to FILE (for tests)\n"
	"  -a, --capture-all   every syscall, not just the default set (generic events\n"
	"                      where pdig has no decoder of its own)\n"
	"      --wait-all      when COMMAND ends, keep tracing what it left running until\n"
	"                      that ends too (default: kill it, as a container runtime does\n"
	"                      when the entrypoint exits)\n"
	"Exit status: COMMAND's; 125 if pdig fails, 126 if COMMAND cannot be run,\n"
	"127 if it is not found. Killed by a signal, pdig dies by the same signal.\n";

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "pdig: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n%s", usage_text);
	exit(PD_EXIT_USAGE);
}

enum { OPT_VERSION = 256, OPT_RING, OPT_CONNECT, OPT_LOSSLESS, OPT_UDIG, OPT_RAW, OPT_WAIT_ALL };

static void parse_args(int argc, char **argv, struct pd_opts *o)
{
	static const struct option longopts[] = {
		{"capture-all", no_argument, NULL, 'a'},
		{"ring", required_argument, NULL, OPT_RING},
		{"connect", required_argument, NULL, OPT_CONNECT},
		{"write", required_argument, NULL, 'w'},
		{"lossless", no_argument, NULL, OPT_LOSSLESS},
		{"udig", no_argument, NULL, OPT_UDIG},
		{"snaplen", required_argument, NULL, 's'},
		{"quiet", no_argument, NULL, 'q'},
		{"verbose", no_argument, NULL, 'v'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{"raw", required_argument, NULL, OPT_RAW},
		{"wait-all", no_argument, NULL, OPT_WAIT_ALL},
		{NULL, 0, NULL, 0},
	};
	memset(o, 0, sizeof *o);
	o->snaplen = PD_DEFAULT_SNAPLEN;
	opterr = 0;
	int c;
	/* "+": stop at the first non-option, the command's own flags pass through */
	while ((c = getopt_long(argc, argv, "+:aw:s:qvh", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'a':
			o->capture_all = 1;
			break;
		case OPT_RING:
			if (!optarg[0])
				usage_error("%s needs a name", "--ring");
			if (o->connect)
				usage_error("%s: give --ring NAME or --connect PATH, not both", "--ring");
			o->ring = optarg;
			break;
		case OPT_CONNECT:
			if (!optarg[0])
				usage_error("%s needs the path of pdig-engine's socket", "--connect");
			if (o->ring)
				usage_error("%s: give --ring NAME or --connect PATH, not both", "--connect");
			o->connect = optarg;
			break;
		case OPT_LOSSLESS:
			o->lossless = 1;
			break;
		case OPT_UDIG:
			o->udig = 1;
			break;
		case 'w':
			o->write_path = optarg;
			break;
		case OPT_RAW:
			o->raw_path = optarg;
			break;
		case OPT_WAIT_ALL:
			o->wait_all = 1;
			break;
		case 's': {
			errno = 0;
			unsigned long v = strtoul(optarg, &end, 10);
			if (errno || *end || end == optarg || optarg[0] == '-' || v > PD_MAX_SNAPLEN)
				usage_error("bad snaplen '%s': give a number of bytes from 0 to 65000",
					    optarg);
			o->snaplen = (uint32_t)v;
			break;
		}
		case 'q':
			o->quiet = 1;
			break;
		case 'v':
			o->verbose = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case OPT_VERSION:
			printf("pdig %s\n", PDIG_VERSION);
			exit(0);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind >= argc)
		usage_error("%s", "no command given");
	o->argv = argv + optind;
}

/* The command's pid, for the forwarding handler. */
static volatile pid_t forward_to;

/* Only signals a process sent (kill, docker stop): those the kernel makes
 * for a terminal (Ctrl-C, hangup: SI_KERNEL) reach the command's process
 * group, the command included, by themselves. */
static void forward(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (forward_to > 0 && si && si->si_code <= 0)
		kill(forward_to, sig);
}

/* Ctrl-C, Ctrl-\ and Ctrl-Z reach the command from the terminal: the
 * command decides; pdig stays to record what it does. */
static void setup_signals(pid_t root)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	forward_to = root;
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* Ctrl-Z too: the command stops or not, and pdig follows it (loop.c);
	 * stopped on its own, pdig would freeze a command that ignores SIGTSTP.
	 * (The tty stop signals of a background job as well: pdig's own
	 * messages must not stop it.) */
	sigaction(SIGTSTP, &sa, NULL);
	sigaction(SIGTTIN, &sa, NULL);
	sigaction(SIGTTOU, &sa, NULL);
	sa.sa_sigaction = forward;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	static const int fwd[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGQUIT};
	/* As PID 1 (a container's entrypoint) signals sent to pdig alone, as
	 * docker stop and docker kill do, are the command's: forward them all. */
	size_t n = getpid() == 1 ? 6 : 4;
	for (size_t i = 0; i < n; i++)
		sigaction(fwd[i], &sa, NULL);
	/* pdig stops when the command does (loop.c); continued, it continues
	 * the command, as a shell's fg or bg would have */
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigaction(SIGCONT, &sa, NULL);
}

/* Die by the command's signal, default action, no core file; as PID 1 a
 * signal cannot kill us, so 128+N as a shell would report it. */
static _Noreturn void die_like(int sig)
{
	if (getpid() != 1) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
	}
	_exit(128 + sig);
}

static void print_stats(const struct pd_stats *st, const struct pd_opts *o)
{
	uint64_t lost = st->drop_write + st->drop_encode + st->drop_ring;
	if (!o->verbose && (o->quiet || !lost))
		return;
	fprintf(stderr,
		"pdig: %llu stops, %llu events; dropped: %llu (ring full), %llu (no udig "
		"reader), %llu (write errors), %llu (too large); %llu unreadable values (page "
		"faults), %llu foreign seccomp traces\n",
		(unsigned long long)st->stops, (unsigned long long)st->events,
		(unsigned long long)st->drop_ring, (unsigned long long)st->drop_no_consumer,
		(unsigned long long)st->drop_write,
		(unsigned long long)st->drop_encode, (unsigned long long)st->page_faults,
		(unsigned long long)st->foreign_trace);
}

int main(int argc, char **argv)
{
	struct pd_opts opts;
	struct pd_tracer tr;
	int rc;
	parse_args(argc, argv, &opts);
	if (pd_tracer_init(&tr, &opts) < 0) {
		fprintf(stderr, "pdig: out of memory\n");
		return PD_EXIT_FAILURE;
	}
	if (pd_out_new(&tr.out, &opts, &tr.st) < 0) {
		rc = PD_EXIT_FAILURE;
		goto err;
	}
	rc = pd_launch(&tr, opts.argv);
	if (rc)
		goto err;
	setup_signals(tr.root);
	pd_out_procs(tr.out, &tr, tr.root);
	rc = pd_loop(&tr);
	if (rc < 0)
		fprintf(stderr, "pdig: waitpid: %s\n", strerror(-rc));
	if (pd_out_free(tr.out) < 0) {
		fprintf(stderr, "pdig: the events could not all be written\n");
		tr.st.drop_write++;
	}
	print_stats(&tr.st, &opts);
	int status = tr.root_status;
	int done = tr.root_done;
	pd_tracer_fini(&tr);
	if (!done)
		return PD_EXIT_FAILURE;
	if (WIFSIGNALED(status))
		die_like(WTERMSIG(status));
	return WEXITSTATUS(status);
err:
	pd_out_free(tr.out);
	pd_tracer_fini(&tr);
	return rc;
}
