/*
 * Making a stopped thread run one syscall of ours: how pdig installs its
 * seccomp filter in a process it attached to (pdig -p).
 *
 * At a ptrace stop the thread's registers are saved, the arguments are
 * written below its stack (past the red zone, the bytes saved first), rip
 * is pointed at a `syscall` instruction already in its memory and the
 * thread runs to the syscall's exit stop. Then memory and registers are put
 * back. A thread that was inside a blocking call when it was stopped shows
 * -ERESTART* in rax: the kernel would restart the call when it resumes, but
 * it decides that from the registers it resumes with; so the restart is
 * done here, as the kernel does it (rip back to the instruction, rax the
 * call again), and orig_rax is set to -1 so that the kernel does not do it
 * a second time.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>

#include "inject.h"
#include "pdig.h"

#define ERESTARTSYS 512
#define ERESTARTNOINTR 513
#define ERESTARTNOHAND 514
#define ERESTART_RESTARTBLOCK 516
#define NR_RESTART_SYSCALL 219
#define USER64_CS 0x33
#define RED_ZONE 128u
#define SCAN_MAX (256u * 1024u)

/* A `syscall` instruction (0f 05) in an executable mapping of tid: the
 * vdso first (every process has one), then its other code. 0 if none. */
static uint64_t find_syscall_insn(pid_t tid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 0;
	uint64_t found = 0;
	uint8_t *buf = malloc(SCAN_MAX);
	for (int pass = 0; buf && pass < 2 && !found; pass++) {
		rewind(f);
		while (!found && fgets(line, sizeof line, f)) {
			unsigned long long lo, hi;
			char perms[8];
			if (sscanf(line, "%llx-%llx %7s", &lo, &hi, perms) != 3 || perms[2] != 'x')
				continue;
			int vdso = strstr(line, "[vdso]") != NULL;
			if (vdso != (pass == 0) || strstr(line, "[vsyscall]"))
				continue;
			size_t len = hi - lo < SCAN_MAX ? (size_t)(hi - lo) : SCAN_MAX;
			ssize_t n = pd_mem_read(tid, lo, buf, len);
			for (ssize_t i = 0; i + 1 < n; i++) {
				if (buf[i] == 0x0f && buf[i + 1] == 0x05) {
					found = lo + (uint64_t)i;
					break;
				}
			}
		}
	}
	free(buf);
	fclose(f);
	return found;
}

/* The registers a stopped thread resumes with once our call is done: those
 * it had, with an interrupted call restarted as the kernel would. */
static void restart_regs(struct user_regs_struct *r)
{
	if ((long)r->orig_rax < 0)
		return;
	long rax = (long)r->rax;
	if (rax == -ERESTARTSYS || rax == -ERESTARTNOINTR || rax == -ERESTARTNOHAND) {
		r->rax = r->orig_rax;
		r->rip -= 2;
	} else if (rax == -ERESTART_RESTARTBLOCK) {
		r->rax = NR_RESTART_SYSCALL;
		r->rip -= 2;
	}
	r->orig_rax = (unsigned long long)-1;
}

/*
 * Runs the thread from its current registers to the exit stop of the call
 * they make. Signals arriving meanwhile are kept in *sigs (bit sig-1) for
 * the caller to deliver. 0, or -ESRCH with *status set when the thread
 * ended (the caller reports that end as the loop would).
 */
static int run_to_exit(pid_t tid, uint64_t *sigs, int *status)
{
	int entered = 0;
	for (;;) {
		if (ptrace(PTRACE_SYSCALL, tid, 0, 0) < 0)
			return -errno;
		int st;
		pid_t w;
		while ((w = waitpid(tid, &st, __WALL)) < 0 && errno == EINTR)
			;
		if (w < 0)
			return -errno;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			*status = st;
			return -ESRCH;
		}
		if (!WIFSTOPPED(st))
			continue;
		unsigned ev = (unsigned)st >> 16;
		if (WSTOPSIG(st) == (SIGTRAP | 0x80)) {
			if (entered)
				return 0;
			entered = 1;
		} else if (ev == PTRACE_EVENT_EXIT) {
			/* killed while in our call: let it go on to its end,
			 * which the caller's waitpid reports */
			ptrace(PTRACE_CONT, tid, 0, 0);
			*status = -1;
			return -ESRCH;
		} else if (ev == 0 && WSTOPSIG(st) < 65) {
			*sigs |= 1ull << (WSTOPSIG(st) - 1); /* delivered once we are done */
		}
	}
}

int pd_inject_syscall(pid_t tid, const struct pd_inject_call *call, long *result,
		      uint64_t *sigs, int *status)
{
	struct user_regs_struct saved, r;
	uint8_t *backup = NULL;
	uint64_t where = 0;
	int rc;
	*status = -1;
	if (ptrace(PTRACE_GETREGS, tid, 0, &saved) < 0)
		return -errno;
	if (saved.cs != USER64_CS)
		return -ENOEXEC; /* 32-bit code: `syscall` would not be the 64-bit entry */
	uint64_t insn = 0;
	uint8_t two[2];
	if ((long)saved.orig_rax >= 0 && pd_mem_read(tid, saved.rip - 2, two, 2) == 2 &&
	    two[0] == 0x0f && two[1] == 0x05)
		insn = saved.rip - 2; /* stopped in a call: its own instruction */
	else
		insn = find_syscall_insn(tid);
	if (!insn)
		return -ENOEXEC;
	r = saved;
	if (call->data_len) {
		where = (saved.rsp - RED_ZONE - call->data_len) & ~(uint64_t)15;
		backup = malloc(call->data_len);
		if (!backup)
			return -ENOMEM;
		if (pd_mem_read(tid, where, backup, call->data_len) != (ssize_t)call->data_len) {
			free(backup);
			return -EFAULT;
		}
		/* the call's pointers are relative to the data: made absolute */
		uint8_t *data = malloc(call->data_len);
		if (!data) {
			free(backup);
			return -ENOMEM;
		}
		memcpy(data, call->data, call->data_len);
		if (call->fixup)
			call->fixup(data, where);
		rc = pd_mem_write(tid, where, data, call->data_len);
		free(data);
		if (rc < 0) {
			free(backup);
			return rc;
		}
	}
	uint64_t args[6];
	for (int i = 0; i < 6; i++)
		args[i] = call->arg_is_data[i] ? where + call->args[i] : call->args[i];
	r.rax = call->nr;
	r.orig_rax = (unsigned long long)-1; /* no restart of what it was doing */
	r.rdi = args[0];
	r.rsi = args[1];
	r.rdx = args[2];
	r.r10 = args[3];
	r.r8 = args[4];
	r.r9 = args[5];
	r.rip = insn;
	rc = ptrace(PTRACE_SETREGS, tid, 0, &r) < 0 ? -errno : 0;
	if (rc == 0)
		rc = run_to_exit(tid, sigs, status);
	if (rc == -ESRCH) {
		free(backup);
		return rc;
	}
	if (rc == 0) {
		struct user_regs_struct after;
		if (ptrace(PTRACE_GETREGS, tid, 0, &after) == 0)
			*result = (long)after.rax;
		else
			rc = -errno;
	}
	if (backup)
		pd_mem_write(tid, where, backup, call->data_len);
	free(backup);
	restart_regs(&saved);
	if (ptrace(PTRACE_SETREGS, tid, 0, &saved) < 0 && rc == 0)
		rc = -errno;
	return rc;
}
