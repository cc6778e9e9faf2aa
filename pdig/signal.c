/*
 * Ignored signals. The kernel discards a signal the thread ignores, unless
 * the thread is traced: then it is delivered to the tracer, and the call it
 * interrupted (epoll_wait, sigtimedwait, semtimedop, ...) returns EINTR where
 * natively it would have gone on. At the signal-delivery stop of such a
 * signal, pdig turns a pending -EINTR into -ERESTARTNOHAND, which the kernel
 * restarts when no handler runs, and drops the signal, as the kernel would.
 * Signals whose default action is to ignore them (SIGCHLD, SIGCONT, SIGURG,
 * SIGWINCH) count as ignored while they have no handler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>

#include "pdig.h"
#include "procfs.h"

#define ERESTARTNOHAND 514

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
	if (sig == SIGKILL || sig == SIGSTOP || !ignores(t->tid, sig))
		return 0;
	struct user_regs_struct regs;
	if (ptrace(PTRACE_GETREGS, t->tid, 0, &regs) == 0 && (long)regs.orig_rax >= 0 &&
	    (long)regs.rax == -EINTR)
		ptrace(PTRACE_POKEUSER, t->tid, offsetof(struct user_regs_struct, rax),
		       (long)-ERESTARTNOHAND);
	return 1;
}
