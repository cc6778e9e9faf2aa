/*
 * Handing a region over a unix socket: the descriptor travels as
 * SCM_RIGHTS, so a private memfd ring never needs a name. The engine's
 * listening socket (0600 from the first moment) and the producer's
 * connect-and-send. Sockets only: what the descriptor holds is checked by
 * whoever maps it (ring_region.c, ring_cons.c's seal check).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "ring_impl.h"

int shm_ring_send_fd(int sock, int fd)
{
	char byte = 'R';
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	memset(&u, 0, sizeof u);
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = sizeof u.buf};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof fd);
	return sendmsg(sock, &m, MSG_NOSIGNAL) == 1 ? 0 : -errno;
}

int shm_ring_recv_fd(int sock)
{
	char byte;
	struct iovec iov = {.iov_base = &byte, .iov_len = 1};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} u;
	struct msghdr m = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
			   .msg_controllen = sizeof u.buf};
	ssize_t n = recvmsg(sock, &m, MSG_CMSG_CLOEXEC);
	if (n < 0)
		return -errno;
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	if (n != 1 || !c || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
	    c->cmsg_len != CMSG_LEN(sizeof(int)) || (m.msg_flags & MSG_CTRUNC))
		return -EPROTO;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof fd);
	return fd;
}

/* A unix stream socket, and path's address in a: the socket or -errno. */
static int sock_new(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof *a);
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a->sun_path)
		return -ENAMETOOLONG;
	strcpy(a->sun_path, path);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	return s < 0 ? -errno : s;
}

int shm_ring_listen(const char *path)
{
	struct sockaddr_un a;
	int rc, s = sock_new(path, &a);
	if (s < 0)
		return s;
	unlink(path);
	/* Owner-only from the first moment: no window for another user to connect. */
	mode_t old = umask(0177);
	rc = bind(s, (struct sockaddr *)&a, sizeof a);
	umask(old);
	if (rc < 0 || listen(s, 16) < 0) {
		rc = -errno;
		close(s);
		return rc;
	}
	return s;
}

int shm_ring_sock_send(const char *path, int fd, char *err, size_t errlen)
{
	struct sockaddr_un a;
	int rc, s = sock_new(path, &a);
	if (s < 0)
		return s;
	if (connect(s, (struct sockaddr *)&a, sizeof a) < 0) {
		rc = -errno;
		set_err(err, errlen, "cannot connect to the engine at %s: %s "
			"(is pdig-engine running with this socket?)", path, strerror(-rc));
	} else {
		rc = shm_ring_send_fd(s, fd);
		if (rc)
			set_err(err, errlen, "cannot send the ring to %s: %s", path, strerror(-rc));
	}
	close(s);
	return rc;
}
