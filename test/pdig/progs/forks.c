/* fork, vfork and clone3 children with known exit statuses. */
#define _GNU_SOURCE
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
static int reap(pid_t p)
{
	int st;
	if (waitpid(p, &st, 0) != p)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
int main(void)
{
	pid_t p = fork();
	if (p == 0)
		_exit(11);
	printf("fork child: %d\n", reap(p));
	p = vfork();
	if (p == 0)
		_exit(12);
	printf("vfork child: %d\n", reap(p));
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.exit_signal = SIGCHLD;
	long r = syscall(SYS_clone3, &ca, sizeof ca);
	if (r == 0)
		_exit(13);
	printf("clone3 child: %d\n", r > 0 ? reap((pid_t)r) : -1);
	fflush(stdout);
	return 0;
}
