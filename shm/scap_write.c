/*
 * Capture-file writer (see shm_scap.h): the block layout libscap of early
 * 2022 writes and Debian's sysdig 0.29.3 reads.
 *
 * Metadata blocks are built in a scratch buffer (they are written once, at
 * the start); event blocks go straight into the output buffer, so writing an
 * event allocates nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "shm_scap.h"

#define OUTBUF_SIZE (256u * 1024u)

struct shm_scap_writer {
	int fd;
	int own_fd;
	int err;              /* first error, sticky */
	int events_started;
	uint64_t truncated;   /* strings cut to what libscap's reader accepts */
	uint64_t offset;      /* bytes handed to the file so far (incl. buffered) */
	size_t outlen;
	uint8_t *scratch;     /* metadata block under construction */
	size_t slen, scap;
	uint64_t *tids;       /* of the process list, for the fd lists' sake */
	size_t ntids, captids;
	char msg[256];
	uint8_t out[OUTBUF_SIZE];
};

static int fail(struct shm_scap_writer *w, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct shm_scap_writer *w, int err, const char *fmt, ...)
{
	if (!w->err) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(w->msg, sizeof w->msg, fmt, ap);
		va_end(ap);
		w->err = err;
	}
	return err;
}

static int write_all(struct shm_scap_writer *w, const struct iovec *iov, int n)
{
	struct iovec v[4];
	memcpy(v, iov, sizeof *v * (size_t)n);
	int i = 0;
	while (i < n) {
		ssize_t r = writev(w->fd, v + i, n - i);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			return fail(w, -e, "writing the capture file: %s", strerror(e));
		}
		size_t done = (size_t)r;
		while (i < n && done >= v[i].iov_len)
			done -= v[i++].iov_len;
		if (i < n) {
			v[i].iov_base = (uint8_t *)v[i].iov_base + done;
			v[i].iov_len -= done;
		}
	}
	return 0;
}

int shm_scap_writer_flush(struct shm_scap_writer *w)
{
	if (w->err)
		return w->err;
	if (w->outlen) {
		struct iovec v = {w->out, w->outlen};
		int rc = write_all(w, &v, 1);
		if (rc)
			return rc;
		w->outlen = 0;
	}
	return 0;
}

/* Appends to the output buffer; big pieces bypass it. */
static int out(struct shm_scap_writer *w, const void *p, size_t n)
{
	if (w->err)
		return w->err;
	if (w->outlen + n > OUTBUF_SIZE) {
		int rc = shm_scap_writer_flush(w);
		if (rc)
			return rc;
		if (n > OUTBUF_SIZE) {
			struct iovec v = {(void *)p, n};
			rc = write_all(w, &v, 1);
			if (rc)
				return rc;
			w->offset += n;
			return 0;
		}
	}
	memcpy(w->out + w->outlen, p, n);
	w->outlen += n;
	w->offset += n;
	return 0;
}

/* ---- scratch buffer for metadata blocks ---- */

static int s_room(struct shm_scap_writer *w, size_t n)
{
	if (w->err)
		return w->err;
	if (w->slen + n > SHM_SCAP_MAX_BLOCK - 16)
		return fail(w, -E2BIG, "metadata block would exceed %u bytes; split it",
			    SHM_SCAP_MAX_BLOCK);
	if (w->slen + n <= w->scap)
		return 0;
	size_t cap = w->scap ? w->scap : 4096;
	while (cap < w->slen + n)
		cap *= 2;
	uint8_t *p = realloc(w->scratch, cap);
	if (!p)
		return fail(w, -ENOMEM, "out of memory building a metadata block");
	w->scratch = p;
	w->scap = cap;
	return 0;
}

static void s_put(struct shm_scap_writer *w, const void *p, size_t n)
{
	if (s_room(w, n) == 0) {
		if (n)
			memcpy(w->scratch + w->slen, p, n);
		w->slen += n;
	}
}

static void s_u8(struct shm_scap_writer *w, uint8_t v) { s_put(w, &v, 1); }
static void s_u16(struct shm_scap_writer *w, uint16_t v) { s_put(w, &v, 2); }
static void s_u32(struct shm_scap_writer *w, uint32_t v) { s_put(w, &v, 4); }
static void s_u64(struct shm_scap_writer *w, uint64_t v) { s_put(w, &v, 8); }

/* u16 length + bytes, no NUL; cut at max (what libscap's reader accepts). */
static void s_buf(struct shm_scap_writer *w, const char *p, size_t n, size_t max)
{
	if (!p)
		n = 0;
	if (n > max) {
		n = max;
		w->truncated++;
	}
	s_u16(w, (uint16_t)n);
	s_put(w, p, n);
}

static void s_str(struct shm_scap_writer *w, const char *s, size_t max)
{
	s_buf(w, s, s ? strnlen(s, max + 1) : 0, max);
}

static void s_patch_u32(struct shm_scap_writer *w, size_t at, uint32_t v)
{
	if (!w->err)
		memcpy(w->scratch + at, &v, 4);
}

/* Starts a block in the scratch buffer: header now, length patched at the end. */
static int s_begin(struct shm_scap_writer *w, uint32_t type, const char *what)
{
	if (w->err)
		return w->err;
	if (w->events_started)
		return fail(w, -EINVAL, "%s written after the first event: metadata blocks "
			    "must come first", what);
	w->slen = 0;
	s_u32(w, type);
	s_u32(w, 0);
	return w->err;
}

static int s_end(struct shm_scap_writer *w)
{
	static const uint8_t zero[4];
	if (w->err)
		return w->err;
	size_t body = w->slen - 8;
	s_put(w, zero, shm_scap_pad(body));
	uint32_t total = (uint32_t)(w->slen + 4);
	s_u32(w, total);
	s_patch_u32(w, 4, total);
	if (w->err)
		return w->err;
	return out(w, w->scratch, w->slen);
}

/* ---- public API ---- */

static int writer_init(struct shm_scap_writer **wp, int fd, int own)
{
	struct shm_scap_writer *w = calloc(1, sizeof *w);
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->own_fd = own;
	/* section header: magic, version 1.2 (what libscap of 2022 writes),
	 * section length unknown (-1) */
	uint8_t shb[SHM_SCAP_SHB_LEN];
	uint32_t v32 = SHM_SCAP_SHB;
	memcpy(shb, &v32, 4);
	v32 = SHM_SCAP_SHB_LEN;
	memcpy(shb + 4, &v32, 4);
	v32 = SHM_SCAP_SHB_MAGIC;
	memcpy(shb + 8, &v32, 4);
	uint16_t v16 = SHM_SCAP_VERSION_MAJOR;
	memcpy(shb + 12, &v16, 2);
	v16 = SHM_SCAP_VERSION_MINOR;
	memcpy(shb + 14, &v16, 2);
	uint64_t v64 = UINT64_MAX;
	memcpy(shb + 16, &v64, 8);
	v32 = SHM_SCAP_SHB_LEN;
	memcpy(shb + 24, &v32, 4);
	out(w, shb, sizeof shb);
	*wp = w;
	return 0;
}

int shm_scap_writer_new(struct shm_scap_writer **w, const char *path)
{
	*w = NULL;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	int rc = writer_init(w, fd, 1);
	if (rc)
		close(fd);
	return rc;
}

int shm_scap_writer_fdopen(struct shm_scap_writer **w, int fd)
{
	*w = NULL;
	if (fd < 0)
		return -EBADF;
	return writer_init(w, fd, 0);
}

const char *shm_scap_writer_error(const struct shm_scap_writer *w)
{
	return w->err ? w->msg : "";
}

uint64_t shm_scap_writer_truncated(const struct shm_scap_writer *w)
{
	return w->truncated;
}

int shm_scap_write_machine(struct shm_scap_writer *w, const struct shm_scap_machine *mi)
{
	uint8_t body[SHM_SCAP_MI_LEN];
	memset(body, 0, sizeof body);
	memcpy(body, &mi->num_cpus, 4);
	memcpy(body + 4, &mi->memory_size_bytes, 8);
	memcpy(body + 12, &mi->max_pid, 8);
	if (mi->hostname) {
		size_t n = strnlen(mi->hostname, SHM_SCAP_HOSTNAME_LEN);
		if (n >= SHM_SCAP_HOSTNAME_LEN) {
			n = SHM_SCAP_HOSTNAME_LEN - 1;
			w->truncated++;
		}
		memcpy(body + 20, mi->hostname, n);
	}
	/* the 4 reserved u64 stay zero */
	if (s_begin(w, SHM_SCAP_MI, "machine info"))
		return w->err;
	s_put(w, body, sizeof body);
	return s_end(w);
}

static int has_tid(const struct shm_scap_writer *w, uint64_t tid)
{
	for (size_t i = 0; i < w->ntids; i++)
		if (w->tids[i] == tid)
			return 1;
	return 0;
}

int shm_scap_write_procs(struct shm_scap_writer *w, const struct shm_scap_proc *procs, size_t n)
{
	if (s_begin(w, SHM_SCAP_PL_V9, "process list"))
		return w->err;
	if (w->ntids + n > w->captids) {
		uint64_t *t = realloc(w->tids, (w->ntids + n) * sizeof *t);
		if (!t)
			return fail(w, -ENOMEM, "out of memory writing the process list");
		w->tids = t;
		w->captids = w->ntids + n;
	}
	for (size_t i = 0; i < n; i++)
		w->tids[w->ntids++] = procs[i].tid;
	for (size_t i = 0; i < n && !w->err; i++) {
		const struct shm_scap_proc *p = &procs[i];
		size_t start = w->slen;
		s_u32(w, 0); /* entry length, patched below; it counts itself */
		s_u64(w, p->tid);
		s_u64(w, p->pid);
		s_u64(w, p->ptid);
		s_u64(w, p->sid);
		s_u64(w, p->vpgid);
		s_str(w, p->comm, SHM_SCAP_MAX_PATH);
		s_str(w, p->exe, SHM_SCAP_MAX_PATH);
		s_str(w, p->exepath, SHM_SCAP_MAX_PATH);
		s_buf(w, p->args, p->args_len, SHM_SCAP_MAX_ARGS);
		s_str(w, p->cwd, SHM_SCAP_MAX_PATH);
		s_u64(w, (uint64_t)p->fdlimit);
		s_u32(w, p->flags);
		s_u32(w, p->uid);
		s_u32(w, p->gid);
		s_u32(w, p->vmsize_kb);
		s_u32(w, p->vmrss_kb);
		s_u32(w, p->vmswap_kb);
		s_u64(w, p->pfmajor);
		s_u64(w, p->pfminor);
		s_buf(w, p->env, p->env_len, SHM_SCAP_MAX_ARGS);
		s_u64(w, (uint64_t)p->vtid);
		s_u64(w, (uint64_t)p->vpid);
		s_buf(w, p->cgroups, p->cgroups_len, SHM_SCAP_MAX_ARGS);
		s_str(w, p->root, SHM_SCAP_MAX_PATH);
		/* the fields libscap of early 2022 appends after root */
		s_u32(w, (uint32_t)p->loginuid);
		s_u8(w, p->exe_writable);
		s_patch_u32(w, start, (uint32_t)(w->slen - start));
	}
	return s_end(w);
}

static int fd_entry(struct shm_scap_writer *w, const struct shm_scap_fd *f)
{
	size_t start = w->slen;
	s_u32(w, 0); /* entry length, counts itself */
	s_u64(w, (uint64_t)f->fd);
	s_u64(w, f->ino);
	s_u8(w, f->type);
	switch (f->type) {
	case SHM_SCAP_FD_IPV4_SOCK:
		s_u32(w, f->sip[0]);
		s_u32(w, f->dip[0]);
		s_u16(w, f->sport);
		s_u16(w, f->dport);
		s_u8(w, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV4_SERVSOCK:
		s_u32(w, f->sip[0]);
		s_u16(w, f->sport);
		s_u8(w, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV6_SOCK:
		s_put(w, f->sip, 16);
		s_put(w, f->dip, 16);
		s_u16(w, f->sport);
		s_u16(w, f->dport);
		s_u8(w, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV6_SERVSOCK:
		s_put(w, f->sip, 16);
		s_u16(w, f->sport);
		s_u8(w, f->l4proto);
		break;
	case SHM_SCAP_FD_UNIX_SOCK:
		s_u64(w, f->source);
		s_u64(w, f->dest);
		s_str(w, f->name, SHM_SCAP_MAX_FDNAME);
		break;
	case SHM_SCAP_FD_FILE_V2:
		s_u32(w, f->open_flags);
		s_str(w, f->name, SHM_SCAP_MAX_FDNAME);
		s_u32(w, f->dev);
		break;
	case SHM_SCAP_FD_FILE: case SHM_SCAP_FD_DIRECTORY: case SHM_SCAP_FD_FIFO:
	case SHM_SCAP_FD_EVENT: case SHM_SCAP_FD_UNSUPPORTED: case SHM_SCAP_FD_SIGNALFD:
	case SHM_SCAP_FD_EVENTPOLL: case SHM_SCAP_FD_INOTIFY: case SHM_SCAP_FD_TIMERFD:
	case SHM_SCAP_FD_NETLINK:
		s_str(w, f->name, SHM_SCAP_MAX_FDNAME);
		break;
	default:
		/* libscap's reader stops at a type it does not know */
		return fail(w, -EINVAL, "fd %lld has type %u, which the capture format "
			    "cannot hold (known: 1-16)", (long long)f->fd, f->type);
	}
	s_patch_u32(w, start, (uint32_t)(w->slen - start));
	return w->err;
}

int shm_scap_write_fds(struct shm_scap_writer *w, uint64_t tid, const struct shm_scap_fd *fds,
		       size_t n)
{
	if (s_begin(w, SHM_SCAP_FDL_V2, "fd list"))
		return w->err;
	/* libscap refuses to open a file whose fd list names an unknown thread */
	if (!has_tid(w, tid))
		return fail(w, -EINVAL, "fd list of tid %llu, which is not in the process "
			    "list: write the process first", (unsigned long long)tid);
	s_u64(w, tid);
	for (size_t i = 0; i < n && !w->err; i++)
		fd_entry(w, &fds[i]);
	return s_end(w);
}

int shm_scap_write_users(struct shm_scap_writer *w, const struct shm_scap_user *users,
			 size_t nusers, const struct shm_scap_group *groups, size_t ngroups)
{
	if (s_begin(w, SHM_SCAP_UL_V2, "user list"))
		return w->err;
	for (size_t i = 0; i < nusers && !w->err; i++) {
		size_t start = w->slen;
		s_u32(w, 0); /* entry length, counts itself */
		s_u8(w, SHM_SCAP_UL_USER);
		s_u32(w, users[i].uid);
		s_u32(w, users[i].gid);
		s_str(w, users[i].name, SHM_SCAP_MAX_CRED);
		s_str(w, users[i].homedir, SHM_SCAP_MAX_CRED);
		s_str(w, users[i].shell, SHM_SCAP_MAX_CRED);
		s_patch_u32(w, start, (uint32_t)(w->slen - start));
	}
	for (size_t i = 0; i < ngroups && !w->err; i++) {
		size_t start = w->slen;
		s_u32(w, 0);
		s_u8(w, SHM_SCAP_UL_GROUP);
		s_u32(w, groups[i].gid);
		s_str(w, groups[i].name, SHM_SCAP_MAX_CRED);
		s_patch_u32(w, start, (uint32_t)(w->slen - start));
	}
	return s_end(w);
}

int shm_scap_write_ifaces(struct shm_scap_writer *w, const struct shm_scap_iface *ifs, size_t n)
{
	if (s_begin(w, SHM_SCAP_IL_V2, "interface list"))
		return w->err;
	/* libscap writes all IPv4 entries, then all IPv6 ones */
	for (int v6 = 0; v6 <= 1; v6++) {
		for (size_t i = 0; i < n && !w->err; i++) {
			const struct shm_scap_iface *f = &ifs[i];
			if (!!f->is_ipv6 != v6)
				continue;
			size_t start = w->slen;
			s_u32(w, 0); /* entry length; unlike the other lists it excludes itself */
			s_u16(w, v6 ? SHM_SCAP_II_IPV6 : SHM_SCAP_II_IPV4);
			size_t nlen = f->ifname ? strnlen(f->ifname, SHM_SCAP_MAX_FDNAME + 1) : 0;
			if (nlen > SHM_SCAP_MAX_FDNAME) {
				nlen = SHM_SCAP_MAX_FDNAME;
				w->truncated++;
			}
			s_u16(w, (uint16_t)nlen);
			if (v6) {
				s_put(w, f->addr6, 16);
				s_put(w, f->netmask6, 16);
				s_put(w, f->bcast6, 16);
			} else {
				s_u32(w, f->addr4);
				s_u32(w, f->netmask4);
				s_u32(w, f->bcast4);
			}
			s_u64(w, f->linkspeed);
			s_put(w, f->ifname, nlen);
			s_patch_u32(w, start, (uint32_t)(w->slen - start - 4));
		}
	}
	return s_end(w);
}

int shm_scap_write_event(struct shm_scap_writer *w, uint16_t cpuid, uint32_t flags,
			 const void *evt, uint32_t len)
{
	static const uint8_t zero[4];
	struct shm_evt_hdr h;

	if (w->err)
		return w->err;
	/* libscap's "large" dump flag is not stored: the event type says it */
	flags &= ~4u;
	/* cheap framing checks; the caller validated the parameters */
	if (len < SHM_EVT_HDR_LEN)
		return fail(w, -EINVAL, "event of %u bytes is shorter than the header", len);
	memcpy(&h, evt, SHM_EVT_HDR_LEN);
	if (h.len != len)
		return fail(w, -EINVAL, "event header says %u bytes, %u given", h.len, len);
	if (h.type >= SHM_EVENT_MAX)
		return fail(w, -EINVAL, "event type %u is out of range", h.type);
	int large = (shm_event_table[h.type].flags & SHM_EF_LARGE_PAYLOAD) != 0;
	uint32_t pre = flags ? 6 : 2; /* cpuid (+ flags) */
	uint64_t total = 8 + (uint64_t)pre + len + shm_scap_pad(pre + len) + 4;
	/* sysdig reads non-large event blocks into a 64 KiB buffer */
	if (!large && total - 8 > SHM_SCAP_READER_BUF)
		return fail(w, -E2BIG, "%s event of %u bytes is too big for a capture "
			    "block (sysdig reads at most %u)", shm_event_table[h.type].name,
			    len, SHM_SCAP_READER_BUF);
	if (total > SHM_SCAP_MAX_BLOCK)
		return fail(w, -E2BIG, "event of %u bytes exceeds the %u-byte block limit",
			    len, SHM_SCAP_MAX_BLOCK);
	uint32_t type = flags ? (large ? SHM_SCAP_EVF_V2_LARGE : SHM_SCAP_EVF_V2)
			      : (large ? SHM_SCAP_EV_V2_LARGE : SHM_SCAP_EV_V2);
	uint8_t head[14];
	uint32_t t32 = (uint32_t)total;
	memcpy(head, &type, 4);
	memcpy(head + 4, &t32, 4);
	memcpy(head + 8, &cpuid, 2);
	memcpy(head + 10, &flags, 4);
	w->events_started = 1;
	out(w, head, 8 + pre);
	out(w, evt, len);
	out(w, zero, shm_scap_pad(pre + len));
	return out(w, &t32, 4);
}

int shm_scap_writer_free(struct shm_scap_writer *w)
{
	if (!w)
		return 0;
	int rc = shm_scap_writer_flush(w);
	if (w->own_fd && close(w->fd) && !rc) {
		int e = errno;
		rc = fail(w, -e, "closing the capture file: %s", strerror(e));
	}
	free(w->scratch);
	free(w->tids);
	free(w);
	return rc;
}
