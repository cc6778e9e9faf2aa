/*
 * Starting the command: fork; the child stops itself so the tracer (pdig's
 * other child, or the parent itself) can PTRACE_SEIZE it, then installs the
 * seccomp filter and execs. Every syscall the command makes from its first
 * execve on is seen.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pdig.h"

/* No PTRACE_O_TRACEEXIT: a thread's end is known from its death report,
 * which carries the same wait status, so the exit stop would be one stop
 * more per thread for nothing (loop.c, on_wait: why the order of events is
 * kept). pdig -p keeps it (attach.c). Children inherit these options. */
#define PTRACE_OPTIONS                                                                   \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |               \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACESYSGOOD |               \
	 PTRACE_O_EXITKILL)

#define CAP_HINT                                                                         \
	"add the SYS_PTRACE capability (docker run --cap-add SYS_PTRACE; on ECS "        \
	"linuxParameters.capabilities.add: [\"SYS_PTRACE\"])"

static int has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof data);
	if (syscall(SYS_capget, &hdr, data) < 0)
		return 0;
	return (data[CAP_SYS_ADMIN / 32].effective >> (CAP_SYS_ADMIN % 32)) & 1;
}

static _Noreturn void child(void *filter, char *const *argv)
{
	/* With Yama's ptrace_scope 1 only ancestors may trace: the tracer is
	 * our parent's other child (EINVAL without Yama: nothing to do). */
	prctl(PR_SET_PTRACER, (unsigned long)getppid(), 0, 0, 0);
	raise(SIGSTOP); /* until the tracer has seized us */
	int rc = pd_filter_load(filter);
	if (rc < 0) {
		fprintf(stderr, "pdig: cannot install the seccomp filter (%s): run with "
			"seccomp allowed, and " CAP_HINT "\n", strerror(-rc));
		_exit(PD_EXIT_FAILURE);
	}
	execvp(argv[0], argv);
	int err = errno;
	fprintf(stderr, "pdig: cannot run '%s': %s\n", argv[0], strerror(err));
	_exit(err == ENOENT || err == ENOTDIR ? PD_EXIT_NOTFOUND : PD_EXIT_NOEXEC);
}

/* /proc of another pid namespace (a new namespace without its own /proc
 * mount) would describe other processes under our tids. */
int pd_proc_matches(void)
{
	char buf[32];
	ssize_t n = readlink("/proc/self", buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return atoi(buf) == getpid();
}

int pd_launch_spawn(const struct pd_opts *opts, pid_t *pidp)
{
	char err[256];
	void *filter = NULL;
	/* Without CAP_SYS_ADMIN the kernel wants NO_NEW_PRIVS for a filter;
	 * with it, setuid programs (sudo, ping) must keep working. */
	int nnp = !has_cap_sys_admin();
	if (pd_filter_build(&filter, opts, nnp, err, sizeof err) < 0) {
		fprintf(stderr, "pdig: %s\n", err);
		return PD_EXIT_FAILURE;
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		fprintf(stderr, "pdig: fork: %s\n", strerror(errno));
		pd_filter_free(filter);
		return PD_EXIT_FAILURE;
	}
	if (pid == 0)
		child(filter, opts->argv);
	pd_filter_free(filter);

	int status;
	pid_t w;
	while ((w = waitpid(pid, &status, WUNTRACED)) < 0 && errno == EINTR)
		;
	if (w != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "pdig: the command's process did not start as expected\n");
		if (w != pid) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		return PD_EXIT_FAILURE;
	}
	*pidp = pid;
	return 0;
}

int pd_launch_seize(struct pd_tracer *tr, pid_t pid)
{
	tr->proc_ok = pd_proc_matches();
	if (!tr->proc_ok && !tr->opts->quiet)
		fprintf(stderr, "pdig: /proc is not the one of pdig's pid namespace (mount one "
			"there): process details in events will be missing\n");
	pd_filter_arch_maps(tr);
	if (ptrace(PTRACE_SEIZE, pid, 0, PTRACE_OPTIONS) < 0) {
		fprintf(stderr, "pdig: ptrace is not permitted here (%s): " CAP_HINT "\n",
			strerror(errno));
		return PD_EXIT_FAILURE;
	}
	struct pd_tracee *t = pd_tracee_add(tr, pid);
	if (!t) {
		fprintf(stderr, "pdig: out of memory\n");
		return PD_EXIT_FAILURE;
	}
	t->pid = pid;
	t->flags = PD_T_ROOT;
	tr->root = pid;
	/* Ends the group-stop; the loop sees the seize stop and the SIGCONT. */
	kill(pid, SIGCONT);
	return 0;
}
