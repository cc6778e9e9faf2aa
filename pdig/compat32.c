/*
 * Is the 32-bit entry (int 0x80) open to 64-bit programs here? Asked the
 * only reliable way: a child makes a harmless int 0x80 getpid (no memory
 * argument, so no pointer below 4 GiB is needed) and says what happened.
 * The child catches the fault itself and leaves by _exit: no core dump, no
 * "traps: ... general protection fault" line in the kernel log.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat32.h"

#define I386_GETPID 20

enum { CHILD_YES = 0, CHILD_REFUSED = 2, CHILD_SEGV = 3, CHILD_SYS = 4, CHILD_OTHER = 5 };

static void on_fault(int sig)
{
	_exit(sig == SIGSEGV ? CHILD_SEGV : sig == SIGSYS ? CHILD_SYS : CHILD_OTHER);
}

static _Noreturn void probe_child(void)
{
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_fault;
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGSYS, &sa, NULL);
	long want = syscall(SYS_getpid);
#if defined(__x86_64__)
	long r;
	/* the kernel clears r8-r11 on a compat entry */
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"((long)I386_GETPID)
			 : "memory", "cc", "r8", "r9", "r10", "r11");
	_exit(r == want ? CHILD_YES : CHILD_REFUSED);
#else
	(void)want;
	_exit(CHILD_OTHER);
#endif
}

static enum pd_compat32 probe_once(void)
{
	pid_t p = fork();
	if (p < 0)
		return PD_COMPAT32_UNKNOWN;
	if (p == 0)
		probe_child();
	int st;
	pid_t w;
	while ((w = waitpid(p, &st, 0)) < 0 && errno == EINTR)
		;
	if (w != p)
		return PD_COMPAT32_UNKNOWN;
	if (WIFSIGNALED(st)) /* a handler could not run: judge by the signal */
		return WTERMSIG(st) == SIGSEGV	 ? PD_COMPAT32_NO_KERNEL
		       : WTERMSIG(st) == SIGSYS ? PD_COMPAT32_NO_FILTER
						 : PD_COMPAT32_UNKNOWN;
	if (!WIFEXITED(st))
		return PD_COMPAT32_UNKNOWN;
	switch (WEXITSTATUS(st)) {
	case CHILD_YES:
		return PD_COMPAT32_YES;
	case CHILD_SEGV:
		return PD_COMPAT32_NO_KERNEL;
	case CHILD_SYS:
	case CHILD_REFUSED: /* the entry works, the call is refused: -EPERM, -ENOSYS */
		return PD_COMPAT32_NO_FILTER;
	default:
		return PD_COMPAT32_UNKNOWN;
	}
}

enum pd_compat32 pd_compat32_probe(void)
{
	static int done;
	static enum pd_compat32 answer;
	if (!done) {
		answer = probe_once();
		done = 1;
	}
	return answer;
}

int pd_compat32_available(void)
{
	return pd_compat32_probe() == PD_COMPAT32_YES;
}

const char *pd_compat32_describe(enum pd_compat32 c)
{
	switch (c) {
	case PD_COMPAT32_YES:
		return "possible on this kernel, traced";
	case PD_COMPAT32_NO_KERNEL:
		return "refused by this kernel (ia32 emulation off): nothing to trace there";
	case PD_COMPAT32_NO_FILTER:
		return "refused here by a seccomp filter pdig runs under: nothing to trace there";
	default:
		return "unknown (the probe could not run); traced if made";
	}
}
