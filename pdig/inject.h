/* Running one syscall of ours inside a stopped tracee (inject.c). */
#ifndef PD_INJECT_H
#define PD_INJECT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pd_inject_call {
	long nr;                /* x86_64 syscall number */
	uint64_t args[6];       /* an argument, or an offset into data */
	uint8_t arg_is_data[6]; /* 1: args[i] is an offset into data */
	const void *data;       /* copied below the tracee's stack for the call */
	size_t data_len;
	/* makes pointers inside a copy of data absolute, given its address */
	void (*fixup)(void *copy, uint64_t addr);
};

/*
 * tid must be in a ptrace stop (not a syscall-entry stop). Runs the call,
 * puts back the bytes under the stack and the registers (an interrupted
 * call restarted), and leaves tid stopped at the call's exit stop, to be
 * resumed by the caller. *result: the call's return value (negative errno).
 * Signals that arrived meanwhile: bits sig-1 of *sigs, for the caller to
 * deliver. 0; -ENOEXEC when the thread runs 32-bit code or has no syscall
 * instruction to borrow; -ESRCH with the wait status in *status (-1: none
 * yet, its end follows) when it ended meanwhile; other negative errnos.
 */
int pd_inject_syscall(pid_t tid, const struct pd_inject_call *call, long *result,
		      uint64_t *sigs, int *status);

#endif
