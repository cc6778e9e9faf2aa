/* Sockets: addresses from tracee memory, tuples from a copy of the tracee's
 * socket (pidfd_getfd) queried with getsockname/getpeername. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include "pdig.h"

#define A(i) (c->args[i])

/* Reads a sockaddr of len bytes; returns its length, or 0 if unreadable. */
static socklen_t read_addr(struct pd_call *c, uint64_t addr, uint64_t len,
			   struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (!addr || len < sizeof(sa_family_t))
		return 0;
	if (len > sizeof *ss)
		len = sizeof *ss;
	if (pd_mem_read(c->t->tid, addr, ss, (size_t)len) != (ssize_t)len) {
		pd_page_fault(c->tr);
		return 0;
	}
	return (socklen_t)len;
}

/* The name of a unix socket address; abstract names (leading NUL) are
 * shown with a leading '@' as the driver does. */
static void unix_path(const struct sockaddr_un *sun, socklen_t len, char *out, size_t cap)
{
	size_t n = len > offsetof(struct sockaddr_un, sun_path)
			   ? len - offsetof(struct sockaddr_un, sun_path) : 0;
	if (n > sizeof sun->sun_path)
		n = sizeof sun->sun_path;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, sun->sun_path, n);
	out[n] = 0;
	if (n && out[0] == 0)
		out[0] = '@';
	out[strnlen(out, n)] = 0; /* up to the first NUL (or the whole name) */
}

static void enc_sockaddr(struct pd_call *c, const struct sockaddr_storage *ss, socklen_t len)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	if (len == 0) {
		shm_enc_empty(c->e);
		return;
	}
	switch (ss->ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const void *)ss;
		shm_enc_sockaddr_in(c->e, in->sin_addr.s_addr, ntohs(in->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const void *)ss;
		shm_enc_sockaddr_in6(c->e, in6->sin6_addr.s6_addr, ntohs(in6->sin6_port));
		break;
	}
	case AF_UNIX:
		unix_path((const void *)ss, len, path, sizeof path);
		shm_enc_sockaddr_un(c->e, path);
		break;
	default:
		shm_enc_empty(c->e);
	}
}

/* A copy of the tracee's fd in pdig, or a negative errno. */
static int grab_fd(struct pd_call *c, int64_t fd)
{
	if (fd < 0)
		return -EBADF;
	int pidfd = (int)syscall(SYS_pidfd_open, c->t->pid ? c->t->pid : c->t->tid, 0);
	if (pidfd < 0)
		return -errno;
	int copy = (int)syscall(SYS_pidfd_getfd, pidfd, (int)fd, 0);
	int err = copy < 0 ? -errno : 0;
	close(pidfd);
	return copy < 0 ? err : copy;
}

/*
 * The tuple of a connected socket. Outbound (connect): source is the local
 * end, destination the peer; inbound (accept): source is the peer. When the
 * peer is not known yet (a connect in progress), the address the tracee
 * asked for stands in.
 */
static void enc_tuple(struct pd_call *c, int64_t fd, int inbound,
		      const struct sockaddr_storage *asked, socklen_t asked_len)
{
	struct sockaddr_storage local, peer;
	socklen_t llen = sizeof local, plen = sizeof peer;
	int copy = grab_fd(c, fd);
	memset(&local, 0, sizeof local);
	memset(&peer, 0, sizeof peer);
	if (copy < 0) {
		shm_enc_empty(c->e);
		return;
	}
	if (getsockname(copy, (struct sockaddr *)&local, &llen) < 0)
		llen = 0;
	if (getpeername(copy, (struct sockaddr *)&peer, &plen) < 0) {
		plen = asked_len;
		if (asked_len)
			memcpy(&peer, asked, sizeof peer);
	}
	close(copy);
	if (!llen) {
		shm_enc_empty(c->e);
		return;
	}
	const struct sockaddr_storage *src = inbound ? &peer : &local;
	const struct sockaddr_storage *dst = inbound ? &local : &peer;
	switch (local.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *s = (const void *)src, *d = (const void *)dst;
		shm_enc_socktuple_in(c->e, s->sin_addr.s_addr, ntohs(s->sin_port),
				     d->sin_addr.s_addr, ntohs(d->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *s = (const void *)src, *d = (const void *)dst;
		shm_enc_socktuple_in6(c->e, s->sin6_addr.s6_addr, ntohs(s->sin6_port),
				      d->sin6_addr.s6_addr, ntohs(d->sin6_port));
		break;
	}
	case AF_UNIX: {
		/* the name is the one of the end that has one: the listener's */
		char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
		if (plen > offsetof(struct sockaddr_un, sun_path))
			unix_path((const void *)&peer, plen, path, sizeof path);
		else
			unix_path((const void *)&local, llen, path, sizeof path);
		/* kernel socket addresses are not visible from userspace */
		shm_enc_socktuple_un(c->e, 0, 0, path);
		break;
	}
	default:
		shm_enc_empty(c->e);
	}
}

void pd_dec_socket_e(struct pd_call *c)
{
	shm_enc_u32(c->e, (uint32_t)A(0)); /* PPM socket families are the native ones */
	shm_enc_u32(c->e, (uint32_t)A(1));
	shm_enc_u32(c->e, (uint32_t)A(2));
}

void pd_dec_socket_x(struct pd_call *c) { pd_enc_res(c); }

void pd_dec_bind_e(struct pd_call *c) { pd_enc_fd(c, A(0)); }

void pd_dec_bind_x(struct pd_call *c)
{
	struct sockaddr_storage ss;
	pd_enc_res(c);
	enc_sockaddr(c, &ss, read_addr(c, A(1), A(2), &ss));
}

void pd_dec_connect_e(struct pd_call *c)
{
	struct sockaddr_storage ss;
	pd_enc_fd(c, A(0));
	enc_sockaddr(c, &ss, read_addr(c, A(1), A(2), &ss));
}

void pd_dec_connect_x(struct pd_call *c)
{
	struct sockaddr_storage ss;
	socklen_t len = read_addr(c, A(1), A(2), &ss);
	pd_enc_res(c);
	if (c->ret < 0 && c->ret != -EINPROGRESS)
		shm_enc_empty(c->e);
	else
		enc_tuple(c, (int32_t)A(0), 0, &ss, len);
}

void pd_dec_listen_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)A(1));
}

void pd_dec_listen_x(struct pd_call *c) { pd_enc_res(c); }

/* accept and accept4 exits: the new fd, its tuple, and the listener's
 * queue figures, which only the kernel knows (left at 0). */
void pd_dec_accept_x(struct pd_call *c)
{
	pd_enc_res(c);
	if (c->ret >= 0)
		enc_tuple(c, c->ret, 1, NULL, 0);
	else
		shm_enc_empty(c->e);
	shm_enc_u8(c->e, 0);
	shm_enc_u32(c->e, 0);
	shm_enc_u32(c->e, 0);
}

void pd_dec_accept4_e(struct pd_call *c) { shm_enc_u32(c->e, (uint32_t)A(3)); }
void pd_dec_accept4_x(struct pd_call *c) { pd_dec_accept_x(c); }

/* sendto(fd, buf, len, flags, addr, addrlen) */
void pd_dec_sendto_e(struct pd_call *c)
{
	struct sockaddr_storage ss;
	socklen_t len = read_addr(c, A(4), A(5), &ss);
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)A(2));
	enc_tuple(c, (int32_t)A(0), 0, &ss, len);
}

void pd_dec_sendto_x(struct pd_call *c)
{
	pd_enc_res(c);
	pd_enc_data(c, A(1), c->ret);
}

/* recvfrom(fd, buf, len, flags, addr, addrlen *): the source address is
 * filled in by the kernel, read at the exit */
void pd_dec_recvfrom_e(struct pd_call *c)
{
	pd_enc_fd(c, A(0));
	shm_enc_u32(c->e, (uint32_t)A(2));
}

void pd_dec_recvfrom_x(struct pd_call *c)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	uint32_t alen = 0;
	pd_enc_res(c);
	pd_enc_data(c, A(1), c->ret);
	if (c->ret < 0) {
		shm_enc_empty(c->e);
		return;
	}
	if (A(4) && A(5) && pd_mem_read(c->t->tid, A(5), &alen, sizeof alen) == sizeof alen)
		len = read_addr(c, A(4), alen, &ss);
	enc_tuple(c, (int32_t)A(0), 1, &ss, len);
}

/*
 * sendmsg/recvmsg: the struct msghdr and its iovecs, read from the tracee.
 * 32-bit callers (i386, and x32, whose sendmsg/recvmsg are the compat ones)
 * pass the compat layouts: 32-bit pointers and lengths.
 */
#define MAX_IOV 32

struct msg {
	struct msghdr h;
	struct iovec iov[MAX_IOV];
	size_t niov;
	uint64_t total;
};

struct msghdr32 {
	uint32_t name;
	int32_t namelen;
	uint32_t iov;
	uint32_t iovlen;
	uint32_t control;
	uint32_t controllen;
	uint32_t flags;
};

struct iovec32 {
	uint32_t base;
	uint32_t len;
};

static int read_msg32(struct pd_call *c, uint64_t addr, struct msg *m)
{
	struct msghdr32 h;
	struct iovec32 iov[MAX_IOV];
	if (pd_mem_read(c->t->tid, addr, &h, sizeof h) != sizeof h)
		return -EFAULT;
	memset(&m->h, 0, sizeof m->h);
	m->h.msg_name = (void *)(uintptr_t)h.name;
	m->h.msg_namelen = h.namelen < 0 ? 0 : (socklen_t)h.namelen;
	m->niov = h.iovlen < MAX_IOV ? h.iovlen : MAX_IOV;
	if (m->niov && pd_mem_read(c->t->tid, h.iov, iov, m->niov * sizeof iov[0]) !=
			       (ssize_t)(m->niov * sizeof iov[0]))
		return -EFAULT;
	for (size_t i = 0; i < m->niov; i++) {
		m->iov[i].iov_base = (void *)(uintptr_t)iov[i].base;
		m->iov[i].iov_len = iov[i].len;
	}
	return 0;
}

static int read_msg64(struct pd_call *c, uint64_t addr, struct msg *m)
{
	if (pd_mem_read(c->t->tid, addr, &m->h, sizeof m->h) != sizeof m->h)
		return -EFAULT;
	m->niov = m->h.msg_iovlen < MAX_IOV ? m->h.msg_iovlen : MAX_IOV;
	if (m->niov && pd_mem_read(c->t->tid, (uint64_t)(uintptr_t)m->h.msg_iov, m->iov,
				   m->niov * sizeof m->iov[0]) != (ssize_t)(m->niov * sizeof m->iov[0]))
		return -EFAULT;
	return 0;
}

static int read_msg(struct pd_call *c, uint64_t addr, struct msg *m)
{
	int rc = c->t->arch == PD_ARCH_X86_64 ? read_msg64(c, addr, m) : read_msg32(c, addr, m);
	if (rc < 0) {
		pd_page_fault(c->tr);
		return rc;
	}
	m->total = 0;
	for (size_t i = 0; i < m->niov; i++)
		m->total += m->iov[i].iov_len;
	return 0;
}

/* The first snaplen bytes of the len bytes the iovecs hold. */
static void enc_iov_data(struct pd_call *c, const struct msg *m, int64_t len)
{
	uint32_t want = c->tr->opts->snaplen;
	if (len <= 0) {
		shm_enc_empty(c->e);
		return;
	}
	if ((uint64_t)len < want)
		want = (uint32_t)len;
	uint8_t *dst = shm_enc_reserve(c->e, want);
	if (!dst)
		return;
	uint32_t got = 0;
	for (size_t i = 0; i < m->niov && got < want; i++) {
		size_t n = m->iov[i].iov_len < want - got ? m->iov[i].iov_len : want - got;
		ssize_t r = pd_mem_read(c->t->tid, (uint64_t)(uintptr_t)m->iov[i].iov_base,
					dst + got, n);
		if (r < 0) {
			pd_page_fault(c->tr);
			break;
		}
		got += (uint32_t)r;
		if ((size_t)r < n)
			break;
	}
	shm_enc_shrink_last(c->e, got);
}

static socklen_t msg_addr(struct pd_call *c, const struct msg *m, struct sockaddr_storage *ss)
{
	return read_addr(c, (uint64_t)(uintptr_t)m->h.msg_name, m->h.msg_namelen, ss);
}

/* sendmsg(fd, msg, flags) */
void pd_dec_sendmsg_e(struct pd_call *c)
{
	struct msg m;
	struct sockaddr_storage ss;
	pd_enc_fd(c, A(0));
	if (read_msg(c, A(1), &m) < 0) {
		shm_enc_empty(c->e);
		shm_enc_empty(c->e);
		return;
	}
	shm_enc_u32(c->e, (uint32_t)m.total);
	enc_tuple(c, (int32_t)A(0), 0, &ss, msg_addr(c, &m, &ss));
}

void pd_dec_sendmsg_x(struct pd_call *c)
{
	struct msg m;
	pd_enc_res(c);
	if (read_msg(c, A(1), &m) < 0)
		shm_enc_empty(c->e);
	else
		enc_iov_data(c, &m, c->ret);
}

/* recvmsg(fd, msg, flags) */
void pd_dec_recvmsg_e(struct pd_call *c) { pd_enc_fd(c, A(0)); }

void pd_dec_recvmsg_x(struct pd_call *c)
{
	struct msg m;
	struct sockaddr_storage ss;
	pd_enc_res(c);
	if (read_msg(c, A(1), &m) < 0) {
		shm_enc_empty(c->e);
		shm_enc_empty(c->e);
		shm_enc_empty(c->e);
		return;
	}
	shm_enc_u32(c->e, (uint32_t)m.total);
	enc_iov_data(c, &m, c->ret);
	if (c->ret < 0)
		shm_enc_empty(c->e);
	else
		enc_tuple(c, (int32_t)A(0), 1, &ss, msg_addr(c, &m, &ss));
}

/* socketpair(domain, type, proto, int sv[2]) */
void pd_dec_socketpair_e(struct pd_call *c) { pd_dec_socket_e(c); }

void pd_dec_socketpair_x(struct pd_call *c)
{
	int sv[2] = {-1, -1};
	pd_enc_res(c);
	if (c->ret == 0 && pd_mem_read(c->t->tid, A(3), sv, sizeof sv) != sizeof sv) {
		pd_page_fault(c->tr);
		sv[0] = sv[1] = -1;
	}
	shm_enc_s64(c->e, sv[0]);
	shm_enc_s64(c->e, sv[1]);
	/* kernel socket addresses are not visible from userspace */
	shm_enc_u64(c->e, 0);
	shm_enc_u64(c->e, 0);
}
