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
	/* which stop of the tracer read it (set by the caller): what was read
	 * at a clone's event stop describes what the new task inherits */
	uint64_t stamp;
	pid_t read_tid;  /* the task it describes (0: nothing read) */
};

/* Reads everything about tid. Missing pieces are left empty or zero (a
 * process can exit under our feet); returns 0, or -errno if tid is gone. */
int pd_procinfo_read(struct pd_procinfo *pi, pid_t tid, int want_env);

/* A new task's info from that of the thread that created it (pi, read
 * at the clone's event stop): exe, args, cwd, cgroups, comm, the fd limit
 * and login uid are what the new task inherits from it then; its ids,
 * credentials and memory counters are read from its own status and stat.
 * 0, or -errno if tid is gone. */
int pd_procinfo_read_clone(struct pd_procinfo *pi, pid_t tid);

/* /proc/PID/cgroup text (modified) -> pi->cgroups, "subsys=path" strings as
 * the driver sends them: v1 lines one entry per controller, named
 * hierarchies skipped; a v2-only "0::/path" once per kernel subsystem. */
void pd_parse_cgroups(struct pd_procinfo *pi, char *buf);

/* VmSize, VmRSS, VmSwap in kB (zeros if unknown): 0 or -errno. */
int pd_proc_vm(pid_t tid, uint32_t *size_kb, uint32_t *rss_kb, uint32_t *swap_kb);

/* Reads /proc/PID/FILE into buf (at most cap bytes): bytes read or -errno. */
ssize_t pd_proc_file(pid_t pid, const char *file, char *buf, size_t cap);

#endif
