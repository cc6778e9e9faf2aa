/*
 * What this kernel offers, asked natively (test/lib/probe.sh runs it):
 *   kprobe int80     0: 64-bit programs may make 32-bit calls (int 0x80)
 *   kprobe x32       0: the x32 ABI is on
 *   kprobe ptrace    0: a process may PTRACE_SEIZE its child here
 *   kprobe seccomp   0: a seccomp filter can be loaded here
 *   kprobe cpus      prints the CPUs this process may run on
 *   kprobe no32 CMD [ARGS...]
 *                    runs CMD with the 32-bit entry refused by a seccomp
 *                    filter (SIGSYS at the first int 0x80), as a kernel
 *                    without ia32 emulation refuses it (SIGSEGV there)
 * Otherwise exits 1 with one line on stdout saying what is missing, 2 on
 * a usage error. Probes that could fault do it in a child that catches the
 * fault: no core dump, no kernel log line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef __X32_SYSCALL_BIT
#define __X32_SYSCALL_BIT 0x40000000
#endif
#ifndef SECCOMP_RET_KILL_PROCESS
#define SECCOMP_RET_KILL_PROCESS 0x80000000U
#endif

enum { C_YES = 0, C_REFUSED = 2, C_SEGV = 3, C_SYS = 4, C_OTHER = 5 };

static void on_fault(int sig)
{
	_exit(sig == SIGSEGV ? C_SEGV : sig == SIGSYS ? C_SYS : C_OTHER);
}

/* runs fn in a child that catches faults; returns its C_* code */
static int in_child(int (*fn)(void))
{
	fflush(stdout);
	pid_t p = fork();
	if (p < 0)
		return C_OTHER;
	if (p == 0) {
		prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
		struct sigaction sa;
		memset(&sa, 0, sizeof sa);
		sa.sa_handler = on_fault;
		sigaction(SIGSEGV, &sa, NULL);
		sigaction(SIGSYS, &sa, NULL);
		_exit(fn());
	}
	int st;
	while (waitpid(p, &st, 0) < 0)
		if (errno != EINTR)
			return C_OTHER;
	if (WIFSIGNALED(st))
		return WTERMSIG(st) == SIGSEGV ? C_SEGV : WTERMSIG(st) == SIGSYS ? C_SYS : C_OTHER;
	return WIFEXITED(st) ? WEXITSTATUS(st) : C_OTHER;
}

static int int80_getpid(void)
{
	long r, want = syscall(SYS_getpid);
	/* i386 getpid (20): no memory argument; r8-r11 are cleared on entry */
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(20L)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	return r == want ? C_YES : C_REFUSED;
}

static int x32_getpid(void)
{
	long r = syscall(__X32_SYSCALL_BIT | SYS_getpid);
	return r == syscall(SYS_getpid) ? C_YES : C_REFUSED;
}

static int probe_int80(void)
{
	switch (in_child(int80_getpid)) {
	case C_YES:
		return 0;
	case C_SEGV:
		printf("int 0x80 faults (SIGSEGV): this kernel refuses the 32-bit entry to "
		       "64-bit programs (ia32 emulation off)\n");
		return 1;
	case C_SYS:
	case C_REFUSED:
		printf("int 0x80 is refused by a seccomp filter this process runs under\n");
		return 1;
	default:
		printf("int 0x80 getpid did not return (unknown reason)\n");
		return 1;
	}
}

static int probe_x32(void)
{
	if (in_child(x32_getpid) == C_YES)
		return 0;
	printf("this kernel has no x32 ABI (CONFIG_X86_X32_ABI off or x32 disabled)\n");
	return 1;
}

static int probe_ptrace(void)
{
	fflush(stdout);
	pid_t c = fork();
	if (c < 0)
		return 1;
	if (c == 0) {
		pause();
		_exit(0);
	}
	int rc = 0;
	if (ptrace(PTRACE_SEIZE, c, 0, 0) < 0) {
		printf("ptrace refused (%s): no CAP_SYS_PTRACE, Yama's ptrace_scope 3, or a "
		       "seccomp profile without ptrace\n", strerror(errno));
		rc = 1;
	}
	kill(c, SIGKILL);
	while (waitpid(c, NULL, __WALL) < 0 && errno == EINTR)
		;
	return rc;
}

static int load_filter(void)
{
	struct sock_filter insn[] = {BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
	struct sock_fprog prog = {1, insn};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
		return C_REFUSED;
	return C_YES;
}

static int probe_seccomp(void)
{
	if (in_child(load_filter) == C_YES)
		return 0;
	printf("a seccomp filter cannot be loaded here (kernel without SECCOMP_FILTER?)\n");
	return 1;
}

static int cpus(void)
{
	cpu_set_t s;
	if (sched_getaffinity(0, sizeof s, &s) < 0) {
		printf("sched_getaffinity: %s\n", strerror(errno));
		return 1;
	}
	const char *sep = "";
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &s)) {
			printf("%s%d", sep, i);
			sep = " ";
		}
	printf("\n");
	return 0;
}

/* every call of another ABI than x86_64 traps: SIGSYS */
static int no32(char **argv)
{
	struct sock_filter insn[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRAP),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof insn / sizeof insn[0], insn};
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
	    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0) {
		fprintf(stderr, "kprobe no32: cannot load the filter: %s\n", strerror(errno));
		return 125;
	}
	execvp(argv[0], argv);
	fprintf(stderr, "kprobe no32: cannot run %s: %s\n", argv[0], strerror(errno));
	return 127;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		goto usage;
	if (!strcmp(argv[1], "int80"))
		return probe_int80();
	if (!strcmp(argv[1], "x32"))
		return probe_x32();
	if (!strcmp(argv[1], "ptrace"))
		return probe_ptrace();
	if (!strcmp(argv[1], "seccomp"))
		return probe_seccomp();
	if (!strcmp(argv[1], "cpus"))
		return cpus();
	if (!strcmp(argv[1], "no32") && argc > 2)
		return no32(argv + 2);
usage:
	fprintf(stderr, "usage: kprobe int80|x32|ptrace|seccomp|cpus|no32 CMD [ARGS...]\n");
	return 2;
}
