/*
 * pdig --stack tests (stack.sh): calls made from known functions, so that
 * their stacks can be checked by name. Built with and without frame
 * pointers and debug information; the functions stay out of line.
 *
 *	stack_calls DIR PORT       main -> do_connect -> connect (127.0.0.1:PORT),
 *	                           main -> do_open -> openat (DIR/out, for writing)
 *	stack_calls DIR PORT bad   and openat made with the stack pointer and
 *	                           frame pointer pointing at unmapped memory
 *	stack_calls DIR PORT loop N  only do_open, N times (bench/stack.sh)
 * Prints what each call returned; exits 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

__attribute__((noinline)) int do_connect(int port)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0)
		return -errno;
	int rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
	int err = rc < 0 ? -errno : 0;
	close(fd);
	return err;
}

__attribute__((noinline)) int do_open(const char *dir)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/out", dir);
	int fd = openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	int err = fd < 0 ? -errno : 0;
	if (fd >= 0)
		close(fd);
	return err;
}

/* openat(AT_FDCWD, path, O_WRONLY|O_CREAT, 0600) with %rsp and %rbp at an
 * unmapped page (below mmap_min_addr): nothing can unwind past it. */
__attribute__((noinline)) long bad_open(const char *path)
{
	long ret;
	register long r10 __asm__("r10") = 0600;
	__asm__ volatile("mov %%rsp, %%r12\n\t"
			 "mov %%rbp, %%r13\n\t"
			 "mov $0x1000, %%rsp\n\t"
			 "mov $0x1000, %%rbp\n\t"
			 "syscall\n\t"
			 "mov %%r12, %%rsp\n\t"
			 "mov %%r13, %%rbp"
			 : "=a"(ret)
			 : "0"((long)SYS_openat), "D"((long)AT_FDCWD), "S"(path),
			   "d"((long)(O_WRONLY | O_CREAT)), "r"(r10)
			 : "rcx", "r11", "r12", "r13", "memory");
	return ret;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: stack_calls DIR PORT [bad]\n");
		return 2;
	}
	if (argc > 4 && strcmp(argv[3], "loop") == 0) {
		for (long i = atol(argv[4]); i > 0; i--)
			if (do_open(argv[1]))
				return 1;
		return 0;
	}
	int c = do_connect(atoi(argv[2]));
	int o = do_open(argv[1]);
	printf("connect %s\nopen %s\n", c ? strerror(-c) : "ok", o ? strerror(-o) : "ok");
	if (argc > 3 && strcmp(argv[3], "bad") == 0) {
		char path[4096];
		snprintf(path, sizeof path, "%s/bad", argv[1]);
		long fd = bad_open(path);
		printf("bad open %s\n", fd >= 0 ? "ok" : strerror((int)-fd));
		if (fd >= 0)
			close((int)fd);
	}
	return 0;
}
