/*
 * Ignored signals. The kernel discards a signal the thread ignores, unless
 * the thread is traced: then it is delivered to the tracer, and the call it
 * interrupted (epoll_wait, sigtimedwait, semtimedop, ...) returns EINTR where
 * natively it would have gone on. At the signal-delivery stop of such a
 * signal, pdig turns a pending -EINTR into -ERESTARTNOHAND, which the kernel
 * restarts when no handler runs, and drops the signal, as the kernel would.
 * Signals whose default action is to ignore them (SIGCHLD, SIGCONT, SIGURG,
 * SIGWINCH) count as ignored while they have no handler.
 *
 * Interrupted calls. A call interrupted by a signal exits with -ERESTART*;
 * whether the program then sees EINTR or the call restarts is decided when
 * the handler is set up (SA_RESTART, the restart code), which /proc does not
 * show. A program may retry the identical call after EINTR, so comparing
 * the next call with the interrupted one cannot tell. When a call is
 * pending restart, the signal is injected with PTRACE_SINGLESTEP: if a
 * handler is set up the kernel stops the thread at its first instruction,
 * and the registers it saved for the handler's return hold the call's
 * outcome (-EINTR, or the call number for a restart). Only interrupted calls
 * pay for this stop; without a handler there is none and the call restarts.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include <ucontext.h>

#include "pdig.h"
#include "procfs.h"

#define ERESTARTNOHAND 514
#define USER64_CS 0x33 /* code segment of 64-bit user code */

static unsigned long long mask_of(const char *status, const char *key)
{
	const char *p = strstr(status, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/* Would the kernel discard sig for this thread? Either it is set to SIG_IGN,
 * or it has no handler and its default action is to ignore it. */
static int ignores(pid_t tid, int sig)
{
	char buf[2048];
	if (sig < 1 || sig > 64)
		return 0;
	ssize_t n = pd_proc_file(tid, "status", buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	unsigned long long bit = 1ull << (sig - 1);
	if (mask_of(buf, "\nSigIgn:") & bit)
		return 1;
	int default_ignore = sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH;
	return default_ignore && !(mask_of(buf, "\nSigCgt:") & bit);
}

int pd_signal_ignored(struct pd_tracee *t, int sig)
{
	/* SIGKILL and SIGSTOP cannot be ignored */
	if (sig == SIGKILL || sig == SIGSTOP)
		return 0;
	/* Only a call the stop interrupted, or one waiting to restart, needs to
	 * know: elsewhere the kernel drops an ignored signal we pass on by
	 * itself. The registers first: /proc/TID/status costs ten times more,
	 * and every child's SIGCHLD to its parent comes here. */
	struct user_regs_struct regs;
	int interrupted = ptrace(PTRACE_GETREGS, t->tid, 0, &regs) == 0 &&
			  (long)regs.orig_rax >= 0 && (long)regs.rax == -EINTR;
	if ((!interrupted && !(t->flags & PD_T_RESTART)) || !ignores(t->tid, sig))
		return 0;
	if (interrupted)
		ptrace(PTRACE_POKEUSER, t->tid, offsetof(struct user_regs_struct, rax),
		       (long)-ERESTARTNOHAND);
	return 1;
}


/*
 * A SIGTRAP stop after a PTRACE_SINGLESTEP injection: the handler's entry
 * (si_code SIGTRAP, from the kernel's notification), or a step trap because
 * no handler ran and the restarted instruction executed. Either is ours:
 * 1. Anything else is a real SIGTRAP: 0.
 */
static int step_stop(struct pd_tracer *tr, struct pd_tracee *t)
{
	siginfo_t si;
	if (ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0)
		return 0;
	if (si.si_code == TRAP_TRACE || si.si_code == TRAP_BRKPT)
		return 1;
	if (si.si_code != SIGTRAP)
		return 0;
	if (!(t->flags & PD_T_RESTART) || !t->sc)
		return 1;
	/* A handler running as 64-bit code has a 64-bit frame (whatever entry
	 * the call came through), and rdx points to the ucontext it returns
	 * with. The 32-bit frames of 32-bit programs are not read: their next
	 * call decides, as without a handler. */
	struct user_regs_struct regs;
	uint64_t rax;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) < 0 || regs.cs != USER64_CS ||
	    pd_mem_read(t->tid,
			regs.rdx + offsetof(ucontext_t, uc_mcontext.gregs) + REG_RAX * sizeof(greg_t),
			&rax, sizeof rax) != sizeof rax)
		return 1; /* unknown: the next call decides, as without a handler */
	if ((int64_t)rax == -EINTR) {
		/* the program sees EINTR: the call ends here; a retry is a new one */
		const struct pd_syscall *sc = t->sc;
		t->flags &= ~PD_T_RESTART;
		pd_emit(tr, t, sc, sc->ev_exit, sc->exit, t->args, -EINTR);
		t->sc = NULL;
	}
	return 1;
}

void pd_signal_deliver(struct pd_tracer *tr, struct pd_tracee *t, int sig)
{
	int stepped = t->flags & PD_T_SIGSTEP;
	t->flags &= ~PD_T_SIGSTEP;
	if (stepped && sig == SIGTRAP && step_stop(tr, t)) {
		pd_resume(t, 0);
		return;
	}
	if (tr->proc_ok && pd_signal_ignored(t, sig)) {
		pd_resume(t, 0);
		return;
	}
	/* Not for x32 calls: their handlers' frames have another layout. Not
	 * for stop signals: a thread stopping with a step pending widened a
	 * Ctrl-Z race (a shell stopped in vfork); their next call decides. */
	int stop_sig = sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
	if ((t->flags & PD_T_RESTART) && t->sc && t->arch != PD_ARCH_X32 && !stop_sig &&
	    !(t->flags & PD_T_IN_SYSCALL)) {
		t->flags |= PD_T_SIGSTEP;
		if (ptrace(PTRACE_SINGLESTEP, t->tid, 0, (long)sig) == 0)
			return;
		t->flags &= ~PD_T_SIGSTEP;
	}
	pd_resume(t, sig);
}
