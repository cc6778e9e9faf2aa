/* The tables behind the state: small string helpers, paths, the fd tables
 * (per process, shared by its threads), the thread table, and the removals
 * deferred to the next event. */
#include <stdlib.h>
#include <string.h>

#include "state_impl.h"

/* ---- small helpers ---- */


static char *xstrdup(struct eng_state *st, const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		st->alloc_failures++;
	return d;
}

/* Replaces *dst by a copy of s; keeps the old value when out of memory. */
void eng_st_set_str(struct eng_state *st, char **dst, const char *s)
{
	char *d = xstrdup(st, s);
	if (d) {
		free(*dst);
		*dst = d;
	}
}

void eng_st_set_buf(struct eng_state *st, char **dst, uint32_t *dlen, const void *s, uint32_t len)
{
	char *d = malloc(len + 1);
	if (!d) {
		st->alloc_failures++;
		return;
	}
	if (len)
		memcpy(d, s, len);
	d[len] = 0;
	free(*dst);
	*dst = d;
	*dlen = len;
}

/* ---- paths ---- */

void eng_path_join(const char *dir, const char *path, char *out, size_t cap)
{
	/* libsinsp's concatenate_paths, as shm_format.h does it for evt.args */
	shm_fmt_path_join(dir, path, path ? strlen(path) + 1 : 0, out, cap);
}

const char *eng_state_at_dir(const struct eng_state *st, struct eng_thread *t, int64_t dirfd,
			     const char *unknown, char *buf, size_t cap)
{
	if (dirfd == SHM_PPM_AT_FDCWD)
		return eng_state_cwd(st, t);
	struct eng_fd *d = eng_state_fd(t, dirfd);
	if (!d || cap < 2)
		return unknown;
	/* like libsinsp, '/' is added whatever the name ends in: "/" gives "//" */
	size_t n = strlen(d->name);
	if (n + 2 > cap)
		n = cap - 2;
	memcpy(buf, d->name, n);
	buf[n] = '/';
	buf[n + 1] = 0;
	return buf;
}

/* ---- fds ---- */

void eng_st_fd_free(struct eng_fd *fd)
{
	if (fd) {
		free(fd->name);
		free(fd);
	}
}

/* Puts a removed fd in the pool for reuse (frees it when the pool is full). */
void eng_st_fd_release(struct eng_state *st, struct eng_fd *fd)
{
	if (!fd)
		return;
	if (st->nfd_pool < ENG_FD_POOL)
		st->fd_pool[st->nfd_pool++] = fd;
	else
		eng_st_fd_free(fd);
}

/* Copies s into fd's name, reusing its buffer when it is large enough; keeps
 * the old name when out of memory. 0 or -ENOMEM. */
int eng_st_fd_set_name(struct eng_state *st, struct eng_fd *fd, const char *s)
{
	size_t n = strlen(s) + 1;
	if (n > fd->name_cap) {
		size_t cap = n < 64 ? 64 : (n + 63) & ~(size_t)63;
		char *p = cap <= UINT32_MAX ? realloc(fd->name, cap) : NULL;
		if (!p) {
			st->alloc_failures++;
			return -ENOMEM;
		}
		fd->name = p;
		fd->name_cap = (uint32_t)cap;
	}
	memcpy(fd->name, s, n);
	return 0;
}

/* A zeroed fd named name, from the pool when it has one. */
static struct eng_fd *fd_get(struct eng_state *st, const char *name)
{
	struct eng_fd *fd;
	if (st->nfd_pool) {
		fd = st->fd_pool[--st->nfd_pool];
		char *buf = fd->name;
		uint32_t cap = fd->name_cap;
		memset(fd, 0, sizeof(*fd));
		fd->name = buf;
		fd->name_cap = cap;
	} else if (!(fd = calloc(1, sizeof(*fd)))) {
		st->alloc_failures++;
		return NULL;
	}
	if (eng_st_fd_set_name(st, fd, name ? name : "")) {
		eng_st_fd_release(st, fd);
		return NULL;
	}
	return fd;
}

struct eng_fdtable *eng_st_fdt_new(struct eng_state *st)
{
	struct eng_fdtable *t = calloc(1, sizeof(*t));
	if (!t) {
		st->alloc_failures++;
		return NULL;
	}
	t->refs = 1;
	return t;
}

void eng_st_fdt_unref(struct eng_state *st, struct eng_fdtable *t)
{
	if (!t || --t->refs)
		return;
	for (size_t i = 0; i < t->fds.cap; i++)
		eng_st_fd_release(st, t->fds.slots[i].val);
	eng_map_clear(&t->fds);
	free(t);
}

static struct eng_fd *fd_dup(struct eng_state *st, const struct eng_fd *src)
{
	struct eng_fd *fd = fd_get(st, src->name);
	if (!fd)
		return NULL;
	char *name = fd->name;
	uint32_t cap = fd->name_cap;
	*fd = *src;
	fd->name = name;
	fd->name_cap = cap;
	return fd;
}

struct eng_fdtable *eng_st_fdt_copy(struct eng_state *st, const struct eng_fdtable *src)
{
	struct eng_fdtable *t = eng_st_fdt_new(st);
	if (!t || !src)
		return t;
	for (size_t i = 0; i < src->fds.cap; i++) {
		struct eng_fd *f = src->fds.slots[i].val, *c;
		if (!f || !(c = fd_dup(st, f)))
			continue;
		if (eng_map_put(&t->fds, c->num, c)) {
			st->alloc_failures++;
			eng_st_fd_release(st, c);
		}
	}
	return t;
}

/* Installs a new fd (replacing any old one of that number); returns it. */
struct eng_fd *eng_st_fd_add(struct eng_state *st, struct eng_thread *t, int64_t num,
			     uint8_t type, const char *name)
{
	if (!t || !t->fdt || num < 0)
		return NULL;
	struct eng_fd *fd = fd_get(st, name);
	if (!fd)
		return NULL;
	fd->num = num;
	fd->type = type;
	/* a pending removal of this same number is for the old fd */
	if (st->dead_fdt == t->fdt && (st->dead_fd == num || st->dead_fd2 == num)) {
		if (st->dead_fd == num)
			st->dead_fd = -1;
		else
			st->dead_fd2 = -1;
	}
	struct eng_fd *old = eng_map_del(&t->fdt->fds, num);
	eng_st_fd_release(st, old);
	if (eng_map_put(&t->fdt->fds, num, fd)) {
		st->alloc_failures++;
		eng_st_fd_release(st, fd);
		return NULL;
	}
	return fd;
}

struct eng_fd *eng_state_fd(struct eng_thread *t, int64_t fd)
{
	if (!t || !t->fdt)
		return NULL;
	return eng_map_get(&t->fdt->fds, fd);
}

const char *eng_fd_typechar(const struct eng_fd *fd)
{
	switch (fd->type) {
	case SHM_SCAP_FD_FILE:
	case SHM_SCAP_FD_FILE_V2: return "f";
	case SHM_SCAP_FD_DIRECTORY: return "d";
	case SHM_SCAP_FD_IPV4_SOCK:
	case SHM_SCAP_FD_IPV4_SERVSOCK: return "4";
	case SHM_SCAP_FD_IPV6_SOCK:
	case SHM_SCAP_FD_IPV6_SERVSOCK: return "6";
	case SHM_SCAP_FD_FIFO: return "p";
	case SHM_SCAP_FD_UNIX_SOCK: return "u";
	case SHM_SCAP_FD_EVENT: return "e";
	case SHM_SCAP_FD_SIGNALFD: return "s";
	case SHM_SCAP_FD_EVENTPOLL: return "l";
	case SHM_SCAP_FD_INOTIFY: return "i";
	case SHM_SCAP_FD_TIMERFD: return "t";
	case SHM_SCAP_FD_NETLINK: return "n";
	case SHM_SCAP_FD_MEMFD: return "m";
	default: return "o";
	}
}

const char *eng_fd_typename(const struct eng_fd *fd)
{
	switch (fd->type) {
	case SHM_SCAP_FD_FILE:
	case SHM_SCAP_FD_FILE_V2: return "file";
	case SHM_SCAP_FD_DIRECTORY: return "directory";
	case SHM_SCAP_FD_IPV4_SOCK:
	case SHM_SCAP_FD_IPV4_SERVSOCK: return "ipv4";
	case SHM_SCAP_FD_IPV6_SOCK:
	case SHM_SCAP_FD_IPV6_SERVSOCK: return "ipv6";
	case SHM_SCAP_FD_FIFO: return "pipe";
	case SHM_SCAP_FD_UNIX_SOCK: return "unix";
	case SHM_SCAP_FD_EVENT: return "event";
	case SHM_SCAP_FD_SIGNALFD: return "signalfd";
	case SHM_SCAP_FD_EVENTPOLL: return "eventpoll";
	case SHM_SCAP_FD_INOTIFY: return "inotify";
	case SHM_SCAP_FD_TIMERFD: return "timerfd";
	case SHM_SCAP_FD_NETLINK: return "netlink";
	case SHM_SCAP_FD_MEMFD: return "memfd";
	default: return "unknown";
	}
}

/* ---- threads ---- */

/* Numbers for eng_thread.text_gen, unique in the process (not only in one
 * state): a field keeping a command line checks one number. */
uint64_t eng_st_next_text_gen(void)
{
	static uint64_t last;
	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

void eng_st_thread_free(struct eng_state *st, struct eng_thread *t)
{
	if (!t)
		return;
	free(t->comm);
	free(t->exe);
	free(t->exepath);
	free(t->args);
	free(t->env);
	free(t->cwd);
	free(t->enter);
	free(t->container_id);
	eng_st_fdt_unref(st, t->fdt);
	free(t);
}

struct eng_thread *eng_st_thread_alloc(struct eng_state *st, int64_t tid)
{
	struct eng_thread *t = calloc(1, sizeof(*t));
	if (!t)
		goto nomem;
	t->tid = tid;
	t->pid = t->ptid = -1;
	t->vtid = t->vpid = -1;
	t->lastevent_fd = -1;
	t->loginuid = -1;
	t->uid = t->gid = UINT32_MAX;
	t->comm = strdup("");
	t->exe = strdup("");
	t->exepath = strdup("");
	t->args = strdup("");
	t->cwd = strdup("/");
	if (!t->comm || !t->exe || !t->exepath || !t->args || !t->cwd)
		goto nomem;
	t->text_gen = eng_st_next_text_gen();
	return t;
nomem:
	st->alloc_failures++;
	eng_st_thread_free(st, t);
	return NULL;
}

/* Puts t in the table, replacing (and freeing) any thread of that tid. */
int eng_st_thread_insert(struct eng_state *st, struct eng_thread *t)
{
	struct eng_thread *old = eng_map_del(&st->threads, t->tid);
	if (old) {
		eng_st_thread_free(st, old);
		st->nthreads_removed++;
	}
	if (st->dead_tid == t->tid)
		st->dead_tid = -1;
	if (eng_map_put(&st->threads, t->tid, t)) {
		st->alloc_failures++;
		eng_st_thread_free(st, t);
		return -ENOMEM;
	}
	st->nthreads_created++;
	return 0;
}

struct eng_thread *eng_state_thread(const struct eng_state *st, int64_t tid)
{
	return eng_map_get(&st->threads, tid);
}

struct eng_thread *eng_state_main_thread(const struct eng_state *st, struct eng_thread *t)
{
	if (!t || t->pid == t->tid || t->pid < 0)
		return t;
	struct eng_thread *m = eng_state_thread(st, t->pid);
	return m ? m : t;
}

struct eng_thread *eng_state_parent(const struct eng_state *st, struct eng_thread *t)
{
	struct eng_thread *m = eng_state_main_thread(st, t);
	if (!m || m->ptid < 0)
		return NULL;
	return eng_state_thread(st, m->ptid);
}

int eng_state_is_entrypoint(const struct eng_state *st, struct eng_thread *t)
{
	struct eng_thread *m = eng_state_main_thread(st, t);
	if (!m || m->ptid < 0)
		return -ENOENT;
	if (!m->traced && !(t && t->traced))
		return 0;
	if (m->ptid == 0)
		return 1;
	struct eng_thread *p = eng_state_thread(st, m->ptid);
	if (!p)
		return 0; /* its parent is gone: an orphan, not the root */
	return !p->traced && !eng_state_main_thread(st, p)->traced;
}

const char *eng_state_cwd(const struct eng_state *st, struct eng_thread *t)
{
	struct eng_thread *m = eng_state_main_thread(st, t);
	return m ? m->cwd : "/";
}

/* Gives t the fd table of its process (threads share it), or a new one. */
void eng_st_attach_fdtable(struct eng_state *st, struct eng_thread *t)
{
	if (t->fdt)
		return;
	struct eng_thread *m = (t->pid >= 0 && t->pid != t->tid) ? eng_state_thread(st, t->pid)
								  : NULL;
	if (m && m->fdt) {
		t->fdt = m->fdt;
		t->fdt->refs++;
	} else {
		t->fdt = eng_st_fdt_new(st);
	}
}

/* cwd as libsinsp keeps it: absolute, ending in '/'. */
void eng_st_set_cwd(struct eng_state *st, struct eng_thread *t, const char *base, const char *path)
{
	char buf[4096 + 2];
	eng_path_join(base, path, buf, sizeof(buf) - 1);
	size_t n = strlen(buf);
	if (n == 0 || buf[n - 1] != '/') {
		buf[n] = '/';
		buf[n + 1] = 0;
	}
	eng_st_set_str(st, &t->cwd, buf);
}

/* ---- deferred removals ---- */

static void remove_thread(struct eng_state *st, int64_t tid)
{
	struct eng_thread *t = eng_map_del(&st->threads, tid);
	if (t) {
		eng_st_thread_free(st, t);
		st->nthreads_removed++;
	}
}

void eng_st_run_deferred(struct eng_state *st)
{
	if (st->dead_fdt) {
		if (st->dead_fd >= 0)
			eng_st_fd_release(st, eng_map_del(&st->dead_fdt->fds, st->dead_fd));
		if (st->dead_fd2 >= 0)
			eng_st_fd_release(st, eng_map_del(&st->dead_fdt->fds, st->dead_fd2));
		eng_st_fdt_unref(st, st->dead_fdt);
		st->dead_fdt = NULL;
		st->dead_fd = st->dead_fd2 = -1;
	}
	if (st->dead_tid >= 0) {
		remove_thread(st, st->dead_tid);
		st->dead_tid = -1;
	}
}

void eng_st_defer_fd_removal(struct eng_state *st, struct eng_thread *t, int64_t fd)
{
	if (!t->fdt)
		return;
	if (st->dead_fdt && st->dead_fdt != t->fdt)
		eng_st_run_deferred(st);
	if (!st->dead_fdt) {
		st->dead_fdt = t->fdt;
		st->dead_fdt->refs++; /* keeps the table alive until the removal */
	}
	if (st->dead_fd < 0)
		st->dead_fd = fd;
	else
		st->dead_fd2 = fd;
}
