/* Parameter helpers shared by the decoders. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "pdig.h"

static uint32_t room(const struct shm_enc *e)
{
	uint32_t r = e->cap - e->pos;
	return r > UINT16_MAX ? UINT16_MAX : r;
}

void pd_enc_path(struct pd_call *c, uint64_t addr)
{
	if (!addr) {
		shm_enc_empty(c->e);
		return;
	}
	uint32_t want = PATH_MAX;
	if (want > room(c->e))
		want = room(c->e);
	char *dst = (char *)shm_enc_reserve(c->e, want);
	if (!dst)
		return; /* the encoder error sticks; the record is counted as dropped */
	struct pd_tracer *tr = c->tr;
	ssize_t n;
	if (c->is_exit && tr->path_cache.tid == c->t->tid && tr->path_cache.addr == addr &&
	    tr->path_cache.stop + 1 == tr->st.stops && tr->path_cache.len <= (ssize_t)want) {
		/* the same thread's previous stop, its call's entry, read it */
		n = tr->path_cache.len;
		if (n > 0)
			memcpy(dst, tr->path_cache.buf, (size_t)n);
		tr->path_cache.tid = 0;
	} else {
		n = pd_mem_read_str(c->t->tid, addr, dst, want);
		tr->path_cache.tid = c->t->tid;
		tr->path_cache.addr = addr;
		tr->path_cache.len = n;
		if (n > 0)
			memcpy(tr->path_cache.buf, dst, (size_t)n);
		tr->path_cache.stop = tr->st.stops;
	}
	if (n < 0) {
		pd_page_fault(c->tr);
		n = 0;
	}
	shm_enc_shrink_last(c->e, (uint32_t)n);
}

void pd_enc_data(struct pd_call *c, uint64_t addr, int64_t len)
{
	if (len <= 0 || !addr) {
		shm_enc_empty(c->e);
		return;
	}
	uint32_t want = c->tr->opts->snaplen;
	if ((uint64_t)len < want)
		want = (uint32_t)len;
	if (want > room(c->e))
		want = room(c->e);
	uint8_t *dst = shm_enc_reserve(c->e, want);
	if (!dst)
		return;
	ssize_t n = pd_mem_read(c->t->tid, addr, dst, want);
	if (n < 0) {
		pd_page_fault(c->tr);
		n = 0;
	}
	shm_enc_shrink_last(c->e, (uint32_t)n);
}

static int fd_stat(pid_t pid, int64_t fd, struct stat *st)
{
	char path[64];
	if (fd < 0)
		return -EBADF;
	snprintf(path, sizeof path, "/proc/%d/fd/%lld", (int)pid, (long long)fd);
	return stat(path, st) == 0 ? 0 : -errno;
}

uint32_t pd_fd_dev(const struct pd_call *c, int64_t fd)
{
	struct stat st;
	return c->tr->proc_ok && fd_stat(c->t->tid, fd, &st) == 0 ? pd_encode_dev(st.st_dev) : 0;
}

uint64_t pd_fd_ino(const struct pd_call *c, int64_t fd)
{
	struct stat st;
	return c->tr->proc_ok && fd_stat(c->t->tid, fd, &st) == 0 ? st.st_ino : 0;
}

int pd_ext_wanted(const struct pd_tracee *t, const struct pd_syscall *sc, uint16_t type)
{
	if (!sc)
		return 0; /* not a call's event (procexit, a child's clone exit) */
	return t->arch != PD_ARCH_X86_64 || ((type & 1) && sc->exit == pd_dec_memfd_x);
}

/* A 32-bit call maps onto the x86_64 row of the same name, so its event is
 * the 64-bit one: the ABI says which entry the program used (int 0x80 is a
 * known way around 64-bit-only filters and tracers). */
void pd_enc_abi(struct pd_call *c)
{
	uint8_t abi = c->t->arch == PD_ARCH_I386 ? SHM_ABI_I386
		      : c->t->arch == PD_ARCH_X32 ? SHM_ABI_X32 : SHM_ABI_X86_64;
	if (abi != SHM_ABI_X86_64)
		shm_enc_ext(c->e, SHM_EXT_ABI, &abi, 1);
}
