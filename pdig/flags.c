/* Native flag values -> the driver's PPM encodings (the flag sets of shm/events.in). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <stdio.h> /* RENAME_* */
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <linux/openat2.h>

#include "pdig.h"

/* One native constant (libc or kernel headers) and its driver value
 * (shm_event_table.h, made from events.in). */
struct native_ppm {
	uint64_t native;
	uint32_t ppm;
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* A set of flags: each native value counts when all its bits are set, so
 * that a value of several bits (O_SYNC holds O_DSYNC's, O_TMPFILE holds
 * O_DIRECTORY's) is not read into a flag that only shares one of them. */
static uint32_t map_bits(uint64_t v, const struct native_ppm *m, size_t n)
{
	uint32_t r = 0;
	for (size_t i = 0; i < n; i++)
		if (m[i].native && (v & m[i].native) == m[i].native)
			r |= m[i].ppm;
	return r;
}

/* One value among several (a command, a request): its driver value, else
 * dflt (the set's UNKNOWN). */
static uint32_t map_value(uint64_t v, const struct native_ppm *m, size_t n, uint32_t dflt)
{
	for (size_t i = 0; i < n; i++)
		if (m[i].native == v)
			return m[i].ppm;
	return dflt;
}

/* Native values that the headers pdig includes lack: glibc defines
 * O_LARGEFILE as 0 on x86_64, and the others are only in kernel headers
 * that clash with libc's (<asm/ptrace-abi.h>, <asm-generic/mman-common.h>,
 * <linux/fcntl.h>). */
#define KERNEL_O_LARGEFILE 0100000
#define KERNEL_PTRACE_OLDSETOPTIONS 21
#define KERNEL_PROT_SEM 0x8
#define KERNEL_F_CANCELLK 1029

uint32_t pd_open_flags(uint64_t flags)
{
	static const struct native_ppm m[] = {
		{O_CREAT, SHM_PPM_O_CREAT},
		{O_APPEND, SHM_PPM_O_APPEND},
		{O_DSYNC, SHM_PPM_O_DSYNC},
		{O_EXCL, SHM_PPM_O_EXCL},
		{O_NONBLOCK, SHM_PPM_O_NONBLOCK},
		{O_SYNC, SHM_PPM_O_SYNC},
		{O_TRUNC, SHM_PPM_O_TRUNC},
		{O_DIRECT, SHM_PPM_O_DIRECT},
		{O_DIRECTORY, SHM_PPM_O_DIRECTORY},
		{KERNEL_O_LARGEFILE, SHM_PPM_O_LARGEFILE},
		{O_CLOEXEC, SHM_PPM_O_CLOEXEC},
		{O_TMPFILE, SHM_PPM_O_TMPFILE},
	};
	/* the access mode is a value of two bits, not flags */
	static const struct native_ppm acc[] = {
		{O_RDONLY, SHM_PPM_O_RDONLY},
		{O_WRONLY, SHM_PPM_O_WRONLY},
		{O_RDWR, SHM_PPM_O_RDWR},
	};
	return map_bits(flags, m, NELEM(m)) |
	       map_value(flags & O_ACCMODE, acc, NELEM(acc), SHM_PPM_O_NONE);
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
	static const struct native_ppm m[] = {
		{CLONE_FILES, SHM_PPM_CL_CLONE_FILES},
		{CLONE_FS, SHM_PPM_CL_CLONE_FS},
		{CLONE_IO, SHM_PPM_CL_CLONE_IO},
		{CLONE_NEWIPC, SHM_PPM_CL_CLONE_NEWIPC},
		{CLONE_NEWNET, SHM_PPM_CL_CLONE_NEWNET},
		{CLONE_NEWNS, SHM_PPM_CL_CLONE_NEWNS},
		{CLONE_NEWPID, SHM_PPM_CL_CLONE_NEWPID},
		{CLONE_NEWUTS, SHM_PPM_CL_CLONE_NEWUTS},
		{CLONE_PARENT, SHM_PPM_CL_CLONE_PARENT},
		{CLONE_PARENT_SETTID, SHM_PPM_CL_CLONE_PARENT_SETTID},
		{CLONE_PTRACE, SHM_PPM_CL_CLONE_PTRACE},
		{CLONE_SIGHAND, SHM_PPM_CL_CLONE_SIGHAND},
		{CLONE_SYSVSEM, SHM_PPM_CL_CLONE_SYSVSEM},
		{CLONE_THREAD, SHM_PPM_CL_CLONE_THREAD},
		{CLONE_UNTRACED, SHM_PPM_CL_CLONE_UNTRACED},
		{CLONE_VM, SHM_PPM_CL_CLONE_VM},
		{CLONE_NEWUSER, SHM_PPM_CL_CLONE_NEWUSER},
		{CLONE_CHILD_CLEARTID, SHM_PPM_CL_CLONE_CHILD_CLEARTID},
		{CLONE_CHILD_SETTID, SHM_PPM_CL_CLONE_CHILD_SETTID},
		{CLONE_SETTLS, SHM_PPM_CL_CLONE_SETTLS},
		{CLONE_VFORK, SHM_PPM_CL_CLONE_VFORK},
		{CLONE_NEWCGROUP, SHM_PPM_CL_CLONE_NEWCGROUP},
	};
	return map_bits(flags, m, NELEM(m));
}

uint16_t pd_ptrace_request(uint64_t req)
{
	static const struct native_ppm m[] = {
		{PTRACE_TRACEME, SHM_PPM_PTRACE_TRACEME},
		{PTRACE_PEEKTEXT, SHM_PPM_PTRACE_PEEKTEXT},
		{PTRACE_PEEKDATA, SHM_PPM_PTRACE_PEEKDATA},
		{PTRACE_PEEKUSER, SHM_PPM_PTRACE_PEEKUSR},
		{PTRACE_POKETEXT, SHM_PPM_PTRACE_POKETEXT},
		{PTRACE_POKEDATA, SHM_PPM_PTRACE_POKEDATA},
		{PTRACE_POKEUSER, SHM_PPM_PTRACE_POKEUSR},
		{PTRACE_CONT, SHM_PPM_PTRACE_CONT},
		{PTRACE_KILL, SHM_PPM_PTRACE_KILL},
		{PTRACE_SINGLESTEP, SHM_PPM_PTRACE_SINGLESTEP},
		{PTRACE_ATTACH, SHM_PPM_PTRACE_ATTACH},
		{PTRACE_DETACH, SHM_PPM_PTRACE_DETACH},
		{PTRACE_SYSCALL, SHM_PPM_PTRACE_SYSCALL},
		{PTRACE_SETOPTIONS, SHM_PPM_PTRACE_SETOPTIONS},
		{PTRACE_GETEVENTMSG, SHM_PPM_PTRACE_GETEVENTMSG},
		{PTRACE_GETSIGINFO, SHM_PPM_PTRACE_GETSIGINFO},
		{PTRACE_SETSIGINFO, SHM_PPM_PTRACE_SETSIGINFO},
		{PTRACE_GETREGSET, SHM_PPM_PTRACE_GETREGSET},
		{PTRACE_SETREGSET, SHM_PPM_PTRACE_SETREGSET},
		{PTRACE_SEIZE, SHM_PPM_PTRACE_SEIZE},
		{PTRACE_INTERRUPT, SHM_PPM_PTRACE_INTERRUPT},
		{PTRACE_LISTEN, SHM_PPM_PTRACE_LISTEN},
		{PTRACE_PEEKSIGINFO, SHM_PPM_PTRACE_PEEKSIGINFO},
		{PTRACE_GETSIGMASK, SHM_PPM_PTRACE_GETSIGMASK},
		{PTRACE_SETSIGMASK, SHM_PPM_PTRACE_SETSIGMASK},
		{PTRACE_GETREGS, SHM_PPM_PTRACE_GETREGS},
		{PTRACE_SETREGS, SHM_PPM_PTRACE_SETREGS},
		{PTRACE_GETFPREGS, SHM_PPM_PTRACE_GETFPREGS},
		{PTRACE_SETFPREGS, SHM_PPM_PTRACE_SETFPREGS},
		{PTRACE_GETFPXREGS, SHM_PPM_PTRACE_GETFPXREGS},
		{PTRACE_SETFPXREGS, SHM_PPM_PTRACE_SETFPXREGS},
		{KERNEL_PTRACE_OLDSETOPTIONS, SHM_PPM_PTRACE_OLDSETOPTIONS},
		{PTRACE_GET_THREAD_AREA, SHM_PPM_PTRACE_GET_THREAD_AREA},
		{PTRACE_SET_THREAD_AREA, SHM_PPM_PTRACE_SET_THREAD_AREA},
		{PTRACE_ARCH_PRCTL, SHM_PPM_PTRACE_ARCH_PRCTL},
		{PTRACE_SYSEMU, SHM_PPM_PTRACE_SYSEMU},
		{PTRACE_SYSEMU_SINGLESTEP, SHM_PPM_PTRACE_SYSEMU_SINGLESTEP},
		{PTRACE_SINGLEBLOCK, SHM_PPM_PTRACE_SINGLEBLOCK},
	};
	return (uint16_t)map_value(req, m, NELEM(m), SHM_PPM_PTRACE_UNKNOWN);
}

uint32_t pd_execveat_flags(uint64_t flags)
{
	static const struct native_ppm m[] = {
		{AT_EMPTY_PATH, SHM_PPM_EXVAT_AT_EMPTY_PATH},
		{AT_SYMLINK_NOFOLLOW, SHM_PPM_EXVAT_AT_SYMLINK_NOFOLLOW},
	};
	return map_bits(flags, m, NELEM(m));
}

uint32_t pd_openat2_resolve(uint64_t resolve)
{
	static const struct native_ppm m[] = {
		{RESOLVE_BENEATH, SHM_PPM_RESOLVE_BENEATH},
		{RESOLVE_IN_ROOT, SHM_PPM_RESOLVE_IN_ROOT},
		{RESOLVE_NO_MAGICLINKS, SHM_PPM_RESOLVE_NO_MAGICLINKS},
		{RESOLVE_NO_SYMLINKS, SHM_PPM_RESOLVE_NO_SYMLINKS},
		{RESOLVE_NO_XDEV, SHM_PPM_RESOLVE_NO_XDEV},
		{RESOLVE_CACHED, SHM_PPM_RESOLVE_CACHED},
	};
	return map_bits(resolve, m, NELEM(m));
}

uint32_t pd_unlinkat_flags(uint64_t flags)
{
	static const struct native_ppm m[] = {{AT_REMOVEDIR, SHM_PPM_AT_REMOVEDIR}};
	return map_bits(flags, m, NELEM(m));
}

uint32_t pd_linkat_flags(uint64_t flags)
{
	static const struct native_ppm m[] = {
		{AT_SYMLINK_FOLLOW, SHM_PPM_AT_SYMLINK_FOLLOW},
		{AT_EMPTY_PATH, SHM_PPM_AT_EMPTY_PATH},
	};
	return map_bits(flags, m, NELEM(m));
}

uint32_t pd_renameat2_flags(uint64_t flags)
{
	static const struct native_ppm m[] = {
		{RENAME_NOREPLACE, SHM_PPM_RENAME_NOREPLACE},
		{RENAME_EXCHANGE, SHM_PPM_RENAME_EXCHANGE},
		{RENAME_WHITEOUT, SHM_PPM_RENAME_WHITEOUT},
	};
	return map_bits(flags, m, NELEM(m));
}

uint32_t pd_prot_flags(uint64_t prot)
{
	static const struct native_ppm m[] = {
		{PROT_READ, SHM_PPM_PROT_READ},
		{PROT_WRITE, SHM_PPM_PROT_WRITE},
		{PROT_EXEC, SHM_PPM_PROT_EXEC},
		{KERNEL_PROT_SEM, SHM_PPM_PROT_SEM},
		{PROT_GROWSDOWN, SHM_PPM_PROT_GROWSDOWN},
		{PROT_GROWSUP, SHM_PPM_PROT_GROWSUP},
	};
	return map_bits(prot, m, NELEM(m));
}

uint32_t pd_mmap_flags(uint64_t flags)
{
	static const struct native_ppm m[] = {
		{MAP_SHARED, SHM_PPM_MAP_SHARED},
		{MAP_PRIVATE, SHM_PPM_MAP_PRIVATE},
		{MAP_FIXED, SHM_PPM_MAP_FIXED},
		{MAP_ANONYMOUS, SHM_PPM_MAP_ANONYMOUS},
		{MAP_32BIT, SHM_PPM_MAP_32BIT},
		{MAP_NORESERVE, SHM_PPM_MAP_NORESERVE},
		{MAP_POPULATE, SHM_PPM_MAP_POPULATE},
		{MAP_NONBLOCK, SHM_PPM_MAP_NONBLOCK},
		{MAP_GROWSDOWN, SHM_PPM_MAP_GROWSDOWN},
		{MAP_DENYWRITE, SHM_PPM_MAP_DENYWRITE},
		{MAP_EXECUTABLE, SHM_PPM_MAP_EXECUTABLE},
		{MAP_LOCKED, SHM_PPM_MAP_LOCKED},
	};
	return map_bits(flags, m, NELEM(m));
}

uint8_t pd_fcntl_cmd(uint64_t cmd)
{
	static const struct native_ppm m[] = {
		{F_DUPFD, SHM_PPM_FCNTL_F_DUPFD},
		{F_GETFD, SHM_PPM_FCNTL_F_GETFD},
		{F_SETFD, SHM_PPM_FCNTL_F_SETFD},
		{F_GETFL, SHM_PPM_FCNTL_F_GETFL},
		{F_SETFL, SHM_PPM_FCNTL_F_SETFL},
		{F_GETLK, SHM_PPM_FCNTL_F_GETLK},
		{F_SETLK, SHM_PPM_FCNTL_F_SETLK},
		{F_SETLKW, SHM_PPM_FCNTL_F_SETLKW},
		{F_SETOWN, SHM_PPM_FCNTL_F_SETOWN},
		{F_GETOWN, SHM_PPM_FCNTL_F_GETOWN},
		{F_SETSIG, SHM_PPM_FCNTL_F_SETSIG},
		{F_GETSIG, SHM_PPM_FCNTL_F_GETSIG},
		{F_SETOWN_EX, SHM_PPM_FCNTL_F_SETOWN_EX},
		{F_GETOWN_EX, SHM_PPM_FCNTL_F_GETOWN_EX},
		{F_SETLEASE, SHM_PPM_FCNTL_F_SETLEASE},
		{F_GETLEASE, SHM_PPM_FCNTL_F_GETLEASE},
		{KERNEL_F_CANCELLK, SHM_PPM_FCNTL_F_CANCELLK},
		{F_DUPFD_CLOEXEC, SHM_PPM_FCNTL_F_DUPFD_CLOEXEC},
		{F_NOTIFY, SHM_PPM_FCNTL_F_NOTIFY},
		{F_SETPIPE_SZ, SHM_PPM_FCNTL_F_SETPIPE_SZ},
		{F_GETPIPE_SZ, SHM_PPM_FCNTL_F_GETPIPE_SZ},
		{F_OFD_GETLK, SHM_PPM_FCNTL_F_OFD_GETLK},
		{F_OFD_SETLK, SHM_PPM_FCNTL_F_OFD_SETLK},
		{F_OFD_SETLKW, SHM_PPM_FCNTL_F_OFD_SETLKW},
	};
	return (uint8_t)map_value(cmd, m, NELEM(m), SHM_PPM_FCNTL_UNKNOWN);
}

/* The kernel's new_encode_dev(): what the driver puts in "dev". */
uint32_t pd_encode_dev(uint64_t dev)
{
	uint32_t ma = major(dev), mi = minor(dev);
	return (mi & 0xff) | (ma << 8) | ((mi & ~0xffu) << 12);
}
