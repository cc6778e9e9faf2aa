/* Known file, process and network calls, for the event tests. Works in the
 * directory given as argv[1]. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	if (argc < 2 || chdir(argv[1]) < 0)
		return 2;
	int fd = openat(AT_FDCWD, "a.txt", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	write(fd, "hello pdig", 10);
	close(fd);
	fd = open("a.txt", O_RDONLY);
	char buf[64];
	read(fd, buf, sizeof buf);
	int fd2 = dup(fd);
	close(fd2);
	fd2 = fcntl(fd, F_DUPFD_CLOEXEC, 10); /* makes an fd: traced */
	fcntl(fd, F_GETFL);                  /* changes nothing: not traced */
	close(fd2);
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	close(sv[0]);
	close(sv[1]);
	close(eventfd(0, EFD_CLOEXEC));
	close(fd);
	mkdir("d1", 0755);
	rename("a.txt", "d1/b.txt");
	symlink("d1/b.txt", "l1");
	unlink("l1");
	unlinkat(AT_FDCWD, "d1/b.txt", 0);
	rmdir("d1");
	open((const char *)1, O_RDONLY); /* a bad pointer: the event keeps an empty name */
	int lfd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in sa;
	memset(&sa, 0, sizeof sa);
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(lfd, (struct sockaddr *)&sa, sizeof sa);
	socklen_t sl = sizeof sa;
	getsockname(lfd, (struct sockaddr *)&sa, &sl);
	listen(lfd, 4);
	int cfd = socket(AF_INET, SOCK_STREAM, 0);
	connect(cfd, (struct sockaddr *)&sa, sizeof sa);
	int afd = accept(lfd, NULL, NULL);
	printf("port %u\n", ntohs(sa.sin_port));
	/* sendmsg/recvmsg over the TCP pair */
	struct iovec iov = {"msg-data", 8};
	struct msghdr mh;
	memset(&mh, 0, sizeof mh);
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	sendmsg(cfd, &mh, 0);
	char rbuf[32];
	struct iovec riov = {rbuf, sizeof rbuf};
	mh.msg_iov = &riov;
	recvmsg(afd, &mh, 0);
	/* sendto/recvfrom over UDP */
	int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in ua;
	memset(&ua, 0, sizeof ua);
	ua.sin_family = AF_INET;
	ua.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	bind(u2, (struct sockaddr *)&ua, sizeof ua);
	sl = sizeof ua;
	getsockname(u2, (struct sockaddr *)&ua, &sl);
	printf("udp %u\n", ntohs(ua.sin_port));
	sendto(u1, "dgram", 5, 0, (struct sockaddr *)&ua, sizeof ua);
	struct sockaddr_in from;
	sl = sizeof from;
	recvfrom(u2, rbuf, sizeof rbuf, 0, (struct sockaddr *)&from, &sl);
	close(u1);
	close(u2);
	close(afd);
	close(cfd);
	close(lfd);
	pid_t p = fork();
	if (p == 0) {
		setsid();
		execl("/bin/true", "true", "arg1", (char *)NULL);
		_exit(127);
	}
	waitpid(p, NULL, 0);
	printf("pid %d child %d\n", (int)getpid(), (int)p);
	return 0;
}
