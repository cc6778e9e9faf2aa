/* The file events' parsers: open-like calls, pipe, eventfd-like fds, dup,
 * close, chdir and fchdir. */
#include <string.h>

#include "state_impl.h"

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

void eng_st_parse_open_exit(struct eng_state *st, struct eng_event *ev)
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
	/* libsinsp (sysdig 0.29.3) finds a relative name's dirfd in the table
	 * as it parses these exits, and that fd stays the event's when the
	 * call failed: fd.name is then the directory's */
	if (fdn < 0 && name && name[0] != '/' && e->type != SHM_EV_SYSCALL_OPEN_X &&
	    e->type != SHM_EV_SYSCALL_CREAT_X) {
		const struct shm_evt *d = e->type == SHM_EV_SYSCALL_OPENAT_X ? en : e;
		unsigned di = e->type == SHM_EV_SYSCALL_OPENAT_X ? SHM_P_OPENAT_E_DIRFD
								  : SHM_P_OPENAT_2_X_DIRFD;
		int64_t dirfd = shm_evt_s64(d, di, SHM_PPM_AT_FDCWD);
		struct eng_fd *dfd = dirfd == SHM_PPM_AT_FDCWD ? NULL : eng_state_fd(t, dirfd);
		if (dfd) {
			ev->fd = dfd;
			ev->fd_renamed = 2; /* the directory's fd, not renamed */
		}
	}
	if (fdn < 0 || !name)
		return;
	char path[4096];
	eng_path_join(dir, name, path, sizeof(path));
	uint8_t type = (flags & SHM_PPM_O_DIRECTORY) ? SHM_SCAP_FD_DIRECTORY : SHM_SCAP_FD_FILE_V2;
	struct eng_fd *fd = eng_st_fd_add(st, t, fdn, type, path);
	if (fd) {
		fd->open_flags = flags;
		fd->cloexec = (flags & SHM_PPM_O_CLOEXEC) != 0;
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

void eng_st_add_simple_fd(struct eng_state *st, struct eng_event *ev, int64_t fdn, uint8_t type)
{
	if (fdn < 0 || !ev->thread)
		return;
	struct eng_fd *fd = eng_st_fd_add(st, ev->thread, fdn, type, "");
	if (fd) {
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

/* memfd_create (a generic exit with pdig's extension, shm_event.h): a
 * memfd fd named as libsinsp names it, by the name the program gave (the
 * kernel's "memfd:NAME" is /proc's), open for reading and writing. */
void eng_st_parse_memfd_exit(struct eng_state *st, struct eng_event *ev)
{
	struct shm_evt v;
	if (!ev->thread || shm_evt_memfd_view(&ev->evt, &v) < 0)
		return;
	int64_t fdn = shm_evt_s64(&v, 0, -1);
	const char *name = shm_evt_str(&v, 1);
	if (fdn < 0)
		return;
	struct eng_fd *fd = eng_st_fd_add(st, ev->thread, fdn, SHM_SCAP_FD_MEMFD, name ? name : "");
	if (fd) {
		fd->open_flags = SHM_PPM_O_RDWR;
		fd->cloexec = (shm_evt_u64(&v, 2, 0) & SHM_MFD_CLOEXEC) != 0;
		ev->fd = fd;
		ev->thread->lastevent_fd = fdn;
	}
}

void eng_st_parse_pipe_exit(struct eng_state *st, struct eng_event *ev)
{
	const struct shm_evt *e = &ev->evt;
	if (shm_evt_s64(e, SHM_P_PIPE_X_RES, -1) < 0 || !ev->thread)
		return;
	uint64_t ino = shm_evt_u64(e, SHM_P_PIPE_X_INO, 0);
	for (unsigned i = SHM_P_PIPE_X_FD1; i <= SHM_P_PIPE_X_FD2; i++) {
		int64_t n = shm_evt_s64(e, i, -1);
		struct eng_fd *fd = eng_st_fd_add(st, ev->thread, n, SHM_SCAP_FD_FIFO, "");
		if (fd) {
			fd->ino = ino;
			ev->fd = fd;
			ev->thread->lastevent_fd = n;
		}
	}
}

void eng_st_parse_dup_exit(struct eng_state *st, struct eng_event *ev, int cloexec)
{
	int64_t res = shm_evt_s64(&ev->evt, SHM_P_RES, -1); /* dup's or fcntl's */
	struct eng_fd *src = ev->fd;
	if (res < 0 || !src || !ev->thread || res == ev->thread->lastevent_fd)
		return;
	struct eng_fd copy = *src;
	struct eng_fd *fd = eng_st_fd_add(st, ev->thread, res, src->type, src->name);
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

void eng_st_parse_close_exit(struct eng_state *st, struct eng_event *ev)
{
	if (shm_evt_s64(&ev->evt, SHM_P_CLOSE_X_RES, -1) < 0 || !ev->fd || !ev->thread)
		return;
	eng_st_defer_fd_removal(st, ev->thread, ev->thread->lastevent_fd);
}

void eng_st_parse_chdir_exit(struct eng_state *st, struct eng_event *ev)
{
	struct eng_thread *t = ev->thread;
	const char *path = shm_evt_str(&ev->evt, SHM_P_CHDIR_X_PATH);
	if (!t || shm_evt_s64(&ev->evt, SHM_P_CHDIR_X_RES, -1) < 0 || !path)
		return;
	struct eng_thread *m = eng_state_main_thread(st, t);
	eng_st_set_cwd(st, m, m->cwd, path);
}

void eng_st_parse_fchdir_exit(struct eng_state *st, struct eng_event *ev)
{
	struct eng_thread *t = ev->thread;
	if (!t || !ev->fd || shm_evt_s64(&ev->evt, SHM_P_FCHDIR_X_RES, -1) < 0)
		return;
	struct eng_thread *m = eng_state_main_thread(st, t);
	eng_st_set_cwd(st, m, "/", ev->fd->name);
}
