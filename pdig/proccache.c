/*
 * The process-wide facts of recent /proc reads, kept briefly (procfs.h):
 * a burst of threads or forks from one process reads its program (args,
 * exe) and place (cwd, cgroups, login uid) once, not at every clone, and
 * an execve reads only its new program (the place is what it keeps). The
 * ids, name, memory and fault counters and the fd limit are read fresh
 * every time, the credentials unless the thread's kept state knows them
 * (struct pd_proc_task).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "procfs.h"

#define PD_PROC_CACHE_N 4

struct pd_proc_entry {
	pid_t tgid;         /* 0: empty */
	uint64_t read_ns;   /* when its /proc was read */
	uint64_t used;      /* the cache's use count when last used: the least goes */
	/* the program: args, exe, and exe_writable as judged for uid/gid */
	uint32_t cmdline_len;
	int exe_writable;
	uint32_t uid, gid;
	char cmdline[PD_ARGS_MAX];
	char exepath[4096];
	/* the place */
	uint32_t cgroups_len;
	int32_t loginuid;
	char cgroups[PD_CGROUPS_MAX];
	char cwd[4096];
};

struct pd_proc_cache {
	struct pd_proc_entry e[PD_PROC_CACHE_N];
	uint64_t uses;
	uint64_t hits, misses;
};

static uint64_t coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int pd_proc_cache_new(struct pd_proc_cache **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : -ENOMEM;
}

void pd_proc_cache_free(struct pd_proc_cache *pc)
{
	free(pc);
}

void pd_proc_cache_counts(const struct pd_proc_cache *pc, uint64_t *hits, uint64_t *misses)
{
	*hits = pc ? pc->hits : 0;
	*misses = pc ? pc->misses : 0;
}

/* tgid's entry if it is young enough to use */
static struct pd_proc_entry *fresh(struct pd_proc_cache *pc, pid_t tgid)
{
	for (unsigned i = 0; i < PD_PROC_CACHE_N; i++) {
		struct pd_proc_entry *e = &pc->e[i];
		if (e->tgid == tgid && tgid > 0) {
			if (coarse_ns() - e->read_ns >= PD_PROC_CACHE_NS)
				return NULL;
			e->used = ++pc->uses;
			return e;
		}
	}
	return NULL;
}

void pd_proc_cache_put(struct pd_proc_cache *pc, const struct pd_procinfo *pi)
{
	if (!pc || pi->tgid <= 0 || !pi->read_tid)
		return;
	struct pd_proc_entry *e = NULL;
	for (unsigned i = 0; i < PD_PROC_CACHE_N && !e; i++)
		if (pc->e[i].tgid == (pid_t)pi->tgid)
			e = &pc->e[i];
	if (!e) { /* the least recently used goes */
		e = &pc->e[0];
		for (unsigned i = 1; i < PD_PROC_CACHE_N; i++)
			if (pc->e[i].used < e->used)
				e = &pc->e[i];
	}
	e->tgid = (pid_t)pi->tgid;
	e->read_ns = coarse_ns();
	e->used = ++pc->uses;
	e->cmdline_len = pi->cmdline_len;
	memcpy(e->cmdline, pi->cmdline, pi->cmdline_len);
	strcpy(e->exepath, pi->exepath);
	e->exe_writable = pi->exe_writable;
	e->uid = pi->uid;
	e->gid = pi->gid;
	e->cgroups_len = pi->cgroups_len;
	memcpy(e->cgroups, pi->cgroups, pi->cgroups_len);
	strcpy(e->cwd, pi->cwd);
	e->loginuid = pi->loginuid;
}

void pd_proc_cache_forget(struct pd_proc_cache *pc, pid_t tgid)
{
	if (!pc)
		return;
	for (unsigned i = 0; i < PD_PROC_CACHE_N; i++)
		if (!tgid || pc->e[i].tgid == tgid)
			pc->e[i].tgid = 0;
}

static void use_place(struct pd_procinfo *pi, const struct pd_proc_entry *e)
{
	pi->cgroups_len = e->cgroups_len;
	memcpy(pi->cgroups, e->cgroups, e->cgroups_len);
	strcpy(pi->cwd, e->cwd);
	pi->loginuid = e->loginuid;
}

int pd_procinfo_read_cached(struct pd_procinfo *pi, struct pd_proc_cache *pc, pid_t tid,
			    pid_t like, struct pd_proc_task *pt)
{
	pi->cmdline_len = pi->cgroups_len = 0;
	pi->cwd[0] = pi->exepath[0] = 0;
	pi->fdlimit = 0;
	pi->loginuid = -1;
	pi->exe_writable = pi->exe_setid = 0;
	int rc = pd_procinfo_read_clone(pi, tid, pt); /* ids, creds, name, memory */
	if (rc < 0)
		return rc;
	struct pd_proc_entry *e = pc ? fresh(pc, like ? like : (pid_t)pi->tgid) : NULL;
	/* exe_writable depends on the credentials: judged again if they moved */
	if (!e || e->uid != pi->uid || e->gid != pi->gid) {
		if (pc)
			pc->misses++;
		pd_procinfo_read_program(pi, tid, 0);
		pd_procinfo_read_place(pi, tid);
		pd_procinfo_read_fdlimit(pi, tid);
		pd_proc_cache_put(pc, pi);
		return 0;
	}
	pc->hits++;
	pi->cmdline_len = e->cmdline_len;
	memcpy(pi->cmdline, e->cmdline, e->cmdline_len);
	strcpy(pi->exepath, e->exepath);
	pi->exe_writable = e->exe_writable;
	use_place(pi, e);
	pd_procinfo_read_fdlimit(pi, tid); /* one cheap call: setrlimit is not traced */
	if (pi->tgid != e->tgid)
		pd_proc_cache_put(pc, pi); /* a new process, like its creator */
	return 0;
}

int pd_procinfo_read_exec(struct pd_procinfo *pi, struct pd_proc_cache *pc, pid_t tid,
			  struct pd_proc_task *pt)
{
	pi->cgroups_len = 0;
	pi->cwd[0] = 0;
	pi->fdlimit = 0;
	pi->loginuid = -1;
	int creds_kept = pt && pt->creds_known; /* not read from status now */
	int rc = pd_procinfo_read_clone(pi, tid, pt);
	if (rc < 0)
		return rc;
	pd_procinfo_read_program(pi, tid, 1);
	if (pi->exe_setid && creds_kept) {
		/* a set-user-ID or set-group-ID program may have new credentials:
		 * status tells, and exe_writable is judged for them */
		pd_proc_task_creds_changed(pt);
		rc = pd_procinfo_read_clone(pi, tid, pt);
		if (rc < 0)
			return rc;
		pd_procinfo_read_program(pi, tid, 1);
	}
	struct pd_proc_entry *e = pc ? fresh(pc, (pid_t)pi->tgid) : NULL;
	if (e) {
		pc->hits++;
		use_place(pi, e);
	} else {
		if (pc)
			pc->misses++;
		pd_procinfo_read_place(pi, tid);
	}
	pd_procinfo_read_fdlimit(pi, tid);
	pd_proc_cache_put(pc, pi);
	return 0;
}
