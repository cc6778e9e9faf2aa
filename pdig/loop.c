/*
 * The tracer loop: one waitpid(-1, __WALL) for every stop of every tracee.
 *
 * Stops and what is done at each:
 *   seccomp stop            enter event; resumed with PTRACE_SYSCALL when the
 *                           exit event needs the syscall-exit stop
 *   syscall-exit stop       exit event
 *   fork/vfork/clone event  the child is announced (or released, if its first
 *                           stop came first) and its clone exit event written
 *   exec event              a non-leader's exec takes over the leader's tid
 *                           (the old leader's procexit is written here)
 *   death report            procexit with the real wait status (on_wait)
 *   exit event              pdig -p only (launch mode does not ask for it):
 *                           procexit, and the flush when PID 1 ends
 *   group-stop              PTRACE_LISTEN: stays stopped until SIGCONT (the
 *                           front process, the command's real parent, sees
 *                           the stop and stops too: main.c)
 *   signal-delivery stop    the signal is delivered as it would be natively
 *
 * Signals the front received arrive as messages (pd_fwd_msg, with a SIGUSR1
 * kick); forwarded to the command unless it got the same one (see below).
 * One waitpid report is handled by on_wait, which pd_loop and handle_fwd
 * (draining the stops due before it decides) both call.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <stdatomic.h>
#include <unistd.h>

#include "pdig.h"
#include "keepwarm.h"
#include "procfs.h"


static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* The event written for a child of a clone-family call. */
static uint16_t child_event(const struct pd_syscall *sc)
{
	return sc ? sc->ev_exit : SHM_EV_SYSCALL_CLONE_20_X;
}

/* A child whose parent's event is known: its clone exit (res 0). */
static void announce_child(struct pd_tracer *tr, struct pd_tracee *c)
{
	if (c->flags & PD_T_HELD)
		tr->nheld--;
	c->flags &= ~(PD_T_HELD | PD_T_EXPECTED);
	c->flags |= PD_T_STARTED;
	if (!(c->flags & PD_T_CLONE_WRITTEN))
		pd_emit_child_clone(tr, c);
	c->flags |= PD_T_CLONE_WRITTEN;
}

/* First stop of a child whose parent's event is known: announce it and
 * let it run. */
static void release_child(struct pd_tracer *tr, struct pd_tracee *c)
{
	announce_child(tr, c);
	pd_resume(c, c->pending_sig);
	c->pending_sig = 0;
}

/* A held child whose parent's clone event will not come (the parent was
 * killed inside clone, e.g. by another thread's execve): what /proc says
 * stands in for what the parent would have told. */
static void guess_child(struct pd_tracer *tr, struct pd_tracee *t)
{
	struct pd_procinfo *pi = tr->pi;
	int thread = 0;
	t->pid = t->tid;
	if (tr->proc_ok && pd_procinfo_read(pi, t->tid, 0) == 0) {
		thread = pi->tgid != t->tid;
		t->pid = (pid_t)pi->tgid;
	}
	t->child_ev = SHM_EV_SYSCALL_CLONE_20_X;
	t->child_clone_flags =
		thread ? CLONE_THREAD | CLONE_VM | CLONE_SIGHAND | CLONE_FILES | CLONE_FS : 0;
}

int pd_same_pidns(struct pd_tracer *tr, struct pd_tracee *t)
{
	if (!t->pidns) {
		char path[64];
		struct stat st;
		snprintf(path, sizeof path, "/proc/%d/ns/pid", (int)t->tid);
		if (!tr->pidns_ino) {
			tr->pidns_ino = stat("/proc/self/ns/pid", &st) == 0 ? (uint64_t)st.st_ino : 1;
			tr->pidns_dev = (uint64_t)st.st_dev;
		}
		t->pidns = tr->proc_ok && stat(path, &st) == 0 && (uint64_t)st.st_ino == tr->pidns_ino &&
				   (uint64_t)st.st_dev == tr->pidns_dev ? 1 : -1;
	}
	return t->pidns == 1;
}

static void on_new_child(struct pd_tracer *tr, struct pd_tracee *parent)
{
	unsigned long msg = 0;
	if (ptrace(PTRACE_GETEVENTMSG, parent->tid, 0, &msg) < 0)
		return;
	pid_t tid = (pid_t)msg;
	struct pd_tracee *c = pd_tracee_find(tr, tid);
	if (c && (c->flags & PD_T_STARTED))
		return; /* already announced: it stopped again before this event */
	if (!c && kill(tid, 0) < 0 && errno == ESRCH)
		return; /* announced, gone and reaped already */
	if (!c && !(c = pd_tracee_add(tr, tid)))
		return; /* out of memory: its first stop tries again (loop) */
	uint64_t flags = parent->sc ? pd_clone_call_flags(parent) : 0;
	/* without our filter like its parent; so too the child of a process
	 * pdig -p has not set up yet (its filter would come too late) */
	if (parent->flags & (PD_T_PLAIN | PD_T_ATTACHED))
		c->flags |= PD_T_PLAIN;
	c->child_ev = child_event(parent->sc);
	c->child_clone_flags = flags;
	c->pid = (flags & CLONE_THREAD) ? parent->pid : tid;
	c->creator = parent->tid;
	if (flags & CLONE_THREAD)
		c->pidns = parent->pidns; /* a thread shares its pid namespace */
	/* The parent's exit event now, with the child's tid as its result,
	 * and no exit stop (one stop fewer per fork). A vfork too: its result
	 * is settled here (the wait for the child's exec or exit that follows
	 * ends only by that or by a fatal signal), so its event comes before
	 * the child's, as a fork's, not after the child's exec as the driver
	 * writes it. Not in another pid namespace than pdig's, where the
	 * parent sees the child under another number. */
	if (parent->sc && (parent->flags & PD_T_IN_SYSCALL) &&
	    !(parent->flags & PD_T_RESTART) && pd_same_pidns(tr, parent))
		pd_syscall_done(tr, parent, tid);
	/* The child's clone exit now too, whether or not its first stop has
	 * come (it makes no call before that stop is let go, so this still
	 * comes before its events), from what the parent's just said. */
	if (!(c->flags & PD_T_CLONE_WRITTEN)) {
		pd_emit_child_clone(tr, c);
		c->flags |= PD_T_CLONE_WRITTEN;
	}
	if (c->flags & PD_T_HELD)
		release_child(tr, c);
	else
		c->flags |= PD_T_EXPECTED;
}

/*
 * execve from a non-leader thread: the thread takes over the leader's tid;
 * the old tid vanishes without an exit report. t is the old leader's
 * entry (the stop is reported under the leader's tid).
 *
 * The old leader dies without a death report either (de_thread releases it
 * silently), so its procexit is written here, before the execve's exit
 * event, where its exit stop put it: status 0, what that stop said (a
 * thread killed by an exec exits with 0, and so does a pthread_exit, when
 * the leader ended first; only a leader that ended first by a bare exit(N)
 * syscall said N there). The other threads killed by the exec are reported
 * dead (status 0) and reaped by pdig before this stop can come (de_thread
 * waits until they are released, and a traced thread is released when its
 * tracer reaps it), so their procexits come before it, as with their exit
 * stops. pdig -p still has the exit stops: that procexit is written then.
 */
static struct pd_tracee *on_exec(struct pd_tracer *tr, struct pd_tracee *t)
{
	unsigned long former = 0;
	if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &former) < 0 || (pid_t)former == t->tid)
		return t;
	struct pd_tracee *old = pd_tracee_find(tr, (pid_t)former);
	if (!old)
		return t;
	pd_emit_procexit(tr, t, 0); /* nothing if written at its exit stop */
	/* the credentials are the exec'ing thread's (they are per thread); the
	 * leader's /proc files now show that thread (it took the leader's pid) */
	t->proc.uid = old->proc.uid;
	t->proc.gid = old->proc.gid;
	t->proc.creds_known = old->proc.creds_known;
	t->sc = old->sc;
	t->nr = old->nr;
	t->arch = old->arch;
	memcpy(t->args, old->args, sizeof t->args);
	t->flags = (t->flags & PD_T_ROOT) | PD_T_STARTED | (old->flags & PD_T_IN_SYSCALL);
	pd_tracee_del(tr, old);
	return t;
}

/*
 * A signal sent to the whole job (kill -PGID: a shell's `kill %1`, its
 * SIGHUP to its jobs, fg/bg's SIGCONT) reaches the command and the front
 * alike; forwarded as well, it would reach the command twice. kill() of a
 * group queues the signal to every member before it returns, and siginfo
 * does not tell it from a kill() of one pid; so a copy the front received is
 * forwarded only if the command has no copy from the same sender: none
 * pending, and no delivery stop of it seen while the front held its own.
 */
static volatile sig_atomic_t kicked;

void pd_loop_kick(int sig)
{
	(void)sig;
	kicked = 1;
}

static int has_sig(unsigned long long mask, int sig) { return (mask >> (sig - 1)) & 1; }

static unsigned long long status_mask(const char *buf, const char *key)
{
	const char *p = strstr(buf, key);
	return p ? strtoull(p + strlen(key), NULL, 16) : 0;
}

/* Is sig pending for the process pid (shared or its main thread's)? */
static int sig_pending(pid_t pid, int sig)
{
	char buf[2048];
	ssize_t n = pd_proc_file(pid, "status", buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	return has_sig(status_mask(buf, "\nShdPnd:") | status_mask(buf, "\nSigPnd:"), sig);
}

/* Waits until a kill() of a process group in progress has queued its
 * signal to every member. It does that under tasklist_lock, held for
 * reading, and setpgid() takes that lock for writing (a no-op here: the
 * tracer leads its own group); the short sleep is for kernels where the
 * walk no longer holds it, and is only paid when no copy was found. */
static void group_kill_barrier(void) { setpgid(0, 0); }

static void settle(void)
{
	struct timespec ts = {0, 2 * 1000 * 1000};
	nanosleep(&ts, NULL);
	group_kill_barrier();
}

static int front_has(struct pd_tracer *tr, int sig)
{
	return atomic_load(&tr->shared->busy[sig]) || sig_pending(tr->front, sig);
}

/* A signal-delivery stop of the command: remember the signals the front has
 * a copy of (pending, or being passed on), for handle_fwd. */
static void note_root_signal(struct pd_tracer *tr, struct pd_tracee *t, int sig)
{
	siginfo_t si;
	if (sig < 1 || sig >= PD_NSIG || !has_sig(tr->shared->fwd_mask, sig) ||
	    ptrace(PTRACE_GETSIGINFO, t->tid, 0, &si) < 0 || si.si_code != SI_USER ||
	    si.si_pid == getpid())
		return;
	group_kill_barrier();
	if (!front_has(tr, sig)) {
		settle();
		if (!front_has(tr, sig))
			return; /* sent to the command alone */
	}
	if (tr->nseen == PD_SEEN_MAX) { /* the oldest goes: the front is far behind */
		memmove(tr->seen, tr->seen + 1, (PD_SEEN_MAX - 1) * sizeof tr->seen[0]);
		tr->nseen--;
	}
	tr->seen[tr->nseen].sig = sig;
	tr->seen[tr->nseen].from = si.si_pid;
	tr->nseen++;
}

/* The command was continued: a front still stopped (the SIGCONT went to
 * the command alone) would show the shell a stopped job that runs. Its copy
 * of this SIGCONT comes back to us from our pid, and is not passed on. */
static void continue_front(struct pd_tracer *tr)
{
	char buf[512];
	ssize_t n = pd_proc_file(tr->front, "stat", buf, sizeof buf - 1);
	if (n <= 0)
		return;
	buf[n] = 0;
	const char *p = strrchr(buf, ')'); /* the name may hold anything */
	if (p && p[1] == ' ' && p[2] == 'T')
		kill(tr->front, SIGCONT);
}

static int seen_take(struct pd_tracer *tr, int sig, pid_t from)
{
	for (unsigned i = 0; i < tr->nseen; i++) {
		if (tr->seen[i].sig == sig && tr->seen[i].from == from) {
			memmove(tr->seen + i, tr->seen + i + 1,
				(tr->nseen - i - 1) * sizeof tr->seen[0]);
			tr->nseen--;
			return 1;
		}
	}
	return 0;
}

static void on_wait(struct pd_tracer *tr, pid_t pid, int status);

static void handle_fwd(struct pd_tracer *tr, const struct pd_fwd_msg *m)
{
	int sig = m->sig;
	if (sig < 1 || sig >= PD_NSIG) {
		atomic_fetch_add(&tr->shared->handled, 1);
		return;
	}
	int fwd = !tr->root_done && m->from != getpid();
	if (fwd && m->code == SI_USER) {
		/* The command's copy, if any, is queued once the barrier is
		 * passed: still pending, or taken, and then its delivery stop
		 * is waiting for us (the stop is reported as the signal is
		 * dequeued, under the same lock /proc's status takes). */
		group_kill_barrier();
		for (int round = 0; round < 2 && fwd; round++) {
			if (round)
				settle();
			int pending = sig_pending(tr->root, sig);
			int status;
			pid_t pid;
			while ((pid = waitpid(-1, &status, __WALL | WNOHANG)) > 0)
				on_wait(tr, pid, status);
			if (seen_take(tr, sig, m->from) || pending)
				fwd = 0;
		}
	}
	if (fwd && !tr->root_done)
		kill(tr->root, sig);
	atomic_fetch_sub(&tr->shared->busy[sig], 1);
	atomic_fetch_add(&tr->shared->handled, 1);
}

static void drain_front(struct pd_tracer *tr)
{
	struct pd_fwd_msg m;
	while (read(tr->fwd_fd, &m, sizeof m) == (ssize_t)sizeof m)
		handle_fwd(tr, &m);
}

static void on_stopped(struct pd_tracer *tr, struct pd_tracee *t, int status)
{
	int sig = WSTOPSIG(status);
	unsigned ev = (unsigned)status >> 16;

	if (t->flags & PD_T_ATTACHED) {
		/* pdig -p: its first stop since the seize */
		int end;
		pid_t tid = t->tid;
		if (pd_attach_first_stop(tr, t, status, &end) && end != -1)
			on_wait(tr, tid, end);
		return;
	}
	if (!(t->flags & (PD_T_STARTED | PD_T_ROOT)) &&
	    (ev != PTRACE_EVENT_STOP || (t->flags & PD_T_HELD))) {
		/* Not the attach stop a new child starts with, or a held child
		 * stopping again: killed before it ran (this is its exit stop),
		 * e.g. by another thread's execve, and its parent, killed too,
		 * may never report the clone. Announce it now and go on with
		 * this stop: left stopped, it would block that execve forever
		 * (an exec waits for every other thread to die). */
		if (!(t->flags & PD_T_EXPECTED))
			guess_child(tr, t);
		announce_child(tr, t);
	}
	if (!(t->flags & PD_T_STARTED)) {
		/* First stop of a tracee: the seize stop of the command, or an
		 * auto-attached child (PTRACE_EVENT_STOP). A signal-delivery stop
		 * in its place is kept for when it runs. */
		if (ev != PTRACE_EVENT_STOP)
			t->pending_sig = ev ? 0 : sig;
		if (t->flags & PD_T_ROOT) {
			t->flags |= PD_T_STARTED;
			pd_resume(t, t->pending_sig);
			t->pending_sig = 0;
		} else if (t->flags & PD_T_EXPECTED) {
			release_child(tr, t);
		} else {
			t->flags |= PD_T_HELD; /* until its parent's clone event */
			tr->nheld++;
		}
		return;
	}
	if (sig == (SIGTRAP | 0x80)) {
		if (t->flags & PD_T_PLAIN)
			pd_syscall_plain(tr, t);
		else
			pd_syscall_exit(tr, t);
		pd_resume(t, 0);
		return;
	}
	switch (ev) {
	case PTRACE_EVENT_SECCOMP:
		/* (a plain-mode thread given the filter late sees both stops:
		 * its syscall-entry stop tells) */
		if (!(t->flags & PD_T_PLAIN))
			pd_syscall_enter(tr, t);
		pd_resume(t, 0);
		return;
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE:
		pd_warm_task_seen(tr->warm);
		on_new_child(tr, t);
		pd_resume(t, 0);
		return;
	case PTRACE_EVENT_EXEC:
		pd_warm_task_seen(tr->warm);
		/* the exec has succeeded: its exit event is written here, with
		 * the new image in /proc, and the exit stop is not taken (one
		 * stop fewer per exec; a failed exec still has its exit stop) */
		t = on_exec(tr, t);
		pd_syscall_done(tr, t, 0);
		pd_resume(t, 0);
		return;
	case PTRACE_EVENT_EXIT: {
		/* pdig -p only (attach.c): launch mode writes procexit from the
		 * death report (on_wait); here the report finds it written */
		unsigned long st = 0;
		if (ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &st) == 0)
			pd_emit_procexit(tr, t, (int)st);
		/* pdig -p in the namespace of a PID 1 that ends: the kernel
		 * kills pdig with the rest as it goes */
		if (tr->attach && t->tid == tr->root)
			pd_out_flush(tr->out);
		pd_resume(t, 0);
		return;
	}
	case PTRACE_EVENT_STOP:
		if (!is_stop_signal(sig)) {
			pd_resume(t, 0);
			return;
		}
		ptrace(PTRACE_LISTEN, t->tid, 0, 0); /* group-stop */
		return;
	case 0:
		/* signal-delivery stop: deliver it, unless the thread ignores it */
		if (tr->shared && t->pid == tr->root) {
			note_root_signal(tr, t, sig);
			if (sig == SIGCONT)
				continue_front(tr);
		}
		pd_signal_deliver(tr, t, sig);
		return;
	default:
		pd_resume(t, 0);
	}
}

static int process_traced(struct pd_tracer *tr, pid_t pid)
{
	for (size_t i = 0; i < tr->nbuckets; i++)
		for (struct pd_tracee *t = tr->buckets[i]; t; t = t->hnext)
			if (t->pid == pid && !(t->flags & (PD_T_EXITED | PD_T_HELD)))
				return 1;
	return 0;
}

/*
 * A held child waits for its parent's clone event, which a parent killed
 * inside clone never reports. When tracees die, children whose creating
 * process has no live tracee left are released with what /proc says.
 */
static void release_orphans(struct pd_tracer *tr)
{
	for (size_t i = 0; i < tr->nbuckets && tr->nheld; i++) {
		struct pd_tracee *t = tr->buckets[i];
		while (t) {
			struct pd_tracee *next = t->hnext;
			struct pd_procinfo *pi = tr->pi;
			if ((t->flags & PD_T_HELD) && tr->proc_ok &&
			    pd_procinfo_read(pi, t->tid, 0) == 0) {
				int thread = pi->tgid != t->tid;
				pid_t creator = (pid_t)(thread ? pi->tgid : pi->ppid);
				if (!process_traced(tr, creator)) {
					guess_child(tr, t);
					release_child(tr, t);
				}
			}
			t = next;
		}
	}
}

/*
 * The command has ended. A container ends with its entrypoint (the kernel
 * kills the rest of the pid namespace when PID 1 exits; Docker and ECS stop
 * the task), so pdig, standing in for that entrypoint, ends too, and what
 * the command left running is killed as the runtime would kill it: SIGKILL,
 * their procexit still recorded. Detaching instead would leave them with
 * pdig's RET_TRACE filter and no tracer: ENOSYS from every traced call.
 * Only once the command's whole thread group is gone (a leader can exit
 * before its threads).
 */
static void kill_rest(struct pd_tracer *tr)
{
	/* pdig -p: what it attached to was running before pdig, and goes on */
	if (tr->attach || tr->rest_killed || process_traced(tr, tr->root))
		return;
	tr->rest_killed = 1;
	for (size_t i = 0; i < tr->nbuckets; i++)
		for (struct pd_tracee *t = tr->buckets[i]; t; t = t->hnext)
			kill(t->tid, SIGKILL); /* tkill is not needed: SIGKILL takes the group */
}

/* One report of waitpid: an end or a stop. */
static void on_wait(struct pd_tracer *tr, pid_t pid, int status)
{
	tr->st.stops++;
	struct pd_tracee *t = pd_tracee_find(tr, pid);
	if (tr->debug && !WIFSTOPPED(status))
		fprintf(stderr, "pdig: end tid=%d status=%#x known=%d\n", (int)pid, status,
			t != NULL);
	if (WIFEXITED(status) || WIFSIGNALED(status)) {
		if (pid == tr->root) {
			tr->root_status = status;
			tr->root_done = 1;
		}
		if (t) {
			if (t->flags & PD_T_HELD)
				tr->nheld--;
			/*
			 * The thread's procexit, with the wait status: launch mode
			 * has no exit stop (pdig -p wrote it there, and SIGKILL
			 * may skip that stop). Still before whatever a waiting
			 * parent does next: a traced child's zombie is visible to
			 * its tracer only, and its real parent is notified (SIGCHLD,
			 * wait4/waitid) when the tracer has reaped it
			 * (wait_consider_task, then wait_task_zombie: EXIT_TRACE,
			 * ptrace_unlink, do_notify_parent), that is by the
			 * waitpid that brought this report; that parent's next stop
			 * is handled after this. A process that learns of the end
			 * otherwise (the child's pipe at EOF, a pidfd polled, /proc)
			 * may have its next event written first; before, procexit
			 * came before the thread closed its files.
			 *
			 * A leader that ends before its threads (pthread_exit in
			 * main) is reported only when the whole group is gone, so
			 * its procexit comes last, with the process's status (what
			 * its parent's wait gets), where the exit stop gave the
			 * leader thread's own (0 for pthread_exit; the driver
			 * writes that too). No rule of rules/ names procexit, and
			 * the engine's state gains by the delay: libsinsp keeps a
			 * main thread whose procexit came while its threads live
			 * (marked dead: their fd table, cwd and parent are its)
			 * until the last of them ends (sinsp_thread_manager::
			 * remove_thread), which pdig-engine, removing a thread at
			 * its procexit, now does too.
			 */
			pd_emit_procexit(tr, t, status);
			pd_tracee_del(tr, t);
		}
		if (tr->nheld)
			release_orphans(tr);
		return;
	}
	if (!WIFSTOPPED(status))
		return;
	if (tr->detaching) {
		if (t)
			pd_attach_detach_one(tr, t, status);
		else
			ptrace(PTRACE_DETACH, pid, 0, 0);
		return;
	}
	if (!t) {
		/* a new child reporting before its parent's clone event */
		t = pd_tracee_add(tr, pid);
		if (!t) {
			ptrace(PTRACE_CONT, pid, 0, 0);
			return;
		}
		if (tr->rest_killed)
			kill(pid, SIGKILL); /* created as the rest was killed */
	}
	if (tr->debug)
		fprintf(stderr, "pdig: stop tid=%d sig=%d event=%u flags=%#x\n", (int)pid,
			WSTOPSIG(status), (unsigned)status >> 16, t->flags);
	on_stopped(tr, t, status);
}

int pd_loop(struct pd_tracer *tr)
{
	/* PDIG_DEBUG_STOPS=1: every stop on stderr, for debugging the loop */
	tr->debug = getenv("PDIG_DEBUG_STOPS") != NULL;
	int exit_due = 0; /* the tracee let go last waits for its exit stop */
	uint64_t last_nr = 0; /* in this call, or made it last */
	for (;;) {
		if (kicked) {
			kicked = 0;
			drain_front(tr);
		}
		if (tr->attach && pd_attach_signalled())
			pd_attach_leave(tr);
		/* As PID 1 the container ends with its command (--wait-all or not). */
		if (tr->root_done && (!tr->opts->wait_all || tr->front_pid1))
			kill_rest(tr);
		int status;
		pid_t pid = 0;
		/* One wait per stop; a second, non-blocking one only while a file
		 * sink holds unwritten events, to write them when idle. */
		if (pd_out_has_unwritten(tr->out)) {
			pid = waitpid(-1, &status, __WALL | WNOHANG);
			if (pid == 0)
				pd_out_idle(tr->out);
		}
		/* (a kick landing just before this waitpid waits for the next
		 * stop or the front's next kick: it kicks until answered) */
		if (pid == 0) {
			pid = pd_waitspin_wait(&tr->wspin, &status, exit_due, last_nr,
					       pd_warm_awake(tr->warm), &kicked);
			if (pid == 0)
				continue; /* kicked while spinning */
		}
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				return 0;
			return -errno;
		}
		pd_warm_stop_seen(tr->warm);
		on_wait(tr, pid, status);
		/* what the next wait is like: the call the tracee is in (let go
		 * for its exit stop, which mostly comes soon) or made last */
		struct pd_tracee *t = pd_tracee_find(tr, pid);
		exit_due = t && (t->flags & PD_T_IN_SYSCALL);
		last_nr = t ? t->nr : 0;
	}
}
