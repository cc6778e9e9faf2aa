/* A blocking read interrupted by SIGSTOP/SIGCONT is restarted by the
 * kernel: one call, one result. */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
	int fds[2];
	pipe(fds);
	pid_t p = fork();
	if (p == 0) {
		char c;
		ssize_t n = read(fds[0], &c, 1);
		printf("child read %zd %c\n", n, n == 1 ? c : '?');
		_exit(0);
	}
	usleep(100000);
	kill(p, SIGSTOP);
	int st;
	waitpid(p, &st, WUNTRACED);
	printf("stopped %d\n", WIFSTOPPED(st));
	kill(p, SIGCONT);
	usleep(50000);
	write(fds[1], "x", 1);
	waitpid(p, &st, 0);
	printf("exited %d\n", WEXITSTATUS(st));
	return 0;
}
