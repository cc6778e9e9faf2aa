/* Process facts from /proc (see procfs.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "procfs.h"

/* status and stat are each made whole at the first read (single_open
 * seq files): a read that leaves room has it all, no second read for EOF.
 * With kept (not NULL), the file stays open in *kept for the next read, a
 * pread at offset 0, which makes a seq file anew (while the budget lasts). */
static unsigned kept_open; /* files held open in all the tasks' kept state */

static ssize_t proc_file_once(pid_t pid, const char *file, int *kept, char *buf, size_t cap)
{
	ssize_t n;
	int fd = kept ? *kept : -1;
	if (fd < 0) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (kept && kept_open < PD_PROC_KEPT_MAX) {
			*kept = fd;
			kept_open++;
		}
	}
	do
		n = pread(fd, buf, cap, 0);
	while (n < 0 && errno == EINTR);
	int err = n < 0 ? -errno : 0;
	if (!kept || *kept != fd)
		close(fd);
	if (err)
		return err;
	if ((size_t)n == cap) /* no room left to know: read it the long way */
		return pd_proc_file(pid, file, buf, cap);
	return n;
}

void pd_proc_task_init(struct pd_proc_task *pt)
{
	memset(pt, 0, sizeof *pt);
	pt->stat_fd = pt->status_fd = -1;
}

void pd_proc_task_close(struct pd_proc_task *pt)
{
	int *fds[] = {&pt->stat_fd, &pt->status_fd};
	for (unsigned i = 0; i < 2; i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			kept_open--;
		}
		*fds[i] = -1;
	}
}

ssize_t pd_proc_file(pid_t pid, const char *file, char *buf, size_t cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t got = 0;
	while (got < cap) {
		ssize_t n = read(fd, buf + got, cap - got);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int err = -errno;
			close(fd);
			return err;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	return (ssize_t)got;
}

/* The last number of a "Key:\tA\tB\tC" line (the innermost namespace). */
static int64_t last_field(const char *line)
{
	const char *end = line + strcspn(line, "\n");
	const char *p = end;
	while (p > line && (p[-1] == ' ' || p[-1] == '\t'))
		p--;
	while (p > line && p[-1] >= '0' && p[-1] <= '9')
		p--;
	return strtoll(p, NULL, 10);
}

/* The second number of "Uid:\treal\teffective\t..." */
static uint32_t second_field(const char *line)
{
	char *p;
	strtoul(line, &p, 10);
	return (uint32_t)strtoul(p, NULL, 10);
}

/* "Name:\tCOMM": the task's comm, with the newlines and backslashes the
 * kernel escapes there put back (the same bytes as /proc/PID/comm, without
 * a file of its own to read). */
static void status_name(struct pd_procinfo *pi, const char *v)
{
	if (*v == '\t')
		v++;
	size_t n = 0;
	for (; *v && *v != '\n' && n < sizeof pi->comm - 1; v++) {
		if (*v == '\\' && v[1] == 'n') {
			pi->comm[n++] = '\n';
			v++;
		} else if (*v == '\\' && v[1] == '\\') {
			pi->comm[n++] = '\\';
			v++;
		} else {
			pi->comm[n++] = *v;
		}
	}
	pi->comm[n] = 0;
}

static void parse_status(struct pd_procinfo *pi, char *buf)
{
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		char *v = strchr(line, ':');
		if (!v)
			continue;
		size_t klen = (size_t)(v - line);
		v++;
#define KEY(k) (klen == sizeof(k) - 1 && memcmp(line, k, klen) == 0)
		if (KEY("Name"))
			status_name(pi, v);
		else if (KEY("Tgid"))
			pi->tgid = strtoll(v, NULL, 10);
		else if (KEY("PPid"))
			pi->ppid = strtoll(v, NULL, 10);
		else if (KEY("Uid"))
			pi->uid = second_field(v);
		else if (KEY("Gid"))
			pi->gid = second_field(v);
		else if (KEY("NStgid"))
			pi->vpid = last_field(v);
		else if (KEY("NSpid"))
			pi->vtid = last_field(v);
		else if (KEY("NSsid"))
			pi->sid = last_field(v);
		else if (KEY("VmSize"))
			pi->vmsize_kb = (uint32_t)strtoul(v, NULL, 10);
		else if (KEY("VmRSS"))
			pi->vmrss_kb = (uint32_t)strtoul(v, NULL, 10);
		else if (KEY("VmSwap"))
			pi->vmswap_kb = (uint32_t)strtoul(v, NULL, 10);
#undef KEY
	}
}

/* The numbers of a stat line, f[4] to f[51] (1-based as proc(5) counts
 * them; 0 where the line ends sooner), and the comm in it: the number of
 * the last field read, or 0 if the line is malformed. */
static int stat_fields(char *buf, unsigned long long f[52], char *comm, size_t cap)
{
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	char *open = strchr(buf, '(');
	char *p = strrchr(buf, ')');
	if (!open || !p || p < open || !p[1] || !p[2])
		return 0;
	size_t n = (size_t)(p - open - 1);
	if (n >= cap)
		n = cap - 1;
	memcpy(comm, open + 1, n);
	comm[n] = 0;
	p += 3; /* ") S": field 4 (ppid) on */
	memset(f, 0, 52 * sizeof f[0]);
	int i = 4;
	for (; i <= 51 && *p; i++) {
		char *end;
		f[i] = strtoull(p, &end, 10);
		if (end == p)
			break;
		p = end;
	}
	return i - 1;
}

/* argv and environ lie in its memory (0 unless we may ptrace it, and on
 * old kernels): read from there at once instead of through two files */
static void stat_args(struct pd_procinfo *pi, const unsigned long long f[52], int last)
{
	pi->arg_start = pi->arg_end = pi->env_start = pi->env_end = 0;
	if (last >= 51) {
		pi->arg_start = f[48];
		pi->arg_end = f[49];
		pi->env_start = f[50];
		pi->env_end = f[51];
	}
}

static void parse_stat(struct pd_procinfo *pi, char *buf)
{
	unsigned long long f[52];
	char comm[sizeof pi->comm];
	int last = stat_fields(buf, f, comm, sizeof comm);
	if (last < 12)
		return;
	pi->pgid = (int64_t)f[5];
	pi->tty = (int32_t)f[7];
	pi->minflt = f[10];
	pi->majflt = f[12];
	stat_args(pi, f, last);
}

/* Is there no swap on the machine (VmSwap then 0 for every process)?
 * Asked again once a second, not at every fork: a swapon shows that late. */
static int no_swap(void)
{
	static uint64_t asked_s;
	static int none;
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	if ((uint64_t)ts.tv_sec != asked_s) {
		struct sysinfo si;
		asked_s = (uint64_t)ts.tv_sec;
		none = sysinfo(&si) == 0 && si.totalswap == 0;
	}
	return none;
}

/* Everything but the credentials and the thread group from tid's stat
 * alone, for a task in pdig's pid namespace on a machine without swap:
 * 0, 1 if the line is too short (status is needed), or -errno. */
static int read_stat_only(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt)
{
	char buf[1024];
	ssize_t n = proc_file_once(tid, "stat", pt ? &pt->stat_fd : NULL, buf, sizeof buf - 1);
	if (n < 0)
		return (int)n;
	buf[n] = 0;
	unsigned long long f[52];
	int last = stat_fields(buf, f, pi->comm, sizeof pi->comm);
	if (last < 24)
		return 1;
	pi->tid = pi->vtid = tid;
	pi->ppid = (int64_t)f[4];
	pi->pgid = (int64_t)f[5];
	pi->sid = (int64_t)f[6];
	pi->tty = (int32_t)f[7];
	pi->minflt = f[10];
	pi->majflt = f[12];
	pi->vmsize_kb = (uint32_t)(f[23] / 1024);
	pi->vmrss_kb = (uint32_t)(f[24] * (unsigned long long)sysconf(_SC_PAGESIZE) / 1024);
	pi->vmswap_kb = 0; /* no swap on this machine */
	stat_args(pi, f, last);
	pi->read_tid = tid;
	return 0;
}

int pd_procinfo_read_fork(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt)
{
	pi->environ_len = 0;
	if (no_swap()) {
		/* the creator's credentials (pi->uid, gid) are the child's: fork copies them */
		int rc = read_stat_only(pi, tid, pt);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			pi->tgid = pi->vpid = tid;
			if (pt) {
				pt->uid = pi->uid;
				pt->gid = pi->gid;
				pt->creds_known = 1;
			}
			return 0;
		}
	}
	return pd_procinfo_read_clone(pi, tid, pt);
}

/* The kernel's cgroup subsystems: on the unified (v2) hierarchy they all
 * share one path, which the driver reports once per subsystem. */
static const char *const cgroup_v2_subsys[] = {
	"cpuset", "cpu", "cpuacct", "io", "memory", "devices", "freezer", "net_cls",
	"perf_event", "net_prio", "hugetlb", "pids", "rdma", "misc", NULL
};

static void add_cgroup(struct pd_procinfo *pi, const char *subsys, size_t slen,
		       const char *path, size_t plen)
{
	if (pi->cgroups_len + slen + plen + 2 > sizeof pi->cgroups)
		return;
	char *d = pi->cgroups + pi->cgroups_len;
	memcpy(d, subsys, slen);
	d[slen] = '=';
	memcpy(d + slen + 1, path, plen);
	d[slen + 1 + plen] = 0;
	pi->cgroups_len += (uint32_t)(slen + plen + 2);
}

/* Does some line name v1 controllers ("N:cpu,cpuacct:/path")? */
static int has_v1_lines(const char *buf)
{
	for (const char *line = buf; line && *line;) {
		const char *c1 = strchr(line, ':');
		const char *nl = strchr(line, '\n');
		if (c1 && (!nl || c1 < nl) && c1[1] != ':')
			return 1;
		line = nl ? nl + 1 : NULL;
	}
	return 0;
}

void pd_parse_cgroups(struct pd_procinfo *pi, char *buf)
{
	/* hybrid setups list v1 controllers and a "0::" line: the v1 lines win */
	int v1 = has_v1_lines(buf);
	for (char *line = buf; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2) {
			const char *path = c2 + 1;
			size_t plen = strlen(path);
			if (c2 == c1 + 1) {
				for (int i = 0; !v1 && cgroup_v2_subsys[i]; i++)
					add_cgroup(pi, cgroup_v2_subsys[i], strlen(cgroup_v2_subsys[i]),
						   path, plen);
			} else {
				/* "cpu,cpuacct": one entry each; named hierarchies are skipped */
				char *sub = c1 + 1;
				*c2 = 0;
				while (*sub) {
					size_t n = strcspn(sub, ",");
					if (strncmp(sub, "name=", 5) != 0)
						add_cgroup(pi, sub, n, path, plen);
					sub += n + (sub[n] == ',');
				}
			}
		}
		line = nl ? nl + 1 : NULL;
	}
}

static int writable_by(const struct stat *st, uint32_t uid, uint32_t gid)
{
	if (uid == 0)
		return 1;
	if (st->st_uid == uid)
		return (st->st_mode & S_IWUSR) != 0;
	if (st->st_gid == gid)
		return (st->st_mode & S_IWGRP) != 0;
	return (st->st_mode & S_IWOTH) != 0;
}

/* What a task's own status and stat say (ids, credentials, memory and
 * fault counters, session, group, terminal): 0, or -errno if it is gone.
 * Its stat alone where pt says that is enough (procfs.h). */
static int read_own(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt)
{
	char buf[4096];
	pi->tid = pi->vtid = pi->tgid = pi->vpid = tid;
	pi->comm[0] = 0;
	pi->ppid = pi->sid = pi->pgid = 0;
	pi->uid = pi->gid = 0;
	pi->vmsize_kb = pi->vmrss_kb = pi->vmswap_kb = 0;
	pi->minflt = pi->majflt = 0;
	pi->tty = 0;
	pi->read_tid = 0;
	pi->arg_start = pi->arg_end = pi->env_start = pi->env_end = 0;
	if (pt && pt->creds_known && pt->own_ids && pt->tgid > 0 && no_swap()) {
		int rc = read_stat_only(pi, tid, pt);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			pi->tgid = pi->vpid = pt->tgid;
			pi->uid = pt->uid;
			pi->gid = pt->gid;
			return 0;
		}
	}
	ssize_t n = proc_file_once(tid, "status", pt ? &pt->status_fd : NULL, buf, sizeof buf - 1);
	if (n < 0)
		return (int)n;
	buf[n] = 0;
	parse_status(pi, buf);
	if (pt) {
		pt->uid = pi->uid;
		pt->gid = pi->gid;
		pt->creds_known = 1;
	}
	n = proc_file_once(tid, "stat", pt ? &pt->stat_fd : NULL, buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = 0;
		parse_stat(pi, buf);
	}
	return 0;
}

int pd_procinfo_read_clone(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt)
{
	pi->environ_len = 0;
	int rc = read_own(pi, tid, pt);
	if (rc == 0)
		pi->read_tid = tid;
	return rc;
}

int pd_procinfo_thread(struct pd_procinfo *pi, pid_t tid, struct pd_proc_task *pt)
{
	pi->environ_len = 0;
	pi->tid = pi->vtid = tid;
	pi->read_tid = tid;
	if (pt) { /* a thread starts with its creator's credentials */
		pt->uid = pi->uid;
		pt->gid = pi->gid;
		pt->creds_known = 1;
	}
	return 0;
}

/* NUL-terminated strings of n bytes read into buf (cap bytes): the last
 * one cut short ends with a NUL; the length kept. */
static uint32_t whole_strings(char *buf, ssize_t n, size_t cap)
{
	if (n <= 0)
		return 0;
	if (buf[n - 1] != 0) {
		if ((size_t)n == cap)
			n--;
		buf[n++] = 0;
	}
	return (uint32_t)n;
}

/* argv and environ straight from the memory the stat line points at: one
 * process_vm_readv instead of opening, reading and closing two /proc files.
 * 0, or -1 to read the files instead: the addresses unknown, memory
 * unreadable, or argv rewritten past its end (setproctitle: the kernel's
 * cmdline then follows it into environ). */
static int read_args_vm(struct pd_procinfo *pi, pid_t tid, int want_env)
{
	if (!pi->arg_start || pi->arg_end < pi->arg_start || pi->env_end < pi->env_start)
		return -1;
	size_t alen = pi->arg_end - pi->arg_start, elen = want_env ? pi->env_end - pi->env_start : 0;
	int cut = alen > sizeof pi->cmdline;
	if (cut)
		alen = sizeof pi->cmdline;
	if (elen > sizeof pi->environ)
		elen = sizeof pi->environ;
	struct iovec local[2] = {{pi->cmdline, alen}, {pi->environ, elen}};
	struct iovec remote[2] = {{(void *)(uintptr_t)pi->arg_start, alen},
				  {(void *)(uintptr_t)pi->env_start, elen}};
	ssize_t n = process_vm_readv(tid, local, elen ? 2 : 1, remote, elen ? 2 : 1, 0);
	if (n != (ssize_t)(alen + elen) || (alen && !cut && pi->cmdline[alen - 1] != 0))
		return -1;
	pi->cmdline_len = whole_strings(pi->cmdline, (ssize_t)alen, sizeof pi->cmdline);
	pi->environ_len = whole_strings(pi->environ, (ssize_t)elen, sizeof pi->environ);
	return 0;
}

void pd_procinfo_read_program(struct pd_procinfo *pi, pid_t tid, int want_env)
{
	char path[64];
	pi->cmdline_len = pi->environ_len = 0;
	pi->exepath[0] = 0;
	pi->exe_writable = 0;
	if (read_args_vm(pi, tid, want_env) < 0) {
		pi->cmdline_len = whole_strings(pi->cmdline, pd_proc_file(tid, "cmdline", pi->cmdline,
			sizeof pi->cmdline), sizeof pi->cmdline);
		pi->environ_len = want_env ? whole_strings(pi->environ, pd_proc_file(tid, "environ",
			pi->environ, sizeof pi->environ), sizeof pi->environ) : 0;
	}
	ssize_t n;
	snprintf(path, sizeof path, "/proc/%d/exe", (int)tid);
	n = readlink(path, pi->exepath, sizeof pi->exepath - 1);
	pi->exepath[n > 0 ? n : 0] = 0;
	struct stat st;
	pi->exe_setid = 0;
	if (stat(path, &st) == 0) {
		pi->exe_writable = writable_by(&st, pi->uid, pi->gid);
		pi->exe_setid = (st.st_mode & (S_ISUID | S_ISGID)) != 0;
	}
}

void pd_procinfo_read_place(struct pd_procinfo *pi, pid_t tid)
{
	char buf[4096];
	char path[64];
	pi->cgroups_len = 0;
	pi->cwd[0] = 0;
	pi->loginuid = -1;
	ssize_t n = pd_proc_file(tid, "cgroup", buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = 0;
		pd_parse_cgroups(pi, buf);
	}
	snprintf(path, sizeof path, "/proc/%d/cwd", (int)tid);
	n = readlink(path, pi->cwd, sizeof pi->cwd - 1);
	pi->cwd[n > 0 ? n : 0] = 0;
	n = pd_proc_file(tid, "loginuid", buf, sizeof buf - 1);
	if (n > 0) {
		buf[n] = 0;
		pi->loginuid = (int32_t)(uint32_t)strtoul(buf, NULL, 10);
	}
}

void pd_procinfo_read_fdlimit(struct pd_procinfo *pi, pid_t tid)
{
	struct rlimit rl;
	pi->fdlimit = 0;
	if (prlimit(tid, RLIMIT_NOFILE, NULL, &rl) == 0)
		pi->fdlimit = rl.rlim_cur == RLIM_INFINITY ? -1 : (int64_t)rl.rlim_cur;
}

int pd_procinfo_read(struct pd_procinfo *pi, pid_t tid, int want_env)
{
	pi->cmdline_len = pi->environ_len = pi->cgroups_len = 0;
	pi->cwd[0] = pi->exepath[0] = pi->comm[0] = 0;
	pi->fdlimit = 0;
	pi->loginuid = -1;
	pi->exe_writable = pi->exe_setid = 0;
	int rc = read_own(pi, tid, NULL);
	if (rc < 0)
		return rc;
	pd_procinfo_read_program(pi, tid, want_env);
	pd_procinfo_read_place(pi, tid);
	pd_procinfo_read_fdlimit(pi, tid);
	pi->read_tid = tid;
	return 0;
}

int pd_proc_vm(pid_t tid, uint32_t *size_kb, uint32_t *rss_kb, uint32_t *swap_kb)
{
	char buf[2048];
	*size_kb = *rss_kb = *swap_kb = 0;
	ssize_t n = pd_proc_file(tid, "status", buf, sizeof buf - 1);
	if (n < 0)
		return (int)n;
	buf[n] = 0;
	const char *p;
	if ((p = strstr(buf, "\nVmSize:")))
		*size_kb = (uint32_t)strtoul(p + 8, NULL, 10);
	if ((p = strstr(buf, "\nVmRSS:")))
		*rss_kb = (uint32_t)strtoul(p + 7, NULL, 10);
	if ((p = strstr(buf, "\nVmSwap:")))
		*swap_kb = (uint32_t)strtoul(p + 8, NULL, 10);
	return 0;
}
