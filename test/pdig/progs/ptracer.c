/*
 * A program that itself uses ptrace: PTRACE_TRACEME in a child, and
 * PTRACE_ATTACH to a child. Natively both work; under a tracer that follows
 * children (pdig, strace -f) a task already has its tracer and both fail
 * with EPERM. Prints what happened, so runs can be compared.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/wait.h>
#include <unistd.h>
static const char *res(long r, int e)
{
	return r == 0 ? "ok" : e == EPERM ? "EPERM" : strerror(e);
}
int main(void)
{
	int st;
	setvbuf(stdout, NULL, _IONBF, 0);
	pid_t p = fork();
	if (p == 0) {
		long r = ptrace(PTRACE_TRACEME, 0, 0, 0);
		printf("traceme: %s\n", res(r, errno));
		if (r == 0)
			raise(SIGSTOP); /* reported to the parent, now our tracer */
		_exit(5);
	}
	waitpid(p, &st, 0);
	if (WIFSTOPPED(st)) {
		printf("parent saw the stop: %d\n", WSTOPSIG(st));
		ptrace(PTRACE_CONT, p, 0, 0);
		waitpid(p, &st, 0);
	}
	printf("traceme child exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);

	int gate[2];
	char c;
	pipe(gate);
	p = fork();
	if (p == 0) {
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(6);
	}
	close(gate[0]);
	long r = ptrace(PTRACE_ATTACH, p, 0, 0);
	printf("attach: %s\n", res(r, errno));
	if (r == 0) {
		waitpid(p, &st, 0);
		printf("attach stop: %d\n", WIFSTOPPED(st) ? WSTOPSIG(st) : -1);
		ptrace(PTRACE_DETACH, p, 0, 0);
	}
	close(gate[1]);
	waitpid(p, &st, 0);
	printf("attached child exit: %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
