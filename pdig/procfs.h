/*
 * What the driver reads from the task struct, read from /proc instead: for
 * the events that describe a whole process (execve, clone, the process
 * list). Not for hot paths: these calls are already expensive.
 */
#ifndef PD_PROCFS_H
#define PD_PROCFS_H

#include <stdint.h>
#include <sys/types.h>

#define PD_ARGS_MAX 4096u /* bytes of argv and of environ kept, as the driver */
#define PD_CGROUPS_MAX 4096u

struct pd_procinfo {
	char cmdline[PD_ARGS_MAX]; /* argv strings, each NUL-terminated */
	uint32_t cmdline_len;
	char environ[PD_ARGS_MAX];
	uint32_t environ_len;
	char cgroups[PD_CGROUPS_MAX]; /* "subsys=path" strings */
	uint32_t cgroups_len;
	char cwd[4096];
	char exepath[4096];
	char comm[17];
	int64_t tid, tgid, ppid, vtid, vpid, sid, pgid;
	uint32_t uid, gid; /* effective */
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t minflt, majflt;
	int64_t fdlimit;
	int32_t tty;
	int32_t loginuid;
	int exe_writable;
	int exe_setid;   /* the program file is set-user-ID or set-group-ID */
	/* argv and environ in its memory (stat fields 48-51; 0: unknown) */
	uint64_t arg_start, arg_end, env_start, env_end;
	/* which stop of the tracer read it (set by the caller): what was read
	 * at a clone's event stop describes what the new task inherits */
	uint64_t stamp;
	pid_t read_tid;  /* the task it describes (0: nothing read) */
};

/* Reads everything about tid. Missing pieces are left empty or zero (a
 * process can exit under our feet); returns 0, or -errno if tid is gone. */
int pd_procinfo_read(struct pd_procinfo *pi, pid_t tid, int want_env);

/* The parts of pd_procinfo_read(), after its status and stat: the program
 * (argv, environ when asked, exe and whether its user may write it: judged
 * for pi->uid/gid), its place (cwd, cgroups, login uid: what an execve
 * keeps) and the fd limit. */
void pd_procinfo_read_program(struct pd_procinfo *pi, pid_t tid, int want_env);
void pd_procinfo_read_place(struct pd_procinfo *pi, pid_t tid);
void pd_procinfo_read_fdlimit(struct pd_procinfo *pi, pid_t tid);

/*
 * What pdig keeps of one traced thread between its /proc reads (in its
 * tracee). Its stat and status files stay open: a seq file read again at
 * offset 0 is made anew, without the path lookup, open and close that cost
 * half of a read (kept for at most PD_PROC_KEPT_MAX files in all: the
 * threads that fork again and again, a child from its fork to its exec).
 * Its effective uid and gid as last read (or inherited at its creation)
 * stand until it makes a call that changes them: every such call is traced
 * (setuid, setgid, setreuid, setregid, setresuid, setresgid, native and
 * 32-bit: pd_proc_task_creds_changed), and an execve of a set-user-ID or
 * set-group-ID file reads them again. While they stand, a thread in pdig's
 * pid namespace on a machine without swap is described by its stat alone
 * (status, the costlier file, gives nothing else then).
 */
#define PD_PROC_KEPT_MAX 256
struct pd_proc_task {
	int stat_fd, status_fd; /* -1: not open */
	uint32_t uid, gid;      /* effective */
	uint8_t creds_known;
	/* set by the caller before each read: */
	uint8_t own_ids;        /* in pdig's pid namespace: /proc's ids are its own */
	pid_t tgid;             /* its thread group (0: unknown) */
};
void pd_proc_task_init(struct pd_proc_task *pt);
void pd_proc_task_close(struct pd_proc_task *pt);
/* A traced call that may have changed the thread's credentials. */
static inline void pd_proc_task_creds_changed(struct pd_proc_task *pt) { pt->creds_known = 0; }
/* A new task's info from that of the thread that created it (pi, read
 * at the clone's event stop): exe, args, cwd, cgroups, the fd limit and
 * login uid are what the new task inherits from it then; its ids, name,
 * credentials and memory counters are read from its own status and stat.
 * 0, or -errno if tid is gone. pt (NULL: none) is the task's kept state. */
int pd_procinfo_read_clone(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt);
/* The same for a fork child in pdig's pid namespace, pi holding its
 * creator's facts read at this stop: only its stat is read, the
 * credentials are its creator's (fork copies them; pt then knows them) and
 * the ids are the ones pdig sees. Only on a machine without swap (VmSwap
 * is then 0 and stat gives the rest exactly; asked once a second); else as
 * read_clone. */
int pd_procinfo_read_fork(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt);
/* The same for a new thread in pdig's pid namespace, with nothing to read:
 * it shares its creator's ids, name, credentials and memory, and /proc
 * gives its process's fault counters; only its tid is its own. 0. */
int pd_procinfo_thread(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt);
/* /proc/PID/cgroup text (modified) -> pi->cgroups, "subsys=path" strings as
 * the driver sends them: v1 lines one entry per controller, named
 * hierarchies skipped; a v2-only "0::/path" once per kernel subsystem. */
void pd_parse_cgroups(struct pd_procinfo *pi, char *buf);

/*
 * A short-lived cache of the process-wide facts (args, exe, cwd, cgroups,
 * login uid) of the last few processes read (proccache.c). What a traced
 * call can change is forgotten at that call (chdir, fchdir, chroot, setns,
 * unshare, the set*id family: pd_proc_cache_forget(); an execve replaces
 * the program: pd_procinfo_read_exec()); what only an
 * untraced action can change (a process rewriting its own argv, a move to
 * another cgroup by another process, a write to /proc/self/loginuid) shows
 * at most PD_PROC_CACHE_NS late.
 */
#define PD_PROC_CACHE_NS (100u * 1000u * 1000u)
struct pd_proc_cache;
int pd_proc_cache_new(struct pd_proc_cache **out);
void pd_proc_cache_free(struct pd_proc_cache *pc);
/* pd_procinfo_read(pi, tid, 0), the process-wide facts from the cache when
 * it holds tid's process, or process `like` (a new child's creator, when
 * not 0: what the child inherits; it is then kept for the child too): 0,
 * or -errno if tid is gone. pc may be NULL. */
int pd_procinfo_read_cached(struct pd_procinfo *pi, struct pd_proc_cache *pc, pid_t tid,
			    pid_t like, struct pd_proc_task *pt);
/* pd_procinfo_read(pi, tid, 1) at an execve's end: the new program read,
 * its place (cwd, cgroups, login uid, which execve keeps) from the cache
 * when fresh; what was read is kept. */
int pd_procinfo_read_exec(struct pd_procinfo *pi, struct pd_proc_cache *pc, pid_t tid,
			  struct pd_proc_task *pt);
/* Keeps what a full pd_procinfo_read() just read (or a fork child's
 * inherited facts). */
void pd_proc_cache_put(struct pd_proc_cache *pc, const struct pd_procinfo *pi);
/* Forgets tgid's process (0: every process). */
void pd_proc_cache_forget(struct pd_proc_cache *pc, pid_t tgid);
void pd_proc_cache_counts(const struct pd_proc_cache *pc, uint64_t *hits, uint64_t *misses);

/* VmSize, VmRSS, VmSwap in kB (zeros if unknown): 0 or -errno. */
int pd_proc_vm(pid_t tid, uint32_t *size_kb, uint32_t *rss_kb, uint32_t *swap_kb);

/* Reads /proc/PID/FILE into buf (at most cap bytes): bytes read or -errno. */
ssize_t pd_proc_file(pid_t pid, const char *file, char *buf, size_t cap);

#endif
