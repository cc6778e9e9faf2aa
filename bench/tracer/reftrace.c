/*
 * reftrace: the floor of the stops pdig makes, for the benchmark.
 *
 *   reftrace [-v] [-a] [--] COMMAND [ARGS...]
 *
 * Starts COMMAND as pdig does (fork; the child stops itself, is seized, then
 * loads the filter and execs), with a libseccomp filter that traces pdig's
 * default set (generated from pdig/syscalls.in; -a: every syscall), and
 * follows the whole tree. At a seccomp stop it fetches the syscall info and
 * asks for the exit stop where pdig's row needs one; at that exit stop it
 * fetches the info again. Like pdig, it skips the exit stop of a fork,
 * clone or exec that reports its event stop (pdig writes the exit event
 * there; vfork excepted), and it asks for no exit stop at a thread's end
 * (pdig writes procexit from the death report). No event is built and
 * nothing is written: the difference between pdig and this is what pdig
 * does per stop beyond the stop itself. Exits with the command's status (a death by signal N is
 * re-raised). -v prints the stop counts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ref_syscalls.h"

/* pdig's options in launch mode (pdig/launch.c), without TRACEEXIT as
 * there: pdig writes procexit from the death report every tracer gets, so
 * a thread's end costs no stop of its own. */
#define REF_OPTIONS                                                                      \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |               \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD |               \
	 PTRACE_O_EXITKILL)
#define REF_TAG 0x7064 /* pdig's SECCOMP_RET_DATA, for symmetry */
#define NR_MAX 1024

static unsigned char need_exit[NR_MAX]; /* by x86_64 syscall number */
/* By tid: the thread waits for its syscall-exit stop. A fork, clone or exec
 * event stop comes in between, and PTRACE_CONT there would cancel it. */
static unsigned char *in_call;
static long pid_max = 4194304;
static unsigned long n_seccomp, n_exit, n_other, n_ends;

static int has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

/* These never return to the call site: no exit stop to wait for. */
static int returns(const char *name)
{
	return name && strcmp(name, "exit") != 0 && strcmp(name, "exit_group") != 0 &&
	       strcmp(name, "rt_sigreturn") != 0;
}

static scmp_filter_ctx build_filter(int all)
{
	/* like pdig: NO_NEW_PRIVS only when the kernel demands it, so setuid
	 * programs behave as natively */
	scmp_filter_ctx ctx = seccomp_init(all ? SCMP_ACT_TRACE(REF_TAG) : SCMP_ACT_ALLOW);
	if (!ctx)
		return NULL;
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, has_cap_sys_admin() ? 0 : 1);
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	/* 32-bit calls are not traced here: let them through rather than kill */
	if (rc == 0)
		rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	if (all) {
		for (int nr = 0; nr < NR_MAX; nr++) {
			char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
			need_exit[nr] = (unsigned char)returns(name);
			free(name);
		}
	}
	for (size_t i = 0; rc == 0 && !all && i < sizeof ref_rows / sizeof ref_rows[0]; i++) {
		const struct ref_row *r = &ref_rows[i];
		int nr = seccomp_syscall_resolve_name(r->name);
		if (nr == __NR_SCMP_ERROR)
			continue; /* unknown to this libseccomp: pdig skips it too */
		if (nr >= 0 && nr < NR_MAX)
			need_exit[nr] = (unsigned char)r->exit_stop;
		if (r->when_arg < 0) {
			rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(REF_TAG), nr, 0);
			continue;
		}
		for (int v = 0; v < r->when_n && rc == 0; v++)
			rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(REF_TAG), nr, 1,
					      SCMP_CMP((unsigned)r->when_arg, SCMP_CMP_EQ,
						       r->when_vals[v]));
	}
	if (rc < 0) {
		fprintf(stderr, "reftrace: cannot build the filter: %s\n", strerror(-rc));
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

static _Noreturn void child(scmp_filter_ctx ctx, char **argv)
{
	raise(SIGSTOP); /* until the parent has seized us */
	int rc = seccomp_load(ctx);
	if (rc < 0) {
		fprintf(stderr, "reftrace: cannot load the filter: %s\n", strerror(-rc));
		_exit(125);
	}
	execvp(argv[0], argv);
	fprintf(stderr, "reftrace: cannot run '%s': %s\n", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

static void syscall_info(pid_t pid)
{
	struct __ptrace_syscall_info info;
	/* what pdig reads at each of its stops; the result is not used */
	ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info);
}

int main(int argc, char **argv)
{
	int verbose = 0, all = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--")) {
			i++;
			break;
		} else if (!strcmp(argv[i], "-v")) {
			verbose = 1;
		} else if (!strcmp(argv[i], "-a")) {
			all = 1;
		} else {
			fprintf(stderr, "reftrace: unknown option %s\n", argv[i]);
			i = argc;
		}
	}
	if (i >= argc) {
		fprintf(stderr, "usage: reftrace [-v] [-a] [--] COMMAND [ARGS...]\n");
		return 2;
	}
	FILE *pm = fopen("/proc/sys/kernel/pid_max", "r");
	if (pm) {
		if (fscanf(pm, "%ld", &pid_max) != 1 || pid_max <= 0)
			pid_max = 4194304;
		fclose(pm);
	}
	in_call = calloc((size_t)pid_max + 1, 1);
	scmp_filter_ctx ctx = in_call ? build_filter(all) : NULL;
	if (!ctx)
		return 125;
	fflush(NULL);
	pid_t root = fork();
	if (root < 0) {
		perror("reftrace: fork");
		return 125;
	}
	if (root == 0)
		child(ctx, argv + i);
	seccomp_release(ctx);

	int status;
	if (waitpid(root, &status, WUNTRACED) != root || !WIFSTOPPED(status)) {
		fprintf(stderr, "reftrace: the command did not start as expected\n");
		return 125;
	}
	if (ptrace(PTRACE_SEIZE, root, 0, REF_OPTIONS) < 0) {
		perror("reftrace: PTRACE_SEIZE");
		kill(root, SIGKILL);
		return 125;
	}
	kill(root, SIGCONT); /* ends the group-stop; the loop sees the rest */
	/* the terminal's Ctrl-C reaches the command; we end with it */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);

	int root_status = 0;
	pid_t pid;
	while ((pid = waitpid(-1, &status, __WALL)) != 0) {
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: the whole tree is gone */
		}
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			in_call[pid] = 0;
			n_ends++;
			if (pid == root)
				root_status = status;
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		int sig = WSTOPSIG(status), event = status >> 16, inject = 0;
		enum __ptrace_request next = PTRACE_CONT;
		if (sig == (SIGTRAP | 0x80)) {
			n_exit++; /* only exit stops: entries go through seccomp */
			syscall_info(pid);
			in_call[pid] = 0;
		} else if (event == PTRACE_EVENT_SECCOMP) {
			struct __ptrace_syscall_info info;
			n_seccomp++;
			in_call[pid] =
				ptrace(PTRACE_GET_SYSCALL_INFO, pid, (void *)sizeof info, &info) > 0 &&
				info.op == PTRACE_SYSCALL_INFO_SECCOMP && info.seccomp.nr < NR_MAX &&
				need_exit[info.seccomp.nr];
		} else if (event == PTRACE_EVENT_STOP) {
			n_other++;
			/* a group-stop stays stopped until SIGCONT, as natively */
			if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
				next = PTRACE_LISTEN;
		} else if (event == PTRACE_EVENT_EXEC) {
			n_other++;
			/* exec from another thread: the leader's tid goes on */
			unsigned long old = 0;
			ptrace(PTRACE_GETEVENTMSG, pid, 0, &old);
			if ((pid_t)old != pid && old <= (unsigned long)pid_max)
				in_call[old] = 0;
			/* as pdig: a successful exec's exit event is written at this
			 * stop, so its exit stop is not taken */
			in_call[pid] = 0;
		} else if (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_CLONE ||
			   event == PTRACE_EVENT_VFORK) {
			n_other++;
			/* as pdig: the parent's result (the child's tid) is known
			 * here, so no exit stop (a vfork parent's too) */
			in_call[pid] = 0;
		} else if (event) {
			n_other++;
		} else {
			n_other++; /* a signal on its way: deliver it */
			inject = sig;
		}
		if (next == PTRACE_CONT && in_call[pid])
			next = PTRACE_SYSCALL;
		/* ESRCH: killed meanwhile; its exit report follows */
		ptrace(next, pid, 0, (void *)(long)inject);
	}
	if (verbose)
		fprintf(stderr, "reftrace: %lu waits (as pdig -v counts stops): %lu seccomp stops, "
			"%lu exit stops, %lu other stops, %lu ends\n",
			n_seccomp + n_exit + n_other + n_ends, n_seccomp, n_exit, n_other, n_ends);
	if (WIFSIGNALED(root_status)) {
		int sig = WTERMSIG(root_status);
		struct rlimit no_core = {0, 0};
		setrlimit(RLIMIT_CORE, &no_core);
		signal(sig, SIG_DFL);
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, sig);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		return 128 + sig;
	}
	return WEXITSTATUS(root_status);
}
