/*
 * Whether 64-bit programs can make 32-bit system calls (int 0x80) on this
 * kernel. A kernel built without IA32_EMULATION, booted with
 * ia32_emulation=0 or built with IA32_EMULATION_DEFAULT_DISABLED refuses
 * the entry: int 0x80 raises a general protection fault (SIGSEGV) before
 * any system call, so no program can bypass pdig through it. pdig's filter
 * is the same either way (it covers the i386 ABI); `pdig -v` says which
 * case this is.
 */
#ifndef PD_COMPAT32_H
#define PD_COMPAT32_H

enum pd_compat32 {
	PD_COMPAT32_YES = 1,      /* int 0x80 getpid returned our pid */
	PD_COMPAT32_NO_KERNEL = 0, /* the entry faults: ia32 emulation off */
	PD_COMPAT32_NO_FILTER = -1, /* a seccomp filter (not ours) refuses it */
	PD_COMPAT32_UNKNOWN = -2, /* the probe could not run (fork failed, ...) */
};

/* Probes once, in a child (a fork), and remembers the answer. */
enum pd_compat32 pd_compat32_probe(void);
/* 1 when 32-bit system calls are possible here, else 0. */
int pd_compat32_available(void);
/* One line for `pdig -v`, e.g. "possible on this kernel, traced". */
const char *pd_compat32_describe(enum pd_compat32 c);

#endif
