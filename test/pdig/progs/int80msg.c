/* sendmsg/recvmsg made twice with the same sockets and data: first through
 * the 64-bit entry (libc), then through the 32-bit one (int 0x80, with the
 * compat msghdr and iovec layouts). pdig must report both alike. Built
 * static and non-PIE: everything the 32-bit calls point to is a global,
 * below 4 GiB. Prints "ok" when every call did what it should. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* i386 syscall numbers and socketcall codes */
#define NR32_SOCKETCALL 102
#define NR32_SOCKETPAIR 360
#define NR32_SENDMSG 370
#define NR32_RECVMSG 372
#define SYS_SENDMSG_ 16

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

static char part1[] = "hello.", part2[] = "world";
static char rbuf[32];
static struct sockaddr_in to, from;
static struct iovec32 siov[2], riov[1];
static struct msghdr32 smsg, rmsg;
static uint32_t scargs[3];
static int sv32[2] = {-1, -1};

static long int80(long nr, long a, long b, long c, long d)
{
	long r;
	__asm__ volatile("int $0x80"
			 : "=a"(r)
			 : "a"(nr), "b"(a), "c"(b), "d"(c), "S"(d)
			 : "memory");
	return r;
}

static int send64(int fd, const struct sockaddr_in *dst)
{
	struct iovec iov[2] = {{part1, strlen(part1)}, {part2, strlen(part2)}};
	struct msghdr m = {0};
	m.msg_name = (void *)dst;
	m.msg_namelen = dst ? sizeof *dst : 0;
	m.msg_iov = iov;
	m.msg_iovlen = 2;
	return sendmsg(fd, &m, 0) == 11 ? 0 : 1;
}

static int recv64(int fd, int named)
{
	struct iovec iov = {rbuf, sizeof rbuf};
	struct msghdr m = {0};
	m.msg_name = named ? &from : NULL;
	m.msg_namelen = named ? sizeof from : 0;
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	return recvmsg(fd, &m, 0) == 11 ? 0 : 1;
}

/* sendmsg through socketcall, recvmsg through its own 32-bit number: both
 * ways a 32-bit program reaches them */
static int send32(int fd, const struct sockaddr_in *dst)
{
	siov[0] = (struct iovec32){(uint32_t)(uintptr_t)part1, (uint32_t)strlen(part1)};
	siov[1] = (struct iovec32){(uint32_t)(uintptr_t)part2, (uint32_t)strlen(part2)};
	memset(&smsg, 0, sizeof smsg);
	smsg.name = (uint32_t)(uintptr_t)dst;
	smsg.namelen = dst ? sizeof *dst : 0;
	smsg.iov = (uint32_t)(uintptr_t)siov;
	smsg.iovlen = 2;
	scargs[0] = (uint32_t)fd;
	scargs[1] = (uint32_t)(uintptr_t)&smsg;
	scargs[2] = 0;
	return int80(NR32_SOCKETCALL, SYS_SENDMSG_, (long)(uintptr_t)scargs, 0, 0) == 11 ? 0 : 1;
}

static int recv32(int fd, int named)
{
	riov[0] = (struct iovec32){(uint32_t)(uintptr_t)rbuf, sizeof rbuf};
	memset(&rmsg, 0, sizeof rmsg);
	rmsg.name = named ? (uint32_t)(uintptr_t)&from : 0;
	rmsg.namelen = named ? sizeof from : 0;
	rmsg.iov = (uint32_t)(uintptr_t)riov;
	rmsg.iovlen = 1;
	return int80(NR32_RECVMSG, fd, (long)(uintptr_t)&rmsg, 0, 0) == 11 ? 0 : 1;
}

int main(void)
{
	int sv[2], bad = 0;
	if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0)
		return 2;
	int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	to.sin_family = AF_INET;
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof to;
	/* both bound first: the sender's tuple is then the same both times */
	if (u1 < 0 || u2 < 0 || bind(u1, (struct sockaddr *)&to, sizeof to) < 0 ||
	    bind(u2, (struct sockaddr *)&to, sizeof to) < 0 ||
	    getsockname(u1, (struct sockaddr *)&to, &len) < 0)
		return 2;
	/* 64-bit, then the same through int 0x80 */
	bad |= send64(sv[0], NULL) | recv64(sv[1], 0) | send64(u2, &to) | recv64(u1, 1);
	bad |= send32(sv[0], NULL) | recv32(sv[1], 0) | send32(u2, &to) | recv32(u1, 1);
	/* a socketpair through the 32-bit entry too (its fds are not used) */
	if (int80(NR32_SOCKETPAIR, AF_UNIX, SOCK_STREAM, 0, (long)(uintptr_t)sv32) != 0 ||
	    sv32[0] < 0 || sv32[1] < 0)
		bad = 1;
	printf("%s\n", bad ? "failed" : "ok");
	return bad;
}
