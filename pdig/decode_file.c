/* File and directory calls: open family, close, dup, pipe, cwd, namespace edits. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <linux/memfd.h>
#include <linux/openat2.h>
#include <string.h>

#include "pdig.h"

#define A(i) (c->args[i])

/* open(path, flags, mode) */
void pd_dec_open_e(struct pd_call *c)
{
	pd_enc_path(c, A(0));
	shm_enc_u32(c->e, pd_open_flags(A(1)));
	shm_enc_u32(c->e, pd_open_mode(A(1), A(2)));
}

void pd_dec_open_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	shm_enc_u32(c->e, pd_open_flags(A(1)));
	shm_enc_u32(c->e, pd_open_mode(A(1), A(2)));
	shm_enc_u32(c->e, pd_fd_dev(c, c->ret));
}

/* openat(dirfd, path, flags, mode) */
void pd_dec_openat_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	shm_enc_u32(c->e, pd_open_flags(A(2)));
	shm_enc_u32(c->e, pd_open_mode(A(2), A(3)));
}

void pd_dec_openat_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	shm_enc_u32(c->e, pd_open_flags(A(2)));
	shm_enc_u32(c->e, pd_open_mode(A(2), A(3)));
	shm_enc_u32(c->e, pd_fd_dev(c, c->ret));
}

/* openat2(dirfd, path, struct open_how *, size) */
static void how_params(struct pd_call *c)
{
	struct open_how how = {0};
	size_t len = A(3) < sizeof how ? (size_t)A(3) : sizeof how;
	if (len < sizeof how.flags || pd_mem_read(c->t->tid, A(2), &how, len) != (ssize_t)len) {
		pd_page_fault(c->tr);
		shm_enc_empty(c->e);
		shm_enc_empty(c->e);
		shm_enc_empty(c->e);
		return;
	}
	shm_enc_u32(c->e, pd_open_flags(how.flags));
	shm_enc_u32(c->e, pd_open_mode(how.flags, how.mode));
	shm_enc_u32(c->e, pd_openat2_resolve(how.resolve));
}

void pd_dec_openat2_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	how_params(c);
}

void pd_dec_openat2_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	how_params(c);
}

/* creat(path, mode) */
void pd_dec_creat_e(struct pd_call *c)
{
	pd_enc_path(c, A(0));
	shm_enc_u32(c->e, (uint32_t)(A(1) & 07777));
}

void pd_dec_creat_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	shm_enc_u32(c->e, (uint32_t)(A(1) & 07777));
	shm_enc_u32(c->e, pd_fd_dev(c, c->ret));
}

/* close(fd), dup*(fd, ...), fchdir(fd): the fd in, the result out */
void pd_dec_close_e(struct pd_call *c) { pd_enc_fd(c, A(0)); }
void pd_dec_close_x(struct pd_call *c) { pd_enc_res(c); }
void pd_dec_dup_e(struct pd_call *c) { pd_enc_fd(c, A(0)); }
void pd_dec_dup_x(struct pd_call *c) { pd_enc_res(c); }
void pd_dec_fchdir_e(struct pd_call *c) { pd_enc_fd(c, A(0)); }
void pd_dec_fchdir_x(struct pd_call *c) { pd_enc_res(c); }

/* pipe(int fds[2]), pipe2(fds, flags) */
void pd_dec_pipe_x(struct pd_call *c)
{
	int fds[2] = {-1, -1};
	pd_enc_res(c);
	if (c->ret == 0 && pd_mem_read(c->t->tid, A(0), fds, sizeof fds) != sizeof fds) {
		pd_page_fault(c->tr);
		fds[0] = fds[1] = -1;
	}
	shm_enc_s64(c->e, fds[0]);
	shm_enc_s64(c->e, fds[1]);
	shm_enc_u64(c->e, c->ret == 0 ? pd_fd_ino(c, fds[0]) : 0);
}

/* chdir(path) */
void pd_dec_chdir_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
}

/* unlink(path), rmdir(path) */
void pd_dec_unlink_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
}

void pd_dec_rmdir_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
}

/* unlinkat(dirfd, path, flags) */
void pd_dec_unlinkat_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	shm_enc_u32(c->e, pd_unlinkat_flags(A(2)));
}

/* rename(old, new), link(old, new) */
void pd_dec_rename_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	pd_enc_path(c, A(1));
}

void pd_dec_link_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	pd_enc_path(c, A(1));
}

/* renameat(olddirfd, old, newdirfd, new[, flags]) */
static void renameat_common(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	pd_enc_fd(c, A(2));
	pd_enc_path(c, A(3));
}

void pd_dec_renameat_x(struct pd_call *c) { renameat_common(c); }

void pd_dec_renameat2_x(struct pd_call *c)
{
	renameat_common(c);
	shm_enc_u32(c->e, pd_renameat2_flags(A(4)));
}

/* linkat(olddirfd, old, newdirfd, new, flags) */
void pd_dec_linkat_x(struct pd_call *c)
{
	renameat_common(c);
	shm_enc_u32(c->e, pd_linkat_flags(A(4)));
}

/* mkdir(path, mode): mode on enter, path on exit (MKDIR_2) */
void pd_dec_mkdir_e(struct pd_call *c) { shm_enc_u32(c->e, (uint32_t)(A(1) & 07777)); }

void pd_dec_mkdir_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
}

/* mkdirat(dirfd, path, mode) */
void pd_dec_mkdirat_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	shm_enc_u32(c->e, (uint32_t)(A(2) & 07777));
}

/* symlink(target, linkpath), symlinkat(target, dirfd, linkpath) */
void pd_dec_symlink_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	pd_enc_path(c, A(1));
}

void pd_dec_symlinkat_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	pd_enc_fd(c, A(1));
	pd_enc_path(c, A(2));
}

/* chmod(path, mode), fchmod(fd, mode), fchmodat(dirfd, path, mode): the
 * PPM_S_* mode bits are the native ones */
void pd_dec_chmod_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
	shm_enc_u32(c->e, (uint32_t)(A(1) & 07777));
}

void pd_dec_fchmod_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)(A(1) & 07777));
}

void pd_dec_fchmodat_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_fd(c, A(0));
	pd_enc_path(c, A(1));
	shm_enc_u32(c->e, (uint32_t)(A(2) & 07777));
}

/* Calls with no event of their own: the generic pair, "ID" being the
 * driver's PPM_SC code and "nativeID" the number as the tracee made it. */
void pd_dec_generic_e(struct pd_call *c)
{
	shm_enc_u16(c->e, c->sc->sc);
	shm_enc_u16(c->e, (uint16_t)c->t->nr);
}

void pd_dec_generic_x(struct pd_call *c) { shm_enc_u16(c->e, c->sc->sc); }

/*
 * memfd_create(name, flags): the generic pair (sysdig 0.29.3 has no event
 * of its own for it), the exit carrying what current libs' memfd_create
 * exit has, as the SHM_EXT_MEMFD extension (shm_event.h): the fd, the
 * flags and the name, so the engine knows the fd and fileless execution
 * from the call itself.
 */
void pd_dec_memfd_e(struct pd_call *c) { pd_dec_generic_e(c); }

void pd_dec_memfd_x(struct pd_call *c)
{
	/* the kernel takes at most 249 bytes of name (MFD_NAME_MAX_LEN) */
	uint8_t v[8 + 4 + 256];
	int64_t fd = c->ret;
	uint32_t fl = 0;
	if (A(1) & MFD_CLOEXEC)
		fl |= SHM_MFD_CLOEXEC;
	if (A(1) & MFD_ALLOW_SEALING)
		fl |= SHM_MFD_ALLOW_SEALING;
	if (A(1) & MFD_HUGETLB)
		fl |= SHM_MFD_HUGETLB;
	pd_dec_generic_x(c);
	memcpy(v, &fd, 8);
	memcpy(v + 8, &fl, 4);
	ssize_t n = A(0) ? pd_mem_read_str(c->t->tid, A(0), (char *)v + 12, 256) : 0;
	if (n < 0)
		pd_page_fault(c->tr);
	if (n <= 0) {
		v[12] = 0;
		n = 1;
	}
	shm_enc_ext(c->e, SHM_EXT_MEMFD, v, 12 + (uint32_t)n);
}

/* userfaultfd(flags): O_CLOEXEC/O_NONBLOCK in the file flags encoding */
void pd_dec_userfaultfd_x(struct pd_call *c)
{
	pd_enc_res(c);
	shm_enc_u32(c->e, pd_open_flags(A(0)) & ~SHM_PPM_O_RDONLY); /* no access mode: not an open */
}

/* chroot(path) */
void pd_dec_chroot_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_path(c, A(0));
}

/* fcntl(fd, cmd, arg): the command in the driver's codes (fcntl_commands) */
void pd_dec_fcntl_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u8(c->e, pd_fcntl_cmd(A(1)));
}

void pd_dec_fcntl_x(struct pd_call *c) { pd_enc_res(c); }

/* eventfd(initval), eventfd2(initval, flags) */
void pd_dec_eventfd_e(struct pd_call *c)
{
	shm_enc_u64(c->e, A(0));
	shm_enc_u32(c->e, c->sc->nr == 290 ? (uint32_t)A(1) : 0);
}

void pd_dec_eventfd_x(struct pd_call *c) { pd_enc_res(c); }

/* signalfd(fd, mask *, size), signalfd4(fd, mask *, size, flags): the mask's
 * first 32 signals, as the driver's u32 */
void pd_dec_signalfd_e(struct pd_call *c)
{
	uint32_t mask = 0;
	pd_enc_fd(c, A(0));
	if (pd_mem_read(c->t->tid, A(1), &mask, sizeof mask) != sizeof mask)
		pd_page_fault(c->tr);
	shm_enc_u32(c->e, mask);
	shm_enc_u8(c->e, c->sc->nr == 289 ? (uint8_t)A(3) : 0);
}

void pd_dec_signalfd_x(struct pd_call *c) { pd_enc_res(c); }

/* timerfd_create(clockid, flags) */
void pd_dec_timerfd_e(struct pd_call *c)
{
	shm_enc_u8(c->e, (uint8_t)A(0));
	shm_enc_u8(c->e, (uint8_t)A(1));
}

void pd_dec_timerfd_x(struct pd_call *c) { pd_enc_res(c); }

/* inotify_init(), inotify_init1(flags) */
void pd_dec_inotify_e(struct pd_call *c)
{
	shm_enc_u8(c->e, c->sc->nr == 294 ? (uint8_t)A(0) : 0);
}

void pd_dec_inotify_x(struct pd_call *c) { pd_enc_res(c); }
