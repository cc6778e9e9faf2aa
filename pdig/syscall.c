/*
 * Seccomp stops (syscall entry) and syscall-exit stops -> events, through
 * the generated table: one row per syscall, one decoder per event.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/audit.h>
#include <sched.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <time.h>

#include "pdig.h"
#include "stack.h"
#include "procfs.h"

/* Kernel-internal restart codes a syscall-exit stop can show. */
#define ERESTARTSYS 512
#define ERESTART_RESTARTBLOCK 516
#define NR_RESTART_SYSCALL 219
#define X32_BIT 0x40000000u

uint64_t pd_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void pd_page_fault(struct pd_tracer *tr)
{
	tr->st.page_faults++;
	pd_out_page_fault(tr->out);
}

void pd_emit(struct pd_tracer *tr, struct pd_tracee *t, const struct pd_syscall *sc,
	     uint16_t type, pd_dec_fn fn, const uint64_t *args, int64_t ret)
{
	struct shm_enc e;
	struct pd_call c = {tr, t, sc, args, ret, &e, type & 1};
	uint64_t ts = pd_now();
	uint32_t cap;
	/* --stack: enter events of the selected calls carry the caller's stack,
	 * larger than the ring's in-place room: built in our buffer */
	char ustack[PD_STACK_TEXT_MAX];
	int stacked = tr->stack && !(type & 1) && t->arch == PD_ARCH_X86_64 &&
		      pd_stack_wanted(tr->stack, sc, t->tid, args);
	if (stacked)
		pd_stack_unwind(tr->stack, t->pid ? t->pid : t->tid, t->tid, ustack, sizeof ustack);
	/* in the ring itself when it can take the record there, else our buffer
	 * (extensions are not in the room the ring's reservation is sized for) */
	uint8_t *rec = stacked || pd_ext_wanted(t, sc, type) ? NULL
							      : pd_out_begin(tr->out, type, &cap);
	if (!rec) {
		rec = tr->evbuf;
		cap = (uint32_t)tr->evcap;
	}
	shm_enc_begin(&e, rec, cap, type, ts, (uint64_t)t->tid);
	if (fn)
		fn(&c);
	if (stacked)
		shm_enc_trailer_str(&e, ustack);
	if (sc)
		pd_enc_abi(&c);
	pd_out_end(tr->out, rec, shm_enc_end(&e));
	if (tr->stack)
		pd_stack_after(tr->stack, t, sc, type, ret);
}

/*
 * The i386 socket calls with their own numbers (Linux 4.3). libseccomp
 * resolves their names to socketcall pseudo-numbers, so the map by name
 * misses them while the filter stops them: table row by the x86_64 twin.
 */
static int i386_socket_call(uint64_t nr)
{
	/* 359 socket .. 373 shutdown -> x86_64 numbers */
	static const uint16_t x64[] = {41, 53, 49, 42, 50, 288, 55, 54, 51, 52, 44, 46, 45, 47, 48};
	if (nr < 359 || nr > 373)
		return -1;
	return pd_syscall_by_nr[x64[nr - 359]];
}

static const struct pd_syscall *lookup(const struct pd_tracer *tr, uint32_t arch, uint64_t nr)
{
	int idx = -1;
	if (arch == AUDIT_ARCH_X86_64) {
		if (nr & X32_BIT) {
			nr &= ~(uint64_t)X32_BIT;
			if (nr < sizeof tr->x32_map / sizeof tr->x32_map[0])
				idx = tr->x32_map[nr];
		} else if (nr < PD_SYSCALL_NR_MAX) {
			idx = pd_syscall_by_nr[nr];
		}
	} else if (arch == AUDIT_ARCH_I386 && nr < PD_SYSCALL_NR_MAX) {
		idx = tr->i386_map[nr];
		if (idx < 0)
			idx = i386_socket_call(nr);
	}
	return idx >= 0 ? &pd_syscall_table[idx] : NULL;
}

/*
 * i386 socketcall(call, u32 *args): the network calls of 32-bit programs
 * before Linux 4.3 gave them their own numbers. Mapped onto the x86_64 row
 * of the call, with the arguments read from the array.
 */
#define I386_SOCKETCALL 102

static const struct pd_syscall *socketcall(struct pd_tracer *tr, struct pd_tracee *t,
					   const uint64_t *args, uint64_t out[6])
{
	/* SYS_SOCKET.. SYS_ACCEPT4 (linux/net.h) -> x86_64 numbers, 0: no row */
	static const uint16_t x64[] = {0, 41, 49, 42, 50, 43, 51, 52, 53, 0, 0, 44, 45,
				       48, 54, 55, 46, 47, 288};
	static const uint8_t nargs[] = {0, 3, 3, 3, 2, 3, 3, 3, 4, 4, 4, 6, 6, 2, 5, 5, 3, 3, 4};
	uint64_t call = args[0];
	if (call >= sizeof x64 / sizeof x64[0] || !x64[call])
		return NULL;
	int idx = pd_syscall_by_nr[x64[call]];
	if (idx < 0)
		return NULL;
	uint32_t a[6] = {0};
	if (pd_mem_read(t->tid, args[1], a, nargs[call] * sizeof a[0]) !=
	    (ssize_t)(nargs[call] * sizeof a[0])) {
		pd_page_fault(tr);
		return NULL;
	}
	for (int i = 0; i < 6; i++)
		out[i] = a[i];
	return &pd_syscall_table[idx];
}

static uint8_t arch_of(uint32_t arch, uint64_t nr)
{
	if (arch == AUDIT_ARCH_I386)
		return PD_ARCH_I386;
	return (nr & X32_BIT) ? PD_ARCH_X32 : PD_ARCH_X86_64;
}

/* Makes the call fail with ENOSYS, as a RET_TRACE with no tracer does. */
static void skip_call(struct pd_tracee *t)
{
	ptrace(PTRACE_POKEUSER, t->tid, offsetof(struct user_regs_struct, orig_rax), (long)-1);
	t->flags |= PD_T_SKIPPED;
}

/* Calls after which the process-wide /proc facts kept briefly (procfs.h)
 * may be wrong: its cwd, root, namespaces or credentials (an execve's exit
 * event reads the new program and keeps it: pd_procinfo_read_exec). */
static int changes_proc_facts(uint16_t ev_exit)
{
	switch (ev_exit) {
	case SHM_EV_SYSCALL_CHDIR_X:
	case SHM_EV_SYSCALL_FCHDIR_X:
	case SHM_EV_SYSCALL_CHROOT_X:
	case SHM_EV_SYSCALL_SETNS_X:
	case SHM_EV_SYSCALL_UNSHARE_X:
	case SHM_EV_SYSCALL_SETUID_X:
	case SHM_EV_SYSCALL_SETGID_X:
	case SHM_EV_SYSCALL_SETRESUID_X:
	case SHM_EV_SYSCALL_SETRESGID_X:
		return 1;
	}
	return 0;
}

/* Calls that may change the calling thread's effective uid or gid (the
 * rows of the native numbers; 32-bit calls map onto them): what the thread's
 * kept state knows of them is forgotten as the call enters, the thread
 * being stopped until it is done. */
static int changes_creds(const struct pd_syscall *sc)
{
	switch (sc->nr) {
	case 105: /* setuid */
	case 106: /* setgid */
	case 113: /* setreuid */
	case 114: /* setregid */
	case 117: /* setresuid */
	case 119: /* setresgid */
		return 1;
	}
	return 0;
}

static void write_exit(struct pd_tracer *tr, struct pd_tracee *t, int64_t ret)
{
	const struct pd_syscall *sc = t->sc;
	if (changes_proc_facts(sc->ev_exit))
		pd_proc_cache_forget(tr->pcache, t->pid); /* (pid 0, unknown: all) */
	if (sc->ev_exit == SHM_EV_SYSCALL_SETNS_X || sc->ev_exit == SHM_EV_SYSCALL_UNSHARE_X)
		t->flags |= PD_T_NS_MOVED;
	pd_emit(tr, t, sc, sc->ev_exit, sc->exit, t->args, ret);
}

/*
 * CLONE_UNTRACED would let the child escape, and leave it with our
 * RET_TRACE filter and no tracer: every traced call of it would fail with
 * ENOSYS. Clear the flag; for clone3, where it lies in tracee memory that
 * may not be writable, fail the call with ENOSYS (libc then falls back to
 * clone).
 */
static void untraced_guard(struct pd_tracee *t)
{
	/* the events keep the flags the program asked for (t->args, clone_flags) */
	if (t->sc->nr == 56 && (t->args[0] & CLONE_UNTRACED)) {
		ptrace(PTRACE_POKEUSER, t->tid,
		       t->arch == PD_ARCH_I386 ? offsetof(struct user_regs_struct, rbx)
					       : offsetof(struct user_regs_struct, rdi),
		       (long)(t->args[0] & ~(uint64_t)CLONE_UNTRACED));
	} else if (t->sc->nr == 435) {
		uint64_t flags = 0;
		if (pd_mem_read(t->tid, t->args[0], &flags, sizeof flags) == sizeof flags) {
			t->clone_flags = flags;
			if (flags & CLONE_UNTRACED) {
				flags &= ~(uint64_t)CLONE_UNTRACED;
				if (pd_mem_write(t->tid, t->args[0], &flags, sizeof flags) < 0)
					skip_call(t);
			}
		}
	}
}

/* Is the call in the traced set (the filter's rules, for plain mode)? */
static int in_set(const struct pd_tracer *tr, const struct pd_syscall *sc, const uint64_t *args)
{
	if (tr->opts->capture_all)
		return 1;
	if (!pd_sc_traced(tr->opts, sc))
		return 0;
	if (sc->when_arg < 0)
		return 1;
	for (unsigned v = 0; v < sc->when_n; v++)
		if (args[sc->when_arg] == sc->when_vals[v])
			return 1;
	return 0;
}

/* The i386 calls that take 16-bit ids (the ones without the "32" suffix):
 * which arguments are ids, a bit each. The kernel reads only their low 16
 * bits and takes 0xffff for -1 ("unchanged"), so the events say that too. */
static unsigned i386_uid16_args(uint64_t nr)
{
	switch (nr) {
	case 23:  /* setuid */
	case 46:  /* setgid */
	case 138: /* setfsuid */
	case 139: /* setfsgid */
		return 1u << 0;
	case 70: /* setreuid */
	case 71: /* setregid */
		return 3u << 0;
	case 164: /* setresuid */
	case 170: /* setresgid */
		return 7u << 0;
	case 16:  /* lchown */
	case 95:  /* fchown */
	case 182: /* chown */
		return 3u << 1;
	}
	return 0;
}

/* A call entering: its enter event. ours: our filter stopped it (plain
 * mode: always), else a TRACE result of the program's own filter. */
static void enter_call(struct pd_tracer *tr, struct pd_tracee *t, uint32_t arch, uint64_t nr,
		       uint64_t *args, int ours, int plain)
{
	const struct pd_syscall *sc = lookup(tr, arch, nr);
	uint64_t sockargs[6];
	/* 32-bit arguments: the upper halves are stale bits of the 64-bit
	 * registers (a restarted call would not compare equal) */
	if (arch == AUDIT_ARCH_I386) {
		unsigned ids16 = i386_uid16_args(nr);
		for (int i = 0; i < 6; i++) {
			args[i] &= 0xffffffffu;
			if (ids16 & (1u << i))
				args[i] = (args[i] & 0xffff) == 0xffff ? 0xffffffffu : args[i] & 0xffff;
		}
	}
	if (!sc && arch == AUDIT_ARCH_I386 && nr == I386_SOCKETCALL) {
		uint64_t a[2] = {args[0], args[1]};
		sc = socketcall(tr, t, a, sockargs);
		if (sc) {
			memcpy(args, sockargs, sizeof sockargs);
			nr = I386_SOCKETCALL;
		}
	}
	/* plain mode sees every call: only those the filter would stop count */
	if (plain && (!sc || !in_set(tr, sc, args)))
		return;

	if (t->flags & PD_T_RESTART) {
		t->flags &= ~PD_T_RESTART;
		/* The kernel restarts an interrupted call from the same place:
		 * it is the same call, not a second one. */
		if (ours && t->sc &&
		    ((sc && sc->nr == NR_RESTART_SYSCALL) ||
		     (sc == t->sc && memcmp(t->args, args, sizeof t->args) == 0))) {
			t->flags |= PD_T_IN_SYSCALL;
			return;
		}
		/* Not restarted: a handler ran and the tracee saw EINTR (known
		 * at the handler's entry for x86_64 calls: see signal.c). */
		if (t->sc)
			write_exit(tr, t, -EINTR);
		t->sc = NULL;
	}
	t->flags &= ~PD_T_SKIPPED;
	if (!ours)
		tr->st.foreign_trace++;
	if (!sc) {
		/* A traced number with no row (another 32-bit multiplexer, ...) */
		if (!ours)
			skip_call(t);
		return;
	}
	t->sc = sc;
	t->nr = nr;
	t->arch = arch_of(arch, nr);
	if (changes_creds(sc))
		pd_proc_task_creds_changed(&t->proc);
	memcpy(t->args, args, sizeof t->args);
	if (ours)
		untraced_guard(t);
	else
		skip_call(t); /* the program's own filter asked for a tracer it lacks */
	pd_emit(tr, t, sc, sc->ev_enter, sc->enter, t->args, 0);
	if ((sc->flags & PD_SC_EXIT) || (t->flags & PD_T_SKIPPED))
		t->flags |= PD_T_IN_SYSCALL;
	else
		t->sc = NULL;
}

void pd_syscall_enter(struct pd_tracer *tr, struct pd_tracee *t)
{
	struct __ptrace_syscall_info si;
	t->flags &= ~PD_T_SIGSTEP; /* no handler ran: the call was restarted */
	memset(&si, 0, sizeof si);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof si, &si) <= 0 ||
	    si.op != PTRACE_SYSCALL_INFO_SECCOMP)
		return;
	enter_call(tr, t, si.arch, si.seccomp.nr, si.seccomp.args,
		   si.seccomp.ret_data == PD_SECCOMP_TAG, 0);
}

static void exit_call(struct pd_tracer *tr, struct pd_tracee *t,
		      const struct __ptrace_syscall_info *si);

void pd_syscall_plain(struct pd_tracer *tr, struct pd_tracee *t)
{
	struct __ptrace_syscall_info si;
	memset(&si, 0, sizeof si);
	if (ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof si, &si) <= 0)
		return;
	if (si.op == PTRACE_SYSCALL_INFO_ENTRY) {
		t->flags &= ~PD_T_SIGSTEP;
		enter_call(tr, t, si.arch, si.entry.nr, si.entry.args, 1, 1);
	} else if (si.op == PTRACE_SYSCALL_INFO_EXIT && (t->flags & PD_T_IN_SYSCALL)) {
		exit_call(tr, t, &si); /* (the info read once) */
	}
}

/* The exit stop of t's call, its syscall info in si (NULL: not read). */
static void exit_call(struct pd_tracer *tr, struct pd_tracee *t,
		      const struct __ptrace_syscall_info *si)
{
	t->flags &= ~PD_T_IN_SYSCALL;
	if (!t->sc)
		return;
	if (!si || si->op != PTRACE_SYSCALL_INFO_EXIT) {
		t->sc = NULL;
		return;
	}
	int64_t ret = si->exit.rval;
	if (t->flags & PD_T_SKIPPED)
		ret = -ENOSYS;
	if (ret <= -ERESTARTSYS && ret >= -ERESTART_RESTARTBLOCK) {
		t->flags |= PD_T_RESTART; /* the exit event waits for the outcome */
		return;
	}
	write_exit(tr, t, ret);
	t->sc = NULL;
}

void pd_syscall_exit(struct pd_tracer *tr, struct pd_tracee *t)
{
	struct __ptrace_syscall_info si;
	memset(&si, 0, sizeof si);
	int ok = t->sc && ptrace(PTRACE_GET_SYSCALL_INFO, t->tid, sizeof si, &si) > 0;
	exit_call(tr, t, ok ? &si : NULL);
}

void pd_syscall_done(struct pd_tracer *tr, struct pd_tracee *t, int64_t ret)
{
	if (!t->sc || !(t->flags & PD_T_IN_SYSCALL))
		return;
	t->flags &= ~(PD_T_IN_SYSCALL | PD_T_RESTART);
	write_exit(tr, t, ret);
	t->sc = NULL;
}
