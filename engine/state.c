/* Threads, fds, users: the state rebuilt from events (see eng_state.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eng_state.h"
#include "shm_format.h"

/* ---- small helpers ---- */

static int is_memfd_path(const char *p);

static char *xstrdup(struct eng_state *st, const char *s)
{
	char *d = strdup(s ? s : "");
	if (!d)
		st->alloc_failures++;
	return d;
}

/* Replaces *dst by a copy of s; keeps the old value when out of memory. */
static void set_str(struct eng_state *st, char **dst, const char *s)
{
	char *d = xstrdup(st, s);
	if (d) {
		free(*dst);
		*dst = d;
	}
}

static void set_buf(struct eng_state *st, char **dst, uint32_t *dlen, const void *s, uint32_t len)
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

static void fd_free(struct eng_fd *fd)
{
	if (fd) {
		free(fd->name);
		free(fd);
	}
}

/* Puts a removed fd in the pool for reuse (frees it when the pool is full). */
static void fd_release(struct eng_state *st, struct eng_fd *fd)
{
	if (!fd)
		return;
	if (st->nfd_pool < ENG_FD_POOL)
		st->fd_pool[st->nfd_pool++] = fd;
	else
		fd_free(fd);
}

/* Copies s into fd's name, reusing its buffer when it is large enough; keeps
 * the old name when out of memory. 0 or -ENOMEM. */
static int fd_set_name(struct eng_state *st, struct eng_fd *fd, const char *s)
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
	if (fd_set_name(st, fd, name ? name : "")) {
		fd_release(st, fd);
		return NULL;
	}
	return fd;
}

static struct eng_fdtable *fdt_new(struct eng_state *st)
{
	struct eng_fdtable *t = calloc(1, sizeof(*t));
	if (!t) {
		st->alloc_failures++;
		return NULL;
	}
	t->refs = 1;
	return t;
}

static void fdt_unref(struct eng_state *st, struct eng_fdtable *t)
{
	if (!t || --t->refs)
		return;
	for (size_t i = 0; i < t->fds.cap; i++)
		fd_release(st, t->fds.slots[i].val);
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

static struct eng_fdtable *fdt_copy(struct eng_state *st, const struct eng_fdtable *src)
{
	struct eng_fdtable *t = fdt_new(st);
	if (!t || !src)
		return t;
	for (size_t i = 0; i < src->fds.cap; i++) {
		struct eng_fd *f = src->fds.slots[i].val, *c;
		if (!f || !(c = fd_dup(st, f)))
			continue;
		if (eng_map_put(&t->fds, c->num, c)) {
			st->alloc_failures++;
			fd_release(st, c);
		}
	}
	return t;
}

/* Installs a new fd (replacing any old one of that number); returns it. */
static struct eng_fd *fd_add(struct eng_state *st, struct eng_thread *t, int64_t num,
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
	fd_release(st, old);
	if (eng_map_put(&t->fdt->fds, num, fd)) {
		st->alloc_failures++;
		fd_release(st, fd);
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
	default: return "unknown";
	}
}

/* ---- threads ---- */

/* Numbers for eng_thread.text_gen, unique in the process (not only in one
 * state): a field keeping a command line checks one number. */
static uint64_t next_text_gen(void)
{
	static uint64_t last;
	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

static void thread_free(struct eng_state *st, struct eng_thread *t)
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
	fdt_unref(st, t->fdt);
	free(t);
}

static struct eng_thread *thread_alloc(struct eng_state *st, int64_t tid)
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
	t->text_gen = next_text_gen();
	return t;
nomem:
	st->alloc_failures++;
	thread_free(st, t);
	return NULL;
}

/* Puts t in the table, replacing (and freeing) any thread of that tid. */
static int thread_insert(struct eng_state *st, struct eng_thread *t)
{
	struct eng_thread *old = eng_map_del(&st->threads, t->tid);
	if (old) {
		thread_free(st, old);
		st->nthreads_removed++;
	}
	if (st->dead_tid == t->tid)
		st->dead_tid = -1;
	if (eng_map_put(&st->threads, t->tid, t)) {
		st->alloc_failures++;
		thread_free(st, t);
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

const char *eng_state_cwd(const struct eng_state *st, struct eng_thread *t)
{
	struct eng_thread *m = eng_state_main_thread(st, t);
	return m ? m->cwd : "/";
}

/* Gives t the fd table of its process (threads share it), or a new one. */
static void attach_fdtable(struct eng_state *st, struct eng_thread *t)
{
	if (t->fdt)
		return;
	struct eng_thread *m = (t->pid >= 0 && t->pid != t->tid) ? eng_state_thread(st, t->pid)
								  : NULL;
	if (m && m->fdt) {
		t->fdt = m->fdt;
		t->fdt->refs++;
	} else {
		t->fdt = fdt_new(st);
	}
}

/* ---- users ---- */

const struct eng_user *eng_state_user(const struct eng_state *st, uint32_t uid)
{
	return eng_map_get(&st->users, uid);
}

const struct eng_group *eng_state_group(const struct eng_state *st, uint32_t gid)
{
	return eng_map_get(&st->groups, gid);
}

int eng_state_add_user(struct eng_state *st, const struct shm_scap_user *u)
{
	struct eng_user *e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->uid = u->uid;
	e->gid = u->gid;
	e->name = strdup(u->name ? u->name : "");
	e->homedir = strdup(u->homedir ? u->homedir : "");
	e->shell = strdup(u->shell ? u->shell : "");
	struct eng_user *old = NULL;
	if (!e->name || !e->homedir || !e->shell)
		goto nomem;
	old = eng_map_del(&st->users, u->uid);
	if (eng_map_put(&st->users, u->uid, e))
		goto nomem;
	if (old) {
		free(old->name);
		free(old->homedir);
		free(old->shell);
		free(old);
	}
	return 0;
nomem:
	free(e->name);
	free(e->homedir);
	free(e->shell);
	free(e);
	return -ENOMEM;
}

int eng_state_add_group(struct eng_state *st, const struct shm_scap_group *g)
{
	struct eng_group *e = calloc(1, sizeof(*e));
	if (!e || !(e->name = strdup(g->name ? g->name : ""))) {
		free(e);
		return -ENOMEM;
	}
	e->gid = g->gid;
	struct eng_group *old = eng_map_del(&st->groups, g->gid);
	if (old) {
		free(old->name);
		free(old);
	}
	if (eng_map_put(&st->groups, g->gid, e)) {
		free(e->name);
		free(e);
		return -ENOMEM;
	}
	return 0;
}

/* Splits one "a:b:c" line in place into at most n fields. */
static int split_colons(char *line, char **f, int n)
{
	int k = 0;
	f[k++] = line;
	for (char *p = line; *p && k < n; p++) {
		if (*p == ':') {
			*p = 0;
			f[k++] = p + 1;
		}
	}
	return k;
}

int eng_state_load_users_from(struct eng_state *st, const char *root)
{
	char path[4096], line[1024];
	snprintf(path, sizeof(path), "%s/etc/passwd", strcmp(root, "/") ? root : "");
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *fl[7];
		line[strcspn(line, "\r\n")] = 0;
		if (split_colons(line, fl, 7) < 7)
			continue;
		struct shm_scap_user u = {.uid = (uint32_t)strtoul(fl[2], NULL, 10),
					  .gid = (uint32_t)strtoul(fl[3], NULL, 10),
					  .name = fl[0], .homedir = fl[5], .shell = fl[6]};
		if (!eng_state_user(st, u.uid) && eng_state_add_user(st, &u)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/etc/group", strcmp(root, "/") ? root : "");
	if (!(f = fopen(path, "re")))
		return 0; /* users without group names are still worth having */
	while (fgets(line, sizeof(line), f)) {
		char *fl[4];
		line[strcspn(line, "\r\n")] = 0;
		if (split_colons(line, fl, 4) < 3)
			continue;
		struct shm_scap_group g = {.gid = (uint32_t)strtoul(fl[2], NULL, 10), .name = fl[0]};
		if (!eng_state_group(st, g.gid) && eng_state_add_group(st, &g)) {
			fclose(f);
			return -ENOMEM;
		}
	}
	fclose(f);
	return 0;
}

/* ---- life cycle ---- */

int eng_state_new(struct eng_state **out)
{
	struct eng_state *st = calloc(1, sizeof(*st));
	if (!st)
		return -ENOMEM;
	st->dead_tid = st->dead_fd = st->dead_fd2 = -1;
	*out = st;
	return 0;
}

void eng_state_free(struct eng_state *st)
{
	if (!st)
		return;
	fdt_unref(st, st->dead_fdt); /* the reference a pending removal holds */
	/* drop fd tables only once every thread has let go */
	for (size_t i = 0; i < st->threads.cap; i++)
		thread_free(st, st->threads.slots[i].val);
	eng_map_clear(&st->threads);
	for (size_t i = 0; i < st->users.cap; i++) {
		struct eng_user *u = st->users.slots[i].val;
		if (u) {
			free(u->name);
			free(u->homedir);
			free(u->shell);
			free(u);
		}
	}
	eng_map_clear(&st->users);
	for (size_t i = 0; i < st->groups.cap; i++) {
		struct eng_group *g = st->groups.slots[i].val;
		if (g) {
			free(g->name);
			free(g);
		}
	}
	eng_map_clear(&st->groups);
	while (st->nfd_pool)
		fd_free(st->fd_pool[--st->nfd_pool]);
	free(st->local_ip4);
	free(st->hostname);
	eng_containers_free(st->containers);
	free(st);
}

/* cwd as libsinsp keeps it: absolute, ending in '/'. */
static void set_cwd(struct eng_state *st, struct eng_thread *t, const char *base, const char *path)
{
	char buf[4096 + 2];
	eng_path_join(base, path, buf, sizeof(buf) - 1);
	size_t n = strlen(buf);
	if (n == 0 || buf[n - 1] != '/') {
		buf[n] = '/';
		buf[n + 1] = 0;
	}
	set_str(st, &t->cwd, buf);
}

int eng_state_add_proc(struct eng_state *st, const struct shm_scap_proc *p)
{
	struct eng_thread *t = thread_alloc(st, (int64_t)p->tid);
	if (!t)
		return -ENOMEM;
	t->pid = (int64_t)p->pid;
	t->ptid = (int64_t)p->ptid;
	t->sid = (int64_t)p->sid;
	t->vpgid = (int64_t)p->vpgid;
	t->vtid = p->vtid;
	t->vpid = p->vpid;
	set_str(st, &t->comm, p->comm);
	set_str(st, &t->exe, p->exe);
	set_str(st, &t->exepath, p->exepath);
	if (p->args && p->args_len)
		set_buf(st, &t->args, &t->args_len, p->args, p->args_len);
	t->text_gen = next_text_gen();
	if (p->env)
		set_buf(st, &t->env, &t->env_len, p->env, p->env_len);
	set_cwd(st, t, "/", p->cwd ? p->cwd : "/");
	t->uid = p->uid;
	t->gid = p->gid;
	t->loginuid = p->loginuid;
	t->tty = (uint32_t)p->tty;
	t->flags = p->flags;
	t->exe_writable = p->exe_writable;
	t->exe_memfd = is_memfd_path(t->exepath);
	t->clone_ts = p->clone_ts;
	eng_container_set_thread(st, t, p->cgroups, p->cgroups_len);
	int rc = thread_insert(st, t);
	if (rc)
		return rc;
	attach_fdtable(st, t);
	return t->fdt ? 0 : -ENOMEM;
}

int eng_state_add_fd(struct eng_state *st, int64_t tid, const struct shm_scap_fd *f)
{
	struct eng_thread *t = eng_state_thread(st, tid);
	if (!t)
		return -ENOENT;
	char name[512];
	const char *nm = f->name ? f->name : "";
	uint8_t type = f->type;
	/* sockets in the fd list have no name: build the one connect would */
	if (type == SHM_SCAP_FD_IPV4_SOCK) {
		const uint8_t *s = (const uint8_t *)&f->sip[0], *d = (const uint8_t *)&f->dip[0];
		snprintf(name, sizeof(name), "%u.%u.%u.%u:%u->%u.%u.%u.%u:%u", s[0], s[1], s[2],
			 s[3], f->sport, d[0], d[1], d[2], d[3], f->dport);
		nm = name;
	}
	struct eng_fd *fd = fd_add(st, t, f->fd, type, nm);
	if (!fd)
		return -ENOMEM;
	memcpy(fd->sip, f->sip, sizeof(fd->sip));
	memcpy(fd->dip, f->dip, sizeof(fd->dip));
	fd->sport = f->sport;
	fd->dport = f->dport;
	fd->l4proto = f->l4proto;
	fd->ino = f->ino;
	fd->open_flags = f->open_flags;
	fd->cloexec = (f->open_flags & SHM_PPM_O_CLOEXEC) != 0;
	if (type == SHM_SCAP_FD_IPV4_SERVSOCK || type == SHM_SCAP_FD_IPV6_SERVSOCK)
		fd->role = ENG_ROLE_SERVER;
	return 0;
}

int eng_state_is_local_ip4(const struct eng_state *st, uint32_t addr)
{
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if (st->local_ip4[i] == addr)
			return 1;
	return 0;
}

int eng_state_load_scap(struct eng_state *st, const struct shm_scap_reader *r)
{
	const struct shm_scap_machine *mi = shm_scap_reader_machine(r);
	if (mi && mi->hostname && mi->hostname[0] && !(st->hostname = strdup(mi->hostname)))
		return -ENOMEM;
	const struct shm_scap_iface *ifs;
	size_t ni = shm_scap_reader_ifaces(r, &ifs);
	if (ni) {
		st->local_ip4 = calloc(ni, sizeof(*st->local_ip4));
		if (!st->local_ip4)
			return -ENOMEM;
		for (size_t i = 0; i < ni; i++)
			if (!ifs[i].is_ipv6)
				st->local_ip4[st->nlocal_ip4++] = ifs[i].addr4;
	}
	const struct shm_scap_proc *procs;
	size_t n = shm_scap_reader_procs(r, &procs);
	/* main threads first, so that threads find their process's fd table */
	for (int pass = 0; pass < 2; pass++) {
		for (size_t i = 0; i < n; i++) {
			int is_main = procs[i].tid == procs[i].pid;
			if (is_main != (pass == 0))
				continue;
			int rc = eng_state_add_proc(st, &procs[i]);
			if (rc)
				return rc;
		}
	}
	for (size_t i = 0; i < n; i++) {
		const struct shm_scap_fd *fds;
		size_t nf = shm_scap_reader_fds(r, procs[i].tid, &fds);
		for (size_t j = 0; j < nf; j++) {
			int rc = eng_state_add_fd(st, (int64_t)procs[i].tid, &fds[j]);
			if (rc && rc != -ENOENT)
				return rc;
		}
	}
	const struct shm_scap_user *users;
	size_t nu = shm_scap_reader_users(r, &users);
	for (size_t i = 0; i < nu; i++)
		if (eng_state_add_user(st, &users[i]))
			return -ENOMEM;
	const struct shm_scap_group *groups;
	size_t ng = shm_scap_reader_groups(r, &groups);
	for (size_t i = 0; i < ng; i++)
		if (eng_state_add_group(st, &groups[i]))
			return -ENOMEM;
	return 0;
}

/* ---- deferred removals ---- */

static void remove_thread(struct eng_state *st, int64_t tid)
{
	struct eng_thread *t = eng_map_del(&st->threads, tid);
	if (t) {
		thread_free(st, t);
		st->nthreads_removed++;
	}
}

static void run_deferred(struct eng_state *st)
{
	if (st->dead_fdt) {
		if (st->dead_fd >= 0)
			fd_release(st, eng_map_del(&st->dead_fdt->fds, st->dead_fd));
		if (st->dead_fd2 >= 0)
			fd_release(st, eng_map_del(&st->dead_fdt->fds, st->dead_fd2));
		fdt_unref(st, st->dead_fdt);
		st->dead_fdt = NULL;
		st->dead_fd = st->dead_fd2 = -1;
	}
	if (st->dead_tid >= 0) {
		remove_thread(st, st->dead_tid);
		st->dead_tid = -1;
	}
}

static void defer_fd_removal(struct eng_state *st, struct eng_thread *t, int64_t fd)
{
	if (!t->fdt)
		return;
	if (st->dead_fdt && st->dead_fdt != t->fdt)
		run_deferred(st);
	if (!st->dead_fdt) {
		st->dead_fdt = t->fdt;
		st->dead_fdt->refs++; /* keeps the table alive until the removal */
	}
	if (st->dead_fd < 0)
		st->dead_fd = fd;
	else
		st->dead_fd2 = fd;
}

/* ---- event parsers ---- */

static int is_clone_exit(uint16_t type)
{
	switch (type) {
	case SHM_EV_SYSCALL_CLONE_20_X:
	case SHM_EV_SYSCALL_FORK_20_X:
	case SHM_EV_SYSCALL_VFORK_20_X:
	case SHM_EV_SYSCALL_CLONE3_X:
		return 1;
	default:
		return 0;
	}
}

/* fork's, vfork's and clone3's exits are read as clone's */
SHM_SAME_LAYOUT(FORK_20_X, CLONE_20_X);
SHM_SAME_LAYOUT(VFORK_20_X, CLONE_20_X);
SHM_SAME_LAYOUT(CLONE3_X, CLONE_20_X);

/* A new thread for clone's child: from the caller, then the event. */
static void parse_clone_exit(struct eng_state *st, struct eng_event *ev)
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
	struct eng_thread *t = thread_alloc(st, child);
	if (!t)
		return;
	t->ptid = caller;
	if (p) {
		set_str(st, &t->exepath, p->exepath);
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
			set_buf(st, &t->env, &t->env_len, pm->env, pm->env_len);
	}
	t->flags = flags | (inverted ? SHM_PPM_CL_CLONE_INVERTED : 0);
	if (!(flags & SHM_PPM_CL_CLONE_THREAD)) {
		t->pid = child;
		t->fdt = p ? fdt_copy(st, p->fdt) : fdt_new(st);
		set_str(st, &t->cwd, p ? eng_state_cwd(st, p) : "/");
	} else if (p) {
		struct eng_thread *m = eng_state_main_thread(st, p);
		set_str(st, &t->cwd, m->cwd);
	}
	const char *exe = shm_evt_str(e, SHM_P_CLONE_20_X_EXE);
	const char *comm = shm_evt_str(e, SHM_P_CLONE_20_X_COMM);
	set_str(st, &t->exe, exe ? exe : "");
	set_str(st, &t->comm, comm ? comm : "");
	set_buf(st, &t->args, &t->args_len, e->val[SHM_P_CLONE_20_X_ARGS],
		shm_evt_len(e, SHM_P_CLONE_20_X_ARGS));
	t->text_gen = next_text_gen();
	t->uid = (uint32_t)shm_evt_u64(e, SHM_P_CLONE_20_X_UID, UINT32_MAX);
	t->gid = (uint32_t)shm_evt_u64(e, SHM_P_CLONE_20_X_GID, UINT32_MAX);
	t->vtid = t->tid;
	t->vpid = t->pid;
	t->clone_ts = e->ts;
	if (thread_insert(st, t))
		return;
	attach_fdtable(st, t);
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
			fd_release(st, eng_map_del(&t->fdt->fds, nums[i]));
	} while (n == 256);
}

/* The kernel names a memfd's file "memfd:NAME" ("/memfd:NAME (deleted)"
 * as /proc/PID/exe). */
static int is_memfd_path(const char *p)
{
	return p && (!strncmp(p, "memfd:", 6) || !strncmp(p, "/memfd:", 7));
}

/* fexecve(): an execve of /proc/self/fd/N, /proc/PID/fd/N or /dev/fd/N runs
 * the file of fd N. When that fd is a memfd, or is not known at all (the
 * fds not known are those made by syscalls the events do not decode, of
 * which memfd_create is the one that yields executables), the program runs
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
	return !fd || is_memfd_path(fd->name);
}

/* execveat's exit is read as execve's (their enters differ) */
SHM_SAME_LAYOUT(EXECVEAT_X, EXECVE_19_X);

static void parse_execve_exit(struct eng_state *st, struct eng_event *ev, int is_execveat)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_thread *t = ev->thread;
	if (shm_evt_s64(e, SHM_P_EXECVE_19_X_RES, -1) < 0 || !t)
		return;
	const char *exe = shm_evt_str(e, SHM_P_EXECVE_19_X_EXE);
	const char *comm = shm_evt_str(e, SHM_P_EXECVE_19_X_COMM);
	set_str(st, &t->exe, exe ? exe : "");
	set_str(st, &t->comm, comm ? comm : "");
	set_buf(st, &t->args, &t->args_len, e->val[SHM_P_EXECVE_19_X_ARGS],
		shm_evt_len(e, SHM_P_EXECVE_19_X_ARGS));
	t->text_gen = next_text_gen();
	set_buf(st, &t->env, &t->env_len, e->val[SHM_P_EXECVE_19_X_ENV],
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
		if (fn && strncmp(fn, "<NA>", 4) == 0) {
			set_str(st, &t->exepath, "<NA>");
		} else if (fn) {
			const char *dir = eng_state_cwd(st, t);
			if (is_execveat && fn[0] != '/') {
				int64_t dirfd = shm_evt_s64(ev->enter, SHM_P_EXECVEAT_E_DIRFD,
							    SHM_PPM_AT_FDCWD);
				dir = eng_state_at_dir(st, t, dirfd, "<UNKNOWN>", dirbuf,
						       sizeof(dirbuf));
			}
			eng_path_join(dir, fn, path, sizeof(path));
			set_str(st, &t->exepath, path);
			t->exe_memfd |= is_memfd_path(path) || exec_through_memfd(t, path);
		}
	}
	t->flags &= SHM_PPM_CL_CLONE_INVERTED;
	eng_container_set_thread(st, t, (const char *)e->val[SHM_P_EXECVE_19_X_CGROUPS],
				 shm_evt_len(e, SHM_P_EXECVE_19_X_CGROUPS));
	t->placeholder = 0; /* the event told us who it is now */
	close_on_exec(st, t);
}

/* The directory a relative path of an *at() call starts from (in buf, of
 * ENG_DIR_BUF bytes, for a dirfd). */
#define ENG_DIR_BUF 4096
static const char *at_dir(struct eng_state *st, struct eng_thread *t, int64_t dirfd,
			  const char *name, char *buf)
{
	if (name && name[0] == '/')
		return "/";
	return eng_state_at_dir(st, t, dirfd, "<UNKNOWN>", buf, ENG_DIR_BUF);
}

/* the open-like exits: fd first; openat2's is read as openat's */
SHM_SAME_PARAM(CREAT_X_FD, OPEN_X_FD);
SHM_SAME_PARAM(OPENAT_2_X_FD, OPEN_X_FD);
SHM_SAME_PARAM(OPENAT2_X_FD, OPEN_X_FD);
SHM_SAME_PARAM(OPENAT_X_FD, OPEN_X_FD);
SHM_SAME_PARAM(OPENAT2_X_NAME, OPENAT_2_X_NAME);
SHM_SAME_PARAM(OPENAT2_X_FLAGS, OPENAT_2_X_FLAGS);
SHM_SAME_PARAM(OPENAT2_X_DIRFD, OPENAT_2_X_DIRFD);

static void parse_open_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	const struct shm_evt *en = ev->enter;
	struct eng_thread *t = ev->thread;
	if (!t)
		return;
	int64_t fdn = shm_evt_s64(e, SHM_P_OPEN_X_FD, -1);
	const char *name = NULL, *dir;
	char dirbuf[ENG_DIR_BUF];
	uint32_t flags = 0;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X:
		name = shm_evt_str(e, SHM_P_OPEN_X_NAME);
		flags = (uint32_t)shm_evt_u64(e, SHM_P_OPEN_X_FLAGS, 0);
		dir = eng_state_cwd(st, t);
		break;
	case SHM_EV_SYSCALL_CREAT_X:
		name = shm_evt_str(e, SHM_P_CREAT_X_NAME);
		dir = eng_state_cwd(st, t);
		break;
	case SHM_EV_SYSCALL_OPENAT_2_X:
	case SHM_EV_SYSCALL_OPENAT2_X:
		name = shm_evt_str(e, SHM_P_OPENAT_2_X_NAME);
		flags = (uint32_t)shm_evt_u64(e, SHM_P_OPENAT_2_X_FLAGS, 0);
		dir = at_dir(st, t, shm_evt_s64(e, SHM_P_OPENAT_2_X_DIRFD, SHM_PPM_AT_FDCWD), name,
			     dirbuf);
		break;
	case SHM_EV_SYSCALL_OPENAT_X: /* the old openat: all but the fd on the enter */
		if (!en)
			return;
		name = shm_evt_str(en, SHM_P_OPENAT_E_NAME);
		flags = (uint32_t)shm_evt_u64(en, SHM_P_OPENAT_E_FLAGS, 0);
		dir = at_dir(st, t, shm_evt_s64(en, SHM_P_OPENAT_E_DIRFD, SHM_PPM_AT_FDCWD), name,
			     dirbuf);
		break;
	default:
		return;
	}
	if (fdn < 0 || !name)
		return;
	char path[4096];
	eng_path_join(dir, name, path, sizeof(path));
	uint8_t type = (flags & SHM_PPM_O_DIRECTORY) ? SHM_SCAP_FD_DIRECTORY : SHM_SCAP_FD_FILE_V2;
	struct eng_fd *fd = fd_add(st, t, fdn, type, path);
	if (fd) {
		fd->open_flags = flags;
		fd->cloexec = (flags & SHM_PPM_O_CLOEXEC) != 0;
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

static void parse_socket_exit(struct eng_state *st, struct eng_event *ev)
{
	int64_t fdn = shm_evt_s64(&ev->evt, SHM_P_SOCKET_X_FD, -1);
	if (fdn < 0 || !ev->thread || !ev->enter)
		return;
	uint32_t domain = (uint32_t)shm_evt_u64(ev->enter, SHM_P_SOCKET_E_DOMAIN, 0);
	uint32_t type = (uint32_t)shm_evt_u64(ev->enter, SHM_P_SOCKET_E_TYPE, 0);
	uint32_t proto = (uint32_t)shm_evt_u64(ev->enter, SHM_P_SOCKET_E_PROTO, 0);
	uint8_t ftype, l4 = ENG_L4_UNKNOWN;
	if (domain == SHM_PPM_AF_UNIX) {
		ftype = SHM_SCAP_FD_UNIX_SOCK;
	} else if (domain == SHM_PPM_AF_INET || domain == SHM_PPM_AF_INET6) {
		ftype = domain == SHM_PPM_AF_INET ? SHM_SCAP_FD_IPV4_SOCK : SHM_SCAP_FD_IPV6_SOCK;
		int raw = type == 3; /* SOCK_RAW */
		if (proto == 6)
			l4 = raw ? ENG_L4_RAW : ENG_L4_TCP;
		else if (proto == 17)
			l4 = raw ? ENG_L4_RAW : ENG_L4_UDP;
		else if (proto == 0)
			l4 = (type & 0xff) == 1 ? ENG_L4_TCP : (type & 0xff) == 2 ? ENG_L4_UDP
									  : ENG_L4_UNKNOWN;
		else if (proto == 1)
			l4 = raw ? ENG_L4_RAW : ENG_L4_ICMP;
		else if (proto == 255)
			l4 = ENG_L4_RAW;
	} else if (domain == SHM_PPM_AF_NETLINK) {
		ftype = SHM_SCAP_FD_NETLINK;
	} else {
		return; /* libsinsp keeps no entry for other families */
	}
	struct eng_fd *fd = fd_add(st, ev->thread, fdn, ftype, "");
	if (fd) {
		fd->l4proto = l4;
		fd->cloexec = (type & 02000000) != 0; /* SOCK_CLOEXEC */
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

/* Fills the fd's addresses from a driver-layout tuple; 0 if understood. */
static int set_tuple(struct eng_fd *fd, const uint8_t *p, uint32_t len)
{
	if (len >= 13 && p[0] == SHM_PPM_AF_INET) {
		memset(fd->sip, 0, sizeof(fd->sip));
		memset(fd->dip, 0, sizeof(fd->dip));
		memcpy(&fd->sip[0], p + 1, 4);
		memcpy(&fd->sport, p + 5, 2);
		memcpy(&fd->dip[0], p + 7, 4);
		memcpy(&fd->dport, p + 11, 2);
		fd->type = SHM_SCAP_FD_IPV4_SOCK;
		return 0;
	}
	if (len >= 37 && p[0] == SHM_PPM_AF_INET6) {
		static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
		if (!memcmp(p + 1, v4mapped, 12) && !memcmp(p + 19, v4mapped, 12)) {
			memset(fd->sip, 0, sizeof(fd->sip));
			memset(fd->dip, 0, sizeof(fd->dip));
			memcpy(&fd->sip[0], p + 13, 4);
			memcpy(&fd->dip[0], p + 31, 4);
			fd->type = SHM_SCAP_FD_IPV4_SOCK;
		} else {
			memcpy(fd->sip, p + 1, 16);
			memcpy(fd->dip, p + 19, 16);
			fd->type = SHM_SCAP_FD_IPV6_SOCK;
		}
		memcpy(&fd->sport, p + 17, 2);
		memcpy(&fd->dport, p + 35, 2);
		return 0;
	}
	return -1;
}

static void set_fd_name_from_param(struct eng_state *st, struct eng_fd *fd,
				   const struct shm_evt *e, unsigned i)
{
	char buf[512];
	if (shm_fmt_value(e, i, buf, sizeof(buf)) < 0 && buf[0] == 0)
		return;
	if (strcmp(fd->name, buf) != 0)
		fd->name_gen++;
	fd_set_name(st, fd, buf);
}

static void parse_connect_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_fd *fd = ev->fd;
	if (!fd)
		return;
	int64_t res = shm_evt_s64(e, SHM_P_CONNECT_X_RES, 0);
	if (res < 0 && res != -EINPROGRESS)
		return;
	uint32_t len = shm_evt_len(e, SHM_P_CONNECT_X_TUPLE);
	if (len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_CONNECT_X_TUPLE];
	if (p[0] == SHM_PPM_AF_INET || p[0] == SHM_PPM_AF_INET6) {
		uint8_t l4 = fd->l4proto;
		set_tuple(fd, p, len);
		fd->l4proto = l4;
	}
	if (fd->role == ENG_ROLE_NONE)
		fd->role = ENG_ROLE_CLIENT;
	fd->connected = 1;
	set_fd_name_from_param(st, fd, e, SHM_P_CONNECT_X_TUPLE);
}

/* connect's enter already says where the socket goes (not yet who it is). */
static void parse_connect_enter(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_fd *fd = ev->fd;
	uint32_t len = shm_evt_len(e, SHM_P_CONNECT_E_ADDR);
	if (!fd || len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_CONNECT_E_ADDR];
	if (p[0] == SHM_PPM_AF_INET && len >= 7) {
		fd->type = SHM_SCAP_FD_IPV4_SOCK;
		memset(fd->dip, 0, sizeof(fd->dip));
		memcpy(&fd->dip[0], p + 1, 4);
		memcpy(&fd->dport, p + 5, 2);
	} else if (p[0] == SHM_PPM_AF_INET6 && len >= 19) {
		fd->type = SHM_SCAP_FD_IPV6_SOCK;
		memcpy(fd->dip, p + 1, 16);
		memcpy(&fd->dport, p + 17, 2);
	} else if (p[0] == SHM_PPM_AF_UNIX) {
		/* a unix socket is named after the path it connects to */
		char path[512];
		size_t n = strnlen((const char *)p + 1, len - 1);
		if (n >= sizeof(path))
			n = sizeof(path) - 1;
		memcpy(path, p + 1, n);
		path[n] = 0;
		if (strcmp(fd->name, path) != 0)
			fd->name_gen++;
		fd_set_name(st, fd, path);
	}
}

/* accept4's exits are read as accept's */
SHM_SAME_LAYOUT(ACCEPT4_X, ACCEPT_X);
SHM_SAME_LAYOUT(ACCEPT4_5_X, ACCEPT_5_X);
SHM_SAME_PARAM(ACCEPT_5_X_FD, ACCEPT_X_FD);
SHM_SAME_PARAM(ACCEPT_5_X_TUPLE, ACCEPT_X_TUPLE);

static void parse_accept_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	int64_t fdn = shm_evt_s64(e, SHM_P_ACCEPT_X_FD, -1);
	uint32_t len = shm_evt_len(e, SHM_P_ACCEPT_X_TUPLE);
	if (fdn < 0 || !ev->thread || len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_ACCEPT_X_TUPLE];
	uint8_t type = p[0] == SHM_PPM_AF_UNIX ? SHM_SCAP_FD_UNIX_SOCK
		       : p[0] == SHM_PPM_AF_INET6 ? SHM_SCAP_FD_IPV6_SOCK : SHM_SCAP_FD_IPV4_SOCK;
	struct eng_fd *fd = fd_add(st, ev->thread, fdn, type, "");
	if (!fd)
		return;
	if (type != SHM_SCAP_FD_UNIX_SOCK) {
		set_tuple(fd, p, len);
		fd->l4proto = ENG_L4_TCP;
	}
	fd->role = ENG_ROLE_SERVER;
	fd->connected = 1;
	set_fd_name_from_param(st, fd, e, SHM_P_ACCEPT_X_TUPLE);
	ev->fd = fd;
	ev->thread->lastevent_fd = fdn;
}

static void parse_bind_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	struct eng_fd *fd = ev->fd;
	uint32_t len = shm_evt_len(e, SHM_P_BIND_X_ADDR);
	if (!fd || shm_evt_s64(e, SHM_P_BIND_X_RES, -1) < 0 || len == 0)
		return;
	const uint8_t *p = e->val[SHM_P_BIND_X_ADDR];
	uint16_t port = 0;
	if (p[0] == SHM_PPM_AF_INET && len >= 7) {
		memcpy(&port, p + 5, 2);
		if (port) {
			fd->type = SHM_SCAP_FD_IPV4_SERVSOCK;
			memset(fd->sip, 0, sizeof(fd->sip));
			memcpy(&fd->sip[0], p + 1, 4);
			fd->sport = port;
			fd->role = ENG_ROLE_SERVER;
		}
	} else if (p[0] == SHM_PPM_AF_INET6 && len >= 19) {
		memcpy(&port, p + 17, 2);
		if (port) {
			fd->type = SHM_SCAP_FD_IPV6_SERVSOCK;
			memcpy(fd->sip, p + 1, 16);
			fd->sport = port;
			fd->role = ENG_ROLE_SERVER;
		}
	}
	set_fd_name_from_param(st, fd, e, SHM_P_BIND_X_ADDR);
}

/* libsinsp calls an IP socket connected once a read or write on it
 * succeeds (a UDP socket that only uses sendto/recvfrom too). */
static void mark_rw_connected(struct eng_event *ev)
{
	struct eng_fd *fd = ev->fd;
	if (fd && shm_evt_s64(&ev->evt, SHM_P_RES, -1) >= 0 &&
	    (fd->type == SHM_SCAP_FD_IPV4_SOCK || fd->type == SHM_SCAP_FD_IPV6_SOCK))
		fd->connected = 1;
}

/* libsinsp's guess of the local address of a half-known IPv4 tuple: the
 * interface with that very address, else the first one not loopback (it
 * also tries the same subnet; we keep no netmasks), else 0. */
static uint32_t infer_local_ip4(const struct eng_state *st, uint32_t addr)
{
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if (st->local_ip4[i] == addr)
			return addr;
	for (size_t i = 0; i < st->nlocal_ip4; i++)
		if (st->local_ip4[i] != htonl(INADDR_LOOPBACK))
			return st->local_ip4[i];
	return 0;
}

/* libsinsp's test for a tuple address it reads as IPv4: ::ffff:a.b.c.d, and
 * also the all-zero address (an unbound socket's source). */
static int addr6_as_ip4(const uint8_t *a)
{
	static const uint8_t zero[12];
	return !memcmp(a, zero, 10) &&
	       ((a[10] == 0xff && a[11] == 0xff) || !memcmp(a + 10, zero, 6));
}

/* libsinsp keeps an IPv6 socket's addresses and an IPv4 one's in the same
 * bytes, the IPv6 source first: an IPv4 socket whose IPv6 source was set to
 * A (an IPv4(-mapped) tuple on an IPv6 socket, which starts from the IPv6
 * source it had, or a plain IPv6 tuple on an IPv4 socket) reads its
 * addresses from A's bytes. For the usual sources (::, ::1, ::ffff:...)
 * that is zero addresses and ports. */
static void fd_ip4_view(struct eng_fd *fd, const uint8_t a16[16])
{
	uint8_t a[16];
	memcpy(a, a16, 16);
	memset(fd->sip, 0, sizeof(fd->sip));
	memset(fd->dip, 0, sizeof(fd->dip));
	memcpy(&fd->sip[0], a, 4);
	memcpy(&fd->dip[0], a + 4, 4);
	memcpy(&fd->sport, a + 8, 2);
	memcpy(&fd->dport, a + 10, 2);
	/* its protocol byte is A's 13th: 0 (unknown) for them */
	if (a[12] == 0)
		fd->l4proto = ENG_L4_UNKNOWN;
	fd->type = SHM_SCAP_FD_IPV4_SOCK;
}

static void fd_rename(struct eng_state *st, struct eng_fd *fd, const char *name)
{
	if (strcmp(fd->name, name) != 0)
		fd->name_gen++;
	fd_set_name(st, fd, name);
}

/* The rest of parse_dgram_tuple for an IPv4 socket whose addresses are set:
 * protocol, zero addresses, role, order and name. */
static void dgram_name_ip4(struct eng_state *st, struct eng_fd *fd, int incoming)
{
	if (fd->l4proto == ENG_L4_UNKNOWN)
		fd->l4proto = ENG_L4_UDP;
	if (fd->sip[0] == 0) {
		uint32_t a = infer_local_ip4(st, fd->dip[0]);
		if (a != fd->dip[0] || fd->sport != fd->dport)
			fd->sip[0] = a;
	} else if (fd->dip[0] == 0) {
		uint32_t a = infer_local_ip4(st, fd->sip[0]);
		if (a != fd->sip[0] || fd->sport != fd->dport)
			fd->dip[0] = a;
	}
	if (fd->role == ENG_ROLE_NONE)
		fd->role = incoming ? ENG_ROLE_SERVER : ENG_ROLE_CLIENT;
	if (fd->role == (incoming ? ENG_ROLE_CLIENT : ENG_ROLE_SERVER)) {
		uint32_t a = fd->sip[0];
		uint16_t port = fd->sport;
		fd->sip[0] = fd->dip[0];
		fd->sport = fd->dport;
		fd->dip[0] = a;
		fd->dport = port;
	}
	const uint8_t *s = (const uint8_t *)&fd->sip[0], *d = (const uint8_t *)&fd->dip[0];
	char name[64];
	snprintf(name, sizeof(name), "%u.%u.%u.%u:%u->%u.%u.%u.%u:%u", s[0], s[1], s[2], s[3],
		 fd->sport, d[0], d[1], d[2], d[3], fd->dport);
	if (strcmp(fd->name, name) != 0)
		fd->name_gen++;
	fd_set_name(st, fd, name);
}

/* The IPv6 half of parse_dgram_tuple (a tuple libsinsp does not read as
 * IPv4: an address in it is neither IPv4-mapped nor zero), as libsinsp
 * 0.29.3 does it: the same rules as for IPv4,
 * except that no zero address is patched, the role an unknown socket gets
 * is client (libsinsp's guess looks for a port read from bytes 10-11 of the
 * IPv6 source, zero for usual addresses, among the IPv4 sockets), and a
 * bound server socket is named after the tuple as it is and takes its
 * source as fd.sip. On an IPv4 socket (one an IPv4-mapped tuple made so)
 * the IPv6 source is read through the IPv4 view, as libsinsp does. */
static void parse_dgram_tuple6(struct eng_state *st, struct eng_fd *fd, const struct shm_evt *te,
			       unsigned i, int incoming)
{
	const uint8_t *p = te->val[i];
	uint32_t ts[4], td[4];
	uint16_t tsport, tdport;
	memcpy(ts, p + 1, 16);
	memcpy(&tsport, p + 17, 2);
	memcpy(td, p + 19, 16);
	memcpy(&tdport, p + 35, 2);
	if (fd->type == SHM_SCAP_FD_IPV6_SERVSOCK) {
		char buf[128];
		memcpy(fd->sip, ts, 16);
		if (shm_fmt_value(te, i, buf, sizeof(buf)) >= 0 || buf[0])
			fd_rename(st, fd, buf);
		return;
	}
	if (fd->type == SHM_SCAP_FD_IPV4_SOCK) {
		fd_ip4_view(fd, p + 1);
		dgram_name_ip4(st, fd, incoming);
		return;
	}
	if (fd->type != SHM_SCAP_FD_IPV6_SOCK)
		return;
	if ((!memcmp(ts, fd->sip, 16) && tsport == fd->sport && !memcmp(td, fd->dip, 16) &&
	     tdport == fd->dport) ||
	    (!memcmp(td, fd->sip, 16) && tdport == fd->sport && !memcmp(ts, fd->dip, 16) &&
	     tsport == fd->dport))
		return;
	memcpy(fd->sip, ts, 16);
	fd->sport = tsport;
	if (!(fd->dip[0] | fd->dip[1] | fd->dip[2] | fd->dip[3])) {
		memcpy(fd->dip, td, 16);
		fd->dport = tdport;
	}
	if (fd->l4proto == ENG_L4_UNKNOWN)
		fd->l4proto = ENG_L4_UDP;
	if (fd->role == ENG_ROLE_NONE)
		fd->role = ENG_ROLE_CLIENT;
	if (fd->role == (incoming ? ENG_ROLE_CLIENT : ENG_ROLE_SERVER)) {
		uint32_t a[4];
		uint16_t port = fd->sport;
		memcpy(a, fd->sip, 16);
		memcpy(fd->sip, fd->dip, 16);
		fd->sport = fd->dport;
		memcpy(fd->dip, a, 16);
		fd->dport = port;
	}
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], name[2 * INET6_ADDRSTRLEN + 16];
	inet_ntop(AF_INET6, fd->sip, s, sizeof(s));
	inet_ntop(AF_INET6, fd->dip, d, sizeof(d));
	snprintf(name, sizeof(name), "%s:%u->%s:%u", s, fd->sport, d, fd->dport);
	fd_rename(st, fd, name);
}

/*
 * sendto/sendmsg (tuple of the enter) and recvfrom/recvmsg (tuple of the
 * exit) on a socket that is not a named TCP one: libsinsp takes the tuple
 * as the fd's addresses (an unconnected UDP socket gets its name here).
 * Its rules, which we follow: the source always, the destination only while
 * the fd has none; nothing when the tuple is the fd's (either way round);
 * an unknown protocol becomes UDP; a zero address is patched from the
 * interface list; a socket without a role becomes a server when it reads
 * and a client when it writes; the addresses are swapped for a client that
 * reads or a server that writes; the name is then client->server.
 * IPv4 here (and IPv6 tuples libsinsp reads as IPv4); IPv6 in
 * parse_dgram_tuple6.
 */
static void parse_dgram_tuple(struct eng_state *st, struct eng_event *ev, const struct shm_evt *te,
			      unsigned i, int incoming)
{
	struct eng_fd *fd = ev->fd;
	if (!fd || shm_evt_s64(&ev->evt, SHM_P_RES, -1) < 0 || shm_evt_len(te, i) == 0)
		return;
	if (fd->name[0] && fd->l4proto == ENG_L4_TCP &&
	    (fd->type == SHM_SCAP_FD_IPV4_SOCK || fd->type == SHM_SCAP_FD_IPV6_SOCK))
		return;
	const uint8_t *p = te->val[i];
	uint32_t len = te->vlen[i];
	uint32_t tsip, tdip;
	uint16_t tsport, tdport;
	if (p[0] == SHM_PPM_AF_INET && len >= 13) {
		memcpy(&tsip, p + 1, 4);
		memcpy(&tsport, p + 5, 2);
		memcpy(&tdip, p + 7, 4);
		memcpy(&tdport, p + 11, 2);
	} else if (p[0] == SHM_PPM_AF_INET6 && len >= 37) {
		if (!addr6_as_ip4(p + 1) || !addr6_as_ip4(p + 19)) {
			parse_dgram_tuple6(st, fd, te, i, incoming);
			return;
		}
		memcpy(&tsip, p + 13, 4);
		memcpy(&tsport, p + 17, 2);
		memcpy(&tdip, p + 31, 4);
		memcpy(&tdport, p + 35, 2);
		if (fd->type == SHM_SCAP_FD_IPV6_SOCK || fd->type == SHM_SCAP_FD_IPV6_SERVSOCK)
			fd_ip4_view(fd, (const uint8_t *)fd->sip);
	} else {
		return;
	}
	if (fd->type == SHM_SCAP_FD_IPV4_SOCK &&
	    ((tsip == fd->sip[0] && tsport == fd->sport && tdip == fd->dip[0] && tdport == fd->dport) ||
	     (tdip == fd->sip[0] && tdport == fd->sport && tsip == fd->dip[0] && tsport == fd->dport)))
		return;
	fd->type = SHM_SCAP_FD_IPV4_SOCK;
	fd->sip[0] = tsip;
	fd->sport = tsport;
	if (fd->dip[0] == 0) {
		fd->dip[0] = tdip;
		fd->dport = tdport;
	}
	dgram_name_ip4(st, fd, incoming);
}

SHM_SAME_LAYOUT(SENDMSG_E, SENDTO_E); /* both read by parse_dgram_tuple at their exits */

/* sendto on an fd the state does not have (closed by a close that raced
 * its reuse by another thread, or never seen): like libsinsp, a socket of
 * the tuple's family is made for it, which the exit then names. */
static void parse_sendto_enter(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	if (ev->fd || !ev->thread || ev->fdnum < 0 || shm_evt_len(e, SHM_P_SENDTO_E_TUPLE) == 0)
		return;
	uint8_t type;
	switch (e->val[SHM_P_SENDTO_E_TUPLE][0]) {
	case SHM_PPM_AF_INET: type = SHM_SCAP_FD_IPV4_SOCK; break;
	case SHM_PPM_AF_INET6: type = SHM_SCAP_FD_IPV6_SOCK; break;
	default: return;
	}
	ev->fd = fd_add(st, ev->thread, ev->fdnum, type, "");
}

static void add_simple_fd(struct eng_state *st, struct eng_event *ev, int64_t fdn, uint8_t type)
{
	if (fdn < 0 || !ev->thread)
		return;
	struct eng_fd *fd = fd_add(st, ev->thread, fdn, type, "");
	if (fd) {
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

static void parse_pipe_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	if (shm_evt_s64(e, SHM_P_PIPE_X_RES, -1) < 0 || !ev->thread)
		return;
	uint64_t ino = shm_evt_u64(e, SHM_P_PIPE_X_INO, 0);
	for (unsigned i = SHM_P_PIPE_X_FD1; i <= SHM_P_PIPE_X_FD2; i++) {
		int64_t n = shm_evt_s64(e, i, -1);
		struct eng_fd *fd = fd_add(st, ev->thread, n, SHM_SCAP_FD_FIFO, "");
		if (fd) {
			fd->ino = ino;
			ev->fd = fd;
			ev->thread->lastevent_fd = n;
		}
	}
}

static void parse_socketpair_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	if (shm_evt_s64(e, SHM_P_SOCKETPAIR_X_RES, -1) < 0 || !ev->thread)
		return;
	for (unsigned i = SHM_P_SOCKETPAIR_X_FD1; i <= SHM_P_SOCKETPAIR_X_FD2; i++) {
		int64_t n = shm_evt_s64(e, i, -1);
		struct eng_fd *fd = fd_add(st, ev->thread, n, SHM_SCAP_FD_UNIX_SOCK, "");
		if (fd) {
			ev->fd = fd;
			ev->thread->lastevent_fd = n;
		}
	}
}

static void parse_dup_exit(struct eng_state *st, struct eng_event *ev, int cloexec)
{
	int64_t res = shm_evt_s64(&ev->evt, SHM_P_RES, -1); /* dup's or fcntl's */
	struct eng_fd *src = ev->fd;
	if (res < 0 || !src || !ev->thread || res == ev->thread->lastevent_fd)
		return;
	struct eng_fd copy = *src;
	struct eng_fd *fd = fd_add(st, ev->thread, res, src->type, src->name);
	if (!fd)
		return;
	char *name = fd->name;
	uint32_t name_cap = fd->name_cap;
	*fd = copy;
	fd->name = name;
	fd->name_cap = name_cap;
	fd->num = res;
	fd->cloexec = cloexec;
	ev->fd = fd;
	ev->fd_renamed = 2; /* a copy keeps its old name: not a rename */
	ev->thread->lastevent_fd = res;
}

static void parse_close_exit(struct eng_state *st, struct eng_event *ev)
{
	if (shm_evt_s64(&ev->evt, SHM_P_CLOSE_X_RES, -1) < 0 || !ev->fd || !ev->thread)
		return;
	defer_fd_removal(st, ev->thread, ev->thread->lastevent_fd);
}

static void parse_chdir_exit(struct eng_state *st, struct eng_event *ev)
{
	struct eng_thread *t = ev->thread;
	const char *path = shm_evt_str(&ev->evt, SHM_P_CHDIR_X_PATH);
	if (!t || shm_evt_s64(&ev->evt, SHM_P_CHDIR_X_RES, -1) < 0 || !path)
		return;
	struct eng_thread *m = eng_state_main_thread(st, t);
	set_cwd(st, m, m->cwd, path);
}

static void parse_fchdir_exit(struct eng_state *st, struct eng_event *ev)
{
	struct eng_thread *t = ev->thread;
	if (!t || !ev->fd || shm_evt_s64(&ev->evt, SHM_P_FCHDIR_X_RES, -1) < 0)
		return;
	struct eng_thread *m = eng_state_main_thread(st, t);
	set_cwd(st, m, "/", ev->fd->name);
}

static void parse_set_ids(struct eng_state *st, struct eng_event *ev)
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

void eng_state_apply(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	uint16_t flags = e->info->flags;

	st->seq++;
	if (st->dead_fdt || st->dead_tid >= 0) /* rarely: one call per close or exit */
		run_deferred(st);
	ev->thread = NULL;
	ev->fd = ev->evt_fd = NULL;
	ev->latency = 0;
	ev->fd_renamed = 0;
	ev->fdnum = -1;
	ev->enter = NULL;
	if (flags & SHM_EF_SKIPPARSERESET) {
		/* scheduler-like events change nothing; procinfo still names its thread */
		if (e->type == SHM_EV_PROCINFO_E)
			ev->thread = eng_state_thread(st, (int64_t)e->tid);
		else if (e->type == SHM_EV_CONTAINER_E) /* the old container event */
			eng_container_event(st, e);
		return;
	}
	/* container metadata events belong to no thread, whatever their tid */
	if (e->type == SHM_EV_CONTAINER_JSON_E || e->type == SHM_EV_CONTAINER_JSON_2_E ||
	    e->type == SHM_EV_CONTAINER_E) {
		eng_container_event(st, e);
		return;
	}

	struct eng_thread *t = eng_state_thread(st, (int64_t)e->tid);
	if (!t && !is_clone_exit(e->type) && st->threads.len >= ENG_MAX_THREADS) {
		st->threads_refused++;
	} else if (!t && !is_clone_exit(e->type)) {
		/* a thread we never saw start: keep its fds from now on, and let
		 * every field that needs what we missed say "not available" */
		t = thread_alloc(st, (int64_t)e->tid);
		if (t) {
			t->placeholder = 1;
			if (thread_insert(st, t))
				t = NULL;
			else
				attach_fdtable(st, t);
		}
	}
	ev->thread = t;
	if (t) {
		if (shm_event_is_enter(e->type)) {
			t->enter_ts = e->ts;
			t->lastevent_fd = -1;
			t->enter_type = e->type;
			t->enter_len = 0;
			if (e->len > t->enter_cap && e->len <= ENG_MAX_ENTER) {
				/* grows rarely: most enter events are a few dozen bytes */
				uint32_t cap = e->len < 256 ? 256 : e->len;
				uint8_t *b = realloc(t->enter, cap);
				if (b) {
					t->enter = b;
					t->enter_cap = cap;
				} else {
					st->alloc_failures++;
				}
			}
			if (e->len <= t->enter_cap) {
				memcpy(t->enter, e->raw, e->len);
				t->enter_len = e->len;
			}
			if ((flags & SHM_EF_USES_FD) && e->nparams > 0) {
				t->lastevent_fd = shm_evt_s64(e, SHM_P_USES_FD, -1);
				ev->fdnum = t->lastevent_fd;
				ev->fd = eng_state_fd(t, t->lastevent_fd);
			}
		} else {
			if (t->enter_ts)
				ev->latency = e->ts - t->enter_ts;
			/* like libsinsp, an exit that does not follow its own enter
			 * (a lost event) gets no fd: its parser then changes nothing */
			int paired = t->enter_type + 1 == e->type;
			if (paired && t->enter_len) {
				shm_evt_index(&ev->enter_evt, t->enter);
				ev->enter = &ev->enter_evt;
			}
			if ((flags & SHM_EF_USES_FD) && paired) {
				ev->fdnum = t->lastevent_fd;
				ev->fd = eng_state_fd(t, t->lastevent_fd);
			}
			/* the enter is used up: a second exit (its own enter lost)
			 * must not pair with it, as libsinsp's last-event type says */
			t->enter_type = e->type;
		}
	}

	struct eng_fd *before = ev->fd;
	uint32_t gen = before ? before->name_gen : 0;
	switch (e->type) {
	case SHM_EV_SYSCALL_OPEN_X:
	case SHM_EV_SYSCALL_CREAT_X:
	case SHM_EV_SYSCALL_OPENAT_X:
	case SHM_EV_SYSCALL_OPENAT_2_X:
	case SHM_EV_SYSCALL_OPENAT2_X:
		parse_open_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_CLONE_20_X:
	case SHM_EV_SYSCALL_FORK_20_X:
	case SHM_EV_SYSCALL_VFORK_20_X:
	case SHM_EV_SYSCALL_CLONE3_X:
		parse_clone_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_EXECVE_19_X:
		parse_execve_exit(st, ev, 0);
		break;
	case SHM_EV_SYSCALL_EXECVEAT_X:
		parse_execve_exit(st, ev, 1);
		break;
	case SHM_EV_PROCEXIT_1_E:
	case SHM_EV_PROCEXIT_E:
		if (t)
			st->dead_tid = t->tid;
		break;
	case SHM_EV_SOCKET_SOCKET_X:
		parse_socket_exit(st, ev);
		break;
	case SHM_EV_SOCKET_CONNECT_E:
		parse_connect_enter(st, ev);
		break;
	case SHM_EV_SOCKET_CONNECT_X:
		parse_connect_exit(st, ev);
		break;
	case SHM_EV_SOCKET_ACCEPT_X:
	case SHM_EV_SOCKET_ACCEPT_5_X:
	case SHM_EV_SOCKET_ACCEPT4_X:
	case SHM_EV_SOCKET_ACCEPT4_5_X:
		parse_accept_exit(st, ev);
		break;
	case SHM_EV_SOCKET_BIND_X:
		parse_bind_exit(st, ev);
		break;
	case SHM_EV_SOCKET_RECVFROM_X:
		mark_rw_connected(ev);
		parse_dgram_tuple(st, ev, e, SHM_P_RECVFROM_X_TUPLE, 1);
		break;
	case SHM_EV_SOCKET_RECVMSG_X:
		mark_rw_connected(ev);
		parse_dgram_tuple(st, ev, e, SHM_P_RECVMSG_X_TUPLE, 1);
		break;
	case SHM_EV_SOCKET_SENDTO_E: /* not sendmsg: sysdig 0.29.3 does not */
		parse_sendto_enter(st, ev);
		break;
	case SHM_EV_SOCKET_SENDTO_X:
	case SHM_EV_SOCKET_SENDMSG_X:
		mark_rw_connected(ev);
		if (ev->enter) /* sendto's and sendmsg's enters are alike */
			parse_dgram_tuple(st, ev, ev->enter, SHM_P_SENDTO_E_TUPLE, 0);
		break;
	case SHM_EV_SYSCALL_READ_X:
	case SHM_EV_SYSCALL_WRITE_X:
	case SHM_EV_SOCKET_RECV_X:
	case SHM_EV_SOCKET_SEND_X:
	case SHM_EV_SYSCALL_READV_X:
	case SHM_EV_SYSCALL_WRITEV_X:
	case SHM_EV_SYSCALL_PREAD_X:
	case SHM_EV_SYSCALL_PWRITE_X:
	case SHM_EV_SYSCALL_PREADV_X:
	case SHM_EV_SYSCALL_PWRITEV_X:
		mark_rw_connected(ev);
		break;
	case SHM_EV_SYSCALL_PIPE_X:
		parse_pipe_exit(st, ev);
		break;
	case SHM_EV_SOCKET_SOCKETPAIR_X:
		parse_socketpair_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_DUP_X:
		parse_dup_exit(st, ev, 0);
		break;
	case SHM_EV_SYSCALL_FCNTL_X:
		if (ev->enter) {
			uint64_t cmd = shm_evt_u64(ev->enter, SHM_P_FCNTL_E_CMD, 0);
			if (cmd == SHM_PPM_FCNTL_F_DUPFD || cmd == SHM_PPM_FCNTL_F_DUPFD_CLOEXEC)
				parse_dup_exit(st, ev, cmd == SHM_PPM_FCNTL_F_DUPFD_CLOEXEC);
		}
		break;
	case SHM_EV_SYSCALL_EVENTFD_X:
		add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_EVENTFD_X_RES, -1), SHM_SCAP_FD_EVENT);
		break;
	case SHM_EV_SYSCALL_SIGNALFD_X:
		add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_SIGNALFD_X_RES, -1),
			      SHM_SCAP_FD_SIGNALFD);
		break;
	case SHM_EV_SYSCALL_TIMERFD_CREATE_X:
		add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_TIMERFD_CREATE_X_RES, -1),
			      SHM_SCAP_FD_TIMERFD);
		break;
	case SHM_EV_SYSCALL_INOTIFY_INIT_X:
		add_simple_fd(st, ev, shm_evt_s64(e, SHM_P_INOTIFY_INIT_X_RES, -1),
			      SHM_SCAP_FD_INOTIFY);
		break;
	case SHM_EV_SYSCALL_CLOSE_X:
		parse_close_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_CHDIR_X:
		parse_chdir_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_FCHDIR_X:
		parse_fchdir_exit(st, ev);
		break;
	case SHM_EV_SYSCALL_SETUID_X:
	case SHM_EV_SYSCALL_SETGID_X:
	case SHM_EV_SYSCALL_SETRESUID_X:
	case SHM_EV_SYSCALL_SETRESGID_X:
		parse_set_ids(st, ev);
		break;
	default:
		break;
	}
	/* a new fd counts as renamed from "" (libsinsp compares with the old name) */
	if (ev->fd_renamed == 2)
		ev->fd_renamed = 0;
	else if (ev->fd && ev->fd != before)
		ev->fd_renamed = ev->fd->name[0] != 0;
	else
		ev->fd_renamed = before && before->name_gen != gen;
	t = ev->thread;
	ev->evt_fd = ev->fd;
	if (t && (flags & (SHM_EF_CREATES_FD | SHM_EF_USES_FD | SHM_EF_DESTROYS_FD))) {
		ev->fdnum = t->lastevent_fd;
		if (!ev->fd && t->lastevent_fd != -1)
			ev->fd = eng_state_fd(t, t->lastevent_fd);
	} else {
		ev->fd = NULL;
		ev->fdnum = -1;
	}
}
