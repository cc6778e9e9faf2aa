/*
 * Capture-file writer (see shm_scap.h): the block layout libscap of early
 * 2022 writes and Debian's sysdig 0.29.3 reads.
 *
 * Metadata blocks are built by the block API (shm_scap_block_*, in a
 * caller's buffer: the ring sends them the same way) in a scratch buffer
 * that grows when an entry does not fit (they are written once, at the
 * start); event blocks go straight into the output buffer, so writing an
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
	size_t scap;
	struct shm_scap_block blk;
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

/* ---- blocks in a caller's buffer (shm_scap.h) ---- */

/* Bytes end() adds after the last entry: padding and the trailer. */
#define TAIL_ROOM 7u

static void b_put(struct shm_scap_block *b, const void *p, size_t n)
{
	if (b->err)
		return;
	if (n > b->cap || b->len + n + TAIL_ROOM > b->cap) {
		b->err = -ENOSPC;
		return;
	}
	if (n)
		memcpy(b->buf + b->len, p, n);
	b->len += n;
}

static void b_u8(struct shm_scap_block *b, uint8_t v) { b_put(b, &v, 1); }
static void b_u16(struct shm_scap_block *b, uint16_t v) { b_put(b, &v, 2); }
static void b_u32(struct shm_scap_block *b, uint32_t v) { b_put(b, &v, 4); }
static void b_u64(struct shm_scap_block *b, uint64_t v) { b_put(b, &v, 8); }

/* u16 length + bytes, no NUL; cut at max (what libscap's reader accepts). */
static void b_buf(struct shm_scap_block *b, const char *p, size_t n, size_t max)
{
	if (!p)
		n = 0;
	if (n > max) {
		n = max;
		b->truncated++;
	}
	b_u16(b, (uint16_t)n);
	b_put(b, p, n);
}

static void b_str(struct shm_scap_block *b, const char *s, size_t max)
{
	b_buf(b, s, s ? strnlen(s, max + 1) : 0, max);
}

static void b_patch_u32(struct shm_scap_block *b, size_t at, uint32_t v)
{
	if (!b->err)
		memcpy(b->buf + at, &v, 4);
}

/* Starts an entry; entry_done() keeps it, or rolls it back when it did not fit. */
struct mark {
	size_t len;
	uint64_t truncated;
};

static struct mark entry_start(struct shm_scap_block *b)
{
	b->err = 0;
	return (struct mark){b->len, b->truncated};
}

static int entry_done(struct shm_scap_block *b, struct mark m)
{
	if (b->err) {
		int rc = b->err;
		b->len = m.len;
		b->truncated = m.truncated;
		b->err = 0;
		return rc;
	}
	b->n++;
	return 0;
}

static int is_meta_type(uint32_t t)
{
	return t == SHM_SCAP_MI || t == SHM_SCAP_PL_V9 || t == SHM_SCAP_FDL_V2 ||
	       t == SHM_SCAP_UL_V2 || t == SHM_SCAP_IL_V2;
}

static int block_begin(struct shm_scap_block *b, void *buf, size_t cap, uint32_t type)
{
	memset(b, 0, sizeof *b);
	/* a block that failed to begin takes no entry (type 0) and ends empty */
	if (!is_meta_type(type))
		return -EINVAL;
	if (!buf || cap < SHM_SCAP_BLOCK_MIN)
		return -ENOSPC;
	b->buf = buf;
	b->cap = cap;
	b->type = type;
	b_u32(b, type);
	b_u32(b, 0); /* total length, set by end() */
	return b->err;
}

int shm_scap_block_begin(struct shm_scap_block *b, void *buf, size_t cap, uint32_t type)
{
	return block_begin(b, buf, cap, type == SHM_SCAP_FDL_V2 ? 0 : type);
}

int shm_scap_block_begin_fds(struct shm_scap_block *b, void *buf, size_t cap, uint64_t tid)
{
	int rc = block_begin(b, buf, cap, SHM_SCAP_FDL_V2);
	if (rc)
		return rc;
	struct mark m = entry_start(b);
	b_u64(b, tid);
	rc = entry_done(b, m);
	b->n = 0;
	return rc;
}

size_t shm_scap_block_end(struct shm_scap_block *b)
{
	static const uint8_t zero[4];
	if (b->len < 8)
		return 0; /* never begun */
	/* entries always leave TAIL_ROOM, so this cannot overflow */
	size_t body = b->len - 8;
	memcpy(b->buf + b->len, zero, shm_scap_pad(body));
	b->len += shm_scap_pad(body);
	uint32_t total = (uint32_t)(b->len + 4);
	memcpy(b->buf + b->len, &total, 4);
	b->len += 4;
	memcpy(b->buf + 4, &total, 4);
	return b->len;
}

int shm_scap_block_machine(struct shm_scap_block *b, const struct shm_scap_machine *mi)
{
	uint8_t body[SHM_SCAP_MI_LEN];
	if (b->type != SHM_SCAP_MI || b->n)
		return -EINVAL;
	struct mark m = entry_start(b);
	memset(body, 0, sizeof body);
	memcpy(body, &mi->num_cpus, 4);
	memcpy(body + 4, &mi->memory_size_bytes, 8);
	memcpy(body + 12, &mi->max_pid, 8);
	if (mi->hostname) {
		size_t n = strnlen(mi->hostname, SHM_SCAP_HOSTNAME_LEN);
		if (n >= SHM_SCAP_HOSTNAME_LEN) {
			n = SHM_SCAP_HOSTNAME_LEN - 1;
			b->truncated++;
		}
		memcpy(body + 20, mi->hostname, n);
	}
	/* the 4 reserved u64 stay zero */
	b_put(b, body, sizeof body);
	return entry_done(b, m);
}

int shm_scap_block_add_proc(struct shm_scap_block *b, const struct shm_scap_proc *p)
{
	if (b->type != SHM_SCAP_PL_V9)
		return -EINVAL;
	struct mark m = entry_start(b);
	b_u32(b, 0); /* entry length, patched below; it counts itself */
	b_u64(b, p->tid);
	b_u64(b, p->pid);
	b_u64(b, p->ptid);
	b_u64(b, p->sid);
	b_u64(b, p->vpgid);
	b_str(b, p->comm, SHM_SCAP_MAX_PATH);
	b_str(b, p->exe, SHM_SCAP_MAX_PATH);
	b_str(b, p->exepath, SHM_SCAP_MAX_PATH);
	b_buf(b, p->args, p->args_len, SHM_SCAP_MAX_ARGS);
	b_str(b, p->cwd, SHM_SCAP_MAX_PATH);
	b_u64(b, (uint64_t)p->fdlimit);
	b_u32(b, p->flags);
	b_u32(b, p->uid);
	b_u32(b, p->gid);
	b_u32(b, p->vmsize_kb);
	b_u32(b, p->vmrss_kb);
	b_u32(b, p->vmswap_kb);
	b_u64(b, p->pfmajor);
	b_u64(b, p->pfminor);
	b_buf(b, p->env, p->env_len, SHM_SCAP_MAX_ARGS);
	b_u64(b, (uint64_t)p->vtid);
	b_u64(b, (uint64_t)p->vpid);
	b_buf(b, p->cgroups, p->cgroups_len, SHM_SCAP_MAX_ARGS);
	b_str(b, p->root, SHM_SCAP_MAX_PATH);
	/* the fields libscap of early 2022 appends after root */
	b_u32(b, (uint32_t)p->loginuid);
	b_u8(b, p->exe_writable);
	b_patch_u32(b, m.len, (uint32_t)(b->len - m.len));
	return entry_done(b, m);
}

int shm_scap_block_add_fd(struct shm_scap_block *b, const struct shm_scap_fd *f)
{
	if (b->type != SHM_SCAP_FDL_V2)
		return -EINVAL;
	struct mark m = entry_start(b);
	b_u32(b, 0); /* entry length, counts itself */
	b_u64(b, (uint64_t)f->fd);
	b_u64(b, f->ino);
	b_u8(b, f->type);
	switch (f->type) {
	case SHM_SCAP_FD_IPV4_SOCK:
		b_u32(b, f->sip[0]);
		b_u32(b, f->dip[0]);
		b_u16(b, f->sport);
		b_u16(b, f->dport);
		b_u8(b, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV4_SERVSOCK:
		b_u32(b, f->sip[0]);
		b_u16(b, f->sport);
		b_u8(b, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV6_SOCK:
		b_put(b, f->sip, 16);
		b_put(b, f->dip, 16);
		b_u16(b, f->sport);
		b_u16(b, f->dport);
		b_u8(b, f->l4proto);
		break;
	case SHM_SCAP_FD_IPV6_SERVSOCK:
		b_put(b, f->sip, 16);
		b_u16(b, f->sport);
		b_u8(b, f->l4proto);
		break;
	case SHM_SCAP_FD_UNIX_SOCK:
		b_u64(b, f->source);
		b_u64(b, f->dest);
		b_str(b, f->name, SHM_SCAP_MAX_FDNAME);
		break;
	case SHM_SCAP_FD_FILE_V2:
		b_u32(b, f->open_flags);
		b_str(b, f->name, SHM_SCAP_MAX_FDNAME);
		b_u32(b, f->dev);
		break;
	case SHM_SCAP_FD_FILE: case SHM_SCAP_FD_DIRECTORY: case SHM_SCAP_FD_FIFO:
	case SHM_SCAP_FD_EVENT: case SHM_SCAP_FD_UNSUPPORTED: case SHM_SCAP_FD_SIGNALFD:
	case SHM_SCAP_FD_EVENTPOLL: case SHM_SCAP_FD_INOTIFY: case SHM_SCAP_FD_TIMERFD:
	case SHM_SCAP_FD_NETLINK:
		b_str(b, f->name, SHM_SCAP_MAX_FDNAME);
		break;
	default:
		/* libscap's reader stops at a type it does not know */
		b->err = -EINVAL;
	}
	b_patch_u32(b, m.len, (uint32_t)(b->len - m.len));
	return entry_done(b, m);
}

int shm_scap_block_add_user(struct shm_scap_block *b, const struct shm_scap_user *u)
{
	if (b->type != SHM_SCAP_UL_V2)
		return -EINVAL;
	struct mark m = entry_start(b);
	b_u32(b, 0); /* entry length, counts itself */
	b_u8(b, SHM_SCAP_UL_USER);
	b_u32(b, u->uid);
	b_u32(b, u->gid);
	b_str(b, u->name, SHM_SCAP_MAX_CRED);
	b_str(b, u->homedir, SHM_SCAP_MAX_CRED);
	b_str(b, u->shell, SHM_SCAP_MAX_CRED);
	b_patch_u32(b, m.len, (uint32_t)(b->len - m.len));
	return entry_done(b, m);
}

int shm_scap_block_add_group(struct shm_scap_block *b, const struct shm_scap_group *g)
{
	if (b->type != SHM_SCAP_UL_V2)
		return -EINVAL;
	struct mark m = entry_start(b);
	b_u32(b, 0);
	b_u8(b, SHM_SCAP_UL_GROUP);
	b_u32(b, g->gid);
	b_str(b, g->name, SHM_SCAP_MAX_CRED);
	b_patch_u32(b, m.len, (uint32_t)(b->len - m.len));
	return entry_done(b, m);
}

int shm_scap_block_add_iface(struct shm_scap_block *b, const struct shm_scap_iface *f)
{
	if (b->type != SHM_SCAP_IL_V2)
		return -EINVAL;
	struct mark m = entry_start(b);
	int v6 = !!f->is_ipv6;
	b_u32(b, 0); /* entry length; unlike the other lists it excludes itself */
	b_u16(b, v6 ? SHM_SCAP_II_IPV6 : SHM_SCAP_II_IPV4);
	size_t nlen = f->ifname ? strnlen(f->ifname, SHM_SCAP_MAX_FDNAME + 1) : 0;
	if (nlen > SHM_SCAP_MAX_FDNAME) {
		nlen = SHM_SCAP_MAX_FDNAME;
		b->truncated++;
	}
	b_u16(b, (uint16_t)nlen);
	if (v6) {
		b_put(b, f->addr6, 16);
		b_put(b, f->netmask6, 16);
		b_put(b, f->bcast6, 16);
	} else {
		b_u32(b, f->addr4);
		b_u32(b, f->netmask4);
		b_u32(b, f->bcast4);
	}
	b_u64(b, f->linkspeed);
	b_put(b, f->ifname, nlen);
	b_patch_u32(b, m.len, (uint32_t)(b->len - m.len - 4));
	return entry_done(b, m);
}

/* ---- the file writer's metadata blocks: a block in a growing scratch ---- */

static int s_begin(struct shm_scap_writer *w, uint32_t type, const char *what)
{
	if (w->err)
		return w->err;
	if (w->events_started)
		return fail(w, -EINVAL, "%s written after the first event: metadata blocks "
			    "must come first", what);
	if (!w->scratch) {
		w->scratch = malloc(4096);
		if (!w->scratch)
			return fail(w, -ENOMEM, "out of memory building a metadata block");
		w->scap = 4096;
	}
	return block_begin(&w->blk, w->scratch, w->scap, type);
}

/* Doubles the scratch after an entry did not fit: 0, or the error. */
static int s_grow(struct shm_scap_writer *w)
{
	if (w->scap >= SHM_SCAP_MAX_BLOCK - 16)
		return fail(w, -E2BIG, "metadata block would exceed %u bytes; split it",
			    SHM_SCAP_MAX_BLOCK);
	size_t cap = w->scap * 2;
	if (cap > SHM_SCAP_MAX_BLOCK - 16)
		cap = SHM_SCAP_MAX_BLOCK - 16;
	uint8_t *p = realloc(w->scratch, cap);
	if (!p)
		return fail(w, -ENOMEM, "out of memory building a metadata block");
	w->scratch = p;
	w->scap = cap;
	w->blk.buf = p;
	w->blk.cap = cap;
	return 0;
}

/* An entry that does not fit grows the scratch and is added again. */
#define S_ADD(w, call)                                                                     \
	do {                                                                               \
		int rc_;                                                                   \
		while ((rc_ = (call)) == -ENOSPC && !(rc_ = s_grow(w)))                    \
			;                                                                  \
		if (rc_ && !(w)->err)                                                      \
			fail((w), rc_, "cannot encode a metadata entry: %s", strerror(-rc_)); \
	} while (0)

static int s_end(struct shm_scap_writer *w)
{
	if (w->err)
		return w->err;
	size_t n = shm_scap_block_end(&w->blk);
	w->truncated += w->blk.truncated;
	return out(w, w->scratch, n);
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
	if (s_begin(w, SHM_SCAP_MI, "machine info"))
		return w->err;
	S_ADD(w, shm_scap_block_machine(&w->blk, mi));
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
	for (size_t i = 0; i < n && !w->err; i++)
		S_ADD(w, shm_scap_block_add_proc(&w->blk, &procs[i]));
	return s_end(w);
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
	S_ADD(w, shm_scap_block_begin_fds(&w->blk, w->scratch, w->scap, tid));
	for (size_t i = 0; i < n && !w->err; i++) {
		int rc = shm_scap_block_add_fd(&w->blk, &fds[i]);
		if (rc == -EINVAL)
			return fail(w, -EINVAL, "fd %lld has type %u, which the capture format "
				    "cannot hold (known: 1-16)", (long long)fds[i].fd, fds[i].type);
		if (rc)
			S_ADD(w, shm_scap_block_add_fd(&w->blk, &fds[i]));
	}
	return s_end(w);
}

int shm_scap_write_users(struct shm_scap_writer *w, const struct shm_scap_user *users,
			 size_t nusers, const struct shm_scap_group *groups, size_t ngroups)
{
	if (s_begin(w, SHM_SCAP_UL_V2, "user list"))
		return w->err;
	for (size_t i = 0; i < nusers && !w->err; i++)
		S_ADD(w, shm_scap_block_add_user(&w->blk, &users[i]));
	for (size_t i = 0; i < ngroups && !w->err; i++)
		S_ADD(w, shm_scap_block_add_group(&w->blk, &groups[i]));
	return s_end(w);
}

int shm_scap_write_ifaces(struct shm_scap_writer *w, const struct shm_scap_iface *ifs, size_t n)
{
	if (s_begin(w, SHM_SCAP_IL_V2, "interface list"))
		return w->err;
	/* libscap writes all IPv4 entries, then all IPv6 ones */
	for (int v6 = 0; v6 <= 1; v6++)
		for (size_t i = 0; i < n && !w->err; i++)
			if (!!ifs[i].is_ipv6 == v6)
				S_ADD(w, shm_scap_block_add_iface(&w->blk, &ifs[i]));
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
