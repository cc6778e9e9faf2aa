/* Native flag values -> the driver's PPM encodings (the flag sets of shm/events.in). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>

#include "pdig.h"

struct bitmap {
	uint64_t native;
	uint32_t ppm;
};

static uint32_t map_bits(uint64_t v, const struct bitmap *m, size_t n)
{
	uint32_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].native && (v & m[i].native) == m[i].native)
			r |= m[i].ppm;
	return r;
}

/* glibc defines O_LARGEFILE as 0 on x86_64; the kernel's bit is this one. */
#define KERNEL_O_LARGEFILE 0100000

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

uint32_t pd_open_flags(uint64_t flags)
{
	static const struct bitmap m[] = {
		{O_CREAT, 0x4}, {O_APPEND, 0x8}, {O_DSYNC, 0x10}, {O_EXCL, 0x20},
		{O_NONBLOCK, 0x40}, {O_SYNC, 0x80}, {O_TRUNC, 0x100}, {O_DIRECT, 0x200},
		{O_DIRECTORY, 0x400}, {KERNEL_O_LARGEFILE, 0x800}, {O_CLOEXEC, 0x1000},
		{O_TMPFILE, 0x2000},
	};
	uint32_t r = map_bits(flags, m, NELEM(m));
	switch (flags & O_ACCMODE) {
	case O_RDONLY: r |= 0x1; break; /* PPM_O_RDONLY */
	case O_WRONLY: r |= 0x2; break;
	case O_RDWR: r |= 0x3; break;
	}
	return r;
}

/* The mode only means something when a file may be created. */
uint32_t pd_open_mode(uint64_t flags, uint64_t mode)
{
	if ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE)
		return (uint32_t)(mode & 07777);
	return 0;
}

uint32_t pd_clone_flags(uint64_t flags)
{
	static const struct bitmap m[] = {
		{CLONE_FILES, 0x1}, {CLONE_FS, 0x2}, {CLONE_IO, 0x4}, {CLONE_NEWIPC, 0x8},
		{CLONE_NEWNET, 0x10}, {CLONE_NEWNS, 0x20}, {CLONE_NEWPID, 0x40},
		{CLONE_NEWUTS, 0x80}, {CLONE_PARENT, 0x100}, {CLONE_PARENT_SETTID, 0x200},
		{CLONE_PTRACE, 0x400}, {CLONE_SIGHAND, 0x800}, {CLONE_SYSVSEM, 0x1000},
		{CLONE_THREAD, 0x2000}, {CLONE_UNTRACED, 0x4000}, {CLONE_VM, 0x8000},
		{CLONE_NEWUSER, 0x100000}, {CLONE_CHILD_CLEARTID, 0x800000},
		{CLONE_CHILD_SETTID, 0x1000000}, {CLONE_SETTLS, 0x2000000},
		{CLONE_VFORK, 0x8000000}, {CLONE_NEWCGROUP, 0x10000000},
	};
	return map_bits(flags, m, NELEM(m));
}

uint16_t pd_ptrace_request(uint64_t req)
{
	static const struct { uint64_t native; uint16_t ppm; } m[] = {
		{PTRACE_TRACEME, 0x1}, {PTRACE_PEEKTEXT, 0x2}, {PTRACE_PEEKDATA, 0x3},
		{PTRACE_PEEKUSER, 0x4}, {PTRACE_POKETEXT, 0x5}, {PTRACE_POKEDATA, 0x6},
		{PTRACE_POKEUSER, 0x7}, {PTRACE_CONT, 0x8}, {PTRACE_KILL, 0x9},
		{PTRACE_SINGLESTEP, 0xa}, {PTRACE_ATTACH, 0xb}, {PTRACE_DETACH, 0xc},
		{PTRACE_SYSCALL, 0xd}, {PTRACE_SETOPTIONS, 0xe}, {PTRACE_GETEVENTMSG, 0xf},
		{PTRACE_GETSIGINFO, 0x10}, {PTRACE_SETSIGINFO, 0x11}, {PTRACE_GETREGSET, 0x12},
		{PTRACE_SETREGSET, 0x13}, {PTRACE_SEIZE, 0x14}, {PTRACE_INTERRUPT, 0x15},
		{PTRACE_LISTEN, 0x16}, {PTRACE_PEEKSIGINFO, 0x17}, {PTRACE_GETSIGMASK, 0x18},
		{PTRACE_SETSIGMASK, 0x19}, {PTRACE_GETREGS, 0x1a}, {PTRACE_SETREGS, 0x1b},
		{PTRACE_GETFPREGS, 0x1c}, {PTRACE_SETFPREGS, 0x1d}, {PTRACE_GETFPXREGS, 0x1e},
		{PTRACE_SETFPXREGS, 0x1f}, {21 /* PTRACE_OLDSETOPTIONS */, 0x20},
		{PTRACE_GET_THREAD_AREA, 0x21}, {PTRACE_SET_THREAD_AREA, 0x22},
		{PTRACE_ARCH_PRCTL, 0x23}, {PTRACE_SYSEMU, 0x24},
		{PTRACE_SYSEMU_SINGLESTEP, 0x25}, {PTRACE_SINGLEBLOCK, 0x26},
	};
	for (size_t i = 0; i < NELEM(m); i++)
		if (m[i].native == req)
			return m[i].ppm;
	return 0; /* PPM_PTRACE_UNKNOWN */
}

uint32_t pd_execveat_flags(uint64_t flags)
{
	static const struct bitmap m[] = {{AT_EMPTY_PATH, 0x1}, {AT_SYMLINK_NOFOLLOW, 0x2}};
	return map_bits(flags, m, NELEM(m));
}

uint32_t pd_openat2_resolve(uint64_t resolve)
{
	static const struct bitmap m[] = {
		{RESOLVE_BENEATH, 0x1}, {RESOLVE_IN_ROOT, 0x2}, {RESOLVE_NO_MAGICLINKS, 0x4},
		{RESOLVE_NO_SYMLINKS, 0x8}, {RESOLVE_NO_XDEV, 0x10}, {RESOLVE_CACHED, 0x20},
	};
	return map_bits(resolve, m, NELEM(m));
}

uint32_t pd_unlinkat_flags(uint64_t flags)
{
	return (flags & AT_REMOVEDIR) ? 0x200 : 0;
}

uint32_t pd_linkat_flags(uint64_t flags)
{
	static const struct bitmap m[] = {{AT_SYMLINK_FOLLOW, 0x400}, {AT_EMPTY_PATH, 0x1000}};
	return map_bits(flags, m, NELEM(m));
}

/* The kernel's new_encode_dev(): what the driver puts in "dev". */
uint32_t pd_encode_dev(uint64_t dev)
{
	uint32_t ma = major(dev), mi = minor(dev);
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}
