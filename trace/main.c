/*
 * pdig-trace [OPTIONS] [ENGINE OPTIONS] -- COMMAND [ARGS...]
 * pdig-trace [OPTIONS] [ENGINE OPTIONS] -p PID[,PID...]
 *
 * The entrypoint prefix: pdig-engine on a private ring (a socket in a
 * private directory, --listen), then pdig handing it its ring (--connect)
 * and running COMMAND. pdig-trace stays the parent of both: when pdig ends
 * the engine is still there to read what pdig wrote last (were pdig PID 1,
 * its exit would make the kernel kill the engine mid-read), and only then
 * does pdig-trace exit, with pdig's status, which is COMMAND's. As PID 1 it
 * reaps orphans and passes the runtime's signals on.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "shm_ring.h"
#include "trace.h"

#define DEFAULT_EXTRA "container_id=%container.id container_name=%container.name " \
	"image=%container.image"
#define K8S_EXTRA "k8s.ns=%k8s.ns.name k8s.pod=%k8s.pod.name "

/* The private directory, removed at every exit pdig-trace controls. */
static struct tr_dirs dirs;

static sigset_t handled; /* blocked in pdig-trace, read from the signalfd */

static pid_t spawn(char *const *argv, int keep_fd, int new_group, int out_fd)
{
	pid_t p = fork();
	if (p != 0)
		return p;
	if (out_fd >= 0)
		dup2(out_fd, STDOUT_FILENO);
	/* the engine in a group of its own: Ctrl-C at a terminal and a group
	 * kill are for the command; the engine stops when told, after reading */
	if (new_group)
		setpgid(0, 0);
	if (keep_fd >= 0)
		fcntl(keep_fd, F_SETFD, 0);
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&handled, sig))
			signal(sig, SIG_DFL);
	signal(SIGPIPE, SIG_DFL); /* an ignored signal stays ignored across exec */
	sigprocmask(SIG_UNBLOCK, &handled, NULL);
	execv(argv[0], argv);
	fprintf(stderr, "pdig-trace: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(TR_EXIT_FAIL);
}

static _Noreturn void die_like(int sig)
{
	tr_remove_work_dir(&dirs);
	fflush(NULL);
	if (getpid() != 1) {
		struct rlimit rl = {0, 0};
		setrlimit(RLIMIT_CORE, &rl);
		signal(sig, SIG_DFL);
		sigset_t s;
		sigemptyset(&s);
		sigaddset(&s, sig);
		sigprocmask(SIG_UNBLOCK, &s, NULL);
		raise(sig);
	}
	_exit(128 + sig);
}

static int readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 0) == 1;
}

static long long now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

struct run {
	pid_t engine, pdig;
	int engine_done, engine_status;
	int pdig_done, pdig_status;
	int attach;
	long long drain_deadline; /* 0 until pdig has ended */
	int engine_termed, engine_killed;
};

static void reap(struct run *r)
{
	int st;
	pid_t p;
	/* every child: as PID 1 the orphans of the traced tree come here */
	while ((p = waitpid(-1, &st, WNOHANG)) > 0) {
		if (p == r->pdig) {
			r->pdig_done = 1;
			r->pdig_status = st;
		} else if (p == r->engine) {
			r->engine_done = 1;
			r->engine_status = st;
		}
	}
}

static void describe(int st, char *buf, size_t cap)
{
	if (WIFSIGNALED(st))
		snprintf(buf, cap, "killed by signal %d", WTERMSIG(st));
	else
		snprintf(buf, cap, "exit status %d", WEXITSTATUS(st));
}

/* A signal for pdig-trace: passed on to pdig (which passes it on to the
 * command), or, once pdig has gone, a request to stop the engine now. */
static void on_signal(struct run *r, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;
	if (r->pdig_done) {
		if ((sig == SIGTERM || sig == SIGINT) && !r->engine_done && !r->engine_termed) {
			kill(r->engine, SIGTERM); /* no more waiting for the drain */
			r->engine_termed = 1;
		}
		return;
	}
	if (si->ssi_code == SI_KERNEL)
		return; /* the terminal's (Ctrl-C, hangup): the whole foreground group, the
			 * command included, has it already */
	if ((sig == SIGINT || sig == SIGQUIT) && !r->attach) {
		/* pdig (not PID 1 here) leaves these to the terminal: hand them to
		 * the command itself, as the runtime's kill of PID 1 meant */
		pid_t cmd = tr_find_command(r->pdig);
		if (cmd > 0 && kill(cmd, sig) == 0)
			return;
	}
	kill(r->pdig, sig);
}

int main(int argc, char **argv)
{
	struct tr_opts o;
	tr_parse_args(argc, argv, &o);
	tr_find_self(&dirs, argv[0]);
	char pdig_path[PATH_MAX], engine_path[PATH_MAX];
	if (tr_find_program(&dirs, "pdig", pdig_path, sizeof pdig_path) ||
	    tr_find_program(&dirs, "pdig-engine", engine_path, sizeof engine_path)) {
		fprintf(stderr, "pdig-trace: cannot find %s beside %s or in PATH: install pdig, "
				"pdig-engine and pdig-trace in one directory\n",
			tr_find_program(&dirs, "pdig", pdig_path, sizeof pdig_path) ? "pdig" : "pdig-engine",
			dirs.self[0] ? dirs.self : "pdig-trace");
		return TR_EXIT_FAIL;
	}
	if (o.verbose)
		fprintf(stderr, "pdig-trace: %s, %s\n", pdig_path, engine_path);

	/* From here every signal we pass on waits in the signalfd; the
	 * metadata thread inherits the mask. */
	static const int fwd[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};
	sigemptyset(&handled);
	sigaddset(&handled, SIGCHLD);
	for (size_t i = 0; i < sizeof fwd / sizeof *fwd; i++)
		sigaddset(&handled, fwd[i]);
	sigprocmask(SIG_BLOCK, &handled, NULL);
	signal(SIGPIPE, SIG_IGN);
	int sfd = signalfd(-1, &handled, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		fprintf(stderr, "pdig-trace: signalfd: %s\n", strerror(errno));
		return TR_EXIT_FAIL;
	}
	if (tr_make_work_dir(&dirs) || (!o.no_default_rules && tr_use_default_rules(&dirs, &o))) {
		tr_remove_work_dir(&dirs);
		return TR_EXIT_FAIL;
	}

	/* the metadata endpoint is asked in a thread of its own: the command
	 * waits for it no longer than the engine takes to start */
	static struct tr_meta_job mj;
	int meta_pipe[2] = {-1, -1};
	mj.timeout_ms = o.metadata_ms;
	pthread_t mt;
	int meta_started = 0;
	if (o.metadata_ms > 0 && pipe2(meta_pipe, O_CLOEXEC) == 0) {
		mj.done_fd = meta_pipe[1];
		meta_started = pthread_create(&mt, NULL, tr_meta_thread, &mj) == 0;
	}
	if (!meta_started)
		mj.rc = tr_meta_read(&mj.m, 0, mj.why, sizeof mj.why);

	/* the engine, on the private socket, with a pipe to say it is ready */
	int ready[2];
	if (pipe2(ready, O_CLOEXEC) < 0) {
		fprintf(stderr, "pdig-trace: pipe: %s\n", strerror(errno));
		tr_remove_work_dir(&dirs);
		return TR_EXIT_FAIL;
	}
	struct tr_argv ea = {.n = 0};
	char fdnum[16];
	snprintf(fdnum, sizeof fdnum, "%d", ready[1]);
	tr_add_arg(&ea, engine_path);
	if (!o.no_default_rules) {
		tr_add_arg(&ea, "-r");
		tr_add_arg(&ea, dirs.rules);
	}
	for (int i = 0; i < o.nrules; i++) {
		tr_add_arg(&ea, "-r");
		tr_add_arg(&ea, o.rules[i]);
	}
	tr_add_arg(&ea, "--listen");
	tr_add_arg(&ea, dirs.sock);
	tr_add_arg(&ea, "--exit-with-producer");
	tr_add_arg(&ea, "--ready-fd");
	tr_add_arg(&ea, fdnum);
	if (!o.text)
		tr_add_arg(&ea, "--json");

	struct run r = {.attach = o.pids || o.name};
	static char extra[512];
	const char *pn = getenv("POD_NAME"), *pns = getenv("POD_NAMESPACE");
	if (!o.extra) /* the pod's fields where there is a pod */
		snprintf(extra, sizeof extra, "%s%s",
			 (pn && pn[0]) || (pns && pns[0]) ? K8S_EXTRA : "", DEFAULT_EXTRA);
	else
		snprintf(extra, sizeof extra, "%s", o.extra);
	if (extra[0]) {
		tr_add_arg(&ea, "-p");
		tr_add_arg(&ea, extra);
	}
	for (int i = 0; i < o.engine_extra.n; i++)
		tr_add_arg(&ea, o.engine_extra.v[i]);
	fflush(NULL);
	int out_fd = -1;
	if (o.output && (out_fd = open(o.output, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600)) < 0) {
		fprintf(stderr, "pdig-trace: cannot write the alerts to %s: %s\n", o.output,
			strerror(errno));
		tr_remove_work_dir(&dirs);
		return TR_EXIT_FAIL;
	}
	r.engine = spawn(ea.v, ready[1], 1, out_fd);
	close(ready[1]);
	if (out_fd >= 0)
		close(out_fd);
	if (r.engine < 0) {
		fprintf(stderr, "pdig-trace: fork: %s\n", strerror(errno));
		tr_remove_work_dir(&dirs);
		return TR_EXIT_FAIL;
	}
	/* Not a moment of the command untraced: it starts once the engine
	 * reads, or not at all. */
	char b;
	ssize_t n;
	for (;;) {
		struct pollfd p[2] = {{ready[0], POLLIN, 0}, {sfd, POLLIN, 0}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		struct signalfd_siginfo si;
		int stop = 0;
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			if (si.ssi_signo != SIGCHLD && si.ssi_code != SI_KERNEL)
				stop = (int)si.ssi_signo;
		if (stop) { /* told to stop before anything ran */
			kill(r.engine, SIGTERM);
			waitpid(r.engine, NULL, 0);
			die_like(stop);
		}
		if (p[0].revents)
			break;
	}
	while ((n = read(ready[0], &b, 1)) < 0 && errno == EINTR)
		;
	close(ready[0]);
	if (n != 1) {
		int st = 0;
		char d[64];
		waitpid(r.engine, &st, 0);
		describe(st, d, sizeof d);
		fprintf(stderr, "pdig-trace: pdig-engine could not start (%s; its message is above): "
				"%s not started\n", d, r.attach ? "nothing attached" : "the command is");
		tr_remove_work_dir(&dirs);
		return TR_EXIT_FAIL;
	}

	/* the metadata, if it came while the engine loaded its rules; if not,
	 * pdig starts with what the environment says and the rest follows */
	static struct tr_meta_job early;
	const struct tr_meta_job *now_meta = &mj;
	/* the endpoint answers in milliseconds: a moment's grace (100 ms at
	 * most, once) lets the first events carry the name too */
	struct pollfd mp = {meta_started ? meta_pipe[0] : -1, POLLIN, 0};
	if (meta_started)
		poll(&mp, 1, 100);
	if (meta_started && readable(meta_pipe[0])) {
		pthread_join(mt, NULL);
		meta_started = 0;
	} else if (meta_started) {
		tr_meta_read(&early.m, 0, early.why, sizeof early.why);
		now_meta = &early;
		if (o.verbose)
			fprintf(stderr, "pdig-trace: the metadata endpoint has not answered yet: "
					"the command starts, the metadata follows\n");
	}

	/* -n: the sidecar's application may start after it */
	static char name_pids[4096];
	for (long long until = now_ms() + o.wait_s * 1000LL; o.name;) {
		if (tr_find_by_name(o.name, name_pids, sizeof name_pids) > 0) {
			o.pids = name_pids;
			if (o.verbose)
				fprintf(stderr, "pdig-trace: %s: %s\n", o.name, name_pids);
			break;
		}
		if (now_ms() >= until) {
			fprintf(stderr, "pdig-trace: no process named %s after %d s (--wait): nothing "
					"attached (ps shows the names: the program's file name, cut to 15 "
					"characters)\n", o.name, o.wait_s);
			kill(r.engine, SIGTERM);
			waitpid(r.engine, NULL, 0);
			tr_remove_work_dir(&dirs);
			return TR_EXIT_FAIL;
		}
		struct pollfd p = {sfd, POLLIN, 0};
		poll(&p, 1, 200);
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			if (si.ssi_signo != SIGCHLD && si.ssi_code != SI_KERNEL) {
				kill(r.engine, SIGTERM);
				waitpid(r.engine, NULL, 0);
				die_like((int)si.ssi_signo);
			}
	}

	/* pdig: its ring to the engine's socket, the container's description */
	struct tr_argv pa = {.n = 0};
	tr_add_arg(&pa, pdig_path);
	tr_add_arg(&pa, "--connect");
	tr_add_arg(&pa, dirs.sock);
	char pdig_id[129];
	tr_meta_args(&pa, now_meta, o.verbose, pdig_id, sizeof pdig_id);
	for (int i = 0; i < o.pdig_extra.n; i++)
		tr_add_arg(&pa, o.pdig_extra.v[i]);
	if (o.pids) {
		tr_add_arg(&pa, "-p");
		tr_add_arg(&pa, o.pids);
		if (o.tree)
			tr_add_arg(&pa, "--tree");
		if (o.no_inject)
			tr_add_arg(&pa, "--no-inject");
	} else {
		tr_add_arg(&pa, "--");
		for (char **c = o.cmd; *c; c++)
			tr_add_arg(&pa, *c);
	}
	fflush(NULL);
	r.pdig = spawn(pa.v, -1, 0, -1);
	if (r.pdig < 0) {
		fprintf(stderr, "pdig-trace: fork: %s\n", strerror(errno));
		kill(r.engine, SIGTERM);
		waitpid(r.engine, NULL, 0);
		tr_remove_work_dir(&dirs);
		return TR_EXIT_FAIL;
	}

	struct shm_ring_prod *late = NULL;
	for (;;) {
		reap(&r);
		if (r.pdig_done && !r.drain_deadline) {
			/* pdig is gone and its ring complete: the engine reads the rest and
			 * ends (our own ring let go first: it waits for every producer) */
			if (late)
				shm_ring_prod_free(late), late = NULL;
			r.drain_deadline = now_ms() + (long long)o.drain_s * 1000;
			if (!r.engine_done)
				kill(r.engine, SIGUSR1);
		}
		if (r.engine_done && !r.pdig_done && !r.engine_termed) {
			char d[64];
			describe(r.engine_status, d, sizeof d);
			fprintf(stderr, "pdig-trace: pdig-engine ended (%s) while pdig runs: %s goes "
					"on, but no rule sees it any more\n", d,
				r.attach ? "the traced program" : "the command");
			r.engine_termed = 1; /* said once */
		}
		if (r.pdig_done && r.engine_done)
			break;
		int wait = -1;
		if (r.drain_deadline) {
			long long left = r.drain_deadline - now_ms();
			if (left <= 0) {
				if (!r.engine_termed) {
					fprintf(stderr, "pdig-trace: pdig-engine has not finished reading "
							"after %d s (--drain-timeout): stopping it\n",
						o.drain_s);
					kill(r.engine, SIGTERM);
					r.engine_termed = 1;
					r.drain_deadline = now_ms() + 3000;
				} else if (!r.engine_killed) {
					kill(r.engine, SIGKILL);
					r.engine_killed = 1;
				}
				left = 1000;
			}
			wait = (int)left;
		}
		struct pollfd p[3] = {{sfd, POLLIN, 0}, {meta_started ? meta_pipe[0] : -1, POLLIN, 0},
				      {o.stdin_stop ? STDIN_FILENO : -1, POLLIN, 0}};
		if (poll(p, 3, wait) < 0 && errno != EINTR)
			break;
		if (meta_started && p[1].revents) {
			/* the metadata came after pdig started: told to the engine now */
			pthread_join(mt, NULL);
			meta_started = 0;
			const struct tr_meta *m = &mj.m;
			char why[256];
			if (mj.rc)
				tr_meta_failed(&mj);
			else if (!r.pdig_done && pdig_id[0] &&
				 (m->name[0] || m->image[0] || m->image_id[0]) &&
				 tr_announce(dirs.sock, pdig_id, m, &late, why, sizeof why))
				fprintf(stderr, "pdig-trace: the container's metadata could not be "
						"handed to the engine: %s\n", why);
			else if (o.verbose)
				fprintf(stderr, "pdig-trace: container '%s': name '%s' image '%s' (late)\n",
					pdig_id, m->name, m->image);
		}
		struct signalfd_siginfo si;
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			if (si.ssi_signo != SIGCHLD)
				on_signal(&r, &si);
		if (o.stdin_stop && p[2].revents) {
			char buf[256];
			ssize_t got = read(STDIN_FILENO, buf, sizeof buf);
			if (got <= 0) {
				/* the session that started us is gone: as a SIGTERM */
				o.stdin_stop = 0;
				memset(&si, 0, sizeof si);
				si.ssi_signo = SIGTERM;
				si.ssi_code = SI_USER;
				on_signal(&r, &si);
			}
		}
	}
	tr_remove_work_dir(&dirs);
	fflush(NULL);
	if (!r.pdig_done)
		return TR_EXIT_FAIL;
	if (WIFSIGNALED(r.pdig_status))
		die_like(WTERMSIG(r.pdig_status));
	return WEXITSTATUS(r.pdig_status);
}
