/*
 * memfd_run at|proc [PROGRAM]: fileless execution as droppers do it: a
 * memfd named "pdig-payload" gets a copy of PROGRAM (default /bin/true), is
 * made executable with fchmod and run, with execveat(fd, "", AT_EMPTY_PATH)
 * (at: what fexecve() does) or execve("/proc/self/fd/N") (proc). Prints
 * the fd before the exec.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: memfd_run at|proc [PROGRAM]\n");
		return 2;
	}
	const char *prog = argc > 2 ? argv[2] : "/bin/true";
	/* not MFD_CLOEXEC for proc: the fd must stay open for the kernel to
	 * find it by /proc/self/fd/N */
	int fd = (int)syscall(SYS_memfd_create, "pdig-payload",
			      argv[1][0] == 'a' ? MFD_CLOEXEC | MFD_ALLOW_SEALING : MFD_ALLOW_SEALING);
	int src = open(prog, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || src < 0) {
		perror("memfd_run");
		return 1;
	}
	char buf[65536];
	ssize_t n;
	while ((n = read(src, buf, sizeof buf)) > 0)
		if (write(fd, buf, (size_t)n) != n) {
			perror("memfd_run: write");
			return 1;
		}
	fchmod(fd, 0755);
	printf("fd %d\n", fd);
	fflush(stdout);
	char *args[] = {"payload", NULL};
	if (argv[1][0] == 'a') {
		syscall(SYS_execveat, fd, "", args, environ, AT_EMPTY_PATH);
	} else {
		char path[64];
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		execve(path, args, environ);
	}
	perror("memfd_run: execveat");
	return 1;
}
