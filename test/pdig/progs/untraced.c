/* clone(CLONE_UNTRACED): the child must stay traced, and its traced calls
 * must work (not fail with ENOSYS for lack of a tracer). */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>
static int child(void *arg)
{
	(void)arg;
	int fd = open("/etc/hostname", O_RDONLY);
	return fd >= 0 ? 21 : 22;
}
int main(void)
{
	size_t sz = 1 << 16;
	char *stack = malloc(sz);
	pid_t p = clone(child, stack + sz, CLONE_UNTRACED | SIGCHLD, NULL);
	int st;
	waitpid(p, &st, 0);
	printf("untraced child: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
