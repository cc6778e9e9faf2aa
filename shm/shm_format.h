/*
 * Rendering of event values as text, the way Debian's sysdig 0.29.3 renders
 * them (%evt.args, %evt.arg.NAME), for everything that needs no state.
 *
 * sysdig shows a value in two parts: the value itself and, for some types,
 * a "resolved" form after it in parentheses:
 *
 *	res=-2(ENOENT)   flags=4097(O_RDONLY|O_CLOEXEC)   sig=9(SIGKILL)
 *
 * The parts that need the thread table are left to the caller: fd names
 * after a non-negative fd ("<f>/etc/passwd"), process names after a pid,
 * user and group names after a uid/gid, a relative path joined to the cwd.
 * shm_fmt_value() gives the value part of every type; shm_fmt_resolved()
 * the stateless resolved part (errno names, AT_FDCWD and errors after a
 * negative fd, flag names, signal and syscall names, "1.5s" after a
 * RELTIME, "<NONE>" for uid -1, "<NA>" for other uids and gids as sysdig
 * shows an unknown user). The *_ex and *_opts functions take a callback
 * for the rest; shm_fmt_path_join() and shm_fmt_fspath_resolved() do the
 * path arithmetic such a callback needs.
 *
 * Conventions kept from sysdig on purpose: DEC numbers print signed even
 * for UINT32/UINT64; HEX is upper case without "0x"; OCT has a leading 0;
 * FLAGS values print in decimal; BYTEBUF shows printable ASCII and '.'
 * for anything else -- cut to 77 characters plus "..." beyond 80 by the
 * functions without options, as sysdig's command line does (Falco does not
 * cut: use the *_opts functions with buflen 0); paths and
 * unix socket names lose every byte outside printable ASCII; an empty
 * BYTEBUF is "", an empty value of any other type "NULL" (sysdig 0.29.3
 * reads garbage there; later versions print NULL).
 *
 * Every function writes at most cap bytes, always NUL-terminated when
 * cap > 0, reads nothing past a value's length, and allocates nothing.
 * They return the length written (without the NUL), -ENOSPC when the text
 * was cut to fit (what fits is still written), or -EINVAL for a bad index.
 * test/shm/format_sysdig_test.sh compares all this with the real sysdig.
 */
#ifndef SHM_FORMAT_H
#define SHM_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "shm_event.h"

/* The value part of parameter i: "3", "-2", "1F" (HEX), "0644" (OCT),
 * "/etc/passwd", "127.0.0.1:80", "NULL" for an empty value... */
int shm_fmt_value(const struct shm_evt *ev, unsigned i, char *out, size_t cap);

/* The stateless resolved part of parameter i ("ENOENT", "O_RDONLY|O_CLOEXEC",
 * "SIGKILL", a syscall name...), or "" (returning 0) when there is none. */
int shm_fmt_resolved(const struct shm_evt *ev, unsigned i, char *out, size_t cap);

/* One parameter as %evt.args shows it after "name=": value(resolved), or
 * just the value when there is no resolved part. */
int shm_fmt_param(const struct shm_evt *ev, unsigned i, char *out, size_t cap);

/* One parameter as %evt.arg.NAME shows it: the resolved part when there is
 * one, else the value. */
int shm_fmt_arg(const struct shm_evt *ev, unsigned i, char *out, size_t cap);

/* Writes the caller's stateful resolved part of parameter i (e.g. the fd
 * name "<f>/etc/passwd"), NUL-terminated, into out; returns its length, 0
 * for none, or -ENOSPC. Called only where the stateless part is empty
 * (for a uid/gid, "<NA>" is used when the callback writes nothing). */
typedef int (*shm_fmt_resolve_fn)(void *ctx, const struct shm_evt *ev, unsigned i,
				  char *out, size_t cap);

/* Options of the *_opts functions. NULL options mean sysdig's command line,
 * {.buflen = SHM_FMT_SYSDIG_BUFLEN} and no callbacks, as the functions
 * without options use (the *_ex ones: the same plus resolve). */
#define SHM_FMT_SYSDIG_BUFLEN 80u
/* The type letter sysdig shows for an fd of the event's thread in FDLIST
 * values ('f', '4', 'u', 'p'...), or 0 when the fd is unknown ('?'). */
typedef char (*shm_fmt_fdtype_fn)(void *ctx, const struct shm_evt *ev, int64_t fd);
struct shm_fmt_opts {
	uint32_t buflen;            /* BYTEBUF text longer than this is cut to it,
				     * "..." included; 0: never cut (Falco) */
	shm_fmt_resolve_fn resolve; /* stateful resolved parts; NULL: none */
	void *ctx;                  /* passed to resolve and fd_type */
	shm_fmt_fdtype_fn fd_type;  /* FDLIST type letters; NULL: all '?' */
};
int shm_fmt_value_opts(const struct shm_evt *ev, unsigned i, const struct shm_fmt_opts *o,
		       char *out, size_t cap);
int shm_fmt_param_opts(const struct shm_evt *ev, unsigned i, const struct shm_fmt_opts *o,
		       char *out, size_t cap);
int shm_fmt_arg_opts(const struct shm_evt *ev, unsigned i, const struct shm_fmt_opts *o,
		     char *out, size_t cap);
int shm_fmt_args_opts(const struct shm_evt *ev, const struct shm_fmt_opts *o, char *out,
		      size_t cap);

/* shm_fmt_arg, asking resolve (may be NULL) for the stateful resolved part. */
int shm_fmt_arg_ex(const struct shm_evt *ev, unsigned i, shm_fmt_resolve_fn resolve, void *ctx,
		   char *out, size_t cap);

/* All parameters as %evt.args: "name=value name=value " -- every pair is
 * followed by a space, the last too, as sysdig prints it; nothing at all for
 * the generic syscall events (GENERIC_E/X), which sysdig shows without
 * arguments. No fd decoration. */
int shm_fmt_args(const struct shm_evt *ev, char *out, size_t cap);
/* The same, asking resolve (may be NULL) for the stateful resolved parts. */
int shm_fmt_args_ex(const struct shm_evt *ev, shm_fmt_resolve_fn resolve, void *ctx,
		    char *out, size_t cap);

/* ---- the pieces, for callers that hold raw values ---- */

/* "ENOENT" for 2 or -2 (taken as a 32-bit int, as sysdig does); NULL when
 * sysdig has no name for it. */
const char *shm_fmt_errno_name(int64_t err);
/* "SIGKILL" for 9; NULL when unknown (sysdig knows 1 to 31). */
const char *shm_fmt_signal_name(uint32_t sig);
/* The driver's syscall code (PT_SYSCALLID) as a name, NULL when unknown. */
const char *shm_fmt_syscall_name(uint16_t id);
/* The letter sysdig shows for an fd of a type of the capture format (enum
 * shm_scap_fd_type), as in "<f>/etc/passwd" or "<4t>1.2.3.4:5->...":
 * 'f' file, 'd' directory, '4'/'6' IPv4/IPv6 sockets, 'p' fifo, 'u' unix
 * socket, 'e' eventfd, 'X' unsupported, 's' signalfd, 'l' eventpoll,
 * 'i' inotify, 't' timerfd, 'n' netlink, 'o' unknown; '?' out of range. */
char shm_fmt_fd_typechar(uint8_t scap_fd_type);
/* The names of the bits of v in set, '|'-separated, as sysdig lists them:
 * in set order, an entry whose bits are all still set is named and its bits
 * cleared; a zero entry matches only v == 0; an entry equal to v itself
 * stops the walk and is named last. "" when nothing matches. */
int shm_fmt_flags(const struct shm_name_value *set, uint32_t v, char *out, size_t cap);
/* A driver-layout socket address (family byte first): "1.2.3.4:80",
 * "2001:db8::1:443", a unix path, "family 42", "NULL" when len is 0. */
int shm_fmt_sockaddr(const uint8_t *p, uint32_t len, char *out, size_t cap);
/* A driver-layout socket tuple: "1.2.3.4:5000->10.0.0.1:80" (also for two
 * IPv4-mapped IPv6 ends), "fe80::1:1234->::1:80",
 * "ffff9a0000001000->ffff9b0000002000 /path" for unix sockets. */
int shm_fmt_socktuple(const uint8_t *p, uint32_t len, char *out, size_t cap);

/* A path as sysdig resolves it against a directory (concatenate_paths):
 * a relative path (pathlen > 0, not starting with '/') is appended to cwd
 * (used as it is; it normally ends in '/'), then "//", "./", "." and ".."
 * are folded (".." may climb into cwd, never above its first byte), bytes
 * outside printable ASCII become '.', and a trailing '/' goes. An absolute
 * path is folded alone. path need not be NUL-terminated within pathlen.
 * sysdig shows the result in parentheses after relative FSPATH values and
 * names fds with it: the engine uses it for both (fd names, cwds, the
 * resolved part of evt.args), with the directory as libsinsp makes it (a
 * dirfd's name and '/', even "/" giving "//"; "<UNKNOWN>" for an unknown
 * dirfd). Checked against sysdig 0.29.3 (test/engine gen_capture "paths"). */
int shm_fmt_path_join(const char *cwd, const char *path, size_t pathlen, char *out,
		      size_t cap);

/* The resolved part sysdig shows after FSPATH/FSRELPATH parameter i: the
 * path joined to base when it is relative, else "" (also for "<NA>" and
 * other types). base is the thread's cwd, or for an FSRELPATH whose dirfd
 * is not AT_FDCWD that directory's path and '/' ("" when unknown). For a
 * resolve callback. */
int shm_fmt_fspath_resolved(const struct shm_evt *ev, unsigned i, const char *base, char *out,
			    size_t cap);

#endif
