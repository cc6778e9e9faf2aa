/* Processes: clone family, execve family, exits, ptrace, namespaces. */
#define _GNU_SOURCE
#include <sched.h>
#include <string.h>
#include <sys/wait.h>

#include "pdig.h"
#include "procfs.h"

#define A(i) (c->args[i])

/*
 * exe, args, tid, pid, ptid, cwd, fdlimit, pgft_maj, pgft_min, vm_size,
 * vm_rss, vm_swap, comm, cgroups: the block the execve and clone exits share.
 */
/* CLONE_INTO_CGROUP (clone3): the new task's cgroups are not its creator's */
#define PD_CLONE_INTO_CGROUP 0x200000000ull

/* A new child's creating process, whose facts it inherits (0: none, or
 * not all of them: clone3 into another cgroup) */
static pid_t creator_process(const struct pd_call *c)
{
	if (c->sc || !c->t->creator || (c->t->child_clone_flags & PD_CLONE_INTO_CGROUP))
		return 0;
	const struct pd_tracee *cr = pd_tracee_find(c->tr, c->t->creator);
	return cr ? cr->pid : 0;
}

/* A new child is in its creator's pid namespace, unless it was made with
 * CLONE_NEWPID or after its creator moved its children's namespace. */
static int child_in_pdig_pidns(struct pd_tracer *tr, const struct pd_tracee *child,
			       struct pd_tracee *cr)
{
	return cr && !(cr->flags & PD_T_NS_MOVED) && !(child->child_clone_flags & CLONE_NEWPID) &&
	       pd_same_pidns(tr, cr);
}

/* A new child whose clone exit is not written right after its creator's
 * (a creator in another pid namespace than pdig's, or one whose call is
 * being restarted: its exit event waits for its exit stop) starts
 * with the credentials its creator's kept state knows (a change of them
 * would have been forgotten) and, a process, in its pid namespace. */
static void inherit_task_state(struct pd_tracer *tr, struct pd_tracee *t)
{
	struct pd_tracee *cr = pd_tracee_find(tr, t->creator);
	if (!cr)
		return;
	if (cr->proc.creds_known && !t->proc.creds_known) {
		t->proc.uid = cr->proc.uid;
		t->proc.gid = cr->proc.gid;
		t->proc.creds_known = 1;
	}
	if (!t->pidns && !(t->child_clone_flags & CLONE_THREAD) && child_in_pdig_pidns(tr, t, cr))
		t->pidns = 1;
}

static const struct pd_procinfo *proc_block(struct pd_call *c, int want_env)
{
	struct pd_tracer *tr = c->tr;
	struct pd_procinfo *pi = tr->pi;
	/* A new task's clone exit written at its creator's event stop, just
	 * after the creator's own (which read the creator's /proc): what it
	 * inherits needs no second read (two files instead of ten). */
	int inherit = !c->sc && c->t->creator && pi->read_tid == c->t->creator &&
		      pi->stamp == tr->st.stops &&
		      !(c->t->child_clone_flags & PD_CLONE_INTO_CGROUP);
	int rc = -1;
	int thread = c->t->child_clone_flags & CLONE_THREAD;
	struct pd_proc_task *pt = &c->t->proc;
	if (tr->proc_ok && inherit && thread && c->t->pidns == 1)
		rc = pd_procinfo_thread(pi, c->t->tid, pt);
	else if (tr->proc_ok && inherit) {
		struct pd_tracee *cr = pd_tracee_find(tr, c->t->creator);
		/* a fork child in pdig's pid namespace: its stat is enough */
		if (!thread && child_in_pdig_pidns(tr, c->t, cr)) {
			rc = pd_procinfo_read_fork(pi, c->t->tid, pt);
			c->t->pidns = 1;
		} else {
			rc = pd_procinfo_read_clone(pi, c->t->tid, pt);
		}
		if (rc == 0 && !thread) /* a fork child: what it inherits, for its execve */
			pd_proc_cache_put(tr->pcache, pi);
	} else if (tr->proc_ok) {
		if (!c->sc && c->t->creator)
			inherit_task_state(tr, c->t);
		/* its ids are its own in pdig's pid namespace (asked once per thread) */
		pt->own_ids = c->t->pid > 0 && pd_same_pidns(tr, c->t);
		pt->tgid = c->t->pid;
		if (!want_env)
			rc = pd_procinfo_read_cached(pi, tr->pcache, c->t->tid, creator_process(c), pt);
		else
			rc = pd_procinfo_read_exec(pi, tr->pcache, c->t->tid, pt);
	}
	if (rc < 0)
		pd_procinfo_read(pi, -1, 0); /* empty: a foreign /proc or a vanished task */
	pi->stamp = tr->st.stops;
	pi->tid = c->t->tid;
	if (!pi->tgid || pi->tgid == -1)
		pi->tgid = c->t->pid ? c->t->pid : c->t->tid;
	uint32_t exelen = (uint32_t)strnlen(pi->cmdline, pi->cmdline_len);
	if (pi->cmdline_len) {
		shm_enc_strn(c->e, pi->cmdline, exelen);
		uint32_t rest = exelen + 1 < pi->cmdline_len ? pi->cmdline_len - exelen - 1 : 0;
		shm_enc_param(c->e, pi->cmdline + exelen + 1, rest);
	} else {
		shm_enc_str(c->e, pi->comm);
		shm_enc_empty(c->e);
	}
	shm_enc_s64(c->e, pi->tid);
	shm_enc_s64(c->e, pi->tgid);
	shm_enc_s64(c->e, pi->ppid);
	shm_enc_str(c->e, pi->cwd);
	shm_enc_s64(c->e, pi->fdlimit);
	shm_enc_u64(c->e, pi->majflt);
	shm_enc_u64(c->e, pi->minflt);
	shm_enc_u32(c->e, pi->vmsize_kb);
	shm_enc_u32(c->e, pi->vmrss_kb);
	shm_enc_u32(c->e, pi->vmswap_kb);
	shm_enc_str(c->e, pi->comm);
	shm_enc_param(c->e, pi->cgroups, pi->cgroups_len);
	return pi;
}

/* The flags a clone-family call was made with, in native bits. */
static uint64_t native_clone_flags(const struct pd_syscall *sc, const uint64_t *args,
				   uint64_t clone3_flags)
{
	switch (sc->nr) {
	case 57: /* fork */
		return 0;
	case 58: /* vfork */
		return CLONE_VM | CLONE_VFORK;
	case 435: /* clone3: read at the seccomp stop */
		return clone3_flags;
	default:
		return args[0];
	}
}

uint64_t pd_clone_call_flags(const struct pd_tracee *t)
{
	return native_clone_flags(t->sc, t->args, t->clone_flags);
}

/* clone, fork, vfork, clone3 exits: the parent's (res = child tid) and,
 * written by pd_emit_child_clone, the child's (res = 0). */
void pd_dec_clone_x(struct pd_call *c)
{
	pd_enc_res(c);
	const struct pd_procinfo *pi = proc_block(c, 0);
	uint64_t flags = c->sc ? pd_clone_call_flags(c->t) : c->t->child_clone_flags;
	shm_enc_u32(c->e, pd_clone_flags(flags));
	shm_enc_u32(c->e, pi->uid);
	shm_enc_u32(c->e, pi->gid);
	shm_enc_s64(c->e, pi->vtid);
	shm_enc_s64(c->e, pi->vpid);
}

void pd_emit_child_clone(struct pd_tracer *tr, struct pd_tracee *child)
{
	static const uint64_t noargs[6];
	pd_emit(tr, child, NULL, child->child_ev, pd_dec_clone_x, noargs, 0);
}

void pd_dec_execve_e(struct pd_call *c) { pd_enc_path(c, A(0)); }

static void execve_exit(struct pd_call *c)
{
	pd_enc_res(c);
	const struct pd_procinfo *pi = proc_block(c, 1);
	shm_enc_param(c->e, pi->environ, pi->environ_len);
	shm_enc_u32(c->e, (uint32_t)pi->tty);
	shm_enc_s64(c->e, pi->pgid);
	shm_enc_u32(c->e, (uint32_t)pi->loginuid);
	/* the kernel names a memfd's file "/memfd:NAME (deleted)": fileless
	 * execution, certain whatever path ran it (later drivers' flag; sysdig
	 * 0.29.3 knows only EXE_WRITABLE and ignores it) */
	uint32_t fl = pi->exe_writable ? SHM_PPM_EXE_WRITABLE : 0;
	if (!strncmp(pi->exepath, "/memfd:", 7))
		fl |= SHM_PPM_EXE_FROM_MEMFD;
	shm_enc_u32(c->e, fl);
}

void pd_dec_execve_x(struct pd_call *c) { execve_exit(c); }

/* execveat(dirfd, path, argv, envp, flags) */
void pd_dec_execveat_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	shm_enc_u32(c->e, pd_execveat_flags(A(4)));
}

void pd_dec_execveat_x(struct pd_call *c) { execve_exit(c); }

/* PROCEXIT_1: the real wait status, where upstream wrote 0. */
static void procexit_params(struct pd_call *c)
{
	int st = (int)c->ret;
	shm_enc_s64(c->e, st);
	shm_enc_s64(c->e, WIFEXITED(st) ? WEXITSTATUS(st) : 0);
	shm_enc_u8(c->e, WIFSIGNALED(st) ? (uint8_t)WTERMSIG(st) : 0);
	shm_enc_u8(c->e, WIFSIGNALED(st) && WCOREDUMP(st) ? 1 : 0);
}

void pd_emit_procexit(struct pd_tracer *tr, struct pd_tracee *t, int status)
{
	static const uint64_t noargs[6];
	if (t->flags & PD_T_EXITED)
		return;
	t->flags |= PD_T_EXITED;
	pd_emit(tr, t, NULL, SHM_EV_PROCEXIT_1_E, procexit_params, noargs, status);
}

/* ptrace(request, pid, addr, data) */
void pd_dec_ptrace_e(struct pd_call *c)
{
	shm_enc_u16(c->e, pd_ptrace_request(A(0)));
	shm_enc_s64(c->e, (int64_t)(int32_t)A(1));
}

/* addr and data as the first variant of ptrace_dynamic_param (u64, hex) */
static void dyn_u64(struct pd_call *c, uint64_t v)
{
	uint8_t *p = shm_enc_reserve(c->e, 9);
	if (p) {
		p[0] = 0;
		memcpy(p + 1, &v, 8);
	}
}

void pd_dec_ptrace_x(struct pd_call *c)
{
	pd_enc_res(c);
	dyn_u64(c, A(2));
	dyn_u64(c, A(3));
}

/* setns(fd, nstype), unshare(flags): namespace flags are clone flags */
void pd_dec_setns_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, pd_clone_flags(A(1)));
}

void pd_dec_setns_x(struct pd_call *c) { pd_enc_res(c); }
void pd_dec_unshare_e(struct pd_call *c) { shm_enc_u32(c->e, pd_clone_flags(A(0))); }
void pd_dec_unshare_x(struct pd_call *c) { pd_enc_res(c); }

/* bpf(cmd, attr, size): the result is an fd for the commands that make one */
void pd_dec_bpf_e(struct pd_call *c) { shm_enc_s64(c->e, (int64_t)A(0)); }

void pd_dec_bpf_x(struct pd_call *c)
{
	/* bpf_dynamic_param: variant 0 is an fd, variant 1 an errno */
	int makes_fd = A(0) == 0 /* BPF_MAP_CREATE */ || A(0) == 5 /* BPF_PROG_LOAD */;
	uint8_t *p = shm_enc_reserve(c->e, 9);
	if (p) {
		p[0] = makes_fd && c->ret >= 0 ? 0 : 1;
		memcpy(p + 1, &c->ret, 8);
	}
}

/* setsid(), setpgid(pid, pgid): the new session / group id */
void pd_dec_setsid_x(struct pd_call *c) { pd_enc_res(c); }

void pd_dec_setpgid_e(struct pd_call *c)
{
	shm_enc_s64(c->e, (int64_t)(int32_t)A(0));
	shm_enc_s64(c->e, (int64_t)(int32_t)A(1));
}

void pd_dec_setpgid_x(struct pd_call *c) { pd_enc_res(c); }
