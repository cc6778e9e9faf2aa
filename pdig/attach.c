/*
 * pdig -p PID[,PID...]: tracing processes that are already running (a
 * container's PID 1 from a sidecar sharing its pid namespace).
 *
 * Every thread is seized (no stop), and with --tree every descendant, and
 * /proc is read again until a pass finds nobody new: from the seize on,
 * children and threads a seized thread creates are attached by the kernel
 * (the fork/clone options), so nothing escapes between passes. Then each
 * seized thread is asked for a stop (PTRACE_INTERRUPT); at the first stop
 * of a process's first thread pdig's seccomp filter is installed in it by
 * making that thread call seccomp(SECCOMP_FILTER_FLAG_TSYNC) (inject.c), so
 * that from then on it stops only on the calls of the traced set, as in
 * launch mode. Such a filter cannot be removed, and without a tracer every
 * call it traces fails with ENOSYS: pdig then stays until the process ends
 * (and PTRACE_O_EXITKILL takes it with pdig if pdig is killed: a process
 * left with ENOSYS everywhere is worse than one that ends). With
 * --no-inject, or where the injection fails, the process is traced with
 * PTRACE_SYSCALL (plain mode: two stops for every call, slower) and pdig
 * can leave it as it found it (SIGINT/SIGTERM/SIGHUP: detach).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inject.h"
#include "pdig.h"
#include "procfs.h"

/* PTRACE_O_TRACEEXIT, which launch mode does without (launch.c): pdig in
 * the pid namespace of the PID 1 it traces is killed by the kernel as that
 * PID 1 exits (zap_pid_ns_processes, from exit_notify: before its death
 * could be reported), so PID 1's exit stop is the last moment pdig can
 * write its procexit and flush (loop.c). Children inherit the options, so
 * here every thread end still makes its exit stop. */
#define ATTACH_OPTIONS                                                                   \
	(PTRACE_O_TRACESECCOMP | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |               \
	 PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |                  \
	 PTRACE_O_TRACESYSGOOD)
#define CAP_SYS_ADMIN_BIT 21
#define SCAN_PASSES_MAX 1000

enum { AP_PENDING, AP_FILTERED, AP_PLAIN };

struct pd_attach_proc {
	pid_t pid;
	int mode; /* AP_* */
};

static volatile sig_atomic_t signalled;
static volatile pid_t wake_tid;

/* The loop may be blocked in waitpid already (the signal landed just
 * before it): a stop asked of a tracee wakes it. */
void pd_attach_on_signal(int sig)
{
	int saved = errno;
	signalled = sig;
	if (wake_tid > 0)
		ptrace(PTRACE_INTERRUPT, wake_tid, 0, 0);
	errno = saved;
}
int pd_attach_signalled(void) { return signalled; }

/* "Name:\tvalue" of /proc/PID/status, as a number; -1 if missing. */
static long long status_field(pid_t pid, const char *key, int base)
{
	char buf[4096];
	ssize_t n = pd_proc_file(pid, "status", buf, sizeof buf - 1);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	char pat[64];
	snprintf(pat, sizeof pat, "\n%s:", key);
	const char *p = strstr(buf, pat);
	return p ? strtoll(p + strlen(pat), NULL, base) : -1;
}

static void comm_of(pid_t pid, char *out, size_t cap)
{
	ssize_t n = pd_proc_file(pid, "comm", out, cap - 1);
	if (n <= 0)
		n = 0;
	else if (out[n - 1] == '\n')
		n--;
	out[n] = 0;
}

/* pdig's own parts are never traced: pdig, its engine, pdig-trace. */
static const char *pdig_part(pid_t pid)
{
	static const char *const names[] = {"pdig", "pdig-engine", "pdig-trace"};
	char link[64], exe[4096];
	if (pid == getpid())
		return "pdig itself";
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(link, exe, sizeof exe - 1);
	if (n <= 0)
		return NULL;
	exe[n] = 0;
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (strcmp(base, names[i]) == 0)
			return names[i];
	return NULL;
}

/* Is pid the first process of its pid namespace (NSpid's last value 1)? */
static int ns_init(pid_t pid)
{
	char buf[4096];
	ssize_t n = pd_proc_file(pid, "status", buf, sizeof buf - 1);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	const char *p = strstr(buf, "\nNSpid:");
	if (!p)
		return pid == 1;
	const char *end = strchr(p + 1, '\n');
	const char *last = p + 7;
	for (const char *q = p + 7; *q && q != end; q++)
		if (*q == '\t' || *q == ' ')
			last = q + 1;
	return atoi(last) == 1;
}

/* Why pid cannot be attached to (message printed): PD_EXIT_FAILURE; 0 if
 * it can. */
static int check_target(pid_t pid)
{
	char comm[32];
	if (kill(pid, 0) < 0 && errno == ESRCH) {
		fprintf(stderr, "pdig: there is no process %d (in a sidecar, share the pid "
			"namespace: ECS pidMode \"task\", Kubernetes shareProcessNamespace: true)\n",
			(int)pid);
		return PD_EXIT_FAILURE;
	}
	const char *part = pdig_part(pid);
	if (part) {
		fprintf(stderr, "pdig: process %d is %s: pdig does not trace itself, its engine "
			"or pdig-trace; give the PID of the application\n", (int)pid, part);
		return PD_EXIT_FAILURE;
	}
	long long tracer = status_field(pid, "TracerPid", 10);
	if (tracer > 0) {
		comm_of((pid_t)tracer, comm, sizeof comm);
		fprintf(stderr, "pdig: process %d is already traced by process %lld (%s): a "
			"process has one tracer at a time; stop that one (strace, gdb, another "
			"pdig) first\n", (int)pid, tracer, comm[0] ? comm : "?");
		return PD_EXIT_FAILURE;
	}
	char st[512];
	ssize_t n = pd_proc_file(pid, "stat", st, sizeof st - 1);
	if (n > 0) {
		st[n] = 0;
		const char *p = strrchr(st, ')');
		if (p && (p[2] == 'Z' || p[2] == 'X')) {
			fprintf(stderr, "pdig: process %d has already exited\n", (int)pid);
			return PD_EXIT_FAILURE;
		}
	}
	return 0;
}

static void refused(pid_t pid, int err)
{
	char comm[32];
	comm_of(pid, comm, sizeof comm);
	long long scope = -1;
	char buf[16];
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f) {
		if (fgets(buf, sizeof buf, f))
			scope = atoll(buf);
		fclose(f);
	}
	fprintf(stderr, "pdig: cannot attach to process %d (%s): %s: add the SYS_PTRACE "
		"capability (docker run --cap-add SYS_PTRACE; on ECS "
		"linuxParameters.capabilities.add: [\"SYS_PTRACE\"]; on Kubernetes "
		"securityContext.capabilities.add: [\"SYS_PTRACE\"])%s\n",
		(int)pid, comm[0] ? comm : "?", strerror(err),
		scope >= 1 ? ", which Yama's ptrace_scope here requires for a process that is "
			     "not pdig's child" : "");
}

static struct pd_attach_proc *aproc_find(struct pd_tracer *tr, pid_t pid)
{
	for (size_t i = 0; i < tr->naprocs; i++)
		if (tr->aprocs[i].pid == pid)
			return &tr->aprocs[i];
	return NULL;
}

static int aproc_add(struct pd_tracer *tr, pid_t pid, size_t *cap)
{
	if (aproc_find(tr, pid))
		return 0;
	if (tr->naprocs == *cap) {
		size_t n = *cap ? *cap * 2 : 16;
		struct pd_attach_proc *p = realloc(tr->aprocs, n * sizeof *p);
		if (!p)
			return -ENOMEM;
		tr->aprocs = p;
		*cap = n;
	}
	tr->aprocs[tr->naprocs].pid = pid;
	tr->aprocs[tr->naprocs].mode = AP_PENDING;
	tr->naprocs++;
	return 1;
}

static pid_t ppid_of(pid_t pid)
{
	char st[512];
	ssize_t n = pd_proc_file(pid, "stat", st, sizeof st - 1);
	if (n <= 0)
		return -1;
	st[n] = 0;
	const char *p = strrchr(st, ')');
	int ppid;
	char state;
	if (!p || sscanf(p + 1, " %c %d", &state, &ppid) != 2)
		return -1;
	return ppid;
}

/* Adds the descendants of the attached processes (not pdig's own parts):
 * how many were new, or a negative errno. */
static int add_descendants(struct pd_tracer *tr, size_t *cap)
{
	int added = 0, grew;
	do {
		grew = 0;
		DIR *d = opendir("/proc");
		if (!d)
			return -errno;
		struct dirent *de;
		while ((de = readdir(d))) {
			char *end;
			long pid = strtol(de->d_name, &end, 10);
			if (*end || pid <= 0 || aproc_find(tr, (pid_t)pid))
				continue;
			pid_t pp = ppid_of((pid_t)pid);
			if (pp <= 0 || !aproc_find(tr, pp) || pdig_part((pid_t)pid))
				continue;
			int r = aproc_add(tr, (pid_t)pid, cap);
			if (r < 0) {
				closedir(d);
				return r;
			}
			grew += r;
		}
		closedir(d);
		added += grew;
	} while (grew);
	return added;
}

/* Seizes the threads of pid not seized yet: how many, or -errno for the
 * first thread refused (a process may have ended: 0). */
static int seize_threads(struct pd_tracer *tr, pid_t pid, int root)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return 0; /* ended */
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		char *end;
		long tid = strtol(de->d_name, &end, 10);
		if (*end || tid <= 0 || pd_tracee_find(tr, (pid_t)tid))
			continue;
		if (ptrace(PTRACE_SEIZE, (pid_t)tid, 0, ATTACH_OPTIONS) < 0) {
			int err = errno;
			if (err == ESRCH)
				continue; /* ended meanwhile */
			/* a child a seized thread made is ours already: the loop
			 * meets it as a new child */
			if (err == EPERM && status_field((pid_t)tid, "TracerPid", 10) == getpid())
				continue;
			closedir(d);
			return -err;
		}
		struct pd_tracee *t = pd_tracee_add(tr, (pid_t)tid);
		if (!t) {
			closedir(d);
			return -ENOMEM;
		}
		t->pid = pid;
		t->flags = PD_T_ATTACHED | (root && tid == pid ? PD_T_ROOT : 0);
		n++;
	}
	closedir(d);
	return n;
}

int pd_attach_start(struct pd_tracer *tr)
{
	const struct pd_opts *o = tr->opts;
	size_t cap = 0;
	char err[256];
	void *filter = NULL;
	tr->attach = 1;
	tr->proc_ok = pd_proc_matches();
	if (!tr->proc_ok) {
		/* the pids would name other processes in /proc */
		fprintf(stderr, "pdig: /proc is not the one of pdig's pid namespace: mount "
			"one there (mount -t proc proc /proc) to attach by PID\n");
		return PD_EXIT_FAILURE;
	}
	pd_filter_arch_maps(tr);
	for (size_t i = 0; i < o->nattach; i++)
		if (check_target(o->attach_pids[i]))
			return PD_EXIT_FAILURE;
	if (!o->no_inject) {
		/* no NO_NEW_PRIVS flag here: it is set in the target where needed */
		int rc = pd_filter_build(&filter, o, 0, err, sizeof err);
		if (rc == 0)
			rc = pd_filter_export(filter, &tr->bpf, &tr->bpf_len);
		pd_filter_free(filter);
		if (rc < 0) {
			fprintf(stderr, "pdig: cannot build the seccomp filter: %s\n",
				rc == -ENOMEM ? "out of memory" : err);
			return PD_EXIT_FAILURE;
		}
	}
	for (size_t i = 0; i < o->nattach; i++) {
		if (aproc_add(tr, o->attach_pids[i], &cap) < 0)
			goto oom;
	}
	tr->root = o->attach_pids[0];
	tr->anc = ppid_of(tr->root);
	if (tr->anc <= 0)
		tr->anc = -1; /* a namespace's first process: no ancestor to show */
	int tree = o->tree;
	/* until nothing new: a seized thread may have made a thread or child
	 * just before its seize; one made after is attached by the kernel */
	for (int pass = 0;; pass++) {
		int grew = 0;
		if (tree == 1 || (tree < 0 && ns_init(tr->root))) {
			int r = add_descendants(tr, &cap);
			if (r < 0)
				goto oom;
			grew += r;
		}
		for (size_t i = 0; i < tr->naprocs; i++) {
			pid_t pid = tr->aprocs[i].pid;
			int r = seize_threads(tr, pid, pid == tr->root);
			if (r < 0) {
				if (r == -ENOMEM)
					goto oom;
				refused(pid, -r);
				return PD_EXIT_FAILURE;
			}
			grew += r;
		}
		if (!grew)
			break;
		if (pass == SCAN_PASSES_MAX) {
			fprintf(stderr, "pdig: the processes to attach to keep changing (%zu "
				"so far): try again\n", tr->naprocs);
			return PD_EXIT_FAILURE;
		}
	}
	if (!pd_tracee_find(tr, tr->root)) {
		fprintf(stderr, "pdig: process %d ended before pdig could attach\n",
			(int)tr->root);
		return PD_EXIT_FAILURE;
	}
	/* a stop from each, where its filter goes in (pd_attach_first_stop) */
	for (size_t i = 0; i < tr->nbuckets; i++)
		for (struct pd_tracee *t = tr->buckets[i]; t; t = t->hnext)
			if (t->flags & PD_T_ATTACHED)
				ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
	wake_tid = tr->root;
	if (!o->quiet)
		fprintf(stderr, "pdig: attached to %zu process%s (%zu threads)%s\n", tr->naprocs,
			tr->naprocs == 1 ? "" : "es", tr->count,
			o->no_inject ? "; --no-inject: SIGINT or SIGTERM detaches" : "");
	return 0;
oom:
	fprintf(stderr, "pdig: out of memory\n");
	return PD_EXIT_FAILURE;
}

int pd_attach_snapshot(struct pd_tracer *tr)
{
	/* parents before children: the attach order is (roots, then each pass
	 * of descendants), main threads before their threads */
	pid_t *tids = malloc((tr->count + 1) * sizeof *tids);
	size_t n = 0;
	if (!tids)
		return -ENOMEM;
	for (size_t i = 0; i < tr->naprocs; i++)
		if (pd_tracee_find(tr, tr->aprocs[i].pid))
			tids[n++] = tr->aprocs[i].pid;
	for (size_t i = 0; i < tr->nbuckets; i++)
		for (struct pd_tracee *t = tr->buckets[i]; t && n < tr->count; t = t->hnext)
			if (t->tid != t->pid)
				tids[n++] = t->tid;
	int rc = pd_out_procs_tids(tr->out, tr, tids, n);
	free(tids);
	return rc;
}

/* The filter's struct sock_fprog with the program after it. */
struct fprog_data {
	struct sock_fprog prog;
	struct sock_filter insns[];
};

static void fprog_fixup(void *copy, uint64_t addr)
{
	struct fprog_data *d = copy;
	d->prog.filter = (struct sock_filter *)(uintptr_t)(addr + offsetof(struct fprog_data, insns));
}

/* Installs the filter in t's process: 0, -ESRCH (ended: *status), or the
 * reason it could not (the process stays in plain mode). */
static int inject_filter(struct pd_tracer *tr, struct pd_tracee *t, uint64_t *sigs, int *status)
{
	long res = 0;
	int rc;
	long long cap_eff = status_field(t->pid, "CapEff", 16);
	long long nnp = status_field(t->pid, "NoNewPrivs", 10);
	if (cap_eff >= 0 && !((cap_eff >> CAP_SYS_ADMIN_BIT) & 1) && nnp == 0) {
		/* as in launch mode: without CAP_SYS_ADMIN the kernel wants
		 * NO_NEW_PRIVS for a filter (setuid programs no longer gain
		 * privileges in this process) */
		struct pd_inject_call nnp_call = {.nr = SYS_prctl,
						  .args = {PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0, 0}};
		rc = pd_inject_syscall(t->tid, &nnp_call, &res, sigs, status);
		if (rc < 0)
			return rc;
		if (res < 0)
			return (int)res;
	}
	size_t len = sizeof(struct fprog_data) + tr->bpf_len;
	struct fprog_data *d = calloc(1, len);
	if (!d)
		return -ENOMEM;
	d->prog.len = (unsigned short)(tr->bpf_len / sizeof(struct sock_filter));
	memcpy(d->insns, tr->bpf, tr->bpf_len);
	struct pd_inject_call call = {.nr = SYS_seccomp,
				      .args = {SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC,
					       0, 0, 0, 0},
				      .arg_is_data = {0, 0, 1, 0, 0, 0},
				      .data = d,
				      .data_len = len,
				      .fixup = fprog_fixup};
	rc = pd_inject_syscall(t->tid, &call, &res, sigs, status);
	free(d);
	if (rc < 0)
		return rc;
	/* TSYNC: a positive result is the thread whose own filter differs */
	return res == 0 ? 0 : res > 0 ? -EBUSY : (int)res;
}

static const char *inject_error(int rc)
{
	switch (rc) {
	case -ENOEXEC: return "it runs 32-bit code or has no syscall instruction to borrow";
	case -EFAULT: return "its stack cannot be written";
	case -EBUSY: return "one of its threads has a seccomp filter of its own that differs";
	case -EACCES: return "the kernel refused the filter (no NO_NEW_PRIVS, no CAP_SYS_ADMIN)";
	default: return strerror(-rc);
	}
}

int pd_attach_first_stop(struct pd_tracer *tr, struct pd_tracee *t, int stop_status,
			 int *status)
{
	int sig = WSTOPSIG(stop_status);
	unsigned ev = (unsigned)stop_status >> 16;
	if (ev != PTRACE_EVENT_STOP) {
		/* a signal-delivery stop before our interrupt's: pass the
		 * signal on, the interrupt's stop follows */
		ptrace(PTRACE_CONT, t->tid, 0, (long)(ev ? 0 : sig));
		return 0;
	}
	if (sig != SIGTRAP) {
		/* stopped by job control: stays so; set up when continued */
		ptrace(PTRACE_LISTEN, t->tid, 0, 0);
		return 0;
	}
	struct pd_attach_proc *ap = aproc_find(tr, t->pid);
	int mode = ap ? ap->mode : AP_PLAIN;
	uint64_t sigs = 0;
	if (mode == AP_PENDING) {
		mode = AP_PLAIN;
		if (!tr->opts->no_inject && tr->bpf) {
			int rc = inject_filter(tr, t, &sigs, status);
			if (rc == -ESRCH) {
				t->flags &= ~PD_T_ATTACHED;
				t->flags |= PD_T_STARTED;
				return 1;
			}
			char comm[32];
			comm_of(t->pid, comm, sizeof comm);
			if (rc == 0) {
				mode = AP_FILTERED;
				if (!tr->opts->quiet && !tr->said_stay)
					fprintf(stderr, "pdig: seccomp filter installed in process %d "
						"(%s): pdig stays until it ends (a filter cannot be "
						"removed; --no-inject keeps pdig detachable)\n",
						(int)t->pid, comm);
				tr->said_stay = 1;
			} else if (!tr->opts->quiet) {
				fprintf(stderr, "pdig: warning: cannot install the seccomp filter in "
					"process %d (%s): %s; it is traced without (slower)\n",
					(int)t->pid, comm, inject_error(rc));
			}
		}
		if (ap)
			ap->mode = mode;
	}
	t->flags &= ~PD_T_ATTACHED;
	t->flags |= PD_T_STARTED | (mode == AP_PLAIN ? PD_T_PLAIN : 0);
	if (mode == AP_FILTERED)
		ptrace(PTRACE_SETOPTIONS, t->tid, 0, ATTACH_OPTIONS | PTRACE_O_EXITKILL);
	pd_resume(t, 0);
	for (int s = 1; s < 65; s++)
		if ((sigs >> (s - 1)) & 1)
			syscall(SYS_tgkill, t->pid, t->tid, s);
	return 0;
}

/* Asks every tracee for a stop, where it is let go. Processes with our
 * filter cannot be left: pdig stays with them, and says so. */
void pd_attach_leave(struct pd_tracer *tr)
{
	int sig = signalled;
	signalled = 0;
	for (size_t i = 0; i < tr->naprocs; i++) {
		if (tr->aprocs[i].mode == AP_FILTERED) {
			/* said once: `timeout` and shells send to pdig and its group */
			if (!tr->opts->quiet && tr->said_stay < 2)
				fprintf(stderr, "pdig: %s: the seccomp filter installed in process "
					"%d cannot be removed: pdig stays until the traced "
					"processes end (--no-inject attaches detachably)\n",
					strsignal(sig), (int)tr->aprocs[i].pid);
			tr->said_stay = 2;
			return;
		}
	}
	if (tr->detaching)
		return;
	tr->detaching = 1;
	if (!tr->opts->quiet)
		fprintf(stderr, "pdig: %s: detaching from %zu threads\n", strsignal(sig),
			tr->count);
	for (size_t i = 0; i < tr->nbuckets; i++) {
		struct pd_tracee *t = tr->buckets[i];
		while (t) {
			struct pd_tracee *next = t->hnext;
			if (t->flags & PD_T_HELD) {
				/* a new child held at its first stop: stopped now */
				ptrace(PTRACE_DETACH, t->tid, 0, (long)t->pending_sig);
				tr->nheld--;
				pd_tracee_del(tr, t);
			} else {
				ptrace(PTRACE_INTERRUPT, t->tid, 0, 0);
			}
			t = next;
		}
	}
}

void pd_attach_detach_one(struct pd_tracer *tr, struct pd_tracee *t, int status)
{
	int sig = WSTOPSIG(status);
	unsigned ev = (unsigned)status >> 16;
	int deliver = 0;
	if (sig == (SIGTRAP | 0x80)) {
		/* finish the call's events if its exit is what stopped */
		if ((t->flags & PD_T_PLAIN) && (t->flags & PD_T_IN_SYSCALL))
			pd_syscall_plain(tr, t);
	} else if (ev == 0 && sig != SIGTRAP) {
		deliver = sig; /* a signal on its way: it goes on with the thread */
	}
	ptrace(PTRACE_DETACH, t->tid, 0, (long)deliver);
	pd_tracee_del(tr, t);
}
