/* The process events' parsers: clone/fork/vfork/clone3, execve/execveat
 * (close-on-exec, memfd executables) and the set*id credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state_impl.h"

/* fork's, vfork's and clone3's exits are read as clone's */
SHM_SAME_LAYOUT(FORK_20_X, CLONE_20_X);
SHM_SAME_LAYOUT(VFORK_20_X, CLONE_20_X);
SHM_SAME_LAYOUT(CLONE3_X, CLONE_20_X);

/* exe, comm and args from a clone or execve exit (the parameters' indexes
 * given): the thread's program as the event names it. */
static void set_program(struct eng_state *st, struct eng_thread *t, const struct shm_evt *e,
			unsigned exe_i, unsigned comm_i, unsigned args_i)
{
	const char *exe = shm_evt_str(e, exe_i);
	const char *comm = shm_evt_str(e, comm_i);
	eng_st_set_str(st, &t->exe, exe ? exe : "");
	eng_st_set_str(st, &t->comm, comm ? comm : "");
	eng_st_set_buf(st, &t->args, &t->args_len, e->val[args_i], shm_evt_len(e, args_i));
	t->text_gen = eng_st_next_text_gen();
}

/* A new thread for clone's child: from the caller, then the event. */
void eng_st_parse_clone_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	int64_t res = shm_evt_s64(e, SHM_P_CLONE_20_X_RES, -1);
	uint32_t flags = (uint32_t)shm_evt_u64(e, SHM_P_CLONE_20_X_FLAGS, 0);
	int64_t caller = (int64_t)e->tid, child = res;
	int inverted = 0;

	if (res < 0)
		return;
	int64_t vtid = shm_evt_s64(e, SHM_P_CLONE_20_X_VTID, caller);
	if (res == 0) {
		if (ev->thread)
			return; /* the parent's exit already created us */
		/* the child's exit came first: build it from the parent */
		inverted = 1;
		child = caller;
		/* the caller as libsinsp takes it: a thread's process, a process's parent */
		unsigned i = (flags & SHM_PPM_CL_CLONE_THREAD) ? SHM_P_CLONE_20_X_PID
							       : SHM_P_CLONE_20_X_PTID;
		caller = shm_evt_s64(e, i, -1);
	} else if (vtid != caller) {
		return; /* a parent in a pid namespace only sees the child's inner tid */
	}
	struct eng_thread *p = eng_state_thread(st, caller);
	struct eng_thread *old = eng_state_thread(st, child);
	if (old && (old->flags & SHM_PPM_CL_CLONE_INVERTED))
		return;
	struct eng_thread *t = eng_st_thread_alloc(st, child);
	if (!t)
		return;
	t->ptid = caller;
	t->traced = 1; /* a traced program's child is traced */
	if (p) {
		eng_st_set_str(st, &t->exepath, p->exepath);
		t->exe_writable = p->exe_writable;
		t->exe_memfd = p->exe_memfd;
		t->exe_upper = p->exe_upper;
		t->sid = p->sid;
		t->vpgid = p->vpgid;
		t->tty = p->tty;
		t->loginuid = p->loginuid;
	}
	t->pid = shm_evt_s64(e, SHM_P_CLONE_20_X_PID, -1);
	/* a new process starts with its parent's environment (libsinsp copies
	 * it too); threads read their main thread's */
	if (p && !(flags & SHM_PPM_CL_CLONE_THREAD)) {
		struct eng_thread *pm = eng_state_main_thread(st, p);
		if (pm->env)
			eng_st_set_buf(st, &t->env, &t->env_len, pm->env, pm->env_len);
	}
	t->flags = flags | (inverted ? SHM_PPM_CL_CLONE_INVERTED : 0);
	if (!(flags & SHM_PPM_CL_CLONE_THREAD)) {
		t->pid = child;
		t->fdt = p ? eng_st_fdt_copy(st, p->fdt) : eng_st_fdt_new(st);
		eng_st_set_str(st, &t->cwd, p ? eng_state_cwd(st, p) : "/");
	} else if (p) {
		struct eng_thread *m = eng_state_main_thread(st, p);
		eng_st_set_str(st, &t->cwd, m->cwd);
	}
	set_program(st, t, e, SHM_P_CLONE_20_X_EXE, SHM_P_CLONE_20_X_COMM, SHM_P_CLONE_20_X_ARGS);
	t->uid = (uint32_t)shm_evt_u64(e, SHM_P_CLONE_20_X_UID, UINT32_MAX);
	t->gid = (uint32_t)shm_evt_u64(e, SHM_P_CLONE_20_X_GID, UINT32_MAX);
	t->vtid = t->tid;
	t->vpid = t->pid;
	t->clone_ts = e->ts;
	if (eng_st_thread_insert(st, t))
		return;
	eng_st_attach_fdtable(st, t);
	/* after the insert: mesos looks for its task id in the ancestors */
	eng_container_set_thread(st, t, (const char *)e->val[SHM_P_CLONE_20_X_CGROUPS],
				 shm_evt_len(e, SHM_P_CLONE_20_X_CGROUPS));
	if (inverted)
		ev->thread = t;
	else if (old == ev->thread)
		ev->thread = eng_state_thread(st, (int64_t)e->tid);
}

static void close_on_exec(struct eng_state *st, struct eng_thread *t)
{
	if (!t->fdt)
		return;
	/* collect first: deleting while walking would move entries */
	int64_t nums[256];
	size_t n;
	do {
		n = 0;
		for (size_t i = 0; i < t->fdt->fds.cap && n < 256; i++) {
			struct eng_fd *f = t->fdt->fds.slots[i].val;
			if (f && f->cloexec)
				nums[n++] = f->num;
		}
		for (size_t i = 0; i < n; i++)
			eng_st_fd_release(st, eng_map_del(&t->fdt->fds, nums[i]));
	} while (n == 256);
}

/* The kernel names a memfd's file "memfd:NAME" ("/memfd:NAME (deleted)"
 * as /proc/PID/exe). */
int eng_st_is_memfd_path(const char *p)
{
	return p && (!strncmp(p, "memfd:", 6) || !strncmp(p, "/memfd:", 7));
}

/* fexecve(): an execve of /proc/self/fd/N, /proc/PID/fd/N or /dev/fd/N runs
 * the file of fd N. When that fd is a memfd, or is not known at all (an fd
 * made by a call the events do not decode, or a memfd_create recorded
 * before pdig gave it its fd: shm_event.h's extensions), the program runs
 * from memory. */
static int exec_through_memfd(struct eng_thread *t, const char *path)
{
	const char *n = NULL;
	if (!strncmp(path, "/proc/self/fd/", 14))
		n = path + 14;
	else if (!strncmp(path, "/dev/fd/", 8))
		n = path + 8;
	else if (!strncmp(path, "/proc/", 6)) {
		const char *p = path + 6;
		while (*p >= '0' && *p <= '9')
			p++;
		if (p > path + 6 && !strncmp(p, "/fd/", 4))
			n = p + 4;
	}
	if (!n || *n < '0' || *n > '9')
		return 0;
	char *end;
	long fdn = strtol(n, &end, 10);
	if (*end)
		return 0;
	struct eng_fd *fd = eng_state_fd(t, fdn);
	return !fd || fd->type == SHM_SCAP_FD_MEMFD || eng_st_is_memfd_path(fd->name);
}

/* execveat's exit is read as execve's (their enters differ) */
SHM_SAME_LAYOUT(EXECVEAT_X, EXECVE_19_X);

void eng_st_parse_execve_exit(struct eng_state *st, struct eng_event *ev, int is_execveat)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_thread *t = ev->thread;
	if (shm_evt_s64(e, SHM_P_EXECVE_19_X_RES, -1) < 0 || !t)
		return;
	set_program(st, t, e, SHM_P_EXECVE_19_X_EXE, SHM_P_EXECVE_19_X_COMM, SHM_P_EXECVE_19_X_ARGS);
	eng_st_set_buf(st, &t->env, &t->env_len, e->val[SHM_P_EXECVE_19_X_ENV],
		shm_evt_len(e, SHM_P_EXECVE_19_X_ENV));
	t->pid = shm_evt_s64(e, SHM_P_EXECVE_19_X_PID, t->pid);
	if (t->ptid == -1)
		t->ptid = shm_evt_s64(e, SHM_P_EXECVE_19_X_PTID, -1);
	t->tty = (uint32_t)shm_evt_u64(e, SHM_P_EXECVE_19_X_TTY, t->tty);
	t->vpgid = shm_evt_s64(e, SHM_P_EXECVE_19_X_PGID, t->vpgid);
	t->loginuid = (int32_t)shm_evt_s64(e, SHM_P_EXECVE_19_X_LOGINUID, t->loginuid);
	uint64_t xfl = shm_evt_u64(e, SHM_P_EXECVE_19_X_FLAGS, 0);
	t->exe_writable = (xfl & SHM_PPM_EXE_WRITABLE) != 0;
	t->exe_upper = (xfl & SHM_PPM_EXE_UPPER_LAYER) != 0;
	t->exe_memfd = (xfl & SHM_PPM_EXE_FROM_MEMFD) != 0;
	if (ev->enter) {
		char path[4096], dirbuf[4096];
		const char *fn = is_execveat ? shm_evt_str(ev->enter, SHM_P_EXECVEAT_E_PATHNAME)
					     : shm_evt_str(ev->enter, SHM_P_EXECVE_19_E_FILENAME);
		uint64_t atfl = is_execveat ? shm_evt_u64(ev->enter, SHM_P_EXECVEAT_E_FLAGS, 0) : 0;
		if (fn && strncmp(fn, "<NA>", 4) == 0) {
			eng_st_set_str(st, &t->exepath, "<NA>");
		} else if (fn && !fn[0] && (atfl & SHM_PPM_EXVAT_AT_EMPTY_PATH)) {
			/* fexecve(): the program is the dirfd's file, named as the fd
			 * is (a memfd as the kernel names it: "memfd:NAME") */
			struct eng_fd *fd = eng_state_fd(t, shm_evt_s64(ev->enter,
								SHM_P_EXECVEAT_E_DIRFD, -1));
			char mname[4096];
			const char *xp = fd && fd->name[0] ? fd->name : "<NA>";
			if (fd && fd->type == SHM_SCAP_FD_MEMFD) { /* as the kernel names it */
				snprintf(mname, sizeof mname, "memfd:%s", fd->name);
				xp = mname;
			}
			eng_st_set_str(st, &t->exepath, xp);
			t->exe_memfd |= fd && (fd->type == SHM_SCAP_FD_MEMFD ||
					       eng_st_is_memfd_path(fd->name));
		} else if (fn) {
			const char *dir = eng_state_cwd(st, t);
			if (is_execveat && fn[0] != '/') {
				int64_t dirfd = shm_evt_s64(ev->enter, SHM_P_EXECVEAT_E_DIRFD,
							    SHM_PPM_AT_FDCWD);
				dir = eng_state_at_dir(st, t, dirfd, "<UNKNOWN>", dirbuf,
						       sizeof(dirbuf));
			}
			eng_path_join(dir, fn, path, sizeof(path));
			eng_st_set_str(st, &t->exepath, path);
			t->exe_memfd |= eng_st_is_memfd_path(path) || exec_through_memfd(t, path);
		}
	}
	t->flags &= SHM_PPM_CL_CLONE_INVERTED;
	eng_container_set_thread(st, t, (const char *)e->val[SHM_P_EXECVE_19_X_CGROUPS],
				 shm_evt_len(e, SHM_P_EXECVE_19_X_CGROUPS));
	t->placeholder = 0; /* the event told us who it is now */
	close_on_exec(st, t);
}

void eng_st_parse_setsid_exit(struct eng_state *st, struct eng_event *ev)
{
	(void)st;
	int64_t sid = shm_evt_s64(&ev->evt, SHM_P_SETSID_X_RES, -1);
	if (ev->thread && sid >= 0)
		ev->thread->sid = sid;
}

void eng_st_parse_set_ids(struct eng_state *st, struct eng_event *ev)
{
	struct eng_thread *t = ev->thread;
	(void)st;
	if (!t || !ev->enter || shm_evt_s64(&ev->evt, SHM_P_RES, -1) < 0)
		return;
	uint64_t v;
	switch (ev->evt.type) {
	case SHM_EV_SYSCALL_SETUID_X:
		if (!shm_evt_get_u64(ev->enter, SHM_P_SETUID_E_UID, &v))
			t->uid = (uint32_t)v;
		break;
	case SHM_EV_SYSCALL_SETGID_X:
		if (!shm_evt_get_u64(ev->enter, SHM_P_SETGID_E_GID, &v))
			t->gid = (uint32_t)v;
		break;
	case SHM_EV_SYSCALL_SETRESUID_X:
		if (!shm_evt_get_u64(ev->enter, SHM_P_SETRESUID_E_EUID, &v) &&
		    (uint32_t)v != UINT32_MAX)
			t->uid = (uint32_t)v;
		break;
	case SHM_EV_SYSCALL_SETRESGID_X:
		if (!shm_evt_get_u64(ev->enter, SHM_P_SETRESGID_E_EGID, &v) &&
		    (uint32_t)v != UINT32_MAX)
			t->gid = (uint32_t)v;
		break;
	}
}
