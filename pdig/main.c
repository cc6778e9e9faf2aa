/*
 * pdig [OPTIONS] [--] COMMAND [ARGS...]: run COMMAND, trace its whole tree.
 * pdig [OPTIONS] -p PID[,PID...]: attach to running processes (attach.c).
 *
 * Two processes (see struct pd_shared): this one, the front, is what the
 * shell waits for and the command's real parent; its child, the tracer,
 * does the ptrace work in a process group of its own. When the job stops
 * only the front stops with it, so the rest of the traced tree runs on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pdig.h"
#include "keepwarm.h"
#include "procfs.h"
#include "stack.h"

#ifndef PDIG_VERSION
#define PDIG_VERSION "0.0.0"
#endif

static const char usage_text[] =
	"usage: pdig [OPTIONS] [--] COMMAND [ARGS...]\n"
	"       pdig [OPTIONS] -p PID[,PID...]\n"
	"Runs COMMAND, or attaches to running processes, and turns the syscalls of\n"
	"their whole process tree into Falco events.\n"
	"  -p, --pid PID[,PID...]  attach to these processes (every thread, and the\n"
	"                      children they make from then on) instead of running a command\n"
	"      --tree          with -p: their descendants too (the default for PID 1 of a\n"
	"                      pid namespace, a container's entrypoint)\n"
	"      --no-inject     with -p: trace without installing pdig's seccomp filter in\n"
	"                      them: slower, but SIGINT/SIGTERM then detach and leave them\n"
	"                      as they were (with the filter pdig stays until they end)\n"
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
	"      --io            read, write, pread64 and pwrite64 too, with their data\n"
	"                      (evt.buffer); no Falco rule needs them, and each costs two\n"
	"                      stops, so they are left out by default as Falco leaves them\n"
	"      --container-id ID  the container pdig-engine reports the traced tree in where its\n"
	"                      cgroups name none (default: the id at the end of\n"
	"                      $ECS_CONTAINER_METADATA_URI_V4; '' for none)\n"
	"      --container-name NAME, --container-image IMAGE, --container-image-id ID,\n"
	"      --container-label KEY=VALUE  what pdig-engine shows of that container\n"
	"                      (container.name, container.image*, k8s.pod.name from the label\n"
	"                      io.kubernetes.pod.name, k8s.ns.name from io.kubernetes.pod.namespace)\n"
	"      --stack[=SYSCALLS]  the user-space stack of the calling thread with the\n"
	"                      enter events of these calls (default: execve, execveat,\n"
	"                      connect, ptrace, opens for writing, memfd_create, module\n"
	"                      loads, setuid family; 'default' names that set in a list)\n"
	"      --keep-warm=MODE  keep the CPUs out of their halt state while stops come (a\n"
	"                      halted vCPU takes 60-200 us to wake, at every stop): auto (the\n"
	"                      default: qos where a CPU latency request works, else spin\n"
	"                      unless a CPU quota of fewer CPUs applies or there is one\n"
	"                      CPU), qos (a 0 us latency request, /dev/cpu_dma_latency),\n"
	"                      spin (an idle-priority thread per CPU; its time counts as\n"
	"                      pdig's), off; while the CPUs are kept awake (or on one CPU,\n"
	"                      without a CPU quota) the tracer also polls up to 20 us for\n"
	"                      the next stop before it sleeps\n"
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

enum { OPT_VERSION = 256, OPT_RING, OPT_CONNECT, OPT_LOSSLESS, OPT_UDIG, OPT_RAW, OPT_WAIT_ALL,
       OPT_CONTAINER_ID, OPT_TREE, OPT_NO_INJECT, OPT_IO, OPT_STACK, OPT_KEEP_WARM };

#define OPT_CT_META 512 /* --container-name and friends (container.c) */
#define PD_ATTACH_MAX 64

/* -p's list: 1..PD_ATTACH_MAX positive pids, comma-separated. */
static size_t parse_pids(const char *arg, pid_t *out)
{
	size_t n = 0;
	const char *p = arg;
	for (;;) {
		char *end;
		errno = 0;
		if (*p < '0' || *p > '9')
			return 0;
		long v = strtol(p, &end, 10);
		if (errno || v <= 0 || v > 0x3fffffff || n == PD_ATTACH_MAX)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (out[i] == (pid_t)v)
				return 0;
		out[n++] = (pid_t)v;
		if (!*end)
			return n;
		if (*end != ',')
			return 0;
		p = end + 1;
	}
}

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
		{"container-id", required_argument, NULL, OPT_CONTAINER_ID},
		/* container.c's metadata: OPT_CT_META + enum pd_ct_meta */
		{"container-name", required_argument, NULL, OPT_CT_META + PD_CT_NAME},
		{"container-image", required_argument, NULL, OPT_CT_META + PD_CT_IMAGE},
		{"container-image-id", required_argument, NULL, OPT_CT_META + PD_CT_IMAGE_ID},
		{"container-label", required_argument, NULL, OPT_CT_META + PD_CT_LABEL},
		{"pid", required_argument, NULL, 'p'},
		{"tree", no_argument, NULL, OPT_TREE},
		{"no-inject", no_argument, NULL, OPT_NO_INJECT},
		{"io", no_argument, NULL, OPT_IO},
		{"stack", optional_argument, NULL, OPT_STACK},
		{"keep-warm", required_argument, NULL, OPT_KEEP_WARM},
		{NULL, 0, NULL, 0},
	};
	static pid_t pids[PD_ATTACH_MAX];
	memset(o, 0, sizeof *o);
	o->snaplen = PD_DEFAULT_SNAPLEN;
	o->tree = -1;
	int tree_set = 0;
	opterr = 0;
	int c;
	/* "+": stop at the first non-option, the command's own flags pass through */
	while ((c = getopt_long(argc, argv, "+:aw:s:qvhp:", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'a':
			o->capture_all = 1;
			break;
		case 'p':
			if (o->nattach)
				usage_error("%s: give one -p with a comma-separated list", "-p");
			o->nattach = parse_pids(optarg, pids);
			if (!o->nattach)
				usage_error("bad -p '%s': give process ids, e.g. -p 1 or -p 12,34 "
					    "(at most 64)", optarg);
			o->attach_pids = pids;
			break;
		case OPT_TREE:
			tree_set = 1;
			break;
		case OPT_NO_INJECT:
			o->no_inject = 1;
			break;
		case OPT_IO:
			o->io = 1;
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
		case OPT_CONTAINER_ID:
			if (pd_container_id_check(optarg))
				usage_error("bad --container-id '%s': give at most 128 letters, digits, "
					    "'.', '_', '-' or ':' ('' for none)", optarg);
			o->container_id = optarg;
			break;
		case OPT_CT_META + PD_CT_NAME:
		case OPT_CT_META + PD_CT_IMAGE:
		case OPT_CT_META + PD_CT_IMAGE_ID:
		case OPT_CT_META + PD_CT_LABEL:
			if (pd_container_meta((enum pd_ct_meta)(c - OPT_CT_META), optarg))
				usage_error("bad container metadata '%s': at most 512 characters, no "
					    "control characters; labels as KEY=VALUE, 16 at most", optarg);
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
		case OPT_STACK: {
			char bad[64];
			o->stack = optarg ? optarg : "";
			if (!pd_stack_supported())
				usage_error("%s: this build has no libunwind (pdig -v says so)",
					    "--stack");
			if (pd_stack_check(o->stack, bad, sizeof bad) < 0)
				usage_error("--stack: unknown syscall '%s'", bad);
			break;
		}
		case OPT_KEEP_WARM: {
			enum pd_warm_mode m;
			if (pd_warm_parse(optarg, &m) < 0)
				usage_error("--keep-warm: '%s' is none of auto, off, qos, spin",
					    optarg);
			o->keep_warm = (int)m;
			break;
		}
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
	if (o->nattach) {
		if (optind < argc)
			usage_error("'%s': give a command or -p PID, not both", argv[optind]);
		if (o->wait_all)
			usage_error("%s is for a command pdig runs; with -p pdig always waits "
				    "for what it attached to", "--wait-all");
		if (tree_set)
			o->tree = 1;
		return;
	}
	if (tree_set || o->no_inject)
		usage_error("%s goes with -p PID", tree_set ? "--tree" : "--no-inject");
	if (optind >= argc)
		usage_error("%s", "no command given (or -p PID to attach to a running process)");
	o->argv = argv + optind;
}

/* Signals the front passes on to the command: those a process sends to
 * pdig (kill, docker stop), and SIGCONT (a job continued by fg or bg: the
 * command too); as PID 1 SIGINT and SIGQUIT as well (docker kill -s INT
 * reaches PID 1 only; otherwise Ctrl-C and Ctrl-\ reach the command from
 * the terminal: the command decides, pdig stays to record what it does). */
static uint64_t forwarded(int pid1)
{
	static const int fwd[] = {SIGTERM, SIGHUP, SIGUSR1, SIGUSR2, SIGCONT, SIGINT, SIGQUIT};
	size_t n = pid1 ? 7 : 5;
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++)
		m |= 1ull << (fwd[i] - 1);
	return m;
}

static void set_action(int sig, void (*h)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = h;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

/* Ctrl-Z and the tty stop signals are the command's: it stops or not and
 * the front follows it (stop_like); stopped on its own, the front would
 * show the job stopped where a command ignoring SIGTSTP runs on (and its
 * own messages must not stop it in the background). */
static void ignore_job_signals(int pid1)
{
	set_action(SIGTSTP, SIG_IGN, 0);
	set_action(SIGTTIN, SIG_IGN, 0);
	set_action(SIGTTOU, SIG_IGN, 0);
	if (!pid1) {
		set_action(SIGINT, SIG_IGN, 0);
		set_action(SIGQUIT, SIG_IGN, 0);
	}
}

/*
 * The command stopped: so does the front, by the same signal, so that its
 * parent (a shell) sees the job stop as it would natively. The terminal's
 * stop signals are ignored (above), so their default action is put back for
 * the time of this stop: a signal sent to oneself is acted on before kill()
 * returns, and the front runs on from here once continued.
 */
static void stop_like(int sig)
{
	struct sigaction dfl, old;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	int restore = sigaction(sig, &dfl, &old) == 0; /* not for SIGSTOP */
	kill(getpid(), sig);
	if (restore)
		sigaction(sig, &old, NULL);
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

#include "compat32.h"

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
	/* a wake-up per event would cost a context switch each (bench/README.md) */
	if (o->verbose && st->ring_used)
		fprintf(stderr, "pdig: ring: %llu wake-ups of a sleeping engine, %llu waits for "
			"room (--lossless)\n", (unsigned long long)st->ring_wakeups,
			(unsigned long long)st->ring_waits);
	/* only with -v: the probe costs a fork */
	if (o->verbose)
		fprintf(stderr, "pdig: 32-bit syscalls (int 0x80): %s\n",
			pd_compat32_describe(pd_compat32_probe()));
	if (o->verbose)
		fprintf(stderr, "pdig: --stack: %s\n", pd_stack_supported()
			? "available (libunwind)" : "not in this build (no libunwind)");
}

/* After the snapshot: the container event, the loop until no tracee is
 * left, the output closed, the counters said. */
static void trace_to_end(struct pd_tracer *tr)
{
	pd_container_announce(tr, tr->opts->container_id);
	if (tr->opts->stack && pd_stack_new(&tr->stack, tr->opts->stack) < 0)
		fprintf(stderr, "pdig: --stack: out of memory, no stacks\n");
	char why[1200];
	enum pd_warm_mode kw = (enum pd_warm_mode)tr->opts->keep_warm;
	if (pd_warm_new(&tr->warm, kw, why, sizeof why) < 0)
		snprintf(why, sizeof why, "off (its threads could not be started)");
	if (tr->opts->verbose)
		fprintf(stderr, "pdig: keep-warm: %s\n", why);
	else if (!tr->warm && (kw == PD_WARM_QOS || kw == PD_WARM_SPIN) && !tr->opts->quiet)
		/* asked for by name and not given: said even without -v */
		fprintf(stderr, "pdig: --keep-warm=%s: %s; the program runs, slower where it "
			"makes many calls (try --keep-warm=spin, or =off to silence this)\n",
			kw == PD_WARM_QOS ? "qos" : "spin", why);
	int spin = pd_warm_wait_spin(tr->warm, kw, why, sizeof why);
	pd_waitspin_init(&tr->wspin, spin ? PD_WAITSPIN_US * 1000L : 0);
	if (tr->opts->verbose)
		fprintf(stderr, "pdig: wait spin: %s\n", why);
	int lrc = pd_loop(tr);
	pd_warm_free(tr->warm, tr->opts->verbose ? stderr : NULL);
	tr->warm = NULL;
	if (tr->opts->verbose && spin)
		pd_waitspin_report(&tr->wspin, stderr);
	if (lrc < 0)
		fprintf(stderr, "pdig: waitpid: %s\n", strerror(-lrc));
	if (pd_out_free(tr->out) < 0) {
		fprintf(stderr, "pdig: the events could not all be written\n");
		tr->st.drop_write++;
	}
	print_stats(&tr->st, tr->opts);
	if (tr->opts->verbose) {
		uint64_t hits, misses;
		pd_proc_cache_counts(tr->pcache, &hits, &misses);
		fprintf(stderr, "pdig: process facts at clone events: %llu read from /proc, "
			"%llu kept from a read of the same process less than %u ms before\n",
			(unsigned long long)misses, (unsigned long long)hits,
			PD_PROC_CACHE_NS / 1000000u);
		/* the tracer thread's own time, per stop: what pdig adds to the
		 * stops themselves (the tracee's side is not in it) */
		struct rusage ru;
		if (getrusage(RUSAGE_THREAD, &ru) == 0) {
			double us = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
				    (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
			fprintf(stderr, "pdig: tracer CPU time %.1f ms (%.2f us per stop)\n",
				us / 1000, tr->st.stops ? us / (double)tr->st.stops : 0.0);
		}
	}
	if (tr->opts->verbose)
		pd_stack_report(tr->stack, stderr);
	pd_stack_free(tr->stack);
	tr->stack = NULL;
}

/* The tracer: seizes the command, traces the tree, writes the events;
 * exits 0, or PD_EXIT_FAILURE with the reason printed. Its first byte on
 * ready_fd says whether it got going (0) or the status to exit with. */
static _Noreturn void tracer_main(const struct pd_opts *opts, pid_t cmd, pid_t front,
				  int pid1, int fwd_fd, int ready_fd, struct pd_shared *sh)
{
	struct pd_tracer tr;
	unsigned char rc = 0;
	/* job control (Ctrl-Z, kill -STOP -PGID) must never stop the tracer */
	setpgid(0, 0);
	/* the front killed: EXITKILL then takes the traced tree with us */
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (getppid() != front)
		_exit(PD_EXIT_FAILURE);
	ignore_job_signals(0);
	set_action(SIGUSR1, pd_loop_kick, 0); /* no SA_RESTART: wakes waitpid */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (pd_tracer_init(&tr, opts) < 0) {
		fprintf(stderr, "pdig: out of memory\n");
		rc = PD_EXIT_FAILURE;
	} else if (pd_out_new(&tr.out, opts, &tr.st) < 0) {
		rc = PD_EXIT_FAILURE;
	} else {
		tr.front = front;
		tr.front_pid1 = pid1;
		tr.fwd_fd = fwd_fd;
		tr.shared = sh;
		rc = (unsigned char)pd_launch_seize(&tr, cmd);
	}
	while (write(ready_fd, &rc, 1) < 0 && errno == EINTR)
		;
	close(ready_fd);
	if (rc) {
		pd_out_free(tr.out);
		pd_tracer_fini(&tr);
		exit(rc);
	}
	pd_out_procs(tr.out, &tr, tr.root);
	trace_to_end(&tr);
	int done = tr.root_done;
	pd_tracer_fini(&tr);
	exit(done ? 0 : PD_EXIT_FAILURE);
}

/*
 * pdig -p: one process, the tracer; what it attached to is not its child.
 * Ends when every traced process has ended (with the first one's status:
 * its exit code, or 128+N for a death by signal N), or after SIGINT,
 * SIGTERM or SIGHUP has detached it from processes without its filter.
 */
static int attach_main(const struct pd_opts *opts)
{
	struct pd_tracer tr;
	int rc = PD_EXIT_FAILURE;
	if (pd_tracer_init(&tr, opts) < 0) {
		fprintf(stderr, "pdig: out of memory\n");
		return PD_EXIT_FAILURE;
	}
	/* no SA_RESTART: the signal wakes waitpid */
	set_action(SIGINT, pd_attach_on_signal, 0);
	set_action(SIGTERM, pd_attach_on_signal, 0);
	set_action(SIGHUP, pd_attach_on_signal, 0);
	set_action(SIGPIPE, SIG_IGN, 0);
	if (pd_out_new(&tr.out, opts, &tr.st) < 0)
		goto out;
	rc = pd_attach_start(&tr);
	if (rc) {
		pd_out_free(tr.out);
		goto out;
	}
	pd_attach_snapshot(&tr);
	trace_to_end(&tr);
	rc = 0;
	if (tr.root_done)
		rc = WIFSIGNALED(tr.root_status) ? 128 + WTERMSIG(tr.root_status)
						  : WEXITSTATUS(tr.root_status);
out:
	pd_tracer_fini(&tr);
	return rc;
}

struct front {
	pid_t cmd, tracer;
	int pid1;
	int cmd_status, cmd_done;
	int tracer_status, tracer_done;
	int fwd_fd;       /* messages to the tracer */
	unsigned sent;
	struct pd_shared *sh;
};

/* Child reports: the command's stops (mirrored), ends; the tracer's end;
 * as PID 1, orphans reaped. */
static void front_reap(struct front *f)
{
	int st;
	pid_t p;
	while ((p = waitpid(-1, &st, WNOHANG | WUNTRACED | WCONTINUED)) > 0) {
		if (p == f->cmd && WIFSTOPPED(st)) {
			/* as PID 1 nobody waits for a stop; a stopped PID 1 would
			 * only hold up the container */
			if (!f->pid1)
				stop_like(WSTOPSIG(st));
		} else if (p == f->cmd && (WIFEXITED(st) || WIFSIGNALED(st))) {
			f->cmd_status = st;
			f->cmd_done = 1;
		} else if (p == f->tracer && (WIFEXITED(st) || WIFSIGNALED(st))) {
			f->tracer_status = st;
			f->tracer_done = 1;
		}
	}
}

/* One copy of sig, dequeued and handed to the tracer, which forwards it
 * unless the command got it too (loop.c). Signals the kernel made for a
 * terminal (SI_KERNEL: Ctrl-C, hangup) reached the command's process group,
 * the command included, by themselves. */
static void front_forward(struct front *f, int sig)
{
	sigset_t one;
	siginfo_t si;
	struct timespec zero = {0, 0};
	sigemptyset(&one);
	sigaddset(&one, sig);
	/* counted before it leaves the pending set: the tracer, seeing the
	 * command's copy, must find ours in one place or the other */
	atomic_fetch_add(&f->sh->busy[sig], 1);
	if (sigtimedwait(&one, &si, &zero) != sig || si.si_code > 0 || f->cmd_done) {
		atomic_fetch_sub(&f->sh->busy[sig], 1);
		return;
	}
	struct pd_fwd_msg m = {sig, si.si_code, si.si_pid};
	if (f->tracer_done || write(f->fwd_fd, &m, sizeof m) != (ssize_t)sizeof m) {
		atomic_fetch_sub(&f->sh->busy[sig], 1);
		kill(f->cmd, sig); /* no tracer to ask: pass it on */
		return;
	}
	f->sent++;
	kill(f->tracer, SIGUSR1);
}

static void front_loop(struct front *f, int sfd)
{
	uint64_t fwd = f->sh->fwd_mask;
	for (;;) {
		front_reap(f);
		if (f->cmd_done && f->tracer_done)
			return;
		struct pollfd pfd = {sfd, POLLIN, 0};
		/* a kick can land just before the tracer blocks in waitpid:
		 * kick again until the tracer has handled every message */
		int waiting = !f->tracer_done && atomic_load(&f->sh->handled) != f->sent;
		int n = poll(&pfd, 1, waiting ? 20 : -1);
		if (n == 0) {
			kill(f->tracer, SIGUSR1);
			continue;
		}
		if (n < 0 && errno != EINTR)
			return;
		/* (the signalfd only wakes us: a read would take the lowest
		 * signal, whatever it is) */
		sigset_t p;
		sigpending(&p);
		for (int sig = 1; sig < 64; sig++)
			if (((fwd >> (sig - 1)) & 1) && sigismember(&p, sig))
				front_forward(f, sig);
		if (sigismember(&p, SIGCHLD)) {
			sigset_t chld;
			struct timespec zero = {0, 0};
			sigemptyset(&chld);
			sigaddset(&chld, SIGCHLD);
			sigtimedwait(&chld, NULL, &zero); /* front_reap reaps */
		}
	}
}

int main(int argc, char **argv)
{
	struct pd_opts opts;
	struct front f;
	int fwd[2] = {-1, -1}, ready[2] = {-1, -1};
	int rc;
	parse_args(argc, argv, &opts);
	if (opts.nattach)
		return attach_main(&opts);
	memset(&f, 0, sizeof f);
	f.pid1 = getpid() == 1;
	rc = pd_launch_spawn(&opts, &f.cmd);
	if (rc)
		return rc;
	f.sh = mmap(NULL, sizeof *f.sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (f.sh == MAP_FAILED || pipe2(fwd, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(ready, O_CLOEXEC) < 0) {
		fprintf(stderr, "pdig: cannot set up the tracer: %s\n", strerror(errno));
		goto err;
	}
	f.sh->fwd_mask = forwarded(f.pid1);
	/* From here the front's signals wait for front_loop (signalfd); the
	 * tracer, forked with them blocked, takes its own. */
	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	for (int sig = 1; sig < 64; sig++)
		if ((f.sh->fwd_mask >> (sig - 1)) & 1)
			sigaddset(&blocked, sig);
	set_action(SIGCHLD, SIG_DFL, 0); /* SIG_IGN would reap the command for us */
	sigprocmask(SIG_BLOCK, &blocked, NULL);
	ignore_job_signals(f.pid1);
	int sfd = signalfd(-1, &blocked, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fprintf(stderr, "pdig: signalfd: %s\n", strerror(errno));
		goto err;
	}
	fflush(NULL);
	f.tracer = fork();
	if (f.tracer < 0) {
		fprintf(stderr, "pdig: fork: %s\n", strerror(errno));
		goto err;
	}
	if (f.tracer == 0) {
		close(fwd[1]);
		close(ready[0]);
		close(sfd);
		tracer_main(&opts, f.cmd, getppid(), f.pid1, fwd[0], ready[1], f.sh);
	}
	close(fwd[0]);
	close(ready[1]);
	f.fwd_fd = fwd[1];
	set_action(SIGPIPE, SIG_IGN, 0); /* a dead tracer's pipe: EPIPE */
	unsigned char code = PD_EXIT_FAILURE;
	ssize_t n;
	while ((n = read(ready[0], &code, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (n != 1 || code) {
		/* the tracer said why (or died): the command never ran */
		kill(f.cmd, SIGKILL);
		while (waitpid(f.cmd, NULL, 0) < 0 && errno == EINTR)
			;
		while (waitpid(f.tracer, NULL, 0) < 0 && errno == EINTR)
			;
		return n == 1 ? code : PD_EXIT_FAILURE;
	}
	front_loop(&f, sfd);
	if (!f.cmd_done || !f.tracer_done)
		return PD_EXIT_FAILURE;
	if (WIFSIGNALED(f.tracer_status)) {
		fprintf(stderr, "pdig: the tracer was killed by signal %d\n",
			WTERMSIG(f.tracer_status));
		return PD_EXIT_FAILURE;
	}
	if (WEXITSTATUS(f.tracer_status))
		return PD_EXIT_FAILURE; /* the tracer said why */
	if (WIFSIGNALED(f.cmd_status))
		die_like(WTERMSIG(f.cmd_status));
	return WEXITSTATUS(f.cmd_status);
err:
	kill(f.cmd, SIGKILL);
	while (waitpid(f.cmd, NULL, 0) < 0 && errno == EINTR)
		;
	return PD_EXIT_FAILURE;
}
