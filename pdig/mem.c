/* Tracee memory: process_vm_readv/writev, never PEEKDATA (one word per stop). */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "pdig.h"

ssize_t pd_mem_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	if (!addr)
		return -EFAULT;
	struct iovec local = {buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	return n < 0 ? -errno : n;
}

int pd_mem_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	struct iovec local = {(void *)buf, len};
	struct iovec remote = {(void *)(uintptr_t)addr, len};
	ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EFAULT;
}

ssize_t pd_mem_read_str(pid_t tid, uint64_t addr, char *buf, size_t cap)
{
	static const size_t page = 4096;
	size_t got = 0;
	if (!cap)
		return -ENOSPC;
	/* Page by page: a read crossing into an unmapped page would fail as a
	 * whole although the string ends before it. */
	while (got < cap - 1) {
		uint64_t a = addr + got;
		size_t chunk = page - (size_t)(a % page);
		if (chunk > cap - 1 - got)
			chunk = cap - 1 - got;
		ssize_t n = pd_mem_read(tid, a, buf + got, chunk);
		if (n <= 0) {
			if (!got)
				return n < 0 ? n : -EFAULT;
			buf[got] = 0; /* the string runs into unreadable memory: keep what was read */
			return (ssize_t)got + 1;
		}
		char *nul = memchr(buf + got, 0, (size_t)n);
		if (nul)
			return nul - buf + 1;
		got += (size_t)n;
	}
	buf[got] = 0; /* truncated */
	return (ssize_t)got + 1;
}
