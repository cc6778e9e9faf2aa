/*
 * Text rendering of event values, following Debian's sysdig 0.29.3 (libsinsp
 * of March 2022) wherever no state is needed (see shm_format.h).
 *
 * The conventions were found by feeding sysdig captures and reading its
 * output; test/shm/format_sysdig_test.sh keeps checking them. Some of them
 * are odd (UINT64 printed as signed, FLAGS always in decimal, the flag-name
 * walk stopping at an exact match) and are kept on purpose: the point is
 * that rule outputs read the same as under Falco.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "shm_format.h"

/* ---- a bounded output buffer ---- */

struct sb {
	char *p;
	size_t cap;
	size_t len;
	int cut;
};

static void sb_init(struct sb *b, char *out, size_t cap)
{
	b->p = out;
	b->cap = cap;
	b->len = 0;
	b->cut = cap == 0;
	if (cap)
		out[0] = 0;
}

static void sb_putn(struct sb *b, const char *s, size_t n)
{
	if (b->cap == 0) {
		b->cut |= n > 0;
		return;
	}
	size_t room = b->cap - 1 - b->len;
	if (n > room) {
		n = room;
		b->cut = 1;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void sb_puts(struct sb *b, const char *s) { sb_putn(b, s, strlen(s)); }

static void sb_putc(struct sb *b, char c) { sb_putn(b, &c, 1); }

__attribute__((format(printf, 2, 3))) static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[64]; /* only numbers go through here */
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sb_putn(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

static int sb_done(const struct sb *b) { return b->cut ? -ENOSPC : (int)b->len; }

/* ---- name tables ---- */

static const char *const errno_names[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
	[7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
	[12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY",
	[17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
	[22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY",
	[27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS", [31] = "EMLINK",
	[32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLK", [36] = "ENAMETOOLONG",
	[37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG",
	[43] = "EIDRM", [44] = "ECHRNG", [45] = "EL2NSYNC", [46] = "EL3HLT", [47] = "EL3RST",
	[48] = "ELNRNG", [49] = "EUNATCH", [50] = "ENOCSI", [51] = "EL2HLT", [52] = "EBADE",
	[53] = "EBADR", [54] = "EXFULL", [55] = "ENOANO", [56] = "EBADRQC", [57] = "EBADSLT",
	[59] = "EBFONT", [60] = "ENOSTR", [61] = "ENODATA", [62] = "ETIME", [63] = "ENOSR",
	[64] = "ENONET", [65] = "ENOPKG", [66] = "EREMOTE", [67] = "ENOLINK", [68] = "EADV",
	[69] = "ESRMNT", [70] = "ECOMM", [71] = "EPROTO", [72] = "EMULTIHOP", [73] = "EDOTDOT",
	[74] = "EBADMSG", [75] = "EOVERFLOW", [76] = "ENOTUNIQ", [77] = "EBADFD", [78] = "EREMCHG",
	[79] = "ELIBACC", [80] = "ELIBBAD", [81] = "ELIBSCN", [82] = "ELIBMAX", [83] = "ELIBEXEC",
	[84] = "EILSEQ", [85] = "ERESTART", [86] = "ESTRPIPE", [87] = "EUSERS", [88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT", [94] = "ESOCKTNOSUPPORT", [95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN", [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED",
	[104] = "ECONNRESET", [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN",
	[108] = "ESHUTDOWN", [109] = "ETOOMANYREFS", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS",
	[116] = "ESTALE", [117] = "EUCLEAN", [118] = "ENOTNAM", [119] = "ENAVAIL", [120] = "EISNAM",
	[121] = "EREMOTEIO", [122] = "EDQUOT", [123] = "ENOMEDIUM", [124] = "EMEDIUMTYPE",
	[125] = "ECANCELED",
	/* kernel-internal codes that still reach user space through tracers */
	[512] = "ERESTARTSYS", [513] = "ERESTARTNOINTR", [514] = "ERESTARTNOHAND",
	[515] = "ENOIOCTLCMD", [516] = "ERESTART_RESTARTBLOCK", [521] = "EBADHANDLE",
	[522] = "ENOTSYNC", [523] = "EBADCOOKIE", [524] = "ENOTSUPP", [525] = "ETOOSMALL",
	[526] = "ESERVERFAULT", [527] = "EBADTYPE", [528] = "EJUKEBOX", [529] = "EIOCBQUEUED",
	[530] = "EIOCBRETRY",
};

static const char *const signal_names[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
	[31] = "SIGSYS",
};

/* The driver's syscall codes (PPM_SC_*), indexed by code. */
static const char *const syscall_names[] = {
	"<unknown>", "restart_syscall", "exit", "read", "write", "open", "close", "creat", "link",
	"unlink", "chdir", "time", "mknod", "chmod", "stat", "lseek", "getpid", "mount", "ptrace",
	"alarm", "fstat", "pause", "utime", "access", "sync", "kill", "rename", "mkdir", "rmdir",
	"dup", "pipe", "times", "brk", "acct", "ioctl", "fcntl", "setpgid", "umask", "chroot",
	"ustat", "dup2", "getppid", "getpgrp", "setsid", "sethostname", "setrlimit", "getrusage",
	"gettimeofday", "settimeofday", "symlink", "lstat", "readlink", "uselib", "swapon",
	"reboot", "mmap", "munmap", "truncate", "ftruncate", "fchmod", "getpriority",
	"setpriority", "statfs", "fstatfs", "syslog", "setitimer", "getitimer", "uname", "vhangup",
	"wait4", "swapoff", "sysinfo", "fsync", "setdomainname", "adjtimex", "mprotect",
	"init_module", "delete_module", "quotactl", "getpgid", "fchdir", "sysfs", "personality",
	"getdents", "select", "flock", "msync", "readv", "writev", "getsid", "fdatasync", "mlock",
	"munlock", "mlockall", "munlockall", "sched_setparam", "sched_getparam",
	"sched_setscheduler", "sched_getscheduler", "sched_yield", "sched_get_priority_max",
	"sched_get_priority_min", "sched_rr_get_interval", "nanosleep", "mremap", "poll", "prctl",
	"rt_sigaction", "rt_sigprocmask", "rt_sigpending", "rt_sigtimedwait", "rt_sigqueueinfo",
	"rt_sigsuspend", "getcwd", "capget", "capset", "sendfile", "getrlimit", "lchown", "getuid",
	"getgid", "geteuid", "getegid", "setreuid", "setregid", "getgroups", "setgroups", "fchown",
	"setresuid", "getresuid", "setresgid", "getresgid", "chown", "setuid", "setgid",
	"setfsuid", "setfsgid", "pivot_root", "mincore", "madvise", "gettid", "setxattr",
	"lsetxattr", "fsetxattr", "getxattr", "lgetxattr", "fgetxattr", "listxattr", "llistxattr",
	"flistxattr", "removexattr", "lremovexattr", "fremovexattr", "tkill", "futex",
	"sched_setaffinity", "sched_getaffinity", "set_thread_area", "get_thread_area", "io_setup",
	"io_destroy", "io_getevents", "io_submit", "io_cancel", "exit_group", "epoll_create",
	"epoll_ctl", "epoll_wait", "remap_file_pages", "set_tid_address", "timer_create",
	"timer_settime", "timer_gettime", "timer_getoverrun", "timer_delete", "clock_settime",
	"clock_gettime", "clock_getres", "clock_nanosleep", "tgkill", "utimes", "mq_open",
	"mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr", "kexec_load",
	"waitid", "add_key", "request_key", "keyctl", "ioprio_set", "ioprio_get", "inotify_init",
	"inotify_add_watch", "inotify_rm_watch", "openat", "mkdirat", "mknodat", "fchownat",
	"futimesat", "unlinkat", "renameat", "linkat", "symlinkat", "readlinkat", "fchmodat",
	"faccessat", "pselect6", "ppoll", "unshare", "set_robust_list", "get_robust_list",
	"splice", "tee", "vmsplice", "getcpu", "epoll_pwait", "utimensat", "signalfd",
	"timerfd_create", "eventfd", "timerfd_settime", "timerfd_gettime", "signalfd4", "eventfd2",
	"epoll_create1", "dup3", "pipe2", "inotify_init1", "preadv", "pwritev",
	"rt_tgsigqueueinfo", "perf_event_open", "fanotify_init", "prlimit64", "clock_adjtime",
	"syncfs", "setns", "getdents64", "socket", "bind", "connect", "listen", "accept",
	"getsockname", "getpeername", "socketpair", "sendto", "recvfrom", "shutdown", "setsockopt",
	"getsockopt", "sendmsg", "sendmmsg", "recvmsg", "recvmmsg", "accept4", "semop", "semget",
	"semctl", "msgsnd", "msgrcv", "msgget", "msgctl", "shmdt", "shmget", "shmctl", "statfs64",
	"fstatfs64", "fstatat64", "sendfile64", "ugetrlimit", "bdflush", "sigprocmask", "ipc",
	"socketcall", "stat64", "lstat64", "fstat64", "fcntl64", "mmap2", "newselect", "sgetmask",
	"ssetmask", "sigpending", "olduname", "umount", "signal", "nice", "stime", "llseek",
	"waitpid", "pread64", "pwrite64", "arch_prctl", "shmat", "sigreturn", "fallocate",
	"newfstatat", "process_vm_readv", "process_vm_writev", "fork", "vfork", "setuid", "getuid",
	"setgid", "geteuid", "getgid", "setresuid", "setresgid", "getresuid", "getresgid",
	"finit_module", "bpf", "seccomp", "sigaltstack", "getrandom", "fadvise64", "renameat2",
	"userfaultfd", "openat2", "umount2", "execve", "execveat", "copy_file_range", "clone",
	"clone3",
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *shm_fmt_errno_name(int64_t err)
{
	/* sysdig looks the code up as a 32-bit int, sign ignored here */
	int32_t e = (int32_t)err;
	uint32_t u = e < 0 ? (uint32_t)0 - (uint32_t)e : (uint32_t)e;
	return u < NELEM(errno_names) ? errno_names[u] : NULL;
}

const char *shm_fmt_signal_name(uint32_t sig)
{
	return sig < NELEM(signal_names) ? signal_names[sig] : NULL;
}

const char *shm_fmt_syscall_name(uint16_t id)
{
	return id < NELEM(syscall_names) ? syscall_names[id] : NULL;
}

char shm_fmt_fd_typechar(uint8_t scap_fd_type)
{
	/* indexed by enum shm_scap_fd_type; FILE_V2 is a file too */
	static const char letters[] = "ofd4646puesXlitnf";
	return scap_fd_type < sizeof letters - 1 ? letters[scap_fd_type] : '?';
}

/* sysdig's walk over a flag set: names every entry whose bits are all still
 * set, clearing them as it goes; a zero entry only matches a zero value; and
 * an entry equal to the whole value stops the walk and is named last. */
static void flags_into(struct sb *b, const struct shm_name_value *set, uint32_t v)
{
	const char *sep = "";
	uint32_t left = v;
	const struct shm_name_value *f = set;

	for (; f && f->name && f->value != v; f++) {
		if ((f->value == 0 && v == 0) ||
		    (f->value != 0 && (left & f->value) == f->value && left != 0)) {
			sb_puts(b, sep);
			sb_puts(b, f->name);
			sep = "|";
			left &= ~f->value;
		}
	}
	if (f && f->name) {
		sb_puts(b, sep);
		sb_puts(b, f->name);
	}
}

int shm_fmt_flags(const struct shm_name_value *set, uint32_t v, char *out, size_t cap)
{
	struct sb b;
	sb_init(&b, out, cap);
	flags_into(&b, set, v);
	return sb_done(&b);
}

/* sysdig drops every byte outside printable ASCII from paths and names. */
static void sanitized(struct sb *b, const uint8_t *s, size_t n, size_t max)
{
	size_t kept = 0;
	for (size_t i = 0; i < n && s[i] && kept < max; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f) {
			sb_putc(b, (char)s[i]);
			kept++;
		}
	}
}

static void ipv4_into(struct sb *b, const uint8_t *a, uint16_t port)
{
	sb_printf(b, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], port);
}

/* An IPv4-mapped address, or the unspecified one (an unbound sender): as
 * libsinsp, a tuple whose two ends are either prints as IPv4. */
static int is_v4_mapped(const uint8_t *a)
{
	static const uint8_t prefix[12] = {[10] = 0xff, [11] = 0xff};
	static const uint8_t zero[16];
	return memcmp(a, prefix, 12) == 0 || memcmp(a, zero, 16) == 0;
}

/* The text form of an IPv6 address, as inet_ntop writes it. */
static void ipv6_into(struct sb *b, const uint8_t *a)
{
	uint16_t w[8];
	for (int i = 0; i < 8; i++)
		w[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
	/* the longest run of two or more zero words becomes "::" (first one wins) */
	int best = -1, bestlen = 0;
	for (int i = 0; i < 8;) {
		if (w[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j < 8 && !w[j])
			j++;
		if (j - i > bestlen && j - i >= 2) {
			best = i;
			bestlen = j - i;
		}
		i = j;
	}
	for (int i = 0; i < 8; i++) {
		if (i == best) {
			sb_puts(b, "::");
			i += bestlen - 1;
			continue;
		}
		if (i && i != best + bestlen)
			sb_putc(b, ':');
		/* ::ffff:a.b.c.d and ::a.b.c.d keep the dotted tail */
		if (i == 6 && best == 0 &&
		    (bestlen == 6 || (bestlen == 5 && w[5] == 0xffff))) {
			sb_printf(b, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
			break;
		}
		sb_printf(b, "%x", w[i]);
	}
}

static void sockaddr_into(struct sb *b, const uint8_t *p, uint32_t len)
{
	uint16_t port;

	if (len == 0) {
		sb_puts(b, "NULL");
		return;
	}
	switch (p[0]) {
	case SHM_PPM_AF_UNIX:
		sanitized(b, p + 1, len - 1, SIZE_MAX);
		break;
	case SHM_PPM_AF_INET:
		if (len != 1 + 4 + 2) {
			sb_puts(b, "INVALID IPv4");
			break;
		}
		memcpy(&port, p + 5, 2);
		ipv4_into(b, p + 1, port);
		break;
	case SHM_PPM_AF_INET6:
		if (len != 1 + 16 + 2) {
			sb_puts(b, "INVALID IPv6");
			break;
		}
		memcpy(&port, p + 17, 2);
		ipv6_into(b, p + 1);
		sb_printf(b, ":%u", port);
		break;
	default:
		sb_printf(b, "family %d", (int)(int8_t)p[0]);
		break;
	}
}

int shm_fmt_sockaddr(const uint8_t *p, uint32_t len, char *out, size_t cap)
{
	struct sb b;
	sb_init(&b, out, cap);
	sockaddr_into(&b, p, len);
	return sb_done(&b);
}

static void socktuple_into(struct sb *b, const uint8_t *p, uint32_t len)
{
	uint16_t sport, dport;

	if (len == 0) {
		sb_puts(b, "NULL");
		return;
	}
	switch (p[0]) {
	case SHM_PPM_AF_INET:
		if (len != 1 + 4 + 2 + 4 + 2) {
			sb_puts(b, "INVALID IPv4");
			break;
		}
		memcpy(&sport, p + 5, 2);
		memcpy(&dport, p + 11, 2);
		ipv4_into(b, p + 1, sport);
		sb_puts(b, "->");
		ipv4_into(b, p + 7, dport);
		break;
	case SHM_PPM_AF_INET6:
		if (len != 1 + 16 + 2 + 16 + 2) {
			sb_puts(b, "INVALID IPv6");
			break;
		}
		memcpy(&sport, p + 17, 2);
		memcpy(&dport, p + 35, 2);
		/* both ends IPv4-mapped: shown as an IPv4 tuple */
		if (is_v4_mapped(p + 1) && is_v4_mapped(p + 19)) {
			ipv4_into(b, p + 13, sport);
			sb_puts(b, "->");
			ipv4_into(b, p + 31, dport);
			break;
		}
		ipv6_into(b, p + 1);
		sb_printf(b, ":%u->", sport);
		ipv6_into(b, p + 19);
		sb_printf(b, ":%u", dport);
		break;
	case SHM_PPM_AF_UNIX: {
		uint64_t src = 0, dst = 0;
		if (len < 17) {
			sb_puts(b, "INVALID UNIX");
			break;
		}
		memcpy(&src, p + 1, 8);
		memcpy(&dst, p + 9, 8);
		sb_printf(b, "%" PRIx64 "->%" PRIx64 " ", src, dst);
		sanitized(b, p + 17, len - 17, SIZE_MAX);
		break;
	}
	default:
		sb_printf(b, "family %d", (int)(int8_t)p[0]);
		break;
	}
}

int shm_fmt_socktuple(const uint8_t *p, uint32_t len, char *out, size_t cap)
{
	struct sb b;
	sb_init(&b, out, cap);
	socktuple_into(&b, p, len);
	return sb_done(&b);
}

/* ---- one value ---- */

/* What sysdig prints for a number of print format fmt: octal with a leading
 * 0, decimal, 9-digit zero-padded decimal, or upper-case hex without 0x.
 * Decimal is always signed, whatever the type: a UINT32 above 2^31 and a
 * UINT64 above 2^63 come out negative, as in sysdig. */
static void number_into(struct sb *b, uint8_t fmt, int is_signed, uint64_t raw, int width)
{
	/* 8/16/32-bit values go through int promotion: a negative INT16 in
	 * hex shows as FFFFxxxx. */
	int64_t s = (int64_t)raw;
	uint64_t u = raw;
	if (width < 8) {
		int32_t s32 = width == 1 ? (is_signed ? (int8_t)raw : (int32_t)(uint8_t)raw)
			    : width == 2 ? (is_signed ? (int16_t)raw : (int32_t)(uint16_t)raw)
					 : (int32_t)(uint32_t)raw;
		s = s32;
		u = (uint32_t)s32;
	}
	switch (fmt) {
	case SHM_PF_OCT:
		sb_printf(b, "%#" PRIo64, u);
		break;
	case SHM_PF_HEX:
		sb_printf(b, "%" PRIX64, u);
		break;
	case SHM_PF_10_PADDED_DEC:
		sb_printf(b, "%09" PRId64, s);
		break;
	default:
		sb_printf(b, "%" PRId64, s);
		break;
	}
}

static uint64_t load_le(const uint8_t *p, uint32_t n)
{
	uint64_t v = 0;
	memcpy(&v, p, n > 8 ? 8 : n); /* little-endian host, as the format */
	return v;
}

/* Resolves a DYN parameter to its variant; NULL for a bad index. */
static const struct shm_param_info *variant(const struct shm_param_info *pi,
					    const uint8_t **val, uint32_t *len)
{
	if (pi->type != SHM_PT_DYN)
		return pi;
	if (!pi->info || *len == 0 || (*val)[0] >= pi->ninfo)
		return NULL;
	const struct shm_param_info *v = &((const struct shm_param_info *)pi->info)[(*val)[0]];
	(*val)++;
	(*len)--;
	return v;
}

/* sysdig's default rendering of a buffer: printable ASCII as it is, '.' for
 * anything else; beyond max characters (0: no limit) cut to max, the last
 * three of them replaced by "...". */
static void bytebuf_into(struct sb *b, const uint8_t *p, uint32_t len, uint32_t max)
{
	uint32_t n = len, dots = 0;
	if (max && len > max) {
		dots = max > 3 ? 3 : 0;
		n = max - dots;
	}
	for (uint32_t i = 0; i < n; i++)
		sb_putc(b, p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '.');
	sb_putn(b, "...", dots);
}

static const struct shm_fmt_opts sysdig_cli = {.buflen = SHM_FMT_SYSDIG_BUFLEN};

static void value_into(struct sb *b, const struct shm_evt *ev, unsigned i,
		       const struct shm_fmt_opts *o)
{
	const struct shm_param_info *outer = &ev->info->params[i];
	const uint8_t *p = ev->val[i];
	uint32_t len = ev->vlen[i];

	if (len == 0) {
		/* sysdig renders an empty buffer as nothing; an empty value of
		 * any other type it does not expect (and reads garbage): we
		 * say NULL, as later libsinsp versions do. */
		if (outer->type != SHM_PT_BYTEBUF)
			sb_puts(b, "NULL");
		return;
	}
	const struct shm_param_info *pi = variant(outer, &p, &len);
	if (!pi) {
		sb_puts(b, "INVALID DYNAMIC PARAMETER");
		return;
	}
	/* a DYN variant is printed with the outer parameter's format */
	uint8_t fmt = outer->fmt;
	uint32_t fixed = shm_param_type_size(pi->type);
	if (fixed && len != fixed) {
		sb_puts(b, "INVALID LENGTH");
		return;
	}
	uint64_t raw = fixed ? load_le(p, fixed) : 0;

	switch (pi->type) {
	case SHM_PT_INT8: case SHM_PT_INT16: case SHM_PT_INT32: case SHM_PT_INT64:
		number_into(b, fmt, 1, raw, (int)fixed);
		break;
	case SHM_PT_UINT8: case SHM_PT_UINT16: case SHM_PT_UINT32: case SHM_PT_UINT64:
		number_into(b, fmt, 0, raw, (int)fixed);
		break;
	case SHM_PT_FD: case SHM_PT_PID: case SHM_PT_ERRNO:
		sb_printf(b, "%" PRId64, (int64_t)raw);
		break;
	case SHM_PT_FLAGS8: case SHM_PT_FLAGS16: case SHM_PT_FLAGS32:
		sb_printf(b, "%" PRIu64, raw);
		break;
	case SHM_PT_MODE:
		number_into(b, fmt, 0, raw, 4);
		break;
	case SHM_PT_UID: case SHM_PT_GID:
		sb_printf(b, "%" PRId32, (int32_t)raw);
		break;
	case SHM_PT_SIGTYPE:
		sb_printf(b, "%" PRIu64, raw);
		break;
	case SHM_PT_SYSCALLID:
		if (raw >= NELEM(syscall_names))
			sb_puts(b, "<unknown syscall>");
		else
			sb_printf(b, "%" PRIu64, raw);
		break;
	case SHM_PT_RELTIME:
		if (raw == UINT64_MAX)
			sb_puts(b, "none");
		else
			sb_printf(b, "%" PRIu64, raw);
		break;
	case SHM_PT_ABSTIME: {
		time_t sec = (time_t)(raw / 1000000000u);
		struct tm tm;
		char t[64];
		if (!localtime_r(&sec, &tm) || !strftime(t, sizeof t, "%Y-%m-%d %H:%M:%S", &tm)) {
			sb_puts(b, "INVALID TIME");
			break;
		}
		/* sysdig keeps 8 of the 9 nanosecond digits and no zone */
		sb_puts(b, t);
		sb_printf(b, ".%08" PRIu64, (raw % 1000000000u) / 10);
		break;
	}
	case SHM_PT_CHARBUF: {
		const uint8_t *nul = memchr(p, 0, len);
		sb_putn(b, (const char *)p, nul ? (size_t)(nul - p) : len);
		break;
	}
	case SHM_PT_FSPATH: case SHM_PT_FSRELPATH:
		/* sysdig's 1024-byte scratch keeps at most 1023 characters */
		sanitized(b, p, len, len < 1024 ? len : 1023);
		break;
	case SHM_PT_BYTEBUF:
		bytebuf_into(b, p, len, o->buflen);
		break;
	case SHM_PT_SOCKADDR:
		sockaddr_into(b, p, len);
		break;
	case SHM_PT_SOCKTUPLE:
		socktuple_into(b, p, len);
		break;
	case SHM_PT_FDLIST: {
		/* u16 count, then {i64 fd, i16 poll flags}; sysdig adds the fd's
		 * type letter from its fd table, '?' for unknown fds */
		uint16_t n;
		if (len < 2) {
			sb_puts(b, "INVALID FDLIST");
			break;
		}
		memcpy(&n, p, 2);
		for (uint32_t j = 0; j < n && 2 + 10 * (j + 1) <= len; j++) {
			int64_t fd;
			int16_t fl;
			memcpy(&fd, p + 2 + 10 * j, 8);
			memcpy(&fl, p + 10 + 10 * j, 2);
			char tc = o->fd_type ? o->fd_type(o->ctx, ev, fd) : 0;
			sb_printf(b, "%s%" PRIu64 ":%c%x", j ? " " : "", (uint64_t)fd,
				  tc ? tc : '?', (uint32_t)(int32_t)fl);
		}
		break;
	}
	case SHM_PT_SIGSET: {
		const char *sep = "";
		for (uint32_t s = 0; s < 32; s++) {
			const char *name = shm_fmt_signal_name(s + 1);
			if ((raw & (1u << s)) && name) {
				sb_puts(b, sep);
				sb_puts(b, name);
				sep = " ";
			}
		}
		break;
	}
	default:
		sb_puts(b, "(n.a.)");
		break;
	}
}

/* The resolved part: the stateless one first; then the caller's, for the
 * values that need state; then sysdig's placeholder for unknown users. */
static void resolved_into(struct sb *b, const struct shm_evt *ev, unsigned i,
			  const struct shm_fmt_opts *o)
{
	const struct shm_param_info *outer = &ev->info->params[i];
	const uint8_t *p = ev->val[i];
	uint32_t len = ev->vlen[i];
	size_t start = b->len;

	if (len == 0)
		return;
	const struct shm_param_info *pi = variant(outer, &p, &len);
	if (!pi)
		return;
	uint32_t fixed = shm_param_type_size(pi->type);
	if (fixed && len != fixed)
		return;
	uint64_t raw = fixed ? load_le(p, fixed) : 0;
	const char *name = NULL;

	switch (pi->type) {
	case SHM_PT_ERRNO:
		if ((int64_t)raw < 0)
			name = shm_fmt_errno_name((int64_t)raw);
		break;
	case SHM_PT_FD:
		/* negative fds need no table: AT_FDCWD or an error */
		if ((int64_t)raw == SHM_PPM_AT_FDCWD)
			name = "AT_FDCWD";
		else if ((int64_t)raw < 0)
			name = shm_fmt_errno_name((int64_t)raw);
		break;
	case SHM_PT_SYSCALLID:
		name = shm_fmt_syscall_name((uint16_t)raw);
		break;
	case SHM_PT_SIGTYPE:
		name = shm_fmt_signal_name((uint32_t)raw);
		break;
	case SHM_PT_RELTIME:
		if (raw != UINT64_MAX)
			sb_printf(b, "%lgs", (double)raw / 1000000000);
		return;
	case SHM_PT_FLAGS8: case SHM_PT_FLAGS16: case SHM_PT_FLAGS32: case SHM_PT_MODE:
		flags_into(b, outer->info, (uint32_t)raw);
		return;
	case SHM_PT_UID: case SHM_PT_GID:
		if ((uint32_t)raw == UINT32_MAX)
			name = "<NONE>";
		break;
	default:
		break;
	}
	if (name) {
		sb_puts(b, name);
		return;
	}
	if (o->resolve && !b->cut && b->cap > b->len + 1) {
		int n = o->resolve(o->ctx, ev, i, b->p + b->len, b->cap - b->len);
		b->p[b->cap - 1] = 0;
		b->len += strlen(b->p + b->len);
		if (n < 0)
			b->cut = 1;
	}
	if (b->len == start && (pi->type == SHM_PT_UID || pi->type == SHM_PT_GID))
		sb_puts(b, "<NA>");
}

static int check(const struct shm_evt *ev, unsigned i, char *out, size_t cap)
{
	if (cap)
		out[0] = 0;
	return ev && ev->info && i < ev->nparams ? 0 : -EINVAL;
}

int shm_fmt_value_opts(const struct shm_evt *ev, unsigned i, const struct shm_fmt_opts *o,
		       char *out, size_t cap)
{
	struct sb b;
	if (check(ev, i, out, cap))
		return -EINVAL;
	sb_init(&b, out, cap);
	value_into(&b, ev, i, o ? o : &sysdig_cli);
	return sb_done(&b);
}

int shm_fmt_value(const struct shm_evt *ev, unsigned i, char *out, size_t cap)
{
	return shm_fmt_value_opts(ev, i, NULL, out, cap);
}

int shm_fmt_resolved(const struct shm_evt *ev, unsigned i, char *out, size_t cap)
{
	struct sb b;
	if (check(ev, i, out, cap))
		return -EINVAL;
	sb_init(&b, out, cap);
	resolved_into(&b, ev, i, &sysdig_cli);
	return sb_done(&b);
}

/* value(resolved), or the bare value when nothing resolves. */
static void param_into(struct sb *b, const struct shm_evt *ev, unsigned i,
		       const struct shm_fmt_opts *o)
{
	value_into(b, ev, i, o);
	size_t mark = b->len;
	int cut = b->cut;
	sb_putc(b, '(');
	size_t start = b->len;
	resolved_into(b, ev, i, o);
	if (b->len == start && b->cut == cut) {
		/* nothing resolved: take the '(' back */
		b->len = mark;
		if (b->cap)
			b->p[mark] = 0;
		return;
	}
	sb_putc(b, ')');
}

int shm_fmt_param_opts(const struct shm_evt *ev, unsigned i, const struct shm_fmt_opts *o,
		       char *out, size_t cap)
{
	struct sb b;
	if (check(ev, i, out, cap))
		return -EINVAL;
	sb_init(&b, out, cap);
	param_into(&b, ev, i, o ? o : &sysdig_cli);
	return sb_done(&b);
}

int shm_fmt_param(const struct shm_evt *ev, unsigned i, char *out, size_t cap)
{
	return shm_fmt_param_opts(ev, i, NULL, out, cap);
}

int shm_fmt_arg_opts(const struct shm_evt *ev, unsigned i, const struct shm_fmt_opts *o,
		     char *out, size_t cap)
{
	struct sb b;
	if (check(ev, i, out, cap))
		return -EINVAL;
	if (!o)
		o = &sysdig_cli;
	sb_init(&b, out, cap);
	resolved_into(&b, ev, i, o);
	if (b.len == 0 && !b.cut)
		value_into(&b, ev, i, o);
	return sb_done(&b);
}

int shm_fmt_arg_ex(const struct shm_evt *ev, unsigned i, shm_fmt_resolve_fn resolve, void *ctx,
		   char *out, size_t cap)
{
	struct shm_fmt_opts o = {.buflen = SHM_FMT_SYSDIG_BUFLEN, .resolve = resolve, .ctx = ctx};
	return shm_fmt_arg_opts(ev, i, &o, out, cap);
}

int shm_fmt_arg(const struct shm_evt *ev, unsigned i, char *out, size_t cap)
{
	return shm_fmt_arg_opts(ev, i, NULL, out, cap);
}

int shm_fmt_args_opts(const struct shm_evt *ev, const struct shm_fmt_opts *o, char *out,
		      size_t cap)
{
	struct sb b;
	if (cap)
		out[0] = 0;
	if (!ev || !ev->info)
		return -EINVAL;
	if (!o)
		o = &sysdig_cli;
	sb_init(&b, out, cap);
	/* sysdig shows no arguments for syscalls without an event of their own */
	if (ev->type == SHM_EV_GENERIC_E || ev->type == SHM_EV_GENERIC_X)
		return sb_done(&b);
	/* like sysdig, every "name=value" is followed by a space, the last too */
	for (unsigned i = 0; i < ev->nparams && !b.cut; i++) {
		sb_puts(&b, ev->info->params[i].name);
		sb_putc(&b, '=');
		param_into(&b, ev, i, o);
		sb_putc(&b, ' ');
	}
	return sb_done(&b);
}

int shm_fmt_args_ex(const struct shm_evt *ev, shm_fmt_resolve_fn resolve, void *ctx,
		    char *out, size_t cap)
{
	struct shm_fmt_opts o = {.buflen = SHM_FMT_SYSDIG_BUFLEN, .resolve = resolve, .ctx = ctx};
	return shm_fmt_args_opts(ev, &o, out, cap);
}

int shm_fmt_args(const struct shm_evt *ev, char *out, size_t cap)
{
	return shm_fmt_args_opts(ev, NULL, out, cap);
}

/* sysdig's rewind for "..": drop the last character (the '/' just written)
 * and everything back to the previous '/', never below the first byte. */
static size_t parent(const char *out, size_t n)
{
	if (n <= 1)
		return n;
	n--;
	while (n >= 1 && out[n - 1] != '/')
		n--;
	return n;
}

/* Per byte of a word: 0x80 where the byte is zero, exactly. */
static inline uint64_t zero_bytes(uint64_t v)
{
	const uint64_t low7 = 0x7f7f7f7f7f7f7f7full;
	return ~(((v & low7) + low7) | v | low7);
}

/* Whether the walk below would copy p[0..n) unchanged: printable bytes, no
 * "//", no "./" (so no "../" either), no '.' or '/' at the end. Most paths
 * are like that: they are joined with two copies. Eight bytes at a time. */
static int path_is_plain(const char *p, size_t n)
{
	const uint64_t ones = 0x0101010101010101ull;
	if (n == 0 || p[n - 1] == '/' || p[n - 1] == '.')
		return 0;
	uint64_t carry = 0; /* 0x80 in the low byte: the byte before was '/' or '.' */
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, p + i, 8);
		uint64_t bad = (w & 0x80 * ones) | zero_bytes(w ^ 0x7f * ones) |
			       ((w - 0x20 * ones) & ~w & 0x80 * ones);
		uint64_t slash = zero_bytes(w ^ '/' * ones);
		uint64_t sd = slash | zero_bytes(w ^ '.' * ones);
		if (bad || (slash & ((sd << 8) | carry)))
			return 0;
		carry = sd >> 56;
	}
	int prev = carry != 0;
	for (; i < n; i++) {
		uint8_t c = (uint8_t)p[i];
		if (c < 0x20 || c >= 0x7f || (c == '/' && prev))
			return 0;
		prev = c == '/' || c == '.';
	}
	return 1;
}

int shm_fmt_path_join(const char *cwd, const char *path, size_t pathlen, char *out, size_t cap)
{
	size_t n = 0, plen = path ? strnlen(path, pathlen) : 0;
	int cut = 0;

	if (cap == 0)
		return -ENOSPC;
	if (path_is_plain(path, plen)) {
		size_t cl = path[0] == '/' || !cwd ? 0 : strlen(cwd);
		if (cl + plen < cap) {
			if (cl)
				memcpy(out, cwd, cl);
			memcpy(out + cl, path, plen);
			out[cl + plen] = 0;
			return (int)(cl + plen);
		}
	}
#define PUT(c)                          \
	do {                            \
		if (n + 1 < cap)        \
			out[n++] = (c); \
		else                    \
			cut = 1;        \
	} while (0)
	/* a relative path (even "") goes after the cwd, kept as it is */
	if (pathlen && (plen == 0 || path[0] != '/'))
		for (const char *c = cwd; c && *c; c++)
			PUT(*c);
	for (size_t i = 0; i < plen;) {
		uint8_t c0 = (uint8_t)path[i];
		char c1 = i + 1 < plen ? path[i + 1] : 0;
		char c2 = i + 2 < plen ? path[i + 2] : 0;
		if (c0 < 0x20 || c0 >= 0x7f) {
			PUT('.'); /* unprintable bytes become dots here */
			i++;
		} else if (c0 == '.' && c1 == '.' && (c2 == '/' || c2 == 0)) {
			n = parent(out, n);
			i += c2 ? 3 : 2;
		} else if (c0 == '.' && c1 == '.') {
			PUT('.');
			PUT('.');
			i += 2;
		} else if (c0 == '.' && c1 == '/') {
			i += 2; /* "./" anywhere, even in "x./y", is dropped */
		} else if (c0 == '.' && c1 == 0) {
			i++;
		} else if (c0 == '/' && n > 0 && out[n - 1] == '/') {
			i++;
		} else {
			PUT((char)c0);
			i++;
		}
	}
#undef PUT
	if (n > 1 && out[n - 1] == '/')
		n--;
	out[n] = 0;
	return cut ? -ENOSPC : (int)n;
}

int shm_fmt_fspath_resolved(const struct shm_evt *ev, unsigned i, const char *base, char *out,
			    size_t cap)
{
	if (check(ev, i, out, cap))
		return -EINVAL;
	uint8_t t = ev->info->params[i].type;
	const char *p = (const char *)ev->val[i];
	uint32_t len = ev->vlen[i];
	if ((t != SHM_PT_FSPATH && t != SHM_PT_FSRELPATH) || len == 0 || p[0] == '/' ||
	    (len >= 5 && memcmp(p, "<NA>", 5) == 0))
		return cap ? 0 : -ENOSPC;
	return shm_fmt_path_join(base, p, len, out, cap);
}
